//! Dictionary tagging: registry labels and CVE ids found in text, with byte offsets.
//!
//! One Aho-Corasick automaton holds every live entity's name and aliases, folded to
//! lower case. The text is folded the same way (with a map back to original byte
//! offsets), all overlapping candidates are collected, the case and word-boundary
//! rules are applied to each, and only then is the leftmost-longest set of
//! non-overlapping matches chosen. Choosing after checking is what keeps a valid
//! shorter match when a longer candidate at the same place fails its boundary check,
//! which the automaton's own leftmost-longest mode cannot do.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::index::analyzer::UNICODE_HYPHENS;
use crate::index::words::segments;
use crate::item::{Item, Mention};
use crate::registry::{Entity, Registry};
use scan::Labels;

mod cve;
mod scan;

/// Labels this short or shorter are never matched.
const MIN_LABEL_CHARS: usize = 2;
/// Largest dictionary compiled to a DFA; larger ones use the contiguous NFA. The
/// DFA takes about 2.6 KB per label (265 MB and 0.7 s to build at 100,000 labels,
/// against 0.2 s for the NFA) and searches twice as fast; past this size its memory
/// would outgrow what a server should spend on tagging.
const DFA_MAX_LABELS: usize = 150_000;
/// Labels this long or longer match case-insensitively.
const CASE_INSENSITIVE_MIN_CHARS: usize = 4;

/// Registry labels that are ordinary English words, shipped in `schema/`.
const COMMON_WORDS: &str = include_str!("../schema/common_words.txt");

/// Configures a [`Tagger`].
#[derive(Debug, Clone)]
pub struct TaggerBuilder {
    exact_case_words: HashSet<String>,
    word_boundaries: bool,
    short_labels_exact_case: bool,
    longest_match: bool,
    dfa_max_labels: usize,
}

impl Default for TaggerBuilder {
    fn default() -> Self {
        TaggerBuilder {
            exact_case_words: HashSet::new(),
            word_boundaries: true,
            short_labels_exact_case: true,
            longest_match: true,
            dfa_max_labels: DFA_MAX_LABELS,
        }
    }
}

impl TaggerBuilder {
    /// A builder with the base rules: matches on word boundaries, labels of 4+
    /// characters in any case, 2–3 character labels of capitals and digits in exact
    /// case only, the longest label wins, and no label is treated as an ordinary word.
    pub fn new() -> TaggerBuilder {
        TaggerBuilder::default()
    }

    /// The base rules plus the shipped list of labels that are ordinary words
    /// (`schema/common_words.txt`): what ingest, `tag` and the server use.
    pub fn shipped() -> TaggerBuilder {
        let words = COMMON_WORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        TaggerBuilder::new().exact_case_words(words)
    }

    /// Labels (compared case-insensitively, a hyphen as a space) that are also
    /// ordinary words, such as "Agenda" or "Embargo": these match only when written
    /// exactly as in the registry and not as the first word of a sentence. A label
    /// of several words ("The Gentlemen") is told from prose by the capitals of the
    /// words after its first, so it matches anywhere in a sentence, in the
    /// registry's case but for its first letter ("the Gentlemen"). Default: none.
    pub fn exact_case_words<I, S>(mut self, words: I) -> TaggerBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.exact_case_words = words
            .into_iter()
            .map(|word| listed_form(word.as_ref()))
            .collect();
        self
    }

    /// Require matches to start and end on word boundaries. Default: `true`;
    /// `false` exists to measure what the rule is worth.
    pub fn word_boundaries(mut self, yes: bool) -> TaggerBuilder {
        self.word_boundaries = yes;
        self
    }

    /// Match 2–3 character labels only in exact case. Default: `true`; with `false`
    /// they match in any case (measurement only).
    pub fn short_labels_exact_case(mut self, yes: bool) -> TaggerBuilder {
        self.short_labels_exact_case = yes;
        self
    }

    /// Keep only the leftmost-longest non-overlapping matches. Default: `true`; with
    /// `false` every label is tested independently, as the originating site did, so
    /// "Helix" also fires inside "Helix Kitten" (measurement only).
    pub fn longest_match(mut self, yes: bool) -> TaggerBuilder {
        self.longest_match = yes;
        self
    }

    /// Compiles dictionaries of up to `labels` distinct labels to a DFA (default
    /// 150,000), larger ones to an NFA: the same matches, at twice the speed for
    /// about 2.6 KB per label.
    pub fn dfa_max_labels(mut self, labels: usize) -> TaggerBuilder {
        self.dfa_max_labels = labels;
        self
    }

    /// Builds the automaton over the registry's live labels.
    pub fn build(&self, registry: &Registry) -> Tagger {
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut by_folded: HashMap<String, usize> = HashMap::new();

        for entity in registry.live() {
            for (label, joined) in entity.labels().flat_map(spellings) {
                let rule = match self.case_rule(&label) {
                    Some(_) if joined => CaseRule::Exact,
                    Some(rule) => rule,
                    None => continue,
                };
                let folded = fold_hyphens(label.to_lowercase());
                let at = *by_folded.entry(folded.clone()).or_insert_with(|| {
                    patterns.push(Pattern {
                        folded,
                        targets: Vec::new(),
                    });
                    patterns.len() - 1
                });
                let any_case = rule == CaseRule::AnyCase;
                let target = Target {
                    key: entity.key.clone(),
                    exact: (!any_case).then(|| label.clone()),
                    initial_free: rule == CaseRule::Phrase,
                    word: rule == CaseRule::Word,
                    separators: (any_case && label.contains(['-', ' '])).then(|| label.clone()),
                };
                if !patterns[at].targets.contains(&target) {
                    patterns[at].targets.push(target);
                }
            }
        }

        let folded: Vec<&str> = patterns
            .iter()
            .map(|pattern| pattern.folded.as_str())
            .collect();
        let labels = Labels::new(&folded, folded.len() <= self.dfa_max_labels);
        Tagger {
            labels,
            patterns,
            word_boundaries: self.word_boundaries,
            longest_match: self.longest_match,
        }
    }

    fn case_rule(&self, label: &str) -> Option<CaseRule> {
        let chars = label.chars().count();
        if chars >= CASE_INSENSITIVE_MIN_CHARS {
            if self.exact_case_words.contains(&listed_form(label)) {
                let several = label.contains([' ', '-']);
                return Some(if several {
                    CaseRule::Phrase
                } else {
                    CaseRule::Word
                });
            }
            return Some(CaseRule::AnyCase);
        }
        let shouty = label
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit());
        match (
            chars >= MIN_LABEL_CHARS && shouty,
            self.short_labels_exact_case,
        ) {
            (true, true) => Some(CaseRule::Exact),
            (true, false) => Some(CaseRule::AnyCase),
            (false, _) => None,
        }
    }
}

/// The spellings a label is matched in, each with `true` when it matches in exact
/// case only: the label; with its hyphens as spaces and its spaces as hyphens
/// ("DigiCert support-portal compromise", "Support Portal Compromise"); and, for a
/// name of capitalised words, the words run together in that case ("World Leaks",
/// "WorldLeaks"), exact so that no ordinary word is made. A code name whose hyphen
/// binds a number or a short part (`Storm-2949`, `TAG-179`, `PRT-Scan`) is also
/// matched with spaces only in its own case: "tag 179" and "a PRT scan" are prose.
pub fn spellings(label: &str) -> Vec<(String, bool)> {
    let label = label.trim();
    let mut spellings = vec![(label.to_string(), false)];
    let words: Vec<&str> = label
        .split([' ', '-'])
        .filter(|word| !word.is_empty())
        .collect();
    if words.len() < 2 {
        return spellings;
    }
    let code = is_code_name(label);
    for (spelled, exact) in [(words.join(" "), code), (words.join("-"), false)] {
        if !spellings.iter().any(|(known, _)| *known == spelled) {
            spellings.push((spelled, exact));
        }
    }
    let capitalised = words
        .iter()
        .all(|word| word.starts_with(|c: char| c.is_uppercase()));
    if capitalised {
        spellings.push((words.concat(), true));
    }
    spellings
}

/// Every spelling of an entity's name and aliases, each once: what the tagger
/// matches, so that search finds an item by any spelling that linked it
/// ("WorldLeaks", "Mini-Shai-Hulud"), as it finds it by the label itself.
pub fn entity_spellings(entity: &Entity) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for (spelled, _) in entity.labels().flat_map(spellings) {
        if !all.contains(&spelled) {
            all.push(spelled);
        }
    }
    all
}

/// `true` when a hyphen of the label joins a part of at most three characters or
/// one with a digit: `Storm-2949`, `TAG-179`, `APT-C-36`, not `Shai-Hulud`.
fn is_code_name(label: &str) -> bool {
    label
        .split_whitespace()
        .filter(|word| word.contains('-'))
        .flat_map(|word| word.split('-'))
        .any(|part| part.chars().count() <= 3 || part.chars().any(|c| c.is_ascii_digit()))
}

/// Whether `text` writes a hyphen or a space wherever `spelling` does: the scan
/// reads both alike, a spelling in any case must keep its own.
fn same_separators(spelling: &str, text: &str) -> bool {
    let mut written = written(text);
    spelling.chars().all(|expected| match written.next() {
        Some(found) if matches!(expected, '-' | ' ') => found == expected,
        Some(_) => true,
        None => false,
    })
}

/// The characters of `text` as a label is compared with them: Unicode's hyphens
/// are the hyphen they look like, as search reads them too, and a run of spaces
/// of any kind (a tab, a no-break space) is one space.
fn written(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut previous = None;
    text.chars()
        .map(|ch| match ch {
            hyphen if UNICODE_HYPHENS.contains(&hyphen) => '-',
            space if is_space(space) => ' ',
            other => other,
        })
        .filter(move |&ch| {
            let repeated = ch == ' ' && previous == Some(' ');
            previous = Some(ch);
            !repeated
        })
}

/// A space within a line: the ASCII space and tab, and Unicode's spaces (the
/// no-break spaces U+00A0 and U+202F that editors keep names together with, and
/// the other spaces of category Zs).
fn is_space(ch: char) -> bool {
    matches!(
        ch,
        ' ' | '\t' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// Whether `text` is `label` as written, a Unicode hyphen for a hyphen; with
/// `initial_free`, its first letter in either case.
fn same_spelling(label: &str, text: &str, initial_free: bool) -> bool {
    let mut label = label.chars();
    let mut text = written(text);
    if initial_free {
        match (label.next(), text.next()) {
            (Some(written), Some(found)) if written.to_lowercase().eq(found.to_lowercase()) => {}
            _ => return false,
        }
    }
    label.eq(text)
}

/// How a label is compared with the list of ordinary words: lower case, a hyphen
/// as a space.
fn listed_form(label: &str) -> String {
    label.to_lowercase().replace('-', " ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseRule {
    AnyCase,
    Exact,
    /// Exact case, and never the first word of a sentence.
    Word,
    /// Several ordinary words: exact case but for the first letter, anywhere.
    Phrase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    key: String,
    /// The label as written, when it must match in exact case.
    exact: Option<String>,
    /// Whether the first letter of `exact` may be written in either case.
    initial_free: bool,
    /// An ordinary word: not matched at the start of a sentence.
    word: bool,
    /// The spelling, when it matches in any case and holds a hyphen or a space:
    /// the text must write those as it does (see [`same_separators`]).
    separators: Option<String>,
}

#[derive(Debug, Clone)]
struct Pattern {
    folded: String,
    targets: Vec<Target>,
}

/// A compiled dictionary.
#[derive(Debug, Clone)]
pub struct Tagger {
    labels: Labels,
    patterns: Vec<Pattern>,
    word_boundaries: bool,
    longest_match: bool,
}

/// One match before selection.
struct Candidate {
    start: usize,
    end: usize,
    keys: Vec<String>,
}

impl Tagger {
    /// A tagger with the shipped rules ([`TaggerBuilder::shipped`]) over a registry.
    pub fn new(registry: &Registry) -> Tagger {
        TaggerBuilder::shipped().build(registry)
    }

    /// Number of distinct folded labels in the automaton.
    pub fn label_count(&self) -> usize {
        self.patterns.len()
    }

    /// Every entity mention in `text`, in order, with byte offsets into `text`.
    pub fn tag(&self, text: &str) -> Vec<Mention> {
        let folded = Folded::new(text);
        let boundaries = Boundaries::new(text);
        let mut candidates = self.label_candidates(text, &folded, &boundaries);
        candidates.extend(cve::candidates(text, &boundaries));
        if self.longest_match {
            select(candidates, text)
        } else {
            every(candidates, text)
        }
    }

    fn label_candidates(
        &self,
        text: &str,
        folded: &Folded,
        boundaries: &Boundaries,
    ) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        let mut pending: Vec<(usize, Candidate)> = Vec::new();
        let mut named_mid_sentence: HashSet<usize> = HashSet::new();

        for hit in self.labels.hits(folded.text.as_bytes()) {
            let (start, end) = folded.original(hit.start, hit.end, text.len());
            let bounded = boundaries.is_start(start) && boundaries.is_end(text, end);
            if (self.word_boundaries && !bounded) || in_address(text, start) {
                continue;
            }
            let original = &text[start..end];
            let pattern = hit.pattern;
            let sentence_start = starts_sentence(text, start);
            let targets = self.patterns[pattern].targets.iter().filter(|target| {
                let case = target
                    .exact
                    .as_deref()
                    .is_none_or(|exact| same_spelling(exact, original, target.initial_free));
                let separators = target
                    .separators
                    .as_deref()
                    .is_none_or(|spelling| same_separators(spelling, original));
                case && separators
            });
            let (words, names): (Vec<&Target>, Vec<&Target>) =
                targets.partition(|target| target.word);

            if !names.is_empty() {
                let keys = names.iter().map(|target| target.key.clone()).collect();
                candidates.push(Candidate { start, end, keys });
            }
            if words.is_empty() {
                continue;
            }
            let keys = words.iter().map(|target| target.key.clone()).collect();
            if sentence_start {
                pending.push((pattern, Candidate { start, end, keys }));
            } else {
                named_mid_sentence.insert(pattern);
                candidates.push(Candidate { start, end, keys });
            }
        }

        // An ordinary-word label opening a sentence is capitalised anyway; it counts
        // as a name only when the same text also writes it so mid-sentence.
        candidates.extend(
            pending
                .into_iter()
                .filter(|(pattern, _)| named_mid_sentence.contains(pattern))
                .map(|(_, candidate)| candidate),
        );
        candidates
    }
}

/// Farthest a URL is looked for around a name, each way.
const ADDRESS_REACH: usize = 512;

/// Whether byte `at` of `text` stands in a web address written out, as an
/// autolink (`<https://qilin.example.com/Qilin>`) or bare: a name there is part of
/// the address, as it is in a link's target, which the rendered text leaves out.
/// CVE ids are still read there: a vendor's URL naming one is about it.
fn in_address(text: &str, at: usize) -> bool {
    let boundary = |mut at: usize, step: isize| {
        while !text.is_char_boundary(at) {
            at = at.saturating_add_signed(step);
        }
        at
    };
    let from = boundary(at.saturating_sub(ADDRESS_REACH), 1);
    let to = boundary(at.saturating_add(ADDRESS_REACH).min(text.len()), -1);
    let start = text[from..at]
        .char_indices()
        .rfind(|(_, c)| c.is_whitespace())
        .map_or(from, |(space, c)| from + space + c.len_utf8());
    let end = text[at..to]
        .find(char::is_whitespace)
        .map_or(to, |space| at + space);
    let word = &text[start..end];
    word.contains("://") || word.contains("www.") || word.contains("WWW.")
}

/// Leftmost first, longest at a position, no overlaps.
fn select(mut candidates: Vec<Candidate>, text: &str) -> Vec<Mention> {
    candidates.sort_by_key(|candidate| (candidate.start, std::cmp::Reverse(candidate.end)));
    let mut mentions = Vec::new();
    let mut covered_to = 0;
    for candidate in candidates {
        if candidate.start < covered_to {
            continue;
        }
        covered_to = candidate.end;
        mentions.extend(mentions_of(candidate, text));
    }
    mentions
}

/// Every candidate, overlaps included: the originating site's behaviour.
fn every(mut candidates: Vec<Candidate>, text: &str) -> Vec<Mention> {
    candidates.sort_by_key(|candidate| (candidate.start, std::cmp::Reverse(candidate.end)));
    candidates
        .into_iter()
        .flat_map(|candidate| mentions_of(candidate, text))
        .collect()
}

fn mentions_of(candidate: Candidate, text: &str) -> impl Iterator<Item = Mention> + '_ {
    let (start, end) = (candidate.start, candidate.end);
    candidate.keys.into_iter().map(move |key| Mention {
        key,
        label: text[start..end].to_string(),
        start,
        end,
    })
}

/// `true` when `offset` opens a sentence: only spaces, quotes or emphasis stand
/// between it and the start of the text, a sentence end, a colon or a line break.
fn starts_sentence(text: &str, offset: usize) -> bool {
    let before = text[..offset]
        .trim_end_matches(|ch| is_space(ch) || matches!(ch, '*' | '"' | '\u{201C}' | '(' | '['));
    before.is_empty() || before.ends_with(['.', '!', '?', ':', '\n', '\u{2014}', '|'])
}

/// Text folded to lower case for the automaton, Unicode hyphens as hyphens and a
/// run of spaces as one ASCII space (see [`written`]), with a map from folded byte
/// offsets to original ones. The automaton matches ASCII letters in either case,
/// so only non-ASCII characters are folded here: most texts are used as they are.
struct Folded<'t> {
    text: Cow<'t, str>,
    /// `None` when folding kept every byte in place.
    to_original: Option<Vec<usize>>,
}

impl<'t> Folded<'t> {
    fn new(text: &'t str) -> Folded<'t> {
        // A copy is made at the first non-ASCII character whose lower case differs
        // (dashes, quotes and most accented lower-case letters are left as they
        // are); an upper-case letter whose lower case has another length needs an
        // offset map.
        let mut folded = Cow::Borrowed(text);
        let bytes = text.as_bytes();
        // Two spaces in a row stand between no label's words until folded to one.
        if memchr::memmem::find(bytes, b"  ").is_some() {
            return Folded::mapped(text);
        }
        let mut at = 0;
        while let Some(found) = next_non_ascii(bytes, at) {
            at = found;
            let Some(ch) = text[at..].chars().next() else {
                break;
            };
            let mut lower = ch.to_lowercase();
            match (lower.len(), lower.next()) {
                _ if UNICODE_HYPHENS.contains(&ch) || is_space(ch) => return Folded::mapped(text),
                (1, Some(same)) if same == ch => {}
                (1, Some(other)) if other.len_utf8() == ch.len_utf8() => {
                    let mut buffer = [0; 4];
                    folded
                        .to_mut()
                        .replace_range(at..at + ch.len_utf8(), other.encode_utf8(&mut buffer));
                }
                _ => return Folded::mapped(text),
            }
            at += ch.len_utf8();
        }
        Folded {
            text: folded,
            to_original: None,
        }
    }

    /// Folds a text whose lower case moves offsets, keeping the map back.
    fn mapped(text: &str) -> Folded<'t> {
        let mut folded = String::with_capacity(text.len());
        let mut map = Vec::with_capacity(text.len() + 1);
        for (offset, ch) in text.char_indices() {
            if UNICODE_HYPHENS.contains(&ch) {
                folded.push('-');
                map.push(offset);
                continue;
            }
            if is_space(ch) {
                if !folded.ends_with(' ') {
                    folded.push(' ');
                    map.push(offset);
                }
                continue;
            }
            for lower in ch.to_lowercase() {
                folded.push(lower);
                map.extend(std::iter::repeat_n(offset, lower.len_utf8()));
            }
        }
        map.push(text.len());
        Folded {
            text: Cow::Owned(folded),
            to_original: Some(map),
        }
    }

    /// Maps a folded match back; the end maps to the end of the original character.
    fn original(&self, start: usize, end: usize, original_len: usize) -> (usize, usize) {
        match &self.to_original {
            None => (start, end),
            Some(map) => {
                let last = map[end - 1];
                let after = map[end..]
                    .iter()
                    .copied()
                    .find(|&at| at > last)
                    .unwrap_or(original_len);
                (map[start], after)
            }
        }
    }
}

/// The CVE ids a field names, as the tagger reads them in text: one id, or a list
/// such as `CVE-2026-29201/29202` (a footer's `CVE:` field, a front matter's
/// `cves:` entry). Upper case, in order, each once.
pub fn cve_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for candidate in cve::candidates(text, &Boundaries::new(text)) {
        for key in candidate.keys {
            if !ids.contains(&key) {
                ids.push(key);
            }
        }
    }
    ids
}

/// Where `text` writes a CVE id, listed ones included (`27` of
/// `CVE-2026-23926/27/28`), each with its id in upper case.
pub fn cve_places(text: &str) -> Vec<(Range<usize>, String)> {
    cve::candidates(text, &Boundaries::new(text))
        .into_iter()
        .flat_map(|candidate| {
            let range = candidate.start..candidate.end;
            candidate
                .keys
                .into_iter()
                .map(move |key| (range.clone(), key))
        })
        .collect()
}

/// A folded label with its hyphens as spaces, as the scan reads a text (see
/// [`scan`]): one pattern then serves "World Leaks" and "World-Leaks", and each
/// match is checked against the spellings it may be (see [`same_separators`]).
/// A pattern per spelling doubled the patterns, which took a 100,000-entity
/// registry past the DFA's size limit and tagging to a fifth of its speed.
fn fold_hyphens(folded: String) -> String {
    if !folded.contains('-') {
        return folded;
    }
    let mut bytes = folded.into_bytes();
    for byte in bytes.iter_mut().filter(|byte| **byte == b'-') {
        *byte = b' ';
    }
    String::from_utf8(bytes).expect("an ASCII byte replaced by another keeps UTF-8")
}

/// The offset of the first non-ASCII byte at or after `from`, skipping ASCII
/// 32 bytes at a time (the byte-by-byte scan was a tenth of tagging).
fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 32) {
        if !chunk.is_ascii() {
            break;
        }
        at += 32;
    }
    bytes[at..]
        .iter()
        .position(|byte| !byte.is_ascii())
        .map(|found| at + found)
}

/// Unicode word boundaries (UAX #29) of a text.
struct Boundaries<'t> {
    text: &'t str,
}

impl<'t> Boundaries<'t> {
    fn new(text: &'t str) -> Boundaries<'t> {
        Boundaries { text }
    }

    /// Whether `offset` is a word boundary. The two bytes around it decide most
    /// offsets; otherwise only the stretch between the ASCII whitespace around it
    /// is segmented, since whitespace always separates words (see
    /// [`crate::index::words`]), rather than the whole text ("Akira's" in a long
    /// body made the whole body segmented).
    fn contains(&self, offset: usize) -> bool {
        let bytes = self.text.as_bytes();
        if let Some(known) = ascii_boundary(bytes, offset) {
            return known;
        }
        // A space parts words, one that UAX #29 joins numbers with (U+202F) too.
        let before = self.text[..offset].chars().next_back();
        let after = self.text[offset..].chars().next();
        if before.is_some_and(is_space) || after.is_some_and(is_space) {
            return true;
        }
        let start = bytes[..offset]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |at| at + 1);
        let end = bytes[offset..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |length| offset + length);
        if offset == start || offset == end {
            return true;
        }
        let mut found = false;
        segments(&self.text[start..end], |at, _| {
            found |= start + at == offset
        });
        found
    }

    fn is_start(&self, offset: usize) -> bool {
        self.contains(offset)
    }

    /// A match may also end before a possessive `'s`, which UAX #29 keeps inside the
    /// word ("Akira's").
    fn is_end(&self, text: &str, offset: usize) -> bool {
        if self.contains(offset) {
            return true;
        }
        let rest = &text[offset..];
        ["'s", "\u{2019}s"].iter().any(|possessive| {
            rest.starts_with(possessive) && self.contains(offset + possessive.len())
        })
    }
}

/// ASCII characters whose UAX #29 rules look past the two characters around a
/// position (`a.b`, `3,5`, `it's`, `a:b` do not break).
const CONTEXT_ASCII: &[u8] = b".:',;";

/// Whether `offset` is a word boundary, decided from the two bytes around it when
/// both are ASCII and no [`CONTEXT_ASCII`] character among them has a letter or
/// digit on its far side: then only the pair rules of UAX #29 apply, so a table
/// made by segmenting every two-character string gives the same answer as
/// segmenting the whole text. `None` when the wider context decides.
fn ascii_boundary(bytes: &[u8], offset: usize) -> Option<bool> {
    if offset == 0 || offset >= bytes.len() {
        return Some(true);
    }
    let (left, right) = (bytes[offset - 1], bytes[offset]);
    if !left.is_ascii() || !right.is_ascii() {
        return None;
    }
    // A context character decides nothing beyond the pair when the character on
    // its far side is ASCII and neither letter nor digit ("Akira." then a space).
    let plain = |at: Option<&u8>| at.is_none_or(|&b| b.is_ascii() && !b.is_ascii_alphanumeric());
    if CONTEXT_ASCII.contains(&right) && !plain(bytes.get(offset + 1)) {
        return None;
    }
    if CONTEXT_ASCII.contains(&left) && !plain(offset.checked_sub(2).map(|at| &bytes[at])) {
        return None;
    }
    static PAIRS: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let pairs = PAIRS.get_or_init(|| {
        let mut pairs = vec![false; 128 * 128];
        for (at, pair) in pairs.iter_mut().enumerate() {
            let text = [(at / 128) as u8, (at % 128) as u8];
            // Two ASCII bytes are always valid UTF-8.
            let text = std::str::from_utf8(&text).expect("ASCII is UTF-8");
            *pair = text
                .split_word_bound_indices()
                .any(|(offset, _)| offset == 1);
        }
        pairs
    });
    Some(pairs[usize::from(left) * 128 + usize::from(right)])
}

/// A mention with what a reader needs: the entity's name and type, and character
/// offsets beside the byte ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DescribedMention {
    /// Canonical key.
    pub key: String,
    /// Registry name, or the key for a CVE or an unregistered key.
    pub name: String,
    /// Entity type (`actor`, `cve`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// The text as matched.
    pub label: String,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
    /// Character offset of the start.
    pub char_start: usize,
    /// Character offset of the end (exclusive).
    pub char_end: usize,
}

/// Adds names, types and character offsets to mentions of `text`.
///
/// Character offsets are counted in one pass over the text, carried from one
/// mention to the next: counting from the start for each mention would make a text
/// with many mentions quadratic.
pub fn describe(mentions: &[Mention], text: &str, registry: &Registry) -> Vec<DescribedMention> {
    let mut chars = CharCounter::default();
    mentions
        .iter()
        .map(|mention| DescribedMention {
            key: mention.key.clone(),
            name: display_name(&mention.key, registry),
            kind: entity_type(&mention.key).to_string(),
            label: mention.label.clone(),
            start: mention.start,
            end: mention.end,
            char_start: chars.at(text, mention.start),
            char_end: chars.at(text, mention.end),
        })
        .collect()
}

/// Byte offset -> character offset, fast for offsets that mostly move forward.
#[derive(Default)]
struct CharCounter {
    byte: usize,
    chars: usize,
}

impl CharCounter {
    fn at(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            *self = CharCounter::default();
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// The type part of an entity key (`actor:apt42` -> `actor`); CVE ids are `cve`.
pub fn entity_type(key: &str) -> &str {
    match key.split_once(':') {
        Some((kind, _)) => kind,
        None if key.to_ascii_uppercase().starts_with("CVE-") => "cve",
        None => "other",
    }
}

/// The registry name of a key, or the key itself.
pub fn display_name(key: &str, registry: &Registry) -> String {
    registry
        .get(registry.canonical(key))
        .map_or_else(|| key.to_string(), |entity| entity.name.clone())
}

/// Tags an item and sets its entity keys: explicit keys (tombstones forwarded) and
/// tagged keys, sorted and distinct.
///
/// An explicit key whose name the text writes only as the case rules decline it
/// (an ordinary word such as "embargo", a short name in another case) is left
/// out: the originating site matched names in any case and listed what it found,
/// so two stories that say "responsible-disclosure embargo" carried
/// `actor:embargo`. A key whose names the text never writes is kept: that is what
/// the author knew and the text does not say.
pub fn link(item: &mut Item, tagger: &Tagger, registry: &Registry) {
    let text = item.text();
    item.mentions = tagger.tag(&text);
    let tagged_keys: BTreeSet<&str> = item
        .mentions
        .iter()
        .map(|mention| mention.key.as_str())
        .collect();
    // Lower-cased once, and only for an explicit key the tagger did not find.
    let folded = std::cell::OnceCell::new();
    let explicit: Vec<String> = item
        .explicit_entities
        .iter()
        .map(|key| registry.canonical(key).to_string())
        .filter(|key| {
            tagged_keys.contains(key.as_str())
                || !registry.get(key).is_some_and(|entity| {
                    let folded = folded.get_or_init(|| text.to_lowercase());
                    written_in_any_case(&text, folded, entity)
                })
        })
        .collect();
    let tagged = item.mentions.iter().map(|mention| mention.key.clone());
    let cves = item.footer.cves.iter().cloned();
    let keys: BTreeSet<String> = explicit.into_iter().chain(tagged).chain(cves).collect();
    item.entities = keys.into_iter().collect();
}

/// Whether `text` (`folded`, lower-cased) writes one of the entity's names in
/// some case, on word boundaries, as a tagger without case rules would find it.
fn written_in_any_case(text: &str, folded: &str, entity: &crate::registry::Entity) -> bool {
    if folded.len() != text.len() {
        // Offsets would not line up; such texts are rare, and the key is kept.
        return false;
    }
    let boundaries = Boundaries::new(text);
    entity.labels().any(|label| {
        let label = label.to_lowercase();
        !label.is_empty()
            && folded.match_indices(&label).any(|(at, found)| {
                boundaries.is_start(at) && boundaries.is_end(text, at + found.len())
            })
    })
}

#[cfg(test)]
mod tests;
