//! Word pairs: each text field has a companion field whose terms are its adjacent
//! frequent words, so that a two-word phrase of them is read as one term.
//!
//! A phrase is otherwise checked position by position in every document holding
//! both words. At a million items, `"supply chain"` matches 220,000 of them, and
//! reading their positions was most of its time. A pair's postings hold only the
//! documents and how often the pair occurs there, which is the phrase's frequency.
//! [`PairQuery`] scores with the words' own field statistics and lengths, so a
//! phrase scores exactly as a [`tantivy::query::PhraseQuery`] would score it. With
//! other words beside it, a score may differ in its last bit: Tantivy adds up an
//! intersection's clauses cheapest first, and a pair costs less than a phrase.
//!
//! Only pairs of [`PAIR_WORDS`] are indexed: a phrase with a rarer word is fast
//! already, and every pair costs ingest time. The pair fields' tokens come from
//! [`super::shared_analysis`].

use std::sync::OnceLock;

use rustc_hash::FxHashSet;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, ConstScoreQuery, EmptyScorer, EnableScoring, Explanation, Occur,
    PhraseQuery, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, COLLECT_BLOCK_BUFFER_LEN};

/// The words whose pairs are indexed (see the file's header).
const PAIR_WORDS: &str = include_str!("../../schema/pair_words.txt");

/// Joins a pair's words in its term: no token holds a space (words are split at
/// spaces), so `a b` is only ever the pair of `a` and `b`.
pub const JOIN: char = ' ';

/// Whether pairs of `word` (an analyzed term) are indexed.
pub fn is_pair_word(word: &str) -> bool {
    // Asked of every token at ingest: a fast hash.
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        PAIR_WORDS
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    });
    words.contains(word)
}

/// The term of the pair `first`, `second` (both analyzed), if it is indexed.
pub fn pair_term(field: Field, first: &str, second: &str) -> Option<Term> {
    (is_pair_word(first) && is_pair_word(second))
        .then(|| Term::from_field_text(field, &format!("{first}{JOIN}{second}")))
}

/// The phrase of `words` (each at its offset from the first) in the text field
/// `field`, whose pair field is `pairs`. Two adjacent pair words are their pair's
/// [`PairQuery`]. A longer phrase is Tantivy's phrase query, whose positions are
/// read only in the documents holding each of its indexed pairs: `"remote code
/// execution"` is checked in the items holding both `remote code` and `code
/// execution`, not in every item holding the three words.
pub fn phrase_query(
    field: Field,
    pairs: Option<Field>,
    words: &[(usize, String)],
) -> Box<dyn Query> {
    let term = |word: &str| Term::from_field_text(field, word);
    let pair_of =
        |first: &str, second: &str| pairs.and_then(|pairs| pair_term(pairs, first, second));
    if let [(0, first), (1, second)] = words {
        if let Some(pair) = pair_of(first, second) {
            return Box::new(PairQuery::new(pair, [term(first), term(second)]));
        }
    }
    let terms = words
        .iter()
        .map(|(offset, word)| (*offset, term(word)))
        .collect();
    let phrase: Box<dyn Query> = Box::new(PhraseQuery::new_with_offset(terms));
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .windows(2)
        .filter(|two| two[1].0 == two[0].0 + 1)
        .filter_map(|two| pair_of(&two[0].1, &two[1].1))
        .map(|pair| {
            // A filter: it adds nothing to the phrase's score.
            let holds = TermQuery::new(pair, IndexRecordOption::Basic);
            let filter: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(holds), 0.0));
            (Occur::Must, filter)
        })
        .collect();
    if clauses.is_empty() {
        return phrase;
    }
    clauses.push((Occur::Must, phrase));
    Box::new(BooleanQuery::new(clauses))
}

/// The two-word phrase `words` of a text field, read from its pair field.
#[derive(Debug, Clone)]
pub struct PairQuery {
    pair: Term,
    words: [Term; 2],
}

impl PairQuery {
    /// The phrase of `words` (terms of one text field), found as `pair` (their
    /// [`pair_term`] in that field's pair field).
    pub fn new(pair: Term, words: [Term; 2]) -> PairQuery {
        PairQuery { pair, words }
    }
}

impl Query for PairQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // The phrase's BM25 weight: both words' document frequencies over their
        // field's average length, as a phrase query computes it.
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.words)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PairWeight {
            pair: self.pair.clone(),
            field: self.words[0].field(),
            bm25,
        }))
    }

    /// The words, as a phrase gives them: snippets highlight from these.
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in &self.words {
            visitor(word, true);
        }
    }
}

struct PairWeight {
    pair: Term,
    /// The words' field, whose lengths the phrase is scored with.
    field: Field,
    bm25: Option<Bm25Weight>,
}

impl PairWeight {
    /// `None` where the segment holds no such pair.
    fn pair_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PairScorer>> {
        let postings = reader
            .inverted_index(self.pair.field())?
            .read_postings(&self.pair, IndexRecordOption::WithFreqs)?;
        let Some(postings) = postings else {
            return Ok(None);
        };
        let lengths = match (
            &self.bm25,
            reader.fieldnorms_readers().get_field(self.field)?,
        ) {
            (Some(_), Some(lengths)) => lengths,
            _ => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(Some(PairScorer {
            postings,
            lengths,
            bm25: self.bm25.as_ref().map(|bm25| bm25.boost_by(boost)),
        }))
    }
}

impl Weight for PairWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.pair_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if let Some(mut scorer) = self.pair_scorer(reader, 1.0)? {
            if scorer.seek(doc) == doc {
                return Ok(Explanation::new("Word pair", scorer.score()));
            }
        }
        Err(TantivyError::InvalidArgument(format!(
            "document {doc} does not hold the phrase"
        )))
    }
}

/// A pair's documents, scored as the phrase: its frequency over the length of the
/// words' field.
struct PairScorer {
    postings: SegmentPostings,
    lengths: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for PairScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        self.postings.fill_buffer(buffer)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for PairScorer {
    fn score(&mut self) -> Score {
        let Some(bm25) = &self.bm25 else {
            return 1.0;
        };
        let length = self.lengths.fieldnorm_id(self.doc());
        bm25.score(length, self.postings.term_freq())
    }
}
