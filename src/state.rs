//! What every request handler of both doors shares: the lookup service,
//! admission control, health, reloading and admin access. It sits below
//! the doors and the server, which all read it and import nothing of each
//! other.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use voter_lookup_proto::v1::voter_lookup_server::SERVICE_NAME;

use crate::admission::{Admission, AdmissionConfig};
use crate::error::LookupError;
use crate::index::IndexHandle;
use crate::index::reload::{Fallback, Pin, ReloadReport, Reloader, Trigger};
use crate::privacy::{Privacy, PrivacyConfig};
use crate::search_pool::SearchPool;
use crate::service::LookupService;

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

/// How long and how large a request body the HTTP door reads before a
/// request competes for a search slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// Longest the whole body may take to arrive.
    pub timeout: Duration,
    /// Largest body read.
    pub max_bytes: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            // A lookup has no body; a few packets of one arrive within
            // milliseconds on any working network.
            timeout: Duration::from_secs(2),
            max_bytes: 16 * 1024,
        }
    }
}

/// How the kiosk page clears itself, so that the next voter never sees
/// the previous one's answer (given to the page by the HTTP door).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskTimers {
    /// Inactivity after which the page goes back to its start.
    pub idle_reset: Duration,
    /// How long an answer stays on screen before the page goes back to its
    /// start, touched or not.
    pub answer_shown: Duration,
}

impl Default for KioskTimers {
    fn default() -> Self {
        KioskTimers {
            idle_reset: Duration::from_secs(60),
            answer_shown: Duration::from_secs(30),
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
    privacy: Privacy,
    body_limits: BodyLimits,
    kiosk_timers: KioskTimers,
    shutdown_delay: Duration,
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
            privacy: Privacy::new(PrivacyConfig::default())
                .expect("a gate without an audit trail opens no file"),
            shutdown_delay: Duration::ZERO,
            body_limits: BodyLimits::default(),
            kiosk_timers: KioskTimers::default(),
        }
    }

    /// The same, reading HTTP request bodies within `limits`.
    pub fn with_body_limits(mut self, limits: BodyLimits) -> AppState {
        self.body_limits = limits;
        self
    }

    /// How the HTTP door reads request bodies.
    pub fn body_limits(&self) -> BodyLimits {
        self.body_limits
    }

    /// The same, with the kiosk page clearing itself after `timers`.
    pub fn with_kiosk_timers(mut self, timers: KioskTimers) -> AppState {
        self.kiosk_timers = timers;
        self
    }

    /// How the kiosk page clears itself.
    pub fn kiosk_timers(&self) -> KioskTimers {
        self.kiosk_timers
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

    /// The same, with `privacy` as the gate of every answer.
    pub fn with_privacy(mut self, privacy: Privacy) -> AppState {
        self.privacy = privacy;
        self
    }

    /// Who may see what, quotas and the audit trail.
    pub fn privacy(&self) -> &Privacy {
        &self.privacy
    }

    /// Puts the reread API keys in force.
    pub fn replace_keys(&self, keys: crate::privacy::keys::KeyRing) {
        if let Some(admission) = &self.admission {
            admission.replace_keys(keys);
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

    /// The same, answering for `delay` after the shutdown signal while
    /// reporting not ready, before it stops accepting.
    pub fn with_shutdown_delay(mut self, delay: Duration) -> AppState {
        self.shutdown_delay = delay;
        self
    }

    /// How long the server keeps answering after the shutdown signal.
    pub fn shutdown_delay(&self) -> Duration {
        self.shutdown_delay
    }

    /// Set while `current` failed its checks at start and an older version
    /// serves.
    pub fn fallback(&self) -> Option<Fallback> {
        self.reloader.as_ref().and_then(Reloader::fallback)
    }

    /// Set while a rollback is kept in this server only.
    pub fn pin(&self) -> Option<Pin> {
        self.reloader.as_ref().and_then(Reloader::pin)
    }

    /// Records again under the index root the version served.
    pub fn refresh_serving_record(&self) {
        if let Some(reloader) = &self.reloader {
            reloader.record_serving(self.service.index());
        }
    }

    /// Removes this server's record under the index root.
    pub fn forget_serving_record(&self) {
        if let Some(reloader) = &self.reloader {
            reloader.forget_serving();
        }
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
        self.health.set_service_status(SERVICE_NAME, status).await;
        crate::metrics::set_ready(ready);
        crate::metrics::index_fallback(self.fallback().is_some());
        if let Some(index) = self.service.index().snapshot() {
            crate::metrics::index_loaded(&index);
        }
    }

    /// Stops accepting requests: shutdown has begun.
    pub(crate) fn stop_accepting(&self) {
        self.accepting.store(false, Ordering::Relaxed);
    }
}
