//! HTML routes: the same library calls as the API, rendered by [`super::templates`].
//! Errors answer with an HTML page and the same status as the API would.

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::api::{entity_filter, item_view};
use super::error::{AppError, PageError};
use super::params::Params;
use super::templates::{self, search::PAGE_SIZE};
use super::{AppState, PathText};
use crate::entity_page::{self, EntityFilter};
use crate::index::reader::item_by_id;
use crate::search::{self, SearchError};

/// Entities listed on the home page.
const HOME_ENTITIES: usize = 12;

type PageResult = Result<Html<String>, PageError>;

/// `/`.
pub(crate) async fn home(State(state): State<AppState>) -> PageResult {
    let page = state
        .blocking(|index, linked| {
            let filter = EntityFilter {
                limit: HOME_ENTITIES,
                ..EntityFilter::default()
            };
            let (top, _) = entity_page::list_entities(index, &linked.registry, &filter)?;
            Ok(templates::search::home(&top))
        })
        .await?;
    Ok(Html(page.into_string()))
}

/// `/search?q=…`: results, or the search form with what is wrong (400).
pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = Params::parse(raw.as_deref())?;
    let request = match params.search_request(PAGE_SIZE) {
        Ok(request) => request,
        Err(error) => {
            // Keep what was typed in the form, so it can be corrected.
            let typed = search::SearchRequest {
                query: params.all("q").join(" "),
                limit: PAGE_SIZE,
                ..search::SearchRequest::default()
            };
            let page = templates::search::results(&typed, Err(&error.public_message()));
            return Ok((error.status(), Html(page.into_string())).into_response());
        }
    };
    let (status, page) = state
        .blocking(move |index, linked| {
            match search::search(index, Some(&linked.registry), &request) {
                Ok(response) => Ok((
                    StatusCode::OK,
                    templates::search::results(&request, Ok(&response)),
                )),
                Err(error @ (SearchError::Query(_) | SearchError::Parameter { .. })) => Ok((
                    StatusCode::BAD_REQUEST,
                    templates::search::results(&request, Err(&error.to_string())),
                )),
                Err(error) => Err(AppError::from(error)),
            }
        })
        .await?;
    Ok((status, Html(page.into_string())).into_response())
}

/// `/entities?prefix=&type=&limit=&offset=`.
pub(crate) async fn entities(State(state): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let params = Params::parse(raw.as_deref())?;
    let page = state
        .blocking(move |index, linked| {
            let filter = entity_filter(&params, index, &linked.registry)?;
            let (rows, total) = entity_page::list_entities(index, &linked.registry, &filter)?;
            Ok(templates::entity::list(&rows, total, &filter))
        })
        .await?;
    Ok(Html(page.into_string()))
}

/// `/entities/{key}`.
pub(crate) async fn entity(
    State(state): State<AppState>,
    key: Result<PathText, AppError>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let PathText(key) = key?;
    let window = Params::parse(raw.as_deref())?.window()?;
    let page = state
        .blocking(move |index, linked| {
            let page = entity_page::entity_page(index, &linked.registry, &key, window)?;
            Ok(templates::entity::page(&page))
        })
        .await?;
    Ok(Html(page.into_string()))
}

/// `/items/{*id}`.
pub(crate) async fn item(
    State(state): State<AppState>,
    id: Result<PathText, AppError>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let PathText(id) = id?;
    Params::parse(raw.as_deref())?.only(&[])?;
    let page = state
        .blocking(move |index, linked| {
            let item = item_by_id(index, &id)?
                .ok_or_else(|| AppError::NotFound(format!("no item `{id}`")))?;
            let (view, mentions) = item_view(item, &linked.registry);
            Ok(templates::item::page(&view, &mentions))
        })
        .await?;
    Ok(Html(page.into_string()))
}

/// Unknown routes: JSON under `/api/`, a page elsewhere.
pub(crate) async fn not_found(uri: Uri) -> Response {
    let error = AppError::NotFound(format!("nothing at {}", uri.path()));
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        error.into_response()
    } else {
        PageError(error).into_response()
    }
}
