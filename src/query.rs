//! What a user types -> a Tantivy query.
//!
//! Syntax: words (all must match), `"phrases"`, `-exclusion` (or `NOT word`),
//! `a OR b`. Anything else is punctuation: pasted text with ` - `, brackets,
//! quotes or dashes still searches. Each word is analyzed like the indexed text;
//! an identifier such as `CVE-2026-31431` becomes one exact term. A word that is
//! an entity key or a CVE id also matches items linked to it, and so do words
//! that spell all of a name or alias of a registered or linked entity (`Hunters
//! International`, `Storm-0501`): runs of words are looked up as whole labels.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::corpus::markdown::{host_of, link_key};
use crate::index::analyzer::{analyze, label_term, JOINERS};
use crate::index::pairs;
use crate::index::schema::{doc_type, facet, facet_of, Fields};
use crate::registry::MAX_LABEL_CHARS;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// Field weights: a word in the title counts most.
const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
const LABELS_BOOST: f32 = 0.8;
const KEYWORDS_BOOST: f32 = 0.5;
const ENTITY_BOOST: f32 = 2.0;
const URL_BOOST: f32 = 2.0;

/// Longest run of query words looked up as one label. Incident names run long
/// (the real registry has one of 13 words); a label holds at most
/// [`MAX_LABEL_CHARS`], which bounds the run too.
const MAX_LABEL_WORDS: usize = 40;

/// A query that cannot be understood; positions are 1-based characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A `"` without its closing partner.
    #[error("query: the quote at column {column} is never closed; add a closing \" or remove it")]
    UnclosedQuote {
        /// Column of the opening quote.
        column: usize,
    },
    /// `OR` with nothing on one side.
    #[error("query: OR at column {column} needs a word on both sides")]
    DanglingOr {
        /// Column of the `OR`.
        column: usize,
    },
    /// `NOT` with no word after it.
    #[error("query: NOT at column {column} needs a word after it (NOT Akira, or -Akira)")]
    DanglingNot {
        /// Column of the `NOT`.
        column: usize,
    },
    /// An excluded word offered as an alternative.
    #[error("query: the word excluded at column {column} cannot be an OR alternative")]
    NegatedAlternative {
        /// Column of the excluded word.
        column: usize,
    },
    /// Brackets around several words where they would change the meaning.
    #[error("query: the brackets at column {column} would group words, which queries do not do: every word must match already, and OR joins the word, quoted phrase or name on each side; quote a phrase, or leave the brackets out")]
    Grouping {
        /// Column of the opening bracket.
        column: usize,
    },
    /// Only punctuation: matching every item, as an empty query does, would answer
    /// a question nobody asked.
    #[error("query: there is no word or number to search for, only punctuation; leave it empty to list every item")]
    NoWords,
    /// Too long.
    #[error("query: {chars} characters is more than the {max} accepted; shorten it")]
    TooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        max: usize,
    },
}

/// One piece of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word or identifier.
    Word(String),
    /// A quoted phrase.
    Phrase(String),
    /// Alternatives joined by `OR`.
    Any(Vec<Clause>),
    /// A clause that must not match.
    Not(Box<Clause>),
}

/// A parsed query: clauses that must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// The clauses, in order.
    pub clauses: Vec<Clause>,
}

#[derive(Clone)]
struct Lexeme {
    text: String,
    column: usize,
    quoted: bool,
    negated: bool,
}

/// Parses query text, knowing no names.
pub fn parse(text: &str) -> Result<ParsedQuery, QueryError> {
    parse_with(text, &NoNames)
}

/// Parses query text; words beside an `OR` that spell a name (per `names`) are
/// one alternative (see [`bind_names`]).
pub fn parse_with(text: &str, names: &dyn Names) -> Result<ParsedQuery, QueryError> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong {
            chars,
            max: MAX_QUERY_CHARS,
        });
    }
    let lexemes = lex(text)?;
    refuse_grouping(&lexemes)?;
    let lexemes = bind_names(join_cve_lists(lexemes), names);
    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending_or: Option<usize> = None;
    // `NOT word` is `-word`, as analysts used to Lucene type it: read as a word, it
    // would ask for "not" and the word, the opposite of what was meant.
    let mut pending_not: Option<usize> = None;
    // Where the last clause starts, to name a negated first alternative.
    let mut last_column = 0;

    for mut lexeme in lexemes {
        if !lexeme.quoted && lexeme.text == "NOT" {
            if pending_not.is_some() {
                return Err(QueryError::DanglingNot {
                    column: lexeme.column,
                });
            }
            pending_not = Some(lexeme.column);
            continue;
        }
        if let Some(column) = pending_not.take() {
            if !lexeme.quoted && lexeme.text == "OR" {
                return Err(QueryError::DanglingNot { column });
            }
            lexeme.negated = true;
            lexeme.column = column;
        }
        if !lexeme.quoted && lexeme.text == "OR" {
            if pending_or.is_some() || clauses.is_empty() {
                return Err(QueryError::DanglingOr {
                    column: lexeme.column,
                });
            }
            pending_or = Some(lexeme.column);
            continue;
        }
        // A quoted key (`"actor:qilin"`, `"CVE-2026-31431"`) is the key, as unquoted.
        let clause = if let Some(ids) = cve_list(&lexeme) {
            Clause::Any(ids.into_iter().map(Clause::Word).collect())
        } else if lexeme.quoted && entity_key(&lexeme.text).is_none() {
            Clause::Phrase(lexeme.text)
        } else {
            Clause::Word(lexeme.text)
        };
        let clause = if lexeme.negated {
            Clause::Not(Box::new(clause))
        } else {
            clause
        };
        match pending_or.take() {
            Some(_) => {
                let previous = clauses.pop().expect("an OR follows a clause");
                let negated = match (&previous, &clause) {
                    (Clause::Not(_), _) => Some(last_column),
                    (_, Clause::Not(_)) => Some(lexeme.column),
                    _ => None,
                };
                if let Some(column) = negated {
                    return Err(QueryError::NegatedAlternative { column });
                }
                clauses.push(match previous {
                    Clause::Any(mut any) => {
                        any.push(clause);
                        Clause::Any(any)
                    }
                    other => Clause::Any(vec![other, clause]),
                });
            }
            None => clauses.push(clause),
        }
        last_column = lexeme.column;
    }
    if let Some(column) = pending_or {
        return Err(QueryError::DanglingOr { column });
    }
    if let Some(column) = pending_not {
        return Err(QueryError::DanglingNot { column });
    }
    if clauses.is_empty() && !text.trim().is_empty() {
        return Err(QueryError::NoWords);
    }
    Ok(ParsedQuery { clauses })
}

/// The ids of a CVE list pasted as one word (`CVE-2026-29201/29202`, as briefs
/// write them): either id, as the tagger reads the list. Searched as written, the
/// list asked for a number that no text holds alone, and found nothing. A
/// separator pasted after the list's end (`CVE-2026-29201/29202/`) is no part of
/// it: in text a number glued to a slash may be a path's.
fn cve_list(lexeme: &Lexeme) -> Option<Vec<String>> {
    // A link naming two CVEs (a vendor's page on both) is the link.
    if lexeme.quoted || as_link(&lexeme.text).is_some() {
        return None;
    }
    let ids = crate::tagger::cve_ids(lexeme.text.trim_end_matches(['/', ',', ';']));
    (ids.len() > 1).then_some(ids)
}

fn lex(text: &str) -> Result<Vec<Lexeme>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut lexemes = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        if chars[at].is_whitespace() {
            at += 1;
            continue;
        }
        let column = at + 1;
        // `-word`, `-"a phrase"` and `-(word)` exclude; a lone `-` is punctuation.
        let negated = chars[at] == '-'
            && chars
                .get(at + 1)
                .is_some_and(|&next| !next.is_whitespace() && next != '-');
        let start = if negated { at + 1 } else { at };
        if is_quote(chars[start]) {
            let close = (start + 1..chars.len())
                .find(|&i| is_quote(chars[i]))
                .ok_or(QueryError::UnclosedQuote { column: start + 1 })?;
            let phrase: String = chars[start + 1..close].iter().collect();
            let phrase = without_possessive(phrase.trim_end()).to_string();
            if phrase.chars().any(char::is_alphanumeric) {
                lexemes.push(Lexeme {
                    text: phrase,
                    column,
                    quoted: true,
                    negated,
                });
            }
            at = close + 1;
            continue;
        }
        let end = (start..chars.len())
            .find(|&i| chars[i].is_whitespace() || is_quote(chars[i]))
            .unwrap_or(chars.len());
        let word: String = chars[start..end].iter().collect();
        let word = with_cve_hyphens(without_possessive(word.trim_start_matches('+')));
        if word.chars().any(char::is_alphanumeric) {
            lexemes.push(Lexeme {
                text: word,
                column,
                quoted: false,
                negated,
            });
        }
        at = end.max(start + 1);
    }
    Ok(lexemes)
}

/// `CVE-2026-31431, CVE-2026-31635`, a list pasted with a space after each comma or
/// semicolon, is one list as `CVE-2026-31431,CVE-2026-31635` is: either id (see
/// [`cve_list`]). Read as two words, it asked for items naming both.
fn join_cve_lists(lexemes: Vec<Lexeme>) -> Vec<Lexeme> {
    let mut joined: Vec<Lexeme> = Vec::with_capacity(lexemes.len());
    for lexeme in lexemes {
        if let Some(list) = joined.last_mut() {
            let plain = |lexeme: &Lexeme| !lexeme.quoted && !lexeme.negated;
            let goes_on = plain(list)
                && plain(&lexeme)
                && list.text.ends_with([',', ';'])
                && !crate::tagger::cve_ids(&list.text).is_empty()
                && crate::corpus::cve_id(lexeme.text.trim_end_matches([',', ';'])).is_some();
            if goes_on {
                list.text.push_str(&lexeme.text);
                continue;
            }
        }
        joined.push(lexeme);
    }
    joined
}

/// Refuses brackets around several words where grouping would change what is
/// asked: after `-`, `NOT` or `OR`, around an `OR`, or before one
/// (`NIS2 OR (Qilin France)`). Read as punctuation, they silently asked for
/// something else. Brackets elsewhere are pasted text (`Qilin (Agenda) affiliate`),
/// and around one word they change nothing.
fn refuse_grouping(lexemes: &[Lexeme]) -> Result<(), QueryError> {
    let operator =
        |at: usize, name: &str| lexemes.get(at).is_some_and(|l| !l.quoted && l.text == name);
    for (open, lexeme) in lexemes.iter().enumerate() {
        if lexeme.quoted || !lexeme.text.starts_with('(') || lexeme.text.ends_with(')') {
            continue;
        }
        let Some(close) = (open + 1..lexemes.len())
            .find(|&at| !lexemes[at].quoted && lexemes[at].text.ends_with(')'))
        else {
            continue;
        };
        let after_operator = open
            .checked_sub(1)
            .is_some_and(|before| operator(before, "OR") || operator(before, "NOT"));
        let holds_or = (open + 1..close).any(|at| operator(at, "OR"));
        if lexeme.negated || after_operator || holds_or || operator(close + 1, "OR") {
            return Err(QueryError::Grouping {
                column: lexeme.column,
            });
        }
    }
    Ok(())
}

/// Words that spell a name beside an `OR` are read as if quoted: `Midnight
/// Blizzard OR Turla` asks for either actor. An `OR` binds the words next to it,
/// so the same words unbound ask for "Midnight" and one of "Blizzard" or Turla,
/// which no analyst means. Elsewhere a name's words need no binding: they find
/// the name's items as they are (see [`ParsedQuery::to_query`]).
fn bind_names(lexemes: Vec<Lexeme>, names: &dyn Names) -> Vec<Lexeme> {
    let operator = |lexeme: &Lexeme, name: &str| !lexeme.quoted && lexeme.text == name;
    if !lexemes.iter().any(|lexeme| operator(lexeme, "OR")) {
        return lexemes;
    }
    let is_or = |at: Option<usize>| {
        at.and_then(|at| lexemes.get(at))
            .is_some_and(|lexeme| operator(lexeme, "OR"))
    };
    let plain = |lexeme: &Lexeme| {
        !lexeme.quoted && !lexeme.negated && !operator(lexeme, "OR") && !operator(lexeme, "NOT")
    };
    let mut bound = Vec::with_capacity(lexemes.len());
    let mut at = 0;
    while at < lexemes.len() {
        let after_not = at > 0 && operator(&lexemes[at - 1], "NOT");
        let words = lexemes[at..]
            .iter()
            .map(|lexeme| (!after_not && plain(lexeme)).then_some(lexeme.text.as_str()));
        let beside_or =
            |taken: usize| taken > 1 && (is_or(at.checked_sub(1)) || is_or(Some(at + taken)));
        let Some((taken, _)) = names_from(words, names, beside_or).pop() else {
            bound.push(lexemes[at].clone());
            at += 1;
            continue;
        };
        let words: Vec<&str> = lexemes[at..at + taken]
            .iter()
            .map(|lexeme| lexeme.text.as_str())
            .collect();
        bound.push(Lexeme {
            text: words.join(" "),
            column: lexemes[at].column,
            quoted: true,
            negated: false,
        });
        at += taken;
    }
    bound
}

/// The labels that runs of `words` spell from the first word on, each with how
/// many words it takes, shortest first: a word that is not plain (`None`) ends
/// the runs, and a run is looked up only when its length is `asked` for.
fn names_from<'a>(
    words: impl Iterator<Item = Option<&'a str>>,
    names: &dyn Names,
    asked: impl Fn(usize) -> bool,
) -> Vec<(usize, String)> {
    let mut label = String::new();
    let mut found = Vec::new();
    for (taken, word) in (1..).zip(words.take(MAX_LABEL_WORDS).map_while(|word| word)) {
        if !label.is_empty() {
            label.push(' ');
        }
        label.push_str(&label_term(word));
        if label.chars().count() > MAX_LABEL_CHARS {
            break;
        }
        if asked(taken) && names.is_label(&label) {
            found.push((taken, label.clone()));
        }
    }
    found
}

/// `CVE–2026–31431` -> `CVE-2026-31431`: a CVE id whose hyphens a word processor
/// turned into dashes is the id, one term. Read as three words, it found the same
/// items but highlighted every `CVE` of their text.
fn with_cve_hyphens(word: &str) -> String {
    let hyphenated = word.replace(['\u{2013}', '\u{2014}'], "-");
    match crate::corpus::cve_id(&hyphenated) {
        Some(_) if hyphenated != word => hyphenated,
        _ => word.to_string(),
    }
}

/// `APT29's` -> `APT29`: the possessive is no part of the name, and as one
/// identifier (`apt29's`) the word would find only the items that write it so.
/// The analyzer indexes `APT29's` as itself and as `apt29`, so the name finds it.
/// A phrase loses it too (`"Hunters International's"`), and a possessive alone
/// (`'s`) is punctuation. Typed with any apostrophe an analyst's keyboard makes.
fn without_possessive(word: &str) -> &str {
    ['\'', '\u{2019}', '\u{b4}', '`']
        .iter()
        .find_map(|apostrophe| {
            let stem = word.strip_suffix('s').or_else(|| word.strip_suffix('S'))?;
            stem.strip_suffix(*apostrophe)
        })
        .unwrap_or(word)
}

fn is_quote(ch: char) -> bool {
    matches!(ch, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

impl ParsedQuery {
    /// `true` when nothing searchable was typed: the query matches every item.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// What a snippet highlights: each phrase of two words or more as its analyzed
    /// words with their offsets from the first (see [`parts`]), and the terms of
    /// the words typed outside phrases. Words that spell a name together (`The
    /// Gentlemen`, `Midnight Blizzard`, per `names`) are highlighted as a phrase:
    /// not every "the". Excluded clauses match nothing in a hit.
    pub fn highlights(&self, names: &dyn Names) -> Highlights {
        self.highlights_of(&self.label_runs(names))
    }

    /// [`ParsedQuery::highlights`], given the query's label runs.
    fn highlights_of(&self, runs: &[LabelRun]) -> Highlights {
        let mut highlights = Highlights::default();
        let named = self.name_phrases(runs, &mut highlights.phrases);
        let mut pending: Vec<&Clause> = self
            .clauses
            .iter()
            .zip(named)
            .filter_map(|(clause, named)| (!named).then_some(clause))
            .collect();
        while let Some(clause) = pending.pop() {
            match clause {
                // An identifier is highlighted whole, or as its parts in a row
                // (`Copy-Fail` in "Copy Fail"), never part by part: not every
                // "Storm" for `Storm-0501`.
                Clause::Word(word) => {
                    let analyzed = analyze(word);
                    let parts = parts(&analyzed);
                    if parts.len() > 1 {
                        highlights
                            .words
                            .extend(analyzed.into_iter().next().map(|(_, term, _)| term));
                        highlights.phrases.push(parts);
                    } else {
                        highlights
                            .words
                            .extend(parts.into_iter().map(|(_, term)| term));
                    }
                }
                Clause::Phrase(phrase) => {
                    let parts = parts(&analyze(phrase));
                    match parts.len() {
                        0 => {}
                        1 => highlights
                            .words
                            .extend(parts.into_iter().map(|(_, term)| term)),
                        _ => highlights.phrases.push(parts),
                    }
                }
                Clause::Any(any) => pending.extend(any),
                Clause::Not(_) => {}
            }
        }
        highlights
    }

    /// The Tantivy query for the text part, and what its snippets highlight;
    /// `names` says which runs of words are names and which key a typed key
    /// links under. The runs are looked up once, for both.
    pub fn to_query(&self, fields: &Fields, names: &dyn Names) -> TextQuery {
        let scope = Scope { fields, names };
        let runs = self.label_runs(names);
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (clause, run) in self.clauses.iter().zip(self.labels_by_clause(&runs)) {
            let (occur, query) = match clause {
                Clause::Not(inner) => (Occur::MustNot, scope.clause_query(inner, None)),
                Clause::Word(_) => (Occur::Must, scope.clause_query(clause, Some(run))),
                other => (Occur::Must, scope.clause_query(other, None)),
            };
            if let Some(query) = query {
                parts.push((occur, query));
            }
        }
        let requires_text = parts.iter().any(|(occur, _)| *occur == Occur::Must);
        if !requires_text {
            parts.push((Occur::Must, Box::new(AllQuery)));
        }
        TextQuery {
            query: Box::new(BooleanQuery::new(parts)),
            requires_text,
            highlights: self.highlights_of(&runs),
        }
    }

    /// Adds the phrase of each run of two words or more that spells a name to
    /// `phrases`; returns, for each clause, whether such a run holds it.
    fn name_phrases(
        &self,
        runs: &[LabelRun],
        phrases: &mut Vec<Vec<(usize, String)>>,
    ) -> Vec<bool> {
        let mut named = vec![false; self.clauses.len()];
        for run in runs {
            if run.clauses.len() < 2 {
                continue;
            }
            let words: Vec<&str> = self.clauses[run.clauses.clone()]
                .iter()
                .filter_map(|clause| match clause {
                    Clause::Word(word) => Some(word.as_str()),
                    _ => None,
                })
                .collect();
            phrases.push(parts(&analyze(&words.join(" "))));
            named[run.clauses.clone()].fill(true);
        }
        named
    }

    /// The runs of consecutive top-level words that spell a label, a word that
    /// is a name alone among them: `Hunters International ransomware` gives
    /// `hunters international` over its first two words. Phrases, exclusions and
    /// alternatives look up theirs alone (see [`Scope::clause_query`]).
    fn label_runs(&self, names: &dyn Names) -> Vec<LabelRun> {
        let mut runs = Vec::new();
        for start in 0..self.clauses.len() {
            let words = self.clauses[start..].iter().map(|clause| match clause {
                Clause::Word(word) => Some(word.as_str()),
                _ => None,
            });
            for (taken, label) in names_from(words, names, |_| true) {
                runs.push(LabelRun {
                    clauses: start..start + taken,
                    label,
                });
            }
        }
        runs
    }

    /// For each clause, the labels of the runs it stands in.
    fn labels_by_clause(&self, runs: &[LabelRun]) -> Vec<Vec<String>> {
        let mut covering = vec![Vec::new(); self.clauses.len()];
        for run in runs {
            for labels in &mut covering[run.clauses.clone()] {
                labels.push(run.label.clone());
            }
        }
        covering
    }
}

/// The words and phrases of a query, analyzed, for its snippets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Highlights {
    /// Terms of the words typed outside phrases.
    pub words: std::collections::BTreeSet<String>,
    /// Phrases of two words or more: each word's term at its offset from the first.
    pub phrases: Vec<Vec<(usize, String)>>,
}

/// Consecutive words of a query that spell a name: their clauses and the label.
struct LabelRun {
    clauses: std::ops::Range<usize>,
    label: String,
}

/// The query of a text, what it can match, and what its hits highlight.
pub struct TextQuery {
    /// The Tantivy query.
    pub query: Box<dyn Query>,
    /// `true` when some clause must match: the query then matches only documents
    /// with searchable text (items and brief-level texts, never a stored source
    /// file), so it needs no filter to keep files out. `false` when only
    /// exclusions are left (`-akira`, or a phrase of punctuation that searches
    /// nothing): the query then starts from every document.
    pub requires_text: bool,
    /// What the snippets of its hits highlight.
    pub highlights: Highlights,
}

/// What the index and the registry know of the names a query may hold.
pub trait Names {
    /// Whether `label` (a [`label_term`]) is a name or alias of a registered
    /// entity, or of one that some indexed item links.
    fn is_label(&self, label: &str) -> bool;

    /// The key items are linked under for an entity key typed in a query: a
    /// merged entity's key gives its canonical one.
    fn canonical(&self, key: &str) -> String;

    /// Whether at least one searchable text in a hundred holds `term` (an
    /// analyzed word) in its body.
    fn is_common(&self, term: &str) -> bool;
}

/// Knows no names: words match text alone, and keys link as typed.
pub struct NoNames;

impl Names for NoNames {
    fn is_label(&self, _label: &str) -> bool {
        false
    }

    fn canonical(&self, key: &str) -> String {
        key.to_string()
    }

    fn is_common(&self, _term: &str) -> bool {
        false
    }
}

/// What clauses are turned into queries with.
struct Scope<'a> {
    fields: &'a Fields,
    names: &'a dyn Names,
}

impl Scope<'_> {
    /// The query of one clause. `run` holds the labels of the runs of words a
    /// top-level word stands in (see [`ParsedQuery::labels_by_clause`]); any other
    /// clause, an excluded or alternative word too, looks up its own.
    fn clause_query(&self, clause: &Clause, run: Option<Vec<String>>) -> Option<Box<dyn Query>> {
        match clause {
            Clause::Word(word) => {
                let labels = run.unwrap_or_else(|| self.own_label(word));
                self.word_query(word, labels)
            }
            Clause::Phrase(phrase) => phrase_query(phrase, self.fields, self.own_label(phrase)),
            Clause::Not(inner) => self.clause_query(inner, None),
            Clause::Any(any) => {
                let options: Vec<(Occur, Box<dyn Query>)> = any
                    .iter()
                    .filter_map(|clause| self.clause_query(clause, None))
                    .map(|query| (Occur::Should, query))
                    .collect();
                (!options.is_empty())
                    .then(|| Box::new(BooleanQuery::new(options)) as Box<dyn Query>)
            }
        }
    }

    /// The label a clause's text spells on its own, if it is a name (see [`Names`]).
    fn own_label(&self, text: &str) -> Vec<String> {
        let term = label_term(text);
        match self.names.is_label(&term) {
            true => vec![term],
            false => Vec::new(),
        }
    }

    /// Per-field term or phrase queries for one analyzed word, summed, with the
    /// labels it is part of and the entity it is the key of.
    fn word_query(&self, word: &str, labels: Vec<String>) -> Option<Box<dyn Query>> {
        let fields = self.fields;
        let tokens = analyze(word);
        // The lexer keeps only words with a letter or digit; if none of it is
        // indexable (a run longer than any kept token), no document can hold it.
        let Some(first) = tokens.first() else {
            return Some(Box::new(EmptyQuery));
        };
        let alnum_start = word.find(char::is_alphanumeric)?;
        let alnum_end = word
            .rfind(char::is_alphanumeric)
            .map(|at| at + word[at..].chars().next().map_or(1, char::len_utf8))?;
        let whole = first.2.start == alnum_start && first.2.end == alnum_end;

        let terms: Vec<(usize, String)> = if whole || tokens.len() == 1 {
            vec![(0, first.1.clone())]
        } else {
            parts(&tokens)
        };
        let mut options = text_queries(&terms, fields, labels);
        // A hyphenated word is also its words in a row: `Copy-Fail` finds "Copy
        // Fail", and `AI-brand` finds "AI-brand-impersonation", whose compound is
        // another term. A CVE id stays exact: its parts in a row are itself. A
        // compound that one text in a hundred writes (`zero-day`) is how the
        // corpus spells it: its words in a row would add little, and reading
        // their positions would triple the query's time.
        let hyphenated = word.contains(JOINERS) && crate::corpus::cve_id(word).is_none();
        if whole && tokens.len() > 1 && hyphenated && !self.names.is_common(&first.1) {
            options.extend(text_queries(&parts(&tokens), fields, Vec::new()));
        }
        // A pasted link finds the items citing it: link targets are no text.
        for url in url_spellings(word) {
            let query = TermQuery::new(
                Term::from_field_text(fields.url, &url),
                IndexRecordOption::Basic,
            );
            options.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), URL_BOOST)),
            ));
        }
        if let Some(key) = entity_key(word) {
            let key = self.names.canonical(&key);
            let term = Term::from_facet(fields.entity, &facet_of(facet::ENTITY, &key));
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            options.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), ENTITY_BOOST)),
            ));
        }
        Some(Box::new(BooleanQuery::new(options)))
    }
}

fn phrase_query(phrase: &str, fields: &Fields, labels: Vec<String>) -> Option<Box<dyn Query>> {
    let tokens = analyze(phrase);
    if tokens.is_empty() {
        let searchable = phrase.chars().any(char::is_alphanumeric);
        return searchable.then(|| Box::new(EmptyQuery) as Box<dyn Query>);
    }
    Some(Box::new(BooleanQuery::new(text_queries(
        &parts(&tokens),
        fields,
        labels,
    ))))
}

/// The last token at each position: the parts of identifiers, not their compounds,
/// so that a phrase lines up with the indexed positions.
fn parts(tokens: &[(usize, String, std::ops::Range<usize>)]) -> Vec<(usize, String)> {
    let mut parts: Vec<(usize, String)> = Vec::new();
    for (position, text, _) in tokens {
        match parts.last_mut() {
            Some(last) if last.0 == *position => last.1 = text.clone(),
            _ => parts.push((*position, text.clone())),
        }
    }
    let base = parts.first().map_or(0, |first| first.0);
    parts
        .into_iter()
        .map(|(position, text)| (position - base, text))
        .collect()
}

/// The text fields' queries of `terms`, and the labels' terms, each weighted.
fn text_queries(
    terms: &[(usize, String)],
    fields: &Fields,
    labels: Vec<String>,
) -> Vec<(Occur, Box<dyn Query>)> {
    let weighted = [
        (fields.title, TITLE_BOOST),
        (fields.summary, SUMMARY_BOOST),
        (fields.body, BODY_BOOST),
        (fields.keywords, KEYWORDS_BOOST),
    ];
    let texts = weighted
        .into_iter()
        .map(|(field, boost)| (terms_query(field, fields.pairs_of(field), terms), boost));
    let labels = labels.into_iter().map(|label| {
        let term = Term::from_field_text(fields.labels, &label);
        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
        (query, LABELS_BOOST)
    });
    texts
        .chain(labels)
        .map(|(query, boost)| {
            (
                Occur::Should,
                Box::new(BoostQuery::new(query, boost)) as Box<dyn Query>,
            )
        })
        .collect()
}

/// The words of `terms` (offsets from the first) in one text field, whose pair
/// field is `pair_field`: a term, or a phrase ([`pairs::phrase_query`]).
fn terms_query(
    field: Field,
    pair_field: Option<Field>,
    terms: &[(usize, String)],
) -> Box<dyn Query> {
    match terms {
        [] => Box::new(EmptyQuery),
        [(_, text)] => Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        )),
        many => pairs::phrase_query(field, pair_field, many),
    }
}

/// The link a query word is, if it is one: `http://` or `https://` after any
/// opening bracket.
fn as_link(word: &str) -> Option<&str> {
    let word = word.trim_start_matches(['(', '[', '<']);
    let scheme = word.get(..8).unwrap_or(word).to_ascii_lowercase();
    (scheme.starts_with("http://") || scheme.starts_with("https://")).then_some(word)
}

/// The keys ([`link_key`]) of the ways a source may write the link `word` is, if
/// it is one: as typed, less the brackets and punctuation of the sentence it was
/// copied from, with and without a closing `/`.
fn url_spellings(word: &str) -> Vec<String> {
    let Some(link) = as_link(word) else {
        return Vec::new();
    };
    let url = link.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '>']);
    let other = match url.strip_suffix('/') {
        Some(bare) => bare.to_string(),
        None => format!("{url}/"),
    };
    let mut keys: Vec<String> = Vec::new();
    let key = |url: &str| host_of(url).map(|host| link_key(&host, url));
    for key in [link, url, &other].into_iter().filter_map(key) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// `actor:apt42` or `CVE-2026-31431` typed as a word, as an entity key.
fn entity_key(word: &str) -> Option<String> {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    let upper = word.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("CVE-") {
        let valid = rest.split_once('-').is_some_and(|(year, number)| {
            year.len() == 4
                && number.len() >= 4
                && (year.to_string() + number)
                    .bytes()
                    .all(|b| b.is_ascii_digit())
        });
        return valid.then_some(upper);
    }
    let word = word.to_lowercase();
    let (kind, slug) = word.split_once(':')?;
    let known = [
        "actor", "campaign", "malware", "tool", "incident", "report", "trend", "policy", "product",
    ];
    (known.contains(&kind) && !slug.is_empty()).then(|| word.clone())
}

/// Restricts a query to documents people search: items and brief-level text.
pub fn searchable(fields: &Fields) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(fields.doc_type, doc_type::SEARCHABLE),
        IndexRecordOption::Basic,
    ))
}

/// Only real items (no brief-level text).
pub fn items_only(fields: &Fields) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(fields.doc_type, doc_type::ITEM),
        IndexRecordOption::Basic,
    ))
}

/// Any of several facet values of one root.
pub fn facet_any(field: Field, root: &str, values: &[String]) -> Box<dyn Query> {
    let options = values
        .iter()
        .map(|value| {
            let term = Term::from_facet(field, &facet_of(root, value));
            (
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(options))
}

/// Items dated within `[from, to]` (`YYYYMMDD` numbers, either bound optional).
pub fn day_range(fields: &Fields, from: Option<u64>, to: Option<u64>) -> Box<dyn Query> {
    let bound = |day: Option<u64>| {
        day.map_or(Bound::Unbounded, |day| {
            Bound::Included(Term::from_field_u64(fields.day, day))
        })
    };
    Box::new(RangeQuery::new(bound(from), bound(to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Clause> {
        parse(text).unwrap().clauses
    }

    fn word(text: &str) -> Clause {
        Clause::Word(text.to_string())
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        assert_eq!(
            words("NIS2 \"transposition deadline\" -Spain"),
            vec![
                word("NIS2"),
                Clause::Phrase("transposition deadline".into()),
                Clause::Not(Box::new(word("Spain")))
            ]
        );
        assert_eq!(
            words("APT42 OR OilRig OR APT34"),
            vec![Clause::Any(vec![
                word("APT42"),
                word("OilRig"),
                word("APT34")
            ])]
        );
    }

    #[test]
    fn pasted_punctuation_still_searches() {
        assert_eq!(
            words("CVE-2026-0300 - PAN-OS"),
            vec![word("CVE-2026-0300"), word("PAN-OS")]
        );
        assert_eq!(
            words("APT42 (Charming Kitten)"),
            vec![word("APT42"), word("(Charming"), word("Kitten)")]
        );
        assert_eq!(
            words("NIS2 \u{2013} transposition"),
            vec![word("NIS2"), word("transposition")]
        );
        assert_eq!(words("CNIL [FR]"), vec![word("CNIL"), word("[FR]")]);
        assert_eq!(words("+required"), vec![word("required")]);
        assert_eq!(parse(" - ( ) "), Err(QueryError::NoWords));
        assert_eq!(parse("\"--\" \"?\""), Err(QueryError::NoWords));
        assert_eq!(
            parse("\"--\" -akira"),
            Ok(ParsedQuery {
                clauses: vec![Clause::Not(Box::new(word("akira")))]
            })
        );
        assert!(parse(" \t").unwrap().is_empty());
    }

    #[test]
    fn malformed_queries_name_the_column() {
        assert_eq!(
            parse("APT42 \"unbalanced"),
            Err(QueryError::UnclosedQuote { column: 7 })
        );
        assert_eq!(parse("OR APT42"), Err(QueryError::DanglingOr { column: 1 }));
        assert_eq!(parse("APT42 OR"), Err(QueryError::DanglingOr { column: 7 }));
        assert!(matches!(
            parse(&"a ".repeat(600)),
            Err(QueryError::TooLong { .. })
        ));
        assert_eq!(
            parse("Qilin OR -Akira"),
            Err(QueryError::NegatedAlternative { column: 10 })
        );
        assert_eq!(
            parse("-Qilin OR Akira"),
            Err(QueryError::NegatedAlternative { column: 1 })
        );
        assert_eq!(
            parse("Akira NOT"),
            Err(QueryError::DanglingNot { column: 7 })
        );
        assert_eq!(
            parse("NOT OR Akira"),
            Err(QueryError::DanglingNot { column: 1 })
        );
        assert_eq!(
            parse("Qilin OR NOT Akira"),
            Err(QueryError::NegatedAlternative { column: 10 })
        );
    }

    #[test]
    fn brackets_that_would_group_words_are_refused() {
        for (query, column) in [
            ("NIS2 OR (Qilin France)", 9),
            ("(Qilin France) OR NIS2", 1),
            ("(NIS2 OR Qilin) France", 1),
            ("-(ransomware Akira)", 1),
            ("NOT (ransomware Akira)", 5),
        ] {
            assert_eq!(
                parse(query),
                Err(QueryError::Grouping { column }),
                "{query}"
            );
        }
        // Pasted text, and brackets around one word, mean what they say as words.
        for query in [
            "Qilin (Agenda) affiliate",
            "Qilin (Agenda) OR Akira",
            "NIS2 OR (Qilin)",
            "breach (July 2026)",
            "-(Akira)",
        ] {
            assert!(parse(query).is_ok(), "{query}");
        }
    }

    #[test]
    fn a_pasted_cve_list_is_either_id() {
        let either = |ids: &[&str]| Clause::Any(ids.iter().map(|id| word(id)).collect());
        assert_eq!(
            words("CVE-2026-29201/29202 Qilin"),
            [either(&["CVE-2026-29201", "CVE-2026-29202"]), word("Qilin")]
        );
        assert_eq!(
            words("-cve-2026-23926/27/28"),
            [Clause::Not(Box::new(either(&[
                "CVE-2026-23926",
                "CVE-2026-23927",
                "CVE-2026-23928"
            ])))]
        );
        assert_eq!(
            words("Akira OR CVE-2026-5786/5788"),
            [Clause::Any(vec![
                word("Akira"),
                either(&["CVE-2026-5786", "CVE-2026-5788"])
            ])]
        );
        assert_eq!(words("CVE-2026-31431."), [word("CVE-2026-31431.")]);
        assert_eq!(
            words("cve\u{2013}2026\u{2014}31431"),
            [word("cve-2026-31431")]
        );
        assert_eq!(words("2020\u{2013}2024"), [word("2020\u{2013}2024")]);
        assert_eq!(
            words("CVE-2026-31431, CVE-2026-31635; CVE-2026-43284 Linux"),
            [
                either(&["CVE-2026-31431", "CVE-2026-31635", "CVE-2026-43284"]),
                word("Linux")
            ]
        );
        // Without a separator, two ids are two words, both asked for.
        assert_eq!(
            words("CVE-2026-31431 CVE-2026-31635"),
            [word("CVE-2026-31431"), word("CVE-2026-31635")]
        );
        assert_eq!(
            words("CVE-2026-29201/29202/"),
            [either(&["CVE-2026-29201", "CVE-2026-29202"])]
        );
        assert_eq!(
            words("\"CVE-2026-29201/29202\""),
            [Clause::Phrase("CVE-2026-29201/29202".into())]
        );
    }

    #[test]
    fn not_excludes_as_a_dash_does() {
        assert_eq!(words("ransomware NOT Akira"), words("ransomware -Akira"));
        assert_eq!(
            words("NOT \"supply chain\" worm"),
            words("-\"supply chain\" worm")
        );
        // Only the upper-case word is the operator, as with OR.
        assert_eq!(words("not patched"), vec![word("not"), word("patched")]);
    }

    #[test]
    fn possessives_are_dropped() {
        assert_eq!(
            words("APT29's Akira\u{2019}s Qilin\u{b4}s WORLDLEAKS'S"),
            [
                word("APT29"),
                word("Akira"),
                word("Qilin"),
                word("WORLDLEAKS")
            ]
        );
        assert_eq!(words("(Hungary)'s"), [word("(Hungary)")]);
        assert_eq!(
            words("-\"Hunters International's\""),
            [Clause::Not(Box::new(Clause::Phrase(
                "Hunters International".into()
            )))]
        );
        assert_eq!(words("news"), [word("news")]);
        assert_eq!(parse("'s"), Err(QueryError::NoWords));
    }

    #[test]
    fn regression_excluding_a_bracketed_word() {
        let expected = vec![word("Qilin"), Clause::Not(Box::new(word("(Akira)")))];
        assert_eq!(words("Qilin -(Akira)"), expected);
    }

    #[test]
    fn a_name_beside_an_or_is_one_alternative() {
        struct Actors;
        impl Names for Actors {
            fn is_label(&self, label: &str) -> bool {
                ["midnight blizzard", "scattered spider"].contains(&label)
            }
            fn canonical(&self, key: &str) -> String {
                key.to_string()
            }
            fn is_common(&self, _term: &str) -> bool {
                false
            }
        }
        let named = |text: &str| parse_with(text, &Actors).map(|parsed| parsed.clauses);
        let phrase = |text: &str| Clause::Phrase(text.to_string());
        let either = |a: Clause, b: Clause| Clause::Any(vec![a, b]);

        assert_eq!(
            named("Midnight Blizzard OR Turla"),
            Ok(vec![either(phrase("Midnight Blizzard"), word("Turla"))])
        );
        assert_eq!(
            named("Turla OR Midnight Blizzard's"),
            Ok(vec![either(word("Turla"), phrase("Midnight Blizzard"))])
        );
        assert_eq!(
            named("espionage Scattered Spider OR Midnight Blizzard OR Qilin"),
            Ok(vec![
                word("espionage"),
                Clause::Any(vec![
                    phrase("Scattered Spider"),
                    phrase("Midnight Blizzard"),
                    word("Qilin")
                ])
            ])
        );
        // Away from an OR, or after NOT, words stay words; unknown names too.
        assert_eq!(
            named("Midnight Blizzard espionage"),
            Ok(vec![word("Midnight"), word("Blizzard"), word("espionage")])
        );
        assert_eq!(
            named("NOT Midnight Blizzard OR Turla"),
            Ok(vec![
                Clause::Not(Box::new(word("Midnight"))),
                either(word("Blizzard"), word("Turla"))
            ])
        );
        assert_eq!(
            named("Midnight Storm OR Turla"),
            Ok(vec![word("Midnight"), either(word("Storm"), word("Turla"))])
        );
        assert_eq!(
            named("Midnight Blizzard OR"),
            Err(QueryError::DanglingOr { column: 19 })
        );
        // Without names, an OR binds the words next to it.
        assert_eq!(
            words("Midnight Blizzard OR Turla"),
            vec![word("Midnight"), either(word("Blizzard"), word("Turla"))]
        );
    }

    #[test]
    fn runs_of_words_are_looked_up_as_whole_labels() {
        struct Known;
        impl Names for Known {
            fn is_label(&self, label: &str) -> bool {
                [
                    "hunters international",
                    "storm 0501",
                    "the gentlemen",
                    "uk department for education portal and police national legal database \
                     breach july 2026",
                ]
                .contains(&label)
            }
            fn canonical(&self, key: &str) -> String {
                key.to_string()
            }
            fn is_common(&self, _term: &str) -> bool {
                false
            }
        }
        let runs = |text: &str| {
            let parsed = parse(text).unwrap();
            parsed.labels_by_clause(&parsed.label_runs(&Known))
        };
        let name = || vec!["hunters international".to_string()];
        assert_eq!(
            runs("Hunters International ransomware"),
            [name(), name(), vec![]]
        );
        assert_eq!(
            runs("Hunters ransomware International"),
            [vec![], vec![], vec![]] as [Vec<String>; 3]
        );
        assert_eq!(runs("(Storm-0501)"), [vec!["storm 0501".to_string()]]);
        // The real registry's longest name in words (13): a run is not cut short.
        let long = "UK Department for Education portal and Police National Legal Database \
                    breach (July 2026)";
        let found = runs(long);
        assert_eq!(found.len(), 13);
        assert!(found.iter().all(|labels| labels.len() == 1), "{found:?}");
        let storm = vec!["storm 0501".to_string()];
        assert_eq!(runs("Storm 0501"), [storm.clone(), storm]);
        // A phrase or an exclusion breaks a run: each looks up its own label.
        assert_eq!(
            runs("Hunters \"x\" International"),
            [vec![], vec![], vec![]] as [Vec<String>; 3]
        );
        assert_eq!(
            runs("Hunters -International"),
            [vec![], vec![]] as [Vec<String>; 2]
        );

        // Words that spell a name are highlighted together, not one by one.
        let highlights = parse("The Gentlemen ransomware")
            .unwrap()
            .highlights(&Known);
        assert_eq!(
            highlights.phrases,
            [vec![(0, "the".to_string()), (1, "gentlemen".to_string())]]
        );
        assert_eq!(highlights.words, ["ransomware".to_string()].into());
    }

    #[test]
    fn entity_keys_are_recognised() {
        assert_eq!(
            entity_key("CVE-2026-31431").as_deref(),
            Some("CVE-2026-31431")
        );
        assert_eq!(
            entity_key("cve-2026-31431,").as_deref(),
            Some("CVE-2026-31431")
        );
        assert_eq!(entity_key("actor:apt42").as_deref(), Some("actor:apt42"));
        assert_eq!(entity_key("note:this"), None);
        assert_eq!(entity_key("CVE-26-1"), None);
    }
}
