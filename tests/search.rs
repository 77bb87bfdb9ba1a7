//! Ranked search on the real corpus: what an analyst types and what must come back.

mod common;

use dossier::search::{search, SearchError, SearchRequest, SearchResponse, Sort};

fn run(request: SearchRequest) -> SearchResponse {
    search(common::index(), Some(common::registry()), &request).expect("the search runs")
}

fn query(text: &str, limit: usize) -> SearchResponse {
    run(SearchRequest {
        query: text.into(),
        limit,
        ..SearchRequest::default()
    })
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|hit| hit.id.as_str()).collect()
}

#[test]
fn nis2_france_ranks_the_cjeu_referral_first() {
    let response = query("NIS2 France", 3);
    assert_eq!(
        ids(&response)[0],
        "2026-W24/european-commission-refers-france-and-spain-to-the-cjeu-over"
    );
    assert!(
        response.hits[0].snippet.contains("<b>"),
        "the snippet highlights matches"
    );
}

#[test]
fn ants_finds_both_days_of_the_breach_and_not_velvet_ant() {
    let response = query("ANTS", 20);
    let found = ids(&response);
    assert_eq!(
        found[0],
        "2026-05-07/france-ants-breach-confirmed-account-count-11-7-million"
    );
    assert!(
        found.contains(&"2026-05-06/france-ants-government-identity-agency-up-to-18-million-citi")
    );
    assert!(
        !found.iter().any(|id| id.contains("velvet-ant")),
        "no stemming: ANTS is not Ant"
    );
}

#[test]
fn france_titres_and_folded_accents() {
    let item = "2026-05-06/france-ants-government-identity-agency-up-to-18-million-citi";
    assert_eq!(ids(&query("France Titres", 5))[0], item);
    assert_eq!(ids(&query("Sécurisés", 5))[0], item);
    assert_eq!(ids(&query("securises", 5))[0], item);
}

#[test]
fn a_cve_id_finds_exactly_that_cve() {
    let response = query("CVE-2026-31431", 50);
    assert_eq!(response.total, 10);
    assert_eq!(
        ids(&response)[0],
        "2026-05-06/cve-2026-31431-copy-fail-linux-kernel-lpe-active-exploitatio"
    );
    for hit in &response.hits {
        assert!(
            !hit.id.starts_with("2026-06-10/"),
            "{} never cites CVE-2026-31431",
            hit.id
        );
    }
    // CVE-2026-31635 ("DirtyDecrypt") shares the prefix but is another CVE.
    let other = query("CVE-2026-31635", 50);
    assert!(ids(&other)
        .contains(&"2026-05-20/cve-2026-31635-dirtydecrypt-linux-kernel-rxgk-page-cache-wri"));
    assert!(!ids(&other)
        .contains(&"2026-05-06/cve-2026-31431-copy-fail-linux-kernel-lpe-active-exploitatio"));
}

/// Each number of a CVE list links its own id, so filtering on one finds the items
/// that only list it beside those that spell it out.
#[test]
fn a_cve_listed_after_a_slash_links_its_item() {
    let cases = [
        // The SEPPmail update of 2026-05-20 lists the cluster as
        // `CVE-2026-44128 / 44125 / 44126 / 44127 / 44129 / 7864`.
        (
            "CVE-2026-44126",
            [
                "2026-05-20/seppmail-secure-e-mail-gateway-infoguard-labs-full-technical",
                "2026-05-04/cve-2026-44128-et-al-seppmail-secure-email-gateway-six-cve-c",
            ],
        ),
        // The brief of 2026-05-07 lists Zabbix's `CVE-2026-23926/27/28`.
        (
            "CVE-2026-23928",
            [
                "2026-05-07/cve-2026-23926-cve-2026-23927-cve-2026-23928-zabbix-xss-and",
                "2026-05-07/trending-vulnerabilities",
            ],
        ),
        // W19's public-sector pattern writes only `CVE-2026-1281/1340`.
        (
            "CVE-2026-1340",
            [
                "2026-W19/public-sector-administration-and-digital-identity-fr-eu-fi-c",
                "2026-05-04/cve-2026-6973-cve-2026-5787-ivanti-epmm-on-prem-pre-auth-cha",
            ],
        ),
    ];
    for (key, expected) in cases {
        let linked = run(SearchRequest {
            entities: vec![key.into()],
            limit: 10,
            ..SearchRequest::default()
        });
        // Newest first, two items of one day by id.
        assert_eq!(ids(&linked), expected, "{key}");
    }
}

/// A CVE id whose hyphens a word processor turned into en dashes is the id: the
/// same hits, and only the id highlighted (read as three words, every `CVE` of the
/// Copy Fail and Dirty Frag title was).
#[test]
fn a_cve_id_typed_with_dashes_is_the_id() {
    let hyphens = query("CVE-2026-31431", 20);
    let dashes = query("CVE\u{2013}2026\u{2013}31431", 20);
    assert_eq!(ids(&dashes), ids(&hyphens));
    assert_eq!(dashes.total, 10);
    let pair = dashes
        .hits
        .iter()
        .find(|hit| {
            hit.id
                .starts_with("2026-05-04/cve-2026-31431-copy-fail-cve-2026-43284")
        })
        .expect("the Copy Fail and Dirty Frag entry is a hit");
    assert!(
        pair.title_html.starts_with(
            "<b>CVE-2026-31431</b> &quot;Copy Fail&quot; + CVE-2026-43284 / CVE-2026-43500"
        ),
        "{}",
        pair.title_html
    );
}

/// A match in the title is highlighted there, and one in the summary alone (a TL;DR
/// line the body does not repeat) is highlighted in the summary shown as snippet.
#[test]
fn titles_and_summaries_highlight_what_matched() {
    let phrase = query("\"pre-auth command injection\"", 10);
    assert_eq!(
        ids(&phrase),
        ["2026-W24/cve-2026-10520-cve-2026-10523-ivanti-sentry-pre-auth-command"]
    );
    assert_eq!(
        phrase.hits[0].title_html,
        "CVE-2026-10520 / CVE-2026-10523 — Ivanti Sentry: <b>pre-auth command injection</b> \
         to root, now confirmed exploited and gateways backdoored"
    );

    let zero_day = query("zero-day", 100);
    let patch_tuesday = zero_day
        .hits
        .iter()
        .find(|hit| {
            hit.id == "2026-06-10/cve-2026-47291-microsoft-june-patch-tuesday-http-sys-pre-aut"
        })
        .expect("the Patch Tuesday item's TL;DR line names the V8 zero-day");
    assert!(
        patch_tuesday.snippet.contains(
            "separately Chrome patched an in-the-wild V8 <b>zero-day</b> (CVE-2026-11645"
        ),
        "{}",
        patch_tuesday.snippet
    );
    assert_eq!(patch_tuesday.title_html, patch_tuesday.title);

    // W19's Qilin item says "ransomware" only in its footer's tags: its summary is
    // shown with that line.
    let long_running = run(SearchRequest {
        query: "ransomware".into(),
        sections: vec!["weekly-long-running".into()],
        limit: 10,
        ..SearchRequest::default()
    });
    let qilin = long_running
        .hits
        .iter()
        .find(|hit| {
            hit.id == "2026-W19/qilin-agenda-raas-die-linke-confirms-q2-2026-german-activity"
        })
        .expect("the Qilin item is tagged ransomware");
    assert!(
        qilin.snippet.ends_with(
            " · Tags: <b>ransomware</b>, data-breach · Region: europe, dach · Sector: media, \
             public-sector"
        ),
        "{}",
        qilin.snippet
    );
}

/// A hit found through an id a list stands for shows where the list writes it: the
/// roll-up table of 2026-05-07 writes Zabbix's ids only as `CVE-2026-23926/27/28`.
#[test]
fn a_listed_cve_is_highlighted_where_the_list_writes_it() {
    let response = query("CVE-2026-23927", 10);
    let rollup = response
        .hits
        .iter()
        .find(|hit| hit.id == "2026-05-07/trending-vulnerabilities")
        .expect("the roll-up table is a hit");
    assert!(
        rollup
            .snippet
            .contains("| CVE-2026-23926/<b>27</b>/28 | Zabbix"),
        "{}",
        rollup.snippet
    );
}

/// Brief-level text links no entity, so an id it writes only in a list's short
/// form is one of its keywords: W24's vulnerability table writes Acer's pair only
/// as `CVE-2026-49200 / -49201`, and no item names the second.
#[test]
fn an_id_only_a_brief_level_list_stands_for_is_found() {
    let response = query("CVE-2026-49201", 10);
    assert_eq!(ids(&response), ["2026-W24"]);
    assert!(
        response.hits[0]
            .snippet
            .contains("| CVE-2026-49200 / -<b>49201</b> | Acer Wave-7 routers |"),
        "{}",
        response.hits[0].snippet
    );
    let zabbix = query("CVE-2026-23927", 10);
    assert_eq!(
        ids(&zabbix),
        [
            "2026-05-07/cve-2026-23926-cve-2026-23927-cve-2026-23928-zabbix-xss-and",
            "2026-05-07/trending-vulnerabilities",
            "2026-05-07",
            "2026-W19"
        ]
    );
}

// A CVE list pasted as one word is either id. Copy Fail's items write
// CVE-2026-31431 and no text names CVE-2026-31432; cPanel's item of 2026-05-04 and
// W19's brief text write `CVE-2026-29201/29202`; Zabbix's `CVE-2026-23926/27/28`
// stands in 2026-05-07's item, its roll-up table, its brief text and W19's.
#[test]
fn a_pasted_cve_list_finds_either_id() {
    for (list, either, total) in [
        (
            "CVE-2026-31431/31432",
            "CVE-2026-31431 OR CVE-2026-31432",
            10,
        ),
        (
            "CVE-2026-29201/29202",
            "CVE-2026-29201 OR CVE-2026-29202",
            2,
        ),
        (
            "cve-2026-23926/27/28",
            "CVE-2026-23926 OR CVE-2026-23927 OR CVE-2026-23928",
            4,
        ),
        // A list pasted with a space after each comma: Copy Fail's 10 and the two
        // items that name CVE-2026-31635.
        (
            "CVE-2026-31431, CVE-2026-31635",
            "CVE-2026-31431 OR CVE-2026-31635",
            12,
        ),
    ] {
        let found = query(list, 20);
        assert_eq!(found.total, total, "{list}");
        assert_eq!(ids(&found), ids(&query(either, 20)), "{list}");
    }
    assert_eq!(
        ids(&query("CVE-2026-29201/29202", 2)),
        [
            "2026-05-04/cpanel-whm-two-emergency-tsrs-inside-ten-days-post-cve-2026",
            "2026-W19"
        ]
    );
    assert_eq!(query("Copy Fail -CVE-2026-31431/31432", 20).total, 0);
}

#[test]
fn versions_and_technique_ids_are_exact() {
    assert_eq!(
        ids(&query("2.4.66", 3))[0],
        "2026-05-06/cve-2026-23918-apache-http-server-2-4-66-http-2-double-free"
    );
    // The deep dive's ATT&CK list, the weekly Copy Fail item's body, and five entries'
    // `techniques:` front matter.
    let technique = query("T1068", 10);
    assert_eq!(technique.total, 7);
    assert!(
        ids(&technique).contains(&"2026-08-10/linux-bridge-stp-timer-uaf-no-cve-public-exploit")
    );
    assert!(ids(&technique)
        .contains(&"2026-05-06/cve-2026-31431-copy-fail-deterministic-linux-kernel-local-pr"));
}

#[test]
fn an_alias_finds_items_tagged_with_its_entity() {
    // Only the weekly summary writes "Seedworm"; the 2026-05-08 entry names MuddyWater.
    let found = query("Seedworm", 10);
    assert!(ids(&found)
        .contains(&"2026-05-08/muddywater-iran-mois-deploys-chaos-ransomware-as-false-flag"));
    // "Lynx" is an alias of INC Ransom; the Fox Tempest item only writes "INC".
    assert!(ids(&query("Lynx", 10))
        .contains(&"2026-05-20/microsoft-dcu-disrupts-fox-tempest-malware-signing-as-a-serv"));
}

/// A name finds its entity's items in every spelling the tagger links: only the
/// 2026-06-10 UPDATE writes "Mini-Shai-Hulud" (the other five items write "Mini
/// Shai-Hulud" or an alias), and the Mediaworks item writes "World Leaks" only.
#[test]
fn every_spelling_of_a_name_finds_its_entity() {
    let tagged = |key: &str| {
        let mut found: Vec<String> = run(SearchRequest {
            entities: vec![key.to_string()],
            limit: 50,
            ..SearchRequest::default()
        })
        .hits
        .into_iter()
        .map(|hit| hit.id)
        .collect();
        found.sort();
        found
    };
    let sorted = |response: &SearchResponse| {
        let mut found: Vec<String> = response.hits.iter().map(|hit| hit.id.clone()).collect();
        found.sort();
        found
    };

    let worm = tagged("campaign:mini-shai-hulud");
    assert_eq!(worm.len(), 6);
    // Its words in a row also find the brief-level texts of 2026-05-20 and
    // 2026-06-01, which write "Mini Shai-Hulud" and link no entity.
    let mut expected = worm.clone();
    expected.extend(["2026-05-20".to_string(), "2026-06-01".to_string()]);
    expected.sort();
    assert_eq!(sorted(&query("Mini-Shai-Hulud", 50)), expected);

    let mediaworks = "2026-05-06/mediaworks-kft-hungary-data-theft-extortion-claim-confirmed";
    assert!(tagged("actor:worldleaks").contains(&mediaworks.to_string()));
    for spelled in ["WorldLeaks", "World-Leaks", "World Leaks"] {
        let found = query(spelled, 50);
        assert!(ids(&found).contains(&mediaworks), "{spelled}");
    }
}

/// A name finds its entity's items only when all of it is typed: one word of
/// "Midnight Blizzard" or "Hunters International" (World Leaks' former name) is
/// just a word. Only the two 2026-07-13 FSB Centre 16 entries write "Blizzard";
/// only the Mediaworks item writes "Hunters".
#[test]
fn one_word_of_a_name_is_not_the_name() {
    let sorted = |response: SearchResponse| {
        let mut found: Vec<String> = response.hits.into_iter().map(|hit| hit.id).collect();
        found.sort();
        found
    };
    let tagged = |key: &str| {
        sorted(run(SearchRequest {
            entities: vec![key.to_string()],
            limit: 50,
            ..SearchRequest::default()
        }))
    };

    let apt29 = tagged("actor:midnight-blizzard");
    assert_eq!(apt29.len(), 6);
    assert_eq!(sorted(query("Midnight Blizzard", 50)), apt29);
    assert_eq!(
        sorted(query("Blizzard", 50)),
        [
            "2026-07-13/france-eu-turla-fsb-centre-16-attribution-french-victimology",
            "2026-07-13/fsb-centre-16-static-tundra-router-hijacking-advisory",
        ]
    );

    let world_leaks = tagged("actor:worldleaks");
    assert_eq!(world_leaks.len(), 7);
    assert_eq!(sorted(query("Hunters International", 50)), world_leaks);
    assert_eq!(sorted(query("\"Hunters International\"", 50)), world_leaks);
    assert_eq!(
        sorted(query("Hunters", 50)),
        ["2026-05-06/mediaworks-kft-hungary-data-theft-extortion-claim-confirmed"]
    );
    // The name inside a longer query is still the name.
    let with_name = sorted(query("Hunters International extortion", 50));
    assert_eq!(with_name.len(), 4);
    assert_eq!(with_name, sorted(query("\"World Leaks\" extortion", 50)));

    // Hyphens and spaces spell a name alike.
    assert_eq!(
        sorted(query("Storm 0501", 50)),
        sorted(query("Storm-0501", 50))
    );
}

/// A phrase's snippets highlight the phrase, never one of its words alone: the
/// FreeBSD CTL HA entry writes "remote code execution" after "not a code fix".
#[test]
fn phrase_snippets_highlight_the_phrase_only() {
    let freebsd = "2026-08-10/freebsd-ctl-ha-three-preauth-kernel-rce-primitives-port-999";
    for phrase in ["remote code execution", "supply chain", "Cell Broadcast"] {
        let found = query(&format!("\"{phrase}\""), 50);
        let mut highlighted = 0;
        for hit in &found.hits {
            for (at, _) in hit.snippet.match_indices("<b>") {
                let span = &hit.snippet[at + 3..];
                let span = &span[..span.find("</b>").unwrap()];
                assert_eq!(span.to_lowercase().replace('-', " "), phrase.to_lowercase());
                highlighted += 1;
            }
        }
        assert!(highlighted >= 3, "{phrase}: {highlighted}");
    }
    // Nothing excluded is highlighted: 2026-W19's Gentlemen item writes "supply" alone.
    let excluded = query("ransomware -\"supply chain\"", 100);
    assert!(excluded.total < query("ransomware", 1).total);
    assert!(ids(&excluded)
        .contains(&"2026-W19/the-gentlemen-raas-europe-skewed-operation-surged-approximat"));
    assert!(excluded
        .hits
        .iter()
        .all(|hit| !hit.snippet.to_lowercase().contains("<b>supply")));

    let found = query("\"remote code execution\"", 50);
    let hit = found.hits.iter().find(|hit| hit.id == freebsd).unwrap();
    assert!(hit
        .snippet
        .contains("effectively permits <b>remote code execution</b> on the"));
}

#[test]
fn phrases_exclusions_and_or() {
    let phrase = query("\"pre-auth command injection\"", 10);
    assert_eq!(
        ids(&phrase),
        ["2026-W24/cve-2026-10520-cve-2026-10523-ivanti-sentry-pre-auth-command"]
    );

    let shiny = query("ShinyHunters", 50);
    let without = query("ShinyHunters -Instructure", 50);
    assert!(without.total < shiny.total);
    assert_eq!(
        ids(&query("ShinyHunters NOT Instructure", 50)),
        ids(&without)
    );
    assert!(!ids(&without)
        .contains(&"2026-05-06/instructure-canvas-lms-data-breach-affecting-global-educatio"));

    let either = query("Drupal OR TYPO3", 20);
    let found = ids(&either);
    assert!(
        found.contains(&"2026-05-20/drupal-core-highly-critical-pre-patch-warning-unauthenticate")
    );
    assert!(
        found.contains(&"2026-06-10/cve-2026-47344-et-al-typo3-core-june-release-13-cves-across")
    );
}

#[test]
fn filters_by_section_date_entity_and_host() {
    let updates = run(SearchRequest {
        query: "Copy Fail".into(),
        sections: vec!["updates".into()],
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(
        ids(&updates),
        [
            "2026-08-10/wp2root-php-uaf-copy-fail-kev-kernel-lpe-to-native-root",
            "2026-05-07/cve-2026-31431-copy-fail-go-and-rust-exploit-variants-now-pu"
        ]
    );

    let june = run(SearchRequest {
        query: "APT28".into(),
        from: Some("2026-06-01".into()),
        to: Some("2026-06-30".into()),
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(
        ids(&june),
        [
            "2026-W24/apt28-gru-unit-26165-sekoia-documents-a-shift-to-llm-generat",
            "2026-W24"
        ]
    );

    let linked = run(SearchRequest {
        entities: vec!["incident:france-ants-breach-2026".into()],
        limit: 50,
        ..SearchRequest::default()
    });
    assert!(ids(&linked).iter().all(|id| !id.starts_with("2026-06-10/")));
    assert!(ids(&linked)
        .contains(&"2026-05-07/france-ants-breach-confirmed-account-count-11-7-million"));

    let cited = run(SearchRequest {
        hosts: vec!["www.socradar.io".into()],
        limit: 10,
        ..SearchRequest::default()
    });
    assert!(ids(&cited)
        .contains(&"2026-07-03/fortibleed-fortigate-credential-harvesting-linked-to-inc-ran"));
    assert_eq!(cited.total, 3);
    // A pasted URL, or a host in another case or without `www.`, filters alike.
    for host in [
        "https://socradar.io/blog/fortibleed",
        "SOCRADAR.IO",
        "socradar.io/blog",
        "socradar.io.",
    ] {
        let same = run(SearchRequest {
            hosts: vec![host.into()],
            limit: 10,
            ..SearchRequest::default()
        });
        assert_eq!(ids(&same), ids(&cited), "{host}");
    }
}

#[test]
fn a_host_is_itself_and_a_star_takes_in_the_hosts_under_it() {
    let by_host = |hosts: &[&str]| {
        run(SearchRequest {
            hosts: hosts.iter().map(|host| host.to_string()).collect(),
            limit: 100,
            ..SearchRequest::default()
        })
    };
    let sorted = |response: &SearchResponse| {
        let mut ids: Vec<String> = response.hits.iter().map(|hit| hit.id.clone()).collect();
        ids.sort();
        ids
    };

    // A cited host is itself alone, so that its facet count is what its filter
    // finds: `microsoft.com` is cited as itself (13 documents, `www.` folded in),
    // from `msrc.` (13) and once from `blogs.` (the Fox Tempest item).
    let everything = by_host(&[]);
    let facet = |host: &str| {
        everything
            .facets
            .host
            .iter()
            .find(|count| count.value == host)
            .map(|count| count.count as usize)
    };
    let microsoft = by_host(&["www.microsoft.com"]);
    assert_eq!(microsoft.total, 13);
    assert_eq!(facet("microsoft.com"), Some(13));
    assert_eq!(by_host(&["msrc.microsoft.com"]).total, 13);
    let blogs = by_host(&["blogs.microsoft.com"]);
    assert_eq!(
        ids(&blogs),
        ["2026-05-20/microsoft-dcu-disrupts-fox-tempest-malware-signing-as-a-serv"]
    );
    // `*.` takes in the domain and every host under it.
    let all_three = by_host(&["microsoft.com", "msrc.microsoft.com", "blogs.microsoft.com"]);
    assert_eq!(all_three.total, 23);
    assert_eq!(sorted(&by_host(&["*.microsoft.com"])), sorted(&all_three));

    // The corpus cites Palo Alto Networks only from its `security.` (10
    // documents) and `unit42.` (12) subdomains.
    let advisories = by_host(&["security.paloaltonetworks.com"]);
    let research = by_host(&["unit42.paloaltonetworks.com"]);
    assert_eq!((advisories.total, research.total), (10, 12));
    let either = by_host(&[
        "security.paloaltonetworks.com",
        "unit42.paloaltonetworks.com",
    ]);
    assert_eq!(either.total, 15);
    assert_eq!(
        sorted(&by_host(&["*.paloaltonetworks.com"])),
        sorted(&either)
    );

    // A host that matches nothing cited is refused, naming what it may have
    // meant: the hosts under it and the filter taking them in, a host it is
    // under, or a host a letter or two away.
    let error = |host: &str| {
        search(
            common::index(),
            None,
            &SearchRequest {
                hosts: vec![host.into()],
                limit: 10,
                ..SearchRequest::default()
            },
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        error("paloaltonetworks.com"),
        "host: no item cites `paloaltonetworks.com` itself; `*.paloaltonetworks.com` \
         takes in the 2 cited hosts under it: security.paloaltonetworks.com, \
         unit42.paloaltonetworks.com"
    );
    assert_eq!(
        error("docs.microsoft.com"),
        "host: no item cites `docs.microsoft.com`; cited hosts near it: microsoft.com"
    );
    assert_eq!(
        error("bleepingcomputr.com"),
        "host: no item cites `bleepingcomputr.com`; cited hosts near it: bleepingcomputer.com"
    );
    assert_eq!(
        error("https://paloaltonetwork.com/advisories"),
        "host: no item cites `https://paloaltonetwork.com/advisories`; cited hosts near \
         it: security.paloaltonetworks.com, unit42.paloaltonetworks.com"
    );
    for bare in ["bleepingcomputer", "bleeping"] {
        assert_eq!(
            error(bare),
            format!("host: no item cites `{bare}`; cited hosts near it: bleepingcomputer.com")
        );
    }
    // Whole labels only: `soft.com` is not under `microsoft.com`, nor a typo of
    // `mofo.com`.
    assert_eq!(error("soft.com"), "host: no item cites `soft.com`");
    // The briefs link ATT&CK technique pages as references, not as sources.
    assert_eq!(
        error("https://attack.mitre.org/techniques/T1190/"),
        "host: `https://attack.mitre.org/techniques/T1190/`: links to attack.mitre.org \
         are references to ATT&CK techniques, not cited sources; search the technique \
         id (T1190) instead"
    );
    assert_eq!(
        error("*.nosuch.example"),
        "host: no item cites `*.nosuch.example` or a host under it"
    );
}

#[test]
fn empty_query_lists_newest_first_with_facets() {
    let all = run(SearchRequest {
        limit: 5,
        ..SearchRequest::default()
    });
    assert_eq!(all.sort, Sort::Date);
    assert_eq!(all.total as u64, common::DOCUMENTS);
    assert_eq!(all.hits[0].date, "2026-09-28");
    let months: Vec<&str> = all
        .facets
        .month
        .iter()
        .map(|month| month.value.as_str())
        .collect();
    assert_eq!(
        months,
        ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
    );
    // Stored source files carry section and month `file` (see `file_document`):
    // no count ever shows them.
    let sections: u64 = all.facets.section.iter().map(|facet| facet.count).sum();
    assert_eq!(sections, common::DOCUMENTS);
    assert!(all.facets.section.iter().all(|facet| facet.value != "file"));

    // Exclusions alone score every document the same: newest first too.
    let without = query("-Akira", 5);
    assert_eq!(without.sort, Sort::Date);
    assert_eq!(without.hits[0].date, "2026-09-28");
    assert_eq!(
        without.total + query("Akira", 1).total,
        common::DOCUMENTS as usize
    );
}

#[test]
fn facets_count_every_match() {
    let response = query("ransomware", 1);
    let section_total: u64 = response
        .facets
        .section
        .iter()
        .map(|facet| facet.count)
        .sum();
    assert_eq!(
        section_total as usize, response.total,
        "each document has one section"
    );
    assert!(response
        .facets
        .entity
        .iter()
        .any(|facet| facet.value == "actor:akira" && facet.label.as_deref() == Some("Akira")));
}

/// Every facet count equals what the matching items' stored fields add up to:
/// the counts come from decoded columns, the hits from stored documents, so the
/// two are read independently. The queries match from nothing to everything, with
/// filters and exclusions, across every segment of the real corpus's index.
#[test]
fn facet_counts_agree_with_the_matching_items() {
    use std::collections::BTreeMap;

    let requests = [
        SearchRequest::default(),
        SearchRequest {
            query: "ransomware".into(),
            ..SearchRequest::default()
        },
        SearchRequest {
            query: "\"supply chain\"".into(),
            ..SearchRequest::default()
        },
        SearchRequest {
            query: "-ransomware".into(),
            ..SearchRequest::default()
        },
        SearchRequest {
            query: "Akira OR Qilin".into(),
            items_only: true,
            ..SearchRequest::default()
        },
        SearchRequest {
            query: "vulnerability".into(),
            sections: vec!["trending-vulnerabilities".into()],
            from: Some("2026-06-01".into()),
            ..SearchRequest::default()
        },
    ];
    let mut hosts_seen = 0;
    for request in requests {
        let response = run(SearchRequest {
            limit: 1000,
            ..request.clone()
        });
        assert_eq!(response.hits.len(), response.total, "{request:?}");
        let mut expected: [BTreeMap<String, u64>; 4] = Default::default();
        for hit in &response.hits {
            let values = [
                vec![hit.section.clone()],
                hit.hosts.clone(),
                vec![hit.date[..7].to_string()],
                hit.entities.clone(),
            ];
            for (counts, values) in expected.iter_mut().zip(values) {
                for value in values {
                    *counts.entry(value).or_default() += 1;
                }
            }
        }
        let facets = &response.facets;
        let listed = [&facets.section, &facets.host, &facets.month, &facets.entity];
        for (facet, (listed, expected)) in listed.into_iter().zip(&expected).enumerate() {
            let mut ranked: Vec<(&String, &u64)> = expected.iter().collect();
            if facet != 2 {
                ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            }
            ranked.truncate(listed.len());
            let found: Vec<(&String, &u64)> = listed
                .iter()
                .map(|value| (&value.value, &value.count))
                .collect();
            assert_eq!(found, ranked, "facet {facet} of {request:?}");
            let all_listed = facet == 0 || facet == 2;
            let listable = if all_listed {
                expected.len()
            } else {
                expected.len().min(20)
            };
            assert_eq!(listed.len(), listable, "facet {facet} of {request:?}");
        }
        hosts_seen += expected[1].len();
    }
    assert!(
        hosts_seen > 100,
        "the queries count many hosts: {hosts_seen}"
    );
}

#[test]
fn bad_requests_name_the_parameter() {
    let error = |request: SearchRequest| search(common::index(), None, &request).unwrap_err();
    for host in [
        "",
        ".com",
        "a..b",
        "ftp://socradar.io",
        "socradar.io,thehackernews.com",
        "*socradar.io",
        "*.https://socradar.io",
    ] {
        let unnamed = error(SearchRequest {
            hosts: vec![host.into()],
            limit: 10,
            ..SearchRequest::default()
        });
        assert_eq!(
            unnamed.to_string(),
            format!(
                "host: `{host}` is not a host name; give one such as www.socradar.io, a URL, \
                 or *.paloaltonetworks.com for a domain and every host under it"
            )
        );
    }
    let bad_date = error(SearchRequest {
        from: Some("2026-13-45".into()),
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(
        bad_date.to_string(),
        "from: `2026-13-45` is not a date; use YYYY-MM-DD"
    );
    let reversed = error(SearchRequest {
        from: Some("2026-06-01".into()),
        to: Some("2026-05-01".into()),
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(
        reversed.to_string(),
        "to: `2026-05-01` is before from `2026-06-01`: no item could match"
    );
    let one_day = SearchRequest {
        from: Some("2026-06-10".into()),
        to: Some("2026-06-10".into()),
        limit: 10,
        ..SearchRequest::default()
    };
    assert!(search(common::index(), None, &one_day).unwrap().total > 0);
    let bad_limit = error(SearchRequest {
        limit: 1_000_000_000,
        ..SearchRequest::default()
    });
    assert!(bad_limit
        .to_string()
        .starts_with("limit: must be between 1 and 1000"));
    let bad_section = error(SearchRequest {
        sections: vec!["nope".into()],
        limit: 10,
        ..SearchRequest::default()
    });
    assert!(bad_section
        .to_string()
        .starts_with("section: unknown section `nope`; valid: "));
    for key in ["garbage", "", "actor:"] {
        let bad_entity = error(SearchRequest {
            entities: vec![key.into()],
            limit: 10,
            ..SearchRequest::default()
        });
        assert_eq!(
            bad_entity.to_string(),
            format!("entity: `{key}` is not an entity key (`type:slug` or a CVE id)")
        );
    }
    // Well formed, these filter even where the registry lacks them.
    let unregistered = run(SearchRequest {
        entities: vec!["product:citrix-netscaler".into()],
        limit: 10,
        ..SearchRequest::default()
    });
    assert!(unregistered.total > 0);
    let unknown_cve = run(SearchRequest {
        entities: vec!["cve-2026-99999".into()],
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(unknown_cve.total, 0);
    let unbalanced = error(SearchRequest {
        query: "APT42 \"unbalanced".into(),
        limit: 10,
        ..SearchRequest::default()
    });
    assert!(matches!(unbalanced, SearchError::Query(_)) && unbalanced.is_user_error());
}

#[test]
fn pasted_punctuation_still_searches() {
    for text in [
        "CVE-2026-0300 - PAN-OS",
        "APT42 (Charming Kitten)",
        "NIS2 \u{2013} transposition",
        "Sécurisés'",
        "CNIL [FR]",
    ] {
        assert!(
            search(
                common::index(),
                None,
                &SearchRequest {
                    query: text.into(),
                    limit: 5,
                    ..SearchRequest::default()
                }
            )
            .is_ok(),
            "{text}"
        );
    }
    assert!(query("CVE-2026-0300 - PAN-OS", 5).total > 0);
}

/// A phrase of punctuation searches nothing; what is left of the query must still
/// keep the stored source files out (they were counted, and read as items).
#[test]
fn regression_a_punctuation_phrase_keeps_files_out() {
    for text in ["\"--\" -akira", "-akira \"?\""] {
        for sort in [Sort::Relevance, Sort::Date] {
            let response = run(SearchRequest {
                query: text.to_string(),
                sort: Some(sort),
                limit: 5,
                ..SearchRequest::default()
            });
            let sections: u64 = response.facets.section.iter().map(|f| f.count).sum();
            assert_eq!(sections as usize, response.total, "{text}");
            assert!(
                response.facets.section.iter().all(|f| f.value != "file"),
                "{text}"
            );
            assert_eq!(response.total, query("-akira", 1).total, "{text}");
        }
    }
}

/// Nothing but punctuation is refused, with a hint, rather than read as the empty
/// query that lists all 232 items and brief texts.
#[test]
fn a_query_of_punctuation_alone_is_refused() {
    for text in ["!!!", "-", "\"--\"", "\"?\" ()", "* ."] {
        let refused = search(
            common::index(),
            None,
            &SearchRequest {
                query: text.into(),
                limit: 5,
                ..SearchRequest::default()
            },
        )
        .unwrap_err();
        assert!(refused.is_user_error(), "{text}");
        assert_eq!(
            refused.to_string(),
            "query: there is no word or number to search for, only punctuation; leave it empty to list every item",
            "{text}"
        );
    }
    assert_eq!(
        search(
            common::index(),
            None,
            &SearchRequest {
                query: "\".\" OR \"-\"".into(),
                limit: 5,
                ..SearchRequest::default()
            },
        )
        .unwrap_err()
        .to_string(),
        "query: OR at column 5 needs a word on both sides"
    );
    assert_eq!(query("  ", 5).total as u64, common::DOCUMENTS);
}

#[test]
fn regression_stored_files_are_not_items() {
    let found = dossier::index::reader::item_by_id(common::index(), "file:briefs/2026-05-06.md");
    assert!(found.expect("the lookup runs").is_none());
}

#[test]
fn regression_a_hash_matches_only_itself() {
    // Longer than any token once kept: it used to vanish from the query and match all.
    let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(query(hash, 5).total, 0);
    assert_eq!(query(&"a".repeat(300), 5).total, 0);
}

/// Entity pages and searches read these columns for every matching document; a
/// column that some document lacks is read through a presence lookup per document
/// (3 % of a busy page's instructions at a million items for `day` and `kind`).
/// Stored source files carry placeholder values so that no segment lacks them.
#[test]
fn columns_read_per_item_are_full_in_every_segment() {
    use tantivy::columnar::Cardinality;

    let searcher = common::index().searcher();
    assert!(!searcher.segment_readers().is_empty());
    for reader in searcher.segment_readers() {
        let fast = reader.fast_fields();
        let day = fast.u64("day").expect("the day column opens");
        assert_eq!(day.get_cardinality(), Cardinality::Full, "day");
        for name in ["kind", "section", "month"] {
            let column = fast
                .str(name)
                .expect("the column opens")
                .unwrap_or_else(|| panic!("{name}: no column"));
            assert_eq!(column.ords().get_cardinality(), Cardinality::Full, "{name}");
        }
    }
}

/// Hit snippets are cut by `dossier::snippet`, which must choose exactly what
/// Tantivy's `SnippetGenerator` chooses: checked on every body of the real corpus
/// (items and whole briefs) for analyst queries, phrases and identifiers.
#[test]
fn snippets_match_tantivys_generator_on_every_body() {
    use dossier::snippet::Snippets;
    use tantivy::snippet::SnippetGenerator;

    let index = common::index();
    let searcher = index.searcher();
    let fields = index.fields();
    let mut compared = 0;
    let mut highlighted = 0;
    for text in [
        "NIS2 France",
        "ransomware",
        "\"supply chain\"",
        "CVE-2026-31431",
        "Akira OR Qilin",
        "sécurité zero-day",
        "Palo Alto firewall",
        "T1190 exploitation",
    ] {
        let query = dossier::query::parse(text)
            .expect("parses")
            .to_query(fields, &dossier::query::NoNames)
            .query;
        let ours = Snippets::new(&searcher, query.as_ref(), fields.body, 220).expect("terms");
        let mut theirs =
            SnippetGenerator::create(&searcher, query.as_ref(), fields.body).expect("terms");
        theirs.set_max_num_chars(220);
        for item in &common::parsed().items {
            let snippet = ours.snippet(&item.body);
            let expected = theirs.snippet(&item.body);
            let start = expected.fragment_range().start;
            let expected_highlights: Vec<_> = expected
                .highlighted()
                .iter()
                .map(|range| range.start + start..range.end + start)
                .collect();
            assert_eq!(
                snippet.is_empty(),
                expected.is_empty(),
                "{text} in {}",
                item.id
            );
            if !snippet.is_empty() {
                assert_eq!(
                    (snippet.fragment.clone(), snippet.highlighted.clone()),
                    (expected.fragment_range(), expected_highlights),
                    "{text} in {}",
                    item.id
                );
                assert_eq!(
                    snippet.to_html(),
                    expected.to_html().replace("&#x27;", "&#39;"),
                    "{text} in {}",
                    item.id
                );
                highlighted += 1;
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 8 * common::parsed().items.len());
    assert!(highlighted >= 250, "{highlighted} snippets compared");
}

#[test]
fn an_entity_facet_counts_what_its_filter_finds() {
    let response = query("Qilin", 20);
    assert_eq!(
        response.total, 13,
        "11 items and the own text of two briefs"
    );
    let qilin = response
        .facets
        .entity
        .iter()
        .find(|facet| facet.value == "actor:qilin")
        .expect("Qilin is counted");
    assert_eq!(qilin.count, 11);

    let filtered = run(SearchRequest {
        query: "Qilin".into(),
        entities: vec!["actor:qilin".into()],
        limit: 20,
        ..SearchRequest::default()
    });
    assert_eq!(filtered.total, 11);

    // A brief's own text names entities in passing and links none of them.
    let briefs: Vec<&str> = response
        .hits
        .iter()
        .filter(|hit| hit.section == "brief")
        .inspect(|hit| assert!(hit.entities.is_empty(), "{} links entities", hit.id))
        .map(|hit| hit.id.as_str())
        .collect();
    assert_eq!(briefs, ["2026-05-20", "2026-W19"]);
}

/// Newest first, ties by id, whatever the segments: the same corpus built in one go
/// and added one file at a time (a segment per commit) lists every document in the
/// same order. Before ties were broken, the order of one day's items followed how
/// the indexing threads split the documents.
#[test]
fn date_order_does_not_depend_on_segments() {
    use dossier::index::writer::{self, WriteOptions};

    let everything = |index| {
        let request = SearchRequest {
            limit: 1000,
            ..SearchRequest::default()
        };
        search(index, Some(common::registry()), &request).expect("the search runs")
    };
    let files = dossier::corpus::walk(&common::corpus_dir()).expect("the corpus reads");
    let (first, rest) = files.split_at(files.len() / 2);
    let (_dir, piecewise) = common::index_of(first);
    for file in rest {
        writer::add(
            &piecewise,
            vec![file.clone()],
            &common::linker(),
            &WriteOptions::default(),
        )
        .expect("the file adds");
    }

    let whole = everything(common::index());
    assert_eq!(whole.hits.len() as u64, common::DOCUMENTS);
    assert_eq!(ids(&everything(&piecewise)), ids(&whole));
    assert!(whole
        .hits
        .windows(2)
        .all(|pair| (&pair[1].date, &pair[0].id) <= (&pair[0].date, &pair[1].id)));
    // A brief's own text comes before its items, whose ids extend its id.
    let first_of_day = whole
        .hits
        .iter()
        .find(|hit| hit.date == "2026-05-20")
        .unwrap();
    assert_eq!(first_of_day.id, "2026-05-20");
}

/// A hit found through an alias alone (the query's words are in none of its text)
/// highlights the mentions of the entity the alias names: UNC3944 is an alias of
/// Scattered Spider, FIN11 of Cl0p.
#[test]
fn alias_hits_highlight_the_entity_they_name() {
    let unc = query("UNC3944", 10);
    assert_eq!(
        ids(&unc),
        [
            "2026-07-03/adapthealth-breached-via-a-social-engineered-hijack-of-a-thi",
            "2026-08-10/esxi-busybox-ash-command-obfuscation-21-techniques",
        ]
    );
    assert!(unc.hits[0]
        .snippet
        .contains("echoes <b>Scattered-Spider</b>-style help-desk"));
    assert!(unc.hits[1]
        .snippet
        .contains("CrowdStrike names <b>Scattered Spider</b> and Akira"));

    let fin11 = query("FIN11", 10);
    assert_eq!(fin11.total, 3);
    assert!(fin11
        .hits
        .iter()
        .all(|hit| hit.snippet.to_lowercase().contains("<b>cl0p</b>")));
    // The MOVEit row notes of 2026-05-06's trending table are a roll-up's.
    let rollups: Vec<&str> = fin11
        .hits
        .iter()
        .filter(|hit| hit.rollup)
        .map(|hit| hit.id.as_str())
        .collect();
    assert_eq!(rollups, ["2026-05-06/trending-vulnerabilities"]);
    // The name typed is highlighted where the text writes it, as one span.
    let named = query("Scattered Spider", 10);
    assert!(named.hits[1]
        .snippet
        .contains("CrowdStrike names <b>Scattered Spider</b> and Akira"));
    // Not every "the" of the text: only "The Gentlemen", its name.
    let gentlemen = query("The Gentlemen", 10);
    assert_eq!(gentlemen.total, 5);
    for hit in &gentlemen.hits {
        let spans: Vec<&str> = hit
            .snippet
            .split("<b>")
            .skip(1)
            .map(|span| &span[..span.find("</b>").unwrap()])
            .collect();
        assert!(!spans.is_empty(), "{}", hit.id);
        assert!(
            spans
                .iter()
                .all(|span| ["The Gentlemen", "TheGentlemen"].contains(span)),
            "{}: {spans:?}",
            hit.id
        );
    }
}

/// A key in quotes is the key: `"actor:qilin"` found nothing when it was read as a
/// phrase of two words.
#[test]
fn a_quoted_key_finds_what_the_key_finds() {
    let linked = run(SearchRequest {
        entities: vec!["actor:qilin".to_string()],
        limit: 50,
        ..SearchRequest::default()
    });
    let quoted = query("\"actor:qilin\"", 50);
    assert_eq!(quoted.total, linked.total);
    assert_eq!(ids(&quoted).len(), linked.hits.len());
    for hit in &linked.hits {
        assert!(ids(&quoted).contains(&hit.id.as_str()), "{}", hit.id);
    }
}

/// A hyphenated word is also its words in a row, and is highlighted whole or as
/// those words, never word by word: "Copy Fail" is how the corpus writes the
/// Linux flaw, and 2026-W24's brief text writes "AI-brand-impersonation".
#[test]
fn a_hyphenated_word_is_its_words_in_a_row() {
    let spans = |hit: &dossier::search::Hit| -> Vec<String> {
        hit.snippet
            .split("<b>")
            .skip(1)
            .map(|span| span[..span.find("</b>").unwrap()].to_string())
            .collect()
    };
    let hyphenated = query("Copy-Fail", 20);
    assert_eq!(hyphenated.total, 9);
    assert_eq!(ids(&hyphenated), ids(&query("Copy Fail", 20)));
    assert!(hyphenated
        .hits
        .iter()
        .flat_map(&spans)
        .all(|span| span == "Copy Fail"));

    assert_eq!(ids(&query("AI-brand", 10)), ["2026-W24"]);

    let storm = query("Storm-0501", 10);
    assert_eq!(storm.total, 2);
    assert!(storm
        .hits
        .iter()
        .flat_map(&spans)
        .all(|span| span == "Storm-0501"));
    // Unicode's hyphens, pasted from a word processor, are hyphens.
    for hyphen in ['\u{2010}', '\u{2011}'] {
        let pasted = query(&format!("Storm{hyphen}0501"), 10);
        assert_eq!(ids(&pasted), ids(&storm), "{hyphen:?}");
    }
    // A CVE id stays exact.
    assert_eq!(query("CVE-2026-31431", 50).total, 10);
}

/// A name is the name wherever it stands: excluded, as an alternative, with a
/// possessive, or as a merged entity's key. The two MuddyWater ransomware items
/// write "MuddyWater" (its alias "Seedworm" is only in the registry); Gentlemen
/// RaaS (`actor:gentlemen-raas-gentlekiller`) was merged into The Gentlemen.
#[test]
fn a_name_excluded_or_possessive_is_still_the_name() {
    let total = |text: &str| query(text, 1).total;
    let muddywater = [
        "2026-05-08/muddywater-iran-mois-deploys-chaos-ransomware-as-false-flag",
        "2026-W19/muddywater-iran-mois-chaos-ransomware-false-flag-teams-bec",
    ];
    let excluded = query("ransomware -Seedworm", 100);
    assert_eq!(excluded.total, 50);
    assert_eq!(total("ransomware NOT Seedworm"), 50);
    assert_eq!(total("ransomware -\"Seedworm\""), 50);
    assert!(muddywater.iter().all(|id| !ids(&excluded).contains(id)));
    assert!(muddywater
        .iter()
        .all(|id| ids(&query("ransomware", 100)).contains(id)));

    // 232 documents, less the 7 World Leaks and the 6 Midnight Blizzard items.
    assert_eq!(total("-World-Leaks"), 225);
    assert_eq!(total("-Midnight-Blizzard"), 226);

    assert_eq!(total("Seedworm OR Turla"), 6);
    assert_eq!(total("APT29"), 7);
    assert_eq!(total("APT29's"), total("APT29"));
    assert_eq!(total("Midnight Blizzard's"), 6);
    let possessive = query("Akira's", 20);
    assert_eq!(possessive.total, 11);
    assert!(possessive
        .hits
        .iter()
        .all(|hit| !hit.snippet.contains("<b>s</b>")));

    let merged = "actor:gentlemen-raas-gentlekiller";
    let found = query(merged, 10);
    let mut typed = ids(&found);
    let filtered = run(SearchRequest {
        entities: vec![merged.into()],
        limit: 10,
        ..SearchRequest::default()
    });
    let mut linked = ids(&filtered);
    typed.sort();
    linked.sort();
    assert_eq!(typed.len(), 3);
    assert_eq!(typed, linked);
}

/// A name beside an `OR` is one alternative: `Midnight Blizzard OR Turla` finds
/// the 6 Midnight Blizzard items (each writes its alias APT29) and the three
/// 2026-07-13 FSB Centre 16 entries that name Turla, as the quoted name does. Read as words, the `OR`
/// bound "Blizzard" and Turla, and with "Midnight" the query found nothing.
#[test]
fn a_name_beside_an_or_is_one_alternative() {
    let quoted = query("\"Midnight Blizzard\" OR Turla", 20);
    let mut expected = ids(&quoted);
    expected.sort();
    assert_eq!(quoted.total, 9);
    assert!(expected
        .contains(&"2026-07-13/france-eu-turla-fsb-centre-16-attribution-french-victimology"));
    assert!(expected.contains(&"2026-05-04/apt28-apt29-unc1151-polish-water-ot"));
    for text in [
        "Midnight Blizzard OR Turla",
        "Turla OR Midnight Blizzard",
        "Turla OR midnight-blizzard",
    ] {
        let found = query(text, 20);
        let mut got = ids(&found);
        got.sort();
        assert_eq!(got, expected, "{text}");
        // No item writes the name: its items highlight the alias they write.
        let apt29 = found
            .hits
            .iter()
            .filter(|hit| hit.snippet.contains("<b>APT29</b>"))
            .count();
        assert_eq!(apt29, 6, "{text}");
    }
    // Away from an OR, the words still find the name.
    assert_eq!(query("Midnight Blizzard", 1).total, 6);
}

/// A registered name that no item links is a name too: ACR Stealer (only in
/// 2026-06-01's brief-level text) and "ChipSoft ransomware breach" (the name of an
/// incident no entry links) bind beside an `OR` as their quoted forms do, and
/// `ACR Stealer` is highlighted as one span, not word by word.
#[test]
fn a_registered_name_no_item_links_is_still_a_name() {
    let same = |typed: &str, quoted: &str, total: usize| {
        let mut found = ids(&query(typed, 50))
            .iter()
            .map(|id| id.to_string())
            .collect::<Vec<_>>();
        let mut expected = ids(&query(quoted, 50))
            .iter()
            .map(|id| id.to_string())
            .collect::<Vec<_>>();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "{typed}");
        assert_eq!(query(typed, 1).total, total, "{typed}");
    };
    same(
        "ShinyHunters OR ACR Stealer",
        "ShinyHunters OR \"ACR Stealer\"",
        17,
    );
    same(
        "ACR Stealer OR ShinyHunters",
        "ShinyHunters OR \"ACR Stealer\"",
        17,
    );
    same(
        "Qilin OR ChipSoft ransomware breach",
        "Qilin OR \"ChipSoft ransomware breach\"",
        13,
    );

    let acr = query("ACR Stealer", 10);
    assert_eq!(ids(&acr), ["2026-06-01"]);
    assert!(
        acr.hits[0].snippet.contains("<b>ACR Stealer</b>"),
        "{}",
        acr.hits[0].snippet
    );
}

/// An item that mentions an entity more often ranks higher for its name: the
/// three 2026-05-04 items on the Polish water attacks name APT29 twice, the
/// Ivanti EPMM entry, ten times longer, once in passing. The three tie, and
/// ties go by id, whatever the index's segments.
#[test]
fn a_name_ranks_items_by_how_often_they_mention_it() {
    let found = query("Midnight Blizzard", 10);
    assert!(found.hits[0].score == found.hits[2].score);
    assert_eq!(
        ids(&found)[..3],
        [
            "2026-05-04/abw-poland-2025-annual-report-apt28-apt29-unc1151-tri-attrib",
            "2026-05-04/apt28-apt29-unc1151-polish-water-ot",
            "2026-05-04/critical-infrastructure-water-pl",
        ]
    );
    assert!(found.hits[2].score > found.hits[3].score);
    let ivanti = "2026-05-08/ivanti-epmm-cve-2026-5787-cve-2026-6973-pre-auth-certificate";
    assert!(ids(&found)[3..].contains(&ivanti));
    // Pages cut inside the tie, or after it, are pieces of the same ranking.
    for (offset, limit) in [(0, 1), (0, 2), (1, 1), (1, 3), (3, 3)] {
        let page = run(SearchRequest {
            query: "Midnight Blizzard".into(),
            offset,
            limit,
            ..SearchRequest::default()
        });
        assert_eq!(
            ids(&page),
            ids(&found)[offset..offset + limit],
            "{offset} {limit}"
        );
    }
}

/// An entity filter that names nothing says so, with the key it may have meant;
/// one the registry lacks but an entry links still filters (the 2026-09-28
/// NetScaler entry names `malware:whipshot` in its front matter), and a CVE id no
/// item cites is a question with no items for an answer.
#[test]
fn an_entity_filter_naming_nothing_is_refused() {
    let filtered = |key: &str| {
        search(
            common::index(),
            Some(common::registry()),
            &SearchRequest {
                entities: vec![key.to_string()],
                limit: 10,
                ..SearchRequest::default()
            },
        )
    };
    match filtered("actor:quilin") {
        Err(SearchError::Parameter { parameter, message }) => {
            assert_eq!(parameter, "entity");
            assert!(
                message.ends_with("did you mean `actor:qilin`?"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    match filtered("actor:muddywatter") {
        Err(SearchError::Parameter { message, .. }) => {
            assert!(
                message.ends_with("did you mean `actor:muddywater`?"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }

    // A slug cut short, a merged entity's misspelt key, and no digit changed:
    // the registry has no APT28 actor, and APT29 is another one.
    for (asked, meant) in [
        (
            "incident:instructure-canvas",
            "incident:instructure-canvas-2026",
        ),
        ("actor:gentlemen-raas-gntlekiller", "actor:thegentlemen"),
        ("actor:apt28", "campaign:apt28-tradecraft-evolution-2026"),
    ] {
        match filtered(asked) {
            Err(SearchError::Parameter { message, .. }) => {
                assert!(
                    message.ends_with(&format!("did you mean `{meant}`?")),
                    "{message}"
                );
            }
            other => panic!("{asked}: {other:?}"),
        }
    }
    // A pasted paragraph is refused as quickly as a typo.
    assert!(filtered(&format!("actor:{}", "a".repeat(40_000))).is_err());
    // Keys are lower case, so any case names the same one.
    assert_eq!(
        ids(&filtered("Actor:QILIN").expect("a key in upper case")),
        ids(&filtered("actor:qilin").expect("the key"))
    );

    let whipshot = filtered("malware:whipshot").expect("an unregistered linked key");
    assert_eq!(
        ids(&whipshot),
        ["2026-09-28/cve-2026-88771-citrix-netscaler-preauth-rce-zero-day-kev"]
    );
    assert_eq!(filtered("CVE-2099-12345").expect("a CVE id").total, 0);
}

/// Accents typed decomposed (a letter, then U+0301 and the like, as text pasted
/// from macOS often is) fold as composed ones do, in words and names alike:
/// two items write "Sécurisés", four "Zürich", one the "Żabka Jira incident".
#[test]
fn decomposed_accents_find_what_composed_ones_do() {
    for (composed, decomposed, total) in [
        ("Sécurisés", "Se\u{301}curise\u{301}s", 2),
        ("Zürich", "Zu\u{308}rich", 4),
        ("Żabka Jira incident", "Z\u{307}abka Jira incident", 1),
    ] {
        let expected = query(composed, 10);
        assert_eq!(expected.total, total, "{composed}");
        let found = query(decomposed, 10);
        assert_eq!(ids(&found), ids(&expected), "{composed}");
        let snippets = |response: &SearchResponse| -> Vec<String> {
            response
                .hits
                .iter()
                .map(|hit| hit.snippet.clone())
                .collect()
        };
        assert_eq!(snippets(&found), snippets(&expected), "{composed}");
    }
}

/// A phrase is read from the pair fields where its words are frequent ones: it
/// must find and score exactly what Tantivy's phrase query finds and scores. This
/// holds for every pair of adjacent words of every title, summary and body of the
/// corpus, and for one in three runs of three, in each text field.
#[test]
fn every_phrase_matches_and_scores_as_a_phrase_query() {
    use dossier::index::analyzer::analyze;
    use dossier::index::pairs::{is_pair_word, phrase_query};
    use std::collections::BTreeSet;
    use tantivy::collector::TopDocs;
    use tantivy::query::PhraseQuery;
    use tantivy::Term;

    let index = common::index();
    let searcher = index.searcher();
    let fields = index.fields();
    let mut phrases: BTreeSet<Vec<String>> = BTreeSet::new();
    for item in &common::parsed().items {
        for text in [&item.title, &item.summary, &item.body] {
            let tokens = analyze(text);
            let at = |position: usize| tokens.iter().filter(move |token| token.0 == position);
            for (position, first, _) in &tokens {
                for (_, second, _) in at(position + 1) {
                    phrases.insert(vec![first.clone(), second.clone()]);
                    for (_, third, _) in at(position + 2) {
                        phrases.insert(vec![first.clone(), second.clone(), third.clone()]);
                    }
                }
            }
        }
    }
    let pair_words = |phrase: &[String]| {
        phrase
            .windows(2)
            .any(|two| two.iter().all(|w| is_pair_word(w)))
    };
    let pairs: Vec<_> = phrases
        .iter()
        .filter(|phrase| phrase.len() == 2 && pair_words(phrase))
        .collect();
    let runs: Vec<_> = phrases
        .iter()
        .filter(|phrase| phrase.len() == 3 && pair_words(phrase))
        .step_by(3)
        .collect();
    assert!(
        pairs.len() > 4_000,
        "{} phrases of two pair words",
        pairs.len()
    );
    assert!(
        runs.len() > 4_000,
        "{} runs of three with a pair",
        runs.len()
    );
    let supply_chain = vec!["supply".to_string(), "chain".to_string()];
    assert!(pairs.contains(&&supply_chain));

    let all = TopDocs::with_limit(common::DOCUMENTS as usize * 2).order_by_score();
    let mut repeated = 0;
    for words in pairs.into_iter().chain(runs) {
        for field in [fields.title, fields.summary, fields.body, fields.keywords] {
            let offsets: Vec<(usize, String)> = words.iter().cloned().enumerate().collect();
            let ours = phrase_query(field, fields.pairs_of(field), &offsets);
            let terms = words.iter().map(|word| Term::from_field_text(field, word));
            let theirs = PhraseQuery::new(terms.collect());
            let ours = searcher.search(ours.as_ref(), &all).unwrap();
            let theirs = searcher.search(&theirs, &all).unwrap();
            assert_eq!(ours, theirs, "\"{}\" in {field:?}", words.join(" "));
            repeated += usize::from(ours.len() > 1);
        }
    }
    assert!(
        repeated > 2_000,
        "{repeated} phrases found in several documents"
    );
}

/// A link pasted as the query finds the items and briefs citing it, as written or
/// with a sentence's full stop and a closing slash added.
#[test]
fn a_pasted_link_finds_what_cites_it() {
    // Palo Alto's advisory: 2026-05-07's and 2026-05-08's items on the CVE, the
    // weekly items and the entries that cite it, and 2026-05-07's roll-up.
    const CITING: usize = 9;
    let url = "https://security.paloaltonetworks.com/CVE-2026-0300";
    let citing: Vec<&str> = common::parsed()
        .items
        .iter()
        .filter(|item| item.sources.iter().any(|source| source.url == url))
        .map(|item| item.id.as_str())
        .collect();
    assert_eq!(citing.len(), CITING);

    let typed_ways = [
        url.to_string(),
        format!("{url}/."),
        format!("({url})"),
        // Scheme and host in any case, http for https: the same link.
        "HTTPS://Security.PaloAltoNetworks.com/CVE-2026-0300".to_string(),
        "http://security.paloaltonetworks.com/CVE-2026-0300".to_string(),
    ];
    for typed in typed_ways {
        let found = query(&typed, 50);
        assert_eq!(found.total, CITING, "{typed}");
        let mut ids = ids(&found);
        ids.sort_unstable();
        let mut expected = citing.clone();
        expected.sort_unstable();
        assert_eq!(ids, expected, "{typed}");
    }
    // With a word, the link narrows it as any word does.
    assert_eq!(query(&format!("{url} exploitation"), 50).total, 7);
    // Another link of the same host cites nothing here, and the path keeps its case.
    assert_eq!(
        query("https://security.paloaltonetworks.com/CVE-2026-9999", 5).total,
        0
    );
    assert_eq!(
        query("https://security.paloaltonetworks.com/cve-2026-0300", 5).total,
        0
    );

    // A link naming two CVE ids is the link, not a list of the two ids.
    let tenable = "https://www.tenable.com/blog/microsofts-june-2026-patch-tuesday-addresses-198-cves-cve-2026-49160-cve-2026-50507";
    let citing = common::parsed()
        .items
        .iter()
        .filter(|item| item.sources.iter().any(|source| source.url == tenable))
        .count();
    assert_eq!(citing, 3);
    assert_eq!(query(tenable, 10).total, 3);
    assert_eq!(
        query("https://example.com/cve-2026-49160-cve-2026-50507", 10).total,
        0
    );
}

/// A phrase that the cut between two fragments would split opens the next one:
/// 2026-08-10's IKEEXT item writes "could enable remote code execution" across the
/// cut, and its hit for `"remote code"` showed its summary with nothing
/// highlighted.
#[test]
fn a_phrase_across_a_fragments_cut_is_shown_whole() {
    let id = "2026-08-10/cve-2026-33824-ikeext-double-free-root-cause-published";
    let found = query("\"remote code\"", 50);
    let hit = found.hits.iter().find(|hit| hit.id == id).expect("a hit");
    assert!(
        hit.snippet
            .starts_with("<b>remote code</b> execution&quot; (Microsoft"),
        "{}",
        hit.snippet
    );
    // Unquoted, both words are highlighted in the same passage.
    let found = query("remote code", 50);
    let hit = found.hits.iter().find(|hit| hit.id == id).expect("a hit");
    assert!(hit.snippet.contains("<b>remote</b>"), "{}", hit.snippet);
}
