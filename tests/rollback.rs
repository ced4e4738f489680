//! Reload and rollback an operator can trust (issue 23): a rollback is
//! kept across the watch, SIGHUP and a restart; a server started on a
//! broken `current` serves the newest good version and says so; pruning
//! never removes the version a server serves; the server answers during
//! its shutdown delay while it reports not ready.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestServer, publish_generated, raw_request};
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::pipeline::{ArtifactRequest, build_artifact};
use voter_core::publish;
use voter_lookup::index::IndexHandle;
use voter_lookup::index::reload::{IndexSource, Outcome, ReloadPolicy, Reloader, Trigger};
use voter_lookup::server::AppState;

const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

fn publish_seed(root: &Path, seed: u64) -> String {
    let version = publish_generated(
        root,
        &GeneratorConfig {
            seed,
            voters: 1_500,
            ..GeneratorConfig::default()
        },
    );
    next_second();
    version
}

/// Waits for the next second of the clock: versions are named by their
/// build time to the second, so the next build sorts after this one (as
/// real builds, which take longer than a second, do).
fn next_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    std::thread::sleep(Duration::from_nanos(
        1_000_000_000 - u64::from(now.subsec_nanos()) + 1_000_000,
    ));
}

/// A port free at the time of asking.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real `voter-lookup serve` binary following `root`.
struct Served {
    child: Child,
    http: SocketAddr,
}

impl Served {
    fn start(root: &Path) -> Served {
        let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let grpc = format!("127.0.0.1:{}", free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_voter-lookup"))
            .args(["serve", "--index-root"])
            .arg(root)
            .args(["--http", &http.to_string(), "--grpc", &grpc])
            .args(["--reload-poll-seconds", "0.2", "--workers", "1"])
            .args(["--admission", "off", "--log-format", "json"])
            .env("VOTER_LOOKUP_ADMIN_TOKEN", ADMIN_TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("voter-lookup starts");
        Served { child, http }
    }

    async fn readyz(&self) -> Option<serde_json::Value> {
        let request = "GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        let stream = tokio::net::TcpStream::connect(self.http).await.ok()?;
        drop(stream);
        let (_, _, body) = raw_request(self.http, request).await;
        serde_json::from_slice(&body).ok()
    }

    /// Waits (bounded) until `/readyz` satisfies `check`; returns it.
    async fn wait_for(
        &self,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(ready) = self.readyz().await
                && check(&ready)
            {
                return ready;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn stop(mut self) {
        self.signal("TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exits 0 on SIGTERM: {status}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn admin_post(http: SocketAddr, action: &str) -> (u16, serde_json::Value) {
    let request = format!(
        "POST /v1/admin/{action} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = raw_request(http, &request).await;
    (status, serde_json::from_slice(&body).unwrap())
}

fn serving(ready: &serde_json::Value) -> &str {
    ready["index_version"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_rollback_is_kept_across_the_watch_sighup_and_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let good = publish_seed(root.path(), 31);
    let bad = publish_seed(root.path(), 32);
    let server = Served::start(root.path());
    server
        .wait_for("the newest version", |r| serving(r) == bad)
        .await;

    let (status, body) = admin_post(server.http, "rollback").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["index_version"], good.as_str());
    assert_eq!(
        publish::current_version(root.path()).unwrap().as_deref(),
        Some(good.as_str()),
        "the rollback repointed `current`"
    );

    // The watch looks every 0.2 s: a few looks later, still the good one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ready = server.readyz().await.unwrap();
    assert_eq!(serving(&ready), good, "{ready}");
    assert!(ready["pinned"].is_null(), "{ready}");

    // SIGHUP reloads what `current` names: the version rolled back to.
    server.signal("HUP");
    let ready = server
        .wait_for("the SIGHUP reload", |r| {
            r["last_reload"]["trigger"] == "signal"
        })
        .await;
    assert_eq!(ready["last_reload"]["outcome"], "unchanged", "{ready}");
    assert_eq!(serving(&ready), good, "{ready}");

    // A restart serves it too.
    server.stop();
    let again = Served::start(root.path());
    let ready = again
        .wait_for("the restarted server", |r| r["status"] == "ready")
        .await;
    assert_eq!(serving(&ready), good, "{ready}");

    // A new publication is followed as usual.
    let newer = publish_seed(root.path(), 33);
    again
        .wait_for("the new version", |r| serving(r) == newer)
        .await;
    again.stop();
}

/// Truncates the index file of a published version.
fn break_version(root: &Path, version: &str) {
    let index_dir = root.join(version).join("index");
    let file = std::fs::read_dir(&index_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "idx"))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(name) && line[name.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

fn following(root: &Path) -> Arc<AppState> {
    Arc::new(
        AppState::new(IndexHandle::default())
            .with_reloader(Reloader::new(
                IndexSource::Root(root.to_path_buf()),
                ReloadPolicy::default(),
            ))
            .with_admin_token(Some(ADMIN_TOKEN.to_string())),
    )
}

#[tokio::test]
async fn a_start_on_a_broken_current_serves_the_newest_good_version_loudly() {
    let root = tempfile::tempdir().unwrap();
    let older = publish_seed(root.path(), 41);
    let good = publish_seed(root.path(), 42);
    let broken = publish_seed(root.path(), 43);
    break_version(root.path(), &broken);

    let server = TestServer::start_state(following(root.path())).await;
    let report = server.state.reload(Trigger::Start, true).await.unwrap();
    assert!(
        matches!(&report.outcome, Outcome::Swapped { to, .. } if *to == good),
        "{report:?}"
    );
    assert_ne!(good, older);
    let (status, ready) = server.get_json("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["index_version"], good.as_str());
    assert_eq!(ready["fallback"]["current"], broken.as_str(), "{ready}");
    assert_eq!(ready["fallback"]["serving"], good.as_str(), "{ready}");
    assert!(
        ready["fallback"]["reason"]
            .as_str()
            .unwrap()
            .contains("idx"),
        "the reason names the file: {ready}"
    );
    let (_, _, metrics) = server.get("/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert_eq!(
        metric(&metrics, "voter_lookup_index_fallback"),
        Some(1.0),
        "{metrics}"
    );
    let (status, search) = server.get_json("/v1/search?q=MARTIN").await;
    assert_eq!(
        (status, search["index_version"].as_str()),
        (200, Some(good.as_str()))
    );

    // The watch does not retry the broken version; a new good one ends
    // the fallback.
    assert!(!server.state.new_version_published().await);
    let newer = publish_seed(root.path(), 44);
    assert!(server.state.new_version_published().await);
    let report = server.state.reload(Trigger::Watch, false).await.unwrap();
    assert!(
        matches!(&report.outcome, Outcome::Swapped { to, .. } if *to == newer),
        "{report:?}"
    );
    let (_, ready) = server.get_json("/readyz").await;
    assert!(ready["fallback"].is_null(), "{ready}");
    let (_, _, metrics) = server.get("/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert_eq!(metric(&metrics, "voter_lookup_index_fallback"), Some(0.0));
    server.shutdown().await;
}

#[tokio::test]
async fn a_start_with_no_good_version_still_fails() {
    let root = tempfile::tempdir().unwrap();
    let only = publish_seed(root.path(), 51);
    break_version(root.path(), &only);
    let state = following(root.path());
    let report = state.reload(Trigger::Start, true).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Refused { .. }),
        "{report:?}"
    );
    assert!(!state.is_ready());
    assert!(state.fallback().is_none());
}

/// Builds the roll of `seed` and publishes it keeping `keep` versions;
/// returns what publishing did.
fn publish_keeping(root: &Path, seed: u64, keep: usize) -> publish::Published {
    let work = tempfile::tempdir().unwrap();
    let roll = work.path().join("roll.csv");
    let config = GeneratorConfig {
        seed,
        voters: 1_500,
        ..GeneratorConfig::default()
    };
    generate_files(&config, &roll, None).unwrap();
    let lock = publish::BuildLock::acquire(root).unwrap();
    let incoming = publish::incoming_dir(root);
    let outcome = build_artifact(&ArtifactRequest::new(&roll, &incoming), &|_| {}).unwrap();
    let published = publish::publish(root, &incoming, &outcome.manifest.version, keep).unwrap();
    drop(lock);
    next_second();
    published
}

#[tokio::test]
async fn pruning_never_removes_the_version_a_server_serves() {
    let root = tempfile::tempdir().unwrap();
    let served = publish_keeping(root.path(), 61, 2).dir;
    let served = served.file_name().unwrap().to_string_lossy().into_owned();
    let state = following(root.path());
    let report = state.reload(Trigger::Start, true).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Swapped { .. }),
        "{report:?}"
    );
    // Newer versions are published while this server stays on the first
    // (it has not looked yet).
    publish_keeping(root.path(), 62, 2);
    let third = publish_keeping(root.path(), 63, 2);
    assert_eq!(third.kept_in_use, std::slice::from_ref(&served));
    assert!(root.path().join(&served).is_dir());
    assert_eq!(publish::versions(root.path()).unwrap().len(), 3);
    // Once the server follows, the next build prunes it.
    state.reload(Trigger::Watch, false).await.unwrap();
    let fourth = publish_keeping(root.path(), 64, 2);
    assert!(fourth.removed.contains(&served), "{fourth:?}");
    assert_eq!(publish::versions(root.path()).unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_during_the_shutdown_delay_while_not_ready() {
    let index = voter_lookup::demo::build_demo_index(common::TEST_VOTERS, 5).unwrap();
    let state = Arc::new(
        AppState::new(IndexHandle::with_index(index)).with_shutdown_delay(Duration::from_secs(3)),
    );
    let server = TestServer::start_state(state.clone()).await;
    let http = server.http;
    let (status, _) = server.get_json("/readyz").await;
    assert_eq!(status, 200);
    let shutdown = tokio::spawn(server.shutdown());
    let deadline = Instant::now() + Duration::from_secs(2);
    while state.is_ready() {
        assert!(Instant::now() < deadline, "shutdown did not begin");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Within the delay: not ready, yet new connections are answered.
    let get = |path: &str| {
        let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        async move { raw_request(http, &request).await }
    };
    let (status, _, body) = get("/readyz").await;
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    let (status, _, body) = get("/v1/search?q=MARTIN").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(!shutdown.is_finished(), "still within the delay");
    shutdown.await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(http).await.is_err(),
        "after the drain nothing listens"
    );
}

#[tokio::test]
async fn a_rollback_the_root_cannot_record_is_pinned_in_the_server() {
    let root = tempfile::tempdir().unwrap();
    let good = publish_seed(root.path(), 71);
    let bad = publish_seed(root.path(), 72);
    let server = TestServer::start_state(following(root.path())).await;
    server.state.reload(Trigger::Start, true).await.unwrap();
    // Block the repointing of `current`: the new link's staging name is
    // taken by a directory (what a read-only root does to every write).
    let blocker = root.path().join(format!(".current-{}", std::process::id()));
    std::fs::create_dir_all(blocker.join("x")).unwrap();

    let report = server.state.rollback(false).await.unwrap();
    assert!(
        matches!(&report.outcome, Outcome::Swapped { to, .. } if *to == good),
        "{report:?}"
    );
    assert_eq!(
        publish::current_version(root.path()).unwrap().as_deref(),
        Some(bad.as_str())
    );
    let (_, ready) = server.get_json("/readyz").await;
    assert_eq!(ready["index_version"], good.as_str(), "{ready}");
    assert_eq!(ready["pinned"]["version"], good.as_str(), "{ready}");
    assert_eq!(ready["pinned"]["current"], bad.as_str(), "{ready}");

    // SIGHUP and the watch keep the rollback while `current` names the
    // version rolled back from.
    assert!(!server.state.new_version_published().await);
    let report = server.state.reload(Trigger::Signal, false).await.unwrap();
    assert!(
        matches!(report.outcome, Outcome::Unchanged { .. }),
        "{report:?}"
    );
    let (_, ready) = server.get_json("/readyz").await;
    assert_eq!(ready["index_version"], good.as_str(), "{ready}");

    // A new publication lifts the pin.
    std::fs::remove_dir_all(&blocker).unwrap();
    let newer = publish_seed(root.path(), 73);
    let report = server.state.reload(Trigger::Watch, false).await.unwrap();
    assert!(
        matches!(&report.outcome, Outcome::Swapped { to, .. } if *to == newer),
        "{report:?}"
    );
    let (_, ready) = server.get_json("/readyz").await;
    assert!(ready["pinned"].is_null(), "{ready}");
    server.shutdown().await;
}
