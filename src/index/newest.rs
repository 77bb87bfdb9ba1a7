//! The newest documents of a query, read from fast columns alone.
//!
//! Entity pages and suggestion evidence list items newest first, ties by id. Loading
//! every matching document to sort it costs a stored-document read per match, which
//! at a million items is most of a second for a busy entity; the `day` and `id`
//! columns give the same order for the price of two column reads per match. Within a
//! segment, id ordinals sort like the ids themselves, so segments compare integers
//! and only the kept documents have their id looked up.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::ordinals::{names, text};

/// A document with its date and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    /// `YYYYMMDD`, 0 when the document has no date.
    pub day: u64,
    /// Its id.
    pub id: String,
    /// Where it is, to load it.
    pub address: DocAddress,
}

impl Dated {
    /// The sort key: newest first, then by id.
    fn order(&self) -> (Reverse<u64>, &str) {
        (Reverse(self.day), self.id.as_str())
    }

    /// `true` when `self` is listed before `other`.
    pub fn precedes(&self, other: &Dated) -> bool {
        self.order() < other.order()
    }
}

/// Keeps the newest `limit` of `lists` (each sorted or not), newest first.
pub fn newest_of(lists: impl IntoIterator<Item = Vec<Dated>>, limit: usize) -> Vec<Dated> {
    let mut all: Vec<Dated> = lists.into_iter().flatten().collect();
    all.sort_by(|a, b| a.order().cmp(&b.order()));
    all.truncate(limit);
    all
}

/// The `day` and `id` columns of one segment.
#[derive(Clone)]
pub struct DayAndId {
    day: Column<u64>,
    id: Option<StrColumn>,
}

impl DayAndId {
    /// Opens the columns of `segment`.
    pub fn open(segment: &SegmentReader) -> tantivy::Result<DayAndId> {
        let fast = segment.fast_fields();
        Ok(DayAndId {
            day: fast.u64("day")?,
            id: fast.str("id")?,
        })
    }

    /// The sort key of `doc` within its segment.
    pub fn key(&self, doc: DocId) -> SegmentKey {
        let day = self.day.first(doc).unwrap_or(0);
        let id = self
            .id
            .as_ref()
            .and_then(|ids| ids.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        (Reverse(day), id, doc)
    }

    /// The documents of `keys` with their ids, in the order given.
    pub fn dated(&self, segment: SegmentOrdinal, keys: &[SegmentKey]) -> Vec<Dated> {
        let mut ords: Vec<u64> = keys.iter().map(|&(_, ord, _)| ord).collect();
        ords.sort_unstable();
        ords.dedup();
        let ids = match &self.id {
            Some(column) => names(column.dictionary(), &ords, text),
            None => vec![String::new(); ords.len()],
        };
        keys.iter()
            .map(|&(Reverse(day), ord, doc)| Dated {
                day,
                id: ords
                    .binary_search(&ord)
                    .map_or_else(|_| String::new(), |at| ids[at].clone()),
                address: DocAddress::new(segment, doc),
            })
            .collect()
    }
}

/// Newest first, then lowest id ordinal, then document: smaller is better.
pub type SegmentKey = (Reverse<u64>, u64, DocId);

/// The best `limit` keys of one segment.
pub struct NewestInSegment {
    limit: usize,
    heap: BinaryHeap<SegmentKey>,
}

impl NewestInSegment {
    /// Keeps at most `limit` documents.
    pub fn new(limit: usize) -> NewestInSegment {
        NewestInSegment {
            limit,
            heap: BinaryHeap::with_capacity(limit.min(1024) + 1),
        }
    }

    /// Offers one document; kept when among the best so far. A segment's
    /// documents often come oldest first, so most offers replace the worst kept
    /// one: in place, with one sift instead of a pop and a push.
    pub fn offer(&mut self, key: SegmentKey) {
        if self.heap.len() < self.limit {
            self.heap.push(key);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if key < *worst {
                *worst = key;
            }
        }
    }

    /// The kept keys, best first.
    pub fn into_sorted(self) -> Vec<SegmentKey> {
        self.heap.into_sorted_vec()
    }
}

/// Counts a query's documents and keeps the newest `limit` of them.
pub struct Newest {
    limit: usize,
}

impl Newest {
    /// Keeps at most `limit` documents.
    pub fn new(limit: usize) -> Newest {
        Newest { limit }
    }
}

/// One segment's part of [`Newest`].
pub struct NewestSegment {
    segment: SegmentOrdinal,
    columns: DayAndId,
    kept: NewestInSegment,
    count: u64,
}

impl Collector for Newest {
    type Fruit = (u64, Vec<Dated>);
    type Child = NewestSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<NewestSegment> {
        Ok(NewestSegment {
            segment,
            columns: DayAndId::open(reader)?,
            kept: NewestInSegment::new(self.limit),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u64, Vec<Dated>)>) -> tantivy::Result<(u64, Vec<Dated>)> {
        let count = fruits.iter().map(|(count, _)| count).sum();
        let lists = fruits.into_iter().map(|(_, list)| list);
        Ok((count, newest_of(lists, self.limit)))
    }
}

impl SegmentCollector for NewestSegment {
    type Fruit = (u64, Vec<Dated>);

    fn collect(&mut self, doc: DocId, _: Score) {
        self.count += 1;
        self.kept.offer(self.columns.key(doc));
    }

    fn harvest(self) -> (u64, Vec<Dated>) {
        let kept = self.kept.into_sorted();
        (self.count, self.columns.dated(self.segment, &kept))
    }
}
