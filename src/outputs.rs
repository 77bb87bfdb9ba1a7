//! JSON Schemas of every JSON output, derived from the serde types themselves.
//!
//! `schema/*.schema.json` holds them for API clients; a test regenerates them and
//! fails when a type changed without its file (run it with `UPDATE_SCHEMAS=1` to
//! rewrite the files).

use schemars::schema_for;
use serde_json::Value;

/// `(file stem, schema)` for each output: the search answer (CLI and API), the
/// entity page, the entity list, an item, a tag answer, an ingest summary and the
/// linking evaluation.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let as_value = |schema: schemars::Schema| schema.to_value();
    vec![
        (
            "search",
            as_value(schema_for!(crate::search::SearchResponse)),
        ),
        (
            "entity",
            as_value(schema_for!(crate::entity_page::EntityPage)),
        ),
        (
            "entities",
            as_value(schema_for!(crate::http::api::EntityList)),
        ),
        ("item", as_value(schema_for!(crate::http::api::ItemView))),
        ("tag", as_value(schema_for!(crate::annotate::Annotation))),
        (
            "ingest",
            as_value(schema_for!(crate::index::writer::Summary)),
        ),
        (
            "eval-linking",
            as_value(schema_for!(crate::linking::Evaluation)),
        ),
    ]
}
