//! Hyper-parameters of a fit, validated before any work starts.

use crate::error::TrainError;
use kindling_data::number::short;
use kindling_models::DenseStackConfig;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The optimizer, as Keras names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adam with Keras's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7).
    Adam,
    /// Plain stochastic gradient descent (no momentum), as Keras's `SGD()`.
    Sgd,
}

impl OptimizerKind {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::Sgd => "sgd",
        }
    }

    /// Keras's default learning rate for this optimizer (Adam 0.001, SGD 0.01).
    pub fn default_learning_rate(self) -> f64 {
        match self {
            OptimizerKind::Adam => 1e-3,
            OptimizerKind::Sgd => 1e-2,
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OptimizerKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "adam" => Ok(OptimizerKind::Adam),
            "sgd" => Ok(OptimizerKind::Sgd),
            _ => Err(format!(
                "unknown optimizer `{s}`; expected one of: adam, sgd"
            )),
        }
    }
}

/// Which training loop runs a fit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The fused engine on a CPU device (when this build has it), Burn's Learner on any other.
    #[default]
    Auto,
    /// Burn's `Learner` (autodiff and Burn's optimizers), on the given device.
    Learner,
    /// The fused dense-stack steps (crate `kindling-fused`), computed on the CPU whatever the
    /// device (the trained weights are moved to the device afterwards). Needs the `fused`
    /// feature.
    Fused,
}

impl Engine {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Auto => "auto",
            Engine::Learner => "learner",
            Engine::Fused => "fused",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Engine {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Engine::Auto),
            "learner" => Ok(Engine::Learner),
            "fused" => Ok(Engine::Fused),
            _ => Err(format!(
                "unknown engine `{s}`; expected one of: auto, learner, fused"
            )),
        }
    }
}

/// The course's remedies for overfitting, applied to a model's configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Regularization {
    /// Dropout rate after each hidden layer.
    pub dropout: f64,
    /// L2 weight-regularization factor.
    pub l2: f64,
}

impl Regularization {
    /// `config` with this dropout and L2 factor.
    pub fn apply(self, config: DenseStackConfig) -> DenseStackConfig {
        config.with_dropout(self.dropout).with_l2(self.l2)
    }
}

/// How to fit a model (Keras's `compile` + `fit` arguments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// Maximum number of passes over the training part.
    pub epochs: usize,
    /// Examples per gradient step.
    pub batch_size: usize,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// The learning rate.
    pub learning_rate: f64,
    /// Fraction of the training data held out for validation: the last rows, before shuffling.
    pub validation_split: f64,
    /// Stop after this many epochs without a lower validation loss and keep the best epoch's
    /// weights; `None` trains every epoch (and still keeps the best epoch's weights).
    pub patience: Option<usize>,
    /// Seed of the initial weights and of the per-epoch shuffling.
    pub seed: u64,
    /// The training loop.
    #[serde(default)]
    pub engine: Engine,
    /// Record per-layer gradient norms and dead ReLU units each epoch (fused engine).
    #[serde(default)]
    pub diagnostics: bool,
    /// Continue the fit whose checkpoints the work directory holds, from its last epoch, to
    /// `epochs` (the model, optimizer state, data order and generator as they were), instead
    /// of starting afresh. Not recorded in `config.json`.
    #[serde(skip)]
    pub resume: bool,
}

impl Default for FitOptions {
    /// Keras's defaults as the course uses them: 10 epochs, batch 32, Adam at 0.001,
    /// validation split 0.3, no early stopping, seed 0.
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 32,
            optimizer: OptimizerKind::Adam,
            learning_rate: 1e-3,
            validation_split: 0.3,
            patience: None,
            seed: 0,
            engine: Engine::Auto,
            diagnostics: false,
            resume: false,
        }
    }
}

/// Something a fit changed in its options to run at all; the fit goes on, and the run records
/// the value it applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitWarning {
    /// A batch larger than the training rows: each step takes all of them.
    #[error(
        "batch size {asked} is larger than the {rows} training rows; each step used all {rows}, and the run records batch size {rows}"
    )]
    BatchClamped {
        /// The batch size asked for.
        asked: usize,
        /// The training rows, the batch size applied.
        rows: usize,
    },
}

impl FitOptions {
    /// The options as a fit on `train_rows` training rows applies them (a batch is at most
    /// every row), with a warning for each value that changed.
    pub fn applied_to(&self, train_rows: usize) -> (FitOptions, Vec<FitWarning>) {
        let mut applied = self.clone();
        let mut warnings = Vec::new();
        if train_rows > 0 && self.batch_size > train_rows {
            applied.batch_size = train_rows;
            warnings.push(FitWarning::BatchClamped {
                asked: self.batch_size,
                rows: train_rows,
            });
        }
        (applied, warnings)
    }

    /// Checks every value; the error names the option and the allowed range.
    pub fn validate(&self) -> Result<(), TrainError> {
        let invalid = |name, value: String, reason: &str| {
            Err(TrainError::InvalidOption {
                name,
                value,
                reason: reason.to_string(),
            })
        };
        if self.epochs == 0 {
            return invalid("epochs", "0".into(), "train for at least one epoch");
        }
        if self.batch_size == 0 {
            return invalid(
                "batch_size",
                "0".into(),
                "a batch holds at least one example",
            );
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return invalid(
                "learning_rate",
                short(self.learning_rate),
                "the learning rate must be a positive number",
            );
        }
        if !(self.validation_split > 0.0 && self.validation_split < 1.0) {
            return invalid(
                "validation_split",
                short(self.validation_split),
                "the fraction must be greater than 0 and less than 1",
            );
        }
        if self.patience == Some(0) {
            return invalid(
                "patience",
                "0".into(),
                "patience counts epochs without improvement; use at least 1",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_keras() {
        let options = FitOptions::default();
        options.validate().unwrap();
        assert_eq!((options.batch_size, options.validation_split), (32, 0.3));
    }

    #[test]
    fn each_bad_value_is_named() {
        let cases = [
            (
                FitOptions {
                    epochs: 0,
                    ..Default::default()
                },
                "epochs",
            ),
            (
                FitOptions {
                    batch_size: 0,
                    ..Default::default()
                },
                "batch_size",
            ),
            (
                FitOptions {
                    learning_rate: -1.0,
                    ..Default::default()
                },
                "learning_rate",
            ),
            (
                FitOptions {
                    learning_rate: f64::NAN,
                    ..Default::default()
                },
                "learning_rate",
            ),
            (
                FitOptions {
                    validation_split: 1.0,
                    ..Default::default()
                },
                "validation_split",
            ),
            (
                FitOptions {
                    patience: Some(0),
                    ..Default::default()
                },
                "patience",
            ),
        ];
        for (options, name) in cases {
            let err = options.validate().unwrap_err().to_string();
            assert!(err.starts_with(&format!("invalid {name}")), "{err}");
        }
    }

    #[test]
    fn a_batch_larger_than_the_rows_is_applied_as_all_rows_with_a_warning() {
        let options = FitOptions {
            batch_size: 100_000_000,
            ..Default::default()
        };
        let (applied, warnings) = options.applied_to(70);
        assert_eq!(applied.batch_size, 70);
        assert_eq!(
            warnings,
            vec![FitWarning::BatchClamped {
                asked: 100_000_000,
                rows: 70
            }]
        );
        let (same, none) = FitOptions::default().applied_to(70);
        assert_eq!((same, none), (FitOptions::default(), vec![]));
    }

    #[test]
    fn errors_echo_numbers_short() {
        let options = FitOptions {
            learning_rate: -1e-300,
            ..Default::default()
        };
        let err = options.validate().unwrap_err().to_string();
        assert!(err.starts_with("invalid learning_rate -1e-300:"), "{err}");
    }

    #[test]
    fn parses_optimizer_names() {
        assert_eq!("SGD".parse::<OptimizerKind>(), Ok(OptimizerKind::Sgd));
        assert!(
            "rmsprop"
                .parse::<OptimizerKind>()
                .unwrap_err()
                .contains("adam, sgd")
        );
    }
}
