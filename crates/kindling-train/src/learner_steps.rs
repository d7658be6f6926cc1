//! The autodiff engine's steps for the one epoch loop ([`crate::epoch_loop`]): each training
//! step as burn-train's `Learner` runs it (the model's `TrainStep`, Burn's learning-rate
//! scheduler, then Burn's optimizer through `TrainStep::optimize`), on any backend. The model,
//! optimizer and learning rates are held here rather than inside a `Learner` because the `Learner`
//! does not hand its optimizer's state back, and a fit saves it at each epoch to resume from.
//!
//! Losses, correct counts and diagnostics are summed on the device and read once per epoch,
//! so a GPU is not made to wait for a read after every batch.

use crate::batcher::{ClassificationBatcher, RegressionBatcher};
use crate::epoch_loop::{BatchProgress, Steps, Totals};
use crate::error::TrainError;
use crate::run_dir::{load_record_into, save_weights, with_sequential_ids};
use crate::schedule::LearningRates;
use burn::optim::{GradientsParams, ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;
use burn::train::{ClassificationOutput, LearnerModel, RegressionOutput, TrainStep};
use kindling_data::Rows;
use kindling_models::{ClassificationBatch, ConvNet, DenseStack, RegressionBatch, RegressionMlp};
use rand_chacha::ChaCha12Rng;
use std::path::Path;
use std::sync::Arc;

/// Validation rows scored per forward pass.
const VALID_CHUNK: usize = 1024;

/// A model the autodiff engine fits: how its batches are built and its outputs scored.
pub trait Supervised: LearnerModel {
    /// Builds batches from row indices.
    type Batcher;

    /// Whether the model classifies (softmax head, class labels) or regresses (linear head,
    /// target values).
    const CLASSIFIER: bool;

    /// The batcher over `rows` (whose targets the fit has checked fit the model).
    fn batcher(rows: Arc<Rows>) -> Self::Batcher;

    /// The inputs of `batch`, `[examples, features]`.
    fn inputs(batch: &Batch<Self>) -> Tensor<2>;

    /// The batch of `rows`, on `device`.
    fn batch(batcher: &Self::Batcher, rows: &[usize], device: &Device) -> Batch<Self>;

    /// The outputs and loss of `batch` without a backward pass.
    fn evaluate(&self, batch: Batch<Self>) -> Output<Self>;

    /// What the model predicts in `output`: class probabilities for a classifier, values for a
    /// regressor, `[examples, outputs]`.
    fn predictions(output: &Output<Self>) -> Tensor<2>;

    /// The step's mean loss and, for a classifier, its count of right answers (on the plain
    /// device: no autodiff graph is kept alive by the sums).
    fn score(output: Output<Self>) -> (Tensor<1>, Option<Tensor<1, Int>>);

    /// The dense stack inside, where the model is one (the diagnostics read its layers).
    fn stack(&self) -> Option<&DenseStack>;
}

/// A model around a dense stack, which the fused engine also trains.
pub trait DenseModel: Supervised {
    /// The model around a bare stack.
    fn from_stack(stack: DenseStack) -> Self;
}

/// A training batch of `M`.
pub type Batch<M> = <M as TrainStep>::Input;
/// What a training step of `M` outputs.
pub type Output<M> = <M as TrainStep>::Output;

impl DenseModel for DenseStack {
    fn from_stack(stack: DenseStack) -> Self {
        stack
    }
}

impl DenseModel for RegressionMlp {
    fn from_stack(stack: DenseStack) -> Self {
        RegressionMlp::new(stack)
    }
}

/// A classifier's batches and scores, the same for every classifier.
macro_rules! classifier_batches {
    () => {
        type Batcher = ClassificationBatcher;
        const CLASSIFIER: bool = true;

        fn batcher(rows: Arc<Rows>) -> ClassificationBatcher {
            ClassificationBatcher::new(rows)
        }

        fn inputs(batch: &ClassificationBatch) -> Tensor<2> {
            batch.inputs.clone()
        }

        fn batch(
            batcher: &ClassificationBatcher,
            rows: &[usize],
            device: &Device,
        ) -> ClassificationBatch {
            batcher.gather(rows, device)
        }

        fn evaluate(&self, batch: ClassificationBatch) -> ClassificationOutput {
            self.forward_classification(batch)
        }

        fn predictions(output: &ClassificationOutput) -> Tensor<2> {
            burn::tensor::activation::softmax(output.output.clone(), 1)
        }

        fn score(output: ClassificationOutput) -> (Tensor<1>, Option<Tensor<1, Int>>) {
            let [n, _] = output.output.dims();
            let predicted = output.output.inner().argmax(1).reshape([n]);
            let correct = predicted.equal(output.targets.inner()).int().sum();
            (output.loss.inner(), Some(correct))
        }
    };
}

impl Supervised for ConvNet {
    classifier_batches!();

    fn stack(&self) -> Option<&DenseStack> {
        None
    }
}

impl Supervised for DenseStack {
    classifier_batches!();

    fn stack(&self) -> Option<&DenseStack> {
        Some(self)
    }
}

impl Supervised for RegressionMlp {
    type Batcher = RegressionBatcher;
    const CLASSIFIER: bool = false;

    fn batcher(rows: Arc<Rows>) -> RegressionBatcher {
        RegressionBatcher::new(rows)
    }

    fn inputs(batch: &RegressionBatch) -> Tensor<2> {
        batch.inputs.clone()
    }

    fn batch(batcher: &RegressionBatcher, rows: &[usize], device: &Device) -> RegressionBatch {
        batcher.gather(rows, device)
    }

    fn evaluate(&self, batch: RegressionBatch) -> RegressionOutput {
        self.forward_regression(batch)
    }

    fn predictions(output: &RegressionOutput) -> Tensor<2> {
        output.output.clone()
    }

    fn score(output: RegressionOutput) -> (Tensor<1>, Option<Tensor<1, Int>>) {
        (output.loss.inner(), None)
    }

    fn stack(&self) -> Option<&DenseStack> {
        Some(&self.net)
    }
}

/// The autodiff engine's state during a fit.
pub(crate) struct LearnerSteps<M: Supervised> {
    /// The model, on the autodiff device; its parameters carry the ids 0, 1, 2, … (see
    /// [`crate::run_dir::with_sequential_ids`]), which the optimizer's state is keyed by.
    pub(crate) model: M,
    pub(crate) optim: ModuleOptimizer,
    pub(crate) lr: LearningRates,
    pub(crate) batcher: M::Batcher,
    /// The autodiff device training batches go to.
    pub(crate) autodiff: Device,
    /// The plain device validation runs on.
    pub(crate) device: Device,
}

/// Sums of tensors kept on the device until the epoch ends.
#[derive(Default)]
struct DeviceSums {
    loss: Option<Tensor<1>>,
    correct: Option<Tensor<1, Int>>,
    examples: usize,
}

impl DeviceSums {
    fn add(&mut self, (loss, correct): (Tensor<1>, Option<Tensor<1, Int>>), examples: usize) {
        accumulate(&mut self.loss, loss * examples as f64);
        if let Some(correct) = correct {
            accumulate(&mut self.correct, correct);
        }
        self.examples += examples;
    }

    /// The totals, read from the device.
    fn read(self) -> Totals {
        Totals {
            loss: self.loss.map_or(0.0, |l| l.into_scalar::<f64>()),
            correct: self.correct.map_or(0, |c| c.into_scalar::<i64>() as usize),
            examples: self.examples,
            ..Totals::default()
        }
    }
}

/// Adds `value` to an optional running sum.
fn accumulate<T: std::ops::Add<Output = T>>(sum: &mut Option<T>, value: T) {
    *sum = Some(match sum.take() {
        Some(sum) => sum + value,
        None => value,
    });
}

impl<M: Supervised> LearnerSteps<M> {
    /// Per layer of a dense model, the L2 norm of the weight gradient in `grads`.
    fn grad_norms(&self, grads: &GradientsParams) -> Vec<Tensor<1>> {
        let Some(stack) = self.model.stack() else {
            return Vec::new();
        };
        stack
            .layers
            .iter()
            .map(|layer| match grads.get::<2>(layer.weight.id) {
                Some(grad) => grad.powi_scalar(2).sum().sqrt(),
                None => Tensor::zeros([1], &self.device),
            })
            .collect()
    }
}

impl<M: Supervised> Steps for LearnerSteps<M> {
    type Model = M;
    type Snapshot = M;

    fn train_epoch(
        &mut self,
        batches: &[&[usize]],
        _rng: &mut ChaCha12Rng,
        progress: &BatchProgress,
        diagnose: bool,
    ) -> Result<Totals, TrainError> {
        let mut sums = DeviceSums::default();
        let mut norm_sums: Vec<Option<Tensor<1>>> = Vec::new();
        for rows in batches {
            let batch = M::batch(&self.batcher, rows, &self.autodiff);
            let output = TrainStep::step(&self.model, batch);
            if diagnose {
                let norms = self.grad_norms(&output.grads);
                norm_sums.resize(norms.len(), None);
                for (sum, norm) in norm_sums.iter_mut().zip(norms) {
                    accumulate(sum, norm);
                }
            }
            let lr = self.lr.next();
            self.model = self
                .model
                .clone()
                .optimize(&mut self.optim, lr.into(), output.grads);
            sums.add(M::score(output.item), rows.len());
            if !progress.advance(rows.len()) {
                break;
            }
        }
        let mut totals = sums.read();
        if diagnose {
            totals.grad_norm_sums = Some(
                norm_sums
                    .into_iter()
                    .map(|sum| sum.map_or(0.0, |s| s.into_scalar::<f64>()))
                    .collect(),
            );
        }
        Ok(totals)
    }

    fn validate(&mut self, rows: &[usize], diagnose: bool) -> Result<Totals, TrainError> {
        let model = self.model.valid();
        let mut sums = DeviceSums::default();
        let mut active: Vec<Option<Tensor<2, Int>>> = Vec::new();
        let mut outputs = Vec::new();
        for chunk in rows.chunks(VALID_CHUNK) {
            let batch = M::batch(&self.batcher, chunk, &self.device);
            if diagnose && let Some(stack) = model.stack() {
                let counts = active_units(stack, &M::inputs(&batch));
                active.resize(counts.len(), None);
                for (sum, count) in active.iter_mut().zip(counts) {
                    accumulate(sum, count);
                }
            }
            let output = model.evaluate(batch);
            outputs.extend(M::predictions(&output).into_data().iter::<f32>());
            sums.add(M::score(output), chunk.len());
            crate::progress::tick();
        }
        let mut totals = sums.read();
        totals.outputs = Some(outputs);
        if diagnose && let Some(stack) = model.stack() {
            let width = |layer: usize| stack.layers[layer].weight.dims()[1];
            totals.alive = Some(
                active
                    .into_iter()
                    .enumerate()
                    .map(|(layer, counts)| match counts {
                        Some(counts) => counts
                            .into_data()
                            .iter::<i64>()
                            .map(|count| count > 0)
                            .collect(),
                        None => vec![false; width(layer)],
                    })
                    .collect(),
            );
        }
        Ok(totals)
    }

    fn skip_schedule(&mut self, steps: usize) {
        self.lr.skip(steps);
    }

    fn scale_learning_rate(&mut self, scale: f64) {
        self.lr.set_scale(scale);
    }

    fn snapshot(&self) -> M {
        self.model.clone()
    }

    fn save(&self, path: &Path) -> Result<(), TrainError> {
        save_weights(&self.model.valid(), path).map(drop)
    }

    fn optimizer_state(&self) -> Result<Vec<u8>, TrainError> {
        let bytes = self
            .optim
            .to_record()
            .into_bytes()
            .map_err(|e| TrainError::Record {
                path: "optimizer state".into(),
                reason: e.to_string(),
            })?;
        Ok(bytes.to_vec())
    }

    fn load_snapshot(&self, path: &Path) -> Result<M, TrainError> {
        let model = load_record_into(self.model.clone(), path)?;
        Ok(with_sequential_ids(model.fork(&self.autodiff)))
    }

    fn restore(&mut self, weights: &Path, optimizer: &[u8]) -> Result<(), TrainError> {
        let bad = |reason: String| TrainError::Record {
            path: weights.with_file_name(crate::epoch_loop::OPTIMIZER_STATE_FILE),
            reason,
        };
        let record =
            OptimizerRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(optimizer.to_vec()))
                .map_err(|e| bad(e.to_string()))?;
        self.model = self.load_snapshot(weights)?;
        self.optim = self.optim.clone().load_record(record);
        Ok(())
    }

    fn finish(self, snapshot: Option<M>) -> Result<M, TrainError> {
        Ok(snapshot.unwrap_or(self.model).valid())
    }
}

/// Per hidden layer of `stack`, how many of `inputs`' rows each unit output anything above
/// zero for, `[1, units]`.
fn active_units(stack: &DenseStack, inputs: &Tensor<2>) -> Vec<Tensor<2, Int>> {
    let hidden = stack.layers.len() - 1;
    let mut x = inputs.clone();
    let mut counts = Vec::with_capacity(hidden);
    for (layer, activation) in stack.layers[..hidden].iter().zip(&stack.activations) {
        x = activation.forward(layer.forward(x));
        counts.push(x.clone().greater_elem(0.0).int().sum_dim(0));
    }
    counts
}
