//! The gRPC door (tonic), package `voterlookup.v1`, for the municipal
//! applications: decoding, a call to [`crate::service`], encoding. Beside
//! it run the standard health service (`grpc.health.v1`, serving only once
//! an index is loaded) and server reflection, so that grpcurl and similar
//! tools work without the proto file.
//!
//! Errors take their codes from [`crate::error`]; a bad argument carries a
//! google.rpc `BadRequest` detail naming the field. A request whose
//! `grpc-timeout` has already passed is answered `DEADLINE_EXCEEDED`
//! without any search.

mod admin;
mod convert;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::net::TcpListener;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status};
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::HealthService;
use tonic_types::{ErrorDetails, StatusExt};
use voter_lookup_proto::v1::voter_lookup_server::{VoterLookup, VoterLookupServer};
use voter_lookup_proto::v1::{
    GetVoterRequest, GetVoterResponse, ListStationsRequest, ListStationsResponse, SearchRequest,
    SearchResponse,
};

use crate::admission::Admission;
use crate::admission::layer::{self as admission_layer, AdmissionLayer, Admitted, Doorway};
use crate::admission::rate::RateRefusal;
use crate::context::RequestContext;
use crate::deadline::Deadline;
use crate::error::LookupError;
use crate::metrics::{self, Door, Method};
use crate::privacy::role::View;
use crate::search::LookupQuery;
use crate::state::AppState;
use crate::transport::TransportConfig;
use crate::transport::connections::{Acceptor, ConnectionLimiter};
use crate::transport::tls::{self, ServerStream, TlsCertificates};

/// The `VoterLookup` service.
pub struct GrpcDoor {
    state: Arc<AppState>,
}

/// The service's name as health checks and reflection know it.
pub const SERVICE_NAME: &str = voter_lookup_proto::v1::voter_lookup_server::SERVICE_NAME;

/// Serves gRPC on `listener` within `limits` until `shutdown` resolves,
/// letting in-flight calls finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    limits: TransportConfig,
    tls: Option<Arc<TlsCertificates>>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let grpc = limits.grpc;
    let health = HealthServer::new(HealthService::from_health_reporter(state.health().clone()))
        .max_decoding_message_size(grpc.max_message_bytes);
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(voter_lookup_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .expect("the compiled descriptor sets are valid")
        .max_decoding_message_size(grpc.max_message_bytes);
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(voter_lookup_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .expect("the compiled descriptor sets are valid")
        .max_decoding_message_size(grpc.max_message_bytes);
    let admission = state.admission().cloned();
    let lookups = VoterLookupServer::new(GrpcDoor {
        state: state.clone(),
    })
    .max_decoding_message_size(grpc.max_message_bytes);
    let limiter = ConnectionLimiter::new(
        Door::Grpc,
        limits.max_connections,
        limits.max_connections_per_client,
    );
    // TCP_NODELAY: without it an answer written in two pieces waits for
    // the client's delayed ACK (measured at 40 ms added to every call);
    // tonic sets it only on listeners it binds itself.
    // A connection that sends nothing, not even the HTTP/2 preface, is
    // closed after the header-read timeout, as on the HTTP door.
    let accepted = Acceptor::new(listener, limiter, limits.accept_error_pause)
        .nodelay()
        .first_bytes_within(limits.http.header_read_timeout);
    // With TLS, tonic is handed connections already through their
    // handshake, each done in its own task (see `handshaken`).
    let incoming: Pin<Box<dyn Stream<Item = std::io::Result<ServerStream>> + Send>> = match tls {
        None => Box::pin(accepted.map(|accepted| accepted.map(ServerStream::Plain))),
        Some(tls) => Box::pin(handshaken(
            accepted,
            tls.acceptor(Door::Grpc),
            limits.http.header_read_timeout,
        )),
    };
    tonic::transport::Server::builder()
        .max_concurrent_streams(grpc.max_streams)
        .http2_keepalive_interval(Some(grpc.keepalive_interval))
        .http2_keepalive_timeout(Some(grpc.keepalive_timeout))
        .timeout(grpc.request_timeout)
        .http2_max_local_error_reset_streams(Some(grpc.max_local_resets))
        .http2_max_pending_accept_reset_streams(Some(grpc.max_pending_resets))
        .http2_max_header_list_size(grpc.max_header_bytes)
        // First of all, the request's context, made once from its headers
        // and connection: arrival, deadline, class, client, identifier.
        .layer(tower::layer::layer_fn({
            let admission = admission.clone();
            move |inner| AtDoor {
                inner,
                admission: admission.clone(),
            }
        }))
        // Then admission's door part, in front of every service, before
        // tonic reads a message: rate limits and the caps on calls in
        // flight, refused at once. The search slot is taken in the
        // handlers, once the message is decoded: a stream that never sends
        // its message holds none.
        .layer(tower::util::option_layer(
            admission.map(|admission| AdmissionLayer::new(admission, GrpcDoorway)),
        ))
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(admin::service(state))
        .add_service(lookups)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}

/// The connections `accepted` yields, once through their TLS handshake.
/// Each handshake runs in a task of its own within `within`, so that one
/// client stalling in it holds up no other; the accept loop stops when
/// tonic drops the stream (at shutdown). A handshaken connection's first
/// HTTP/2 bytes must then arrive within `within` too, as on a plain one.
fn handshaken(
    mut accepted: Acceptor,
    acceptor: tokio_rustls::TlsAcceptor,
    within: std::time::Duration,
) -> impl Stream<Item = std::io::Result<ServerStream>> + Send + 'static {
    let (sender, receiver) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                next = accepted.next() => {
                    // Never ends nor fails (see `Acceptor`).
                    let Some(Ok(stream)) = next else { continue };
                    let sender = sender.clone();
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        // Abandoned when tonic stops taking connections.
                        let handshake = tokio::select! {
                            handshake = tls::handshake(&acceptor, stream, within) => handshake,
                            () = sender.closed() => return,
                        };
                        match handshake {
                            Ok(stream) => {
                                let _ = sender.send(Ok(ServerStream::tls(stream, Some(within)))).await;
                            }
                            Err(error) => tracing::debug!(%error, "grpc TLS handshake failed"),
                        }
                    });
                }
                () = sender.closed() => break,
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}

/// The status of `error`, with the code of its kind; for a bad argument, a
/// `BadRequest` detail naming the field; for a refusal under load, gRPC's
/// retry pushback in milliseconds.
pub fn status(error: &LookupError) -> Status {
    let code = error.kind().grpc_code();
    let mut status = match error {
        LookupError::InvalidArgument { parameter, message } => Status::with_error_details(
            code,
            error.to_string(),
            ErrorDetails::with_bad_request_violation(*parameter, message.clone()),
        ),
        _ => Status::new(code, error.to_string()),
    };
    if let Some(retry_after) = error.retry_after()
        && let Ok(value) = retry_after.as_millis().to_string().parse()
    {
        status
            .metadata_mut()
            .insert("grpc-retry-pushback-ms", value);
    }
    status
}

/// The context the door made for `request` (a new one for a request that
/// did not come through the door, as in unit tests).
pub(crate) fn context<T>(request: &Request<T>) -> RequestContext {
    match RequestContext::of(request.extensions()) {
        Some(context) => context.clone(),
        None => RequestContext::at_door(Door::Grpc, &http::HeaderMap::new(), None, None),
    }
}

/// Fails a request whose deadline has already passed, before any work.
fn check_deadline(deadline: Option<Deadline>) -> Result<(), LookupError> {
    match deadline {
        Some(deadline) if deadline.passed() => Err(LookupError::DeadlineExceeded),
        _ => Ok(()),
    }
}

impl GrpcDoor {
    /// The search slot of a decoded call, then its deadline check.
    async fn admit(&self, context: &RequestContext) -> Result<Admitted, LookupError> {
        let admission: Option<&Admission> = self.state.admission().map(|admission| &**admission);
        let admitted = admission_layer::acquire(admission, context).await?;
        check_deadline(context.deadline)?;
        Ok(admitted)
    }

    /// Runs one call done on the calling thread once admitted: the work,
    /// metrics.
    async fn call<T, R>(
        &self,
        method: Method,
        request: &Request<T>,
        work: impl FnOnce() -> Result<R, LookupError>,
    ) -> Result<Response<R>, Status> {
        let started = Instant::now();
        let context = context(request);
        let result = match self.admit(&context).await {
            Ok(admitted) => {
                let result = work();
                admitted.complete();
                result
            }
            Err(error) => Err(error),
        };
        finish(method, started, result)
    }
}

/// Counts a call's outcome and turns it into tonic's result.
fn finish<R>(
    method: Method,
    started: Instant,
    result: Result<R, LookupError>,
) -> Result<Response<R>, Status> {
    let outcome = result.as_ref().err().map(LookupError::kind);
    metrics::requests().observe(Door::Grpc, method, outcome, started.elapsed());
    match result {
        Ok(reply) => Ok(Response::new(reply)),
        Err(error) => {
            tracing::info!(method = ?method, code = error.kind().code(), "grpc request refused");
            Err(status(&error))
        }
    }
}

#[tonic::async_trait]
impl VoterLookup for GrpcDoor {
    async fn search(
        &self,
        request: Request<SearchRequest>,
    ) -> Result<Response<SearchResponse>, Status> {
        let started = Instant::now();
        let context = context(&request);
        let message = request.into_inner();
        let query = LookupQuery {
            text: message.q,
            birth_date: Some(message.birth_date).filter(|date| !date.is_empty()),
            limit: Some(message.limit).filter(|&limit| limit != 0),
            departement: Some(message.departement).filter(|code| !code.is_empty()),
        };
        let requested = View::parse(&message.view);
        // The message is decoded: only now does the call compete for a
        // search slot.
        let result = match (requested, self.admit(&context).await) {
            (Err(error), _) | (_, Err(error)) => Err(error),
            (Ok(requested), Ok(admitted)) => {
                let result = self
                    .state
                    .privacy()
                    .search(
                        &self.state.service,
                        &context,
                        query,
                        requested,
                        admitted.mode(),
                        context.deadline_instant(),
                    )
                    .await
                    .map(|answer| convert::answer(&answer));
                admitted.complete();
                result
            }
        };
        finish(Method::Search, started, result)
    }

    async fn get_voter(
        &self,
        request: Request<GetVoterRequest>,
    ) -> Result<Response<GetVoterResponse>, Status> {
        let context = context(&request);
        self.call(Method::GetVoter, &request, || {
            let message = request.get_ref();
            let (hits, version) = self.state.privacy().voters_at(
                &self.state.service,
                &context,
                Some(message.commune.as_str()).filter(|commune| !commune.is_empty()),
                &message.station,
                message.order,
            )?;
            Ok(GetVoterResponse {
                voters: hits.iter().map(convert::search_result).collect(),
                index_version: version.to_string(),
            })
        })
        .await
    }

    async fn list_stations(
        &self,
        request: Request<ListStationsRequest>,
    ) -> Result<Response<ListStationsResponse>, Status> {
        let context = context(&request);
        self.call(Method::ListStations, &request, || {
            self.state.privacy().stations(&context)?;
            let index = self.state.service.snapshot()?;
            Ok(ListStationsResponse {
                stations: index
                    .stations()
                    .iter()
                    .map(convert::station_summary)
                    .collect(),
                index_version: index.version().to_string(),
            })
        })
        .await
    }
}

/// How admission sees the gRPC door.
#[derive(Debug, Clone, Copy)]
pub struct GrpcDoorway;

impl Doorway for GrpcDoorway {
    type Response = http::Response<tonic::body::Body>;

    const DOOR: Door = Door::Grpc;

    fn governed<B>(&self, request: &http::Request<B>) -> Option<Method> {
        match request
            .uri()
            .path()
            .strip_prefix("/voterlookup.v1.VoterLookup/")?
        {
            "Search" => Some(Method::Search),
            "GetVoter" => Some(Method::GetVoter),
            "ListStations" => Some(Method::ListStations),
            _ => Some(Method::Other),
        }
    }

    fn refuse(&self, error: &LookupError, _rate: Option<&RateRefusal>) -> Self::Response {
        status(error).into_http()
    }
}

/// The first service every call meets: it makes the request's context
/// from its headers and connection, once.
#[derive(Clone)]
pub struct AtDoor<S> {
    inner: S,
    admission: Option<Arc<Admission>>,
}

impl<S, B> tower::Service<http::Request<B>> for AtDoor<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let peer = request
            .extensions()
            .get::<tonic::transport::server::TcpConnectInfo>()
            .and_then(|info| info.remote_addr());
        let context = RequestContext::at_door(
            Door::Grpc,
            request.headers(),
            peer,
            self.admission.as_deref(),
        );
        request.extensions_mut().insert(context);
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_stream::StreamExt;

    #[tokio::test]
    async fn accepted_connections_do_not_wait_for_delayed_acks() {
        // Without TCP_NODELAY an answer written in two pieces waits for
        // the client's delayed ACK: measured at 40 ms added to every call.
        // tonic sets it only on listeners it binds itself.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let limiter = ConnectionLimiter::new(Door::Grpc, 4, 4);
        let mut accepted =
            Acceptor::new(listener, limiter, std::time::Duration::from_millis(1)).nodelay();
        let _client = tokio::net::TcpStream::connect(address).await.unwrap();
        let server_side = accepted.next().await.unwrap().unwrap();
        assert!(server_side.nodelay().unwrap());
    }

    fn request_with(timeout: &str) -> Request<()> {
        let mut headers = http::HeaderMap::new();
        headers.insert("grpc-timeout", timeout.parse().unwrap());
        let mut request = Request::new(());
        request
            .extensions_mut()
            .insert(RequestContext::at_door(Door::Grpc, &headers, None, None));
        request
    }

    #[tokio::test]
    async fn work_whose_deadline_passed_is_not_started() {
        let pool = crate::search_pool::SearchPool::new(1).unwrap();
        let door = GrpcDoor {
            state: Arc::new(AppState::with_pool(
                crate::index::IndexHandle::default(),
                pool,
            )),
        };
        let passed = request_with("1n");
        std::thread::sleep(std::time::Duration::from_millis(1));
        let mut started = false;
        let result = door
            .call(Method::Search, &passed, || {
                started = true;
                Ok(())
            })
            .await;
        assert_eq!(result.unwrap_err().code(), tonic::Code::DeadlineExceeded);
        assert!(!started, "no work once the deadline has passed");

        let result = door
            .call(Method::Search, &request_with("5S"), || Ok(()))
            .await;
        assert!(result.is_ok());
        let no_deadline = Request::new(());
        assert!(
            door.call(Method::Search, &no_deadline, || Ok(()))
                .await
                .is_ok()
        );
    }

    #[test]
    fn invalid_arguments_name_the_field_in_the_details() {
        let status = status(&LookupError::invalid("limit", "0 is out of range"));
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        let details = status
            .get_details_bad_request()
            .expect("a BadRequest detail");
        assert_eq!(details.field_violations[0].field, "limit");
        assert!(status.message().starts_with("limit:"));
    }
}
