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
//!
//! Phrases are where the two part: Tantivy highlights a phrase's words wherever
//! each stands, so `"pre-auth command injection"` lit up an `injection` three
//! sentences away. Here a phrase counts, and is highlighted as one span, only where
//! its words stand together, as entity mentions are for alias hits.

use std::collections::BTreeSet;
use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher, Term};

use crate::index::analyzer::{label_term, normalizer, token_positions, MAX_TOKEN_BYTES};
use crate::query::Highlights;
use crate::search::escape_html;

/// The weight of a query word that no body holds, as [`weighted_terms`] weighs a
/// term by the bodies that hold it: `1 / (1 + 0)`.
const UNHELD_WEIGHT: Score = 1.0;

/// Cuts snippets for one query.
pub struct Snippets {
    /// The query's terms in the snippet field, with their weight.
    terms: Vec<(String, Score)>,
    /// The query's whole labels (names and aliases of the items' entities, see
    /// `label_term`), weighted. A hit found through an alias (`UNC3944` for an
    /// item that writes "Scattered Spider") holds none of the query's words: its
    /// snippet highlights the mentions of the entity the alias names instead.
    label_terms: Vec<(String, Score)>,
    /// The query's phrases: their words are highlighted where they stand together,
    /// as one span, and not where they stand apart.
    phrases: Vec<Phrase>,
    /// The terms of the words typed outside phrases, held by a body or not.
    typed: BTreeSet<String>,
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

/// A phrase of the query: its words' terms at their offsets from the first, and
/// the weight of a place where they all stand (the sum of theirs).
struct Phrase {
    parts: Vec<(usize, String)>,
    weight: Score,
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
            phrases: Vec::new(),
            typed: BTreeSet::new(),
            max_bytes,
            normalizer: normalizer(),
        }
    }

    /// Highlights the phrases of `highlights` where their words stand together,
    /// and those words nowhere else unless they were also typed outside a phrase:
    /// for `"pre-auth command injection"`, an `injection` elsewhere in the text is
    /// not what was asked for. A phrase with a word no body holds is left out, and
    /// so are the words of exclusions.
    pub fn highlighting(mut self, highlights: &Highlights) -> Snippets {
        let weight_of = |term: &str| {
            self.terms
                .iter()
                .find(|(known, _)| known == term)
                .map(|(_, weight)| *weight)
        };
        self.phrases = highlights
            .phrases
            .iter()
            .filter_map(|parts| {
                let weights: Option<Vec<Score>> =
                    parts.iter().map(|(_, term)| weight_of(term)).collect();
                Some(Phrase {
                    parts: parts.clone(),
                    weight: weights?.into_iter().sum(),
                })
            })
            .collect();
        // Only words typed outside a phrase stand alone: not a phrase's words, and
        // not an exclusion's, which are among the query's terms too.
        self.terms
            .retain(|(term, _)| highlights.words.contains(term));
        self.typed.clone_from(&highlights.words);
        self
    }

    /// The weight of `term` (analyzed), when it is a word of the query that stands
    /// alone: its rarity where some body holds it, else that of a word no body
    /// holds (a CVE id that only a list stands for).
    pub fn term_weight(&self, term: &str) -> Option<Score> {
        let held = self.terms.iter().find(|(known, _)| known == term);
        match held {
            Some((_, weight)) => Some(*weight),
            None => self.typed.contains(term).then_some(UNHELD_WEIGHT),
        }
    }

    /// The weight of the rarest of `labels` (an entity's spellings) that the
    /// query looked up as a whole label, if any was.
    pub fn label_weight<'l>(&self, labels: impl IntoIterator<Item = &'l str>) -> Option<Score> {
        labels
            .into_iter()
            .filter_map(|label| {
                let term = label_term(label);
                self.label_terms
                    .iter()
                    .find(|(known, _)| *known == term)
                    .map(|(_, weight)| *weight)
            })
            .reduce(Score::max)
    }

    /// The best fragment of `text`; empty when no term is in it.
    pub fn snippet<'a>(&self, text: &'a str) -> Snippet<'a> {
        self.best_fragment(text, &[], self.max_bytes)
    }

    /// All of `text` (a title), its query words and phrases highlighted as in a
    /// fragment.
    pub fn highlight<'a>(&self, text: &'a str) -> Snippet<'a> {
        let mut whole = self.best_fragment(text, &[], text.len());
        whole.fragment = 0..text.len();
        whole
    }

    /// The best fragment of `text` counting each token inside one of `mentions`
    /// (byte ranges with a weight, from [`Snippets::label_weight`]) as a term.
    pub fn mention_snippet<'a>(
        &self,
        text: &'a str,
        mentions: &[(Range<usize>, Score)],
    ) -> Snippet<'a> {
        self.best_fragment(text, mentions, self.max_bytes)
    }

    fn best_fragment<'a>(
        &self,
        text: &'a str,
        mentions: &[(Range<usize>, Score)],
        max_bytes: usize,
    ) -> Snippet<'a> {
        let mut best: Option<Candidate> = None;
        let mut fragment = Candidate::new(0);
        let mut normalizer = self.normalizer.clone();
        let tokens = token_positions(text);
        // A phrase's place counts and is highlighted as a mention is.
        let mut spans = self.phrase_places(text, &tokens, &mut normalizer);
        let mentions = match spans.is_empty() {
            true => mentions,
            false => {
                spans.extend_from_slice(mentions);
                &spans[..]
            }
        };
        let mut at = 0;
        while let Some((token, _)) = tokens.get(at).cloned() {
            at += 1;
            // The analyzer drops these tokens: they neither match nor end a fragment.
            if token.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            if token.end - fragment.start > max_bytes {
                // A phrase or name the cut would split opens the next fragment,
                // whose tokens are then read again from its start: split, it was
                // highlighted in neither, and a hit found by a phrase showed none.
                let start = cut_mention_start(mentions, &token, fragment.start);
                keep_better(&mut best, fragment);
                fragment = Candidate::new(start.unwrap_or(token.start));
                if let Some(start) = start {
                    at = tokens.partition_point(|(token, _)| token.start < start);
                    continue;
                }
            }
            fragment.stop = token.end;
            // A phrase (or name) takes its words whole, one span even where one of
            // them was also typed alone; half of one, cut by the fragment, is not
            // highlighted.
            let fits = fragment.start..fragment.start + max_bytes;
            if let Some((mention, score)) = within(mentions, &token, &fits) {
                fragment.offer_mention(mention, token, *score);
            } else if let Some(score) =
                weight_in(&self.terms, &text[token.clone()], &mut normalizer)
            {
                fragment.score += score;
                fragment.highlighted.push(token);
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

    /// Where the query's phrases stand in `text` (whose `tokens` are given): from
    /// the first word's start to the last word's end, weighted as the phrase.
    fn phrase_places(
        &self,
        text: &str,
        tokens: &[(Range<usize>, usize)],
        normalizer: &mut TextAnalyzer,
    ) -> Vec<(Range<usize>, Score)> {
        if self.phrases.is_empty() {
            return Vec::new();
        }
        // The last token at each position: an identifier's parts, not the whole.
        let mut positions: Vec<(usize, Range<usize>)> = Vec::with_capacity(tokens.len());
        for (range, position) in tokens {
            match positions.last_mut() {
                Some(last) if last.0 == *position => last.1 = range.clone(),
                _ => positions.push((*position, range.clone())),
            }
        }
        let mut places = Vec::new();
        for phrase in &self.phrases {
            for (at, (position, first)) in positions.iter().enumerate() {
                let word_at = |offset: usize| {
                    positions
                        .get(at + offset)
                        .filter(|(found, _)| *found == position + offset)
                        .map(|(_, range)| range.clone())
                };
                let stands = phrase.parts.iter().all(|(offset, term)| {
                    word_at(*offset).is_some_and(|range| is_term(term, &text[range], normalizer))
                });
                let last = phrase.parts.last().and_then(|(offset, _)| word_at(*offset));
                if let (true, Some(last)) = (stands, last) {
                    places.push((first.start..last.end, phrase.weight));
                }
            }
        }
        places
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

/// Whether a token of the text is `term` once analyzed.
fn is_term(term: &str, token: &str, normalizer: &mut TextAnalyzer) -> bool {
    if token.is_ascii() {
        return is_ascii_lowercase_of(term, token);
    }
    let mut stream = normalizer.token_stream(token);
    stream
        .next()
        .is_some_and(|analyzed| analyzed.text.to_lowercase() == term)
}

/// Where a mention that `token` lies in starts, if it starts after `fragment_start`
/// and before `token`: a fragment ending before `token` would cut it.
fn cut_mention_start(
    mentions: &[(Range<usize>, Score)],
    token: &Range<usize>,
    fragment_start: usize,
) -> Option<usize> {
    mentions
        .iter()
        .map(|(range, _)| range)
        .find(|range| {
            fragment_start < range.start && range.start < token.start && token.end <= range.end
        })
        .map(|range| range.start)
}

/// A mention the token lies in that lies whole in `fits`, with its weight. Places
/// of a phrase of repeated words overlap: the first that fits is taken.
fn within<'m>(
    mentions: &'m [(Range<usize>, Score)],
    token: &Range<usize>,
    fits: &Range<usize>,
) -> Option<&'m (Range<usize>, Score)> {
    mentions.iter().find(|(range, _)| {
        range.start <= token.start
            && token.end <= range.end
            && fits.start <= range.start
            && range.end <= fits.end
    })
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
                last.end = last.end.max(token.end)
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
