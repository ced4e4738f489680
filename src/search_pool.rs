//! The threads searches run on, apart from the runtime's workers.
//!
//! A search is CPU work of a tenth of a millisecond to a few milliseconds.
//! Run inline on a runtime worker, every search queued behind another
//! holds up the reading of new requests too: on a saturated server the
//! requests then wait unread in socket buffers and in the runtime's task
//! queue, where admission control cannot see them, so it neither sheds
//! nor degrades while latency climbs without bound. On their own threads
//! the searches queue where admission counts them (requests admitted but
//! not finished), the limit adapts to the latency that queue adds, and
//! the runtime keeps reading, refusing and answering at once.
//!
//! The pool is rayon's, a fixed set of threads made for CPU-bound work;
//! admission bounds how many searches are handed to it at a time.

use std::sync::Arc;

use crate::error::LookupError;

/// A fixed pool of search threads.
#[derive(Clone)]
pub struct SearchPool {
    pool: Arc<rayon::ThreadPool>,
}

impl std::fmt::Debug for SearchPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchPool")
            .field("threads", &self.threads())
            .finish()
    }
}

impl SearchPool {
    /// A pool of `threads` threads (at least one).
    pub fn new(threads: usize) -> std::io::Result<SearchPool> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|index| format!("search-{index}"))
            // Without a handler rayon aborts the process on a panic; a
            // panicking search fails its own request and nothing else.
            .panic_handler(|panic| {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %message, "a search panicked");
            })
            .build()
            .map_err(std::io::Error::other)?;
        Ok(SearchPool {
            pool: Arc::new(pool),
        })
    }

    /// One thread per core the process may run on.
    pub fn per_core() -> std::io::Result<SearchPool> {
        SearchPool::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// How many threads search.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `job` on a search thread and returns its result; a job that
    /// panics is an internal error of its request.
    pub async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<R, LookupError> + Send + 'static,
    ) -> Result<R, LookupError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            // The request may have gone (a closed connection): nobody to
            // tell, and nothing to undo.
            let _ = answer.send(job());
        });
        answered
            .await
            .unwrap_or_else(|_| Err(LookupError::Internal("the search failed".to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_off_the_runtime_and_a_panic_fails_only_its_own() {
        let pool = SearchPool::new(2).unwrap();
        assert_eq!(pool.threads(), 2);
        let name = pool
            .run(|| Ok(std::thread::current().name().unwrap_or("").to_string()))
            .await
            .unwrap();
        assert!(name.starts_with("search-"), "{name}");
        let failed = pool.run::<()>(|| panic!("boom")).await;
        assert!(
            matches!(failed, Err(LookupError::Internal(_))),
            "{failed:?}"
        );
        assert_eq!(pool.run(|| Ok(41 + 1)).await.unwrap(), 42);
    }
}
