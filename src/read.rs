//! Reading a model file: bounded size, UTF-8, JSON with the exact place of any error.

use crate::error::{Error, Result};
use crate::model::ModelFile;
use std::io::Read;
use std::path::Path;

/// The largest model file read, in bytes. A county-sized model is a few megabytes; this bound
/// keeps memory bounded on hostile input.
pub const MAX_MODEL_BYTES: u64 = 128 * 1024 * 1024;

/// Reads a whole file (or standard input for `-`), refusing files over `MAX_MODEL_BYTES`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let read_err = |source| Error::Read { path: path.to_path_buf(), source };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    } else {
        let file = std::fs::File::open(path).map_err(read_err)?;
        if file.metadata().map_err(read_err)?.is_dir() {
            return Err(Error::input(
                &path.display().to_string(),
                "file",
                "is a directory, not a model file",
            ));
        }
        file.take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    }
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        return Err(Error::input(
            &path.display().to_string(),
            "file",
            format!("larger than the {} MiB limit; split the model by team", MAX_MODEL_BYTES >> 20),
        ));
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
    let de = &mut serde_json::Deserializer::from_str(text);
    let parsed: ModelFile = serde_path_to_error::deserialize(de).map_err(|e| json_error(file, e, None))?;
    Ok(parsed)
}

/// Checks bytes are UTF-8, naming the line and column of the first bad byte.
pub fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str> {
    // An Excel workbook (a zip archive) where JSON is expected is named as such, never "not UTF-8".
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::input(
            file,
            "file",
            "is an Excel workbook, not a JSON file; give a model workbook with --workbook BOOK.xlsx (or turn it into a model file with `caseload convert --workbook BOOK.xlsx -o MODEL.json`)",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
    let problem = strip_position(&inner.to_string());
    let at = format!("line {}, column {}", inner.line(), inner.column());
    if path.is_empty() || path == "." {
        Error::input(file, at, hint.map_or(problem.clone(), |h| format!("{problem}; {h}")))
    } else {
        Error::input(file, path, format!("{problem} ({at})"))
    }
}

/// serde_json appends " at line L column C"; we report the place separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
