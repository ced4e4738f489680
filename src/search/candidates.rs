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

/// How wide the candidate net is cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Exact, phonetic, prefixes of three letters or more, usual edits.
    Narrow,
    /// Also two-letter prefixes and the extended edit distance.
    Wide,
}

/// Terms a prefix may expand to; beyond it the prefix is too short to help.
const MAX_PREFIX_TERMS: usize = 2_000;
/// Candidates scored for one query, at most.
pub const MAX_CANDIDATES: usize = 60_000;

/// Candidate documents of one segment, sorted and without duplicates.
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
    let wide = reach == Reach::Wide;
    let mut units: Vec<(&str, &str, Option<&DFA>, bool)> = Vec::new();
    for (position, token) in parsed.tokens.iter().enumerate() {
        if token.particle {
            continue;
        }
        units.push((
            &token.text,
            &token.phonetic,
            query.token_walk_dfa(position, wide),
            true,
        ));
    }
    for (position, unit) in parsed.joined.iter().enumerate() {
        units.push((
            &unit.text,
            &unit.phonetic,
            query.joined_walk_dfa(position, wide),
            false,
        ));
    }
    let min_prefix = match reach {
        Reach::Narrow => 3,
        Reach::Wide => 2,
    };
    for (text, phonetic, dfa, prefixable) in units {
        if let Some(info) = terms.terms().get(text)? {
            push_postings(terms, &info, docs)?;
        }
        if !phonetic.is_empty()
            && text.len() > 1
            && let Some(info) = view.surname_phonetic.terms().get(phonetic)?
        {
            push_postings(&view.surname_phonetic, &info, docs)?;
        }
        if prefixable && text.len() >= min_prefix {
            push_prefix(terms, text, docs)?;
        }
        if let Some(dfa) = dfa {
            push_fuzzy(terms, dfa, docs)?;
        }
        if docs.len() > MAX_CANDIDATES * 4 {
            break;
        }
    }
    docs.sort_unstable();
    docs.dedup();
    docs.truncate(MAX_CANDIDATES);
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
