//! The limits of the reading boundary: every input file (JSON, CSV, an Excel workbook) is read
//! under these bounds, each checked before the memory it guards is committed, and each refusal
//! names its limit. They are generous for a real council (England's whole caseload is about
//! 400,000 children) and documented with their values in the README ("Limits on input files").
//!
//! A workbook is read by streaming its few parts through a bounded inflater: a sheet's stated
//! extent (`<dimension ref=...>`, or a lone cell at XFD1048576) never sizes an allocation, and
//! a zip bomb stops at the first limit it passes.

/// The largest input file read (a model, a spreadsheet, a workbook, a policy, a proposal,
/// a referral), in bytes: 128 MiB.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// The most one part of a workbook (a sheet, the shared strings) may inflate to: 512 MiB.
pub const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;

/// The most all the parts read from one workbook may inflate to together: 1 GiB.
pub const MAX_UNZIPPED_BYTES: u64 = 1024 * 1024 * 1024;

/// The most a part may inflate per compressed byte, once it is past [`RATIO_FLOOR`] bytes:
/// 200. Workbooks that Excel and other tools write stay far below it.
pub const MAX_RATIO: u64 = 200;

/// The inflated size below which the ratio is not checked (a small part may compress very
/// well): 1 MiB.
pub const RATIO_FLOOR: u64 = 1024 * 1024;

/// The longest piece of XML read at once (one tag with its attributes, or one text): 1 MiB.
pub const MAX_XML_EVENT: u64 = 1024 * 1024;

/// The most parts (files) in a workbook's zip, counted before its directory is read: 10,000.
/// A workbook Excel saves has a few dozen.
pub const MAX_PARTS: usize = 10_000;

/// The most rows in one sheet or CSV: 1,048,576, Excel's own limit.
pub const MAX_ROWS: usize = 1_048_576;

/// The most keys of one object of a JSON input: 1,048,576, as many as a sheet has rows (a
/// proposal's `summary.by_team` has one a team). Each key is held until its object ends, to
/// refuse a key given twice: nine million keys of a field nobody reads took 960 MB.
pub const MAX_OBJECT_KEYS: usize = 1_048_576;

/// The most columns: 16,384 (Excel's last column, XFD).
pub const MAX_COLUMNS: usize = 16_384;

/// The most cells held for one sheet or CSV, counting the empty cells before the last one of
/// each row: 10,000,000 (400,000 cases of 25 columns).
pub const MAX_CELLS: usize = 10_000_000;

/// The longest text of one cell or CSV field, in characters: 32,767, Excel's own limit.
pub const MAX_FIELD_CHARS: usize = 32_767;

/// A text the program composes (a reason's message, what to do), cut to
/// [`MAX_FIELD_CHARS`] with an ellipsis at its end when the names it quotes make it longer: a
/// name may be that long itself, and the proposal, the workbook and the CSVs must stay
/// readable by the program that wrote them. Shorter texts are as they were.
pub fn fit(text: String) -> String {
    if text.len() <= MAX_FIELD_CHARS || text.chars().count() <= MAX_FIELD_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_FIELD_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The most text held for the cells of one input (all sheets or CSVs together), in bytes:
/// 256 MiB.
pub const MAX_TEXT_BYTES: usize = 256 * 1024 * 1024;

/// The largest magnitude of a number in a model or policy (priority, weight, cap, target,
/// oversight cap, penalties): 1e9. Sums of a million such numbers stay exact to far better
/// than the 1e-6 of SPEC section 4, so every objective is a finite number that compares.
pub const MAX_MAGNITUDE: f64 = 1e9;

pub use crate::model::{MAX_ALIASES, MAX_LIST_ITEMS, MAX_LIST_ITEMS_TOTAL};

/// Text for a limit in messages: `the 1 GiB limit on ...`.
pub fn bytes(n: u64) -> String {
    if n >= 1 << 30 && n % (1 << 30) == 0 {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// A count with thousands separators, as the README writes it: `1,048,576`.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_the_readme_writes_them() {
        assert_eq!(bytes(MAX_FILE_BYTES), "128 MiB");
        assert_eq!(bytes(MAX_UNZIPPED_BYTES), "1 GiB");
        assert_eq!(count(MAX_ROWS), "1,048,576");
        assert_eq!(count(MAX_FIELD_CHARS), "32,767");
        let long = "é".repeat(MAX_FIELD_CHARS + 5);
        let cut = fit(long);
        assert_eq!(cut.chars().count(), MAX_FIELD_CHARS);
        assert!(cut.ends_with("é…"));
        let just = "a".repeat(MAX_FIELD_CHARS);
        assert_eq!(fit(just.clone()), just);
        assert_eq!(count(7), "7");
    }
}
