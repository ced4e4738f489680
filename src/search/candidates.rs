//! Finds the voters a query may be about.
//!
//! At least one token must name a surname, so each significant token (and
//! joined form) in turn is read as the surname: its expansions in the
//! surname dictionary (`surname_terms`) give a set of voters. Each set is
//! then narrowed to the voters whose names also fit every other token
//! (in the surname or given-name dictionaries), so that a common surname
//! (MARTIN) costs what its few Maries cost, not what its thousands of
//! voters would. A lookup widens the reach step by step ([`Reach`]) and
//! stops as soon as it has its answer; only the last step drops the
//! narrowing, for queries in which some token fits nobody.

use tantivy::postings::TermInfo;
use tantivy::{DocId, index::InvertedIndexReader};

use super::docset::{
    DocBits, PostingsProbe, extend_with_postings, normalise, retain_by_membership,
};
use super::query::{ParsedQuery, QueryDate, is_calendar_date};
use super::rank::{MIN_PHONETIC_LEN, PreparedQuery, fit_date};
use super::steps::{Expand, Narrowing as Narrows, Reach, WayIn, Word};
use super::typos::{Place, Typos};
use crate::error::LookupError;
use crate::index::{LoadedIndex, SegmentView};
use voter_core::deletions::Dictionary;
use voter_core::model::BirthDate;
use voter_core::normalise::{is_particle, near_particle};
use voter_core::schema::PREFIX_LENS;

/// Candidates scored for one step of one query, at most.
pub const MAX_CANDIDATES: usize = 60_000;
/// Candidates of the last-resort step, at most: voters sharing only a
/// surname are hints, and a common surname has thousands.
const MAX_LOOSE_CANDIDATES: usize = 1_000;
/// Candidates of the last-resort step that share only the surname, at
/// most: they tie, so beyond the most results a response shows (and some
/// margin for a date or a particle to order them) they add nothing.
const MAX_LOOSE_SURNAME_ONLY: usize = 2 * super::MAX_LIMIT;
/// A narrowing set holding more than this share of all voters narrows too
/// little to be worth building.
const MAX_NARROWING_SHARE: f64 = 0.4;
/// Postings beyond which a reading's voters are gathered in a bitset.
const BITSET_FROM: u64 = 16_384;
/// A narrowing whose lists hold this many times fewer postings than the
/// voters found reads them and merges instead of probing for each voter.
const MERGE_FACTOR: usize = 4;
/// Posting lists a probe skips through whatever the number of documents.
const MAX_PROBE_LISTS: usize = 6;
/// What one probe of one list costs, counted in postings put in a bitset:
/// more lists are probed when documents times lists times this is below
/// the postings a bitset would take in.
const PROBE_COST: usize = 32;

/// The tokens a step reads as the surname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenMask(u32);

impl TokenMask {
    /// Every token.
    pub const ALL: TokenMask = TokenMask(u32::MAX);

    /// The tokens for which `keep` is true.
    pub fn of(keep: impl Iterator<Item = bool>) -> TokenMask {
        TokenMask(keep.enumerate().fold(0, |mask, (position, kept)| {
            if kept && position < 32 {
                mask | (1 << position)
            } else {
                mask
            }
        }))
    }

    fn has(self, position: usize) -> bool {
        position < 32 && self.0 & (1 << position) != 0
    }
}

/// One query text as the candidate search sees it.
struct Unit<'a> {
    text: &'a str,
    phonetic: &'a str,
    particle: bool,
    /// Tokens it covers (a token covers itself).
    first: usize,
    last: usize,
    /// Edits a walk allows at the usual and the extended distance.
    base_distance: u8,
    reach_distance: u8,
    /// A joined form rather than a token.
    joined: bool,
}

impl Unit<'_> {
    fn word(&self) -> Word<'_> {
        Word {
            text: self.text,
            particle: self.particle,
            joined: self.joined,
            base_distance: self.base_distance,
            reach_distance: self.reach_distance,
        }
    }
}

/// The candidates of one segment for one step ([`collect`]), each list
/// sorted and without duplicates.
#[derive(Debug, Default)]
pub struct Found {
    /// Voters whom every typed particle may fit.
    pub docs: Vec<DocId>,
    /// Voters whom some typed particle fits nowhere.
    pub unfitting: Vec<DocId>,
}

/// Candidate documents of one segment for one step: in `docs` those whom
/// every typed particle may fit, in `unfitting` those whom some typed
/// particle fits nowhere. The latter
/// rank below any voter whose every word the query spells out or begins
/// (a particle not met costs its weight), so a step scores them only when
/// such voters do not fill the list (`bon le`: the BON* voters whose
/// given name `le` begins come first, not the thousands of others).
pub fn collect(
    index: &LoadedIndex,
    query: &PreparedQuery<'_>,
    reach: Reach,
    focus: TokenMask,
    segment: usize,
    walks: &mut Walks,
    found: &mut Found,
) -> Result<(), LookupError> {
    let Found { docs, unfitting } = found;
    docs.clear();
    unfitting.clear();
    let view = &index.segments[segment];
    let parsed = query.parsed;
    let step = reach.step();
    if step.way_in == WayIn::BirthDate {
        if let Some(asked) = parsed.birth_date {
            born_on(view, asked, docs)?;
        }
        return Ok(());
    }
    let tokens: Vec<Unit<'_>> = parsed
        .tokens
        .iter()
        .enumerate()
        .map(|(position, token)| Unit {
            text: &token.text,
            phonetic: &token.phonetic,
            particle: token.particle,
            first: position,
            last: position,
            base_distance: query.token_walk_distance(position, false),
            reach_distance: query.token_walk_distance(position, true),
            joined: false,
        })
        .collect();
    let joined: Vec<Unit<'_>> = parsed
        .joined
        .iter()
        .enumerate()
        .map(|(position, unit)| Unit {
            text: &unit.text,
            phonetic: &unit.phonetic,
            particle: false,
            first: unit.first,
            last: unit.last,
            base_distance: query.joined_walk_distance(position, false),
            reach_distance: query.joined_walk_distance(position, true),
            joined: true,
        })
        .collect();

    // Surname expansions of each token, shared by its reading as the
    // surname and its narrowing of the others' readings.
    let mut surnames: Vec<Vec<(Expand, Expansions<'_>)>> =
        (0..tokens.len()).map(|_| Vec::new()).collect();
    // What each significant token requires of a voter, built on first use.
    let mut narrowing: Vec<Option<Narrowing>> = (0..tokens.len()).map(|_| None).collect();
    let mut found = Vec::new();
    for (reading, unit) in tokens.iter().chain(&joined).enumerate() {
        if !(unit.first..=unit.last).any(|position| focus.has(position)) {
            continue;
        }
        // Without the other tokens to narrow it, a particle (`DER` of
        // `VAN DER BERG`, or `DELA` joined) is no surname: it would bring a
        // random sample of the thousands of names it stands in.
        let only_particles = parsed.tokens[unit.first..=unit.last]
            .iter()
            .all(|token| token.particle);
        if only_particles && !step.particles_alone {
            continue;
        }
        // A word that fits no voter at all leaves nobody for this
        // reading: it need not walk the dictionaries (the given name of
        // someone not on the roll, read as the surname).
        if step.narrowing != Narrows::Preferred {
            let mut fits_nobody = false;
            for (position, other) in tokens.iter().enumerate() {
                if other.particle || (unit.first..=unit.last).contains(&position) {
                    continue;
                }
                if narrowing[position].is_none() {
                    narrowing[position] = Some(Narrowing::of_word(
                        &mut surnames,
                        (segment, position),
                        view,
                        other,
                        parsed,
                        reach,
                        walks,
                    )?);
                }
                if narrowing[position]
                    .as_ref()
                    .is_some_and(Narrowing::is_empty)
                {
                    fits_nobody = true;
                    break;
                }
            }
            if fits_nobody {
                continue;
            }
        }
        let spec = reach.surname_expansion(&unit.word());
        let own;
        let expansions = if unit.joined {
            own = surname_expansions(view, unit, spec, walks)?;
            &own
        } else {
            cached_expansions(&mut surnames, reading, view, unit, spec, walks)?
        };
        found.clear();
        let postings: u64 = expansions
            .terms
            .iter()
            .map(|(_, info)| u64::from(info.doc_freq))
            .sum();
        if postings > BITSET_FROM {
            // Many postings (a short prefix): a bitset gathers them sorted
            // for less than sorting them would cost.
            let mut bits = DocBits::new(view.max_doc);
            for (reader, info) in &expansions.terms {
                bits.insert_postings(reader, info)?;
            }
            bits.extend_sorted(&mut found);
        } else {
            for (reader, info) in &expansions.terms {
                extend_with_postings(reader, info, &mut found)?;
            }
            normalise(&mut found);
        }
        if found.is_empty() {
            continue;
        }
        if step.narrowing == Narrows::Preferred {
            // The last resort: no narrowing, and only so many voters. Those
            // whom some other word fits (as the earlier steps required it,
            // so their narrowings serve again) come first: they are the
            // hints worth showing. The rest share only the surname and tie,
            // so a few of them are enough; among each, those whose birth
            // date does not contradict the one asked.
            let mut others = Vec::new();
            for (position, other) in tokens.iter().enumerate() {
                if other.particle || (unit.first..=unit.last).contains(&position) {
                    continue;
                }
                others.push(position);
            }
            let (mut fitting, mut rest) =
                if others.is_empty() || found.len() <= MAX_LOOSE_SURNAME_ONLY {
                    // All of them are kept either way.
                    (std::mem::take(&mut found), Vec::new())
                } else {
                    for &position in &others {
                        if narrowing[position].is_none() {
                            let spec = reach.narrowing_expansion(&tokens[position].word());
                            narrowing[position] = Some(Narrowing::of_token(
                                &mut surnames,
                                (segment, position),
                                view,
                                &tokens[position],
                                spec,
                                walks,
                            )?);
                        }
                    }
                    let anyone = others
                        .iter()
                        .any(|&position| matches!(narrowing[position], Some(Narrowing::Anyone)));
                    if anyone {
                        (std::mem::take(&mut found), Vec::new())
                    } else {
                        split_by_fit(&found, &mut narrowing, &others)?
                    }
                };
            if let Some(asked) = parsed.birth_date {
                prefer_fitting_dates(view, asked, &mut fitting, MAX_LOOSE_CANDIDATES);
                prefer_fitting_dates(view, asked, &mut rest, MAX_LOOSE_SURNAME_ONLY);
            }
            fitting.truncate(MAX_LOOSE_CANDIDATES);
            rest.truncate(MAX_LOOSE_SURNAME_ONLY);
            found.clear();
            found.extend(fitting.into_iter().chain(rest));
            found.sort_unstable();
        } else {
            for (position, other) in tokens.iter().enumerate() {
                if other.particle
                    || (unit.first..=unit.last).contains(&position)
                    || found.is_empty()
                {
                    continue;
                }
                // Built before the reading walked (none of them empty).
                if let Some(narrowing) = &mut narrowing[position] {
                    narrowing.retain(&mut found)?;
                }
            }
            // Typed particles do not narrow (a voter may lack one), but
            // those they fit nowhere wait. (Only once a particle may be
            // read as a beginning, as ranking reads it.)
            for (position, other) in tokens.iter().enumerate() {
                if !step.particles_wait
                    || !other.particle
                    || (unit.first..=unit.last).contains(&position)
                    || found.is_empty()
                {
                    continue;
                }
                if narrowing[position].is_none() {
                    let spec = reach.narrowing_expansion(&other.word());
                    narrowing[position] = Some(Narrowing::of_token(
                        &mut surnames,
                        (segment, position),
                        view,
                        other,
                        spec,
                        walks,
                    )?);
                }
                if let Some(narrowing) = &mut narrowing[position] {
                    let before = found.clone();
                    narrowing.retain(&mut found)?;
                    if found.len() < before.len() {
                        let mut waiting = before;
                        retain_by_membership(&mut waiting, &found, false);
                        unfitting.extend(waiting);
                    }
                }
            }
        }
        docs.extend_from_slice(&found);
        if docs.len() > MAX_CANDIDATES * 2 {
            break;
        }
    }
    for built in narrowing.into_iter().flatten() {
        built.keep_bits(walks);
    }
    normalise(docs);
    docs.truncate(MAX_CANDIDATES);
    normalise(unfitting);
    retain_by_membership(unfitting, docs, false);
    unfitting.truncate(MAX_CANDIDATES);
    Ok(())
}

/// The voters of a segment born on `asked` or on one of its slips, sorted.
fn born_on(view: &SegmentView, asked: QueryDate, docs: &mut Vec<DocId>) -> Result<(), LookupError> {
    for packed in date_slips(asked) {
        let term = tantivy::Term::from_field_u64(view.birth_date_field, packed);
        if let Some(info) = view.birth_date_terms.get_term_info(&term)? {
            extend_with_postings(&view.birth_date_terms, &info, docs)?;
        }
    }
    normalise(docs);
    Ok(())
}

/// A full date and the dates it is usually a slip for, packed: day and
/// month swapped, and each date one digit away (`1962-03-12` for
/// `1963-03-12`, `1962-08-12`, `1962-03-13`…), as ranking's
/// [`fit_date`] reads them. None for a year alone: thousands of voters
/// share one.
pub fn date_slips(asked: QueryDate) -> Vec<u64> {
    let QueryDate::Full { year, month, day } = asked else {
        return Vec::new();
    };
    let packed = |year: u16, month: u8, day: u8| {
        u64::from(year) * 10_000 + u64::from(month) * 100 + u64::from(day)
    };
    let exact = packed(year, month, day);
    let mut dates = vec![exact];
    let valid = |date: u64| {
        let (year, month, day) = (date / 10_000, date / 100 % 100, date % 100);
        is_calendar_date(year as u16, month as u8, day as u8)
    };
    if month != day && valid(packed(year, day, month)) {
        dates.push(packed(year, day, month));
    }
    let mut place = 1;
    for _ in 0..8 {
        let digit = exact / place % 10;
        for other in 0..10 {
            if other != digit {
                let date = exact - digit * place + other * place;
                if valid(date) {
                    dates.push(date);
                }
            }
        }
        place *= 10;
    }
    dates.sort_unstable();
    dates.dedup();
    dates
}

/// Splits sorted `found` into the voters whom the narrowing of some token
/// at `positions` fits, and the rest; both sorted.
fn split_by_fit(
    found: &[DocId],
    narrowing: &mut [Option<Narrowing<'_>>],
    positions: &[usize],
) -> Result<(Vec<DocId>, Vec<DocId>), LookupError> {
    let mut fitting = Vec::new();
    for &position in positions {
        if let Some(narrowing) = &mut narrowing[position] {
            let mut kept = found.to_vec();
            narrowing.retain(&mut kept)?;
            fitting.extend(kept);
        }
    }
    normalise(&mut fitting);
    let mut rest = found.to_vec();
    retain_by_membership(&mut rest, &fitting, false);
    Ok((fitting, rest))
}

/// Keeps in `found` the `most` voters the loose step scores: those whose
/// birth date does not contradict `asked` first, then the others, in their
/// order. Each voter's date is read once at most, and none once `most`
/// fit.
fn prefer_fitting_dates(view: &SegmentView, asked: QueryDate, found: &mut Vec<DocId>, most: usize) {
    let fits = |doc: DocId| {
        let born = BirthDate::from_packed(view.birth_date.first(doc).unwrap_or(0));
        !fit_date(asked, born).contradicts()
    };
    let mut kept = Vec::with_capacity(most.min(found.len()));
    let mut others = Vec::new();
    for &doc in found.iter() {
        if kept.len() == most {
            break;
        }
        if fits(doc) {
            kept.push(doc);
        } else if others.len() < most {
            others.push(doc);
        }
    }
    others.truncate(most - kept.len());
    kept.extend(others);
    *found = kept;
}

/// Terms of a dictionary a text may stand for.
#[derive(Clone)]
struct Expansions<'v> {
    terms: Vec<(&'v InvertedIndexReader, TermInfo)>,
    /// False when a prefix had too many terms to list them all.
    complete: bool,
}

/// The surname expansions of token `position` under `spec`, made once per
/// step: a token is expanded one way as the surname a reading takes it
/// for, another as a word narrowing the other readings, and both are asked
/// for again and again.
fn cached_expansions<'v, 'c>(
    cache: &'c mut [Vec<(Expand, Expansions<'v>)>],
    position: usize,
    view: &'v SegmentView,
    unit: &Unit<'_>,
    spec: Expand,
    walks: &mut Walks,
) -> Result<&'c Expansions<'v>, LookupError> {
    let kept = &mut cache[position];
    let at = match kept.iter().position(|(cached, _)| *cached == spec) {
        Some(at) => at,
        None => {
            kept.push((spec, surname_expansions(view, unit, spec, walks)?));
            kept.len() - 1
        }
    };
    Ok(&kept[at].1)
}

/// The surname terms a unit may stand for.
fn surname_expansions<'v>(
    view: &'v SegmentView,
    unit: &Unit<'_>,
    spec: Expand,
    walks: &mut Walks,
) -> Result<Expansions<'v>, LookupError> {
    let mut out = Expansions {
        terms: Vec::new(),
        complete: true,
    };
    let terms = &*view.surname_terms;
    if spec.itself {
        push_term(terms, unit.text, &mut out.terms)?;
    }
    if spec.phonetic && unit.text.len() >= MIN_PHONETIC_LEN {
        push_term(&view.surname_phonetic, unit.phonetic, &mut out.terms)?;
    }
    // A voter's particles match only as typed, so the walks skip them: a
    // typo of `LET` is not `LE`, whose voters are tens of thousands.
    if unit.text.len() >= spec.prefix_from {
        out.complete = push_beginnings(
            terms,
            &view.surname_prefix,
            unit.text,
            spec.prefix_limit,
            Particles::Skip,
            &mut out.terms,
        )?;
    }
    walks.push_fuzzy(
        view,
        Dictionary::Surnames,
        unit.text,
        (spec.typos, spec.place),
        Particles::Skip,
        &mut out.terms,
    )?;
    Ok(out)
}

/// The voters whose names may fit one token at some reach: the posting
/// lists of its expansions, or nothing to require when the token fits too
/// many voters to narrow anything. How the lists are checked depends on
/// how many voters are to be narrowed ([`Narrowing::retain`]).
enum Narrowing<'v> {
    Lists {
        lists: Vec<(&'v InvertedIndexReader, TermInfo)>,
        /// Postings in all the lists.
        postings: usize,
        /// Every posting as a bitset, built once a narrowing needs it.
        bits: Option<DocBits>,
        max_doc: DocId,
        /// Segment, token and spec, under which later steps find the bitset.
        kept: Option<NarrowingKey>,
    },
    Anyone,
}

impl<'v> Narrowing<'v> {
    /// What token `position` (`unit`) requires, from its surname
    /// expansions (kept in `surnames` for its reading as the surname) and
    /// the given-name dictionary.
    fn of_token(
        surnames: &mut [Vec<(Expand, Expansions<'v>)>],
        (segment, position): (usize, usize),
        view: &'v SegmentView,
        unit: &Unit<'_>,
        spec: Expand,
        walks: &mut Walks,
    ) -> Result<Narrowing<'v>, LookupError> {
        let surname_side = cached_expansions(surnames, position, view, unit, spec, walks)?.clone();
        let mut built = Narrowing::build(view, unit, spec, surname_side, walks)?;
        if let Narrowing::Lists { bits, kept, .. } = &mut built {
            *kept = Some((segment, position, spec));
            *bits = walks.take_bits((segment, position, spec));
        }
        Ok(built)
    }

    /// What word `position` (`unit`), not a particle, requires at `reach`.
    fn of_word(
        surnames: &mut [Vec<(Expand, Expansions<'v>)>],
        (segment, position): (usize, usize),
        view: &'v SegmentView,
        unit: &Unit<'_>,
        parsed: &ParsedQuery,
        reach: Reach,
        walks: &mut Walks,
    ) -> Result<Narrowing<'v>, LookupError> {
        let spec = reach.narrowing_expansion(&unit.word());
        let built = Narrowing::of_token(surnames, (segment, position), view, unit, spec, walks)?;
        // At the wide step, a short word that fits no name at all (`DZ`
        // typed for the particle `DE`), or that is a particle mistyped
        // beside another (`DE KA VILLE`, `VAB DEN POL`), is a slip, not a
        // requirement: ranking leaves it unmatched.
        let beside_particle = [position.wrapping_sub(1), position + 1]
            .iter()
            .any(|&near| parsed.tokens.get(near).is_some_and(|t| t.particle));
        let slip =
            (spec.typos == 0 && built.is_empty()) || (beside_particle && near_particle(unit.text));
        Ok(
            if reach.step().narrowing == Narrows::RequiredButSlips && slip {
                Narrowing::Anyone
            } else {
                built
            },
        )
    }

    /// Hands the bitset this narrowing built to `walks`, for the same
    /// narrowing in a later step.
    fn keep_bits(self, walks: &mut Walks) {
        if let Narrowing::Lists {
            bits: Some(bits),
            kept: Some(key),
            ..
        } = self
        {
            walks.narrowed.push((key, bits));
        }
    }

    fn build(
        view: &'v SegmentView,
        unit: &Unit<'_>,
        spec: Expand,
        surname_side: Expansions<'v>,
        walks: &mut Walks,
    ) -> Result<Narrowing<'v>, LookupError> {
        if !surname_side.complete {
            return Ok(Narrowing::Anyone);
        }
        let mut lists = surname_side.terms;
        let given = &*view.given_terms;
        push_term(given, unit.text, &mut lists)?;
        if spec.phonetic && unit.text.len() >= MIN_PHONETIC_LEN {
            push_term(&view.given_phonetic, unit.phonetic, &mut lists)?;
        }
        if spec.prefix_from != usize::MAX {
            // One letter begins a fifth of all given names: no narrowing.
            if unit.text.len() < 2 {
                return Ok(Narrowing::Anyone);
            }
            if !push_beginnings(
                given,
                &view.given_prefix,
                unit.text,
                spec.prefix_limit,
                Particles::Keep,
                &mut lists,
            )? {
                return Ok(Narrowing::Anyone);
            }
        }
        walks.push_fuzzy(
            view,
            Dictionary::GivenNames,
            unit.text,
            (spec.typos, spec.place),
            Particles::Keep,
            &mut lists,
        )?;
        let postings: usize = lists.iter().map(|(_, info)| info.doc_freq as usize).sum();
        if postings as f64 > MAX_NARROWING_SHARE * f64::from(view.max_doc) {
            return Ok(Narrowing::Anyone);
        }
        Ok(Narrowing::Lists {
            lists,
            postings,
            bits: None,
            max_doc: view.max_doc,
            kept: None,
        })
    }

    /// True when the token fits no voter at all.
    fn is_empty(&self) -> bool {
        matches!(self, Narrowing::Lists { postings: 0, .. })
    }

    /// Keeps the documents (sorted) that this token may fit, the cheapest
    /// way for their number: merged with the postings when those are far
    /// fewer, probed in the lists when the documents are few or the lists
    /// are, else through a bitset of every posting (built once, kept for
    /// the next reading).
    fn retain(&mut self, docs: &mut Vec<DocId>) -> Result<(), LookupError> {
        let Narrowing::Lists {
            lists,
            postings,
            bits,
            max_doc,
            ..
        } = self
        else {
            return Ok(());
        };
        if bits.is_none() && postings.saturating_mul(MERGE_FACTOR) < docs.len() {
            // Far fewer voters fit this token than were found (the
            // thousands who carry `LE`): reading its few postings and
            // merging costs less than probing every found voter.
            let mut fitting = Vec::with_capacity(*postings);
            for (reader, info) in lists.iter() {
                extend_with_postings(reader, info, &mut fitting)?;
            }
            normalise(&mut fitting);
            retain_by_membership(docs, &fitting, true);
            return Ok(());
        }
        let probes = docs.len().saturating_mul(lists.len());
        if bits.is_none()
            && (lists.len() <= MAX_PROBE_LISTS || probes.saturating_mul(PROBE_COST) < *postings)
        {
            // A probe only moves forward, so each sorted set gets its own.
            let mut probe =
                PostingsProbe::new(lists.iter().map(|(reader, info)| (*reader, info.clone())))?;
            docs.retain(|&doc| probe.contains(doc));
            return Ok(());
        }
        let bits = match bits {
            Some(bits) => bits,
            None => {
                let mut built = DocBits::new(*max_doc);
                for (reader, info) in lists.iter() {
                    built.insert_postings(reader, info)?;
                }
                bits.insert(built)
            }
        };
        docs.retain(|&doc| bits.contains(doc));
        Ok(())
    }
}

/// Adds `text`'s term when the dictionary has it; returns whether it did.
fn push_term<'v>(
    reader: &'v InvertedIndexReader,
    text: &str,
    out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
) -> Result<bool, LookupError> {
    if text.is_empty() {
        return Ok(false);
    }
    match reader.terms().get(text)? {
        Some(info) => {
            out.push((reader, info));
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Whether a walk of a dictionary keeps the terms that are particles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Particles {
    /// Keep them (given names have no particles: `LA` may begin Laurent).
    Keep,
    /// Leave them out (surnames: ranking matches a voter's particle only
    /// when it is typed as it is).
    Skip,
}

impl Particles {
    fn admits(self, term: &[u8]) -> bool {
        self == Particles::Keep
            || term.len() > MAX_PARTICLE_LEN
            || !std::str::from_utf8(term).is_ok_and(is_particle)
    }
}

/// Longest particle, in bytes: longer terms need no check.
const MAX_PARTICLE_LEN: usize = 5;

/// Adds what `prefix` begins in a dictionary: the posting list of the
/// voters whose terms begin so, when the index holds beginnings of its
/// length ([`PREFIX_LENS`]; particles are not among them), else the terms
/// themselves ([`push_prefix`]). Returns false when there were more than
/// `limit` terms and the rest were left out.
fn push_beginnings<'v>(
    terms: &'v InvertedIndexReader,
    beginnings: &'v InvertedIndexReader,
    prefix: &str,
    limit: usize,
    particles: Particles,
    out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
) -> Result<bool, LookupError> {
    if PREFIX_LENS.contains(&prefix.len()) {
        push_term(beginnings, prefix, out)?;
        return Ok(true);
    }
    push_prefix(terms, prefix, limit, particles, out)
}

/// Adds the terms that `prefix` begins (not the prefix itself), but for
/// particles when told to skip them; returns false when there were more
/// than `limit` and the rest were left out.
fn push_prefix<'v>(
    reader: &'v InvertedIndexReader,
    prefix: &str,
    limit: usize,
    particles: Particles,
    out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
) -> Result<bool, LookupError> {
    let mut stream = reader
        .terms()
        .range()
        .gt(prefix.as_bytes())
        .lt(prefix_upper_bound(prefix.as_bytes()))
        .into_stream()?;
    let mut expanded = 0;
    while stream.advance() {
        if !particles.admits(stream.key()) {
            continue;
        }
        expanded += 1;
        if expanded > limit {
            return Ok(false);
        }
        out.push((reader, stream.value().clone()));
    }
    Ok(true)
}

/// The smallest byte string greater than every string starting with
/// `prefix` (folded terms are upper-case ASCII, so the last byte never
/// overflows).
fn prefix_upper_bound(prefix: &[u8]) -> Vec<u8> {
    let mut bound = prefix.to_vec();
    if let Some(last) = bound.last_mut() {
        *last = last.saturating_add(1);
    }
    bound
}

/// The typo expansions of the dictionaries one lookup has made, kept for
/// its later steps: a wider step asks again for most of the expansions the
/// narrower one made (the same token at the same distance), and the bitsets
/// of its narrowings.
#[derive(Default)]
pub struct Walks {
    done: Vec<Walk>,
    /// Bitsets of the narrowings earlier steps built: a later step narrows
    /// by most tokens exactly as the one before.
    narrowed: Vec<(NarrowingKey, DocBits)>,
    /// Term numbers, reused from one expansion to the next.
    scratch: Vec<u32>,
}

/// Names one narrowing of one lookup: segment, token position and spec.
type NarrowingKey = (usize, usize, Expand);

/// One walk of a dictionary's deletion neighbourhoods and the terms it
/// found, sorted by where their typos fall: a walk reads the same
/// candidates whatever the place asked, so one walk answers the near step,
/// the first-letter step and the walk anywhere alike.
struct Walk {
    /// The dictionary read, by address: a lookup holds one snapshot of
    /// the index, so the address names the dictionary for its duration.
    dictionary: usize,
    text: String,
    distance: u8,
    particles: Particles,
    /// Terms whose first letter is the one typed ([`Place::AfterFirstLetter`]).
    kept: Vec<TermInfo>,
    /// Terms within the edits with a typo on the first letter
    /// ([`Place::OnFirstLetter`]).
    changed: Vec<TermInfo>,
}

impl Walk {
    /// The terms found in `place`.
    fn found(&self, place: Place) -> impl Iterator<Item = &TermInfo> {
        let (kept, changed): (&[TermInfo], &[TermInfo]) = match place {
            Place::AfterFirstLetter => (&self.kept, &[]),
            Place::OnFirstLetter => (&[], &self.changed),
            Place::Anywhere => (&self.kept, &self.changed),
        };
        kept.iter().chain(changed)
    }
}

impl Walks {
    /// The bitset an earlier step built for narrowing `key`, taken out.
    fn take_bits(&mut self, key: NarrowingKey) -> Option<DocBits> {
        let at = self.narrowed.iter().position(|(kept, _)| *kept == key)?;
        Some(self.narrowed.swap_remove(at).1)
    }

    /// Adds the terms of `dictionary` within `distance` edits of `text`
    /// where `place` allows (none when `distance` is 0), but for particles
    /// when told to skip them. The deletion neighbourhoods offer the
    /// candidates, the distance keeps the right ones, and the segment's
    /// dictionary gives their postings. The walk is made the first time the
    /// lookup asks, for every place at once: the later steps ask again for
    /// the same word with its typos elsewhere.
    fn push_fuzzy<'v>(
        &mut self,
        view: &'v SegmentView,
        dictionary: Dictionary,
        text: &str,
        (distance, place): (u8, Place),
        particles: Particles,
        out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
    ) -> Result<(), LookupError> {
        // Anywhere is the widest place: its typos stand for every place's.
        let Some(anywhere) = Typos::new(text.as_bytes(), distance, Place::Anywhere) else {
            return Ok(());
        };
        let reader: &'v InvertedIndexReader = match dictionary {
            Dictionary::Surnames => &view.surname_terms,
            Dictionary::GivenNames => &view.given_terms,
        };
        let address = std::ptr::from_ref(reader) as usize;
        let known = self.done.iter().position(|walk| {
            walk.dictionary == address
                && walk.distance == distance
                && walk.particles == particles
                && walk.text == text
        });
        let at = match known {
            Some(at) => at,
            None => {
                let walk = walk(
                    view,
                    dictionary,
                    reader,
                    anywhere,
                    particles,
                    &mut self.scratch,
                )?;
                self.done.push(Walk {
                    dictionary: address,
                    text: text.to_owned(),
                    distance,
                    particles,
                    kept: walk.0,
                    changed: walk.1,
                });
                self.done.len() - 1
            }
        };
        out.extend(
            self.done[at]
                .found(place)
                .map(|info| (reader, info.clone())),
        );
        Ok(())
    }
}

/// The terms of `reader` within the edits of `anywhere`, but for particles
/// when told to skip them: those with the first letter typed, and those
/// with a typo on it.
fn walk(
    view: &SegmentView,
    dictionary: Dictionary,
    reader: &InvertedIndexReader,
    anywhere: Typos<'_>,
    particles: Particles,
    scratch: &mut Vec<u32>,
) -> Result<(Vec<TermInfo>, Vec<TermInfo>), LookupError> {
    let kept_place = Typos::new(anywhere.query(), anywhere.max(), Place::AfterFirstLetter)
        .expect("the same word and edits as the walk anywhere");
    let (mut kept, mut changed) = (Vec::new(), Vec::new());
    let mut failed = None;
    let terms = reader.terms();
    view.deletions.candidates(
        dictionary,
        anywhere.query(),
        anywhere.max(),
        scratch,
        |term| {
            if failed.is_some() || !particles.admits(term) || !anywhere.accepts(term) {
                return;
            }
            let into = if kept_place.accepts(term) {
                &mut kept
            } else {
                &mut changed
            };
            match terms.get(term) {
                Ok(Some(info)) => into.push(info),
                Ok(None) => {}
                Err(error) => failed = Some(error),
            }
        },
    );
    match failed {
        Some(error) => Err(error.into()),
        None => Ok((kept, changed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_bounds_cover_exactly_the_prefix() {
        assert_eq!(prefix_upper_bound(b"MART"), b"MARU");
        assert!(b"MARTIN".as_slice() < prefix_upper_bound(b"MART").as_slice());
        assert!(b"MARU".as_slice() >= prefix_upper_bound(b"MART").as_slice());
    }

    #[test]
    fn a_date_stands_for_itself_and_its_usual_slips() {
        let asked = QueryDate::Full {
            year: 1962,
            month: 3,
            day: 12,
        };
        let slips = date_slips(asked);
        for date in [19620312, 19621203, 19630312, 19620313, 19620812, 18620312] {
            assert!(slips.contains(&date), "{date}");
        }
        // Not a calendar day, or two digits away.
        for date in [19621312, 19620332, 19620300, 19730312, 29620312] {
            assert!(!slips.contains(&date), "{date}");
        }
        assert!(slips.windows(2).all(|pair| pair[0] < pair[1]));
        for &date in &slips {
            let (year, month, day) = (date / 10_000, date / 100 % 100, date % 100);
            let born = BirthDate::Full {
                year: year as u16,
                month: month as u8,
                day: day as u8,
            };
            assert_ne!(
                fit_date(asked, born),
                crate::search::rank::DateFit::Mismatch
            );
        }
        assert!(date_slips(QueryDate::Year(1962)).is_empty());
    }
}
