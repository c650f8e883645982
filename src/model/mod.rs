//! The model file (SPEC section 1) as it is written on disk, and the policy (section 2).
//!
//! These types mirror the JSON exactly: every struct refuses unknown fields, because a typo
//! must not silently change a child's allocation. Defaults are filled in by
//! [`crate::validate`], which turns a [`ModelFile`] into a checked [`Model`] ([`checked`]).

mod checked;

pub use crate::date::Date;
pub use checked::{weeks_between, Case, Group, Model, Worker};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A worker's role. The order is the order roles are listed in the specification.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Team manager: a qualified social worker who also manages the team.
    TeamManager,
    /// Senior (advanced) social worker.
    SeniorSocialWorker,
    /// Qualified social worker.
    SocialWorker,
    /// Newly qualified social worker in the Assessed and Supported Year in Employment (ASYE).
    NewlyQualifiedSocialWorker,
    /// Social work assistant: unqualified, works under supervision.
    SocialWorkAssistant,
    /// Family support worker: unqualified, works under supervision.
    FamilySupportWorker,
    /// Personal adviser for care leavers.
    PersonalAdviser,
}

impl Role {
    /// Every role, in specification order.
    pub const ALL: [Role; 7] = [
        Role::TeamManager,
        Role::SeniorSocialWorker,
        Role::SocialWorker,
        Role::NewlyQualifiedSocialWorker,
        Role::SocialWorkAssistant,
        Role::FamilySupportWorker,
        Role::PersonalAdviser,
    ];

    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            Role::TeamManager => "team_manager",
            Role::SeniorSocialWorker => "senior_social_worker",
            Role::SocialWorker => "social_worker",
            Role::NewlyQualifiedSocialWorker => "newly_qualified_social_worker",
            Role::SocialWorkAssistant => "social_work_assistant",
            Role::FamilySupportWorker => "family_support_worker",
            Role::PersonalAdviser => "personal_adviser",
        }
    }

    /// Parses a model-file role name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// The type of a child's case.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum CaseType {
    /// Child in need (Children Act 1989, section 17).
    ChildInNeed,
    /// Child subject to a child protection plan.
    ChildProtection,
    /// Looked-after child (in care).
    LookedAfter,
    /// Care leaver.
    CareLeaver,
}

impl CaseType {
    /// Every case type, in specification order.
    pub const ALL: [CaseType; 4] =
        [CaseType::ChildInNeed, CaseType::ChildProtection, CaseType::LookedAfter, CaseType::CareLeaver];

    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            CaseType::ChildInNeed => "child_in_need",
            CaseType::ChildProtection => "child_protection",
            CaseType::LookedAfter => "looked_after",
            CaseType::CareLeaver => "care_leaver",
        }
    }

    /// Plain words for messages a manager may read out.
    pub fn words(self) -> &'static str {
        match self {
            CaseType::ChildInNeed => "child in need",
            CaseType::ChildProtection => "child protection",
            CaseType::LookedAfter => "looked-after child",
            CaseType::CareLeaver => "care leaver",
        }
    }

    /// Parses a model-file case type name.
    pub fn parse(name: &str) -> Option<CaseType> {
        CaseType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Whether a post is filled and working.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In post and able to hold cases.
    #[default]
    Active,
    /// An established post with nobody in it.
    Vacant,
    /// Leaving, sick or on leave.
    Absent,
}

impl Status {
    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Vacant => "vacant",
            Status::Absent => "absent",
        }
    }
}

/// A worker as written in the model file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    /// Unique id.
    pub id: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: String,
    /// Full-time equivalent, 0 < fte <= 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fte: Option<f64>,
    /// Absolute hard cap on caseload weight (default: policy cap for the role x fte).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// Manageable caseload weight (default: policy target for the role x fte).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Skills, such as a language.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "bounded_list")]
    pub skills: Vec<String>,
    /// Supervisor's worker id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<String>,
    /// Most case weight this worker may oversee for supervisees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oversight_cap: Option<f64>,
    /// Post status (default active).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Agency worker (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<bool>,
    /// Extension: dated reductions of cap and target (court work, a phased return, study
    /// leave), in caseload units. JSON only; the spreadsheets do not carry them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reductions: Vec<ReductionInput>,
    /// Extension: the worker's name, for people; never used by the solver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Extension: a note for the allocation meeting; never used by the solver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Extension: a dated reduction of a worker's cap and target, as written in the model file.
/// Dates are kept as text here, so that a bad one is an input error with its place.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReductionInput {
    /// Caseload units taken off the cap and the target while it is in force (> 0).
    pub amount: f64,
    /// First day in force, `YYYY-MM-DD`.
    pub from: String,
    /// Last day in force (inclusive, not before `from`), `YYYY-MM-DD`.
    pub to: String,
    /// Why, in words (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The day a model is read for: which reductions are in force, and whether its proposals
/// record the day. The command layer gives `--date`, or today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsOf {
    /// The day.
    pub date: crate::date::Date,
    /// True when the person named the day (`--date`, or the date a checked proposal records)
    /// rather than taking today by default. Every proposal records its day either way.
    pub stated: bool,
}

/// A case (one child) as written in the model file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// Unique id.
    pub id: String,
    /// Case type.
    #[serde(rename = "type")]
    pub case_type: CaseType,
    /// Owning team.
    pub team: String,
    /// Caseload weight (default: policy weight for the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Value of allocating it (default: policy priority for the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// Who holds it today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_worker: Option<String>,
    /// Must stay with the current worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    /// Sibling group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Skills the worker must have.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "bounded_list")]
    pub needs: Vec<String>,
    /// Workers who must not hold it.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "bounded_list")]
    pub exclude: Vec<String>,
    /// Extension: workers who held the case before (not today's `current_worker`).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "bounded_list")]
    pub previous_workers: Vec<String>,
    /// Extension: the first day of the child's current wait for a worker, `YYYY-MM-DD`
    /// (written by `accept`; kept while the child waits, dropped once it has a worker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<String>,
    /// Extension: the child's name, for people; never used by the solver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Extension: a note for the allocation meeting; never used by the solver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Extension (rule 11): the case may not go to an agency worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_agency: Option<bool>,
}

impl CaseInput {
    /// A case of type `case_type` in `team`, with every optional field left out.
    pub fn new(id: impl Into<String>, case_type: CaseType, team: impl Into<String>) -> CaseInput {
        CaseInput {
            id: id.into(),
            case_type,
            team: team.into(),
            weight: None,
            priority: None,
            current_worker: None,
            pinned: None,
            group: None,
            needs: vec![],
            exclude: vec![],
            previous_workers: vec![],
            waiting_since: None,
            name: None,
            notes: None,
            no_agency: None,
        }
    }
}

/// The policy as written in the model file: every field optional, maps partial.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Roles that may hold each case type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub may_hold: Option<BTreeMap<CaseType, Vec<Role>>>,
    /// Roles whose cases need a qualified supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_roles: Option<Vec<Role>>,
    /// Roles that may supervise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_roles: Option<Vec<Role>>,
    /// Hard caps per role (full time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caps: Option<BTreeMap<Role, f64>>,
    /// Targets per role (full time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<BTreeMap<Role, f64>>,
    /// Case weights per type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<BTreeMap<CaseType, f64>>,
    /// Priorities per type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<BTreeMap<CaseType, f64>>,
    /// Default oversight cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oversight_cap: Option<f64>,
    /// Penalty per moved case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_penalty: Option<f64>,
    /// Penalty per unit of load above target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overload_penalty: Option<f64>,
    /// Whether cases may go to workers of other teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_team: Option<bool>,
    /// Penalty per case allocated outside its team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_team_penalty: Option<f64>,
    /// Weight of the fairness term (README "Fair workloads"); 0 leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness_penalty: Option<f64>,
    /// Value added for each case allocated to one of its previous workers; 0 leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_bonus: Option<f64>,
    /// Priority added to a waiting child's case for each whole week it has waited (since its
    /// `waiting_since`, to the day the model is read for); 0 leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_priority: Option<f64>,
    /// A council's own words for roles and case types (word -> the role or type it means, a
    /// canonical name or an everyday word), read in spreadsheets and by `recommend --type`; a
    /// workbook holds them in its `aliases` sheet. Never read by the solver.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "bounded_aliases")]
    pub aliases: Option<BTreeMap<String, String>>,
}

/// The most entries of one list of texts in a model (a worker's `skills`, a case's `needs`,
/// `exclude` and `previous_workers`): 1,000. A worker with a thousand skills, or a child with a
/// thousand previous workers (twenty years of weekly changes), is no real record. Re-exported
/// by [`crate::limits`], with the reading boundary's other limits.
pub const MAX_LIST_ITEMS: usize = 1_000;

/// The most entries of all the lists of texts of one model file together: 4,194,304 (four a
/// case of the most cases a model holds), so their memory is bounded by the limit, not by the
/// file (a 128 MiB file of one-letter skills is 32 million of them).
pub const MAX_LIST_ITEMS_TOTAL: usize = 4 * 1_048_576;

/// The most words of a policy's `aliases`: 10,000. A council's own words for seven roles and
/// four case types are a few dozen.
pub const MAX_ALIASES: usize = 10_000;

/// Reads a list of texts of at most [`MAX_LIST_ITEMS`] entries, refusing the next one before
/// it is kept: memory is bounded by the limit, not by the file.
fn bounded_list<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    struct Bounded;
    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {MAX_LIST_ITEMS} texts")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Vec<String>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(item) = seq.next_element::<String>()? {
                if out.len() == MAX_LIST_ITEMS {
                    return Err(serde::de::Error::custom(too_many_items()));
                }
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded)
}

/// A limit as the reference writes it: `10,000`.
fn thousands(n: usize) -> String {
    if n < 1000 {
        n.to_string()
    } else {
        format!("{},{:03}", thousands(n / 1000), n % 1000)
    }
}

/// The refusal of a list past [`MAX_LIST_ITEMS`].
pub fn too_many_items() -> String {
    format!(
        "more than {} entries, above the limit on one list; keep the ones that matter",
        thousands(MAX_LIST_ITEMS)
    )
}

/// The refusal of aliases past [`MAX_ALIASES`].
pub fn too_many_aliases() -> String {
    format!(
        "more than {} words, above the limit on aliases; keep the council's own words for roles and case types",
        thousands(MAX_ALIASES)
    )
}

/// Reads `aliases` of at most [`MAX_ALIASES`] words, refusing the next before it is kept.
fn bounded_aliases<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<BTreeMap<String, String>>, D::Error> {
    struct Bounded;
    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Option<BTreeMap<String, String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "an object of at most {MAX_ALIASES} words, each with the role or case type it means")
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((word, means)) = map.next_entry::<String, String>()? {
                if out.len() == MAX_ALIASES {
                    return Err(serde::de::Error::custom(too_many_aliases()));
                }
                out.insert(word, means);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_option(Bounded)
}

/// A model file's `version`: a whole number, or a number written with a fraction or an exponent
/// that equals one (`1.0`, `1e0`), as exporters that write every number as a float write it.
/// Any other number with a fraction (`1.5`, `2.0`) is refused as before, by serde's words.
fn version<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<u32, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = u32;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            // serde's name for the type, which the reader puts in plain words.
            f.write_str("u32")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<u32, E> {
            if v == 1.0 {
                Ok(1)
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    d.deserialize_u32(Whole)
}

/// A whole model file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Format version; must be 1 (a JSON number equal to it, `1.0` as well: [`version`]).
    #[serde(deserialize_with = "version")]
    pub version: u32,
    /// Policy overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyInput>,
    /// Workers and posts.
    pub workers: Vec<WorkerInput>,
    /// Cases.
    pub cases: Vec<CaseInput>,
}

/// The policy in force, every field filled in. Recorded in each proposal.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Policy {
    /// Roles that may hold each case type.
    pub may_hold: BTreeMap<CaseType, Vec<Role>>,
    /// Roles whose cases need a qualified supervisor.
    pub supervised_roles: Vec<Role>,
    /// Roles that may supervise.
    pub supervisor_roles: Vec<Role>,
    /// Hard caps per role (full time).
    pub caps: BTreeMap<Role, f64>,
    /// Targets per role (full time).
    pub targets: BTreeMap<Role, f64>,
    /// Case weights per type.
    pub weights: BTreeMap<CaseType, f64>,
    /// Priorities per type.
    pub priority: BTreeMap<CaseType, f64>,
    /// Default oversight cap.
    pub oversight_cap: f64,
    /// Penalty per moved case.
    pub move_penalty: f64,
    /// Penalty per unit of load above target.
    pub overload_penalty: f64,
    /// Whether cases may go to workers of other teams.
    pub cross_team: bool,
    /// Penalty per case allocated outside its team.
    pub cross_team_penalty: f64,
    /// Weight of the fairness term: fairness_penalty x sum over workers of q(load) / target,
    /// where q is load squared at whole loads and linear between them. 0 (the default) leaves
    /// it out, and out of the proposal.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fairness_penalty: f64,
    /// Value added for each case allocated to one of its `previous_workers` (a child returning
    /// to a worker who knows them). 0 (the default) leaves it out, and out of the proposal.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub return_bonus: f64,
    /// Priority added to a case for each whole week it has waited for a worker (README
    /// "Waiting"): a checked case's priority already includes it. 0 (the default) leaves it
    /// out, and out of the proposal.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waiting_priority: f64,
}

/// Whether a number is zero: optional terms and settings are left out of the files at zero, so
/// models that do not use them give the same bytes as before they existed.
pub fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Policy {
    /// The `england` policy: the defaults of SPEC section 2.
    pub fn england() -> Policy {
        use CaseType::*;
        use Role::*;
        let caps: BTreeMap<Role, f64> = [
            (TeamManager, 5.0),
            (SeniorSocialWorker, 15.0),
            (SocialWorker, 18.0),
            (NewlyQualifiedSocialWorker, 16.0),
            (SocialWorkAssistant, 12.0),
            (FamilySupportWorker, 12.0),
            (PersonalAdviser, 25.0),
        ]
        .into();
        Policy {
            may_hold: [
                (
                    LookedAfter,
                    vec![TeamManager, SeniorSocialWorker, SocialWorker, NewlyQualifiedSocialWorker],
                ),
                (ChildProtection, vec![TeamManager, SeniorSocialWorker, SocialWorker]),
                (
                    ChildInNeed,
                    vec![
                        TeamManager,
                        SeniorSocialWorker,
                        SocialWorker,
                        NewlyQualifiedSocialWorker,
                        SocialWorkAssistant,
                        FamilySupportWorker,
                    ],
                ),
                (
                    CareLeaver,
                    vec![
                        PersonalAdviser,
                        SeniorSocialWorker,
                        SocialWorker,
                        NewlyQualifiedSocialWorker,
                        SocialWorkAssistant,
                    ],
                ),
            ]
            .into(),
            supervised_roles: vec![SocialWorkAssistant, FamilySupportWorker],
            supervisor_roles: vec![TeamManager, SeniorSocialWorker, SocialWorker],
            targets: caps.clone(),
            caps,
            weights: CaseType::ALL.into_iter().map(|t| (t, 1.0)).collect(),
            priority: [
                (ChildProtection, 100.0),
                (LookedAfter, 100.0),
                (CareLeaver, 50.0),
                (ChildInNeed, 40.0),
            ]
            .into(),
            oversight_cap: 24.0,
            move_penalty: 10.0,
            overload_penalty: 20.0,
            cross_team: false,
            cross_team_penalty: 5.0,
            fairness_penalty: 0.0,
            return_bonus: 0.0,
            waiting_priority: 0.0,
        }
    }

    /// The policy in force: defaults overridden by what the model file gives.
    /// Targets default to the caps in force, after any override of caps.
    pub fn from_input(input: &PolicyInput) -> Policy {
        let mut p = Policy::england();
        if let Some(m) = &input.may_hold {
            for (t, roles) in m {
                let mut roles = roles.clone();
                roles.sort();
                roles.dedup();
                p.may_hold.insert(*t, roles);
            }
        }
        if let Some(r) = &input.supervised_roles {
            p.supervised_roles = sorted(r);
        }
        if let Some(r) = &input.supervisor_roles {
            p.supervisor_roles = sorted(r);
        }
        if let Some(c) = &input.caps {
            p.caps.extend(c.iter().map(|(k, v)| (*k, *v)));
        }
        p.targets = p.caps.clone();
        if let Some(t) = &input.targets {
            p.targets.extend(t.iter().map(|(k, v)| (*k, *v)));
        }
        if let Some(w) = &input.weights {
            p.weights.extend(w.iter().map(|(k, v)| (*k, *v)));
        }
        if let Some(w) = &input.priority {
            p.priority.extend(w.iter().map(|(k, v)| (*k, *v)));
        }
        let set = |dst: &mut f64, src: Option<f64>| {
            if let Some(v) = src {
                *dst = v;
            }
        };
        set(&mut p.oversight_cap, input.oversight_cap);
        set(&mut p.move_penalty, input.move_penalty);
        set(&mut p.overload_penalty, input.overload_penalty);
        set(&mut p.cross_team_penalty, input.cross_team_penalty);
        set(&mut p.fairness_penalty, input.fairness_penalty);
        set(&mut p.return_bonus, input.return_bonus);
        set(&mut p.waiting_priority, input.waiting_priority);
        if let Some(v) = input.cross_team {
            p.cross_team = v;
        }
        p
    }

    /// Whether a role may hold a case type.
    pub fn may_hold(&self, role: Role, t: CaseType) -> bool {
        self.may_hold.get(&t).is_some_and(|r| r.contains(&role))
    }

    /// Whether a role needs a qualified supervisor.
    pub fn is_supervised(&self, role: Role) -> bool {
        self.supervised_roles.contains(&role)
    }

    /// Whether a role may supervise.
    pub fn may_supervise(&self, role: Role) -> bool {
        self.supervisor_roles.contains(&role)
    }
}

fn sorted(r: &[Role]) -> Vec<Role> {
    let mut r = r.to_vec();
    r.sort();
    r.dedup();
    r
}

#[cfg(test)]
mod list_limits {
    use super::*;

    #[test]
    fn a_list_or_the_aliases_past_their_limit_are_refused_while_read() {
        let skills = vec!["a"; MAX_LIST_ITEMS + 1];
        let w = serde_json::json!({"id": "W1", "role": "social_worker", "team": "N", "skills": skills});
        let e = serde_json::from_value::<WorkerInput>(w).unwrap_err().to_string();
        assert!(e.contains("more than 1,000 entries"), "{e}");
        let ok = serde_json::json!({"id": "W1", "role": "social_worker", "team": "N", "skills": vec!["a"; MAX_LIST_ITEMS]});
        assert_eq!(serde_json::from_value::<WorkerInput>(ok).unwrap().skills.len(), MAX_LIST_ITEMS);
        let words: serde_json::Map<String, serde_json::Value> =
            (0..=MAX_ALIASES).map(|i| (format!("w{i}"), "CP".into())).collect();
        let e = serde_json::from_value::<PolicyInput>(serde_json::json!({ "aliases": words })).unwrap_err();
        assert!(e.to_string().contains("more than 10,000 words"), "{e}");
        let p: PolicyInput = serde_json::from_value(serde_json::json!({ "aliases": null })).unwrap();
        assert_eq!(p.aliases, None);
        let p: PolicyInput = serde_json::from_value(serde_json::json!({ "aliases": {"SP": "sw"} })).unwrap();
        assert_eq!(p.aliases.map(|a| a.len()), Some(1));
    }
}
