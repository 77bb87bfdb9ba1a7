//! Parsing the real corpus: counts, ids, hosts, footers and entity links, with
//! values read from the files by hand.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{item, items_of_brief, parsed};
use dossier::corpus::{self, markdown};
use dossier::item::{ItemKind, Level};

fn sections(brief: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for item in items_of_brief(brief) {
        *counts.entry(item.section.clone()).or_default() += 1;
    }
    counts
}

fn counts(rows: &[(&str, usize)]) -> BTreeMap<String, usize> {
    rows.iter()
        .map(|(key, count)| (key.to_string(), *count))
        .collect()
}

#[test]
fn every_file_of_the_corpus_is_read() {
    let parsed = parsed();
    assert_eq!(parsed.briefs, 9, "7 daily briefs and 2 weekly summaries");
    assert_eq!(parsed.entries, 90);
    let items = parsed
        .items
        .iter()
        .filter(|item| item.level == Level::Item)
        .count();
    let brief_texts = parsed
        .items
        .iter()
        .filter(|item| item.level == Level::Brief)
        .count();
    assert_eq!(brief_texts, 9);
    assert_eq!(items as u64, common::ITEMS);
}

#[test]
fn early_daily_brief_v2_19() {
    // 2026-05-06: §1a four `###` items, §1b the trending table, §2 four `###` items,
    // §3 five bold-lead incidents, §4 six bold-lead research items, §5 one deep dive.
    assert_eq!(
        sections("2026-05-06"),
        counts(&[
            ("active-threats", 9),
            ("trending-vulnerabilities", 1),
            ("ch-eu-public-sector", 4),
            ("research", 6),
            ("deep-dive", 1)
        ])
    );
    // 2026-05-07: 5 + table, 3 CH/EU, 3 incidents, 6 research, deep dive, 4 quoted updates.
    assert_eq!(
        sections("2026-05-07"),
        counts(&[
            ("active-threats", 8),
            ("trending-vulnerabilities", 1),
            ("ch-eu-public-sector", 3),
            ("research", 6),
            ("deep-dive", 1),
            ("updates", 4)
        ])
    );
}

#[test]
fn later_daily_brief_with_footers() {
    // 2026-06-10: §1 four, §2 eight and the `#### CVE Summary Table`, §3 four, §4 three
    // UPDATE items, deep dive, action items.
    assert_eq!(
        sections("2026-06-10"),
        counts(&[
            ("active-threats", 4),
            ("trending-vulnerabilities", 9),
            ("research", 4),
            ("updates", 3),
            ("deep-dive", 1),
            ("action-items", 1)
        ])
    );
    // 2026-07-03 has an empty deep dive ("No item met the deep-dive bar"): no item.
    assert_eq!(
        sections("2026-07-03"),
        counts(&[
            ("active-threats", 3),
            ("trending-vulnerabilities", 1),
            ("updates", 1),
            ("action-items", 1)
        ])
    );
}

#[test]
fn rollup_tables_end_the_story_above_them() {
    // 2026-05-20: §1 six, §2 four stories and the `#### CVE Summary Table` under the
    // vm2 story, §3 one, §4 three updates, deep dive, action items.
    assert_eq!(
        sections("2026-05-20"),
        counts(&[
            ("active-threats", 6),
            ("trending-vulnerabilities", 5),
            ("research", 1),
            ("updates", 3),
            ("deep-dive", 1),
            ("action-items", 1)
        ])
    );
    let rollups: Vec<(&str, usize)> = parsed()
        .items
        .iter()
        .filter(|item| item.rollup)
        .map(|item| (item.id.as_str(), item.line))
        .collect();
    assert_eq!(
        rollups,
        [
            ("2026-05-06/trending-vulnerabilities", 59),
            ("2026-05-07/trending-vulnerabilities", 57),
            ("2026-05-20/cve-summary-table", 120),
            ("2026-05-20/action-items", 204),
            ("2026-06-01/action-items", 69),
            ("2026-06-10/cve-summary-table", 99),
            ("2026-06-10/action-items", 180),
            ("2026-06-22/action-items", 72),
            ("2026-07-03/action-items", 67),
        ]
    );

    // The table ends the vm2 story: its text stops at the story's last advice.
    let vm2 = item("2026-05-20/vm2-node-js-sandbox-12-critical-cves-cve-2026-43997-43999-44");
    assert!(vm2.body.ends_with("for vm2 < 3.11.4."), "{}", vm2.body);
    assert!(!vm2.body.contains("Microsoft Defender Engine"));
    // The TYPO3 entry, converted from 2026-06-10, kept a copy of that brief's table
    // under its story; the copy is cut, so it links only its own CVE.
    let typo3 = item("2026-06-10/cve-2026-47344-et-al-typo3-core-june-release-13-cves-across");
    assert!(!typo3.body.contains("CVE Summary Table"));
    assert!(!typo3.body.contains("CVE-2026-10520"));
}

#[test]
fn weekly_summary() {
    assert_eq!(
        sections("2026-W19"),
        counts(&[
            ("weekly-top-stories", 6),
            ("weekly-multi-day", 4),
            ("weekly-vuln-rollup", 2),
            ("weekly-sector-patterns", 7),
            ("weekly-incidents-recap", 6),
            ("weekly-annual-reports", 6),
            ("weekly-long-running", 11),
            ("weekly-policy", 10)
        ])
    );
    let policy = item("2026-W24/european-commission-refers-france-and-spain-to-the-cjeu-over");
    assert_eq!(
        policy.date, "2026-06-14",
        "a weekly's items carry the Sunday closing its week"
    );
    assert_eq!(policy.kind, ItemKind::Weekly);
    assert_eq!(policy.verification.as_deref(), Some("single-source"));
    assert_eq!(
        policy.title,
        "European Commission refers France and Spain to the CJEU over NIS2 non-transposition"
    );
}

#[test]
fn brief_and_entry_of_one_story_are_one_item() {
    let id = "2026-06-10/cve-2026-10520-cve-2026-10523-ivanti-sentry-pre-auth-os-comm";
    let matching: Vec<_> = parsed().items.iter().filter(|item| item.id == id).collect();
    assert_eq!(matching.len(), 1);
    let merged = matching[0];
    assert_eq!(merged.kind, ItemKind::Daily);
    assert_eq!(merged.section, "trending-vulnerabilities");
    assert_eq!(
        merged.paths,
        [
            "entries/2026-06-10/cve-2026-10520-cve-2026-10523-ivanti-sentry-pre-auth-os-comm.md",
            "briefs/2026-06-10.md"
        ]
    );

    // Weekly items migrated into the folder of their discovery date keep the entry id.
    let weekly = item("2026-05-04/abw-poland-2025-annual-report-apt28-apt29-unc1151-tri-attrib");
    assert_eq!(weekly.kind, ItemKind::Weekly);
    assert_eq!(weekly.section, "weekly-annual-reports");
    assert_eq!(weekly.brief.as_ref().unwrap().id, "2026-W19");
    assert!(!parsed()
        .items
        .iter()
        .any(|item| item.id
            == "2026-W19/abw-poland-2025-annual-report-apt28-apt29-unc1151-tri-attrib"));

    let merged_w19 = items_of_brief("2026-W19")
        .iter()
        .filter(|item| item.id.starts_with("2026-05-04/"))
        .count();
    assert_eq!(merged_w19, 25);
    let standalone = parsed()
        .items
        .iter()
        .filter(|item| item.kind == ItemKind::Entry)
        .count();
    assert_eq!(
        standalone, 45,
        "16 from the absent 2026-05-08 brief and 29 never migrated"
    );
}

#[test]
fn update_item_in_a_block_quote_with_its_footer() {
    let update = item("2026-07-03/fortibleed-fortigate-credential-harvesting-linked-to-inc-ran");
    assert!(update.update);
    assert_eq!(update.title, "FortiBleed FortiGate credential-harvesting linked to INC Ransom / Lynx deployments; scale revised ~5× up");
    assert_eq!(update.update_of.as_deref(), Some("2026-06-18"));
    assert_eq!(
        update.footer.tags,
        ["ransomware", "organized-crime", "russia-nexus"]
    );
    assert_eq!(update.footer.regions, ["global"]);
    assert_eq!(update.hosts(), ["socradar.io", "thehackernews.com"]);
    assert!(
        !update.body.contains("Source:"),
        "the footer is a field, not body text"
    );
    assert!(update.entities.contains(&"actor:inc-ransom".to_string()));
}

/// The brief of 2026-06-10 heads the CRA story `### UPDATE:` and quotes
/// "**UPDATE (originally covered 2026-W23 weekly):**" (lines 158–160); its entry
/// file says `update_of: null`. The merged item stays an update of W23.
#[test]
fn an_update_stays_one_when_its_entry_says_nothing() {
    let cra = item("2026-06-10/eu-cyber-resilience-act-reaches-its-first-hard-deadline-noti");
    assert_eq!(cra.paths.len(), 2, "the entry and the brief");
    assert_eq!(cra.section, "updates");
    assert!(cra.update);
    assert_eq!(cra.update_of.as_deref(), Some("2026-W23"));
}

/// W24's long-running stories open with `` `key: campaign:…` `` markers (lines 202,
/// 208 and 214): the key links the item, as the originating site did, though the
/// campaign's name is never written.
#[test]
fn a_key_marker_links_a_weekly_item() {
    let velvet = item("2026-W24/velvet-ant-operation-highland-sygnia-documents-decade-long-l");
    assert_eq!(
        velvet.explicit_entities,
        ["campaign:velvet-ant-operation-highland-2026"]
    );
    assert!(velvet
        .entities
        .contains(&"campaign:velvet-ant-operation-highland-2026".to_string()));
    // `key: actor:VerdantBamboo` means the registry's lower-case key.
    let verdant = item("2026-W24/verdantbamboo-unc5221-warp-panda-bsd-compiled-brickstorm-con");
    assert_eq!(verdant.explicit_entities, ["actor:verdantbamboo"]);
    let apt28 = item("2026-W24/apt28-gru-unit-26165-sekoia-documents-a-shift-to-llm-generat");
    assert!(apt28
        .entities
        .contains(&"campaign:apt28-tradecraft-evolution-2026".to_string()));
}

#[test]
fn footer_fields_of_a_later_item() {
    let drupal = item("2026-05-20/drupal-core-highly-critical-pre-patch-warning-unauthenticate");
    assert_eq!(drupal.section, "active-threats");
    assert_eq!(
        drupal.footer.tags,
        ["vulnerabilities", "pre-auth", "no-patch"]
    );
    assert_eq!(drupal.footer.regions, ["switzerland", "europe", "global"]);
    assert_eq!(drupal.footer.sectors, ["public-sector", "education"]);
    let hosts: BTreeSet<&str> = drupal.hosts().into_iter().collect();
    let expected: BTreeSet<&str> = [
        "drupal.org",
        "security-hub.ncsc.admin.ch",
        "wid.cert-bund.de",
        "securityweek.com",
        "theregister.com",
        "thehackernews.com",
    ]
    .into();
    assert_eq!(hosts, expected);
}

#[test]
fn early_items_keep_markers_as_fields() {
    let ncsc = item("2026-05-06/switzerland-ncsc-double-phishing-parcel-delivery-lure-follow");
    assert_eq!(
        ncsc.verification.as_deref(),
        Some("single-source-national-cert")
    );
    assert_eq!(ncsc.title, "Switzerland: NCSC \"Double Phishing\" — Parcel Delivery Lure Followed by Telephone Callback Fraud");
    assert_eq!(ncsc.hosts(), ["ncsc.admin.ch"]);

    let mediaworks = item("2026-05-06/mediaworks-kft-hungary-data-theft-extortion-claim-confirmed");
    assert_eq!(mediaworks.markers, ["EU Nexus"]);
    assert_eq!(
        mediaworks.hosts(),
        ["therecord.media", "securityboulevard.com"]
    );

    let ants = item("2026-05-07/france-ants-breach-confirmed-account-count-11-7-million");
    assert!(ants.update);
    assert_eq!(ants.update_of.as_deref(), Some("2026-05-06"));
    assert_eq!(ants.section, "updates");
}

#[test]
fn entity_links_on_chosen_items() {
    let has = |id: &str, key: &str| item(id).entities.iter().any(|entity| entity == key);

    // An alias: "APT37" and "Reaper" name ScarCruft.
    assert!(has(
        "2026-05-06/scarcruft-apt37-deploys-birdcall-via-gaming-platform-supply",
        "actor:scarcruft"
    ));
    assert!(has(
        "2026-05-07/oceanlotus-apt32-year-long-pypi-supply-chain-attack-delivers",
        "actor:oceanlotus"
    ));
    // A case-sensitive acronym: "feeding Rhysida, INC, Qilin and Akira".
    assert!(has(
        "2026-05-20/microsoft-dcu-disrupts-fox-tempest-malware-signing-as-a-serv",
        "actor:inc-ransom"
    ));
    assert!(has(
        "2026-05-20/microsoft-dcu-disrupts-fox-tempest-malware-signing-as-a-serv",
        "actor:fox-tempest"
    ));
    // A tombstone forwarded: the entry lists campaign:eu-cyber-resilience-act.
    let cra = "2026-06-10/eu-cyber-resilience-act-reaches-its-first-hard-deadline-noti";
    assert!(has(cra, "policy:eu-cyber-resilience-act"));
    assert!(!has(cra, "campaign:eu-cyber-resilience-act"));
    // No match inside a longer word or in the wrong case: "ADT Inc." and "incident".
    let adt = "2026-05-06/adt-inc-cloud-environment-breach-customer-pii-accessed-sec-8";
    assert!(item(adt).body.contains("ADT Inc."));
    assert!(!has(adt, "actor:inc-ransom"));
    let canvas = "2026-05-06/instructure-canvas-lms-data-breach-affecting-global-educatio";
    assert!(item(canvas).body.contains("cybersecurity incident"));
    assert!(!has(canvas, "actor:inc-ransom"));
    // CVE ids by pattern.
    assert!(has(
        "2026-05-06/cve-2026-31431-copy-fail-linux-kernel-lpe-active-exploitatio",
        "CVE-2026-31431"
    ));
}

#[test]
fn unregistered_explicit_keys_are_kept() {
    let telerik = parsed().items.iter().find(|item| {
        item.explicit_entities
            .contains(&"product:progress-telerik-ui-for-asp-net-ajax".to_string())
    });
    let telerik = telerik.expect("an entry lists the Telerik product key");
    assert!(telerik
        .entities
        .contains(&"product:progress-telerik-ui-for-asp-net-ajax".to_string()));
}

/// No paragraph of a brief may be lost: every block's text is in an item or in the
/// brief-level text (footers excepted: they become fields; headings become titles,
/// checked by the tests above).
#[test]
fn no_paragraph_of_a_brief_is_lost() {
    let squash = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    for file in corpus::walk(&common::corpus_dir())
        .unwrap()
        .iter()
        .filter(|f| f.path.starts_with("briefs/"))
    {
        let brief_id = file
            .path
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".md");
        let mut kept = String::new();
        for item in parsed().items.iter().filter(|item| {
            item.brief.as_ref().is_some_and(|b| b.id == brief_id) || item.id == brief_id
        }) {
            kept.push_str(&squash(&item.title));
            kept.push(' ');
            kept.push_str(&squash(&item.body));
            kept.push(' ');
        }
        for block in markdown::blocks(&file.text) {
            if matches!(block.kind, markdown::BlockKind::Heading(_)) {
                continue;
            }
            let source = &file.text[block.range.clone()];
            for line in source.lines() {
                let line = line.trim_start_matches('>').trim();
                if line.starts_with("— *") || line.is_empty() {
                    continue;
                }
                let text = squash(&markdown::render(line).text);
                if text.len() > 12 && !text.starts_with('|') {
                    // The tail: a bold-lead title loses its markers, its body does not.
                    let skip = text.chars().count().saturating_sub(60);
                    let probe: String = text.chars().skip(skip).collect();
                    assert!(
                        kept.contains(&probe),
                        "{}:{}: lost {probe:?}",
                        file.path,
                        block.line
                    );
                }
            }
        }
    }
}
