//! Attacks on the transport, each while a staff client keeps looking
//! voters up (issue 18): path spellings that walked around the rate limits,
//! half-sent HTTP requests (slowloris), a thousand idle connections from
//! one client, oversized headers and gRPC messages, bursts of HTTP/2
//! stream resets written as raw frames. During each attack every staff
//! lookup must answer `200`, and their median latency must stay within a
//! generous bound of the same lookups without the attack.
//!
//! Everything runs on loopback and stops by itself: attacks are bounded in
//! count, every wait has a timeout. The attacks that need an address of
//! their own (the per-client caps would otherwise count the staff client
//! too) come from 127.0.0.2, which Linux routes to loopback like
//! 127.0.0.1.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestServer, raw_request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tonic::codegen::http::uri::PathAndQuery;
use voter_lookup::admission::rate::RateConfig;
use voter_lookup::admission::{Admission, AdmissionConfig, Class};
use voter_lookup::index::IndexHandle;
use voter_lookup::server::AppState;
use voter_lookup::transport::TransportConfig;
use voter_lookup_proto::v1::{ReloadReply, SearchRequest, SearchResponse};

const STAFF_KEY: &str = "staff-desk-0001";
const ADMIN_TOKEN: &str = "admin-token-for-abuse-tests";
/// Voters in the roll: small, the attacks are about the transport.
const VOTERS: usize = 2_000;

/// A started server and a lookup its roll answers.
struct Target {
    server: TestServer,
    /// `GET` path of a search for a voter of the roll.
    search: String,
    /// The voter's station code and order number.
    station: String,
    order: u32,
}

async fn target(transport: TransportConfig, anonymous: RateConfig) -> Target {
    let index = tokio::task::spawn_blocking(|| voter_lookup::demo::build_demo_index(VOTERS, 18))
        .await
        .unwrap()
        .expect("the test index builds");
    let example = voter_lookup::demo::example_query(&index)
        .expect("the roll has canaries")
        .clone();
    let mut admission = AdmissionConfig::default();
    admission.api_keys.insert(STAFF_KEY.into(), Class::Staff);
    admission.rates[Class::Anonymous.rank()] = anonymous;
    let state = AppState::new(IndexHandle::with_index(index))
        .with_admission(Admission::new(admission))
        .with_admin_token(Some(ADMIN_TOKEN.into()));
    let server = TestServer::start_limited(Arc::new(state), transport).await;
    Target {
        server,
        search: format!("/v1/search?q={}", common::encode(&example.query)),
        station: example.station_code,
        order: example.order_number,
    }
}

fn default_rates() -> RateConfig {
    RateConfig::default_for(Class::Anonymous)
}

/// `GET path` with the staff key; the status, headers and body.
async fn staff_get(addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: t\r\nX-Api-Key: {STAFF_KEY}\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) =
        tokio::time::timeout(Duration::from_secs(10), raw_request(addr, &request))
            .await
            .unwrap_or_else(|_| panic!("staff GET {path}: no answer within 10 s"));
    (status, body)
}

/// `count` staff lookups in a row; their statuses and latencies.
async fn staff_lookups(target: &Target, count: usize) -> Vec<(u16, Duration)> {
    let mut answers = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let (status, _) = staff_get(target.server.http, &target.search).await;
        answers.push((status, started.elapsed()));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    answers
}

fn median(answers: &[(u16, Duration)]) -> Duration {
    let mut latencies: Vec<Duration> = answers.iter().map(|(_, latency)| *latency).collect();
    latencies.sort();
    latencies[latencies.len() / 2]
}

/// Every staff lookup under attack answered 200, and their median is
/// within ten times the median without the attack plus 250 ms: loose
/// enough for a noisy shared machine, tight enough to catch a server
/// that answers staff only after the attack is over.
fn assert_staff_served(attack: &str, baseline: &[(u16, Duration)], under: &[(u16, Duration)]) {
    assert!(
        baseline.iter().all(|(status, _)| *status == 200),
        "{attack}: staff lookups fail even without the attack: {baseline:?}"
    );
    let refused: Vec<_> = under.iter().filter(|(status, _)| *status != 200).collect();
    assert!(
        refused.is_empty(),
        "{attack}: staff lookups refused during the attack: {refused:?}"
    );
    eprintln!(
        "{attack}: staff median {:?} without the attack, {:?} during it",
        median(baseline),
        median(under)
    );
    let bound = median(baseline) * 10 + Duration::from_millis(250);
    assert!(
        median(under) <= bound,
        "{attack}: staff median {:?} during the attack, {:?} without (bound {bound:?})",
        median(under),
        median(baseline)
    );
}

/// A connection from `source` (another loopback address) to `addr`.
async fn connect_from(source: &str, addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{source}:0").parse().unwrap())?;
    socket.connect(addr).await
}

/// True once the server closed `stream` (or answered and closed it); false
/// while it is open and silent.
fn closed_by_server(stream: &TcpStream) -> bool {
    let mut buffer = [0u8; 512];
    match stream.try_read(&mut buffer) {
        Ok(_) => true,
        Err(error) => error.kind() != std::io::ErrorKind::WouldBlock,
    }
}

// ---------------------------------------------------------------------
// Path spellings.

#[tokio::test]
async fn every_spelling_of_a_route_is_governed_like_it_or_refused() {
    // One request a second per anonymous client, bursts of two.
    let rates = RateConfig {
        per_client: std::num::NonZeroU32::new(1),
        total: None,
    };
    let target = target(TransportConfig::default(), rates).await;
    let http = target.server.http;
    let voters = format!("/v1/voters/{}/{}", target.station, target.order);
    let (status, canonical) = staff_get(http, &voters).await;
    assert_eq!(status, 200);
    let baseline = staff_lookups(&target, 10).await;

    // The attack of the issue: the same lookup with a doubled slash, 60
    // times from one anonymous address. It must be rate limited like the
    // path with one slash.
    let attack = async {
        let doubled = format!("/{voters}");
        let mut statuses = Vec::new();
        for _ in 0..60 {
            let (status, _, _) = raw_request(
                http,
                &format!("GET {doubled} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
            )
            .await;
            statuses.push(status);
        }
        statuses
    };
    let (statuses, under) = tokio::join!(attack, staff_lookups(&target, 20));
    assert_staff_served("doubled slashes", &baseline, &under);
    let limited = statuses.iter().filter(|status| **status == 429).count();
    let served = statuses.iter().filter(|status| **status == 200).count();
    assert_eq!(limited + served, statuses.len(), "{statuses:?}");
    assert!(
        limited >= 40,
        "`//v1/voters/…` must be rate limited like `/v1/voters/…`: {served} served, {limited} refused"
    );

    // Every spelling: for staff, the canonical answer or a 404; for the
    // anonymous client whose budget is spent, a 429 or a 404, never an
    // answer. The budget refills at one a second: allow that.
    let spellings = [
        (format!("/{voters}"), true),
        (voters.replacen("/v1/", "/v1//", 1), false),
        (format!("{voters}/"), true),
        (format!("//{voters}//"), true),
        (voters.replacen("voters", "%76oters", 1), true),
        (voters.replacen("/v1/voters/", "/v1%2Fvoters/", 1), false),
        (voters.replacen("/v1/voters/", "/v1/voters%2F", 1), false),
        (voters.replacen("/v1/", "/V1/", 1), false),
        (voters.replacen("/v1/", "/v1/./", 1), false),
        (voters.replacen("/v1/", "/v1/x/../", 1), false),
        (voters.replacen("/v1/", "/v1/%2e/", 1), false),
        (voters.replacen("/v1/", "/v1/%2E%2E/v1/", 1), false),
    ];
    let started = Instant::now();
    let mut anonymous_answers = 0;
    for (path, same) in &spellings {
        let (status, body) = staff_get(http, path).await;
        if *same {
            assert_eq!(status, 200, "{path}");
            assert_eq!(body, canonical, "{path}: answered unlike {voters}");
        } else {
            assert!(
                status == 404 || status == 400,
                "{path}: {status}, {}",
                String::from_utf8_lossy(&body)
            );
        }
        let (status, _, body) = raw_request(
            http,
            &format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
        )
        .await;
        match status {
            429 | 404 | 400 => {}
            200 => {
                assert!(*same, "{path}: served though refused to staff");
                assert_eq!(body, canonical, "{path}");
                anonymous_answers += 1;
            }
            other => panic!("{path}: unexpected status {other}"),
        }
    }
    let refills = 1 + started.elapsed().as_secs() as usize;
    assert!(
        anonymous_answers <= refills,
        "{anonymous_answers} spellings served past a spent budget (refills allow {refills})"
    );

    // The search too: its spellings are governed, and the metrics count
    // them as searches.
    let (status, _) = staff_get(
        http,
        &target.search.replacen("/v1/search", "//v1/search/", 1),
    )
    .await;
    assert_eq!(status, 200);
    let (_, metrics) = staff_get(http, "//metrics").await;
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("voter_lookup_requests_total")
                && line.contains("door=\"http\"")
                && line.contains("method=\"search\"")),
        "searches are counted as such"
    );

    // gRPC paths are matched exactly: another spelling is no method.
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", target.server.grpc))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.unwrap();
    let codec = tonic_prost::ProstCodec::<SearchRequest, SearchResponse>::default();
    let error = client
        .unary(
            tonic::Request::new(SearchRequest {
                q: "MARTIN".into(),
                ..SearchRequest::default()
            }),
            PathAndQuery::from_static("//voterlookup.v1.VoterLookup/Search"),
            codec,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), tonic::Code::Unimplemented, "{error:?}");
    target.server.shutdown().await;
}

// ---------------------------------------------------------------------
// Half-sent requests.

#[tokio::test]
async fn half_sent_requests_are_closed_after_the_header_read_timeout() {
    let mut transport = TransportConfig::default();
    transport.http.header_read_timeout = Duration::from_millis(500);
    let target = target(transport, default_rates()).await;
    let http = target.server.http;
    let baseline = staff_lookups(&target, 10).await;

    // 100 connections each send the start of a request, then one more
    // byte of a header every 100 ms, for at most 5 s.
    let started = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..100 {
        let mut stream = TcpStream::connect(http).await.unwrap();
        stream
            .write_all(b"GET /v1/search?q=MARTIN HTTP/1.1\r\nHost: t\r\n")
            .await
            .unwrap();
        slow.push(tokio::spawn(async move {
            let mut buffer = [0u8; 256];
            let opened = Instant::now();
            while opened.elapsed() < Duration::from_secs(5) {
                if stream.write_all(b"X").await.is_err() {
                    return Some(opened.elapsed());
                }
                match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer))
                    .await
                {
                    Ok(Ok(0)) | Ok(Err(_)) => return Some(opened.elapsed()),
                    Ok(Ok(_)) => {}
                    Err(_) => {}
                }
            }
            None
        }));
    }
    let under = staff_lookups(&target, 20).await;
    let mut lifetimes = Vec::new();
    for task in slow {
        lifetimes.push(task.await.unwrap());
    }
    assert_staff_served("half-sent requests", &baseline, &under);
    let kept = lifetimes.iter().filter(|closed| closed.is_none()).count();
    assert_eq!(
        kept, 0,
        "{kept} of 100 half-sent requests kept open for 5 s"
    );
    let longest = lifetimes.iter().flatten().max().unwrap();
    assert!(
        *longest < Duration::from_secs(3),
        "a half-sent request was kept {longest:?} (timeout 500 ms)"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    target.server.shutdown().await;
}

// ---------------------------------------------------------------------
// A thousand idle connections.

/// Counts, polling for up to `within`, until at most `limit` of `streams`
/// are still open; returns how many are.
async fn open_after(streams: &[TcpStream], limit: usize, within: Duration) -> usize {
    let started = Instant::now();
    loop {
        let open = streams
            .iter()
            .filter(|stream| !closed_by_server(stream))
            .count();
        if open <= limit || started.elapsed() > within {
            return open;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_thousand_idle_connections_from_one_client_are_capped_then_closed() {
    let mut transport = TransportConfig {
        max_connections_per_client: 100,
        ..TransportConfig::default()
    };
    transport.http.header_read_timeout = Duration::from_secs(2);
    let target = target(transport, default_rates()).await;
    let baseline = staff_lookups(&target, 10).await;

    // 1,000 connections to the HTTP door and 300 to the gRPC door from
    // 127.0.0.2, sending nothing.
    let mut http_idle = Vec::new();
    for _ in 0..1000 {
        http_idle.push(connect_from("127.0.0.2", target.server.http).await.unwrap());
    }
    let mut grpc_idle = Vec::new();
    for _ in 0..300 {
        grpc_idle.push(connect_from("127.0.0.2", target.server.grpc).await.unwrap());
    }
    let under = staff_lookups(&target, 20).await;
    assert_staff_served("a thousand idle connections", &baseline, &under);

    // The last connections are over the cap: told why, then closed.
    for stream in http_idle.iter_mut().rev().take(3) {
        let mut answer = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
        assert!(
            matches!(read, Ok(Ok(_))) && answer.starts_with(b"HTTP/1.1 503"),
            "a connection over the cap gets a 503 and is closed: {read:?}, {:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    let open = open_after(&http_idle, 100, Duration::from_secs(1)).await;
    assert!(
        open <= 100,
        "{open} idle HTTP connections kept from one address (cap 100)"
    );
    let open = open_after(&grpc_idle, 100, Duration::from_secs(1)).await;
    assert!(
        open <= 100,
        "{open} idle gRPC connections kept from one address (cap 100)"
    );

    // The connections kept are closed by the header-read timeout.
    let open = open_after(&http_idle, 0, Duration::from_secs(6)).await;
    assert_eq!(
        open, 0,
        "idle HTTP connections outlive the header-read timeout"
    );
    let open = open_after(&grpc_idle, 0, Duration::from_secs(6)).await;
    assert_eq!(
        open, 0,
        "silent gRPC connections outlive the header-read timeout"
    );
    drop(http_idle);
    drop(grpc_idle);
    target.server.shutdown().await;
}

// ---------------------------------------------------------------------
// Oversized headers and messages.

#[tokio::test]
async fn oversized_headers_are_refused_with_431() {
    let target = target(TransportConfig::default(), default_rates()).await;
    let http = target.server.http;
    let baseline = staff_lookups(&target, 10).await;
    let search = target.search.clone();
    let attack = async {
        let mut statuses = Vec::new();
        for round in 0..40 {
            let headers = if round % 2 == 0 {
                // One header of 20 KiB.
                format!("X-Big: {}\r\n", "a".repeat(20 * 1024))
            } else {
                // 80 small headers.
                (0..80).map(|i| format!("X-H{i}: {i}\r\n")).collect()
            };
            let request =
                format!("GET {search} HTTP/1.1\r\nHost: t\r\n{headers}Connection: close\r\n\r\n");
            let mut stream = TcpStream::connect(http).await.unwrap();
            let _ = stream.write_all(request.as_bytes()).await;
            let mut answer = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
            statuses.push(
                String::from_utf8_lossy(&answer)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
        }
        statuses
    };
    let (statuses, under) = tokio::join!(attack, staff_lookups(&target, 20));
    assert_staff_served("oversized headers", &baseline, &under);
    for (round, status) in statuses.iter().enumerate() {
        if round % 2 == 0 {
            // The server may close before it has read the whole header,
            // and the reset can then overtake its 431.
            assert!(
                status.starts_with("HTTP/1.1 431") || status.is_empty(),
                "round {round} (a 20 KiB header): {status:?}"
            );
        } else {
            assert!(
                status.starts_with("HTTP/1.1 431"),
                "round {round} (80 headers): {status:?}"
            );
        }
    }
    // A request of ordinary size and 30 headers is still served.
    let headers: String = (0..30).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let (status, _, _) = raw_request(
        http,
        &format!(
            "GET {} HTTP/1.1\r\nHost: t\r\nX-Api-Key: {STAFF_KEY}\r\n{headers}Connection: close\r\n\r\n",
            target.search
        ),
    )
    .await;
    assert_eq!(status, 200);
    target.server.shutdown().await;
}

async fn grpc_channel(addr: SocketAddr) -> tonic::client::Grpc<tonic::transport::Channel> {
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

/// A `SearchRequest` of `bytes` query bytes sent to `path`, as raw
/// protobuf whatever the method expects.
async fn send_search_bytes(
    addr: SocketAddr,
    path: &'static str,
    bytes: usize,
    token: Option<&str>,
) -> tonic::Status {
    let mut client = grpc_channel(addr).await;
    client.ready().await.unwrap();
    let mut request = tonic::Request::new(SearchRequest {
        q: "A".repeat(bytes),
        ..SearchRequest::default()
    });
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let codec = tonic_prost::ProstCodec::<SearchRequest, ReloadReply>::default();
    client
        .unary(request, PathAndQuery::from_static(path), codec)
        .await
        .expect_err("an oversized or unauthorised call fails")
}

#[tokio::test]
async fn oversized_grpc_messages_are_refused_before_they_are_decoded() {
    let target = target(TransportConfig::default(), default_rates()).await;
    let grpc = target.server.grpc;
    let baseline = staff_lookups(&target, 10).await;
    let attack = async {
        let mut codes = Vec::new();
        for _ in 0..10 {
            // A search of 64 KiB: more than any query, refused unread.
            let status =
                send_search_bytes(grpc, "/voterlookup.v1.VoterLookup/Search", 64 * 1024, None)
                    .await;
            codes.push(("search of 64 KiB", status.code()));
            // An admin call of 5 MiB without a token: refused for the
            // token, before its body is decoded.
            let status =
                send_search_bytes(grpc, "/voterlookup.v1.Admin/Reload", 5 << 20, None).await;
            codes.push(("admin call of 5 MiB without a token", status.code()));
            // With the token, 16 KiB is still far too large for a flag.
            let status = send_search_bytes(
                grpc,
                "/voterlookup.v1.Admin/Reload",
                16 * 1024,
                Some(ADMIN_TOKEN),
            )
            .await;
            codes.push(("admin call of 16 KiB", status.code()));
        }
        codes
    };
    let (codes, under) = tokio::join!(attack, staff_lookups(&target, 20));
    assert_staff_served("oversized gRPC messages", &baseline, &under);
    for (what, code) in codes {
        let expected = if what.contains("without a token") {
            tonic::Code::Unauthenticated
        } else {
            tonic::Code::OutOfRange
        };
        assert_eq!(code, expected, "{what}");
    }
    // An ordinary search still works over gRPC, for staff.
    let mut client = target.server.grpc_client().await;
    let mut request = tonic::Request::new(SearchRequest {
        q: "MARTIN".into(),
        ..SearchRequest::default()
    });
    request
        .metadata_mut()
        .insert("x-api-key", STAFF_KEY.parse().unwrap());
    client
        .search(request)
        .await
        .expect("a normal search is served");
    target.server.shutdown().await;
}

// ---------------------------------------------------------------------
// Bursts of HTTP/2 stream resets, as raw frames.

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
/// GOAWAY's `ENHANCE_YOUR_CALM`.
const ENHANCE_YOUR_CALM: u32 = 0xb;

fn frame(out: &mut Vec<u8>, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
    let length = payload.len() as u32;
    out.extend_from_slice(&length.to_be_bytes()[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
}

/// An HPACK literal field without indexing, its name from the static
/// table (index below 15), value shorter than 127 bytes, no Huffman.
fn literal(out: &mut Vec<u8>, name_index: u8, value: &str) {
    out.push(name_index);
    out.push(value.len() as u8);
    out.extend_from_slice(value.as_bytes());
}

/// The header block of a gRPC `Search` call.
fn search_headers() -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    literal(&mut block, 4, "/voterlookup.v1.VoterLookup/Search"); // :path
    literal(&mut block, 1, "localhost"); // :authority
    block.extend_from_slice(&[0x0f, 0x10]); // content-type (index 31)
    block.push(16);
    block.extend_from_slice(b"application/grpc");
    block.extend_from_slice(&[0x00, 2]);
    block.extend_from_slice(b"te");
    block.push(8);
    block.extend_from_slice(b"trailers");
    block
}

/// A header block without `:method`: a malformed request, which the
/// server answers by resetting the stream.
fn malformed_headers() -> Vec<u8> {
    let mut block = vec![0x86];
    literal(&mut block, 4, "/voterlookup.v1.VoterLookup/Search");
    literal(&mut block, 1, "localhost");
    block
}

/// Writes `burst` (after the preface and empty settings) and reads frames
/// until a GOAWAY, the end of the connection or 5 s; returns the GOAWAY's
/// error code, if one came.
async fn burst_until_goaway(addr: SocketAddr, burst: &[u8]) -> Option<u32> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut opening = PREFACE.to_vec();
    frame(&mut opening, SETTINGS, 0, 0, &[]);
    stream.write_all(&opening).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let burst = burst.to_vec();
    let writing = tokio::spawn(async move {
        // The server may close before it has read everything.
        let _ = writer.write_all(&burst).await;
        writer
    });
    let mut buffer = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    let code = loop {
        let mut chunk = [0u8; 16 * 1024];
        let read = match tokio::time::timeout_at(deadline.into(), reader.read(&mut chunk)).await {
            Err(_) | Ok(Err(_)) | Ok(Ok(0)) => break None,
            Ok(Ok(n)) => n,
        };
        buffer.extend_from_slice(&chunk[..read]);
        let mut at = 0;
        let mut goaway = None;
        while buffer.len() >= at + 9 {
            let length =
                u32::from_be_bytes([0, buffer[at], buffer[at + 1], buffer[at + 2]]) as usize;
            if buffer.len() < at + 9 + length {
                break;
            }
            if buffer[at + 3] == GOAWAY && length >= 8 {
                let payload = &buffer[at + 9..at + 9 + length];
                goaway = Some(u32::from_be_bytes([
                    payload[4], payload[5], payload[6], payload[7],
                ]));
            }
            at += 9 + length;
        }
        buffer.drain(..at);
        if goaway.is_some() {
            break goaway;
        }
    };
    writing.abort();
    code
}

#[tokio::test]
async fn bursts_of_stream_resets_close_the_connection() {
    let target = target(TransportConfig::default(), default_rates()).await;
    let grpc = target.server.grpc;
    let baseline = staff_lookups(&target, 10).await;

    // Rapid reset: open a Search stream and cancel it at once, 2,000 times.
    let mut rapid = Vec::new();
    let headers = search_headers();
    for i in 0..2000u32 {
        let id = 2 * i + 1;
        frame(&mut rapid, HEADERS, END_HEADERS, id, &headers);
        frame(&mut rapid, RST_STREAM, 0, id, &8u32.to_be_bytes()); // CANCEL
    }
    // Made-you-reset: 500 malformed requests, each of which the server
    // must reset itself.
    let mut provoked = Vec::new();
    let headers = malformed_headers();
    for i in 0..500u32 {
        frame(
            &mut provoked,
            HEADERS,
            END_HEADERS | END_STREAM,
            2 * i + 1,
            &headers,
        );
    }
    let attack = async {
        let mut codes = Vec::new();
        for _ in 0..3 {
            codes.push(("rapid reset", burst_until_goaway(grpc, &rapid).await));
            codes.push(("provoked resets", burst_until_goaway(grpc, &provoked).await));
        }
        codes
    };
    let (codes, under) = tokio::join!(attack, staff_lookups(&target, 20));
    assert_staff_served("bursts of stream resets", &baseline, &under);
    for (what, code) in codes {
        assert_eq!(
            code,
            Some(ENHANCE_YOUR_CALM),
            "{what}: the connection must be closed with GOAWAY ENHANCE_YOUR_CALM"
        );
    }
    // The gRPC door still serves.
    let mut client = target.server.grpc_client().await;
    let mut request = tonic::Request::new(SearchRequest {
        q: "MARTIN".into(),
        ..SearchRequest::default()
    });
    request
        .metadata_mut()
        .insert("x-api-key", STAFF_KEY.parse().unwrap());
    client
        .search(request)
        .await
        .expect("the gRPC door still serves");
    target.server.shutdown().await;
}
