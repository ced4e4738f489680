//! Runs the built `index-builder` binary: `generate` then `build`, and the
//! failures a user meets first.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn index_builder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_index-builder"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A generated roll and stations file in `dir`, with the generator's summary.
fn generate(dir: &Path, voters: &str, broken_rows: &str) -> (PathBuf, PathBuf, String) {
    let roll = dir.join("roll.csv");
    let stations = dir.join("stations.csv");
    let output = index_builder(&[
        "generate",
        "--voters",
        voters,
        "--seed",
        "7",
        "--roll",
        text(&roll),
        "--stations",
        text(&stations),
        "--broken-rows",
        broken_rows,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    (roll, stations, stdout(&output))
}

/// The number before `label` in a summary line: `2,000 voters` gives 2000.
fn count_before(line: &str, label: &str) -> u64 {
    let before = line
        .split(&format!(" {label}"))
        .next()
        .unwrap_or_else(|| panic!("no `{label}` in {line}"));
    let number = before.rsplit(' ').next().unwrap().replace(',', "");
    number
        .parse()
        .unwrap_or_else(|_| panic!("no count before `{label}` in {line}"))
}

/// The line numbers after `at lines` in the generator's summary.
fn broken_lines(generated: &str) -> Vec<u64> {
    let (_, lines) = generated.trim().split_once("at lines ").unwrap();
    lines.split(", ").map(|n| n.parse().unwrap()).collect()
}

#[test]
fn generate_then_build() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, generated) = generate(dir.path(), "2000", "0");
    assert!(
        generated.starts_with(&format!("wrote {}: ", roll.display())),
        "{generated}"
    );
    let people = count_before(&generated, "voters");
    assert!(people >= 2000, "{generated}");
    assert_eq!(count_before(&generated, "stations"), 2);

    let out = dir.path().join("artifact");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--stations",
        text(&stations),
        "--out",
        text(&out),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert_eq!(summary.lines().count(), 1, "one summary line: {summary}");
    assert!(
        summary.starts_with(&format!("built {}: ", out.display())),
        "{summary}"
    );
    assert_eq!(count_before(&summary, "voters"), people);
    assert_eq!(count_before(&summary, "skipped rows"), 0);
    assert!(summary.contains(" s, "), "{summary}");
    assert!(summary.contains(" on disk, version "), "{summary}");

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["voters"], people);
    assert_eq!(manifest["stations"], 2);
    assert!(
        manifest["builder"]
            .as_str()
            .unwrap()
            .starts_with("index-builder ")
    );
    let version = manifest["version"].as_str().unwrap();
    assert!(summary.trim_end().ends_with(version), "{summary}");
    // No terminal: no progress bar on stderr.
    assert!(!stderr(&output).contains("rows"), "{}", stderr(&output));
}

#[test]
fn a_missing_roll_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let roll = dir.path().join("absent.csv");
    let out = dir.path().join("artifact");
    let output = index_builder(&["build", "--roll", text(&roll), "--out", text(&out)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {}: ", roll.display())),
        "{message}"
    );
    assert!(stdout(&output).is_empty());
    assert!(!out.exists());
}

#[test]
fn a_bad_row_fails_the_build_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, generated) = generate(dir.path(), "1500", "2");
    let broken = broken_lines(&generated);
    assert_eq!(broken.len(), 2);
    let out = dir.path().join("artifact");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--stations",
        text(&stations),
        "--out",
        text(&out),
        "--on-bad-row",
        "fail",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {}:{}: ", roll.display(), broken[0])),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(!out.exists());
}

#[test]
fn bad_rows_are_skipped_with_a_count_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, generated) = generate(dir.path(), "1500", "2");
    let broken = broken_lines(&generated);
    let out = dir.path().join("artifact");
    let report = dir.path().join("rejected.txt");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--out",
        text(&out),
        "--on-bad-row",
        "skip",
        "--rejects",
        text(&report),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(count_before(&stdout(&output), "skipped rows"), 2);
    let warnings = stderr(&output);
    assert!(
        warnings.contains(&format!("skipped 2 bad row(s) of {}", roll.display())),
        "{warnings}"
    );
    assert!(warnings.contains(text(&report)), "{warnings}");
    let report_text = std::fs::read_to_string(&report).unwrap();
    let locations: Vec<&str> = report_text.lines().step_by(2).collect();
    assert_eq!(locations.len(), 2);
    for (location, line) in locations.iter().zip(&broken) {
        assert!(
            location.starts_with(&format!("{}:{line}: ", roll.display())),
            "{location}"
        );
    }
}

#[test]
fn mistakes_on_the_command_line_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, _) = generate(dir.path(), "200", "0");
    let out = dir.path().join("artifact");

    // --rejects means nothing when the build stops at the first bad row.
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--out",
        text(&out),
        "--rejects",
        "r.txt",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("error: --rejects only applies with --on-bad-row skip"));

    // Unknown policy: a usage error from clap.
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--out",
        text(&out),
        "--on-bad-row",
        "ignore",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--on-bad-row"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());

    // An existing destination is never overwritten.
    std::fs::create_dir(&out).unwrap();
    let output = index_builder(&["build", "--roll", text(&roll), "--out", text(&out)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with(&format!("error: {}: already exists", out.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

#[test]
fn the_encoding_flag_accepts_its_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, _) = generate(dir.path(), "200", "0");
    for (number, encoding) in ["auto", "utf-8", "utf8"].iter().enumerate() {
        let out = dir.path().join(format!("artifact-{number}"));
        let output = index_builder(&[
            "build",
            "--roll",
            text(&roll),
            "--out",
            text(&out),
            "--encoding",
            encoding,
            "--memory-mb",
            "64",
        ]);
        assert!(output.status.success(), "{encoding}: {}", stderr(&output));
    }
    // A UTF-8 roll with accents read as Windows-1252 would be mojibake: refused.
    let out = dir.path().join("artifact-1252");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--out",
        text(&out),
        "--encoding",
        "windows-1252",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("windows-1252"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_makes_a_key_pair_that_signs_builds() {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("signing.pem");
    let public = dir.path().join("signing.pem.pub");
    let output = index_builder(&["keygen", "--out", text(&private)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains(text(&public)), "{said}");
    assert!(said.contains("-----BEGIN PUBLIC KEY-----"), "{said}");
    assert_eq!(
        said.lines().last().unwrap(),
        "-----END PUBLIC KEY-----",
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&public).unwrap(),
        said[said.find("-----BEGIN").unwrap()..]
    );
    #[cfg(unix)]
    assert_eq!(mode(&private), 0o600);
    let key_id = said
        .split("key id ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    // A key is never overwritten.
    let output = index_builder(&["keygen", "--out", text(&private)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );

    let (roll, _, _) = generate(dir.path(), "300", "0");
    let out = dir.path().join("artifact");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--out",
        text(&out),
        "--signing-key",
        text(&private),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!("signed by key {key_id}, version ")),
        "{}",
        stdout(&output)
    );
    let signature = std::fs::read_to_string(out.join("manifest.sig")).unwrap();
    assert!(
        signature.starts_with(&format!("ed25519 {key_id} ")),
        "{signature}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&out), 0o750);
        assert_eq!(mode(&out.join("manifest.sig")), 0o640);
        assert_eq!(mode(&out.join("voters.bin")), 0o640);
    }

    // The public key cannot sign: named, and nothing is built.
    let other = dir.path().join("other");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--out",
        text(&other),
        "--signing-key",
        text(&public),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {}: ", public.display())),
        "{message}"
    );
    assert!(!other.exists());
}

#[test]
fn a_published_build_writes_its_report_beside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, _, _) = generate(dir.path(), "600", "2");
    let root = dir.path().join("published");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--publish",
        text(&root),
        "--on-bad-row",
        "skip",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = dir.path().join("published.rejected.txt");
    assert_eq!(std::fs::read_to_string(&report).unwrap().lines().count(), 4);
    #[cfg(unix)]
    assert_eq!(mode(&report), 0o600);
    for entry in std::fs::read_dir(&root).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().contains("rejected"),
            "a report inside the root: {name:?}"
        );
    }
}

#[test]
fn a_killed_build_leaves_staging_that_the_next_publish_removes() {
    let dir = tempfile::tempdir().unwrap();
    let (roll, stations, _) = generate(dir.path(), "300", "0");
    let root = dir.path().join("root");
    // What a build killed halfway leaves: its staging directory.
    let stale = root.join(".incoming-999999");
    std::fs::create_dir_all(stale.join("index")).unwrap();
    std::fs::write(stale.join("voters.bin"), b"half written").unwrap();
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--stations",
        text(&stations),
        "--publish",
        text(&root),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stale.exists(), "the stale staging directory is gone");
    assert!(
        stderr(&output).contains(".incoming-999999"),
        "the removal is reported: {}",
        stderr(&output)
    );
    let hidden: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".incoming-"))
        .collect();
    assert!(hidden.is_empty(), "no staging left: {hidden:?}");
    assert!(root.join("current/manifest.json").is_file());
}

#[test]
fn a_shard_of_a_roll_of_several_departements_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (mut roll_text, mut stations_text) = (String::new(), String::new());
    for (commune, name) in [("59350", "Lille"), ("62041", "Arras")] {
        let (roll, stations) = (dir.path().join("part.csv"), dir.path().join("part-bv.csv"));
        let output = index_builder(&[
            "generate",
            "--voters",
            "800",
            "--commune",
            commune,
            "--commune-name",
            name,
            "--roll",
            text(&roll),
            "--stations",
            text(&stations),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        for (joined, part) in [(&mut roll_text, &roll), (&mut stations_text, &stations)] {
            let content = std::fs::read_to_string(part).unwrap();
            let skip = usize::from(!joined.is_empty());
            for line in content.lines().skip(skip) {
                joined.push_str(line);
                joined.push('\n');
            }
        }
    }
    let (roll, stations) = (dir.path().join("roll.csv"), dir.path().join("bv.csv"));
    std::fs::write(&roll, roll_text).unwrap();
    std::fs::write(&stations, stations_text).unwrap();

    let out = dir.path().join("shard-62");
    let output = index_builder(&[
        "build",
        "--roll",
        text(&roll),
        "--stations",
        text(&stations),
        "--departement",
        "62",
        "--out",
        text(&out),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("voters of département(s) 62 (")
            && summary.contains("rows of other communes left out"),
        "{summary}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["departements"], serde_json::json!(["62"]));

    for (flag, expected) in [
        (["--departement", "Nord"], "is not a département code"),
        (
            ["--departement", "75"],
            "no voter of département(s) 75 in this roll",
        ),
    ] {
        let output = index_builder(&[
            "build",
            "--roll",
            text(&roll),
            flag[0],
            flag[1],
            "--out",
            text(&dir.path().join("refused")),
        ]);
        assert!(!output.status.success());
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let output = index_builder(&[
        "generate",
        "--voters",
        "10",
        "--commune",
        "Lille",
        "--roll",
        text(&roll),
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("not an INSEE commune code"),
        "{}",
        stderr(&output)
    );
}
