//! TLS on both doors, with certificates the tests make (rcgen): both doors
//! answer over TLS (HTTP/1.1 with a rustls client, gRPC with tonic's), a
//! certificate rotated on disk is served to new connections once reloaded
//! (and a broken one never replaces it), a client stalled in its handshake
//! holds up nobody and is closed, and plain text sent to a TLS port fails
//! without taking anything down. The last test sends SIGHUP to a real
//! `voter-lookup demo` process.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{TEST_VOTERS, TestServer, encode};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};
use voter_lookup::index::IndexHandle;
use voter_lookup::state::AppState;
use voter_lookup::transport::TransportConfig;
use voter_lookup::transport::tls::{TlsCertificates, TlsFiles};
use voter_lookup_proto::v1::SearchRequest;
use voter_lookup_proto::v1::voter_lookup_client::VoterLookupClient;

/// Longest any step of these tests may take before it counts as hung.
const BOUND: Duration = Duration::from_secs(10);

/// A self-signed certificate for `localhost`, as PEM and DER.
struct TestCert {
    cert_pem: String,
    key_pem: String,
    der: CertificateDer<'static>,
}

fn make_cert() -> TestCert {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    TestCert {
        cert_pem: made.cert.pem(),
        key_pem: made.signing_key.serialize_pem(),
        der: made.cert.der().clone(),
    }
}

/// Writes `cert` where `files` say (as an operator replaces them).
fn install(files: &TlsFiles, cert: &TestCert) {
    std::fs::write(&files.cert, &cert.cert_pem).unwrap();
    std::fs::write(&files.key, &cert.key_pem).unwrap();
}

fn files_in(dir: &Path) -> TlsFiles {
    TlsFiles {
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
    }
}

/// A rustls client trusting `roots`, offering `alpn`.
fn connector(roots: &[&TestCert], alpn: &[u8]) -> TlsConnector {
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root.der.clone()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(store)
    .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    // Every connection a full handshake: a resumed session shows the
    // certificate of the session it resumes.
    config.resumption = rustls::client::Resumption::disabled();
    TlsConnector::from(Arc::new(config))
}

type ClientStream = tokio_rustls::client::TlsStream<TcpStream>;

async fn tls_connect(addr: SocketAddr, connector: &TlsConnector) -> std::io::Result<ClientStream> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").unwrap();
    tokio::time::timeout(BOUND, connector.connect(name, tcp))
        .await
        .expect("the handshake ends in time")
}

/// The certificate the server presented on `stream`.
fn presented(stream: &ClientStream) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0].clone()
}

/// `GET path` over `stream`, closing after; the status and the body.
async fn https_get(mut stream: ClientStream, path: &str) -> (u16, String) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A peer that closes without close_notify ends in an error after the
    // whole answer; what was read is what counts.
    let _ = tokio::time::timeout(BOUND, stream.read_to_end(&mut answer))
        .await
        .expect("the answer ends in time");
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A gRPC client over TLS trusting `root`.
async fn grpc_tls(addr: SocketAddr, root: &TestCert) -> Result<VoterLookupClient<Channel>, String> {
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&root.cert_pem))
        .domain_name("localhost");
    let endpoint = Channel::from_shared(format!("https://{addr}"))
        .unwrap()
        .tls_config(tls)
        .map_err(|error| error.to_string())?
        .connect_timeout(BOUND);
    let channel = tokio::time::timeout(BOUND, endpoint.connect())
        .await
        .expect("connects or fails in time")
        .map_err(|error| format!("{error:?}"))?;
    Ok(VoterLookupClient::new(channel))
}

async fn search_over_grpc(client: &mut VoterLookupClient<Channel>, q: &str) -> usize {
    let answer = tokio::time::timeout(
        BOUND,
        client.search(SearchRequest {
            q: q.to_string(),
            birth_date: String::new(),
            limit: 5,
            ..Default::default()
        }),
    )
    .await
    .expect("answers in time")
    .expect("the search succeeds");
    answer.into_inner().results.len()
}

/// A server over the test roll speaking TLS with the files in `dir`.
async fn tls_server(dir: &Path, transport: TransportConfig) -> (TestServer, Arc<TlsCertificates>) {
    let tls = TlsCertificates::load(files_in(dir)).expect("the test certificate loads");
    let index =
        tokio::task::spawn_blocking(|| voter_lookup::demo::build_demo_index(TEST_VOTERS, 7))
            .await
            .unwrap()
            .unwrap();
    let state = Arc::new(AppState::new(IndexHandle::with_index(index)));
    let server = TestServer::start_with(state, transport, Some(tls.clone())).await;
    (server, tls)
}

fn example_query(server: &TestServer) -> String {
    let index = server.state.service.snapshot().unwrap();
    voter_lookup::demo::example_query(&index).unwrap().query
}

#[tokio::test]
async fn both_doors_answer_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let cert = make_cert();
    install(&files_in(dir.path()), &cert);
    let (server, _tls) = tls_server(dir.path(), TransportConfig::default()).await;
    let query = example_query(&server);

    let http = connector(&[&cert], b"http/1.1");
    let stream = tls_connect(server.http, &http).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(presented(&stream), cert.der);
    let (status, body) = https_get(stream, &format!("/v1/search?q={}", encode(&query))).await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(!json["results"].as_array().unwrap().is_empty(), "{body}");

    // The gRPC door negotiates h2 by ALPN, and tonic's own TLS client is
    // served.
    let h2 = connector(&[&cert], b"h2");
    let stream = tls_connect(server.grpc, &h2).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    drop(stream);
    let mut client = grpc_tls(server.grpc, &cert).await.unwrap();
    assert!(search_over_grpc(&mut client, &query).await > 0);

    server.shutdown().await;
}

#[tokio::test]
async fn a_certificate_rotated_on_disk_is_served_to_new_connections_once_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let files = files_in(dir.path());
    let first = make_cert();
    let second = make_cert();
    install(&files, &first);
    let (server, tls) = tls_server(dir.path(), TransportConfig::default()).await;
    let both = connector(&[&first, &second], b"http/1.1");
    let stream = tls_connect(server.http, &both).await.unwrap();
    assert_eq!(presented(&stream), first.der);
    drop(stream);

    // A broken certificate, then a certificate with another's key: each
    // reload fails naming the file, and the good certificate stays.
    std::fs::write(&files.cert, "not a certificate").unwrap();
    let error = tls.reload().unwrap_err();
    assert!(error.to_string().contains("server.crt"), "{error}");
    std::fs::write(&files.cert, &second.cert_pem).unwrap();
    std::fs::write(&files.key, &first.key_pem).unwrap();
    let error = tls.reload().unwrap_err();
    assert!(error.to_string().contains("server.key"), "{error}");
    let stream = tls_connect(server.http, &both).await.unwrap();
    assert_eq!(
        presented(&stream),
        first.der,
        "a broken reload changes nothing"
    );
    let (status, _) = https_get(stream, "/healthz").await;
    assert_eq!(status, 200);

    // A connection open before the rotation keeps working after it.
    let kept = tls_connect(server.http, &both).await.unwrap();
    install(&files, &second);
    tls.reload().unwrap();
    let stream = tls_connect(server.http, &both).await.unwrap();
    assert_eq!(
        presented(&stream),
        second.der,
        "the new certificate is served"
    );
    let (status, _) = https_get(stream, "/healthz").await;
    assert_eq!(status, 200);
    let (status, _) = https_get(kept, "/healthz").await;
    assert_eq!(status, 200);

    // On the gRPC door too: a client trusting only the new certificate is
    // served, one trusting only the old one is refused.
    let query = example_query(&server);
    let mut client = grpc_tls(server.grpc, &second).await.unwrap();
    assert!(search_over_grpc(&mut client, &query).await > 0);
    assert!(grpc_tls(server.grpc, &first).await.is_err());

    server.shutdown().await;
}

/// Opens, on each door, connections that send nothing, and one that sends
/// the start of a ClientHello (a record header announcing 512 bytes) and
/// stops.
async fn stall(server: &TestServer) -> Vec<TcpStream> {
    let mut stalled = Vec::new();
    for door in [server.http, server.grpc] {
        for _ in 0..3 {
            stalled.push(TcpStream::connect(door).await.unwrap());
        }
        let mut partial = TcpStream::connect(door).await.unwrap();
        partial
            .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
            .await
            .unwrap();
        stalled.push(partial);
    }
    stalled
}

#[tokio::test]
async fn clients_stalled_in_their_handshake_hold_up_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let cert = make_cert();
    install(&files_in(dir.path()), &cert);
    // Handshakes may take a minute: were any of them done in the accept
    // loop, the clients below would wait far longer than `BOUND`.
    let mut transport = TransportConfig::default();
    transport.http.header_read_timeout = Duration::from_secs(60);
    let (server, _tls) = tls_server(dir.path(), transport).await;
    let _stalled = stall(&server).await;

    let query = example_query(&server);
    let http = connector(&[&cert], b"http/1.1");
    for _ in 0..3 {
        let stream = tls_connect(server.http, &http).await.unwrap();
        let (status, _) = https_get(stream, &format!("/v1/search?q={}", encode(&query))).await;
        assert_eq!(status, 200);
        let mut client = grpc_tls(server.grpc, &cert).await.unwrap();
        assert!(search_over_grpc(&mut client, &query).await > 0);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_stalled_handshake_is_closed_within_the_header_read_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let cert = make_cert();
    install(&files_in(dir.path()), &cert);
    let mut transport = TransportConfig::default();
    transport.http.header_read_timeout = Duration::from_secs(1);
    let (server, _tls) = tls_server(dir.path(), transport).await;

    for mut stream in stall(&server).await {
        let mut bytes = [0u8; 64];
        let read = tokio::time::timeout(BOUND, stream.read(&mut bytes))
            .await
            .expect("a stalled handshake is closed within the header-read timeout");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }

    // A TLS connection that sends nothing after its handshake is closed
    // too on the gRPC door (no HTTP/2 preface), as a plain one is.
    let mut quiet = tls_connect(server.grpc, &connector(&[&cert], b"h2"))
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let _ = tokio::time::timeout(BOUND, quiet.read_to_end(&mut buffer))
        .await
        .expect("a silent gRPC connection is closed");

    // The door still serves.
    let stream = tls_connect(server.http, &connector(&[&cert], b"http/1.1"))
        .await
        .unwrap();
    assert_eq!(https_get(stream, "/healthz").await.0, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn plain_text_to_a_tls_port_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cert = make_cert();
    install(&files_in(dir.path()), &cert);
    let (server, _tls) = tls_server(dir.path(), TransportConfig::default()).await;

    // Plain HTTP: no plain answer, and the connection ends.
    let mut plain = TcpStream::connect(server.http).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(BOUND, plain.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection");
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");

    // Plain gRPC (h2c): the call fails.
    let plain_grpc = Channel::from_shared(format!("http://{}", server.grpc))
        .unwrap()
        .connect_timeout(BOUND)
        .connect_lazy();
    let mut plain_client = VoterLookupClient::new(plain_grpc);
    let call = tokio::time::timeout(
        BOUND,
        plain_client.search(SearchRequest {
            q: "martin".to_string(),
            birth_date: String::new(),
            limit: 1,
            ..Default::default()
        }),
    )
    .await
    .expect("the plain call fails in time");
    assert!(call.is_err());

    // Both doors still serve TLS clients.
    let stream = tls_connect(server.http, &connector(&[&cert], b"http/1.1"))
        .await
        .unwrap();
    assert_eq!(https_get(stream, "/healthz").await.0, 200);
    let query = example_query(&server);
    let mut client = grpc_tls(server.grpc, &cert).await.unwrap();
    assert!(search_over_grpc(&mut client, &query).await > 0);

    server.shutdown().await;
}

/// A `voter-lookup demo` process, killed when dropped.
struct Process {
    child: Child,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `voter-lookup demo` over TLS with `files`; its HTTP address once
/// it is ready.
fn start_demo(files: &TlsFiles) -> (Process, SocketAddr) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_voter-lookup"))
        .args(["demo", "--voters", "1000", "--http", "127.0.0.1:0"])
        .args(["--grpc", "127.0.0.1:0", "--log-format", "text"])
        .arg("--tls-cert")
        .arg(&files.cert)
        .arg("--tls-key")
        .arg(&files.key)
        .env("VOTER_LOOKUP_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let process = Process { child };
    let mut http = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("HTTP  https://") {
            http = rest.split('/').next().and_then(|addr| addr.parse().ok());
        }
        if line.starts_with("Ctrl-C stops the server") {
            break;
        }
    }
    (process, http.expect("the demo prints its https:// address"))
}

fn hang_up(process: &Process) {
    let status = Command::new("kill")
        .args(["-HUP", &process.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn sighup_reloads_the_certificate_of_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let files: TlsFiles = files_in(dir.path());
    let first = make_cert();
    let second = make_cert();
    install(&files, &first);
    let (process, http) = tokio::task::spawn_blocking({
        let files = files.clone();
        move || start_demo(&files)
    })
    .await
    .unwrap();
    let both = connector(&[&first, &second], b"http/1.1");
    let stream = tls_connect(http, &both).await.unwrap();
    assert_eq!(presented(&stream), first.der);
    drop(stream);

    // A broken certificate on SIGHUP: still the first one, still serving.
    std::fs::write(&files.cert, "-----BEGIN CERTIFICATE-----\ngarbage\n").unwrap();
    hang_up(&process);
    let stream = tls_connect(http, &both).await.unwrap();
    assert_eq!(presented(&stream), first.der);
    assert_eq!(https_get(stream, "/healthz").await.0, 200);
    install(&files, &second);
    hang_up(&process);
    // Signals are handled in the background: wait (bounded) for the new one.
    let mut served = None;
    for _ in 0..100 {
        let stream = tls_connect(http, &both).await.unwrap();
        if presented(&stream) == second.der {
            served = Some(stream);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stream = served.expect("the new certificate is served after SIGHUP");
    assert_eq!(https_get(stream, "/healthz").await.0, 200);
    drop(process);
}
