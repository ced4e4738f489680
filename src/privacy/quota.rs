//! Quotas of distinct voters revealed, per hour and per day, for each API
//! key and each client address: what stops one device, or one address,
//! from reading the roll out one lookup at a time.
//!
//! A search is refused before it runs when a subject of the request (its
//! key, its address) has already been shown its whole quota; an answer
//! that would take a subject over its quota is refused instead of shown.
//! Voters already revealed to a subject in the window do not count again.
//! Windows are fixed: an hour (a day) from the first reveal in it; the
//! refusal's `Retry-After` is the end of the window.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::admission::Class;
use crate::error::LookupError;

/// An hour.
const HOUR: Duration = Duration::from_secs(3600);
/// A day.
const DAY: Duration = Duration::from_secs(24 * 3600);
/// Most subjects tracked at once; past it, expired ones are dropped, and
/// a new subject is refused until some expire.
const MAX_SUBJECTS: usize = 200_000;

/// One class's quotas of distinct voters revealed; `None`: no quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaLimits {
    /// Per hour.
    pub hour: Option<u32>,
    /// Per day.
    pub day: Option<u32>,
}

impl QuotaLimits {
    /// The defaults of a class (see README, "Privacy and roles"):
    /// - staff: a desk application serving every desk of a large commune
    ///   on election day, ten results a lookup;
    /// - kiosk: one terminal, one voter every 12 seconds for an hour at
    ///   the busiest, a long day of such hours;
    /// - anonymous: one household's address.
    pub fn default_for(class: Class) -> QuotaLimits {
        let (hour, day) = match class {
            Class::Staff => (20_000, 100_000),
            Class::Kiosk => (300, 2_000),
            Class::Anonymous => (20, 60),
        };
        QuotaLimits {
            hour: Some(hour),
            day: Some(day),
        }
    }

    /// The defaults of every class (staff, kiosk, anonymous): those of
    /// [`QuotaLimits::default_for`] once any key is configured; none on a
    /// server without keys, which is closed (its anonymous callers get
    /// the staff view, and a test harness or a desk application behind it
    /// may look up the whole roll).
    pub fn defaults(keys_configured: bool) -> [QuotaLimits; 3] {
        if keys_configured {
            Class::ALL.map(QuotaLimits::default_for)
        } else {
            [QuotaLimits::NONE; 3]
        }
    }

    /// No quota.
    pub const NONE: QuotaLimits = QuotaLimits {
        hour: None,
        day: None,
    };
}

/// Who a quota is kept for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An API key, by its id.
    Key(Arc<str>),
    /// A client address (IPv6 by its /64), for one class: the kiosks of
    /// a town hall and the public behind the same address count apart.
    Address(Class, IpAddr),
}

/// A voter, as quotas and the audit trail know them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VoterRef {
    /// Station code.
    pub station: Arc<str>,
    /// Order number.
    pub order: u32,
}

impl VoterRef {
    fn key(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.station.hash(&mut hasher);
        self.order.hash(&mut hasher);
        hasher.finish()
    }
}

struct Window {
    length: Duration,
    start: Instant,
    voters: HashSet<u64>,
}

impl Window {
    fn new(length: Duration, now: Instant) -> Window {
        Window {
            length,
            start: now,
            voters: HashSet::new(),
        }
    }

    fn roll(&mut self, now: Instant) {
        if now.duration_since(self.start) >= self.length {
            self.start = now;
            self.voters.clear();
        }
    }

    /// Refuses when revealing `voters` would take the window past `limit`.
    fn check(
        &self,
        limit: Option<u32>,
        name: &'static str,
        voters: &[u64],
        now: Instant,
    ) -> Result<(), LookupError> {
        let Some(limit) = limit else { return Ok(()) };
        let new = voters.iter().filter(|v| !self.voters.contains(v)).count();
        // Before a search (no voters yet): refused once the quota is spent.
        // After: refused when the new voters would take it over; voters
        // already shown cost nothing.
        let over = if voters.is_empty() {
            self.voters.len() >= limit as usize
        } else {
            self.voters.len() + new > limit as usize
        };
        if over {
            let retry_after = (self.start + self.length)
                .saturating_duration_since(now)
                .max(Duration::from_secs(1));
            return Err(LookupError::QuotaExceeded {
                window: name,
                limit,
                retry_after,
            });
        }
        Ok(())
    }
}

struct Usage {
    hour: Window,
    day: Window,
}

impl Usage {
    fn new(now: Instant) -> Usage {
        Usage {
            hour: Window::new(HOUR, now),
            day: Window::new(DAY, now),
        }
    }

    fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.day.start) >= DAY
    }
}

/// The quotas of every subject.
pub struct Quotas {
    limits: [QuotaLimits; 3],
    table: Mutex<HashMap<Subject, Usage>>,
}

impl Quotas {
    /// Quotas with `limits` per class (staff, kiosk, anonymous).
    pub fn new(limits: [QuotaLimits; 3]) -> Quotas {
        Quotas {
            limits,
            table: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses a search before it runs when one of `subjects` has been
    /// shown its whole quota.
    pub fn before(
        &self,
        class: Class,
        subjects: &[Subject],
        now: Instant,
    ) -> Result<(), LookupError> {
        self.check(class, subjects, &[], now, false)
    }

    /// Records that `voters` are revealed to `subjects`, or refuses when
    /// that would take one of them over its quota (then nothing is
    /// recorded, and nothing must be shown).
    pub fn reveal(
        &self,
        class: Class,
        subjects: &[Subject],
        voters: &[VoterRef],
        now: Instant,
    ) -> Result<(), LookupError> {
        let keys: Vec<u64> = voters.iter().map(VoterRef::key).collect();
        self.check(class, subjects, &keys, now, true)
    }

    fn check(
        &self,
        class: Class,
        subjects: &[Subject],
        voters: &[u64],
        now: Instant,
        record: bool,
    ) -> Result<(), LookupError> {
        let limits = self.limits[class.rank()];
        if limits == QuotaLimits::NONE {
            return Ok(());
        }
        let mut table = self
            .table
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if table.len() >= MAX_SUBJECTS {
            table.retain(|_, usage| !usage.expired(now));
        }
        let table_full = table.len() >= MAX_SUBJECTS;
        for subject in subjects {
            match table.get_mut(subject) {
                Some(usage) => {
                    usage.hour.roll(now);
                    usage.day.roll(now);
                    usage.hour.check(limits.hour, "hour", voters, now)?;
                    usage.day.check(limits.day, "day", voters, now)?;
                }
                None if table_full => {
                    tracing::warn!("quota table full: a new client is refused until others expire");
                    return Err(LookupError::QuotaExceeded {
                        window: "hour",
                        limit: 0,
                        retry_after: Duration::from_secs(60),
                    });
                }
                None => {
                    let usage = Usage::new(now);
                    usage.hour.check(limits.hour, "hour", voters, now)?;
                    usage.day.check(limits.day, "day", voters, now)?;
                }
            }
        }
        if record && !voters.is_empty() {
            for subject in subjects {
                let usage = table
                    .entry(subject.clone())
                    .or_insert_with(|| Usage::new(now));
                usage.hour.voters.extend(voters);
                usage.day.voters.extend(voters);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn voter(order: u32) -> VoterRef {
        VoterRef {
            station: Arc::from("0001"),
            order,
        }
    }

    fn quotas(hour: u32, day: u32) -> Quotas {
        let limits = QuotaLimits {
            hour: Some(hour),
            day: Some(day),
        };
        Quotas::new([limits; 3])
    }

    #[test]
    fn distinct_voters_count_and_the_one_over_is_refused() {
        let quotas = quotas(3, 10);
        let kiosk = [Subject::Key(Arc::from("hall-1"))];
        let now = Instant::now();
        for order in 1..=3 {
            quotas
                .reveal(Class::Kiosk, &kiosk, &[voter(order)], now)
                .unwrap();
        }
        // The same voter again costs nothing.
        quotas
            .reveal(Class::Kiosk, &kiosk, &[voter(2)], now)
            .unwrap();
        let error = quotas
            .reveal(Class::Kiosk, &kiosk, &[voter(4)], now)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::QuotaExceeded);
        assert_eq!(error.retry_after(), Some(HOUR));
        // Full: searches are refused before they run.
        assert!(quotas.before(Class::Kiosk, &kiosk, now).is_err());
        // Another subject is untouched.
        let other = [Subject::Address(Class::Kiosk, "192.0.2.1".parse().unwrap())];
        assert!(quotas.before(Class::Kiosk, &other, now).is_ok());
        // An hour later, the hour's quota starts again.
        let later = now + HOUR;
        quotas
            .reveal(Class::Kiosk, &kiosk, &[voter(4)], later)
            .unwrap();
    }

    #[test]
    fn the_day_bounds_what_the_hours_allow() {
        let quotas = quotas(3, 4);
        let key = [Subject::Key(Arc::from("desk"))];
        let now = Instant::now();
        quotas
            .reveal(Class::Staff, &key, &[voter(1), voter(2), voter(3)], now)
            .unwrap();
        let next_hour = now + HOUR;
        quotas
            .reveal(Class::Staff, &key, &[voter(4)], next_hour)
            .unwrap();
        let error = quotas
            .reveal(Class::Staff, &key, &[voter(5)], next_hour)
            .unwrap_err();
        assert!(error.to_string().contains("per day"), "{error}");
        assert_eq!(error.retry_after(), Some(DAY - HOUR));
    }

    #[test]
    fn a_request_counts_for_its_key_and_its_address() {
        let quotas = quotas(2, 10);
        let address = Subject::Address(Class::Kiosk, "192.0.2.7".parse().unwrap());
        let now = Instant::now();
        let first = [Subject::Key(Arc::from("a")), address.clone()];
        quotas
            .reveal(Class::Kiosk, &first, &[voter(1), voter(2)], now)
            .unwrap();
        // A second key from the same address finds the address full.
        let second = [Subject::Key(Arc::from("b")), address];
        assert!(
            quotas
                .reveal(Class::Kiosk, &second, &[voter(3)], now)
                .is_err()
        );
    }
}
