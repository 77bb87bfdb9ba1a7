//! Facet counts over a query's documents: per facet field, documents per leaf.
//!
//! Tantivy's `FacetCollector` names every counted facet one dictionary lookup at a
//! time, and each lookup decodes its dictionary block from the start; with four
//! facet fields and hundreds of values that naming was over 40% of a search. This
//! collector counts by ordinal into a flat array per field and names the counted
//! ordinals of each field in one forward pass (see [`super::ordinals`]).

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::ordinals::{facet_leaf, OrdinalCounts};

/// Documents per leaf of each of a list of one-level facet fields (`/root/leaf`).
pub struct FacetCounts {
    fields: Vec<&'static str>,
}

impl FacetCounts {
    /// Counts the facet fields named `fields`, in that order.
    pub fn new(fields: &[&'static str]) -> FacetCounts {
        FacetCounts {
            fields: fields.to_vec(),
        }
    }
}

/// One segment's counts, by ordinal, per field.
pub struct FacetCountsSegment {
    fields: Vec<(FacetReader, OrdinalCounts)>,
}

impl Collector for FacetCounts {
    /// Per field, in the order given: documents per leaf.
    type Fruit = Vec<BTreeMap<String, u64>>;
    type Child = FacetCountsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetCountsSegment> {
        let fields = self
            .fields
            .iter()
            .map(|name| {
                let facets = reader.facet_reader(name)?;
                let counts = OrdinalCounts::new(facets.num_facets());
                Ok((facets, counts))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(FacetCountsSegment { fields })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<Vec<BTreeMap<String, u64>>>,
    ) -> tantivy::Result<Vec<BTreeMap<String, u64>>> {
        let mut merged = vec![BTreeMap::new(); self.fields.len()];
        for segment in segments {
            for (into, counts) in merged.iter_mut().zip(segment) {
                for (leaf, count) in counts {
                    *into.entry(leaf).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetCountsSegment {
    type Fruit = Vec<BTreeMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (facets, counts) in &mut self.fields {
            for ord in facets.facet_ords(doc) {
                counts.add(ord);
            }
        }
    }

    fn harvest(self) -> Vec<BTreeMap<String, u64>> {
        self.fields
            .iter()
            .map(|(facets, counts)| {
                counts
                    .named(facets.facet_dict(), facet_leaf)
                    .into_iter()
                    .collect()
            })
            .collect()
    }
}
