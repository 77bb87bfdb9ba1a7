//! The entity page: everything the index knows about one entity, for the CLI's
//! `dossier entity`, `GET /api/entities/{key}` and the HTML page alike.
//!
//! The items of an entity are the items (not brief-level text) whose `entity` facet
//! holds its key: an explicit key, a tagged mention or a CVE id of the footer. Every
//! figure is computed from those documents when the page is asked for: facet counts
//! for the sections and the co-occurring entities, doc-set intersections for the
//! evidence of suggestions, and the stored items for dates, sources and the
//! timeline. Nothing is cached between requests, so a page is right as soon as an
//! ingest commits.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tantivy::collector::{DocSetCollector, FacetCollector};
use tantivy::query::{BooleanQuery, Occur, Query};

use crate::index::reader::item_at;
use crate::index::schema::facet;
use crate::index::{DossierIndex, IndexError};
use crate::item::{Item, Level};
use crate::query;
use crate::registry::Registry;
use crate::related::{self, Cooccurrence, Relationship, Stats, Suggester, Suggestion};
use crate::search::{canonical_key, escape_html, facet_leaf};
use crate::tagger::{display_name, entity_type};

/// Hosts listed by name in the source distribution; the rest are folded into one
/// "other" row.
pub const TOP_HOSTS: usize = 8;
/// The row that folds the hosts past [`TOP_HOSTS`].
pub const OTHER_HOSTS: &str = "other";
/// Characters of context each side of a mention in an item's snippet.
const SNIPPET_CONTEXT_CHARS: usize = 90;

/// An entity page that cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum EntityError {
    /// Neither the registry nor any item knows the key.
    #[error(
        "no entity `{key}`: it is not in the registry and no item links it; \
         browse keys with GET /api/entities?prefix=…"
    )]
    NotFound {
        /// The key as asked for.
        key: String,
    },
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// One entity's page.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EntityPage {
    /// Canonical key.
    pub key: String,
    /// Display name (the key for CVEs and unregistered keys).
    pub name: String,
    /// Entity type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Other labels.
    pub aliases: Vec<String>,
    /// The registry's summary.
    pub summary: Option<String>,
    /// Nexus.
    pub nexus: Option<String>,
    /// The registry's `first_seen`.
    pub first_seen: Option<String>,
    /// `true` when the registry defines the key.
    pub registered: bool,
    /// Set when the key asked for is a tombstone of this entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
    /// Dates and counts.
    pub coverage: Coverage,
    /// Every item, newest first, one line each.
    pub timeline: Vec<TimelineEntry>,
    /// Items per section, largest first.
    pub sections: Vec<SectionCount>,
    /// Cited sources.
    pub sources: Sources,
    /// Curated relations, from this entity's side.
    pub relationships: Vec<Relationship>,
    /// Entities sharing items (outside weekly summaries), most shared first.
    pub cooccurring: Vec<Cooccurrence>,
    /// Statistically related entities not yet linked by a curated relation.
    pub suggestions: Vec<Suggestion>,
    /// The items, newest first, with a snippet around the mention.
    pub items: Vec<ItemAbout>,
}

/// The notice shown when a tombstone key was asked for.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Merged {
    /// The tombstone key asked for.
    pub from: String,
    /// Its name.
    pub from_name: String,
    /// The canonical key it forwards to.
    pub into: String,
}

/// When and how much an entity was covered.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Coverage {
    /// Earliest item date, or the registry's `first_seen` when that is earlier.
    pub first: Option<String>,
    /// Latest item date.
    pub last: Option<String>,
    /// Number of items.
    pub items: usize,
    /// Number of distinct briefs (daily or weekly) carrying them.
    pub briefs: usize,
    /// Items per ISO week, every week from the first item's to the last item's.
    pub weeks: Vec<WeekCount>,
}

/// Items in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WeekCount {
    /// `2026-W19`.
    pub week: String,
    /// Items dated in it.
    pub count: usize,
}

/// One line of the story timeline.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TimelineEntry {
    /// Item id.
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Brief id, when published in a brief.
    pub brief: Option<String>,
    /// Brief title.
    pub brief_title: Option<String>,
    /// Section key.
    pub section: String,
    /// Item title.
    pub title: String,
    /// What was new: the item's summary.
    pub summary: String,
}

/// Items in one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SectionCount {
    /// Section key.
    pub section: String,
    /// Items.
    pub count: u64,
}

/// The sources cited by an entity's items.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Sources {
    /// Distinct cited URLs.
    pub urls: usize,
    /// Distinct hosts of those URLs.
    pub hosts: usize,
    /// Distinct URLs per host: the top [`TOP_HOSTS`], then one "other" row.
    pub distribution: Vec<HostShare>,
    /// Every distinct URL, most cited first.
    pub list: Vec<CitedSource>,
}

/// One host's share of the distinct URLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HostShare {
    /// Host, or `other`.
    pub host: String,
    /// Distinct URLs.
    pub count: usize,
    /// Rounded percentage of all distinct URLs.
    pub percent: u32,
}

/// One cited URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CitedSource {
    /// The URL.
    pub url: String,
    /// Its host.
    pub host: String,
    /// Its link text where first cited.
    pub label: String,
    /// Ids of the items citing it, newest first.
    pub items: Vec<String>,
}

/// An item about the entity.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ItemAbout {
    /// Item id.
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// daily / weekly / entry.
    pub kind: String,
    /// Brief id.
    pub brief: Option<String>,
    /// Section key.
    pub section: String,
    /// Title.
    pub title: String,
    /// How the item links the entity: `mention` (a label in its text), `explicit`
    /// (an entity key of the entry) or `cve` (a CVE field of its footer).
    pub linked_by: String,
    /// The label as written, for a mention.
    pub label: Option<String>,
    /// HTML: escaped text around the first mention with the label in `<b>`, or the
    /// escaped summary.
    pub snippet: String,
}

/// Builds the page of `key` (tombstones forward, CVE ids in any case).
pub fn entity_page(
    index: &DossierIndex,
    registry: &Registry,
    key: &str,
) -> Result<EntityPage, EntityError> {
    let asked = key.trim();
    if asked.is_empty() {
        return Err(EntityError::NotFound { key: String::new() });
    }
    let canonical = canonical_key(asked, Some(registry));
    let entity = registry.get(&canonical);
    let items = items_of(index, &canonical)?;
    if entity.is_none() && items.is_empty() {
        return Err(EntityError::NotFound {
            key: asked.to_string(),
        });
    }

    let merged = registry
        .get(asked)
        .filter(|tombstone| tombstone.merged_into.is_some())
        .map(|tombstone| Merged {
            from: tombstone.key.clone(),
            from_name: tombstone.name.clone(),
            into: canonical.clone(),
        });
    let cooccurring = related::cooccurring(index, registry, &canonical)?;
    let stats = Stats::load(index)?;
    let suggestions =
        Suggester::new().for_entity(index, registry, &stats, &canonical, &cooccurring)?;
    let first_seen = entity.and_then(|entity| entity.first_seen.clone());

    Ok(EntityPage {
        name: display_name(&canonical, registry),
        kind: entity.map_or_else(|| entity_type(&canonical).to_string(), |e| e.kind.clone()),
        aliases: entity.map(|e| e.aliases.clone()).unwrap_or_default(),
        summary: entity.and_then(|e| e.summary.clone()),
        nexus: entity.and_then(|e| e.nexus.clone()),
        registered: entity.is_some(),
        merged,
        coverage: coverage(&items, first_seen.as_deref()),
        timeline: items.iter().map(timeline_entry).collect(),
        sections: section_counts(index, &canonical)?,
        sources: sources(&items),
        relationships: related::relationships(registry, &canonical),
        cooccurring,
        suggestions,
        items: items
            .iter()
            .map(|item| item_about(item, &canonical))
            .collect(),
        first_seen,
        key: canonical,
    })
}

/// The query for the items linking `key`.
pub fn items_query(index: &DossierIndex, key: &str) -> Box<dyn Query> {
    let fields = index.fields();
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query::items_only(fields)),
        (
            Occur::Must,
            query::facet_any(fields.entity, facet::ENTITY, &[key.to_string()]),
        ),
    ]))
}

/// Every item linking `key` (a canonical key), newest first; ties by id.
pub fn items_of(index: &DossierIndex, key: &str) -> Result<Vec<Item>, IndexError> {
    let searcher = index.searcher();
    let query = items_query(index, key);
    let addresses = searcher
        .search(query.as_ref(), &DocSetCollector)
        .map_err(|error| index.error(error))?;
    let mut items = Vec::with_capacity(addresses.len());
    for address in addresses {
        let item = item_at(index, &searcher, address)?;
        if item.level == Level::Item {
            items.push(item);
        }
    }
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    Ok(items)
}

/// Items per section: a facet count over the entity's items.
fn section_counts(index: &DossierIndex, key: &str) -> Result<Vec<SectionCount>, IndexError> {
    let root = format!("/{}", facet::SECTION);
    let mut collector = FacetCollector::for_field(facet::SECTION);
    collector.add_facet(root.as_str());
    let counts = index
        .searcher()
        .search(items_query(index, key).as_ref(), &collector)
        .map_err(|error| index.error(error))?;
    let mut sections: Vec<SectionCount> = counts
        .get(root.as_str())
        .map(|(facet, count)| SectionCount {
            section: facet_leaf(facet),
            count,
        })
        .collect();
    sections.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.section.cmp(&b.section))
    });
    Ok(sections)
}

fn coverage(items: &[Item], first_seen: Option<&str>) -> Coverage {
    let dates: BTreeSet<&str> = items.iter().map(|item| item.date.as_str()).collect();
    let first_item = dates.first().copied();
    let first = match (first_item, first_seen) {
        (Some(item), Some(seen)) => Some(item.min(seen)),
        (item, seen) => item.or(seen),
    };
    let briefs: BTreeSet<&str> = items
        .iter()
        .filter_map(|item| item.brief.as_ref().map(|brief| brief.id.as_str()))
        .collect();
    Coverage {
        first: first.map(str::to_string),
        last: dates.last().map(|date| date.to_string()),
        items: items.len(),
        briefs: briefs.len(),
        weeks: weeks(items),
    }
}

/// Items per ISO week, with the empty weeks between the first and the last.
fn weeks(items: &[Item]) -> Vec<WeekCount> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let dates: Vec<time::Date> = items
        .iter()
        .filter_map(|item| time::Date::parse(&item.date, &format).ok())
        .collect();
    let (Some(&first), Some(&last)) = (dates.iter().min(), dates.iter().max()) else {
        return Vec::new();
    };
    let mut counts: BTreeMap<(i32, u8), usize> = BTreeMap::new();
    for date in &dates {
        let (year, week, _) = date.to_iso_week_date();
        *counts.entry((year, week)).or_default() += 1;
    }
    let mut weeks = Vec::new();
    let mut monday = first - time::Duration::days(first.weekday().number_days_from_monday().into());
    while monday <= last {
        let (year, week, _) = monday.to_iso_week_date();
        weeks.push(WeekCount {
            week: format!("{year}-W{week:02}"),
            count: counts.get(&(year, week)).copied().unwrap_or(0),
        });
        monday += time::Duration::weeks(1);
    }
    weeks
}

fn timeline_entry(item: &Item) -> TimelineEntry {
    TimelineEntry {
        id: item.id.clone(),
        date: item.date.clone(),
        brief: item.brief.as_ref().map(|brief| brief.id.clone()),
        brief_title: item.brief.as_ref().map(|brief| brief.title.clone()),
        section: item.section.clone(),
        title: item.title.clone(),
        summary: item.summary.clone(),
    }
}

/// Distinct URLs, their hosts, and the distinct-URL count per host.
fn sources(items: &[Item]) -> Sources {
    let mut by_url: BTreeMap<&str, CitedSource> = BTreeMap::new();
    for item in items {
        for source in &item.sources {
            let cited = by_url
                .entry(source.url.as_str())
                .or_insert_with(|| CitedSource {
                    url: source.url.clone(),
                    host: source.host.clone(),
                    label: source.label.clone(),
                    items: Vec::new(),
                });
            if !cited.items.contains(&item.id) {
                cited.items.push(item.id.clone());
            }
        }
    }
    let mut per_host: BTreeMap<&str, usize> = BTreeMap::new();
    for cited in by_url.values() {
        *per_host.entry(cited.host.as_str()).or_default() += 1;
    }
    let urls = by_url.len();
    let hosts = per_host.len();
    let distribution = host_shares(per_host, urls);

    let mut list: Vec<CitedSource> = by_url.into_values().collect();
    list.sort_by(|a, b| {
        b.items
            .len()
            .cmp(&a.items.len())
            .then_with(|| a.url.cmp(&b.url))
    });
    Sources {
        urls,
        hosts,
        distribution,
        list,
    }
}

/// Largest hosts first (ties by name), the top [`TOP_HOSTS`] by name, the rest as
/// one "other" row.
fn host_shares(per_host: BTreeMap<&str, usize>, total: usize) -> Vec<HostShare> {
    let percent = |count: usize| ((count as f64 * 100.0) / total.max(1) as f64).round() as u32;
    let mut ranked: Vec<(&str, usize)> = per_host.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut shares: Vec<HostShare> = ranked
        .iter()
        .take(TOP_HOSTS)
        .map(|&(host, count)| HostShare {
            host: host.to_string(),
            count,
            percent: percent(count),
        })
        .collect();
    let rest: usize = ranked.iter().skip(TOP_HOSTS).map(|(_, count)| count).sum();
    if rest > 0 {
        shares.push(HostShare {
            host: OTHER_HOSTS.to_string(),
            count: rest,
            percent: percent(rest),
        });
    }
    shares
}

fn item_about(item: &Item, key: &str) -> ItemAbout {
    // A mention past the title shows more than the title the reader already sees.
    let title_end = item.title.len();
    let mut of_key = item.mentions.iter().filter(|mention| mention.key == key);
    let first = of_key.clone().next();
    let mention = of_key.find(|mention| mention.start > title_end).or(first);
    let (linked_by, snippet) = match mention {
        Some(mention) => (
            "mention",
            mention_snippet(&item.text(), mention.start, mention.end),
        ),
        None if item.footer.cves.iter().any(|cve| cve == key) => {
            ("cve", escape_html(&item.summary))
        }
        None => ("explicit", escape_html(&item.summary)),
    };
    ItemAbout {
        id: item.id.clone(),
        date: item.date.clone(),
        kind: item.kind.as_str().to_string(),
        brief: item.brief.as_ref().map(|brief| brief.id.clone()),
        section: item.section.clone(),
        title: item.title.clone(),
        linked_by: linked_by.to_string(),
        label: mention.map(|mention| mention.label.clone()),
        snippet,
    }
}

/// Escaped text around `start..end` (byte offsets on character boundaries), with the
/// mention in `<b>`, cut on whitespace and marked with `…` where cut.
fn mention_snippet(text: &str, start: usize, end: usize) -> String {
    let (Some(before), Some(label), Some(after)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return String::new();
    };
    let before: Vec<char> = before.chars().collect();
    let cut = before.len().saturating_sub(SNIPPET_CONTEXT_CHARS);
    let mut head: String = before[cut..].iter().collect();
    if cut > 0 {
        if let Some(space) = head.find(char::is_whitespace) {
            head = format!("…{}", &head[space..]);
        }
    }
    let mut tail: String = after.chars().take(SNIPPET_CONTEXT_CHARS).collect();
    if tail.len() < after.len() {
        if let Some(space) = tail.rfind(char::is_whitespace) {
            tail.truncate(space);
        }
        tail.push('…');
    }
    let clean = |text: &str| escape_html(&text.replace('\n', " "));
    format!("{}<b>{}</b>{}", clean(&head), clean(label), clean(&tail))
}

/// One row of the entity list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EntitySummary {
    /// Canonical key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Entity type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Items linking it.
    pub items: u64,
    /// The label that matched the prefix, when it is an alias.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
}

/// Which entities to list.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    /// Only this type (`actor`, `cve`, …).
    pub kind: Option<String>,
    /// Only entities with a name, alias or key starting with this, in any case.
    pub prefix: Option<String>,
    /// Most rows.
    pub limit: usize,
}

/// The entity list: every live registry entity, plus every CVE and unregistered
/// key that items link; with item counts from one facet pass over all items. Most
/// items first, ties by name. Returns the rows and the number that matched.
pub fn list_entities(
    index: &DossierIndex,
    registry: &Registry,
    filter: &EntityFilter,
) -> Result<(Vec<EntitySummary>, usize), IndexError> {
    let counts = item_counts(index)?;
    let prefix = filter.prefix.as_deref().map(|p| p.trim().to_lowercase());
    let wanted_kind = |kind: &str| filter.kind.as_deref().is_none_or(|wanted| wanted == kind);

    let mut rows: Vec<EntitySummary> = Vec::new();
    for entity in registry.live() {
        if !wanted_kind(&entity.kind) {
            continue;
        }
        let labels = std::iter::once(entity.key.as_str()).chain(entity.labels());
        let matched = match &prefix {
            None => Some(None),
            Some(prefix) => labels
                .into_iter()
                .find(|label| label.to_lowercase().starts_with(prefix.as_str()))
                .map(|label| {
                    (label != entity.name && label != entity.key).then(|| label.to_string())
                }),
        };
        if let Some(matched) = matched {
            rows.push(EntitySummary {
                key: entity.key.clone(),
                name: entity.name.clone(),
                kind: entity.kind.clone(),
                items: counts.get(&entity.key).copied().unwrap_or(0),
                matched,
            });
        }
    }
    for (key, &items) in &counts {
        let kind = entity_type(key);
        let starts = prefix
            .as_deref()
            .is_none_or(|prefix| key.to_lowercase().starts_with(prefix));
        if registry.get(key).is_none() && wanted_kind(kind) && starts {
            rows.push(EntitySummary {
                key: key.clone(),
                name: key.clone(),
                kind: kind.to_string(),
                items,
                matched: None,
            });
        }
    }
    rows.sort_by(|a, b| {
        b.items
            .cmp(&a.items)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.key.cmp(&b.key))
    });
    let total = rows.len();
    rows.truncate(filter.limit);
    Ok((rows, total))
}

/// Items per entity key over all items: one facet pass.
fn item_counts(index: &DossierIndex) -> Result<BTreeMap<String, u64>, IndexError> {
    let root = format!("/{}", facet::ENTITY);
    let mut collector = FacetCollector::for_field(facet::ENTITY);
    collector.add_facet(root.as_str());
    let counts = index
        .searcher()
        .search(query::items_only(index.fields()).as_ref(), &collector)
        .map_err(|error| index.error(error))?;
    Ok(counts
        .get(root.as_str())
        .map(|(facet, count)| (facet_leaf(facet), count))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_bold_the_mention_and_escape_the_rest() {
        let text = "Title\n\nA <b> tag & APT42 went phishing.";
        let start = text.find("APT42").unwrap();
        assert_eq!(
            mention_snippet(text, start, start + 5),
            "Title  A &lt;b&gt; tag &amp; <b>APT42</b> went phishing."
        );
    }

    #[test]
    fn long_snippets_are_cut_on_whitespace() {
        let text = format!("{} Turla {}", "word ".repeat(40), "tail ".repeat(40));
        let start = text.find("Turla").unwrap();
        let snippet = mention_snippet(&text, start, start + 5);
        assert!(snippet.starts_with("… word"), "{snippet}");
        assert!(snippet.ends_with("tail…"), "{snippet}");
        assert!(snippet.contains("<b>Turla</b>"));
    }

    #[test]
    fn host_shares_fold_the_tail_into_other() {
        let hosts: Vec<String> = (0..10).map(|at| format!("h{at}.example")).collect();
        let mut per_host: BTreeMap<&str, usize> = BTreeMap::new();
        for (at, host) in hosts.iter().enumerate() {
            per_host.insert(host, if at == 0 { 5 } else { 1 });
        }
        let shares = host_shares(per_host, 14);
        assert_eq!(shares.len(), TOP_HOSTS + 1);
        assert_eq!(
            shares[0],
            HostShare {
                host: "h0.example".into(),
                count: 5,
                percent: 36
            }
        );
        assert_eq!(
            shares[TOP_HOSTS],
            HostShare {
                host: OTHER_HOSTS.into(),
                count: 2,
                percent: 14
            }
        );
    }

    #[test]
    fn weeks_fill_the_gaps() {
        let item = |date: &str| {
            let mut item: Item = serde_json::from_value(serde_json::json!({
                "id": format!("{date}/x"), "date": date, "kind": "daily", "level": "item",
                "brief": null, "section": "s", "title": "t", "summary": "", "body_markdown": "",
                "body": "", "update": false, "update_of": null, "verification": null,
                "markers": [], "footer": {"tags": [], "regions": [], "sectors": [], "cves": [],
                "cvss": null, "vector": null, "auth": null, "status": [], "evidence": null,
                "closed_source": null, "other": []}, "sources": [], "explicit_entities": [],
                "mentions": [], "entities": [], "paths": [], "line": 1, "migrated_from": null
            }))
            .unwrap();
            item.title = date.to_string();
            item
        };
        let items = [item("2026-05-04"), item("2026-05-10"), item("2026-05-20")];
        let weeks = weeks(&items);
        let got: Vec<(&str, usize)> = weeks.iter().map(|w| (w.week.as_str(), w.count)).collect();
        assert_eq!(got, [("2026-W19", 2), ("2026-W20", 0), ("2026-W21", 1)]);
    }
}
