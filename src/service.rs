//! What both doors call: the live index and the searcher, behind one type.
//!
//! Each call takes one snapshot of the index and uses it to the end, so a
//! response never mixes two indexes. Searches by name run on the
//! [`SearchPool`]'s threads ([`LookupService::search`]); the station and
//! order lookup is a direct read and stays on the caller's thread.

use std::sync::Arc;
use std::time::Instant;

use crate::error::LookupError;
use crate::index::{IndexHandle, LoadedIndex};
use crate::search::{Hit, LookupQuery, LookupResponse, SearchMode, Searcher};
use crate::search_pool::SearchPool;

/// The lookup service shared by the HTTP and gRPC doors.
pub struct LookupService {
    index: IndexHandle,
    searcher: Searcher,
    pool: SearchPool,
}

/// Longest station code accepted.
pub const MAX_STATION_CODE: usize = 16;

impl LookupService {
    /// A service over `index`, searching on `pool`.
    pub fn new(index: IndexHandle, pool: SearchPool) -> LookupService {
        LookupService {
            index,
            searcher: Searcher,
            pool,
        }
    }

    /// The threads searches run on.
    pub fn pool(&self) -> &SearchPool {
        &self.pool
    }

    /// The live index handle.
    pub fn index(&self) -> &IndexHandle {
        &self.index
    }

    /// The index to answer one request with.
    pub fn snapshot(&self) -> Result<Arc<LoadedIndex>, LookupError> {
        self.index.snapshot().ok_or(LookupError::IndexNotReady)
    }

    /// Searches by name on a search thread, unless `deadline` has passed
    /// by the time one is free: then the search is not started.
    pub async fn search(
        &self,
        query: LookupQuery,
        mode: SearchMode,
        deadline: Option<Instant>,
    ) -> Result<LookupResponse, LookupError> {
        let index = self.snapshot()?;
        let searcher = self.searcher;
        self.pool
            .run(move || {
                if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                    return Err(LookupError::DeadlineExceeded);
                }
                searcher.lookup(&index, &query, mode)
            })
            .await
    }

    /// Searches by name on the caller's thread.
    pub fn lookup(
        &self,
        query: &LookupQuery,
        mode: SearchMode,
    ) -> Result<LookupResponse, LookupError> {
        let index = self.snapshot()?;
        self.searcher.lookup(&index, query, mode)
    }

    /// The voters with `order` in `station` (of `commune`, when given),
    /// and the index version.
    pub fn voters_at(
        &self,
        commune: Option<&str>,
        station: &str,
        order: u32,
    ) -> Result<(Vec<Hit>, Arc<str>), LookupError> {
        let commune = commune.map(|commune| commune.trim().to_ascii_uppercase());
        if let Some(commune) = &commune
            && !voter_core::commune::is_commune_code(commune)
        {
            return Err(LookupError::invalid(
                "commune",
                format!("`{commune}` is not an INSEE commune code (5 characters, e.g. 92049)"),
            ));
        }
        let station = station.trim();
        if station.is_empty()
            || station.len() > MAX_STATION_CODE
            || !station.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(LookupError::invalid(
                "station",
                format!("`{station}` is not a station code (letters and digits, e.g. 0001)"),
            ));
        }
        if order == 0 {
            return Err(LookupError::invalid("order", "order numbers start at 1"));
        }
        let index = self.snapshot()?;
        let hits = self
            .searcher
            .voters_at(&index, commune.as_deref(), station, order)?;
        if hits.is_empty() {
            let station = voter_core::commune::StationKey::new(commune.as_deref(), station);
            return Err(LookupError::NotFound(format!(
                "no voter has order number {order} in station {station}"
            )));
        }
        Ok((hits, index.version().clone()))
    }
}
