//! Which threads run a search: the index's search threads when no other search is
//! running, the caller's own thread when one is.
//!
//! Splitting a search over the segments halves its time on two idle cores. Under
//! concurrent requests the cores are already busy, and handing every segment to
//! the shared threads only adds hand-offs and wake-ups: on the 100k benchmark
//! index under `wrk` (32 connections, every answer computed), a search cost
//! 12–15 % more CPU that way than on its caller's thread.

use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::Executor;

/// Runs every segment on the caller's thread.
static CALLER: Executor = Executor::SingleThread;

/// Counts the searches running on one index.
#[derive(Debug, Default)]
pub struct Lanes {
    running: AtomicUsize,
}

/// The executor of one search, held while the search runs.
pub struct Lane<'a> {
    executor: &'a Executor,
    running: &'a AtomicUsize,
}

impl Lanes {
    /// A lane for a search starting now: `shared` (the index's search threads)
    /// when no other search is running, else the caller's thread.
    pub fn take<'a>(&'a self, shared: &'a Executor) -> Lane<'a> {
        let others = self.running.fetch_add(1, Ordering::AcqRel);
        Lane {
            executor: if others == 0 { shared } else { &CALLER },
            running: &self.running,
        }
    }
}

impl Lane<'_> {
    /// The executor to run this search's segments on.
    pub fn executor(&self) -> &Executor {
        self.executor
    }
}

impl Drop for Lane<'_> {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_caller(lane: &Lane) -> bool {
        matches!(lane.executor(), Executor::SingleThread)
    }

    #[test]
    fn a_search_alone_gets_the_shared_threads_and_others_their_own() {
        let shared = Executor::multi_thread(2, "lanes-test").unwrap();
        let lanes = Lanes::default();

        let first = lanes.take(&shared);
        let second = lanes.take(&shared);
        let third = lanes.take(&shared);
        assert!(!on_caller(&first));
        assert!(on_caller(&second));
        assert!(on_caller(&third));

        drop(first);
        drop(second);
        let fourth = lanes.take(&shared);
        assert!(on_caller(&fourth), "the third search still runs");

        drop(third);
        drop(fourth);
        assert!(!on_caller(&lanes.take(&shared)));
    }
}
