//! Entity pages asked for by many requests at once, on the real corpus.
//!
//! Alone in its test binary: the count of pages built is per process.

mod common;

use dossier::entity_page::{self, Window};

/// Requests that arrive together for a page nobody has seen yet: the first
/// builds it, the others wait and are given the kept page.
#[test]
fn concurrent_first_requests_build_a_page_once() {
    let index = common::index();
    let registry = common::registry();
    let before = entity_page::pages_built();

    let pages: Vec<String> = std::thread::scope(|scope| {
        let requests: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let page =
                        entity_page::entity_page(index, registry, "actor:akira", Window::default())
                            .expect("the page builds");
                    serde_json::to_string(&page).unwrap()
                })
            })
            .collect();
        requests
            .into_iter()
            .map(|request| request.join().unwrap())
            .collect()
    });

    assert_eq!(entity_page::pages_built() - before, 1);
    assert!(pages.iter().all(|page| page == &pages[0]));
    let page: serde_json::Value = serde_json::from_str(&pages[0]).unwrap();
    assert_eq!(page["coverage"]["items"], 9);
    assert_eq!(page["coverage"]["briefs"], 3);
    assert_eq!(page["coverage"]["first"], "2026-05-04");
    assert_eq!(page["coverage"]["last"], "2026-08-10");
    // 21 cited URLs, less the 6 ATT&CK technique links, which are references.
    assert_eq!(page["sources"]["urls"], 15);

    // Another window is another page.
    let window = Window {
        offset: 2,
        limit: 3,
    };
    let page = entity_page::entity_page(index, registry, "actor:akira", window).unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(entity_page::pages_built() - before, 2);
}
