//! Write endpoints: ingest a brief or entry file, reload the registry.
//!
//! They are off unless the server has a token, and then need
//! `Authorization: Bearer <token>`; the check runs before the body is read, so a
//! refused request changes nothing. Writes queue on the server's writer mutex and
//! answer only after the commit is visible to searches.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::error::AppError;
use super::params::Params;
use super::{AppState, Linked};
use crate::corpus::brief::{heading_text, BriefId};
use crate::corpus::markdown;
use crate::corpus::section::BriefKind;
use crate::corpus::slug::slugify;
use crate::corpus::SourceFile;
use crate::index::writer::{self, Linker, Summary, WriteOptions};
use crate::registry::Registry;

/// Header naming an ingested file, as an alternative to `?path=`.
pub(crate) const PATH_HEADER: &str = "x-dossier-path";
/// Writer memory budget of one ingest: a single file needs little.
const INGEST_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// Lets a request through when it carries the server's token.
pub(crate) async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match check_token(state.inner.token.as_deref(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            tracing::warn!(path = %request.uri().path(), "write request refused");
            error.into_response()
        }
    }
}

fn check_token(expected: Option<&str>, headers: &HeaderMap) -> Result<(), AppError> {
    let Some(expected) = expected else {
        return Err(AppError::Forbidden(
            "write endpoints are off; start the server with DOSSIER_TOKEN set to enable them"
                .to_string(),
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            AppError::Unauthorized("send the write token as `Authorization: Bearer <token>`".into())
        })?;
    let token = given
        .strip_prefix("Bearer ")
        .or_else(|| given.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            AppError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
        })?;
    if same_secret(token.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the token is not the server's write token".into(),
        ))
    }
}

/// Compares secrets in time independent of where they differ.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = given.len() ^ expected.len();
    for (at, &byte) in expected.iter().enumerate() {
        let other = given.get(at).copied().unwrap_or(0);
        difference |= usize::from(byte ^ other);
    }
    difference == 0
}

/// The answer of an ingest.
#[derive(Debug, Serialize)]
pub(crate) struct IngestAnswer {
    /// The corpus-relative path the file was stored as.
    pub(crate) path: String,
    /// What was written.
    pub(crate) summary: Summary,
}

/// `POST /api/ingest[?path=briefs/2026-06-10.md]`: adds or replaces one file.
pub(crate) async fn ingest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestAnswer>, AppError> {
    let params = Params::parse(raw.as_deref())?;
    params.only(&["path"])?;
    let named = match params.one("path")? {
        Some(path) => Some(path),
        None => headers
            .get(PATH_HEADER)
            .map(|value| {
                value.to_str().map(str::to_string).map_err(|_| {
                    AppError::BadRequest(format!("{PATH_HEADER}: not a readable path"))
                })
            })
            .transpose()?,
    };
    let bytes = body?.to_vec();
    let path = match named {
        Some(path) => path.trim().trim_start_matches('/').to_string(),
        None => infer_path(&String::from_utf8_lossy(&bytes))?,
    };
    let file = SourceFile::new(&path, bytes)?;

    let registry_path = state.inner.registry_path.clone();
    let summary = state
        .write(move |_, index, linked| {
            writer::check_registry(index, &linked.registry, &registry_path)?;
            let options = WriteOptions {
                heap_size_bytes: INGEST_HEAP_BYTES,
                ..WriteOptions::default()
            };
            let linker = Linker {
                registry: &linked.registry,
                tagger: &linked.tagger,
            };
            Ok(writer::add(index, vec![file], &linker, &options)?)
        })
        .await?;
    tracing::info!(%path, items = summary.items, seconds = summary.seconds, "ingested");
    Ok(Json(IngestAnswer { path, summary }))
}

/// The corpus path of a file sent without one: an entry's front matter gives its
/// date (`discovered_at`) and slug (its `title`, as the site named entry files); a
/// brief's `# ` title gives its id.
fn infer_path(text: &str) -> Result<String, AppError> {
    // A byte-order mark is an editor's habit, as `SourceFile` reads it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let unknown = || {
        AppError::BadRequest(
            "cannot tell what this file is; name it with ?path=briefs/YYYY-MM-DD.md, \
             briefs/weekly/YYYY-Www.md or entries/YYYY-MM-DD/<slug>.md"
                .to_string(),
        )
    };
    if let Some(front) = text.strip_prefix("---") {
        let end = front.find("\n---").ok_or_else(unknown)?;
        let fields: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&front[..end]).map_err(|_| unknown())?;
        let field = |name: &str| fields.get(name).and_then(|value| value.as_str());
        let date = field("discovered_at")
            .and_then(|at| at.get(..10))
            .ok_or_else(unknown)?;
        let slug = slugify(field("title").or(field("headline")).ok_or_else(unknown)?);
        if slug.is_empty() {
            return Err(unknown());
        }
        return Ok(format!("entries/{date}/{slug}.md"));
    }
    let (_, title) = markdown::first_title(text).ok_or_else(unknown)?;
    let brief = BriefId::from_title(&heading_text(title)).ok_or_else(unknown)?;
    Ok(match brief.kind {
        BriefKind::Daily => format!("briefs/{}.md", brief.id),
        BriefKind::Weekly => format!("briefs/weekly/{}.md", brief.id),
    })
}

/// The answer of a registry reload.
#[derive(Debug, Serialize)]
pub(crate) struct ReloadAnswer {
    /// The registry file read.
    pub(crate) registry: String,
    /// Entities in it, tombstones included.
    pub(crate) entities: usize,
    /// Distinct labels the tagger matches.
    pub(crate) labels: usize,
    /// Non-fatal findings.
    pub(crate) warnings: Vec<String>,
    /// What re-tagging wrote.
    pub(crate) summary: Summary,
}

/// `POST /api/registry/reload`: re-reads the registry file, re-tags every stored
/// item with it, then swaps it in. A registry that does not validate leaves the
/// old one in place (422).
pub(crate) async fn reload_registry(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReloadAnswer>, AppError> {
    Params::parse(raw.as_deref())?.only(&[])?;
    let path = state.inner.registry_path.clone();
    let answer = state
        .write(move |state, index, _| {
            let registry = Registry::load(&path)?;
            writer::check_registry(index, &registry, &path)?;
            let linked = Linked::new(registry);
            let linker = Linker {
                registry: &linked.registry,
                tagger: &linked.tagger,
            };
            let summary = writer::retag(index, &linker, &WriteOptions::default())?;
            let answer = ReloadAnswer {
                registry: path.display().to_string(),
                entities: linked.registry.len(),
                labels: linked.tagger.label_count(),
                warnings: linked.registry.warnings.clone(),
                summary,
            };
            // Within the write: the items just committed were tagged by this
            // registry, and so must every request after them be.
            state.swap_registry(linked);
            Ok(answer)
        })
        .await?;
    tracing::info!(
        registry = %answer.registry,
        entities = answer.entities,
        items = answer.summary.items,
        "registry reloaded and items re-tagged"
    );
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn tokens_gate_writes() {
        let status = |expected, given| {
            check_token(expected, &headers(given))
                .map_err(|error| error.status().as_u16())
                .err()
        };
        assert_eq!(status(None, Some("Bearer x")), Some(403));
        assert_eq!(status(Some("secret"), None), Some(401));
        assert_eq!(status(Some("secret"), Some("Basic c2VjcmV0")), Some(401));
        assert_eq!(status(Some("secret"), Some("Bearer secreT")), Some(403));
        assert_eq!(status(Some("secret"), Some("Bearer secret2")), Some(403));
        assert_eq!(status(Some("secret"), Some("Bearer secret")), None);
    }

    #[test]
    fn paths_are_inferred_from_titles_and_front_matter() {
        assert_eq!(
            infer_path("# CTI Daily Brief — 2026-06-10\n\ntext").unwrap(),
            "briefs/2026-06-10.md"
        );
        assert_eq!(
            infer_path("# CTI Weekly Summary — 2026-W24 (Jun 08 – Jun 14, 2026)\n").unwrap(),
            "briefs/weekly/2026-W24.md"
        );
        let entry = "---\nschema: 1\ntitle: \"Amazon SES weaponised (Kaspersky)\"\n\
                     discovered_at: \"2026-05-08T05:00:13Z\"\n---\n\nBody.\n";
        assert_eq!(
            infer_path(entry).unwrap(),
            "entries/2026-05-08/amazon-ses-weaponised-kaspersky.md"
        );
        assert!(matches!(
            infer_path("no title here"),
            Err(AppError::BadRequest(_))
        ));
        let fenced = "```\n# CTI Daily Brief — 2026-01-01\n```\n\n# CTI Daily Brief — 2026-06-10\n";
        assert_eq!(infer_path(fenced).unwrap(), "briefs/2026-06-10.md");
        let marked = format!("\u{feff}{entry}");
        assert_eq!(
            infer_path(&marked).unwrap(),
            "entries/2026-05-08/amazon-ses-weaponised-kaspersky.md"
        );
        assert_eq!(
            infer_path("\u{feff}# CTI Daily Brief — 2026-06-10\n").unwrap(),
            "briefs/2026-06-10.md"
        );
    }
}
