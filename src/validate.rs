//! Validation: turns a [`ModelFile`] into a checked [`Model`] (defined in [`crate::model`]) with every default filled in, or
//! refuses it with the file, the place (`cases[17].current_worker`) and what to do.
//!
//! Each check is a small function named after what it checks. Checks run in file order, so the
//! first error reported is the first one in the file.

use crate::date::Date;
use crate::error::{Error, Errors, Result};
use crate::model::{AsOf, CaseInput, ModelFile, Policy, PolicyInput, ReductionInput, WorkerInput};
use crate::model::{Case, Group, Worker};
use crate::rules;
use crate::util::sha256_hex;
use crate::warnings::quoted as q;
use crate::words::given;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::Model;

/// Validates a parsed model file read for no particular day: a model with reductions is
/// refused (they need a day; see [`validate_on`]). `file` names it in messages; `bytes` are
/// hashed for audit.
///
/// Every mistake is reported at once (up to [`Errors::LIMIT`]), in file order: one
/// [`Error::Input`] when there is one, an [`Error::Inputs`] when there are several.
pub fn validate(file: &str, input: &ModelFile, bytes: &[u8]) -> Result<Model> {
    validate_on(file, input, bytes, None)
}

/// Validates a parsed model file read for a day: the reductions in force on `as_of` are taken
/// off each worker's cap and target, and everything after validation sees only those. With
/// `None`, a model with reductions is an input error.
pub fn validate_on(file: &str, input: &ModelFile, bytes: &[u8], as_of: Option<AsOf>) -> Result<Model> {
    let (errs, parts) = checked(file, input, as_of, &[]);
    errs.finish()?;
    let Parts { policy, teams, workers, cases, groups, case_rank } = parts;
    let err = |place: String, problem: String| Error::input(file, place, problem);

    // Every proposal records the day it is for (SPEC extension): the day the model is read for.
    let date = as_of.map(|a| a.date);
    let cases = with_waiting_priority(file, &policy, cases, date)?;
    let aliases = input.policy.as_ref().and_then(|p| p.aliases.clone()).unwrap_or_default();
    let model = Model { policy, teams, workers, cases, groups, hash: sha256_hex(bytes), date, aliases };
    // Rule 10: a pinned allocation must itself be lawful.
    let file_index: Vec<usize> = invert(&case_rank);
    rules::check_pins(&model)
        .map_err(|(c, p)| err(format!("cases[{}].pinned", file_index[c]), crate::words::pin(&model, &p)))?;
    Ok(model)
}

/// The problems of a model whose worker rows with the ids `unread` could not be read (a
/// spreadsheet with mistakes in its cells): everything that can be checked on the entries that
/// did read, with references to an unread worker taken as found. Placed as in a model file
/// (`cases[3].current_worker`), in file order. Without a day, reductions are checked for
/// their amounts and dates, not for the day they would be read for.
pub fn problems(file: &str, input: &ModelFile, as_of: Option<AsOf>, unread: &[String]) -> Vec<Error> {
    let found = match checked(file, input, as_of, unread).0.finish() {
        Ok(()) => Vec::new(),
        Err(Error::Inputs { errors, .. }) => errors,
        Err(e) => vec![e],
    };
    let undated = |e: &Error| {
        as_of.is_none() && matches!(e, Error::Input { place, .. } if place.ends_with("].reductions"))
    };
    found.into_iter().filter(|e| !undated(e)).collect()
}

/// A model's checked parts, before the checks that need the whole model.
struct Parts {
    policy: Policy,
    teams: Vec<String>,
    workers: Vec<Worker>,
    cases: Vec<Case>,
    groups: Vec<Group>,
    case_rank: Vec<usize>,
}

/// Checks every entry of a model file, in file order; references to the worker ids `unread`
/// count as found (their parts are then not a model to use).
fn checked(file: &str, input: &ModelFile, as_of: Option<AsOf>, unread: &[String]) -> (Errors, Parts) {
    let mut errs = Errors::new();
    let err = |place: String, problem: String| Error::input(file, place, problem);
    if let Err(p) = check_version(input.version) {
        errs.push(err("version".into(), p));
    }
    let policy_in = input.policy.clone().unwrap_or_default();
    for (place, p) in check_policy(&policy_in) {
        errs.push(err(format!("policy.{place}"), p));
    }
    let policy = Policy::from_input(&policy_in);

    let (worker_ids, id_errs) = unique_ids(input.workers.iter().map(|w| w.id.as_str()), "workers");
    id_errs.into_iter().for_each(|(place, p)| errs.push(err(place, p)));
    let (case_ids, id_errs) = unique_ids(input.cases.iter().map(|c| c.id.as_str()), "cases");
    id_errs.into_iter().for_each(|(place, p)| errs.push(err(place, p)));

    let mut teams: BTreeSet<&str> = BTreeSet::new();
    teams.extend(input.workers.iter().map(|w| w.team.as_str()));
    teams.extend(input.cases.iter().map(|c| c.team.as_str()));
    let teams: Vec<String> = teams.into_iter().map(String::from).collect();
    let team_index = |t: &str| teams.binary_search_by(|x| x.as_str().cmp(t)).unwrap_or(0);

    // Sorted order of workers by id: file index -> model index.
    let worker_rank = rank(&worker_ids);
    let case_rank = rank(&case_ids);
    let mut worker_index = WorkerIndex {
        ids: worker_ids.iter().enumerate().map(|(i, id)| (id.clone(), worker_rank[i])).collect(),
        ..WorkerIndex::default()
    };
    for w in &input.workers {
        if let Some(name) = w.name.as_deref().map(crate::warnings::fold).filter(|n| !n.is_empty()) {
            worker_index.names.entry(name).or_default().push(w.id.clone());
        }
    }
    for id in unread {
        worker_index.ids.entry(id.clone()).or_insert(usize::MAX);
    }

    let mut workers: Vec<Option<Worker>> = vec![None; input.workers.len()];
    for (i, w) in input.workers.iter().enumerate() {
        match check_worker(w, &policy, &worker_index, as_of.map(|a| a.date)) {
            Ok(worker) => workers[worker_rank[i]] = Some(Worker { team: team_index(&w.team), ..worker }),
            Err(list) => list.into_iter().for_each(|(f, p)| errs.push(err(format!("workers[{i}].{f}"), p))),
        }
    }
    let workers: Vec<Worker> = workers.into_iter().flatten().collect();

    let mut group_names: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in input.cases.iter().enumerate() {
        if let Some(g) = &c.group {
            group_names.entry(g.as_str()).or_default().push(case_rank[i]);
        }
    }
    let groups: Vec<Group> = group_names
        .iter()
        .map(|(name, members)| {
            let mut members = members.clone();
            members.sort_unstable();
            Group { name: name.to_string(), members }
        })
        .collect();
    let group_index: HashMap<&str, usize> = group_names.keys().enumerate().map(|(i, n)| (*n, i)).collect();

    let mut cases: Vec<Option<Case>> = vec![None; input.cases.len()];
    for (i, c) in input.cases.iter().enumerate() {
        match check_case(c, &policy, &worker_index) {
            Ok(case) => {
                if let Some(problem) = wait_after_day(&case, as_of) {
                    errs.push(err(format!("cases[{i}].waiting_since"), problem));
                }
                let group = c.group.as_deref().and_then(|g| group_index.get(g).copied());
                cases[case_rank[i]] = Some(Case { team: team_index(&c.team), group, ..case });
            }
            Err(list) => list.into_iter().for_each(|(f, p)| errs.push(err(format!("cases[{i}].{f}"), p))),
        }
    }
    let cases: Vec<Case> = cases.into_iter().flatten().collect();
    // File order: version and policy, then workers, then cases, each by position.
    errs.sort_by_key(file_order);
    (errs, Parts { policy, teams, workers, cases, groups, case_rank })
}

/// Raises each waiting case's priority by `policy.waiting_priority` for every whole week it has
/// waited on `date` (README "Waiting"), so that everything after validation (the objective,
/// the formulation, the reasons) sees one priority. A model that sets the term and has a waiting
/// case needs a day to count the weeks to.
fn with_waiting_priority(
    file: &str,
    policy: &Policy,
    mut cases: Vec<Case>,
    date: Option<Date>,
) -> Result<Vec<Case>> {
    if policy.waiting_priority == 0.0 || cases.iter().all(|c| c.waiting_since.is_none()) {
        return Ok(cases);
    }
    let Some(day) = date else {
        return Err(Error::input(
            file,
            "policy.waiting_priority",
            "a priority per week waited counts weeks to the day the model is read for, and no day was given; give one (the command line's --date, which defaults to today)",
        ));
    };
    for case in &mut cases {
        case.priority +=
            policy.waiting_priority * crate::model::weeks_between(case.waiting_since, day) as f64;
    }
    Ok(cases)
}

/// A child cannot have waited since a day after the day the model is read for: a wait that
/// starts later means the day given is wrong (a year typed wrong in `--date`, a meeting
/// workbook's day typed over), and a new wait recorded on it would start before the waits
/// already recorded, outranking children who have waited for weeks. Judged only on a day the
/// person named (`AsOf::stated`): today, taken by default, may fall before a meeting's day.
fn wait_after_day(case: &Case, as_of: Option<AsOf>) -> Option<String> {
    let day = as_of.filter(|a| a.stated)?.date;
    let since = case.waiting_since.filter(|&w| w > day)?;
    Some(format!(
        "{since}, after {day}, the day the allocation is for (--date, or for accept the day the proposal or meeting workbook records): a child cannot have waited since a day after it. Check that day (a year typed wrong?), or correct waiting_since"
    ))
}

/// Where an error's place comes in a model file: (section, index).
fn file_order(e: &Error) -> (u8, usize) {
    let Error::Input { place, .. } = e else { return (9, 0) };
    let index = |list: &str| {
        place
            .strip_prefix(list)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.split(']').next().and_then(|n| n.parse::<usize>().ok()))
    };
    if place == "version" {
        (0, 0)
    } else if place.starts_with("policy") {
        (1, 0)
    } else if let Some(i) = index("workers") {
        (2, i)
    } else if let Some(i) = index("cases") {
        (3, i)
    } else {
        (4, 0)
    }
}

fn check_version(v: u32) -> std::result::Result<(), String> {
    if v == 1 {
        Ok(())
    } else {
        Err(format!("version {v} is not supported; this program reads version 1"))
    }
}

fn finite_at_least(v: f64, min: f64, what: &str) -> std::result::Result<(), String> {
    if !v.is_finite() || v < min {
        Err(format!("{what} must be a number >= {min}, got {}", given(v)))
    } else {
        not_huge(v, what)
    }
}

fn positive(v: f64, what: &str) -> std::result::Result<(), String> {
    if !v.is_finite() || v <= 0.0 {
        Err(format!("{what} must be a number > 0, got {}", given(v)))
    } else {
        not_huge(v, what)
    }
}

/// Refuses a number past [`crate::limits::MAX_MAGNITUDE`], so every objective stays a finite
/// number exact enough to compare.
fn not_huge(v: f64, what: &str) -> std::result::Result<(), String> {
    if v > crate::limits::MAX_MAGNITUDE {
        Err(format!(
            "{what} is {}, above the limit of 1e9 on numbers in a model; use smaller units",
            given(v)
        ))
    } else {
        Ok(())
    }
}

fn check_policy(p: &PolicyInput) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut words = crate::vocabulary::Vocabulary::default();
    for (word, means) in p.aliases.iter().flatten() {
        if let Err(e) = words.add(word, means) {
            out.push((format!("aliases.{}", crate::util::quoted(word)), e));
        }
    }
    for (name, map) in [("caps", &p.caps), ("targets", &p.targets)] {
        for (role, v) in map.iter().flatten() {
            if let Err(e) = finite_at_least(*v, 0.0, name) {
                out.push((format!("{name}.{}", role.name()), e));
            }
        }
    }
    for (t, v) in p.weights.iter().flatten() {
        if let Err(e) = positive(*v, "a weight") {
            out.push((format!("weights.{}", t.name()), e));
        }
    }
    for (t, v) in p.priority.iter().flatten() {
        if let Err(e) = finite_at_least(*v, 0.0, "a priority") {
            out.push((format!("priority.{}", t.name()), e));
        }
    }
    for (name, v) in [
        ("oversight_cap", p.oversight_cap),
        ("move_penalty", p.move_penalty),
        ("overload_penalty", p.overload_penalty),
        ("cross_team_penalty", p.cross_team_penalty),
        ("fairness_penalty", p.fairness_penalty),
        ("return_bonus", p.return_bonus),
        ("waiting_priority", p.waiting_priority),
    ] {
        if let Some(v) = v {
            if let Err(e) = finite_at_least(v, 0.0, name) {
                out.push((name.to_string(), e));
            }
        }
    }
    out
}

/// Checks ids are non-empty and unique; returns them in file order, with every problem.
fn unique_ids<'a>(ids: impl Iterator<Item = &'a str>, list: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            errs.push((format!("{list}[{i}].id"), "the id is empty; give every entry an id".into()));
        } else if let Some(&first) = seen.get(id) {
            errs.push((
                format!("{list}[{i}].id"),
                format!("id {} is used again (first at {list}[{first}]); ids must be unique", q(id)),
            ));
        } else {
            seen.insert(id, i);
        }
        out.push(id.to_string());
    }
    (out, errs)
}

/// rank[i] = position of file entry i when sorted by id.
fn rank(ids: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    invert(&order)
}

fn invert(p: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; p.len()];
    for (i, &x) in p.iter().enumerate() {
        inv[x] = i;
    }
    inv
}

/// Worker id -> model index (workers sorted by id), with the suggestions already made for
/// unknown ids.
#[derive(Default)]
struct WorkerIndex {
    ids: HashMap<String, usize>,
    /// A worker's name ([`crate::warnings::fold`]) -> the ids of the workers of that name: a reference
    /// that gives a name instead of an id is told whose it is.
    names: HashMap<String, Vec<String>>,
    /// Unknown id -> its "did you mean" (the same for every row that names it).
    said: std::cell::RefCell<HashMap<String, String>>,
    /// The ids, prepared for suggestions once the first unknown id is met.
    near: std::cell::RefCell<Option<crate::vocabulary::Nearest>>,
}

impl WorkerIndex {
    /// At most this many different unknown ids get a suggestion: a sheet exported against
    /// the wrong workforce names thousands, and only the first errors are listed.
    const SUGGESTED: usize = 200;

    /// The "did you mean" for an unknown id, by typing slips and look-alike characters, every
    /// tie listed (see [`crate::vocabulary::did_you_mean`]).
    fn suggest(&self, id: &str) -> String {
        let mut said = self.said.borrow_mut();
        if let Some(s) = said.get(id) {
            return s.clone();
        }
        if said.len() >= Self::SUGGESTED {
            return String::new();
        }
        let mut near = self.near.borrow_mut();
        let near = near.get_or_insert_with(|| {
            let mut known: Vec<&String> = self.ids.keys().collect();
            known.sort();
            crate::vocabulary::Nearest::new(known.into_iter().cloned())
        });
        let s = near.did_you_mean(id);
        said.insert(id.to_string(), s.clone());
        s
    }
}

/// A worker reference's index, or the problem: no such worker, with the ids it may mean. A
/// manager often writes the worker's name (`Bob Jones`) where the id belongs: the problem then
/// says whose name it is, and is not read as that worker (two may share a name).
fn worker_ref(id: &str, index: &WorkerIndex) -> std::result::Result<usize, String> {
    index.ids.get(id).copied().ok_or_else(|| {
        match index.names.get(&crate::warnings::fold(id)).map(Vec::as_slice) {
            Some([one]) => {
                format!(
                    "no worker {}: that is the name of worker {}; write its id, {}",
                    q(id),
                    q(one),
                    q(one)
                )
            }
            Some(many) if !many.is_empty() => {
                let ids: Vec<&str> = many.iter().map(String::as_str).collect();
                format!(
                    "no worker {}: that is the name of workers {}; give the id of the one meant",
                    q(id),
                    crate::warnings::some(&ids)
                )
            }
            _ => format!("no worker {}{}; add the worker or remove the reference", q(id), index.suggest(id)),
        }
    })
}

/// Problems of one entry: (field, problem), in field order. The field may go deeper than one
/// name, such as `reductions[0].to`.
type FieldErrors = Vec<(String, String)>;

fn check_worker(
    w: &WorkerInput,
    policy: &Policy,
    index: &WorkerIndex,
    date: Option<Date>,
) -> std::result::Result<Worker, FieldErrors> {
    let mut errs: FieldErrors = Vec::new();
    let fte = w.fte.unwrap_or(1.0);
    if !fte.is_finite() || fte <= 0.0 || fte > 1.0 {
        errs.push(("fte".into(), format!("fte must be above 0 and at most 1, got {}", given(fte))));
    }
    for (field, v) in [("cap", w.cap), ("target", w.target), ("oversight_cap", w.oversight_cap)] {
        if let Some(Err(e)) = v.map(|v| finite_at_least(v, 0.0, field)) {
            errs.push((field.into(), e));
        }
    }
    let supervisor = match &w.supervisor {
        Some(s) => match worker_ref(s, index) {
            Ok(i) => Some(i),
            Err(e) => {
                errs.push(("supervisor".into(), e));
                None
            }
        },
        None => None,
    };
    let spans = check_reductions(&w.reductions, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    let cap_in_force = w.cap.unwrap_or_else(|| policy.caps.get(&w.role).copied().unwrap_or(0.0) * fte);
    let target_in_force =
        w.target.unwrap_or_else(|| policy.targets.get(&w.role).copied().unwrap_or(0.0) * fte);
    let reduction = reduction_in_force(&spans, date, cap_in_force)?;
    // Without a reduction, exactly the cap and target in force (no rounding: proposals stay the same).
    let (cap, target) = if reduction > 0.0 {
        let cap = round9((cap_in_force - reduction).max(0.0));
        (cap, round9((target_in_force - reduction).min(cap).max(0.0)))
    } else {
        (cap_in_force, target_in_force.min(cap_in_force))
    };
    let mut skills = w.skills.clone();
    skills.sort();
    skills.dedup();
    Ok(Worker {
        id: w.id.clone(),
        role: w.role,
        team: 0,
        fte,
        cap,
        target,
        skills,
        supervisor,
        oversight_cap: w.oversight_cap.unwrap_or(policy.oversight_cap),
        status: w.status.unwrap_or_default(),
        agency: w.agency.unwrap_or(false),
        reduction,
        name: w.name.clone(),
        notes: w.notes.clone(),
    })
}

/// A reduction with its dates read: (index in the list, amount, from, to).
type Span = (usize, f64, Date, Date);

/// What is wrong with one reduction on its own (its amount, its days, a `to` before its
/// `from`), each with its field: for a reduction whose worker could not be read.
pub fn reduction_problems(r: &ReductionInput) -> Vec<(String, String)> {
    let mut errs = FieldErrors::new();
    check_reductions(std::slice::from_ref(r), &mut errs);
    errs.into_iter()
        .map(|(at, problem)| (at.trim_start_matches("reductions[0].").to_string(), problem))
        .collect()
}

/// Checks each reduction's amount and dates; returns those that are well formed.
fn check_reductions(list: &[ReductionInput], errs: &mut FieldErrors) -> Vec<Span> {
    let mut out = Vec::new();
    for (j, r) in list.iter().enumerate() {
        let at = |f: &str| format!("reductions[{j}].{f}");
        let mut ok = true;
        if let Err(e) = positive(r.amount, "a reduction's amount") {
            errs.push((at("amount"), format!("{e}; give the caseload units it takes off the cap")));
            ok = false;
        }
        let from = Date::parse(&r.from).map_err(|e| errs.push((at("from"), e))).ok();
        let to = Date::parse(&r.to).map_err(|e| errs.push((at("to"), e))).ok();
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errs.push((
                    at("to"),
                    format!(
                        "the reduction ends on {t}, before it starts on {f}; `to` is the last day in force"
                    ),
                ));
                ok = false;
            }
            if ok {
                out.push((j, r.amount, f, t));
            }
        }
    }
    out
}

/// The sum of the reductions in force on `date` (from <= date <= to). Refuses a sum above the
/// cap, naming the reduction that tips it, and any reduction when no date was given.
fn reduction_in_force(spans: &[Span], date: Option<Date>, cap: f64) -> std::result::Result<f64, FieldErrors> {
    let Some(date) = date else {
        return match spans.first() {
            None => Ok(0.0),
            Some(_) => Err(vec![(
                "reductions".into(),
                "reductions are in force on dates, and no date was given to read the model for; give one (the command line's --date, which defaults to today)".into(),
            )]),
        };
    };
    let mut sum = 0.0;
    let mut parts: Vec<String> = Vec::new();
    for &(j, amount, from, to) in spans {
        if from <= date && date <= to {
            sum += amount;
            parts.push(num(amount));
            if !rules::within(sum, cap) {
                let total =
                    if parts.len() > 1 { format!("{} = {}", parts.join(" + "), num(sum)) } else { num(sum) };
                return Err(vec![(
                    format!("reductions[{j}]"),
                    format!(
                        "on {date} the reductions in force come to {total}, more than the cap of {}; shorten or lower a reduction, or raise the cap",
                        num(cap)
                    ),
                )]);
            }
        }
    }
    Ok(sum)
}

fn num(x: f64) -> String {
    format!("{}", round9(x))
}

fn round9(x: f64) -> f64 {
    let r = (x * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn check_case(c: &CaseInput, policy: &Policy, index: &WorkerIndex) -> std::result::Result<Case, FieldErrors> {
    let mut errs: FieldErrors = Vec::new();
    // A weight or priority the case does not give is the policy's, judged (and named) there:
    // blaming every case of the type too would point at cells left empty.
    let weight = c.weight.unwrap_or_else(|| policy.weights.get(&c.case_type).copied().unwrap_or(1.0));
    if let (Some(_), Err(e)) = (c.weight, positive(weight, "weight")) {
        errs.push(("weight".into(), e));
    }
    let priority = c.priority.unwrap_or_else(|| policy.priority.get(&c.case_type).copied().unwrap_or(0.0));
    if let (Some(_), Err(e)) = (c.priority, finite_at_least(priority, 0.0, "priority")) {
        errs.push(("priority".into(), e));
    }
    let current_worker = match &c.current_worker {
        Some(s) => match worker_ref(s, index) {
            Ok(i) => Some(i),
            Err(e) => {
                errs.push(("current_worker".into(), e));
                None
            }
        },
        None => None,
    };
    let pinned = c.pinned.unwrap_or(false);
    if pinned && c.current_worker.is_none() {
        errs.push((
            "pinned".into(),
            "a pinned case needs a current_worker to stay with; add one or remove pinned".into(),
        ));
    }
    let mut exclude = Vec::with_capacity(c.exclude.len());
    for (j, x) in c.exclude.iter().enumerate() {
        match worker_ref(x, index) {
            Ok(i) => exclude.push(i),
            Err(e) => errs.push(("exclude".into(), format!("exclude[{j}]: {e}"))),
        }
    }
    let mut previous_workers = Vec::with_capacity(c.previous_workers.len());
    for (j, x) in c.previous_workers.iter().enumerate() {
        let at = format!("previous_workers[{j}]");
        if c.previous_workers[..j].contains(x) {
            errs.push((at, format!("{} is listed twice; list each previous worker once", q(x))));
        } else if c.current_worker.as_ref() == Some(x) {
            errs.push((
                at,
                format!("{} is the case's current_worker; previous_workers lists those who held it before, not today", q(x)),
            ));
        } else {
            match worker_ref(x, index) {
                Ok(i) => previous_workers.push(i),
                Err(e) => errs.push((at, e)),
            }
        }
    }
    let waiting_since = match &c.waiting_since {
        // A time stamp as case systems export it counts as its day.
        Some(text) => match Date::parse_day_of(text) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(("waiting_since".into(), e));
                None
            }
        },
        None => None,
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    previous_workers.sort_unstable();
    exclude.sort_unstable();
    exclude.dedup();
    let mut needs = c.needs.clone();
    needs.sort();
    needs.dedup();
    Ok(Case {
        id: c.id.clone(),
        case_type: c.case_type,
        team: 0,
        weight,
        priority,
        current_worker,
        pinned,
        group: None,
        needs,
        exclude,
        previous_workers,
        waiting_since,
        name: c.name.clone(),
        notes: c.notes.clone(),
        no_agency: c.no_agency.unwrap_or(false),
    })
}
