//! Shared fixtures: the real corpus, parsed once, and an index built once per test
//! binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dossier::corpus::{self, Parsed, SourceFile};
use dossier::index::writer::{self, Linker, WriteOptions};
use dossier::index::DossierIndex;
use dossier::item::{Item, Level};
use dossier::registry::Registry;
use dossier::tagger::Tagger;

/// The development corpus, beside the project.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/ctipilot")
}

/// The corpus registry.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::load(&corpus_dir().join("entities/registry.yaml"))
            .expect("the corpus registry loads")
    })
}

/// The tagger over the corpus registry.
pub fn tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| Tagger::new(registry()))
}

/// Every item of the corpus, parsed, merged and tagged.
pub fn parsed() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(|| {
        let files = corpus::walk(&corpus_dir()).expect("the corpus reads");
        let mut parsed = corpus::parse_files(&files).expect("the corpus parses");
        for item in &mut parsed.items {
            dossier::tagger::link(item, tagger(), registry());
        }
        parsed
    })
}

/// The item with this id.
pub fn item(id: &str) -> &'static Item {
    parsed()
        .items
        .iter()
        .find(|item| item.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// Items (not brief-level text) whose brief is `brief`.
pub fn items_of_brief(brief: &str) -> Vec<&'static Item> {
    parsed()
        .items
        .iter()
        .filter(|item| {
            item.level == Level::Item && item.brief.as_ref().is_some_and(|b| b.id == brief)
        })
        .collect()
}

/// Items of the corpus: 97 daily (21 + 23 + 16 + 5 + 21 + 5 + 6) and 2 roll-up
/// tables split from the story above them (2026-05-20, 2026-06-10), 79 weekly
/// (52 + 27) and 90 entries, less the 45 entries merged into their brief item (20
/// of 2026-06-10, 25 of 2026-W19).
#[allow(dead_code)]
pub const ITEMS: u64 = 223;

/// Documents a search over everything finds: the items and 9 brief-level texts.
#[allow(dead_code)]
pub const DOCUMENTS: u64 = ITEMS + 9;

/// The entry that brings Akira's newest item (2026-08-10).
pub const NEWEST_AKIRA: &str =
    "entries/2026-08-10/esxi-busybox-ash-command-obfuscation-21-techniques.md";

/// The corpus registry and its tagger, as ingest uses them.
pub fn linker() -> Linker<'static> {
    Linker {
        registry: registry(),
        tagger: tagger(),
    }
}

/// A new index of `files` in a temporary folder, built in one go.
pub fn index_of(files: &[SourceFile]) -> (tempfile::TempDir, DossierIndex) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let index = DossierIndex::create_or_open(dir.path()).expect("a new index");
    writer::rebuild(&index, files, &linker(), &WriteOptions::default()).expect("the files index");
    (dir, index)
}

/// An index of the whole corpus in a temporary folder, built once.
pub fn index() -> &'static DossierIndex {
    static INDEX: OnceLock<(tempfile::TempDir, DossierIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| index_of(&corpus::walk(&corpus_dir()).expect("the corpus reads")))
        .1
}

/// Copies a folder recursively (a corpus to mutate in a test).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
