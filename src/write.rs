//! Writing outputs atomically: a complete file or none, never a truncated proposal.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over the target. A failed run leaves any existing file untouched. A symbolic link
/// is written through (the link stays, the file it names is replaced), and an output that is
/// no regular file (`/dev/null`, `/dev/stdout`, a pipe) is written into, never replaced.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_all(&[(path.to_path_buf(), bytes.to_vec())])
}

/// Writes `bytes`, a copy of the file `original`, to the new file `copy` atomically, with
/// `original`'s permissions: the copy a command keeps of a file it replaces must be no more
/// readable than that file was (a team's private workbook, mode 0600, kept as a 0644 file
/// was readable by every user of the machine).
pub fn atomic_copy(original: &Path, copy: &Path, bytes: &[u8]) -> Result<()> {
    let Target::File(real) = resolve(copy)? else {
        return Err(Error::Write { path: copy.to_path_buf(), problem: "is no regular file".into() });
    };
    let tmp = stage_like(copy, &real, original, bytes)?;
    tmp.persist(&real)
        .map_err(|e| Error::Write { path: copy.to_path_buf(), problem: e.error.to_string() })?;
    Ok(())
}

/// Writes several files as one: every file is first written in full beside its target (a
/// temporary file, synced); only when all are ready is each renamed over its target. When any
/// cannot be made, none is replaced: a run is all or nothing. Outputs that are no regular
/// files (devices, pipes) cannot be staged: they are written once every file is staged and
/// before any is replaced, so a device that refuses its bytes (`/dev/full`) replaces nothing.
pub fn atomic_write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    let mut special = Vec::new();
    // Two outputs that are one file (`--report rep.html` where `rep.html -> proposal.json`):
    // the second would replace the first. The commands refuse the names they see; this is the
    // net under every writer.
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for (path, _) in files {
        let key = file_key(path);
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            return Err(Error::Write {
                path: path.clone(),
                problem: format!(
                    "is the same file as {} (through a link); choose different outputs",
                    first.display()
                ),
            });
        }
        seen.push((key, path));
    }
    for (path, bytes) in files {
        match resolve(path)? {
            Target::File(real) => staged.push((path, real.clone(), stage(path, &real, bytes)?)),
            Target::Special => special.push((path, bytes)),
        }
    }
    for (path, bytes) in special {
        write_into(path, bytes)?;
    }
    for (path, real, tmp) in staged {
        tmp.persist(&real)
            .map_err(|e| Error::Write { path: path.to_path_buf(), problem: e.error.to_string() })?;
    }
    Ok(())
}

/// The regular file an output at `path` makes or replaces: through every symbolic link, the
/// file the last one names (made there if missing), as [`atomic_write_all`] writes it. `None`
/// for an output that is written into (a device, a pipe, the system's links to standard
/// output) or that the writer refuses (a directory, a loop of links).
pub fn replaced_file(path: &Path) -> Option<PathBuf> {
    match resolve(path) {
        Ok(Target::File(real)) => Some(real),
        _ => None,
    }
}

/// Where an output goes.
enum Target {
    /// A regular file, new or to be replaced, at this path (a symbolic link's final target).
    File(PathBuf),
    /// Something else the output path opens: a device, a pipe, a terminal, a socket.
    Special,
}

/// Follows `path` to what it names. Renaming a file over a symbolic link would replace the
/// link, and over a device the device itself (as root, `-o /dev/null` left a plain file
/// there, which every other program then wrote into): so a link is followed to its file,
/// and anything but a regular file or nothing is written into.
fn resolve(path: &Path) -> Result<Target> {
    let err = |problem: String| Error::Write { path: path.to_path_buf(), problem };
    // `/dev/stdout` and `/proc/self/fd/1`, links the system keeps, name whatever standard
    // output is, a file included: renaming over that file would leave the run's own messages
    // in a file no longer there. (A plain file under /dev, as in /dev/shm, is a file.)
    let system = cfg!(unix)
        && (path.starts_with("/dev") || path.starts_with("/proc"))
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(err("is a directory; give a file name".into())),
        Ok(meta) if !meta.is_file() || system => Ok(Target::Special),
        // An existing file, perhaps through links (`/proc/self/fd/1` when standard output is
        // redirected to a file): replace the file the links end at.
        Ok(_) => Ok(Target::File(std::fs::canonicalize(path).map_err(|e| err(e.to_string()))?)),
        // Nothing there yet, or a link to nothing: the file to create is where the links end.
        Err(_) => followed(path).map(Target::File).ok_or_else(|| err("too many symbolic links".into())),
    }
}

/// Where `path` ends once every symbolic link on it is followed, by hand (at most 40, the
/// kernel's own limit), whether or not a file is there yet: an output through a link to
/// nothing is made at the link's target. `None` for a loop of links.
pub fn followed(path: &Path) -> Option<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&at).ok()?;
                at = match at.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Some(at),
        }
    }
    None
}

/// A path's identity for "same file" checks: canonical when it exists (or its directory does),
/// through any symbolic link, one to a file not made yet included (`rep.html ->
/// proposal.json` is the proposal's path).
pub fn file_key(p: &Path) -> PathBuf {
    let followed = followed(p).unwrap_or_else(|| p.to_path_buf());
    let p = followed.as_path();
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            dir.canonicalize().map(|d| d.join(name)).unwrap_or_else(|_| p.to_path_buf())
        }
        _ => p.to_path_buf(),
    }
}

/// Whether nothing at all is at `path`: no file, no directory, not even a link to nothing (a
/// name the program picks, such as the copy `accept` keeps, is never one a link stands on).
pub fn vacant(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_err()
}

/// Writes `bytes` into an output that is no regular file, as any Unix tool does; appended,
/// so a file behind `/dev/stdout` gets what the run prints in order.
fn write_into(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |e: std::io::Error| Error::Write { path: path.to_path_buf(), problem: e.to_string() };
    let mut out = std::fs::OpenOptions::new().append(true).open(path).map_err(err)?;
    out.write_all(bytes).and_then(|()| out.flush()).map_err(err)
}

/// Refuses, before any work, a file output that the end of the run could not write: a
/// directory named where a file belongs (`flag`'s mistake: [`Error::Usage`], exit status 2),
/// or a file whose directory does not exist ([`Error::Write`], exit status 4, as when the
/// writer finds it: nothing is written either way, but a cron job need not wait for the
/// solve to learn it). Standard output, devices and pipes pass.
pub fn ready(flag: &str, path: &Path) -> Result<()> {
    match resolve(path) {
        Err(_) if path.is_dir() => {
            Err(Error::Usage(format!("{flag} {}: is a directory; give a file name", path.display())))
        }
        Ok(Target::File(real)) => directory_of(path, &real).map(|_| ()),
        // A loop of links, a device: the writer says what it finds.
        _ => Ok(()),
    }
}

/// The directory the file `real` (the output `path` as given, for messages) is made in;
/// an error when it does not exist.
fn directory_of<'a>(path: &Path, real: &'a Path) -> Result<&'a Path> {
    let dir = match real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Write {
            path: path.to_path_buf(),
            problem: format!("the directory {} does not exist; create it first", dir.display()),
        });
    }
    Ok(dir)
}

/// A file's new contents, written and synced beside it, ready to be renamed over it.
/// `path` is the output as given (for messages), `real` the file it names.
fn stage(path: &Path, real: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    stage_like(path, real, real, bytes)
}

/// [`stage`], the file made with the permissions of `like` where it exists (the file
/// replaced, or the one copied), else the umask's.
fn stage_like(path: &Path, real: &Path, like: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let err = |problem: String| Error::Write { path: path.to_path_buf(), problem };
    let dir = directory_of(path, real)?;
    let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
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
    // A replaced file keeps its permissions, and a copy its original's (`like`); a new file
    // follows the umask (above).
    if let Ok(meta) = std::fs::metadata(like) {
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
