//! The newest documents of a query, read from fast columns alone.
//!
//! Entity pages and suggestion evidence list items newest first, ties by id. Loading
//! every matching document to sort it costs a stored-document read per match, which
//! at a million items is most of a second for a busy entity; the `day` and `id`
//! columns give the same order for the price of two column reads per match. Within a
//! segment, id ordinals sort like the ids themselves, so segments compare integers
//! and only the kept documents have their id looked up.

use std::cmp::Reverse;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::ordinals::{names, text};
use super::value_lists::ValueLists;

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

/// The oldest day that can still be among the newest `limit` of some segments'
/// kept keys: keys of older days cannot make the cut, whatever their ids.
///
/// Ids are read from a segment's dictionary, a block decoded per lookup; a busy
/// entity's page kept a hundred keys per segment but lists a hundred overall, and
/// naming them all was a tenth of the page. Days alone rank all but the ties of
/// the last day, so only the keys on or after that day are named.
pub fn oldest_day_needed<'a>(
    lists: impl IntoIterator<Item = &'a [SegmentKey]>,
    limit: usize,
) -> Option<u64> {
    if limit == 0 {
        return Some(u64::MAX);
    }
    let mut days: Vec<Reverse<u64>> = lists
        .into_iter()
        .flat_map(|keys| keys.iter().map(|key| key.0))
        .collect();
    if days.len() <= limit {
        return None;
    }
    let (_, Reverse(day), _) = days.select_nth_unstable(limit - 1);
    Some(*day)
}

/// The keys of `keys` dated on or after `day` (all of them without a day).
pub fn on_or_after(keys: &[SegmentKey], day: Option<u64>) -> Vec<SegmentKey> {
    match day {
        Some(day) => keys.iter().copied().filter(|key| key.0 .0 >= day).collect(),
        None => keys.to_vec(),
    }
}

/// The `day` and `id` columns of one segment.
#[derive(Clone)]
pub struct DayAndId {
    days: Arc<ValueLists>,
    ids: Option<Arc<ValueLists>>,
    /// The `id` column, for its dictionary.
    id: Option<StrColumn>,
}

impl DayAndId {
    /// Opens the columns of `segment`.
    pub fn open(segment: &SegmentReader) -> tantivy::Result<DayAndId> {
        let fast = segment.fast_fields();
        let id = fast.str("id")?;
        Ok(DayAndId {
            days: ValueLists::of(segment, "day", &fast.u64("day")?),
            ids: id
                .as_ref()
                .map(|ids| ValueLists::of(segment, "id", ids.ords())),
            id,
        })
    }

    /// The sort key of `doc` within its segment.
    #[inline]
    pub fn key(&self, doc: DocId) -> SegmentKey {
        let day = self.days.first(doc).map_or(0, u64::from);
        let id = self
            .ids
            .as_ref()
            .and_then(|ids| ids.first(doc))
            .map_or(u64::MAX, u64::from);
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
///
/// A segment's documents often come oldest first, so nearly every offer beats the
/// kept ones: a heap then sifts on almost every document, which was the largest
/// cost of a busy entity's page. Offers are instead appended to a buffer of twice
/// the limit; when it fills, the best `limit` are selected in linear time and the
/// worst of them becomes the bar later offers must beat.
pub struct NewestInSegment {
    limit: usize,
    kept: Vec<SegmentKey>,
    /// The worst key kept at the last selection: an offer no better is dropped.
    bar: Option<SegmentKey>,
}

impl NewestInSegment {
    /// Keeps at most `limit` documents.
    pub fn new(limit: usize) -> NewestInSegment {
        NewestInSegment {
            limit,
            kept: Vec::new(),
            bar: None,
        }
    }

    /// `false` when no key that starts with `first` can be kept, whatever follows
    /// it: the caller need not read the rest of the key.
    #[inline]
    pub fn may_keep(&self, first: Reverse<u64>) -> bool {
        self.limit > 0 && self.bar.is_none_or(|bar| first <= bar.0)
    }

    /// Offers one document; kept when among the best so far.
    #[inline]
    pub fn offer(&mut self, key: SegmentKey) {
        if self.limit == 0 || self.bar.is_some_and(|bar| key >= bar) {
            return;
        }
        if self.kept.capacity() == 0 {
            self.kept
                .reserve_exact(self.limit.saturating_mul(2).min(4096));
        }
        self.kept.push(key);
        if self.kept.len() >= self.limit.saturating_mul(2) {
            self.select();
        }
    }

    /// Keeps the best `limit` of the buffer and raises the bar to the worst of them.
    /// When every later offer beat every earlier one (documents oldest first), the
    /// second half is the answer and no selection is needed.
    fn select(&mut self) {
        let (earlier, later) = self.kept.split_at(self.limit);
        let worst_later = later.iter().max();
        let best_earlier = earlier.iter().min();
        if let (Some(&worst), Some(best)) = (worst_later, best_earlier) {
            if worst < *best {
                self.kept.drain(..self.limit);
                self.bar = Some(worst);
                return;
            }
        }
        let (_, worst, _) = self.kept.select_nth_unstable(self.limit - 1);
        self.bar = Some(*worst);
        self.kept.truncate(self.limit);
    }

    /// The kept keys, best first.
    pub fn into_sorted(mut self) -> Vec<SegmentKey> {
        self.kept.sort_unstable();
        self.kept.truncate(self.limit);
        self.kept
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept keys of `offers`, against sorting them all.
    fn check(offers: &[SegmentKey], limit: usize) {
        let mut kept = NewestInSegment::new(limit);
        for &key in offers {
            kept.offer(key);
        }
        let mut expected = offers.to_vec();
        expected.sort_unstable();
        expected.truncate(limit);
        assert_eq!(kept.into_sorted(), expected, "limit {limit}");
    }

    fn key(day: u64, id: u64, doc: DocId) -> SegmentKey {
        (Reverse(day), id, doc)
    }

    #[test]
    fn only_keys_that_can_make_the_cut_are_named() {
        let first = [key(9, 5, 0), key(7, 1, 1), key(3, 0, 2)];
        let second = [key(8, 2, 0), key(7, 0, 1), key(1, 9, 2)];
        let lists = [&first[..], &second[..]];

        // The newest three are day 9, day 8 and one of the two day-7 keys: both
        // day-7 keys stay, as their ids decide which one is listed.
        let day = oldest_day_needed(lists, 3);
        assert_eq!(day, Some(7));
        assert_eq!(on_or_after(&first, day), vec![key(9, 5, 0), key(7, 1, 1)]);
        assert_eq!(on_or_after(&second, day), vec![key(8, 2, 0), key(7, 0, 1)]);

        assert_eq!(oldest_day_needed(lists, 6), None);
        assert_eq!(on_or_after(&second, None), second.to_vec());
        assert!(on_or_after(&first, oldest_day_needed(lists, 0)).is_empty());
    }

    #[test]
    fn keeps_the_best_in_any_order() {
        let oldest_first: Vec<SegmentKey> = (0..500)
            .map(|doc| key(doc as u64 / 3, doc as u64, doc))
            .collect();
        let newest_first: Vec<SegmentKey> = oldest_first.iter().rev().copied().collect();
        // A fixed shuffle with repeated days and ids.
        let shuffled: Vec<SegmentKey> = (0..500u32)
            .map(|doc| {
                let mixed = u64::from(doc.wrapping_mul(2_654_435_761) % 97);
                key(mixed % 13, mixed, doc)
            })
            .collect();
        for offers in [&oldest_first, &newest_first, &shuffled] {
            for limit in [0, 1, 2, 10, 499, 500, 501] {
                check(offers, limit);
            }
        }
    }
}
