//! `caseload allocate` over many models in one call: several model files or directories, one
//! proposal each in an output directory, solved in parallel. One model's failure is reported by
//! its name and does not stop the others; the exit status is the worst of the individual ones.

use crate::cli::{exit, AllocateArgs};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The suffix of proposal files written by a batch; such files are never read as models.
pub const PROPOSAL_SUFFIX: &str = ".proposal.json";

/// Whether an `allocate` call is a batch: more than one model, or a directory of models.
pub fn is_batch(a: &AllocateArgs) -> bool {
    !a.more.is_empty() || a.model.as_ref().is_some_and(|m| m.is_dir())
}

/// How bad an exit status is, for taking the worst of a batch: a written proposal (done, not
/// proven optimal, unallocated alarm) is better than none (invalid input, write failure, solver
/// failure).
pub fn severity(code: i32) -> u8 {
    match code {
        exit::OK => 0,
        exit::NOT_PROVEN => 1,
        exit::UNALLOCATED => 2,
        exit::INVALID => 3,
        exit::WRITE => 4,
        _ => 5,
    }
}

/// The worst of some exit statuses (0 for none).
pub fn worst(codes: impl IntoIterator<Item = i32>) -> i32 {
    codes.into_iter().max_by_key(|&c| severity(c)).unwrap_or(exit::OK)
}

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
                .filter(|f| {
                    let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    f.is_file()
                        && name.ends_with(".json")
                        && !name.ends_with(PROPOSAL_SUFFIX)
                        && !name.starts_with('.')
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

/// The outcome of one model of a batch.
struct Outcome {
    code: i32,
    line: String,
}

/// Runs `allocate` over many models; returns the worst exit status.
pub fn run(a: &AllocateArgs) -> Result<i32> {
    if a.sheets.workers.is_some()
        || a.sheets.cases.is_some()
        || a.sheets.workbook.is_some()
        || a.outputs.xlsx.is_some()
        || a.outputs.csv.is_some()
        || a.outputs.report.is_some()
    {
        return Err(Error::Usage(
            "a batch takes model files only; run spreadsheets, --csv, --xlsx and --report one model at a time".into(),
        ));
    }
    let mut inputs: Vec<PathBuf> = a.model.iter().cloned().collect();
    inputs.extend(a.more.iter().cloned());
    let models = model_paths(&inputs)?;
    let dir = &a.output;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: with several models, -o names a directory for the proposals, and this is a file",
            dir.display()
        )));
    }
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    for m in &models {
        let out = proposal_path(dir, m);
        if let Some(first) = seen.insert(out.clone(), m) {
            return Err(Error::Usage(format!(
                "{} and {} would both write {}; give the models different file names",
                first.display(),
                m.display(),
                out.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.clone(),
        problem: format!("cannot create the directory: {e}"),
    })?;
    if let Some(s) = a.time_limit {
        if !(s.is_finite() && s >= 0.0) {
            return Err(Error::Usage(format!("--time-limit must be a number of seconds >= 0, got {s}")));
        }
    }

    let started = Instant::now();
    let outcomes: Vec<Outcome> = models.par_iter().map(|m| one(a, m, &proposal_path(dir, m))).collect();
    let code = worst(outcomes.iter().map(|o| o.code));
    let (mut out, mut err) = (String::new(), String::new());
    for o in &outcomes {
        if severity(o.code) >= severity(exit::INVALID) {
            err += &format!("caseload: {}\n", o.line);
        } else if !a.quiet || o.code != exit::OK {
            out += &format!("{}\n", o.line);
        }
    }
    if !a.quiet {
        let failed = outcomes.iter().filter(|o| severity(o.code) >= severity(exit::INVALID)).count();
        out += &format!(
            "{} models: {} proposals written to {}, {} failed; {:.2} s; exit status {}\n",
            outcomes.len(),
            outcomes.len() - failed,
            dir.display(),
            failed,
            started.elapsed().as_secs_f64(),
            code
        );
    }
    use std::io::Write;
    let _ = std::io::stderr().write_all(err.as_bytes());
    crate::cli::say(&out);
    Ok(code)
}

/// Solves one model of a batch. Never fails: an error becomes the model's line and status.
fn one(a: &AllocateArgs, model: &Path, out: &Path) -> Outcome {
    let name = model.display();
    // Each model gets the whole time limit, counted from the start of its own solve.
    let result = crate::cli::limits(a.time_limit, a.node_limit)
        .and_then(|limits| {
            crate::load_model(model)
                .and_then(|m| {
                    let origin = crate::warnings::Origin::file(&name.to_string());
                    crate::warnings::screen(&m, a.checks.checks(), &origin).map(|_| m)
                })
                .map(|m| (m, limits))
        })
        .and_then(|(m, limits)| crate::allocate(&m, limits))
        .and_then(|p| crate::write::atomic_write(out, &crate::write::to_json(&p)).map(|()| p));
    match result {
        Ok(p) => {
            let s = &p.summary.cases;
            Outcome {
                code: crate::cli::status(&p, &a.fail_on_unallocated),
                line: format!(
                    "{name}: {} cases, {} allocated, {} unallocated; objective {} ({}) -> {}",
                    s.cases,
                    s.allocated,
                    s.unallocated,
                    p.objective,
                    if p.optimal { "optimal" } else { "not proven optimal" },
                    out.display()
                ),
            }
        }
        Err(e) => {
            let text = e.to_string();
            // Input and read errors name the file already.
            let line = if text.starts_with(&name.to_string()) { text } else { format!("{name}: {text}") };
            Outcome { code: e.exit_code(), line }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_proposal_is_better_than_none_when_taking_the_worst_status() {
        assert_eq!(worst([exit::OK, exit::NOT_PROVEN]), exit::NOT_PROVEN);
        assert_eq!(worst([exit::UNALLOCATED, exit::INVALID, exit::OK]), exit::INVALID);
        assert_eq!(worst([exit::SOLVER, exit::WRITE]), exit::SOLVER);
        assert_eq!(worst([]), exit::OK);
    }

    #[test]
    fn proposals_are_named_after_the_model_file() {
        assert_eq!(
            proposal_path(Path::new("out"), Path::new("models/birmingham_2010.json")),
            Path::new("out/birmingham_2010.proposal.json")
        );
    }
}
