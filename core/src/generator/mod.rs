//! Deterministic synthetic electoral rolls, so that no real personal data
//! ever enters tests, benches, demos or load tests.
//!
//! A [`Generator`] is an iterator of [`RollRow`]s for one fictional commune.
//! It plans the polling stations up front (about one per 1,000 voters), then
//! generates them one at a time: a station's voters are drawn, sorted by
//! birth name then given names as a signing sheet is, numbered from 1, and
//! handed out. Memory is bounded by one station, so a roll of millions of
//! voters streams straight to disk with [`write_roll_csv`] or
//! [`generate_files`].
//!
//! The same seed and configuration always give the same rows, byte for byte:
//! every station draws from its own ChaCha stream keyed by the seed and the
//! station's position, and no clock is read (ages are relative to
//! [`GeneratorConfig::reference_date`]).
//!
//! Names follow the distributions of a French commune ([`NameSampler`]):
//! a heavy tail of tens of thousands of surnames per 100,000 voters,
//! particles and punctuation, regional and foreign-origin names with their
//! own given names, married names. The quirks of real exports that the
//! format note lists are injected at configurable rates ([`QuirkRates`]);
//! broken rows are only written when asked ([`GeneratorConfig::broken_rows`]).
//!
//! Order numbers are unique within a station across all lists (an EU
//! citizen on both complementary lists has two consecutive numbers), except
//! where [`QuirkRates::duplicate_order_numbers`] repeats one on purpose.

mod export;
// Data tables read best packed; rustfmt would put one name per line.
#[rustfmt::skip]
mod name_data;
pub(crate) mod names;
mod people;
mod places;
pub(crate) mod random;
mod stations;

pub use export::{
    BrokenLine, BrokenRowKind, BrokenRows, ROLL_HEADERS, RollWriteReport, STATIONS_HEADER,
    write_roll_csv, write_roll_csv_with_broken_rows, write_stations_csv,
};
pub use names::{NameSampler, Origin, SampledName};
pub use stations::GeneratedStation;

use crate::model::RollRow;
use people::{Context, Identity, Person};
use places::upper_ascii;
use random::{DOMAIN_PLAN, DOMAIN_STATION, Draw, GenRng, stream_rng};
use stations::StationPlan;
use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::path::Path;

/// How often each quirk of real exports occurs. Per-voter rates unless
/// said otherwise; 0 turns a quirk off, 1 makes it systematic.
#[derive(Debug, Clone, PartialEq)]
pub struct QuirkRates {
    /// Birth dates known only by their year, written `00/00/yyyy` or `yyyy`
    /// (half each, decided by the writer from the row's content).
    pub year_only_dates: f64,
    /// Share of voters who are EU citizens, on the complementary lists
    /// instead of the principal one.
    pub eu_citizens: f64,
    /// Among EU citizens, the share registered on both complementary lists:
    /// one person, two rows that differ only by list and order number.
    pub eu_both_lists: f64,
    /// Voters who are true homonyms of another voter: same birth name,
    /// given names, sex and birth date, but a different person (own
    /// address and birthplace, own order number, same or another station).
    pub homonyms: f64,
    /// Per station: one order number given to two consecutive rows.
    pub duplicate_order_numbers: f64,
    /// Voters with no polling station: columns 22–27 empty.
    pub without_station: f64,
    /// Voters whose name in use is their birth name, written again.
    pub usage_equals_birth: f64,
}

impl Default for QuirkRates {
    /// Low rates, high enough that each quirk occurs in a 100,000-voter roll.
    fn default() -> Self {
        QuirkRates {
            year_only_dates: 0.002,
            eu_citizens: 0.015,
            eu_both_lists: 0.4,
            homonyms: 0.000_5,
            duplicate_order_numbers: 0.05,
            without_station: 0.000_5,
            usage_equals_birth: 0.01,
        }
    }
}

impl QuirkRates {
    /// No quirk at all: a roll as tidy as the format allows.
    pub fn none() -> Self {
        QuirkRates {
            year_only_dates: 0.0,
            eu_citizens: 0.0,
            eu_both_lists: 0.0,
            homonyms: 0.0,
            duplicate_order_numbers: 0.0,
            without_station: 0.0,
            usage_equals_birth: 0.0,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorConfig {
    /// Everything random derives from it.
    pub seed: u64,
    /// Number of people on the roll. Rows are a few more: an EU citizen on
    /// both complementary lists has two.
    pub voters: usize,
    /// INSEE code of the commune (column 1).
    pub commune_code: String,
    /// Commune name in its official spelling; column 2 carries it in
    /// capitals, addresses spell it in several ways.
    pub commune_name: String,
    /// Postcode of the addresses.
    pub postcode: String,
    /// Mean voters per polling station.
    pub voters_per_station: usize,
    /// Date (year, month, day) at which every voter is 18 to 100 years old,
    /// in place of the clock.
    pub reference_date: (u16, u8, u8),
    /// Column 26, set only for communes of the Lyon metropolis; empty
    /// otherwise.
    pub metropolitan_constituency: Option<String>,
    /// Rates of the export quirks.
    pub quirks: QuirkRates,
    /// Rows to break on purpose when writing with [`generate_files`]
    /// (default 0, so the roll passes a fail-on-bad-row policy).
    pub broken_rows: usize,
    /// Kinds of broken rows, used in turn; empty means
    /// [`BrokenRowKind::DEFAULT`].
    pub broken_row_kinds: Vec<BrokenRowKind>,
}

impl Default for GeneratorConfig {
    /// Seed 42, 100,000 voters in a fictional commune of the Loiret (the code
    /// 45999 belongs to no real commune).
    fn default() -> Self {
        GeneratorConfig {
            seed: 42,
            voters: 100_000,
            commune_code: "45999".to_string(),
            commune_name: "Saint-Aubin-des-Vergers".to_string(),
            postcode: "45990".to_string(),
            voters_per_station: 1_000,
            reference_date: (2026, 3, 15),
            metropolitan_constituency: None,
            quirks: QuirkRates::default(),
            broken_rows: 0,
            broken_row_kinds: Vec::new(),
        }
    }
}

/// What the generator has produced so far, quirk by quirk, so that tests of
/// readers can check they found exactly what was put in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuirkCounts {
    /// Rows produced.
    pub rows: u64,
    /// People produced (rows minus the second rows of EU citizens on both
    /// complementary lists).
    pub people: u64,
    /// People whose birth date is known only by its year.
    pub year_only_dates: u64,
    /// EU citizens on the complementary lists.
    pub eu_citizens: u64,
    /// EU citizens on both complementary lists (two rows each).
    pub eu_on_both_lists: u64,
    /// People made as a true homonym of someone else.
    pub homonyms: u64,
    /// Stations where an order number was given twice.
    pub duplicate_order_numbers: u64,
    /// Rows without a polling station.
    pub rows_without_station: u64,
    /// People whose name in use repeats their birth name.
    pub usage_equals_birth: u64,
    /// People with a name in use (married or double name), repeats included.
    pub usage_names: u64,
}

/// The result of [`generate_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Data rows written (broken ones included).
    pub rows: u64,
    /// Polling stations.
    pub stations: usize,
    /// Quirks injected.
    pub counts: QuirkCounts,
    /// Rows broken on purpose, with their line numbers.
    pub broken_lines: Vec<BrokenLine>,
}

/// People kept from earlier stations, for homonyms across stations.
const HOMONYM_POOL_SIZE: usize = 64;

/// A streaming iterator over the rows of a synthetic roll.
#[derive(Debug, Clone)]
pub struct Generator {
    context: Context,
    plans: Vec<StationPlan>,
    next_station: usize,
    pending: std::vec::IntoIter<RollRow>,
    homonym_pool: VecDeque<Identity>,
    counts: QuirkCounts,
}

impl Generator {
    /// Plans the commune (stations, streets) for `config`; rows are
    /// generated lazily as the iterator is consumed.
    pub fn new(config: GeneratorConfig) -> Self {
        let names = NameSampler::new();
        let mut plan_rng = stream_rng(config.seed, DOMAIN_PLAN, 0);
        let (plans, streets) = stations::plan_stations(&mut plan_rng, &config, &names);
        Generator {
            context: Context::new(config, names, streets),
            plans,
            next_station: 0,
            pending: Vec::new().into_iter(),
            homonym_pool: VecDeque::with_capacity(HOMONYM_POOL_SIZE),
            counts: QuirkCounts::default(),
        }
    }

    /// The polling stations, known before any row is generated.
    pub fn stations(&self) -> Vec<GeneratedStation> {
        self.plans.iter().map(|plan| plan.station.clone()).collect()
    }

    /// The configuration in use.
    pub fn config(&self) -> &GeneratorConfig {
        &self.context.config
    }

    /// The name sampler the roll is drawn from, for making people who are not
    /// on it from the same distributions.
    pub fn names(&self) -> &NameSampler {
        &self.context.names
    }

    /// Quirks injected in the rows produced so far.
    pub fn counts(&self) -> &QuirkCounts {
        &self.counts
    }

    /// Generates the next station's rows into `pending`.
    fn generate_station(&mut self) {
        let index = self.next_station;
        self.next_station += 1;
        let plan = &self.plans[index];
        let quirks = &self.context.config.quirks;
        let mut rng = stream_rng(self.context.config.seed, DOMAIN_STATION, index as u64);

        let mut people: Vec<Person> = Vec::with_capacity(plan.station.voters);
        for _ in 0..plan.station.voters {
            let homonym_of = if rng.chance(quirks.homonyms) {
                self.pick_homonym_source(&mut rng, &people)
            } else {
                None
            };
            let person = self
                .context
                .person(&mut rng, plan, homonym_of.as_ref(), &people);
            let counts = &mut self.counts;
            counts.people += 1;
            counts.homonyms += u64::from(homonym_of.is_some());
            counts.year_only_dates += u64::from(person.year_only_date);
            counts.usage_equals_birth += u64::from(person.usage_equals_birth);
            counts.usage_names += u64::from(person.row.usage_name.is_some());
            if person.lists != people::Lists::Principal {
                counts.eu_citizens += 1;
            }
            if person.lists == people::Lists::BothComplementary {
                counts.eu_on_both_lists += 1;
            }
            people.push(person);
        }

        // Keep a few of this station's people for homonyms in later ones.
        if !people.is_empty() {
            for _ in 0..3 {
                let person = &people[rng.below(people.len())];
                if self.homonym_pool.len() == HOMONYM_POOL_SIZE {
                    self.homonym_pool.pop_front();
                }
                self.homonym_pool
                    .push_back(Identity::of(&person.row, person.origin));
            }
        }

        let mut rows = Vec::with_capacity(people.len() + people.len() / 64 + 1);
        let mut without_station = Vec::new();
        for person in people {
            if rng.chance(quirks.without_station) {
                let mut detached = Vec::with_capacity(2);
                person.into_rows(&mut detached);
                for mut row in detached {
                    let membership = &mut row.membership;
                    membership.station_code = None;
                    membership.station_label = None;
                    membership.constituency_code = None;
                    membership.canton = None;
                    membership.constituency_label = None;
                    membership.order_number = None;
                    without_station.push(row);
                }
            } else {
                person.into_rows(&mut rows);
            }
        }

        // The signing sheet's order: birth name, given names, then birth date
        // and list so that ties are settled the same way every time.
        rows.sort_by_cached_key(|row| {
            (
                upper_ascii(&row.birth_name),
                upper_ascii(&row.first_names),
                row.birth_date,
                row.membership.list.clone(),
            )
        });
        for (position, row) in rows.iter_mut().enumerate() {
            row.membership.order_number = Some(position as u32 + 1);
        }
        if rows.len() >= 3 && rng.chance(quirks.duplicate_order_numbers) {
            let position = 1 + rng.below(rows.len() - 1);
            rows[position].membership.order_number = rows[position - 1].membership.order_number;
            self.counts.duplicate_order_numbers += 1;
        }

        self.counts.rows_without_station += without_station.len() as u64;
        rows.extend(without_station);
        self.counts.rows += rows.len() as u64;
        self.pending = rows.into_iter();
    }

    /// Someone to be a homonym of: earlier in this station or from a
    /// previous one.
    fn pick_homonym_source(&self, rng: &mut GenRng, people: &[Person]) -> Option<Identity> {
        let from_pool = !self.homonym_pool.is_empty() && (people.is_empty() || rng.chance(0.5));
        if from_pool {
            let index = rng.below(self.homonym_pool.len());
            return self.homonym_pool.get(index).cloned();
        }
        if people.is_empty() {
            return None;
        }
        let person = &people[rng.below(people.len())];
        Some(Identity::of(&person.row, person.origin))
    }
}

impl Iterator for Generator {
    type Item = RollRow;

    fn next(&mut self) -> Option<RollRow> {
        loop {
            if let Some(row) = self.pending.next() {
                return Some(row);
            }
            if self.next_station >= self.plans.len() {
                return None;
            }
            self.generate_station();
        }
    }
}

/// Writes a roll (and optionally its stations file) for `config`, breaking
/// rows if [`GeneratorConfig::broken_rows`] asks for it.
pub fn generate_files(
    config: &GeneratorConfig,
    roll: &Path,
    stations: Option<&Path>,
) -> io::Result<Summary> {
    let mut generator = Generator::new(config.clone());
    let station_list = generator.stations();
    if let Some(path) = stations {
        write_stations_csv(&station_list, File::create(path)?)?;
    }
    let broken = BrokenRows {
        count: config.broken_rows,
        expected_rows: config.voters as u64,
        kinds: config.broken_row_kinds.clone(),
    };
    let report = write_roll_csv_with_broken_rows(generator.by_ref(), File::create(roll)?, &broken)?;
    Ok(Summary {
        rows: report.rows,
        stations: station_list.len(),
        counts: generator.counts().clone(),
        broken_lines: report.broken,
    })
}

#[cfg(test)]
mod tests;
