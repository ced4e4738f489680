//! The report's checks: each reads the status document against its
//! thresholds and gives a traffic light with the figures behind it.
//!
//! - **red**: act now (an objective is missed over the window, the index
//!   is missing, stale or not the one expected, memory is short, the
//!   server has just restarted, the last reload was refused);
//! - **amber**: look when you can (within the objective over the window,
//!   but past [`AMBER_SHARE`] of it, or past it in a busy minute (at least
//!   [`BUSY_MINUTE`] lookups; for a share, [`MINUTE_EVENTS`] of them); no build
//!   time to judge the index's age; a restart during the window; memory
//!   too short for a hot swap; a reload refused earlier in the window);
//! - **green**: nothing to do.
//!
//! A share or latency objective is judged only on lookups: a window with
//! none is green, and says so.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::units::{self, parse_duration, parse_share};
use crate::status::document::{LatencyMs, MinuteStatus, StatusDocument, Tally};

/// Past this share of an objective, a light is amber.
pub const AMBER_SHARE: f64 = 0.8;
/// A minute with at least this many lookups counts as busy: one over the
/// objective makes the light amber.
pub const BUSY_MINUTE: u64 = 20;
/// A busy minute is over a share's objective with at least this many of
/// the lookups it counts: a single error in a minute is no trend.
pub const MINUTE_EVENTS: u64 = 2;

/// A traffic light; the worst of a report's is its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Nothing to do.
    Green,
    /// Look when you can.
    Amber,
    /// Act now.
    Red,
}

impl Light {
    /// `green`, `amber`, `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Amber => "amber",
            Light::Red => "red",
        }
    }
}

/// A latency percentile an objective bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percentile {
    /// Median.
    P50,
    /// 90th.
    P90,
    /// 99th.
    P99,
    /// Slowest.
    Max,
}

impl Percentile {
    /// Its key in `--slo`.
    pub fn key(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P90 => "p90",
            Percentile::P99 => "p99",
            Percentile::Max => "max",
        }
    }

    fn of(self, latency: &LatencyMs) -> f64 {
        match self {
            Percentile::P50 => latency.p50,
            Percentile::P90 => latency.p90,
            Percentile::P99 => latency.p99,
            Percentile::Max => latency.max,
        }
    }
}

/// The service-level objectives: `--slo p99=100ms,errors=0.5%,shed=1%`.
#[derive(Debug, Clone, PartialEq)]
pub struct Objectives {
    /// Latency percentiles of answered searches, at most so many ms.
    pub latency: Vec<(Percentile, f64)>,
    /// Share of lookups failed on the server's side.
    pub errors: Option<f64>,
    /// Share of lookups refused for load.
    pub shed: Option<f64>,
    /// Share of lookups admitted in degraded mode.
    pub degraded: Option<f64>,
}

/// The objectives when `--slo` does not say.
pub const DEFAULT_SLO: &str = "p99=100ms,errors=0.5%,shed=1%,degraded=5%";

impl Objectives {
    /// [`DEFAULT_SLO`], with the keys of `text` (`KEY=LIMIT`, comma
    /// separated; `KEY=off` drops one) in place of theirs.
    pub fn parse(text: Option<&str>) -> Result<Objectives, String> {
        let mut objectives = Objectives {
            latency: Vec::new(),
            errors: None,
            shed: None,
            degraded: None,
        };
        for text in [Some(DEFAULT_SLO), text].into_iter().flatten() {
            for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let (key, limit) = entry
                    .split_once('=')
                    .ok_or_else(|| format!("`{entry}` is not KEY=LIMIT"))?;
                let (key, limit) = (key.trim(), limit.trim());
                let off = limit == "off";
                let percentile = match key {
                    "p50" => Some(Percentile::P50),
                    "p90" => Some(Percentile::P90),
                    "p99" => Some(Percentile::P99),
                    "max" => Some(Percentile::Max),
                    _ => None,
                };
                if let Some(percentile) = percentile {
                    objectives.latency.retain(|(p, _)| *p != percentile);
                    if !off {
                        let limit = parse_duration(limit).map_err(|e| format!("{key}: {e}"))?;
                        objectives
                            .latency
                            .push((percentile, limit.as_secs_f64() * 1000.0));
                    }
                    continue;
                }
                let slot = match key {
                    "errors" => &mut objectives.errors,
                    "shed" => &mut objectives.shed,
                    "degraded" => &mut objectives.degraded,
                    other => {
                        return Err(format!(
                            "unknown objective `{other}`: use p50, p90, p99, max, errors, shed or degraded"
                        ));
                    }
                };
                *slot = if off {
                    None
                } else {
                    Some(parse_share(limit).map_err(|e| format!("{key}: {e}"))?)
                };
            }
        }
        objectives.latency.sort_by_key(|(p, _)| *p as u8);
        Ok(objectives)
    }

    /// The objectives as `--slo` writes them.
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = self
            .latency
            .iter()
            .map(|(p, ms)| {
                let duration = Duration::from_secs_f64(ms / 1000.0);
                format!("{}={}", p.key(), units::duration_flag(duration))
            })
            .collect();
        for (key, share) in [
            ("errors", self.errors),
            ("shed", self.shed),
            ("degraded", self.degraded),
        ] {
            parts.push(match share {
                Some(share) => format!("{key}={}", units::percent_flag(share)),
                None => format!("{key}=off"),
            });
        }
        parts.join(",")
    }
}

/// Every threshold of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// The objectives.
    pub objectives: Objectives,
    /// Red when the index was built longer ago.
    pub max_index_age: Duration,
    /// Red when the server serves another version.
    pub expect_version: Option<String>,
    /// Red when less than this share of the memory limit was free at the
    /// window's peak.
    pub min_memory_headroom: f64,
    /// Red when the server started more recently.
    pub min_uptime: Duration,
}

/// The defaults of [`Thresholds`] other than the objectives.
pub const DEFAULT_MAX_INDEX_AGE: &str = "7d";
/// See [`Thresholds::min_memory_headroom`].
pub const DEFAULT_MIN_MEMORY_HEADROOM: &str = "20%";
/// See [`Thresholds::min_uptime`].
pub const DEFAULT_MIN_UPTIME: &str = "10m";

/// One check's light, what it means and the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Its identifier: `index`, `uptime`, `errors`, `shed`, `degraded`,
    /// `latency`, `memory`, `reloads`.
    pub check: &'static str,
    /// Its name in the report.
    pub title: &'static str,
    /// The light.
    pub light: Light,
    /// One sentence with the figures.
    pub summary: String,
    /// The figures, for tools.
    pub figures: Map<String, Value>,
}

fn check(
    id: &'static str,
    title: &'static str,
    light: Light,
    summary: String,
    figures: Value,
) -> Check {
    Check {
        check: id,
        title,
        light,
        summary,
        figures: match figures {
            Value::Object(map) => map,
            _ => Map::new(),
        },
    }
}

/// Every check of `status`, in the report's order.
pub fn judge(status: &StatusDocument, thresholds: &Thresholds) -> Vec<Check> {
    let objectives = &thresholds.objectives;
    let totals = &status.totals.tally;
    vec![
        index(status, thresholds),
        uptime(status, thresholds),
        share(
            ShareCheck {
                id: "errors",
                title: "Server errors",
                what: "failed on the server's side",
                count: |tally| tally.server_errors,
                codes: &["internal", "index_not_ready"],
            },
            status,
            objectives.errors,
        ),
        share(
            ShareCheck {
                id: "shed",
                title: "Shed",
                what: "refused for load",
                count: |tally| tally.shed,
                codes: &["rate_limited", "overloaded", "deadline_exceeded"],
            },
            status,
            objectives.shed,
        ),
        share(
            ShareCheck {
                id: "degraded",
                title: "Brownout",
                what: "run in degraded mode",
                count: |tally| tally.degraded,
                codes: &[],
            },
            status,
            objectives.degraded,
        ),
        latency(status, &objectives.latency, totals),
        memory(status, thresholds),
        reloads(status),
    ]
}

/// The worst light of `checks`: the report's verdict.
pub fn verdict(checks: &[Check]) -> Light {
    checks
        .iter()
        .map(|check| check.light)
        .max()
        .unwrap_or(Light::Green)
}

fn index(status: &StatusDocument, thresholds: &Thresholds) -> Check {
    let index = &status.index;
    let version = index.version.as_deref().unwrap_or("-");
    let age = index.age_seconds.map(Duration::from_secs);
    let max_age = thresholds.max_index_age;
    let figures = json!({
        "loaded": index.loaded,
        "ready": status.server.ready,
        "version": index.version,
        "voters": index.voters,
        "built_at": index.built_at,
        "age_seconds": index.age_seconds,
        "max_age_seconds": max_age.as_secs(),
        "expected_version": thresholds.expect_version,
        "fallback": index.fallback.as_ref().map(|f| &f.current),
        "pinned": index.pinned.as_ref().map(|p| &p.version),
        "versions_in_window": status.totals.index_versions,
    });
    let described = format!(
        "{version}, {} voters, built {}",
        index.voters.map_or("?".to_string(), units::count),
        age.map_or("at an unknown time".to_string(), |age| format!(
            "{} ago",
            units::span(age)
        )),
    );
    let (light, summary) = if !index.loaded {
        (
            Light::Red,
            "no index loaded: every lookup fails (index_not_ready)".to_string(),
        )
    } else if let Some(fallback) = &index.fallback {
        (
            Light::Red,
            format!(
                "serves {} because {} (what `current` names) failed its checks at start: {}",
                fallback.serving, fallback.current, fallback.reason
            ),
        )
    } else if !status.server.accepting {
        (
            Light::Red,
            format!("{described}; the server is shutting down"),
        )
    } else if let Some(expected) = thresholds
        .expect_version
        .as_deref()
        .filter(|expected| *expected != version)
    {
        (
            Light::Red,
            format!("{described}; expected version {expected}"),
        )
    } else if age.is_some_and(|age| age > max_age) {
        (
            Light::Red,
            format!(
                "{described}: older than {} (--max-index-age); was the last export published?",
                units::span(max_age)
            ),
        )
    } else if let Some(pin) = &index.pinned {
        (
            Light::Amber,
            format!(
                "{described}; held on {} by a rollback this server alone keeps (`current` could not be repointed: {}): a restart serves `current` again",
                pin.version, pin.reason
            ),
        )
    } else if age.is_none() {
        (
            Light::Amber,
            format!(
                "{described}: an index built in memory has no build time, its age is not checked"
            ),
        )
    } else if age.is_some_and(|age| age.as_secs_f64() > max_age.as_secs_f64() * AMBER_SHARE) {
        (
            Light::Amber,
            format!(
                "{described}: nearing the {} limit (--max-index-age)",
                units::span(max_age)
            ),
        )
    } else {
        (Light::Green, described)
    };
    let summary = match status.totals.index_versions.as_slice() {
        [first, .., last] if light != Light::Red => {
            format!("{summary} (changed during the window: {first} → {last})")
        }
        _ => summary,
    };
    check("index", "Index", light, summary, figures)
}

fn uptime(status: &StatusDocument, thresholds: &Thresholds) -> Check {
    let uptime = Duration::from_secs(status.server.uptime_seconds);
    let started = units::clock(&status.server.started_at);
    let window = Duration::from_secs(u64::from(status.window.minutes) * 60);
    let figures = json!({
        "uptime_seconds": status.server.uptime_seconds,
        "started_at": status.server.started_at,
        "min_uptime_seconds": thresholds.min_uptime.as_secs(),
        "version": status.server.version,
    });
    let (light, summary) = if uptime < thresholds.min_uptime {
        (
            Light::Red,
            format!(
                "up {} only, since {started} UTC (less than {}, --min-uptime): if nobody restarted it, it crashed",
                units::span(uptime),
                units::span(thresholds.min_uptime)
            ),
        )
    } else if uptime < window {
        (
            Light::Amber,
            format!(
                "(re)started during the window, at {started} UTC ({} ago): the figures cover only since then",
                units::span(uptime)
            ),
        )
    } else {
        (
            Light::Green,
            format!("up {}, since {started} UTC", units::span(uptime)),
        )
    };
    check("uptime", "Uptime", light, summary, figures)
}

/// A share of the lookups bounded by an objective.
struct ShareCheck {
    id: &'static str,
    title: &'static str,
    /// What the counted lookups were: "refused for load".
    what: &'static str,
    count: fn(&Tally) -> u64,
    /// The error codes it adds up, shown with their counts.
    codes: &'static [&'static str],
}

/// The busy minutes of `status` where `over` holds, as `HH:MM`.
fn busy_minutes_over(status: &StatusDocument, over: impl Fn(&MinuteStatus) -> bool) -> Vec<String> {
    status
        .minutes
        .iter()
        .filter(|minute| minute.tally.lookups >= BUSY_MINUTE && over(minute))
        .map(|minute| units::clock(&minute.at))
        .collect()
}

fn listed(minutes: &[String]) -> String {
    match minutes {
        [] => String::new(),
        [one] => one.clone(),
        [first, .., last] if minutes.len() > 3 => {
            format!("{} minutes from {first} to {last}", minutes.len())
        }
        several => several.join(", "),
    }
}

fn share(spec: ShareCheck, status: &StatusDocument, limit: Option<f64>) -> Check {
    let totals = &status.totals.tally;
    let count = (spec.count)(totals);
    let share = if totals.lookups == 0 {
        0.0
    } else {
        count as f64 / totals.lookups as f64
    };
    let mut figures = json!({
        "lookups": totals.lookups,
        "count": count,
        "share": share,
        "limit": limit,
    });
    let breakdown: Vec<String> = spec
        .codes
        .iter()
        .filter_map(|code| {
            let n = totals.errors.get(*code).copied().unwrap_or(0);
            figures[*code] = json!(n);
            (n > 0).then(|| format!("{code} {}", units::count(n)))
        })
        .collect();
    let objective = limit.map_or(" (no objective)".to_string(), |limit| {
        format!(", objective {}", units::percent_flag(limit))
    });
    let figure = format!(
        "{} of lookups {} ({} of {}{}){objective}",
        units::percent(share),
        spec.what,
        units::count(count),
        units::count(totals.lookups),
        if breakdown.is_empty() {
            String::new()
        } else {
            format!(": {}", breakdown.join(", "))
        },
    );
    if totals.lookups == 0 {
        return check(
            spec.id,
            spec.title,
            Light::Green,
            "no lookups in the window".to_string(),
            figures,
        );
    }
    let Some(limit) = limit else {
        return check(spec.id, spec.title, Light::Green, figure, figures);
    };
    let busy_over = busy_minutes_over(status, |minute| {
        let count = (spec.count)(&minute.tally);
        count >= MINUTE_EVENTS && count as f64 / minute.tally.lookups as f64 > limit
    });
    let (light, summary) = if share > limit {
        (Light::Red, format!("{figure}: objective missed"))
    } else if !busy_over.is_empty() {
        (
            Light::Amber,
            format!("{figure}; over it at {}", listed(&busy_over)),
        )
    } else if share > limit * AMBER_SHARE {
        (Light::Amber, format!("{figure}: close to the objective"))
    } else {
        (Light::Green, figure)
    };
    figures["minutes_over"] = json!(busy_over);
    check(spec.id, spec.title, light, summary, figures)
}

fn latency(status: &StatusDocument, objectives: &[(Percentile, f64)], totals: &Tally) -> Check {
    let mut figures = json!({
        "answered": totals.latency_ms.map_or(0, |l| l.count),
        "p50_ms": totals.latency_ms.map(|l| l.p50),
        "p90_ms": totals.latency_ms.map(|l| l.p90),
        "p99_ms": totals.latency_ms.map(|l| l.p99),
        "max_ms": totals.latency_ms.map(|l| l.max),
    });
    for (percentile, limit) in objectives {
        figures[format!("{}_limit_ms", percentile.key())] = json!(limit);
    }
    let Some(latency) = totals.latency_ms else {
        return check(
            "latency",
            "Latency",
            Light::Green,
            "no lookups answered in the window".to_string(),
            figures,
        );
    };
    let mut light = Light::Green;
    let mut parts = Vec::new();
    let mut busy_over = Vec::new();
    for (percentile, limit) in objectives {
        let value = percentile.of(&latency);
        let mark = if value > *limit {
            light = Light::Red;
            " — over"
        } else if value > limit * AMBER_SHARE {
            light = light.max(Light::Amber);
            " — close"
        } else {
            ""
        };
        parts.push(format!(
            "{} {} (objective {}{mark})",
            percentile.key(),
            units::millis(value),
            units::millis(*limit)
        ));
        for minute in busy_minutes_over(status, |minute| {
            minute
                .tally
                .latency_ms
                .is_some_and(|l| l.count >= BUSY_MINUTE && percentile.of(&l) > *limit)
        }) {
            if !busy_over.contains(&minute) {
                busy_over.push(minute);
            }
        }
    }
    let judged: Vec<Percentile> = objectives.iter().map(|(p, _)| *p).collect();
    for percentile in [Percentile::P50, Percentile::P90, Percentile::P99] {
        if !judged.contains(&percentile) {
            parts.push(format!(
                "{} {}",
                percentile.key(),
                units::millis(percentile.of(&latency))
            ));
        }
    }
    let mut summary = format!(
        "{} over {} answered searches",
        parts.join(", "),
        units::count(latency.count)
    );
    if !busy_over.is_empty() && light != Light::Red {
        light = light.max(Light::Amber);
        summary.push_str(&format!("; over the objective at {}", listed(&busy_over)));
    }
    figures["minutes_over"] = json!(busy_over);
    check("latency", "Latency", light, summary, figures)
}

fn memory(status: &StatusDocument, thresholds: &Thresholds) -> Check {
    let memory = &status.memory;
    let peak = status
        .totals
        .resident_bytes_max
        .into_iter()
        .chain(memory.resident_bytes)
        .max();
    let mut figures = json!({
        "resident_bytes": memory.resident_bytes,
        "peak_bytes": peak,
        "limit_bytes": memory.limit_bytes,
        "limit_source": memory.limit_source,
        "min_headroom": thresholds.min_memory_headroom,
    });
    let (Some(peak), Some(limit)) = (peak, memory.limit_bytes.filter(|&l| l > 0)) else {
        return check(
            "memory",
            "Memory",
            Light::Amber,
            "the server's system does not report its memory: check it by other means".to_string(),
            figures,
        );
    };
    let free = limit.saturating_sub(peak);
    let headroom = free as f64 / limit as f64;
    figures["headroom"] = json!(headroom);
    let source = match memory.limit_source.as_deref() {
        Some("cgroup") => "its cgroup's limit",
        _ => "the machine's memory",
    };
    let figure = format!(
        "{} resident at the peak, of {} ({source}): {} free",
        units::bytes(peak),
        units::bytes(limit),
        units::percent(headroom)
    );
    let (light, summary) = if headroom < thresholds.min_memory_headroom {
        (
            Light::Red,
            format!(
                "{figure}, under the {} floor (--min-memory-headroom)",
                units::percent_flag(thresholds.min_memory_headroom)
            ),
        )
    } else if free < peak {
        (
            Light::Amber,
            format!(
                "{figure}: a hot swap holds two indexes for a moment, and {} free may not fit a second one",
                units::bytes(free)
            ),
        )
    } else {
        (Light::Green, figure)
    };
    check("memory", "Memory", light, summary, figures)
}

fn reloads(status: &StatusDocument) -> Check {
    let refusals = status.totals.tally.reload_refusals;
    let last = status.index.last_reload.as_ref();
    let figures = json!({
        "refusals": refusals,
        "last_outcome": last.map(|r| &r.outcome),
        "last_at": last.map(|r| &r.at),
        "last_message": last.map(|r| &r.message),
    });
    let last_text = last.map(|r| {
        format!(
            "last reload {} at {} UTC ({}): {}",
            r.outcome,
            units::clock(&r.at),
            r.trigger,
            r.message
        )
    });
    let (light, summary) = match last {
        Some(report) if report.outcome == "refused" => (
            Light::Red,
            format!(
                "the last reload, at {} UTC ({}), was refused: {}; the previous roll keeps serving",
                units::clock(&report.at),
                report.trigger,
                report.message
            ),
        ),
        _ if refusals > 0 => (
            Light::Amber,
            format!(
                "{} reload(s) refused in the window; {}",
                units::count(refusals),
                last_text.unwrap_or_default()
            ),
        ),
        _ => (
            Light::Green,
            match last_text {
                Some(text) => format!("no reload refused in the window; {text}"),
                None => {
                    "no reload in the window (a fixed index, or none since the start)".to_string()
                }
            },
        ),
    };
    check("reloads", "Reloads", light, summary, figures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::document::{
        FallbackStatus, IndexStatus, MemoryStatus, ReloadStatus, ServerStatus, Totals, WindowStatus,
    };
    use std::collections::BTreeMap;

    const GIB: u64 = 1 << 30;

    fn tally(lookups: u64, shed: u64, server_errors: u64, p99: Option<f64>) -> Tally {
        let mut errors = BTreeMap::new();
        if shed > 0 {
            errors.insert("overloaded".to_string(), shed);
        }
        if server_errors > 0 {
            errors.insert("internal".to_string(), server_errors);
        }
        let answered = lookups - shed - server_errors;
        Tally {
            lookups,
            found: answered,
            not_found: 0,
            shed,
            server_errors,
            client_errors: 0,
            degraded: 0,
            reload_refusals: 0,
            errors,
            latency_ms: p99.map(|p99| LatencyMs {
                count: answered,
                p50: p99 / 4.0,
                p90: p99 / 2.0,
                p99,
                max: p99 * 1.5,
            }),
        }
    }

    /// A healthy server, up two hours, an hour's window of ten busy
    /// minutes.
    fn healthy() -> StatusDocument {
        let minutes: Vec<MinuteStatus> = (0..10)
            .map(|i| MinuteStatus {
                at: format!("2026-12-06T08:{i:02}:00Z"),
                tally: tally(100, 0, 0, Some(20.0)),
                resident_bytes: Some(GIB / 4),
                index_version: Some("v1".into()),
            })
            .collect();
        StatusDocument {
            server: ServerStatus {
                version: "0.1.0".into(),
                now: "2026-12-06T09:00:00Z".into(),
                started_at: "2026-12-06T07:00:00Z".into(),
                uptime_seconds: 7_200,
                ready: true,
                accepting: true,
            },
            index: IndexStatus {
                loaded: true,
                version: Some("v1".into()),
                built_at: Some("2026-12-05T20:00:00Z".into()),
                age_seconds: Some(13 * 3_600),
                voters: Some(1_000_000),
                loaded_at: Some("2026-12-06T07:00:01Z".into()),
                fallback: None,
                pinned: None,
                last_reload: None,
            },
            memory: MemoryStatus {
                resident_bytes: Some(GIB / 4),
                limit_bytes: Some(GIB),
                limit_source: Some("cgroup".into()),
            },
            window: WindowStatus {
                minutes: 60,
                from: "2026-12-06T08:01:00Z".into(),
                to: "2026-12-06T09:00:00Z".into(),
            },
            totals: Totals {
                tally: tally(1_000, 0, 0, Some(20.0)),
                resident_bytes_max: Some(GIB / 4),
                index_versions: vec!["v1".into()],
            },
            minutes,
        }
    }

    fn thresholds() -> Thresholds {
        Thresholds {
            objectives: Objectives::parse(None).unwrap(),
            max_index_age: Duration::from_secs(7 * 86_400),
            expect_version: None,
            min_memory_headroom: 0.2,
            min_uptime: Duration::from_secs(600),
        }
    }

    /// The light of check `id` once `change` is applied to a healthy
    /// status, with `tune` applied to the default thresholds.
    fn light_of(
        id: &str,
        change: impl FnOnce(&mut StatusDocument),
        tune: impl FnOnce(&mut Thresholds),
    ) -> (Light, String) {
        let mut status = healthy();
        change(&mut status);
        let mut thresholds = thresholds();
        tune(&mut thresholds);
        let check = judge(&status, &thresholds)
            .into_iter()
            .find(|check| check.check == id)
            .unwrap();
        (check.light, check.summary)
    }

    #[test]
    fn a_healthy_server_is_green_everywhere() {
        let checks = judge(&healthy(), &thresholds());
        let ids: Vec<&str> = checks.iter().map(|c| c.check).collect();
        assert_eq!(
            ids,
            [
                "index", "uptime", "errors", "shed", "degraded", "latency", "memory", "reloads"
            ]
        );
        for check in &checks {
            assert_eq!(check.light, Light::Green, "{check:?}");
        }
        assert_eq!(verdict(&checks), Light::Green);
    }

    #[test]
    fn the_index_is_red_when_missing_stale_unexpected_or_fallen_back() {
        let (light, summary) = light_of("index", |s| s.index.loaded = false, |_| {});
        assert_eq!(light, Light::Red, "{summary}");
        let (light, summary) = light_of(
            "index",
            |_| {},
            |t| {
                t.max_index_age = Duration::from_secs(3_600);
            },
        );
        assert_eq!(light, Light::Red);
        assert!(summary.contains("older than 1 h 00 min"), "{summary}");
        let (light, _) = light_of(
            "index",
            |_| {},
            |t| {
                t.max_index_age = Duration::from_secs(15 * 3_600);
            },
        );
        assert_eq!(light, Light::Amber, "13 h of 15: past 80% of the limit");
        let (light, summary) = light_of("index", |_| {}, |t| t.expect_version = Some("v2".into()));
        assert_eq!(light, Light::Red);
        assert!(summary.contains("expected version v2"), "{summary}");
        let (light, _) = light_of("index", |_| {}, |t| t.expect_version = Some("v1".into()));
        assert_eq!(light, Light::Green);
        let (light, summary) = light_of(
            "index",
            |s| {
                s.index.fallback = Some(FallbackStatus {
                    current: "v2".into(),
                    serving: "v1".into(),
                    reason: "checksum".into(),
                });
            },
            |_| {},
        );
        assert_eq!(light, Light::Red);
        assert!(summary.contains("serves v1 because v2"), "{summary}");
        let (light, _) = light_of("index", |s| s.server.accepting = false, |_| {});
        assert_eq!(light, Light::Red);
        let (light, summary) = light_of(
            "index",
            |s| {
                s.index.built_at = None;
                s.index.age_seconds = None;
            },
            |_| {},
        );
        assert_eq!(light, Light::Amber);
        assert!(summary.contains("no build time"), "{summary}");
    }

    #[test]
    fn uptime_is_red_after_a_restart_and_amber_when_inside_the_window() {
        let (light, summary) = light_of("uptime", |s| s.server.uptime_seconds = 120, |_| {});
        assert_eq!(light, Light::Red);
        assert!(summary.contains("it crashed"), "{summary}");
        let (light, _) = light_of(
            "uptime",
            |s| s.server.uptime_seconds = 120,
            |t| t.min_uptime = Duration::ZERO,
        );
        assert_eq!(light, Light::Amber, "restarted inside the hour's window");
        let (light, _) = light_of("uptime", |s| s.window.minutes = 240, |_| {});
        assert_eq!(light, Light::Amber, "up 2 h of a 4 h window");
    }

    #[test]
    fn shares_are_red_past_the_objective_and_amber_near_it_or_in_a_busy_minute() {
        // 1% objective: 2% shed is red.
        let (light, summary) = light_of(
            "shed",
            |s| s.totals.tally = tally(1_000, 20, 0, Some(20.0)),
            |_| {},
        );
        assert_eq!(light, Light::Red);
        assert!(
            summary.contains("2.00% of lookups refused for load"),
            "{summary}"
        );
        assert!(summary.contains("overloaded 20"), "{summary}");
        // 0.9% is close.
        let (light, _) = light_of(
            "shed",
            |s| s.totals.tally = tally(1_000, 9, 0, Some(20.0)),
            |_| {},
        );
        assert_eq!(light, Light::Amber);
        // Within it over the window, but one busy minute shed 10%.
        let (light, summary) = light_of(
            "shed",
            |s| {
                s.totals.tally = tally(1_000, 5, 0, Some(20.0));
                s.minutes[3].tally = tally(50, 5, 0, Some(20.0));
            },
            |_| {},
        );
        assert_eq!(light, Light::Amber);
        assert!(summary.contains("over it at 08:03"), "{summary}");
        // A single refusal in a busy minute is no trend.
        let (light, _) = light_of(
            "shed",
            |s| {
                s.totals.tally = tally(1_000, 1, 0, Some(20.0));
                s.minutes[3].tally = tally(50, 1, 0, Some(20.0));
            },
            |_| {},
        );
        assert_eq!(light, Light::Green);
        // A quiet minute's refusals do not count.
        let (light, _) = light_of(
            "shed",
            |s| {
                s.totals.tally = tally(1_000, 3, 0, Some(20.0));
                s.minutes[3].tally = tally(5, 3, 0, Some(20.0));
            },
            |_| {},
        );
        assert_eq!(light, Light::Green);
        // Server errors against their own objective (0.5%).
        let (light, _) = light_of(
            "errors",
            |s| s.totals.tally = tally(1_000, 0, 6, Some(20.0)),
            |_| {},
        );
        assert_eq!(light, Light::Red);
        // No objective, or no lookups: green.
        let (light, _) = light_of(
            "errors",
            |s| s.totals.tally = tally(1_000, 0, 600, Some(20.0)),
            |t| t.objectives.errors = None,
        );
        assert_eq!(light, Light::Green);
        let (light, summary) = light_of("shed", |s| s.totals.tally = tally(0, 0, 0, None), |_| {});
        assert_eq!(
            (light, summary.as_str()),
            (Light::Green, "no lookups in the window")
        );
    }

    #[test]
    fn latency_is_judged_on_each_objective_percentile() {
        let (light, summary) = light_of(
            "latency",
            |s| s.totals.tally = tally(1_000, 0, 0, Some(150.0)),
            |_| {},
        );
        assert_eq!(light, Light::Red);
        assert!(
            summary.contains("p99 150 ms (objective 100 ms — over)"),
            "{summary}"
        );
        let (light, _) = light_of(
            "latency",
            |s| s.totals.tally = tally(1_000, 0, 0, Some(90.0)),
            |_| {},
        );
        assert_eq!(light, Light::Amber);
        let (light, summary) = light_of(
            "latency",
            |s| s.minutes[9].tally = tally(100, 0, 0, Some(400.0)),
            |_| {},
        );
        assert_eq!(light, Light::Amber);
        assert!(summary.contains("at 08:09"), "{summary}");
        // A p50 objective is judged on the median (20 / 4 = 5 ms).
        let (light, _) = light_of(
            "latency",
            |_| {},
            |t| t.objectives = Objectives::parse(Some("p50=4ms,p99=off")).unwrap(),
        );
        assert_eq!(light, Light::Red);
        let (light, _) = light_of("latency", |s| s.totals.tally = tally(0, 0, 0, None), |_| {});
        assert_eq!(light, Light::Green);
    }

    #[test]
    fn memory_is_red_under_its_floor_and_amber_without_room_for_a_swap() {
        let (light, summary) = light_of(
            "memory",
            |s| s.totals.resident_bytes_max = Some(GIB * 9 / 10),
            |_| {},
        );
        assert_eq!(light, Light::Red);
        assert!(summary.contains("10.0% free"), "{summary}");
        let (light, summary) = light_of(
            "memory",
            |s| s.totals.resident_bytes_max = Some(GIB * 6 / 10),
            |_| {},
        );
        assert_eq!(light, Light::Amber);
        assert!(summary.contains("hot swap"), "{summary}");
        let (light, _) = light_of("memory", |s| s.memory.limit_bytes = None, |_| {});
        assert_eq!(light, Light::Amber);
    }

    #[test]
    fn a_refused_last_reload_is_red_an_earlier_one_amber() {
        let reload = |outcome: &str| ReloadStatus {
            outcome: outcome.into(),
            trigger: "watch".into(),
            at: "2026-12-06T08:30:00Z".into(),
            seconds: 0.4,
            message: "canary 0001/12 not found".into(),
        };
        let (light, summary) = light_of(
            "reloads",
            |s| {
                s.index.last_reload = Some(reload("refused"));
                s.totals.tally.reload_refusals = 1;
            },
            |_| {},
        );
        assert_eq!(light, Light::Red);
        assert!(summary.contains("canary 0001/12 not found"), "{summary}");
        let (light, _) = light_of(
            "reloads",
            |s| {
                s.index.last_reload = Some(reload("swapped"));
                s.totals.tally.reload_refusals = 1;
            },
            |_| {},
        );
        assert_eq!(light, Light::Amber);
    }

    #[test]
    fn objectives_take_defaults_overrides_and_offs() {
        let defaults = Objectives::parse(None).unwrap();
        assert_eq!(defaults.latency, [(Percentile::P99, 100.0)]);
        assert_eq!(
            (defaults.errors, defaults.shed, defaults.degraded),
            (Some(0.005), Some(0.01), Some(0.05))
        );
        let tuned = Objectives::parse(Some("p99=50ms, p90=20ms, shed=2%, degraded=off")).unwrap();
        assert_eq!(
            tuned.latency,
            [(Percentile::P90, 20.0), (Percentile::P99, 50.0)]
        );
        assert_eq!((tuned.shed, tuned.degraded), (Some(0.02), None));
        assert_eq!(tuned.errors, Some(0.005));
        assert_eq!(
            tuned.text(),
            "p90=20ms,p99=50ms,errors=0.5%,shed=2%,degraded=off"
        );
        for (text, why) in [
            ("p99", "not KEY=LIMIT"),
            ("p95=10ms", "unknown objective `p95`"),
            (
                "p99=fast",
                "p99: duration `fast` does not start with a number",
            ),
            ("errors=200%", "errors: share `200%` is not from 0% to 100%"),
        ] {
            let error = Objectives::parse(Some(text)).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }
}
