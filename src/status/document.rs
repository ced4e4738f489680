//! The `GET /v1/status` document: the server, its index and its memory
//! now, and its history over a window, minute by minute and in total. The
//! server writes it, `voter-lookup weather` reads it: one set of types
//! for both. It names no voter and carries no query text: counts,
//! latencies, versions and times only.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::history::{self, Counts, ErrorClass, MINUTES, MinuteSummary, Percentiles, Window};
use super::memory;
use crate::error::ErrorKind;
use crate::state::AppState;

/// The window when none is asked for.
pub const DEFAULT_WINDOW_MINUTES: u32 = 60;
/// The longest window: the whole history.
pub const MAX_WINDOW_MINUTES: u32 = MINUTES as u32;
/// The query parameter that sets the window.
pub const WINDOW_PARAMETER: &str = "window";

/// Reads a window: a duration (`15m`, `4h`, `24h`, `1h30m`, `90s`) of at
/// least a minute and at most a day, rounded up to whole minutes.
pub fn parse_window(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let refuse = |why: &str| {
        format!("`{text}` {why}: give a duration from 1m to 24h, such as 15m, 4h or 24h")
    };
    let duration = humantime::parse_duration(text).map_err(|_| refuse("is not a duration"))?;
    if duration < Duration::from_secs(60) {
        return Err(refuse("is shorter than a minute"));
    }
    let minutes = duration.as_secs().div_ceil(60);
    if minutes > u64::from(MAX_WINDOW_MINUTES) {
        return Err(refuse("is longer than the 24 hours the server keeps"));
    }
    Ok(minutes as u32)
}

/// A window in words: `45m`, `4h`, `1h30m`.
pub fn window_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusDocument {
    /// The server process.
    pub server: ServerStatus,
    /// The index it serves.
    pub index: IndexStatus,
    /// Its memory now.
    pub memory: MemoryStatus,
    /// The window the history covers.
    pub window: WindowStatus,
    /// The window's minutes added up.
    pub totals: Totals,
    /// Each minute of the window since the server started, oldest first.
    pub minutes: Vec<MinuteStatus>,
}

/// The server process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerStatus {
    /// The server's version.
    pub version: String,
    /// When the document was made (RFC 3339).
    pub now: String,
    /// When the server started (RFC 3339).
    pub started_at: String,
    /// Seconds since it started.
    pub uptime_seconds: u64,
    /// An index is loaded and requests are accepted (`/readyz`).
    pub ready: bool,
    /// False once shutdown has begun.
    pub accepting: bool,
}

/// The index served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexStatus {
    /// True once an index is loaded.
    pub loaded: bool,
    /// Its version.
    pub version: Option<String>,
    /// When it was built (RFC 3339); unknown for an index built in memory.
    pub built_at: Option<String>,
    /// Seconds since it was built.
    pub age_seconds: Option<u64>,
    /// Voters in it.
    pub voters: Option<u64>,
    /// When this server loaded it (RFC 3339).
    pub loaded_at: Option<String>,
    /// Set while an older version serves because the one `current` names
    /// failed its checks at start.
    pub fallback: Option<FallbackStatus>,
    /// Set while a rollback is kept in this server only.
    pub pinned: Option<PinStatus>,
    /// The last reload, for a server that follows an index root.
    pub last_reload: Option<ReloadStatus>,
}

/// See [`crate::index::reload::Fallback`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FallbackStatus {
    /// The version `current` names, refused.
    pub current: String,
    /// The version served instead.
    pub serving: String,
    /// Why `current` was refused.
    pub reason: String,
}

/// See [`crate::index::reload::Pin`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinStatus {
    /// The version rolled back to.
    pub version: String,
    /// What `current` names; the pin holds while it does.
    pub current: Option<String>,
    /// Why `current` could not be repointed.
    pub reason: String,
}

/// The last reload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReloadStatus {
    /// `swapped`, `unchanged` or `refused`.
    pub outcome: String,
    /// `start`, `watch`, `signal` or `admin`.
    pub trigger: String,
    /// When it ended (RFC 3339).
    pub at: String,
    /// How long it took.
    pub seconds: f64,
    /// What happened, in words.
    pub message: String,
}

/// Memory now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryStatus {
    /// Resident memory, in bytes.
    pub resident_bytes: Option<u64>,
    /// The most the process may use: its cgroup's limit or the machine's
    /// memory, whichever is lower.
    pub limit_bytes: Option<u64>,
    /// `cgroup` or `machine`.
    pub limit_source: Option<String>,
}

/// The window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowStatus {
    /// Its length in minutes, the current minute included.
    pub minutes: u32,
    /// Its start (RFC 3339): the start of its first minute.
    pub from: String,
    /// Its end: now.
    pub to: String,
}

/// Latency percentiles of the answered name searches, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyMs {
    /// Searches timed.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

impl LatencyMs {
    fn of(percentiles: Percentiles) -> LatencyMs {
        let ms = |micros: u64| micros as f64 / 1000.0;
        LatencyMs {
            count: percentiles.count,
            p50: ms(percentiles.p50),
            p90: ms(percentiles.p90),
            p99: ms(percentiles.p99),
            max: ms(percentiles.max),
        }
    }
}

/// What a minute, or the window, counted of the name searches (both doors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Name searches that ended: answered, refused or failed.
    pub lookups: u64,
    /// Answered with someone found with confidence.
    pub found: u64,
    /// Answered, nobody found with confidence.
    pub not_found: u64,
    /// Refused for load: rate limits and in-flight caps (429), shed by
    /// the concurrency limit (503), deadline passed before the search
    /// began (504).
    pub shed: u64,
    /// Failed on the server's side: `internal`, `index_not_ready`.
    pub server_errors: u64,
    /// Refused for the caller's doing: bad request, role, quota.
    pub client_errors: u64,
    /// Admitted in the degraded mode of brownout.
    pub degraded: u64,
    /// New indexes refused by a reload.
    pub reload_refusals: u64,
    /// Refused or failed searches by error code (codes with none left out).
    pub errors: BTreeMap<String, u64>,
    /// Latency of the answered searches; null when none was answered.
    pub latency_ms: Option<LatencyMs>,
}

impl Tally {
    fn of(counts: &Counts, latency: Option<Percentiles>) -> Tally {
        Tally {
            lookups: counts.lookups(),
            found: counts.found(),
            not_found: counts.not_found.min(counts.answered),
            shed: counts.errors_in(ErrorClass::Shed),
            server_errors: counts.errors_in(ErrorClass::Server),
            client_errors: counts.errors_in(ErrorClass::Client),
            degraded: counts.degraded,
            reload_refusals: counts.reload_refusals,
            errors: ErrorKind::ALL
                .iter()
                .zip(&counts.errors)
                .filter(|(_, count)| **count > 0)
                .map(|(kind, count)| (kind.code().to_string(), *count))
                .collect(),
            latency_ms: latency.map(LatencyMs::of),
        }
    }
}

/// The window's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// The counts.
    #[serde(flatten)]
    pub tally: Tally,
    /// The highest resident memory sampled in the window, in bytes.
    pub resident_bytes_max: Option<u64>,
    /// The index versions served in the window, oldest first.
    pub index_versions: Vec<String>,
}

/// One minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinuteStatus {
    /// Its start (RFC 3339).
    pub at: String,
    /// Its counts.
    #[serde(flatten)]
    pub tally: Tally,
    /// The highest resident memory sampled in it, in bytes.
    pub resident_bytes: Option<u64>,
    /// The index version served, when sampled.
    pub index_version: Option<String>,
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

fn minute_start(minute: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(minute * 60)
}

/// Notes the resident memory and the index version of this minute in the
/// history (every few seconds, and at each status request).
pub fn sample(state: &AppState) {
    sample_with(state, memory::resident_bytes());
}

fn sample_with(state: &AppState, resident_bytes: Option<u64>) {
    let version = state
        .service
        .index()
        .snapshot()
        .map(|index| index.version().clone());
    history::history().sample(history::current_minute(), resident_bytes, version);
}

/// The document of `state` over the last `minutes` minutes, at `now`.
pub fn build(state: &AppState, minutes: u32, now: SystemTime) -> StatusDocument {
    let resident_bytes = memory::resident_bytes();
    sample_with(state, resident_bytes);
    let history = history::history();
    let last_minute = history::minute_of(now);
    let window = history.window(last_minute, minutes as usize);
    let started = history.started();
    let index = state.service.index().snapshot();
    let seconds_since = |time: SystemTime| now.duration_since(time).unwrap_or_default().as_secs();
    let built = index
        .as_ref()
        .and_then(|index| index.info().built_at.clone());
    let built_time = built
        .as_deref()
        .and_then(|text| humantime::parse_rfc3339_weak(text).ok());
    let (limit_bytes, limit_source) = match memory::limit() {
        Some((bytes, source)) => (Some(bytes), Some(source.as_str().to_string())),
        None => (None, None),
    };
    StatusDocument {
        server: ServerStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            now: rfc3339(now),
            started_at: rfc3339(started),
            uptime_seconds: seconds_since(started),
            ready: state.is_ready(),
            accepting: state.is_accepting(),
        },
        index: IndexStatus {
            loaded: index.is_some(),
            version: index.as_ref().map(|index| index.version().to_string()),
            built_at: built,
            age_seconds: built_time.map(seconds_since),
            voters: index.as_ref().map(|index| index.info().voters),
            loaded_at: index.as_ref().map(|index| rfc3339(index.info().loaded_at)),
            fallback: state.fallback().map(|fallback| FallbackStatus {
                current: fallback.current,
                serving: fallback.serving,
                reason: fallback.reason,
            }),
            pinned: state.pin().map(|pin| PinStatus {
                version: pin.version,
                current: pin.current,
                reason: pin.reason,
            }),
            last_reload: state.last_reload().map(|report| ReloadStatus {
                outcome: report.outcome_name().to_string(),
                trigger: format!("{:?}", report.trigger).to_lowercase(),
                at: rfc3339(report.at),
                seconds: report.duration.as_secs_f64(),
                message: report.message(),
            }),
        },
        memory: MemoryStatus {
            resident_bytes,
            limit_bytes,
            limit_source,
        },
        window: WindowStatus {
            minutes,
            from: rfc3339(minute_start(
                (last_minute + 1).saturating_sub(u64::from(minutes)),
            )),
            to: rfc3339(now),
        },
        totals: totals(&window),
        minutes: window.minutes.iter().map(minute_status).collect(),
    }
}

fn totals(window: &Window) -> Totals {
    let mut index_versions: Vec<String> = Vec::new();
    for version in window
        .minutes
        .iter()
        .filter_map(|m| m.index_version.as_deref())
    {
        if index_versions.last().map(String::as_str) != Some(version) {
            index_versions.retain(|seen| seen != version);
            index_versions.push(version.to_string());
        }
    }
    Totals {
        tally: Tally::of(&window.totals, window.latency),
        resident_bytes_max: window.minutes.iter().filter_map(|m| m.resident_bytes).max(),
        index_versions,
    }
}

fn minute_status(minute: &MinuteSummary) -> MinuteStatus {
    MinuteStatus {
        at: rfc3339(minute_start(minute.minute)),
        tally: Tally::of(&minute.counts, minute.latency),
        resident_bytes: minute.resident_bytes,
        index_version: minute.index_version.as_deref().map(String::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_durations_from_a_minute_to_a_day() {
        assert_eq!(parse_window("15m"), Ok(15));
        assert_eq!(parse_window("4h"), Ok(240));
        assert_eq!(parse_window("24h"), Ok(1440));
        assert_eq!(parse_window("1h30m"), Ok(90));
        assert_eq!(parse_window(" 90s "), Ok(2), "rounded up to whole minutes");
        assert_eq!(parse_window("1day"), Ok(1440));
        for (text, why) in [
            ("30s", "shorter than a minute"),
            ("0m", "shorter than a minute"),
            ("25h", "longer than the 24 hours"),
            ("2days", "longer than the 24 hours"),
            ("4", "not a duration"),
            ("soon", "not a duration"),
            ("", "not a duration"),
        ] {
            let error = parse_window(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
            assert!(error.contains("such as 15m, 4h or 24h"), "{error}");
        }
        assert_eq!(window_text(45), "45m");
        assert_eq!(window_text(240), "4h");
        assert_eq!(window_text(90), "1h30m");
    }

    #[test]
    fn a_tally_splits_errors_by_class_and_names_each_code() {
        let mut counts = Counts {
            answered: 10,
            not_found: 3,
            degraded: 2,
            ..Counts::default()
        };
        let kinds = [
            ErrorKind::RateLimited,
            ErrorKind::Overloaded,
            ErrorKind::DeadlineExceeded,
            ErrorKind::Internal,
            ErrorKind::QuotaExceeded,
        ];
        for kind in kinds {
            let i = ErrorKind::ALL.iter().position(|k| *k == kind).unwrap();
            counts.errors[i] += 1;
        }
        let tally = Tally::of(&counts, None);
        assert_eq!(tally.lookups, 15);
        assert_eq!((tally.found, tally.not_found), (7, 3));
        assert_eq!(
            (tally.shed, tally.server_errors, tally.client_errors),
            (3, 1, 1)
        );
        assert_eq!(tally.errors.len(), 5);
        assert_eq!(tally.errors["quota_exceeded"], 1);
        assert_eq!(tally.degraded, 2);
        assert!(tally.latency_ms.is_none());
    }

    #[test]
    fn versions_served_are_listed_once_in_order() {
        let minute = |minute: u64, version: Option<&str>| MinuteSummary {
            minute,
            counts: Counts::default(),
            latency: None,
            resident_bytes: Some(minute),
            index_version: version.map(std::sync::Arc::from),
        };
        let window = Window {
            minutes: vec![
                minute(1, Some("a")),
                minute(2, None),
                minute(3, Some("a")),
                minute(4, Some("b")),
                minute(5, Some("b")),
            ],
            totals: Counts::default(),
            latency: None,
        };
        let totals = totals(&window);
        assert_eq!(totals.index_versions, ["a", "b"]);
        assert_eq!(totals.resident_bytes_max, Some(5));
    }
}
