//! The item page: its text with every entity mention linked to the entity's page.

use maud::{html, Markup};

use super::{entity_href, href, layout};
use crate::http::api::ItemView;
use crate::tagger::DescribedMention;

/// `/items/{id}`.
pub(crate) fn page(view: &ItemView, mentions: &[DescribedMention]) -> Markup {
    let item = &view.item;
    layout(
        &item.title,
        true,
        html! {
            article #item data-id=(item.id) {
                h1 { (item.title) }
                p.meta {
                    (item.date) " · " (item.kind.as_str()) " · section "
                    a href=(href("/search", &[("section".into(), item.section.clone())])) { (item.section) }
                    @if item.rollup { " · roll-up, left out of co-occurrence" }
                    @if let Some(brief) = &item.brief { " · " (brief.title) }
                    @if let Some(verification) = &item.verification { " · " (verification) }
                    " · id " code { (item.id) }
                }
                div #text style="white-space: pre-wrap" { (linked_text(&view.text, mentions)) }
                @if !view.linked.is_empty() {
                    section #entities {
                        h2 { "Entities" }
                        ul {
                            @for entity in &view.linked {
                                li {
                                    a href=(entity_href(&entity.key)) { (entity.name) }
                                    span.meta { " " (entity.kind) " · " code { (entity.key) } }
                                }
                            }
                        }
                    }
                }
                @if !item.sources.is_empty() {
                    section #sources {
                        h2 { "Sources" }
                        ul {
                            @for source in &item.sources {
                                li {
                                    @if source.url.starts_with("https://") || source.url.starts_with("http://") {
                                        a href=(source.url) rel="noopener noreferrer nofollow" { (source.label) }
                                    } @else {
                                        (source.label) " (" (source.url) ")"
                                    }
                                    span.meta { " " (source.host) }
                                }
                            }
                        }
                    }
                }
                @if !item.footer.tags.is_empty() {
                    p.meta { "Tags: " (item.footer.tags.join(", ")) }
                }
            }
        },
    )
}

/// The text with each mention as a link; mentions are sorted, non-overlapping byte
/// ranges on character boundaries (the tagger's output), and anything else is
/// skipped rather than trusted.
fn linked_text(text: &str, mentions: &[DescribedMention]) -> Markup {
    let mut pieces: Vec<(&str, Option<&DescribedMention>)> = Vec::new();
    let mut at = 0;
    for mention in mentions {
        let (Some(before), Some(label)) = (
            text.get(at..mention.start),
            text.get(mention.start..mention.end),
        ) else {
            continue;
        };
        if mention.start < at {
            continue;
        }
        pieces.push((before, None));
        pieces.push((label, Some(mention)));
        at = mention.end;
    }
    pieces.push((text.get(at..).unwrap_or(""), None));
    html! {
        @for (piece, mention) in pieces {
            @match mention {
                Some(mention) => a.mention href=(entity_href(&mention.key)) title=(mention.name)
                    data-key=(mention.key) { (piece) },
                None => (piece),
            }
        }
    }
}
