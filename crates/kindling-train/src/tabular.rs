//! The course's table recipes: hourly wages (regression) and Titanic (classification).

use crate::error::TrainError;
use crate::fit::{fit_classifier, fit_regressor};
use crate::options::{FitOptions, OptimizerKind};
use crate::recipe::{ModelKind, RunConfig, write_run};
use crate::reporter::Verbosity;
use crate::run_dir::RunMetrics;
use burn::prelude::*;
use kindling_data::scale::{ScaleKind, Scaler};
use kindling_data::split::validation_split;
use kindling_data::tabular::{self, Tabular};
use kindling_models::{Activation, RegressionMlpConfig, ShotClassifierConfig};
use std::path::Path;
use std::sync::Arc;

/// A course task on a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabularTask {
    /// Hourly wages: regress `wage_per_hour` (Dense(50, relu) → Dense(32, relu) → Dense(1),
    /// Adam, 30 epochs).
    Wages,
    /// Titanic: classify `survived` (Dense(32, relu) → Dense(2, softmax), SGD at 0.01,
    /// 10 epochs).
    Titanic,
}

impl TabularTask {
    /// The task's name.
    pub fn name(self) -> &'static str {
        match self {
            TabularTask::Wages => "wages",
            TabularTask::Titanic => "titanic",
        }
    }

    /// Classifier or regressor.
    pub fn kind(self) -> ModelKind {
        match self {
            TabularTask::Wages => ModelKind::Regressor,
            TabularTask::Titanic => ModelKind::Classifier,
        }
    }

    /// The course model's hidden widths.
    pub fn default_hidden(self) -> Vec<usize> {
        match self {
            TabularTask::Wages => vec![50, 32],
            TabularTask::Titanic => vec![32],
        }
    }

    /// The course's number of epochs.
    pub fn default_epochs(self) -> usize {
        match self {
            TabularTask::Wages => 30,
            TabularTask::Titanic => 10,
        }
    }

    /// The course's optimizer.
    pub fn default_optimizer(self) -> OptimizerKind {
        match self {
            TabularTask::Wages => OptimizerKind::Adam,
            TabularTask::Titanic => OptimizerKind::Sgd,
        }
    }

    /// Loads the task's table from `data_dir`.
    pub fn load(self, data_dir: &Path) -> Result<Tabular, TrainError> {
        Ok(match self {
            TabularTask::Wages => tabular::wages(data_dir)?,
            TabularTask::Titanic => tabular::titanic(data_dir)?,
        })
    }
}

/// The network of a table task with `inputs` features.
pub fn model_config(
    task: TabularTask,
    inputs: usize,
    hidden: &[usize],
    activation: Activation,
) -> kindling_models::DenseStackConfig {
    match task.kind() {
        ModelKind::Regressor => RegressionMlpConfig::new(inputs)
            .with_hidden(hidden.to_vec())
            .with_activation(activation)
            .stack(),
        ModelKind::Classifier => ShotClassifierConfig::new(inputs)
            .with_hidden(hidden.to_vec())
            .with_activation(activation)
            .stack(),
    }
}

/// Trains `task` and writes the run directory `out`. The scaler is fitted on the training part
/// only (the rows before the validation split) and saved in `config.json`. Returns the metrics
/// and the loader's notes (repairs it made to the file).
#[allow(clippy::too_many_arguments)]
pub fn train_tabular(
    task: TabularTask,
    hidden: &[usize],
    activation: Activation,
    scale: ScaleKind,
    options: &FitOptions,
    data_dir: &Path,
    out: &Path,
    backend: &str,
    device: &Device,
    verbosity: Verbosity,
) -> Result<(RunMetrics, Vec<String>), TrainError> {
    options.validate()?;
    let mut table = task.load(data_dir)?;
    let stack = model_config(task, table.rows.width(), hidden, activation);
    stack.validate()?;
    let split = validation_split(table.rows.len(), options.validation_split)?;
    let scaler = Scaler::fit(scale, &table.rows, split.train.clone());
    scaler.apply(table.rows.all_features_mut());
    let rows = Arc::new(table.rows);
    let config = RunConfig {
        task: task.name().into(),
        kind: task.kind(),
        model: stack.clone(),
        fit: options.clone(),
        data_dir: data_dir.to_path_buf(),
        backend: backend.into(),
        features: table.feature_names,
        target: table.target,
        scaler: Some(scaler),
    };
    let metrics = match task.kind() {
        ModelKind::Regressor => {
            let fit = fit_regressor(&stack, rows, options, device, out, verbosity)?;
            write_run(out, &config, &fit, None, device)?
        }
        ModelKind::Classifier => {
            let fit = fit_classifier(&stack, rows, options, device, out, verbosity)?;
            write_run(out, &config, &fit, None, device)?
        }
    };
    Ok((metrics, table.notes))
}
