//! Fills a voter index from roll rows: the code `index-builder` and
//! `voter-lookup demo` share.
//!
//! Rows stream in one at a time; only the rows of the two complementary lists
//! (EU citizens, a small share of any roll) are held back until the end, so
//! that a person registered on both lists becomes one voter with two
//! memberships rather than two results.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexSettings, IndexWriter, TantivyDocument};

use crate::artifact::Canary;
use crate::commune::{StationKey, departement_of};
use crate::deletions::{Deletions, DeletionsError};
use crate::model::{Address, BirthDate, RollRow, Station, Voter};
use crate::name_records::{NameRecord, NameRecords, NameRecordsBuilder};
use crate::schema::{NameField, VoterSchema, station_order_term, term_prefixes};
use crate::stations::StationInfo;
use crate::voter_records::{VoterRecords, VoterRecordsBuilder};

/// Why an index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// tantivy refused an operation.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A voter record could not be serialised.
    #[error("cannot serialise a voter record: {0}")]
    Record(#[from] serde_json::Error),
    /// The roll held no voter at all.
    #[error("the roll holds no voter: refusing to build an empty index")]
    EmptyRoll,
    /// The name dictionaries are too large for the typo table.
    #[error("{0}")]
    Deletions(#[from] DeletionsError),
    /// A line of the stations file names no commune while the roll holds
    /// several, so its station code alone says not which station it is.
    #[error("line {line}: {}", station_without_commune(code, *communes))]
    StationWithoutCommune {
        /// The stations file's line.
        line: u64,
        /// The station code it gives.
        code: String,
        /// How many communes the roll holds.
        communes: usize,
    },
}

/// Why a stations-file line without a commune cannot be placed.
pub fn station_without_commune(code: &str, communes: usize) -> String {
    format!(
        "station `{code}` names no commune, and the roll holds {communes} communes (each numbers its stations from 0001): add a `commune` column with the INSEE code"
    )
}

/// Where the index is written.
#[derive(Debug, Clone, Copy)]
pub enum IndexTarget<'a> {
    /// In memory (the demo, tests).
    Ram,
    /// In an empty directory on disk.
    Directory(&'a Path),
}

/// What the build saw, for the summary line and the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// Rows accepted from the roll.
    pub rows: u64,
    /// Voters indexed (persons: an EU citizen on two lists counts once).
    pub voters: u64,
    /// Rows folded into an existing voter as a second list membership.
    pub merged_memberships: u64,
    /// Voters the roll gives no polling station.
    pub voters_without_station: u64,
    /// `(station, order number)` pairs that occur more than once.
    pub duplicate_order_numbers: Vec<(StationKey, u32)>,
    /// Stations of the roll that the stations file does not list.
    pub stations_missing_from_file: Vec<StationKey>,
    /// The départements of the voters' communes, sorted (none when the roll
    /// names no commune).
    pub departements: Vec<String>,
}

/// A finished index with its stations.
#[derive(Debug)]
pub struct BuiltIndex {
    /// The tantivy index, merged into a single segment.
    pub index: Index,
    /// Every station, with its voter count, sorted by commune and code.
    pub stations: Vec<Station>,
    /// Every voter's analysed names, by `voter_id`.
    pub names: NameRecords,
    /// What a result shows of every voter, by `voter_id`.
    pub voters: VoterRecords,
    /// The deletion neighbourhoods of the name dictionaries: typos found
    /// wherever they fall.
    pub deletions: Deletions,
    /// Lookups of voters spread over the roll, for the manifest.
    pub canaries: Vec<Canary>,
    /// What the build saw.
    pub stats: BuildStats,
}

/// Identity of a person on a complementary list: two rows that agree on all of
/// it but differ in list are one EU citizen on both lists. Homonyms on the same
/// list are never merged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PersonKey {
    commune_code: Option<String>,
    birth_name: String,
    usage_name: Option<String>,
    first_names: String,
    birth_date: BirthDate,
    birth_place: Option<String>,
    address: Address,
}

impl PersonKey {
    fn of(voter: &Voter) -> PersonKey {
        PersonKey {
            commune_code: voter.commune_code.clone(),
            birth_name: voter.birth_name.clone(),
            usage_name: voter.usage_name.clone(),
            first_names: voter.first_names.clone(),
            birth_date: voter.birth_date,
            birth_place: voter.birth_place.clone(),
            address: voter.address.clone(),
        }
    }
}

/// Streams roll rows into a tantivy index.
pub struct VoterIndexWriter {
    schema: VoterSchema,
    index: Index,
    writer: IndexWriter<TantivyDocument>,
    complementary: HashMap<PersonKey, Vec<Voter>>,
    stations: StationsSeen,
    departements: BTreeSet<String>,
    stats: BuildStats,
    names: NameRecordsBuilder,
    voters: VoterRecordsBuilder,
    canaries: CanaryPool,
}

impl VoterIndexWriter {
    /// Creates an empty index at `target`. `memory_budget` bytes (at least
    /// 20 MB) may be filled before a segment is written: a roll that fits in
    /// it becomes a single segment, with no merge to pay at the end.
    pub fn create(target: IndexTarget<'_>, memory_budget: usize) -> Result<Self, BuildError> {
        let schema = VoterSchema::new();
        let builder = Index::builder()
            .schema(schema.schema.clone())
            .settings(IndexSettings::default());
        let index = match target {
            IndexTarget::Ram => builder.create_in_ram()?,
            IndexTarget::Directory(path) => builder.create_in_dir(path)?,
        };
        // One indexing thread: the caller's thread, which parses rows and
        // analyses names, is as busy as one tantivy thread, so a second one
        // adds little while splitting the index into two segments whose
        // final merge costs about as much as indexing. Measured on 1M voters,
        // 2 cores: 31.7 s with two threads, 27.7 s with one, and less CPU.
        let threads = 1;
        let writer =
            index.writer_with_num_threads(threads, memory_budget.max(threads * 20_000_000))?;
        // Segments are merged once, at the end, into one: merging on the way
        // would redo the work several times.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(VoterIndexWriter {
            schema,
            index,
            writer,
            complementary: HashMap::new(),
            stations: StationsSeen::default(),
            departements: BTreeSet::new(),
            stats: BuildStats::default(),
            names: NameRecordsBuilder::default(),
            voters: VoterRecordsBuilder::default(),
            canaries: CanaryPool::default(),
        })
    }

    /// Adds one row of the roll.
    pub fn add_row(&mut self, row: RollRow) -> Result<(), BuildError> {
        self.stats.rows += 1;
        let voter = Voter::from_row(row);
        if voter.primary_membership().list.is_complementary() {
            let key = PersonKey::of(&voter);
            let candidates = self.complementary.entry(key).or_default();
            let list = &voter.primary_membership().list;
            // The same person on the other complementary list: one more membership.
            if let Some(person) = candidates
                .iter_mut()
                .find(|person| person.memberships.iter().all(|m| &m.list != list))
            {
                person.memberships.extend(voter.memberships);
                self.stats.merged_memberships += 1;
                return Ok(());
            }
            candidates.push(voter);
            return Ok(());
        }
        self.add_voter(voter)
    }

    fn add_voter(&mut self, mut voter: Voter) -> Result<(), BuildError> {
        voter.memberships.sort_by(|a, b| a.list.cmp(&b.list));
        let mut has_station = false;
        if let Some(departement) = voter.commune_code.as_deref().and_then(departement_of)
            && !self.departements.contains(departement)
        {
            self.departements.insert(departement.to_string());
        }
        for membership in &voter.memberships {
            let Some(code) = &membership.station_code else {
                continue;
            };
            has_station = true;
            let station = self.stations.count(&voter, membership, code);
            if let Some(order) = membership.order_number
                && !self.stations.first_at(station, order)
            {
                let key = self.stations.seen[station].key.clone();
                self.stats.duplicate_order_numbers.push((key, order));
            }
        }
        if !has_station {
            self.stats.voters_without_station += 1;
        }
        let voter_id = self.names.push(&voter);
        self.voters.push(&voter);
        self.canaries.offer(voter_id, &voter);
        let record = self.names.last().expect("the record just pushed");
        let document = voter_document(&self.schema, &voter, voter_id, &record)?;
        self.writer.add_document(document)?;
        self.stats.voters += 1;
        Ok(())
    }

    /// Flushes the held-back rows, commits, merges into one segment and joins
    /// the stations file (when given) to the stations seen in the roll.
    pub fn finish(
        mut self,
        station_file: Option<&[StationInfo]>,
    ) -> Result<BuiltIndex, BuildError> {
        let mut held_back: Vec<Voter> = std::mem::take(&mut self.complementary)
            .into_values()
            .flatten()
            .collect();
        // HashMap order is random: sort so that builds are reproducible.
        held_back.sort_by_cached_key(|voter| {
            let first = voter.primary_membership();
            (
                voter.commune_code.clone(),
                voter.birth_name.clone(),
                voter.first_names.clone(),
                voter.birth_date,
                first.station_code.clone(),
                first.order_number,
                first.list.clone(),
            )
        });
        for voter in held_back {
            self.add_voter(voter)?;
        }
        if self.stats.voters == 0 {
            return Err(BuildError::EmptyRoll);
        }
        self.writer.commit()?;
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            self.writer.merge(&segments).wait()?;
        }
        self.writer.garbage_collect_files().wait()?;
        self.writer.wait_merging_threads()?;

        let deletions = deletions_of(&self.index, &self.schema)?;
        let mut stats = self.stats;
        stats.departements = self.departements.into_iter().collect();
        let seen = self
            .stations
            .seen
            .into_iter()
            .map(|s| (s.key.clone(), s))
            .collect();
        let stations = join_stations(seen, station_file, &mut stats)?;
        Ok(BuiltIndex {
            index: self.index,
            deletions,
            stations,
            names: self.names.finish(),
            voters: self.voters.finish(),
            canaries: self.canaries.pick(CANARY_COUNT),
            stats,
        })
    }
}

/// The deletion neighbourhoods of the terms the index holds: read back
/// from its dictionaries, so that they list exactly what a lookup can find.
fn deletions_of(index: &Index, schema: &VoterSchema) -> Result<Deletions, BuildError> {
    let searcher = index.reader()?.searcher();
    let mut surnames = BTreeSet::new();
    let mut given_names = BTreeSet::new();
    for segment in searcher.segment_readers() {
        for (field, terms) in [
            (schema.surname_terms, &mut surnames),
            (schema.given_terms, &mut given_names),
        ] {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(|error| BuildError::Index(error.into()))?;
            while stream.advance() {
                terms.insert(stream.key().to_vec());
            }
        }
    }
    Ok(Deletions::build(
        surnames.iter().map(Vec::as_slice),
        given_names.iter().map(Vec::as_slice),
    )?)
}

/// Canary lookups written to the manifest.
const CANARY_COUNT: usize = 16;

/// Keeps a deterministic, evenly spread sample of voters while they stream
/// past: every `step`-th voter, the step doubling whenever the pool fills.
#[derive(Debug)]
struct CanaryPool {
    step: u64,
    kept: Vec<(u64, Canary)>,
}

impl Default for CanaryPool {
    fn default() -> Self {
        CanaryPool {
            step: 1,
            kept: Vec::new(),
        }
    }
}

impl CanaryPool {
    const CAPACITY: usize = 64;

    fn offer(&mut self, voter_id: u64, voter: &Voter) {
        if !voter_id.is_multiple_of(self.step) {
            return;
        }
        let Some(canary) = canary_of(voter) else {
            return;
        };
        self.kept.push((voter_id, canary));
        if self.kept.len() > Self::CAPACITY {
            self.step *= 2;
            let step = self.step;
            self.kept.retain(|(id, _)| id.is_multiple_of(step));
        }
    }

    fn pick(self, count: usize) -> Vec<Canary> {
        let stride = self.kept.len().div_ceil(count.max(1)).max(1);
        self.kept
            .into_iter()
            .step_by(stride)
            .map(|(_, canary)| canary)
            .collect()
    }
}

/// The canary of `voter`: where they are registered, nothing that names
/// them (the server makes the lookup from their record). `None` for a voter
/// without a station or order number, whom a lookup cannot place.
fn canary_of(voter: &Voter) -> Option<Canary> {
    let membership = voter.primary_membership();
    Some(Canary {
        commune_code: voter.commune_code.clone(),
        station_code: membership.station_code.clone()?,
        order_number: membership.order_number?,
    })
}

fn join_stations(
    from_roll: BTreeMap<StationKey, SeenStation>,
    station_file: Option<&[StationInfo]>,
    stats: &mut BuildStats,
) -> Result<Vec<Station>, BuildError> {
    let mut stations: BTreeMap<StationKey, Station> = from_roll
        .into_iter()
        .map(|(key, seen)| {
            let station = Station {
                commune_code: (!key.commune.is_empty()).then(|| key.commune.clone()),
                commune_name: seen.commune_name,
                code: key.code.clone(),
                label: seen.label,
                address: None,
                voter_count: seen.voters,
            };
            (key, station)
        })
        .collect();
    let Some(file) = station_file else {
        return Ok(stations.into_values().collect());
    };
    // A line without a commune means the roll's one commune (or none).
    let communes: BTreeSet<&str> = stations.keys().map(|key| key.commune.as_str()).collect();
    let only_commune = match communes.len() {
        0 => None,
        1 => communes
            .first()
            .copied()
            .filter(|commune| !commune.is_empty()),
        _ => Some(""),
    };
    let mut keyed = Vec::with_capacity(file.len());
    for info in file {
        let commune = match (&info.commune, only_commune) {
            (Some(commune), _) => Some(commune.as_str()),
            (None, Some("")) => {
                return Err(BuildError::StationWithoutCommune {
                    line: info.line,
                    code: info.code.clone(),
                    communes: communes.len(),
                });
            }
            (None, only) => only,
        };
        keyed.push((StationKey::new(commune, &info.code), info));
    }
    let listed: HashSet<&StationKey> = keyed.iter().map(|(key, _)| key).collect();
    stats.stations_missing_from_file = stations
        .keys()
        .filter(|key| !listed.contains(key))
        .cloned()
        .collect();
    for (key, info) in keyed {
        let station = stations.entry(key.clone()).or_insert_with(|| Station {
            commune_code: (!key.commune.is_empty()).then(|| key.commune.clone()),
            commune_name: None,
            code: key.code.clone(),
            label: info.label.clone(),
            address: None,
            voter_count: 0,
        });
        if station.label.is_empty() {
            station.label = info.label.clone();
        }
        if station.commune_name.is_none() {
            station.commune_name = info.commune_name.clone();
        }
        station.address = info.address.clone();
    }
    Ok(stations.into_values().collect())
}

/// A station as the roll shows it while it streams past.
#[derive(Debug)]
struct SeenStation {
    key: StationKey,
    label: String,
    commune_name: Option<String>,
    voters: u64,
}

/// The stations met so far, and the order numbers met in each: one entry a
/// voter, so kept to eight bytes (the station's position and the number),
/// not the station's key.
#[derive(Debug, Default)]
struct StationsSeen {
    seen: Vec<SeenStation>,
    positions: HashMap<StationKey, usize>,
    /// Rows come station by station: the last one saves a lookup.
    last: Option<usize>,
    orders: HashSet<u64>,
}

impl StationsSeen {
    /// Counts `voter` in station `code` of their commune, and returns its
    /// position.
    fn count(&mut self, voter: &Voter, membership: &crate::model::Membership, code: &str) -> usize {
        let commune = voter.commune_code.as_deref().unwrap_or("");
        let position = match self.last {
            Some(last)
                if self.seen[last].key.code == code && self.seen[last].key.commune == commune =>
            {
                last
            }
            _ => {
                let key = StationKey::new(voter.commune_code.as_deref(), code);
                match self.positions.get(&key) {
                    Some(&position) => position,
                    None => {
                        self.seen.push(SeenStation {
                            key: key.clone(),
                            label: membership.station_label.clone().unwrap_or_default(),
                            commune_name: voter.commune_name.clone(),
                            voters: 0,
                        });
                        self.positions.insert(key, self.seen.len() - 1);
                        self.seen.len() - 1
                    }
                }
            }
        };
        self.last = Some(position);
        self.seen[position].voters += 1;
        position
    }

    /// Whether `order` is met for the first time in station `position`.
    fn first_at(&mut self, position: usize, order: u32) -> bool {
        self.orders
            .insert(((position as u64) << 32) | u64::from(order))
    }
}

/// The tantivy document of one voter: its analysed name terms and their
/// phonetic keys (read from its name record, so names are analysed once),
/// station/order terms, the packed birth date and the voter's number in
/// the name and voter records.
pub fn voter_document(
    schema: &VoterSchema,
    voter: &Voter,
    voter_id: u64,
    record: &NameRecord<'_>,
) -> Result<TantivyDocument, BuildError> {
    let mut document = TantivyDocument::new();
    let mut keys: Vec<&[u8]> = Vec::new();
    let mut prefixes: Vec<&str> = Vec::new();
    for surnames in [true, false] {
        let (terms_field, phonetic_field, prefix_field) = if surnames {
            (
                schema.surname_terms,
                schema.surname_phonetic,
                schema.surname_prefix,
            )
        } else {
            (
                schema.given_terms,
                schema.given_phonetic,
                schema.given_prefix,
            )
        };
        keys.clear();
        prefixes.clear();
        for field in NameField::ALL
            .into_iter()
            .filter(|field| field.is_surname() == surnames)
        {
            for term in record.terms(field) {
                let text = ascii(term.term);
                document.add_text(terms_field, text);
                if !term.phonetic.is_empty() && !keys.contains(&term.phonetic) {
                    keys.push(term.phonetic);
                }
                // A voter's particles match only as typed, never begun.
                if !term.particle {
                    for prefix in term_prefixes(text) {
                        if !prefixes.contains(&prefix) {
                            prefixes.push(prefix);
                        }
                    }
                }
            }
        }
        for key in &keys {
            document.add_text(phonetic_field, ascii(key));
        }
        for prefix in &prefixes {
            document.add_text(prefix_field, *prefix);
        }
    }
    for membership in &voter.memberships {
        if let (Some(code), Some(order)) = (&membership.station_code, membership.order_number) {
            document.add_text(schema.station_order, station_order_term(code, order));
        }
    }
    document.add_u64(schema.birth_date, voter.birth_date.to_packed());
    document.add_u64(schema.voter_id, voter_id);
    Ok(document)
}

/// Name terms are folded ASCII; anything else would be a bug upstream, and
/// is indexed as nothing rather than trusted.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}
