//! Command-line verbs over the library. Exit codes: 0 success, 1 something failed,
//! 2 bad usage or bad input (a malformed query, a broken file, a missing index).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use dossier::corpus;
use dossier::entity_page::{self, EntityError};
use dossier::index::writer::IngestError;
use dossier::index::IndexError;
use dossier::registry::{Registry, RegistryError};
use dossier::search::SearchError;
use dossier::settings::{RawSettings, Settings};
use dossier::synthetic::SyntheticError;
use dossier::tagger::Tagger;

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
pub(crate) struct Common {
    /// Index folder [env: DOSSIER_INDEX] [default: index]
    #[arg(long, global = true)]
    pub(crate) index: Option<PathBuf>,
    /// Registry file [env: DOSSIER_REGISTRY] [default: the index's, else CORPUS/entities/registry.yaml]
    #[arg(long, global = true)]
    pub(crate) registry: Option<PathBuf>,
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
        /// Also suggest entities the text probably should mention (needs the index).
        #[arg(long)]
        suggest: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Re-tag every stored item with the current registry.
    Retag {
        #[command(flatten)]
        common: Common,
    },
    /// Write a synthetic corpus in the real formats, recombined from a real one (benchmarks).
    GenCorpus {
        /// Items to write (brief items and entries).
        #[arg(long)]
        items: usize,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// PRNG seed: the same seed writes the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Synthetic entities (with aliases) appended to the copied registry.
        #[arg(long, default_value_t = 0)]
        entities: usize,
        /// The real corpus to recombine [env: DOSSIER_CORPUS] [default: ../shared/corpus/ctipilot]
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Serve the JSON API and the HTML pages; write endpoints need DOSSIER_TOKEN.
    Serve {
        /// Listening address [env: DOSSIER_ADDR] [default: 127.0.0.1:8080]
        #[arg(long)]
        addr: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Measure the tagger against the explicit entity keys of entry files.
    EvalLinking {
        /// Corpus folder [env: DOSSIER_CORPUS] [default: ../shared/corpus/ctipilot]
        corpus: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Candidate false positives and gaps listed in the text report.
        #[arg(long, default_value_t = 20)]
        show: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Suggest aliases for an entity, mined from the indexed items that carry it.
    SuggestAliases {
        /// Entity key.
        key: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Show an entity's page: coverage, sources, relations, related entities.
    Entity {
        /// Registry key (actor:apt42) or CVE id; a merged key shows its canonical entity.
        key: String,
        /// Print JSON (the body of GET /api/entities/KEY).
        #[arg(long)]
        json: bool,
        /// Items of the timeline skipped (newest first).
        #[arg(long, default_value_t = 0,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
                  .range(0..=entity_page::MAX_OFFSET as u64))]
        offset: usize,
        /// Items listed in the timeline.
        #[arg(long, default_value_t = entity_page::DEFAULT_WINDOW,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
                  .range(1..=entity_page::MAX_WINDOW as u64))]
        limit: usize,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args)]
pub(crate) struct SearchArgs {
    /// Query: words (all must match), "phrases", -exclusion or NOT word, OR.
    /// Several arguments are one query; a `-word` needs `--` before the words
    /// (`dossier search -- ransomware -Akira`), or write `ransomware NOT Akira`.
    #[arg(num_args = 0..)]
    pub(crate) query: Vec<String>,
    /// Hits to show.
    #[arg(long, default_value_t = dossier::search::DEFAULT_LIMIT)]
    pub(crate) limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    pub(crate) offset: usize,
    /// Only this section (repeatable: any of them).
    #[arg(long)]
    pub(crate) section: Vec<String>,
    /// Only items citing this host (repeatable: any of them): a host name, `www.`
    /// and case ignored, or a URL to take the host of; `*.paloaltonetworks.com` is
    /// the domain and every host under it.
    #[arg(long)]
    pub(crate) host: Vec<String>,
    /// Only items linked to this entity key (repeatable: any of them; to ask for
    /// items about two entities, name one here and the other in the query).
    #[arg(long)]
    pub(crate) entity: Vec<String>,
    /// First date, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// Last date, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// relevance or date.
    #[arg(long, value_enum)]
    pub(crate) sort: Option<SortArg>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) common: Common,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum SortArg {
    Relevance,
    Date,
}

/// Runs the command line.
pub fn run() -> Result<()> {
    match Cli::parse().command {
        Command::Index { corpus, common } => ingest::index(settings(&common, corpus)?),
        Command::Add { files, common } => ingest::add(settings(&common, None)?, &files),
        Command::Search(args) => search::search_command(args),
        Command::Tag {
            file,
            json,
            suggest,
            common,
        } => linking::tag(settings(&common, None)?, &file, json, suggest),
        Command::Retag { common } => ingest::retag(settings(&common, None)?),
        Command::GenCorpus {
            items,
            out,
            seed,
            entities,
            from,
        } => ingest::gen_corpus(from, &out, items, seed, entities),
        Command::Serve { addr, common } => entity::serve(&common, addr),
        Command::Entity {
            key,
            json,
            offset,
            limit,
            common,
        } => {
            let window = entity_page::Window { offset, limit };
            entity::entity(settings(&common, None)?, &key, window, json)
        }
        Command::EvalLinking {
            corpus,
            json,
            show,
            common,
        } => linking::eval_linking(settings(&common, corpus)?, json, show),
        Command::SuggestAliases { key, json, common } => {
            linking::suggest_aliases(settings(&common, None)?, &key, json)
        }
    }
}

/// `1 item`, `2 items`.
fn counted(count: usize, noun: &str) -> String {
    // "entry" -> "entries", but "key" -> "keys".
    let consonant_y = noun
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']));
    match (count, consonant_y) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{count} {stem}ies"),
        (_, None) => format!("{count} {noun}s"),
    }
}

/// A command given something it cannot use, found after clap's own checks.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Exit code for an error: 2 for bad input, 1 for failures.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let bad_input = error.chain().any(|cause| {
        cause.downcast_ref::<corpus::CorpusError>().is_some()
            || cause.downcast_ref::<UsageError>().is_some()
            || matches!(
                cause.downcast_ref::<SyntheticError>(),
                Some(SyntheticError::Count { .. } | SyntheticError::NotEmpty { .. })
            )
            || matches!(
                cause.downcast_ref::<IngestError>(),
                Some(IngestError::Corpus(_) | IngestError::Registry(_))
            )
            || cause.downcast_ref::<RegistryError>().is_some()
            || cause
                .downcast_ref::<dossier::settings::SettingsError>()
                .is_some()
            || cause
                .downcast_ref::<SearchError>()
                .is_some_and(SearchError::is_user_error)
            || cause.downcast_ref::<dossier::query::QueryError>().is_some()
            || matches!(
                cause.downcast_ref::<EntityError>(),
                Some(EntityError::NotFound { .. })
            )
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

pub(crate) fn settings(common: &Common, corpus: Option<PathBuf>) -> Result<Settings> {
    let raw = RawSettings {
        index: common.index.clone(),
        corpus,
        registry: common.registry.clone(),
        ..RawSettings::default()
    };
    Ok(Settings::resolve(raw.with_env())?)
}

pub(crate) fn load_registry(path: &Path) -> Result<(Registry, Tagger)> {
    let registry = Registry::load(path)?;
    for warning in &registry.warnings {
        tracing::warn!(registry = %path.display(), "{warning}");
    }
    let tagger = Tagger::new(&registry);
    Ok((registry, tagger))
}
mod entity;
mod ingest;
mod linking;
mod search;
