//! What a training loop drives: an epoch of training steps and a validation pass, each
//! compiled for the CPU's vector instructions.

use crate::network::{Inputs, Network, Targets, Workspace};
use crate::optimizer::Optimizer;
use crate::sparse::SparseRows;
use kindling_models::{DenseStack, DenseStackConfig};
use rand_chacha::ChaCha12Rng;

/// Inputs with fewer nonzero entries than this fraction are multiplied sparsely.
const SPARSE_DENSITY: f64 = 0.5;

/// Validation rows scored per forward pass.
const VALID_CHUNK: usize = 1024;

/// A data set as the engine reads it: row-major features, stored by their nonzero entries
/// when most are zero, and class labels or target values.
pub struct FusedData<'a> {
    features: &'a [f32],
    sparse: Option<SparseRows>,
    targets: Targets<'a>,
}

impl<'a> FusedData<'a> {
    /// Rows of `width` features labelled with classes.
    pub fn classified(features: &'a [f32], width: usize, labels: &'a [u32]) -> Self {
        Self::new(features, width, Targets::Classes(labels))
    }

    /// Rows of `width` features with target values (as many per row as the network outputs).
    pub fn valued(features: &'a [f32], width: usize, values: &'a [f32]) -> Self {
        Self::new(features, width, Targets::Values(values))
    }

    fn new(features: &'a [f32], width: usize, targets: Targets<'a>) -> Self {
        let nonzero = features.iter().filter(|&&v| v != 0.0).count();
        let sparse = ((nonzero as f64) < SPARSE_DENSITY * features.len() as f64)
            .then(|| SparseRows::from_dense(features, width));
        Self {
            features,
            sparse,
            targets,
        }
    }

    fn inputs(&self) -> Inputs<'_> {
        match &self.sparse {
            Some(sparse) => Inputs::Sparse(sparse),
            None => Inputs::Dense(self.features),
        }
    }
}

/// Example-weighted sums over a pass, and what diagnostics collected.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PassTotals {
    /// Σ batch mean loss × batch examples.
    pub loss: f64,
    /// Correctly classified examples (classifiers).
    pub correct: usize,
    /// Examples seen.
    pub examples: usize,
    /// Training, when diagnosing: per layer, the sum over steps of the L2 norm of the loss
    /// gradient with respect to the layer's weights.
    pub grad_norm_sums: Option<Vec<f64>>,
    /// Validation, when diagnosing: per hidden layer and unit, whether it output anything above
    /// zero for any row.
    pub alive: Option<Vec<Vec<bool>>>,
    /// Validation: the output layer's values for each row, row-major in the order of the rows
    /// (a classifier's logits, a regressor's predictions).
    pub outputs: Vec<f32>,
}

/// A network in training: its weights, its optimizer's state and its scratch buffers.
pub struct FusedTrainer {
    net: Network,
    optimizer: Optimizer,
    ws: Workspace,
}

impl FusedTrainer {
    /// Starts from the weights of `initial`, built from `config`, updated by `optimizer`.
    pub fn new(initial: &DenseStack, config: &DenseStackConfig, optimizer: Optimizer) -> Self {
        let net = Network::from_module(initial, config);
        Self {
            ws: net.workspace(),
            net,
            optimizer,
        }
    }

    /// The current weights.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Continues from `net` (weights saved at the end of an epoch) with the optimizer state
    /// [`FusedTrainer::optimizer`] had then.
    pub fn restore(&mut self, net: Network, optimizer: &[u8]) -> Result<(), String> {
        self.optimizer.restore_state(optimizer)?;
        self.net = net;
        Ok(())
    }

    /// The optimizer, whose state [`Optimizer::state_bytes`] saves.
    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    /// The optimizer, to change its learning rate.
    pub fn optimizer_mut(&mut self) -> &mut Optimizer {
        &mut self.optimizer
    }

    /// One training step per batch of row indices of `data`, in order; dropout masks are drawn
    /// from `rng`, and `on_batch` hears of each batch's examples as it finishes and returns
    /// whether to go on (the pass stops after a batch it answers `false` to).
    pub fn train_epoch(
        &mut self,
        data: &FusedData,
        batches: &[&[usize]],
        rng: &mut ChaCha12Rng,
        on_batch: impl FnMut(usize) -> bool,
        diagnose: bool,
    ) -> PassTotals {
        dispatch(TrainPass {
            net: &mut self.net,
            optimizer: &mut self.optimizer,
            ws: &mut self.ws,
            rng,
            inputs: data.inputs(),
            targets: &data.targets,
            batches,
            on_batch,
            diagnose,
        })
    }

    /// Scores the current weights on `rows` of `data`; `on_chunk` hears of each chunk scored.
    pub fn validate(
        &mut self,
        data: &FusedData,
        rows: &[usize],
        on_chunk: impl FnMut(usize),
        diagnose: bool,
    ) -> PassTotals {
        dispatch(ValidationPass {
            net: &self.net,
            ws: &mut self.ws,
            inputs: data.inputs(),
            targets: &data.targets,
            rows,
            on_chunk,
            diagnose,
        })
    }
}

/// Runs `pass` compiled for the best vector instructions this CPU has, chosen at run time. On
/// x86-64 that is AVX2/FMA (pulp's V3) even if another crate turns on pulp's AVX-512 level:
/// the sparse products pad weight rows for 8-lane vectors (see `sparse::ROW_ALIGN`), and
/// AVX-512 measured slower for these narrow layers.
pub fn dispatch<Pass: pulp::WithSimd>(pass: Pass) -> Pass::Output {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        return pulp::Simd::vectorize(simd, pass);
    }
    pulp::Arch::new().dispatch(pass)
}

/// One epoch of training steps.
struct TrainPass<'a, 'b, F> {
    net: &'a mut Network,
    optimizer: &'a mut Optimizer,
    ws: &'a mut Workspace,
    rng: &'a mut ChaCha12Rng,
    inputs: Inputs<'b>,
    targets: &'a Targets<'b>,
    batches: &'a [&'a [usize]],
    on_batch: F,
    diagnose: bool,
}

impl<F: FnMut(usize) -> bool> pulp::WithSimd for TrainPass<'_, '_, F> {
    type Output = PassTotals;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(mut self, simd: S) -> PassTotals {
        let mut totals = PassTotals::default();
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
            totals.loss += score.loss * batch.len() as f64;
            totals.correct += score.correct;
            totals.examples += batch.len();
            if !(self.on_batch)(batch.len()) {
                break;
            }
        }
        totals.grad_norm_sums = self.diagnose.then_some(grad_norm_sums);
        totals
    }
}

/// Scoring the validation rows.
struct ValidationPass<'a, 'b, F> {
    net: &'a Network,
    ws: &'a mut Workspace,
    inputs: Inputs<'b>,
    targets: &'a Targets<'b>,
    rows: &'a [usize],
    on_chunk: F,
    diagnose: bool,
}

impl<F: FnMut(usize)> pulp::WithSimd for ValidationPass<'_, '_, F> {
    type Output = PassTotals;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(mut self, simd: S) -> PassTotals {
        let mut totals = PassTotals::default();
        let hidden = &self.net.layers[..self.net.layers.len() - 1];
        let mut alive: Vec<Vec<bool>> = hidden.iter().map(|l| vec![false; l.outputs]).collect();
        for chunk in self.rows.chunks(VALID_CHUNK) {
            let score = self
                .net
                .evaluate(simd, self.inputs, self.targets, chunk, self.ws);
            totals.loss += score.loss * chunk.len() as f64;
            totals.correct += score.correct;
            totals.examples += chunk.len();
            let last = self.net.layers.len() - 1;
            totals.outputs.extend_from_slice(self.ws.layer_output(last));
            (self.on_chunk)(chunk.len());
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
