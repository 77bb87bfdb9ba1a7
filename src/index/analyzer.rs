//! The text analyzer shared by indexing and querying.
//!
//! Words come from Unicode word segmentation (UAX #29, see [`super::words`]).
//! Identifiers are kept whole *and* split: `CVE-2026-31431` yields the compound
//! token `cve-2026-31431` followed by `cve`, `2026`, `31431`; `cert.ssi.gouv.fr`
//! yields itself and its labels. A query for the compound is then an exact term
//! lookup (no other CVE can match), while a query for a part still finds the
//! document. Tokens are lower-cased, and accents folded, composed or decomposed
//! (`Sécurisés` -> `securises`). There is no stemming: briefs are dense with
//! acronyms and names ("ANTS" the agency is not "Velvet Ant"), and an analyst
//! searching them expects the word typed, not its stem.

use std::ops::Range;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

use super::marks::{is_combining_mark, DropMarks};
use super::words::segments;

/// Name the analyzer is registered under in the index.
pub const ANALYZER: &str = "dossier";

/// Longest token kept, in bytes: room for a SHA-512 in hex (128), which analysts do
/// search for; longer runs (base64 blobs) are noise. A query word made only of such
/// runs matches nothing rather than everything (see `query`).
pub const MAX_TOKEN_BYTES: usize = 256;

/// Unicode's hyphens that look like `-`: the hyphen (U+2010) and the non-breaking
/// hyphen (U+2011, which word processors put in a name to keep it on one line).
/// Each is a hyphen wherever dossier reads text (the tagger too).
pub const UNICODE_HYPHENS: [char; 2] = ['\u{2010}', '\u{2011}'];

/// What joins the words of one identifier (`CVE-2026-1`, `PAN-OS`) when it stands
/// alone between them.
pub const JOINERS: [char; 3] = ['-', UNICODE_HYPHENS[0], UNICODE_HYPHENS[1]];

/// Characters that UAX #29 keeps inside a word but that also separate its parts
/// (`2.4.66`, `actor:apt42`, `algif_aead`, `France's`).
const INNER_SEPARATORS: &[char] = &['.', ':', '_', '\'', '\u{2019}', ','];

/// The analyzer: identifier-aware tokenizer, lower case, ASCII folding.
pub fn analyzer() -> TextAnalyzer {
    with_filters(IdentifierTokenizer::default())
}

/// The analyzer's filters alone: the term one token's text becomes (the whole
/// input is the token). Snippets use it for tokens that are not ASCII.
pub fn normalizer() -> TextAnalyzer {
    with_filters(RawTokenizer::default())
}

fn with_filters<T: Tokenizer>(tokenizer: T) -> TextAnalyzer {
    TextAnalyzer::builder(tokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(DropMarks)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The byte ranges of the tokens of `text`, in the order the analyzer emits them
/// and before its filters (over-long tokens are still there), each with its position:
/// an identifier's parts share positions with it (`pre-auth` is `pre-auth` and
/// `pre` at one position, then `auth`), which is how a phrase lines its words up.
pub fn token_positions(text: &str) -> Vec<(Range<usize>, usize)> {
    let mut found = Vec::new();
    spans(text, &mut found, &mut Scratch::default());
    found
        .into_iter()
        .map(|span| (span.start..span.end, span.position))
        .collect()
}

/// Splits text into words and identifiers; see the module doc.
///
/// The tokenizer keeps its buffers between texts: Tantivy calls it once per field
/// value, and allocating a string per token and a vector per word was most of the
/// analyzer's cost (in indexing and in snippets alike).
#[derive(Debug, Clone, Default)]
pub struct IdentifierTokenizer {
    spans: Vec<Span>,
    scratch: Scratch,
}

/// One token to emit: a byte range of the text at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    position: usize,
}

/// Reused buffers of one run: its words, their parts, and where each word's parts end.
#[derive(Debug, Clone, Default)]
struct Scratch {
    words: Vec<(usize, usize)>,
    parts: Vec<(usize, usize)>,
    part_ends: Vec<usize>,
}

/// The spans of one text, handed out as tokens through one reused [`Token`].
pub struct SpanTokenStream<'a> {
    text: &'a str,
    spans: &'a [Span],
    next: usize,
    token: Token,
}

impl TokenStream for SpanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.get(self.next) else {
            return false;
        };
        self.next += 1;
        let text = &self.text[span.start..span.end];
        refill(&mut self.token, text, span.position, (span.start, span.end));
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Makes a stream's one reused token the token of `text` at `position`, from byte
/// `offsets.0` to `offsets.1` of the source.
pub(crate) fn refill(token: &mut Token, text: &str, position: usize, offsets: (usize, usize)) {
    token.text.clear();
    token.text.push_str(text);
    token.position = position;
    (token.offset_from, token.offset_to) = offsets;
    token.position_length = 1;
}

impl Tokenizer for IdentifierTokenizer {
    type TokenStream<'a> = SpanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanTokenStream<'a> {
        spans(text, &mut self.spans, &mut self.scratch);
        SpanTokenStream {
            text,
            spans: &self.spans,
            next: 0,
            token: Token::default(),
        }
    }
}

/// Fills `spans` with the tokens of `text`. A *run* is words joined by hyphens
/// (`CVE-2026-31431`); each run is emitted once its last word is known.
fn spans(text: &str, spans: &mut Vec<Span>, scratch: &mut Scratch) {
    spans.clear();
    scratch.words.clear();
    let mut position = 0;
    let mut after_word = false;
    let mut after_joiner = false;
    segments(text, |offset, segment| {
        if holds_alphanumeric(segment) {
            if !after_joiner && !scratch.words.is_empty() {
                position = emit_run(text, position, spans, scratch);
                scratch.words.clear();
            }
            scratch.words.push((offset, offset + segment.len()));
            after_word = true;
            after_joiner = false;
        } else {
            after_joiner = after_word && is_joiner(segment);
            after_word = false;
        }
    });
    if !scratch.words.is_empty() {
        emit_run(text, position, spans, scratch);
    }
}

/// Whether a segment is one of the [`JOINERS`], alone.
fn is_joiner(segment: &str) -> bool {
    let mut chars = segment.chars();
    chars.next().is_some_and(|c| JOINERS.contains(&c)) && chars.next().is_none()
}

/// Whether a segment holds a letter or a digit: a word, not punctuation or space.
fn holds_alphanumeric(segment: &str) -> bool {
    for (at, byte) in segment.bytes().enumerate() {
        if !byte.is_ascii() {
            return segment[at..].chars().any(char::is_alphanumeric);
        }
        if byte.is_ascii_alphanumeric() {
            return true;
        }
    }
    false
}

/// Emits the compounds and parts of the run in `scratch.words`; returns the next
/// free position.
fn emit_run(
    text: &str,
    mut position: usize,
    spans: &mut Vec<Span>,
    scratch: &mut Scratch,
) -> usize {
    // Most runs are one plain word: one token, nothing to split or compare.
    if let [(start, end)] = scratch.words[..] {
        if !has_inner_separator(&text[start..end]) {
            spans.push(Span {
                start,
                end,
                position,
            });
            return position + 1;
        }
    }
    let Scratch {
        words,
        parts,
        part_ends,
    } = scratch;
    parts.clear();
    part_ends.clear();
    for &(start, end) in words.iter() {
        split_inner(text, start, end, parts);
        part_ends.push(parts.len());
    }
    let (run_start, run_end) = (words[0].0, words[words.len() - 1].1);

    if parts.len() > 1 {
        push(spans, run_start, run_end, position);
    }
    let mut first_part = 0;
    for (word_at, &(word_start, word_end)) in words.iter().enumerate() {
        let word_parts = &parts[first_part..part_ends[word_at]];
        first_part = part_ends[word_at];
        if word_parts.len() > 1 && words.len() > 1 {
            push(spans, word_start, word_end, position);
        }
        if let Some(cve_end) = cve_at(text, &words[word_at..]) {
            if (word_start, cve_end) != (run_start, run_end) {
                push(spans, word_start, cve_end, position);
            }
        }
        for &(start, end) in word_parts {
            push(spans, start, end, position);
            position += 1;
        }
    }
    position
}

/// If the words start a `CVE-YYYY-NNNN` id, its end offset.
fn cve_at(text: &str, words: &[(usize, usize)]) -> Option<usize> {
    let [cve, year, number, ..] = words else {
        return None;
    };
    let is_digits =
        |&(start, end): &(usize, usize)| text[start..end].bytes().all(|b| b.is_ascii_digit());
    let is_cve = text[cve.0..cve.1].eq_ignore_ascii_case("cve");
    (is_cve && is_digits(year) && year.1 - year.0 == 4 && is_digits(number)).then_some(number.1)
}

/// Whether a word holds one of the [`INNER_SEPARATORS`].
fn has_inner_separator(word: &str) -> bool {
    word.bytes()
        .any(|byte| matches!(byte, b'.' | b':' | b'_' | b'\'' | b','))
        || (!word.is_ascii() && word.contains(INNER_SEPARATORS))
}

/// Appends the parts of one word, cut at [`INNER_SEPARATORS`].
fn split_inner(text: &str, start: usize, end: usize, parts: &mut Vec<(usize, usize)>) {
    let word = &text[start..end];
    let mut part_start = None;
    for (offset, ch) in word.char_indices() {
        if INNER_SEPARATORS.contains(&ch) {
            if let Some(from) = part_start.take() {
                parts.push((start + from, start + offset));
            }
        } else if part_start.is_none() {
            part_start = Some(offset);
        }
    }
    if let Some(from) = part_start {
        parts.push((start + from, end));
    }
}

fn push(spans: &mut Vec<Span>, start: usize, end: usize, position: usize) {
    let duplicate = spans
        .iter()
        .rev()
        .take_while(|span| span.position == position)
        .any(|span| span.start == start && span.end == end);
    if !duplicate {
        spans.push(Span {
            start,
            end,
            position,
        });
    }
}

/// The term an entity's name is indexed under in the labels field, and what a
/// run of query words is looked up as: its words (runs of letters and digits),
/// lower-cased and folded, one space between them. `Storm-0501` and `Storm 0501`
/// are `storm 0501`, so hyphens and spaces spell a name alike, and a name is found
/// only when all of it was typed: `International` alone is no `Hunters
/// International`.
pub fn label_term(text: &str) -> String {
    let mut term = String::with_capacity(text.len());
    let mut folding: Option<TextAnalyzer> = None;
    for word in text.split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c)) {
        if word.is_empty() {
            continue;
        }
        if !term.is_empty() {
            term.push(' ');
        }
        if word.is_ascii() {
            term.extend(word.chars().map(|c| c.to_ascii_lowercase()));
            continue;
        }
        let mut stream = folding.get_or_insert_with(normalizer).token_stream(word);
        while stream.advance() {
            term.push_str(&stream.token().text);
        }
    }
    term
}

/// Analyzes `text` and returns (position, term text, byte range) triples.
pub fn analyze(text: &str) -> Vec<(usize, String, std::ops::Range<usize>)> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((
            token.position,
            token.text.clone(),
            token.offset_from..token.offset_to,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(usize, String)> {
        analyze(text)
            .into_iter()
            .map(|(position, term, _)| (position, term))
            .collect()
    }

    fn owned(rows: &[(usize, &str)]) -> Vec<(usize, String)> {
        rows.iter()
            .map(|(position, term)| (*position, term.to_string()))
            .collect()
    }

    #[test]
    fn cve_ids_are_whole_and_split() {
        assert_eq!(
            terms("CVE-2026-31431 hits"),
            owned(&[
                (0, "cve-2026-31431"),
                (0, "cve"),
                (1, "2026"),
                (2, "31431"),
                (3, "hits")
            ])
        );
    }

    #[test]
    fn cve_inside_a_longer_run_is_still_a_term() {
        let found = terms("CVE-2026-31431-copy-fail");
        assert!(
            found.contains(&(0, "cve-2026-31431".to_string())),
            "{found:?}"
        );
    }

    #[test]
    fn versions_techniques_and_keys() {
        assert_eq!(
            terms("2.4.66"),
            owned(&[(0, "2.4.66"), (0, "2"), (1, "4"), (2, "66")])
        );
        assert_eq!(
            terms("T1566.004"),
            owned(&[(0, "t1566.004"), (0, "t1566"), (1, "004")])
        );
        assert_eq!(
            terms("actor:apt42"),
            owned(&[(0, "actor:apt42"), (0, "actor"), (1, "apt42")])
        );
    }

    #[test]
    fn accents_fold_and_punctuation_is_dropped() {
        assert_eq!(terms("Sécurisés'"), owned(&[(0, "securises")]));
        assert_eq!(terms("Se\u{301}curise\u{301}s"), owned(&[(0, "securises")]));
        assert_eq!(
            terms("(Charming Kitten) – [FR]"),
            owned(&[(0, "charming"), (1, "kitten"), (2, "fr")])
        );
        assert_eq!(terms("a - b"), owned(&[(0, "a"), (1, "b")]));
    }

    #[test]
    fn the_separator_check_knows_every_inner_separator() {
        for separator in INNER_SEPARATORS {
            assert!(
                has_inner_separator(&format!("a{separator}b")),
                "{separator}"
            );
            assert!(
                has_inner_separator(&format!("é{separator}b")),
                "{separator}"
            );
        }
        assert!(!has_inner_separator("plain"));
        assert!(!has_inner_separator("sécurité"));
    }

    #[test]
    fn label_terms_spell_hyphens_and_spaces_alike() {
        assert_eq!(label_term("Storm-0501"), "storm 0501");
        assert_eq!(label_term("Storm 0501"), "storm 0501");
        assert_eq!(label_term("(Charming"), "charming");
        assert_eq!(label_term("Mini-Shai-Hulud"), "mini shai hulud");
        assert_eq!(label_term("WorldLeaks"), "worldleaks");
        assert_eq!(
            label_term("Agence nationale de la Sécurité"),
            "agence nationale de la securite"
        );
        assert_eq!(label_term("-- ()"), "");
        // Decomposed accents fold as composed ones do.
        assert_eq!(label_term("Z\u{307}abka Zu\u{308}rich"), "zabka zurich");
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "see CVE-2026-0300.";
        let (_, _, range) = &analyze(text)[1];
        assert_eq!(&text[range.clone()], "CVE-2026-0300");
    }
}
