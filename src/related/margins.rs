//! The margins of co-occurrence: items per entity over the co-occurrence scope,
//! counted segment by segment.
//!
//! Every suggestion score needs the number of items linking each entity across
//! the whole index. Counted over every segment after each commit, they made the
//! first entity page after a commit read the whole index (tens of milliseconds at
//! a million items). Each segment's counts are kept while the segment lives
//! ([`PerSegment`]), so after a commit that adds a brief only its new segment is
//! counted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::index::names::{ColumnNames, Term};
use crate::index::ordinals::OrdinalCounts;
use crate::index::per_segment::{self, PerSegment};
use crate::index::schema::facet;
use crate::index::{fan_out, generation};

/// One segment's items in the scope, and its items per entity key.
#[derive(Debug, Default)]
pub struct SegmentMargins {
    items: u64,
    counts: Vec<(String, u64)>,
}

/// Each segment's margins over the co-occurrence scope (the only scope counted
/// here); a segment's are a few thousand keys.
static KEPT: PerSegment<(), Arc<SegmentMargins>> = PerSegment::new(64 << 20);

/// Segments counted so far.
static COUNTED: AtomicU64 = AtomicU64::new(0);

/// How many segments' margins this process has counted (rather than found kept).
pub fn counted() -> u64 {
    COUNTED.load(Ordering::Relaxed)
}

/// Items matching `scope` (the co-occurrence scope) in `searcher`, and items per
/// linked entity key.
pub fn count(
    searcher: &Searcher,
    scope: &dyn Query,
) -> tantivy::Result<(u64, HashMap<String, u64>)> {
    let generation = generation(searcher);
    KEPT.keep_only(&generation);
    let weight = scope.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let segments = fan_out::map(
        searcher.index().search_executor(),
        &fan_out::segments(searcher),
        |&(segment, reader)| {
            let state = per_segment::state(reader);
            if let Some(margins) = KEPT.get(&state, &()) {
                return Ok(margins);
            }
            let margins = Arc::new(Margins.collect_segment(weight.as_ref(), segment, reader)?);
            COUNTED.fetch_add(1, Ordering::Relaxed);
            let bytes = margins.counts.iter().map(|(key, _)| key.len() + 40).sum();
            KEPT.put(state, (), Arc::clone(&margins), bytes);
            Ok(margins)
        },
    )?;
    Ok(add_up(segments.iter().map(Arc::as_ref)))
}

fn add_up<'a>(segments: impl Iterator<Item = &'a SegmentMargins>) -> (u64, HashMap<String, u64>) {
    let mut items = 0;
    let mut counts: HashMap<String, u64> = HashMap::new();
    for segment in segments {
        items += segment.items;
        for (key, count) in &segment.counts {
            match counts.get_mut(key) {
                Some(total) => *total += count,
                None => {
                    counts.insert(key.clone(), *count);
                }
            }
        }
    }
    (items, counts)
}

/// Counts one segment's margins.
struct Margins;

/// The margins of one segment, by entity ordinal.
struct MarginsSegment {
    items: u64,
    entity: FacetReader,
    counts: OrdinalCounts,
    names: Arc<ColumnNames>,
}

impl Collector for Margins {
    type Fruit = (u64, HashMap<String, u64>);
    type Child = MarginsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<MarginsSegment> {
        let entity = reader.facet_reader(facet::ENTITY)?;
        let names = ColumnNames::of(reader, facet::ENTITY, entity.facet_dict(), Term::FacetLeaf)?;
        Ok(MarginsSegment {
            items: 0,
            counts: OrdinalCounts::new(entity.num_facets()),
            entity,
            names,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentMargins>) -> tantivy::Result<Self::Fruit> {
        Ok(add_up(segments.iter()))
    }
}

impl SegmentCollector for MarginsSegment {
    type Fruit = SegmentMargins;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.items += 1;
        for ord in self.entity.facet_ords(doc) {
            self.counts.add(ord);
        }
    }

    fn harvest(self) -> SegmentMargins {
        let counts = self
            .counts
            .nonzero()
            .into_iter()
            .map(|(ord, count)| (self.names.get(ord).to_string(), count))
            .collect();
        SegmentMargins {
            items: self.items,
            counts,
        }
    }
}
