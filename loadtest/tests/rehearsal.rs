//! Rehearsals against a real server started in this process, as the
//! server's own tests start it (`tests/common`): a 3,000-voter synthetic
//! roll indexed in memory, both doors on 127.0.0.1 with ports the system
//! picks. Each run lasts one or two seconds at a modest rate.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use loadtest::cli::{Cli, Command, RunConfig};
use loadtest::report::Report;
use loadtest::report::html::{LATENCY_CHART, RATE_CHART, SHARE_CHART};
use serde_json::Value;
use tokio::sync::oneshot;
use voter_lookup::index::IndexHandle;
use voter_lookup::server::{AppState, Listeners, run};
use voter_lookup::transport::tls::{TlsCertificates, TlsFiles};

const VOTERS: usize = 3_000;
const SEED: u64 = 42;

struct Server {
    http: SocketAddr,
    grpc: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// A server over the demo roll the harness generates with the same
    /// voters and seed.
    async fn demo() -> Server {
        let index =
            tokio::task::spawn_blocking(|| voter_lookup::demo::build_demo_index(VOTERS, SEED))
                .await
                .unwrap()
                .expect("the test index builds");
        Server::start(IndexHandle::with_index(index), None).await
    }

    /// The same over TLS, with a certificate for `localhost` made here;
    /// its PEM file is written in `dir`, for `--ca-cert`.
    async fn demo_tls(dir: &Path) -> (Server, String) {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let files = TlsFiles {
            cert: dir.join("server.crt"),
            key: dir.join("server.key"),
        };
        std::fs::write(&files.cert, made.cert.pem()).unwrap();
        std::fs::write(&files.key, made.signing_key.serialize_pem()).unwrap();
        let tls = TlsCertificates::load(files.clone()).unwrap();
        let index =
            tokio::task::spawn_blocking(|| voter_lookup::demo::build_demo_index(VOTERS, SEED))
                .await
                .unwrap()
                .expect("the test index builds");
        let server = Server::start(IndexHandle::with_index(index), Some(tls)).await;
        (server, files.cert.to_str().unwrap().to_string())
    }

    /// A server without an index: every search answers "not ready".
    async fn without_index() -> Server {
        Server::start(IndexHandle::default(), None).await
    }

    async fn start(index: IndexHandle, tls: Option<Arc<TlsCertificates>>) -> Server {
        let listeners = Listeners::bind(
            "127.0.0.1:0".parse().unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap()
        .with_tls(tls);
        let (http, grpc) = listeners.local_addrs().unwrap();
        let state = Arc::new(AppState::new(index));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            run(
                state,
                listeners,
                async move {
                    let _ = stopped.await;
                },
                Duration::from_secs(2),
            )
            .await
            .unwrap();
        });
        Server {
            http,
            grpc,
            stop: Some(stop),
            task,
        }
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap();
    }
}

/// `loadtest run --target TARGET` with the test roll and `extra` flags,
/// checked as the binary checks them.
fn config(target: SocketAddr, extra: &[&str]) -> RunConfig {
    config_url(&format!("http://{target}"), extra)
}

/// The same with the target as a URL.
fn config_url(target: &str, extra: &[&str]) -> RunConfig {
    let voters = VOTERS.to_string();
    let seed = SEED.to_string();
    let mut argv = vec![
        "loadtest",
        "run",
        "--target",
        target,
        "--voters",
        &voters,
        "--seed",
        &seed,
        "--queries",
        "300",
        "--quiet",
    ];
    argv.extend_from_slice(extra);
    let Command::Run(args) = Cli::try_parse_from(argv).unwrap().command else {
        unreachable!("a run was parsed")
    };
    args.to_config().unwrap()
}

fn path_arg(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_string()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The documented fields of a result (top level, or a class).
fn assert_result_fields(json: &Value, context: &str) {
    for field in ["offered_rps", "achieved_rps"] {
        assert!(json[field].is_number(), "{context}: {field} in {json}");
    }
    for count in [
        "ok",
        "shed",
        "rate_limited",
        "degraded",
        "error",
        "not_sent",
    ] {
        assert!(json["counts"][count].is_u64(), "{context}: counts.{count}");
    }
    for percentile in ["p50", "p90", "p99", "p999", "max"] {
        assert!(
            json["latency_ms"][percentile].is_number(),
            "{context}: latency_ms.{percentile}"
        );
    }
}

fn assert_complete_accounting(report: &Report) {
    assert!(report.offered > 0);
    assert_eq!(
        report.counts.total(),
        report.offered,
        "every request counted once: {:?}",
        report.counts
    );
    let per_class: u64 = report.classes.iter().map(|(_, class)| class.offered).sum();
    assert_eq!(per_class, report.offered);
    let timeline_offered: u64 = report.timeline.iter().map(|second| second.offered).sum();
    assert_eq!(timeline_offered, report.offered);
}

/// Asserts the page is self-contained and holds the charts and figures.
fn assert_html_report(html: &str, report: &Report) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    for title in [RATE_CHART, LATENCY_CHART, SHARE_CHART] {
        assert!(
            html.contains(&format!("<figcaption>{title}</figcaption>")),
            "chart {title}"
        );
    }
    assert!(html.contains("<path d=\"M"), "the charts have lines");
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "no external resource"
    );
    assert!(
        html.contains(&format!("{:.1}/s", report.offered_rps)),
        "offered rate figure"
    );
    assert!(
        html.contains(&format!("{:.1}/s", report.achieved_rps)),
        "achieved rate figure"
    );
    assert!(
        html.contains(&loadtest::units::format_ms(report.latency_ms.p99)),
        "p99 figure"
    );
    for (class, _) in &report.classes {
        assert!(
            html.contains(&format!("<td>{class}</td>")),
            "class {class} row"
        );
    }
    assert!(html.contains("<td>all</td>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_election_morning_over_http_is_reported_in_json_and_html() {
    // The report's contents are under test, not the server's capacity: a
    // rate a debug server answers while the rest of the suite runs beside
    // it on two cores.
    let server = Server::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let (json, html) = (
        path_arg(dir.path(), "run.json"),
        path_arg(dir.path(), "run.html"),
    );
    let config = config(
        server.http,
        &[
            "--protocol",
            "http",
            "--profile",
            "election-morning",
            "--rate",
            "100",
            "--duration",
            "2s",
            "--json",
            &json,
            "--html",
            &html,
            "--slo",
            "p99=3s,errors=5%",
        ],
    );
    let expected = config.plan.arrivals(config.process).count() as u64;
    let report = loadtest::rehearse(&config).await.unwrap();
    server.shutdown().await;

    assert_eq!(report.offered, expected);
    assert_complete_accounting(&report);
    assert!(
        report.counts.answered() as f64 >= 0.95 * report.offered as f64,
        "a healthy server answers: {:?} {:?}",
        report.counts,
        report.errors
    );
    assert!(report.latency_ms.samples > 0 && report.latency_ms.p50 > 0.0);
    assert!(
        report.latency_ms.p50 <= report.latency_ms.p99
            && report.latency_ms.p99 <= report.latency_ms.max
    );
    let verdict = report.slo.as_ref().unwrap();
    assert!(verdict.pass, "{verdict:?}");
    assert_eq!(loadtest::exit_status(&report), 0);
    // The profile's shape: quiet before 8:00, then the step.
    let planned: Vec<f64> = report.timeline.iter().map(|s| s.planned_rps).collect();
    assert!(planned.len() >= 2);

    let json = read_json(&dir.path().join("run.json"));
    assert_result_fields(&json, "top level");
    for class in ["staff", "kiosk"] {
        assert_result_fields(&json["classes"][class], class);
    }
    assert_eq!(json["protocol"], "http");
    assert_eq!(json["profile"], "election-morning");
    assert_eq!(json["offered"], expected);
    assert_eq!(json["slo"]["pass"], true);
    assert!(json["schedule"]["fell_behind"].is_boolean());
    let timeline = json["timeline"].as_array().unwrap();
    assert!(timeline.len() >= 2);
    for field in [
        "second",
        "planned_rps",
        "offered",
        "achieved",
        "ok",
        "shed",
        "degraded",
        "late",
    ] {
        assert!(timeline[0][field].is_number(), "timeline.{field}");
    }
    assert!(
        timeline
            .iter()
            .any(|second| second["latency_ms"]["p99"].is_number())
    );

    let page = std::fs::read_to_string(dir.path().join("run.html")).unwrap();
    assert_html_report(&page, &report);
    assert!(page.contains("Verdict: PASS"));
    assert!(page.contains("kept to its schedule"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_election_morning_over_grpc_with_api_keys_is_reported() {
    let server = Server::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let (json, html) = (
        path_arg(dir.path(), "run.json"),
        path_arg(dir.path(), "run.html"),
    );
    let config = config(
        server.grpc,
        &[
            "--protocol",
            "grpc",
            "--profile",
            "election-morning",
            "--rate",
            "200",
            "--duration",
            "2s",
            "--poisson",
            "--class",
            "staff:weight=0.7,key=staff-key",
            "--class",
            "kiosk:weight=0.3,key=kiosk-{1..12}",
            "--json",
            &json,
            "--html",
            &html,
        ],
    );
    let report = loadtest::rehearse(&config).await.unwrap();
    server.shutdown().await;

    assert_complete_accounting(&report);
    assert!(
        report.counts.answered() as f64 >= 0.95 * report.offered as f64,
        "{:?} {:?}",
        report.counts,
        report.errors
    );
    let (staff, kiosk) = (
        report.class("staff").unwrap(),
        report.class("kiosk").unwrap(),
    );
    assert!(staff.offered > kiosk.offered);
    assert_eq!((staff.api_keys, kiosk.api_keys), (1, 12));
    assert!(report.slo.is_none());
    assert_eq!(loadtest::exit_status(&report), 0);

    let json = read_json(&dir.path().join("run.json"));
    assert_result_fields(&json, "top level");
    assert_eq!(json["protocol"], "grpc");
    assert_eq!(json["arrivals"], "poisson");
    assert!(json["slo"].is_null());
    let text = std::fs::read_to_string(dir.path().join("run.json")).unwrap();
    assert!(!text.contains("staff-key"), "API keys are never written");

    let page = std::fs::read_to_string(dir.path().join("run.html")).unwrap();
    assert_html_report(&page, &report);
    assert!(page.contains("Verdict: none"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objective_the_server_cannot_meet_fails_the_verdict() {
    let server = Server::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let html = path_arg(dir.path(), "run.html");
    let config = config(
        server.http,
        &[
            "--rate",
            "50",
            "--duration",
            "1s",
            "--slo",
            "p99=1us,errors=1%",
            "--html",
            &html,
        ],
    );
    let report = loadtest::rehearse(&config).await.unwrap();
    server.shutdown().await;

    let verdict = report.slo.as_ref().unwrap();
    assert!(!verdict.pass);
    assert!(!verdict.objectives[0].pass, "no lookup takes a microsecond");
    assert!(verdict.objectives[1].pass, "{:?}", report.counts);
    assert_eq!(loadtest::exit_status(&report), 1);
    let page = std::fs::read_to_string(dir.path().join("run.html")).unwrap();
    assert!(page.contains("Verdict: FAIL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_an_index_breaches_the_error_budget_on_both_doors() {
    let server = Server::without_index().await;
    for (target, protocol) in [(server.http, "http"), (server.grpc, "grpc")] {
        let config = config(
            target,
            &[
                "--protocol",
                protocol,
                "--rate",
                "100",
                "--duration",
                "1s",
                "--slo",
                "errors=0.1%",
            ],
        );
        let report = loadtest::rehearse(&config).await.unwrap();
        assert_complete_accounting(&report);
        assert_eq!(
            report.counts.error, report.offered,
            "{protocol}: {:?}",
            report.errors
        );
        assert_eq!(
            report.errors.get("index not ready"),
            Some(&report.offered),
            "{protocol}"
        );
        let verdict = report.slo.as_ref().unwrap();
        assert!(!verdict.pass, "{protocol}");
        assert_eq!(verdict.objectives[0].actual, "100.0%");
        assert_eq!(loadtest::exit_status(&report), 1);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_makes_the_harness_fall_behind_and_say_so() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let html = path_arg(dir.path(), "run.html");
    let config = config(
        address,
        &[
            "--http-path",
            "/healthz",
            "--rate",
            "100",
            "--duration",
            "1s",
            "--max-in-flight",
            "2",
            "--timeout",
            "200ms",
            "--slo",
            "errors=1%",
            "--html",
            &html,
        ],
    );
    let report = loadtest::rehearse(&config).await.unwrap();
    hold.abort();

    assert_eq!(report.offered, 100);
    assert_complete_accounting(&report);
    assert_eq!(report.counts.answered(), 0);
    assert!(
        report.errors["timeout (harness deadline)"] > 0,
        "{:?}",
        report.errors
    );
    assert!(report.counts.not_sent > 0, "{:?}", report.counts);
    assert!(report.schedule.fell_behind);
    assert!(report.schedule.slot_waits > 0);
    assert!(report.schedule.late > 0);
    // Latency counts from the intended time: the requests that waited for
    // a slot carry that wait.
    assert!(report.latency_ms.max > 450.0, "{:?}", report.latency_ms);
    assert!(report.schedule_note().contains("FELL BEHIND"));
    assert_eq!(loadtest::exit_status(&report), 1);
    let page = std::fs::read_to_string(dir.path().join("run.html")).unwrap();
    assert!(page.contains("FELL BEHIND"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rehearsals_run_over_tls_on_both_doors() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ca) = Server::demo_tls(dir.path()).await;
    // The certificate names `localhost`; the target is an address, so the
    // name to check is given.
    for (protocol, port) in [("http", server.http.port()), ("grpc", server.grpc.port())] {
        let target = format!("https://127.0.0.1:{port}");
        let config = config_url(
            &target,
            &[
                "--protocol",
                protocol,
                "--rate",
                "100",
                "--duration",
                "1s",
                "--ca-cert",
                &ca,
                "--tls-server-name",
                "localhost",
            ],
        );
        assert!(config.target.tls);
        let report = loadtest::rehearse(&config).await.unwrap();
        assert_complete_accounting(&report);
        assert_eq!(
            report.counts.answered(),
            report.offered,
            "{protocol} over TLS: every request answered: {:?} {:?}",
            report.counts,
            report.errors
        );
    }
    // Trusting another CA, the run cannot start.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let other_ca = path_arg(dir.path(), "other.crt");
    std::fs::write(&other_ca, other.cert.pem()).unwrap();
    let target = format!("https://127.0.0.1:{}", server.grpc.port());
    let config = config_url(
        &target,
        &[
            "--protocol",
            "grpc",
            "--duration",
            "1s",
            "--ca-cert",
            &other_ca,
            "--tls-server-name",
            "localhost",
        ],
    );
    assert!(loadtest::rehearse(&config).await.is_err());
    server.shutdown().await;
}
