//! Command-line verbs over the library. Exit codes: 0 success, 1 something failed,
//! 2 bad usage or bad input (a malformed query, a broken file, a missing index).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use dossier::corpus::{self, SourceFile};
use dossier::index::writer::{self, Linker, Summary, WriteOptions};
use dossier::index::{DossierIndex, IndexError, Manifest};
use dossier::registry::{Registry, RegistryError};
use dossier::search::{self, SearchError, SearchRequest, SearchResponse, Sort};
use dossier::settings::{RawSettings, Settings};
use dossier::tagger::{self, Tagger};

#[derive(Parser)]
#[command(
    name = "dossier",
    version,
    about = "Search and entity linking for CTI briefs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Default)]
struct Common {
    /// Index folder [env: DOSSIER_INDEX] [default: index]
    #[arg(long, global = true)]
    index: Option<PathBuf>,
    /// Registry file [env: DOSSIER_REGISTRY] [default: the index's, else CORPUS/entities/registry.yaml]
    #[arg(long, global = true)]
    registry: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// (Re)build the index from a corpus folder.
    Index {
        /// Corpus folder [env: DOSSIER_CORPUS] [default: ../shared/corpus/ctipilot]
        corpus: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Add or replace the items of brief or entry files.
    Add {
        /// Files under a corpus layout: briefs/…, briefs/weekly/…, entries/DATE/….
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Search items.
    Search(SearchArgs),
    /// Print the entity mentions of a text.
    Tag {
        /// A file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Re-tag every stored item with the current registry.
    Retag {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// Query: words (all must match), "phrases", -exclusion, OR.
    #[arg(default_value = "")]
    query: String,
    /// Hits to show.
    #[arg(long, default_value_t = search::DEFAULT_LIMIT)]
    limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Only this section (repeatable).
    #[arg(long)]
    section: Vec<String>,
    /// Only items citing this host (repeatable).
    #[arg(long)]
    host: Vec<String>,
    /// Only items linked to this entity key (repeatable).
    #[arg(long)]
    entity: Vec<String>,
    /// First date, YYYY-MM-DD.
    #[arg(long)]
    from: Option<String>,
    /// Last date, YYYY-MM-DD.
    #[arg(long)]
    to: Option<String>,
    /// relevance or date.
    #[arg(long, value_enum)]
    sort: Option<SortArg>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Date,
}

/// Runs the command line.
pub fn run() -> Result<()> {
    match Cli::parse().command {
        Command::Index { corpus, common } => index(settings(&common, corpus)?),
        Command::Add { files, common } => add(settings(&common, None)?, &files),
        Command::Search(args) => search_command(args),
        Command::Tag { file, json, common } => tag(settings(&common, None)?, &file, json),
        Command::Retag { common } => retag(settings(&common, None)?),
    }
}

/// Exit code for an error: 2 for bad input, 1 for failures.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let bad_input = error.chain().any(|cause| {
        cause.downcast_ref::<corpus::CorpusError>().is_some()
            || cause.downcast_ref::<RegistryError>().is_some()
            || cause
                .downcast_ref::<SearchError>()
                .is_some_and(SearchError::is_user_error)
            || cause.downcast_ref::<dossier::query::QueryError>().is_some()
            || matches!(
                cause.downcast_ref::<IndexError>(),
                Some(
                    IndexError::Missing { .. }
                        | IndexError::NotAnIndex { .. }
                        | IndexError::Incompatible { .. }
                )
            )
    });
    if bad_input {
        2
    } else {
        1
    }
}

fn settings(common: &Common, corpus: Option<PathBuf>) -> Result<Settings> {
    let raw = RawSettings {
        index: common.index.clone(),
        corpus,
        registry: common.registry.clone(),
        ..RawSettings::default()
    };
    Ok(Settings::resolve(raw.with_env())?)
}

fn load_registry(path: &Path) -> Result<(Registry, Tagger)> {
    let registry = Registry::load(path)?;
    for warning in &registry.warnings {
        tracing::warn!(registry = %path.display(), "{warning}");
    }
    let tagger = Tagger::new(&registry);
    Ok((registry, tagger))
}

fn index(settings: Settings) -> Result<()> {
    let corpus_dir = &settings.corpus;
    let registry_path = settings.corpus_registry(corpus_dir);
    let (registry, tagger) = load_registry(&registry_path)?;
    let files = corpus::walk(corpus_dir)?;
    let index = DossierIndex::create_or_open(&settings.index)?;

    let bar = progress_bar(files.len() as u64);
    let progress = |done: usize| bar.set_position(done as u64);
    let options = WriteOptions {
        progress: &progress,
        ..WriteOptions::default()
    };
    let summary = writer::rebuild(
        &index,
        &files,
        &Linker {
            registry: &registry,
            tagger: &tagger,
        },
        &options,
    )?;
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
            ", {n} unregistered keys ({})",
            summary.unregistered.join(", ")
        ),
    };
    format!(
        "{verb} {} briefs, {} entries: {} items, {} entities, {} tagged mentions{unregistered} in {:.2} s -> {}",
        summary.briefs, summary.entries, summary.items, summary.entities, summary.mentions, summary.seconds, index.display()
    )
}

fn add(settings: Settings, paths: &[PathBuf]) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let (registry, tagger) = load_registry(&settings.registry_for(Some(&index)))?;
    let mut files = Vec::new();
    for path in paths {
        let relative =
            corpus::relative_path(path).ok_or_else(|| corpus::CorpusError::UnknownPath {
                path: path.display().to_string(),
            })?;
        files.push(SourceFile::read(path, &relative)?);
    }
    let summary = writer::add(
        &index,
        files,
        &Linker {
            registry: &registry,
            tagger: &tagger,
        },
        &WriteOptions::default(),
    )?;
    println!("{}", summary_line("added", &summary, &settings.index));
    Ok(())
}

fn retag(settings: Settings) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry_path = settings.registry_for(Some(&index));
    let (registry, tagger) = load_registry(&registry_path)?;
    let summary = writer::retag(
        &index,
        &Linker {
            registry: &registry,
            tagger: &tagger,
        },
        &WriteOptions::default(),
    )?;
    println!("{}", summary_line("re-tagged", &summary, &settings.index));
    Ok(())
}

fn search_command(args: SearchArgs) -> Result<()> {
    let settings = settings(&args.common, None)?;
    let index = DossierIndex::open(&settings.index)?;
    let registry = Registry::load(&settings.registry_for(Some(&index))).ok();
    let request = SearchRequest {
        query: args.query,
        sections: args.section,
        hosts: args.host,
        entities: args.entity,
        from: args.from,
        to: args.to,
        sort: args.sort.map(|sort| match sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        }),
        limit: args.limit,
        offset: args.offset,
        items_only: false,
    };
    let response = search::search(&index, registry.as_ref(), &request)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        print_hits(&response);
    }
    Ok(())
}

fn print_hits(response: &SearchResponse) {
    let bold = std::io::stdout().is_terminal();
    println!("{} hits for {:?}", response.total, response.query);
    for (at, hit) in response.hits.iter().enumerate() {
        println!(
            "\n{:>3}. {}  [{}] {}",
            response.offset + at + 1,
            hit.date,
            hit.section,
            hit.title
        );
        println!("     {}  score {:.2}", hit.id, hit.score);
        println!("     {}", terminal_snippet(&hit.snippet, bold));
    }
    let facets = &response.facets;
    for (name, values) in [
        ("section", &facets.section),
        ("host", &facets.host),
        ("month", &facets.month),
        ("entity", &facets.entity),
    ] {
        let shown: Vec<String> = values
            .iter()
            .take(8)
            .map(|value| format!("{} ({})", value.value, value.count))
            .collect();
        if !shown.is_empty() {
            println!("\n{name}: {}", shown.join(", "));
        }
    }
}

fn terminal_snippet(html: &str, bold: bool) -> String {
    let (on, off) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<b>", on)
        .replace("</b>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn tag(settings: Settings, file: &str, json: bool) -> Result<()> {
    let text = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        text
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
    };
    let index = DossierIndex::open(&settings.index).ok();
    let (registry, tagger) = load_registry(&settings.registry_for(index.as_ref()))?;
    let mentions = tagger::describe(&tagger.tag(&text), &text, &registry);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "mentions": mentions }))?
        );
        return Ok(());
    }
    for mention in &mentions {
        println!(
            "{}..{}\t{}\t{}\t{:?}",
            mention.start, mention.end, mention.key, mention.name, mention.label
        );
    }
    Ok(())
}
