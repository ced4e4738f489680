//! Finds the voters a query may be about, through the surname dictionary.
//!
//! At least one query token must match a surname (birth or usage name), so
//! candidates come from the `surname_terms` field alone: for each token (and
//! joined form) its exact term, the terms sharing its phonetic key, the
//! terms it begins, and the terms within its edit distance (one walk of a
//! Levenshtein automaton over the term dictionary). Whether the other tokens
//! match the given names is for [`super::rank`] to judge, from the name
//! records.

use levenshtein_automata::{DFA, Distance, SINK_STATE};
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, index::InvertedIndexReader};
use tantivy_fst::Automaton;

use super::rank::PreparedQuery;
use crate::error::LookupError;
use crate::index::LoadedIndex;

/// How wide the candidate net is cast. A lookup widens it step by step and
/// stops as soon as it has a confident answer; each step adds only its own
/// expansions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Exact terms, phonetic keys, prefixes of three letters or more.
    Exact,
    /// Terms within each token's usual edit distance.
    Fuzzy,
    /// The extended edit distance, two-letter prefixes, particles that may
    /// begin a name, and edits of joined forms.
    Wide,
}

/// Terms a prefix may expand to; beyond it the prefix is too short to help.
const MAX_PREFIX_TERMS: usize = 2_000;
/// Candidates scored for one step of one query, at most.
pub const MAX_CANDIDATES: usize = 60_000;

/// Candidate documents of one segment for one step, sorted and without
/// duplicates.
pub fn collect(
    index: &LoadedIndex,
    query: &PreparedQuery<'_>,
    reach: Reach,
    segment: usize,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    docs.clear();
    let view = &index.segments[segment];
    let terms = &view.surname_terms;
    let parsed = query.parsed;
    for (position, token) in parsed.tokens.iter().enumerate() {
        let text = token.text.as_str();
        match reach {
            Reach::Exact if !token.particle => {
                push_term(terms, text, docs)?;
                if text.len() >= 3 {
                    push_term(&view.surname_phonetic, &token.phonetic, docs)?;
                    push_prefix(terms, text, docs)?;
                }
            }
            Reach::Exact => {}
            Reach::Fuzzy => {
                // A token that is itself a surname was found as such; its
                // neighbours wait for the wide step.
                if terms.terms().get(text)?.is_some() {
                    continue;
                }
                if let Some(dfa) = query.token_walk_dfa(position, false) {
                    push_fuzzy(terms, dfa, docs)?;
                }
            }
            Reach::Wide => {
                if token.particle {
                    // A particle may be a whole surname (`LE`) or begin one
                    // (`del` for `DELAROSA`).
                    push_term(terms, text, docs)?;
                    if text.len() >= 3 {
                        push_prefix(terms, text, docs)?;
                    }
                    continue;
                }
                if text.len() == 2 {
                    push_prefix(terms, text, docs)?;
                }
                // The fuzzy step walked the usual distance unless the token
                // is a surname itself; walk what it left.
                let walked = terms.terms().get(text)?.is_none();
                if (!walked || query.token_reach_extends(position))
                    && let Some(dfa) = query.token_walk_dfa(position, true)
                {
                    push_fuzzy(terms, dfa, docs)?;
                }
            }
        }
        if docs.len() > MAX_CANDIDATES * 4 {
            break;
        }
    }
    for (position, unit) in parsed.joined.iter().enumerate() {
        match reach {
            Reach::Exact => {
                push_term(terms, &unit.text, docs)?;
                push_term(&view.surname_phonetic, &unit.phonetic, docs)?;
            }
            Reach::Fuzzy => {}
            Reach::Wide => {
                if let Some(dfa) = query.joined_walk_dfa(position, true) {
                    push_fuzzy(terms, dfa, docs)?;
                }
            }
        }
    }
    docs.sort_unstable();
    docs.dedup();
    docs.truncate(MAX_CANDIDATES);
    Ok(())
}

fn push_term(
    reader: &InvertedIndexReader,
    text: &str,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    if text.is_empty() {
        return Ok(());
    }
    if let Some(info) = reader.terms().get(text)? {
        push_postings(reader, &info, docs)?;
    }
    Ok(())
}

fn push_postings(
    reader: &InvertedIndexReader,
    info: &TermInfo,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    let mut block = reader.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
    loop {
        let chunk = block.docs();
        if chunk.is_empty() {
            return Ok(());
        }
        docs.extend_from_slice(chunk);
        block.advance();
    }
}

fn push_prefix(
    reader: &InvertedIndexReader,
    prefix: &str,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    let mut stream = reader
        .terms()
        .range()
        .ge(prefix.as_bytes())
        .lt(prefix_upper_bound(prefix.as_bytes()))
        .into_stream()?;
    let mut expanded = 0;
    while stream.advance() {
        expanded += 1;
        if expanded > MAX_PREFIX_TERMS {
            break;
        }
        push_postings(reader, stream.value(), docs)?;
    }
    Ok(())
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

fn push_fuzzy(
    reader: &InvertedIndexReader,
    dfa: &DFA,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    let mut stream = reader.terms().search(DfaAutomaton(dfa)).into_stream()?;
    while stream.advance() {
        push_postings(reader, stream.value(), docs)?;
    }
    Ok(())
}

/// A Levenshtein DFA as an FST automaton: the term dictionary is walked
/// once, pruned wherever no term can come within the distance.
struct DfaAutomaton<'a>(&'a DFA);

impl Automaton for DfaAutomaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
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
}
