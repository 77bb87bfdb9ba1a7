//! The per-item metadata footer of later briefs:
//! `— *Source: [l](u) · Additional source: [l](u) · Tags: a, b · Region: r · CVE: …*`.

use crate::corpus::markdown;
use crate::item::{Footer, Source};

/// The em dash and asterisk that open a footer line.
const OPENING: &str = "— *";

/// `true` when a paragraph's markdown is a metadata footer line.
pub fn is_footer(markdown: &str) -> bool {
    markdown.trim_start().starts_with(OPENING)
}

/// Parses a footer paragraph into fields and the sources it cites.
///
/// Fields are split on ` · `; a part without a known `Name:` continues the field
/// before it (the later briefs list extra sources that way). Unknown names are kept
/// in [`Footer::other`] so that no metadata is lost.
pub fn parse(markdown: &str) -> (Footer, Vec<Source>) {
    let inner = markdown.trim().trim_start_matches(OPENING).trim_end();
    let inner = inner.strip_suffix('*').unwrap_or(inner);
    let mut footer = Footer::default();
    let mut sources = Vec::new();

    for part in inner.split(" · ") {
        for source in markdown::render(part).sources {
            markdown::push_source(&mut sources, source.url, source.label);
        }
        let Some((name, value)) = part.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "source" | "sources" | "additional source" | "additional sources" => {}
            "tags" => footer.tags.extend(list(value)),
            "region" | "regions" => footer.regions.extend(list(value)),
            "sector" | "sectors" => footer.sectors.extend(list(value)),
            "cve" | "cves" => {
                for value in list(value) {
                    match crate::tagger::cve_ids(&value) {
                        ids if ids.is_empty() => {
                            footer.other.push((name.trim().to_string(), value))
                        }
                        ids => footer.cves.extend(ids),
                    }
                }
            }
            "cvss" => footer.cvss = Some(value.to_string()),
            "vector" => footer.vector = Some(value.to_string()),
            "auth" => footer.auth = Some(value.to_string()),
            "status" => footer.status.extend(list(value)),
            "evidence" => footer.evidence = Some(value.to_string()),
            "closed-source" | "closed source" => footer.closed_source = Some(value.to_string()),
            other if is_field_name(other) => footer
                .other
                .push((name.trim().to_string(), value.to_string())),
            _ => {}
        }
    }
    (footer, sources)
}

fn list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
}

/// A field name is a short run of words, not a link or a sentence with a colon.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 24
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "— *Source: [Drupal PSA-2026-05-18](https://www.drupal.org/psa-2026-05-18) · \
        [NCSC.ch Security Hub 12584, 2026-05-19](https://security-hub.ncsc.admin.ch/#/posts/12584) · \
        Additional source: [THN](https://thehackernews.com/x) · Tags: vulnerabilities, pre-auth · \
        Region: europe, switzerland · Sector: public-sector · CVE: CVE-2026-9082 · CVSS: 9.8 · \
        Vector: zero-click · Auth: pre-auth · Status: patch-available, poc-public · Evidence: vendor*";

    #[test]
    fn every_field_is_parsed() {
        assert!(is_footer(LINE));
        let (footer, sources) = parse(LINE);
        assert_eq!(footer.tags, ["vulnerabilities", "pre-auth"]);
        assert_eq!(footer.regions, ["europe", "switzerland"]);
        assert_eq!(footer.sectors, ["public-sector"]);
        assert_eq!(footer.cves, ["CVE-2026-9082"]);
        let (listed, _) = parse("— *Source: [x](https://x.org) · CVE: CVE-2026-29201/29202, n/a*");
        assert_eq!(listed.cves, ["CVE-2026-29201", "CVE-2026-29202"]);
        assert_eq!(listed.other, [("CVE".to_string(), "n/a".to_string())]);
        assert_eq!(footer.cvss.as_deref(), Some("9.8"));
        assert_eq!(footer.vector.as_deref(), Some("zero-click"));
        assert_eq!(footer.auth.as_deref(), Some("pre-auth"));
        assert_eq!(footer.status, ["patch-available", "poc-public"]);
        assert_eq!(footer.evidence.as_deref(), Some("vendor"));
        let hosts: Vec<_> = sources.iter().map(|source| source.host.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "drupal.org",
                "security-hub.ncsc.admin.ch",
                "thehackernews.com"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_kept() {
        let (footer, _) =
            parse("— *Source: run state · Tags: verification-notes · Horizon: strategic*");
        assert_eq!(
            footer.other,
            [("Horizon".to_string(), "strategic".to_string())]
        );
        assert_eq!(footer.tags, ["verification-notes"]);
    }

    #[test]
    fn an_ordinary_paragraph_is_no_footer() {
        assert!(!is_footer("**Why it matters to us:** — *not a footer*"));
    }
}
