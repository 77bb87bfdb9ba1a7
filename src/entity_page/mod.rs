//! The entity page: everything the index knows about one entity, for the CLI's
//! `dossier entity`, `GET /api/entities/{key}` and the HTML page alike.
//!
//! The items of an entity are the items (not brief-level text) whose `entity` facet
//! holds its key: an explicit key, a tagged mention or a CVE id of the footer. Every
//! count comes from one pass over those documents' fast columns (`facts`); only the
//! listed window of items is read from the store. What a page counts in each
//! segment, and the corpus-wide counts behind suggestion scores, are kept per
//! segment while the segment lives: a page is right as soon as an ingest commits,
//! and the first page after a commit reads only the segments the commit changed.

mod facts;
mod per_value;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::Searcher;

use crate::index::facet_counts::FacetCounts;
use crate::index::kept::Kept;
use crate::index::reader::item_at;
use crate::index::schema::facet;
use crate::index::{fan_out, generation, DossierIndex, IndexError};
use crate::item::Item;
use crate::query;
use crate::registry::Registry;
use crate::related::{
    self, Cooccurrence, Relationship, Stats, Suggester, Suggestion, EVIDENCE_LISTED,
};
use crate::search::{canonical_key, escape_html};
use crate::tagger::{display_name, entity_type};

use facts::{Facts, FactsCollector};

/// Items listed by default.
pub const DEFAULT_WINDOW: usize = 100;
/// Items listed at most in one page.
pub const MAX_WINDOW: usize = 1000;
/// Items skipped at most: a page keeps every item up to its window's end while
/// counting, so the window must end within reach (as a search's does).
pub const MAX_OFFSET: usize = crate::search::MAX_OFFSET;
/// Pages kept per index generation (see [`crate::index::kept`]): the busiest
/// entities are the most visited and the dearest to build.
static PAGES: Kept<(String, Window), Arc<EntityPage>> = Kept::new(256);

/// Held while a page is built. One build already keeps every core busy (segments
/// are read in parallel), so building one page at a time costs no throughput; and
/// when many requests ask for the same page after a commit, the first builds it
/// and the others find it kept, instead of each building it again (thirty-two
/// concurrent first requests for the busiest page at a million items took over a
/// second each that way).
static BUILDING: Mutex<()> = Mutex::new(());

/// Pages built so far by [`entity_page`].
static BUILT: AtomicU64 = AtomicU64::new(0);

/// How many pages [`entity_page`] has built (rather than found kept) in this
/// process.
pub fn pages_built() -> u64 {
    BUILT.load(Ordering::Relaxed)
}

/// How many segments pages have read (rather than found kept) in this process.
pub fn segments_read() -> u64 {
    facts::SEGMENTS_READ.load(Ordering::Relaxed)
}

/// Cited URLs listed, most cited first; the counts cover them all.
pub const SOURCES_LISTED: usize = 50;
/// Co-occurring entities listed, most shared first: the busiest entity of a
/// million items shares items with about 700, and every one was listed (80 KB of
/// its page). Suggestions are scored from all of them.
pub const COOCCURRING_LISTED: usize = 100;
/// Citing items listed per URL, newest first.
pub const ITEMS_PER_SOURCE: usize = 5;
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
        "no entity `{key}`: it is not in the registry and no item links it; {hint}",
        hint = hint(.named)
    )]
    NotFound {
        /// The key as asked for.
        key: String,
        /// Keys of the entities it names, when it is a name or alias.
        named: Vec<String>,
    },
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// The error for a key that names no entity, with the keys it may have meant.
pub fn not_found(registry: &Registry, asked: &str) -> EntityError {
    EntityError::NotFound {
        key: shortened(asked),
        named: named_by(registry, asked),
    }
}

/// The keys of the entities `asked` names: as a name or alias (`Qilin`), by the
/// slug of a key of the wrong type or spelling (`actor:seedworm`), or else by a
/// near miss of either (`actor:quilin`).
fn named_by(registry: &Registry, asked: &str) -> Vec<String> {
    let slug = asked.split_once(':').map(|(_, slug)| slug);
    let mut named = registry.named(asked);
    if let (true, Some(slug)) = (named.is_empty(), slug) {
        named = registry.named(slug);
    }
    if named.is_empty() {
        named = registry.near(slug.unwrap_or(asked));
    }
    named.into_iter().map(|entity| entity.key.clone()).collect()
}

/// A key as an error repeats it: what was typed, cut to a line.
fn shortened(asked: &str) -> String {
    const SHOWN: usize = 80;
    match asked.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &asked[..cut]),
        None => asked.to_string(),
    }
}

/// What to ask for instead of a key that names no entity.
fn hint(named: &[String]) -> String {
    if named.is_empty() {
        return "keys look like `actor:qilin` or `CVE-2026-31431` (GET /api/entities lists them)"
            .to_string();
    }
    let keys: Vec<String> = named.iter().map(|key| format!("`{key}`")).collect();
    format!("did you mean {}?", keys.join(" or "))
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
    /// The items listed in `timeline` and `items`.
    pub window: Window,
    /// The items of the window, newest first, one line each.
    pub timeline: Vec<TimelineEntry>,
    /// Items per section, largest first.
    pub sections: Vec<SectionCount>,
    /// Cited sources.
    pub sources: Sources,
    /// Curated relations, from this entity's side.
    pub relationships: Vec<Relationship>,
    /// Entities sharing items (outside weekly summaries), most shared first: the
    /// first [`COOCCURRING_LISTED`].
    pub cooccurring: Vec<Cooccurrence>,
    /// How many entities share items with this one, listed or not.
    pub cooccurring_total: usize,
    /// Statistically related entities not yet linked by a curated relation.
    pub suggestions: Vec<Suggestion>,
    /// The items of the window, newest first, with a snippet around the mention.
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
    /// Earliest item date.
    pub first_item: Option<String>,
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
    /// The [`SOURCES_LISTED`] most cited URLs, most cited first, ties by URL.
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
    /// Its link text in the newest citing item.
    pub label: String,
    /// Items citing it.
    pub cited_by: u64,
    /// Ids of the newest [`ITEMS_PER_SOURCE`] items citing it, newest first.
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

/// Which of an entity's items a page lists: the timeline and the item list show
/// `limit` items from `offset`, newest first. Every count covers all items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct Window {
    /// Items skipped.
    pub offset: usize,
    /// Items listed at most.
    pub limit: usize,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            offset: 0,
            limit: DEFAULT_WINDOW,
        }
    }
}

/// The page of `key` (tombstones forward, CVE ids in any case), listing the items of
/// `window`: built, or kept from an earlier request on the same index generation.
pub fn entity_page(
    index: &DossierIndex,
    registry: &Registry,
    key: &str,
    window: Window,
) -> Result<EntityPage, EntityError> {
    let request = (asked(key)?.to_string(), window);
    let searcher = index.searcher();
    let generation = generation(&searcher);
    if let Some(page) = PAGES.get(&generation, registry.version(), &request) {
        return Ok(EntityPage::clone(&page));
    }
    let _building = BUILDING.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(page) = PAGES.get(&generation, registry.version(), &request) {
        return Ok(EntityPage::clone(&page));
    }
    let page = build_on(index, &searcher, registry, &request.0, window, true)?;
    BUILT.fetch_add(1, Ordering::Relaxed);
    PAGES.put(
        generation,
        registry.version(),
        request,
        Arc::new(page.clone()),
    );
    Ok(page)
}

/// Builds the page of `key` from every segment, without looking at the kept pages
/// or at what was kept of each segment: what a page costs the first time it is
/// asked for after the index is opened or rebuilt. (After a commit that adds
/// briefs, [`entity_page`] reads only the new segments.)
pub fn build(
    index: &DossierIndex,
    registry: &Registry,
    key: &str,
    window: Window,
) -> Result<EntityPage, EntityError> {
    build_on(
        index,
        &index.searcher(),
        registry,
        asked(key)?,
        window,
        false,
    )
}

/// Reads what every page of `searcher`'s generation needs before the first is
/// asked for: each segment's decoded columns, and the co-occurrence margins (see
/// [`crate::warming`]).
pub fn prepare(searcher: &Searcher) -> tantivy::Result<()> {
    FactsCollector::prepare(searcher)?;
    Stats::prepare(searcher)
}

/// The key as asked for, trimmed; an empty key names no entity.
fn asked(key: &str) -> Result<&str, EntityError> {
    match key.trim() {
        "" => Err(EntityError::NotFound {
            key: String::new(),
            named: Vec::new(),
        }),
        asked => Ok(asked),
    }
}

/// Builds the page of `asked` from `searcher`; with `reuse`, from what was kept of
/// each segment that was read for the same page before.
fn build_on(
    index: &DossierIndex,
    searcher: &Searcher,
    registry: &Registry,
    asked: &str,
    window: Window,
    reuse: bool,
) -> Result<EntityPage, EntityError> {
    let canonical = canonical_key(asked, Some(registry));
    let entity = registry.get(&canonical);
    let collector = FactsCollector {
        entity: canonical.clone(),
        window: window.offset.saturating_add(window.limit),
        sources: SOURCES_LISTED,
        per_source: ITEMS_PER_SOURCE,
        evidence: EVIDENCE_LISTED,
    };
    let query = items_query(index, &canonical);
    let mut facts = collector
        .gather(searcher, query.as_ref(), reuse)
        .map_err(|error| index.error(error))?;
    if entity.is_none() && facts.items == 0 {
        return Err(not_found(registry, asked));
    }

    let listed = facts
        .newest
        .split_off(window.offset.min(facts.newest.len()));
    // A window is a hundred stored items, each a block to decompress: they are
    // read on the index's search threads.
    let items = fan_out::map(index.tantivy().search_executor(), &listed, |dated| {
        Ok(item_at(index, searcher, dated.address))
    })
    .map_err(|error| index.error(error))?
    .into_iter()
    .collect::<Result<Vec<Item>, IndexError>>()?;
    let mut cooccurring = related::rank_cooccurring(registry, &canonical, facts.cooccurring());
    let stats = Stats::cached(index, searcher)?;
    let mut suggestions = Suggester::new().score_entity(registry, &stats, &canonical, &cooccurring);
    for suggestion in &mut suggestions {
        suggestion.items = facts
            .evidence(&suggestion.key, EVIDENCE_LISTED)
            .into_iter()
            .map(|dated| dated.id)
            .collect();
    }
    let merged = registry
        .get(asked)
        .filter(|tombstone| tombstone.merged_into.is_some())
        .map(|tombstone| Merged {
            from: tombstone.key.clone(),
            from_name: tombstone.name.clone(),
            into: canonical.clone(),
        });
    let first_seen = entity.and_then(|entity| entity.first_seen.clone());
    let cooccurring_total = cooccurring.len();
    cooccurring.truncate(COOCCURRING_LISTED);

    Ok(EntityPage {
        name: display_name(&canonical, registry),
        kind: entity.map_or_else(|| entity_type(&canonical).to_string(), |e| e.kind.clone()),
        aliases: entity.map(|e| e.aliases.clone()).unwrap_or_default(),
        summary: entity.and_then(|e| e.summary.clone()),
        nexus: entity.and_then(|e| e.nexus.clone()),
        registered: entity.is_some(),
        merged,
        coverage: coverage(&facts, first_seen.as_deref()),
        window,
        timeline: items.iter().map(timeline_entry).collect(),
        sections: section_counts(&facts),
        sources: sources(&facts),
        relationships: related::relationships(registry, &canonical),
        cooccurring,
        cooccurring_total,
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

/// Items per section, largest first.
fn section_counts(facts: &Facts) -> Vec<SectionCount> {
    let mut sections: Vec<SectionCount> = facts
        .sections
        .iter()
        .map(|(section, &count)| SectionCount {
            section: section.clone(),
            count,
        })
        .collect();
    sections.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.section.cmp(&b.section))
    });
    sections
}

fn coverage(facts: &Facts, first_seen: Option<&str>) -> Coverage {
    let dates: Vec<time::Date> = facts.days.keys().filter_map(|&day| date_of(day)).collect();
    let first_item = dates.first().map(|date| date.to_string());
    let first = match (&first_item, first_seen) {
        (Some(item), Some(seen)) => Some(item.as_str().min(seen).to_string()),
        (item, seen) => item.clone().or(seen.map(str::to_string)),
    };
    Coverage {
        first,
        first_item,
        last: dates.last().map(|date| date.to_string()),
        items: facts.items as usize,
        briefs: facts.briefs,
        weeks: weeks(&facts.days),
    }
}

/// `20260506` as a date.
fn date_of(day: u64) -> Option<time::Date> {
    let month = time::Month::try_from(u8::try_from(day / 100 % 100).ok()?).ok()?;
    let year = i32::try_from(day / 10_000).ok()?;
    time::Date::from_calendar_date(year, month, u8::try_from(day % 100).ok()?).ok()
}

/// Items per ISO week, with the empty weeks between the first and the last.
fn weeks(days: &BTreeMap<u64, u64>) -> Vec<WeekCount> {
    let dated: Vec<(time::Date, u64)> = days
        .iter()
        .filter_map(|(&day, &count)| Some((date_of(day)?, count)))
        .collect();
    let (Some(&(first, _)), Some(&(last, _))) = (dated.first(), dated.last()) else {
        return Vec::new();
    };
    let mut counts: BTreeMap<(i32, u8), usize> = BTreeMap::new();
    for (date, count) in &dated {
        let (year, week, _) = date.to_iso_week_date();
        *counts.entry((year, week)).or_default() += *count as usize;
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

/// Distinct URLs, their hosts, the distinct-URL count per host, and the most cited
/// URLs.
fn sources(facts: &Facts) -> Sources {
    let cited = &facts.sources;
    let list = cited
        .listed
        .iter()
        .map(|(url, source)| CitedSource {
            url: url.clone(),
            host: source.host.clone(),
            label: source.label.clone(),
            cited_by: source.items,
            items: source.newest.iter().map(|dated| dated.id.clone()).collect(),
        })
        .collect();
    Sources {
        urls: cited.urls,
        hosts: cited.per_host.len(),
        distribution: host_shares(&cited.per_host, cited.urls),
        list,
    }
}

/// Largest hosts first (ties by name), the top [`TOP_HOSTS`] by name, the rest as
/// one "other" row.
fn host_shares(per_host: &BTreeMap<String, usize>, total: usize) -> Vec<HostShare> {
    let percent = |count: usize| ((count as f64 * 100.0) / total.max(1) as f64).round() as u32;
    let mut ranked: Vec<(&String, usize)> = per_host.iter().map(|(host, &n)| (host, n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut shares: Vec<HostShare> = ranked
        .iter()
        .take(TOP_HOSTS)
        .map(|(host, count)| HostShare {
            host: host.to_string(),
            count: *count,
            percent: percent(*count),
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
    /// Rows skipped, most items first: where a page of the list starts.
    pub offset: usize,
    /// Most rows.
    pub limit: usize,
}

/// The entity list: every live registry entity, plus every CVE and unregistered
/// key that items link; with item counts from one facet pass over all items. Most
/// items first, ties by name. Returns the filter's page of rows and the number that
/// matched.
pub fn list_entities(
    index: &DossierIndex,
    registry: &Registry,
    filter: &EntityFilter,
) -> Result<(Vec<EntitySummary>, usize), IndexError> {
    let counts = item_counts(index)?;
    let prefix = filter.prefix.as_deref().map(Prefix::new);
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
                .find(|label| prefix.begins(label))
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
        let starts = prefix.as_ref().is_none_or(|prefix| prefix.begins(key));
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
    let page = rows
        .into_iter()
        .skip(filter.offset)
        .take(filter.limit)
        .collect();
    Ok((page, total))
}

/// The types of every key that items link, registered or not (`product` for an
/// unregistered `product:citrix-netscaler`).
pub fn linked_types(index: &DossierIndex) -> Result<BTreeSet<String>, IndexError> {
    let counts = item_counts(index)?;
    Ok(counts
        .keys()
        .map(|key| entity_type(key).to_string())
        .collect())
}

/// What a name, alias or key of a listed entity starts with, in any case. A label
/// that does not start so as written is compared as search reads it, accents
/// folded and punctuation dropped (`skoda` for "Škoda online-shop breach", `photo`
/// for "'Photo ZIP' hospitality phishing"): only such labels are folded, so a
/// large registry of plain names costs no folding.
struct Prefix {
    lower: String,
    folded: String,
}

impl Prefix {
    fn new(typed: &str) -> Prefix {
        Prefix {
            lower: typed.trim().to_lowercase(),
            folded: crate::index::analyzer::label_term(typed),
        }
    }

    fn begins(&self, label: &str) -> bool {
        if label.to_lowercase().starts_with(&self.lower) {
            return true;
        }
        let plain = label.is_ascii() && label.starts_with(|c: char| c.is_ascii_alphanumeric());
        let folding_changes_nothing = plain && self.folded == self.lower;
        if folding_changes_nothing || self.folded.is_empty() {
            return false;
        }
        crate::index::analyzer::label_term(label).starts_with(&self.folded)
    }
}

/// Items per entity key over all items: one facet pass.
fn item_counts(index: &DossierIndex) -> Result<BTreeMap<String, u64>, IndexError> {
    let searcher = index.searcher();
    let facets =
        FacetCounts::new(&searcher, &[facet::ENTITY]).map_err(|error| index.error(error))?;
    let counts = searcher
        .search(query::items_only(index.fields()).as_ref(), &facets)
        .map_err(|error| index.error(error))?;
    Ok(counts.into_maps().pop().unwrap_or_default())
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
        let per_host: BTreeMap<String, usize> = (0..10)
            .map(|at| (format!("h{at}.example"), if at == 0 { 5 } else { 1 }))
            .collect();
        let shares = host_shares(&per_host, 14);
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
        let days = BTreeMap::from([(20260504, 1), (20260510, 1), (20260520, 1), (0, 4)]);
        let weeks = weeks(&days);
        let got: Vec<(&str, usize)> = weeks.iter().map(|w| (w.week.as_str(), w.count)).collect();
        assert_eq!(got, [("2026-W19", 2), ("2026-W20", 0), ("2026-W21", 1)]);
    }

    #[test]
    fn day_numbers_read_as_dates() {
        assert_eq!(
            date_of(20260506).map(|d| d.to_string()).as_deref(),
            Some("2026-05-06")
        );
        assert_eq!(date_of(20261345), None);
        assert_eq!(date_of(0), None);
    }
}
