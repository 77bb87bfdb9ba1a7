//! Every figure of an entity page in one pass over its items, from fast columns.
//!
//! A busy entity links tens of thousands of items at a million. Reading each stored
//! item to count its dates, briefs, sources and neighbours took most of a second;
//! the same counts come from the `day`, `id`, `kind`, `brief` and `cites` columns
//! and the `section` and `entity` facets in a few milliseconds, each read from its
//! per-segment decoded values ([`ValueLists`]). Counts are kept by column ordinal
//! per segment and named from the segment's decoded dictionaries ([`ColumnNames`])
//! at the merge. The pass also keeps, per cited URL and per
//! co-occurring entity, the newest items behind the count, as segment keys: ids
//! are read only for the few the page lists, and suggestion evidence needs no
//! second query.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED};

use crate::index::names::{self, ColumnNames, Term};
use crate::index::newest::{
    newest_of, oldest_day_needed, on_or_after, Dated, DayAndId, NewestInSegment, SegmentKey,
};
use crate::index::ordinals::OrdinalCounts;
use crate::index::per_segment::{self, PerSegment};
use crate::index::schema::{doc_type, facet, CITE_SEPARATOR, ROW_SEPARATOR};
use crate::index::value_lists::{self, ValueLists};
use crate::index::{fan_out, generation};
use crate::item::ItemKind;

use super::per_value::{Listed, NewestPerValue};

/// What one entity's items add up to.
#[derive(Default)]
pub struct Facts {
    /// Items.
    pub items: u64,
    /// Items per `YYYYMMDD` day.
    pub days: BTreeMap<u64, u64>,
    /// Distinct briefs carrying them.
    pub briefs: usize,
    /// Items per section key.
    pub sections: BTreeMap<String, u64>,
    /// Cited sources.
    pub sources: CitedSources,
    /// The newest items, as many as asked for.
    pub newest: Vec<Dated>,
    /// The newest shared items per co-occurring entity, not yet named.
    evidence: Evidence,
}

/// The URLs (with a host) cited by an entity's items.
#[derive(Debug, Default)]
pub struct CitedSources {
    /// Distinct URLs.
    pub urls: usize,
    /// Distinct URLs per host.
    pub per_host: BTreeMap<String, usize>,
    /// The collector's `sources` most cited URLs, most cited first, ties by URL.
    pub listed: Vec<(String, Cited)>,
}

/// One cited URL.
#[derive(Debug, Default)]
pub struct Cited {
    /// Its host, as found at ingest.
    pub host: String,
    /// Items citing it.
    pub items: u64,
    /// Its link text in the newest citing item (listed URLs only).
    pub label: String,
    /// The newest citing items (listed URLs only).
    pub newest: Vec<Dated>,
}

/// Per co-occurring entity, each segment's newest shared items.
#[derive(Default)]
struct Evidence {
    segments: Vec<Fruit>,
    /// Per entity key: shared items, and where each segment keeps its newest
    /// shared items.
    keys: FxHashMap<String, (u64, Vec<SegmentPart>)>,
}

/// A segment's place in [`Evidence::segments`], and the entity's place in that
/// segment's `cooccurring` values.
type SegmentPart = (usize, usize);

/// One segment's facts, with the segment's ordinal in the searcher they are
/// merged for (facts are reused across generations, ordinals are not).
pub type Fruit = (SegmentOrdinal, Arc<SegmentFacts>);

impl Facts {
    /// Items outside weekly summaries per linked entity key (the entity itself
    /// included): the co-occurrence counts.
    pub fn cooccurring(&self) -> BTreeMap<String, u64> {
        self.evidence
            .keys
            .iter()
            .map(|(key, (count, _))| (key.clone(), *count))
            .collect()
    }

    /// The newest items (outside weekly summaries) linking both the entity and
    /// `other`, at most the collector's `evidence` of them.
    pub fn evidence(&self, other: &str, limit: usize) -> Vec<Dated> {
        let Some((_, parts)) = self.evidence.keys.get(other) else {
            return Vec::new();
        };
        let kept = |&(at, value): &SegmentPart| {
            let (_, facts) = &self.evidence.segments[at];
            facts.cooccurring.kept(value)
        };
        let day = oldest_day_needed(parts.iter().map(kept), limit);
        let lists = parts.iter().map(|part| {
            let (segment, facts) = &self.evidence.segments[part.0];
            facts.order.dated(*segment, &on_or_after(kept(part), day))
        });
        newest_of(lists, limit)
    }
}

/// Gathers [`Facts`]; keeps the newest `window` items, the newest `per_source`
/// citing items of the `sources` most cited URLs, and the newest `evidence` shared
/// items per co-occurring entity.
pub struct FactsCollector {
    /// The entity's canonical key.
    pub entity: String,
    /// Newest items kept.
    pub window: usize,
    /// URLs given their newest citing items and label.
    pub sources: usize,
    /// Newest citing items kept per URL.
    pub per_source: usize,
    /// Newest shared items kept per co-occurring entity.
    pub evidence: usize,
}

/// The columns of one segment, and the decoded values of those a page names.
struct Columns {
    order: DayAndId,
    kind: Option<Arc<ValueLists>>,
    weekly: Option<u32>,
    /// The segment's roll-up items, ascending: a few per thousand items.
    rollups: Vec<DocId>,
    /// What those roll-ups cite for the entity.
    row_cites: RowCites,
    brief: Option<Arc<ValueLists>>,
    cites: Option<Arc<ValueLists>>,
    section: Option<Arc<ValueLists>>,
    entity: Option<Arc<ValueLists>>,
    /// Ordinals of the `entity` and `cites` columns.
    entity_terms: usize,
    cite_terms: usize,
    brief_names: Arc<ColumnNames>,
    cite_names: Arc<ColumnNames>,
    section_names: Arc<ColumnNames>,
    entity_names: Arc<ColumnNames>,
}

/// Counts of one segment, by ordinal.
pub struct FactsSegment {
    columns: Columns,
    per_source: usize,
    evidence: usize,
    /// The matching documents, visited at harvest in reverse. Ingest adds briefs
    /// oldest first, so a segment's last documents are usually its newest: visited
    /// first, they fill the newest lists, and most later offers are turned away by
    /// one comparison instead of replacing a kept item.
    docs: Vec<DocId>,
    items: u64,
    days: FxHashMap<u64, u64>,
    briefs: OrdinalCounts,
    sections: OrdinalCounts,
    /// Items outside weekly summaries per entity, and the newest of them. Made
    /// at harvest, when the number of documents is known.
    cooccurring: NewestPerValue,
    /// Items per `cites` value, and the newest of them; made at harvest too.
    cited: NewestPerValue,
    newest: NewestInSegment,
}

/// One segment's counts by ordinal, with the segment's names of those ordinals and
/// its kept documents as segment keys.
pub struct SegmentFacts {
    order: DayAndId,
    items: u64,
    days: FxHashMap<u64, u64>,
    briefs: Counted<u64>,
    sections: Counted<u64>,
    /// Per entity key: shared items and the newest of them.
    cooccurring: CountedKept,
    newest: Vec<SegmentKey>,
    /// Per `url` + separator + host + separator + label: items and the newest
    /// citing items.
    cites: CountedKept,
    /// Where each counted `cites` value splits, and its URL's and host's hashes,
    /// in the order of `cites`.
    cuts: Vec<Cut>,
}

/// Where a `cites` value splits into URL, host and label, and the hashes of the
/// first two. The merge adds up thousands of values per segment by URL and then
/// by host; finding the separators and hashing the strings there, on one thread,
/// was a fifth of the busiest page at a million items. Cut on the search threads
/// instead, once per segment's facts, the merge hashes two numbers per value.
#[derive(Debug, Clone, Copy)]
struct Cut {
    url_end: u32,
    host: (u32, u32),
    url_hash: u64,
    host_hash: u64,
}

impl Cut {
    fn of(value: &str) -> Cut {
        let (url, host, _) = cite_parts(value);
        // The host starts after the separator that ends the URL, if there is one.
        let host_start = (url.len() + CITE_SEPARATOR.len_utf8()).min(value.len()) as u32;
        Cut {
            url_end: url.len() as u32,
            host: (host_start, host_start + host.len() as u32),
            url_hash: hash(url),
            host_hash: hash(host),
        }
    }

    /// The URL, host and label of `value`, the value this cut was made from.
    fn apply<'a>(&self, value: &'a str) -> Cite<'a> {
        let (host_start, host_end) = (self.host.0 as usize, self.host.1 as usize);
        let label = value.get(host_end + 1..).unwrap_or_default();
        Cite {
            url: Hashed {
                hash: self.url_hash,
                text: &value[..self.url_end as usize],
            },
            host: Hashed {
                hash: self.host_hash,
                text: &value[host_start..host_end],
            },
            label,
        }
    }
}

/// One `cites` value in its parts.
struct Cite<'a> {
    url: Hashed<'a>,
    host: Hashed<'a>,
    label: &'a str,
}

/// A string with its hash, which is all a map hashes of it.
#[derive(Debug, Clone, Copy)]
struct Hashed<'a> {
    hash: u64,
    text: &'a str,
}

impl PartialEq for Hashed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Eq for Hashed<'_> {}

impl std::hash::Hash for Hashed<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

fn hash(text: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(text)
}

impl SegmentFacts {
    /// The counted `cites` values in their parts, with their items and newest
    /// citing items.
    fn cites(&self) -> impl Iterator<Item = (Cite<'_>, u64, &[SegmentKey])> {
        self.cites
            .iter()
            .zip(&self.cuts)
            .map(|((value, items, kept), cut)| (cut.apply(value), items, kept))
    }
}

/// What a segment counted of one column, by ordinal in order, and the column's
/// names.
struct Counted<T> {
    names: Arc<ColumnNames>,
    values: Vec<(u64, T)>,
}

impl<T> Counted<T> {
    /// The counted values by name.
    fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.values
            .iter()
            .map(|(ord, value)| (self.names.get(*ord), value))
    }
}

/// What a segment counted of one column, with the newest items of each value.
struct CountedKept {
    names: Arc<ColumnNames>,
    listed: Listed,
}

impl CountedKept {
    /// The counted values by name, with their counts and newest items.
    fn iter(&self) -> impl Iterator<Item = (&str, u64, &[SegmentKey])> {
        self.listed
            .values
            .iter()
            .map(|(ord, (count, kept))| (self.names.get(*ord), *count, self.listed.kept(kept)))
    }

    /// The newest items of the `value`-th counted value.
    fn kept(&self, value: usize) -> &[SegmentKey] {
        self.listed.kept(&self.listed.values[value].1 .1)
    }
}

impl Collector for FactsCollector {
    type Fruit = Facts;
    type Child = FactsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FactsSegment> {
        let fast = reader.fast_fields();
        let kind = fast.str("kind")?;
        let weekly = match &kind {
            Some(kinds) => kinds.dictionary().term_ord(ItemKind::Weekly.as_str())?,
            None => None,
        };
        let brief = fast.str("brief")?;
        let cites = fast.str("cites")?;
        let section = fast.str(facet::SECTION)?;
        let entity = fast.str(facet::ENTITY)?;
        let terms =
            |column: &Option<StrColumn>| column.as_ref().map_or(0, |column| column.num_terms());
        let names = |name: &'static str, column: &Option<StrColumn>, term: Term| match column {
            Some(column) => ColumnNames::of(reader, name, column.dictionary(), term),
            None => Ok(Arc::default()),
        };
        let decoded = |name: &'static str, column: &Option<StrColumn>| {
            column
                .as_ref()
                .map(|column| ValueLists::of(reader, name, column.ords()))
        };
        Ok(FactsSegment {
            per_source: self.per_source,
            evidence: self.evidence,
            docs: Vec::new(),
            items: 0,
            days: FxHashMap::default(),
            briefs: OrdinalCounts::new(terms(&brief)),
            sections: OrdinalCounts::new(terms(&section)),
            cooccurring: NewestPerValue::new(self.evidence, terms(&entity), 0),
            cited: NewestPerValue::new(self.per_source, terms(&cites), 0),
            newest: NewestInSegment::new(self.window),
            columns: Columns {
                order: DayAndId::open(reader)?,
                kind: decoded("kind", &kind),
                weekly: weekly.and_then(|ord| u32::try_from(ord).ok()),
                rollups: rollups(reader)?,
                row_cites: RowCites::of(reader, &self.entity, cites.as_ref())?,
                entity_terms: terms(&entity),
                cite_terms: terms(&cites),
                brief_names: names("brief", &brief, Term::Whole)?,
                cite_names: names("cites", &cites, Term::Whole)?,
                section_names: names(facet::SECTION, &section, Term::FacetLeaf)?,
                entity_names: names(facet::ENTITY, &entity, Term::FacetLeaf)?,
                brief: decoded("brief", &brief),
                cites: decoded("cites", &cites),
                section: decoded(facet::SECTION, &section),
                entity: decoded(facet::ENTITY, &entity),
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFacts>) -> tantivy::Result<Facts> {
        let fruits = fruits
            .into_iter()
            .enumerate()
            .map(|(segment, facts)| (segment as SegmentOrdinal, Arc::new(facts)))
            .collect();
        Ok(self.merge(fruits))
    }
}

impl FactsCollector {
    /// The facts of the entity's items, which `query` finds, in `searcher`. With
    /// `reuse`, each segment's facts are kept while the segment lives, and a
    /// segment already read for the same page is not read again (see
    /// [`PerSegment`]).
    pub fn gather(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        reuse: bool,
    ) -> tantivy::Result<Facts> {
        let generation = generation(searcher);
        names::keep_only(&generation);
        value_lists::keep_only(&generation);
        if reuse {
            KEPT.keep_only(&generation);
        }
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let kept_as = (
            self.entity.clone(),
            [self.window, self.sources, self.per_source, self.evidence],
        );
        let fruits = fan_out::map(
            searcher.index().search_executor(),
            &fan_out::segments(searcher),
            |&(segment, reader)| {
                let state = per_segment::state(reader);
                if let Some(facts) = reuse.then(|| KEPT.get(&state, &kept_as)).flatten() {
                    return Ok((segment, facts));
                }
                let facts = Arc::new(self.collect_segment(weight.as_ref(), segment, reader)?);
                SEGMENTS_READ.fetch_add(1, Ordering::Relaxed);
                if reuse {
                    KEPT.put(state, kept_as.clone(), Arc::clone(&facts), facts.bytes());
                }
                Ok((segment, facts))
            },
        )?;
        Ok(self.merge(fruits))
    }

    /// Decodes and names every column a page reads in each segment of `searcher`,
    /// ahead of the generation's first page (see [`crate::warming`]).
    pub fn prepare(searcher: &Searcher) -> tantivy::Result<()> {
        let generation = generation(searcher);
        names::keep_only(&generation);
        value_lists::keep_only(&generation);
        let opener = FactsCollector {
            entity: String::new(),
            window: 0,
            sources: 0,
            per_source: 0,
            evidence: 0,
        };
        per_segment::open_all(searcher, &opener)
    }

    /// Adds up the segments' facts, after the segments are counted in parallel:
    /// names are borrowed from the segments' decoded columns, and only what the
    /// page keeps is copied out of them. The cited sources, half of the work, are
    /// added up on a second thread (about 1.2 of the 2.4 ms the merge took for the
    /// busiest entity at a million items, a third of its first page after a
    /// commit).
    fn merge(&self, fruits: Vec<Fruit>) -> Facts {
        let (mut facts, keys, (newest, sources)) = std::thread::scope(|scope| {
            let sources = std::thread::Builder::new()
                .name("dossier-sources".into())
                .spawn_scoped(scope, || self.cited_sources(&fruits));
            let (facts, keys) = add_up(&fruits);
            let sources = match sources {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to spare: the same work here.
                Err(_) => self.cited_sources(&fruits),
            };
            (facts, keys, sources)
        });
        (facts.newest, facts.sources) = (newest, sources);
        facts.evidence = Evidence {
            segments: fruits,
            keys,
        };
        facts
    }
}

/// Items, days, sections, briefs and co-occurring entities of all segments, and
/// per co-occurring entity key its segments' parts.
fn add_up(fruits: &[Fruit]) -> (Facts, FxHashMap<String, (u64, Vec<SegmentPart>)>) {
    let mut facts = Facts::default();
    // Days are added up in a hash map and sorted once: every segment holds
    // hundreds of them, and a tree insert per segment day was half the merge.
    let mut days: FxHashMap<u64, u64> = FxHashMap::default();
    let mut sections: FxHashMap<&str, u64> = FxHashMap::default();
    let mut cooccurring: FxHashMap<&str, (u64, Vec<SegmentPart>)> = FxHashMap::default();
    for (at, (_, fruit)) in fruits.iter().enumerate() {
        facts.items += fruit.items;
        for (&day, &count) in &fruit.days {
            *days.entry(day).or_default() += count;
        }
        for (section, count) in fruit.sections.iter() {
            *sections.entry(section).or_default() += count;
        }
        for (value, (key, count, _)) in fruit.cooccurring.iter().enumerate() {
            let (total, parts) = cooccurring.entry(key).or_default();
            *total += count;
            parts.push((at, value));
        }
    }
    facts.days = days.into_iter().collect();
    facts.sections = owned_keys(sections);
    let keys = cooccurring
        .into_iter()
        .map(|(key, counted)| (key.to_string(), counted))
        .collect();
    // A brief's items rarely straddle two segments, but when they do it is one brief.
    let briefs: FxHashSet<&str> = fruits
        .iter()
        .flat_map(|(_, fruit)| fruit.briefs.iter().map(|(name, _)| name))
        .collect();
    facts.briefs = briefs.len();
    (facts, keys)
}

/// Segments read by [`FactsCollector::gather`] in this process.
pub static SEGMENTS_READ: AtomicU64 = AtomicU64::new(0);

/// Segment facts kept for reuse by [`FactsCollector::gather`]: a busy entity's
/// facts take about 250 KB per segment at a million items.
static KEPT: PerSegment<(String, [usize; 4]), Arc<SegmentFacts>> = PerSegment::new(256 << 20);

impl SegmentFacts {
    /// About how many bytes the facts take, for [`KEPT`]'s budget.
    fn bytes(&self) -> usize {
        let entries = self.briefs.values.len()
            + self.sections.values.len()
            + self.cooccurring.listed.values.len()
            + self.cites.listed.values.len()
            + self.days.len();
        let kept =
            self.newest.len() + self.cooccurring.listed.keys.len() + self.cites.listed.keys.len();
        entries * 64
            + kept * std::mem::size_of::<SegmentKey>()
            + self.cuts.len() * std::mem::size_of::<Cut>()
    }
}

/// A map keyed by borrowed names, with owned keys.
fn owned_keys<V>(map: FxHashMap<&str, V>) -> BTreeMap<String, V> {
    map.into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect()
}

impl FactsCollector {
    /// The newest items, and the cited URLs: counted per host, and the most cited
    /// listed with their label and newest citing items. A URL without a host (not
    /// a web address) is not a source.
    fn cited_sources(&self, fruits: &[Fruit]) -> (Vec<Dated>, CitedSources) {
        let mut counted: FxHashMap<Hashed, (u64, Hashed)> = FxHashMap::default();
        for (cite, items, _) in fruits.iter().flat_map(|(_, fruit)| fruit.cites()) {
            if !cite.host.text.is_empty() {
                counted.entry(cite.url).or_insert((0, cite.host)).0 += items;
            }
        }
        let mut per_host: FxHashMap<Hashed, usize> = FxHashMap::default();
        for (_, host) in counted.values() {
            *per_host.entry(*host).or_default() += 1;
        }
        let ranked = most_cited(&counted, self.sources);
        let wanted: FxHashSet<Hashed> = ranked.iter().copied().collect();
        let (newest, mut citations) = name_listed(fruits, &wanted, self.window, self.per_source);

        let listed = ranked
            .into_iter()
            .map(|url| {
                let (items, host) = counted[&url];
                let mut source = Cited {
                    host: host.text.to_string(),
                    items,
                    ..Cited::default()
                };
                if let Some(labelled) = citations.remove(url.text) {
                    (source.label, source.newest) = newest_citations(labelled, self.per_source);
                }
                (url.text.to_string(), source)
            })
            .collect();
        let sources = CitedSources {
            urls: counted.len(),
            per_host: per_host
                .into_iter()
                .map(|(host, urls)| (host.text.to_string(), urls))
                .collect(),
            listed,
        };
        (newest_of(newest, self.window), sources)
    }
}

/// A `cites` value split into its URL, host and link text.
fn cite_parts(value: &str) -> (&str, &str, &str) {
    let (url, rest) = value.split_once(CITE_SEPARATOR).unwrap_or((value, ""));
    let (host, label) = rest.split_once(CITE_SEPARATOR).unwrap_or((rest, ""));
    (url, host, label)
}

/// The `limit` URLs cited by most items, most cited first, ties by URL.
fn most_cited<'a>(counted: &FxHashMap<Hashed<'a>, (u64, Hashed)>, limit: usize) -> Vec<Hashed<'a>> {
    if limit == 0 {
        return Vec::new();
    }
    let mut ranked: Vec<(Hashed, u64)> = counted.iter().map(|(&url, &(n, _))| (url, n)).collect();
    let order =
        |a: &(Hashed, u64), b: &(Hashed, u64)| b.1.cmp(&a.1).then_with(|| a.0.text.cmp(b.0.text));
    // Thousands of URLs are counted and a few dozen listed: select, then sort those.
    if ranked.len() > limit {
        ranked.select_nth_unstable_by(limit - 1, order);
        ranked.truncate(limit);
    }
    ranked.sort_unstable_by(order);
    ranked.into_iter().map(|(url, _)| url).collect()
}

/// Labelled citations of one URL: each label with its newest citing items.
type Labelled = Vec<(String, Vec<Dated>)>;

/// Reads, in one dictionary pass per segment, the ids of the newest items and of
/// the newest citing items of the `listed` URLs: only of the keys recent enough
/// to be listed.
fn name_listed(
    fruits: &[Fruit],
    listed: &FxHashSet<Hashed>,
    window: usize,
    per_source: usize,
) -> (Vec<Vec<Dated>>, FxHashMap<String, Labelled>) {
    let newest_day = oldest_day_needed(fruits.iter().map(|(_, fruit)| &fruit.newest[..]), window);
    let wanted: Vec<Vec<(Cite, &[SegmentKey])>> = fruits
        .iter()
        .map(|(_, fruit)| {
            fruit
                .cites()
                .filter(|(cite, _, _)| listed.contains(&cite.url))
                .map(|(cite, _, kept)| (cite, kept))
                .collect()
        })
        .collect();
    let cited_day = oldest_days_cited(&wanted, per_source);

    let mut newest = Vec::with_capacity(fruits.len());
    let mut citations: FxHashMap<String, Labelled> = FxHashMap::default();
    for ((segment, fruit), wanted) in fruits.iter().zip(wanted) {
        let mut keys = on_or_after(&fruit.newest, newest_day);
        let newest_len = keys.len();
        let mut lengths = Vec::with_capacity(wanted.len());
        for (cite, kept) in &wanted {
            let day = cited_day.get(&cite.url).copied().flatten();
            let recent = on_or_after(kept, day);
            lengths.push(recent.len());
            keys.extend(recent);
        }
        let mut dated = fruit.order.dated(*segment, &keys).into_iter();
        newest.push(dated.by_ref().take(newest_len).collect());
        for ((cite, _), length) in wanted.into_iter().zip(lengths) {
            let items: Vec<Dated> = dated.by_ref().take(length).collect();
            citations
                .entry(cite.url.text.to_string())
                .or_default()
                .push((cite.label.to_string(), items));
        }
    }
    (newest, citations)
}

/// Per URL of `wanted` (each segment's listed cited values), the oldest day of its
/// kept citing items that can still be among its newest `per_source`.
fn oldest_days_cited<'a>(
    wanted: &[Vec<(Cite<'a>, &[SegmentKey])>],
    per_source: usize,
) -> FxHashMap<Hashed<'a>, Option<u64>> {
    let mut kept_by_url: FxHashMap<Hashed, Vec<&[SegmentKey]>> = FxHashMap::default();
    for (cite, kept) in wanted.iter().flatten() {
        kept_by_url.entry(cite.url).or_default().push(kept);
    }
    kept_by_url
        .into_iter()
        .map(|(url, lists)| (url, oldest_day_needed(lists, per_source)))
        .collect()
}

/// One URL's newest citing items over every segment and label, and the label of the
/// newest citation.
fn newest_citations(labelled: Labelled, per_source: usize) -> (String, Vec<Dated>) {
    let mut best: Option<(&Dated, &str)> = None;
    for (label, dated) in &labelled {
        if let Some(first) = dated.first() {
            if best.is_none_or(|(seen, _)| first.precedes(seen)) {
                best = Some((first, label));
            }
        }
    }
    let label = best.map(|(_, label)| label.to_string()).unwrap_or_default();
    (
        label,
        newest_of(labelled.into_iter().map(|(_, dated)| dated), per_source),
    )
}

impl SegmentCollector for FactsSegment {
    type Fruit = SegmentFacts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.docs.push(doc);
    }

    fn harvest(mut self) -> SegmentFacts {
        let documents = self.docs.len();
        self.cooccurring = NewestPerValue::new(self.evidence, self.columns.entity_terms, documents);
        self.cited = NewestPerValue::new(self.per_source, self.columns.cite_terms, documents);
        for at in (0..self.docs.len()).rev() {
            self.visit(self.docs[at]);
        }
        self.name()
    }
}

impl FactsSegment {
    /// Counts one item and offers it to the newest lists it belongs to.
    fn visit(&mut self, doc: DocId) {
        let columns = &self.columns;
        let key = columns.order.key(doc);
        self.items += 1;
        *self.days.entry(key.0 .0).or_default() += 1;
        self.newest.offer(key);

        if let Some(ord) = first(columns.brief.as_deref(), doc) {
            self.briefs.add(u64::from(ord));
        }
        for &ord in values(columns.section.as_deref(), doc) {
            self.sections.add(u64::from(ord));
        }
        let weekly =
            columns.weekly.is_some() && first(columns.kind.as_deref(), doc) == columns.weekly;
        let rollup = columns.rollups.binary_search(&doc).is_ok();
        if !weekly && !rollup {
            for &ord in values(columns.entity.as_deref(), doc) {
                self.cooccurring.offer(ord, key);
            }
        }
        if rollup {
            for ord in columns.row_cites.of_doc(doc) {
                self.cited.offer(ord, key);
            }
        } else {
            for &ord in values(columns.cites.as_deref(), doc) {
                self.cited.offer(ord, key);
            }
        }
    }

    /// Puts the counts in ordinal order, next to the segment's names.
    fn name(self) -> SegmentFacts {
        let columns = &self.columns;
        let briefs = Counted {
            names: Arc::clone(&columns.brief_names),
            values: self.briefs.nonzero(),
        };
        let sections = Counted {
            names: Arc::clone(&columns.section_names),
            values: self.sections.nonzero(),
        };
        let cooccurring = CountedKept {
            names: Arc::clone(&columns.entity_names),
            listed: self.cooccurring.into_listed(),
        };
        // In value order, as the dictionary named them before: a URL cited under
        // two labels by the same newest item takes the first label.
        let cited = self.cited.into_listed();
        let names = &self.columns.cite_names;
        let cuts = cited
            .values
            .iter()
            .map(|(ord, _)| Cut::of(names.get(*ord)))
            .collect();
        SegmentFacts {
            cuts,
            briefs,
            sections,
            cooccurring,
            cites: CountedKept {
                names: Arc::clone(&self.columns.cite_names),
                listed: cited,
            },
            order: self.columns.order,
            items: self.items,
            days: self.days,
            newest: self.newest.into_sorted(),
        }
    }
}

/// The values of `doc` in a column the segment may lack.
fn values(column: Option<&ValueLists>, doc: DocId) -> &[u32] {
    column.map_or(&[], |column| column.of_doc(doc))
}

/// The roll-up items of a segment, from the postings of their `doc_type` term.
fn rollups(reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
    let field = reader.schema().get_field("doc_type")?;
    let term = tantivy::Term::from_field_text(field, doc_type::ROLLUP);
    let postings = reader
        .inverted_index(field)?
        .read_postings(&term, IndexRecordOption::Basic)?;
    let mut docs = Vec::new();
    if let Some(mut postings) = postings {
        while postings.doc() != TERMINATED {
            docs.push(postings.doc());
            postings.advance();
        }
    }
    Ok(docs)
}

/// The sources a segment's roll-ups cite for one entity: the rows that name it
/// (see the `rollup_cites` field), as ordinals of the segment's `cites` column.
#[derive(Default)]
struct RowCites {
    column: Option<StrColumn>,
    /// `rollup_cites` ordinal of each of the entity's values, with its `cites`
    /// ordinal; ascending.
    cites: Vec<(u64, u32)>,
}

impl RowCites {
    fn of(
        reader: &SegmentReader,
        entity: &str,
        cites: Option<&StrColumn>,
    ) -> tantivy::Result<RowCites> {
        let (Some(column), Some(cites)) = (reader.fast_fields().str("rollup_cites")?, cites) else {
            return Ok(RowCites::default());
        };
        let prefix = format!("{entity}{ROW_SEPARATOR}");
        let mut found = Vec::new();
        let mut values = column.dictionary().prefix_range(&prefix).into_stream()?;
        while values.advance() {
            let cite = &values.key()[prefix.len()..];
            if let Some(ord) = cites.dictionary().term_ord(cite)? {
                found.push((values.term_ord(), ord as u32));
            }
        }
        Ok(RowCites {
            column: Some(column),
            cites: found,
        })
    }

    /// The `cites` ordinals that roll-up `doc` cites for the entity.
    fn of_doc(&self, doc: DocId) -> impl Iterator<Item = u32> + '_ {
        let ords = self
            .column
            .iter()
            .filter(|_| !self.cites.is_empty())
            .flat_map(move |column| column.term_ords(doc));
        ords.filter_map(|ord| {
            let at = self
                .cites
                .binary_search_by_key(&ord, |&(row, _)| row)
                .ok()?;
            Some(self.cites[at].1)
        })
    }
}

/// The first value of `doc` in a column the segment may lack.
fn first(column: Option<&ValueLists>, doc: DocId) -> Option<u32> {
    column.and_then(|column| column.first(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cites_values_split_into_url_host_and_label() {
        let value =
            format!("https://www.cisa.gov/kev{CITE_SEPARATOR}cisa.gov{CITE_SEPARATOR}CISA KEV");
        assert_eq!(
            cite_parts(&value),
            ("https://www.cisa.gov/kev", "cisa.gov", "CISA KEV")
        );
        // Only the first two separators split: a label keeps anything after them.
        let odd = format!("u{CITE_SEPARATOR}h{CITE_SEPARATOR}a{CITE_SEPARATOR}b");
        assert_eq!(cite_parts(&odd), ("u", "h", "a\u{1f}b"));
        assert_eq!(cite_parts("bare"), ("bare", "", ""));
    }

    /// A cut value reads back as `cite_parts` splits it, whatever parts it lacks.
    #[test]
    fn cuts_read_back_the_parts_they_were_made_from() {
        let values = [
            format!("https://www.cisa.gov/kev{CITE_SEPARATOR}cisa.gov{CITE_SEPARATOR}CISA KEV"),
            format!("u{CITE_SEPARATOR}h{CITE_SEPARATOR}a{CITE_SEPARATOR}b"),
            format!("https://example.org/é{CITE_SEPARATOR}example.org"),
            format!("mailto:x{CITE_SEPARATOR}{CITE_SEPARATOR}label"),
            "bare".to_string(),
        ];
        for value in &values {
            let cite = Cut::of(value).apply(value);
            let (url, host, label) = cite_parts(value);
            assert_eq!(
                (cite.url.text, cite.host.text, cite.label),
                (url, host, label)
            );
            assert_eq!((cite.url.hash, cite.host.hash), (hash(url), hash(host)));
        }
        let relabelled =
            format!("https://www.cisa.gov/kev{CITE_SEPARATOR}cisa.gov{CITE_SEPARATOR}KEV");
        let [a, b] = [&values[0], &relabelled].map(|value| Cut::of(value).apply(value).url);
        assert_eq!(a, b, "one URL under two labels is one key");
    }
}
