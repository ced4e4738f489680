//! `index-builder generate`: writes a synthetic roll (and its stations file)
//! with [`voter_core::generator::generate_files`].

use anyhow::anyhow;
use indicatif::HumanCount;
use voter_core::commune::departement_of;
use voter_core::generator::{GeneratorConfig, generate_files};

use crate::cli::GenerateArgs;

/// Broken-row line numbers listed in the summary.
const LISTED_BROKEN_LINES: usize = 10;

/// Writes the files that `args` asks for and prints what was written.
pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let defaults = GeneratorConfig::default();
    let config = GeneratorConfig {
        seed: args.seed,
        voters: args.voters,
        broken_rows: args.broken_rows,
        postcode: match &args.commune {
            // The département's main post office: a plausible postcode.
            Some(code) => format!(
                "{:0<5}",
                departement_of(code)
                    .unwrap_or(code)
                    .replace(['A', 'B'], "0")
            ),
            None => defaults.postcode.clone(),
        },
        commune_code: args
            .commune
            .clone()
            .unwrap_or(defaults.commune_code.clone()),
        commune_name: args
            .commune_name
            .clone()
            .or_else(|| args.commune.as_ref().map(|code| format!("Commune {code}")))
            .unwrap_or(defaults.commune_name.clone()),
        ..defaults
    };
    let summary =
        generate_files(&config, &args.roll, args.stations.as_deref()).map_err(|error| {
            let targets = match &args.stations {
                Some(stations) => format!("{} or {}", args.roll.display(), stations.display()),
                None => args.roll.display().to_string(),
            };
            anyhow!("cannot write {targets}: {error}")
        })?;

    let mut line = format!(
        "wrote {}: {} rows, {} voters, {} stations, seed {}",
        args.roll.display(),
        HumanCount(summary.rows),
        HumanCount(summary.counts.people),
        summary.stations,
        args.seed
    );
    if let Some(stations) = &args.stations {
        line.push_str(&format!("; stations in {}", stations.display()));
    }
    if !summary.broken_lines.is_empty() {
        let mut lines: Vec<String> = summary
            .broken_lines
            .iter()
            .take(LISTED_BROKEN_LINES)
            .map(|broken| broken.line.to_string())
            .collect();
        if summary.broken_lines.len() > LISTED_BROKEN_LINES {
            lines.push("…".to_string());
        }
        line.push_str(&format!(
            "; {} broken rows at lines {}",
            summary.broken_lines.len(),
            lines.join(", ")
        ));
    }
    println!("{line}");
    Ok(())
}
