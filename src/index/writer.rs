//! Writing items: full rebuilds, incremental adds and re-tagging, all through one
//! path: source files -> merge units -> parse, tag -> documents -> commit.
//!
//! A *unit* is what must be re-parsed together: a brief with the entries migrated
//! from it, or a standalone entry. Every document carries its unit, so replacing a
//! unit is one delete by term and one batch of adds, inside one commit: a failed
//! ingest leaves the previous commit untouched.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::analyzer::label_term;
use super::reader::{self, stored_files, StoredFile};
use super::schema::{
    day_number, doc_type, facet, facet_of, linked_value, Fields, CITE_SEPARATOR, ROW_SEPARATOR,
};
use super::{DossierIndex, IndexError};
use crate::corpus::{self, markdown, CorpusError, CorpusFile, Origin, SourceFile};
use crate::item::{Item, Level, Source};
use crate::registry::{Entity, Registry, RegistryError};
use crate::tagger::{self, entity_type, Tagger};

/// An ingest that failed; nothing of it was committed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A source file is broken.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The registry cannot tag this index.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// Refuses a registry that defines no entity for an index whose items link
/// registered ones: tagging with it, by `add`, `retag` or a reload, would unlink
/// them (an emptied or truncated registry file). `path` names it in the error.
pub fn check_registry(
    index: &DossierIndex,
    registry: &Registry,
    path: &Path,
) -> Result<(), IngestError> {
    if registry.is_empty() && reader::links_registered_entities(index)? {
        return Err(RegistryError::Empty {
            path: path.display().to_string(),
        }
        .into());
    }
    Ok(())
}

/// What an ingest did, for the closing summary line and the API answer.
#[derive(Debug, Clone, Default, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Summary {
    /// Brief files written.
    pub briefs: usize,
    /// Entry files written.
    pub entries: usize,
    /// Items written (brief-level texts not counted).
    pub items: usize,
    /// Distinct entity keys linked to those items.
    pub entities: usize,
    /// Tagged mentions in those items.
    pub mentions: usize,
    /// Explicit keys that the registry does not know, kept as unregistered entities.
    pub unregistered: Vec<String>,
    /// Ids of the items written, for an add (a rebuild leaves it empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// The registry and its compiled tagger: what linking needs.
pub struct Linker<'a> {
    /// The registry.
    pub registry: &'a Registry,
    /// Its tagger.
    pub tagger: &'a Tagger,
}

/// Writer memory budget and progress reporting.
pub struct WriteOptions<'a> {
    /// Memory budget of the Tantivy writer.
    pub heap_size_bytes: usize,
    /// Called with the number of files done after each unit.
    pub progress: &'a (dyn Fn(usize) + Sync),
}

impl Default for WriteOptions<'_> {
    fn default() -> Self {
        WriteOptions {
            heap_size_bytes: super::DEFAULT_WRITER_HEAP_BYTES,
            progress: &|_| {},
        }
    }
}

/// Replaces the whole index content with the given files.
pub fn rebuild(
    index: &DossierIndex,
    files: &[SourceFile],
    linker: &Linker,
    options: &WriteOptions,
) -> Result<Summary, IngestError> {
    let members = files.iter().map(Member::Loaded).collect();
    rebuild_units(index, group_units(members)?, linker, options)
}

/// Replaces the whole index content with the files of a corpus, reading each merge
/// unit's files when the unit is prepared: memory holds the units in flight, not
/// the corpus. Entry files are read once more while grouping, for the brief their
/// front matter joins.
pub fn rebuild_listed(
    index: &DossierIndex,
    files: Vec<CorpusFile>,
    linker: &Linker,
    options: &WriteOptions,
) -> Result<Summary, IngestError> {
    let members = files.into_iter().map(Member::OnDisk).collect();
    rebuild_units(index, group_units(members)?, linker, options)
}

fn rebuild_units(
    index: &DossierIndex,
    units: Vec<Unit>,
    linker: &Linker,
    options: &WriteOptions,
) -> Result<Summary, IngestError> {
    let started = Instant::now();
    let mut writer = index.writer(options.heap_size_bytes)?;
    writer
        .delete_all_documents()
        .map_err(|error| index.error(error))?;
    // A rebuild does not list the ids it wrote: a million of them are no answer.
    let summary = write_units(index, &writer, &units, linker, options, false);
    let mut summary = match summary {
        Ok(summary) => summary,
        Err(error) => {
            writer.rollback().map_err(|error| index.error(error))?;
            return Err(error);
        }
    };
    commit(index, writer)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Adds or replaces the given files; merged stories are re-merged with the files
/// already in the index. Idempotent: adding the same files twice changes nothing.
pub fn add(
    index: &DossierIndex,
    files: Vec<SourceFile>,
    linker: &Linker,
    options: &WriteOptions,
) -> Result<Summary, IngestError> {
    let started = Instant::now();
    let plan = plan_add(index, once_each(files)?)?;
    let mut writer = index.writer(options.heap_size_bytes)?;
    for unit in &plan.deleted_units {
        writer.delete_term(Term::from_field_text(index.fields().unit, unit));
    }
    let written = write_units(index, &writer, &plan.units, linker, options, true)
        .and_then(|summary| kept_apart(index, &summary.ids, &plan.deleted_units).map(|()| summary));
    let mut summary = match written {
        Ok(summary) => summary,
        Err(error) => {
            writer.rollback().map_err(|error| index.error(error))?;
            return Err(error);
        }
    };
    commit(index, writer)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The files, each path once: the same file given twice (two spellings of its
/// path, overlapping globs) would otherwise be written twice, two documents
/// under each of its item ids.
fn once_each(files: Vec<SourceFile>) -> Result<Vec<SourceFile>, CorpusError> {
    let mut by_path: BTreeMap<String, SourceFile> = BTreeMap::new();
    for file in files {
        match by_path.get(&file.path) {
            Some(seen) if seen.text != file.text => {
                return Err(CorpusError::GivenTwice { path: file.path });
            }
            Some(_) => {}
            None => {
                by_path.insert(file.path.clone(), file);
            }
        }
    }
    Ok(by_path.into_values().collect())
}

/// Re-tags every stored item from the stored file texts, with a new registry.
pub fn retag(
    index: &DossierIndex,
    linker: &Linker,
    options: &WriteOptions,
) -> Result<Summary, IngestError> {
    let files = all_files(index)?;
    rebuild(index, &files, linker, options)
}

/// Every stored source file, as it was last ingested.
pub fn all_files(index: &DossierIndex) -> Result<Vec<SourceFile>, IngestError> {
    let query = TermQuery::new(
        Term::from_field_text(index.fields().doc_type, doc_type::FILE),
        IndexRecordOption::Basic,
    );
    stored_files(index, &query)?
        .into_iter()
        .map(|stored| Ok(SourceFile::new(&stored.path, stored.text.into_bytes())?))
        .collect()
}

/// Commits, then waits for the merges the commit started. A command exits when
/// this returns, and a merge still running would be dropped with its process: with
/// one small segment per `add`, segments would pile up ingest after ingest.
fn commit(
    index: &DossierIndex,
    mut writer: IndexWriter<TantivyDocument>,
) -> Result<(), IndexError> {
    let mut prepared = writer
        .prepare_commit()
        .map_err(|error| index.error(error))?;
    prepared.set_payload(super::FORMAT);
    prepared.commit().map_err(|error| index.error(error))?;
    writer
        .wait_merging_threads()
        .map_err(|error| index.error(error))?;
    index.reload()
}

/// A file of a merge unit: in memory, or to be read when the unit is prepared.
enum Member<'a> {
    Loaded(&'a SourceFile),
    Owned(SourceFile),
    OnDisk(CorpusFile),
}

impl Member<'_> {
    fn path(&self) -> &str {
        match self {
            Member::Loaded(file) => &file.path,
            Member::Owned(file) => &file.path,
            Member::OnDisk(file) => &file.relative,
        }
    }

    fn load(&self) -> Result<Cow<'_, SourceFile>, CorpusError> {
        match self {
            Member::Loaded(file) => Ok(Cow::Borrowed(file)),
            Member::Owned(file) => Ok(Cow::Borrowed(file)),
            Member::OnDisk(file) => file.read().map(Cow::Owned),
        }
    }
}

/// A merge unit: its key and its files.
struct Unit<'a> {
    key: String,
    files: Vec<Member<'a>>,
}

/// Groups files into units: each brief with the entries migrated from it.
fn group_units(files: Vec<Member<'_>>) -> Result<Vec<Unit<'_>>, CorpusError> {
    let origins = files
        .iter()
        .map(|member| corpus::identify(member.path()))
        .collect::<Result<Vec<_>, _>>()?;
    let briefs: BTreeSet<String> = files
        .iter()
        .zip(&origins)
        .filter(|(_, origin)| matches!(origin, Origin::Brief(_)))
        .map(|(member, _)| member.path().to_string())
        .collect();
    let mut units: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for (member, origin) in files.into_iter().zip(origins) {
        let key = match origin {
            Origin::Brief(_) => member.path().to_string(),
            Origin::Entry { .. } => {
                unit_of(member.load()?.as_ref(), |brief| briefs.contains(brief))
            }
        };
        units.entry(key).or_default().push(member);
    }
    Ok(units
        .into_iter()
        .map(|(key, files)| Unit { key, files })
        .collect())
}

fn unit_of(file: &SourceFile, brief_exists: impl Fn(&str) -> bool) -> String {
    match file.joins_brief() {
        Some(brief) if brief_exists(&brief) => brief,
        _ => file.path.clone(),
    }
}

struct AddPlan {
    deleted_units: BTreeSet<String>,
    units: Vec<Unit<'static>>,
}

/// Works out which units an add touches and which files each of them holds after it.
fn plan_add(index: &DossierIndex, files: Vec<SourceFile>) -> Result<AddPlan, IngestError> {
    let fields = index.fields();
    let replaced: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut deleted_units = BTreeSet::new();
    let mut new_unit = BTreeMap::new();

    for file in &files {
        if let Some(old) = stored_file(index, &file.path)? {
            deleted_units.insert(old.unit);
        }
        let brief_exists = |brief: &str| {
            replaced.contains(brief) || matches!(stored_file(index, brief), Ok(Some(_)))
        };
        new_unit.insert(file.path.clone(), unit_of(file, brief_exists));
    }
    let touched: BTreeSet<String> = deleted_units
        .iter()
        .chain(new_unit.values())
        .cloned()
        .collect();

    let mut units = Vec::new();
    for key in touched {
        let mut members: Vec<SourceFile> = files
            .iter()
            .filter(|f| new_unit[&f.path] == key)
            .cloned()
            .collect();
        let mut stored = stored_files(index, &term_query(fields.unit, &key))?;
        let is_brief =
            members.iter().any(|f| f.path == key) || stored.iter().any(|f| f.path == key);
        if is_brief {
            stored.extend(stored_files(index, &term_query(fields.joins_brief, &key))?);
        }
        for file in stored {
            if replaced.contains(&file.path)
                || members.iter().any(|member| member.path == file.path)
            {
                continue;
            }
            deleted_units.insert(file.unit.clone());
            members.push(SourceFile::new(&file.path, file.text.into_bytes())?);
        }
        deleted_units.insert(key.clone());
        if !members.is_empty() {
            units.push(Unit {
                key,
                files: members.into_iter().map(Member::Owned).collect(),
            });
        }
    }
    Ok(AddPlan {
        deleted_units,
        units,
    })
}

/// Refuses an added item whose id an item of a unit this add leaves in place
/// already carries: both would stay, two documents under one id.
fn kept_apart(
    index: &DossierIndex,
    ids: &[String],
    deleted_units: &BTreeSet<String>,
) -> Result<(), IngestError> {
    for id in ids {
        let units = super::reader::units_of(index, id)?;
        if let Some(kept) = units.into_iter().find(|unit| !deleted_units.contains(unit)) {
            return Err(CorpusError::DuplicateId {
                id: id.clone(),
                first: kept,
                second: "this add".to_string(),
            }
            .into());
        }
    }
    Ok(())
}

fn stored_file(index: &DossierIndex, path: &str) -> Result<Option<StoredFile>, IndexError> {
    let fields = index.fields();
    let query = BooleanQuery::new(vec![
        (Occur::Must, term_query(fields.path, path)),
        (Occur::Must, term_query(fields.doc_type, doc_type::FILE)),
    ]);
    Ok(stored_files(index, &query)?.into_iter().next())
}

fn term_query(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Parses, tags and adds every unit; returns what was written.
///
/// Parsing, tagging and building documents are independent per unit, so they run
/// on worker threads (one per core) while this thread hands the finished documents
/// to the Tantivy writer in unit order: the documents, their order and the summary
/// are the same as with one thread. Workers stay at most [`UNITS_AHEAD`] units
/// ahead of the writer, which bounds the documents held in memory.
fn write_units(
    index: &DossierIndex,
    writer: &IndexWriter<TantivyDocument>,
    units: &[Unit],
    linker: &Linker,
    options: &WriteOptions,
    list_ids: bool,
) -> Result<Summary, IngestError> {
    let fields = *index.fields();
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(units.len());
    let mut totals = Totals {
        list_ids,
        watched: crossing_ids(units),
        ..Totals::default()
    };
    if workers <= 1 {
        for unit in units {
            let prepared = prepare(&fields, unit, linker)?;
            totals.add(index, writer, prepared, options)?;
        }
        return Ok(totals.summary());
    }

    let next = AtomicUsize::new(0);
    let consumed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(UNITS_AHEAD);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, consumed, fields) = (&next, &consumed, &fields);
            scope.spawn(move || loop {
                let at = next.fetch_add(1, Ordering::Relaxed);
                if at >= units.len() {
                    return;
                }
                while at >= consumed.load(Ordering::Acquire) + UNITS_AHEAD {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                if tx.send((at, prepare(fields, &units[at], linker))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // Finished units arrive in any order; they are written in unit order.
        let written = || -> Result<(), IngestError> {
            let mut waiting = BTreeMap::new();
            for (at, prepared) in rx {
                waiting.insert(at, prepared);
                while let Some(prepared) = waiting.remove(&consumed.load(Ordering::Acquire)) {
                    totals.add(index, writer, prepared?, options)?;
                    consumed.fetch_add(1, Ordering::Release);
                }
            }
            Ok(())
        };
        let result = written();
        if result.is_err() {
            // Release workers waiting for the writer; their sends now fail and they stop.
            consumed.store(usize::MAX / 2, Ordering::Release);
        }
        result.map(|()| totals.summary())
    })
}

/// The ids of entries merged into another unit than their own date's daily
/// brief: a brief item of that date with the same slug lands in a second unit,
/// and nothing would merge the two. Other ids cannot repeat across units.
fn crossing_ids(units: &[Unit]) -> HashMap<String, Option<String>> {
    let mut ids = HashMap::new();
    for unit in units {
        for member in &unit.files {
            if let Ok(Origin::Entry { date, slug }) = corpus::identify(member.path()) {
                if unit.key != format!("briefs/{date}.md") {
                    ids.insert(format!("{date}/{slug}"), None);
                }
            }
        }
    }
    ids
}

/// Units the workers may run ahead of the writer.
const UNITS_AHEAD: usize = 64;

/// One unit parsed, tagged and turned into documents.
struct Prepared {
    unit: String,
    files: usize,
    briefs: usize,
    entries: usize,
    documents: Vec<TantivyDocument>,
    /// (id, mentions, entity keys) of each item, brief-level texts left out.
    items: Vec<(String, usize, Vec<String>)>,
    unregistered: Vec<String>,
}

fn prepare(fields: &Fields, unit: &Unit, linker: &Linker) -> Result<Prepared, IngestError> {
    let files = unit
        .files
        .iter()
        .map(Member::load)
        .collect::<Result<Vec<_>, _>>()?;
    let parsed = corpus::parse_files(&files)?;
    let mut prepared = Prepared {
        unit: unit.key.clone(),
        files: unit.files.len(),
        briefs: parsed.briefs,
        entries: parsed.entries,
        documents: Vec::with_capacity(unit.files.len() + parsed.items.len()),
        items: Vec::new(),
        unregistered: Vec::new(),
    };
    for file in &files {
        prepared
            .documents
            .push(file_document(fields, &unit.key, file));
    }
    for mut item in parsed.items {
        // Brief-level text (TL;DR, notes, roll-up tables) names many entities in
        // passing and is no item of theirs: linked, it would count in the entity
        // facet where `--entity` and entity pages, which list items, never find it.
        if item.level == Level::Item {
            tagger::link(&mut item, linker.tagger, linker.registry);
            prepared
                .items
                .push((item.id.clone(), item.mentions.len(), item.entities.clone()));
        }
        prepared.unregistered.extend(
            item.explicit_entities
                .iter()
                .filter(|key| is_unregistered(key, linker.registry))
                .cloned(),
        );
        prepared
            .documents
            .push(item_document(fields, &unit.key, &item, linker.registry));
    }
    Ok(prepared)
}

/// The running summary of an ingest.
#[derive(Default)]
struct Totals {
    /// Whether [`Summary::ids`] is filled.
    list_ids: bool,
    /// Ids that two units may both write (see [`crossing_ids`]), with the unit
    /// that wrote each first.
    watched: HashMap<String, Option<String>>,
    summary: Summary,
    entities: BTreeSet<String>,
    unregistered: BTreeSet<String>,
    files_done: usize,
}

impl Totals {
    fn add(
        &mut self,
        index: &DossierIndex,
        writer: &IndexWriter<TantivyDocument>,
        prepared: Prepared,
        options: &WriteOptions,
    ) -> Result<(), IngestError> {
        self.check_ids(&prepared)?;
        for document in prepared.documents {
            add_document(index, writer, document)?;
        }
        self.summary.briefs += prepared.briefs;
        self.summary.entries += prepared.entries;
        for (id, mentions, entities) in prepared.items {
            tracing::debug!(item = %id, mentions, entities = entities.len(), "item written");
            self.summary.items += 1;
            self.summary.mentions += mentions;
            if self.list_ids {
                self.summary.ids.push(id);
            }
            self.entities.extend(entities);
        }
        self.unregistered.extend(prepared.unregistered);
        self.files_done += prepared.files;
        (options.progress)(self.files_done);
        Ok(())
    }

    /// Refuses an id that another unit of this ingest already wrote.
    fn check_ids(&mut self, prepared: &Prepared) -> Result<(), CorpusError> {
        for (id, _, _) in &prepared.items {
            let Some(first) = self.watched.get_mut(id) else {
                continue;
            };
            match first {
                Some(first) if *first != prepared.unit => {
                    return Err(CorpusError::DuplicateId {
                        id: id.clone(),
                        first: first.clone(),
                        second: prepared.unit.clone(),
                    });
                }
                Some(_) => {}
                None => *first = Some(prepared.unit.clone()),
            }
        }
        Ok(())
    }

    fn summary(self) -> Summary {
        Summary {
            entities: self.entities.len(),
            unregistered: self.unregistered.into_iter().collect(),
            ..self.summary
        }
    }
}

fn is_unregistered(key: &str, registry: &Registry) -> bool {
    entity_type(key) != "cve" && registry.get(key).is_none()
}

fn add_document(
    index: &DossierIndex,
    writer: &IndexWriter<TantivyDocument>,
    document: TantivyDocument,
) -> Result<(), IndexError> {
    writer
        .add_document(document)
        .map(|_| ())
        .map_err(|error| index.error(error))
}

fn file_document(fields: &Fields, unit: &str, file: &SourceFile) -> TantivyDocument {
    let mut document = TantivyDocument::default();
    document.add_text(fields.id, format!("file:{}", file.path));
    document.add_text(fields.doc_type, doc_type::FILE);
    document.add_text(fields.unit, unit);
    document.add_text(fields.path, &file.path);
    if let Some(brief) = file.joins_brief() {
        document.add_text(fields.joins_brief, brief);
    }
    document.add_text(fields.file_text, &file.text);
    // Every document has exactly one section and one month, so those columns are
    // full and a search reads them without first asking whether the document has
    // a value (that lookup was a tenth of a search). A file matches no search and
    // is not in any scope, so `file` is never counted. The same holds for the kind
    // and day columns that entity pages read for every item; day 0 sorts last.
    document.add_facet(fields.section, facet_of(facet::SECTION, doc_type::FILE));
    document.add_facet(fields.month, facet_of(facet::MONTH, doc_type::FILE));
    document.add_text(fields.kind, doc_type::FILE);
    document.add_u64(fields.day, 0);
    document
}

/// The document of one item: searchable fields, facets, and the item as JSON.
pub fn item_document(
    fields: &Fields,
    unit: &str,
    item: &Item,
    registry: &Registry,
) -> TantivyDocument {
    let mut document = TantivyDocument::default();
    let kind = if item.level == Level::Item {
        doc_type::ITEM
    } else {
        doc_type::BRIEF
    };
    document.add_text(fields.id, &item.id);
    document.add_text(fields.doc_type, kind);
    document.add_text(fields.doc_type, doc_type::SEARCHABLE);
    if item.rollup {
        document.add_text(fields.doc_type, doc_type::ROLLUP);
    }
    document.add_text(fields.unit, unit);
    for path in &item.paths {
        document.add_text(fields.path, path);
    }
    document.add_text(fields.kind, item.kind.as_str());
    if let Some(brief) = &item.brief {
        document.add_text(fields.brief, &brief.id);
    }
    if let Some(day) = day_number(&item.date) {
        document.add_u64(fields.day, day);
    }
    for (label, mentions) in entity_labels(item, registry) {
        for _ in 0..mentions {
            document.add_text(fields.labels, &label);
        }
    }
    // Each text twice: its words, then its pairs (`shared_analysis`).
    let texts = [&item.title, &item.summary, &item.body, &keywords(item)];
    for ((field, pairs), text) in fields.with_pairs().into_iter().zip(texts) {
        document.add_text(field, text);
        document.add_text(pairs, text);
    }
    document.add_facet(fields.section, facet_of(facet::SECTION, &item.section));
    document.add_facet(fields.month, facet_of(facet::MONTH, item.month()));
    for host in item.hosts() {
        document.add_facet(fields.host, facet_of(facet::HOST, host));
        document.add_text(fields.linked, linked_value(facet::HOST, host));
    }
    let types: BTreeSet<&str> = item.entities.iter().map(|key| entity_type(key)).collect();
    for key in &item.entities {
        document.add_facet(fields.entity, facet_of(facet::ENTITY, key));
        document.add_text(fields.linked, linked_value(facet::ENTITY, key));
    }
    for kind in types {
        document.add_facet(fields.entity_type, facet_of(facet::TYPE, kind));
    }
    for source in &item.sources {
        document.add_text(fields.url, markdown::link_key(&source.host, &source.url));
        document.add_text(fields.cites, cite_value(source));
    }
    if item.rollup {
        for (key, cite) in row_cites(item) {
            document.add_text(fields.rollup_cites, format!("{key}{ROW_SEPARATOR}{cite}"));
        }
    }
    if let Some(verification) = &item.verification {
        document.add_text(fields.verification, verification);
    }
    for tag in &item.footer.tags {
        document.add_text(fields.tags, tag);
    }
    document.add_text(
        fields.item,
        serde_json::to_string(item).expect("items always serialize"),
    );
    document
}

/// A source as the `cites` column holds it.
fn cite_value(source: &Source) -> String {
    format!(
        "{}{CITE_SEPARATOR}{}{CITE_SEPARATOR}{}",
        source.url, source.host, source.label
    )
}

/// The sources of a roll-up per entity it names, as `cites` values. A roll-up
/// restates a section's stories a row each (a table row, a list item, a paragraph:
/// one line of its rendered body), and a row's links cite what that row names.
/// Credited to every entity of the table, the NVD pages of five other CVEs topped
/// the sources of CVE-2026-0300. Each mention in the body takes the sources linked
/// on its own line; mentions in the title take none.
fn row_cites(item: &Item) -> BTreeSet<(&str, String)> {
    let rendered = markdown::render(&item.body_markdown);
    let mut cites = BTreeSet::new();
    // Mention offsets point into the item's text, which ends with the body.
    let Some(body_start) = item.text().len().checked_sub(item.body.len()) else {
        return cites;
    };
    if rendered.text != item.body {
        return cites;
    }
    for mention in &item.mentions {
        let Some(at) = mention.start.checked_sub(body_start) else {
            continue;
        };
        let Some(line) = line_around(&item.body, at) else {
            continue;
        };
        for &(link_at, source) in &rendered.cited_at {
            if line.contains(&link_at) {
                cites.insert((mention.key.as_str(), cite_value(&rendered.sources[source])));
            }
        }
    }
    cites
}

/// The line of `text` that holds byte `at`, its line break included.
fn line_around(text: &str, at: usize) -> Option<std::ops::RangeInclusive<usize>> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |newline| newline + 1);
    let end = text[at..]
        .find('\n')
        .map_or(text.len(), |newline| at + newline);
    Some(start..=end)
}

/// The footer's controlled values, one per line.
fn keywords(item: &Item) -> String {
    let mut keywords: Vec<&str> = item
        .footer
        .keyword_lists()
        .into_iter()
        .flat_map(|(_, list)| list.iter())
        .map(String::as_str)
        .collect();
    let listed = match item.level {
        Level::Item => Vec::new(),
        Level::Brief => listed_cves(&item.body),
    };
    keywords.extend(listed.iter().map(String::as_str));
    keywords.join("\n")
}

/// The CVE ids that a brief-level text writes only in a list's short form (`27`
/// of `CVE-2026-23926/27/28`). An item is found by them through the CVE it links;
/// brief-level text links none, so they are its keywords.
fn listed_cves(body: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (range, id) in crate::tagger::cve_places(body) {
        let short = !body[range].eq_ignore_ascii_case(&id);
        if short && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The label terms of an item's registered entities (every spelling of their
/// names and aliases that the tagger matches, each once), each with how often
/// the item mentions its entity: at least once, since front matter links an
/// entity that the text may not name, and at most [`LABEL_MENTIONS_COUNTED`].
fn entity_labels(item: &Item, registry: &Registry) -> Vec<(String, usize)> {
    let mut labels: Vec<(String, usize)> = Vec::new();
    for entity in item.entities.iter().filter_map(|key| registry.get(key)) {
        let mentioned = item
            .mentions
            .iter()
            .filter(|mention| mention.key == entity.key)
            .count();
        let mentions = mentioned.clamp(1, LABEL_MENTIONS_COUNTED);
        for label in label_terms(entity) {
            if labels.iter().all(|(known, _)| *known != label) {
                labels.push((label, mentions));
            }
        }
    }
    labels
}

/// The label term of each spelling of an entity's name and aliases that the
/// tagger matches (see `label_term`): what the labels field holds for it.
pub fn label_terms(entity: &Entity) -> impl Iterator<Item = String> {
    tagger::entity_spellings(entity)
        .into_iter()
        .map(|spelling| label_term(&spelling))
        .filter(|label| !label.is_empty())
}

/// Mentions of an entity that count toward its labels' frequency in an item:
/// past a few, BM25 barely moves, and the field would only grow.
const LABEL_MENTIONS_COUNTED: usize = 8;
