//! A strict, bounded reader of the few parts of an Excel workbook (`.xlsx`) that a model needs:
//! the workbook (its sheet names and date system), its relationships, the shared strings, the
//! styles (to know a date) and the sheets themselves, each streamed through a bounded inflater
//! (see [`crate::limits`]).
//!
//! Nothing a file states sizes an allocation: a sheet's `<dimension>` is ignored, rows and
//! cells are kept as they come (a lone cell at XFD1048576 is one short row), and every limit
//! is checked before the memory it guards is taken. A cell reference outside Excel's grid is
//! an error naming its cell; a cell that cannot be read (a shared-string index that is not a
//! number of the table, a string cell without a shared-string part, a formula without a saved
//! value, an Excel error) is read as empty and kept among the grid's faults, which the sheet's
//! reader names under the column's header.

use super::column_letters;
use super::read::{Fault, Grid};
use crate::error::{Error, Result};
use crate::limits::{
    bytes as show_bytes, count, MAX_CELLS, MAX_COLUMNS, MAX_FIELD_CHARS, MAX_PARTS, MAX_PART_BYTES,
    MAX_RATIO, MAX_ROWS, MAX_TEXT_BYTES, MAX_UNZIPPED_BYTES, MAX_XML_EVENT, RATIO_FLOOR,
};
use quick_xml::events::{BytesStart, Event};
use std::cell::{Cell, RefCell};
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

/// What one workbook has inflated and held so far, shared by all its parts.
#[derive(Default)]
struct Budget {
    /// Bytes inflated from every part read.
    inflated: Cell<u64>,
    /// Bytes inflated since the XML reader last finished a piece (a tag or a text).
    event: Cell<u64>,
    /// Bytes of cell text held.
    text: Cell<usize>,
    /// The limit that stopped reading, as a message.
    stopped: RefCell<Option<String>>,
    /// Elements of the part being read that are open (started, not yet ended). One part is
    /// read at a time (each borrows the zip), and [`open_part`] sets it to 0.
    open: Cell<usize>,
}

/// A part being inflated, refused as soon as it passes a limit.
struct Bounded<R> {
    inner: R,
    part: String,
    read: u64,
    compressed: u64,
    budget: Rc<Budget>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let b = &self.budget;
        self.read += n as u64;
        b.inflated.set(b.inflated.get() + n as u64);
        b.event.set(b.event.get() + n as u64);
        let problem = if self.read > MAX_PART_BYTES {
            Some(format!(
                "the part {} inflates past the {} limit on one part of a workbook",
                self.part,
                show_bytes(MAX_PART_BYTES)
            ))
        } else if b.inflated.get() > MAX_UNZIPPED_BYTES {
            Some(format!(
                "the parts read inflate past the {} limit on a whole workbook",
                show_bytes(MAX_UNZIPPED_BYTES)
            ))
        } else if self.read > RATIO_FLOOR && self.read > MAX_RATIO.saturating_mul(self.compressed.max(1)) {
            Some(format!(
                "the part {} inflates more than {MAX_RATIO} times its compressed size, the limit on the compression ratio (a zip bomb?)",
                self.part
            ))
        } else if b.event.get() > MAX_XML_EVENT {
            Some(format!(
                "the part {} has a piece of XML (one tag or one text) longer than the {} limit",
                self.part,
                show_bytes(MAX_XML_EVENT)
            ))
        } else {
            None
        };
        match problem {
            Some(p) => {
                *b.stopped.borrow_mut() = Some(p.clone());
                Err(std::io::Error::other(p))
            }
            None => Ok(n),
        }
    }
}

/// The shared-string table, held compactly: the text of every string in one buffer, and where
/// each ends. A string costs its text and the four bytes of its end, and both are charged to
/// the text held, however the string is written (`<si/>`, `<si></si>`, runs): ten million
/// empty strings, the limit, hold 40 MB (as one `String` each they held 240 MB, uncharged).
#[derive(Default)]
struct Shared {
    text: String,
    /// The end of each string in `text`; a string begins where the one before it ends.
    ends: Vec<u32>,
}

/// What one shared string costs beyond its text: its end.
const SHARED_OVERHEAD: usize = std::mem::size_of::<u32>();

// Every end fits in a u32: the text held for one input is bounded well below 4 GiB.
const _: () = assert!(MAX_TEXT_BYTES <= u32::MAX as usize);

impl Shared {
    /// How many strings the table has.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The string at an index, if the table has one there.
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }
}

/// Excel's two date systems, which say what day a date cell's number (its serial) is.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum DateSystem {
    /// Days since 1899-12-30 (serial 61 is 1900-03-01): Excel's default.
    #[default]
    From1900,
    /// Days since 1904-01-01 (serial 0): a workbook marked `<workbookPr date1904="1"/>`, as
    /// Excel for Mac saved them by default before 2011 and still may.
    From1904,
}

impl DateSystem {
    /// Days from 1899-12-30 to this system's day 0: 1,462 for the 1904 system.
    fn shift(self) -> i64 {
        match self {
            DateSystem::From1900 => 0,
            DateSystem::From1904 => 1_462,
        }
    }

    /// The first serial that is a day in this system (the 1900 system's serials before 61
    /// count Excel's false 1900-02-29).
    fn first(self) -> f64 {
        match self {
            DateSystem::From1900 => 61.0,
            DateSystem::From1904 => 0.0,
        }
    }

    /// The last serial that is a day in this system: 9999-12-31 (2,958,465 in the 1900 system).
    fn last(self) -> f64 {
        2_958_465.0 - self.shift() as f64
    }
}

/// An open workbook: its sheets by name, the shared strings and which styles show dates.
pub struct Book<'a> {
    file: String,
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// (sheet name, part path), in the workbook's order.
    sheets: Vec<(String, String)>,
    shared: Option<Shared>,
    date_styles: Vec<bool>,
    /// The date system of the workbook's date cells (`xl/workbook.xml`).
    date_system: DateSystem,
    /// Date cells are read as days, `YYYY-MM-DD` (the reductions sheet), not refused.
    pub days: bool,
    /// Columns whose date cells are read as days, by their header (`waiting_since` of the
    /// cases sheet); in the other columns a date cell is refused, unless [`Book::days`].
    pub day_columns: &'static [&'static str],
    /// The sheets the workbook hides (`state="hidden"` or `"veryHidden"`).
    hidden: Vec<String>,
    /// The workbook asks to be recalculated when it is opened (`<calcPr fullCalcOnLoad="1"/>`):
    /// its writer did not calculate its formulas, or changed cells they depend on, so the value
    /// saved with a formula (`0`, as such writers save it, or one gone stale) may not be what
    /// Excel shows. Each formula cell is then refused, as one without a saved value is.
    recalc_on_load: bool,
    budget: Rc<Budget>,
}

/// The most cell formats or number formats read from the styles: 65,536 (Excel allows 64,000).
const MAX_STYLES: usize = 65_536;

fn too_many_styles(file: &str, part: &str) -> Error {
    Error::input(
        file,
        format!("part {part}"),
        format!(
            "more than {} cell or number formats (Excel allows 64,000); save it again from Excel",
            count(MAX_STYLES)
        ),
    )
}

/// A streaming XML reader over one part.
type Xml<'z, 'a> = quick_xml::Reader<BufReader<Bounded<zip::read::ZipFile<'z, Cursor<&'a [u8]>>>>>;

/// Opens a part for streaming, or `None` when the workbook lacks it.
fn open_part<'z, 'a>(
    zip: &'z mut zip::ZipArchive<Cursor<&'a [u8]>>,
    file: &str,
    budget: &Rc<Budget>,
    part: &str,
) -> Result<Option<Xml<'z, 'a>>> {
    let name = zip.file_names().find(|n| n.eq_ignore_ascii_case(part)).map(str::to_string);
    let Some(name) = name else { return Ok(None) };
    let entry = zip.by_name(&name).map_err(|e| {
        Error::input(file, format!("part {part}"), format!("cannot read this part of the workbook: {e}"))
    })?;
    let compressed = entry.compressed_size();
    budget.event.set(0);
    budget.open.set(0);
    let bounded =
        Bounded { inner: entry, part: part.to_string(), read: 0, compressed, budget: budget.clone() };
    let mut reader = BufReader::new(bounded);
    let head =
        std::io::BufRead::fill_buf(&mut reader).map_err(|e| match budget.stopped.borrow().clone() {
            Some(limit) => Error::input(file, format!("part {part}"), limit),
            None => Error::input(
                file,
                format!("part {part}"),
                format!("cannot read this part of the workbook: {e}"),
            ),
        })?;
    if let Some(problem) = not_xml(head) {
        return Err(Error::input(
            file,
            format!("part {part}"),
            format!("{problem}, so its cells cannot be read; save the workbook again from Excel"),
        ));
    }
    let mut xml = quick_xml::Reader::from_reader(reader);
    xml.config_mut().trim_text(false);
    Ok(Some(xml))
}

/// The entries a zip's end-of-central-directory record counts (the last record of `bytes`, found
/// within the 64 KiB a comment may take), or `None` without one or in the zip64 form.
fn directory_entries(bytes: &[u8]) -> Option<usize> {
    let from = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[from..];
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let total = tail.get(at + 10..at + 12)?;
    let n = u16::from_le_bytes([total[0], total[1]]);
    (n != u16::MAX).then_some(usize::from(n))
}

/// The kind of a spreadsheet file that is not an Excel workbook but is often saved or renamed as
/// one: an Excel 97-2003 workbook (a compound file) or an OpenDocument spreadsheet (a zip whose
/// first entry, `mimetype`, says so).
fn other_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some("an Excel 97-2003 workbook (.xls)");
    }
    let head = &bytes[..bytes.len().min(256)];
    let ods = b"application/vnd.oasis.opendocument.spreadsheet";
    (bytes.starts_with(b"PK\x03\x04") && head.windows(ods.len()).any(|w| w == ods))
        .then_some("an OpenDocument spreadsheet (.ods)")
}

/// Why a part whose first bytes are `head` is no XML that Excel writes (UTF-8, beginning with
/// `<` after an optional byte-order mark and white space), or `None`: a part saved as UTF-16,
/// or damaged, would otherwise read as no cells at all, and a sheet of the council's caps as
/// an empty one, without a word.
fn not_xml(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || head.get(1) == Some(&0) {
        return Some("it is UTF-16 text, not the UTF-8 XML that Excel writes");
    }
    let body = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None if head.is_empty() => Some("it is empty"),
        Some(&b'<') | None => None,
        Some(_) => Some("it holds something other than XML"),
    }
}

/// A text as Excel saved it, with its escapes undone: Excel writes a character XML cannot
/// hold, or a carriage return, as `_xHHHH_` (a line break pasted from another program is
/// `_x000D_` and a line feed), and a text that itself holds `_xHHHH_` with its `_` as
/// `_x005F_` (ECMA-376 part 1, 22.9.2.19, ST_Xstring). Read as written, a note or a name
/// would come back with `_x000D_` in it, and grow by `_x005F_` each time it is written again.
fn xstring(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") && !s.contains("_X") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('_') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let b = rest.as_bytes();
        let escape = b.len() >= 7
            && (b[1] == b'x' || b[1] == b'X')
            && b[2..6].iter().all(u8::is_ascii_hexdigit)
            && b[6] == b'_';
        let decoded =
            escape.then(|| u32::from_str_radix(&rest[2..6], 16).ok().and_then(char::from_u32)).flatten();
        match decoded {
            Some(ch) => {
                out.push(ch);
                rest = &rest[7..];
            }
            None => {
                out.push('_');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&c| c == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The value of an attribute by its local name (`r:id` is `id`).
fn attr(e: &BytesStart, name: &[u8]) -> Option<String> {
    // Without quick-xml's check for a repeated name, which compares each attribute with every
    // one before it: a tag of 100,000 attributes (within the 1 MiB a tag may take) took 16 s.
    // A lookup reads the tag once, so a file is read in time linear in its size.
    e.attributes().with_checks(false).flatten().find(|a| local(a.key.as_ref()) == name).and_then(|a| {
        let raw = std::str::from_utf8(&a.value).ok()?;
        quick_xml::escape::unescape(raw).ok().map(|v| v.into_owned())
    })
}

/// A cell reference such as `B7` as (row, column), both from 1; `None` unless it is one.
fn cell_ref(r: &str) -> Option<(usize, usize)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = letters.bytes().fold(0usize, |acc, b| acc * 26 + (b - b'A' + 1) as usize);
    let row: usize = digits.parse().ok()?;
    Some((row, col))
}

/// Whether a number format shows a date or a time: Excel's built-in date formats, or a
/// format code with a day, month, year, hour or second outside quotes and brackets.
fn is_date_format(id: u32, code: Option<&str>) -> bool {
    if matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58) {
        return true;
    }
    let Some(code) = code else { return false };
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for ch in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

impl<'a> Book<'a> {
    /// Opens a workbook from its bytes; `file` names it in messages. Reads the sheet names,
    /// the shared strings and the styles; the sheets are read by [`Book::grid`].
    pub fn open(file: &str, bytes: &'a [u8]) -> Result<Book<'a>> {
        // The zip's directory is read whole by the zip crate: count its entries first (each
        // begins with the signature PK\x01\x02), so a file of a million empty parts is refused
        // before that memory is taken.
        let entries = bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count();
        if entries > MAX_PARTS {
            return Err(Error::input(
                file,
                "file",
                format!(
                    "the zip holds more than {} parts, the limit on parts of a workbook; save it again from Excel",
                    count(MAX_PARTS)
                ),
            ));
        }
        if let Some(kind) = other_format(bytes) {
            return Err(Error::input(
                file,
                "file",
                format!("this is {kind}, not an Excel workbook (.xlsx); save it from Excel (or LibreOffice) as \"Excel Workbook (.xlsx)\""),
            ));
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            Error::input(
                file,
                "file",
                format!(
                    "cannot open it as an Excel workbook (.xlsx): {e}; save it from Excel as \"Excel Workbook (.xlsx)\""
                ),
            )
        })?;
        // Two parts of one name (as the reader finds parts: case aside): spreadsheet programs
        // differ in which they read, so which sheet is meant is in doubt. The zip reader keeps
        // one entry a name, so a name given twice exactly shows as fewer entries than the
        // directory's end record counts.
        let mut names = std::collections::HashSet::new();
        let twice = zip.file_names().find(|n| !names.insert(n.to_ascii_lowercase())).map(str::to_string);
        let listed = directory_entries(bytes);
        if twice.is_some() || listed.is_some_and(|n| n > zip.len()) {
            let place = twice.map_or("file".to_string(), |n| format!("part {n}"));
            return Err(Error::input(
                file,
                place,
                "the zip holds two parts of one name, and programs differ in which they read; save the workbook again from Excel",
            ));
        }
        let mut book = Book {
            file: file.to_string(),
            zip,
            sheets: Vec::new(),
            shared: None,
            date_styles: Vec::new(),
            date_system: DateSystem::default(),
            days: false,
            day_columns: &[],
            hidden: Vec::new(),
            recalc_on_load: false,
            budget: Rc::new(Budget::default()),
        };
        let rels = book.relationships()?;
        let target = |kind: &str| {
            rels.iter().find(|(_, t, _)| t.rsplit('/').next() == Some(kind)).map(|(_, _, p)| p.clone())
        };
        let (listed, date_system) = book.workbook_sheets()?;
        book.date_system = date_system;
        let mut sheets = Vec::new();
        for (name, rid) in listed {
            match rels.iter().find(|(id, _, _)| *id == rid) {
                Some((_, _, part)) => sheets.push((name, part.clone())),
                None => {
                    return Err(book.err(
                        "part xl/workbook.xml",
                        format!("the sheet {:?} names the relationship {:?}, which xl/_rels/workbook.xml.rels lacks; save the workbook again from Excel", crate::util::clipped(&name), crate::util::clipped(&rid)),
                    ))
                }
            }
        }
        book.sheets = sheets;
        if let Some(part) = target("sharedStrings") {
            book.shared = Some(book.shared_strings(&part)?);
        }
        if let Some(part) = target("styles") {
            book.date_styles = book.styles(&part)?;
        }
        Ok(book)
    }

    /// Whether the workbook hides the sheet of this name.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.hidden.iter().any(|h| h == name)
    }

    /// The names of the sheets, in the workbook's order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(n, _)| n.clone()).collect()
    }

    fn err(&self, place: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::input(&self.file, place, problem)
    }

    /// The next piece of XML of a part, with errors (and the limit that stopped it) named.
    fn next<'x>(
        file: &str,
        budget: &Budget,
        part: &str,
        xml: &mut Xml,
        buf: &'x mut Vec<u8>,
    ) -> Result<Event<'x>> {
        buf.clear();
        budget.event.set(0);
        let ev = xml.read_event_into(buf).map_err(|e| match budget.stopped.borrow().clone() {
            Some(limit) => Error::input(
                file,
                format!("part {part}"),
                format!("{limit}; this is not a workbook as Excel saves it: save it again from Excel, or split the model by team"),
            ),
            None => Error::input(
                file,
                format!("part {part}"),
                format!("the workbook's XML is broken ({e}); save it again from Excel"),
            ),
        })?;
        // A part cut short between two tags simply ends, to the XML reader: the rows, sheets
        // or strings after the cut would be lost without a word (a sheet of cases read as its
        // first rows, a policy sheet gone from the workbook's list of sheets).
        match ev {
            Event::Start(_) => budget.open.set(budget.open.get() + 1),
            Event::End(_) => budget.open.set(budget.open.get().saturating_sub(1)),
            Event::Eof if budget.open.get() > 0 => {
                return Err(Error::input(
                    file,
                    format!("part {part}"),
                    "the part ends before its XML does (the workbook was cut short or damaged), so what follows the cut would be lost; save it again from Excel",
                ));
            }
            _ => {}
        }
        Ok(ev)
    }

    /// `xl/_rels/workbook.xml.rels`: (id, type, part path).
    fn relationships(&mut self) -> Result<Vec<(String, String, String)>> {
        let part = "xl/_rels/workbook.xml.rels";
        let file = self.file.clone();
        let Some(mut xml) = open_part(&mut self.zip, &self.file, &self.budget, part)? else {
            return Err(self.err(
                format!("part {part}"),
                "the workbook lacks this part, which says where its sheets are; save it again from Excel",
            ));
        };
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            match Self::next(&file, &self.budget, part, &mut xml, &mut buf)? {
                Event::Start(e) | Event::Empty(e) if local(e.name().as_ref()) == b"Relationship" => {
                    let (Some(id), Some(kind), Some(target)) =
                        (attr(&e, b"Id"), attr(&e, b"Type"), attr(&e, b"Target"))
                    else {
                        continue;
                    };
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{}", target.trim_start_matches("./")),
                    };
                    if out.len() >= MAX_PARTS {
                        return Err(Error::input(
                            &file,
                            format!("part {part}"),
                            format!(
                                "more than {} relationships, the limit on parts of a workbook",
                                count(MAX_PARTS)
                            ),
                        ));
                    }
                    out.push((id, kind, path));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    /// `xl/workbook.xml`: (sheet name, relationship id), in order, and the date system
    /// (`<workbookPr date1904="1"/>`, or `"true"`, is the 1904 system); notes the hidden
    /// sheets and whether the workbook asks to be recalculated when opened
    /// ([`Book::recalc_on_load`]).
    fn workbook_sheets(&mut self) -> Result<(Vec<(String, String)>, DateSystem)> {
        let part = "xl/workbook.xml";
        let file = self.file.clone();
        let Some(mut xml) = open_part(&mut self.zip, &self.file, &self.budget, part)? else {
            return Err(self.err(
                format!("part {part}"),
                "the workbook lacks this part, which names its sheets; save it again from Excel",
            ));
        };
        let mut out = Vec::new();
        let mut system = DateSystem::default();
        let mut seen_pr = false;
        let mut buf = Vec::new();
        loop {
            match Self::next(&file, &self.budget, part, &mut xml, &mut buf)? {
                Event::Start(e) | Event::Empty(e) if local(e.name().as_ref()) == b"workbookPr" => {
                    if std::mem::replace(&mut seen_pr, true) {
                        // Excel writes one; with two, every date cell could mean either of
                        // two days 1,462 days apart.
                        return Err(Error::input(
                            &file,
                            format!("part {part}"),
                            "the workbook's properties (and its date system) are given twice; save the workbook again from Excel",
                        ));
                    }
                    system = match attr(&e, b"date1904").as_deref().map(str::trim) {
                        None | Some("0" | "false") => DateSystem::From1900,
                        Some("1" | "true") => DateSystem::From1904,
                        Some(other) => {
                            return Err(Error::input(
                                &file,
                                format!("part {part}"),
                                format!(
                                    "the workbook's date system, date1904={}, is neither true nor false; save the workbook again from Excel",
                                    crate::warnings::quoted(other)
                                ),
                            ))
                        }
                    };
                }
                Event::Start(e) | Event::Empty(e) if local(e.name().as_ref()) == b"calcPr" => {
                    let on = attr(&e, b"fullCalcOnLoad");
                    self.recalc_on_load |= matches!(on.as_deref().map(str::trim), Some("1" | "true"));
                }
                Event::Start(e) | Event::Empty(e) if local(e.name().as_ref()) == b"sheet" => {
                    let (Some(name), Some(rid)) = (attr(&e, b"name"), attr(&e, b"id")) else {
                        return Err(Error::input(
                            &file,
                            format!("part {part}"),
                            "a sheet has no name or no relationship; save the workbook again from Excel",
                        ));
                    };
                    if out.len() >= MAX_COLUMNS {
                        return Err(Error::input(
                            &file,
                            format!("part {part}"),
                            format!("more than {} sheets", count(MAX_COLUMNS)),
                        ));
                    }
                    if matches!(attr(&e, b"state").as_deref(), Some("hidden" | "veryHidden")) {
                        self.hidden.push(name.clone());
                    }
                    out.push((name, rid));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok((out, system))
    }

    /// The refusal of text past the budget of text held.
    fn text_limit(file: &str, place: &str) -> Error {
        Error::input(
            file,
            place,
            format!(
                "the text of the cells passes the {} limit on the text held for one input; split the model by team",
                show_bytes(MAX_TEXT_BYTES as u64)
            ),
        )
    }

    /// Counts text against the budget of text held.
    fn hold(file: &str, budget: &Budget, place: &str, n: usize) -> Result<()> {
        let held = budget.text.get().saturating_add(n);
        if held > MAX_TEXT_BYTES {
            return Err(Self::text_limit(file, place));
        }
        budget.text.set(held);
        Ok(())
    }

    /// Adds one string to the shared-string table, refused past the limit on cells or on the
    /// text held; its text and its fixed cost ([`SHARED_OVERHEAD`]) are charged first.
    fn add_shared(file: &str, budget: &Budget, part: &str, table: &mut Shared, text: &str) -> Result<()> {
        let place = format!("part {part}");
        if table.len() >= MAX_CELLS {
            return Err(Error::input(
                file,
                place,
                format!("more than {} shared strings, the limit on cells", count(MAX_CELLS)),
            ));
        }
        Self::hold(file, budget, &place, text.len().saturating_add(SHARED_OVERHEAD))?;
        // The text held is bounded below u32::MAX (checked above where `Shared` is defined),
        // so this never fails; were it to, it is the same limit passed.
        let end = u32::try_from(table.text.len().saturating_add(text.len()))
            .map_err(|_| Self::text_limit(file, &place))?;
        table.text.push_str(text);
        table.ends.push(end);
        Ok(())
    }

    /// The shared-string table: each `<si>`'s text (its runs joined, phonetic hints left out),
    /// every string counted and charged alike however it is written.
    fn shared_strings(&mut self, part: &str) -> Result<Shared> {
        let file = self.file.clone();
        let Some(mut xml) = open_part(&mut self.zip, &self.file, &self.budget, part)? else {
            return Ok(Shared::default());
        };
        let mut out = Shared::default();
        let mut buf = Vec::new();
        let (mut in_si, mut in_t, mut phonetic) = (false, false, 0usize);
        let mut text = String::new();
        // The characters of `text`, counted as it grows: a string of many runs (`<r><t>`)
        // is not counted again from its start at each run.
        let mut chars = 0usize;
        loop {
            match Self::next(&file, &self.budget, part, &mut xml, &mut buf)? {
                Event::Start(e) => match local(e.name().as_ref()) {
                    b"si" => {
                        in_si = true;
                        text.clear();
                        chars = 0;
                    }
                    b"t" if in_si && phonetic == 0 => in_t = true,
                    b"rPh" => phonetic += 1,
                    _ => {}
                },
                Event::Empty(e) if local(e.name().as_ref()) == b"si" => {
                    Self::add_shared(&file, &self.budget, part, &mut out, "")?;
                }
                Event::End(e) => match local(e.name().as_ref()) {
                    b"si" => {
                        in_si = false;
                        Self::add_shared(&file, &self.budget, part, &mut out, &xstring(&text))?;
                        text.clear();
                    }
                    b"t" => in_t = false,
                    b"rPh" => phonetic = phonetic.saturating_sub(1),
                    _ => {}
                },
                ev @ (Event::Text(_) | Event::CData(_)) if in_t => {
                    let s = match &ev {
                        Event::Text(t) => t.unescape().map_err(|e| {
                            Error::input(
                                &file,
                                format!("part {part}"),
                                format!("broken text ({e}); save it again from Excel"),
                            )
                        })?,
                        Event::CData(t) => String::from_utf8_lossy(t),
                        _ => continue,
                    };
                    text.push_str(&s);
                    chars += s.chars().count();
                    if chars > MAX_FIELD_CHARS {
                        return Err(Error::input(
                            &file,
                            format!("part {part}, string {}", out.len()),
                            format!(
                                "a text longer than {} characters, the limit on one cell (Excel's own)",
                                count(MAX_FIELD_CHARS)
                            ),
                        ));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    /// The styles: for each cell format (`cellXfs`), whether it shows a date.
    fn styles(&mut self, part: &str) -> Result<Vec<bool>> {
        let file = self.file.clone();
        let Some(mut xml) = open_part(&mut self.zip, &self.file, &self.budget, part)? else {
            return Ok(Vec::new());
        };
        let mut formats: Vec<(u32, String)> = Vec::new();
        let mut xfs: Vec<u32> = Vec::new();
        let mut in_xfs = false;
        let mut buf = Vec::new();
        loop {
            match Self::next(&file, &self.budget, part, &mut xml, &mut buf)? {
                Event::Start(e) | Event::Empty(e) => match local(e.name().as_ref()) {
                    b"numFmt" => {
                        if let (Some(id), Some(code)) = (attr(&e, b"numFmtId"), attr(&e, b"formatCode")) {
                            if formats.len() >= MAX_STYLES {
                                return Err(too_many_styles(&file, part));
                            }
                            formats.push((id.parse().unwrap_or(0), code));
                        }
                    }
                    b"cellXfs" => in_xfs = true,
                    b"xf" if in_xfs => {
                        if xfs.len() >= MAX_STYLES {
                            return Err(too_many_styles(&file, part));
                        }
                        xfs.push(attr(&e, b"numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0))
                    }
                    _ => {}
                },
                Event::End(e) if local(e.name().as_ref()) == b"cellXfs" => in_xfs = false,
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(xfs
            .into_iter()
            .map(|id| is_date_format(id, formats.iter().find(|(f, _)| *f == id).map(|(_, c)| c.as_str())))
            .collect())
    }

    /// Reads one sheet into a [`Grid`]; `shown` names the sheet in messages (`book.xlsx,
    /// sheet cases`). A cell that cannot be read (a formula without a saved value, an Excel
    /// error, a date where none goes) is read as empty and kept among the grid's
    /// [`Grid::faults`], for the sheet's reader to name under its column's header; a limit
    /// passed, or broken XML, stops the reading.
    pub fn grid(&mut self, name: &str, shown: &str) -> Result<Grid> {
        let Some(part) = self.sheets.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone()) else {
            return Err(self.err(format!("sheet {}", crate::util::clipped(name)), "no such sheet"));
        };
        let file = self.file.clone();
        let shared = self.shared.take();
        let dates = std::mem::take(&mut self.date_styles);
        let result = self.sheet(&file, shown, &part, shared.as_ref(), &dates);
        self.shared = shared;
        self.date_styles = dates;
        result
    }

    fn sheet(
        &mut self,
        file: &str,
        shown: &str,
        part: &str,
        shared: Option<&Shared>,
        dates: &[bool],
    ) -> Result<Grid> {
        let Some(mut xml) = open_part(&mut self.zip, shown, &self.budget, part)? else {
            return Err(Error::input(
                file,
                format!("part {part}"),
                "the workbook lacks the part of this sheet; save it again from Excel",
            ));
        };
        let budget = self.budget.clone();
        let days = self.days;
        let day_columns = self.day_columns;
        let system = self.date_system;
        let recalc = self.recalc_on_load;
        // The columns (1-based) under a header of `day_columns`, known once the first row that
        // names one (the header, perhaps below a title) is read.
        let mut day_cols: Vec<usize> = Vec::new();
        // Rows hidden by hand or by a filter, and whether the sheet has a filter.
        let (mut hidden, mut filtered) = (Vec::new(), false);
        let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
        // The cells that could not be read, each read as empty.
        let mut faults: Vec<Fault> = Vec::new();
        // Merged ranges: as written, and their first and last cells (row, column).
        let mut merges: Vec<(String, Corner, Corner)> = Vec::new();
        let mut cells_held = 0usize;
        let mut buf = Vec::new();
        // The row being read: its number and cells.
        let mut row: Option<(usize, Vec<String>)> = None;
        // The column of the row's next cell element, empty or not: where a cell without a
        // reference (`r="B7"` is optional) stands. Every `<c>` moves it on, an empty one too,
        // and a cell with a reference sets it.
        let mut next_col = 1usize;
        // The cell being read.
        let mut cell: Option<CellState> = None;
        let mut in_data = false;
        let mut last_row = 0usize;
        let limit = |place: String, problem: String| Error::input(shown, place, problem);
        // Whether the part's root, `<worksheet>`, was met: a part of other XML has no cells.
        let mut rooted = false;
        loop {
            let ev = Self::next(shown, &budget, part, &mut xml, &mut buf)?;
            let start = matches!(ev, Event::Start(_));
            if let Event::Start(ref e) | Event::Empty(ref e) = ev {
                rooted |= local(e.name().as_ref()) == b"worksheet";
            }
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) if local(e.name().as_ref()) == b"sheetData" => {
                    in_data = start;
                }
                Event::End(e) if local(e.name().as_ref()) == b"sheetData" => in_data = false,
                Event::Start(ref e) | Event::Empty(ref e) if local(e.name().as_ref()) == b"autoFilter" => {
                    filtered = true;
                }
                Event::Start(ref e) | Event::Empty(ref e) if local(e.name().as_ref()) == b"mergeCell" => {
                    let range = attr(e, b"ref").unwrap_or_default();
                    let corners = range.split_once(':').and_then(|(a, b)| Some((cell_ref(a)?, cell_ref(b)?)));
                    let Some(((r1, c1), (r2, c2))) =
                        corners.filter(|((r1, c1), (r2, c2))| r1 <= r2 && c1 <= c2)
                    else {
                        return Err(limit(
                            format!("merged cells {}", crate::warnings::quoted(&range)),
                            "not a range of cells; save the workbook again from Excel".into(),
                        ));
                    };
                    if merges.len() >= MAX_COLUMNS {
                        return Err(limit(
                            "merged cells".into(),
                            format!("more than {} merged ranges; unmerge them", count(MAX_COLUMNS)),
                        ));
                    }
                    merges.push((range, (r1, c1), (r2, c2)));
                }
                Event::Start(ref e) | Event::Empty(ref e)
                    if in_data && local(e.name().as_ref()) == b"row" =>
                {
                    let number = match attr(e, b"r") {
                        Some(r) => match r.parse::<usize>() {
                            Ok(n) if (1..=MAX_ROWS).contains(&n) => n,
                            _ => {
                                return Err(limit(
                                    format!("row {r}"),
                                    format!("not a row of a sheet (rows are 1 to {})", count(MAX_ROWS)),
                                ))
                            }
                        },
                        None => last_row + 1,
                    };
                    if number <= last_row || number > MAX_ROWS {
                        return Err(limit(
                            format!("row {number}"),
                            "the row comes twice or out of order; save the workbook again from Excel".into(),
                        ));
                    }
                    last_row = number;
                    if rows.len() >= MAX_ROWS {
                        return Err(limit(
                            format!("row {number}"),
                            format!("more than {} rows, the limit on rows", count(MAX_ROWS)),
                        ));
                    }
                    if start {
                        row = Some((number, Vec::new()));
                        next_col = 1;
                        if attr(e, b"hidden").is_some_and(|h| h == "1" || h == "true") {
                            hidden.push(number);
                        }
                    }
                }
                Event::End(e) if local(e.name().as_ref()) == b"row" => {
                    if let Some((n, cells)) = row.take() {
                        if !cells.is_empty() {
                            // The header is the first row that names a day column (a title
                            // may stand above it); the rows below it read those as days.
                            if day_cols.is_empty() {
                                day_cols = header_columns(&cells, day_columns);
                            }
                            rows.push((n, cells));
                        } else if hidden.last() == Some(&n) {
                            // An empty row hides nothing. Only this row can be at the end of
                            // the list: looking further (the whole list for each empty row) took
                            // 43 s for 300,000 hidden rows followed by as many empty ones.
                            hidden.pop();
                        }
                    }
                }
                Event::Start(ref e) | Event::Empty(ref e)
                    if row.is_some() && local(e.name().as_ref()) == b"c" =>
                {
                    let Some((number, _)) = row.as_ref() else { continue };
                    let col = match attr(e, b"r") {
                        Some(r) => match cell_ref(&r) {
                            Some((rn, c)) if rn == *number && (1..=MAX_COLUMNS).contains(&c) => c,
                            _ => {
                                return Err(limit(
                                    format!("row {number}"),
                                    format!(
                                        "the cell reference {} is not a cell of this row within Excel's grid (A1 to XFD{})",
                                        crate::warnings::quoted(&r),
                                        MAX_ROWS
                                    ),
                                ))
                            }
                        },
                        None => next_col,
                    };
                    if col < next_col {
                        return Err(limit(
                            format!("row {number}, column {}", column_letters(col.saturating_sub(1))),
                            "the cell comes twice or out of order; save the workbook again from Excel".into(),
                        ));
                    }
                    if col > MAX_COLUMNS {
                        return Err(limit(
                            format!("row {number}"),
                            format!(
                                "more than {} cells in the row, past Excel's last column (XFD); save the workbook again from Excel",
                                count(MAX_COLUMNS)
                            ),
                        ));
                    }
                    next_col = col + 1;
                    let state = CellState {
                        row: *number,
                        col,
                        kind: attr(e, b"t").unwrap_or_default(),
                        style: attr(e, b"s").and_then(|s| s.parse().ok()),
                        value: None,
                        inline: None,
                        formula: false,
                        phonetic: false,
                        into: Target::Nothing,
                    };
                    if start {
                        cell = Some(state);
                    }
                }
                Event::Start(ref e) | Event::Empty(ref e) if cell.is_some() => {
                    let Some(c) = cell.as_mut() else { continue };
                    match local(e.name().as_ref()) {
                        b"v" if start => {
                            c.value = Some(String::new());
                            c.into = Target::Value;
                        }
                        b"v" => c.value = Some(String::new()),
                        b"f" => c.formula = true,
                        b"is" => c.inline = Some(String::new()),
                        b"t" if start && c.inline.is_some() && !c.phonetic => c.into = Target::Inline,
                        b"rPh" if start => {
                            c.phonetic = true;
                            c.into = Target::Nothing;
                        }
                        _ => {}
                    }
                }
                Event::Text(t) if cell.as_ref().is_some_and(|c| c.into != Target::Nothing) => {
                    let s = t.unescape().map_err(|e| {
                        limit(format!("part {part}"), format!("broken text ({e}); save it again from Excel"))
                    })?;
                    if let Some(c) = cell.as_mut() {
                        let target = match c.into {
                            Target::Value => c.value.as_mut(),
                            Target::Inline => c.inline.as_mut(),
                            Target::Nothing => None,
                        };
                        if let Some(target) = target {
                            target.push_str(&s);
                        }
                    }
                }
                Event::CData(t) if cell.as_ref().is_some_and(|c| c.into == Target::Inline) => {
                    if let Some(text) = cell.as_mut().and_then(|c| c.inline.as_mut()) {
                        text.push_str(&String::from_utf8_lossy(&t));
                    }
                }
                Event::End(e) if cell.is_some() => match local(e.name().as_ref()) {
                    b"v" | b"t" => {
                        if let Some(c) = cell.as_mut() {
                            c.into = Target::Nothing;
                        }
                    }
                    b"rPh" => {
                        if let Some(c) = cell.as_mut() {
                            c.phonetic = false;
                        }
                    }
                    b"c" => {
                        let Some(c) = cell.take() else { continue };
                        let Some((_, cells)) = row.as_mut() else { continue };
                        let at = format!("row {}, column {}", c.row, column_letters(c.col - 1));
                        // A day column's date cell may hold a time too (a time stamp): read as
                        // its day, as the text `2026-11-30 09:15` is. The reductions' are days.
                        let stamp = !rows.is_empty() && day_cols.contains(&c.col);
                        let as_day = days || stamp;
                        let text = match c.text(shared, dates, (as_day, stamp && !days), system, recalc) {
                            Ok(t) => t,
                            Err(problem) => {
                                // Held like text, so a sheet of a million bad cells is refused
                                // at the limit on text held rather than grown without bound.
                                Self::hold(
                                    shown,
                                    &budget,
                                    &at,
                                    problem.len() + std::mem::size_of::<Fault>(),
                                )?;
                                faults.push(Fault { row: c.row, column: c.col - 1, problem });
                                String::new()
                            }
                        };
                        if text.chars().count() > MAX_FIELD_CHARS {
                            return Err(limit(
                                at,
                                format!(
                                    "the cell holds more than {} characters, the limit on one cell (Excel's own)",
                                    count(MAX_FIELD_CHARS)
                                ),
                            ));
                        }
                        if text.is_empty() {
                            continue;
                        }
                        let grow = c.col - cells.len();
                        cells_held = cells_held.saturating_add(grow);
                        if cells_held > MAX_CELLS {
                            return Err(limit(
                                at,
                                format!(
                                    "more than {} cells (counting the empty ones before the last of each row), the limit on cells of one sheet",
                                    count(MAX_CELLS)
                                ),
                            ));
                        }
                        Self::hold(shown, &budget, &at, text.len() + grow * std::mem::size_of::<String>())?;
                        cells.resize(c.col - 1, String::new());
                        cells.push(text);
                    }
                    _ => {}
                },
                Event::Eof if !rooted => {
                    return Err(Error::input(
                        shown,
                        format!("part {part}"),
                        "this sheet's part holds no worksheet, so its cells cannot be read; save the workbook again from Excel",
                    ));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // A merged range shows its first cell's value in every cell, and a person reads it so
        // (a sibling group, a worker today merged down three siblings' rows): each cell of the
        // range in a row that is there is read as the first, within the limits on cells and text.
        let mut merged = Vec::new();
        // Every cell a range covers is visited, filled or not: ranges laid over one another (as
        // Excel never saves them) over a sheet of filled cells took minutes without growing it.
        let mut covered = 0usize;
        for (range, (r1, c1), (r2, c2)) in merges {
            let first = rows
                .binary_search_by_key(&r1, |(n, _)| *n)
                .ok()
                .and_then(|i| rows[i].1.get(c1 - 1))
                .filter(|v| !v.trim().is_empty())
                .cloned();
            let Some(value) = first else { continue };
            let from = rows.partition_point(|(n, _)| *n < r1);
            let to = rows.partition_point(|(n, _)| *n <= r2);
            covered = covered.saturating_add(to.saturating_sub(from).saturating_mul(c2 + 1 - c1));
            if covered > MAX_CELLS {
                return Err(limit(
                    format!("merged cells {}", crate::warnings::quoted(&range)),
                    format!(
                        "more than {} cells (merged ranges counted cell by cell), the limit on cells of one sheet; unmerge them",
                        count(MAX_CELLS)
                    ),
                ));
            }
            for (number, cells) in rows[from..].iter_mut().take_while(|(n, _)| *n <= r2) {
                for c in c1..=c2 {
                    if (*number, c) == (r1, c1) || cells.get(c - 1).is_some_and(|v| !v.is_empty()) {
                        continue;
                    }
                    let at = format!("row {number}, column {}", column_letters(c - 1));
                    let grow = c.saturating_sub(cells.len());
                    cells_held = cells_held.saturating_add(grow.max(1));
                    if cells_held > MAX_CELLS {
                        return Err(limit(
                            at,
                            format!(
                                "more than {} cells (merged ranges counted cell by cell), the limit on cells of one sheet",
                                count(MAX_CELLS)
                            ),
                        ));
                    }
                    Self::hold(shown, &budget, &at, value.len() + grow * std::mem::size_of::<String>())?;
                    if cells.len() < c {
                        cells.resize(c, String::new());
                    }
                    cells[c - 1].clone_from(&value);
                }
            }
            merged.push(range);
        }
        // The header row is not an entry: hiding it hides nothing.
        let header = rows.first().map(|(n, _)| *n);
        hidden.retain(|h| Some(*h) != header);
        Ok(Grid { rows, decimal_comma: false, hidden, filtered, merged, faults })
    }
}

/// The columns (1-based) of a header row whose name is one of `names` (read as
/// [`super::read`] reads headers: any case, a space or hyphen for `_`).
fn header_columns(cells: &[String], names: &[&str]) -> Vec<usize> {
    let folded = |h: &str| crate::vocabulary::sheet_key(h.trim());
    cells
        .iter()
        .enumerate()
        .filter(|(_, h)| names.contains(&folded(h).as_str()))
        .map(|(j, _)| j + 1)
        .collect()
}

/// Where the text of a cell goes.
#[derive(PartialEq, Clone, Copy)]
enum Target {
    Nothing,
    Value,
    Inline,
}

/// A cell being read.
struct CellState {
    row: usize,
    col: usize,
    kind: String,
    style: Option<usize>,
    value: Option<String>,
    inline: Option<String>,
    formula: bool,
    /// Inside a phonetic hint (`<rPh>`), whose text is not the cell's.
    phonetic: bool,
    into: Target,
}

impl CellState {
    /// The cell as text, or what is wrong with it; a date cell read as a day counts its
    /// serial in the workbook's date system. In a workbook that asks to be recalculated when
    /// opened (`recalc`), a formula's saved value is not read.
    fn text(
        &self,
        shared: Option<&Shared>,
        dates: &[bool],
        (days, stamps): (bool, bool),
        system: DateSystem,
        recalc: bool,
    ) -> std::result::Result<String, String> {
        let value = self.value.as_deref().map(str::trim);
        // A text formula whose saved value is the empty text (`t="str"` and `<v></v>`, say from
        // =IF(A1="","",A1)) is an empty cell. A formula with no saved value, or an empty one
        // that is not text (openpyxl writes `<v />` for a formula it did not calculate), is
        // refused.
        let empty_text = self.kind == "str" && self.value.is_some();
        if self.formula && value.is_none_or(str::is_empty) && !empty_text && self.kind != "inlineStr" {
            return Err("the cell holds a formula with no saved value (the workbook was written by a program that does not calculate formulas), so it cannot be read; open the workbook in Excel and save it, which saves each formula's value, or type the value".into());
        }
        // The workbook asks Excel to recalculate every formula when it is opened: its writer
        // saved each formula with a placeholder (`0`: XlsxWriter, rust_xlsxwriter) or changed
        // the cells formulas depend on and kept their old values (PhpSpreadsheet, Apache POI,
        // openxlsx2). What Excel shows may differ from any value saved, a number or a text:
        // none is read, rather than a cap of 0 taken without a word.
        if self.formula && recalc && self.kind != "inlineStr" {
            // The same words for every such cell, so a column of them is said once.
            return Err("the cell holds a formula, and the workbook asks to be recalculated when it is opened (it was written or changed by a program that does not calculate formulas), so the value saved with the formula may not be what Excel shows; open the workbook in Excel and save it, which saves each formula's value, or type the value".into());
        }
        match self.kind.as_str() {
            "s" => {
                let Some(v) = value else { return Ok(String::new()) };
                let Some(table) = shared else {
                    return Err(
                        "a text cell, but the workbook has no shared-string part; save it again from Excel"
                            .into(),
                    );
                };
                let index = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                    v.parse::<usize>().ok()
                } else {
                    None
                };
                match index.and_then(|i| table.get(i)) {
                    Some(s) => Ok(s.to_string()),
                    None => Err(format!(
                        "the cell names shared string {}, which is not one of the workbook's {} strings; save it again from Excel",
                        crate::warnings::quoted(v),
                        table.len()
                    )),
                }
            }
            "inlineStr" => Ok(xstring(self.inline.as_deref().unwrap_or_default()).into_owned()),
            "str" => Ok(xstring(self.value.as_deref().unwrap_or_default()).into_owned()),
            "b" => match value {
                None | Some("") => Ok(String::new()),
                Some("1") => Ok("true".into()),
                Some("0") => Ok("false".into()),
                Some(v) => Err(format!("a true/false cell holding {}", crate::warnings::quoted(v))),
            },
            "e" => Err(format!(
                "the cell shows the Excel error {}; correct the formula or type the value",
                value.unwrap_or("")
            )),
            "d" if days => {
                let v = value.unwrap_or_default();
                iso_day(v).or_else(|| stamp_day(v).filter(|_| stamps)).ok_or_else(|| {
                    format!(
                        "the date cell holds {}, which is no day; {GIVE_A_DAY}",
                        crate::warnings::quoted(v)
                    )
                })
            }
            "d" => Err("the cell holds a date or time; format the column as text or number".into()),
            "" | "n" => {
                let Some(v) = value.filter(|v| !v.is_empty()) else { return Ok(String::new()) };
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        if self.style.and_then(|s| dates.get(s)).copied().unwrap_or(false) {
                            if days {
                                // A time stamp's day: its whole days, a time alone (below one
                                // day) being no day.
                                let x = if stamps && x >= 1.0 { x.floor() } else { x };
                                return serial_day(x, system).ok_or_else(|| no_day(x, system));
                            }
                            return Err(
                                "the cell holds a date or time; format the column as text or number".into()
                            );
                        }
                        Ok(format!("{x}"))
                    }
                    _ => Err(format!(
                        "a number cell holding {}, which is not a finite number",
                        crate::warnings::quoted(v)
                    )),
                }
            }
            other => Err(format!("a cell of unknown type {}", crate::warnings::quoted(other))),
        }
    }
}

/// What a cell wanting a day should hold instead.
const GIVE_A_DAY: &str = "give a day, as a date cell or as text YYYY-MM-DD";

/// Why a date cell's number `x` gives no day ([`serial_day`]): a time alone, a day with a
/// time where only a day is read, or a number outside the days the workbook's date system
/// reads (Excel's 1900-02-29, which never was, among them).
fn no_day(x: f64, system: DateSystem) -> String {
    if (0.0..1.0).contains(&x) {
        format!("the cell holds a time of day; {GIVE_A_DAY}")
    } else if (system.first()..system.last() + 1.0).contains(&x) {
        format!("the cell holds a day and a time of day; {GIVE_A_DAY}")
    } else {
        let first = serial_day(system.first(), system).unwrap_or_default();
        format!(
            "the cell holds the date number {}, which is no day from {first} to 9999-12-31; {GIVE_A_DAY}",
            crate::words::given(x)
        )
    }
}

/// A whole-day Excel serial number as `YYYY-MM-DD`, counted in the workbook's date system
/// (days since 1899-12-30, or since 1904-01-01), from its first day to 9999-12-31.
fn serial_day(x: f64, system: DateSystem) -> Option<String> {
    if x.fract() != 0.0 || !(system.first()..=system.last()).contains(&x) {
        return None;
    }
    // 25569 is 1970-01-01 in the 1900 system.
    Some(crate::date::Date::from_unix_secs((x as i64 + system.shift() - 25_569) * 86_400).to_string())
}

/// An ISO date cell (`t="d"`, `2026-11-01` or `2026-11-01T00:00:00`) as `YYYY-MM-DD`, if it is
/// a whole day.
fn iso_day(v: &str) -> Option<String> {
    let day = v.get(..10)?;
    crate::date::Date::parse(day).ok()?;
    let rest = v.get(10..)?;
    rest.trim_start_matches('T').trim_matches(['0', ':', '.', 'Z']).is_empty().then(|| day.to_string())
}

/// An ISO date cell (`t="d"`) of a day column as `YYYY-MM-DD`: a whole day, or the day of a
/// time stamp (`2026-11-30T09:15:00`), read as the text of one is
/// ([`crate::date::Date::parse_day_of`]).
fn stamp_day(v: &str) -> Option<String> {
    crate::date::Date::parse_day_of(v).ok().map(|d| d.to_string())
}

/// A cell of a sheet: (row, column), both from 1.
type Corner = (usize, usize);

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A workbook built in memory: `workbook_pr` (a `<workbookPr .../>` or nothing) in its
    /// workbook part, its sheets as (name, `<sheetData>` content), and optional shared-string
    /// and styles parts. Parts are stored, not deflated, so a large part is not a zip bomb.
    fn book_of(
        workbook_pr: &str,
        sheets: &[(&str, &str)],
        shared: Option<&str>,
        styles: Option<&str>,
    ) -> Vec<u8> {
        const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut listed = String::new();
        let mut rels = String::new();
        for (i, (name, data)) in sheets.iter().enumerate() {
            let n = i + 1;
            listed += &format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#);
            rels += &format!(
                r#"<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            );
            parts.push((
                format!("xl/worksheets/sheet{n}.xml"),
                format!(r#"<worksheet xmlns="{NS}"><sheetData>{data}</sheetData></worksheet>"#),
            ));
        }
        if let Some(sst) = shared {
            rels += &format!(
                r#"<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>"#
            );
            parts.push(("xl/sharedStrings.xml".into(), format!(r#"<sst xmlns="{NS}">{sst}</sst>"#)));
        }
        if let Some(styles) = styles {
            rels += &format!(r#"<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>"#);
            parts
                .push(("xl/styles.xml".into(), format!(r#"<styleSheet xmlns="{NS}">{styles}</styleSheet>"#)));
        }
        parts.push((
            "xl/workbook.xml".into(),
            format!(
                r#"<workbook xmlns="{NS}" xmlns:r="{REL}">{workbook_pr}<sheets>{listed}</sheets></workbook>"#
            ),
        ));
        parts.push(("xl/_rels/workbook.xml.rels".into(), format!("<Relationships>{rels}</Relationships>")));
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        for (name, xml) in &parts {
            z.start_file(name.as_str(), stored).unwrap();
            z.write_all(xml.as_bytes()).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn every_shared_string_is_read_and_charged_however_it_is_written() {
        let sst =
            "<si/><si /><si></si><si><t/></si><si><t>ab</t></si><si><r><t>c</t></r><r><t>d</t></r></si>";
        let bytes = book_of("", &[], Some(sst), None);
        let book = Book::open("b.xlsx", &bytes).unwrap();
        let table = book.shared.as_ref().unwrap();
        let read: Vec<&str> = (0..table.len()).map(|i| table.get(i).unwrap()).collect();
        assert_eq!(read, ["", "", "", "", "ab", "cd"]);
        assert_eq!(table.get(6), None);
        // Each string's text and its fixed cost, the empty ones too.
        assert_eq!(book.budget.text.get(), 4 + 6 * SHARED_OVERHEAD);
    }

    #[test]
    fn empty_shared_strings_past_the_cell_limit_are_refused_and_at_it_cost_little() {
        // Ten million `<si/>` are read, each charged its fixed cost; one more is refused, as
        // `<si></si>` always was.
        let mut sst = "<si/>".repeat(MAX_CELLS);
        let bytes = book_of("", &[], Some(&sst), None);
        let book = Book::open("b.xlsx", &bytes).unwrap();
        assert_eq!(book.shared.as_ref().map(Shared::len), Some(MAX_CELLS));
        assert_eq!(book.budget.text.get(), MAX_CELLS * SHARED_OVERHEAD);
        drop(book);
        drop(bytes);
        for one_more in ["<si/>", "<si></si>"] {
            sst.truncate(MAX_CELLS * 5);
            sst.push_str(one_more);
            let bytes = book_of("", &[], Some(&sst), None);
            let Err(e) = Book::open("b.xlsx", &bytes) else { panic!("{one_more}: read past the limit") };
            assert_eq!(
                e.to_string(),
                "b.xlsx: part xl/sharedStrings.xml: more than 10,000,000 shared strings, the limit on cells",
                "{one_more}"
            );
        }
    }

    /// Reads the one sheet of a workbook: its rows, or its error as text.
    fn rows_of(bytes: &[u8]) -> std::result::Result<Vec<(usize, Vec<String>)>, String> {
        let mut book = Book::open("b.xlsx", bytes).map_err(|e| e.to_string())?;
        let grid = book.grid("s", "b.xlsx, sheet s").map_err(|e| e.to_string())?;
        if let Some(f) = grid.faults.first() {
            return Err(format!(
                "b.xlsx, sheet s: row {}, column {}: {}",
                f.row,
                column_letters(f.column),
                f.problem
            ));
        }
        Ok(grid.rows)
    }

    #[test]
    fn cells_without_references_keep_their_columns_past_empty_cells() {
        let t = |v: &str| format!(r#"<c t="inlineStr"><is><t>{v}</t></is></c>"#);
        let header = format!("<row>{}{}{}{}</row>", t("case"), t("name"), t("worker"), t("worker today"));
        // Empty cells of every kind before a later one: no element content, an empty value, an
        // empty shared-string cell, an empty inline string.
        let rows = [
            format!("<row>{}<c/>{}{}</row>", t("C1"), t("W1"), t("W2")),
            format!(r#"<row>{}<c><v></v></c><c t="s"/>{}</row>"#, t("C2"), t("W2")),
            format!(
                r#"<row>{}<c t="inlineStr"><is><t></t></is></c><c s="0"></c><c><v>7</v></c></row>"#,
                t("C3")
            ),
            // A reference sets the column; the cells after it follow on from there.
            format!(r#"<row>{}<c r="C5"/>{}</row>"#, t("C4"), t("W1")),
        ];
        let data = format!("{header}{}", rows.concat());
        let got = rows_of(&book_of("", &[("s", &data)], Some("<si><t>x</t></si>"), None)).unwrap();
        let want: Vec<(usize, Vec<String>)> = [
            (1, vec!["case", "name", "worker", "worker today"]),
            (2, vec!["C1", "", "W1", "W2"]),
            (3, vec!["C2", "", "", "W2"]),
            (4, vec!["C3", "", "", "7"]),
            (5, vec!["C4", "", "", "W1"]),
        ]
        .into_iter()
        .map(|(n, r)| (n, r.into_iter().map(String::from).collect()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_cell_behind_an_empty_one_or_past_the_last_column_is_refused_by_its_place() {
        let t = |v: &str| format!(r#"<c t="inlineStr"><is><t>{v}</t></is></c>"#);
        // An empty B1 then a referenced B1: the same cell twice, though the first held nothing.
        let twice =
            format!(r#"<row>{}<c r="B1"/><c r="B1" t="inlineStr"><is><t>y</t></is></c></row>"#, t("x"));
        let e = rows_of(&book_of("", &[("s", &twice)], None, None)).unwrap_err();
        assert_eq!(
            e,
            "b.xlsx, sheet s: row 1, column B: the cell comes twice or out of order; save the workbook again from Excel"
        );
        // An unreferenced cell after XFD.
        let past = format!(r#"<row><c r="XFD1"/>{}</row>"#, t("x"));
        let e = rows_of(&book_of("", &[("s", &past)], None, None)).unwrap_err();
        assert!(e.starts_with("b.xlsx, sheet s: row 1: more than 16,384 cells in the row"), "{e}");
    }

    #[test]
    fn a_date_serial_is_read_in_the_workbooks_date_system() {
        use DateSystem::{From1900, From1904};
        let day = |x: f64, system| serial_day(x, system);
        // 2026-12-07 is 46,363 in the 1900 system and 1,462 fewer in the 1904 system; the same
        // number read in the wrong system is four years and a day away.
        assert_eq!(day(46_363.0, From1900).as_deref(), Some("2026-12-07"));
        assert_eq!(day(44_901.0, From1904).as_deref(), Some("2026-12-07"));
        assert_eq!(day(44_901.0, From1900).as_deref(), Some("2022-12-06"));
        assert_eq!(day(46_363.0, From1904).as_deref(), Some("2030-12-08"));
        // Each system's first and last day.
        assert_eq!(day(61.0, From1900).as_deref(), Some("1900-03-01"));
        assert_eq!(day(60.0, From1900), None);
        assert_eq!(day(0.0, From1904).as_deref(), Some("1904-01-01"));
        assert_eq!(day(-1.0, From1904), None);
        assert_eq!(day(2_958_465.0, From1900).as_deref(), Some("9999-12-31"));
        assert_eq!(day(2_958_466.0, From1900), None);
        assert_eq!(day(2_957_003.0, From1904).as_deref(), Some("9999-12-31"));
        assert_eq!(day(2_957_004.0, From1904), None);
        // A time of day is not a day, in either system.
        assert_eq!(day(44_901.5, From1904), None);
        // Each says why it is none.
        for (x, system, says) in [
            (0.5, From1900, "a time of day"),
            (0.0, From1900, "a time of day"),
            (44_901.5, From1904, "a day and a time of day"),
            (-1.0, From1904, "the date number -1, which is no day from 1904-01-01"),
            (60.0, From1900, "the date number 60, which is no day from 1900-03-01"),
            (2_958_466.0, From1900, "the date number 2958466"),
            (1e300, From1900, "which is no day"),
        ] {
            assert!(no_day(x, system).contains(says), "{x}: {}", no_day(x, system));
        }
    }

    #[test]
    fn date_cells_of_a_1904_workbook_are_read_as_their_days_in_either_day_path() {
        // Style 1 shows a date (Excel's built-in format 14); B2 is the serial 44,901.
        let styles = r#"<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>"#;
        let data = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>waiting_since</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>C1</t></is></c><c r="B2" s="1"><v>44901</v></c></row>"#;
        for (pr, want) in [
            ("", "2022-12-06"),
            ("<workbookPr/>", "2022-12-06"),
            (r#"<workbookPr date1904="0"/>"#, "2022-12-06"),
            (r#"<workbookPr date1904="false"/>"#, "2022-12-06"),
            (r#"<workbookPr date1904="1"/>"#, "2026-12-07"),
            (r#"<workbookPr date1904="true" defaultThemeVersion="124226"/>"#, "2026-12-07"),
        ] {
            let bytes = book_of(pr, &[("s", data)], None, Some(styles));
            let mut book = Book::open("b.xlsx", &bytes).unwrap();
            // A day column by its header (the cases sheet's waiting_since), then every date
            // cell of the sheet (the meeting workbook's summary, the reductions sheet).
            for (days, columns) in [(false, &["waiting_since"][..]), (true, &[][..])] {
                book.days = days;
                book.day_columns = columns;
                let grid = book.grid("s", "b.xlsx, sheet s").unwrap();
                assert!(grid.faults.is_empty(), "{pr}");
                assert_eq!(grid.rows[1].1[1], want, "{pr}, days {days}");
            }
        }
        let twice = r#"<workbookPr date1904="0"/><workbookPr date1904="1"/>"#;
        let Err(e) = Book::open("b.xlsx", &book_of(twice, &[("s", data)], None, Some(styles))) else {
            panic!("two date systems were read as one")
        };
        assert!(e.to_string().contains("given twice"), "{e}");
        let bytes = book_of(r#"<workbookPr date1904="yes"/>"#, &[("s", data)], None, Some(styles));
        let Err(e) = Book::open("b.xlsx", &bytes) else { panic!("an unknown date system was read") };
        assert_eq!(
            e.to_string(),
            "b.xlsx: part xl/workbook.xml: the workbook's date system, date1904=\"yes\", is neither true nor false; save the workbook again from Excel"
        );
    }

    #[test]
    fn a_formulas_saved_value_is_not_read_when_the_workbook_asks_to_be_recalculated() {
        // A number formula saved with XlsxWriter's placeholder 0, and a text formula saved with
        // a value that may be stale; then a plain number beside them.
        let data = r#"<row r="1"><c r="A1"><f>1+1</f><v>0</v></c><c r="B1" t="str"><f>"W"&amp;2</f><v>W2</v></c><c r="C1"><v>7</v></c></row>"#;
        let recalc = "the cell holds a formula, and the workbook asks to be recalculated when it is opened";
        for (pr, refused) in [
            ("", false),
            (r#"<calcPr calcId="191029"/>"#, false),
            (r#"<calcPr calcId="124519" fullCalcOnLoad="0"/>"#, false),
            (r#"<calcPr calcId="124519" fullCalcOnLoad="1"/>"#, true),
            (r#"<calcPr fullCalcOnLoad="true"/>"#, true),
        ] {
            let bytes = book_of(pr, &[("s", data)], None, None);
            let mut book = Book::open("b.xlsx", &bytes).unwrap();
            let grid = book.grid("s", "b.xlsx, sheet s").unwrap();
            if refused {
                let at: Vec<(usize, usize)> = grid.faults.iter().map(|f| (f.row, f.column)).collect();
                assert_eq!(at, [(1, 0), (1, 1)], "{pr}");
                assert!(grid.faults.iter().all(|f| f.problem.starts_with(recalc)), "{pr}: {:?}", grid.faults);
                // The same words for both, so a column of them is said once.
                assert_eq!(grid.faults[0].problem, grid.faults[1].problem);
                assert_eq!(grid.rows[0].1, ["", "", "7"], "{pr}");
            } else {
                assert!(grid.faults.is_empty(), "{pr}: {:?}", grid.faults);
                assert_eq!(grid.rows[0].1, ["0", "W2", "7"], "{pr}");
            }
        }
    }

    #[test]
    fn each_cell_of_a_merged_range_is_read_as_its_first() {
        let t = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
        let data = format!(
            "<row r=\"1\">{}{}</row><row r=\"2\">{}{}</row><row r=\"3\">{}</row><row r=\"4\">{}{}</row>\
             </sheetData><mergeCells><mergeCell ref=\"B2:B3\"/><mergeCell ref=\"C2:C4\"/></mergeCells><sheetData>",
            t("A1", "id"),
            t("B1", "group"),
            t("A2", "C1"),
            t("B2", "Okafor"),
            t("A3", "C2"),
            t("A4", "C3"),
            t("B4", "Ali")
        );
        let bytes = book_of("", &[("s", &data)], None, None);
        let mut book = Book::open("b.xlsx", &bytes).unwrap();
        let grid = book.grid("s", "b.xlsx, sheet s").unwrap();
        assert!(grid.faults.is_empty());
        let group: Vec<&str> = grid.rows.iter().map(|(_, c)| c.get(1).map_or("", String::as_str)).collect();
        assert_eq!(group, ["group", "Okafor", "Okafor", "Ali"]);
        // A range whose first cell is empty fills nothing and is not named.
        assert_eq!(grid.merged, ["B2:B3"]);
        assert!(grid.rows.iter().all(|(_, c)| c.len() <= 2), "{:?}", grid.rows);

        let bad =
            "<row r=\"1\"></row></sheetData><mergeCells><mergeCell ref=\"B3:A1\"/></mergeCells><sheetData>";
        let bytes = book_of("", &[("s", bad)], None, None);
        let mut book = Book::open("b.xlsx", &bytes).unwrap();
        let Err(e) = book.grid("s", "b.xlsx, sheet s") else { panic!("a backward range was read") };
        assert!(e.to_string().contains("merged cells \"B3:A1\": not a range of cells"), "{e}");
    }

    #[test]
    fn cell_references_are_read_strictly() {
        assert_eq!(cell_ref("A1"), Some((1, 1)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref("AA10"), Some((10, 27)));
        assert_eq!(cell_ref("a1"), None);
        assert_eq!(cell_ref("A"), None);
        assert_eq!(cell_ref("1A"), None);
        assert_eq!(cell_ref("A-1"), None);
        assert_eq!(cell_ref("ABCD1"), None);
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn date_formats_are_known_by_id_and_by_code() {
        assert!(is_date_format(14, None));
        assert!(is_date_format(164, Some("yyyy-mm-dd")));
        assert!(!is_date_format(164, Some("0.00")));
        assert!(!is_date_format(0, Some("General")));
        assert!(!is_date_format(164, Some("\"days\" 0")));
    }
}
