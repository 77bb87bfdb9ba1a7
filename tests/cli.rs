//! The command line, black-box, on temporary folders.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn dossier(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_dossier"));
    command
        .args(args)
        .env_remove("DOSSIER_INDEX")
        .env_remove("DOSSIER_REGISTRY")
        .env("RUST_LOG", "warn");
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(stdin.unwrap_or("").as_bytes())
        .expect("stdin takes the text");
    drop(pipe);
    child.wait_with_output().expect("the binary finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn corpus() -> String {
    common::corpus_dir().display().to_string()
}

fn build(index: &Path) -> Output {
    dossier(
        &["index", &corpus(), "--index", index.to_str().unwrap()],
        None,
    )
}

fn total(index: &Path, query: &str) -> u64 {
    let output = dossier(
        &[
            "search",
            query,
            "--index",
            index.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("search --json prints JSON");
    json["total"].as_u64().expect("a total")
}

#[test]
fn index_twice_gives_the_same_index() {
    let dir = tempfile::tempdir().unwrap();
    let first = build(dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let line = text(&first.stdout);
    assert!(
        line.starts_with("indexed 9 briefs, 90 entries: 221 items, "),
        "{line}"
    );
    assert!(line.contains("6 unregistered keys"), "{line}");
    assert_eq!(total(dir.path(), ""), 230);

    let second = build(dir.path());
    assert!(second.status.success());
    assert_eq!(
        total(dir.path(), ""),
        230,
        "a rebuild replaces, it does not add"
    );
}

#[test]
fn search_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    assert!(build(dir.path()).status.success());
    let output = dossier(
        &[
            "search",
            "NIS2 France",
            "--index",
            dir.path().to_str().unwrap(),
            "--json",
            "--limit",
            "3",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in ["query", "total", "hits", "facets"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let hit = &json["hits"][0];
    for key in [
        "id", "title", "date", "kind", "brief", "section", "score", "snippet", "entities", "hosts",
        "url",
    ] {
        assert!(hit.get(key).is_some(), "hit misses {key}");
    }
    assert_eq!(
        hit["id"],
        "2026-W24/european-commission-refers-france-and-spain-to-the-cjeu-over"
    );
    for facet in ["section", "host", "month", "entity"] {
        assert!(json["facets"][facet].is_array(), "facets.{facet}");
    }

    let malformed = dossier(
        &[
            "search",
            "\"unbalanced",
            "--index",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(malformed.status.code(), Some(2));
    let message = text(&malformed.stderr);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(message.contains("column 1"), "{message}");
}

#[test]
fn tag_reads_standard_input() {
    let text_in =
        "Charming Kitten (APT42) targeted ministries. INC Ransomware claimed the attack; \
                   the incident response team noted Helix Kitten tooling.";
    let registry = common::corpus_dir().join("entities/registry.yaml");
    let output = dossier(
        &[
            "tag",
            "-",
            "--json",
            "--registry",
            registry.to_str().unwrap(),
        ],
        Some(text_in),
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let keys: Vec<&str> = json["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "actor:apt42",
            "actor:apt42",
            "actor:inc-ransom",
            "actor:oilrig"
        ]
    );
    let first = &json["mentions"][0];
    assert_eq!(
        (
            first["start"].as_u64(),
            first["end"].as_u64(),
            first["label"].as_str()
        ),
        (Some(0), Some(15), Some("Charming Kitten"))
    );
}

#[test]
fn bad_input_is_named_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    assert!(build(&index).status.success());
    let total_before_empty = total(&index, "NIS2");
    assert!(total_before_empty > 0);

    // A folder with no briefs is named as such (not by the registry it also lacks),
    // each cause said once, and the index is kept.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let output = dossier(
        &[
            "index",
            empty.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("no briefs/ or entries/ markdown files found"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("No such file").count(), 0, "{stderr}");
    assert_eq!(total(&index, "NIS2"), total_before_empty);

    // Invalid UTF-8 in an added brief: exit 2, file and line named, index unchanged.
    let briefs = dir.path().join("corpus/briefs");
    std::fs::create_dir_all(&briefs).unwrap();
    let broken = briefs.join("2026-07-04.md");
    std::fs::write(
        &broken,
        b"# CTI Daily Brief \xe2\x80\x94 2026-07-04\n\n## 1. Active Threats\n\n### Bad \xff byte\n",
    )
    .unwrap();
    let output = dossier(
        &[
            "add",
            broken.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("briefs/2026-07-04.md:5: not valid UTF-8"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(total(&index, ""), 230);

    // A registry whose tombstone points at nothing: exit 2, the key named, index kept.
    let registry = dir.path().join("registry.yaml");
    let original =
        std::fs::read_to_string(common::corpus_dir().join("entities/registry.yaml")).unwrap();
    std::fs::write(
        &registry,
        original.replacen(
            "merged_into: \"actor:thegentlemen\"",
            "merged_into: \"actor:nobody\"",
            1,
        ),
    )
    .unwrap();
    let output = dossier(
        &[
            "index",
            &corpus(),
            "--index",
            index.to_str().unwrap(),
            "--registry",
            registry.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output.stderr);
    assert!(
        message.contains("entity `actor:gentlemen-raas-gentlekiller`")
            && message.contains("names no entity"),
        "{message}"
    );
    assert_eq!(total(&index, ""), 230);

    // A folder that holds something else is not overwritten.
    let other = dir.path().join("notes");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let output = build(&other);
    assert_eq!(output.status.code(), Some(2));
    assert!(other.join("keep.txt").exists());
}

#[test]
fn add_is_idempotent_and_replaces_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_copy = dir.path().join("corpus");
    common::copy_tree(&common::corpus_dir(), &corpus_copy);
    let brief = corpus_copy.join("briefs/2026-07-03.md");
    let original = std::fs::read_to_string(&brief).unwrap();
    std::fs::remove_file(&brief).unwrap();

    let index = dir.path().join("index");
    let output = dossier(
        &[
            "index",
            corpus_copy.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(total(&index, "Coolify"), 0);

    std::fs::write(&brief, &original).unwrap();
    let add = |index: &Path| {
        dossier(
            &[
                "add",
                brief.to_str().unwrap(),
                "--index",
                index.to_str().unwrap(),
            ],
            None,
        )
    };
    let output = add(&index);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).starts_with("added 1 briefs, 0 entries: 6 items"),
        "{}",
        text(&output.stdout)
    );
    // The Coolify item, the action items and the brief-level text cite Coolify.
    assert_eq!(total(&index, "Coolify"), 3);
    assert!(add(&index).status.success());
    assert_eq!(
        total(&index, "Coolify"),
        3,
        "adding the same file twice changes nothing"
    );
    assert_eq!(total(&index, ""), 230);

    let changed = original.replace("### Navient discloses", "### Navient (NAVI) discloses");
    std::fs::write(&brief, changed).unwrap();
    assert!(add(&index).status.success());
    assert_eq!(total(&index, "NAVI"), 1);
    assert_eq!(
        total(&index, ""),
        230,
        "the old Navient item is gone, the new one is in"
    );
}

/// Each `add` writes a small segment, and the merges it starts must finish before
/// the command exits: dropped with the process, they left one more segment per add.
#[test]
fn adds_one_brief_at_a_time_without_piling_up_segments() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_copy = dir.path().join("corpus");
    common::copy_tree(&common::corpus_dir(), &corpus_copy);
    let held = ["2026-06-01", "2026-06-10", "2026-06-22", "2026-07-03"];
    let mut texts = Vec::new();
    for date in held {
        let brief = corpus_copy.join(format!("briefs/{date}.md"));
        texts.push((brief.clone(), std::fs::read_to_string(&brief).unwrap()));
        std::fs::remove_file(&brief).unwrap();
    }
    let index = dir.path().join("index");
    let corpus_arg = corpus_copy.to_str().unwrap();
    let output = dossier(
        &["index", corpus_arg, "--index", index.to_str().unwrap()],
        None,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let segments = || {
        let meta = std::fs::read_to_string(index.join("meta.json")).unwrap();
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        meta["segments"].as_array().unwrap().len()
    };
    let before = segments();

    for (brief, original) in &texts {
        std::fs::write(brief, original).unwrap();
        let args = [
            "add",
            brief.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ];
        let output = dossier(&args, None);
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    assert_eq!(total(&index, ""), 230);
    assert!(
        segments() < before + held.len(),
        "{} segments after {} adds to {before}",
        segments(),
        held.len()
    );
}

#[test]
fn eval_linking_reports_recall_as_json() {
    let output = dossier(&["eval-linking", &corpus(), "--json"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("eval-linking --json prints JSON");
    assert!(json["recall"].as_f64().unwrap() >= 0.98);
    assert_eq!(json["findable"], 121);
    assert_eq!(json["rules"].as_array().unwrap().len(), 5);
    assert!(json["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|gap| gap["key"] == "incident:groupe-3r-akira-2026"));
}

#[test]
fn tag_suggests_curated_neighbours_first() {
    let dir = tempfile::tempdir().unwrap();
    assert!(build(dir.path()).status.success());
    let output = dossier(
        &[
            "tag",
            "-",
            "--suggest",
            "--json",
            "--index",
            dir.path().to_str().unwrap(),
        ],
        Some("Turla is back."),
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["mentions"][0]["key"], "actor:secretblizzard");
    let first = &json["suggestions"][0];
    // Two entry files of 2026-07-13 carry both Turla and the France/EU attribution.
    assert_eq!(
        first["key"],
        "incident:france-eu-turla-fsb-attribution-2026-07"
    );
    assert_eq!(first["shared"], 2);
    assert!(
        first["curated"].is_object(),
        "a curated relation links them"
    );
}
