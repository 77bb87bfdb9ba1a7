//! The HTTP service over the real corpus: the router driven without a socket
//! (`tower::ServiceExt::oneshot`) over an index built once per test binary, one
//! test on a real loopback socket, and live ingest on an index built without one
//! brief.
//!
//! Expected values were read off the corpus files (`../shared/corpus/ctipilot`)
//! by hand and with small scripts, not copied from the program's output; each
//! assertion says where its value comes from.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tempfile::TempDir;
use tower::ServiceExt;

use dossier::corpus;
use dossier::http::{router, AppState};
use dossier::index::writer::{self, Linker, WriteOptions};
use dossier::index::DossierIndex;
use dossier::registry::Registry;
use dossier::search::{self, SearchRequest};
use dossier::tagger::Tagger;

const TOKEN: &str = "test-token-4f1c";
const NEW_BRIEF: &str = "briefs/2026-06-10.md";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/ctipilot")
}

/// An index of `corpus` in `dir`, and the corpus registry.
fn build_index(corpus: &Path, dir: &Path) -> (DossierIndex, Registry) {
    let registry = Registry::load(&corpus.join("entities/registry.yaml")).expect("registry loads");
    let tagger = Tagger::new(&registry);
    let files = corpus::walk(corpus).expect("corpus reads");
    let index = DossierIndex::create_or_open(dir).expect("index opens");
    let linker = Linker {
        registry: &registry,
        tagger: &tagger,
    };
    writer::rebuild(&index, &files, &linker, &WriteOptions::default()).expect("index builds");
    (index, registry)
}

/// The whole corpus, indexed once for every test of this binary.
struct Shared {
    _dir: TempDir,
    index: DossierIndex,
    registry: Registry,
    state: AppState,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let corpus = corpus_dir();
        let (index, registry) = build_index(&corpus, dir.path());
        let state = AppState::new(
            index.clone(),
            registry.clone(),
            corpus.join("entities/registry.yaml"),
            None,
        );
        Shared {
            _dir: dir,
            index,
            registry,
            state,
        }
    })
}

fn app() -> Router {
    router(shared().state.clone())
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "not JSON ({}): {}",
            self.content_type,
            self.body
        );
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    fn html(&self) -> &str {
        assert!(
            self.content_type.starts_with("text/html"),
            "not HTML ({}): {}",
            self.content_type,
            self.body
        );
        &self.body
    }
}

async fn send(app: Router, request: Request<Body>) -> Answer {
    let response = app.oneshot(request).await.expect("the router answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("the body reads")
        .to_bytes();
    Answer {
        status,
        content_type,
        body: String::from_utf8(bytes.to_vec()).expect("the body is UTF-8"),
    }
}

async fn get_from(app: Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn get(uri: &str) -> Answer {
    get_from(app(), uri).await
}

async fn json_ok(uri: &str) -> Value {
    let answer = get(uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer.json()
}

async fn post(app: Router, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Answer {
    let mut request = Request::post(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(app, request.body(body.into()).unwrap()).await
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

fn pairs(value: &Value, key: &str, count: &str) -> Vec<(String, u64)> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|row| {
            (
                row[key].as_str().unwrap().to_string(),
                row[count].as_u64().unwrap(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, u64)]) -> Vec<(String, u64)> {
    rows.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

// The incident. briefs/2026-05-07.md line 211, in "## 6. Updates to Prior Coverage",
// is the only item whose text carries the incident's name "France ANTS breach" (the
// registry gives it no alias); it cites no link. The registry's first_seen is
// 2026-05-06, earlier than the item.
#[tokio::test]
async fn incident_page_france_ants_breach() {
    let page = json_ok("/api/entities/incident:france-ants-breach-2026").await;
    assert_eq!(page["name"], "France ANTS breach");
    assert_eq!(page["type"], "incident");
    assert_eq!(page["first_seen"], "2026-05-06");
    assert_eq!(
        page["coverage"],
        json!({"first": "2026-05-06", "first_item": "2026-05-07", "last": "2026-05-07", "items": 1, "briefs": 1,
               "weeks": [{"week": "2026-W19", "count": 1}]})
    );
    assert_eq!(
        pairs(&page["sections"], "section", "count"),
        owned(&[("updates", 1)])
    );
    let timeline = &page["timeline"][0];
    assert_eq!(
        timeline["id"],
        "2026-05-07/france-ants-breach-confirmed-account-count-11-7-million"
    );
    assert_eq!(timeline["brief"], "2026-05-07");
    assert!(timeline["brief_title"]
        .as_str()
        .unwrap()
        .contains("2026-05-07"));
    assert_eq!(page["sources"]["urls"], 0);
    assert_eq!(page["cooccurring"], json!([]));
    assert_eq!(page["relationships"], json!([]));
    assert_eq!(page["items"][0]["linked_by"], "mention");
    assert_eq!(page["items"][0]["label"], "France ANTS Breach");
    // The defect of the originating site: NIS2 and Tchap items (2026-06-10) listed
    // under the breach without naming it.
    let listed: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert!(listed.iter().all(|id| !id.starts_with("2026-06-10/")));
}

// The actor: actor:secretblizzard, aliases Turla, FSB Centre 16, TURLA RELIC,
// first_seen 2026-05-16. Its labels occur in three entry files of
// entries/2026-07-13/ only (grep -ril over briefs/ and entries/): the IP-camera
// item (kind incident -> active-threats), the France/EU attribution (update_of set
// -> updates) and the Static Tundra advisory (deep_dive: true -> deep-dive). Their
// front-matter sources and inline links give 13 distinct URLs on 11 hosts (two
// each on bleepingcomputer.com and nltimes.nl). Relations from registry.yaml: it
// declares documented-in report:eset-gamaredon-2025 and related-to
// actor:static-tundra; actor:gamaredon (collaborates-with), the France/EU incident
// and campaign:turla-stockstay (attributed-to) point at it.
#[tokio::test]
async fn actor_page_secret_blizzard() {
    let page = json_ok("/api/entities/actor:secretblizzard").await;
    assert_eq!(page["name"], "Secret Blizzard");
    assert_eq!(
        strings(&page["aliases"]),
        ["Turla", "FSB Centre 16", "TURLA RELIC"]
    );
    assert_eq!(page["nexus"], "russia-nexus");
    assert_eq!(
        page["coverage"],
        json!({"first": "2026-05-16", "first_item": "2026-07-13", "last": "2026-07-13", "items": 3, "briefs": 0,
               "weeks": [{"week": "2026-W29", "count": 3}]})
    );
    assert_eq!(
        pairs(&page["sections"], "section", "count"),
        owned(&[("active-threats", 1), ("deep-dive", 1), ("updates", 1)])
    );

    let sources = &page["sources"];
    assert_eq!(
        (sources["urls"].as_u64(), sources["hosts"].as_u64()),
        (Some(13), Some(11))
    );
    let distribution: Vec<(String, u64, u64)> = sources["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["host"].as_str().unwrap().to_string(),
                row["count"].as_u64().unwrap(),
                row["percent"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, u64)> = [
        ("bleepingcomputer.com", 2, 15),
        ("nltimes.nl", 2, 15),
        ("blog.talosintelligence.com", 1, 8),
        ("cert.pl", 1, 8),
        ("cert.ssi.gouv.fr", 1, 8),
        ("cyber.gouv.fr", 1, 8),
        ("defense.gouv.fr", 1, 8),
        ("gov.uk", 1, 8),
        ("other", 3, 23),
    ]
    .iter()
    .map(|(host, count, percent)| (host.to_string(), *count, *percent))
    .collect();
    assert_eq!(distribution, expected);
    assert_eq!(sources["list"].as_array().unwrap().len(), 13);

    let relations: BTreeSet<(String, String, String, String)> = page["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["relation"].as_str().unwrap().to_string(),
                r["direction"].as_str().unwrap().to_string(),
                r["reading"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String)> = [
        (
            "actor:gamaredon",
            "collaborates-with",
            "inverse",
            "collaborates with",
        ),
        (
            "report:eset-gamaredon-2025",
            "documented-in",
            "forward",
            "documented in",
        ),
        ("actor:static-tundra", "related-to", "forward", "related to"),
        (
            "campaign:turla-stockstay",
            "attributed-to",
            "inverse",
            "responsible for",
        ),
        (
            "incident:france-eu-turla-fsb-attribution-2026-07",
            "attributed-to",
            "inverse",
            "responsible for",
        ),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(relations, expected);
    let stockstay = page["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "campaign:turla-stockstay")
        .unwrap();
    assert_eq!(
        stockstay["evidence"],
        "2026-06-27/turla-s-stockstay-a-four-component-net-backdoor-for-diplomat"
    );

    // Entity keys of the three items: the attribution and the advisory both list
    // actor:static-tundra and the France/EU incident; the advisory also lists
    // actor:sandworm, the Poland incident, CVE-2018-0171 (cves:) and names
    // CVE-2008-4128 in its body (line 199); the camera item lists its campaign.
    assert_eq!(
        pairs(&page["cooccurring"], "key", "shared"),
        owned(&[
            ("incident:france-eu-turla-fsb-attribution-2026-07", 2),
            ("actor:static-tundra", 2),
            ("CVE-2008-4128", 1),
            ("CVE-2018-0171", 1),
            ("incident:poland-energy-grid-attack-2025-12-29", 1),
            (
                "campaign:russia-ip-camera-hijacking-nato-supply-routes-2026",
                1
            ),
            ("actor:sandworm", 1),
        ])
    );
    // The only partners above the minimum support are curated relations already.
    assert_eq!(page["suggestions"], json!([]));
    let items: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        [
            "2026-07-13/france-eu-turla-fsb-centre-16-attribution-french-victimology",
            "2026-07-13/fsb-centre-16-static-tundra-router-hijacking-advisory",
            "2026-07-13/russia-ip-camera-hijacking-nato-military-supply-routes",
        ]
    );
}

// A roll-up's row cites its sources for what that row names. 2026-05-07's
// "### Trending Vulnerabilities" table gives CVE-2026-0300 a row citing Palo Alto's
// advisory and CERT-EU's, and five other CVEs rows citing their NVD pages and two
// CERT-FR notices; the CVE-2024-57728 row names CVE-2024-57726 ("chained with").
// 2026-05-20's action items name Storm-2949 in one bullet, which cites Microsoft's
// report, among a dozen bullets citing other stories' sources.
#[tokio::test]
async fn a_rollup_row_cites_its_sources_for_what_it_names() {
    let cited = |page: &Value| -> Vec<(String, Vec<String>)> {
        page["sources"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|source| {
                let items = source["items"].as_array().unwrap();
                let items = items.iter().map(|item| item.as_str().unwrap().to_string());
                (source["url"].as_str().unwrap().to_string(), items.collect())
            })
            .collect()
    };
    let table = "2026-05-07/trending-vulnerabilities".to_string();

    let pan_os = cited(&json_ok("/api/entities/CVE-2026-0300").await);
    let urls: Vec<&str> = pan_os.iter().map(|(url, _)| url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://security.paloaltonetworks.com/CVE-2026-0300",
            "https://cert.europa.eu/publications/security-advisories/2026-006/",
            "https://unit42.paloaltonetworks.com/captive-portal-zero-day/",
            "https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-0537/",
        ]
    );
    let from_table: Vec<&str> = pan_os
        .iter()
        .filter(|(_, items)| items.contains(&table))
        .map(|(url, _)| url.as_str())
        .collect();
    assert_eq!(from_table, [urls[0], urls[1]]);

    let simplehelp = cited(&json_ok("/api/entities/CVE-2024-57726").await);
    let from_table: Vec<&str> = simplehelp
        .iter()
        .filter(|(_, items)| items.contains(&table))
        .map(|(url, _)| url.as_str())
        .collect();
    assert_eq!(
        from_table,
        [
            "https://nvd.nist.gov/vuln/detail/CVE-2024-57726",
            "https://nvd.nist.gov/vuln/detail/CVE-2024-57728",
        ]
    );
    assert_eq!(simplehelp.len(), 4);

    let storm = cited(&json_ok("/api/entities/actor:storm-2949").await);
    let urls: Vec<&str> = storm.iter().map(|(url, _)| url.as_str()).collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(
        urls[0].starts_with("https://www.microsoft.com/en-us/security/blog/2026/05/18/storm-2949")
    );
    assert_eq!(
        storm[0].1,
        [
            "2026-05-20/action-items",
            "2026-05-20/storm-2949-sspr-to-key-vault-azure-kill-chain"
        ]
    );
    assert!(urls[1].starts_with("https://www.bleepingcomputer.com/news/security/microsoft-self-service-password-reset-abuse"));
}

// Roll-ups. 2026-05-06's "### 1b. Trending Vulnerabilities" table names Copy Fail
// (CVE-2026-31431) in one row and, in its row notes, the MOVEit CVEs and Cl0p's
// 2023 campaign. 2026-05-20's "#### CVE Summary Table" followed the vm2 story and
// listed the Defender, YellowKey, Sparx and DirtyDecrypt CVEs; that brief's action
// items name most of its stories. Both are cited on the pages of what they list,
// but take no part in "seen with": Copy Fail is seen with the CVEs of the
// DirtyDecrypt item (2026-05-20), which compares it with Dirty Frag and
// CVE-2026-46300, not with Cl0p; CVE-2026-41091 only with the other Defender CVE
// its own item names.
#[tokio::test]
async fn rollups_are_cited_but_not_seen_with() {
    let copy_fail = json_ok("/api/entities/CVE-2026-31431").await;
    assert_eq!(
        pairs(&copy_fail["cooccurring"], "key", "shared"),
        owned(&[
            ("CVE-2026-31635", 1),
            ("CVE-2026-43284", 1),
            ("CVE-2026-43500", 1),
            ("CVE-2026-46300", 1),
        ])
    );
    let items = |page: &Value| -> BTreeSet<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(items(&copy_fail).contains("2026-05-06/trending-vulnerabilities"));
    assert_eq!(copy_fail["coverage"]["items"], 7);

    let defender = json_ok("/api/entities/CVE-2026-41091").await;
    assert_eq!(
        pairs(&defender["cooccurring"], "key", "shared"),
        owned(&[("CVE-2026-45584", 1)])
    );
    assert_eq!(defender["suggestions"], json!([]));
    let expected: BTreeSet<String> = [
        "2026-05-20/action-items",
        "2026-05-20/cve-2026-41091-microsoft-defender-engine-link-following-eop",
        "2026-05-20/cve-2026-45584-microsoft-defender-engine-heap-buffer-overflo",
        "2026-05-20/cve-summary-table",
    ]
    .map(String::from)
    .into();
    assert_eq!(items(&defender), expected);

    let table = json_ok("/api/items/2026-05-20/cve-summary-table").await;
    assert_eq!(table["rollup"], true);
    let page = get("/items/2026-05-20/cve-summary-table").await;
    assert!(page.body.contains("roll-up, left out of co-occurrence"));
    let hits = json_ok("/api/search?q=%22CVE+Summary+Table%22").await;
    assert_eq!(hits["hits"][0]["rollup"], true, "{hits}");
    assert_eq!(table["section"], "trending-vulnerabilities");
    let vm2 = json_ok(
        "/api/items/2026-05-20/vm2-node-js-sandbox-12-critical-cves-cve-2026-43997-43999-44",
    )
    .await;
    assert_eq!(vm2["rollup"], false);
    let linked = strings(&vm2["entities"]);
    assert!(
        !linked.contains(&"CVE-2026-41091".to_string()),
        "{linked:?}"
    );
    assert!(linked.contains(&"CVE-2026-43997".to_string()), "{linked:?}");
}

// The CVE: CVE-2026-5787 is named by four entry files of entries/2026-05-08/ (three
// of kind vulnerability -> trending-vulnerabilities, one deep_dive: true) and by
// entries/2026-05-04/cve-2026-6973-cve-2026-5787-…, migrated from the W19 weekly
// ("## 1. Highest-impact events" -> weekly-top-stories). No daily brief of
// 2026-05-08 is in the slice, so only W19 counts as a brief. Their sources: 9
// distinct URLs on 8 hosts, 2 on nvd.nist.gov (their 5 ATT&CK technique links are
// references, not cited sources). All four
// non-weekly items also name CVE-2026-6973; the deep dive names CVE-2023-35078,
// CVE-2025-0283 and APT29 (an alias of actor:midnight-blizzard).
#[tokio::test]
async fn cve_page_2026_5787() {
    // CVE ids are matched in any case.
    let page = json_ok("/api/entities/cve-2026-5787").await;
    assert_eq!(
        (page["key"].as_str(), page["type"].as_str()),
        (Some("CVE-2026-5787"), Some("cve"))
    );
    assert_eq!(page["registered"], false);
    assert_eq!(
        page["coverage"],
        json!({"first": "2026-05-04", "first_item": "2026-05-04", "last": "2026-05-08", "items": 5, "briefs": 1,
               "weeks": [{"week": "2026-W19", "count": 5}]})
    );
    assert_eq!(
        pairs(&page["sections"], "section", "count"),
        owned(&[
            ("trending-vulnerabilities", 3),
            ("deep-dive", 1),
            ("weekly-top-stories", 1)
        ])
    );
    assert_eq!(
        (
            page["sources"]["urls"].as_u64(),
            page["sources"]["hosts"].as_u64()
        ),
        (Some(9), Some(8))
    );
    let distribution = pairs(&page["sources"]["distribution"], "host", "count");
    assert_eq!(
        distribution,
        owned(&[
            ("nvd.nist.gov", 2),
            ("bleepingcomputer.com", 1),
            ("cert.ssi.gouv.fr", 1),
            ("helpnetsecurity.com", 1),
            ("ivanti.com", 1),
            ("security-hub.ncsc.admin.ch", 1),
            ("securityweek.com", 1),
            ("thehackernews.com", 1),
        ])
    );
    assert_eq!(page["sources"]["distribution"][0]["percent"], 22);
    assert_eq!(
        pairs(&page["cooccurring"], "key", "shared"),
        owned(&[
            ("CVE-2026-6973", 4),
            ("CVE-2023-35078", 1),
            ("CVE-2025-0283", 1),
            ("actor:midnight-blizzard", 1),
        ])
    );

    // Four shared items out of four each: a strong association; the partners with
    // one shared item are below the minimum support.
    let suggestions = page["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "{suggestions:?}");
    assert_eq!(suggestions[0]["key"], "CVE-2026-6973");
    assert_eq!(suggestions[0]["shared"], 4);
    let score = suggestions[0]["score"].as_f64().unwrap();
    assert!((30.0..45.0).contains(&score), "{score}");
    let evidence: BTreeSet<String> = strings(&suggestions[0]["items"]).into_iter().collect();
    let expected: BTreeSet<String> = [
        "2026-05-08/cve-2026-5787-cve-2026-6973-ivanti-epmm-pre-auth-certificate",
        "2026-05-08/cve-2026-5787-ivanti-epmm-improper-certificate-validation-pr",
        "2026-05-08/cve-2026-6973-ivanti-epmm-admin-api-improper-input-validatio",
        "2026-05-08/ivanti-epmm-cve-2026-5787-cve-2026-6973-pre-auth-certificate",
    ]
    .iter()
    .map(|id| id.to_string())
    .collect();
    assert_eq!(evidence, expected);

    let timeline: Vec<&str> = page["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "2026-05-08",
            "2026-05-08",
            "2026-05-08",
            "2026-05-08",
            "2026-05-04"
        ]
    );
}

// The source list counts citing items: Ivanti's May 2026 EPMM advisory is cited by the
// two 2026-05-08 entries whose ids start "cve-2026-5787-cve-2026-6973" and
// "ivanti-epmm-cve-2026-5787", and by the 2026-05-04 entry merged with the W19 weekly
// (`grep -rl may-2026-epmm-security-update` finds those three files and W19).
// A window lists part of the timeline; every count still covers all five items.
#[tokio::test]
async fn entity_pages_list_a_window_and_count_every_item() {
    let page = json_ok("/api/entities/CVE-2026-5787").await;
    let top = &page["sources"]["list"][0];
    assert_eq!(
        top["url"],
        "https://www.ivanti.com/blog/may-2026-epmm-security-update"
    );
    assert_eq!(top["cited_by"], 3);
    assert_eq!(
        strings(&top["items"]),
        [
            "2026-05-08/cve-2026-5787-cve-2026-6973-ivanti-epmm-pre-auth-certificate",
            "2026-05-08/ivanti-epmm-cve-2026-5787-cve-2026-6973-pre-auth-certificate",
            "2026-05-04/cve-2026-6973-cve-2026-5787-ivanti-epmm-on-prem-pre-auth-cha",
        ]
    );
    assert_eq!(top["label"], "Ivanti — May 2026 EPMM Security Update");
    let all: Vec<String> = page["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(all.len(), 5);
    assert_eq!(page["window"], json!({"offset": 0, "limit": 100}));

    let window = json_ok("/api/entities/CVE-2026-5787?offset=1&limit=2").await;
    let listed = |field: &str| -> Vec<String> {
        window[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(listed("timeline"), all[1..3]);
    assert_eq!(listed("items"), all[1..3]);
    assert_eq!(window["coverage"]["items"], 5);
    assert_eq!(window["sources"]["urls"], 9);

    let past_the_end = json_ok("/api/entities/CVE-2026-5787?offset=5").await;
    assert_eq!(past_the_end["timeline"], json!([]));
    assert_eq!(past_the_end["coverage"]["items"], 5);
    let html = get("/entities/CVE-2026-5787?offset=1&limit=2").await;
    assert!(html.body.contains("Items 2–3 of 5."), "{}", html.body);
    assert!(html
        .body
        .contains(r#"rel="next" href="/entities/CVE-2026-5787?offset=3&amp;limit=2""#));
    let past = get("/entities/CVE-2026-5787?offset=5&limit=2").await;
    assert!(past
        .body
        .contains(r#"rel="prev" href="/entities/CVE-2026-5787""#));
    let huge = get("/api/entities/CVE-2026-5787?offset=99999999999999999999").await;
    assert_eq!(huge.status, 400);
    assert!(huge.body.contains("is too large"), "{}", huge.body);
    let far = get("/api/entities/CVE-2026-5787?offset=18446744073709551615").await;
    assert_eq!(far.status, 400);
    assert!(
        far.body
            .contains("offset: must be at most 100000, got 18446744073709551615"),
        "{}",
        far.body
    );
    assert_eq!(
        get("/api/entities/CVE-2026-5787?offset=100000")
            .await
            .status,
        200
    );
    for bad in ["limit=0", "limit=1001", "offset=-1", "limit=x", "sort=date"] {
        let answer = get(&format!("/api/entities/CVE-2026-5787?{bad}")).await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
    }
}

/// Every item under an entity names it: a label of the entity (or the CVE id) at
/// the mention's offsets, or the key among the item's explicit keys or footer CVEs.
#[tokio::test]
async fn every_listed_item_mentions_its_entity() {
    let keys = [
        "incident:france-ants-breach-2026",
        "actor:secretblizzard",
        "CVE-2026-5787",
        "CVE-2026-31431",
        "actor:qilin",
        "actor:akira",
        "actor:shinyhunters",
    ];
    let registry = &shared().registry;
    for key in keys {
        let page = json_ok(&format!("/api/entities/{key}")).await;
        let labels: Vec<String> = match registry.get(key) {
            Some(entity) => entity.labels().map(str::to_lowercase).collect(),
            None => vec![key.to_lowercase()],
        };
        assert!(!page["items"].as_array().unwrap().is_empty(), "{key}");
        for listed in page["items"].as_array().unwrap() {
            let id = listed["id"].as_str().unwrap();
            let item = json_ok(&format!("/api/items/{id}")).await;
            let text = item["text"].as_str().unwrap();
            let mentioned = item["mentions"].as_array().unwrap().iter().any(|m| {
                let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
                let found = &text[start as usize..end as usize];
                m["key"] == key && labels.contains(&found.to_lowercase())
            });
            let explicit = strings(&item["explicit_entities"])
                .iter()
                .any(|explicit| registry.canonical(explicit) == key);
            let in_footer = strings(&item["footer"]["cves"])
                .iter()
                .any(|cve| cve == key);
            assert!(
                mentioned || explicit || in_footer,
                "{id} is listed under {key} but never names it"
            );
            assert!(strings(&item["entities"]).contains(&key.to_string()));
        }
    }
}

#[tokio::test]
async fn colon_keys_work_raw_and_percent_encoded() {
    let raw = json_ok("/api/entities/actor:secretblizzard").await;
    let encoded = json_ok("/api/entities/actor%3Asecretblizzard").await;
    assert_eq!(raw, encoded);
    let html = get("/entities/actor%3Asecretblizzard").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.html().contains("Secret Blizzard"));
    // The acceptance check's spelling, for an entity with no item yet.
    let apt42 = json_ok("/api/entities/actor%3Aapt42").await;
    assert_eq!(apt42["name"], "APT42");
    assert_eq!(apt42["coverage"]["items"], 0);
}

// registry.yaml: actor:gentlemen-raas-gentlekiller is a tombstone with
// merged_into: actor:thegentlemen.
#[tokio::test]
async fn tombstones_show_the_canonical_entity_with_a_notice() {
    let page = json_ok("/api/entities/actor:gentlemen-raas-gentlekiller").await;
    assert_eq!(page["key"], "actor:thegentlemen");
    assert_eq!(page["name"], "The Gentlemen");
    assert_eq!(page["merged"]["from"], "actor:gentlemen-raas-gentlekiller");
    assert_eq!(page["merged"]["into"], "actor:thegentlemen");
    let html = get("/entities/actor:gentlemen-raas-gentlekiller").await;
    assert!(html.html().contains("id=\"merged\""));
    assert!(html.body.contains("was merged into"));
}

#[tokio::test]
async fn item_ids_with_slashes_and_mention_offsets() {
    let id = "2026-07-13/russia-ip-camera-hijacking-nato-military-supply-routes";
    let item = json_ok(&format!("/api/items/{id}")).await;
    assert_eq!(item["id"], id);
    assert_eq!(item["date"], "2026-07-13");
    assert_eq!(item["section"], "active-threats");
    let urls: Vec<&str> = item["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| source["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://nltimes.nl/2026/07/11/dutch-spy-agencies-russia-hacked-cameras-spy-military-routes",
            "https://nltimes.nl/2026/07/13/netherlands-summons-russian-ambassador-russias-hacking-military-supply-routes",
        ]
    );
    let text = item["text"].as_str().unwrap();
    let mut labels = BTreeSet::new();
    for mention in item["mentions"].as_array().unwrap() {
        let (start, end) = (
            mention["start"].as_u64().unwrap() as usize,
            mention["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[start..end], mention["label"].as_str().unwrap());
        assert_eq!(
            text[..start].chars().count() as u64,
            mention["char_start"].as_u64().unwrap()
        );
        if mention["key"] == "actor:secretblizzard" {
            labels.insert(mention["label"].as_str().unwrap().to_string());
        }
    }
    // Body line 57 of the entry names "the Turla espionage attribution" and "FSB
    // Centre 16".
    assert_eq!(
        labels,
        ["FSB Centre 16", "Turla"]
            .iter()
            .map(|l| l.to_string())
            .collect()
    );

    let page = get(&format!("/items/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .html()
        .contains("<a class=\"mention\" href=\"/entities/actor:secretblizzard\""));
    assert_eq!(
        get(&format!("/items/{}", id.replace('/', "%2F")))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn user_errors_are_4xx_json() {
    let cases = [
        ("/api/entities/actor:no-such-actor", 404),
        ("/api/entities/CVE-1999-00000", 404),
        ("/api/items/2026-05-06/no-such-item", 404),
        ("/api/nothing-here", 404),
        ("/api/search?q=APT42&from=2026-13-45", 400),
        ("/api/search?q=APT42&to=yesterday", 400),
        ("/api/search?q=%22unbalanced", 400),
        ("/api/search?q=APT42+OR", 400),
        ("/api/search?q=%21%21%21", 400),
        ("/api/search?host=a..b", 400),
        ("/api/search?q=APT42&limit=1000000000", 400),
        ("/api/search?q=APT42&limit=0", 400),
        ("/api/search?q=APT42&limit=ten", 400),
        ("/api/search?q=APT42&offset=99999999999999999999999", 400),
        ("/api/search?q=APT42&section=no-such-section", 400),
        ("/api/search?q=APT42&sort=sideways", 400),
        ("/api/search?q=APT42&from=2026-05-01&from=2026-05-02", 400),
        ("/api/search?q=APT42&sectoin=updates", 400),
        ("/api/entities?type=spaceship", 400),
        ("/api/entities?limit=0", 400),
        ("/api/entities/actor%FFapt42", 400),
        ("/api/search?q=abc%FF", 400),
        ("/api/search?sectoin=", 400),
        ("/api/items/2026-05-06?bogus=1", 400),
        ("/api/entities?type=actor%FF", 400),
        ("/api/search?entity=actor:quilin", 400),
        ("/api/search?host=bleepingcomputr.com", 400),
    ];
    for (uri, status) in cases {
        let answer = get(uri).await;
        assert_eq!(answer.status.as_u16(), status, "{uri}: {}", answer.body);
        let error = answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(!error.is_empty(), "{uri}");
    }
    assert_eq!(get("/items/2026-05-06?bogus=1").await.status.as_u16(), 400);
    assert_eq!(
        get("/api/search?entity=actor:quilin").await.json()["error"],
        "entity: no entity `actor:quilin`: it is not in the registry and no item links it; \
         did you mean `actor:qilin`?"
    );
    assert_eq!(
        get("/api/search?host=bleepingcomputr.com").await.json()["error"],
        "host: no item cites `bleepingcomputr.com`; cited hosts near it: bleepingcomputer.com"
    );
    assert_eq!(
        json_ok("/api/search?host=*.paloaltonetworks.com").await["total"],
        15
    );
    let answer = get("/api/search?q=%FF").await;
    assert_eq!(
        answer.json()["error"],
        "q: the percent-encoded bytes of `q=%FF` are not UTF-8 text"
    );
    let answer = get("/api/search?section=no-such-section").await;
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("valid: action-items"));
    // A name or alias where a key goes is answered with the key it names.
    for (asked, key) in [
        ("Qilin", "actor:qilin"),
        ("Seedworm", "actor:muddywater"),
        ("World-Leaks", "actor:worldleaks"),
        ("actor:seedworm", "actor:muddywater"),
        // A letter off, or two swapped.
        ("Quilin", "actor:qilin"),
        ("actor:sacttered-spider", "actor:scattered-spider"),
    ] {
        let answer = get(&format!("/api/entities/{asked}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let error = answer.json()["error"].as_str().unwrap().to_string();
        assert!(
            error.ends_with(&format!("did you mean `{key}`?")),
            "{error}"
        );
    }
    let answer = get("/api/entities/actor:no-such-actor").await;
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("keys look like `actor:qilin`"));
    // A pasted paragraph is repeated as its first 80 characters.
    let long = "a".repeat(5_000);
    let answer = get(&format!("/api/entities/{long}")).await;
    let error = answer.json()["error"].as_str().unwrap().to_string();
    assert!(
        error.starts_with(&format!("no entity `{}…`:", "a".repeat(80))),
        "{error}"
    );

    let wrong_method = post(app(), "/api/search", &[], Body::empty()).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.json()["error"].is_string());
    let bad_json = post(
        app(),
        "/api/tag",
        &[("content-type", "application/json")],
        "{\"txt\": 1}",
    )
    .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert!(bad_json.json()["error"].is_string());
    let huge = vec![b'a'; dossier::http::MAX_BODY_BYTES + 1];
    let too_large = post(app(), "/api/tag", &[("content-type", "text/plain")], huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_large.json()["error"].is_string());
    let not_utf8 = post(app(), "/api/tag", &[], vec![0xff, 0xfe]).await;
    assert_eq!(not_utf8.status, StatusCode::BAD_REQUEST);

    let page = get("/search?q=%22unbalanced").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html().contains("never closed"));
    let page = get("/entities/actor:no-such-actor").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.html().contains("no entity"));
}

#[tokio::test]
async fn api_search_is_the_cli_search() {
    let fixture = shared();
    let request = SearchRequest {
        query: "NIS2 France".into(),
        limit: search::DEFAULT_LIMIT,
        ..SearchRequest::default()
    };
    let library = search::search(&fixture.index, Some(&fixture.registry), &request).unwrap();
    let api = json_ok("/api/search?q=NIS2+France").await;
    // Through JSON text, as a client sees both (scores are f32).
    let library: Value = serde_json::from_str(&serde_json::to_string(&library).unwrap()).unwrap();
    assert_eq!(api, library);
    assert!(api["total"].as_u64().unwrap() >= 1);

    // A bare `+` is a space; `%2B` reaches the parser as a plus, whose "required"
    // reading every word has already.
    let plus = json_ok("/api/search?q=%2BNIS2+%2BFrance").await;
    assert_eq!(plus["query"], "+NIS2 +France");
    assert_eq!(plus["total"], api["total"]);
}

#[tokio::test]
async fn repeated_filters_combine() {
    let total = |value: Value| value["total"].as_u64().unwrap();
    let updates = total(json_ok("/api/search?section=updates").await);
    let deep = total(json_ok("/api/search?section=deep-dive").await);
    let both = total(json_ok("/api/search?section=updates&section=deep-dive").await);
    assert!(updates > 0 && deep > 0);
    assert_eq!(both, updates + deep);

    let one = total(json_ok("/api/search?entity=actor:secretblizzard").await);
    let other = total(json_ok("/api/search?entity=CVE-2026-5787").await);
    let either =
        total(json_ok("/api/search?entity=actor:secretblizzard&entity=CVE-2026-5787").await);
    assert_eq!((one, other, either), (3, 5, 8));
    let dated = json_ok(
        "/api/search?entity=actor:secretblizzard&entity=CVE-2026-5787&from=2026-05-05&to=2026-05-31",
    )
    .await;
    assert_eq!(total(dated), 4);
}

#[tokio::test]
async fn entity_list_counts_items_and_matches_aliases() {
    let list = json_ok("/api/entities?prefix=turla").await;
    let first = &list["entities"][0];
    assert_eq!(first["key"], "actor:secretblizzard");
    assert_eq!(first["matched"], "Turla");
    assert_eq!(first["items"], 3);
    let cves = json_ok("/api/entities?type=cve&limit=3").await;
    let rows = pairs(&cves["entities"], "key", "items");
    assert_eq!(rows.len(), 3);
    assert!(rows.windows(2).all(|pair| pair[0].1 >= pair[1].1));
    assert!(rows.iter().all(|(key, _)| key.starts_with("CVE-")));
    assert!(cves["total"].as_u64().unwrap() > 100);

    // A name that opens with an accent or a quote is found as typed plainly.
    for (prefix, key, matched) in [
        ("skoda", "incident:skoda-shop-breach-2026", None),
        ("photo", "campaign:photo-zip-tonrat-hospitality", None),
    ] {
        let found = json_ok(&format!("/api/entities?prefix={prefix}")).await;
        assert_eq!(found["total"], 1, "{prefix}");
        assert_eq!(found["entities"][0]["key"], key);
        assert_eq!(
            found["entities"][0].get("matched").and_then(Value::as_str),
            matched
        );
    }

    // Pages of the list are windows of one ranking.
    let three = json_ok("/api/entities?limit=3").await;
    let window = json_ok("/api/entities?limit=2&offset=1").await;
    assert_eq!(window["total"], three["total"]);
    assert_eq!(
        pairs(&window["entities"], "key", "items"),
        pairs(&three["entities"], "key", "items")[1..]
    );
    let html = get("/entities?limit=2&offset=2").await.body;
    assert!(html.contains("3–4 of "), "{html}");
    assert!(
        html.contains(r#"rel="prev" href="/entities?limit=2""#),
        "{html}"
    );
    assert!(
        html.contains(r#"rel="next" href="/entities?limit=2&amp;offset=4""#),
        "{html}"
    );
    assert_eq!(
        get("/api/entities?offset=100001").await.status,
        StatusCode::BAD_REQUEST
    );

    // No registry entity is a product, but two unregistered keys that entries
    // link are: the list shows them, so its type filter takes them.
    let products = json_ok("/api/entities?type=product").await;
    assert_eq!(
        pairs(&products["entities"], "key", "items"),
        [
            ("product:citrix-netscaler".to_string(), 1),
            (
                "product:progress-telerik-ui-for-asp-net-ajax".to_string(),
                1
            )
        ]
    );
}

#[tokio::test]
async fn tag_answers_byte_and_char_offsets() {
    let answer = post(
        app(),
        "/api/tag",
        &[("content-type", "text/plain")],
        "Charming Kitten hit a ministry",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let mention = &answer.json()["mentions"][0];
    assert_eq!(mention["key"], "actor:apt42");
    assert_eq!(mention["name"], "APT42");
    assert_eq!(
        (mention["start"].as_u64(), mention["end"].as_u64()),
        (Some(0), Some(15))
    );

    // "Opération " is 10 characters in 11 bytes.
    let answer = post(
        app(),
        "/api/tag",
        &[("content-type", "application/json")],
        json!({"text": "Opération Turla"}).to_string(),
    )
    .await;
    let mention = &answer.json()["mentions"][0];
    assert_eq!(mention["key"], "actor:secretblizzard");
    let offsets: Vec<u64> = ["start", "end", "char_start", "char_end"]
        .iter()
        .map(|field| mention[*field].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [11, 16, 10, 15]);
    assert!(answer.json().get("suggestions").is_none());
}

#[tokio::test]
async fn tag_suggests_what_the_text_should_also_link() {
    let answer = post(
        app(),
        "/api/tag?suggest=1",
        &[("content-type", "text/plain")],
        "Ivanti patched CVE-2026-5787 again.",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json = answer.json();
    let suggestions = json["suggestions"].as_array().unwrap();
    let top = &suggestions[0];
    assert_eq!(top["key"], "CVE-2026-6973");
    assert_eq!(top["shared"], 4);
    assert_eq!(top["via"], json!(["CVE-2026-5787"]));
    // The same score as on the entity page.
    let page = json_ok("/api/entities/CVE-2026-5787").await;
    assert_eq!(top["score"], page["suggestions"][0]["score"]);

    // Curated neighbours first, marked, even without co-occurrence.
    let answer = post(app(), "/api/tag?suggest=1", &[], "Turla is back.").await;
    let json = answer.json();
    let curated: BTreeSet<String> = json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .take_while(|s| s["curated"].is_object())
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = [
        "actor:gamaredon",
        "report:eset-gamaredon-2025",
        "actor:static-tundra",
        "campaign:turla-stockstay",
        "incident:france-eu-turla-fsb-attribution-2026-07",
    ]
    .iter()
    .map(|k| k.to_string())
    .collect();
    assert_eq!(curated, expected);
    let tundra = json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "actor:static-tundra")
        .unwrap();
    assert_eq!(tundra["curated"]["reading"], "related to");
    assert_eq!(tundra["shared"], 2);
}

#[tokio::test]
async fn search_page_has_results_facets_dates_and_pages() {
    let page = get("/search?q=Turla").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    assert!(html.contains("class=\"hit\""));
    assert!(html.contains("<b>Turla</b>"));
    assert!(html.contains("id=\"facets\""));
    assert!(html.contains("data-facet=\"section\""));
    assert!(html.contains("href=\"/search?q=Turla&amp;section="));
    assert!(html.contains("type=\"date\" name=\"from\""));

    let filtered = get("/search?q=Turla&section=deep-dive").await;
    assert!(filtered.html().contains("id=\"filters\""));

    let all = get("/search").await;
    assert!(all
        .html()
        .contains("rel=\"next\" href=\"/search?offset=20\""));

    // Past the last of Turla's 3 hits: said so, and "previous" is the last page.
    let past = get("/search?q=Turla&offset=60").await;
    let past = past.html();
    assert!(past.contains("No results past the first 3."), "{past}");
    assert!(
        past.contains("rel=\"prev\" href=\"/search?q=Turla\""),
        "{past}"
    );

    // A month's link keeps the range asked for: 24 ransomware hits of May fall
    // from the 7th on, as the facet counts them.
    let ranged = get("/search?q=ransomware&from=2026-05-07&to=2026-07-01").await;
    let ranged = ranged.html();
    assert!(
        ranged.contains("href=\"/search?q=ransomware&amp;from=2026-05-07&amp;to=2026-05-31\">2026-05</a> <span class=\"count\">24</span>"),
        "{ranged}"
    );
    assert!(ranged.contains("to=2026-06-30\">2026-06</a> <span class=\"count\">8</span>"));
    let may = json_ok("/api/search?q=ransomware&from=2026-05-07&to=2026-05-31").await;
    assert_eq!(may["total"], 24);

    let hostile = get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert_eq!(hostile.status, StatusCode::OK);
    assert!(!hostile.html().contains("<script>alert(1)</script>"));
    assert!(hostile
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn entity_page_has_every_component_and_charts() {
    let page = get("/entities/actor:secretblizzard").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    for id in [
        "header",
        "coverage",
        "sections",
        "sources",
        "relationships",
        "cooccurring",
        "suggestions",
        "timeline",
        "items",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    assert!(html.contains("<svg class=\"chart sparkline\""));
    assert_eq!(html.matches("<svg class=\"chart bars\"").count(), 2);
    assert!(html.contains("data-week=\"2026-W29\" data-count=\"3\""));
    assert!(html.contains("<title>2026-W29: 3 items</title>"));
    // Qilin's items fall 7, 1 and 2 in W19, W21 and W24: one is "1 item".
    let qilin = get("/entities/actor:qilin").await.body;
    assert!(qilin.contains("<title>2026-W21: 1 item</title>"), "{qilin}");
    assert!(qilin.contains("<title>2026-W19: 7 items</title>"));
    assert!(html.contains("responsible for"));
    assert!(html.contains("<b>Turla</b>"));
    let home = get("/").await;
    assert!(home.html().contains("id=\"search\""));
}

/// One test on a real socket: the server bound to an ephemeral loopback port.
#[tokio::test]
async fn serves_on_a_loopback_port() {
    use std::io::{Read, Write};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dossier::http::serve(
        listener,
        shared().state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));

    // A plain blocking client, so the test needs no HTTP client crate.
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        let request = format!(
            "GET /api/entities/actor%3Asecretblizzard HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    let page: Value = serde_json::from_str(body).unwrap();
    assert_eq!(page["coverage"]["items"], 3);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// The corpus without one brief, indexed, served with a write token.
struct Partial {
    dir: TempDir,
    state: AppState,
    open_state: AppState,
    /// The same index served with a registry that defines no entity.
    unregistered_state: AppState,
}

fn partial() -> Partial {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    common::copy_tree(&corpus_dir(), &corpus);
    std::fs::remove_file(corpus.join(NEW_BRIEF)).unwrap();
    let (index, registry) = build_index(&corpus, &dir.path().join("index"));
    let registry_path = corpus.join("entities/registry.yaml");
    let state = AppState::new(
        index.clone(),
        registry.clone(),
        registry_path.clone(),
        Some(TOKEN.into()),
    );
    let open_state = AppState::new(index.clone(), registry, registry_path, None);
    let unregistered_state = AppState::new(
        index,
        Registry::default(),
        dir.path().join("empty-registry.yaml"),
        Some(TOKEN.into()),
    );
    Partial {
        dir,
        state,
        open_state,
        unregistered_state,
    }
}

async fn ingest(state: &AppState, token: Option<&str>, path: &str, text: String) -> Answer {
    let bearer = token.map(|token| format!("Bearer {token}"));
    let mut headers = vec![("content-type", "text/markdown")];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer.as_str()));
    }
    post(
        router(state.clone()),
        &format!("/api/ingest?path={path}"),
        &headers,
        text,
    )
    .await
}

async fn total(state: &AppState, uri: &str) -> u64 {
    let answer = get_from(router(state.clone()), uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    answer.json()["total"].as_u64().unwrap()
}

async fn entity(state: &AppState, key: &str) -> Value {
    let answer = get_from(router(state.clone()), &format!("/api/entities/{key}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{key}: {}", answer.body);
    answer.json()
}

async fn all_ids(state: &AppState) -> Vec<String> {
    let answer = get_from(router(state.clone()), "/api/search?limit=1000").await;
    let mut ids: Vec<String> = answer.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

// briefs/2026-06-10.md: its 20 stories also exist as entries/2026-06-10/*.md
// (migrated_from the brief), so without the brief they are standalone entries; the
// brief adds its brief-level text, its "## 6. Action Items" item and its "#### CVE
// Summary Table" roll-up, which name CVE-2026-11645 beside the two entries that do
// (Chrome, June Patch Tuesday; the TYPO3 entry's copy of the table is not its story).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_ingest_is_immediate_idempotent_and_serialised() {
    let partial = partial();
    let state = &partial.state;
    let original = std::fs::read_to_string(corpus_dir().join(NEW_BRIEF)).unwrap();
    let tchap = "/api/search?q=Tchap&limit=50";

    let before = entity(state, "CVE-2026-11645").await;
    assert_eq!(before["coverage"]["items"], 2);
    assert_eq!(before["coverage"]["briefs"], 0);
    let tchap_before = total(state, tchap).await;

    // Refused writes change nothing.
    let off = ingest(
        &partial.open_state,
        Some(TOKEN),
        NEW_BRIEF,
        original.clone(),
    )
    .await;
    assert_eq!(off.status, StatusCode::FORBIDDEN);
    let missing = ingest(state, None, NEW_BRIEF, original.clone()).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    let wrong = ingest(state, Some("not-the-token"), NEW_BRIEF, original.clone()).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.json()["error"].is_string());
    assert_eq!(total(state, tchap).await, tchap_before);

    // Added: visible as soon as the call returns.
    let added = ingest(state, Some(TOKEN), NEW_BRIEF, original.clone()).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let summary = &added.json()["summary"];
    assert_eq!(summary["briefs"], 1);
    assert_eq!(summary["entries"], 20);
    let after = entity(state, "CVE-2026-11645").await;
    assert_eq!(after["coverage"]["items"], 4);
    assert_eq!(after["coverage"]["briefs"], 1);
    let ids: Vec<&str> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"2026-06-10/action-items"), "{ids:?}");
    assert!(ids.contains(&"2026-06-10/cve-summary-table"), "{ids:?}");
    let tchap_after = total(state, tchap).await;
    assert!(tchap_after > tchap_before);
    let tchap_item = get_from(
        router(state.clone()),
        "/api/items/2026-06-10/france-s-tchap-government-messenger-breached-via-account-tak",
    )
    .await
    .json();
    assert_eq!(tchap_item["brief"]["id"], "2026-06-10");

    // The same index as a full build of the corpus.
    let full_ids = all_ids(&shared().state).await;
    assert_eq!(all_ids(state).await, full_ids);
    let full_page = json_ok("/api/entities/CVE-2026-11645").await;
    assert_eq!(after, full_page);

    // Again: nothing changes.
    let again = ingest(state, Some(TOKEN), NEW_BRIEF, original.clone()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(total(state, tchap).await, tchap_after);
    assert_eq!(all_ids(state).await, full_ids);

    // A changed version replaces the old one, and back.
    let changed = original.replacen(
        "## 6. Action Items\n",
        "## 6. Action Items\n\n- Patch the Zorblatt appliance today.\n",
        1,
    );
    assert_ne!(changed, original);
    let replaced = ingest(state, Some(TOKEN), NEW_BRIEF, changed).await;
    assert_eq!(replaced.status, StatusCode::OK);
    assert!(total(state, "/api/search?q=Zorblatt").await >= 1);
    ingest(state, Some(TOKEN), NEW_BRIEF, original.clone()).await;
    assert_eq!(total(state, "/api/search?q=Zorblatt").await, 0);

    // Concurrent ingests queue on the writer and leave a consistent index.
    let entry_path =
        "entries/2026-06-10/france-s-tchap-government-messenger-breached-via-account-tak.md";
    let entry = std::fs::read_to_string(corpus_dir().join(entry_path)).unwrap();
    let mut tasks = Vec::new();
    for at in 0..4 {
        let state = state.clone();
        let (path, text) = if at % 2 == 0 {
            (NEW_BRIEF, original.clone())
        } else {
            (entry_path, entry.clone())
        };
        tasks.push(tokio::spawn(async move {
            ingest(&state, Some(TOKEN), path, text).await.status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(all_ids(state).await, full_ids);
    assert_eq!(total(state, tchap).await, tchap_after);

    // Served with a registry that defines no entity, an ingest would unlink the
    // brief's items: it is refused and the links stay.
    let qilin = entity(state, "actor:qilin").await["coverage"]["items"].clone();
    let refused = ingest(
        &partial.unregistered_state,
        Some(TOKEN),
        NEW_BRIEF,
        original,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .ends_with("empty-registry.yaml defines no entity: tagging with it would unlink items from the entities they link; fix the file, or build an index without entities with `dossier index`"),
        "{}",
        refused.body
    );
    assert_eq!(
        entity(state, "actor:qilin").await["coverage"]["items"],
        qilin
    );

    registry_reload_retags(&partial).await;
}

/// `POST uri` (a registry reload) with `headers` and no body.
async fn reload(state: &AppState, uri: &str, headers: &[(&str, &str)]) -> Answer {
    post(router(state.clone()), uri, headers, Body::empty()).await
}

// registry.yaml gives incident:france-ants-breach-2026 no alias; "France Titres"
// occurs in briefs/2026-05-06.md line 104, inside the item headed "France: ANTS
// Government Identity Agency" (line 102), and in its TL;DR (brief-level text).
async fn registry_reload_retags(partial: &Partial) {
    let state = &partial.state;
    let registry_path = partial.dir.path().join("corpus/entities/registry.yaml");
    let original = std::fs::read_to_string(&registry_path).unwrap();
    let key = "incident:france-ants-breach-2026";
    assert_eq!(entity(state, key).await["coverage"]["items"], 1);

    let refused = reload(state, "/api/registry/reload", &[]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    let block = "name: \"France ANTS breach\"\n    aliases: []";
    assert!(original.contains(block));
    let edited = original.replacen(
        block,
        "name: \"France ANTS breach\"\n    aliases: [\"France Titres\"]",
        1,
    );
    std::fs::write(&registry_path, edited).unwrap();
    let bearer = format!("Bearer {TOKEN}");
    let auth = [("authorization", bearer.as_str())];
    let unknown = reload(state, "/api/registry/reload?foo=bar", &auth).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.json()["error"],
        "unknown parameter `foo`; this route takes none"
    );
    let reloaded = reload(state, "/api/registry/reload", &auth).await;
    assert_eq!(reloaded.status, StatusCode::OK, "{}", reloaded.body);
    let page = entity(state, key).await;
    assert_eq!(page["aliases"], json!(["France Titres"]));
    assert_eq!(page["coverage"]["items"], 2);
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |item| item["id"].as_str().unwrap().starts_with("2026-05-06/")
                && item["label"] == "France Titres"
        ));

    // A registry that does not validate is refused and the last good one stays.
    std::fs::write(&registry_path, "entities:\n  - key: [\n").unwrap();
    let broken = reload(state, "/api/registry/reload", &auth).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.json()["error"]
        .as_str()
        .unwrap()
        .contains("stays in use"));
    assert_eq!(entity(state, key).await["coverage"]["items"], 2);

    // So is one that defines no entity: it would unlink every item.
    std::fs::write(&registry_path, "schema: 1\nentities: []\n").unwrap();
    let empty = reload(state, "/api/registry/reload", &auth).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.json()["error"].as_str().unwrap().contains(
        "defines no entity: tagging with it would unlink items from the entities they link"
    ));
    assert_eq!(entity(state, key).await["coverage"]["items"], 2);

    // A reload whose client leaves before the answer still ends as a whole: the
    // registry that re-tagged the items is the one the server then serves. An
    // ingest waits for the write before it, and its file is already indexed.
    std::fs::write(&registry_path, &original).unwrap();
    let request = reload(state, "/api/registry/reload", &auth);
    let left = tokio::time::timeout(std::time::Duration::from_millis(1), request).await;
    assert!(left.is_err(), "the re-tag outlasts the client");
    let brief = std::fs::read_to_string(corpus_dir().join(NEW_BRIEF)).unwrap();
    let waited = ingest(state, Some(TOKEN), NEW_BRIEF, brief).await;
    assert_eq!(waited.status, StatusCode::OK, "{}", waited.body);
    let page = entity(state, key).await;
    assert_eq!(page["aliases"], json!([]));
    assert_eq!(page["coverage"]["items"], 1);
}

/// A page lists the first hundred co-occurring entities and counts them all: an
/// entry naming Akira with 150 CVE ids gives Akira 150 more neighbours.
#[test]
fn cooccurring_entities_are_listed_up_to_a_hundred_and_counted() {
    let (_dir, index) = common::index_of(&corpus::walk(&common::corpus_dir()).unwrap());
    let page = |index: &DossierIndex| {
        dossier::entity_page::entity_page(
            index,
            common::registry(),
            "actor:akira",
            dossier::entity_page::Window::default(),
        )
        .unwrap()
    };
    let before = page(&index);
    assert_eq!(before.cooccurring.len(), before.cooccurring_total);

    let cves: String = (0..150)
        .map(|n| format!("  - CVE-2026-{:05}\n", 90_000 + n))
        .collect();
    let entry = format!(
        "---\nschema: 1\ntitle: \"Akira and many CVEs\"\nentities:\n  - \"actor:akira\"\n\
         cves:\n{cves}---\n\nAkira exploited them all.\n"
    );
    let file =
        corpus::SourceFile::new("entries/2026-08-11/akira-cves.md", entry.into_bytes()).unwrap();
    writer::add(
        &index,
        vec![file],
        &common::linker(),
        &WriteOptions::default(),
    )
    .unwrap();
    index.reload().unwrap();

    let after = page(&index);
    assert_eq!(after.cooccurring_total, before.cooccurring_total + 150);
    assert_eq!(
        after.cooccurring.len(),
        dossier::entity_page::COOCCURRING_LISTED
    );
    assert_eq!(
        after.cooccurring[0], before.cooccurring[0],
        "most shared first"
    );
}
