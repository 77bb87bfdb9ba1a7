//! The snippets must be Tantivy's `SnippetGenerator`'s, fragment for fragment.

use std::collections::BTreeMap;

use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

use super::*;
use crate::index::analyzer::{analyze, analyzer};

/// Tantivy's fragment and highlights for the same terms, as byte ranges of `text`.
fn tantivy_snippet(
    terms: &[(String, Score)],
    max_bytes: usize,
    text: &str,
) -> (Range<usize>, Vec<Range<usize>>) {
    let terms: BTreeMap<String, Score> = terms.iter().cloned().collect();
    let generator = SnippetGenerator::new(terms, analyzer(), Field::from_field_id(0), max_bytes);
    let snippet = generator.snippet(text);
    let start = snippet.fragment_range().start;
    let highlighted = snippet
        .highlighted()
        .iter()
        .map(|range| range.start + start..range.end + start)
        .collect();
    (snippet.fragment_range(), highlighted)
}

/// Asserts both agree; returns the highlighted tokens.
fn assert_same<'a>(terms: &[(String, Score)], max_bytes: usize, text: &'a str) -> Vec<&'a str> {
    let ours = Snippets::with_terms(terms.to_vec(), max_bytes).snippet(text);
    let (fragment, highlighted) = tantivy_snippet(terms, max_bytes, text);
    if highlighted.is_empty() {
        assert!(ours.is_empty(), "{text:?} {terms:?}: {ours:?}");
        return Vec::new();
    }
    assert_eq!(
        (ours.fragment.clone(), ours.highlighted.clone()),
        (fragment, highlighted),
        "{text:?} with {terms:?}, {max_bytes} bytes"
    );
    ours.highlighted
        .iter()
        .map(|range| &text[range.clone()])
        .collect()
}

/// Words that exercise the analyzer: identifiers, accents, case, apostrophes,
/// non-ASCII letters that fold and some that do not.
const WORDS: &[&str] = &[
    "ransomware",
    "Akira",
    "CVE-2026-31431",
    "cve-2026-0300",
    "PAN-OS",
    "2.4.66",
    "T1566.004",
    "actor:apt42",
    "Sécurisés",
    "sécurité",
    "France's",
    "Straße",
    "İstanbul",
    "Zürich",
    "naïve",
    "ÉCOLE",
    "京都",
    "—",
    "(NCSC-CH)",
    "[FR]",
    "a",
    "of",
    "the",
    "supply",
    "chain",
    "supply-chain",
    "exploitation",
    "zero-day",
    "x",
    "&",
    "<b>",
    "'quoted'",
    "\"double\"",
    "e-mail",
    "OpenAI",
    "Qilin,",
    "data.",
    "1,000",
    "U.S.",
    "\u{a0}",
    "co\u{301}te",
];

/// A deterministic stream of pseudo-random numbers.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn random_texts_get_tantivys_fragments_and_highlights() {
    let mut random = Lcg(7);
    // The analyzer drops tokens of 256 bytes and more: both sides of the limit.
    let long = [255, 256, 300].map(|bytes| "z".repeat(bytes));
    let (mut found, mut folded) = (0, 0);
    for round in 0..400 {
        let words = 1 + random.below(120);
        let mut text = String::new();
        for _ in 0..words {
            let word = if random.below(50) == 0 {
                long[random.below(long.len())].as_str()
            } else {
                WORDS[random.below(WORDS.len())]
            };
            text.push_str(word);
            text.push_str([" ", " ", "\n", "-", ", "][random.below(5)]);
        }
        let analyzed = analyze(&text);
        let mut terms: Vec<(String, Score)> = Vec::new();
        for _ in 0..1 + random.below(4) {
            let term = match analyzed.get(random.below(analyzed.len().max(1))) {
                Some((_, term, _)) if random.below(5) > 0 => term.clone(),
                _ => "absent".to_string(),
            };
            if terms.iter().all(|(known, _)| *known != term) {
                let score = 1.0 / (1.0 + random.below(1000) as Score);
                terms.push((term, score));
            }
        }
        let max_bytes = [20, 60, 150, 220, 400][round % 5];
        let highlighted = assert_same(&terms, max_bytes, &text);
        found += usize::from(!highlighted.is_empty());
        folded += highlighted.iter().filter(|token| !token.is_ascii()).count();
    }
    // Most rounds highlight something, and tokens that fold are among them.
    assert!(found > 300, "{found} snippets");
    assert!(folded > 20, "{folded} folded tokens highlighted");
}

#[test]
fn ties_go_to_the_earliest_fragment() {
    let terms = vec![("akira".to_string(), 0.5)];
    let text = "Akira hit one firm. Then many unrelated words follow here. Akira again.";
    let snippet = Snippets::with_terms(terms.clone(), 25).snippet(text);
    assert_eq!(snippet.highlighted, vec![0..5]);
    assert_eq!(assert_same(&terms, 25, text), vec!["Akira"]);
}

#[test]
fn html_joins_a_compound_and_its_parts_and_escapes() {
    let terms = vec![
        ("cve-2026-31431".to_string(), 0.5),
        ("cve".to_string(), 0.1),
        ("fix".to_string(), 0.2),
    ];
    let text = "See CVE-2026-31431 & <fix> it's urgent";
    let snippet = Snippets::with_terms(terms, 220).snippet(text);
    assert_eq!(
        snippet.to_html(),
        "See <b>CVE-2026-31431</b> &amp; &lt;<b>fix</b>&gt; it&#39;s urgent"
    );
}

#[test]
fn no_term_no_snippet() {
    let snippet = Snippets::with_terms(vec![("qilin".to_string(), 1.0)], 220).snippet("Akira");
    assert!(snippet.is_empty());
    assert_eq!(snippet.to_html(), "");
}

#[test]
fn a_mention_is_one_highlight_and_picks_its_fragment() {
    let text = "Many unrelated words open this text. It echoes Scattered-Spider-style tradecraft.";
    let start = text.find("Scattered").unwrap();
    let mention = start..start + "Scattered-Spider".len();
    let snippets = Snippets::with_terms(Vec::new(), 40);
    assert!(snippets.snippet(text).is_empty());

    let snippet = snippets.mention_snippet(text, &[(mention.clone(), 0.5)]);
    assert_eq!(snippet.highlighted, vec![mention]);
    assert_eq!(
        snippet.to_html(),
        "echoes <b>Scattered-Spider</b>-style tradecraft"
    );
}

#[test]
fn a_phrase_is_highlighted_where_its_words_stand_together() {
    let highlights = crate::query::parse("\"pre-auth command injection\" sentry")
        .unwrap()
        .highlights(&crate::query::NoNames);
    let terms: Vec<(String, Score)> = ["pre", "auth", "command", "injection", "sentry"]
        .iter()
        .map(|term| (term.to_string(), 0.25))
        .collect();
    let snippets = Snippets::with_terms(terms.clone(), 220).highlighting(&highlights);

    // Its words apart are not the phrase; a word typed outside it still counts.
    let apart = "Because the injection is pre-auth, a command runs on Sentry.";
    assert_eq!(
        snippets.snippet(apart).to_html(),
        "Because the injection is pre-auth, a command runs on <b>Sentry</b>"
    );
    let together = "Ivanti fixed a Pre-Auth Command Injection in Sentry; the injection is old.";
    assert_eq!(
        snippets.snippet(together).to_html(),
        "Ivanti fixed a <b>Pre-Auth Command Injection</b> in <b>Sentry</b>; the injection is old"
    );
    // Without the phrase's words in the text, only the loose word is left.
    assert!(snippets.snippet("a pre-auth bug").is_empty());
    // A phrase longer than any fragment is not highlighted in halves.
    let short = Snippets::with_terms(terms, 20).highlighting(&highlights);
    assert_eq!(
        short.snippet("Sentry pre-auth command injection").to_html(),
        "<b>Sentry</b> pre-auth"
    );
}

#[test]
fn a_phrase_stays_one_span_and_exclusions_are_never_highlighted() {
    let terms: Vec<(String, Score)> = ["supply", "chain", "ransomware"]
        .iter()
        .map(|term| (term.to_string(), 0.25))
        .collect();
    let snippets = |query: &str| {
        let highlights = crate::query::parse(query)
            .unwrap()
            .highlights(&crate::query::NoNames);
        Snippets::with_terms(terms.clone(), 220).highlighting(&highlights)
    };
    let text = "A supply-chain worm hit one chain of ransomware victims.";

    // The phrase's word typed again alone does not split the phrase.
    assert_eq!(
        snippets("\"supply chain\" chain").snippet(text).to_html(),
        "A <b>supply-chain</b> worm hit one <b>chain</b> of ransomware victims"
    );
    // What a query excludes is among its terms, and never highlighted.
    assert_eq!(
        snippets("ransomware -\"supply chain\" -worm")
            .snippet(text)
            .to_html(),
        "A supply-chain worm hit one chain of <b>ransomware</b> victims"
    );
}

#[test]
fn a_phrase_of_repeated_words_takes_the_place_that_fits() {
    let highlights = crate::query::parse("\"omega omega omega\"")
        .unwrap()
        .highlights(&crate::query::NoNames);
    let snippets =
        Snippets::with_terms(vec![("omega".to_string(), 0.5)], 20).highlighting(&highlights);
    // The second fragment starts at the second "omega": the place starting at the
    // first does not fit it, the one starting there does.
    let text = "bbbbbbbbbbbb omega omega omega omega";
    assert_eq!(snippets.snippet(text).to_html(), "<b>omega omega omega</b>");
}
