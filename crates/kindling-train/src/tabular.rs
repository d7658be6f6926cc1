//! The course's table recipes: hourly wages (regression), Titanic and the basketball shot log
//! (classification), and the synthetic bank and drug-trial sets.

use crate::error::TrainError;
use crate::fit::{fit_classifier, fit_regressor};
use crate::options::{FitOptions, OptimizerKind, Regularization};
use crate::recipe::{ModelKind, RunConfig, RunSetup, write_run};
use crate::run_dir::RunMetrics;
use kindling_data::Rows;
use kindling_data::input_range::InputRange;
use kindling_data::scale::{ScaleKind, Scaler};
use kindling_data::tabular::{self, Tabular};
use kindling_data::{shot_log, synthetic};
use kindling_models::{Activation, RegressionMlpConfig, ShotClassifierConfig};
use std::path::Path;
use std::sync::Arc;

/// Seed of the synthetic data sets: fixed, so that runs are compared on the same data.
const SYNTHETIC_SEED: u64 = 0;

/// A course task on a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabularTask {
    /// Hourly wages: regress `wage_per_hour` (Dense(50, relu) → Dense(32, relu) → Dense(1),
    /// Adam, 30 epochs).
    Wages,
    /// Titanic: classify `survived` (Dense(32, relu) → Dense(2, softmax), SGD at 0.01,
    /// 10 epochs).
    Titanic,
    /// The NBA shot log of 2014-15: classify SHOT_RESULT from ten features (Dense(100, relu)
    /// ×3 → Dense(2, softmax), Adam, 10 epochs, standard-scaled; see
    /// [`kindling_data::shot_log`]).
    Shots,
    /// Synthetic bank transactions: regress next year's transactions from children and
    /// accounts (Dense(100, relu) ×2 → Dense(1), Adam, 30 epochs).
    Bank,
    /// Synthetic drug trial: classify side effects from age (Dense(16) → Dense(32) →
    /// Dense(2, softmax), Adam, 30 epochs, min-max scaled).
    Drug,
}

impl TabularTask {
    /// The task's name.
    pub fn name(self) -> &'static str {
        match self {
            TabularTask::Wages => "wages",
            TabularTask::Titanic => "titanic",
            TabularTask::Shots => "shots",
            TabularTask::Bank => "bank",
            TabularTask::Drug => "drug",
        }
    }

    /// Classifier or regressor.
    pub fn kind(self) -> ModelKind {
        match self {
            TabularTask::Wages | TabularTask::Bank => ModelKind::Regressor,
            TabularTask::Titanic | TabularTask::Shots | TabularTask::Drug => ModelKind::Classifier,
        }
    }

    /// The course model's hidden widths.
    pub fn default_hidden(self) -> Vec<usize> {
        match self {
            TabularTask::Wages => vec![50, 32],
            TabularTask::Titanic => vec![32],
            TabularTask::Shots => vec![100, 100, 100],
            TabularTask::Bank => vec![100, 100],
            TabularTask::Drug => vec![16, 32],
        }
    }

    /// The course's number of epochs.
    pub fn default_epochs(self) -> usize {
        match self {
            TabularTask::Wages | TabularTask::Bank | TabularTask::Drug => 30,
            TabularTask::Titanic | TabularTask::Shots => 10,
        }
    }

    /// The course's optimizer.
    pub fn default_optimizer(self) -> OptimizerKind {
        match self {
            TabularTask::Wages | TabularTask::Shots | TabularTask::Bank | TabularTask::Drug => {
                OptimizerKind::Adam
            }
            TabularTask::Titanic => OptimizerKind::Sgd,
        }
    }

    /// The course's feature scaling: the drug trial's ages are min-max scaled. The shot log is
    /// standard-scaled: its GAME_CLOCK runs to 720 s while the other features are 0/1 or a few
    /// units to a few tens (period, dribbles, seconds of touch time, distances in feet), so
    /// unscaled the clock would dominate the first layer's sums; a z-score puts every feature on
    /// the same footing, and the scaler is fitted on the training rows only.
    pub fn default_scale(self) -> ScaleKind {
        match self {
            TabularTask::Drug => ScaleKind::Minmax,
            TabularTask::Shots => ScaleKind::Standard,
            _ => ScaleKind::None,
        }
    }

    /// The data set's name in the download manifest, for tasks read from files.
    pub fn dataset(self) -> Option<&'static str> {
        match self {
            TabularTask::Wages | TabularTask::Titanic | TabularTask::Shots => Some(self.name()),
            TabularTask::Bank | TabularTask::Drug => None,
        }
    }

    /// Every table task.
    pub const ALL: [TabularTask; 5] = [
        TabularTask::Wages,
        TabularTask::Titanic,
        TabularTask::Shots,
        TabularTask::Bank,
        TabularTask::Drug,
    ];

    /// The task called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Loads the task's table from `data_dir` (the synthetic sets are generated from seed 0,
    /// so every run sees the same data).
    pub fn load(self, data_dir: &Path) -> Result<Tabular, TrainError> {
        Ok(match self {
            TabularTask::Wages => tabular::wages(data_dir)?,
            TabularTask::Titanic => tabular::titanic(data_dir)?,
            TabularTask::Shots => shot_log::shot_log(data_dir)?,
            TabularTask::Bank => synthetic::bank(SYNTHETIC_SEED),
            TabularTask::Drug => synthetic::drug_trial(SYNTHETIC_SEED),
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

/// A task's table loaded once, its features scaled with a scaler fitted on the training part
/// of one validation split: what every trial of an experiment shares, so that all of them
/// train and validate on the same rows.
#[derive(Debug, Clone)]
pub struct PreparedTable {
    /// The task the table belongs to.
    pub task: TabularTask,
    /// The scaled rows.
    pub rows: Arc<Rows>,
    /// The feature columns, in order.
    pub features: Vec<String>,
    /// The target column.
    pub target: String,
    /// The scaler fitted on the training rows (saved with every model trained on them).
    pub scaler: Scaler,
    /// Each feature's range over the training rows, before scaling.
    pub input_range: InputRange,
    /// The validation split the scaler was fitted for.
    pub validation_split: f64,
    /// What the loader repaired in the file, to tell the user.
    pub notes: Vec<String>,
    /// Values that filled blank cells, per column (saved for prediction).
    pub fill_values: std::collections::BTreeMap<String, f32>,
}

impl PreparedTable {
    /// Loads `task`'s table from `data_dir` and scales it with `scale`, fitted on the rows
    /// before the validation split `validation_split` (Keras semantics: the last rows
    /// validate).
    pub fn load(
        task: TabularTask,
        data_dir: &Path,
        scale: ScaleKind,
        validation_split: f64,
    ) -> Result<Self, TrainError> {
        let mut table = task.load(data_dir)?;
        let split = kindling_data::split::validation_split(table.rows.len(), validation_split)?;
        let input_range = InputRange::fit(&table.rows, split.train.clone());
        let scaler = Scaler::fit(scale, &table.rows, split.train.clone());
        scaler.apply(table.rows.all_features_mut());
        Ok(Self {
            task,
            rows: Arc::new(table.rows),
            features: table.feature_names,
            target: table.target,
            scaler,
            input_range,
            validation_split,
            notes: table.notes,
            fill_values: table.fill_values,
        })
    }
}

/// Trains `task` and writes the run directory `setup.out`. The scaler is fitted on the training part
/// only (the rows before the validation split) and saved in `config.json`. Returns the metrics
/// and the loader's notes (repairs it made to the file).
pub fn train_tabular(
    task: TabularTask,
    hidden: &[usize],
    activation: Activation,
    regularization: Regularization,
    scale: ScaleKind,
    options: &FitOptions,
    setup: RunSetup,
) -> Result<(RunMetrics, Vec<String>), TrainError> {
    options.validate()?;
    let table = PreparedTable::load(task, setup.data_dir, scale, options.validation_split)?;
    let metrics = train_prepared(&table, hidden, activation, regularization, options, setup)?;
    Ok((metrics, table.notes))
}

/// Trains a model with these hyper-parameters on an already prepared table and writes the run
/// directory `setup.out` (the same files as [`train_tabular`]). `options.validation_split`
/// must be the one the table was prepared for.
pub fn train_prepared(
    table: &PreparedTable,
    hidden: &[usize],
    activation: Activation,
    regularization: Regularization,
    options: &FitOptions,
    setup: RunSetup,
) -> Result<RunMetrics, TrainError> {
    let RunSetup {
        data_dir,
        out,
        backend,
        device,
        verbosity,
    } = setup;
    options.validate()?;
    if options.validation_split != table.validation_split {
        return Err(TrainError::InvalidOption {
            name: "--validation-split",
            value: kindling_data::number::short(options.validation_split),
            reason: format!(
                "the table was scaled for a split of {}; prepare it again for another split",
                table.validation_split
            ),
        });
    }
    let task = table.task;
    let stack = regularization.apply(model_config(task, table.rows.width(), hidden, activation));
    stack.validate()?;
    let config = RunConfig {
        task: task.name().into(),
        kind: task.kind(),
        model: stack.clone(),
        fit: options.clone(),
        data_dir: data_dir.to_path_buf(),
        backend: backend.into(),
        features: table.features.clone(),
        target: table.target.clone(),
        scaler: Some(table.scaler.clone()),
        input_range: Some(table.input_range.clone()),
        fill_values: table.fill_values.clone(),
    };
    let rows = table.rows.clone();
    match task.kind() {
        ModelKind::Regressor => {
            let fit = fit_regressor(&stack, rows, options, device, out, verbosity)?;
            write_run(out, &config, &fit, None, device)
        }
        ModelKind::Classifier => {
            let fit = fit_classifier(&stack, rows, options, device, out, verbosity)?;
            write_run(out, &config, &fit, None, device)
        }
    }
}
