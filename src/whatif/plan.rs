//! The scenario flags of `caseload whatif`, parsed and checked against the model.
//!
//! Every problem is a [`Error::Usage`] (exit status 2) that names the flag, the value and what
//! to write instead; nothing here panics on user input.

use crate::error::{Error, Result};
use crate::model::{ModelFile, Role, Status};
use crate::words::{and_list, count, number, role};
use std::collections::{BTreeMap, BTreeSet};

/// The most posts a fill sweep may ask for: far beyond any real establishment, and a guard
/// against `0..=999999999` by mistake.
pub const MAX_FILL: usize = 100_000;

/// The scenario flags, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Numbers of vacant posts to fill, ascending, without repeats (`[0]` when not given).
    pub fill: Vec<usize>,
    /// Cap sweeps: a role and the caps to try for it (full time).
    pub caps: Vec<(Role, Vec<f64>)>,
    /// Target sweeps: a role and the targets to try for it (full time).
    pub targets: Vec<(Role, Vec<f64>)>,
    /// New active posts: role, team, how many.
    pub hires: Vec<(Role, String, usize)>,
    /// Workers made absent.
    pub absent: Vec<String>,
    /// Demand factors to try (`[1.0]` when not given).
    pub demand: Vec<f64>,
}

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

fn parse_count(flag: &str, s: &str) -> Result<usize> {
    let n: usize = s.trim().parse().map_err(|_| {
        usage(format!("{flag}: {s:?} is not a whole number of posts; write e.g. `0..=10`, `5` or `0,5,10`"))
    })?;
    if n > MAX_FILL {
        return Err(usage(format!("{flag}: {n} is more than {MAX_FILL} posts; ask for fewer")));
    }
    Ok(n)
}

/// Parses `--fill-vacancies`: `N`, `A..B` (B excluded), `A..=B`, or a comma-separated list of
/// these. The result is sorted and without repeats.
pub fn parse_fill(s: &str) -> Result<Vec<usize>> {
    const FLAG: &str = "--fill-vacancies";
    let mut out = BTreeSet::new();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(usage(format!("{FLAG}: empty item in {s:?}; write e.g. `0..=10` or `0,5,10`")));
        }
        if let Some((a, b)) = item.split_once("..") {
            let (inclusive, b) = match b.strip_prefix('=') {
                Some(b) => (true, b),
                None => (false, b),
            };
            let a = parse_count(FLAG, a)?;
            let b = parse_count(FLAG, b)?;
            let end = if inclusive {
                b
            } else {
                b.checked_sub(1).filter(|&e| e >= a).ok_or_else(|| empty(item))?
            };
            if end < a {
                return Err(empty(item));
            }
            out.extend(a..=end);
        } else {
            out.insert(parse_count(FLAG, item)?);
        }
    }
    Ok(out.into_iter().collect())
}

fn empty(item: &str) -> Error {
    usage(format!(
        "--fill-vacancies: the range {item:?} is empty; the start must not pass the end (`A..B` leaves B out, `A..=B` keeps it)"
    ))
}

fn parse_role(flag: &str, s: &str) -> Result<Role> {
    crate::vocabulary::role(s).ok_or_else(|| {
        usage(format!(
            "{flag}: unknown role {s:?}{}; use one of {}, or an everyday word such as SW or NQSW",
            crate::vocabulary::Vocabulary::default().suggest_role(s),
            Role::ALL.map(|r| r.name()).join(", ")
        ))
    })
}

/// Parses `ROLE=V1,V2,...` for `--cap` and `--target`: each value a number from 0 to 1e9 (the
/// limit of a model's numbers), taken to 9 decimal places.
pub fn parse_role_values(flag: &str, s: &str) -> Result<(Role, Vec<f64>)> {
    let (role, values) = s
        .split_once('=')
        .ok_or_else(|| usage(format!("{flag}: {s:?} should be ROLE=V1,V2,... e.g. social_worker=18,25")))?;
    let role = parse_role(flag, role)?;
    let mut out: Vec<f64> = Vec::new();
    for v in values.split(',') {
        let x: f64 = v
            .trim()
            .parse()
            .map_err(|_| usage(format!("{flag}: {v:?} is not a number; write e.g. {}=18,25", role.name())))?;
        if !x.is_finite() || x < 0.0 {
            return Err(usage(format!("{flag}: {} must be a number >= 0, got {v:?}", role.name())));
        }
        if x > crate::limits::MAX_MAGNITUDE {
            return Err(usage(format!(
                "{flag}: {}={} is above the limit of 1e9 on numbers in a model; give at most 1000000000",
                role.name(),
                crate::words::given(x)
            )));
        }
        // To 9 decimal places, as every scenario name and table writes it (so `1.0000000000000002`
        // is the scenario of `1`, not a second one named alike), and `-0` as 0.
        let x = crate::explain::round9(x);
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok((role, out))
}

/// Parses `--hire ROLE:TEAM:N`.
pub fn parse_hire(s: &str) -> Result<(Role, String, usize)> {
    let bad = || usage(format!("--hire: {s:?} should be ROLE:TEAM:N, e.g. social_worker:North:3"));
    let (role, rest) = s.split_once(':').ok_or_else(bad)?;
    let (team, n) = rest.rsplit_once(':').ok_or_else(bad)?;
    let role = parse_role("--hire", role)?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if n > MAX_FILL {
        return Err(usage(format!("--hire: {n} posts is more than {MAX_FILL}; ask for fewer")));
    }
    if team.is_empty() {
        return Err(bad());
    }
    Ok((role, team.to_string(), n))
}

/// Parses `--demand FACTOR[,FACTOR...]`: each a number above 0 and at most 1000, taken to 9
/// decimal places (and not 0 there).
pub fn parse_demand(s: &str) -> Result<Vec<f64>> {
    let mut out: Vec<f64> = Vec::new();
    for v in s.split(',') {
        let x: f64 = v
            .trim()
            .parse()
            .map_err(|_| usage(format!("--demand: {v:?} is not a number; write e.g. 1.5 or 1,1.25,1.5")))?;
        if !x.is_finite() || x <= 0.0 || x > 1000.0 {
            return Err(usage(format!("--demand: the factor must be above 0 and at most 1000, got {v:?}")));
        }
        // To 9 decimal places, as every scenario name and table writes it (so `1.0000000000000002`
        // is the scenario of `1`, not a second one named alike), and `-0` as 0.
        let x = crate::explain::round9(x);
        if x == 0.0 {
            return Err(usage(format!(
                "--demand: the factor {} is 0 to 9 decimal places; give a factor of at least 0.000000001",
                crate::words::given(v.trim().parse().unwrap_or(0.0))
            )));
        }
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(out)
}

/// The most scenarios one run may ask for (the base and the product of the sweeps): 5,000.
/// A planning table of more is read by nobody, and each scenario is solved and kept.
pub const MAX_SCENARIOS: usize = 5_000;

/// The most workers and cases the scenarios' models may hold together, each scenario's model
/// counted once for each number of posts filled (each is built, solved and kept for the
/// outputs): 2,097,152, twice the case limit of one model ([`crate::limits::MAX_ROWS`]). A sweep
/// of 300 scenarios of a 5,000-case district is a fifth of it.
pub const MAX_SCENARIO_ROWS: usize = 2 * crate::limits::MAX_ROWS;

/// The cases of the model scaled by `factor` per team and case type, as
/// [`super::build::scale_demand`] rounds them, counted without building it.
pub fn scaled_cases(file: &ModelFile, factor: f64) -> usize {
    let mut by_kind: BTreeMap<(&str, crate::model::CaseType), usize> = BTreeMap::new();
    for c in &file.cases {
        *by_kind.entry((c.team.as_str(), c.case_type)).or_default() += 1;
    }
    by_kind
        .values()
        .map(|&n| (n as f64 * factor).round().min(usize::MAX as f64) as usize)
        .fold(0, usize::saturating_add)
}

/// Refuses, before any scenario is built, a plan whose scenarios would not fit: a demand factor
/// that makes more cases than one model may hold, hires that make more workers, more than
/// [`MAX_SCENARIOS`] scenarios, or scenarios holding more than [`MAX_SCENARIO_ROWS`] workers
/// and cases together. Each refusal names the flags and the counts.
pub fn check_size(plan: &Plan, file: &ModelFile) -> Result<()> {
    let rows = crate::limits::MAX_ROWS;
    let limit = crate::limits::count;
    let mut largest = file.cases.len();
    for &f in &plan.demand {
        let n = scaled_cases(file, f);
        if n > rows {
            return Err(usage(format!(
                "--demand {}: makes {} cases from the model's {}, above the limit of {} cases in one model; give a smaller factor (about {} at most)",
                number(f),
                limit(n),
                limit(file.cases.len()),
                limit(rows),
                number((rows as f64 / file.cases.len().max(1) as f64 * 100.0).floor() / 100.0)
            )));
        }
        largest = largest.max(n);
    }
    let hired = plan.hires.iter().fold(0usize, |a, (_, _, n)| a.saturating_add(*n));
    let workers = file.workers.len().saturating_add(hired);
    if workers > rows {
        return Err(usage(format!(
            "--hire: {} new posts and the model's {} workers make {}, above the limit of {} workers in one model; hire fewer",
            limit(hired),
            limit(file.workers.len()),
            limit(workers),
            limit(rows)
        )));
    }
    let mut sweeps: Vec<(String, usize)> = Vec::new();
    if plan.demand.len() > 1 {
        sweeps.push(("--demand".into(), plan.demand.len()));
    }
    for (flag, list) in [("--cap", &plan.caps), ("--target", &plan.targets)] {
        for (r, v) in list {
            sweeps.push((format!("{flag} {}", r.name()), v.len()));
        }
    }
    if plan.fill.len() > 1 {
        sweeps.push(("--fill-vacancies".into(), plan.fill.len()));
    }
    let scenarios = sweeps.iter().fold(1usize, |a, (_, n)| a.saturating_mul((*n).max(1))).saturating_add(1);
    let product = || sweeps.iter().map(|(f, n)| format!("{f} ({n})")).collect::<Vec<_>>().join(" x ");
    if scenarios > MAX_SCENARIOS {
        return Err(usage(format!(
            "{} make {} scenarios with the base, above the limit of {}; sweep fewer values",
            product(),
            if scenarios == usize::MAX { "more than 18 billion billion".into() } else { limit(scenarios) },
            limit(MAX_SCENARIOS)
        )));
    }
    // Posts filled beyond the vacant ones give the same model: only as many fills as posts.
    let vacant = file.workers.iter().filter(|w| w.status == Some(Status::Vacant)).count();
    let fills = plan.fill.iter().filter(|&&n| n <= vacant).count()
        + usize::from(plan.fill.iter().any(|&n| n > vacant));
    let contexts = scenarios.saturating_sub(1) / plan.fill.len().max(1);
    let models = contexts.saturating_mul(fills.max(1)).saturating_add(1);
    let size = models.saturating_mul(largest.saturating_add(workers));
    if size > MAX_SCENARIO_ROWS {
        return Err(usage(format!(
            "{} make {} scenario models of up to {} workers and cases each ({} together), above the limit of {} held at once; sweep fewer values",
            if sweeps.is_empty() { "the scenarios".to_string() } else { product() },
            limit(models),
            limit(largest.saturating_add(workers)),
            limit(size),
            limit(MAX_SCENARIO_ROWS)
        )));
    }
    Ok(())
}

/// Checks the plan against the model: known teams for `--hire`, known (non-vacant) workers for
/// `--absent`, one sweep per role.
pub fn check_against(plan: &Plan, file: &ModelFile) -> Result<()> {
    for (name, sweeps) in [("--cap", &plan.caps), ("--target", &plan.targets)] {
        let mut seen = BTreeSet::new();
        for (role, _) in sweeps {
            if !seen.insert(*role) {
                return Err(usage(format!(
                    "{name}: {} is given twice; give its values once, e.g. {name} {}=18,25",
                    role.name(),
                    role.name()
                )));
            }
        }
    }
    let teams: BTreeSet<&str> = file
        .workers
        .iter()
        .map(|w| w.team.as_str())
        .chain(file.cases.iter().map(|c| c.team.as_str()))
        .collect();
    for (_, team, _) in &plan.hires {
        if !teams.contains(team.as_str()) {
            return Err(usage(format!(
                "--hire: no team {} in the model; teams are {}",
                crate::warnings::quoted(team),
                teams.iter().copied().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    for id in &plan.absent {
        match file.workers.iter().find(|w| w.id == *id) {
            None => {
                return Err(usage(format!(
                    "--absent: no worker {} in the model; give ids of the workers who leave",
                    crate::warnings::quoted(id)
                )))
            }
            Some(w) if w.status == Some(Status::Vacant) => {
                return Err(usage(format!(
                    "--absent: {} is a vacant post, nobody is in it; remove it from --absent",
                    crate::warnings::quoted(id)
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A set of scenario settings in words, for people: "cap of 18 cases per social worker;
/// 2 social workers hired in North". Empty when nothing is changed. The machine key (the
/// scenario's `name`, e.g. `cap.social_worker=18`) stays beside it in the JSON and CSV.
pub fn settings_words(
    demand: f64,
    caps: &BTreeMap<Role, f64>,
    targets: &BTreeMap<Role, f64>,
    hires: &[(Role, String, usize)],
    absent: &[String],
) -> String {
    let cases = |v: f64| format!("{} {}", number(v), if v == 1.0 { "case" } else { "cases" });
    let mut parts: Vec<String> = Vec::new();
    if demand != 1.0 {
        parts.push(format!("{} times the demand", number(demand)));
    }
    for (r, v) in caps {
        parts.push(format!("cap of {} per {}", cases(*v), role(*r)));
    }
    for (r, v) in targets {
        parts.push(format!("target of {} per {}", cases(*v), role(*r)));
    }
    for (r, team, n) in hires {
        let who = role(*r);
        parts.push(format!("{} hired in {team}", count(*n, &who, &format!("{who}s"))));
    }
    if !absent.is_empty() {
        parts.push(format!("{} absent", and_list(absent)));
    }
    parts.join("; ")
}

/// Posts filled in words: "3 posts filled: North, South, West", a team filled twice once with
/// its count ("North (2), South"), in the order first filled, at most five teams then how many
/// more; "no posts filled" for none; the number asked when fewer could be filled.
pub fn fill_words(requested: usize, teams: &[&str]) -> String {
    if teams.is_empty() {
        return "no posts filled".into();
    }
    let mut grouped: Vec<(&str, usize)> = Vec::new();
    for t in teams {
        match grouped.iter_mut().find(|(g, _)| g == t) {
            Some((_, n)) => *n += 1,
            None => grouped.push((t, 1)),
        }
    }
    const SHOWN: usize = 5;
    let shown: Vec<String> = grouped
        .iter()
        .take(SHOWN)
        .map(|(t, n)| if *n == 1 { t.to_string() } else { format!("{t} ({n})") })
        .collect();
    let more = grouped.len().saturating_sub(SHOWN);
    let more =
        if more > 0 { format!(" and {}", count(more, "more team", "more teams")) } else { String::new() };
    let asked = if requested > teams.len() { format!(" ({requested} asked)") } else { String::new() };
    format!("{} filled{asked}: {}{more}", count(teams.len(), "post", "posts"), shown.join(", "))
}

/// A whole scenario in words: its settings, then the posts filled (when a fill sweep was
/// asked for); "the model as given" when nothing is changed.
pub fn scenario_words(settings: &str, fill: Option<String>) -> String {
    let parts: Vec<&str> =
        [settings, fill.as_deref().unwrap_or("")].into_iter().filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "the model as given".into()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_of_fill_range() {
        assert_eq!(parse_fill("0..=3").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(parse_fill("2..4").unwrap(), vec![2, 3]);
        assert_eq!(parse_fill("7").unwrap(), vec![7]);
        assert_eq!(parse_fill("10,0,5,5").unwrap(), vec![0, 5, 10]);
        assert!(parse_fill("5..2").is_err());
        assert!(parse_fill("3..3").is_err());
        assert!(parse_fill("a..b").is_err());
        assert!(parse_fill("-1").is_err());
        assert!(parse_fill("").is_err());
    }

    #[test]
    fn reads_role_sweeps_and_hires() {
        assert_eq!(
            parse_role_values("--cap", "social_worker=18,25").unwrap(),
            (Role::SocialWorker, vec![18.0, 25.0])
        );
        assert!(parse_role_values("--cap", "wizard=3").is_err());
        assert!(parse_role_values("--cap", "social_worker=-1").is_err());
        assert!(parse_role_values("--cap", "social_worker").is_err());
        assert_eq!(
            parse_hire("social_worker:Hall Green:2").unwrap(),
            (Role::SocialWorker, "Hall Green".to_string(), 2)
        );
        assert!(parse_hire("social_worker:North").is_err());
        assert!(parse_demand("0").is_err());
        // Huge, tiny, negative zero and too precise: refused with the flag and the value
        // written compactly, or taken to the 9 places every name is written with.
        let huge = parse_role_values("--cap", "social_worker=1e308").unwrap_err().to_string();
        assert!(huge.contains("--cap: social_worker=1e308 is above the limit of 1e9"), "{huge}");
        assert!(huge.len() < 200, "{huge}");
        assert!(parse_role_values("--target", "SW=1000000001").is_err());
        assert_eq!(parse_role_values("--cap", "SW=1e9").unwrap().1, vec![1e9]);
        let (_, v) = parse_role_values("--cap", "SW=-0,1e-320,1,1.0000000000000002,0.5").unwrap();
        assert_eq!(v, vec![0.0, 1.0, 0.5]);
        assert!(v[0].is_sign_positive());
        for bad in ["nan", "inf", "-inf", "1e400", "-1e-320", ""] {
            assert!(parse_role_values("--cap", &format!("SW={bad}")).is_err(), "{bad}");
            assert!(parse_demand(bad).is_err(), "{bad}");
        }
        let tiny = parse_demand("1e-320").unwrap_err().to_string();
        assert!(tiny.contains("--demand: the factor 1e-320 is 0 to 9 decimal places"), "{tiny}");
        assert_eq!(parse_demand("1.0000000000000002,1,1.5").unwrap(), vec![1.0, 1.5]);
        assert_eq!(parse_demand("1,1.5").unwrap(), vec![1.0, 1.5]);
    }
}
