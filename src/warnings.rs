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
//! - `id_near_duplicate`: two worker ids, two case ids, two team names or two sibling groups
//!   differ only by case or Unicode normalisation (`W01` and `w01`; `Chloé` typed two ways;
//!   `Okafor` and `okafor`, whose children would not be kept together);
//! - `named_vacant`: an active worker whose id or name says the post is vacant (`VACANT-1`);
//! - `unlistable_worker_id`: a worker id holds a `;` or a `,`, which a spreadsheet's list cell
//!   (a case's `exclude` or `previous_workers`) cannot hold.
//!
//! Warnings are sorted by code and then by the names they concern, so they are deterministic.

use crate::model::Model;
use crate::model::Status;
use crate::vocabulary::Nearest;
use crate::words::{count, noun, verb};
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
    // ASCII text is its own NFKC form, and its lower case is the ASCII one: no normalising
    // pass (most ids and names are ASCII).
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        for word in s.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
        return out;
    }
    fold_unicode(s)
}

/// [`fold`] by the general route: NFKC, Unicode lower case, white space collapsed.
fn fold_unicode(s: &str) -> String {
    let lower: String = s.nfkc().collect::<String>().to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub use crate::util::quoted;

/// A list of names for a message: the first five, then how many more.
pub(crate) fn some(names: &[&str]) -> String {
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
    near_duplicates("sibling groups", m.groups.iter().map(|g| g.name.as_str()), &mut out);
    named_vacant(m, &mut out);
    unlistable_worker_ids(m, &mut out);
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
    let mut all = Nearest::new(skills.values().flat_map(|sp| sp.keys().map(|s| s.to_string())));
    let unknown = needs.keys().filter(|n| !skills.contains_key(&fold(n))).count();
    for (need, cases) in needs {
        let Some(spellings) = skills.get(&fold(need)) else {
            let near = all.nearest(need).unwrap_or_default();
            if !near.is_empty() {
                warn(
                    out,
                    "skill_near_miss",
                    format!(
                        "{} {} {} the skill {}, which no worker has, but it is a near-miss{}; skills must match exactly. Write the skill the same way in both places",
                        noun(cases.len(), "case", "cases"),
                        some(&cases),
                        verb(cases.len(), "needs", "need"),
                        quoted(need),
                        crate::vocabulary::did_you_mean(need, &near)
                    ),
                );
            }
            continue;
        };
        for (skill, workers) in spellings {
            if *skill == need {
                continue;
            }
            warn(
                out,
                "skill_near_miss",
                format!(
                    "{} {} {} the skill {} but {} {} {} {}, which differs only by case or spacing; skills must match exactly, so {} cannot go to {}. Write the skill the same way in both places",
                    noun(cases.len(), "case", "cases"),
                    some(&cases),
                    verb(cases.len(), "needs", "need"),
                    quoted(need),
                    noun(workers.len(), "worker", "workers"),
                    some(workers),
                    verb(workers.len(), "has", "have"),
                    quoted(skill),
                    noun(cases.len(), "this case", "these cases"),
                    noun(workers.len(), "that worker", "them"),
                ),
            );
        }
    }
    limited(out, &all, unknown, "skills needed that no worker has", "skill", "skills");
}

/// The warning `suggestions_limited` when `near` ran out of comparisons: of `asked` names,
/// how many were not compared with the `kind`s they could be a slip of.
fn limited(out: &mut Vec<Warning>, near: &Nearest, asked: usize, what: &str, kind: &str, kinds: &str) {
    let skipped = near.skipped();
    if skipped == 0 {
        return;
    }
    warn(
        out,
        "suggestions_limited",
        format!(
            "of the {} {what}, {} {} compared with the {} {} for a near-miss (too many to compare all: at most {} comparisons); {} {} no suggestion, check {} by hand",
            crate::limits::count(asked),
            crate::limits::count(skipped),
            verb(skipped, "was not", "were not"),
            crate::limits::count(near.len()),
            noun(near.len(), kind, kinds),
            crate::limits::count(crate::vocabulary::MAX_COMPARISONS),
            noun(skipped, "its warning", "their warnings"),
            verb(skipped, "gives", "give"),
            noun(skipped, "it", "them"),
        ),
    );
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
    // A team is never its own suggestion: one without active workers is not staffed, one
    // without cases has none. The closest names are looked-alike first (`T0l` is `T01`),
    // every tie listed ([`crate::vocabulary::did_you_mean`]).
    let mut staffed = Nearest::new(staffed.iter().copied());
    let mut with_cases = Nearest::new(with_cases.iter().copied());
    let unstaffed = (0..m.teams.len()).filter(|&t| !cases[t].is_empty() && active[t].is_empty()).count();
    let idle = (0..m.teams.len()).filter(|&t| cases[t].is_empty() && !active[t].is_empty()).count();
    for (t, team) in m.teams.iter().enumerate() {
        if !cases[t].is_empty() && active[t].is_empty() {
            warn(
                out,
                "team_without_active_worker",
                format!(
                    "team {} has {} ({}) but no active worker{}; check the team's name, or add its workers",
                    quoted(team),
                    count(cases[t].len(), "case", "cases"),
                    some(&cases[t]),
                    staffed.did_you_mean(team)
                ),
            );
        }
        if cases[t].is_empty() && !active[t].is_empty() {
            warn(
                out,
                "team_without_cases",
                format!(
                    "team {} has {} {} but no cases{}; check the team's name",
                    quoted(team),
                    noun(active[t].len(), "active worker", "active workers"),
                    some(&active[t]),
                    with_cases.did_you_mean(team)
                ),
            );
        }
    }
    limited(
        out,
        &staffed,
        unstaffed,
        "teams with cases but no active worker",
        "staffed team",
        "staffed teams",
    );
    limited(out, &with_cases, idle, "teams with workers but no cases", "team with cases", "teams with cases");
}

/// Active workers whose id or name says the post is vacant (`VACANT-1`, `Vacancy`): children
/// allocated to them would have nobody.
fn named_vacant(m: &Model, out: &mut Vec<Warning>) {
    // A word of its own (`VACANT-1`, `Vacancy 3`, `vacant2`), not part of a name (`Vacanti`).
    let says = |s: &str| {
        fold(s).split(|c: char| !c.is_alphanumeric()).any(|word| {
            let word = word.trim_end_matches(|c: char| c.is_ascii_digit());
            matches!(word, "vacant" | "vacancy" | "unfilled")
        })
    };
    let named: Vec<&str> = m
        .workers
        .iter()
        .filter(|w| w.status == Status::Active && (says(&w.id) || w.name.as_deref().is_some_and(says)))
        .map(|w| w.id.as_str())
        .collect();
    if !named.is_empty() {
        warn(
            out,
            "named_vacant",
            format!(
                "{} {} {} active but {} the post is vacant; children allocated there would have nobody. Give {} the status vacant",
                noun(named.len(), "worker", "workers"),
                some(&named),
                verb(named.len(), "is", "are"),
                if named.len() == 1 { "its id or name says" } else { "their ids or names say" },
                if named.len() == 1 { "it" } else { "them" },
            ),
        );
    }
}

/// Workers whose id holds a `;` or a `,` (lawful in a model file): a spreadsheet's list cell
/// (a case's `exclude` or `previous_workers`, in a team workbook or CSV) separates workers with
/// `;` and refuses a `,`, so it cannot name them, and `accept -o next.xlsx` stops once a child
/// leaves one. Said when the model is read, a week before the meeting runs into it. A vacant
/// post that holds no child is left out (`Post 9 (vacant, senior)`): no child can be given it,
/// so none can leave it, and excluding it means nothing; once filled (active), it is named.
fn unlistable_worker_ids(m: &Model, out: &mut Vec<Warning>) {
    let mut holds = vec![false; m.workers.len()];
    for w in m.cases.iter().filter_map(|c| c.current_worker) {
        holds[w] = true;
    }
    let ids: Vec<&str> = m
        .workers
        .iter()
        .enumerate()
        .filter(|(i, w)| w.id.contains([';', ',']) && (w.status != Status::Vacant || holds[*i]))
        .map(|(_, w)| w.id.as_str())
        .collect();
    if ids.is_empty() {
        return;
    }
    let n = ids.len();
    warn(
        out,
        "unlistable_worker_id",
        format!(
            "{} {} {} a ';' or a ',' in {}, which a spreadsheet's list cell cannot hold: a case's exclude and previous_workers cells separate workers with ';' (and refuse a ','), so a team workbook or CSV cannot name {} there (the id would read as other workers), and `caseload accept` cannot write next week's model as a workbook once a child leaves {}. Give {} {} without ';' or ','",
            noun(n, "worker", "workers"),
            some(&ids),
            verb(n, "has", "have"),
            noun(n, "its id", "their ids"),
            noun(n, "it", "them"),
            noun(n, "it", "one of them"),
            noun(n, "it", "them"),
            noun(n, "an id", "ids"),
        ),
    );
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
    /// A case's team or needed skill that matches nothing but is a near-miss of one that exists
    /// is a warning, not an input error (`--allow-near-misses`).
    pub allow_near_misses: bool,
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
    /// Where each case is, by id, when known: its row (`row 5`) in a spreadsheet, its entry
    /// (`cases[4]`) in a model file.
    pub cases_at: BTreeMap<String, String>,
}

impl Origin {
    /// A model file: `workers` and `cases` in `file`.
    pub fn file(file: &str) -> Origin {
        Origin {
            workers: (file.into(), "workers".into()),
            cases: (file.into(), "cases".into()),
            cases_at: BTreeMap::new(),
        }
    }

    /// A model file read as `input`: [`Origin::file`] with each case's entry (`cases[4]`), so
    /// that a message about a case places it as `m.json: cases[4].team`.
    pub fn model_file(file: &str, input: &crate::model::ModelFile) -> Origin {
        let mut o = Origin::file(file);
        o.cases_at =
            input.cases.iter().enumerate().map(|(i, c)| (c.id.clone(), format!("cases[{i}]"))).collect();
        o
    }

    /// The place of one field of a case, by its id: `row 5, column team` in a spreadsheet and
    /// `cases[4].team` in a model file when the case's place is known ([`Origin::cases_at`]);
    /// else `case "C01", column team` in a spreadsheet, `cases (id "C01"), field team` in a
    /// model file.
    pub fn case_place(&self, id: &str, field: &str) -> String {
        if let Some(at) = self.cases_at.get(id) {
            return if at.starts_with("row ") {
                format!("{at}, column {field}")
            } else {
                format!("{at}.{field}")
            };
        }
        if self.cases.1.starts_with("row ") {
            format!("case {}, column {field}", quoted(id))
        } else {
            format!("{} (id {}), field {field}", self.cases.1, quoted(id))
        }
    }
}

/// A near-miss that changes a child's outcome: a case's team that no worker is in, or a needed
/// skill that no worker has, close to one that exists (look-alike characters first, every tie
/// listed). Each is (case id, field, message).
pub fn near_misses(m: &Model) -> Vec<(String, &'static str, String)> {
    let staffed: BTreeSet<&str> = m.workers.iter().map(|w| m.teams[w.team].as_str()).collect();
    let skills: BTreeSet<&str> = m.workers.iter().flat_map(|w| w.skills.iter().map(String::as_str)).collect();
    let cases: Vec<(&str, &str, &[String])> =
        m.cases.iter().map(|c| (c.id.as_str(), m.teams[c.team].as_str(), c.needs.as_slice())).collect();
    near_misses_in(&staffed, Some(&skills), &cases)
}

/// [`near_misses`] of a model's parts: the teams that have a worker, the skills workers have
/// (`None`: not known for certain, so needs are not judged) and each case as (id, team, needs).
/// Used on the rows of a spreadsheet that did read when others did not, so that one run names
/// every mistake.
pub fn near_misses_in(
    staffed: &BTreeSet<&str>,
    skills: Option<&BTreeSet<&str>>,
    cases: &[(&str, &str, &[String])],
) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    let mut cases: Vec<&(&str, &str, &[String])> = cases.iter().collect();
    cases.sort_by(|a, b| a.0.cmp(b.0));
    // Past the comparisons allowed, a name not compared is not judged a near-miss here; its
    // warning (`team_without_active_worker`) stands, and `suggestions_limited` counts it.
    let mut staffed_names = Nearest::new(staffed.iter().copied());
    let mut by_team: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &&(id, team, _) in cases.iter().filter(|c| !staffed.contains(c.1)) {
        by_team.entry(team).or_default().push(id);
    }
    for (team, ids) in by_team {
        let near = staffed_names.slips(team).unwrap_or_default();
        if near.is_empty() {
            continue;
        }
        out.push((
            ids[0].to_string(),
            "team",
            format!(
                "the team {} of {} {} has no worker at all, so {} would get none; it is a near-miss{}. Correct the team, or give --allow-near-misses to go on knowingly",
                quoted(team),
                noun(ids.len(), "case", "cases"),
                some(&ids),
                noun(ids.len(), "this child", "these children"),
                crate::vocabulary::did_you_mean(team, &near)
            ),
        ));
    }
    let Some(skills) = skills else { return out };
    let mut skill_names = Nearest::new(skills.iter().copied());
    let mut needs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &&(id, _, wanted) in &cases {
        for n in wanted.iter().filter(|n| !skills.contains(n.as_str())) {
            needs.entry(n.as_str()).or_default().push(id);
        }
    }
    for (need, ids) in needs {
        let near = skill_names.slips(need).unwrap_or_default();
        if near.is_empty() {
            continue;
        }
        out.push((
            ids[0].to_string(),
            "needs",
            format!(
                "{} {} {} the skill {}, which no worker has, so {} would get no worker; it is a near-miss{}. Write the skill as the workers have it, or give --allow-near-misses to go on knowingly",
                noun(ids.len(), "case", "cases"),
                some(&ids),
                verb(ids.len(), "needs", "need"),
                quoted(need),
                noun(ids.len(), "this child", "these children"),
                crate::vocabulary::did_you_mean(need, &near)
            ),
        ));
    }
    out
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
    if !checks.allow_near_misses {
        for (id, field, problem) in near_misses(m) {
            errs.push(Error::input(&origin.cases.0, origin.case_place(&id, field), problem));
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

#[cfg(test)]
mod fold_tests {
    use super::*;
    use crate::generate::SplitMix64;

    /// ASCII text takes a short cut in `fold`; it folds exactly as the general route would,
    /// tabs, vertical tabs, runs of spaces and capitals included.
    #[test]
    fn ascii_text_folds_as_the_general_route_folds_it() {
        let alphabet: Vec<char> = "aZ09 _-.\t\n\r\u{b}\u{c}Qx  ".chars().collect();
        let mut g = SplitMix64::new(7);
        for case in 0..3000 {
            let s: String = (0..g.below(14)).map(|_| alphabet[g.below(alphabet.len())]).collect();
            assert_eq!(fold(&s), fold_unicode(&s), "case {case}: {s:?}");
        }
        assert_eq!(fold("  Team\u{b}One \t"), "team one");
        assert_eq!(fold("ＴＥＡＭ  Ａ"), "team a");
    }
}
