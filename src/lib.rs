//! dossier: search and entity linking for cyber-threat-intelligence briefs.
//!
//! The pipeline runs one way:
//!
//! - [`corpus`] reads briefs, weekly summaries and entry files into [`item::Item`]s;
//! - [`registry`] loads the entity dictionary and resolves tombstones;
//! - [`tagger`] finds entity labels and CVE ids in an item's text;
//! - [`index`] writes items to Tantivy and reads them back;
//! - [`query`] turns what a user types into a Tantivy query with filters;
//! - [`search`] runs a query and returns hits, snippets and facet counts;
//! - [`entity_page`] and [`related`] build entity pages and suggestions from the index;
//! - [`annotate`] tags a draft and suggests the entities it probably should name;
//! - [`linking`] measures the tagger against the corpus's explicit keys;
//! - [`warming`] reads each new index generation ahead for a server;
//! - [`http`] serves the same functions over HTTP; the binary's `cli` over the shell;
//! - [`settings`] resolves flags, environment and defaults once;
//! - [`outputs`] derives the JSON Schemas of every JSON output;
//! - [`synthetic`] writes large corpora in the real formats for benchmarks.

pub mod annotate;
pub mod corpus;
pub mod entity_page;
pub mod http;
pub mod index;
pub mod item;
pub mod linking;
pub mod outputs;
pub mod query;
pub mod registry;
pub mod related;
pub mod search;
pub mod settings;
pub mod snippet;
pub mod synthetic;
pub mod tagger;
pub mod warming;
