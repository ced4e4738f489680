//! Admission control, shared by both doors: who may send how much, what
//! runs now, what waits briefly, what is refused at once, and when lookups
//! switch to their cheaper degraded mode.
//!
//! A request meets, in order (see [`layer`]):
//! 1. its class, from its API key (`X-Api-Key`; staff applications above
//!    kiosks above anonymous clients), read once into the request's
//!    [`crate::context::RequestContext`] at the door;
//! 2. at the door, as soon as its headers are read: the rate limits of its
//!    class, per client and overall ([`rate`]), refused with 429 /
//!    `RESOURCE_EXHAUSTED` and a time to retry; and the caps on requests in
//!    flight per connection and per client ([`inflight`]), refused the
//!    same way;
//! 3. once the request is whole (the HTTP body read, the gRPC message
//!    decoded), never before: its deadline (`grpc-timeout`,
//!    `X-Request-Timeout`), then the adaptive concurrency limit and its
//!    short priority queue ([`limit`]), shed with 503 / `UNAVAILABLE` when
//!    it cannot run soon. A client that is slow to send its request
//!    therefore holds no permit and no queue place while it sends.
//!
//! Health checks, metrics, the status history, the API description and
//! admin calls bypass it: an overloaded server must still say how it is.

pub mod inflight;
pub mod layer;
pub mod limit;
pub mod rate;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use metrics::{Counter, Histogram, counter, gauge, histogram};

use crate::client_ip::{TrustedProxies, client_key};
use crate::error::LookupError;
use crate::privacy::keys::{KeyHolder, KeyRing};
use inflight::{CapScope, ConnectionKey, InFlight, InFlightCaps, InFlightConfig};
use limit::{LimitConfig, LimitGauges, Limiter, Permit, Shed};
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
    /// API keys given in clear and their classes.
    pub api_keys: HashMap<String, Class>,
    /// Every key, clear and hashed, when already read (else the clear
    /// keys alone).
    pub key_ring: Option<KeyRing>,
    /// Caps on the requests one connection or client has in flight.
    pub in_flight: InFlightConfig,
    /// The reverse proxies whose forwarding headers name the client.
    pub trusted_proxies: TrustedProxies,
}

impl Default for AdmissionConfig {
    fn default() -> Self {
        AdmissionConfig {
            limit: LimitConfig::default(),
            rates: Class::ALL.map(RateConfig::default_for),
            api_keys: HashMap::new(),
            key_ring: None,
            in_flight: InFlightConfig::default(),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// The admission state every request of both doors goes through.
pub struct Admission {
    limiter: Limiter,
    rates: RateLimits,
    caps: InFlightCaps,
    keys: ArcSwap<KeyRing>,
    proxies: TrustedProxies,
    metrics: AdmissionMetrics,
}

/// Why admission refused a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refusal {
    /// Over a rate limit.
    Rate(RateRefusal),
    /// Over a cap on requests in flight.
    Capped(CapScope),
    /// Shed to keep the server responsive.
    Shed(Shed),
}

impl Admission {
    /// Admission with `config`.
    pub fn new(config: AdmissionConfig) -> Admission {
        let metrics = AdmissionMetrics::register();
        Admission {
            limiter: Limiter::with_gauges(config.limit, Some(metrics.gauges.clone())),
            rates: RateLimits::new(config.rates),
            caps: InFlightCaps::new(config.in_flight),
            keys: ArcSwap::from_pointee(
                config
                    .key_ring
                    .unwrap_or_else(|| KeyRing::with_clear(&config.api_keys)),
            ),
            proxies: config.trusted_proxies,
            metrics,
        }
    }

    /// The reverse proxies trusted to name the client.
    pub fn trusted_proxies(&self) -> &TrustedProxies {
        &self.proxies
    }

    /// Puts `keys` in force for the requests that arrive from now on (the
    /// keys file reread on SIGHUP).
    pub fn replace_keys(&self, keys: KeyRing) {
        self.keys.store(Arc::new(keys));
    }

    /// Who holds `api_key`, if it is a configured key.
    pub fn identify(&self, api_key: Option<&str>) -> Option<KeyHolder> {
        api_key.and_then(|key| self.keys.load().identify(key))
    }

    /// The class and client identity of a request from the client at
    /// `peer` (already resolved through trusted proxies). A key counts by
    /// its id; keyless clients are keyed by [`client_key`]: IPv6 by its
    /// /64.
    pub fn classify(
        &self,
        api_key: Option<&str>,
        peer: Option<std::net::IpAddr>,
    ) -> (Class, ClientId) {
        match self.identify(api_key) {
            Some(holder) => (holder.class, ClientId::Key(holder.id)),
            // An unknown key is no identity: it would let one client pose
            // as many. The address stands for it.
            None => (
                Class::Anonymous,
                peer.map_or(ClientId::Overflow, |ip| ClientId::Ip(client_key(ip))),
            ),
        }
    }

    /// The door's part, as soon as a request's headers are read: the
    /// rate limits, then the caps on requests in flight. The request counts
    /// in flight until the returned value is dropped.
    pub fn enter(
        &self,
        class: Class,
        client: &ClientId,
        connection: Option<ConnectionKey>,
    ) -> Result<InFlight, Refusal> {
        let rank = class.rank();
        if let Err(refusal) = self.rates.check(class, client) {
            self.metrics.rate_limited[rank].increment(1);
            return Err(Refusal::Rate(refusal));
        }
        self.caps.enter(connection, client).map_err(|scope| {
            let scope_index = match scope {
                CapScope::Connection => 0,
                CapScope::Client => 1,
            };
            self.metrics.capped[rank][scope_index].increment(1);
            Refusal::Capped(scope)
        })
    }

    /// The part that waits for a search slot, once the request is whole:
    /// the deadline, then the concurrency limit and its queue. The permit
    /// gives itself back when dropped.
    pub async fn acquire(
        &self,
        class: Class,
        deadline: Option<std::time::Instant>,
    ) -> Result<Permit, Refusal> {
        let rank = class.rank();
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
                Ok(permit)
            }
            Err(shed) => {
                let reason = match shed {
                    Shed::QueueFull => 0,
                    Shed::Waited => 1,
                    Shed::Deadline => 2,
                };
                self.metrics.shed[rank][reason].increment(1);
                Err(Refusal::Shed(shed))
            }
        }
    }

    /// Rate limits, then the deadline and the concurrency limit, for a
    /// caller outside the doors (benchmarks, tests that hold a slot).
    pub async fn admit(
        &self,
        class: Class,
        client: &ClientId,
        deadline: Option<std::time::Instant>,
    ) -> Result<Permit, Refusal> {
        if let Err(refusal) = self.rates.check(class, client) {
            self.metrics.rate_limited[class.rank()].increment(1);
            return Err(Refusal::Rate(refusal));
        }
        self.acquire(class, deadline).await
    }

    /// Gives back the permit of a request that ran to its end (dropping a
    /// permit gives it back too, without learning from its latency).
    pub fn release(&self, permit: Permit) {
        permit.complete();
    }

    /// The limiter's state.
    pub fn snapshot(&self) -> limit::LimitSnapshot {
        self.limiter.snapshot()
    }

    /// Connections and clients with a request in flight.
    pub fn callers_in_flight(&self) -> usize {
        self.caps.tracked()
    }

    /// Clients the rate limiters remember.
    pub fn clients_remembered(&self) -> usize {
        self.rates.clients()
    }

    /// Forgets idle clients of the rate limiters; run every few seconds.
    pub fn housekeeping(&self) {
        self.rates.forget_idle_clients();
    }

    /// How long a refused client should wait before retrying.
    pub fn retry_after(&self, refusal: &Refusal) -> Duration {
        match refusal {
            Refusal::Rate(rate) => rate.retry_after.max(Duration::from_millis(1)),
            // Shed or capped: by the time a second passes, a burst has
            // usually passed too; clients add their own jitter.
            Refusal::Capped(_) | Refusal::Shed(_) => Duration::from_secs(1),
        }
    }

    /// What a client is told of `refusal`.
    pub fn error(&self, refusal: &Refusal) -> LookupError {
        let retry_after = self.retry_after(refusal);
        match refusal {
            Refusal::Rate(_) => LookupError::RateLimited { retry_after },
            Refusal::Capped(scope) => LookupError::TooManyInFlight {
                scope: scope.as_str(),
                retry_after,
            },
            Refusal::Shed(Shed::Deadline) => LookupError::DeadlineExceeded,
            Refusal::Shed(shed) => LookupError::Overloaded {
                reason: shed.as_str(),
                retry_after,
            },
        }
    }
}

/// The admission metrics, registered once.
struct AdmissionMetrics {
    admitted: [Counter; 3],
    queued: [Counter; 3],
    rate_limited: [Counter; 3],
    capped: [[Counter; 2]; 3],
    shed: [[Counter; 3]; 3],
    degraded: Counter,
    queue_delay: Histogram,
    gauges: LimitGauges,
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
            capped: Class::ALL.map(|class| {
                [CapScope::Connection, CapScope::Client].map(|scope| {
                    counter!(
                        "voter_lookup_admission_capped_total",
                        "class" => class.as_str(),
                        "scope" => scope.as_str()
                    )
                })
            }),
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
            gauges: LimitGauges {
                limit: gauge!("voter_lookup_admission_concurrency_limit"),
                in_flight: gauge!("voter_lookup_admission_in_flight"),
                queue_length: gauge!("voter_lookup_admission_queue_length"),
                degraded_mode: gauge!("voter_lookup_admission_degraded_mode"),
            },
        }
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
        // The key counts by its id, never by the key itself.
        let id = crate::privacy::keys::clear_id("desk-key");
        assert_eq!(client, ClientId::Key(Arc::from(id.as_str())));
        let (class, client) = admission.classify(Some("made-up"), peer);
        assert_eq!(class, Class::Anonymous);
        assert_eq!(client, ClientId::Ip("192.0.2.7".parse().unwrap()));
        assert_eq!(Class::from_name("kiosk"), Some(Class::Kiosk));
        assert_eq!(Class::from_name("vip"), None);
    }
}
