//! The live index and how it is replaced.
//!
//! [`IndexHandle`] holds the index being served behind an `ArcSwap`: a
//! request takes one snapshot (an `Arc`) at its start and uses it to the end,
//! so a swap never changes the index under a running request, and the old
//! index is freed when its last request finishes. No guard of `arc-swap` is
//! ever held across an `.await`: callers get an owned `Arc`.

pub mod canary;
mod loaded;
pub mod reload;

use std::sync::Arc;

use arc_swap::ArcSwapOption;

pub(crate) use loaded::SegmentView;
pub use loaded::{IndexInfo, IndexOrigin, LoadError, LoadedIndex};

/// The index being served, or none before the first load.
#[derive(Default)]
pub struct IndexHandle {
    current: ArcSwapOption<LoadedIndex>,
}

impl IndexHandle {
    /// A handle serving `index` from the start.
    pub fn with_index(index: LoadedIndex) -> IndexHandle {
        let handle = IndexHandle::default();
        handle.replace(Arc::new(index));
        handle
    }

    /// The index to serve one request with, if any is loaded.
    pub fn snapshot(&self) -> Option<Arc<LoadedIndex>> {
        self.current.load_full()
    }

    /// True once an index is loaded.
    pub fn is_loaded(&self) -> bool {
        self.current.load().is_some()
    }

    /// Puts `index` live; returns the one it replaces.
    pub fn replace(&self, index: Arc<LoadedIndex>) -> Option<Arc<LoadedIndex>> {
        self.current.swap(Some(index))
    }
}
