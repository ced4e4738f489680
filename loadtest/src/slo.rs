//! The rehearsal's pass/fail verdict: service-level objectives given as
//! `--slo p99=50ms,errors=0.1%`, checked against the whole run.
//!
//! Objectives, comma separated, each `KEY=LIMIT`:
//!
//! - `p50`, `p90`, `p99`, `p999` (or `p99.9`), `max`: that latency
//!   percentile, measured from the intended send time, must be at most
//!   LIMIT (`50ms`, `1.5s`, `800us`);
//! - `errors`: the share of scheduled requests that got no useful answer
//!   (shed, rate limited, failed, or never sent) must be at most LIMIT
//!   (`0.1%` or `0.001`);
//! - `shed`, `rate_limited`, `degraded`: the share of scheduled requests
//!   that ended so must be at most LIMIT.
//!
//! A latency objective fails when no request finished at all: there is
//! nothing to vouch for.

use std::time::Duration;

use serde::Serialize;

use crate::record::{Counts, Latency};
use crate::units::{format_duration, format_ms, format_percent, parse_duration, parse_share};

/// Why `--slo` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--slo: {0}")]
pub struct SloError(String);

/// A latency percentile an objective bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percentile {
    /// Median.
    P50,
    /// 90th.
    P90,
    /// 99th.
    P99,
    /// 99.9th.
    P999,
    /// Highest.
    Max,
}

impl Percentile {
    fn key(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P90 => "p90",
            Percentile::P99 => "p99",
            Percentile::P999 => "p999",
            Percentile::Max => "max",
        }
    }

    fn of(self, latency: &Latency) -> f64 {
        match self {
            Percentile::P50 => latency.p50,
            Percentile::P90 => latency.p90,
            Percentile::P99 => latency.p99,
            Percentile::P999 => latency.p999,
            Percentile::Max => latency.max,
        }
    }
}

/// A share of requests an objective bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Everything without a useful answer.
    Errors,
    /// Shed by the server.
    Shed,
    /// Rate limited.
    RateLimited,
    /// Answered in degraded mode.
    Degraded,
}

impl Share {
    fn key(self) -> &'static str {
        match self {
            Share::Errors => "errors",
            Share::Shed => "shed",
            Share::RateLimited => "rate_limited",
            Share::Degraded => "degraded",
        }
    }

    fn count(self, counts: &Counts) -> u64 {
        match self {
            Share::Errors => counts.failed(),
            Share::Shed => counts.shed,
            Share::RateLimited => counts.rate_limited,
            Share::Degraded => counts.degraded,
        }
    }
}

/// One objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// A latency percentile at most `limit`.
    Latency {
        /// Which percentile.
        percentile: Percentile,
        /// Its bound.
        limit: Duration,
    },
    /// A share of the scheduled requests at most `limit` (0 to 1).
    Share {
        /// Which share.
        share: Share,
        /// Its bound.
        limit: f64,
    },
}

/// The objectives of `--slo`.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// In the order given.
    pub objectives: Vec<Objective>,
}

impl Slo {
    /// Reads `p99=50ms,errors=0.1%`.
    pub fn parse(text: &str) -> Result<Slo, SloError> {
        let mut objectives = Vec::new();
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let Some((key, value)) = item.split_once('=') else {
                return Err(SloError(format!(
                    "`{item}` is not KEY=LIMIT (e.g. p99=50ms or errors=0.1%)"
                )));
            };
            let (key, value) = (key.trim(), value.trim());
            let percentile = match key {
                "p50" => Some(Percentile::P50),
                "p90" => Some(Percentile::P90),
                "p99" => Some(Percentile::P99),
                "p999" | "p99.9" => Some(Percentile::P999),
                "max" => Some(Percentile::Max),
                _ => None,
            };
            let share = match key {
                "errors" => Some(Share::Errors),
                "shed" => Some(Share::Shed),
                "rate_limited" => Some(Share::RateLimited),
                "degraded" => Some(Share::Degraded),
                _ => None,
            };
            let objective = match (percentile, share) {
                (Some(percentile), _) => Objective::Latency {
                    percentile,
                    limit: parse_duration(value)
                        .map_err(|message| SloError(format!("{key}: {message}")))?,
                },
                (None, Some(share)) => Objective::Share {
                    share,
                    limit: parse_share(value)
                        .map_err(|message| SloError(format!("{key}: {message}")))?,
                },
                (None, None) => {
                    return Err(SloError(format!(
                        "unknown objective `{key}` (expected p50, p90, p99, p999, max, errors, shed, rate_limited or degraded)"
                    )));
                }
            };
            objectives.push(objective);
        }
        if objectives.is_empty() {
            return Err(SloError("no objective given".to_string()));
        }
        Ok(Slo { objectives })
    }

    /// Checks the run's figures.
    pub fn evaluate(&self, counts: &Counts, latency: &Latency) -> Verdict {
        let results: Vec<ObjectiveResult> = self
            .objectives
            .iter()
            .map(|objective| match *objective {
                Objective::Latency { percentile, limit } => {
                    let limit_ms = limit.as_secs_f64() * 1e3;
                    let measured = latency.samples > 0;
                    let actual = percentile.of(latency);
                    ObjectiveResult {
                        objective: percentile.key().to_string(),
                        limit: format_duration(limit),
                        actual: if measured {
                            format_ms(actual)
                        } else {
                            "no request finished".to_string()
                        },
                        pass: measured && actual <= limit_ms,
                    }
                }
                Objective::Share { share, limit } => {
                    let total = counts.total();
                    let actual = if total == 0 {
                        0.0
                    } else {
                        share.count(counts) as f64 / total as f64
                    };
                    ObjectiveResult {
                        objective: share.key().to_string(),
                        limit: format_percent(limit),
                        actual: format_percent(actual),
                        pass: actual <= limit,
                    }
                }
            })
            .collect();
        Verdict {
            pass: results.iter().all(|result| result.pass),
            objectives: results,
        }
    }
}

/// The verdict of a run against its objectives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when every objective held.
    pub pass: bool,
    /// Each objective, in the order given.
    pub objectives: Vec<ObjectiveResult>,
}

/// One objective checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveResult {
    /// `p99`, `errors`…
    pub objective: String,
    /// The bound, as a report prints it (`50.0ms`, `0.10%`).
    pub limit: String,
    /// What the run measured, printed the same way.
    pub actual: String,
    /// True when it held.
    pub pass: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objectives_are_read_in_order_with_their_units() {
        let slo = Slo::parse("p99=50ms, errors=0.1%,p99.9=1s,max=800us,degraded=0.05").unwrap();
        assert_eq!(
            slo.objectives,
            vec![
                Objective::Latency {
                    percentile: Percentile::P99,
                    limit: Duration::from_millis(50)
                },
                Objective::Share {
                    share: Share::Errors,
                    limit: 0.001
                },
                Objective::Latency {
                    percentile: Percentile::P999,
                    limit: Duration::from_secs(1)
                },
                Objective::Latency {
                    percentile: Percentile::Max,
                    limit: Duration::from_micros(800)
                },
                Objective::Share {
                    share: Share::Degraded,
                    limit: 0.05
                },
            ]
        );
    }

    #[test]
    fn bad_objectives_say_what_is_wrong() {
        let check = |text: &str, wanted: &str| {
            let error = Slo::parse(text).unwrap_err().to_string();
            assert!(error.contains(wanted), "{text}: {error}");
        };
        check("p99", "not KEY=LIMIT");
        check("p98=5ms", "unknown objective `p98`");
        check("p99=50", "needs a unit");
        check("errors=2", "not from 0% to 100%");
        check("", "no objective");
    }

    fn latency(p99: f64) -> Latency {
        Latency {
            p50: p99 / 4.0,
            p90: p99 / 2.0,
            p99,
            p999: p99 * 2.0,
            max: p99 * 3.0,
            mean: p99 / 3.0,
            samples: 1_000,
        }
    }

    #[test]
    fn the_verdict_passes_only_when_every_objective_holds() {
        let slo = Slo::parse("p99=50ms,errors=1%").unwrap();
        let healthy = Counts {
            ok: 990,
            degraded: 5,
            shed: 3,
            error: 2,
            ..Counts::default()
        };
        let verdict = slo.evaluate(&healthy, &latency(20.0));
        assert!(verdict.pass, "{verdict:?}");
        assert_eq!(verdict.objectives[0].actual, "20.0ms");
        assert_eq!(verdict.objectives[1].actual, "0.50%");

        let slow = slo.evaluate(&healthy, &latency(51.0));
        assert!(!slow.pass);
        assert!(!slow.objectives[0].pass && slow.objectives[1].pass);

        let shedding = Counts {
            ok: 900,
            shed: 100,
            ..Counts::default()
        };
        let verdict = slo.evaluate(&shedding, &latency(20.0));
        assert!(!verdict.pass);
        assert_eq!(verdict.objectives[1].actual, "10.0%");

        // Requests the harness never sent count against the budget too.
        let behind = Counts {
            ok: 900,
            not_sent: 100,
            ..Counts::default()
        };
        assert!(!slo.evaluate(&behind, &latency(20.0)).pass);
    }

    #[test]
    fn a_latency_objective_fails_without_measurements() {
        let slo = Slo::parse("p99=1s").unwrap();
        let verdict = slo.evaluate(&Counts::default(), &Latency::default());
        assert!(!verdict.pass);
        assert_eq!(verdict.objectives[0].actual, "no request finished");
    }
}
