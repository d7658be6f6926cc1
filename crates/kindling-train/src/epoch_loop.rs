//! The one epoch loop every fit runs, whichever engine computes its steps.
//!
//! Shuffling (one seeded order for both engines), validation, the epoch lines and progress bar,
//! the history, divergence detection, diagnostics, early stopping, the best epoch's weights and
//! the checkpoints, the interruption (see [`crate::interrupt`]) and the state a fit resumes from
//! ([`ResumeState`]) are written here once. An engine supplies only its [`Steps`]: the training
//! steps of an epoch's batches, the scoring of the validation rows and its optimizer's state.
//! The fused CPU engine (`crate::fused_steps`) and the autodiff engine, stepping as Burn's
//! `Learner` does (`crate::learner_steps`), are the two.
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
use crate::run_dir::{write_atomic, write_json};
use crate::schedule::PlateauState;
use crate::scores::Scores;
use indicatif::ProgressBar;
use kindling_data::Rows;
use kindling_data::split::ValidationSplit;
use kindling_models::Activation;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};
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
        rng: &mut ChaCha12Rng,
        progress: &BatchProgress,
        diagnose: bool,
    ) -> Result<Totals, TrainError>;

    /// Scores the current weights on `rows`. With `diagnose`, the totals carry per hidden
    /// layer and unit whether it output anything above zero for any row.
    fn validate(&mut self, rows: &[usize], diagnose: bool) -> Result<Totals, TrainError>;

    /// The current weights.
    fn snapshot(&self) -> Self::Snapshot;

    /// Moves the learning-rate schedule past the first `steps` steps (a resumed fit).
    fn skip_schedule(&mut self, steps: usize);

    /// Sets the learning rate of the steps to come to `scale` times the base rate (Keras's
    /// `ReduceLROnPlateau`).
    fn scale_learning_rate(&mut self, scale: f64);

    /// Writes the current weights to `path` as the model type the fit returns.
    fn save(&self, path: &Path) -> Result<(), TrainError>;

    /// The optimizer's state, saved beside each checkpoint so that the fit can resume.
    fn optimizer_state(&self) -> Result<Vec<u8>, TrainError>;

    /// The weights of the checkpoint at `path`.
    fn load_snapshot(&self, path: &Path) -> Result<Self::Snapshot, TrainError>;

    /// Continues from the checkpoint `weights` and the optimizer state saved with it.
    fn restore(&mut self, weights: &Path, optimizer: &[u8]) -> Result<(), TrainError>;

    /// The model holding `snapshot`'s weights (the current ones when `None`).
    fn finish(self, snapshot: Option<Self::Snapshot>) -> Result<Self::Model, TrainError>;
}

/// Advances the progress bar (and the watchdog's heartbeat) as batches finish.
pub(crate) struct BatchProgress {
    bar: Option<ProgressBar>,
}

impl BatchProgress {
    /// `examples` more examples are done; returns whether to go on (false once the process
    /// was asked to stop, see [`crate::interrupt`]).
    #[inline]
    pub(crate) fn advance(&self, examples: usize) -> bool {
        crate::progress::tick();
        if let Some(bar) = &self.bar {
            bar.inc(examples as u64);
        }
        !crate::interrupt::stop_requested()
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
    /// Validation: the outputs, row-major in the order of the rows scored (class
    /// probabilities for a classifier, values for a regressor).
    pub(crate) outputs: Option<Vec<f32>>,
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
    /// The hidden layers' activations (none for a conv net), for the diagnostics.
    pub(crate) activations: &'a [Activation],
    /// The rows fitted, whose validation targets the epochs' scores are counted against.
    pub(crate) rows: &'a Rows,
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
    /// Whether to continue the fit whose state `work_dir/checkpoint` holds (see
    /// [`ResumeState`]) instead of starting afresh.
    pub(crate) resume: bool,
    /// The engine's name, recorded with the state (a fit resumes on the engine it ran on).
    pub(crate) engine: &'static str,
}

/// The file in the checkpoint directory that says where a fit stood after its last epoch.
pub(crate) const RESUME_FILE: &str = "resume.json";

/// The file in the checkpoint directory that holds the optimizer's state after the last epoch.
pub(crate) const OPTIMIZER_STATE_FILE: &str = "optimizer.bin";

/// Where a fit stood after an epoch: with the checkpoint of that epoch and the optimizer's state
/// ([`OPTIMIZER_STATE_FILE`]), everything its next epoch needs, so that a resumed fit computes
/// exactly what an uninterrupted one would have.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ResumeState {
    /// The engine the fit ran on.
    engine: String,
    /// The last epoch that ended; its weights are in `model-{epoch}.bpk`.
    epoch: usize,
    /// The best epoch so far and its validation loss.
    best: Option<(usize, f64)>,
    /// The epochs so far.
    history: History,
    /// Their diagnostics, when the fit records them.
    diagnostics: Vec<EpochDiagnostics>,
    /// The order of the training rows after the last shuffle (each epoch shuffles it again).
    order: Vec<usize>,
    /// The generator's seed, hex.
    rng_seed: String,
    /// The generator's position in its stream, in 32-bit words.
    rng_word_pos: String,
    /// Where `ReduceLROnPlateau` stood, when the fit uses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plateau: Option<PlateauState>,
}

/// Where the loop stands after an epoch, besides its scores: what a resumed fit restores.
struct Position<'a> {
    /// The epoch that just ended.
    epoch: usize,
    /// The order of the training rows after its shuffle.
    order: &'a [usize],
    /// The generator after it.
    rng: &'a ChaCha12Rng,
    /// `ReduceLROnPlateau`'s state, when the fit uses it.
    plateau: Option<PlateauState>,
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
    /// Whether the process asked the fit to stop before its last epoch (see
    /// [`crate::interrupt`]); the epoch it was in is not part of the history.
    pub(crate) interrupted: bool,
}

impl EpochLoop<'_> {
    /// Runs the epochs with `steps`.
    pub(crate) fn run<S: Steps>(&self, mut steps: S) -> Result<LoopOutcome<S::Model>, TrainError> {
        let options = self.options;
        let diagnose = options.diagnostics;
        let mut rng = ChaCha12Rng::seed_from_u64(options.seed);
        let mut order: Vec<usize> = self.split.train.clone().collect();
        let mut first_epoch = 1;
        let valid: Vec<usize> = self.split.valid.clone().collect();
        let batch_size = options.batch_size.min(order.len()).max(1);
        let checkpoint_dir = self.work_dir.join(crate::publish::CHECKPOINT_DIR);
        crate::run_dir::create_dir(&checkpoint_dir)?;

        let mut diagnostics = Vec::new();
        let mut history = History::default();
        let mut best: Option<(usize, f64, S::Snapshot)> = None;
        let mut kept: Vec<PathBuf> = Vec::new();
        let mut plateau = options
            .reduce_lr_on_plateau
            .map(|_| PlateauState::default());
        if self.resume {
            let state = self.read_state()?;
            let latest = checkpoint_path(self.work_dir, state.epoch);
            let optimizer = checkpoint_dir.join(OPTIMIZER_STATE_FILE);
            let bytes = std::fs::read(&optimizer).map_err(|e| TrainError::io(&optimizer, e))?;
            steps.restore(&latest, &bytes)?;
            if let Some((epoch, loss)) = state.best {
                let path = checkpoint_path(self.work_dir, epoch);
                best = Some((epoch, loss, steps.load_snapshot(&path)?));
                kept.push(path);
            }
            kept.push(latest);
            rng = state.generator(&checkpoint_dir)?;
            order = state.order;
            history = state.history;
            diagnostics = state.diagnostics;
            first_epoch = state.epoch + 1;
            // The schedule is a function of the step: it continues after the epochs that ended.
            steps.skip_schedule(state.epoch * order.len().div_ceil(batch_size));
            if let (Some(now), Some(then)) = (plateau.as_mut(), state.plateau) {
                *now = then;
                steps.scale_learning_rate(now.scale);
            }
        }
        let mut interrupted = false;
        for epoch in first_epoch..=options.epochs {
            if crate::interrupt::stop_requested() {
                interrupted = true;
                break;
            }
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
            if crate::interrupt::stop_requested() {
                // The unfinished epoch is dropped: the run keeps the epochs that ended.
                if let Some(bar) = progress.bar {
                    bar.finish_and_clear();
                }
                interrupted = true;
                break;
            }
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
                val_scores: validation
                    .outputs
                    .as_ref()
                    .map(|outputs| Scores::of(outputs, self.rows, &valid)),
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
            // The kept epoch: the best monitored value (lowest loss, highest accuracy), from an
            // epoch whose validation loss is finite.
            let monitored = options.monitor.lower_is_better(&record);
            let improved = monitored
                .is_some_and(|value| best.as_ref().is_none_or(|(_, kept, _)| value < *kept));
            if improved && record.val_loss.is_finite() {
                let value = monitored.unwrap_or(f64::INFINITY);
                best = Some((epoch, value, steps.snapshot()));
            }
            if let (Some(state), Some(rule)) = (plateau.as_mut(), &options.reduce_lr_on_plateau)
                && let Some(rate) = state.update(rule, record.val_loss, options.learning_rate)
            {
                steps.scale_learning_rate(state.scale);
                print_epoch_line(
                    self.verbosity,
                    None,
                    // As Keras prints it: the rate as the optimizer holds it, a 32-bit float.
                    format!(
                        "Epoch {epoch}: ReduceLROnPlateau reducing learning rate to {}.",
                        rate as f32
                    ),
                );
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
            let position = Position {
                epoch,
                order: &order,
                rng: &rng,
                plateau,
            };
            self.write_state(&steps, position, &best, &history, &diagnostics)?;
            if stop_after_epoch() == Some(epoch) {
                crate::interrupt::interrupter().stop(Some(STOP_AFTER_EPOCH));
            }
            if options.patience.is_some_and(|p| epoch - best_epoch >= p) {
                break;
            }
        }
        if interrupted && history.epochs.is_empty() {
            return Err(TrainError::Interrupted);
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
            interrupted,
        })
    }

    /// Writes [`ResumeState`] and the optimizer's state for the epoch that just ended.
    fn write_state<S: Steps>(
        &self,
        steps: &S,
        position: Position,
        best: &Option<(usize, f64, S::Snapshot)>,
        history: &History,
        diagnostics: &[EpochDiagnostics],
    ) -> Result<(), TrainError> {
        let Position {
            epoch,
            order,
            rng,
            plateau,
        } = position;
        let dir = self.work_dir.join(crate::publish::CHECKPOINT_DIR);
        write_atomic(&dir.join(OPTIMIZER_STATE_FILE), &steps.optimizer_state()?)?;
        let state = ResumeState {
            engine: self.engine.to_string(),
            epoch,
            best: best.as_ref().map(|(epoch, loss, _)| (*epoch, *loss)),
            history: history.clone(),
            diagnostics: diagnostics.to_vec(),
            order: order.to_vec(),
            rng_seed: rng.get_seed().iter().map(|b| format!("{b:02x}")).collect(),
            rng_word_pos: rng.get_word_pos().to_string(),
            plateau,
        };
        write_json(&dir.join(RESUME_FILE), &state)?;
        crate::publish::fault_point("checkpoint");
        Ok(())
    }

    /// Reads the [`ResumeState`] of `work_dir`, checked against this fit.
    fn read_state(&self) -> Result<ResumeState, TrainError> {
        let path = self.work_dir.join("checkpoint").join(RESUME_FILE);
        let refuse = |reason: String| TrainError::Record {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => refuse(
                "not found: this run has nothing to resume (it was written before runs could be resumed, or its checkpoints were removed)".into(),
            ),
            _ => TrainError::io(&path, e),
        })?;
        let state: ResumeState =
            serde_json::from_str(&text).map_err(|e| refuse(format!("malformed ({e})")))?;
        if state.engine != self.engine {
            return Err(refuse(format!(
                "the run trained on the {} engine but would resume on the {} engine; resume it with the build (backend) it was trained with",
                state.engine, self.engine
            )));
        }
        if state.epoch >= self.options.epochs {
            return Err(refuse(format!(
                "the run already has {} epochs; ask for more to continue it (--epochs N)",
                state.epoch
            )));
        }
        if state.order.len() != self.split.train.len() {
            return Err(refuse(format!(
                "the run trained on {} rows but the data now has {} training rows: it changed since; restore that data (--data-dir) or train a new run",
                state.order.len(),
                self.split.train.len()
            )));
        }
        Ok(state)
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
            .zip(self.activations)
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

impl ResumeState {
    /// The generator as it was after the last epoch.
    fn generator(&self, dir: &Path) -> Result<ChaCha12Rng, TrainError> {
        let bad = || TrainError::Record {
            path: dir.join(RESUME_FILE),
            reason: "malformed generator state; the run cannot be resumed, train a new one".into(),
        };
        let bytes: Vec<u8> = (0..self.rng_seed.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(self.rng_seed.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
        let mut rng = ChaCha12Rng::from_seed(seed);
        rng.set_word_pos(self.rng_word_pos.parse().map_err(|_| bad())?);
        Ok(rng)
    }
}

/// Removes what an earlier fit left in the checkpoint directory `dir`: its `model-N.bpk`
/// checkpoints, its resume state and the temporary files of its writes. Anything else there is
/// not Kindling's and stays, and so does the directory then.
pub(crate) fn clear_checkpoints(dir: &Path) -> Result<(), TrainError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(TrainError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(dir, e))?;
        let ours = crate::publish::is_checkpoint_file(&entry.file_name().to_string_lossy());
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path()).map_err(|e| TrainError::io(entry.path(), e))?;
        }
    }
    // Only an empty directory goes.
    let _ = std::fs::remove_dir(dir);
    Ok(())
}

/// The environment variable that, set to an epoch number, interrupts a fit once that epoch has
/// ended, as a signal would: how the tests stop a fit at a known point.
pub const STOP_AFTER_EPOCH: &str = "KINDLING_TEST_STOP_AFTER_EPOCH";

/// The epoch [`STOP_AFTER_EPOCH`] names, if it is set.
fn stop_after_epoch() -> Option<usize> {
    std::env::var(STOP_AFTER_EPOCH).ok()?.parse().ok()
}

/// The checkpoint file of `epoch` in `work_dir`.
pub(crate) fn checkpoint_path(work_dir: &Path, epoch: usize) -> PathBuf {
    work_dir
        .join(crate::publish::CHECKPOINT_DIR)
        .join(format!("model-{epoch}.bpk"))
}
