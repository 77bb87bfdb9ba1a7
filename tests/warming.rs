//! An index opened as the server opens it reads each generation ahead: the first
//! search and the first entity page after opening, and after a commit, decode no
//! column and count no margins themselves.
//!
//! Alone in its test binary: the counts of columns decoded are per process.

mod common;

use std::sync::Arc;

use dossier::corpus::{self, SourceFile};
use dossier::entity_page::{self, Window};
use dossier::index::writer::{self, WriteOptions};
use dossier::index::{names, value_lists, DossierIndex};
use dossier::related;
use dossier::search::{self, SearchRequest, SearchResponse};
use dossier::warming::Warming;

use common::{index_of, linker, NEWEST_AKIRA};

/// Columns decoded, columns named and segments' margins counted so far.
fn derived() -> [u64; 3] {
    [
        value_lists::decoded(),
        names::decoded(),
        related::margins_counted(),
    ]
}

fn nis2_france(index: &DossierIndex) -> SearchResponse {
    let request = SearchRequest {
        query: "NIS2 France".into(),
        limit: 3,
        ..SearchRequest::default()
    };
    search::search(index, Some(common::registry()), &request).expect("the search runs")
}

fn akira(index: &DossierIndex) -> serde_json::Value {
    let page =
        entity_page::entity_page(index, common::registry(), "actor:akira", Window::default())
            .expect("the page builds");
    serde_json::to_value(page).unwrap()
}

#[test]
fn first_requests_after_opening_and_after_a_commit_find_everything_read_ahead() {
    let files = corpus::walk(&common::corpus_dir()).unwrap();
    let (held, rest): (Vec<SourceFile>, Vec<SourceFile>) = files
        .into_iter()
        .partition(|file| file.path == NEWEST_AKIRA);
    assert_eq!(held.len(), 1, "{NEWEST_AKIRA} is in the corpus");

    // Opened as the CLI opens it, the first requests decode and count.
    let (plain, _) = index_of(&rest);
    let index = DossierIndex::open(plain.path()).unwrap();
    let before = derived();
    let plain_search = nis2_france(&index);
    let plain_page = akira(&index);
    let after = derived();
    assert!(
        (0..3).all(|at| after[at] > before[at]),
        "{before:?} -> {after:?}"
    );

    // Opened as the server opens it (another index: other segments), they do not,
    // and answer the same.
    let (served, _) = index_of(&rest);
    let index = DossierIndex::open(served.path())
        .unwrap()
        .warmed_by(Arc::new(Warming))
        .unwrap();
    let before = derived();
    let search = nis2_france(&index);
    assert_eq!(search.total, 2);
    assert_eq!(
        search.hits[0].id,
        "2026-W24/european-commission-refers-france-and-spain-to-the-cjeu-over"
    );
    assert_eq!(
        serde_json::to_value(&search.facets).unwrap(),
        serde_json::to_value(&plain_search.facets).unwrap()
    );
    let page = akira(&index);
    assert_eq!(page["coverage"]["items"], 8);
    assert_eq!(page["coverage"]["last"], "2026-06-10");
    assert_eq!(page, plain_page);
    assert_eq!(derived(), before);

    // A commit adding Akira's newest entry: its reload reads the new segments
    // ahead, before they answer.
    writer::add(&index, held, &linker(), &WriteOptions::default()).unwrap();
    index.reload().unwrap();
    let before = derived();
    assert_eq!(nis2_france(&index).total, 2);
    let page = akira(&index);
    assert_eq!(page["coverage"]["items"], 9);
    assert_eq!(page["coverage"]["last"], "2026-08-10");
    assert!(!page["suggestions"].as_array().unwrap().is_empty());
    assert_eq!(derived(), before);
}
