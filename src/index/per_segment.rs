//! Values derived from one segment, kept while the segment is searched.
//!
//! A segment never changes once written, except that documents can later be
//! deleted from it, which gives it a new delete opstamp. What a page or a count
//! derives from one segment therefore stays right for as long as the segment and
//! its deletes are the same. A commit that adds a brief adds a segment and leaves
//! the others as they were, so what was derived from those is reused, and only
//! the new segment is read: the first entity page after a commit visits the new
//! items and adds up the segments' counts, instead of visiting every item again.
//! Compare [`super::kept`], which keeps whole answers for one generation.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use tantivy::collector::Collector;
use tantivy::index::SegmentId;
use tantivy::{Opstamp, Searcher, SegmentReader};

use super::fan_out;
use super::Generation;

/// A segment as one generation reads it: its id and the opstamp of the last
/// delete applied to it.
pub type SegmentState = (SegmentId, Option<Opstamp>);

/// Values by segment state and key, within a memory budget.
pub struct PerSegment<K, V> {
    budget: usize,
    inner: Mutex<Option<Inner<K, V>>>,
}

struct Inner<K, V> {
    segments: HashMap<SegmentState, HashMap<K, (V, usize)>>,
    bytes: usize,
    /// The last two generations given to [`PerSegment::keep_only`], newest last.
    recent: Vec<Generation>,
}

impl<K: Eq + Hash, V: Clone> PerSegment<K, V> {
    /// Keeps values of about `budget` bytes in all, as their producers estimate them.
    pub const fn new(budget: usize) -> PerSegment<K, V> {
        PerSegment {
            budget,
            inner: Mutex::new(None),
        }
    }

    /// The value kept for `key` in `segment`.
    pub fn get(&self, segment: &SegmentState, key: &K) -> Option<V> {
        let inner = self.lock();
        let (value, _) = inner.as_ref()?.segments.get(segment)?.get(key)?;
        Some(value.clone())
    }

    /// Keeps `value` (about `bytes` bytes) for `key` in `segment`; when the budget
    /// would be exceeded, everything kept so far is dropped first.
    pub fn put(&self, segment: SegmentState, key: K, value: V, bytes: usize) {
        let mut inner = self.lock();
        let inner = inner.get_or_insert_with(|| Inner {
            segments: HashMap::new(),
            bytes: 0,
            recent: Vec::new(),
        });
        if inner.bytes.saturating_add(bytes) > self.budget {
            inner.segments.clear();
            inner.bytes = 0;
        }
        let previous = inner
            .segments
            .entry(segment)
            .or_default()
            .insert(key, (value, bytes));
        let freed = previous.map_or(0, |(_, bytes)| bytes);
        inner.bytes = inner.bytes.saturating_add(bytes).saturating_sub(freed);
    }

    /// Drops the values of segments that neither `generation` nor the generation
    /// given before it reads as they were: merged away, or with documents deleted
    /// since. The one before is spared because a server reads a new generation
    /// ahead while requests still run on the previous one (see
    /// [`crate::warming`]): dropping what those read would have them decode it
    /// again.
    pub fn keep_only(&self, generation: &Generation) {
        let mut inner = self.lock();
        let Some(inner) = inner.as_mut() else {
            return;
        };
        if inner.recent.contains(generation) {
            return;
        }
        inner.recent.push(generation.clone());
        if inner.recent.len() > 2 {
            inner.recent.remove(0);
        }
        let recent = &inner.recent;
        let mut freed = 0;
        inner.segments.retain(|(id, deletes), values| {
            let live = recent.iter().any(|kept| kept.get(id) == Some(deletes));
            if !live {
                freed += values.values().map(|(_, bytes)| bytes).sum::<usize>();
            }
            live
        });
        inner.bytes = inner.bytes.saturating_sub(freed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Inner<K, V>>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Opens `collector` on every segment of `searcher`, in parallel, and collects
/// nothing: for what opening a segment derives and keeps (decoded columns, names),
/// ahead of the requests that will need it (see [`crate::warming`]).
pub fn open_all<C: Collector>(searcher: &Searcher, collector: &C) -> tantivy::Result<()> {
    fan_out::map(
        searcher.index().search_executor(),
        &fan_out::segments(searcher),
        |&(segment, reader)| collector.for_segment(segment, reader).map(drop),
    )?;
    Ok(())
}

/// The state in which `reader` reads its segment.
pub fn state(reader: &SegmentReader) -> SegmentState {
    (reader.segment_id(), reader.delete_opstamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_their_segment_state_and_the_budget() {
        let kept: PerSegment<&str, u32> = PerSegment::new(100);
        let a = SegmentId::generate_random();
        let b = SegmentId::generate_random();
        let c = SegmentId::generate_random();
        kept.put((a, None), "k", 1, 40);
        kept.put((b, None), "k", 2, 40);
        assert_eq!(kept.get(&(a, None), &"k"), Some(1));
        assert_eq!(kept.get(&(a, Some(7)), &"k"), None);

        // The first generation: both segments as they are.
        let first: Generation = [(a, None), (b, None)].into_iter().collect();
        kept.keep_only(&first);
        assert_eq!(kept.get(&(a, None), &"k"), Some(1));

        // `a` now has deletes. What was derived from it before stays while the
        // first generation may still be read, and goes with the next one.
        let second: Generation = [(a, Some(7)), (b, None)].into_iter().collect();
        kept.keep_only(&second);
        assert_eq!(kept.get(&(a, None), &"k"), Some(1));
        kept.keep_only(&first);
        assert_eq!(kept.get(&(a, None), &"k"), Some(1));
        let third: Generation = [(a, Some(7)), (b, None), (c, None)].into_iter().collect();
        kept.keep_only(&third);
        assert_eq!(kept.get(&(a, None), &"k"), None);
        assert_eq!(kept.get(&(b, None), &"k"), Some(2));

        // Over the budget, everything kept is dropped before the new value goes in.
        kept.put((a, Some(7)), "k", 3, 70);
        assert_eq!(kept.get(&(b, None), &"k"), None);
        assert_eq!(kept.get(&(a, Some(7)), &"k"), Some(3));
    }
}
