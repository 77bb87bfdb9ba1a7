//! In-process measurements for `bench/run`: what a shell command cannot time
//! without counting process start-up, index opening and registry loading.
//!
//! ```text
//! bench_driver export CORPUS ITEMS.jsonl TEXTS.jsonl [--text-bytes N]
//! bench_driver labels REGISTRY LABELS.jsonl
//! bench_driver tag REGISTRY TEXTS.jsonl [--rounds N]
//! bench_driver query INDEX QUERIES.jsonl [--runs N]
//! bench_driver entity INDEX [--runs N]      (at least 100 samples)
//! bench_driver built INDEX most-cited|median|rare [--runs N]
//! bench_driver first INDEX QUERIES.jsonl KEY... [--warm]
//! ```
//!
//! Every command prints one JSON object on stdout. Latencies are wall-clock
//! microseconds of the library call only (`search::search`, `entity_page`,
//! `Tagger::tag`), after one warm-up run. `built` and `tag --rounds` do a fixed
//! amount of work (`bench/counts` runs them under callgrind); `built` also
//! reports the builds' latencies.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use dossier::corpus::{self, SourceFile};
use dossier::entity_page::{self, Window};
use dossier::index::facet_counts::FacetCounts;
use dossier::index::schema::facet;
use dossier::index::writer::{self, Linker, WriteOptions};
use dossier::index::DossierIndex;
use dossier::item::Level;
use dossier::query;
use dossier::registry::Registry;
use dossier::search::{self, SearchRequest};
use dossier::tagger::{self, Tagger};
use dossier::warming::Warming;

/// The allocator of the `dossier` binary, so that figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|at| args.get(at + 1))
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let positional: Vec<&str> = args
        .iter()
        .enumerate()
        .filter(|(at, arg)| !arg.starts_with("--") && (*at == 0 || !args[at - 1].starts_with("--")))
        .map(|(_, arg)| arg.as_str())
        .collect();
    let output = match positional.as_slice() {
        ["export", corpus, items, texts] => export(
            Path::new(corpus),
            Path::new(items),
            Path::new(texts),
            flag("--text-bytes", 16 << 20),
        )?,
        ["labels", registry, out] => labels(Path::new(registry), Path::new(out))?,
        ["tag", registry, texts] => {
            tag(Path::new(registry), Path::new(texts), flag("--rounds", 0))?
        }
        ["query", index, queries] => {
            queries_bench(Path::new(index), Path::new(queries), flag("--runs", 20))?
        }
        ["entity", index] => entity_bench(Path::new(index), flag("--runs", 20))?,
        ["built", index, role] => built_bench(Path::new(index), role, flag("--runs", 1))?,
        ["first", index, queries, keys @ ..] => first_bench(
            Path::new(index),
            Path::new(queries),
            keys,
            args.iter().any(|arg| arg == "--warm"),
        )?,
        _ => bail!("usage: see the module doc of examples/bench_driver.rs"),
    };
    println!("{output}");
    Ok(())
}

/// Corpus files in `corpus::walk` order, as paths: the driver reads them one at a time
/// so that exporting a million items does not hold the corpus in memory.
fn corpus_paths(corpus: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut paths = Vec::new();
    let push_dir = |dir: &Path, prefix: &str, paths: &mut Vec<(PathBuf, String)>| -> Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        let mut names: Vec<_> = std::fs::read_dir(dir)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        names.sort();
        for path in names {
            if path.extension().is_some_and(|ext| ext == "md") && path.is_file() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                paths.push((path, format!("{prefix}/{name}")));
            }
        }
        Ok(())
    };
    push_dir(&corpus.join("briefs"), "briefs", &mut paths)?;
    push_dir(&corpus.join("briefs/weekly"), "briefs/weekly", &mut paths)?;
    let entries = corpus.join("entries");
    if entries.is_dir() {
        let mut days: Vec<_> = std::fs::read_dir(&entries)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        days.sort();
        for day in days {
            let name = day.file_name().unwrap().to_string_lossy().into_owned();
            push_dir(&day, &format!("entries/{name}"), &mut paths)?;
        }
    }
    Ok(paths)
}

/// The documents dossier makes searchable (items and brief-level text), parsed and
/// tagged by the library, as JSON lines for the peers; plus item texts for tagging.
fn export(corpus: &Path, items_out: &Path, texts_out: &Path, text_bytes: usize) -> Result<Value> {
    let registry = Registry::load(&corpus.join("entities/registry.yaml"))?;
    let tagger = Tagger::new(&registry);
    let mut items = BufWriter::new(std::fs::File::create(items_out)?);
    let mut texts = BufWriter::new(std::fs::File::create(texts_out)?);
    let (mut documents, mut item_count, mut written_text) = (0usize, 0usize, 0usize);
    for (path, relative) in corpus_paths(corpus)? {
        let file = SourceFile::read(&path, &relative)?;
        let parsed = corpus::parse_files(std::slice::from_ref(&file))?;
        for mut item in parsed.items {
            tagger::link(&mut item, &tagger, &registry);
            let level = match item.level {
                Level::Item => "item",
                Level::Brief => "brief",
            };
            let row = json!({
                "id": item.id, "date": item.date, "section": item.section, "level": level,
                "title": item.title, "body": item.body, "summary": item.summary,
                "entities": item.entities,
            });
            serde_json::to_writer(&mut items, &row)?;
            items.write_all(b"\n")?;
            documents += 1;
            if item.level == Level::Item {
                item_count += 1;
                if written_text < text_bytes {
                    let text = item.text();
                    written_text += text.len();
                    serde_json::to_writer(&mut texts, &text)?;
                    texts.write_all(b"\n")?;
                }
            }
        }
    }
    items.flush()?;
    texts.flush()?;
    Ok(json!({"documents": documents, "items": item_count, "text_bytes": written_text}))
}

/// The tagger's labels with their case rule, for the Python taggers: labels of 4+
/// characters in any case, 2–3 character labels of capitals and digits in exact case.
fn labels(registry: &Path, out: &Path) -> Result<Value> {
    let registry = Registry::load(registry)?;
    let mut file = BufWriter::new(std::fs::File::create(out)?);
    let mut count = 0;
    for entity in registry.live() {
        // The spellings dossier's tagger matches: hyphens and spaces swapped, and
        // capitalised words run together; `exact` where it matches them only in
        // exact case (the run-together words, a code name written with spaces).
        for (label, exact_only) in entity.labels().flat_map(dossier::tagger::spellings) {
            let chars = label.chars().count();
            let shouty = label
                .chars()
                .all(|c| c.is_uppercase() || c.is_ascii_digit());
            let exact = match chars {
                0..=1 => continue,
                2..=3 if shouty => true,
                2..=3 => continue,
                _ => exact_only,
            };
            serde_json::to_writer(
                &mut file,
                &json!({"label": label, "exact": exact, "key": entity.key}),
            )?;
            file.write_all(b"\n")?;
            count += 1;
        }
    }
    file.flush()?;
    Ok(json!({"labels": count}))
}

fn read_texts(path: &Path) -> Result<Vec<String>> {
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    file.lines()
        .map(|line| Ok(serde_json::from_str(&line?)?))
        .collect()
}

/// Tagging throughput: every text through `Tagger::tag`, repeated for at least
/// two seconds, or exactly `rounds_wanted` times when that is not 0 (for instruction
/// counts, which must not depend on the clock).
fn tag(registry: &Path, texts: &Path, rounds_wanted: usize) -> Result<Value> {
    let started = Instant::now();
    let registry = Registry::load(registry)?;
    let loaded = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let tagger = Tagger::new(&registry);
    let build = started.elapsed().as_secs_f64();
    let texts = read_texts(texts)?;
    let bytes: usize = texts.iter().map(String::len).sum();

    let mut mentions = 0;
    let mut rounds = 0;
    let started = Instant::now();
    let more = |rounds: usize| match rounds_wanted {
        0 => rounds == 0 || started.elapsed().as_secs_f64() < 2.0,
        wanted => rounds < wanted,
    };
    while more(rounds) {
        mentions = texts
            .iter()
            .map(|text| tagger.tag(text).len())
            .sum::<usize>();
        rounds += 1;
    }
    let seconds = started.elapsed().as_secs_f64() / rounds as f64;
    Ok(json!({
        "labels": tagger.label_count(), "texts": texts.len(), "bytes": bytes,
        "mentions": mentions, "seconds": seconds, "mb_per_s": bytes as f64 / 1e6 / seconds,
        "registry_load_s": loaded, "build_s": build,
    }))
}

fn percentiles(samples: &mut [f64]) -> Value {
    if samples.is_empty() {
        return json!({"n": 0});
    }
    samples.sort_by(f64::total_cmp);
    let at =
        |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    json!({"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0), "n": samples.len()})
}

fn open(index_dir: &Path) -> Result<(DossierIndex, Option<Registry>)> {
    let index = DossierIndex::open(index_dir)?;
    let registry = index
        .manifest()
        .registry
        .and_then(|path| Registry::load(&path).ok());
    Ok((index, registry))
}

/// Query latency: each query `runs` times after a warm-up, in the library.
fn queries_bench(index_dir: &Path, queries: &Path, runs: usize) -> Result<Value> {
    let (index, registry) = open(index_dir)?;
    let lines = std::fs::read_to_string(queries).context("reading the query file")?;
    let mut all = Vec::new();
    let mut rows = Vec::new();
    for line in lines.lines().filter(|line| !line.trim().is_empty()) {
        let spec: Value = serde_json::from_str(line)?;
        let request = request_of(&spec);
        let warm = search::search(&index, registry.as_ref(), &request)?;
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let response = search::search(&index, registry.as_ref(), &request)?;
            samples.push(started.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(response);
        }
        all.extend(samples.iter().copied());
        rows.push(
            json!({"query": spec, "total": warm.total, "latency": percentiles(&mut samples)}),
        );
    }
    Ok(json!({"overall": percentiles(&mut all), "queries": rows}))
}

/// The search of one line of the query file.
fn request_of(spec: &Value) -> SearchRequest {
    let text = |name: &str| spec.get(name).and_then(Value::as_str).map(str::to_string);
    SearchRequest {
        query: text("q").unwrap_or_default(),
        sections: text("section").into_iter().collect(),
        entities: text("entity").into_iter().collect(),
        from: text("from"),
        to: text("to"),
        limit: 10,
        ..SearchRequest::default()
    }
}

/// The first requests a process answers after opening the index: the first query
/// of the file, then the page of each key, each once. With `--warm` the index is
/// opened as `dossier serve` opens it, reading ahead what searches and pages need
/// ([`Warming`]); its time is part of `open_ms`. One process measures one opening:
/// what is kept of segments lives as long as the process.
fn first_bench(index_dir: &Path, queries: &Path, keys: &[&str], warm: bool) -> Result<Value> {
    let registry = Registry::load(
        &DossierIndex::open(index_dir)?
            .manifest()
            .registry
            .context("the index has no registry in its manifest")?,
    )?;
    let lines = std::fs::read_to_string(queries).context("reading the query file")?;
    let spec: Value = serde_json::from_str(lines.lines().next().context("no query")?)?;
    let request = request_of(&spec);

    let started = Instant::now();
    let mut index = DossierIndex::open(index_dir)?;
    if warm {
        index = index.warmed_by(Arc::new(Warming))?;
    }
    let open_ms = started.elapsed().as_secs_f64() * 1e3;

    let started = Instant::now();
    std::hint::black_box(search::search(&index, Some(&registry), &request)?);
    let search_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut pages = Vec::new();
    for key in keys {
        let started = Instant::now();
        let page = entity_page::entity_page(&index, &registry, key, Window::default())?;
        pages.push(json!({"key": key, "ms": started.elapsed().as_secs_f64() * 1e3}));
        std::hint::black_box(page);
    }
    Ok(
        json!({"warm": warm, "open_ms": open_ms, "query": spec, "search_ms": search_ms,
              "pages": pages}),
    )
}

/// Entity pages are sampled at least this many times: a p99 of fewer samples is
/// their slowest one, which says more about the machine than about the page.
const PAGE_SAMPLES: usize = 100;

/// Entity page time for the most-cited, a median and a rare entity: as served
/// (kept), built afresh from every segment, the first after opening the index, and
/// the first after each of `runs` (at least [`PAGE_SAMPLES`]) commits adding one
/// brief (on a copy of the index, `INDEX.after-commit`, removed at the end).
fn entity_bench(index_dir: &Path, runs: usize) -> Result<Value> {
    let runs = runs.max(PAGE_SAMPLES);
    let (index, registry) = open(index_dir)?;
    let registry = registry.context("the index has no registry in its manifest")?;
    let chosen = chosen_entities(&index, &registry)?;
    let keys: Vec<String> = chosen.iter().map(|(_, (_, key))| key.clone()).collect();
    let mut rows = Vec::new();
    for (role, (items, key)) in chosen {
        // The first page of a generation also counts the corpus-wide co-occurrence
        // margins (cached until the next commit): reported apart, as `cold_ms`.
        let started = Instant::now();
        entity_page::entity_page(&index, &registry, &key, Window::default())?;
        let cold_ms = started.elapsed().as_secs_f64() * 1e3;
        let mut samples = Vec::with_capacity(runs);
        let mut built = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let page = entity_page::entity_page(&index, &registry, &key, Window::default())?;
            samples.push(started.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(page);
            // The same page built afresh, as on the first visit after a commit.
            let started = Instant::now();
            let page = entity_page::build(&index, &registry, &key, Window::default())?;
            built.push(started.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(page);
        }
        rows.push(
            json!({"role": role, "key": key, "items": items, "cold_ms": cold_ms,
                   "latency": percentiles(&mut samples), "built": percentiles(&mut built)}),
        );
    }
    // Last: the copy shares the index's segments, and what is kept of them.
    let (after, mut adds) = after_commits(index_dir, &keys, runs)?;
    for (row, mut after) in rows.iter_mut().zip(after) {
        row["after_commit"] = percentiles(&mut after);
    }
    Ok(json!({"entities": rows, "add": percentiles(&mut adds)}))
}

/// The most-cited, a median and a rare registered entity, by linked items: (role,
/// (items, key)).
fn chosen_entities(
    index: &DossierIndex,
    registry: &Registry,
) -> Result<[(&'static str, (u64, String)); 3]> {
    let searcher = index.searcher();
    let facets = FacetCounts::new(&searcher, &[facet::ENTITY])?;
    let counts = searcher.search(query::items_only(index.fields()).as_ref(), &facets)?;
    let mut keys: Vec<(u64, String)> = counts
        .into_maps()
        .into_iter()
        .flatten()
        .map(|(key, count)| (count, key))
        .filter(|(_, key)| registry.get(key).is_some())
        .collect();
    keys.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    if keys.is_empty() {
        bail!("no registered entity is linked to any item");
    }
    Ok([
        ("most-cited", keys[0].clone()),
        ("median", keys[keys.len() / 2].clone()),
        ("rare", keys[keys.len() - 1].clone()),
    ])
}

/// The page of the entity of `role` built afresh `runs` times, after one page as
/// served (which decodes the segments' columns and counts the margins): for
/// instruction counts, where only the difference between two run counts matters.
fn built_bench(index_dir: &Path, role: &str, runs: usize) -> Result<Value> {
    let (index, registry) = open(index_dir)?;
    let registry = registry.context("the index has no registry in its manifest")?;
    let Some((_, (items, key))) = chosen_entities(&index, &registry)?
        .into_iter()
        .find(|(name, _)| *name == role)
    else {
        bail!("role: expected most-cited, median or rare, got {role}");
    };
    entity_page::entity_page(&index, &registry, &key, Window::default())?;
    let mut built = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(entity_page::build(
            &index,
            &registry,
            &key,
            Window::default(),
        )?);
        built.push(started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(
        json!({"role": role, "key": key, "items": items, "runs": runs,
              "built": percentiles(&mut built)}),
    )
}

/// Per key, the page's time on the first visit after each of `runs` commits that
/// add one daily brief, as a server answers it: the index is opened as `dossier
/// serve` opens it, so each reload reads the new generation ahead ([`Warming`]);
/// second come the times of the adds themselves (parse, tag, index, commit, wait
/// for merges, reload). Runs on a copy of the index made of hard links
/// (Tantivy writes new files and replaces its meta files by renaming, so the
/// original is never written); each brief is the corpus's newest, dated one day
/// later than the one before.
fn after_commits(
    index_dir: &Path,
    keys: &[String],
    runs: usize,
) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let copy = index_dir.with_extension("after-commit");
    let _ = std::fs::remove_dir_all(&copy);
    let linked = std::process::Command::new("cp")
        .arg("-al")
        .arg(index_dir)
        .arg(&copy)
        .status()?;
    ensure!(linked.success(), "cp -al {} failed", index_dir.display());
    for own in ["dossier.json", ".tantivy-meta.lock", ".tantivy-writer.lock"] {
        let _ = std::fs::remove_file(copy.join(own));
    }
    std::fs::copy(index_dir.join("dossier.json"), copy.join("dossier.json"))?;

    let (index, registry) = open(&copy)?;
    let index = index.warmed_by(Arc::new(Warming))?;
    let registry = registry.context("the index has no registry in its manifest")?;
    let tagger = Tagger::new(&registry);
    let linker = Linker {
        registry: &registry,
        tagger: &tagger,
    };
    let (newest, text) = newest_brief(&index.manifest().corpus.context("no corpus recorded")?)?;
    for key in keys {
        entity_page::entity_page(&index, &registry, key, Window::default())?;
    }
    let mut samples = vec![Vec::with_capacity(runs); keys.len()];
    let mut adds = Vec::with_capacity(runs);
    for run in 1..=runs as i64 {
        let date = (newest + time::Duration::days(run)).to_string();
        let path = format!("briefs/{date}.md");
        let brief = text.replace(&newest.to_string(), &date);
        let file = SourceFile::new(&path, brief.into_bytes())?;
        let started = Instant::now();
        writer::add(&index, vec![file], &linker, &WriteOptions::default())?;
        index.reload()?;
        adds.push(started.elapsed().as_secs_f64() * 1e3);
        for (at, key) in keys.iter().enumerate() {
            let started = Instant::now();
            let page = entity_page::entity_page(&index, &registry, key, Window::default())?;
            samples[at].push(started.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(page);
        }
    }
    std::fs::remove_dir_all(&copy)?;
    Ok((samples, adds))
}

/// The date and text of the newest daily brief of a corpus (`briefs/YYYY-MM-DD.md`).
fn newest_brief(corpus: &Path) -> Result<(time::Date, String)> {
    let mut names: Vec<String> = std::fs::read_dir(corpus.join("briefs"))?
        .filter_map(|entry| Some(entry.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.len() == 13 && name.ends_with(".md"))
        .collect();
    names.sort();
    let name = names.pop().context("the corpus has no daily brief")?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(&name[..10], &format)
        .with_context(|| format!("{name}: not a dated brief"))?;
    Ok((
        date,
        std::fs::read_to_string(corpus.join("briefs").join(&name))?,
    ))
}
