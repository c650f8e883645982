//! Errors of the library. `main` turns each into a message and an exit status, in one place.

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

    /// The process exit status for this error (documented in the README and `--help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::Read { .. } | Error::Usage(_) => 2,
            Error::Write { .. } => 4,
            Error::Solver(_) => 5,
        }
    }
}

/// Result with the library's error.
pub type Result<T> = std::result::Result<T, Error>;
