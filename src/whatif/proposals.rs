//! Each scenario's model and proposal as files (`caseload whatif --proposals DIR`).

use super::rows::{Outcome, ScenarioRow};
use crate::error::Result;
use std::path::{Path, PathBuf};

/// `003-fill-2`: index and a file-safe form of the name.
pub fn file_stem(r: &ScenarioRow) -> String {
    let mut slug = String::new();
    for ch in r.name.chars() {
        if ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' {
            slug.push(ch);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').chars().take(80).collect::<String>();
    format!("{:03}-{}", r.index, slug)
}

/// Whether `file` could be one that [`proposal_files`] names into `dir`: it is in `dir` and
/// named as its files are (`NNN-name.model.json`, `NNN-name.proposal.json`).
pub fn may_replace(dir: &Path, file: &Path) -> bool {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let numbered =
        name.len() > 4 && name.as_bytes()[..3].iter().all(u8::is_ascii_digit) && name.as_bytes()[3] == b'-';
    let written = name.ends_with(".model.json") || name.ends_with(".proposal.json");
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    numbered && written && crate::sheets::same_file_key(parent) == crate::sheets::same_file_key(dir)
}

/// Each scenario's model (`NNN-name.model.json`) and proposal (`NNN-name.proposal.json`) as
/// files in `dir` (made here when missing, as `--csv DIR` is), to be written with the run's
/// other outputs, all or nothing. The base scenario's model is the input itself.
pub fn proposal_files(o: &Outcome, dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::Write {
        path: dir.to_path_buf(),
        problem: format!("cannot create the directory: {e}"),
    })?;
    let mut files = Vec::new();
    for s in &o.scenarios {
        let stem = file_stem(&s.row);
        let (model, proposal) = &*s.result;
        if s.row.index > 0 {
            files.push((dir.join(format!("{stem}.model.json")), crate::write::to_json(model)));
        }
        files.push((dir.join(format!("{stem}.proposal.json")), crate::write::to_json(proposal)));
    }
    Ok(files)
}
