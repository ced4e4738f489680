//! The search path on a large index, by query category (issues 5 and 7).
//!
//! One benchmark per category of `voter_core::queries` cycles through that
//! category's queries, calling `Searcher::lookup` as a door does (ten
//! results, full mode); `realistic_mix` cycles through the weighted mix of
//! `common::REALISTIC_MIX`, in full and in degraded mode. Each iteration is
//! one lookup, so criterion's time is the *mean* lookup of the cycle (and
//! its median over samples): per-query percentiles, p99 above all, come
//! from `benches/search_latency.rs`.
//!
//! Run at full size (1,000,000 voters generated and indexed in RAM first:
//! a minute or more, and a few GB), on a quiet machine:
//!
//! ```sh
//! cargo bench --bench search
//! # or on a built artifact and the roll it was built from:
//! VOTER_BENCH_INDEX=/srv/voter-lookup/v1 VOTER_BENCH_ROLL=roll.csv cargo bench --bench search
//! ```
//!
//! Quick check: `VOTER_BENCH_VOTERS=20000 cargo bench --bench search -- --quick`.
//! `VOTER_BENCH_QUERIES` sets the queries per category (default 250).
//!
//! Asserts, before timing, that each category's lookups really answer:
//! no lookup fails, and at least [`FLOOR_PERCENT`] of them find their voter
//! (or, for people not on the roll, make no confident false match); and,
//! after timing, that the timed lookups returned hits.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use voter_core::queries::{Category, LabelledQuery};
use voter_lookup::index::LoadedIndex;
use voter_lookup::search::{LookupQuery, SearchMode, Searcher};

use common::{answered_right, env_usize, large_subject, lookup_of, realistic_mix};

/// Lookups of the mix cycled through (weighted, shuffled).
const MIX_LEN: usize = 2_000;
/// Share of a category's lookups that must answer right for its timing to
/// mean anything. A sanity floor, far below the recall targets that
/// search-eval checks: the bench must time real answers, not errors or
/// empty results.
const FLOOR_PERCENT: usize = 75;

fn search(c: &mut Criterion) {
    let subject = large_subject(env_usize("VOTER_BENCH_QUERIES", 250));
    eprintln!("search bench: {}", subject.description);
    let index = &subject.index;

    let mut group = c.benchmark_group("search");
    group.throughput(Throughput::Elements(1));
    for category in Category::ALL {
        let queries: Vec<&LabelledQuery> = subject
            .queries
            .iter()
            .filter(|query| query.category == category)
            .collect();
        check_answers(index, category.as_str(), &queries, SearchMode::Full);
        cycle_lookups(
            &mut group,
            index,
            category.as_str(),
            &queries,
            SearchMode::Full,
        );
    }
    let mix = realistic_mix(&subject.queries, MIX_LEN);
    for (name, mode) in [
        ("realistic_mix", SearchMode::Full),
        ("realistic_mix_degraded", SearchMode::Degraded),
    ] {
        check_answers(index, name, &mix, mode);
        cycle_lookups(&mut group, index, name, &mix, mode);
    }
    group.finish();
}

/// Times lookups of `queries` in turn, one per iteration.
fn cycle_lookups(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    index: &LoadedIndex,
    name: &str,
    queries: &[&LabelledQuery],
    mode: SearchMode,
) {
    let lookups: Vec<LookupQuery> = queries.iter().map(|query| lookup_of(query)).collect();
    let mut next = 0;
    let mut hits = 0usize;
    group.bench_function(name, |b| {
        b.iter(|| {
            let lookup = &lookups[next % lookups.len()];
            next += 1;
            let response = Searcher
                .lookup(index, black_box(lookup), mode)
                .expect("the lookup was checked before timing");
            hits += response.hits.len();
            response
        })
    });
    assert!(hits > 0, "{name}: the timed lookups found nobody");
}

/// Runs every query once: checks that the timed work is real, and warms up.
fn check_answers(index: &LoadedIndex, name: &str, queries: &[&LabelledQuery], mode: SearchMode) {
    assert!(!queries.is_empty(), "{name}: no query to time");
    let mut right = 0;
    for query in queries {
        let response = Searcher
            .lookup(index, &lookup_of(query), mode)
            .unwrap_or_else(|error| panic!("{name}: {:?} failed: {error}", query.text));
        right += usize::from(answered_right(query, &response));
    }
    eprintln!(
        "{name}: {right} of {} lookups answered right ({:.1}%)",
        queries.len(),
        100.0 * right as f64 / queries.len() as f64
    );
    assert!(
        right * 100 >= queries.len() * FLOOR_PERCENT,
        "{name}: only {right} of {} lookups answered right",
        queries.len()
    );
}

criterion_group!(benches, search);
criterion_main!(benches);
