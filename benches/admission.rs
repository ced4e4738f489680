//! The cost of a refusal, against the cost of a search (issue 9: "a
//! refusal must cost a small fraction of a search").
//!
//! `Admission::admit` is timed, inside a tokio runtime as the doors call
//! it, on its three refusal paths:
//! - `refuse_rate_limited`: a client over its rate limit (1 request per
//!   second, bursts of 2: all but a handful of the calls are refused);
//! - `shed_queue_full`: the concurrency limit held at 1 by a permit the
//!   bench keeps, and a queue of capacity 0;
//! - `shed_deadline_passed`: a request whose deadline has already passed.
//!
//! `exact_lookup` is one exact-name lookup on a small index (see
//! `common::small_exact_subject`: a cheap search, so the ratio is if
//! anything overstated). What a door then does to answer the refusal
//! (headers, JSON or status encoding) is not included.
//!
//! Run at full size: `cargo bench --bench admission`.
//! Quick check: `VOTER_BENCH_SMALL_VOTERS=5000 cargo bench --bench admission -- --quick`.
//!
//! Asserts that every timed call was refused for the reason its benchmark
//! names (the rate-limited client gets its one request per second through,
//! released at once), and that the lookups found their voters.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use voter_lookup::admission::limit::{LimitConfig, Shed};
use voter_lookup::admission::rate::{ClientId, RateConfig};
use voter_lookup::admission::{Admission, AdmissionConfig, Class, Refusal};

use common::{bench_exact_lookup, small_exact_subject};

const NO_RATE_LIMIT: RateConfig = RateConfig {
    per_client: None,
    total: None,
};

fn refusals(c: &mut Criterion) {
    let subject = small_exact_subject();
    eprintln!("admission bench: {}", subject.description);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let client = ClientId::Ip(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
    let mut group = c.benchmark_group("admission");

    // One request per second per client, for every class.
    let one_per_second = RateConfig {
        per_client: NonZeroU32::new(1),
        total: None,
    };
    let rate_limited = Admission::new(AdmissionConfig {
        rates: [one_per_second; 3],
        ..AdmissionConfig::default()
    });
    let (refused, admitted) = time_refusals(
        &mut group,
        &runtime,
        "refuse_rate_limited",
        &rate_limited,
        &client,
        None,
        |refusal| matches!(refusal, Refusal::Rate(_)),
    );
    // At most the burst of 2 and one per second of running time get through.
    assert!(
        admitted * 1_000 < refused,
        "{admitted} admitted against {refused} refused: the limit did not hold"
    );

    // The only permit held, nowhere to queue.
    let full = Admission::new(AdmissionConfig {
        limit: LimitConfig {
            min_limit: 1,
            max_limit: 1,
            initial_limit: 1,
            queue_capacity: 0,
            ..LimitConfig::default()
        },
        rates: [NO_RATE_LIMIT; 3],
        ..AdmissionConfig::default()
    });
    let held = runtime
        .block_on(full.admit(Class::Staff, &client, None))
        .expect("the first request takes the only permit");
    let (_, admitted) = time_refusals(
        &mut group,
        &runtime,
        "shed_queue_full",
        &full,
        &client,
        None,
        |refusal| matches!(refusal, Refusal::Shed(Shed::QueueFull)),
    );
    assert_eq!(admitted, 0, "a request got past a full limit and queue");
    full.release(held);

    let open = Admission::new(AdmissionConfig {
        rates: [NO_RATE_LIMIT; 3],
        ..AdmissionConfig::default()
    });
    let (_, admitted) = time_refusals(
        &mut group,
        &runtime,
        "shed_deadline_passed",
        &open,
        &client,
        Instant::now().checked_sub(Duration::from_millis(1)),
        |refusal| matches!(refusal, Refusal::Shed(Shed::Deadline)),
    );
    assert_eq!(admitted, 0, "a request past its deadline was admitted");

    bench_exact_lookup(&mut group, &subject);
    group.finish();
}

/// Times `admit` on `admission` for an anonymous request from `client`,
/// checking each refusal with `expected`; a request that gets through is
/// released at once and counted. Returns the refused and admitted counts.
fn time_refusals(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    runtime: &Runtime,
    name: &str,
    admission: &Admission,
    client: &ClientId,
    deadline: Option<Instant>,
    expected: impl Fn(&Refusal) -> bool,
) -> (u64, u64) {
    let (mut refused, mut admitted) = (0u64, 0u64);
    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..iterations {
                    match admission.admit(Class::Anonymous, client, deadline).await {
                        Err(refusal) => {
                            assert!(expected(&refusal), "{name}: refused as {refusal:?}");
                            refused += 1;
                        }
                        Ok(permit) => {
                            admission.release(permit);
                            admitted += 1;
                        }
                    }
                }
                started.elapsed()
            })
        })
    });
    assert!(refused > 0, "{name}: nothing was refused");
    (refused, admitted)
}

criterion_group!(benches, refusals);
criterion_main!(benches);
