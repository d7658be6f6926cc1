//! The activation functions a dense layer can apply.

use burn::prelude::*;
use burn::tensor::activation;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An activation function applied after a dense layer (Keras's `activation=` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(0, x)`.
    Relu,
    /// The hyperbolic tangent.
    Tanh,
    /// The logistic function `1 / (1 + e^-x)`.
    Sigmoid,
    /// No activation: `x`.
    Identity,
}

impl Activation {
    /// Every activation, in the order the help text lists them.
    pub const ALL: [Activation; 4] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Identity,
    ];

    /// The name used on the command line and in saved configs.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Identity => "identity",
        }
    }

    /// Applies the activation element-wise.
    pub fn forward<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Relu => activation::relu(x),
            Activation::Tanh => activation::tanh(x),
            Activation::Sigmoid => activation::sigmoid(x),
            Activation::Identity => x,
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An activation name that is not one of [`Activation::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseActivationError(pub String);

impl fmt::Display for ParseActivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
        write!(
            f,
            "unknown activation `{}`; expected one of: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for ParseActivationError {}

impl FromStr for Activation {
    type Err = ParseActivationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let wanted = if wanted == "linear" {
            "identity".to_string()
        } else {
            wanted
        };
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == wanted)
            .ok_or_else(|| ParseActivationError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_keras_alias() {
        assert_eq!("ReLU".parse::<Activation>(), Ok(Activation::Relu));
        assert_eq!("linear".parse::<Activation>(), Ok(Activation::Identity));
        let err = "swish".parse::<Activation>().unwrap_err().to_string();
        assert!(err.contains("swish") && err.contains("relu, tanh, sigmoid, identity"));
    }

    #[test]
    fn applies_each_function() {
        let device = Device::flex();
        let x = Tensor::<1>::from_floats([-1.0, 0.0, 2.0], &device);
        let values = |a: Activation| {
            a.forward(x.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap()
        };
        assert_eq!(values(Activation::Relu), vec![0.0, 0.0, 2.0]);
        assert_eq!(values(Activation::Identity), vec![-1.0, 0.0, 2.0]);
        let t = values(Activation::Tanh);
        assert!((t[2] - 2f32.tanh()).abs() < 1e-6);
        let s = values(Activation::Sigmoid);
        assert!((s[1] - 0.5).abs() < 1e-7);
    }
}
