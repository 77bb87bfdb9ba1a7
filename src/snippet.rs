//! Snippets of search hits: the best stretch of a body, with the query's words
//! highlighted.
//!
//! The choice is Tantivy's `SnippetGenerator`'s, fragment for fragment: the text is
//! cut into fragments at token boundaries, each fragment scores the rarer query
//! terms higher (1 / (1 + document frequency)), and the best fragment wins, the
//! earliest among equals. Tantivy's generator, though, copies and lower-cases every
//! token of the body into a new string and runs every filter of the analyzer on
//! it. That was half of a search's instructions at 10,000 items (callgrind), for
//! ten bodies of a few kilobytes each. Here a token is a byte range: an ASCII token
//! is compared with the terms in place, and only the rare token with other
//! characters is run through the analyzer's filters. A test holds the two to the
//! same fragments and highlights.

use std::collections::BTreeSet;
use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher, Term};

use crate::index::analyzer::{normalizer, token_ranges, MAX_TOKEN_BYTES};
use crate::search::escape_html;

/// Cuts snippets for one query.
pub struct Snippets {
    /// The query's terms in the snippet field, with their weight.
    terms: Vec<(String, Score)>,
    /// The query's terms in the names and aliases of the items' entities. A hit
    /// found through an alias (`UNC3944` for an item that writes "Scattered
    /// Spider") holds none of the query's words: its snippet highlights the
    /// mentions of the entity the alias names instead.
    label_terms: Vec<(String, Score)>,
    /// Longest fragment, in bytes (Tantivy's generator also counts bytes).
    max_bytes: usize,
    normalizer: TextAnalyzer,
}

/// The best fragment of a text and the terms highlighted in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet<'a> {
    text: &'a str,
    /// The fragment, as a byte range of the text.
    pub fragment: Range<usize>,
    /// Highlighted tokens, as byte ranges of the text, in text order.
    pub highlighted: Vec<Range<usize>>,
}

/// A fragment being built.
struct Candidate {
    score: Score,
    start: usize,
    stop: usize,
    highlighted: Vec<Range<usize>>,
}

impl Snippets {
    /// Snippets of `field` highlighting the terms of `query` there that some
    /// document holds, weighted by their rarity in `searcher`.
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_bytes: usize,
    ) -> tantivy::Result<Snippets> {
        Ok(Snippets::with_terms(
            weighted_terms(searcher, query, field)?,
            max_bytes,
        ))
    }

    /// Like [`Snippets::new`], with the query's terms in `labels` (the field of
    /// entity names and aliases) for [`Snippets::mention_snippet`].
    pub fn with_labels(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        labels: Field,
        max_bytes: usize,
    ) -> tantivy::Result<Snippets> {
        let mut snippets = Snippets::new(searcher, query, field, max_bytes)?;
        snippets.label_terms = weighted_terms(searcher, query, labels)?;
        Ok(snippets)
    }

    /// Snippets highlighting `terms` (analyzed terms with their weight).
    pub fn with_terms(terms: Vec<(String, Score)>, max_bytes: usize) -> Snippets {
        Snippets {
            terms,
            label_terms: Vec::new(),
            max_bytes,
            normalizer: normalizer(),
        }
    }

    /// The weight of the rarest query term among the words of `labels` (an
    /// entity's name and aliases), if any is.
    pub fn label_weight<'l>(&self, labels: impl IntoIterator<Item = &'l str>) -> Option<Score> {
        let mut normalizer = self.normalizer.clone();
        labels
            .into_iter()
            .flat_map(|label| {
                token_ranges(label)
                    .into_iter()
                    .map(move |token| &label[token])
            })
            .filter_map(|token| weight_in(&self.label_terms, token, &mut normalizer))
            .reduce(Score::max)
    }

    /// The best fragment of `text`; empty when no term is in it.
    pub fn snippet<'a>(&self, text: &'a str) -> Snippet<'a> {
        self.best_fragment(text, &[])
    }

    /// The best fragment of `text` counting each token inside one of `mentions`
    /// (byte ranges with a weight, from [`Snippets::label_weight`]) as a term.
    pub fn mention_snippet<'a>(
        &self,
        text: &'a str,
        mentions: &[(Range<usize>, Score)],
    ) -> Snippet<'a> {
        self.best_fragment(text, mentions)
    }

    fn best_fragment<'a>(&self, text: &'a str, mentions: &[(Range<usize>, Score)]) -> Snippet<'a> {
        let mut best: Option<Candidate> = None;
        let mut fragment = Candidate::new(0);
        let mut normalizer = self.normalizer.clone();
        for token in token_ranges(text) {
            // The analyzer drops these tokens: they neither match nor end a fragment.
            if token.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            if token.end - fragment.start > self.max_bytes {
                keep_better(&mut best, fragment);
                fragment = Candidate::new(token.start);
            }
            fragment.stop = token.end;
            if let Some(score) = weight_in(&self.terms, &text[token.clone()], &mut normalizer) {
                fragment.score += score;
                fragment.highlighted.push(token);
            } else if let Some((mention, score)) = within(mentions, &token) {
                fragment.offer_mention(mention, token, *score);
            }
        }
        keep_better(&mut best, fragment);

        match best {
            Some(best) => Snippet {
                text,
                fragment: best.start..best.stop,
                highlighted: best.highlighted,
            },
            None => Snippet {
                text,
                fragment: 0..0,
                highlighted: Vec::new(),
            },
        }
    }
}

/// The terms of `query` in `field` that some document holds, weighted by their
/// rarity in `searcher`.
fn weighted_terms(
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
) -> tantivy::Result<Vec<(String, Score)>> {
    let mut terms: BTreeSet<Term> = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut weighted = Vec::with_capacity(terms.len());
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let documents = searcher.doc_freq(&term)?;
        if documents > 0 {
            weighted.push((text, 1.0 / (1.0 + documents as Score)));
        }
    }
    Ok(weighted)
}

/// The weight of the term a token of the text is, if it is one of `terms`.
fn weight_in(
    terms: &[(String, Score)],
    token: &str,
    normalizer: &mut TextAnalyzer,
) -> Option<Score> {
    if token.is_ascii() {
        return terms
            .iter()
            .find(|(term, _)| is_ascii_lowercase_of(term, token))
            .map(|(_, score)| *score);
    }
    let mut stream = normalizer.token_stream(token);
    let term = stream.next()?.text.to_lowercase();
    terms
        .iter()
        .find(|(known, _)| *known == term)
        .map(|(_, score)| *score)
}

/// The mention a token lies in, with its weight.
fn within<'m>(
    mentions: &'m [(Range<usize>, Score)],
    token: &Range<usize>,
) -> Option<&'m (Range<usize>, Score)> {
    mentions
        .iter()
        .find(|(range, _)| range.start <= token.start && token.end <= range.end)
}

/// Whether `term` is `token` with its ASCII letters in lower case.
fn is_ascii_lowercase_of(term: &str, token: &str) -> bool {
    term.len() == token.len()
        && term
            .bytes()
            .zip(token.bytes())
            .all(|(t, k)| t == k.to_ascii_lowercase())
}

impl Candidate {
    fn new(start: usize) -> Candidate {
        Candidate {
            score: 0.0,
            start,
            stop: start,
            highlighted: Vec::new(),
        }
    }

    /// Highlights a token of a mention: the mention's tokens make one highlight
    /// (`Scattered-Spider`), and the mention counts once.
    fn offer_mention(&mut self, mention: &Range<usize>, token: Range<usize>, score: Score) {
        match self.highlighted.last_mut() {
            Some(last) if last.start >= mention.start && last.end <= mention.end => {
                last.end = token.end
            }
            _ => {
                self.score += score;
                self.highlighted.push(token);
            }
        }
    }
}

/// Keeps `fragment` if it holds a term and scores higher than the best so far
/// (an earlier fragment wins a tie, as it comes first).
fn keep_better(best: &mut Option<Candidate>, fragment: Candidate) {
    if fragment.score > 0.0 && best.as_ref().is_none_or(|kept| fragment.score > kept.score) {
        *best = Some(fragment);
    }
}

impl Snippet<'_> {
    /// Whether no term was found.
    pub fn is_empty(&self) -> bool {
        self.highlighted.is_empty()
    }

    /// The fragment as HTML, highlights in `<b>`; overlapping highlights (a
    /// compound and its parts) are joined.
    pub fn to_html(&self) -> String {
        let mut html = String::new();
        let mut at = self.fragment.start;
        for range in joined(&self.highlighted) {
            html.push_str(&escape_html(&self.text[at..range.start]));
            html.push_str("<b>");
            html.push_str(&escape_html(&self.text[range.clone()]));
            html.push_str("</b>");
            at = range.end;
        }
        html.push_str(&escape_html(&self.text[at..self.fragment.end]));
        html
    }
}

/// Ranges sorted, and those that overlap joined (ranges that only touch stay
/// apart).
fn joined(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|range| (range.start, range.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match out.last_mut() {
            Some(last) if last.end > range.start => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

#[cfg(test)]
mod tests;
