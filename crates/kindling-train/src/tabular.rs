//! The course's table recipes: hourly wages (regression), Titanic and the basketball shot log
//! (classification), and the synthetic bank and drug-trial sets.

use crate::catalog::{HiddenLayers, Task, network};
use crate::csv_source::{CSV_TASK, CsvSource};
use crate::error::TrainError;
use crate::fit::{fit_classifier, fit_regressor};
use crate::options::{FitOptions, Regularization};
use crate::publish::RunDraft;
use crate::recipe::{ModelKind, RunConfig, RunSetup, write_run};
use crate::run_dir::RunMetrics;
use crate::trained::TrainedModel;
use kindling_data::Rows;
use kindling_data::encoding::Encoding;
use kindling_data::input_range::InputRange;
use kindling_data::scale::{ScaleKind, Scaler};
use kindling_models::DenseStackConfig;
use std::path::Path;
use std::sync::Arc;

/// A task's table loaded once, its features scaled with a scaler fitted on the training part
/// of one validation split: what every trial of an experiment shares, so that all of them
/// train and validate on the same rows.
#[derive(Debug, Clone)]
pub struct PreparedTable {
    /// Where the rows come from: a task of the catalog or a CSV file of the user's own.
    pub source: TableSource,
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
        task: Task,
        data_dir: &Path,
        scale: ScaleKind,
        validation_split: f64,
    ) -> Result<Self, TrainError> {
        let mut table = task.load_table(data_dir)?;
        let split = kindling_data::split::validation_split(table.rows.len(), validation_split)?;
        let input_range = InputRange::fit(&table.rows, split.train.clone());
        let scaler = Scaler::fit(scale, &table.rows, split.train.clone());
        scaler.apply(table.rows.all_features_mut());
        Ok(Self {
            source: TableSource::Task(task),
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

/// Where a prepared table's rows come from, which says its name, its kind of model and its
/// network.
#[derive(Debug, Clone)]
pub enum TableSource {
    /// A task of the catalog.
    Task(Task),
    /// A CSV file of the user's own (`train csv`).
    Csv {
        /// The file.
        file: std::path::PathBuf,
        /// Classifier or regressor.
        kind: ModelKind,
        /// The model's outputs: its classes, or 1 value.
        outputs: usize,
        /// How its features were encoded.
        encoding: Encoding,
    },
}

impl PreparedTable {
    /// Loads a CSV file of the user's own (see [`CsvSource`]) and scales it with `scale`, as
    /// [`PreparedTable::load`] does a task's table. Returns the table and what loading it
    /// inferred or left out.
    pub fn from_csv(
        source: &CsvSource,
        scale: ScaleKind,
        validation_split: f64,
    ) -> Result<Self, TrainError> {
        let loaded = source.load(validation_split)?;
        let mut rows = loaded.rows;
        let split = kindling_data::split::validation_split(rows.len(), validation_split)?;
        let input_range = InputRange::fit(&rows, split.train.clone());
        let scaler = Scaler::fit(scale, &rows, split.train.clone());
        scaler.apply(rows.all_features_mut());
        let outputs = rows.classes().unwrap_or(1);
        Ok(Self {
            features: loaded.encoding.feature_names(),
            source: TableSource::Csv {
                // Recorded whole, so that `evaluate` and `--resume` find it from anywhere.
                file: std::path::absolute(&source.file).unwrap_or_else(|_| source.file.clone()),
                kind: loaded.kind,
                outputs,
                encoding: loaded.encoding,
            },
            rows: Arc::new(rows),
            target: source.target.clone(),
            scaler,
            input_range,
            validation_split,
            notes: loaded.notes,
            fill_values: Default::default(),
        })
    }

    /// The task's name, or `csv`.
    pub fn name(&self) -> &str {
        match &self.source {
            TableSource::Task(task) => task.name(),
            TableSource::Csv { .. } => CSV_TASK,
        }
    }

    /// Classifier or regressor.
    pub fn kind(&self) -> ModelKind {
        match &self.source {
            TableSource::Task(task) => task.kind(),
            TableSource::Csv { kind, .. } => *kind,
        }
    }

    /// The network for these rows with hidden `layers`.
    pub fn model(&self, layers: &HiddenLayers) -> DenseStackConfig {
        let inputs = self.rows.width();
        match &self.source {
            TableSource::Task(task) => task.model(inputs, layers),
            TableSource::Csv { kind, outputs, .. } => network(*kind, inputs, *outputs, layers),
        }
    }
}

/// Trains `task` and writes the run directory `setup.out`. The scaler is fitted on the training part
/// only (the rows before the validation split) and saved in `config.json`. Returns the metrics
/// and the loader's notes (repairs it made to the file).
pub fn train_tabular(
    task: Task,
    layers: &HiddenLayers,
    regularization: Regularization,
    scale: ScaleKind,
    options: &FitOptions,
    setup: RunSetup,
) -> Result<(RunMetrics, Vec<String>), TrainError> {
    options.validate()?;
    let table = PreparedTable::load(task, setup.data_dir, scale, options.validation_split)?;
    let metrics = train_prepared(&table, layers, regularization, options, setup)?;
    Ok((metrics, table.notes))
}

/// Trains a model with these hyper-parameters on an already prepared table and writes the run
/// directory `setup.out` (the same files as [`train_tabular`]). `options.validation_split`
/// must be the one the table was prepared for.
pub fn train_prepared(
    table: &PreparedTable,
    layers: &HiddenLayers,
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
            name: "validation_split",
            value: kindling_data::number::short(options.validation_split),
            reason: format!(
                "the table was scaled for a split of {}; prepare it again for another split",
                table.validation_split
            ),
        });
    }
    let stack = regularization.apply(table.model(layers));
    stack.validate()?;
    let (data_dir, encoding) = match &table.source {
        TableSource::Task(_) => (data_dir.to_path_buf(), None),
        TableSource::Csv { file, encoding, .. } => (file.clone(), Some(encoding.clone())),
    };
    let config = RunConfig {
        task: table.name().into(),
        kind: table.kind(),
        model: stack.clone().into(),
        fit: options.clone(),
        data_dir,
        backend: backend.into(),
        features: table.features.clone(),
        target: table.target.clone(),
        scaler: Some(table.scaler.clone()),
        input_range: Some(table.input_range.clone()),
        fill_values: table.fill_values.clone(),
        encoding,
    };
    let rows = table.rows.clone();
    let draft = RunDraft::begin(out, options.resume)?;
    let work = draft.dir();
    let mut metrics = match table.kind() {
        ModelKind::Regressor => {
            let fit = fit_regressor(&stack, rows.clone(), options, device, work, verbosity)?;
            let scores = TrainedModel::Regressor(fit.model.clone()).scores(
                &rows,
                fit.split.valid.clone(),
                device,
            );
            write_run(&draft, &config, &fit, None, Some(scores), device)?
        }
        ModelKind::Classifier => {
            let fit = fit_classifier(&stack, rows.clone(), options, device, work, verbosity)?;
            let scores = TrainedModel::Classifier(fit.model.clone()).scores(
                &rows,
                fit.split.valid.clone(),
                device,
            );
            write_run(&draft, &config, &fit, None, Some(scores), device)?
        }
    };
    metrics.warnings.extend(draft.publish()?);
    Ok(metrics)
}
