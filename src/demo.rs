//! `voter-lookup demo`: a synthetic roll generated in memory, indexed in RAM
//! with the same code as `index-builder`, served at once. No file needed.

use std::time::Instant;

use voter_core::build::{BuildError, IndexTarget, VoterIndexWriter};
use voter_core::generator::{Generator, GeneratorConfig};
use voter_core::model::RollRow;
use voter_core::stations::StationInfo;

use crate::index::canary::{self, CanaryLookup};
use crate::index::{LoadError, LoadedIndex};

/// Indexing memory for the in-memory build.
const DEMO_INDEX_MEMORY: usize = 200_000_000;

/// Why the demo index could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Building failed.
    #[error("cannot build the demo index: {0}")]
    Build(#[from] BuildError),
    /// Opening it failed.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Generates `voters` synthetic voters from `seed` and indexes them in RAM.
pub fn build_demo_index(voters: usize, seed: u64) -> Result<LoadedIndex, DemoError> {
    let started = Instant::now();
    let generator = Generator::new(GeneratorConfig {
        seed,
        voters,
        ..GeneratorConfig::default()
    });
    let stations = station_infos(&generator);
    let index = index_rows(generator, &stations, &format!("demo-seed{seed}-{voters}"))?;
    tracing::info!(
        voters = index.info().voters,
        stations = index.stations().len(),
        seconds = started.elapsed().as_secs_f64(),
        "demo index built in memory"
    );
    Ok(index)
}

/// The stations of a synthetic roll, as its stations file would give them.
pub fn station_infos(generator: &Generator) -> Vec<StationInfo> {
    generator
        .stations()
        .iter()
        .enumerate()
        .map(|(row, station)| StationInfo {
            // The lines of the stations file it would write.
            line: row as u64 + 2,
            ..StationInfo::from(station)
        })
        .collect()
}

/// Indexes `rows` in RAM with the builder's code and serves them as
/// `version`.
pub fn index_rows(
    rows: impl IntoIterator<Item = RollRow>,
    stations: &[StationInfo],
    version: &str,
) -> Result<LoadedIndex, DemoError> {
    let mut writer = VoterIndexWriter::create(IndexTarget::Ram, DEMO_INDEX_MEMORY)?;
    for row in rows {
        writer.add_row(row)?;
    }
    let built = writer.finish(Some(stations))?;
    Ok(LoadedIndex::from_built(built, version)?)
}

/// A lookup to paste: a voter of the demo roll, as a desk would type them
/// (made from the record of the middle canary voter).
pub fn example_query(index: &LoadedIndex) -> Option<CanaryLookup> {
    let canaries = index.canaries();
    canary::lookup_for(index, canaries.get(canaries.len() / 2)?)
}
