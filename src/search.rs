//! Running a search: hits with snippets, and facet counts, from one Tantivy pass.
//!
//! [`SearchResponse`] is the JSON of both `dossier search --json` and
//! `GET /api/search`.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, Term};

use crate::corpus::section::SectionMap;
use crate::index::facet_counts::{FacetCounts, FacetTotals, FacetValues};
use crate::index::ranked::{Rank, Ranked};
use crate::index::reader::item_at;
use crate::index::schema::{day_number, facet, facet_of};
use crate::index::writer;
use crate::index::{fan_out, per_segment};
use crate::index::{DossierIndex, IndexError};
use crate::item::Item;
use crate::query::{self, Highlights, QueryError};
use crate::registry::Registry;
use crate::snippet::Snippets;

mod hosts;

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 1000;
/// Deepest offset one request may ask for.
pub const MAX_OFFSET: usize = 100_000;
/// Hits when no limit is given.
pub const DEFAULT_LIMIT: usize = 10;
/// Values listed per facet (sections and months are all listed).
const FACET_TOP: usize = 20;
/// Longest snippet, in bytes of the body.
const SNIPPET_BYTES: usize = 220;

/// How results are ordered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// BM25 score (the default when there is query text).
    #[default]
    Relevance,
    /// Newest first, ties by id (the default without query text).
    Date,
}

/// A search: query text plus filters. Repeated values of one filter are
/// alternatives; different filters must all hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// What the user typed.
    pub query: String,
    /// Section keys.
    pub sections: Vec<String>,
    /// Source hosts.
    pub hosts: Vec<String>,
    /// Entity keys (tombstones forward).
    pub entities: Vec<String>,
    /// First date, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last date, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Order; `None` picks relevance with text and date without.
    pub sort: Option<Sort>,
    /// Hits per page.
    pub limit: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Leave out brief-level text documents.
    pub items_only: bool,
}

/// A bad search request: the parameter and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query text is malformed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A parameter is out of range or unknown.
    #[error("{parameter}: {message}")]
    Parameter {
        /// The parameter name.
        parameter: &'static str,
        /// What is wrong, with the valid values.
        message: String,
    },
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl SearchError {
    /// `true` for errors caused by the request rather than the server.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, SearchError::Index(_))
    }
}

/// One hit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Hit {
    /// Item id (`2026-05-06/slug`), or brief id for brief-level text.
    pub id: String,
    /// Title.
    pub title: String,
    /// The title as HTML: escaped, with `<b>` around the query's words.
    pub title_html: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// daily / weekly / entry.
    pub kind: String,
    /// Brief id, when published in a brief.
    pub brief: Option<String>,
    /// Section key (`brief` for brief-level text).
    pub section: String,
    /// `true` for a roll-up: a table restating a section's stories, or a brief's
    /// action items.
    pub rollup: bool,
    /// Relevance score (0 when sorted by date without text).
    pub score: f32,
    /// HTML snippet: escaped text with `<b>` around matches.
    pub snippet: String,
    /// Entity keys.
    pub entities: Vec<String>,
    /// Distinct cited hosts.
    pub hosts: Vec<String>,
    /// The first cited source, if any.
    pub url: Option<String>,
    /// The item's page on the server.
    pub page: String,
}

/// One facet value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct FacetCount {
    /// The value (section key, host, `YYYY-MM`, entity key).
    pub value: String,
    /// Matching documents.
    pub count: u64,
    /// Display name (entity facets).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
}

/// Facet counts over every match, not only the page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default, schemars::JsonSchema)]
pub struct Facets {
    /// Per section, largest first.
    pub section: Vec<FacetCount>,
    /// Per cited host, largest first (top 20).
    pub host: Vec<FacetCount>,
    /// Per month, oldest first.
    pub month: Vec<FacetCount>,
    /// Per entity, largest first (top 20).
    pub entity: Vec<FacetCount>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SearchResponse {
    /// The query text as given.
    pub query: String,
    /// Matching documents.
    pub total: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// Order used.
    pub sort: Sort,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Counts per section, host, month, entity.
    pub facets: Facets,
}

/// Checks a request's parameters before any work is done.
pub fn validate(request: &SearchRequest) -> Result<(), SearchError> {
    if request.limit == 0 || request.limit > MAX_LIMIT {
        return Err(SearchError::Parameter {
            parameter: "limit",
            message: format!("must be between 1 and {MAX_LIMIT}, got {}", request.limit),
        });
    }
    if request.offset > MAX_OFFSET {
        return Err(SearchError::Parameter {
            parameter: "offset",
            message: format!("must be at most {MAX_OFFSET}, got {}", request.offset),
        });
    }
    let day = |parameter: &'static str, date: &Option<String>| match date {
        None => Ok(None),
        Some(date) => parse_date(date)
            .map(Some)
            .ok_or_else(|| SearchError::Parameter {
                parameter,
                message: format!("`{date}` is not a date; use YYYY-MM-DD"),
            }),
    };
    if let (Some(from), Some(to)) = (day("from", &request.from)?, day("to", &request.to)?) {
        if from > to {
            return Err(SearchError::Parameter {
                parameter: "to",
                message: format!(
                    "`{}` is before from `{}`: no item could match",
                    request.to.as_deref().unwrap_or_default(),
                    request.from.as_deref().unwrap_or_default()
                ),
            });
        }
    }
    let known = known_sections();
    if let Some(unknown) = request
        .sections
        .iter()
        .find(|section| !known.contains(section.as_str()))
    {
        let valid: Vec<&str> = known.iter().copied().collect();
        return Err(SearchError::Parameter {
            parameter: "section",
            message: format!("unknown section `{unknown}`; valid: {}", valid.join(", ")),
        });
    }
    if let Some(unnamed) = request
        .hosts
        .iter()
        .find(|host| hosts::HostFilter::parse(host).is_none())
    {
        return Err(SearchError::Parameter {
            parameter: "host",
            message: format!(
                "`{unnamed}` is not a host name; give one such as www.socradar.io, a URL, \
                 or *.paloaltonetworks.com for a domain and every host under it"
            ),
        });
    }
    // A well-formed key the registry lacks still filters: unregistered keys of
    // entry files and CVE ids are linked too. A malformed one links nothing.
    if let Some(malformed) = request.entities.iter().find(|key| {
        crate::registry::key_parts(&key.trim().to_lowercase()).is_none()
            && crate::corpus::cve_id(key).is_none()
    }) {
        return Err(SearchError::Parameter {
            parameter: "entity",
            message: format!("`{malformed}` is not an entity key (`type:slug` or a CVE id)"),
        });
    }
    Ok(())
}

fn parse_date(date: &str) -> Option<u64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format).ok()?;
    day_number(date)
}

/// Every section key the engine can produce.
pub fn known_sections() -> BTreeSet<&'static str> {
    let mut keys = SectionMap::shipped().keys();
    keys.extend(["other", "brief"]);
    keys
}

/// Runs a search.
pub fn search(
    index: &DossierIndex,
    registry: Option<&Registry>,
    request: &SearchRequest,
) -> Result<SearchResponse, SearchError> {
    validate(request)?;
    if let Some(registry) = registry {
        known_entities(index, registry, request)?;
    }
    let plan = plan(index, registry, request)?;
    respond(index, registry, request, &plan)
}

/// Refuses an entity filter that names nothing. A key that neither the registry
/// nor any item knows (`actor:quilin`) is a typo far more often than a question,
/// and filtering by it would answer "no items" without saying why. CVE ids pass:
/// whether a CVE was ever covered is a question, and no items its answer.
fn known_entities(
    index: &DossierIndex,
    registry: &Registry,
    request: &SearchRequest,
) -> Result<(), SearchError> {
    let searcher = index.searcher();
    for key in &request.entities {
        let canonical = canonical_key(key, Some(registry));
        if crate::corpus::cve_id(key).is_some() || registry.get(&canonical).is_some() {
            continue;
        }
        let term = Term::from_facet(index.fields().entity, &facet_of(facet::ENTITY, &canonical));
        let linked = searcher
            .doc_freq(&term)
            .map_err(|error| index.error(error))?;
        if linked == 0 {
            return Err(SearchError::Parameter {
                parameter: "entity",
                message: crate::entity_page::not_found(registry, key).to_string(),
            });
        }
    }
    Ok(())
}

/// A request turned into queries.
struct Plan {
    /// The text query and every filter: what is counted and ranked.
    filtered: Box<dyn Query>,
    /// The text query alone, which snippets highlight.
    text: Option<Box<dyn Query>>,
    /// Its words and phrases, analyzed.
    highlights: Highlights,
    sort: Sort,
}

fn plan(
    index: &DossierIndex,
    registry: Option<&Registry>,
    request: &SearchRequest,
) -> Result<Plan, SearchError> {
    let searcher = index.searcher();
    let names = IndexNames {
        searcher: &searcher,
        labels: index.fields().labels,
        body: index.fields().body,
        registry,
        registered: registry.map(registered_labels),
    };
    let parsed = query::parse_with(&request.query, &names)?;
    let text = (!parsed.is_empty()).then(|| parsed.to_query(index.fields(), &names));
    let requires_text = text.as_ref().is_some_and(|text| text.requires_text);
    let (text, highlights) = match text {
        Some(text) => (Some(text.query), text.highlights),
        None => (None, Highlights::default()),
    };
    let hosts = cited_hosts(index, &searcher, &request.hosts)?;
    let filtered = filtered_query(
        index,
        registry,
        request,
        &hosts,
        text.as_ref().map(|query| query.box_clone()),
        requires_text,
    );
    // With nothing to match (no query, or exclusions only) every score is the same:
    // newest first is the order that says something.
    let sort = request.sort.unwrap_or(if requires_text {
        Sort::Relevance
    } else {
        Sort::Date
    });
    Ok(Plan {
        filtered,
        text,
        highlights,
        sort,
    })
}

/// The names a query may hold, as one generation of the index and the registry
/// know them.
struct IndexNames<'a> {
    searcher: &'a Searcher,
    labels: Field,
    body: Field,
    registry: Option<&'a Registry>,
    /// The registry's labels (see [`registered_labels`]).
    registered: Option<Arc<HashSet<String>>>,
}

impl query::Names for IndexNames<'_> {
    fn is_label(&self, label: &str) -> bool {
        if self
            .registered
            .as_ref()
            .is_some_and(|registered| registered.contains(label))
        {
            return true;
        }
        let term = Term::from_field_text(self.labels, label);
        self.searcher.doc_freq(&term).is_ok_and(|count| count > 0)
    }

    fn canonical(&self, key: &str) -> String {
        canonical_key(key, self.registry)
    }

    fn is_common(&self, term: &str) -> bool {
        let term = Term::from_field_text(self.body, term);
        let holding = self.searcher.doc_freq(&term).unwrap_or(0);
        holding.saturating_mul(100) >= self.searcher.num_docs().max(1)
    }
}

/// The label term of every spelling the tagger matches of every registered name
/// and alias, read once per registry: a name that no item links yet (`ACR
/// Stealer`) is still a name, bound beside an `OR` and highlighted whole.
fn registered_labels(registry: &Registry) -> Arc<HashSet<String>> {
    static LABELS: Mutex<Option<(u64, Arc<HashSet<String>>)>> = Mutex::new(None);
    let mut kept = LABELS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((version, labels)) = kept.as_ref() {
        if *version == registry.version() {
            return Arc::clone(labels);
        }
    }
    let labels: Arc<HashSet<String>> = Arc::new(
        registry
            .all()
            .iter()
            .flat_map(writer::label_terms)
            .collect(),
    );
    *kept = Some((registry.version(), Arc::clone(&labels)));
    labels
}

/// Counts, ranks and renders one page of `plan`.
fn respond(
    index: &DossierIndex,
    registry: Option<&Registry>,
    request: &SearchRequest,
    plan: &Plan,
) -> Result<SearchResponse, SearchError> {
    let searcher = index.searcher();
    let query = plan.filtered.as_ref();
    let (page, total, facets) = collect(index, &searcher, query, request, plan.sort)?;
    let snippets = match &plan.text {
        Some(text) => Some(
            Snippets::with_labels(
                &searcher,
                text.as_ref(),
                index.fields().body,
                index.fields().labels,
                SNIPPET_BYTES,
            )
            .map_err(|error| index.error(error))?
            .highlighting(&plan.highlights),
        ),
        None => None,
    };

    // Reading a hit's stored item and cutting its snippet are independent of the
    // other hits: they run on the index's search threads, in page order.
    let hits = fan_out::map(
        index.tantivy().search_executor(),
        &page,
        |&(score, address)| {
            let item = item_at(index, &searcher, address);
            Ok(item.map(|item| hit(item, score, snippets.as_ref(), registry)))
        },
    )
    .map_err(|error| index.error(error))?
    .into_iter()
    .collect::<Result<Vec<Hit>, IndexError>>()?;
    Ok(SearchResponse {
        query: request.query.clone(),
        total,
        offset: request.offset,
        limit: request.limit,
        sort: plan.sort,
        hits,
        facets: facet_lists(&facets, registry),
    })
}

/// The text query (or every document) restricted by the request's filters, its
/// `host` filters read as the cited `hosts` they stand for. `text_scoped` says
/// the text query already keeps stored files out: the scope filter, an
/// intersection with every searchable document, is then left out.
fn filtered_query(
    index: &DossierIndex,
    registry: Option<&Registry>,
    request: &SearchRequest,
    hosts: &[String],
    text: Option<Box<dyn Query>>,
    text_scoped: bool,
) -> Box<dyn Query> {
    let fields = index.fields();
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if request.items_only || !request.entities.is_empty() {
        parts.push(filter(query::items_only(fields)));
    } else if !text_scoped {
        parts.push(filter(query::searchable(fields)));
    }
    if let Some(text) = text {
        parts.push((Occur::Must, text));
    }
    if !request.sections.is_empty() {
        parts.push(filter(query::facet_any(
            fields.section,
            facet::SECTION,
            &request.sections,
        )));
    }
    if !request.hosts.is_empty() {
        parts.push(filter(query::facet_any(fields.host, facet::HOST, hosts)));
    }
    if !request.entities.is_empty() {
        let keys: Vec<String> = request
            .entities
            .iter()
            .map(|key| canonical_key(key, registry))
            .collect();
        parts.push(filter(query::facet_any(
            fields.entity,
            facet::ENTITY,
            &keys,
        )));
    }
    let from = request.from.as_deref().and_then(parse_date);
    let to = request.to.as_deref().and_then(parse_date);
    if from.is_some() || to.is_some() {
        parts.push(filter(query::day_range(fields, from, to)));
    }
    Box::new(BooleanQuery::new(parts))
}

/// A clause that restricts without scoring.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// An entity key as stored: CVE ids upper-case, tombstones forwarded.
pub fn canonical_key(key: &str, registry: Option<&Registry>) -> String {
    let key = key.trim();
    if key.to_ascii_uppercase().starts_with("CVE-") {
        return key.to_ascii_uppercase();
    }
    // Keys are lower case: `Actor:Qilin` can only mean one.
    let key = key.to_lowercase();
    registry
        .map_or(key.as_str(), |registry| registry.canonical(&key))
        .to_string()
}

/// The cited hosts that `asked` (a request's `host` filters) stand for in
/// `searcher`'s generation (see [`hosts::resolve`]).
fn cited_hosts(
    index: &DossierIndex,
    searcher: &Searcher,
    asked: &[String],
) -> Result<Vec<String>, SearchError> {
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let values = FacetValues::of(searcher, &COUNTED).map_err(|error| index.error(error))?;
    hosts::resolve(asked, values.leaves(HOST_COUNTED)).map_err(|message| SearchError::Parameter {
        parameter: "host",
        message,
    })
}

type Page = Vec<(f32, DocAddress)>;

/// The facet fields counted for every search, in [`facet_lists`]' order.
const COUNTED: [&str; 4] = [facet::SECTION, facet::HOST, facet::MONTH, facet::ENTITY];
/// The place of hosts in [`COUNTED`].
const HOST_COUNTED: usize = 1;

/// Lists the facet values of `searcher`'s generation and decodes the counted
/// columns of each of its segments, ahead of its first search (see
/// [`crate::warming`]).
pub fn prepare(searcher: &Searcher) -> tantivy::Result<()> {
    per_segment::open_all(searcher, &FacetCounts::new(searcher, &COUNTED)?)
}

fn collect(
    index: &DossierIndex,
    searcher: &Searcher,
    query: &dyn Query,
    request: &SearchRequest,
    sort: Sort,
) -> Result<(Page, usize, FacetTotals), SearchError> {
    let error = |error| SearchError::Index(index.error(error));
    let facets = FacetCounts::new(searcher, &COUNTED).map_err(error)?;
    // Ties by id, as entity pages list them: a page of results must not depend
    // on how the index happens to be split into segments. Items that only an
    // entity's name found often tie.
    let rank = match sort {
        Sort::Relevance => Rank::Score,
        Sort::Date => Rank::Newest,
    };
    let page = Ranked::new(rank, request.offset, request.limit);
    fan_out::search(searcher, query, &(page, Count, facets)).map_err(error)
}

fn facet_lists(counts: &FacetTotals, registry: Option<&Registry>) -> Facets {
    // A broad query counts thousands of hosts: the top ones are chosen by
    // reference, and only the values listed are copied.
    let list = |at: usize, top: Option<usize>| -> Vec<FacetCount> {
        let mut values: Vec<(&str, u64)> = counts.counted(at).collect();
        if COUNTED[at] != facet::MONTH {
            let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
            if let Some(top) = top.filter(|&top| top > 0 && top < values.len()) {
                values.select_nth_unstable_by(top - 1, order);
                values.truncate(top);
            }
            values.sort_unstable_by(order);
        }
        values
            .into_iter()
            .map(|(leaf, count)| FacetCount {
                value: leaf.to_string(),
                count,
                label: None,
            })
            .collect()
    };
    let mut entity = list(3, Some(FACET_TOP));
    if let Some(registry) = registry {
        for value in &mut entity {
            value.label = registry.get(&value.value).map(|entity| entity.name.clone());
        }
    }
    Facets {
        section: list(0, None),
        host: list(1, Some(FACET_TOP)),
        month: list(2, None),
        entity,
    }
}

fn hit(item: Item, score: f32, snippets: Option<&Snippets>, registry: Option<&Registry>) -> Hit {
    let snippet = snippets
        .and_then(|snippets| snippet_html(&item, snippets, registry))
        .unwrap_or_else(|| escape_html(&item.summary));
    let title_html = match snippets {
        Some(snippets) => snippets.highlight(&item.title).to_html(),
        None => escape_html(&item.title),
    };
    Hit {
        page: format!("/items/{}", item.id),
        url: item.sources.first().map(|source| source.url.clone()),
        hosts: item.hosts().into_iter().map(str::to_string).collect(),
        id: item.id,
        title: item.title,
        title_html,
        date: item.date,
        kind: item.kind.as_str().to_string(),
        brief: item.brief.map(|brief| brief.id),
        section: item.section,
        rollup: item.rollup,
        score,
        snippet,
        entities: item.entities,
    }
}

/// The best fragment of the item's body around the query's words; for a hit found
/// through a CVE id its list stands for or an entity's alias alone, around where
/// the body writes them; else its summary, with the query's words highlighted
/// where the summary holds them (a lead that is not in the body), or followed by
/// the footer's line where that holds them.
fn snippet_html(item: &Item, snippets: &Snippets, registry: Option<&Registry>) -> Option<String> {
    let snippet = snippets.snippet(&item.body);
    if !snippet.is_empty() {
        return Some(snippet.to_html());
    }
    let mut mentions = asked_list_places(&item.body, snippets);
    if let Some(registry) = registry {
        mentions.extend(alias_mentions(item, snippets, registry));
    }
    if !mentions.is_empty() {
        let snippet = snippets.mention_snippet(&item.body, &mentions);
        if !snippet.is_empty() {
            return Some(snippet.to_html());
        }
    }
    let snippet = snippets.snippet(&item.summary);
    if !snippet.is_empty() {
        return Some(snippet.to_html());
    }
    let footer = footer_line(item);
    let snippet = snippets.snippet(&footer);
    (!snippet.is_empty()).then(|| format!("{} · {}", escape_html(&item.summary), snippet.to_html()))
}

/// The footer's lists as a line (`Tags: ransomware, extortion · Region: europe`): a
/// hit that matched only there (its keywords) shows the summary and this line.
fn footer_line(item: &Item) -> String {
    item.footer
        .keyword_lists()
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(name, values)| format!("{name}: {}", values.join(", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Where `body` writes a CVE id that the query asks for as part of a list
/// (`27` of `CVE-2026-23926/27/28` for `CVE-2026-23927`), weighted as that id.
fn asked_list_places(body: &str, snippets: &Snippets) -> Vec<(std::ops::Range<usize>, f32)> {
    crate::tagger::cve_places(body)
        .into_iter()
        .filter_map(|(range, id)| Some((range, snippets.term_weight(&id.to_ascii_lowercase())?)))
        .collect()
}

/// The body's mentions of those of the item's entities whose name or an alias
/// holds a query word, as byte ranges of the body weighted as that word.
fn alias_mentions(
    item: &Item,
    snippets: &Snippets,
    registry: &Registry,
) -> Vec<(std::ops::Range<usize>, f32)> {
    // Mentions point into `Item::text`, which ends with the body.
    let body_start = item.text().len() - item.body.len();
    let mut found = Vec::new();
    for key in &item.entities {
        let Some(entity) = registry.get(key) else {
            continue;
        };
        let spellings = crate::tagger::entity_spellings(entity);
        let Some(weight) = snippets.label_weight(spellings.iter().map(String::as_str)) else {
            continue;
        };
        let in_body = item
            .mentions
            .iter()
            .filter(|mention| mention.key == *key && mention.start >= body_start);
        found.extend(
            in_body.map(|mention| (mention.start - body_start..mention.end - body_start, weight)),
        );
    }
    found
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}
