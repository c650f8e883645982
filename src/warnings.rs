//! Warnings: near-misses that the rules accept but that are almost always a typing mistake,
//! and that silently change who gets a worker.
//!
//! Matching of skills, teams and ids stays **exact** (case-, space- and Unicode-sensitive), as
//! SPEC section 3 says (`every skill in c.needs is in w.skills`, `w.team == c.team`): a
//! case-insensitive match would change the allocation of models that work today, and would
//! make `check` disagree with any other program that reads the same file. Instead, every
//! near-miss is named here, and `--strict` turns the warnings into input errors:
//!
//! - `skill_near_miss`: a case needs a skill that differs from a worker's skill only by case,
//!   spacing or Unicode normalisation (`Urdu` and `urdu`, `sign  language` and `sign language`);
//! - `team_without_active_worker`: a team has cases but no active worker (`Ladywod`);
//! - `team_without_cases`: a team has active workers but no cases;
//! - `id_near_duplicate`: two worker ids, two case ids or two team names differ only by case
//!   or Unicode normalisation (`W01` and `w01`; `Chloé` typed two ways).
//!
//! Warnings are sorted by code and then by the names they concern, so they are deterministic.

use crate::model::Model;
use crate::model::Status;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

/// One warning: a stable code and a message in words, with what to do.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Stable code, such as `skill_near_miss`.
    pub code: String,
    /// What is odd and how to fix it.
    pub message: String,
}

/// Text folded for comparison: Unicode compatibility-normalised (NFKC), lower case, runs of
/// white space as one space, trimmed.
pub fn fold(s: &str) -> String {
    let lower: String = s.nfkc().collect::<String>().to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A string in double quotes, shown as text: only quotes, backslashes and control characters
/// are escaped, so `Chloé` reads as `"Chloé"` however its accent was typed.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A list of names for a message: the first five, then how many more.
fn some(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| quoted(n)).collect();
    if names.len() > 5 {
        format!("{} and {} more", shown.join(", "), names.len() - 5)
    } else {
        shown.join(", ")
    }
}

/// Every warning for a checked model, sorted.
pub fn warnings(m: &Model) -> Vec<Warning> {
    let mut out = Vec::new();
    skill_near_misses(m, &mut out);
    teams(m, &mut out);
    near_duplicates("worker ids", m.workers.iter().map(|w| w.id.as_str()), &mut out);
    near_duplicates("case ids", m.cases.iter().map(|c| c.id.as_str()), &mut out);
    near_duplicates("team names", m.teams.iter().map(String::as_str), &mut out);
    out.sort();
    out
}

fn warn(out: &mut Vec<Warning>, code: &str, message: String) {
    out.push(Warning { code: code.to_string(), message });
}

fn skill_near_misses(m: &Model, out: &mut Vec<Warning>) {
    // Worker skills by folded form: exact spelling -> workers.
    let mut skills: BTreeMap<String, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for w in &m.workers {
        for s in &w.skills {
            skills.entry(fold(s)).or_default().entry(s.as_str()).or_default().push(&w.id);
        }
    }
    // Needed skills: exact spelling -> cases.
    let mut needs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in &m.cases {
        for n in &c.needs {
            needs.entry(n.as_str()).or_default().push(&c.id);
        }
    }
    for (need, cases) in needs {
        let Some(spellings) = skills.get(&fold(need)) else { continue };
        for (skill, workers) in spellings {
            if *skill == need {
                continue;
            }
            warn(
                out,
                "skill_near_miss",
                format!(
                    "case(s) {} need the skill {} but worker(s) {} have {}, which differs only by case or spacing; skills must match exactly, so these cases cannot go to them. Write the skill the same way in both places",
                    some(&cases),
                    quoted(need),
                    some(workers),
                    quoted(skill)
                ),
            );
        }
    }
}

/// Edit distance of two short strings, for "did you mean".
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest other team name, when it is close enough to be a typing slip.
fn did_you_mean<'a>(name: &str, others: impl Iterator<Item = &'a str>) -> String {
    let f = fold(name);
    let best = others
        .filter(|o| *o != name)
        .map(|o| (distance(&f, &fold(o)), o))
        .filter(|(d, o)| *d <= 2.max(o.chars().count() / 4))
        .min();
    best.map_or(String::new(), |(_, o)| format!(" (did you mean {}?)", quoted(o)))
}

fn teams(m: &Model, out: &mut Vec<Warning>) {
    let mut cases: Vec<Vec<&str>> = vec![Vec::new(); m.teams.len()];
    for c in &m.cases {
        cases[c.team].push(&c.id);
    }
    let mut active: Vec<Vec<&str>> = vec![Vec::new(); m.teams.len()];
    for w in m.workers.iter().filter(|w| w.status == Status::Active) {
        active[w.team].push(&w.id);
    }
    let staffed: BTreeSet<&str> =
        (0..m.teams.len()).filter(|&t| !active[t].is_empty()).map(|t| m.teams[t].as_str()).collect();
    let with_cases: BTreeSet<&str> =
        (0..m.teams.len()).filter(|&t| !cases[t].is_empty()).map(|t| m.teams[t].as_str()).collect();
    for (t, team) in m.teams.iter().enumerate() {
        if !cases[t].is_empty() && active[t].is_empty() {
            warn(
                out,
                "team_without_active_worker",
                format!(
                    "team {} has {} case(s) ({}) but no active worker{}; check the team's name, or add its workers",
                    quoted(team),
                    cases[t].len(),
                    some(&cases[t]),
                    did_you_mean(team, staffed.iter().copied())
                ),
            );
        }
        if cases[t].is_empty() && !active[t].is_empty() {
            warn(
                out,
                "team_without_cases",
                format!(
                    "team {} has active worker(s) {} but no cases{}; check the team's name",
                    quoted(team),
                    some(&active[t]),
                    did_you_mean(team, with_cases.iter().copied())
                ),
            );
        }
    }
}

fn near_duplicates<'a>(what: &str, names: impl Iterator<Item = &'a str>, out: &mut Vec<Warning>) {
    let mut by_fold: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for n in names {
        by_fold.entry(fold(n)).or_default().insert(n);
    }
    for (_, set) in by_fold {
        if set.len() < 2 {
            continue;
        }
        let names: Vec<&str> = set.into_iter().collect();
        let nfc: BTreeSet<String> = names.iter().map(|n| n.nfc().collect()).collect();
        let how = if nfc.len() < names.len() {
            "look the same but are typed with different Unicode characters (an accent typed two ways)"
        } else {
            "differ only by case or spacing"
        };
        warn(
            out,
            "id_near_duplicate",
            format!(
                "{what} {} {how}; they count as different, which is rarely meant. Use one spelling",
                some(&names)
            ),
        );
    }
}

/// What to do beyond the rules when a model is loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checks {
    /// Warnings are input errors.
    pub strict: bool,
    /// A model with no cases or no workers is accepted.
    pub allow_empty: bool,
    /// The day the model is read for: the reductions in force on it (`--date`, or today).
    /// `None` refuses a model with reductions.
    pub as_of: Option<crate::model::AsOf>,
}

/// Where a model came from, to name it in messages: (file, place) of its workers and of its
/// cases, such as `("m.json", "workers")` or `("cases.csv", "row 2")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Where the workers are.
    pub workers: (String, String),
    /// Where the cases are.
    pub cases: (String, String),
}

impl Origin {
    /// A model file: `workers` and `cases` in `file`.
    pub fn file(file: &str) -> Origin {
        Origin { workers: (file.into(), "workers".into()), cases: (file.into(), "cases".into()) }
    }
}

/// Screens a checked model: an empty caseload or workforce is an input error (unless
/// `allow_empty`), so that an empty export run from cron cannot replace last week's proposal
/// with an empty one; then the warnings, which are errors under `strict`. Returns the warnings.
pub fn screen(m: &Model, checks: Checks, origin: &Origin) -> crate::error::Result<Vec<Warning>> {
    use crate::error::{Error, Errors};
    let mut errs = Errors::new();
    if !checks.allow_empty {
        if m.workers.is_empty() {
            errs.push(Error::input(
                &origin.workers.0,
                &origin.workers.1,
                "there are no workers; an empty workforce is almost always a failed export. Give --allow-empty if it is meant",
            ));
        }
        if m.cases.is_empty() {
            errs.push(Error::input(
                &origin.cases.0,
                &origin.cases.1,
                "there are no cases; an empty caseload is almost always a failed export (a sheet with only its header row). Give --allow-empty if it is meant",
            ));
        }
    }
    let found = warnings(m);
    if checks.strict {
        for w in &found {
            errs.push(Error::input(
                &origin.cases.0,
                format!("warning {}", w.code),
                format!("{} (--strict makes warnings errors)", w.message),
            ));
        }
    }
    errs.finish()?;
    Ok(found)
}
