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
use super::query::{ParsedQuery, QueryDate};
use super::rank::{MIN_PHONETIC_LEN, PreparedQuery, fit_date};
use super::walk::Typos;
use crate::error::LookupError;
use crate::index::{LoadedIndex, SegmentView};
use voter_core::model::BirthDate;
use voter_core::normalise::{is_particle, near_particle};
use voter_core::schema::PREFIX_LENS;

/// How far a step reaches from what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Terms spelled exactly as typed.
    Exact,
    /// Also the same sound, beginnings of three letters or more, and the
    /// usual number of typos.
    Near,
    /// Also two-letter beginnings and particles that may begin a name
    /// (`del` of `DELAROSA`): every beginning a kiosk user may type.
    Beginnings,
    /// Also the extended number of typos, and typos in joined forms.
    Wide,
    /// Surnames spelled or sounding as typed, without requiring the other
    /// tokens to fit.
    Loose,
    /// After an exact answer: surnames one typo or one sound away, with
    /// every other token spelled exactly, as alternatives to show below it.
    Alternatives,
}

impl Reach {
    /// The steps a lookup takes, in order, until one answers.
    pub const STEPS: [Reach; 5] = [
        Reach::Exact,
        Reach::Near,
        Reach::Beginnings,
        Reach::Wide,
        Reach::Loose,
    ];

    /// True when this step has read each of `parsed`'s words as the
    /// beginning of a name wherever a later step would: the near step
    /// leaves out two-letter words and particles of three letters or more.
    pub fn reads_every_beginning(self, parsed: &ParsedQuery) -> bool {
        match self {
            Reach::Exact | Reach::Alternatives => false,
            Reach::Near => parsed.tokens.iter().all(|token| {
                if token.particle {
                    token.text.len() < 3
                } else {
                    token.text.len() != 2
                }
            }),
            Reach::Beginnings | Reach::Wide | Reach::Loose => true,
        }
    }

    fn at_least(self, other: Reach) -> bool {
        self.rank() >= other.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Reach::Exact | Reach::Alternatives => 0,
            Reach::Near => 1,
            Reach::Beginnings => 2,
            Reach::Wide => 3,
            Reach::Loose => 4,
        }
    }
}

/// Terms a prefix may expand to when it narrows; beyond it the prefix is
/// too short to help (a narrowing then requires nothing of that token).
const MAX_PREFIX_TERMS: usize = 5_000;
/// Terms a prefix read as the surname may expand to: every one, in
/// practice (a surname dictionary of a million voters has fewer than
/// 10,000 terms under any three letters), so that no voter is silently left
/// out; the bound only keeps a pathological dictionary finite.
const MAX_READING_PREFIX_TERMS: usize = 200_000;
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
        if reach == Reach::Loose && only_particles {
            continue;
        }
        // A word that fits no voter at all leaves nobody for this
        // reading: it need not walk the dictionaries (the given name of
        // someone not on the roll, read as the surname).
        if reach != Reach::Loose {
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
        let spec = Expand::candidates(reach, unit);
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
        if reach == Reach::Loose {
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
                            let spec = Expand::narrowing(Reach::Wide, &tokens[position]);
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
                if !reach.at_least(Reach::Near)
                    || !other.particle
                    || (unit.first..=unit.last).contains(&position)
                    || found.is_empty()
                {
                    continue;
                }
                if narrowing[position].is_none() {
                    let spec = Expand::narrowing(reach, other);
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

/// What to expand a text into, in a dictionary: the phonetic key, the terms
/// it begins (from how many letters), and terms within how many typos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expand {
    phonetic: bool,
    /// Shortest text expanded as a prefix; `usize::MAX` for none.
    prefix_from: usize,
    /// Most terms a prefix expands to before it gives up.
    prefix_limit: usize,
    typos: u8,
    /// The text itself may be looked up (not for alternatives, which
    /// were already found as typed).
    itself: bool,
}

impl Expand {
    const EXACT: Expand = Expand {
        phonetic: false,
        prefix_from: usize::MAX,
        prefix_limit: MAX_READING_PREFIX_TERMS,
        typos: 0,
        itself: true,
    };

    /// For reading `unit` as the surname at `reach`.
    fn candidates(reach: Reach, unit: &Unit<'_>) -> Expand {
        if unit.particle {
            // A particle may be a whole surname (`LE`) or where one begins
            // (`VAN` of `VAN DER POEL`, `del` of `DELAROSA`); the other
            // tokens narrow its many voters down.
            let prefix_from = if reach.at_least(Reach::Beginnings) {
                3
            } else {
                usize::MAX
            };
            return Expand {
                prefix_from,
                ..Expand::EXACT
            };
        }
        let joined_prefix = if unit.joined { usize::MAX } else { 0 };
        match reach {
            Reach::Exact => Expand::EXACT,
            // One typo: the usual slip that happens to spell another name.
            Reach::Alternatives => Expand {
                phonetic: true,
                prefix_from: usize::MAX,
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: if unit.joined {
                    0
                } else {
                    unit.base_distance.min(1)
                },
                itself: false,
            },
            Reach::Near => Expand {
                phonetic: true,
                prefix_from: 3.max(joined_prefix),
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: if unit.joined { 0 } else { unit.base_distance },
                itself: true,
            },
            Reach::Beginnings | Reach::Wide => Expand {
                phonetic: true,
                prefix_from: 2.max(joined_prefix),
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: match reach {
                    Reach::Wide => unit.reach_distance,
                    _ if unit.joined => 0,
                    _ => unit.base_distance,
                },
                itself: true,
            },
            // Without narrowing, only what is spelled or sounds the same: a
            // surname typed right beside a given name that fits nobody.
            Reach::Loose => Expand {
                phonetic: true,
                ..Expand::EXACT
            },
        }
    }

    /// For requiring `unit` of voters found through another token: as
    /// typed for alternatives, and never further than the usual typos.
    fn narrowing(reach: Reach, unit: &Unit<'_>) -> Expand {
        match reach {
            Reach::Exact | Reach::Alternatives | Reach::Loose => Expand::EXACT,
            Reach::Near | Reach::Beginnings | Reach::Wide => Expand {
                phonetic: true,
                // The same spec at each step for a word of three letters or
                // more, whose narrowing is then the same: a later step
                // reuses what an earlier one built.
                prefix_from: if reach == Reach::Near && unit.text.len() < 3 {
                    3
                } else {
                    2
                },
                prefix_limit: MAX_PREFIX_TERMS,
                typos: unit.base_distance,
                itself: true,
            },
        }
    }
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
        terms,
        unit.text,
        spec.typos,
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
        let spec = Expand::narrowing(reach, unit);
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
        Ok(if reach == Reach::Wide && slip {
            Narrowing::Anyone
        } else {
            built
        })
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
        walks.push_fuzzy(given, unit.text, spec.typos, Particles::Keep, &mut lists)?;
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

/// The typo walks of the dictionaries one lookup has made, kept for its
/// later steps: a wider step asks again for most of the walks the narrower
/// one made (the same token at the same distance), and a walk of a large
/// dictionary is the dearest part of finding candidates.
#[derive(Default)]
pub struct Walks {
    done: Vec<Walk>,
    /// Bitsets of the narrowings earlier steps built: a later step narrows
    /// by most tokens exactly as the one before.
    narrowed: Vec<(NarrowingKey, DocBits)>,
}

/// Names one narrowing of one lookup: segment, token position and spec.
type NarrowingKey = (usize, usize, Expand);

/// One walk and the terms it found.
struct Walk {
    /// The dictionary walked, by address: a lookup holds one snapshot of
    /// the index, so the address names the dictionary for its duration.
    dictionary: usize,
    text: String,
    distance: u8,
    particles: Particles,
    found: Vec<TermInfo>,
}

impl Walks {
    /// The bitset an earlier step built for narrowing `key`, taken out.
    fn take_bits(&mut self, key: NarrowingKey) -> Option<DocBits> {
        let at = self.narrowed.iter().position(|(kept, _)| *kept == key)?;
        Some(self.narrowed.swap_remove(at).1)
    }

    /// Adds the terms of `reader` that begin with `text`'s first letter and
    /// are within `distance` edits of it (none when `distance` is 0), but
    /// for particles when told to skip them; walks the dictionary only the
    /// first time the lookup asks.
    fn push_fuzzy<'v>(
        &mut self,
        reader: &'v InvertedIndexReader,
        text: &str,
        distance: u8,
        particles: Particles,
        out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
    ) -> Result<(), LookupError> {
        let Some(typos) = Typos::new(text.as_bytes(), distance) else {
            return Ok(());
        };
        let dictionary = std::ptr::from_ref(reader) as usize;
        let known = self.done.iter().find(|walk| {
            walk.dictionary == dictionary
                && walk.distance == distance
                && walk.particles == particles
                && walk.text == text
        });
        if let Some(walk) = known {
            out.extend(walk.found.iter().map(|info| (reader, info.clone())));
            return Ok(());
        }
        let mut found = Vec::new();
        let mut stream = reader.terms().search(typos).into_stream()?;
        while stream.advance() {
            if particles.admits(stream.key()) {
                found.push(stream.value().clone());
            }
        }
        out.extend(found.iter().map(|info| (reader, info.clone())));
        self.done.push(Walk {
            dictionary,
            text: text.to_owned(),
            distance,
            particles,
            found,
        });
        Ok(())
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
    fn two_letter_words_and_long_particles_wait_for_the_beginnings_step() {
        let read_at_near = |text: &str| {
            let parsed = ParsedQuery::parse(text, None).expect("a valid query");
            Reach::Near.reads_every_beginning(&parsed)
        };
        assert!(read_at_near("gauth ber"));
        assert!(read_at_near("de la fon mar"));
        assert!(!read_at_near("robe st"));
        assert!(!read_at_near("van tho"));
        let parsed = ParsedQuery::parse("robe st", None).expect("a valid query");
        assert!(Reach::Beginnings.reads_every_beginning(&parsed));
        assert!(!Reach::Exact.reads_every_beginning(&parsed));
    }

    #[test]
    fn steps_widen_in_order() {
        assert!(Reach::Loose.at_least(Reach::Wide));
        assert!(Reach::Wide.at_least(Reach::Beginnings));
        assert!(!Reach::Near.at_least(Reach::Beginnings));
        assert!(Reach::Near.at_least(Reach::Exact));
        assert!(!Reach::Exact.at_least(Reach::Near));
    }
}
