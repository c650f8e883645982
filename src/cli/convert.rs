//! `caseload convert`: spreadsheets to a model file, or a model file to spreadsheets.

use super::{exit, say, shown, SheetInputArgs};
use caseload::error::Result;
use caseload::sheets::ConvertOptions;
use std::path::PathBuf;

/// Arguments of `caseload convert`.
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// A model file (JSON) to turn into spreadsheets (with --csv-dir or --xlsx).
    pub model: Option<PathBuf>,
    /// Spreadsheets (CSV or a workbook) to turn into a model file (with -o) or into the other
    /// kind of spreadsheet.
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// Where to write the model file built from the spreadsheets (written atomically; `-` for
    /// standard output).
    #[arg(short, long, value_name = "MODEL")]
    pub output: Option<PathBuf>,
    /// Where to write workers.csv, cases.csv and policy.json (created if missing).
    #[arg(long, value_name = "DIR")]
    pub csv_dir: Option<PathBuf>,
    /// Where to write the model as an Excel workbook (sheets workers, cases, policy; `-` for
    /// standard output).
    #[arg(long, value_name = "XLSX")]
    pub xlsx: Option<PathBuf>,
    /// Checks of the spreadsheets read: --allow-empty (a new template), --strict, --date.
    #[command(flatten)]
    pub checks: super::InputChecksArgs,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `convert`; returns the exit status.
pub fn run(a: &ConvertArgs) -> Result<i32> {
    super::one_stdin(a.sheets.inputs().into_iter().chain([("MODEL", a.model.as_deref())]))?;
    super::one_stdout([("-o", a.output.as_deref()), ("--xlsx", a.xlsx.as_deref())])?;
    super::no_stdout_dir("--csv-dir", a.csv_dir.as_deref())?;
    // An output that is an input, through a link too, is refused as that before its name is
    // judged, as every command does: writing over an input is the worse mistake, and `--xlsx
    // mine` with `mine -> model.json` is the model, not a workbook's misnamed file. The
    // library checks again once it knows every file it writes (`reductions.csv`).
    let csv: Vec<PathBuf> = a
        .csv_dir
        .iter()
        .flat_map(|d| ["workers.csv", "cases.csv", "policy.json"].map(|f| d.join(f)))
        .collect();
    caseload::sheets::no_output_over_input(
        a.sheets.lower().inputs(a.model.as_deref()),
        [("-o", a.output.as_deref()), ("--xlsx", a.xlsx.as_deref())]
            .into_iter()
            .chain(a.csv_dir.iter().map(|d| ("--csv-dir", Some(d.as_path()))))
            .chain(csv.iter().map(|f| ("--csv-dir", Some(f.as_path())))),
    )?;
    super::named_as_written(
        [
            ("-o", a.output.as_deref(), super::Kind::Json),
            ("--xlsx", a.xlsx.as_deref(), super::Kind::Workbook),
        ],
        &[
            (super::Kind::Workbook, "--xlsx {name}"),
            (
                super::Kind::Csv,
                "--csv-dir with a directory (workers.csv, cases.csv and policy.json are written there)",
            ),
            (super::Kind::Json, "-o {name}"),
        ],
    )?;
    // A file where the directory belongs is a usage mistake, said before anything is read
    // (not a write error once the model has been read).
    if let Some(d) = a.csv_dir.as_deref().filter(|d| d.exists() && !d.is_dir()) {
        return Err(caseload::error::Error::Usage(format!(
            "--csv-dir {}: is a file, not a directory",
            d.display()
        )));
    }
    let options = ConvertOptions {
        model: a.model.clone(),
        sheets: a.sheets.lower(),
        output: a.output.clone(),
        csv_dir: a.csv_dir.clone(),
        xlsx: a.xlsx.clone(),
        checks: a.checks.checks(),
    };
    let stage = super::Stage::default();
    let converted = caseload::sheets::convert(&options, &|p, b| stage.put(p, b))?;
    stage.commit()?;
    super::print_warnings(&converted.warnings);
    let written = converted.written;
    if !a.quiet {
        let text: String = written.iter().map(|p| format!("written {}\n", shown(p))).collect();
        say(&text, written.iter().any(|p| super::names_stdout(p)));
    }
    Ok(exit::OK)
}
