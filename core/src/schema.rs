//! The tantivy schema of the voter index: the single definition that the
//! builder writes with and the server reads with.
//!
//! Names are analysed by [`crate::normalise`] before they reach tantivy, so
//! every text field uses the `raw` tokenizer: one value, one term. Each voter
//! is one document:
//!
//! | field | content |
//! |---|---|
//! | `surname_terms` | folded tokens and joined forms of both surnames (birth and usage): the dictionary exact, prefix and fuzzy searches walk to find candidates |
//! | `surname_phonetic` | French phonetic key of each of those terms |
//! | `given_terms`, `given_phonetic` | the same for the given names, to narrow candidates to those whose given names fit |
//! | `surname_prefix`, `given_prefix` | the first [`PREFIX_LENS`] letters of each of those terms (particles left out): a typed beginning (`CHA`, `MARTI`) is one posting list instead of a walk over the hundreds or thousands of names it begins |
//! | `station_order` | `CODE/ORDER` per membership, for lookups by signing-sheet number |
//! | `birth_date` | fast field, packed `yyyymmdd` ([`crate::model::BirthDate::to_packed`]) |
//! | `voter_id` | fast field, the voter's number in [`crate::name_records`] |
//!
//! What a result shows of each voter is not in the index but beside it
//! ([`crate::voter_records`]), by `voter_id`.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};

/// Bumped whenever the schema or the analysis of names changes: a server
/// refuses an artifact whose schema version differs from its own.
pub const SCHEMA_VERSION: u32 = 6;

/// Lengths of the beginnings indexed in `surname_prefix` and
/// `given_prefix`. Up to eight letters, a typed beginning is one posting
/// list: even six letters (`MARTIN`) begin hundreds of surnames in a
/// million-voter roll, each its own list to open and merge. Longer
/// beginnings begin few enough names to list them.
pub const PREFIX_LENS: std::ops::RangeInclusive<usize> = 2..=8;

/// The indexed beginnings of a folded `term`, shortest first (none of a
/// term shorter than the shortest length).
pub fn term_prefixes(term: &str) -> impl Iterator<Item = &str> {
    PREFIX_LENS
        .filter(move |&len| len <= term.len() && term.is_char_boundary(len))
        .map(move |len| &term[..len])
}

/// The three name fields a query token can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameField {
    /// `nom de naissance`
    BirthName,
    /// `nom d'usage`
    UsageName,
    /// `prénoms`
    GivenNames,
}

impl NameField {
    /// All name fields, in a fixed order (the index into per-field arrays).
    pub const ALL: [NameField; 3] = [
        NameField::BirthName,
        NameField::UsageName,
        NameField::GivenNames,
    ];

    /// Position in [`NameField::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name clients see in a result's `match` description.
    pub fn as_str(self) -> &'static str {
        match self {
            NameField::BirthName => "birth_name",
            NameField::UsageName => "usage_name",
            NameField::GivenNames => "first_names",
        }
    }

    /// True for the two surname fields.
    pub fn is_surname(self) -> bool {
        !matches!(self, NameField::GivenNames)
    }
}

/// Handles on the fields of the voter schema.
#[derive(Debug, Clone)]
pub struct VoterSchema {
    /// The tantivy schema itself.
    pub schema: Schema,
    /// Terms of both surnames: the dictionary candidates are found in.
    pub surname_terms: Field,
    /// Phonetic keys of the surname terms.
    pub surname_phonetic: Field,
    /// Terms of the given names.
    pub given_terms: Field,
    /// Phonetic keys of the given-name terms.
    pub given_phonetic: Field,
    /// Beginnings ([`PREFIX_LENS`]) of the surname terms.
    pub surname_prefix: Field,
    /// Beginnings ([`PREFIX_LENS`]) of the given-name terms.
    pub given_prefix: Field,
    /// `CODE/ORDER` of each membership.
    pub station_order: Field,
    /// Packed birth date, fast field.
    pub birth_date: Field,
    /// Insertion number of the voter, fast field: the key of its
    /// [`crate::name_records::NameRecord`].
    pub voter_id: Field,
}

impl VoterSchema {
    /// Builds the schema.
    pub fn new() -> VoterSchema {
        let mut builder = Schema::builder();
        let term_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let surname_terms = builder.add_text_field("surname_terms", term_options.clone());
        let surname_phonetic = builder.add_text_field("surname_phonetic", term_options.clone());
        let given_terms = builder.add_text_field("given_terms", term_options.clone());
        let given_phonetic = builder.add_text_field("given_phonetic", term_options.clone());
        let surname_prefix = builder.add_text_field("surname_prefix", term_options.clone());
        let given_prefix = builder.add_text_field("given_prefix", term_options.clone());
        let station_order = builder.add_text_field("station_order", term_options);
        let birth_date = builder.add_u64_field("birth_date", FAST | INDEXED);
        let voter_id = builder.add_u64_field("voter_id", FAST);
        VoterSchema {
            schema: builder.build(),
            surname_terms,
            surname_phonetic,
            given_terms,
            given_phonetic,
            surname_prefix,
            given_prefix,
            station_order,
            birth_date,
            voter_id,
        }
    }

    /// Reads the field handles from an opened index's schema, failing when a
    /// field is missing (an artifact of another schema).
    pub fn from_schema(schema: &Schema) -> Result<VoterSchema, tantivy::TantivyError> {
        let field = |name: &str| schema.get_field(name);
        Ok(VoterSchema {
            schema: schema.clone(),
            surname_terms: field("surname_terms")?,
            surname_phonetic: field("surname_phonetic")?,
            given_terms: field("given_terms")?,
            given_phonetic: field("given_phonetic")?,
            surname_prefix: field("surname_prefix")?,
            given_prefix: field("given_prefix")?,
            station_order: field("station_order")?,
            birth_date: field("birth_date")?,
            voter_id: field("voter_id")?,
        })
    }
}

impl Default for VoterSchema {
    fn default() -> Self {
        VoterSchema::new()
    }
}

/// The `station_order` term of a membership: `0001/123`.
pub fn station_order_term(station_code: &str, order_number: u32) -> String {
    format!("{station_code}/{order_number}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_round_trips_through_field_names() {
        let built = VoterSchema::new();
        let read = VoterSchema::from_schema(&built.schema).expect("same schema");
        assert_eq!(read.surname_terms, built.surname_terms);
        assert_eq!(read.given_phonetic, built.given_phonetic);
        assert_eq!(read.voter_id, built.voter_id);
    }

    #[test]
    fn a_term_is_indexed_by_each_beginning_of_two_to_eight_letters() {
        let beginnings: Vec<&str> = term_prefixes("FONTAINEBLEAU").collect();
        assert_eq!(
            beginnings,
            [
                "FO", "FON", "FONT", "FONTA", "FONTAI", "FONTAIN", "FONTAINE"
            ]
        );
        // A short term is its own longest beginning; one letter is none.
        assert_eq!(term_prefixes("LEA").collect::<Vec<_>>(), ["LE", "LEA"]);
        assert_eq!(term_prefixes("A").count(), 0);
    }

    #[test]
    fn a_schema_without_our_fields_is_refused() {
        let other = Schema::builder().build();
        assert!(VoterSchema::from_schema(&other).is_err());
    }
}
