//! The HTTP service: a JSON API and server-rendered HTML pages over one index.
//!
//! # API
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /api/search?q=&section=&host=&entity=&from=&to=&sort=&limit=&offset=` | the JSON of `dossier search --json`; repeated filters are alternatives, different filters must all hold |
//! | `GET /api/entities?type=&prefix=&limit=&offset=` | `{"total", "entities": [{key, name, type, items, matched}]}`, most items first |
//! | `GET /api/entities/{key}` | the [`crate::entity_page::EntityPage`] of a key (`actor:apt42`, `actor%3Aapt42`, `CVE-2026-31431`) |
//! | `GET /api/items/{id}` | one item (ids contain `/`) with its text, described mentions and entities |
//! | `POST /api/tag[?suggest=1]` | body text or `{"text": …}`; `{"mentions": […], "suggestions": […]}` |
//! | `POST /api/ingest?path=briefs/2026-06-10.md` | adds or replaces one file (token) |
//! | `POST /api/registry/reload` | re-reads the registry and re-tags every item (token) |
//!
//! Errors are `{"error": "..."}`: 400 for bad parameters, queries and bodies, 401/403
//! for writes without the token, 404 for unknown keys, ids and routes, 409 when
//! another process writes the index, 413 over [`MAX_BODY_BYTES`], 422 for a
//! registry that does not validate. Query strings are form-decoded: `q=NIS2+France`
//! is two words and `%2B` is a literal `+` (see `params.rs`).
//!
//! ```text
//! curl 'http://127.0.0.1:8080/api/search?q=NIS2+France&section=weekly-policy'
//! curl 'http://127.0.0.1:8080/api/entities/actor:secretblizzard'
//! curl -X POST --data-binary 'Charming Kitten hit a ministry' 'http://127.0.0.1:8080/api/tag?suggest=1'
//! curl -X POST -H "Authorization: Bearer $DOSSIER_TOKEN" --data-binary @briefs/2026-06-10.md \
//!      'http://127.0.0.1:8080/api/ingest?path=briefs/2026-06-10.md'
//! ```
//!
//! Pages: `/` (search box), `/search?q=…`, `/entities`, `/entities/{key}`,
//! `/items/{id}`.
//!
//! Both halves call the same library functions as the CLI ([`crate::search`],
//! [`crate::entity_page`], [`crate::related`], [`crate::index::writer`]); handlers
//! only decode requests and encode answers. Tantivy work is synchronous, so every
//! handler runs it on tokio's blocking pool.
//!
//! The server state holds the index (whose reader reloads after each commit), the
//! registry with its tagger behind an [`ArcSwap`] so that a registry reload swaps
//! both at once while requests in flight keep the pair they started with, and a
//! mutex that lets one write request at a time hold the index writer; the others
//! wait their turn. A writer held by another process (a `dossier add` next to the
//! server) is answered with 409.

pub(crate) mod api;
pub mod error;
mod pages;
mod params;
mod templates;
mod write;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::index::kept::Kept;
use crate::index::{DossierIndex, IndexError};
use crate::registry::{Registry, RegistryError};
use crate::tagger::Tagger;
use crate::warming::Warming;
pub use error::AppError;

/// Largest request body accepted (a brief is well under 100 KiB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What the server needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Index folder.
    pub index: PathBuf,
    /// Registry file, read at start and on `POST /api/registry/reload`.
    pub registry: PathBuf,
    /// Listening address.
    pub addr: SocketAddr,
    /// Bearer token of the write endpoints; `None` switches them off.
    pub token: Option<String>,
}

/// A server that cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The index cannot be opened.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The registry cannot be loaded.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The address cannot be bound, or serving failed.
    #[error("{addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

/// JSON answers kept per index generation: a dashboard's saved searches and the
/// entity pages a brief links are asked for again and again between two ingests.
const ANSWERS_KEPT: usize = 1024;

/// A registry and the tagger compiled from it: swapped together.
pub struct Linked {
    /// The registry.
    pub registry: Registry,
    /// Its tagger.
    pub tagger: Tagger,
}

impl Linked {
    /// Compiles the tagger of a registry.
    pub fn new(registry: Registry) -> Linked {
        let tagger = Tagger::new(&registry);
        Linked { registry, tagger }
    }
}

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    index: DossierIndex,
    /// Serialized answers of read requests (see [`crate::index::kept`]).
    answers: Kept<String, axum::body::Bytes>,
    linked: ArcSwap<Linked>,
    registry_path: PathBuf,
    token: Option<String>,
    writer: tokio::sync::Mutex<()>,
}

impl AppState {
    /// State over an open index and a loaded registry. An empty token counts as
    /// none: write endpoints stay off.
    pub fn new(
        index: DossierIndex,
        registry: Registry,
        registry_path: PathBuf,
        token: Option<String>,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                index,
                answers: Kept::new(ANSWERS_KEPT),
                linked: ArcSwap::from_pointee(Linked::new(registry)),
                registry_path,
                token: token.filter(|token| !token.trim().is_empty()),
                writer: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Opens the index and loads the registry of a configuration.
    pub fn open(config: &ServerConfig) -> Result<AppState, ServeError> {
        let index = DossierIndex::open(&config.index)?.warmed_by(Arc::new(Warming))?;
        let registry = Registry::load(&config.registry)?;
        for warning in &registry.warnings {
            tracing::warn!(registry = %config.registry.display(), "{warning}");
        }
        Ok(AppState::new(
            index,
            registry,
            config.registry.clone(),
            config.token.clone(),
        ))
    }

    /// The index.
    pub fn index(&self) -> &DossierIndex {
        &self.inner.index
    }

    /// The registry and tagger in use now.
    pub fn linked(&self) -> Arc<Linked> {
        self.inner.linked.load_full()
    }

    /// The JSON answer of a read request: kept from an earlier identical request on
    /// the same index generation and registry, or computed by `work` on the
    /// blocking pool and kept.
    async fn json_answer<T, F>(
        &self,
        request: String,
        work: F,
    ) -> Result<axum::response::Response, AppError>
    where
        T: serde::Serialize + Send + 'static,
        F: FnOnce(&DossierIndex, &Linked) -> Result<T, AppError> + Send + 'static,
    {
        let generation = crate::index::generation(&self.inner.index.searcher());
        let registry = self.linked().registry.version();
        let answer = match self.inner.answers.get(&generation, registry, &request) {
            Some(answer) => answer,
            None => {
                let answer = self
                    .blocking(move |index, linked| {
                        let value = work(index, linked)?;
                        serde_json::to_vec(&value)
                            .map(axum::body::Bytes::from)
                            .map_err(|error| AppError::Internal(error.to_string()))
                    })
                    .await?;
                self.inner
                    .answers
                    .put(generation, registry, request, answer.clone());
                answer
            }
        };
        Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            answer,
        )
            .into_response())
    }

    /// Runs a write: one at a time, and to its end even when the client leaves.
    /// The work is a task of its own, which a dropped request does not cancel: a
    /// registry reload whose client gave up once committed its re-tagged items and
    /// never swapped in the registry that tagged them, and an ingest left running
    /// released the lock that keeps the next write waiting.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, &DossierIndex, &Linked) -> Result<T, AppError> + Send + 'static,
    {
        let state = self.clone();
        tokio::spawn(async move {
            let _writer = state.inner.writer.lock().await;
            let swapper = state.clone();
            state
                .blocking(move |index, linked| work(&swapper, index, linked))
                .await
        })
        .await?
    }

    /// Swaps in a registry, for the requests that come after.
    pub(crate) fn swap_registry(&self, linked: Linked) {
        self.inner.linked.store(Arc::new(linked));
    }

    /// Runs index work on the blocking pool with the current registry.
    async fn blocking<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&DossierIndex, &Linked) -> Result<T, AppError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let linked = state.linked();
            work(&state.inner.index, &linked)
        })
        .await?
    }
}

/// Every route, with the body limit and a tracing span per request.
pub fn router(state: AppState) -> Router {
    let writes = Router::new()
        .route("/api/ingest", post(write::ingest))
        .route("/api/registry/reload", post(write::reload_registry))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            write::require_token,
        ));
    Router::new()
        .route("/", get(pages::home))
        .route("/search", get(pages::search))
        .route("/entities", get(pages::entities))
        .route("/entities/{key}", get(pages::entity))
        .route("/items/{*id}", get(pages::item))
        .route("/api/search", get(api::search))
        .route("/api/entities", get(api::entities))
        .route("/api/entities/{key}", get(api::entity))
        .route("/api/items/{*id}", get(api::item))
        .route("/api/tag", post(api::tag))
        .merge(writes)
        .fallback(pages::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path()
                    )
                })
                .on_request(())
                .on_response(
                    |response: &Response<_>, latency: Duration, _: &tracing::Span| {
                        tracing::info!(
                            status = response.status().as_u16(),
                            latency_ms = latency.as_millis() as u64,
                            "answered"
                        );
                    },
                ),
        )
        .with_state(state)
}

/// Serves `state` on a bound listener until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Opens the index, binds the address and serves until Ctrl-C or SIGTERM.
pub async fn run(config: ServerConfig) -> Result<(), ServeError> {
    let state = AppState::open(&config)?;
    let io = |source| ServeError::Io {
        addr: config.addr,
        source,
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(io)?;
    let addr = listener.local_addr().map_err(io)?;
    tracing::info!(
        %addr,
        index = %config.index.display(),
        registry = %config.registry.display(),
        writes = state.inner.token.is_some(),
        "serving"
    );
    serve(listener, state, shutdown_signal()).await.map_err(io)
}

/// Completes on Ctrl-C, or on SIGTERM where there are signals.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

/// A path parameter, percent-decoded by the router, whose decoding errors are 400s.
/// Entity keys (`actor:apt42`, or `actor%3Aapt42`) and item ids with `/` arrive
/// through it.
pub(crate) struct PathText(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for PathText {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathText(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}
