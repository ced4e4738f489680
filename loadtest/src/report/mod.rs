//! The result of a run, in one serialisable [`Report`], and its three
//! renderings: the terminal [`table`], the [`json`] file (whose module
//! documents every field) and the [`html`] page.

pub mod html;
pub mod json;
pub mod table;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::record::{Counts, LATE_AFTER, Latency, Recorder, Stats};
use crate::schedule::Plan;
use crate::slo::{Slo, Verdict};
use crate::traffic::ClassSpec;

/// The share of late requests above which a run counts as fallen behind.
pub const LATE_SHARE_BEHIND: f64 = 0.01;

/// How the run was set up, for the report's header.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The server.
    pub target: String,
    /// `http` or `grpc`.
    pub protocol: String,
    /// `constant`, `election-morning` or a profile file.
    pub profile: String,
    /// `uniform` or `poisson`.
    pub arrivals: String,
    /// Where the queries came from.
    pub traffic: String,
    /// Bound on outstanding requests.
    pub max_in_flight: usize,
    /// Each request's deadline, in milliseconds.
    pub timeout_ms: u64,
    /// When the run started (RFC 3339).
    pub started_at: String,
}

/// Everything the run measured; serialised as the JSON result.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `loadtest` and its version.
    pub tool: String,
    /// RFC 3339 time of the start.
    pub started_at: String,
    /// The server.
    pub target: String,
    /// `http` or `grpc`.
    pub protocol: String,
    /// `constant`, `election-morning` or a profile file.
    pub profile: String,
    /// `uniform` or `poisson`.
    pub arrivals: String,
    /// Where the queries came from.
    pub traffic: String,
    /// Planned length of the run, seconds.
    pub duration_s: f64,
    /// Highest planned rate, requests per second.
    pub peak_rps: f64,
    /// Bound on outstanding requests.
    pub max_in_flight: usize,
    /// Each request's deadline, milliseconds.
    pub timeout_ms: u64,
    /// From the start to the last answer, seconds.
    pub elapsed_s: f64,
    /// Requests the schedule called for.
    pub offered: u64,
    /// `offered / duration_s`.
    pub offered_rps: f64,
    /// Requests sent and finished (any outcome) per second of the plan.
    pub achieved_rps: f64,
    /// Requests answered usefully (ok and degraded) per second of the plan.
    pub goodput_rps: f64,
    /// How the requests ended.
    pub counts: Counts,
    /// Latency from the intended send time, milliseconds.
    pub latency_ms: Latency,
    /// Latency from the actual send (not corrected), milliseconds.
    pub service_time_ms: Latency,
    /// Errors by cause (`http 500`, `timeout (harness deadline)`…).
    pub errors: BTreeMap<String, u64>,
    /// Whether the harness kept to its schedule.
    pub schedule: ScheduleReport,
    /// The same figures per class, in the order the classes were given
    /// (a JSON object keyed by class name).
    #[serde(serialize_with = "in_order")]
    pub classes: Vec<(String, ClassReport)>,
    /// The verdict, with `--slo`.
    pub slo: Option<Verdict>,
    /// One entry per second from the start.
    pub timeline: Vec<SecondReport>,
}

/// Whether the harness kept to its schedule.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleReport {
    /// True when requests were never sent, or more than 1% went out late:
    /// the offered load was not the planned one.
    pub fell_behind: bool,
    /// Requests sent more than `late_after_ms` after their intended time.
    pub late: u64,
    /// The lateness threshold, milliseconds.
    pub late_after_ms: f64,
    /// Requests due but never sent before the run ended.
    pub not_sent: u64,
    /// Times every in-flight slot was taken when a request fell due.
    pub slot_waits: u64,
    /// How late requests went out, milliseconds.
    pub lag_ms: Latency,
}

/// Writes `(name, value)` pairs as a JSON object, in their order.
fn in_order<S: serde::Serializer>(
    pairs: &[(String, ClassReport)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(name, class)| (name, class)))
}

/// One class's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    /// Its weight, as given.
    pub weight: f64,
    /// Its share of the traffic (weight over the sum of weights).
    pub share: f64,
    /// Its query mix.
    pub mix: String,
    /// Chance of a birth date with a query.
    pub dates: f64,
    /// How many API keys it sent, in turn (the keys are never written).
    pub api_keys: usize,
    /// Requests scheduled for it.
    pub offered: u64,
    /// `offered / duration_s`.
    pub offered_rps: f64,
    /// Its requests finished per second.
    pub achieved_rps: f64,
    /// Its requests answered usefully per second.
    pub goodput_rps: f64,
    /// How its requests ended.
    pub counts: Counts,
    /// Its latency from the intended send time, milliseconds.
    pub latency_ms: Latency,
}

/// One second of the run.
#[derive(Debug, Clone, Serialize)]
pub struct SecondReport {
    /// Seconds from the start.
    pub second: u64,
    /// The planned rate in the middle of this second.
    pub planned_rps: f64,
    /// Requests scheduled in this second.
    pub offered: u64,
    /// Requests that finished in this second, any outcome.
    pub achieved: u64,
    /// Outcomes of the requests scheduled in this second.
    #[serde(flatten)]
    pub counts: Counts,
    /// Of those, sent late.
    pub late: u64,
    /// Their latency, milliseconds; `null` when none finished.
    pub latency_ms: Option<Latency>,
}

impl Report {
    /// The figures of the class called `name`.
    pub fn class(&self, name: &str) -> Option<&ClassReport> {
        self.classes
            .iter()
            .find(|(class, _)| class == name)
            .map(|(_, report)| report)
    }

    /// Gathers the report of a run.
    pub fn build(
        info: RunInfo,
        plan: &Plan,
        classes: &[ClassSpec],
        recorder: &Recorder,
        elapsed_s: f64,
        slo: Option<&Slo>,
    ) -> Report {
        let duration_s = plan.seconds();
        let per_second = |count: u64| count as f64 / duration_s;
        let overall = &recorder.overall;
        let latency = Latency::of(&overall.latency);
        let total_weight: f64 = classes.iter().map(|class| class.weight).sum();
        let class_report = |spec: &ClassSpec, stats: &Stats| ClassReport {
            weight: spec.weight,
            share: spec.weight / total_weight,
            mix: spec.mix.name.clone(),
            dates: spec.dates,
            api_keys: spec.api_keys.len(),
            offered: stats.offered,
            offered_rps: per_second(stats.offered),
            achieved_rps: per_second(stats.counts.finished()),
            goodput_rps: per_second(stats.counts.answered()),
            counts: stats.counts,
            latency_ms: Latency::of(&stats.latency),
        };
        let timeline = recorder
            .timeline
            .iter()
            .enumerate()
            .map(|(index, second)| SecondReport {
                second: index as u64,
                planned_rps: plan.rate_at(index as f64 + 0.5),
                offered: second.offered,
                achieved: second.achieved,
                counts: second.counts,
                late: second.late,
                latency_ms: second.latency.as_ref().map(Latency::of),
            })
            .collect();
        let not_sent = overall.counts.not_sent;
        let fell_behind = not_sent > 0
            || recorder.late as f64 > LATE_SHARE_BEHIND * overall.offered.max(1) as f64;
        Report {
            tool: format!("loadtest {}", env!("CARGO_PKG_VERSION")),
            started_at: info.started_at,
            target: info.target,
            protocol: info.protocol,
            profile: info.profile,
            arrivals: info.arrivals,
            traffic: info.traffic,
            duration_s,
            peak_rps: plan.peak_rate(),
            max_in_flight: info.max_in_flight,
            timeout_ms: info.timeout_ms,
            elapsed_s,
            offered: overall.offered,
            offered_rps: per_second(overall.offered),
            achieved_rps: per_second(overall.counts.finished()),
            goodput_rps: per_second(overall.counts.answered()),
            counts: overall.counts,
            latency_ms: latency,
            service_time_ms: Latency::of(&recorder.service),
            errors: recorder
                .errors
                .iter()
                .map(|(cause, count)| (cause.to_string(), *count))
                .collect(),
            schedule: ScheduleReport {
                fell_behind,
                late: recorder.late,
                late_after_ms: LATE_AFTER.as_secs_f64() * 1e3,
                not_sent,
                slot_waits: recorder.slot_waits,
                lag_ms: Latency::of(&recorder.lag),
            },
            classes: classes
                .iter()
                .zip(&recorder.classes)
                .map(|(spec, stats)| (spec.name.clone(), class_report(spec, stats)))
                .collect(),
            slo: slo.map(|slo| slo.evaluate(&overall.counts, &latency)),
            timeline,
        }
    }

    /// The sentence the reports give about the schedule.
    pub fn schedule_note(&self) -> String {
        let schedule = &self.schedule;
        if schedule.fell_behind {
            let cause = if schedule.slot_waits > 0 {
                format!(
                    "all {} in-flight slots were taken {} times: answers did not come back as fast as requests fell due (a server that does not keep up, or a harness short of CPU: compare the service time)",
                    self.max_in_flight, schedule.slot_waits
                )
            } else {
                "the harness could not dispatch as fast as requests fell due (short of CPU: try --threads or a lower rate)".to_string()
            };
            format!(
                "the harness FELL BEHIND its schedule: {} of {} requests went out more than {:.0} ms late and {} were never sent (max lag {}); {cause}. The load offered was lower than planned; latency still counts from each request's intended time.",
                schedule.late,
                self.offered,
                schedule.late_after_ms,
                schedule.not_sent,
                crate::units::format_ms(schedule.lag_ms.max),
            )
        } else {
            format!(
                "the harness kept to its schedule: {} late requests (over {:.0} ms), none left unsent, p99 lag {}, max lag {}.",
                schedule.late,
                schedule.late_after_ms,
                crate::units::format_ms(schedule.lag_ms.p99),
                crate::units::format_ms(schedule.lag_ms.max),
            )
        }
    }
}

/// The figures of one table row: a class or the whole run.
pub struct Row<'a> {
    /// `staff`, `kiosk`… or `all`.
    pub name: &'a str,
    /// Offered rate.
    pub offered_rps: f64,
    /// Achieved rate.
    pub achieved_rps: f64,
    /// Outcomes.
    pub counts: &'a Counts,
    /// Latency.
    pub latency: &'a Latency,
}

impl Report {
    /// One row per class, then the whole run.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let mut rows: Vec<Row<'_>> = self
            .classes
            .iter()
            .map(|(name, class)| Row {
                name,
                offered_rps: class.offered_rps,
                achieved_rps: class.achieved_rps,
                counts: &class.counts,
                latency: &class.latency_ms,
            })
            .collect();
        rows.push(Row {
            name: "all",
            offered_rps: self.offered_rps,
            achieved_rps: self.achieved_rps,
            counts: &self.counts,
            latency: &self.latency_ms,
        });
        rows
    }
}
