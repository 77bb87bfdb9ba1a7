//! `index`, `add`, `retag` and `gen-corpus`: writing the index from files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::{counted, load_registry, settings, Common};
use dossier::corpus::{self, SourceFile};
use dossier::index::writer::{self, Linker, Summary, WriteOptions};
use dossier::index::{DossierIndex, Manifest};
use dossier::settings::Settings;

pub(super) fn index(settings: Settings) -> Result<()> {
    let corpus_dir = &settings.corpus;
    // The corpus first: a folder without briefs is the error to report, not the
    // registry it also lacks.
    let files = corpus::list(corpus_dir)?;
    let registry_path = settings.corpus_registry(corpus_dir);
    let (registry, tagger) = load_registry(&registry_path)?;
    let fresh = is_new_folder(&settings.index);
    let index = DossierIndex::create_or_open(&settings.index)?;

    let bar = progress_bar(files.len() as u64);
    let progress = |done: usize| bar.set_position(done as u64);
    let options = WriteOptions {
        progress: &progress,
        ..WriteOptions::default()
    };
    let linker = Linker {
        registry: &registry,
        tagger: &tagger,
    };
    let summary = match writer::rebuild_listed(&index, files, &linker, &options) {
        Ok(summary) => summary,
        Err(error) if fresh => {
            // Left behind, the folder would open as an index of nothing.
            drop(index);
            if let Err(removal) = std::fs::remove_dir_all(&settings.index) {
                tracing::warn!(index = %settings.index.display(), %removal, "could not remove the unfinished index");
            }
            return Err(error.into());
        }
        Err(error) => return Err(error.into()),
    };
    bar.finish_and_clear();

    let manifest = Manifest {
        corpus: canonical(corpus_dir),
        registry: canonical(&registry_path),
    };
    index.write_manifest(&manifest)?;
    tracing::info!(index = %settings.index.display(), items = summary.items, seconds = summary.seconds, "index built");
    println!("{}", summary_line("indexed", &summary, &settings.index));
    Ok(())
}

/// `true` when `dir` does not exist yet or is empty: an index this command may
/// remove again if building it fails. Unreadable means not new.
fn is_new_folder(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(error) => error.kind() == std::io::ErrorKind::NotFound,
    }
}

fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

fn progress_bar(files: u64) -> ProgressBar {
    let bar = ProgressBar::new(files);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn summary_line(verb: &str, summary: &Summary, index: &Path) -> String {
    let unregistered = match summary.unregistered.len() {
        0 => String::new(),
        n => format!(
            ", {} ({})",
            counted(n, "unregistered key"),
            summary.unregistered.join(", ")
        ),
    };
    format!(
        "{verb} {}, {}: {}, {}, {}{unregistered} in {:.2} s -> {}",
        counted(summary.briefs, "brief"),
        counted(summary.entries, "entry"),
        counted(summary.items, "item"),
        counted(summary.entities, "entity"),
        counted(summary.mentions, "tagged mention"),
        summary.seconds,
        index.display()
    )
}

pub(super) fn add(settings: Settings, paths: &[PathBuf]) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry_path = settings.registry_for(Some(&index));
    let (registry, tagger) = load_registry(&registry_path)?;
    writer::check_registry(&index, &registry, &registry_path)?;
    let mut files = Vec::new();
    for path in paths {
        let relative =
            corpus::relative_path(path).ok_or_else(|| corpus::CorpusError::UnknownPath {
                path: path.display().to_string(),
            })?;
        files.push(SourceFile::read(path, &relative)?);
    }
    let files_given: BTreeSet<String> = files.iter().map(|file| file.path.clone()).collect();
    let summary = writer::add(
        &index,
        files,
        &Linker {
            registry: &registry,
            tagger: &tagger,
        },
        &WriteOptions::default(),
    )?;
    println!(
        "{}",
        summary_line(&add_verb(&files_given, &summary), &summary, &settings.index)
    );
    Ok(())
}

/// "added", or, when the files given joined a brief whose other files were written
/// again with them (an entry file is merged into its day's brief), how many were
/// given: the counts that follow are of everything written.
fn add_verb(given: &BTreeSet<String>, summary: &Summary) -> String {
    if summary.briefs + summary.entries <= given.len() {
        return "added".to_string();
    }
    let whose = if given.len() == 1 {
        "its brief"
    } else {
        "their briefs"
    };
    format!(
        "added {}; with the rest of {whose}, wrote",
        counted(given.len(), "file")
    )
}

pub(super) fn retag(settings: Settings) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry_path = settings.registry_for(Some(&index));
    let (registry, tagger) = load_registry(&registry_path)?;
    writer::check_registry(&index, &registry, &registry_path)?;
    let summary = writer::retag(
        &index,
        &Linker {
            registry: &registry,
            tagger: &tagger,
        },
        &WriteOptions::default(),
    )?;
    // Later commands tag new briefs with the registry the stored items now carry.
    let manifest = Manifest {
        registry: canonical(&registry_path),
        ..index.manifest()
    };
    index.write_manifest(&manifest)?;
    println!("{}", summary_line("re-tagged", &summary, &settings.index));
    Ok(())
}

pub(super) fn gen_corpus(
    from: Option<PathBuf>,
    out: &Path,
    items: usize,
    seed: u64,
    entities: usize,
) -> Result<()> {
    let settings = settings(&Common::default(), from)?;
    let options = dossier::synthetic::Options {
        items,
        seed,
        entities,
    };
    let generated =
        dossier::synthetic::generate(&settings.corpus, out, &options).with_context(|| {
            format!(
                "recombining the corpus at {} (--from) into {}",
                settings.corpus.display(),
                out.display()
            )
        })?;
    let dated = match generated.items {
        0 => String::new(),
        _ => format!(", {} to {}", generated.dates.0, generated.dates.1),
    };
    println!(
        "wrote {}, {}: {}, {:.1} MB of markdown{dated}, {} -> {}",
        counted(generated.briefs, "brief"),
        counted(generated.entries, "entry"),
        counted(generated.items, "item"),
        generated.bytes as f64 / 1e6,
        counted(generated.entities, "entity"),
        out.display()
    );
    Ok(())
}
