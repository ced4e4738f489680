//! A term-dictionary walk for typos: an FST automaton whose state is a row
//! of the edit-distance table, so nothing is built per query.
//!
//! Walking the dictionary with it visits only the branches where some
//! prefix is still within the allowed number of edits (insertions,
//! deletions, substitutions, and transpositions of adjacent letters, each
//! costing one: the optimal string alignment distance, as ranking uses).
//! The first letter is kept as typed: people seldom get it wrong, a
//! sound-alike start (`PH`/`F`) is the phonetic key's job, and anchoring it
//! spares the walk most of the dictionary.

use tantivy_fst::Automaton;

/// Longest token walked; longer ones are looked up exactly only.
pub const MAX_WALK_LEN: usize = 30;

/// Terms within `max` edits of `query`, starting with its first letter.
#[derive(Debug, Clone, Copy)]
pub struct Typos<'a> {
    query: &'a [u8],
    max: u8,
}

impl<'a> Typos<'a> {
    /// `None` when `query` is empty, too long, or no edit is allowed.
    pub fn new(query: &'a [u8], max: u8) -> Option<Typos<'a>> {
        (max > 0 && !query.is_empty() && query.len() <= MAX_WALK_LEN)
            .then_some(Typos { query, max })
    }
}

/// Where a walk stands: the last two rows of the table over the query's
/// letters after the first, and the last letter read.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// Letters read (0: the first letter has not been read).
    depth: u8,
    /// False once the walk cannot lead to a match.
    alive: bool,
    previous: [u8; MAX_WALK_LEN + 1],
    current: [u8; MAX_WALK_LEN + 1],
    last: u8,
}

impl Typos<'_> {
    fn rest(&self) -> &[u8] {
        &self.query[1..]
    }
}

impl Automaton for Typos<'_> {
    type State = Rows;

    fn start(&self) -> Rows {
        let limit = self.max + 1;
        let mut current = [limit; MAX_WALK_LEN + 1];
        for (j, cell) in current.iter_mut().enumerate().take(self.rest().len() + 1) {
            *cell = j.min(limit as usize) as u8;
        }
        Rows {
            depth: 0,
            alive: true,
            previous: [limit; MAX_WALK_LEN + 1],
            current,
            last: 0,
        }
    }

    fn is_match(&self, state: &Rows) -> bool {
        state.alive && state.depth > 0 && state.current[self.rest().len()] <= self.max
    }

    fn can_match(&self, state: &Rows) -> bool {
        state.alive
    }

    fn accept(&self, state: &Rows, byte: u8) -> Rows {
        if !state.alive {
            return *state;
        }
        if state.depth == 0 {
            // The first letter must be the query's; the table starts after it.
            let mut next = *state;
            next.depth = 1;
            next.alive = byte == self.query[0];
            return next;
        }
        let rest = self.rest();
        let limit = self.max + 1;
        let mut next = [limit; MAX_WALK_LEN + 1];
        let row = state.depth as usize; // letters of the term after the first, +1
        next[0] = row.min(limit as usize) as u8;
        let mut row_min = next[0];
        // Only a band around the diagonal can stay within `max` edits.
        let band = self.max as usize;
        let from = row.saturating_sub(band).max(1);
        let to = (row + band).min(rest.len());
        for j in from..=to {
            let cost = u8::from(rest[j - 1] != byte);
            let mut value = state.current[j - 1]
                .saturating_add(cost)
                .min(state.current[j].saturating_add(1))
                .min(next[j - 1].saturating_add(1));
            if j > 1 && row > 1 && rest[j - 1] == state.last && rest[j - 2] == byte {
                value = value.min(state.previous[j - 2].saturating_add(1));
            }
            next[j] = value.min(limit);
            row_min = row_min.min(next[j]);
        }
        Rows {
            depth: state.depth.saturating_add(1),
            alive: row_min <= self.max,
            previous: state.current,
            current: next,
            last: byte,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(query: &str, max: u8, term: &str) -> bool {
        let automaton = Typos::new(query.as_bytes(), max).unwrap();
        let mut state = automaton.start();
        for &byte in term.as_bytes() {
            state = automaton.accept(&state, byte);
        }
        automaton.is_match(&state)
    }

    #[test]
    fn accepts_what_the_distance_allows_and_keeps_the_first_letter() {
        assert!(matches("MARTIN", 1, "MARTIN"));
        assert!(matches("MARTIN", 1, "MARTINS"));
        assert!(matches("MARTIN", 1, "MATIN"));
        assert!(matches("MARTIN", 1, "MRATIN"), "transposition");
        assert!(!matches("MARTIN", 1, "MRATINS"));
        assert!(matches("MARTIN", 2, "MRATINS"));
        assert!(!matches("MARTIN", 2, "NARTIN"), "the first letter is kept");
        assert!(!matches("MARTIN", 1, "M"));
    }

    #[test]
    fn agrees_with_the_ranking_distance() {
        let words = [
            "DUPONT",
            "DUPOND",
            "DUPONTE",
            "DPUONT",
            "DUOPNT",
            "MARTIN",
            "MARTINEZ",
            "MARTINS",
            "BERNARD",
            "BERNAD",
            "BRENARD",
            "BERANRD",
            "FONTAINE",
            "FONTENE",
            "FONTAINES",
            "DUPOTN",
        ];
        for a in words {
            for b in words {
                if a.as_bytes()[0] != b.as_bytes()[0] {
                    continue;
                }
                for max in 1..=2 {
                    let expected = crate::search::distance::within(
                        &a.as_bytes()[1..],
                        &b.as_bytes()[1..],
                        max,
                    )
                    .is_some();
                    assert_eq!(matches(a, max, b), expected, "{a} / {b} within {max}");
                }
            }
        }
    }
}
