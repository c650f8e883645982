//! Spreadsheets in, spreadsheets and a report out: what a team manager works with.
//!
//! - [`read`]: a model from `workers.csv`, `cases.csv` and an optional `policy.json`, with
//!   errors that name the spreadsheet, row and column.
//! - [`workbook`]: the same from an Excel workbook.
//! - [`meeting`]: the meeting workbook back in, as edited: a proposal.
//! - [`columns`]: the columns of the model's tables, shared by the readers and the writers.
//! - [`mod@write`]: the writers, which never import a reader (nor a reader a writer): a model back
//!   to CSV (lossless) and a proposal as CSV tables; [`write::workbook`] the same as an Excel
//!   workbook, and the meeting workbook; [`write::template`] a starter workbook to fill in
//!   (`caseload template`).
//! - Where the spreadsheets are ([`SheetInput`]), which tables, workbook and report to write
//!   besides a proposal ([`SheetOutput`]), and `caseload convert` ([`convert`], [`ConvertOptions`]).

pub mod columns;
pub mod meeting;
pub mod read;
pub mod workbook;
pub mod write;
pub mod xlsx;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::model::ModelFile;
use crate::proposal::Proposal;
use crate::warnings::{Checks, Origin, Warning};
use std::path::{Path, PathBuf};

/// The label of the meeting workbook's summary row that holds the day the allocation is for.
pub const DAY_LABEL: &str = "allocation for";

/// The label of the meeting workbook's hidden summary row that keeps the day the workbook was
/// written for, as written: the `allocation for` row may be retyped (the meeting moved), and a
/// child whose wait starts with the workbook shows this day as its `waiting since`, which the
/// reader compares with it so that a day typed over it is refused rather than lost.
pub const DAY_AS_WRITTEN_LABEL: &str = "allocation for as written";

/// The header of the meeting workbook's hidden column on the `moves` sheet that keeps each
/// move's `to` as written, so that a worker typed over `to` (where it is not read) is known
/// for an edit and refused rather than lost.
pub const MOVED_TO_AS_WRITTEN: &str = "to as written";

/// Excel's name of a column: 0 -> A, 26 -> AA.
pub fn column_letters(mut j: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The label of the meeting workbook's summary row that holds the SHA-256 of the model it was
/// made from (the proposal's `summary.model_hash`), which `accept` compares with its model.
pub const MODEL_HASH_LABEL: &str = "model hash";

/// A model given as spreadsheets instead of a model file.
#[derive(Debug, Default, Clone)]
pub struct SheetInput {
    /// Workers as a CSV spreadsheet, instead of MODEL (needs --cases).
    pub workers: Option<PathBuf>,
    /// Cases as a CSV spreadsheet, instead of MODEL (needs --workers).
    pub cases: Option<PathBuf>,
    /// Policy as a JSON object (the model file's "policy"), with --workers and --cases, or
    /// with a --workbook that has no policy sheet.
    pub policy: Option<PathBuf>,
    /// The model as an Excel workbook with sheets "workers", "cases" and optionally "policy",
    /// "reductions" and "aliases", instead of MODEL.
    pub workbook: Option<PathBuf>,
    /// Dated reductions as a CSV spreadsheet (worker, amount, from, to, reason), with
    /// --workers and --cases.
    pub reductions: Option<PathBuf>,
    /// A council's own words for roles and case types as a CSV spreadsheet (word, means), with
    /// --workers and --cases.
    pub aliases: Option<PathBuf>,
    /// When the sheets have mistakes in their cells, near-misses are named among them (see
    /// [`crate::warnings::near_misses`]): set by the commands that screen a model for them,
    /// unless `--allow-near-misses`.
    pub near_misses: bool,
}

impl SheetInput {
    /// Whether any spreadsheet option was given.
    pub fn given(&self) -> bool {
        self.workers.is_some()
            || self.cases.is_some()
            || self.policy.is_some()
            || self.workbook.is_some()
            || self.reductions.is_some()
            || self.aliases.is_some()
    }

    /// The input as a person would name it: the model file, the workbook, or the two sheets.
    pub fn name(&self, model: Option<&Path>) -> String {
        if let Some(m) = model {
            return m.display().to_string();
        }
        if let Some(b) = &self.workbook {
            return b.display().to_string();
        }
        let files: Vec<String> = [&self.workers, &self.cases, &self.policy, &self.reductions, &self.aliases]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        files.join(" + ")
    }

    /// The input files, to refuse overwriting them.
    pub fn files(&self) -> Vec<&Path> {
        [&self.workers, &self.cases, &self.policy, &self.workbook, &self.reductions, &self.aliases]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect()
    }

    /// The input files of a command, with its MODEL file if it has one (not standard input).
    pub fn inputs<'a>(&'a self, model: Option<&'a Path>) -> Vec<&'a Path> {
        let mut out = self.files();
        out.extend(model.filter(|m| m.as_os_str() != "-"));
        out
    }

    /// The same input, read for a command that screens the model with `checks`: near-misses
    /// are named among the mistakes of cells unless `--allow-near-misses`, so one run names
    /// everything.
    pub fn screened(&self, checks: Checks) -> SheetInput {
        SheetInput { near_misses: !checks.allow_near_misses, ..self.clone() }
    }

    /// Refuses two sheets from standard input: the first would read it all and the second
    /// find it empty. The command layer refuses it first, naming the flags with the command's
    /// other inputs (`cli::one_stdin`); this stays for a library caller, whose read of the
    /// second sheet would otherwise fail as an empty file it is not.
    fn one_stdin(&self) -> Result<()> {
        let stdin = self.files().iter().filter(|p| p.as_os_str() == "-").count();
        if stdin > 1 {
            return Err(Error::Usage("only one spreadsheet input can come from standard input (-)".into()));
        }
        Ok(())
    }

    /// Reads and builds the model from the spreadsheets (not validated).
    pub fn read(&self) -> Result<read::Sheets> {
        self.one_stdin()?;
        if let Some(book) = &self.workbook {
            if self.reductions.is_some() || self.aliases.is_some() {
                return Err(Error::Usage(format!(
                    "--reductions and --aliases go with --workers and --cases; a workbook carries its own sheets \"reductions\" and \"aliases\" (add them to {})",
                    book.display()
                )));
            }
            return workbook::read_workbook(book, self.policy.as_deref(), self.near_misses);
        }
        match (&self.workers, &self.cases) {
            (Some(w), Some(c)) => read::read_sheets_with(
                w,
                c,
                self.policy.as_deref(),
                self.reductions.as_deref(),
                self.aliases.as_deref(),
                self.near_misses,
            ),
            (Some(_), None) => {
                Err(Error::Usage("--workers needs --cases too (give both spreadsheets)".into()))
            }
            (None, Some(_)) => {
                Err(Error::Usage("--cases needs --workers too (give both spreadsheets)".into()))
            }
            (None, None) => Err(Error::Usage(
                "--policy, --reductions and --aliases go with --workers and --cases (--policy also with --workbook); a model file carries its own policy and reductions"
                    .into(),
            )),
        }
    }
}

/// Loads the model of a command like [`load`], then screens it ([`crate::warnings::screen`]):
/// refuses an empty model unless allowed, and returns the warnings (errors under `--strict`).
pub fn load_screened(
    model: Option<&Path>,
    sheets: &SheetInput,
    checks: Checks,
) -> Result<(Model, Vec<Warning>)> {
    let mut sheet_warnings = Vec::new();
    let (m, origin) = match (model, sheets.given()) {
        (None, true) => {
            let s = sheets.screened(checks).read()?;
            let m = s.validate_on(checks.as_of)?;
            sheet_warnings = reading_warnings(&s, checks)?;
            (m, s.origin())
        }
        _ => {
            let m = load_on(model, sheets, checks.as_of)?;
            let mut origin = Origin::file(&model.map_or("-".into(), |p| p.display().to_string()));
            if !checks.allow_near_misses && !crate::warnings::near_misses(&m).is_empty() {
                origin.cases_at = json_places(model);
            }
            (m, origin)
        }
    };
    let mut w = crate::warnings::screen(&m, checks, &origin)?;
    w.extend(sheet_warnings);
    w.sort();
    Ok((m, w))
}

/// The warnings of reading spreadsheets (hidden rows or sheets, merged cells): the first is an
/// input error under `--strict`, as every warning is.
fn reading_warnings(s: &read::Sheets, checks: Checks) -> Result<Vec<Warning>> {
    match s.warnings.first() {
        Some(w) if checks.strict => {
            // Named under the file the warning is about (`cases.csv: row 1 ...`), not the
            // workers' file whatever it says.
            let files = [
                Some(&s.cases_file),
                Some(&s.workers_file),
                s.policy_file.as_ref(),
                s.reductions_file.as_ref(),
            ];
            let about = files
                .into_iter()
                .flatten()
                .find_map(|f| w.message.strip_prefix(&format!("{f}: ")).map(|rest| (f, rest)));
            let (file, message) = about.unwrap_or((&s.workers_file, w.message.as_str()));
            Err(Error::input(
                file,
                format!("warning {}", w.code),
                format!("{message} (--strict makes warnings errors)"),
            ))
        }
        _ => Ok(s.warnings.clone()),
    }
}

/// Each case's entry in a model file (`cases[4]`), by id, to place an error about a checked
/// case (read again, only when there is one; nothing for standard input or a file that fails).
fn json_places(model: Option<&Path>) -> std::collections::BTreeMap<String, String> {
    let parsed = model.filter(|m| m.as_os_str() != "-").and_then(|m| {
        let bytes = crate::read::read_bytes(m).ok()?;
        crate::read::parse_model(&m.display().to_string(), &bytes).ok()
    });
    parsed.map(|f| Origin::model_file("", &f).cases_at).unwrap_or_default()
}

/// Loads the model of a command: a model file, or spreadsheets, exactly one of the two.
pub fn load(model: Option<&Path>, sheets: &SheetInput) -> Result<Model> {
    load_on(model, sheets, None)
}

/// [`load`] for a day: the reductions in force on it.
pub fn load_on(
    model: Option<&Path>,
    sheets: &SheetInput,
    as_of: Option<crate::model::AsOf>,
) -> Result<Model> {
    match (model, sheets.given()) {
        (Some(path), false) => crate::load_model_on(path, as_of),
        (None, true) => sheets.read()?.validate_on(as_of),
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
    checks: Checks,
) -> Result<(Model, Vec<Warning>, Option<PathBuf>)> {
    if sheets.given() {
        if proposal.is_some() {
            return Err(Error::Usage(
                "with --workers and --cases, give only the PROPOSAL (the spreadsheets replace MODEL)".into(),
            ));
        }
        let (m, w) = load_screened(None, sheets, checks)?;
        Ok((m, w, model.map(Path::to_path_buf)))
    } else {
        let (m, w) = load_screened(model, sheets, checks)?;
        Ok((m, w, proposal.map(Path::to_path_buf)))
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
    /// Also write one Excel workbook for the allocation meeting: allocations, unallocated
    /// (with reasons and what to tell the family), workers (with load as a share of target)
    /// and moves (each change of worker with why).
    pub xlsx: Option<PathBuf>,
}

impl SheetOutput {
    /// The files these options write.
    pub fn files(&self) -> Vec<PathBuf> {
        self.flagged().into_iter().map(|(_, f)| f).collect()
    }

    /// The files these options write, each with the option that names it.
    fn flagged(&self) -> Vec<(&'static str, PathBuf)> {
        let mut out: Vec<(&str, PathBuf)> = Vec::new();
        if let Some(d) = &self.csv {
            out.extend(["allocations.csv", "unallocated.csv", "workers.csv"].map(|f| ("--csv", d.join(f))));
        }
        out.extend(self.report.iter().map(|r| ("--report", r.clone())));
        out.extend(self.xlsx.iter().map(|x| ("--xlsx", x.clone())));
        out
    }

    /// Refuses, before any work, outputs (the proposal file, when it is a file) that would
    /// overwrite an input or each other, or that cannot be written (so a bad option does not leave a proposal without its report).
    pub fn check(&self, inputs: &[&Path], proposal: Option<&Path>) -> Result<()> {
        if let Some(d) = &self.csv {
            // An input named as the directory is said to be one (writing there is the worse
            // mistake), not merely a file where a directory belongs.
            no_output_over_input(inputs.iter().copied(), [("--csv", Some(d.as_path()))])?;
            if d.exists() && !d.is_dir() {
                return Err(Error::Usage(format!("--csv {}: is a file, not a directory", d.display())));
            }
        }
        let files =
            [("-o", proposal), ("--report", self.report.as_deref()), ("--xlsx", self.xlsx.as_deref())];
        for (flag, r) in files {
            if let Some(r) = r {
                crate::write::ready(flag, r)?;
            }
        }
        let mut outputs = self.flagged();
        if let Some(p) = proposal {
            outputs.insert(0, ("-o", p.to_path_buf()));
        }
        let named = || outputs.iter().map(|(flag, f)| (*flag, Some(f.as_path())));
        no_output_over_input(inputs.iter().copied(), named())?;
        no_output_twice(named())
    }

    /// Writes the CSV tables, the workbook and the report, each through `put` (a path and its
    /// bytes: [`crate::write::atomic_write`], or the command layer's writer, which also knows
    /// `-`); returns the files written. `input` names the input in the report's header.
    pub fn write(&self, model: &Model, proposal: &Proposal, input: &str, put: &Put) -> Result<Vec<PathBuf>> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        if let Some(d) = &self.csv {
            files.push((d.join("allocations.csv"), write::allocations_csv(model, proposal)));
            files.push((d.join("unallocated.csv"), write::unallocated_csv(model, proposal)));
            files.push((d.join("workers.csv"), write::worker_loads_csv(model, proposal)));
            make_dir(d)?;
        }
        if let Some(r) = &self.report {
            let meta = crate::report::Meta::today(input);
            files.push((r.clone(), crate::report::render_meta(model, proposal, &meta, &[]).into_bytes()));
        }
        if let Some(x) = &self.xlsx {
            files.push((
                x.clone(),
                write::workbook::proposal_workbook(&x.display().to_string(), model, proposal)?,
            ));
        }
        for (path, bytes) in &files {
            put(path, bytes)?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

/// How an output is written: its path and its bytes. Every output is made in full before the
/// first is written, so a failure leaves nothing half-written.
pub type Put<'a> = dyn Fn(&Path, &[u8]) -> Result<()> + 'a;

fn make_dir(d: &Path) -> Result<()> {
    std::fs::create_dir_all(d).map_err(|e| Error::Write {
        path: d.to_path_buf(),
        problem: format!("cannot create the directory: {e}"),
    })
}

/// Refuses an output (a flag and its path) that is one of the inputs, before anything is read:
/// `whatif m.json --json m.json` would replace the model with its scenarios. An output that
/// reaches an input by another name (a symbolic link, `./m.json`) is told which input it is.
/// Standard input and output (`-`) are never the same file as another.
pub fn no_output_over_input<'a>(
    inputs: impl IntoIterator<Item = &'a Path>,
    outputs: impl IntoIterator<Item = (&'a str, Option<&'a Path>)>,
) -> Result<()> {
    let keys: Vec<(PathBuf, &Path)> =
        inputs.into_iter().filter(|i| i.as_os_str() != "-").map(|i| (same_file_key(i), i)).collect();
    for (flag, out) in outputs {
        let Some(out) = out.filter(|o| o.as_os_str() != "-") else { continue };
        let key = same_file_key(out);
        if let Some((_, input)) = keys.iter().find(|(k, _)| *k == key) {
            let which = if *input == out {
                String::new()
            } else {
                format!(" (it is the same file as {})", input.display())
            };
            return Err(Error::Usage(format!(
                "{flag} {}: is an input; writing it would overwrite it{which}. Choose another output file or directory",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Refuses two outputs (each a flag and its path) that are one file: the second would replace
/// the first. Standard output (`-`) is left to the command's own rule for it.
pub fn no_output_twice<'a>(outputs: impl IntoIterator<Item = (&'a str, Option<&'a Path>)>) -> Result<()> {
    let mut seen: Vec<PathBuf> = Vec::new();
    for (flag, out) in outputs {
        let Some(out) = out.filter(|o| o.as_os_str() != "-") else { continue };
        let key = same_file_key(out);
        if seen.contains(&key) {
            return Err(Error::Usage(format!(
                "{flag} {}: would be written twice; choose different outputs",
                out.display()
            )));
        }
        seen.push(key);
    }
    Ok(())
}

/// A path's identity for "same file" checks: [`crate::write::file_key`].
pub fn same_file_key(p: &Path) -> PathBuf {
    crate::write::file_key(p)
}

/// What `caseload convert` reads and writes.
#[derive(Debug, Default, Clone)]
pub struct ConvertOptions {
    /// A model file (JSON) to turn into spreadsheets (with --csv-dir or --xlsx).
    pub model: Option<PathBuf>,
    /// Spreadsheets (CSV or a workbook) to turn into a model file (with -o) or into the other
    /// kind of spreadsheet.
    pub sheets: SheetInput,
    /// Where to write the model file built from the spreadsheets (written atomically).
    pub output: Option<PathBuf>,
    /// Where to write workers.csv, cases.csv and policy.json (created if missing).
    pub csv_dir: Option<PathBuf>,
    /// Where to write the model as an Excel workbook (sheets workers, cases, policy, and
    /// reductions when a worker has any).
    pub xlsx: Option<PathBuf>,
    /// How spreadsheets are checked before they become a model file: the day (the reductions
    /// in force on it; the command layer gives today, and without a day spreadsheets with
    /// reductions are refused), `--allow-empty` (a new template has no rows) and `--strict`.
    pub checks: Checks,
}

/// Runs `caseload convert`: a model file, CSV spreadsheets or a workbook in; a model file,
/// CSV spreadsheets or a workbook out (any of them, losslessly), each through `put` (as for
/// [`SheetOutput::write`]). Returns the files written.
pub fn convert(a: &ConvertOptions, put: &Put) -> Result<Converted> {
    let usage = || {
        Error::Usage(
            "use `caseload convert --workers W.csv --cases C.csv [--policy P.json] -o MODEL.json`, \
             `caseload convert --workbook BOOK.xlsx -o MODEL.json`, \
             or `caseload convert MODEL.json --csv-dir DIR` or `--xlsx BOOK.xlsx`"
                .into(),
        )
    };
    if a.output.is_none() && a.csv_dir.is_none() && a.xlsx.is_none() {
        return Err(usage());
    }
    let mut warnings = Vec::new();
    let (file, m, inputs): (String, ModelFile, Vec<PathBuf>) = match (&a.model, a.sheets.given()) {
        (None, true) => {
            let sheets = a.sheets.screened(a.checks).read()?;
            // Validated, so errors point at spreadsheet rows rather than at the new file.
            // Without a day, for today: spreadsheets with reductions need one, and weeks waited
            // change priorities, not validity.
            let today = crate::date::Date::from_unix_secs(crate::date::stamp_secs());
            let as_of = a.checks.as_of.or(Some(crate::model::AsOf { date: today, stated: false }));
            let checked = sheets.validate_on(as_of)?;
            let read = reading_warnings(&sheets, a.checks)?;
            warnings = crate::warnings::screen(&checked, Checks { as_of, ..a.checks }, &sheets.origin())?;
            warnings.extend(read);
            warnings.sort();
            let file =
                a.sheets.workbook.as_ref().map_or(sheets.workers_file.clone(), |b| b.display().to_string());
            (file, sheets.model, a.sheets.files().into_iter().map(Path::to_path_buf).collect())
        }
        (Some(model), false) => {
            let bytes = crate::read::read_bytes(model)?;
            let file = model.display().to_string();
            // Parsed, not validated: a model with problems can be mended in a spreadsheet.
            (file.clone(), crate::read::parse_model(&file, &bytes)?, vec![model.clone()])
        }
        _ => return Err(usage()),
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(out) = &a.output {
        files.push((out.clone(), crate::write::to_json(&m)));
    }
    if let Some(dir) = &a.csv_dir {
        files.push((dir.join("workers.csv"), write::workers_csv(&file, &m)?));
        files.push((dir.join("cases.csv"), write::cases_csv(&file, &m)?));
        files.push((dir.join("policy.json"), write::policy_json(&m)));
        if write::has_reductions(&m) {
            files.push((dir.join("reductions.csv"), write::reductions_csv(&file, &m)?));
        }
    }
    if let Some(x) = &a.xlsx {
        files.push((x.clone(), write::workbook::model_workbook(&file, &m)?));
    }
    for (p, _) in &files {
        if inputs.iter().any(|i| same_file_key(i) == same_file_key(p)) {
            return Err(Error::Usage(format!(
                "{} is an input; writing it would overwrite it. Choose another output",
                p.display()
            )));
        }
    }
    if let Some(dir) = &a.csv_dir {
        make_dir(dir)?;
    }
    for (p, b) in &files {
        put(p, b)?;
    }
    Ok(Converted { written: files.into_iter().map(|(p, _)| p).collect(), warnings })
}

/// What [`convert`] did: the files it wrote, and the warnings of the spreadsheets it read
/// (hidden rows or sheets, merged cells, near-misses), for the command to show.
#[derive(Debug)]
pub struct Converted {
    /// The files written, in order.
    pub written: Vec<PathBuf>,
    /// The warnings, sorted (none when a model file was converted).
    pub warnings: Vec<Warning>,
}

/// The sheets of a team workbook (`file`, `bytes`) that the model workbook written for `next`
/// (`write::workbook::model_workbook`: workers, cases, policy, and reductions and aliases when
/// it has any) will not have: `how to`, an empty `reductions` or `aliases`, a person's own
/// sheets. `accept` names them, since it writes next week's workbook anew.
pub fn sheets_left_behind(file: &str, bytes: &[u8], next: &crate::model::ModelFile) -> Result<Vec<String>> {
    let book = xlsx::Book::open(file, bytes)?;
    let mut written = vec!["workers", "cases", "policy"];
    if write::has_reductions(next) {
        written.push("reductions");
    }
    if next.policy.as_ref().and_then(|p| p.aliases.as_ref()).is_some_and(|a| !a.is_empty()) {
        written.push("aliases");
    }
    Ok(book
        .sheet_names()
        .into_iter()
        .filter(|n| !written.iter().any(|w| n.trim().eq_ignore_ascii_case(w)))
        .collect())
}
