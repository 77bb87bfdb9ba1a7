//! Reading stored documents back: items by id or by query, and source files.

use tantivy::collector::DocSetCollector;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::facet_counts::FacetValues;
use super::schema::facet;
use super::{DossierIndex, IndexError};
use crate::item::Item;

/// A source file as stored in the index.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// Corpus-relative path.
    pub path: String,
    /// Merge unit.
    pub unit: String,
    /// The file's text.
    pub text: String,
}

/// Every stored file matching `query`, sorted by path.
pub fn stored_files(
    index: &DossierIndex,
    query: &dyn Query,
) -> Result<Vec<StoredFile>, IndexError> {
    let searcher = index.searcher();
    let fields = index.fields();
    let addresses = searcher
        .search(query, &DocSetCollector)
        .map_err(|error| index.error(error))?;
    let mut files = Vec::new();
    for address in addresses {
        let document: TantivyDocument =
            searcher.doc(address).map_err(|error| index.error(error))?;
        let Some(text) = document
            .get_first(fields.file_text)
            .and_then(|value| value.as_str())
        else {
            continue;
        };
        let path = document
            .get_first(fields.id)
            .and_then(|value| value.as_str())
            .unwrap_or_default();
        let path = path.strip_prefix("file:").unwrap_or(path).to_string();
        let unit = document
            .get_first(fields.unit)
            .and_then(|value| value.as_str())
            .unwrap_or(&path)
            .to_string();
        files.push(StoredFile {
            path,
            unit,
            text: text.to_string(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Whether some item links a registered entity (a key that is not a CVE id): what
/// tagging with a registry without entities would take away. Read from the entity
/// column's dictionaries, so a link whose items were all replaced may count until
/// their segment is merged.
pub fn links_registered_entities(index: &DossierIndex) -> Result<bool, IndexError> {
    let values =
        FacetValues::of(&index.searcher(), &[facet::ENTITY]).map_err(|error| index.error(error))?;
    Ok(values
        .leaves(0)
        .iter()
        .any(|key| crate::corpus::cve_id(key).is_none()))
}

/// The merge units of the documents whose id is `id`.
pub fn units_of(index: &DossierIndex, id: &str) -> Result<Vec<String>, IndexError> {
    let searcher = index.searcher();
    let fields = index.fields();
    let query = TermQuery::new(
        Term::from_field_text(fields.id, id),
        IndexRecordOption::Basic,
    );
    let addresses = searcher
        .search(&query, &DocSetCollector)
        .map_err(|error| index.error(error))?;
    let mut units = Vec::new();
    for address in addresses {
        let document: TantivyDocument =
            searcher.doc(address).map_err(|error| index.error(error))?;
        if let Some(unit) = document
            .get_first(fields.unit)
            .and_then(|value| value.as_str())
        {
            units.push(unit.to_string());
        }
    }
    Ok(units)
}

/// The item stored in a document.
pub fn item_at(
    index: &DossierIndex,
    searcher: &Searcher,
    address: DocAddress,
) -> Result<Item, IndexError> {
    let document: TantivyDocument = searcher.doc(address).map_err(|error| index.error(error))?;
    let fields = index.fields();
    let id = document
        .get_first(fields.id)
        .and_then(|value| value.as_str())
        .unwrap_or("?")
        .to_string();
    let json = document
        .get_first(fields.item)
        .and_then(|value| value.as_str())
        .ok_or_else(|| index.corrupt(&id, "no stored item"))?;
    serde_json::from_str(json).map_err(|error| index.corrupt(&id, error))
}

/// The item (or brief-level text) with this id; stored files are not items.
pub fn item_by_id(index: &DossierIndex, id: &str) -> Result<Option<Item>, IndexError> {
    let searcher = index.searcher();
    let by_id = TermQuery::new(
        Term::from_field_text(index.fields().id, id),
        IndexRecordOption::Basic,
    );
    let query = tantivy::query::BooleanQuery::new(vec![
        (
            tantivy::query::Occur::Must,
            Box::new(by_id) as Box<dyn Query>,
        ),
        (
            tantivy::query::Occur::Must,
            crate::query::searchable(index.fields()),
        ),
    ]);
    let found = searcher
        .search(&query, &DocSetCollector)
        .map_err(|error| index.error(error))?;
    match found.into_iter().next() {
        Some(address) => Ok(Some(item_at(index, &searcher, address)?)),
        None => Ok(None),
    }
}

/// Every stored item (brief-level text excluded), in index order.
pub fn all_items(index: &DossierIndex) -> Result<Vec<Item>, IndexError> {
    let searcher = index.searcher();
    let query = TermQuery::new(
        Term::from_field_text(index.fields().doc_type, super::schema::doc_type::ITEM),
        IndexRecordOption::Basic,
    );
    let addresses = searcher
        .search(&query, &DocSetCollector)
        .map_err(|error| index.error(error))?;
    addresses
        .into_iter()
        .map(|address| item_at(index, &searcher, address))
        .collect()
}
