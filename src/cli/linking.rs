//! `tag`, `eval-linking` and `suggest-aliases`: entity links of texts and their quality.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};

use super::{load_registry, UsageError};
use dossier::annotate::annotate;
use dossier::corpus;
use dossier::index::DossierIndex;
use dossier::linking;
use dossier::registry::Registry;
use dossier::search::{self, SearchRequest};
use dossier::settings::Settings;

pub(super) fn tag(settings: Settings, file: &str, json: bool, suggest: bool) -> Result<()> {
    let text = read_text(file)?;
    let index = match suggest {
        true => Some(DossierIndex::open(&settings.index)?),
        false => DossierIndex::open(&settings.index).ok(),
    };
    let (registry, tagger) = load_registry(&settings.registry_for(index.as_ref()))?;
    let annotation = annotate(
        &text,
        &tagger,
        &registry,
        index.as_ref().filter(|_| suggest),
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&annotation)?);
        return Ok(());
    }
    for mention in &annotation.mentions {
        println!(
            "{}..{}\t{}\t{}\t{:?}",
            mention.start, mention.end, mention.key, mention.name, mention.label
        );
    }
    for suggestion in annotation.suggestions.iter().flatten() {
        let curated = suggestion
            .curated
            .as_ref()
            .map_or(String::new(), |link| format!(" [{}]", link.reading));
        println!(
            "suggest\t{}\t{}\tscore {:.1}, {} shared items{curated}",
            suggestion.key, suggestion.name, suggestion.score, suggestion.shared
        );
    }
    Ok(())
}

/// The text of `file` (`-`: standard input). What is no text file (a missing
/// path, a folder, bytes that are not UTF-8) is the user's to fix: said as such,
/// with where the bytes go wrong.
fn read_text(file: &str) -> Result<String> {
    let (name, bytes) = if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        ("standard input", bytes)
    } else {
        let path = Path::new(file);
        if !path.exists() || path.is_dir() {
            // `dossier tag "some text"` is the likeliest way to get here.
            let what = if path.is_dir() {
                "a folder"
            } else {
                "no such file"
            };
            return Err(UsageError(format!(
                "{file}: {what}; `dossier tag` reads a file, or standard input with `-` \
                 (echo 'text' | dossier tag -)"
            ))
            .into());
        }
        (
            file,
            std::fs::read(path).with_context(|| format!("reading {file}"))?,
        )
    };
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let line = 1 + error.as_bytes()[..at]
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count();
        UsageError(format!(
            "{name}: line {line}, byte {at} of the text: not UTF-8 text; save it as UTF-8"
        ))
        .into()
    })
}

pub(super) fn eval_linking(settings: Settings, json: bool, show: usize) -> Result<()> {
    let registry = Registry::load(&settings.corpus_registry(&settings.corpus))?;
    let files = corpus::walk(&settings.corpus)?;
    let parsed = corpus::parse_files(&files)?;
    let evaluation = linking::evaluate(&parsed.items, &registry);
    if json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
        return Ok(());
    }

    let overall = &evaluation.overall;
    println!(
        "{} annotated items: recall {:.3} ({} of {} findable keys), {} candidate false positives",
        evaluation.items,
        overall.recall,
        overall.found,
        overall.findable,
        overall.candidate_false_positives
    );
    println!("\nby type:");
    for (kind, score) in &evaluation.by_type {
        println!(
            "  {kind:<10} recall {:.3} ({}/{}), candidates {}",
            score.recall, score.found, score.findable, score.candidate_false_positives
        );
    }
    println!("\nrules (cumulative):");
    for row in &evaluation.rules {
        println!(
            "  recall {:.3}  candidates {:>4}  corpus links {:>5}  {}",
            row.score.recall, row.score.candidate_false_positives, row.corpus_links, row.rules
        );
    }
    println!("\ncandidate false positives (first {show}):");
    for candidate in evaluation.false_positives.iter().take(show) {
        println!(
            "  {}  {}  {}",
            candidate.item, candidate.key, candidate.context
        );
    }
    println!("\nregistry gaps (first {show}):");
    for gap in evaluation.gaps.iter().take(show) {
        let aliases: Vec<String> = gap
            .suggestions
            .iter()
            .map(|s| format!("{} ({:.2})", s.alias, s.score))
            .collect();
        println!(
            "  {} [{}] in {} items; try: {}",
            gap.key,
            gap.reason,
            gap.items.len(),
            aliases.join(", ")
        );
    }
    Ok(())
}

pub(super) fn suggest_aliases(settings: Settings, key: &str, json: bool) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry = Registry::load(&settings.registry_for(Some(&index)))?;
    let key = registry.canonical(key).to_string();
    let entity = registry
        .get(&key)
        .ok_or_else(|| UsageError(format!("`{key}` is not in the registry")))?;
    let items = dossier::index::reader::all_items(&index)?;
    let corpus: Vec<&dossier::item::Item> = items.iter().collect();

    let mut carriers: Vec<&dossier::item::Item> = corpus
        .iter()
        .copied()
        .filter(|item| {
            item.explicit_entities
                .iter()
                .any(|k| registry.canonical(k) == key)
        })
        .collect();
    let mut evidence = "items that list the key";
    if carriers.is_empty() {
        evidence = "items found by searching the entity's name";
        let request = SearchRequest {
            query: entity.name.clone(),
            limit: 20,
            items_only: true,
            ..SearchRequest::default()
        };
        let ids: Vec<String> = search::search(&index, Some(&registry), &request)?
            .hits
            .into_iter()
            .map(|hit| hit.id)
            .collect();
        carriers = corpus
            .iter()
            .copied()
            .filter(|item| ids.contains(&item.id))
            .collect();
    }
    // A roll-up (a summary table, a brief's action items) names many entities: its
    // title and the names of the others are no alias of this one.
    carriers.retain(|item| !item.rollup);
    let suggestions = linking::suggest_aliases(&key, &carriers, &corpus, &registry);
    if json {
        let answer = serde_json::json!({ "key": key, "evidence": evidence, "items": carriers.iter().map(|item| &item.id).collect::<Vec<_>>(), "suggestions": suggestions });
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    println!("{key} ({}): {} {evidence}", entity.name, carriers.len());
    for suggestion in &suggestions {
        println!(
            "  {:<32} score {:.2}  in {} / elsewhere {}  e.g. {}",
            suggestion.alias,
            suggestion.score,
            suggestion.inside,
            suggestion.outside,
            suggestion.evidence.join(", ")
        );
    }
    Ok(())
}
