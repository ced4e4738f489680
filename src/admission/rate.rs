//! Rate limits per client and per class, with `governor`.
//!
//! Each class has an optional limit per client (its API key, or its IP
//! address when it has none) and an optional limit for the whole class.
//! The per-client state is a keyed limiter whose table is kept bounded: it
//! forgets clients whose bucket is full again (`retain_recent`) whenever it
//! grows past its cap, and if a flood of new addresses still fills it, the
//! newcomers share one overflow bucket rather than growing memory (governor
//! issue #171).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::Class;

/// Clients remembered per class before the table is trimmed.
pub const MAX_CLIENTS: usize = 50_000;

/// Who sends a request, for per-client limits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientId {
    /// A known API key.
    Key(Arc<str>),
    /// An address without a known key.
    Ip(IpAddr),
    /// A client past the table's cap.
    Overflow,
}

/// One class's limits, in requests per second (bursts of twice that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    /// Per client; `None`: no limit.
    pub per_client: Option<NonZeroU32>,
    /// For the class as a whole; `None`: no limit.
    pub total: Option<NonZeroU32>,
}

impl RateConfig {
    /// The defaults of a class: staff applications are trusted with a
    /// high rate, kiosks are many devices each typing slowly, anonymous
    /// clients share what is left.
    pub fn default_for(class: Class) -> RateConfig {
        let rate = |n: u32| NonZeroU32::new(n);
        match class {
            Class::Staff => RateConfig {
                per_client: rate(500),
                total: None,
            },
            Class::Kiosk => RateConfig {
                per_client: rate(20),
                total: rate(2_000),
            },
            Class::Anonymous => RateConfig {
                per_client: rate(50),
                total: rate(1_000),
            },
        }
    }
}

/// A refusal: when to retry, and which limit refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateRefusal {
    /// Time until a request would pass.
    pub retry_after: Duration,
    /// The limit that refused, per second.
    pub limit: u32,
    /// `client` or `class`.
    pub scope: &'static str,
}

struct ClassLimiter {
    per_client: Option<(DefaultKeyedRateLimiter<ClientId>, u32)>,
    total: Option<(DefaultDirectRateLimiter, u32)>,
}

/// The limits of every class.
pub struct RateLimits {
    classes: [ClassLimiter; 3],
    clock: DefaultClock,
    /// When the client tables were last trimmed, as nanoseconds since
    /// `started`: trimming walks a whole table, so it runs at most once per
    /// [`TRIM_EVERY`] however fast new clients arrive.
    started: Instant,
    last_trim: AtomicU64,
}

/// Least time between two trims of the client tables.
const TRIM_EVERY: Duration = Duration::from_millis(200);

fn quota(per_second: NonZeroU32) -> Quota {
    let burst = per_second.saturating_mul(NonZeroU32::new(2).expect("2 is not zero"));
    Quota::per_second(per_second).allow_burst(burst)
}

impl RateLimits {
    /// Limits for each class (staff, kiosk, anonymous).
    pub fn new(configs: [RateConfig; 3]) -> RateLimits {
        let make = |config: RateConfig| ClassLimiter {
            per_client: config
                .per_client
                .map(|rate| (RateLimiter::keyed(quota(rate)), rate.get())),
            total: config
                .total
                .map(|rate| (RateLimiter::direct(quota(rate)), rate.get())),
        };
        RateLimits {
            classes: configs.map(make),
            clock: DefaultClock::default(),
            started: Instant::now(),
            last_trim: AtomicU64::new(0),
        }
    }

    /// Counts one request of `client` in `class`; refuses it when over a
    /// limit.
    pub fn check(&self, class: Class, client: &ClientId) -> Result<(), RateRefusal> {
        let limiter = &self.classes[class.rank()];
        if let Some((keyed, rate)) = &limiter.per_client {
            let key = if keyed.len() >= MAX_CLIENTS {
                if self.may_trim() {
                    keyed.retain_recent();
                }
                if keyed.len() >= MAX_CLIENTS {
                    ClientId::Overflow
                } else {
                    client.clone()
                }
            } else {
                client.clone()
            };
            keyed.check_key(&key).map_err(|not_until| RateRefusal {
                retry_after: not_until.wait_time_from(self.clock.now()),
                limit: *rate,
                scope: "client",
            })?;
        }
        if let Some((total, rate)) = &limiter.total {
            total.check().map_err(|not_until| RateRefusal {
                retry_after: not_until.wait_time_from(self.clock.now()),
                limit: *rate,
                scope: "class",
            })?;
        }
        Ok(())
    }

    /// True at most once per [`TRIM_EVERY`].
    fn may_trim(&self) -> bool {
        let now = self.started.elapsed().as_nanos() as u64;
        let last = self.last_trim.load(Ordering::Relaxed);
        now.saturating_sub(last) >= TRIM_EVERY.as_nanos() as u64
            && self
                .last_trim
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    /// Forgets clients whose bucket is full again; run now and then.
    pub fn forget_idle_clients(&self) {
        for limiter in &self.classes {
            if let Some((keyed, _)) = &limiter.per_client {
                keyed.retain_recent();
                keyed.shrink_to_fit();
            }
        }
    }

    /// Clients remembered, all classes together.
    pub fn clients(&self) -> usize {
        self.classes
            .iter()
            .filter_map(|limiter| limiter.per_client.as_ref())
            .map(|(keyed, _)| keyed.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_client: u32, total: u32) -> RateLimits {
        let config = RateConfig {
            per_client: NonZeroU32::new(per_client),
            total: NonZeroU32::new(total),
        };
        RateLimits::new([config; 3])
    }

    #[test]
    fn a_client_over_its_rate_is_refused_with_a_retry_time() {
        let limits = limits(5, 0);
        let client = ClientId::Ip("10.0.0.1".parse().unwrap());
        for _ in 0..10 {
            limits.check(Class::Kiosk, &client).unwrap();
        }
        let refusal = limits.check(Class::Kiosk, &client).unwrap_err();
        assert_eq!((refusal.limit, refusal.scope), (5, "client"));
        assert!(
            refusal.retry_after > Duration::ZERO
                && refusal.retry_after <= Duration::from_millis(250)
        );
        let other = ClientId::Ip("10.0.0.2".parse().unwrap());
        assert!(
            limits.check(Class::Kiosk, &other).is_ok(),
            "another client has its own bucket"
        );
    }

    #[test]
    fn a_class_total_limits_all_its_clients_together() {
        let limits = limits(0, 3);
        for n in 0..6u8 {
            limits
                .check(Class::Anonymous, &ClientId::Ip([10, 0, 0, n].into()))
                .unwrap();
        }
        let refusal = limits
            .check(Class::Anonymous, &ClientId::Ip([10, 0, 1, 0].into()))
            .unwrap_err();
        assert_eq!(refusal.scope, "class");
        assert!(
            limits.check(Class::Staff, &ClientId::Overflow).is_ok(),
            "other classes are apart"
        );
    }

    #[test]
    fn a_flood_of_addresses_does_not_grow_memory_without_bound() {
        let limits = limits(1_000, 0);
        for n in 0..(MAX_CLIENTS as u32 + 5_000) {
            let ip = IpAddr::from(n.to_be_bytes());
            let _ = limits.check(Class::Anonymous, &ClientId::Ip(ip));
        }
        assert!(
            limits.clients() <= MAX_CLIENTS + 1,
            "{} clients remembered",
            limits.clients()
        );
    }
}
