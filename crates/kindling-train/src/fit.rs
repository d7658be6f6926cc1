//! Fitting a classifier with burn-train's `Learner`, the way Keras's `model.fit` does.

use crate::error::TrainError;
use crate::history::{EpochRecord, History};
use crate::options::{FitOptions, OptimizerKind};
use crate::reporter::{EpochReporter, Verbosity};
use crate::run_dir::load_weights;
use crate::weighted_loss::ExampleMeanLoss;
use burn::data::dataloader::DataLoaderBuilder;
use burn::optim::{AdamConfig, SgdConfig};
use burn::prelude::*;
use burn::train::logger::InMemoryMetricLogger;
use burn::train::metric::AccuracyMetric;
use burn::train::metric::store::{Aggregate, Direction, Split};
use burn::train::{Learner, MetricEarlyStoppingStrategy, StoppingCondition, SupervisedTraining};
use kindling_data::split::validation_split;
use kindling_data::{ClassificationBatcher, RowRange, Rows};
use kindling_models::{DenseStack, DenseStackConfig};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Validation batches are larger than training ones: the loss and accuracy are the same
/// (means weighted by batch size) and fewer, larger batches are faster.
const VALID_BATCH_SIZE: usize = 1024;

/// What a fit produced.
#[derive(Debug)]
pub struct FitResult {
    /// The model with the best epoch's weights (lowest validation loss), on the plain device.
    pub model: DenseStack,
    /// Every epoch's results.
    pub history: History,
    /// The epoch whose weights `model` holds.
    pub best_epoch: usize,
    /// Whether early stopping ended the fit before its last epoch.
    pub stopped_early: bool,
    /// Number of examples trained on (the part before the validation split).
    pub train_examples: usize,
    /// Number of examples validated on.
    pub valid_examples: usize,
    /// The checkpoint file the best weights were restored from.
    pub best_checkpoint: PathBuf,
}

/// Trains a classifier built from `config` on `rows`.
///
/// The last `options.validation_split` of the rows validate (Keras semantics, see
/// [`kindling_data::split`]); the rest train, reshuffled each epoch from `options.seed`. A
/// checkpoint per epoch goes to `work_dir/checkpoint/` (the last two and the best are kept);
/// the returned model holds the weights of the epoch with the lowest validation loss. A loss
/// that turns NaN or infinite is reported as [`TrainError::Diverged`].
pub fn fit_classifier(
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult, TrainError> {
    options.validate()?;
    config.validate()?;
    let split = validation_split(rows.len(), options.validation_split)?;
    let checkpoint_dir = work_dir.join("checkpoint");
    if checkpoint_dir.exists() {
        std::fs::remove_dir_all(&checkpoint_dir).map_err(|e| TrainError::io(&checkpoint_dir, e))?;
    }

    let autodiff = device.clone().autodiff();
    device.seed(options.seed);
    autodiff.seed(options.seed);
    let model = config.try_init(&autodiff)?;

    let rows_classes = rows.classes().unwrap_or(2);
    let batcher = ClassificationBatcher::new(rows);
    let train_loader = DataLoaderBuilder::new(batcher.clone())
        .batch_size(options.batch_size)
        .shuffle(options.seed)
        .set_device(autodiff.clone())
        .build(RowRange::new(split.train.clone()));
    let valid_loader = DataLoaderBuilder::new(batcher)
        .batch_size(VALID_BATCH_SIZE)
        .set_device(device.clone())
        .build(RowRange::new(split.valid.clone()));

    let records = Arc::new(Mutex::new(Vec::new()));
    let reporter = EpochReporter::new(verbosity, options.epochs, records.clone());
    let mut training = SupervisedTraining::new(work_dir, train_loader, valid_loader)
        .metrics((AccuracyMetric::new(), ExampleMeanLoss::new()))
        .with_default_checkpointers()
        .with_metric_logger(InMemoryMetricLogger::new())
        .with_application_logger(None)
        .renderer(Box::new(reporter))
        .num_epochs(options.epochs);
    if let Some(patience) = options.patience {
        training = training.early_stopping(MetricEarlyStoppingStrategy::new(
            &ExampleMeanLoss::new(),
            Aggregate::Mean,
            Direction::Lowest,
            Split::Valid,
            StoppingCondition::NoImprovementSince { n_epochs: patience },
        ));
    }

    let result = training.launch(Learner::new(
        model,
        optimizer(options),
        options.learning_rate,
    ));
    drop(result.renderer);
    if let Some(error) = &result.error {
        return Err(TrainError::Learner(error.to_string()));
    }
    let history = History {
        epochs: records.lock().map(|r| r.clone()).unwrap_or_default(),
    };
    let guess_loss = (rows_classes as f64).ln().max(f64::MIN_POSITIVE);
    check_divergence(&history.epochs, guess_loss, options.learning_rate)?;
    let best_epoch = history
        .best()
        .map(|e| e.epoch)
        .ok_or_else(|| TrainError::Learner("no epoch finished".into()))?;

    let best_checkpoint = checkpoint_dir.join(format!("model-{best_epoch}.bpk"));
    let model = load_weights(config, &best_checkpoint, device)?;
    Ok(FitResult {
        model,
        stopped_early: history.epochs.len() < options.epochs,
        history,
        best_epoch,
        train_examples: split.train.len(),
        valid_examples: split.valid.len(),
        best_checkpoint,
    })
}

/// The optimizer with Keras's defaults.
fn optimizer(options: &FitOptions) -> burn::optim::ModuleOptimizer {
    match options.optimizer {
        // Keras's Adam epsilon is 1e-7; burn's default is 1e-5.
        OptimizerKind::Adam => AdamConfig::new().with_epsilon(1e-7).init(),
        OptimizerKind::Sgd => SgdConfig::new().init(),
    }
}

/// A loss this many times that of a uniform guess means training has diverged.
const DIVERGENCE_FACTOR: f64 = 100.0;

/// The first loss that is NaN, infinite, or [`DIVERGENCE_FACTOR`] times the loss of guessing
/// every class with equal probability (`guess_loss`), as an error.
fn check_divergence(
    epochs: &[EpochRecord],
    guess_loss: f64,
    learning_rate: f64,
) -> Result<(), TrainError> {
    for e in epochs {
        for (which, value) in [("training", e.loss), ("validation", e.val_loss)] {
            if !value.is_finite() || value > DIVERGENCE_FACTOR * guess_loss {
                return Err(TrainError::Diverged {
                    epoch: e.epoch,
                    which,
                    value,
                    learning_rate,
                });
            }
        }
    }
    Ok(())
}
