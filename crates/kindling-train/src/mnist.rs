//! The course's MNIST recipe: load, fit with validation and early stopping, test, write the run
//! directory and a picture of what the first layer learned.

use crate::error::TrainError;
use crate::evaluate::evaluate_classifier;
use crate::fit::fit_classifier;
use crate::options::{FitOptions, Regularization};
use crate::publish::RunDraft;
use crate::recipe::{ModelKind, RunConfig, RunSetup, write_run};
use crate::run_dir::RunMetrics;
use crate::show_weights::{FIRST_LAYER_WEIGHTS_FILE, draw_first_layer};
use crate::trained::TrainedModel;
use kindling_data::input_range::InputRange;
use kindling_data::mnist::{self, MnistSet};
use kindling_models::DenseStackConfig;
#[cfg(doc)]
use kindling_models::DigitNetConfig;
use std::sync::Arc;

/// Trains the digit net `model` (a `DenseStackConfig` of MNIST's 784 inputs and 10 classes,
/// as [`DigitNetConfig::stack`] or [`crate::Task::model`] makes it) on MNIST from `setup.data_dir` and writes the run directory
/// `setup.out`.
///
/// The run is written in a staging directory and published whole (see [`crate::publish`]), so
/// a failed or killed run leaves an earlier run in place.
pub fn train_mnist(
    model: &DenseStackConfig,
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
    let stack = regularization.apply(model.clone());
    stack.validate()?;
    let train = Arc::new(mnist::load(data_dir, MnistSet::Train)?);
    let test = Arc::new(mnist::load(data_dir, MnistSet::Test)?);

    let draft = RunDraft::begin(out, options.resume)?;
    let fit = fit_classifier(
        &stack,
        train.clone(),
        options,
        device,
        draft.dir(),
        verbosity,
    )?;
    let test_rows = 0..test.len();
    let test_score = evaluate_classifier(&fit.model, test, test_rows, device);
    let config = RunConfig {
        task: "mnist".into(),
        kind: ModelKind::Classifier,
        model: stack,
        fit: options.clone(),
        data_dir: data_dir.to_path_buf(),
        backend: backend.into(),
        features: Vec::new(),
        target: "label".into(),
        scaler: None,
        input_range: Some(InputRange::fit(&train, fit.split.train.clone())),
        fill_values: Default::default(),
        encoding: None,
    };
    let scores =
        TrainedModel::Classifier(fit.model.clone()).scores(&train, fit.split.valid.clone(), device);
    let mut metrics = write_run(
        &draft,
        &config,
        &fit,
        Some(test_score),
        Some(scores),
        device,
    )?;
    if let Err(e) = draw_first_layer(&fit.model, &draft.dir().join(FIRST_LAYER_WEIGHTS_FILE)) {
        metrics.warnings.push(crate::recipe::chart_warning(e));
    }
    metrics.warnings.extend(draft.publish()?);
    Ok(metrics)
}
