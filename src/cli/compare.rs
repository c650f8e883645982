//! `caseload compare`: two allocations of one model (the proposal and the manager's edited
//! copy) side by side.

use super::{exit, tell, InputChecksArgs, SheetInputArgs};
use caseload::check;
use caseload::compare::{self, Comparison, Side};
use caseload::error::{Error, Result};
use caseload::proposal::ObjectiveTerms;
use caseload::report::num;
use caseload::words::count;
use std::path::{Path, PathBuf};

/// Arguments of `compare`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// MODEL A.json B.json: the model file (JSON, or `-` for standard input) and the two
    /// proposals to compare (proposal files, or meeting workbooks as edited); with --workers
    /// and --cases, only A.json B.json. A may be last week's: its closed cases and this week's
    /// new referrals are listed apart.
    #[arg(value_name = "MODEL A B", num_args = 2..=3, required = true)]
    pub files: Vec<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: InputChecksArgs,
    /// Also write the comparison as JSON (`-` for standard output; the text then goes to
    /// standard error).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print nothing (the exit status still tells).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `compare`; returns 0 when both are lawful and allocate every child alike, 1 when they
/// differ or either breaks a rule.
pub fn run(a: &CompareArgs) -> Result<i32> {
    let sheets = a.sheets.lower();
    let (model_path, pa, pb) = match (a.files.as_slice(), sheets.given()) {
        ([m, x, y], false) => (Some(m.as_path()), x, y),
        ([x, y], true) => (None, x, y),
        ([_, _], false) => {
            return Err(Error::Usage(
                "give MODEL A.json B.json (or --workers and --cases, then A.json B.json)".into(),
            ))
        }
        _ => {
            return Err(Error::Usage(
                "with --workers and --cases, give only the two proposals A.json B.json".into(),
            ))
        }
    };
    super::one_stdin(a.sheets.inputs().into_iter().chain([
        ("MODEL", model_path),
        ("A", Some(pa.as_path())),
        ("B", Some(pb.as_path())),
    ]))?;
    let mut inputs = sheets.inputs(model_path);
    inputs.extend([pa.as_path(), pb.as_path()]);
    caseload::sheets::no_output_over_input(inputs, [("--json", a.json.as_deref())])?;
    // An output named as another kind of file (after the inputs: writing over one is worse).
    super::named_as_written([("--json", a.json.as_deref(), super::Kind::Json)], &[])?;
    let read = |p: &Path| -> Result<(String, caseload::sheets::meeting::Read)> {
        let name = p.display().to_string();
        let bytes = caseload::read::read_bytes(p)?;
        let parsed = caseload::sheets::meeting::parse_proposal_read(&name, &bytes)?;
        Ok((name, parsed))
    };
    // The proposals are read first: without --date, the model is read for the day they record.
    let (ra, rb) = (read(pa), read(pb));
    let recorded = [&ra, &rb].into_iter().find_map(|r| r.as_ref().ok().and_then(|(_, r)| r.proposal.date()));
    // A bad model is reported before a bad proposal, as by `check`.
    let (model, warnings) =
        caseload::sheets::load_screened(model_path, &sheets, a.checks.checks_on(recorded))?;
    super::print_warnings(&warnings);
    let (na, xa) = ra?;
    let (nb, xb) = rb?;
    super::print_warnings(&xa.proposal.notes);
    super::print_warnings(&xb.proposal.notes);
    // The first may be last week's: the cases closed since are not in this week's model. The
    // mistakes found reading each are named with those its rows make against the model.
    // B's workers sheet shows the model as of the day it was written for: read for that day
    // too when the model is read for another.
    let written = a.checks.model_as_written(&xb.proposal, &model, |checks| {
        caseload::sheets::load_screened(model_path, &sheets, checks).map(|(m, _)| m)
    });
    let (xa, xb) = (
        xa.judged(|p| check::resolve(&model, p, true)),
        xb.judged(|p| check::resolve_with(&model, written.as_ref(), p, false)),
    );
    let (xa, xb) = match (xa, xb) {
        (Ok(xa), Ok(xb)) => (xa, xb),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
        (Err(a), Err(b)) => return Err(Error::both(a, b)),
    };
    let cmp = compare::compare(&model, (&na, &xa), (&nb, &xb));
    let to_stdout = a.json.as_deref().is_some_and(super::is_stdout);
    if let Some(path) = &a.json {
        super::emit(path, &caseload::write::to_json(&cmp))?;
    }
    if !a.quiet {
        tell(&text(&cmp), to_stdout)?;
    }
    Ok(if cmp.agree() { exit::OK } else { exit::BREACHES })
}

fn verdict(s: &Side) -> String {
    let stale = s.breaches.iter().filter(|b| !compare::breaks_a_rule(&b.code)).count();
    let broken = s.breaches.len() - stale;
    let mut out = format!("{}: {} allocated, {} unallocated; ", s.file, s.allocated, s.unallocated);
    out += &if broken == 0 {
        "lawful".to_string()
    } else {
        format!("{} broken", count(broken, "rule", "rules"))
    };
    if stale > 0 {
        out += &format!(
            "; {} (stated objective, loads, changes, reasons or order)",
            count(stale, "stale or wrong statement", "stale or wrong statements")
        );
    }
    out
}

/// The comparison for people.
pub fn text(c: &Comparison) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (label, s) in [("A", &c.a), ("B", &c.b)] {
        let _ = writeln!(out, "{label} {}", verdict(s));
        for b in &s.breaches {
            let _ = writeln!(
                out,
                "    {}: {}",
                caseload::words::breach(&b.code),
                caseload::util::one_line(&b.message)
            );
        }
    }
    // The objective term by term, every term either side has (a term that is zero may be left
    // out of the serialised terms), each with the sign it enters the objective with.
    let object = |t: &ObjectiveTerms| {
        serde_json::to_value(t).ok().and_then(|v| v.as_object().cloned()).unwrap_or_default()
    };
    let (oa, ob) = (object(&c.a.objective_terms), object(&c.b.objective_terms));
    let mut keys: Vec<&String> = oa.keys().chain(ob.keys()).collect();
    keys.sort_by_key(|k| (k.as_str() != "priority", k.to_string()));
    keys.dedup();
    let sign = |key: &str| -> &'static str {
        let mut one = object(&ObjectiveTerms::default());
        one.insert(key.to_string(), serde_json::Value::from(1.0));
        let adds = serde_json::from_value::<ObjectiveTerms>(serde_json::Value::Object(one))
            .map(|t| caseload::objective::value(&t) > 0.0)
            .unwrap_or(false);
        match (key, adds) {
            ("priority", _) => "",
            (_, true) => "+ ",
            _ => "- ",
        }
    };
    let _ = writeln!(out, "  {:<20} {:>14} {:>14} {:>12}", "objective", "A", "B", "B - A");
    for k in keys {
        let get =
            |o: &serde_json::Map<String, serde_json::Value>| o.get(k).and_then(|x| x.as_f64()).unwrap_or(0.0);
        let (x, y) = (get(&oa), get(&ob));
        let _ = writeln!(
            out,
            "  {:<20} {:>14} {:>14} {:>12}",
            format!("{}{}", sign(k), k.replace('_', " ")),
            num(x),
            num(y),
            num(y - x)
        );
    }
    let _ = writeln!(
        out,
        "  {:<20} {:>14} {:>14} {:>12}",
        "= objective",
        num(c.a.objective),
        num(c.b.objective),
        num(c.objective_difference)
    );
    if !c.new_referrals.is_empty() {
        let _ = writeln!(out, "{} only in B (new referrals):", children(c.new_referrals.len()));
        for x in &c.new_referrals {
            let _ = writeln!(out, "  {}: {}", x.case, x.b.as_deref().unwrap_or("unallocated"));
        }
    }
    if !c.closed.is_empty() {
        let _ = writeln!(out, "{} only in A, no longer in the model (closed):", children(c.closed.len()));
        for x in &c.closed {
            let _ = writeln!(out, "  {}: was {}", x.case, x.a.as_deref().unwrap_or("unallocated"));
        }
    }
    if !c.left.is_empty() {
        let _ = writeln!(
            out,
            "{} named in A, no longer in the model (left): {}",
            workers(c.left.len()),
            c.left.join(", ")
        );
    }
    if c.same {
        let _ = writeln!(out, "every child has the same worker in both");
    } else {
        let _ = writeln!(out, "{} allocated differently (A -> B):", children(c.changed.len()));
        // Apart from new referrals and closed cases: real changes of worker.
        for x in &c.changed {
            let _ = writeln!(
                out,
                "  {}: {} -> {}",
                x.case,
                x.a.as_deref().unwrap_or("unallocated"),
                x.b.as_deref().unwrap_or("unallocated")
            );
        }
        let _ = writeln!(out, "{} with a different load (A -> B):", workers(c.loads.len()));
        for l in &c.loads {
            let _ = writeln!(
                out,
                "  {}: {} -> {} (target {}, cap {})",
                l.worker,
                num(l.a),
                num(l.b),
                num(l.target),
                num(l.cap)
            );
        }
    }
    out
}

fn children(n: usize) -> String {
    format!("{n} {}", if n == 1 { "child" } else { "children" })
}

fn workers(n: usize) -> String {
    format!("{n} {}", if n == 1 { "worker" } else { "workers" })
}
