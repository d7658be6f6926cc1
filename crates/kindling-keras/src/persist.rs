//! `model.save(dir)` and `load_model(dir)`: a model as a Kindling run directory.
//!
//! A saved model is the same run directory `kindling train` writes (see
//! [`run_dir`](kindling_train::run_dir)), written by the same code: `config.json`, `model.bpk`,
//! `history.csv`, `metrics.json` (with the weights' SHA-256) and the training curves. So
//! `kindling predict DIR --input F.csv` and `kindling summary DIR` work on it, and
//! `kindling evaluate DIR` too when the model is named after a Kindling task (`bank`, `drug`,
//! `wages`, `titanic`) and trained on that task's data as the task loads it (any scaling done
//! by the model's own scaler, see [`Model::with_scaler`]). `load_model` reads runs of
//! `kindling train` as well.

use crate::compile::{Loss, Metric, Optimizer};
use crate::error::KerasError;
use crate::model::Model;
use crate::sequential::Sequential;
use burn::prelude::*;
use kindling_train::TrainError;
use kindling_train::publish::RunDraft;
use kindling_train::recipe::{ModelKind, RunConfig, write_run};
use kindling_train::run_dir::RunMetrics;
use kindling_train::trained::{TrainedModel, load_run};
use std::path::{Path, PathBuf};

impl Model {
    /// `model.save(dir)`: writes the fitted model as a run directory, published whole (see
    /// [`kindling_train::publish`]: a failure leaves an earlier model there as it was). Returns what `metrics.json`
    /// records. A model that has not been fitted in this process has no history to record and
    /// is refused.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<RunMetrics, KerasError> {
        let dir = dir.as_ref();
        let Some(fitted) = &self.fitted else {
            return Err(match &self.loaded_from {
                Some(from) => TrainError::Record {
                    path: from.clone(),
                    reason: "this model was loaded from here and not fitted since: that directory already holds it; copy the directory, or fit and save a new run".into(),
                }
                .into(),
                None => KerasError::NotFitted { action: "save" },
            });
        };
        let config = RunConfig {
            task: self.name().to_string(),
            kind: self.loss.kind(),
            model: self.config.clone().into(),
            fit: fitted.options.clone(),
            data_dir: PathBuf::new(),
            backend: kindling_train::backend_name(&self.device),
            features: self.feature_names.clone(),
            target: self.target_name.clone(),
            scaler: self.scaler.clone(),
            input_range: None,
            fill_values: Default::default(),
            encoding: self.encoding.clone(),
        };
        let draft = RunDraft::begin(dir, false)?;
        let mut metrics = match &self.net {
            TrainedModel::Classifier(net) => write_run(
                &draft,
                &config,
                &fitted.result(net.clone()),
                None,
                None,
                &self.device,
            ),
            TrainedModel::Regressor(net) => write_run(
                &draft,
                &config,
                &fitted.result(net.clone()),
                None,
                None,
                &self.device,
            ),
            TrainedModel::Conv(_) => Err(crate::model::conv_run(dir)),
        }?;
        metrics.warnings.extend(draft.publish()?);
        Ok(metrics)
    }
}

/// `load_model(dir)`: a model saved by [`Model::save`] or trained by `kindling train`, on
/// `device`, compiled as it was trained (its optimizer and loss; accuracy for a classifier).
/// The weights are checked against the SHA-256 in `metrics.json`. The run's scaler (from
/// `--scale` or [`Model::with_scaler`]) comes with it: the model scales its inputs itself.
pub fn load_model(dir: impl AsRef<Path>, device: &Device) -> Result<Model, KerasError> {
    let run = load_run(dir.as_ref(), device)?;
    let config = run.config;
    let Some(dense) = config.model.dense().cloned() else {
        return Err(crate::model::conv_run(dir.as_ref()).into());
    };
    let loss = Loss::for_kind(config.kind);
    let metrics = match config.kind {
        ModelKind::Classifier => vec![Metric::Accuracy],
        ModelKind::Regressor => Vec::new(),
    };
    Ok(Model {
        architecture: Sequential::from_config(&config.task, &dense),
        optimizer: Optimizer::from_options(&config.fit),
        loss,
        metrics,
        device: device.clone(),
        net: run.model,
        scaler: config.scaler,
        feature_names: config.features,
        target_name: config.target,
        encoding: config.encoding,
        fitted: None,
        loaded_from: Some(run.dir),
        config: dense,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Dense, Features, FitArgs, Verbosity};

    fn regressor() -> Model {
        let mut model = Sequential::named("line");
        model
            .add(Dense::new(4).activation(Activation::Tanh).input_shape(1))
            .unwrap()
            .add(Dense::new(1))
            .unwrap();
        model
            .compile(
                Optimizer::adam().with_learning_rate(0.01),
                Loss::MeanSquaredError,
                &[],
                &Device::flex(),
            )
            .unwrap()
    }

    #[test]
    fn a_saved_model_loads_back_and_predicts_the_same() {
        let mut model = regressor().with_columns(&["x"], "y").unwrap();
        let x: Vec<f32> = (0..40).map(|i| i as f32 / 40.0).collect();
        let y: Vec<f32> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let args = FitArgs::new().epochs(3).verbose(Verbosity::Quiet);
        model.fit(Features::new(&x, 1), &y, &args).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let metrics = model.save(dir.path()).unwrap();
        assert_eq!(
            (metrics.task.as_str(), metrics.backend.as_str()),
            ("line", "flex")
        );
        assert_eq!(metrics.epochs_run, 3);
        let loaded = load_model(dir.path(), &Device::flex()).unwrap();
        assert_eq!(loaded.name(), "line");
        assert_eq!(loaded.layers(), model.layers());
        assert_eq!(loaded.optimizer(), model.optimizer());
        assert_eq!(loaded.feature_names, vec!["x"]);
        let before = model.predict(Features::new(&x, 1)).unwrap();
        let after = loaded.predict(Features::new(&x, 1)).unwrap();
        assert_eq!(before, after);
        assert_eq!(loaded.summary(), model.summary());
    }

    #[test]
    fn an_unfitted_model_cannot_be_saved() {
        let dir = tempfile::tempdir().unwrap();
        let err = regressor().save(dir.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            "cannot save: the model has not been fitted; call fit first"
        );
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }

    #[test]
    fn a_loaded_model_is_not_saved_again_unfitted() {
        let mut model = regressor();
        let x = [0.0, 0.5, 1.0, 1.5];
        let args = FitArgs::new()
            .verbose(Verbosity::Quiet)
            .validation_split(0.5);
        model.fit(Features::new(&x, 1), &x, &args).unwrap();
        let dir = tempfile::tempdir().unwrap();
        model.save(dir.path()).unwrap();
        let loaded = load_model(dir.path(), &Device::flex()).unwrap();
        let err = loaded
            .save(dir.path().join("copy"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("this model was loaded from here and not fitted since"),
            "{err}"
        );
    }

    #[test]
    fn loading_a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_model(dir.path().join("nope"), &Device::flex())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such run directory"), "{err}");
    }
}
