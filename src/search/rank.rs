//! Scores one candidate voter against a query, and says how it matched.
//!
//! Each query token takes its best match among the voter's name terms
//! (birth name, usage name, given names): exact, phonetic (same French
//! phonetic key), prefix (the token begins the term, as kiosk users type),
//! or fuzzy (within an edit distance that grows with the token's length,
//! transpositions counting as one edit). Joined forms cover several tokens
//! at once (`SAINT AMOUR` typed for `SAINTAMOUR`). The birth date, when
//! given, weighs more than any one name.
//!
//! Qualities are tiered so that exact beats phonetic and prefix, which beat
//! fuzzy; the score is their weighted sum. tantivy's fuzzy queries cannot do
//! this (they score every fuzzy hit the same, tantivy issue #563), which is
//! why ranking lives here and tantivy only finds candidates.

use voter_core::model::BirthDate;
use voter_core::name_records::{NameRecord, RecordTerm};
use voter_core::schema::NameField;

use super::SearchMode;
use super::distance;
use super::query::{ParsedQuery, QueryDate};
use super::typos::finger_slip;

/// How a query token met a voter's term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// Within a few edits.
    Fuzzy,
    /// The token begins the term.
    Prefix,
    /// Same French phonetic key.
    Phonetic,
    /// Identical after folding.
    Exact,
}

impl MatchKind {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Fuzzy => "fuzzy",
            MatchKind::Prefix => "prefix",
            MatchKind::Phonetic => "phonetic",
            MatchKind::Exact => "exact",
        }
    }
}

/// How sure the service is that a result is the person asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    /// Nobody matched.
    None,
    /// Something fits, but not enough to vouch for it: check with the person.
    Weak,
    /// Every part of the query fits, the surname exactly or confirmed by the
    /// birth date.
    Strong,
    /// Surname, usual given name (and date, when given) fit exactly.
    Exact,
}

impl Confidence {
    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::None => "none",
            Confidence::Weak => "weak",
            Confidence::Strong => "strong",
            Confidence::Exact => "exact",
        }
    }
}

/// How the query's birth date met the voter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFit {
    /// The query has no date.
    Absent,
    /// The roll has no date for this voter.
    UnknownOnRoll,
    /// Same date.
    Exact,
    /// Full dates one digit apart, or with day and month swapped.
    Approximate,
    /// Same year, where only the year is known on one side.
    SameYear,
    /// Years one digit apart, where only the year is known on one side.
    NearYear,
    /// A different date.
    Mismatch,
}

impl DateFit {
    /// What the date adds to the score: a matching date outweighs any one
    /// name, a contradicting one sinks the candidate.
    pub fn score(self) -> f32 {
        match self {
            DateFit::Exact => 2.0,
            DateFit::Approximate => 1.2,
            DateFit::SameYear => 1.0,
            DateFit::NearYear => 0.3,
            DateFit::Mismatch => -1.5,
            DateFit::Absent | DateFit::UnknownOnRoll => 0.0,
        }
    }

    /// True when the date says this is someone else.
    pub fn contradicts(self) -> bool {
        matches!(self, DateFit::Mismatch | DateFit::NearYear)
    }

    /// True when the date backs up an approximate name.
    fn confirms(self) -> bool {
        matches!(
            self,
            DateFit::Exact | DateFit::Approximate | DateFit::SameYear
        )
    }
}

/// Quality of each kind of match; the score adds them up, weighted. A
/// phonetic match and a one-edit typo are equally plausible readings of
/// what was typed; a term that is both is likelier than either. A word
/// that begins a longer name is as plausible as either, no more: `SERRI`
/// may be the beginning of SERRIN or SERRY heard; among equals, the name
/// the word spells out more of comes first (the coverage tie-break), so a
/// kiosk user's beginning still finds its name when nothing else fits.
/// Measured (search-eval 200k, two seed pairs, and the development set):
/// level with sound and one typo, desk surname typos gain 1.0–1.1 points
/// at rank 1 and sound-alikes 0.4–0.6, kiosk beginnings lose nothing at
/// rank 1.
const EXACT: f32 = 1.0;
const PREFIX: f32 = 0.8;
const PHONETIC: f32 = 0.8;
const FUZZY_ONE: f32 = 0.8;
const FUZZY_TWO: f32 = 0.55;
// The tiers' order is part of the contract of ranking: exact above prefix,
// sound and one typo (level), above two typos, above the extended reach.
const _: () = assert!(EXACT > PREFIX && PREFIX == PHONETIC && PHONETIC == FUZZY_ONE);
const _: () = assert!(FUZZY_ONE > FUZZY_TWO && FUZZY_TWO > FUZZY_EXTENDED);
const _: () = assert!(PHONETIC + AGREEMENT < EXACT);

/// Added when two readings of a term agree: it sounds like the name and is
/// within the edit distance of it, or it begins the name one letter short
/// (a silent final letter left off: `LAUREN` for LAURENT).
const AGREEMENT: f32 = 0.1;
/// Taken from a match on a later given name: staff type the usual (first)
/// given name, so a voter whose usual name it is comes first.
const LATER_GIVEN_NAME: f32 = 0.05;
/// Taken from a match on one part of a compound surname (`MARREMON` of
/// MARREMON-FAUCHERIF): a voter whose whole surname was typed comes first.
/// Less than [`LATER_GIVEN_NAME`]: a compound surname with the usual given
/// name still comes before a whole one with a later given name.
const PART_OF_SURNAME: f32 = 0.03;
// Neither moves a match out of its tier.
const _: () = assert!(EXACT - LATER_GIVEN_NAME > PHONETIC + AGREEMENT);
const _: () = assert!(PART_OF_SURNAME < LATER_GIVEN_NAME);
const _: () = assert!(FUZZY_TWO - LATER_GIVEN_NAME - PART_OF_SURNAME > FUZZY_EXTENDED);
/// A fuzzy match beyond the usual distance, credited only when another part
/// of the query confirms it.
const FUZZY_EXTENDED: f32 = 0.45;
/// Weight of a particle token (`DE`, `LA`…) against a name token's 1: it
/// may be left out or added at little cost.
const PARTICLE_WEIGHT: f32 = 0.25;
/// Shortest token compared by phonetic key: shorter keys meet too often.
pub(super) const MIN_PHONETIC_LEN: usize = 4;
/// Largest difference in length between a token and a term with the same
/// phonetic key: `PERREAUE` and `DER` share one, but nobody hears one for
/// the other.
const MAX_PHONETIC_LEN_GAP: usize = 3;

/// Where a token's best match was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMatch {
    /// Kind of match.
    pub kind: MatchKind,
    /// Field of the voter's term.
    pub field: NameField,
    /// Position of the term in that field of the record.
    pub term_index: u8,
    /// Quality of the match.
    pub quality: f32,
    /// Weight of the token in the score.
    pub weight: f32,
    /// A fuzzy match beyond the token's usual distance.
    pub extended: bool,
    /// Edits between the token and the term (0 unless fuzzy).
    pub edits: u8,
    /// One edit of the kind fingers make ([`finger_slip`]).
    pub slip: bool,
    /// The term stands where staff look first: a whole surname, the usual
    /// given name ([`standing_cost`] takes nothing from it).
    pub plain: bool,
    /// Found through a joined form covering this token and its neighbours.
    pub joined: bool,
    /// The match may satisfy the rule that a surname must match (a
    /// particle matched as a particle may not).
    pub names_surname: bool,
    /// Share of the matched term that the token spells out (1 for exact).
    pub coverage: f32,
    /// Matched on the usual given name ([`TermAt::usual_given`]).
    pub usual_given: bool,
    /// The token begins the term, whatever else it is (a sound-alike or a
    /// letter short of it): read as typed beginnings, it fits as a whole.
    pub begins: bool,
    /// The quality when the query is read as typed beginnings: that of an
    /// exact match for a beginning, less the same cost for where the term
    /// stands in the name.
    begun: f32,
}

impl TokenMatch {
    fn value(&self) -> f32 {
        self.quality * self.weight
    }

    /// The quality when a beginning fits as well as the whole word.
    fn begun_quality(&self) -> f32 {
        self.begun.max(self.quality)
    }

    /// Read as a whole word only (exact, by sound or within the usual
    /// typos), not as the beginning of a longer one.
    fn whole_word(&self) -> bool {
        self.close() && !self.begins
    }

    /// Read whole, spelled, heard or with one typo at most: no walk with
    /// typos anywhere could find a closer reading of the token.
    fn close(&self) -> bool {
        self.kind != MatchKind::Prefix && !self.extended && self.edits <= 1
    }

    /// Close, and on a term where staff look first: a reading no walk
    /// anywhere could outrank.
    fn close_and_plain(&self) -> bool {
        self.close() && self.plain
    }

    fn begun_value(&self) -> f32 {
        self.begun_quality() * self.weight
    }

    fn term(&self) -> (NameField, u8) {
        (self.field, self.term_index)
    }
}

/// Edits a token of `len` letters may carry: none up to 3 letters, one up to
/// 7, two beyond; and, when confirmed (another exact token, or a birth
/// date), one more, up to two.
pub fn allowed_distance(len: usize) -> (u8, u8) {
    match len {
        0..=3 => (0, 1),
        4..=7 => (1, 2),
        _ => (2, 2),
    }
}

/// One query text (token or joined form) ready for matching.
struct PreparedTerm<'q> {
    text: &'q str,
    /// Letters the text uses ([`letter_set`]).
    letters: u32,
    phonetic: &'q str,

    particle: bool,
    /// May match as the beginning of a term: every token, but of joined
    /// forms only those that start with a particle (`de la fon` for
    /// `DE LA FONTAINE`); two typed beginnings joined (`kacz ma`) are not
    /// the beginning of one name.
    prefixable: bool,
    base_distance: u8,
    reach_distance: u8,
}

/// A query made ready for scoring many candidates.
pub struct PreparedQuery<'q> {
    /// The parsed query.
    pub parsed: &'q ParsedQuery,
    tokens: Vec<PreparedTerm<'q>>,
    joined: Vec<PreparedTerm<'q>>,
    /// [`ParsedQuery::capitals_mark_surnames`], read once per query rather
    /// than once per candidate.
    capitals_mark_surnames: bool,
}

impl<'q> PreparedQuery<'q> {
    /// Prepares `parsed` for scoring under `mode`.
    pub fn new(parsed: &'q ParsedQuery, mode: SearchMode) -> PreparedQuery<'q> {
        // Reaching further needs something else that may confirm the match:
        // the date, or a significant token the text does not cover (a
        // joined form of every word has nothing left to confirm it).
        let confirmable =
            |first: usize, last: usize| {
                parsed.birth_date.is_some()
                    || parsed.tokens.iter().enumerate().any(|(position, token)| {
                        !token.particle && !(first..=last).contains(&position)
                    })
            };
        let prepare = |text: &'q str,
                       phonetic: &'q str,
                       particle: bool,
                       prefixable: bool,
                       confirmable: bool| {
            let (base, reach) = allowed_distance(text.len());
            let (base, reach) = match mode {
                _ if particle => (0, 0),
                SearchMode::Full if confirmable => (base, reach),
                SearchMode::Full => (base, base),
                // Degraded: one edit at most, never the extended reach.
                SearchMode::Degraded => (base.min(1), base.min(1)),
            };
            PreparedTerm {
                text,
                letters: letter_set(text.as_bytes()),
                phonetic,

                particle,
                prefixable,
                base_distance: base,
                reach_distance: reach,
            }
        };
        PreparedQuery {
            parsed,
            capitals_mark_surnames: parsed.capitals_mark_surnames(),
            tokens: parsed
                .tokens
                .iter()
                .enumerate()
                .map(|(position, token)| {
                    prepare(
                        &token.text,
                        &token.phonetic,
                        token.particle,
                        true,
                        confirmable(position, position),
                    )
                })
                .collect(),
            joined: parsed
                .joined
                .iter()
                .map(|unit| {
                    prepare(
                        &unit.text,
                        &unit.phonetic,
                        false,
                        parsed.tokens[unit.first].particle,
                        confirmable(unit.first, unit.last),
                    )
                })
                .collect(),
        }
    }

    /// Edits a dictionary walk allows token `index`: its usual distance,
    /// or its extended reach when `wide`.
    pub fn token_walk_distance(&self, index: usize, wide: bool) -> u8 {
        let term = &self.tokens[index];
        if wide {
            term.reach_distance
        } else {
            term.base_distance
        }
    }

    /// True when token `index` may reach further than its usual distance.
    pub fn token_reach_extends(&self, index: usize) -> bool {
        let term = &self.tokens[index];
        term.reach_distance > term.base_distance
    }

    /// The same for joined unit `index`.
    pub fn joined_walk_distance(&self, index: usize, wide: bool) -> u8 {
        let term = &self.joined[index];
        if wide {
            term.reach_distance
        } else {
            term.base_distance
        }
    }
}

/// The verdict on one candidate.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Ranking score.
    pub score: f32,
    /// Best match of each query token, `None` when it matched nothing.
    pub tokens: Vec<Option<TokenMatch>>,
    /// How the birth date fit.
    pub date: DateFit,
    /// How sure the match is.
    pub confidence: Confidence,
    /// How much of the matched terms the query spells out, to order voters
    /// who tie on score (a longer typed prefix first).
    pub coverage: f32,
    /// Weight of the tokens matched only as prefixes.
    pub prefix_weight: f32,
    /// What reading the query as typed beginnings adds to the score.
    pub begun_gain: f32,
    /// Every significant token matched exactly.
    pub all_exact: bool,
    /// Every significant token matched somehow.
    pub complete: bool,
    /// Tokens read through one slip of the fingers: among voters scored
    /// alike, the typo a slip explains is the likelier.
    pub slips: u8,
    /// Every significant token read whole within one typo (spelled, heard,
    /// or one edit away), none only as a beginning, each on a whole surname
    /// or the usual given name: no slip on a first letter could read the
    /// query better.
    pub close: bool,
    /// Every significant token read as a whole word only (exactly, by
    /// sound or with one typo, none as the beginning of a longer name), the
    /// first of them on a surname, the usual given name exactly: a query
    /// typed in full, not as beginnings (staff type the surname, then the
    /// usual given name).
    pub whole_words: bool,
    /// Which of the voter's surnames the query spells out: among voters
    /// scored alike, the order they are listed in.
    pub surname_typed: SurnameTyped,
    /// Words of the surname read that the query leaves out (DU of DU MOULIN
    /// read from `MOULIN`): among voters scored alike, a name the query
    /// accounts for whole is the likelier, as a name written as typed is.
    pub untyped_surname_words: u8,
    /// The reading puts the surname where the typing says it is: on the
    /// words in capitals when the query mixes them with others (`Thomas
    /// CLEMENT`), else on the first word (staff and kiosk forms take the
    /// surname first). Among voters scored alike, such a reading is the
    /// likelier.
    pub read_as_typed: bool,
}

/// Which of a voter's surnames a query spells out. Voters who fit a query
/// alike are listed in this order; the scores, and so `confidence` and
/// `ambiguous`, do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SurnameTyped {
    /// The usage name, spelled out, beside a given name. The roll carries
    /// a usage name only at the voter's request: the name typed is the one
    /// they asked to be known by. (`FAVET ger` read as FAVET and the
    /// beginning of a birth name GERMINAT names no given name: it is not
    /// the surname and given name staff type.)
    Usage,
    /// The birth name of a voter with no usage name, or a surname read
    /// through a typo, a sound or a beginning, which says less of which
    /// name was meant.
    Other,
    /// The birth name, spelled out, of a voter who goes by a usage name the
    /// query does not name. People give the name they use, so they come
    /// last (the voter card prints the birth name first, so a typo or a
    /// beginning of it does not count).
    ReplacedBirth,
}

impl Evaluation {
    /// The score when the query is read as typed prefixes, where a word
    /// that begins a name fits as well as one that is the whole name.
    pub fn prefix_score(&self) -> f32 {
        self.score + self.begun_gain
    }
}

/// A bound on the names' share of any candidate's score for `parsed`: no
/// token adds more than an exact match at full weight, even read as a
/// beginning.
pub fn best_score(parsed: &ParsedQuery) -> f32 {
    parsed.tokens.len() as f32 * EXACT
}

/// Buffers the scoring of one candidate after another reuses, so that a
/// candidate costs no allocation but its verdict.
#[derive(Default)]
pub struct Scratch<'r> {
    /// The record's terms, decoded once per candidate.
    terms: Vec<TermAt<'r>>,
    /// Matches of one query text.
    matches: Vec<TokenMatch>,
    /// Matches of every token, with the token's position.
    options: Vec<(usize, TokenMatch)>,
    /// Terms already given to a token.
    taken: Vec<(NameField, u8)>,
}

/// One term of a record, where it stands in it.
#[derive(Debug, Clone, Copy)]
struct TermAt<'r> {
    field: NameField,
    /// Position in the field.
    index: u8,
    term: RecordTerm<'r>,
    /// The first joined form of its field: the whole name written together
    /// (`DELAROSA`); later ones drop leading words.
    whole_name_joined: bool,
    /// Letters the term uses ([`letter_set`]).
    letters: u32,
    /// A term of the usual given name: the first given name, or a joined
    /// form that begins with it (`JEANPIERRE` of Jean-Pierre René).
    usual_given: bool,
}

impl<'r> Scratch<'r> {
    /// Decodes `record` into the buffer of terms; returns its shape.
    fn load(&mut self, record: &NameRecord<'r>) -> FieldShapes {
        self.terms.clear();
        let mut names = [0; 3];
        for field in NameField::ALL {
            let mut joined_seen = false;
            let mut first: &[u8] = &[];
            for (index, term) in record.terms(field).enumerate() {
                if !term.joined && !term.particle {
                    names[field.index()] += 1;
                }
                if index == 0 {
                    first = term.term;
                }
                let usual_given = field == NameField::GivenNames
                    && (index == 0 || (term.joined && term.term.starts_with(first)));
                self.terms.push(TermAt {
                    field,
                    index: index.min(u8::MAX as usize) as u8,
                    term,
                    whole_name_joined: term.joined && !joined_seen,
                    letters: letter_set(term.term),
                    usual_given,
                });
                joined_seen |= term.joined;
            }
        }
        FieldShapes { names }
    }
}

/// The set of letters a text uses, one bit per letter (folded text is
/// upper-case ASCII; other bytes may share a bit, which only weakens the
/// bound drawn from it). Every letter of one text missing from the other
/// costs an edit, so differing sets rule a pair out before any table.
fn letter_set(text: &[u8]) -> u32 {
    text.iter().fold(0, |set, &byte| set | 1 << (byte & 31))
}

/// A quick test that some word or joined form of `query` may meet one of
/// `record`'s surnames as `matches_of` would: spelled out, begun, by
/// sound, or within the word's typos (judged first by length and letters,
/// each letter one text has and the other lacks costing an edit, and only
/// then by the distance itself).
/// [`evaluate`] gives `None` for every record this turns down, since a
/// voter must meet a surname: it spares the full reading, given names and
/// all, of voters found by something other than their names (the birth
/// date), and changes nothing else.
pub fn may_meet_a_surname(query: &PreparedQuery<'_>, record: &NameRecord<'_>) -> bool {
    let texts = || query.tokens.iter().chain(&query.joined);
    [NameField::BirthName, NameField::UsageName]
        .into_iter()
        .flat_map(|field| record.terms(field))
        .any(|term| {
            let (name, letters) = (term.term, letter_set(term.term));
            texts().any(|text| {
                let typed = text.text.as_bytes();
                if name == typed {
                    return true;
                }
                // A voter's particles match only when spelled out, and a
                // typed particle only by spelling out or beginning a name.
                if term.particle {
                    return false;
                }
                if typed.len() >= 2 && name.len() > typed.len() && name.starts_with(typed) {
                    return true;
                }
                if text.particle {
                    return false;
                }
                sounds_alike(text, &term)
                    || (may_be_a_typo(text, name, letters)
                        && distance::within(typed, name, text.reach_distance).is_some())
            })
        })
}

/// True when `term` sounds like typed `text`, as ranking counts a
/// sound-alike: a word long enough to carry a sound, the same phonetic
/// key, and lengths not too far apart.
fn sounds_alike(text: &PreparedTerm<'_>, term: &RecordTerm<'_>) -> bool {
    text.text.len() >= MIN_PHONETIC_LEN
        && !text.phonetic.is_empty()
        && term.phonetic == text.phonetic.as_bytes()
        && term.term.len().abs_diff(text.text.len()) <= MAX_PHONETIC_LEN_GAP
}

/// False when `name` (whose [`letter_set`] is `letters`) cannot be within
/// `text`'s typos: its length, or the letters one has and the other lacks
/// (each costs an edit), are further apart than the typos allow. True
/// leaves the distance to be read.
fn may_be_a_typo(text: &PreparedTerm<'_>, name: &[u8], letters: u32) -> bool {
    let reach = u32::from(text.reach_distance);
    reach > 0
        && name.len().abs_diff(text.text.len()) <= reach as usize
        && (text.letters & !letters).count_ones() <= reach
        && (letters & !text.letters).count_ones() <= reach
}

/// Scores `record` against `query`; `None` when no surname-like token
/// matches (so that a given name alone never returns thousands).
pub fn evaluate<'r>(
    query: &PreparedQuery<'_>,
    record: &NameRecord<'r>,
    scratch: &mut Scratch<'r>,
) -> Option<Evaluation> {
    let parsed = query.parsed;
    let shapes = scratch.load(record);
    let mut best = assign(query, &shapes, scratch);

    // A joined form covers its tokens when it fits them better as a whole.
    for (unit, term) in parsed.joined.iter().zip(&query.joined) {
        scratch.matches.clear();
        matches_of(term, &scratch.terms, &shapes, &mut scratch.matches);
        let Some(found) = scratch
            .matches
            .iter()
            .copied()
            .max_by(|a, b| a.value().total_cmp(&b.value()))
        else {
            continue;
        };
        let covered = &mut best[unit.first..=unit.last];
        let weights: f32 = parsed.tokens[unit.first..=unit.last]
            .iter()
            .map(|token| if token.particle { PARTICLE_WEIGHT } else { 1.0 })
            .sum();
        // Beginnings count as whole words here, as they do when the query
        // is read as typed beginnings: `brun he` is BRUNET Hélène, not the
        // sound of BRUNHE.
        let current: f32 = covered.iter().flatten().map(TokenMatch::begun_value).sum();
        if found.begun_quality() * weights > current + f32::EPSILON {
            for (slot, token) in covered
                .iter_mut()
                .zip(&parsed.tokens[unit.first..=unit.last])
            {
                *slot = Some(TokenMatch {
                    joined: true,
                    weight: if token.particle { PARTICLE_WEIGHT } else { 1.0 },
                    names_surname: found.field.is_surname(),
                    ..found
                });
            }
        }
    }

    // A particle counts as a whole name only where it must be the surname:
    // beside a word that meets a surname, `le` of `le guilloux` is the
    // particle of LE GUILLOUX, not the surname of LE [QUILLOU].
    let surname_named = parsed.tokens.iter().zip(&best).any(|(token, m)| {
        !token.particle && m.is_some_and(|m| m.field.is_surname() && m.names_surname)
    });
    if surname_named {
        for (token, m) in parsed.tokens.iter().zip(best.iter_mut()) {
            if let Some(m) = m.as_mut().filter(|_| token.particle) {
                m.weight = m.weight.min(PARTICLE_WEIGHT);
            }
        }
    }

    let date = parsed
        .birth_date
        .map_or(DateFit::Absent, |date| fit_date(date, record.birth_date));

    // An extended fuzzy match counts only when confirmed by an exact token
    // elsewhere or by the birth date.
    for index in 0..best.len() {
        if !best[index].is_some_and(|m| m.extended) {
            continue;
        }
        let other_exact = best.iter().enumerate().any(|(other, m)| {
            other != index && m.is_some_and(|m| m.kind == MatchKind::Exact && m.weight >= 1.0)
        });
        if !(other_exact || date.confirms()) {
            best[index] = None;
        }
    }

    // At least one token must meet a surname as a name.
    let surname_matched = best
        .iter()
        .flatten()
        .any(|m| m.field.is_surname() && m.names_surname);
    if !surname_matched {
        return None;
    }

    let score = best.iter().flatten().map(TokenMatch::value).sum::<f32>() + date.score();
    let coverage = best.iter().flatten().map(|m| m.coverage).sum();
    let prefix_weight = best
        .iter()
        .flatten()
        .filter(|m| m.kind == MatchKind::Prefix)
        .map(|m| m.weight)
        .sum();
    let begun_gain = best
        .iter()
        .flatten()
        .map(|m| m.begun_value() - m.value())
        .sum();
    let all_exact = parsed
        .tokens
        .iter()
        .zip(&best)
        .all(|(token, m)| token.particle || m.is_some_and(|m| m.kind == MatchKind::Exact));
    let complete = parsed
        .tokens
        .iter()
        .zip(&best)
        .all(|(token, m)| token.particle || m.is_some());
    let every = |fits: fn(&TokenMatch) -> bool| {
        parsed
            .tokens
            .iter()
            .zip(&best)
            .all(|(token, m)| token.particle || m.as_ref().is_some_and(fits))
    };
    let close = every(TokenMatch::close_and_plain);
    // Read whole, the query keeps the order people type in, surname first:
    // `lucas vale` read as VAL mistyped after the given name Lucas is no
    // sign that the words were finished.
    let first_word_a_surname = parsed
        .tokens
        .iter()
        .zip(&best)
        .find(|(token, _)| !token.particle)
        .is_some_and(|(_, m)| m.is_some_and(|m| m.field.is_surname()));
    let whole_words = every(TokenMatch::whole_word)
        && first_word_a_surname
        && best
            .iter()
            .flatten()
            .any(|m| m.usual_given && m.kind == MatchKind::Exact);
    let confidence = confidence_of(parsed, &best, date);
    let slips = best.iter().flatten().filter(|m| m.slip).count() as u8;
    let named_by = |field, exactly: bool| {
        best.iter().flatten().any(|m| {
            m.field == field && m.names_surname && (!exactly || m.kind == MatchKind::Exact)
        })
    };
    let names_a_given_name = best.iter().flatten().any(|m| !m.field.is_surname());
    let surname_typed = if named_by(NameField::UsageName, true) && names_a_given_name {
        SurnameTyped::Usage
    } else if record.has(NameField::UsageName)
        && named_by(NameField::BirthName, true)
        && !named_by(NameField::UsageName, false)
    {
        SurnameTyped::ReplacedBirth
    } else {
        SurnameTyped::Other
    };
    let untyped_surname_words = untyped_surname_words(&best, &scratch.terms);
    Some(Evaluation {
        surname_typed,
        untyped_surname_words,
        read_as_typed: read_as_typed(query, &best, first_word_a_surname),
        complete,
        close,
        slips,
        whole_words,
        score,
        tokens: best,
        date,
        confidence,
        coverage,
        prefix_weight,
        begun_gain,
        all_exact,
    })
}

/// Whether the reading `best` puts the surname where the typing says:
/// with capitals marking the surnames, every word met in capitals is met on
/// a surname and every other on a given name; else the first word is met
/// on a surname.
fn read_as_typed(
    query: &PreparedQuery<'_>,
    best: &[Option<TokenMatch>],
    first_word_a_surname: bool,
) -> bool {
    if !query.capitals_mark_surnames {
        return first_word_a_surname;
    }
    query
        .parsed
        .tokens
        .iter()
        .zip(best)
        .filter(|(token, _)| !token.particle)
        .filter_map(|(token, m)| m.map(|m| (token, m)))
        .all(|(token, m)| token.capitals == m.field.is_surname())
}

/// How many words of the surname the query reads it leaves out: for each
/// surname field a token meets, its words (particles included, joined forms
/// not) that no token met, none when a joined form met it (the whole name
/// written together); the fewest over the fields met, none when no surname
/// was met.
fn untyped_surname_words(best: &[Option<TokenMatch>], terms: &[TermAt<'_>]) -> u8 {
    [NameField::BirthName, NameField::UsageName]
        .into_iter()
        .filter_map(|field| {
            let met = || best.iter().flatten().filter(move |m| m.field == field);
            let term_of = |index| {
                terms
                    .iter()
                    .find(|at| at.field == field && at.index == index)
            };
            // A field no token met has no say.
            met().next()?;
            if met().any(|m| term_of(m.term_index).is_some_and(|at| at.term.joined)) {
                return Some(0);
            }
            let untyped = terms
                .iter()
                .filter(|at| at.field == field && !at.term.joined)
                .filter(|at| !met().any(|m| m.term_index == at.index))
                .count();
            Some(u8::try_from(untyped).unwrap_or(u8::MAX))
        })
        .min()
        .unwrap_or(0)
}

/// Gives each token its best match, each of the voter's terms serving one
/// token at most (`GERARD GERARD` needs a surname and a given name), the
/// strongest matches chosen first.
fn assign(
    query: &PreparedQuery<'_>,
    shapes: &FieldShapes,
    scratch: &mut Scratch<'_>,
) -> Vec<Option<TokenMatch>> {
    let Scratch {
        terms,
        matches,
        options,
        taken,
    } = scratch;
    options.clear();
    for (position, term) in query.tokens.iter().enumerate() {
        matches.clear();
        matches_of(term, terms, shapes, matches);
        options.extend(matches.iter().map(|m| (position, *m)));
    }
    // Strongest first; ties keep the order found (surnames before given
    // names, tokens in typed order).
    options.sort_by(|a, b| b.1.value().total_cmp(&a.1.value()));
    let mut best: Vec<Option<TokenMatch>> = vec![None; query.tokens.len()];
    taken.clear();
    for &(position, found) in options.iter() {
        if best[position].is_some() || taken.contains(&found.term()) {
            continue;
        }
        taken.push(found.term());
        best[position] = Some(found);
    }
    // A surname must be met: when the strongest matches all fall on given
    // names (`RAGER Bernard`, RAGER sounding like the given name ROGER of
    // RAGET Bernard Roger), the token whose best surname match is the
    // strongest gives up its given name for it.
    let surname_met = best
        .iter()
        .flatten()
        .any(|m| m.field.is_surname() && m.names_surname);
    if !surname_met {
        let strongest = options
            .iter()
            .find(|(_, m)| m.field.is_surname() && m.names_surname);
        if let Some(&(position, found)) = strongest {
            best[position] = Some(found);
        }
    }
    best
}

/// What each name field of a record is made of.
struct FieldShapes {
    /// Tokens that are not particles, per field.
    names: [usize; 3],
}

impl FieldShapes {
    /// A name made only of particles (`LE`, `DA`, `LE VAN`): they are its
    /// words, not particles.
    fn only_particles(&self, field: NameField) -> bool {
        self.names[field.index()] == 0
    }
}

fn confidence_of(parsed: &ParsedQuery, best: &[Option<TokenMatch>], date: DateFit) -> Confidence {
    let significant: Vec<Option<&TokenMatch>> = parsed
        .tokens
        .iter()
        .zip(best)
        .filter(|(token, _)| !token.particle)
        .map(|(_, m)| m.as_ref())
        .collect();
    if significant.iter().any(Option::is_none) {
        return Confidence::Weak;
    }
    let matches = || significant.iter().flatten();
    let all_exact = matches().all(|m| m.kind == MatchKind::Exact);
    let all_sound = matches().all(|m| matches!(m.kind, MatchKind::Exact | MatchKind::Phonetic));
    let surname_exact = matches().any(|m| m.field.is_surname() && m.kind == MatchKind::Exact);
    let given = matches().any(|m| m.field == NameField::GivenNames);
    // The name a person goes by is usually the first of their given names.
    let usual_given = matches().any(|m| m.field == NameField::GivenNames && m.usual_given);
    match date {
        DateFit::Mismatch | DateFit::NearYear => Confidence::Weak,
        DateFit::Exact if all_exact && given => Confidence::Exact,
        // A full birth date confirms names typed approximately, within
        // each word's usual typos: one it only lets in beyond them (two
        // typos in a short word) is a namesake born the same day as often
        // as it is the voter.
        DateFit::Exact if !matches().any(|m| m.extended) => Confidence::Strong,
        DateFit::Exact => Confidence::Weak,
        DateFit::Approximate if surname_exact && all_sound && given => Confidence::Strong,
        DateFit::Approximate => Confidence::Weak,
        DateFit::SameYear | DateFit::Absent | DateFit::UnknownOnRoll => {
            if all_exact && usual_given {
                Confidence::Exact
            } else if all_exact && given {
                Confidence::Strong
            } else {
                // Without a full date, a name typed approximately cannot
                // vouch for a person: it may be someone not on this roll
                // whose name is close to a voter's.
                Confidence::Weak
            }
        }
    }
}

/// Every way one query text matches the record's terms: for each term, its
/// best kind of match.
fn matches_of(
    term: &PreparedTerm<'_>,
    terms: &[TermAt<'_>],
    shapes: &FieldShapes,
    out: &mut Vec<TokenMatch>,
) {
    let text = term.text.as_bytes();
    let token_weight = if term.particle { PARTICLE_WEIGHT } else { 1.0 };
    let start = out.len();
    for at in terms {
        let (field, record_term) = (at.field, at.term);
        let candidate = record_term.term;
        let found = |kind, quality, names_surname, coverage| TokenMatch {
            kind,
            field,
            term_index: at.index,
            quality,
            weight: token_weight,
            extended: false,
            edits: 0,
            slip: false,
            plain: true,
            joined: false,
            names_surname,
            coverage,
            usual_given: false,
            begins: false,
            begun: quality,
        };
        if candidate == text {
            // A particle met as a particle does not make a surname
            // match, unless the name is made of particles only.
            // A particle weighs as a particle wherever it matches, so
            // that `NGUYEN VAN` ranks the surname NGUYEN VAN no lower
            // than the given name Van; only in a name made of particles
            // (`LE`, `LE VAN`) are they its words.
            let whole_name = shapes.only_particles(field);
            // A particle that begins a surname may be where a kiosk user
            // started typing it (`van` for `VAN DER POEL`).
            let begins_surname = field.is_surname() && at.index == 0;
            let as_name = !term.particle || !record_term.particle || whole_name || begins_surname;
            let weight = if whole_name { 1.0 } else { token_weight };
            out.push(TokenMatch {
                weight,
                ..found(MatchKind::Exact, EXACT, as_name, 1.0)
            });
            continue;
        }
        // The voter's particles match only when spelled out.
        if record_term.particle {
            continue;
        }
        let coverage = text.len() as f32 / candidate.len().max(1) as f32;
        // A surname prefix needs two letters, a given name one; a
        // particle typed by a kiosk user may begin a name proper or
        // the whole name written together (`del` for `DE LA ROSA`),
        // when it has three letters.
        let prefix_allowed = term.prefixable
            && match (term.particle, field.is_surname()) {
                (true, true) => text.len() >= 3 && (!record_term.joined || at.whole_name_joined),
                // Given names have no particles: `la` may begin Laurent.
                (true, false) => text.len() >= 2,
                (false, true) => text.len() >= 2,
                (false, false) => !text.is_empty(),
            };
        let mut best: Option<TokenMatch> = None;
        let begins = prefix_allowed && candidate.len() > text.len() && candidate.starts_with(text);
        if begins {
            // One letter short of the name (`LAUREN` for LAURENT, a silent
            // final letter left off) is a typo as much as a beginning: the
            // two readings agree.
            let one_short = candidate.len() == text.len() + 1 && term.base_distance >= 1;
            let (kind, quality, edits) = if one_short && !term.particle {
                (MatchKind::Fuzzy, FUZZY_ONE + AGREEMENT, 1)
            } else {
                (MatchKind::Prefix, PREFIX, 0)
            };
            best = Some(TokenMatch {
                begins,
                begun: EXACT,
                edits,
                ..found(kind, quality, true, coverage)
            });
        }
        if term.particle {
            if let Some(found) = best {
                out.push(found);
            }
            continue;
        }
        // A beginning that sounds like the whole name is a whole word heard.
        if sounds_alike(term, &record_term) && best.is_none_or(|b| b.quality <= PHONETIC) {
            best = Some(TokenMatch {
                begins,
                begun: if begins { EXACT } else { PHONETIC },
                ..found(MatchKind::Phonetic, PHONETIC, true, coverage)
            });
        }
        if let Some(found) = best {
            out.push(found);
        }
    }
    // Typos are looked for only where nothing as good was found: not
    // beside an exact match, nor beside a beginning (a kiosk user typing);
    // beside a sound-alike they may confirm it.
    let settled = out[start..]
        .iter()
        .any(|m| m.kind == MatchKind::Exact || m.begins);
    if !settled && !term.particle && term.reach_distance > 0 {
        add_fuzzy_matches(term, terms, start, out);
    }
    // Where in the name a term stands orders matches of the same kind.
    for found in &mut out[start..] {
        let at = terms
            .iter()
            .find(|at| at.field == found.field && at.index == found.term_index);
        if let Some(at) = at {
            let cost = standing_cost(at, shapes);
            found.plain = cost == 0.0;
            found.quality -= cost;
            found.begun -= cost;
            found.usual_given = at.usual_given;
        }
    }
    // Keep at most the few best: more never changes an assignment.
    if out.len() - start > 8 {
        out[start..].sort_by(|a, b| b.value().total_cmp(&a.value()));
        out.truncate(start + 8);
    }
}

/// What a term's place in the name takes from a match on it: a later given
/// name, or one word of a compound surname, fits a little less than the
/// usual given name or a whole surname.
fn standing_cost(at: &TermAt<'_>, shapes: &FieldShapes) -> f32 {
    match at.field {
        NameField::GivenNames if !at.usual_given => LATER_GIVEN_NAME,
        NameField::GivenNames => 0.0,
        _ if at.term.joined || at.term.particle => 0.0,
        field if shapes.names[field.index()] > 1 => PART_OF_SURNAME,
        _ => 0.0,
    }
}

/// Edits, for a token that matched no term exactly: each term within reach
/// becomes a fuzzy match, or strengthens a phonetic one (sound and spelling
/// agreeing).
fn add_fuzzy_matches(
    term: &PreparedTerm<'_>,
    terms: &[TermAt<'_>],
    start: usize,
    out: &mut Vec<TokenMatch>,
) {
    let text = term.text.as_bytes();
    for at in terms {
        let candidate = at.term.term;
        if at.term.particle || !may_be_a_typo(term, candidate, at.letters) {
            continue;
        }
        let Some(distance) = distance::within(text, candidate, term.reach_distance) else {
            continue;
        };
        if distance == 0 {
            continue;
        }
        let (field, term_index) = (at.field, at.index);
        let extended = distance > term.base_distance;
        let existing = out[start..]
            .iter_mut()
            .find(|m| m.field == field && m.term_index == term_index);
        if let Some(existing) = existing {
            if existing.kind == MatchKind::Phonetic && !extended {
                existing.quality = PHONETIC + AGREEMENT;
            }
            continue;
        }
        let quality = match (extended, distance) {
            (true, _) => FUZZY_EXTENDED,
            (false, 1) => FUZZY_ONE,
            (false, _) => FUZZY_TWO,
        };
        out.push(TokenMatch {
            kind: MatchKind::Fuzzy,
            field,
            term_index,
            quality,
            weight: 1.0,
            extended,
            edits: distance,
            slip: distance == 1 && finger_slip(text, candidate),
            plain: true,
            joined: false,
            names_surname: true,
            coverage: text.len() as f32 / candidate.len().max(1) as f32,
            usual_given: false,
            begins: false,
            begun: quality,
        });
    }
}

/// How a query date meets a voter's date.
pub fn fit_date(query: QueryDate, roll: BirthDate) -> DateFit {
    let years = |year: u16, y: u16| {
        if year == y {
            DateFit::SameYear
        } else if digits_apart(year as u32, y as u32) == 1 {
            DateFit::NearYear
        } else {
            DateFit::Mismatch
        }
    };
    match (query, roll) {
        (_, BirthDate::Unknown) => DateFit::UnknownOnRoll,
        (
            QueryDate::Full { year, month, day },
            BirthDate::Full {
                year: y,
                month: m,
                day: d,
            },
        ) => {
            if (year, month, day) == (y, m, d) {
                DateFit::Exact
            } else if (year == y && month == d && day == m)
                || digits_apart(packed(year, month, day), packed(y, m, d)) == 1
            {
                DateFit::Approximate
            } else {
                DateFit::Mismatch
            }
        }
        (
            QueryDate::Full { year, .. },
            BirthDate::YearMonth { year: y, .. } | BirthDate::Year(y),
        )
        | (QueryDate::Year(year), BirthDate::Full { year: y, .. })
        | (QueryDate::Year(year), BirthDate::YearMonth { year: y, .. })
        | (QueryDate::Year(year), BirthDate::Year(y)) => years(year, y),
    }
}

fn packed(year: u16, month: u8, day: u8) -> u32 {
    year as u32 * 10_000 + month as u32 * 100 + day as u32
}

/// Number of decimal digits that differ between two numbers of the same
/// width.
fn digits_apart(mut a: u32, mut b: u32) -> u32 {
    let mut differing = 0;
    while a > 0 || b > 0 {
        differing += u32::from(a % 10 != b % 10);
        a /= 10;
        b /= 10;
    }
    differing
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The quick test before a full reading never turns down a voter
        /// the full reading keeps: whatever the names and the query, if
        /// `evaluate` scores a record, `may_meet_a_surname` let it through.
        #[test]
        fn the_quick_surname_test_never_turns_down_a_voter_the_ranking_keeps(
            birth in "(DE |LE |D')?[ABEIMNRT]{1,7}(-[ABEIMNRT]{2,6})?",
            usage in proptest::option::of("[ABEIMNRT]{2,8}"),
            given in "[ABEIMNRT]{2,6}( [ABEIMNRT]{2,6})?",
            query in "(de |le )?[abeimnrt]{1,8}( [abeimnrt]{1,7}){0,2}",
            dated: bool,
        ) {
            use voter_core::model::{Address, Voter};
            use voter_core::name_records::NameRecordsBuilder;
            let voter = Voter {
                commune_code: None,
                commune_name: None,
                birth_name: birth,
                usage_name: usage,
                first_names: given,
                sex: None,
                birth_date: BirthDate::Full { year: 1962, month: 3, day: 14 },
                birth_place: None,
                birth_country: None,
                nationality: None,
                address: Address::default(),
                memberships: Vec::new(),
            };
            let mut builder = NameRecordsBuilder::default();
            builder.push(&voter);
            let records = builder.finish();
            let record = records.get(0).expect("one record");
            let date = dated.then_some("1962-03-14");
            let Ok(parsed) = ParsedQuery::parse(&query, date) else {
                return Ok(());
            };
            let prepared = PreparedQuery::new(&parsed, SearchMode::Full);
            let mut scratch = Scratch::default();
            if evaluate(&prepared, &record, &mut scratch).is_some() {
                proptest::prop_assert!(may_meet_a_surname(&prepared, &record));
            }

        }
    }

    #[test]
    fn distances_grow_with_length() {
        assert_eq!(allowed_distance(3), (0, 1));
        assert_eq!(allowed_distance(5), (1, 2));
        assert_eq!(allowed_distance(11), (2, 2));
    }

    #[test]
    fn dates_tolerate_what_people_get_wrong() {
        let full = |year, month, day| BirthDate::Full { year, month, day };
        let query = QueryDate::Full {
            year: 1962,
            month: 3,
            day: 14,
        };
        assert_eq!(fit_date(query, full(1962, 3, 14)), DateFit::Exact);
        assert_eq!(fit_date(query, full(1962, 3, 15)), DateFit::Approximate);
        assert_eq!(fit_date(query, full(1963, 3, 14)), DateFit::Approximate);
        let swapped = QueryDate::Full {
            year: 1962,
            month: 4,
            day: 3,
        };
        assert_eq!(fit_date(swapped, full(1962, 3, 4)), DateFit::Approximate);
        assert_eq!(fit_date(query, full(1971, 8, 2)), DateFit::Mismatch);
        assert_eq!(fit_date(query, BirthDate::Year(1962)), DateFit::SameYear);
        assert_eq!(fit_date(query, BirthDate::Year(1975)), DateFit::Mismatch);
        assert_eq!(
            fit_date(QueryDate::Year(1962), full(1962, 3, 14)),
            DateFit::SameYear
        );
        assert_eq!(
            fit_date(QueryDate::Year(1962), full(1968, 3, 14)),
            DateFit::NearYear
        );
        assert_eq!(fit_date(query, BirthDate::Unknown), DateFit::UnknownOnRoll);
    }

    #[test]
    fn a_date_outweighs_any_one_name_and_a_wrong_one_sinks() {
        assert!(DateFit::Exact.score() > EXACT);
        assert!(DateFit::SameYear.score() > DateFit::NearYear.score());
        assert!(DateFit::Approximate.score() > DateFit::SameYear.score());
        assert!(DateFit::Mismatch.score() < -EXACT);
    }
}
