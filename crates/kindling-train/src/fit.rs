//! Fitting a model the way Keras's `model.fit` does: checks, the validation split and the
//! seeded model here, the epochs in [`crate::epoch_loop`], the steps on the fused CPU engine or
//! Burn's `Learner`.

use crate::diagnostics::EpochDiagnostics;
use crate::divergence::{Divergence, find_divergence, naive_guess_loss};
use crate::epoch_loop::{EpochLoop, LoopOutcome, checkpoint_path};
use crate::error::TrainError;
use crate::history::History;
use crate::learner_steps::{DenseModel, LearnerSteps, Supervised};
use crate::options::{Engine, FitOptions, FitWarning, Monitor, OptimizerKind};
use crate::reporter::Verbosity;
use crate::run_dir::{RunLock, with_sequential_ids};
use crate::schedule::LearningRates;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, RmsPropConfig, SgdConfig};
use burn::prelude::*;
use kindling_data::split::{ValidationSplit, validation_split};
use kindling_data::{RowRange, Rows};
use kindling_models::{
    Activation, ConvNet, ConvNetConfig, DenseStack, DenseStackConfig, RegressionMlp,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a fit produced.
#[derive(Debug, Clone)]
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
    /// The checkpoint of the last epoch run (the weights training ended with).
    pub last_checkpoint: PathBuf,
    /// The first sign of divergence, when the fit ran with [`OnDivergence::Report`] and its
    /// loss diverged (always `None` with [`OnDivergence::Fail`], which returns an error).
    pub divergence: Option<Divergence>,
    /// The training loop that ran: [`Engine::Fused`] or [`Engine::Learner`].
    pub engine: Engine,
    /// Per-epoch gradient norms and dead-unit fractions, when `FitOptions::diagnostics` asked.
    pub diagnostics: Option<Vec<EpochDiagnostics>>,
    /// The options as the fit applied them (see [`FitOptions::applied_to`]).
    pub options: FitOptions,
    /// What the fit changed in its options to run, for the caller to tell the user.
    pub warnings: Vec<FitWarning>,
    /// Whether the process asked the fit to stop before its last epoch (see
    /// [`crate::interrupt`]): `history` holds the epochs that ended, `model` the best of them.
    pub interrupted: bool,
    /// The work directory's writer lock, held until this result is dropped (so that the run
    /// directory is written by this process alone, see [`RunLock`]).
    pub lock: Arc<RunLock>,
}

impl<M> FitResult<M> {
    /// The model, and the result without it.
    pub fn into_parts(self) -> (M, FitResult<()>) {
        let FitResult {
            model,
            history,
            best_epoch,
            stopped_early,
            split,
            best_checkpoint,
            last_checkpoint,
            divergence,
            engine,
            diagnostics,
            options,
            warnings,
            interrupted,
            lock,
        } = self;
        let rest = FitResult {
            model: (),
            history,
            best_epoch,
            stopped_early,
            split,
            best_checkpoint,
            last_checkpoint,
            divergence,
            engine,
            diagnostics,
            options,
            warnings,
            interrupted,
            lock,
        };
        (model, rest)
    }

    /// The same result without the model (for callers that only need the figures).
    pub fn without_model(self) -> FitResult<()> {
        self.into_parts().1
    }
}

impl FitResult<()> {
    /// The same result around `model`.
    pub fn with_model<M>(self, model: M) -> FitResult<M> {
        FitResult {
            model,
            history: self.history,
            best_epoch: self.best_epoch,
            stopped_early: self.stopped_early,
            split: self.split,
            best_checkpoint: self.best_checkpoint,
            last_checkpoint: self.last_checkpoint,
            divergence: self.divergence,
            engine: self.engine,
            diagnostics: self.diagnostics,
            options: self.options,
            warnings: self.warnings,
            interrupted: self.interrupted,
            lock: self.lock,
        }
    }
}

/// What a fit does when its loss diverges (see [`crate::divergence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDivergence {
    /// Return [`TrainError::Diverged`]: nothing trained that way is worth keeping.
    Fail,
    /// Finish and report it in [`FitResult::divergence`], with the whole history, for
    /// experiments that study divergence. The model is the best epoch's if any validation loss
    /// is finite, else the last epoch's.
    Report,
}

/// Seeds `device` and its autodiff twin with `seed` and builds `config` on the autodiff one:
/// the model every fit with this seed starts from, whatever else differs (the learning rate,
/// say). Returns the model and the autodiff device.
///
/// Burn draws a parameter's initial values lazily, on first use; this draws them all here,
/// right after seeding, so that nothing drawn in between (dropout masks, another model) can
/// change them. A device's random generator is shared by every thread of the process, so
/// seeding and drawing happen under one process-wide lock: two fits starting at once (tests,
/// an application training several models) each get the weights of their own seed.
pub fn seeded_model(
    config: &DenseStackConfig,
    seed: u64,
    device: &Device,
) -> Result<(DenseStack, Device), TrainError> {
    seeded(|autodiff| Ok(config.try_init(autodiff)?), seed, device)
}

/// [`seeded_model`] for any network: `build` makes it on the seeded autodiff device.
fn seeded<M: Module>(
    build: impl FnOnce(&Device) -> Result<M, TrainError>,
    seed: u64,
    device: &Device,
) -> Result<(M, Device), TrainError> {
    /// Draws every parameter's initial values.
    struct Draw;
    impl burn::module::ModuleVisitor for Draw {
        fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
            let _ = param.val();
        }
    }
    static SEEDING: Mutex<()> = Mutex::new(());
    // A panic while holding the lock leaves nothing half-done that matters here.
    let _seeding = SEEDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let autodiff = device.clone().autodiff();
    device.seed(seed);
    autodiff.seed(seed);
    let model = build(&autodiff)?;
    model.visit(&mut Draw);
    Ok((model, autodiff))
}

/// Refuses what a conv net's fit cannot do: the fused engine and the dense layers'
/// diagnostics.
pub(crate) fn check_conv_options(options: &FitOptions) -> Result<(), TrainError> {
    let refuse = |name, value: &str, reason: &str| {
        Err(TrainError::InvalidOption {
            name,
            value: value.into(),
            reason: reason.into(),
        })
    };
    if options.engine == Engine::Fused {
        return refuse(
            "engine",
            "fused",
            "the fused engine trains dense stacks; the conv net trains on the learner engine (auto picks it)",
        );
    }
    if options.diagnostics {
        return refuse(
            "diagnostics",
            "true",
            "dead-unit and gradient-norm charts read dense layers; the conv net has none to chart",
        );
    }
    Ok(())
}

/// Trains the conv net `config` on class-labelled `rows` of images (`[side²]` pixels each),
/// as [`fit_classifier`] trains a dense stack: the same split, epochs, checkpoints, early
/// stopping, schedules and resume, on the learner engine (the fused engine trains dense
/// stacks only; `options.engine` `Fused` is refused). Diagnostics, which read dense layers,
/// are refused too.
pub fn fit_conv_classifier(
    config: &ConvNetConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<ConvNet>, TrainError> {
    config.validate()?;
    check_conv_options(options)?;
    let (run, split) = Run::prepare(
        (config.inputs(), config.classes),
        &rows,
        true,
        options,
        OnDivergence::Fail,
        work_dir,
        verbosity,
    )?;
    let (initial, autodiff) = seeded(|d| Ok(config.try_init(d)?), run.options.seed, device)?;
    let epochs = run.epoch_loop(&[], &rows, &split, true, Engine::Learner);
    run.learn(&epochs, initial, &rows, autodiff, device, &split)
}

/// Trains a classifier built from `config` on class-labelled `rows`.
///
/// The last `options.validation_split` of the rows validate (Keras semantics, see
/// [`kindling_data::split`]); the rest train, reshuffled each epoch from `options.seed`. A
/// checkpoint per epoch goes to `work_dir/checkpoint/` (the latest and the best are kept); the
/// returned model holds the weights of the epoch with the lowest validation loss. A loss that
/// turns NaN, infinite or explodes is reported as [`TrainError::Diverged`].
///
/// Every fit runs the one epoch loop (module `epoch_loop`); `options.engine` chooses what
/// computes its steps (see [`Engine`]).
pub fn fit_classifier(
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<DenseStack>, TrainError> {
    fit_classifier_with(
        config,
        rows,
        options,
        OnDivergence::Fail,
        device,
        work_dir,
        verbosity,
    )
}

/// [`fit_classifier`], with a choice of what happens when the loss diverges.
pub fn fit_classifier_with(
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    on_divergence: OnDivergence,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<DenseStack>, TrainError> {
    fit_model(
        config,
        None,
        rows,
        options,
        on_divergence,
        device,
        work_dir,
        verbosity,
    )
}

/// The fit of a classifier or a regressor `M` (see [`Supervised`]), from the weights `start`
/// when given, else from fresh ones drawn from the seed.
#[allow(clippy::too_many_arguments)]
fn fit_model<M: DenseModel>(
    config: &DenseStackConfig,
    start: Option<&DenseStack>,
    rows: Arc<Rows>,
    options: &FitOptions,
    on_divergence: OnDivergence,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<M>, TrainError> {
    config.validate()?;
    let (run, split) = Run::prepare(
        (config.input, config.output),
        &rows,
        M::CLASSIFIER,
        options,
        on_divergence,
        work_dir,
        verbosity,
    )?;
    let (initial, autodiff) = match start {
        Some(start) => {
            let autodiff = device.clone().autodiff();
            (start.clone().to_device(&autodiff), autodiff)
        }
        None => seeded_model(config, run.options.seed, device)?,
    };
    let fused = run.fused(device)?;
    let engine = if fused {
        Engine::Fused
    } else {
        Engine::Learner
    };
    let epochs = run.epoch_loop(&config.activations, &rows, &split, M::CLASSIFIER, engine);
    if fused {
        #[cfg(feature = "fused")]
        {
            let outcome =
                crate::fused_steps::run(&epochs, config, &initial, &rows, device, M::from_stack)?;
            return run.finish(outcome, split, Engine::Fused);
        }
    }
    run.learn(
        &epochs,
        M::from_stack(initial),
        &rows,
        autodiff,
        device,
        &split,
    )
}

/// [`fit_classifier`], continuing from the weights of `model` (as Keras's `fit` continues from
/// a model's current weights, after `load_model` or an earlier `fit`) instead of drawing fresh
/// ones; the seed still orders the batches. `model` must be of `config`'s architecture.
pub fn fit_classifier_from(
    config: &DenseStackConfig,
    model: &DenseStack,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<DenseStack>, TrainError> {
    check_start(config, model)?;
    fit_model(
        config,
        Some(model),
        rows,
        options,
        OnDivergence::Fail,
        device,
        work_dir,
        verbosity,
    )
}

/// [`fit_regressor`], continuing from the weights of `model`, as [`fit_classifier_from`].
pub fn fit_regressor_from(
    config: &DenseStackConfig,
    model: &RegressionMlp,
    rows: Arc<Rows>,
    options: &FitOptions,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<RegressionMlp>, TrainError> {
    check_start(config, model.as_ref())?;
    fit_model(
        config,
        Some(model.as_ref()),
        rows,
        options,
        OnDivergence::Fail,
        device,
        work_dir,
        verbosity,
    )
}

/// Refuses weights to continue from that are not of `config`'s architecture.
fn check_start(config: &DenseStackConfig, model: &DenseStack) -> Result<(), TrainError> {
    let shapes: Vec<[usize; 2]> = model.layers.iter().map(|l| l.weight.dims()).collect();
    let widths: Vec<usize> = std::iter::once(config.input)
        .chain(config.hidden.iter().copied())
        .chain(std::iter::once(config.output))
        .collect();
    let expected: Vec<[usize; 2]> = widths.windows(2).map(|w| [w[0], w[1]]).collect();
    if shapes == expected {
        return Ok(());
    }
    Err(TrainError::InvalidOption {
        name: "model",
        value: format!("{shapes:?}"),
        reason: format!("its layers do not match the configured ones, {expected:?}"),
    })
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
    fit_regressor_with(
        config,
        rows,
        options,
        OnDivergence::Fail,
        device,
        work_dir,
        verbosity,
    )
}

/// [`fit_regressor`], with a choice of what happens when the loss diverges.
pub fn fit_regressor_with(
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    on_divergence: OnDivergence,
    device: &Device,
    work_dir: &Path,
    verbosity: Verbosity,
) -> Result<FitResult<RegressionMlp>, TrainError> {
    fit_model(
        config,
        None,
        rows,
        options,
        on_divergence,
        device,
        work_dir,
        verbosity,
    )
}

/// The loader of the training rows of `split`: batches of `options.batch_size` on the
/// `autodiff` device, reshuffled on every pass from `options.seed`.
pub fn train_loader<B, O>(
    batcher: B,
    split: &ValidationSplit,
    options: &FitOptions,
    autodiff: &Device,
) -> Arc<dyn DataLoader<O>>
where
    B: Batcher<usize, O> + 'static,
    O: Send + Clone + std::fmt::Debug + 'static,
{
    DataLoaderBuilder::new(batcher)
        // A batch larger than the data is the whole data (and allocates no more than that).
        .batch_size(options.batch_size.min(split.train.len()))
        .shuffle(options.seed)
        .set_device(autodiff.clone())
        .build(RowRange::new(split.train.clone()))
}

/// What every fit shares once its model, loaders and metrics are set up.
struct Run<'a> {
    /// The work directory's writer lock, handed to the result.
    lock: Arc<RunLock>,
    /// The options as applied to this fit's rows.
    options: FitOptions,
    /// What applying them changed.
    warnings: Vec<FitWarning>,
    verbosity: Verbosity,
    /// The loss of a naive guess, for divergence detection.
    guess_loss: f64,
    on_divergence: OnDivergence,
    work_dir: &'a Path,
}

impl<'a> Run<'a> {
    /// Validates everything (the options, the model, and that the rows fit the model: their
    /// width, and class labels below its outputs for a classifier or as many target values as
    /// its outputs for a regressor), splits the rows and clears stale checkpoints.
    fn prepare(
        (inputs, outputs): (usize, usize),
        rows: &Rows,
        classifier: bool,
        options: &FitOptions,
        on_divergence: OnDivergence,
        work_dir: &'a Path,
        verbosity: Verbosity,
    ) -> Result<(Self, ValidationSplit), TrainError> {
        options.validate()?;
        if inputs != rows.width() {
            return Err(TrainError::InvalidOption {
                name: "model input width",
                value: inputs.to_string(),
                reason: format!("the data has {} features per example", rows.width()),
            });
        }
        let fits = match (classifier, rows.classes(), rows.values()) {
            (true, Some(classes), _) => (classes <= outputs).then_some(()).ok_or(format!(
                "the data has {classes} classes; give the model at least that many outputs"
            )),
            (true, None, _) => {
                Err("the rows carry values, not class labels; fit a regressor".into())
            }
            (false, _, Some((_, width))) => (width == outputs).then_some(()).ok_or(format!(
                "the data has {width} target values per example; give the model as many outputs"
            )),
            (false, _, None) => {
                Err("the rows carry class labels, not values; fit a classifier".into())
            }
        };
        if let Err(reason) = fits {
            return Err(TrainError::InvalidOption {
                name: "model output width",
                value: outputs.to_string(),
                reason,
            });
        }
        let monitor = options.monitor;
        let wrong_kind = match monitor.for_classifiers() {
            Some(true) if !classifier => Some(
                "a regressor has no accuracy, precision, recall, F1 or AUC; monitor val_loss, val_mae, val_rmse or val_r2",
            ),
            Some(false) if classifier => Some(
                "a classifier has no regression errors; monitor val_loss, val_accuracy, val_f1, val_precision or val_recall",
            ),
            _ if monitor == Monitor::ValAuc && rows.classes().is_some_and(|c| c != 2) => {
                Some("AUC is for two classes; monitor val_f1 or val_accuracy")
            }
            _ => None,
        };
        if let Some(reason) = wrong_kind {
            return Err(TrainError::InvalidOption {
                name: "monitor",
                value: monitor.name().into(),
                reason: reason.into(),
            });
        }
        let split = validation_split(rows.len(), options.validation_split)?;
        let lock = Arc::new(RunLock::acquire(work_dir)?);
        let checkpoint_dir = work_dir.join("checkpoint");
        if !options.resume {
            crate::epoch_loop::clear_checkpoints(&checkpoint_dir)?;
        }
        let (options, warnings) = options.applied_to(split.train.len());
        let run = Run {
            lock,
            options,
            warnings,
            verbosity,
            guess_loss: naive_guess_loss(rows, &split),
            on_divergence,
            work_dir,
        };
        Ok((run, split))
    }

    /// Whether this fit runs on the fused engine: on a CPU device unless told otherwise, when
    /// this build has it (the `fused` feature).
    fn fused(&self, device: &Device) -> Result<bool, TrainError> {
        let lacks = self.options.fused_lacks();
        match self.options.engine {
            Engine::Auto => {
                Ok(cfg!(feature = "fused") && crate::device::is_cpu(device) && lacks.is_none())
            }
            Engine::Learner => Ok(false),
            Engine::Fused if let Some(option) = lacks => Err(TrainError::InvalidOption {
                name: "engine",
                value: "fused".into(),
                reason: format!(
                    "the fused engine has Adam and plain SGD at a constant learning rate (which ReduceLROnPlateau may lower), without gradient clipping; {option} needs the learner engine (auto picks it)"
                ),
            }),
            Engine::Fused if cfg!(feature = "fused") => Ok(true),
            Engine::Fused => Err(TrainError::EngineNotBuilt {
                engine: Engine::Fused,
            }),
        }
    }

    /// The epoch loop of this fit.
    fn epoch_loop<'b>(
        &'b self,
        activations: &'b [Activation],
        rows: &'b Rows,
        split: &'b ValidationSplit,
        classifier: bool,
        engine: Engine,
    ) -> EpochLoop<'b> {
        EpochLoop {
            activations,
            rows,
            split,
            options: &self.options,
            classifier,
            work_dir: self.work_dir,
            verbosity: self.verbosity,
            guess_loss: self.guess_loss,
            stop_on_divergence: self.on_divergence == OnDivergence::Fail,
            resume: self.options.resume,
            engine: engine.name(),
        }
    }

    /// Runs `epochs` on the autodiff engine from `model` (on the `autodiff` device): Burn's
    /// optimizer with Keras's defaults, and its learning rates over the steps.
    fn learn<M: Supervised>(
        &self,
        epochs: &EpochLoop,
        model: M,
        rows: &Arc<Rows>,
        autodiff: Device,
        device: &Device,
        split: &ValidationSplit,
    ) -> Result<FitResult<M>, TrainError> {
        let options = &self.options;
        let steps_per_epoch = split.train.len().div_ceil(options.batch_size.max(1));
        let steps = LearnerSteps {
            model: with_sequential_ids(model),
            optim: burn_optimizer(options),
            lr: LearningRates::new(
                options.learning_rate,
                &options.lr_schedule,
                options.epochs,
                steps_per_epoch,
            )?,
            batcher: M::batcher(rows.clone()),
            autodiff,
            device: device.clone(),
        };
        let outcome = epochs.run(steps)?;
        self.finish(outcome, split.clone(), Engine::Learner)
    }

    /// The error for a diverged fit, unless it is to be reported instead.
    fn check(&self, divergence: Option<Divergence>) -> Result<(), TrainError> {
        match (divergence, self.on_divergence) {
            (Some(d), OnDivergence::Fail) => Err(TrainError::Diverged {
                epoch: d.epoch,
                which: d.which.name(),
                value: d.value,
                learning_rate: self.options.learning_rate,
            }),
            _ => Ok(()),
        }
    }

    /// The fit's result from what the loop produced.
    fn finish<M>(
        &self,
        outcome: LoopOutcome<M>,
        split: ValidationSplit,
        engine: Engine,
    ) -> Result<FitResult<M>, TrainError> {
        let divergence = find_divergence(&outcome.history.epochs, self.guess_loss);
        self.check(divergence)?;
        let last_epoch = outcome.history.last().map_or(0, |e| e.epoch);
        Ok(FitResult {
            model: outcome.model,
            interrupted: outcome.interrupted,
            stopped_early: !outcome.interrupted
                && outcome.history.epochs.len() < self.options.epochs,
            history: outcome.history,
            best_epoch: outcome.best_epoch,
            split,
            best_checkpoint: checkpoint_path(self.work_dir, outcome.best_epoch),
            last_checkpoint: checkpoint_path(self.work_dir, last_epoch),
            divergence,
            engine,
            diagnostics: outcome.diagnostics,
            options: self.options.clone(),
            warnings: self.warnings.clone(),
            lock: self.lock.clone(),
        })
    }
}

/// Keras's default weight decay for AdamW.
pub const ADAMW_WEIGHT_DECAY: f64 = 0.004;

/// Burn's optimizer for `options.optimizer`, with Keras's defaults and the options' momentum,
/// weight decay and gradient clipping.
pub fn burn_optimizer(options: &FitOptions) -> burn::optim::ModuleOptimizer {
    // Keras's epsilon is 1e-7 throughout; burn's default is 1e-5.
    let clipping = options
        .clip_norm
        .map(|norm| GradientClippingConfig::Norm(norm as f32));
    match options.optimizer {
        OptimizerKind::Adam => AdamConfig::new()
            .with_epsilon(1e-7)
            .with_grad_clipping(clipping)
            .init(),
        // Keras's momentum has no dampening (burn's default is 0.1).
        OptimizerKind::Sgd => SgdConfig::new()
            .with_momentum((options.momentum > 0.0).then(|| {
                MomentumConfig::new()
                    .with_momentum(options.momentum)
                    .with_dampening(0.0)
                    .with_nesterov(options.nesterov)
            }))
            .with_gradient_clipping(clipping)
            .init(),
        OptimizerKind::AdamW => AdamWConfig::new()
            .with_epsilon(1e-7)
            .with_weight_decay(options.weight_decay.unwrap_or(ADAMW_WEIGHT_DECAY) as f32)
            .with_grad_clipping(clipping)
            .init(),
        // Keras: ρ 0.9, no momentum, ε 1e-7 (burn's defaults are 0.99, 0.9 and 1e-5).
        OptimizerKind::RmsProp => RmsPropConfig::new()
            .with_alpha(0.9)
            .with_momentum(options.momentum as f32)
            .with_epsilon(1e-7)
            .with_grad_clipping(clipping)
            .init(),
    }
}

/// Held by the tests that seed the backend: its generator is global, so a test running
/// beside them could draw from it between their seeding and their drawing.
#[cfg(test)]
pub(crate) static SEEDED_TESTS: Mutex<()> = Mutex::new(());

/// Takes [`SEEDED_TESTS`] (a test that failed while holding it does not poison the others).
#[cfg(test)]
pub(crate) fn seeded_test_guard() -> std::sync::MutexGuard<'static, ()> {
    SEEDED_TESTS.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_models::Activation;

    fn weights(net: &DenseStack) -> Vec<f32> {
        net.layers
            .iter()
            .flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>())
            .collect()
    }

    fn biases(net: &DenseStack) -> Vec<f32> {
        net.layers
            .iter()
            .flat_map(|l| {
                let bias = l.bias.as_ref().expect("dense layers have biases");
                bias.val().into_data().iter::<f32>().collect::<Vec<_>>()
            })
            .collect()
    }

    /// 60 rows of two features; the class is whether their sum is positive.
    fn two_class_rows() -> Arc<Rows> {
        let features: Vec<f32> = (0..120)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 5.0)
            .collect();
        let labels = features
            .chunks(2)
            .map(|pair| u32::from(pair[0] + pair[1] > 0.0))
            .collect();
        Arc::new(Rows::classified(features, 2, labels, 2))
    }

    fn config() -> DenseStackConfig {
        DenseStackConfig::uniform(2, &[8, 8], Activation::Relu, 2)
    }

    #[test]
    fn the_same_seed_gives_the_same_initial_weights() {
        let _guard = seeded_test_guard();
        let device = Device::flex();
        let (first, _) = seeded_model(&config(), 7, &device).unwrap();
        // Whatever draws from the devices' generators in between does not matter.
        let _ = config().try_init(&device).unwrap();
        let _ = config().try_init(&device.clone().autodiff()).unwrap();
        let (again, _) = seeded_model(&config(), 7, &device).unwrap();
        assert_eq!(weights(&first), weights(&again));
        let (other, _) = seeded_model(&config(), 8, &device).unwrap();
        assert_ne!(weights(&first), weights(&other));
    }

    #[test]
    fn every_fit_with_a_seed_starts_from_the_seeded_model() {
        let _guard = seeded_test_guard();
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let (initial, _) = seeded_model(&config(), 3, &device).unwrap();
        // At learning rates this small an SGD step leaves every weight as it was (the
        // update is far below an f32 ulp), so the fitted weights are the starting ones.
        for learning_rate in [1e-30, 1e-29] {
            let options = FitOptions {
                epochs: 1,
                optimizer: OptimizerKind::Sgd,
                learning_rate,
                seed: 3,
                ..Default::default()
            };
            let fit = fit_classifier(
                &config(),
                two_class_rows(),
                &options,
                &device,
                dir.path(),
                Verbosity::Quiet,
            )
            .unwrap();
            assert_eq!(weights(&fit.model), weights(&initial), "lr {learning_rate}");
            assert!(biases(&fit.model).iter().all(|b| b.abs() < 1e-20));
        }
    }

    #[test]
    fn rows_that_do_not_fit_the_model_are_refused_on_both_engines() {
        let _guard = seeded_test_guard();
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let values = Arc::new(Rows::regression(vec![0.5; 8], 2, vec![1.0; 4], 1));
        for engine in [Engine::Fused, Engine::Learner] {
            let options = FitOptions {
                epochs: 1,
                engine,
                ..Default::default()
            };
            let fail = |result: Result<FitResult<()>, TrainError>| result.unwrap_err().to_string();
            let one_output = DenseStackConfig::uniform(2, &[4], Activation::Relu, 1);
            let quiet = Verbosity::Quiet;
            let err = fail(
                fit_classifier(
                    &one_output,
                    two_class_rows(),
                    &options,
                    &device,
                    dir.path(),
                    quiet,
                )
                .map(FitResult::without_model),
            );
            assert!(err.contains("the data has 2 classes"), "{engine:?}: {err}");
            let err = fail(
                fit_regressor(
                    &config(),
                    two_class_rows(),
                    &options,
                    &device,
                    dir.path(),
                    quiet,
                )
                .map(FitResult::without_model),
            );
            assert!(err.contains("fit a classifier"), "{engine:?}: {err}");
            let err = fail(
                fit_classifier(
                    &config(),
                    values.clone(),
                    &options,
                    &device,
                    dir.path(),
                    quiet,
                )
                .map(FitResult::without_model),
            );
            assert!(err.contains("fit a regressor"), "{engine:?}: {err}");
            let err = fail(
                fit_regressor(
                    &config(),
                    values.clone(),
                    &options,
                    &device,
                    dir.path(),
                    quiet,
                )
                .map(FitResult::without_model),
            );
            assert!(
                err.contains("1 target values per example"),
                "{engine:?}: {err}"
            );
        }
    }

    #[test]
    fn a_diverging_fit_fails_or_reports_with_its_history() {
        let _guard = seeded_test_guard();
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let options = FitOptions {
            epochs: 3,
            optimizer: OptimizerKind::Sgd,
            learning_rate: 1e6,
            ..Default::default()
        };
        let rows = two_class_rows();
        let failed = fit_classifier(
            &config(),
            rows.clone(),
            &options,
            &device,
            dir.path(),
            Verbosity::Quiet,
        );
        assert!(
            matches!(failed, Err(TrainError::Diverged { epoch: 1, .. })),
            "{failed:?}"
        );
        let reported = fit_classifier_with(
            &config(),
            rows,
            &options,
            OnDivergence::Report,
            &device,
            dir.path(),
            Verbosity::Quiet,
        )
        .unwrap();
        let divergence = reported.divergence.expect("diverged");
        assert_eq!(divergence.epoch, 1);
        assert_eq!(reported.history.epochs.len(), 3);
        assert!(reported.last_checkpoint.is_file());
    }
}
