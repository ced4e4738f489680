//! loadtest: the dress-rehearsal harness of voter-lookup.
//!
//! Before an election the municipal IT team replays a realistic morning
//! against the real deployment and decides whether it is ready. This crate
//! generates that traffic and tells the truth about it:
//!
//! - **open loop** ([`schedule`]): every request has an intended send time
//!   from a constant rate, a Poisson process, or a profile of steps and
//!   ramps (the built-in `election-morning`), and is sent then whatever the
//!   server is doing ([`driver`]);
//! - **coordinated omission corrected** ([`record`]): latency counts from
//!   the intended time, in HDR histograms, per class, overall and per
//!   second; a harness that falls behind says so instead of hiding it;
//! - **realistic traffic** ([`traffic`]): lookups made from a roll (the
//!   project's generator or a real export) with the search-quality
//!   harness's perturbations, in per-class mixes with API keys;
//! - **both doors** ([`client`]): HTTP/1.1 with hyper's pooled client, gRPC
//!   with tonic;
//! - **a verdict** ([`slo`]): `--slo p99=50ms,errors=0.1%` makes the exit
//!   status pass (0) or fail (1);
//! - **reports** ([`report`]): a table on stdout, a JSON result (fields
//!   documented in [`report::json`]) and a self-contained HTML page with
//!   charts.
//!
//! [`rehearse`] runs a whole rehearsal from a checked [`cli::RunConfig`];
//! the binary and the tests both call it.

pub mod cli;
pub mod client;
pub mod driver;
pub mod record;
pub mod report;
pub mod schedule;
pub mod slo;
pub mod traffic;
pub mod units;

use std::path::PathBuf;
use std::time::SystemTime;

use cli::{QueriesArgs, RequestSource, RunConfig, UsageError};
use client::{Client, ClientError, Identity, Prepared};
use driver::{ClassLoad, RunSetup};
use report::{Report, RunInfo};
use schedule::Process;
use traffic::{ClassSpec, Query, Roll, TrafficError, class_queries};
use voter_core::queries::SeedableRng;

/// Why a rehearsal could not run or report.
#[derive(Debug, thiserror::Error)]
pub enum LoadtestError {
    /// A flag was refused.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The queries could not be made.
    #[error(transparent)]
    Traffic(#[from] TrafficError),
    /// The server could not be reached or addressed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A report could not be written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Runs the rehearsal `config` describes, writes its JSON and HTML reports
/// if asked, and returns the report (its `slo` holds the verdict).
/// Notes on what is being prepared go to stderr.
pub async fn rehearse(config: &RunConfig) -> Result<Report, LoadtestError> {
    let client = Client::connect(&config.target, config.protocol, &config.client).await?;
    let (classes, traffic) = prepare_classes(config, &client)?;
    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let setup = RunSetup {
        client,
        classes,
        max_in_flight: config.max_in_flight,
        timeout: config.client.timeout,
        seed: config.seed,
        progress: config.progress,
    };
    let finished = driver::run(&config.plan, config.process, setup).await;
    let info = RunInfo {
        target: config.target.to_string(),
        protocol: config.protocol.to_string(),
        profile: config.plan_name.clone(),
        arrivals: match config.process {
            Process::Uniform => "uniform".to_string(),
            Process::Poisson { .. } => "poisson".to_string(),
        },
        traffic,
        max_in_flight: config.max_in_flight,
        timeout_ms: config.client.timeout.as_millis() as u64,
        started_at,
    };
    let report = Report::build(
        info,
        &config.plan,
        &config.classes,
        &finished.recorder,
        finished.elapsed.as_secs_f64(),
        config.slo.as_ref(),
    );
    let output_error = |path: &PathBuf| {
        let path = path.clone();
        move |source| LoadtestError::Output { path, source }
    };
    if let Some(path) = &config.json {
        report::json::write(&report, path).map_err(output_error(path))?;
    }
    if let Some(path) = &config.html {
        report::html::write(&report, path).map_err(output_error(path))?;
    }
    Ok(report)
}

/// The classes with their requests prepared, and a description of the
/// traffic for the report.
fn prepare_classes(
    config: &RunConfig,
    client: &Client,
) -> Result<(Vec<ClassLoad>, String), LoadtestError> {
    let identities = config
        .classes
        .iter()
        .map(|class| Identity::new(&class.api_keys))
        .collect::<Result<Vec<_>, _>>()?;
    let (per_class, description): (Vec<Vec<Prepared>>, String) = match &config.source {
        RequestSource::FixedPath(path) => {
            let Client::Http(http) = client else {
                return Err(UsageError("--http-path is for --protocol http".to_string()).into());
            };
            let request = Prepared::Http(http.prepare_path(path)?);
            (
                vec![vec![request]; config.classes.len()],
                format!("GET {path}"),
            )
        }
        RequestSource::FixedQuery(text) => {
            let query = Query {
                category: None,
                text: text.clone(),
                birth_date: None,
            };
            let request = client.prepare_search(&query)?;
            (
                vec![vec![request]; config.classes.len()],
                "one fixed query".to_string(),
            )
        }
        RequestSource::Generated { .. } | RequestSource::RollFile(_) => {
            let roll = load_roll(&config.source)?;
            let mut per_class = Vec::with_capacity(config.classes.len());
            for queries in classes_queries(
                &roll,
                &config.classes,
                config.queries_per_class,
                config.seed,
            )? {
                let requests = queries
                    .iter()
                    .map(|query| client.prepare_search(query))
                    .collect::<Result<Vec<_>, _>>()?;
                per_class.push(requests);
            }
            let description = format!(
                "{} queries per class from {} ({} rows)",
                config.queries_per_class,
                roll.source,
                roll.rows.len()
            );
            (per_class, description)
        }
    };
    let classes = config
        .classes
        .iter()
        .zip(identities)
        .zip(per_class)
        .map(|((spec, identity), requests)| ClassLoad {
            weight: spec.weight,
            identity,
            requests,
        })
        .collect();
    Ok((classes, description))
}

/// The roll of a generated or file source.
fn load_roll(source: &RequestSource) -> Result<Roll, LoadtestError> {
    let roll = match source {
        RequestSource::RollFile(path) => Roll::read(path)?,
        RequestSource::Generated { voters, seed } => Roll::generate(*voters, *seed),
        RequestSource::FixedQuery(_) | RequestSource::FixedPath(_) => {
            unreachable!("fixed requests need no roll")
        }
    };
    if roll.skipped_rows > 0 {
        eprintln!(
            "loadtest: {}: {} unreadable rows left out",
            roll.source, roll.skipped_rows
        );
    }
    Ok(roll)
}

/// Each class's queries; class `i` draws from seed `seed + i + 1`, so that
/// `run` and `queries` make the same ones.
fn classes_queries(
    roll: &Roll,
    classes: &[ClassSpec],
    count: usize,
    seed: u64,
) -> Result<Vec<Vec<Query>>, LoadtestError> {
    classes
        .iter()
        .enumerate()
        .map(|(index, class)| {
            Ok(class_queries(
                roll,
                class,
                count,
                seed.wrapping_add(index as u64 + 1),
            )?)
        })
        .collect()
}

/// `loadtest queries`: writes `--queries` HTTP request paths, the classes
/// interleaved by weight as a run would send them, one a line, each
/// followed by a tab and its class's API key (empty without one). Returns
/// the number of lines.
pub fn write_queries(
    args: &QueriesArgs,
    out: &mut dyn std::io::Write,
) -> Result<usize, LoadtestError> {
    let traffic = &args.traffic;
    let classes = traffic.classes()?;
    let roll = load_roll(&traffic.roll_source()?)?;
    let queries = classes_queries(&roll, &classes, traffic.queries, traffic.seed)?;
    let pick = traffic::WeightedPick::new(classes.iter().map(|class| class.weight));
    let mut rng =
        voter_core::queries::QueryRng::seed_from_u64(traffic.seed ^ driver::CLASS_PICK_SALT);
    let mut cursors = vec![0usize; classes.len()];
    let write_error = |source| LoadtestError::Output {
        path: args.out.clone().unwrap_or_else(|| PathBuf::from("stdout")),
        source,
    };
    for _ in 0..traffic.queries {
        let class = pick.pick(&mut rng);
        let turn = cursors[class];
        cursors[class] += 1;
        let query = &queries[class][turn % queries[class].len()];
        let path = client::http::search_path(query, traffic.limit, traffic.departement.as_deref());
        let keys = &classes[class].api_keys;
        let key = if keys.is_empty() {
            ""
        } else {
            keys[turn % keys.len()].as_str()
        };
        writeln!(out, "{path}\t{key}").map_err(write_error)?;
    }
    out.flush().map_err(write_error)?;
    Ok(traffic.queries)
}

/// The exit status of a finished rehearsal: 1 when it missed an objective,
/// 0 otherwise (usage and other errors are 2, decided by the binary).
pub fn exit_status(report: &Report) -> u8 {
    match &report.slo {
        Some(verdict) if !verdict.pass => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn the_query_file_interleaves_the_classes_with_their_keys_in_turn() {
        let cli = Cli::try_parse_from([
            "loadtest",
            "queries",
            "--voters",
            "500",
            "--queries",
            "200",
            "--class",
            "staff:weight=3,key=desk-key",
            "--class",
            "kiosk:weight=1,key=hall-{1..3}",
        ])
        .unwrap();
        let Command::Queries(args) = cli.command else {
            unreachable!("queries was parsed")
        };
        let mut out = Vec::new();
        assert_eq!(write_queries(&args, &mut out).unwrap(), 200);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<(&str, &str)> = text
            .lines()
            .map(|line| line.split_once('\t').unwrap())
            .collect();
        assert_eq!(lines.len(), 200);
        assert!(
            lines
                .iter()
                .all(|(path, _)| path.starts_with("/v1/search?q="))
        );
        let staff = lines.iter().filter(|(_, key)| *key == "desk-key").count();
        assert!((120..180).contains(&staff), "{staff}");
        let kiosk_keys: Vec<&str> = lines
            .iter()
            .map(|(_, key)| *key)
            .filter(|key| key.starts_with("hall-"))
            .collect();
        assert_eq!(kiosk_keys[..3], ["hall-1", "hall-2", "hall-3"]);
        assert_eq!(kiosk_keys[3], "hall-1");
    }
}
