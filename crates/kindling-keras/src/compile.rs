//! `model.compile(optimizer, loss, metrics)`: what to train with, checked against the layers.

use crate::error::KerasError;
use crate::model::Model;
use crate::sequential::Sequential;
use burn::prelude::*;
use kindling_models::Head;
use kindling_train::TrainError;
use kindling_train::recipe::ModelKind;
use kindling_train::schedule::LrSchedule;
use kindling_train::{FitOptions, OptimizerKind};
use std::fmt;

/// The optimizer and its settings (Keras's `optimizer='adam'`, `SGD(learning_rate=...,
/// momentum=..., nesterov=...)`, `AdamW(weight_decay=...)`, `clipnorm=...`, a learning-rate
/// schedule); checked by `fit`, which names a bad one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Optimizer {
    kind: OptimizerKind,
    learning_rate: f64,
    momentum: f64,
    nesterov: bool,
    weight_decay: Option<f64>,
    clip_norm: Option<f64>,
    schedule: LrSchedule,
}

impl Optimizer {
    /// `'adam'`: Adam with Keras's defaults (learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7).
    pub fn adam() -> Self {
        Self::new(OptimizerKind::Adam)
    }

    /// `'sgd'`: plain stochastic gradient descent at Keras's default learning rate, 0.01.
    pub fn sgd() -> Self {
        Self::new(OptimizerKind::Sgd)
    }

    /// `'rmsprop'`: RMSprop with Keras's defaults (learning rate 0.001, ρ 0.9, ε 1e-7).
    pub fn rmsprop() -> Self {
        Self::new(OptimizerKind::RmsProp)
    }

    /// `'adamw'`: AdamW with Keras's defaults (learning rate 0.001, weight decay 0.004).
    pub fn adamw() -> Self {
        Self::new(OptimizerKind::AdamW)
    }

    /// `kind` at Keras's default learning rate for it.
    pub fn new(kind: OptimizerKind) -> Self {
        Self {
            kind,
            learning_rate: kind.default_learning_rate(),
            momentum: 0.0,
            nesterov: false,
            weight_decay: None,
            clip_norm: None,
            schedule: LrSchedule::default(),
        }
    }

    /// `momentum=m` of SGD or RMSprop.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// `nesterov=True` of SGD with momentum.
    pub fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// `weight_decay=d` of AdamW (Keras's default 0.004).
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = Some(weight_decay);
        self
    }

    /// `clipnorm=n`: each parameter's gradient scaled down to at most this L2 norm.
    pub fn with_clip_norm(mut self, clip_norm: f64) -> Self {
        self.clip_norm = Some(clip_norm);
        self
    }

    /// `learning_rate=ExponentialDecay(...)`, `CosineDecay(...)`: the rate over the steps (see
    /// [`LrSchedule`]), starting from this optimizer's learning rate.
    pub fn with_schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// These settings applied to `options` (which `FitOptions::validate` then checks).
    pub(crate) fn apply(&self, options: FitOptions) -> FitOptions {
        FitOptions {
            optimizer: self.kind,
            learning_rate: self.learning_rate,
            momentum: self.momentum,
            nesterov: self.nesterov,
            weight_decay: self.weight_decay,
            clip_norm: self.clip_norm,
            lr_schedule: self.schedule,
            ..options
        }
    }

    /// The optimizer a fit's `options` describe (what `load_model` compiles with).
    pub(crate) fn from_options(options: &FitOptions) -> Self {
        Self {
            kind: options.optimizer,
            learning_rate: options.learning_rate,
            momentum: options.momentum,
            nesterov: options.nesterov,
            weight_decay: options.weight_decay,
            clip_norm: options.clip_norm,
            schedule: options.lr_schedule,
        }
    }

    /// The same optimizer with another learning rate (`SGD(lr=0.01)`); checked by `compile`.
    pub fn with_learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Which optimizer.
    pub fn kind(&self) -> OptimizerKind {
        self.kind
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
}

/// The loss to minimise (Keras's `loss=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// `'mean_squared_error'`: a regressor; the output layer has no activation.
    MeanSquaredError,
    /// `'categorical_crossentropy'`: a classifier; the output layer is a softmax over at
    /// least two classes.
    CategoricalCrossentropy,
}

impl Loss {
    /// The name Keras uses.
    pub fn name(self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mean_squared_error",
            Loss::CategoricalCrossentropy => "categorical_crossentropy",
        }
    }

    /// Whether this loss trains a classifier or a regressor.
    pub fn kind(self) -> ModelKind {
        match self {
            Loss::MeanSquaredError => ModelKind::Regressor,
            Loss::CategoricalCrossentropy => ModelKind::Classifier,
        }
    }

    /// The loss a run of `kind` was trained with.
    pub fn for_kind(kind: ModelKind) -> Self {
        match kind {
            ModelKind::Regressor => Loss::MeanSquaredError,
            ModelKind::Classifier => Loss::CategoricalCrossentropy,
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "loss='{}'", self.name())
    }
}

/// A metric reported besides the loss (Keras's `metrics=[...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `'accuracy'`: the fraction of examples whose most probable class is right; for
    /// classifiers.
    Accuracy,
}

impl Sequential {
    /// `model.compile(optimizer=..., loss=..., metrics=[...])`, building the weights on
    /// `device`. Refused, before anything is built: a learning rate that is not a positive
    /// number, a loss that does not fit the output layer (softmax with mean squared error, a
    /// linear output or a 1-unit softmax with categorical cross-entropy), accuracy for a
    /// regressor, and any layer [`Sequential::to_config`] refuses.
    pub fn compile(
        self,
        optimizer: Optimizer,
        loss: Loss,
        metrics: &[Metric],
        device: &Device,
    ) -> Result<Model, KerasError> {
        let config = self.to_config()?;
        let lr = optimizer.learning_rate;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(TrainError::InvalidOption {
                name: "learning_rate",
                value: kindling_data::number::short(lr),
                reason: "the learning rate must be a positive number".into(),
            }
            .into());
        }
        let incompatible = |what: String, reason: &str| {
            Err(KerasError::Incompatible {
                what,
                reason: reason.to_string(),
            })
        };
        match (loss, config.head) {
            (Loss::MeanSquaredError, Head::Softmax) => {
                return incompatible(
                    loss.to_string(),
                    "the output layer is a softmax, whose outputs are class probabilities; regress with Dense(n) (no activation), or classify with loss='categorical_crossentropy'",
                );
            }
            (Loss::CategoricalCrossentropy, Head::Linear) => {
                return incompatible(
                    loss.to_string(),
                    "the output layer has no activation; a classifier's output layer is Dense(classes, activation='softmax')",
                );
            }
            (Loss::CategoricalCrossentropy, Head::Softmax) if config.output < 2 => {
                return incompatible(
                    loss.to_string(),
                    "a softmax over 1 unit always outputs 1 and cannot learn; use Dense(2, activation='softmax') for two classes",
                );
            }
            _ => {}
        }
        if loss == Loss::MeanSquaredError && metrics.contains(&Metric::Accuracy) {
            return incompatible(
                "metrics=['accuracy']".into(),
                "accuracy counts correct classes, and this model regresses values (loss='mean_squared_error'); leave metrics empty",
            );
        }
        let mut unique = Vec::new();
        for &metric in metrics {
            if !unique.contains(&metric) {
                unique.push(metric);
            }
        }
        Model::build(self, config, optimizer, loss, unique, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Dense};

    fn stack(output: usize, activation: Activation) -> Sequential {
        let mut model = Sequential::new();
        model
            .add(Dense::new(4).activation(Activation::Relu).input_shape(3))
            .unwrap()
            .add(Dense::new(output).activation(activation))
            .unwrap();
        model
    }

    fn compile_error(
        model: Sequential,
        optimizer: Optimizer,
        loss: Loss,
        metrics: &[Metric],
    ) -> String {
        model
            .compile(optimizer, loss, metrics, &Device::flex())
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn compiles_the_course_models() {
        let device = Device::flex();
        let model = stack(1, Activation::Linear)
            .compile(Optimizer::adam(), Loss::MeanSquaredError, &[], &device)
            .unwrap();
        assert_eq!(model.optimizer().learning_rate(), 1e-3);
        let model = stack(2, Activation::Softmax)
            .compile(
                Optimizer::sgd(),
                Loss::CategoricalCrossentropy,
                &[Metric::Accuracy, Metric::Accuracy],
                &device,
            )
            .unwrap();
        assert_eq!(model.metrics(), &[Metric::Accuracy]);
        assert_eq!(model.optimizer().learning_rate(), 1e-2);
    }

    #[test]
    fn softmax_with_mean_squared_error_is_refused() {
        let err = compile_error(
            stack(2, Activation::Softmax),
            Optimizer::adam(),
            Loss::MeanSquaredError,
            &[],
        );
        assert!(
            err.starts_with(
                "cannot compile with loss='mean_squared_error': the output layer is a softmax"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_one_unit_softmax_cannot_classify() {
        let err = compile_error(
            stack(1, Activation::Softmax),
            Optimizer::sgd(),
            Loss::CategoricalCrossentropy,
            &[],
        );
        assert!(
            err.contains("a softmax over 1 unit always outputs 1"),
            "{err}"
        );
    }

    #[test]
    fn cross_entropy_needs_a_softmax_output() {
        let err = compile_error(
            stack(2, Activation::Linear),
            Optimizer::sgd(),
            Loss::CategoricalCrossentropy,
            &[],
        );
        assert!(err.contains("the output layer has no activation"), "{err}");
    }

    #[test]
    fn accuracy_is_for_classifiers() {
        let err = compile_error(
            stack(1, Activation::Linear),
            Optimizer::adam(),
            Loss::MeanSquaredError,
            &[Metric::Accuracy],
        );
        assert!(
            err.starts_with("cannot compile with metrics=['accuracy']"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_learning_rate_is_refused() {
        for lr in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let err = compile_error(
                stack(1, Activation::Linear),
                Optimizer::adam().with_learning_rate(lr),
                Loss::MeanSquaredError,
                &[],
            );
            assert!(
                err.starts_with(&format!("invalid learning_rate {lr}")),
                "{err}"
            );
        }
    }

    #[test]
    fn an_empty_model_cannot_compile() {
        let err = compile_error(
            Sequential::new(),
            Optimizer::adam(),
            Loss::MeanSquaredError,
            &[],
        );
        assert!(err.starts_with("the model has no layers"), "{err}");
    }
}
