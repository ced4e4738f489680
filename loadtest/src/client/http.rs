//! The HTTP/JSON door from the client's side: hyper 1's pooled client
//! (HTTP/1.1, keep-alive, `TCP_NODELAY`), one `GET` per request, the whole
//! body read so that the connection goes back to the pool.
//!
//! Classification: `200` is ok, or degraded when the body says
//! `"degraded": true`; `429` is rate limited; `503` with the error code
//! `overloaded` and `504` are shed; `503 index_not_ready` and every other
//! status, a broken connection, or no answer by the harness's deadline are
//! errors.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::{ClientError, ClientOptions, GRACE, Target};
use crate::record::{ErrorCause, Outcome};
use crate::traffic::Query;

/// The header carrying a client's API key.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
/// The header carrying a request's deadline, in milliseconds.
pub const TIMEOUT_HEADER: HeaderName = HeaderName::from_static("x-request-timeout");

/// A pooled HTTP/1.1 client of one server.
#[derive(Clone)]
pub struct HttpClient {
    client: PooledClient<HttpConnector, Empty<Bytes>>,
    base: String,
    timeout: Duration,
    timeout_header: HeaderValue,
    limit: Option<u32>,
}

impl HttpClient {
    /// A client of `target`, after checking that something listens there.
    pub async fn connect(
        target: &Target,
        options: &ClientOptions,
    ) -> Result<HttpClient, ClientError> {
        tokio::net::TcpStream::connect(&target.authority)
            .await
            .map_err(|error| ClientError::Connect {
                target: target.to_string(),
                message: error.to_string(),
            })?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(options.timeout));
        let client = PooledClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(HttpClient {
            client,
            base: format!("{}{}", target.origin(), target.prefix),
            timeout: options.timeout,
            timeout_header: HeaderValue::from(options.timeout.as_millis().max(1) as u64),
            limit: options.limit,
        })
    }

    /// `GET {base}/v1/search?q=…[&birth_date=…][&limit=…]`.
    pub fn prepare_search(&self, query: &Query) -> Result<Uri, ClientError> {
        self.prepare_path(&search_path(query, self.limit))
    }

    /// `GET {base}{path}`, e.g. `/healthz`.
    pub fn prepare_path(&self, path: &str) -> Result<Uri, ClientError> {
        let uri = format!("{}{path}", self.base);
        uri.parse()
            .map_err(|error| ClientError::Encode(format!("`{uri}`: {error}")))
    }

    /// Sends one request and classifies its answer.
    pub async fn send(&self, uri: Uri, api_key: Option<&HeaderValue>) -> Outcome {
        let mut request = Request::new(Empty::<Bytes>::new());
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.insert(TIMEOUT_HEADER, self.timeout_header.clone());
        if let Some(key) = api_key {
            headers.insert(API_KEY_HEADER, key.clone());
        }
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body))
        };
        match tokio::time::timeout(self.timeout + GRACE, exchange).await {
            Err(_) => Outcome::Error(ErrorCause::Timeout),
            Ok(Err(_)) => Outcome::Error(ErrorCause::Transport),
            Ok(Ok((status, body))) => classify(status, &body),
        }
    }
}

/// The path and query of a search: `/v1/search?q=…[&birth_date=…][&limit=…]`.
pub fn search_path(query: &Query, limit: Option<u32>) -> String {
    let mut parameters = form_urlencoded::Serializer::new(String::new());
    parameters.append_pair("q", &query.text);
    if let Some(date) = &query.birth_date {
        parameters.append_pair("birth_date", date);
    }
    if let Some(limit) = limit {
        parameters.append_pair("limit", &limit.to_string());
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
