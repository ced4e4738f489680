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
//!
//! A [`Permit`] gives itself back when dropped, wherever that happens: in
//! the request that ran, in a grant sent to a waiter that was cancelled
//! before it could receive it, or during a panic. A waiter's place in the
//! queue is likewise given up by its future when dropped. However a
//! request ends, the limiter's counts return to what they were.
//!
//! A share of the limit is reserved for staff: kiosks and anonymous
//! clients together never run more than the limit less that share.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::Gauge;
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
    /// Share of the limit only staff may use (0 to 1, rounded up to whole
    /// requests; the others always keep at least one).
    pub staff_reserve: f64,
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
            staff_reserve: 0.2,
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

/// A right to run one request. Dropping it gives it back; a request that
/// ran to its end says so first with [`Permit::complete`], so that its
/// latency teaches the limit (a cancelled one's would not be a measure).
pub struct Permit {
    /// The limiter to give the permit back to; `None` once given back.
    limiter: Option<Arc<Shared>>,
    class: Class,
    started: Instant,
    completed: bool,
    /// The lookup should run degraded.
    pub degraded: bool,
    /// Time spent waiting in the queue.
    pub waited: Duration,
}

impl Permit {
    /// Gives the permit back after a request that ran to its end.
    pub fn complete(mut self) {
        self.completed = true;
    }

    /// Forgets the limiter without giving the permit back, for the one
    /// caller that already holds the limiter's lock and corrects the
    /// counts itself.
    fn disarm(&mut self) {
        self.limiter = None;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(limiter) = self.limiter.take() {
            limiter.release(self.class, self.started, self.completed);
        }
    }
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit")
            .field("class", &self.class)
            .field("degraded", &self.degraded)
            .field("waited", &self.waited)
            .finish_non_exhaustive()
    }
}

struct Waiter {
    id: u64,
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
    /// Identifier of the next waiter.
    next_waiter: u64,
}

/// The gauges the limiter keeps up to date at every change.
#[derive(Clone)]
pub struct LimitGauges {
    /// The concurrency limit.
    pub limit: Gauge,
    /// Requests running.
    pub in_flight: Gauge,
    /// Requests waiting.
    pub queue_length: Gauge,
    /// 1 while lookups run degraded.
    pub degraded_mode: Gauge,
}

/// The shared limiter; clones share one state.
#[derive(Clone)]
pub struct Limiter {
    shared: Arc<Shared>,
}

struct Shared {
    config: LimitConfig,
    state: Mutex<State>,
    gauges: Option<LimitGauges>,
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
        Limiter::with_gauges(config, None)
    }

    /// A limiter with `config` that keeps `gauges` up to date.
    pub fn with_gauges(config: LimitConfig, gauges: Option<LimitGauges>) -> Limiter {
        let now = Instant::now();
        let shared = Shared {
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
                next_waiter: 0,
            }),
            config,
            gauges,
        };
        shared.publish(&shared.lock());
        Limiter {
            shared: Arc::new(shared),
        }
    }

    /// Admits a request now, queues it, or sheds it. Dropping the future
    /// gives up its place in the queue, and any permit granted to it.
    pub async fn acquire(
        &self,
        class: Class,
        deadline: Option<std::time::Instant>,
    ) -> Result<Permit, Shed> {
        let shared = &self.shared;
        let now = Instant::now();
        let deadline = deadline.map(Instant::from_std);
        let place = {
            let mut state = shared.lock();
            if deadline.is_some_and(|deadline| deadline <= now + state.recent / 2) {
                return Err(Shed::Deadline);
            }
            let queued: usize = state.queues.iter().map(VecDeque::len).sum();
            if queued == 0 && shared.has_room(&state, class) {
                // No wait: a zero in the smoothed queueing delay, so that
                // it falls as soon as requests stop queueing.
                state.queue_delay = state.queue_delay.mul_f64(1.0 - DELAY_SMOOTHING);
                shared.update_brownout(&mut state, now);
                let permit = shared.admit(&mut state, class, now, Duration::ZERO);
                shared.publish(&state);
                return Ok(permit);
            }
            state.last_pressure = now;
            if queued >= shared.config.queue_capacity {
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
            let id = state.next_waiter;
            state.next_waiter = state.next_waiter.wrapping_add(1);
            state.queues[class.rank()].push_back(Waiter {
                id,
                class,
                enqueued: now,
                deadline,
                grant,
            });
            // The room may be there for this class though others wait
            // (staff past waiters that the reserve holds back).
            shared.grant_waiters(&mut state, now);
            shared.publish(&state);
            QueuePlace {
                shared: shared.clone(),
                class,
                id,
                receiver,
            }
        };
        let mut place = place;
        let wait = shared.config.max_queue_wait;
        let timeout = deadline.map_or(wait, |deadline| {
            deadline.saturating_duration_since(now).min(wait)
        });
        match tokio::time::timeout(timeout, &mut place.receiver).await {
            Ok(Ok(outcome)) => outcome,
            // The sender was dropped without an answer: only when the
            // limiter is torn down.
            Ok(Err(_)) => Err(Shed::Waited),
            Err(_) => {
                // Timed out; a permit may have been granted at the same
                // moment: take it rather than lose it.
                place.receiver.close();
                if let Ok(outcome) = place.receiver.try_recv() {
                    return outcome;
                }
                Err(if deadline.is_some_and(|d| d <= Instant::now()) {
                    Shed::Deadline
                } else {
                    Shed::Waited
                })
            }
        }
    }

    /// A snapshot for metrics and tests.
    pub fn snapshot(&self) -> LimitSnapshot {
        self.shared.snapshot()
    }

    #[cfg(test)]
    fn learn(&self, latency: Duration, now: Instant) {
        let mut state = self.shared.lock();
        self.shared.learn(&mut state, latency, now);
    }
}

/// A waiter's place in the queue, held by its `acquire` future: dropped,
/// it leaves the queue and gives back a permit granted but not received.
struct QueuePlace {
    shared: Arc<Shared>,
    class: Class,
    id: u64,
    receiver: oneshot::Receiver<Result<Permit, Shed>>,
}

impl Drop for QueuePlace {
    fn drop(&mut self) {
        // Closed, the channel takes no more grants; one already sent is
        // taken out, and dropped (given back) once the lock is released.
        self.receiver.close();
        let granted = self.receiver.try_recv().ok();
        {
            let mut state = self.shared.lock();
            let queue = &mut state.queues[self.class.rank()];
            if let Some(position) = queue.iter().position(|waiter| waiter.id == self.id) {
                queue.remove(position);
            }
            self.shared.publish(&state);
        }
        drop(granted);
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent counters (every
        // update is a few assignments): keep going with them.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets the gauges from `state`.
    fn publish(&self, state: &State) {
        if let Some(gauges) = &self.gauges {
            gauges.limit.set(state.limit);
            gauges.in_flight.set(state.in_flight as f64);
            gauges
                .queue_length
                .set(state.queues.iter().map(VecDeque::len).sum::<usize>() as f64);
            gauges
                .degraded_mode
                .set(if state.degraded { 1.0 } else { 0.0 });
        }
    }

    /// True when a request of `class` may start now: under the limit and,
    /// for the classes other than staff, under the limit less staff's
    /// reserved share.
    fn has_room(&self, state: &State, class: Class) -> bool {
        if state.in_flight as f64 >= state.limit {
            return false;
        }
        if class == Class::Staff {
            return true;
        }
        let others = state
            .in_flight
            .saturating_sub(state.in_flight_by_class[Class::Staff.rank()]);
        (others as f64) < self.others_limit(state.limit)
    }

    /// The most requests the classes other than staff may run together.
    fn others_limit(&self, limit: f64) -> f64 {
        let reserve = self.config.staff_reserve.clamp(0.0, 1.0);
        if reserve == 0.0 {
            return limit;
        }
        (limit - (limit * reserve).ceil()).max(1.0)
    }

    fn admit(
        self: &Arc<Self>,
        state: &mut State,
        class: Class,
        now: Instant,
        waited: Duration,
    ) -> Permit {
        state.in_flight += 1;
        state.in_flight_by_class[class.rank()] += 1;
        Permit {
            limiter: Some(self.clone()),
            class,
            started: now,
            completed: false,
            degraded: state.degraded,
            waited,
        }
    }

    /// Takes a permit back, learns from its latency if its request ran to
    /// its end, and admits waiters.
    fn release(self: &Arc<Self>, class: Class, started: Instant, completed: bool) {
        let now = Instant::now();
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        let rank = class.rank();
        state.in_flight_by_class[rank] = state.in_flight_by_class[rank].saturating_sub(1);
        if completed {
            self.learn(&mut state, now.saturating_duration_since(started), now);
        }
        self.grant_waiters(&mut state, now);
        self.publish(&state);
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
    fn grant_waiters(self: &Arc<Self>, state: &mut State, now: Instant) {
        while let Some(rank) = self.next_class(state) {
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
            if let Err(Ok(mut permit)) = waiter.grant.send(Ok(permit)) {
                // The waiter gave up just now: its place goes back here,
                // under the lock this function already holds.
                permit.disarm();
                state.in_flight -= 1;
                state.in_flight_by_class[permit.class.rank()] -= 1;
            }
        }
        self.update_brownout(state, now);
    }

    /// The class whose first waiter goes next, among those with room.
    fn next_class(&self, state: &State) -> Option<usize> {
        let limit = state.limit.max(1.0);
        let eligible =
            |rank: usize| !state.queues[rank].is_empty() && self.has_room(state, Class::ALL[rank]);
        let starved = (0..3).find(|&rank| {
            eligible(rank)
                && (state.in_flight_by_class[rank] as f64) < self.config.shares[rank] * limit
        });
        starved.or_else(|| (0..3).find(|&rank| eligible(rank)))
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

    fn snapshot(&self) -> LimitSnapshot {
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
            staff_reserve: 0.0,
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
        first.complete();
        let second = waiting.await.unwrap().unwrap();
        assert!(second.waited >= Duration::from_millis(10));
        // Held past the queue's maximum wait, a waiter is shed.
        let late = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire(Class::Kiosk, None).await })
        };
        tokio::time::advance(Duration::from_millis(60)).await;
        assert_eq!(late.await.unwrap().unwrap_err(), Shed::Waited);
        second.complete();
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
        running.complete();
        let staff = staff.await.unwrap().expect("staff goes first");
        let mut shed = 0;
        staff.complete();
        for kiosk in kiosks {
            match kiosk.await.unwrap() {
                Ok(permit) => permit.complete(),
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

    #[tokio::test(start_paused = true)]
    async fn a_permit_granted_to_a_waiter_cancelled_before_it_received_it_comes_back() {
        let limiter = Limiter::new(config(1));
        let running = limiter.acquire(Class::Staff, None).await.unwrap();
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                limiter
                    .acquire(Class::Kiosk, None)
                    .await
                    .map(Permit::complete)
            })
        };
        tokio::task::yield_now().await;
        assert_eq!(limiter.snapshot().queued, 1);
        // The release grants the waiter its permit, which waits in its
        // channel; the waiter is cancelled before it runs again.
        running.complete();
        waiter.abort();
        assert!(waiter.await.unwrap_err().is_cancelled());
        let snapshot = limiter.snapshot();
        assert_eq!((snapshot.in_flight, snapshot.queued), (0, 0));
        let again = limiter.acquire(Class::Anonymous, None).await;
        assert!(again.is_ok(), "the slot is free again");
    }

    #[tokio::test(start_paused = true)]
    async fn kiosks_and_anonymous_clients_never_take_the_staff_reserve() {
        let limiter = Limiter::new(LimitConfig {
            staff_reserve: 0.25,
            ..config(4)
        });
        let mut others = Vec::new();
        for class in [Class::Kiosk, Class::Anonymous, Class::Kiosk] {
            others.push(limiter.acquire(class, None).await.unwrap());
        }
        let waiting = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire(Class::Anonymous, None).await })
        };
        tokio::task::yield_now().await;
        let snapshot = limiter.snapshot();
        assert_eq!(
            (snapshot.in_flight, snapshot.queued),
            (3, 1),
            "the fourth slot is kept for staff"
        );
        // Staff get it at once, though others wait.
        let staff = limiter.acquire(Class::Staff, None).await.unwrap();
        assert_eq!(staff.waited, Duration::ZERO);
        assert_eq!(limiter.snapshot().in_flight, 4);
        // A slot of the others' share freed goes to the waiting client.
        others.pop().unwrap().complete();
        assert!(waiting.await.unwrap().is_ok());
    }

    /// xorshift64*: random timings, the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
        }
    }

    /// Thousands of requests cancelled at random points — before their
    /// first poll, while queued, between a grant and its receipt, while
    /// running — or panicking, or timing out in the queue: every permit
    /// and every queue place comes back.
    #[tokio::test(start_paused = true)]
    async fn permits_and_queue_places_come_back_however_requests_end() {
        let limiter = Limiter::new(LimitConfig {
            max_queue_wait: Duration::from_millis(3),
            queue_capacity: 5,
            staff_reserve: 0.34,
            ..config(3)
        });
        let mut rng = Rng(0x5eed_1234_abcd_0042);
        let mut outcomes = [0usize; 4];
        for round in 0..1_500 {
            let mut tasks = Vec::new();
            for _ in 0..1 + rng.below(8) {
                let limiter = limiter.clone();
                let class = Class::ALL[rng.below(3) as usize];
                let hold = Duration::from_micros(rng.below(4_000));
                let deadline = (rng.below(4) == 0)
                    .then(|| (Instant::now() + Duration::from_micros(rng.below(6_000))).into_std());
                let complete = rng.below(2) == 0;
                // A few panics only: each one prints its message.
                let panics = round % 150 == 7 && rng.below(2) == 0;
                tasks.push(tokio::spawn(async move {
                    let permit = limiter.acquire(class, deadline).await?;
                    tokio::time::sleep(hold).await;
                    assert!(!panics, "a search that panics while it holds its permit");
                    if complete {
                        permit.complete();
                    }
                    Ok::<(), Shed>(())
                }));
            }
            for task in &tasks {
                match rng.below(5) {
                    0 => task.abort(),
                    1 => {
                        tokio::task::yield_now().await;
                        task.abort();
                    }
                    2 => {
                        tokio::time::advance(Duration::from_micros(rng.below(5_000))).await;
                        task.abort();
                    }
                    _ => {}
                }
            }
            for task in tasks {
                let outcome = match task.await {
                    Ok(Ok(())) => 0,
                    Ok(Err(_)) => 1,
                    Err(error) if error.is_cancelled() => 2,
                    Err(_) => 3,
                };
                outcomes[outcome] += 1;
            }
            let snapshot = limiter.snapshot();
            assert_eq!(
                (snapshot.in_flight, snapshot.queued),
                (0, 0),
                "round {round}: {snapshot:?}"
            );
        }
        assert!(
            outcomes.iter().all(|&count| count > 0),
            "served, shed, cancelled and panicked all occurred: {outcomes:?}"
        );
        let permit = limiter.acquire(Class::Anonymous, None).await;
        assert!(permit.is_ok(), "the limiter still admits");
    }

    #[test]
    fn the_limit_shrinks_when_latency_rises_and_grows_when_it_holds() {
        let limiter = Limiter::new(LimitConfig {
            initial_limit: 16,
            ..LimitConfig::default()
        });
        let now = Instant::now();
        for _ in 0..50 {
            limiter.learn(Duration::from_micros(200), now);
        }
        let steady = limiter.snapshot().limit;
        assert!(
            steady > 16.0,
            "latency holding: the limit probes upwards ({steady})"
        );
        for _ in 0..200 {
            limiter.learn(Duration::from_millis(5), now);
        }
        let loaded = limiter.snapshot().limit;
        assert!(
            loaded < steady / 2.0,
            "latency 25x the minimum: the limit falls ({loaded})"
        );
    }
}
