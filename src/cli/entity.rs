//! `entity` and `serve`: entity pages in the terminal, and the HTTP service.

use anyhow::{Context, Result};

use super::Common;
use dossier::entity_page::{self, Coverage, EntityPage, Window};
use dossier::http::{self, ServerConfig};
use dossier::index::DossierIndex;
use dossier::registry::Registry;
use dossier::settings::{RawSettings, Settings};

pub(super) fn serve(common: &Common, addr: Option<String>) -> Result<()> {
    let raw = RawSettings {
        index: common.index.clone(),
        registry: common.registry.clone(),
        addr,
        ..RawSettings::default()
    };
    let settings = Settings::resolve(raw.with_env())?;
    let index = DossierIndex::open(&settings.index)?;
    let config = ServerConfig {
        registry: settings.registry_for(Some(&index)),
        index: settings.index.clone(),
        addr: settings.addr,
        token: settings.token.clone(),
    };
    drop(index);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(http::run(config))?;
    Ok(())
}

pub(super) fn entity(settings: Settings, key: &str, window: Window, json: bool) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry_path = settings.registry_for(Some(&index));
    let registry = Registry::load(&registry_path)?;
    let page = entity_page::entity_page(&index, &registry, key, window)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&page)?);
    } else {
        print_entity(&page);
    }
    Ok(())
}

/// `Name (key)`, or the key alone where it is the name (CVEs).
fn named(name: &str, key: &str) -> String {
    if name == key {
        key.to_string()
    } else {
        format!("{name} ({key})")
    }
}

fn print_entity(page: &EntityPage) {
    if let Some(merged) = &page.merged {
        println!(
            "{} ({}) was merged into {}",
            merged.from_name, merged.from, merged.into
        );
    }
    println!("{}  [{}]  {}", page.name, page.kind, page.key);
    if !page.aliases.is_empty() {
        println!("aka {}", page.aliases.join(", "));
    }
    if let Some(summary) = &page.summary {
        println!("{summary}");
    }
    println!("\n{}", coverage_line(&page.coverage));
    let list = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            println!("\n{title}:");
            for row in rows {
                println!("  {row}");
            }
        }
    };
    list(
        "sections",
        page.sections
            .iter()
            .map(|s| format!("{:>3}  {}", s.count, s.section))
            .collect(),
    );
    list(
        "sources (distinct URLs per host)",
        page.sources
            .distribution
            .iter()
            .map(|share| format!("{:>3}  {:>3}%  {}", share.count, share.percent, share.host))
            .collect(),
    );
    list(
        "relationships",
        page.relationships
            .iter()
            .map(|r| format!("{} {}", r.reading, named(&r.name, &r.key)))
            .collect(),
    );
    list(
        "seen with",
        page.cooccurring
            .iter()
            .take(8)
            .map(|c| format!("{:>3}  {}", c.shared, named(&c.name, &c.key)))
            .collect(),
    );
    list(
        "possibly related",
        page.suggestions
            .iter()
            .map(|s| {
                format!(
                    "{:>6.1}  {}, {} shared",
                    s.score,
                    named(&s.name, &s.key),
                    s.shared
                )
            })
            .collect(),
    );
    list(
        "timeline",
        page.timeline
            .iter()
            .map(|t| format!("{}  [{}] {}  ({})", t.date, t.section, t.title, t.id))
            .collect(),
    );
}

/// `3 items in 2 briefs, 2026-05-06 to 2026-07-13`; items from entry files alone
/// are said to be, and the registry's first sighting, when it is earlier than the
/// first item, is said to be that: "1 item, 2026-05-06 to 2026-05-07" read as an
/// item of 2026-05-06.
fn coverage_line(coverage: &Coverage) -> String {
    let items = super::counted(coverage.items, "item");
    let span = match (&coverage.first, &coverage.first_item, &coverage.last) {
        (Some(first), Some(item), Some(last)) if first != item => {
            format!(", {item} to {last} (first seen {first})")
        }
        (_, Some(item), Some(last)) => format!(", {item} to {last}"),
        (Some(first), _, _) => format!(", first seen {first}"),
        _ => String::new(),
    };
    match (coverage.items, coverage.briefs) {
        (0, _) => format!("no item yet{span}"),
        (_, 0) => format!("{items}, all from entry files{span}"),
        (_, briefs) => format!("{items} in {}{span}", super::counted(briefs, "brief")),
    }
}
