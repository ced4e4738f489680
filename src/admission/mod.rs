//! Admission control, shared by both doors: who may send how much, what
//! runs now, what waits briefly, what is refused at once, and when lookups
//! switch to their cheaper degraded mode.
//!
//! A request meets, in order (see [`layer`]):
//! 1. its class, from its API key (`X-Api-Key`; staff applications above
//!    kiosks above anonymous clients);
//! 2. the rate limits of its class, per client and overall ([`rate`]):
//!    refused with 429 / `RESOURCE_EXHAUSTED` and a time to retry;
//! 3. its deadline (`grpc-timeout`, `X-Request-Timeout`): a request that
//!    cannot be served in time is dropped before any search work;
//! 4. the adaptive concurrency limit and its short priority queue
//!    ([`limit`]): shed with 503 / `UNAVAILABLE` when it cannot run soon.
//!
//! Health checks, metrics, the API description and admin calls bypass it:
//! an overloaded server must still say how it is.

pub mod layer;
pub mod limit;
pub mod rate;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};

use limit::{LimitConfig, Limiter, Permit, Shed};
use rate::{ClientId, RateConfig, RateLimits, RateRefusal};

/// Header carrying a client's API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Who a request comes from, in order of priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Municipal staff applications.
    Staff,
    /// Kiosks for voters.
    Kiosk,
    /// Anyone without a known key.
    Anonymous,
}

impl Class {
    /// Every class, highest priority first.
    pub const ALL: [Class; 3] = [Class::Staff, Class::Kiosk, Class::Anonymous];

    /// Position in [`Class::ALL`] (0 is the highest priority).
    pub fn rank(self) -> usize {
        match self {
            Class::Staff => 0,
            Class::Kiosk => 1,
            Class::Anonymous => 2,
        }
    }

    /// The class's name in settings and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Staff => "staff",
            Class::Kiosk => "kiosk",
            Class::Anonymous => "anonymous",
        }
    }

    /// Reads [`Class::as_str`].
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL
            .into_iter()
            .find(|class| class.as_str() == name.trim())
    }
}

/// Settings of admission control.
#[derive(Debug, Clone, PartialEq)]
pub struct AdmissionConfig {
    /// The concurrency limit and its queue.
    pub limit: LimitConfig,
    /// Rate limits per class (staff, kiosk, anonymous).
    pub rates: [RateConfig; 3],
    /// API keys and their classes.
    pub api_keys: HashMap<String, Class>,
}

impl Default for AdmissionConfig {
    fn default() -> Self {
        AdmissionConfig {
            limit: LimitConfig::default(),
            rates: Class::ALL.map(RateConfig::default_for),
            api_keys: HashMap::new(),
        }
    }
}

/// The admission state every request of both doors goes through.
pub struct Admission {
    limiter: Limiter,
    rates: RateLimits,
    keys: HashMap<String, (Class, Arc<str>)>,
    metrics: AdmissionMetrics,
}

/// Why admission refused a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refusal {
    /// Over a rate limit.
    Rate(RateRefusal),
    /// Shed to keep the server responsive.
    Shed(Shed),
}

impl Admission {
    /// Admission with `config`.
    pub fn new(config: AdmissionConfig) -> Admission {
        Admission {
            limiter: Limiter::new(config.limit),
            rates: RateLimits::new(config.rates),
            keys: config
                .api_keys
                .into_iter()
                .map(|(key, class)| {
                    let shared: Arc<str> = Arc::from(key.as_str());
                    (key, (class, shared))
                })
                .collect(),
            metrics: AdmissionMetrics::register(),
        }
    }

    /// The class and client identity of a request.
    pub fn classify(
        &self,
        api_key: Option<&str>,
        peer: Option<std::net::IpAddr>,
    ) -> (Class, ClientId) {
        match api_key.and_then(|key| self.keys.get(key.trim())) {
            Some((class, key)) => (*class, ClientId::Key(key.clone())),
            // An unknown key is no identity: it would let one client pose
            // as many. The address stands for it.
            None => (
                Class::Anonymous,
                peer.map_or(ClientId::Overflow, ClientId::Ip),
            ),
        }
    }

    /// Rate limits, then the deadline, then the concurrency limit.
    pub async fn admit(
        &self,
        class: Class,
        client: &ClientId,
        deadline: Option<std::time::Instant>,
    ) -> Result<Permit, Refusal> {
        let rank = class.rank();
        if let Err(refusal) = self.rates.check(class, client) {
            self.metrics.rate_limited[rank].increment(1);
            return Err(Refusal::Rate(refusal));
        }
        match self.limiter.acquire(class, deadline).await {
            Ok(permit) => {
                self.metrics.admitted[rank].increment(1);
                if !permit.waited.is_zero() {
                    self.metrics.queued[rank].increment(1);
                    self.metrics.queue_delay.record(permit.waited.as_secs_f64());
                }
                if permit.degraded {
                    self.metrics.degraded.increment(1);
                }
                self.metrics.publish(&self.limiter);
                Ok(permit)
            }
            Err(shed) => {
                let reason = match shed {
                    Shed::QueueFull => 0,
                    Shed::Waited => 1,
                    Shed::Deadline => 2,
                };
                self.metrics.shed[rank][reason].increment(1);
                self.metrics.publish(&self.limiter);
                Err(Refusal::Shed(shed))
            }
        }
    }

    /// Gives a permit back.
    pub fn release(&self, permit: Permit) {
        self.limiter.release(permit);
    }

    /// The limiter's state.
    pub fn snapshot(&self) -> limit::LimitSnapshot {
        self.limiter.snapshot()
    }

    /// Forgets idle clients of the rate limiters; run every few seconds.
    pub fn housekeeping(&self) {
        self.rates.forget_idle_clients();
        self.metrics.publish(&self.limiter);
    }

    /// How long a refused client should wait before retrying.
    pub fn retry_after(&self, refusal: &Refusal) -> Duration {
        match refusal {
            Refusal::Rate(rate) => rate.retry_after.max(Duration::from_millis(1)),
            // Shed: by the time a second passes, a burst has usually
            // passed too; clients add their own jitter.
            Refusal::Shed(_) => Duration::from_secs(1),
        }
    }
}

/// The admission metrics, registered once.
struct AdmissionMetrics {
    admitted: [Counter; 3],
    queued: [Counter; 3],
    rate_limited: [Counter; 3],
    shed: [[Counter; 3]; 3],
    degraded: Counter,
    queue_delay: Histogram,
    limit: Gauge,
    in_flight: Gauge,
    queue_length: Gauge,
    degraded_mode: Gauge,
}

impl AdmissionMetrics {
    fn register() -> AdmissionMetrics {
        crate::metrics::requests();
        let per_class =
            |name: &'static str| Class::ALL.map(|class| counter!(name, "class" => class.as_str()));
        AdmissionMetrics {
            admitted: per_class("voter_lookup_admission_admitted_total"),
            queued: per_class("voter_lookup_admission_queued_total"),
            rate_limited: per_class("voter_lookup_admission_rate_limited_total"),
            shed: Class::ALL.map(|class| {
                [Shed::QueueFull, Shed::Waited, Shed::Deadline].map(|shed| {
                    counter!(
                        "voter_lookup_admission_shed_total",
                        "class" => class.as_str(),
                        "reason" => shed.as_str()
                    )
                })
            }),
            degraded: counter!("voter_lookup_admission_degraded_total"),
            queue_delay: histogram!("voter_lookup_admission_queue_delay_seconds"),
            limit: gauge!("voter_lookup_admission_concurrency_limit"),
            in_flight: gauge!("voter_lookup_admission_in_flight"),
            queue_length: gauge!("voter_lookup_admission_queue_length"),
            degraded_mode: gauge!("voter_lookup_admission_degraded_mode"),
        }
    }

    fn publish(&self, limiter: &Limiter) {
        let snapshot = limiter.snapshot();
        self.limit.set(snapshot.limit);
        self.in_flight.set(snapshot.in_flight as f64);
        self.queue_length.set(snapshot.queued as f64);
        self.degraded_mode
            .set(if snapshot.degraded { 1.0 } else { 0.0 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_give_their_class_and_unknown_ones_the_address() {
        let mut config = AdmissionConfig::default();
        config.api_keys.insert("desk-key".into(), Class::Staff);
        let admission = Admission::new(config);
        let peer = Some("192.0.2.7".parse().unwrap());
        let (class, client) = admission.classify(Some("desk-key"), peer);
        assert_eq!(class, Class::Staff);
        assert_eq!(client, ClientId::Key(Arc::from("desk-key")));
        let (class, client) = admission.classify(Some("made-up"), peer);
        assert_eq!(class, Class::Anonymous);
        assert_eq!(client, ClientId::Ip("192.0.2.7".parse().unwrap()));
        assert_eq!(Class::from_name("kiosk"), Some(Class::Kiosk));
        assert_eq!(Class::from_name("vip"), None);
    }
}
