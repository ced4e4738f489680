//! What the server says about itself: Prometheus metrics that parse and
//! move with the requests, request identifiers, gRPC health checking,
//! reflection, error details and deadlines.

mod common;

use common::{TEST_VOTERS, TestServer, publish_generated, raw_request};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
use tonic_types::StatusExt;
use voter_core::generator::GeneratorConfig;
use voter_lookup::index::IndexHandle;
use voter_lookup_proto::v1::SearchRequest;

/// The value of the sample of `name` whose labels include all of `labels`.
fn sample(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(buckets) => {
                buckets.iter().map(|b| b.count).fold(0.0, f64::max)
            }
            prometheus_parse::Value::Summary(_) => f64::NAN,
        })
        .sum()
}

async fn channel(server: &TestServer) -> tonic::transport::Channel {
    tonic::transport::Channel::from_shared(format!("http://{}", server.grpc))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

async fn scrape(server: &TestServer) -> prometheus_parse::Scrape {
    let (status, headers, body) = server.get("/metrics").await;
    assert_eq!(status, 200);
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str());
    assert!(
        content_type.is_some_and(|t| t.starts_with("text/plain")),
        "{content_type:?}"
    );
    let text = String::from_utf8(body).unwrap();
    prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_string())))
        .expect("valid exposition")
}

#[tokio::test]
async fn metrics_parse_and_count_requests_by_door_method_and_outcome() {
    let server = TestServer::start_generated(TEST_VOTERS, 21).await;
    let ok = [("door", "http"), ("method", "search"), ("outcome", "ok")];
    let bad = [
        ("door", "http"),
        ("method", "search"),
        ("outcome", "invalid_argument"),
    ];
    let grpc_ok = [("door", "grpc"), ("method", "search"), ("outcome", "ok")];
    let before = scrape(&server).await;
    for _ in 0..3 {
        let (status, _) = server.get_json("/v1/search?q=MARTIN").await;
        assert_eq!(status, 200);
    }
    let (status, _) = server.get_json("/v1/search?q=MARTIN&limit=0").await;
    assert_eq!(status, 400);
    let mut client = server.grpc_client().await;
    client
        .search(SearchRequest {
            q: "MARTIN".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let after = scrape(&server).await;
    let moved = |labels: &[(&str, &str)]| {
        sample(&after, "voter_lookup_requests_total", labels)
            - sample(&before, "voter_lookup_requests_total", labels)
    };
    // Other tests share the process's recorder: they can only add.
    assert!(moved(&ok) >= 3.0, "{}", moved(&ok));
    assert!(moved(&bad) >= 1.0);
    assert!(moved(&grpc_ok) >= 1.0);
    let histogram = after
        .samples
        .iter()
        .find(|s| {
            s.metric == "voter_lookup_request_duration_seconds"
                && s.labels.get("method") == Some("search")
        })
        .expect("the latency histogram");
    match &histogram.value {
        prometheus_parse::Value::Histogram(buckets) => {
            assert!(buckets.len() >= 10, "explicit buckets, not a summary");
            assert!(buckets.iter().any(|b| (b.less_than - 0.001).abs() < 1e-9));
        }
        other => panic!("latency must be a histogram, got {other:?}"),
    }
    assert_eq!(sample(&after, "voter_lookup_ready", &[]), 1.0);
    assert_eq!(
        sample(&after, "voter_lookup_index_voters", &[]),
        TEST_VOTERS as f64
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_artifact_s_build_time_and_age_are_reported() {
    let root = tempfile::tempdir().unwrap();
    let config = GeneratorConfig {
        seed: 23,
        voters: 400,
        ..GeneratorConfig::default()
    };
    publish_generated(root.path(), &config);
    let server = TestServer::start_artifact(&root.path().join("current")).await;
    let scrape = scrape(&server).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let built = sample(&scrape, "voter_lookup_index_build_timestamp_seconds", &[]);
    // Built a moment ago: within the last hour, not in the future.
    assert!(
        built > now - 3600.0 && built <= now + 1.0,
        "{built} vs {now}"
    );
    let age = sample(&scrape, "voter_lookup_index_age_seconds", &[]);
    assert!((0.0..3600.0).contains(&age), "{age}");
    server.shutdown().await;
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let server = TestServer::start_generated(TEST_VOTERS, 21).await;
    let (_, headers, _) = raw_request(
        server.http,
        "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: desk-42\r\nConnection: close\r\n\r\n",
    )
    .await;
    let id = |headers: &[(String, String)]| {
        headers
            .iter()
            .find(|(k, _)| k == "x-request-id")
            .map(|(_, v)| v.clone())
    };
    assert_eq!(id(&headers).as_deref(), Some("desk-42"));
    let (_, first, _) = server.get("/healthz").await;
    let (_, second, _) = server.get("/healthz").await;
    let (first, second) = (id(&first).unwrap(), id(&second).unwrap());
    assert_eq!(first.len(), 16);
    assert_ne!(first, second);
    server.shutdown().await;
}

#[tokio::test]
async fn an_oversized_request_head_is_refused_and_the_server_goes_on() {
    let server = TestServer::start_generated(TEST_VOTERS, 21).await;
    let huge = "A".repeat(40_000);
    let request =
        format!("GET /v1/search?q={huge} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let (status, _, _) = raw_request(server.http, &request).await;
    assert_eq!(status, 431, "request header fields too large");
    let (status, _) = server.get_json("/v1/search?q=MARTIN").await;
    assert_eq!(status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn grpc_health_serves_only_once_an_index_is_loaded() {
    for (loaded, expected) in [
        (false, ServingStatus::NotServing),
        (true, ServingStatus::Serving),
    ] {
        let server = if loaded {
            TestServer::start_generated(TEST_VOTERS, 21).await
        } else {
            TestServer::start(IndexHandle::default()).await
        };
        let mut health = HealthClient::new(channel(&server).await);
        for service in ["", "voterlookup.v1.VoterLookup"] {
            let status = health
                .check(HealthCheckRequest {
                    service: service.to_string(),
                })
                .await
                .unwrap()
                .into_inner()
                .status;
            assert_eq!(
                status, expected as i32,
                "service {service:?}, index loaded: {loaded}"
            );
        }
        server.shutdown().await;
    }
}

#[tokio::test]
async fn reflection_lists_the_services() {
    let server = TestServer::start_generated(TEST_VOTERS, 21).await;
    let mut client = ServerReflectionClient::new(channel(&server).await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("expected a list of services");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"voterlookup.v1.VoterLookup".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"grpc.health.v1.Health".to_string()),
        "{names:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn bad_arguments_carry_a_bad_request_detail_naming_the_field() {
    let server = TestServer::start_generated(TEST_VOTERS, 21).await;
    let mut client = server.grpc_client().await;
    let status = client
        .search(SearchRequest {
            q: "MARTIN".into(),
            birth_date: "31/31/1990".into(),
            limit: 0,
            view: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let details = status
        .get_details_bad_request()
        .expect("a BadRequest detail");
    assert_eq!(details.field_violations[0].field, "birth_date");
    server.shutdown().await;
}

/// The metric names README.md's table lists; `_x` after a full name
/// stands for the same `voter_lookup_<area>` with that ending.
fn readme_metrics() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## Metrics")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README.md has a Metrics section");
    let mut names = Vec::new();
    for row in section.lines().filter(|line| line.starts_with("| `")) {
        let first_cell = row.split('|').nth(1).unwrap_or_default();
        let mut base = String::new();
        for name in first_cell.split('`').skip(1).step_by(2) {
            if let Some(ending) = name.strip_prefix('_') {
                names.push(format!("{base}_{ending}"));
            } else {
                base = name.split('_').take(3).collect::<Vec<_>>().join("_");
                names.push(name.to_string());
            }
        }
    }
    assert!(names.len() > 20, "{names:?}");
    names
}

#[tokio::test]
async fn every_metric_readme_lists_is_emitted_and_the_exposition_parses() {
    use std::sync::Arc;
    use voter_lookup::index::reload::{IndexSource, ReloadPolicy, Reloader, Trigger};
    use voter_lookup::state::AppState;
    let root = tempfile::tempdir().unwrap();
    let config = GeneratorConfig {
        seed: 29,
        voters: 400,
        ..GeneratorConfig::default()
    };
    publish_generated(root.path(), &config);
    let state = AppState::new(IndexHandle::default())
        .with_reloader(Reloader::new(
            IndexSource::Root(root.path().to_path_buf()),
            ReloadPolicy::default(),
        ))
        .with_admission(voter_lookup::admission::Admission::new(Default::default()));
    let server = TestServer::start_state(Arc::new(state)).await;
    server.state.reload(Trigger::Start, true).await.unwrap();
    // One lookup that finds someone and one that finds nobody.
    let (status, _) = server.get_json("/v1/search?q=MARTIN").await;
    assert_eq!(status, 200);
    let (status, _) = server.get_json("/v1/search?q=XQZWYK+Vbnrt").await;
    assert_eq!(status, 200);

    let (_, _, body) = server.get("/metrics").await;
    let text = String::from_utf8(body).unwrap();
    let parsed = prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_string())))
        .expect("the exposition parses");
    for name in readme_metrics() {
        let emitted = parsed.samples.iter().any(|sample| {
            sample.metric == name
                || ["_bucket", "_sum", "_count"]
                    .iter()
                    .any(|suffix| sample.metric == format!("{name}{suffix}"))
        });
        assert!(
            emitted,
            "README lists `{name}`, which /metrics does not show"
        );
    }
    // The standard process metrics are real readings.
    assert!(sample(&parsed, "process_resident_memory_bytes", &[]) > 1e6);
    assert!(sample(&parsed, "process_open_fds", &[]) >= 3.0);
    let started = sample(&parsed, "process_start_time_seconds", &[]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(started <= now && started > now - 24.0 * 3600.0, "{started}");
    let schema = voter_core::schema::SCHEMA_VERSION.to_string();
    assert_eq!(
        sample(
            &parsed,
            "voter_lookup_build_info",
            &[("index_schema", &schema)]
        ),
        1.0
    );
    assert!(
        sample(
            &parsed,
            "voter_lookup_lookups_not_found_total",
            &[("door", "http"), ("view", "staff")]
        ) >= 1.0
    );
    // Swaps have buckets of their own, around a second.
    assert!(
        text.contains("voter_lookup_index_swap_duration_seconds_bucket{le=\"0.75\"}"),
        "swap buckets"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn with_an_admin_address_metrics_status_and_admin_calls_leave_the_public_door() {
    use std::sync::Arc;
    use voter_lookup::server::{Listeners, run};
    use voter_lookup::state::AppState;
    let index =
        tokio::task::spawn_blocking(|| voter_lookup::demo::build_demo_index(500, 3).unwrap())
            .await
            .unwrap();
    let state = Arc::new(AppState::new(IndexHandle::with_index(index)));
    let listeners = Listeners::bind(
        "127.0.0.1:0".parse().unwrap(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
    .with_admin(Some("127.0.0.1:0".parse().unwrap()))
    .await
    .unwrap();
    let (http, _) = listeners.local_addrs().unwrap();
    let admin = listeners.admin_addr().unwrap().expect("an admin address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(
        state,
        listeners,
        async move {
            let _ = stopped.await;
        },
        std::time::Duration::from_secs(5),
    ));
    let get = |addr: std::net::SocketAddr, path: &str| {
        let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        async move { raw_request(addr, &request).await.0 }
    };
    let post = |addr: std::net::SocketAddr, path: &str| {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        async move { raw_request(addr, &request).await.0 }
    };
    // The public door: lookups and probes, no metrics, no admin calls.
    assert_eq!(get(http, "/v1/search?q=MARTIN").await, 200);
    assert_eq!(get(http, "/metrics").await, 404);
    assert_eq!(get(http, "/v1/status").await, 404);
    assert_eq!(post(http, "/v1/admin/reload").await, 404);
    // The admin address: metrics, admin calls (refused here: no token)
    // and probes, no lookups.
    assert_eq!(get(admin, "/metrics").await, 200);
    assert_eq!(get(admin, "/v1/status?window=15m").await, 200);
    assert_eq!(post(admin, "/v1/admin/reload").await, 403);
    assert_eq!(get(admin, "/v1/search?q=MARTIN").await, 404);
    assert_eq!(get(admin, "/").await, 404);
    for addr in [http, admin] {
        assert_eq!(get(addr, "/healthz").await, 200);
        assert_eq!(get(addr, "/readyz").await, 200);
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
