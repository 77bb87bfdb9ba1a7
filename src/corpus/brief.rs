//! Daily briefs and weekly summaries: sections, items, footers, brief-level text.
//!
//! The structure is read from the markdown block tree, not from line patterns, so a
//! `#` inside a code block or a table never starts an item. Three item shapes occur:
//! `### ` headings (`#### ` where a section has no `### `), `**Bold title.**`
//! paragraphs separated by `---`, and `> **UPDATE (originally …):** **Title.**`
//! block quotes. Everything that is not an item is kept as brief-level text.

use crate::corpus::markdown::{self, Block, BlockKind};
use crate::corpus::section::{self, BriefKind, Role, SectionMap};
use crate::corpus::slug::{self, CleanTitle};
use crate::corpus::{self, footer, CorpusError};
use crate::item::{BriefRef, Footer, Item, ItemKind, Level, Source};

/// The items of one brief plus its brief-level text.
#[derive(Debug, Clone)]
pub struct ParsedBrief {
    /// `2026-05-06` or `2026-W19`.
    pub id: String,
    /// The `# ` title.
    pub title: String,
    /// Header labels such as `Prompt` -> `v2.19`.
    pub metadata: Vec<(String, String)>,
    /// Items in document order.
    pub items: Vec<Item>,
    /// TL;DR, header, section intros and notes: one [`Level::Brief`] document.
    pub brief_text: Item,
}

/// Identity of a brief, known from its path or its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefId {
    /// `2026-05-06` or `2026-W19`.
    pub id: String,
    /// Daily or weekly.
    pub kind: BriefKind,
    /// Publication date: the brief's date, or the Sunday closing a weekly's ISO week.
    pub date: String,
}

/// Years a brief or entry may carry. Dates outside are typing errors, and they
/// would overflow the week arithmetic of entity pages.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1990..=2199;

impl BriefId {
    /// Reads `2026-05-06` or `2026-W19`; `None` for anything else.
    pub fn parse(id: &str) -> Option<BriefId> {
        if let Some((year, week)) = id.split_once("-W") {
            let year: i32 = year.parse().ok().filter(|year| YEARS.contains(year))?;
            let week: u8 = week.parse().ok().filter(|_| week.len() == 2)?;
            let sunday = time::Date::from_iso_week_date(year, week, time::Weekday::Sunday).ok()?;
            return Some(BriefId {
                id: id.to_string(),
                kind: BriefKind::Weekly,
                date: format_date(sunday),
            });
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(id, &format)
            .ok()
            .filter(|date| YEARS.contains(&date.year()))?;
        Some(BriefId {
            id: id.to_string(),
            kind: BriefKind::Daily,
            date: format_date(date),
        })
    }

    /// Finds the brief id in a `# ` title such as `CTI Daily Brief — 2026-06-10`.
    pub fn from_title(title: &str) -> Option<BriefId> {
        title
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .find_map(BriefId::parse)
    }

    fn item_kind(&self) -> ItemKind {
        match self.kind {
            BriefKind::Daily => ItemKind::Daily,
            BriefKind::Weekly => ItemKind::Weekly,
        }
    }
}

fn format_date(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses a brief. `path` is the corpus-relative path, kept on every item.
///
/// An item heading without a word (`### `, `### **  **`) is refused with its line:
/// results and pages would list an item with nothing to click.
pub fn parse(path: &str, brief: &BriefId, source: &str) -> Result<ParsedBrief, CorpusError> {
    let mut parser = BriefParser::new(path, brief, source);
    let blocks = markdown::blocks(source);
    let mut sections: Vec<(Option<&Block>, Vec<&Block>)> = vec![(None, Vec::new())];

    for block in &blocks {
        match block.kind {
            BlockKind::Heading(1) if parser.title.is_none() => {
                parser.title = Some(heading_text(parser.slice(block)))
            }
            BlockKind::Heading(2) => sections.push((Some(block), Vec::new())),
            _ => sections
                .last_mut()
                .expect("starts with one section")
                .1
                .push(block),
        }
    }

    for (heading, body) in sections {
        match heading {
            None => parser.header(&body),
            Some(heading) => parser.section(heading, &body),
        }
    }
    parser.finish()
}

struct BriefParser<'a> {
    path: &'a str,
    brief: &'a BriefId,
    source: &'a str,
    map: &'static SectionMap,
    title: Option<String>,
    metadata: Vec<(String, String)>,
    items: Vec<Item>,
    slugs: slug::Slugs,
    brief_text: Vec<String>,
    brief_sources: Vec<Source>,
    /// The line of the first item heading with no word in it.
    untitled: Option<usize>,
}

/// An item being collected: its heading and the markdown of its blocks.
struct Draft {
    title: CleanTitle,
    section: String,
    line: usize,
    parts: Vec<String>,
    keep_if_empty: bool,
    /// A table restating the section's stories (see [`SectionMap::is_rollup`]).
    rollup: bool,
}

impl<'a> BriefParser<'a> {
    fn new(path: &'a str, brief: &'a BriefId, source: &'a str) -> Self {
        BriefParser {
            path,
            brief,
            source,
            map: SectionMap::shipped(),
            title: None,
            metadata: Vec::new(),
            items: Vec::new(),
            slugs: slug::Slugs::default(),
            brief_text: Vec::new(),
            brief_sources: Vec::new(),
            untitled: None,
        }
    }

    fn slice(&self, block: &Block) -> &'a str {
        &self.source[block.range.clone()]
    }

    /// Blocks before the first `## `: the disclaimer and the `**Label:** value` line.
    fn header(&mut self, blocks: &[&Block]) {
        for block in blocks {
            let text = self.slice(block);
            if block.kind == BlockKind::Paragraph && text.trim_start().starts_with("**") {
                self.metadata.extend(header_labels(text));
            }
            self.keep_as_brief_text(text);
        }
    }

    fn section(&mut self, heading: &Block, blocks: &[&Block]) {
        let heading_text = heading_text(self.slice(heading));
        let section = self.map.resolve(&heading_text, self.brief.kind);
        self.brief_text.push(heading_text.clone());

        match section.role {
            Role::Brief => blocks
                .iter()
                .for_each(|block| self.keep_as_brief_text(self.slice(block))),
            Role::DeepDive => self.deep_dive(&heading_text, heading.line, &section.key, blocks),
            Role::Single => {
                let title = slug::clean_title(section::strip_numbering(&heading_text));
                let parts = blocks
                    .iter()
                    .map(|block| self.slice(block).to_string())
                    .collect();
                self.push(Draft {
                    title,
                    section: section.key,
                    line: heading.line,
                    parts,
                    keep_if_empty: false,
                    rollup: section.rollup,
                });
            }
            Role::Items => self.items_section(&section.key, blocks),
        }
    }

    /// A deep dive is one item titled by what follows "Deep Dive —"; without such a
    /// title its first sub-heading names it, and without either it is a note.
    fn deep_dive(&mut self, heading: &str, line: usize, key: &str, blocks: &[&Block]) {
        let title = deep_dive_title(heading).or_else(|| {
            blocks
                .iter()
                .find(|block| matches!(block.kind, BlockKind::Heading(_)))
                .map(|block| heading_text(self.slice(block)))
        });
        let Some(title) = title else {
            blocks
                .iter()
                .for_each(|block| self.keep_as_brief_text(self.slice(block)));
            return;
        };
        let parts = blocks
            .iter()
            .map(|block| self.slice(block).to_string())
            .collect();
        let draft = Draft {
            title: slug::clean_title(&title),
            section: key.to_string(),
            line,
            parts,
            keep_if_empty: true,
            rollup: false,
        };
        self.push(draft);
    }

    fn items_section(&mut self, key: &str, blocks: &[&Block]) {
        let level = self.item_heading_level(blocks);
        let mut key = key.to_string();
        let mut draft: Option<Draft> = None;

        for block in blocks {
            let text = self.slice(block);
            if let BlockKind::Heading(depth) = block.kind {
                let heading = heading_text(text);
                if depth == 3 && self.is_subsection(&heading) {
                    self.flush(draft.take());
                    self.brief_text.push(heading.clone());
                    if let Some(sub) = self.map.lookup(&heading, self.brief.kind) {
                        key = sub.key;
                    }
                    let title = slug::clean_title(section::strip_numbering(&heading));
                    draft = Some(Draft {
                        title,
                        section: key.clone(),
                        line: block.line,
                        parts: Vec::new(),
                        keep_if_empty: false,
                        rollup: self.map.is_rollup(&heading),
                    });
                    continue;
                }
                if depth >= 3 && self.map.is_rollup(&heading) {
                    self.flush(draft.take());
                    draft = Some(Draft {
                        title: slug::clean_title(section::strip_numbering(&heading)),
                        section: key.clone(),
                        line: block.line,
                        parts: Vec::new(),
                        keep_if_empty: false,
                        rollup: true,
                    });
                    continue;
                }
                if depth == level {
                    self.flush(draft.take());
                    let title = slug::clean_title(&heading);
                    draft = Some(Draft {
                        title,
                        section: key.clone(),
                        line: block.line,
                        parts: Vec::new(),
                        keep_if_empty: true,
                        rollup: false,
                    });
                    continue;
                }
            }
            if level == 0 {
                if let Some((title, body)) = bold_lead(text, block.kind) {
                    self.flush(draft.take());
                    draft = Some(Draft {
                        title,
                        section: key.clone(),
                        line: block.line,
                        parts: vec![body],
                        keep_if_empty: true,
                        rollup: false,
                    });
                    continue;
                }
            }
            match draft.as_mut() {
                Some(current) if block.kind != BlockKind::Rule => {
                    current.parts.push(text.to_string())
                }
                Some(_) => {}
                None => self.keep_as_brief_text(text),
            }
        }
        self.flush(draft);
    }

    /// `3` when the section has item headings of level 3, `4` when it has only
    /// level 4 ones, `0` when its items are bold-lead paragraphs.
    fn item_heading_level(&self, blocks: &[&Block]) -> u8 {
        let is_item_heading = |block: &&&Block, depth: u8| {
            block.kind == BlockKind::Heading(depth) && {
                let heading = heading_text(self.slice(block));
                !self.is_subsection(&heading) && !self.map.is_rollup(&heading)
            }
        };
        if blocks.iter().any(|block| is_item_heading(&block, 3)) {
            3
        } else if blocks.iter().any(|block| is_item_heading(&block, 4)) {
            4
        } else {
            0
        }
    }

    /// A `### 1b. Trending Vulnerabilities` heading opens a sub-section, not an item:
    /// it is numbered, or it is nothing but a section name.
    fn is_subsection(&self, heading: &str) -> bool {
        let Some(found) = self.map.lookup(heading, self.brief.kind) else {
            return false;
        };
        let words = section::strip_numbering(heading).split_whitespace().count();
        found.role != Role::DeepDive && (section::is_numbered(heading) || words <= 3)
    }

    fn flush(&mut self, draft: Option<Draft>) {
        if let Some(draft) = draft {
            self.push(draft);
        }
    }

    fn push(&mut self, draft: Draft) {
        if !draft.title.title.chars().any(char::is_alphanumeric) {
            self.untitled.get_or_insert(draft.line);
            return;
        }
        let content = Content::collect(&draft.parts);
        if content.body_markdown.trim().is_empty() && !draft.keep_if_empty {
            self.brief_text.push(draft.title.title);
            return;
        }
        let item = self.item(draft, content);
        self.items.push(item);
    }

    fn item(&mut self, draft: Draft, content: Content) -> Item {
        let slug = self.slugs.unique(slug_or_item(&draft.title.title));
        let rendered = markdown::render(&content.body_markdown);
        let mut sources = Vec::new();
        for source in rendered.sources.into_iter().chain(content.footer_sources) {
            markdown::push_source(&mut sources, source.url, source.label);
        }
        Item {
            id: format!("{}/{}", self.brief.id, slug),
            date: self.brief.date.clone(),
            kind: self.brief.item_kind(),
            level: Level::Item,
            brief: None,
            section: draft.section,
            title: draft.title.title,
            summary: first_sentence(&rendered.text),
            update_of: update_of(&rendered.text),
            body_markdown: content.body_markdown,
            body: rendered.text,
            update: draft.title.update || content.update,
            rollup: draft.rollup,
            verification: draft.title.verification,
            markers: draft.title.markers,
            footer: content.footer,
            sources,
            explicit_entities: content.keys,
            mentions: Vec::new(),
            entities: Vec::new(),
            paths: vec![self.path.to_string()],
            line: draft.line,
            migrated_from: None,
        }
    }

    fn keep_as_brief_text(&mut self, markdown_text: &str) {
        for part in dequote(markdown_text) {
            if footer::is_footer(&part) {
                let (_, sources) = footer::parse(&part);
                for source in sources {
                    markdown::push_source(&mut self.brief_sources, source.url, source.label);
                }
                continue;
            }
            let rendered = markdown::render(&part);
            for source in rendered.sources {
                markdown::push_source(&mut self.brief_sources, source.url, source.label);
            }
            if !rendered.text.is_empty() {
                self.brief_text.push(rendered.text);
            }
        }
    }

    fn finish(self) -> Result<ParsedBrief, CorpusError> {
        if let Some(line) = self.untitled {
            return Err(CorpusError::Syntax {
                path: self.path.to_string(),
                line,
                message: "this item heading has no title; write one, or remove the line; \
                          nothing was changed"
                    .to_string(),
            });
        }
        let title = self.title.unwrap_or_else(|| self.brief.id.clone());
        let brief_ref = BriefRef {
            id: self.brief.id.clone(),
            title: title.clone(),
        };
        let mut items = self.items;
        for item in &mut items {
            item.brief = Some(brief_ref.clone());
        }
        let body = self.brief_text.join("\n\n");
        let brief_text = Item {
            id: self.brief.id.clone(),
            date: self.brief.date.clone(),
            kind: self.brief.item_kind(),
            level: Level::Brief,
            brief: Some(brief_ref),
            section: "brief".to_string(),
            title: title.clone(),
            summary: first_sentence(&body),
            body_markdown: String::new(),
            body,
            update: false,
            rollup: false,
            update_of: None,
            verification: None,
            markers: Vec::new(),
            footer: Footer {
                other: self.metadata.clone(),
                ..Footer::default()
            },
            sources: self.brief_sources,
            explicit_entities: Vec::new(),
            mentions: Vec::new(),
            entities: Vec::new(),
            paths: vec![self.path.to_string()],
            line: 1,
            migrated_from: None,
        };
        Ok(ParsedBrief {
            id: self.brief.id.clone(),
            title,
            metadata: self.metadata,
            items,
            brief_text,
        })
    }
}

/// The body of an item split from its footer.
struct Content {
    body_markdown: String,
    footer: Footer,
    footer_sources: Vec<Source>,
    update: bool,
    /// Keys of `` `key: type:slug` `` markers.
    keys: Vec<String>,
}

impl Content {
    fn collect(parts: &[String]) -> Content {
        let mut content = Content {
            body_markdown: String::new(),
            footer: Footer::default(),
            footer_sources: Vec::new(),
            update: false,
            keys: Vec::new(),
        };
        for part in parts.iter().flat_map(|part| dequote(part)) {
            if footer::is_footer(&part) {
                let (footer, sources) = footer::parse(&part);
                merge_footer(&mut content.footer, footer);
                content.footer_sources.extend(sources);
                continue;
            }
            if part.trim_start().starts_with("**UPDATE") {
                content.update = true;
            }
            content.keys.extend(marked_key(&part));
            if !content.body_markdown.is_empty() {
                content.body_markdown.push_str("\n\n");
            }
            content.body_markdown.push_str(part.trim());
        }
        content
    }
}

/// The entity key of a paragraph that opens with a `` `key: type:slug` `` marker,
/// as weekly summaries tie a long-running story to its entity (the originating
/// site linked items by such explicit keys). Keys are lower-case, CVE ids
/// upper-case; a marker whose key is malformed is only text.
fn marked_key(part: &str) -> Option<String> {
    let rest = part.trim_start().strip_prefix("`key:")?;
    let (key, _) = rest.split_once('`')?;
    corpus::entity_key(key)
}

fn merge_footer(into: &mut Footer, from: Footer) {
    into.tags.extend(from.tags);
    into.regions.extend(from.regions);
    into.sectors.extend(from.sectors);
    into.cves.extend(from.cves);
    into.status.extend(from.status);
    into.other.extend(from.other);
    into.cvss = into.cvss.take().or(from.cvss);
    into.vector = into.vector.take().or(from.vector);
    into.auth = into.auth.take().or(from.auth);
    into.evidence = into.evidence.take().or(from.evidence);
    into.closed_source = into.closed_source.take().or(from.closed_source);
}

/// Splits a block into the markdown of its top-level parts, removing one level of
/// `>` quoting first, so that a footer inside a block quote is found like any other.
fn dequote(markdown_text: &str) -> Vec<String> {
    if !markdown_text.trim_start().starts_with('>') {
        return split_blocks(markdown_text);
    }
    let inner: String = markdown_text
        .lines()
        .map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix('>').unwrap_or(line);
            line.strip_prefix(' ').unwrap_or(line)
        })
        .collect::<Vec<_>>()
        .join("\n");
    split_blocks(&inner)
}

fn split_blocks(markdown_text: &str) -> Vec<String> {
    markdown::blocks(markdown_text)
        .iter()
        .filter(|block| block.kind != BlockKind::Rule)
        .map(|block| markdown_text[block.range.clone()].to_string())
        .collect()
}

/// `**Title.** body` or `> **UPDATE (originally …):** **Title.** body` -> (title, body).
fn bold_lead(text: &str, kind: BlockKind) -> Option<(CleanTitle, String)> {
    let unquoted = match kind {
        BlockKind::Paragraph => text.to_string(),
        BlockKind::BlockQuote => dequote(text).join("\n\n"),
        _ => return None,
    };
    let mut rest = unquoted.trim_start();
    let mut update_lead = None;
    if rest.starts_with("**UPDATE") {
        let close = rest[2..].find("**")? + 4;
        update_lead = Some(&rest[..close]);
        rest = rest[close..].trim_start();
    }
    let inner = rest.strip_prefix("**")?;
    let close = inner.find("**")?;
    let title = inner[..close].trim();
    if !title.ends_with('.') || title.len() < 4 {
        return None;
    }
    let mut clean = slug::clean_title(title);
    clean.update |= update_lead.is_some();
    let body = inner[close + 2..].trim_start();
    let body = match update_lead {
        Some(lead) => format!("{lead} {body}"),
        None => body.to_string(),
    };
    Some((clean, body))
}

fn deep_dive_title(heading: &str) -> Option<String> {
    // Matched on the original bytes: lower-casing can change byte lengths ("İ"),
    // and an offset found in a lower-cased copy would cut the heading wrongly.
    let bytes = heading.as_bytes();
    let at = (0..bytes.len().saturating_sub(8)).find(|&at| {
        let window = &bytes[at..at + 9];
        window.eq_ignore_ascii_case(b"deep dive") || window.eq_ignore_ascii_case(b"deep-dive")
    })?;
    let rest = heading[at + "deep dive".len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || "—–-:".contains(c));
    (!rest.trim().is_empty()).then(|| rest.trim().to_string())
}

/// The plain text of a heading block (`### Title` -> `Title`).
pub fn heading_text(markdown_text: &str) -> String {
    markdown::render(markdown_text).text
}

fn header_labels(paragraph: &str) -> Vec<(String, String)> {
    paragraph
        .split(" · ")
        .filter_map(|part| {
            let inner = part.trim().strip_prefix("**")?;
            let (label, value) = inner.split_once(":**")?;
            Some((label.trim().to_string(), markdown::render(value).text))
        })
        .collect()
}

fn slug_or_item(title: &str) -> String {
    let slug = slug::slugify(title);
    if slug.is_empty() {
        "item".to_string()
    } else {
        slug
    }
}

/// Longest one-line summary kept, in characters.
const SUMMARY_MAX_CHARS: usize = 280;

/// The first sentence of a text, cut at a word near `SUMMARY_MAX_CHARS`.
pub fn first_sentence(text: &str) -> String {
    let paragraph = text.split("\n\n").next().unwrap_or("").trim();
    let end = paragraph
        .match_indices(". ")
        .map(|(at, _)| at + 1)
        .find(|&at| {
            at >= 40
                && paragraph[at..]
                    .trim_start()
                    .starts_with(|c: char| c.is_uppercase())
        })
        .unwrap_or(paragraph.len());
    let sentence = &paragraph[..end];
    if sentence.chars().count() <= SUMMARY_MAX_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(SUMMARY_MAX_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// The coverage an update refers to: the date or week after "originally".
fn update_of(text: &str) -> Option<String> {
    let at = text.find("originally")?;
    text[at..]
        .split(|c: char| c.is_whitespace() || c == ')' || c == ':' || c == ';' || c == ',')
        .take(5)
        .find(|word| BriefId::parse(word).is_some())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(id: &str, text: &str) -> ParsedBrief {
        parse("briefs/test.md", &BriefId::parse(id).unwrap(), text).unwrap()
    }

    #[test]
    fn key_markers_open_a_paragraph_and_hold_a_key() {
        assert_eq!(
            marked_key("`key: actor:VerdantBamboo`. The W23 weekly").as_deref(),
            Some("actor:verdantbamboo")
        );
        assert_eq!(
            marked_key("`key: cve-2026-1234`").as_deref(),
            Some("CVE-2026-1234")
        );
        assert_eq!(marked_key("`key: not a key`. Text"), None);
        assert_eq!(marked_key("See `key: actor:a` here"), None);
        assert_eq!(marked_key("`key: actor:a"), None);
    }

    #[test]
    fn an_item_heading_without_a_word_is_refused_with_its_line() {
        let id = BriefId::parse("2026-06-11").unwrap();
        for heading in ["### ", "### **  **", "### \u{2014}"] {
            let text = format!(
                "# CTI Daily Brief \u{2014} 2026-06-11\n\n## Active Threats\n\n### Named\n\nbody\n\n{heading}\n\nmore\n"
            );
            let error = parse("briefs/2026-06-11.md", &id, &text).unwrap_err();
            assert_eq!(
                error.to_string(),
                "briefs/2026-06-11.md:9: this item heading has no title; write one, or remove \
                 the line; nothing was changed",
                "{heading}"
            );
        }
    }

    #[test]
    fn weekly_date_is_the_sunday_of_its_week() {
        assert_eq!(BriefId::parse("2026-W19").unwrap().date, "2026-05-10");
        assert_eq!(BriefId::parse("2026-W24").unwrap().date, "2026-06-14");
        assert_eq!(
            BriefId::from_title("CTI Weekly Summary — 2026-W19 (May 04 – May 10, 2026)")
                .unwrap()
                .id,
            "2026-W19"
        );
        assert_eq!(BriefId::parse("2026-13-45"), None);
        assert_eq!(BriefId::parse("9999-12-31"), None);
        assert_eq!(BriefId::parse("-5-W10"), None);
        assert_eq!(BriefId::parse("2026-W1"), None, "weeks have two digits");
    }

    #[test]
    fn heading_items_with_footers() {
        let text = "# CTI Daily Brief — 2026-06-10\n\n## 1. Active Threats\n\nIntro.\n\n### First [SINGLE-SOURCE]\n\nBody one ([A](https://a.example/x)).\n\n— *Source: [B](https://www.b.example/y) · Tags: ransomware · CVE: CVE-2026-1234*\n\n### UPDATE: Second\n\n> **UPDATE (originally covered 2026-05-30):** Body two.\n>\n> — *Source: [C](https://c.example/z) · Region: europe*\n";
        let parsed = brief("2026-06-10", text);
        assert_eq!(parsed.items.len(), 2);
        let first = &parsed.items[0];
        assert_eq!(first.id, "2026-06-10/first");
        assert_eq!(first.verification.as_deref(), Some("single-source"));
        assert_eq!(first.footer.tags, ["ransomware"]);
        assert_eq!(first.footer.cves, ["CVE-2026-1234"]);
        assert!(!first.body.contains("Source:"));
        assert_eq!(first.hosts(), ["a.example", "b.example"]);
        let second = &parsed.items[1];
        assert!(second.update);
        assert_eq!(second.update_of.as_deref(), Some("2026-05-30"));
        assert_eq!(second.footer.regions, ["europe"]);
        assert!(parsed.brief_text.body.contains("Intro."));
    }

    #[test]
    fn bold_lead_items_and_quoted_updates() {
        let text = "# B\n\n## 3. Notable Incidents\n\n---\n\n**DigiCert Compromise — 60 Certificates.** DigiCert said so.\n\n---\n\n**Trellix — Breach.** Trellix too.\n\n## 6. Updates to Prior Coverage\n\n> **UPDATE (originally 2026-05-06):** **France ANTS Breach — 11.7 Million.** ANTS confirmed.\n";
        let parsed = brief("2026-05-07", text);
        let titles: Vec<_> = parsed
            .items
            .iter()
            .map(|item| item.title.as_str())
            .collect();
        assert_eq!(
            titles,
            [
                "DigiCert Compromise — 60 Certificates",
                "Trellix — Breach",
                "France ANTS Breach — 11.7 Million"
            ]
        );
        assert_eq!(parsed.items[0].body, "DigiCert said so.");
        assert!(parsed.items[2].update);
        assert_eq!(parsed.items[2].update_of.as_deref(), Some("2026-05-06"));
        assert_eq!(parsed.items[2].section, "updates");
    }

    #[test]
    fn a_summary_table_among_bold_lead_items_is_a_rollup_between_them() {
        let text = "# B\n\n## 3. Notable Incidents\n\n**Bold story one.** Qilin did it.\n\n\
                    #### Summary Table\n\n| CVE-2026-12121 | bold |\n|---|---|\n\n\
                    **Bold story two.** Akira did another.\n";
        let parsed = brief("2026-05-01", text);
        let items: Vec<_> = parsed
            .items
            .iter()
            .map(|item| (item.title.as_str(), item.rollup, item.body.as_str()))
            .collect();
        assert_eq!(
            items,
            [
                ("Bold story one", false, "Qilin did it."),
                ("Summary Table", true, "| CVE-2026-12121 | bold"),
                ("Bold story two", false, "Akira did another."),
            ]
        );
    }

    #[test]
    fn deep_dive_is_one_item_and_collisions_are_numbered() {
        let text = "# B\n\n## 1. Research\n\n### Same\n\nA.\n\n### Same\n\nB.\n\n## 5. Deep Dive — Copy Fail\n\n### Narrative\n\nN.\n\n### Detection\n\nD.\n";
        let parsed = brief("2026-05-06", text);
        let ids: Vec<_> = parsed.items.iter().map(|item| item.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "2026-05-06/same",
                "2026-05-06/same-2",
                "2026-05-06/copy-fail"
            ]
        );
        assert!(parsed.items[2].body.contains("Detection"));
    }

    #[test]
    fn regression_dotted_capital_i_before_deep_dive_does_not_panic() {
        assert_eq!(
            deep_dive_title("5. İİ Deep Dive — Foo bar").as_deref(),
            Some("Foo bar")
        );
        assert_eq!(
            deep_dive_title("5. İİİİİİ deep-dive: Foo bar").as_deref(),
            Some("Foo bar")
        );
        assert_eq!(deep_dive_title("5. Deep Dive"), None);
    }

    #[test]
    fn first_sentence_stops_at_a_sentence_end() {
        let text = "CVE-2026-31431 (CVSS 7.8) is a deterministic local privilege escalation in Linux. An unprivileged user wins.";
        assert_eq!(
            first_sentence(text),
            "CVE-2026-31431 (CVSS 7.8) is a deterministic local privilege escalation in Linux."
        );
    }
}
