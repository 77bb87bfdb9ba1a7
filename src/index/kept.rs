//! Values derived from one index generation and registry, kept until either changes.
//!
//! Entity pages and JSON answers are functions of the request, the index
//! generation and the registry. The index changes when an ingest commits, once or
//! twice a day, while the busiest pages are read all day; so what was computed is
//! kept and served again until a commit opens new segments or another registry is
//! in use. One slot holds the values of one generation (or a few slots, those of
//! the generations used last); a full slot is emptied rather than tracked entry by
//! entry.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::Generation;

/// Values by request, for one generation and registry at a time, or a few.
pub struct Kept<K, V> {
    capacity: usize,
    generations: usize,
    /// Most recently used first.
    slots: Mutex<Vec<Slot<K, V>>>,
}

struct Slot<K, V> {
    generation: Generation,
    registry: u64,
    values: HashMap<K, V>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    /// Keeps at most `capacity` values, of one generation.
    pub const fn new(capacity: usize) -> Kept<K, V> {
        Kept::across(capacity, 1)
    }

    /// Keeps at most `capacity` values per generation, for the `generations` most
    /// recently used. Two suit what a server reads ahead for a new generation while
    /// requests still run on the previous one (see [`crate::warming`]): with one,
    /// each side would drop what the other just put.
    pub const fn across(capacity: usize, generations: usize) -> Kept<K, V> {
        Kept {
            capacity,
            generations,
            slots: Mutex::new(Vec::new()),
        }
    }

    /// The value kept for `key`, if it was computed on this generation and registry.
    pub fn get(&self, generation: &Generation, registry: u64, key: &K) -> Option<V> {
        let mut slots = self.lock();
        let at = position(&slots, generation, registry)?;
        let value = slots[at].values.get(key).cloned();
        slots[..=at].rotate_right(1);
        value
    }

    /// Keeps a value computed on `generation` with `registry`, dropping the values
    /// of the generation used least recently when there are too many.
    pub fn put(&self, generation: Generation, registry: u64, key: K, value: V) {
        let mut slots = self.lock();
        match position(&slots, &generation, registry) {
            Some(at) => slots[..=at].rotate_right(1),
            None => {
                slots.insert(
                    0,
                    Slot {
                        generation,
                        registry,
                        values: HashMap::new(),
                    },
                );
                slots.truncate(self.generations.max(1));
            }
        }
        let slot = &mut slots[0];
        if slot.values.len() >= self.capacity {
            slot.values.clear();
        }
        slot.values.insert(key, value);
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Slot<K, V>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where the slot of `generation` and `registry` is.
fn position<K, V>(slots: &[Slot<K, V>], generation: &Generation, registry: u64) -> Option<usize> {
    slots
        .iter()
        .position(|slot| slot.registry == registry && slot.generation == *generation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generation() -> Generation {
        [(tantivy::index::SegmentId::generate_random(), None)]
            .into_iter()
            .collect()
    }

    #[test]
    fn one_generation_at_a_time_by_default() {
        let kept: Kept<&str, u32> = Kept::new(10);
        let (old, new) = (generation(), generation());
        kept.put(old.clone(), 0, "k", 1);
        kept.put(new.clone(), 0, "k", 2);
        assert_eq!(kept.get(&old, 0, &"k"), None);
        assert_eq!(kept.get(&new, 0, &"k"), Some(2));
        assert_eq!(kept.get(&new, 1, &"k"), None, "another registry");
    }

    #[test]
    fn across_generations_the_least_recently_used_goes() {
        let kept: Kept<&str, u32> = Kept::across(10, 2);
        let (a, b, c) = (generation(), generation(), generation());
        kept.put(a.clone(), 0, "k", 1);
        kept.put(b.clone(), 0, "k", 2);
        assert_eq!(kept.get(&a, 0, &"k"), Some(1));
        // `a` was used after `b`: `b` goes when `c` comes.
        kept.put(c.clone(), 0, "k", 3);
        assert_eq!(kept.get(&b, 0, &"k"), None);
        assert_eq!(kept.get(&a, 0, &"k"), Some(1));
        assert_eq!(kept.get(&c, 0, &"k"), Some(3));
    }

    #[test]
    fn a_full_slot_is_emptied() {
        let kept: Kept<u32, u32> = Kept::new(2);
        let now = generation();
        for key in 0..3 {
            kept.put(now.clone(), 0, key, key);
        }
        assert_eq!(kept.get(&now, 0, &0), None);
        assert_eq!(kept.get(&now, 0, &2), Some(2));
    }
}
