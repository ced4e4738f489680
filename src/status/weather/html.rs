//! The report as one self-contained HTML page, to mail or to open in a
//! browser: the verdict, a row per light, charts of traffic, latency and
//! memory as inline SVG, the totals and the thresholds. No script, no
//! style sheet, font or image from elsewhere: the file is the whole page.

use std::fmt::Write as _;

use super::lights::{Check, Light};
use super::series::{self, Column, Series};
use super::text::tally_of_lights;
use super::units;
use super::{EXIT_RED, Report};
use crate::status::document::window_text;

/// Columns of a chart: a bar per minute up to four hours.
const CHART_COLUMNS: usize = 240;

/// The chart's drawing box.
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 748.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 186.0;

const FOUND: &str = "#2f6fbf";
const NOT_FOUND: &str = "#93b4e0";
const SHED: &str = "#d97a00";
const ERRORS: &str = "#c62828";
const P50: &str = "#2f6fbf";
const P99: &str = "#6a1b9a";
const MEMORY: &str = "#00796b";
const OBJECTIVE: &str = "#c62828";

/// `text` fit for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1f2328; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main, header, footer { max-width: 980px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
.meta { color: #4a5058; margin: 0 0 16px; }
.verdict { display: flex; align-items: center; gap: 14px; padding: 14px 18px; border-radius: 10px; border: 2px solid; font-size: 17px; margin: 0; }
.verdict strong { font-size: 22px; letter-spacing: .04em; }
.green { background: #e6f4ea; border-color: #1e7b34; color: #145c27; }
.amber { background: #fff4d6; border-color: #b26a00; color: #6e4300; }
.red { background: #fde7e7; border-color: #c62828; color: #8e1c1c; }
table { width: 100%; border-collapse: separate; border-spacing: 0 6px; }
th, td { text-align: left; vertical-align: top; padding: 10px 12px; }
thead th { font-size: 13px; color: #4a5058; padding-bottom: 0; font-weight: 600; }
tbody th { white-space: nowrap; width: 9em; }
tbody tr { background: #fff; }
tbody td:first-child { border-radius: 8px 0 0 8px; width: 6.5em; }
tbody td:last-child { border-radius: 0 8px 8px 0; }
.badge { display: inline-block; min-width: 4.6em; padding: 2px 8px; border-radius: 999px; border: 1.5px solid; font-weight: 700; font-size: 13px; text-align: center; letter-spacing: .03em; }
figure { margin: 0 0 18px; background: #fff; border-radius: 10px; padding: 12px 14px 8px; }
figcaption { color: #3d434a; font-size: 14px; margin-bottom: 6px; }
svg { display: block; width: 100%; height: auto; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: 6px 0 0; font-size: 13px; color: #3d434a; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.line { display: inline-block; width: 18px; height: 0; border-top: 3px solid; margin-right: 6px; vertical-align: 3px; }
.dashed { border-top-style: dashed; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; background: #fff; border-radius: 10px; padding: 14px 18px; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
footer { color: #4a5058; font-size: 13px; padding-bottom: 32px; }
code { font-size: 13px; background: #eceef1; padding: 1px 4px; border-radius: 4px; }
"#;

fn badge(light: Light) -> String {
    let symbol = match light {
        Light::Green => "●",
        Light::Amber => "▲",
        Light::Red => "■",
    };
    format!(
        r#"<span class="badge {light}"><span aria-hidden="true">{symbol}</span> {word}</span>"#,
        light = light.as_str(),
        word = light.as_str().to_uppercase()
    )
}

fn row(check: &Check) -> String {
    format!(
        r#"<tr data-check="{id}" data-light="{light}"><td>{badge}</td><th scope="row">{title}</th><td>{summary}</td></tr>"#,
        id = check.check,
        light = check.light.as_str(),
        badge = badge(check.light),
        title = escape(check.title),
        summary = escape(&check.summary),
    )
}

/// An axis up to at least `value`: its round top and the step between
/// its gridlines (1, 2 or 5 times a power of ten, four or five of them).
fn axis(value: f64, whole: bool) -> (f64, f64) {
    let value = if value > 0.0 && value.is_finite() {
        value
    } else {
        1.0
    };
    let rough = value / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    if whole {
        step = step.max(1.0).round();
    }
    ((value / step).ceil() * step, step)
}

fn y_of(value: f64, high: f64) -> f64 {
    BOTTOM - (value / high).clamp(0.0, 1.0) * (BOTTOM - TOP)
}

/// The chart's frame: gridlines with their labels, the columns without
/// data shaded, time labels under the axis.
fn frame(
    svg: &mut String,
    series: &Series,
    (high, step): (f64, f64),
    label: impl Fn(f64) -> String,
) {
    let n = series.columns.len().max(1) as f64;
    let width = (RIGHT - LEFT) / n;
    // Columns without data: the server was not running.
    let mut run_start: Option<usize> = None;
    let shade = |svg: &mut String, from: usize, to: usize| {
        let x = LEFT + from as f64 * width;
        let w = (to - from) as f64 * width;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{TOP}" width="{w:.1}" height="{h}" fill="#eef0f3"/>"##,
            h = BOTTOM - TOP
        );
        if w >= 150.0 {
            let _ = write!(
                svg,
                r##"<text x="{cx:.1}" y="{cy:.1}" text-anchor="middle" fill="#5c636b">no data: server not running</text>"##,
                cx = x + w / 2.0,
                cy = (TOP + BOTTOM) / 2.0
            );
        }
    };
    for (i, column) in series.columns.iter().enumerate() {
        match (column, run_start) {
            (None, None) => run_start = Some(i),
            (Some(_), Some(start)) => {
                shade(svg, start, i);
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start {
        shade(svg, start, series.columns.len());
    }
    let lines = (high / step).round() as u32;
    for line in 0..=lines {
        let value = step * f64::from(line);
        let y = y_of(value, high);
        let text = if line == 0 {
            "0".to_string()
        } else {
            label(value)
        };
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1}" y2="{y:.1}" stroke="{stroke}" stroke-width="1"/><text x="{lx}" y="{ty:.1}" text-anchor="end" fill="#4a5058">{text}</text>"##,
            stroke = if line == 0 { "#9aa1a9" } else { "#e3e6ea" },
            lx = LEFT - 8.0,
            ty = y + 4.0,
            text = escape(&text),
        );
    }
    let label_y = BOTTOM + 20.0;
    for (x, text) in ticks(series) {
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{BOTTOM}" y2="{tick}" stroke="#9aa1a9"/><text x="{x:.1}" y="{label_y}" text-anchor="middle" fill="#4a5058">{text}</text>"##,
            tick = BOTTOM + 5.0,
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{LEFT}" y="{label_y}" fill="#4a5058">{from}</text><text x="{RIGHT}" y="{label_y}" text-anchor="end" fill="#4a5058">{to} UTC</text>"##,
        from = escape(&series.from),
        to = escape(&series.to),
    );
}

/// Time labels inside the axis, at round minutes (every 5, 10, 15, 30
/// minutes, or 1, 2, 3, 4 hours), clear of the labels at both ends.
fn ticks(series: &Series) -> Vec<(f64, String)> {
    let minutes = series.columns.len() as u64 * u64::from(series.minutes_per_column);
    let Some(every) = [5u64, 10, 15, 30, 60, 120, 180, 240]
        .into_iter()
        .find(|every| minutes / every <= 6)
    else {
        return Vec::new();
    };
    let width = RIGHT - LEFT;
    (series.first_minute..series.first_minute + minutes)
        .filter(|minute| minute % every == 0)
        .filter_map(|minute| {
            let x = LEFT + (minute - series.first_minute) as f64 / minutes as f64 * width;
            let clear = x - LEFT > width * 0.08 && RIGHT - x > width * 0.12;
            let of_day = minute % (24 * 60);
            clear.then(|| (x, format!("{:02}:{:02}", of_day / 60, of_day % 60)))
        })
        .collect()
}

fn svg_open(label: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" font-size="12" font-family="system-ui, sans-serif"><title>{label}</title>"#,
        label = escape(label)
    )
}

/// Stacked bars of each column's lookups by outcome.
fn traffic_chart(series: &Series) -> String {
    let highest = series.highest(|c| Some(c.lookups)).unwrap_or(0);
    let scale = axis(highest as f64, true);
    let high = scale.0;
    let mut svg = svg_open(&format!(
        "Lookups per {}: found, found nobody, shed and errors, highest {}",
        per_column(series),
        units::count(highest)
    ));
    frame(&mut svg, series, scale, |v| units::count(v.round() as u64));
    let n = series.columns.len().max(1) as f64;
    let width = (RIGHT - LEFT) / n;
    let gap = if width >= 4.0 { 1.0 } else { 0.0 };
    for (i, column) in series.columns.iter().enumerate() {
        let Some(column) = column else { continue };
        let x = LEFT + i as f64 * width + gap / 2.0;
        let mut base = 0.0;
        for (value, color) in [
            (column.found, FOUND),
            (column.not_found, NOT_FOUND),
            (column.shed, SHED),
            (column.errors, ERRORS),
        ] {
            if value == 0 {
                continue;
            }
            let bottom = y_of(base, high);
            base += value as f64;
            let top = y_of(base, high);
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}" y="{top:.2}" width="{w:.2}" height="{h:.2}" fill="{color}"/>"#,
                w = (width - gap).max(0.5),
                h = (bottom - top).max(0.5),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One line of a chart: its colour and what it reads from a column.
type Line<'a> = (&'a str, &'a dyn Fn(&Column) -> Option<f64>);

/// Lines of `lines` over the columns, with an optional dashed limit.
fn line_chart(
    series: &Series,
    title: &str,
    lines: &[Line<'_>],
    limit: Option<(f64, String)>,
    label: impl Fn(f64) -> String,
) -> String {
    let highest = lines
        .iter()
        .filter_map(|(_, value)| series.highest(|c| value(c)))
        .fold(0.0, f64::max);
    let scale = axis(
        highest.max(limit.as_ref().map_or(0.0, |(v, _)| *v)) * 1.05,
        false,
    );
    let high = scale.0;
    let mut svg = svg_open(title);
    frame(&mut svg, series, scale, label);
    let n = series.columns.len().max(1) as f64;
    let width = (RIGHT - LEFT) / n;
    for (color, value) in lines {
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        for (i, column) in series.columns.iter().enumerate() {
            match column.as_ref().and_then(value) {
                Some(v) => segment.push((LEFT + (i as f64 + 0.5) * width, y_of(v, high))),
                None => segments.push(std::mem::take(&mut segment)),
            }
        }
        segments.push(segment);
        for segment in segments.iter().filter(|s| !s.is_empty()) {
            if let [(x, y)] = segment.as_slice() {
                let _ = write!(
                    svg,
                    r#"<circle cx="{x:.2}" cy="{y:.2}" r="2.5" fill="{color}"/>"#
                );
            } else {
                let points: Vec<String> = segment
                    .iter()
                    .map(|(x, y)| format!("{x:.2},{y:.2}"))
                    .collect();
                let _ = write!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2" stroke-linejoin="round"/>"#,
                    points.join(" ")
                );
            }
        }
    }
    if let Some((value, text)) = limit {
        let y = y_of(value, high);
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1}" y2="{y:.1}" stroke="{OBJECTIVE}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{RIGHT}" y="{ty:.1}" text-anchor="end" fill="{OBJECTIVE}">{text}</text>"#,
            ty = y - 5.0,
            text = escape(&text),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn per_column(series: &Series) -> String {
    match series.minutes_per_column {
        1 => "minute".to_string(),
        n => format!("{n} minutes"),
    }
}

fn legend(items: &[(&str, &str, bool)]) -> String {
    let mut out = String::from(r#"<ul class="legend">"#);
    for (color, text, is_line) in items {
        if *is_line {
            let dashed = if *color == OBJECTIVE { " dashed" } else { "" };
            let _ = write!(
                out,
                r#"<li><span class="line{dashed}" style="border-color:{color}" aria-hidden="true"></span>{text}</li>"#,
                text = escape(text)
            );
        } else {
            let _ = write!(
                out,
                r#"<li><span class="swatch" style="background:{color}" aria-hidden="true"></span>{text}</li>"#,
                text = escape(text)
            );
        }
    }
    out.push_str("</ul>");
    out
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let status = &report.status;
    let verdict = report.verdict;
    let when = status.server.now.replace('T', " ").replace('Z', " UTC");
    let window = window_text(report.window.minutes);
    let mut page = String::new();
    let _ = write!(
        page,
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Météo {verdict_word}: voter-lookup, {when}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Météo of voter-lookup</h1>
<p class="meta">{target} · {when} · window {window} ({from}–{to} UTC) · server {version}</p>
<p class="verdict {verdict_class}" data-verdict="{verdict_class}">{badge} <span><strong>{verdict_word}</strong> — {lights}</span></p>
</header>
<main>
<section aria-labelledby="checks">
<h2 id="checks">Checks</h2>
<table>
<thead><tr><th scope="col">Light</th><th scope="col">Check</th><th scope="col">What the figures say</th></tr></thead>
<tbody>
"#,
        verdict_word = verdict.as_str().to_uppercase(),
        verdict_class = verdict.as_str(),
        badge = badge(verdict),
        lights = escape(&tally_of_lights(report)),
        target = escape(&report.target),
        when = escape(&when),
        window = escape(&window),
        from = escape(&units::clock(&report.window.from)),
        to = escape(&units::clock(&report.window.to)),
        version = escape(&status.server.version),
    );
    for check in &report.checks {
        page.push_str(&row(check));
        page.push('\n');
    }
    page.push_str("</tbody>\n</table>\n</section>\n");

    let series = series::columns(status, CHART_COLUMNS);
    let per = per_column(&series);
    page.push_str(r#"<section aria-labelledby="traffic"><h2 id="traffic">Traffic</h2><figure>"#);
    let _ = write!(
        page,
        "<figcaption>Name searches per {per}, by outcome.</figcaption>{}{}",
        traffic_chart(&series),
        legend(&[
            (FOUND, "found", false),
            (NOT_FOUND, "found nobody with confidence", false),
            (SHED, "shed (refused for load)", false),
            (ERRORS, "errors", false),
        ])
    );
    page.push_str("</figure></section>\n");

    let p99_limit = report
        .checks
        .iter()
        .find(|c| c.check == "latency")
        .and_then(|c| c.figures.get("p99_limit_ms"))
        .and_then(|v| v.as_f64());
    let p50_line = |c: &Column| c.p50_ms;
    let p99_line = |c: &Column| c.p99_ms;
    page.push_str(r#"<section aria-labelledby="latency"><h2 id="latency">Latency</h2><figure>"#);
    let mut latency_legend = vec![(P50, "p50", true), (P99, "p99", true)];
    if p99_limit.is_some() {
        latency_legend.push((OBJECTIVE, "p99 objective", true));
    }
    let _ = write!(
        page,
        "<figcaption>Latency of answered searches per {per}, in milliseconds{}.</figcaption>{}{}",
        if series.minutes_per_column > 1 {
            " (the highest minute of each column)"
        } else {
            ""
        },
        line_chart(
            &series,
            &format!("p50 and p99 latency per {per}"),
            &[(P50, &p50_line), (P99, &p99_line)],
            p99_limit.map(|ms| (ms, format!("objective {}", units::millis(ms)))),
            units::millis,
        ),
        legend(&latency_legend)
    );
    page.push_str("</figure></section>\n");

    // In MiB, so that the axis steps are round in the unit it is read in.
    const MIB: f64 = 1024.0 * 1024.0;
    let memory_line = |c: &Column| c.resident_bytes.map(|b| b as f64 / MIB);
    let highest_memory = series.highest(|c| c.resident_bytes).unwrap_or(0);
    let limit = status.memory.limit_bytes;
    // A limit far above the process (the machine's memory) would flatten
    // the line: it is then named in the caption only.
    let drawn_limit = limit.filter(|&l| (l as f64) <= highest_memory as f64 * 4.0);
    page.push_str(r#"<section aria-labelledby="memory"><h2 id="memory">Memory</h2><figure>"#);
    let caption = match (limit, drawn_limit) {
        (Some(limit), None) => format!(
            "Resident memory per {per}; the limit, {} ({}), is far above.",
            units::bytes(limit),
            status.memory.limit_source.as_deref().unwrap_or("unknown")
        ),
        (Some(limit), Some(_)) => format!(
            "Resident memory per {per}, against the limit of {} ({}).",
            units::bytes(limit),
            status.memory.limit_source.as_deref().unwrap_or("unknown")
        ),
        (None, _) => format!("Resident memory per {per}."),
    };
    let mut memory_legend = vec![(MEMORY, "resident memory", true)];
    if drawn_limit.is_some() {
        memory_legend.push((OBJECTIVE, "limit", true));
    }
    let _ = write!(
        page,
        "<figcaption>{}</figcaption>{}{}",
        escape(&caption),
        line_chart(
            &series,
            &format!("resident memory per {per}"),
            &[(MEMORY, &memory_line)],
            drawn_limit.map(|l| (l as f64 / MIB, format!("limit {}", units::bytes(l)))),
            |mib| units::bytes((mib * MIB) as u64),
        ),
        legend(&memory_legend)
    );
    page.push_str("</figure></section>\n");

    let totals = &report.totals.tally;
    page.push_str(
        r#"<section aria-labelledby="totals"><h2 id="totals">Totals over the window</h2><dl>"#,
    );
    let mut entry = |term: &str, value: String| {
        let _ = write!(page, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(&value));
    };
    entry("Lookups", units::count(totals.lookups));
    entry("Found", units::count(totals.found));
    entry(
        "Found nobody with confidence",
        units::count(totals.not_found),
    );
    entry("Shed", units::count(totals.shed));
    entry("Server errors", units::count(totals.server_errors));
    entry(
        "Refused for the caller's doing",
        units::count(totals.client_errors),
    );
    entry("In degraded mode", units::count(totals.degraded));
    if !totals.errors.is_empty() {
        entry(
            "By error code",
            totals
                .errors
                .iter()
                .map(|(code, n)| format!("{code} {}", units::count(*n)))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Some(latency) = totals.latency_ms {
        entry(
            "Latency",
            format!(
                "p50 {}, p90 {}, p99 {}, max {} over {} answered",
                units::millis(latency.p50),
                units::millis(latency.p90),
                units::millis(latency.p99),
                units::millis(latency.max),
                units::count(latency.count)
            ),
        );
    }
    entry(
        "Index",
        format!(
            "{} ({} voters, built {})",
            status.index.version.as_deref().unwrap_or("none"),
            status.index.voters.map_or("?".to_string(), units::count),
            status
                .index
                .built_at
                .as_deref()
                .unwrap_or("at an unknown time"),
        ),
    );
    entry(
        "Server",
        format!(
            "{}, started {}",
            status.server.version,
            status
                .server
                .started_at
                .replace('T', " ")
                .replace('Z', " UTC")
        ),
    );
    page.push_str("</dl></section>\n</main>\n");
    let _ = write!(
        page,
        r#"<footer>
<p>Thresholds: <code>{flags}</code></p>
<p>Green: nothing to do. Amber: look when you can (within the objective over the window, but close to it or past it in a busy minute; or something worth knowing). Red: act now; <code>voter-lookup weather</code> then exits with {EXIT_RED}.</p>
<p>Made by <code>voter-lookup weather</code> from <code>{target}</code>. No voter and no query text is in this report.</p>
</footer>
</body>
</html>
"#,
        flags = escape(&report.thresholds.flags()),
        target = escape(&report.target),
    );
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_axes_are_round() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(axis(0.0, true), (1.0, 1.0));
        assert_eq!(axis(31.0, true), (40.0, 10.0));
        assert_eq!(axis(3.0, true), (3.0, 1.0));
        assert_eq!(axis(105.0, false), (150.0, 50.0));
        assert_eq!(axis(1.3, false), (1.5, 0.5));
        assert_eq!(axis(400.0, true), (400.0, 100.0));
        // Four hours from 06:01: a label every hour, clear of both ends.
        let series = Series {
            minutes_per_column: 1,
            columns: vec![None; 240],
            first_minute: 29_000_160 + 6 * 60 + 1, // 06:01 UTC (29,000,160: a midnight)
            from: String::new(),
            to: String::new(),
        };
        let labels: Vec<String> = ticks(&series).into_iter().map(|(_, text)| text).collect();
        assert_eq!(labels, ["07:00", "08:00", "09:00"]);
    }
}
