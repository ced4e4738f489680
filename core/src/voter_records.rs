//! What a lookup shows of a voter, kept apart from everything else the roll
//! says about them.
//!
//! A result shows the voter's names, sex, birth date, commune and list
//! memberships (station and order number): nothing more. The roll also carries the
//! voter's address, birthplace and nationality; the artifact does not keep
//! them, so a copy of the index holds the least personal data the service
//! needs. The records are stored uncompressed in one buffer, read in place:
//! a result costs a decode of a hundred bytes, not a block decompression.
//!
//! # Layout of `voters.bin`
//!
//! ```text
//! magic "VLVR" | u32 version | u32 count | (count + 1) × u32 offsets | records
//!              (the frame of crate::record_table)
//! record     = u8 sex (0 unknown, 1 M, 2 F) | u32 packed birth date
//!              | str commune code (empty: none) | str birth name | str usage name | str given names
//!              | u8 membership count | memberships
//! membership = u8 list (0 principal, 1 municipal, 2 European, 3 other + str label)
//!              | str station code | str station label | u32 order number (u32::MAX: none)
//! str        = u8 length | UTF-8 bytes (cut at 255 bytes, on a character boundary)
//! ```

use crate::model::{BirthDate, ListKind, Membership, Sex, Voter};
use crate::record_table::{RecordTable, TableError, read_u32};

const MAGIC: &[u8; 4] = b"VLVR";
/// 2 added the commune code.
const LAYOUT_VERSION: u32 = 2;
const NO_ORDER: u32 = u32::MAX;

/// Why a `voters.bin` buffer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoterRecordsError {
    /// The buffer does not start with the expected magic and version.
    #[error("not a voter-records file of layout version {LAYOUT_VERSION}")]
    BadHeader,
    /// The offsets table or a record is inconsistent.
    #[error("voter records are truncated or inconsistent (record {0})")]
    Corrupt(u64),
}

/// One voter as a result shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterView {
    /// INSEE code of the voter's commune, when the roll gives one.
    pub commune_code: Option<String>,
    /// Birth name as the roll writes it.
    pub birth_name: String,
    /// Name in use, when the roll gives one.
    pub usage_name: Option<String>,
    /// Given names.
    pub first_names: String,
    /// Sex.
    pub sex: Option<Sex>,
    /// Birth date with the roll's precision.
    pub birth_date: BirthDate,
    /// List memberships, the principal list first.
    pub memberships: Vec<MembershipView>,
}

/// One list membership as a result shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    /// Which list.
    pub list: ListKind,
    /// Station code, when the roll gives one.
    pub station_code: Option<String>,
    /// Station label as the roll writes it.
    pub station_label: Option<String>,
    /// Order number on the station's signing sheet.
    pub order_number: Option<u32>,
}

/// A lookup as a desk would type it for one voter: the canary check and
/// the demo's example both make theirs this way, from the voter's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskLookup {
    /// Birth name, then the first given name.
    pub text: String,
    /// Birth date in ISO form, when the roll knows it in full.
    pub birth_date: Option<String>,
}

impl VoterView {
    /// The lookup a desk would make for this voter: birth name and first
    /// given name, with the birth date when fully known.
    pub fn desk_lookup(&self) -> DeskLookup {
        let first_given = self.first_names.split_whitespace().next().unwrap_or("");
        let birth_date = match self.birth_date {
            BirthDate::Full { .. } => self.birth_date.to_iso(),
            _ => None,
        };
        DeskLookup {
            text: format!("{} {first_given}", self.birth_name)
                .trim()
                .to_string(),
            birth_date,
        }
    }
}

/// Every voter's record, in one buffer, by `voter_id`.
#[derive(Debug, Clone, Default)]
pub struct VoterRecords {
    table: RecordTable,
}

impl VoterRecords {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when there is no record.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The record of `voter_id`, or `None` past the end.
    pub fn get(&self, voter_id: u64) -> Option<VoterView> {
        decode(self.table.get(voter_id)?)
    }

    /// The commune code of `voter_id`'s record, read without decoding the
    /// rest: `None` when the roll gives none, or past the end.
    pub fn commune_code(&self, voter_id: u64) -> Option<&str> {
        // After the sex byte and the packed date.
        let mut reader = Reader(self.table.get(voter_id)?.get(5..)?);
        reader.str().filter(|code| !code.is_empty())
    }

    /// Starts bringing a voter's record into the cache, ahead of [`get`]
    /// (results are built from records scattered over the whole buffer).
    ///
    /// [`get`]: VoterRecords::get
    #[inline]
    pub fn prefetch(&self, voter_id: u64) {
        self.table.prefetch(voter_id);
    }

    /// Serialises the records in the `voters.bin` layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.table.to_bytes(MAGIC, LAYOUT_VERSION)
    }

    /// Reads records back, checking that every one decodes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<VoterRecords, VoterRecordsError> {
        let table =
            RecordTable::from_bytes(bytes, MAGIC, LAYOUT_VERSION).map_err(|error| match error {
                TableError::BadHeader => VoterRecordsError::BadHeader,
                TableError::Corrupt(id) => VoterRecordsError::Corrupt(id),
            })?;
        let records = VoterRecords { table };
        for id in 0..records.len() as u64 {
            records.get(id).ok_or(VoterRecordsError::Corrupt(id))?;
        }
        Ok(records)
    }
}

/// Appends records one voter at a time, in `voter_id` order.
#[derive(Debug, Clone, Default)]
pub struct VoterRecordsBuilder {
    records: VoterRecords,
}

impl VoterRecordsBuilder {
    /// Adds the record of `voter`.
    pub fn push(&mut self, voter: &Voter) {
        let data = self.records.table.data_mut();
        data.push(match voter.sex {
            None => 0,
            Some(Sex::M) => 1,
            Some(Sex::F) => 2,
        });
        data.extend_from_slice(&(voter.birth_date.to_packed() as u32).to_le_bytes());
        push_str(data, voter.commune_code.as_deref().unwrap_or(""));
        push_str(data, &voter.birth_name);
        push_str(data, voter.usage_name.as_deref().unwrap_or(""));
        push_str(data, &voter.first_names);
        let memberships = &voter.memberships[..voter.memberships.len().min(u8::MAX as usize)];
        data.push(memberships.len() as u8);
        for membership in memberships {
            push_membership(data, membership);
        }
        self.records.table.end_record();
    }

    /// The finished records.
    pub fn finish(self) -> VoterRecords {
        self.records
    }
}

fn push_membership(data: &mut Vec<u8>, membership: &Membership) {
    match &membership.list {
        ListKind::Principal => data.push(0),
        ListKind::MunicipalComplementary => data.push(1),
        ListKind::EuropeanComplementary => data.push(2),
        ListKind::Other(label) => {
            data.push(3);
            push_str(data, label);
        }
    }
    push_str(data, membership.station_code.as_deref().unwrap_or(""));
    push_str(data, membership.station_label.as_deref().unwrap_or(""));
    data.extend_from_slice(&membership.order_number.unwrap_or(NO_ORDER).to_le_bytes());
}

fn push_str(data: &mut Vec<u8>, text: &str) {
    let mut end = text.len().min(u8::MAX as usize);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    data.push(end as u8);
    data.extend_from_slice(&text.as_bytes()[..end]);
}

/// A cursor over one record.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_at_checked(4)?;
        self.0 = rest;
        Some(read_u32(head))
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.byte()? as usize;
        let (text, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        std::str::from_utf8(text).ok()
    }

    fn optional_str(&mut self) -> Option<Option<String>> {
        let text = self.str()?;
        Some((!text.is_empty()).then(|| text.to_string()))
    }
}

fn decode(bytes: &[u8]) -> Option<VoterView> {
    let mut reader = Reader(bytes);
    let sex = match reader.byte()? {
        0 => None,
        1 => Some(Sex::M),
        2 => Some(Sex::F),
        _ => return None,
    };
    let birth_date = BirthDate::from_packed(u64::from(reader.u32()?));
    let commune_code = reader.optional_str()?;
    let birth_name = reader.str()?.to_string();
    let usage_name = reader.optional_str()?;
    let first_names = reader.str()?.to_string();
    let count = reader.byte()?;
    let mut memberships = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let list = match reader.byte()? {
            0 => ListKind::Principal,
            1 => ListKind::MunicipalComplementary,
            2 => ListKind::EuropeanComplementary,
            3 => ListKind::Other(reader.str()?.to_string()),
            _ => return None,
        };
        let station_code = reader.optional_str()?;
        let station_label = reader.optional_str()?;
        let order_number = Some(reader.u32()?).filter(|&order| order != NO_ORDER);
        memberships.push(MembershipView {
            list,
            station_code,
            station_label,
            order_number,
        });
    }
    reader.0.is_empty().then_some(VoterView {
        commune_code,
        birth_name,
        usage_name,
        first_names,
        sex,
        birth_date,
        memberships,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    fn voter(memberships: Vec<Membership>) -> Voter {
        Voter {
            commune_code: Some("2A004".into()),
            commune_name: Some("AJACCIO".into()),
            birth_name: "D'ALMEIDA".into(),
            usage_name: Some("LE GALL-DURAND".into()),
            first_names: "Hélène Marie-Thérèse".into(),
            sex: Some(Sex::F),
            birth_date: BirthDate::Year(1953),
            birth_place: Some("LISBOA".into()),
            birth_country: Some("PORTUGAL".into()),
            nationality: Some("Portugaise".into()),
            address: Address {
                street: Some("RUE DES LILAS".into()),
                ..Address::default()
            },
            memberships,
        }
    }

    fn membership(list: ListKind, station: Option<&str>, order: Option<u32>) -> Membership {
        Membership {
            list,
            station_code: station.map(String::from),
            station_label: station.map(|_| "ECOLE JULES FERRY".to_string()),
            constituency_code: None,
            canton: None,
            constituency_label: None,
            order_number: order,
        }
    }

    #[test]
    fn records_keep_what_a_result_shows_and_nothing_else() {
        let mut builder = VoterRecordsBuilder::default();
        builder.push(&voter(vec![
            membership(ListKind::MunicipalComplementary, Some("0004"), Some(17)),
            membership(ListKind::EuropeanComplementary, Some("0004"), Some(18)),
        ]));
        builder.push(&Voter {
            commune_code: None,
            ..voter(vec![membership(
                ListKind::Other("Liste spéciale".into()),
                None,
                None,
            )])
        });
        let records = VoterRecords::from_bytes(builder.finish().to_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        let first = records.get(0).unwrap();
        assert_eq!(first.commune_code.as_deref(), Some("2A004"));
        assert_eq!(records.commune_code(0), Some("2A004"));
        assert_eq!(records.commune_code(1), None);
        assert_eq!(records.commune_code(2), None);
        assert_eq!(first.birth_name, "D'ALMEIDA");
        assert_eq!(first.usage_name.as_deref(), Some("LE GALL-DURAND"));
        assert_eq!(first.first_names, "Hélène Marie-Thérèse");
        assert_eq!(first.sex, Some(Sex::F));
        assert_eq!(first.birth_date, BirthDate::Year(1953));
        assert_eq!(first.memberships.len(), 2);
        assert_eq!(first.memberships[1].order_number, Some(18));
        assert_eq!(
            first.memberships[0].station_label.as_deref(),
            Some("ECOLE JULES FERRY")
        );
        let second = records.get(1).unwrap();
        assert_eq!(second.commune_code, None);
        assert_eq!(
            second.memberships[0].list,
            ListKind::Other("Liste spéciale".into())
        );
        assert_eq!(second.memberships[0].station_code, None);
        assert_eq!(second.memberships[0].order_number, None);
        assert!(records.get(2).is_none());
    }

    #[test]
    fn damaged_records_are_refused() {
        let mut builder = VoterRecordsBuilder::default();
        builder.push(&voter(vec![membership(
            ListKind::Principal,
            Some("0001"),
            Some(1),
        )]));
        let bytes = builder.finish().to_bytes();
        assert_eq!(
            VoterRecords::from_bytes(b"VLVR".to_vec()).unwrap_err(),
            VoterRecordsError::BadHeader
        );
        assert!(VoterRecords::from_bytes(bytes[..bytes.len() - 1].to_vec()).is_err());
        let mut tampered = bytes.clone();
        tampered[12 + 2 * 4] = 7; // the sex byte of record 0
        assert_eq!(
            VoterRecords::from_bytes(tampered).unwrap_err(),
            VoterRecordsError::Corrupt(0)
        );
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let mut long = voter(vec![]);
        long.first_names = "é".repeat(200);
        let mut builder = VoterRecordsBuilder::default();
        builder.push(&long);
        let records = builder.finish();
        let view = records.get(0).unwrap();
        assert_eq!(view.first_names.len(), 254);
        assert!(view.first_names.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_desk_lookup_is_the_birth_name_the_first_given_name_and_a_full_date() {
        let mut builder = VoterRecordsBuilder::default();
        builder.push(&voter(vec![membership(
            ListKind::Principal,
            Some("0004"),
            Some(17),
        )]));
        builder.push(&Voter {
            birth_date: BirthDate::Full {
                year: 1962,
                month: 3,
                day: 12,
            },
            ..voter(Vec::new())
        });
        let records = builder.finish();
        let year_only = records.get(0).unwrap().desk_lookup();
        assert_eq!(year_only.text, "D'ALMEIDA Hélène");
        assert_eq!(year_only.birth_date, None, "a partial date is left out");
        let full = records.get(1).unwrap().desk_lookup();
        assert_eq!(full.birth_date.as_deref(), Some("1962-03-12"));
    }
}
