//! Hyper-parameters of a fit, validated before any work starts.

use crate::error::TrainError;
use crate::schedule::{LrSchedule, Plateau};
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
    /// Stochastic gradient descent, as Keras's `SGD()`: plain, or with `momentum` (and
    /// Nesterov's variant).
    Sgd,
    /// Adam with decoupled weight decay, as Keras's `AdamW()` (weight decay 0.004).
    AdamW,
    /// RMSprop, as Keras's `RMSprop()` (ρ 0.9, no momentum, ε 1e-7).
    RmsProp,
}

impl OptimizerKind {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::AdamW => "adamw",
            OptimizerKind::RmsProp => "rmsprop",
        }
    }

    /// Keras's default learning rate for this optimizer (SGD 0.01, the others 0.001).
    pub fn default_learning_rate(self) -> f64 {
        match self {
            OptimizerKind::Sgd => 1e-2,
            OptimizerKind::Adam | OptimizerKind::AdamW | OptimizerKind::RmsProp => 1e-3,
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
            "adamw" => Ok(OptimizerKind::AdamW),
            "rmsprop" => Ok(OptimizerKind::RmsProp),
            _ => Err(format!(
                "unknown optimizer `{s}`; expected one of: adam, sgd, adamw, rmsprop"
            )),
        }
    }
}

/// What early stopping and the kept epoch follow (Keras's `monitor=`): a loss or an error is
/// better lower, an accuracy, precision, recall, F1, AUC or R² higher.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// The validation loss (Keras's default).
    #[default]
    ValLoss,
    /// The validation accuracy (classifiers).
    ValAccuracy,
    /// The training loss.
    Loss,
    /// The training accuracy (classifiers).
    Accuracy,
    /// The validation macro precision (classifiers).
    ValPrecision,
    /// The validation macro recall (classifiers).
    ValRecall,
    /// The validation macro F1 score (classifiers).
    ValF1,
    /// The validation AUROC (two-class classifiers).
    ValAuc,
    /// The validation mean squared error (regressors).
    ValMse,
    /// The validation root mean squared error (regressors).
    ValRmse,
    /// The validation mean absolute error (regressors).
    ValMae,
    /// The validation R² (regressors).
    ValR2,
}

impl Monitor {
    /// Every monitor, in the order the help text lists them.
    pub const ALL: [Monitor; 12] = [
        Monitor::ValLoss,
        Monitor::ValAccuracy,
        Monitor::Loss,
        Monitor::Accuracy,
        Monitor::ValPrecision,
        Monitor::ValRecall,
        Monitor::ValF1,
        Monitor::ValAuc,
        Monitor::ValMse,
        Monitor::ValRmse,
        Monitor::ValMae,
        Monitor::ValR2,
    ];

    /// Keras's name, used on the command line and in `history.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Monitor::ValLoss => "val_loss",
            Monitor::ValAccuracy => "val_accuracy",
            Monitor::Loss => "loss",
            Monitor::Accuracy => "accuracy",
            Monitor::ValPrecision => "val_precision",
            Monitor::ValRecall => "val_recall",
            Monitor::ValF1 => "val_f1",
            Monitor::ValAuc => "val_auc",
            Monitor::ValMse => "val_mse",
            Monitor::ValRmse => "val_rmse",
            Monitor::ValMae => "val_mae",
            Monitor::ValR2 => "val_r2",
        }
    }

    /// Whether a model of this kind has the value: `Some(true)` for classifiers only,
    /// `Some(false)` for regressors only, `None` for both.
    pub fn for_classifiers(self) -> Option<bool> {
        match self {
            Monitor::ValLoss | Monitor::Loss => None,
            Monitor::ValAccuracy
            | Monitor::Accuracy
            | Monitor::ValPrecision
            | Monitor::ValRecall
            | Monitor::ValF1
            | Monitor::ValAuc => Some(true),
            Monitor::ValMse | Monitor::ValRmse | Monitor::ValMae | Monitor::ValR2 => Some(false),
        }
    }

    /// Whether a higher value is better.
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Monitor::ValLoss | Monitor::Loss | Monitor::ValMse | Monitor::ValRmse | Monitor::ValMae
        )
    }

    /// The monitored value of an epoch, oriented so that lower is better (an accuracy is
    /// negated); `None` when the epoch has none (an accuracy of a regressor).
    pub fn lower_is_better(self, epoch: &crate::history::EpochRecord) -> Option<f64> {
        let value = match self {
            Monitor::ValLoss => Some(epoch.val_loss),
            Monitor::Loss => Some(epoch.loss),
            Monitor::ValAccuracy => epoch.val_accuracy,
            Monitor::Accuracy => epoch.accuracy,
            other => epoch
                .val_scores
                .as_ref()
                .and_then(|scores| scores.figure(other.name())),
        };
        if self.higher_is_better() {
            value.map(|v| -v)
        } else {
            value
        }
    }
}

impl fmt::Display for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Monitor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.to_ascii_lowercase();
        Monitor::ALL
            .into_iter()
            .find(|m| m.name() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown monitor `{s}`; expected one of: val_loss, val_accuracy, loss, accuracy (precision, recall and F1 are reported after training, not monitored per epoch)"
                )
            })
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
    /// L1 weight-regularization factor.
    #[serde(default)]
    pub l1: f64,
}

impl Regularization {
    /// `config` with this dropout and these L2 and L1 factors.
    pub fn apply(self, config: DenseStackConfig) -> DenseStackConfig {
        config
            .with_dropout(self.dropout)
            .with_l2(self.l2)
            .with_l1(self.l1)
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
    /// What early stopping and the kept epoch follow.
    #[serde(default)]
    pub monitor: Monitor,
    /// The training loop.
    #[serde(default)]
    pub engine: Engine,
    /// Record per-layer gradient norms and dead ReLU units each epoch (fused engine).
    #[serde(default)]
    pub diagnostics: bool,
    /// SGD's and RMSprop's momentum (Keras's `momentum`), 0 for none.
    #[serde(default)]
    pub momentum: f64,
    /// Nesterov's momentum for SGD (Keras's `nesterov`).
    #[serde(default)]
    pub nesterov: bool,
    /// AdamW's decoupled weight decay; `None` is Keras's 0.004.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_decay: Option<f64>,
    /// The learning rate's schedule over the steps (constant unless told otherwise).
    #[serde(default)]
    pub lr_schedule: LrSchedule,
    /// Keras's `ReduceLROnPlateau` on the validation loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce_lr_on_plateau: Option<Plateau>,
    /// Keras's `clipnorm`: each parameter's gradient is scaled down to at most this L2 norm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
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
            monitor: Monitor::ValLoss,
            engine: Engine::Auto,
            diagnostics: false,
            momentum: 0.0,
            nesterov: false,
            weight_decay: None,
            lr_schedule: LrSchedule::default(),
            reduce_lr_on_plateau: None,
            clip_norm: None,
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
        self.validate_kit()
    }

    /// Checks the optimizer's own options, the schedule, the plateau and the clipping.
    fn validate_kit(&self) -> Result<(), TrainError> {
        let invalid = |name, value: String, reason: String| {
            Err(TrainError::InvalidOption {
                name,
                value,
                reason,
            })
        };
        let optimizer = self.optimizer;
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return invalid(
                "momentum",
                short(self.momentum),
                "momentum must be at least 0 and less than 1".into(),
            );
        }
        if self.momentum > 0.0 && !matches!(optimizer, OptimizerKind::Sgd | OptimizerKind::RmsProp)
        {
            return invalid(
                "momentum",
                short(self.momentum),
                format!("{optimizer} has no momentum option; it applies to sgd and rmsprop"),
            );
        }
        if self.nesterov && !(optimizer == OptimizerKind::Sgd && self.momentum > 0.0) {
            return invalid(
                "nesterov",
                "true".into(),
                "Nesterov's momentum applies to sgd with a momentum above 0".into(),
            );
        }
        if let Some(decay) = self.weight_decay {
            if optimizer != OptimizerKind::AdamW {
                return invalid(
                    "weight_decay",
                    short(decay),
                    format!("{optimizer} has no weight decay; it applies to adamw (or use --l2)"),
                );
            }
            if !(decay.is_finite() && decay >= 0.0) {
                return invalid(
                    "weight_decay",
                    short(decay),
                    "the decay must be 0 or more".into(),
                );
            }
        }
        if let Some(clip) = self.clip_norm
            && !(clip.is_finite() && clip > 0.0)
        {
            return invalid(
                "clip_norm",
                short(clip),
                "the largest gradient norm must be a positive number".into(),
            );
        }
        self.lr_schedule.validate(self.epochs)?;
        if let Some(plateau) = &self.reduce_lr_on_plateau {
            plateau.validate()?;
            if !self.lr_schedule.is_constant() {
                return invalid(
                    "reduce_lr_on_plateau",
                    self.lr_schedule.kind.name().into(),
                    "it sets the learning rate itself, so it cannot follow a schedule too (as in Keras); keep the schedule constant".into(),
                );
            }
        }
        Ok(())
    }

    /// What of these options the fused engine cannot train with, in words, if anything: it has
    /// Adam and plain SGD, a constant rate (which `ReduceLROnPlateau` may lower) and no
    /// clipping.
    pub fn fused_lacks(&self) -> Option<String> {
        if matches!(
            self.optimizer,
            OptimizerKind::AdamW | OptimizerKind::RmsProp
        ) {
            Some(format!("the {} optimizer", self.optimizer))
        } else if self.momentum > 0.0 {
            Some("momentum".into())
        } else if !self.lr_schedule.is_constant() {
            Some("a learning-rate schedule".into())
        } else if self.clip_norm.is_some() {
            Some("gradient clipping".into())
        } else {
            None
        }
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
            "adagrad"
                .parse::<OptimizerKind>()
                .unwrap_err()
                .contains("adam, sgd, adamw, rmsprop")
        );
    }
}
