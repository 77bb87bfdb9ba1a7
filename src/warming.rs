//! What a server reads ahead for each new index generation, before the generation
//! answers its first request.
//!
//! Searches and entity pages keep what they derive from a segment while the
//! segment lives: its decoded columns, the names of its values, its co-occurrence
//! margins, and the facet values of the whole generation. Without warming, the
//! first request after the server starts, or after a commit or a merge, derives
//! them itself: at a million items the first page of the busiest entity took
//! 93–277 ms after the index was opened, and takes 25–54 ms read ahead. Tantivy calls a [`Warmer`] when a reader opens and on
//! every reload, before the new searcher replaces the old one, so requests keep
//! being answered from the previous generation while this one is read.
//!
//! Warming is for long-lived readers: a one-shot command reads only what its one
//! request needs, so the CLI does not warm.

use std::time::Instant;

use tantivy::{Searcher, SearcherGeneration, Warmer};

/// Reads ahead what searches and entity pages need from a new generation.
#[derive(Debug, Default)]
pub struct Warming;

impl Warmer for Warming {
    /// Never fails: a generation that could not be read ahead is still served,
    /// and its first request reads what is missing (and reports the error).
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        let started = Instant::now();
        let read =
            crate::search::prepare(searcher).and_then(|()| crate::entity_page::prepare(searcher));
        let segments = searcher.segment_readers().len();
        let ms = started.elapsed().as_secs_f64() * 1e3;
        match read {
            Ok(()) => tracing::info!(segments, ms, "generation read ahead"),
            Err(error) => tracing::warn!(segments, %error, "reading ahead failed"),
        }
        Ok(())
    }

    /// Nothing to do: each kept value is dropped when the first generation that no
    /// longer reads its segment is read.
    fn garbage_collect(&self, _: &[&SearcherGeneration]) {}
}
