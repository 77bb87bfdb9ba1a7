//! The command line, black-box, on temporary folders.

mod common;

use std::path::{Path, PathBuf};
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
    index_corpus(&common::corpus_dir(), index)
}

/// `dossier index CORPUS --index INDEX`.
fn index_corpus(corpus: &Path, index: &Path) -> Output {
    dossier(
        &[
            "index",
            corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    )
}

/// A temporary folder with an index of the real corpus in `index/`.
fn built_index() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let output = build(&index);
    assert!(output.status.success(), "{}", text(&output.stderr));
    (dir, index)
}

/// A copy of the real corpus in `dir/corpus`, to break.
fn copied_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    common::copy_tree(&common::corpus_dir(), &corpus);
    corpus
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
        line.starts_with("indexed 9 briefs, 90 entries: 223 items, "),
        "{line}"
    );
    assert!(line.contains("6 unregistered keys"), "{line}");
    assert_eq!(total(dir.path(), ""), common::DOCUMENTS);

    let second = build(dir.path());
    assert!(second.status.success());
    assert_eq!(
        total(dir.path(), ""),
        common::DOCUMENTS,
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

    // Several arguments are one query; `--` lets an exclusion come first.
    let index = dir.path().to_str().unwrap();
    let unquoted = dossier(
        &["search", "--index", index, "--json", "NIS2", "France"],
        None,
    );
    let unquoted: serde_json::Value = serde_json::from_slice(&unquoted.stdout).unwrap();
    assert_eq!(unquoted["query"], "NIS2 France");
    assert_eq!(unquoted["hits"][0]["id"], hit["id"]);
    let excluded = dossier(
        &[
            "search",
            "--index",
            index,
            "--json",
            "--",
            "-Akira",
            "ransomware",
        ],
        None,
    );
    let excluded: serde_json::Value = serde_json::from_slice(&excluded.stdout).unwrap();
    let without_akira = total(dir.path(), "ransomware -Akira");
    assert_eq!(excluded["total"].as_u64(), Some(without_akira));
    assert!(without_akira < total(dir.path(), "ransomware"));
}

#[test]
fn terminal_output_reads_as_english() {
    let (_dir, index) = built_index();
    let index = index.to_str().unwrap();

    // A search by filters alone has no query to name and no score to show.
    let by_entity = dossier(
        &["search", "--entity", "CVE-2026-44815", "--index", index],
        None,
    );
    let printed = text(&by_entity.stdout);
    assert_eq!(printed.lines().next(), Some("2 hits, newest first"));
    assert!(!printed.contains("score"), "{printed}");

    let by_words = dossier(&["search", "Qilin", "--index", index], None);
    assert_eq!(
        text(&by_words.stdout).lines().next(),
        Some("13 hits for \"Qilin\"")
    );

    let page = dossier(
        &[
            "entity",
            "incident:france-ants-breach-2026",
            "--index",
            index,
        ],
        None,
    );
    assert!(
        text(&page.stdout)
            .contains("\n1 item in 1 brief, 2026-05-07 to 2026-05-07 (first seen 2026-05-06)\n"),
        "{}",
        text(&page.stdout)
    );

    // Secret Blizzard's three items are entry files of 2026-07-13; its registry
    // `first_seen` is 2026-05-16. APT42 is registered, first seen 2026-07-19, and
    // no item links it.
    for (key, line) in [
        (
            "actor:secretblizzard",
            "\n3 items, all from entry files, 2026-07-13 to 2026-07-13 (first seen 2026-05-16)\n",
        ),
        ("actor:apt42", "\nno item yet, first seen 2026-07-19\n"),
    ] {
        let page = dossier(&["entity", key, "--index", index], None);
        assert!(text(&page.stdout).contains(line), "{}", text(&page.stdout));
    }
}

#[test]
fn tag_given_text_instead_of_a_file_says_how_to_pass_text() {
    let output = dossier(&["tag", "Turla is back"], None);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr).trim(),
        "error: Turla is back: no such file; `dossier tag` reads a file, or standard input \
         with `-` (echo 'text' | dossier tag -)"
    );

    // A folder, and bytes that are no UTF-8, are the user's to fix too.
    let dir = tempfile::tempdir().unwrap();
    let folder = dossier(&["tag", dir.path().to_str().unwrap()], None);
    assert_eq!(folder.status.code(), Some(2));
    assert!(text(&folder.stderr).contains(": a folder; `dossier tag` reads a file"));
    let latin1 = dir.path().join("draft.md");
    std::fs::write(&latin1, b"Qilin struck.\nZ\xfcrich too.\n").unwrap();
    let output = dossier(&["tag", latin1.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr).trim(),
        format!(
            "error: {}: line 2, byte 15 of the text: not UTF-8 text; save it as UTF-8",
            latin1.display()
        )
    );
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
    assert_eq!(total(&index, ""), common::DOCUMENTS);

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
    assert_eq!(total(&index, ""), common::DOCUMENTS);

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
        text(&output.stdout).starts_with("added 1 brief, 0 entries: 6 items"),
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
    assert_eq!(total(&index, ""), common::DOCUMENTS);

    let changed = original.replace("### Navient discloses", "### Navient (NAVI) discloses");
    std::fs::write(&brief, changed).unwrap();
    assert!(add(&index).status.success());
    assert_eq!(total(&index, "NAVI"), 1);
    assert_eq!(
        total(&index, ""),
        common::DOCUMENTS,
        "the old Navient item is gone, the new one is in"
    );
}

/// An entry file joins its day's brief, so adding it writes that brief and its other
/// entries again; the summary says so rather than counting 21 files for the one given.
#[test]
fn adding_an_entry_file_says_it_was_written_with_its_brief() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let built = build(&index);
    assert!(built.status.success(), "{}", text(&built.stderr));

    let entry = common::corpus_dir()
        .join("entries/2026-06-10/ghost-sender-exchange-online-accepts-spoofed-inbound-mail-by.md");
    let output = dossier(
        &[
            "add",
            entry.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let line = text(&output.stdout);
    assert!(
        line.starts_with(
            "added 1 file; with the rest of its brief, wrote 1 brief, 20 entries: 22 items, "
        ),
        "{line}"
    );
    assert_eq!(total(&index, ""), common::DOCUMENTS);
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
    assert_eq!(total(&index, ""), common::DOCUMENTS);
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
    assert_eq!(json["findable"], 125);
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

#[test]
fn files_that_are_no_brief_are_refused_and_a_file_given_twice_is_written_once() {
    let (dir, index) = built_index();
    let index_arg = index.to_str().unwrap();
    let add = |paths: &[&Path]| {
        let mut args = vec!["add"];
        args.extend(paths.iter().map(|path| path.to_str().unwrap()));
        args.extend(["--index", index_arg]);
        dossier(&args, None)
    };
    let briefs = dir.path().join("corpus/briefs");
    std::fs::create_dir_all(&briefs).unwrap();

    // An escape sequence in a title: refused with its line.
    let escaped = briefs.join("2026-07-04.md");
    std::fs::write(
        &escaped,
        "# CTI Daily Brief — 2026-07-04\n\n## 1. Active Threats\n\n### Red \u{1b}[31m title\n",
    )
    .unwrap();
    let output = add(&[&escaped]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr).trim(),
        "error: briefs/2026-07-04.md:5: control character U+001B; briefs and entries are \
         plain text"
    );

    // Larger than any brief should be: refused before it is read.
    let huge = briefs.join("2026-07-05.md");
    let mut body = String::from("# CTI Daily Brief — 2026-07-05\n\n## 1. Active Threats\n\n");
    body.push_str(&"### Qilin\n\nQilin again.\n\n".repeat(200_000));
    std::fs::write(&huge, &body).unwrap();
    let output = add(&[&huge]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "2026-07-05.md: {} bytes; a brief or entry file may hold at most 4194304 bytes",
            body.len()
        )),
        "{stderr}"
    );

    // A folder named like a brief is no file.
    let folder = briefs.join("2026-07-06.md");
    std::fs::create_dir_all(&folder).unwrap();
    let output = add(&[&folder]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("2026-07-06.md: not a regular file"));
    assert_eq!(total(&index, ""), common::DOCUMENTS, "nothing was written");

    // The same brief twice (overlapping globs) is written once: CVE-2026-31431
    // keeps its 10 hits, and the index its 232 documents.
    let real = common::corpus_dir().join("briefs/2026-05-06.md");
    let output = add(&[&real, &real]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(total(&index, "CVE-2026-31431"), 10);
    assert_eq!(total(&index, ""), common::DOCUMENTS);
}

#[test]
fn gen_corpus_refuses_counts_out_of_range_and_a_folder_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synthetic");
    let generate = |items: &str, entities: &str| {
        dossier(
            &[
                "gen-corpus",
                "--items",
                items,
                "--entities",
                entities,
                "--out",
                out.to_str().unwrap(),
                "--from",
                &corpus(),
            ],
            None,
        )
    };
    for (items, entities, message) in [
        (
            "0",
            "0",
            "--items 0: must be between 1 and 10000000, or 0 with --entities N for a registry \
             alone",
        ),
        (
            "18446744073709551615",
            "0",
            "--items 18446744073709551615: must be between 1 and 10000000",
        ),
        (
            "10",
            "18446744073709551615",
            "--entities 18446744073709551615: must be between 0 and 10000000",
        ),
    ] {
        let output = generate(items, entities);
        assert_eq!(output.status.code(), Some(2), "{items} {entities}");
        assert!(
            text(&output.stderr).contains(message),
            "{}",
            text(&output.stderr)
        );
    }

    // No items with synthetic entities: a registry alone, as the tagging
    // benchmark asks for.
    let registry_alone = generate("0", "5");
    assert!(registry_alone.status.success());
    let said = text(&registry_alone.stdout);
    assert!(
        said.starts_with("wrote 0 briefs, 0 entries: 0 items, 0.0 MB of markdown, ")
            && said.contains(" entities -> "),
        "{said}"
    );
    assert!(out.join("entities/registry.yaml").is_file());
    assert!(!out.join("briefs").exists());
    std::fs::remove_dir_all(&out).unwrap();

    assert!(generate("30", "0").status.success());
    let output = generate("30", "0");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("the folder is not empty"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn retag_records_the_registry_it_tagged_with() {
    let (dir, index) = built_index();
    let registry = dir.path().join("edited-registry.yaml");
    std::fs::copy(
        common::corpus_dir().join("entities/registry.yaml"),
        &registry,
    )
    .unwrap();

    let output = dossier(
        &[
            "retag",
            "--index",
            index.to_str().unwrap(),
            "--registry",
            registry.to_str().unwrap(),
        ],
        None,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));

    // `add` and `entity` without --registry now read the same file.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("dossier.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["registry"].as_str(),
        registry.canonicalize().unwrap().to_str()
    );
    assert_eq!(
        manifest["corpus"].as_str(),
        common::corpus_dir().canonicalize().unwrap().to_str()
    );

    // Gone, it is replaced by the corpus's registry, not without a word.
    let recorded = registry.canonicalize().unwrap();
    std::fs::remove_file(&registry).unwrap();
    let page = dossier(
        &["entity", "actor:qilin", "--index", index.to_str().unwrap()],
        None,
    );
    assert!(page.status.success(), "{}", text(&page.stderr));
    let stderr = text(&page.stderr);
    assert!(
        stderr.contains("the registry this index was tagged with is gone")
            && stderr.contains(&recorded.display().to_string()),
        "{stderr}"
    );
}

/// An empty registry file would strip every entity link from the index in one
/// `retag`, or from a brief's items in one `add`: both refuse it, naming the file,
/// and the links stay.
#[test]
fn retag_and_add_refuse_a_registry_without_entities() {
    let (dir, index) = built_index();
    let empty = dir.path().join("empty-registry.yaml");
    std::fs::write(&empty, "").unwrap();
    let index_arg = index.to_str().unwrap();

    let output = dossier(
        &[
            "retag",
            "--index",
            index_arg,
            "--registry",
            empty.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{} defines no entity: tagging with it would unlink items from the entities they link",
            empty.display()
        )),
        "{stderr}"
    );

    let brief = common::corpus_dir().join("briefs/2026-06-10.md");
    let added = dossier(
        &[
            "add",
            brief.to_str().unwrap(),
            "--index",
            index_arg,
            "--registry",
            empty.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(added.status.code(), Some(2), "{}", text(&added.stderr));
    assert!(
        text(&added.stderr).contains(&format!("{} defines no entity", empty.display())),
        "{}",
        text(&added.stderr)
    );

    let linked = dossier(
        &["search", "--entity", "actor:qilin", "--index", index_arg],
        None,
    );
    assert!(
        text(&linked.stdout).starts_with("11 hits, newest first"),
        "{}",
        text(&linked.stdout)
    );
}

#[test]
fn a_brief_that_is_a_link_to_nothing_stops_a_rebuild() {
    let (dir, index) = built_index();
    let corpus = copied_corpus(dir.path());
    std::fs::remove_file(corpus.join("briefs/2026-05-06.md")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/brief.md", corpus.join("briefs/2026-05-06.md"))
        .unwrap();

    let output = index_corpus(&corpus, &index);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(
            "briefs/2026-05-06.md: not a regular file (a folder, a pipe, or a link to nothing)"
        ),
        "{stderr}"
    );
    assert_eq!(
        total(&index, ""),
        common::DOCUMENTS,
        "the previous index is kept"
    );
}

/// A brief that fails to parse stops a rebuild after the index folder exists: an
/// index it was building from nothing is removed, an existing one is kept.
#[test]
fn a_failed_build_leaves_no_empty_index_behind() {
    let (dir, index) = built_index();
    let corpus = copied_corpus(dir.path());
    let brief = corpus.join("briefs/2026-06-10.md");
    let heading = "### CVE-2026-47291 — Microsoft June Patch Tuesday";
    let original = std::fs::read_to_string(&brief).unwrap();
    assert_eq!(
        original.lines().nth(56).unwrap().get(..heading.len()),
        Some(heading)
    );
    let broken = original.replacen(
        heading,
        &format!("### \n\nA story without a title.\n\n{heading}"),
        1,
    );
    std::fs::write(&brief, broken).unwrap();
    let line = 57;

    let new_index = dir.path().join("new-index");
    let output = index_corpus(&corpus, &new_index);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "briefs/2026-06-10.md:{line}: this item heading has no title"
        )),
        "{stderr}"
    );
    assert!(!new_index.exists(), "the unfinished index is removed");

    assert_eq!(index_corpus(&corpus, &index).status.code(), Some(2));
    assert_eq!(
        total(&index, ""),
        common::DOCUMENTS,
        "the previous index is kept"
    );
}

#[test]
fn suggest_aliases_for_a_key_the_registry_lacks_is_bad_input() {
    let (_dir, index) = built_index();
    let output = dossier(
        &[
            "suggest-aliases",
            "actor:nobody",
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr).trim(),
        "error: `actor:nobody` is not in the registry"
    );
}

#[test]
fn an_entry_with_a_brief_items_id_that_joins_another_brief_is_refused() {
    let (dir, index) = built_index();
    let corpus = copied_corpus(dir.path());
    // Its id is an item of briefs/2026-05-06.md, but it joins 2026-05-07's unit:
    // nothing would merge the two.
    let entry = corpus
        .join("entries/2026-05-06/cve-2026-41940-cpanel-whm-authentication-bypass-mass-exploit.md");
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    std::fs::write(
        &entry,
        "---\ntitle: Collider\nmigrated_from: briefs/2026-05-07.md\n---\nbody\n",
    )
    .unwrap();
    let expected =
        "item id `2026-05-06/cve-2026-41940-cpanel-whm-authentication-bypass-mass-exploit` \
                    is written by";

    let rebuild = index_corpus(&corpus, &index);
    assert_eq!(rebuild.status.code(), Some(2));
    assert!(
        text(&rebuild.stderr).contains(expected),
        "{}",
        text(&rebuild.stderr)
    );

    let add = dossier(
        &[
            "add",
            entry.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(add.status.code(), Some(2));
    let stderr = text(&add.stderr);
    assert!(
        stderr.contains(&format!(
            "{expected} briefs/2026-05-06.md and again by this add"
        )),
        "{stderr}"
    );
    assert_eq!(total(&index, ""), common::DOCUMENTS, "nothing was written");
    assert_eq!(total(&index, "Collider"), 0);
}
