//! The errors of this crate.

use std::path::PathBuf;

impl From<kindling_models::NetworkConfigError> for TrainError {
    fn from(error: kindling_models::NetworkConfigError) -> Self {
        match error {
            kindling_models::NetworkConfigError::Dense(e) => TrainError::Model(e),
            kindling_models::NetworkConfigError::Conv(e) => TrainError::ConvModel(e),
        }
    }
}

/// Everything that can stop a training run.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The data could not be loaded.
    #[error(transparent)]
    Data(#[from] kindling_data::DataError),
    /// An option is out of range; nothing was trained.
    #[error("invalid {name} {value}: {reason}")]
    InvalidOption {
        /// The parameter, as the Rust API names it (`epochs`, `batch_size`, `learning_rate`,
        /// a field of the settings it belongs to); a program maps it to its own spelling, as
        /// the `kindling` CLI does to its flags.
        name: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        reason: String,
    },
    /// The model configuration is invalid.
    #[error("invalid model: {0}")]
    Model(#[from] kindling_models::DenseStackConfigError),
    /// The conv net's configuration is invalid.
    #[error("invalid model: {0}")]
    ConvModel(#[from] kindling_models::ConvNetConfigError),
    /// The loss became NaN, infinite, or exploded far above that of a uniform guess.
    #[error(
        "training diverged at epoch {epoch}: the {which} loss is {value}; lower the learning rate (now {learning_rate}) and try again. No model was written."
    )]
    Diverged {
        /// The first epoch with a non-finite loss.
        epoch: usize,
        /// "training" or "validation".
        which: &'static str,
        /// The loss value.
        value: f64,
        /// The learning rate used.
        learning_rate: f64,
    },
    /// The process asked the fit to stop (see [`crate::interrupt`]) before it finished an epoch:
    /// there is nothing to keep.
    #[error(
        "interrupted before the first epoch ended; nothing was written, run the command again to train"
    )]
    Interrupted,
    /// The engine asked for is not in this build.
    #[error(
        "the {engine} engine is not in this build: rebuild with the `fused` feature (on by default), or train with the learner engine"
    )]
    EngineNotBuilt {
        /// The engine asked for.
        engine: crate::Engine,
    },
    /// burn-train stopped with an error.
    #[error("training failed: {0}")]
    Learner(String),
    /// A saved model could not be written or read.
    #[error("{path}: {reason}")]
    Record {
        /// The weights file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A model could not be exported to another format.
    #[error("exporting to {path}: {reason}")]
    Export {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A file in the run directory could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A plot could not be drawn.
    #[error("cannot draw {path}: {reason}")]
    Plot {
        /// The image file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl TrainError {
    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<kindling_data::csv_table::CsvError> for TrainError {
    fn from(error: kindling_data::csv_table::CsvError) -> Self {
        TrainError::Data(error.into())
    }
}

impl From<kindling_models::run::RunError> for TrainError {
    /// A run directory that `kindling-models` could not load: the file it names and why.
    fn from(error: kindling_models::run::RunError) -> Self {
        TrainError::Record {
            path: error.path().to_path_buf(),
            reason: error.reason(),
        }
    }
}
