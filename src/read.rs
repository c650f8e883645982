//! Reading a model file: bounded size, UTF-8, JSON with the exact place of any error.

use crate::error::{Error, Result};
use crate::model::ModelFile;
use std::io::Read;
use std::path::Path;

/// The largest model file read, in bytes: [`crate::limits::MAX_FILE_BYTES`]. A county-sized
/// model is a few megabytes; this bound keeps memory bounded on hostile input.
pub const MAX_MODEL_BYTES: u64 = crate::limits::MAX_FILE_BYTES;

/// Reads a whole file (or standard input for `-`), refusing files over `MAX_MODEL_BYTES`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let read_err = |source| Error::Read { path: path.to_path_buf(), source };
    let too_large = || {
        Error::input(
            &path.display().to_string(),
            "file",
            format!(
                "larger than the {} MiB limit on an input file (a model or spreadsheet this large: split it by team)",
                MAX_MODEL_BYTES >> 20
            ),
        )
    };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    } else {
        let file = std::fs::File::open(path).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        if meta.is_dir() {
            return Err(Error::input(&path.display().to_string(), "file", "is a directory, not a file"));
        }
        // A regular file states its size: one over the limit (a 2 GB sparse file) is refused
        // before a byte is read, not after 128 MiB of it are held. A device or pipe states
        // none, and is read up to the limit.
        if meta.is_file() && meta.len() > MAX_MODEL_BYTES {
            return Err(too_large());
        }
        file.take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    }
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Parses model-file bytes. `file` names the source in messages.
pub fn parse_model(file: &str, bytes: &[u8]) -> Result<ModelFile> {
    let text = utf8(file, bytes)?;
    if text.trim().is_empty() {
        return Err(Error::input(
            file,
            "line 1",
            "the file is empty; a model file is a JSON object such as {\"version\": 1, \"workers\": [...], \"cases\": [...]} (see the README)",
        ));
    }
    json_shape(file, text)?;
    let de = &mut serde_json::Deserializer::from_str(text);
    let parsed: ModelFile = serde_path_to_error::deserialize(de).map_err(|e| match another_file(text) {
        Some(said) => Error::input(file, "file", said),
        None => json_error(
            file,
            e,
            csv_text(text).then_some(
                "this is CSV text (a spreadsheet export), not a JSON model file: give the spreadsheets with --workers W.csv --cases C.csv",
            ),
        ),
    })?;
    let rows = crate::limits::MAX_ROWS;
    for (list, n) in [("workers", parsed.workers.len()), ("cases", parsed.cases.len())] {
        if n > rows {
            return Err(Error::input(
                file,
                list,
                format!(
                    "{n} entries, above the limit of {} (the rows of one sheet); split the model by team",
                    crate::limits::count(rows)
                ),
            ));
        }
    }
    Ok(parsed)
}

/// Whether text that is not JSON is a CSV file (its first line a header of names separated by
/// commas, semicolons or tabs), as a spreadsheet exports it: given where JSON belongs, it is
/// told for what it is, not as serde's "expected value".
pub fn csv_text(text: &str) -> bool {
    let first = text.trim_start_matches('\u{feff}').lines().next().unwrap_or("").trim();
    !first.starts_with(['{', '[', '"']) && first.contains([',', ';', '\t'])
}

/// What another of caseload's files, given where a model file belongs, is, and what to give
/// instead: a proposal (`allocate`'s), a policy object alone, `whatif`'s or `compare`'s JSON.
/// Read from the top-level keys alone (values skipped as they stream), so a file of any size
/// costs no more than its keys; none when it is no such file (or has workers and cases).
fn another_file(text: &str) -> Option<&'static str> {
    use std::collections::BTreeMap;
    let keys: BTreeMap<String, serde::de::IgnoredAny> = serde_json::from_str(text).ok()?;
    let has = |k: &str| keys.contains_key(k);
    if has("workers") && has("cases") {
        return None;
    }
    if has("allocations") && has("unallocated") {
        return Some(
            "this is a proposal (`caseload allocate` wrote it), not a model file: give the model file the proposal was made from",
        );
    }
    if has("scenarios") && has("fill_order") {
        return Some(
            "this is `caseload whatif`'s JSON, not a model file: give the model file the plan was made from",
        );
    }
    if has("objective_difference") && has("changed") {
        return Some("this is `caseload compare`'s JSON, not a model file: give the model file the proposals were made from");
    }
    const POLICY: [&str; 8] =
        ["may_hold", "caps", "targets", "weights", "priority", "oversight_cap", "move_penalty", "cross_team"];
    if !has("workers") && !has("cases") && POLICY.iter().any(|k| has(k)) {
        return Some(
            "this is a policy (what a model file holds under \"policy\"), not a model file: give it with --policy beside --workers and --cases, or give the model file",
        );
    }
    None
}

/// Checks the shape of a JSON input before it is read into its type: one JSON value and
/// nothing after it, no object with a key given twice (serde would keep the last silently, so
/// a referral with two `"team"`s would be read as one of them), and no string longer than
/// [`crate::limits::MAX_FIELD_CHARS`] characters. Syntax errors are left to the typed reading,
/// which names the field.
pub fn json_shape(file: &str, text: &str) -> Result<()> {
    use serde::de::DeserializeSeed;
    // Every JSON input (a model, a policy, a proposal, a referral) is one object. serde would
    // read an array as the object's fields in the order the program declares them, so
    // `[1, {}, [...], [...]]` would pass as a model: refused here. (Any other value, or text
    // that is not JSON, the typed reading refuses with the caller's hint.)
    if let Some((i, '[')) = text.char_indices().find(|(_, c)| !c.is_whitespace()) {
        let (line, col) = line_col(&text.as_bytes()[..i]);
        return Err(Error::input(
            file,
            format!("line {line}, column {col}"),
            "the file holds a JSON array [ ... ], not a JSON object { ... }; give the file in the form the README describes",
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let mut path = String::new();
    let mut items = 0usize;
    let walked = Walk { path: &mut path, items: &mut items }.deserialize(&mut de).and_then(|_| de.end());
    match walked {
        Ok(()) => Ok(()),
        Err(e) => {
            let at = format!("line {}, column {}", e.line(), e.column());
            let problem = strip_position(&e.to_string());
            if problem.starts_with("trailing characters") {
                Err(Error::input(
                    file,
                    at,
                    "there is more after the JSON value; a file holds one JSON object (two files joined, or a stray character?)",
                ))
            } else if let Some(rest) = problem.strip_prefix(SHAPE) {
                let (place, what) = rest.split_once('\u{1}').unwrap_or(("", rest));
                let place = if place.is_empty() { at } else { format!("{place} ({at})") };
                Err(Error::input(file, place, what.to_string()))
            } else {
                // Broken JSON: the typed reading names it with its field.
                Ok(())
            }
        }
    }
}

/// Marks the walker's own refusals among serde_json's errors.
const SHAPE: &str = "\u{2}shape:";

/// Keys of one object that [`Walk`] checks for a repeat by a scan of a list; past them, a set.
const FEW_KEYS: usize = 32;

/// Walks any JSON value, refusing a repeated key and an over-long string, with the path.
struct Walk<'p> {
    path: &'p mut String,
    /// The entries of the bounded lists so far ([`bounded_list`]), for their limit together.
    items: &'p mut usize,
}

/// Whether the list at `path` is one of a model's lists of texts under
/// [`crate::limits::MAX_LIST_ITEMS`]: `.workers[N].skills`, `.cases[N].needs`, `exclude` or
/// `previous_workers`.
fn bounded_list(path: &str) -> bool {
    let entry = |list: &str, fields: &[&str]| {
        path.strip_prefix(list).and_then(|rest| rest.split_once("].")).is_some_and(|(n, field)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && fields.contains(&field)
        })
    };
    entry(".workers[", &["skills"]) || entry(".cases[", &["needs", "exclude", "previous_workers"])
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn shape_error<E: serde::de::Error>(path: &str, what: String) -> E {
    E::custom(format!("{SHAPE}{}\u{1}{what}", path.trim_start_matches('.')))
}

fn long_string<E: serde::de::Error>(path: &str, s: &str) -> std::result::Result<(), E> {
    // No more bytes than the limit: no more characters either (the count reads every byte).
    if s.len() > crate::limits::MAX_FIELD_CHARS && s.chars().count() > crate::limits::MAX_FIELD_CHARS {
        return Err(shape_error(
            path,
            format!(
                "a text of {} characters, above the limit of {} on one field (Excel's limit on a cell)",
                s.chars().count(),
                crate::limits::count(crate::limits::MAX_FIELD_CHARS)
            ),
        ));
    }
    Ok(())
}

impl<'de> serde::de::Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<(), E> {
        long_string(self.path, s)
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        // The entries of the lists of objects (a worker, a case, a reduction, an allocation)
        // and the policy and summary are objects: serde would read an array there as the
        // fields in declaration order (`["W1", "social_worker", "North"]` as a worker), so it
        // is refused with its place. Anywhere else the typed reading judges an array (a field
        // a later version adds may hold lists of lists: SPEC section 5).
        if object_entry(self.path) {
            return Err(shape_error(
                self.path,
                "an array inside a list: an entry of this list is a JSON object { ... } with its fields by name".to_string(),
            ));
        }
        if self.path == ".policy" || self.path == ".summary" {
            return Err(shape_error(
                self.path,
                "an array where a JSON object { ... } is expected; write the fields by name".to_string(),
            ));
        }
        let base = self.path.len();
        let bounded = bounded_list(self.path);
        let mut i = 0usize;
        loop {
            self.path.truncate(base);
            // Written in place, not through a String of its own for each element.
            let _ = std::fmt::Write::write_fmt(self.path, format_args!("[{i}]"));
            if seq.next_element_seed(Walk { path: self.path, items: self.items })?.is_none() {
                break;
            }
            i += 1;
            if bounded {
                *self.items += 1;
                if i > crate::limits::MAX_LIST_ITEMS {
                    self.path.truncate(base);
                    return Err(shape_error(self.path, crate::model::too_many_items()));
                }
                if *self.items > crate::limits::MAX_LIST_ITEMS_TOTAL {
                    return Err(shape_error(
                        self.path,
                        format!(
                            "the lists of the workers and cases (skills, needs, exclude, previous_workers) hold more than {} entries together, above the limit on one model file; split the model by team",
                            crate::limits::count(crate::limits::MAX_LIST_ITEMS_TOTAL)
                        ),
                    ));
                }
            }
        }
        self.path.truncate(base);
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let base = self.path.len();
        let aliases = self.path == ".policy.aliases" || self.path == ".aliases";
        // The keys so far: an object of a model file has a dozen or so, which a scan of a list
        // checks sooner than a hash set; a larger one gets the set.
        let mut seen: Vec<String> = Vec::new();
        let mut many: std::collections::HashSet<String> = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            self.path.truncate(base);
            self.path.push('.');
            if long_string::<A::Error>("", &key).is_err() {
                // The place names the key by its start: the whole key, millions of characters,
                // made the message as long as the file.
                self.path.push_str(&crate::util::clipped(&key));
                return long_string(self.path, &key);
            }
            self.path.push_str(&key);
            let repeated = if many.is_empty() && seen.len() < FEW_KEYS {
                let repeated = seen.contains(&key);
                if !repeated {
                    seen.push(key);
                }
                repeated
            } else {
                many.extend(seen.drain(..));
                !many.insert(key)
            };
            if repeated {
                let key = self.path[base + 1..].to_string();
                return Err(shape_error(
                    self.path,
                    format!(
                        "the key {} is given twice in one object; keep one (JSON readers disagree on which counts)",
                        crate::warnings::quoted(&key)
                    ),
                ));
            }
            if seen.len() + many.len() > crate::limits::MAX_OBJECT_KEYS {
                self.path.truncate(base);
                return Err(shape_error(
                    self.path,
                    format!(
                        "an object of more than {} keys, above the limit on one JSON object",
                        crate::limits::count(crate::limits::MAX_OBJECT_KEYS)
                    ),
                ));
            }
            if aliases && seen.len() + many.len() > crate::limits::MAX_ALIASES {
                self.path.truncate(base);
                return Err(shape_error(self.path, crate::model::too_many_aliases()));
            }
            map.next_value_seed(Walk { path: self.path, items: self.items })?;
        }
        self.path.truncate(base);
        Ok(())
    }
}

/// Whether bytes are a zip archive, as every Excel workbook (`.xlsx`) is: how a workbook is told
/// from a text file by its content, never by its name.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Checks bytes are UTF-8, naming the line and column of the first bad byte.
pub fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str> {
    // An Excel workbook (a zip archive) where JSON is expected is named as such, never "not UTF-8".
    if is_zip(bytes) {
        return Err(Error::input(
            file,
            "file",
            "is an Excel workbook, not a JSON file; give a model workbook with --workbook BOOK.xlsx (or turn it into a model file with `caseload convert --workbook BOOK.xlsx -o MODEL.json`)",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Saved as UTF-16 ("Unicode" in Notepad and Excel), with or without its byte-order mark:
    // JSON begins with a brace or white space, so a zero byte among the first four is a wide
    // character's other half. Without this, a file without the mark read as "key must be a
    // string" at line 1, column 2.
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes.iter().take(4).any(|&b| b == 0)
    {
        return Err(Error::input(file, "file", "is UTF-16 text, not UTF-8; save it as UTF-8"));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col(&bytes[..e.valid_up_to()]);
        Error::input(
            file,
            format!("line {line}, column {col}"),
            "the file is not UTF-8 text; save it as UTF-8",
        )
    })
}

fn line_col(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = prefix.len() - prefix.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, col)
}

/// The one formatter of JSON errors (model files, policy files, proposals): the field's path as
/// the place when there is one, with the line and column; else the line and column. `hint` is
/// added to a problem with the document as a whole (say, what the file should look like).
pub fn json_error(file: &str, e: serde_path_to_error::Error<serde_json::Error>, hint: Option<&str>) -> Error {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let problem = plain(&strip_position(&inner.to_string()));
    let at = format!("line {}, column {}", inner.line(), inner.column());
    // serde_path_to_error writes `?` for a key not yet read (broken JSON inside an object), and
    // for a key that is no text to it (a case type or a role, as in `policy.may_hold`): the
    // place is the object around it, or the line and column alone.
    let mut path = path.as_str();
    if let Some(at) = path.find(".?") {
        path = &path[..at];
    }
    if path == "?" {
        path = "";
    }
    if path.is_empty() || path == "." {
        Error::input(file, at, hint.map_or(problem.clone(), |h| format!("{problem}; {h}")))
    } else {
        Error::input(file, path, format!("{problem} ({at})"))
    }
}

/// serde's words for JSON types in plain ones: never the program's own type names
/// (`expected struct WorkerInput`, `expected f64`), which say nothing to whoever wrote the file.
/// What serde quotes (a key in backticks, a text in double quotes) is the file's own and stays
/// as written.
fn plain(problem: &str) -> String {
    let mut out = String::with_capacity(problem.len());
    let mut rest = problem;
    while let Some(open) = rest.find(['`', '"']) {
        out.push_str(&plain_words(&rest[..open]));
        let quote = &rest[open..open + 1];
        let after = &rest[open + 1..];
        let close = after.find(quote).map_or(after.len(), |c| c + 1);
        out.push_str(quote);
        out.push_str(&after[..close]);
        rest = &after[close..];
    }
    out.push_str(&plain_words(rest));
    out
}

/// [`plain`] on text serde did not quote.
fn plain_words(problem: &str) -> String {
    let mut out = String::with_capacity(problem.len());
    let mut rest = problem;
    while let Some(i) = rest.find("expected ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "expected ".len()..];
        let word_end = |s: &str| s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
        let (said, tail) =
            if let Some(t) = after.strip_prefix("struct ").or_else(|| after.strip_prefix("enum ")) {
                ("a JSON object { ... }", &t[word_end(t)..])
            } else {
                let w = word_end(after);
                match &after[..w] {
                    "f64" | "f32" => ("a number", &after[w..]),
                    "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" => ("a whole number", &after[w..]),
                    _ => ("", after),
                }
            };
        // An unknown word stays as serde wrote it (`said` empty, `tail` the word on).
        out.push_str("expected ");
        out.push_str(said);
        rest = tail;
    }
    out.push_str(rest);
    out.replace("invalid type: sequence", "invalid type: a list [ ... ]")
        .replace("invalid type: map", "invalid type: an object { ... }")
        .replace("expected a sequence", "expected a list [ ... ]")
        .replace("expected a map", "expected an object { ... }")
}

/// Whether `path` names an entry of a list whose entries are objects: `.workers[i]`,
/// `.cases[i]`, `.allocations[i]`, `.unallocated[i]` (a model's or a proposal's), or a worker's
/// `.workers[i].reductions[j]`.
fn object_entry(path: &str) -> bool {
    let index = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some(open) = path.strip_suffix(']').and_then(|p| p.rfind('[')) else { return false };
    if !index(&path[open + 1..path.len() - 1]) {
        return false;
    }
    match &path[..open] {
        ".workers" | ".cases" | ".allocations" | ".unallocated" => true,
        list => list
            .strip_prefix(".workers[")
            .and_then(|rest| rest.strip_suffix("].reductions"))
            .is_some_and(index),
    }
}

/// serde_json appends " at line L column C"; we report the place separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    /// Only the entries of the lists of objects are places where an array is refused.
    #[test]
    fn an_array_is_refused_only_where_a_list_holds_objects() {
        for yes in
            [".workers[0]", ".cases[12]", ".allocations[3]", ".unallocated[0]", ".workers[2].reductions[1]"]
        {
            assert!(object_entry(yes), "{yes}");
        }
        for no in [
            ".workers",
            ".cases[0].needs[0]",
            ".extra[0]",
            ".allocations[0].history[1]",
            ".workers[x]",
            ".workers[]",
            ".workers[1].reductions",
            ".summary.teams[0]",
            "",
        ] {
            assert!(!object_entry(no), "{no}");
        }
    }

    /// serde's type names become plain words; other text passes unchanged.
    #[test]
    fn serde_type_names_are_said_in_plain_words() {
        assert_eq!(
            plain("invalid type: string \"x\", expected struct WorkerInput"),
            "invalid type: string \"x\", expected a JSON object { ... }"
        );
        assert_eq!(
            plain("invalid type: map, expected f64"),
            "invalid type: an object { ... }, expected a number"
        );
        assert_eq!(
            plain("invalid type: sequence, expected u32"),
            "invalid type: a list [ ... ], expected a whole number"
        );
        assert_eq!(
            plain("invalid type: null, expected a sequence"),
            "invalid type: null, expected a list [ ... ]"
        );
        assert_eq!(plain("expected `,` or `}`"), "expected `,` or `}`");
        assert_eq!(
            plain("invalid type: sequence, expected a map"),
            "invalid type: a list [ ... ], expected an object { ... }"
        );
        // What the file wrote, quoted by serde, is left as written.
        assert_eq!(
            plain("unknown field `expected struct é`, expected one of `id`, `role`"),
            "unknown field `expected struct é`, expected one of `id`, `role`"
        );
        assert_eq!(
            plain("unknown variant `expected f64`, expected `social_worker`"),
            "unknown variant `expected f64`, expected `social_worker`"
        );
        assert_eq!(
            plain("invalid type: string \"expected u32\", expected f64"),
            "invalid type: string \"expected u32\", expected a number"
        );
        assert_eq!(plain("missing field `team`"), "missing field `team`");
    }

    /// An object with `n` keys `k0..`, the key `k{again}` given a second time at the end when
    /// asked, inside an array inside an object.
    fn object(n: usize, again: Option<usize>) -> String {
        let mut keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\": [{i}, \"x\"]")).collect();
        if let Some(k) = again {
            keys.push(format!("\"k{k}\": 1"));
        }
        format!("{{\"outer\": [0, {{{}}}]}}", keys.join(", "))
    }

    /// A repeated key is refused with its path whether the object is small (the keys kept in a
    /// list) or large (past the list, in a set), the first of them or the last; an object with
    /// no repeat passes at every size.
    #[test]
    fn a_repeated_key_is_named_in_small_and_large_objects() {
        for n in [1, 2, 5, FEW_KEYS - 1, FEW_KEYS, FEW_KEYS + 1, 3 * FEW_KEYS] {
            assert!(json_shape("m.json", &object(n, None)).is_ok(), "{n} keys");
            for again in [0, n / 2, n - 1] {
                let err = json_shape("m.json", &object(n, Some(again))).expect_err("a repeat").to_string();
                assert!(err.contains(&format!("outer[1].k{again}")), "{n} keys, k{again}: {err}");
                assert!(err.contains(&format!("\"k{again}\" is given twice")), "{n} keys, k{again}: {err}");
            }
        }
    }
}
