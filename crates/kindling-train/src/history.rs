//! Per-epoch results of a fit, and `history.csv`.

use crate::error::TrainError;
use crate::run_dir::write_atomic;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One epoch's results (Keras's `history.history`, one row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Wall-clock seconds of the epoch, validation included.
    pub seconds: f64,
    /// Wall-clock seconds of the training part alone.
    pub train_seconds: f64,
    /// Mean training loss over the epoch's batches, weighted by batch size.
    pub loss: f64,
    /// Training accuracy over the epoch, in `[0, 1]` (classifiers only).
    pub accuracy: Option<f64>,
    /// Validation loss at the end of the epoch.
    pub val_loss: f64,
    /// Validation accuracy at the end of the epoch, in `[0, 1]` (classifiers only).
    pub val_accuracy: Option<f64>,
    /// The validation split's precision, recall, F1 and AUROC (a classifier) or MSE, RMSE, MAE
    /// and R² (a regressor) at the end of the epoch; absent in histories written before they
    /// were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val_scores: Option<crate::scores::Scores>,
}

impl EpochRecord {
    /// The Keras `verbose=2` line for this epoch (accuracies only for classifiers).
    pub fn keras_line(&self, total_epochs: usize) -> String {
        let mut line = format!(
            "Epoch {}/{} - {:.2}s - loss: {:.4}",
            self.epoch, total_epochs, self.seconds, self.loss
        );
        if let Some(accuracy) = self.accuracy {
            line.push_str(&format!(" - accuracy: {accuracy:.4}"));
        }
        line.push_str(&format!(" - val_loss: {:.4}", self.val_loss));
        if let Some(accuracy) = self.val_accuracy {
            line.push_str(&format!(" - val_accuracy: {accuracy:.4}"));
        }
        line
    }
}

/// Every epoch of a fit, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The epochs.
    pub epochs: Vec<EpochRecord>,
}

const CSV_HEADER: &str = "epoch,seconds,train_seconds,loss,accuracy,val_loss,val_accuracy";
const CSV_HEADER_REGRESSION: &str = "epoch,seconds,train_seconds,loss,val_loss";

impl History {
    /// The epoch with the lowest validation loss (the first one on a tie).
    pub fn best(&self) -> Option<&EpochRecord> {
        self.epochs
            .iter()
            .filter(|e| e.val_loss.is_finite())
            .min_by(|a, b| a.val_loss.total_cmp(&b.val_loss))
    }

    /// The last epoch.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// One metric per epoch, by Keras's name (`history.history["val_f1"]`): `loss`,
    /// `val_loss`, `accuracy` and `val_accuracy`, and the validation scores' `val_precision`,
    /// `val_recall`, `val_f1`, `val_auc`, `val_mse`, `val_rmse`, `val_mae` and `val_r2`.
    /// `None` when no epoch has it.
    pub fn metric(&self, name: &str) -> Option<Vec<f64>> {
        let value = |e: &EpochRecord| match name {
            "loss" => Some(e.loss),
            "val_loss" => Some(e.val_loss),
            "accuracy" => e.accuracy,
            "val_accuracy" => e.val_accuracy,
            other => e.val_scores.as_ref().and_then(|s| s.figure(other)),
        };
        let values: Vec<Option<f64>> = self.epochs.iter().map(value).collect();
        values
            .iter()
            .any(Option::is_some)
            .then(|| values.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// Whether the epochs carry accuracies (a classifier's history).
    pub fn has_accuracy(&self) -> bool {
        self.epochs.iter().any(|e| e.accuracy.is_some())
    }

    /// The history as CSV, a row per epoch, every figure at full precision; the accuracy columns
    /// only for a classifier, then the validation scores' macro figures (`val_precision`,
    /// `val_recall`, `val_f1`, `val_auc`; or `val_mse`, `val_rmse`, `val_mae`, `val_r2`).
    pub fn to_csv(&self) -> String {
        let classifier = self.has_accuracy();
        let mut out = String::from(if classifier {
            CSV_HEADER
        } else {
            CSV_HEADER_REGRESSION
        });
        let figures: Vec<&str> = self
            .epochs
            .iter()
            .find_map(|e| e.val_scores.as_ref())
            .map(|scores| scores.figures().into_iter().map(|(name, _)| name).collect())
            .unwrap_or_default();
        for name in &figures {
            out.push(',');
            out.push_str(name);
        }
        out.push('\n');
        let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        for e in &self.epochs {
            if classifier {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{}\n",
                    e.epoch,
                    e.seconds,
                    e.train_seconds,
                    e.loss,
                    text(e.accuracy),
                    e.val_loss,
                    text(e.val_accuracy)
                ));
            } else {
                out.push_str(&format!(
                    "{},{},{},{},{}\n",
                    e.epoch, e.seconds, e.train_seconds, e.loss, e.val_loss
                ));
            }
            if !figures.is_empty() {
                out.pop();
                for name in &figures {
                    let value = e.val_scores.as_ref().and_then(|s| s.figure(name));
                    out.push(',');
                    out.push_str(&text(value));
                }
                out.push('\n');
            }
        }
        out
    }

    /// Writes `history.csv` atomically.
    pub fn write_csv(&self, path: &Path) -> Result<(), TrainError> {
        write_atomic(path, self.to_csv().as_bytes())
    }

    /// The median training-only seconds per epoch, leaving out the first epoch (warm-up)
    /// when there are others.
    pub fn median_train_seconds(&self) -> f64 {
        self.median_after_warm_up(|e| e.train_seconds)
    }

    /// The median seconds per whole epoch (validation included), leaving out the first epoch
    /// (warm-up) when there are others.
    pub fn median_epoch_seconds(&self) -> f64 {
        self.median_after_warm_up(|e| e.seconds)
    }

    fn median_after_warm_up(&self, seconds: fn(&EpochRecord) -> f64) -> f64 {
        let skip = usize::from(self.epochs.len() > 1);
        let mut times: Vec<f64> = self.epochs.iter().skip(skip).map(seconds).collect();
        median(&mut times)
    }

    /// The mean seconds per epoch, validation included.
    pub fn mean_epoch_seconds(&self) -> f64 {
        if self.epochs.is_empty() {
            return 0.0;
        }
        self.epochs.iter().map(|e| e.seconds).sum::<f64>() / self.epochs.len() as f64
    }
}

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(epoch: usize, val_loss: f64) -> EpochRecord {
        EpochRecord {
            epoch,
            seconds: 0.5,
            train_seconds: epoch as f64,
            loss: 0.2,
            accuracy: Some(0.9),
            val_loss,
            val_accuracy: Some(0.8),
            val_scores: None,
        }
    }

    #[test]
    fn best_is_lowest_finite_validation_loss() {
        let history = History {
            epochs: vec![
                record(1, 0.5),
                record(2, 0.3),
                record(3, f64::NAN),
                record(4, 0.3),
            ],
        };
        assert_eq!(history.best().unwrap().epoch, 2);
        assert_eq!(history.median_train_seconds(), 3.0);
    }

    #[test]
    fn formats_like_keras_and_csv() {
        let line = record(3, 0.2307).keras_line(10);
        assert_eq!(
            line,
            "Epoch 3/10 - 0.50s - loss: 0.2000 - accuracy: 0.9000 - val_loss: 0.2307 - val_accuracy: 0.8000"
        );
        let csv = History {
            epochs: vec![record(1, 0.25)],
        }
        .to_csv();
        assert_eq!(csv.lines().next().unwrap(), CSV_HEADER);
        assert_eq!(csv.lines().nth(1).unwrap(), "1,0.5,1,0.2,0.9,0.25,0.8");
        // Seconds keep every digit too.
        let mut precise = record(1, 0.25);
        precise.seconds = 0.000123456;
        let csv = History {
            epochs: vec![precise],
        }
        .to_csv();
        assert!(csv.contains("1,0.000123456,"), "{csv}");
    }

    #[test]
    fn validation_scores_become_columns() {
        let mut scored = record(1, 0.25);
        // Two classes, three examples: one of each right, a class-1 example missed.
        scored.val_scores = Some(crate::scores::Scores::Classes(
            crate::scores::ClassScores::new(&[0.9, 0.1, 0.2, 0.8, 0.7, 0.3], 2, &[0, 1, 1]),
        ));
        let csv = History {
            epochs: vec![scored, record(2, 0.3)],
        }
        .to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            format!("{CSV_HEADER},val_precision,val_recall,val_f1,val_auc")
        );
        // Precision: class 0 1/2, class 1 1/1; recall: 1/1 and 1/2; F1 2/3 each; AUC 1
        // (class 1's scores 0.8 and 0.3 against class 0's 0.1: both above).
        assert_eq!(
            lines[1],
            "1,0.5,1,0.2,0.9,0.25,0.8,0.75,0.75,0.6666666666666666,1"
        );
        assert_eq!(lines[2], "2,0.5,2,0.2,0.9,0.3,0.8,,,,");
        let history = History {
            epochs: vec![record(1, 0.25)],
        };
        assert_eq!(history.metric("val_loss"), Some(vec![0.25]));
        assert_eq!(history.metric("val_f1"), None);
    }
}
