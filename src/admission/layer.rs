//! Admission as a tower layer, the same for both doors: it sits in front
//! of every route of the HTTP server and every service of the gRPC server,
//! so it sees each lookup before anything else queues it.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{Layer, Service, ServiceExt};

use super::limit::{Permit, Shed};
use super::rate::RateRefusal;
use super::{API_KEY_HEADER, Admission, Refusal};
use crate::deadline::{Arrival, Deadline};
use crate::error::LookupError;
use crate::metrics::{self, Door, Method};
use crate::search::SearchMode;

/// The client's address, put on each request by the HTTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// What admission needs to know of a door: which requests it governs and
/// how the door says no.
pub trait Doorway: Clone + Send + Sync + 'static {
    /// The door's response type.
    type Response: Send + 'static;

    /// The door, for metrics.
    const DOOR: Door;

    /// The lookup method a request asks for, as the door's route table
    /// reads it; `None` for what bypasses admission (health, metrics, the
    /// API description, admin calls, no route).
    fn governed<B>(&self, request: &http::Request<B>) -> Option<Method>;

    /// The door's answer to a refused request.
    fn refuse(&self, error: &LookupError, rate: Option<&RateRefusal>) -> Self::Response;
}

/// The layer.
#[derive(Clone)]
pub struct AdmissionLayer<D> {
    admission: Arc<Admission>,
    door: D,
}

impl<D> AdmissionLayer<D> {
    /// Admission through `door`.
    pub fn new(admission: Arc<Admission>, door: D) -> AdmissionLayer<D> {
        AdmissionLayer { admission, door }
    }
}

impl<S, D: Clone> Layer<S> for AdmissionLayer<D> {
    type Service = AdmissionService<S, D>;

    fn layer(&self, inner: S) -> Self::Service {
        AdmissionService {
            inner,
            admission: self.admission.clone(),
            door: self.door.clone(),
        }
    }
}

/// The service the layer makes.
#[derive(Clone)]
pub struct AdmissionService<S, D> {
    inner: S,
    admission: Arc<Admission>,
    door: D,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, D, B> Service<http::Request<B>> for AdmissionService<S, D>
where
    S: Service<http::Request<B>, Response = D::Response> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    D: Doorway,
    B: Send + 'static,
{
    type Response = D::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<D::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let Some(method) = self.door.governed(&request) else {
            return Box::pin(self.inner.call(request));
        };
        // The inner service was made ready for this call; a clone takes
        // its place for the next one.
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let admission = self.admission.clone();
        let door = self.door.clone();
        Box::pin(async move {
            let arrival = Arrival::of(request.extensions());
            let deadline = Deadline::from_headers(request.headers(), arrival);
            let api_key = request
                .headers()
                .get(API_KEY_HEADER)
                .and_then(|value| value.to_str().ok());
            let (class, client) = admission.classify(api_key, peer_address(&request));
            match admission
                .admit(class, &client, deadline.map(|deadline| deadline.0))
                .await
            {
                Ok(permit) => {
                    let mode = if permit.degraded {
                        SearchMode::Degraded
                    } else {
                        SearchMode::Full
                    };
                    request.extensions_mut().insert(mode);
                    let _guard = PermitGuard {
                        admission,
                        permit: Some(permit),
                    };
                    inner.oneshot(request).await
                }
                Err(refusal) => {
                    let error = match refusal {
                        Refusal::Rate(_) => LookupError::RateLimited {
                            retry_after: admission.retry_after(&refusal),
                        },
                        Refusal::Shed(Shed::Deadline) => LookupError::DeadlineExceeded,
                        Refusal::Shed(shed) => LookupError::Overloaded {
                            reason: shed.as_str(),
                            retry_after: admission.retry_after(&refusal),
                        },
                    };
                    metrics::requests().observe(
                        D::DOOR,
                        method,
                        Some(error.kind()),
                        arrival.elapsed(),
                    );
                    let rate = match &refusal {
                        Refusal::Rate(rate) => Some(rate),
                        Refusal::Shed(_) => None,
                    };
                    Ok(door.refuse(&error, rate))
                }
            }
        })
    }
}

/// The client's address, from the HTTP server's extension or tonic's
/// connection info.
fn peer_address<B>(request: &http::Request<B>) -> Option<IpAddr> {
    if let Some(ClientAddr(ip)) = request.extensions().get::<ClientAddr>() {
        return Some(*ip);
    }
    request
        .extensions()
        .get::<tonic::transport::server::TcpConnectInfo>()
        .and_then(|info| info.remote_addr())
        .map(|addr| addr.ip())
}

/// Gives the permit back however the request ends, a dropped connection
/// included.
struct PermitGuard {
    admission: Arc<Admission>,
    permit: Option<Permit>,
}

impl Drop for PermitGuard {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            self.admission.release(permit);
        }
    }
}
