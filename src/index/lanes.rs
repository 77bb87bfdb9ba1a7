//! Which threads run a search: the index's search threads when no other search is
//! running, the caller's own thread when one is.
//!
//! Splitting a search over the segments halves its time on two idle cores. Under
//! concurrent requests the cores are already busy, and handing every segment to
//! the shared threads only adds hand-offs and wake-ups. On the 100k benchmark
//! index under `wrk` (2 threads, 32 connections, every answer computed), a
//! search cost 1.50 ms of CPU that way and 1.15 ms on its caller's thread:
//! 1,270 requests/s became 1,690, and the median request 24.9 ms became 13.9.
//!
//! The price is the slowest requests under that overload: 32 threads share two
//! cores, so a heavy search (a phrase over 23,000 items) shares them with all the
//! others rather than waiting its turn and then running alone, and the 99th
//! percentile went from 31 to about 115 ms. Turns (one search per core, the rest
//! asleep until woken in arrival order) kept the tail at 30–55 ms but cost more
//! CPU than they saved on this virtual machine, every hand-off a cross-core
//! wake-up: 920–1,320 requests/s. Queueing each concurrent search whole on the
//! shared threads was no better (1,320 requests/s): the pool's idle spinning
//! took back the CPU.

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
