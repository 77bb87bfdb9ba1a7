//! The corpus-independent model: what parsing produces and what the index stores.
//!
//! An [`Item`] is the unit of search: one item of a brief, one entry file, or the
//! brief-level text of a brief (TL;DR, notes). Parsing fills it from markdown; the
//! tagger adds mentions; the index writes it. Nothing here knows about Tantivy.

use serde::{Deserialize, Serialize};

/// Where an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// An item of a daily brief (possibly merged with its entry file).
    Daily,
    /// An item of a weekly summary (possibly merged with its entry file).
    Weekly,
    /// A standalone entry file.
    Entry,
}

impl ItemKind {
    /// The lower-case name used in the index and the JSON outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Daily => "daily",
            ItemKind::Weekly => "weekly",
            ItemKind::Entry => "entry",
        }
    }
}

/// Whether a document is a real item or the brief-level text of a brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// One story: search hit, entity page row, co-occurrence unit.
    Item,
    /// TL;DR, header, section intros and verification notes of one brief: searchable,
    /// but never counted as an item nor used for co-occurrence.
    Brief,
}

/// The brief an item was published in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BriefRef {
    /// `2026-05-06` for a daily brief, `2026-W19` for a weekly summary.
    pub id: String,
    /// The brief's `# ` title.
    pub title: String,
}

/// A cited source: one inline markdown link with an absolute URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// The link target as written.
    pub url: String,
    /// The link text (or the publisher, for entry front matter).
    pub label: String,
    /// Lower-cased host without a leading `www.`.
    pub host: String,
}

/// One occurrence of an entity label in an item's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Mention {
    /// Canonical entity key (`actor:apt42`, `CVE-2026-31431`).
    pub key: String,
    /// The text as it stands in the document.
    pub label: String,
    /// Byte offsets into the tagged text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// The per-item metadata footer (`— *Source: … · Tags: … · CVE: …*`) and the
/// equivalent front-matter fields of an entry file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Footer {
    /// Theme tags.
    pub tags: Vec<String>,
    /// Regions.
    pub regions: Vec<String>,
    /// Sectors.
    pub sectors: Vec<String>,
    /// CVE ids named by the footer or the front matter.
    pub cves: Vec<String>,
    /// CVSS score as written.
    pub cvss: Option<String>,
    /// Attack vector as written.
    pub vector: Option<String>,
    /// Authentication requirement as written.
    pub auth: Option<String>,
    /// ATT&CK technique ids (`T1068`) from the front matter.
    #[serde(default)]
    pub techniques: Vec<String>,
    /// Status values (patch-available, exploited, …).
    pub status: Vec<String>,
    /// Evidence note.
    pub evidence: Option<String>,
    /// Closed-source note.
    pub closed_source: Option<String>,
    /// Any other `Name: value` field, kept rather than dropped.
    pub other: Vec<(String, String)>,
}

impl Footer {
    /// The lists search reads as an item's keywords, each with the name the
    /// footer gives it: indexed as the keywords field, and shown as a snippet's
    /// footer line when only they matched.
    pub fn keyword_lists(&self) -> [(&'static str, &[String]); 5] {
        [
            ("Tags", &self.tags),
            ("Region", &self.regions),
            ("Sector", &self.sectors),
            ("ATT&CK", &self.techniques),
            ("CVE", &self.cves),
        ]
    }
}

/// One searchable document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Item {
    /// `<date>/<slug>` for items, the brief id for brief-level text.
    pub id: String,
    /// Publication date, `YYYY-MM-DD`.
    pub date: String,
    /// Daily, weekly or entry.
    pub kind: ItemKind,
    /// Item or brief-level text.
    pub level: Level,
    /// The brief that carried it, if any.
    pub brief: Option<BriefRef>,
    /// Section key from the section map.
    pub section: String,
    /// Title without markers.
    pub title: String,
    /// One line of what is new (entry summary, or the first sentence of the body).
    pub summary: String,
    /// Body as markdown (links kept, footer removed).
    pub body_markdown: String,
    /// Body as plain text: what is searched, tagged and snippeted.
    pub body: String,
    /// `true` for `UPDATE:` items.
    pub update: bool,
    /// `true` for a table restating a section's stories (`#### CVE Summary Table`)
    /// and for a brief's action items: cited on the pages of what they list, but no
    /// evidence that the things listed co-occur.
    #[serde(default)]
    pub rollup: bool,
    /// The coverage this item updates (a date, week or item id), when stated.
    pub update_of: Option<String>,
    /// Verification flag (`single-source`, `single-source-national-cert`, …).
    pub verification: Option<String>,
    /// Other bracketed title markers (`EU Nexus`).
    pub markers: Vec<String>,
    /// Footer or front-matter metadata.
    pub footer: Footer,
    /// Cited sources, in order, without duplicates.
    pub sources: Vec<Source>,
    /// Entity keys the author listed explicitly (entry front matter).
    pub explicit_entities: Vec<String>,
    /// Entity mentions found by the tagger in [`Item::text`].
    pub mentions: Vec<Mention>,
    /// Canonical entity keys: explicit ∪ tagged, sorted.
    pub entities: Vec<String>,
    /// Corpus-relative paths of the files this item was built from.
    pub paths: Vec<String>,
    /// 1-based line of the item's start in its first file.
    pub line: usize,
    /// The brief path named by an entry's `migrated_from`.
    pub migrated_from: Option<String>,
}

impl Item {
    /// The text the tagger reads and mention offsets point into: the title, the
    /// summary unless the body already holds it, the plain body, separated by blank
    /// lines. A derived summary repeats the body's first sentence, and many entry
    /// summaries repeat its first paragraph: kept twice, every mention there would
    /// count twice.
    pub fn text(&self) -> String {
        let summary = self.summary.trim();
        let summary = match summary.trim_end_matches('…') {
            head if head.is_empty() || self.body.contains(head) => "",
            _ => summary,
        };
        let mut text =
            String::with_capacity(self.title.len() + summary.len() + self.body.len() + 4);
        text.push_str(&self.title);
        text.push_str("\n\n");
        if !summary.is_empty() {
            text.push_str(summary);
            text.push_str("\n\n");
        }
        text.push_str(&self.body);
        text
    }

    /// The id's slug part (after the first `/`), or the whole id for brief text.
    pub fn slug(&self) -> &str {
        self.id
            .split_once('/')
            .map_or(self.id.as_str(), |(_, slug)| slug)
    }

    /// Distinct hosts of the cited sources, in order of first citation.
    pub fn hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = Vec::new();
        for source in &self.sources {
            if !hosts.contains(&source.host.as_str()) {
                hosts.push(&source.host);
            }
        }
        hosts
    }

    /// `YYYY-MM` of the item's date.
    pub fn month(&self) -> &str {
        self.date.get(..7).unwrap_or(&self.date)
    }
}
