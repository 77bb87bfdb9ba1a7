//! Values derived from one index generation and registry, kept until either changes.
//!
//! Entity pages and JSON answers are functions of the request, the index
//! generation and the registry. The index changes when an ingest commits, once or
//! twice a day, while the busiest pages are read all day; so what was computed is
//! kept and served again until a commit opens new segments or another registry is
//! in use. One slot holds the values of one generation; a full slot is emptied
//! rather than tracked entry by entry.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use super::Generation;

/// Values by request, for one generation and registry at a time.
pub struct Kept<K, V> {
    capacity: usize,
    slot: Mutex<Option<Slot<K, V>>>,
}

struct Slot<K, V> {
    generation: Generation,
    registry: u64,
    values: HashMap<K, V>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    /// Keeps at most `capacity` values.
    pub const fn new(capacity: usize) -> Kept<K, V> {
        Kept {
            capacity,
            slot: Mutex::new(None),
        }
    }

    /// The value kept for `key`, if it was computed on this generation and registry.
    pub fn get(&self, generation: &Generation, registry: u64, key: &K) -> Option<V> {
        let slot = self
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = slot.as_ref()?;
        if slot.registry != registry || slot.generation != *generation {
            return None;
        }
        slot.values.get(key).cloned()
    }

    /// Keeps a value computed on `generation` with `registry`, dropping the values
    /// of any other.
    pub fn put(&self, generation: Generation, registry: u64, key: K, value: V) {
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = slot
            .as_ref()
            .is_some_and(|slot| slot.registry == registry && slot.generation == generation);
        if !current {
            *slot = Some(Slot {
                generation,
                registry,
                values: HashMap::new(),
            });
        }
        if let Some(slot) = slot.as_mut() {
            if slot.values.len() >= self.capacity {
                slot.values.clear();
            }
            slot.values.insert(key, value);
        }
    }
}
