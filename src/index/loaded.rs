//! One index ready to serve: the tantivy searcher, the readers a lookup
//! needs opened once, the name records and the stations.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tantivy::columnar::Column;
use tantivy::index::InvertedIndexReader;
use tantivy::{DocId, Index, ReloadPolicy};
use voter_core::artifact::{self, ArtifactError, Canary};
use voter_core::build::BuiltIndex;
use voter_core::model::Station;
use voter_core::name_records::NameRecords;
use voter_core::schema::VoterSchema;
use voter_core::voter_records::{VoterRecords, VoterView};

use crate::search::StationView;

/// Where an index came from, for logs and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexOrigin {
    /// An artifact directory on disk.
    Artifact(std::path::PathBuf),
    /// Built in memory (the demo).
    InMemory,
}

/// Facts about an index that clients and metrics see.
#[derive(Debug, Clone)]
pub struct IndexInfo {
    /// The version every response carries.
    pub version: Arc<str>,
    /// Build time (RFC 3339), when known.
    pub built_at: Option<String>,
    /// Voters indexed.
    pub voters: u64,
    /// Where it came from.
    pub source: IndexOrigin,
    /// When this process loaded it.
    pub loaded_at: SystemTime,
}

/// The readers of one tantivy segment that a lookup uses.
pub(crate) struct SegmentView {
    pub(crate) max_doc: tantivy::DocId,
    pub(crate) surname_terms: Arc<InvertedIndexReader>,
    pub(crate) surname_phonetic: Arc<InvertedIndexReader>,
    pub(crate) given_terms: Arc<InvertedIndexReader>,
    pub(crate) given_phonetic: Arc<InvertedIndexReader>,
    pub(crate) surname_prefix: Arc<InvertedIndexReader>,
    pub(crate) given_prefix: Arc<InvertedIndexReader>,
    pub(crate) station_order: Arc<InvertedIndexReader>,
    pub(crate) voter_id: Column<u64>,
    /// Packed birth dates ([`voter_core::model::BirthDate::to_packed`]).
    pub(crate) birth_date: Column<u64>,
}

/// A complete, verified index held in memory. Immutable: a new roll makes a
/// new `LoadedIndex`.
pub struct LoadedIndex {
    info: IndexInfo,
    pub(crate) segments: Vec<SegmentView>,
    pub(crate) names: NameRecords,
    voters: VoterRecords,
    stations: Vec<Station>,
    station_positions: HashMap<String, usize>,
    /// Each station as results show it, by position, shared by them all.
    station_views: Vec<StationView>,
    canaries: Vec<Canary>,
}

/// The per-voter records that sit beside the tantivy index.
struct Records {
    names: NameRecords,
    voters: VoterRecords,
}

/// Why an index could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The artifact was refused.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// tantivy could not open a reader on it.
    #[error("index unreadable: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A fast field or reader is missing.
    #[error("index unreadable: {0}")]
    Io(#[from] std::io::Error),
}

impl LoadedIndex {
    /// Loads and verifies the artifact in `dir` (every checksum), then opens
    /// its readers.
    pub fn from_artifact(dir: &Path) -> Result<LoadedIndex, LoadError> {
        let started = Instant::now();
        let loaded = artifact::load(dir)?;
        let info = IndexInfo {
            version: Arc::from(loaded.manifest.version.as_str()),
            built_at: Some(loaded.manifest.built_at.clone()),
            voters: loaded.manifest.voters,
            source: IndexOrigin::Artifact(dir.to_path_buf()),
            loaded_at: SystemTime::now(),
        };
        let index = LoadedIndex::open(
            info,
            &loaded.index,
            Records {
                names: loaded.names,
                voters: loaded.voters,
            },
            loaded.stations,
            loaded.manifest.canaries,
        )?;
        tracing::info!(
            path = %dir.display(),
            version = %index.info.version,
            voters = index.info.voters,
            seconds = started.elapsed().as_secs_f64(),
            "index loaded"
        );
        Ok(index)
    }

    /// Serves an index built in memory (the demo), under `version`.
    pub fn from_built(built: BuiltIndex, version: &str) -> Result<LoadedIndex, LoadError> {
        let info = IndexInfo {
            version: Arc::from(version),
            built_at: None,
            voters: built.stats.voters,
            source: IndexOrigin::InMemory,
            loaded_at: SystemTime::now(),
        };
        LoadedIndex::open(
            info,
            &built.index,
            Records {
                names: built.names,
                voters: built.voters,
            },
            built.stations,
            built.canaries,
        )
    }

    fn open(
        info: IndexInfo,
        index: &Index,
        records: Records,
        stations: Vec<Station>,
        canaries: Vec<Canary>,
    ) -> Result<LoadedIndex, LoadError> {
        let schema = VoterSchema::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut segments = Vec::new();
        for segment in searcher.segment_readers() {
            segments.push(SegmentView {
                max_doc: segment.max_doc(),
                surname_terms: segment.inverted_index(schema.surname_terms)?,
                surname_phonetic: segment.inverted_index(schema.surname_phonetic)?,
                given_terms: segment.inverted_index(schema.given_terms)?,
                given_phonetic: segment.inverted_index(schema.given_phonetic)?,
                surname_prefix: segment.inverted_index(schema.surname_prefix)?,
                given_prefix: segment.inverted_index(schema.given_prefix)?,
                station_order: segment.inverted_index(schema.station_order)?,
                voter_id: segment.fast_fields().u64("voter_id")?,
                birth_date: segment.fast_fields().u64("birth_date")?,
            });
        }
        let station_positions = stations
            .iter()
            .enumerate()
            .map(|(position, station)| (station.code.clone(), position))
            .collect();
        let station_views = stations.iter().map(StationView::of).collect();
        Ok(LoadedIndex {
            info,
            segments,
            names: records.names,
            voters: records.voters,
            stations,
            station_positions,
            station_views,
            canaries,
        })
    }

    /// Facts about this index.
    pub fn info(&self) -> &IndexInfo {
        &self.info
    }

    /// The version responses carry.
    pub fn version(&self) -> &Arc<str> {
        &self.info.version
    }

    /// Every station, sorted by code.
    pub fn stations(&self) -> &[Station] {
        &self.stations
    }

    /// A station by code.
    pub fn station(&self, code: &str) -> Option<&Station> {
        self.station_positions
            .get(code)
            .map(|&position| &self.stations[position])
    }

    /// A station by code, as results show it.
    pub(crate) fn station_view(&self, code: &str) -> Option<&StationView> {
        self.station_positions
            .get(code)
            .map(|&position| &self.station_views[position])
    }

    /// The canary lookups of the artifact.
    pub fn canaries(&self) -> &[Canary] {
        &self.canaries
    }

    /// Starts bringing what a result shows of voter `voter_id` into the
    /// cache, ahead of [`LoadedIndex::voter`].
    pub(crate) fn prefetch_voter(&self, voter_id: u64) {
        self.voters.prefetch(voter_id);
        self.names.prefetch(voter_id);
    }

    /// What a result shows of the voter of a document.
    pub(crate) fn voter(
        &self,
        segment: usize,
        doc: DocId,
    ) -> Result<VoterView, crate::error::LookupError> {
        let missing =
            || crate::error::LookupError::Internal(format!("document {doc} has no voter record"));
        let voter_id = self.segments[segment]
            .voter_id
            .first(doc)
            .ok_or_else(missing)?;
        self.voters.get(voter_id).ok_or_else(missing)
    }
}
