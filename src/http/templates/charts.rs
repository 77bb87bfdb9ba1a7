//! Small inline SVG charts: numbers a person would rather see than read. Built as
//! markup so that labels are escaped like any other text; no script, no styles
//! beyond attributes.

use maud::{html, Markup};

use crate::entity_page::WeekCount;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const BAR_COLOR: &str = "#457b9d";
const EMPTY_COLOR: &str = "#dfe4e8";

/// Items per ISO week as columns, one per week, gaps included.
pub(crate) fn sparkline(weeks: &[WeekCount]) -> Markup {
    const BARS: u32 = 44;
    const AXIS: u32 = 14;
    const HEIGHT: u32 = BARS + AXIS;
    const COLUMN: u32 = 12;
    let max = weeks
        .iter()
        .map(|week| week.count)
        .max()
        .unwrap_or(0)
        .max(1);
    // Wide enough for the two week labels under the columns.
    let width = (weeks.len() as u32 * COLUMN).max(130);
    let label = match (weeks.first(), weeks.last()) {
        (Some(first), Some(last)) => format!(
            "Items per ISO week, {} to {}, at most {max} in a week",
            first.week, last.week
        ),
        _ => "No items".to_string(),
    };
    html! {
        svg.chart.sparkline xmlns=(SVG_NS) width=(width) height=(HEIGHT)
            viewBox={ "0 0 " (width) " " (HEIGHT) } role="img" aria-label=(label) {
            title { (label) }
            @for (at, week) in weeks.iter().enumerate() {
                @let bar = if week.count == 0 { 2 } else {
                    (week.count as u32 * (BARS - 4)).div_ceil(max as u32).max(3)
                };
                rect x=(at as u32 * COLUMN + 1) y=(BARS - bar) width=(COLUMN - 2) height=(bar)
                    fill=(if week.count == 0 { EMPTY_COLOR } else { BAR_COLOR })
                    data-week=(week.week) data-count=(week.count) {
                    title { (week.week) ": " (week.count) (if week.count == 1 { " item" } else { " items" }) }
                }
            }
            @if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
                text x="0" y=(HEIGHT - 2) font-size="10" fill="#5b6570" { (first.week) }
                @if weeks.len() > 1 {
                    text x=(width) y=(HEIGHT - 2) font-size="10" fill="#5b6570"
                        text-anchor="end" { (last.week) }
                }
            }
        }
    }
}

/// One row of a bar chart.
pub(crate) struct Bar {
    /// What the bar measures.
    pub(crate) label: String,
    /// Its value.
    pub(crate) value: u64,
    /// Shown after the value, such as a percentage.
    pub(crate) note: Option<String>,
}

/// Horizontal bars with their labels and values; `name` names the chart for
/// assistive technology.
pub(crate) fn bars(name: &str, rows: &[Bar]) -> Markup {
    const ROW: u32 = 20;
    const LABEL: u32 = 190;
    const TRACK: u32 = 260;
    let max = rows.iter().map(|row| row.value).max().unwrap_or(0).max(1);
    let height = (rows.len() as u32 * ROW).max(ROW);
    let width = LABEL + TRACK + 90;
    html! {
        svg.chart.bars xmlns=(SVG_NS) width=(width) height=(height)
            viewBox={ "0 0 " (width) " " (height) } role="img" aria-label=(name) {
            title { (name) }
            @for (at, row) in rows.iter().enumerate() {
                @let y = at as u32 * ROW;
                @let length = ((row.value * u64::from(TRACK)) / max).max(2) as u32;
                @let label = shorten(&row.label, 30);
                text x=(LABEL - 6) y=(y + 14) text-anchor="end" font-size="12" { (label) }
                rect x=(LABEL) y=(y + 3) width=(length) height=(ROW - 6) fill=(BAR_COLOR)
                    data-label=(row.label) data-value=(row.value) {
                    title { (row.label) ": " (row.value) }
                }
                text x=(LABEL + length + 6) y=(y + 14) font-size="12" {
                    (row.value)
                    @if let Some(note) = &row.note { " (" (note) ")" }
                }
            }
        }
    }
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut short: String = text.chars().take(chars - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_draw_one_shape_per_value() {
        let rows = [
            Bar {
                label: "<script>".into(),
                value: 3,
                note: Some("60%".into()),
            },
            Bar {
                label: "b".into(),
                value: 2,
                note: None,
            },
        ];
        let svg = bars("hosts", &rows).into_string();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert_eq!(svg.matches("<rect").count(), 2);

        let weeks = [
            WeekCount {
                week: "2026-W19".into(),
                count: 2,
            },
            WeekCount {
                week: "2026-W20".into(),
                count: 0,
            },
        ];
        let svg = sparkline(&weeks).into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(
            svg.contains("data-week=\"2026-W20\" data-count=\"0\""),
            "{svg}"
        );
    }
}
