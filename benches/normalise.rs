//! The name analysis that builder and server share (issue 7): folding
//! (`normalise::fold_into`), analysis into tokens and joined forms
//! (`normalise::analyse_name`) and the French phonetic key
//! (`phonetic::phonetic_key_into`), on the names of a generated roll (birth
//! names, usage names, given names), in names (or tokens) per second.
//!
//! Run at full size: `cargo bench --bench normalise` (the names of 20,000
//! voters; `VOTER_BENCH_NAMES` sets how many voters).
//! Quick check: `VOTER_BENCH_NAMES=2000 cargo bench --bench normalise -- --quick`.
//!
//! Asserts, in every timed iteration, that the work produced what an
//! untimed run of the same functions produced: the same total length of
//! folded text, the same number of terms, the same total length of keys.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use voter_core::generator::{Generator, GeneratorConfig};
use voter_core::normalise::{analyse_name, fold, fold_into};
use voter_core::phonetic::{phonetic_key, phonetic_key_into};

use common::{ROLL_SEED, env_usize};

fn normalise(c: &mut Criterion) {
    let voters = env_usize("VOTER_BENCH_NAMES", 20_000);
    let names: Vec<String> = Generator::new(GeneratorConfig {
        seed: ROLL_SEED,
        voters,
        ..GeneratorConfig::default()
    })
    .flat_map(|row| [Some(row.birth_name), row.usage_name, Some(row.first_names)])
    .flatten()
    .collect();
    let tokens: Vec<String> = names
        .iter()
        .flat_map(|name| fold(name).split(' ').map(String::from).collect::<Vec<_>>())
        .filter(|token| !token.is_empty())
        .collect();
    let folded_len: usize = names.iter().map(|name| fold(name).len()).sum();
    let terms: usize = names
        .iter()
        .map(|name| analyse_name(name).all_terms().count())
        .sum();
    let key_len: usize = tokens.iter().map(|token| phonetic_key(token).len()).sum();
    assert!(folded_len > 0 && terms > 0 && key_len > 0);
    eprintln!(
        "normalise bench: {} names, {} tokens, from {voters} voters",
        names.len(),
        tokens.len()
    );

    let mut group = c.benchmark_group("normalise");
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("fold_into", |b| {
        let mut out = String::new();
        b.iter(|| {
            let mut total = 0;
            for name in &names {
                fold_into(black_box(name), &mut out);
                total += out.len();
            }
            assert_eq!(total, folded_len);
        })
    });
    group.bench_function("analyse_name", |b| {
        b.iter(|| {
            let mut total = 0;
            for name in &names {
                total += analyse_name(black_box(name)).all_terms().count();
            }
            assert_eq!(total, terms);
        })
    });
    group.throughput(Throughput::Elements(tokens.len() as u64));
    group.bench_function("phonetic_key_into", |b| {
        let mut out = String::new();
        b.iter(|| {
            let mut total = 0;
            for token in &tokens {
                phonetic_key_into(black_box(token), &mut out);
                total += out.len();
            }
            assert_eq!(total, key_len);
        })
    });
    group.finish();
}

criterion_group!(benches, normalise);
criterion_main!(benches);
