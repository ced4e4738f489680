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

use std::path::{Path, PathBuf};
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
}

impl Reloader {
    /// A reloader following `source`.
    pub fn new(source: IndexSource, policy: ReloadPolicy) -> Reloader {
        Reloader {
            source,
            policy,
            memory: tokio::sync::Mutex::new(Memory::default()),
            last: Mutex::new(None),
        }
    }

    /// The last reload's report.
    pub fn last(&self) -> Option<ReloadReport> {
        self.last.lock().map(|last| last.clone()).unwrap_or(None)
    }

    /// Loads the source's current version into `handle`, unless it is live
    /// already.
    pub async fn reload(
        &self,
        handle: &IndexHandle,
        trigger: Trigger,
        force: bool,
    ) -> ReloadReport {
        let started = Instant::now();
        let mut memory = self.memory.lock().await;
        let candidate = match &self.source {
            IndexSource::Dir(dir) => Ok(dir.clone()),
            IndexSource::Root(root) => match publish::current_version(root) {
                Ok(Some(version)) => {
                    memory.seen_current = Some(version.clone());
                    Ok(root.join(version))
                }
                Ok(None) => Err(Refusal::Root(format!(
                    "{}: no `current` version is published",
                    root.display()
                ))),
                Err(error) => Err(Refusal::Root(error.to_string())),
            },
        };
        let outcome = match candidate {
            Ok(dir) => {
                self.load_and_swap(handle, &mut memory, dir, force, false)
                    .await
            }
            Err(reason) => Outcome::Refused {
                live: live_version(handle),
                reason,
            },
        };
        self.report(outcome, trigger, started)
    }

    /// Goes back to the version served before the live one.
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
            }
            Outcome::Swapped { .. } => {
                histogram!("voter_lookup_index_swap_duration_seconds")
                    .record(report.duration.as_secs_f64());
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
            };
            searcher
                .lookup(index, &query, SearchMode::Full)
                .is_ok_and(|response| {
                    response.hits.iter().any(|hit| {
                        hit.memberships.iter().any(|membership| {
                            membership.order_number == Some(canary.order_number)
                                && membership
                                    .station
                                    .as_ref()
                                    .is_some_and(|s| *s.code == *canary.station_code)
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
