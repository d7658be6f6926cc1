//! Telling a diverged fit: a loss that turns NaN or infinite, or explodes far above that of a
//! naive guess.

use crate::history::EpochRecord;
use kindling_data::Rows;
use kindling_data::split::ValidationSplit;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A loss this many times that of a naive guess means training has diverged.
pub const DIVERGENCE_FACTOR: f64 = 100.0;

/// Which loss of an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossKind {
    /// The mean loss over the epoch's training batches.
    Training,
    /// The loss on the validation rows at the end of the epoch.
    Validation,
}

impl LossKind {
    /// "training" or "validation".
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Training => "training",
            LossKind::Validation => "validation",
        }
    }
}

impl fmt::Display for LossKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The first sign of divergence in a fit's history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// The epoch (from 1).
    pub epoch: usize,
    /// Which of its losses.
    pub which: LossKind,
    /// The loss: NaN, infinite or above `limit` (non-finite values are `null` in JSON).
    pub value: f64,
    /// [`DIVERGENCE_FACTOR`] times the loss of a naive guess.
    pub limit: f64,
}

/// The first epoch whose training or validation loss is NaN, infinite, or above
/// [`DIVERGENCE_FACTOR`] × `guess_loss` (the loss of a naive guess, see [`naive_guess_loss`]).
pub fn find_divergence(epochs: &[EpochRecord], guess_loss: f64) -> Option<Divergence> {
    let limit = DIVERGENCE_FACTOR * guess_loss.max(f64::MIN_POSITIVE);
    epochs.iter().find_map(|e| {
        [
            (LossKind::Training, e.loss),
            (LossKind::Validation, e.val_loss),
        ]
        .into_iter()
        .find(|&(_, value)| !value.is_finite() || value > limit)
        .map(|(which, value)| Divergence {
            epoch: e.epoch,
            which,
            value,
            limit,
        })
    })
}

/// The loss of a naive guess, the yardstick of divergence: for class-labelled rows the
/// cross-entropy of a uniform guess over the classes (ln of their number); for real-valued
/// targets the variance of the training part's targets (the mean squared error of always
/// predicting their mean).
pub fn naive_guess_loss(rows: &Rows, split: &ValidationSplit) -> f64 {
    if let Some(classes) = rows.classes() {
        return (classes as f64).ln();
    }
    let (values, width) = rows.values().unwrap_or((&[], 1));
    let part = &values[split.train.start * width..split.train.end * width];
    let n = part.len().max(1) as f64;
    let mean = part.iter().map(|&v| v as f64).sum::<f64>() / n;
    part.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(epoch: usize, loss: f64, val_loss: f64) -> EpochRecord {
        EpochRecord {
            epoch,
            seconds: 0.0,
            train_seconds: 0.0,
            loss,
            accuracy: None,
            val_loss,
            val_accuracy: None,
            val_scores: None,
        }
    }

    #[test]
    fn finds_the_first_non_finite_or_exploding_loss() {
        let calm = [epoch(1, 0.9, 0.8), epoch(2, 0.7, 0.6)];
        assert_eq!(find_divergence(&calm, 0.69), None);
        let exploding = [epoch(1, 0.9, 0.8), epoch(2, 70.0, 0.6), epoch(3, 0.7, 0.6)];
        let found = find_divergence(&exploding, 0.69).unwrap();
        assert_eq!((found.epoch, found.which), (2, LossKind::Training));
        assert!((found.limit - 69.0).abs() < 1e-9);
        let nan = [epoch(1, 0.9, f64::NAN)];
        let found = find_divergence(&nan, 0.69).unwrap();
        assert_eq!((found.epoch, found.which), (1, LossKind::Validation));
        let infinite = [epoch(1, f64::INFINITY, 0.5)];
        assert_eq!(find_divergence(&infinite, 0.69).unwrap().epoch, 1);
    }

    #[test]
    fn naive_guess_is_uniform_for_classes_and_the_variance_for_values() {
        let split = ValidationSplit {
            train: 0..2,
            valid: 2..3,
        };
        let classes = Rows::classified(vec![0.0; 3], 1, vec![0, 1, 2], 3);
        assert!((naive_guess_loss(&classes, &split) - 3f64.ln()).abs() < 1e-12);
        // Training targets 1 and 3: mean 2, variance 1; the validation row is ignored.
        let values = Rows::regression(vec![0.0; 3], 1, vec![1.0, 3.0, 100.0], 1);
        assert!((naive_guess_loss(&values, &split) - 1.0).abs() < 1e-12);
    }
}
