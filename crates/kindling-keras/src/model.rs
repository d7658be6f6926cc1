//! A compiled model: `fit`, `evaluate`, `predict` and `summary`.

use crate::compile::{Loss, Metric, Optimizer};
use crate::data::{Features, Targets, checked_rows, to_rows};
use crate::error::KerasError;
use crate::fit_args::FitArgs;
use crate::predictions::Predictions;
use crate::sequential::Sequential;
use burn::prelude::*;
use kindling_data::Rows;
use kindling_data::scale::Scaler;
use kindling_models::{DenseStackConfig, RegressionMlp};
use kindling_train::Evaluation;
use kindling_train::FitOptions;
use kindling_train::History;
use kindling_train::TrainError;
use kindling_train::summary::summary_table;
use kindling_train::trained::TrainedModel;
use kindling_train::{
    FitResult, fit_classifier, fit_classifier_from, fit_regressor, fit_regressor_from,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A compiled [`Sequential`] model: layers, optimizer, loss and metrics, with its weights on
/// a device. Made by [`Sequential::compile`] or [`load_model`](crate::load_model).
#[derive(Debug)]
pub struct Model {
    pub(crate) architecture: Sequential,
    pub(crate) config: DenseStackConfig,
    pub(crate) optimizer: Optimizer,
    pub(crate) loss: Loss,
    pub(crate) metrics: Vec<Metric>,
    pub(crate) device: Device,
    pub(crate) net: TrainedModel,
    /// Applied to the features given to `fit`, `evaluate` and `predict`, and saved with the
    /// model (see [`Model::with_scaler`]).
    pub(crate) scaler: Option<Scaler>,
    pub(crate) feature_names: Vec<String>,
    pub(crate) target_name: String,
    /// How a CSV file's columns become inputs, saved with the model (see
    /// [`Model::with_encoding`]).
    pub(crate) encoding: Option<kindling_data::encoding::Encoding>,
    pub(crate) fitted: Option<Fitted>,
    pub(crate) loaded_from: Option<PathBuf>,
}

/// What the last `fit` left, besides the weights: what a run directory records.
#[derive(Debug, Clone)]
pub(crate) struct Fitted {
    pub(crate) options: FitOptions,
    /// The fit's result without its model.
    pub(crate) fit: FitResult<()>,
}

impl Fitted {
    fn from_result<M>(options: FitOptions, fit: FitResult<M>) -> (Self, M) {
        let (model, fit) = fit.into_parts();
        (Fitted { options, fit }, model)
    }

    /// The fit result `write_run` takes, around `model`.
    pub(crate) fn result<M>(&self, model: M) -> FitResult<M> {
        self.fit.clone().with_model(model)
    }
}

impl Model {
    /// A compiled model with fresh weights on `device`.
    pub(crate) fn build(
        architecture: Sequential,
        config: DenseStackConfig,
        optimizer: Optimizer,
        loss: Loss,
        metrics: Vec<Metric>,
        device: &Device,
    ) -> Result<Self, KerasError> {
        let stack = config.try_init(device)?;
        let net = match loss {
            Loss::CategoricalCrossentropy => TrainedModel::Classifier(stack),
            Loss::MeanSquaredError => TrainedModel::Regressor(RegressionMlp::new(stack)),
        };
        Ok(Self {
            architecture,
            config,
            optimizer,
            loss,
            metrics,
            device: device.clone(),
            net,
            scaler: None,
            feature_names: Vec::new(),
            target_name: String::new(),
            encoding: None,
            fitted: None,
            loaded_from: None,
        })
    }

    /// `model.fit(predictors, target, ...)`. Everything is checked before training starts:
    /// the arguments (see [`FitArgs::options`]), the features' width against the input shape,
    /// the targets against the features and the output layer, and that the validation split
    /// leaves rows on both sides. As Keras's, a fit continues from the model's current
    /// weights: those [`load_model`](crate::load_model) read, or those an earlier `fit` left.
    /// The first fit of a freshly compiled model starts from weights drawn from the seed, so
    /// that a seeded script is reproducible. It keeps the best epoch's weights. Returns the
    /// history, a record per epoch.
    pub fn fit<'a>(
        &mut self,
        predictors: impl Into<Features<'a>>,
        target: impl Into<Targets<'a>>,
        args: &FitArgs,
    ) -> Result<History, KerasError> {
        let options = args.options(&self.optimizer)?;
        let mut rows = self.rows(predictors.into(), target.into())?;
        if let Some(scaler) = &self.scaler {
            scaler.apply(rows.all_features_mut());
        }
        kindling_data::split::validation_split(rows.len(), options.validation_split)?;
        let work = tempfile::Builder::new()
            .prefix("kindling-fit-")
            .tempdir()
            .map_err(|e| KerasError::from(TrainError::io(std::env::temp_dir(), e)))?;
        let rows = Arc::new(rows);
        let verbosity = args.verbosity();
        // Keras continues from the current weights; a freshly compiled model has none of its
        // own yet, and starts from the seed's.
        let continues = self.fitted.is_some() || self.loaded_from.is_some();
        let (config, device, work) = (&self.config, &self.device, work.path());
        let (fitted, net) = match &self.net {
            TrainedModel::Classifier(net) => {
                let fit = if continues {
                    fit_classifier_from(config, net, rows, &options, device, work, verbosity)?
                } else {
                    fit_classifier(config, rows, &options, device, work, verbosity)?
                };
                let (fitted, net) = Fitted::from_result(options, fit);
                (fitted, TrainedModel::Classifier(net))
            }
            TrainedModel::Conv(_) => {
                return Err(conv_run(self.loaded_from.as_deref().unwrap_or(Path::new("."))).into());
            }
            TrainedModel::Regressor(net) => {
                let fit = if continues {
                    fit_regressor_from(config, net, rows, &options, device, work, verbosity)?
                } else {
                    fit_regressor(config, rows, &options, device, work, verbosity)?
                };
                let (fitted, net) = Fitted::from_result(options, fit);
                (fitted, TrainedModel::Regressor(net))
            }
        };
        let history = fitted.fit.history.clone();
        self.net = net;
        self.fitted = Some(fitted);
        self.loaded_from = None;
        Ok(history)
    }

    /// `model.evaluate(x, y)`: the loss (mean squared error, or categorical cross-entropy) on
    /// these examples, and the accuracy when compiled with [`Metric::Accuracy`].
    pub fn evaluate<'a>(
        &self,
        x: impl Into<Features<'a>>,
        y: impl Into<Targets<'a>>,
    ) -> Result<Evaluation, KerasError> {
        let mut rows = self.rows(x.into(), y.into())?;
        if let Some(scaler) = &self.scaler {
            scaler.apply(rows.all_features_mut());
        }
        let n = rows.len();
        let mut score = self.net.evaluate(Arc::new(rows), 0..n, &self.device);
        if !self.metrics.contains(&Metric::Accuracy) {
            score.accuracy = None;
        }
        Ok(score)
    }

    /// `model.predict(x)`: class probabilities for a classifier (each row sums to 1), values
    /// for a regressor.
    pub fn predict<'a>(&self, x: impl Into<Features<'a>>) -> Result<Predictions, KerasError> {
        let x = x.into();
        checked_rows(x, self.config.input)?;
        let mut features = x.values().to_vec();
        if let Some(scaler) = &self.scaler {
            scaler.apply(&mut features);
        }
        let (values, columns) = self.net.predict(features, self.config.input, &self.device);
        Ok(Predictions::new(values, columns))
    }

    /// `model.summary()`: a Keras-style table of layers, output shapes and parameter counts,
    /// with the total.
    pub fn summary(&self) -> String {
        summary_table(self.architecture.name(), &self.config)
    }

    /// Names the feature columns (in order) and the target column, so that `save` records
    /// them and `kindling predict DIR --input F.csv` picks those columns of a CSV file by name
    /// (without names it takes every column). The count must match the input shape.
    pub fn with_columns(mut self, features: &[&str], target: &str) -> Result<Self, KerasError> {
        if features.len() != self.config.input {
            return Err(KerasError::Shape {
                what: "feature names",
                reason: format!(
                    "{} names, but the model's input_shape is ({},)",
                    features.len(),
                    self.config.input
                ),
            });
        }
        self.feature_names = features.iter().map(|s| s.to_string()).collect();
        self.target_name = target.to_string();
        Ok(self)
    }

    /// Scales every feature given to `fit`, `evaluate` and `predict` with `scaler` first (the
    /// course's `MinMaxScaler`, fitted beforehand with [`Scaler::fit`]). It is saved with the
    /// model, so `kindling predict` on the saved run reads unscaled CSV files as well. Its
    /// width must match the input shape.
    pub fn with_scaler(mut self, scaler: Scaler) -> Result<Self, KerasError> {
        if scaler.offset.len() != self.config.input || scaler.divisor.len() != self.config.input {
            return Err(KerasError::Shape {
                what: "scaler",
                reason: format!(
                    "fitted on {} features, but the model's input_shape is ({},)",
                    scaler.offset.len(),
                    self.config.input
                ),
            });
        }
        self.scaler = Some(scaler);
        Ok(self)
    }

    /// The layers.
    pub fn layers(&self) -> &[crate::Dense] {
        self.architecture.layers()
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        self.architecture.name()
    }

    /// The network's configuration.
    pub fn config(&self) -> &DenseStackConfig {
        &self.config
    }

    /// The optimizer.
    pub fn optimizer(&self) -> Optimizer {
        self.optimizer
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// The metrics besides the loss.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// The history of the last `fit` (Keras's `History.history`), if fitted in this process.
    pub fn history(&self) -> Option<&History> {
        self.fitted.as_ref().map(|f| &f.fit.history)
    }

    /// The epoch whose weights the model holds after the last `fit`.
    pub fn best_epoch(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.fit.best_epoch)
    }

    /// The weights.
    pub fn network(&self) -> &TrainedModel {
        &self.net
    }

    /// The examples as [`Rows`], after checking every count against the model.
    fn rows(&self, x: Features<'_>, y: Targets<'_>) -> Result<Rows, KerasError> {
        to_rows(x, y, self.config.input, self.config.output, self.loss)
    }
}

/// The error for a conv-net run reached through the Keras API, whose models are `Sequential`
/// stacks of `Dense` layers.
pub(crate) fn conv_run(dir: &Path) -> TrainError {
    TrainError::Record {
        path: dir.join(kindling_train::run_dir::MODEL_CONFIG_FILE),
        reason: "the run holds a conv net (`kindling train mnist --model cnn`), which the Keras API's Sequential of Dense layers cannot hold; use `kindling predict`/`evaluate`, or `kindling_models::run::load_conv_run`".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Dense, EarlyStopping, Verbosity};
    use kindling_data::scale::ScaleKind;

    fn classifier() -> Model {
        let mut model = Sequential::new();
        model
            .add(Dense::new(8).activation(Activation::Relu).input_shape(2))
            .unwrap()
            .add(Dense::new(2).activation(Activation::Softmax))
            .unwrap();
        model
            .compile(
                Optimizer::adam().with_learning_rate(0.05),
                Loss::CategoricalCrossentropy,
                &[Metric::Accuracy],
                &Device::flex(),
            )
            .unwrap()
    }

    /// Points above the line x + y = 1 are class 1, in alternating order.
    fn points(n: usize) -> (Vec<f32>, Vec<u32>) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let a = (i * 37 % 100) as f32 / 100.0;
            let b = (i * 61 % 100) as f32 / 100.0;
            x.extend_from_slice(&[a, b]);
            y.push(u32::from(a + b > 1.0));
        }
        (x, y)
    }

    #[test]
    fn fit_learns_and_predict_gives_probabilities() {
        let mut model = classifier();
        let (x, y) = points(200);
        let args = FitArgs::new().epochs(15).verbose(Verbosity::Quiet);
        let history = model.fit(Features::new(&x, 2), &y, &args).unwrap();
        assert_eq!(history.epochs.len(), 15);
        assert!(
            history.epochs[14].loss < history.epochs[0].loss,
            "{history:?}"
        );
        let score = model.evaluate(Features::new(&x, 2), &y).unwrap();
        assert!(score.accuracy.unwrap() > 0.8, "{score:?}");
        let predictions = model.predict(Features::new(&x, 2)).unwrap();
        assert_eq!((predictions.len(), predictions.columns()), (200, 2));
        for row in predictions.rows() {
            assert!((row[0] + row[1] - 1.0).abs() < 1e-5);
        }
        assert!(model.best_epoch().is_some());
    }

    #[test]
    fn early_stopping_stops_when_validation_stops_improving() {
        let mut model = classifier();
        let (x, mut y) = points(100);
        // The validation rows (the last 30) have their labels flipped: the better the model
        // fits the training rows, the worse it does on them.
        for label in &mut y[70..] {
            *label = 1 - *label;
        }
        let args = FitArgs::new()
            .epochs(50)
            .early_stopping(EarlyStopping::new(2))
            .verbose(Verbosity::Quiet);
        let history = model.fit(Features::new(&x, 2), &y, &args).unwrap();
        let best = model.best_epoch().unwrap();
        assert!(history.epochs.len() < 50, "{}", history.epochs.len());
        assert_eq!(history.epochs.len(), best + 2);
    }

    #[test]
    fn accuracy_is_reported_only_when_compiled_with_it() {
        let mut model = classifier();
        model.metrics.clear();
        let (x, y) = points(10);
        let score = model.evaluate(Features::new(&x, 2), &y).unwrap();
        assert_eq!(score.accuracy, None);
        assert!(score.loss > 0.0 && score.examples == 10);
    }

    #[test]
    fn fit_checks_data_and_arguments_before_training() {
        let mut model = classifier();
        let (x, y) = points(10);
        let quiet = FitArgs::new().verbose(Verbosity::Quiet);
        let err = model
            .fit(Features::new(&x, 1), &y, &quiet)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "features: 1 columns per row, but the model's input_shape is (2,)"
        );
        let err = model
            .fit(Features::new(&x, 2), &y[..9], &quiet)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "targets: 9 labels for 10 rows of features");
        let err = model
            .fit(Features::new(&x, 2), &y, &quiet.validation_split(1.0))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid validation_split 1"), "{err}");
        let err = model
            .fit(Features::new(&x[..2], 2), &y[..1], &quiet)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no rows would be left for training"), "{err}");
        assert!(model.history().is_none());
    }

    #[test]
    fn predict_checks_the_width() {
        let model = classifier();
        let err = model
            .predict(Features::new(&[1.0, 2.0, 3.0], 3))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "features: 3 columns per row, but the model's input_shape is (2,)"
        );
        assert_eq!(
            model.predict(Features::new(&[0.1, 0.2], 2)).unwrap().len(),
            1
        );
    }

    #[test]
    fn column_names_must_match_the_input_shape() {
        let err = classifier()
            .with_columns(&["a"], "y")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "feature names: 1 names, but the model's input_shape is (2,)"
        );
        let model = classifier().with_columns(&["a", "b"], "y").unwrap();
        assert_eq!(model.feature_names, vec!["a", "b"]);
    }

    #[test]
    fn the_scaler_is_applied_to_every_input() {
        let (x, y) = points(50);
        // Inputs 100 times larger, scaled back by the model's own scaler.
        let large: Vec<f32> = x.iter().map(|v| v * 100.0).collect();
        let scaler = Scaler {
            kind: ScaleKind::Standard,
            offset: vec![0.0, 0.0],
            divisor: vec![100.0, 100.0],
        };
        let mut model = classifier().with_scaler(scaler).unwrap();
        let args = FitArgs::new().epochs(3).verbose(Verbosity::Quiet);
        model.fit(Features::new(&large, 2), &y, &args).unwrap();
        let mut plain = classifier();
        plain.fit(Features::new(&x, 2), &y, &args).unwrap();
        let scaled = model.predict(Features::new(&large, 2)).unwrap();
        let unscaled = plain.predict(Features::new(&x, 2)).unwrap();
        for (a, b) in scaled.values().iter().zip(unscaled.values()) {
            assert!((a - b).abs() < 1e-5, "{a} {b}");
        }
        let a = model.evaluate(Features::new(&large, 2), &y).unwrap();
        let b = plain.evaluate(Features::new(&x, 2), &y).unwrap();
        assert!((a.loss - b.loss).abs() < 1e-5, "{a:?} {b:?}");
        let err = classifier()
            .with_scaler(Scaler::fit(
                ScaleKind::Minmax,
                &Rows::regression(vec![1.0], 1, vec![0.0], 1),
                0..1,
            ))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "scaler: fitted on 1 features, but the model's input_shape is (2,)"
        );
    }
}
