//! The cost of recording one request's metrics on the hot path, against the
//! cost of one lookup (issue 6: "recording a metric must not become the hot
//! path's cost: measure it").
//!
//! `record_request_metric` is what each door does once per request:
//! `metrics::requests().observe(door, method, outcome, started.elapsed())`,
//! a counter increment and a histogram sample, clock read included; for a
//! name search, as here, that includes the status history's minute
//! (`record_status_history` alone: the wall clock read, the minute's lock,
//! a count and a latency histogram increment).
//! `exact_lookup` is one exact-name lookup on a small index (see
//! `common::small_exact_subject`: the smaller the index, the cheaper the
//! lookup, so the ratio is if anything overstated). The histogram samples
//! pile up until `/metrics` is scraped; the bench scrapes (renders) after
//! each batch, untimed, as Prometheus would.
//!
//! Run at full size: `cargo bench --bench metrics`.
//! Quick check: `VOTER_BENCH_SMALL_VOTERS=5000 cargo bench --bench metrics -- --quick`.
//!
//! Asserts that the rendered `voter_lookup_requests_total` counter grew by
//! exactly the number of timed recordings, and that the lookups found their
//! voters.

mod common;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use voter_lookup::metrics::{self, Door, Method};

use common::{bench_exact_lookup, small_exact_subject};

fn hot_path(c: &mut Criterion) {
    let subject = small_exact_subject();
    eprintln!("metrics bench: {}", subject.description);
    let requests = metrics::requests();
    let counted_before = ok_searches();

    let mut group = c.benchmark_group("hot_path");
    let mut recorded = 0u64;
    group.bench_function("record_request_metric", |b| {
        b.iter_custom(|iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                requests.observe(
                    black_box(Door::Http),
                    black_box(Method::Search),
                    None,
                    started.elapsed(),
                );
            }
            let timed = started.elapsed();
            recorded += iterations;
            // The scrape drains the histogram's samples.
            black_box(metrics::render());
            timed
        })
    });
    assert_eq!(
        ok_searches() - counted_before,
        recorded,
        "the counter must count every recording"
    );
    group.bench_function("record_status_history", |b| {
        b.iter_custom(|iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                voter_lookup::status::history::record_lookup(black_box(None), started.elapsed());
            }
            started.elapsed()
        })
    });
    bench_exact_lookup(&mut group, &subject);
    group.finish();
}

/// `voter_lookup_requests_total{door="http",method="search",outcome="ok"}`
/// as `/metrics` renders it (0 while it does not show it yet).
fn ok_searches() -> u64 {
    let text = metrics::render();
    let Some(line) = text.lines().find(|line| {
        line.starts_with("voter_lookup_requests_total{")
            && ["door=\"http\"", "method=\"search\"", "outcome=\"ok\""]
                .iter()
                .all(|label| line.contains(label))
    }) else {
        return 0;
    };
    let value = line.rsplit(' ').next().unwrap_or_default();
    value
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("unreadable counter line {line:?}")) as u64
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
