//! The errors of the experiments (`tune`, `capacity`).

use kindling_train::TrainError;

/// Everything that stops an experiment. A trial that diverges does not: it is recorded.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// Loading the data, preparing the run directory or writing results failed.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// One trial failed for another reason than divergence.
    #[error("{trial}")]
    Trial {
        /// Which trial, with its hyper-parameters.
        trial: String,
        /// What went wrong.
        #[source]
        source: Box<TrainError>,
    },
    /// Every trial diverged: there is no model to keep.
    #[error(
        "all {trials} trials diverged; no model was kept. Lower the learning rates and try again"
    )]
    NothingFinished {
        /// Number of trials run.
        trials: usize,
    },
}

impl TuneError {
    /// A setting of the experiment out of range ([`TrainError::InvalidOption`]); nothing was
    /// trained.
    pub fn invalid(name: &'static str, value: String, reason: &str) -> Self {
        TuneError::Train(TrainError::InvalidOption {
            name,
            value,
            reason: reason.to_string(),
        })
    }
}

/// `task`, when its data is a table (the searches train table models only).
pub fn table_task(task: kindling_train::Task) -> Result<kindling_train::Task, TuneError> {
    if task.is_table() {
        return Ok(task);
    }
    Err(TuneError::invalid(
        "task",
        task.name().into(),
        &format!(
            "the searches run on table tasks: {}",
            kindling_train::catalog::names(&kindling_train::Task::TABLES)
        ),
    ))
}
