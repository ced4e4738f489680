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

use levenshtein_automata::{DFA, Distance, SINK_STATE};
use tantivy::postings::TermInfo;
use tantivy::{DocId, index::InvertedIndexReader};
use tantivy_fst::Automaton;

use super::docset::{DocBits, PostingsProbe, extend_with_postings, normalise};
use super::rank::PreparedQuery;
use crate::error::LookupError;
use crate::index::{LoadedIndex, SegmentView};

/// How far a step reaches from what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Terms spelled exactly as typed.
    Exact,
    /// Also the same sound, beginnings of three letters or more, and the
    /// usual number of typos.
    Near,
    /// Also the extended number of typos, two-letter beginnings, particles
    /// that may begin a name, and typos in joined forms.
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
    pub const STEPS: [Reach; 4] = [Reach::Exact, Reach::Near, Reach::Wide, Reach::Loose];

    fn at_least(self, other: Reach) -> bool {
        self.rank() >= other.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Reach::Exact | Reach::Alternatives => 0,
            Reach::Near => 1,
            Reach::Wide => 2,
            Reach::Loose => 3,
        }
    }
}

/// Terms a prefix may expand to; beyond it the prefix is too short to help
/// (a narrowing then requires nothing of that token).
const MAX_PREFIX_TERMS: usize = 5_000;
/// Candidates scored for one step of one query, at most.
pub const MAX_CANDIDATES: usize = 60_000;
/// A narrowing set holding more than this share of all voters narrows too
/// little to be worth building.
const MAX_NARROWING_SHARE: f64 = 0.4;
/// Posting lists a probe skips through; more, and a bitset is built.
const MAX_PROBE_LISTS: usize = 6;

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
    /// Automata at the usual and extended distance.
    base_dfa: Option<&'a DFA>,
    reach_dfa: Option<&'a DFA>,
    /// A joined form rather than a token.
    joined: bool,
}

/// Candidate documents of one segment for one step, sorted and without
/// duplicates.
pub fn collect(
    index: &LoadedIndex,
    query: &PreparedQuery<'_>,
    reach: Reach,
    focus: TokenMask,
    segment: usize,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    docs.clear();
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
            base_dfa: query.token_walk_dfa(position, false),
            reach_dfa: query.token_walk_dfa(position, true),
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
            base_dfa: query.joined_walk_dfa(position, false),
            reach_dfa: query.joined_walk_dfa(position, true),
            joined: true,
        })
        .collect();

    // What each significant token requires of a voter, built on first use.
    let mut narrowing: Vec<Option<Narrowing>> = (0..tokens.len()).map(|_| None).collect();
    let mut found = Vec::new();
    for unit in tokens.iter().chain(&joined) {
        if !(unit.first..=unit.last).any(|position| focus.has(position)) {
            continue;
        }
        found.clear();
        let mut expansions = Vec::new();
        surname_expansions(view, unit, reach, &mut expansions)?;
        for (reader, info) in expansions {
            extend_with_postings(reader, &info, &mut found)?;
        }
        if found.is_empty() {
            continue;
        }
        normalise(&mut found);
        if reach != Reach::Loose {
            for (position, other) in tokens.iter().enumerate() {
                if other.particle
                    || (unit.first..=unit.last).contains(&position)
                    || found.is_empty()
                {
                    continue;
                }
                if narrowing[position].is_none() {
                    narrowing[position] = Some(Narrowing::build(view, other, reach)?);
                }
                if let Some(narrowing) = &narrowing[position] {
                    narrowing.retain(&mut found)?;
                }
            }
        }
        docs.extend_from_slice(&found);
        if docs.len() > MAX_CANDIDATES * 2 {
            break;
        }
    }
    normalise(docs);
    docs.truncate(MAX_CANDIDATES);
    Ok(())
}

/// The surname terms a unit may stand for at `reach`; false when a prefix
/// had too many to list them all.
fn surname_expansions<'v>(
    view: &'v SegmentView,
    unit: &Unit<'_>,
    reach: Reach,
    out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
) -> Result<bool, LookupError> {
    let terms = &*view.surname_terms;
    if unit.particle {
        // A particle may be a whole surname (`LE`) or where one begins
        // (`VAN` of `VAN DER POEL`, `del` of `DELAROSA`); the other
        // tokens narrow its many voters down.
        push_term(terms, unit.text, out)?;
        if reach.at_least(Reach::Wide) && unit.text.len() >= 3 {
            return push_prefix(terms, unit.text, out);
        }
        return Ok(true);
    }
    if reach == Reach::Alternatives {
        if unit.text.len() >= 3 {
            push_term(&view.surname_phonetic, unit.phonetic, out)?;
        }
        if !unit.joined
            && let Some(dfa) = unit.base_dfa
        {
            push_fuzzy(terms, unit.text, dfa, out)?;
        }
        return Ok(true);
    }
    push_term(terms, unit.text, out)?;
    if !reach.at_least(Reach::Near) {
        return Ok(true);
    }
    if unit.text.len() >= 3 {
        push_term(&view.surname_phonetic, unit.phonetic, out)?;
    }
    if reach == Reach::Loose {
        // Without narrowing, only what is spelled or sounds the same: a
        // surname typed right beside a given name that fits nobody.
        return Ok(true);
    }
    let min_prefix = if reach.at_least(Reach::Wide) { 2 } else { 3 };
    let mut complete = true;
    if !unit.joined && unit.text.len() >= min_prefix {
        complete = push_prefix(terms, unit.text, out)?;
    }
    let dfa = match reach {
        Reach::Exact | Reach::Loose | Reach::Alternatives => None,
        Reach::Near if unit.joined => None,
        Reach::Near => unit.base_dfa,
        Reach::Wide => unit.reach_dfa,
    };
    if let Some(dfa) = dfa {
        push_fuzzy(terms, unit.text, dfa, out)?;
    }
    Ok(complete)
}

/// The voters whose names may fit one token at some reach: the posting
/// lists of its expansions (probed by skipping, when they are few), a
/// bitset of them (when they are many), or nothing to require when the
/// token fits too many voters to narrow anything.
enum Narrowing<'v> {
    Lists(Vec<(&'v InvertedIndexReader, TermInfo)>),
    Bits(DocBits),
    Anyone,
}

impl<'v> Narrowing<'v> {
    fn build(
        view: &'v SegmentView,
        unit: &Unit<'_>,
        reach: Reach,
    ) -> Result<Narrowing<'v>, LookupError> {
        let mut lists = Vec::new();
        // Alternatives keep every other token as typed.
        let reach = if reach == Reach::Alternatives {
            Reach::Exact
        } else {
            reach.min(Reach::Wide)
        };
        if !surname_expansions(view, unit, reach, &mut lists)? {
            return Ok(Narrowing::Anyone);
        }
        let given = &*view.given_terms;
        push_term(given, unit.text, &mut lists)?;
        if reach.at_least(Reach::Near) {
            if unit.text.len() >= 3 {
                push_term(&view.given_phonetic, unit.phonetic, &mut lists)?;
            }
            // One letter begins a fifth of all given names: no narrowing.
            if unit.text.len() < 2 {
                return Ok(Narrowing::Anyone);
            }
            if !push_prefix(given, unit.text, &mut lists)? {
                return Ok(Narrowing::Anyone);
            }
            let dfa = if reach.at_least(Reach::Wide) {
                unit.reach_dfa
            } else {
                unit.base_dfa
            };
            if let Some(dfa) = dfa {
                push_fuzzy(given, unit.text, dfa, &mut lists)?;
            }
        }
        let total: u64 = lists.iter().map(|(_, info)| u64::from(info.doc_freq)).sum();
        if total as f64 > MAX_NARROWING_SHARE * f64::from(view.max_doc) {
            return Ok(Narrowing::Anyone);
        }
        if lists.len() <= MAX_PROBE_LISTS {
            return Ok(Narrowing::Lists(lists));
        }
        let mut bits = DocBits::new(view.max_doc);
        for (reader, info) in &lists {
            bits.insert_postings(reader, info)?;
        }
        Ok(Narrowing::Bits(bits))
    }

    /// Keeps the documents (sorted) that this token may fit.
    fn retain(&self, docs: &mut Vec<DocId>) -> Result<(), LookupError> {
        match self {
            Narrowing::Anyone => {}
            Narrowing::Bits(bits) => docs.retain(|&doc| bits.contains(doc)),
            Narrowing::Lists(lists) => {
                // A probe only moves forward, so each sorted set gets its own.
                let mut probe =
                    PostingsProbe::new(lists.iter().map(|(reader, info)| (*reader, info.clone())))?;
                docs.retain(|&doc| probe.contains(doc));
            }
        }
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

/// Adds the terms that `prefix` begins (not the prefix itself); returns
/// false when there were too many and the rest were left out.
fn push_prefix<'v>(
    reader: &'v InvertedIndexReader,
    prefix: &str,
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
        expanded += 1;
        if expanded > MAX_PREFIX_TERMS {
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

/// Adds the terms that begin with `text`'s first letter and are within
/// `dfa` (built on the letters after it).
fn push_fuzzy<'v>(
    reader: &'v InvertedIndexReader,
    text: &str,
    dfa: &DFA,
    out: &mut Vec<(&'v InvertedIndexReader, TermInfo)>,
) -> Result<(), LookupError> {
    let Some(&first) = text.as_bytes().first() else {
        return Ok(());
    };
    let mut stream = reader
        .terms()
        .search(FirstLetterThenDfa { first, dfa })
        .into_stream()?;
    while stream.advance() {
        out.push((reader, stream.value().clone()));
    }
    Ok(())
}

/// An FST automaton accepting the terms that start with `first` and whose
/// rest is within a Levenshtein DFA: the term dictionary is walked once,
/// and only below that first letter.
struct FirstLetterThenDfa<'a> {
    first: u8,
    dfa: &'a DFA,
}

/// Walk state: before the first letter, or the DFA's state after it.
#[derive(Debug, Clone, Copy)]
enum WalkState {
    Start,
    Rest(u32),
}

impl Automaton for FirstLetterThenDfa<'_> {
    type State = WalkState;

    fn start(&self) -> WalkState {
        WalkState::Start
    }

    fn is_match(&self, state: &WalkState) -> bool {
        match state {
            WalkState::Start => false,
            WalkState::Rest(state) => matches!(self.dfa.distance(*state), Distance::Exact(_)),
        }
    }

    fn can_match(&self, state: &WalkState) -> bool {
        match state {
            WalkState::Start => true,
            WalkState::Rest(state) => *state != SINK_STATE,
        }
    }

    fn accept(&self, state: &WalkState, byte: u8) -> WalkState {
        match state {
            WalkState::Start if byte == self.first => WalkState::Rest(self.dfa.initial_state()),
            WalkState::Start => WalkState::Rest(SINK_STATE),
            WalkState::Rest(state) => WalkState::Rest(self.dfa.transition(*state, byte)),
        }
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
    fn steps_widen_in_order() {
        assert!(Reach::Loose.at_least(Reach::Wide));
        assert!(Reach::Near.at_least(Reach::Exact));
        assert!(!Reach::Exact.at_least(Reach::Near));
    }
}
