//! CVE ids in text: `CVE-YYYY-NNNN…` in any case, on word boundaries, and the
//! lists briefs shorten them to. Only ids the CVE program could assign count
//! ([`is_cve_number`]): not `CVE-0000-0000`.
//!
//! Briefs write one year's ids as `CVE-2026-29201/29202/29203`,
//! `CVE-2026-5786 / 5788 / 7821`, `CVE-2026-49200/-49201` or `CVE-2026-23926/27/28`
//! (the last two digits replaced): each listed number is an id of its own, its
//! mention the number as written. What follows a slash is also where dates, ports
//! and counts are written, so a number is listed only when it reads as a CVE
//! sequence number and nothing after it makes it part of something else.

use super::{is_space, Boundaries, Candidate};
use crate::corpus::is_cve_number;

/// Every CVE id of `text`, listed ones included; keys are upper-case.
pub(super) fn candidates(text: &str, boundaries: &Boundaries) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for at in cve_prefixes(text.as_bytes()) {
        let Some(id) = written_id(text, at) else {
            continue;
        };
        if !boundaries.is_start(at) || !boundaries.is_end(text, id.end) {
            continue;
        }
        candidates.push(Candidate {
            start: at,
            end: id.end,
            keys: vec![format!("CVE-{}-{}", id.year, id.number)],
        });
        candidates.extend(listed_after(text, boundaries, &id));
    }
    candidates
}

/// A whole id as the text writes it.
struct WrittenId<'a> {
    year: &'a str,
    number: &'a str,
    /// Where it ends in the text.
    end: usize,
}

/// The id written at `at`, where `cve` and a hyphen stand, when the rest reads as
/// one the CVE program could assign.
fn written_id(text: &str, at: usize) -> Option<WrittenId<'_>> {
    let bytes = text.as_bytes();
    let year_at = at + 3 + id_dash_at(bytes, at + 3)?;
    if digits(bytes, year_at) != 4 {
        return None;
    }
    let number_at = year_at + 4 + id_dash_at(bytes, year_at + 4)?;
    let end = number_at + digits(bytes, number_at);
    let (year, number) = (&text[year_at..year_at + 4], &text[number_at..end]);
    is_cve_number(year, number).then_some(WrittenId { year, number, end })
}

/// The length of the hyphen at `at`: `-`, or Unicode's U+2010 and U+2011, which word
/// processors write and search reads as a hyphen too.
fn hyphen_at(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..)? {
        [b'-', ..] => Some(1),
        [0xE2, 0x80, 0x90 | 0x91, ..] => Some(3),
        _ => None,
    }
}

/// The length of a dash that may stand between the parts of an id:
/// a hyphen as [`hyphen_at`] reads it, or an en or em dash (U+2013, U+2014), which
/// word processors put for a hyphen and search reads as one too.
fn id_dash_at(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..)? {
        [0xE2, 0x80, 0x93 | 0x94, ..] => Some(3),
        _ => hyphen_at(bytes, at),
    }
}

/// Where `cve` followed by a dash starts, in any case. Found from the dash's first
/// byte (`-`, or the lead byte of Unicode's hyphens and dashes), which is rarer in
/// prose than any letter.
fn cve_prefixes(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'-', 0xE2, bytes).filter_map(move |dash| {
        let at = dash.checked_sub(3)?;
        opens_id(bytes, at).then_some(at)
    })
}

/// Whether `cve`, in any case, and a dash stand at `at`.
fn opens_id(bytes: &[u8], at: usize) -> bool {
    let cve = bytes
        .get(at..at + 3)
        .is_some_and(|cve| cve.eq_ignore_ascii_case(b"cve"));
    cve && id_dash_at(bytes, at + 3).is_some()
}

/// The list stops at the first number that is not a sequence number (see
/// [`sequence_number`]), is glued to a word, or goes on as a date, a range or a
/// version (`-`, `.5`, `:30`). A number glued to a slash that lists nothing
/// (`8080/tcp`, `2026/05/10`) belongs to a path or a date and is dropped too; one
/// followed by a whole id (`29202/CVE-2026-29203`) stays.
fn listed_after(text: &str, boundaries: &Boundaries, id: &WrittenId) -> Vec<Candidate> {
    let bytes = text.as_bytes();
    let prefix = format!("CVE-{}-", id.year);
    let mut previous = id.number.to_string();
    let mut listed = Vec::new();
    let mut at = id.end;

    while let Some(first) = after_separator(text, at) {
        let last = first + digits(bytes, first);
        let number = sequence_number(&previous, &text[first..last])
            .filter(|_| boundaries.is_end(text, last) && !goes_on(bytes, last));
        let Some(number) = number else {
            let full_id_next = opens_id(bytes, first);
            if bytes.get(at) == Some(&b'/') && !full_id_next {
                listed.pop();
            }
            break;
        };
        listed.push(Candidate {
            start: first,
            end: last,
            keys: vec![format!("{prefix}{number}")],
        });
        previous = number;
        at = last;
    }
    listed
}

/// The sequence number a listed `written` stands for after `previous`: 4 to 7
/// digits as they are, or 1 to 3 that replace the end of `previous` and give a
/// greater number (`23926/27`). `None` for what reads as a year (1990–2099), and
/// for what no CVE has (see [`is_cve_number`]).
fn sequence_number(previous: &str, written: &str) -> Option<String> {
    let number = match written.len() {
        1..=3 if written.len() < previous.len() => {
            let kept = &previous[..previous.len() - written.len()];
            let number = format!("{kept}{written}");
            // Same length, so comparing the digits compares the numbers.
            (number.as_str() > previous).then_some(number)?
        }
        4..=7 => written.to_string(),
        _ => return None,
    };
    let year = number.len() == 4 && ("1990".."2100").contains(&number.as_str());
    (!year && is_cve_number("1999", &number)).then_some(number)
}

/// Where a listed number would start after `at`: past a slash with spaces on
/// either side or none and an optional hyphen (`/ -10523`).
fn after_separator(text: &str, at: usize) -> Option<usize> {
    let at = past_spaces(text, at);
    if text.as_bytes().get(at) != Some(&b'/') {
        return None;
    }
    let at = past_spaces(text, at + 1);
    Some(at + hyphen_at(text.as_bytes(), at).unwrap_or(0))
}

/// The end of the run of spaces (of any kind, see [`is_space`]) at `at`.
fn past_spaces(text: &str, at: usize) -> usize {
    let run: usize = text[at..]
        .chars()
        .take_while(|&ch| is_space(ch))
        .map(char::len_utf8)
        .sum();
    at + run
}

/// `true` when the number ending at `end` goes on as a date, a range, a version
/// or a time (`-05`, `.1`, `:30`).
fn goes_on(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end..) {
        Some([b'.' | b':', digit, ..]) => digit.is_ascii_digit(),
        _ => hyphen_at(bytes, end).is_some(),
    }
}

fn digits(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    })
}
