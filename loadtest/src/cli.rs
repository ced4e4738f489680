//! The command line: `loadtest run …`, its flags and what `--help` says,
//! checked once into a typed [`RunConfig`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::client::tls::ClientTls;
use crate::client::{ClientOptions, Protocol, Target};
use crate::schedule::{Plan, Process, Profile};
use crate::slo::Slo;
use crate::traffic::ClassSpec;
use crate::units::parse_duration;

/// Requests per second without `--rate` (the peak, with a profile).
pub const DEFAULT_RATE: f64 = 100.0;
/// Length of a run without `--duration`.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(30);

const ABOUT: &str = "Dress-rehearsal load generator for voter-lookup: open-loop traffic over HTTP or gRPC, with a verdict";

const LONG_ABOUT: &str = "\
Dress-rehearsal load generator for voter-lookup.

`loadtest run` replays a realistic surge against a server and says whether it held. Arrivals are \
open loop: each request has an intended send time from the schedule (constant rate, Poisson, or a \
profile of steps and ramps), whatever the server is doing, and latency is measured from that time \
(coordinated omission corrected), so a stalled server shows up as latency instead of slowing the \
harness down.";

const RUN_AFTER_HELP: &str = "\
Traffic: without --roll the harness generates the same synthetic roll as `voter-lookup demo` \
(--voters, --seed: keep them equal to the server's), or reads a real REU export with --roll, and \
makes lookups from it with the perturbations of the search-quality harness (typos, sound-alikes, \
married names, kiosk prefixes, people not on the roll...). Each --class is one kind of client: \
NAME[:weight=W][,key=API_KEY][,mix=MIX][,dates=SHARE]. The key is sent as `X-Api-Key` (HTTP) or \
`x-api-key` metadata (gRPC); `key=a|b|c` or `key=kiosk-{1..40}` gives a class several keys, used \
in turn (a fleet of kiosks, each with its own rate limit). Requests without a key the server knows \
are anonymous to it, and voter-lookup limits anonymous clients: give the server the same keys \
(`voter-lookup demo --api-key KEY:staff ...`) or run it with --admission off. MIX is `staff` (whole names as heard, 30% with the birth date), \
`kiosk` (lower-case name beginnings, no date) or CATEGORY:WEIGHT+... with the categories of \
search-eval (exact, no_accents, surname_typo, two_typos_long, sound_alike, married_name, \
second_given_only, punctuation, given_first, kiosk_prefix, typo_with_date, not_on_roll). Default: \
--class staff:weight=0.7 --class kiosk:weight=0.3.

Profiles: `election-morning` compresses a polling day into --duration with --rate as its peak: a \
quiet start, the 8:00 step, a morning plateau, a lunchtime bump, an evening rush. A profile FILE \
has one step a line, `DURATION RATE` (a plateau) or `DURATION RATE..RATE` (a ramp), `#` for \
comments; DURATION is a share of --duration (`10%`, all lines adding up to 100%) or a time \
(`30s`; the profile then sets the run's length); RATE is a share of --rate (`60%`) or requests \
per second (`250`). The built-in profile, in that format:
  6% 3% | 14% 60% | 20% 40% | 4% 40%..75% | 8% 75% | 4% 75%..40% | 18% 40% | 6% 40%..100% | 14% 100% | 6% 100%..10%

Each request carries a deadline (--timeout) as `X-Request-Timeout` (ms) or `grpc-timeout`; the \
harness gives up 250 ms after it. Outcomes: ok; degraded (a success marked `degraded`); \
rate_limited (429, RESOURCE_EXHAUSTED); shed (503 `overloaded`, UNAVAILABLE, 504, \
DEADLINE_EXCEEDED); error (anything else: other statuses, index not ready, broken connections, no \
answer in time); not_sent (due, but never sent before the run ended).

At most --max-in-flight requests are outstanding; when that bound is hit, the next requests wait \
and go out late (their latency still counts from their intended time), and the report says the \
harness fell behind. Nothing is dropped silently.

Output: a live progress line on stderr (on a terminal), a table per class and overall on stdout, \
--json (fields documented in the crate's docs: offered_rps, achieved_rps, counts, latency_ms, \
classes, timeline...) and --html (a self-contained page with charts).

Exit status: 0 when the run completed and met --slo (or had none), 1 when it missed an \
objective, 2 for usage and other errors.

Examples:
  loadtest run --target http://127.0.0.1:8080 --protocol http --rate 500 --duration 60s
  loadtest run --target http://127.0.0.1:50051 --protocol grpc --profile election-morning \\
      --rate 2000 --duration 5m --slo p99=50ms,errors=0.1% --json run.json --html run.html
  taskset -c 1 loadtest run --target http://127.0.0.1:8080 --http-path /healthz --rate 50000 --duration 10s
  loadtest run --target https://voters.example:8443 --ca-cert ca.pem --rate 500 --duration 60s";

/// `loadtest`.
#[derive(Debug, Parser)]
#[command(name = "loadtest", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
// Parsed once per process: the size of the flags does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Runs a rehearsal against a server and reports on it.
    #[command(after_long_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// Writes the query mix as HTTP request paths, one a line with the
    /// class's API key after a tab, for other tools (see loadtest/wrk/mix.lua).
    Queries(QueriesArgs),
}

/// The flags of `loadtest run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The server: http://HOST:PORT, or https://HOST:PORT over TLS (the HTTP or the gRPC port, after --protocol).
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// For an https:// target: the CA certificate (PEM) to trust, e.g. the server's own self-signed certificate.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// For an https:// target: the name the server's certificate must carry [default: the target's host].
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Which door to load.
    #[arg(long, value_enum, default_value_t = Protocol::Http)]
    pub protocol: Protocol,
    /// Requests per second; with --profile, the peak rate [default: 100].
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,
    /// `election-morning`, or a profile FILE (see below) [default: a constant --rate].
    #[arg(long, value_name = "election-morning|FILE")]
    pub profile: Option<String>,
    /// Length of the run, e.g. 30s, 5m [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Poisson arrivals at the planned rate instead of evenly spaced ones.
    #[arg(long)]
    pub poisson: bool,
    /// Where the queries come from and who sends them.
    #[command(flatten)]
    pub traffic: TrafficArgs,
    /// Send this one search text every time instead of the query mix.
    #[arg(long, value_name = "TEXT", conflicts_with = "roll")]
    pub query: Option<String>,
    /// HTTP only: GET this path (e.g. /healthz) every time instead of searching.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["query", "roll"])]
    pub http_path: Option<String>,
    /// Write the result as JSON to this file.
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report with charts to this file.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Objectives that decide the exit status, e.g. p99=50ms,errors=0.1% (keys: p50 p90 p99 p999 max errors shed rate_limited degraded).
    #[arg(long, value_name = "OBJECTIVES", value_parser = Slo::parse)]
    pub slo: Option<Slo>,
    /// Most requests outstanding at once; beyond it requests wait and go out late.
    #[arg(long, value_name = "N", default_value_t = 1_024)]
    pub max_in_flight: usize,
    /// Deadline of each request, sent to the server; the harness gives up 250 ms later.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    pub timeout: Duration,
    /// gRPC connections, used in turn; HTTP connections opened before the run (it opens more when all are busy).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub connections: usize,
    /// Runtime threads (one core is the rehearsal setting: `taskset -c 1`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads: usize,
    /// No progress line, even on a terminal.
    #[arg(long)]
    pub quiet: bool,
}

/// The flags that make the query mix, shared by `run` and `queries`.
#[derive(Debug, Clone, Args)]
pub struct TrafficArgs {
    /// A real roll export (REU CSV) to make queries from, instead of a generated one.
    #[arg(long, value_name = "ROLL.csv")]
    pub roll: Option<PathBuf>,
    /// Voters of the generated roll (keep equal to the server's `demo --voters`).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub voters: usize,
    /// Seed of the generated roll (keep equal to the server's `demo --seed`); queries and Poisson arrivals derive from it.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// A client class: NAME[:weight=W][,key=KEY|KEY2|KEY-{1..N}][,mix=staff|kiosk|CAT:W+...][,dates=SHARE]; repeatable.
    #[arg(long = "class", value_name = "SPEC", value_parser = ClassSpec::parse)]
    pub classes: Vec<ClassSpec>,
    /// Distinct queries prepared per class (sent in turn).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub queries: usize,
    /// The `limit` of each search [default: the server's].
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// The `departement` each search names (`59`, `2A`), to rehearse a
    /// shard of a national service [default: none].
    #[arg(long, value_name = "CODE")]
    pub departement: Option<String>,
}

impl TrafficArgs {
    /// The classes given, or the default staff and kiosk classes.
    pub fn classes(&self) -> Result<Vec<ClassSpec>, UsageError> {
        if self.classes.is_empty() {
            return Ok(ClassSpec::defaults());
        }
        let mut names: Vec<&str> = self
            .classes
            .iter()
            .map(|class| class.name.as_str())
            .collect();
        names.sort_unstable();
        if names.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(UsageError("two --class have the same name".to_string()));
        }
        Ok(self.classes.clone())
    }

    /// The roll the queries are made from.
    pub fn roll_source(&self) -> Result<RequestSource, UsageError> {
        if self.queries == 0 {
            return Err(UsageError("--queries must be at least 1".to_string()));
        }
        match &self.roll {
            Some(roll) => Ok(RequestSource::RollFile(roll.clone())),
            None if self.voters == 0 => Err(UsageError("--voters must be at least 1".to_string())),
            None => Ok(RequestSource::Generated {
                voters: self.voters,
                seed: self.seed,
            }),
        }
    }
}

/// The flags of `loadtest queries`.
#[derive(Debug, Clone, Args)]
pub struct QueriesArgs {
    /// Where the queries come from and who sends them.
    #[command(flatten)]
    pub traffic: TrafficArgs,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Why the flags were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Where the requests come from.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestSource {
    /// Queries made from a generated roll.
    Generated {
        /// Voters.
        voters: usize,
        /// Seed.
        seed: u64,
    },
    /// Queries made from a roll file.
    RollFile(PathBuf),
    /// One search text, always.
    FixedQuery(String),
    /// One HTTP path, always.
    FixedPath(String),
}

/// A checked `loadtest run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The server.
    pub target: Target,
    /// Its door.
    pub protocol: Protocol,
    /// The rate over time.
    pub plan: Plan,
    /// `constant`, `election-morning` or the profile file.
    pub plan_name: String,
    /// Evenly spaced or Poisson.
    pub process: Process,
    /// What the requests ask.
    pub source: RequestSource,
    /// The client classes.
    pub classes: Vec<ClassSpec>,
    /// Distinct queries per class.
    pub queries_per_class: usize,
    /// Seed of queries, class picks and Poisson arrivals.
    pub seed: u64,
    /// Client settings.
    pub client: ClientOptions,
    /// Bound on outstanding requests.
    pub max_in_flight: usize,
    /// The verdict's objectives.
    pub slo: Option<Slo>,
    /// JSON output.
    pub json: Option<PathBuf>,
    /// HTML output.
    pub html: Option<PathBuf>,
    /// Show the progress line (on a terminal).
    pub progress: bool,
}

impl RunArgs {
    /// Checks the flags into a run.
    pub fn to_config(&self) -> Result<RunConfig, UsageError> {
        let usage = |message: String| UsageError(message);
        let target = Target::parse(&self.target).map_err(|error| usage(error.to_string()))?;
        let tls = match (&self.ca_cert, target.tls) {
            (None, true) => {
                return Err(usage(
                    "an https:// target needs --ca-cert FILE: the CA (PEM) that signed the server's certificate".to_string(),
                ));
            }
            (Some(_), false) => {
                return Err(usage("--ca-cert: the target is not https://".to_string()));
            }
            (None, false) => None,
            (Some(ca_file), true) => {
                let name = self.tls_server_name.as_deref().unwrap_or(target.host());
                Some(
                    ClientTls::load(ca_file, name)
                        .map_err(|error| usage(format!("--ca-cert {error}")))?,
                )
            }
        };
        let rate = self.rate.unwrap_or(DEFAULT_RATE);
        if !rate.is_finite() || rate <= 0.0 {
            return Err(usage(format!(
                "--rate {rate}: give a positive number of requests per second"
            )));
        }
        let (plan, plan_name) = match self.profile.as_deref() {
            None => {
                let duration = self.duration.unwrap_or(DEFAULT_DURATION);
                let plan = Plan::constant(rate, duration)
                    .map_err(|e| usage(format!("--duration: {e}")))?;
                (plan, "constant".to_string())
            }
            Some(name) => {
                let profile = if name == "election-morning" {
                    Profile::election_morning()
                } else {
                    let text = std::fs::read_to_string(name)
                        .map_err(|error| usage(format!("--profile {name}: {error}")))?;
                    Profile::parse(name, &text).map_err(|error| usage(error.to_string()))?
                };
                let duration = match (profile.is_relative(), self.duration) {
                    (true, None) => Some(DEFAULT_DURATION),
                    (_, given) => given,
                };
                let plan = profile
                    .resolve(duration, Some(rate))
                    .map_err(|error| usage(error.to_string()))?;
                (plan, name.to_string())
            }
        };
        let source = match (&self.http_path, &self.query) {
            (Some(path), _) => {
                if self.protocol != Protocol::Http {
                    return Err(usage("--http-path is for --protocol http".to_string()));
                }
                if !path.starts_with('/') {
                    return Err(usage(format!("--http-path {path}: start it with `/`")));
                }
                RequestSource::FixedPath(path.clone())
            }
            (None, Some(query)) => RequestSource::FixedQuery(query.clone()),
            (None, None) => self.traffic.roll_source()?,
        };
        if self.max_in_flight == 0 {
            return Err(usage("--max-in-flight must be at least 1".to_string()));
        }
        if self.connections == 0 {
            return Err(usage("--connections must be at least 1".to_string()));
        }
        if self.timeout.is_zero() {
            return Err(usage("--timeout must be more than zero".to_string()));
        }
        let classes = self.traffic.classes()?;
        Ok(RunConfig {
            target,
            protocol: self.protocol,
            plan,
            plan_name,
            process: if self.poisson {
                Process::Poisson {
                    seed: self.traffic.seed,
                }
            } else {
                Process::Uniform
            },
            source,
            classes,
            queries_per_class: self.traffic.queries,
            seed: self.traffic.seed,
            client: ClientOptions {
                timeout: self.timeout,
                connections: self.connections,
                limit: self.traffic.limit,
                departement: self.traffic.departement.clone(),
                tls,
            },
            max_in_flight: self.max_in_flight,
            slo: self.slo.clone(),
            json: self.json.clone(),
            html: self.html.clone(),
            progress: !self.quiet,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(extra: &[&str]) -> Result<RunArgs, clap::Error> {
        let mut argv = vec!["loadtest", "run", "--target", "http://127.0.0.1:8080"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv)?.command {
            Command::Run(args) => Ok(args),
            Command::Queries(_) => unreachable!("a run was parsed"),
        }
    }

    #[test]
    fn defaults_are_a_constant_100_per_second_for_30s_of_staff_and_kiosks() {
        let config = run_args(&[]).unwrap().to_config().unwrap();
        assert_eq!(config.protocol, Protocol::Http);
        assert_eq!(
            config.plan,
            Plan::constant(100.0, Duration::from_secs(30)).unwrap()
        );
        assert_eq!(config.process, Process::Uniform);
        assert_eq!(config.classes, ClassSpec::defaults());
        assert_eq!(
            config.source,
            RequestSource::Generated {
                voters: 100_000,
                seed: 42
            }
        );
        assert_eq!(config.client.timeout, Duration::from_secs(5));
        assert!(config.slo.is_none());
    }

    #[test]
    fn the_contract_flags_are_accepted() {
        let args = run_args(&[
            "--protocol",
            "grpc",
            "--profile",
            "election-morning",
            "--rate",
            "400",
            "--duration",
            "2m",
            "--json",
            "out.json",
            "--html",
            "out.html",
            "--slo",
            "p99=50ms,errors=0.1%",
            "--poisson",
            "--class",
            "staff:weight=0.7,key=staff-key",
            "--class",
            "kiosk:weight=0.3,key=kiosk-key",
        ])
        .unwrap();
        let config = args.to_config().unwrap();
        assert_eq!(config.protocol, Protocol::Grpc);
        assert_eq!(config.plan.duration(), Duration::from_secs(120));
        assert_eq!(config.plan.peak_rate(), 400.0);
        assert_eq!(config.plan_name, "election-morning");
        assert_eq!(config.process, Process::Poisson { seed: 42 });
        assert_eq!(config.classes.len(), 2);
        assert_eq!(config.classes[1].api_keys, ["kiosk-key"]);
        assert_eq!(config.slo.unwrap().objectives.len(), 2);
    }

    #[test]
    fn bad_flags_are_refused_before_anything_runs() {
        assert!(run_args(&["--slo", "p99=fast"]).is_err());
        assert!(run_args(&["--duration", "30"]).is_err());
        assert!(run_args(&["--class", "staff:speed=2"]).is_err());
        let refused = |extra: &[&str]| run_args(extra).unwrap().to_config().unwrap_err().0;
        assert!(refused(&["--rate", "0"]).contains("positive"));
        assert!(
            refused(&["--profile", "/nonexistent/profile.txt"])
                .contains("/nonexistent/profile.txt")
        );
        assert!(
            refused(&["--protocol", "grpc", "--http-path", "/healthz"]).contains("--protocol http")
        );
        assert!(refused(&["--class", "a", "--class", "a:weight=2"]).contains("same name"));
        let mut argv = vec!["loadtest", "run", "--target", "https://x:1"];
        argv.truncate(4);
        let Command::Run(args) = Cli::try_parse_from(argv).unwrap().command else {
            unreachable!("a run was parsed")
        };
        assert!(args.to_config().unwrap_err().0.contains("--ca-cert FILE"));
        let missing = vec![
            "loadtest",
            "run",
            "--target",
            "https://x:1",
            "--ca-cert",
            "/nonexistent/ca.pem",
        ];
        let Command::Run(args) = Cli::try_parse_from(missing).unwrap().command else {
            unreachable!("a run was parsed")
        };
        assert!(
            args.to_config()
                .unwrap_err()
                .0
                .contains("/nonexistent/ca.pem")
        );
    }
}
