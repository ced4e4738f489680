//! The météo report end to end (issue 23, item 2): the real `voter-lookup
//! weather` binary against a live server, in its three formats; green on a
//! healthy server after some lookups (but for the uptime of a server that
//! has just started, amber by rule), red and exit code 1 when the server
//! sheds or serves a stale index, exit code 2 for bad settings and an
//! unreachable server; and `GET /v1/status` itself: its window, a 400
//! naming the parameter, no personal data, an answer while lookups are
//! shed.
//!
//! The status history is one per process, like the metrics: run these
//! with cargo-nextest, as README says, which gives each test its own
//! process (under `cargo test` the shedding test's refusals would show in
//! the other tests' reports).

mod common;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{TestServer, encode, publish_generated};
use serde_json::Value;
use voter_core::generator::GeneratorConfig;
use voter_lookup::admission::rate::RateConfig;
use voter_lookup::admission::{Admission, AdmissionConfig, Class};
use voter_lookup::index::{IndexHandle, LoadedIndex};
use voter_lookup::state::AppState;

const BIN: &str = env!("CARGO_BIN_EXE_voter-lookup");
/// Every run of the binary is bounded.
const BOUND: Duration = Duration::from_secs(60);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `voter-lookup weather --target URL ARGS…` without blocking the
/// runtime the server runs on.
async fn weather(target: &str, args: &[&str]) -> Run {
    let output = tokio::time::timeout(
        BOUND,
        tokio::process::Command::new(BIN)
            .arg("weather")
            .arg("--target")
            .arg(target)
            .args(args)
            .env_remove("VOTER_LOOKUP_WEATHER_TARGET")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("weather answers within its bound")
    .expect("weather runs");
    Run {
        code: output.status.code().expect("weather exits by itself"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// A roll of 400 voters published under `root`; the server serves it
/// with its build time, as `serve` does.
fn artifact(root: &Path, seed: u64) -> LoadedIndex {
    let config = GeneratorConfig {
        seed,
        voters: 400,
        ..GeneratorConfig::default()
    };
    publish_generated(root, &config);
    LoadedIndex::from_artifact(&root.join("current")).expect("the artifact loads")
}

/// Searches for each canary voter: found, with confidence.
async fn search_canaries(server: &TestServer) -> usize {
    let index = server.state.service.snapshot().unwrap();
    let canaries = voter_lookup::index::canary::lookups(&index);
    assert!(!canaries.is_empty());
    for canary in &canaries {
        let date = canary.birth_date.clone().unwrap_or_default();
        let (status, _) = server
            .get_json(&format!(
                "/v1/search?q={}&birth_date={date}",
                encode(&canary.query)
            ))
            .await;
        assert_eq!(status, 200);
    }
    canaries.len()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["check"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report}"))
}

fn line_of<'a>(text: &'a str, title: &str) -> &'a str {
    text.lines()
        .find(|line| line.contains(&format!(" {title} ")))
        .unwrap_or_else(|| panic!("no line for {title} in\n{text}"))
}

#[tokio::test]
async fn a_healthy_server_reports_green_in_all_three_formats() {
    let root = tempfile::tempdir().unwrap();
    let server = TestServer::start(IndexHandle::with_index(artifact(root.path(), 31))).await;
    let found = search_canaries(&server).await;
    // One search that finds nobody.
    let (status, _) = server.get_json("/v1/search?q=XQZWYK+Vbnrt").await;
    assert_eq!(status, 200);
    let target = url(server.http);

    // Text. The server has just started: --min-uptime 0s keeps its uptime
    // from being red, and a start inside the window is amber by rule.
    let text = weather(&target, &["--min-uptime", "0s"]).await;
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    let report = &text.stdout;
    assert!(
        report.contains("Verdict: AMBER — 0 red, 1 amber, 7 green"),
        "{report}"
    );
    for title in [
        "Index",
        "Server errors",
        "Shed",
        "Brownout",
        "Latency",
        "Memory",
        "Reloads",
    ] {
        let line = line_of(report, title);
        assert!(line.trim_start().starts_with("GREEN"), "{line}");
    }
    let uptime = line_of(report, "Uptime");
    assert!(uptime.trim_start().starts_with("AMBER"), "{uptime}");
    assert!(uptime.contains("(re)started during the window"), "{uptime}");
    assert!(report.contains("Lookups, "), "{report}");
    assert!(report.contains("p99 latency per minute"), "{report}");

    // JSON: the lights and the figures behind them.
    let json = weather(
        &target,
        &["--min-uptime", "0s", "--format", "json", "--window", "15m"],
    )
    .await;
    assert_eq!(json.code, 0, "{}", json.stderr);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["verdict"], "amber");
    assert_eq!(report["exit_code"], 0);
    assert_eq!(report["window"]["minutes"], 15);
    let lookups = report["totals"]["lookups"].as_u64().unwrap();
    assert!(lookups > found as u64, "{lookups} lookups");
    assert!(report["totals"]["found"].as_u64().unwrap() >= found as u64);
    assert!(report["totals"]["not_found"].as_u64().unwrap() >= 1);
    let shed = check(&report, "shed");
    assert_eq!(shed["light"], "green");
    assert_eq!(shed["figures"]["share"], 0.0);
    assert_eq!(shed["figures"]["limit"], 0.01);
    let latency = check(&report, "latency");
    assert_eq!(latency["light"], "green");
    assert!(latency["figures"]["p99_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(latency["figures"]["p99_limit_ms"], 100.0);
    let index = check(&report, "index");
    assert_eq!(index["light"], "green");
    assert_eq!(index["figures"]["voters"], 400);
    let memory = check(&report, "memory");
    assert!(memory["figures"]["resident_bytes"].as_u64().unwrap() > 0);

    // HTML, written to a file: the page, its lights and its charts.
    let out = root.path().join("weather.html");
    let html = weather(
        &target,
        &[
            "--min-uptime",
            "0s",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(html.code, 0, "{}", html.stderr);
    assert!(
        html.stdout
            .starts_with("weather: AMBER (0 red, 1 amber, 7 green)"),
        "{}",
        html.stdout
    );
    assert!(html.stdout.contains("weather.html"), "{}", html.stdout);
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains(r#"data-verdict="amber""#));
    assert!(page.contains(r#"data-check="shed" data-light="green""#));
    assert!(page.contains(r#"data-check="uptime" data-light="amber""#));
    assert_eq!(page.matches("<svg").count(), 3, "traffic, latency, memory");
    // Self-contained: nothing fetched from anywhere, no script.
    for absent in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!page.contains(absent), "{absent} in the page");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn shedding_turns_the_report_red_and_the_status_still_answers() {
    // Two lookups a second for a keyless client: a burst of forty is
    // mostly refused (429, rate_limited), as a flood would be.
    let mut config = AdmissionConfig::default();
    config.rates[Class::Anonymous.rank()] = RateConfig {
        per_client: NonZeroU32::new(2),
        total: None,
    };
    let root = tempfile::tempdir().unwrap();
    let state = AppState::new(IndexHandle::with_index(artifact(root.path(), 37)))
        .with_admission(Admission::new(config));
    let server = TestServer::start_state(Arc::new(state)).await;
    let mut refused = 0;
    for _ in 0..40 {
        let (status, _) = server.get_json("/v1/search?q=MARTIN").await;
        refused += usize::from(status == 429);
    }
    assert!(refused >= 30, "{refused} refused");
    // While the client is refused lookups, the status is answered.
    let (status, document) = server.get_json("/v1/status?window=15m").await;
    assert_eq!(status, 200, "{document}");
    assert!(document["totals"]["shed"].as_u64().unwrap() >= refused as u64);
    assert!(
        document["totals"]["errors"]["rate_limited"]
            .as_u64()
            .unwrap()
            >= refused as u64
    );

    let target = url(server.http);
    let text = weather(&target, &["--min-uptime", "0s"]).await;
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    let shed = line_of(&text.stdout, "Shed");
    assert!(shed.trim_start().starts_with("RED"), "{shed}");
    assert!(shed.contains("refused for load"), "{shed}");
    assert!(shed.contains("rate_limited"), "{shed}");
    assert!(text.stdout.contains("Verdict: RED"), "{}", text.stdout);
    assert!(text.stdout.contains("Shed (highest "), "{}", text.stdout);

    let json = weather(&target, &["--min-uptime", "0s", "--format", "json"]).await;
    assert_eq!(json.code, 1);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["verdict"], "red");
    let shed = check(&report, "shed");
    assert_eq!(shed["light"], "red");
    assert!(shed["figures"]["share"].as_f64().unwrap() > 0.5);
    assert!(shed["figures"]["rate_limited"].as_u64().unwrap() >= refused as u64);

    // Under a looser objective the share meets (if only just: amber),
    // the report is no longer red.
    let lenient = weather(&target, &["--min-uptime", "0s", "--slo", "shed=100%"]).await;
    assert_eq!(lenient.code, 0, "{}", lenient.stdout);
    let shed = line_of(&lenient.stdout, "Shed");
    assert!(shed.trim_start().starts_with("AMBER"), "{shed}");
    assert!(shed.contains("close to the objective"), "{shed}");

    let out = root.path().join("red.html");
    let html = weather(
        &target,
        &[
            "--min-uptime",
            "0s",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(html.code, 1);
    assert!(html.stdout.starts_with("weather: RED"), "{}", html.stdout);
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains(r#"data-check="shed" data-light="red""#));
    server.shutdown().await;
}

#[tokio::test]
async fn a_stale_or_unexpected_index_turns_the_report_red() {
    let root = tempfile::tempdir().unwrap();
    let index = artifact(root.path(), 41);
    let version = index.version().to_string();
    let server = TestServer::start(IndexHandle::with_index(index)).await;
    let target = url(server.http);
    // Fresh, the index is green.
    let fresh = weather(&target, &["--min-uptime", "0s", "--format", "json"]).await;
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    let report: Value = serde_json::from_str(&fresh.stdout).unwrap();
    assert_eq!(check(&report, "index")["light"], "green");
    // Two seconds later, it is older than a one-second limit: red.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stale = weather(
        &target,
        &[
            "--min-uptime",
            "0s",
            "--max-index-age",
            "1s",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(stale.code, 1, "{}", stale.stdout);
    let report: Value = serde_json::from_str(&stale.stdout).unwrap();
    assert_eq!(report["verdict"], "red");
    let index = check(&report, "index");
    assert_eq!(index["light"], "red");
    assert!(index["figures"]["age_seconds"].as_u64().unwrap() >= 2);
    assert_eq!(index["figures"]["max_age_seconds"], 1);
    let summary = index["summary"].as_str().unwrap();
    assert!(
        summary.contains("older than 1 s (--max-index-age)"),
        "{summary}"
    );
    assert!(summary.contains(&version), "{summary}");
    // The version expected is not the one served: red too.
    let unexpected = weather(
        &target,
        &["--min-uptime", "0s", "--expect-version", "2020-01-01"],
    )
    .await;
    assert_eq!(unexpected.code, 1);
    let line = line_of(&unexpected.stdout, "Index");
    assert!(line.contains("expected version 2020-01-01"), "{line}");
    let expected = weather(
        &target,
        &["--min-uptime", "0s", "--expect-version", &version],
    )
    .await;
    assert_eq!(expected.code, 0, "{}", expected.stdout);
    // A server that has just started is red under the default --min-uptime.
    let fresh_start = weather(&target, &[]).await;
    assert_eq!(fresh_start.code, 1);
    assert!(
        line_of(&fresh_start.stdout, "Uptime")
            .trim_start()
            .starts_with("RED")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn bad_settings_and_an_unreachable_server_exit_with_2() {
    let server = TestServer::start(IndexHandle::default()).await;
    let target = url(server.http);
    for (args, named) in [
        (&["--window", "25h"][..], "--window: `25h`"),
        (
            &["--window", "soon"][..],
            "--window: `soon` is not a duration",
        ),
        (&["--slo", "p95=10ms"][..], "--slo: unknown objective `p95`"),
        (&["--format", "pdf"][..], "--format: `pdf`"),
        (&["--max-index-age", "old"][..], "--max-index-age"),
        (
            &["--min-memory-headroom", "120%"][..],
            "--min-memory-headroom",
        ),
    ] {
        let run = weather(&target, args).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let run = weather("localhost:8080", &[]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--target `localhost:8080`"),
        "{}",
        run.stderr
    );

    // Nothing listens on a port just freed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let run = weather(&url(closed), &[]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "http://{closed}/v1/status?window=1h: cannot connect"
        )),
        "{}",
        run.stderr
    );

    // A server without an index still answers: red, not unusable.
    let run = weather(&target, &["--min-uptime", "0s"]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let index = line_of(&run.stdout, "Index");
    assert!(index.contains("no index loaded"), "{index}");
    server.shutdown().await;
}

#[tokio::test]
async fn the_status_route_answers_its_window_and_names_a_bad_one() {
    let root = tempfile::tempdir().unwrap();
    let server = TestServer::start(IndexHandle::with_index(artifact(root.path(), 43))).await;
    search_canaries(&server).await;
    let (status, document) = server.get_json("/v1/status").await;
    assert_eq!(status, 200);
    assert_eq!(document["window"]["minutes"], 60);
    assert_eq!(document["server"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(document["index"]["loaded"], true);
    assert_eq!(document["index"]["voters"], 400);
    assert!(document["index"]["built_at"].is_string());
    assert!(document["memory"]["resident_bytes"].as_u64().unwrap() > 0);
    let minutes = document["minutes"].as_array().unwrap();
    assert!(!minutes.is_empty() && minutes.len() <= 60);
    let last = minutes.last().unwrap();
    assert!(last["index_version"].is_string(), "{last}");
    assert!(last["resident_bytes"].as_u64().unwrap() > 0, "{last}");
    assert!(document["totals"]["latency_ms"]["p99"].as_f64().unwrap() > 0.0);
    // No name, no query text: nothing the searches sent is in it.
    let body = document.to_string();
    let index = server.state.service.snapshot().unwrap();
    for canary in voter_lookup::index::canary::lookups(&index) {
        for word in canary.query.split_whitespace().filter(|w| w.len() > 2) {
            assert!(!body.contains(word), "{word} in the status");
        }
    }

    // Both doors count, and a search admitted in brownout counts as
    // degraded: the history is fed where the metrics are.
    let lookups = document["totals"]["lookups"].as_u64().unwrap();
    let degraded = document["totals"]["degraded"].as_u64().unwrap();
    let canary = &voter_lookup::index::canary::lookups(&index)[0];
    let mut client = server.grpc_client().await;
    client
        .search(voter_lookup_proto::v1::SearchRequest {
            q: canary.query.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let context = voter_lookup::context::RequestContext::at_door(
        voter_lookup::metrics::Door::Grpc,
        &http::HeaderMap::new(),
        None,
        None,
    );
    let query = voter_lookup::search::LookupQuery {
        text: canary.query.clone(),
        birth_date: None,
        limit: None,
        ..Default::default()
    };
    server
        .state
        .privacy()
        .search(
            &server.state.service,
            &context,
            query,
            None,
            voter_lookup::search::SearchMode::Degraded,
            None,
        )
        .await
        .unwrap();
    let (_, after) = server.get_json("/v1/status").await;
    assert!(after["totals"]["lookups"].as_u64().unwrap() > lookups);
    assert!(after["totals"]["degraded"].as_u64().unwrap() > degraded);

    let (status, day) = server.get_json("/v1/status?window=24h").await;
    assert_eq!(status, 200);
    assert_eq!(day["window"]["minutes"], 1440);
    let (status, short) = server.get_json("/v1/status?window=90s").await;
    assert_eq!(status, 200);
    assert_eq!(short["window"]["minutes"], 2);
    for bad in ["abc", "25h", "10s", ""] {
        let (status, error) = server.get_json(&format!("/v1/status?window={bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(error["error"]["code"], "invalid_argument");
        assert_eq!(error["error"]["parameter"], "window");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("window: "), "{message}");
        assert!(message.contains("such as 15m, 4h or 24h"), "{message}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn an_https_server_is_reported_on_with_its_certificate_authority() {
    let dir = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let files = voter_lookup::transport::tls::TlsFiles {
        cert: dir.path().join("server.crt"),
        key: dir.path().join("server.key"),
    };
    std::fs::write(&files.cert, made.cert.pem()).unwrap();
    std::fs::write(&files.key, made.signing_key.serialize_pem()).unwrap();
    let tls = voter_lookup::transport::tls::TlsCertificates::load(files.clone()).unwrap();
    let state = Arc::new(AppState::new(IndexHandle::with_index(artifact(
        dir.path(),
        47,
    ))));
    let server = TestServer::start_with(
        state,
        voter_lookup::transport::TransportConfig::default(),
        Some(tls),
    )
    .await;
    let target = format!("https://localhost:{}", server.http.port());
    let ca = files.cert.to_str().unwrap();
    let run = weather(
        &target,
        &["--min-uptime", "0s", "--ca-cert", ca, "--format", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(check(&report, "index")["light"], "green");
    // Another authority's certificate is refused: no report.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let other_ca = dir.path().join("other.crt");
    std::fs::write(&other_ca, other.cert.pem()).unwrap();
    let run = weather(&target, &["--ca-cert", other_ca.to_str().unwrap()]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("TLS handshake failed"),
        "{}",
        run.stderr
    );
    server.shutdown().await;
}
