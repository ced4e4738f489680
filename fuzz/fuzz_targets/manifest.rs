//! An artifact's manifest (and its signature line) as a forger or a damaged
//! disk could leave them, read by the loader over a real artifact: the
//! file list, sizes, paths and checksums it states are followed as a
//! server would follow them. The manifest's checksum file is rewritten to
//! match each input, as a forger would, so that the loader reads on.
//! Input: the manifest, then optionally a NUL and the `manifest.sig` text
//! (then the manifest is verified against the build's key).
#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use voter_core::artifact::{
    MANIFEST_CHECKSUM_FILE, MANIFEST_FILE, SIGNATURE_FILE, load, load_verified,
};
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::pipeline::{ArtifactRequest, build_artifact};
use voter_core::signing::{ArtifactSigner, VerifyKey};

struct Fixture {
    artifact: PathBuf,
    key: VerifyKey,
    signed: Vec<u8>,
    _dir: tempfile::TempDir,
}

/// A small signed artifact, built once per fuzzing process.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let roll = dir.path().join("roll.csv");
        let config = GeneratorConfig {
            seed: 21,
            voters: 12,
            ..GeneratorConfig::default()
        };
        generate_files(&config, &roll, None).expect("the roll is written");
        let signer = ArtifactSigner::generate().expect("a key");
        let artifact = dir.path().join("artifact");
        let request = ArtifactRequest {
            memory_budget: 20_000_000,
            signing_key: Some(signer.clone()),
            ..ArtifactRequest::new(&roll, &artifact)
        };
        build_artifact(&request, &|_| {}).expect("the artifact builds");
        if let Ok(seeds) = std::env::var("FUZZ_WRITE_SEEDS") {
            write_seeds(&artifact, std::path::Path::new(&seeds));
        }
        let signed = fs::read(artifact.join(MANIFEST_FILE)).expect("the manifest");
        Fixture {
            signed,
            artifact,
            key: signer.verify_key(),
            _dir: dir,
        }
    })
}

/// How the seed corpus of this target and of `records` was made:
/// `FUZZ_WRITE_SEEDS=fuzz/seeds cargo fuzz run manifest -- -runs=0`.
fn write_seeds(artifact: &std::path::Path, seeds: &std::path::Path) {
    let read = |name: &str| fs::read(artifact.join(name)).expect("an artifact file");
    let manifest = read(MANIFEST_FILE);
    let mut signed = manifest.clone();
    signed.push(0);
    signed.extend(read(SIGNATURE_FILE));
    let names = [&[0u8][..], &read("names.bin")].concat();
    let voters = [&[1u8][..], &read("voters.bin")].concat();
    for (path, bytes) in [
        ("manifest/seed-manifest", manifest),
        ("manifest/seed-signed", signed),
        ("records/seed-names", names),
        ("records/seed-voters", voters),
    ] {
        fs::write(seeds.join(path), bytes).expect("a seed written");
    }
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let (manifest, signature) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let dir = &fixture.artifact;
    fs::write(dir.join(MANIFEST_FILE), manifest).expect("manifest written");
    let line = format!(
        "{}  {MANIFEST_FILE}\n",
        hex::encode(Sha256::digest(manifest))
    );
    fs::write(dir.join(MANIFEST_CHECKSUM_FILE), line).expect("checksum written");
    let loaded = match signature {
        Some(signature) => {
            fs::write(dir.join(SIGNATURE_FILE), signature).expect("signature written");
            load_verified(dir, Some(&fixture.key))
        }
        None => {
            let _ = fs::remove_file(dir.join(SIGNATURE_FILE));
            load(dir)
        }
    };
    match loaded {
        Ok(artifact) => {
            assert!(
                signature.is_none() || manifest == fixture.signed.as_slice(),
                "a forged manifest passed the signature check"
            );
            assert_eq!(artifact.names.len() as u64, artifact.manifest.voters);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
