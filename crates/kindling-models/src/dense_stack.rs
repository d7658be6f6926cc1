//! Keras's `Sequential` of `Dense` layers as a Burn module.

use crate::activation::Activation;
use crate::weight_init::WeightInit;
use burn::module::{Param, ParamId};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

/// What the last layer's outputs mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Head {
    /// Class scores: `forward` returns logits, [`DenseStack::predict_proba`] applies softmax
    /// (Keras's `Dense(n, activation="softmax")` trained with categorical cross-entropy).
    Softmax,
    /// Raw outputs, for regression (Keras's `Dense(n)`).
    Linear,
}

/// Configuration of a [`DenseStack`]: input width, one hidden layer per entry of `hidden` with
/// the activation at the same position in `activations`, then an output layer.
///
/// Weights start as Keras initialises `Dense` layers: Glorot-uniform weights (or another of
/// Keras's initializers, `initializer`), zero biases.
#[derive(Config, Debug)]
pub struct DenseStackConfig {
    /// Number of input features.
    pub input: usize,
    /// Width of each hidden layer, first to last.
    pub hidden: Vec<usize>,
    /// Activation of each hidden layer (same length as `hidden`).
    pub activations: Vec<Activation>,
    /// Number of outputs (classes for a softmax head).
    pub output: usize,
    /// How the outputs are read.
    #[config(default = "Head::Softmax")]
    pub head: Head,
    /// Fraction of each hidden layer's outputs zeroed at random while training (Keras's
    /// `Dropout` after every hidden layer); 0 for none.
    #[config(default = 0.0)]
    pub dropout: f64,
    /// L2 weight regularization: `l2 × Σ w²` over every layer's weights (not biases) is added
    /// to the loss (Keras's `kernel_regularizer=l2(l2)`); 0 for none.
    #[config(default = 0.0)]
    pub l2: f64,
    /// L1 weight regularization: `l1 × Σ |w|` over every layer's weights (not biases) is added
    /// to the loss (Keras's `kernel_regularizer=l1(l1)`); 0 for none. Configs written before it
    /// was recorded read as 0, which they used.
    #[config(default = 0.0)]
    pub l1: f64,
    /// How the weights start (Keras's `kernel_initializer`); configs written before it was
    /// recorded read as Glorot-uniform, which they used.
    #[config(default = "WeightInit::GlorotUniform")]
    pub initializer: WeightInit,
}

/// A configuration that cannot build a network.
#[derive(Debug, Clone, PartialEq)]
pub enum DenseStackConfigError {
    /// A layer width of zero.
    ZeroWidth {
        /// Which layer: "input", "hidden layer N" or "output".
        layer: String,
    },
    /// A layer wider than [`DenseStackConfig::MAX_WIDTH`].
    TooWide {
        /// Which layer.
        layer: String,
        /// Its width.
        width: usize,
    },
    /// A dropout rate outside `[0, 1)`.
    Dropout(f64),
    /// A negative or non-finite L2 factor.
    L2(f64),
    /// A negative or non-finite L1 factor.
    L1(f64),
    /// More parameters than [`DenseStackConfig::MAX_PARAMS`]: the weights alone would not fit
    /// in memory with room to train them.
    TooManyParams {
        /// The parameters the network would have.
        params: usize,
    },
    /// `activations` and `hidden` have different lengths.
    ActivationCount {
        /// Number of hidden layers.
        hidden: usize,
        /// Number of activations given.
        activations: usize,
    },
}

impl std::fmt::Display for DenseStackConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DenseStackConfigError::ZeroWidth { layer } => {
                write!(
                    f,
                    "the {layer} has width 0; every layer needs at least one unit"
                )
            }
            DenseStackConfigError::TooWide { layer, width } => write!(
                f,
                "the {layer} has width {width}; at most {} units per layer are supported",
                DenseStackConfig::MAX_WIDTH
            ),
            DenseStackConfigError::TooManyParams { params } => write!(
                f,
                "the network would have {params} parameters ({:.1} GB of weights, about four times that to train); at most {} are supported: use narrower or fewer layers",
                *params as f64 * 4.0 / 1e9,
                DenseStackConfig::MAX_PARAMS
            ),
            DenseStackConfigError::Dropout(rate) => write!(
                f,
                "dropout rate {rate} is outside [0, 1); it is the fraction of outputs zeroed"
            ),
            DenseStackConfigError::L2(factor) => write!(
                f,
                "L2 factor {factor} must be a finite number of at least 0"
            ),
            DenseStackConfigError::L1(factor) => write!(
                f,
                "L1 factor {factor} must be a finite number of at least 0"
            ),
            DenseStackConfigError::ActivationCount {
                hidden,
                activations,
            } => write!(
                f,
                "{hidden} hidden layers but {activations} activations; give one activation per hidden layer"
            ),
        }
    }
}

impl std::error::Error for DenseStackConfigError {}

impl DenseStackConfig {
    /// A stack with the same activation on every hidden layer.
    pub fn uniform(input: usize, hidden: &[usize], activation: Activation, output: usize) -> Self {
        Self::new(
            input,
            hidden.to_vec(),
            vec![activation; hidden.len()],
            output,
        )
    }

    /// The same network with `activations` on its hidden layers, in order: one activation
    /// applies to every hidden layer, else there is one per layer (`validate` names a count
    /// that differs).
    pub fn with_hidden_activations(mut self, activations: &[Activation]) -> Self {
        self.activations = match activations {
            [one] => vec![*one; self.hidden.len()],
            many => many.to_vec(),
        };
        self
    }

    /// The widest layer a configuration may ask for.
    pub const MAX_WIDTH: usize = 1 << 20;

    /// The most parameters a configuration may ask for: 100 million, 400 MB of `f32` weights;
    /// training holds about four times that (weights, gradients and Adam's two moments).
    /// Counted before anything is allocated, so a network that could not be built is refused
    /// with the figure instead of aborting the process.
    pub const MAX_PARAMS: usize = 100_000_000;

    /// Checks the configuration without building anything.
    pub fn validate(&self) -> Result<(), DenseStackConfigError> {
        let widths = std::iter::once(("input".to_string(), self.input))
            .chain(
                self.hidden
                    .iter()
                    .enumerate()
                    .map(|(i, &w)| (format!("hidden layer {}", i + 1), w)),
            )
            .chain(std::iter::once(("output".to_string(), self.output)));
        for (layer, width) in widths {
            if width > Self::MAX_WIDTH {
                return Err(DenseStackConfigError::TooWide { layer, width });
            }
        }
        if self.input == 0 {
            return Err(DenseStackConfigError::ZeroWidth {
                layer: "input".into(),
            });
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(DenseStackConfigError::ZeroWidth {
                layer: format!("hidden layer {}", i + 1),
            });
        }
        if self.output == 0 {
            return Err(DenseStackConfigError::ZeroWidth {
                layer: "output".into(),
            });
        }
        let params = self.num_params();
        if params > Self::MAX_PARAMS {
            return Err(DenseStackConfigError::TooManyParams { params });
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(DenseStackConfigError::Dropout(self.dropout));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(DenseStackConfigError::L2(self.l2));
        }
        if !(self.l1.is_finite() && self.l1 >= 0.0) {
            return Err(DenseStackConfigError::L1(self.l1));
        }
        if self.activations.len() != self.hidden.len() {
            return Err(DenseStackConfigError::ActivationCount {
                hidden: self.hidden.len(),
                activations: self.activations.len(),
            });
        }
        Ok(())
    }

    /// Builds the network on `device`, or says why the configuration is invalid.
    pub fn try_init(&self, device: &Device) -> Result<DenseStack, DenseStackConfigError> {
        self.validate()?;
        let mut widths = Vec::with_capacity(self.hidden.len() + 2);
        widths.push(self.input);
        widths.extend_from_slice(&self.hidden);
        widths.push(self.output);
        let layers = widths
            .windows(2)
            .map(|pair| keras_dense(pair[0], pair[1], self.initializer, device))
            .collect();
        Ok(DenseStack {
            layers,
            architecture: Param::initialized(
                ParamId::new(),
                Tensor::<1, Int>::from_data(
                    TensorData::new(
                        architecture_codes(&self.activations, self.head),
                        [self.hidden.len() + 1],
                    ),
                    device,
                ),
            ),
            dropout: DropoutConfig::new(self.dropout).init(),
            activations: self.activations.clone(),
            head: self.head,
            l2: self.l2,
            l1: self.l1,
        })
    }

    /// Builds the network on `device`.
    ///
    /// # Panics
    /// If the configuration is invalid; use [`DenseStackConfig::try_init`] for input you did not
    /// write yourself.
    pub fn init(&self, device: &Device) -> DenseStack {
        match self.try_init(device) {
            Ok(net) => net,
            Err(err) => panic!("invalid DenseStackConfig: {err}"),
        }
    }

    /// Number of trainable parameters the network will have.
    pub fn num_params(&self) -> usize {
        let mut count: usize = 0;
        let mut previous = self.input;
        for &width in self.hidden.iter().chain(std::iter::once(&self.output)) {
            count = count.saturating_add(previous.saturating_mul(width).saturating_add(width));
            previous = width;
        }
        count
    }
}

/// The record name of [`DenseStack::architecture`].
pub const ARCHITECTURE_RECORD: &str = "architecture";

/// The codes [`DenseStack::architecture`] holds: each hidden activation's position in
/// [`Activation::ALL`], then the head (0 softmax, 1 linear).
fn architecture_codes(activations: &[Activation], head: Head) -> Vec<i64> {
    activations
        .iter()
        .map(|a| Activation::ALL.iter().position(|b| b == a).unwrap_or(0) as i64)
        .chain(std::iter::once(match head {
            Head::Softmax => 0,
            Head::Linear => 1,
        }))
        .collect()
}

/// A record whose activations or head differ from those of the model it was loaded into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchitectureMismatch {
    /// The field that differs: `"activations"` or `"head"`.
    pub field: &'static str,
    /// What the record says, as the config would write it (`relu,relu`, `softmax`).
    pub recorded: String,
    /// What the model was built with.
    pub configured: String,
}

impl std::fmt::Display for ArchitectureMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the record's {} are `{}` but the model is configured with `{}`; build the model from the run's model.json",
            self.field, self.recorded, self.configured
        )
    }
}

impl std::error::Error for ArchitectureMismatch {}

/// A Keras `Dense` layer: Glorot-uniform weights, zero bias.
fn keras_dense(input: usize, output: usize, init: WeightInit, device: &Device) -> Linear {
    let mut layer = LinearConfig::new(input, output)
        .with_initializer(init.burn())
        .init(device);
    layer.bias = Some(Param::from_tensor(Tensor::zeros([output], device)));
    layer
}

/// A stack of dense layers: `Dense → activation → … → Dense`.
///
/// Record names: `layers.{i}.weight` is `[inputs, outputs]` and `layers.{i}.bias` is `[outputs]`,
/// `i` counting from 0 at the first hidden layer; the last index is the output layer;
/// `architecture`, `[hidden layers + 1]` integers, the activations and head (see the field).
#[derive(Module, Debug)]
pub struct DenseStack {
    /// The dense layers, hidden layers first, output layer last.
    pub layers: Vec<Linear>,
    /// The activations and head the weights were trained with, recorded as the integer tensor
    /// `architecture` (not a trainable parameter: [`Module::num_params`] counts float tensors
    /// only). Burn records tensors alone, so `activations` and `head` (skipped fields) would
    /// otherwise be absent from `model.bpk`; and Burn's `load_record` overwrites a tensor with
    /// the record's, without comparing, so a record of other activations loads without error.
    /// [`DenseStack::check_record`] compares this tensor with the fields after a load, and the
    /// checked loader ([`crate::run::load_run`]) calls it.
    pub architecture: Param<Tensor<1, Int>>,
    /// Dropout after each hidden layer (active only on an autodiff device, i.e. in training).
    pub dropout: Dropout,
    /// The activation after each hidden layer.
    #[module(skip)]
    pub activations: Vec<Activation>,
    /// How the outputs are read.
    #[module(skip)]
    pub head: Head,
    /// The L2 weight-regularization factor.
    #[module(skip)]
    pub l2: f64,
    /// The L1 weight-regularization factor.
    #[module(skip)]
    pub l1: f64,
}

impl AsRef<DenseStack> for DenseStack {
    /// Itself: lets code that saves "a stack or a model wrapping one" take either.
    fn as_ref(&self) -> &DenseStack {
        self
    }
}

impl DenseStack {
    /// The raw outputs of the last layer: logits for a softmax head, values for a linear one.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut x = input;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = self.dropout.forward(self.activations[i].forward(x));
            }
        }
        x
    }

    /// What Keras's `model.predict` returns: class probabilities for a softmax head, raw values
    /// for a linear head.
    pub fn predict_proba(&self, input: Tensor<2>) -> Tensor<2> {
        let out = self.forward(input);
        match self.head {
            Head::Softmax => softmax(out, 1),
            Head::Linear => out,
        }
    }

    /// The weight penalty `l2 × Σ w² + l1 × Σ |w|` over every layer's weights, or `None`
    /// without regularization.
    pub fn weight_penalty(&self) -> Option<Tensor<1>> {
        let sum = |f: fn(Tensor<2>) -> Tensor<2>, factor: f64| {
            (factor != 0.0).then(|| {
                self.layers
                    .iter()
                    .map(|layer| f(layer.weight.val()).sum())
                    .reduce(|a, b| a + b)
                    .map(|sum| sum * factor)
            })?
        };
        let l2 = sum(|w| w.powi_scalar(2), self.l2);
        let l1 = sum(|w| w.abs(), self.l1);
        match (l2, l1) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        }
    }

    /// Checks that the loaded record's activations and head (its `architecture` tensor) are the
    /// ones this stack was built with; call it after `load_record`.
    pub fn check_record(&self) -> Result<(), ArchitectureMismatch> {
        let recorded: Vec<i64> = self.architecture.val().into_data().iter::<i64>().collect();
        let (recorded_head, recorded_activations) = match recorded.split_last() {
            Some((head, activations)) => (*head, activations),
            None => (0, &[][..]),
        };
        let names = |codes: &[i64]| {
            codes
                .iter()
                .map(|&c| {
                    usize::try_from(c)
                        .ok()
                        .and_then(|c| Activation::ALL.get(c))
                        .map_or_else(|| format!("unknown ({c})"), |a| a.name().to_string())
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let expected = architecture_codes(&self.activations, self.head);
        if recorded_activations != &expected[..expected.len() - 1] {
            return Err(ArchitectureMismatch {
                field: "activations",
                recorded: names(recorded_activations),
                configured: names(&expected[..expected.len() - 1]),
            });
        }
        let head_name = |c: i64| match c {
            0 => "softmax".to_string(),
            1 => "linear".to_string(),
            _ => format!("unknown ({c})"),
        };
        if recorded_head != expected[expected.len() - 1] {
            return Err(ArchitectureMismatch {
                field: "head",
                recorded: head_name(recorded_head),
                configured: head_name(expected[expected.len() - 1]),
            });
        }
        Ok(())
    }

    /// Number of input features the first layer expects.
    pub fn input_width(&self) -> usize {
        self.layers[0].weight.dims()[0]
    }

    /// Number of outputs of the last layer.
    pub fn output_width(&self) -> usize {
        self.layers[self.layers.len() - 1].weight.dims()[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parameters_like_keras() {
        let config = DenseStackConfig::uniform(784, &[50, 50], Activation::Relu, 10);
        assert_eq!(config.num_params(), 42_310);
        let net = config.init(&Device::flex());
        assert_eq!(net.num_params(), 42_310);
        assert_eq!((net.input_width(), net.output_width()), (784, 10));
    }

    #[test]
    fn networks_too_large_to_train_are_refused_with_their_size() {
        let huge = DenseStackConfig::uniform(9, &[1 << 20, 1 << 20], Activation::Relu, 1);
        let err = huge.try_init(&Device::flex()).unwrap_err();
        assert_eq!(
            err,
            DenseStackConfigError::TooManyParams {
                params: huge.num_params()
            }
        );
        let text = err.to_string();
        assert!(text.contains("1099524210689 parameters"), "{text}");
        assert!(text.contains("use narrower or fewer layers"), "{text}");
        // The cap is exact: 98 × 10⁶ + 10⁶ + 10⁶ + 1 is one over it.
        let over = DenseStackConfig::uniform(98, &[1_000_000], Activation::Relu, 1);
        assert_eq!(over.num_params(), DenseStackConfig::MAX_PARAMS + 1);
        assert!(over.validate().is_err());
        let under = DenseStackConfig::uniform(97, &[1_000_000], Activation::Relu, 1);
        assert_eq!(under.validate(), Ok(()));
    }

    #[test]
    fn starts_with_zero_bias_and_bounded_glorot_weights() {
        let net = DenseStackConfig::uniform(784, &[50], Activation::Relu, 10).init(&Device::flex());
        let limit = (6.0f32 / (784.0 + 50.0)).sqrt();
        let weights = net.layers[0]
            .weight
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(weights.iter().all(|w| w.abs() <= limit));
        assert!(weights.iter().any(|w| w.abs() > limit / 2.0));
        let bias = net.layers[0].bias.as_ref().unwrap().val();
        assert_eq!(bias.abs().sum().into_scalar::<f32>(), 0.0);
    }

    #[test]
    fn probabilities_sum_to_one_and_linear_head_is_raw() {
        let device = Device::flex();
        let x = Tensor::<2>::random([3, 4], burn::tensor::Distribution::Default, &device);
        let net = DenseStackConfig::uniform(4, &[5], Activation::Tanh, 3).init(&device);
        let sums = net
            .predict_proba(x.clone())
            .sum_dim(1)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5));
        let reg = DenseStackConfig::uniform(4, &[5], Activation::Relu, 1)
            .with_head(Head::Linear)
            .init(&device);
        let a = reg
            .forward(x.clone())
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let b = reg
            .predict_proba(x)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn dropout_acts_only_in_training_and_l2_sums_squared_weights() {
        let device = Device::flex();
        let config = DenseStackConfig::uniform(4, &[64], Activation::Relu, 2)
            .with_dropout(0.5)
            .with_l2(0.01);
        let net = config.init(&device);
        let x = Tensor::<2>::ones([3, 4], &device);
        // Inference (plain device): dropout is the identity, so outputs are repeatable.
        let a = net
            .forward(x.clone())
            .into_data()
            .iter::<f32>()
            .collect::<Vec<_>>();
        let b = net
            .forward(x.clone())
            .into_data()
            .iter::<f32>()
            .collect::<Vec<_>>();
        assert_eq!(a, b);
        // Training (autodiff device): a random half of the hidden outputs is dropped.
        let train = config.init(&device.clone().autodiff());
        let xa = Tensor::<2>::ones([3, 4], &device.clone().autodiff());
        let c = train
            .forward(xa.clone())
            .into_data()
            .iter::<f32>()
            .collect::<Vec<_>>();
        let d = train
            .forward(xa)
            .into_data()
            .iter::<f32>()
            .collect::<Vec<_>>();
        assert_ne!(c, d);
        let expected: f32 = net
            .layers
            .iter()
            .map(|l| l.weight.val().powi_scalar(2).sum().into_scalar::<f32>())
            .sum::<f32>()
            * 0.01;
        let penalty = net.weight_penalty().unwrap().into_scalar::<f32>();
        assert!((penalty - expected).abs() < 1e-6);
        let plain = DenseStackConfig::uniform(4, &[8], Activation::Relu, 2).init(&device);
        assert!(plain.weight_penalty().is_none());
    }

    #[test]
    fn rejects_bad_configs_with_reasons() {
        let device = Device::flex();
        let bad = DenseStackConfig::new(4, vec![5, 0], vec![Activation::Relu; 2], 2);
        let err = bad.try_init(&device).unwrap_err();
        assert!(err.to_string().contains("hidden layer 2 has width 0"));
        let err = DenseStackConfig::uniform(4, &[5], Activation::Relu, 2)
            .with_dropout(1.0)
            .validate()
            .unwrap_err();
        assert_eq!(err, DenseStackConfigError::Dropout(1.0));
        let err = DenseStackConfig::uniform(4, &[5], Activation::Relu, 2)
            .with_l2(-0.1)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("L2 factor -0.1"));
        let bad = DenseStackConfig::new(4, vec![5, 6], vec![Activation::Relu], 2);
        assert_eq!(
            bad.try_init(&device).unwrap_err(),
            DenseStackConfigError::ActivationCount {
                hidden: 2,
                activations: 1
            }
        );
    }

    #[test]
    fn a_record_of_other_activations_or_head_is_refused_naming_the_field() {
        let device = Device::flex();
        let relu = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2);
        let record = || relu.init(&device).into_record();
        let tanh = DenseStackConfig::uniform(3, &[4], Activation::Tanh, 2);
        let loaded = tanh.init(&device).try_load_record(record()).unwrap();
        let err = loaded.check_record().unwrap_err();
        assert_eq!(err.field, "activations");
        assert!(
            err.to_string().starts_with(
                "the record's activations are `relu` but the model is configured with `tanh`"
            ),
            "{err}"
        );
        let linear = relu.clone().with_head(Head::Linear);
        let err = linear
            .init(&device)
            .try_load_record(record())
            .unwrap()
            .check_record()
            .unwrap_err();
        assert_eq!((err.field, err.recorded.as_str()), ("head", "softmax"));
        let same = relu.init(&device).try_load_record(record()).unwrap();
        assert_eq!(same.check_record(), Ok(()));
        // Not a parameter: the count is Keras's.
        assert_eq!(same.num_params(), relu.num_params());
    }
}
