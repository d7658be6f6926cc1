//! Loading a run directory back: configuration, scaler, and weights checked against their
//! recorded checksum.

use crate::catalog::{self, Task};
use crate::error::TrainError;
use crate::evaluate::{Evaluation, evaluate_classifier, evaluate_regressor};
use crate::recipe::{ModelKind, RunConfig, parse_json, read_metrics, read_run_file};
use crate::run_dir::{RunMetrics, WEIGHTS_FILE};
use crate::scores::Scores;
use burn::prelude::*;
use burn::tensor::activation::softmax;
use kindling_data::Rows;
use kindling_data::csv_table::CsvTable;
use kindling_data::mnist::{self, MnistSet};
use kindling_data::split::validation_split;
use kindling_models::run::{load_checked_conv, load_checked_weights};
use kindling_models::{ConvNet, DenseStack, NetworkConfig, RegressionMlp};
use std::path::Path;
use std::sync::Arc;

/// A trained network.
#[derive(Debug)]
pub enum TrainedModel {
    /// A classifier: outputs are class probabilities.
    Classifier(DenseStack),
    /// A regressor: outputs are values.
    Regressor(RegressionMlp),
    /// A conv net classifying images: outputs are class probabilities. (Boxed: its layers
    /// make it several times the size of the other variants.)
    Conv(Box<ConvNet>),
}

/// A run directory, loaded.
#[derive(Debug)]
pub struct LoadedRun {
    /// The run directory.
    pub dir: std::path::PathBuf,
    /// `config.json`.
    pub config: RunConfig,
    /// `metrics.json`.
    pub metrics: RunMetrics,
    /// The weights, on the device they were loaded to.
    pub model: TrainedModel,
}

/// Loads the run in `dir` onto `device`. The weights file must match the SHA-256 recorded in
/// `metrics.json` (burn's loader accepts a corrupted payload silently) and the architecture in
/// `config.json`.
pub fn load_run(dir: &Path, device: &Device) -> Result<LoadedRun, TrainError> {
    if !dir.is_dir() {
        return Err(TrainError::Record {
            path: dir.to_path_buf(),
            reason: "no such run directory; pass the --out directory of a `kindling train` run"
                .into(),
        });
    }
    let config_path = dir.join(crate::run_dir::CONFIG_FILE);
    let config_text = read_run_file(&config_path)?;
    let config: RunConfig = parse_json(&config_path, &config_text)?;
    let metrics = read_metrics(dir)?;
    config.model.validate()?;
    crate::run_check::check_config(&config_path, &config_text, &config, &metrics.config_sha256)?;
    // The checksum check and the load live in kindling-models, which embedding programs use.
    let weights = dir.join(WEIGHTS_FILE);
    let model = match (&config.model, config.kind) {
        (NetworkConfig::Conv(conv), ModelKind::Classifier) => TrainedModel::Conv(Box::new(
            load_checked_conv(conv, &weights, &metrics.weights_sha256, device)?,
        )),
        (NetworkConfig::Conv(_), ModelKind::Regressor) => {
            return Err(TrainError::Record {
                path: config_path,
                reason: "a conv net classifies; the run's `kind` says regressor".into(),
            });
        }
        (NetworkConfig::Dense(dense), kind) => {
            let net = load_checked_weights(dense, &weights, &metrics.weights_sha256, device)?;
            match kind {
                ModelKind::Classifier => TrainedModel::Classifier(net),
                ModelKind::Regressor => TrainedModel::Regressor(RegressionMlp::new(net)),
            }
        }
    };
    Ok(LoadedRun {
        dir: dir.to_path_buf(),
        config,
        metrics,
        model,
    })
}

impl TrainedModel {
    /// Predictions for row-major `features` of `width` columns, as they are (no scaling): class
    /// probabilities for a classifier (Keras's `model.predict`), values for a regressor. Returns
    /// the outputs, row-major, and the number of outputs per row.
    pub fn predict(&self, features: Vec<f32>, width: usize, device: &Device) -> (Vec<f32>, usize) {
        let rows = features.len() / width.max(1);
        let inputs = Tensor::<2>::from_data(TensorData::new(features, [rows, width]), device);
        let outputs = match self {
            TrainedModel::Classifier(net) => softmax(net.forward(inputs), 1),
            TrainedModel::Regressor(net) => net.forward(inputs),
            TrainedModel::Conv(net) => softmax(net.forward(inputs), 1),
        };
        let columns = outputs.dims()[1];
        (outputs.into_data().iter::<f32>().collect(), columns)
    }

    /// Precision, recall, F1, AUROC and the confusion matrix (a classifier), or MSE, RMSE,
    /// MAE and R² (a regressor), of the model on the rows `range` of `rows` (already scaled).
    pub fn scores(&self, rows: &Rows, range: std::ops::Range<usize>, device: &Device) -> Scores {
        let width = rows.width();
        let features = rows.feature_block(range.clone()).to_vec();
        let (outputs, _) = self.predict(features, width, device);
        let indices: Vec<usize> = range.collect();
        Scores::of(&outputs, rows, &indices)
    }

    /// Scores the model on the rows `range` of `rows` (Keras's `model.evaluate`).
    pub fn evaluate(
        &self,
        rows: Arc<Rows>,
        range: std::ops::Range<usize>,
        device: &Device,
    ) -> Evaluation {
        match self {
            TrainedModel::Classifier(net) => evaluate_classifier(net, rows, range, device),
            TrainedModel::Regressor(net) => evaluate_regressor(net, rows, range, device),
            TrainedModel::Conv(net) => evaluate_classifier(&**net, rows, range, device),
        }
    }
}

impl LoadedRun {
    /// Predictions for row-major, unscaled `features` (`rows × config.model.inputs()`): the run's
    /// scaler is applied first. Class probabilities for a classifier (Keras's
    /// `model.predict`), values for a regressor; one row per example.
    pub fn predict(&self, mut features: Vec<f32>, device: &Device) -> Vec<Vec<f32>> {
        if let Some(scaler) = &self.config.scaler {
            scaler.apply(&mut features);
        }
        let (values, columns) = self
            .model
            .predict(features, self.config.model.inputs(), device);
        values.chunks(columns.max(1)).map(<[f32]>::to_vec).collect()
    }
}

impl LoadedRun {
    /// Scores the model on every row of the labelled CSV file `file` (`evaluate --input`): its
    /// feature columns by name, encoded and scaled as in training, and the target column.
    pub fn evaluate_file(
        &self,
        file: &Path,
        device: &Device,
    ) -> Result<(Evaluation, Scores), TrainError> {
        let rows = if self.config.encoding.is_some() {
            self.encoded_rows(file)?
        } else {
            self.table_rows(file)?
        };
        let n = rows.len();
        let scores = self.model.scores(&rows, 0..n, device);
        Ok((self.model.evaluate(Arc::new(rows), 0..n, device), scores))
    }

    /// The model's inputs from a numeric table, unscaled: the run's feature columns by name
    /// (MNIST's: every column but the label, in order), row-major, and which columns of
    /// `table` they are.
    pub fn table_inputs(&self, table: &CsvTable) -> Result<(Vec<f32>, Vec<usize>), TrainError> {
        let config = &self.config;
        let columns: Vec<usize> = if config.features.is_empty() {
            (0..table.columns.len())
                .filter(|&i| table.columns[i] != config.target)
                .collect()
        } else {
            config
                .features
                .iter()
                .map(|name| table.column_index(name))
                .collect::<Result<_, _>>()?
        };
        if columns.len() != config.model.inputs() {
            return Err(TrainError::Record {
                path: table.path.clone(),
                reason: format!(
                    "{} input columns, but the model takes {}; give the columns it was trained on ({})",
                    columns.len(),
                    config.model.inputs(),
                    if config.features.is_empty() {
                        "every pixel column".to_string()
                    } else {
                        config.features.join(", ")
                    }
                ),
            });
        }
        let width = table.columns.len();
        let features = table
            .values
            .chunks(width)
            .flat_map(|row| columns.iter().map(move |&c| row[c]))
            .collect();
        Ok((features, columns))
    }

    /// The labelled rows of the numeric CSV file `file` for a run of a table task: the run's
    /// feature columns and target by name, scaled as in training.
    fn table_rows(&self, file: &Path) -> Result<Rows, TrainError> {
        let config = &self.config;
        if config.features.is_empty() || config.task == Task::Shots.name() {
            return Err(TrainError::Record {
                path: self.dir.join(crate::run_dir::CONFIG_FILE),
                reason: format!(
                    "evaluate --input reads a table with the run's columns by name; a {} run is scored on its own data (--data-dir)",
                    config.task
                ),
            });
        }
        let table = kindling_data::csv_table::CsvTable::read(file)?;
        let (mut features, columns) = self.table_inputs(&table)?;
        let target = table.column_index(&config.target)?;
        let width = table.columns.len();
        if let Some(scaler) = &config.scaler {
            scaler.apply(&mut features);
        }
        let targets: Vec<f32> = table.values.chunks(width).map(|row| row[target]).collect();
        match config.kind {
            ModelKind::Regressor => Ok(Rows::regression(features, columns.len(), targets, 1)),
            ModelKind::Classifier => {
                let classes = config.model.outputs();
                let labels = targets
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| {
                        let label = t as u32;
                        if t < 0.0 || t.fract() != 0.0 || label as usize >= classes {
                            Err(TrainError::Record {
                                path: file.to_path_buf(),
                                reason: format!(
                                    "row {}, column `{}`: `{t}` is not one of the model's {classes} classes",
                                    i + 1,
                                    config.target
                                ),
                            })
                        } else {
                            Ok(label)
                        }
                    })
                    .collect::<Result<Vec<u32>, _>>()?;
                Ok(Rows::classified(features, columns.len(), labels, classes))
            }
        }
    }

    /// The labelled rows of the CSV file `file`, encoded and scaled as the run's were in
    /// training (a run of `train csv`, which records its encoding).
    pub fn encoded_rows(&self, file: &Path) -> Result<Rows, TrainError> {
        let config_path = self.dir.join(crate::run_dir::CONFIG_FILE);
        let Some(encoding) = &self.config.encoding else {
            return Err(TrainError::Record {
                path: config_path,
                reason:
                    "the run records no encoding of CSV columns; it was not trained by `train csv`"
                        .into(),
            });
        };
        let table = kindling_data::csv_table::TextTable::read(file)?;
        let target = table.column_index(&self.config.target)?;
        let classes =
            (self.config.kind == ModelKind::Classifier).then_some(self.config.model.outputs());
        let mut rows =
            crate::csv_source::encoded_rows(&table, encoding, target, self.config.kind, classes)?;
        if let Some(scaler) = &self.config.scaler {
            scaler.apply(rows.all_features_mut());
        }
        Ok(rows)
    }

    /// Scores the model again on the run's data: the validation split, and the test set where
    /// the task has one. Data comes from `data_dir`, else the directory the run trained on.
    pub fn evaluate(
        &self,
        data_dir: Option<&Path>,
        device: &Device,
    ) -> Result<Vec<(&'static str, Evaluation, Scores)>, TrainError> {
        let dir = data_dir.unwrap_or(&self.config.data_dir);
        let config_path = self.dir.join(crate::run_dir::CONFIG_FILE);
        let mismatch = |reason: String| TrainError::Record {
            path: config_path.clone(),
            reason,
        };
        let task = self.config.task.as_str();
        let (rows, test, expected_kind) = match task.parse::<Task>() {
            Err(_) if self.config.encoding.is_some() => {
                // A CSV file of the user's own: the file it trained on, unless `data_dir`
                // names another file.
                let file = data_dir
                    .filter(|d| d.is_file())
                    .unwrap_or(&self.config.data_dir);
                (self.encoded_rows(file)?, None, self.config.kind)
            }
            Ok(Task::Mnist) => {
                let train = mnist::load(dir, MnistSet::Train)?;
                let test = mnist::load(dir, MnistSet::Test)?;
                (train, Some(test), ModelKind::Classifier)
            }
            Ok(table_task) => {
                let mut table = table_task.load_table(dir)?;
                if let Some(scaler) = &self.config.scaler {
                    scaler.apply(table.rows.all_features_mut());
                }
                (table.rows, None, table_task.kind())
            }
            Err(_) => {
                return Err(mismatch(format!(
                    "unknown task `{task}`; expected one of: {}",
                    catalog::names(&Task::ALL)
                )));
            }
        };
        if expected_kind != self.config.kind {
            return Err(mismatch(format!(
                "task `{}` needs a {:?} but the run's config.json says {:?}",
                self.config.task, expected_kind, self.config.kind
            )));
        }
        if rows.width() != self.config.model.inputs() {
            return Err(mismatch(format!(
                "the data has {} features per row but the model takes {}",
                rows.width(),
                self.config.model.inputs()
            )));
        }
        if let Some(classes) = rows.classes()
            && classes > self.config.model.outputs()
        {
            return Err(mismatch(format!(
                "the data has {classes} classes but the model outputs {}",
                self.config.model.outputs()
            )));
        }
        let split = validation_split(rows.len(), self.config.fit.validation_split)?;
        let valid_scores = self.model.scores(&rows, split.valid.clone(), device);
        let mut scores = vec![(
            "validation",
            self.model.evaluate(Arc::new(rows), split.valid, device),
            valid_scores,
        )];
        if let Some(test) = test {
            let all = 0..test.len();
            let test_scores = self.model.scores(&test, all.clone(), device);
            scores.push((
                "test",
                self.model.evaluate(Arc::new(test), all, device),
                test_scores,
            ));
        }
        Ok(scores)
    }
}
