//! Item ids: slugs of cleaned titles, and the markers a title loses on the way.

use std::collections::{HashMap, HashSet};

/// Longest slug kept, in bytes (the originating site's limit).
pub const SLUG_MAX_LEN: usize = 60;

/// Lower-cases `title`, turns every run of characters outside `[a-z0-9]` into one
/// `-`, trims dashes at both ends and cuts the result to [`SLUG_MAX_LEN`].
///
/// Accented letters are not transliterated: the originating site did not either,
/// and ids must match the entry file names it wrote.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for ch in title.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(SLUG_MAX_LEN);
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The slugs given out within one date, each unique.
#[derive(Debug, Default)]
pub struct Slugs {
    taken: HashSet<String>,
    /// Per slug, the first suffix not yet tried: a brief of many items of one
    /// title numbers each in constant time, not by trying `-2`, `-3`, … again.
    next_suffix: HashMap<String, usize>,
}

impl Slugs {
    /// `slug`, or `slug-2`, `slug-3`, … when it is taken; the result is taken from
    /// now on.
    pub fn unique(&mut self, slug: String) -> String {
        let unique = if self.taken.contains(&slug) {
            let next = self.next_suffix.entry(slug.clone()).or_insert(2);
            let free = (*next..)
                .find(|n| !self.taken.contains(&format!("{slug}-{n}")))
                .expect("an unbounded range always yields a free suffix");
            *next = free + 1;
            format!("{slug}-{free}")
        } else {
            slug
        };
        self.taken.insert(unique.clone());
        unique
    }
}

/// A title with its markers taken out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanTitle {
    /// The title as shown and slugged.
    pub title: String,
    /// `single-source`, `single-source-national-cert`, … from `[SINGLE-SOURCE…]`.
    pub verification: Option<String>,
    /// Other bracketed flags, such as `EU Nexus`.
    pub markers: Vec<String>,
    /// The title started with `UPDATE:`.
    pub update: bool,
}

/// Strips `UPDATE:` prefixes and bracketed flags (`[SINGLE-SOURCE]`,
/// `` `[SINGLE-SOURCE-OTHER]` ``, `[EU Nexus]`) from either end of a title, and a
/// trailing period left by a `**Bold title.**` lead.
pub fn clean_title(raw: &str) -> CleanTitle {
    let mut clean = CleanTitle::default();
    let mut title = raw.trim().to_string();

    loop {
        let before = title.len();
        if let Some(rest) = strip_prefix_ci(&title, "UPDATE:") {
            clean.update = true;
            title = rest.trim_start().to_string();
        }
        if let Some((flag, rest)) = leading_flag(&title) {
            clean.add_flag(flag);
            title = rest.trim_start().to_string();
        }
        if let Some((flag, rest)) = trailing_flag(&title) {
            clean.add_flag(flag);
            title = rest.trim_end().to_string();
        }
        if title.len() == before {
            break;
        }
    }

    clean.title = title.trim_end_matches('.').trim().to_string();
    clean
}

impl CleanTitle {
    fn add_flag(&mut self, flag: &str) {
        if flag.to_ascii_uppercase().starts_with("SINGLE-SOURCE") {
            let verification = flag.split(',').next().unwrap_or(flag).trim();
            self.verification
                .get_or_insert_with(|| verification.to_ascii_lowercase());
        } else {
            self.markers.push(flag.to_string());
        }
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// A flag is `[Text]` or `` `[Text]` `` whose text starts with a capital letter.
fn leading_flag(title: &str) -> Option<(&str, &str)> {
    let body = title.strip_prefix('`').unwrap_or(title);
    let inner = body.strip_prefix('[')?;
    let close = inner.find(']')?;
    let flag = &inner[..close];
    let mut rest = &inner[close + 1..];
    if body.len() != title.len() {
        rest = rest.strip_prefix('`')?;
    }
    is_flag(flag).then_some((flag, rest))
}

fn trailing_flag(title: &str) -> Option<(&str, &str)> {
    let trimmed = title.trim_end_matches('.');
    let body = trimmed.strip_suffix('`').unwrap_or(trimmed);
    let inner = body.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    let flag = &inner[open + 1..];
    let mut rest = &inner[..open];
    if body.len() != trimmed.len() {
        rest = rest.strip_suffix('`')?;
    }
    is_flag(flag).then_some((flag, rest))
}

fn is_flag(flag: &str) -> bool {
    flag.starts_with(|c: char| c.is_ascii_uppercase())
        && flag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -,/".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_of_a_long_title_is_cut_at_sixty() {
        let title = "CVE-2026-10520 / CVE-2026-10523 — Ivanti Sentry: pre-auth OS command \
                     injection to root (CVSS 10.0), public PoC published";
        assert_eq!(
            slugify(title),
            "cve-2026-10520-cve-2026-10523-ivanti-sentry-pre-auth-os-comm"
        );
    }

    #[test]
    fn slug_turns_apostrophes_and_accents_into_dashes() {
        assert_eq!(slugify("France's Tchap"), "france-s-tchap");
        assert_eq!(slugify("Sécurisés"), "s-curis-s");
    }

    #[test]
    fn slug_cut_never_ends_with_a_dash() {
        let title = format!("{} tail", "a".repeat(59));
        assert_eq!(slugify(&title), "a".repeat(59));
    }

    #[test]
    fn collisions_get_numbered() {
        let mut slugs = Slugs::default();
        for taken in ["x", "x-2"] {
            assert_eq!(slugs.unique(taken.into()), taken);
        }
        assert_eq!(slugs.unique("x".into()), "x-3");
        assert_eq!(slugs.unique("x".into()), "x-4");
        assert_eq!(slugs.unique("x-4".into()), "x-4-2");
        assert_eq!(slugs.unique("y".into()), "y");
    }

    #[test]
    fn many_items_of_one_title_are_numbered_in_order() {
        let mut slugs = Slugs::default();
        let last = (0..100_000).map(|_| slugs.unique("same".into())).last();
        assert_eq!(last.as_deref(), Some("same-100000"));
    }

    #[test]
    fn markers_become_fields() {
        let clean =
            clean_title("[SINGLE-SOURCE-NATIONAL-CERT] Switzerland: NCSC \"Double Phishing\"");
        assert_eq!(clean.title, "Switzerland: NCSC \"Double Phishing\"");
        assert_eq!(
            clean.verification.as_deref(),
            Some("single-source-national-cert")
        );

        let clean = clean_title("Brazil's alert platform hijacked `[SINGLE-SOURCE]`");
        assert_eq!(clean.title, "Brazil's alert platform hijacked");
        assert_eq!(clean.verification.as_deref(), Some("single-source"));

        let clean = clean_title("Mediaworks Kft (Hungary) — 8.5 TB Alleged [EU Nexus].");
        assert_eq!(clean.title, "Mediaworks Kft (Hungary) — 8.5 TB Alleged");
        assert_eq!(clean.markers, vec!["EU Nexus".to_string()]);
    }

    #[test]
    fn update_prefix_is_a_field() {
        let clean = clean_title("UPDATE: Shai-Hulud/Miasma worm jumps to PyPI");
        assert!(clean.update);
        assert_eq!(clean.title, "Shai-Hulud/Miasma worm jumps to PyPI");
    }

    #[test]
    fn brackets_inside_a_title_stay() {
        let clean = clean_title("Qilin [ransomware] hits Die Linke");
        assert_eq!(clean.title, "Qilin [ransomware] hits Die Linke");
    }
}
