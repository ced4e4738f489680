//! The bodies of the `serve` and `demo` commands: load or build the index,
//! bind, print where to reach the service, run until told to stop.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{DemoArgs, FileSettings, ServeArgs, ServerConfig};
use crate::index::reload::{Outcome, Reloader, Trigger};
use crate::index::{IndexHandle, LoadedIndex};
use crate::search_pool::SearchPool;
use crate::server::{Listeners, run, termination_signal};
use crate::state::AppState;
use crate::transport::tls::TlsCertificates;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A setting was refused.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The index could not be loaded.
    #[error("cannot load the index: {0}")]
    Load(#[from] crate::index::LoadError),
    /// The demo index could not be built.
    #[error(transparent)]
    Demo(#[from] crate::demo::DemoError),
    /// Serving failed.
    #[error(transparent)]
    Serve(#[from] crate::server::ServeError),
    /// Local addresses could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The first index was refused.
    #[error("cannot serve the index: {0}")]
    FirstIndex(String),
    /// A request-level error (the first reload could not run).
    #[error(transparent)]
    Lookup(#[from] crate::error::LookupError),
    /// The TLS certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] crate::transport::tls::TlsError),
}

/// `voter-lookup serve`.
pub async fn serve(
    args: ServeArgs,
    file: FileSettings,
    config: ServerConfig,
) -> Result<(), AppError> {
    let reload = args.reload_config(&file)?;
    let keys = {
        let (server, file) = (args.server.clone(), file.clone());
        move || server.key_ring(&file)
    };
    let (listeners, tls) = listen(&config).await?;
    let (http, grpc) = listeners.local_addrs()?;
    let state = Arc::new(
        AppState::with_pool(
            IndexHandle::default(),
            SearchPool::new(config.search_threads.get())?,
        )
        .with_reloader(Reloader::new(reload.source.clone(), reload.policy.clone()))
        .with_admin_token(config.admin_token.clone())
        .with_optional_admission(config.admission.clone())
        .with_privacy(privacy(&config)?)
        .with_body_limits(config.body_limits)
        .with_kiosk_timers(config.kiosk_timers)
        .with_shutdown_delay(config.shutdown_delay),
    );
    // The doors answer (not ready) while the first index loads.
    let loading = {
        let state = state.clone();
        async move {
            let report = state.reload(Trigger::Start, true).await?;
            match &report.outcome {
                Outcome::Refused { reason, .. } => Err(AppError::FirstIndex(reason.to_string())),
                _ => {
                    tracing::info!(%http, %grpc, "{}", report.message());
                    Ok(())
                }
            }
        }
    };
    let serving = tokio::spawn(run(
        state.clone(),
        listeners,
        termination_signal(),
        config.drain,
    ));
    if let Err(error) = loading.await {
        serving.abort();
        return Err(error);
    }
    tokio::spawn(follow_new_versions(state.clone(), reload.poll, keys, tls));
    let served = serving.await.map_err(crate::server::ServeError::from);
    state.forget_serving_record();
    served??;
    Ok(())
}

/// How often the server records again, under the index root, the version
/// it serves (well within `publish::SERVING_RECORD_TTL`).
const SERVING_RECORD_REFRESH: Duration = Duration::from_secs(60);

/// Reloads when the index root's `current` changes (polled) and on SIGHUP,
/// and keeps the serving record fresh, until the server stops accepting.
/// SIGHUP also rereads the API keys (`keys`): a key file that fails to
/// read keeps the keys in force; and the TLS certificate, when there is
/// one: a pair that cannot be used keeps the certificate in force.
async fn follow_new_versions(
    state: Arc<AppState>,
    poll: Option<Duration>,
    keys: impl Fn() -> Result<crate::privacy::keys::KeyRing, crate::config::ConfigError>,
    tls: Option<Arc<TlsCertificates>>,
) {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut ticks = poll.map(tokio::time::interval);
    let mut refresh = tokio::time::interval(SERVING_RECORD_REFRESH);
    while state.is_accepting() {
        let tick = async {
            match &mut ticks {
                Some(ticks) => {
                    ticks.tick().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(unix)]
        let signal = async {
            match &mut hangup {
                Some(hangup) => {
                    hangup.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let signal = std::future::pending::<()>();
        let trigger = tokio::select! {
            _ = refresh.tick() => {
                state.refresh_serving_record();
                continue;
            }
            () = tick => {
                if !state.new_version_published().await {
                    continue;
                }
                Trigger::Watch
            }
            () = signal => {
                if let Some(tls) = &tls {
                    tls.reload_logged();
                }
                match keys() {
                    Ok(ring) => {
                        tracing::info!(keys = ring.len(), "API keys reread");
                        state.replace_keys(ring);
                    }
                    Err(error) => tracing::error!(%error, "API keys not reread: the keys in force stay"),
                }
                Trigger::Signal
            }
        };
        if let Ok(report) = state.reload(trigger, false).await {
            tracing::info!(trigger = ?trigger, outcome = report.outcome_name(), "{}", report.message());
        }
    }
}

/// `voter-lookup demo`.
pub async fn demo(
    args: DemoArgs,
    file: FileSettings,
    config: ServerConfig,
) -> Result<(), AppError> {
    let (listeners, tls) = listen(&config).await?;
    // The demo has no index to reload, but its certificate follows SIGHUP
    // as `serve`'s does (the handler is in place before anything prints).
    #[cfg(unix)]
    if let Some(tls) = tls {
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                tls.reload_logged();
            }
        });
    }
    let (voters, seed) = args.roll(&file);
    println!("voter-lookup demo: generating and indexing {voters} synthetic voters (seed {seed})…");
    let index = tokio::task::spawn_blocking(move || crate::demo::build_demo_index(voters, seed))
        .await
        .map_err(crate::server::ServeError::from)??;
    let (http, grpc) = listeners.local_addrs()?;
    print_welcome(&index, http, grpc, config.tls.is_some());
    let state = Arc::new(
        AppState::with_pool(
            IndexHandle::with_index(index),
            SearchPool::new(config.search_threads.get())?,
        )
        .with_admin_token(config.admin_token.clone())
        .with_optional_admission(config.admission.clone())
        .with_privacy(privacy(&config)?)
        .with_body_limits(config.body_limits)
        .with_kiosk_timers(config.kiosk_timers)
        .with_shutdown_delay(config.shutdown_delay),
    );
    run(state, listeners, termination_signal(), config.drain).await?;
    Ok(())
}

/// Binds every address `config` names, with its connection limits and
/// its certificate; returns the certificate too, for SIGHUP to reload.
async fn listen(
    config: &ServerConfig,
) -> Result<(Listeners, Option<Arc<TlsCertificates>>), AppError> {
    let tls = load_tls(config)?;
    let listeners = Listeners::bind(config.http, config.grpc)
        .await?
        .with_transport(config.transport)
        .with_tls(tls.clone())
        .with_admin(config.admin_listen)
        .await?;
    if let Some(admin) = listeners.admin_addr()? {
        tracing::info!(%admin, "metrics and admin calls answered on this address only");
    }
    Ok((listeners, tls))
}

/// The privacy gate of `config`: opens the audit trail, and says at start
/// what keyless callers get.
fn privacy(config: &ServerConfig) -> Result<crate::privacy::Privacy, AppError> {
    use crate::privacy::role::AnonymousPolicy;
    let settings = config.privacy.clone();
    match settings.roles.anonymous {
        AnonymousPolicy::Staff => tracing::warn!(
            "anonymous callers get full answers (no API key is configured, or --anonymous staff), \
             and without keys no quota applies unless --quota says so: fine on a closed network; \
             before facing the public, configure keys and --anonymous kiosk or deny"
        ),
        policy => tracing::info!(anonymous = policy.as_str(), "roles in force"),
    }
    if settings.audit.is_none() {
        tracing::warn!("no audit trail (--audit-log): answers that reveal voters are not recorded");
    }
    crate::privacy::Privacy::new(settings).map_err(|error| {
        AppError::Io(std::io::Error::new(
            error.kind(),
            format!("cannot open the audit trail: {error}"),
        ))
    })
}

/// Reads the configured certificate and key, naming the file that fails.
fn load_tls(config: &ServerConfig) -> Result<Option<Arc<TlsCertificates>>, AppError> {
    let Some(files) = &config.tls else {
        return Ok(None);
    };
    let tls = TlsCertificates::load(files.clone())?;
    tracing::info!(cert = %files.cert.display(), "both doors speak TLS");
    Ok(Some(tls))
}

fn print_welcome(
    index: &LoadedIndex,
    http: std::net::SocketAddr,
    grpc: std::net::SocketAddr,
    tls: bool,
) {
    let (scheme, plaintext) = if tls {
        ("https", "")
    } else {
        ("http", "-plaintext ")
    };
    println!(
        "ready: {} voters in {} polling stations, index {}",
        index.info().voters,
        index.stations().len(),
        index.version()
    );
    println!("  HTTP  {scheme}://{http}/v1/search?q=…   (also /v1/stations, /healthz, /readyz)");
    println!("  gRPC  {grpc}   voterlookup.v1.VoterLookup");
    println!("  Pages http://{http}/ (the kiosk)   http://{http}/desk (the desk)");
    if let Some(example) = crate::demo::example_query(index) {
        let mut url_query = form_urlencoded::Serializer::new(String::new());
        url_query.append_pair("q", &example.query);
        if let Some(date) = &example.birth_date {
            url_query.append_pair("birth_date", date);
        }
        let grpc_body = serde_json::json!({
            "q": example.query,
            "birth_date": example.birth_date.clone().unwrap_or_default(),
        });
        println!(
            "Try (this voter is {}, in station {}, order number {}):",
            example.query, example.station_code, example.order_number
        );
        println!(
            "  curl '{scheme}://{http}/v1/search?{}'",
            url_query.finish()
        );
        println!("  grpcurl {plaintext}-d '{grpc_body}' {grpc} voterlookup.v1.VoterLookup/Search");
    }
    println!("Ctrl-C stops the server.");
}
