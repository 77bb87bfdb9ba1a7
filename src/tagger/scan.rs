//! The overlapping Aho-Corasick scan, over three stretches of a text at once.
//!
//! A scan is a chain of dependent loads: the next state is read from the
//! transition table at an address that depends on the current state, and the
//! table of even the real registry (7.7 MB as a DFA) is larger than the caches,
//! so the processor waits on every byte. Three scans of three stretches of the
//! same text, advanced together in one loop, are three independent chains whose
//! loads overlap: the same matches at about 1.9 times the speed of one scan
//! (measured on 8 MB of item texts; four stretches were no faster, six slower).
//!
//! The scan reads a hyphen (and a tab) as a space, as the labels are written (see
//! `fold_hyphens`), so that one label matches both spellings. Mapping the byte in
//! the loop costs nothing next to the transition's load; a copy of the text with
//! its hyphens replaced cost a quarter of the scan.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{dfa, nfa, Anchored, MatchKind};

/// Stretches scanned together.
const LANES: usize = 3;

/// A label occurrence in the scanned text: byte range and pattern index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Hit {
    pub start: usize,
    pub end: usize,
    pub pattern: usize,
}

/// Folded labels compiled for unanchored overlapping scans.
#[derive(Debug, Clone)]
pub(super) enum Labels {
    /// About twice as fast as the NFA, for about 2.6 KB per label.
    Dfa(dfa::DFA),
    /// For dictionaries whose DFA would outgrow what tagging should spend.
    Nfa(nfa::contiguous::NFA),
}

impl Labels {
    /// Compiles `labels` (folded to lower case; ASCII letters also match in upper
    /// case) to a DFA when `dfa` is set, to an NFA otherwise. No prefilter: in
    /// prose almost every byte can begin a label, so it would only add checks.
    pub fn new(labels: &[&str], dfa: bool) -> Labels {
        const LIMITS: &str = "labels are plain strings well under the automaton's size limits";
        if dfa {
            let built = dfa::DFA::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .prefilter(false)
                .build(labels)
                .expect(LIMITS);
            Labels::Dfa(built)
        } else {
            let built = nfa::contiguous::NFA::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .prefilter(false)
                .build(labels)
                .expect(LIMITS);
            Labels::Nfa(built)
        }
    }

    /// Every occurrence of every label in `text`, overlapping ones included, in no
    /// particular order.
    pub fn hits(&self, text: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        match self {
            Labels::Dfa(automaton) => scan(automaton, text, &mut hits),
            Labels::Nfa(automaton) => scan(automaton, text, &mut hits),
        }
        hits
    }
}

/// Splits `text` into [`LANES`] stretches and scans them together. Each
/// stretch's scan then runs on past its end by the longest label's length less
/// one byte, keeping only what starts inside the stretch: a label that starts in
/// one stretch and ends in the next is found once, by the scan it starts in.
fn scan<A: Automaton>(automaton: &A, text: &[u8], hits: &mut Vec<Hit>) {
    let start = automaton
        .start_state(Anchored::No)
        .expect("the automata are built for unanchored scans");
    let lane = text.len() / LANES;
    let overlap = automaton.max_pattern_len().saturating_sub(1);
    if lane <= overlap {
        run_on(automaton, start, text, 0..text.len(), 0..usize::MAX, hits);
        return;
    }

    let begins: [usize; LANES] = std::array::from_fn(|k| k * lane);
    let mut states = [start; LANES];
    for step in 0..lane {
        for (state, &begin) in states.iter_mut().zip(&begins) {
            let at = begin + step;
            *state = automaton.next_state(Anchored::No, *state, byte(text, at));
            if automaton.is_special(*state) {
                report(automaton, *state, at + 1, 0..usize::MAX, hits);
            }
        }
    }

    for (k, (&state, &begin)) in states.iter().zip(&begins).enumerate() {
        let (bytes, starts) = match begins.get(k + 1) {
            Some(&next) => (next..(next + overlap).min(text.len()), begin..next),
            None => (begin + lane..text.len(), begin..usize::MAX),
        };
        run_on(automaton, state, text, bytes, starts, hits);
    }
}

/// Goes on from `state` over `text[bytes]`, keeping labels starting in `starts`.
fn run_on<A: Automaton>(
    automaton: &A,
    mut state: StateID,
    text: &[u8],
    bytes: std::ops::Range<usize>,
    starts: std::ops::Range<usize>,
    hits: &mut Vec<Hit>,
) {
    for at in bytes {
        state = automaton.next_state(Anchored::No, state, byte(text, at));
        if automaton.is_special(state) {
            report(automaton, state, at + 1, starts.clone(), hits);
        }
    }
}

/// The byte at `at` as the labels are written: a hyphen or a tab as a space.
#[inline(always)]
fn byte(text: &[u8], at: usize) -> u8 {
    match text[at] {
        b'-' | b'\t' => b' ',
        other => other,
    }
}

/// The labels a special state holds, ending at `end`. Without a prefilter the
/// only special states an unanchored scan meets are match states.
#[inline(always)]
fn report<A: Automaton>(
    automaton: &A,
    state: StateID,
    end: usize,
    starts: std::ops::Range<usize>,
    hits: &mut Vec<Hit>,
) {
    if !automaton.is_match(state) {
        return;
    }
    for index in 0..automaton.match_len(state) {
        let pattern = automaton.match_pattern(state, index);
        let start = end - automaton.pattern_len(pattern);
        if starts.contains(&start) {
            hits.push(Hit {
                start,
                end,
                pattern: pattern.as_usize(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The crate's own overlapping iterator over the same labels.
    fn reference(labels: &[&str], text: &str) -> Vec<Hit> {
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(labels)
            .unwrap();
        let mut hits: Vec<Hit> = automaton
            .find_overlapping_iter(text)
            .map(|found| Hit {
                start: found.start(),
                end: found.end(),
                pattern: found.pattern().as_usize(),
            })
            .collect();
        hits.sort();
        hits
    }

    /// Texts made of label pieces, growing a piece at a time to 300 bytes, so that
    /// labels straddle the stretches' ends wherever they fall, scanned by the DFA
    /// and the NFA: the same hits as one scan by the crate's iterator.
    #[test]
    fn lanes_find_what_one_scan_finds() {
        let labels = [
            "akira",
            "kira",
            "lazarus group",
            "lazarus",
            "ab",
            "b",
            "rus gr",
        ];
        let pieces = [
            "Akira",
            " ",
            "lazarus",
            " Group ",
            "a",
            "b",
            "kir",
            "x",
            "LAZARUS GROUP",
        ];
        for dfa in [true, false] {
            let scanner = Labels::new(&labels, dfa);
            let mut text = String::new();
            let mut next = 7usize;
            while text.len() <= 300 {
                let mut hits = scanner.hits(text.as_bytes());
                hits.sort();
                assert_eq!(hits, reference(&labels, &text), "dfa {dfa}, {text:?}");
                next = next.wrapping_mul(31).wrapping_add(11) % 1009;
                text.push_str(pieces[next % pieces.len()]);
            }
        }
    }

    #[test]
    fn a_hyphen_reads_as_a_space() {
        let scanner = Labels::new(&["lazarus group"], true);
        let text = "Lazarus-Group, lazarus group, lazarus_group";
        let found: Vec<&str> = scanner
            .hits(text.as_bytes())
            .iter()
            .map(|hit| &text[hit.start..hit.end])
            .collect();
        assert_eq!(found, ["Lazarus-Group", "lazarus group"]);
    }
}
