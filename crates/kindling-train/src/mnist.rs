//! The course's MNIST recipe: load, fit with validation and early stopping, test, write the run
//! directory.

use crate::error::TrainError;
use crate::evaluate::evaluate_classifier;
use crate::fit::fit_classifier;
use crate::options::FitOptions;
use crate::plot::training_curves;
use crate::reporter::Verbosity;
use crate::run_dir::{
    CONFIG_FILE, HISTORY_FILE, METRICS_FILE, RunMetrics, WEIGHTS_FILE, save_weights, write_json,
};
use burn::prelude::*;
use kindling_data::mnist::{self, MnistSet};
use kindling_models::{DenseStackConfig, DigitNetConfig};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything a run needs to be repeated (`config.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunConfig {
    /// The task ("mnist").
    pub task: String,
    /// The network.
    pub model: DenseStackConfig,
    /// The fit's hyper-parameters.
    pub fit: FitOptions,
    /// Where the data was read from.
    pub data_dir: PathBuf,
    /// The backend that ran.
    pub backend: String,
}

/// Trains the digit net `model` on MNIST from `data_dir` and writes the run directory `out`.
///
/// `backend` names the backend `device` belongs to, for the record. Nothing is written to
/// `out` except checkpoints until training succeeded, so a failed run leaves an earlier run's
/// model in place.
pub fn train_mnist(
    model: &DigitNetConfig,
    options: &FitOptions,
    data_dir: &Path,
    out: &Path,
    backend: &str,
    device: &Device,
    verbosity: Verbosity,
) -> Result<RunMetrics, TrainError> {
    options.validate()?;
    let stack = model.stack();
    stack.validate()?;
    let train = Arc::new(mnist::load(data_dir, MnistSet::Train)?);
    let test = Arc::new(mnist::load(data_dir, MnistSet::Test)?);

    let fit = fit_classifier(&stack, train, options, device, out, verbosity)?;
    let test_rows = 0..test.len();
    let test_score = evaluate_classifier(&fit.model, test, test_rows, device);
    let best = fit
        .history
        .epochs
        .iter()
        .find(|e| e.epoch == fit.best_epoch)
        .cloned()
        .ok_or_else(|| TrainError::Learner("best epoch missing from history".into()))?;

    let weights_sha256 = save_weights(&fit.model, &out.join(WEIGHTS_FILE))?;
    let train_seconds = fit.history.median_train_seconds();
    let metrics = RunMetrics {
        task: "mnist".into(),
        backend: backend.into(),
        device: format!("{device:?}"),
        epochs_run: fit.history.epochs.len(),
        stopped_early: fit.stopped_early,
        best_epoch: fit.best_epoch,
        train_loss: best.loss,
        train_accuracy: best.accuracy,
        val_loss: best.val_loss,
        val_accuracy: best.val_accuracy,
        test_loss: test_score.loss,
        test_accuracy: test_score.accuracy,
        seconds_per_epoch: fit.history.mean_epoch_seconds(),
        train_samples_per_second: if train_seconds > 0.0 {
            fit.train_examples as f64 / train_seconds
        } else {
            0.0
        },
        train_examples: fit.train_examples,
        valid_examples: fit.valid_examples,
        test_examples: test_score.examples,
        parameters: stack.num_params(),
        weights_sha256,
    };
    let config = RunConfig {
        task: "mnist".into(),
        model: stack,
        fit: options.clone(),
        data_dir: data_dir.to_path_buf(),
        backend: backend.into(),
    };
    write_json(&out.join(CONFIG_FILE), &config)?;
    fit.history.write_csv(&out.join(HISTORY_FILE))?;
    write_json(&out.join(METRICS_FILE), &metrics)?;
    if let Err(e) = training_curves(&fit.history, out) {
        eprintln!("warning: {e}; the run's other files are complete");
    }
    Ok(metrics)
}
