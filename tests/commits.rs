//! Entity pages after commits: each segment's facts and margins are kept while the
//! segment lives, so a page asked for again after a commit (or with another
//! registry) reads only the segments that changed, and must be exactly the page an
//! index built in one go gives.
//!
//! Alone in its test binary: the count of segments read is per process.

mod common;

use dossier::corpus::{self, SourceFile};
use dossier::entity_page::{self, Window};
use dossier::index::writer::{self, WriteOptions};
use dossier::index::{generation, DossierIndex};
use dossier::registry::Registry;

use common::{index_of, linker, NEWEST_AKIRA};

fn page(index: &DossierIndex, key: &str) -> serde_json::Value {
    page_with(index, common::registry(), key)
}

fn page_with(index: &DossierIndex, registry: &Registry, key: &str) -> serde_json::Value {
    let page =
        entity_page::entity_page(index, registry, key, Window::default()).expect("the page builds");
    serde_json::to_value(page).unwrap()
}

/// Segments of `index`'s current generation that `before` did not read as they are.
fn new_segments(before: &dossier::index::Generation, index: &DossierIndex) -> usize {
    generation(&index.searcher())
        .iter()
        .filter(|(id, deletes)| before.get(id) != Some(deletes))
        .count()
}

fn add(index: &DossierIndex, files: Vec<SourceFile>) {
    writer::add(index, files, &linker(), &WriteOptions::default()).unwrap();
    index.reload().unwrap();
}

/// The corpus with Akira no longer named in the brief of 2026-06-10 and its
/// entries; and those files.
fn without_akira_on_june_10(files: &[SourceFile]) -> (Vec<SourceFile>, Vec<SourceFile>) {
    let of_june_10 = |file: &SourceFile| {
        file.path == "briefs/2026-06-10.md" || file.path.starts_with("entries/2026-06-10/")
    };
    let changed: Vec<SourceFile> = files
        .iter()
        .map(|file| {
            if !of_june_10(file) {
                return file.clone();
            }
            let text = file
                .text
                .replace("Akira", "Akiro")
                .replace("akira", "akiro");
            SourceFile::new(&file.path, text.into_bytes()).unwrap()
        })
        .collect();
    let replaced = changed
        .iter()
        .filter(|file| of_june_10(file))
        .cloned()
        .collect();
    (changed, replaced)
}

#[test]
fn pages_after_commits_read_only_changed_segments_and_match_a_fresh_index() {
    let files = corpus::walk(&common::corpus_dir()).unwrap();
    let (changed, replaced) = without_akira_on_june_10(&files);
    // The pages of indexes built in one go come first: what is kept of segments
    // follows the last index asked (one index per process is the served case).
    let whole = page(&index_of(&files).1, "actor:akira");
    let whole_changed = page(&index_of(&changed).1, "actor:akira");

    let (held, rest): (Vec<SourceFile>, Vec<SourceFile>) = files
        .iter()
        .cloned()
        .partition(|file| file.path == NEWEST_AKIRA);
    assert_eq!(held.len(), 1, "{NEWEST_AKIRA} is in the corpus");
    let (_dir, index) = index_of(&rest);
    let segments = index.searcher().segment_readers().len() as u64;

    let read = entity_page::segments_read();
    let before = page(&index, "actor:akira");
    assert_eq!(before["coverage"]["items"], 8);
    assert_eq!(before["coverage"]["last"], "2026-06-10");
    assert_eq!(entity_page::segments_read() - read, segments);

    // Another registry keeps no page of the first, but every segment's facts.
    let text =
        std::fs::read_to_string(common::corpus_dir().join("entities/registry.yaml")).unwrap();
    let edited = Registry::parse("registry.yaml", &format!("{text}\n# edited\n")).unwrap();
    assert_ne!(edited.version(), common::registry().version());
    let read = entity_page::segments_read();
    assert_eq!(page_with(&index, &edited, "actor:akira"), before);
    assert_eq!(entity_page::segments_read() - read, 0);

    // A commit that adds one entry: the page reads the segments that changed
    // (here the writer merged the small ones), and is the whole corpus's page,
    // suggestions (which need the corpus-wide margins) included.
    let generation_before = generation(&index.searcher());
    let read = entity_page::segments_read();
    add(&index, held);
    let after = page(&index, "actor:akira");
    assert_eq!(after["coverage"]["items"], 9);
    assert_eq!(after["coverage"]["last"], "2026-08-10");
    // 21 cited URLs, less the 6 ATT&CK technique links, which are references.
    assert_eq!(after["sources"]["urls"], 15);
    let changed_segments = new_segments(&generation_before, &index) as u64;
    assert!(changed_segments >= 1);
    assert_eq!(entity_page::segments_read() - read, changed_segments);
    assert_eq!(after, whole);
    assert!(!after["suggestions"].as_array().unwrap().is_empty());

    // A commit that replaces a brief and its entries deletes their old items from
    // an older segment: what was kept of it is not used again, and the segment is
    // read anew.
    let generation_before = generation(&index.searcher());
    let read = entity_page::segments_read();
    add(&index, replaced);
    let after = page(&index, "actor:akira");
    let with_deletes = generation(&index.searcher())
        .iter()
        .filter(|(id, deletes)| {
            deletes.is_some() && generation_before.get(id).is_some_and(|was| was != *deletes)
        })
        .count();
    assert!(with_deletes >= 1, "an older segment has new deletes");
    assert_eq!(
        entity_page::segments_read() - read,
        new_segments(&generation_before, &index) as u64
    );
    assert_eq!(after["coverage"]["items"], 7);
    assert_eq!(after, whole_changed);
}
