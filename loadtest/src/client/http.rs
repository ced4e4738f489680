//! The HTTP/JSON door from the client's side: HTTP/1.1 over a pool of
//! keep-alive connections, one `GET` per request, each request written and
//! its answer read by the request's own task.
//!
//! Why not hyper's pooled client: it hands every request to a separate
//! connection task through channels and spawns more connections than the
//! load needs; on one core it topped out near 23,000 requests a second
//! against a server that does nothing, under half of what the rehearsal
//! must offer. Here a request borrows an idle connection (or opens one),
//! writes its head in one call and reads the answer with `httparse`, the
//! parser hyper itself uses: no task or channel between the request and
//! its socket, as in `wrk`. Answers are framed by `Content-Length` or
//! chunked encoding; a connection goes back to the pool only after a
//! complete answer that did not ask to close it. A reused connection that
//! the server closed while idle is retried once on a fresh one (the
//! requests are `GET`s, safe to repeat).
//!
//! Classification: `200` is ok, or degraded when the body says
//! `"degraded": true`; `429` is rate limited; `503` with the error code
//! `overloaded` and `504` are shed; `503 index_not_ready` and every other
//! status, a broken connection, or no answer by the harness's deadline are
//! errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};
use hyper::http::uri::PathAndQuery;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::tls::{ClientStream, ClientTls};
use super::{ClientError, ClientOptions, GRACE, Target};
use crate::record::{ErrorCause, Outcome};
use crate::traffic::Query;

/// The header carrying a client's API key.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
/// The header carrying a request's deadline, in milliseconds.
pub const TIMEOUT_HEADER: HeaderName = HeaderName::from_static("x-request-timeout");

/// Most headers an answer may carry.
const MAX_HEADERS: usize = 64;
/// Largest answer head accepted, in bytes.
const MAX_HEAD: usize = 64 * 1024;
/// Room reserved for each read.
const READ_CHUNK: usize = 16 * 1024;

/// A request ready to send: its head up to, not including, the API key
/// and the blank line that ends it.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    head: Bytes,
}

/// A keep-alive HTTP/1.1 client of one server.
#[derive(Clone)]
pub struct HttpClient {
    pool: Arc<Pool>,
    base: String,
    timeout: Duration,
    limit: Option<u32>,
    departement: Option<String>,
}

/// Idle connections to the target.
struct Pool {
    authority: String,
    tls: Option<ClientTls>,
    idle: Mutex<Vec<Connection>>,
}

/// One connection and the buffer its answers are read into.
struct Connection {
    stream: ClientStream,
    buffer: BytesMut,
}

/// Why an exchange failed (all count as transport errors).
#[derive(Debug)]
enum ExchangeError {
    /// The connection closed or failed before any byte of the answer.
    BeforeAnswer,
    /// It broke during the answer, or the answer is not HTTP/1.1 as
    /// expected.
    Broken,
}

impl From<std::io::Error> for ExchangeError {
    fn from(_: std::io::Error) -> ExchangeError {
        ExchangeError::Broken
    }
}

/// A complete answer.
struct Answer {
    status: StatusCode,
    body: Bytes,
    reusable: bool,
}

impl HttpClient {
    /// A client of `target` with `options.connections` connections open
    /// (the first one checks that something listens there); more are
    /// opened during the run when all are busy.
    pub async fn connect(
        target: &Target,
        options: &ClientOptions,
    ) -> Result<HttpClient, ClientError> {
        let tls = options.tls.as_ref();
        let connect = Connection::open(&target.authority, tls);
        let first = match tokio::time::timeout(options.timeout, connect).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => {
                return Err(ClientError::Connect {
                    target: target.to_string(),
                    message: error.to_string(),
                });
            }
            Err(_) => {
                return Err(ClientError::Connect {
                    target: target.to_string(),
                    message: format!("no connection within {:?}", options.timeout),
                });
            }
        };
        let mut idle = vec![first];
        while idle.len() < options.connections {
            match Connection::open(&target.authority, tls).await {
                Ok(connection) => idle.push(connection),
                // The run opens more as it needs them, and says if it cannot.
                Err(_) => break,
            }
        }
        Ok(HttpClient {
            pool: Arc::new(Pool {
                authority: target.authority.clone(),
                tls: options.tls.clone(),
                idle: Mutex::new(idle),
            }),
            base: target.prefix.clone(),
            timeout: options.timeout,
            limit: options.limit,
            departement: options.departement.clone(),
        })
    }

    /// `GET {prefix}/v1/search?q=…[&birth_date=…][&limit=…][&departement=…]`.
    pub fn prepare_search(&self, query: &Query) -> Result<HttpRequest, ClientError> {
        self.prepare_path(&search_path(query, self.limit, self.departement.as_deref()))
    }

    /// `GET {prefix}{path}`, e.g. `/healthz`.
    pub fn prepare_path(&self, path: &str) -> Result<HttpRequest, ClientError> {
        let full = format!("{}{path}", self.base);
        if !full.starts_with('/') {
            return Err(ClientError::Encode(format!(
                "`{path}`: a request path starts with `/`"
            )));
        }
        let checked: PathAndQuery = full
            .parse()
            .map_err(|error| ClientError::Encode(format!("`{path}`: {error}")))?;
        let head = format!(
            "GET {checked} HTTP/1.1\r\nhost: {}\r\n{TIMEOUT_HEADER}: {}\r\n",
            self.pool.authority,
            self.timeout.as_millis().max(1),
        );
        Ok(HttpRequest {
            head: Bytes::from(head),
        })
    }

    /// Sends one request and classifies its answer.
    pub async fn send(&self, request: HttpRequest, api_key: Option<&HeaderValue>) -> Outcome {
        let mut bytes = Vec::with_capacity(request.head.len() + 64);
        bytes.extend_from_slice(&request.head);
        if let Some(key) = api_key {
            bytes.extend_from_slice(API_KEY_HEADER.as_str().as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(key.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        match tokio::time::timeout(self.timeout + GRACE, self.exchange(&bytes)).await {
            Err(_) => Outcome::Error(ErrorCause::Timeout),
            Ok(Err(_)) => Outcome::Error(ErrorCause::Transport),
            Ok(Ok(answer)) => classify(answer.status, &answer.body),
        }
    }

    /// Writes `request` on an idle connection (or a new one) and reads the
    /// answer; retries once on a new connection when a reused one turns out
    /// to have been closed.
    async fn exchange(&self, request: &[u8]) -> Result<Answer, ExchangeError> {
        if let Some(mut connection) = self.pool.take() {
            match connection.exchange(request).await {
                Ok(answer) => {
                    self.pool.give_back(connection, answer.reusable);
                    return Ok(answer);
                }
                Err(ExchangeError::BeforeAnswer) => {}
                Err(broken) => return Err(broken),
            }
        }
        let mut connection = Connection::open(&self.pool.authority, self.pool.tls.as_ref())
            .await
            .map_err(|_| ExchangeError::BeforeAnswer)?;
        let answer = connection.exchange(request).await?;
        self.pool.give_back(connection, answer.reusable);
        Ok(answer)
    }
}

impl Pool {
    fn take(&self) -> Option<Connection> {
        self.lock().pop()
    }

    fn give_back(&self, connection: Connection, reusable: bool) {
        if reusable {
            self.lock().push(connection);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // Nothing panics while holding it; if something did, the idle list
        // is still a valid list.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Connection {
    async fn open(authority: &str, tls: Option<&ClientTls>) -> std::io::Result<Connection> {
        let tcp = TcpStream::connect(authority).await?;
        tcp.set_nodelay(true)?;
        let stream = match tls {
            None => ClientStream::Plain(tcp),
            Some(tls) => tls.connect_http(tcp).await?,
        };
        Ok(Connection {
            stream,
            buffer: BytesMut::with_capacity(READ_CHUNK),
        })
    }

    /// One request, one answer.
    async fn exchange(&mut self, request: &[u8]) -> Result<Answer, ExchangeError> {
        self.buffer.clear();
        self.stream
            .write_all(request)
            .await
            .map_err(|_| ExchangeError::BeforeAnswer)?;
        let head = loop {
            let read = self.fill().await;
            match read {
                Ok(0) | Err(_) if self.buffer.is_empty() => {
                    return Err(ExchangeError::BeforeAnswer);
                }
                Ok(0) | Err(_) => return Err(ExchangeError::Broken),
                Ok(_) => {}
            }
            if let Some(head) = parse_head(&self.buffer)? {
                break head;
            }
            if self.buffer.len() > MAX_HEAD {
                return Err(ExchangeError::Broken);
            }
        };
        self.buffer.advance(head.length);
        let body = match head.framing {
            Framing::Length(length) => {
                while self.buffer.len() < length {
                    if self.fill().await? == 0 {
                        return Err(ExchangeError::Broken);
                    }
                }
                self.buffer.split_to(length).freeze()
            }
            Framing::Chunked => self.read_chunked().await?,
            Framing::UntilClose => {
                while self.fill().await? != 0 {}
                self.buffer.split().freeze()
            }
        };
        // Bytes beyond the answer mean the two ends disagree on framing:
        // do not reuse such a connection.
        let reusable = head.keep_alive && self.buffer.is_empty();
        Ok(Answer {
            status: head.status,
            body,
            reusable,
        })
    }

    /// Reads a chunked body from the buffer, reading more as needed.
    async fn read_chunked(&mut self) -> Result<Bytes, ExchangeError> {
        let mut body = BytesMut::new();
        loop {
            match httparse::parse_chunk_size(&self.buffer) {
                Ok(httparse::Status::Complete((line, 0))) => {
                    // The last chunk: skip any trailer fields up to the
                    // blank line.
                    self.buffer.advance(line);
                    loop {
                        if self.buffer.starts_with(b"\r\n") {
                            self.buffer.advance(2);
                            return Ok(body.freeze());
                        }
                        if let Some(end) = find(&self.buffer, b"\r\n\r\n") {
                            self.buffer.advance(end + 4);
                            return Ok(body.freeze());
                        }
                        if self.fill().await? == 0 {
                            return Err(ExchangeError::Broken);
                        }
                    }
                }
                Ok(httparse::Status::Complete((line, size))) => {
                    let size = usize::try_from(size).map_err(|_| ExchangeError::Broken)?;
                    let needed = line + size + 2;
                    while self.buffer.len() < needed {
                        if self.fill().await? == 0 {
                            return Err(ExchangeError::Broken);
                        }
                    }
                    if &self.buffer[line + size..needed] != b"\r\n" {
                        return Err(ExchangeError::Broken);
                    }
                    body.extend_from_slice(&self.buffer[line..line + size]);
                    self.buffer.advance(needed);
                }
                Ok(httparse::Status::Partial) => {
                    if self.fill().await? == 0 {
                        return Err(ExchangeError::Broken);
                    }
                }
                Err(_) => return Err(ExchangeError::Broken),
            }
        }
    }

    /// Reads what the socket has into the buffer; 0 at the end of stream.
    async fn fill(&mut self) -> std::io::Result<usize> {
        self.buffer.reserve(READ_CHUNK);
        self.stream.read_buf(&mut self.buffer).await
    }
}

/// How an answer's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// The parts of an answer's head the client needs.
#[derive(Debug)]
struct Head {
    length: usize,
    status: StatusCode,
    framing: Framing,
    keep_alive: bool,
}

/// Parses an answer's head from the start of `bytes`; `None` while it is
/// incomplete.
fn parse_head(bytes: &[u8]) -> Result<Option<Head>, ExchangeError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let length = match response.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(ExchangeError::Broken),
    };
    let status = response
        .code
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or(ExchangeError::Broken)?;
    let mut keep_alive = response.version == Some(1);
    let mut framing = None;
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value).map_err(|_| ExchangeError::Broken)?;
            let length = value.trim().parse().map_err(|_| ExchangeError::Broken)?;
            framing.get_or_insert(Framing::Length(length));
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            let chunked = header
                .value
                .rsplit(|&byte| byte == b',')
                .next()
                .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            // Chunked wins over a length (RFC 9112, 6.3).
            framing = Some(if chunked {
                Framing::Chunked
            } else {
                Framing::UntilClose
            });
        } else if header.name.eq_ignore_ascii_case("connection") {
            let close = header
                .value
                .split(|&byte| byte == b',')
                .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"close"));
            keep_alive &= !close;
        }
    }
    let framing = if status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || status.is_informational()
    {
        Framing::Length(0)
    } else {
        framing.unwrap_or(Framing::UntilClose)
    };
    keep_alive &= framing != Framing::UntilClose;
    Ok(Some(Head {
        length,
        status,
        framing,
        keep_alive,
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The path and query of a search:
/// `/v1/search?q=…[&birth_date=…][&limit=…][&departement=…]`.
pub fn search_path(query: &Query, limit: Option<u32>, departement: Option<&str>) -> String {
    let mut parameters = form_urlencoded::Serializer::new(String::new());
    parameters.append_pair("q", &query.text);
    if let Some(date) = &query.birth_date {
        parameters.append_pair("birth_date", date);
    }
    if let Some(limit) = limit {
        parameters.append_pair("limit", &limit.to_string());
    }
    if let Some(departement) = departement {
        parameters.append_pair("departement", departement);
    }
    format!("/v1/search?{}", parameters.finish())
}

/// The outcome of an answer with `status` and `body`.
pub fn classify(status: StatusCode, body: &[u8]) -> Outcome {
    match status.as_u16() {
        200 if says_degraded(body) => Outcome::Degraded,
        200 => Outcome::Ok,
        429 => Outcome::RateLimited,
        504 => Outcome::Shed,
        503 => match error_code(body).as_deref() {
            Some("overloaded") => Outcome::Shed,
            Some("index_not_ready") => Outcome::Error(ErrorCause::IndexNotReady),
            _ => Outcome::Error(ErrorCause::HttpStatus(503)),
        },
        other => Outcome::Error(ErrorCause::HttpStatus(other)),
    }
}

/// True when a search answer's top-level `degraded` is `true`. The key is
/// looked for from the end, where the server writes it after the results;
/// no voter field is called `degraded`, so a scan is enough and costs far
/// less than parsing the answer.
fn says_degraded(body: &[u8]) -> bool {
    const KEY: &[u8] = b"\"degraded\"";
    let Some(at) = body.windows(KEY.len()).rposition(|window| window == KEY) else {
        return false;
    };
    let rest = &body[at + KEY.len()..];
    let rest = trim_start(rest);
    let Some(rest) = rest.strip_prefix(b":") else {
        return false;
    };
    trim_start(rest).starts_with(b"true")
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .take_while(|byte| byte.is_ascii_whitespace())
        .count();
    &bytes[skip..]
}

/// The `code` of an error answer `{"error": {"code": …}}`.
fn error_code(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: ErrorFields,
    }
    #[derive(serde::Deserialize)]
    struct ErrorFields {
        code: String,
    }
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|body| body.error.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that answers each request it reads on a connection with
    /// the next of `answers` (raw bytes), then closes the connection when
    /// the list for it is used up. One list per accepted connection.
    async fn scripted(connections: Vec<Vec<&'static [u8]>>) -> Target {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            for answers in connections {
                let (mut stream, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 4096];
                    for answer in answers {
                        // One request per read is enough for these tests:
                        // the client writes a request in one call.
                        if stream.read(&mut buffer).await.unwrap_or(0) == 0 {
                            return;
                        }
                        stream.write_all(answer).await.unwrap();
                    }
                });
            }
        });
        Target::parse(&format!("http://{address}")).unwrap()
    }

    #[test]
    fn a_search_names_its_departement_when_asked() {
        let query = Query {
            category: None,
            text: "DE LA FONTAINE Zoé".into(),
            birth_date: Some("1962-03-12".into()),
        };
        assert_eq!(
            search_path(&query, Some(3), Some("2A")),
            "/v1/search?q=DE+LA+FONTAINE+Zo%C3%A9&birth_date=1962-03-12&limit=3&departement=2A"
        );
        assert_eq!(
            search_path(&query, None, None),
            "/v1/search?q=DE+LA+FONTAINE+Zo%C3%A9&birth_date=1962-03-12"
        );
    }

    fn options() -> ClientOptions {
        ClientOptions {
            timeout: Duration::from_secs(2),
            connections: 1,
            limit: None,
            departement: None,
            tls: None,
        }
    }

    #[tokio::test]
    async fn bodies_framed_by_length_and_by_chunks_are_read_whole() {
        let target = scripted(vec![vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n{\"degraded\":true}",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\
              5\r\n{\"deg\r\nc\r\nraded\":true}\r\n0\r\nx-trailer: 1\r\n\r\n",
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 31\r\n\r\n\
              {\"error\":{\"code\":\"overloaded\"}}",
        ]])
        .await;
        let client = HttpClient::connect(&target, &options()).await.unwrap();
        let request = client.prepare_path("/healthz").unwrap();
        // All three on the one connection: each answer was read exactly.
        assert_eq!(client.send(request.clone(), None).await, Outcome::Degraded);
        assert_eq!(client.send(request.clone(), None).await, Outcome::Degraded);
        assert_eq!(client.send(request, None).await, Outcome::Shed);
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_while_idle_is_replaced() {
        // The first connection answers once and is closed by the server;
        // the client's second request must go out on a new connection.
        let target = scripted(vec![
            vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"],
            vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"],
        ])
        .await;
        let client = HttpClient::connect(&target, &options()).await.unwrap();
        let request = client.prepare_path("/healthz").unwrap();
        assert_eq!(client.send(request.clone(), None).await, Outcome::Ok);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(client.send(request, None).await, Outcome::Ok);
    }

    #[tokio::test]
    async fn an_answer_asking_to_close_is_not_reused_and_garbage_is_an_error() {
        let target = scripted(vec![
            vec![b"HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"],
            vec![b"not http at all\r\n\r\n"],
        ])
        .await;
        let client = HttpClient::connect(&target, &options()).await.unwrap();
        let request = client.prepare_path("/healthz").unwrap();
        assert_eq!(
            client.send(request.clone(), None).await,
            Outcome::RateLimited
        );
        assert_eq!(
            client.send(request, None).await,
            Outcome::Error(ErrorCause::Transport)
        );
    }

    #[test]
    fn request_heads_carry_the_path_host_deadline_and_key() {
        let head = |path: &str| {
            let pool = Pool {
                authority: "h:1".to_string(),
                tls: None,
                idle: Mutex::new(Vec::new()),
            };
            let client = HttpClient {
                pool: Arc::new(pool),
                base: "/voters".to_string(),
                timeout: Duration::from_millis(1500),
                limit: None,
                departement: None,
            };
            client
                .prepare_path(path)
                .map(|request| String::from_utf8(request.head.to_vec()).unwrap())
        };
        assert_eq!(
            head("/healthz").unwrap(),
            "GET /voters/healthz HTTP/1.1\r\nhost: h:1\r\nx-request-timeout: 1500\r\n"
        );
        assert!(head("/a b").is_err());
    }

    #[test]
    fn answers_are_classified_by_status_and_body() {
        let ok = classify(
            StatusCode::OK,
            br#"{"results":[],"index_version":"v","degraded":false}"#,
        );
        assert_eq!(ok, Outcome::Ok);
        let degraded = classify(
            StatusCode::OK,
            b"{\"results\":[],\"degraded\" : true,\"ambiguous\":false}",
        );
        assert_eq!(degraded, Outcome::Degraded);
        assert_eq!(
            classify(StatusCode::OK, br#"{"status":"alive"}"#),
            Outcome::Ok
        );
        let error = |code: &str| format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
        assert_eq!(
            classify(
                StatusCode::TOO_MANY_REQUESTS,
                error("rate_limited").as_bytes()
            ),
            Outcome::RateLimited
        );
        assert_eq!(
            classify(
                StatusCode::SERVICE_UNAVAILABLE,
                error("overloaded").as_bytes()
            ),
            Outcome::Shed
        );
        assert_eq!(
            classify(
                StatusCode::SERVICE_UNAVAILABLE,
                error("index_not_ready").as_bytes()
            ),
            Outcome::Error(ErrorCause::IndexNotReady)
        );
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, b"<html>proxy</html>"),
            Outcome::Error(ErrorCause::HttpStatus(503))
        );
        assert_eq!(
            classify(
                StatusCode::GATEWAY_TIMEOUT,
                error("deadline_exceeded").as_bytes()
            ),
            Outcome::Shed
        );
        assert_eq!(
            classify(
                StatusCode::BAD_REQUEST,
                error("invalid_argument").as_bytes()
            ),
            Outcome::Error(ErrorCause::HttpStatus(400))
        );
    }
}
