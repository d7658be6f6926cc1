//! The fused engine's fit loop: epochs, per-epoch reshuffling, validation, early stopping,
//! checkpoints and the epoch lines, with the semantics of the Learner path in `fit.rs`.

use super::network::{BatchScore, Inputs, Network, Targets, Workspace};
use super::optimizer::Optimizer;
use super::sparse::SparseRows;
use crate::diagnostics::EpochDiagnostics;
use crate::divergence::find_divergence;
use crate::error::TrainError;
use crate::fit::checkpoint_path;
use crate::history::{EpochRecord, History};
use crate::options::FitOptions;
use crate::reporter::{Verbosity, epoch_bar, print_epoch_line};
use crate::run_dir::save_weights;
use burn::prelude::*;
use indicatif::ProgressBar;
use kindling_data::Rows;
use kindling_data::split::ValidationSplit;
use kindling_models::{DenseStack, DenseStackConfig};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Inputs with fewer nonzero entries than this fraction are multiplied sparsely.
const SPARSE_DENSITY: f64 = 0.5;

/// Validation rows scored per forward pass.
const VALID_CHUNK: usize = 1024;

/// What the loop hands back to `fit.rs`.
pub(crate) struct FusedOutcome<M> {
    pub(crate) model: M,
    pub(crate) history: History,
    pub(crate) best_epoch: usize,
    /// Per-epoch diagnostics, when the options ask for them.
    pub(crate) diagnostics: Option<Vec<EpochDiagnostics>>,
}

/// Everything a fused fit needs.
pub(crate) struct FusedFit<'a> {
    pub(crate) config: &'a DenseStackConfig,
    /// The seeded initial weights (on any device).
    pub(crate) initial: &'a DenseStack,
    pub(crate) rows: &'a Rows,
    pub(crate) split: &'a ValidationSplit,
    pub(crate) options: &'a FitOptions,
    pub(crate) device: &'a Device,
    pub(crate) work_dir: &'a Path,
    pub(crate) verbosity: Verbosity,
    /// The loss of a naive guess, the yardstick of divergence (see [`find_divergence`]).
    pub(crate) guess_loss: f64,
    /// Whether a diverged fit stops at once (else it runs on, as Keras does).
    pub(crate) stop_on_divergence: bool,
}

impl FusedFit<'_> {
    /// Trains and returns the best epoch's weights wrapped by `wrap` (the model type the
    /// checkpoints are saved as).
    pub(crate) fn run<M: Module>(
        &self,
        wrap: impl Fn(DenseStack) -> M,
    ) -> Result<FusedOutcome<M>, TrainError> {
        let options = self.options;
        let mut net = Network::from_module(self.initial, self.config);
        // The module the weights are written into (its own initial values are replaced).
        let initial = self.config.try_init(self.device)?;
        let features = self.rows.all_features();
        let nonzero = features.iter().filter(|&&v| v != 0.0).count();
        let sparse = ((nonzero as f64) < SPARSE_DENSITY * features.len() as f64)
            .then(|| SparseRows::from_dense(features, self.rows.width()));
        let inputs = match &sparse {
            Some(sparse) => Inputs::Sparse(sparse),
            None => Inputs::Dense(features),
        };
        // `fit.rs` has checked that the rows carry the targets the model is fitted to.
        let (targets, classifier) = match (self.rows.labels(), self.rows.values()) {
            (Some(labels), _) => (Targets::Classes(labels), true),
            (None, Some((values, _))) => (Targets::Values(values), false),
            (None, None) => {
                return Err(TrainError::InvalidOption {
                    name: "rows",
                    value: "without targets".into(),
                    reason: "give the rows class labels or target values".into(),
                });
            }
        };
        let mut optimizer = Optimizer::new(options.optimizer, options.learning_rate, &net.layers);
        let mut rng = StdRng::seed_from_u64(options.seed);
        let mut ws = net.workspace();
        let mut order: Vec<usize> = self.split.train.clone().collect();
        let valid: Vec<usize> = self.split.valid.clone().collect();
        let batch_size = options.batch_size.min(order.len()).max(1);
        let checkpoint_dir = self.work_dir.join("checkpoint");
        std::fs::create_dir_all(&checkpoint_dir).map_err(|e| TrainError::io(&checkpoint_dir, e))?;

        let mut diagnostics = Vec::new();
        let mut history = History::default();
        let mut best: Option<(usize, f64, Network)> = None;
        let mut kept: Vec<PathBuf> = Vec::new();
        for epoch in 1..=options.epochs {
            let start = Instant::now();
            order.shuffle(&mut rng);
            let bar = self
                .verbosity
                .shows_bar()
                .then(|| epoch_bar(epoch, options.epochs, "train", order.len()));
            // `dispatch` compiles each pass (everything inlined into it) for the best vector
            // instructions this CPU has, chosen at run time.
            let mut grad_norm_sums = vec![0.0; net.layers.len()];
            let hidden = &net.layers[..net.layers.len() - 1];
            let mut alive: Vec<Vec<bool>> = hidden.iter().map(|l| vec![false; l.outputs]).collect();
            let diagnose = options.diagnostics;
            let train = dispatch(TrainPass {
                net: &mut net,
                optimizer: &mut optimizer,
                ws: &mut ws,
                rng: &mut rng,
                inputs,
                targets: &targets,
                order: &order,
                batch_size,
                bar: bar.as_ref(),
                grad_norm_sums: diagnose.then_some(&mut grad_norm_sums),
            });
            let train_seconds = start.elapsed().as_secs_f64();
            let validation = dispatch(ValidationPass {
                net: &net,
                ws: &mut ws,
                inputs,
                targets: &targets,
                rows: &valid,
                alive: diagnose.then_some(&mut alive),
            });
            if diagnose {
                let steps = order.len().div_ceil(batch_size).max(1) as f64;
                diagnostics.push(EpochDiagnostics {
                    epoch,
                    grad_norms: grad_norm_sums.iter().map(|s| s / steps).collect(),
                    dead_fractions: alive
                        .iter()
                        .enumerate()
                        .map(|(layer, units)| {
                            net.is_relu(layer).then(|| {
                                units.iter().filter(|a| !**a).count() as f64 / units.len() as f64
                            })
                        })
                        .collect(),
                });
            }
            let record = EpochRecord {
                epoch,
                seconds: start.elapsed().as_secs_f64(),
                train_seconds,
                loss: train.loss(),
                accuracy: classifier.then(|| train.accuracy()),
                val_loss: validation.loss(),
                val_accuracy: classifier.then(|| validation.accuracy()),
            };
            print_epoch_line(
                self.verbosity,
                bar.as_ref(),
                record.keras_line(options.epochs),
            );
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let diverged =
                find_divergence(std::slice::from_ref(&record), self.guess_loss).is_some();
            let improved = best
                .as_ref()
                .is_none_or(|(_, loss, _)| record.val_loss < *loss);
            if improved && record.val_loss.is_finite() {
                best = Some((epoch, record.val_loss, net.clone()));
            }
            history.epochs.push(record);
            if diverged && self.stop_on_divergence {
                break;
            }
            // A checkpoint per epoch; the best and the latest are kept.
            let checkpoint = checkpoint_path(self.work_dir, epoch);
            save_weights(
                &wrap(net.load_into(initial.clone(), self.device)),
                &checkpoint,
            )?;
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
        // Without a finite validation loss (a diverged fit), the last epoch stands in.
        let last_epoch = history.epochs.len();
        let (best_epoch, _, best_net) = best.unwrap_or((last_epoch, f64::NAN, net));
        Ok(FusedOutcome {
            model: wrap(best_net.load_into(initial, self.device)),
            history,
            best_epoch,
            diagnostics: options.diagnostics.then_some(diagnostics),
        })
    }
}

/// Runs `pass` compiled for the best vector instructions this CPU has, chosen at run time. On
/// x86-64 that is AVX2/FMA (pulp's V3) even if another crate turns on pulp's AVX-512 level:
/// the sparse products pad weight rows for 8-lane vectors (see `sparse::ROW_ALIGN`), and
/// AVX-512 measured slower for these narrow layers.
pub(crate) fn dispatch<Pass: pulp::WithSimd>(pass: Pass) -> Pass::Output {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        return pulp::Simd::vectorize(simd, pass);
    }
    pulp::Arch::new().dispatch(pass)
}

/// One epoch of training steps over `order`.
struct TrainPass<'a, 'b> {
    net: &'a mut Network,
    optimizer: &'a mut Optimizer,
    ws: &'a mut Workspace,
    rng: &'a mut StdRng,
    inputs: Inputs<'b>,
    targets: &'a Targets<'b>,
    order: &'a [usize],
    batch_size: usize,
    bar: Option<&'a ProgressBar>,
    /// Per layer, the sum over steps of the weight gradient's norm, when diagnosing.
    grad_norm_sums: Option<&'a mut Vec<f64>>,
}

impl pulp::WithSimd for TrainPass<'_, '_> {
    type Output = Totals;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(mut self, simd: S) -> Totals {
        let mut totals = Totals::default();
        for batch in self.order.chunks(self.batch_size) {
            let score =
                self.net
                    .gradient(simd, self.inputs, self.targets, batch, self.ws, self.rng);
            if let Some(sums) = self.grad_norm_sums.as_deref_mut() {
                for (sum, grad) in sums.iter_mut().zip(&self.ws.grads) {
                    *sum += grad
                        .weight
                        .iter()
                        .map(|&g| (g * g) as f64)
                        .sum::<f64>()
                        .sqrt();
                }
            }
            self.optimizer.step(&mut self.net.layers, &self.ws.grads);
            totals.add(score, batch.len());
            crate::progress::tick();
            if let Some(bar) = self.bar {
                bar.inc(batch.len() as u64);
            }
        }
        totals
    }
}

/// Scoring the validation rows.
struct ValidationPass<'a, 'b> {
    net: &'a Network,
    ws: &'a mut Workspace,
    inputs: Inputs<'b>,
    targets: &'a Targets<'b>,
    rows: &'a [usize],
    /// Per hidden layer and unit, whether it output anything above zero, when diagnosing.
    alive: Option<&'a mut Vec<Vec<bool>>>,
}

impl pulp::WithSimd for ValidationPass<'_, '_> {
    type Output = Totals;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(mut self, simd: S) -> Totals {
        let mut totals = Totals::default();
        for chunk in self.rows.chunks(VALID_CHUNK) {
            let score = self
                .net
                .evaluate(simd, self.inputs, self.targets, chunk, self.ws);
            totals.add(score, chunk.len());
            crate::progress::tick();
            if let Some(alive) = self.alive.as_deref_mut() {
                for (layer, units) in alive.iter_mut().enumerate() {
                    let width = units.len();
                    for row in self.ws.layer_output(layer).chunks_exact(width) {
                        units.iter_mut().zip(row).for_each(|(a, &v)| *a |= v > 0.0);
                    }
                }
            }
        }
        totals
    }
}

/// Example-weighted sums over an epoch's batches.
#[derive(Debug, Default)]
struct Totals {
    loss: f64,
    correct: usize,
    examples: usize,
}

impl Totals {
    #[inline(always)]
    fn add(&mut self, score: BatchScore, examples: usize) {
        self.loss += score.loss * examples as f64;
        self.correct += score.correct;
        self.examples += examples;
    }

    fn loss(&self) -> f64 {
        self.loss / self.examples.max(1) as f64
    }

    fn accuracy(&self) -> f64 {
        self.correct as f64 / self.examples.max(1) as f64
    }
}
