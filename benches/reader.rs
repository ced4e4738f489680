//! The REU roll reader (issue 7): `RollReader::open` and `read_roll` over a
//! generated export of 27 semicolon-separated columns, in rows and bytes per
//! second. The file is written once to a temporary directory; after the
//! first read it sits in the page cache, so this times decoding and
//! parsing, not the disk.
//!
//! Run at full size: `cargo bench --bench reader` (100,000 rows;
//! `VOTER_BENCH_READER_VOTERS` sets how many voters).
//! Quick check: `VOTER_BENCH_READER_VOTERS=10000 cargo bench --bench reader -- --quick`.
//!
//! Asserts, in every timed read, that every row the generator wrote was
//! read and none was rejected.

mod common;

use std::hint::black_box;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::reu::{BadRowPolicy, ReaderOptions, RollReader, read_roll};

use common::{ROLL_SEED, env_usize};

fn reader(c: &mut Criterion) {
    let voters = env_usize("VOTER_BENCH_READER_VOTERS", 100_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let roll = dir.path().join("roll.csv");
    let config = GeneratorConfig {
        seed: ROLL_SEED,
        voters,
        ..GeneratorConfig::default()
    };
    let written = generate_files(&config, &roll, None).expect("the roll is written");
    let bytes = std::fs::metadata(&roll).expect("the roll exists").len();
    eprintln!(
        "reader bench: {} rows, {:.1} MB",
        written.rows,
        bytes as f64 / 1e6
    );

    let mut group = c.benchmark_group("reader");
    group.sample_size(20);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::ElementsAndBytes {
        elements: written.rows,
        bytes,
    });
    group.bench_function("read_roll", |b| {
        b.iter(|| {
            let reader = RollReader::open(&roll, &ReaderOptions::default()).expect("opens");
            let mut rows = 0u64;
            let summary = read_roll(reader, BadRowPolicy::Fail, |_, row| {
                rows += 1;
                black_box(row);
            })
            .expect("every generated row reads");
            assert_eq!(rows, written.rows);
            assert_eq!(summary.rows, written.rows);
            assert!(summary.skipped.is_empty());
        })
    });
    group.finish();
}

criterion_group!(benches, reader);
criterion_main!(benches);
