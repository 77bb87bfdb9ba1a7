//! The JSON Schemas in `schema/` match the output types.

use std::path::Path;

#[test]
fn schema_files_are_current() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    for (name, schema) in dossier::outputs::schemas() {
        let path = folder.join(format!("{name}.schema.json"));
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "{} is out of date; run UPDATE_SCHEMAS=1 cargo test --test schemas",
            path.display()
        );
    }
}

#[test]
fn a_search_answer_validates_against_its_schema_shape() {
    let schema = dossier::outputs::schemas()
        .into_iter()
        .find(|(name, _)| *name == "search")
        .unwrap()
        .1;
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in ["query", "total", "hits", "facets"] {
        assert!(required.contains(&key), "{key} is required");
    }
}
