//! Writing outputs atomically: a complete file or none, never a truncated proposal.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over the target. A failed run leaves any existing file untouched.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = stage(path, bytes)?;
    tmp.persist(path).map_err(|e| Error::Write { path: path.to_path_buf(), problem: e.error.to_string() })?;
    Ok(())
}

/// Writes several files as one: every file is first written in full beside its target (a
/// temporary file, synced); only when all are ready is each renamed over its target. When any
/// cannot be made, none is replaced: a run is all or nothing.
pub fn atomic_write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        staged.push((path, stage(path, bytes)?));
    }
    for (path, tmp) in staged {
        tmp.persist(path)
            .map_err(|e| Error::Write { path: path.to_path_buf(), problem: e.error.to_string() })?;
    }
    Ok(())
}

/// A file's new contents, written and synced beside it, ready to be renamed over it.
fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let err = |problem: String| Error::Write { path: path.to_path_buf(), problem };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(err(format!("the directory {} does not exist; create it first", dir.display())));
    }
    if path.is_dir() {
        return Err(err("is a directory; give a file name".into()));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A new file gets mode 0666 less the process umask, like any Unix tool's output (with
    // the usual umask 022, readable by others; `umask 077` keeps it private).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| err(format!("cannot create a file in {}: {e}", dir.display())))?;
    tmp.write_all(bytes).map_err(|e| err(e.to_string()))?;
    // A replaced file keeps its permissions; a new one follows the umask (above).
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.as_file().sync_all().map_err(|e| err(e.to_string()))?;
    Ok(tmp)
}

/// Serialises a value as pretty JSON with a final newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
