//! Command-line verbs over the library. Exit codes: 0 success, 1 something failed,
//! 2 bad usage or bad input (a malformed query, a broken file, a missing index).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use dossier::annotate::annotate;
use dossier::corpus::{self, SourceFile};
use dossier::entity_page::{self, EntityError, EntityPage};
use dossier::http::{self, ServerConfig};
use dossier::index::writer::{self, Linker, Summary, WriteOptions};
use dossier::index::{DossierIndex, IndexError, Manifest};
use dossier::linking;
use dossier::registry::{Registry, RegistryError};
use dossier::search::{self, SearchError, SearchRequest, SearchResponse, Sort};
use dossier::settings::{RawSettings, Settings};
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
        Command::Tag {
            file,
            json,
            suggest,
            common,
        } => tag(settings(&common, None)?, &file, json, suggest),
        Command::Retag { common } => retag(settings(&common, None)?),
        Command::GenCorpus {
            items,
            out,
            seed,
            entities,
            from,
        } => gen_corpus(from, &out, items, seed, entities),
        Command::Serve { addr, common } => serve(&common, addr),
        Command::Entity { key, json, common } => entity(settings(&common, None)?, &key, json),
        Command::EvalLinking {
            corpus,
            json,
            show,
            common,
        } => eval_linking(settings(&common, corpus)?, json, show),
        Command::SuggestAliases { key, json, common } => {
            suggest_aliases(settings(&common, None)?, &key, json)
        }
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

fn tag(settings: Settings, file: &str, json: bool, suggest: bool) -> Result<()> {
    let text = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        text
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
    };
    let index = match suggest {
        true => Some(DossierIndex::open(&settings.index)?),
        false => DossierIndex::open(&settings.index).ok(),
    };
    let (registry, tagger) = load_registry(&settings.registry_for(index.as_ref()))?;
    let annotation = annotate(
        &text,
        &tagger,
        &registry,
        index.as_ref().filter(|_| suggest),
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&annotation)?);
        return Ok(());
    }
    for mention in &annotation.mentions {
        println!(
            "{}..{}\t{}\t{}\t{:?}",
            mention.start, mention.end, mention.key, mention.name, mention.label
        );
    }
    for suggestion in annotation.suggestions.iter().flatten() {
        let curated = suggestion
            .curated
            .as_ref()
            .map_or(String::new(), |link| format!(" [{}]", link.reading));
        println!(
            "suggest\t{}\t{}\tscore {:.1}, {} shared items{curated}",
            suggestion.key, suggestion.name, suggestion.score, suggestion.shared
        );
    }
    Ok(())
}

fn gen_corpus(
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
    let generated = dossier::synthetic::generate(&settings.corpus, out, &options)
        .with_context(|| format!("writing a synthetic corpus to {}", out.display()))?;
    println!(
        "wrote {} briefs, {} entries: {} items, {:.1} MB of markdown, {} to {}, {} entities -> {}",
        generated.briefs,
        generated.entries,
        generated.items,
        generated.bytes as f64 / 1e6,
        generated.dates.0,
        generated.dates.1,
        generated.entities,
        out.display()
    );
    Ok(())
}

fn serve(common: &Common, addr: Option<String>) -> Result<()> {
    let raw = RawSettings {
        index: common.index.clone(),
        registry: common.registry.clone(),
        addr,
        ..RawSettings::default()
    };
    let settings = Settings::resolve(raw.with_env())?;
    let index = DossierIndex::open(&settings.index)?;
    let config = ServerConfig {
        registry: settings.registry_for(Some(&index)),
        index: settings.index.clone(),
        addr: settings.addr,
        token: settings.token.clone(),
    };
    drop(index);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(http::run(config))?;
    Ok(())
}

fn entity(settings: Settings, key: &str, json: bool) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry_path = settings.registry_for(Some(&index));
    let registry = Registry::load(&registry_path)?;
    let page = entity_page::entity_page(&index, &registry, key)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&page)?);
    } else {
        print_entity(&page);
    }
    Ok(())
}

/// `Name (key)`, or the key alone where it is the name (CVEs).
fn named(name: &str, key: &str) -> String {
    if name == key {
        key.to_string()
    } else {
        format!("{name} ({key})")
    }
}

fn print_entity(page: &EntityPage) {
    if let Some(merged) = &page.merged {
        println!(
            "{} ({}) was merged into {}",
            merged.from_name, merged.from, merged.into
        );
    }
    println!("{}  [{}]  {}", page.name, page.kind, page.key);
    if !page.aliases.is_empty() {
        println!("aka {}", page.aliases.join(", "));
    }
    if let Some(summary) = &page.summary {
        println!("{summary}");
    }
    let coverage = &page.coverage;
    println!(
        "\n{} items in {} briefs, {} to {}",
        coverage.items,
        coverage.briefs,
        coverage.first.as_deref().unwrap_or("?"),
        coverage.last.as_deref().unwrap_or("?")
    );
    let list = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            println!("\n{title}:");
            for row in rows {
                println!("  {row}");
            }
        }
    };
    list(
        "sections",
        page.sections
            .iter()
            .map(|s| format!("{:>3}  {}", s.count, s.section))
            .collect(),
    );
    list(
        "sources (distinct URLs per host)",
        page.sources
            .distribution
            .iter()
            .map(|share| format!("{:>3}  {:>3}%  {}", share.count, share.percent, share.host))
            .collect(),
    );
    list(
        "relationships",
        page.relationships
            .iter()
            .map(|r| format!("{} {}", r.reading, named(&r.name, &r.key)))
            .collect(),
    );
    list(
        "seen with",
        page.cooccurring
            .iter()
            .take(8)
            .map(|c| format!("{:>3}  {}", c.shared, named(&c.name, &c.key)))
            .collect(),
    );
    list(
        "possibly related",
        page.suggestions
            .iter()
            .map(|s| {
                format!(
                    "{:>6.1}  {}, {} shared",
                    s.score,
                    named(&s.name, &s.key),
                    s.shared
                )
            })
            .collect(),
    );
    list(
        "timeline",
        page.timeline
            .iter()
            .map(|t| format!("{}  [{}] {}  ({})", t.date, t.section, t.title, t.id))
            .collect(),
    );
}

fn eval_linking(settings: Settings, json: bool, show: usize) -> Result<()> {
    let registry = Registry::load(&settings.corpus_registry(&settings.corpus))?;
    let files = corpus::walk(&settings.corpus)?;
    let parsed = corpus::parse_files(&files)?;
    let evaluation = linking::evaluate(&parsed.items, &registry);
    if json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
        return Ok(());
    }

    let overall = &evaluation.overall;
    println!(
        "{} annotated items: recall {:.3} ({} of {} findable keys), {} candidate false positives",
        evaluation.items,
        overall.recall,
        overall.found,
        overall.findable,
        overall.candidate_false_positives
    );
    println!("\nby type:");
    for (kind, score) in &evaluation.by_type {
        println!(
            "  {kind:<10} recall {:.3} ({}/{}), candidates {}",
            score.recall, score.found, score.findable, score.candidate_false_positives
        );
    }
    println!("\nrules (cumulative):");
    for row in &evaluation.rules {
        println!(
            "  recall {:.3}  candidates {:>4}  corpus links {:>5}  {}",
            row.score.recall, row.score.candidate_false_positives, row.corpus_links, row.rules
        );
    }
    println!("\ncandidate false positives (first {show}):");
    for candidate in evaluation.false_positives.iter().take(show) {
        println!(
            "  {}  {}  {}",
            candidate.item, candidate.key, candidate.context
        );
    }
    println!("\nregistry gaps (first {show}):");
    for gap in evaluation.gaps.iter().take(show) {
        let aliases: Vec<String> = gap
            .suggestions
            .iter()
            .map(|s| format!("{} ({:.2})", s.alias, s.score))
            .collect();
        println!(
            "  {} [{}] in {} items; try: {}",
            gap.key,
            gap.reason,
            gap.items.len(),
            aliases.join(", ")
        );
    }
    Ok(())
}

fn suggest_aliases(settings: Settings, key: &str, json: bool) -> Result<()> {
    let index = DossierIndex::open(&settings.index)?;
    let registry = Registry::load(&settings.registry_for(Some(&index)))?;
    let key = registry.canonical(key).to_string();
    let entity = registry
        .get(&key)
        .with_context(|| format!("`{key}` is not in the registry"))?;
    let items = dossier::index::reader::all_items(&index)?;
    let corpus: Vec<&dossier::item::Item> = items.iter().collect();

    let mut carriers: Vec<&dossier::item::Item> = corpus
        .iter()
        .copied()
        .filter(|item| {
            item.explicit_entities
                .iter()
                .any(|k| registry.canonical(k) == key)
        })
        .collect();
    let mut evidence = "items that list the key";
    if carriers.is_empty() {
        evidence = "items found by searching the entity's name";
        let request = SearchRequest {
            query: entity.name.clone(),
            limit: 20,
            items_only: true,
            ..SearchRequest::default()
        };
        let ids: Vec<String> = search::search(&index, Some(&registry), &request)?
            .hits
            .into_iter()
            .map(|hit| hit.id)
            .collect();
        carriers = corpus
            .iter()
            .copied()
            .filter(|item| ids.contains(&item.id))
            .collect();
    }
    let suggestions = linking::suggest_aliases(&key, &carriers, &corpus, &registry);
    if json {
        let answer = serde_json::json!({ "key": key, "evidence": evidence, "items": carriers.iter().map(|item| &item.id).collect::<Vec<_>>(), "suggestions": suggestions });
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    println!("{key} ({}): {} {evidence}", entity.name, carriers.len());
    for suggestion in &suggestions {
        println!(
            "  {:<32} score {:.2}  in {} / elsewhere {}  e.g. {}",
            suggestion.alias,
            suggestion.score,
            suggestion.inside,
            suggestion.outside,
            suggestion.evidence.join(", ")
        );
    }
    Ok(())
}
