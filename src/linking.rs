//! Measuring the tagger against the corpus's own ground truth, and mining alias
//! candidates for the entities it cannot find.
//!
//! Ground truth: the explicit `entities:` keys and `cves:` ids of entry files. A key
//! counts as *findable* in an item when one of its labels occurs there on word
//! boundaries in any case (what a dictionary tagger could find at best); recall is
//! the share of findable keys the tagger finds. Keys the tagger finds that the
//! author did not list are *candidate* false positives: listed with their context
//! for a person to judge, since authors do not list every entity they mention.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::item::{Item, Level};
use crate::registry::Registry;
use crate::tagger::{entity_type, Tagger, TaggerBuilder};

/// Characters of context shown on each side of a candidate false positive.
const CONTEXT_CHARS: usize = 60;
/// Alias candidates listed per registry gap.
const SUGGESTIONS_PER_KEY: usize = 5;

/// Recall and candidate false positives of one rule set.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Score {
    /// (item, key) pairs the author listed and a label occurs for.
    pub findable: usize,
    /// Of those, the ones the tagger found.
    pub found: usize,
    /// `found / findable`.
    pub recall: f64,
    /// Tagged keys the author did not list, in items that list at least one key.
    pub candidate_false_positives: usize,
}

/// One row of the rule table.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct RuleRow {
    /// The rule set, cumulative from the first row.
    pub rules: &'static str,
    /// Its figures.
    #[serde(flatten)]
    pub score: Score,
    /// Distinct (item, key) links over every item of the corpus, annotated or not.
    pub corpus_links: usize,
}

/// A tagged key the author did not list.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct CandidateFalsePositive {
    /// Item id.
    pub item: String,
    /// Tagged key.
    pub key: String,
    /// The text matched.
    pub label: String,
    /// The sentence around it.
    pub context: String,
}

/// A findable explicit key the tagger did not find.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Missed {
    /// Item id.
    pub item: String,
    /// The key.
    pub key: String,
    /// Where a label of it occurs.
    pub context: String,
}

/// An alias candidate for an entity, with its evidence.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct AliasSuggestion {
    /// The candidate label.
    pub alias: String,
    /// In-items occurrences over out-of-items occurrences (smoothed).
    pub score: f64,
    /// Items of the entity that contain it.
    pub inside: usize,
    /// Other items that contain it.
    pub outside: usize,
    /// Up to three item ids where it occurs.
    pub evidence: Vec<String>,
}

/// An explicit key no registry label matches in its items.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Gap {
    /// The key.
    pub key: String,
    /// `unregistered` or `no label occurs`.
    pub reason: &'static str,
    /// Items that list it.
    pub items: Vec<String>,
    /// Ranked alias candidates.
    pub suggestions: Vec<AliasSuggestion>,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Evaluation {
    /// Items with at least one explicit key.
    pub items: usize,
    /// Figures of the shipped tagger.
    #[serde(flatten)]
    pub overall: Score,
    /// Figures per entity type.
    pub by_type: BTreeMap<String, Score>,
    /// Each rule's effect, cumulative.
    pub rules: Vec<RuleRow>,
    /// Findable explicit keys the shipped tagger missed.
    pub missed: Vec<Missed>,
    /// Candidate false positives of the shipped tagger.
    pub false_positives: Vec<CandidateFalsePositive>,
    /// Explicit keys that no label can match.
    pub gaps: Vec<Gap>,
}

/// Evaluates the shipped tagger (and each rule's contribution) on `items`.
pub fn evaluate(items: &[Item], registry: &Registry) -> Evaluation {
    let annotated: Vec<&Item> = items
        .iter()
        .filter(|item| item.level == Level::Item && !explicit(item, registry).is_empty())
        .collect();
    let oracle = TaggerBuilder::new()
        .short_labels_exact_case(false)
        .longest_match(false)
        .build(registry);
    let shipped = Tagger::new(registry);

    let mut by_type = BTreeMap::new();
    let overall = score(&annotated, registry, &oracle, &shipped, Some(&mut by_type));
    let every_item: Vec<&Item> = items
        .iter()
        .filter(|item| item.level == Level::Item)
        .collect();
    let rules = rule_rows()
        .into_iter()
        .map(|(rules, builder)| {
            let tagger = builder.build(registry);
            RuleRow {
                rules,
                score: score(&annotated, registry, &oracle, &tagger, None),
                corpus_links: every_item
                    .iter()
                    .map(|item| tagged(item, &tagger).len())
                    .sum(),
            }
        })
        .collect();

    Evaluation {
        items: annotated.len(),
        overall,
        by_type,
        rules,
        missed: missed(&annotated, registry, &oracle, &shipped),
        false_positives: false_positives(&annotated, registry, &shipped),
        gaps: gaps(&annotated, items, registry, &oracle),
    }
}

/// The rule sets compared, each adding one rule to the one before.
fn rule_rows() -> Vec<(&'static str, TaggerBuilder)> {
    let base = TaggerBuilder::new();
    vec![
        (
            "substring match, any case",
            base.clone()
                .word_boundaries(false)
                .short_labels_exact_case(false)
                .longest_match(false),
        ),
        (
            "+ word boundaries",
            base.clone()
                .short_labels_exact_case(false)
                .longest_match(false),
        ),
        (
            "+ exact case for 2-3 character labels (the originating site)",
            base.clone().longest_match(false),
        ),
        ("+ longest label wins", base),
        (
            "+ ordinary-word labels in exact case, not sentence-initial (dossier)",
            TaggerBuilder::shipped(),
        ),
    ]
}

/// Canonical explicit keys of an item.
fn explicit(item: &Item, registry: &Registry) -> BTreeSet<String> {
    item.explicit_entities
        .iter()
        .map(|key| registry.canonical(key).to_string())
        .collect()
}

fn tagged(item: &Item, tagger: &Tagger) -> BTreeSet<String> {
    tagger
        .tag(&item.text())
        .into_iter()
        .map(|mention| mention.key)
        .collect()
}

fn score(
    items: &[&Item],
    registry: &Registry,
    oracle: &Tagger,
    tagger: &Tagger,
    by_type: Option<&mut BTreeMap<String, Score>>,
) -> Score {
    let mut total = Tally::default();
    let mut per_type: BTreeMap<String, Tally> = BTreeMap::new();
    for item in items {
        let listed = explicit(item, registry);
        let occurring = tagged(item, oracle);
        let found = tagged(item, tagger);
        for key in listed.intersection(&occurring) {
            let hit = found.contains(key);
            total.pair(hit);
            per_type
                .entry(entity_type(key).to_string())
                .or_default()
                .pair(hit);
        }
        for key in found.difference(&listed) {
            total.extra += 1;
            per_type
                .entry(entity_type(key).to_string())
                .or_default()
                .extra += 1;
        }
    }
    if let Some(by_type) = by_type {
        by_type.extend(
            per_type
                .into_iter()
                .map(|(kind, tally)| (kind, tally.score())),
        );
    }
    total.score()
}

#[derive(Default)]
struct Tally {
    findable: usize,
    found: usize,
    extra: usize,
}

impl Tally {
    fn pair(&mut self, found: bool) {
        self.findable += 1;
        self.found += usize::from(found);
    }

    fn score(&self) -> Score {
        let recall = if self.findable == 0 {
            1.0
        } else {
            self.found as f64 / self.findable as f64
        };
        Score {
            findable: self.findable,
            found: self.found,
            recall: (recall * 10_000.0).round() / 10_000.0,
            candidate_false_positives: self.extra,
        }
    }
}

fn missed(items: &[&Item], registry: &Registry, oracle: &Tagger, tagger: &Tagger) -> Vec<Missed> {
    let mut out = Vec::new();
    for item in items {
        let listed = explicit(item, registry);
        let text = item.text();
        let found = tagged(item, tagger);
        let mut seen = BTreeSet::new();
        for mention in oracle.tag(&text) {
            if listed.contains(&mention.key)
                && !found.contains(&mention.key)
                && seen.insert(mention.key.clone())
            {
                out.push(Missed {
                    item: item.id.clone(),
                    context: context(&text, mention.start, mention.end),
                    key: mention.key,
                });
            }
        }
    }
    out
}

fn false_positives(
    items: &[&Item],
    registry: &Registry,
    tagger: &Tagger,
) -> Vec<CandidateFalsePositive> {
    let mut out = Vec::new();
    for item in items {
        let listed = explicit(item, registry);
        let text = item.text();
        let mut seen = BTreeSet::new();
        for mention in tagger.tag(&text) {
            if listed.contains(&mention.key) || !seen.insert(mention.key.clone()) {
                continue;
            }
            out.push(CandidateFalsePositive {
                item: item.id.clone(),
                context: context(&text, mention.start, mention.end),
                key: mention.key,
                label: mention.label,
            });
        }
    }
    out
}

/// About `CONTEXT_CHARS` characters on each side of a span, on one line.
pub fn context(text: &str, start: usize, end: usize) -> String {
    let before: String = text[..start]
        .chars()
        .rev()
        .take(CONTEXT_CHARS)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text[end..].chars().take(CONTEXT_CHARS).collect();
    format!("…{before}[{}]{after}…", &text[start..end]).replace('\n', " ")
}

fn gaps(annotated: &[&Item], all: &[Item], registry: &Registry, oracle: &Tagger) -> Vec<Gap> {
    let mut carriers: BTreeMap<String, Vec<&Item>> = BTreeMap::new();
    let mut findable: BTreeSet<String> = BTreeSet::new();
    for item in annotated {
        let occurring = tagged(item, oracle);
        for key in explicit(item, registry) {
            if occurring.contains(&key) {
                findable.insert(key.clone());
            }
            carriers.entry(key).or_default().push(item);
        }
    }
    let corpus: Vec<&Item> = all
        .iter()
        .filter(|item| item.level == Level::Item)
        .collect();
    let miner = AliasMiner::new(&corpus, registry);
    carriers
        .into_iter()
        .filter(|(key, _)| !findable.contains(key))
        .map(|(key, items)| {
            let reason = if entity_type(&key) == "cve" || registry.get(&key).is_some() {
                "no label occurs"
            } else {
                "unregistered"
            };
            let suggestions = miner.suggest(&key, &items);
            Gap {
                reason,
                items: items.iter().map(|item| item.id.clone()).collect(),
                suggestions,
                key,
            }
        })
        .collect()
}

/// Mines alias candidates from a corpus: holds every item's text once, so that
/// many entities can be served without re-rendering the corpus.
pub struct AliasMiner<'a> {
    texts: Vec<(&'a str, String)>,
    known: BTreeSet<String>,
    registry: &'a Registry,
}

impl<'a> AliasMiner<'a> {
    /// Prepares the corpus texts and the registry's labels (which are never
    /// suggested again).
    pub fn new(corpus: &[&'a Item], registry: &'a Registry) -> AliasMiner<'a> {
        let texts = corpus
            .iter()
            .map(|item| (item.id.as_str(), item.text()))
            .collect();
        let known = registry
            .live()
            .flat_map(|entity| entity.labels().map(str::to_lowercase).collect::<Vec<_>>())
            .collect();
        AliasMiner {
            texts,
            known,
            registry,
        }
    }

    /// Ranks alias candidates for the entity `key` from the items that carry it:
    /// acronyms, capitalised phrases and quoted names. A candidate scores by how
    /// often the carriers write it, divided by how many other items write it, and
    /// doubles for each of its words found in the entity's key or name, so "ANTS"
    /// and "France Titres" rise for `incident:france-ants-breach-2026` while "Help
    /// Net Security" sinks.
    pub fn suggest(&self, key: &str, carriers: &[&Item]) -> Vec<AliasSuggestion> {
        let identity = identity_words(key, self.registry);
        let carrier_ids: BTreeSet<&str> = carriers.iter().map(|item| item.id.as_str()).collect();
        let mut found: BTreeSet<String> = BTreeSet::new();
        for item in carriers {
            found.extend(
                candidates(&item.text())
                    .into_iter()
                    .filter(|c| !self.known.contains(&c.to_lowercase())),
            );
        }
        let found: Vec<String> = found.into_iter().collect();
        let counts = self.count(&found, &carrier_ids);
        let redundant = redundant(&found, &counts);

        let mut suggestions: Vec<AliasSuggestion> = found
            .into_iter()
            .zip(counts)
            .zip(redundant)
            .filter(|((_, count), redundant)| !count.evidence.is_empty() && !redundant)
            .map(|(pair, _)| pair)
            .map(|(alias, count)| {
                let shared = alias
                    .split_whitespace()
                    .filter(|word| identity.contains(&word.to_lowercase()))
                    .count();
                let score = count.occurrences as f64 * 2f64.powi(shared as i32)
                    / (count.outside as f64 + 1.0);
                AliasSuggestion {
                    score: (score * 1000.0).round() / 1000.0,
                    inside: count.evidence.len(),
                    outside: count.outside,
                    evidence: count.evidence.into_iter().take(3).collect(),
                    alias,
                }
            })
            .collect();
        suggestions.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.inside.cmp(&a.inside))
                .then(a.alias.cmp(&b.alias))
        });
        suggestions.truncate(SUGGESTIONS_PER_KEY);
        suggestions
    }

    /// One Aho-Corasick pass over the corpus counts every candidate at once:
    /// occurrences and items inside the carriers, items outside.
    fn count(&self, candidates: &[String], carriers: &BTreeSet<&str>) -> Vec<Count> {
        let mut counts: Vec<Count> = candidates.iter().map(|_| Count::default()).collect();
        let Ok(automaton) = aho_corasick::AhoCorasick::new(candidates) else {
            return counts;
        };
        for (id, text) in &self.texts {
            let inside = carriers.contains(id);
            let mut seen = BTreeSet::new();
            for found in automaton.find_overlapping_iter(text.as_str()) {
                if !bounded(text, found.start(), found.len()) {
                    continue;
                }
                let at = found.pattern().as_usize();
                if inside {
                    counts[at].occurrences += 1;
                }
                if seen.insert(at) {
                    match inside {
                        true => counts[at].evidence.push(id.to_string()),
                        false => counts[at].outside += 1,
                    }
                }
            }
        }
        counts
    }
}

/// A phrase that only extends a shorter candidate ("ANTS Government" after
/// "ANTS") and is written no more often adds nothing: it is left out.
fn redundant(candidates: &[String], counts: &[Count]) -> Vec<bool> {
    let occurrences: BTreeMap<&str, usize> = candidates
        .iter()
        .map(String::as_str)
        .zip(counts.iter().map(|count| count.occurrences))
        .collect();
    candidates
        .iter()
        .zip(counts)
        .map(|(candidate, count)| {
            let words: Vec<&str> = candidate.split_whitespace().collect();
            (1..words.len()).any(|cut| {
                [words[..cut].join(" "), words[cut..].join(" ")]
                    .iter()
                    .any(|part| {
                        occurrences
                            .get(part.as_str())
                            .is_some_and(|&n| n >= count.occurrences)
                    })
            })
        })
        .collect()
}

#[derive(Default)]
struct Count {
    occurrences: usize,
    outside: usize,
    evidence: Vec<String>,
}

/// [`AliasMiner::suggest`] for a single entity.
pub fn suggest_aliases(
    key: &str,
    carriers: &[&Item],
    corpus: &[&Item],
    registry: &Registry,
) -> Vec<AliasSuggestion> {
    AliasMiner::new(corpus, registry).suggest(key, carriers)
}

/// Lower-case words of an entity's key slug and registry name.
fn identity_words(key: &str, registry: &Registry) -> BTreeSet<String> {
    let slug = key.split_once(':').map_or(key, |(_, slug)| slug);
    let name = registry
        .get(key)
        .map(|entity| entity.name.as_str())
        .unwrap_or("");
    slug.split('-')
        .chain(name.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.len() >= 2 && !word.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .collect()
}

/// Words that start sentences and headings without naming anything.
const FUNCTION_WORDS: &[&str] = &[
    "A", "An", "And", "As", "At", "But", "By", "For", "From", "If", "In", "It", "Its", "No", "Not",
    "Of", "On", "Or", "The", "This", "That", "These", "To", "With", "What", "Why", "When", "Where",
    "Which", "While", "Who", "Per", "See", "Source", "Update", "UPDATE", "CVE", "CVSS",
];

/// Acronyms, capitalised phrases of up to four words, and quoted names.
fn candidates(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || ",;()[]".contains(c))
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    // "3R" in "Groupe 3R" counts as capitalised: a digit then a capital.
    let capitalised = |word: &str| {
        let mut chars = word.chars().skip_while(char::is_ascii_digit);
        chars.next().is_some_and(char::is_uppercase) && !FUNCTION_WORDS.contains(&word)
    };
    for (at, word) in words.iter().enumerate() {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if (2..=8).contains(&word.len())
            && letters >= 2
            && word
                .chars()
                .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-')
            && !FUNCTION_WORDS.contains(word)
        {
            found.insert(word.to_string());
        }
        if !capitalised(word) {
            continue;
        }
        let run: Vec<&str> = words[at..]
            .iter()
            .take(4)
            .take_while(|word| capitalised(word))
            .copied()
            .collect();
        for length in 2..=run.len() {
            found.insert(run[..length].join(" "));
        }
    }
    for quoted in text.split(['"', '\u{201C}', '\u{201D}']).skip(1).step_by(2) {
        let words = quoted.split_whitespace().count();
        if (1..=5).contains(&words) && quoted.chars().next().is_some_and(char::is_uppercase) {
            found.insert(quoted.trim().to_string());
        }
    }
    found
}

/// `true` when `text[at..at + len]` stands on word boundaries.
fn bounded(text: &str, at: usize, len: usize) -> bool {
    let before = text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    let after = text[at + len..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric());
    before && after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_acronyms_phrases_and_quotes() {
        let found = candidates("France Titres (officially Agence Nationale des Titres — ANTS) named \"Copy Fail\". The breach");
        assert!(found.contains("ANTS"));
        assert!(found.contains("France Titres"));
        assert!(found.contains("Agence Nationale"));
        assert!(found.contains("Copy Fail"));
        assert!(!found.contains("The"));
    }

    #[test]
    fn context_marks_the_match() {
        assert_eq!(context("one two three", 4, 7), "…one [two] three…");
    }

    #[test]
    fn words_match_on_boundaries_only() {
        assert!(bounded("the ANTS breach", 4, 4));
        assert!(!bounded("the PLANTS grew", 6, 4));
    }
}
