//! Synthetic corpora for benchmarks: real items recombined at any scale.
//!
//! [`generate`] parses a real corpus with the library's own parser, keeps its
//! stories as a pool (titles, paragraphs, cited sources, footer values, CVE ids),
//! and writes `items` new items in the real formats: daily briefs
//! (`briefs/YYYY-MM-DD.md`, `## N. Section` headings, `### ` items, `— *Source: … ·
//! Tags: …*` footers, update items in block quotes) and entry files
//! (`entries/YYYY-MM-DD/<slug>.md` with YAML front matter). Each item takes the
//! title and first paragraphs of one real story, lightly varied, and paragraphs of
//! others; CVE ids are swapped among the real ones. Dates spread over years, about a
//! dozen brief items per day and a fifth of the items as entries. The real registry
//! is copied, optionally followed by synthetic entities (with aliases) that the
//! items then mention, for tagging at scale.
//!
//! The output depends only on the source corpus and the seed: the generator uses its
//! own small PRNG (splitmix64) rather than a crate whose streams may change between
//! versions. Files are written one day at a time, so memory stays flat at any size.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::corpus::{self, slug, CorpusError};
use crate::item::{Item, Level, Source};
use crate::registry::{Registry, RegistryError};
use crate::settings::REGISTRY_IN_CORPUS;

/// Brief items per day aimed at, before the span of years is capped.
const ITEMS_PER_BRIEF: usize = 12;
/// Longest span the dates cover, in days (20 years).
const MAX_DAYS: usize = 20 * 365;
/// First date of every synthetic corpus.
const FIRST_DAY: time::Date = time::macros::date!(2006 - 01 - 02);
/// Share of the items written as entry files, in percent.
const ENTRY_PERCENT: usize = 20;

/// A synthetic corpus that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SyntheticError {
    /// The source corpus is unreadable.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The source registry is unreadable.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The source corpus has no item to recombine.
    #[error("{path}: the corpus has no items to recombine; point --from at a corpus folder")]
    NoItems {
        /// The source folder.
        path: String,
    },
    /// A count out of range.
    #[error("--{parameter} {value}: must be between {min} and {max}{hint}", max = MAX_COUNT)]
    Count {
        /// The option.
        parameter: &'static str,
        /// Its value.
        value: usize,
        /// Its least value.
        min: usize,
        /// What else would make it valid, if anything.
        hint: &'static str,
    },
    /// The output folder already holds files, which would mix with the new ones.
    #[error("{path}: the folder is not empty; write a synthetic corpus to a new or empty folder")]
    NotEmpty {
        /// The folder.
        path: String,
    },
    /// Writing the output failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Items to write (brief items and entries together).
    pub items: usize,
    /// PRNG seed: the same seed gives the same files.
    pub seed: u64,
    /// Synthetic entities appended to the copied registry.
    pub entities: usize,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Daily brief files.
    pub briefs: usize,
    /// Entry files.
    pub entries: usize,
    /// Items (brief items + entries).
    pub items: usize,
    /// Bytes of markdown written.
    pub bytes: u64,
    /// Entities in the written registry (real + synthetic).
    pub entities: usize,
    /// First and last date.
    pub dates: (String, String),
}

/// Most items or synthetic entities one corpus may have: ten times the largest
/// benchmark size, and far beyond what one process writes in reasonable time.
pub const MAX_COUNT: usize = 10_000_000;

/// Refuses counts that would write nothing or never finish, and an output folder
/// whose old files would mix with the new ones. No items with synthetic entities
/// is a registry alone, which the tagging benchmark reads.
fn check(out: &Path, options: &Options) -> Result<(), SyntheticError> {
    let least_items = usize::from(options.entities == 0);
    for (parameter, value, min) in [
        ("items", options.items, least_items),
        ("entities", options.entities, 0),
    ] {
        if !(min..=MAX_COUNT).contains(&value) {
            let hint = match (parameter, value) {
                ("items", 0) => ", or 0 with --entities N for a registry alone",
                _ => "",
            };
            return Err(SyntheticError::Count {
                parameter,
                value,
                min,
                hint,
            });
        }
    }
    let holds_files = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
    if holds_files {
        return Err(SyntheticError::NotEmpty {
            path: out.display().to_string(),
        });
    }
    Ok(())
}

/// Writes a synthetic corpus built from the corpus at `source` into `out`.
pub fn generate(source: &Path, out: &Path, options: &Options) -> Result<Generated, SyntheticError> {
    check(out, options)?;
    let registry_path = source.join(REGISTRY_IN_CORPUS);
    let registry = Registry::load(&registry_path)?;
    let files = corpus::walk(source)?;
    let parsed = corpus::parse_files(&files)?;
    let pool = Pool::new(&parsed.items, &registry);
    if pool.stories.is_empty() {
        return Err(SyntheticError::NoItems {
            path: source.display().to_string(),
        });
    }

    let mut rng = Rng::new(options.seed);
    let names = synthetic_names(options.entities);
    let mut generated = Generated {
        entities: registry.len() + names.len(),
        ..Generated::default()
    };
    write_registry(&registry_path, out, &names, &mut rng)?;

    let entry_items = options.items * ENTRY_PERCENT / 100;
    let brief_items = options.items - entry_items;
    let days = brief_items.div_ceil(ITEMS_PER_BRIEF).clamp(1, MAX_DAYS);
    let mut writer = Writer {
        out: out.to_path_buf(),
        pool: &pool,
        names: &names,
        rng,
        generated,
    };
    for day in 0..days {
        let date = FIRST_DAY + time::Duration::days(day as i64);
        let date = date_string(date);
        writer.brief(&date, share(brief_items, days, day))?;
        writer.entries(&date, share(entry_items, days, day))?;
        if day == 0 {
            writer.generated.dates.0 = date.clone();
        }
        writer.generated.dates.1 = date;
    }
    generated = writer.generated;
    Ok(generated)
}

/// The `day`th of `days` near-equal shares of `total`.
fn share(total: usize, days: usize, day: usize) -> usize {
    total / days + usize::from(day < total % days)
}

fn date_string(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// splitmix64: tiny, fast, and stable across versions, which is all a corpus
/// generator needs (this is not for anything secret).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5eed_d055_1e55_u64)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// `true` with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One real story, reduced to what recombination needs.
struct Story {
    section: &'static str,
    title: String,
    verification: Option<String>,
    paragraphs: Vec<String>,
    sources: Vec<Source>,
    tags: Vec<String>,
    regions: Vec<String>,
    sectors: Vec<String>,
}

/// The real material: stories plus pools of values across them.
struct Pool {
    stories: Vec<Story>,
    paragraphs: Vec<String>,
    sources: Vec<Source>,
    cves: Vec<String>,
    tags: Vec<String>,
    entity_keys: Vec<String>,
    header: String,
}

/// The four item sections of the later daily briefs, in order, with their headings.
const SECTIONS: [(&str, &str); 4] = [
    (
        "active-threats",
        "Active Threats, Trending Actors, Notable Incidents & Disclosures",
    ),
    ("trending-vulnerabilities", "Trending Vulnerabilities"),
    ("research", "Research & Investigative Reporting"),
    ("updates", "Updates to Prior Coverage"),
];

const TITLE_SUFFIXES: [&str; 8] = [
    "second wave",
    "new victims disclosed",
    "vendor advisory updated",
    "patch now available",
    "follow-up analysis",
    "exploitation confirmed",
    "regional impact widens",
    "indicators published",
];

impl Pool {
    fn new(items: &[Item], registry: &Registry) -> Pool {
        let mut pool = Pool {
            stories: Vec::new(),
            paragraphs: Vec::new(),
            sources: Vec::new(),
            cves: Vec::new(),
            tags: Vec::new(),
            entity_keys: registry.live().map(|entity| entity.key.clone()).collect(),
            header: String::from(
                "> **AI-generated content — no human review.** Synthetic benchmark brief \
                 recombined from the public ctipilot corpus.",
            ),
        };
        for item in items.iter().filter(|item| item.level == Level::Item) {
            let paragraphs: Vec<String> = item
                .body_markdown
                .split("\n\n")
                .map(str::trim)
                .filter(|paragraph| is_plain_paragraph(paragraph))
                .map(str::to_string)
                .collect();
            if paragraphs.is_empty() || item.title.is_empty() {
                continue;
            }
            pool.paragraphs.extend(paragraphs.iter().cloned());
            pool.sources.extend(item.sources.iter().cloned());
            pool.cves.extend(item.footer.cves.iter().cloned());
            pool.tags.extend(item.footer.tags.iter().cloned());
            let section = SECTIONS
                .iter()
                .find(|(key, _)| *key == item.section)
                .map_or("active-threats", |(key, _)| key);
            pool.stories.push(Story {
                section,
                title: item.title.replace('\n', " "),
                verification: item.verification.clone(),
                paragraphs,
                sources: item.sources.clone(),
                tags: item.footer.tags.clone(),
                regions: item.footer.regions.clone(),
                sectors: item.footer.sectors.clone(),
            });
        }
        for text in pool.paragraphs.iter() {
            pool.cves
                .extend(cve_ids(text).map(|(start, end)| text[start..end].to_string()));
        }
        pool.cves.sort();
        pool.cves.dedup();
        pool.tags.sort();
        pool.tags.dedup();
        if pool.tags.is_empty() {
            pool.tags.push("threat-intel".into());
        }
        pool
    }
}

/// A body paragraph that can stand anywhere: no heading, quote, table, rule, list,
/// code fence, footer or bold lead that a parser could read as structure.
fn is_plain_paragraph(paragraph: &str) -> bool {
    let structural = [
        "#", ">", "|", "---", "***", "```", "— *", "- ", "* ", "**", "<",
    ];
    paragraph.len() > 40
        && !structural.iter().any(|mark| paragraph.starts_with(mark))
        && !paragraph.lines().any(|line| {
            let line = line.trim_start();
            structural.iter().any(|mark| line.starts_with(mark))
                || line.starts_with(char::is_numeric) && line.contains(". ")
        })
}

/// Byte ranges of `CVE-YYYY-NNNN…` ids in a text.
fn cve_ids(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    text.match_indices("CVE-").filter_map(move |(at, _)| {
        let bytes = text.as_bytes();
        let digits = |from: usize| {
            bytes[from.min(bytes.len())..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let year = digits(at + 4);
        let number = if year == 4 && bytes.get(at + 8) == Some(&b'-') {
            digits(at + 9)
        } else {
            0
        };
        (number >= 4).then_some((at, at + 9 + number))
    })
}

/// Synthetic entity names: syllables spelled from the index, so each is distinct.
fn synthetic_names(count: usize) -> Vec<(String, String, String)> {
    const SYLLABLES: [&str; 24] = [
        "kor", "val", "zen", "dra", "mir", "tuk", "sal", "ven", "rho", "pex", "lun", "gar", "nyx",
        "orb", "qua", "fel", "bri", "sto", "wex", "jal", "hom", "cyr", "dus", "ilk",
    ];
    const SUFFIXES: [&str; 8] = [
        "Spider", "Panda", "Kitten", "Typhoon", "Blizzard", "Loader", "Stealer", "Locker",
    ];
    let spell = |mut n: usize| {
        let mut word = String::new();
        loop {
            word.push_str(SYLLABLES[n % SYLLABLES.len()]);
            n /= SYLLABLES.len();
            if n == 0 {
                break;
            }
        }
        let mut chars = word.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    };
    (0..count)
        .map(|n| {
            let stem = spell(n + SYLLABLES.len());
            let name = format!("{stem} {}", SUFFIXES[n % SUFFIXES.len()]);
            let alias = format!("{stem}gate");
            let code = format!("SYN-{n:06}");
            (name, alias, code)
        })
        .collect()
}

/// Copies the real registry and appends the synthetic entities.
fn write_registry(
    registry_path: &Path,
    out: &Path,
    names: &[(String, String, String)],
    rng: &mut Rng,
) -> Result<(), SyntheticError> {
    let mut text = std::fs::read_to_string(registry_path).map_err(|source| SyntheticError::Io {
        path: registry_path.display().to_string(),
        source,
    })?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    const KINDS: [&str; 4] = ["actor", "malware", "tool", "campaign"];
    for (at, (name, alias, code)) in names.iter().enumerate() {
        let kind = KINDS[rng.below(KINDS.len())];
        let _ = writeln!(
            text,
            "  - key: \"{kind}:synthetic-{at}\"\n    type: {kind}\n    name: {}\n    \
             aliases: [{}, {}]\n    nexus: null\n    summary: \"Synthetic entity for benchmarks.\"\n    \
             first_seen: 2006-01-02",
            json(name),
            json(alias),
            json(code)
        );
    }
    write_file(&out.join(REGISTRY_IN_CORPUS), text.as_bytes())?;
    Ok(())
}

fn json(text: &str) -> String {
    serde_json::to_string(text).expect("strings always serialize")
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<u64, SyntheticError> {
    let io = |source| SyntheticError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    file.write_all(bytes).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(bytes.len() as u64)
}

/// One generated item: a varied story plus the CVE ids its text names, before it
/// is laid out as a brief item or an entry.
struct Draft {
    story: Story,
    cves: Vec<String>,
}

struct Writer<'a> {
    out: PathBuf,
    pool: &'a Pool,
    names: &'a [(String, String, String)],
    rng: Rng,
    generated: Generated,
}

impl Writer<'_> {
    fn draft(&mut self) -> Draft {
        let pool = self.pool;
        let story = self.rng.pick(&pool.stories);
        let mut title = story.title.clone();
        if self.rng.chance(15) {
            let paragraph = self.rng.pick(&pool.paragraphs);
            title = paragraph
                .split_whitespace()
                .take(12)
                .collect::<Vec<_>>()
                .join(" ")
                .trim_end_matches(['.', ',', ';', ':'])
                .replace(['[', ']', '`', '*'], "");
        } else if self.rng.chance(30) {
            let suffix = self.rng.pick(&TITLE_SUFFIXES);
            title = format!("{title} — {suffix}");
        }
        title = self.swap_cves(&title);

        let own = 1 + self.rng.below(story.paragraphs.len().min(3));
        let mut paragraphs: Vec<String> = story.paragraphs[..own]
            .iter()
            .map(|paragraph| self.swap_cves(paragraph))
            .collect();
        for _ in 0..self.rng.below(3) {
            let borrowed = self.rng.pick(&pool.paragraphs).clone();
            paragraphs.push(self.swap_cves(&borrowed));
        }
        if !self.names.is_empty() && self.rng.chance(30) {
            let (name, alias, code) = self.rng.pick(self.names);
            let label = [name, alias, code][self.rng.below(3)];
            paragraphs.push(format!(
                "Analysts linked part of this activity to {label}, tracked in the synthetic registry."
            ));
        }
        let mut cves: Vec<String> = paragraphs
            .iter()
            .chain(std::iter::once(&title))
            .flat_map(|text| cve_ids(text).map(|(start, end)| text[start..end].to_string()))
            .collect();
        cves.sort();
        cves.dedup();
        cves.truncate(4);

        let sources = if story.sources.is_empty() {
            vec![self.rng.pick(&pool.sources).clone()]
        } else {
            story.sources.iter().take(3).cloned().collect()
        };
        let tags = if story.tags.is_empty() {
            vec![self.rng.pick(&pool.tags).clone()]
        } else {
            story.tags.clone()
        };
        let section = if self.rng.chance(80) {
            story.section
        } else {
            self.rng.pick(&SECTIONS).0
        };
        let story = Story {
            section,
            title,
            verification: story.verification.clone(),
            paragraphs,
            sources,
            tags,
            regions: story.regions.clone(),
            sectors: story.sectors.clone(),
        };
        Draft { story, cves }
    }

    /// Replaces about half of the CVE ids in a text by other real ones.
    fn swap_cves(&mut self, text: &str) -> String {
        if self.pool.cves.is_empty() || !text.contains("CVE-") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end) in cve_ids(text).collect::<Vec<_>>() {
            out.push_str(&text[last..start]);
            if self.rng.chance(50) {
                let cve = self.rng.pick(&self.pool.cves).as_str();
                out.push_str(cve);
            } else {
                out.push_str(&text[start..end]);
            }
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    fn brief(&mut self, date: &str, items: usize) -> Result<(), SyntheticError> {
        if items == 0 {
            return Ok(());
        }
        let mut drafts: Vec<Draft> = (0..items).map(|_| self.draft()).collect();
        drafts.sort_by_key(|draft| {
            SECTIONS
                .iter()
                .position(|(key, _)| *key == draft.story.section)
        });

        let mut text = String::with_capacity(items * 3000);
        let _ = write!(
            text,
            "# CTI Daily Brief — {date}\n\n{}\n\n**Generated by:** dossier gen-corpus · \
             **Classification:** TLP:CLEAR · **Language:** English · **Prompt:** v2.64\n\n\
             ## 0. TL;DR\n\n",
            self.pool.header
        );
        for draft in drafts.iter().take(3) {
            let lead = draft.story.paragraphs[0]
                .split(". ")
                .next()
                .unwrap_or_default();
            let _ = writeln!(text, "- **{}.** {lead}.", draft.story.title);
        }
        for (number, (key, heading)) in SECTIONS.iter().enumerate() {
            let members: Vec<&Draft> = drafts.iter().filter(|d| d.story.section == *key).collect();
            if members.is_empty() {
                continue;
            }
            let _ = write!(text, "\n\n## {}. {heading}\n", number + 1);
            for draft in members {
                brief_item(&mut text, draft, *key == "updates");
            }
        }
        text.push_str("\n\n## 7. Verification Notes\n\n- Synthetic brief: every item recombines real, cited reporting.\n");

        let path = self.out.join(format!("briefs/{date}.md"));
        self.generated.bytes += write_file(&path, text.as_bytes())?;
        self.generated.briefs += 1;
        self.generated.items += items;
        Ok(())
    }

    fn entries(&mut self, date: &str, count: usize) -> Result<(), SyntheticError> {
        for _ in 0..count {
            let draft = self.draft();
            let serial = self.generated.entries;
            let mut stem = slug::slugify(&draft.story.title);
            stem.truncate(48);
            let stem = format!("{}-e{serial}", stem.trim_end_matches('-'));
            let mut keys = Vec::new();
            for _ in 0..self.rng.below(3) {
                keys.push(self.rng.pick(&self.pool.entity_keys).clone());
            }
            let text = entry_text(date, &draft, &keys);
            let path = self.out.join(format!("entries/{date}/{stem}.md"));
            self.generated.bytes += write_file(&path, text.as_bytes())?;
            self.generated.entries += 1;
            self.generated.items += 1;
        }
        Ok(())
    }
}

fn brief_item(text: &mut String, draft: &Draft, update: bool) {
    let marker = match draft.story.verification.as_deref() {
        Some(flag) if flag.starts_with("single-source") => " `[SINGLE-SOURCE]`",
        _ => "",
    };
    let prefix = if update { "UPDATE: " } else { "" };
    let quote = if update { "> " } else { "" };
    let _ = write!(text, "\n### {prefix}{}{marker}\n\n", draft.story.title);
    for paragraph in &draft.story.paragraphs {
        for line in paragraph.lines() {
            let _ = writeln!(text, "{quote}{line}");
        }
        let _ = writeln!(text, "{}", quote.trim_end());
    }
    let _ = writeln!(text, "{quote}{}", footer_line(draft));
}

fn footer_line(draft: &Draft) -> String {
    let link = |source: &Source| {
        let label = if source.label.trim().is_empty() {
            &source.host
        } else {
            &source.label
        };
        format!("[{}]({})", label.replace(['[', ']'], ""), source.url)
    };
    let mut fields = Vec::new();
    if let Some((first, rest)) = draft.story.sources.split_first() {
        fields.push(format!("Source: {}", link(first)));
        if !rest.is_empty() {
            let more: Vec<String> = rest.iter().map(link).collect();
            fields.push(format!("Additional source: {}", more.join(", ")));
        }
    }
    fields.push(format!("Tags: {}", draft.story.tags.join(", ")));
    if !draft.story.regions.is_empty() {
        fields.push(format!("Region: {}", draft.story.regions.join(", ")));
    }
    if !draft.story.sectors.is_empty() {
        fields.push(format!("Sector: {}", draft.story.sectors.join(", ")));
    }
    if !draft.cves.is_empty() {
        fields.push(format!("CVE: {}", draft.cves.join(", ")));
    }
    format!("— *{}*", fields.join(" · "))
}

fn entry_text(date: &str, draft: &Draft, keys: &[String]) -> String {
    let list = |name: &str, values: &[String]| {
        if values.is_empty() {
            return format!("{name}: []\n");
        }
        let mut out = format!("{name}:\n");
        for value in values {
            let _ = writeln!(out, "  - {}", json(value));
        }
        out
    };
    let summary = draft.story.paragraphs[0]
        .split(". ")
        .next()
        .unwrap_or_default();
    let mut text = format!(
        "---\nschema: 1\nkind: finding\ntitle: {}\nsummary: {}\ndiscovered_at: \"{date}T06:00:00Z\"\n\
         priority: notable\n",
        json(&draft.story.title),
        json(&format!("{summary}."))
    );
    text.push_str(&list("tags", &draft.story.tags));
    text.push_str(&list("regions", &draft.story.regions));
    text.push_str(&list("sectors", &draft.story.sectors));
    text.push_str(&list("entities", keys));
    text.push_str(&list("cves", &draft.cves));
    text.push_str("sources:\n");
    for source in &draft.story.sources {
        let _ = writeln!(
            text,
            "  - url: {}\n    publisher: {}\n    role: primary",
            json(&source.url),
            json(&source.label)
        );
    }
    let verification = draft
        .story
        .verification
        .as_deref()
        .map_or("null".into(), json);
    let _ = write!(
        text,
        "verification: {verification}\nupdate_of: null\n---\n\n"
    );
    text.push_str(&draft.story.paragraphs.join("\n\n"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real_corpus() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::settings::DEFAULT_CORPUS)
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..1000 {
            let n = a.below(13);
            assert_eq!(n, b.below(13));
            assert!(n < 13);
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn shares_add_up() {
        let total: usize = (0..7).map(|day| share(100, 7, day)).sum();
        assert_eq!(total, 100);
    }

    #[test]
    fn synthetic_names_are_distinct() {
        let names = synthetic_names(2000);
        let mut labels: Vec<&String> = names.iter().flat_map(|(a, b, c)| [a, b, c]).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), 6000);
    }

    #[test]
    fn generated_corpus_parses_back_to_the_asked_item_count() {
        let source = real_corpus();
        if !source.is_dir() {
            return;
        }
        let out = tempfile::tempdir().unwrap();
        let options = Options {
            items: 300,
            seed: 42,
            entities: 50,
        };
        let generated = generate(&source, out.path(), &options).unwrap();
        assert_eq!(generated.items, 300);
        assert_eq!(generated.entries, 60);

        let files = corpus::walk(out.path()).unwrap();
        let parsed = corpus::parse_files(&files).unwrap();
        let items = parsed
            .items
            .iter()
            .filter(|item| item.level == Level::Item)
            .count();
        assert_eq!(items, 300);
        assert!(parsed.items.iter().any(|item| !item.footer.tags.is_empty()));
        assert!(parsed.items.iter().any(|item| item.update));

        let registry = Registry::load(&out.path().join(REGISTRY_IN_CORPUS)).unwrap();
        assert_eq!(registry.len(), generated.entities);
        assert!(registry.get("actor:synthetic-0").is_some() || registry.len() > 558);

        let again = tempfile::tempdir().unwrap();
        generate(&source, again.path(), &options).unwrap();
        let first = std::fs::read(out.path().join("briefs/2006-01-02.md")).unwrap();
        let second = std::fs::read(again.path().join("briefs/2006-01-02.md")).unwrap();
        assert_eq!(first, second, "same seed, same files");
    }
}
