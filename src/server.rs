//! Runs both doors over one shared state, and stops them in order: stop
//! accepting, report not-ready, let in-flight requests finish within the
//! drain time, return.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use crate::admission::{Admission, AdmissionConfig};
use crate::error::LookupError;
use crate::index::IndexHandle;
use crate::index::reload::{ReloadReport, Reloader, Trigger};
use crate::search_pool::SearchPool;
use crate::service::LookupService;
use crate::transport::TransportConfig;

fn not_reloadable() -> LookupError {
    LookupError::PermissionDenied("this server does not reload: it serves a fixed index".into())
}

/// Who may make admin calls: holders of the configured token.
#[derive(Default)]
struct AdminAccess {
    token: Option<String>,
}

impl AdminAccess {
    fn check(&self, authorization: Option<&str>) -> Result<(), LookupError> {
        let Some(expected) = &self.token else {
            return Err(LookupError::PermissionDenied(
                "admin calls are disabled: no admin token is configured".into(),
            ));
        };
        let given = authorization
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                LookupError::Unauthenticated("send `Authorization: Bearer <admin token>`".into())
            })?;
        // Compare every byte whatever the first difference, so that the
        // time taken says nothing of the token.
        let same_length = given.len() == expected.len();
        let difference = given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if same_length && difference == 0 {
            Ok(())
        } else {
            Err(LookupError::Unauthenticated(
                "the admin token is wrong".into(),
            ))
        }
    }
}

/// What every request handler shares.
pub struct AppState {
    /// The lookups.
    pub service: LookupService,
    accepting: AtomicBool,
    health: HealthReporter,
    reloader: Option<Reloader>,
    admin: AdminAccess,
    admission: Option<Arc<Admission>>,
}

impl AppState {
    /// State serving `index` with one search thread per core, no
    /// reloading and no admin calls.
    pub fn new(index: IndexHandle) -> AppState {
        let pool = SearchPool::per_core().expect("the search threads start");
        AppState::with_pool(index, pool)
    }

    /// The same, searching on `pool`.
    pub fn with_pool(index: IndexHandle, pool: SearchPool) -> AppState {
        AppState {
            service: LookupService::new(index, pool),
            accepting: AtomicBool::new(true),
            health: HealthReporter::new(),
            reloader: None,
            admin: AdminAccess::default(),
            admission: None,
        }
    }

    /// The same, with admission control in front of both doors.
    pub fn with_admission(mut self, admission: Admission) -> AppState {
        self.admission = Some(Arc::new(admission));
        self
    }

    /// The same, with admission control when `config` is given.
    pub fn with_optional_admission(self, config: Option<AdmissionConfig>) -> AppState {
        match config {
            Some(config) => self.with_admission(Admission::new(config)),
            None => self,
        }
    }

    /// Admission control, when on.
    pub fn admission(&self) -> Option<&Arc<Admission>> {
        self.admission.as_ref()
    }

    /// The same, following new versions with `reloader`.
    pub fn with_reloader(mut self, reloader: Reloader) -> AppState {
        self.reloader = Some(reloader);
        self
    }

    /// The same, with admin calls allowed to holders of `token`.
    pub fn with_admin_token(mut self, token: Option<String>) -> AppState {
        self.admin = AdminAccess { token };
        self
    }

    /// Checks an admin call's `Authorization` header.
    pub fn authorize_admin(&self, authorization: Option<&str>) -> Result<(), LookupError> {
        self.admin.check(authorization)
    }

    /// The last reload's report, if the server reloads.
    pub fn last_reload(&self) -> Option<ReloadReport> {
        self.reloader.as_ref().and_then(Reloader::last)
    }

    /// Reloads from the index source (an admin call, SIGHUP or the watch).
    pub async fn reload(&self, trigger: Trigger, force: bool) -> Result<ReloadReport, LookupError> {
        let reloader = self.reloader.as_ref().ok_or_else(not_reloadable)?;
        let report = reloader.reload(self.service.index(), trigger, force).await;
        self.publish_readiness().await;
        Ok(report)
    }

    /// Goes back to the version served before.
    pub async fn rollback(&self, force: bool) -> Result<ReloadReport, LookupError> {
        let reloader = self.reloader.as_ref().ok_or_else(not_reloadable)?;
        let report = reloader.rollback(self.service.index(), force).await;
        self.publish_readiness().await;
        Ok(report)
    }

    /// True when the index root names a version this server has not seen.
    pub async fn new_version_published(&self) -> bool {
        match &self.reloader {
            Some(reloader) => reloader.current_changed().await,
            None => false,
        }
    }

    /// False once shutdown has begun.
    pub fn is_accepting(&self) -> bool {
        self.accepting.load(Ordering::Relaxed)
    }

    /// True when an index is loaded and requests are accepted.
    pub fn is_ready(&self) -> bool {
        self.is_accepting() && self.service.index().is_loaded()
    }

    /// The gRPC health statuses.
    pub fn health(&self) -> &HealthReporter {
        &self.health
    }

    /// Tells health checks and metrics whether the server is ready.
    pub async fn publish_readiness(&self) {
        let ready = self.is_ready();
        let status = if ready {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        self.health.set_service_status("", status).await;
        self.health
            .set_service_status(crate::grpc::SERVICE_NAME, status)
            .await;
        crate::metrics::set_ready(ready);
        if let Some(index) = self.service.index().snapshot() {
            crate::metrics::index_loaded(&index);
        }
    }

    fn stop_accepting(&self) {
        self.accepting.store(false, Ordering::Relaxed);
    }
}

/// The two bound listeners, and the limits on their connections.
pub struct Listeners {
    /// HTTP/JSON.
    pub http: TcpListener,
    /// gRPC.
    pub grpc: TcpListener,
    /// Connection limits of both doors.
    pub transport: TransportConfig,
}

impl Listeners {
    /// Binds both addresses, naming the one that fails.
    pub async fn bind(http: SocketAddr, grpc: SocketAddr) -> Result<Listeners, ServeError> {
        let bind = |addr: SocketAddr, door: &'static str| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind { door, addr, source })
        };
        Ok(Listeners {
            http: bind(http, "http").await?,
            grpc: bind(grpc, "grpc").await?,
            transport: TransportConfig::default(),
        })
    }

    /// The same, with `transport` limits instead of the defaults.
    pub fn with_transport(mut self, transport: TransportConfig) -> Listeners {
        self.transport = transport;
        self
    }

    /// The addresses actually bound (useful with port 0).
    pub fn local_addrs(&self) -> std::io::Result<(SocketAddr, SocketAddr)> {
        Ok((self.http.local_addr()?, self.grpc.local_addr()?))
    }
}

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// An address could not be bound.
    #[error("cannot listen for {door} on {addr}: {source}")]
    Bind {
        /// `http` or `grpc`.
        door: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The gRPC server failed.
    #[error("grpc server: {0}")]
    Grpc(#[from] tonic::transport::Error),
    /// A door's task panicked.
    #[error("a server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Serves both doors until `shutdown` resolves, then drains for at most
/// `drain`.
pub async fn run(
    state: Arc<AppState>,
    listeners: Listeners,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) -> Result<(), ServeError> {
    state.publish_readiness().await;
    {
        // Histogram samples wait in memory until they are folded into the
        // exposition; fold them now and then even when nobody scrapes.
        let state = state.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(5));
            while state.is_accepting() {
                ticks.tick().await;
                crate::metrics::upkeep();
            }
        });
    }
    if let Some(admission) = state.admission().cloned() {
        // Rate-limit tables forget idle clients every few seconds.
        let state = state.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(5));
            while state.is_accepting() {
                ticks.tick().await;
                admission.housekeeping();
            }
        });
    }
    let (stop_sender, stop_receiver) = watch::channel(false);
    let stopped = move || {
        let mut receiver = stop_receiver.clone();
        async move {
            // An error means the sender is gone, which also means stop.
            let _ = receiver.wait_for(|stop| *stop).await;
        }
    };
    let transport = listeners.transport;
    let http = tokio::spawn(crate::http::serve(
        listeners.http,
        state.clone(),
        transport,
        stopped(),
    ));
    let grpc = tokio::spawn(crate::grpc::serve(
        listeners.grpc,
        state.clone(),
        transport,
        stopped(),
    ));

    shutdown.await;
    tracing::info!(
        drain_seconds = drain.as_secs_f64(),
        "shutting down: no longer ready, draining"
    );
    state.stop_accepting();
    state.publish_readiness().await;
    let _ = stop_sender.send(true);
    let finished = async {
        http.await?;
        grpc.await??;
        Ok::<(), ServeError>(())
    };
    match tokio::time::timeout(drain, finished).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!("drain time over: closing the connections still open");
            Ok(())
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn termination_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
