//! Putting a new index live while the old one serves, and refusing a bad
//! one.
//!
//! A reload loads the candidate artifact beside the live index (every
//! checksum verified and, given a verify key, its signature), checks it
//! against the live one (schema version, a bounded change in the number of
//! voters unless forced, each canary voter its builder named must be found
//! by a lookup made from their record — which also warms it), then swaps it
//! in with one `ArcSwap` store. Requests that
//! started on the old index finish on it; it is freed when the last of
//! them ends. One reload runs at a time, so memory holds at most the live
//! index, the candidate, and the one being released.
//!
//! Reloads come from a watch on the index root's `current` link, SIGHUP,
//! or an admin call on either door; a rollback goes back to the version
//! served before, through the same checks. A refused candidate changes
//! nothing but the last report (shown by `/readyz`) and the metrics.
//!
//! Under a publishing root, what the server serves must survive what
//! follows:
//! - a rollback repoints `current` at the version rolled back to, so the
//!   watch, SIGHUP, the other servers of the root and a restart all keep
//!   to it. When the root cannot be written (mounted read-only), the
//!   rollback is pinned in this server instead, until `current` names
//!   another version; a restart then serves `current` again (`/readyz`
//!   says so);
//! - when the version `current` names fails its checks at start, the
//!   server falls back to the newest version that passes, and says so in
//!   its log, the `voter_lookup_index_fallback` gauge and `/readyz`;
//! - the server records the version it serves under the root (see
//!   `voter_core::publish`), so that the builder's `--keep` never prunes it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use metrics::{counter, histogram};
use voter_core::publish;
use voter_core::signing::VerifyKey;

use super::{IndexHandle, LoadedIndex};
use crate::search::{LookupQuery, SearchMode, Searcher};

/// Where new versions come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexSource {
    /// One artifact directory (`serve --index`): a reload reads it again.
    Dir(PathBuf),
    /// A publishing root (`serve --index-root`): its `current` link names
    /// the live version.
    Root(PathBuf),
}

/// Limits a candidate must respect.
#[derive(Debug, Clone, PartialEq)]
pub struct ReloadPolicy {
    /// Largest relative change of the voter count accepted without
    /// `force` (0.2: a roll 20% larger or smaller).
    pub max_voter_change: f64,
    /// When set, only artifacts whose manifest this key signed are loaded
    /// (`force` does not waive it).
    pub verify_key: Option<VerifyKey>,
}

impl Default for ReloadPolicy {
    fn default() -> Self {
        ReloadPolicy {
            max_voter_change: 0.2,
            verify_key: None,
        }
    }
}

/// What asked for a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The server's start.
    Start,
    /// The watch on the root saw `current` change.
    Watch,
    /// SIGHUP.
    Signal,
    /// An admin call.
    Admin,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Watch => "watch",
            Trigger::Signal => "signal",
            Trigger::Admin => "admin",
        }
    }
}

/// Why a candidate was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The artifact could not be loaded or verified.
    #[error("{0}")]
    Artifact(String),
    /// It holds no voter.
    #[error("the new index holds no voter")]
    Empty,
    /// Its voter count differs too much from the live one's.
    #[error(
        "the new index holds {new} voters against {live} live ({change:+.1}%, more than ±{allowed:.0}% allowed without force)"
    )]
    VoterCount {
        /// Voters live.
        live: u64,
        /// Voters in the candidate.
        new: u64,
        /// Change in percent.
        change: f64,
        /// Change allowed in percent.
        allowed: f64,
    },
    /// A canary lookup did not find its voter. Named by station and order
    /// number only: the message reaches `/readyz` and the logs.
    #[error(
        "the canary lookup of the voter at station {station}, order {order}, did not find them"
    )]
    Canary {
        /// Station of the voter.
        station: String,
        /// Order number of the voter.
        order: u32,
    },
    /// Nothing to roll back to.
    #[error("no earlier version to roll back to")]
    NoEarlierVersion,
    /// The root's `current` link cannot be read.
    #[error("{0}")]
    Root(String),
}

impl Refusal {
    /// Every label of [`Refusal::code`].
    pub const CODES: [&'static str; 6] = [
        "artifact",
        "empty",
        "voter_count",
        "canary",
        "no_earlier_version",
        "root",
    ];

    /// Stable label for metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Artifact(_) => "artifact",
            Refusal::Empty => "empty",
            Refusal::VoterCount { .. } => "voter_count",
            Refusal::Canary { .. } => "canary",
            Refusal::NoEarlierVersion => "no_earlier_version",
            Refusal::Root(_) => "root",
        }
    }
}

/// How a reload ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The candidate is live.
    Swapped {
        /// Version live before.
        from: Option<String>,
        /// Version live now.
        to: String,
    },
    /// The candidate is the live version already.
    Unchanged {
        /// The live version.
        version: String,
    },
    /// The candidate was refused; the live index keeps serving.
    Refused {
        /// Version still live.
        live: Option<String>,
        /// Why.
        reason: Refusal,
    },
}

/// The last reload, for `/readyz` and the admin calls.
#[derive(Debug, Clone, PartialEq)]
pub struct ReloadReport {
    /// How it ended.
    pub outcome: Outcome,
    /// What asked for it.
    pub trigger: Trigger,
    /// When it ended.
    pub at: SystemTime,
    /// How long it took.
    pub duration: Duration,
}

impl ReloadReport {
    /// `swapped`, `unchanged` or `refused`.
    pub fn outcome_name(&self) -> &'static str {
        match self.outcome {
            Outcome::Swapped { .. } => "swapped",
            Outcome::Unchanged { .. } => "unchanged",
            Outcome::Refused { .. } => "refused",
        }
    }

    /// What happened, in words.
    pub fn message(&self) -> String {
        match &self.outcome {
            Outcome::Swapped { from, to } => {
                format!(
                    "now serving {to} (was {})",
                    from.as_deref().unwrap_or("nothing")
                )
            }
            Outcome::Unchanged { version } => format!("{version} is already live"),
            Outcome::Refused { reason, .. } => reason.to_string(),
        }
    }
}

/// The server serves another version than the one `current` names,
/// because that one failed its checks at start.
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback {
    /// The version `current` names, refused.
    pub current: String,
    /// The version served instead: the newest that passed.
    pub serving: String,
    /// Why `current` was refused.
    pub reason: String,
}

/// A rollback this server keeps although `current` could not be repointed.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    /// The version rolled back to.
    pub version: String,
    /// What `current` named then: the pin holds while it still does.
    pub current: Option<String>,
    /// Why `current` could not be repointed.
    pub reason: String,
}

/// What the reloader remembers between reloads.
#[derive(Debug, Default)]
struct Memory {
    /// The version `current` named when last looked at.
    seen_current: Option<String>,
    /// Artifact directories served before the live one, oldest first.
    history: Vec<PathBuf>,
    /// The live index's directory.
    live_dir: Option<PathBuf>,
}

/// Loads, checks and swaps indexes for one server.
pub struct Reloader {
    source: IndexSource,
    policy: ReloadPolicy,
    memory: tokio::sync::Mutex<Memory>,
    last: Mutex<Option<ReloadReport>>,
    fallback: Mutex<Option<Fallback>>,
    pin: Mutex<Option<Pin>>,
    /// This server's name in the root's serving records.
    server_id: String,
    /// Set once a failure to record was logged, so it is logged once.
    record_warned: AtomicBool,
}

impl Reloader {
    /// A reloader following `source`.
    pub fn new(source: IndexSource, policy: ReloadPolicy) -> Reloader {
        // Every refusal's series exists from the start, at zero, so that
        // an alert on its rate sees the first one.
        crate::metrics::requests();
        for reason in Refusal::CODES {
            counter!("voter_lookup_index_reload_refusals_total", "reason" => reason).increment(0);
        }
        Reloader {
            source,
            policy,
            memory: tokio::sync::Mutex::new(Memory::default()),
            last: Mutex::new(None),
            fallback: Mutex::new(None),
            pin: Mutex::new(None),
            server_id: default_server_id(),
            record_warned: AtomicBool::new(false),
        }
    }

    /// The last reload's report.
    pub fn last(&self) -> Option<ReloadReport> {
        self.last.lock().map(|last| last.clone()).unwrap_or(None)
    }

    /// Set while the server serves an older version because `current`
    /// failed its checks at start.
    pub fn fallback(&self) -> Option<Fallback> {
        self.fallback.lock().map(|f| f.clone()).unwrap_or(None)
    }

    /// Set while a rollback is kept in this server only.
    pub fn pin(&self) -> Option<Pin> {
        self.pin.lock().map(|p| p.clone()).unwrap_or(None)
    }

    fn set_fallback(&self, fallback: Option<Fallback>) {
        if let Ok(mut slot) = self.fallback.lock() {
            *slot = fallback;
        }
    }

    fn set_pin(&self, pin: Option<Pin>) {
        if let Ok(mut slot) = self.pin.lock() {
            *slot = pin;
        }
    }

    /// Records (again) under the root the version this server serves, so
    /// that pruning keeps it; called after every swap and every minute.
    pub fn record_serving(&self, handle: &IndexHandle) {
        let (IndexSource::Root(root), Some(version)) = (&self.source, live_version(handle)) else {
            return;
        };
        match publish::record_serving(root, &self.server_id, &version) {
            Ok(()) => self.record_warned.store(false, Ordering::Relaxed),
            Err(error) => {
                if !self.record_warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error, "cannot record the version served: the builder's --keep may prune it");
                }
            }
        }
    }

    /// Removes this server's record (at shutdown).
    pub fn forget_serving(&self) {
        if let IndexSource::Root(root) = &self.source
            && let Err(error) = publish::forget_serving(root, &self.server_id)
        {
            tracing::debug!(%error, "cannot remove the serving record");
        }
    }

    /// Loads the source's current version into `handle`, unless it is live
    /// already. At start, when `current` fails its checks, falls back to
    /// the newest published version that passes.
    pub async fn reload(
        &self,
        handle: &IndexHandle,
        trigger: Trigger,
        force: bool,
    ) -> ReloadReport {
        let started = Instant::now();
        let mut memory = self.memory.lock().await;
        let candidate = match &self.source {
            IndexSource::Dir(dir) => Ok((dir.clone(), None)),
            IndexSource::Root(root) => match publish::current_version(root) {
                Ok(Some(version)) => {
                    memory.seen_current = Some(version.clone());
                    Ok((root.join(&version), Some(version)))
                }
                Ok(None) => Err(Refusal::Root(format!(
                    "{}: no `current` version is published",
                    root.display()
                ))),
                Err(error) => Err(Refusal::Root(error.to_string())),
            },
        };
        if let (Ok((_, Some(current))), Some(pin)) = (&candidate, self.pin()) {
            if pin.current.as_deref() == Some(current.as_str()) && handle.is_loaded() {
                tracing::info!(current = %current, pinned = %pin.version, "`current` still names the version rolled back from: keeping the rollback");
                let outcome = Outcome::Unchanged {
                    version: pin.version,
                };
                return self.report(outcome, trigger, started);
            }
            tracing::info!(current = %current, "`current` names a new version: the rollback pin is lifted");
            self.set_pin(None);
        }
        let outcome = match candidate {
            Ok((dir, current)) => {
                let outcome = self
                    .load_and_swap(handle, &mut memory, dir, force, false)
                    .await;
                match (&outcome, &self.source, current) {
                    (Outcome::Refused { reason, .. }, IndexSource::Root(root), Some(current))
                        if trigger == Trigger::Start && !handle.is_loaded() =>
                    {
                        self.fall_back(handle, &mut memory, root, &current, reason)
                            .await
                            .unwrap_or(outcome)
                    }
                    (Outcome::Swapped { .. } | Outcome::Unchanged { .. }, _, _) => {
                        self.set_fallback(None);
                        outcome
                    }
                    _ => outcome,
                }
            }
            Err(reason) => Outcome::Refused {
                live: live_version(handle),
                reason,
            },
        };
        self.report(outcome, trigger, started)
    }

    /// Tries the published versions other than `current`, newest first,
    /// and serves the first that passes its checks.
    async fn fall_back(
        &self,
        handle: &IndexHandle,
        memory: &mut Memory,
        root: &Path,
        current: &str,
        refusal: &Refusal,
    ) -> Option<Outcome> {
        let versions = publish::versions(root).ok()?;
        for version in versions.iter().rev().filter(|v| v.as_str() != current) {
            let outcome = self
                .load_and_swap(handle, memory, root.join(version), true, false)
                .await;
            if let Outcome::Swapped { to, .. } = &outcome {
                tracing::error!(
                    current = %current,
                    serving = %to,
                    reason = %refusal,
                    "the version `current` names failed its checks: serving the newest version that passes instead"
                );
                self.set_fallback(Some(Fallback {
                    current: current.to_string(),
                    serving: to.clone(),
                    reason: refusal.to_string(),
                }));
                return Some(outcome);
            }
        }
        None
    }

    /// Goes back to the version served before the live one. Under a root,
    /// `current` is repointed at it so that it stays live; when that
    /// fails, the rollback is pinned in this server.
    pub async fn rollback(&self, handle: &IndexHandle, force: bool) -> ReloadReport {
        let started = Instant::now();
        let mut memory = self.memory.lock().await;
        let earlier =
            memory
                .history
                .last()
                .cloned()
                .or_else(|| match (&self.source, live_version(handle)) {
                    (IndexSource::Root(root), Some(live)) => publish::version_before(root, &live)
                        .ok()
                        .flatten()
                        .map(|version| root.join(version)),
                    _ => None,
                });
        let outcome = match earlier {
            Some(dir) => {
                self.load_and_swap(handle, &mut memory, dir, force, true)
                    .await
            }
            None => Outcome::Refused {
                live: live_version(handle),
                reason: Refusal::NoEarlierVersion,
            },
        };
        if let (Outcome::Swapped { to, .. }, IndexSource::Root(root)) = (&outcome, &self.source) {
            match publish::repoint_current(root, to) {
                Ok(()) => {
                    memory.seen_current = Some(to.clone());
                    self.set_pin(None);
                    self.set_fallback(None);
                    tracing::info!(version = %to, "rolled back: `current` now names it");
                }
                Err(error) => {
                    let current = publish::current_version(root).ok().flatten();
                    tracing::warn!(
                        version = %to,
                        %error,
                        "rolled back in this server only: `current` cannot be repointed, so a restart serves what it names"
                    );
                    self.set_pin(Some(Pin {
                        version: to.clone(),
                        current,
                        reason: error.to_string(),
                    }));
                }
            }
        }
        self.report(outcome, Trigger::Admin, started)
    }

    /// True when the root's `current` names a version not seen yet.
    pub async fn current_changed(&self) -> bool {
        let IndexSource::Root(root) = &self.source else {
            return false;
        };
        let seen = self.memory.lock().await.seen_current.clone();
        match publish::current_version(root) {
            Ok(current) => current.is_some() && current != seen,
            Err(_) => false,
        }
    }

    async fn load_and_swap(
        &self,
        handle: &IndexHandle,
        memory: &mut Memory,
        dir: PathBuf,
        force: bool,
        rolling_back: bool,
    ) -> Outcome {
        let live = handle.snapshot();
        let policy = self.policy.clone();
        let live_voters = live.as_ref().map(|index| index.info().voters);
        let live_version = live.as_ref().map(|index| index.version().to_string());
        let load_dir = dir.clone();
        // Loading reads and hashes every file: off the async workers.
        let checked = tokio::task::spawn_blocking(move || {
            check_candidate(&load_dir, live_voters, &policy, force)
        })
        .await
        .unwrap_or_else(|error| Err(Refusal::Artifact(format!("loading failed: {error}"))));
        let candidate = match checked {
            Ok(candidate) => candidate,
            Err(reason) => {
                tracing::warn!(path = %dir.display(), %reason, "new index refused, the live one keeps serving");
                return Outcome::Refused {
                    live: live_version,
                    reason,
                };
            }
        };
        let to = candidate.version().to_string();
        if live_version.as_deref() == Some(to.as_str()) {
            return Outcome::Unchanged { version: to };
        }
        handle.replace(Arc::new(candidate));
        if rolling_back {
            memory.history.pop();
        } else if let Some(previous) = memory.live_dir.take() {
            memory.history.push(previous);
        }
        memory.live_dir = Some(dir.clone());
        tracing::info!(path = %dir.display(), from = ?live_version, to = %to, "index swapped");
        self.record_serving(handle);
        Outcome::Swapped {
            from: live_version,
            to,
        }
    }

    fn report(&self, outcome: Outcome, trigger: Trigger, started: Instant) -> ReloadReport {
        let report = ReloadReport {
            outcome,
            trigger,
            at: SystemTime::now(),
            duration: started.elapsed(),
        };
        counter!(
            "voter_lookup_index_reloads_total",
            "outcome" => report.outcome_name(),
            "trigger" => trigger.as_str()
        )
        .increment(1);
        match &report.outcome {
            Outcome::Refused { reason, .. } => {
                counter!("voter_lookup_index_reload_refusals_total", "reason" => reason.code())
                    .increment(1);
                crate::status::history::record_reload_refused();
            }
            Outcome::Swapped { .. } => {
                histogram!(crate::metrics::SWAP_DURATION).record(report.duration.as_secs_f64());
            }
            Outcome::Unchanged { .. } => {}
        }
        if let Ok(mut last) = self.last.lock() {
            *last = Some(report.clone());
        }
        report
    }
}

fn live_version(handle: &IndexHandle) -> Option<String> {
    handle.snapshot().map(|index| index.version().to_string())
}

/// This server's name in the serving records: host name and process id.
fn default_server_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "server".to_string());
    format!("{host}-{}", std::process::id())
}

/// Loads and verifies the artifact in `dir`, then checks it against the
/// live voter count and runs its canary lookups.
fn check_candidate(
    dir: &Path,
    live_voters: Option<u64>,
    policy: &ReloadPolicy,
    force: bool,
) -> Result<LoadedIndex, Refusal> {
    let candidate = LoadedIndex::from_artifact_verified(dir, policy.verify_key.as_ref())
        .map_err(|error| Refusal::Artifact(error.to_string()))?;
    let new = candidate.info().voters;
    if new == 0 {
        return Err(Refusal::Empty);
    }
    if let Some(live) = live_voters.filter(|&live| live > 0) {
        let change = (new as f64 - live as f64) / live as f64;
        if change.abs() > policy.max_voter_change && !force {
            return Err(Refusal::VoterCount {
                live,
                new,
                change: change * 100.0,
                allowed: policy.max_voter_change * 100.0,
            });
        }
    }
    run_canaries(&candidate)?;
    Ok(candidate)
}

/// Every canary lookup of the artifact must find its voter; running them
/// also warms the index before it serves.
pub fn run_canaries(index: &LoadedIndex) -> Result<(), Refusal> {
    let searcher = Searcher;
    for canary in index.canaries() {
        // The voter's record gives the lookup; a voter missing from the
        // index fails like a lookup that does not find them.
        let found = super::canary::lookup_for(index, canary).is_some_and(|lookup| {
            let query = LookupQuery {
                text: lookup.query,
                birth_date: lookup.birth_date,
                limit: Some(crate::search::MAX_LIMIT as u32),
                // A shard of several départements is asked as its clients
                // would ask it.
                departement: canary
                    .commune_code
                    .as_deref()
                    .and_then(voter_core::commune::departement_of)
                    .map(str::to_string),
            };
            searcher
                .lookup(index, &query, SearchMode::Full)
                .is_ok_and(|response| {
                    response.hits.iter().any(|hit| {
                        hit.memberships.iter().any(|membership| {
                            membership.order_number == Some(canary.order_number)
                                && membership.station.as_ref().is_some_and(|s| {
                                    *s.code == *canary.station_code
                                        && s.commune_code.as_deref()
                                            == canary.commune_code.as_deref()
                                })
                        })
                    })
                })
        });
        if !found {
            return Err(Refusal::Canary {
                station: canary.station_code.clone(),
                order: canary.order_number,
            });
        }
    }
    Ok(())
}
