//! The on-disk Tantivy index: the only store of items, files and their entity links.
//!
//! Besides one document per item and per brief-level text, the index keeps one
//! `file` document per source file with the file's text. That is what lets `add`
//! re-merge a brief with its entries and `retag` re-tag every item without reading
//! the corpus again.

pub mod analyzer;
pub mod facet_counts;
pub mod fan_out;
pub mod kept;
pub mod marks;
pub mod merges;
pub mod names;
pub mod newest;
pub mod ordinals;
pub mod pairs;
pub mod per_segment;
pub mod ranked;
pub mod reader;
pub mod schema;
pub mod shared_analysis;
pub mod value_lists;
pub mod words;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Warmer};

pub use schema::Fields;

/// Default memory budget of the index writer, shared by its threads.
pub const DEFAULT_WRITER_HEAP_BYTES: usize = 256 * 1024 * 1024;

/// Written as the payload of every commit. An index whose last commit carries
/// another format was written by another build (other token rules, other column
/// compression) and is rebuilt rather than read: reading it could fail deep inside
/// Tantivy.
pub const FORMAT: &str = "dossier-index-16";

/// The segments (and their deletes) a searcher reads: any commit that changes the
/// index changes it, so values derived from one searcher can be kept under it.
pub type Generation =
    std::collections::BTreeMap<tantivy::index::SegmentId, Option<tantivy::Opstamp>>;

/// The generation `searcher` reads.
pub fn generation(searcher: &tantivy::Searcher) -> Generation {
    searcher.generation().segments().clone()
}

/// A reader that reloads after each commit, warmed by `warmer` if any.
fn reader(index: &Index, warmer: Option<&Arc<dyn Warmer>>) -> tantivy::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .warmers(warmer.map(Arc::downgrade).into_iter().collect())
        .try_into()
}

/// Name of the side file that records where the index came from.
const MANIFEST: &str = "dossier.json";

/// An index that cannot be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index at the path.
    #[error(
        "{dir}: no dossier index here; build one with `dossier index CORPUS_DIR --index {dir}`"
    )]
    Missing {
        /// The folder.
        dir: String,
    },
    /// The folder holds something else.
    #[error("{dir}: the folder exists and is not a dossier index; choose an empty or new folder")]
    NotAnIndex {
        /// The folder.
        dir: String,
    },
    /// Built with another schema.
    #[error(
        "{dir}: the index was built by another version of dossier; rebuild it with `dossier index`"
    )]
    Incompatible {
        /// The folder.
        dir: String,
    },
    /// Another process or request holds the writer.
    #[error("{dir}: another ingest is writing this index; try again when it is done")]
    Busy {
        /// The folder.
        dir: String,
    },
    /// A stored document could not be decoded.
    #[error("{dir}: stored document `{id}` is unreadable ({message}); rebuild the index")]
    Corrupt {
        /// The folder.
        dir: String,
        /// The document id.
        id: String,
        /// What failed.
        message: String,
    },
    /// Tantivy failed.
    #[error("{dir}: {source}")]
    Tantivy {
        /// The folder.
        dir: String,
        /// The error.
        source: tantivy::TantivyError,
    },
    /// The file system failed.
    #[error("{dir}: {source}")]
    Io {
        /// The folder.
        dir: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Where an index's data came from, so that commands given only `--index` can find
/// the registry.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// The corpus folder of the last full build.
    pub corpus: Option<PathBuf>,
    /// The registry file used for tagging.
    pub registry: Option<PathBuf>,
}

/// An open index with its fields and a reader.
#[derive(Clone)]
pub struct DossierIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// What reads each new generation ahead, held here because the reader holds
    /// it weakly.
    _warmer: Option<Arc<dyn Warmer>>,
    dir: PathBuf,
}

impl DossierIndex {
    /// Opens an existing index.
    pub fn open(dir: &Path) -> Result<DossierIndex, IndexError> {
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Missing {
                dir: dir.display().to_string(),
            });
        }
        let index = Index::open_in_dir(dir).map_err(|source| tantivy_error(dir, source))?;
        let metas = index
            .load_metas()
            .map_err(|source| tantivy_error(dir, source))?;
        let foreign_format = !metas.segments.is_empty() && metas.payload.as_deref() != Some(FORMAT);
        if index.schema() != schema::schema() || foreign_format {
            return Err(IndexError::Incompatible {
                dir: dir.display().to_string(),
            });
        }
        DossierIndex::wrap(index, dir)
    }

    /// Opens the index at `dir`, creating it (and the folder) when absent. An index
    /// of another schema is replaced; a folder holding anything else is refused.
    pub fn create_or_open(dir: &Path) -> Result<DossierIndex, IndexError> {
        match DossierIndex::open(dir) {
            Ok(index) => return Ok(index),
            Err(IndexError::Missing { .. }) if is_empty_dir(dir) => {}
            Err(IndexError::Incompatible { .. }) => clear_index_files(dir)?,
            Err(IndexError::Missing { .. }) => {
                return Err(IndexError::NotAnIndex {
                    dir: dir.display().to_string(),
                })
            }
            Err(error) => return Err(error),
        }
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            dir: dir.display().to_string(),
            source,
        })?;
        let index = Index::create_in_dir(dir, schema::schema())
            .map_err(|source| tantivy_error(dir, source))?;
        DossierIndex::wrap(index, dir)
    }

    /// An index in memory, for tests and benchmarks.
    pub fn in_memory() -> Result<DossierIndex, IndexError> {
        let index = Index::create_in_ram(schema::schema());
        DossierIndex::wrap(index, Path::new("(memory)"))
    }

    fn wrap(mut index: Index, dir: &Path) -> Result<DossierIndex, IndexError> {
        register_analyzers(&index);
        // Segments are searched in parallel, one task per segment: a search over a
        // large index takes about half the time on two cores. (Throughput under
        // many concurrent requests stays what the cores allow.)
        if std::thread::available_parallelism().is_ok_and(|cores| cores.get() > 1) {
            index
                .set_default_multithread_executor()
                .map_err(|source| tantivy_error(dir, source))?;
        }
        let fields = Fields::new(&index.schema());
        let reader = reader(&index, None).map_err(|source| tantivy_error(dir, source))?;
        Ok(DossierIndex {
            index,
            fields,
            reader,
            _warmer: None,
            dir: dir.to_path_buf(),
        })
    }

    /// The same index, with `warmer` reading ahead every generation from the
    /// current one on (see [`crate::warming`]).
    pub fn warmed_by(self, warmer: Arc<dyn Warmer>) -> Result<DossierIndex, IndexError> {
        let reader = reader(&self.index, Some(&warmer))
            .map_err(|source| tantivy_error(&self.dir, source))?;
        Ok(DossierIndex {
            reader,
            _warmer: Some(warmer),
            ..self
        })
    }

    /// The index's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The Tantivy index.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// A searcher over the last reloaded commit.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// Makes the last commit visible to new searchers.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader
            .reload()
            .map_err(|source| tantivy_error(&self.dir, source))
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the single writer of this index.
    pub fn writer(
        &self,
        heap_size_bytes: usize,
    ) -> Result<tantivy::IndexWriter<TantivyDocument>, IndexError> {
        let writer = self
            .index
            .writer(heap_size_bytes)
            .map_err(|source| match source {
                tantivy::TantivyError::LockFailure(..) => IndexError::Busy {
                    dir: self.dir.display().to_string(),
                },
                other => tantivy_error(&self.dir, other),
            })?;
        writer.set_merge_policy(Box::new(merges::BoundedMerges::default()));
        Ok(writer)
    }

    /// Reads the manifest; an index without one has an empty manifest.
    pub fn manifest(&self) -> Manifest {
        std::fs::read_to_string(self.dir.join(MANIFEST))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the manifest next to the index files.
    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), IndexError> {
        if !self.dir.is_dir() {
            return Ok(());
        }
        let text = serde_json::to_string_pretty(manifest).expect("a manifest always serializes");
        std::fs::write(self.dir.join(MANIFEST), text).map_err(|source| IndexError::Io {
            dir: self.dir.display().to_string(),
            source,
        })
    }

    pub(crate) fn error(&self, source: tantivy::TantivyError) -> IndexError {
        tantivy_error(&self.dir, source)
    }

    pub(crate) fn corrupt(&self, id: &str, message: impl ToString) -> IndexError {
        IndexError::Corrupt {
            dir: self.dir.display().to_string(),
            id: id.to_string(),
            message: message.to_string(),
        }
    }
}

/// Registers the text fields' analyzer and the pair fields' tokenizer.
fn register_analyzers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(analyzer::ANALYZER, shared_analysis::recorder());
    tokenizers.register(shared_analysis::PAIRS, shared_analysis::pair_tokenizer());
}

fn tantivy_error(dir: &Path, source: tantivy::TantivyError) -> IndexError {
    IndexError::Tantivy {
        dir: dir.display().to_string(),
        source,
    }
}

/// A placeholder that keeps the default `index/` folder in git.
const PLACEHOLDER: &str = ".gitkeep";

/// Empty, absent, or holding only the git placeholder.
fn is_empty_dir(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .all(|entry| entry.file_name() == PLACEHOLDER),
        Err(_) => !dir.exists(),
    }
}

/// Removes the files of an old index, refusing when anything else is in the folder.
fn clear_index_files(dir: &Path) -> Result<(), IndexError> {
    let io = |source| IndexError::Io {
        dir: dir.display().to_string(),
        source,
    };
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    let is_index_file = |path: &PathBuf| {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        path.is_file()
            && (name == "meta.json"
                || name == PLACEHOLDER
                || name == MANIFEST
                || name.starts_with(".tantivy")
                || name == ".managed.json"
                || name.split('.').next().is_some_and(|stem| {
                    stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())
                }))
    };
    if !entries.iter().all(is_index_file) {
        return Err(IndexError::NotAnIndex {
            dir: dir.display().to_string(),
        });
    }
    entries
        .iter()
        .filter(|path| !path.ends_with(PLACEHOLDER))
        .try_for_each(std::fs::remove_file)
        .map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_an_index_of_another_format_is_refused_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_in_dir(dir.path(), schema::schema()).unwrap();
        register_analyzers(&index);
        let mut writer: tantivy::IndexWriter<TantivyDocument> = index.writer(15_000_000).unwrap();
        writer.add_document(TantivyDocument::default()).unwrap();
        writer.commit().unwrap();
        drop(writer);

        let error = DossierIndex::open(dir.path())
            .err()
            .expect("a commit without our payload");
        assert!(matches!(error, IndexError::Incompatible { .. }), "{error}");
        let rebuilt = DossierIndex::create_or_open(dir.path()).expect("a rebuild replaces it");
        assert_eq!(rebuilt.searcher().num_docs(), 0);
    }
}
