//! Admission control on both doors (issue 9): each refusal path answers
//! with its documented status and headers, brownout turns on and off, and
//! admission sees every lookup before anything queues it.

mod common;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use common::{TEST_VOTERS, TestServer, raw_request};
use voter_lookup::admission::limit::LimitConfig;
use voter_lookup::admission::rate::{ClientId, RateConfig};
use voter_lookup::admission::{Admission, AdmissionConfig, Class};
use voter_lookup::state::AppState;
use voter_lookup_proto::v1::SearchRequest;

const KIOSK_KEY: &str = "kiosk-hall-0001";

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn server_with(config: AdmissionConfig) -> TestServer {
    let index = voter_lookup::demo::build_demo_index(TEST_VOTERS, 5).unwrap();
    let state = AppState::new(voter_lookup::index::IndexHandle::with_index(index))
        .with_admission(Admission::new(config));
    TestServer::start_state(Arc::new(state)).await
}

/// One concurrency slot, held by the test to make lookups wait.
fn single_slot(
    max_queue_wait: Duration,
    queue_capacity: usize,
    brownout: Duration,
) -> AdmissionConfig {
    AdmissionConfig {
        limit: LimitConfig {
            min_limit: 1,
            max_limit: 1,
            initial_limit: 1,
            max_queue_wait,
            queue_capacity,
            brownout_delay: brownout,
            shares: [0.6, 0.3, 0.1],
            staff_reserve: 0.0,
        },
        rates: [RateConfig {
            per_client: None,
            total: None,
        }; 3],
        ..AdmissionConfig::default()
    }
}

fn search_request(key: Option<&str>, extra: &str) -> String {
    let key = key
        .map(|k| format!("X-Api-Key: {k}\r\n"))
        .unwrap_or_default();
    // A surname, a given name and a full date: a lookup every role may
    // make (a kiosk's must carry all three).
    format!(
        "GET /v1/search?q=MARTIN+Marie&birth_date=1960-01-01 HTTP/1.1\r\nHost: t\r\n{key}{extra}Connection: close\r\n\r\n"
    )
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_and_resource_exhausted_with_retry_times() {
    let mut config = AdmissionConfig::default();
    config.api_keys.insert(KIOSK_KEY.into(), Class::Kiosk);
    config.rates[Class::Kiosk.rank()] = RateConfig {
        per_client: NonZeroU32::new(2),
        total: None,
    };
    let server = server_with(config).await;
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..8 {
        let (status, headers, body) =
            raw_request(server.http, &search_request(Some(KIOSK_KEY), "")).await;
        statuses.push(status);
        if status == 429 {
            refused = Some((headers, body));
        }
    }
    assert_eq!(
        &statuses[..4],
        [200; 4],
        "a burst of twice the rate passes: {statuses:?}"
    );
    let (headers, body) = refused.expect("the client is refused once over its rate");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(header(&headers, "retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert_eq!(header(&headers, "ratelimit-limit"), Some("2"));
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("0"));
    // Another client is not affected.
    let (status, _, _) = raw_request(server.http, &search_request(None, "")).await;
    assert_eq!(status, 200);

    let mut client = server.grpc_client().await;
    let mut last = None;
    for _ in 0..6 {
        let mut request = tonic::Request::new(SearchRequest {
            q: "MARTIN Marie".into(),
            birth_date: "1960-01-01".into(),
            ..Default::default()
        });
        request
            .metadata_mut()
            .insert("x-api-key", KIOSK_KEY.parse().unwrap());
        if let Err(status) = client.search(request).await {
            last = Some(status);
        }
    }
    let status =
        last.expect("the gRPC client is refused too: the limit is per key, whatever the door");
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    let pushback: u64 = status
        .metadata()
        .get("grpc-retry-pushback-ms")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1_000).contains(&pushback), "{pushback}");
    server.shutdown().await;
}

#[tokio::test]
async fn lookups_that_cannot_run_soon_are_shed_with_503_and_unavailable() {
    let server = server_with(single_slot(
        Duration::from_millis(30),
        4,
        Duration::from_secs(60),
    ))
    .await;
    let admission = server.state.admission().unwrap().clone();
    let held = admission
        .admit(Class::Staff, &ClientId::Overflow, None)
        .await
        .unwrap();

    // Twenty lookups at once on the HTTP door: four wait their turn (and
    // are shed when it does not come), sixteen find the queue full.
    let mut waiting = Vec::new();
    for _ in 0..20 {
        let http = server.http;
        waiting.push(tokio::spawn(async move {
            raw_request(http, &search_request(None, "")).await
        }));
    }
    let mut reasons = std::collections::BTreeMap::new();
    for request in waiting {
        let (status, headers, body) = request.await.unwrap();
        assert_eq!(status, 503);
        assert_eq!(header(&headers, "retry-after"), Some("1"));
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "overloaded");
        let message = body["error"]["message"].as_str().unwrap().to_string();
        let reason = if message.contains("queue_full") {
            "queue_full"
        } else {
            "queue_timeout"
        };
        *reasons.entry(reason).or_insert(0) += 1;
    }
    assert_eq!(reasons.get("queue_full"), Some(&16), "{reasons:?}");
    assert_eq!(reasons.get("queue_timeout"), Some(&4), "{reasons:?}");
    // Health and metrics bypass admission: an overloaded server still
    // says how it is.
    let (status, _) = server.get_json("/readyz").await;
    assert_eq!(status, 200);

    // Ten gRPC calls on one HTTP/2 connection meet admission too, before
    // tonic queues anything.
    let client = server.grpc_client().await;
    let mut calls = Vec::new();
    for _ in 0..10 {
        let mut client = client.clone();
        calls.push(tokio::spawn(async move {
            client
                .search(SearchRequest {
                    q: "MARTIN".into(),
                    ..Default::default()
                })
                .await
        }));
    }
    for call in calls {
        let status = call.await.unwrap().unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
        assert!(status.metadata().get("grpc-retry-pushback-ms").is_some());
    }

    admission.release(held);
    let (status, _, _) = raw_request(server.http, &search_request(None, "")).await;
    assert_eq!(status, 200, "served again once the slot is free");
    server.shutdown().await;
}

/// The search slot is taken on the route the door read from the table,
/// not on the raw path: another spelling of a lookup waits for a slot like
/// the lookup itself, and health checks, however spelled, never do.
#[tokio::test]
async fn spellings_of_a_lookup_wait_for_a_search_slot_like_it() {
    let server = server_with(single_slot(
        Duration::from_millis(20),
        0,
        Duration::from_secs(60),
    ))
    .await;
    let admission = server.state.admission().unwrap().clone();
    let held = admission
        .admit(Class::Staff, &ClientId::Overflow, None)
        .await
        .unwrap();
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let lookups = [
        "//v1/search/?q=MARTIN",
        "/v1/%73earch?q=MARTIN",
        "/v1/stations/",
        "//v1//stations",
    ];
    for path in lookups {
        let (status, _, body) = raw_request(server.http, &get(path)).await;
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if path == "//v1//stations" {
            // An empty inner segment is no route: refused, never served.
            assert_eq!(status, 404, "{path}: {body}");
        } else {
            assert_eq!(status, 503, "{path} ran without a slot: {}", body["error"]);
            assert_eq!(body["error"]["code"], "overloaded", "{path}");
        }
    }
    for path in ["//healthz/", "/readyz/"] {
        let (status, _, _) = raw_request(server.http, &get(path)).await;
        assert_eq!(status, 200, "{path} waited for a search slot");
    }

    admission.release(held);
    let (status, _, _) = raw_request(server.http, &get("//v1/search/?q=MARTIN")).await;
    assert_eq!(status, 200, "served once the slot is free");
    server.shutdown().await;
}

#[tokio::test]
async fn a_lookup_whose_deadline_will_pass_while_waiting_gets_504() {
    let server = server_with(single_slot(
        Duration::from_millis(500),
        8,
        Duration::from_secs(60),
    ))
    .await;
    let admission = server.state.admission().unwrap().clone();
    let held = admission
        .admit(Class::Staff, &ClientId::Overflow, None)
        .await
        .unwrap();
    let (status, _, body) = raw_request(
        server.http,
        &search_request(None, "X-Request-Timeout: 20\r\n"),
    )
    .await;
    assert_eq!(status, 504);
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "deadline_exceeded");
    admission.release(held);
    server.shutdown().await;
}

#[tokio::test]
async fn brownout_turns_on_under_queueing_and_off_when_it_stops() {
    let server = server_with(single_slot(Duration::from_millis(500), 8, Duration::ZERO)).await;
    let admission = server.state.admission().unwrap().clone();
    let (status, body) = server.get_json("/v1/search?q=MARTIN").await;
    assert_eq!((status, body["degraded"].as_bool()), (200, Some(false)));

    let held = admission
        .admit(Class::Staff, &ClientId::Overflow, None)
        .await
        .unwrap();
    let queued = {
        let http = server.http;
        tokio::spawn(async move { raw_request(http, &search_request(None, "")).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    admission.release(held);
    let (status, _, body) = queued.await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        body["degraded"], true,
        "a lookup that had to wait runs degraded: {body}"
    );
    assert!(admission.snapshot().degraded);

    // Once the queue has stayed empty a while, lookups run in full again.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (_, body) = server.get_json("/v1/search?q=MARTIN").await;
    assert_eq!(body["degraded"], false, "{body}");
    let mut client = server.grpc_client().await;
    let reply = client
        .search(SearchRequest {
            q: "MARTIN".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!reply.degraded);
    server.shutdown().await;
}

/// Searches run on their own threads: while every search thread is busy,
/// the doors still read requests, admission still sheds the ones it cannot
/// serve in time, and health still answers — on a test runtime of a single
/// thread, which a search run inline would have frozen.
#[tokio::test]
async fn busy_search_threads_do_not_stop_the_doors_or_admission() {
    let index = voter_lookup::demo::build_demo_index(TEST_VOTERS, 5).unwrap();
    let pool = voter_lookup::search_pool::SearchPool::new(1).unwrap();
    let state = AppState::with_pool(voter_lookup::index::IndexHandle::with_index(index), pool)
        .with_admission(Admission::new(single_slot(
            Duration::from_millis(30),
            8,
            Duration::from_secs(60),
        )));
    let server = TestServer::start_state(Arc::new(state)).await;

    // Occupy the only search thread until the test lets it go.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let pool = server.state.service.pool().clone();
    let blocker = tokio::spawn(async move {
        pool.run(move || {
            let _ = released.recv();
            Ok(())
        })
        .await
    });
    tokio::time::sleep(Duration::from_millis(20)).await;

    // The first lookup is admitted (one slot) and waits for the thread.
    let http = server.http;
    let first = tokio::spawn(async move { raw_request(http, &search_request(None, "")).await });
    tokio::time::sleep(Duration::from_millis(20)).await;

    // The next ones queue in admission and are shed in about 30 ms,
    // although no search can run: nothing waits unseen behind the search.
    // (A frozen door would never answer before the release below: the
    // bound turns that hang into a failure.)
    let answered_while_busy = tokio::time::timeout(Duration::from_secs(20), async {
        for _ in 0..3 {
            let (status, headers, _) = raw_request(http, &search_request(None, "")).await;
            assert_eq!(status, 503);
            assert!(header(&headers, "retry-after").is_some());
        }
        let (status, _) = server.get_json("/healthz").await;
        assert_eq!(
            status, 200,
            "health answers while the search thread is busy"
        );
    })
    .await;
    assert!(
        answered_while_busy.is_ok(),
        "the doors stopped answering while the search thread was busy"
    );
    assert!(
        !first.is_finished(),
        "the admitted lookup waits for the thread"
    );

    release.send(()).unwrap();
    blocker.await.unwrap().unwrap();
    let (status, _, body) = first.await.unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    server.shutdown().await;
}
