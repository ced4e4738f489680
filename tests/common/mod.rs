//! A server started inside a test: a small synthetic roll indexed in
//! memory, both doors on 127.0.0.1 with ports the system picks, stopped when
//! the test drops it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::pipeline::{ArtifactRequest, build_artifact};
use voter_core::publish;
use voter_lookup::index::{IndexHandle, LoadedIndex};
use voter_lookup::server::{Listeners, run};
use voter_lookup::state::AppState;
use voter_lookup::transport::TransportConfig;
use voter_lookup::transport::tls::TlsCertificates;

pub struct TestServer {
    pub http: SocketAddr,
    pub grpc: SocketAddr,
    pub state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Voters in the default test roll: enough for every quirk to occur a few
/// times, small enough to index in well under a second.
pub const TEST_VOTERS: usize = 3_000;

impl TestServer {
    /// A server over the demo roll of `voters` voters from `seed`.
    pub async fn start_generated(voters: usize, seed: u64) -> TestServer {
        let index =
            tokio::task::spawn_blocking(move || voter_lookup::demo::build_demo_index(voters, seed))
                .await
                .unwrap()
                .expect("the test index builds");
        TestServer::start(IndexHandle::with_index(index)).await
    }

    /// A server over an index loaded from an artifact directory.
    pub async fn start_artifact(dir: &std::path::Path) -> TestServer {
        let index = LoadedIndex::from_artifact(dir).expect("the artifact loads");
        TestServer::start(IndexHandle::with_index(index)).await
    }

    /// A server over `index` (which may hold no index yet).
    pub async fn start(index: IndexHandle) -> TestServer {
        TestServer::start_state(Arc::new(AppState::new(index))).await
    }

    /// A server over a prepared state.
    pub async fn start_state(state: Arc<AppState>) -> TestServer {
        TestServer::start_limited(state, TransportConfig::default()).await
    }

    /// A server over a prepared state, with `transport` limits on its
    /// connections.
    pub async fn start_limited(state: Arc<AppState>, transport: TransportConfig) -> TestServer {
        TestServer::start_with(state, transport, None).await
    }

    /// A server over a prepared state, with `transport` limits, speaking
    /// TLS with `tls` on both doors when given.
    pub async fn start_with(
        state: Arc<AppState>,
        transport: TransportConfig,
        tls: Option<Arc<TlsCertificates>>,
    ) -> TestServer {
        let listeners = Listeners::bind(
            "127.0.0.1:0".parse().unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap()
        .with_transport(transport)
        .with_tls(tls);
        let (http, grpc) = listeners.local_addrs().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(
            state.clone(),
            listeners,
            async move {
                let _ = stopped.await;
            },
            Duration::from_secs(5),
        ));
        TestServer {
            http,
            grpc,
            state,
            stop: Some(stop),
            task: Some(tokio::spawn(async move {
                task.await.unwrap().unwrap();
            })),
        }
    }

    /// Begins shutdown and waits for the server to finish draining.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// A gRPC client connected to the server.
    pub async fn grpc_client(
        &self,
    ) -> voter_lookup_proto::v1::voter_lookup_client::VoterLookupClient<tonic::transport::Channel>
    {
        voter_lookup_proto::v1::voter_lookup_client::VoterLookupClient::connect(format!(
            "http://{}",
            self.grpc
        ))
        .await
        .expect("grpc connects")
    }

    /// `GET path` over HTTP/1.1; returns the status and the body parsed as
    /// JSON.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, _headers, body) = self.get(path).await;
        let json = serde_json::from_slice(&body).unwrap_or_else(|error| {
            panic!(
                "GET {path}: body is not JSON ({error}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        (status, json)
    }

    /// `GET path` over HTTP/1.1; returns status, headers (lower-case names)
    /// and body.
    pub async fn get(&self, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        raw_request(
            self.http,
            &format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"),
        )
        .await
    }
}

/// Sends a raw HTTP/1.1 request and reads the whole response (the request
/// must ask the server to close the connection).
pub async fn raw_request(addr: SocketAddr, request: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("http connects");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let body = response[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    (status, headers, body)
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Generates the roll `config` describes, builds it and publishes it under
/// `root` (which then names it `current`, keeping five versions); returns
/// its version.
pub fn publish_generated(root: &Path, config: &GeneratorConfig) -> String {
    let work = tempfile::tempdir().unwrap();
    let roll = work.path().join("roll.csv");
    generate_files(config, &roll, None).unwrap();
    std::fs::create_dir_all(root).unwrap();
    let incoming = publish::incoming_dir(root);
    let outcome = build_artifact(&ArtifactRequest::new(&roll, &incoming), &|_| {}).unwrap();
    publish::publish(root, &incoming, &outcome.manifest.version, 5).unwrap();
    outcome.manifest.version
}
