//! The section map: heading keywords -> section key, read from `schema/sections.toml`.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;

/// The section map shipped in `schema/sections.toml`, compiled into the binary so
/// that every run reads the same declarative file.
const SECTIONS_TOML: &str = include_str!("../../schema/sections.toml");

/// Key given to a heading that matches no rule.
pub const OTHER: &str = "other";

/// What a section's content becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Headed or bold-lead items.
    #[default]
    Items,
    /// One item for the whole section, sub-headings included.
    DeepDive,
    /// One item titled by the heading.
    Single,
    /// Brief-level text, not items.
    Brief,
}

/// Which briefs a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BriefKind {
    /// Daily briefs.
    Daily,
    /// Weekly summaries.
    Weekly,
}

#[derive(Debug, Deserialize)]
struct Rule {
    key: String,
    keywords: Vec<String>,
    applies_to: Option<BriefKind>,
    #[serde(default)]
    role: Role,
    #[serde(default)]
    rollup: bool,
}

#[derive(Debug, Deserialize)]
struct MapFile {
    rule: Vec<Rule>,
    rollups: Rollups,
    entry_kinds: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct Rollups {
    keywords: Vec<String>,
}

/// A resolved section: its key and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Section key (`active-threats`, `weekly-policy`, `other`).
    pub key: String,
    /// What its content becomes.
    pub role: Role,
    /// Its items restate the brief's stories (see [`SectionMap::is_rollup`]).
    pub rollup: bool,
}

/// The ordered keyword rules.
#[derive(Debug)]
pub struct SectionMap {
    rules: Vec<Rule>,
    rollups: Rollups,
    entry_kinds: BTreeMap<String, String>,
    unknown_logged: Mutex<HashSet<String>>,
}

impl SectionMap {
    /// The map compiled from `schema/sections.toml`.
    pub fn shipped() -> &'static SectionMap {
        static MAP: OnceLock<SectionMap> = OnceLock::new();
        MAP.get_or_init(|| {
            SectionMap::from_toml(SECTIONS_TOML)
                .expect("schema/sections.toml is valid; a unit test parses it")
        })
    }

    /// Parses a section map.
    pub fn from_toml(text: &str) -> Result<SectionMap, toml::de::Error> {
        let file: MapFile = toml::from_str(text)?;
        Ok(SectionMap {
            rules: file.rule,
            rollups: file.rollups,
            entry_kinds: file.entry_kinds,
            unknown_logged: Mutex::default(),
        })
    }

    /// The section of a `## ` heading in a brief of the given kind; `None` when no rule
    /// matches (the caller decides whether that means `other`).
    pub fn lookup(&self, heading: &str, kind: BriefKind) -> Option<Section> {
        let heading = strip_numbering(heading).to_lowercase();
        self.rules
            .iter()
            .filter(|rule| rule.applies_to.is_none_or(|applies| applies == kind))
            .find(|rule| {
                rule.keywords
                    .iter()
                    .any(|keyword| heading.contains(keyword.as_str()))
            })
            .map(|rule| Section {
                key: rule.key.clone(),
                role: rule.role,
                rollup: rule.rollup,
            })
    }

    /// Like [`SectionMap::lookup`], but an unknown heading becomes `other` and is
    /// logged once per distinct heading.
    pub fn resolve(&self, heading: &str, kind: BriefKind) -> Section {
        if let Some(section) = self.lookup(heading, kind) {
            return section;
        }
        let mut logged = self
            .unknown_logged
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if logged.insert(heading.to_string()) {
            tracing::warn!(heading, "unknown section heading; filed under `other`");
        }
        Section {
            key: OTHER.to_string(),
            role: Role::Items,
            rollup: false,
        }
    }

    /// `true` when a heading names a roll-up table (see `[rollups]` in the map): a
    /// keyword and at most four words, numbering dropped.
    pub fn is_rollup(&self, heading: &str) -> bool {
        let heading = strip_numbering(heading).to_lowercase();
        heading.split_whitespace().count() <= 4
            && self
                .rollups
                .keywords
                .iter()
                .any(|keyword| heading.contains(keyword.as_str()))
    }

    /// Every key the map can produce, entry sections included.
    pub fn keys(&self) -> std::collections::BTreeSet<&str> {
        let rules = self.rules.iter().map(|rule| rule.key.as_str());
        rules
            .chain(self.entry_kinds.values().map(String::as_str))
            .chain([OTHER, "updates", "deep-dive"])
            .collect()
    }

    /// The section key of an entry file of the given `kind:`.
    pub fn entry_section(&self, kind: &str) -> &str {
        self.entry_kinds.get(kind).map_or(OTHER, String::as_str)
    }
}

/// Drops a leading numbering such as `3.`, `1b.` or `10)` from a heading.
pub fn strip_numbering(heading: &str) -> &str {
    let trimmed = heading.trim_start();
    let digits = trimmed.len()
        - trimmed
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    if digits == 0 {
        return trimmed;
    }
    let rest = &trimmed[digits..];
    let rest = rest
        .strip_prefix(|c: char| c.is_ascii_lowercase())
        .unwrap_or(rest);
    match rest.strip_prefix(['.', ')']) {
        Some(after) if after.starts_with(' ') => after.trim_start(),
        _ => trimmed,
    }
}

/// `true` when a heading starts with a numbering token.
pub fn is_numbered(heading: &str) -> bool {
    strip_numbering(heading).len() != heading.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(heading: &str, kind: BriefKind) -> String {
        SectionMap::shipped().resolve(heading, kind).key
    }

    #[test]
    fn numbering_never_counts() {
        assert_eq!(
            key(
                "1. Active Threats & Trending Vulnerabilities",
                BriefKind::Daily
            ),
            "active-threats"
        );
        assert_eq!(
            key("2. Trending Vulnerabilities", BriefKind::Daily),
            "trending-vulnerabilities"
        );
        assert_eq!(
            key("3. Trending Vulnerabilities", BriefKind::Daily),
            "trending-vulnerabilities"
        );
        assert_eq!(
            strip_numbering("1b. Trending Vulnerabilities"),
            "Trending Vulnerabilities"
        );
        assert_eq!(strip_numbering("2026 outlook"), "2026 outlook");
    }

    #[test]
    fn first_match_wins() {
        let heading = "1. Active Threats, Trending Actors, Notable Incidents & Disclosures";
        assert_eq!(key(heading, BriefKind::Daily), "active-threats");
        assert_eq!(
            key("2. Switzerland, Europe & Public Sector", BriefKind::Daily),
            "ch-eu-public-sector"
        );
        assert_eq!(
            key("3. Notable Incidents & Disclosures", BriefKind::Daily),
            "active-threats"
        );
    }

    #[test]
    fn daily_and_weekly_headings() {
        assert_eq!(key("0. TL;DR", BriefKind::Daily), "tl-dr");
        assert_eq!(
            key("4. Research & Investigative Reporting", BriefKind::Daily),
            "research"
        );
        assert_eq!(
            key("6. Updates to Prior Coverage", BriefKind::Daily),
            "updates"
        );
        assert_eq!(
            key("5. Deep Dive — Storm-2949", BriefKind::Daily),
            "deep-dive"
        );
        assert_eq!(
            key("7. Verification Notes", BriefKind::Daily),
            "verification-notes"
        );
        assert_eq!(
            key(
                "1. Highest-impact events — what's on fire",
                BriefKind::Weekly
            ),
            "weekly-top-stories"
        );
        assert_eq!(
            key("3. Vulnerability roll-up", BriefKind::Weekly),
            "weekly-vuln-rollup"
        );
        assert_eq!(
            key("6. Annual / periodic threat reports", BriefKind::Weekly),
            "weekly-annual-reports"
        );
        assert_eq!(
            key("8. Policy & regulatory horizon", BriefKind::Weekly),
            "weekly-policy"
        );
        assert_eq!(
            key("10. Verification & coverage notes", BriefKind::Weekly),
            "weekly-verification"
        );
    }

    #[test]
    fn unknown_heading_is_other() {
        assert_eq!(key("9. Miscellany", BriefKind::Daily), OTHER);
        assert_eq!(
            SectionMap::shipped().lookup("9. Miscellany", BriefKind::Daily),
            None
        );
    }

    #[test]
    fn rollup_headings_name_a_table_and_nothing_else() {
        let map = SectionMap::shipped();
        assert!(map.is_rollup("CVE Summary Table"));
        assert!(map.is_rollup("1b. Trending Vulnerabilities"));
        assert!(map.is_rollup("Trending Vulnerabilities"));
        assert!(!map.is_rollup("Incident Narrative"));
        assert!(!map.is_rollup("CVE-2026-0300 — a summary table of affected PAN-OS branches"));
    }

    #[test]
    fn entry_kinds_map_to_sections() {
        let map = SectionMap::shipped();
        assert_eq!(
            map.entry_section("vulnerability"),
            "trending-vulnerabilities"
        );
        assert_eq!(map.entry_section("unheard-of"), OTHER);
    }
}
