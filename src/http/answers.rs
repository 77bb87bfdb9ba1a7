//! JSON answers of the read endpoints, kept until the next commit.
//!
//! A search or an entity page is a function of the request, the index generation
//! and the registry. Analysts repeat the same searches (a dashboard's saved
//! queries, the entity pages linked from a brief), and the index changes once or
//! twice a day, so a serialized answer is kept and served again, without touching
//! the blocking pool, until a commit opens new segments or a registry reload
//! changes the registry. One slot per server; a full slot is emptied rather than
//! tracked per entry.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

use crate::index::Generation;

/// Answers kept at most.
const CAPACITY: usize = 1024;

/// The kept answers of one generation and registry.
#[derive(Default)]
pub(crate) struct Answers {
    slot: Mutex<Option<Slot>>,
}

struct Slot {
    generation: Generation,
    registry: u64,
    answers: HashMap<String, Bytes>,
}

impl Answers {
    /// The answer kept for `request`, if it was computed on this generation and
    /// registry.
    pub(crate) fn get(
        &self,
        generation: &Generation,
        registry: u64,
        request: &str,
    ) -> Option<Bytes> {
        let slot = self
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = slot.as_ref()?;
        if slot.registry != registry || slot.generation != *generation {
            return None;
        }
        slot.answers.get(request).cloned()
    }

    /// Keeps an answer computed on `generation` with `registry`.
    pub(crate) fn put(
        &self,
        generation: Generation,
        registry: u64,
        request: String,
        answer: Bytes,
    ) {
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
                answers: HashMap::new(),
            });
        }
        if let Some(slot) = slot.as_mut() {
            if slot.answers.len() >= CAPACITY {
                slot.answers.clear();
            }
            slot.answers.insert(request, answer);
        }
    }
}
