//! Reading a corpus folder: briefs, weekly summaries and entry files, into items.
//!
//! A file's role comes from its corpus-relative path: `briefs/YYYY-MM-DD.md`,
//! `briefs/weekly/YYYY-Www.md`, `entries/YYYY-MM-DD/<slug>.md`. Entries migrated from
//! a brief are merged with that brief's item of the same slug, so a story indexed
//! from both files is one item with the entry's id.

pub mod brief;
pub mod entry;
pub mod footer;
pub mod markdown;
pub mod section;
pub mod slug;

use std::borrow::Borrow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::item::{Item, ItemKind};
use brief::BriefId;
use section::BriefKind;

/// A corpus file that cannot be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{path}:{line}: not valid UTF-8 (byte {offset} of the file); save the file as UTF-8")]
    Utf8 {
        /// The file.
        path: String,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The file's structure is broken.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The path says neither brief nor entry.
    #[error(
        "{path}: cannot tell what this file is; name it briefs/YYYY-MM-DD.md, \
         briefs/weekly/YYYY-Www.md or entries/YYYY-MM-DD/<slug>.md, with a date \
         or ISO week that exists, in the years {first}–{last}",
        first = brief::YEARS.start(),
        last = brief::YEARS.end()
    )]
    UnknownPath {
        /// The file.
        path: String,
    },
    /// The file is larger than any brief or entry should be.
    #[error(
        "{path}: {bytes} bytes; a brief or entry file may hold at most {max} bytes \
         (the largest real brief is about 180 KB)",
        max = MAX_FILE_BYTES
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        bytes: u64,
    },
    /// The path names a folder, a pipe or a device.
    #[error("{path}: not a regular file (a folder, a pipe, or a link to nothing)")]
    NotAFile {
        /// The path.
        path: String,
    },
    /// Two items of different merge units carry one id.
    #[error(
        "item id `{id}` is written by {first} and again by {second}: an entry with the id \
         of a brief's item merges with it only when its `migrated_from` names that brief"
    )]
    DuplicateId {
        /// The id.
        id: String,
        /// The unit (a brief or an entry path) that wrote it first.
        first: String,
        /// The unit that wrote it again.
        second: String,
    },
    /// One ingest was given two different texts for one corpus path.
    #[error("{path}: given twice with different contents in one ingest; give each file once")]
    GivenTwice {
        /// The corpus-relative path.
        path: String,
    },
    /// The corpus folder has no brief and no entry.
    #[error("{path}: no briefs/ or entries/ markdown files found; is this a corpus folder?")]
    Empty {
        /// The folder.
        path: String,
    },
}

/// What a file is, from its corpus-relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A daily brief or weekly summary.
    Brief(BriefId),
    /// An entry file.
    Entry {
        /// Folder date.
        date: String,
        /// File stem.
        slug: String,
    },
}

/// One corpus file, read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Corpus-relative path with `/` separators.
    pub path: String,
    /// Brief or entry.
    pub origin: Origin,
    /// The file's text.
    pub text: String,
}

/// Refuses control characters other than tabs and line ends: no brief holds
/// one, and an escape sequence in a title would reach every terminal that prints
/// it.
fn check_plain_text(path: &str, text: &str) -> Result<(), CorpusError> {
    let control = text
        .char_indices()
        .find(|&(_, ch)| ch.is_control() && !matches!(ch, '\t' | '\n' | '\r'));
    match control {
        Some((at, ch)) => Err(CorpusError::Syntax {
            path: path.to_string(),
            line: text[..at].matches('\n').count() + 1,
            message: format!(
                "control character U+{:04X}; briefs and entries are plain text",
                u32::from(ch)
            ),
        }),
        None => Ok(()),
    }
}

/// Largest brief or entry file accepted, as the HTTP ingest's body limit: parsing
/// and indexing take about 65 times a file's size in memory, and a file of this
/// size is already twenty times the largest brief of the corpus.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

impl SourceFile {
    /// Builds a source file from a corpus-relative path and bytes, checking both.
    pub fn new(path: &str, bytes: Vec<u8>) -> Result<SourceFile, CorpusError> {
        let origin = identify(path)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(CorpusError::TooLarge {
                path: path.to_string(),
                bytes: bytes.len() as u64,
            });
        }
        let text = String::from_utf8(bytes).map_err(|error| {
            let offset = error.utf8_error().valid_up_to();
            let line = error.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            CorpusError::Utf8 {
                path: path.to_string(),
                line,
                offset,
            }
        })?;
        // A byte-order mark is an editor's habit, not content.
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        check_plain_text(path, &text)?;
        if let Origin::Brief(id) = &origin {
            check_brief_title(path, id, &text)?;
        }
        Ok(SourceFile {
            path: path.to_string(),
            origin,
            text,
        })
    }

    /// Reads a file from disk; `relative` is how it is known inside the corpus.
    pub fn read(file: &Path, relative: &str) -> Result<SourceFile, CorpusError> {
        let path = || file.display().to_string();
        let io = |source| CorpusError::Io {
            path: path(),
            source,
        };
        // Checked before reading: a pipe would never end, a huge file fill memory.
        let metadata = std::fs::metadata(file).map_err(io)?;
        if !metadata.is_file() {
            return Err(CorpusError::NotAFile { path: path() });
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(CorpusError::TooLarge {
                path: path(),
                bytes: metadata.len(),
            });
        }
        SourceFile::new(relative, std::fs::read(file).map_err(io)?)
    }

    /// The brief an entry joins for merging: the one its `migrated_from` names,
    /// else the daily brief of its own date (where an entry with the same id as a
    /// brief item would come from). `None` for briefs.
    pub fn joins_brief(&self) -> Option<String> {
        match &self.origin {
            Origin::Entry { date, .. } => Some(
                self.migrated_from()
                    .unwrap_or_else(|| format!("briefs/{date}.md")),
            ),
            Origin::Brief(_) => None,
        }
    }

    /// The brief path an entry was migrated from, if it names one.
    pub fn migrated_from(&self) -> Option<String> {
        if !matches!(self.origin, Origin::Entry { .. }) {
            return None;
        }
        let front = self.text.strip_prefix("---")?;
        let end = front.find("\n---").unwrap_or(front.len());
        front[..end].lines().find_map(|line| {
            let value = line
                .strip_prefix("migrated_from:")?
                .trim()
                .trim_matches(['"', '\'']);
            (value.starts_with("briefs/")).then(|| value.to_string())
        })
    }
}

/// A brief has a `# ` title, and a brief id in it (`CTI Daily Brief — 2026-06-10`)
/// is the one its path names: a brief filed under another date would put its items
/// on the wrong day without a word.
fn check_brief_title(path: &str, id: &BriefId, text: &str) -> Result<(), CorpusError> {
    let syntax = |line: usize, message: String| CorpusError::Syntax {
        path: path.to_string(),
        line,
        message,
    };
    let Some((line, title)) = markdown::first_title(text) else {
        return Err(syntax(
            1,
            "a brief has a `# ` title line and this file has none (is it empty?); \
             nothing was changed"
                .to_string(),
        ));
    };
    match BriefId::from_title(&brief::heading_text(title)) {
        Some(titled) if titled.id != id.id => Err(syntax(
            line,
            format!(
                "the title names brief {}, the path brief {}; rename the file or fix the \
                 title; nothing was changed",
                titled.id, id.id
            ),
        )),
        _ => Ok(()),
    }
}

/// Tells a brief from an entry by its corpus-relative path.
pub fn identify(path: &str) -> Result<Origin, CorpusError> {
    let unknown = || CorpusError::UnknownPath {
        path: path.to_string(),
    };
    let parts: Vec<&str> = path.split('/').collect();
    let stem = |name: &str| name.strip_suffix(".md").map(str::to_string);
    let brief = |name: &str, kind: BriefKind| {
        let id = stem(name).ok_or_else(unknown)?;
        BriefId::parse(&id)
            .filter(|brief| brief.kind == kind)
            .map(Origin::Brief)
            .ok_or_else(unknown)
    };
    match parts.as_slice() {
        ["briefs", "weekly", name] => brief(name, BriefKind::Weekly),
        ["briefs", name] => brief(name, BriefKind::Daily),
        ["entries", date, name] => {
            let slug = stem(name)
                .filter(|slug| is_slug(slug))
                .ok_or_else(unknown)?;
            BriefId::parse(date)
                .filter(|id| id.date == *date)
                .ok_or_else(unknown)?;
            Ok(Origin::Entry {
                date: date.to_string(),
                slug,
            })
        }
        _ => Err(unknown()),
    }
}

/// A CVE id in canonical form (`CVE-2026-31431`), or `None` for anything else
/// ("n/a", "none (no CVE assigned)"), which must not become an entity.
pub fn cve_id(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    let (year, number) = upper.strip_prefix("CVE-")?.split_once('-')?;
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    (digits(year) && digits(number) && is_cve_number(year, number)).then_some(upper)
}

/// Whether the digits of a year and a sequence number make an id the CVE program
/// assigns: a four-digit year from 1999, its first, to 2099, and a number of four digits or
/// more, not all zeros, with no leading zero past four digits. `CVE-0000-0000` and
/// `CVE-2026-00001` are placeholders or typing errors, not vulnerabilities.
pub fn is_cve_number(year: &str, number: &str) -> bool {
    let zeros = number.bytes().all(|digit| digit == b'0');
    let padded = number.len() > 4 && number.starts_with('0');
    let year_known = ("1999".."2100").contains(&year);
    year.len() == 4 && year_known && number.len() >= 4 && !zeros && !padded
}

/// The canonical form of an entity key as an author wrote it, in front matter or
/// a `` `key: …` `` marker: a CVE id in upper case, as the tagger and every page
/// spell it; a `type:slug` key in lower case (`ACTOR:Qilin` means `actor:qilin`).
/// `None` for anything else.
pub fn entity_key(written: &str) -> Option<String> {
    let written = written.trim();
    cve_id(written).or_else(|| {
        let key = written.to_lowercase();
        crate::registry::key_parts(&key).is_some().then_some(key)
    })
}

/// Entry file names are slugs: letters, digits, `-` and `_`, starting with a letter
/// or digit, so that ids are safe in URLs and paths.
fn is_slug(slug: &str) -> bool {
    slug.starts_with(|c: char| c.is_ascii_alphanumeric())
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The corpus-relative path of a file given by a filesystem path: the tail that
/// starts at its `briefs/` or `entries/` folder.
pub fn relative_path(file: &Path) -> Option<String> {
    let parts: Vec<String> = file
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let start = parts
        .iter()
        .rposition(|part| part == "briefs" || part == "entries")?;
    let relative = parts[start..].join("/");
    identify(&relative).ok().map(|_| relative)
}

/// A corpus file not read yet.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Where it is.
    pub path: PathBuf,
    /// Corpus-relative path with `/` separators.
    pub relative: String,
}

impl CorpusFile {
    /// Reads and checks the file.
    pub fn read(&self) -> Result<SourceFile, CorpusError> {
        SourceFile::read(&self.path, &self.relative)
    }
}

/// Lists every brief, weekly summary and entry file under a corpus folder, sorted
/// by path, without reading them: a large corpus is read one merge unit at a time.
/// Other files (README, registry, site) are not items and are skipped.
pub fn list(corpus: &Path) -> Result<Vec<CorpusFile>, CorpusError> {
    let mut files = Vec::new();
    for folder in ["briefs", "briefs/weekly"] {
        collect_markdown(&corpus.join(folder), &mut files)?;
    }
    let entries = corpus.join("entries");
    if entries.is_dir() {
        for day in read_dir_sorted(&entries)? {
            if day.is_dir() {
                collect_markdown(&day, &mut files)?;
            }
        }
    }
    if files.is_empty() {
        return Err(CorpusError::Empty {
            path: corpus.display().to_string(),
        });
    }
    Ok(files
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(corpus)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            CorpusFile { path, relative }
        })
        .collect())
}

/// Reads every file [`list`] finds.
pub fn walk(corpus: &Path) -> Result<Vec<SourceFile>, CorpusError> {
    list(corpus)?.iter().map(CorpusFile::read).collect()
}

fn collect_markdown(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), CorpusError> {
    if !folder.is_dir() {
        return Ok(());
    }
    for path in read_dir_sorted(folder)? {
        if path.extension().is_none_or(|ext| ext != "md") {
            continue;
        }
        // Skipped, a dangling link would drop a brief from a rebuild unseen.
        if !path.is_file() {
            return Err(CorpusError::NotAFile {
                path: path.display().to_string(),
            });
        }
        files.push(path);
    }
    Ok(())
}

fn read_dir_sorted(folder: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let io = |source| CorpusError::Io {
        path: folder.display().to_string(),
        source,
    };
    let mut paths = std::fs::read_dir(folder)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    paths.sort();
    Ok(paths)
}

/// Items parsed from a set of files, merged across brief and entry files.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Items and brief-level documents.
    pub items: Vec<Item>,
    /// Number of brief files.
    pub briefs: usize,
    /// Number of entry files.
    pub entries: usize,
}

/// Parses files and merges migrated entries into their brief items.
pub fn parse_files<F: Borrow<SourceFile>>(files: &[F]) -> Result<Parsed, CorpusError> {
    let mut parsed = Parsed::default();
    let mut brief_items: Vec<Item> = Vec::new();
    let mut entries: Vec<Item> = Vec::new();

    for file in files {
        let file: &SourceFile = file.borrow();
        match &file.origin {
            Origin::Brief(id) => {
                let brief = brief::parse(&file.path, id, &file.text)?;
                parsed.briefs += 1;
                parsed.items.push(brief.brief_text);
                brief_items.extend(brief.items);
            }
            Origin::Entry { date, slug } => {
                entries.push(entry::parse(&file.path, date, slug, &file.text)?);
                parsed.entries += 1;
            }
        }
    }

    parsed.items.extend(merge(brief_items, entries));
    Ok(parsed)
}

/// Merges each entry with the brief item it was migrated from (same slug in the
/// brief its `migrated_from` names) or that carries the same id. The entry's fields
/// win; the brief contributes where it was published: brief, kind, section.
pub fn merge(brief_items: Vec<Item>, entries: Vec<Item>) -> Vec<Item> {
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (at, item) in brief_items.iter().enumerate() {
        by_key.insert((item.paths[0].clone(), item.slug().to_string()), at);
        by_id.insert(item.id.clone(), at);
    }

    let mut absorbed = vec![false; brief_items.len()];
    let mut merged = Vec::with_capacity(brief_items.len() + entries.len());
    for mut entry in entries {
        let twin = entry
            .migrated_from
            .as_ref()
            .and_then(|brief| by_key.get(&(brief.clone(), entry.slug().to_string())))
            .or_else(|| by_id.get(&entry.id))
            .copied()
            .filter(|&at| !absorbed[at]);
        if let Some(at) = twin {
            absorbed[at] = true;
            let from = &brief_items[at];
            entry.brief = from.brief.clone();
            entry.kind = from.kind;
            entry.section = from.section.clone();
            entry.paths.extend(from.paths.iter().cloned());
            if entry.footer.cvss.is_none() {
                entry.footer.cvss = from.footer.cvss.clone();
            }
            // Where the brief marks the story as an update, or ties it to an entity
            // by key, the entry saying nothing does not undo it.
            entry.update |= from.update;
            if entry.update_of.is_none() {
                entry.update_of = from.update_of.clone();
            }
            for key in &from.explicit_entities {
                if !entry.explicit_entities.contains(key) {
                    entry.explicit_entities.push(key.clone());
                }
            }
        }
        merged.push(entry);
    }
    merged.extend(
        brief_items
            .into_iter()
            .zip(absorbed)
            .filter(|(_, gone)| !gone)
            .map(|(item, _)| item),
    );
    merged
}

/// `true` for items of weekly summaries, which mention many unrelated entities by
/// construction and so take no part in co-occurrence.
pub fn is_weekly(item: &Item) -> bool {
    item.kind == ItemKind::Weekly
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_tell_briefs_from_entries() {
        assert!(
            matches!(identify("briefs/2026-05-06.md"), Ok(Origin::Brief(id)) if id.id == "2026-05-06")
        );
        assert!(
            matches!(identify("briefs/weekly/2026-W19.md"), Ok(Origin::Brief(id)) if id.date == "2026-05-10")
        );
        assert!(
            matches!(identify("entries/2026-06-10/x-y.md"), Ok(Origin::Entry { slug, .. }) if slug == "x-y")
        );
        assert!(identify("notes/todo.md").is_err());
        assert!(identify("briefs/latest.md").is_err());
        assert!(identify("entries/2026-13-01/x.md").is_err());
        assert!(
            identify("briefs/2026-W19.md").is_err(),
            "a weekly lives in briefs/weekly/"
        );
        assert!(identify("briefs/weekly/2026-05-06.md").is_err());
        assert!(identify("entries/2026-05-10/..md").is_err());
        assert!(identify("entries/9999-12-31/far.md").is_err());
        let moved = SourceFile::new(
            "briefs/2025-01-01.md",
            b"intro\n# CTI Daily Brief \xe2\x80\x94 2026-11-24\n".to_vec(),
        )
        .unwrap_err();
        assert_eq!(
            moved.to_string(),
            "briefs/2025-01-01.md:2: the title names brief 2026-11-24, the path brief \
             2025-01-01; rename the file or fix the title; nothing was changed"
        );
        let daily_as_weekly = SourceFile::new(
            "briefs/weekly/2026-W48.md",
            b"# CTI Daily Brief - 2026-11-24\n".to_vec(),
        );
        assert!(daily_as_weekly.is_err());
        assert!(SourceFile::new(
            "briefs/2026-11-24.md",
            b"# CTI Daily Brief - 2026-11-24\n".to_vec()
        )
        .is_ok());
        assert!(SourceFile::new("briefs/2026-11-24.md", b"# Daily notes\n".to_vec()).is_ok());

        // A `# ` line in a code fence is code: the title is the heading after it,
        // and a brief with no other has none.
        let fenced = "```\n# CTI Daily Brief \u{2014} 2026-01-01\n```\n\n";
        assert!(SourceFile::new(
            "briefs/2026-11-24.md",
            format!("{fenced}# CTI Daily Brief \u{2014} 2026-11-24\n").into_bytes()
        )
        .is_ok());
        let untitled = SourceFile::new("briefs/2026-01-01.md", fenced.as_bytes().to_vec());
        assert_eq!(
            untitled.unwrap_err().to_string(),
            "briefs/2026-01-01.md:1: a brief has a `# ` title line and this file has none \
             (is it empty?); nothing was changed"
        );
        for impossible in [
            "briefs/1969-12-31.md",
            "briefs/2026-02-30.md",
            "briefs/weekly/2025-W53.md",
        ] {
            let message = identify(impossible).unwrap_err().to_string();
            assert!(
                message.contains("a date or ISO week that exists, in the years 1990–2199"),
                "{message}"
            );
        }
        assert!(
            identify("briefs/weekly/2026-W53.md").is_ok(),
            "2026 has 53 ISO weeks"
        );
    }

    #[test]
    fn regression_an_empty_brief_is_refused_not_indexed() {
        let error = SourceFile::new("briefs/2026-06-10.md", Vec::new()).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("briefs/2026-06-10.md:1: a brief has a `# ` title line"));
        let with_bom = SourceFile::new("briefs/2026-06-10.md", "\u{feff}# T\n".into()).unwrap();
        assert_eq!(with_bom.text, "# T\n");
    }

    #[test]
    fn only_real_cve_ids_are_cve_ids() {
        assert_eq!(
            cve_id(" cve-2026-31431 ").as_deref(),
            Some("CVE-2026-31431")
        );
        assert_eq!(cve_id("n/a"), None);
        assert_eq!(cve_id("none (no CVE assigned)"), None);
        assert_eq!(cve_id("CVE-26-1234"), None);
        assert_eq!(cve_id("CVE-1999-0001").as_deref(), Some("CVE-1999-0001"));
        assert_eq!(
            cve_id("CVE-2026-1234567").as_deref(),
            Some("CVE-2026-1234567")
        );
        for placeholder in [
            "CVE-0000-0000",
            "CVE-2026-0000",
            "CVE-1998-1234",
            "CVE-2026-00001",
            "CVE-2026-123",
            "CVE-9999-1234",
        ] {
            assert_eq!(cve_id(placeholder), None, "{placeholder}");
        }
    }

    #[test]
    fn relative_path_is_the_corpus_tail() {
        let path = Path::new("/tmp/copy/briefs/weekly/2026-W24.md");
        assert_eq!(
            relative_path(path).as_deref(),
            Some("briefs/weekly/2026-W24.md")
        );
        assert_eq!(
            relative_path(Path::new("/x/entries/2026-06-10/a.md")).as_deref(),
            Some("entries/2026-06-10/a.md")
        );
        assert_eq!(relative_path(Path::new("/x/notes.md")), None);
    }

    #[test]
    fn invalid_utf8_names_file_and_line() {
        let error =
            SourceFile::new("briefs/2026-05-06.md", b"# T\n\nok\n\xff bad\n".to_vec()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "briefs/2026-05-06.md:4: not valid UTF-8 (byte 8 of the file); save the file as UTF-8"
        );
    }
}
