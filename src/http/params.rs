//! Query strings with repeated keys, decoded once and checked by name.
//!
//! Decoding follows `application/x-www-form-urlencoded`, as browsers write it: a
//! bare `+` is a space and `%2B` is a plus sign. That is the one reading that keeps
//! `q=NIS2+France` (what a search form sends for "NIS2 France") a two-word query,
//! and it loses nothing the query language needs: every word is already required,
//! so a `+` operator read as a space gives the same result, and a client that wants
//! the plus sign itself sends `%2B`, which reaches the query parser intact.
//! Empty values (`from=` from an empty form field) count as absent.

use crate::entity_page::{Window, DEFAULT_WINDOW, MAX_OFFSET, MAX_WINDOW};
use crate::search::{self, SearchRequest, Sort};

use super::error::AppError;

/// Parameters of `/api/search` and `/search`.
pub(crate) const SEARCH_KEYS: &[&str] = &[
    "q", "section", "host", "entity", "from", "to", "sort", "limit", "offset",
];

/// Parameters of `/api/entities/{key}` and `/entities/{key}`.
pub(crate) const ENTITY_KEYS: &[&str] = &["offset", "limit"];

/// A decoded query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

/// A name or value of `application/x-www-form-urlencoded`: `+` is a space, `%XX`
/// a byte. Refused, with why: a `%` that begins no escape (`%ZZ`, a trailing `%2`),
/// which a lenient decoder would keep as typed, and bytes that are not UTF-8.
fn form_decoded(text: &str) -> Result<String, Undecodable> {
    let bytes = text.as_bytes();
    let loose = memchr::memchr_iter(b'%', bytes).find(|&at| {
        let hex = |offset: usize| bytes.get(at + offset).is_some_and(u8::is_ascii_hexdigit);
        !(hex(1) && hex(2))
    });
    if let Some(at) = loose {
        let end = (at + 3).min(text.len());
        let written = text.get(at..end).unwrap_or("%");
        return Err(Undecodable::LooseEscape(written.to_string()));
    }
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| Undecodable::NotText)
}

/// Why a name or value cannot be decoded.
enum Undecodable {
    /// A `%` that begins no escape, with what follows it.
    LooseEscape(String),
    /// Escaped bytes that are not UTF-8.
    NotText,
}

/// How to write a `%` that begins no escape.
const ESCAPE_HINT: &str = "is no percent-escape (%XX, two hex digits; a % itself is %25)";

impl Params {
    /// Decodes a raw query string (without the `?`). A name or value whose bytes
    /// are no UTF-8 text (`q=%FF`) is refused, naming it: decoded leniently it
    /// would become a replacement character and search for what nobody typed.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Params, AppError> {
        let mut pairs = Vec::new();
        for part in raw
            .unwrap_or_default()
            .split('&')
            .filter(|part| !part.is_empty())
        {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            let key = form_decoded(key).map_err(|why| {
                AppError::BadRequest(match why {
                    Undecodable::LooseEscape(written) => {
                        format!("`{part}`: `{written}` {ESCAPE_HINT}")
                    }
                    Undecodable::NotText => {
                        format!("`{part}`: its percent-encoded bytes are not UTF-8 text")
                    }
                })
            })?;
            let value = form_decoded(value).map_err(|why| {
                AppError::BadRequest(match why {
                    Undecodable::LooseEscape(written) => {
                        format!("{key}: `{written}` in `{part}` {ESCAPE_HINT}")
                    }
                    Undecodable::NotText => {
                        format!("{key}: the percent-encoded bytes of `{part}` are not UTF-8 text")
                    }
                })
            })?;
            pairs.push((key, value));
        }
        Ok(Params { pairs })
    }

    /// Refuses parameters outside `known`, naming the valid ones: a typo such as
    /// `sectoin=` would otherwise be silently ignored.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), AppError> {
        match self
            .pairs
            .iter()
            .find(|(key, _)| !known.contains(&key.as_str()))
        {
            Some((key, _)) if known.is_empty() => Err(AppError::BadRequest(format!(
                "unknown parameter `{key}`; this route takes none"
            ))),
            Some((key, _)) => Err(AppError::BadRequest(format!(
                "unknown parameter `{key}`; valid: {}",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }

    /// Every value of a repeatable parameter, in order; empty ones count as absent.
    pub(crate) fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(name, value)| name == key && !value.trim().is_empty())
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The value of a parameter given at most once.
    pub(crate) fn one(&self, key: &str) -> Result<Option<String>, AppError> {
        let mut values = self.all(key);
        if values.len() > 1 {
            return Err(AppError::BadRequest(format!(
                "{key}: give it once, got {} values",
                values.len()
            )));
        }
        Ok(values.pop())
    }

    /// A whole number given at most once.
    pub(crate) fn number(&self, key: &str) -> Result<Option<usize>, AppError> {
        self.one(key)?
            .map(|value| {
                let digits = value.trim();
                digits.parse().map_err(|_| {
                    let why = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                        "is too large"
                    } else {
                        "is not a whole number"
                    };
                    AppError::BadRequest(format!("{key}: `{value}` {why}"))
                })
            })
            .transpose()
    }

    /// A yes/no flag: `1`, `true`, `yes` or `0`, `false`, `no`.
    pub(crate) fn flag(&self, key: &str) -> Result<bool, AppError> {
        match self
            .one(key)?
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("0" | "false" | "no") => Ok(false),
            Some("1" | "true" | "yes") => Ok(true),
            Some(other) => Err(AppError::BadRequest(format!(
                "{key}: `{other}` is not a flag; use 1 or 0 (true or false, yes or no)"
            ))),
        }
    }

    /// Which items an entity page lists: `offset` (at most [`MAX_OFFSET`]) and
    /// `limit` (1 to [`MAX_WINDOW`]).
    pub(crate) fn window(&self) -> Result<Window, AppError> {
        self.only(ENTITY_KEYS)?;
        let limit = self.number("limit")?.unwrap_or(DEFAULT_WINDOW);
        if limit == 0 || limit > MAX_WINDOW {
            return Err(AppError::BadRequest(format!(
                "limit: must be between 1 and {MAX_WINDOW}, got {limit}"
            )));
        }
        let offset = self.number("offset")?.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(AppError::BadRequest(format!(
                "offset: must be at most {MAX_OFFSET}, got {offset}"
            )));
        }
        Ok(Window { offset, limit })
    }

    /// The request of a search, checked by [`search::validate`] so that a bad date
    /// or an unknown section is a 400 before any work is done.
    pub(crate) fn search_request(&self, default_limit: usize) -> Result<SearchRequest, AppError> {
        self.only(SEARCH_KEYS)?;
        let sort = match self.one("sort")?.as_deref() {
            None => None,
            Some("relevance") => Some(Sort::Relevance),
            Some("date") => Some(Sort::Date),
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "sort: unknown order `{other}`; valid: relevance, date"
                )))
            }
        };
        let request = SearchRequest {
            // Repeated `q` values must all hold, like the words of one query.
            query: self.all("q").join(" "),
            sections: self.all("section"),
            hosts: self.all("host"),
            entities: self.all("entity"),
            from: self.one("from")?,
            to: self.one("to")?,
            sort,
            limit: self.number("limit")?.unwrap_or(default_limit),
            offset: self.number("offset")?.unwrap_or(0),
            items_only: false,
        };
        search::validate(&request)?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_plus_is_a_space_and_an_encoded_plus_is_kept() {
        let params =
            Params::parse(Some("q=NIS2+France&q=%2BAPT42&section=a&section=b&from=")).unwrap();
        assert_eq!(params.all("q"), ["NIS2 France", "+APT42"]);
        assert_eq!(params.all("section"), ["a", "b"]);
        assert_eq!(params.one("from").unwrap(), None);
    }

    #[test]
    fn bad_values_are_user_errors() {
        let params = Params::parse(Some("limit=ten&to=1&to=2&suggest=maybe&sectoin=x")).unwrap();
        assert!(matches!(
            params.number("limit"),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(params.one("to"), Err(AppError::BadRequest(_))));
        assert!(matches!(
            params.flag("suggest"),
            Err(AppError::BadRequest(_))
        ));
        let error = params.only(SEARCH_KEYS).unwrap_err().to_string();
        assert!(
            error.starts_with("unknown parameter `suggest`; valid: q, section"),
            "{error}"
        );
    }

    #[test]
    fn bytes_that_are_no_text_are_refused_and_a_replacement_character_is_kept() {
        let error = Params::parse(Some("limit=3&q=abc%FF"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "q: the percent-encoded bytes of `q=abc%FF` are not UTF-8 text"
        );
        let kept = Params::parse(Some("q=%EF%BF%BD+%C3%A9")).unwrap();
        assert_eq!(kept.all("q"), ["\u{fffd} é"]);
        // A real replacement character does not let another byte through.
        let error = Params::parse(Some("q=qilin%FF%EF%BF%BD")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "q: the percent-encoded bytes of `q=qilin%FF%EF%BF%BD` are not UTF-8 text"
        );
        for (raw, error) in [
            (
                "q=%ZZ",
                "q: `%ZZ` in `q=%ZZ` is no percent-escape (%XX, two hex digits; a % itself is %25)",
            ),
            (
                "q=ransomware%2",
                "q: `%2` in `q=ransomware%2` is no percent-escape (%XX, two hex digits; a % \
                 itself is %25)",
            ),
            (
                "x%=1",
                "`x%=1`: `%` is no percent-escape (%XX, two hex digits; a % itself is %25)",
            ),
        ] {
            assert_eq!(Params::parse(Some(raw)).unwrap_err().to_string(), error);
        }
        assert_eq!(Params::parse(Some("q=100%25")).unwrap().all("q"), ["100%"]);
        let error = Params::parse(Some("%FF=1")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`%FF=1`: its percent-encoded bytes are not UTF-8 text"
        );
    }
}
