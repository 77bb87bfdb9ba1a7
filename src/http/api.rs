//! The JSON API: search, entities, items and tagging. Every answer is JSON, errors
//! included (`{"error": "..."}`).

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use super::params::Params;
use super::{AppState, PathText};
use crate::annotate::{annotate, Annotation};
use crate::entity_page::{self, EntityFilter, EntityPage, EntitySummary, MAX_OFFSET};
use crate::index::reader::item_by_id;
use crate::index::DossierIndex;
use crate::item::Item;
use crate::search::{self, SearchResponse};
use crate::tagger::{describe, display_name, entity_type, DescribedMention};

/// Entity rows when no limit is given.
pub(crate) const DEFAULT_ENTITY_LIMIT: usize = 50;
/// Most entity rows one request may ask for.
pub(crate) const MAX_ENTITY_LIMIT: usize = 1000;

/// `GET /api/search`: the JSON of `dossier search --json`.
pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let request = Params::parse(raw.as_deref())?.search_request(search::DEFAULT_LIMIT)?;
    let kept_as = format!("search?{}", raw.unwrap_or_default());
    state
        .json_answer(kept_as, move |index, linked| {
            let response: SearchResponse = search::search(index, Some(&linked.registry), &request)?;
            Ok(response)
        })
        .await
}

/// The answer of `GET /api/entities`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct EntityList {
    /// Entities matching the filter (before the limit).
    pub(crate) total: usize,
    /// The rows.
    pub(crate) entities: Vec<EntitySummary>,
}

/// `GET /api/entities?type=&prefix=&limit=&offset=`.
pub(crate) async fn entities(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<EntityList>, AppError> {
    let params = Params::parse(raw.as_deref())?;
    let list = state
        .blocking(move |index, linked| {
            let filter = entity_filter(&params, index, &linked.registry)?;
            let (entities, total) = entity_page::list_entities(index, &linked.registry, &filter)?;
            Ok(EntityList { total, entities })
        })
        .await?;
    Ok(Json(list))
}

/// Reads and checks the parameters of the entity list.
pub(crate) fn entity_filter(
    params: &Params,
    index: &DossierIndex,
    registry: &crate::registry::Registry,
) -> Result<EntityFilter, AppError> {
    params.only(&["type", "prefix", "limit", "offset"])?;
    let kind = params.one("type")?.map(|kind| kind.trim().to_lowercase());
    if let Some(kind) = &kind {
        let mut known: BTreeSet<String> = registry.all().iter().map(|e| e.kind.clone()).collect();
        known.insert("cve".to_string());
        // The types of unregistered keys that items link (`product:…`) are listed
        // too; they are read from the index only for a type the registry lacks.
        if !known.contains(kind) {
            known.extend(entity_page::linked_types(index)?);
        }
        if !known.contains(kind) {
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            return Err(AppError::BadRequest(format!(
                "type: unknown entity type `{kind}`; valid: {}",
                known.join(", ")
            )));
        }
    }
    let limit = params.number("limit")?.unwrap_or(DEFAULT_ENTITY_LIMIT);
    if limit == 0 || limit > MAX_ENTITY_LIMIT {
        return Err(AppError::BadRequest(format!(
            "limit: must be between 1 and {MAX_ENTITY_LIMIT}, got {limit}"
        )));
    }
    let offset = params.number("offset")?.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(AppError::BadRequest(format!(
            "offset: must be at most {MAX_OFFSET}, got {offset}"
        )));
    }
    Ok(EntityFilter {
        kind,
        prefix: params.one("prefix")?,
        offset,
        limit,
    })
}

/// `GET /api/entities/{key}`: the entity page model.
pub(crate) async fn entity(
    State(state): State<AppState>,
    PathText(key): PathText,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let window = Params::parse(raw.as_deref())?.window()?;
    let kept_as = format!("entity/{key}?{}", raw.unwrap_or_default());
    state
        .json_answer(kept_as, move |index, linked| {
            let page: EntityPage = entity_page::entity_page(index, &linked.registry, &key, window)?;
            Ok(page)
        })
        .await
}

/// An item with what a client needs to show it: its fields, its text (which the
/// mention offsets point into), mentions with names and character offsets, and
/// its entities with names.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct ItemView {
    /// Every field of the stored item; its `mentions` are replaced by the described
    /// ones below.
    #[serde(flatten)]
    pub(crate) item: Item,
    /// Title, summary and body as tagged: the text of the offsets.
    pub(crate) text: String,
    /// Its entities with names, types and pages.
    pub(crate) linked: Vec<LinkedEntity>,
    /// The item's page on the server.
    pub(crate) page: String,
}

/// An entity of an item.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct LinkedEntity {
    /// Canonical key.
    pub(crate) key: String,
    /// Display name.
    pub(crate) name: String,
    /// Type.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// Its page on the server.
    pub(crate) page: String,
}

/// The item view, with described mentions, for the JSON and HTML item routes.
pub(crate) fn item_view(
    item: Item,
    registry: &crate::registry::Registry,
) -> (ItemView, Vec<DescribedMention>) {
    let text = item.text();
    let mentions = describe(&item.mentions, &text, registry);
    let linked = item
        .entities
        .iter()
        .map(|key| LinkedEntity {
            key: key.clone(),
            name: display_name(key, registry),
            kind: entity_type(key).to_string(),
            page: format!("/entities/{key}"),
        })
        .collect();
    let view = ItemView {
        page: format!("/items/{}", item.id),
        item,
        text,
        linked,
    };
    (view, mentions)
}

/// `GET /api/items/{*id}`: one item; ids contain `/`.
pub(crate) async fn item(
    State(state): State<AppState>,
    PathText(id): PathText,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, AppError> {
    Params::parse(raw.as_deref())?.only(&[])?;
    let view = state
        .blocking(move |index, linked| {
            let item = item_by_id(index, &id)?
                .ok_or_else(|| AppError::NotFound(format!("no item `{id}`")))?;
            let (view, mentions) = item_view(item, &linked.registry);
            let mut json = serde_json::to_value(&view)
                .map_err(|error| AppError::Internal(format!("item `{id}`: {error}")))?;
            json["mentions"] = serde_json::to_value(&mentions)
                .map_err(|error| AppError::Internal(format!("item `{id}`: {error}")))?;
            Ok(json)
        })
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
struct TagBody {
    text: String,
}

/// `POST /api/tag[?suggest=1]`: body is the text, or JSON `{"text": "..."}`.
pub(crate) async fn tag(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Annotation>, AppError> {
    let params = Params::parse(raw.as_deref())?;
    params.only(&["suggest"])?;
    let suggest = params.flag("suggest")?;
    let text = body_text(&headers, body?)?;

    let answer = state
        .blocking(move |index, linked| {
            let index = suggest.then_some(index);
            Ok(annotate(&text, &linked.tagger, &linked.registry, index)?)
        })
        .await?;
    Ok(Json(answer))
}

/// The text of a tag request: the `text` of a JSON body, or the body itself.
fn body_text(headers: &HeaderMap, body: Bytes) -> Result<String, AppError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"));
    if is_json {
        let parsed: TagBody = serde_json::from_slice(&body).map_err(|error| {
            AppError::BadRequest(format!(
                "body: expected JSON {{\"text\": \"...\"}} ({error}); or send text/plain"
            ))
        })?;
        return Ok(parsed.text);
    }
    String::from_utf8(body.to_vec())
        .map_err(|_| AppError::BadRequest("body: the text is not valid UTF-8".to_string()))
}

impl From<BytesRejection> for AppError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(format!(
                "body: larger than the {} bytes accepted",
                super::MAX_BODY_BYTES
            ))
        } else {
            AppError::BadRequest(format!("body: {}", rejection.body_text()))
        }
    }
}

/// A known route asked with the wrong method.
pub(crate) async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed(
        "method not allowed here; search, entity and item routes take GET, \
         /api/tag, /api/ingest and /api/registry/reload take POST"
            .to_string(),
    )
}
