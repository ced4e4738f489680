//! The HTTP/JSON door (hyper 1.x), for kiosks and browsers: routes,
//! parameters and JSON only; every lookup goes to [`crate::service`].
//!
//! | route | answer |
//! |---|---|
//! | `GET /v1/search?q=&birth_date=&limit=&view=` | ranked voters (staff), or one voter's station (kiosk) |
//! | `POST /v1/search` (JSON body, the same fields) | the same, names kept out of URLs and proxy logs |
//! | `GET /v1/voters/{station}/{order}` | the voter(s) at that line of the signing sheet |
//! | `GET /v1/stations` | every polling station |
//! | `GET /healthz` | the process is alive |
//! | `GET /readyz` | an index is loaded and requests are accepted |
//! | `GET /metrics` | Prometheus metrics ([`crate::metrics`]) |
//! | `GET /v1/status?window=` | the server's last minutes, up to a day, for the météo report ([`crate::status`]) |
//! | `GET /openapi.json` | the OpenAPI 3.1 description of all of this ([`openapi`]) |
//! | `POST /v1/admin/reload`, `/v1/admin/rollback` | put the published index live, or the one before (admin token) |
//! | `GET /`, `/kiosk`, `/desk`, `/assets/…` | the kiosk page and the desk page, embedded ([`pages`]) |
//!
//! Every response, refusals included, carries `X-Request-Id`: the client's,
//! or a new one. Lookups pass admission control first ([`crate::admission`]).

mod body;
mod json;
pub mod openapi;
pub mod pages;
pub mod routes;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tower::ServiceExt;

use crate::admission::layer::{AdmissionLayer, ConcurrencyLayer, Doorway};
use crate::admission::rate::RateRefusal;
use crate::context::RequestContext;
use crate::error::{ErrorKind, LookupError};
use crate::index::reload::{Outcome as ReloadOutcome, Trigger};
use crate::metrics::{self, Door, Method as MetricMethod};
use crate::privacy::Answer;
use crate::privacy::role::View;
use crate::search::{LookupQuery, SearchMode};
use crate::state::AppState;
use crate::transport::TransportConfig;
use crate::transport::connections::{Acceptor, ConnectionLimiter};
use crate::transport::tls::{self, ServerStream, TlsCertificates};
use json::{
    ErrorBody, KioskBody, ResultBody, SearchBody, StationSummaryBody, StationsBody, VotersBody,
};
use routes::{Resolved, RouteId, Verbs};

/// The response body type of every route.
pub type Body = Full<Bytes>;

/// Largest request head accepted by default (request line and headers,
/// `--max-header-bytes`): a lookup's URL is short, so anything larger is
/// refused before it is parsed.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most headers in a request by default (`--max-headers`).
pub const MAX_HEADERS: usize = 64;
/// Smallest read buffer hyper accepts.
const MIN_BUF_BYTES: usize = 8 * 1024;
/// Header carrying a request's identifier, echoed or generated.
pub const REQUEST_ID: &str = crate::context::REQUEST_ID_HEADER;

/// What a connection over a cap is told before it is closed.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 83\r\n\r\n{\"error\":{\"code\":\"overloaded\",\"message\":\"too many connections: retry in a moment\"}}";

/// Accepts connections within `limits` until `shutdown` resolves, then
/// waits for the open connections to finish their requests. With `tls`,
/// each connection's handshake runs in its own task, within the
/// header-read timeout, before hyper reads anything.
pub async fn serve(
    listener: TcpListener,
    answers: routes::Listener,
    state: Arc<AppState>,
    limits: TransportConfig,
    tls: Option<Arc<TlsCertificates>>,
    shutdown: impl Future<Output = ()>,
) {
    let tls = tls.map(|tls| tls.acceptor(Door::Http));
    let graceful = GracefulShutdown::new();
    let admission = state.admission().cloned();
    let limiter = ConnectionLimiter::new(
        Door::Http,
        limits.max_connections,
        limits.max_connections_per_client,
    );
    let mut incoming = Acceptor::new(listener, limiter, limits.accept_error_pause)
        .refuse_with(TOO_MANY_CONNECTIONS);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(limits.http.header_read_timeout)
        .max_headers(limits.http.max_headers)
        .max_header_size(limits.http.max_header_bytes)
        .max_buf_size(limits.http.max_header_bytes.max(MIN_BUF_BYTES));
    let mut shutdown = std::pin::pin!(shutdown);
    let (closing_sender, closing_receiver) = tokio::sync::watch::channel(false);
    loop {
        tokio::select! {
            accepted = incoming.next() => {
                // The stream never ends nor fails: failed accepts pause
                // inside it, connections over a cap are closed there.
                let Some(Ok(stream)) = accepted else { continue };
                let peer = Some(stream.peer());
                let state = state.clone();
                let body_limits = state.body_limits();
                let handler = tower::service_fn(move |request: Request<Bytes>| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(handle(&state, request).await) }
                });
                // Once the request is whole, and only then, a lookup the
                // route table governs competes for a search slot:
                // deadline, concurrency limit, queue.
                let whole = tower::ServiceBuilder::new()
                    .option_layer(admission.clone().map(|admission| ConcurrencyLayer::new(admission, HttpDoorway)))
                    .service(handler);
                // Read the body whole, within its own time and size, so
                // that no slot waits on a slow client.
                let reading = tower::service_fn(move |request: Request<Incoming>| {
                    let whole = whole.clone();
                    async move {
                        let method = request
                            .extensions()
                            .get::<Resolved>()
                            .map_or(MetricMethod::Other, Resolved::metric);
                        let context = RequestContext::of(request.extensions()).cloned();
                        match body::read_whole(request, body_limits).await {
                            Ok(request) => whole.oneshot(request).await,
                            Err(error) => Ok(unreadable_body(&error, method, context.as_ref())),
                        }
                    }
                });
                // At the door, on the headers alone: rate limits and the
                // caps on requests in flight, refused at once.
                let stack = tower::ServiceBuilder::new()
                    .option_layer(admission.clone().map(|admission| AdmissionLayer::new(admission, HttpDoorway)))
                    .service(reading);
                // Outermost: the request's context, made once (arrival,
                // deadline, class, client, identifier), and its route, the
                // path read once: admission, the slot, the router and the
                // metrics all take the route from the table instead of
                // reading the path again. Every answer, refusals included,
                // carries the identifier.
                let classifier = admission.clone();
                let identified = tower::service_fn(move |mut request: Request<Incoming>| {
                    let context = RequestContext::at_door(Door::Http, request.headers(), peer, classifier.as_deref());
                    let header = HeaderValue::from_str(&context.request_id).ok();
                    let resolved = routes::resolve_on(answers, request.uri().path());
                    request.extensions_mut().insert(context);
                    request.extensions_mut().insert(resolved);
                    let call = stack.clone().oneshot(request);
                    async move {
                        let mut response = call.await?;
                        if let Some(header) = header {
                            response.headers_mut().insert(REQUEST_ID, header);
                        }
                        Ok::<_, Infallible>(response)
                    }
                });
                let watcher = graceful.watcher();
                let builder = builder.clone();
                let tls = tls.clone();
                let handshake_within = limits.http.header_read_timeout;
                let mut closing = closing_receiver.clone();
                tokio::spawn(async move {
                    // The handshake, bounded, here in the connection's own
                    // task: a client that stalls in it delays nobody.
                    // Abandoned at shutdown: no request has begun on it.
                    let stream = match &tls {
                        None => ServerStream::Plain(stream),
                        Some(tls) => tokio::select! {
                            handshake = tls::handshake(tls, stream, handshake_within) => match handshake {
                                Ok(stream) => ServerStream::tls(stream, None),
                                Err(error) => {
                                    tracing::debug!(%error, "http TLS handshake failed");
                                    return;
                                }
                            },
                            _ = closing.wait_for(|closing| *closing) => return,
                        },
                    };
                    let connection = builder
                        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(identified));
                    if let Err(error) = watcher.watch(connection).await {
                        tracing::debug!(%error, "http connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(incoming);
    let _ = closing_sender.send(true);
    graceful.shutdown().await;
}

/// Serves one request: routes it, counts it, logs it.
pub async fn handle(state: &AppState, mut request: Request<Bytes>) -> Response<Body> {
    let started = Instant::now();
    let request_id: Arc<str> = RequestContext::of(request.extensions()).map_or_else(
        || crate::context::new_request_id().into(),
        |context| context.request_id.clone(),
    );
    let resolved = request
        .extensions_mut()
        .remove::<Resolved>()
        .unwrap_or_else(|| routes::resolve(request.uri().path()));
    let method = resolved.metric();
    let (response, outcome) = match dispatch(state, &request, &resolved).await {
        Ok(response) => (response, None),
        Err(error) => {
            let mut response = error_response(&error);
            if error.kind() == ErrorKind::MethodNotAllowed {
                // A 405 says what the path does serve: a path that is no
                // route is refused for any method but those of reading.
                let verbs = resolved.route().map_or(Verbs::Read, |route| route.verbs);
                response
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static(verbs.allow_header()));
            }
            (response, Some(error.kind()))
        }
    };
    metrics::requests().observe(Door::Http, method, outcome, started.elapsed());
    if let Some(kind) = outcome {
        tracing::info!(
            request_id = %request_id,
            path = request.uri().path(),
            status = response.status().as_u16(),
            code = kind.code(),
            "http request refused"
        );
    } else {
        tracing::debug!(request_id = %request_id, path = request.uri().path(), "http request served");
    }
    response
}

/// The answer to a request whose body could not be read whole; the
/// connection closes, its remaining bytes unread.
fn unreadable_body(
    error: &LookupError,
    method: MetricMethod,
    context: Option<&RequestContext>,
) -> Response<Body> {
    let elapsed = context.map_or(std::time::Duration::ZERO, |context| {
        context.arrival.elapsed()
    });
    metrics::requests().observe(Door::Http, method, Some(error.kind()), elapsed);
    tracing::info!(
        request_id = context.map_or("", |context| &*context.request_id),
        code = error.kind().code(),
        "http request body not read"
    );
    let mut response = error_response(error);
    response
        .headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// How admission sees the HTTP door.
#[derive(Debug, Clone, Copy)]
pub struct HttpDoorway;

impl Doorway for HttpDoorway {
    type Response = Response<Body>;

    const DOOR: Door = Door::Http;

    fn governed<B>(&self, request: &Request<B>) -> Option<MetricMethod> {
        // The door resolved the path before admission; a request that
        // skipped that stage is resolved here rather than let through.
        let admitted = |resolved: &Resolved| resolved.admitted().then(|| resolved.metric());
        match request.extensions().get::<Resolved>() {
            Some(resolved) => admitted(resolved),
            None => admitted(&routes::resolve(request.uri().path())),
        }
    }

    fn refuse(&self, error: &LookupError, rate: Option<&RateRefusal>) -> Response<Body> {
        let mut response = error_response(error);
        if let Some(rate) = rate {
            // The IETF RateLimit fields: the limit, nothing left, and
            // when the window resets.
            let headers = response.headers_mut();
            headers.insert("ratelimit-limit", HeaderValue::from(rate.limit));
            headers.insert("ratelimit-remaining", HeaderValue::from(0));
            let reset = rate.retry_after.as_secs_f64().ceil().max(1.0) as u64;
            headers.insert("ratelimit-reset", HeaderValue::from(reset));
        }
        response
    }
}

/// Path prefix of the admin calls.
pub use routes::ADMIN_PREFIX;

/// `POST /v1/admin/reload` and `POST /v1/admin/rollback` (`?force=true` to
/// accept a large change of the voter count), with
/// `Authorization: Bearer <admin token>`.
async fn admin_call(
    state: &AppState,
    request: &Request<Bytes>,
    reload: bool,
) -> Result<Response<Body>, LookupError> {
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.authorize_admin(authorization)?;
    let mut force = false;
    for (key, value) in form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()) {
        if key == "force" {
            force = match value.as_ref() {
                "true" | "1" => true,
                "false" | "0" => false,
                other => {
                    return Err(LookupError::invalid(
                        "force",
                        format!("`{other}` is not true or false"),
                    ));
                }
            };
        }
    }
    let report = if reload {
        state.reload(Trigger::Admin, force).await?
    } else {
        state.rollback(force).await?
    };
    if let ReloadOutcome::Refused { reason, .. } = &report.outcome {
        return Err(LookupError::ReloadRefused(reason.to_string()));
    }
    let live = state.service.index().snapshot();
    let previous = match &report.outcome {
        ReloadOutcome::Swapped { from, .. } => from.clone(),
        _ => None,
    };
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({
            "outcome": report.outcome_name(),
            "index_version": live.as_ref().map(|index| index.version().to_string()),
            "previous_version": previous,
            "message": report.message(),
        }),
    ))
}

/// Answers one request, its body read, on the route [`routes::resolve`]
/// found for it.
async fn dispatch(
    state: &AppState,
    request: &Request<Bytes>,
    resolved: &Resolved,
) -> Result<Response<Body>, LookupError> {
    let path = request.uri().path();
    let (route, params) = match resolved {
        Resolved::Route(route, params) => (*route, params),
        // Any method but GET on a path that is no route is answered 405,
        // except under the admin prefix, where only POST is answered.
        Resolved::NoRoute { admin: false, .. } if !Verbs::Read.allow(request.method()) => {
            return Err(LookupError::MethodNotAllowed(format!(
                "{} is not supported on {path}: use GET",
                request.method()
            )));
        }
        Resolved::NoRoute { .. } => {
            return Err(LookupError::NotFound(resolved.not_found_message()));
        }
    };
    if !route.verbs.allow(request.method()) {
        return Err(LookupError::MethodNotAllowed(format!(
            "{} is not supported on {path}: use {}",
            request.method(),
            route.verbs.name()
        )));
    }
    let context = RequestContext::of(request.extensions())
        .cloned()
        .unwrap_or_else(|| RequestContext::at_door(Door::Http, request.headers(), None, None));
    match route.id {
        RouteId::Search => search(state, &context, SearchCall::read(request)?).await,
        RouteId::Voters => voters(
            state,
            &context,
            &params[0],
            &params[1],
            request.uri().query().unwrap_or(""),
        ),
        RouteId::Stations => stations(state, &context),
        RouteId::Healthz => Ok(json_response(
            StatusCode::OK,
            &serde_json::json!({"status": "alive"}),
        )),
        RouteId::Readyz => Ok(readiness(state)),
        RouteId::Metrics => Ok(metrics_response(state)),
        RouteId::Status => status_response(state, request),
        RouteId::OpenApi => Ok(openapi::response()),
        RouteId::AdminReload | RouteId::AdminRollback => {
            let reload = route.id == RouteId::AdminReload;
            let action = if reload { "reload" } else { "rollback" };
            let result = admin_call(state, request, reload).await;
            let outcome = match &result {
                Ok(_) => "done",
                Err(error) => error.kind().code(),
            };
            state.privacy().admin_call(&context, action, outcome);
            result
        }
        RouteId::Page(page) => Ok(pages::response(page, state.kiosk_timers())),
    }
}

fn metrics_response(state: &AppState) -> Response<Body> {
    if let Some(index) = state.service.index().snapshot() {
        metrics::index_age(&index);
    }
    let mut response = Response::new(Full::new(Bytes::from(metrics::render())));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// `GET /v1/status?window=4h`: the status document over the window
/// (default an hour, at most a day).
fn status_response(
    state: &AppState,
    request: &Request<Bytes>,
) -> Result<Response<Body>, LookupError> {
    use crate::status::document::{DEFAULT_WINDOW_MINUTES, WINDOW_PARAMETER};
    let mut minutes = DEFAULT_WINDOW_MINUTES;
    let query = request.uri().query().unwrap_or("");
    if let Some((_, value)) =
        form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == WINDOW_PARAMETER)
    {
        minutes = crate::status::parse_window(&value)
            .map_err(|message| LookupError::invalid(WINDOW_PARAMETER, message))?;
    }
    let document = crate::status::build(state, minutes, std::time::SystemTime::now());
    Ok(json_response(StatusCode::OK, &document))
}

/// A search, read from its request (the query string of a `GET`, the JSON
/// body of a `POST`) before it runs.
struct SearchCall {
    params: SearchParams,
    mode: SearchMode,
    deadline: Option<Instant>,
}

/// The parameters of a search, whichever way they came.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: Option<String>,
    birth_date: Option<String>,
    limit: Option<u32>,
    view: Option<String>,
    departement: Option<String>,
}

impl SearchCall {
    /// The search `request` asks for.
    fn read(request: &Request<Bytes>) -> Result<SearchCall, LookupError> {
        let params = if request.method() == hyper::Method::POST {
            SearchParams::from_body(request.body())?
        } else {
            SearchParams::from_query(request.uri().query().unwrap_or(""))?
        };
        Ok(SearchCall {
            params,
            mode: request
                .extensions()
                .get::<SearchMode>()
                .copied()
                .unwrap_or_default(),
            deadline: RequestContext::of(request.extensions())
                .and_then(RequestContext::deadline_instant),
        })
    }
}

impl SearchParams {
    /// `?q=&birth_date=&limit=&view=`; the first `q` counts.
    fn from_query(query: &str) -> Result<SearchParams, LookupError> {
        let mut params = SearchParams::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "q" if params.q.is_none() => params.q = Some(value.into_owned()),
                "birth_date" => params.birth_date = Some(value.into_owned()),
                "view" => params.view = Some(value.into_owned()),
                "departement" => params.departement = Some(value.into_owned()),
                "limit" => {
                    let limit = value.trim().parse::<u32>().map_err(|_| {
                        LookupError::invalid(
                            "limit",
                            format!("`{value}` is not a number from 1 to 50"),
                        )
                    })?;
                    params.limit = Some(limit);
                }
                _ => {}
            }
        }
        Ok(params)
    }

    /// A JSON object with the same fields.
    fn from_body(body: &Bytes) -> Result<SearchParams, LookupError> {
        serde_json::from_slice(body).map_err(|error| {
            LookupError::invalid(
                "body",
                format!(
                    "expected a JSON object {{\"q\", \"birth_date\", \"limit\", \"view\", \"departement\"}}: {error}"
                ),
            )
        })
    }
}

async fn search(
    state: &AppState,
    context: &RequestContext,
    call: SearchCall,
) -> Result<Response<Body>, LookupError> {
    let params = call.params;
    let requested = View::parse(params.view.as_deref().unwrap_or(""))?;
    let query = LookupQuery {
        text: params
            .q
            .ok_or_else(|| LookupError::invalid("q", "the query text is missing: add ?q=NAME"))?,
        birth_date: params.birth_date,
        limit: params.limit,
        departement: params.departement,
    };
    let answer = state
        .privacy()
        .search(
            &state.service,
            context,
            query,
            requested,
            call.mode,
            call.deadline,
        )
        .await?;
    Ok(match &answer {
        Answer::Staff(response) => json_response(StatusCode::OK, &SearchBody::new(response)),
        Answer::Kiosk(answer) => json_response(StatusCode::OK, &KioskBody::new(answer)),
    })
}

fn voters(
    state: &AppState,
    context: &RequestContext,
    station: &str,
    order: &str,
    query: &str,
) -> Result<Response<Body>, LookupError> {
    let order = order
        .parse::<u32>()
        .map_err(|_| LookupError::invalid("order", format!("`{order}` is not an order number")))?;
    // `?commune=`: which commune's station, in a roll of several.
    let commune = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "commune")
        .map(|(_, value)| value.into_owned())
        .filter(|commune| !commune.trim().is_empty());
    // The station was percent-decoded with the rest of the path.
    let (hits, version) =
        state
            .privacy()
            .voters_at(&state.service, context, commune.as_deref(), station, order)?;
    Ok(json_response(
        StatusCode::OK,
        &VotersBody {
            voters: hits.iter().map(ResultBody::new).collect(),
            index_version: &version,
        },
    ))
}

fn stations(state: &AppState, context: &RequestContext) -> Result<Response<Body>, LookupError> {
    state.privacy().stations(context)?;
    let index = state.service.snapshot()?;
    Ok(json_response(
        StatusCode::OK,
        &StationsBody {
            stations: index
                .stations()
                .iter()
                .map(StationSummaryBody::new)
                .collect(),
            index_version: index.version(),
        },
    ))
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
        // What a request may name as its `departement`: a router checks
        // that each shard serves the départements it is sent.
        "departements": snapshot.as_ref().map(|index| index.info().departements.clone()),
        "last_reload": state.last_reload().map(|report| serde_json::json!({
            "outcome": report.outcome_name(),
            "trigger": format!("{:?}", report.trigger).to_lowercase(),
            "at": humantime::format_rfc3339_seconds(report.at).to_string(),
            "seconds": report.duration.as_secs_f64(),
            "message": report.message(),
        })),
        // Serving an older version because `current` failed at start.
        "fallback": state.fallback().map(|fallback| serde_json::json!({
            "current": fallback.current,
            "serving": fallback.serving,
            "reason": fallback.reason,
        })),
        // A rollback kept in this server only: a restart serves `current`.
        "pinned": state.pin().map(|pin| serde_json::json!({
            "version": pin.version,
            "current": pin.current,
            "reason": pin.reason,
        })),
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
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            // Answers name voters, their birth dates and stations: no
            // browser, kiosk or proxy cache may keep them. Every JSON answer
            // says so, errors included, so that no route can forget it.
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
    if error.kind() == crate::error::ErrorKind::Unauthenticated {
        response.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"voter-lookup admin\""),
        );
    }
    if let Some(retry_after) = error.retry_after() {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        response
            .headers_mut()
            .insert(hyper::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
