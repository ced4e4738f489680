//! Deletion neighbourhoods of the name dictionaries, in the manner of
//! SymSpell: the structure that finds a name within one or two typos
//! wherever the typos fall, the first letter included, for the cost of a
//! few dozen table probes.
//!
//! Two words are within `k` edits (insertions, deletions, substitutions and
//! transpositions of adjacent letters, the optimal string alignment
//! distance ranking uses) only if deleting at most `k` letters from each
//! gives the same string: a substitution is one deletion on each side at
//! the same place, an insertion one deletion on the other side, a
//! transposition one deletion of either swapped letter on each side. So
//! the builder lists, for every term of a dictionary, the strings left by
//! deleting up to [`MAX_DELETIONS`] of its letters; a lookup makes the same
//! strings of the typed word and reads which terms share one. That gives a
//! superset of the terms within `k` edits, never missing one; the caller
//! keeps those the real distance accepts.
//!
//! A walk of the term dictionary with an edit automaton finds the same
//! terms, but one that does not keep the first letter as typed must enter
//! every branch of the dictionary's first letters; here a slip on the first
//! letter costs what a slip on the last one does.
//!
//! # Layout of `deletions.bin`
//!
//! ```text
//! magic "VLDL" | u32 layout version | u32 table count | tables
//! table   = u8 dictionary (0 surnames, 1 given names) | u8 bucket bits
//!           | u32 term count | u32 text length | u32 entry count
//!           | (term count) × u32 term ends | text
//!           | (2^bits + 1) × u32 bucket starts | (entry count) × u32 entries
//! entry   = 25 bits term number | 2 bits deletions | 5 bits check
//! ```
//!
//! A deletion string's hash (64-bit FNV-1a, fixed here because builder and
//! server must agree whatever their Rust version) picks its bucket with its
//! top bits and its check with 5 of the others; a lookup reads the bucket's
//! entries (about [`ENTRIES_PER_BUCKET`]) and keeps those whose check
//! matches. A false match (another string of the same bucket and check,
//! about one probe in eight) only adds a term the distance then turns away:
//! four bytes an entry keep the file about the size of the voter records.
//! All integers are little-endian.

use std::collections::BTreeSet;

const MAGIC: &[u8; 4] = b"VLDL";
const LAYOUT_VERSION: u32 = 2;

/// Most letters deleted from a term or a typed word: the most edits a
/// lookup allows.
pub const MAX_DELETIONS: u8 = 2;

/// Longest term listed; longer ones (no real name) are found as typed only.
pub const MAX_TERM_LEN: usize = 30;

/// Most terms one dictionary may list: the term numbers an entry holds.
pub const MAX_TERMS: usize = 1 << TERM_BITS;
const TERM_BITS: u32 = 25;
const COUNT_BITS: u32 = 2;
const CHECK_BITS: u32 = 32 - TERM_BITS - COUNT_BITS;

/// Entries per bucket the builder aims at: a probe reads about this many.
const ENTRIES_PER_BUCKET: usize = 4;

/// Which dictionary a table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dictionary {
    /// Birth and usage surnames (`surname_terms`).
    Surnames,
    /// Given names (`given_terms`).
    GivenNames,
}

impl Dictionary {
    const ALL: [Dictionary; 2] = [Dictionary::Surnames, Dictionary::GivenNames];

    fn code(self) -> u8 {
        match self {
            Dictionary::Surnames => 0,
            Dictionary::GivenNames => 1,
        }
    }
}

/// Why a `deletions.bin` buffer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeletionsError {
    /// The buffer does not start with the expected magic and version.
    #[error("not a deletions file of layout version {LAYOUT_VERSION}")]
    BadHeader,
    /// A table runs past the end of the buffer or contradicts itself.
    #[error("deletions table {0} is truncated or inconsistent")]
    Corrupt(usize),
    /// A dictionary is missing or listed twice.
    #[error("deletions file must list each dictionary once")]
    Dictionaries,
    /// A dictionary holds more distinct terms than an entry can number.
    #[error(
        "{0} distinct terms in one name dictionary, more than the {MAX_TERMS} the typo table can list"
    )]
    TooManyTerms(usize),
    /// A dictionary's deletion strings are more than a table can index.
    #[error("{0} deletion strings in one name dictionary, more than a typo table can index")]
    TooManyEntries(usize),
}

/// The deletion neighbourhoods of both name dictionaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletions {
    surnames: Table,
    given_names: Table,
}

/// One dictionary's terms and the table of their deletion strings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Table {
    /// End of each term in `text`; terms are sorted and distinct.
    term_ends: Vec<u32>,
    text: Vec<u8>,
    bits: u8,
    /// Start of each bucket in `entries`, and the end of the last.
    buckets: Vec<u32>,
    entries: Vec<u32>,
}

impl Deletions {
    /// Lists the deletion strings of every term of both dictionaries;
    /// refuses a dictionary of more than [`MAX_TERMS`] terms.
    pub fn build<'a>(
        surnames: impl IntoIterator<Item = &'a [u8]>,
        given_names: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Deletions, DeletionsError> {
        Ok(Deletions {
            surnames: Table::build(surnames)?,
            given_names: Table::build(given_names)?,
        })
    }

    /// Calls `found` with each term of `dictionary` that may be within
    /// `max` edits of `word` (at most [`MAX_DELETIONS`]): every term that
    /// is, and a few that are not, each once. `scratch` is reused between
    /// calls.
    pub fn candidates(
        &self,
        dictionary: Dictionary,
        word: &[u8],
        max: u8,
        scratch: &mut Vec<u32>,
        mut found: impl FnMut(&[u8]),
    ) {
        let table = self.table(dictionary);
        scratch.clear();
        if word.len() > MAX_TERM_LEN {
            return;
        }
        let max = max.min(MAX_DELETIONS);
        for_each_deletion(word, max, |deleted| table.probe(deleted, max, scratch));
        scratch.sort_unstable();
        scratch.dedup();
        for &term in scratch.iter() {
            found(table.term(term as usize));
        }
    }

    /// Terms listed in `dictionary`.
    pub fn terms(&self, dictionary: Dictionary) -> usize {
        self.table(dictionary).term_ends.len()
    }

    /// Deletion strings listed in `dictionary`.
    pub fn entries(&self, dictionary: Dictionary) -> usize {
        self.table(dictionary).entries.len()
    }

    fn table(&self, dictionary: Dictionary) -> &Table {
        match dictionary {
            Dictionary::Surnames => &self.surnames,
            Dictionary::GivenNames => &self.given_names,
        }
    }

    /// The bytes of `deletions.bin`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&LAYOUT_VERSION.to_le_bytes());
        out.extend_from_slice(&(Dictionary::ALL.len() as u32).to_le_bytes());
        for dictionary in Dictionary::ALL {
            self.table(dictionary).write(dictionary, &mut out);
        }
        out
    }

    /// Reads `deletions.bin`, checking that every offset stays inside it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Deletions, DeletionsError> {
        let mut reader = Reader { bytes, at: 0 };
        let header = (reader.take(4), reader.u32(), reader.u32());
        if header != (Some(MAGIC.as_slice()), Some(LAYOUT_VERSION), Some(2)) {
            return Err(DeletionsError::BadHeader);
        }
        let mut surnames = None;
        let mut given_names = None;
        for position in 0..2 {
            let (dictionary, table) =
                Table::read(&mut reader).ok_or(DeletionsError::Corrupt(position))?;
            let slot = match dictionary {
                0 => &mut surnames,
                1 => &mut given_names,
                _ => return Err(DeletionsError::Corrupt(position)),
            };
            if slot.replace(table).is_some() {
                return Err(DeletionsError::Dictionaries);
            }
        }
        if reader.at != bytes.len() {
            return Err(DeletionsError::Corrupt(2));
        }
        match (surnames, given_names) {
            (Some(surnames), Some(given_names)) => Ok(Deletions {
                surnames,
                given_names,
            }),
            _ => Err(DeletionsError::Dictionaries),
        }
    }
}

impl Table {
    fn build<'a>(terms: impl IntoIterator<Item = &'a [u8]>) -> Result<Table, DeletionsError> {
        let terms: BTreeSet<&[u8]> = terms
            .into_iter()
            .filter(|term| !term.is_empty() && term.len() <= MAX_TERM_LEN)
            .collect();
        if terms.len() > MAX_TERMS {
            return Err(DeletionsError::TooManyTerms(terms.len()));
        }
        let mut term_ends = Vec::with_capacity(terms.len());
        let mut text = Vec::new();
        for term in &terms {
            text.extend_from_slice(term);
            term_ends.push(text.len() as u32);
        }
        // Three passes over the terms' deletion strings (count them, count
        // each bucket's, place them), each cheap, rather than one list of
        // them all to sort: the build holds no more than the table itself.
        let mut own = Vec::new();
        let total: usize = terms
            .iter()
            .map(|term| deletions_of(term, &mut own).len())
            .sum();
        if total >= u32::MAX as usize {
            return Err(DeletionsError::TooManyEntries(total));
        }
        let bits = bucket_bits(total);
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        for term in &terms {
            for &(hash, _) in deletions_of(term, &mut own) {
                buckets[bucket(hash, bits) + 1] += 1;
            }
        }
        for at in 1..buckets.len() {
            buckets[at] += buckets[at - 1];
        }
        // Each bucket filled in term order: the file is the same from one
        // build of the same terms to the next.
        let mut next: Vec<u32> = buckets[..buckets.len() - 1].to_vec();
        let mut entries = vec![0u32; total];
        for (number, term) in terms.iter().enumerate() {
            for &(hash, count) in deletions_of(term, &mut own) {
                let slot = &mut next[bucket(hash, bits)];
                entries[*slot as usize] = entry(number as u32, count, check(hash));
                *slot += 1;
            }
        }
        Ok(Table {
            term_ends,
            text,
            bits,
            buckets,
            entries,
        })
    }

    fn term(&self, number: usize) -> &[u8] {
        let start = number
            .checked_sub(1)
            .map_or(0, |before| self.term_ends[before] as usize);
        &self.text[start..self.term_ends[number] as usize]
    }

    /// Adds the terms whose deletion strings of at most `max` deletions
    /// include `deleted`.
    fn probe(&self, deleted: &[u8], max: u8, out: &mut Vec<u32>) {
        let hash = hash(deleted);
        let at = bucket(hash, self.bits);
        let wanted = check(hash);
        let range = self.buckets[at] as usize..self.buckets[at + 1] as usize;
        for &entry in &self.entries[range] {
            let (term, count, found) = split(entry);
            if found == wanted && count <= max {
                out.push(term);
            }
        }
    }

    fn write(&self, dictionary: Dictionary, out: &mut Vec<u8>) {
        out.push(dictionary.code());
        out.push(self.bits);
        out.extend_from_slice(&(self.term_ends.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.text.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for end in &self.term_ends {
            out.extend_from_slice(&end.to_le_bytes());
        }
        out.extend_from_slice(&self.text);
        for start in &self.buckets {
            out.extend_from_slice(&start.to_le_bytes());
        }
        for entry in &self.entries {
            out.extend_from_slice(&entry.to_le_bytes());
        }
    }

    fn read(reader: &mut Reader<'_>) -> Option<(u8, Table)> {
        let dictionary = reader.u8()?;
        let bits = reader.u8()?;
        // What `bucket_bits` writes: a bucket number is the hash shifted
        // right by 64 - bits, which must be a shift of less than 64.
        if !(MIN_BUCKET_BITS..=MAX_BUCKET_BITS).contains(&bits) {
            return None;
        }
        let terms = reader.u32()? as usize;
        let text_len = reader.u32()? as usize;
        let entry_count = reader.u32()? as usize;
        let term_ends = reader.u32s(terms)?;
        let text = reader.take(text_len)?.to_vec();
        let buckets = reader.u32s((1usize << bits) + 1)?;
        let entries = reader.u32s(entry_count)?;
        let ends_ok = term_ends.windows(2).all(|pair| pair[0] < pair[1])
            && term_ends.first().is_none_or(|&first| first > 0)
            && term_ends
                .last()
                .map_or(text_len == 0, |&last| last as usize == text_len);
        let buckets_ok = buckets.first() == Some(&0)
            && buckets.windows(2).all(|pair| pair[0] <= pair[1])
            && buckets
                .last()
                .is_some_and(|&last| last as usize == entry_count);
        let entries_ok = entries
            .iter()
            .all(|&entry| (split(entry).0 as usize) < terms);
        (ends_ok && buckets_ok && entries_ok).then_some((
            dictionary,
            Table {
                term_ends,
                text,
                bits,
                buckets,
                entries,
            },
        ))
    }
}

/// A cursor over the file's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|bytes| bytes[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|bytes| u32::from_le_bytes(bytes.try_into().expect("four bytes")))
    }

    fn u32s(&mut self, count: usize) -> Option<Vec<u32>> {
        let bytes = self.take(count.checked_mul(4)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|chunk| u32::from_le_bytes(chunk.try_into().expect("four bytes")))
                .collect(),
        )
    }
}

/// The hashes of `term`'s deletion strings, each once with the fewest
/// deletions giving it (a doubled letter gives a string twice), in `own`.
fn deletions_of<'o>(term: &[u8], own: &'o mut Vec<(u64, u8)>) -> &'o [(u64, u8)] {
    own.clear();
    for_each_deletion_counted(term, MAX_DELETIONS, |deleted, count| {
        own.push((hash(deleted), count));
    });
    own.sort_unstable();
    own.dedup_by_key(|(hash, _)| *hash);
    own
}

/// Calls `each` with `word` and every string left by deleting up to `max`
/// of its letters (some more than once when letters repeat).
pub fn for_each_deletion(word: &[u8], max: u8, mut each: impl FnMut(&[u8])) {
    for_each_deletion_counted(word, max, |deleted, _| each(deleted));
}

/// The same, with the number of letters deleted.
fn for_each_deletion_counted(word: &[u8], max: u8, mut each: impl FnMut(&[u8], u8)) {
    let mut buffer = [0u8; MAX_TERM_LEN];
    let len = word.len().min(MAX_TERM_LEN);
    let word = &word[..len];
    each(word, 0);
    if max == 0 {
        return;
    }
    for first in 0..len {
        // Deleting either letter of a pair gives the same string.
        if first > 0 && word[first] == word[first - 1] {
            continue;
        }
        let rest = len - 1;
        buffer[..first].copy_from_slice(&word[..first]);
        buffer[first..rest].copy_from_slice(&word[first + 1..]);
        each(&buffer[..rest], 1);
        if max < 2 || rest == 0 {
            continue;
        }
        let once: [u8; MAX_TERM_LEN] = buffer;
        for second in first..rest {
            if second > first && once[second] == once[second - 1] {
                continue;
            }
            let mut twice = [0u8; MAX_TERM_LEN];
            twice[..second].copy_from_slice(&once[..second]);
            twice[second..rest - 1].copy_from_slice(&once[second + 1..rest]);
            each(&twice[..rest - 1], 2);
        }
    }
}

/// 64-bit FNV-1a, the hash of the file format.
fn hash(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    // FNV's high bits mix poorly for short keys: fold the low half in.
    hash ^ (hash << 29) ^ (hash >> 32).wrapping_mul(PRIME)
}

const MIN_BUCKET_BITS: u8 = 4;
const MAX_BUCKET_BITS: u8 = 28;

fn bucket_bits(entries: usize) -> u8 {
    let buckets = (entries / ENTRIES_PER_BUCKET).max(1);
    (usize::BITS - buckets.leading_zeros())
        .clamp(u32::from(MIN_BUCKET_BITS), u32::from(MAX_BUCKET_BITS)) as u8
}

fn bucket(hash: u64, bits: u8) -> usize {
    (hash >> (64 - u32::from(bits))) as usize
}

fn check(hash: u64) -> u32 {
    (hash as u32) & ((1 << CHECK_BITS) - 1)
}

fn entry(term: u32, deletions: u8, check: u32) -> u32 {
    debug_assert!((term as usize) < MAX_TERMS && deletions <= MAX_DELETIONS);
    term | (u32::from(deletions) << TERM_BITS) | (check << (TERM_BITS + COUNT_BITS))
}

fn split(entry: u32) -> (u32, u8, u32) {
    (
        entry & ((1 << TERM_BITS) - 1),
        ((entry >> TERM_BITS) & ((1 << COUNT_BITS) - 1)) as u8,
        entry >> (TERM_BITS + COUNT_BITS),
    )
}

#[cfg(test)]
mod tests;
