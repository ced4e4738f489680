//! Admission as tower layers and one call, the same for both doors.
//!
//! [`AdmissionLayer`] is the door's part: it sits in front of every route
//! of the HTTP server and every service of the gRPC server, sees each
//! lookup as soon as its headers are read, and refuses at once a client
//! over its rate or its caps on requests in flight. The search slot is
//! taken later, once the request is whole: by [`ConcurrencyLayer`] on the
//! HTTP door, after the body is read, and by [`acquire`] in the gRPC
//! handlers, after the message is decoded (tonic decodes inside the
//! service, past every layer).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{Layer, Service, ServiceExt};

use super::limit::Permit;
use super::rate::RateRefusal;
use super::{Admission, Refusal};
use crate::context::RequestContext;
use crate::error::LookupError;
use crate::metrics::{self, Door, Method};
use crate::search::SearchMode;

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
        // Every door makes the context first; making it here only keeps a
        // service assembled without it governed all the same.
        let context = request
            .extensions_mut()
            .remove::<RequestContext>()
            .unwrap_or_else(|| {
                RequestContext::at_door(D::DOOR, request.headers(), None, Some(&self.admission))
            });
        let entered = self
            .admission
            .enter(context.class, &context.client, context.connection());
        match entered {
            Ok(in_flight) => {
                request.extensions_mut().insert(context);
                // The inner service was made ready for this call; a clone
                // takes its place for the next one.
                let fresh = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, fresh);
                Box::pin(async move {
                    let response = inner.oneshot(request).await;
                    // Counted in flight until the answer is made.
                    drop(in_flight);
                    response
                })
            }
            Err(refusal) => {
                let response = refuse(&self.admission, &self.door, method, &context, &refusal);
                Box::pin(std::future::ready(Ok(response)))
            }
        }
    }
}

/// The layer that takes a search slot for a request that is whole (the
/// HTTP door's, after its body is read): the deadline, then the
/// concurrency limit and its queue. The lookup mode it chose goes into the
/// request's extensions; the permit is held until the answer is made.
#[derive(Clone)]
pub struct ConcurrencyLayer<D> {
    admission: Arc<Admission>,
    door: D,
}

impl<D> ConcurrencyLayer<D> {
    /// Search slots from `admission`, refusals answered through `door`.
    pub fn new(admission: Arc<Admission>, door: D) -> ConcurrencyLayer<D> {
        ConcurrencyLayer { admission, door }
    }
}

impl<S, D: Clone> Layer<S> for ConcurrencyLayer<D> {
    type Service = ConcurrencyService<S, D>;

    fn layer(&self, inner: S) -> Self::Service {
        ConcurrencyService {
            inner,
            admission: self.admission.clone(),
            door: self.door.clone(),
        }
    }
}

/// The service [`ConcurrencyLayer`] makes.
#[derive(Clone)]
pub struct ConcurrencyService<S, D> {
    inner: S,
    admission: Arc<Admission>,
    door: D,
}

impl<S, D, B> Service<http::Request<B>> for ConcurrencyService<S, D>
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
        let method = self.door.governed(&request);
        let context = RequestContext::of(request.extensions()).cloned();
        let (Some(method), Some(context)) = (method, context) else {
            return Box::pin(self.inner.call(request));
        };
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let admission = self.admission.clone();
        let door = self.door.clone();
        Box::pin(async move {
            match admission
                .acquire(context.class, context.deadline_instant())
                .await
            {
                Ok(permit) => {
                    request.extensions_mut().insert(mode_of(&permit));
                    let response = inner.oneshot(request).await;
                    permit.complete();
                    response
                }
                Err(refusal) => Ok(refuse(&admission, &door, method, &context, &refusal)),
            }
        })
    }
}

/// Answers a refused request through its door, and counts it.
fn refuse<D: Doorway>(
    admission: &Admission,
    door: &D,
    method: Method,
    context: &RequestContext,
    refusal: &Refusal,
) -> D::Response {
    let error = admission.error(refusal);
    metrics::requests().observe(
        D::DOOR,
        method,
        Some(error.kind()),
        context.arrival.elapsed(),
    );
    tracing::info!(
        request_id = %context.request_id,
        door = D::DOOR.as_str(),
        code = error.kind().code(),
        "request refused by admission"
    );
    let rate = match refusal {
        Refusal::Rate(rate) => Some(rate),
        Refusal::Capped(_) | Refusal::Shed(_) => None,
    };
    door.refuse(&error, rate)
}

fn mode_of(permit: &Permit) -> SearchMode {
    if permit.degraded {
        SearchMode::Degraded
    } else {
        SearchMode::Full
    }
}

/// A request's search slot, when admission is on.
#[derive(Debug)]
pub struct Admitted {
    permit: Option<Permit>,
}

impl Admitted {
    /// The lookup mode admission chose.
    pub fn mode(&self) -> SearchMode {
        self.permit.as_ref().map_or(SearchMode::Full, mode_of)
    }

    /// Gives the slot back after a request that ran to its end.
    pub fn complete(self) {
        if let Some(permit) = self.permit {
            permit.complete();
        }
    }
}

/// Takes a search slot for a request that is whole (the gRPC handlers',
/// after the message is decoded): the deadline, then the concurrency limit.
/// Without admission, every request runs in full mode at once.
pub async fn acquire(
    admission: Option<&Admission>,
    context: &RequestContext,
) -> Result<Admitted, LookupError> {
    let Some(admission) = admission else {
        return Ok(Admitted { permit: None });
    };
    match admission
        .acquire(context.class, context.deadline_instant())
        .await
    {
        Ok(permit) => Ok(Admitted {
            permit: Some(permit),
        }),
        Err(refusal) => Err(admission.error(&refusal)),
    }
}
