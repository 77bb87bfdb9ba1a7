//! HTML templates (maud): one file per page, plus the layout and the charts.
//!
//! maud escapes every interpolated string, so text from the corpus or the query
//! can only reach a page raw through `PreEscaped`, which is used for exactly two
//! things: snippets that the search engine and the entity page already built from
//! escaped text with `<b>` marks, and the SVG charts built here from numbers and
//! escaped labels.

pub(crate) mod charts;
pub(crate) mod entity;
pub(crate) mod item;
pub(crate) mod search;

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

/// Inline style: the pages need no other file.
const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#fafafa}
header.top{background:#1d3557;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}
header.top a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:72em;margin:0 auto;padding:1em 1.2em;display:block}
a{color:#1d4e89}
.layout{display:grid;grid-template-columns:1fr 17em;gap:2em}
.hits li,.items li{margin:0 0 1em}
.meta{color:#5b6570;font-size:.85em}
.snippet b,.mention{background:#fff1a8;font-weight:600}
.facets h3{font-size:.9em;margin:1em 0 .3em;text-transform:uppercase;color:#5b6570}
.facets ul{list-style:none;padding:0;margin:0}
.facets li{font-size:.9em}
.active a{font-weight:600}
.notice{background:#fff4e0;border:1px solid #e0b060;padding:.5em 1em;border-radius:4px}
.error{background:#fde8e8;border:1px solid #d08080;padding:.5em 1em;border-radius:4px}
table{border-collapse:collapse}
td,th{padding:.2em .6em;text-align:left;vertical-align:top;border-bottom:1px solid #e4e6e8}
.chart{display:block;margin:.4em 0 1em}
form.search input[type=search]{width:28em;max-width:100%;font-size:1em;padding:.3em}
section{margin:1.2em 0}
h1 small{font-weight:400;color:#5b6570;font-size:.6em}
";

/// The page frame: title, top bar, body. The top bar carries a search box unless
/// the page has its own (`header_search` false).
pub(crate) fn layout(title: &str, header_search: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · dossier" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header.top {
                    a href="/" { "dossier" }
                    a href="/entities" { "entities" }
                    @if header_search {
                        form.search action="/search" method="get" role="search" {
                            input type="search" name="q" placeholder="Search briefs"
                                aria-label="Search";
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The page of an error: its status and message.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Markup {
    let reason = status.canonical_reason().unwrap_or("Error");
    layout(
        reason,
        true,
        html! {
            h1 { (status.as_u16()) " " (reason) }
            p.error #error { (message) }
            p { a href="/" { "Back to search" } }
        },
    )
}

/// The page of an entity key: the key stays readable (`/entities/actor:apt42`),
/// anything outside a key's usual characters is percent-encoded.
pub(crate) fn entity_href(key: &str) -> String {
    format!("/entities/{}", path_escape(key, false))
}

/// The page of an item id; its `/` separators stay.
pub(crate) fn item_href(id: &str) -> String {
    format!("/items/{}", path_escape(id, true))
}

fn path_escape(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let plain = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b':')
            || (keep_slash && byte == b'/');
        if plain {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `path?key=value&…`, form-encoded (a space becomes `+`, a `+` becomes `%2B`, as
/// the parameter decoding expects).
pub(crate) fn href(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        query.append_pair(key, value);
    }
    format!("{path}?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_keep_keys_readable_and_escape_the_rest() {
        assert_eq!(entity_href("actor:apt42"), "/entities/actor:apt42");
        assert_eq!(entity_href("a b/c"), "/entities/a%20b%2Fc");
        assert_eq!(item_href("2026-05-06/x-y"), "/items/2026-05-06/x-y");
        let pairs = [("q".to_string(), "C++ a".to_string())];
        assert_eq!(href("/search", &pairs), "/search?q=C%2B%2B+a");
    }
}
