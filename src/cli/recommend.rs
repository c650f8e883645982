//! `caseload recommend`: who should take this child? Every worker who may lawfully take one
//! case (of the model, or a new referral), ranked by the optimum of the whole model with the
//! case placed there; for every other worker, the rule that stops them.

use super::{exit, tell, InputChecksArgs, SheetInputArgs};
use caseload::error::{Error, Result};
use caseload::model::{CaseInput, CaseType, Model, ModelFile};
use caseload::recommend::{self, Recommendation};
use caseload::report::num;
use caseload::vocabulary::Vocabulary;
use caseload::warnings::Origin;
use std::path::PathBuf;

/// Arguments of `recommend`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["case", "referral", "case_type"])))]
pub struct RecommendArgs {
    /// The model file (JSON), or `-` for standard input; or give --workers and --cases.
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: InputChecksArgs,
    /// The id of the case in the model to place.
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// A new referral, not yet in the model: a case object as in the model file's "cases"
    /// (its "id" may be left out), from a JSON file or `-` for standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "case")]
    pub referral: Option<PathBuf>,
    /// A new referral given by flags: its type (with --team, and optionally --weight,
    /// --priority, --needs, --exclude, --group, --current-worker). A canonical name, an everyday
    /// word (CP, CIN, LAC, care leaver) or a word of the model's aliases sheet.
    #[arg(long = "type", value_name = "TYPE", conflicts_with_all = ["case", "referral"], requires = "team")]
    pub case_type: Option<String>,
    /// The referral's team.
    #[arg(long, value_name = "TEAM", requires = "case_type")]
    pub team: Option<String>,
    /// The referral's weight (default: the policy's weight for its type).
    #[arg(long, value_name = "W", requires = "case_type", allow_hyphen_values = true)]
    pub weight: Option<f64>,
    /// The referral's priority (default: the policy's priority for its type).
    #[arg(long, value_name = "P", requires = "case_type", allow_hyphen_values = true)]
    pub priority: Option<f64>,
    /// Skills the referral needs (comma-separated).
    #[arg(long, value_name = "SKILL[,SKILL]", value_delimiter = ',', requires = "case_type")]
    pub needs: Vec<String>,
    /// Workers who held the referral before (comma-separated ids): the ranking marks them
    /// `returns`.
    #[arg(long, value_name = "ID[,ID]", value_delimiter = ',', requires = "case_type")]
    pub previous_workers: Vec<String>,
    /// Workers who must not hold the referral (comma-separated ids).
    #[arg(long, value_name = "ID[,ID]", value_delimiter = ',', requires = "case_type")]
    pub exclude: Vec<String>,
    /// The referral's sibling group (a group of the model, or a new one).
    #[arg(long, value_name = "GROUP", requires = "case_type")]
    pub group: Option<String>,
    /// Who holds the referral today, if anyone.
    #[arg(long, value_name = "ID", requires = "case_type")]
    pub current_worker: Option<String>,
    /// The referral may not go to an agency worker (rule 11).
    #[arg(long, requires = "case_type")]
    pub no_agency: bool,
    /// The id the referral gets (default `NEW`, or the referral file's own id); it must not be
    /// a case id of the model.
    #[arg(long, value_name = "ID", conflicts_with = "case")]
    pub id: Option<String>,
    /// Also write the ranking as JSON (`-` for standard output; the table then goes to
    /// standard error).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// The proposal `allocate` wrote for this model (proven optimal, checked without breaches):
    /// the parts of the model the case does not touch are taken from it instead of being
    /// solved again, which makes a large model with hard parts quick.
    #[arg(long, value_name = "PROPOSAL")]
    pub proposal: Option<PathBuf>,
    /// Stop searching after this long and rank by the best allocations found (marked not
    /// proven optimal, exit status 3). Seconds (`10`, `10s`), minutes (`2m`) or hours (`1h`).
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    pub time_limit: Option<f64>,
    /// Branch-and-bound nodes allowed per independent part of each solve, as for `allocate`:
    /// `auto` (the default) is 5,000 nodes and the root relaxations' allowance, a number
    /// exactly that many nodes, 0 no limit.
    #[arg(long, value_name = "N|auto", default_value = "auto", value_parser = super::parse_node_limit)]
    pub node_limit: super::NodeLimit,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `recommend`; returns the exit status.
pub fn run(a: &RecommendArgs) -> Result<i32> {
    let lim = super::limits(a.time_limit, a.node_limit)?;
    super::one_stdin(a.sheets.inputs().into_iter().chain([
        ("MODEL", a.model.as_deref()),
        ("--referral", a.referral.as_deref()),
        ("--proposal", a.proposal.as_deref()),
    ]))?;
    let sheets = a.sheets.lower();
    let mut inputs = sheets.inputs(a.model.as_deref());
    inputs.extend([a.referral.as_deref(), a.proposal.as_deref()].into_iter().flatten());
    caseload::sheets::no_output_over_input(inputs, [("--json", a.json.as_deref())])?;
    // An output named as another kind of file (after the inputs: writing over one is worse).
    super::named_as_written([("--json", a.json.as_deref(), super::Kind::Json)], &[])?;
    // The proposal is read first: without --date, the model is read for the day it records.
    let given = match &a.proposal {
        Some(path) => Some((path.display().to_string(), caseload::read::read_bytes(path)?)),
        None => None,
    };
    let recorded = given
        .as_ref()
        .and_then(|(name, bytes)| caseload::sheets::meeting::parse_proposal(name, bytes).ok())
        .and_then(|p| p.date());
    let (as_is, with, c) = match &a.case {
        Some(id) => {
            let (m, warnings) = caseload::sheets::load_screened(
                a.model.as_deref(),
                &a.sheets.lower(),
                a.checks.checks_on(recorded),
            )?;
            super::print_warnings(&warnings);
            let c = recommend::case_named(&m, id)?;
            (m, None, c)
        }
        None if a.referral.is_some() || a.case_type.is_some() => {
            // A referral file is read before the model, as always; --type once the model (and
            // its aliases sheet) is read, so that a council's own words name the type.
            let early = match &a.referral {
                Some(_) => referral_of(a, &Vocabulary::default())?,
                None => None,
            };
            let (name, file, bytes, as_is, as_of, words) = model_file(a, recorded)?;
            let Some((source, place, case)) = (match early {
                Some(r) => Some(r),
                None => referral_of(a, &words)?,
            }) else {
                return Err(Error::Usage("give --case ID, --referral FILE, or --type and --team".into()));
            };
            let (m, c) = recommend::with_referral(&name, &file, &bytes, &case, &source, &place, as_of)?;
            if !a.checks.allow_near_misses {
                recommend::referral_near_misses(&m, c, &source, &place)?;
            }
            (as_is, Some(m), c)
        }
        None => return Err(Error::Usage("give --case ID, --referral FILE, or --type and --team".into())),
    };
    let model = with.as_ref().unwrap_or(&as_is);
    let known = match &given {
        Some((name, bytes)) => Some(recommend::known_from_proposal(&as_is, model, name, bytes)?),
        None => None,
    };
    let options = recommend::Options { limits: lim, referral: with.is_some(), known };
    let r = recommend::recommend_with(model, c, &options)?;
    let to_stdout = a.json.as_deref().is_some_and(super::is_stdout);
    if let Some(path) = &a.json {
        super::emit(path, &caseload::write::to_json(&r))?;
    }
    if !a.quiet {
        tell(&table(model, &r), to_stdout)?;
    }
    Ok(if r.optimal { exit::OK } else { exit::NOT_PROVEN })
}

/// What a referral file holds, for messages.
const HINT: &str =
    "give one case object as in the model file's \"cases\", such as {\"type\": \"looked_after\", \"team\": \"North\"}";

/// Where a referral's error is placed: its file and field, or the flag that gave it.
type Placing = Box<dyn Fn(&str) -> String>;

/// The referral, if one was given: its source (as named in messages), how to place a field in
/// it, and the case.
fn referral_of(a: &RecommendArgs, words: &Vocabulary) -> Result<Option<(String, Placing, CaseInput)>> {
    if let Some(path) = &a.referral {
        let source = path.display().to_string();
        let bytes = caseload::read::read_bytes(path)?;
        let text = caseload::read::utf8(&source, &bytes)?;
        if text.trim().is_empty() {
            return Err(Error::input(&source, "line 1", format!("the file is empty; {HINT}")));
        }
        caseload::read::json_shape(&source, text)?;
        let de = &mut serde_json::Deserializer::from_str(text);
        let mut value: serde_json::Value = serde_path_to_error::deserialize(de)
            .map_err(|e| caseload::read::json_error(&source, e, Some(HINT)))?;
        let Some(object) = value.as_object_mut() else {
            return Err(Error::input(&source, "line 1", format!("not a JSON object; {HINT}")));
        };
        if let Some(id) = &a.id {
            object.insert("id".into(), serde_json::Value::String(id.clone()));
        } else if !object.contains_key("id") {
            object.insert("id".into(), serde_json::Value::String("NEW".into()));
        }
        let case: CaseInput = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let place = if path.is_empty() || path == "." { "the case object".to_string() } else { path };
            Error::input(&source, place, format!("{}; {HINT}", e.inner()))
        })?;
        return Ok(Some((source, Box::new(|field: &str| field.to_string()), case)));
    }
    let Some(word) = a.case_type.as_deref() else { return Ok(None) };
    let case_type = type_of(word, words)?;
    for (flag, x) in [("--weight", a.weight), ("--priority", a.priority)] {
        if x.is_some_and(|x| !x.is_finite()) {
            return Err(Error::input("the referral's flags", flag, "must be a finite number"));
        }
    }
    // A stray comma (`--needs urdu,`) is an empty item, not a skill nobody has.
    for (flag, items) in
        [("--needs", &a.needs), ("--exclude", &a.exclude), ("--previous-workers", &a.previous_workers)]
    {
        if items.iter().any(|s| s.trim().is_empty()) {
            let given = items.join(",");
            return Err(Error::input(
                "the referral's flags",
                flag,
                format!("empty item in {given:?}; write e.g. `{flag} a,b` with no comma left over"),
            ));
        }
    }
    // Built as the JSON a model file would hold, so the referral is read exactly as a case is.
    let mut object = serde_json::json!({
        "id": a.id.clone().unwrap_or_else(|| "NEW".into()),
        "type": case_type,
        "team": a.team.clone().unwrap_or_default(),
    });
    let fields = [
        ("weight", a.weight.map(serde_json::Value::from)),
        ("priority", a.priority.map(serde_json::Value::from)),
        ("current_worker", a.current_worker.clone().map(serde_json::Value::from)),
        ("group", a.group.clone().map(serde_json::Value::from)),
        ("no_agency", a.no_agency.then_some(serde_json::Value::Bool(true))),
        ("needs", (!a.needs.is_empty()).then(|| serde_json::Value::from(a.needs.clone()))),
        ("exclude", (!a.exclude.is_empty()).then(|| serde_json::Value::from(a.exclude.clone()))),
        (
            "previous_workers",
            (!a.previous_workers.is_empty()).then(|| serde_json::Value::from(a.previous_workers.clone())),
        ),
    ];
    for (k, v) in fields {
        if let Some(v) = v {
            object[k] = v;
        }
    }
    let case: CaseInput =
        serde_json::from_value(object).map_err(|e| Error::Usage(format!("the referral's flags: {e}")))?;
    let place: Placing = Box::new(|field: &str| {
        let name = field.split(['.', '[']).next().unwrap_or(field);
        format!("--{}", name.replace('_', "-"))
    });
    Ok(Some(("the referral's flags".into(), place, case)))
}

/// The case type `--type` names: a canonical name, a word of the built-in table or of the
/// model's aliases; anything else is an input error with the nearest words (ties listed).
fn type_of(word: &str, words: &Vocabulary) -> Result<CaseType> {
    words.case_type(word).ok_or_else(|| {
        Error::input(
            "the referral's flags",
            "--type",
            format!(
                "unknown case type {}{}; use one of {}, an everyday word such as CP, CIN, LAC or care leaver{}",
                caseload::util::quoted(word),
                words.suggest_type(word),
                CaseType::ALL.map(|t| t.name()).join(", "),
                if words.is_empty() { "" } else { ", or a word of the aliases sheet" }
            ),
        )
    })
}

/// A model read as a file: its name, the parsed file, its bytes, the checked model, the day
/// it was read for and the words it was read with.
type Loaded = (String, ModelFile, Vec<u8>, Model, Option<caseload::model::AsOf>, Vocabulary);

/// The model as a model file (to add a referral to), its name and bytes; invalid models are
/// refused with their own places, as by every command.
fn model_file(a: &RecommendArgs, recorded: Option<caseload::date::Date>) -> Result<Loaded> {
    let sheets = a.sheets.lower();
    let checks = a.checks.checks_on(recorded);
    let (name, file, bytes, model, words, origin) = match (&a.model, sheets.given()) {
        (Some(path), false) => {
            let name = path.display().to_string();
            let bytes = caseload::read::read_bytes(path)?;
            let file = caseload::read::parse_model(&name, &bytes)?;
            let model = caseload::validate::validate_on(&name, &file, &bytes, checks.as_of)?;
            // Each case placed at its entry (`m.json: cases[0].team`), as allocate does.
            let origin = Origin::model_file(&name, &file);
            let words = Vocabulary::of_policy(file.policy.as_ref());
            (name, file, bytes, model, words, origin)
        }
        (None, true) => {
            let s = sheets.screened(checks).read()?;
            let model = s.validate_on(checks.as_of)?;
            (s.workers_file.clone(), s.model.clone(), s.canonical_json(), model, s.words.clone(), s.origin())
        }
        _ => {
            // The same refusal as every command's.
            caseload::sheets::load(a.model.as_deref(), &sheets)?;
            return Err(Error::Usage("give a MODEL file, or --workers and --cases spreadsheets".into()));
        }
    };
    let warnings = caseload::warnings::screen(&model, checks, &origin)?;
    super::print_warnings(&warnings);
    Ok((name, file, bytes, model, checks.as_of, words))
}

/// The ranking for people.
pub fn table(m: &Model, r: &Recommendation) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", r.headline);
    let today =
        r.current_worker.as_deref().map_or("no worker today".to_string(), |w| format!("held today by {w}"));
    let _ = writeln!(
        out,
        "{} {} ({}, team {}, weight {}, {}): {} may take it, {} may not",
        if r.referral { "referral" } else { "case" },
        r.case,
        r.case_type.words(),
        r.team,
        num(r.weight),
        today,
        caseload::words::count(r.workers.len(), "worker", "workers"),
        r.not_permitted.len()
    );
    if let Some(g) = m.case_index(&r.case).and_then(|c| m.cases[c].group) {
        let siblings: Vec<&str> =
            m.groups[g].members.iter().map(|&x| m.cases[x].id.as_str()).filter(|id| *id != r.case).collect();
        if siblings.is_empty() {
            let _ = writeln!(out, "  the only case of its sibling group {}", m.groups[g].name);
        } else {
            let _ = writeln!(
                out,
                "  with its {} {} (group {}), who go with it",
                caseload::words::noun(siblings.len(), "sibling", "siblings"),
                caseload::words::and_list(&siblings),
                m.groups[g].name
            );
        }
    }
    // allocate's own choice, and where it stands in the ranking when it is not the first.
    let first = r.workers.first();
    let stands = match (&r.allocate.worker, first) {
        (Some(w), Some(f)) if *w != f.worker => match r.workers.iter().position(|x| x.worker == *w) {
            Some(i) if r.workers[i].objective == f.objective => {
                format!(
                    "; {w} ties with the first choice, {}, and ranks {} by the order of ties",
                    f.worker,
                    i + 1
                )
            }
            Some(i) => format!("; {w} ranks {} here", i + 1),
            None => String::new(),
        },
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "allocate, left free to choose: {} (objective {}{}){stands}",
        r.allocate
            .worker
            .as_deref()
            .map_or("leaves it unallocated".to_string(), |w| format!("gives it to {w}")),
        num(r.allocate.objective),
        if r.allocate.optimal { "" } else { ", not proven optimal" }
    );
    if !r.workers.is_empty() {
        let wid = r.workers.iter().map(|x| x.worker.chars().count()).max().unwrap_or(0).max(6);
        let _ = writeln!(
            out,
            "  {:>4}  {:<wid$}  {:>12}  {:>10}  {:>10}  {:>9}  {:<6}",
            "rank", "worker", "objective", "below best", "load after", "of target", "change"
        );
        for (i, x) in r.workers.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:>4}  {:<wid$}  {:>12}  {:>10}  {:>10}  {:>9}  {:<6}{}",
                i + 1,
                x.worker,
                num(x.objective),
                num(x.below_best),
                format!("{}/{}", num(x.load_after), num(x.target)),
                x.percent_after.map_or("-".to_string(), |p| format!("{p:.0}%")),
                x.change.name(),
                match (x.returns, x.optimal) {
                    (true, true) => "  returns: held it before",
                    (true, false) => "  returns: held it before; not proven optimal",
                    (false, true) => "",
                    (false, false) => "  (not proven optimal)",
                }
            );
        }
    }
    // Workers of the case's own team (or every worker, with cross-team allocation) one by one;
    // the rest of the authority in one line by rule.
    let team = m.teams.iter().position(|t| *t == r.team);
    let own =
        |id: &str| m.policy.cross_team || m.worker_index(id).is_some_and(|w| Some(m.workers[w].team) == team);
    let mut others: std::collections::BTreeMap<(usize, &str), usize> = std::collections::BTreeMap::new();
    let mut listed = false;
    for n in &r.not_permitted {
        if own(&n.worker) {
            if !listed {
                let _ = writeln!(out, "not permitted:");
                listed = true;
            }
            let _ = writeln!(out, "  {}: {}: {}", n.worker, n.reason, n.detail);
        } else {
            let number = caseload::rules::Rule::from_code(&n.rule).map_or(0, |r| r.number());
            *others.entry((number, n.reason.as_str())).or_default() += 1;
        }
    }
    if !others.is_empty() {
        let total: usize = others.values().sum();
        let by: Vec<String> = others.iter().map(|((_, reason), k)| format!("{reason} {k}")).collect();
        let _ = writeln!(
            out,
            "not permitted in other teams: {} ({})",
            caseload::words::count(total, "worker", "workers"),
            by.join(", ")
        );
    }
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}
