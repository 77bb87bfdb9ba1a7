//! Which segments the writer merges.
//!
//! Tantivy's default policy merges segments level by level, up to ten million
//! documents: building a million items, its last merges read segments of hundreds
//! of thousands of documents, gigabytes of files mapped into the process at once,
//! and peak memory followed. Here a merge takes only small segments and makes one of
//! at most [`BoundedMerges::max_docs`] documents, so what a merge maps stays small
//! whatever the size of the index. A large index then has more segments, which the
//! searcher reads in parallel.
//!
//! A merge also takes only segments of one size tier (sizes within a factor of
//! [`TIER_FACTOR`], everything under [`TIER_FLOOR`] documents being one tier). A
//! daily brief adds a segment of a few dozen items; merged with whatever small
//! segment was left over from the bulk ingest, it rewrote that segment every few
//! days: at a million items a 27,705-item segment was merged again every third
//! brief, and the first entity page after that commit read it again from scratch.

use tantivy::index::SegmentMeta;
use tantivy::indexer::{MergeCandidate, MergePolicy};

/// Segments under this many documents are one tier.
pub const TIER_FLOOR: u32 = 1_000;

/// Above [`TIER_FLOOR`], a tier's largest segments are this many times its smallest.
pub const TIER_FACTOR: u32 = 8;

/// The size tier of a segment of `docs` documents.
fn tier(docs: u32) -> u32 {
    if docs < TIER_FLOOR {
        return 0;
    }
    1 + (docs / TIER_FLOOR).ilog(TIER_FACTOR)
}

/// Merges the smallest segments into segments of at most `max_docs` documents.
#[derive(Debug, Clone)]
pub struct BoundedMerges {
    /// Fewest segments worth one merge.
    pub min_segments: usize,
    /// Most documents of a merged segment; a segment of more than half of it is
    /// never merged again.
    pub max_docs: u32,
}

impl Default for BoundedMerges {
    /// About 250 MB of segment files at the corpus' average document size.
    fn default() -> Self {
        BoundedMerges {
            min_segments: 4,
            max_docs: 60_000,
        }
    }
}

impl MergePolicy for BoundedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut small: Vec<&SegmentMeta> = segments
            .iter()
            .filter(|segment| segment.num_docs() <= self.max_docs / 2)
            .collect();
        small.sort_by_key(|segment| segment.num_docs());

        let mut candidates = Vec::new();
        let mut group = Vec::new();
        let mut docs = 0;
        let mut group_tier = 0;
        for segment in small {
            let segment_tier = tier(segment.num_docs());
            if docs + segment.num_docs() > self.max_docs || segment_tier != group_tier {
                self.close(&mut group, &mut candidates);
                docs = 0;
                group_tier = segment_tier;
            }
            group.push(segment.id());
            docs += segment.num_docs();
        }
        self.close(&mut group, &mut candidates);
        candidates
    }
}

impl BoundedMerges {
    /// Ends a group: a merge if it holds enough segments.
    fn close(&self, group: &mut Vec<tantivy::index::SegmentId>, into: &mut Vec<MergeCandidate>) {
        let group = std::mem::take(group);
        if group.len() >= self.min_segments {
            into.push(MergeCandidate(group));
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentId;

    use super::*;

    fn segments(docs: &[u32]) -> Vec<SegmentMeta> {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        docs.iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    fn merged_sizes(policy: &BoundedMerges, docs: &[u32]) -> Vec<u32> {
        let metas = segments(docs);
        let mut sizes: Vec<u32> = policy
            .compute_merge_candidates(&metas)
            .iter()
            .map(|candidate| {
                candidate
                    .0
                    .iter()
                    .map(|id| metas.iter().find(|m| m.id() == *id).unwrap().num_docs())
                    .sum()
            })
            .collect();
        sizes.sort();
        sizes
    }

    #[test]
    fn small_segments_merge_up_to_the_bound() {
        let policy = BoundedMerges {
            min_segments: 4,
            max_docs: 100,
        };
        // Ten segments of 10 docs: one merge of 100 docs; no merge of the rest.
        assert_eq!(merged_sizes(&policy, &[10; 10]), vec![100]);
        // Twelve: the first ten, then two are too few.
        assert_eq!(merged_sizes(&policy, &[10; 12]), vec![100]);
        // Twenty: two merges.
        assert_eq!(merged_sizes(&policy, &[10; 20]), vec![100, 100]);
    }

    #[test]
    fn large_segments_are_left_alone() {
        let policy = BoundedMerges {
            min_segments: 2,
            max_docs: 100,
        };
        assert_eq!(merged_sizes(&policy, &[51, 60, 90, 100]), Vec::<u32>::new());
        assert_eq!(merged_sizes(&policy, &[51, 60, 20, 30]), vec![50]);
        assert_eq!(merged_sizes(&policy, &[3, 3]), vec![6]);
    }

    /// A day's brief is merged with other days' briefs, not with a leftover of
    /// the bulk ingest (the 1M index's smallest segment had 27,705 documents).
    #[test]
    fn segments_merge_only_within_their_size_tier() {
        let policy = BoundedMerges::default();
        assert_eq!(
            merged_sizes(&policy, &[27_705, 31, 28, 40]),
            Vec::<u32>::new()
        );
        assert_eq!(
            merged_sizes(&policy, &[27_705, 31, 28, 40, 35]),
            vec![134],
            "four briefs merge among themselves"
        );
        assert_eq!(
            merged_sizes(&policy, &[9_000, 27_705, 12_000, 10_000, 31]),
            vec![58_705]
        );
        assert_eq!(
            (tier(999), tier(1_000), tier(7_999), tier(8_000)),
            (0, 1, 1, 2)
        );
        assert_eq!((tier(63_999), tier(64_000)), (2, 3));
    }
}
