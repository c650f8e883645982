//! Spreadsheets in, spreadsheets and a report out: what a team manager works with.
//!
//! - [`read`]: a model from `workers.csv`, `cases.csv` and an optional `policy.json`, with
//!   errors that name the spreadsheet, row and column.
//! - [`mod@write`]: a model back to CSV (lossless), and a proposal as CSV tables.
//! - Where the spreadsheets are ([`SheetInput`]), which tables and report to write besides a
//!   proposal ([`SheetOutput`]), and the two directions of `caseload convert` ([`sheets_to_model`],
//!   [`model_to_sheets`]).

pub mod read;
pub mod write;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::proposal::Proposal;
use std::path::{Path, PathBuf};

/// A model given as spreadsheets instead of a model file.
#[derive(Debug, Default, Clone)]
pub struct SheetInput {
    /// Workers as a CSV spreadsheet, instead of MODEL (needs --cases).
    pub workers: Option<PathBuf>,
    /// Cases as a CSV spreadsheet, instead of MODEL (needs --workers).
    pub cases: Option<PathBuf>,
    /// Policy as a JSON object (the model file's "policy"), with --workers and --cases.
    pub policy: Option<PathBuf>,
}

impl SheetInput {
    /// Whether any spreadsheet option was given.
    pub fn given(&self) -> bool {
        self.workers.is_some() || self.cases.is_some() || self.policy.is_some()
    }

    /// The input files, to refuse overwriting them.
    pub fn files(&self) -> Vec<&Path> {
        [&self.workers, &self.cases, &self.policy].into_iter().flatten().map(PathBuf::as_path).collect()
    }

    /// The input files of a command, with its MODEL file if it has one (not standard input).
    pub fn inputs<'a>(&'a self, model: Option<&'a Path>) -> Vec<&'a Path> {
        let mut out = self.files();
        out.extend(model.filter(|m| m.as_os_str() != "-"));
        out
    }

    /// Reads and builds the model from the spreadsheets (not validated).
    pub fn read(&self) -> Result<read::Sheets> {
        match (&self.workers, &self.cases) {
            (Some(w), Some(c)) => read::read_sheets(w, c, self.policy.as_deref()),
            (Some(_), None) => {
                Err(Error::Usage("--workers needs --cases too (give both spreadsheets)".into()))
            }
            (None, Some(_)) => {
                Err(Error::Usage("--cases needs --workers too (give both spreadsheets)".into()))
            }
            (None, None) => Err(Error::Usage(
                "--policy goes with --workers and --cases; a model file carries its own policy".into(),
            )),
        }
    }
}

/// Loads the model of a command: a model file, or spreadsheets, exactly one of the two.
pub fn load(model: Option<&Path>, sheets: &SheetInput) -> Result<Model> {
    match (model, sheets.given()) {
        (Some(path), false) => crate::load_model(path),
        (None, true) => sheets.read()?.validate(),
        (Some(_), true) => Err(Error::Usage(
            "give either a MODEL file or --workers and --cases spreadsheets, not both".into(),
        )),
        (None, false) => Err(Error::Usage("give a MODEL file, or --workers and --cases spreadsheets".into())),
    }
}

/// The inputs of `check`: with spreadsheets, the one positional argument is the proposal.
pub fn load_for_check(
    model: Option<&Path>,
    proposal: Option<&Path>,
    sheets: &SheetInput,
) -> Result<(Model, Option<PathBuf>)> {
    if sheets.given() {
        if proposal.is_some() {
            return Err(Error::Usage(
                "with --workers and --cases, give only the PROPOSAL (the spreadsheets replace MODEL)".into(),
            ));
        }
        Ok((load(None, sheets)?, model.map(Path::to_path_buf)))
    } else {
        Ok((load(model, sheets)?, proposal.map(Path::to_path_buf)))
    }
}

/// Extra outputs of `allocate`.
#[derive(Debug, Default, Clone)]
pub struct SheetOutput {
    /// Also write allocations.csv, unallocated.csv and workers.csv into this directory
    /// (created if missing).
    pub csv: Option<PathBuf>,
    /// Also write a self-contained HTML report for the team manager (opens offline, prints).
    pub report: Option<PathBuf>,
}

impl SheetOutput {
    /// The files these options write.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        if let Some(d) = &self.csv {
            out.extend(["allocations.csv", "unallocated.csv", "workers.csv"].map(|f| d.join(f)));
        }
        out.extend(self.report.clone());
        out
    }

    /// Refuses, before any work, outputs (the proposal file, when it is a file) that would
    /// overwrite an input or each other, or that cannot be written (so a bad option does not leave a proposal without its report).
    pub fn check(&self, inputs: &[&Path], proposal: Option<&Path>) -> Result<()> {
        if let Some(d) = &self.csv {
            if d.exists() && !d.is_dir() {
                return Err(Error::Usage(format!("--csv {}: is a file, not a directory", d.display())));
            }
        }
        if let Some(r) = &self.report {
            let dir = r.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--report {}: the directory {} does not exist; create it first",
                    r.display(),
                    dir.display()
                )));
            }
            if r.is_dir() {
                return Err(Error::Usage(format!(
                    "--report {}: is a directory; give a file name",
                    r.display()
                )));
            }
        }
        let mut seen: Vec<PathBuf> = Vec::new();
        for f in proposal.map(Path::to_path_buf).into_iter().chain(self.files()) {
            let key = same_file_key(&f);
            if inputs.iter().any(|i| same_file_key(i) == key) {
                return Err(Error::Usage(format!(
                    "{} is an input; writing it would overwrite it. Choose another output file or directory",
                    f.display()
                )));
            }
            if seen.contains(&key) {
                return Err(Error::Usage(format!(
                    "{} would be written twice; choose different outputs",
                    f.display()
                )));
            }
            seen.push(key);
        }
        Ok(())
    }

    /// Writes the CSV tables and the report (each atomically); returns the files written.
    pub fn write(&self, model: &Model, proposal: &Proposal) -> Result<Vec<PathBuf>> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        if let Some(d) = &self.csv {
            files.push((d.join("allocations.csv"), write::allocations_csv(model, proposal)));
            files.push((d.join("unallocated.csv"), write::unallocated_csv(proposal)));
            files.push((d.join("workers.csv"), write::worker_loads_csv(model, proposal)));
            make_dir(d)?;
        }
        if let Some(r) = &self.report {
            files.push((r.clone(), crate::report::render(model, proposal).into_bytes()));
        }
        for (path, bytes) in &files {
            crate::write::atomic_write(path, bytes)?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

fn make_dir(d: &Path) -> Result<()> {
    std::fs::create_dir_all(d).map_err(|e| Error::Write {
        path: d.to_path_buf(),
        problem: format!("cannot create the directory: {e}"),
    })
}

/// A path's identity for "same file" checks: canonical when it exists (or its directory does).
fn same_file_key(p: &Path) -> PathBuf {
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

/// `caseload convert` from spreadsheets: validates them (so errors name spreadsheet rows, not
/// the new file) and writes the model file `out` atomically.
pub fn sheets_to_model(sheets: &SheetInput, out: &Path) -> Result<()> {
    let read = sheets.read()?;
    read.validate()?;
    if sheets.files().iter().any(|i| same_file_key(i) == same_file_key(out)) {
        return Err(Error::Usage(format!("{} is an input; choose another -o file", out.display())));
    }
    crate::write::atomic_write(out, &read.canonical_json())
}

/// `caseload convert` to spreadsheets: `workers.csv`, `cases.csv` and `policy.json` in `dir`
/// (created if missing). The model is parsed, not validated: a model with problems can be
/// mended in a spreadsheet. Returns the files written.
pub fn model_to_sheets(model: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    let bytes = crate::read::read_bytes(model)?;
    let file = model.display().to_string();
    let m = crate::read::parse_model(&file, &bytes)?;
    let files = vec![
        (dir.join("workers.csv"), write::workers_csv(&file, &m)?),
        (dir.join("cases.csv"), write::cases_csv(&file, &m)?),
        (dir.join("policy.json"), write::policy_json(&m)),
    ];
    if files.iter().any(|(p, _)| same_file_key(p) == same_file_key(model)) {
        return Err(Error::Usage(format!("{} is the input; choose another --csv-dir", model.display())));
    }
    make_dir(dir)?;
    for (p, b) in &files {
        crate::write::atomic_write(p, b)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
