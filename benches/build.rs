//! Index build throughput (issue 7): `pipeline::build_artifact`, the build
//! `index-builder build` runs, from a generated roll and stations file to a
//! complete artifact (read, analyse, index, merge, name and voter records,
//! checksums, manifest, rename), in rows per second. Each build writes a
//! fresh artifact in a temporary directory, removed untimed afterwards.
//!
//! Run at full size: `cargo bench --bench build` (50,000 voters;
//! `VOTER_BENCH_BUILD_VOTERS` sets how many). Ten builds at least, so a
//! full run takes a few minutes.
//! Quick check: `VOTER_BENCH_BUILD_VOTERS=5000 cargo bench --bench build -- --quick`.
//!
//! Asserts that every build indexed every row of the roll and wrote an
//! artifact holding voters.

mod common;

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::pipeline::{ArtifactRequest, build_artifact};

use common::{ROLL_SEED, env_usize};

fn build(c: &mut Criterion) {
    let voters = env_usize("VOTER_BENCH_BUILD_VOTERS", 50_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let roll = dir.path().join("roll.csv");
    let stations = dir.path().join("stations.csv");
    let config = GeneratorConfig {
        seed: ROLL_SEED,
        voters,
        ..GeneratorConfig::default()
    };
    let written = generate_files(&config, &roll, Some(&stations)).expect("the roll is written");
    eprintln!(
        "build bench: {} rows, {} stations",
        written.rows, written.stations
    );

    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(written.rows));
    let mut builds = 0u32;
    group.bench_function("build_artifact", |b| {
        b.iter_custom(|iterations| {
            let mut timed = Duration::ZERO;
            for _ in 0..iterations {
                builds += 1;
                let out = dir.path().join(format!("artifact-{builds}"));
                let mut request = ArtifactRequest::new(&roll, &out);
                request.stations = Some(stations.clone());
                let started = Instant::now();
                let outcome = build_artifact(&request, &|_| {}).expect("the roll builds");
                timed += started.elapsed();
                assert_eq!(outcome.stats.rows, written.rows);
                assert!(outcome.stats.voters > 0 && outcome.artifact_bytes > 0);
                std::fs::remove_dir_all(&out).expect("the artifact is removed");
            }
            timed
        })
    });
    group.finish();
}

criterion_group!(benches, build);
criterion_main!(benches);
