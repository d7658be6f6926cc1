//! One trial of an experiment: a fit on the shared table in its own run directory, and how it
//! ended. A diverged fit is an outcome, not an error.

use crate::tune::score::Score;
use kindling_models::Activation;
use kindling_train::TrainError;
use kindling_train::publish::RunDraft;
use kindling_train::recipe::RunSetup;
use kindling_train::run_dir::{
    CONFIG_FILE, HISTORY_FILE, METRICS_FILE, WEIGHTS_FILE, write_atomic,
};
use kindling_train::tabular::{PreparedTable, train_prepared};
use kindling_train::{FitOptions, HiddenLayers, Regularization};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How a trial ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum TrialOutcome {
    /// Training finished; the figures are the best epoch's.
    Finished {
        /// Validation loss and accuracy of the kept weights.
        score: Score,
        /// The epoch whose weights were kept.
        best_epoch: usize,
        /// Epochs run (fewer than asked when early stopping ended the fit).
        epochs_run: usize,
    },
    /// The loss turned NaN, infinite or exploded; no model was written.
    Diverged {
        /// The first epoch with such a loss.
        epoch: usize,
    },
}

impl TrialOutcome {
    /// The score of a finished trial.
    pub fn score(&self) -> Option<&Score> {
        match self {
            TrialOutcome::Finished { score, .. } => Some(score),
            TrialOutcome::Diverged { .. } => None,
        }
    }

    /// `ok`, or `diverged at epoch 3`.
    pub fn status_text(&self) -> String {
        match self {
            TrialOutcome::Finished { .. } => "ok".into(),
            TrialOutcome::Diverged { epoch } => format!("diverged at epoch {epoch}"),
        }
    }
}

/// Trains a model with `hidden` layers of `activation` on the prepared `table` with `options`
/// and writes a full run directory to `setup.out` (no regularization). Divergence is returned
/// as [`TrialOutcome::Diverged`]; any other failure is an error.
pub fn run_trial(
    table: &PreparedTable,
    hidden: &[usize],
    activation: Activation,
    options: &FitOptions,
    setup: RunSetup,
) -> Result<TrialOutcome, TrainError> {
    match train_prepared(
        table,
        &HiddenLayers::new(hidden, activation),
        Regularization::default(),
        options,
        setup,
    ) {
        Ok(metrics) => Ok(TrialOutcome::Finished {
            score: Score {
                val_loss: metrics.val_loss,
                val_accuracy: metrics.val_accuracy,
            },
            best_epoch: metrics.best_epoch,
            epochs_run: metrics.epochs_run,
        }),
        Err(TrainError::Diverged { epoch, .. }) => Ok(TrialOutcome::Diverged { epoch }),
        Err(other) => Err(other),
    }
}

/// The files of a run directory that [`copy_run_dir`] copies, in the order it writes them:
/// `metrics.json`, which holds the weights' checksum, comes last, so that an interrupted copy
/// is refused by `load_run` rather than used.
const RUN_FILES: [&str; 7] = [
    WEIGHTS_FILE,
    CONFIG_FILE,
    HISTORY_FILE,
    "loss.png",
    "accuracy.png",
    kindling_train::show_weights::FIRST_LAYER_WEIGHTS_FILE,
    METRICS_FILE,
];

/// Copies the run directory `from` (its model, config, history, metrics and pictures; not
/// its checkpoints) to `to`, published whole (see [`kindling_train::publish`]). Returns the
/// warnings of replacing what `to` held.
pub fn copy_run_dir(from: &Path, to: &Path) -> Result<Vec<String>, TrainError> {
    let draft = RunDraft::begin(to, false)?;
    for name in RUN_FILES {
        let source = from.join(name);
        if !source.is_file() {
            continue;
        }
        let bytes = std::fs::read(&source).map_err(|e| TrainError::io(&source, e))?;
        write_atomic(&draft.dir().join(name), &bytes)?;
    }
    draft.publish()
}
