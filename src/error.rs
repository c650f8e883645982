//! Errors of the library. The command layer (`src/cli/`, binary only) turns each into a message
//! and an exit status, in one place.

use std::path::PathBuf;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is invalid: the file, the place in it and what is wrong. Exit status 2.
    #[error("{file}: {place}: {problem}")]
    Input {
        /// The file (or `-` for standard input).
        file: String,
        /// Where in the file, such as `cases[17].current_worker` or `line 4, column 2`.
        place: String,
        /// What is wrong and how to fix it.
        problem: String,
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

    /// True when the input (a file, its contents or the arguments) is at fault, not the
    /// program or the disk: the command layer's exit status 2.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::Input { .. } | Error::Read { .. } | Error::Usage(_))
    }
}

/// Result with the library's error.
pub type Result<T> = std::result::Result<T, Error>;
