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

use super::{Boundaries, Candidate};
use crate::corpus::is_cve_number;

/// Every CVE id of `text`, listed ones included; keys are upper-case.
pub(super) fn candidates(text: &str, boundaries: &Boundaries) -> Vec<Candidate> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::new();
    let mut from = 0;
    while let Some(at) = find_ascii_ci(&bytes[from..], b"cve-").map(|at| at + from) {
        from = at + 4;
        let year = digits(bytes, at + 4);
        if year != 4 || bytes.get(at + 8) != Some(&b'-') {
            continue;
        }
        let number = digits(bytes, at + 9);
        let end = at + 9 + number;
        if !is_cve_number(&text[at + 4..at + 8], &text[at + 9..end])
            || !boundaries.is_start(at)
            || !boundaries.is_end(text, end)
        {
            continue;
        }
        candidates.push(Candidate {
            start: at,
            end,
            keys: vec![text[at..end].to_ascii_uppercase()],
        });
        candidates.extend(listed_after(text, boundaries, at, end));
    }
    candidates
}

/// The ids listed after the one at `start..end`.
///
/// The list stops at the first number that is not a sequence number (see
/// [`sequence_number`]), is glued to a word, or goes on as a date, a range or a
/// version (`-`, `.5`, `:30`). A number glued to a slash that lists nothing
/// (`8080/tcp`, `2026/05/10`) belongs to a path or a date and is dropped too; one
/// followed by a whole id (`29202/CVE-2026-29203`) stays.
fn listed_after(text: &str, boundaries: &Boundaries, start: usize, end: usize) -> Vec<Candidate> {
    let bytes = text.as_bytes();
    let prefix = text[start..start + 9].to_ascii_uppercase();
    let mut previous = text[start + 9..end].to_string();
    let mut listed = Vec::new();
    let mut at = end;

    while let Some(first) = after_separator(bytes, at) {
        let last = first + digits(bytes, first);
        let number = sequence_number(&previous, &text[first..last])
            .filter(|_| boundaries.is_end(text, last) && !goes_on(bytes, last));
        let Some(number) = number else {
            let full_id_next = bytes
                .get(first..first + 4)
                .is_some_and(|next| next.eq_ignore_ascii_case(b"cve-"));
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

/// Where a listed number would start after `at`: past a slash with at most one
/// space on either side and an optional hyphen (`/ -10523`).
fn after_separator(bytes: &[u8], at: usize) -> Option<usize> {
    let mut at = at;
    let mut skip = |byte: u8| {
        let found = bytes.get(at) == Some(&byte);
        at += usize::from(found);
        found
    };
    skip(b' ');
    if !skip(b'/') {
        return None;
    }
    skip(b' ');
    skip(b'-');
    Some(at)
}

/// `true` when the number ending at `end` goes on as a date, a range, a version
/// or a time (`-05`, `.1`, `:30`).
fn goes_on(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end..) {
        Some([b'-', ..]) => true,
        Some([b'.' | b':', digit, ..]) => digit.is_ascii_digit(),
        _ => false,
    }
}

/// The first case-insensitive occurrence of an ASCII `needle` ending in a byte
/// without case (`cve-`): found by its last byte, which is rarer in prose than any
/// letter.
fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&last, head) = needle.split_last()?;
    memchr::memchr_iter(last, haystack)
        .filter_map(|end| end.checked_sub(head.len()))
        .find(|&at| haystack[at..at + head.len()].eq_ignore_ascii_case(head))
}

fn digits(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    })
}
