//! The architecture, layer by layer: Keras's `Sequential` of `Dense` layers.

use crate::error::KerasError;
use kindling_models::{DenseStackConfig, Head};
use kindling_train::summary::summary_table;
use std::fmt;

/// The activation of a [`Dense`] layer (Keras's `activation=` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// No activation (Keras's default, `activation=None` or `'linear'`).
    Linear,
    /// `'relu'`: `max(0, x)`.
    Relu,
    /// `'tanh'`: the hyperbolic tangent.
    Tanh,
    /// `'sigmoid'`: the logistic function.
    Sigmoid,
    /// `'softmax'`: class probabilities; the output layer of a classifier only.
    Softmax,
}

impl Activation {
    /// The name Keras uses.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Softmax => "softmax",
        }
    }

    /// The hidden-layer activation this is, or `None` for softmax.
    fn hidden(self) -> Option<kindling_models::Activation> {
        match self {
            Activation::Linear => Some(kindling_models::Activation::Identity),
            Activation::Relu => Some(kindling_models::Activation::Relu),
            Activation::Tanh => Some(kindling_models::Activation::Tanh),
            Activation::Sigmoid => Some(kindling_models::Activation::Sigmoid),
            Activation::Softmax => None,
        }
    }

    /// The inverse of [`Activation::hidden`].
    fn from_hidden(activation: kindling_models::Activation) -> Self {
        match activation {
            kindling_models::Activation::Identity => Activation::Linear,
            kindling_models::Activation::Relu => Activation::Relu,
            kindling_models::Activation::Tanh => Activation::Tanh,
            kindling_models::Activation::Sigmoid => Activation::Sigmoid,
        }
    }
}

/// A fully connected layer: Keras's `Dense(units, activation=..., input_shape=(n,))`, with
/// Glorot-uniform weights and zero biases as Keras starts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dense {
    units: usize,
    activation: Activation,
    input_shape: Option<usize>,
}

impl Dense {
    /// `Dense(units)`: no activation, input shape taken from the previous layer.
    pub fn new(units: usize) -> Self {
        Self {
            units,
            activation: Activation::Linear,
            input_shape: None,
        }
    }

    /// `activation=...`.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// `input_shape=(n_cols,)`: the number of features; required on the first layer.
    pub fn input_shape(mut self, n_cols: usize) -> Self {
        self.input_shape = Some(n_cols);
        self
    }

    /// The number of units (outputs).
    pub fn units(&self) -> usize {
        self.units
    }

    /// The activation.
    pub fn activation_kind(&self) -> Activation {
        self.activation
    }
}

impl fmt::Display for Dense {
    /// The layer as Keras code: `Dense(50, activation='relu', input_shape=(9,))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dense({}", self.units)?;
        if self.activation != Activation::Linear {
            write!(f, ", activation='{}'", self.activation.name())?;
        }
        if let Some(n) = self.input_shape {
            write!(f, ", input_shape=({n},)")?;
        }
        f.write_str(")")
    }
}

/// A stack of [`Dense`] layers, built with [`add`](Sequential::add) and turned into a
/// trainable [`Model`](crate::Model) by [`compile`](Sequential::compile). It has no
/// `fit`: a model is compiled before it is fitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequential {
    name: String,
    layers: Vec<Dense>,
}

impl Default for Sequential {
    fn default() -> Self {
        Self::new()
    }
}

impl Sequential {
    /// `Sequential()`: an empty model named `sequential`, as Keras names it.
    pub fn new() -> Self {
        Self::named("sequential")
    }

    /// `Sequential(name=...)`. The name titles the summary and is saved as the run's task:
    /// name it after a Kindling task (`bank`, `drug`, `wages`, `titanic`) trained on that
    /// task's data, and `kindling evaluate` can score the saved model again.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            layers: Vec::new(),
        }
    }

    /// `model.add(layer)`. The first layer must give `input_shape`; a later layer that gives
    /// one must agree with the previous layer's units. A layer of zero units is refused.
    pub fn add(&mut self, layer: Dense) -> Result<&mut Self, KerasError> {
        let index = self.layers.len() + 1;
        let refuse = |reason: String| {
            Err(KerasError::InvalidLayer {
                index,
                layer: layer.to_string(),
                reason,
            })
        };
        if layer.units == 0 {
            return refuse("a Dense layer needs at least one unit".into());
        }
        match (self.layers.last(), layer.input_shape) {
            (None, None) => {
                return refuse(
                    "the first layer needs input_shape=(n_cols,), the number of features".into(),
                );
            }
            (None, Some(0)) => {
                return refuse(
                    "input_shape=(0,) has no features; give the number of columns".into(),
                );
            }
            (Some(previous), Some(n)) if n != previous.units => {
                return refuse(format!(
                    "input_shape=({n},) but the previous layer outputs {} units; leave input_shape to the first layer",
                    previous.units
                ));
            }
            _ => {}
        }
        self.layers.push(layer);
        Ok(self)
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The network as a [`DenseStackConfig`]. Softmax is allowed on the output layer only,
    /// and the output layer's activation must be softmax (a classifier) or linear (a
    /// regressor).
    pub fn to_config(&self) -> Result<DenseStackConfig, KerasError> {
        let (output, hidden) = self.layers.split_last().ok_or(KerasError::NoLayers)?;
        let input = self.layers[0].input_shape.unwrap_or(0);
        let mut activations = Vec::with_capacity(hidden.len());
        for (i, layer) in hidden.iter().enumerate() {
            let activation = layer.activation.hidden().ok_or_else(|| KerasError::InvalidLayer {
                index: i + 1,
                layer: layer.to_string(),
                reason: "softmax belongs on the output layer only; use relu, tanh, sigmoid or linear here".into(),
            })?;
            activations.push(activation);
        }
        let head = match output.activation {
            Activation::Softmax => Head::Softmax,
            Activation::Linear => Head::Linear,
            other => {
                return Err(KerasError::InvalidLayer {
                    index: self.layers.len(),
                    layer: output.to_string(),
                    reason: format!(
                        "an output layer with {} is not supported; use softmax for classes (Dense(2, activation='softmax') for yes/no, then take column 1) or no activation for values",
                        other.name()
                    ),
                });
            }
        };
        let widths: Vec<usize> = hidden.iter().map(|l| l.units).collect();
        let config =
            DenseStackConfig::new(input, widths, activations, output.units).with_head(head);
        config.validate()?;
        Ok(config)
    }

    /// The layers `config` describes (the inverse of [`Sequential::to_config`]).
    pub(crate) fn from_config(name: &str, config: &DenseStackConfig) -> Self {
        let mut layers: Vec<Dense> = config
            .hidden
            .iter()
            .zip(&config.activations)
            .map(|(&units, &a)| Dense::new(units).activation(Activation::from_hidden(a)))
            .collect();
        layers.push(Dense::new(config.output).activation(match config.head {
            Head::Softmax => Activation::Softmax,
            Head::Linear => Activation::Linear,
        }));
        layers[0].input_shape = Some(config.input);
        Self {
            name: name.to_string(),
            layers,
        }
    }

    /// `model.summary()`: a Keras-style table of layers, output shapes and parameter counts.
    pub fn summary(&self) -> Result<String, KerasError> {
        Ok(summary_table(&self.name, &self.to_config()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course_regressor() -> Sequential {
        let mut model = Sequential::new();
        model
            .add(Dense::new(50).activation(Activation::Relu).input_shape(9))
            .unwrap()
            .add(Dense::new(32).activation(Activation::Relu))
            .unwrap()
            .add(Dense::new(1))
            .unwrap();
        model
    }

    #[test]
    fn builds_the_course_regressor() {
        let config = course_regressor().to_config().unwrap();
        assert_eq!(
            (config.input, config.hidden.clone(), config.output),
            (9, vec![50, 32], 1)
        );
        assert_eq!(config.head, Head::Linear);
        assert_eq!(config.num_params(), 9 * 50 + 50 + 50 * 32 + 32 + 32 + 1);
        let summary = course_regressor().summary().unwrap();
        assert!(summary.starts_with("Model: \"sequential\""), "{summary}");
        assert!(summary.contains("Total params: 2,165"), "{summary}");
        let back = Sequential::from_config("sequential", &config);
        assert_eq!(
            back.layers()[0].to_string(),
            "Dense(50, activation='relu', input_shape=(9,))"
        );
        assert_eq!(back, course_regressor());
    }

    #[test]
    fn refuses_a_layer_of_zero_units() {
        let mut model = course_regressor();
        let err = model.add(Dense::new(0)).unwrap_err().to_string();
        assert_eq!(
            err,
            "layer 4 (Dense(0)): a Dense layer needs at least one unit"
        );
        assert_eq!(model.layers().len(), 3);
    }

    #[test]
    fn the_first_layer_needs_an_input_shape() {
        let err = Sequential::new()
            .add(Dense::new(32).activation(Activation::Relu))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "layer 1 (Dense(32, activation='relu')): the first layer needs input_shape"
            ),
            "{err}"
        );
        let err = Sequential::new()
            .add(Dense::new(32).input_shape(0))
            .unwrap_err()
            .to_string();
        assert!(err.contains("input_shape=(0,) has no features"), "{err}");
    }

    #[test]
    fn a_later_input_shape_must_match_the_previous_layer() {
        let mut model = course_regressor();
        let err = model
            .add(Dense::new(4).input_shape(7))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("input_shape=(7,) but the previous layer outputs 1 units"),
            "{err}"
        );
        model.add(Dense::new(4).input_shape(1)).unwrap();
    }

    #[test]
    fn an_empty_model_has_no_config() {
        let err = Sequential::new().to_config().unwrap_err();
        assert!(matches!(err, KerasError::NoLayers), "{err}");
    }

    #[test]
    fn softmax_only_on_the_output_layer() {
        let mut model = Sequential::new();
        model
            .add(Dense::new(8).activation(Activation::Softmax).input_shape(3))
            .unwrap()
            .add(Dense::new(2).activation(Activation::Softmax))
            .unwrap();
        let err = model.to_config().unwrap_err().to_string();
        assert!(err.starts_with("layer 1 (Dense(8, activation='softmax', input_shape=(3,))): softmax belongs on the output layer only"), "{err}");
    }

    #[test]
    fn the_output_layer_is_softmax_or_linear() {
        let mut model = Sequential::new();
        model
            .add(Dense::new(1).activation(Activation::Sigmoid).input_shape(3))
            .unwrap();
        let err = model.to_config().unwrap_err().to_string();
        assert!(
            err.contains("an output layer with sigmoid is not supported"),
            "{err}"
        );
    }

    #[test]
    fn absurd_widths_are_refused_by_the_model_config() {
        let mut model = Sequential::new();
        model.add(Dense::new(usize::MAX).input_shape(3)).unwrap();
        let err = model.to_config().unwrap_err().to_string();
        assert!(
            err.starts_with("invalid model: the output has width"),
            "{err}"
        );
    }
}
