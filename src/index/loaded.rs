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
use voter_core::deletions::Deletions;
use voter_core::model::Station;
use voter_core::name_records::NameRecords;
use voter_core::schema::VoterSchema;
use voter_core::signing::VerifyKey;
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
    /// The départements of its voters' communes, sorted: what a request
    /// naming a département may ask of it (empty when the roll names no
    /// commune).
    pub departements: Vec<String>,
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
    voter_ids: VoterIds,
    /// Packed birth dates ([`voter_core::model::BirthDate::to_packed`]).
    pub(crate) birth_date: Column<u64>,
    /// The voters born on each packed date: a full date asked is a way in
    /// whatever the spelling of the name.
    pub(crate) birth_date_terms: Arc<InvertedIndexReader>,
    pub(crate) birth_date_field: tantivy::schema::Field,
    /// The deletion neighbourhoods of the name dictionaries (of the whole
    /// index, shared by its segments): typos wherever they fall.
    pub(crate) deletions: Arc<Deletions>,
}

/// How a segment's documents map to voters: the `voter_id` fast field,
/// and whether it merely counts the documents.
struct VoterIds {
    column: Column<u64>,
    /// `first` when document `doc` is voter `first + doc`: the builder adds
    /// voters in order to one segment, and then a lookup need not read the
    /// column (one cache miss fewer per candidate).
    in_order_from: Option<u64>,
}

impl VoterIds {
    fn of(column: Column<u64>, max_doc: DocId) -> VoterIds {
        let in_order_from = in_order_from(max_doc, |doc| column.first(doc));
        VoterIds {
            column,
            in_order_from,
        }
    }
}

/// `first` when `id_of` gives `first + doc` for every document.
fn in_order_from(max_doc: DocId, id_of: impl Fn(DocId) -> Option<u64>) -> Option<u64> {
    let first = id_of(0)?;
    (0..max_doc)
        .all(|doc| id_of(doc) == Some(first + u64::from(doc)))
        .then_some(first)
}

impl SegmentView {
    /// The voter of document `doc`.
    #[inline]
    pub(crate) fn voter_id(&self, doc: DocId) -> Option<u64> {
        match self.voter_ids.in_order_from {
            Some(first) => (doc < self.max_doc).then(|| first + u64::from(doc)),
            None => self.voter_ids.column.first(doc),
        }
    }
}

/// A complete, verified index held in memory. Immutable: a new roll makes a
/// new `LoadedIndex`.
pub struct LoadedIndex {
    info: IndexInfo,
    pub(crate) segments: Vec<SegmentView>,
    pub(crate) names: NameRecords,
    voters: VoterRecords,
    stations: Vec<Station>,
    /// Each station's position, by commune (empty for none) then code:
    /// found from borrowed texts, with no key built per result.
    station_positions: HashMap<Box<str>, HashMap<Box<str>, usize>>,
    /// Each station as results show it, by position, shared by them all.
    station_views: Vec<StationView>,
    canaries: Vec<Canary>,
}

/// The per-voter records that sit beside the tantivy index.
struct Records {
    names: NameRecords,
    voters: VoterRecords,
    deletions: Deletions,
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
        LoadedIndex::from_artifact_verified(dir, None)
    }

    /// [`LoadedIndex::from_artifact`], and, given a `verify_key`, refuses
    /// an artifact whose manifest that key did not sign.
    pub fn from_artifact_verified(
        dir: &Path,
        verify_key: Option<&VerifyKey>,
    ) -> Result<LoadedIndex, LoadError> {
        let started = Instant::now();
        let loaded = artifact::load_verified(dir, verify_key)?;
        let info = IndexInfo {
            version: Arc::from(loaded.manifest.version.as_str()),
            built_at: Some(loaded.manifest.built_at.clone()),
            voters: loaded.manifest.voters,
            departements: loaded.manifest.departements.clone(),
            source: IndexOrigin::Artifact(dir.to_path_buf()),
            loaded_at: SystemTime::now(),
        };
        let index = LoadedIndex::open(
            info,
            &loaded.index,
            Records {
                names: loaded.names,
                voters: loaded.voters,
                deletions: loaded.deletions,
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
            departements: built.stats.departements.clone(),
            source: IndexOrigin::InMemory,
            loaded_at: SystemTime::now(),
        };
        LoadedIndex::open(
            info,
            &built.index,
            Records {
                names: built.names,
                voters: built.voters,
                deletions: built.deletions,
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
        let deletions = Arc::new(records.deletions);
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
                voter_ids: VoterIds::of(segment.fast_fields().u64("voter_id")?, segment.max_doc()),
                birth_date: segment.fast_fields().u64("birth_date")?,
                birth_date_terms: segment.inverted_index(schema.birth_date)?,
                birth_date_field: schema.birth_date,
                deletions: Arc::clone(&deletions),
            });
        }
        let mut station_positions: HashMap<Box<str>, HashMap<Box<str>, usize>> = HashMap::new();
        for (position, station) in stations.iter().enumerate() {
            station_positions
                .entry(station.commune_code.as_deref().unwrap_or("").into())
                .or_default()
                .insert(station.code.as_str().into(), position);
        }
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

    /// Every station, sorted by commune and code.
    pub fn stations(&self) -> &[Station] {
        &self.stations
    }

    /// Station `code` of `commune` (`None` for a roll that names no
    /// commune).
    pub fn station(&self, commune: Option<&str>, code: &str) -> Option<&Station> {
        self.station_position(commune, code)
            .map(|position| &self.stations[position])
    }

    /// Station `code` of `commune`, as results show it.
    pub(crate) fn station_view(&self, commune: Option<&str>, code: &str) -> Option<&StationView> {
        self.station_position(commune, code)
            .map(|position| &self.station_views[position])
    }

    fn station_position(&self, commune: Option<&str>, code: &str) -> Option<usize> {
        self.station_positions
            .get(commune.unwrap_or(""))?
            .get(code)
            .copied()
    }

    /// The commune code of voter `voter_id`, when the roll gives one.
    pub(crate) fn commune_of(&self, voter_id: u64) -> Option<&str> {
        self.voters.commune_code(voter_id)
    }

    /// The canary voters of the artifact, by station and order number
    /// ([`super::canary`] makes their lookups).
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
        let voter_id = self.segments[segment].voter_id(doc).ok_or_else(missing)?;
        self.voters.get(voter_id).ok_or_else(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_added_in_order_are_their_voters_without_the_column() {
        let index = crate::demo::build_demo_index(500, 3).expect("the demo builds");
        let mut checked = 0;
        for view in &index.segments {
            assert_eq!(view.voter_ids.in_order_from, Some(0));
            for doc in 0..view.max_doc {
                assert_eq!(
                    view.voter_id(doc),
                    view.voter_ids.column.first(doc),
                    "document {doc}"
                );
                checked += 1;
            }
            assert_eq!(view.voter_id(view.max_doc), None);
        }
        assert!(checked >= 500);
    }

    #[test]
    fn only_ids_counting_the_documents_are_in_order() {
        assert_eq!(in_order_from(4, |doc| Some(10 + u64::from(doc))), Some(10));
        let swapped = [0, 2, 1, 3];
        assert_eq!(in_order_from(4, |doc| Some(swapped[doc as usize])), None);
        assert_eq!(
            in_order_from(4, |doc| (doc < 3).then_some(u64::from(doc))),
            None
        );
        assert_eq!(in_order_from(4, |_| None), None);
    }
}
