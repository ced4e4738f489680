//! `search-eval`: measures search quality per category against the
//! targets, on a synthetic roll with the queries of both query models (or
//! the ones `--model` names), or on a roll file with a labelled query file
//! (`--roll FILE --queries FILE.jsonl`, scored with the development set's
//! rules); exits 1 when a target is missed.

use std::process::ExitCode;

use clap::Parser;
use voter_core::queries::{Category, QueryModel};
use voter_lookup::eval::{EvalConfig, export_queries, run};

fn parse_model(name: &str) -> Result<QueryModel, String> {
    QueryModel::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = QueryModel::ALL.iter().map(|m| m.as_str()).collect();
        format!("unknown query model `{name}`; known: {}", known.join(", "))
    })
}

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
    /// With `--roll`: its stations file (`code;libelle;adresse`).
    #[arg(long, value_name = "STATIONS.csv", requires = "roll")]
    stations: Option<std::path::PathBuf>,
    /// With `--roll`: score this labelled query file (the development set's
    /// JSON lines) with the rules of its `score.py`, instead of generating
    /// queries.
    #[arg(long, value_name = "QUERIES.jsonl", requires = "roll")]
    queries: Option<std::path::PathBuf>,
    /// Query model to generate and report (repeatable): `classic` (scored
    /// with ties at rank 1) or `desk` (typos anywhere, French spellings,
    /// desk dates; scored with the rules of score.py). Both by default.
    #[arg(long = "model", value_name = "NAME", value_parser = parse_model, conflicts_with = "queries")]
    models: Vec<QueryModel>,
    /// Instead of evaluating, write the queries of the (first) model as a
    /// labelled query file here, in the development set's format.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "queries")]
    export_queries: Option<std::path::PathBuf>,
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
        stations: args.stations,
        queries: args.queries,
        models: if args.models.is_empty() {
            QueryModel::ALL.to_vec()
        } else {
            args.models
        },
    };
    if let Some(path) = &args.export_queries {
        let written = std::fs::File::create(path)
            .map_err(|error| format!("{}: {error}", path.display()))
            .and_then(|file| {
                export_queries(&config, config.models[0], std::io::BufWriter::new(file))
                    .map_err(|error| error.to_string())
            });
        return match written {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
        };
    }
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
    let reports = match run(&config) {
        Ok(reports) => reports,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    for report in &reports {
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
        println!();
    }
    if let Some(path) = &args.json {
        // The first report is the object it always was; with several
        // models, `models` lists every report.
        let mut value = serde_json::to_value(&reports[0]).expect("the report serialises");
        if reports.len() > 1 {
            value["models"] = serde_json::to_value(&reports).expect("the reports serialise");
        }
        let json = serde_json::to_vec_pretty(&value).expect("the report serialises");
        if let Err(error) = std::fs::write(path, json) {
            eprintln!("error: {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    let code = if reports.iter().all(|report| report.passed()) {
        0
    } else {
        eprintln!("search quality: some targets are missed");
        1
    };
    // The roll and index are large: leave without dropping them one by one.
    std::process::exit(code)
}
