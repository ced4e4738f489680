//! Edit distance between a typed token and a voter's term, bounded: the
//! optimal string alignment distance (insertions, deletions, substitutions
//! and transpositions of adjacent letters, each costing one), computed only
//! as far as the bound, on a band of the table.
//!
//! Ranking compares a token with a handful of terms per candidate; a
//! Levenshtein automaton would cost more to build than this costs to run.

/// Longest input handled; longer ones are compared only for equality.
const MAX_LEN: usize = 48;

/// The distance between `a` and `b` when it is at most `max`, else `None`.
pub fn within(a: &[u8], b: &[u8], max: u8) -> Option<u8> {
    if a.len().abs_diff(b.len()) > max as usize {
        return None;
    }
    if a == b {
        return Some(0);
    }
    if a.len() > MAX_LEN || b.len() > MAX_LEN || max == 0 {
        return None;
    }
    // Most terms a candidate carries are nowhere near the token: a letter
    // of one that the other lacks costs an edit of its own, which rules
    // them out before the table is filled.
    if letters_missing(a, b) > max || letters_missing(b, a) > max {
        return None;
    }
    let max = max as usize;
    let big = (max + 1) as u8;
    let width = b.len() + 1;
    // Three rows of the table: two back (for transpositions), one back, now.
    let mut before = [big; MAX_LEN + 1];
    let mut previous = [big; MAX_LEN + 1];
    let mut current = [big; MAX_LEN + 1];
    for (j, cell) in previous.iter_mut().enumerate().take(width) {
        *cell = j.min(max + 1) as u8;
    }
    for i in 1..=a.len() {
        current[..width].fill(big);
        current[0] = i.min(max + 1) as u8;
        let from = i.saturating_sub(max).max(1);
        let to = (i + max).min(b.len());
        let mut row_min = current[0];
        for j in from..=to {
            let substitution = previous[j - 1] + u8::from(a[i - 1] != b[j - 1]);
            let mut value = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value.min(big);
            row_min = row_min.min(current[j]);
        }
        if row_min as usize > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance as usize <= max).then_some(distance)
}

/// Letters of `a` (counted with repeats) whose letter `b` never uses: each
/// needs an edit of its own, so this bounds the distance from below.
fn letters_missing(a: &[u8], b: &[u8]) -> u8 {
    let present = b.iter().fold(0u64, |mask, &byte| mask | 1 << (byte & 63));
    let missing = a
        .iter()
        .filter(|&&byte| present & (1 << (byte & 63)) == 0)
        .count();
    missing.min(u8::MAX as usize) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_of_edit_once() {
        assert_eq!(within(b"MARTIN", b"MARTIN", 2), Some(0));
        assert_eq!(within(b"MARTIN", b"MARTINS", 2), Some(1), "insertion");
        assert_eq!(within(b"MARTIN", b"MATIN", 2), Some(1), "deletion");
        assert_eq!(within(b"MARTIN", b"MORTIN", 2), Some(1), "substitution");
        assert_eq!(within(b"MARTIN", b"MRATIN", 2), Some(1), "transposition");
        assert_eq!(within(b"GAUTHIER", b"GOTHIER", 2), Some(2));
        assert_eq!(within(b"DUPONT", b"DURAND", 2), None);
        assert_eq!(within(b"SAN", b"SAIN", 1), Some(1));
        assert_eq!(within(b"AB", b"BA", 1), Some(1));
        assert_eq!(within(b"", b"AB", 2), Some(2));
        assert_eq!(within(b"ABC", b"ABC", 0), Some(0));
        assert_eq!(within(b"ABC", b"ABD", 0), None);
    }

    #[test]
    fn agrees_with_the_automaton_on_many_pairs() {
        let builder = levenshtein_automata::LevenshteinAutomatonBuilder::new(2, true);
        let words = [
            "DUPONT", "DUPOND", "DUPONTE", "DPUONT", "MARTIN", "MARTINEZ", "MARTINS", "BERNARD",
            "BERNAD", "BRENARD", "FONTAINE", "FONTENE", "LEROY", "LEROI", "LE", "EL", "A", "",
        ];
        for a in words {
            let dfa = builder.build_dfa(a);
            for b in words {
                let expected = match dfa.eval(b) {
                    levenshtein_automata::Distance::Exact(d) => Some(d),
                    levenshtein_automata::Distance::AtLeast(_) => None,
                };
                assert_eq!(within(a.as_bytes(), b.as_bytes(), 2), expected, "{a} / {b}");
            }
        }
    }

    /// The whole table, no band and no shortcut: what `within` must agree
    /// with.
    fn full_table(a: &[u8], b: &[u8]) -> usize {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in table.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in table[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut value = (table[i - 1][j - 1] + cost)
                    .min(table[i - 1][j] + 1)
                    .min(table[i][j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = value.min(table[i - 2][j - 2] + 1);
                }
                table[i][j] = value;
            }
        }
        table[a.len()][b.len()]
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_whole_table(
            a in "[ABCDE]{0,9}",
            b in "[ABCDE]{0,9}",
            max in 0u8..4,
        ) {
            let distance = full_table(a.as_bytes(), b.as_bytes());
            let expected = (distance <= max as usize).then_some(distance as u8);
            proptest::prop_assert_eq!(within(a.as_bytes(), b.as_bytes(), max), expected);
        }
    }
}
