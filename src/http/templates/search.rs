//! The home page and the search page: results with highlighted snippets, facet
//! lists whose links filter, date-range inputs and pagination.

use maud::{html, Markup, PreEscaped};

use super::{entity_href, href, item_href, layout};
use crate::entity_page::EntitySummary;
use crate::search::{FacetCount, Hit, SearchRequest, SearchResponse, Sort};

/// Hits per page of the HTML search.
pub(crate) const PAGE_SIZE: usize = 20;

/// `/`: the search box and the most covered entities.
pub(crate) fn home(top: &[EntitySummary]) -> Markup {
    layout(
        "Search",
        false,
        html! {
            h1 { "Search the briefs" }
            form.search #search action="/search" method="get" {
                input type="search" name="q" autofocus placeholder="NIS2 France, APT42, CVE-2026-31431"
                    aria-label="Search";
                " "
                button type="submit" { "Search" }
            }
            p.meta {
                "Words must all match; \"quoted phrases\", -exclusion and OR work; "
                "an entity key such as actor:apt42 or a CVE id finds the items linked to it."
            }
            @if !top.is_empty() {
                h2 { "Most covered entities" }
                ul #top-entities {
                    @for entity in top {
                        li {
                            a href=(entity_href(&entity.key)) { (entity.name) }
                            span.meta { " " (entity.kind) " · " (entity.items) (if entity.items == 1 { " item" } else { " items" }) }
                        }
                    }
                }
            }
        },
    )
}

/// `/search`: the results of `request`, or the error that stopped it.
pub(crate) fn results(request: &SearchRequest, outcome: Result<&SearchResponse, &str>) -> Markup {
    let title = if request.query.is_empty() {
        "Search".to_string()
    } else {
        format!("{} – search", request.query)
    };
    layout(
        &title,
        false,
        html! {
            (search_form(request))
            @match outcome {
                Err(message) => p.error #error { (message) },
                Ok(response) => (answer(request, response)),
            }
        },
    )
}

fn search_form(request: &SearchRequest) -> Markup {
    html! {
        form.search #search action="/search" method="get" {
            input type="search" name="q" value=(request.query) aria-label="Search";
            " "
            label { "from " input type="date" name="from" value=[request.from.as_deref()]; }
            " "
            label { "to " input type="date" name="to" value=[request.to.as_deref()]; }
            " "
            label {
                "sort "
                select name="sort" {
                    option value="" { "best" }
                    option value="relevance" selected[request.sort == Some(Sort::Relevance)] { "relevance" }
                    option value="date" selected[request.sort == Some(Sort::Date)] { "newest" }
                }
            }
            @for (name, values) in [("section", &request.sections), ("host", &request.hosts), ("entity", &request.entities)] {
                @for value in values {
                    input type="hidden" name=(name) value=(value);
                }
            }
            " "
            button type="submit" { "Search" }
        }
    }
}

fn answer(request: &SearchRequest, response: &SearchResponse) -> Markup {
    let first = response.offset + 1;
    let last = response.offset + response.hits.len();
    html! {
        (active_filters(request))
        div.layout {
            div {
                p.meta #summary {
                    @if response.total == 0 {
                        "No results."
                    } @else if response.hits.is_empty() {
                        "No results past the first " (response.total) "."
                    } @else {
                        "Results " (first) "–" (last) " of " (response.total)
                        " · sorted by " (match response.sort { Sort::Relevance => "relevance", Sort::Date => "date" })
                    }
                }
                ol.hits #results start=(first) {
                    @for hit in &response.hits { (hit_row(hit)) }
                }
                (pagination(request, response))
            }
            aside.facets #facets {
                (facet_list(request, "Section", "section", &response.facets.section, &request.sections))
                (facet_list(request, "Entity", "entity", &response.facets.entity, &request.entities))
                (facet_list(request, "Source host", "host", &response.facets.host, &request.hosts))
                (month_list(request, &response.facets.month))
            }
        }
    }
}

fn hit_row(hit: &Hit) -> Markup {
    html! {
        li.hit data-id=(hit.id) {
            a.title href=(item_href(&hit.id)) { (PreEscaped(&hit.title_html)) }
            div.meta {
                (hit.date) " · " (hit.section) " · " (hit.kind)
                @if hit.rollup { " · roll-up" }
                @if let Some(brief) = &hit.brief { " · brief " (brief) }
            }
            // The snippet is built by the search from escaped text with <b> marks.
            div.snippet { (PreEscaped(&hit.snippet)) }
            @if !hit.entities.is_empty() {
                div.meta {
                    @for key in hit.entities.iter().take(8) {
                        a href=(entity_href(key)) { (key) } " "
                    }
                    @if hit.entities.len() > 8 { "+" (hit.entities.len() - 8) " more" }
                }
            }
        }
    }
}

/// The request as query pairs, without the offset: the base of every link.
fn pairs(request: &SearchRequest) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut push = |key: &str, value: &str| pairs.push((key.to_string(), value.to_string()));
    if !request.query.is_empty() {
        push("q", &request.query);
    }
    for section in &request.sections {
        push("section", section);
    }
    for host in &request.hosts {
        push("host", host);
    }
    for entity in &request.entities {
        push("entity", entity);
    }
    if let Some(from) = &request.from {
        push("from", from);
    }
    if let Some(to) = &request.to {
        push("to", to);
    }
    match request.sort {
        Some(Sort::Relevance) => push("sort", "relevance"),
        Some(Sort::Date) => push("sort", "date"),
        None => {}
    }
    if request.limit != PAGE_SIZE {
        push("limit", &request.limit.to_string());
    }
    pairs
}

/// The request with one filter value added, or removed when it is active.
fn toggled(request: &SearchRequest, name: &str, value: &str) -> String {
    let mut pairs = pairs(request);
    let at = pairs.iter().position(|(key, v)| key == name && v == value);
    match at {
        Some(at) => {
            pairs.remove(at);
        }
        None => pairs.push((name.to_string(), value.to_string())),
    }
    href("/search", &pairs)
}

fn active_filters(request: &SearchRequest) -> Markup {
    let active: Vec<(&str, &String)> = [
        ("section", &request.sections),
        ("host", &request.hosts),
        ("entity", &request.entities),
    ]
    .into_iter()
    .flat_map(|(name, values)| values.iter().map(move |value| (name, value)))
    .collect();
    html! {
        @if !active.is_empty() {
            p #filters {
                "Filtered by: "
                @for (name, value) in active {
                    span.filter { (name) " = " (value) " " a href=(toggled(request, name, value)) title="remove" { "×" } } " "
                }
            }
        }
    }
}

fn facet_list(
    request: &SearchRequest,
    title: &str,
    name: &str,
    values: &[FacetCount],
    active: &[String],
) -> Markup {
    html! {
        @if !values.is_empty() {
            section.facet data-facet=(name) {
                h3 { (title) }
                ul {
                    @for value in values {
                        @let on = active.contains(&value.value);
                        li.active[on] {
                            a href=(toggled(request, name, &value.value)) {
                                (value.label.as_deref().unwrap_or(&value.value))
                            }
                            " " span.count { (value.count) }
                        }
                    }
                }
            }
        }
    }
}

/// Months filter through the date range: a click sets from/to to the month, within
/// the range already asked for, so that the link finds the count it shows.
fn month_list(request: &SearchRequest, months: &[FacetCount]) -> Markup {
    let link = |month: &str| {
        let mut pairs: Vec<(String, String)> = pairs(request)
            .into_iter()
            .filter(|(key, _)| key != "from" && key != "to")
            .collect();
        let first = format!("{month}-01");
        let last = format!("{month}-{:02}", month_length(month));
        let from = request.from.clone().filter(|from| *from > first);
        let to = request.to.clone().filter(|to| *to < last);
        pairs.push(("from".into(), from.unwrap_or(first)));
        pairs.push(("to".into(), to.unwrap_or(last)));
        href("/search", &pairs)
    };
    html! {
        @if !months.is_empty() {
            section.facet data-facet="month" {
                h3 { "Month" }
                ul {
                    @for month in months {
                        li { a href=(link(&month.value)) { (month.value) } " " span.count { (month.count) } }
                    }
                }
            }
        }
    }
}

fn pagination(request: &SearchRequest, response: &SearchResponse) -> Markup {
    let page = |offset: usize| {
        let mut pairs = pairs(request);
        if offset > 0 {
            pairs.push(("offset".into(), offset.to_string()));
        }
        href("/search", &pairs)
    };
    // Past the last hit, "previous" is the last page that has hits.
    let last_page = response.total.saturating_sub(1) / request.limit.max(1) * request.limit;
    let previous = (response.offset > 0)
        .then(|| page(response.offset.saturating_sub(request.limit).min(last_page)));
    let next = (response.offset + response.hits.len() < response.total)
        .then(|| page(response.offset + request.limit));
    html! {
        nav.pagination #pagination {
            @if let Some(previous) = previous { a rel="prev" href=(previous) { "← previous" } " " }
            @if let Some(next) = next { a rel="next" href=(next) { "next →" } }
        }
    }
}

/// Days in a `YYYY-MM` month; 31 for anything unreadable, which the date check of
/// the search then names.
fn month_length(month: &str) -> u8 {
    let parsed = month.split_once('-').and_then(|(year, month)| {
        let year: i32 = year.parse().ok()?;
        let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
        Some(time::util::days_in_month(month, year))
    });
    parsed.unwrap_or(31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_links_end_on_the_last_day() {
        assert_eq!(month_length("2026-06"), 30);
        assert_eq!(month_length("2028-02"), 29);
        assert_eq!(month_length("2026-07"), 31);
    }

    #[test]
    fn facet_links_toggle_one_value() {
        let request = SearchRequest {
            query: "NIS2 France".into(),
            sections: vec!["active-threats".into()],
            limit: PAGE_SIZE,
            ..SearchRequest::default()
        };
        assert_eq!(
            toggled(&request, "host", "cert.ssi.gouv.fr"),
            "/search?q=NIS2+France&section=active-threats&host=cert.ssi.gouv.fr"
        );
        assert_eq!(
            toggled(&request, "section", "active-threats"),
            "/search?q=NIS2+France"
        );
    }
}
