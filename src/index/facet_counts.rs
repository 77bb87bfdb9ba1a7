//! Facet counts over a query's documents: per facet field, documents per leaf.
//!
//! Each segment numbers its facet values with its own ordinals, and turning an
//! ordinal into its name decodes a dictionary block. Naming the counted ordinals of
//! every segment on every search, then merging the named counts, was a fifth of a
//! search. The values of a searcher's segments do not change until the next commit,
//! so [`FacetValues`] lists them once per generation: every value of each field in
//! one sorted list, and for each segment the position of each of its ordinals in
//! that list. A search then counts by segment ordinal, adds the counts into the
//! shared positions, and names only the values it counted, once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, ColumnValues};
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyError};

use super::kept::Kept;
use super::ordinals::{facet_leaf, OrdinalCounts};

/// Every leaf of some facet fields across the segments of one generation.
#[derive(Debug)]
pub struct FacetValues {
    /// The fields, in the order their counts are given.
    fields: Vec<&'static str>,
    /// Per field, its leaves in order: a leaf's place here is its shared ordinal.
    leaves: Vec<Vec<String>>,
    /// Per segment, per field: the shared ordinal of each segment ordinal.
    segments: HashMap<SegmentId, Arc<[Vec<u32>]>>,
}

/// The values of the last generations searched, by field list.
static VALUES: Kept<Vec<&'static str>, Arc<FacetValues>> = Kept::new(8);

impl FacetValues {
    /// The values of `fields` in `searcher`'s segments, listed once per generation.
    pub fn of(searcher: &Searcher, fields: &[&'static str]) -> tantivy::Result<Arc<FacetValues>> {
        let generation = super::generation(searcher);
        let key = fields.to_vec();
        if let Some(values) = VALUES.get(&generation, 0, &key) {
            return Ok(values);
        }
        let values = Arc::new(FacetValues::list(searcher, fields)?);
        VALUES.put(generation, 0, key, Arc::clone(&values));
        Ok(values)
    }

    /// Reads every segment's dictionary of each field.
    fn list(searcher: &Searcher, fields: &[&'static str]) -> tantivy::Result<FacetValues> {
        let mut per_segment = Vec::new();
        for reader in searcher.segment_readers() {
            let leaves = fields
                .iter()
                .map(|name| segment_leaves(&reader.facet_reader(name)?))
                .collect::<tantivy::Result<Vec<_>>>()?;
            per_segment.push((reader.segment_id(), leaves));
        }

        let leaves: Vec<Vec<String>> = (0..fields.len())
            .map(|field| {
                let all: BTreeSet<&String> = per_segment
                    .iter()
                    .flat_map(|(_, leaves)| &leaves[field])
                    .collect();
                all.into_iter().cloned().collect()
            })
            .collect();
        let segments = per_segment
            .iter()
            .map(|(id, segment)| {
                let shared: Vec<Vec<u32>> = segment
                    .iter()
                    .zip(&leaves)
                    .map(|(local, all)| local.iter().map(|leaf| place(all, leaf)).collect())
                    .collect();
                (*id, Arc::from(shared))
            })
            .collect();
        Ok(FacetValues {
            fields: fields.to_vec(),
            leaves,
            segments,
        })
    }
}

/// A segment's leaves of one facet field, by segment ordinal.
fn segment_leaves(facets: &FacetReader) -> tantivy::Result<Vec<String>> {
    let mut leaves = Vec::with_capacity(facets.num_facets());
    let mut stream = facets.facet_dict().stream()?;
    while stream.advance() {
        leaves.push(facet_leaf(stream.key()));
    }
    Ok(leaves)
}

/// The shared ordinal of `leaf` in the sorted list `all`, which holds it.
fn place(all: &[String], leaf: &String) -> u32 {
    all.binary_search(leaf).unwrap_or_default() as u32
}

/// Documents per leaf of each of a list of one-level facet fields (`/root/leaf`).
pub struct FacetCounts {
    values: Arc<FacetValues>,
}

impl FacetCounts {
    /// Counts the facet fields named `fields`, in that order, over `searcher`.
    pub fn new(searcher: &Searcher, fields: &[&'static str]) -> tantivy::Result<FacetCounts> {
        Ok(FacetCounts {
            values: FacetValues::of(searcher, fields)?,
        })
    }
}

/// One segment's counts, by segment ordinal, per field.
pub struct FacetCountsSegment {
    fields: Vec<Counted>,
    shared: Arc<[Vec<u32>]>,
}

/// One field's ordinal column in one segment, and its counts.
struct Counted {
    ords: Column<u64>,
    /// Every document has exactly one value (section, month): the value is read
    /// straight from the column, without the range lookup of multi-valued ones.
    full: bool,
    counts: OrdinalCounts,
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
        let shared = self
            .values
            .segments
            .get(&reader.segment_id())
            .cloned()
            .ok_or_else(|| {
                TantivyError::InternalError(format!(
                    "facet values were not listed for segment {}",
                    reader.segment_id().short_uuid_string()
                ))
            })?;
        let fields = self
            .values
            .fields
            .iter()
            .map(|name| {
                let column = reader.fast_fields().str(name)?.ok_or_else(|| {
                    TantivyError::InternalError(format!("no facet column `{name}`"))
                })?;
                let ords = column.ords().clone();
                Ok(Counted {
                    full: ords.get_cardinality() == Cardinality::Full,
                    counts: OrdinalCounts::new(column.num_terms()),
                    ords,
                })
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(FacetCountsSegment { fields, shared })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<Vec<(u32, u64)>>>) -> tantivy::Result<Self::Fruit> {
        let mut totals: Vec<Vec<u64>> = self
            .values
            .leaves
            .iter()
            .map(|leaves| vec![0; leaves.len()])
            .collect();
        for segment in segments {
            for (into, counts) in totals.iter_mut().zip(segment) {
                for (shared, count) in counts {
                    if let Some(total) = into.get_mut(shared as usize) {
                        *total += count;
                    }
                }
            }
        }
        Ok(totals
            .iter()
            .zip(&self.values.leaves)
            .map(|(counts, leaves)| {
                counts
                    .iter()
                    .zip(leaves)
                    .filter(|(&count, _)| count > 0)
                    .map(|(&count, leaf)| (leaf.clone(), count))
                    .collect()
            })
            .collect())
    }
}

impl SegmentCollector for FacetCountsSegment {
    /// Per field: (shared ordinal, documents) of every value counted.
    type Fruit = Vec<Vec<(u32, u64)>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for field in &mut self.fields {
            if field.full {
                field.counts.add(field.ords.values.get_val(doc));
            } else {
                for ord in field.ords.values_for_doc(doc) {
                    field.counts.add(ord);
                }
            }
        }
    }

    fn harvest(self) -> Vec<Vec<(u32, u64)>> {
        self.fields
            .iter()
            .zip(self.shared.iter())
            .map(|(field, shared)| {
                let counts = &field.counts;
                counts
                    .counted()
                    .into_iter()
                    .filter_map(|ord| Some((*shared.get(ord as usize)?, counts.count(ord))))
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::AllQuery;
    use tantivy::schema::{Facet, FacetOptions, Schema};
    use tantivy::{doc, Index};

    use super::*;

    /// Two segments that number their values differently: `b` is ordinal 0 in
    /// the first and 1 in the second.
    #[test]
    fn counts_add_up_across_segments_by_name() {
        let mut schema = Schema::builder();
        let section = schema.add_facet_field("section", FacetOptions::default());
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for batch in [
            &["/section/b", "/section/b", "/section/c"][..],
            &["/section/a", "/section/b"],
        ] {
            for path in batch {
                writer
                    .add_document(doc!(section => Facet::from(*path)))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);

        let facets = FacetCounts::new(&searcher, &["section"]).unwrap();
        let (total, counts) = searcher.search(&AllQuery, &(Count, facets)).unwrap();
        assert_eq!(total, 5);
        let expected: BTreeMap<String, u64> = [
            ("a".to_string(), 1),
            ("b".to_string(), 3),
            ("c".to_string(), 1),
        ]
        .into();
        assert_eq!(counts, vec![expected]);
    }
}
