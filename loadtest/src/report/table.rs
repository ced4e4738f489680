//! The end-of-run summary printed on stdout: a row per class and one for
//! the whole run, then the schedule, the errors and the verdict.

use std::fmt::Write;

use super::Report;
use crate::units::format_ms;

/// The summary as plain text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "loadtest: {} over {}, profile {} ({} arrivals), {:.0}s, peak {:.0} req/s, traffic {}",
        report.target,
        report.protocol,
        report.profile,
        report.arrivals,
        report.duration_s,
        report.peak_rps,
        report.traffic,
    );
    let _ = writeln!(
        out,
        "{:<10} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "class",
        "offered/s",
        "achieved/s",
        "ok",
        "degraded",
        "shed",
        "rate_ltd",
        "error",
        "not_sent",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "max"
    );
    for row in report.rows() {
        let latency = row.latency;
        let figure = |ms: f64| {
            if latency.samples == 0 {
                "-".to_string()
            } else {
                format_ms(ms)
            }
        };
        let _ = writeln!(
            out,
            "{:<10} {:>10.1} {:>10.1} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
            row.name,
            row.offered_rps,
            row.achieved_rps,
            row.counts.ok,
            row.counts.degraded,
            row.counts.shed,
            row.counts.rate_limited,
            row.counts.error,
            row.counts.not_sent,
            figure(latency.p50),
            figure(latency.p90),
            figure(latency.p99),
            figure(latency.p999),
            figure(latency.max),
        );
    }
    let _ = writeln!(
        out,
        "service time (from the actual send): p50 {}, p99 {}, max {}",
        format_ms(report.service_time_ms.p50),
        format_ms(report.service_time_ms.p99),
        format_ms(report.service_time_ms.max),
    );
    let _ = writeln!(out, "schedule: {}", report.schedule_note());
    if !report.errors.is_empty() {
        let causes: Vec<String> = report
            .errors
            .iter()
            .map(|(cause, count)| format!("{cause}: {count}"))
            .collect();
        let _ = writeln!(out, "errors: {}", causes.join(", "));
    }
    match &report.slo {
        None => {
            let _ = writeln!(out, "verdict: none (no --slo given)");
        }
        Some(verdict) => {
            let objectives: Vec<String> = verdict
                .objectives
                .iter()
                .map(|objective| {
                    format!(
                        "{} {} (limit {}) {}",
                        objective.objective,
                        objective.actual,
                        objective.limit,
                        if objective.pass { "ok" } else { "MISSED" }
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "verdict: {}: {}",
                if verdict.pass { "PASS" } else { "FAIL" },
                objectives.join("; ")
            );
        }
    }
    out
}
