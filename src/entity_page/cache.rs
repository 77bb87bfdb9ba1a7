//! Entity pages of the current index generation, kept until the next commit.
//!
//! A page is a function of the index generation, the registry and the request, so
//! a page built once can be served again until a commit changes the segments. The
//! busiest entities are the most visited and the dearest to build (one pass over
//! every item that links them), and between two ingests a day they do not change.
//! One slot serves the process: pages of another generation or registry are
//! dropped, and a full cache is emptied rather than tracked per entry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{EntityPage, Window};
use crate::index::Generation;

/// Pages kept at most.
const CAPACITY: usize = 256;

struct Pages {
    generation: Generation,
    registry: u64,
    pages: HashMap<(String, Window), Arc<EntityPage>>,
}

static PAGES: Mutex<Option<Pages>> = Mutex::new(None);

/// The page kept for this request, if any.
pub(super) fn get(
    generation: &Generation,
    registry: u64,
    key: &str,
    window: Window,
) -> Option<Arc<EntityPage>> {
    let slot = PAGES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pages = slot.as_ref()?;
    if pages.registry != registry || pages.generation != *generation {
        return None;
    }
    pages.pages.get(&(key.to_string(), window)).cloned()
}

/// Keeps a page built on `generation`.
pub(super) fn put(
    generation: Generation,
    registry: u64,
    key: &str,
    window: Window,
    page: Arc<EntityPage>,
) {
    let mut slot = PAGES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let current = slot
        .as_ref()
        .is_some_and(|pages| pages.registry == registry && pages.generation == generation);
    if !current {
        *slot = Some(Pages {
            generation,
            registry,
            pages: HashMap::new(),
        });
    }
    if let Some(pages) = slot.as_mut() {
        if pages.pages.len() >= CAPACITY {
            pages.pages.clear();
        }
        pages.pages.insert((key.to_string(), window), page);
    }
}
