//! Facet counts over a query's documents: per facet field, documents per leaf.
//!
//! Each segment numbers its facet values with its own ordinals, and turning an
//! ordinal into its name decodes a dictionary block. Naming the counted ordinals of
//! every segment on every search, then merging the named counts, was a fifth of a
//! search. The values of a searcher's segments do not change until the next commit,
//! so [`FacetValues`] lists them once per generation: every value of each facet in
//! one sorted list, and for each segment the position of each of its ordinals in
//! that list. A search then counts by segment ordinal, adds the counts into the
//! shared positions, and names only the values it counted, once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Dictionary;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyError};

use super::kept::Kept;
use super::ordinals::facet_leaf;
use super::schema::{facet, LINKED};
use super::value_lists::{Tally, ValueLists};

/// Marks a segment ordinal whose value belongs to no counted facet.
const UNCOUNTED: u32 = u32::MAX;

/// Every leaf of some facets across the segments of one generation.
#[derive(Debug)]
pub struct FacetValues {
    /// The columns their values are read from (one may hold several facets).
    columns: Vec<&'static str>,
    /// Per facet, its leaves in order.
    leaves: Vec<Vec<String>>,
    /// Per facet, the shared ordinal of its first leaf: shared ordinals number
    /// the leaves of every facet one after the other.
    offsets: Vec<u32>,
    /// Per segment, per column: the shared ordinal of each segment ordinal.
    segments: HashMap<SegmentId, Arc<[Vec<u32>]>>,
}

/// The values of the last generations searched, by facet list.
static VALUES: Kept<Vec<&'static str>, Arc<FacetValues>> = Kept::across(8, 2);

impl FacetValues {
    /// The values of `facets` in `searcher`'s segments, listed once per generation.
    pub fn of(searcher: &Searcher, facets: &[&'static str]) -> tantivy::Result<Arc<FacetValues>> {
        let generation = super::generation(searcher);
        let key = facets.to_vec();
        if let Some(values) = VALUES.get(&generation, 0, &key) {
            return Ok(values);
        }
        // A new generation: the decoded columns of segments it no longer reads
        // (merged away, or with new deletes) are dropped.
        super::value_lists::keep_only(&generation);
        let values = Arc::new(FacetValues::list(searcher, facets)?);
        VALUES.put(generation, 0, key, Arc::clone(&values));
        Ok(values)
    }

    /// The leaves of the `facet`-th facet asked for, in order.
    pub fn leaves(&self, facet: usize) -> &[String] {
        &self.leaves[facet]
    }

    /// Reads every segment's dictionary of each column.
    fn list(searcher: &Searcher, facets: &[&'static str]) -> tantivy::Result<FacetValues> {
        let mut columns: Vec<&'static str> = Vec::new();
        for facet in facets {
            if !columns.contains(&column_of(facet, facets)) {
                columns.push(column_of(facet, facets));
            }
        }
        let per_segment = segment_values(searcher, facets, &columns)?;

        let leaves: Vec<Vec<String>> = (0..facets.len())
            .map(|facet| {
                let all: BTreeSet<&String> = per_segment
                    .iter()
                    .flat_map(|(_, columns)| columns.iter().flatten())
                    .filter(|(of, _)| *of == Some(facet))
                    .map(|(_, leaf)| leaf)
                    .collect();
                all.into_iter().cloned().collect()
            })
            .collect();
        let offsets: Vec<u32> = leaves
            .iter()
            .scan(0u32, |next, leaves| {
                let first = *next;
                *next += leaves.len() as u32;
                Some(first)
            })
            .collect();
        let segments = per_segment
            .iter()
            .map(|(id, columns)| (*id, shared_ordinals(columns, &leaves, &offsets)))
            .collect();
        Ok(FacetValues {
            columns,
            leaves,
            offsets,
            segments,
        })
    }
}

/// Per segment, per column: the facet (its place in `facets`, if counted) and the
/// leaf of each segment ordinal.
type SegmentValues = Vec<(SegmentId, Vec<Vec<(Option<usize>, String)>>)>;

fn segment_values(
    searcher: &Searcher,
    facets: &[&'static str],
    columns: &[&'static str],
) -> tantivy::Result<SegmentValues> {
    let counted = |root: &str, column: &str| {
        facets
            .iter()
            .position(|&facet| facet == root && column_of(facet, facets) == column)
    };
    let mut per_segment = Vec::new();
    for reader in searcher.segment_readers() {
        let values = columns
            .iter()
            .map(|&column| {
                let terms = segment_terms(reader, column)?;
                Ok(terms
                    .into_iter()
                    .map(|(root, leaf)| (counted(&root, column), leaf))
                    .collect::<Vec<_>>())
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        per_segment.push((reader.segment_id(), values));
    }
    Ok(per_segment)
}

/// Per column of one segment, the shared ordinal of each segment ordinal: the
/// facet's offset plus the leaf's place among the facet's sorted `leaves`.
fn shared_ordinals(
    columns: &[Vec<(Option<usize>, String)>],
    leaves: &[Vec<String>],
    offsets: &[u32],
) -> Arc<[Vec<u32>]> {
    let shared: Vec<Vec<u32>> = columns
        .iter()
        .map(|values| {
            values
                .iter()
                .map(|(facet, leaf)| match facet {
                    Some(facet) => offsets[*facet] + place(&leaves[*facet], leaf),
                    None => UNCOUNTED,
                })
                .collect()
        })
        .collect();
    Arc::from(shared)
}

/// The column that holds the values of `facet` when `facets` are counted: hosts
/// and entities counted together are read from `linked`, one value-range lookup
/// per document for both; otherwise each facet from its own, narrower column.
fn column_of(facet: &'static str, facets: &[&str]) -> &'static str {
    let both = facets.contains(&facet::HOST) && facets.contains(&facet::ENTITY);
    match facet {
        facet::HOST | facet::ENTITY if both => LINKED,
        other => other,
    }
}

/// A segment's values of one column, by segment ordinal, as (root, leaf).
fn segment_terms(reader: &SegmentReader, column: &str) -> tantivy::Result<Vec<(String, String)>> {
    let Some(values) = reader.fast_fields().str(column)? else {
        return Ok(Vec::new());
    };
    let dictionary: &Dictionary = values.dictionary();
    let mut terms = Vec::with_capacity(values.num_terms());
    let mut stream = dictionary.stream()?;
    while stream.advance() {
        let bytes = stream.key();
        let root = bytes.split(|&byte| byte == 0).next().unwrap_or_default();
        terms.push((
            String::from_utf8_lossy(root).into_owned(),
            facet_leaf(bytes),
        ));
    }
    Ok(terms)
}

/// The place of `leaf` in the sorted list `all`, which holds it.
fn place(all: &[String], leaf: &String) -> u32 {
    all.binary_search(leaf).unwrap_or_default() as u32
}

/// Documents per leaf of each of a list of one-level facets (`/root/leaf`).
pub struct FacetCounts {
    values: Arc<FacetValues>,
}

impl FacetCounts {
    /// Counts the facets named `facets`, in that order, over `searcher`.
    pub fn new(searcher: &Searcher, facets: &[&'static str]) -> tantivy::Result<FacetCounts> {
        Ok(FacetCounts {
            values: FacetValues::of(searcher, facets)?,
        })
    }
}

/// One segment's counts, by segment ordinal, per column.
pub struct FacetCountsSegment {
    /// The columns the segment has, each with its place in the column list.
    columns: Vec<(usize, Tally)>,
    shared: Arc<[Vec<u32>]>,
}

/// Documents per leaf of each facet counted, read in place from the
/// generation's list of values: a broad query counts thousands of hosts, and a
/// search lists twenty of them, so none is copied until it is listed.
pub struct FacetTotals {
    values: Arc<FacetValues>,
    /// By shared ordinal (see [`FacetValues`]).
    totals: Vec<u64>,
}

impl FacetTotals {
    /// The counted leaves of the `facet`-th facet asked for, in leaf order.
    pub fn counted(&self, facet: usize) -> impl Iterator<Item = (&str, u64)> {
        let leaves = self.values.leaves.get(facet).map_or(&[][..], Vec::as_slice);
        let offset = self
            .values
            .offsets
            .get(facet)
            .map_or(0, |&offset| offset as usize);
        leaves
            .iter()
            .zip(&self.totals[offset.min(self.totals.len())..])
            .filter(|(_, &count)| count > 0)
            .map(|(leaf, &count)| (leaf.as_str(), count))
    }

    /// Per facet, in the order asked for: documents per leaf, as owned maps.
    pub fn into_maps(self) -> Vec<BTreeMap<String, u64>> {
        (0..self.values.leaves.len())
            .map(|facet| {
                self.counted(facet)
                    .map(|(leaf, count)| (leaf.to_string(), count))
                    .collect()
            })
            .collect()
    }
}

impl Collector for FacetCounts {
    /// Per facet, in the order given: documents per leaf.
    type Fruit = FacetTotals;
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
        let mut columns = Vec::with_capacity(self.values.columns.len());
        for (at, name) in self.values.columns.iter().enumerate() {
            // A segment without any value of a column counts nothing from it.
            let Some(column) = reader.fast_fields().str(name)? else {
                continue;
            };
            let lists = ValueLists::of(reader, name, column.ords());
            columns.push((at, Tally::new(lists, column.num_terms())));
        }
        Ok(FacetCountsSegment { columns, shared })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<(u32, u64)>>) -> tantivy::Result<Self::Fruit> {
        let mut totals = vec![0u64; self.values.leaves.iter().map(Vec::len).sum()];
        for (shared, count) in segments.into_iter().flatten() {
            if let Some(total) = totals.get_mut(shared as usize) {
                *total += count;
            }
        }
        Ok(FacetTotals {
            values: Arc::clone(&self.values),
            totals,
        })
    }
}

impl SegmentCollector for FacetCountsSegment {
    /// (shared ordinal, documents) of every value counted.
    type Fruit = Vec<(u32, u64)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, tally) in &mut self.columns {
            tally.add(doc);
        }
    }

    fn harvest(self) -> Vec<(u32, u64)> {
        let mut counted = Vec::new();
        for (at, tally) in self.columns {
            let shared = &self.shared[at];
            counted.extend(
                tally
                    .counts()
                    .nonzero()
                    .into_iter()
                    .filter_map(|(ord, count)| {
                        let place = *shared.get(ord as usize)?;
                        (place != UNCOUNTED).then_some((place, count))
                    }),
            );
        }
        counted
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
        assert_eq!(counts.into_maps(), vec![expected]);
    }

    /// Hosts and entities counted together come from the `linked` column: one
    /// column, two facets. The first segment has no linked value at all, so no
    /// `linked` column.
    #[test]
    fn one_column_counts_two_facets() {
        use crate::index::schema::linked_value;
        use tantivy::schema::{FAST, STRING};

        let mut schema = Schema::builder();
        let section = schema.add_facet_field("section", FacetOptions::default());
        let linked = schema.add_text_field(LINKED, FAST);
        let entity = schema.add_facet_field(facet::ENTITY, FacetOptions::default());
        let kind = schema.add_text_field("kind", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        writer
            .add_document(doc!(section => Facet::from("/section/a"), kind => "item"))
            .unwrap();
        writer.commit().unwrap();
        let documents = [
            (
                "/section/a",
                &["bleepingcomputer.com"][..],
                &["actor:akira", "actor:qilin"][..],
            ),
            (
                "/section/b",
                &["bleepingcomputer.com", "cisa.gov"],
                &["actor:akira"],
            ),
            ("/section/b", &[], &[]),
        ];
        for (path, hosts, entities) in documents {
            let mut document = doc!(section => Facet::from(path), kind => "item");
            for host in hosts {
                document.add_text(linked, linked_value(facet::HOST, host));
            }
            for key in entities {
                document.add_text(linked, linked_value(facet::ENTITY, key));
                document.add_facet(entity, Facet::from_path([facet::ENTITY, key]));
            }
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);

        let counted = [facet::SECTION, facet::HOST, facet::ENTITY];
        let facets = FacetCounts::new(&searcher, &counted).unwrap();
        let (total, counts) = searcher.search(&AllQuery, &(Count, facets)).unwrap();
        assert_eq!(total, 4);
        let counts = counts.into_maps();
        let named = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs
                .iter()
                .map(|(leaf, n)| (leaf.to_string(), *n))
                .collect()
        };
        assert_eq!(
            counts,
            vec![
                named(&[("a", 2), ("b", 2)]),
                named(&[("bleepingcomputer.com", 2), ("cisa.gov", 1)]),
                named(&[("actor:akira", 2), ("actor:qilin", 1)]),
            ]
        );

        // Entities alone are read from their own column.
        let facets = FacetCounts::new(&searcher, &[facet::ENTITY]).unwrap();
        let counts = searcher.search(&AllQuery, &facets).unwrap();
        assert_eq!(
            counts.into_maps(),
            vec![named(&[("actor:akira", 2), ("actor:qilin", 1)])]
        );
    }
}
