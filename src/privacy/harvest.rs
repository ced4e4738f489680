//! Signs that someone is reading the roll out rather than looking people
//! up, kept per subject (key id or address) and reported as metrics
//! (`voter_lookup_harvest_signals_total{pattern}`) and a warning naming
//! the key id or the address, never a query:
//!
//! - `alphabetical_sweep`: successive searches whose first word is a
//!   short beginning (three letters at most), each after the previous one
//!   in alphabetical order;
//! - `sequential_orders`: reverse lookups of consecutive order numbers in
//!   one station;
//! - `date_oracle`: searches with a full birth date that find nobody, with
//!   many different dates in an hour (someone testing which dates exist).
//!
//! A signal is raised when a run reaches its threshold, and again at each
//! multiple of it. Quotas, not these signals, refuse answers.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use metrics::counter;

use super::quota::Subject;

/// Searches in an alphabetical run before it is a sweep.
pub const SWEEP_RUN: u32 = 8;
/// Consecutive order numbers before it is a walk through a station.
pub const SEQUENTIAL_RUN: u32 = 10;
/// Different birth dates that found nobody in an hour before it is an
/// oracle.
pub const ORACLE_DATES: usize = 20;
/// Most subjects watched; past it, the table starts again.
const MAX_SUBJECTS: usize = 100_000;

/// A harvesting pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Short beginnings in alphabetical order.
    AlphabeticalSweep,
    /// Consecutive order numbers.
    SequentialOrders,
    /// Many dates that find nobody.
    DateOracle,
}

impl Pattern {
    /// Its metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Pattern::AlphabeticalSweep => "alphabetical_sweep",
            Pattern::SequentialOrders => "sequential_orders",
            Pattern::DateOracle => "date_oracle",
        }
    }
}

#[derive(Default)]
struct Traces {
    last_beginning: Option<String>,
    sweep: u32,
    last_order: Option<(String, u32)>,
    sequence: u32,
    oracle_since: Option<Instant>,
    oracle_dates: HashSet<String>,
}

/// The traces of every subject.
#[derive(Default)]
pub struct HarvestWatch {
    table: Mutex<HashMap<Subject, Traces>>,
}

impl HarvestWatch {
    /// A search by `subject` whose first word is `first_word` (folded), and
    /// whose full birth date `date` found nobody when `not_found`.
    pub fn search(
        &self,
        subject: &Subject,
        first_word: &str,
        date: Option<&str>,
        not_found: bool,
        now: Instant,
    ) -> Vec<Pattern> {
        let mut signals = Vec::new();
        self.with(subject, |traces| {
            let short = first_word.chars().count() <= 3 && !first_word.is_empty();
            let after = traces
                .last_beginning
                .as_deref()
                .is_some_and(|last| first_word > last);
            traces.sweep = if short && after { traces.sweep + 1 } else { 0 };
            traces.last_beginning = short.then(|| first_word.to_string());
            if traces.sweep > 0 && traces.sweep.is_multiple_of(SWEEP_RUN) {
                signals.push(Pattern::AlphabeticalSweep);
            }
            if let (Some(date), true) = (date, not_found) {
                let since = *traces.oracle_since.get_or_insert(now);
                if now.duration_since(since) > Duration::from_secs(3600) {
                    traces.oracle_since = Some(now);
                    traces.oracle_dates.clear();
                }
                if traces.oracle_dates.insert(date.to_string())
                    && traces.oracle_dates.len().is_multiple_of(ORACLE_DATES)
                {
                    signals.push(Pattern::DateOracle);
                }
            }
        });
        signals
    }

    /// A reverse lookup by `subject` of `order` in `station`.
    pub fn reverse_lookup(&self, subject: &Subject, station: &str, order: u32) -> Vec<Pattern> {
        let mut signals = Vec::new();
        self.with(subject, |traces| {
            let next = traces
                .last_order
                .as_ref()
                .is_some_and(|(last_station, last)| last_station == station && order == last + 1);
            traces.sequence = if next { traces.sequence + 1 } else { 0 };
            traces.last_order = Some((station.to_string(), order));
            if traces.sequence > 0 && traces.sequence.is_multiple_of(SEQUENTIAL_RUN) {
                signals.push(Pattern::SequentialOrders);
            }
        });
        signals
    }

    fn with(&self, subject: &Subject, update: impl FnOnce(&mut Traces)) {
        let mut table = self
            .table
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if table.len() >= MAX_SUBJECTS && !table.contains_key(subject) {
            table.clear();
        }
        update(table.entry(subject.clone()).or_default());
    }
}

/// Registers every series of the signals' counter, at zero.
pub fn register() {
    for pattern in [
        Pattern::AlphabeticalSweep,
        Pattern::SequentialOrders,
        Pattern::DateOracle,
    ] {
        for class in crate::admission::Class::ALL {
            counter!("voter_lookup_harvest_signals_total", "pattern" => pattern.as_str(), "class" => class.as_str())
                .increment(0);
        }
    }
}

/// Counts and logs `signals` raised by `who` (a key id or an address).
pub fn report(signals: &[Pattern], class: &'static str, who: &str) {
    for signal in signals {
        counter!("voter_lookup_harvest_signals_total", "pattern" => signal.as_str(), "class" => class)
            .increment(1);
        tracing::warn!(
            pattern = signal.as_str(),
            class,
            client = who,
            "harvesting pattern"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn an_alphabetical_sweep_of_beginnings_is_seen() {
        let watch = HarvestWatch::default();
        let who = Subject::Key(Arc::from("k"));
        let now = Instant::now();
        let mut raised = Vec::new();
        for beginning in ["AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI"] {
            raised.extend(watch.search(&who, beginning, None, false, now));
        }
        assert_eq!(raised, vec![Pattern::AlphabeticalSweep]);
        // People looking up names are no sweep.
        let person = Subject::Key(Arc::from("desk"));
        for name in [
            "MARTIN", "DUBOIS", "LEROY", "GARCIA", "BERNARD", "PETIT", "ROUX", "FAURE", "MOREL",
        ] {
            assert!(watch.search(&person, name, None, false, now).is_empty());
        }
    }

    #[test]
    fn consecutive_orders_and_a_date_oracle_are_seen() {
        let watch = HarvestWatch::default();
        let who = Subject::Address(crate::admission::Class::Kiosk, "192.0.2.3".parse().unwrap());
        let raised: Vec<Pattern> = (1..=11)
            .flat_map(|order| watch.reverse_lookup(&who, "0001", order))
            .collect();
        assert_eq!(raised, vec![Pattern::SequentialOrders]);
        let now = Instant::now();
        let mut oracle = Vec::new();
        for day in 1..=ORACLE_DATES {
            let date = format!("1960-01-{day:02}");
            oracle.extend(watch.search(&who, "MARTIN", Some(&date), true, now));
        }
        assert_eq!(oracle, vec![Pattern::DateOracle]);
        // Dates that find someone are no oracle.
        let found = Subject::Address(crate::admission::Class::Kiosk, "192.0.2.4".parse().unwrap());
        for day in 1..=ORACLE_DATES {
            let date = format!("1960-01-{day:02}");
            assert!(
                watch
                    .search(&found, "MARTIN", Some(&date), false, now)
                    .is_empty()
            );
        }
    }
}
