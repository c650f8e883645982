//! `caseload convert`: spreadsheets to a model file, or a model file to spreadsheets.

use super::{exit, say, SheetInputArgs};
use caseload::error::{Error, Result};
use std::path::PathBuf;

/// Arguments of `caseload convert`.
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// A model file (JSON) to turn into spreadsheets (with --csv-dir).
    pub model: Option<PathBuf>,
    /// Spreadsheets to turn into a model file (with -o).
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// Where to write the model file built from the spreadsheets (written atomically).
    #[arg(short, long, value_name = "MODEL")]
    pub output: Option<PathBuf>,
    /// Where to write workers.csv, cases.csv and policy.json from MODEL (created if missing).
    #[arg(long, value_name = "DIR")]
    pub csv_dir: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `convert`; returns the exit status.
pub fn run(a: &ConvertArgs) -> Result<i32> {
    let sheets = a.sheets.lower();
    let written: Vec<PathBuf> = match (&a.model, sheets.given(), &a.output, &a.csv_dir) {
        (None, true, Some(out), None) => {
            caseload::sheets::sheets_to_model(&sheets, out)?;
            vec![out.clone()]
        }
        (Some(model), false, None, Some(dir)) => caseload::sheets::model_to_sheets(model, dir)?,
        _ => {
            return Err(Error::Usage(
                "use `caseload convert --workers W.csv --cases C.csv [--policy P.json] -o MODEL.json` \
                 or `caseload convert MODEL.json --csv-dir DIR`"
                    .into(),
            ))
        }
    };
    if !a.quiet {
        let text: String = written.iter().map(|p| format!("written {}\n", p.display())).collect();
        say(&text, false);
    }
    Ok(exit::OK)
}
