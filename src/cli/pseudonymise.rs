//! `caseload pseudonymise`: keyed pseudonyms for every id of a model.

use super::exit;
use caseload::error::{Error, Result};
use std::path::PathBuf;

/// Arguments of `pseudonymise`.
#[derive(clap::Args, Debug)]
pub struct PseudonymiseArgs {
    /// The model file (JSON); or give --workbook or --workers and --cases.
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: super::SheetInputArgs,
    /// A file holding the secret key (at least 16 bytes), e.g. from `head -c 32 /dev/urandom`.
    #[arg(long)]
    pub key: PathBuf,
    /// Where to write the pseudonymised model (`-` for standard output).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the mapping (kind, original, pseudonym) as CSV; keep it with the key.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Pseudonymise team names too.
    #[arg(long)]
    pub teams: bool,
}

/// Runs `pseudonymise`; returns the exit status.
pub fn run(p: &PseudonymiseArgs) -> Result<i32> {
    super::one_stdin(
        p.sheets
            .inputs()
            .into_iter()
            .chain([("MODEL", p.model.as_deref()), ("--key", Some(p.key.as_path()))]),
    )?;
    super::one_stdout([("-o", Some(p.output.as_path())), ("--map", p.map.as_deref())])?;
    let sheets = p.sheets.lower();
    // The key and the model are never written over: a map over the key loses the secret.
    let mut inputs = sheets.inputs(p.model.as_deref());
    inputs.push(p.key.as_path());
    let outputs = [("-o", Some(p.output.as_path())), ("--map", p.map.as_deref())];
    caseload::sheets::no_output_over_input(inputs, outputs)?;
    caseload::sheets::no_output_twice(outputs)?;
    super::named_as_written(
        [("-o", Some(p.output.as_path()), super::Kind::Json), ("--map", p.map.as_deref(), super::Kind::Csv)],
        &[],
    )?;
    let model = match (&p.model, sheets.given()) {
        (Some(path), false) => {
            let bytes = caseload::read::read_bytes(path)?;
            let file = path.display().to_string();
            let model = caseload::read::parse_model(&file, &bytes)?;
            // Validated for today: only the reductions in force on a day can break a cap.
            let as_of = caseload::model::AsOf { date: super::today(), stated: false };
            caseload::validate::validate_on(&file, &model, &bytes, Some(as_of))?;
            model
        }
        (None, true) => {
            let s = sheets.read()?;
            // For today too: a priority per week waited counts weeks to a day.
            s.validate_on(Some(caseload::model::AsOf { date: super::today(), stated: false }))?;
            s.model
        }
        _ => {
            return Err(Error::Usage(
                "give a MODEL file, or --workbook, or --workers and --cases, exactly one".into(),
            ))
        }
    };
    let key = caseload::read::read_bytes(&p.key)?;
    // The library refuses a short key too; here the message names the file.
    if key.len() < 16 {
        return Err(Error::input(
            &p.key.display().to_string(),
            "--key",
            format!(
                "the key is {} bytes; it must be at least 16, e.g. `head -c 32 /dev/urandom > key`",
                key.len()
            ),
        ));
    }
    let out = caseload::pseudonymise::pseudonymise(&model, &key, p.teams)?;
    let stage = super::Stage::default();
    if let Some(map) = &p.map {
        stage.put(map, &caseload::pseudonymise::mapping_csv(&out))?;
    }
    stage.put(&p.output, &caseload::write::to_json(&out.model))?;
    stage.commit()?;
    Ok(exit::OK)
}
