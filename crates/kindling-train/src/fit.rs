//! Fitting a model with burn-train's `Learner`, the way Keras's `model.fit` does.

use crate::diagnostics::EpochDiagnostics;
use crate::error::TrainError;
use crate::fused::{self, FusedFit, checkpoint_path};
use crate::history::{EpochRecord, History};
use crate::options::{Engine, FitOptions, OptimizerKind};
use crate::reporter::{EpochReporter, Verbosity};
use crate::run_dir::load_record_into;
use crate::weighted_loss::ExampleMeanLoss;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::optim::{AdamConfig, SgdConfig};
use burn::prelude::*;
use burn::train::logger::InMemoryMetricLogger;
use burn::train::metric::AccuracyMetric;
use burn::train::metric::store::{Aggregate, Direction, Split};
use burn::train::{
    Learner, LearnerModel, MetricEarlyStoppingStrategy, StoppingCondition, SupervisedTraining,
};
use kindling_data::split::{ValidationSplit, validation_split};
use kindling_data::{ClassificationBatcher, RegressionBatcher, RowRange, Rows};
use kindling_models::{DenseStack, DenseStackConfig, RegressionMlp};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Validation batches are larger than training ones: the loss and accuracy are the same
/// (means weighted by examples) and fewer, larger batches are faster.
const VALID_BATCH_SIZE: usize = 1024;

/// What a fit produced.
#[derive(Debug)]
pub struct FitResult<M> {
    /// The model with the best epoch's weights (lowest validation loss), on the plain device.
    pub model: M,
    /// Every epoch's results.
    pub history: History,
    /// The epoch whose weights `model` holds.
    pub best_epoch: usize,
    /// Whether early stopping ended the fit before its last epoch.
    pub stopped_early: bool,
    /// The rows trained on (the part before the validation split) and those validated on.
    pub split: ValidationSplit,
    /// The checkpoint file the best weights were restored from.
    pub best_checkpoint: PathBuf,
    /// The training loop that ran: [`Engine::Fused`] or [`Engine::Learner`].
    pub engine: Engine,
    /// Per-epoch gradient norms and dead-unit fractions, when `FitOptions::diagnostics` asked.
    pub diagnostics: Option<Vec<EpochDiagnostics>>,
}

/// Trains a classifier built from `config` on class-labelled `rows`.
///
/// The last `options.validation_split` of the rows validate (Keras semantics, see
/// [`kindling_data::split`]); the rest train, reshuffled each epoch from `options.seed`. A
/// checkpoint per epoch goes to `work_dir/checkpoint/` (the last two and the best are kept);
/// the returned model holds the weights of the epoch with the lowest validation loss. A loss
/// that turns NaN, infinite or explodes is reported as [`TrainError::Diverged`].
pub fn fit_classifier(
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<DenseStack>, TrainError> {
    let (split, autodiff) = prepare(config, &rows, options, device, work_dir)?;
    // Cross-entropy of a uniform guess over the classes.
    let guess_loss = (rows.classes().unwrap_or(2) as f64).ln();
    let run = Run {
        options,
        verbosity,
        guess_loss,
        work_dir,
    };
    if run.fused(device) {
        return run.launch_fused(config, &rows, split, device, |stack| stack);
    }
    run.refuse_diagnostics()?;
    let model = config.try_init(&autodiff)?;
    let (train, valid) = loaders(
        ClassificationBatcher::new(rows),
        &split,
        options,
        &autodiff,
        device,
    );
    let training = SupervisedTraining::new(work_dir, train, valid)
        .metrics((AccuracyMetric::new(), ExampleMeanLoss::new()));
    let fresh = config.try_init(device)?;
    run.launch(training, model, fresh, split)
}

/// Trains a regressor built from `config` (linear head) on `rows` with real-valued targets,
/// with mean squared error; otherwise as [`fit_classifier`].
pub fn fit_regressor(
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<RegressionMlp>, TrainError> {
    let (split, autodiff) = prepare(config, &rows, options, device, work_dir)?;
    // Mean squared error of always predicting the training mean.
    let guess_loss = target_variance(&rows, &split);
    let run = Run {
        options,
        verbosity,
        guess_loss,
        work_dir,
    };
    if run.fused(device) {
        return run.launch_fused(config, &rows, split, device, RegressionMlp::new);
    }
    run.refuse_diagnostics()?;
    let model = RegressionMlp::new(config.try_init(&autodiff)?);
    let (train, valid) = loaders(
        RegressionBatcher::new(rows),
        &split,
        options,
        &autodiff,
        device,
    );
    let training =
        SupervisedTraining::new(work_dir, train, valid).metrics((ExampleMeanLoss::new(),));
    let fresh = RegressionMlp::new(config.try_init(device)?);
    run.launch(training, model, fresh, split)
}

/// Validates everything, splits the rows, clears stale checkpoints and seeds the devices.
fn prepare(
    config: &DenseStackConfig,
    rows: &Rows,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
) -> Result<(ValidationSplit, Device), TrainError> {
    options.validate()?;
    config.validate()?;
    if config.input != rows.width() {
        return Err(TrainError::InvalidOption {
            name: "model input width",
            value: config.input.to_string(),
            reason: format!("the data has {} features per example", rows.width()),
        });
    }
    let split = validation_split(rows.len(), options.validation_split)?;
    let checkpoint_dir = work_dir.join("checkpoint");
    if checkpoint_dir.exists() {
        std::fs::remove_dir_all(&checkpoint_dir).map_err(|e| TrainError::io(&checkpoint_dir, e))?;
    }
    let autodiff = device.clone().autodiff();
    device.seed(options.seed);
    autodiff.seed(options.seed);
    Ok((split, autodiff))
}

/// The training loader (batches of `options.batch_size`, reshuffled each epoch from the seed)
/// and the validation loader (in order).
#[allow(clippy::type_complexity)]
fn loaders<B, O>(
    batcher: B,
    split: &ValidationSplit,
    options: &FitOptions,
    autodiff: &Device,
    device: &Device,
) -> (Arc<dyn DataLoader<O>>, Arc<dyn DataLoader<O>>)
where
    B: Batcher<usize, O> + Clone + 'static,
    O: Send + Clone + std::fmt::Debug + 'static,
{
    let train = DataLoaderBuilder::new(batcher.clone())
        // A batch larger than the data is the whole data (and allocates no more than that).
        .batch_size(options.batch_size.min(split.train.len()))
        .shuffle(options.seed)
        .set_device(autodiff.clone())
        .build(RowRange::new(split.train.clone()));
    let valid = DataLoaderBuilder::new(batcher)
        .batch_size(VALID_BATCH_SIZE)
        .set_device(device.clone())
        .build(RowRange::new(split.valid.clone()));
    (train, valid)
}

/// What every fit shares once its model, loaders and metrics are set up.
struct Run<'a> {
    options: &'a FitOptions,
    verbosity: Verbosity,
    /// The loss of a naive guess, for divergence detection.
    guess_loss: f64,
    work_dir: &'a Path,
}

impl Run<'_> {
    /// Whether this fit runs on the fused engine.
    fn fused(&self, device: &Device) -> bool {
        match self.options.engine {
            Engine::Auto => fused::is_cpu(device),
            Engine::Learner => false,
            Engine::Fused => true,
        }
    }

    /// Diagnostics come from the fused engine only.
    fn refuse_diagnostics(&self) -> Result<(), TrainError> {
        if !self.options.diagnostics {
            return Ok(());
        }
        Err(TrainError::InvalidOption {
            name: "--diagnostics",
            value: "with the learner engine".into(),
            reason: "gradient norms and dead units are recorded by the fused engine; use --engine fused (or a CPU backend)".into(),
        })
    }

    /// Trains `config` on the fused engine (see [`crate::fused`]); `wrap` turns the stack into
    /// the model type the checkpoints hold.
    fn launch_fused<M: Module>(
        &self,
        config: &DenseStackConfig,
        rows: &Rows,
        split: ValidationSplit,
        device: &Device,
        wrap: impl Fn(DenseStack) -> M,
    ) -> Result<FitResult<M>, TrainError> {
        let options = self.options;
        let outcome = FusedFit {
            config,
            rows,
            split: &split,
            options,
            device,
            work_dir: self.work_dir,
            verbosity: self.verbosity,
            loss_limit: divergence_limit(self.guess_loss),
        }
        .run(wrap)?;
        check_divergence(
            &outcome.history.epochs,
            self.guess_loss,
            options.learning_rate,
        )?;
        Ok(FitResult {
            model: outcome.model,
            stopped_early: outcome.history.epochs.len() < options.epochs,
            history: outcome.history,
            best_epoch: outcome.best_epoch,
            split,
            best_checkpoint: outcome.best_checkpoint,
            engine: Engine::Fused,
            diagnostics: outcome.diagnostics,
        })
    }

    /// Adds checkpoints, our reporter and early stopping, launches the Learner, and loads the
    /// best epoch's weights into `fresh` (the same architecture on the plain device).
    fn launch<M: LearnerModel>(
        &self,
        training: SupervisedTraining<M>,
        model: M,
        fresh: M,
        split: ValidationSplit,
    ) -> Result<FitResult<M>, TrainError> {
        let options = self.options;
        let records = Arc::new(Mutex::new(Vec::new()));
        let reporter = EpochReporter::new(self.verbosity, options.epochs, records.clone());
        let mut training = training
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
        check_divergence(&history.epochs, self.guess_loss, options.learning_rate)?;
        let best_epoch = history
            .best()
            .map(|e| e.epoch)
            .ok_or_else(|| TrainError::Learner("no epoch finished".into()))?;
        let best_checkpoint = checkpoint_path(self.work_dir, best_epoch);
        Ok(FitResult {
            model: load_record_into(fresh, &best_checkpoint)?,
            stopped_early: history.epochs.len() < options.epochs,
            history,
            best_epoch,
            split,
            best_checkpoint,
            engine: Engine::Learner,
            diagnostics: None,
        })
    }
}

/// Variance of the training targets (the MSE of predicting their mean).
fn target_variance(rows: &Rows, split: &ValidationSplit) -> f64 {
    let (values, width) = rows.values().unwrap_or((&[], 1));
    let part = &values[split.train.start * width..split.train.end * width];
    let n = part.len().max(1) as f64;
    let mean = part.iter().map(|&v| v as f64).sum::<f64>() / n;
    part.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n
}

/// The optimizer with Keras's defaults.
fn optimizer(options: &FitOptions) -> burn::optim::ModuleOptimizer {
    match options.optimizer {
        // Keras's Adam epsilon is 1e-7; burn's default is 1e-5.
        OptimizerKind::Adam => AdamConfig::new().with_epsilon(1e-7).init(),
        OptimizerKind::Sgd => SgdConfig::new().init(),
    }
}

/// A loss this many times that of a naive guess means training has diverged.
const DIVERGENCE_FACTOR: f64 = 100.0;

/// The loss above which a fit has diverged.
fn divergence_limit(guess_loss: f64) -> f64 {
    DIVERGENCE_FACTOR * guess_loss.max(f64::MIN_POSITIVE)
}

/// The first loss that is NaN, infinite, or [`DIVERGENCE_FACTOR`] times the loss of a naive
/// guess (`guess_loss`: a uniform guess over the classes, or the training mean), as an error.
fn check_divergence(
    epochs: &[EpochRecord],
    guess_loss: f64,
    learning_rate: f64,
) -> Result<(), TrainError> {
    let limit = divergence_limit(guess_loss);
    for e in epochs {
        for (which, value) in [("training", e.loss), ("validation", e.val_loss)] {
            if !value.is_finite() || value > limit {
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
