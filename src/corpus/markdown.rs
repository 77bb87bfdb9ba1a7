//! Markdown helpers over pulldown-cmark: top-level blocks with their source ranges,
//! plain text for search, and inline links for cited sources.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::item::Source;

/// The kind of a top-level markdown block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `#`…`######` heading with its level (1–6).
    Heading(u8),
    /// A paragraph.
    Paragraph,
    /// A `>` block quote.
    BlockQuote,
    /// A `---` thematic break.
    Rule,
    /// Lists, tables, code, HTML.
    Other,
}

/// One top-level block: its kind and where it stands in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What the block is.
    pub kind: BlockKind,
    /// Byte range in the source.
    pub range: Range<usize>,
    /// 1-based line of its first byte.
    pub line: usize,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Splits a document into its top-level blocks, in order.
pub fn blocks(source: &str) -> Vec<Block> {
    let lines = LineIndex::new(source);
    let mut blocks = Vec::new();
    let mut depth = 0usize;

    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    let kind = match tag {
                        Tag::Heading { level, .. } => BlockKind::Heading(heading_level(level)),
                        Tag::Paragraph => BlockKind::Paragraph,
                        Tag::BlockQuote(_) => BlockKind::BlockQuote,
                        _ => BlockKind::Other,
                    };
                    blocks.push(Block {
                        kind,
                        line: lines.line_of(range.start),
                        range,
                    });
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Rule if depth == 0 => {
                blocks.push(Block {
                    kind: BlockKind::Rule,
                    line: lines.line_of(range.start),
                    range,
                });
            }
            Event::Html(_) if depth == 0 => {
                blocks.push(Block {
                    kind: BlockKind::Other,
                    line: lines.line_of(range.start),
                    range,
                });
            }
            _ => {}
        }
    }
    blocks
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Markdown turned into what people read: plain text and the links it cites.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Plain text: paragraphs separated by a blank line, list items on their own line.
    pub text: String,
    /// Absolute `http(s)` links with their label, in order of appearance.
    pub sources: Vec<Source>,
}

/// Renders markdown to plain text and collects its absolute links.
///
/// Relative links (`briefs/2026-05-08.md`, `#1-active-threats`) point inside the
/// corpus; they are cross-references, not cited sources, and are left out.
pub fn render(markdown: &str) -> Rendered {
    let mut out = Rendered::default();
    let mut link: Option<(String, String)> = None;

    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => {
                out.text.push_str(&text);
                if let Some((_, label)) = link.as_mut() {
                    label.push_str(&text);
                }
            }
            Event::SoftBreak => out.text.push(' '),
            Event::HardBreak => out.text.push('\n'),
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, label)) = link.take() {
                    push_source(&mut out.sources, url, label);
                }
            }
            Event::Start(Tag::Item) => start_line(&mut out.text, "\n"),
            Event::Start(Tag::TableCell) => out.text.push_str(" | "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => out.text.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Table,
            ) => start_line(&mut out.text, "\n\n"),
            Event::Rule => start_line(&mut out.text, "\n\n"),
            _ => {}
        }
    }

    out.text = out.text.trim().to_string();
    out
}

fn start_line(text: &mut String, separator: &str) {
    let trimmed = text.trim_end_matches([' ', '\n']).len();
    if trimmed == 0 {
        text.clear();
        return;
    }
    text.truncate(trimmed);
    text.push_str(separator);
}

/// Adds a link as a source unless it is relative or already cited.
pub fn push_source(sources: &mut Vec<Source>, url: String, label: String) {
    let Some(host) = host_of(&url) else { return };
    if sources.iter().any(|source| source.url == url) {
        return;
    }
    sources.push(Source {
        url,
        label: label.trim().to_string(),
        host,
    });
}

/// The host of an absolute `http(s)` URL, lower-cased, without a leading `www.`.
pub fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(
        host.strip_prefix("www.")
            .map(str::to_string)
            .unwrap_or(host),
    )
}

/// Byte offset -> 1-based line number.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_lower_case_without_www() {
        assert_eq!(
            host_of("https://www.BleepingComputer.com/news/x").as_deref(),
            Some("bleepingcomputer.com")
        );
        assert_eq!(
            host_of("https://cert.europa.eu/publications/").as_deref(),
            Some("cert.europa.eu")
        );
        assert_eq!(
            host_of("http://user@Example.org:8080/a").as_deref(),
            Some("example.org")
        );
        assert_eq!(host_of("briefs/2026-05-08.md"), None);
        assert_eq!(host_of("#1-active-threats"), None);
        assert_eq!(host_of("mailto:soc@example.org"), None);
    }

    #[test]
    fn render_keeps_text_and_links() {
        let rendered = render(
            "A **bold** claim ([CERT-EU, 2026-04-30](https://cert.europa.eu/a)); see [§ 5](#5).",
        );
        assert_eq!(
            rendered.text,
            "A bold claim (CERT-EU, 2026-04-30); see § 5."
        );
        assert_eq!(rendered.sources.len(), 1);
        assert_eq!(rendered.sources[0].label, "CERT-EU, 2026-04-30");
        assert_eq!(rendered.sources[0].host, "cert.europa.eu");
    }

    #[test]
    fn blocks_have_lines_and_kinds() {
        let doc = "# T\n\n## 1. S\n\ntext\n\n---\n\n> quote\n";
        let kinds: Vec<_> = blocks(doc)
            .iter()
            .map(|block| (block.kind, block.line))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Heading(1), 1),
                (BlockKind::Heading(2), 3),
                (BlockKind::Paragraph, 5),
                (BlockKind::Rule, 7),
                (BlockKind::BlockQuote, 9)
            ]
        );
    }
}
