//! The file layout the two per-voter record stores share (`names.bin`,
//! [`crate::name_records`]; `voters.bin`, [`crate::voter_records`]): a
//! table of offsets in front of records kept back to back in one buffer,
//! read in place.
//!
//! ```text
//! magic (4 bytes) | u32 layout version | u32 count | (count + 1) × u32 offsets | records
//! ```
//!
//! Record `i` runs from `offsets[i]` to `offsets[i + 1]`, counted from the
//! end of the table. All integers are little-endian. What a record holds is
//! each store's business; this module only frames them.

/// Bytes before the offsets: magic, version, count.
const HEADER: usize = 12;

/// Why a buffer is not a record table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableError {
    /// Wrong magic or layout version.
    BadHeader,
    /// The offsets are truncated or inconsistent, first at this record.
    Corrupt(u64),
}

/// Records framed by an offsets table, by number.
#[derive(Debug, Clone)]
pub struct RecordTable {
    offsets: Vec<u32>,
    /// The records, from byte `base` on (a loaded file keeps its header
    /// in front rather than being copied).
    data: Vec<u8>,
    base: usize,
}

impl Default for RecordTable {
    fn default() -> Self {
        RecordTable {
            offsets: vec![0],
            data: Vec::new(),
            base: 0,
        }
    }
}

impl RecordTable {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there is no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of record `index`, or `None` past the end.
    pub fn get(&self, index: u64) -> Option<&[u8]> {
        let index = usize::try_from(index).ok()?;
        let start = self.base + *self.offsets.get(index)? as usize;
        let end = self.base + *self.offsets.get(index + 1)? as usize;
        self.data.get(start..end)
    }

    /// Asks the processor to start fetching record `index` into its cache,
    /// for a caller that will read it shortly and has other work until
    /// then; does nothing where there is no such record.
    #[inline]
    pub fn prefetch(&self, index: u64) {
        let start = usize::try_from(index)
            .ok()
            .and_then(|index| self.offsets.get(index));
        if let Some(&start) = start {
            prefetch(self.data.as_ptr().wrapping_add(self.base + start as usize));
        }
    }

    /// Asks the processor to start fetching where record `index` lies,
    /// for a caller that will [`prefetch`](RecordTable::prefetch) it some
    /// time later: the table of offsets is itself too large for a cache.
    #[inline]
    pub fn prefetch_offset(&self, index: u64) {
        if let Some(offset) = usize::try_from(index)
            .ok()
            .and_then(|index| self.offsets.get(index))
        {
            prefetch(std::ptr::from_ref(offset).cast());
        }
    }

    /// Where the next record is written, by a builder (then [`Self::end_record`]).
    pub fn data_mut(&mut self) -> &mut Vec<u8> {
        &mut self.data
    }

    /// Ends the record written since the last call.
    pub fn end_record(&mut self) {
        let end = self.data.len() - self.base;
        self.offsets.push(end as u32);
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 4 + self.data.capacity()
    }

    /// The table in the file layout.
    pub fn to_bytes(&self, magic: &[u8; 4], version: u32) -> Vec<u8> {
        let records = &self.data[self.base..];
        let mut out = Vec::with_capacity(HEADER + self.offsets.len() * 4 + records.len());
        out.extend_from_slice(magic);
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for offset in &self.offsets {
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(records);
        out
    }

    /// Reads a table back, checking its header and that its offsets rise
    /// from 0 to the end of the buffer; the records themselves are the
    /// caller's to check.
    pub fn from_bytes(
        bytes: Vec<u8>,
        magic: &[u8; 4],
        version: u32,
    ) -> Result<RecordTable, TableError> {
        let header = bytes.get(..HEADER).ok_or(TableError::BadHeader)?;
        if &header[..4] != magic || read_u32(&header[4..8]) != version {
            return Err(TableError::BadHeader);
        }
        let count = read_u32(&header[8..12]) as usize;
        let table_end = count
            .checked_add(1)
            .and_then(|n| n.checked_mul(4))
            .and_then(|n| n.checked_add(HEADER))
            .ok_or(TableError::Corrupt(0))?;
        let table = bytes.get(HEADER..table_end).ok_or(TableError::Corrupt(0))?;
        let offsets: Vec<u32> = table.chunks_exact(4).map(read_u32).collect();
        let data_len = bytes.len() - table_end;
        let mut previous = 0;
        for (id, &offset) in offsets.iter().enumerate() {
            if offset < previous || offset as usize > data_len {
                return Err(TableError::Corrupt(id as u64));
            }
            previous = offset;
        }
        if offsets.first() != Some(&0) || offsets.last().map(|&end| end as usize) != Some(data_len)
        {
            return Err(TableError::Corrupt(0));
        }
        Ok(RecordTable {
            offsets,
            data: bytes,
            base: table_end,
        })
    }
}

/// A little-endian `u32` from the first four bytes.
pub fn read_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Asks the processor to start fetching the cache line at `at`; does
/// nothing where there is no such hint.
#[inline]
fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE, which the instruction needs, is part of every
        // x86_64 processor; and a prefetch is only a hint: it never
        // faults, whatever the address, and changes nothing the program
        // can observe.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_framed_and_damage_is_refused() {
        let mut table = RecordTable::default();
        for record in [&b"abc"[..], b"", b"de"] {
            table.data_mut().extend_from_slice(record);
            table.end_record();
        }
        let bytes = table.to_bytes(b"TEST", 3);
        let back = RecordTable::from_bytes(bytes.clone(), b"TEST", 3).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.get(0), Some(&b"abc"[..]));
        assert_eq!(back.get(1), Some(&b""[..]));
        assert_eq!(back.get(2), Some(&b"de"[..]));
        assert_eq!(back.get(3), None);
        // A table read back can be written again unchanged.
        assert_eq!(back.to_bytes(b"TEST", 3), bytes);

        let refuse = |bytes: Vec<u8>| RecordTable::from_bytes(bytes, b"TEST", 3).unwrap_err();
        assert_eq!(refuse(b"TES".to_vec()), TableError::BadHeader);
        assert_eq!(
            RecordTable::from_bytes(bytes.clone(), b"TEST", 4).unwrap_err(),
            TableError::BadHeader
        );
        assert!(matches!(
            refuse(bytes[..bytes.len() - 1].to_vec()),
            TableError::Corrupt(_)
        ));
        // Offsets of records 1 and 2 swapped: they no longer rise.
        let mut tampered = bytes.clone();
        tampered[HEADER + 4] = 5;
        assert_eq!(refuse(tampered), TableError::Corrupt(2));
    }
}
