//! One analysis per text, shared by a text field and its pair field.
//!
//! Tantivy analyzes each field's value on its own, and a pair field's value is its
//! text field's value again ([`super::pairs`]). Word segmentation is most of the
//! analysis, and running it twice cost ingest a third more CPU. So the text
//! fields' analyzer ([`Recorder`]) keeps, per thread, the pair words of the last
//! texts it analyzed, and the pair fields' tokenizer ([`PairTokenizer`]) makes its
//! pairs from there. Tantivy indexes a document's fields on one thread, in field order,
//! and the pair fields come after the text fields; a text not found there (another
//! order, another caller) is analyzed again, so the pairs never depend on it.

use std::cell::RefCell;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use super::analyzer::{analyzer, refill};
use super::pairs::{is_pair_word, JOIN};

/// Name the pair tokenizer is registered under in the index.
pub const PAIRS: &str = "dossier_pairs";

/// How many texts a thread keeps: one per text field of a document.
const KEPT: usize = 4;

/// The text fields' analyzer: the words of [`analyzer`], each analysis kept for the
/// pair field that follows.
pub fn recorder() -> TextAnalyzer {
    TextAnalyzer::from(Recorder::default())
}

/// The pair fields' tokenizer.
pub fn pair_tokenizer() -> TextAnalyzer {
    TextAnalyzer::from(PairTokenizer::default())
}

/// Tokens, their texts end to end in one string.
#[derive(Debug, Clone, Default)]
struct Analysis {
    texts: String,
    /// Each token's position, offsets in its source and range in `texts`.
    tokens: Vec<Recorded>,
}

#[derive(Debug, Clone, Copy)]
struct Recorded {
    position: usize,
    offsets: (usize, usize),
    text: (usize, usize),
}

impl Analysis {
    fn clear(&mut self) {
        self.texts.clear();
        self.tokens.clear();
    }

    fn push(&mut self, text: &str, position: usize, offsets: (usize, usize)) {
        let start = self.texts.len();
        self.texts.push_str(text);
        self.tokens.push(Recorded {
            position,
            offsets,
            text: (start, self.texts.len()),
        });
    }

    fn analyze(&mut self, analyzer: &mut TextAnalyzer, source: &str) {
        self.clear();
        let mut stream = analyzer.token_stream(source);
        while let Some(token) = stream.next() {
            let offsets = (token.offset_from, token.offset_to);
            self.push(&token.text, token.position, offsets);
        }
    }

    fn text(&self, token: &Recorded) -> &str {
        &self.texts[token.text.0..token.text.1]
    }

    /// Its tokens that are pair words, into `words`.
    fn pair_words_into(&self, words: &mut Analysis) {
        words.clear();
        for token in &self.tokens {
            let text = self.text(token);
            if is_pair_word(text) {
                words.push(text, token.position, token.offsets);
            }
        }
    }

    /// The pairs of its tokens (pair words alone) at consecutive positions, into
    /// `pairs`. An identifier's parts share a position with it (`pre-auth` and
    /// `pre`, then `auth`), so a position can pair several ways, as a phrase lines
    /// them up.
    fn pairs_into(&self, pairs: &mut Analysis) {
        pairs.clear();
        for (at, first) in self.tokens.iter().enumerate() {
            let next = self.tokens[at + 1..]
                .iter()
                .take_while(|token| token.position <= first.position + 1)
                .filter(|token| token.position == first.position + 1);
            for second in next {
                let start = pairs.texts.len();
                pairs.texts.push_str(self.text(first));
                pairs.texts.push(JOIN);
                pairs.texts.push_str(self.text(second));
                pairs.tokens.push(Recorded {
                    position: first.position,
                    offsets: (first.offsets.0, second.offsets.1),
                    text: (start, pairs.texts.len()),
                });
            }
        }
    }
}

/// The pair words of one text a [`Recorder`] analyzed.
#[derive(Default)]
struct KeptText {
    source: String,
    words: Analysis,
}

/// What a thread's [`Recorder`] analyzed last, oldest replaced first.
#[derive(Default)]
struct Kept {
    texts: [KeptText; KEPT],
    next: usize,
}

thread_local! {
    static KEPT_HERE: RefCell<Kept> = RefCell::new(Kept::default());
}

/// See [`recorder`].
#[derive(Clone)]
pub struct Recorder {
    words: TextAnalyzer,
    analysis: Analysis,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            words: analyzer(),
            analysis: Analysis::default(),
        }
    }
}

impl Tokenizer for Recorder {
    type TokenStream<'a> = Replay<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Replay<'a> {
        self.analysis.analyze(&mut self.words, text);
        KEPT_HERE.with_borrow_mut(|kept| {
            let slot = kept.next;
            kept.next = (slot + 1) % KEPT;
            let kept = &mut kept.texts[slot];
            kept.source.clear();
            kept.source.push_str(text);
            self.analysis.pair_words_into(&mut kept.words);
        });
        Replay::of(&self.analysis)
    }
}

/// See [`pair_tokenizer`].
#[derive(Clone)]
pub struct PairTokenizer {
    words: TextAnalyzer,
    /// A text's analysis and pair words, where no recorder kept them.
    analysis: Analysis,
    pair_words: Analysis,
    pairs: Analysis,
}

impl Default for PairTokenizer {
    fn default() -> Self {
        PairTokenizer {
            words: analyzer(),
            analysis: Analysis::default(),
            pair_words: Analysis::default(),
            pairs: Analysis::default(),
        }
    }
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = Replay<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Replay<'a> {
        let pairs = &mut self.pairs;
        let found = KEPT_HERE.with_borrow(|kept| {
            let kept = kept.texts.iter().find(|kept| kept.source == text);
            kept.map(|kept| kept.words.pairs_into(pairs)).is_some()
        });
        if !found {
            self.analysis.analyze(&mut self.words, text);
            self.analysis.pair_words_into(&mut self.pair_words);
            self.pair_words.pairs_into(pairs);
        }
        Replay::of(&self.pairs)
    }
}

/// Hands out the tokens of an [`Analysis`] through one reused [`Token`].
pub struct Replay<'a> {
    analysis: &'a Analysis,
    next: usize,
    token: Token,
}

impl<'a> Replay<'a> {
    fn of(analysis: &'a Analysis) -> Replay<'a> {
        Replay {
            analysis,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for Replay<'_> {
    fn advance(&mut self) -> bool {
        let Some(recorded) = self.analysis.tokens.get(self.next) else {
            return false;
        };
        self.next += 1;
        let text = self.analysis.text(recorded);
        refill(&mut self.token, text, recorded.position, recorded.offsets);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut found = Vec::new();
        while let Some(token) = stream.next() {
            found.push(token.text.clone());
        }
        found
    }

    fn pairs(text: &str) -> Vec<String> {
        texts(&mut pair_tokenizer(), text)
    }

    #[test]
    fn adjacent_frequent_words_pair_as_the_analyzer_positions_them() {
        assert_eq!(
            pairs("Supply-chain attack"),
            ["supply chain", "chain attack"]
        );
        assert_eq!(
            pairs("zero-day RCE exploited in the wild"),
            ["zero day", "day rce", "rce exploited"]
        );
        assert_eq!(pairs("CVE-2026-31431 exploited"), ["cve 2026"]);
        assert_eq!(pairs("Qilin ransomware"), Vec::<String>::new());
        assert_eq!(pairs(""), Vec::<String>::new());
    }

    #[test]
    fn a_dropped_token_leaves_its_neighbours_unpaired() {
        let long = "x".repeat(300);
        assert_eq!(
            pairs(&format!("remote {long} code execution")),
            ["code execution"]
        );
    }

    /// The recorder gives the analyzer's tokens, and the pairs read from what it
    /// kept are the pairs of a fresh analysis, for each of a document's texts.
    #[test]
    fn kept_analyses_give_the_same_pairs() {
        let texts_of_a_document = [
            "Supply-chain attack",
            "zero-day RCE exploited in the wild",
            "remote code execution, supply chain",
            "ransomware, data breach",
        ];
        let mut recorder = recorder();
        for text in texts_of_a_document {
            assert_eq!(texts(&mut recorder, text), texts(&mut analyzer(), text));
        }
        for text in texts_of_a_document {
            let fresh = std::thread::scope(|scope| scope.spawn(|| pairs(text)).join().unwrap());
            assert_eq!(pairs(text), fresh, "{text}");
        }
        let found = KEPT_HERE.with_borrow(|kept| {
            kept.texts
                .iter()
                .any(|kept| kept.source == texts_of_a_document[0])
        });
        assert!(found);
    }
}
