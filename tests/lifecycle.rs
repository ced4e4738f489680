//! Shutdown under load (issue 6): on SIGTERM or Ctrl-C the server stops
//! accepting, reports not ready, and finishes every request already in
//! flight before it exits.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{TEST_VOTERS, TestServer, raw_request};
use voter_lookup::admission::limit::LimitConfig;
use voter_lookup::admission::rate::{ClientId, RateConfig};
use voter_lookup::admission::{Admission, AdmissionConfig, Class};
use voter_lookup::state::AppState;
use voter_lookup_proto::v1::SearchRequest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_every_request_in_flight() {
    // One concurrency slot, held by the test: the requests below are in
    // flight inside the server, waiting for it, when shutdown begins.
    let config = AdmissionConfig {
        limit: LimitConfig {
            min_limit: 1,
            max_limit: 1,
            initial_limit: 1,
            max_queue_wait: Duration::from_secs(5),
            queue_capacity: 64,
            ..LimitConfig::default()
        },
        rates: [RateConfig {
            per_client: None,
            total: None,
        }; 3],
        ..AdmissionConfig::default()
    };
    let index = voter_lookup::demo::build_demo_index(TEST_VOTERS, 9).unwrap();
    let state = Arc::new(
        AppState::new(voter_lookup::index::IndexHandle::with_index(index))
            .with_admission(Admission::new(config)),
    );
    let server = TestServer::start_state(state.clone()).await;
    let admission = state.admission().unwrap().clone();
    let held = admission
        .admit(Class::Staff, &ClientId::Overflow, None)
        .await
        .unwrap();

    let mut http = Vec::new();
    for _ in 0..8 {
        let addr = server.http;
        http.push(tokio::spawn(async move {
            raw_request(
                addr,
                "GET /v1/search?q=MARTIN HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            )
            .await
        }));
    }
    let client = server.grpc_client().await;
    let mut grpc = Vec::new();
    for _ in 0..8 {
        let mut client = client.clone();
        grpc.push(tokio::spawn(async move {
            client
                .search(SearchRequest {
                    q: "MARTIN".into(),
                    ..Default::default()
                })
                .await
        }));
    }
    // Wait until all sixteen are queued inside the server.
    for _ in 0..200 {
        if admission.snapshot().queued == 16 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(admission.snapshot().queued, 16);

    let shutdown = tokio::spawn(server.shutdown());
    // Draining: no longer ready, and new connections are refused.
    for _ in 0..200 {
        if !state.is_ready() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!state.is_ready(), "a draining server reports not ready");

    admission.release(held);
    for request in http {
        let (status, _, body) = request.await.unwrap();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let body: serde_json::Value = serde_json::from_slice(&body).expect("a complete answer");
        assert!(!body["results"].as_array().unwrap().is_empty());
    }
    for call in grpc {
        let reply = call
            .await
            .unwrap()
            .expect("an in-flight gRPC call completes");
        assert!(!reply.into_inner().results.is_empty());
    }
    shutdown.await.unwrap();
}
