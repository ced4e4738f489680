//! Signed artifacts (issue 20): a server given a verify key refuses a forged
//! artifact — a valid manifest re-hashed over a changed roll, unsigned or
//! signed by another key — while the live index keeps serving; canaries
//! are named by station and order number only.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::TestServer;
use voter_core::artifact::{
    InputFile, MANIFEST_CHECKSUM_FILE, MANIFEST_FILE, SIGNATURE_FILE, VOTERS_FILE,
    manifest_checksum,
};
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::pipeline::{ArtifactRequest, build_artifact};
use voter_core::publish;
use voter_core::signing::{ArtifactSigner, VerifyKey};
use voter_lookup::index::IndexHandle;
use voter_lookup::index::reload::{IndexSource, Outcome, ReloadPolicy, Reloader, Trigger};
use voter_lookup::server::AppState;

/// Builds a generated roll, signed by `signer` when given, and publishes it
/// in `root`; returns its version.
fn publish_roll(root: &Path, seed: u64, signer: Option<&ArtifactSigner>) -> String {
    let work = tempfile::tempdir().unwrap();
    let roll = work.path().join("roll.csv");
    let config = GeneratorConfig {
        seed,
        voters: 1_500,
        ..GeneratorConfig::default()
    };
    generate_files(&config, &roll, None).unwrap();
    std::fs::create_dir_all(root).unwrap();
    let incoming = publish::incoming_dir(root);
    let request = ArtifactRequest {
        memory_budget: 50_000_000,
        signing_key: signer.cloned(),
        ..ArtifactRequest::new(&roll, &incoming)
    };
    let outcome = build_artifact(&request, &|_| {}).unwrap();
    publish::publish(root, &incoming, &outcome.manifest.version, 20).unwrap();
    outcome.manifest.version
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Publishes, as `name`, a copy of version `from` whose roll a forger
/// changed: one voter record altered, its new hash put in the manifest, the
/// manifest given a new version and hashed again. `signature` says what
/// becomes of `manifest.sig`: kept as it was, removed, or made by `signer`.
fn publish_forgery(root: &Path, from: &str, name: &str, signature: Forgery<'_>) {
    let dir = root.join(name);
    copy_dir(&root.join(from), &dir);
    let mut voters = std::fs::read(dir.join(VOTERS_FILE)).unwrap();
    // The last byte of the last record: the order number of a membership.
    let last = voters.len() - 1;
    voters[last] ^= 0x01;
    std::fs::write(dir.join(VOTERS_FILE), &voters).unwrap();
    let new_hash = InputFile::hash("voters", &dir.join(VOTERS_FILE))
        .unwrap()
        .sha256;
    let manifest_path = dir.join(MANIFEST_FILE);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["version"] = serde_json::json!(name);
    for file in manifest["files"].as_array_mut().unwrap() {
        if file["path"] == VOTERS_FILE {
            file["sha256"] = serde_json::json!(new_hash);
        }
    }
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(&manifest_path, &bytes).unwrap();
    std::fs::write(dir.join(MANIFEST_CHECKSUM_FILE), manifest_checksum(&bytes)).unwrap();
    match signature {
        Forgery::OldSignature => {}
        Forgery::Unsigned => std::fs::remove_file(dir.join(SIGNATURE_FILE)).unwrap(),
        Forgery::SignedBy(signer) => {
            std::fs::write(dir.join(SIGNATURE_FILE), signer.sign(&bytes)).unwrap();
        }
    }
    publish::switch_current(root, name).unwrap();
}

enum Forgery<'a> {
    OldSignature,
    Unsigned,
    SignedBy(&'a ArtifactSigner),
}

async fn server_following(root: &Path, verify_key: Option<VerifyKey>) -> TestServer {
    let policy = ReloadPolicy {
        verify_key,
        ..ReloadPolicy::default()
    };
    let state = AppState::new(IndexHandle::default())
        .with_reloader(Reloader::new(IndexSource::Root(root.to_path_buf()), policy));
    TestServer::start_state(Arc::new(state)).await
}

fn live_version(server: &TestServer) -> String {
    server
        .state
        .service
        .index()
        .snapshot()
        .unwrap()
        .version()
        .to_string()
}

/// Asks the server to take up `current`; asserts it refused with a message
/// holding every one of `expected`, and that the `good` index still
/// answers on the door and in `/readyz`.
async fn assert_refused(server: &TestServer, good: &str, case: &str, expected: &[&str]) {
    let report = server.state.reload(Trigger::Watch, false).await.unwrap();
    let Outcome::Refused { live, reason } = &report.outcome else {
        panic!("{case}: not refused: {report:?}");
    };
    assert_eq!(live.as_deref(), Some(good), "{case}");
    for part in expected {
        assert!(
            reason.to_string().contains(part),
            "{case}: `{part}` not in: {reason}"
        );
    }
    assert_eq!(live_version(server), good, "{case}: the good index is live");
    let (status, search) = server.get_json("/v1/search?q=MARTIN").await;
    assert_eq!(
        (status, search["index_version"].as_str()),
        (200, Some(good)),
        "{case}: {search}"
    );
    let (status, ready) = server.get_json("/readyz").await;
    assert_eq!(status, 200, "{case}: {ready}");
    assert_eq!(ready["index_version"], good, "{case}");
    assert_eq!(
        ready["last_reload"]["outcome"], "refused",
        "{case}: {ready}"
    );
    assert_eq!(
        ready["last_reload"]["message"].as_str(),
        Some(reason.to_string().as_str()),
        "{case}"
    );
}

#[tokio::test]
async fn forged_artifacts_are_refused_while_the_live_index_keeps_serving() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let ours = ArtifactSigner::generate().unwrap();
    let theirs = ArtifactSigner::generate().unwrap();
    let good = publish_roll(root, 31, Some(&ours));
    let server = server_following(root, Some(ours.verify_key())).await;
    let report = server.state.reload(Trigger::Start, true).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Swapped { .. }),
        "{report:?}"
    );
    assert_eq!(live_version(&server), good);

    let signature_of = |name: &str| root.join(name).join(SIGNATURE_FILE).display().to_string();
    publish_forgery(root, &good, "forged-unsigned", Forgery::Unsigned);
    assert_refused(
        &server,
        &good,
        "re-hashed, signature removed",
        &[&signature_of("forged-unsigned"), "not signed"],
    )
    .await;
    publish_forgery(root, &good, "forged-old-signature", Forgery::OldSignature);
    assert_refused(
        &server,
        &good,
        "re-hashed, old signature kept",
        &[
            &signature_of("forged-old-signature"),
            "does not match the manifest",
        ],
    )
    .await;
    publish_forgery(root, &good, "forged-their-key", Forgery::SignedBy(&theirs));
    assert_refused(
        &server,
        &good,
        "re-hashed, signed by another key",
        &[
            &signature_of("forged-their-key"),
            "another key",
            &theirs.verify_key().key_id(),
        ],
    )
    .await;
    // Whole artifacts built from another roll, unsigned or by another key.
    let unsigned = publish_roll(root, 32, None);
    assert_refused(
        &server,
        &good,
        "built unsigned",
        &[&signature_of(&unsigned)],
    )
    .await;
    let by_them = publish_roll(root, 33, Some(&theirs));
    assert_refused(
        &server,
        &good,
        "built with another key",
        &[&signature_of(&by_them), "another key"],
    )
    .await;
    // `force` waives the voter-count check, never the signature.
    let report = server.state.reload(Trigger::Admin, true).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Refused { .. }),
        "{report:?}"
    );

    // A new roll signed with our key goes live.
    let next = publish_roll(root, 34, Some(&ours));
    let report = server.state.reload(Trigger::Watch, false).await.unwrap();
    assert!(
        matches!(&report.outcome, Outcome::Swapped { to, .. } if *to == next),
        "{report:?}"
    );
    assert_eq!(live_version(&server), next);

    // The metrics count the refusals as artifact refusals.
    let (_, _, metrics) = server.get("/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("voter_lookup_index_reload_refusals_total{reason=\"artifact\"}"),
        "{metrics}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_unsigned_first_index_is_refused_when_a_key_is_configured() {
    let root = tempfile::tempdir().unwrap();
    let unsigned = publish_roll(root.path(), 35, None);
    let key = ArtifactSigner::generate().unwrap().verify_key();
    let server = server_following(root.path(), Some(key)).await;
    let report = server.state.reload(Trigger::Start, true).await.unwrap();
    let Outcome::Refused { live: None, reason } = &report.outcome else {
        panic!("not refused: {report:?}");
    };
    let expected = root
        .path()
        .join(&unsigned)
        .join(SIGNATURE_FILE)
        .display()
        .to_string();
    assert!(reason.to_string().contains(&expected), "{reason}");
    let (status, ready) = server.get_json("/readyz").await;
    assert_eq!(status, 503, "{ready}");
    server.shutdown().await;
}

#[tokio::test]
async fn canaries_are_named_by_station_and_order_number_only() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let good = publish_roll(root, 36, None);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(&good).join(MANIFEST_FILE)).unwrap())
            .unwrap();
    let canaries = manifest["canaries"].as_array().unwrap();
    assert!(!canaries.is_empty());
    for canary in canaries {
        let mut keys: Vec<&str> = canary
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["commune_code", "order_number", "station_code"],
            "{canary}"
        );
    }

    // Without a verify key, every canary of a good artifact finds its
    // voter through a lookup made from the voter's record.
    let server = server_following(root, None).await;
    let report = server.state.reload(Trigger::Start, true).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Swapped { .. }),
        "{report:?}"
    );
    let index = server.state.service.index().snapshot().unwrap();
    let lookups = voter_lookup::index::canary::lookups(&index);
    assert_eq!(lookups.len(), canaries.len());
    assert!(lookups.iter().all(|lookup| !lookup.query.is_empty()));

    // A canary naming a voter the roll does not have fails, and the refusal
    // names the station and order number, nothing else.
    let dir = root.join("bad-canary");
    copy_dir(&root.join(&good), &dir);
    let manifest_path = dir.join(MANIFEST_FILE);
    let mut edited = manifest.clone();
    let station = canaries[0]["station_code"].as_str().unwrap().to_string();
    edited["version"] = serde_json::json!("bad-canary");
    edited["canaries"][0]["order_number"] = serde_json::json!(999_999);
    let bytes = serde_json::to_vec_pretty(&edited).unwrap();
    std::fs::write(&manifest_path, &bytes).unwrap();
    std::fs::write(dir.join(MANIFEST_CHECKSUM_FILE), manifest_checksum(&bytes)).unwrap();
    publish::switch_current(root, "bad-canary").unwrap();
    let report = server.state.reload(Trigger::Watch, false).await.unwrap();
    let Outcome::Refused { reason, .. } = &report.outcome else {
        panic!("not refused: {report:?}");
    };
    assert_eq!(
        reason.to_string(),
        format!(
            "the canary lookup of the voter at station {station}, order 999999, did not find them"
        )
    );
    let (_, ready) = server.get_json("/readyz").await;
    assert_eq!(
        ready["last_reload"]["message"].as_str(),
        Some(reason.to_string().as_str())
    );
    assert_eq!(live_version(&server), good);
    server.shutdown().await;
}
