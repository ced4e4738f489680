//! Client identity behind reverse proxies (issue 21): only a trusted peer's
//! forwarding headers name the client, on both doors.

mod common;

use std::num::NonZeroU32;
use std::sync::Arc;

use common::{TEST_VOTERS, TestServer, raw_request};
use voter_lookup::admission::rate::RateConfig;
use voter_lookup::admission::{Admission, AdmissionConfig, Class};
use voter_lookup::client_ip::TrustedProxies;
use voter_lookup::state::AppState;
use voter_lookup_proto::v1::SearchRequest;

/// Anonymous clients get 1 request a second each (bursts of 2): slow
/// enough that a bucket stays empty for the rest of a test.
async fn server(trusted: &[&str]) -> TestServer {
    let mut config = AdmissionConfig::default();
    config.rates[Class::Anonymous.rank()] = RateConfig {
        per_client: NonZeroU32::new(1),
        total: None,
    };
    config.trusted_proxies =
        TrustedProxies::new(trusted.iter().map(|b| b.parse().unwrap()).collect());
    let index = voter_lookup::demo::build_demo_index(TEST_VOTERS, 5).unwrap();
    let state = AppState::new(voter_lookup::index::IndexHandle::with_index(index))
        .with_admission(Admission::new(config));
    TestServer::start_state(Arc::new(state)).await
}

async fn search_as(server: &TestServer, forwarded_for: &str) -> u16 {
    let request = format!(
        "GET /v1/search?q=MARTIN HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: {forwarded_for}\r\nConnection: close\r\n\r\n"
    );
    raw_request(server.http, &request).await.0
}

/// Exhausts the bucket of the client `forwarded_for` claims to be.
async fn exhaust(server: &TestServer, forwarded_for: &str) {
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(search_as(server, forwarded_for).await);
    }
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "over its rate: {statuses:?}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_forwarded_clients_have_their_own_buckets() {
    let server = server(&["127.0.0.1/32", "::1"]).await;
    exhaust(&server, "203.0.113.5").await;
    assert_eq!(search_as(&server, "203.0.113.5").await, 429);
    assert_eq!(
        search_as(&server, "198.51.100.7").await,
        200,
        "another client behind the same proxy is not affected"
    );
    // A client cannot escape its bucket by prepending a forged address.
    assert_eq!(search_as(&server, "192.0.2.99, 203.0.113.5").await, 429);

    // The gRPC door reads the same metadata through the same resolver.
    let mut client = server.grpc_client().await;
    let search = |who: &'static str| {
        let mut request = tonic::Request::new(SearchRequest {
            q: "MARTIN".into(),
            ..Default::default()
        });
        request
            .metadata_mut()
            .insert("x-forwarded-for", who.parse().unwrap());
        request
    };
    let refused = client.search(search("203.0.113.5")).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    client
        .search(search("198.51.100.8"))
        .await
        .expect("a fresh client over gRPC is served");
    server.shutdown().await;
}

#[tokio::test]
async fn without_trust_the_headers_are_ignored_and_the_peer_counts() {
    let server = server(&[]).await;
    exhaust(&server, "203.0.113.5").await;
    assert_eq!(
        search_as(&server, "198.51.100.7").await,
        429,
        "both share the peer's bucket"
    );
    server.shutdown().await;
}
