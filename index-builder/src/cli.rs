//! The command line: three subcommands, `build`, `generate` and `keygen`.
//! Flag names are a contract with scripts and the README; keep them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use voter_core::reu::{BadRowPolicy, Encoding};

/// Builds the voter-lookup index artifact from an REU roll export.
#[derive(Debug, Parser)]
#[command(name = "index-builder", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build an index artifact from a roll export (and a stations file).
    Build(BuildArgs),
    /// Write a synthetic roll (and stations file) from a seed.
    Generate(GenerateArgs),
    /// Make an Ed25519 key pair to sign artifacts with (`build
    /// --signing-key`) and verify them (`voter-lookup serve --verify-key`).
    Keygen(KeygenArgs),
}

/// `index-builder build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The REU roll export ("Listes Electeurs Actifs" CSV).
    #[arg(long, value_name = "ROLL.csv")]
    pub roll: PathBuf,
    /// The polling-stations file, header `code;libelle;adresse`, with a
    /// `commune` column (INSEE code) when the roll covers several communes.
    #[arg(long, value_name = "STATIONS.csv")]
    pub stations: Option<PathBuf>,
    /// Keep only the voters of this département (`59`, `2A`, `974`), from
    /// the commune code of each row: one shard of a larger roll. Repeat it
    /// for a shard of several départements [default: every voter].
    #[arg(long, value_name = "CODE", value_parser = parse_departement)]
    pub departement: Vec<String>,
    /// Directory to create for the artifact; it must not exist.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "publish",
        conflicts_with = "publish"
    )]
    pub out: Option<PathBuf>,
    /// Publish the artifact for running servers: build it into
    /// ROOT/<version>, then switch ROOT/current to it atomically
    /// (`voter-lookup serve --index-root ROOT` follows it).
    #[arg(long, value_name = "ROOT")]
    pub publish: Option<PathBuf>,
    /// With --publish: versions to keep, the live one included, for
    /// rollback (at least 2).
    #[arg(long, value_name = "N", default_value_t = 3, requires = "publish")]
    pub keep: usize,
    /// What to do with a row that cannot be read: stop the build, or leave it
    /// out and list it in the rejected-rows report.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = OnBadRow::Fail)]
    pub on_bad_row: OnBadRow,
    /// Where the rejected-rows report goes under `--on-bad-row skip`; it is
    /// written readable by its owner only [default: DIR.rejected.txt beside
    /// the artifact; with --publish, ROOT.rejected.txt beside the root,
    /// never inside it].
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Private key (PEM, from `index-builder keygen`) that signs the
    /// manifest; servers given the matching public key (`--verify-key`)
    /// refuse any artifact it did not sign [default: unsigned].
    #[arg(long, value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
    /// Character encoding of the roll; `auto` reads UTF-8 (with or without a
    /// BOM) and refuses a file that looks like Windows-1252.
    #[arg(long, value_enum, value_name = "ENCODING", default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,
    /// Memory the indexer may fill before writing a segment, in MiB (at least
    /// 20); a roll that fits is written as one segment, with no merge.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=4000))]
    pub memory_mb: u32,
}

/// `--on-bad-row`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnBadRow {
    /// Stop at the first bad row with `FILE:LINE: reason`.
    Fail,
    /// Leave bad rows out, count them and write them to a report.
    Skip,
}

impl From<OnBadRow> for BadRowPolicy {
    fn from(value: OnBadRow) -> Self {
        match value {
            OnBadRow::Fail => BadRowPolicy::Fail,
            OnBadRow::Skip => BadRowPolicy::Skip,
        }
    }
}

/// `--encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    /// UTF-8, with or without a BOM; a Windows-1252 file is refused.
    Auto,
    /// UTF-8; bytes that are not UTF-8 make their rows bad.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1252 (Latin-1), transcoded while reading.
    #[value(name = "windows-1252", aliases = ["cp1252", "latin-1", "latin1", "iso-8859-1"])]
    Windows1252,
}

impl From<EncodingArg> for Encoding {
    fn from(value: EncodingArg) -> Self {
        match value {
            EncodingArg::Auto => Encoding::Auto,
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Windows1252 => Encoding::Windows1252,
        }
    }
}

/// `index-builder keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key; a new file, readable by its owner
    /// only (mode 0600).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Where to write the public key, for the servers [default: FILE.pub].
    #[arg(long, value_name = "FILE")]
    pub public_out: Option<PathBuf>,
}

/// `index-builder generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of people on the roll (rows are a few more: EU citizens on both
    /// complementary lists have two).
    #[arg(long, value_name = "N")]
    pub voters: usize,
    /// Everything random derives from it: the same seed gives the same bytes.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// Where to write the roll, in the REU export format.
    #[arg(long, value_name = "OUT.csv")]
    pub roll: PathBuf,
    /// Where to write the matching polling-stations file.
    #[arg(long, value_name = "OUT.csv")]
    pub stations: Option<PathBuf>,
    /// Rows to break on purpose (wrong field count, unterminated quote), to
    /// rehearse the bad-row policy.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub broken_rows: usize,
    /// INSEE code of the synthetic commune, to rehearse a roll of several
    /// communes or départements (generate each, then join them)
    /// [default: 45999, a code no real commune has].
    #[arg(long, value_name = "INSEE", value_parser = parse_commune)]
    pub commune: Option<String>,
    /// The commune's name [default: Saint-Aubin-des-Vergers].
    #[arg(long, value_name = "NAME", requires = "commune")]
    pub commune_name: Option<String>,
}

/// `--commune`: an INSEE commune code.
fn parse_commune(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if voter_core::commune::is_commune_code(&code) {
        Ok(code)
    } else {
        Err(format!(
            "`{text}` is not an INSEE commune code (5 characters, e.g. 92049, 2A004)"
        ))
    }
}

/// `--departement`, as an operator types it.
fn parse_departement(text: &str) -> Result<String, String> {
    voter_core::commune::parse_departement(text).map_err(|error| error.to_string())
}
