//! Tagging rules as a table: (name, labels, text, expected spans), grouped by rule.

use super::*;
use crate::registry::Registry;

/// A registry from `(key, name, aliases)` rows.
fn registry(rows: &[(&str, &str, &[&str])]) -> Registry {
    let mut yaml = String::from("entities:\n");
    for (key, name, aliases) in rows {
        let aliases: Vec<String> = aliases.iter().map(|alias| format!("{alias:?}")).collect();
        yaml.push_str(&format!(
            "  - key: {key:?}\n    type: {}\n    name: {name:?}\n    aliases: [{}]\n",
            key.split(':').next().unwrap(),
            aliases.join(", ")
        ));
    }
    Registry::parse("test.yaml", &yaml).unwrap()
}

/// `(key, matched text)` pairs found in `text`.
fn spans(tagger: &Tagger, text: &str) -> Vec<(String, String)> {
    tagger
        .tag(text)
        .into_iter()
        .map(|mention| {
            assert_eq!(&text[mention.start..mention.end], mention.label);
            (mention.key, mention.label)
        })
        .collect()
}

struct Row {
    name: &'static str,
    text: &'static str,
    expected: &'static [(&'static str, &'static str)],
}

fn check(rows: &[Row], dictionary: &[(&str, &str, &[&str])], builder: TaggerBuilder) {
    let tagger = builder.build(&registry(dictionary));
    for row in rows {
        let expected: Vec<(String, String)> = row
            .expected
            .iter()
            .map(|(key, label)| (key.to_string(), label.to_string()))
            .collect();
        assert_eq!(spans(&tagger, row.text), expected, "row `{}`", row.name);
    }
}

const DICTIONARY: &[(&str, &str, &[&str])] = &[
    (
        "actor:apt42",
        "APT42",
        &["Charming Kitten", "Mint Sandstorm"],
    ),
    ("actor:oilrig", "OilRig", &["APT34", "Helix Kitten"]),
    ("actor:helix-extortion", "Helix", &[]),
    (
        "actor:inc-ransom",
        "INC Ransom",
        &["INC", "INC Ransomware", "Lynx"],
    ),
    ("policy:cra", "Cyber Resilience Act", &["CRA"]),
    ("actor:888", "888", &[]),
    ("actor:short", "Ab", &["x"]),
    ("actor:gamaredon", "Gamaredon", &[]),
    ("campaign:cafe", "Opération Café", &[]),
    ("tool:ab-cd", "AB-CD Loader", &["AB-CD"]),
];

#[test]
fn word_boundaries() {
    check(
        &[
            Row {
                name: "inside a longer word",
                text: "the Lynxes and Gamaredonia",
                expected: &[],
            },
            Row {
                name: "hyphen is a boundary",
                text: "Lynx-based loader",
                expected: &[("actor:inc-ransom", "Lynx")],
            },
            Row {
                name: "possessive",
                text: "Gamaredon's tooling",
                expected: &[("actor:gamaredon", "Gamaredon")],
            },
            Row {
                name: "curly possessive",
                text: "Gamaredon\u{2019}s tooling",
                expected: &[("actor:gamaredon", "Gamaredon")],
            },
            Row {
                name: "shorter match survives a longer candidate failing",
                text: "AB-CD Loaders spread",
                expected: &[("tool:ab-cd", "AB-CD")],
            },
            Row {
                name: "a written-out address is no mention, the text around it is",
                text: "<https://lynx.example/Gamaredon>, www.lynx.example\u{a0}Lynx \
                       (https://x.example/Lynx) HTTPS://X.EXAMPLE/LYNX Gamaredon",
                expected: &[
                    ("actor:inc-ransom", "Lynx"),
                    ("actor:gamaredon", "Gamaredon"),
                ],
            },
        ],
        DICTIONARY,
        TaggerBuilder::new(),
    );
}

#[test]
fn case_rules() {
    check(
        &[
            Row {
                name: "long label any case",
                text: "charming kitten and MINT SANDSTORM",
                expected: &[
                    ("actor:apt42", "charming kitten"),
                    ("actor:apt42", "MINT SANDSTORM"),
                ],
            },
            Row {
                name: "short capitals exact case",
                text: "INC claimed it; the CRA applies",
                expected: &[("actor:inc-ransom", "INC"), ("policy:cra", "CRA")],
            },
            Row {
                name: "short capitals in lower case",
                text: "inc. and cra and Inc",
                expected: &[],
            },
            Row {
                name: "short label inside a word",
                text: "incident response",
                expected: &[],
            },
            Row {
                name: "digits only",
                text: "handle 888 again, not 8888",
                expected: &[("actor:888", "888")],
            },
            Row {
                name: "mixed-case short and one-letter labels never match",
                text: "Ab said x",
                expected: &[],
            },
            Row {
                name: "non-ASCII letters fold",
                text: "the OPÉRATION CAFÉ relaunch",
                expected: &[("campaign:cafe", "OPÉRATION CAFÉ")],
            },
        ],
        DICTIONARY,
        TaggerBuilder::new(),
    );
}

#[test]
fn longest_label_wins() {
    check(
        &[
            Row {
                name: "alias containing another name",
                text: "Helix Kitten tooling",
                expected: &[("actor:oilrig", "Helix Kitten")],
            },
            Row {
                name: "the shorter name alone",
                text: "the Helix brand",
                expected: &[("actor:helix-extortion", "Helix")],
            },
            Row {
                name: "longer alias of the same entity",
                text: "INC Ransomware claimed",
                expected: &[("actor:inc-ransom", "INC Ransomware")],
            },
        ],
        DICTIONARY,
        TaggerBuilder::new(),
    );
}

/// "World Leaks" is also written "WorldLeaks", and "support-portal" "Support
/// Portal": a name matches with hyphens for spaces, spaces for hyphens, or, when
/// its words are capitalised, run together in that case.
#[test]
fn names_spelled_with_other_separators() {
    check(
        &[
            Row {
                name: "hyphens for spaces",
                text: "a Charming-Kitten lure",
                expected: &[("actor:apt42", "Charming-Kitten")],
            },
            Row {
                name: "spaces for hyphens",
                text: "the AB CD Loader again",
                expected: &[("tool:ab-cd", "AB CD Loader")],
            },
            Row {
                name: "run together, in the name's case only",
                text: "CharmingKitten and charmingkitten",
                expected: &[("actor:apt42", "CharmingKitten")],
            },
        ],
        DICTIONARY,
        TaggerBuilder::new(),
    );
    // A code name keeps its hyphen in any case, and is written with a space only
    // in its own case; a name of words takes either in any case, but not mixed.
    check(
        &[
            Row {
                name: "a code name with a hyphen, in any case",
                text: "Storm-2949 and STORM-2949 and tag-179",
                expected: &[
                    ("actor:storm-2949", "Storm-2949"),
                    ("actor:storm-2949", "STORM-2949"),
                    ("actor:bitter", "tag-179"),
                ],
            },
            Row {
                name: "a code name with a space, in its own case only",
                text: "Storm 2949 struck; storm 2949 devices and tag 179 did not",
                expected: &[("actor:storm-2949", "Storm 2949")],
            },
            Row {
                name: "a name of words with either, in any case",
                text: "mini shai hulud, MINI-SHAI-HULUD, Mini Shai-Hulud",
                expected: &[
                    ("malware:shai-hulud", "mini shai hulud"),
                    ("malware:shai-hulud", "MINI-SHAI-HULUD"),
                    ("malware:shai-hulud", "Mini Shai-Hulud"),
                ],
            },
            Row {
                name: "but not mixed",
                text: "mini-shai hulud",
                expected: &[],
            },
            Row {
                name: "a non-breaking hyphen is a hyphen",
                text: "ÉTÉ: Storm\u{2011}2949, TAG\u{2011}179 and Mini Shai\u{2011}Hulud; Storm\u{2011}2948",
                expected: &[
                    ("actor:storm-2949", "Storm\u{2011}2949"),
                    ("actor:bitter", "TAG\u{2011}179"),
                    ("malware:shai-hulud", "Mini Shai\u{2011}Hulud"),
                ],
            },
            Row {
                name: "and so is Unicode's hyphen",
                text: "Storm\u{2010}2949 and MINI SHAI\u{2010}HULUD",
                expected: &[
                    ("actor:storm-2949", "Storm\u{2010}2949"),
                    ("malware:shai-hulud", "MINI SHAI\u{2010}HULUD"),
                ],
            },
        ],
        &[
            ("actor:storm-2949", "Storm-2949", &[]),
            ("actor:bitter", "Bitter", &["TAG-179"]),
            ("malware:shai-hulud", "Mini Shai-Hulud", &[]),
        ],
        TaggerBuilder::new(),
    );
    // One pattern serves every mix of hyphens and spaces: "Charming Kitten" and
    // "AB-CD Loader" are two patterns each (as written, and run together).
    let tagger = TaggerBuilder::new().build(&registry(&[
        ("actor:apt42", "Charming Kitten", &[]),
        ("tool:ab-cd", "AB-CD Loader", &[]),
    ]));
    assert_eq!(tagger.label_count(), 4);
    assert_eq!(
        spellings("World Leaks"),
        [
            ("World Leaks".to_string(), false),
            ("World-Leaks".to_string(), false),
            ("WorldLeaks".to_string(), true)
        ]
    );
    assert_eq!(
        spellings("DigiCert support-portal compromise"),
        [
            ("DigiCert support-portal compromise".to_string(), false),
            ("DigiCert support portal compromise".to_string(), false),
            ("DigiCert-support-portal-compromise".to_string(), false)
        ]
    );
    assert_eq!(spellings("Qilin"), [("Qilin".to_string(), false)]);
    assert_eq!(
        spellings("Storm-2949"),
        [
            ("Storm-2949".to_string(), false),
            ("Storm 2949".to_string(), true)
        ]
    );
}

#[test]
fn cve_ids() {
    check(
        &[
            Row {
                name: "plain",
                text: "CVE-2026-31431 is bad",
                expected: &[("CVE-2026-31431", "CVE-2026-31431")],
            },
            Row {
                name: "in a written-out address, which is about it",
                text: "https://nvd.nist.gov/vuln/detail/CVE-2024-57726",
                expected: &[("CVE-2024-57726", "CVE-2024-57726")],
            },
            Row {
                name: "lower case normalised",
                text: "see cve-2026-0300.",
                expected: &[("CVE-2026-0300", "cve-2026-0300")],
            },
            Row {
                name: "a list that goes on with a whole id",
                text: "CVE-2026-29201/29202/CVE-2026-29203",
                expected: &[
                    ("CVE-2026-29201", "CVE-2026-29201"),
                    ("CVE-2026-29202", "29202"),
                    ("CVE-2026-29203", "CVE-2026-29203"),
                ],
            },
            Row {
                name: "placeholders and ids the CVE program never assigns",
                text: "CVE-0000-0000, CVE-2026-0000, CVE-1998-1234, CVE-9999-1234, CVE-2026-00001 \
                       but CVE-1999-0001",
                expected: &[("CVE-1999-0001", "CVE-1999-0001")],
            },
            Row {
                name: "slash pair",
                text: "CVE-2026-10520/CVE-2026-10523",
                expected: &[
                    ("CVE-2026-10520", "CVE-2026-10520"),
                    ("CVE-2026-10523", "CVE-2026-10523"),
                ],
            },
            Row {
                name: "one year's ids listed after a slash",
                text: "cPanel CVE-2026-29201/29202/29203 fixed",
                expected: &[
                    ("CVE-2026-29201", "CVE-2026-29201"),
                    ("CVE-2026-29202", "29202"),
                    ("CVE-2026-29203", "29203"),
                ],
            },
            Row {
                name: "the W24 and 2026-05-07 briefs' shorter lists",
                text: "CVE-2026-10520 / -10523, CVE-2026-49200/-49201) and CVE-2026-23926/27/28",
                expected: &[
                    ("CVE-2026-10520", "CVE-2026-10520"),
                    ("CVE-2026-10523", "10523"),
                    ("CVE-2026-49200", "CVE-2026-49200"),
                    ("CVE-2026-49201", "49201"),
                    ("CVE-2026-23926", "CVE-2026-23926"),
                    ("CVE-2026-23927", "27"),
                    ("CVE-2026-23928", "28"),
                ],
            },
            Row {
                name: "a list stops at a number glued to a word, and drops one glued to a slash that lists nothing",
                text: "CVE-2026-1281/1340x and cve-2026-4670/5174/12 and CVE-2026-1340 / 8080/tcp",
                expected: &[
                    ("CVE-2026-1281", "CVE-2026-1281"),
                    ("CVE-2026-4670", "cve-2026-4670"),
                    ("CVE-2026-1340", "CVE-2026-1340"),
                ],
            },
            Row {
                name: "years, dates, times, long and padded numbers after a slash are no ids",
                text: "CVE-2025-1234 / 2026 patch; CVE-2026-1340 / 2026/05/10; CVE-2026-1341/1990s; \
                       CVE-2026-1342 / 20260510; CVE-2026-1343/01234; CVE-2026-1344/0000; \
                       CVE-2026-1345 / 4300:12",
                expected: &[
                    ("CVE-2025-1234", "CVE-2025-1234"),
                    ("CVE-2026-1340", "CVE-2026-1340"),
                    ("CVE-2026-1341", "CVE-2026-1341"),
                    ("CVE-2026-1342", "CVE-2026-1342"),
                    ("CVE-2026-1343", "CVE-2026-1343"),
                    ("CVE-2026-1344", "CVE-2026-1344"),
                    ("CVE-2026-1345", "CVE-2026-1345"),
                ],
            },
            Row {
                name: "a list written with spaces",
                text: "companions CVE-2026-5786 / 5788 / 7821.",
                expected: &[
                    ("CVE-2026-5786", "CVE-2026-5786"),
                    ("CVE-2026-5788", "5788"),
                    ("CVE-2026-7821", "7821"),
                ],
            },
            Row {
                name: "a date or a version after a slash is no id",
                text: "CVE-2026-1281 / 2026-05-10 and CVE-2026-1340/2026.1 and CVE-2026-9999 /1234",
                expected: &[
                    ("CVE-2026-1281", "CVE-2026-1281"),
                    ("CVE-2026-1340", "CVE-2026-1340"),
                    ("CVE-2026-9999", "CVE-2026-9999"),
                    ("CVE-2026-1234", "1234"),
                ],
            },
            Row {
                name: "en and em dashes a word processor put for the hyphens, as search reads them",
                text: "CVE\u{2013}2026\u{2013}31431, cve\u{2014}2026\u{2014}31635/31636 and \
                       CVE-2026-1000\u{2013}1005",
                expected: &[
                    ("CVE-2026-31431", "CVE\u{2013}2026\u{2013}31431"),
                    ("CVE-2026-31635", "cve\u{2014}2026\u{2014}31635"),
                    ("CVE-2026-31636", "31636"),
                    ("CVE-2026-1000", "CVE-2026-1000"),
                ],
            },
            Row {
                name: "a dash elsewhere is no id",
                text: "CVE \u{2013} 2026 \u{2013} 31431 and CVE\u{2015}2026\u{2015}31431",
                expected: &[],
            },
            Row {
                name: "too few digits",
                text: "CVE-2026-123 and CVE-26-1234",
                expected: &[],
            },
            Row {
                name: "glued to a word",
                text: "xCVE-2026-31431",
                expected: &[],
            },
        ],
        DICTIONARY,
        TaggerBuilder::new(),
    );
}

#[test]
fn exact_case_words() {
    let dictionary: &[(&str, &str, &[&str])] = &[
        ("actor:embargo", "Embargo", &[]),
        ("actor:qilin", "Qilin", &["Agenda"]),
        ("actor:unsafe", "Unsafe", &[]),
    ];
    check(
        &[
            Row {
                name: "ordinary word",
                text: "an arms embargo on the agenda",
                expected: &[],
            },
            Row {
                name: "as a name",
                text: "the Embargo group and Agenda ransomware",
                expected: &[("actor:embargo", "Embargo"), ("actor:qilin", "Agenda")],
            },
            Row {
                name: "first word of a sentence",
                text: "Unsafe deserialization. Embargo rose.",
                expected: &[],
            },
            Row {
                name: "after a colon",
                text: "Impact: Unsafe defaults",
                expected: &[],
            },
            Row {
                name: "sentence start backed by a mid-sentence name",
                text: "Embargo struck again. Analysts tie it to the Embargo group.",
                expected: &[("actor:embargo", "Embargo"), ("actor:embargo", "Embargo")],
            },
        ],
        dictionary,
        TaggerBuilder::new().exact_case_words(["embargo", "agenda", "unsafe"]),
    );
}

#[test]
fn measurement_switches() {
    let tagger = TaggerBuilder::new()
        .longest_match(false)
        .build(&registry(DICTIONARY));
    let keys: Vec<String> = tagger
        .tag("Helix Kitten tooling")
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(
        keys,
        ["actor:oilrig", "actor:helix-extortion"],
        "every label fires, as on the originating site"
    );

    let loose = TaggerBuilder::new()
        .word_boundaries(false)
        .build(&registry(DICTIONARY));
    assert_eq!(
        spans(&loose, "Lynxes"),
        [("actor:inc-ransom".to_string(), "Lynx".to_string())]
    );

    let any_case = TaggerBuilder::new()
        .short_labels_exact_case(false)
        .build(&registry(DICTIONARY));
    assert_eq!(
        spans(&any_case, "the cra applies"),
        [("policy:cra".to_string(), "cra".to_string())]
    );
}

#[test]
fn shipped_rules_know_common_words() {
    let registry = registry(&[("actor:embargo", "Embargo", &[])]);
    assert!(Tagger::new(&registry).tag("an arms embargo").is_empty());
    assert!(
        TaggerBuilder::new()
            .build(&registry)
            .tag("an arms embargo")
            .len()
            == 1
    );
}

#[test]
fn a_name_of_several_ordinary_words_needs_its_capitals_but_the_first() {
    let registry = registry(&[("actor:thegentlemen", "The Gentlemen", &[])]);
    let tagger = Tagger::new(&registry);
    let linked = |text: &str| spans(&tagger, text);
    let gentlemen = |written: &str| vec![("actor:thegentlemen".to_string(), written.to_string())];

    assert!(linked("Turla, Sandworm and the gentlemen of the jury.").is_empty());
    assert!(linked("The gentlemen left early.").is_empty());
    assert!(linked("THE GENTLEMEN").is_empty());
    // Opening a sentence, where one ordinary word would not count.
    assert_eq!(
        linked("The Gentlemen claimed it."),
        gentlemen("The Gentlemen")
    );
    assert_eq!(
        linked("a claim by the Gentlemen group"),
        gentlemen("the Gentlemen")
    );
    assert_eq!(
        linked("on the TheGentlemen leak site"),
        gentlemen("TheGentlemen")
    );
}

#[test]
fn tombstones_are_never_matched_and_explicit_keys_forward() {
    let yaml = "entities:\n  - key: \"actor:new\"\n    type: actor\n    name: \"Newname\"\n  - key: \"actor:old\"\n    type: actor\n    name: \"Oldname\"\n    merged_into: \"actor:new\"\n";
    let registry = Registry::parse("t.yaml", yaml).unwrap();
    let tagger = Tagger::new(&registry);
    assert!(tagger.tag("Oldname struck").is_empty());

    let mut item = crate::item::Item {
        explicit_entities: vec!["actor:old".into(), "product:unknown".into()],
        ..test_item("Newname struck")
    };
    link(&mut item, &tagger, &registry);
    assert_eq!(item.entities, ["actor:new", "product:unknown"]);
}

#[test]
fn character_offsets_count_characters() {
    let registry = registry(DICTIONARY);
    let text = "Éé Lynx";
    let mentions = Tagger::new(&registry).tag(text);
    let described = describe(&mentions, text, &registry);
    assert_eq!((described[0].start, described[0].char_start), (5, 3));
    assert_eq!(described[0].name, "INC Ransom");
    assert_eq!(described[0].kind, "actor");
}

fn test_item(title: &str) -> crate::item::Item {
    crate::item::Item {
        id: "2026-01-01/x".into(),
        date: "2026-01-01".into(),
        kind: crate::item::ItemKind::Entry,
        level: crate::item::Level::Item,
        brief: None,
        section: "other".into(),
        title: title.into(),
        summary: String::new(),
        body_markdown: String::new(),
        body: String::new(),
        update: false,
        rollup: false,
        update_of: None,
        verification: None,
        markers: Vec::new(),
        footer: Default::default(),
        sources: Vec::new(),
        explicit_entities: Vec::new(),
        mentions: Vec::new(),
        entities: Vec::new(),
        paths: Vec::new(),
        line: 1,
        migrated_from: None,
    }
}

/// The development corpus folder.
fn corpus() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::settings::DEFAULT_CORPUS)
}

/// A real daily brief, whole.
fn real_brief() -> String {
    std::fs::read_to_string(corpus().join("briefs/2026-06-22.md"))
        .expect("the development corpus lies beside the project")
}

/// The two-byte shortcut for word boundaries must agree with segmenting the whole
/// text, at every offset it decides, on real briefs and on punctuation-dense text.
#[test]
fn ascii_boundary_shortcut_agrees_with_full_segmentation() {
    use unicode_segmentation::UnicodeSegmentation;
    let texts = [
        "a.b 3,5 it's a:b x_y CVE-2026-1 \"q\" (p) [r] {s} a\r\nb  c\td-e/f".to_string(),
        "Akira's 2.4.66 T1566.004 actor:apt42 ;x; ,y, 'z' \u{2019}s é-a a\u{301}b".to_string(),
        (0u8..128).map(char::from).collect::<String>(),
        real_brief(),
    ];
    for text in &texts {
        let full: std::collections::BTreeSet<usize> = text
            .split_word_bound_indices()
            .map(|(offset, _)| offset)
            .chain([text.len()])
            .collect();
        for offset in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            if let Some(shortcut) = super::ascii_boundary(text.as_bytes(), offset) {
                assert_eq!(
                    shortcut,
                    full.contains(&offset),
                    "offset {offset} of {text:?}"
                );
            }
        }
    }
}

/// The DFA of small dictionaries and the NFA of large ones find the same mentions:
/// the real registry over every real brief, compiled both ways.
#[test]
fn dfa_and_nfa_tag_alike() {
    let corpus = corpus();
    let registry = Registry::load(&corpus.join("entities/registry.yaml")).unwrap();
    let dfa = TaggerBuilder::shipped().build(&registry);
    let nfa = TaggerBuilder::shipped().dfa_max_labels(0).build(&registry);
    let mut briefs = 0;
    let mut mentions = 0;
    for entry in std::fs::read_dir(corpus.join("briefs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            let found = spans(&dfa, &text);
            assert_eq!(found, spans(&nfa, &text), "{}", path.display());
            briefs += 1;
            mentions += found.len();
        }
    }
    assert_eq!(briefs, 7);
    // 413 CVE ids, with the 26 numbers listed after a slash, from
    // `CVE-2026-4670/5174` to `CVE-2026-44128 / 44125 / 44126 / 44127 / 44129 / 7864`
    // and `CVE-2026-23926/27/28` (three times), and those in link targets; 202 names,
    // 10 of them spelled with hyphens for spaces or run together: `TheGentlemen` (5),
    // `DAEMON Tools supply chain compromise` (2), `Mini-Shai-Hulud`,
    // `Scattered-Spider`, `DigiCert Support Portal Compromise`. The markdown is tagged
    // raw here, link targets and all: the 58 names inside them (`fox-tempest`,
    // `quasar-linux`, …) are part of addresses and no mentions.
    assert_eq!(mentions, 615);
}

/// Deciding a boundary from the stretch between whitespace around it gives what
/// segmenting the whole text gives, at every offset a label could start or end at
/// (not inside a whitespace run, which no trimmed label touches).
#[test]
fn local_boundaries_agree_with_whole_text_segments() {
    let texts = [
        "Akira's 2.4.66 T1566.004 actor:apt42 ;x; ,y, 'z' \u{2019}s é-a a\u{301}b “Qilin”—Akira"
            .to_string(),
        "Sécurité: l'ANSSI (FR) a.b 3,5 it's\u{a0}x\u{2009}y 日本語 Kimsuky’s".to_string(),
        real_brief(),
    ];
    for text in &texts {
        let mut whole = std::collections::BTreeSet::new();
        segments(text, |offset, _| {
            whole.insert(offset);
        });
        whole.insert(text.len());
        let boundaries = Boundaries::new(text);
        let bytes = text.as_bytes();
        for offset in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            let in_blank = offset > 0
                && offset < bytes.len()
                && bytes[offset - 1].is_ascii_whitespace()
                && bytes[offset].is_ascii_whitespace();
            if !in_blank {
                assert_eq!(
                    boundaries.contains(offset),
                    whole.contains(&offset),
                    "offset {offset} of {:?}",
                    &text[offset.saturating_sub(12)..]
                        .chars()
                        .take(24)
                        .collect::<String>()
                );
            }
        }
    }
}
