//! Tests of what loading refuses: an altered or unsigned manifest, links out
//! of the artifact, special files, files larger than the manifest says, an
//! older format; and of the permissions an artifact is written with.

use super::*;
use crate::generator::{self, GeneratorConfig};
use crate::pipeline::{ArtifactRequest, build_artifact};

/// Builds a small artifact `name` in `dir` from one generated roll.
fn build(dir: &Path, name: &str, signer: Option<&ArtifactSigner>) -> PathBuf {
    let roll = dir.join("roll.csv");
    if !roll.exists() {
        let config = GeneratorConfig {
            seed: 5,
            voters: 300,
            ..GeneratorConfig::default()
        };
        generator::generate_files(&config, &roll, None).unwrap();
    }
    let out = dir.join(name);
    let request = ArtifactRequest {
        memory_budget: 50_000_000,
        signing_key: signer.cloned(),
        ..ArtifactRequest::new(&roll, &out)
    };
    build_artifact(&request, &|_| {}).unwrap();
    out
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

/// Edits the manifest; with `rehash`, writes its checksum again as a forger
/// would.
fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value), rehash: bool) {
    let path = dir.join(MANIFEST_FILE);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    fs::write(&path, &bytes).unwrap();
    if rehash {
        let line = format!("{}  {MANIFEST_FILE}\n", hex::encode(Sha256::digest(&bytes)));
        fs::write(dir.join(MANIFEST_CHECKSUM_FILE), line).unwrap();
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `name` is a valid NUL-terminated path that outlives the call.
    let result = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
    assert_eq!(result, 0, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn files_are_readable_by_owner_and_group_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(dir.path(), "artifact", None);
    assert_eq!(mode(&out), 0o750);
    assert_eq!(mode(&out.join(INDEX_DIR)), 0o750);
    let mut files = list_files(&out).unwrap();
    assert!(files.len() > 5, "{files:?}");
    files.retain(|file| !file.ends_with(".lock"));
    for file in files {
        assert_eq!(mode(&out.join(&file)), 0o640, "{file}");
    }
}

#[test]
fn the_manifest_is_covered_by_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = build(dir.path(), "pristine", None);
    let checksum = fs::read_to_string(pristine.join(MANIFEST_CHECKSUM_FILE)).unwrap();
    let manifest_bytes = fs::read(pristine.join(MANIFEST_FILE)).unwrap();
    assert_eq!(
        checksum,
        format!(
            "{}  {MANIFEST_FILE}\n",
            hex::encode(Sha256::digest(&manifest_bytes))
        )
    );
    load(&pristine).unwrap();

    // One voter fewer announced, the checksum left as it was.
    let altered = dir.path().join("altered");
    copy_dir(&pristine, &altered);
    edit_manifest(
        &altered,
        |manifest| manifest["rows"] = serde_json::json!(1),
        false,
    );
    let error = load(&altered).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::ManifestChecksum { path, .. } if path.ends_with(MANIFEST_CHECKSUM_FILE)),
        "{error}"
    );
    assert!(error.to_string().contains("does not match"), "{error}");

    let missing = dir.path().join("missing");
    copy_dir(&pristine, &missing);
    fs::remove_file(missing.join(MANIFEST_CHECKSUM_FILE)).unwrap();
    let error = load(&missing).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::ManifestChecksum { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("missing"), "{error}");
}

#[test]
fn a_verify_key_accepts_its_own_signature_only() {
    let dir = tempfile::tempdir().unwrap();
    let ours = ArtifactSigner::generate().unwrap();
    let theirs = ArtifactSigner::generate().unwrap();
    let signed = build(dir.path(), "signed", Some(&ours));
    let unsigned = build(dir.path(), "unsigned", None);
    let by_them = build(dir.path(), "by-them", Some(&theirs));
    let key = ours.verify_key();

    let loaded = load_verified(&signed, Some(&key)).unwrap();
    assert!(loaded.manifest.voters > 0);
    // Without a key, signed and unsigned artifacts load alike.
    load(&signed).unwrap();
    load(&unsigned).unwrap();

    let error = load_verified(&unsigned, Some(&key)).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::Unsigned { path, .. } if path == &unsigned.join(SIGNATURE_FILE)),
        "{error}"
    );
    assert!(error.to_string().contains(&key.key_id()), "{error}");

    let error = load_verified(&by_them, Some(&key)).unwrap_err();
    assert!(
        matches!(
            &error,
            ArtifactError::Signature {
                source: SignatureError::OtherKey { .. },
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("another key"), "{error}");

    // A forger changes a file, puts its new hash in the manifest and hashes
    // the manifest again: the signature no longer matches.
    let forged = dir.path().join("forged");
    copy_dir(&signed, &forged);
    let mut voters = fs::read(forged.join(VOTERS_FILE)).unwrap();
    let middle = voters.len() / 2;
    voters[middle] ^= 0x01;
    fs::write(forged.join(VOTERS_FILE), &voters).unwrap();
    let new_hash = hex::encode(Sha256::digest(&voters));
    edit_manifest(
        &forged,
        |manifest| {
            for file in manifest["files"].as_array_mut().unwrap() {
                if file["path"] == VOTERS_FILE {
                    file["sha256"] = serde_json::json!(new_hash);
                }
            }
        },
        true,
    );
    let error = load_verified(&forged, Some(&key)).unwrap_err();
    assert!(
        matches!(
            &error,
            ArtifactError::Signature {
                source: SignatureError::Mismatch,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains(SIGNATURE_FILE), "{error}");
}

#[test]
fn an_artifact_of_the_previous_format_is_refused_by_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let old = build(dir.path(), "old", None);
    // What format 1 wrote: no checksum file, canaries with names.
    fs::remove_file(old.join(MANIFEST_CHECKSUM_FILE)).unwrap();
    edit_manifest(
        &old,
        |manifest| {
            manifest["format_version"] = serde_json::json!(1);
            manifest["canaries"] = serde_json::json!([{
                "query": "MARTIN Jean", "station_code": "0001", "order_number": 1
            }]);
        },
        false,
    );
    let error = load(&old).unwrap_err();
    assert!(
        matches!(
            error,
            ArtifactError::FormatVersion {
                found: 1,
                expected: FORMAT_VERSION,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("rebuild"), "{error}");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_artifact_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let pristine = build(dir.path(), "pristine", None);
    let outside = dir.path().join("outside");
    copy_dir(&pristine, &outside);

    // A link to an identical file outside: same bytes, still refused.
    for name in [NAMES_FILE, MANIFEST_FILE, MANIFEST_CHECKSUM_FILE] {
        let linked = dir.path().join(format!("linked-{name}"));
        copy_dir(&pristine, &linked);
        fs::remove_file(linked.join(name)).unwrap();
        symlink(outside.join(name), linked.join(name)).unwrap();
        let error = load(&linked).unwrap_err();
        assert!(
            matches!(&error, ArtifactError::SymlinkEscape { path, .. } if path == &linked.join(name)),
            "{name}: {error}"
        );
        assert!(
            error.to_string().contains("outside the artifact"),
            "{error}"
        );
    }

    // The index directory itself as a link out.
    let linked_dir = dir.path().join("linked-index");
    copy_dir(&pristine, &linked_dir);
    fs::remove_dir_all(linked_dir.join(INDEX_DIR)).unwrap();
    symlink(outside.join(INDEX_DIR), linked_dir.join(INDEX_DIR)).unwrap();
    let error = load(&linked_dir).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::SymlinkEscape { .. }),
        "{error}"
    );

    // A link to a directory inside could loop: refused too.
    let looping = dir.path().join("looping");
    copy_dir(&pristine, &looping);
    symlink(
        looping.join(INDEX_DIR),
        looping.join(INDEX_DIR).join("again"),
    )
    .unwrap();
    let error = load(&looping).unwrap_err();
    assert!(
        matches!(
            &error,
            ArtifactError::SpecialFile {
                kind: "symbolic link to a directory",
                ..
            }
        ),
        "{error}"
    );

    // The artifact directory may itself be reached through a link (a
    // publishing root's `current`).
    let through_link = dir.path().join("current");
    symlink(&pristine, &through_link).unwrap();
    load(&through_link).unwrap();
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = build(dir.path(), "pristine", None);

    // A pipe where a listed file should be: reading it would wait forever.
    let piped = dir.path().join("piped");
    copy_dir(&pristine, &piped);
    fs::remove_file(piped.join(STATIONS_FILE)).unwrap();
    make_fifo(&piped.join(STATIONS_FILE));
    let error = load(&piped).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::SpecialFile { path, kind: "named pipe (FIFO)" } if path == &piped.join(STATIONS_FILE)),
        "{error}"
    );

    // An extra pipe is refused as a pipe, before the file list is compared.
    let extra = dir.path().join("extra");
    copy_dir(&pristine, &extra);
    make_fifo(&extra.join(INDEX_DIR).join("extra.idx"));
    let error = load(&extra).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::SpecialFile { .. }),
        "{error}"
    );

    // The manifest as a pipe: refused from the opened file's metadata,
    // without waiting for a writer.
    let manifest_pipe = dir.path().join("manifest-pipe");
    copy_dir(&pristine, &manifest_pipe);
    fs::remove_file(manifest_pipe.join(MANIFEST_FILE)).unwrap();
    make_fifo(&manifest_pipe.join(MANIFEST_FILE));
    let error = load(&manifest_pipe).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::SpecialFile { .. }),
        "{error}"
    );
}

#[test]
fn files_larger_than_the_manifest_says_are_refused_from_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = build(dir.path(), "pristine", None);
    let manifest = read_manifest(&pristine).unwrap();
    let listed = manifest
        .files
        .iter()
        .find(|file| file.path == NAMES_FILE)
        .unwrap()
        .bytes;

    let grown = dir.path().join("grown");
    copy_dir(&pristine, &grown);
    let names = fs::OpenOptions::new()
        .write(true)
        .open(grown.join(NAMES_FILE))
        .unwrap();
    names.set_len(listed + (1 << 20)).unwrap();
    let error = load(&grown).unwrap_err();
    assert!(
        matches!(
            &error,
            ArtifactError::SizeMismatch { expected, found, .. }
                if *expected == listed && *found == listed + (1 << 20)
        ),
        "{error}"
    );

    // A manifest past any sane size is not even parsed.
    let huge = dir.path().join("huge-manifest");
    copy_dir(&pristine, &huge);
    let manifest_file = fs::OpenOptions::new()
        .write(true)
        .open(huge.join(MANIFEST_FILE))
        .unwrap();
    manifest_file.set_len(MAX_MANIFEST_BYTES + 1).unwrap();
    let error = load(&huge).unwrap_err();
    assert!(
        matches!(&error, ArtifactError::TooLarge { found, .. } if *found == MAX_MANIFEST_BYTES + 1),
        "{error}"
    );

    // The reading itself stops at the limit whatever the metadata said.
    let path = grown.join(NAMES_FILE);
    let root = canonical_root(&grown).unwrap();
    let small = read_checked(&root, &path, 10, |found| ArtifactError::TooLarge {
        path: path.clone(),
        limit: 10,
        found,
    });
    assert!(
        matches!(small, Err(ArtifactError::TooLarge { found, .. }) if found == listed + (1 << 20))
    );
    assert!(matches!(
        read_checked(&root, &grown.join("absent"), 10, |_| unreachable!()),
        Ok(None)
    ));
}
