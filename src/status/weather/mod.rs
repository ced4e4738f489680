//! `voter-lookup weather`: the météo report. Asks a server for its status
//! over a window ([`fetch`]), gives each check a traffic light against the
//! thresholds ([`lights`]), and writes the report as text for a terminal
//! ([`text`]), JSON for tools, or a self-contained HTML page to mail
//! ([`html`]), with charts of traffic and latency ([`series`]).
//!
//! Exit codes, for a scheduled job that alerts: [`EXIT_OK`] when every
//! light is green or amber, [`EXIT_RED`] when one is red, [`EXIT_UNUSABLE`]
//! when no report could be made (bad settings, server unreachable, an
//! answer that is no status).

pub mod fetch;
pub mod html;
pub mod lights;
pub mod series;
pub mod text;
pub mod units;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::config::WeatherArgs;
use crate::status::document::{
    IndexStatus, ServerStatus, StatusDocument, Totals, WindowStatus, parse_window,
};
use fetch::{ClientTls, Target};
use lights::{
    Check, DEFAULT_MAX_INDEX_AGE, DEFAULT_MIN_MEMORY_HEADROOM, DEFAULT_MIN_UPTIME, Light,
    Objectives, Thresholds,
};

/// Every light green or amber.
pub const EXIT_OK: u8 = 0;
/// A light is red.
pub const EXIT_RED: u8 = 1;
/// No report: bad settings, or no status from the server.
pub const EXIT_UNUSABLE: u8 = 2;

/// How long the server has to answer by default.
pub const DEFAULT_TIMEOUT: &str = "10s";

/// Why no report was made.
#[derive(Debug, thiserror::Error)]
pub enum WeatherError {
    /// A setting is wrong; the message names it.
    #[error("{0}")]
    Usage(String),
    /// The server gave no status; the message names the URL.
    #[error("{0}")]
    Fetch(String),
    /// The report could not be written.
    #[error("cannot write the report to {path}: {source}")]
    Write {
        /// The `--out` file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The report's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For a terminal or a mail body.
    Text,
    /// For tools.
    Json,
    /// A page to mail or open in a browser.
    Html,
}

/// The command's settings, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server.
    pub target: Target,
    /// The window, in minutes.
    pub window_minutes: u32,
    /// The report's form.
    pub format: Format,
    /// What makes a light amber or red.
    pub thresholds: Thresholds,
    /// Where to write the report (else standard output).
    pub out: Option<PathBuf>,
    /// How long the server has to answer.
    pub timeout: Duration,
    /// Certificate authorities for an `https` target.
    pub ca_cert: Option<PathBuf>,
}

impl Settings {
    /// Checks `args`, naming the flag at fault.
    pub fn from_args(args: &WeatherArgs) -> Result<Settings, String> {
        fn flag(name: &'static str) -> impl Fn(String) -> String {
            move |error| format!("--{name}: {error}")
        }
        let format = match args.format.trim() {
            "text" => Format::Text,
            "json" => Format::Json,
            "html" => Format::Html,
            other => return Err(format!("--format: `{other}` is not text, json or html")),
        };
        let duration = |name: &'static str, value: Option<&str>, default: &str| {
            units::parse_duration(value.unwrap_or(default)).map_err(flag(name))
        };
        let min_memory_headroom = units::parse_share(
            args.min_memory_headroom
                .as_deref()
                .unwrap_or(DEFAULT_MIN_MEMORY_HEADROOM),
        )
        .map_err(flag("min-memory-headroom"))?;
        let timeout = duration("timeout", args.timeout.as_deref(), DEFAULT_TIMEOUT)?;
        if timeout.is_zero() {
            return Err("--timeout: must be more than zero".to_string());
        }
        Ok(Settings {
            target: Target::parse(&args.target)?,
            window_minutes: parse_window(&args.window).map_err(flag("window"))?,
            format,
            thresholds: Thresholds {
                objectives: Objectives::parse(args.slo.as_deref()).map_err(flag("slo"))?,
                max_index_age: duration(
                    "max-index-age",
                    args.max_index_age.as_deref(),
                    DEFAULT_MAX_INDEX_AGE,
                )?,
                expect_version: args
                    .expect_version
                    .as_deref()
                    .map(str::trim)
                    .filter(|version| !version.is_empty())
                    .map(String::from),
                min_memory_headroom,
                min_uptime: duration("min-uptime", args.min_uptime.as_deref(), DEFAULT_MIN_UPTIME)?,
            },
            out: args.out.clone(),
            timeout,
            ca_cert: args.ca_cert.clone(),
        })
    }
}

/// A report: the status, its lights and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The worst light.
    pub verdict: Light,
    /// The exit code the verdict gives.
    pub exit_code: u8,
    /// The status URL asked.
    pub target: String,
    /// The window.
    pub window: WindowStatus,
    /// The thresholds, as the flags write them.
    pub thresholds: ThresholdsText,
    /// Every check.
    pub checks: Vec<Check>,
    /// The server.
    pub server: ServerStatus,
    /// Its index.
    pub index: IndexStatus,
    /// The window's totals.
    pub totals: Totals,
    /// The status it was made from (the charts' minutes); left out of the
    /// JSON form.
    #[serde(skip)]
    pub status: StatusDocument,
}

/// The thresholds, as the report prints them.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdsText {
    /// `--slo`.
    pub slo: String,
    /// `--max-index-age`, in seconds.
    pub max_index_age_seconds: u64,
    /// `--expect-version`.
    pub expect_version: Option<String>,
    /// `--min-memory-headroom`, a share.
    pub min_memory_headroom: f64,
    /// `--min-uptime`, in seconds.
    pub min_uptime_seconds: u64,
}

impl ThresholdsText {
    /// The flags that set them, as a line.
    pub fn flags(&self) -> String {
        let mut line = format!(
            "--slo {} --max-index-age {} --min-memory-headroom {} --min-uptime {}",
            self.slo,
            units::duration_flag(Duration::from_secs(self.max_index_age_seconds)),
            units::percent_flag(self.min_memory_headroom),
            units::duration_flag(Duration::from_secs(self.min_uptime_seconds)),
        );
        if let Some(version) = &self.expect_version {
            line.push_str(&format!(" --expect-version {version}"));
        }
        line
    }
}

/// Judges `status` against `settings`.
pub fn report(status: StatusDocument, settings: &Settings) -> Report {
    let checks = lights::judge(&status, &settings.thresholds);
    let verdict = lights::verdict(&checks);
    let thresholds = &settings.thresholds;
    Report {
        verdict,
        exit_code: if verdict == Light::Red {
            EXIT_RED
        } else {
            EXIT_OK
        },
        target: settings.target.status_url(settings.window_minutes),
        window: status.window.clone(),
        thresholds: ThresholdsText {
            slo: thresholds.objectives.text(),
            max_index_age_seconds: thresholds.max_index_age.as_secs(),
            expect_version: thresholds.expect_version.clone(),
            min_memory_headroom: thresholds.min_memory_headroom,
            min_uptime_seconds: thresholds.min_uptime.as_secs(),
        },
        checks,
        server: status.server.clone(),
        index: status.index.clone(),
        totals: status.totals.clone(),
        status,
    }
}

/// `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Html => html::render(report),
        Format::Json => {
            let mut json =
                serde_json::to_string_pretty(report).expect("a report always serialises");
            json.push('\n');
            json
        }
    }
}

/// What the command printed, and its exit code.
#[derive(Debug, Clone)]
pub struct Done {
    /// For standard output.
    pub stdout: String,
    /// See [`EXIT_OK`], [`EXIT_RED`].
    pub exit_code: u8,
}

/// Runs `voter-lookup weather`.
pub fn command(args: &WeatherArgs) -> Result<Done, WeatherError> {
    let settings = Settings::from_args(args).map_err(WeatherError::Usage)?;
    let tls = if settings.target.tls {
        Some(ClientTls::load(settings.ca_cert.as_deref()).map_err(WeatherError::Usage)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| WeatherError::Fetch(format!("cannot start: {error}")))?;
    let status = runtime
        .block_on(fetch::status(
            &settings.target,
            settings.window_minutes,
            tls.as_ref(),
            settings.timeout,
        ))
        .map_err(WeatherError::Fetch)?;
    let report = report(status, &settings);
    let rendered = render(&report, settings.format);
    let stdout = match &settings.out {
        None => rendered,
        Some(path) => {
            write_atomically(path, rendered.as_bytes()).map_err(|source| WeatherError::Write {
                path: path.clone(),
                source,
            })?;
            format!("{}\n", text::headline(&report, Some(path)))
        }
    };
    Ok(Done {
        stdout,
        exit_code: report.exit_code,
    })
}

/// Writes `bytes` beside `path`, then renames: a reader (a mailer, a web
/// server) never sees half a report.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let staging = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&staging, bytes)?;
    std::fs::rename(&staging, path)
}
