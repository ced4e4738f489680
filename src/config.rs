//! Settings of the server: command-line flags, each with a `VOTER_LOOKUP_*`
//! environment variable, checked once into typed values. Nothing else reads
//! the environment.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The `voter-lookup` command line.
#[derive(Debug, Parser)]
#[command(
    name = "voter-lookup",
    version,
    about = "Election-day voter lookup: which polling station a voter is registered in"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve an index artifact built by index-builder.
    Serve(ServeArgs),
    /// Generate a synthetic roll in memory, index it and serve it (no file needed).
    Demo(DemoArgs),
}

/// `voter-lookup serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Index artifact directory written by `index-builder build --out`.
    #[arg(long, env = "VOTER_LOOKUP_INDEX", value_name = "DIR")]
    pub index: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `voter-lookup demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Voters in the synthetic roll.
    #[arg(long, env = "VOTER_LOOKUP_DEMO_VOTERS", default_value_t = 100_000)]
    pub voters: usize,
    /// Seed of the synthetic roll: the same seed gives the same voters.
    #[arg(long, env = "VOTER_LOOKUP_DEMO_SEED", default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Settings shared by `serve` and `demo`.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Address of the HTTP/JSON door.
    #[arg(
        long,
        env = "VOTER_LOOKUP_HTTP",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub http: SocketAddr,
    /// Address of the gRPC door.
    #[arg(
        long,
        env = "VOTER_LOOKUP_GRPC",
        default_value = "127.0.0.1:50051",
        value_name = "ADDR"
    )]
    pub grpc: SocketAddr,
    /// Runtime worker threads (default: one per core).
    #[arg(long, env = "VOTER_LOOKUP_WORKERS", value_name = "N")]
    pub workers: Option<usize>,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(
        long,
        env = "VOTER_LOOKUP_DRAIN_SECONDS",
        default_value_t = 10.0,
        value_name = "SECONDS"
    )]
    pub drain_seconds: f64,
    /// Log format: `text` for people, `json` for collectors, `auto` picks
    /// text on a terminal and JSON otherwise.
    #[arg(long, env = "VOTER_LOOKUP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Text on a terminal, JSON otherwise.
    Auto,
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Checked server settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// HTTP address.
    pub http: SocketAddr,
    /// gRPC address.
    pub grpc: SocketAddr,
    /// Runtime workers.
    pub workers: NonZeroUsize,
    /// Drain time on shutdown.
    pub drain: Duration,
}

/// A setting refused at start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid setting {setting}: {message}")]
pub struct ConfigError {
    /// The flag (and variable) at fault.
    pub setting: &'static str,
    /// Why.
    pub message: String,
}

/// Most runtime workers accepted.
const MAX_WORKERS: usize = 256;
/// Longest drain accepted.
const MAX_DRAIN_SECONDS: f64 = 600.0;

impl ServerArgs {
    /// Checks the flags into a [`ServerConfig`].
    pub fn to_config(&self) -> Result<ServerConfig, ConfigError> {
        let workers = match self.workers {
            None => std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
            Some(workers) => NonZeroUsize::new(workers)
                .filter(|w| w.get() <= MAX_WORKERS)
                .ok_or_else(|| ConfigError {
                    setting: "--workers (VOTER_LOOKUP_WORKERS)",
                    message: format!("{workers} is out of range: use 1 to {MAX_WORKERS}"),
                })?,
        };
        if !(0.0..=MAX_DRAIN_SECONDS).contains(&self.drain_seconds) {
            return Err(ConfigError {
                setting: "--drain-seconds (VOTER_LOOKUP_DRAIN_SECONDS)",
                message: format!(
                    "{} is out of range: use 0 to {MAX_DRAIN_SECONDS}",
                    self.drain_seconds
                ),
            });
        }
        if self.http == self.grpc {
            return Err(ConfigError {
                setting: "--grpc (VOTER_LOOKUP_GRPC)",
                message: format!(
                    "{} is also the HTTP address: the doors need two ports",
                    self.grpc
                ),
            });
        }
        Ok(ServerConfig {
            http: self.http,
            grpc: self.grpc,
            workers,
            drain: Duration::from_secs_f64(self.drain_seconds),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> ServerArgs {
        let mut argv = vec!["voter-lookup", "demo"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv).expect("flags parse").command {
            Command::Demo(demo) => demo.server,
            Command::Serve(_) => unreachable!(),
        }
    }

    #[test]
    fn defaults_are_loopback_and_valid() {
        let config = args(&[]).to_config().unwrap();
        assert_eq!(config.http, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.grpc, "127.0.0.1:50051".parse().unwrap());
        assert_eq!(config.drain, Duration::from_secs(10));
    }

    #[test]
    fn invalid_settings_are_named() {
        let error = args(&["--workers", "0"]).to_config().unwrap_err();
        assert!(error.setting.contains("--workers"), "{error}");
        let error = args(&["--drain-seconds=-1"]).to_config().unwrap_err();
        assert!(error.setting.contains("--drain-seconds"), "{error}");
        let error = args(&["--http", "127.0.0.1:9000", "--grpc", "127.0.0.1:9000"])
            .to_config()
            .unwrap_err();
        assert!(error.setting.contains("--grpc"), "{error}");
        assert!(Cli::try_parse_from(["voter-lookup", "demo", "--http", "not-an-address"]).is_err());
    }
}
