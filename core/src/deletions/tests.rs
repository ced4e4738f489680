use super::*;

/// The distance ranking uses (checked against the whole table in
/// `distance`'s own tests).
fn within_edits(word: &str, term: &str, max: u8) -> bool {
    crate::distance::within(word.as_bytes(), term.as_bytes(), max).is_some()
}

fn candidates(deletions: &Deletions, dictionary: Dictionary, word: &str, max: u8) -> Vec<String> {
    let mut scratch = Vec::new();
    let mut found = Vec::new();
    deletions.candidates(dictionary, word.as_bytes(), max, &mut scratch, |term| {
        found.push(String::from_utf8(term.to_vec()).unwrap());
    });
    found
}

fn within(deletions: &Deletions, dictionary: Dictionary, word: &str, max: u8) -> Vec<String> {
    let mut found = candidates(deletions, dictionary, word, max);
    found.retain(|term| within_edits(word, term, max));
    found.sort();
    found
}

const SURNAMES: [&str; 12] = [
    "GARCIA", "DURAN", "ANDRE", "RENER", "MARTIN", "MARTINEZ", "DUPONT", "DUPOND", "LE", "DE",
    "FONTAINE", "BERNARD",
];

#[test]
fn the_shortest_words_meet_through_the_empty_string() {
    // Two one-letter words are one substitution apart: deleting a letter
    // from each leaves the empty string, which must be listed too.
    let deletions = Deletions::build([b"C".as_slice(), b"AB", b"XYZ"], [b"MARIE".as_slice()])
        .expect("the terms fit");
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "A", 1),
        ["AB", "C"]
    );
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "CD", 2),
        ["AB", "C"]
    );
    assert_eq!(within(&deletions, Dictionary::Surnames, "X", 1), ["C"]);
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "X", 2),
        ["AB", "C", "XYZ"]
    );
}

#[test]
fn slips_on_the_first_letter_cost_nothing_more() {
    let deletions = Deletions::build(SURNAMES.map(str::as_bytes), [b"MARIE".as_slice()])
        .expect("the terms fit");
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "NARCIA", 1),
        ["GARCIA"]
    );
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "FDURAN", 1),
        ["DURAN"]
    );
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "NDRE", 1),
        ["ANDRE"]
    );
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "ERNER", 1),
        ["RENER"]
    );
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "NRACIA", 2),
        ["GARCIA"]
    );
    assert!(within(&deletions, Dictionary::Surnames, "NRACIA", 1).is_empty());
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "DUPONT", 1),
        ["DUPOND", "DUPONT"]
    );
    // The dictionaries are apart.
    assert!(within(&deletions, Dictionary::Surnames, "MARIE", 1).is_empty());
    assert_eq!(
        within(&deletions, Dictionary::GivenNames, "AMRIE", 1),
        ["MARIE"]
    );
}

#[test]
fn one_edit_reads_only_single_deletions() {
    let deletions = Deletions::build([b"ABCDEF".as_slice()], []).expect("the terms fit");
    // Two deletions from each side meet, but one edit was asked.
    assert!(candidates(&deletions, Dictionary::Surnames, "ABXYEF", 1).is_empty());
    assert_eq!(
        within(&deletions, Dictionary::Surnames, "ABXYEF", 2),
        ["ABCDEF"]
    );
}

#[test]
fn the_file_reads_back_and_refuses_damage() {
    let deletions = Deletions::build(SURNAMES.map(str::as_bytes), [b"MARIE".as_slice()])
        .expect("the terms fit");
    let bytes = deletions.to_bytes();
    assert_eq!(Deletions::from_bytes(&bytes).unwrap(), deletions);
    assert_eq!(deletions.terms(Dictionary::Surnames), SURNAMES.len());
    assert!(deletions.entries(Dictionary::Surnames) > SURNAMES.len() * 10);
    assert_eq!(
        Deletions::from_bytes(&bytes[..bytes.len() - 1]),
        Err(DeletionsError::Corrupt(1))
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        Deletions::from_bytes(&longer),
        Err(DeletionsError::Corrupt(2))
    );
    let mut bad_magic = bytes.clone();
    bad_magic[0] = b'X';
    assert_eq!(
        Deletions::from_bytes(&bad_magic),
        Err(DeletionsError::BadHeader)
    );
    // A term number past the table is refused, not followed.
    let mut bad_entry = bytes.clone();
    let last = bad_entry.len() - 16;
    bad_entry[last..last + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(Deletions::from_bytes(&bad_entry).is_err());
    assert!(Deletions::from_bytes(&[]).is_err());
    // Bucket bits outside what the builder writes (a shift of 64 for 0).
    for bits in [0, 3, 29, 255] {
        let mut bad_bits = bytes.clone();
        // magic, layout version, table count, then the first table's
        // dictionary code and its bucket bits.
        assert_eq!(bad_bits[12], 0, "the surname table comes first");
        bad_bits[13] = bits;
        assert!(Deletions::from_bytes(&bad_bits).is_err(), "{bits} bits");
    }
}

#[test]
fn deletions_of_a_word() {
    let mut seen = Vec::new();
    for_each_deletion(b"ABC", 2, |deleted| {
        seen.push(String::from_utf8(deleted.to_vec()).unwrap())
    });
    seen.sort();
    seen.dedup();
    assert_eq!(seen, ["A", "AB", "ABC", "AC", "B", "BC", "C"]);
}

proptest::proptest! {
    #[test]
    fn finds_every_term_within_the_edits(
        terms in proptest::collection::vec("[A-E]{1,10}", 1..40),
        word in "[A-E]{1,10}",
        max in 1u8..=MAX_DELETIONS,
    ) {
        let deletions = Deletions::build(terms.iter().map(|t| t.as_bytes()), []).expect("the terms fit");
        let mut expected: Vec<String> = terms
            .iter()
            .filter(|term| within_edits(&word, term, max))
            .cloned()
            .collect();
        expected.sort();
        expected.dedup();
        proptest::prop_assert_eq!(within(&deletions, Dictionary::Surnames, &word, max), expected);
    }
}
