//! The text analyzer shared by indexing and querying.
//!
//! Words come from Unicode word segmentation (UAX #29, see [`super::words`]). Identifiers are kept whole
//! *and* split: `CVE-2026-31431` yields the compound token `cve-2026-31431` followed
//! by `cve`, `2026`, `31431`; `cert.ssi.gouv.fr` yields itself and its labels. A
//! query for the compound is then an exact term lookup (no other CVE can match),
//! while a query for a part still finds the document. Tokens are lower-cased,
//! and accents folded (`Sécurisés` -> `securises`). There is no stemming: briefs
//! are dense with acronyms and names ("ANTS" the agency is not "Velvet Ant"), and an
//! analyst searching them expects the word typed, not its stem.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};

use super::words::segments;

/// Name the analyzer is registered under in the index.
pub const ANALYZER: &str = "dossier";

/// Longest token kept, in bytes: room for a SHA-512 in hex (128), which analysts do
/// search for; longer runs (base64 blobs) are noise. A query word made only of such
/// runs matches nothing rather than everything (see `query`).
const MAX_TOKEN_BYTES: usize = 256;

/// Characters that join the words of one identifier (`CVE-2026-1`, `PAN-OS`).
const JOINERS: &[char] = &['-', '\u{2011}'];

/// Characters that UAX #29 keeps inside a word but that also separate its parts
/// (`2.4.66`, `actor:apt42`, `algif_aead`, `France's`).
const INNER_SEPARATORS: &[char] = &['.', ':', '_', '\'', '\u{2019}', ','];

/// The analyzer: identifier-aware tokenizer, lower case, ASCII folding.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdentifierTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Splits text into words and identifiers; see the module doc.
#[derive(Debug, Clone, Default)]
pub struct IdentifierTokenizer;

/// Tokens computed up front, handed out one by one.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for IdentifierTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: tokenize(text),
            next: 0,
        }
    }
}

/// A run of words joined by hyphens, with the byte ranges of its parts.
struct Run {
    start: usize,
    end: usize,
    /// Byte ranges of the UAX #29 words.
    words: Vec<(usize, usize)>,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0;
    for run in runs(text) {
        position = emit_run(text, &run, position, &mut tokens);
    }
    tokens
}

fn runs(text: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut after_word = false;
    let mut after_joiner = false;
    segments(text, |offset, segment| {
        let end = offset + segment.len();
        if segment.chars().any(char::is_alphanumeric) {
            match runs.last_mut().filter(|_| after_joiner) {
                Some(run) => {
                    run.end = end;
                    run.words.push((offset, end));
                }
                None => runs.push(Run {
                    start: offset,
                    end,
                    words: vec![(offset, end)],
                }),
            }
            after_word = true;
            after_joiner = false;
        } else {
            after_joiner =
                after_word && segment.chars().count() == 1 && segment.starts_with(JOINERS);
            after_word = false;
        }
    });
    runs
}

/// Emits the compounds and parts of one run; returns the next free position.
fn emit_run(text: &str, run: &Run, mut position: usize, tokens: &mut Vec<Token>) -> usize {
    let parts: Vec<Vec<(usize, usize)>> = run
        .words
        .iter()
        .map(|&(start, end)| split_inner(text, start, end))
        .collect();
    let part_count: usize = parts.iter().map(Vec::len).sum();

    if part_count > 1 {
        push(tokens, text, run.start, run.end, position);
    }
    for (word_at, word_parts) in parts.iter().enumerate() {
        let (word_start, word_end) = run.words[word_at];
        if word_parts.len() > 1 && run.words.len() > 1 {
            push(tokens, text, word_start, word_end, position);
        }
        if let Some(cve_end) = cve_at(text, &run.words[word_at..]) {
            if (word_start, cve_end) != (run.start, run.end) {
                push(tokens, text, word_start, cve_end, position);
            }
        }
        for &(start, end) in word_parts {
            push(tokens, text, start, end, position);
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

fn split_inner(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let word = &text[start..end];
    let mut parts = Vec::new();
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
    parts
}

fn push(tokens: &mut Vec<Token>, text: &str, start: usize, end: usize, position: usize) {
    let duplicate = tokens
        .iter()
        .rev()
        .take_while(|token| token.position == position)
        .any(|token| token.offset_from == start && token.offset_to == end);
    if duplicate {
        return;
    }
    tokens.push(Token {
        offset_from: start,
        offset_to: end,
        position,
        text: text[start..end].to_string(),
        position_length: 1,
    });
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
        assert_eq!(
            terms("(Charming Kitten) – [FR]"),
            owned(&[(0, "charming"), (1, "kitten"), (2, "fr")])
        );
        assert_eq!(terms("a - b"), owned(&[(0, "a"), (1, "b")]));
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "see CVE-2026-0300.";
        let (_, _, range) = &analyze(text)[1];
        assert_eq!(&text[range.clone()], "CVE-2026-0300");
    }
}
