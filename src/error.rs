//! Errors of the library. The command layer (`src/cli/`, binary only) turns each into a message
//! and an exit status, in one place.

use crate::util::one_line;
use std::path::PathBuf;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is invalid: the file, the place in it and what is wrong. Exit status 2.
    #[error("{}: {}: {}", one_line(file), one_line(place), one_line(problem))]
    Input {
        /// The file (or `-` for standard input).
        file: String,
        /// Where in the file, such as `cases[17].current_worker` or `line 4, column 2`.
        place: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// Several input errors, in file order, found in one pass (see [`Errors`]). Exit status 2.
    #[error("{}", many(errors, *more))]
    Inputs {
        /// The errors, each an [`Error::Input`], at most [`Errors::KEPT`] of them (the first
        /// [`Errors::LIMIT`] are shown).
        errors: Vec<Error>,
        /// How many more were found and not listed.
        more: usize,
    },
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An output file could not be written. Nothing was left half-written.
    #[error("{}: cannot write: {problem}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        problem: String,
    },
    /// The solver failed in a way that is a bug, not bad input.
    #[error("solver failure: {0}")]
    Solver(String),
    /// The command-line arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(file: &str, place: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::Input { file: file.to_string(), place: place.into(), problem: problem.into() }
    }

    /// Two errors as one list of problems ([`Errors`]), so both are named in one run.
    pub fn both(a: Error, b: Error) -> Error {
        let mut errs = Errors::new();
        errs.push(a);
        errs.push(b);
        Error::Inputs { errors: errs.list, more: errs.more }
    }

    /// True when the input (a file, its contents or the arguments) is at fault, not the
    /// program or the disk: the command layer's exit status 2.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::Input { .. } | Error::Inputs { .. } | Error::Read { .. } | Error::Usage(_))
    }
}

/// Result with the library's error.
pub type Result<T> = std::result::Result<T, Error>;

fn many(errors: &[Error], more: usize) -> String {
    let mut out = format!("{} problems in the input; fix them all and run again:", errors.len() + more);
    for e in errors.iter().take(Errors::LIMIT) {
        out.push_str(&format!("\n  {e}"));
    }
    let unlisted = errors.len().saturating_sub(Errors::LIMIT) + more;
    if unlisted > 0 {
        out.push_str(&format!("\n  ... and {unlisted} more (only the first {} are listed)", Errors::LIMIT));
    }
    out
}

/// Collects input errors, so that one run reports every mistake instead of the first.
/// Keeps the first [`Errors::KEPT`] and counts the rest; the first [`Errors::LIMIT`] are shown.
#[derive(Debug, Default)]
pub struct Errors {
    list: Vec<Error>,
    more: usize,
}

impl Errors {
    /// The most errors listed; a spreadsheet exported with a wrong column gives one per row,
    /// and after fifty the rest add nothing.
    pub const LIMIT: usize = 50;

    /// The most errors kept, more than are listed: the same mistake in many rows is one line
    /// listing them (the sheets' reader joins them), and each row of it must be kept to be
    /// counted there. Beyond these the rest are counted (a few megabytes at most).
    pub const KEPT: usize = 10_000;

    /// An empty collection.
    pub fn new() -> Errors {
        Errors::default()
    }

    /// Adds an error; an [`Error::Inputs`] is flattened into its parts.
    pub fn push(&mut self, e: Error) {
        match e {
            Error::Inputs { errors, more } => {
                for e in errors {
                    self.push(e);
                }
                self.more += more;
            }
            e if self.list.len() < Self::KEPT => self.list.push(e),
            _ => self.more += 1,
        }
    }

    /// Keeps the value of a result, or records its error and gives `None`.
    pub fn take<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }

    /// Sorts the recorded errors stably by a key (such as their place in the file).
    pub fn sort_by_key<K: Ord>(&mut self, key: impl FnMut(&Error) -> K) {
        self.list.sort_by_key(key);
    }

    /// `Ok(())` when nothing was recorded; one error as itself; several as [`Error::Inputs`].
    pub fn finish(mut self) -> Result<()> {
        match (self.list.len(), self.more) {
            (0, 0) => Ok(()),
            (1, 0) => Err(self.list.remove(0)),
            _ => Err(Error::Inputs { errors: self.list, more: self.more }),
        }
    }

    /// [`Errors::finish`], giving `value` when nothing was recorded.
    pub fn or<T>(self, value: T) -> Result<T> {
        self.finish().map(|_| value)
    }
}
