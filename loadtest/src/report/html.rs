//! The HTML report (`--html OUT.html`): one self-contained page, no
//! script, no external resource, that a rehearsal team can open, archive
//! and mail. It gives the verdict, whether the harness kept to its
//! schedule, the summary figures per class, and three charts drawn here as
//! inline SVG: offered vs achieved rate over time, latency percentiles
//! over time (log scale), and the shed and degraded share over time.

use std::fmt::Write;
use std::path::Path;

use super::Report;
use crate::units::{format_ms, format_percent};

/// Title of the rate chart.
pub const RATE_CHART: &str = "Offered vs achieved rate";
/// Title of the latency chart.
pub const LATENCY_CHART: &str = "Latency percentiles over time";
/// Title of the share chart.
pub const SHARE_CHART: &str = "Shed and degraded share over time";

/// Writes the page to `path`.
pub fn write(report: &Report, path: &Path) -> std::io::Result<()> {
    std::fs::write(path, render(report))
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut page = String::with_capacity(64 * 1024);
    let title = format!("Rehearsal of {} ({})", report.target, report.protocol);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        page,
        "<p class=\"setup\">Started {} · profile <b>{}</b> ({} arrivals) · {:.0} s planned, peak {:.0} req/s · traffic: {} · at most {} in flight · deadline {} ms · {}</p>",
        escape(&report.started_at),
        escape(&report.profile),
        escape(&report.arrivals),
        report.duration_s,
        report.peak_rps,
        escape(&report.traffic),
        report.max_in_flight,
        report.timeout_ms,
        escape(&report.tool),
    );
    verdict_section(&mut page, report);
    let schedule_class = if report.schedule.fell_behind {
        "banner warn"
    } else {
        "banner neutral"
    };
    let _ = writeln!(
        page,
        "<p class=\"{schedule_class}\" id=\"schedule\">Schedule: {}</p>",
        escape(&report.schedule_note())
    );
    figures_section(&mut page, report);
    table_section(&mut page, report);
    if !report.errors.is_empty() {
        page.push_str("<h2>Errors by cause</h2>\n<ul class=\"errors\">\n");
        for (cause, count) in &report.errors {
            let _ = writeln!(page, "<li>{}: {count}</li>", escape(cause));
        }
        page.push_str("</ul>\n");
    }
    page.push_str("<h2>Over time</h2>\n");
    let charts = Charts::new(report);
    page.push_str(&charts.rate());
    page.push_str(&charts.latency());
    page.push_str(&charts.shares());
    let _ = writeln!(
        page,
        "<p class=\"note\">Latency is measured from each request's intended send time (coordinated omission corrected); each second shows the requests scheduled in it, except <i>achieved</i>, the requests that finished in it. Requests: ok, degraded (answered in overload mode), shed (503 overloaded / UNAVAILABLE, 504 / DEADLINE_EXCEEDED), rate limited (429 / RESOURCE_EXHAUSTED), error (anything else), not sent (the harness fell behind). The same figures are in the JSON result.</p>\n</body>\n</html>"
    );
    page
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1000px;color:#1d2733;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}
.setup,.note{color:#4a5766;font-size:.9rem}
.banner{padding:.75rem 1rem;border-radius:6px;font-weight:600}
.pass{background:#e3f5e8;color:#14532d;border:1px solid #86d19b}
.fail{background:#fde8e8;color:#7f1d1d;border:1px solid #f0a3a3}
.warn{background:#fff4dc;color:#713f12;border:1px solid #f1c76b}
.neutral{background:#eef2f6;color:#334155;border:1px solid #cbd5e1;font-weight:400}
.figures{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.figure{border:1px solid #d5dde6;border-radius:6px;padding:.5rem .9rem;min-width:7.5rem}
.figure b{display:block;font-size:1.3rem}.figure span{font-size:.8rem;color:#4a5766}
table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e2e8f0;text-align:right}
th:first-child,td:first-child{text-align:left}tr.all td{font-weight:600;border-top:2px solid #94a3b8}
figure{margin:1rem 0 2rem}figcaption{font-weight:600;margin-bottom:.25rem}
svg{width:100%;height:auto;background:#fbfcfd;border:1px solid #e2e8f0;border-radius:4px}
svg text{font-size:11px;fill:#4a5766}
ul.errors{font-size:.9rem}
";

fn verdict_section(page: &mut String, report: &Report) {
    match &report.slo {
        None => {
            page.push_str("<p class=\"banner neutral\" id=\"verdict\">Verdict: none (no objectives given with --slo).</p>\n");
        }
        Some(verdict) => {
            let (class, word) = if verdict.pass {
                ("pass", "PASS")
            } else {
                ("fail", "FAIL")
            };
            let _ = writeln!(
                page,
                "<div class=\"banner {class}\" id=\"verdict\">Verdict: {word}<table class=\"objectives\"><tr><th>objective</th><th>limit</th><th>measured</th><th>held</th></tr>"
            );
            for objective in &verdict.objectives {
                let _ = writeln!(
                    page,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&objective.objective),
                    escape(&objective.limit),
                    escape(&objective.actual),
                    if objective.pass { "yes" } else { "NO" }
                );
            }
            page.push_str("</table></div>\n");
        }
    }
}

fn figures_section(page: &mut String, report: &Report) {
    let total = report.counts.total().max(1) as f64;
    let latency = &report.latency_ms;
    let latency_figure = |ms: f64| {
        if latency.samples == 0 {
            "-".to_string()
        } else {
            format_ms(ms)
        }
    };
    let figures = [
        ("offered", format!("{:.1}/s", report.offered_rps)),
        ("achieved", format!("{:.1}/s", report.achieved_rps)),
        ("requests", report.offered.to_string()),
        ("ok", format_percent(report.counts.ok as f64 / total)),
        (
            "degraded",
            format_percent(report.counts.degraded as f64 / total),
        ),
        ("shed", format_percent(report.counts.shed as f64 / total)),
        (
            "rate limited",
            format_percent(report.counts.rate_limited as f64 / total),
        ),
        ("errors", format_percent(report.counts.error as f64 / total)),
        ("p50", latency_figure(latency.p50)),
        ("p99", latency_figure(latency.p99)),
        ("p99.9", latency_figure(latency.p999)),
        ("max", latency_figure(latency.max)),
    ];
    page.push_str("<div class=\"figures\" id=\"figures\">\n");
    for (label, value) in figures {
        let _ = writeln!(
            page,
            "<div class=\"figure\"><b>{}</b><span>{}</span></div>",
            escape(&value),
            escape(label)
        );
    }
    page.push_str("</div>\n");
}

fn table_section(page: &mut String, report: &Report) {
    page.push_str("<h2>Per class</h2>\n<table id=\"summary\">\n<tr><th>class</th><th>offered/s</th><th>achieved/s</th><th>ok</th><th>degraded</th><th>shed</th><th>rate limited</th><th>error</th><th>not sent</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n");
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
            page,
            "<tr{}><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if row.name == "all" {
                " class=\"all\""
            } else {
                ""
            },
            escape(row.name),
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
    page.push_str("</table>\n");
}

/// The three charts of a report.
struct Charts<'a> {
    report: &'a Report,
    x_end: f64,
}

impl<'a> Charts<'a> {
    fn new(report: &'a Report) -> Charts<'a> {
        let x_end = (report.timeline.len() as f64)
            .max(report.duration_s)
            .max(1.0);
        Charts { report, x_end }
    }

    fn per_second(&self, value: impl Fn(&super::SecondReport) -> Option<f64>) -> Vec<Option<f64>> {
        self.report.timeline.iter().map(value).collect()
    }

    fn rate(&self) -> String {
        let mut series = vec![
            Series::new(
                "planned",
                "#94a3b8",
                true,
                self.per_second(|s| Some(s.planned_rps)),
            ),
            Series::new(
                "offered",
                "#2563eb",
                false,
                self.per_second(|s| Some(s.offered as f64)),
            ),
            Series::new(
                "achieved",
                "#16a34a",
                false,
                self.per_second(|s| Some(s.achieved as f64)),
            ),
        ];
        if self.report.schedule.late > 0 {
            series.push(Series::new(
                "sent late",
                "#dc2626",
                true,
                self.per_second(|s| Some(s.late as f64)),
            ));
        }
        self.chart(
            RATE_CHART,
            "requests per second",
            Scale::Linear,
            Unit::Rate,
            series,
        )
    }

    fn latency(&self) -> String {
        let pick = |f: fn(&crate::record::Latency) -> f64| {
            self.per_second(move |s| s.latency_ms.as_ref().map(f))
        };
        let series = vec![
            Series::new("p50", "#16a34a", false, pick(|l| l.p50)),
            Series::new("p90", "#2563eb", false, pick(|l| l.p90)),
            Series::new("p99", "#d97706", false, pick(|l| l.p99)),
            Series::new("max", "#dc2626", true, pick(|l| l.max)),
        ];
        self.chart(
            LATENCY_CHART,
            "latency (log scale)",
            Scale::Log,
            Unit::Millis,
            series,
        )
    }

    fn shares(&self) -> String {
        let share = |count: fn(&super::SecondReport) -> u64| {
            self.per_second(move |s| {
                (s.offered > 0).then(|| 100.0 * count(s) as f64 / s.offered as f64)
            })
        };
        let series = vec![
            Series::new("shed", "#dc2626", false, share(|s| s.counts.shed)),
            Series::new("degraded", "#d97706", false, share(|s| s.counts.degraded)),
            Series::new(
                "rate limited",
                "#7c3aed",
                false,
                share(|s| s.counts.rate_limited),
            ),
            Series::new(
                "error + not sent",
                "#1d2733",
                true,
                share(|s| s.counts.error + s.counts.not_sent),
            ),
        ];
        self.chart(
            SHARE_CHART,
            "share of the second's requests",
            Scale::Linear,
            Unit::Percent,
            series,
        )
    }

    fn chart(
        &self,
        title: &str,
        y_label: &str,
        scale: Scale,
        unit: Unit,
        series: Vec<Series>,
    ) -> String {
        let chart = LineChart {
            title,
            y_label,
            scale,
            unit,
            series,
            x_end: self.x_end,
            planned_end: self.report.duration_s,
        };
        chart.render()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scale {
    Linear,
    Log,
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Rate,
    Millis,
    Percent,
}

impl Unit {
    fn label(self, value: f64) -> String {
        match self {
            Unit::Rate => compact_number(value),
            Unit::Percent => format!("{}%", compact_number(value)),
            Unit::Millis if value >= 1_000.0 => format!("{}s", compact_number(value / 1_000.0)),
            Unit::Millis => format!("{}ms", compact_number(value)),
        }
    }
}

fn compact_number(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{:.0}k", value / 1_000.0)
    } else if value == value.round() {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

struct Series {
    name: &'static str,
    color: &'static str,
    dashed: bool,
    /// One value per second; `None` leaves a gap.
    values: Vec<Option<f64>>,
}

impl Series {
    fn new(
        name: &'static str,
        color: &'static str,
        dashed: bool,
        values: Vec<Option<f64>>,
    ) -> Series {
        Series {
            name,
            color,
            dashed,
            values,
        }
    }
}

struct LineChart<'a> {
    title: &'a str,
    y_label: &'a str,
    scale: Scale,
    unit: Unit,
    series: Vec<Series>,
    x_end: f64,
    planned_end: f64,
}

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 40.0;

impl LineChart<'_> {
    fn render(&self) -> String {
        let values = || {
            self.series
                .iter()
                .flat_map(|series| series.values.iter().flatten().copied())
                .filter(|value| value.is_finite())
        };
        let (y_low, y_high, y_ticks) = match self.scale {
            Scale::Linear => {
                let floor = if self.unit == Unit::Percent {
                    1.0
                } else {
                    1e-9
                };
                let high = values().fold(floor, f64::max);
                let step = nice_step(high / 5.0);
                let top = (high / step).ceil() * step;
                let ticks = (0..=((top / step).round() as usize))
                    .map(|i| i as f64 * step)
                    .collect::<Vec<_>>();
                (0.0, top, ticks)
            }
            Scale::Log => {
                let positive = || values().filter(|value| *value > 0.0);
                let low = positive().fold(f64::INFINITY, f64::min);
                let high = positive().fold(0.0, f64::max);
                let (low, high) = if low.is_finite() {
                    (low, high)
                } else {
                    (1.0, 10.0)
                };
                let low_exp = low.log10().floor() as i32;
                let mut high_exp = high.log10().ceil() as i32;
                if high_exp <= low_exp {
                    high_exp = low_exp + 1;
                }
                let ticks = (low_exp..=high_exp).map(|e| 10f64.powi(e)).collect();
                (10f64.powi(low_exp), 10f64.powi(high_exp), ticks)
            }
        };
        let plot_width = WIDTH - LEFT - RIGHT;
        let plot_height = HEIGHT - TOP - BOTTOM;
        let x = |t: f64| LEFT + t / self.x_end * plot_width;
        let y = |value: f64| {
            let fraction = match self.scale {
                Scale::Linear => (value - y_low) / (y_high - y_low),
                Scale::Log => {
                    (value.max(y_low).log10() - y_low.log10()) / (y_high.log10() - y_low.log10())
                }
            };
            TOP + (1.0 - fraction.clamp(0.0, 1.0)) * plot_height
        };

        let mut svg = String::with_capacity(16 * 1024);
        let _ = writeln!(
            svg,
            "<figure>\n<figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>",
            escape(self.title),
            escape(self.title),
            escape(self.title)
        );
        // Grid and y axis labels.
        for tick in &y_ticks {
            let ty = y(*tick);
            let _ = writeln!(
                svg,
                "<line x1=\"{LEFT}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"#e2e8f0\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                WIDTH - RIGHT,
                LEFT - 6.0,
                ty + 4.0,
                escape(&self.unit.label(*tick))
            );
        }
        // x axis: seconds.
        let x_step = nice_step(self.x_end / 8.0).max(1.0);
        let mut t = 0.0;
        while t <= self.x_end + 1e-9 {
            let tx = x(t);
            let _ = writeln!(
                svg,
                "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#94a3b8\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}s</text>",
                TOP + plot_height,
                TOP + plot_height + 5.0,
                TOP + plot_height + 18.0,
                compact_number(t)
            );
            t += x_step;
        }
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{:.1}\" stroke=\"#94a3b8\"/><line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#94a3b8\"/>",
            TOP + plot_height,
            TOP + plot_height,
            WIDTH - RIGHT,
            TOP + plot_height
        );
        let _ = writeln!(
            svg,
            "<text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">seconds from the start</text>",
            TOP + plot_height / 2.0,
            TOP + plot_height / 2.0,
            escape(self.y_label),
            LEFT + plot_width / 2.0,
            HEIGHT - 4.0
        );
        if self.planned_end < self.x_end - 1e-9 {
            let tx = x(self.planned_end);
            let _ = writeln!(
                svg,
                "<line x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#64748b\" stroke-dasharray=\"2 3\"/><text x=\"{:.1}\" y=\"{:.1}\">planned end</text>",
                TOP + plot_height,
                tx + 3.0,
                TOP + 12.0
            );
        }
        // Series, then the legend above the plot.
        for series in &self.series {
            let mut path = String::new();
            let mut pen_down = false;
            for (second, value) in series.values.iter().enumerate() {
                match value {
                    Some(value)
                        if value.is_finite() && (self.scale == Scale::Linear || *value > 0.0) =>
                    {
                        let _ = write!(
                            path,
                            "{}{:.1} {:.1} ",
                            if pen_down { "L" } else { "M" },
                            x(second as f64 + 0.5),
                            y(*value)
                        );
                        pen_down = true;
                    }
                    _ => pen_down = false,
                }
            }
            if path.is_empty() {
                continue;
            }
            let _ = writeln!(
                svg,
                "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{}><title>{}</title></path>",
                path.trim_end(),
                series.color,
                if series.dashed {
                    " stroke-dasharray=\"5 4\""
                } else {
                    ""
                },
                escape(series.name)
            );
        }
        let mut legend_x = LEFT;
        for series in &self.series {
            let _ = writeln!(
                svg,
                "<line x1=\"{legend_x:.1}\" y1=\"14\" x2=\"{:.1}\" y2=\"14\" stroke=\"{}\" stroke-width=\"2.5\"{}/><text x=\"{:.1}\" y=\"18\">{}</text>",
                legend_x + 18.0,
                series.color,
                if series.dashed {
                    " stroke-dasharray=\"5 4\""
                } else {
                    ""
                },
                legend_x + 22.0,
                escape(series.name)
            );
            legend_x += 30.0 + 7.0 * series.name.len() as f64;
        }
        svg.push_str("</svg>\n</figure>\n");
        svg
    }
}

/// A round step (1, 2 or 5 times a power of ten) near `rough`.
fn nice_step(rough: f64) -> f64 {
    if !(rough.is_finite() && rough > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(rough.log10().floor());
    let fraction = rough / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Escapes text for HTML and SVG.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(260.0), 500.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn axis_labels_read_well() {
        assert_eq!(Unit::Millis.label(0.01), "0.01ms");
        assert_eq!(Unit::Millis.label(1_000.0), "1s");
        assert_eq!(Unit::Rate.label(50_000.0), "50k");
        assert_eq!(Unit::Percent.label(2.5), "2.5%");
    }
}
