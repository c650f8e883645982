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

/// Parses `ROLE=V1,V2,...` for `--cap` and `--target`.
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

/// Parses `--demand FACTOR[,FACTOR...]`: each a number > 0.
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
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(out)
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
        assert_eq!(parse_demand("1,1.5").unwrap(), vec![1.0, 1.5]);
    }
}
