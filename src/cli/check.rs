//! `caseload check`: a proposal, or today's allocation, against the rules.

use super::{exit, tell, InputChecksArgs, SheetInputArgs};
use caseload::check;
use caseload::error::Result;
use caseload::sheets::meeting;
use caseload::words::count;
use std::path::PathBuf;

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The model file (JSON); with --workers and --cases, leave it out (the one positional
    /// argument is then the PROPOSAL).
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// The proposal to check (a proposal file, or the meeting workbook `allocate --xlsx` wrote,
    /// as edited in the meeting); without it, today's allocation (each case's current_worker).
    pub proposal: Option<PathBuf>,
    /// Print the breaches as JSON.
    #[arg(long)]
    pub json: bool,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: InputChecksArgs,
}

/// Runs `check`; returns 0 without breaches, 1 with.
pub fn run(c: &CheckArgs) -> Result<i32> {
    let sheets = c.sheets.lower();
    // With spreadsheets, the one positional argument is the proposal.
    let proposal_path = if sheets.given() { c.model.as_deref() } else { c.proposal.as_deref() };
    let model_path = if sheets.given() { None } else { c.model.as_deref() };
    super::one_stdin(
        c.sheets.inputs().into_iter().chain([("MODEL", model_path), ("PROPOSAL", proposal_path)]),
    )?;
    // The proposal is read first: without --date, the model is read for the day it records.
    let proposal = match proposal_path {
        Some(path) if !(sheets.given() && c.proposal.is_some()) => Some(
            caseload::read::read_bytes(path)
                .and_then(|bytes| meeting::parse_proposal_read(&path.display().to_string(), &bytes)),
        ),
        _ => None,
    };
    let recorded = proposal.as_ref().and_then(|p| p.as_ref().ok()).and_then(|r| r.proposal.date());
    // A bad model is reported before a bad proposal, as it always was.
    let (model, warnings, _) = caseload::sheets::load_for_check(
        c.model.as_deref(),
        c.proposal.as_deref(),
        &sheets,
        c.checks.checks_on(recorded),
    )?;
    let proposal = proposal.transpose()?;
    // Rows hidden and cells merged on a meeting workbook, said whatever its rows hold.
    if let Some(r) = &proposal {
        super::print_warnings(&r.proposal.notes);
    }
    // Its workers sheet shows the model as of the day it was written for: read for that day too
    // when the model is read for another (a day retyped, or --date).
    let written = proposal.as_ref().and_then(|r| {
        c.checks.model_as_written(&r.proposal, &model, |checks| {
            caseload::sheets::load_for_check(c.model.as_deref(), c.proposal.as_deref(), &sheets, checks)
                .map(|(m, _, _)| m)
        })
    });
    // The mistakes found reading it are named with those its rows make against the model.
    let proposal = proposal
        .map(|r| r.judged(|p| check::resolve_with(&model, written.as_ref(), p, false)))
        .transpose()?;
    super::print_warnings(&warnings);
    // A meeting day retyped a year out, which `accept` refuses: said while the meeting can
    // still mend it.
    if let Some(e) = proposal.as_ref().and_then(caseload::accept::day_slip) {
        super::print_warnings(&[caseload::warnings::Warning {
            code: "meeting_day_retyped".into(),
            message: format!("{e}; `caseload accept` refuses it without --date"),
        }]);
    }
    let breaches = match &proposal {
        Some(p) => check::check_proposal(&model, p),
        None => check::check_today(&model),
    };
    let mut text = String::new();
    if c.json {
        text = serde_json::to_string_pretty(&breaches).unwrap_or_default() + "\n";
    } else {
        if proposal.is_none() {
            let (unallocated, la) = check::today_facts(&model);
            text += &format!(
                "today: {}, {} with no worker; {} held by staff who may not hold them\n",
                count(model.cases.len(), "case", "cases"),
                unallocated,
                count(la, "looked-after child", "looked-after children")
            );
        }
        for b in &breaches {
            text +=
                &format!("{}: {}\n", caseload::words::breach(&b.code), caseload::util::one_line(&b.message));
        }
        text += &if breaches.is_empty() {
            "no breaches\n".to_string()
        } else {
            format!("{}\n", count(breaches.len(), "breach", "breaches"))
        };
    }
    tell(&text, false)?;
    Ok(if breaches.is_empty() { exit::OK } else { exit::BREACHES })
}
