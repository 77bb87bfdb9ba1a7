//! `search`: ranked hits and facets in the terminal or as JSON.

use std::io::IsTerminal;

use anyhow::Result;

use super::{settings, SearchArgs, SortArg};
use dossier::index::DossierIndex;
use dossier::registry::Registry;
use dossier::search::{self, SearchRequest, SearchResponse, Sort};

pub(super) fn search_command(args: SearchArgs) -> Result<()> {
    let settings = settings(&args.common, None)?;
    let index = DossierIndex::open(&settings.index)?;
    // Search runs without a registry, but answers less: merged keys and aliases
    // are not resolved, and unknown entity filters are not named.
    let path = settings.registry_for(Some(&index));
    let registry = Registry::load(&path)
        .inspect_err(|error| {
            tracing::warn!(
                "{error}; searching without it: merged keys and aliases are not resolved"
            )
        })
        .ok();
    let request = SearchRequest {
        query: args.query.join(" "),
        sections: args.section,
        hosts: args.host,
        entities: args.entity,
        from: args.from,
        to: args.to,
        sort: args.sort.map(|sort| match sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        }),
        limit: args.limit,
        offset: args.offset,
        items_only: false,
    };
    let response = search::search(&index, registry.as_ref(), &request)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        print_hits(&response);
    }
    Ok(())
}

fn print_hits(response: &SearchResponse) {
    let bold = std::io::stdout().is_terminal();
    println!("{}", heading(response));
    for (at, hit) in response.hits.iter().enumerate() {
        let rollup = if hit.rollup { " roll-up" } else { "" };
        println!(
            "\n{:>3}. {}  [{}{rollup}] {}",
            response.offset + at + 1,
            hit.date,
            hit.section,
            hit.title
        );
        match response.sort {
            Sort::Relevance => println!("     {}  score {:.2}", hit.id, hit.score),
            Sort::Date => println!("     {}", hit.id),
        }
        let snippet = terminal_snippet(&hit.snippet, bold).replace('\n', " ");
        println!("     {snippet}");
    }
    let facets = &response.facets;
    for (name, values) in [
        ("section", &facets.section),
        ("host", &facets.host),
        ("month", &facets.month),
        ("entity", &facets.entity),
    ] {
        let shown: Vec<String> = values
            .iter()
            .take(8)
            .map(|value| format!("{} ({})", value.value, value.count))
            .collect();
        if !shown.is_empty() {
            println!("\n{name}: {}", shown.join(", "));
        }
    }
}

/// `13 hits for "Qilin"`; `2 hits, newest first` for a search by filters alone.
fn heading(response: &SearchResponse) -> String {
    let mut heading = super::counted(response.total, "hit");
    if !response.query.trim().is_empty() {
        heading.push_str(&format!(" for {:?}", response.query));
    }
    if response.sort == Sort::Date {
        heading.push_str(", newest first");
    }
    heading
}

fn terminal_snippet(html: &str, bold: bool) -> String {
    let (on, off) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<b>", on)
        .replace("</b>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
