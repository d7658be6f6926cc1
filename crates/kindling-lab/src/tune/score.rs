//! How trials are ranked: validation accuracy for a classifier (ties broken by the lower
//! validation loss), validation loss for a regressor; a diverged trial ranks last.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The validation figures of a finished trial, taken at its best epoch (the weights it keeps).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Validation loss.
    pub val_loss: f64,
    /// Validation accuracy (classifiers only).
    pub val_accuracy: Option<f64>,
}

impl Score {
    /// `Less` when `self` is better than `other`: higher accuracy, then lower loss, when both
    /// have an accuracy; lower loss otherwise.
    pub fn compare(&self, other: &Score) -> Ordering {
        let by_loss = self.val_loss.total_cmp(&other.val_loss);
        match (self.val_accuracy, other.val_accuracy) {
            (Some(a), Some(b)) => b.total_cmp(&a).then(by_loss),
            _ => by_loss,
        }
    }

    /// Whether `self` ranks strictly before `other`.
    pub fn is_better_than(&self, other: &Score) -> bool {
        self.compare(other) == Ordering::Less
    }

    /// The number a chart shows: the accuracy of a classifier, the loss of a regressor.
    pub fn headline(&self) -> f64 {
        self.val_accuracy.unwrap_or(self.val_loss)
    }
}

/// Orders optional scores, better first; `None` (a diverged trial) after every score.
pub fn compare_optional(a: Option<&Score>, b: Option<&Score>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.compare(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier(accuracy: f64, loss: f64) -> Score {
        Score {
            val_loss: loss,
            val_accuracy: Some(accuracy),
        }
    }

    #[test]
    fn accuracy_first_then_loss() {
        assert!(classifier(0.8, 0.9).is_better_than(&classifier(0.7, 0.1)));
        assert!(classifier(0.8, 0.4).is_better_than(&classifier(0.8, 0.5)));
        assert!(!classifier(0.8, 0.5).is_better_than(&classifier(0.8, 0.5)));
        let regressor = |loss| Score {
            val_loss: loss,
            val_accuracy: None,
        };
        assert!(regressor(20.0).is_better_than(&regressor(25.0)));
        let s = classifier(0.1, 9.0);
        assert_eq!(compare_optional(Some(&s), None), Ordering::Less);
        assert_eq!(compare_optional(None, Some(&s)), Ordering::Greater);
    }
}
