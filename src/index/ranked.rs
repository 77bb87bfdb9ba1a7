//! One page of a ranking, ties by id, naming ids only where segments tie.
//!
//! A page of results must not depend on how the index happens to be split into
//! segments, so hits that rank alike are ordered by id. Tantivy's two-key order
//! names the id of every document each segment keeps, one dictionary block
//! decoded per document: under a load of paged searches that was 7 % of the
//! server's time. Within a segment, id ordinals sort like the ids, so each
//! segment keeps its best by ordinal and no id is read there. At the merge, ids
//! are read only for hits of different segments that rank exactly alike, which
//! BM25 scores rarely do; the page's own ids come from its stored items.

use std::cmp::Reverse;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::newest::{NewestInSegment, SegmentKey};
use super::ordinals::{names, text};

/// What ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    /// The highest score.
    Score,
    /// The newest `day`.
    Newest,
}

/// The hits from `offset` to `offset + limit` of a ranking, ties by id, each with
/// its score (0 when ranked by day).
pub struct Ranked {
    rank: Rank,
    offset: usize,
    limit: usize,
}

impl Ranked {
    /// The page of `limit` hits after the first `offset`.
    pub fn new(rank: Rank, offset: usize, limit: usize) -> Ranked {
        Ranked {
            rank,
            offset,
            limit,
        }
    }

    /// Hits a segment must keep: any hit on the page is among its segment's best
    /// that many, by the same order.
    fn kept(&self) -> usize {
        self.offset.saturating_add(self.limit)
    }
}

/// One segment's part of [`Ranked`].
pub struct RankedSegment {
    segment: SegmentOrdinal,
    rank: Rank,
    days: Option<Column<u64>>,
    ids: Option<StrColumn>,
    kept: NewestInSegment,
}

/// A segment's best hits, best first, and its `id` column to name them by.
pub struct SegmentRanking {
    segment: SegmentOrdinal,
    keys: Vec<SegmentKey>,
    ids: Option<StrColumn>,
}

impl Collector for Ranked {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = RankedSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<RankedSegment> {
        let fast = reader.fast_fields();
        let days = match self.rank {
            Rank::Score => None,
            Rank::Newest => fast.u64("day").ok(),
        };
        Ok(RankedSegment {
            segment,
            rank: self.rank,
            days,
            ids: fast.str("id")?,
            kept: NewestInSegment::new(self.kept()),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.rank == Rank::Score
    }

    fn merge_fruits(
        &self,
        fruits: Vec<SegmentRanking>,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let hits = fruits.iter().flat_map(|fruit| {
            fruit.keys.iter().map(|&(first, ord, doc)| Hit {
                first,
                segment: fruit.segment,
                ord,
                doc,
            })
        });
        let ranked = rank(hits.collect(), self.kept(), |segment, ords| {
            id_names(&fruits, segment, ords)
        });
        Ok(ranked
            .into_iter()
            .skip(self.offset)
            .map(|hit| {
                let score = match self.rank {
                    Rank::Score => score_of(hit.first.0),
                    Rank::Newest => 0.0,
                };
                (score, DocAddress::new(hit.segment, hit.doc))
            })
            .collect())
    }
}

impl SegmentCollector for RankedSegment {
    type Fruit = SegmentRanking;

    fn collect(&mut self, doc: DocId, score: Score) {
        let first = Reverse(match self.rank {
            Rank::Score => score_key(score),
            Rank::Newest => self
                .days
                .as_ref()
                .and_then(|days| days.first(doc))
                .unwrap_or(0),
        });
        // Most matches rank below the kept ones: turned away before their id is read.
        if !self.kept.may_keep(first) {
            return;
        }
        let ord = self
            .ids
            .as_ref()
            .and_then(|ids| ids.ords().first(doc))
            .unwrap_or(u64::MAX);
        self.kept.offer((first, ord, doc));
    }

    fn harvest(self) -> SegmentRanking {
        SegmentRanking {
            segment: self.segment,
            keys: self.kept.into_sorted(),
            ids: self.ids,
        }
    }
}

/// One kept hit: its rank, then its id ordinal within its segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    first: Reverse<u64>,
    segment: SegmentOrdinal,
    ord: u64,
    doc: DocId,
}

/// The best `wanted` of `hits`: by rank, ties by id. Ties within one segment are
/// already in id order; the ids of a tie across segments come from `name`
/// (a segment and its sorted, distinct ordinals, to their ids).
fn rank(
    mut hits: Vec<Hit>,
    wanted: usize,
    name: impl Fn(SegmentOrdinal, &[u64]) -> Vec<String>,
) -> Vec<Hit> {
    hits.sort_unstable_by_key(|hit| (hit.first, hit.segment, hit.ord, hit.doc));
    let mut at = 0;
    while at < hits.len() && at < wanted {
        let first = hits[at].first;
        let end = at + hits[at..].partition_point(|hit| hit.first == first);
        let tie = &mut hits[at..end];
        if tie.iter().any(|hit| hit.segment != tie[0].segment) {
            order_by_id(tie, &name);
        }
        at = end;
    }
    hits.truncate(wanted);
    hits
}

/// Orders hits that rank alike by id, then by where they are.
fn order_by_id(tie: &mut [Hit], name: &impl Fn(SegmentOrdinal, &[u64]) -> Vec<String>) {
    let mut named: Vec<(String, Hit)> = Vec::with_capacity(tie.len());
    // Sorted by segment, then ordinal: each segment's run is named in one pass.
    for run in tie.chunk_by(|a, b| a.segment == b.segment) {
        let mut ords: Vec<u64> = run.iter().map(|hit| hit.ord).collect();
        ords.dedup();
        let ids = name(run[0].segment, &ords);
        for hit in run {
            let at = ords.binary_search(&hit.ord).unwrap_or(0);
            named.push((ids.get(at).cloned().unwrap_or_default(), *hit));
        }
    }
    named.sort_unstable_by(|a, b| (&a.0, a.1.segment, a.1.doc).cmp(&(&b.0, b.1.segment, b.1.doc)));
    for (slot, (_, hit)) in tie.iter_mut().zip(named) {
        *slot = hit;
    }
}

/// The ids of `ords` (sorted, distinct) in `segment`'s `id` column.
fn id_names(fruits: &[SegmentRanking], segment: SegmentOrdinal, ords: &[u64]) -> Vec<String> {
    fruits
        .iter()
        .find(|fruit| fruit.segment == segment)
        .and_then(|fruit| fruit.ids.as_ref())
        .map(|ids| names(ids.dictionary(), ords, text))
        .unwrap_or_default()
}

/// A score as an integer that sorts as the score does.
fn score_key(score: Score) -> u64 {
    let bits = score.to_bits();
    let sortable = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    };
    u64::from(sortable)
}

/// The score of a [`score_key`].
fn score_of(key: u64) -> Score {
    let bits = key as u32;
    Score::from_bits(if bits >> 31 == 1 {
        bits & !(1 << 31)
    } else {
        !bits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_keys_sort_as_scores_and_read_back() {
        let scores = [-3.5, -0.0, 0.0, 1e-30, 0.25, 1.0, 7.75, 1e30];
        let keys: Vec<u64> = scores.iter().map(|&score| score_key(score)).collect();
        assert!(keys.windows(2).all(|pair| pair[0] <= pair[1]), "{keys:?}");
        for (&score, &key) in scores.iter().zip(&keys) {
            assert_eq!(score_of(key).to_bits(), score.to_bits());
        }
    }

    fn hit(first: u64, segment: SegmentOrdinal, ord: u64, doc: DocId) -> Hit {
        Hit {
            first: Reverse(first),
            segment,
            ord,
            doc,
        }
    }

    /// Ids by segment and ordinal, recording which were asked for.
    struct Ids {
        segments: Vec<Vec<&'static str>>,
        asked: std::cell::RefCell<Vec<(SegmentOrdinal, u64)>>,
    }

    impl Ids {
        fn name(&self, segment: SegmentOrdinal, ords: &[u64]) -> Vec<String> {
            self.asked
                .borrow_mut()
                .extend(ords.iter().map(|&ord| (segment, ord)));
            ords.iter()
                .map(|&ord| self.segments[segment as usize][ord as usize].to_string())
                .collect()
        }
    }

    #[test]
    fn ties_across_segments_are_ordered_by_id_and_only_they_are_named() {
        let ids = Ids {
            segments: vec![vec!["a", "c", "e"], vec!["b", "d"], vec!["z"]],
            asked: Default::default(),
        };
        let hits = vec![
            hit(9, 2, 0, 0),
            hit(5, 0, 2, 2),
            hit(5, 1, 1, 1),
            hit(5, 0, 0, 0),
            hit(5, 1, 0, 0),
            hit(1, 0, 1, 1),
            hit(1, 1, 1, 1),
        ];
        let ranked = rank(hits, 5, |segment, ords| ids.name(segment, ords));
        let order: Vec<(SegmentOrdinal, u64)> =
            ranked.iter().map(|hit| (hit.segment, hit.ord)).collect();
        // z (alone at 9), then a b d e at 5 (c ranks 1 and is past the page).
        assert_eq!(order, vec![(2, 0), (0, 0), (1, 0), (1, 1), (0, 2)]);
        // The lone best hit and the tie past the page were never named.
        let mut asked = ids.asked.take();
        asked.sort_unstable();
        assert_eq!(asked, vec![(0, 0), (0, 2), (1, 0), (1, 1)]);
    }

    #[test]
    fn a_tie_within_one_segment_keeps_id_order_unnamed() {
        let hits = vec![hit(3, 4, 7, 1), hit(3, 4, 2, 9), hit(8, 1, 5, 0)];
        let ranked = rank(hits, 10, |_, _| panic!("no id is needed"));
        let order: Vec<(SegmentOrdinal, u64)> =
            ranked.iter().map(|hit| (hit.segment, hit.ord)).collect();
        assert_eq!(order, vec![(1, 5), (4, 2), (4, 7)]);
    }
}
