//! Index fields and how each is analyzed.

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};

use super::analyzer::ANALYZER;
use super::shared_analysis::PAIRS;

/// The pair fields of the text fields, in the order of [`Fields::pairs`].
const PAIR_FIELDS: [&str; 4] = [
    "title_pairs",
    "summary_pairs",
    "body_pairs",
    "keywords_pairs",
];

/// Every field of the index, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Item id or file path: unique per document, used to replace it.
    pub id: Field,
    /// `item`, `brief` (brief-level text) or `file` (the stored source text), plus
    /// `searchable` for items and brief-level texts and `rollup` for roll-ups.
    pub doc_type: Field,
    /// The merge unit a document belongs to: a brief path, or a standalone entry's path.
    pub unit: Field,
    /// Corpus-relative source paths.
    pub path: Field,
    /// The brief an entry file joins for merging (file documents only): the one its
    /// `migrated_from` names, else the daily brief of its date.
    pub joins_brief: Field,
    /// The source file's text (file documents only, stored).
    pub file_text: Field,
    /// The whole item as JSON (stored): what results are rendered from.
    pub item: Field,
    /// daily / weekly / entry.
    pub kind: Field,
    /// Brief id.
    pub brief: Field,
    /// Date as `YYYYMMDD`: range filters and date sort.
    pub day: Field,
    /// Title text.
    pub title: Field,
    /// Body text.
    pub body: Field,
    /// Summary text.
    pub summary: Field,
    /// Every spelling of the names and aliases of the item's entities, each one
    /// term ([`super::analyzer::label_term`]), so that an alias finds tagged items
    /// when all of it is typed.
    pub labels: Field,
    /// Footer and front-matter keywords: tags, regions, sectors, techniques, CVEs.
    pub keywords: Field,
    /// The adjacent word pairs of `title`, `summary`, `body` and `keywords`, in that
    /// order: a two-word phrase is one term there ([`super::pairs`]).
    pub pairs: [Field; 4],
    /// `/section/<key>`.
    pub section: Field,
    /// `/host/<host>`.
    pub host: Field,
    /// `/entity/<key>`.
    pub entity: Field,
    /// `/type/<entity type>`.
    pub entity_type: Field,
    /// `/month/YYYY-MM`.
    pub month: Field,
    /// Every host and entity of an item (fast column only), as [`linked_value`]s.
    /// A search counts both facets: from one multi-valued column, each matching
    /// document costs one value-range lookup instead of two, which was a third of
    /// a broad search at a million items.
    pub linked: Field,
    /// Cited URLs, as their [`crate::corpus::markdown::link_key`]: what a link
    /// pasted as a query word finds.
    pub url: Field,
    /// Each cited source as `url`, host and link text joined by [`CITE_SEPARATOR`]
    /// (fast column only): what an entity page's source list is counted from. The
    /// host found at ingest is kept so that a page need not parse a thousand URLs
    /// again.
    pub cites: Field,
    /// A roll-up's sources per entity it names, as `key`, [`ROW_SEPARATOR`] and a
    /// `cites` value (fast column only): a roll-up's row cites its sources for
    /// what that row names, and an entity page counts those alone from it.
    pub rollup_cites: Field,
    /// Verification flag.
    pub verification: Field,
    /// Footer / front-matter tags.
    pub tags: Field,
}

/// The fast column of every host and entity of an item: see [`Fields::linked`].
pub const LINKED: &str = "linked";

/// Separates the URL, host and link text of a `cites` value; no URL or host holds
/// it.
pub const CITE_SEPARATOR: char = '\u{1f}';

/// Separates the entity key from the `cites` value in a `rollup_cites` value; no
/// key, URL or host holds it.
pub const ROW_SEPARATOR: char = '\u{1e}';

/// Facet roots, one per facet field.
pub mod facet {
    /// Section facet root.
    pub const SECTION: &str = "section";
    /// Host facet root.
    pub const HOST: &str = "host";
    /// Entity facet root.
    pub const ENTITY: &str = "entity";
    /// Entity-type facet root.
    pub const TYPE: &str = "type";
    /// Month facet root.
    pub const MONTH: &str = "month";
}

/// Document types.
pub mod doc_type {
    /// A story.
    pub const ITEM: &str = "item";
    /// Brief-level text.
    pub const BRIEF: &str = "brief";
    /// A stored source file.
    pub const FILE: &str = "file";
    /// Third value of roll-up items (tables restating a section's stories): they
    /// take no part in co-occurrence.
    pub const ROLLUP: &str = "rollup";
    /// Second value of items and brief-level texts: what searches run over, as
    /// one term rather than a union of two.
    pub const SEARCHABLE: &str = "searchable";
}

/// Builds the schema.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Fast columns of id, kind and brief let entity pages sort, filter and count
    // without loading stored documents.
    builder.add_text_field("id", STRING | STORED | FAST);
    builder.add_text_field("doc_type", STRING);
    builder.add_text_field("unit", STRING | STORED);
    builder.add_text_field("path", STRING);
    builder.add_text_field("joins_brief", STRING | STORED);
    builder.add_text_field("file_text", STORED);
    builder.add_text_field("item", STORED);
    builder.add_text_field("kind", STRING | FAST);
    builder.add_text_field("brief", STRING | FAST);
    builder.add_u64_field("day", INDEXED | FAST);
    builder.add_text_field("title", text.clone());
    builder.add_text_field("body", text.clone());
    builder.add_text_field("summary", text.clone());
    // Whole names: a query looks up runs of its words here (see `query`). A
    // label's frequency is how often the item mentions its entity; there is no
    // length to normalise by, or an item would score lower for linking more
    // entities.
    builder.add_text_field(
        "labels",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::WithFreqs)
                .set_fieldnorms(false),
        ),
    );
    builder.add_text_field("keywords", text);
    // A pair's frequency is the phrase's; the words' field has the lengths.
    let pairs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(PAIRS)
            .set_index_option(IndexRecordOption::WithFreqs)
            .set_fieldnorms(false),
    );
    for name in PAIR_FIELDS {
        builder.add_text_field(name, pairs.clone());
    }
    for root in [
        facet::SECTION,
        facet::HOST,
        facet::ENTITY,
        facet::TYPE,
        facet::MONTH,
    ] {
        builder.add_facet_field(root, FacetOptions::default());
    }
    builder.add_text_field(LINKED, FAST);
    builder.add_text_field("url", STRING);
    builder.add_text_field("cites", FAST);
    builder.add_text_field("rollup_cites", FAST);
    builder.add_text_field("verification", STRING);
    builder.add_text_field("tags", STRING);
    builder.build()
}

impl Fields {
    /// Resolves the fields of a schema built by [`schema`].
    ///
    /// # Panics
    /// When a field is missing, which only happens with a schema from elsewhere;
    /// opening an index checks the schema first.
    pub fn new(schema: &Schema) -> Fields {
        let field = |name: &str| {
            schema
                .get_field(name)
                .expect("schema() defines every field")
        };
        Fields {
            id: field("id"),
            doc_type: field("doc_type"),
            unit: field("unit"),
            path: field("path"),
            joins_brief: field("joins_brief"),
            file_text: field("file_text"),
            item: field("item"),
            kind: field("kind"),
            brief: field("brief"),
            day: field("day"),
            title: field("title"),
            body: field("body"),
            summary: field("summary"),
            labels: field("labels"),
            keywords: field("keywords"),
            pairs: PAIR_FIELDS.map(field),
            section: field(facet::SECTION),
            host: field(facet::HOST),
            entity: field(facet::ENTITY),
            entity_type: field(facet::TYPE),
            month: field(facet::MONTH),
            linked: field(LINKED),
            url: field("url"),
            cites: field("cites"),
            rollup_cites: field("rollup_cites"),
            verification: field("verification"),
            tags: field("tags"),
        }
    }

    /// The text fields that have pair fields, in the order of [`Fields::pairs`].
    fn paired_texts(&self) -> [Field; 4] {
        [self.title, self.summary, self.body, self.keywords]
    }

    /// The pair field of a text field, if it has one.
    pub fn pairs_of(&self, field: Field) -> Option<Field> {
        let at = self.paired_texts().iter().position(|&text| text == field)?;
        Some(self.pairs[at])
    }

    /// Each text field with its pair field.
    pub fn with_pairs(&self) -> [(Field, Field); 4] {
        let texts = self.paired_texts();
        std::array::from_fn(|at| (texts[at], self.pairs[at]))
    }
}

/// `/root/value` as a facet; the value may hold any character.
pub fn facet_of(root: &str, value: &str) -> Facet {
    Facet::from_path([root, value])
}

/// A value of the `linked` column: the facet root and leaf, encoded as facet
/// dictionaries encode them (`root`, a zero byte, `leaf`), so that one reader of
/// leaves serves both kinds of column.
pub fn linked_value(root: &str, leaf: &str) -> String {
    format!("{root}\0{leaf}")
}

/// `2026-05-06` -> `20260506`; `None` for anything that is not a date.
pub fn day_number(date: &str) -> Option<u64> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (date.len() == 10 && digits.len() == 8)
        .then(|| digits.parse().ok())
        .flatten()
}
