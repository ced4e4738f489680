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

/// Most edits a walk allows; the ranking never allows more.
pub const MAX_WALK_EDITS: u8 = 2;

/// Cells of a row that can stay within [`MAX_WALK_EDITS`]: the diagonal and
/// that many on each side.
const BAND: usize = 2 * MAX_WALK_EDITS as usize + 1;

/// Terms within `max` edits of `query`, starting with its first letter.
#[derive(Debug, Clone, Copy)]
pub struct Typos<'a> {
    query: &'a [u8],
    max: u8,
}

impl<'a> Typos<'a> {
    /// `None` when `query` is empty, too long, or no edit is allowed; more
    /// than [`MAX_WALK_EDITS`] edits are not walked either.
    pub fn new(query: &'a [u8], max: u8) -> Option<Typos<'a>> {
        debug_assert!(max <= MAX_WALK_EDITS, "{max} edits are never walked");
        (max > 0 && max <= MAX_WALK_EDITS && !query.is_empty() && query.len() <= MAX_WALK_LEN)
            .then_some(Typos { query, max })
    }
}

/// Where a walk stands: the band around the diagonal of the last two rows
/// of the table over the query's letters after the first, and the last
/// letter read. Cells further from the diagonal exceed the allowed edits,
/// so they are never kept; the state stays small enough that the dictionary
/// stream copies it cheaply at every branch.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// Letters read (0: the first letter has not been read).
    depth: u8,
    /// False once the walk cannot lead to a match.
    alive: bool,
    /// Last letter read.
    last: u8,
    /// Row `r - 1` (where `r = depth - 1` is the current row), cells
    /// `r - 1 - max ..= r - 1 + max`.
    previous: [u8; BAND],
    /// Row `r`, cells `r - max ..= r + max`.
    current: [u8; BAND],
}

impl Typos<'_> {
    fn rest(&self) -> &[u8] {
        &self.query[1..]
    }

    /// Value of cells outside the table or past the allowed edits.
    fn limit(&self) -> u8 {
        self.max + 1
    }

    /// Column of band cell `k` in row `row`, when inside the table.
    fn column(&self, row: usize, k: usize) -> Option<usize> {
        (row + k)
            .checked_sub(self.max as usize)
            .filter(|&column| column <= self.rest().len())
    }
}

impl Automaton for Typos<'_> {
    type State = Rows;

    fn start(&self) -> Rows {
        let limit = self.limit();
        let mut current = [limit; BAND];
        for (k, cell) in current.iter_mut().enumerate() {
            if let Some(column) = self.column(0, k) {
                *cell = column.min(limit as usize) as u8;
            }
        }
        Rows {
            depth: 0,
            alive: true,
            last: 0,
            previous: [limit; BAND],
            current,
        }
    }

    fn is_match(&self, state: &Rows) -> bool {
        if !state.alive || state.depth == 0 {
            return false;
        }
        let row = state.depth as usize - 1;
        // The last column sits in the band only within `max` of the row.
        (self.rest().len() + self.max as usize)
            .checked_sub(row)
            .filter(|&k| k < BAND)
            .is_some_and(|k| state.current[k] <= self.max)
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
        let limit = self.limit();
        let max = self.max as usize;
        let row = state.depth as usize; // the row being filled
        if row > rest.len() + max {
            // Past the query's end by more than the allowed edits.
            return Rows {
                alive: false,
                ..*state
            };
        }
        let mut next = [limit; BAND];
        let mut row_min = limit;
        // Band cell `k` is column `row + k - max`; those left of the table
        // are skipped, and the walk stops at its right edge.
        let first = max.saturating_sub(row);
        let last = (2 * max).min(rest.len() + max - row);
        for k in first..=last {
            let column = row + k - max;
            let value = if column == 0 {
                // Every letter read so far deleted.
                row.min(limit as usize) as u8
            } else {
                let cost = u8::from(rest[column - 1] != byte);
                let above = if k < 2 * max {
                    state.current[k + 1]
                } else {
                    limit
                };
                let left = if k > first { next[k - 1] } else { limit };
                let mut value = state.current[k]
                    .saturating_add(cost)
                    .min(above.saturating_add(1))
                    .min(left.saturating_add(1));
                if column > 1
                    && row > 1
                    && rest[column - 1] == state.last
                    && rest[column - 2] == byte
                {
                    value = value.min(state.previous[k].saturating_add(1));
                }
                value.min(limit)
            };
            next[k] = value;
            row_min = row_min.min(value);
        }
        Rows {
            depth: state.depth.saturating_add(1),
            alive: row_min <= self.max,
            last: byte,
            previous: state.current,
            current: next,
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
        assert!(matches("AB", 2, "A"));
        assert!(matches("A", 2, "ABC"));
        assert!(!matches("A", 2, "ABCD"));
    }

    proptest::proptest! {
        #[test]
        fn walks_exactly_the_terms_the_ranking_accepts(
            query in "[A-E]{1,9}",
            term in "[A-E]{1,11}",
            max in 1u8..=MAX_WALK_EDITS,
        ) {
            let expected = query.as_bytes()[0] == term.as_bytes()[0]
                && crate::search::distance::within(
                    &query.as_bytes()[1..],
                    &term.as_bytes()[1..],
                    max,
                )
                .is_some();
            proptest::prop_assert_eq!(matches(&query, max, &term), expected);
        }
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
