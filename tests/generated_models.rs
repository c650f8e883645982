//! The example models in `models/` that `caseload generate` produced are reproducible: the
//! documented command gives the same bytes, and each model validates and allocates.

use caseload::cli::{Cli, Command};
use clap::Parser;

/// The exact commands of notes/README-scale.md (the `-o` path is where the file lives).
const GENERATED: [&str; 2] = [
    "caseload generate --cases 7138 --workers 375 --teams 24 --seed 2010 --vacant-share 0.16 \
     --mix child_in_need=3639 --mix looked_after=1999 --mix child_protection=900 --mix care_leaver=600 \
     --cap social_worker=40 --cap senior_social_worker=40 --cap newly_qualified_social_worker=30 \
     --target social_worker=18 --target senior_social_worker=15 --target newly_qualified_social_worker=16 \
     -o models/birmingham_2010.json",
    "caseload generate --cases 5000 --workers 382 --teams 26 --seed 2014 --vacant-share 0.1178 \
     -o models/birmingham_2014.json",
];

#[test]
fn birmingham_models_are_exactly_what_their_documented_command_generates() {
    for cmd in GENERATED {
        let cli = Cli::try_parse_from(cmd.split_whitespace()).expect("the documented command parses");
        let Command::Generate(args) = cli.command else { panic!("not a generate command: {cmd}") };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&args.output);
        let on_disk = std::fs::read(&path).expect("the model file exists");
        let fresh = caseload::write::to_json(&caseload::generate::generate(&args).expect("generates"));
        assert!(fresh == on_disk, "{} differs from what `{cmd}` generates; regenerate it", path.display());
        let model = caseload::load_model_bytes(&path.display().to_string(), &on_disk).expect("validates");
        let proposal = caseload::allocate(&model, caseload::solve::Limits::default()).expect("allocates");
        assert_eq!(proposal.allocations.len() + proposal.unallocated.len(), model.cases.len());
    }
}
