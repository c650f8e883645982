//! Many models in one call (`caseload allocate` with several models or a directory): one
//! proposal each in an output directory, solved in parallel. One model's failure is its own
//! result and does not stop the others. The command layer prints the lines and takes the worst
//! exit status.

use crate::error::{Error, Result};
use crate::proposal::Proposal;
use crate::solve::Limits;
use crate::warnings::{Checks, Origin};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The suffix of proposal files written by a batch; such files are never read as models.
pub const PROPOSAL_SUFFIX: &str = ".proposal.json";

/// The model files named by the arguments: files as given, directories expanded to their
/// `*.json` files (sorted, not recursive, proposals skipped).
pub fn model_paths(args: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in args {
        if p.as_os_str() == "-" {
            return Err(Error::Usage(
                "standard input (-) cannot be one of several models; give files".into(),
            ));
        }
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|source| Error::Read { path: p.clone(), source })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                // Every `*.json` entry, a broken link or a directory so named included: each is
                // a model of the batch, and one that cannot be read is reported by its name
                // rather than left out without a word.
                .filter(|f| {
                    let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    name.ends_with(".json") && !name.ends_with(PROPOSAL_SUFFIX) && !name.starts_with('.')
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: no model files (*.json) in this directory",
                    p.display()
                )));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The proposal file for a model: `DIR/<model file stem>.proposal.json`.
pub fn proposal_path(dir: &Path, model: &Path) -> PathBuf {
    let stem = model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    dir.join(format!("{stem}{PROPOSAL_SUFFIX}"))
}

/// The directories [`prepare`] made for a batch's proposals, deepest first: what [`tidy`]
/// takes away again when no proposal was written.
#[derive(Debug, Default)]
pub struct Made(Vec<PathBuf>);

/// Checks a batch's output directory before any work: it is not a file, and no two models
/// would write the same proposal. Creates the directory (and its missing parents), and says
/// which it made.
pub fn prepare(models: &[PathBuf], dir: &Path) -> Result<Made> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: with several models, -o names a directory for the proposals, and this is a file",
            dir.display()
        )));
    }
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    // A set: a directory of 100,000 models is checked in time in proportion to them, not to
    // their square.
    let inputs: std::collections::BTreeSet<PathBuf> =
        models.iter().map(|m| crate::sheets::same_file_key(m)).collect();
    for m in models {
        let out = proposal_path(dir, m);
        // A proposal's name may be a link to a model (`a.proposal.json -> b.json`): writing it
        // would replace that model.
        if inputs.contains(&crate::sheets::same_file_key(&out)) {
            return Err(Error::Usage(format!(
                "{}: is an input (a model of the batch); writing it would overwrite it. Remove it or choose another output directory",
                out.display()
            )));
        }
        if let Some(first) = seen.insert(out.clone(), m) {
            return Err(Error::Usage(format!(
                "{} and {} would both write {}; give the models different file names",
                first.display(),
                m.display(),
                out.display()
            )));
        }
    }
    let mut made = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        if let Ok(target) = std::fs::read_link(d) {
            // A link whose target is gone: creating the directory would fail with "File
            // exists", which names neither the link nor what it points to.
            return Err(Error::Write {
                path: d.to_path_buf(),
                problem: format!(
                    "is a symbolic link to {}, which does not exist; create that directory, or give another",
                    target.display()
                ),
            });
        }
        made.push(d.to_path_buf());
        at = d.parent();
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        problem: format!("cannot create the directory: {e}"),
    })?;
    Ok(Made(made))
}

/// When no model of the batch wrote its proposal, takes away the directories [`prepare`] made
/// (each only while empty), so a batch that failed throughout leaves nothing behind; a
/// directory that was there before stays.
pub fn tidy(made: &Made, items: &[Item]) {
    if items.iter().all(|i| i.result.is_err()) {
        for d in &made.0 {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
}

/// Refuses, without opening it, a model that is no regular file (a named pipe, a socket, a
/// device): reading a pipe no one writes to would hold the whole batch for ever. A link is
/// followed; a directory or a broken link is left to the reading, which names it.
fn regular(model: &Path) -> Result<()> {
    match std::fs::metadata(model) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => Err(Error::input(
            &model.display().to_string(),
            "file",
            "is not a regular file (a named pipe, a socket or a device), so it is not read; a batch reads model files only",
        )),
        _ => Ok(()),
    }
}

/// One model of a batch, solved.
#[derive(Debug)]
pub struct Item {
    /// The model file.
    pub model: PathBuf,
    /// Its proposal file.
    pub proposal_file: PathBuf,
    /// The proposal written, or why there is none.
    pub result: Result<Proposal>,
}

/// Reads, screens ([`crate::warnings::screen`] with `checks`), solves and writes every model
/// (in parallel), each under the limits `limits` makes when its own solve starts (so each model
/// gets the whole time limit). In the order given.
pub fn solve_all(
    models: &[PathBuf],
    dir: &Path,
    checks: Checks,
    limits: &(dyn Fn() -> Limits<'static> + Sync),
) -> Vec<Item> {
    models
        .par_iter()
        .map(|m| {
            let out = proposal_path(dir, m);
            let origin = Origin::file(&m.display().to_string());
            let result = regular(m)
                .and_then(|()| crate::load_model_on(m, checks.as_of))
                .and_then(|model| crate::warnings::screen(&model, checks, &origin).map(|_| model))
                .and_then(|model| crate::allocate(&model, limits()))
                .and_then(|p| crate::write::atomic_write(&out, &crate::write::to_json(&p)).map(|()| p));
            Item { model: m.clone(), proposal_file: out, result }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_are_named_after_the_model_file() {
        assert_eq!(
            proposal_path(Path::new("out"), Path::new("models/birmingham_2010.json")),
            Path::new("out/birmingham_2010.proposal.json")
        );
    }
}
