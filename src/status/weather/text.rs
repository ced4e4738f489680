//! The report as plain text: for a terminal, a mail body or a log. One
//! line per light, sparklines of the window, the totals, the thresholds.

use std::fmt::Write as _;
use std::path::Path;

use super::lights::Light;
use super::series::{self, Column, Series};
use super::units;
use super::{EXIT_RED, Report};
use crate::status::document::window_text;

/// Columns of a sparkline.
pub const CHART_COLUMNS: usize = 60;

/// Eight heights, lowest first; a column with nothing is a space, one
/// with no data (before the server started) a dot.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The light as a fixed-width word.
fn word(light: Light) -> &'static str {
    match light {
        Light::Green => "GREEN",
        Light::Amber => "AMBER",
        Light::Red => "RED  ",
    }
}

/// How many checks have each light: `1 red, 2 amber, 5 green`.
pub fn tally_of_lights(report: &Report) -> String {
    let count = |light| report.checks.iter().filter(|c| c.light == light).count();
    format!(
        "{} red, {} amber, {} green",
        count(Light::Red),
        count(Light::Amber),
        count(Light::Green)
    )
}

/// One line: the verdict, the counts of lights, where the report went.
pub fn headline(report: &Report, out: Option<&Path>) -> String {
    let mut line = format!(
        "weather: {} ({}) for {}",
        report.verdict.as_str().to_uppercase(),
        tally_of_lights(report),
        report.target
    );
    if let Some(out) = out {
        let _ = write!(line, "; report written to {}", out.display());
    }
    line
}

/// A sparkline of `value` over the series' columns, scaled to `highest`.
pub fn sparkline(series: &Series, highest: f64, value: impl Fn(&Column) -> Option<f64>) -> String {
    series
        .columns
        .iter()
        .map(|column| match column {
            None => '·',
            Some(column) => match value(column) {
                None => ' ',
                Some(v) if v <= 0.0 || highest <= 0.0 => ' ',
                Some(v) => {
                    let level = ((v / highest) * BLOCKS.len() as f64).ceil() as usize;
                    BLOCKS[level.clamp(1, BLOCKS.len()) - 1]
                }
            },
        })
        .collect()
}

/// The whole report.
pub fn render(report: &Report) -> String {
    let status = &report.status;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Météo of voter-lookup {} at {}",
        status.server.version, report.target
    );
    let _ = writeln!(
        out,
        "{} UTC, window {} ({}–{} UTC)",
        status.server.now.replace('T', " ").trim_end_matches('Z'),
        window_text(report.window.minutes),
        units::clock(&report.window.from),
        units::clock(&report.window.to),
    );
    let _ = writeln!(
        out,
        "\nVerdict: {} — {}; exit code {}\n",
        report.verdict.as_str().to_uppercase(),
        tally_of_lights(report),
        report.exit_code
    );
    for check in &report.checks {
        let _ = writeln!(
            out,
            "  {}  {:<14} {}",
            word(check.light),
            check.title,
            check.summary
        );
    }

    let series = series::columns(status, CHART_COLUMNS);
    let per = match series.minutes_per_column {
        1 => "1 column = 1 minute".to_string(),
        n => format!("1 column = {n} minutes"),
    };
    let lookups_high = series.highest(|c| Some(c.lookups)).unwrap_or(0);
    let _ = writeln!(
        out,
        "\nLookups, {}–{} UTC ({per}, highest {}; · no data)",
        series.from,
        series.to,
        units::count(lookups_high)
    );
    let _ = writeln!(
        out,
        "  |{}|",
        sparkline(&series, lookups_high as f64, |c| Some(c.lookups as f64))
    );
    let shed_high = series.highest(|c| Some(c.shed)).unwrap_or(0);
    if shed_high > 0 {
        let _ = writeln!(out, "Shed (highest {})", units::count(shed_high));
        let _ = writeln!(
            out,
            "  |{}|",
            sparkline(&series, shed_high as f64, |c| Some(c.shed as f64))
        );
    }
    let p99_high = series.highest(|c| c.p99_ms).unwrap_or(0.0);
    let objective = report
        .checks
        .iter()
        .find(|c| c.check == "latency")
        .and_then(|c| c.figures.get("p99_limit_ms"))
        .and_then(|v| v.as_f64());
    let _ = writeln!(
        out,
        "p99 latency{} (highest {}{})",
        if series.minutes_per_column > 1 {
            ", the highest minute of each column"
        } else {
            " per minute"
        },
        units::millis(p99_high),
        objective.map_or(String::new(), |ms| format!(
            ", objective {}",
            units::millis(ms)
        ))
    );
    let _ = writeln!(
        out,
        "  |{}|",
        sparkline(&series, p99_high.max(objective.unwrap_or(0.0)), |c| c
            .p99_ms)
    );

    let totals = &report.totals.tally;
    let _ = writeln!(
        out,
        "\nTotals: {} lookups — {} found, {} found nobody with confidence, {} shed, {} server errors, {} refused for the caller's doing; {} in degraded mode",
        units::count(totals.lookups),
        units::count(totals.found),
        units::count(totals.not_found),
        units::count(totals.shed),
        units::count(totals.server_errors),
        units::count(totals.client_errors),
        units::count(totals.degraded),
    );
    if !totals.errors.is_empty() {
        let codes: Vec<String> = totals
            .errors
            .iter()
            .map(|(code, n)| format!("{code} {}", units::count(*n)))
            .collect();
        let _ = writeln!(out, "  by error code: {}", codes.join(", "));
    }
    if let Some(latency) = totals.latency_ms {
        let _ = writeln!(
            out,
            "  latency of {} answered: p50 {}, p90 {}, p99 {}, max {}",
            units::count(latency.count),
            units::millis(latency.p50),
            units::millis(latency.p90),
            units::millis(latency.p99),
            units::millis(latency.max)
        );
    }
    let _ = writeln!(out, "\nThresholds: {}", report.thresholds.flags());
    let _ = writeln!(
        out,
        "GREEN: nothing to do. AMBER: look when you can. RED: act now (exit code {EXIT_RED})."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_highest_and_mark_missing_data() {
        let series = Series {
            minutes_per_column: 1,
            columns: vec![
                None,
                Some(Column::default()),
                Some(Column {
                    lookups: 1,
                    ..Column::default()
                }),
                Some(Column {
                    lookups: 8,
                    ..Column::default()
                }),
                Some(Column {
                    lookups: 4,
                    ..Column::default()
                }),
            ],
            first_minute: 0,
            from: "08:00".into(),
            to: "08:05".into(),
        };
        assert_eq!(sparkline(&series, 8.0, |c| Some(c.lookups as f64)), "· ▁█▄");
        assert_eq!(sparkline(&series, 0.0, |c| Some(c.lookups as f64)), "·    ");
    }
}
