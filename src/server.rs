//! Runs both doors over one shared state, and stops them in order: report
//! not-ready, keep answering for the shutdown delay (while load balancers
//! take the server out), stop accepting, let in-flight requests finish
//! within the drain time, return.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::http::routes::Listener;
pub use crate::state::AppState;
use crate::transport::TransportConfig;
use crate::transport::tls::TlsCertificates;

/// The two bound listeners, and the limits on their connections.
pub struct Listeners {
    /// HTTP/JSON.
    pub http: TcpListener,
    /// gRPC.
    pub grpc: TcpListener,
    /// Connection limits of both doors.
    pub transport: TransportConfig,
    /// The certificate both doors serve, when they speak TLS.
    pub tls: Option<Arc<TlsCertificates>>,
    /// `--admin-listen`: metrics, admin calls and probes, apart from the
    /// public door (plain HTTP: an address on the operators' network).
    pub admin: Option<TcpListener>,
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
            tls: None,
            admin: None,
        })
    }

    /// The same, with metrics and admin calls on `admin` only, when given.
    pub async fn with_admin(mut self, admin: Option<SocketAddr>) -> Result<Listeners, ServeError> {
        if let Some(addr) = admin {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind {
                    door: "admin",
                    addr,
                    source,
                })?;
            self.admin = Some(listener);
        }
        Ok(self)
    }

    /// The admin address actually bound, when there is one.
    pub fn admin_addr(&self) -> std::io::Result<Option<SocketAddr>> {
        self.admin.as_ref().map(TcpListener::local_addr).transpose()
    }

    /// The same, with `transport` limits instead of the defaults.
    pub fn with_transport(mut self, transport: TransportConfig) -> Listeners {
        self.transport = transport;
        self
    }

    /// The same, speaking TLS with `tls` on both doors (plain without).
    pub fn with_tls(mut self, tls: Option<Arc<TlsCertificates>>) -> Listeners {
        self.tls = tls;
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
    // The status history begins with the server (its uptime counts from
    // here).
    crate::status::history::history();
    {
        // Histogram samples wait in memory until they are folded into the
        // exposition; fold them now and then even when nobody scrapes.
        // The status history notes memory and the index served as often.
        let state = state.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(5));
            while state.is_accepting() {
                ticks.tick().await;
                crate::metrics::upkeep();
                crate::status::sample(&state);
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
    let operator_apart = listeners.admin.is_some();
    let http = tokio::spawn(crate::http::serve(
        listeners.http,
        Listener::Door { operator_apart },
        state.clone(),
        transport,
        listeners.tls.clone(),
        stopped(),
    ));
    let admin = listeners.admin.map(|admin| {
        tokio::spawn(crate::http::serve(
            admin,
            Listener::Admin,
            state.clone(),
            transport,
            None,
            stopped(),
        ))
    });
    let grpc = tokio::spawn(crate::grpc::serve(
        listeners.grpc,
        state.clone(),
        transport,
        listeners.tls,
        stopped(),
    ));

    shutdown.await;
    tracing::info!(
        shutdown_delay_seconds = state.shutdown_delay().as_secs_f64(),
        drain_seconds = drain.as_secs_f64(),
        "shutting down: no longer ready, answering during the shutdown delay, then draining"
    );
    state.stop_accepting();
    state.publish_readiness().await;
    if !state.shutdown_delay().is_zero() {
        tokio::time::sleep(state.shutdown_delay()).await;
    }
    let _ = stop_sender.send(true);
    let finished = async {
        http.await?;
        grpc.await??;
        if let Some(admin) = admin {
            admin.await?;
        }
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
