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
//! this (they score every fuzzy hit the same), which is why ranking lives
//! here and tantivy only finds candidates.

use levenshtein_automata::{DFA, Distance};
use voter_core::model::BirthDate;
use voter_core::name_records::NameRecord;
use voter_core::schema::NameField;

use super::SearchMode;
use super::query::{ParsedQuery, QueryDate};

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
    /// Every part of the query fits, some of it approximately.
    Strong,
    /// Names (and date, when given) fit exactly.
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
    /// Same year where only the year is known on one side.
    SameYear,
    /// One digit off, or day and month swapped.
    Approximate,
    /// A different date.
    Mismatch,
}

/// Quality of each kind of match; the score adds them up.
const EXACT: f32 = 1.0;
const PHONETIC: f32 = 0.85;
const PREFIX: f32 = 0.8;
const FUZZY_ONE: f32 = 0.7;
const FUZZY_TWO: f32 = 0.55;
/// A fuzzy match beyond the usual distance, credited only when another part
/// of the query confirms it.
const FUZZY_EXTENDED: f32 = 0.45;
/// Weight of a particle token (`DE`, `LA`…) against a name token's 1.
const PARTICLE_WEIGHT: f32 = 0.25;

/// Where a token's best match was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMatch {
    /// Kind of match.
    pub kind: MatchKind,
    /// Field of the voter's term.
    pub field: NameField,
    /// Position of the term in that field of the record.
    pub term_index: u8,
    /// Score contribution before weighting.
    pub quality: f32,
    /// A fuzzy match beyond the token's usual distance.
    pub extended: bool,
    /// Found through a joined form covering this token and its neighbours.
    pub joined: bool,
}

/// A query made ready for scoring many candidates: the fuzzy automaton of
/// each token is built once.
pub struct PreparedQuery<'q> {
    /// The parsed query.
    pub parsed: &'q ParsedQuery,
    tokens: Vec<PreparedTerm>,
    joined: Vec<PreparedTerm>,
    confirmable: bool,
}

struct PreparedTerm {
    /// Edits allowed without confirmation.
    base_distance: u8,
    /// Edits allowed when confirmed (≥ base).
    reach_distance: u8,
    /// Automaton at the base distance, when it allows edits.
    base_dfa: Option<DFA>,
    /// Automaton at the reach distance, when it exceeds the base.
    reach_dfa: Option<DFA>,
}

impl PreparedTerm {
    /// The automaton that measures distances up to the reach.
    fn scoring_dfa(&self) -> Option<&DFA> {
        self.reach_dfa.as_ref().or(self.base_dfa.as_ref())
    }

    /// The automaton a dictionary walk uses.
    fn walk_dfa(&self, wide: bool) -> Option<&DFA> {
        if wide {
            self.scoring_dfa()
        } else {
            self.base_dfa.as_ref()
        }
    }
}

/// Edits a token of `len` letters may carry: none up to 3 letters, one up to
/// 7, two beyond. With confirmation (another exact token, or a birth date)
/// one more, up to two.
pub fn allowed_distance(len: usize) -> (u8, u8) {
    match len {
        0..=3 => (0, 1),
        4..=7 => (1, 2),
        _ => (2, 2),
    }
}

impl<'q> PreparedQuery<'q> {
    /// Prepares `parsed` for scoring under `mode`.
    pub fn new(
        parsed: &'q ParsedQuery,
        mode: SearchMode,
        automata: &Automata,
    ) -> PreparedQuery<'q> {
        // Reaching further needs something else to confirm the match.
        let confirmable = parsed.birth_date.is_some() || parsed.significant_count() > 1;
        let prepare = |text: &str, particle: bool| {
            let (base, reach) = allowed_distance(text.len());
            let (base, reach) = match mode {
                _ if particle => (0, 0),
                SearchMode::Full if confirmable => (base, reach),
                SearchMode::Full => (base, base),
                // Degraded: one edit at most, never the extended reach.
                SearchMode::Degraded => (base.min(1), base.min(1)),
            };
            PreparedTerm {
                base_distance: base,
                reach_distance: reach,
                base_dfa: automata.dfa(text, base),
                reach_dfa: if reach > base {
                    automata.dfa(text, reach)
                } else {
                    None
                },
            }
        };
        PreparedQuery {
            parsed,
            tokens: parsed
                .tokens
                .iter()
                .map(|token| prepare(&token.text, token.particle))
                .collect(),
            joined: parsed
                .joined
                .iter()
                .map(|unit| prepare(&unit.text, false))
                .collect(),
            confirmable,
        }
    }

    /// The automaton a dictionary walk uses for a token: at its usual
    /// distance, or its extended reach when `wide`.
    pub fn token_walk_dfa(&self, token: usize, wide: bool) -> Option<&DFA> {
        self.tokens[token].walk_dfa(wide)
    }

    /// The same for a joined unit.
    pub fn joined_walk_dfa(&self, unit: usize, wide: bool) -> Option<&DFA> {
        self.joined[unit].walk_dfa(wide)
    }

    /// True when extended reach may be used at all.
    pub fn confirmable(&self) -> bool {
        self.confirmable
    }
}

/// Levenshtein automaton builders (with transpositions as one edit), made
/// once: building them is costly, building a DFA from them is cheap.
pub struct Automata {
    one: levenshtein_automata::LevenshteinAutomatonBuilder,
    two: levenshtein_automata::LevenshteinAutomatonBuilder,
}

impl Default for Automata {
    fn default() -> Self {
        Automata {
            one: levenshtein_automata::LevenshteinAutomatonBuilder::new(1, true),
            two: levenshtein_automata::LevenshteinAutomatonBuilder::new(2, true),
        }
    }
}

impl Automata {
    /// The DFA accepting terms within `distance` edits of `text`.
    pub fn dfa(&self, text: &str, distance: u8) -> Option<DFA> {
        match distance {
            0 => None,
            1 => Some(self.one.build_dfa(text)),
            _ => Some(self.two.build_dfa(text)),
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
}

/// Scores `record` against `query`; `None` when no surname-like token
/// matches (so that a given name alone never returns thousands).
pub fn evaluate(query: &PreparedQuery<'_>, record: &NameRecord<'_>) -> Option<Evaluation> {
    let parsed = query.parsed;
    let mut best: Vec<Option<TokenMatch>> = parsed
        .tokens
        .iter()
        .zip(&query.tokens)
        .map(|(token, prepared)| {
            best_match(
                &token.text,
                &token.phonetic,
                token.particle,
                prepared,
                record,
            )
        })
        .collect();

    // A joined form covers its tokens when it fits better than they do.
    for (unit, prepared) in parsed.joined.iter().zip(&query.joined) {
        let Some(found) = best_match(&unit.text, &unit.phonetic, false, prepared, record) else {
            continue;
        };
        let covered = &mut best[unit.first..=unit.last];
        if covered
            .iter()
            .all(|m| m.is_none_or(|m| m.quality < found.quality))
        {
            for slot in covered {
                *slot = Some(TokenMatch {
                    joined: true,
                    ..found
                });
            }
        }
    }

    let date = parsed
        .birth_date
        .map_or(DateFit::Absent, |date| fit_date(date, record.birth_date));

    // An extended fuzzy match counts only when confirmed by an exact token
    // elsewhere or by the birth date.
    let date_confirms = matches!(
        date,
        DateFit::Exact | DateFit::Approximate | DateFit::SameYear
    );
    for index in 0..best.len() {
        let Some(found) = best[index] else { continue };
        if !found.extended {
            continue;
        }
        let other_exact = best.iter().enumerate().any(|(other, m)| {
            other != index && m.is_some_and(|m| m.kind == MatchKind::Exact && !m.extended)
        });
        if !(other_exact || date_confirms) {
            best[index] = None;
        }
    }

    let surname_matched = parsed
        .tokens
        .iter()
        .zip(&best)
        .any(|(token, m)| !token.particle && m.is_some_and(|m| m.field.is_surname()));
    if !surname_matched {
        return None;
    }

    let mut score = 0.0;
    for (token, found) in parsed.tokens.iter().zip(&best) {
        let weight = if token.particle { PARTICLE_WEIGHT } else { 1.0 };
        score += weight * found.map_or(0.0, |m| m.quality);
    }
    score += match date {
        DateFit::Exact => 2.0,
        DateFit::Approximate => 1.2,
        DateFit::SameYear => 1.0,
        DateFit::Mismatch => -1.5,
        DateFit::Absent | DateFit::UnknownOnRoll => 0.0,
    };
    let confidence = confidence_of(query.parsed, &best, date);
    Some(Evaluation {
        score,
        tokens: best,
        date,
        confidence,
    })
}

fn confidence_of(parsed: &ParsedQuery, best: &[Option<TokenMatch>], date: DateFit) -> Confidence {
    let significant = || {
        parsed
            .tokens
            .iter()
            .zip(best)
            .filter(|(token, _)| !token.particle)
            .map(|(_, m)| m)
    };
    let all_matched = significant().all(Option::is_some);
    if !all_matched {
        return Confidence::Weak;
    }
    let kinds = || significant().flatten().map(|m| m.kind);
    let all_exact = kinds().all(|kind| kind == MatchKind::Exact);
    let all_sound = kinds().all(|kind| matches!(kind, MatchKind::Exact | MatchKind::Phonetic));
    let given_matched = significant()
        .flatten()
        .any(|m| m.field == NameField::GivenNames);
    match date {
        DateFit::Mismatch => Confidence::Weak,
        DateFit::Exact if all_exact && given_matched => Confidence::Exact,
        // A full birth date confirms names typed approximately.
        DateFit::Exact => Confidence::Strong,
        DateFit::Approximate if all_sound && given_matched => Confidence::Strong,
        DateFit::Approximate => Confidence::Weak,
        DateFit::SameYear | DateFit::Absent | DateFit::UnknownOnRoll => {
            if all_exact && given_matched {
                Confidence::Exact
            } else if all_sound && given_matched {
                Confidence::Strong
            } else {
                // Without a date, an approximate or partial name cannot
                // vouch for a person: it may be someone not on this roll.
                Confidence::Weak
            }
        }
    }
}

/// Best match of one query text among the record's terms.
fn best_match(
    text: &str,
    phonetic: &str,
    particle: bool,
    prepared: &PreparedTerm,
    record: &NameRecord<'_>,
) -> Option<TokenMatch> {
    let mut best: Option<TokenMatch> = None;
    let mut consider = |candidate: TokenMatch| {
        if best.is_none_or(|b| candidate.quality > b.quality) {
            best = Some(candidate);
        }
    };
    for field in NameField::ALL {
        for (index, term) in record.terms(field).enumerate() {
            let index = index.min(u8::MAX as usize) as u8;
            let found = |kind, quality, extended| TokenMatch {
                kind,
                field,
                term_index: index,
                quality,
                extended,
                joined: false,
            };
            if term.term == text {
                consider(found(MatchKind::Exact, EXACT, false));
                continue;
            }
            if particle {
                // A particle counts only when spelled out.
                continue;
            }
            if !phonetic.is_empty() && term.phonetic == phonetic && text.len() > 1 {
                consider(found(MatchKind::Phonetic, PHONETIC, false));
            }
            // A surname prefix needs two letters; a given name, one.
            let min_prefix = if field.is_surname() { 2 } else { 1 };
            if text.len() >= min_prefix
                && term.term.len() > text.len()
                && term.term.starts_with(text)
            {
                consider(found(MatchKind::Prefix, PREFIX, false));
            }
            if let Some(dfa) = prepared.scoring_dfa()
                && term.term.len().abs_diff(text.len()) <= prepared.reach_distance as usize
                && let Distance::Exact(distance) = dfa.eval(term.term)
                && distance > 0
            {
                let extended = distance > prepared.base_distance;
                let quality = match (extended, distance) {
                    (true, _) => FUZZY_EXTENDED,
                    (false, 1) => FUZZY_ONE,
                    (false, _) => FUZZY_TWO,
                };
                consider(found(MatchKind::Fuzzy, quality, extended));
            }
        }
    }
    best
}

/// How a query date meets a voter's date.
pub fn fit_date(query: QueryDate, roll: BirthDate) -> DateFit {
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
            } else if year == y && month == d && day == m {
                DateFit::Approximate
            } else if digits_apart(packed(year, month, day), packed(y, m, d)) == 1 {
                DateFit::Approximate
            } else {
                DateFit::Mismatch
            }
        }
        (QueryDate::Full { year, month, .. }, BirthDate::YearMonth { year: y, month: m }) => {
            if year == y && month == m {
                DateFit::SameYear
            } else {
                DateFit::Mismatch
            }
        }
        (QueryDate::Full { year, .. }, BirthDate::Year(y))
        | (QueryDate::Year(year), BirthDate::Full { year: y, .. })
        | (QueryDate::Year(year), BirthDate::YearMonth { year: y, .. })
        | (QueryDate::Year(year), BirthDate::Year(y)) => {
            if year == y {
                DateFit::SameYear
            } else if digits_apart(year as u32, y as u32) == 1 {
                DateFit::Approximate
            } else {
                DateFit::Mismatch
            }
        }
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
        assert_eq!(
            fit_date(
                QueryDate::Full {
                    year: 1962,
                    month: 4,
                    day: 3
                },
                full(1962, 3, 4)
            ),
            DateFit::Approximate,
            "day and month swapped"
        );
        assert_eq!(fit_date(query, full(1971, 8, 2)), DateFit::Mismatch);
        assert_eq!(fit_date(query, BirthDate::Year(1962)), DateFit::SameYear);
        assert_eq!(fit_date(query, BirthDate::Year(1975)), DateFit::Mismatch);
        assert_eq!(
            fit_date(QueryDate::Year(1962), full(1962, 3, 14)),
            DateFit::SameYear
        );
        assert_eq!(
            fit_date(QueryDate::Year(1962), full(1961, 3, 14)),
            DateFit::Approximate
        );
        assert_eq!(fit_date(query, BirthDate::Unknown), DateFit::UnknownOnRoll);
    }
}
