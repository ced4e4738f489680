//! Admission by an adaptive concurrency limit with a short, priority-ordered
//! queue.
//!
//! The limit is found, not configured: like TCP Vegas and Netflix's
//! gradient limiters, it compares the latency measured now with the best
//! latency seen recently (the latency of an unloaded server). While they
//! agree, the limit grows; when work starts to wait on the CPU, latency
//! rises above the minimum and the limit shrinks in proportion. Requests
//! over the limit wait in a queue ordered by class (staff, then kiosks,
//! then anonymous), each class keeping a protected share of the limit;
//! nobody waits longer than the queue's maximum delay (CoDel's lesson: a
//! queue must drain, or it only adds latency), nor past their deadline,
//! nor in a queue already full — the lowest class waiting is shed first.
//!
//! Under sustained queueing the limiter turns on brownout: lookups run in
//! their cheaper degraded mode until the queue stays empty again.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::oneshot;

use super::Class;

/// Settings of the limiter.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitConfig {
    /// Smallest concurrency limit.
    pub min_limit: usize,
    /// Largest concurrency limit.
    pub max_limit: usize,
    /// Limit at start.
    pub initial_limit: usize,
    /// Longest a request may wait in the queue.
    pub max_queue_wait: Duration,
    /// Most requests waiting at once.
    pub queue_capacity: usize,
    /// Queue delay (smoothed) above which lookups are degraded.
    pub brownout_delay: Duration,
    /// Share of the limit each class keeps when others compete for it
    /// (staff, kiosk, anonymous).
    pub shares: [f64; 3],
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            min_limit: 1,
            max_limit: 64,
            initial_limit: 4,
            // A few times the full-mode p99 of one search: long enough to
            // ride out a burst, short enough that under overload a request
            // is shed rather than kept waiting (BENCHMARKS.md, Overload).
            max_queue_wait: Duration::from_millis(10),
            queue_capacity: 128,
            brownout_delay: Duration::from_millis(4),
            shares: [0.6, 0.3, 0.1],
        }
    }
}

/// Why a request was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shed {
    /// The queue was full of requests of its class or higher.
    QueueFull,
    /// It waited the queue's maximum delay.
    Waited,
    /// Its deadline passed, or would before it could be served.
    Deadline,
}

impl Shed {
    /// Label for metrics and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Shed::QueueFull => "queue_full",
            Shed::Waited => "queue_timeout",
            Shed::Deadline => "deadline",
        }
    }
}

/// A right to run one request; give it back with [`Limiter::release`].
#[derive(Debug)]
pub struct Permit {
    class: Class,
    started: Instant,
    /// The lookup should run degraded.
    pub degraded: bool,
    /// Time spent waiting in the queue.
    pub waited: Duration,
}

struct Waiter {
    class: Class,
    enqueued: Instant,
    deadline: Option<Instant>,
    grant: oneshot::Sender<Result<Permit, Shed>>,
}

struct State {
    limit: f64,
    in_flight: usize,
    in_flight_by_class: [usize; 3],
    queues: [VecDeque<Waiter>; 3],
    /// Smallest latency in the current window, and the previous window's.
    window_min: Duration,
    previous_min: Duration,
    window_started: Instant,
    /// Smoothed latency of recent requests.
    recent: Duration,
    /// Smoothed time requests spent queued.
    queue_delay: Duration,
    degraded: bool,
    last_pressure: Instant,
}

/// The shared limiter.
pub struct Limiter {
    config: LimitConfig,
    state: Mutex<State>,
}

/// How long the minimum latency is remembered: long enough to outlast a
/// burst, short enough to follow a slower index or machine.
const MIN_WINDOW: Duration = Duration::from_secs(10);
/// Weight of a new latency sample in the smoothed latency.
const SMOOTHING: f64 = 0.05;
/// Weight of a new sample in the smoothed queueing delay, which averages
/// the waits of all admitted requests (zero for those that did not wait).
const DELAY_SMOOTHING: f64 = 0.2;
/// How long the queue must stay calm before brownout ends, whatever the
/// smoothed delay says.
const CALM: Duration = Duration::from_millis(500);

impl Limiter {
    /// A limiter with `config`.
    pub fn new(config: LimitConfig) -> Limiter {
        let now = Instant::now();
        Limiter {
            state: Mutex::new(State {
                limit: config
                    .initial_limit
                    .clamp(config.min_limit, config.max_limit) as f64,
                in_flight: 0,
                in_flight_by_class: [0; 3],
                queues: Default::default(),
                window_min: Duration::MAX,
                previous_min: Duration::MAX,
                window_started: now,
                recent: Duration::ZERO,
                queue_delay: Duration::ZERO,
                degraded: false,
                last_pressure: now - CALM,
            }),
            config,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent counters (every
        // update is a few assignments): keep going with them.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Admits a request now, queues it, or sheds it.
    pub async fn acquire(
        &self,
        class: Class,
        deadline: Option<std::time::Instant>,
    ) -> Result<Permit, Shed> {
        let now = Instant::now();
        let deadline = deadline.map(Instant::from_std);
        let receiver = {
            let mut state = self.lock();
            if deadline.is_some_and(|deadline| deadline <= now + state.recent / 2) {
                return Err(Shed::Deadline);
            }
            let queued: usize = state.queues.iter().map(VecDeque::len).sum();
            if queued == 0 && (state.in_flight as f64) < state.limit {
                // No wait: a zero in the smoothed queueing delay, so that
                // it falls as soon as requests stop queueing.
                state.queue_delay = state.queue_delay.mul_f64(1.0 - DELAY_SMOOTHING);
                self.update_brownout(&mut state, now);
                return Ok(self.admit(&mut state, class, now, Duration::ZERO));
            }
            state.last_pressure = now;
            if queued >= self.config.queue_capacity {
                // Make room by shedding the newest of a lower class, if any.
                let lower = (class.rank() + 1..3)
                    .rev()
                    .find(|&rank| !state.queues[rank].is_empty());
                match lower {
                    Some(rank) => {
                        if let Some(victim) = state.queues[rank].pop_back() {
                            let _ = victim.grant.send(Err(Shed::QueueFull));
                        }
                    }
                    None => return Err(Shed::QueueFull),
                }
            }
            let (grant, receiver) = oneshot::channel();
            state.queues[class.rank()].push_back(Waiter {
                class,
                enqueued: now,
                deadline,
                grant,
            });
            receiver
        };
        let mut receiver = receiver;
        let wait = self.config.max_queue_wait;
        let timeout = deadline.map_or(wait, |deadline| {
            deadline.saturating_duration_since(now).min(wait)
        });
        match tokio::time::timeout(timeout, &mut receiver).await {
            Ok(Ok(outcome)) => outcome,
            // The sender was dropped: only when the limiter is torn down.
            Ok(Err(_)) => Err(Shed::Waited),
            Err(_) => {
                // Timed out; a permit may have been granted at the same
                // moment: take it rather than lose it.
                receiver.close();
                if let Ok(outcome) = receiver.try_recv() {
                    return outcome;
                }
                self.sweep();
                Err(if deadline.is_some_and(|d| d <= Instant::now()) {
                    Shed::Deadline
                } else {
                    Shed::Waited
                })
            }
        }
    }

    fn admit(&self, state: &mut State, class: Class, now: Instant, waited: Duration) -> Permit {
        state.in_flight += 1;
        state.in_flight_by_class[class.rank()] += 1;
        let degraded = state.degraded;
        Permit {
            class,
            started: now,
            degraded,
            waited,
        }
    }

    /// Gives a permit back, learns from its latency, and admits waiters.
    pub fn release(&self, permit: Permit) {
        let now = Instant::now();
        let latency = now.saturating_duration_since(permit.started);
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        let class = permit.class.rank();
        state.in_flight_by_class[class] = state.in_flight_by_class[class].saturating_sub(1);
        self.learn(&mut state, latency, now);
        self.grant_waiters(&mut state, now);
    }

    /// Adjusts the limit from one latency sample (a gradient rule).
    fn learn(&self, state: &mut State, latency: Duration, now: Instant) {
        if now.saturating_duration_since(state.window_started) > MIN_WINDOW {
            state.previous_min = state.window_min;
            state.window_min = Duration::MAX;
            state.window_started = now;
        }
        state.window_min = state.window_min.min(latency);
        state.recent = if state.recent.is_zero() {
            latency
        } else {
            state.recent.mul_f64(1.0 - SMOOTHING) + latency.mul_f64(SMOOTHING)
        };
        let best = state.window_min.min(state.previous_min);
        if best == Duration::MAX || state.recent.is_zero() {
            return;
        }
        // Below 1 when requests take longer than unloaded ones: they wait
        // on the CPU. A little headroom (the square root of the limit) lets
        // the limit probe upwards when latency holds.
        let gradient = (best.as_secs_f64() / state.recent.as_secs_f64()).clamp(0.5, 1.0);
        let headroom = state.limit.sqrt();
        let target = state.limit * gradient + headroom;
        let next = state.limit * 0.9 + target * 0.1;
        state.limit = next.clamp(self.config.min_limit as f64, self.config.max_limit as f64);
    }

    /// Admits queued requests while there is room: the class furthest
    /// below its protected share first, else the highest class; drops the
    /// ones whose deadline or waiting time ran out.
    fn grant_waiters(&self, state: &mut State, now: Instant) {
        while (state.in_flight as f64) < state.limit {
            let Some(rank) = self.next_class(state) else {
                break;
            };
            let Some(waiter) = state.queues[rank].pop_front() else {
                break;
            };
            let waited = now.saturating_duration_since(waiter.enqueued);
            if waiter.deadline.is_some_and(|deadline| deadline <= now) {
                let _ = waiter.grant.send(Err(Shed::Deadline));
                continue;
            }
            if waited > self.config.max_queue_wait {
                let _ = waiter.grant.send(Err(Shed::Waited));
                continue;
            }
            state.queue_delay =
                state.queue_delay.mul_f64(1.0 - DELAY_SMOOTHING) + waited.mul_f64(DELAY_SMOOTHING);
            // A request that had to wait already runs degraded when the
            // queue is slow.
            self.update_brownout(state, now);
            let permit = self.admit(state, waiter.class, now, waited);
            if let Err(Ok(permit)) = waiter.grant.send(Ok(permit)) {
                // The waiter gave up just now: its place goes back.
                state.in_flight -= 1;
                state.in_flight_by_class[permit.class.rank()] -= 1;
            }
        }
        self.update_brownout(state, now);
    }

    fn next_class(&self, state: &State) -> Option<usize> {
        let limit = state.limit.max(1.0);
        let starved = (0..3).find(|&rank| {
            !state.queues[rank].is_empty()
                && (state.in_flight_by_class[rank] as f64) < self.config.shares[rank] * limit
        });
        starved.or_else(|| (0..3).find(|&rank| !state.queues[rank].is_empty()))
    }

    /// Brownout turns on when the smoothed queueing delay passes its
    /// threshold, and off when it has fallen under half of it (the gap
    /// keeps the mode from flapping) or no request has had to queue for a
    /// while.
    fn update_brownout(&self, state: &mut State, now: Instant) {
        if state.queues.iter().any(|queue| !queue.is_empty()) {
            state.last_pressure = now;
        }
        let threshold = self.config.brownout_delay;
        if !state.degraded && state.queue_delay > threshold {
            state.degraded = true;
        } else if state.degraded
            && (state.queue_delay < threshold / 2
                || now.saturating_duration_since(state.last_pressure) > CALM)
        {
            state.degraded = false;
            state.queue_delay = Duration::ZERO;
        }
    }

    /// Sheds queued requests that waited too long (called when a waiter
    /// times out, so a stalled queue still drains).
    fn sweep(&self) {
        let now = Instant::now();
        let mut state = self.lock();
        for queue in &mut state.queues {
            while let Some(front) = queue.front() {
                let expired = now.saturating_duration_since(front.enqueued)
                    > self.config.max_queue_wait
                    || front.deadline.is_some_and(|deadline| deadline <= now);
                if !expired {
                    break;
                }
                if let Some(waiter) = queue.pop_front() {
                    let _ = waiter.grant.send(Err(Shed::Waited));
                }
            }
        }
        self.update_brownout(&mut state, now);
    }

    /// A snapshot for metrics and tests.
    pub fn snapshot(&self) -> LimitSnapshot {
        let state = self.lock();
        LimitSnapshot {
            limit: state.limit,
            in_flight: state.in_flight,
            queued: state.queues.iter().map(VecDeque::len).sum(),
            queue_delay: state.queue_delay,
            degraded: state.degraded,
        }
    }
}

/// The limiter's state at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitSnapshot {
    /// Current concurrency limit.
    pub limit: f64,
    /// Requests running.
    pub in_flight: usize,
    /// Requests waiting.
    pub queued: usize,
    /// Smoothed queueing delay.
    pub queue_delay: Duration,
    /// Lookups run degraded.
    pub degraded: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(limit: usize) -> LimitConfig {
        LimitConfig {
            min_limit: limit,
            max_limit: limit,
            initial_limit: limit,
            max_queue_wait: Duration::from_millis(50),
            queue_capacity: 4,
            brownout_delay: Duration::from_millis(1),
            shares: [0.6, 0.3, 0.1],
        }
    }

    #[tokio::test(start_paused = true)]
    async fn admits_up_to_the_limit_then_queues_then_sheds() {
        let limiter = std::sync::Arc::new(Limiter::new(config(1)));
        let first = limiter.acquire(Class::Staff, None).await.unwrap();
        assert_eq!(limiter.snapshot().in_flight, 1);
        // The next one waits; released in time, it runs.
        let waiting = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire(Class::Kiosk, None).await })
        };
        tokio::task::yield_now().await;
        assert_eq!(limiter.snapshot().queued, 1);
        tokio::time::advance(Duration::from_millis(10)).await;
        limiter.release(first);
        let second = waiting.await.unwrap().unwrap();
        assert!(second.waited >= Duration::from_millis(10));
        // Held past the queue's maximum wait, a waiter is shed.
        let late = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire(Class::Kiosk, None).await })
        };
        tokio::time::advance(Duration::from_millis(60)).await;
        assert_eq!(late.await.unwrap().unwrap_err(), Shed::Waited);
        limiter.release(second);
        assert_eq!(limiter.snapshot().in_flight, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_sheds_the_lowest_class_first() {
        let limiter = std::sync::Arc::new(Limiter::new(config(1)));
        let running = limiter.acquire(Class::Staff, None).await.unwrap();
        let mut kiosks = Vec::new();
        for _ in 0..4 {
            let limiter = limiter.clone();
            kiosks.push(tokio::spawn(async move {
                limiter.acquire(Class::Kiosk, None).await
            }));
        }
        tokio::task::yield_now().await;
        assert_eq!(limiter.snapshot().queued, 4);
        // A staff request arriving at a full queue takes a kiosk's place.
        let staff = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire(Class::Staff, None).await })
        };
        tokio::task::yield_now().await;
        // Another kiosk finds no lower class to displace.
        assert_eq!(
            limiter.acquire(Class::Kiosk, None).await.unwrap_err(),
            Shed::QueueFull
        );
        limiter.release(running);
        let staff = staff.await.unwrap().expect("staff goes first");
        let mut shed = 0;
        limiter.release(staff);
        for kiosk in kiosks {
            match kiosk.await.unwrap() {
                Ok(permit) => limiter.release(permit),
                Err(Shed::QueueFull) => shed += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(shed, 1, "exactly one kiosk made room for the staff request");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_past_its_deadline_is_never_started() {
        let limiter = Limiter::new(config(2));
        let passed = std::time::Instant::now();
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(
            limiter
                .acquire(Class::Staff, Some(passed))
                .await
                .unwrap_err(),
            Shed::Deadline
        );
        assert_eq!(limiter.snapshot().in_flight, 0);
    }

    #[test]
    fn the_limit_shrinks_when_latency_rises_and_grows_when_it_holds() {
        let limiter = Limiter::new(LimitConfig {
            initial_limit: 16,
            ..LimitConfig::default()
        });
        let now = Instant::now();
        {
            let mut state = limiter.lock();
            for _ in 0..50 {
                limiter.learn(&mut state, Duration::from_micros(200), now);
            }
        }
        let steady = limiter.snapshot().limit;
        assert!(
            steady > 16.0,
            "latency holding: the limit probes upwards ({steady})"
        );
        {
            let mut state = limiter.lock();
            for _ in 0..200 {
                limiter.learn(&mut state, Duration::from_millis(5), now);
            }
        }
        let loaded = limiter.snapshot().limit;
        assert!(
            loaded < steady / 2.0,
            "latency 25x the minimum: the limit falls ({loaded})"
        );
    }
}
