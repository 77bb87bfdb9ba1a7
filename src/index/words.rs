//! Word-boundary segments of a text: Unicode's UAX #29, with ASCII stretches
//! segmented by the same rules without the Unicode tables.
//!
//! Segmentation was a third of indexing time, and most of the corpus is ASCII. For
//! an ASCII stretch the rules that matter reduce to: letters, digits and `_` form
//! words; `.` and `'` join two letters or two digits, `:` two letters, `,` and `;`
//! two digits; every other character stands alone. Whitespace always separates
//! words under UAX #29, so a text is cut at ASCII whitespace into stretches, and a
//! stretch holding any other byte goes to `unicode-segmentation` as before. Tests
//! hold the two paths to the same segments.

use unicode_segmentation::UnicodeSegmentation;

/// Calls `each(offset, segment)` for the word-bound segments of `text`, in order.
/// Word segments are exactly UAX #29's; a whitespace stretch may come as one
/// segment where UAX #29 gives several (it is never a word either way).
pub fn segments<'a>(text: &'a str, mut each: impl FnMut(usize, &'a str)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let blank = bytes[at].is_ascii_whitespace();
        let end = bytes[at..]
            .iter()
            .position(|byte| byte.is_ascii_whitespace() != blank)
            .map_or(bytes.len(), |length| at + length);
        let stretch = &text[at..end];
        if blank {
            each(at, stretch);
        } else if stretch.is_ascii() {
            ascii_segments(stretch, at, &mut each);
        } else {
            for (offset, segment) in stretch.split_word_bound_indices() {
                each(at + offset, segment);
            }
        }
        at = end;
    }
}

/// Segments an ASCII stretch without whitespace.
fn ascii_segments<'a>(stretch: &'a str, base: usize, each: &mut impl FnMut(usize, &'a str)) {
    let bytes = stretch.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !is_word_byte(bytes[at]) {
            each(base + at, &stretch[at..at + 1]);
            at += 1;
            continue;
        }
        let mut end = at + 1;
        while end < bytes.len() {
            if is_word_byte(bytes[end]) {
                end += 1;
            } else if end + 1 < bytes.len() && joins(bytes[end - 1], bytes[end], bytes[end + 1]) {
                end += 2;
            } else {
                break;
            }
        }
        each(base + at, &stretch[at..end]);
        at = end;
    }
}

/// Letters, digits and the connector `_` (UAX #29's ALetter, Numeric, ExtendNumLet).
fn is_word_byte(byte: u8) -> bool {
    WORD_BYTES[usize::from(byte)]
}

/// [`is_word_byte`] as a table: it is asked of every byte indexed, and one load
/// costs less than its range comparisons.
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_alphanumeric() || byte == b'_' as usize;
        byte += 1;
    }
    table
};

/// Whether `middle` keeps `before` and `after` in one word (rules WB6, WB7, WB11,
/// WB12).
fn joins(before: u8, middle: u8, after: u8) -> bool {
    let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
    let digits = before.is_ascii_digit() && after.is_ascii_digit();
    match middle {
        b'.' | b'\'' => letters || digits,
        b':' => letters,
        b',' | b';' => digits,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word segments (those holding a letter or digit) of both paths.
    fn words_fast(text: &str) -> Vec<(usize, &str)> {
        let mut found = Vec::new();
        segments(text, |offset, segment| {
            if segment.chars().any(char::is_alphanumeric) {
                found.push((offset, segment));
            }
        });
        found
    }

    fn words_unicode(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, segment)| segment.chars().any(char::is_alphanumeric))
            .collect()
    }

    /// Single-character punctuation segments, where the joiner rule looks.
    fn singles_fast(text: &str) -> Vec<(usize, &str)> {
        let mut found = Vec::new();
        segments(text, |offset, segment| {
            if segment.chars().count() == 1 && !segment.chars().any(char::is_alphanumeric) {
                found.push((offset, segment));
            }
        });
        found.retain(|(_, segment)| !segment.trim().is_empty());
        found
    }

    fn singles_unicode(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, segment)| {
                segment.chars().count() == 1
                    && !segment.chars().any(char::is_alphanumeric)
                    && !segment.trim().is_empty()
            })
            .collect()
    }

    #[test]
    fn ascii_path_agrees_with_unicode_segmentation() {
        let samples = [
            "CVE-2026-31431 hits 2.4.66 and T1566.004, actor:apt42 (algif_aead).",
            "France's NIS2 e.g. 1,000,000 3;4 a:1 1:a x1.2 a.1 1.a '' a'b 'a b' __ _x_ x.",
            "v1.2.3-rc1 https://example.com/path?q=1&r=2#frag user@host.tld 10.0.0.1:8080",
            "end. Start... a..b a.-b -x- --y a--b 'quoted' \"dq\" [FR] (Charming Kitten)",
            "tabs\tand\nnewlines\r\nand  double  spaces ,leading ;semi :colon .dot",
            "mixed Sécurisés' – em—dash France’s “smart” 東京 İstanbul naïve café-bar",
            "",
            " ",
            "a",
            "'",
        ];
        for text in samples {
            assert_eq!(words_fast(text), words_unicode(text), "{text:?}");
            assert_eq!(singles_fast(text), singles_unicode(text), "{text:?}");
        }
    }

    #[test]
    fn every_ascii_triple_agrees() {
        let alphabet = b"aZ09_.':,;-/ ";
        for &a in alphabet {
            for &b in alphabet {
                for &c in alphabet {
                    for &d in alphabet {
                        let text = String::from_utf8(vec![a, b, c, d]).unwrap();
                        assert_eq!(words_fast(&text), words_unicode(&text), "{text:?}");
                        assert_eq!(singles_fast(&text), singles_unicode(&text), "{text:?}");
                    }
                }
            }
        }
    }
}
