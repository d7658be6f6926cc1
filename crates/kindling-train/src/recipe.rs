//! What every training recipe shares: the run configuration and writing the run directory.

use crate::diagnostics::append_to_history;
use crate::error::TrainError;
use crate::evaluate::Evaluation;
use crate::fit::FitResult;
use crate::options::FitOptions;
use crate::plot::training_curves;
use crate::publish::RunDraft;
use crate::reporter::Verbosity;
use crate::run_dir::{
    CONFIG_FILE, CONFUSION_FILE, HISTORY_FILE, METRICS_FILE, MODEL_CONFIG_FILE, RunMetrics,
    RunStatus, StagedFiles, WEIGHTS_FILE,
};
use crate::scores::Scores;
use burn::prelude::*;
use kindling_data::encoding::Encoding;
use kindling_data::input_range::InputRange;
use kindling_data::scale::Scaler;
use kindling_models::{ConvNet, DenseStack, NetworkConfig, RegressionMlp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a run reads its data and writes its directory, and what it runs on.
#[derive(Debug, Clone, Copy)]
pub struct RunSetup<'a> {
    /// The data directory.
    pub data_dir: &'a Path,
    /// The run directory to write.
    pub out: &'a Path,
    /// The name of the backend `device` belongs to, for the record.
    pub backend: &'a str,
    /// The device to train on.
    pub device: &'a Device,
    /// How much to print.
    pub verbosity: Verbosity,
}

/// Whether a model classifies or regresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Softmax over classes, categorical cross-entropy.
    Classifier,
    /// Real-valued outputs, mean squared error.
    Regressor,
}

/// Everything a run needs to be repeated or used for prediction (`config.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunConfig {
    /// The task ("mnist", "wages", "titanic", "shots", ...).
    pub task: String,
    /// Classifier or regressor.
    pub kind: ModelKind,
    /// The network: a dense stack, or (MNIST's `--model cnn`) a conv net.
    pub model: NetworkConfig,
    /// The fit's hyper-parameters.
    pub fit: FitOptions,
    /// Where the data was read from.
    pub data_dir: PathBuf,
    /// The backend that ran.
    pub backend: String,
    /// The input columns, in order (empty for MNIST's pixels).
    #[serde(default)]
    pub features: Vec<String>,
    /// The target column.
    #[serde(default)]
    pub target: String,
    /// The scaler fitted on the training rows, applied again at prediction time.
    #[serde(default)]
    pub scaler: Option<Scaler>,
    /// Each feature's range over the training rows, before scaling; `predict` warns about
    /// inputs far outside it. Absent in runs written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_range: Option<InputRange>,
    /// Values the loader filled blank cells with, by column, where they came from the training
    /// file (the shot log's median SHOT_CLOCK); prediction fills blanks with them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fill_values: BTreeMap<String, f32>,
    /// How a CSV file of the user's own became inputs (`train csv`): text columns' categories
    /// and the values that fill empty cells; prediction encodes its input the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
}

/// What of a trained model a run directory's `model.bpk` holds.
pub trait RunWeights {
    /// The module saved.
    type Saved: Module;

    /// The module saved: the bare stack of a dense model (a regressor's included), the net
    /// itself for a conv net.
    fn saved(&self) -> &Self::Saved;
}

impl RunWeights for DenseStack {
    type Saved = DenseStack;

    fn saved(&self) -> &DenseStack {
        self
    }
}

impl RunWeights for RegressionMlp {
    type Saved = DenseStack;

    fn saved(&self) -> &DenseStack {
        &self.net
    }
}

impl RunWeights for ConvNet {
    type Saved = ConvNet;

    fn saved(&self) -> &ConvNet {
        self
    }
}

/// Writes the run files of a finished fit into `draft`'s staging directory: weights, config,
/// history, metrics and curves. `test` is the score on a held-out test set, when the task has
/// one; `scores`, the kept weights' scores on the validation split (with a classifier's
/// confusion matrix, written as `confusion_matrix.csv`). [`RunDraft::publish`] then puts the
/// run in place whole.
///
/// `model.bpk` holds the bare [`DenseStack`] record (`layers.{i}.weight`, `layers.{i}.bias`) for
/// every kind of dense model, a regressor's included, so that it loads into a `DenseStack`
/// built from `model.json` with Burn's own record API; a conv net's holds the [`ConvNet`].
pub fn write_run<M: RunWeights>(
    draft: &RunDraft,
    config: &RunConfig,
    fit: &FitResult<M>,
    test: Option<Evaluation>,
    scores: Option<Scores>,
    device: &Device,
) -> Result<RunMetrics, TrainError> {
    let best = fit
        .history
        .epochs
        .iter()
        .find(|e| e.epoch == fit.best_epoch)
        .cloned()
        .ok_or_else(|| TrainError::Learner("best epoch missing from history".into()))?;
    let out = draft.dir();
    // The options as the fit applied them (a batch larger than the rows is all of them).
    let config = &RunConfig {
        fit: fit.options.clone(),
        ..config.clone()
    };
    let mut staged = StagedFiles::new();
    let weights_sha256 = staged.write_weights(fit.model.saved(), &out.join(WEIGHTS_FILE))?;
    let config_json = serde_json::to_string_pretty(config).map_err(|e| TrainError::Record {
        path: out.join(CONFIG_FILE),
        reason: e.to_string(),
    })?;
    let config_sha256 =
        crate::run_check::field_checksums(&config_json).map_err(|e| TrainError::Record {
            path: out.join(CONFIG_FILE),
            reason: e.to_string(),
        })?;
    let train_seconds = fit.history.median_train_seconds();
    let train_examples = fit.split.train.len();
    let metrics = RunMetrics {
        task: config.task.clone(),
        backend: config.backend.clone(),
        engine: fit.engine.name().into(),
        device: format!("{device:?}"),
        epochs_run: fit.history.epochs.len(),
        stopped_early: fit.stopped_early,
        best_epoch: fit.best_epoch,
        train_loss: best.loss,
        train_accuracy: best.accuracy,
        val_loss: best.val_loss,
        val_accuracy: best.val_accuracy,
        test_loss: test.map(|t| t.loss),
        test_accuracy: test.and_then(|t| t.accuracy),
        seconds_per_epoch: fit.history.mean_epoch_seconds(),
        train_samples_per_second: if train_seconds > 0.0 {
            train_examples as f64 / train_seconds
        } else {
            0.0
        },
        train_examples,
        valid_examples: fit.split.valid.len(),
        test_examples: test.map_or(0, |t| t.examples),
        parameters: config.model.num_params(),
        weights_sha256,
        status: if fit.interrupted {
            RunStatus::Interrupted
        } else {
            RunStatus::Completed
        },
        config_sha256,
        validation_scores: scores,
        warnings: fit.warnings.iter().map(ToString::to_string).collect(),
    };
    if let Some(Scores::Classes(classes)) = &metrics.validation_scores {
        staged.write(
            &out.join(CONFUSION_FILE),
            classes.confusion_csv().as_bytes(),
        )?;
    }
    staged.write(
        &out.join(CONFIG_FILE),
        format!("{config_json}\n").as_bytes(),
    )?;
    // The network alone, so that `DenseStackConfig::load("RUN/model.json")` (or
    // `ConvNetConfig::load`) builds it.
    staged.write_json(&out.join(MODEL_CONFIG_FILE), &config.model)?;
    let history = match &fit.diagnostics {
        Some(diagnostics) => append_to_history(&fit.history.to_csv(), diagnostics),
        None => fit.history.to_csv(),
    };
    staged.write(&out.join(HISTORY_FILE), history.as_bytes())?;
    staged.write_json(&out.join(METRICS_FILE), &metrics)?;
    staged.commit()?;
    crate::publish::fault_point("run-files");
    // Charts come last: one that cannot be drawn costs nothing else, and its warning is
    // returned (not recorded in metrics.json, which is already written).
    let mut metrics = metrics;
    if let Some(diagnostics) = &fit.diagnostics
        && let Err(e) = crate::diagnostics::plot(diagnostics, out)
    {
        metrics.warnings.push(chart_warning(e));
    }
    if let Err(e) = training_curves(&fit.history, out) {
        metrics.warnings.push(chart_warning(e));
    }
    if let Some(Scores::Classes(classes)) = &metrics.validation_scores
        && let Err(e) = crate::confusion_chart::draw_confusion(
            &classes.confusion,
            &out.join(crate::run_dir::CONFUSION_CHART),
        )
    {
        metrics.warnings.push(chart_warning(e));
    }
    Ok(metrics)
}

/// The warning for a chart of a run that could not be drawn.
pub(crate) fn chart_warning(error: TrainError) -> String {
    format!("{error}; the run's other files are complete")
}

/// Reads a run's `config.json`.
pub fn read_config(dir: &Path) -> Result<RunConfig, TrainError> {
    read_json(&dir.join(CONFIG_FILE))
}

/// Reads a run's `metrics.json`.
pub fn read_metrics(dir: &Path) -> Result<RunMetrics, TrainError> {
    read_json(&dir.join(METRICS_FILE))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TrainError> {
    parse_json(path, &read_run_file(path)?)
}

/// The text of the run file `path`; a missing one is named as such.
pub(crate) fn read_run_file(path: &Path) -> Result<String, TrainError> {
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => TrainError::Record {
            path: path.to_path_buf(),
            reason: "not found; is this a run directory written by `kindling train`?".into(),
        },
        _ => TrainError::io(path, e),
    })
}

/// `text`, read from the run file `path`, as JSON of `T`.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, TrainError> {
    serde_json::from_str(text).map_err(|e| TrainError::Record {
        path: path.to_path_buf(),
        reason: format!("malformed ({e}); retrain to rewrite it"),
    })
}
