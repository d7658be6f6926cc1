//! The one epoch loop every fit runs, whichever engine computes its steps.
//!
//! Shuffling (one seeded order for both engines), validation, the epoch lines and progress bar,
//! the history, divergence detection, diagnostics, early stopping, the best epoch's weights and
//! the checkpoints are written here once. An engine supplies only its [`Steps`]: the training
//! steps of an epoch's batches and the scoring of the validation rows. The fused CPU engine
//! (`crate::fused_steps`) and the autodiff engine on Burn's `Learner` (`crate::learner_steps`)
//! are the two.
//!
//! Why not burn-train's own loop (`SupervisedTraining` with the fused engine as a custom
//! `SupervisedLearningStrategy`): the strategy must take its batches from the Learner's data
//! loader and hand each batch's outputs back as tensors for the Learner's metrics. On MNIST at
//! batch 32 that machinery alone costs 29 µs per batch against the fused step's 81 µs (35%;
//! measured with `cargo run --release -p kindling-train --example learner_overhead`).

use crate::diagnostics::EpochDiagnostics;
use crate::divergence::find_divergence;
use crate::error::TrainError;
use crate::history::{EpochRecord, History};
use crate::options::FitOptions;
use crate::reporter::{Verbosity, epoch_bar, print_epoch_line};
use indicatif::ProgressBar;
use kindling_data::split::ValidationSplit;
use kindling_models::{Activation, DenseStackConfig};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One engine's share of a fit: training steps and validation scores.
pub(crate) trait Steps {
    /// The model a fit returns.
    type Model;
    /// A copy of the weights at some epoch (the best one is kept).
    type Snapshot;

    /// One training step per batch of row indices, in order. `rng` is the fit's generator,
    /// for an engine that draws its dropout masks from it. With `diagnose`, the totals carry
    /// per layer the sum over steps of the weight gradient's L2 norm.
    fn train_epoch(
        &mut self,
        batches: &[&[usize]],
        rng: &mut StdRng,
        progress: &BatchProgress,
        diagnose: bool,
    ) -> Result<Totals, TrainError>;

    /// Scores the current weights on `rows`. With `diagnose`, the totals carry per hidden
    /// layer and unit whether it output anything above zero for any row.
    fn validate(&mut self, rows: &[usize], diagnose: bool) -> Result<Totals, TrainError>;

    /// The current weights.
    fn snapshot(&self) -> Self::Snapshot;

    /// Writes the current weights to `path` as the model type the fit returns.
    fn save(&self, path: &Path) -> Result<(), TrainError>;

    /// The model holding `snapshot`'s weights (the current ones when `None`).
    fn finish(self, snapshot: Option<Self::Snapshot>) -> Result<Self::Model, TrainError>;
}

/// Advances the progress bar (and the watchdog's heartbeat) as batches finish.
pub(crate) struct BatchProgress {
    bar: Option<ProgressBar>,
}

impl BatchProgress {
    /// `examples` more examples are done.
    #[inline]
    pub(crate) fn advance(&self, examples: usize) {
        crate::progress::tick();
        if let Some(bar) = &self.bar {
            bar.inc(examples as u64);
        }
    }
}

/// Example-weighted sums over an epoch's batches, and what diagnostics collected.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    /// Σ batch loss × batch examples.
    pub(crate) loss: f64,
    /// Correctly classified examples (classifiers).
    pub(crate) correct: usize,
    /// Examples scored.
    pub(crate) examples: usize,
    /// Per layer, the sum over steps of the weight gradient's norm (training, diagnosing).
    pub(crate) grad_norm_sums: Option<Vec<f64>>,
    /// Per hidden layer and unit, whether it was ever active (validation, diagnosing).
    pub(crate) alive: Option<Vec<Vec<bool>>>,
}

impl Totals {
    fn mean_loss(&self) -> f64 {
        self.loss / self.examples.max(1) as f64
    }

    fn accuracy(&self) -> f64 {
        self.correct as f64 / self.examples.max(1) as f64
    }
}

/// What a fit loops over and how it reports.
pub(crate) struct EpochLoop<'a> {
    pub(crate) config: &'a DenseStackConfig,
    pub(crate) split: &'a ValidationSplit,
    /// The options as applied to this fit's rows.
    pub(crate) options: &'a FitOptions,
    pub(crate) classifier: bool,
    pub(crate) work_dir: &'a Path,
    pub(crate) verbosity: Verbosity,
    /// The loss of a naive guess, the yardstick of divergence (see [`find_divergence`]).
    pub(crate) guess_loss: f64,
    /// Whether a diverged fit stops at once (else it runs on, as Keras does).
    pub(crate) stop_on_divergence: bool,
}

/// What the loop hands back.
pub(crate) struct LoopOutcome<M> {
    pub(crate) model: M,
    pub(crate) history: History,
    /// The epoch whose weights `model` holds: the lowest finite validation loss, else the
    /// last epoch.
    pub(crate) best_epoch: usize,
    /// Per-epoch diagnostics, when the options ask for them.
    pub(crate) diagnostics: Option<Vec<EpochDiagnostics>>,
}

impl EpochLoop<'_> {
    /// Runs the epochs with `steps`.
    pub(crate) fn run<S: Steps>(&self, mut steps: S) -> Result<LoopOutcome<S::Model>, TrainError> {
        let options = self.options;
        let diagnose = options.diagnostics;
        let mut rng = StdRng::seed_from_u64(options.seed);
        let mut order: Vec<usize> = self.split.train.clone().collect();
        let valid: Vec<usize> = self.split.valid.clone().collect();
        let batch_size = options.batch_size.min(order.len()).max(1);
        let checkpoint_dir = self.work_dir.join("checkpoint");
        crate::run_dir::create_dir(&checkpoint_dir)?;

        let mut diagnostics = Vec::new();
        let mut history = History::default();
        let mut best: Option<(usize, f64, S::Snapshot)> = None;
        let mut kept: Vec<PathBuf> = Vec::new();
        for epoch in 1..=options.epochs {
            let start = Instant::now();
            order.shuffle(&mut rng);
            let batches: Vec<&[usize]> = order.chunks(batch_size).collect();
            let progress = BatchProgress {
                bar: self
                    .verbosity
                    .shows_bar()
                    .then(|| epoch_bar(epoch, options.epochs, "train", order.len())),
            };
            let train = steps.train_epoch(&batches, &mut rng, &progress, diagnose)?;
            let train_seconds = start.elapsed().as_secs_f64();
            let validation = steps.validate(&valid, diagnose)?;
            if diagnose {
                diagnostics.push(self.diagnostics(epoch, batches.len(), &train, &validation));
            }
            let record = EpochRecord {
                epoch,
                seconds: start.elapsed().as_secs_f64(),
                train_seconds,
                loss: train.mean_loss(),
                accuracy: self.classifier.then(|| train.accuracy()),
                val_loss: validation.mean_loss(),
                val_accuracy: self.classifier.then(|| validation.accuracy()),
            };
            print_epoch_line(
                self.verbosity,
                progress.bar.as_ref(),
                record.keras_line(options.epochs),
            );
            if let Some(bar) = progress.bar {
                bar.finish_and_clear();
            }
            let diverged =
                find_divergence(std::slice::from_ref(&record), self.guess_loss).is_some();
            let improved = best
                .as_ref()
                .is_none_or(|(_, loss, _)| record.val_loss < *loss);
            if improved && record.val_loss.is_finite() {
                best = Some((epoch, record.val_loss, steps.snapshot()));
            }
            history.epochs.push(record);
            if diverged && self.stop_on_divergence {
                break;
            }
            // A checkpoint per epoch; the best and the latest are kept.
            let checkpoint = checkpoint_path(self.work_dir, epoch);
            steps.save(&checkpoint)?;
            let best_epoch = best.as_ref().map_or(0, |(b, _, _)| *b);
            let best_checkpoint = checkpoint_path(self.work_dir, best_epoch);
            kept.retain(|old: &PathBuf| {
                let keep = *old == best_checkpoint;
                if !keep {
                    // A stale checkpoint left behind costs disk space, nothing else.
                    let _ = std::fs::remove_file(old);
                }
                keep
            });
            kept.push(checkpoint);
            if options.patience.is_some_and(|p| epoch - best_epoch >= p) {
                break;
            }
        }
        let (best_epoch, snapshot) = match best {
            Some((epoch, _, snapshot)) => (epoch, Some(snapshot)),
            // Without a finite validation loss (a diverged fit), the last epoch stands in.
            None => (history.epochs.len(), None),
        };
        Ok(LoopOutcome {
            model: steps.finish(snapshot)?,
            history,
            best_epoch,
            diagnostics: diagnose.then_some(diagnostics),
        })
    }

    /// An epoch's diagnostics from its training and validation totals.
    fn diagnostics(
        &self,
        epoch: usize,
        steps: usize,
        train: &Totals,
        validation: &Totals,
    ) -> EpochDiagnostics {
        let steps = steps.max(1) as f64;
        let grad_norms = train
            .grad_norm_sums
            .iter()
            .flatten()
            .map(|sum| sum / steps)
            .collect();
        let dead_fractions = validation
            .alive
            .iter()
            .flatten()
            .zip(&self.config.activations)
            .map(|(units, activation)| {
                (*activation == Activation::Relu).then(|| {
                    units.iter().filter(|alive| !**alive).count() as f64 / units.len() as f64
                })
            })
            .collect();
        EpochDiagnostics {
            epoch,
            grad_norms,
            dead_fractions,
        }
    }
}

/// The checkpoint file of `epoch` in `work_dir`.
pub(crate) fn checkpoint_path(work_dir: &Path, epoch: usize) -> PathBuf {
    work_dir
        .join("checkpoint")
        .join(format!("model-{epoch}.bpk"))
}
