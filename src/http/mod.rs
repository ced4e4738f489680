//! The HTTP/JSON door (hyper 1.x), for kiosks and browsers: routes,
//! parameters and JSON only; every lookup goes to [`crate::service`].
//!
//! | route | answer |
//! |---|---|
//! | `GET /v1/search?q=&birth_date=&limit=` | ranked voters |
//! | `GET /v1/voters/{station}/{order}` | the voter(s) at that line of the signing sheet |
//! | `GET /v1/stations` | every polling station |
//! | `GET /healthz` | the process is alive |
//! | `GET /readyz` | an index is loaded and requests are accepted |

mod json;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde::Serialize;
use tokio::net::TcpListener;

use crate::error::LookupError;
use crate::search::{LookupQuery, SearchMode};
use crate::server::AppState;
use json::{ErrorBody, ResultBody, SearchBody, StationSummaryBody, StationsBody, VotersBody};

/// The response body type of every route.
pub type Body = Full<Bytes>;

/// Accepts connections until `shutdown` resolves, then waits for the open
/// connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(error) => {
                        tracing::warn!(%error, "http accept failed");
                        continue;
                    }
                };
                let state = state.clone();
                let service = service_fn(move |request| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(route(&state, request)) }
                });
                let connection = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "http connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Routes one request.
pub fn route(state: &AppState, request: Request<Incoming>) -> Response<Body> {
    let path = request.uri().path();
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return error_response(&LookupError::MethodNotAllowed(format!(
            "{} is not supported on {path}: use GET",
            request.method()
        )));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "search"] => search(state, request.uri().query().unwrap_or("")),
        ["v1", "voters", station, order] => voters(state, station, order),
        ["v1", "stations"] => stations(state),
        ["healthz"] => json_response(StatusCode::OK, &serde_json::json!({"status": "alive"})),
        ["readyz"] => readiness(state),
        _ => error_response(&LookupError::NotFound(format!("no route {path}"))),
    }
}

fn search(state: &AppState, query_string: &str) -> Response<Body> {
    let mut query = LookupQuery::default();
    let mut text = None;
    for (key, value) in form_urlencoded::parse(query_string.as_bytes()) {
        match key.as_ref() {
            "q" if text.is_none() => text = Some(value.into_owned()),
            "birth_date" => query.birth_date = Some(value.into_owned()),
            "limit" => match value.trim().parse::<u32>() {
                Ok(limit) => query.limit = Some(limit),
                Err(_) => {
                    return error_response(&LookupError::invalid(
                        "limit",
                        format!("`{value}` is not a number from 1 to 50"),
                    ));
                }
            },
            _ => {}
        }
    }
    let Some(text) = text else {
        return error_response(&LookupError::invalid(
            "q",
            "the query text is missing: add ?q=NAME",
        ));
    };
    query.text = text;
    match state.service.lookup(&query, SearchMode::Full) {
        Ok(response) => json_response(StatusCode::OK, &SearchBody::new(&response)),
        Err(error) => error_response(&error),
    }
}

fn voters(state: &AppState, station: &str, order: &str) -> Response<Body> {
    let order = match order.parse::<u32>() {
        Ok(order) => order,
        Err(_) => {
            return error_response(&LookupError::invalid(
                "order",
                format!("`{order}` is not an order number"),
            ));
        }
    };
    let station = percent_encoding::percent_decode_str(station).decode_utf8_lossy();
    match state.service.voters_at(&station, order) {
        Ok((hits, version)) => json_response(
            StatusCode::OK,
            &VotersBody {
                voters: hits.iter().map(ResultBody::new).collect(),
                index_version: &version,
            },
        ),
        Err(error) => error_response(&error),
    }
}

fn stations(state: &AppState) -> Response<Body> {
    match state.service.snapshot() {
        Ok(index) => json_response(
            StatusCode::OK,
            &StationsBody {
                stations: index
                    .stations()
                    .iter()
                    .map(StationSummaryBody::new)
                    .collect(),
                index_version: index.version(),
            },
        ),
        Err(error) => error_response(&error),
    }
}

fn readiness(state: &AppState) -> Response<Body> {
    let snapshot = state.service.index().snapshot();
    let accepting = state.is_accepting();
    let body = serde_json::json!({
        "status": if snapshot.is_some() && accepting { "ready" } else { "not_ready" },
        "index_loaded": snapshot.is_some(),
        "accepting": accepting,
        "index_version": snapshot.as_ref().map(|index| index.version().to_string()),
        "voters": snapshot.as_ref().map(|index| index.info().voters),
    });
    let status = if snapshot.is_some() && accepting {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(status, &body)
}

fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = Response::new(Full::new(Bytes::from(bytes)));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "cannot serialise a response");
            let mut response = Response::new(Full::new(Bytes::from_static(
                br#"{"error":{"code":"internal","message":"cannot serialise the response"}}"#,
            )));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}

/// The JSON error of `error`, with its status and, for refusals under load,
/// `Retry-After`.
pub fn error_response(error: &LookupError) -> Response<Body> {
    let status = StatusCode::from_u16(error.kind().http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_response(status, &ErrorBody::new(error));
    if let Some(retry_after) = error.retry_after() {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        response
            .headers_mut()
            .insert(hyper::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
