//! Every value of a segment's string or facet column, decoded once per segment.
//!
//! An entity page names what it counted in each segment: thousands of cited URLs,
//! the briefs and the co-occurring entity keys. Through the column's dictionary
//! each name cost a block decode and a `String`, allocated on a search thread and
//! freed on another, on every page: a quarter of the busiest page's time at a
//! million items. A segment's values never change once it is written, so they are
//! decoded into one buffer the first time a page needs them and kept until the
//! segment is merged away; naming is then an index into that buffer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::columnar::Dictionary;
use tantivy::index::SegmentId;
use tantivy::Searcher;

/// The values of one column of one segment, by segment ordinal.
#[derive(Debug, Default)]
pub struct ColumnNames {
    text: String,
    /// Where each value ends in `text`; value `i` starts where value `i - 1` ends.
    ends: Vec<usize>,
}

/// How a stored term reads as a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// A string column's term, whole.
    Whole,
    /// An encoded facet (`entity\0actor:apt42`): its last component.
    FacetLeaf,
}

/// Decoded columns by segment and column name.
type Decoded = HashMap<(SegmentId, &'static str), Arc<ColumnNames>>;

static KEPT: Mutex<Option<Decoded>> = Mutex::new(None);

impl ColumnNames {
    /// The values of `column` in the segment `segment`, whose dictionary is
    /// `dictionary`: decoded on first use, then kept.
    pub fn of(
        segment: SegmentId,
        column: &'static str,
        dictionary: &Dictionary,
        term: Term,
    ) -> std::io::Result<Arc<ColumnNames>> {
        if let Some(names) = kept()
            .as_ref()
            .and_then(|kept| kept.get(&(segment, column)))
        {
            return Ok(Arc::clone(names));
        }
        let names = Arc::new(ColumnNames::decode(dictionary, term)?);
        kept()
            .get_or_insert_with(HashMap::new)
            .insert((segment, column), Arc::clone(&names));
        Ok(names)
    }

    /// Reads the whole dictionary in one forward pass.
    fn decode(dictionary: &Dictionary, term: Term) -> std::io::Result<ColumnNames> {
        let mut names = ColumnNames::default();
        let mut stream = dictionary.stream()?;
        while stream.advance() {
            let bytes = stream.key();
            let name = match term {
                Term::Whole => bytes,
                Term::FacetLeaf => bytes.rsplit(|&byte| byte == 0).next().unwrap_or(bytes),
            };
            names.text.push_str(&String::from_utf8_lossy(name));
            names.ends.push(names.text.len());
        }
        Ok(names)
    }

    /// The value of `ord`; empty past the dictionary (never, for an ordinal read
    /// from the column).
    pub fn get(&self, ord: u64) -> &str {
        let Ok(at) = usize::try_from(ord) else {
            return "";
        };
        let Some(&end) = self.ends.get(at) else {
            return "";
        };
        let start = if at == 0 { 0 } else { self.ends[at - 1] };
        &self.text[start..end]
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `true` when the column has no value.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Forgets the columns of segments `searcher` no longer reads (merged away).
pub fn forget_other_segments(searcher: &Searcher) {
    let live: Vec<SegmentId> = searcher
        .segment_readers()
        .iter()
        .map(|reader| reader.segment_id())
        .collect();
    if let Some(kept) = kept().as_mut() {
        kept.retain(|(segment, _), _| live.contains(segment));
    }
}

fn kept() -> MutexGuard<'static, Option<Decoded>> {
    KEPT.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_back_by_ordinal() {
        let names = ColumnNames {
            text: "actor:apt42cve-2026-1234".to_string(),
            ends: vec![0, 11, 24],
        };
        assert_eq!(names.get(0), "");
        assert_eq!(names.get(1), "actor:apt42");
        assert_eq!(names.get(2), "cve-2026-1234");
        assert_eq!(names.get(3), "");
        assert_eq!(names.len(), 3);
    }
}
