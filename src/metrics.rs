//! What the server reports about itself, through the `metrics` facade and
//! rendered at `/metrics` in the Prometheus text format.
//!
//! Latencies are real histograms with explicit buckets (the exporter would
//! otherwise render summaries, which cannot be added up across replicas).
//! Every metric a request touches is registered once, at start: recording
//! one is an array index and an atomic add, not a registry lookup.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `voter_lookup_requests_total` | counter | `door` (`http`, `grpc`), `method`, `outcome` (`ok` or an error `code`) |
//! | `voter_lookup_request_duration_seconds` | histogram | `door`, `method` |
//! | `voter_lookup_index_voters` | gauge | |
//! | `voter_lookup_index_info` | gauge (1) | `version` |
//! | `voter_lookup_index_build_timestamp_seconds` | gauge | |
//! | `voter_lookup_index_age_seconds` | gauge | |
//! | `voter_lookup_index_reloads_total` | counter | `outcome` (`swapped`, `unchanged`, `refused`), `trigger` |
//! | `voter_lookup_index_reload_refusals_total` | counter | `reason` |
//! | `voter_lookup_index_swap_duration_seconds` | histogram | |
//! | `voter_lookup_ready` | gauge (0/1) | |
//! | `voter_lookup_index_fallback` | gauge (0/1) | |
//! | `voter_lookup_build_info` | gauge (1) | `version`, `index_schema`, `artifact_format` |
//! | `process_*` | the standard process metrics ([`metrics_process`]) | |
//!
//! Admission (`src/admission`) and the privacy gate (`src/privacy`)
//! register their own counters, at zero, when they start.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics::{Counter, Histogram, counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::ErrorKind;
use crate::index::LoadedIndex;

/// Bucket bounds of every `_seconds` histogram: from 100 µs (a lookup on a
/// warm index) to 2.5 s (a client about to give up).
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Bucket bounds of the index swap's duration: a swap loads and checks a
/// whole artifact, from a tenth of a second (a commune) to tens of seconds
/// (a large city), most of them around a second.
pub const SWAP_BUCKETS: [f64; 12] = [
    0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0,
];

/// The swap histogram's name.
pub const SWAP_DURATION: &str = "voter_lookup_index_swap_duration_seconds";

/// Which door a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// HTTP/JSON.
    Http,
    /// gRPC.
    Grpc,
}

impl Door {
    const ALL: [Door; 2] = [Door::Http, Door::Grpc];

    /// The door's label in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Http => "http",
            Door::Grpc => "grpc",
        }
    }
}

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A name search.
    Search,
    /// A voter by station and order number.
    GetVoter,
    /// The list of stations.
    ListStations,
    /// A page or one of its assets.
    Page,
    /// Health, readiness, metrics, the API description, unknown routes.
    Other,
}

impl Method {
    const ALL: [Method; 5] = [
        Method::Search,
        Method::GetVoter,
        Method::ListStations,
        Method::Page,
        Method::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Method::Search => "search",
            Method::GetVoter => "get_voter",
            Method::ListStations => "list_stations",
            Method::Page => "page",
            Method::Other => "other",
        }
    }
}

/// How a request ended: served, or the kind of error.
pub type Outcome = Option<ErrorKind>;

const OUTCOMES: usize = ErrorKind::ALL.len() + 1;

fn outcome_index(outcome: Outcome) -> usize {
    match outcome {
        None => 0,
        Some(kind) => 1 + ErrorKind::ALL.iter().position(|k| *k == kind).unwrap_or(0),
    }
}

fn outcome_name(index: usize) -> &'static str {
    match index {
        0 => "ok",
        i => ErrorKind::ALL[i - 1].code(),
    }
}

/// The request metrics, registered once.
pub struct RequestMetrics {
    counters: Vec<Counter>,
    durations: Vec<Histogram>,
}

impl RequestMetrics {
    fn register() -> RequestMetrics {
        let mut counters = Vec::new();
        let mut durations = Vec::new();
        for door in Door::ALL {
            for method in Method::ALL {
                durations.push(histogram!(
                    "voter_lookup_request_duration_seconds",
                    "door" => door.as_str(),
                    "method" => method.as_str()
                ));
                for outcome in 0..OUTCOMES {
                    counters.push(counter!(
                        "voter_lookup_requests_total",
                        "door" => door.as_str(),
                        "method" => method.as_str(),
                        "outcome" => outcome_name(outcome)
                    ));
                }
            }
        }
        RequestMetrics {
            counters,
            durations,
        }
    }

    fn slot(door: Door, method: Method) -> usize {
        let door = Door::ALL.iter().position(|d| *d == door).unwrap_or(0);
        let method = Method::ALL.iter().position(|m| *m == method).unwrap_or(0);
        door * Method::ALL.len() + method
    }

    /// Counts one request and its duration; a name search goes into the
    /// status history too ([`crate::status::history`]), from here only,
    /// whichever door it came by and wherever it ended (refused at
    /// admission, failed, answered).
    pub fn observe(&self, door: Door, method: Method, outcome: Outcome, elapsed: Duration) {
        let slot = RequestMetrics::slot(door, method);
        self.counters[slot * OUTCOMES + outcome_index(outcome)].increment(1);
        self.durations[slot].record(elapsed.as_secs_f64());
        if method == Method::Search {
            crate::status::history::record_lookup(outcome, elapsed);
        }
    }
}

struct Installed {
    handle: PrometheusHandle,
    requests: RequestMetrics,
    /// The standard `process_*` metrics (memory, CPU, file descriptors,
    /// start time), read from the system at each scrape.
    process: metrics_process::Collector,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

fn installed() -> &'static Installed {
    INSTALLED.get_or_init(|| {
        // A full name wins over a suffix (the exporter tries its matchers
        // in that order): the swap has buckets of its own.
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(SWAP_DURATION.to_string()), &SWAP_BUCKETS)
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Suffix("_seconds".to_string()),
                    &LATENCY_BUCKETS,
                )
            })
            .expect("the buckets are not empty");
        let handle = match builder.install_recorder() {
            Ok(handle) => handle,
            Err(error) => {
                // Another recorder is already global (a test harness):
                // keep a private one so rendering still works.
                tracing::warn!(%error, "a metrics recorder is already installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        };
        let process = metrics_process::Collector::default();
        process.describe();
        gauge!(
            "voter_lookup_build_info",
            "version" => env!("CARGO_PKG_VERSION"),
            "index_schema" => voter_core::schema::SCHEMA_VERSION.to_string(),
            "artifact_format" => voter_core::artifact::FORMAT_VERSION.to_string()
        )
        .set(1.0);
        Installed {
            handle,
            requests: RequestMetrics::register(),
            process,
        }
    })
}

/// Installs the Prometheus recorder (once per process) and returns the
/// request metrics.
pub fn requests() -> &'static RequestMetrics {
    &installed().requests
}

/// The Prometheus text exposition of every metric.
pub fn render() -> String {
    let installed = installed();
    installed.process.collect();
    installed.handle.render()
}

/// Folds the samples recorded since the last call into the histograms, so
/// memory stays bounded between scrapes.
pub fn upkeep() {
    installed().handle.run_upkeep();
}

/// Records the facts of the index now being served.
pub fn index_loaded(index: &LoadedIndex) {
    installed();
    let info = index.info();
    gauge!("voter_lookup_index_voters").set(info.voters as f64);
    // An index built in memory (the demo) has no build time: none is shown.
    if let Some(built) = info.built_at.as_deref().and_then(humantime_seconds) {
        gauge!("voter_lookup_index_build_timestamp_seconds").set(built);
    }
    gauge!("voter_lookup_index_info", "version" => info.version.to_string()).set(1.0);
    // Only the live version reads 1: earlier ones are set back to 0.
    static LAST_VERSION: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    if let Ok(mut last) = LAST_VERSION.lock()
        && let Some(previous) = last.replace(info.version.to_string())
        && previous != *info.version
    {
        gauge!("voter_lookup_index_info", "version" => previous).set(0.0);
    }
}

/// Records how old the served index is (since its build).
pub fn index_age(index: &LoadedIndex) {
    installed();
    if let Some(built) = index.info().built_at.as_deref().and_then(humantime_seconds) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        gauge!("voter_lookup_index_age_seconds").set((now - built).max(0.0));
    }
}

/// Records whether the server accepts work.
pub fn set_ready(ready: bool) {
    installed();
    gauge!("voter_lookup_ready").set(if ready { 1.0 } else { 0.0 });
}

/// Records whether the server serves an older version because the one
/// `current` names failed its checks at start.
pub fn index_fallback(active: bool) {
    installed();
    gauge!("voter_lookup_index_fallback").set(if active { 1.0 } else { 0.0 });
}

/// Seconds since the epoch of an RFC 3339 time.
fn humantime_seconds(rfc3339: &str) -> Option<f64> {
    let time: SystemTime = humantime::parse_rfc3339(rfc3339).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_its_own_counter() {
        let names: Vec<&str> = (0..OUTCOMES).map(outcome_name).collect();
        assert_eq!(names[0], "ok");
        assert_eq!(names.len(), ErrorKind::ALL.len() + 1);
        for kind in ErrorKind::ALL {
            assert_eq!(outcome_name(outcome_index(Some(kind))), kind.code());
        }
    }

    #[test]
    fn build_times_become_timestamps() {
        assert_eq!(humantime_seconds("1970-01-01T00:01:00Z"), Some(60.0));
        assert_eq!(humantime_seconds("not a time"), None);
    }
}
