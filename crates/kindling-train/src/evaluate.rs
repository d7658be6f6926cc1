//! Scoring a classifier on held-out rows.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use kindling_data::{ClassificationBatcher, Rows};
use kindling_models::DenseStack;
use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// Rows per forward pass when evaluating.
const EVAL_BATCH_SIZE: usize = 1000;

/// Loss and accuracy on a set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evaluation {
    /// Mean categorical cross-entropy.
    pub loss: f64,
    /// Fraction classified correctly.
    pub accuracy: f64,
    /// Number of rows scored.
    pub examples: usize,
}

/// Scores `model` on the rows `range` of `rows` (Keras's `model.evaluate`).
pub fn evaluate_classifier(
    model: &DenseStack,
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
        let logits = model.forward(batch.inputs);
        let predicted = logits.clone().argmax(1).squeeze_dim::<1>(1);
        correct += predicted
            .equal(batch.targets.clone())
            .int()
            .sum()
            .into_scalar::<i64>();
        let picked = log_softmax(logits, 1).gather(1, batch.targets.unsqueeze_dim(1));
        loss_sum -= picked.sum().into_scalar::<f64>();
        start = end;
    }
    let examples = total.max(1) as f64;
    Evaluation {
        loss: loss_sum / examples,
        accuracy: correct as f64 / examples,
        examples: total,
    }
}
