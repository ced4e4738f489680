//! The last 24 hours of name searches, minute by minute, in memory: what
//! `GET /v1/status` summarises and `voter-lookup weather` judges.
//!
//! A ring of [`MINUTES`] slots, one per minute of a day: a minute's slot is
//! its number since the epoch modulo [`MINUTES`], and a slot tagged with
//! another minute is stale and reads as empty. Minutes without traffic and
//! a night without a single lookup need no clean-up; the first record of
//! a new minute takes its slot over.
//!
//! Each slot has its own lock. Recording a lookup locks the current
//! minute's slot for a few additions and one histogram increment (no
//! allocation after the slot's first lookup of the day); reading a window
//! locks one slot at a time, so a status request never holds up the
//! lookups for longer than one slot's read. The locks are never held
//! across anything that waits.
//!
//! Latencies go into one small HdrHistogram per minute (microseconds, two
//! significant digits, up to a minute), allocated on the minute's first
//! served lookup and reset, not freed, when its slot is reused: about
//! 10 KB per minute with lookups, 15 MB for a day with lookups in every
//! minute. Percentiles over a window add the minutes' histograms.
//!
//! The history is one per process, like the metrics it is fed beside
//! ([`crate::metrics::RequestMetrics::observe`]): a server is a process.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;

use crate::error::ErrorKind;

/// Minutes kept: a day.
pub const MINUTES: usize = 24 * 60;

/// Lowest latency a histogram tells apart, in microseconds.
const LATENCY_LOW_MICROS: u64 = 1;
/// Highest latency a histogram holds, in microseconds (a minute); longer
/// ones count as a minute.
const LATENCY_HIGH_MICROS: u64 = 60_000_000;
/// Significant digits of the latencies.
const LATENCY_DIGITS: u8 = 2;

/// How a failed lookup counts in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Refused for load: by admission (rate limits and in-flight caps,
    /// 429; the concurrency limit and its queue, 503) or because its
    /// deadline passed before its search began (504).
    Shed,
    /// A failure of the server: a fault, or no index loaded.
    Server,
    /// The caller's doing: a bad request, a role or quota refusal.
    Client,
}

impl ErrorClass {
    /// The class of `kind`.
    pub fn of(kind: ErrorKind) -> ErrorClass {
        match kind {
            ErrorKind::RateLimited | ErrorKind::Overloaded | ErrorKind::DeadlineExceeded => {
                ErrorClass::Shed
            }
            ErrorKind::Internal | ErrorKind::IndexNotReady => ErrorClass::Server,
            ErrorKind::InvalidArgument
            | ErrorKind::NotFound
            | ErrorKind::NotServed
            | ErrorKind::MethodNotAllowed
            | ErrorKind::Unauthenticated
            | ErrorKind::RequestTimeout
            | ErrorKind::PayloadTooLarge
            | ErrorKind::PermissionDenied
            | ErrorKind::ReloadRefused
            | ErrorKind::QuotaExceeded => ErrorClass::Client,
        }
    }
}

/// What one minute, or a window of minutes, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Name searches answered (whatever they found).
    pub answered: u64,
    /// Name searches refused or failed, by kind, in [`ErrorKind::ALL`]'s
    /// order.
    pub errors: [u64; ErrorKind::ALL.len()],
    /// Answered searches that found nobody with confidence.
    pub not_found: u64,
    /// Searches admitted in the degraded mode of brownout.
    pub degraded: u64,
    /// New indexes refused by a reload.
    pub reload_refusals: u64,
}

impl Counts {
    /// Every name search that ended: answered, refused or failed.
    pub fn lookups(&self) -> u64 {
        self.answered + self.errors.iter().sum::<u64>()
    }

    /// Answered searches that found someone with confidence.
    pub fn found(&self) -> u64 {
        // A search counted as found nobody may still fail afterwards (its
        // answer refused at the quota): never below zero.
        self.answered.saturating_sub(self.not_found)
    }

    /// Searches that ended with `kind`.
    pub fn errors_of(&self, kind: ErrorKind) -> u64 {
        ErrorKind::ALL
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |i| self.errors[i])
    }

    /// Searches whose error is of `class`.
    pub fn errors_in(&self, class: ErrorClass) -> u64 {
        ErrorKind::ALL
            .iter()
            .zip(&self.errors)
            .filter(|(kind, _)| ErrorClass::of(**kind) == class)
            .map(|(_, count)| count)
            .sum()
    }

    /// Adds `other` to these.
    pub fn add(&mut self, other: &Counts) {
        self.answered += other.answered;
        for (mine, theirs) in self.errors.iter_mut().zip(&other.errors) {
            *mine += theirs;
        }
        self.not_found += other.not_found;
        self.degraded += other.degraded;
        self.reload_refusals += other.reload_refusals;
    }
}

/// Latency percentiles, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percentiles {
    /// Searches measured.
    pub count: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Slowest.
    pub max: u64,
}

impl Percentiles {
    fn of(histogram: &Histogram<u32>) -> Option<Percentiles> {
        if histogram.is_empty() {
            return None;
        }
        let mut values = histogram.value_at_quantiles([0.5, 0.9, 0.99]);
        let mut next = || values.next().unwrap_or(0);
        Some(Percentiles {
            count: histogram.len(),
            p50: next(),
            p90: next(),
            p99: next(),
            max: histogram.max(),
        })
    }
}

/// One minute of the window, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct MinuteSummary {
    /// Its number since the epoch (seconds / 60).
    pub minute: u64,
    /// What it counted.
    pub counts: Counts,
    /// The latencies of its answered searches.
    pub latency: Option<Percentiles>,
    /// The highest resident memory sampled in it, in bytes.
    pub resident_bytes: Option<u64>,
    /// The index version served when it was last sampled.
    pub index_version: Option<Arc<str>>,
}

/// A window of minutes, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Each minute, oldest first, from the window's start or the history's
    /// first minute, whichever is later, to its last minute.
    pub minutes: Vec<MinuteSummary>,
    /// The minutes' counts added up.
    pub totals: Counts,
    /// Percentiles over every answered search of the window.
    pub latency: Option<Percentiles>,
}

/// One slot of the ring.
struct Slot {
    /// The minute it holds; `u64::MAX` for none yet.
    minute: u64,
    counts: Counts,
    latency: Option<Box<Histogram<u32>>>,
    resident_bytes: Option<u64>,
    index_version: Option<Arc<str>>,
}

impl Slot {
    const EMPTY: Slot = Slot {
        minute: u64::MAX,
        counts: Counts {
            answered: 0,
            errors: [0; ErrorKind::ALL.len()],
            not_found: 0,
            degraded: 0,
            reload_refusals: 0,
        },
        latency: None,
        resident_bytes: None,
        index_version: None,
    };

    /// The slot, taken over for `minute` when it holds another.
    fn at(&mut self, minute: u64) -> &mut Slot {
        if self.minute != minute {
            self.minute = minute;
            self.counts = Counts::default();
            if let Some(latency) = &mut self.latency {
                latency.reset();
            }
            self.resident_bytes = None;
            self.index_version = None;
        }
        self
    }
}

/// The ring.
pub struct History {
    slots: Box<[Mutex<Slot>]>,
    /// The first minute it holds: a window never reaches before it.
    first_minute: u64,
    started: SystemTime,
}

fn new_histogram() -> Box<Histogram<u32>> {
    Box::new(
        Histogram::new_with_bounds(LATENCY_LOW_MICROS, LATENCY_HIGH_MICROS, LATENCY_DIGITS)
            .expect("the latency bounds are valid"),
    )
}

impl History {
    /// An empty history starting at `started`.
    pub fn new(started: SystemTime) -> History {
        History {
            slots: (0..MINUTES).map(|_| Mutex::new(Slot::EMPTY)).collect(),
            first_minute: minute_of(started),
            started,
        }
    }

    /// When the history began (the server's start).
    pub fn started(&self) -> SystemTime {
        self.started
    }

    fn slot(&self, minute: u64) -> MutexGuard<'_, Slot> {
        let slot = &self.slots[(minute % MINUTES as u64) as usize];
        // A panic while a slot was locked leaves plain numbers behind,
        // still fit to read.
        slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts a name search that ended in `minute`: answered (`None`) in
    /// `elapsed`, or failed with `outcome`.
    pub fn record_lookup(&self, minute: u64, outcome: Option<ErrorKind>, elapsed: Duration) {
        let mut guard = self.slot(minute);
        let slot = guard.at(minute);
        match outcome {
            None => {
                slot.counts.answered += 1;
                let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
                slot.latency
                    .get_or_insert_with(new_histogram)
                    .saturating_record(micros.max(LATENCY_LOW_MICROS));
            }
            Some(kind) => {
                if let Some(i) = ErrorKind::ALL.iter().position(|k| *k == kind) {
                    slot.counts.errors[i] += 1;
                }
            }
        }
    }

    /// Counts an answered search of `minute` that found nobody with
    /// confidence.
    pub fn record_not_found(&self, minute: u64) {
        self.slot(minute).at(minute).counts.not_found += 1;
    }

    /// Counts a search of `minute` admitted in degraded mode.
    pub fn record_degraded(&self, minute: u64) {
        self.slot(minute).at(minute).counts.degraded += 1;
    }

    /// Counts a new index refused by a reload in `minute`.
    pub fn record_reload_refused(&self, minute: u64) {
        self.slot(minute).at(minute).counts.reload_refusals += 1;
    }

    /// Notes the resident memory (the minute keeps its highest) and the
    /// index version served in `minute`.
    pub fn sample(
        &self,
        minute: u64,
        resident_bytes: Option<u64>,
        index_version: Option<Arc<str>>,
    ) {
        let mut guard = self.slot(minute);
        let slot = guard.at(minute);
        if let Some(bytes) = resident_bytes {
            slot.resident_bytes = Some(slot.resident_bytes.map_or(bytes, |seen| seen.max(bytes)));
        }
        if index_version.is_some() {
            slot.index_version = index_version;
        }
    }

    /// The `minutes` minutes that end with `last_minute` (included), from
    /// the history's first minute at the earliest.
    pub fn window(&self, last_minute: u64, minutes: usize) -> Window {
        let from = last_minute
            .saturating_sub(minutes.saturating_sub(1) as u64)
            .max(self.first_minute);
        let mut window = Window {
            minutes: Vec::new(),
            totals: Counts::default(),
            latency: None,
        };
        let mut overall: Option<Box<Histogram<u32>>> = None;
        for minute in from..=last_minute {
            let guard = self.slot(minute);
            let summary = if guard.minute == minute {
                if let Some(latency) = guard.latency.as_deref().filter(|h| !h.is_empty()) {
                    // Same bounds on both sides: adding cannot fail.
                    let _ = overall.get_or_insert_with(new_histogram).add(latency);
                }
                MinuteSummary {
                    minute,
                    counts: guard.counts,
                    latency: guard.latency.as_deref().and_then(Percentiles::of),
                    resident_bytes: guard.resident_bytes,
                    index_version: guard.index_version.clone(),
                }
            } else {
                MinuteSummary {
                    minute,
                    counts: Counts::default(),
                    latency: None,
                    resident_bytes: None,
                    index_version: None,
                }
            };
            drop(guard);
            window.totals.add(&summary.counts);
            window.minutes.push(summary);
        }
        window.latency = overall.as_deref().and_then(Percentiles::of);
        window
    }
}

/// The minute `time` falls in, since the epoch.
pub fn minute_of(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 60
}

/// The minute now.
pub fn current_minute() -> u64 {
    minute_of(SystemTime::now())
}

/// The process's history, begun on first use (the server calls it when
/// it starts).
pub fn history() -> &'static History {
    static HISTORY: OnceLock<History> = OnceLock::new();
    HISTORY.get_or_init(|| History::new(SystemTime::now()))
}

/// Counts a name search that just ended (see [`History::record_lookup`]).
pub fn record_lookup(outcome: Option<ErrorKind>, elapsed: Duration) {
    history().record_lookup(current_minute(), outcome, elapsed);
}

/// Counts an answered search that found nobody with confidence.
pub fn record_not_found() {
    history().record_not_found(current_minute());
}

/// Counts a search admitted in degraded mode.
pub fn record_degraded() {
    history().record_degraded(current_minute());
}

/// Counts a refused reload.
pub fn record_reload_refused() {
    history().record_reload_refused(current_minute());
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: u64 = 29_000_000; // a minute in 2025

    fn history() -> History {
        History::new(UNIX_EPOCH + Duration::from_secs(START * 60 + 17))
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_minute_counts_outcomes_and_latencies() {
        let history = history();
        for elapsed in 1..=100 {
            history.record_lookup(START, None, ms(elapsed));
        }
        history.record_lookup(START, Some(ErrorKind::Overloaded), ms(1));
        history.record_lookup(START, Some(ErrorKind::Internal), ms(1));
        history.record_lookup(START, Some(ErrorKind::InvalidArgument), ms(1));
        history.record_not_found(START);
        history.record_degraded(START);
        let window = history.window(START, 1);
        assert_eq!(window.minutes.len(), 1);
        let counts = window.totals;
        assert_eq!(counts.lookups(), 103);
        assert_eq!(
            (counts.answered, counts.found(), counts.not_found),
            (100, 99, 1)
        );
        assert_eq!(counts.errors_in(ErrorClass::Shed), 1);
        assert_eq!(counts.errors_in(ErrorClass::Server), 1);
        assert_eq!(counts.errors_in(ErrorClass::Client), 1);
        assert_eq!(counts.errors_of(ErrorKind::Overloaded), 1);
        assert_eq!(counts.degraded, 1);
        let latency = window.latency.unwrap();
        assert_eq!(latency.count, 100, "only answered searches are timed");
        // Two significant digits: within 1% of the true value.
        let close = |value: u64, expected: u64| value.abs_diff(expected) * 100 <= expected;
        assert!(close(latency.p50, 50_000), "{latency:?}");
        assert!(close(latency.p90, 90_000), "{latency:?}");
        assert!(close(latency.p99, 99_000), "{latency:?}");
        assert!(close(latency.max, 100_000), "{latency:?}");
        assert_eq!(window.minutes[0].latency, Some(latency));
    }

    #[test]
    fn a_new_minute_takes_its_slot_over_a_day_later() {
        let history = history();
        history.record_lookup(START, None, ms(5));
        history.record_reload_refused(START);
        history.sample(START, Some(100), Some(Arc::from("v1")));
        // The same slot, one day on: yesterday's figures are gone.
        let tomorrow = START + MINUTES as u64;
        history.record_lookup(tomorrow, Some(ErrorKind::Internal), ms(1));
        let window = history.window(tomorrow, 1);
        let minute = &window.minutes[0];
        assert_eq!(minute.minute, tomorrow);
        assert_eq!(minute.counts.lookups(), 1);
        assert_eq!(minute.counts.answered, 0);
        assert_eq!(minute.counts.reload_refusals, 0);
        assert_eq!(minute.latency, None, "the histogram was reset");
        assert_eq!(minute.resident_bytes, None);
        assert_eq!(minute.index_version, None);
        // Asked for the whole day, yesterday's minute reads as empty too.
        let day = history.window(tomorrow, MINUTES);
        assert_eq!(day.minutes.len(), MINUTES);
        assert_eq!(day.totals.lookups(), 1);
        assert_eq!(day.minutes[0].minute, tomorrow - MINUTES as u64 + 1);
    }

    #[test]
    fn minutes_without_traffic_read_as_empty_and_windows_slice_the_ring() {
        let history = history();
        // Lookups at minutes 0, 1 and 10 of the history; nothing between.
        history.record_lookup(START, None, ms(1));
        history.record_lookup(START + 1, None, ms(2));
        history.record_lookup(START + 1, None, ms(2));
        for _ in 0..3 {
            history.record_lookup(START + 10, Some(ErrorKind::RateLimited), ms(1));
        }
        let all = history.window(START + 10, 60);
        // The window starts at the history's first minute, not before.
        assert_eq!(all.minutes.len(), 11);
        assert_eq!(all.minutes.first().unwrap().minute, START);
        assert_eq!(all.minutes.last().unwrap().minute, START + 10);
        let lookups: Vec<u64> = all.minutes.iter().map(|m| m.counts.lookups()).collect();
        assert_eq!(lookups, [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(all.totals.lookups(), 6);
        assert_eq!(all.latency.unwrap().count, 3);
        // The last five minutes: only the refusals.
        let recent = history.window(START + 10, 5);
        assert_eq!(recent.minutes.len(), 5);
        assert_eq!(recent.minutes[0].minute, START + 6);
        assert_eq!(recent.totals.lookups(), 3);
        assert_eq!(recent.latency, None);
        // A window ending earlier leaves later minutes out.
        let early = history.window(START + 1, 2);
        assert_eq!(early.totals.lookups(), 3);
        assert_eq!(
            early.latency.unwrap().max,
            history.window(START + 1, 1).latency.unwrap().max
        );
    }

    #[test]
    fn the_ring_wraps_around_the_end_of_its_slots() {
        let history = history();
        let slot_of = |minute: u64| minute % MINUTES as u64;
        // A minute in the ring's last slot, then the next one in slot 0.
        let last_slot = START + (MINUTES as u64 - 1 - slot_of(START));
        assert_eq!(slot_of(last_slot), MINUTES as u64 - 1);
        history.record_lookup(last_slot, None, ms(1));
        history.record_lookup(last_slot + 1, None, ms(1));
        history.record_lookup(last_slot + 1, None, ms(1));
        let window = history.window(last_slot + 1, 2);
        let lookups: Vec<u64> = window.minutes.iter().map(|m| m.counts.lookups()).collect();
        assert_eq!(lookups, [1, 2]);
    }

    #[test]
    fn samples_keep_the_highest_memory_and_the_last_version() {
        let history = history();
        history.sample(START, Some(300), Some(Arc::from("v1")));
        history.sample(START, Some(200), None);
        history.sample(START, None, Some(Arc::from("v2")));
        let minute = &history.window(START, 1).minutes[0];
        assert_eq!(minute.resident_bytes, Some(300));
        assert_eq!(minute.index_version.as_deref(), Some("v2"));
    }

    #[test]
    fn latencies_past_the_histograms_range_count_as_its_highest() {
        let history = history();
        history.record_lookup(START, None, Duration::from_secs(3_600));
        history.record_lookup(START, None, Duration::ZERO);
        let latency = history.window(START, 1).latency.unwrap();
        assert_eq!(latency.count, 2);
        assert!(latency.max >= LATENCY_HIGH_MICROS, "{latency:?}");
    }

    #[test]
    fn a_minute_histogram_stays_small() {
        // What each minute with lookups costs: about 10 KB.
        let histogram = new_histogram();
        let bytes = histogram.distinct_values() * std::mem::size_of::<u32>();
        assert!(bytes <= 12 * 1024, "{bytes} bytes");
    }

    #[test]
    fn every_error_kind_has_a_class() {
        let shed: Vec<&str> = ErrorKind::ALL
            .into_iter()
            .filter(|kind| ErrorClass::of(*kind) == ErrorClass::Shed)
            .map(ErrorKind::code)
            .collect();
        assert_eq!(shed, ["rate_limited", "overloaded", "deadline_exceeded"]);
        let server: Vec<&str> = ErrorKind::ALL
            .into_iter()
            .filter(|kind| ErrorClass::of(*kind) == ErrorClass::Server)
            .map(ErrorKind::code)
            .collect();
        assert_eq!(server, ["index_not_ready", "internal"]);
    }
}
