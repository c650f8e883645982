//! The checked model: what [`crate::validate::validate`] makes of a [`super::ModelFile`], every
//! default filled in, ids resolved to indices, workers and cases sorted by id.

use super::{CaseType, Policy, Role, Status};

/// A checked worker. Indices refer to [`Model::workers`], which is sorted by id.
#[derive(Clone, Debug, PartialEq)]
pub struct Worker {
    /// Unique id.
    pub id: String,
    /// Role.
    pub role: Role,
    /// Index into [`Model::teams`].
    pub team: usize,
    /// Full-time equivalent.
    pub fte: f64,
    /// Hard cap on load: the cap in force less the reductions in force on the model's day.
    pub cap: f64,
    /// Manageable load, never above `cap`, less the reductions in force (never below 0).
    pub target: f64,
    /// Sum of the reductions in force on the model's day (0 when none).
    pub reduction: f64,
    /// Skills, sorted.
    pub skills: Vec<String>,
    /// Supervisor (index into workers).
    pub supervisor: Option<usize>,
    /// Most case weight this worker may oversee for supervisees.
    pub oversight_cap: f64,
    /// Post status.
    pub status: Status,
    /// Agency worker.
    pub agency: bool,
    /// The worker's name, for people (never used by the solver).
    pub name: Option<String>,
    /// A note for the meeting (never used by the solver).
    pub notes: Option<String>,
}

/// A checked case. Indices refer to [`Model::workers`] and [`Model::groups`].
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Unique id.
    pub id: String,
    /// Type.
    pub case_type: CaseType,
    /// Index into [`Model::teams`].
    pub team: usize,
    /// Caseload weight, > 0.
    pub weight: f64,
    /// Value of allocating it, >= 0.
    pub priority: f64,
    /// Who holds it today.
    pub current_worker: Option<usize>,
    /// Must stay with the current worker.
    pub pinned: bool,
    /// Sibling group (index into [`Model::groups`]).
    pub group: Option<usize>,
    /// Skills needed, sorted.
    pub needs: Vec<String>,
    /// Workers who must not hold it, sorted.
    pub exclude: Vec<usize>,
    /// Workers who held it before (not today's current worker), sorted.
    pub previous_workers: Vec<usize>,
    /// The first day of the child's current wait for a worker, if it is waiting.
    pub waiting_since: Option<crate::date::Date>,
    /// The child's name, for people (never used by the solver).
    pub name: Option<String>,
    /// A note for the meeting (never used by the solver).
    pub notes: Option<String>,
    /// Rule 11: the case may not go to an agency worker.
    pub no_agency: bool,
}

/// A sibling group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The name used in the model file.
    pub name: String,
    /// Member cases, sorted.
    pub members: Vec<usize>,
}

/// A checked model. Workers and cases are sorted by id, so the order of the file does not
/// change the proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The policy in force.
    pub policy: Policy,
    /// Team names, sorted.
    pub teams: Vec<String>,
    /// Workers, sorted by id.
    pub workers: Vec<Worker>,
    /// Cases, sorted by id.
    pub cases: Vec<Case>,
    /// Sibling groups, sorted by name.
    pub groups: Vec<Group>,
    /// SHA-256 of the model's bytes, hex.
    pub hash: String,
    /// The day the model was read for, which its proposals record (the day the allocation is
    /// for: `--date`, or today). `None` only when the library was given no day.
    pub date: Option<crate::date::Date>,
    /// The council's own words for roles and case types, as given (word -> what it means):
    /// `policy.aliases`, which holds those of a workbook's `aliases` sheet and of `--aliases`
    /// too. A sheet typed in them is read back with them (the meeting workbook's `role` and
    /// `type` columns: [`crate::vocabulary::Vocabulary::of_aliases`]).
    pub aliases: std::collections::BTreeMap<String, String>,
}

/// Whole weeks from `since` to `day`: `floor((day - since) / 7)`, never negative; 0 when there
/// is no `since` (a child not yet waiting starts today).
pub fn weeks_between(since: Option<crate::date::Date>, day: crate::date::Date) -> i64 {
    since.map_or(0, |s| (day.days() - s.days()).max(0) / 7)
}

impl Model {
    /// Index of a worker by id.
    pub fn worker_index(&self, id: &str) -> Option<usize> {
        self.workers.binary_search_by(|w| w.id.as_str().cmp(id)).ok()
    }

    /// Whether case `c` would return to worker `w`, who held it before.
    pub fn returns(&self, c: usize, w: usize) -> bool {
        self.cases[c].previous_workers.binary_search(&w).is_ok()
    }

    /// The day case `c` has waited for a worker since: its `waiting_since`, or the model's day
    /// when it has none (a child left without a worker starts waiting on the day of the
    /// allocation). `None` when neither is known.
    pub fn waiting_since(&self, c: usize) -> Option<crate::date::Date> {
        self.cases.get(c).and_then(|case| case.waiting_since).or(self.date)
    }

    /// Whole weeks case `c` has waited on the model's day (see [`weeks_between`]); `None` when
    /// the model has no day.
    pub fn weeks_waiting(&self, c: usize) -> Option<i64> {
        let day = self.date?;
        Some(weeks_between(self.cases.get(c).and_then(|case| case.waiting_since), day))
    }

    /// Index of a case by id.
    pub fn case_index(&self, id: &str) -> Option<usize> {
        self.cases.binary_search_by(|c| c.id.as_str().cmp(id)).ok()
    }
}
