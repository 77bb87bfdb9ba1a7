//! Combining marks, dropped from tokens: `Sécurisés` typed or pasted in its
//! decomposed form (`e` followed by U+0301, as macOS often writes it) is the
//! same word as the composed one, which ASCII folding already turns into
//! `securises`. Folding alone leaves the decomposed accent in place.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Whether `c` is a combining diacritical mark (the general-purpose blocks that
/// accents of Latin, Greek and Cyrillic letters decompose into).
pub fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// The filter that drops combining marks from each token.
#[derive(Debug, Clone, Copy, Default)]
pub struct DropMarks;

impl TokenFilter for DropMarks {
    type Tokenizer<T: Tokenizer> = DropMarksTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DropMarksTokenizer<T> {
        DropMarksTokenizer(tokenizer)
    }
}

/// A tokenizer whose tokens lose their combining marks.
#[derive(Debug, Clone)]
pub struct DropMarksTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for DropMarksTokenizer<T> {
    type TokenStream<'a> = DropMarksStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DropMarksStream(self.0.token_stream(text))
    }
}

/// The token stream of [`DropMarksTokenizer`].
pub struct DropMarksStream<S>(S);

impl<S: TokenStream> TokenStream for DropMarksStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        // Nearly every token is ASCII: one scan, and nothing else to do.
        let text = &mut self.0.token_mut().text;
        if !text.is_ascii() {
            text.retain(|c| !is_combining_mark(c));
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}
