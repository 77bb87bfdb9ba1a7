//! Where things are: flags, then environment, then the index's manifest, then the
//! built-in defaults (index under `index/`, corpus in `../shared/corpus/ctipilot`,
//! server on 127.0.0.1:8080). Resolved once, read everywhere else.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::index::DossierIndex;

/// Default index folder, relative to the working directory.
pub const DEFAULT_INDEX: &str = "index";
/// Default corpus folder, relative to the working directory.
pub const DEFAULT_CORPUS: &str = "../shared/corpus/ctipilot";
/// Default listening address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The registry's place inside a corpus folder.
pub const REGISTRY_IN_CORPUS: &str = "entities/registry.yaml";

/// Environment variables read by [`RawSettings::with_env`].
pub mod env {
    /// Index folder.
    pub const INDEX: &str = "DOSSIER_INDEX";
    /// Corpus folder.
    pub const CORPUS: &str = "DOSSIER_CORPUS";
    /// Registry file.
    pub const REGISTRY: &str = "DOSSIER_REGISTRY";
    /// Server address.
    pub const ADDR: &str = "DOSSIER_ADDR";
    /// Bearer token that enables write endpoints.
    pub const TOKEN: &str = "DOSSIER_TOKEN";
}

/// Settings as given: every field optional.
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    /// `--index`.
    pub index: Option<PathBuf>,
    /// Positional corpus folder.
    pub corpus: Option<PathBuf>,
    /// `--registry`.
    pub registry: Option<PathBuf>,
    /// `--addr`.
    pub addr: Option<String>,
    /// Write token.
    pub token: Option<String>,
}

impl RawSettings {
    /// Fills every field the flags left empty from the environment.
    pub fn with_env(mut self) -> RawSettings {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        };
        self.index = self.index.or_else(|| var(env::INDEX).map(PathBuf::from));
        self.corpus = self.corpus.or_else(|| var(env::CORPUS).map(PathBuf::from));
        self.registry = self
            .registry
            .or_else(|| var(env::REGISTRY).map(PathBuf::from));
        self.addr = self.addr.or_else(|| var(env::ADDR));
        self.token = self.token.or_else(|| var(env::TOKEN));
        self
    }
}

/// A bad setting.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `--addr` does not parse.
    #[error("--addr: `{0}` is not an address; use HOST:PORT such as 127.0.0.1:8080")]
    Addr(String),
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Index folder.
    pub index: PathBuf,
    /// Corpus folder.
    pub corpus: PathBuf,
    /// Registry file given explicitly (flag or environment).
    pub registry: Option<PathBuf>,
    /// Server address.
    pub addr: SocketAddr,
    /// Write token; `None` disables write endpoints.
    pub token: Option<String>,
}

impl Settings {
    /// Applies the defaults and checks what can be checked without I/O.
    pub fn resolve(raw: RawSettings) -> Result<Settings, SettingsError> {
        let addr_text = raw.addr.unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr = addr_text
            .parse()
            .map_err(|_| SettingsError::Addr(addr_text.clone()))?;
        Ok(Settings {
            index: raw.index.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX)),
            corpus: raw.corpus.unwrap_or_else(|| PathBuf::from(DEFAULT_CORPUS)),
            registry: raw.registry,
            addr,
            token: raw.token,
        })
    }

    /// The registry to use with an existing index: the explicit one, else the one
    /// the index was built with, else the corpus's.
    pub fn registry_for(&self, index: Option<&DossierIndex>) -> PathBuf {
        if let Some(registry) = &self.registry {
            return registry.clone();
        }
        let fallback = self.corpus_registry(&self.corpus);
        match index.and_then(|index| index.manifest().registry) {
            Some(recorded) if recorded.is_file() => recorded,
            Some(recorded) => {
                // Items tagged with one registry and new ones with another would
                // disagree: say so rather than switch unseen.
                tracing::warn!(
                    recorded = %recorded.display(),
                    using = %fallback.display(),
                    "the registry this index was tagged with is gone; pass --registry to choose"
                );
                fallback
            }
            None => fallback,
        }
    }

    /// The registry inside a corpus folder (or the explicit one).
    pub fn corpus_registry(&self, corpus: &Path) -> PathBuf {
        self.registry
            .clone()
            .unwrap_or_else(|| corpus.join(REGISTRY_IN_CORPUS))
    }
}
