//! How entities relate: the registry's curated relations, co-occurrence counted in the
//! index, and suggestions scored from that co-occurrence.
//!
//! Two entities co-occur when one item links both. Items of weekly summaries take no
//! part: a weekly summary restates a week of stories, so it links many entities that
//! have nothing to do with each other, and counting it would make everything look
//! related to everything else of the same week. Roll-up tables of a daily brief
//! (`#### CVE Summary Table`) take no part for the same reason.
//!
//! Every count here is a Tantivy query over the index (facet counts over a set of
//! items, doc-set intersections), so it follows each ingest without a second store.
//! The corpus-wide counts ([`Stats`]) take a pass over every item, so they are kept
//! for as long as the index is unchanged: until a commit opens new segments.
//!
//! A suggestion is a pair that co-occurs more often than chance predicts. The score
//! is Dunning's log-likelihood ratio G² over the 2×2 table of items (with A, without
//! A) × (with B, without B). It was chosen over lift or PMI because those reward any
//! coincidence of two rare entities with a huge score, while G² grows with the
//! evidence; and because an entity linked to a large share of all items has a high
//! expected overlap with everything, it scores low against any one entity. Pairs
//! below a minimum number of shared items are not scored at all, and pairs already
//! linked by a curated relation are shown as relationships, not suggested.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::index::facet_counts::FacetCounts;
use crate::index::kept::Kept;
use crate::index::newest::Newest;
use crate::index::schema::{doc_type, facet, Fields};
use crate::index::{generation, DossierIndex, IndexError};
use crate::item::ItemKind;
use crate::query;
use crate::registry::Registry;
use crate::tagger::{display_name, entity_type};

mod margins;

pub use margins::counted as margins_counted;

/// Fewest shared items for a pair to be scored, unless told otherwise.
pub const DEFAULT_MIN_SHARED: u64 = 2;
/// Most suggestions returned, unless told otherwise.
pub const DEFAULT_SUGGESTION_LIMIT: usize = 20;
/// Evidence items listed per suggestion, newest first; `shared` counts them all.
pub const EVIDENCE_LISTED: usize = 10;

/// A curated relation seen from one entity's side.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Relationship {
    /// The entity at the other end (canonical key).
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The registry's relation type (`uses`, `attributed-to`, …).
    pub relation: String,
    /// `forward` when this entity declares the relation, `inverse` when the other
    /// one does.
    pub direction: Direction,
    /// How the relation reads from this entity's side: "uses", "used by", ….
    pub reading: String,
    /// Id of the item that evidences the relation.
    pub evidence: Option<String>,
    /// Editor's note.
    pub note: Option<String>,
}

/// Which side of a relation an entity is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The entity declares the relation.
    Forward,
    /// Another entity declares it towards this one.
    Inverse,
}

/// The forward and inverse readings of a relation type. Symmetric types read the
/// same from both sides; unknown types keep their name and say "(inverse)".
pub fn reading(relation: &str, direction: Direction) -> String {
    let (forward, inverse) = match relation {
        "uses" => ("uses", "used by"),
        "attributed-to" => ("attributed to", "responsible for"),
        "exploits" => ("exploits", "exploited by"),
        "part-of" => ("part of", "includes"),
        "variant-of" => ("variant of", "has variant"),
        "successor-of" => ("successor of", "predecessor of"),
        "documented-in" => ("documented in", "documents"),
        "collaborates-with" => ("collaborates with", "collaborates with"),
        "overlaps-with" => ("overlaps with", "overlaps with"),
        "related-to" => ("related to", "related to"),
        other => {
            let words = other.replace('-', " ");
            return match direction {
                Direction::Forward => words,
                Direction::Inverse => format!("{words} (inverse)"),
            };
        }
    };
    match direction {
        Direction::Forward => forward.to_string(),
        Direction::Inverse => inverse.to_string(),
    }
}

/// Every curated relation that touches `key`, from both sides, with tombstones on
/// either end forwarded to their canonical entity. Sorted by reading, then name.
pub fn relationships(registry: &Registry, key: &str) -> Vec<Relationship> {
    let mut found: Vec<Relationship> = Vec::new();
    for entity in registry.all() {
        let source = registry.canonical(&entity.key);
        for relation in &entity.relations {
            let target = registry.canonical(&relation.to);
            let (other, direction) = if source == key && target != key {
                (target, Direction::Forward)
            } else if target == key && source != key {
                (source, Direction::Inverse)
            } else {
                continue;
            };
            let relationship = Relationship {
                key: other.to_string(),
                name: display_name(other, registry),
                kind: entity_type(other).to_string(),
                relation: relation.kind.clone(),
                direction,
                reading: reading(&relation.kind, direction),
                evidence: relation.source.clone(),
                note: relation.note.clone(),
            };
            if !found.contains(&relationship) {
                found.push(relationship);
            }
        }
    }
    found.sort_by(|a, b| {
        (a.reading.as_str(), a.name.as_str()).cmp(&(b.reading.as_str(), b.name.as_str()))
    });
    found
}

/// The items that count for co-occurrence: real items, neither of weekly
/// summaries nor roll-up tables.
pub fn cooccurrence_scope(fields: &Fields) -> Box<dyn Query> {
    let weekly = TermQuery::new(
        Term::from_field_text(fields.kind, ItemKind::Weekly.as_str()),
        IndexRecordOption::Basic,
    );
    let rollup = TermQuery::new(
        Term::from_field_text(fields.doc_type, doc_type::ROLLUP),
        IndexRecordOption::Basic,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query::items_only(fields)),
        (Occur::MustNot, Box::new(weekly)),
        (Occur::MustNot, Box::new(rollup)),
    ]))
}

/// The items of `scope` that link every one of `keys`.
fn linking_all(fields: &Fields, scope: Box<dyn Query>, keys: &[&str]) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, scope)];
    for key in keys {
        parts.push((
            Occur::Must,
            query::facet_any(fields.entity, facet::ENTITY, &[key.to_string()]),
        ));
    }
    Box::new(BooleanQuery::new(parts))
}

/// Entity counts over `query`: one facet pass.
fn entity_counts(
    index: &DossierIndex,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<(usize, BTreeMap<String, u64>), IndexError> {
    let facets =
        FacetCounts::new(searcher, &[facet::ENTITY]).map_err(|error| index.error(error))?;
    let (total, counts) = searcher
        .search(query, &(Count, facets))
        .map_err(|error| index.error(error))?;
    Ok((total, counts.into_maps().pop().unwrap_or_default()))
}

/// Per-entity item counts over every item that counts for co-occurrence: the
/// margins of every pair's contingency table.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    items: u64,
    counts: HashMap<String, u64>,
}

/// The last added-up [`Stats`] (see [`crate::index::kept`]), of the two
/// generations used last: the one served and the one a server reads ahead. Segment
/// ids are unique across indexes, so this serves any index; a process serving one
/// index adds up once per commit, counting only the segments the commit changed.
/// The counts do not depend on the registry.
static LAST_STATS: Kept<(), Arc<Stats>> = Kept::across(1, 2);

impl Stats {
    /// Counts from the index, over the co-occurrence scope: counted for the
    /// segments not counted before, added up over all.
    pub fn load(index: &DossierIndex, searcher: &Searcher) -> Result<Stats, IndexError> {
        Stats::counted(searcher, index.fields()).map_err(|error| index.error(error))
    }

    fn counted(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Stats> {
        let scope = cooccurrence_scope(fields);
        let (items, counts) = margins::count(searcher, scope.as_ref())?;
        Ok(Stats { items, counts })
    }

    /// Counts `searcher`'s generation ahead of its first entity page (see
    /// [`crate::warming`]).
    pub fn prepare(searcher: &Searcher) -> tantivy::Result<()> {
        let generation = generation(searcher);
        if LAST_STATS.get(&generation, 0, &()).is_none() {
            let stats = Stats::counted(searcher, &Fields::new(searcher.schema()))?;
            LAST_STATS.put(generation, 0, (), Arc::new(stats));
        }
        Ok(())
    }

    /// The counts of `searcher`'s generation: counted by the first caller, shared
    /// by the others until a commit.
    pub fn cached(index: &DossierIndex, searcher: &Searcher) -> Result<Arc<Stats>, IndexError> {
        let generation = generation(searcher);
        if let Some(stats) = LAST_STATS.get(&generation, 0, &()) {
            return Ok(stats);
        }
        let stats = Arc::new(Stats::load(index, searcher)?);
        LAST_STATS.put(generation, 0, (), Arc::clone(&stats));
        Ok(stats)
    }

    /// Stats from known counts, for tests and callers that count elsewhere.
    pub fn from_counts(items: u64, counts: HashMap<String, u64>) -> Stats {
        Stats { items, counts }
    }

    /// Items in the co-occurrence scope.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Items of the scope that link `key`.
    pub fn count(&self, key: &str) -> u64 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    /// The association score of two entities sharing `shared` items: G², or 0 when
    /// they co-occur no more often than chance predicts.
    pub fn score(&self, a: &str, b: &str, shared: u64) -> f64 {
        association(shared, self.count(a), self.count(b), self.items)
    }
}

/// Dunning's G² for `shared` items linking both of two entities that link `count_a`
/// and `count_b` of `total` items; 0 unless the pair is positively associated.
/// Inconsistent counts (shared above a margin) also score 0 rather than panic.
pub fn association(shared: u64, count_a: u64, count_b: u64, total: u64) -> f64 {
    if shared == 0 || shared > count_a.min(count_b) || count_a + count_b > total + shared {
        return 0.0;
    }
    let (k11, k12, k21) = (
        shared as f64,
        (count_a - shared) as f64,
        (count_b - shared) as f64,
    );
    let k22 = (total + shared - count_a - count_b) as f64;
    let n = total as f64;
    if k11 * n <= count_a as f64 * count_b as f64 {
        return 0.0;
    }
    let x_log_x = |x: f64| if x > 0.0 { x * x.ln() } else { 0.0 };
    let cells = x_log_x(k11) + x_log_x(k12) + x_log_x(k21) + x_log_x(k22);
    let rows = x_log_x(k11 + k12) + x_log_x(k21 + k22);
    let columns = x_log_x(k11 + k21) + x_log_x(k12 + k22);
    (2.0 * (cells - rows - columns + x_log_x(n))).max(0.0)
}

/// An entity sharing items with another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Cooccurrence {
    /// The other entity's key.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Items (outside weekly summaries) that link both.
    pub shared: u64,
}

/// Entities sharing items with `key`, most shared first, ties by name.
pub fn cooccurring(
    index: &DossierIndex,
    searcher: &Searcher,
    registry: &Registry,
    key: &str,
) -> Result<Vec<Cooccurrence>, IndexError> {
    let fields = index.fields();
    let query = linking_all(fields, cooccurrence_scope(fields), &[key]);
    let (_, counts) = entity_counts(index, searcher, query.as_ref())?;
    Ok(rank_cooccurring(registry, key, counts))
}

/// Co-occurrence counts with `key` (its own count among them) as a list, most
/// shared first, ties by name.
pub fn rank_cooccurring(
    registry: &Registry,
    key: &str,
    counts: BTreeMap<String, u64>,
) -> Vec<Cooccurrence> {
    let mut found: Vec<Cooccurrence> = counts
        .into_iter()
        .filter(|(other, _)| other != key)
        .map(|(other, shared)| Cooccurrence {
            name: display_name(&other, registry),
            kind: entity_type(&other).to_string(),
            key: other,
            shared,
        })
        .collect();
    // A busy entity has hundreds of neighbours: each name is lower-cased once.
    found.sort_by_cached_key(|found| {
        (
            std::cmp::Reverse(found.shared),
            found.name.to_lowercase(),
            found.key.clone(),
        )
    });
    found
}

/// The items (outside weekly summaries) that link both entities: how many, and the
/// ids of the newest [`EVIDENCE_LISTED`], newest first.
pub fn shared_items(
    index: &DossierIndex,
    searcher: &Searcher,
    a: &str,
    b: &str,
) -> Result<(u64, Vec<String>), IndexError> {
    let fields = index.fields();
    let query = linking_all(fields, cooccurrence_scope(fields), &[a, b]);
    let (count, newest) = searcher
        .search(query.as_ref(), &Newest::new(EVIDENCE_LISTED))
        .map_err(|error| index.error(error))?;
    Ok((count, newest.into_iter().map(|dated| dated.id).collect()))
}

/// An entity worth linking, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Suggestion {
    /// The suggested entity's key.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// G² of the best-supported pair (0 for a curated neighbour that never
    /// co-occurs).
    pub score: f64,
    /// Items shared with the entity it is suggested for (the best pair's count).
    pub shared: u64,
    /// Ids of those shared items: the evidence.
    pub items: Vec<String>,
    /// The entities it is suggested for (for a page: that entity; for a text: the
    /// mentioned ones that support it).
    pub via: Vec<String>,
    /// Set when a curated relation links it to one of `via`: it is listed first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curated: Option<CuratedLink>,
}

/// The curated relation behind a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CuratedLink {
    /// The relation's reading from the mentioned entity's side ("uses", …).
    pub reading: String,
    /// The registry's relation type.
    pub relation: String,
    /// The evidence item id of the relation.
    pub evidence: Option<String>,
}

/// Scores and ranks suggestions.
#[derive(Debug, Clone)]
pub struct Suggester {
    min_shared: u64,
    limit: usize,
}

impl Default for Suggester {
    fn default() -> Self {
        Suggester {
            min_shared: DEFAULT_MIN_SHARED,
            limit: DEFAULT_SUGGESTION_LIMIT,
        }
    }
}

impl Suggester {
    /// A suggester with the defaults of each setter.
    pub fn new() -> Suggester {
        Suggester::default()
    }

    /// Fewest shared items for a pair to be scored. Default:
    /// [`DEFAULT_MIN_SHARED`]; values below 1 count as 1.
    pub fn min_shared(mut self, min_shared: u64) -> Suggester {
        self.min_shared = min_shared.max(1);
        self
    }

    /// Most suggestions returned. Default: [`DEFAULT_SUGGESTION_LIMIT`].
    pub fn limit(mut self, limit: usize) -> Suggester {
        self.limit = limit;
        self
    }

    /// Entities that co-occur with `key` more than chance predicts and that no
    /// curated relation links to it yet, best first, without their evidence items.
    /// `cooccurring` is the output of [`cooccurring`] for `key`, passed in because an
    /// entity page has it already.
    pub fn score_entity(
        &self,
        registry: &Registry,
        stats: &Stats,
        key: &str,
        cooccurring: &[Cooccurrence],
    ) -> Vec<Suggestion> {
        let linked: BTreeSet<String> = relationships(registry, key)
            .into_iter()
            .map(|relationship| relationship.key)
            .collect();
        let mut found = Vec::new();
        for other in cooccurring {
            if other.shared < self.min_shared || linked.contains(&other.key) {
                continue;
            }
            let score = stats.score(key, &other.key, other.shared);
            if score <= 0.0 {
                continue;
            }
            found.push(Suggestion {
                key: other.key.clone(),
                name: other.name.clone(),
                kind: other.kind.clone(),
                score,
                shared: other.shared,
                items: Vec::new(),
                via: vec![key.to_string()],
                curated: None,
            });
        }
        rank(&mut found);
        found.truncate(self.limit);
        found
    }

    /// [`Suggester::score_entity`] with the evidence of each suggestion: one
    /// doc-set intersection each.
    pub fn for_entity(
        &self,
        index: &DossierIndex,
        searcher: &Searcher,
        registry: &Registry,
        stats: &Stats,
        key: &str,
        cooccurring: &[Cooccurrence],
    ) -> Result<Vec<Suggestion>, IndexError> {
        let mut found = self.score_entity(registry, stats, key, cooccurring);
        for suggestion in &mut found {
            suggestion.items = shared_items(index, searcher, key, &suggestion.key)?.1;
        }
        Ok(found)
    }

    /// Entities a text probably should mention, given the entities it does
    /// mention: first those a curated relation links to a mentioned entity (marked
    /// `curated`), then the best of each mentioned entity's own suggestions, with
    /// the same score as on its page. Mentioned entities are never suggested.
    pub fn for_text(
        &self,
        index: &DossierIndex,
        registry: &Registry,
        mentioned: &[String],
    ) -> Result<Vec<Suggestion>, IndexError> {
        let searcher = index.searcher();
        let stats = Stats::cached(index, &searcher)?;
        let mentioned: BTreeSet<&str> = mentioned.iter().map(String::as_str).collect();
        let mut curated: BTreeMap<String, Suggestion> = BTreeMap::new();
        let mut scored: BTreeMap<String, Suggestion> = BTreeMap::new();

        for &key in &mentioned {
            for relationship in relationships(registry, key) {
                if mentioned.contains(relationship.key.as_str()) {
                    continue;
                }
                let (shared, items) = shared_items(index, &searcher, key, &relationship.key)?;
                let suggestion = Suggestion {
                    score: stats.score(key, &relationship.key, shared),
                    shared,
                    items,
                    via: vec![key.to_string()],
                    curated: Some(CuratedLink {
                        reading: reading(&relationship.relation, relationship.direction),
                        relation: relationship.relation,
                        evidence: relationship.evidence,
                    }),
                    key: relationship.key,
                    name: relationship.name,
                    kind: relationship.kind,
                };
                absorb(&mut curated, suggestion);
            }
            let together = cooccurring(index, &searcher, registry, key)?;
            let unlimited = Suggester {
                limit: usize::MAX,
                ..self.clone()
            };
            for suggestion in
                unlimited.for_entity(index, &searcher, registry, &stats, key, &together)?
            {
                if !mentioned.contains(suggestion.key.as_str()) {
                    absorb(&mut scored, suggestion);
                }
            }
        }

        let mut first: Vec<Suggestion> = curated.into_values().collect();
        rank(&mut first);
        let mut rest: Vec<Suggestion> = scored
            .into_values()
            .filter(|suggestion| !first.iter().any(|c| c.key == suggestion.key))
            .collect();
        rank(&mut rest);
        first.extend(rest);
        first.truncate(self.limit);
        Ok(first)
    }
}

/// Keeps one suggestion per key: the best score and count, every supporting entity
/// and every evidence item.
fn absorb(into: &mut BTreeMap<String, Suggestion>, suggestion: Suggestion) {
    match into.get_mut(&suggestion.key) {
        None => {
            into.insert(suggestion.key.clone(), suggestion);
        }
        Some(kept) => {
            if suggestion.score > kept.score {
                kept.score = suggestion.score;
                kept.shared = suggestion.shared;
            }
            for via in suggestion.via {
                if !kept.via.contains(&via) {
                    kept.via.push(via);
                }
            }
            let mut items: BTreeSet<String> = kept.items.drain(..).collect();
            items.extend(suggestion.items);
            kept.items = items.into_iter().rev().collect();
            if kept.curated.is_none() {
                kept.curated = suggestion.curated;
            }
        }
    }
}

/// Best score first, then most shared, then name.
fn rank(suggestions: &mut [Suggestion]) {
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.shared.cmp(&a.shared))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.key.cmp(&b.key))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn association_is_dunnings_g2() {
        // Both entities on the same 4 of 142 items; computed independently as
        // 2·Σ k·ln(k/E) over the four cells with their expected counts E: 36.4425.
        let score = association(4, 4, 4, 142);
        assert!((score - 36.4425).abs() < 1e-3, "{score}");
        // A symmetric statistic.
        assert_eq!(association(2, 3, 9, 142), association(2, 9, 3, 142));
    }

    #[test]
    fn ubiquitous_entities_score_low() {
        // One shared item with an entity on half the items is what chance predicts.
        assert_eq!(association(1, 2, 71, 142), 0.0);
        // The same overlap with a rare entity is real evidence.
        assert!(association(2, 2, 3, 142) > association(2, 2, 100, 142));
    }

    #[test]
    fn impossible_counts_score_zero() {
        assert_eq!(association(0, 3, 3, 142), 0.0);
        assert_eq!(association(5, 3, 3, 142), 0.0);
        assert_eq!(association(1, 100, 100, 142), 0.0);
    }

    #[test]
    fn readings_cover_both_sides() {
        assert_eq!(reading("uses", Direction::Forward), "uses");
        assert_eq!(reading("uses", Direction::Inverse), "used by");
        assert_eq!(
            reading("attributed-to", Direction::Inverse),
            "responsible for"
        );
        assert_eq!(
            reading("overlaps-with", Direction::Inverse),
            "overlaps with"
        );
        assert_eq!(reading("mentors", Direction::Inverse), "mentors (inverse)");
    }

    #[test]
    fn relationships_are_seen_from_both_sides_through_tombstones() {
        let yaml = r#"entities:
  - key: "actor:a"
    type: actor
    name: "Alpha"
    relations:
      - to: "tool:old"
        type: uses
        source: "2026-05-06/x"
  - key: "tool:t"
    type: tool
    name: "Tee"
  - key: "tool:old"
    type: tool
    name: "Old Tee"
    merged_into: "tool:t"
"#;
        let registry = Registry::parse("r.yaml", yaml).unwrap();
        let from_actor = relationships(&registry, "actor:a");
        assert_eq!(from_actor.len(), 1);
        assert_eq!(
            (from_actor[0].key.as_str(), from_actor[0].reading.as_str()),
            ("tool:t", "uses")
        );
        let from_tool = relationships(&registry, "tool:t");
        assert_eq!(
            (
                from_tool[0].key.as_str(),
                from_tool[0].reading.as_str(),
                from_tool[0].evidence.as_deref()
            ),
            ("actor:a", "used by", Some("2026-05-06/x"))
        );
    }
}
