//! One room for words: how the program says what the rules decided. The deciders
//! ([`crate::rules`], [`crate::explain`], [`crate::check`]) decide; they call this module to say
//! it, so every sentence a person reads agrees in number ("1 case", "3 cases"; "SP01 has",
//! "SP01 and SP02 have") and names a council's own limits as its settings, not as law.
//!
//! It holds the grammar helpers ([`count`], [`verb`], [`ids`], [`and_list`], [`number`],
//! [`given`]), the
//! words of each rule ([`rule`]), of each breach code ([`breach`]) and of each refusal
//! ([`block`]), each reason code's heading, meaning and family sentence ([`reason_label`],
//! [`reason_meaning`], [`family_message`]), the reasons' messages ([`structural_message`],
//! [`capacity_message`]) and the pin errors of rule 10 ([`pin`]). It imports the model's types
//! and the enums of `rules`, nothing else, and decides nothing.

use crate::model::{Model, Role, Status};
use crate::rules::{Block, PinBreak, ReasonCode, Rule};

/// `n` with its noun in agreement: `count(1, "case", "cases")` is "1 case", `count(3, ..)` is
/// "3 cases", `count(0, ..)` is "0 cases".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// The noun alone, in agreement with `n`: `one` for 1, `many` otherwise.
pub fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A verb in agreement with `n` subjects: `verb(1, "has", "have")` is "has".
pub fn verb<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    noun(n, one, many)
}

/// At most five ids, then "and N more": "W01, W02, W03, W04, W05 and 2 more".
pub fn ids(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut s = ids.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > SHOWN {
        s.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    s
}

/// Items joined as a person writes them: "a", "a and b", "a, b and c".
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            format!(
                "{} and {}",
                rest.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "),
                last.as_ref()
            )
        }
    }
}

/// A number in a sentence: as written, rounded to nine decimals (no `0.30000000000000004`).
pub fn number(x: f64) -> String {
    let r = (x * 1e9).round() / 1e9;
    format!("{r}")
}

/// A number as given, compactly: the shortest text that reads back as the same number, in
/// exponent form when plain digits would be very long or very small (`1e308`, not 309 digits;
/// `1e-320`), so a message quoting a mistyped value stays one line.
pub fn given(x: f64) -> String {
    if x != 0.0 && x.is_finite() && (x.abs() >= 1e16 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A number for people: whole numbers without decimals, others with up to two.
pub fn short(x: f64) -> String {
    if (x - x.round()).abs() < crate::tolerance::EQUAL {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A role in words: "social worker".
pub fn role(r: Role) -> String {
    r.name().replace('_', " ")
}

/// What breaking a rule means, in words a manager can use. Rules 7 and 8 bound loads by the
/// council's own caps (a local setting, not law), and say so.
pub fn rule(r: Rule) -> &'static str {
    match r {
        Rule::Active => "worker not active (vacant or absent)",
        Rule::Role => "role may not hold this type of case",
        Rule::Team => "worker in another team",
        Rule::Skills => "worker lacks a needed skill",
        Rule::Exclusion => "worker excluded from the case",
        Rule::Supervision => "supervised worker without a qualified supervisor",
        Rule::Cap => "worker over the council's cap",
        Rule::Oversight => "supervisor's oversight over the council's cap",
        Rule::Siblings => "sibling group split between workers",
        Rule::Pin => "pinned case moved",
        Rule::Agency => "agency worker on a case marked no_agency",
    }
}

/// A breach code in words a manager can use, with the SPEC rule or section in brackets:
/// `rule4` is "worker lacks a needed skill (SPEC rule 4)".
pub fn breach(code: &str) -> String {
    if let Some(r) = Rule::from_code(code) {
        return match r.number() {
            n @ 1..=10 => format!("{} (SPEC rule {n})", rule(r)),
            n => format!("{} (extension rule {n})", rule(r)),
        };
    }
    let (words, spec) = match code {
        "missing" => ("case missing from the proposal", "section 3"),
        "duplicate" => ("case listed more than once", "section 3"),
        "unknown" => ("case or worker not in the model", "section 5"),
        "reason" => ("reason not true of the case", "section 5"),
        "objective" => ("objective does not match the allocation", "section 4"),
        "load" => ("worker load does not match the allocation", "section 5"),
        "order" => ("list not sorted by id", "section 5"),
        "change" => ("kept/moved/new wrong", "section 5"),
        other => return other.to_string(),
    };
    format!("{words} (SPEC {spec})")
}

/// Why case `c` may not go to worker `w`, in plain words, for a breach or an error message.
pub fn block(b: &Block, m: &Model, c: usize, w: usize) -> String {
    let worker = &m.workers[w];
    let case = &m.cases[c];
    match b {
        Block::Inactive(s) => format!(
            "{} is {}",
            worker.id,
            match s {
                Status::Vacant => "a vacant post",
                Status::Absent => "absent",
                Status::Active => "active",
            }
        ),
        Block::Role => format!("a {} may not hold a {} case", role(worker.role), case.case_type.words()),
        Block::OtherTeam => format!(
            "{} is in team {} and the case belongs to team {}",
            worker.id, m.teams[worker.team], m.teams[case.team]
        ),
        Block::Needs(missing) => format!(
            "{} lacks the needed {} {}",
            worker.id,
            noun(missing.len(), "skill", "skills"),
            missing.join(", ")
        ),
        Block::Excluded => format!("{} is in the case's exclude list", worker.id),
        Block::Unsupervised => {
            format!("{} is a {} without an active, qualified supervisor", worker.id, role(worker.role))
        }
        Block::Agency => format!("{} is an agency worker and the case is marked no_agency", worker.id),
    }
}

/// A worker's load above its cap (rule 7): the cap is the council's setting, not law.
pub fn over_cap(m: &Model, w: usize, load: f64) -> String {
    let worker = &m.workers[w];
    format!(
        "{} carries {}, above the council's cap of {} for this {}",
        worker.id,
        number(load),
        number(worker.cap),
        role(worker.role)
    )
}

/// A supervisor's oversight above its oversight cap (rule 8), the council's setting.
pub fn over_oversight_cap(m: &Model, w: usize, oversight: f64) -> String {
    let worker = &m.workers[w];
    format!(
        "{} oversees {} of supervisees' cases, above the council's oversight cap of {}",
        worker.id,
        number(oversight),
        number(worker.oversight_cap)
    )
}

/// A pin that rule 10 refuses, with what to do, as `validate` reports it.
pub fn pin(m: &Model, p: &PinBreak) -> String {
    let q = crate::util::quoted;
    let id = |w: usize| q(&m.workers[w].id);
    match p {
        PinBreak::Refused { case, worker, block: b } => format!(
            "case {} is pinned to {}, but {}; unpin it or fix the worker",
            q(&m.cases[*case].id),
            id(*worker),
            block(b, m, *case, *worker)
        ),
        PinBreak::SiblingElsewhere { case, worker, sibling, group } => format!(
            "case {} is pinned to {} but its sibling {} in group {} is pinned to another worker; siblings go to one worker",
            q(&m.cases[*case].id),
            id(*worker),
            q(&m.cases[*sibling].id),
            q(&m.groups[*group].name)
        ),
        PinBreak::SiblingRefused { case, worker, sibling, group, block: b } => format!(
            "case {} is pinned to {}, so its sibling {} in group {} must go there too, but {}; unpin it or change the group",
            q(&m.cases[*case].id),
            id(*worker),
            q(&m.cases[*sibling].id),
            q(&m.groups[*group].name),
            block(b, m, *sibling, *worker)
        ),
        PinBreak::Cap { worker, load } => format!(
            "the cases pinned to {} (with their siblings) weigh {} in all, above its cap of {}; unpin some or raise the cap",
            id(*worker),
            number(*load),
            number(m.workers[*worker].cap)
        ),
        PinBreak::Oversight { supervisor, oversight } => format!(
            "the cases pinned to workers supervised by {} (with their siblings) weigh {} in all, above its oversight cap of {}; unpin some or raise the oversight cap",
            id(*supervisor),
            number(*oversight),
            number(m.workers[*supervisor].oversight_cap)
        ),
    }
}

/// A reason code in plain words, as a heading.
pub fn reason_label(code: ReasonCode) -> &'static str {
    match code {
        ReasonCode::NoPermittedWorker => "No worker in a role that may hold this type of case",
        ReasonCode::NeedsUnmet => "No worker with the skills the child needs",
        ReasonCode::Excluded => "Every possible worker is excluded (conflict of interest)",
        ReasonCode::Unsupervised => "Possible workers lack an active, qualified supervisor",
        ReasonCode::AgencyOnly => "The only possible workers are agency staff, and the case is marked no_agency",
        ReasonCode::GroupUnplaceable => "Siblings cannot all go to one worker",
        ReasonCode::WeightOverCap => {
            "The case weighs more than any possible worker may hold (their cap or their supervisor's oversight cap)"
        }
        ReasonCode::AtCapacity => "Workers who may hold it are full",
        ReasonCode::OversightAtCapacity => "Supervisors' oversight is full",
        ReasonCode::OnlyAboveTarget => "Room only above manageable caseloads",
        ReasonCode::NotWorthAllocating => {
            "Room only where it is worth nothing (zero priority, or another team's penalty at least its priority)"
        }
        ReasonCode::FairnessCost => "Room only where the fairness setting prices more load above its priority",
        ReasonCode::SearchStopped => "The search stopped before placing it",
    }
}

/// What a reason means for the manager: whether more capacity would help.
pub fn reason_meaning(code: ReasonCode) -> &'static str {
    if code.is_structural() {
        "Structural: more capacity alone will not allocate these children; a worker with the right role, skills or supervision is needed, or the case details need review."
    } else {
        "Capacity: filling posts or freeing caseload would allocate these children."
    }
}

/// What to tell the child's family while the case has no allocated worker: plain words, no
/// names of staff. The team manager stays responsible for an unallocated case.
pub fn family_message(code: ReasonCode) -> &'static str {
    match code {
        ReasonCode::NoPermittedWorker | ReasonCode::Unsupervised | ReasonCode::Excluded | ReasonCode::AgencyOnly => {
            "We have not yet been able to give your child a named social worker, because the team does not have the right worker available for this kind of case. The team manager remains responsible for your child and is arranging a suitable worker; you can contact the team at any time."
        }
        ReasonCode::NeedsUnmet => {
            "We want your child's social worker to have the particular skills your child needs, and we are arranging this. Until then the team manager remains responsible for your child; you can contact the team at any time."
        }
        ReasonCode::GroupUnplaceable => {
            "We want brothers and sisters to share one social worker, and we are arranging a worker who can take all of them. Until then the team manager remains responsible; you can contact the team at any time."
        }
        _ => {
            "Your child does not have a named social worker yet because the team's caseloads are full. The team manager remains responsible for your child and will allocate a worker as soon as one is free; you can contact the team at any time."
        }
    }
}

/// What stops one permitted worker from taking a case that weighs too much: its own cap, or
/// its supervisor's oversight cap (`Some(supervisor)`).
pub type WeightStop = (usize, Option<usize>);

/// The message of a structural reason `code` of case `c`. `stops` are, for `weight_over_cap`,
/// the permitted workers and what stops each; for `group_unplaceable`, the workers who may
/// hold every sibling (none: no cap is what stops the group); empty otherwise.
pub fn structural_message(m: &Model, c: usize, code: ReasonCode, stops: &[WeightStop]) -> String {
    let case = &m.cases[c];
    let reach = reach(m, c);
    match code {
        ReasonCode::NoPermittedWorker => {
            let roles = m.policy.may_hold.get(&case.case_type).map_or(&[][..], |v| v);
            format!(
                "No active worker {reach} is in a role that may hold a {} case ({}).",
                case.case_type.words(),
                roles.iter().map(|r| role(*r)).collect::<Vec<_>>().join(", ")
            )
        }
        ReasonCode::NeedsUnmet => format!(
            "Workers who may hold this case exist {reach}, but none has every skill the child needs ({}).",
            case.needs.join(", ")
        ),
        ReasonCode::Excluded => {
            "The only workers who could otherwise hold this case are excluded from it (conflict of interest).".into()
        }
        ReasonCode::Unsupervised => {
            "The only workers who could otherwise hold this case work under supervision and have no active, qualified supervisor.".into()
        }
        ReasonCode::AgencyOnly => {
            "The only workers who could otherwise hold this case are agency staff, and the case is marked no_agency.".into()
        }
        ReasonCode::GroupUnplaceable => {
            let g = case.group.map(|g| &m.groups[g]);
            let n = g.map_or(1, |g| g.members.len());
            let name = g.map_or("", |g| g.name.as_str());
            if stops.is_empty() {
                format!(
                    "Siblings in group {name} must share one worker, and no single worker may lawfully hold all {n} of them (their teams, types, needed skills or exclusions rule out every worker)."
                )
            } else {
                format!(
                    "Siblings in group {name} must share one worker, and no single worker may hold all {n} of them within a cap."
                )
            }
        }
        ReasonCode::WeightOverCap => {
            let shown: Vec<String> = stops
                .iter()
                .map(|&(w, sup)| {
                    let worker = &m.workers[w];
                    match sup {
                        Some(s) => format!(
                            "{}'s supervisor {} may oversee only {} (oversight cap)",
                            worker.id, m.workers[s].id, m.workers[s].oversight_cap
                        ),
                        None => format!("{}'s cap is {}", worker.id, worker.cap),
                    }
                })
                .collect();
            let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
            format!("This case weighs {}, more than any worker who may hold it can take on: {}.", case.weight, ids(&shown))
        }
        _ => String::new(),
    }
}

/// "in team North", or "in any team" when cross-team allocation is on.
pub fn reach(m: &Model, c: usize) -> String {
    if m.policy.cross_team {
        "in any team".to_string()
    } else {
        format!("in team {}", m.teams[m.cases[c].team])
    }
}

/// Whether a case worth nothing with `workers` is so because the cross-team penalty takes its
/// priority: every one of them is in another team, and the penalty is at least the priority
/// (otherwise its priority is too small to count at all).
pub fn crossed_out(m: &Model, case: &crate::model::Case, workers: &[usize]) -> bool {
    !workers.is_empty()
        && workers.iter().all(|&w| m.workers[w].team != case.team)
        && m.policy.cross_team_penalty >= case.priority
}

/// The message of a capacity reason `code` of case `c`: `workers` are those it names (full, or
/// with room only at a cost), `weight` what the case (or its sibling group) needs.
pub fn capacity_message(m: &Model, c: usize, code: ReasonCode, workers: &[usize], weight: f64) -> String {
    let case = &m.cases[c];
    let named: Vec<&str> = workers.iter().map(|&w| m.workers[w].id.as_str()).collect();
    let ws = &named[..];
    let what = if case.group.is_some() { "these siblings" } else { "this case" };
    match code {
        ReasonCode::AtCapacity => {
            if ws.is_empty() {
                format!("Workers who may hold {what} are full: their pinned cases have no room for {weight} more.")
            } else {
                format!(
                    "Workers who may hold {what} are full: {} {} no room for {weight} more.",
                    ids(ws),
                    verb(ws.len(), "has", "have")
                )
            }
        }
        ReasonCode::OversightAtCapacity => format!(
            "Workers with room ({}) work under supervision, and their supervisors already oversee as many cases as they may.",
            ids(ws)
        ),
        ReasonCode::OnlyAboveTarget => format!(
            "Workers with room ({}) are at their manageable caseload; taking {what} would overload them by more than its priority justifies.",
            ids(ws)
        ),
        ReasonCode::NotWorthAllocating => format!(
            "Workers with room ({}) may hold it, but it is worth nothing there: {}.",
            ids(ws),
            if case.priority <= 0.0 {
                "its priority is zero".to_string()
            } else if crossed_out(m, case, workers) {
                format!(
                    "they are in another team, and the cross-team penalty ({}) is at least its priority ({})",
                    m.policy.cross_team_penalty, case.priority
                )
            } else {
                format!(
                    "its priority ({}) is too small to make a difference to the allocation's worth",
                    case.priority
                )
            }
        ),
        ReasonCode::FairnessCost => format!(
            "Workers with room ({}) already carry enough that, under the fairness setting (fairness_penalty {}), the extra load of {what} would cost more than its priority ({}) justifies; a worker with a lighter caseload would take it.",
            ids(ws),
            m.policy.fairness_penalty,
            case.priority
        ),
        ReasonCode::SearchStopped => format!(
            "The search stopped before placing {what}; workers with room: {}. Run again with a longer time limit.",
            ids(ws)
        ),
        _ => String::new(),
    }
}

/// The at-capacity message that names the need that blocks: every worker who has the skills
/// the child needs (and may hold the case) is full.
pub fn needs_full(m: &Model, c: usize, workers: &[usize], whole: bool) -> String {
    let case = &m.cases[c];
    let named: Vec<&str> = workers.iter().map(|&w| m.workers[w].id.as_str()).collect();
    let needs = and_list(&case.needs);
    let room = if whole { String::new() } else { format!(" (no room for {} more)", case.weight) };
    if let [one] = named.as_slice() {
        format!("This child needs a worker with {needs}; {one}, the only one who may hold the case, is full{room}.")
    } else {
        format!(
            "This child needs a worker with {needs}; {}, the only ones who may hold the case, are full{room}.",
            ids(&named)
        )
    }
}

/// What a warning is about, in words, by its code: the heading of its line in the report
/// (`hidden_rows` is "Hidden rows were read"). `None` for a code without one.
pub fn warning_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "skill_near_miss" => "A needed skill no worker has as written",
        "team_without_active_worker" => "A team with cases but no active worker",
        "team_without_cases" => "A team with workers but no cases",
        "id_near_duplicate" => "Two names that look the same",
        "hidden_rows" => "Hidden rows were read",
        "merged_cells" => "Merged cells were read cell by cell",
        "hidden_sheet" => "A hidden sheet was read",
        "named_vacant" => "A vacant post is active",
        "unlistable_worker_id" => "A worker id a list cell cannot hold",
        "unknown_sheet" => "A sheet that was not read",
        "title_rows" => "A title above a header was not read",
        _ => return None,
    })
}

/// Whether a `whatif` scenario is proven, in words: "proven best", or "not proven: within 12.5
/// of the best possible" where `gap` is the search's proven bound less the objective found;
/// `cut_short` when Ctrl-C or the time limit stopped the run before the posts asked for were
/// filled.
pub fn proof(optimal: bool, gap: f64, cut_short: bool) -> String {
    if cut_short {
        "not proven: stopped before filling the posts asked for".into()
    } else if optimal {
        "proven best".into()
    } else if gap.is_finite() {
        format!("not proven: within {} of the best possible", short(gap.max(0.0)))
    } else {
        "not proven".into()
    }
}

/// Why a `whatif` fill curve has more children without a worker after `to` posts than after
/// `from` although its objective did not fall (`before` and `after` children): the objective
/// trades a child for more of what it values.
pub fn children_rise(settings: &str, from: usize, to: usize, before: usize, after: usize) -> String {
    let curve = if settings.is_empty() { String::new() } else { format!(" ({settings})") };
    format!(
        "Children without a worker rise from {before} to {after} between {} and {} filled{curve}, \
         while the objective does not fall: the objective weighs each child by priority, so the \
         best allocation with more posts may hold fewer children of higher priority, keep more \
         children with their workers, place a sibling group together or cut overload. The \
         objective never falls as posts are filled; the count of children may.",
        count(from, "post", "posts"),
        count(to, "post", "posts")
    )
}
