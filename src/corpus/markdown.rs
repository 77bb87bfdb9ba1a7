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

/// The first top-level `#` heading of a document, as the brief parser finds its
/// title: its 1-based line and its markdown source. A `# ` line inside a code fence
/// is code, not a title.
///
/// Only the text up to the first line that opens with `# ` is parsed when that
/// line is the title, as in every real brief; otherwise the whole document is.
pub fn first_title(source: &str) -> Option<(usize, &str)> {
    let candidate = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(at, _)| at + 1))
        .find(|&start| source[start..].starts_with("# "));
    let prefix = candidate.map_or("", |start| {
        let end = source[start..]
            .find('\n')
            .map_or(source.len(), |at| start + at + 1);
        &source[..end]
    });
    title_in(prefix).or_else(|| title_in(source))
}

fn title_in(source: &str) -> Option<(usize, &str)> {
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if depth == 0 => {
                let line = source[..range.start].matches('\n').count() + 1;
                return Some((line, &source[range]));
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
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
    /// Where each of those links stands: the offset in `text` of its label, and
    /// its place in `sources` (a URL cited twice is one source at two places).
    pub cited_at: Vec<(usize, usize)>,
}

/// Renders markdown to plain text and collects its absolute links.
///
/// Relative links (`briefs/2026-05-08.md`, `#1-active-threats`) point inside the
/// corpus; they are cross-references, not cited sources, and are left out.
pub fn render(markdown: &str) -> Rendered {
    let mut out = Rendered::default();
    walk(markdown, &mut out, |_, _, _| {});
    out
}

/// Plain text as [`render`] makes it, with where each piece of it stands in the
/// markdown: a draft is tagged as ingest tags an item (the rendered text, where a
/// name in a URL is no mention and a line break inside a name is a space), and
/// what is found is put back in the draft.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    /// The rendered text.
    pub text: String,
    /// Each piece of text: its offset in `text`, its length there, and its byte
    /// range in the markdown.
    pieces: Vec<(usize, usize, Range<usize>)>,
}

/// Renders `markdown` keeping where each piece of its text came from.
pub fn render_mapped(markdown: &str) -> Mapped {
    let mut out = Rendered::default();
    let mut pieces = Vec::new();
    let trimmed = walk(markdown, &mut out, |at, text, range| {
        // A text's own characters stand somewhere in its source range (an inline
        // code span adds its backticks, an escape its backslash).
        let range = match markdown[range.clone()].find(text) {
            Some(offset) => range.start + offset..range.start + offset + text.len(),
            None => range,
        };
        pieces.push((at, text.len(), range));
    });
    // What was trimmed off the front may be the start of the first pieces (a code
    // block's indentation): they lose it on both sides.
    for (at, len, source) in &mut pieces {
        let cut = trimmed.saturating_sub(*at).min(*len);
        if *len == source.len() {
            source.start += cut;
        }
        *len -= cut;
        *at = (*at + cut).saturating_sub(trimmed);
    }
    Mapped {
        text: out.text,
        pieces,
    }
}

impl Mapped {
    /// The byte range of the markdown that `range` of the rendered text stands
    /// for: from its first byte's place to just past its last byte's. `None` when
    /// either end falls between pieces (on a space that stands for a line break).
    pub fn source(&self, range: Range<usize>) -> Option<Range<usize>> {
        let last = range.end.checked_sub(1)?;
        Some(self.place(range.start, false)?..self.place(last, true)?)
    }

    /// Where byte `at` of the text stands in the markdown (just past it, `after`).
    fn place(&self, at: usize, after: bool) -> Option<usize> {
        let index = self.pieces.partition_point(|(start, _, _)| *start <= at);
        let (start, len, source) = self.pieces.get(index.checked_sub(1)?)?;
        if at >= start + len {
            return None;
        }
        let exact = *len == source.len();
        Some(match (exact, after) {
            (true, _) => source.start + (at - start) + usize::from(after),
            (false, false) => source.start,
            (false, true) => source.end,
        })
    }
}

/// The walk behind [`render`] and [`render_mapped`]: `out` gets the text and the
/// links; `piece` is told each piece of text, where it starts in `out.text` and
/// its range in the markdown. Returns how many bytes were trimmed off the front.
fn walk(
    markdown: &str,
    out: &mut Rendered,
    mut piece: impl FnMut(usize, &str, Range<usize>),
) -> usize {
    let mut link: Option<(usize, String, String)> = None;

    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Text(text) | Event::Code(text) => {
                piece(out.text.len(), &text, range);
                out.text.push_str(&text);
                if let Some((_, _, label)) = link.as_mut() {
                    label.push_str(&text);
                }
            }
            Event::SoftBreak => out.text.push(' '),
            Event::HardBreak => out.text.push('\n'),
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((out.text.len(), dest_url.to_string(), String::new()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((at, url, label)) = link.take() {
                    if let Some(source) = push_source(&mut out.sources, url, label) {
                        out.cited_at.push((at, source));
                    }
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

    let kept = out.text.trim_end().len();
    out.text.truncate(kept);
    let trimmed = out.text.len() - out.text.trim_start().len();
    out.text.drain(..trimmed);
    for (at, _) in &mut out.cited_at {
        *at = at.saturating_sub(trimmed).min(kept - trimmed);
    }
    trimmed
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

/// Hosts whose pages are a knowledge base that items point into for a term, not
/// reporting they cite: ATT&CK technique links (`[T1190 …](https://attack.mitre.org/
/// techniques/T1190/)`) are glossary, and counted as sources they topped the source
/// lists of the entity pages whose items name techniques.
const REFERENCE_HOSTS: &[&str] = &["attack.mitre.org"];

/// `true` for a host whose links are references, never sources.
pub fn is_reference_host(host: &str) -> bool {
    REFERENCE_HOSTS.contains(&host)
}

/// Adds a link as a source unless it is relative, a reference ([`REFERENCE_HOSTS`])
/// or already cited; returns its place in `sources`, if it is one.
pub fn push_source(sources: &mut Vec<Source>, url: String, label: String) -> Option<usize> {
    let host = host_of(&url)?;
    if is_reference_host(&host) {
        return None;
    }
    if let Some(known) = sources.iter().position(|source| source.url == url) {
        return Some(known);
    }
    sources.push(Source {
        url,
        label: label.trim().to_string(),
        host,
    });
    Some(sources.len() - 1)
}

/// The host of an absolute `http(s)` URL, lower-cased, without a leading `www.`.
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    let host = match plain_host(url) {
        Some(host) => host.to_ascii_lowercase(),
        None => {
            let parsed = url::Url::parse(url).ok()?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return None;
            }
            parsed.host_str()?.to_ascii_lowercase()
        }
    };
    Some(
        host.strip_prefix("www.")
            .map(str::to_string)
            .unwrap_or(host),
    )
}

/// The key a cited link is indexed and looked up under: its `host` as
/// [`host_of`] gives it (lower case, no `www.`; a source keeps it), then its path,
/// query and fragment as written. Without the scheme, `http` and `https` are one
/// link, as a host in capitals is.
pub fn link_key(host: &str, url: &str) -> String {
    let url = url.trim();
    let rest = url.split_once(':').map_or(url, |(_, rest)| rest);
    let rest = rest.trim_start_matches('/');
    let path = &rest[rest.find(['/', '?', '#']).unwrap_or(rest.len())..];
    format!("{host}{path}")
}

/// The host of a URL that starts `http://` or `https://` with a plain domain name:
/// dot-separated labels of ASCII letters, digits and hyphens, none empty or
/// punycode (`xn--`), the last one not a number. The `url` crate returns such a
/// host unchanged but for case, so it need not parse the URL; it does for anything
/// else (ports, user names, IP addresses, escapes, other schemes). Parsing every
/// cited URL was 4 % of an ingest's instructions.
fn plain_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let plain_label = |label: &str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
            && !label
                .get(..4)
                .is_some_and(|start| start.eq_ignore_ascii_case("xn--"))
    };
    // WHATWG URLs read a host whose last label is a number as an IPv4 address.
    let last = host.rsplit('.').next()?;
    let number = last.bytes().all(|byte| byte.is_ascii_digit())
        || last
            .get(..2)
            .is_some_and(|start| start.eq_ignore_ascii_case("0x"));
    (host.split('.').all(plain_label) && !number).then_some(host)
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
    fn each_link_is_placed_in_the_text_and_a_repeated_url_is_one_source() {
        let rendered = render(
            "\n| CVE | Source |\n|---|---|\n| CVE-1 | [A](https://a.example/1) |\n\
             | CVE-2 | [B](https://b.example/2) / [A again](https://a.example/1) |\n",
        );
        let lines: Vec<&str> = rendered.text.lines().collect();
        assert_eq!(lines[1], " | CVE-1 | A");
        assert_eq!(rendered.sources.len(), 2);
        let placed: Vec<(&str, &str)> = rendered
            .cited_at
            .iter()
            .map(|&(at, source)| {
                let line = rendered.text[at..].lines().next().unwrap_or_default();
                (line, rendered.sources[source].url.as_str())
            })
            .collect();
        assert_eq!(
            placed,
            [
                ("A", "https://a.example/1"),
                ("B / A again", "https://b.example/2"),
                ("A again", "https://a.example/1"),
            ]
        );
    }

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
    fn a_link_key_is_its_host_and_the_rest_as_written() {
        let key = |url: &str| host_of(url).map(|host| link_key(&host, url));
        assert_eq!(
            key("HTTPS://WWW.Tenable.com/blog/CVE-2026-1?a=b#c").as_deref(),
            Some("tenable.com/blog/CVE-2026-1?a=b#c")
        );
        assert_eq!(
            key("http://tenable.com/blog/CVE-2026-1?a=b#c"),
            key("https://www.tenable.com/blog/CVE-2026-1?a=b#c")
        );
        assert_eq!(
            key("https://cert.europa.eu").as_deref(),
            Some("cert.europa.eu")
        );
        assert_eq!(
            key("http://user@Example.org:8080/a").as_deref(),
            Some("example.org/a")
        );
        assert_eq!(key("briefs/2026-05-08.md"), None);
        assert_eq!(key("mailto:soc@example.org"), None);
    }

    /// The `url` crate's host, for the URLs the shortcut answers.
    fn crate_host(url: &str) -> Option<String> {
        let parsed = url::Url::parse(url).ok()?;
        Some(parsed.host_str()?.to_ascii_lowercase())
    }

    #[test]
    fn plain_hosts_are_the_url_crates() {
        let plain = [
            "https://www.BleepingComputer.com/news/x",
            "http://cert.europa.eu",
            "https://a-b.example.org?q=1",
            "https://x.org#frag",
            "https://label--with--dashes.io/",
            "https://-lead.example/",
            "https://1.2.3.4a/",
        ];
        for url in plain {
            let host = plain_host(url).unwrap_or_else(|| panic!("{url}: not plain"));
            assert_eq!(Some(host.to_ascii_lowercase()), crate_host(url), "{url}");
        }
        let parsed = [
            "http://user@Example.org:8080/a",
            "https://example.org:443/",
            "http://192.168.0.1/",
            "http://1.2.3/",
            "http://0x7f.1/",
            "http://a.0x1F/",
            "https://xn--bcher-kva.example/",
            "https://XN--bcher-kva.example/",
            "https://b\u{fc}cher.example/",
            "https://%41.com/",
            "http:///example.com/",
            "http://a..b/",
            "http://.a/",
            "http://a./",
            "http://a.com\\path",
            "HTTPS://Example.org/",
            "ftp://example.org/",
            "http://",
        ];
        for url in parsed {
            assert_eq!(plain_host(url), None, "{url}");
        }
    }

    /// Every link of the real corpus gets the same host with or without the
    /// shortcut, and the shortcut answers nearly all of them.
    #[test]
    fn corpus_links_get_the_url_crates_hosts() {
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::settings::DEFAULT_CORPUS);
        let files = crate::corpus::walk(&corpus).expect("the corpus reads");
        let (mut links, mut plain) = (0, 0);
        for file in &files {
            for (at, _) in file.text.match_indices("](http") {
                let url = &file.text[at + 2..];
                let url = &url[..url.find([')', ' ', '\n']).unwrap_or(url.len())];
                links += 1;
                if let Some(host) = plain_host(url) {
                    plain += 1;
                    assert_eq!(Some(host.to_ascii_lowercase()), crate_host(url), "{url}");
                }
            }
        }
        assert!(links > 1000, "{links} links");
        assert!(plain * 100 > links * 95, "{plain} of {links} links");
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
    fn the_title_is_the_first_heading_outside_code() {
        assert_eq!(first_title("# T\n\ntext\n"), Some((1, "# T\n")));
        let fenced = "```\n# not a title\n```\n\n# CTI Daily Brief — 2026-06-10\n";
        assert_eq!(
            first_title(fenced),
            Some((5, "# CTI Daily Brief — 2026-06-10\n"))
        );
        assert_eq!(first_title("~~~\n# code to the end\n"), None);
        assert_eq!(first_title("> # quoted\n\n## section\n"), None);
        assert_eq!(
            first_title("Setext\n======\n"),
            Some((1, "Setext\n======\n"))
        );
        assert_eq!(first_title(""), None);
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

    #[test]
    fn mapped_text_points_back_into_the_markdown() {
        let markdown = "# Note\r\n\r\nThe World **Leaks** gang, `Akira` and World\r\nLeaks, \
                        [see](https://x.org/qilin) \\*Qilin\\*.\r\n";
        let mapped = render_mapped(markdown);
        assert_eq!(
            mapped.text,
            "Note\n\nThe World Leaks gang, Akira and World Leaks, see *Qilin*."
        );
        let source_of = |needle: &str, nth: usize| {
            let at = mapped.text.match_indices(needle).nth(nth).unwrap().0;
            mapped
                .source(at..at + needle.len())
                .map(|range| &markdown[range])
        };
        assert_eq!(source_of("World Leaks", 0), Some("World **Leaks"));
        assert_eq!(source_of("World Leaks", 1), Some("World\r\nLeaks"));
        assert_eq!(source_of("Akira", 0), Some("Akira"));
        assert_eq!(source_of("Qilin", 0), Some("Qilin"));
        assert_eq!(source_of("Note", 0), Some("Note"));
        // The space standing for the line break is no place of its own.
        let space = mapped.text.find("World Leaks,").unwrap() + "World".len();
        assert_eq!(mapped.source(space..space + 1), None);
        assert_eq!(render(markdown).text, mapped.text);

        // A fenced block's indentation is trimmed off the text, not off the map.
        let fenced = "```\n   Akira\n```\n";
        let mapped = render_mapped(fenced);
        assert_eq!(mapped.text, "Akira");
        assert_eq!(
            mapped.source(0..5).map(|range| &fenced[range]),
            Some("Akira")
        );
    }
}
