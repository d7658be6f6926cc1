//! The course's MNIST recipe: load, fit with validation and early stopping, test, write the run
//! directory and a picture of what the first layer learned.

use crate::error::TrainError;
use crate::evaluate::{Logits, evaluate_classifier};
use crate::fit::{FitResult, fit_classifier, fit_conv_classifier};
use crate::options::{FitOptions, Regularization};
use crate::publish::RunDraft;
use crate::recipe::{ModelKind, RunConfig, RunSetup, RunWeights, write_run};
use crate::run_dir::RunMetrics;
use crate::show_weights::{FIRST_LAYER_WEIGHTS_FILE, draw_filters, draw_first_layer};
use crate::trained::TrainedModel;
use kindling_data::Rows;
use kindling_data::input_range::InputRange;
use kindling_data::mnist::{self, MnistSet};
#[cfg(doc)]
use kindling_models::DigitNetConfig;
use kindling_models::{ConvNetConfig, DenseStackConfig, NetworkConfig};
use std::path::Path;
use std::sync::Arc;

/// Trains the digit net `model` (a `DenseStackConfig` of MNIST's 784 inputs and 10 classes,
/// as [`DigitNetConfig::stack`] or [`crate::Task::model`] makes it) on MNIST from
/// `setup.data_dir` and writes the run directory `setup.out`.
///
/// The run is written in a staging directory and published whole (see [`crate::publish`]), so
/// a failed or killed run leaves an earlier run in place.
pub fn train_mnist(
    model: &DenseStackConfig,
    regularization: Regularization,
    options: &FitOptions,
    setup: RunSetup,
) -> Result<RunMetrics, TrainError> {
    options.validate()?;
    let stack = regularization.apply(model.clone());
    stack.validate()?;
    let fit = |train, dir: &Path| {
        fit_classifier(&stack, train, options, setup.device, dir, setup.verbosity)
    };
    let network = stack.clone().into();
    train_on_mnist(
        network,
        options,
        setup,
        fit,
        TrainedModel::Classifier,
        draw_first_layer,
    )
}

/// Trains Keras's "Simple MNIST convnet" `model` ([`ConvNetConfig::mnist`]) on MNIST, as
/// [`train_mnist`] trains the dense digit net, on the learner engine; the first-layer image
/// shows its filters.
pub fn train_mnist_conv(
    model: &ConvNetConfig,
    options: &FitOptions,
    setup: RunSetup,
) -> Result<RunMetrics, TrainError> {
    options.validate()?;
    model.validate()?;
    crate::fit::check_conv_options(options)?;
    let fit = |train, dir: &Path| {
        fit_conv_classifier(model, train, options, setup.device, dir, setup.verbosity)
    };
    let network = model.clone().into();
    train_on_mnist(
        network,
        options,
        setup,
        fit,
        |net| TrainedModel::Conv(Box::new(net)),
        draw_filters,
    )
}

/// What both MNIST networks' runs share: load, `fit`, test, write and publish the run, with
/// the picture `draw` makes of the first layer.
fn train_on_mnist<M: RunWeights + Logits + Clone>(
    network: NetworkConfig,
    options: &FitOptions,
    setup: RunSetup,
    fit: impl FnOnce(Arc<Rows>, &Path) -> Result<FitResult<M>, TrainError>,
    trained: fn(M) -> TrainedModel,
    draw: fn(&M, &Path) -> Result<(), TrainError>,
) -> Result<RunMetrics, TrainError> {
    let RunSetup {
        data_dir,
        out,
        backend,
        device,
        ..
    } = setup;
    let train = Arc::new(mnist::load(data_dir, MnistSet::Train)?);
    let test = Arc::new(mnist::load(data_dir, MnistSet::Test)?);

    let draft = RunDraft::begin(out, options.resume)?;
    let fit = fit(train.clone(), draft.dir())?;
    let test_rows = 0..test.len();
    let test_score = evaluate_classifier(&fit.model, test, test_rows, device);
    let config = RunConfig {
        task: "mnist".into(),
        kind: ModelKind::Classifier,
        model: network,
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
    let scores = trained(fit.model.clone()).scores(&train, fit.split.valid.clone(), device);
    let mut metrics = write_run(
        &draft,
        &config,
        &fit,
        Some(test_score),
        Some(scores),
        device,
    )?;
    if let Err(e) = draw(&fit.model, &draft.dir().join(FIRST_LAYER_WEIGHTS_FILE)) {
        metrics.warnings.push(crate::recipe::chart_warning(e));
    }
    metrics.warnings.extend(draft.publish()?);
    Ok(metrics)
}
