//! `caseload template`: a starter workbook to fill in.

use super::{exit, say, shown};
use caseload::error::{Error, Result};
use std::path::PathBuf;

/// Arguments of `caseload template`.
#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// Where to write the workbook (.xlsx; written atomically; `-` for standard output).
    #[arg(short, long, value_name = "XLSX")]
    pub output: PathBuf,
    /// Replace the file if it exists (without it, a filled-in workbook is never overwritten).
    #[arg(long)]
    pub force: bool,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `template`; returns the exit status.
pub fn run(a: &TemplateArgs) -> Result<i32> {
    super::named_as_written([("-o", Some(a.output.as_path()), super::Kind::Workbook)], &[])?;
    let to_stdout = super::is_stdout(&a.output);
    if !to_stdout && a.output.exists() && !a.force {
        return Err(Error::Usage(format!(
            "{} exists; a template would replace what is in it. Give another file name, or --force to replace it",
            a.output.display()
        )));
    }
    let bytes = caseload::sheets::write::template::template_workbook()?;
    super::emit(&a.output, &bytes)?;
    if !a.quiet {
        let text = format!(
            "written {}: fill in the sheets workers and cases (the sheet \"how to\" says how), then run\n  caseload allocate --workbook {} -o proposal.json --xlsx meeting.xlsx\n",
            shown(&a.output),
            a.output.display()
        );
        say(&text, to_stdout);
    }
    Ok(exit::OK)
}
