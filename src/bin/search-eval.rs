//! `search-eval`: measures search quality on a synthetic roll and labelled
//! queries, per category, against the targets; exits 1 when one is missed.

use std::process::ExitCode;

use clap::Parser;
use voter_core::queries::Category;
use voter_lookup::eval::{EvalConfig, run};

fn parse_category(name: &str) -> Result<Category, String> {
    Category::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown category `{name}`; known: {}", known.join(", "))
    })
}

/// Search-quality harness.
#[derive(Debug, Parser)]
#[command(name = "search-eval", version)]
struct Args {
    /// Voters in the synthetic roll.
    #[arg(long, default_value_t = 200_000)]
    voters: usize,
    /// Seed of the roll.
    #[arg(long, default_value_t = 1)]
    roll_seed: u64,
    /// Seed of the queries.
    #[arg(long, default_value_t = 2024)]
    query_seed: u64,
    /// Queries per category.
    #[arg(long, default_value_t = 1_000)]
    per_category: usize,
    /// Misses to print per category.
    #[arg(long, default_value_t = 3)]
    show_misses: usize,
    /// Only this category (repeatable); all by default.
    #[arg(long = "category", value_name = "NAME", value_parser = parse_category)]
    categories: Vec<Category>,
    /// Evaluate on this REU export instead of a generated roll (people not
    /// on the roll are then drawn from the generator's names).
    #[arg(long, value_name = "ROLL.csv")]
    roll: Option<std::path::PathBuf>,
    /// With `--roll`: serve this artifact built from it instead of
    /// indexing the roll in memory.
    #[arg(long, value_name = "DIR", requires = "roll")]
    index: Option<std::path::PathBuf>,
    /// Instead of evaluating, run this one query on the roll and print the
    /// results with how they matched.
    #[arg(long, value_name = "TEXT")]
    query: Option<String>,
    /// Birth date for `--query`.
    #[arg(long, value_name = "DATE", requires = "query")]
    birth_date: Option<String>,
    /// Write the full report as JSON here.
    #[arg(long, value_name = "FILE")]
    json: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = EvalConfig {
        voters: args.voters,
        roll_seed: args.roll_seed,
        query_seed: args.query_seed,
        per_category: args.per_category,
        keep_misses: args.show_misses,
        only: args.categories,
        roll: args.roll,
        index: args.index,
    };
    if let Some(text) = &args.query {
        return match voter_lookup::eval::explain(&config, text, args.birth_date.as_deref()) {
            Ok(explanation) => {
                print!("{explanation}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
        };
    }
    let report = match run(&config) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    print!("{}", report.table());
    for category in &report.categories {
        for miss in &category.misses {
            println!(
                "  miss [{}] {:?}{} -> expected {} (rank {:?}); top: {}",
                category.category,
                miss.text,
                miss.birth_date
                    .as_deref()
                    .map(|d| format!(" birth_date={d}"))
                    .unwrap_or_default(),
                miss.expected,
                miss.rank,
                miss.top.join(" | ")
            );
        }
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&report).expect("the report serialises");
        if let Err(error) = std::fs::write(path, json) {
            eprintln!("error: {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    let code = if report.passed() {
        0
    } else {
        eprintln!("search quality: some targets are missed");
        1
    };
    // The roll and index are large: leave without dropping them one by one.
    std::process::exit(code)
}
