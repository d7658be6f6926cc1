//! How a training run went, from its history: it worked, it diverged, or it stalled.
//!
//! - **diverged at epoch k**: epoch `k` is the first whose training or validation loss is NaN,
//!   infinite, or above [`DIVERGENCE_FACTOR`] times the
//!   loss of a naive guess (see [`kindling_train::divergence`]);
//! - **stalled**: the losses stayed finite but training got nowhere: the best validation loss
//!   is no lower than that of a constant guess (the training rows' class frequencies, or
//!   their mean for a regressor; see [`constant_guess_loss`]), or the training loss fell by
//!   less than [`STALL_DROP`] (1%) of its first epoch's value by the last epoch (runs of two
//!   epochs or more);
//! - **ok** otherwise.

use kindling_data::Rows;
use kindling_data::split::ValidationSplit;
use kindling_train::History;
use kindling_train::divergence::{DIVERGENCE_FACTOR, Divergence};
use serde::Serialize;
use std::fmt;

/// A run whose training loss fell by less than this fraction of its first epoch's value has
/// stalled.
pub const STALL_DROP: f64 = 0.01;

/// Why a run counts as stalled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Stall {
    /// The best validation loss is no lower than that of a constant guess.
    NoBetterThanConstant {
        /// The run's lowest validation loss.
        best_val_loss: f64,
        /// The validation loss of the constant guess.
        constant_loss: f64,
    },
    /// The training loss barely moved.
    FlatLoss {
        /// The first epoch's training loss.
        first: f64,
        /// The last epoch's training loss.
        last: f64,
    },
}

/// How a run went.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TrialStatus {
    /// Finite losses, and better than a constant guess.
    Ok,
    /// A loss turned NaN, infinite or exploded.
    Diverged(Divergence),
    /// Finite losses, but training got nowhere.
    Stalled(Stall),
}

impl TrialStatus {
    /// Whether the run diverged.
    pub fn diverged(&self) -> bool {
        matches!(self, TrialStatus::Diverged(_))
    }

    /// Why, in a sentence: the figures behind a "diverged" or "stalled" verdict.
    pub fn explanation(&self) -> Option<String> {
        match self {
            TrialStatus::Ok => None,
            TrialStatus::Diverged(d) => Some(format!(
                "the {} loss of epoch {} is {}, {}",
                d.which,
                d.epoch,
                short(d.value),
                if d.value.is_finite() {
                    format!(
                        "above {} ({DIVERGENCE_FACTOR} × the loss of a uniform guess or the \
                         training mean)",
                        short(d.limit)
                    )
                } else {
                    "not a finite number".to_string()
                }
            )),
            TrialStatus::Stalled(Stall::NoBetterThanConstant {
                best_val_loss,
                constant_loss,
            }) => Some(format!(
                "its best val_loss, {}, is no lower than {}, that of a constant guess (the \
                 training rows' class frequencies, or their mean)",
                short(*best_val_loss),
                short(*constant_loss)
            )),
            TrialStatus::Stalled(Stall::FlatLoss { first, last }) => Some(format!(
                "its training loss went from {} to {}, less than 1% lower",
                short(*first),
                short(*last)
            )),
        }
    }
}

impl fmt::Display for TrialStatus {
    /// "ok", "diverged at epoch 3", "stalled".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrialStatus::Ok => f.write_str("ok"),
            TrialStatus::Diverged(d) => write!(f, "diverged at epoch {}", d.epoch),
            TrialStatus::Stalled(_) => f.write_str("stalled"),
        }
    }
}

/// Four significant digits, in scientific notation when large or small.
fn short(value: f64) -> String {
    let magnitude = value.abs();
    if value.is_finite() && magnitude != 0.0 && !(1e-3..1e5).contains(&magnitude) {
        format!("{value:.3e}")
    } else if value.is_finite() {
        format!("{value:.4}")
    } else {
        value.to_string()
    }
}

/// Classifies a run from its history (see the module documentation): `divergence` is the one
/// the fit reported (see [`kindling_train::divergence::find_divergence`]), `constant_loss` the
/// validation loss of a constant guess.
pub fn classify(
    history: &History,
    divergence: Option<Divergence>,
    constant_loss: f64,
) -> TrialStatus {
    if let Some(divergence) = divergence {
        return TrialStatus::Diverged(divergence);
    }
    let (Some(first), Some(last), Some(best)) = (
        history.epochs.first(),
        history.last(),
        history.best().map(|e| e.val_loss),
    ) else {
        return TrialStatus::Ok;
    };
    if best >= constant_loss {
        return TrialStatus::Stalled(Stall::NoBetterThanConstant {
            best_val_loss: best,
            constant_loss,
        });
    }
    if history.epochs.len() > 1 && first.loss - last.loss < STALL_DROP * first.loss.abs() {
        return TrialStatus::Stalled(Stall::FlatLoss {
            first: first.loss,
            last: last.loss,
        });
    }
    TrialStatus::Ok
}

/// The validation loss of a constant guess that knows only the training rows: for classes,
/// the cross-entropy of predicting every class with its frequency among the training rows
/// (add-one smoothed, so that a class absent there costs a finite amount); for real values,
/// the mean squared error of predicting the training mean.
pub fn constant_guess_loss(rows: &Rows, split: &ValidationSplit) -> f64 {
    if let (Some(labels), Some(classes)) = (rows.labels(), rows.classes()) {
        let mut counts = vec![1.0f64; classes];
        for &label in &labels[split.train.clone()] {
            counts[label as usize] += 1.0;
        }
        let total: f64 = counts.iter().sum();
        let valid = &labels[split.valid.clone()];
        let loss: f64 = valid
            .iter()
            .map(|&label| -(counts[label as usize] / total).ln())
            .sum();
        return loss / valid.len().max(1) as f64;
    }
    let (values, width) = rows.values().unwrap_or((&[], 1));
    let width = width.max(1);
    let part = |range: &std::ops::Range<usize>| &values[range.start * width..range.end * width];
    let train = part(&split.train);
    let train_rows = (train.len() / width).max(1) as f64;
    let means: Vec<f64> = (0..width)
        .map(|j| {
            train
                .iter()
                .skip(j)
                .step_by(width)
                .map(|&v| v as f64)
                .sum::<f64>()
                / train_rows
        })
        .collect();
    let valid = part(&split.valid);
    let squared: f64 = valid
        .iter()
        .enumerate()
        .map(|(i, &v)| (v as f64 - means[i % width]).powi(2))
        .sum();
    squared / valid.len().max(1) as f64
}

/// The most common class among the rows `range` and its share of them (the accuracy of always
/// predicting it); `None` for rows without classes or an empty range.
pub fn majority_class(rows: &Rows, range: std::ops::Range<usize>) -> Option<(usize, f64)> {
    let labels = rows.labels()?;
    let classes = rows.classes()?;
    let part = &labels[range];
    if part.is_empty() {
        return None;
    }
    let mut counts = vec![0usize; classes];
    for &label in part {
        counts[label as usize] += 1;
    }
    let (class, &count) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(class, &count)| (count, std::cmp::Reverse(class)))?;
    Some((class, count as f64 / part.len() as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_train::EpochRecord;
    use kindling_train::divergence::LossKind;
    use kindling_train::divergence::find_divergence;

    fn history(losses: &[(f64, f64)]) -> History {
        History {
            epochs: losses
                .iter()
                .enumerate()
                .map(|(i, &(loss, val_loss))| EpochRecord {
                    epoch: i + 1,
                    seconds: 0.0,
                    train_seconds: 0.0,
                    loss,
                    accuracy: None,
                    val_loss,
                    val_accuracy: None,
                    val_scores: None,
                })
                .collect(),
        }
    }

    const GUESS: f64 = std::f64::consts::LN_2;
    const CONSTANT: f64 = 0.66;

    #[test]
    fn a_run_that_learns_is_ok() {
        let run = history(&[(1.88, 1.14), (0.72, 0.72), (0.61, 0.57)]);
        assert_eq!(
            classify(&run, find_divergence(&run.epochs, GUESS), CONSTANT),
            TrialStatus::Ok
        );
        assert_eq!(TrialStatus::Ok.to_string(), "ok");
        assert_eq!(TrialStatus::Ok.explanation(), None);
    }

    #[test]
    fn an_exploding_first_epoch_is_divergence_even_when_the_losses_settle() {
        // lr 1 on Titanic: the first epoch's loss explodes, then the model predicts the
        // majority class at a finite loss.
        let run = history(&[(3.7e9, 0.655), (0.672, 0.658), (0.676, 0.653)]);
        let status = classify(&run, find_divergence(&run.epochs, GUESS), CONSTANT);
        let TrialStatus::Diverged(d) = status else {
            panic!("{status:?}")
        };
        assert_eq!((d.epoch, d.which), (1, LossKind::Training));
        assert_eq!(status.to_string(), "diverged at epoch 1");
        let why = status.explanation().unwrap();
        assert!(why.contains("3.700e9") && why.contains("69.31"), "{why}");
    }

    #[test]
    fn nan_is_divergence_at_the_epoch_it_appears() {
        let run = history(&[(0.9, 0.8), (f64::NAN, f64::NAN)]);
        assert_eq!(
            classify(&run, find_divergence(&run.epochs, GUESS), CONSTANT).to_string(),
            "diverged at epoch 2"
        );
    }

    #[test]
    fn a_run_no_better_than_a_constant_guess_has_stalled() {
        // lr 1e-6 on Titanic: the loss creeps down, but stays above the constant guess.
        let run = history(&[(1.193, 1.072), (1.145, 1.031), (1.098, 0.984)]);
        let status = classify(&run, find_divergence(&run.epochs, GUESS), CONSTANT);
        assert_eq!(
            status,
            TrialStatus::Stalled(Stall::NoBetterThanConstant {
                best_val_loss: 0.984,
                constant_loss: CONSTANT
            })
        );
        assert_eq!(status.to_string(), "stalled");
    }

    #[test]
    fn a_flat_training_loss_has_stalled() {
        let run = history(&[(0.500, 0.40), (0.499, 0.40), (0.496, 0.39)]);
        assert!(matches!(
            classify(&run, find_divergence(&run.epochs, GUESS), CONSTANT),
            TrialStatus::Stalled(Stall::FlatLoss { .. })
        ));
        // A drop of just over 1% is progress; a single epoch has nothing to compare.
        let run = history(&[(0.500, 0.40), (0.494, 0.39)]);
        assert_eq!(
            classify(&run, find_divergence(&run.epochs, GUESS), CONSTANT),
            TrialStatus::Ok
        );
        assert_eq!(
            classify(&history(&[(0.5, 0.4)]), None, CONSTANT),
            TrialStatus::Ok
        );
    }

    #[test]
    fn constant_guess_uses_training_frequencies_or_mean() {
        let split = ValidationSplit {
            train: 0..4,
            valid: 4..6,
        };
        // Training classes 0, 0, 0, 1 → smoothed frequencies 4/6 and 2/6.
        let rows = Rows::classified(vec![0.0; 6], 1, vec![0, 0, 0, 1, 0, 1], 2);
        let expected = -((4.0f64 / 6.0).ln() + (2.0f64 / 6.0).ln()) / 2.0;
        assert!((constant_guess_loss(&rows, &split) - expected).abs() < 1e-12);
        // Training mean 2.5; validation targets 2 and 5 → errors 0.25 and 6.25.
        let rows = Rows::regression(vec![0.0; 6], 1, vec![1., 2., 3., 4., 2., 5.], 1);
        assert!((constant_guess_loss(&rows, &split) - 3.25).abs() < 1e-12);
    }

    #[test]
    fn majority_class_and_its_share() {
        let rows = Rows::classified(vec![0.0; 5], 1, vec![1, 0, 1, 1, 0], 2);
        assert_eq!(majority_class(&rows, 0..5), Some((1, 0.6)));
        assert_eq!(majority_class(&rows, 1..2), Some((0, 1.0)));
        assert_eq!(majority_class(&rows, 2..2), None);
    }
}
