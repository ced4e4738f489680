//! Canary lookups made from the voters an artifact names.
//!
//! The manifest names each canary voter by station and order number only,
//! so that neither it, `/readyz` nor the logs carry a name. Before an index
//! serves, the reloader looks each voter up as a desk would type them,
//! from their record in the index itself
//! ([`voter_core::voter_records::VoterView::desk_lookup`]).

use voter_core::artifact::Canary;

use super::LoadedIndex;
use crate::search::Searcher;

/// A lookup that must find a known voter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanaryLookup {
    /// Query text: birth name then first given name.
    pub query: String,
    /// Birth date in ISO form, when the roll knows it in full.
    pub birth_date: Option<String>,
    /// INSEE code of the voter's commune, when the roll gives one.
    pub commune_code: Option<String>,
    /// Station code the voter must be found in.
    pub station_code: String,
    /// Order number the voter must have there.
    pub order_number: u32,
}

/// The lookup for `canary`, made from the record of the voter registered
/// at its station and order number; `None` when the index has no such
/// voter.
pub fn lookup_for(index: &LoadedIndex, canary: &Canary) -> Option<CanaryLookup> {
    let hits = Searcher
        .voters_at(
            index,
            canary.commune_code.as_deref(),
            &canary.station_code,
            canary.order_number,
        )
        .ok()?;
    let voter = &hits.first()?.voter;
    let desk = voter.desk_lookup();
    Some(CanaryLookup {
        query: desk.text,
        birth_date: desk.birth_date,
        commune_code: canary.commune_code.clone(),
        station_code: canary.station_code.clone(),
        order_number: canary.order_number,
    })
}

/// The lookups of every canary of `index` whose voter it holds.
pub fn lookups(index: &LoadedIndex) -> Vec<CanaryLookup> {
    index
        .canaries()
        .iter()
        .filter_map(|canary| lookup_for(index, canary))
        .collect()
}
