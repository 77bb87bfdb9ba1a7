//! Per value of a column: how many of a page's items hold it, and the newest of them.
//!
//! An entity page lists, for each cited URL and each co-occurring entity, the
//! newest items behind its count. One segment of the busiest entity at a million
//! items cites about 4,000 URLs, and a list of its own per URL made thousands of
//! allocations per segment and page; with the co-occurring entities' lists they
//! were a fifth of the page. Here every value's newest keys share one buffer,
//! `limit` slots per value, and each value holds its worst kept key beside its
//! count, so that once its slots are full an offer costs one comparison.

use std::cmp::Reverse;
use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::index::newest::SegmentKey;

/// The values of one column counted over one segment's matching documents.
pub struct NewestPerValue {
    limit: usize,
    terms: usize,
    slots: Slots,
    values: Vec<Value>,
    /// `limit` slots per value, in the order of `values`.
    keys: Vec<SegmentKey>,
}

/// Where each ordinal's [`Value`] is, plus one (0: not offered yet).
enum Slots {
    /// A slot per ordinal of the column: for a busy entity, whose items offer
    /// about as many values as the column has.
    Dense(Vec<u32>),
    /// Only the ordinals offered: a rare entity's few items in a column of
    /// thousands of values.
    Sparse(FxHashMap<u32, u32>),
}

/// One offered value.
struct Value {
    /// An offer must rank before this to be kept: the worst kept key once every
    /// slot is filled, past every key before. Read with the count, it turns most
    /// offers away without touching the kept keys.
    bar: SegmentKey,
    count: u64,
    ord: u32,
    /// Slots filled.
    kept: u32,
}

/// Past every key of a document.
const OPEN: SegmentKey = (Reverse(0), u64::MAX, u32::MAX);

/// Before every key: nothing passes it.
const CLOSED: SegmentKey = (Reverse(u64::MAX), 0, 0);

/// Per counted value in ordinal order: its ordinal, its count, and where its kept
/// keys are in [`Listed::keys`], best first.
pub struct Listed {
    pub values: Vec<(u64, (u64, Range<u32>))>,
    pub keys: Vec<SegmentKey>,
}

impl Listed {
    /// The kept keys of one value.
    pub fn kept(&self, range: &Range<u32>) -> &[SegmentKey] {
        &self.keys[range.start as usize..range.end as usize]
    }
}

impl NewestPerValue {
    /// Counts the values of a column of `terms` ordinals over `documents` documents,
    /// and keeps the best `limit` keys of each value.
    pub fn new(limit: usize, terms: usize, documents: usize) -> NewestPerValue {
        // Zeroing a slot per ordinal then costs at most 16 bytes per document,
        // less than the hash lookup per offered value it saves.
        let slots = if terms <= documents.saturating_mul(4) {
            Slots::Dense(vec![0; terms])
        } else {
            Slots::Sparse(FxHashMap::default())
        };
        NewestPerValue {
            limit,
            terms,
            slots,
            values: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Counts `ord` for the document of `key`, and keeps `key` when among the best
    /// `limit` of that value's so far; ordinals past the column are ignored.
    #[inline]
    pub fn offer(&mut self, ord: u32, key: SegmentKey) {
        let Some(at) = self.value_of(ord) else {
            return;
        };
        let value = &mut self.values[at];
        value.count += 1;
        if key < value.bar {
            self.keep(at, key);
        }
    }

    /// The place of `ord`'s value, added on its first offer.
    #[inline]
    fn value_of(&mut self, ord: u32) -> Option<usize> {
        let slot = match &mut self.slots {
            Slots::Dense(slots) => *slots.get(ord as usize)?,
            Slots::Sparse(slots) => slots.get(&ord).copied().unwrap_or(0),
        };
        match slot {
            0 if (ord as usize) < self.terms => Some(self.add(ord)),
            0 => None,
            slot => Some(slot as usize - 1),
        }
    }

    /// Adds a value for `ord`, with empty slots.
    #[cold]
    fn add(&mut self, ord: u32) -> usize {
        let at = self.values.len();
        self.values.push(Value {
            bar: if self.limit == 0 { CLOSED } else { OPEN },
            count: 0,
            ord,
            kept: 0,
        });
        self.keys
            .resize(self.keys.len() + self.limit, (Reverse(0), 0, 0));
        let slot = at as u32 + 1;
        match &mut self.slots {
            Slots::Dense(slots) => slots[ord as usize] = slot,
            Slots::Sparse(slots) => {
                slots.insert(ord, slot);
            }
        }
        at
    }

    /// Keeps `key` among the `at`-th value's keys, in a free slot or in place of
    /// the worst; the bar rises once every slot is filled.
    fn keep(&mut self, at: usize, key: SegmentKey) {
        let value = &mut self.values[at];
        let kept = &mut self.keys[at * self.limit..(at + 1) * self.limit];
        if (value.kept as usize) < kept.len() {
            kept[value.kept as usize] = key;
            value.kept += 1;
            if (value.kept as usize) < kept.len() {
                return;
            }
        } else {
            kept[worst(kept)] = key;
        }
        value.bar = kept[worst(kept)];
    }

    /// The counted values in ordinal order, each with its kept keys best first.
    pub fn into_listed(self) -> Listed {
        let NewestPerValue {
            limit,
            values,
            mut keys,
            ..
        } = self;
        let mut listed: Vec<(u64, (u64, Range<u32>))> = values
            .iter()
            .enumerate()
            .map(|(at, value)| {
                let start = at * limit;
                let end = start + value.kept as usize;
                keys[start..end].sort_unstable();
                (
                    u64::from(value.ord),
                    (value.count, start as u32..end as u32),
                )
            })
            .collect();
        listed.sort_unstable_by_key(|(ord, _)| *ord);
        Listed {
            values: listed,
            keys,
        }
    }
}

/// The slot of the worst of `kept` (a few keys).
fn worst(kept: &[SegmentKey]) -> usize {
    let mut worst = 0;
    for (at, key) in kept.iter().enumerate() {
        if *key > kept[worst] {
            worst = at;
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(day: u64, id: u64, doc: u32) -> SegmentKey {
        (Reverse(day), id, doc)
    }

    /// Per value, its count and best `limit` keys, by sorting every offer.
    fn expected(offers: &[(u32, SegmentKey)], limit: usize) -> Vec<(u64, u64, Vec<SegmentKey>)> {
        let mut ords: Vec<u32> = offers.iter().map(|(ord, _)| *ord).collect();
        ords.sort_unstable();
        ords.dedup();
        ords.into_iter()
            .map(|ord| {
                let mut keys: Vec<SegmentKey> = offers
                    .iter()
                    .filter(|(of, _)| *of == ord)
                    .map(|(_, key)| *key)
                    .collect();
                let count = keys.len() as u64;
                keys.sort_unstable();
                keys.truncate(limit);
                (u64::from(ord), count, keys)
            })
            .collect()
    }

    #[test]
    fn keeps_each_values_best_in_any_order_dense_or_sparse() {
        // Values 0..7 offered by 300 documents in a fixed shuffle, days repeating.
        let offers: Vec<(u32, SegmentKey)> = (0..300u32)
            .map(|doc| {
                let mixed = doc.wrapping_mul(2_654_435_761) % 101;
                (mixed % 7, key(u64::from(mixed % 13), u64::from(mixed), doc))
            })
            .collect();
        let reversed: Vec<(u32, SegmentKey)> = offers.iter().rev().copied().collect();
        for offers in [&offers, &reversed] {
            for limit in [0, 1, 3, 10, 60] {
                for documents in [0, 300] {
                    let mut per_value = NewestPerValue::new(limit, 7, documents);
                    for &(ord, key) in offers.iter() {
                        per_value.offer(ord, key);
                    }
                    let listed = per_value.into_listed();
                    let got: Vec<(u64, u64, Vec<SegmentKey>)> = listed
                        .values
                        .iter()
                        .map(|(ord, (count, range))| (*ord, *count, listed.kept(range).to_vec()))
                        .collect();
                    assert_eq!(got, expected(offers, limit), "limit {limit}");
                }
            }
        }
    }

    #[test]
    fn ordinals_past_the_column_are_ignored() {
        for documents in [0, 100] {
            let mut per_value = NewestPerValue::new(2, 3, documents);
            per_value.offer(3, key(1, 1, 1));
            per_value.offer(2, key(1, 2, 2));
            let listed = per_value.into_listed();
            assert_eq!(listed.values, vec![(2, (1, 0..1))]);
            assert_eq!(listed.keys[..1], [key(1, 2, 2)]);
        }
    }
}
