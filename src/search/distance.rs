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
    let max = max as usize;
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a == b {
        return Some(0);
    }
    if a.len() > MAX_LEN || b.len() > MAX_LEN || max == 0 {
        return None;
    }
    let big = max + 1;
    // Three rows of the table: two back (for transpositions), one back, now.
    let mut before = [big; MAX_LEN + 1];
    let mut previous = [big; MAX_LEN + 1];
    let mut current = [big; MAX_LEN + 1];
    for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j.min(big);
    }
    for i in 1..=a.len() {
        current.fill(big);
        current[0] = i.min(big);
        let from = i.saturating_sub(max).max(1);
        let to = (i + max).min(b.len());
        let mut row_min = current[0];
        for j in from..=to {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut value = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value.min(big);
            row_min = row_min.min(current[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= max).then_some(distance as u8)
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
}
