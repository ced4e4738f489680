//! Sets of document numbers for candidate generation: sorted vectors for
//! the (usually small) sets of voters a token may name, a bitset for the
//! (possibly large) sets used to narrow them, and a probe that tests
//! membership in a few posting lists by skipping through them.

use tantivy::postings::{SegmentPostings, TermInfo};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, TERMINATED, index::InvertedIndexReader};

use crate::error::LookupError;

/// Appends every document of a term's postings.
pub fn extend_with_postings(
    reader: &InvertedIndexReader,
    info: &TermInfo,
    docs: &mut Vec<DocId>,
) -> Result<(), LookupError> {
    let mut block = reader.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
    loop {
        let chunk = block.docs();
        if chunk.is_empty() {
            return Ok(());
        }
        docs.extend_from_slice(chunk);
        block.advance();
    }
}

/// Sorts and removes duplicates. The documents usually arrive as a few
/// sorted posting lists end to end, which the stable sort merges as runs
/// rather than sorting from scratch.
pub fn normalise(docs: &mut Vec<DocId>) {
    docs.sort();
    docs.dedup();
}

/// Keeps the documents of sorted `docs` whose membership in sorted `set`
/// is `member`: the intersection when true, the difference when false.
pub fn retain_by_membership(docs: &mut Vec<DocId>, set: &[DocId], member: bool) {
    let mut next = set.iter().peekable();
    docs.retain(|&doc| {
        while next.next_if(|&&other| other < doc).is_some() {}
        next.peek().is_some_and(|&&other| other == doc) == member
    });
}

/// A set of documents as one bit each.
#[derive(Debug, Clone)]
pub struct DocBits {
    words: Vec<u64>,
    len: usize,
}

impl DocBits {
    /// An empty set for documents below `max_doc`.
    pub fn new(max_doc: DocId) -> DocBits {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
            len: 0,
        }
    }

    /// Adds a document.
    #[inline]
    pub fn insert(&mut self, doc: DocId) {
        let word = &mut self.words[(doc / 64) as usize];
        let bit = 1u64 << (doc % 64);
        if *word & bit == 0 {
            *word |= bit;
            self.len += 1;
        }
    }

    /// Adds every document of a term's postings.
    pub fn insert_postings(
        &mut self,
        reader: &InvertedIndexReader,
        info: &TermInfo,
    ) -> Result<(), LookupError> {
        let mut block = reader.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        loop {
            let chunk = block.docs();
            if chunk.is_empty() {
                return Ok(());
            }
            for &doc in chunk {
                self.insert(doc);
            }
            block.advance();
        }
    }

    /// Appends the documents of the set, in increasing order.
    pub fn extend_sorted(&self, docs: &mut Vec<DocId>) {
        docs.reserve(self.len);
        for (index, &word) in self.words.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                docs.push(index as DocId * 64 + bit);
                bits &= bits - 1;
            }
        }
    }

    /// True when `doc` is in the set.
    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        self.words
            .get((doc / 64) as usize)
            .is_some_and(|word| word & (1u64 << (doc % 64)) != 0)
    }

    /// Documents in the set.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }
}

/// Membership in the union of a few posting lists, for documents asked in
/// increasing order: each list skips forward to the document asked.
pub struct PostingsProbe {
    lists: Vec<SegmentPostings>,
}

impl PostingsProbe {
    /// A probe over the postings of `terms` (reader and term info pairs).
    pub fn new<'a>(
        terms: impl IntoIterator<Item = (&'a InvertedIndexReader, TermInfo)>,
    ) -> Result<PostingsProbe, LookupError> {
        let mut lists = Vec::new();
        for (reader, info) in terms {
            lists.push(reader.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?);
        }
        Ok(PostingsProbe { lists })
    }

    /// True when some list holds `doc`; calls must come in increasing `doc`
    /// order.
    pub fn contains(&mut self, doc: DocId) -> bool {
        let mut found = false;
        for list in &mut self.lists {
            let current = list.doc();
            if current == TERMINATED || current > doc {
                found |= current == doc;
                continue;
            }
            found |= list.seek(doc) == doc;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count_each_document_once() {
        let mut bits = DocBits::new(130);
        for doc in [0, 63, 64, 129, 64] {
            bits.insert(doc);
        }
        assert_eq!(bits.len(), 4);
        assert!(bits.contains(129) && bits.contains(0) && !bits.contains(1));
        assert!(!bits.contains(5_000), "out of range is absent, not a panic");
        let mut docs = Vec::new();
        bits.extend_sorted(&mut docs);
        assert_eq!(docs, [0, 63, 64, 129]);
    }

    #[test]
    fn membership_keeps_the_intersection_or_the_difference() {
        let set = [2, 4, 9];
        let mut both = vec![1, 2, 3, 4, 10];
        retain_by_membership(&mut both, &set, true);
        assert_eq!(both, [2, 4]);
        let mut apart = vec![1, 2, 3, 4, 10];
        retain_by_membership(&mut apart, &set, false);
        assert_eq!(apart, [1, 3, 10]);
    }

    #[test]
    fn normalise_sorts_and_dedups() {
        let mut docs = vec![5, 1, 5, 3, 1];
        normalise(&mut docs);
        assert_eq!(docs, [1, 3, 5]);
    }
}
