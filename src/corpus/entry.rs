//! Entry files (`entries/YYYY-MM-DD/<slug>.md`): YAML front matter plus a markdown body.

use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::corpus::brief::{first_sentence, heading_text};
use crate::corpus::section::SectionMap;
use crate::corpus::{self, markdown, slug, CorpusError};
use crate::item::{Footer, Item, ItemKind, Level};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FrontMatter {
    title: Option<String>,
    headline: Option<String>,
    summary: Option<String>,
    kind: Option<String>,
    tags: Vec<String>,
    regions: Vec<String>,
    sectors: Vec<String>,
    techniques: Vec<String>,
    entities: Vec<String>,
    cves: Vec<CveField>,
    sources: Vec<SourceField>,
    verification: Option<String>,
    update_of: Option<String>,
    migrated_from: Option<String>,
    weekly_section: Option<String>,
    deep_dive: Option<bool>,
}

/// A `cves:` element: a bare id or an object with the id and its scores.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CveField {
    Id(String),
    Detailed {
        id: String,
        #[serde(default)]
        cvss: Option<Value>,
        #[serde(default)]
        vector: Option<String>,
        #[serde(default)]
        auth: Option<String>,
        #[serde(default)]
        status: Option<Value>,
    },
}

#[derive(Debug, Deserialize)]
struct SourceField {
    url: String,
    #[serde(default)]
    publisher: Option<String>,
}

/// Parses an entry file. `path` is corpus-relative (`entries/2026-06-10/x.md`),
/// `date` and `slug` come from it.
pub fn parse(path: &str, date: &str, slug_part: &str, text: &str) -> Result<Item, CorpusError> {
    let (front, body, body_line) = split_front_matter(path, text)?;
    let front: FrontMatter =
        serde_yaml_ng::from_str(front).map_err(|error| front_matter_error(path, front, error))?;

    if let Some(bad) = front
        .entities
        .iter()
        .map(|key| key.trim())
        .find(|key| !is_key(key))
    {
        return Err(CorpusError::Syntax {
            path: path.to_string(),
            line: line_of_listed(text, bad),
            message: format!(
                "entities: `{bad}` is not an entity key; write `type:slug` (actor:qilin) or a CVE id"
            ),
        });
    }

    let body = match front.migrated_from {
        Some(_) => story_part(body),
        None => body,
    };
    let raw_title = front
        .title
        .clone()
        .or_else(|| front.headline.clone())
        .unwrap_or_else(|| slug_part.to_string());
    let title = slug::clean_title(&raw_title);
    let rendered = markdown::render(body);
    let mut sources = Vec::new();
    for source in &front.sources {
        let label = source.publisher.clone().unwrap_or_default();
        markdown::push_source(&mut sources, source.url.clone(), label);
    }
    for source in rendered.sources {
        markdown::push_source(&mut sources, source.url, source.label);
    }

    Ok(Item {
        id: format!("{date}/{slug_part}"),
        date: date.to_string(),
        kind: ItemKind::Entry,
        level: Level::Item,
        brief: None,
        section: section_of(&front),
        summary: front
            .summary
            .clone()
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| first_sentence(&rendered.text)),
        title: title.title,
        body_markdown: body.trim().to_string(),
        body: rendered.text,
        update: front.update_of.is_some() || title.update,
        rollup: false,
        update_of: front.update_of.clone(),
        verification: front.verification.clone().or(title.verification),
        markers: title.markers,
        footer: footer_of(&front),
        sources,
        explicit_entities: explicit_keys(&front),
        mentions: Vec::new(),
        entities: Vec::new(),
        paths: vec![path.to_string()],
        line: body_line,
        migrated_from: front.migrated_from.clone(),
    })
}

/// The body of an entry converted from a brief, up to a roll-up heading. The
/// conversion kept a section's `#### CVE Summary Table` in the story above it,
/// which would link that story to every CVE of the table; the brief gives the
/// table an item of its own.
fn story_part(body: &str) -> &str {
    let map = SectionMap::shipped();
    let rollup = markdown::blocks(body).into_iter().find(|block| {
        matches!(block.kind, markdown::BlockKind::Heading(depth) if depth >= 3)
            && map.is_rollup(&heading_text(&body[block.range.clone()]))
    });
    rollup.map_or(body, |block| &body[..block.range.start])
}

/// The error of a front matter that does not parse. It is parsed again behind an
/// empty line standing for the opening `---`, so that the positions the YAML parser
/// writes into its message ("at line 11 column 7") count the file's lines, as the
/// line the error is filed under does.
fn front_matter_error(path: &str, front: &str, first: serde_yaml_ng::Error) -> CorpusError {
    let as_in_file = format!("\n{front}");
    let (error, shift) = match serde_yaml_ng::from_str::<FrontMatter>(&as_in_file) {
        Err(error) => (error, 0),
        Ok(_) => (first, 1),
    };
    let line = error
        .location()
        .map_or(1, |location| location.line() + shift);
    let message = match serde_yaml_ng::from_str::<Value>(front) {
        Ok(value) if !value.is_mapping() => "front matter: write `name: value` fields \
             (title:, tags:, …) between the two `---` lines"
            .to_string(),
        _ => format!("front matter: {error}"),
    };
    CorpusError::Syntax {
        path: path.to_string(),
        line,
        message,
    }
}

/// Returns (front matter, body, 1-based line where the body starts).
fn split_front_matter<'a>(
    path: &str,
    text: &'a str,
) -> Result<(&'a str, &'a str, usize), CorpusError> {
    let missing = |message: &str| CorpusError::Syntax {
        path: path.to_string(),
        line: 1,
        message: message.to_string(),
    };
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| missing("an entry file starts with a `---` front-matter line"))?;
    // The closing `---` may be the very next line: empty front matter.
    let close = std::iter::once(0)
        .chain(rest.match_indices('\n').map(|(at, _)| at + 1))
        .find(|&start| {
            let line = rest[start..].split('\n').next().unwrap_or_default();
            line.trim_end_matches('\r') == "---"
        })
        .ok_or_else(|| missing("the front matter is never closed by a `---` line"))?;
    let front = &rest[..close];
    let body = rest[close + 3..].trim_start_matches(['\r', '\n']);
    let body_line = text[..text.len() - body.len()].matches('\n').count() + 1;
    Ok((front, body, body_line))
}

fn section_of(front: &FrontMatter) -> String {
    let map = SectionMap::shipped();
    // Only a section key the engine knows: anything else could not be filtered on.
    let weekly = front
        .weekly_section
        .as_deref()
        .filter(|section| map.keys().contains(section));
    if let Some(section) = weekly {
        return section.to_string();
    }
    if front.update_of.is_some() {
        return "updates".to_string();
    }
    if front.deep_dive == Some(true) {
        return "deep-dive".to_string();
    }
    map.entry_section(front.kind.as_deref().unwrap_or(""))
        .to_string()
}

fn footer_of(front: &FrontMatter) -> Footer {
    let mut footer = Footer {
        tags: front.tags.clone(),
        regions: front.regions.clone(),
        sectors: front.sectors.clone(),
        techniques: front.techniques.clone(),
        ..Footer::default()
    };
    for cve in &front.cves {
        match cve {
            CveField::Id(id) => footer.cves.extend(crate::tagger::cve_ids(id)),
            CveField::Detailed {
                id,
                cvss,
                vector,
                auth,
                status,
            } => {
                footer.cves.extend(crate::tagger::cve_ids(id));
                footer.cvss = footer
                    .cvss
                    .take()
                    .or_else(|| cvss.as_ref().and_then(scalar));
                footer.vector = footer.vector.take().or_else(|| vector.clone());
                footer.auth = footer.auth.take().or_else(|| auth.clone());
                footer.status.extend(status.iter().flat_map(strings));
            }
        }
    }
    footer.status.dedup();
    footer
}

/// The line of `value` in a front-matter list: a `- value` line, else a line
/// holding it quoted (`[…, "value"]`), else the `entities:` line.
fn line_of_listed(text: &str, value: &str) -> usize {
    let listed = |line: &str| {
        line.trim_start()
            .strip_prefix('-')
            .is_some_and(|item| item.trim().trim_matches(['"', '\'']) == value)
    };
    let quoted =
        |line: &str| line.contains(&format!("\"{value}\"")) || line.contains(&format!("'{value}'"));
    let at = text
        .lines()
        .position(listed)
        .or_else(|| text.lines().position(quoted))
        .or_else(|| text.lines().position(|line| line.starts_with("entities:")));
    at.map_or(1, |at| at + 1)
}

/// Whether an author's key reads as an entity key (see [`corpus::entity_key`]).
/// Blank keys are skipped, not refused.
fn is_key(key: &str) -> bool {
    key.trim().is_empty() || corpus::entity_key(key).is_some()
}

fn explicit_keys(front: &FrontMatter) -> Vec<String> {
    let mut keys: Vec<String> = front
        .entities
        .iter()
        .filter_map(|key| corpus::entity_key(key))
        .collect();
    for cve in &front.cves {
        let id = match cve {
            CveField::Id(id) | CveField::Detailed { id, .. } => id,
        };
        keys.extend(crate::tagger::cve_ids(id));
    }
    keys.dedup();
    keys
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(values) => values.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "---\nschema: 1\nkind: vulnerability\ntitle: \"CVE-2026-0300 — PAN-OS [SINGLE-SOURCE]\"\nsummary: \"Root RCE.\"\ntags:\n  - rce\nentities:\n  - \"campaign:cl-sta-1132\"\ncves:\n  - id: CVE-2026-0300\n    cvss: \"9.3\"\n    status:\n      - exploited\nsources:\n  - url: \"https://security.paloaltonetworks.com/CVE-2026-0300\"\n    publisher: Palo Alto\n    role: primary\nverification: multi-source\nmigrated_from: briefs/weekly/2026-W19.md\n---\n\nBody with [THN](https://thehackernews.com/x).\n";

    #[test]
    fn keys_that_are_not_keys_are_named_with_their_line() {
        for bad in ["noprefix", "actor:", ":", "actor:a b", "Actor Group:x"] {
            let text = ENTRY.replace("\"campaign:cl-sta-1132\"", &format!("\"{bad}\""));
            let error = parse("entries/2026-05-04/cve.md", "2026-05-04", "cve", &text)
                .unwrap_err()
                .to_string();
            assert_eq!(
                error,
                format!(
                    "entries/2026-05-04/cve.md:9: entities: `{bad}` is not an entity key; \
                     write `type:slug` (actor:qilin) or a CVE id"
                )
            );
        }
        for good in ["ACTOR:Qilin", "CVE-2026-0300", "  "] {
            let text = ENTRY.replace("\"campaign:cl-sta-1132\"", &format!("\"{good}\""));
            assert!(parse("entries/2026-05-04/cve.md", "2026-05-04", "cve", &text).is_ok());
        }
    }

    #[test]
    fn front_matter_fields_become_item_fields() {
        let item = parse("entries/2026-05-04/cve.md", "2026-05-04", "cve", ENTRY).unwrap();
        assert_eq!(item.id, "2026-05-04/cve");
        assert_eq!(item.title, "CVE-2026-0300 — PAN-OS");
        assert_eq!(item.summary, "Root RCE.");
        assert_eq!(item.section, "trending-vulnerabilities");
        assert_eq!(
            item.explicit_entities,
            ["campaign:cl-sta-1132", "CVE-2026-0300"]
        );
        assert_eq!(item.footer.cvss.as_deref(), Some("9.3"));
        assert_eq!(item.footer.status, ["exploited"]);
        assert_eq!(item.verification.as_deref(), Some("multi-source"));
        assert_eq!(
            item.migrated_from.as_deref(),
            Some("briefs/weekly/2026-W19.md")
        );
        assert_eq!(
            item.hosts(),
            ["security.paloaltonetworks.com", "thehackernews.com"]
        );
        assert_eq!(item.line, 23);
    }

    #[test]
    fn cve_ids_in_front_matter_are_upper_case_and_lists_name_each() {
        let text = "---\ntitle: x\nentities: [cve-2026-4444, Actor:Qilin]\n\
                    cves:\n  - CVE-2026-29201/29202\n  - id: cve-2026-5787\n---\nBody.\n";
        let item = parse("entries/2026-05-04/x.md", "2026-05-04", "x", text).unwrap();
        assert_eq!(
            item.explicit_entities,
            [
                "CVE-2026-4444",
                "actor:qilin",
                "CVE-2026-29201",
                "CVE-2026-29202",
                "CVE-2026-5787"
            ]
        );
        assert_eq!(
            item.footer.cves,
            ["CVE-2026-29201", "CVE-2026-29202", "CVE-2026-5787"]
        );
    }

    #[test]
    fn broken_front_matter_names_file_and_line() {
        let broken = "---\ntitle: x\ntags: [a\n---\nbody\n";
        let error = parse("entries/2026-05-04/x.md", "2026-05-04", "x", broken)
            .unwrap_err()
            .to_string();
        // The parser's own positions count the file's lines, as the prefix does.
        assert_eq!(
            error,
            "entries/2026-05-04/x.md:4: front matter: did not find expected ',' or ']' \
             at line 4 column 1, while parsing a flow sequence at line 3 column 7"
        );
        let wrong_type = "---\ntitle: x\n\ntags:\n  - a\nentities: 7\n---\nbody\n";
        let error = parse("entries/2026-05-04/x.md", "2026-05-04", "x", wrong_type)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "entries/2026-05-04/x.md:6: front matter: entities: invalid type: integer `7`, \
             expected a sequence at line 6 column 11"
        );
        let unclosed = parse(
            "entries/2026-05-04/x.md",
            "2026-05-04",
            "x",
            "---\ntitle: x\n",
        )
        .unwrap_err();
        assert!(unclosed.to_string().contains("never closed"));
        // Empty front matter is closed, not "never closed": the title falls back to
        // the file's slug, the body starts on line 3.
        let empty = parse(
            "entries/2026-05-04/x.md",
            "2026-05-04",
            "x",
            "---\n---\nBody.\n",
        )
        .unwrap();
        assert_eq!(
            (empty.title.as_str(), empty.body.as_str(), empty.line),
            ("x", "Body.", 3)
        );
        // Front matter that is one value, not fields, says what to write.
        for value in ["null", "just a line", "- a\n- b"] {
            let text = format!("---\n{value}\n---\nBody.\n");
            let error = parse("entries/2026-05-04/x.md", "2026-05-04", "x", &text)
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with("entries/2026-05-04/x.md:")
                    && error.contains("write `name: value` fields"),
                "{error}"
            );
        }
    }
}
