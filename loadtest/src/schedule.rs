//! When requests are due: the open-loop arrival process, and the load
//! profiles that shape it over the run.
//!
//! A [`Plan`] is a rate over time, piecewise linear: each [`Segment`] holds
//! a rate or ramps from one rate to another. Its cumulative intensity
//! Λ(t) = ∫ rate says how many requests are due by time t. Arrival `k` is
//! the time at which Λ reaches a target: `k + 0.5` for evenly spaced
//! arrivals (so a constant 100 req/s for 2 s gives exactly 200 requests,
//! 10 ms apart), or the running sum of unit exponential draws for Poisson
//! arrivals (a Poisson process of the same varying rate). Steps and ramps
//! need nothing special: a step is two segments at different rates.
//!
//! A [`Profile`] is a plan written down with shares instead of numbers, so
//! that one shape fits any run: `--duration` scales its durations and
//! `--rate` (the peak) its rates. The built-in `election-morning` profile is
//! written in the same text format as a profile file
//! ([`ELECTION_MORNING`]).
//!
//! Nothing here reads a clock. [`Pacer`] tells the dispatcher, for a given
//! time since the start, which arrival is due and whether it is late; tests
//! drive it with made-up times.

use std::time::Duration;

use rand::Rng;
use voter_core::queries::{QueryRng, SeedableRng};

use crate::units::parse_duration;

/// The built-in `election-morning` profile: a polling day from before the
/// doors open to the close, compressed into `--duration`, with rates as
/// shares of `--rate` (the peak, reached in the evening rush).
pub const ELECTION_MORNING: &str = "\
# election-morning: a polling day compressed into --duration;
# durations are shares of --duration, rates shares of --rate (the peak).
# duration  rate          what happens
6%          3%            # before 8:00: desks open their sessions, a few checks
14%         60%           # 8:00 step: the doors open on a queue
20%         40%           # morning plateau
4%          40%..75%      # lunchtime bump builds
8%          75%           # lunchtime bump
4%          75%..40%      # and fades
18%         40%           # afternoon plateau
6%          40%..100%     # evening rush builds
14%         100%          # evening rush: the peak
6%          100%..10%     # last voters before the close
";

/// Why a profile or plan was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// A line could not be read.
    #[error("{source_name}:{line}: {message}")]
    Line {
        /// The profile's name or file.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The profile as a whole does not fit the run.
    #[error("profile {source_name}: {message}")]
    Profile {
        /// The profile's name or file.
        source_name: String,
        /// What is wrong.
        message: String,
    },
}

/// A length of time in a profile: a share of the run or a fixed time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Span {
    /// A share of `--duration` (0.1 for `10%`).
    Share(f64),
    /// A fixed number of seconds.
    Seconds(f64),
}

/// A rate in a profile: a share of the peak or requests per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    /// A share of `--rate` (0.6 for `60%`).
    Share(f64),
    /// Requests per second.
    PerSecond(f64),
}

/// One line of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileStep {
    /// How long it lasts.
    pub span: Span,
    /// The rate at its start.
    pub from: Level,
    /// The rate at its end (the same as `from` for a plateau).
    pub to: Level,
}

/// A load profile as written: durations and rates, possibly relative.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `election-morning` or the file it came from.
    pub name: String,
    /// Its lines, in order.
    pub steps: Vec<ProfileStep>,
}

impl Profile {
    /// The built-in `election-morning` profile.
    pub fn election_morning() -> Profile {
        Profile::parse("election-morning", ELECTION_MORNING)
            .expect("the built-in profile is well formed")
    }

    /// Reads a profile: one step a line, `DURATION RATE` for a plateau or
    /// `DURATION RATE..RATE` for a ramp; `#` starts a comment. DURATION is
    /// a share of the run (`10%`) or a time (`30s`, `2m`); RATE is a share
    /// of the peak (`60%`) or requests per second (`250`).
    pub fn parse(name: &str, text: &str) -> Result<Profile, ProfileError> {
        let mut steps = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let line_error = |message: String| ProfileError::Line {
                source_name: name.to_string(),
                line: index + 1,
                message,
            };
            let fields: Vec<&str> = content.split_whitespace().collect();
            let [span, rate] = fields[..] else {
                return Err(line_error(format!(
                    "expected `DURATION RATE` or `DURATION RATE..RATE`, found `{content}`"
                )));
            };
            let span = parse_span(span).map_err(line_error)?;
            let (from, to) = match rate.split_once("..") {
                Some((from, to)) => (
                    parse_level(from).map_err(line_error)?,
                    parse_level(to).map_err(line_error)?,
                ),
                None => {
                    let level = parse_level(rate).map_err(line_error)?;
                    (level, level)
                }
            };
            steps.push(ProfileStep { span, from, to });
        }
        if steps.is_empty() {
            return Err(ProfileError::Profile {
                source_name: name.to_string(),
                message: "no step in it".to_string(),
            });
        }
        Ok(Profile {
            name: name.to_string(),
            steps,
        })
    }

    /// True when its durations are shares of the run, so that `--duration`
    /// sets its length.
    pub fn is_relative(&self) -> bool {
        matches!(self.steps[0].span, Span::Share(_))
    }

    /// The plan for a run: shares of the run are taken of `duration`
    /// (required for a relative profile, refused for an absolute one, whose
    /// length is its own), shares of the peak of `peak`.
    pub fn resolve(
        &self,
        duration: Option<Duration>,
        peak: Option<f64>,
    ) -> Result<Plan, ProfileError> {
        let refuse = |message: String| ProfileError::Profile {
            source_name: self.name.clone(),
            message,
        };
        let relative = self.is_relative();
        if self
            .steps
            .iter()
            .any(|step| matches!(step.span, Span::Share(_)) != relative)
        {
            return Err(refuse(
                "mixes shares of the run (`10%`) and fixed times (`30s`): use one kind".to_string(),
            ));
        }
        let run_seconds = match (relative, duration) {
            (true, Some(duration)) => duration.as_secs_f64(),
            (true, None) => {
                return Err(refuse(
                    "a relative profile needs a run duration".to_string(),
                ));
            }
            (false, Some(_)) => {
                return Err(refuse(
                    "its steps have fixed times, which set the run's length: leave out --duration"
                        .to_string(),
                ));
            }
            (false, None) => 0.0,
        };
        if relative {
            let total: f64 = self
                .steps
                .iter()
                .map(|step| match step.span {
                    Span::Share(share) => share,
                    Span::Seconds(_) => 0.0,
                })
                .sum();
            if (total - 1.0).abs() > 0.005 {
                return Err(refuse(format!(
                    "its durations add up to {:.1}% of the run, not 100%",
                    total * 100.0
                )));
            }
        }
        let level = |level: Level| -> Result<f64, ProfileError> {
            match (level, peak) {
                (Level::PerSecond(rate), _) => Ok(rate),
                (Level::Share(share), Some(peak)) => Ok(share * peak),
                (Level::Share(_), None) => Err(refuse(
                    "its rates are shares of the peak: give the peak with --rate".to_string(),
                )),
            }
        };
        let mut segments = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let seconds = match step.span {
                Span::Share(share) => share * run_seconds,
                Span::Seconds(seconds) => seconds,
            };
            segments.push(Segment {
                seconds,
                from: level(step.from)?,
                to: level(step.to)?,
            });
        }
        Plan::new(segments).map_err(refuse)
    }
}

fn parse_span(text: &str) -> Result<Span, String> {
    if let Some(percent) = text.strip_suffix('%') {
        let share = parse_non_negative(percent, "duration share")? / 100.0;
        return Ok(Span::Share(share));
    }
    parse_duration(text).map(|duration| Span::Seconds(duration.as_secs_f64()))
}

fn parse_level(text: &str) -> Result<Level, String> {
    if let Some(percent) = text.strip_suffix('%') {
        return Ok(Level::Share(
            parse_non_negative(percent, "rate share")? / 100.0,
        ));
    }
    let number = text.strip_suffix("/s").unwrap_or(text);
    Ok(Level::PerSecond(parse_non_negative(number, "rate")?))
}

fn parse_non_negative(text: &str, what: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("{what} `{text}` is not a non-negative number")),
    }
}

/// A stretch of the plan whose rate goes linearly from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Length in seconds.
    pub seconds: f64,
    /// Requests per second at its start.
    pub from: f64,
    /// Requests per second at its end.
    pub to: f64,
}

impl Segment {
    /// Requests due over the whole segment.
    fn intensity(&self) -> f64 {
        (self.from + self.to) / 2.0 * self.seconds
    }

    fn slope(&self) -> f64 {
        if self.seconds > 0.0 {
            (self.to - self.from) / self.seconds
        } else {
            0.0
        }
    }

    /// The time in the segment at which `due` requests are due (the inverse
    /// of [`Segment::intensity_until`]), for `0 <= due <= intensity()`.
    fn time_of(&self, due: f64) -> f64 {
        let half_slope = self.slope() / 2.0;
        // Solve half_slope·τ² + from·τ − due = 0 in the form that stays
        // exact when the slope is zero or negative.
        let discriminant = (self.from * self.from + 4.0 * half_slope * due).max(0.0);
        let denominator = self.from + discriminant.sqrt();
        let tau = if denominator > 0.0 {
            2.0 * due / denominator
        } else {
            0.0
        };
        tau.clamp(0.0, self.seconds)
    }
}

/// A rate over time for one run: the segments end to end.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    segments: Vec<Segment>,
}

impl Plan {
    /// A plan of these segments; refused when empty, when a rate or a
    /// length is negative or not finite, or when it lasts no time at all.
    pub fn new(segments: Vec<Segment>) -> Result<Plan, String> {
        if segments.is_empty() {
            return Err("no segment".to_string());
        }
        for segment in &segments {
            let values = [segment.seconds, segment.from, segment.to];
            if values
                .iter()
                .any(|value| !value.is_finite() || *value < 0.0)
            {
                return Err(format!(
                    "segment {segment:?} has a negative or infinite value"
                ));
            }
        }
        let plan = Plan { segments };
        if plan.seconds() <= 0.0 {
            return Err("the run lasts no time".to_string());
        }
        Ok(plan)
    }

    /// `rate` requests per second for `duration`.
    pub fn constant(rate: f64, duration: Duration) -> Result<Plan, String> {
        Plan::new(vec![Segment {
            seconds: duration.as_secs_f64(),
            from: rate,
            to: rate,
        }])
    }

    /// Its segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Total length in seconds.
    pub fn seconds(&self) -> f64 {
        self.segments.iter().map(|segment| segment.seconds).sum()
    }

    /// Total length.
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.seconds())
    }

    /// The highest rate anywhere in the plan.
    pub fn peak_rate(&self) -> f64 {
        self.segments
            .iter()
            .map(|segment| segment.from.max(segment.to))
            .fold(0.0, f64::max)
    }

    /// The expected number of requests of the whole run.
    pub fn expected_requests(&self) -> f64 {
        self.segments.iter().map(Segment::intensity).sum()
    }

    /// The planned rate at `t` seconds from the start (0 after the end).
    pub fn rate_at(&self, t: f64) -> f64 {
        let mut start = 0.0;
        for segment in &self.segments {
            if t < start + segment.seconds {
                let tau = (t - start).max(0.0);
                return segment.from + segment.slope() * tau;
            }
            start += segment.seconds;
        }
        0.0
    }

    /// The arrival times of the run, in order.
    pub fn arrivals(&self, process: Process) -> Arrivals {
        let mut arrivals = Arrivals {
            segments: self.segments.clone(),
            process,
            rng: match process {
                Process::Uniform => None,
                Process::Poisson { seed } => Some(QueryRng::seed_from_u64(seed)),
            },
            next_target: 0.0,
            segment: 0,
            segment_start: 0.0,
            due_before_segment: 0.0,
        };
        arrivals.next_target = match process {
            Process::Uniform => 0.5,
            Process::Poisson { .. } => arrivals.exponential(),
        };
        arrivals
    }
}

/// How arrivals are spread at a given rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// Evenly spaced: at 100 req/s, one every 10 ms.
    Uniform,
    /// A Poisson process of the plan's rate: independent arrivals with
    /// exponential gaps, as many independent people would make.
    Poisson {
        /// Seed of its random draws.
        seed: u64,
    },
}

/// The arrival times of a plan, as offsets from the start of the run.
#[derive(Debug, Clone)]
pub struct Arrivals {
    segments: Vec<Segment>,
    process: Process,
    rng: Option<QueryRng>,
    /// Λ value of the next arrival.
    next_target: f64,
    segment: usize,
    segment_start: f64,
    /// Λ at the start of `segment`.
    due_before_segment: f64,
}

impl Arrivals {
    fn exponential(&mut self) -> f64 {
        let rng = self
            .rng
            .as_mut()
            .expect("a Poisson process has its generator");
        // Uniform in (0, 1], 53 bits, so the logarithm is finite.
        let unit = ((rng.next_u64() >> 11) as f64 + 1.0) * (1.0 / (1u64 << 53) as f64);
        -unit.ln()
    }
}

impl Iterator for Arrivals {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        loop {
            let segment = *self.segments.get(self.segment)?;
            let due_after_segment = self.due_before_segment + segment.intensity();
            if self.next_target < due_after_segment {
                let tau = segment.time_of(self.next_target - self.due_before_segment);
                let at = self.segment_start + tau;
                self.next_target += match self.process {
                    Process::Uniform => 1.0,
                    Process::Poisson { .. } => self.exponential(),
                };
                return Some(Duration::from_secs_f64(at));
            }
            self.segment += 1;
            self.segment_start += segment.seconds;
            self.due_before_segment = due_after_segment;
        }
    }
}

/// What the dispatcher should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send the request that was due at `intended` (from the start of the
    /// run) now.
    Send {
        /// When it was due.
        intended: Duration,
    },
    /// Nothing is due before this time from the start.
    WaitUntil(Duration),
    /// Every arrival has been handed out.
    Finished,
}

/// Hands out arrivals as they fall due, against a clock given by the
/// caller. Falling behind never skips an arrival: a dispatcher that looks
/// late gets every request that fell due meanwhile, each with its own
/// intended time, so that latency is measured from it.
#[derive(Debug, Clone)]
pub struct Pacer {
    arrivals: std::iter::Peekable<Arrivals>,
    handed_out: u64,
}

impl Pacer {
    /// Paces `arrivals`.
    pub fn new(arrivals: Arrivals) -> Pacer {
        Pacer {
            arrivals: arrivals.peekable(),
            handed_out: 0,
        }
    }

    /// What to do at `now` (time since the start of the run).
    pub fn next(&mut self, now: Duration) -> Next {
        let Some(&intended) = self.arrivals.peek() else {
            return Next::Finished;
        };
        if intended > now {
            return Next::WaitUntil(intended);
        }
        self.arrivals.next();
        self.handed_out += 1;
        Next::Send { intended }
    }

    /// The arrivals never handed out, when the run has to end before they
    /// could be sent.
    pub fn abandon(&mut self) -> impl Iterator<Item = Duration> + '_ {
        &mut self.arrivals
    }

    /// Arrivals handed out so far.
    pub fn handed_out(&self) -> u64 {
        self.handed_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(duration: Duration) -> f64 {
        duration.as_secs_f64()
    }

    #[test]
    fn a_constant_rate_gives_exactly_rate_times_duration_evenly_spaced() {
        let plan = Plan::constant(100.0, Duration::from_secs(2)).unwrap();
        let times: Vec<f64> = plan.arrivals(Process::Uniform).map(secs).collect();
        assert_eq!(times.len(), 200);
        for (k, t) in times.iter().enumerate() {
            let expected = (k as f64 + 0.5) / 100.0;
            assert!(
                (t - expected).abs() < 1e-9,
                "arrival {k} at {t}, expected {expected}"
            );
        }
    }

    #[test]
    fn a_fractional_rate_rounds_the_count() {
        let plan = Plan::constant(2.5, Duration::from_secs(3)).unwrap();
        // Λ(3 s) = 7.5: targets 0.5 … 6.5 fall inside, 7.5 does not.
        assert_eq!(plan.arrivals(Process::Uniform).count(), 7);
        let plan = Plan::constant(0.0, Duration::from_secs(3)).unwrap();
        assert_eq!(plan.arrivals(Process::Uniform).count(), 0);
    }

    #[test]
    fn a_ramp_spaces_arrivals_closer_as_the_rate_rises() {
        let plan = Plan::new(vec![Segment {
            seconds: 10.0,
            from: 0.0,
            to: 100.0,
        }])
        .unwrap();
        let times: Vec<f64> = plan.arrivals(Process::Uniform).map(secs).collect();
        assert_eq!(times.len(), 500);
        // Λ(t) = 5·t²: half the requests come in the last 29% of the ramp.
        let first_half = times.iter().filter(|&&t| t < 10.0 / 2f64.sqrt()).count();
        assert_eq!(first_half, 250);
        let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.windows(2).all(|w| w[1] <= w[0] + 1e-12));
        for (k, t) in times.iter().enumerate() {
            let due = 5.0 * t * t;
            assert!((due - (k as f64 + 0.5)).abs() < 1e-6);
        }
    }

    #[test]
    fn steps_and_ramps_down_deliver_their_integral() {
        let plan = Plan::new(vec![
            Segment {
                seconds: 1.0,
                from: 10.0,
                to: 10.0,
            },
            Segment {
                seconds: 0.0,
                from: 0.0,
                to: 0.0,
            },
            Segment {
                seconds: 2.0,
                from: 0.0,
                to: 0.0,
            },
            Segment {
                seconds: 1.0,
                from: 200.0,
                to: 200.0,
            },
            Segment {
                seconds: 2.0,
                from: 100.0,
                to: 0.0,
            },
        ])
        .unwrap();
        assert_eq!(plan.expected_requests(), 10.0 + 200.0 + 100.0);
        let times: Vec<f64> = plan.arrivals(Process::Uniform).map(secs).collect();
        assert_eq!(times.len(), 310);
        let in_window = |from: f64, to: f64| times.iter().filter(|&&t| t >= from && t < to).count();
        assert_eq!(in_window(0.0, 1.0), 10);
        assert_eq!(in_window(1.0, 3.0), 0, "nothing while the rate is zero");
        assert_eq!(in_window(3.0, 4.0), 200);
        assert_eq!(
            in_window(4.0, 5.0),
            75,
            "the first half of a ramp down carries 3/4"
        );
        assert_eq!(in_window(5.0, 6.0), 25);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(*times.last().unwrap() < 6.0);
    }

    #[test]
    fn poisson_arrivals_are_deterministic_and_have_the_planned_rate() {
        let plan = Plan::constant(1_000.0, Duration::from_secs(20)).unwrap();
        let times: Vec<f64> = plan
            .arrivals(Process::Poisson { seed: 9 })
            .map(secs)
            .collect();
        let again: Vec<f64> = plan
            .arrivals(Process::Poisson { seed: 9 })
            .map(secs)
            .collect();
        assert_eq!(times, again);
        let other: Vec<f64> = plan
            .arrivals(Process::Poisson { seed: 10 })
            .map(secs)
            .collect();
        assert_ne!(times, other);
        // 20,000 expected; the standard deviation is √20000 ≈ 141.
        assert!(
            (times.len() as f64 - 20_000.0).abs() < 600.0,
            "{}",
            times.len()
        );
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        // Exponential gaps: mean 1 ms, and about e⁻¹ of them longer than it.
        let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        assert!((mean - 0.001).abs() < 0.00005, "{mean}");
        let long = gaps.iter().filter(|&&gap| gap > 0.001).count() as f64 / gaps.len() as f64;
        assert!((long - (-1f64).exp()).abs() < 0.02, "{long}");
    }

    #[test]
    fn poisson_follows_a_profile() {
        let plan = Profile::election_morning()
            .resolve(Some(Duration::from_secs(100)), Some(1_000.0))
            .unwrap();
        let expected = plan.expected_requests();
        let count = plan.arrivals(Process::Poisson { seed: 1 }).count() as f64;
        assert!(
            (count - expected).abs() < 4.0 * expected.sqrt(),
            "{count} vs {expected}"
        );
    }

    #[test]
    fn the_election_morning_profile_has_its_shape() {
        let plan = Profile::election_morning()
            .resolve(Some(Duration::from_secs(100)), Some(200.0))
            .unwrap();
        assert!((plan.seconds() - 100.0).abs() < 1e-9);
        assert_eq!(plan.peak_rate(), 200.0);
        let quiet = plan.rate_at(3.0);
        let opening = plan.rate_at(7.0);
        let plateau = plan.rate_at(30.0);
        let lunch = plan.rate_at(48.0);
        let afternoon = plan.rate_at(60.0);
        let rush = plan.rate_at(85.0);
        assert!(quiet < 10.0, "{quiet}");
        assert!(opening > 5.0 * quiet, "the 8:00 step");
        assert!(plateau < opening && plateau > quiet);
        assert!(lunch > plateau && lunch < rush);
        assert!(afternoon < lunch);
        assert_eq!(rush, 200.0);
        let count = plan.arrivals(Process::Uniform).count() as f64;
        assert!((count - plan.expected_requests()).abs() <= 1.0);
        // Shares of 100 s at shares of 200 req/s.
        let expected = 200.0
            * (0.06 * 0.03
                + 0.14 * 0.6
                + 0.20 * 0.4
                + 0.04 * 0.575
                + 0.08 * 0.75
                + 0.04 * 0.575
                + 0.18 * 0.4
                + 0.06 * 0.7
                + 0.14 * 1.0
                + 0.06 * 0.55)
            * 100.0;
        assert!((plan.expected_requests() - expected).abs() < 1e-6);
    }

    #[test]
    fn profile_files_are_read_with_their_units() {
        let profile = Profile::parse(
            "custom.txt",
            "# warm up\n10s 5\n\n5s 5..50/s # ramp\n15s 50\n",
        )
        .unwrap();
        assert!(!profile.is_relative());
        let plan = profile.resolve(None, None).unwrap();
        assert_eq!(plan.seconds(), 30.0);
        assert_eq!(plan.expected_requests(), 50.0 + 137.5 + 750.0);
        let error = profile
            .resolve(Some(Duration::from_secs(60)), None)
            .unwrap_err();
        assert!(
            error.to_string().contains("leave out --duration"),
            "{error}"
        );

        let relative = Profile::parse("shares", "50% 10%\n50% 100%\n").unwrap();
        assert!(
            relative
                .resolve(Some(Duration::from_secs(10)), None)
                .is_err()
        );
        let plan = relative
            .resolve(Some(Duration::from_secs(10)), Some(100.0))
            .unwrap();
        assert_eq!(plan.expected_requests(), 50.0 + 500.0);
    }

    #[test]
    fn bad_profiles_are_refused_with_their_line() {
        let check = |text: &str, wanted: &str| {
            let error = Profile::parse("p.txt", text)
                .and_then(|profile| profile.resolve(Some(Duration::from_secs(10)), Some(10.0)))
                .unwrap_err()
                .to_string();
            assert!(error.contains(wanted), "{text:?}: {error}");
        };
        check("10%\n", "p.txt:1: expected `DURATION RATE`");
        check("100% 5\n10% fast\n", "p.txt:2: rate `fast`");
        check("100% -5\n", "p.txt:1: rate `-5`");
        check("ten 5\n", "p.txt:1:");
        check("50% 5\n", "add up to 50.0%");
        check("50% 5\n5s 5\n", "mixes shares");
        check("# nothing\n", "no step");
    }

    #[test]
    fn the_pacer_hands_out_what_is_due_even_when_the_dispatcher_is_late() {
        let plan = Plan::constant(100.0, Duration::from_secs(1)).unwrap();
        let mut pacer = Pacer::new(plan.arrivals(Process::Uniform));
        let ms = Duration::from_millis;
        // At 0 nothing is due yet: the first arrival is at 5 ms.
        assert_eq!(pacer.next(ms(0)), Next::WaitUntil(ms(5)));
        assert_eq!(pacer.next(ms(5)), Next::Send { intended: ms(5) });
        assert_eq!(pacer.next(ms(6)), Next::WaitUntil(ms(15)));
        // The dispatcher stalls until 60 ms: 15, 25, 35, 45 and 55 are all
        // handed out, each with its own time; 65 is not due yet.
        let mut sent = Vec::new();
        while let Next::Send { intended } = pacer.next(ms(60)) {
            sent.push(intended);
        }
        assert_eq!(sent, vec![ms(15), ms(25), ms(35), ms(45), ms(55)]);
        assert_eq!(pacer.next(ms(60)), Next::WaitUntil(ms(65)));
        assert_eq!(pacer.handed_out(), 6);
        // The run ends early: the other 94 are handed back to be counted as
        // not sent, not lost.
        assert_eq!(pacer.abandon().count(), 94);
        assert_eq!(pacer.next(ms(2_000)), Next::Finished);
    }
}
