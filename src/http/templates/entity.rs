//! The entity page, every component of [`EntityPage`] in turn, and the entity list.

use maud::{html, Markup, PreEscaped};

use super::charts::{bars, sparkline, Bar};
use super::{entity_href, href, item_href, layout};
use crate::entity_page::{EntityFilter, EntityPage, EntitySummary, Sources, Window};
use crate::related::Direction;

/// Co-occurring entities shown on the page; the API lists them all.
pub(crate) const COOCCURRING_ON_PAGE: usize = 8;

/// `/entities/{key}`.
pub(crate) fn page(page: &EntityPage) -> Markup {
    layout(
        &page.name,
        true,
        html! {
            (header(page))
            (coverage(page))
            (sections(page))
            (sources(&page.sources))
            (relationships(page))
            (cooccurring(page))
            (suggestions(page))
            (timeline(page))
            (items(page))
        },
    )
}

fn header(page: &EntityPage) -> Markup {
    html! {
        section #header {
            @if let Some(merged) = &page.merged {
                p.notice #merged {
                    (merged.from_name) " (" code { (merged.from) } ") was merged into "
                    strong { (page.name) } "; this is its page."
                }
            }
            h1 { (page.name) " " small { (page.kind) } }
            p.meta {
                "key " code #key { (page.key) }
                @if let Some(nexus) = &page.nexus { " · nexus " (nexus) }
                @if let Some(first_seen) = &page.first_seen { " · first seen " (first_seen) }
                @if !page.registered { " · not in the registry" }
            }
            @if !page.aliases.is_empty() {
                p #aliases { "Also known as: " (page.aliases.join(", ")) }
            }
            @if let Some(summary) = &page.summary { p #summary { (summary) } }
            p.meta {
                a href=(href("/search", &[("entity".into(), page.key.clone())])) { "Search its items" }
                " · "
                a href={ "/api" (entity_href(&page.key)) } { "JSON" }
            }
        }
    }
}

fn coverage(page: &EntityPage) -> Markup {
    let coverage = &page.coverage;
    html! {
        section #coverage {
            h2 { "Coverage" }
            @if coverage.items == 0 {
                p { "No item links this entity yet." }
            } @else {
                p {
                    "First " strong #first { (coverage.first.as_deref().unwrap_or("?")) }
                    @if coverage.first_item != coverage.first {
                        " (the registry's first sighting), first item "
                        strong #first-item { (coverage.first_item.as_deref().unwrap_or("?")) }
                    }
                    ", last " strong #last { (coverage.last.as_deref().unwrap_or("?")) }
                    ": " strong #item-count { (coverage.items) } " items in "
                    strong #brief-count { (coverage.briefs) } " briefs."
                }
                (sparkline(&coverage.weeks))
            }
        }
    }
}

fn sections(page: &EntityPage) -> Markup {
    let rows: Vec<Bar> = page
        .sections
        .iter()
        .map(|section| Bar {
            label: section.section.clone(),
            value: section.count,
            note: None,
        })
        .collect();
    html! {
        @if !rows.is_empty() {
            section #sections {
                h2 { "Where it is cited" }
                (bars("Items per section", &rows))
            }
        }
    }
}

fn sources(sources: &Sources) -> Markup {
    let rows: Vec<Bar> = sources
        .distribution
        .iter()
        .map(|share| Bar {
            label: share.host.clone(),
            value: share.count as u64,
            note: Some(format!("{}%", share.percent)),
        })
        .collect();
    html! {
        @if sources.urls > 0 {
            section #sources {
                h2 { "Sources" }
                p { (sources.urls) " distinct URLs from " (sources.hosts) " hosts." }
                (bars("Distinct URLs per host", &rows))
                details {
                    summary {
                        @if sources.list.len() < sources.urls {
                            "The " (sources.list.len()) " most cited sources"
                        } @else {
                            "All cited sources"
                        }
                    }
                    table {
                        tr { th { "Source" } th { "Host" } th { "Items" } th { "Newest citing items" } }
                        @for source in &sources.list {
                            tr {
                                td { (external_link(&source.url, &source.label)) }
                                td { (source.host) }
                                td { (source.cited_by) }
                                td {
                                    @for id in &source.items { a href=(item_href(id)) { (id) } br; }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A link to a cited URL; only http(s) URLs become links, so a `javascript:` URL
/// in a brief stays inert text.
fn external_link(url: &str, label: &str) -> Markup {
    let text = if label.trim().is_empty() { url } else { label };
    let web = url.starts_with("https://") || url.starts_with("http://");
    html! {
        @if web {
            a href=(url) rel="noopener noreferrer nofollow" { (text) }
        } @else {
            (text) " (" (url) ")"
        }
    }
}

fn relationships(page: &EntityPage) -> Markup {
    html! {
        @if !page.relationships.is_empty() {
            section #relationships {
                h2 { "Relationships" }
                table {
                    @for relation in &page.relationships {
                        tr data-direction=(match relation.direction { Direction::Forward => "forward", Direction::Inverse => "inverse" }) {
                            td { (relation.reading) }
                            td { a href=(entity_href(&relation.key)) { (relation.name) } " " span.meta { (relation.kind) } }
                            td.meta {
                                @if let Some(evidence) = &relation.evidence {
                                    "evidence " a href=(item_href(evidence)) { (evidence) }
                                }
                                @if let Some(note) = &relation.note { " · " (note) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn cooccurring(page: &EntityPage) -> Markup {
    html! {
        @if !page.cooccurring.is_empty() {
            section #cooccurring {
                h2 { "Seen with" }
                p.meta { "Entities sharing items with it (weekly summaries left out)." }
                ol {
                    @for other in page.cooccurring.iter().take(COOCCURRING_ON_PAGE) {
                        li {
                            a href=(entity_href(&other.key)) { (other.name) }
                            span.meta { " " (other.kind) " · " (other.shared) " shared" }
                        }
                    }
                }
                @if page.cooccurring_total > COOCCURRING_ON_PAGE {
                    p.meta { (page.cooccurring_total - COOCCURRING_ON_PAGE) " more; the JSON lists the first "
                        (crate::entity_page::COOCCURRING_LISTED) "." }
                }
            }
        }
    }
}

fn suggestions(page: &EntityPage) -> Markup {
    html! {
        section #suggestions {
            h2 { "Possibly related" }
            @if page.suggestions.is_empty() {
                p.meta { "No entity co-occurs with it often enough beyond its curated relations." }
            } @else {
                p.meta { "Co-occurs more than chance predicts (log-likelihood G²), no curated relation yet." }
                ul {
                    @for suggestion in &page.suggestions {
                        li {
                            a href=(entity_href(&suggestion.key)) { (suggestion.name) }
                            span.meta {
                                " score " (format!("{:.1}", suggestion.score)) " · "
                                (suggestion.shared) " shared: "
                            }
                            @for id in &suggestion.items { a.meta href=(item_href(id)) { (id) } " " }
                        }
                    }
                }
            }
        }
    }
}

/// Links to the newer and older windows of the timeline, when there are any.
fn window_links(page: &EntityPage) -> Markup {
    let Window { offset, limit } = page.window;
    let window_href =
        |offset: usize| format!("{}?offset={offset}&limit={limit}", entity_href(&page.key));
    let shown_to = offset + page.timeline.len();
    html! {
        @if offset > 0 || shown_to < page.coverage.items {
            p.pages {
                "Items " (offset + 1) "–" (shown_to) " of " (page.coverage.items) ". "
                @if offset > 0 { a rel="prev" href=(window_href(offset.saturating_sub(limit))) { "Newer" } " " }
                @if shown_to < page.coverage.items { a rel="next" href=(window_href(offset + limit)) { "Older" } }
            }
        }
    }
}

fn timeline(page: &EntityPage) -> Markup {
    html! {
        @if page.timeline.is_empty() && page.window.offset > 0 {
            section #timeline {
                h2 { "Story timeline" }
                p.pages {
                    "No items past the first " (page.coverage.items) ". "
                    a rel="prev" href=(entity_href(&page.key)) { "Newest" }
                }
            }
        }
        @if !page.timeline.is_empty() {
            section #timeline {
                h2 { "Story timeline" }
                (window_links(page))
                table {
                    @for entry in &page.timeline {
                        tr {
                            td { (entry.date) }
                            td.meta { (entry.brief_title.as_deref().unwrap_or("entry")) br; (entry.section) }
                            td {
                                a href=(item_href(&entry.id)) { (entry.title) }
                                br;
                                span.meta { (entry.summary) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn items(page: &EntityPage) -> Markup {
    html! {
        @if !page.items.is_empty() {
            section #items {
                h2 { "Items about it" }
                ol.items {
                    @for item in &page.items {
                        li data-id=(item.id) data-linked-by=(item.linked_by) {
                            a href=(item_href(&item.id)) { (item.title) }
                            div.meta { (item.date) " · " (item.section) " · " (item.kind) }
                            // Built from escaped text with the mention in <b>.
                            div.snippet { (PreEscaped(&item.snippet)) }
                        }
                    }
                }
            }
        }
    }
}

/// `/entities`: the entity list, with its filter form.
pub(crate) fn list(rows: &[EntitySummary], total: usize, filter: &EntityFilter) -> Markup {
    let (prefix, kind) = (filter.prefix.as_deref(), filter.kind.as_deref());
    let shown_to = filter.offset + rows.len();
    let page = |offset: usize| {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut keep = |name: &str, value: Option<&str>| {
            if let Some(value) = value {
                pairs.push((name.to_string(), value.to_string()));
            }
        };
        keep("prefix", prefix);
        keep("type", kind);
        let limit = filter.limit.to_string();
        keep("limit", Some(&limit));
        if offset > 0 {
            pairs.push(("offset".to_string(), offset.to_string()));
        }
        href("/entities", &pairs)
    };
    let previous = (filter.offset > 0).then(|| page(filter.offset.saturating_sub(filter.limit)));
    let next = (shown_to < total).then(|| page(shown_to));
    layout(
        "Entities",
        true,
        html! {
            h1 { "Entities" }
            form #entity-filter action="/entities" method="get" {
                input type="search" name="prefix" value=[prefix] placeholder="name or alias starts with";
                " "
                input type="text" name="type" value=[kind] placeholder="type (actor, cve, …)" size="16";
                " "
                button type="submit" { "Filter" }
            }
            p.meta {
                @if rows.is_empty() { "None of " (total) " past the first " (filter.offset) "." }
                @else { (filter.offset + 1) "–" (shown_to) " of " (total) " shown." }
            }
            table #entities {
                tr { th { "Entity" } th { "Type" } th { "Items" } }
                @for row in rows {
                    tr {
                        td {
                            a href=(entity_href(&row.key)) { (row.name) }
                            @if let Some(matched) = &row.matched { span.meta { " (" (matched) ")" } }
                        }
                        td { (row.kind) }
                        td { (row.items) }
                    }
                }
            }
            nav.pagination #pagination {
                @if let Some(previous) = previous { a rel="prev" href=(previous) { "← previous" } " " }
                @if let Some(next) = next { a rel="next" href=(next) { "next →" } }
            }
        },
    )
}
