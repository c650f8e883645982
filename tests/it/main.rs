//! The integration tests: one binary, a module per subject (as ripgrep and cargo keep theirs),
//! so the crate links once. Shared helpers live in `common`. Run one subject with
//! `cargo test --release --test it -- SUBJECT::`.

mod add_a_rule;
mod allocate_cmd;
mod bad_input;
mod batch;
mod brute_force;
mod check_cmd;
mod common;
mod compare;
mod cron;
mod dated;
mod determinism;
mod docs;
mod export_lp;
mod fairness;
mod files;
mod fuzz;
mod generated_models;
mod golden;
mod hard_weighted;
mod hostile;
mod layers;
mod meeting;
mod mistakes;
mod models;
mod pooled_lp;
mod properties;
mod reasons;
mod recommend;
mod report;
mod report_browser;
mod returns;
mod sheets;
mod sheets_common;
mod solver_scale;
mod template;
mod ties;
mod vocabulary;
mod waiting;
mod warnings;
mod whatif;
mod whatif_page;
mod whatif_stop;
mod words;
mod workbook;
