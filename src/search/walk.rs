//! A term-dictionary walk for typos: an FST automaton whose state is a row
//! of the edit-distance table, so nothing is built per query.
//!
//! Walking the dictionary with it visits only the branches where some
//! prefix is still within the allowed number of edits (insertions,
//! deletions, substitutions, and transpositions of adjacent letters, each
//! costing one: the optimal string alignment distance, as ranking uses).
//! Every letter may be wrong, the first included: a slip on the first
//! letter (`NARCIA` for GARCIA, `NDRE` for ANDRE, `ERNER` for RENER) is
//! rarer than one further on, but staff taking a name down by ear make it
//! often enough that a search which cannot find it loses the voter. Such
//! a walk visits every branch of the dictionary's first letters and prunes
//! from the second or third on, so it costs several times a walk that
//! keeps the first letter as typed: lookups take that one first.

use tantivy_fst::Automaton;

/// Longest token walked; longer ones are looked up exactly only.
pub const MAX_WALK_LEN: usize = 30;

/// Most edits a walk allows; the ranking never allows more.
pub const MAX_WALK_EDITS: u8 = 2;

/// Cells of a row that can stay within [`MAX_WALK_EDITS`]: the diagonal and
/// that many on each side.
const BAND: usize = 2 * MAX_WALK_EDITS as usize + 1;

/// Terms within `max` edits of `query`, wherever the edits fall or with
/// the first letter as typed.
#[derive(Debug, Clone, Copy)]
pub struct Typos<'a> {
    query: &'a [u8],
    max: u8,
    /// The first letter must be as typed.
    anchored: bool,
}

impl<'a> Typos<'a> {
    /// Terms within `max` edits wherever they fall, the first letter
    /// included. `None` when `query` is empty, too long, or no edit is
    /// allowed; more than [`MAX_WALK_EDITS`] edits are not walked either.
    pub fn anywhere(query: &'a [u8], max: u8) -> Option<Typos<'a>> {
        Typos::new(query, max, false)
    }

    /// The same, but only terms that begin with `query`'s first letter: a
    /// walk that prunes all but one branch at its first step, and so costs
    /// a fraction of one [`Typos::anywhere`] (a common surname's letters
    /// meet thousands of the dictionary's two- and three-letter starts).
    pub fn keeping_first_letter(query: &'a [u8], max: u8) -> Option<Typos<'a>> {
        Typos::new(query, max, true)
    }

    fn new(query: &'a [u8], max: u8, anchored: bool) -> Option<Typos<'a>> {
        debug_assert!(max <= MAX_WALK_EDITS, "{max} edits are never walked");
        (max > 0 && max <= MAX_WALK_EDITS && !query.is_empty() && query.len() <= MAX_WALK_LEN)
            .then_some(Typos {
                query,
                max,
                anchored,
            })
    }
}

/// Where a walk stands: the band around the diagonal of the last two rows
/// of the table over the query's letters, and the last letter read. Cells
/// further from the diagonal exceed the allowed edits, so they are never
/// kept; the state stays small enough that the dictionary stream copies it
/// cheaply at every branch.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// Letters read: the current row.
    row: u8,
    /// False once the walk cannot lead to a match.
    alive: bool,
    /// Last letter read.
    last: u8,
    /// Row `r - 1` (where `r` is the current row), cells
    /// `r - 1 - max ..= r - 1 + max`.
    previous: [u8; BAND],
    /// Row `r`, cells `r - max ..= r + max`.
    current: [u8; BAND],
}

impl Typos<'_> {
    /// Value of cells outside the table or past the allowed edits.
    fn limit(&self) -> u8 {
        self.max + 1
    }

    /// Column of band cell `k` in row `row`, when inside the table.
    fn column(&self, row: usize, k: usize) -> Option<usize> {
        (row + k)
            .checked_sub(self.max as usize)
            .filter(|&column| column <= self.query.len())
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
            row: 0,
            alive: true,
            last: 0,
            previous: [limit; BAND],
            current,
        }
    }

    fn is_match(&self, state: &Rows) -> bool {
        if !state.alive {
            return false;
        }
        let row = state.row as usize;
        // The last column sits in the band only within `max` of the row.
        (self.query.len() + self.max as usize)
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
        // Two words that begin alike are as far apart as their rests.
        if self.anchored && state.row == 0 && byte != self.query[0] {
            return Rows {
                alive: false,
                ..*state
            };
        }
        let query = self.query;
        let limit = self.limit();
        let max = self.max as usize;
        let row = state.row as usize + 1; // the row being filled
        if row > query.len() + max {
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
        let last = (2 * max).min(query.len() + max - row);
        for k in first..=last {
            let column = row + k - max;
            let value = if column == 0 {
                // Every letter read so far deleted.
                row.min(limit as usize) as u8
            } else {
                let cost = u8::from(query[column - 1] != byte);
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
                    && query[column - 1] == state.last
                    && query[column - 2] == byte
                {
                    value = value.min(state.previous[k].saturating_add(1));
                }
                value.min(limit)
            };
            next[k] = value;
            row_min = row_min.min(value);
        }
        Rows {
            row: state.row.saturating_add(1),
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
        let automaton = Typos::anywhere(query.as_bytes(), max).unwrap();
        let mut state = automaton.start();
        for &byte in term.as_bytes() {
            state = automaton.accept(&state, byte);
        }
        automaton.is_match(&state)
    }

    #[test]
    fn accepts_what_the_distance_allows() {
        assert!(matches("MARTIN", 1, "MARTIN"));
        assert!(matches("MARTIN", 1, "MARTINS"));
        assert!(matches("MARTIN", 1, "MATIN"));
        assert!(matches("MARTIN", 1, "MRATIN"), "transposition");
        assert!(!matches("MARTIN", 1, "MRATINS"));
        assert!(matches("MARTIN", 2, "MRATINS"));
        assert!(!matches("MARTIN", 1, "M"));
        assert!(matches("AB", 2, "A"));
        assert!(matches("A", 2, "ABC"));
        assert!(!matches("A", 2, "ABCD"));
    }

    #[test]
    fn slips_on_the_first_letter_are_found() {
        assert!(matches("NARCIA", 1, "GARCIA"), "substitution");
        assert!(matches("FDURAN", 1, "DURAN"), "a letter in front");
        assert!(matches("NDRE", 1, "ANDRE"), "the first letter dropped");
        assert!(matches("ERNER", 1, "RENER"), "the first two swapped");
        assert!(matches("NRACIA", 2, "GARCIA"));
        assert!(!matches("NRACIA", 1, "GARCIA"));
        assert!(!matches("MARTIN", 2, "NAPTIM"));
    }

    fn matches_keeping_first_letter(query: &str, max: u8, term: &str) -> bool {
        let automaton = Typos::keeping_first_letter(query.as_bytes(), max).unwrap();
        let mut state = automaton.start();
        for &byte in term.as_bytes() {
            state = automaton.accept(&state, byte);
        }
        automaton.is_match(&state)
    }

    #[test]
    fn a_walk_may_keep_the_first_letter() {
        assert!(matches_keeping_first_letter("MARTIN", 1, "MRATIN"));
        assert!(!matches_keeping_first_letter("NARCIA", 1, "GARCIA"));
        assert!(!matches_keeping_first_letter("NDRE", 1, "ANDRE"));
    }

    proptest::proptest! {
        #[test]
        fn a_walk_keeping_the_first_letter_is_the_walk_of_the_rest(
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
            proptest::prop_assert_eq!(matches_keeping_first_letter(&query, max, &term), expected);
        }

        #[test]
        fn walks_exactly_the_terms_the_ranking_accepts(
            query in "[A-E]{1,9}",
            term in "[A-E]{1,11}",
            max in 1u8..=MAX_WALK_EDITS,
        ) {
            let expected =
                crate::search::distance::within(query.as_bytes(), term.as_bytes(), max).is_some();
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
            "UDPONT",
            "DUOPNT",
            "MARTIN",
            "NARTIN",
            "ARTIN",
            "MARTINEZ",
            "MARTINS",
            "BERNARD",
            "BERNAD",
            "BRENARD",
            "EBRNARD",
            "BERANRD",
            "FONTAINE",
            "FONTENE",
            "FONTAINES",
            "DUPOTN",
        ];
        for a in words {
            for b in words {
                for max in 1..=2 {
                    let expected =
                        crate::search::distance::within(a.as_bytes(), b.as_bytes(), max).is_some();
                    assert_eq!(matches(a, max, b), expected, "{a} / {b} within {max}");
                }
            }
        }
    }
}
