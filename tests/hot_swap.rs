//! Hot swap (issue 8): new versions go live under load without failing a
//! request or mixing two indexes in one answer, and a bad version never
//! replaces a good one.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestServer, encode, publish_generated, raw_request};
use voter_core::generator::GeneratorConfig;
use voter_core::pipeline::{ArtifactRequest, build_artifact};
use voter_core::publish;
use voter_lookup::index::IndexHandle;
use voter_lookup::index::reload::{IndexSource, Outcome, ReloadPolicy, Reloader, Trigger};
use voter_lookup::state::AppState;
use voter_lookup_proto::v1::SearchRequest;

/// The voters of a roll as (birth name, station, order).
type People = HashSet<(String, String, u32)>;

/// A response's index version and its voters (birth name, station, order).
type Answer = (String, Vec<(String, String, u32)>);

const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// Builds a roll of `voters` voters from `seed` and publishes it in `root`;
/// returns its version and the (birth name, station, order) of its voters.
fn publish_roll(root: &Path, seed: u64, voters: usize) -> (String, People) {
    let config = GeneratorConfig {
        seed,
        voters,
        ..GeneratorConfig::default()
    };
    let version = publish_generated(root, &config);
    let mut people = HashSet::new();
    for row in voter_core::generator::Generator::new(config) {
        if let (Some(station), Some(order)) =
            (row.membership.station_code, row.membership.order_number)
        {
            people.insert((row.birth_name, station, order));
        }
    }
    (version, people)
}

async fn server_following(root: &Path) -> TestServer {
    let state = AppState::new(IndexHandle::default())
        .with_reloader(Reloader::new(
            IndexSource::Root(root.to_path_buf()),
            ReloadPolicy::default(),
        ))
        .with_admin_token(Some(ADMIN_TOKEN.to_string()));
    let server = TestServer::start_state(Arc::new(state)).await;
    let report = server.state.reload(Trigger::Start, true).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Swapped { .. }),
        "{report:?}"
    );
    server
}

async fn admin(server: &TestServer, action: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /v1/admin/{action} HTTP/1.1\r\nHost: t\r\n{authorization}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = raw_request(server.http, &request).await;
    (status, serde_json::from_slice(&body).unwrap())
}

fn live_version(server: &TestServer) -> String {
    server
        .state
        .service
        .index()
        .snapshot()
        .unwrap()
        .version()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaps_under_load_fail_no_request_and_never_mix_versions() {
    let root = tempfile::tempdir().unwrap();
    let (v1, people1) = publish_roll(root.path(), 101, 2_000);
    let (v2, people2) = publish_roll(root.path(), 202, 2_000);
    publish::switch_current(root.path(), &v1).unwrap();
    let server = Arc::new(server_following(root.path()).await);
    assert_eq!(live_version(&server), v1);

    let stop_at = Instant::now() + Duration::from_secs(4);
    let queries = [
        "MARTIN",
        "BERNARD Marie",
        "DUBOIS",
        "PETIT Jean",
        "LEROY",
        "MOREAU",
        "GARCIA",
    ];
    let mut clients = Vec::new();
    for worker in 0..3 {
        let server = server.clone();
        clients.push(tokio::spawn(async move {
            let mut answers: Vec<Answer> = Vec::new();
            let mut grpc = server.grpc_client().await;
            let mut turn = worker;
            while Instant::now() < stop_at {
                turn += 1;
                let query = queries[turn % queries.len()];
                if turn % 2 == 0 {
                    let (status, body) = server
                        .get_json(&format!("/v1/search?q={}&limit=20", encode(query)))
                        .await;
                    assert_eq!(status, 200, "{body}");
                    let results = body["results"].as_array().unwrap();
                    let found = results
                        .iter()
                        .map(|r| {
                            (
                                r["voter"]["birth_name"].as_str().unwrap().to_string(),
                                r["station"]["code"].as_str().unwrap_or("").to_string(),
                                r["order_number"].as_u64().unwrap_or(0) as u32,
                            )
                        })
                        .collect();
                    answers.push((body["index_version"].as_str().unwrap().to_string(), found));
                } else {
                    let reply = grpc
                        .search(SearchRequest {
                            q: query.into(),
                            birth_date: String::new(),
                            limit: 20,
                            view: String::new(),
                            ..Default::default()
                        })
                        .await
                        .expect("no gRPC call fails during a swap")
                        .into_inner();
                    let found = reply
                        .results
                        .iter()
                        .map(|r| {
                            (
                                r.voter.as_ref().unwrap().birth_name.clone(),
                                r.station
                                    .as_ref()
                                    .map(|s| s.code.clone())
                                    .unwrap_or_default(),
                                r.order_number.unwrap_or(0),
                            )
                        })
                        .collect();
                    answers.push((reply.index_version, found));
                }
            }
            answers
        }));
    }
    // Swap back and forth while the clients run.
    let mut swaps = 0;
    while Instant::now() < stop_at - Duration::from_millis(300) {
        let target = if swaps % 2 == 0 { &v2 } else { &v1 };
        publish::switch_current(root.path(), target).unwrap();
        let report = server.state.reload(Trigger::Watch, false).await.unwrap();
        assert!(
            matches!(report.outcome, Outcome::Swapped { .. }),
            "{report:?}"
        );
        swaps += 1;
    }
    assert!(swaps >= 3, "only {swaps} swaps");
    let mut answered = 0;
    for client in clients {
        for (version, results) in client.await.expect("no client saw a failure") {
            answered += 1;
            let people = if version == v1 {
                &people1
            } else if version == v2 {
                &people2
            } else {
                panic!("unknown index version {version}");
            };
            for person in &results {
                assert!(
                    people.contains(person),
                    "{person:?} is not in {version}: a response mixed versions"
                );
            }
        }
    }
    assert!(answered > 50, "only {answered} answers");
    match Arc::try_unwrap(server) {
        Ok(server) => server.shutdown().await,
        Err(_) => panic!("the server is still shared"),
    }
}

/// Corrupts a published version in place.
fn damage(root: &Path, version: &str, how: &str) {
    let dir = root.join(version);
    let index_file = std::fs::read_dir(dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    match how {
        "truncate" => {
            let bytes = std::fs::read(&index_file).unwrap();
            std::fs::write(&index_file, &bytes[..bytes.len() / 2]).unwrap();
        }
        "tamper" => {
            let mut bytes = std::fs::read(dir.join("voters.bin")).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x20;
            std::fs::write(dir.join("voters.bin"), bytes).unwrap();
        }
        "schema" => {
            let manifest = dir.join("manifest.json");
            let mut json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
            json["schema_version"] = serde_json::json!(voter_core::schema::SCHEMA_VERSION + 1);
            let bytes = serde_json::to_vec(&json).unwrap();
            std::fs::write(&manifest, &bytes).unwrap();
            let checksum = voter_core::artifact::manifest_checksum(&bytes);
            std::fs::write(dir.join("manifest.sha256"), checksum).unwrap();
        }
        other => unreachable!("{other}"),
    }
}

#[tokio::test]
async fn bad_versions_are_refused_and_the_live_index_keeps_serving() {
    let root = tempfile::tempdir().unwrap();
    let (good, _) = publish_roll(root.path(), 7, 2_000);
    let server = server_following(root.path()).await;
    assert_eq!(live_version(&server), good);

    for (seed, how) in [(8, "truncate"), (9, "tamper"), (10, "schema")] {
        let (bad, _) = publish_roll(root.path(), seed, 2_000);
        damage(root.path(), &bad, how);
        let (status, body) = admin(&server, "reload", Some(ADMIN_TOKEN)).await;
        assert_eq!(status, 409, "{how}: {body}");
        assert_eq!(body["error"]["code"], "reload_refused", "{how}");
        assert_eq!(
            live_version(&server),
            good,
            "{how}: the good index keeps serving"
        );
        let (status, search) = server.get_json("/v1/search?q=MARTIN").await;
        assert_eq!(
            (status, search["index_version"].as_str()),
            (200, Some(good.as_str())),
            "{how}"
        );
        let (status, ready) = server.get_json("/readyz").await;
        assert_eq!(status, 200);
        assert_eq!(ready["last_reload"]["outcome"], "refused", "{how}: {ready}");
        publish::switch_current(root.path(), &good).unwrap();
    }

    // A roll 90% smaller than the live one is refused, unless forced.
    let (small, _) = publish_roll(root.path(), 11, 200);
    let (status, body) = admin(&server, "reload", Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("voters"),
        "{body}"
    );
    assert_eq!(live_version(&server), good);
    let (status, body) = admin(&server, "reload?force=true", Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["index_version"], small.as_str());
    assert_eq!(body["previous_version"], good.as_str());

    // Rollback goes back to the good one.
    let (status, body) = admin(&server, "rollback?force=true", Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(live_version(&server), good);

    // The metrics count the refusals.
    let (_, _, metrics) = server.get("/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("voter_lookup_index_reload_refusals_total{reason=\"artifact\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("voter_lookup_index_reload_refusals_total{reason=\"voter_count\"}"));
    server.shutdown().await;
}

#[test]
fn an_empty_roll_never_becomes_an_index() {
    let work = tempfile::tempdir().unwrap();
    let roll = work.path().join("roll.csv");
    std::fs::write(&roll, voter_core::generator::ROLL_HEADERS.join(";") + "\n").unwrap();
    let out: PathBuf = work.path().join("artifact");
    let error = build_artifact(&ArtifactRequest::new(&roll, &out), &|_| {}).unwrap_err();
    assert!(error.to_string().contains("no voter"), "{error}");
    assert!(!out.exists());
}

#[tokio::test]
async fn admin_calls_need_the_token_on_both_doors() {
    let root = tempfile::tempdir().unwrap();
    publish_roll(root.path(), 12, 1_000);
    let server = server_following(root.path()).await;
    let (status, body) = admin(&server, "reload", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );
    let (status, _) = admin(&server, "reload", Some("wrong-token-wrong-token")).await;
    assert_eq!(status, 401);
    let (status, body) = admin(&server, "reload", Some(ADMIN_TOKEN)).await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("unchanged")),
        "{body}"
    );

    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.grpc))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = voter_lookup_proto::v1::admin_client::AdminClient::new(channel);
    let status = client
        .reload(voter_lookup_proto::v1::ReloadRequest { force: false })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let mut request = tonic::Request::new(voter_lookup_proto::v1::ReloadRequest { force: false });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {ADMIN_TOKEN}").parse().unwrap(),
    );
    let reply = client.reload(request).await.unwrap().into_inner();
    assert_eq!(reply.outcome, "unchanged");
    server.shutdown().await;

    // Without a configured token, admin calls are disabled.
    let plain = TestServer::start_generated(1_000, 3).await;
    let (status, body) = admin(&plain, "reload", Some(ADMIN_TOKEN)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("permission_denied"))
    );
    plain.shutdown().await;
}
