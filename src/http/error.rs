//! One error type for every route: user errors become 4xx with a small JSON body
//! `{"error": "..."}`, internal ones a 500 whose details go to the log only. HTML
//! routes wrap the same error in [`PageError`] to answer with a page.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use crate::corpus::CorpusError;
use crate::entity_page::EntityError;
use crate::index::writer::IngestError;
use crate::index::IndexError;
use crate::registry::RegistryError;
use crate::search::SearchError;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A parameter, query or body the server cannot use (400).
    #[error("{0}")]
    BadRequest(String),
    /// No credentials where a write endpoint needs them (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Wrong credentials, or write endpoints switched off (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such entity, item or route (404).
    #[error("{0}")]
    NotFound(String),
    /// Wrong method on a known route (405).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Another writer holds the index (409).
    #[error("{0}")]
    Conflict(String),
    /// The body is over the size limit (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body is valid but cannot be used, such as a registry that does not
    /// validate (422).
    #[error("{0}")]
    Unprocessable(String),
    /// The server failed; the message is for the log, not the client (500).
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a client sees: the error itself, except for internal errors,
    /// which are logged and answered with a generic line.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(message) => {
                tracing::error!(error = %message, "request failed");
                "internal error; the server log has the details".to_string()
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::json!({ "error": self.public_message() });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::Index(error) => error.into(),
            user => AppError::BadRequest(user.to_string()),
        }
    }
}

impl From<EntityError> for AppError {
    fn from(error: EntityError) -> Self {
        match error {
            EntityError::NotFound { .. } => AppError::NotFound(error.to_string()),
            EntityError::Index(error) => error.into(),
        }
    }
}

impl From<IndexError> for AppError {
    fn from(error: IndexError) -> Self {
        match error {
            IndexError::Busy { .. } => AppError::Conflict(error.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<IngestError> for AppError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::Corpus(error) => error.into(),
            IngestError::Index(error) => error.into(),
            IngestError::Registry(error) => error.into(),
        }
    }
}

impl From<CorpusError> for AppError {
    fn from(error: CorpusError) -> Self {
        match error {
            CorpusError::Io { .. } => AppError::Internal(error.to_string()),
            user => AppError::BadRequest(user.to_string()),
        }
    }
}

impl From<RegistryError> for AppError {
    fn from(error: RegistryError) -> Self {
        // A registry that cannot be read (missing, not UTF-8, a folder) is as much
        // the operator's to fix as one that does not validate: neither is a fault of
        // the server, and the previous registry stays in use either way.
        let problem = match error {
            RegistryError::Io { .. } => "cannot be read",
            // Refused for this index, whether on ingest or reload: the error says why.
            RegistryError::Empty { .. } => return AppError::Unprocessable(error.to_string()),
            _ => "does not validate",
        };
        AppError::Unprocessable(format!(
            "the registry file {problem}, the previous one stays in use: {error}"
        ))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("a worker task failed: {error}"))
    }
}

/// An [`AppError`] answered with an HTML page, for the browser routes.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let page = super::templates::error_page(status, &self.0.public_message());
        (status, Html(page.into_string())).into_response()
    }
}
