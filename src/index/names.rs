//! Every value of a segment's string or facet column, decoded once per segment.
//!
//! An entity page names what it counted in each segment: thousands of cited URLs,
//! the briefs and the co-occurring entity keys. Through the column's dictionary
//! each name cost a block decode and a `String`, allocated on a search thread and
//! freed on another, on every page (1.5–2 ms of the busiest page's 22 at a million
//! items). A segment's values never change once it is written, so they are decoded
//! into one buffer the first time a page needs them and kept while the segment
//! lives ([`PerSegment`]); naming is then an index into that buffer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tantivy::columnar::Dictionary;
use tantivy::SegmentReader;

use super::ordinals::leaf_bytes;
use super::per_segment::{self, PerSegment};
use super::Generation;

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

/// Decoded columns by segment and column name: about 10 MB for the four columns
/// of a million items.
static KEPT: PerSegment<&'static str, Arc<ColumnNames>> = PerSegment::new(256 << 20);

/// Columns named so far.
static DECODED: AtomicU64 = AtomicU64::new(0);

/// How many segment columns this process has named (rather than found kept).
pub fn decoded() -> u64 {
    DECODED.load(Ordering::Relaxed)
}

impl ColumnNames {
    /// The values of `column` in `reader`'s segment, whose dictionary is
    /// `dictionary`: decoded on first use, then kept.
    pub fn of(
        reader: &SegmentReader,
        column: &'static str,
        dictionary: &Dictionary,
        term: Term,
    ) -> std::io::Result<Arc<ColumnNames>> {
        let state = per_segment::state(reader);
        if let Some(names) = KEPT.get(&state, &column) {
            return Ok(names);
        }
        let names = Arc::new(ColumnNames::decode(dictionary, term)?);
        DECODED.fetch_add(1, Ordering::Relaxed);
        let bytes = names.text.len() + names.ends.len() * std::mem::size_of::<usize>();
        KEPT.put(state, column, Arc::clone(&names), bytes);
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
                Term::FacetLeaf => leaf_bytes(bytes),
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
}

/// Forgets the columns of segments `generation` does not read as they were.
pub fn keep_only(generation: &Generation) {
    KEPT.keep_only(generation);
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
    }
}
