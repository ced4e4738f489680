//! Tests of the whole build: a generated roll into an artifact and back, the
//! artifact refused when damaged, the bad-row policies, and the failures that
//! must leave nothing at the destination.

use super::*;
use crate::artifact::{
    self, ArtifactError, INDEX_DIR, MANIFEST_CHECKSUM_FILE, NAMES_FILE, STATIONS_FILE,
};
use crate::generator::{self, GeneratorConfig, QuirkRates, Summary};
use std::cell::RefCell;

/// Budget for test builds: the writer's floor, so tests stay light.
const TEST_BUDGET: usize = 50_000_000;

fn config(seed: u64, voters: usize, broken_rows: usize) -> GeneratorConfig {
    GeneratorConfig {
        seed,
        voters,
        broken_rows,
        ..GeneratorConfig::default()
    }
}

/// A generated roll and stations file in `dir`.
fn generate(dir: &Path, config: &GeneratorConfig) -> (PathBuf, PathBuf, Summary) {
    let roll = dir.join("roll.csv");
    let stations = dir.join("stations.csv");
    let summary = generator::generate_files(config, &roll, Some(&stations)).unwrap();
    (roll, stations, summary)
}

fn request(roll: &Path, stations: Option<&Path>, out: &Path) -> ArtifactRequest {
    ArtifactRequest {
        stations: stations.map(Path::to_path_buf),
        memory_budget: TEST_BUDGET,
        ..ArtifactRequest::new(roll, out)
    }
}

fn no_progress(_: ProgressEvent) {}

/// Nothing at `out`, and no staging directory left beside it.
fn assert_no_artifact(out: &Path) {
    assert!(!out.exists(), "{} exists", out.display());
    let prefix = format!(".{}.partial-", out.file_name().unwrap().to_string_lossy());
    let parent = out.parent().unwrap();
    for entry in fs::read_dir(parent).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(&prefix),
            "staging directory {name} left behind"
        );
    }
}

/// Every file below `root`, `/`-separated and sorted.
fn files_below(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(root.join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let path = relative.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                files.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn builds_a_generated_roll_and_loads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, summary) = generate(dir.path(), &config(11, 3_000, 0));
    let out = dir.path().join("artifact");
    let events = RefCell::new(Vec::new());
    let outcome = build_artifact(&request(&roll, Some(&stations), &out), &|event| {
        events.borrow_mut().push(event)
    })
    .unwrap();

    // What the build saw matches what the generator wrote.
    assert_eq!(outcome.stats.rows, summary.rows);
    assert_eq!(outcome.stats.voters, summary.counts.people);
    assert_eq!(
        outcome.stats.merged_memberships,
        summary.counts.eu_on_both_lists
    );
    assert_eq!(outcome.skipped_rows, 0);
    assert_eq!(outcome.rejects, None);
    assert_eq!(outcome.encoding, Encoding::Utf8);
    assert!(outcome.ignored_columns.is_empty());
    assert!(outcome.stats.stations_missing_from_file.is_empty());

    // The artifact loads, with the counts the manifest announces.
    let loaded = artifact::load(&out).unwrap();
    let manifest = &loaded.manifest;
    assert_eq!(manifest, &outcome.manifest);
    assert_eq!(manifest.voters, summary.counts.people);
    assert_eq!(manifest.rows, summary.rows);
    assert_eq!(manifest.skipped_rows, 0);
    assert_eq!(manifest.stations, summary.stations as u64);
    assert_eq!(loaded.stations.len(), summary.stations);
    assert!(loaded.stations.iter().all(|s| s.address.is_some()));
    let indexed = loaded.index.reader().unwrap().searcher().num_docs();
    assert_eq!(indexed, summary.counts.people);
    assert_eq!(loaded.names.len() as u64, summary.counts.people);
    assert!(!manifest.canaries.is_empty());

    // The manifest lists every file but itself and its checksum (unsigned:
    // no signature), and the size on disk adds them up.
    let mut listed: Vec<String> = manifest.files.iter().map(|f| f.path.clone()).collect();
    listed.push(MANIFEST_FILE.to_string());
    listed.push(MANIFEST_CHECKSUM_FILE.to_string());
    listed.sort();
    let present: Vec<String> = files_below(&out)
        .into_iter()
        .filter(|path| !path.ends_with(".lock"))
        .collect();
    assert_eq!(listed, present);
    let on_disk: u64 = present
        .iter()
        .map(|path| fs::metadata(out.join(path)).unwrap().len())
        .sum();
    assert_eq!(outcome.artifact_bytes, on_disk);

    // The roll, hashed while read, has the hash of a separate pass.
    assert_eq!(
        manifest.inputs,
        vec![
            InputFile::hash("roll", &roll).unwrap(),
            InputFile::hash("stations", &stations).unwrap(),
        ]
    );

    // Progress: reading up to the whole file, then merging, then committing.
    let events = events.into_inner();
    let total = fs::metadata(&roll).unwrap().len();
    let last_reading = events
        .iter()
        .rev()
        .find_map(|event| match event {
            ProgressEvent::Reading {
                bytes_read,
                total_bytes,
                rows,
                ..
            } => Some((*bytes_read, *total_bytes, *rows)),
            _ => None,
        })
        .unwrap();
    assert_eq!(last_reading, (total, total, summary.rows));
    assert!(events.len() > 2);
    assert_eq!(
        &events[events.len() - 2..],
        &[ProgressEvent::Merging, ProgressEvent::Committing]
    );
}

#[test]
fn builds_without_a_stations_file() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, summary) = generate(dir.path(), &config(12, 1_500, 0));
    let out = dir.path().join("artifact");
    let outcome = build_artifact(&request(&roll, None, &out), &no_progress).unwrap();
    let loaded = artifact::load(&out).unwrap();
    assert_eq!(loaded.stations.len(), summary.stations);
    assert!(loaded.stations.iter().all(|s| s.address.is_none()));
    assert_eq!(outcome.manifest.inputs.len(), 1);
    assert_eq!(outcome.manifest.inputs[0].role, "roll");
}

#[test]
fn stations_missing_from_the_stations_file_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, summary) = generate(dir.path(), &config(13, 2_500, 0));
    // Keep the header and the first station only.
    let text = fs::read_to_string(&stations).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    fs::write(&stations, kept.join("\n") + "\n").unwrap();
    let out = dir.path().join("artifact");
    let outcome = build_artifact(&request(&roll, Some(&stations), &out), &no_progress).unwrap();
    assert_eq!(
        outcome.stats.stations_missing_from_file.len(),
        summary.stations - 1
    );
    assert!(out.exists());
}

/// A roll of three communes of two départements, each numbering its
/// stations from `0001`, made from three generated rolls: the files' data
/// lines one after the other, under one header.
fn several_communes(dir: &Path) -> (PathBuf, PathBuf, Vec<Summary>) {
    let communes = [
        ("59350", "Lille", "59000"),
        ("59009", "Villeneuve-d'Ascq", "59650"),
        ("62041", "Arras", "62000"),
    ];
    let (mut roll_text, mut stations_text, mut summaries) = (String::new(), String::new(), vec![]);
    for (index, (code, name, postcode)) in communes.into_iter().enumerate() {
        let part = dir.join(format!("part-{index}"));
        fs::create_dir(&part).unwrap();
        let (roll, stations, summary) = generate(
            &part,
            &GeneratorConfig {
                commune_code: code.into(),
                commune_name: name.into(),
                postcode: postcode.into(),
                ..config(30 + index as u64, 1_200, 0)
            },
        );
        for (text, file) in [(&mut roll_text, roll), (&mut stations_text, stations)] {
            let content = fs::read_to_string(file).unwrap();
            let skip = if text.is_empty() { 0 } else { 1 };
            for line in content.lines().skip(skip) {
                text.push_str(line);
                text.push('\n');
            }
        }
        summaries.push(summary);
    }
    let (roll, stations) = (dir.join("roll.csv"), dir.join("stations.csv"));
    fs::write(&roll, roll_text).unwrap();
    fs::write(&stations, stations_text).unwrap();
    (roll, stations, summaries)
}

#[test]
fn stations_of_several_communes_keep_apart_though_their_codes_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, summaries) = several_communes(dir.path());
    let out = dir.path().join("artifact");
    let outcome = build_artifact(&request(&roll, Some(&stations), &out), &no_progress).unwrap();
    let loaded = artifact::load(&out).unwrap();
    let expected: usize = summaries.iter().map(|s| s.stations).sum();
    assert_eq!(loaded.stations.len(), expected);
    assert!(outcome.stats.stations_missing_from_file.is_empty());
    let first_stations: Vec<(Option<&str>, &str)> = loaded
        .stations
        .iter()
        .filter(|s| s.code == "0001")
        .map(|s| {
            (
                s.commune_code.as_deref(),
                s.commune_name.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        first_stations,
        [
            (Some("59009"), "VILLENEUVE-D'ASCQ"),
            (Some("59350"), "LILLE"),
            (Some("62041"), "ARRAS")
        ]
    );
    assert!(loaded.stations.iter().all(|s| s.address.is_some()));
    let voters: u64 = loaded.stations.iter().map(|s| s.voter_count).sum();
    assert!(voters >= summaries.iter().map(|s| s.counts.people).sum::<u64>());
    assert_eq!(loaded.manifest.departements, ["59", "62"]);
    assert!(
        outcome.stats.duplicate_order_numbers.is_empty(),
        "order numbers repeat across communes, not within a station"
    );
    assert!(
        loaded
            .manifest
            .canaries
            .iter()
            .all(|c| c.commune_code.is_some())
    );

    // Without its commune column, the stations file repeats station 0001;
    // and one line alone cannot say which commune's station 0001 it means.
    let stripped: Vec<String> = fs::read_to_string(&stations)
        .unwrap()
        .lines()
        .map(|line| line.split_once(';').unwrap().1.to_string() + "\n")
        .collect();
    for (lines, expected) in [
        (
            stripped.len(),
            "3: station `0001` is already described on line 2",
        ),
        (
            2,
            "2: station `0001` names no commune, and the roll holds 3 communes (each numbers its stations from 0001): add a `commune` column with the INSEE code",
        ),
    ] {
        fs::write(&stations, stripped[..lines].concat()).unwrap();
        let out = dir.path().join("without-communes");
        let error =
            build_artifact(&request(&roll, Some(&stations), &out), &no_progress).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("{}:{expected}", stations.display())
        );
        assert_no_artifact(&out);
    }
}

#[test]
fn a_shard_keeps_the_voters_of_its_departements_only() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, summaries) = several_communes(dir.path());
    let out = dir.path().join("shard-62");
    let shard = ArtifactRequest {
        departements: vec!["62".into()],
        ..request(&roll, Some(&stations), &out)
    };
    let outcome = build_artifact(&shard, &no_progress).unwrap();
    assert_eq!(outcome.stats.voters, summaries[2].counts.people);
    assert_eq!(outcome.rows_outside, summaries[0].rows + summaries[1].rows);
    assert_eq!(outcome.manifest.departements, ["62"]);
    let loaded = artifact::load(&out).unwrap();
    // The stations file's other communes stay listed, with no voter.
    let arras: Vec<u64> = loaded
        .stations
        .iter()
        .filter(|s| s.commune_code.as_deref() == Some("62041"))
        .map(|s| s.voter_count)
        .collect();
    assert_eq!(arras.len(), summaries[2].stations);
    assert!(arras.iter().all(|&count| count > 0));

    let out = dir.path().join("shard-75");
    let error = build_artifact(
        &ArtifactRequest {
            departements: vec!["75".into()],
            ..request(&roll, Some(&stations), &out)
        },
        &no_progress,
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no voter of département(s) 75 in this roll"),
        "{error}"
    );
    assert_no_artifact(&out);
}

/// How an artifact is damaged, and the refusal expected.
struct Damage {
    name: &'static str,
    apply: fn(&Path),
    expected: fn(&ArtifactError) -> bool,
}

/// The largest file of the index: a segment file, not metadata.
fn largest_index_file(artifact: &Path) -> PathBuf {
    files_below(&artifact.join(INDEX_DIR))
        .into_iter()
        .map(|name| artifact.join(INDEX_DIR).join(name))
        .max_by_key(|path| fs::metadata(path).unwrap().len())
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn damaged_artifacts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, _) = generate(dir.path(), &config(14, 400, 0));
    let pristine = dir.path().join("pristine");
    build_artifact(&request(&roll, Some(&stations), &pristine), &no_progress).unwrap();
    artifact::load(&pristine).unwrap();

    let cases = [
        Damage {
            name: "truncated segment file",
            apply: |artifact| {
                let path = largest_index_file(artifact);
                let bytes = fs::read(&path).unwrap();
                fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
            },
            expected: |error| matches!(error, ArtifactError::SizeMismatch { .. }),
        },
        Damage {
            name: "one byte changed in the name records",
            apply: |artifact| {
                let path = artifact.join(NAMES_FILE);
                let mut bytes = fs::read(&path).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x01;
                fs::write(&path, bytes).unwrap();
            },
            expected: |error| matches!(error, ArtifactError::ChecksumMismatch(_)),
        },
        Damage {
            name: "one byte changed in a segment file",
            apply: |artifact| {
                let path = largest_index_file(artifact);
                let mut bytes = fs::read(&path).unwrap();
                bytes[7] = bytes[7].wrapping_add(1);
                fs::write(&path, bytes).unwrap();
            },
            expected: |error| matches!(error, ArtifactError::ChecksumMismatch(_)),
        },
        Damage {
            name: "extra file",
            apply: |artifact| {
                fs::write(artifact.join(INDEX_DIR).join("extra.idx"), b"x").unwrap();
            },
            expected: |error| matches!(error, ArtifactError::UnlistedFile(_)),
        },
        Damage {
            name: "missing file",
            apply: |artifact| fs::remove_file(artifact.join(STATIONS_FILE)).unwrap(),
            expected: |error| matches!(error, ArtifactError::MissingFile(_)),
        },
        Damage {
            name: "manifest of another schema version",
            apply: |artifact| {
                let path = artifact.join(MANIFEST_FILE);
                let mut manifest: serde_json::Value =
                    serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
                manifest["schema_version"] = serde_json::json!(crate::schema::SCHEMA_VERSION + 1);
                let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
                fs::write(&path, &bytes).unwrap();
                let checksum = artifact::manifest_checksum(&bytes);
                fs::write(artifact.join(MANIFEST_CHECKSUM_FILE), checksum).unwrap();
            },
            expected: |error| {
                matches!(error, ArtifactError::SchemaVersion { found, expected, .. }
                    if *found == crate::schema::SCHEMA_VERSION + 1
                        && *expected == crate::schema::SCHEMA_VERSION)
            },
        },
        Damage {
            name: "no manifest",
            apply: |artifact| fs::remove_file(artifact.join(MANIFEST_FILE)).unwrap(),
            expected: |error| matches!(error, ArtifactError::MissingManifest(_)),
        },
    ];
    for (number, case) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("damaged-{number}"));
        copy_dir(&pristine, &copy);
        (case.apply)(&copy);
        match artifact::load(&copy) {
            Ok(_) => panic!("{}: the damaged artifact was loaded", case.name),
            Err(error) => assert!(
                (case.expected)(&error),
                "{}: refused with the wrong error: {error}",
                case.name
            ),
        }
    }
}

#[test]
fn a_bad_row_fails_the_build_with_file_and_line_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, summary) = generate(dir.path(), &config(15, 2_000, 3));
    let out = dir.path().join("artifact");
    let error = build_artifact(&request(&roll, Some(&stations), &out), &no_progress).unwrap_err();

    let first_broken = summary.broken_lines[0].line;
    let bad = error.bad_row().expect("a bad-row error");
    assert_eq!(bad.line, first_broken);
    let message = error.to_string();
    let expected_start = format!("{}:{first_broken}: ", roll.display());
    assert!(message.starts_with(&expected_start), "{message}");
    assert!(
        message.contains("expected 27 fields, found 26"),
        "{message}"
    );
    assert_no_artifact(&out);
    assert!(!default_rejects_path(&out).exists(), "no report under fail");
}

#[test]
fn bad_rows_are_skipped_counted_and_reported_under_skip() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, summary) = generate(dir.path(), &config(15, 2_000, 3));
    let out = dir.path().join("artifact");
    let skip = ArtifactRequest {
        bad_row_policy: BadRowPolicy::Skip,
        ..request(&roll, Some(&stations), &out)
    };
    let outcome = build_artifact(&skip, &no_progress).unwrap();

    assert_eq!(outcome.skipped_rows, 3);
    assert_eq!(outcome.manifest.skipped_rows, 3);
    assert_eq!(outcome.stats.rows, summary.rows - 3);
    let report_path = default_rejects_path(&out);
    assert_eq!(report_path, dir.path().join("artifact.rejected.txt"));
    assert_eq!(outcome.rejects.as_deref(), Some(report_path.as_path()));
    artifact::load(&out).unwrap();

    // Two lines per rejected row: `FILE:LINE: reason`, then what finds the
    // row; these rows' fields do not line up, so none is copied.
    let roll_text = fs::read_to_string(&roll).unwrap();
    let roll_lines: Vec<&str> = roll_text.lines().collect();
    let report = fs::read_to_string(&report_path).unwrap();
    let report_lines: Vec<&str> = report.lines().collect();
    assert_eq!(report_lines.len(), 6, "{report}");
    for (pair, broken) in report_lines.chunks(2).zip(&summary.broken_lines) {
        let location = format!("{}:{}: ", roll.display(), broken.line);
        assert!(pair[0].starts_with(&location), "{}", pair[0]);
        assert_eq!(
            pair[1],
            "  (fields not shown: they do not line up with the header)"
        );
        assert!(!report.contains(roll_lines[broken.line as usize - 1]));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&report_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report is readable by its owner only");
    }
}

/// Field `index` of an export line, quotes removed.
fn field(line: &str, index: usize) -> String {
    line.split(';')
        .nth(index)
        .unwrap()
        .trim_matches('"')
        .to_string()
}

#[test]
fn the_report_shows_names_and_station_but_no_address_birthplace_or_nationality() {
    let dir = tempfile::tempdir().unwrap();
    let plain = GeneratorConfig {
        quirks: QuirkRates::none(),
        ..config(21, 300, 0)
    };
    let (roll, stations, _) = generate(dir.path(), &plain);
    // Give one row an impossible birth date: its fields still line up.
    let text = fs::read_to_string(&roll).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let headers: Vec<String> = lines[0]
        .split(';')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    let position = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let victim = 10;
    let mut fields: Vec<String> = lines[victim].split(';').map(str::to_string).collect();
    fields[position("date de naissance")] = "\"31/02/1990\"".to_string();
    lines[victim] = fields.join(";");
    fs::write(&roll, lines.join("\n") + "\n").unwrap();
    let original = &lines[victim];

    // An old, world-readable report is overwritten and tightened.
    let out = dir.path().join("artifact");
    let report_path = default_rejects_path(&out);
    fs::write(&report_path, "stale\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&report_path, fs::Permissions::from_mode(0o644)).unwrap();
    }
    let skip = ArtifactRequest {
        bad_row_policy: BadRowPolicy::Skip,
        ..request(&roll, Some(&stations), &out)
    };
    let outcome = build_artifact(&skip, &no_progress).unwrap();
    assert_eq!(outcome.skipped_rows, 1);
    let report = fs::read_to_string(&report_path).unwrap();
    let report_lines: Vec<&str> = report.lines().collect();
    assert_eq!(report_lines.len(), 2, "{report}");
    assert!(
        report_lines[0].starts_with(&format!("{}:{}: ", roll.display(), victim + 1)),
        "{report}"
    );
    for shown in ["nom de naissance", "prénoms", "code du bureau de vote"] {
        let value = field(original, position(shown));
        assert!(
            report_lines[1].contains(&format!("{shown}={value}")),
            "{shown} missing: {report}"
        );
    }
    for hidden in [
        "libellé de voie",
        "code postal",
        "libellé commune de naissance",
        "pays de naissance",
        "libellé nationalité",
    ] {
        let value = field(original, position(hidden));
        assert!(
            value.is_empty() || !report.contains(&value),
            "{hidden} ({value}) copied: {report}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&report_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn the_report_goes_where_asked_and_never_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, _) = generate(dir.path(), &config(16, 1_000, 1));
    let roll_before = fs::read(&roll).unwrap();

    let out = dir.path().join("over-roll");
    let over_roll = ArtifactRequest {
        bad_row_policy: BadRowPolicy::Skip,
        rejects: Some(roll.clone()),
        ..request(&roll, Some(&stations), &out)
    };
    let error = build_artifact(&over_roll, &no_progress).unwrap_err();
    assert!(
        matches!(error, PipelineError::RejectsOverwriteInput { .. }),
        "{error}"
    );
    assert_eq!(fs::read(&roll).unwrap(), roll_before);
    assert_no_artifact(&out);

    let out = dir.path().join("artifact");
    let report = dir.path().join("rejected-rows.txt");
    let elsewhere = ArtifactRequest {
        bad_row_policy: BadRowPolicy::Skip,
        rejects: Some(report.clone()),
        ..request(&roll, Some(&stations), &out)
    };
    let outcome = build_artifact(&elsewhere, &no_progress).unwrap();
    assert_eq!(outcome.rejects, Some(report.clone()));
    assert_eq!(fs::read_to_string(&report).unwrap().lines().count(), 2);
    assert!(!default_rejects_path(&out).exists());
}

#[test]
fn a_clean_roll_under_skip_writes_an_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, _) = generate(dir.path(), &config(17, 800, 0));
    let out = dir.path().join("artifact");
    let report = default_rejects_path(&out);
    fs::write(&report, "stale report of an earlier run\n").unwrap();
    let skip = ArtifactRequest {
        bad_row_policy: BadRowPolicy::Skip,
        ..request(&roll, None, &out)
    };
    let outcome = build_artifact(&skip, &no_progress).unwrap();
    assert_eq!(outcome.skipped_rows, 0);
    assert_eq!(fs::read_to_string(&report).unwrap(), "");
}

#[test]
fn a_roll_with_only_a_header_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let roll = dir.path().join("roll.csv");
    generator::write_roll_csv(std::iter::empty(), File::create(&roll).unwrap()).unwrap();
    let out = dir.path().join("artifact");
    let error = build_artifact(&request(&roll, None, &out), &no_progress).unwrap_err();
    assert!(
        matches!(&error, PipelineError::EmptyRoll { skipped: 0, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: ", roll.display()))
    );
    assert_no_artifact(&out);
}

#[test]
fn a_roll_whose_every_row_is_bad_is_refused_under_skip() {
    let dir = tempfile::tempdir().unwrap();
    let all_broken = GeneratorConfig {
        quirks: QuirkRates::none(),
        ..config(18, 3, 3)
    };
    let (roll, _, summary) = generate(dir.path(), &all_broken);
    assert_eq!(summary.broken_lines.len(), 3);
    let out = dir.path().join("artifact");
    let skip = ArtifactRequest {
        bad_row_policy: BadRowPolicy::Skip,
        ..request(&roll, None, &out)
    };
    let error = build_artifact(&skip, &no_progress).unwrap_err();
    assert!(
        matches!(&error, PipelineError::EmptyRoll { skipped: 3, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("all 3 of its data rows were rejected")
    );
    assert_no_artifact(&out);
    // The report is kept: it says why the roll came out empty.
    let report = fs::read_to_string(default_rejects_path(&out)).unwrap();
    assert_eq!(report.lines().count(), 6);
}

#[test]
fn an_existing_destination_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, _) = generate(dir.path(), &config(19, 300, 0));
    let out = dir.path().join("artifact");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep.txt"), "mine").unwrap();
    let error = build_artifact(&request(&roll, None, &out), &no_progress).unwrap_err();
    assert!(
        matches!(&error, PipelineError::Artifact(ArtifactError::Exists(path)) if path == &out),
        "{error}"
    );
    assert_eq!(files_below(&out), vec!["keep.txt".to_string()]);
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
}

#[test]
fn a_missing_roll_or_stations_file_is_named_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("artifact");
    let missing_roll = dir.path().join("no-such-roll.csv");
    let error = build_artifact(&request(&missing_roll, None, &out), &no_progress).unwrap_err();
    assert!(
        matches!(&error, PipelineError::Roll(RollError::Io { .. })),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&missing_roll.display().to_string())
    );
    assert_no_artifact(&out);

    let (roll, _, _) = generate(dir.path(), &config(20, 300, 0));
    let missing_stations = dir.path().join("no-such-stations.csv");
    let error =
        build_artifact(&request(&roll, Some(&missing_stations), &out), &no_progress).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&missing_stations.display().to_string()),
        "{error}"
    );
    assert_no_artifact(&out);
}
