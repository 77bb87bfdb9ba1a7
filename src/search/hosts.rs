//! What a search's `host` filters match among the cited hosts.
//!
//! A host is that host alone: a host facet's count is then what its filter finds,
//! and a saved search keeps its meaning when a brief first cites a parent domain.
//! `*.paloaltonetworks.com` is the domain and every cited host under it, since the
//! company is cited only from `security.` and `unit42.paloaltonetworks.com`. A
//! filter that matches no cited host is refused with what it may have meant:
//! filtering by it would answer "no items" without saying that the host was
//! mistyped, or that only hosts under it are cited.

use crate::corpus::markdown::{host_of, is_reference_host};

/// Cited hosts an error names at most.
const NAMED: usize = 5;

/// A `host` filter: one host, or a domain and every host under it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct HostFilter {
    /// As cited hosts are kept: lower case, without `www.`.
    host: String,
    /// Written `*.host`: the host and its subdomains.
    with_subdomains: bool,
}

impl HostFilter {
    /// The cited host a `host` filter names: a host name (`www.` and case
    /// ignored, a final dot allowed) or the host of a pasted URL, read as cited
    /// URLs are at ingest; `*.` before a host name takes in the hosts under it.
    /// `None` for what names no host (`""`, `.com`, `a..b`, `a,b`, `*socradar.io`).
    pub(super) fn parse(value: &str) -> Option<HostFilter> {
        let value = value.trim();
        let (value, with_subdomains) = match value.strip_prefix("*.") {
            Some(domain) => (domain, true),
            None => (value, false),
        };
        let url = if value.contains("://") {
            value.to_string()
        } else {
            format!("https://{value}/")
        };
        let host = host_of(&url)?;
        let host = host.strip_suffix('.').unwrap_or(&host);

        let spelled = host
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-.:[]".contains(&byte));
        let named = spelled && host.split('.').all(|label| !label.is_empty());
        (named && !(with_subdomains && value.contains("://"))).then(|| HostFilter {
            host: host.to_string(),
            with_subdomains,
        })
    }
}

/// The hosts among `cited` (sorted) that the filters `asked` stand for, or the
/// message refusing the first that matches none. Filters that do not parse are
/// left to the request's validation.
pub(super) fn resolve(asked: &[String], cited: &[String]) -> Result<Vec<String>, String> {
    let mut hosts = Vec::new();
    for typed in asked {
        let Some(filter) = HostFilter::parse(typed) else {
            continue;
        };
        let before = hosts.len();
        if cited.binary_search(&filter.host).is_ok() {
            hosts.push(filter.host.clone());
        }
        if filter.with_subdomains {
            let under = cited.iter().filter(|cited| is_under(cited, &filter.host));
            hosts.extend(under.cloned());
        }
        if hosts.len() == before {
            return Err(no_cited_host(typed.trim(), &filter, cited));
        }
    }
    hosts.sort_unstable();
    hosts.dedup();
    Ok(hosts)
}

/// `true` when `cited` is a subdomain of `host`.
fn is_under(cited: &str, host: &str) -> bool {
    cited
        .strip_suffix(host)
        .is_some_and(|rest| rest.ends_with('.'))
}

/// Says that no item cites what `typed` names. A reference host's links are no
/// sources, and the message says so. When hosts under it are cited, it names them
/// and the `*.` filter that takes them in; otherwise the cited hosts it may have
/// meant (see [`near_hosts`]).
fn no_cited_host(typed: &str, filter: &HostFilter, cited: &[String]) -> String {
    let host = &filter.host;
    if is_reference_host(host) {
        return format!(
            "`{typed}`: links to {host} are references to ATT&CK techniques, not \
             cited sources; search the technique id (T1190) instead"
        );
    }
    let under: Vec<&str> = cited
        .iter()
        .filter(|cited| is_under(cited, host))
        .map(String::as_str)
        .collect();
    if !under.is_empty() {
        return format!(
            "no item cites `{typed}` itself; `*.{host}` takes in the {} cited hosts \
             under it: {}",
            under.len(),
            listed(&under)
        );
    }

    let mut message = if filter.with_subdomains {
        format!("no item cites `{typed}` or a host under it")
    } else {
        format!("no item cites `{typed}`")
    };
    let near = near_hosts(host, cited);
    if !near.is_empty() {
        message.push_str(&format!("; cited hosts near it: {}", listed(&near)));
    }
    message
}

/// The first [`NAMED`] of `hosts`, and how many more there are.
fn listed(hosts: &[&str]) -> String {
    let shown = hosts[..hosts.len().min(NAMED)].join(", ");
    match hosts.len().saturating_sub(NAMED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The cited hosts that `host` may have meant: those it is under
/// (`microsoft.com` for `docs.microsoft.com`), those with a label that it is or
/// starts (`bleepingcomputer`, `bleeping`), and those a letter or two away from it
/// once cut to as many labels (`paloaltonetwork.com`).
fn near_hosts<'a>(host: &str, cited: &'a [String]) -> Vec<&'a str> {
    let labels = host.split('.').count();
    // Edits allowed as for entity names, by the length of the host's first label:
    // `mofo.com` is two letters from `soft.com`, which is no typo of it.
    let first_label = host.split('.').next().map_or(0, str::len);
    let budget = match first_label {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let starts_a_label = |cited: &str| {
        labels == 1 && first_label >= 4 && cited.split('.').any(|label| label.starts_with(host))
    };

    let mut near: Vec<(usize, &str)> = cited
        .iter()
        .filter_map(|cited| {
            if is_under(host, cited) || starts_a_label(cited) {
                return Some((0, cited.as_str()));
            }
            let tail_at = cited
                .rmatch_indices('.')
                .nth(labels - 1)
                .map_or(0, |(at, _)| at + 1);
            let distance = strsim::damerau_levenshtein(&cited[tail_at..], host);
            (distance <= budget).then_some((distance, cited.as_str()))
        })
        .collect();
    near.sort_unstable();
    near.into_iter().map(|(_, cited)| cited).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cited() -> Vec<String> {
        let mut hosts: Vec<String> = [
            "microsoft.com",
            "msrc.microsoft.com",
            "notmicrosoft.com",
            "security.paloaltonetworks.com",
            "unit42.paloaltonetworks.com",
            "a.com",
            "b.com",
            "c.com",
            "d.com",
            "e.com",
            "f.com",
        ]
        .map(String::from)
        .to_vec();
        hosts.sort();
        hosts
    }

    fn resolved(asked: &[&str]) -> Result<Vec<String>, String> {
        let asked: Vec<String> = asked.iter().map(|host| host.to_string()).collect();
        resolve(&asked, &cited())
    }

    #[test]
    fn subdomains_are_taken_in_only_after_a_star_and_by_whole_labels() {
        assert_eq!(resolved(&["Microsoft.com"]).unwrap(), ["microsoft.com"]);
        assert_eq!(
            resolved(&["*.microsoft.com"]).unwrap(),
            ["microsoft.com", "msrc.microsoft.com"]
        );
        assert_eq!(
            resolved(&["*.microsoft.com", "msrc.microsoft.com."]).unwrap(),
            ["microsoft.com", "msrc.microsoft.com"]
        );
        assert_eq!(
            resolved(&["*.paloaltonetworks.com"]).unwrap(),
            [
                "security.paloaltonetworks.com",
                "unit42.paloaltonetworks.com"
            ]
        );
    }

    #[test]
    fn a_long_list_of_hosts_under_a_domain_is_cut_to_five() {
        assert_eq!(
            resolved(&["com"]).unwrap_err(),
            "no item cites `com` itself; `*.com` takes in the 11 cited hosts under it: \
             a.com, b.com, c.com, d.com, e.com and 6 more"
        );
    }

    #[test]
    fn filters_that_name_no_host_are_left_to_validation() {
        for value in ["", ".com", "a..b", "a,b", "*socradar.io", "*.https://a.com"] {
            assert_eq!(HostFilter::parse(value), None, "{value}");
        }
        assert_eq!(resolved(&["a..b", "a.com"]).unwrap(), ["a.com"]);
    }
}
