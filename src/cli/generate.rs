//! `caseload generate`: seeded synthetic models.

use super::exit;
use caseload::error::Result;
use caseload::generate::GenerateOptions;
use caseload::model::{CaseType, Role};
use std::path::PathBuf;

/// Arguments of `caseload generate`.
#[derive(clap::Args, Debug, Clone)]
pub struct GenerateArgs {
    /// Number of cases (children).
    #[arg(long)]
    pub cases: usize,
    /// Number of posts (workers), filled or vacant.
    #[arg(long)]
    pub workers: usize,
    /// Number of teams.
    #[arg(long, default_value_t = 1)]
    pub teams: usize,
    /// Seed of the pseudo-random generator: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of posts that are vacant (0 to 1).
    #[arg(long, default_value_t = 0.1, value_name = "F")]
    pub vacant_share: f64,
    /// Type-based case weights (child_protection 1.5, looked_after 1.0, child_in_need 0.5,
    /// care_leaver 0.5) in the policy; without it every case weighs 1.
    #[arg(long)]
    pub weights: bool,
    /// Share of cases in sibling groups of 2 to 4 cases of one team (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub groups: f64,
    /// Allow cross-team allocation in the policy.
    #[arg(long)]
    pub cross_team: bool,
    /// Relative mix of case types, e.g. `--mix child_in_need=3639 --mix looked_after=1999`
    /// (default: child_in_need 45, child_protection 15, looked_after 28, care_leaver 12). When
    /// the numbers add up to --cases they are exact counts.
    #[arg(long, value_name = "TYPE=N", value_parser = parse_mix)]
    pub mix: Vec<(CaseType, f64)>,
    /// Policy cap for a role, e.g. `--cap social_worker=40` (repeatable).
    #[arg(long, value_name = "ROLE=N", value_parser = parse_role_value)]
    pub cap: Vec<(Role, f64)>,
    /// Policy target for a role, e.g. `--target social_worker=18` (repeatable).
    #[arg(long, value_name = "ROLE=N", value_parser = parse_role_value)]
    pub target: Vec<(Role, f64)>,
    /// Where to write the model (written atomically; `-` for standard output).
    #[arg(short, long)]
    pub output: PathBuf,
}

impl GenerateArgs {
    fn lower(&self) -> GenerateOptions {
        GenerateOptions {
            cases: self.cases,
            workers: self.workers,
            teams: self.teams,
            seed: self.seed,
            vacant_share: self.vacant_share,
            weights: self.weights,
            groups: self.groups,
            cross_team: self.cross_team,
            mix: self.mix.clone(),
            cap: self.cap.clone(),
            target: self.target.clone(),
        }
    }
}

fn split_eq(s: &str) -> std::result::Result<(&str, f64), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("expected NAME=NUMBER, got {s:?}"))?;
    let v: f64 = v.trim().parse().map_err(|_| format!("{v:?} is not a number"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{v} must be a number >= 0"));
    }
    Ok((k.trim(), v))
}

fn parse_mix(s: &str) -> std::result::Result<(CaseType, f64), String> {
    let (k, v) = split_eq(s)?;
    let t = CaseType::parse(k).ok_or_else(|| {
        format!("unknown case type {k:?}; use one of {}", CaseType::ALL.map(|t| t.name()).join(", "))
    })?;
    Ok((t, v))
}

fn parse_role_value(s: &str) -> std::result::Result<(Role, f64), String> {
    let (k, v) = split_eq(s)?;
    let r = Role::parse(k).ok_or_else(|| {
        format!("unknown role {k:?}; use one of {}", Role::ALL.map(|r| r.name()).join(", "))
    })?;
    Ok((r, v))
}

/// Runs `caseload generate`: builds the model and writes it.
pub fn run(a: &GenerateArgs) -> Result<i32> {
    super::named_as_written([("-o", Some(a.output.as_path()), super::Kind::Json)], &[])?;
    let model = caseload::generate::generate(&a.lower())?;
    super::emit(&a.output, &caseload::write::to_json(&model))?;
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_mix_without_a_share_and_an_unknown_role() {
        assert!(parse_mix("looked_after").is_err());
        assert!(parse_mix("orphan=3").is_err());
        assert!(parse_role_value("wizard=3").is_err());
        assert!(parse_role_value("social_worker=-1").is_err());
        assert_eq!(parse_role_value("social_worker=40"), Ok((Role::SocialWorker, 40.0)));
    }
}
