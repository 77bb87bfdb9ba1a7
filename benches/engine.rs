//! Micro-benchmarks of the three hot paths, on the real corpus: parsing a brief,
//! tagging an item's text, and a search with facets and snippets on a small index.
//! Run with `cargo bench --bench engine`; the side-by-side comparison with other
//! engines is `bench/run`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use dossier::corpus::{self, brief::BriefId, SourceFile};
use dossier::index::writer::{self, Linker, WriteOptions};
use dossier::index::DossierIndex;
use dossier::item::Level;
use dossier::registry::Registry;
use dossier::search::{self, SearchRequest};
use dossier::tagger::Tagger;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(dossier::settings::DEFAULT_CORPUS)
}

fn registry() -> Registry {
    Registry::load(&corpus_dir().join(dossier::settings::REGISTRY_IN_CORPUS))
        .expect("the real corpus has a registry")
}

fn parse_brief(c: &mut Criterion) {
    let path = "briefs/2026-06-22.md";
    let text = std::fs::read_to_string(corpus_dir().join(path)).expect("the brief exists");
    let id = BriefId::parse("2026-06-22").expect("a valid brief id");
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("brief 2026-06-22", |b| {
        b.iter(|| corpus::brief::parse(path, &id, black_box(&text)).unwrap())
    });
    group.finish();
}

fn tag_item(c: &mut Criterion) {
    let registry = registry();
    let tagger = Tagger::new(&registry);
    let files = corpus::walk(&corpus_dir()).expect("the corpus reads");
    let parsed = corpus::parse_files(&files).expect("the corpus parses");
    // The longest item: a deep dive dense with names and CVE ids.
    let text = parsed
        .items
        .iter()
        .filter(|item| item.level == Level::Item)
        .map(|item| item.text())
        .max_by_key(String::len)
        .expect("the corpus has items");
    let mut group = c.benchmark_group("tag");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("longest real item", |b| {
        b.iter(|| tagger.tag(black_box(&text)))
    });
    group.finish();
}

fn search_small_index(c: &mut Criterion) {
    let registry = registry();
    let tagger = Tagger::new(&registry);
    let files: Vec<SourceFile> = corpus::walk(&corpus_dir()).expect("the corpus reads");
    let index = DossierIndex::in_memory().expect("an index in memory");
    let linker = Linker {
        registry: &registry,
        tagger: &tagger,
    };
    writer::rebuild(&index, &files, &linker, &WriteOptions::default()).expect("the corpus indexes");

    let mut group = c.benchmark_group("search");
    for query in [
        "ransomware",
        "\"supply chain\"",
        "\"remote code execution\"",
        "CVE-2026-31431",
    ] {
        let request = SearchRequest {
            query: query.to_string(),
            limit: 10,
            ..SearchRequest::default()
        };
        group.bench_function(query, |b| {
            b.iter(|| search::search(&index, Some(&registry), black_box(&request)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, parse_brief, tag_item, search_small_index);
criterion_main!(benches);
