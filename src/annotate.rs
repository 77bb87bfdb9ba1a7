//! Annotating a draft: the entities a text mentions and, on request, the ones it
//! probably should. One function behind `dossier tag` and `POST /api/tag`.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::corpus::markdown;
use crate::index::{DossierIndex, IndexError};
use crate::item::Mention;
use crate::registry::Registry;
use crate::related::{Suggester, Suggestion};
use crate::tagger::{self, DescribedMention, Tagger};

/// Mentions of a text, and suggestions when asked for.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Annotation {
    /// Mentions with byte and character offsets into the text.
    pub mentions: Vec<DescribedMention>,
    /// Entities the text does not mention but probably should (curated
    /// neighbours first), present only when suggestions were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<Suggestion>>,
}

/// Tags `text` as markdown, reading what it renders to (see
/// [`markdown::render_mapped`]) as an item is tagged at ingest, with offsets into
/// `text`; with `suggest_from`, also scores suggestions from that index's
/// co-occurrence statistics.
pub fn annotate(
    text: &str,
    tagger: &Tagger,
    registry: &Registry,
    suggest_from: Option<&DossierIndex>,
) -> Result<Annotation, IndexError> {
    let rendered = markdown::render_mapped(text);
    let found: Vec<Mention> = tagger
        .tag(&rendered.text)
        .into_iter()
        .filter_map(|mention| {
            let place = rendered.source(mention.start..mention.end)?;
            Some(Mention {
                start: place.start,
                end: place.end,
                ..mention
            })
        })
        .collect();
    let mentions = tagger::describe(&found, text, registry);
    let suggestions = match suggest_from {
        Some(index) => {
            let keys: BTreeSet<String> = found.into_iter().map(|mention| mention.key).collect();
            let keys: Vec<String> = keys.into_iter().collect();
            Some(Suggester::new().for_text(index, registry, &keys)?)
        }
        None => None,
    };
    Ok(Annotation {
        mentions,
        suggestions,
    })
}
