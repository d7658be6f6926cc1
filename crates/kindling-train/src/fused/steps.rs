//! The fused engine's steps for the one epoch loop ([`crate::epoch_loop`]): training steps and
//! validation scores over plain buffers, compiled for the CPU's vector instructions.

use super::network::{Inputs, Network, Targets, Workspace};
use super::optimizer::Optimizer;
use super::sparse::SparseRows;
use crate::epoch_loop::{BatchProgress, EpochLoop, LoopOutcome, Steps, Totals};
use crate::error::TrainError;
use crate::run_dir::save_weights;
use burn::prelude::*;
use kindling_data::Rows;
use kindling_models::DenseStack;
use rand::rngs::StdRng;
use std::path::Path;

/// Inputs with fewer nonzero entries than this fraction are multiplied sparsely.
const SPARSE_DENSITY: f64 = 0.5;

/// Validation rows scored per forward pass.
const VALID_CHUNK: usize = 1024;

/// Runs `epochs` on the fused engine from the weights of `initial`; `wrap` turns the trained
/// stack into the model type the fit returns and its checkpoints hold.
pub(crate) fn run<M: Module>(
    epochs: &EpochLoop,
    initial: &DenseStack,
    rows: &Rows,
    device: &Device,
    wrap: impl Fn(DenseStack) -> M,
) -> Result<LoopOutcome<M>, TrainError> {
    let config = epochs.config;
    let net = Network::from_module(initial, config);
    let features = rows.all_features();
    let nonzero = features.iter().filter(|&&v| v != 0.0).count();
    let sparse = ((nonzero as f64) < SPARSE_DENSITY * features.len() as f64)
        .then(|| SparseRows::from_dense(features, rows.width()));
    let inputs = match &sparse {
        Some(sparse) => Inputs::Sparse(sparse),
        None => Inputs::Dense(features),
    };
    // `fit.rs` has checked that the rows carry the targets the model is fitted to.
    let targets = match (rows.labels(), rows.values()) {
        (Some(labels), _) => Targets::Classes(labels),
        (None, Some((values, _))) => Targets::Values(values),
        (None, None) => {
            return Err(TrainError::InvalidOption {
                name: "rows",
                value: "without targets".into(),
                reason: "give the rows class labels or target values".into(),
            });
        }
    };
    let steps = FusedSteps {
        optimizer: Optimizer::new(
            epochs.options.optimizer,
            epochs.options.learning_rate,
            &net.layers,
        ),
        ws: net.workspace(),
        net,
        inputs,
        targets,
        // The module the weights are written into (its own initial values are replaced).
        template: config.try_init(device)?,
        device,
        wrap,
    };
    epochs.run(steps)
}

/// The fused engine's state during a fit.
struct FusedSteps<'a, W> {
    net: Network,
    optimizer: Optimizer,
    ws: Workspace,
    inputs: Inputs<'a>,
    targets: Targets<'a>,
    template: DenseStack,
    device: &'a Device,
    wrap: W,
}

impl<M: Module, W: Fn(DenseStack) -> M> Steps for FusedSteps<'_, W> {
    type Model = M;
    type Snapshot = Network;

    fn train_epoch(
        &mut self,
        batches: &[&[usize]],
        rng: &mut StdRng,
        progress: &BatchProgress,
        diagnose: bool,
    ) -> Result<Totals, TrainError> {
        // `dispatch` compiles the pass (everything inlined into it) for the best vector
        // instructions this CPU has, chosen at run time.
        Ok(dispatch(TrainPass {
            net: &mut self.net,
            optimizer: &mut self.optimizer,
            ws: &mut self.ws,
            rng,
            inputs: self.inputs,
            targets: &self.targets,
            batches,
            progress,
            diagnose,
        }))
    }

    fn validate(&mut self, rows: &[usize], diagnose: bool) -> Result<Totals, TrainError> {
        Ok(dispatch(ValidationPass {
            net: &self.net,
            ws: &mut self.ws,
            inputs: self.inputs,
            targets: &self.targets,
            rows,
            diagnose,
        }))
    }

    fn snapshot(&self) -> Network {
        self.net.clone()
    }

    fn save(&self, path: &Path) -> Result<(), TrainError> {
        let model = (self.wrap)(self.net.load_into(self.template.clone(), self.device));
        save_weights(&model, path).map(drop)
    }

    fn finish(self, snapshot: Option<Network>) -> Result<M, TrainError> {
        let net = snapshot.unwrap_or(self.net);
        Ok((self.wrap)(net.load_into(self.template, self.device)))
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

/// One epoch of training steps.
struct TrainPass<'a, 'b> {
    net: &'a mut Network,
    optimizer: &'a mut Optimizer,
    ws: &'a mut Workspace,
    rng: &'a mut StdRng,
    inputs: Inputs<'b>,
    targets: &'a Targets<'b>,
    batches: &'a [&'a [usize]],
    progress: &'a BatchProgress,
    diagnose: bool,
}

impl pulp::WithSimd for TrainPass<'_, '_> {
    type Output = Totals;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> Totals {
        let mut totals = Totals::default();
        let mut grad_norm_sums = vec![0.0; self.net.layers.len()];
        for batch in self.batches {
            let score =
                self.net
                    .gradient(simd, self.inputs, self.targets, batch, self.ws, self.rng);
            if self.diagnose {
                for (sum, grad) in grad_norm_sums.iter_mut().zip(&self.ws.grads) {
                    *sum += grad
                        .weight
                        .iter()
                        .map(|&g| (g * g) as f64)
                        .sum::<f64>()
                        .sqrt();
                }
            }
            self.optimizer.step(&mut self.net.layers, &self.ws.grads);
            totals.add(score.loss, score.correct, batch.len());
            self.progress.advance(batch.len());
        }
        totals.grad_norm_sums = self.diagnose.then_some(grad_norm_sums);
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
    diagnose: bool,
}

impl pulp::WithSimd for ValidationPass<'_, '_> {
    type Output = Totals;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> Totals {
        let mut totals = Totals::default();
        let hidden = &self.net.layers[..self.net.layers.len() - 1];
        let mut alive: Vec<Vec<bool>> = hidden.iter().map(|l| vec![false; l.outputs]).collect();
        for chunk in self.rows.chunks(VALID_CHUNK) {
            let score = self
                .net
                .evaluate(simd, self.inputs, self.targets, chunk, self.ws);
            totals.add(score.loss, score.correct, chunk.len());
            crate::progress::tick();
            if self.diagnose {
                for (layer, units) in alive.iter_mut().enumerate() {
                    let width = units.len();
                    for row in self.ws.layer_output(layer).chunks_exact(width) {
                        units.iter_mut().zip(row).for_each(|(a, &v)| *a |= v > 0.0);
                    }
                }
            }
        }
        totals.alive = self.diagnose.then_some(alive);
        totals
    }
}
