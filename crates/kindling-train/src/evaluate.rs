//! Scoring a classifier on held-out rows.

use crate::batcher::{ClassificationBatcher, RegressionBatcher};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use kindling_data::Rows;
use kindling_models::{ConvNet, DenseStack, RegressionMlp};
use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// Rows per forward pass when evaluating.
const EVAL_BATCH_SIZE: usize = 1000;

/// Loss and accuracy on a set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evaluation {
    /// Mean categorical cross-entropy (classifier) or mean squared error (regressor).
    pub loss: f64,
    /// Fraction classified correctly (classifiers only).
    pub accuracy: Option<f64>,
    /// Number of rows scored.
    pub examples: usize,
}

/// A classifier: a network whose outputs for `[rows, features]` inputs are class scores.
pub trait Logits {
    /// The class scores (logits), `[rows, classes]`.
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2>;
}

impl Logits for DenseStack {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        self.forward(inputs)
    }
}

impl Logits for ConvNet {
    fn logits(&self, inputs: Tensor<2>) -> Tensor<2> {
        self.forward(inputs)
    }
}

/// Scores `model` on the rows `range` of `rows` (Keras's `model.evaluate`).
pub fn evaluate_classifier<M: Logits>(
    model: &M,
    rows: Arc<Rows>,
    range: Range<usize>,
    device: &Device,
) -> Evaluation {
    let total = range.len();
    let batcher = ClassificationBatcher::new(rows);
    let mut loss_sum = 0.0;
    let mut correct = 0i64;
    let mut start = range.start;
    while start < range.end {
        let end = (start + EVAL_BATCH_SIZE).min(range.end);
        let batch = batcher.block(start..end, device);
        let logits = model.logits(batch.inputs);
        let predicted = logits.clone().argmax(1).squeeze_dim::<1>(1);
        correct += predicted
            .equal(batch.targets.clone())
            .int()
            .sum()
            .into_scalar::<i64>();
        let picked = log_softmax(logits, 1).gather(1, batch.targets.unsqueeze_dim(1));
        loss_sum -= picked.sum().into_scalar::<f64>();
        crate::progress::tick();
        start = end;
    }
    let examples = total.max(1) as f64;
    Evaluation {
        loss: loss_sum / examples,
        accuracy: Some(correct as f64 / examples),
        examples: total,
    }
}

/// How many of the rows `range` of `rows` `model` puts in each class (index = class): shows a
/// model that predicts one class for everything.
pub fn predicted_class_counts(
    model: &DenseStack,
    rows: Arc<Rows>,
    range: Range<usize>,
    device: &Device,
) -> Vec<usize> {
    let mut counts = vec![0; model.output_width()];
    let batcher = ClassificationBatcher::new(rows);
    let mut start = range.start;
    while start < range.end {
        let end = (start + EVAL_BATCH_SIZE).min(range.end);
        let batch = batcher.block(start..end, device);
        let predicted = model.forward(batch.inputs).argmax(1).into_data();
        for class in predicted.iter::<i64>() {
            if let Some(count) = usize::try_from(class).ok().and_then(|c| counts.get_mut(c)) {
                *count += 1;
            }
        }
        start = end;
    }
    counts
}

/// Scores a regressor on the rows `range` of `rows`: mean squared error over all examples and
/// outputs.
pub fn evaluate_regressor(
    model: &RegressionMlp,
    rows: Arc<Rows>,
    range: Range<usize>,
    device: &Device,
) -> Evaluation {
    let total = range.len();
    let batcher = RegressionBatcher::new(rows);
    let mut squared = 0.0;
    let mut count = 0usize;
    let mut start = range.start;
    while start < range.end {
        let end = (start + EVAL_BATCH_SIZE).min(range.end);
        let batch = batcher.block(start..end, device);
        count += batch.targets.shape().num_elements();
        let error = model.forward(batch.inputs) - batch.targets;
        squared += error.powi_scalar(2).sum().into_scalar::<f64>();
        crate::progress::tick();
        start = end;
    }
    Evaluation {
        loss: squared / count.max(1) as f64,
        accuracy: None,
        examples: total,
    }
}
