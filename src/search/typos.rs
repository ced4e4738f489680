//! Which terms count as a typo of a typed word: within the allowed number
//! of edits (insertions, deletions, substitutions, and transpositions of
//! adjacent letters, each costing one: the optimal string alignment
//! distance ranking uses), wherever they fall or with the first letter as
//! typed.
//!
//! Every letter may be wrong, the first included: a slip on the first
//! letter (`NARCIA` for GARCIA, `NDRE` for ANDRE, `ERNER` for RENER) is
//! rarer than one further on, but staff taking a name down by ear make it
//! often enough that a search which cannot find it loses the voter. The
//! candidates come from the artifact's deletion neighbourhoods
//! ([`voter_core::deletions`]), which cost the same wherever the typo
//! falls; [`Typos::accepts`] then keeps those the distance allows. The
//! near step still keeps the first letter as typed, so that a typo
//! further on (the common case) is answered before a first-letter slip
//! that happens to spell another name.

use super::distance;
use voter_core::deletions::{MAX_DELETIONS, MAX_TERM_LEN};

/// Longest token looked up with typos; longer ones are looked up exactly.
pub const MAX_TYPO_LEN: usize = MAX_TERM_LEN;

/// Most edits a lookup allows; the ranking never allows more.
pub const MAX_TYPO_EDITS: u8 = MAX_DELETIONS;

/// Where the typos of a walk may fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// After the first letter, which is kept as typed: the common case.
    /// The terms that begin with the letter typed and whose rest is within
    /// the edits of the rest typed.
    AfterFirstLetter,
    /// Anywhere, the first letter included.
    Anywhere,
    /// Anywhere, but only the terms [`Place::AfterFirstLetter`] leaves out:
    /// those a walk anywhere adds to it.
    OnFirstLetter,
}

/// Terms within `max` edits of `query`, in the [`Place`] allowed.
#[derive(Debug, Clone, Copy)]
pub struct Typos<'a> {
    query: &'a [u8],
    max: u8,
    place: Place,
}

impl<'a> Typos<'a> {
    /// Terms within `max` edits of `query` in `place`. `None` when `query`
    /// is empty, too long, or no edit is allowed; more than
    /// [`MAX_TYPO_EDITS`] edits are not looked for.
    pub fn new(query: &'a [u8], max: u8, place: Place) -> Option<Typos<'a>> {
        debug_assert!(max <= MAX_TYPO_EDITS, "{max} edits are never looked for");
        (max > 0 && max <= MAX_TYPO_EDITS && !query.is_empty() && query.len() <= MAX_TYPO_LEN)
            .then_some(Typos { query, max, place })
    }

    /// The word typed.
    pub fn query(&self) -> &'a [u8] {
        self.query
    }

    /// Edits allowed.
    pub fn max(&self) -> u8 {
        self.max
    }

    /// True when `term` is within the edits allowed, in the place allowed.
    pub fn accepts(&self, term: &[u8]) -> bool {
        let anchored = || {
            term.first() == self.query.first()
                && distance::within(&self.query[1..], &term[1..], self.max).is_some()
        };
        let anywhere = || distance::within(self.query, term, self.max).is_some();
        match self.place {
            Place::AfterFirstLetter => anchored(),
            Place::Anywhere => anywhere(),
            Place::OnFirstLetter => anywhere() && !anchored(),
        }
    }
}

/// The rows of a French (AZERTY) keyboard's letters, each shifted half a
/// key right of the one above.
const AZERTY: [&[u8]; 3] = [b"AZERTYUIOP", b"QSDFGHJKLM", b"WXCVBN"];

/// True when the keys of `a` and `b` touch on an AZERTY keyboard.
fn neighbours(a: u8, b: u8) -> bool {
    let at = |key: u8| {
        AZERTY.iter().enumerate().find_map(|(row, keys)| {
            keys.iter()
                .position(|&k| k == key)
                .map(|col| (row as i32, col as i32))
        })
    };
    let (Some((ra, ca)), Some((rb, cb))) = (at(a), at(b)) else {
        return false;
    };
    match rb - ra {
        0 => (ca - cb).abs() == 1,
        // Each row sits half a key right of the one above: a key touches
        // the key below it and the one below-left.
        1 => cb == ca || cb == ca - 1,
        -1 => cb == ca || cb == ca + 1,
        _ => false,
    }
}

/// True when `term` is one edit from `typed` of the kind fingers make:
/// two letters swapped, a key pressed for its neighbour, a letter doubled
/// or undoubled, a neighbour's key caught beside the right one. Between
/// two names one edit away, the one a slip of the fingers explains is the
/// likelier; both stay within the budget either way.
pub fn finger_slip(typed: &[u8], term: &[u8]) -> bool {
    let start = typed.iter().zip(term).take_while(|(a, b)| a == b).count();
    let (a, b) = (&typed[start..], &term[start..]);
    let end = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (
        &a[..a.len().saturating_sub(end)],
        &b[..b.len().saturating_sub(end)],
    );
    // A letter added or left out is a slip when it repeats, or sits on a
    // key beside, a letter next to it in the longer word.
    let beside = |word: &[u8], at: usize, letter: u8| {
        [
            at.checked_sub(1).and_then(|i| word.get(i)),
            word.get(at + 1),
        ]
        .into_iter()
        .flatten()
        .any(|&near| near == letter || neighbours(near, letter))
    };
    match (a, b) {
        ([x], [y]) => neighbours(*x, *y),
        ([x, y], [p, q]) => x == q && y == p,
        ([extra], []) => beside(typed, start, *extra),
        ([], [missing]) => beside(term, start, *missing),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches_in(place: Place, query: &str, max: u8, term: &str) -> bool {
        Typos::new(query.as_bytes(), max, place)
            .unwrap()
            .accepts(term.as_bytes())
    }

    fn matches(query: &str, max: u8, term: &str) -> bool {
        matches_in(Place::Anywhere, query, max, term)
    }

    fn matches_keeping_first_letter(query: &str, max: u8, term: &str) -> bool {
        matches_in(Place::AfterFirstLetter, query, max, term)
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

    #[test]
    fn a_lookup_may_keep_the_first_letter() {
        assert!(matches_keeping_first_letter("MARTIN", 1, "MRATIN"));
        assert!(!matches_keeping_first_letter("NARCIA", 1, "GARCIA"));
        assert!(!matches_keeping_first_letter("NDRE", 1, "ANDRE"));
        // What the first letter kept leaves out, and only that.
        let on_first_letter = |query, term| matches_in(Place::OnFirstLetter, query, 1, term);
        assert!(on_first_letter("NARCIA", "GARCIA"));
        assert!(on_first_letter("NDRE", "ANDRE"));
        assert!(!on_first_letter("MARTIN", "MRATIN"));
        assert!(!on_first_letter("MARTIN", "MARTIN"));
    }

    #[test]
    fn slips_of_the_fingers_are_told_from_other_edits() {
        assert!(finger_slip(b"FARBE", b"FABRE"), "two letters swapped");
        assert!(
            finger_slip(b"GUITONIER", b"GUITINIER"),
            "O for its neighbour I"
        );
        assert!(finger_slip(b"PAINOH", b"PAINON"), "H above N");
        assert!(finger_slip(b"MARE", b"MARRE"), "a doubled letter left out");
        assert!(finger_slip(b"MARRTIN", b"MARTIN"), "a letter doubled");
        assert!(finger_slip(b"MARTINB", b"MARTIN"), "B caught beside N");
        assert!(
            !finger_slip(b"MARTINM", b"MARTIN"),
            "M is at the end of the home row"
        );
        assert!(!finger_slip(b"FARBE", b"BARBE"), "F and B do not touch");
        assert!(!finger_slip(b"DENSI", b"DENTI"));
        assert!(finger_slip(b"DENSI", b"DENIS"));
        assert!(
            !finger_slip(b"MUNIER", b"MOUNIER"),
            "O is not beside U or N"
        );
        assert!(!finger_slip(b"MARTIN", b"MARTIN"), "no edit");
        assert!(!finger_slip(b"MARTIN", b"MRATINS"), "two edits");
    }

    #[test]
    fn nothing_is_looked_for_without_an_edit_or_a_word() {
        assert!(Typos::new(b"MARTIN", 0, Place::Anywhere).is_none());
        assert!(Typos::new(b"", 1, Place::Anywhere).is_none());
        assert!(Typos::new(&[b'A'; MAX_TYPO_LEN + 1], 1, Place::Anywhere).is_none());
    }

    proptest::proptest! {
        /// The near step and the step after it read, between them, exactly
        /// the terms a walk anywhere reads, never the same term twice.
        #[test]
        fn the_first_letter_kept_and_the_first_letter_changed_share_out_anywhere(
            query in "[A-E]{1,9}",
            term in "[A-E]{1,11}",
            max in 1u8..=MAX_TYPO_EDITS,
        ) {
            let accepts = |place| {
                Typos::new(query.as_bytes(), max, place).unwrap().accepts(term.as_bytes())
            };
            let (kept, changed) = (accepts(Place::AfterFirstLetter), accepts(Place::OnFirstLetter));
            proptest::prop_assert!(!(kept && changed));
            proptest::prop_assert_eq!(kept || changed, accepts(Place::Anywhere));
        }
    }

    proptest::proptest! {
        /// A slip is one edit: whatever the words, the judgement never
        /// panics, and it calls nothing further than one edit a slip.
        #[test]
        fn a_finger_slip_is_always_one_edit(typed in "[A-F]{0,8}", term in "[A-F]{0,8}") {
            if finger_slip(typed.as_bytes(), term.as_bytes()) {
                proptest::prop_assert_eq!(
                    distance::within(typed.as_bytes(), term.as_bytes(), 2),
                    Some(1)
                );
            }
        }
    }

    proptest::proptest! {
        /// What the deletion neighbourhoods offer, filtered by `accepts`,
        /// is exactly the dictionary's terms within the edits: none is
        /// missed wherever its typos fall.
        #[test]
        fn the_deletion_neighbourhoods_offer_every_term_accepted(
            terms in proptest::collection::vec("[A-E]{1,11}", 1..30),
            query in "[A-E]{1,9}",
            max in 1u8..=MAX_TYPO_EDITS,
            place in proptest::sample::select(vec![
                Place::AfterFirstLetter,
                Place::Anywhere,
                Place::OnFirstLetter,
            ]),
        ) {
            use voter_core::deletions::{Deletions, Dictionary};
            let deletions = Deletions::build(terms.iter().map(|t| t.as_bytes()), []).expect("the terms fit");
            let typos = Typos::new(query.as_bytes(), max, place).unwrap();
            let mut offered = Vec::new();
            deletions.candidates(Dictionary::Surnames, query.as_bytes(), max, &mut Vec::new(), |term| {
                if typos.accepts(term) {
                    offered.push(term.to_vec());
                }
            });
            let mut expected: Vec<Vec<u8>> = terms
                .iter()
                .map(|t| t.as_bytes().to_vec())
                .filter(|term| typos.accepts(term))
                .collect();
            expected.sort();
            expected.dedup();
            proptest::prop_assert_eq!(offered, expected);
        }
    }
}
