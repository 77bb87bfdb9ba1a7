//! Work spread over the index's search threads, with the caller taking part.
//!
//! Tantivy's executor hands every task of a search to its thread pool and puts the
//! calling thread to sleep until they are done. On an idle server (one analyst, one
//! request) the pool's threads are asleep too, and one of them often joined late:
//! gathering the busiest entity page at a million items took 8.5 ms in most builds
//! and 14–17 ms in a third of them, one thread doing the work of two (BENCHMARKS.md,
//! fifteenth round). Here the caller works through the tasks itself, and the pool's
//! threads join in as they wake. When other work is already under way the pool's
//! threads are awake and busy, and the caller waits for them as before: a caller
//! that always took part raised throughput under load but made the slowest answers
//! four times slower (tenth round).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{Executor, Searcher, SegmentOrdinal, SegmentReader, TantivyError};

/// Fan-outs under way in this process.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Counts one fan-out while it runs.
struct Running {
    alone: bool,
}

impl Running {
    fn start() -> Running {
        Running {
            alone: RUNNING.fetch_add(1, Ordering::AcqRel) == 0,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// `task` of each of `args`, in order, run on `executor`'s threads; the calling
/// thread takes tasks too when nothing else is running.
pub fn map<A, R>(
    executor: &Executor,
    args: &[A],
    task: impl Fn(&A) -> tantivy::Result<R> + Sync,
) -> tantivy::Result<Vec<R>>
where
    A: Sync,
    R: Send,
{
    let running = Running::start();
    match (executor, args) {
        (_, []) => Ok(Vec::new()),
        // One task alone: the caller runs it rather than wait for a thread to wake.
        (Executor::ThreadPool(_), [only]) if running.alone => Ok(vec![task(only)?]),
        (Executor::ThreadPool(pool), _) if running.alone => shared(pool, args, &task),
        _ => executor.map(&task, args.iter()),
    }
}

/// The tasks taken in turn by the caller and by the pool's other threads.
fn shared<A, R>(
    pool: &rayon::ThreadPool,
    args: &[A],
    task: &(impl Fn(&A) -> tantivy::Result<R> + Sync),
) -> tantivy::Result<Vec<R>>
where
    A: Sync,
    R: Send,
{
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<tantivy::Result<R>>>> =
        args.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let at = next.fetch_add(1, Ordering::Relaxed);
        let Some(arg) = args.get(at) else {
            break;
        };
        let result = task(arg);
        *results[at].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
    };
    // Every pool thread is asked to join, though the caller is already at work:
    // a woken thread is often placed on its waker's core, and with one thread
    // asked the other core stayed idle in a third of the busiest page's builds.
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads() {
            scope.spawn(|_| work());
        }
        work();
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .unwrap_or_else(|| Err(TantivyError::InternalError("a task did not run".into())))
        })
        .collect()
}

/// What Tantivy's `Searcher::search` does, segments fanned out as [`map`] does.
pub fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    let fruits = map(
        searcher.index().search_executor(),
        &segments(searcher),
        |&(segment, reader)| collector.collect_segment(weight.as_ref(), segment, reader),
    )?;
    collector.merge_fruits(fruits)
}

/// The segments of `searcher` with their ordinals.
pub fn segments(searcher: &Searcher) -> Vec<(SegmentOrdinal, &SegmentReader)> {
    searcher
        .segment_readers()
        .iter()
        .enumerate()
        .map(|(segment, reader)| (segment as SegmentOrdinal, reader))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_an_error_is_returned() {
        let executor = Executor::multi_thread(2, "fan-out-test-").expect("a pool of two");
        let args: Vec<u64> = (0..50).collect();
        for _ in 0..20 {
            let squares = map(&executor, &args, |&n| Ok(n * n)).expect("no task fails");
            assert_eq!(squares, args.iter().map(|n| n * n).collect::<Vec<_>>());
        }
        let failed = map(&executor, &args, |&n| {
            if n == 7 {
                Err(TantivyError::InvalidArgument(n.to_string()))
            } else {
                Ok(n)
            }
        });
        assert!(
            matches!(failed, Err(TantivyError::InvalidArgument(ref n)) if n == "7"),
            "{failed:?}"
        );
        let single = Executor::single_thread();
        assert_eq!(
            map(&single, &args[..3], |&n| Ok(n + 1)).ok(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            map(&executor, &args[..0], |&n| Ok(n)).ok(),
            Some(Vec::new())
        );
        assert_eq!(
            map(&executor, &args[..1], |&n| Ok(n + 1)).ok(),
            Some(vec![1])
        );
    }

    #[test]
    fn a_fan_out_inside_another_leaves_the_work_to_the_pool() {
        let executor = Executor::multi_thread(2, "fan-out-nested-").expect("a pool of two");
        let args: Vec<u64> = (0..8).collect();
        let sums = map(&executor, &args, |&n| {
            let inner = map(&executor, &args, |&m| Ok(n * m))?;
            Ok(inner.iter().sum::<u64>())
        })
        .expect("no task fails");
        assert_eq!(sums, args.iter().map(|n| n * 28).collect::<Vec<_>>());
    }
}
