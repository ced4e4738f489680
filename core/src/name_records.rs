//! The name records: a compact, in-memory copy of what a search compares a
//! voter's names with, one record per voter.
//!
//! The tantivy index finds candidate voters through its term dictionaries;
//! ranking them then needs each candidate's own name tokens, phonetic keys
//! and birth date. Reading those from tantivy's document store would mean
//! decompressing a block per candidate, so the builder also writes them here,
//! analysed once with the same code the index uses ([`analyse_name`] and
//! [`phonetic_key_into`]), and the server keeps them in one flat buffer.
//!
//! Records are numbered by `voter_id`, the order in which the builder added
//! voters; the index stores that number in a fast field, since tantivy's own
//! document numbers follow its segments, not the insertion order.
//!
//! # Layout of `names.bin`
//!
//! ```text
//! magic "VLNR" | u32 version | u32 count | (count + 1) × u32 offsets | records
//!          (the frame of crate::record_table)
//! record = u32 packed birth date | 3 × field          (birth, usage, given names)
//! field  = u8 term count | terms
//! term   = u8 flags (1 = joined form, 2 = particle) | u8 len | term bytes | u8 len | phonetic key bytes
//! ```
//!
//! All integers are little-endian. Terms longer than 255 bytes are cut (no
//! real name comes near).

use crate::model::{BirthDate, Voter};
use crate::normalise::{NameTerms, analyse_name, fold, is_particle};
use crate::phonetic::phonetic_key_into;
use crate::record_table::{RecordTable, TableError, read_u32};
use crate::schema::NameField;

const MAGIC: &[u8; 4] = b"VLNR";
const LAYOUT_VERSION: u32 = 1;
const FLAG_JOINED: u8 = 1;
const FLAG_PARTICLE: u8 = 2;

/// Why a `names.bin` buffer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameRecordsError {
    /// The buffer does not start with the expected magic and version.
    #[error("not a name-records file of layout version {LAYOUT_VERSION}")]
    BadHeader,
    /// The offsets table or a record runs past the end of the buffer.
    #[error("name records are truncated or inconsistent (record {0})")]
    Corrupt(u64),
}

/// One analysed term of a voter's name. Terms are folded, so ASCII; they
/// are kept as bytes, compared as bytes, and turned into text only to be
/// shown ([`RecordTerm::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordTerm<'a> {
    /// The folded term (`FONTAINE`, or a joined form such as `DELAFONTAINE`).
    pub term: &'a [u8],
    /// Its French phonetic key; empty when the term has no letter.
    pub phonetic: &'a [u8],
    /// True for a joined form of several tokens rather than a token.
    pub joined: bool,
    /// True for a particle token (`DE`, `LA`, `VAN`…).
    pub particle: bool,
}

/// The analysed names of one voter.
#[derive(Debug, Clone, Copy)]
pub struct NameRecord<'a> {
    /// Birth date with the precision the roll has.
    pub birth_date: BirthDate,
    fields: [&'a [u8]; 3],
}

impl<'a> NameRecord<'a> {
    /// The terms of one name field, in the order of the name.
    pub fn terms(&self, field: NameField) -> RecordTerms<'a> {
        let bytes = self.fields[field.index()];
        RecordTerms {
            remaining: bytes.first().copied().unwrap_or(0),
            bytes: bytes.get(1..).unwrap_or(&[]),
        }
    }

    /// True when the field has at least one term (a voter without a usage
    /// name has none there).
    pub fn has(&self, field: NameField) -> bool {
        self.fields[field.index()]
            .first()
            .is_some_and(|&count| count > 0)
    }
}

impl RecordTerm<'_> {
    /// The term as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.term).into_owned()
    }
}

/// Iterator over the terms of one field of a [`NameRecord`].
#[derive(Debug, Clone)]
pub struct RecordTerms<'a> {
    bytes: &'a [u8],
    remaining: u8,
}

impl<'a> Iterator for RecordTerms<'a> {
    type Item = RecordTerm<'a>;

    fn next(&mut self) -> Option<RecordTerm<'a>> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let (&flags, rest) = self.bytes.split_first()?;
        let (term, rest) = split_short(rest)?;
        let (phonetic, rest) = split_short(rest)?;
        self.bytes = rest;
        Some(RecordTerm {
            term,
            phonetic,
            joined: flags & FLAG_JOINED != 0,
            particle: flags & FLAG_PARTICLE != 0,
        })
    }
}

/// Splits a `u8 len | bytes` string off the front of `bytes`.
fn split_short(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&len, rest) = bytes.split_first()?;
    rest.split_at_checked(len as usize)
}

/// Every voter's record, in one buffer.
#[derive(Debug, Clone, Default)]
pub struct NameRecords {
    table: RecordTable,
}

impl NameRecords {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when there is no record.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The record of `voter_id`, or `None` past the end.
    pub fn get(&self, voter_id: u64) -> Option<NameRecord<'_>> {
        decode_record(self.table.get(voter_id)?)
    }

    /// Starts bringing a voter's record into the cache, ahead of [`get`]
    /// (records are read in no order the processor could guess).
    ///
    /// [`get`]: NameRecords::get
    #[inline]
    pub fn prefetch(&self, voter_id: u64) {
        self.table.prefetch(voter_id);
    }

    /// Starts finding out where a voter's record lies, ahead of
    /// [`prefetch`](NameRecords::prefetch): twice as far ahead, the two
    /// fetches a record costs both overlap other work.
    #[inline]
    pub fn prefetch_place(&self, voter_id: u64) {
        self.table.prefetch_offset(voter_id);
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
    }

    /// Serialises the records in the `names.bin` layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.table.to_bytes(MAGIC, LAYOUT_VERSION)
    }

    /// Reads records back from the `names.bin` layout, checking every record.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<NameRecords, NameRecordsError> {
        let table =
            RecordTable::from_bytes(bytes, MAGIC, LAYOUT_VERSION).map_err(|error| match error {
                TableError::BadHeader => NameRecordsError::BadHeader,
                TableError::Corrupt(id) => NameRecordsError::Corrupt(id),
            })?;
        let records = NameRecords { table };
        for id in 0..records.len() as u64 {
            let record = records.get(id).ok_or(NameRecordsError::Corrupt(id))?;
            let complete = NameField::ALL.iter().all(|&field| {
                let declared = record.fields[field.index()].first().copied().unwrap_or(0);
                record.terms(field).count() == declared as usize
                    && record
                        .terms(field)
                        .all(|term| term.term.is_ascii() && term.phonetic.is_ascii())
            });
            if !complete {
                return Err(NameRecordsError::Corrupt(id));
            }
        }
        Ok(records)
    }
}

fn decode_record(bytes: &[u8]) -> Option<NameRecord<'_>> {
    let (date, mut rest) = bytes.split_at_checked(4)?;
    let birth_date = BirthDate::from_packed(u64::from(read_u32(date)));
    let mut fields: [&[u8]; 3] = [&[]; 3];
    for field in &mut fields {
        let start = rest;
        let (&count, mut cursor) = rest.split_first()?;
        for _ in 0..count {
            let (_flags, after) = cursor.split_first()?;
            let (_, after) = split_short(after)?;
            let (_, after) = split_short(after)?;
            cursor = after;
        }
        let used = start.len() - cursor.len();
        *field = &start[..used];
        rest = cursor;
    }
    Some(NameRecord { birth_date, fields })
}

/// Appends records one voter at a time, in `voter_id` order.
#[derive(Debug, Clone, Default)]
pub struct NameRecordsBuilder {
    records: NameRecords,
    scratch: String,
}

impl NameRecordsBuilder {
    /// Adds the record of `voter` and returns its `voter_id`.
    pub fn push(&mut self, voter: &Voter) -> u64 {
        let id = self.records.len() as u64;
        let data = self.records.table.data_mut();
        data.extend_from_slice(&(voter.birth_date.to_packed() as u32).to_le_bytes());
        for field in NameField::ALL {
            let name = indexed_name(voter, field).unwrap_or("");
            let terms = field_terms(field, name);
            let count_at = data.len();
            data.push(0);
            let mut count = 0u8;
            let all = terms
                .tokens
                .iter()
                .map(|t| (t, false))
                .chain(terms.joined.iter().map(|t| (t, true)));
            for (term, joined) in all {
                if count == u8::MAX {
                    break;
                }
                phonetic_key_into(term, &mut self.scratch);
                let flags = if joined {
                    FLAG_JOINED
                } else if field.is_surname() && is_particle(term) {
                    FLAG_PARTICLE
                } else {
                    0
                };
                data.push(flags);
                push_short(data, term);
                push_short(data, &self.scratch);
                count += 1;
            }
            data[count_at] = count;
        }
        self.records.table.end_record();
        id
    }

    /// Number of records added so far.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// The record added last.
    pub fn last(&self) -> Option<NameRecord<'_>> {
        self.records.get(self.records.len().checked_sub(1)? as u64)
    }

    /// True when no record was added.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The finished records.
    pub fn finish(self) -> NameRecords {
        self.records
    }
}

/// The terms of one name field. A surname is one name, whose words join
/// in every way the index knows (`DE LA FONTAINE` → `DELAFONTAINE`,
/// `LAFONTAINE`). Given names are several names: each joins only within
/// itself (`Jean-Pierre` → `JEANPIERRE`), never with the next one, so that
/// `Marie Jeanne` does not invent a `MARIEJEANNE`.
fn field_terms(field: NameField, name: &str) -> NameTerms {
    if field.is_surname() {
        return analyse_name(name);
    }
    let mut all = NameTerms::default();
    for given in name.split_whitespace() {
        let terms = analyse_name(given);
        all.tokens.extend(terms.tokens);
        for joined in terms.joined {
            if !all.joined.contains(&joined) {
                all.joined.push(joined);
            }
        }
    }
    all
}

fn push_short(data: &mut Vec<u8>, text: &str) {
    // Cut at a byte count, which is safe: folded terms are ASCII.
    let bytes = &text.as_bytes()[..text.len().min(u8::MAX as usize)];
    data.push(bytes.len() as u8);
    data.extend_from_slice(bytes);
}

/// The name of `field` as the index sees it: a usage name identical to the
/// birth name (a quirk of exports) is left out, so that it counts once.
pub fn indexed_name(voter: &Voter, field: NameField) -> Option<&str> {
    match field {
        NameField::BirthName => Some(voter.birth_name.as_str()),
        NameField::UsageName => voter
            .usage_name
            .as_deref()
            .filter(|usage| !usage.trim().is_empty() && fold(usage) != fold(&voter.birth_name)),
        NameField::GivenNames => Some(voter.first_names.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, ListKind, Membership};

    fn voter(birth: &str, usage: Option<&str>, given: &str) -> Voter {
        Voter {
            commune_code: None,
            commune_name: None,
            birth_name: birth.into(),
            usage_name: usage.map(String::from),
            first_names: given.into(),
            sex: None,
            birth_date: BirthDate::Full {
                year: 1962,
                month: 3,
                day: 14,
            },
            birth_place: None,
            birth_country: None,
            nationality: None,
            address: Address::default(),
            memberships: vec![Membership {
                list: ListKind::Principal,
                station_code: Some("0001".into()),
                station_label: None,
                constituency_code: None,
                canton: None,
                constituency_label: None,
                order_number: Some(1),
            }],
        }
    }

    fn terms(record: &NameRecord<'_>, field: NameField) -> Vec<(String, bool)> {
        record.terms(field).map(|t| (t.text(), t.joined)).collect()
    }

    #[test]
    fn records_keep_tokens_joined_forms_keys_and_dates() {
        let mut builder = NameRecordsBuilder::default();
        assert_eq!(
            builder.push(&voter("DE LA FONTAINE", None, "Jean-Pierre Marie")),
            0
        );
        assert_eq!(builder.push(&voter("MARTIN", Some("MARTIN"), "Inès")), 1);
        assert_eq!(
            builder.push(&voter("GALL", Some("LE GALL-DURAND"), "Anne")),
            2
        );
        let records = builder.finish();
        assert_eq!(records.len(), 3);

        let first = records.get(0).unwrap();
        let given: Vec<(String, bool)> = terms(&first, NameField::GivenNames);
        assert_eq!(
            given,
            [
                ("JEAN".to_string(), false),
                ("PIERRE".to_string(), false),
                ("MARIE".to_string(), false),
                ("JEANPIERRE".to_string(), true),
            ],
            "given names join within themselves only"
        );
        assert_eq!(
            terms(&first, NameField::BirthName),
            [
                ("DE".to_string(), false),
                ("LA".to_string(), false),
                ("FONTAINE".to_string(), false),
                ("DELAFONTAINE".to_string(), true),
                ("LAFONTAINE".to_string(), true),
                ("DELA".to_string(), true),
            ]
        );
        assert!(!first.has(NameField::UsageName));
        let particles: Vec<bool> = first
            .terms(NameField::BirthName)
            .map(|t| t.particle)
            .collect();
        assert_eq!(particles, [true, true, false, false, false, false]);
        let fontaine = first.terms(NameField::BirthName).nth(2).unwrap();
        assert_eq!(
            fontaine.phonetic,
            crate::phonetic::phonetic_key("FONTAINE").as_bytes()
        );
        assert_eq!(
            first.birth_date,
            BirthDate::Full {
                year: 1962,
                month: 3,
                day: 14
            }
        );

        // A usage name repeating the birth name is not a second surname.
        assert!(!records.get(1).unwrap().has(NameField::UsageName));
        let third = records.get(2).unwrap();
        assert!(
            terms(&third, NameField::UsageName)
                .iter()
                .any(|(t, _)| t == "DURAND")
        );
        assert!(records.get(3).is_none());
    }

    #[test]
    fn records_round_trip_through_bytes_and_refuse_damage() {
        let mut builder = NameRecordsBuilder::default();
        builder.push(&voter("N'DIAYE", None, "Awa"));
        builder.push(&voter("SCHÖNBERGER", Some("MÜLLER"), "Jürgen"));
        let records = builder.finish();
        let bytes = records.to_bytes();
        let back = NameRecords::from_bytes(bytes.clone()).unwrap();
        assert_eq!(back.len(), 2);
        let second = back.get(1).unwrap();
        assert_eq!(
            terms(&second, NameField::UsageName),
            [("MULLER".to_string(), false)]
        );

        assert!(matches!(
            NameRecords::from_bytes(bytes[..bytes.len() - 3].to_vec()),
            Err(NameRecordsError::Corrupt(_))
        ));
        assert_eq!(
            NameRecords::from_bytes(b"nope".to_vec()).unwrap_err(),
            NameRecordsError::BadHeader
        );
        // The header (12 bytes) and three offsets come first; then record 0,
        // whose birth-name term count follows its 4-byte date.
        let mut tampered = bytes.clone();
        tampered[12 + 3 * 4 + 4] = 50;
        assert_eq!(
            NameRecords::from_bytes(tampered).unwrap_err(),
            NameRecordsError::Corrupt(0)
        );
    }
}
