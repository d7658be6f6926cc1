//! "Save as run": a tab's network written as a Kindling run directory, which `kindling
//! predict`, `summary`, `export` and `show-weights` read like any other.

use crate::session::Session;
use burn::prelude::*;
use kindling_data::input_range::InputRange;
use kindling_data::split::ValidationSplit;
use kindling_models::RegressionMlp;
use kindling_train::publish::RunDraft;
use kindling_train::recipe::{ModelKind, RunConfig, write_run};
use kindling_train::run_dir::{RunLock, RunMetrics};
use kindling_train::trained::TrainedModel;
use kindling_train::{Engine, FitOptions, FitResult, OptimizerKind, TrainError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The task name a saved playground run records.
pub const PLAYGROUND_TASK: &str = "playground";

/// Writes `session`'s network, as it is now, to the run directory `out` (published whole, as
/// every run is). Its inputs are the setup's features by name (`x1`, `x2`, `x1sq`, ...), its
/// history the epochs trained, its validation split the test points.
pub fn save_run(session: &Session, out: &Path, device: &Device) -> Result<RunMetrics, TrainError> {
    let epochs = session.epoch();
    if epochs == 0 {
        return Err(TrainError::InvalidOption {
            name: "epochs",
            value: "0".into(),
            reason: "train at least one epoch (play or step) before saving".into(),
        });
    }
    let setup = session.setup();
    let rows = session.rows();
    let (n, train) = (rows.len(), session.train_points());
    let split = ValidationSplit {
        train: 0..train,
        valid: train..n,
    };
    let options = FitOptions {
        epochs,
        batch_size: setup.batch,
        learning_rate: setup.lr,
        optimizer: OptimizerKind::Sgd,
        validation_split: (n - train) as f64 / n as f64,
        seed: setup.seed,
        engine: Engine::Fused,
        ..FitOptions::default()
    };
    let classification = setup.dataset.is_classification();
    let config = RunConfig {
        task: PLAYGROUND_TASK.into(),
        kind: if classification {
            ModelKind::Classifier
        } else {
            ModelKind::Regressor
        },
        model: session.config().clone().into(),
        fit: options.clone(),
        data_dir: PathBuf::new(),
        backend: kindling_train::backend_name(device),
        features: session.feature_names(),
        target: "label".into(),
        scaler: None,
        input_range: Some(InputRange::fit(&rows, split.train.clone())),
        fill_values: Default::default(),
        encoding: None,
    };
    let draft = RunDraft::begin(out, false)?;
    let lock = Arc::new(RunLock::acquire(draft.dir())?);
    let stack = session.model(device);
    let fit = FitResult {
        model: (),
        history: session.history().clone(),
        best_epoch: epochs,
        stopped_early: false,
        split: split.clone(),
        best_checkpoint: PathBuf::new(),
        last_checkpoint: PathBuf::new(),
        divergence: None,
        engine: Engine::Fused,
        diagnostics: None,
        options: options.clone(),
        warnings: Vec::new(),
        interrupted: false,
        lock,
    };
    let mut metrics = if classification {
        let scores =
            TrainedModel::Classifier(stack.clone()).scores(&rows, split.valid.clone(), device);
        write_run(
            &draft,
            &config,
            &fit.with_model(stack),
            None,
            Some(scores),
            device,
        )?
    } else {
        let model = RegressionMlp::new(stack);
        let scores =
            TrainedModel::Regressor(model.clone()).scores(&rows, split.valid.clone(), device);
        write_run(
            &draft,
            &config,
            &fit.with_model(model),
            None,
            Some(scores),
            device,
        )?
    };
    metrics.warnings.extend(draft.publish()?);
    Ok(metrics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Setup;
    use burn::prelude::Device;

    #[test]
    fn a_saved_session_loads_as_a_run_and_predicts_as_it_did() {
        let device = Device::flex();
        let setup = Setup::from_query("dataset=xor&features=x1,x2,x1x2&layers=4").unwrap();
        let mut session = Session::new(setup, &device).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let err = save_run(&session, &dir.path().join("early"), &device).unwrap_err();
        assert!(
            err.to_string().contains("train at least one epoch"),
            "{err}"
        );
        for _ in 0..20 {
            session.step();
        }
        let out = dir.path().join("run");
        let metrics = save_run(&session, &out, &device).unwrap();
        assert_eq!(metrics.epochs_run, 20);
        let run = kindling_train::trained::load_run(&out, &device).unwrap();
        assert_eq!(run.config.features, ["x1", "x2", "x1x2"]);
        assert_eq!(run.config.task, PLAYGROUND_TASK);
        // The point (2, 3): its features 2, 3 and 6, predicted as the session's network does.
        let predicted = run.predict(vec![2.0, 3.0, 6.0], &device);
        let frame_model = session.model(&device);
        let expected: Vec<f32> = frame_model
            .predict_proba(burn::prelude::Tensor::from_data(
                burn::prelude::TensorData::new(vec![2.0f32, 3.0, 6.0], [1, 3]),
                &device,
            ))
            .into_data()
            .iter::<f32>()
            .collect();
        assert_eq!(predicted[0], expected);
    }
}
