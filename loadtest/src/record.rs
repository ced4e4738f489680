//! What happened to each request: outcome counts, HDR latency histograms
//! per class and overall, and a per-second timeline.
//!
//! Latency is measured from the request's *intended* send time (the time
//! the schedule gave it), not from the moment the harness got round to
//! sending it: a stalled server, or a harness that fell behind, shows up as
//! latency instead of vanishing from the numbers (coordinated omission
//! corrected). The service time from the actual send is kept beside it, for
//! comparison with closed-loop tools.
//!
//! Every arrival of the schedule ends in exactly one count: `ok`,
//! `degraded`, `shed`, `rate_limited`, `error` or `not_sent`.
//!
//! In the timeline, a second holds the requests *scheduled* in it (their
//! outcomes, latency and lateness), except `achieved`, which counts the
//! requests that *finished* in it: the rate the server got through.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Highest latency a histogram holds (one hour); longer ones are clamped.
const HIGHEST_MICROS: u64 = 3_600_000_000;

/// A request sent later than this after its intended time counts as late.
pub const LATE_AFTER: Duration = Duration::from_millis(10);

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A successful answer in full mode (HTTP 200, gRPC OK).
    Ok,
    /// A successful answer from the server's cheaper overload mode
    /// (`degraded: true`).
    Degraded,
    /// Refused to keep the server responsive: HTTP 503 `overloaded` or
    /// gRPC UNAVAILABLE for overload, or the server's deadline passed
    /// (504 / DEADLINE_EXCEEDED).
    Shed,
    /// The client's rate was exceeded: HTTP 429, gRPC RESOURCE_EXHAUSTED.
    RateLimited,
    /// Anything else.
    Error(ErrorCause),
}

/// Why a request counted as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorCause {
    /// An HTTP status other than 200, 429, 503 `overloaded` and 504.
    HttpStatus(u16),
    /// HTTP 503 `index_not_ready`, or the gRPC equivalent: the server has
    /// no index to search.
    IndexNotReady,
    /// A gRPC status code other than OK and those that mean shed or rate
    /// limited.
    GrpcStatus(i32),
    /// The connection failed or broke, or the answer could not be read.
    Transport,
    /// No answer within the harness's own deadline.
    Timeout,
    /// Still unanswered when the run had to end.
    Unfinished,
}

impl fmt::Display for ErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorCause::HttpStatus(status) => write!(f, "http {status}"),
            ErrorCause::IndexNotReady => f.write_str("index not ready"),
            ErrorCause::GrpcStatus(code) => {
                write!(f, "grpc {:?}", tonic::Code::from_i32(code))
            }
            ErrorCause::Transport => f.write_str("transport"),
            ErrorCause::Timeout => f.write_str("timeout (harness deadline)"),
            ErrorCause::Unfinished => f.write_str("unfinished at the end of the run"),
        }
    }
}

/// Requests by how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Answered in full.
    pub ok: u64,
    /// Answered in degraded mode.
    pub degraded: u64,
    /// Shed by the server.
    pub shed: u64,
    /// Refused by the server's rate limit.
    pub rate_limited: u64,
    /// Failed otherwise.
    pub error: u64,
    /// Due, but never sent before the run ended (the harness fell behind).
    pub not_sent: u64,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Degraded => self.degraded += 1,
            Outcome::Shed => self.shed += 1,
            Outcome::RateLimited => self.rate_limited += 1,
            Outcome::Error(_) => self.error += 1,
        }
    }

    /// Every request counted.
    pub fn total(&self) -> u64 {
        self.answered() + self.failed()
    }

    /// Requests that got a useful answer (`ok` and `degraded`).
    pub fn answered(&self) -> u64 {
        self.ok + self.degraded
    }

    /// Requests that did not: shed, rate limited, errors, never sent.
    pub fn failed(&self) -> u64 {
        self.shed + self.rate_limited + self.error + self.not_sent
    }

    /// Requests that were sent and finished, whatever their outcome.
    pub fn finished(&self) -> u64 {
        self.total() - self.not_sent
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Highest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Requests measured.
    pub samples: u64,
}

impl Latency {
    /// The percentiles of a histogram of microseconds.
    pub fn of<T: hdrhistogram::Counter>(histogram: &Histogram<T>) -> Latency {
        if histogram.is_empty() {
            return Latency::default();
        }
        let ms = |micros: u64| micros as f64 / 1_000.0;
        // Microsecond precision is all the histograms hold.
        let mean_ms = (histogram.mean()).round() / 1_000.0;
        Latency {
            p50: ms(histogram.value_at_quantile(0.50)),
            p90: ms(histogram.value_at_quantile(0.90)),
            p99: ms(histogram.value_at_quantile(0.99)),
            p999: ms(histogram.value_at_quantile(0.999)),
            max: ms(histogram.max()),
            mean: mean_ms,
            samples: histogram.len(),
        }
    }
}

fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_MICROS, 3).expect("valid histogram bounds")
}

fn second_histogram() -> Histogram<u32> {
    // Two significant digits are plenty for a chart and keep a second's
    // histogram at about 13 KB.
    Histogram::new_with_bounds(1, HIGHEST_MICROS, 2).expect("valid histogram bounds")
}

fn micros(duration: Duration) -> u64 {
    (duration.as_micros() as u64).clamp(1, HIGHEST_MICROS)
}

/// One class's or the whole run's figures.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Scheduled requests (each ends in one of `counts`).
    pub offered: u64,
    /// How they ended.
    pub counts: Counts,
    /// Latency from the intended send time, in microseconds.
    pub latency: Histogram<u64>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            offered: 0,
            counts: Counts::default(),
            latency: latency_histogram(),
        }
    }
}

/// One second of the run.
#[derive(Debug, Clone, Default)]
pub struct Second {
    /// Requests scheduled in this second.
    pub offered: u64,
    /// Requests that finished in this second (any outcome).
    pub achieved: u64,
    /// Outcomes of the requests scheduled in this second.
    pub counts: Counts,
    /// Of the requests scheduled in this second, those sent late.
    pub late: u64,
    /// Latency of the requests scheduled in this second, in microseconds.
    pub latency: Option<Histogram<u32>>,
}

/// Collects what happens during a run. Times are offsets from its start.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// Per class, in the order of the classes.
    pub classes: Vec<Stats>,
    /// The whole run.
    pub overall: Stats,
    /// Latency from the actual send (not corrected), microseconds.
    pub service: Histogram<u64>,
    /// How late requests were sent, microseconds.
    pub lag: Histogram<u64>,
    /// Requests sent more than [`LATE_AFTER`] after their time.
    pub late: u64,
    /// Times the dispatcher found every in-flight slot taken and had to
    /// wait for one.
    pub slot_waits: u64,
    /// Errors by cause.
    pub errors: BTreeMap<ErrorCause, u64>,
    /// Per second from the start.
    pub timeline: Vec<Second>,
    /// Sent and not finished yet.
    pub in_flight: u64,
}

impl Recorder {
    /// A recorder for `classes` classes.
    pub fn new(classes: usize) -> Recorder {
        Recorder {
            classes: vec![Stats::default(); classes],
            overall: Stats::default(),
            service: latency_histogram(),
            lag: latency_histogram(),
            late: 0,
            slot_waits: 0,
            errors: BTreeMap::new(),
            timeline: Vec::new(),
            in_flight: 0,
        }
    }

    fn second(&mut self, at: Duration) -> &mut Second {
        let index = at.as_secs() as usize;
        if self.timeline.len() <= index {
            self.timeline.resize_with(index + 1, Second::default);
        }
        &mut self.timeline[index]
    }

    /// A request of `class` due at `intended` is being sent.
    pub fn sent(&mut self, class: usize, intended: Duration) {
        self.classes[class].offered += 1;
        self.overall.offered += 1;
        self.second(intended).offered += 1;
        self.in_flight += 1;
    }

    /// The request of `class` due at `intended`, actually sent at `sent`,
    /// finished at `done` with `outcome`.
    pub fn finished(
        &mut self,
        class: usize,
        intended: Duration,
        sent: Duration,
        done: Duration,
        outcome: Outcome,
    ) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let latency = micros(done.saturating_sub(intended));
        let lag = sent.saturating_sub(intended);
        let late = lag > LATE_AFTER;
        for stats in [&mut self.classes[class], &mut self.overall] {
            stats.counts.add(outcome);
            stats.latency.saturating_record(latency);
        }
        self.service
            .saturating_record(micros(done.saturating_sub(sent)));
        self.lag.saturating_record(micros(lag));
        if late {
            self.late += 1;
        }
        if let Outcome::Error(cause) = outcome {
            *self.errors.entry(cause).or_default() += 1;
        }
        let second = self.second(intended);
        second.counts.add(outcome);
        second.late += u64::from(late);
        second
            .latency
            .get_or_insert_with(second_histogram)
            .saturating_record(latency);
        self.second(done).achieved += 1;
    }

    /// The request of `class` due at `intended` was never sent: the run
    /// ended first.
    pub fn not_sent(&mut self, class: usize, intended: Duration) {
        for stats in [&mut self.classes[class], &mut self.overall] {
            stats.offered += 1;
            stats.counts.not_sent += 1;
        }
        let second = self.second(intended);
        second.offered += 1;
        second.counts.not_sent += 1;
    }

    /// Sent requests that never finished (counted as errors when the run
    /// gives up waiting for them). Their class is unknown at that point, so
    /// they count in the overall figures only.
    pub fn unfinished(&mut self, count: u64) {
        if count == 0 {
            return;
        }
        self.overall.counts.error += count;
        *self.errors.entry(ErrorCause::Unfinished).or_default() += count;
        self.in_flight = self.in_flight.saturating_sub(count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn latency_counts_from_the_intended_time() {
        let mut recorder = Recorder::new(2);
        recorder.sent(0, ms(100));
        // Sent 400 ms late (the harness or the server stalled), answered in
        // 1 ms: the latency is 401 ms, the service time 1 ms.
        recorder.finished(0, ms(100), ms(500), ms(501), Outcome::Ok);
        let latency = Latency::of(&recorder.overall.latency);
        assert!((latency.max - 401.0).abs() < 0.5, "{latency:?}");
        let service = Latency::of(&recorder.service);
        assert!((service.max - 1.0).abs() < 0.01, "{service:?}");
        assert_eq!(recorder.late, 1);
        assert_eq!(recorder.timeline[0].late, 1);
        assert_eq!(recorder.in_flight, 0);
    }

    #[test]
    fn every_arrival_lands_in_one_count_and_one_second() {
        let mut recorder = Recorder::new(2);
        let outcomes = [
            Outcome::Ok,
            Outcome::Degraded,
            Outcome::Shed,
            Outcome::RateLimited,
            Outcome::Error(ErrorCause::HttpStatus(500)),
            Outcome::Error(ErrorCause::Timeout),
        ];
        for (i, outcome) in outcomes.into_iter().enumerate() {
            let intended = ms(900 + i as u64 * 50);
            recorder.sent(i % 2, intended);
            recorder.finished(i % 2, intended, intended, intended + ms(20), outcome);
        }
        recorder.not_sent(1, ms(2_500));
        let counts = recorder.overall.counts;
        assert_eq!(
            counts,
            Counts {
                ok: 1,
                degraded: 1,
                shed: 1,
                rate_limited: 1,
                error: 2,
                not_sent: 1
            }
        );
        assert_eq!(counts.total(), 7);
        assert_eq!(recorder.overall.offered, 7);
        assert_eq!(recorder.classes[0].offered + recorder.classes[1].offered, 7);
        assert_eq!(counts.answered(), 2);
        assert_eq!(counts.failed(), 5);
        assert_eq!(counts.finished(), 6);
        // Scheduled at 0.90 and 0.95 s, the rest in second 1; the first
        // finishes in second 0, the second (0.95 + 0.02) too.
        assert_eq!(recorder.timeline[0].offered, 2);
        assert_eq!(recorder.timeline[1].offered, 4);
        assert_eq!(recorder.timeline[2].offered, 1);
        assert_eq!(recorder.timeline[2].counts.not_sent, 1);
        assert_eq!(recorder.timeline[0].achieved, 2);
        assert_eq!(recorder.timeline[1].achieved, 4);
        assert_eq!(recorder.errors[&ErrorCause::HttpStatus(500)], 1);
        assert_eq!(ErrorCause::GrpcStatus(13).to_string(), "grpc Internal");
    }
}
