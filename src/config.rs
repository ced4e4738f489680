//! Settings of the server, from three places in order of precedence:
//! command-line flags, `VOTER_LOOKUP_*` environment variables, and an
//! optional TOML file (`--config`); then built-in defaults. They are checked
//! once, here, into typed values; nothing else reads the environment, and
//! a bad setting stops the server at start with a message naming it.
//!
//! The file uses the flags' names with `_` for `-`:
//!
//! ```toml
//! http = "0.0.0.0:8080"
//! grpc = "0.0.0.0:50051"
//! workers = 2
//! search_threads = 4
//! drain_seconds = 10
//! shutdown_delay = 5
//! log_format = "json"
//! index = "/srv/voter-lookup/current"
//! verify_key = "/etc/voter-lookup/signing.pem.pub"
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::num::NonZeroU32;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;

use crate::admission::rate::RateConfig;
use crate::admission::{AdmissionConfig, Class};
use crate::client_ip::{Cidr, TrustedProxies};
use crate::privacy::PrivacyConfig;
use crate::privacy::audit::AuditConfig;
use crate::privacy::keys::KeyRing;
use crate::privacy::quota::QuotaLimits;
use crate::privacy::role::{AnonymousPolicy, Roles};
use crate::state::{BodyLimits, KioskTimers};
use crate::transport::tls::TlsFiles;
use crate::transport::{GrpcLimits, HttpLimits, TransportConfig};

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
    /// API keys: make one and the line that configures it.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Summarise the audit trail: lookups and distinct voters per key and hour.
    Audit(AuditArgs),
    /// The météo report: a traffic light per check of a running server
    /// (index, uptime, errors, shedding, brownout, latency, memory,
    /// reloads) over a window, with charts. Exit code 0 when every light is
    /// green or amber, 1 when one is red, 2 when no report could be made.
    Weather(WeatherArgs),
}

/// `voter-lookup key`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print a new key (give it to the device; it is stored nowhere) and
    /// the line to add to the `--api-keys-file` (a salted hash of it).
    New {
        /// `staff` or `kiosk`.
        class: String,
        /// The key's id in logs and the audit trail (letters, digits and
        /// hyphens) [default: the class and a random suffix].
        #[arg(long)]
        id: Option<String>,
    },
}

/// `voter-lookup audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The audit trail's directory (`--audit-log` of the server).
    #[arg(long, value_name = "DIR")]
    pub log: PathBuf,
    /// From when: an RFC 3339 time (`2026-12-06T08:00:00Z`) or a duration
    /// back from now (`4h`, `2days`) [default: the whole trail].
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only this key id (`-` for keyless callers).
    #[arg(long, value_name = "ID")]
    pub key: Option<String>,
    /// `text` (a table) or `json` [default: text].
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: String,
}

/// `voter-lookup weather`. Each setting also comes from its
/// `VOTER_LOOKUP_WEATHER_*` variable, for a scheduled job's environment.
#[derive(Debug, Args)]
pub struct WeatherArgs {
    /// The server's HTTP address, or its operators' address when it runs
    /// with --admin-listen: `http://127.0.0.1:8080`,
    /// `https://lookup.mairie.example` (a path prefix of a reverse proxy
    /// is kept).
    #[arg(long, env = "VOTER_LOOKUP_WEATHER_TARGET", value_name = "URL")]
    pub target: String,
    /// How far back the report looks: `15m`, `4h`, up to `24h`.
    #[arg(
        long,
        env = "VOTER_LOOKUP_WEATHER_WINDOW",
        value_name = "DURATION",
        default_value = "1h"
    )]
    pub window: String,
    /// `text` (a terminal, a mail body), `json` (tools) or `html` (a
    /// self-contained page to mail).
    #[arg(
        long,
        env = "VOTER_LOOKUP_WEATHER_FORMAT",
        value_name = "FORMAT",
        default_value = "text"
    )]
    pub format: String,
    /// Objectives, comma separated, each `KEY=LIMIT`: `p50`, `p90`, `p99`,
    /// `max` (latency of answered searches: `50ms`), `errors` (share failed
    /// on the server's side), `shed` (share refused for load), `degraded`
    /// (share in brownout): `0.5%`. Keys not given keep their default;
    /// `KEY=off` drops one [default: p99=100ms,errors=0.5%,shed=1%,degraded=5%].
    #[arg(long, env = "VOTER_LOOKUP_WEATHER_SLO", value_name = "OBJECTIVES")]
    pub slo: Option<String>,
    /// Red when the served index was built longer ago [default: 7d].
    #[arg(
        long,
        env = "VOTER_LOOKUP_WEATHER_MAX_INDEX_AGE",
        value_name = "DURATION"
    )]
    pub max_index_age: Option<String>,
    /// Red when the server serves another index version (the one just
    /// published, say).
    #[arg(
        long,
        env = "VOTER_LOOKUP_WEATHER_EXPECT_VERSION",
        value_name = "VERSION"
    )]
    pub expect_version: Option<String>,
    /// Red when less than this share of the memory limit (the cgroup's, or
    /// the machine's) was free at the window's peak [default: 20%].
    #[arg(
        long,
        env = "VOTER_LOOKUP_WEATHER_MIN_MEMORY_HEADROOM",
        value_name = "SHARE"
    )]
    pub min_memory_headroom: Option<String>,
    /// Red when the server started more recently than this: a restart
    /// nobody asked for is a crash [default: 10m].
    #[arg(long, env = "VOTER_LOOKUP_WEATHER_MIN_UPTIME", value_name = "DURATION")]
    pub min_uptime: Option<String>,
    /// Write the report to FILE (replaced whole) and print one line
    /// instead [default: standard output].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How long the server has to answer [default: 10s].
    #[arg(long, env = "VOTER_LOOKUP_WEATHER_TIMEOUT", value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Certificate authorities (PEM) for an https target [default: the
    /// system's bundle].
    #[arg(long, env = "VOTER_LOOKUP_WEATHER_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

/// `voter-lookup serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Index artifact directory written by `index-builder build --out`
    /// (this or --index-root, here, in the environment or in the file).
    #[arg(
        long,
        env = "VOTER_LOOKUP_INDEX",
        value_name = "DIR",
        conflicts_with = "index_root"
    )]
    pub index: Option<PathBuf>,
    /// Publishing root written by `index-builder build --publish`: the
    /// server serves the version `ROOT/current` names and follows it.
    #[arg(long, env = "VOTER_LOOKUP_INDEX_ROOT", value_name = "ROOT")]
    pub index_root: Option<PathBuf>,
    /// Seconds between two looks at `ROOT/current`; 0 turns the watch off
    /// (SIGHUP and the admin call still reload) [default: 2].
    #[arg(long, env = "VOTER_LOOKUP_RELOAD_POLL_SECONDS", value_name = "SECONDS")]
    pub reload_poll_seconds: Option<String>,
    /// Largest change of the voter count, in percent, a new index may
    /// bring without `force` [default: 20].
    #[arg(
        long,
        env = "VOTER_LOOKUP_MAX_VOTER_CHANGE_PERCENT",
        value_name = "PERCENT"
    )]
    pub max_voter_change_percent: Option<String>,
    /// Public key (PEM, from `index-builder keygen`) that must have signed
    /// every artifact served: an unsigned artifact, or one signed by
    /// another key, is refused and the live index keeps serving
    /// [default: none, signatures not checked].
    #[arg(long, env = "VOTER_LOOKUP_VERIFY_KEY", value_name = "FILE")]
    pub verify_key: Option<PathBuf>,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `voter-lookup demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Voters in the synthetic roll [default: 100000].
    #[arg(long, env = "VOTER_LOOKUP_DEMO_VOTERS", value_name = "N")]
    pub voters: Option<usize>,
    /// Seed of the synthetic roll: the same seed gives the same voters
    /// [default: 42].
    #[arg(long, env = "VOTER_LOOKUP_DEMO_SEED", value_name = "SEED")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Settings shared by `serve` and `demo`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServerArgs {
    /// TOML file of settings; flags and environment variables override it.
    #[arg(long, env = "VOTER_LOOKUP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address of the HTTP/JSON door [default: 127.0.0.1:8080].
    #[arg(long, env = "VOTER_LOOKUP_HTTP", value_name = "ADDR")]
    pub http: Option<String>,
    /// Address for metrics and admin calls apart from the HTTP door (which
    /// then answers neither), e.g. an address on the operators' network;
    /// `/healthz` and `/readyz` are answered on both. Plain HTTP
    /// [default: none, all on the HTTP door].
    #[arg(long, env = "VOTER_LOOKUP_ADMIN_LISTEN", value_name = "ADDR")]
    pub admin_listen: Option<String>,
    /// Address of the gRPC door [default: 127.0.0.1:50051].
    #[arg(long, env = "VOTER_LOOKUP_GRPC", value_name = "ADDR")]
    pub grpc: Option<String>,
    /// Runtime worker threads [default: one per core].
    #[arg(long, env = "VOTER_LOOKUP_WORKERS", value_name = "N")]
    pub workers: Option<String>,
    /// Threads that run searches, apart from the runtime's workers; more
    /// than the cores lets a short search overtake a long one instead of
    /// waiting behind it [default: twice --workers].
    #[arg(long, env = "VOTER_LOOKUP_SEARCH_THREADS", value_name = "N")]
    pub search_threads: Option<String>,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C
    /// [default: 10].
    #[arg(
        long,
        env = "VOTER_LOOKUP_DRAIN_SECONDS",
        value_name = "SECONDS",
        allow_hyphen_values = true
    )]
    pub drain_seconds: Option<String>,
    /// Seconds the server keeps answering after SIGTERM while reporting
    /// not ready, so that load balancers stop sending before it stops
    /// accepting (`5` or `5s`; then the drain begins) [default: 0].
    #[arg(
        long,
        env = "VOTER_LOOKUP_SHUTDOWN_DELAY",
        value_name = "SECONDS",
        allow_hyphen_values = true
    )]
    pub shutdown_delay: Option<String>,
    /// Log format: `text` for people, `json` for collectors, `auto` picks
    /// text on a terminal and JSON otherwise [default: auto].
    #[arg(long, env = "VOTER_LOOKUP_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Token the admin calls (reload, rollback) must carry as
    /// `Authorization: Bearer TOKEN`; without one, admin calls are refused
    /// [default: none]. Prefer the variable or the file to a flag, which
    /// other users of the machine can see.
    #[arg(
        long,
        env = "VOTER_LOOKUP_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Admission control (rate limits, load shedding, brownout): `on` or
    /// `off` [default: on].
    #[arg(long, env = "VOTER_LOOKUP_ADMISSION", value_name = "ON|OFF")]
    pub admission: Option<String>,
    /// An API key and the class it gives (`staff` or `kiosk`), as
    /// KEY:CLASS; repeat for each key (comma-separated in the variable).
    /// Requests without a known key are `anonymous`.
    #[arg(
        long = "api-key",
        env = "VOTER_LOOKUP_API_KEYS",
        value_name = "KEY:CLASS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,
    /// File of API keys kept as salted hashes, one `ID CLASS sha256:SALT:HASH`
    /// line each (from `voter-lookup key new`); reread on SIGHUP, so keys
    /// are added, rotated and revoked without a restart.
    #[arg(long, env = "VOTER_LOOKUP_API_KEYS_FILE", value_name = "FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// What callers without a known key get: `kiosk` (the kiosk view, with
    /// the anonymous quotas), `deny` (403), or `staff` (full answers: a
    /// closed network only) [default: kiosk once any key is configured,
    /// staff when none is].
    #[arg(long, env = "VOTER_LOOKUP_ANONYMOUS", value_name = "KIOSK|DENY|STAFF")]
    pub anonymous: Option<String>,
    /// A class's quotas of distinct voters revealed, per client (key and
    /// address) per hour and per day, as CLASS:HOUR:DAY (0: no quota), or
    /// `off` for none [default once any key is configured:
    /// staff:20000:100000, kiosk:300:2000, anonymous:20:60; none without
    /// keys].
    #[arg(
        long = "quota",
        env = "VOTER_LOOKUP_QUOTAS",
        value_name = "CLASS:HOUR:DAY",
        value_delimiter = ','
    )]
    pub quotas: Vec<String>,
    /// Directory of the audit trail: a JSON line for every answer that
    /// reveals a voter and every admin call [default: none, no trail].
    #[arg(long, env = "VOTER_LOOKUP_AUDIT_LOG", value_name = "DIR")]
    pub audit_log: Option<PathBuf>,
    /// Days the audit trail's files are kept [default: 183].
    #[arg(long, env = "VOTER_LOOKUP_AUDIT_RETENTION_DAYS", value_name = "DAYS")]
    pub audit_retention_days: Option<String>,
    /// Size in MiB at which a new audit file starts (a new one starts each
    /// UTC day too) [default: 64].
    #[arg(long, env = "VOTER_LOOKUP_AUDIT_FILE_MB", value_name = "MIB")]
    pub audit_file_mb: Option<String>,
    /// A class's rate limits in requests per second, per client and for
    /// the whole class, as CLASS:PER_CLIENT:TOTAL (0: no limit; bursts of
    /// twice the rate), or `off` for none [default: staff:500:0,
    /// kiosk:20:2000, anonymous:50:1000].
    #[arg(
        long = "rate-limit",
        env = "VOTER_LOOKUP_RATE_LIMITS",
        value_name = "CLASS:CLIENT:TOTAL",
        value_delimiter = ','
    )]
    pub rate_limits: Vec<String>,
    /// A reverse proxy (address or CIDR block) whose `Forwarded` /
    /// `X-Forwarded-For` headers name the client; repeat for each
    /// (comma-separated in the variable) [default: none, headers ignored].
    #[arg(
        long = "trusted-proxy",
        env = "VOTER_LOOKUP_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Upper bound of the adaptive concurrency limit [default: 64].
    #[arg(long, env = "VOTER_LOOKUP_MAX_CONCURRENCY", value_name = "N")]
    pub max_concurrency: Option<String>,
    /// Longest a request waits for its turn before it is shed, in
    /// milliseconds [default: 10].
    #[arg(long, env = "VOTER_LOOKUP_QUEUE_WAIT_MS", value_name = "MS")]
    pub queue_wait_ms: Option<String>,
    /// Most requests waiting for their turn [default: 128].
    #[arg(long, env = "VOTER_LOOKUP_QUEUE_CAPACITY", value_name = "N")]
    pub queue_capacity: Option<String>,
    /// Queueing delay, in milliseconds, above which lookups switch to
    /// their cheaper degraded mode [default: 4].
    #[arg(long, env = "VOTER_LOOKUP_BROWNOUT_DELAY_MS", value_name = "MS")]
    pub brownout_delay_ms: Option<String>,
    /// Most lookups in flight on one connection; more are refused at once
    /// with 429 / `RESOURCE_EXHAUSTED` [default: 32].
    #[arg(
        long,
        env = "VOTER_LOOKUP_MAX_IN_FLIGHT_PER_CONNECTION",
        value_name = "N"
    )]
    pub max_in_flight_per_connection: Option<String>,
    /// Most lookups in flight from one client (its API key, or its address
    /// without one); more are refused at once [default: 64].
    #[arg(long, env = "VOTER_LOOKUP_MAX_IN_FLIGHT_PER_CLIENT", value_name = "N")]
    pub max_in_flight_per_client: Option<String>,
    /// Share of the concurrency limit, in percent, that only staff may use
    /// [default: 20].
    #[arg(
        long,
        env = "VOTER_LOOKUP_STAFF_RESERVE_PERCENT",
        value_name = "PERCENT"
    )]
    pub staff_reserve_percent: Option<String>,
    /// Longest an HTTP request body may take to arrive, in milliseconds,
    /// before the request is answered 408 [default: 2000].
    #[arg(long, env = "VOTER_LOOKUP_BODY_TIMEOUT_MS", value_name = "MS")]
    pub body_timeout_ms: Option<String>,
    /// Largest HTTP request body read, in bytes; larger ones are answered
    /// 413 [default: 16384].
    #[arg(long, env = "VOTER_LOOKUP_MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<String>,
    /// Seconds without a touch after which the kiosk page (`/`, `/kiosk`)
    /// clears itself and goes back to its start [default: 60].
    #[arg(long, env = "VOTER_LOOKUP_KIOSK_RESET_SECONDS", value_name = "SECONDS")]
    pub kiosk_reset_seconds: Option<String>,
    /// Seconds an answer stays on the kiosk page before it clears itself,
    /// touched or not [default: 30].
    #[arg(
        long,
        env = "VOTER_LOOKUP_KIOSK_ANSWER_SECONDS",
        value_name = "SECONDS"
    )]
    pub kiosk_answer_seconds: Option<String>,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// Limits on connections, for both doors (see [`crate::transport`]).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection limits")]
pub struct TransportArgs {
    /// Seconds a connection has to send a whole request head, from when
    /// it opens or gets its previous answer; it is closed after that, so
    /// this is also how long an idle keep-alive connection stays open; a
    /// gRPC connection that sends nothing within it is closed too
    /// [default: 10].
    #[arg(
        long,
        env = "VOTER_LOOKUP_HEADER_READ_TIMEOUT_SECONDS",
        value_name = "SECONDS"
    )]
    pub header_read_timeout_seconds: Option<String>,
    /// Largest request head in bytes (HTTP request line and headers, gRPC
    /// metadata); larger is refused [default: 16384].
    #[arg(long, env = "VOTER_LOOKUP_MAX_HEADER_BYTES", value_name = "BYTES")]
    pub max_header_bytes: Option<String>,
    /// Most headers in an HTTP request; more is refused with 431
    /// [default: 64].
    #[arg(long, env = "VOTER_LOOKUP_MAX_HEADERS", value_name = "N")]
    pub max_headers: Option<String>,
    /// Most connections each door keeps open; more are closed at once
    /// [default: 4096].
    #[arg(long, env = "VOTER_LOOKUP_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<String>,
    /// Most connections each door keeps open from one client address
    /// [default: 256].
    #[arg(
        long,
        env = "VOTER_LOOKUP_MAX_CONNECTIONS_PER_CLIENT",
        value_name = "N"
    )]
    pub max_connections_per_client: Option<String>,
    /// Milliseconds the accept loop waits after a failed accept (out of
    /// file descriptors, say) before trying again [default: 100].
    #[arg(long, env = "VOTER_LOOKUP_ACCEPT_ERROR_PAUSE_MS", value_name = "MS")]
    pub accept_error_pause_ms: Option<String>,
    /// Most gRPC streams open at once on one connection [default: 32].
    #[arg(long, env = "VOTER_LOOKUP_GRPC_MAX_STREAMS", value_name = "N")]
    pub grpc_max_streams: Option<String>,
    /// Seconds between two HTTP/2 pings on a gRPC connection
    /// [default: 30].
    #[arg(
        long,
        env = "VOTER_LOOKUP_GRPC_KEEPALIVE_SECONDS",
        value_name = "SECONDS"
    )]
    pub grpc_keepalive_seconds: Option<String>,
    /// Seconds a ping may go unanswered before the connection is closed
    /// [default: 10].
    #[arg(
        long,
        env = "VOTER_LOOKUP_GRPC_KEEPALIVE_TIMEOUT_SECONDS",
        value_name = "SECONDS"
    )]
    pub grpc_keepalive_timeout_seconds: Option<String>,
    /// Seconds a gRPC call may run at most, whatever its deadline
    /// [default: 30].
    #[arg(
        long,
        env = "VOTER_LOOKUP_GRPC_REQUEST_TIMEOUT_SECONDS",
        value_name = "SECONDS"
    )]
    pub grpc_request_timeout_seconds: Option<String>,
    /// Streams the server may reset for a client's protocol errors on one
    /// connection before closing it [default: 64].
    #[arg(long, env = "VOTER_LOOKUP_GRPC_MAX_LOCAL_RESETS", value_name = "N")]
    pub grpc_max_local_resets: Option<String>,
    /// Streams a client may reset before the server accepted them, pending
    /// at once, before the connection is closed (rapid reset)
    /// [default: 20].
    #[arg(long, env = "VOTER_LOOKUP_GRPC_MAX_PENDING_RESETS", value_name = "N")]
    pub grpc_max_pending_resets: Option<String>,
    /// Largest gRPC request message decoded by the lookup, health and
    /// reflection services, in bytes (admin calls: 1024) [default: 16384].
    #[arg(
        long,
        env = "VOTER_LOOKUP_GRPC_MAX_MESSAGE_BYTES",
        value_name = "BYTES"
    )]
    pub grpc_max_message_bytes: Option<String>,
}

/// TLS on both doors (see [`crate::transport::tls`]): both settings or
/// neither.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "TLS")]
pub struct TlsArgs {
    /// PEM certificate chain (the server's certificate first) that both
    /// doors serve over TLS, with --tls-key; read again on SIGHUP
    /// [default: none, plain TCP].
    #[arg(long, env = "VOTER_LOOKUP_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1); read again
    /// on SIGHUP [default: none].
    #[arg(long, env = "VOTER_LOOKUP_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
}

impl TlsArgs {
    /// The certificate and key files, from flags, environment or `file`;
    /// their contents are read when the server starts
    /// ([`crate::transport::tls::TlsCertificates::load`]).
    fn to_config(&self, file: &FileSettings) -> Result<Option<TlsFiles>, ConfigError> {
        let cert = self.tls_cert.clone().or_else(|| file.tls_cert.clone());
        let key = self.tls_key.clone().or_else(|| file.tls_key.clone());
        match (cert, key) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => Ok(Some(TlsFiles { cert, key })),
            (Some(_), None) => Err(invalid("tls-key", "missing: --tls-cert needs its key")),
            (None, Some(_)) => Err(invalid(
                "tls-cert",
                "missing: --tls-key needs its certificate",
            )),
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Text on a terminal, JSON otherwise.
    Auto,
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The settings file, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    http: Option<String>,
    grpc: Option<String>,
    admin_listen: Option<String>,
    workers: Option<toml::Value>,
    search_threads: Option<toml::Value>,
    drain_seconds: Option<toml::Value>,
    shutdown_delay: Option<toml::Value>,
    log_format: Option<String>,
    admin_token: Option<String>,
    admission: Option<String>,
    api_keys: Option<Vec<String>>,
    api_keys_file: Option<PathBuf>,
    anonymous: Option<String>,
    quotas: Option<Vec<String>>,
    audit_log: Option<PathBuf>,
    audit_retention_days: Option<toml::Value>,
    audit_file_mb: Option<toml::Value>,
    rate_limits: Option<Vec<String>>,
    trusted_proxies: Option<Vec<String>>,
    max_concurrency: Option<toml::Value>,
    queue_wait_ms: Option<toml::Value>,
    queue_capacity: Option<toml::Value>,
    brownout_delay_ms: Option<toml::Value>,
    max_in_flight_per_connection: Option<toml::Value>,
    max_in_flight_per_client: Option<toml::Value>,
    staff_reserve_percent: Option<toml::Value>,
    body_timeout_ms: Option<toml::Value>,
    max_body_bytes: Option<toml::Value>,
    kiosk_reset_seconds: Option<toml::Value>,
    kiosk_answer_seconds: Option<toml::Value>,
    index: Option<PathBuf>,
    index_root: Option<PathBuf>,
    reload_poll_seconds: Option<toml::Value>,
    max_voter_change_percent: Option<toml::Value>,
    verify_key: Option<PathBuf>,
    demo_voters: Option<usize>,
    demo_seed: Option<u64>,
    header_read_timeout_seconds: Option<toml::Value>,
    max_header_bytes: Option<toml::Value>,
    max_headers: Option<toml::Value>,
    max_connections: Option<toml::Value>,
    max_connections_per_client: Option<toml::Value>,
    accept_error_pause_ms: Option<toml::Value>,
    grpc_max_streams: Option<toml::Value>,
    grpc_keepalive_seconds: Option<toml::Value>,
    grpc_keepalive_timeout_seconds: Option<toml::Value>,
    grpc_request_timeout_seconds: Option<toml::Value>,
    grpc_max_local_resets: Option<toml::Value>,
    grpc_max_pending_resets: Option<toml::Value>,
    grpc_max_message_bytes: Option<toml::Value>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
}

/// Checked server settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// HTTP address.
    pub http: SocketAddr,
    /// gRPC address.
    pub grpc: SocketAddr,
    /// Metrics and admin calls apart, when set.
    pub admin_listen: Option<SocketAddr>,
    /// Runtime workers.
    pub workers: NonZeroUsize,
    /// Search threads.
    pub search_threads: NonZeroUsize,
    /// Drain time on shutdown.
    pub drain: Duration,
    /// Time answering while not ready after the shutdown signal.
    pub shutdown_delay: Duration,
    /// Log format.
    pub log_format: LogFormat,
    /// Admin token, when admin calls are enabled.
    pub admin_token: Option<String>,
    /// Admission control, when on.
    pub admission: Option<AdmissionConfig>,
    /// Roles, quotas and the audit trail.
    pub privacy: PrivacyConfig,
    /// The hashed keys' file, reread on SIGHUP.
    pub api_keys_file: Option<PathBuf>,
    /// How the HTTP door reads request bodies.
    pub body_limits: BodyLimits,
    /// How the kiosk page clears itself.
    pub kiosk_timers: KioskTimers,
    /// Limits on connections.
    pub transport: TransportConfig,
    /// The certificate and key both doors serve, when they speak TLS.
    pub tls: Option<TlsFiles>,
}

/// A setting refused at start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid setting {setting}: {message}")]
pub struct ConfigError {
    /// The setting at fault, as a flag, variable and file key.
    pub setting: String,
    /// Why.
    pub message: String,
}

/// Most runtime workers accepted.
const MAX_WORKERS: usize = 256;
/// Longest drain accepted.
const MAX_DRAIN_SECONDS: f64 = 600.0;
/// Longest shutdown delay accepted.
const MAX_SHUTDOWN_DELAY_SECONDS: f64 = 300.0;

/// A duration given as seconds (`5`, `2.5`) or with a unit (`5s`, `500ms`).
fn parse_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    text.parse::<f64>().ok().or_else(|| {
        humantime::parse_duration(text)
            .ok()
            .map(|duration| duration.as_secs_f64())
    })
}

/// Where a setting is named in messages: its flag, variable and file key.
fn names(flag: &str) -> String {
    let key = flag.replace('-', "_");
    format!(
        "--{flag} (VOTER_LOOKUP_{}, `{key}` in the file)",
        key.to_uppercase()
    )
}

fn invalid(flag: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: names(flag),
        message: message.into(),
    }
}

/// Reads the settings file named by `--config`, if any.
pub fn read_file(path: Option<&Path>) -> Result<FileSettings, ConfigError> {
    let Some(path) = path else {
        return Ok(FileSettings::default());
    };
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
        setting: names("config"),
        message: format!("{}: {error}", path.display()),
    })?;
    toml::from_str(&text).map_err(|error| ConfigError {
        setting: names("config"),
        message: format!("{}: {}", path.display(), error.to_string().trim_end()),
    })
}

/// A file value as the text a flag would have given.
fn file_text(value: &Option<toml::Value>) -> Option<String> {
    value.as_ref().map(|value| match value {
        toml::Value::String(text) => text.clone(),
        other => other.to_string(),
    })
}

impl ServerArgs {
    /// Resolves flags, environment and `file` into a [`ServerConfig`].
    pub fn to_config(&self, file: &FileSettings) -> Result<ServerConfig, ConfigError> {
        let address =
            |flag: &str, given: &Option<String>, from_file: &Option<String>, default: &str| {
                let text = given
                    .clone()
                    .or_else(|| from_file.clone())
                    .unwrap_or_else(|| default.to_string());
                text.trim().parse::<SocketAddr>().map_err(|_| {
                    invalid(
                        flag,
                        format!("`{text}` is not an address such as 127.0.0.1:8080"),
                    )
                })
            };
        let http = address("http", &self.http, &file.http, "127.0.0.1:8080")?;
        let grpc = address("grpc", &self.grpc, &file.grpc, "127.0.0.1:50051")?;
        let admin_listen = match self
            .admin_listen
            .clone()
            .or_else(|| file.admin_listen.clone())
        {
            None => None,
            Some(text) => Some(address("admin-listen", &Some(text), &None, "")?),
        };
        if let Some(admin) = admin_listen
            && admin.port() != 0
            && (admin == http || admin == grpc)
        {
            return Err(invalid(
                "admin-listen",
                format!("{admin} is also a door's address: give it a port of its own"),
            ));
        }
        // Port 0 twice is two ports the system picks.
        if http == grpc && http.port() != 0 {
            return Err(invalid(
                "grpc",
                format!("{grpc} is also the HTTP address: the doors need two ports"),
            ));
        }
        let workers = match self.workers.clone().or_else(|| file_text(&file.workers)) {
            None => std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(NonZeroUsize::new)
                .filter(|workers| workers.get() <= MAX_WORKERS)
                .ok_or_else(|| {
                    invalid(
                        "workers",
                        format!("`{text}` is out of range: use 1 to {MAX_WORKERS}"),
                    )
                })?,
        };
        let search_threads = match self
            .search_threads
            .clone()
            .or_else(|| file_text(&file.search_threads))
        {
            None => workers.saturating_mul(NonZeroUsize::MIN.saturating_add(1)),
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(NonZeroUsize::new)
                .filter(|threads| threads.get() <= MAX_WORKERS)
                .ok_or_else(|| {
                    invalid(
                        "search-threads",
                        format!("`{text}` is out of range: use 1 to {MAX_WORKERS}"),
                    )
                })?,
        };
        let drain_seconds = match self
            .drain_seconds
            .clone()
            .or_else(|| file_text(&file.drain_seconds))
        {
            None => 10.0,
            Some(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|seconds| (0.0..=MAX_DRAIN_SECONDS).contains(seconds))
                .ok_or_else(|| {
                    invalid(
                        "drain-seconds",
                        format!("`{text}` is out of range: use 0 to {MAX_DRAIN_SECONDS}"),
                    )
                })?,
        };
        let shutdown_delay = match self
            .shutdown_delay
            .clone()
            .or_else(|| file_text(&file.shutdown_delay))
        {
            None => 0.0,
            Some(text) => parse_seconds(&text)
                .filter(|seconds| (0.0..=MAX_SHUTDOWN_DELAY_SECONDS).contains(seconds))
                .ok_or_else(|| {
                    invalid(
                        "shutdown-delay",
                        format!(
                            "`{text}` is out of range: use 0 to {MAX_SHUTDOWN_DELAY_SECONDS} seconds"
                        ),
                    )
                })?,
        };
        let log_format = match self.log_format.clone().or_else(|| file.log_format.clone()) {
            None => LogFormat::Auto,
            Some(text) => LogFormat::from_str(text.trim(), true).map_err(|_| {
                invalid(
                    "log-format",
                    format!("`{text}` is not one of auto, text, json"),
                )
            })?,
        };
        let admin_token = self
            .admin_token
            .clone()
            .or_else(|| file.admin_token.clone());
        if let Some(token) = &admin_token
            && (token.len() < 16 || token.chars().any(char::is_whitespace))
        {
            return Err(invalid(
                "admin-token",
                "use at least 16 characters, no spaces",
            ));
        }
        Ok(ServerConfig {
            http,
            grpc,
            admin_listen,
            workers,
            search_threads,
            drain: Duration::from_secs_f64(drain_seconds),
            shutdown_delay: Duration::from_secs_f64(shutdown_delay),
            log_format,
            admin_token,
            admission: self.admission_config(file)?,
            privacy: self.privacy_config(file)?,
            api_keys_file: self.api_keys_file(file),
            body_limits: self.body_limits(file)?,
            kiosk_timers: self.kiosk_timers(file)?,
            transport: self.transport.to_config(file)?,
            tls: self.tls.to_config(file)?,
        })
    }

    fn api_keys_file(&self, file: &FileSettings) -> Option<PathBuf> {
        self.api_keys_file
            .clone()
            .or_else(|| file.api_keys_file.clone())
    }

    /// Every key configured: in clear and in the hashed keys' file.
    pub fn key_ring(&self, file: &FileSettings) -> Result<KeyRing, ConfigError> {
        let clear = self.clear_keys(file)?;
        let ring = KeyRing::with_clear(&clear);
        match self.api_keys_file(file) {
            Some(path) => ring
                .with_file(&path)
                .map_err(|error| invalid("api-keys-file", error.to_string())),
            None => Ok(ring),
        }
    }

    fn clear_keys(&self, file: &FileSettings) -> Result<HashMap<String, Class>, ConfigError> {
        let keys = if self.api_keys.is_empty() {
            file.api_keys.clone().unwrap_or_default()
        } else {
            self.api_keys.clone()
        };
        let mut clear = HashMap::new();
        for entry in keys.iter().filter(|entry| !entry.trim().is_empty()) {
            let (key, class) = entry.rsplit_once(':').ok_or_else(|| {
                invalid("api-key", format!("`{}` is not KEY:CLASS", redact(entry)))
            })?;
            let class = Class::from_name(class)
                .filter(|class| *class != Class::Anonymous)
                .ok_or_else(|| {
                    invalid("api-key", format!("class `{class}` is not staff or kiosk"))
                })?;
            if key.trim().len() < 8 {
                return Err(invalid("api-key", "keys have at least 8 characters"));
            }
            clear.insert(key.trim().to_string(), class);
        }
        Ok(clear)
    }

    fn privacy_config(&self, file: &FileSettings) -> Result<PrivacyConfig, ConfigError> {
        let keys_configured = !self.key_ring(file)?.is_empty();
        let anonymous = match self.anonymous.clone().or_else(|| file.anonymous.clone()) {
            None => AnonymousPolicy::default_for(keys_configured),
            Some(text) => AnonymousPolicy::parse(&text).ok_or_else(|| {
                invalid("anonymous", format!("`{text}` is not kiosk, deny or staff"))
            })?,
        };
        let mut quotas = QuotaLimits::defaults(keys_configured);
        let entries = if self.quotas.is_empty() {
            file.quotas.clone().unwrap_or_default()
        } else {
            self.quotas.clone()
        };
        for entry in entries
            .iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
        {
            if entry == "off" {
                quotas = [QuotaLimits::NONE; 3];
                continue;
            }
            let parts: Vec<&str> = entry.split(':').collect();
            let parsed = match parts.as_slice() {
                [class, hour, day] => Class::from_name(class)
                    .zip(hour.parse::<u32>().ok())
                    .zip(day.parse::<u32>().ok()),
                _ => None,
            };
            let ((class, hour), day) = parsed.ok_or_else(|| {
                invalid(
                    "quota",
                    format!("`{entry}` is not CLASS:HOUR:DAY, e.g. kiosk:300:2000"),
                )
            })?;
            quotas[class.rank()] = QuotaLimits {
                hour: (hour > 0).then_some(hour),
                day: (day > 0).then_some(day),
            };
        }
        let audit = match self.audit_log.clone().or_else(|| file.audit_log.clone()) {
            None => None,
            Some(dir) => {
                let days = number(
                    "audit-retention-days",
                    &self.audit_retention_days,
                    &file.audit_retention_days,
                    1..=3650,
                )?
                .unwrap_or(AuditConfig::DEFAULT_RETENTION_DAYS);
                let mib = number(
                    "audit-file-mb",
                    &self.audit_file_mb,
                    &file.audit_file_mb,
                    1..=4096,
                )?;
                Some(AuditConfig {
                    dir,
                    max_file_bytes: mib
                        .map_or(AuditConfig::DEFAULT_MAX_FILE_BYTES, |mib| mib * 1024 * 1024),
                    retention: Duration::from_secs(days * 24 * 3600),
                })
            }
        };
        Ok(PrivacyConfig {
            roles: Roles { anonymous },
            quotas,
            audit,
        })
    }

    fn body_limits(&self, file: &FileSettings) -> Result<BodyLimits, ConfigError> {
        let mut limits = BodyLimits::default();
        if let Some(ms) = number(
            "body-timeout-ms",
            &self.body_timeout_ms,
            &file.body_timeout_ms,
            1..=60_000,
        )? {
            limits.timeout = Duration::from_millis(ms);
        }
        if let Some(bytes) = number(
            "max-body-bytes",
            &self.max_body_bytes,
            &file.max_body_bytes,
            0..=1 << 20,
        )? {
            limits.max_bytes = bytes as usize;
        }
        Ok(limits)
    }

    fn kiosk_timers(&self, file: &FileSettings) -> Result<KioskTimers, ConfigError> {
        let default = KioskTimers::default();
        let seconds = |flag, given, from_file, default: Duration| {
            count_setting(flag, given, from_file, default.as_secs(), 5..=3600)
                .map(Duration::from_secs)
        };
        Ok(KioskTimers {
            idle_reset: seconds(
                "kiosk-reset-seconds",
                &self.kiosk_reset_seconds,
                &file.kiosk_reset_seconds,
                default.idle_reset,
            )?,
            answer_shown: seconds(
                "kiosk-answer-seconds",
                &self.kiosk_answer_seconds,
                &file.kiosk_answer_seconds,
                default.answer_shown,
            )?,
        })
    }

    fn admission_config(
        &self,
        file: &FileSettings,
    ) -> Result<Option<AdmissionConfig>, ConfigError> {
        let on = match self.admission.clone().or_else(|| file.admission.clone()) {
            None => true,
            Some(text) => match text.trim() {
                "on" | "true" => true,
                "off" | "false" => false,
                other => return Err(invalid("admission", format!("`{other}` is not on or off"))),
            },
        };
        if !on {
            return Ok(None);
        }
        let mut config = AdmissionConfig {
            api_keys: self.clear_keys(file)?,
            key_ring: Some(self.key_ring(file)?),
            ..AdmissionConfig::default()
        };
        let limits = if self.rate_limits.is_empty() {
            file.rate_limits.clone().unwrap_or_default()
        } else {
            self.rate_limits.clone()
        };
        for entry in limits
            .iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
        {
            if entry == "off" {
                config.rates = [RateConfig {
                    per_client: None,
                    total: None,
                }; 3];
                continue;
            }
            let parts: Vec<&str> = entry.split(':').collect();
            let parsed = match parts.as_slice() {
                [class, client, total] => Class::from_name(class)
                    .zip(client.parse::<u32>().ok())
                    .zip(total.parse::<u32>().ok()),
                _ => None,
            };
            let ((class, client), total) = parsed.ok_or_else(|| {
                invalid(
                    "rate-limit",
                    format!("`{entry}` is not CLASS:PER_CLIENT:TOTAL, e.g. kiosk:20:2000"),
                )
            })?;
            config.rates[class.rank()] = RateConfig {
                per_client: NonZeroU32::new(client),
                total: NonZeroU32::new(total),
            };
        }
        let proxies = if self.trusted_proxies.is_empty() {
            file.trusted_proxies.clone().unwrap_or_default()
        } else {
            self.trusted_proxies.clone()
        };
        let blocks = proxies
            .iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
            .map(|entry| entry.parse::<Cidr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| invalid("trusted-proxy", error.to_string()))?;
        config.trusted_proxies = TrustedProxies::new(blocks);
        if let Some(n) = number(
            "max-concurrency",
            &self.max_concurrency,
            &file.max_concurrency,
            1..=4096,
        )? {
            config.limit.max_limit = n as usize;
            config.limit.initial_limit = config.limit.initial_limit.min(n as usize);
        }
        if let Some(ms) = number(
            "queue-wait-ms",
            &self.queue_wait_ms,
            &file.queue_wait_ms,
            0..=10_000,
        )? {
            config.limit.max_queue_wait = Duration::from_millis(ms);
        }
        if let Some(n) = number(
            "queue-capacity",
            &self.queue_capacity,
            &file.queue_capacity,
            0..=100_000,
        )? {
            config.limit.queue_capacity = n as usize;
        }
        if let Some(ms) = number(
            "brownout-delay-ms",
            &self.brownout_delay_ms,
            &file.brownout_delay_ms,
            0..=10_000,
        )? {
            config.limit.brownout_delay = Duration::from_millis(ms);
        }
        if let Some(n) = number(
            "max-in-flight-per-connection",
            &self.max_in_flight_per_connection,
            &file.max_in_flight_per_connection,
            1..=100_000,
        )? {
            config.in_flight.per_connection = n as usize;
        }
        if let Some(n) = number(
            "max-in-flight-per-client",
            &self.max_in_flight_per_client,
            &file.max_in_flight_per_client,
            1..=100_000,
        )? {
            config.in_flight.per_client = n as usize;
        }
        if let Some(percent) = number(
            "staff-reserve-percent",
            &self.staff_reserve_percent,
            &file.staff_reserve_percent,
            0..=90,
        )? {
            config.limit.staff_reserve = percent as f64 / 100.0;
        }
        Ok(Some(config))
    }
}

/// A whole number from a flag, the environment or the file, within `range`.
fn number(
    flag: &str,
    given: &Option<String>,
    from_file: &Option<toml::Value>,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, ConfigError> {
    match given.clone().or_else(|| file_text(from_file)) {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                invalid(
                    flag,
                    format!(
                        "`{text}` is out of range: use {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

/// A whole number from its flag or variable, else the file, else
/// `default`, within `range`.
fn count_setting(
    flag: &str,
    given: &Option<String>,
    from_file: &Option<toml::Value>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    Ok(number(flag, given, from_file, range)?.unwrap_or(default))
}

/// A duration in seconds (fractions allowed) from its flag or variable,
/// else the file, else `default`, within `range`.
fn seconds_setting(
    flag: &str,
    given: &Option<String>,
    from_file: &Option<toml::Value>,
    default: Duration,
    range: std::ops::RangeInclusive<f64>,
) -> Result<Duration, ConfigError> {
    let Some(text) = given.clone().or_else(|| file_text(from_file)) else {
        return Ok(default);
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| range.contains(seconds))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            invalid(
                flag,
                format!(
                    "`{text}` is out of range: use {} to {} seconds",
                    range.start(),
                    range.end()
                ),
            )
        })
}

impl TransportArgs {
    /// Resolves the connection limits, one setting at a time.
    pub fn to_config(&self, file: &FileSettings) -> Result<TransportConfig, ConfigError> {
        let default = TransportConfig::default();
        let max_header_bytes = count_setting(
            "max-header-bytes",
            &self.max_header_bytes,
            &file.max_header_bytes,
            default.http.max_header_bytes as u64,
            1024..=1024 * 1024,
        )?;
        Ok(TransportConfig {
            http: HttpLimits {
                header_read_timeout: seconds_setting(
                    "header-read-timeout-seconds",
                    &self.header_read_timeout_seconds,
                    &file.header_read_timeout_seconds,
                    default.http.header_read_timeout,
                    0.01..=300.0,
                )?,
                max_header_bytes: max_header_bytes as usize,
                max_headers: count_setting(
                    "max-headers",
                    &self.max_headers,
                    &file.max_headers,
                    default.http.max_headers as u64,
                    4..=1000,
                )? as usize,
            },
            grpc: GrpcLimits {
                max_streams: count_setting(
                    "grpc-max-streams",
                    &self.grpc_max_streams,
                    &file.grpc_max_streams,
                    u64::from(default.grpc.max_streams),
                    1..=10_000,
                )? as u32,
                keepalive_interval: seconds_setting(
                    "grpc-keepalive-seconds",
                    &self.grpc_keepalive_seconds,
                    &file.grpc_keepalive_seconds,
                    default.grpc.keepalive_interval,
                    0.1..=3600.0,
                )?,
                keepalive_timeout: seconds_setting(
                    "grpc-keepalive-timeout-seconds",
                    &self.grpc_keepalive_timeout_seconds,
                    &file.grpc_keepalive_timeout_seconds,
                    default.grpc.keepalive_timeout,
                    0.1..=600.0,
                )?,
                request_timeout: seconds_setting(
                    "grpc-request-timeout-seconds",
                    &self.grpc_request_timeout_seconds,
                    &file.grpc_request_timeout_seconds,
                    default.grpc.request_timeout,
                    0.01..=3600.0,
                )?,
                max_local_resets: count_setting(
                    "grpc-max-local-resets",
                    &self.grpc_max_local_resets,
                    &file.grpc_max_local_resets,
                    default.grpc.max_local_resets as u64,
                    1..=100_000,
                )? as usize,
                max_pending_resets: count_setting(
                    "grpc-max-pending-resets",
                    &self.grpc_max_pending_resets,
                    &file.grpc_max_pending_resets,
                    default.grpc.max_pending_resets as u64,
                    1..=100_000,
                )? as usize,
                max_message_bytes: count_setting(
                    "grpc-max-message-bytes",
                    &self.grpc_max_message_bytes,
                    &file.grpc_max_message_bytes,
                    default.grpc.max_message_bytes as u64,
                    1024..=4 * 1024 * 1024,
                )? as usize,
                max_header_bytes: max_header_bytes as u32,
            },
            max_connections: count_setting(
                "max-connections",
                &self.max_connections,
                &file.max_connections,
                default.max_connections as u64,
                1..=1_000_000,
            )? as usize,
            max_connections_per_client: count_setting(
                "max-connections-per-client",
                &self.max_connections_per_client,
                &file.max_connections_per_client,
                default.max_connections_per_client as u64,
                1..=1_000_000,
            )? as usize,
            accept_error_pause: Duration::from_millis(count_setting(
                "accept-error-pause-ms",
                &self.accept_error_pause_ms,
                &file.accept_error_pause_ms,
                default.accept_error_pause.as_millis() as u64,
                1..=10_000,
            )?),
        })
    }
}

/// A key shown in a message: its first characters only.
fn redact(entry: &str) -> String {
    let shown: String = entry.chars().take(3).collect();
    format!("{shown}…")
}

/// Where `serve` takes its index from, and how it follows new versions.
#[derive(Debug, Clone, PartialEq)]
pub struct ReloadConfig {
    /// The artifact directory or publishing root.
    pub source: crate::index::reload::IndexSource,
    /// Time between looks at the root's `current`; `None` when off.
    pub poll: Option<Duration>,
    /// Limits on a new index.
    pub policy: crate::index::reload::ReloadPolicy,
}

impl ServeArgs {
    /// The index source and reload settings, from flags, environment and
    /// file.
    pub fn reload_config(&self, file: &FileSettings) -> Result<ReloadConfig, ConfigError> {
        use crate::index::reload::{IndexSource, ReloadPolicy};
        let dir = self.index.clone().or_else(|| file.index.clone());
        let root = self.index_root.clone().or_else(|| file.index_root.clone());
        let source = match (dir, root) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "index-root",
                    "give --index or --index-root, not both",
                ));
            }
            (Some(dir), None) => IndexSource::Dir(dir),
            (None, Some(root)) => IndexSource::Root(root),
            (None, None) => {
                return Err(invalid(
                    "index",
                    "no index given: use --index DIR or --index-root ROOT",
                ));
            }
        };
        let poll_seconds = match self
            .reload_poll_seconds
            .clone()
            .or_else(|| file_text(&file.reload_poll_seconds))
        {
            None => 2.0,
            Some(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|seconds| (0.0..=3600.0).contains(seconds))
                .ok_or_else(|| {
                    invalid(
                        "reload-poll-seconds",
                        format!("`{text}` is out of range: use 0 to 3600"),
                    )
                })?,
        };
        let percent = match self
            .max_voter_change_percent
            .clone()
            .or_else(|| file_text(&file.max_voter_change_percent))
        {
            None => 20.0,
            Some(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|percent| (0.0..=1000.0).contains(percent))
                .ok_or_else(|| {
                    invalid(
                        "max-voter-change-percent",
                        format!("`{text}` is out of range: use 0 to 1000"),
                    )
                })?,
        };
        let verify_key = match self.verify_key.clone().or_else(|| file.verify_key.clone()) {
            None => None,
            Some(path) => Some(
                voter_core::signing::VerifyKey::read_pem_file(&path)
                    .map_err(|error| invalid("verify-key", error.to_string()))?,
            ),
        };
        Ok(ReloadConfig {
            poll: (poll_seconds > 0.0 && matches!(source, IndexSource::Root(_)))
                .then(|| Duration::from_secs_f64(poll_seconds)),
            source,
            policy: ReloadPolicy {
                max_voter_change: percent / 100.0,
                verify_key,
            },
        })
    }
}

impl DemoArgs {
    /// Voters and seed of the demo roll.
    pub fn roll(&self, file: &FileSettings) -> (usize, u64) {
        (
            self.voters.or(file.demo_voters).unwrap_or(100_000),
            self.seed.or(file.demo_seed).unwrap_or(42),
        )
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
            _ => unreachable!(),
        }
    }

    fn file(text: &str) -> FileSettings {
        toml::from_str(text).expect("a valid settings file")
    }

    #[test]
    fn roles_quotas_and_the_audit_trail_are_read_and_checked() {
        use crate::privacy::role::AnonymousPolicy;
        let none = args(&[]).to_config(&FileSettings::default()).unwrap();
        assert_eq!(
            none.privacy.roles.anonymous,
            AnonymousPolicy::Staff,
            "no key: a closed server"
        );
        assert!(none.privacy.audit.is_none());
        let keyed = args(&["--api-key", "kiosk-hall-1:kiosk"])
            .to_config(&FileSettings::default())
            .unwrap();
        assert_eq!(
            keyed.privacy.roles.anonymous,
            AnonymousPolicy::Kiosk,
            "keys: kiosk view"
        );
        let denied = args(&["--api-key", "kiosk-hall-1:kiosk", "--anonymous", "deny"])
            .to_config(&FileSettings::default())
            .unwrap();
        assert_eq!(denied.privacy.roles.anonymous, AnonymousPolicy::Deny);
        let bad = args(&["--anonymous", "maybe"]).to_config(&FileSettings::default());
        assert!(bad.unwrap_err().setting.contains("--anonymous"));
        let quotas = args(&[
            "--quota",
            "kiosk:10:0",
            "--audit-log",
            "/var/log/vl",
            "--audit-retention-days",
            "30",
        ])
        .to_config(&FileSettings::default())
        .unwrap();
        let kiosk = quotas.privacy.quotas[Class::Kiosk.rank()];
        assert_eq!((kiosk.hour, kiosk.day), (Some(10), None));
        let audit = quotas.privacy.audit.unwrap();
        assert_eq!(audit.retention, Duration::from_secs(30 * 24 * 3600));
        let bad = args(&["--quota", "kiosk:ten:0"]).to_config(&FileSettings::default());
        assert!(bad.unwrap_err().setting.contains("--quota"));
        let missing =
            args(&["--api-keys-file", "/nonexistent/keys"]).to_config(&FileSettings::default());
        let error = missing.unwrap_err();
        assert!(error.setting.contains("--api-keys-file"));
        assert!(
            error.message.contains("/nonexistent/keys:0"),
            "{}",
            error.message
        );
        let from_file = args(&[])
            .to_config(&file("anonymous = \"deny\"\nquotas = [\"off\"]"))
            .unwrap();
        assert_eq!(from_file.privacy.roles.anonymous, AnonymousPolicy::Deny);
        assert_eq!(from_file.privacy.quotas, [QuotaLimits::NONE; 3]);
    }

    #[test]
    fn defaults_are_loopback_and_valid() {
        let config = args(&[]).to_config(&FileSettings::default()).unwrap();
        assert_eq!(config.http, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.grpc, "127.0.0.1:50051".parse().unwrap());
        assert_eq!(config.drain, Duration::from_secs(10));
        assert_eq!(config.log_format, LogFormat::Auto);
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let settings = file(
            "http = \"127.0.0.1:9000\"\nworkers = 3\ndrain_seconds = 2.5\nlog_format = \"json\"",
        );
        let config = args(&[]).to_config(&settings).unwrap();
        assert_eq!(config.http, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.workers.get(), 3);
        assert_eq!(config.drain, Duration::from_millis(2500));
        assert_eq!(config.log_format, LogFormat::Json);
        let config = args(&["--http", "127.0.0.1:9100", "--workers", "1"])
            .to_config(&settings)
            .unwrap();
        assert_eq!(config.http, "127.0.0.1:9100".parse().unwrap());
        assert_eq!(config.workers.get(), 1);
        assert_eq!(config.search_threads.get(), 2, "twice the workers");
        assert_eq!(
            config.log_format,
            LogFormat::Json,
            "the file still gives what flags do not"
        );
    }

    #[test]
    fn the_shutdown_delay_comes_from_flag_variable_or_file() {
        let none = FileSettings::default();
        let config = args(&[]).to_config(&none).unwrap();
        assert_eq!(config.shutdown_delay, Duration::ZERO, "off by default");
        let config = args(&["--shutdown-delay", "5"]).to_config(&none).unwrap();
        assert_eq!(config.shutdown_delay, Duration::from_secs(5));
        let config = args(&["--shutdown-delay", "1500ms"])
            .to_config(&none)
            .unwrap();
        assert_eq!(config.shutdown_delay, Duration::from_millis(1500));
        let settings = file("shutdown_delay = 2.5");
        let config = args(&[]).to_config(&settings).unwrap();
        assert_eq!(config.shutdown_delay, Duration::from_millis(2500));
        let config = args(&["--shutdown-delay", "1"])
            .to_config(&settings)
            .unwrap();
        assert_eq!(
            config.shutdown_delay,
            Duration::from_secs(1),
            "the flag wins"
        );
        let config = args(&[])
            .to_config(&file("shutdown_delay = \"3s\""))
            .unwrap();
        assert_eq!(config.shutdown_delay, Duration::from_secs(3));
        for bad in ["-1", "301", "soon"] {
            let error = args(&["--shutdown-delay", bad])
                .to_config(&none)
                .unwrap_err();
            assert!(
                error.setting.contains("--shutdown-delay")
                    && error.setting.contains("VOTER_LOOKUP_SHUTDOWN_DELAY")
                    && error.message.contains(bad),
                "{error}"
            );
        }
    }

    #[test]
    fn search_threads_default_to_twice_the_workers() {
        let none = FileSettings::default();
        let config = args(&["--workers", "3"]).to_config(&none).unwrap();
        assert_eq!(config.search_threads.get(), 6);
        let config = args(&["--workers", "1", "--search-threads", "3"])
            .to_config(&none)
            .unwrap();
        assert_eq!(config.search_threads.get(), 3);
        let config = args(&[])
            .to_config(&file("workers = 1\nsearch_threads = 5"))
            .unwrap();
        assert_eq!(config.search_threads.get(), 5);
        let error = args(&["--search-threads", "0"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--search-threads"), "{error}");
    }

    #[test]
    fn invalid_settings_are_named() {
        let none = FileSettings::default();
        let error = args(&["--workers", "0"]).to_config(&none).unwrap_err();
        assert!(
            error.setting.contains("--workers") && error.setting.contains("VOTER_LOOKUP_WORKERS"),
            "{error}"
        );
        let error = args(&["--drain-seconds", "-1"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--drain-seconds"), "{error}");
        let error = args(&["--http", "127.0.0.1:9000", "--grpc", "127.0.0.1:9000"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--grpc"), "{error}");
        let error = args(&["--http", "not-an-address"])
            .to_config(&none)
            .unwrap_err();
        assert!(
            error.setting.contains("--http") && error.message.contains("not-an-address"),
            "{error}"
        );
        let error = args(&["--log-format", "xml"]).to_config(&none).unwrap_err();
        assert!(error.setting.contains("--log-format"), "{error}");
        let error = args(&[])
            .to_config(&file("workers = \"many\""))
            .unwrap_err();
        assert!(error.setting.contains("`workers` in the file"), "{error}");
    }

    #[test]
    fn admission_settings_are_read_and_checked() {
        let none = FileSettings::default();
        let config = args(&[
            "--api-key",
            "desk-app-key:staff",
            "--rate-limit",
            "kiosk:5:100",
            "--queue-wait-ms",
            "40",
        ])
        .to_config(&none)
        .unwrap()
        .admission
        .expect("on by default");
        assert_eq!(config.api_keys.get("desk-app-key"), Some(&Class::Staff));
        assert_eq!(
            config.rates[Class::Kiosk.rank()].per_client,
            NonZeroU32::new(5)
        );
        assert_eq!(config.limit.max_queue_wait, Duration::from_millis(40));
        let off = args(&["--rate-limit", "off"])
            .to_config(&none)
            .unwrap()
            .admission
            .unwrap();
        assert!(
            off.rates
                .iter()
                .all(|rate| rate.per_client.is_none() && rate.total.is_none())
        );
        assert!(
            args(&["--admission", "off"])
                .to_config(&none)
                .unwrap()
                .admission
                .is_none()
        );
        let error = args(&["--api-key", "desk-app-key:vip"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--api-key"), "{error}");
        let error = args(&["--rate-limit", "kiosk:lots"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--rate-limit"), "{error}");
        let settings = file("api_keys = [\"kiosk-hall-1:kiosk\"]\nqueue_capacity = 16");
        let config = args(&[]).to_config(&settings).unwrap().admission.unwrap();
        assert_eq!(config.api_keys.get("kiosk-hall-1"), Some(&Class::Kiosk));
        assert_eq!(config.limit.queue_capacity, 16);
    }

    #[test]
    fn trusted_proxies_come_from_flags_or_the_file() {
        let none = FileSettings::default();
        let proxies =
            |config: &ServerConfig| config.admission.as_ref().unwrap().trusted_proxies.clone();
        let config = args(&[]).to_config(&none).unwrap();
        assert!(proxies(&config).is_empty(), "none by default");
        let config = args(&["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"])
            .to_config(&none)
            .unwrap();
        let expected =
            TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()]);
        assert_eq!(proxies(&config), expected);
        let settings = file("trusted_proxies = [\"10.0.0.0/8\", \"::1/128\"]");
        assert_eq!(proxies(&args(&[]).to_config(&settings).unwrap()), expected);
        let error = args(&["--trusted-proxy", "10.0.0.0/40"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--trusted-proxy"), "{error}");
    }

    fn serve_args(extra: &[&str]) -> ServeArgs {
        let mut argv = vec!["voter-lookup", "serve", "--index", "/srv/index"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv).expect("flags parse").command {
            Command::Serve(serve) => serve,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_verify_key_is_read_from_the_flag_or_the_file_and_named_when_bad() {
        let dir = tempfile::tempdir().unwrap();
        let signer = voter_core::signing::ArtifactSigner::generate().unwrap();
        let public = dir.path().join("signing.pem.pub");
        signer.verify_key().write_pem_file(&public).unwrap();
        let none = FileSettings::default();
        assert_eq!(
            serve_args(&[])
                .reload_config(&none)
                .unwrap()
                .policy
                .verify_key,
            None
        );
        let from_flag = serve_args(&["--verify-key", public.to_str().unwrap()])
            .reload_config(&none)
            .unwrap();
        assert_eq!(from_flag.policy.verify_key, Some(signer.verify_key()));
        let settings = file(&format!("verify_key = {:?}", public.to_str().unwrap()));
        let from_file = serve_args(&[]).reload_config(&settings).unwrap();
        assert_eq!(from_file.policy.verify_key, Some(signer.verify_key()));

        let missing = dir.path().join("absent.pub");
        let error = serve_args(&["--verify-key", missing.to_str().unwrap()])
            .reload_config(&none)
            .unwrap_err();
        assert!(
            error.setting.contains("--verify-key")
                && error.setting.contains("VOTER_LOOKUP_VERIFY_KEY")
                && error.message.contains("absent.pub"),
            "{error}"
        );
        let private = dir.path().join("signing.pem");
        signer.write_pem_file(&private).unwrap();
        let error = serve_args(&["--verify-key", private.to_str().unwrap()])
            .reload_config(&none)
            .unwrap_err();
        assert!(error.message.contains("private key"), "{error}");
    }

    #[test]
    fn kiosk_timers_have_defaults_and_come_from_flags_or_the_file() {
        let none = FileSettings::default();
        let config = args(&[]).to_config(&none).unwrap();
        assert_eq!(config.kiosk_timers, KioskTimers::default());
        assert_eq!(config.kiosk_timers.idle_reset, Duration::from_secs(60));
        let config = args(&["--kiosk-reset-seconds", "15"])
            .to_config(&file("kiosk_answer_seconds = 8"))
            .unwrap();
        assert_eq!(config.kiosk_timers.idle_reset, Duration::from_secs(15));
        assert_eq!(config.kiosk_timers.answer_shown, Duration::from_secs(8));
        let error = args(&["--kiosk-reset-seconds", "1"])
            .to_config(&none)
            .unwrap_err();
        assert!(
            error.setting.contains("--kiosk-reset-seconds") && error.message.contains("5 to 3600"),
            "{error}"
        );
    }

    #[test]
    fn caps_reserve_and_body_limits_are_read_and_checked() {
        let none = FileSettings::default();
        let config = args(&[]).to_config(&none).unwrap();
        let admission = config.admission.unwrap();
        assert_eq!(admission.in_flight.per_connection, 32);
        assert_eq!(admission.in_flight.per_client, 64);
        assert_eq!(admission.limit.staff_reserve, 0.2);
        assert_eq!(config.body_limits, BodyLimits::default());
        let settings = file("max_in_flight_per_client = 8\nbody_timeout_ms = 500");
        let config = args(&[
            "--max-in-flight-per-connection",
            "4",
            "--staff-reserve-percent",
            "50",
            "--max-body-bytes",
            "1024",
        ])
        .to_config(&settings)
        .unwrap();
        let admission = config.admission.unwrap();
        assert_eq!(admission.in_flight.per_connection, 4);
        assert_eq!(admission.in_flight.per_client, 8);
        assert_eq!(admission.limit.staff_reserve, 0.5);
        assert_eq!(config.body_limits.timeout, Duration::from_millis(500));
        assert_eq!(config.body_limits.max_bytes, 1024);
        for (flag, value) in [
            ("--max-in-flight-per-connection", "0"),
            ("--staff-reserve-percent", "95"),
            ("--body-timeout-ms", "0"),
            ("--max-body-bytes", "lots"),
        ] {
            let error = args(&[flag, value]).to_config(&none).unwrap_err();
            assert!(error.setting.contains(flag), "{error}");
        }
    }

    #[test]
    fn transport_limits_have_defaults_and_come_from_flags_or_the_file() {
        let none = FileSettings::default();
        let config = args(&[]).to_config(&none).unwrap().transport;
        assert_eq!(config, TransportConfig::default());
        assert!(config.http.header_read_timeout <= Duration::from_secs(30));
        let config = args(&[
            "--header-read-timeout-seconds",
            "0.5",
            "--max-connections-per-client",
            "10",
            "--grpc-max-message-bytes",
            "4096",
        ])
        .to_config(&file("max_headers = 20\ngrpc_max_streams = 8"))
        .unwrap()
        .transport;
        assert_eq!(config.http.header_read_timeout, Duration::from_millis(500));
        assert_eq!(config.max_connections_per_client, 10);
        assert_eq!(config.grpc.max_message_bytes, 4096);
        assert_eq!(config.http.max_headers, 20);
        assert_eq!(config.grpc.max_streams, 8);
        let error = args(&["--max-connections", "0"])
            .to_config(&none)
            .unwrap_err();
        assert!(
            error.setting.contains("VOTER_LOOKUP_MAX_CONNECTIONS"),
            "{error}"
        );
        let error = args(&[])
            .to_config(&file("header_read_timeout_seconds = 0"))
            .unwrap_err();
        assert!(
            error
                .setting
                .contains("`header_read_timeout_seconds` in the file"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_or_malformed_file_key_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("voter-lookup.toml");
        std::fs::write(&path, "htp = \"127.0.0.1:1\"\n").unwrap();
        let error = read_file(Some(&path)).unwrap_err();
        assert!(error.message.contains("htp"), "{error}");
        assert!(error.message.contains("voter-lookup.toml"), "{error}");
        let error = read_file(Some(&dir.path().join("missing.toml"))).unwrap_err();
        assert!(error.message.contains("missing.toml"), "{error}");
    }

    #[test]
    fn tls_takes_a_certificate_and_its_key_from_flags_or_the_file() {
        let none = FileSettings::default();
        assert_eq!(
            args(&[]).to_config(&none).unwrap().tls,
            None,
            "plain TCP by default"
        );
        let config = args(&[
            "--tls-cert",
            "/etc/vl/cert.pem",
            "--tls-key",
            "/etc/vl/key.pem",
        ])
        .to_config(&none)
        .unwrap();
        assert_eq!(
            config.tls,
            Some(TlsFiles {
                cert: "/etc/vl/cert.pem".into(),
                key: "/etc/vl/key.pem".into()
            })
        );
        let settings = file("tls_cert = \"/srv/cert.pem\"\ntls_key = \"/srv/key.pem\"");
        let config = args(&["--tls-key", "/run/key.pem"])
            .to_config(&settings)
            .unwrap();
        assert_eq!(
            config.tls,
            Some(TlsFiles {
                cert: "/srv/cert.pem".into(),
                key: "/run/key.pem".into()
            }),
            "a flag overrides the file's key, the file gives the certificate"
        );
        let error = args(&["--tls-cert", "/etc/vl/cert.pem"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("--tls-key"), "{error}");
        let error = args(&["--tls-key", "/etc/vl/key.pem"])
            .to_config(&none)
            .unwrap_err();
        assert!(error.setting.contains("VOTER_LOOKUP_TLS_CERT"), "{error}");
    }
}
