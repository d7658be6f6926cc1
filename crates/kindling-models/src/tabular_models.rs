//! The course's tabular models: the regression MLP and the shot classifier.

use crate::activation::Activation;
use crate::dense_stack::{DenseStack, DenseStackConfig, Head};
use burn::prelude::*;

/// Configuration of the course's regression MLP: `inputs` features → hidden ReLU layers → one
/// linear output. Defaults are the hourly-wages model, Dense(50) → Dense(32) → Dense(1); the
/// bank model is `.with_hidden(vec![100, 100])`.
#[derive(Config, Debug)]
pub struct RegressionMlpConfig {
    /// Number of input features.
    pub inputs: usize,
    /// Hidden layer widths.
    #[config(default = "vec![50, 32]")]
    pub hidden: Vec<usize>,
    /// Activation of the hidden layers.
    #[config(default = "Activation::Relu")]
    pub activation: Activation,
}

impl RegressionMlpConfig {
    /// The equivalent [`DenseStackConfig`] (linear head, one output).
    pub fn stack(&self) -> DenseStackConfig {
        DenseStackConfig::uniform(self.inputs, &self.hidden, self.activation, 1)
            .with_head(Head::Linear)
    }

    /// Builds the model on `device`.
    ///
    /// # Panics
    /// If a width is zero; see [`DenseStackConfig::try_init`].
    pub fn init(&self, device: &Device) -> RegressionMlp {
        RegressionMlp {
            net: self.stack().init(device),
        }
    }
}

/// A regression network: a [`DenseStack`] trained with mean squared error.
#[derive(Module, Debug)]
pub struct RegressionMlp {
    /// The layers.
    pub net: DenseStack,
}

impl RegressionMlp {
    /// Wraps a stack with a linear head.
    pub fn new(net: DenseStack) -> Self {
        Self { net }
    }

    /// The predictions, `[batch, 1]`.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        self.net.forward(input)
    }
}

impl AsRef<DenseStack> for RegressionMlp {
    /// The stack inside: what a run's `model.bpk` records.
    fn as_ref(&self) -> &DenseStack {
        &self.net
    }
}

/// Configuration of the course's shot classifier: hidden ReLU layers → Dense(2, softmax).
/// Defaults are the basketball shot-log model, Dense(100) ×3; the Titanic model is
/// `.with_hidden(vec![32])`.
#[derive(Config, Debug)]
pub struct ShotClassifierConfig {
    /// Number of input features.
    pub inputs: usize,
    /// Hidden layer widths.
    #[config(default = "vec![100, 100, 100]")]
    pub hidden: Vec<usize>,
    /// Activation of the hidden layers.
    #[config(default = "Activation::Relu")]
    pub activation: Activation,
    /// Number of classes.
    #[config(default = 2)]
    pub classes: usize,
}

impl ShotClassifierConfig {
    /// The equivalent [`DenseStackConfig`] (softmax head).
    pub fn stack(&self) -> DenseStackConfig {
        DenseStackConfig::uniform(self.inputs, &self.hidden, self.activation, self.classes)
    }

    /// Builds the classifier on `device`.
    ///
    /// # Panics
    /// If a width is zero; see [`DenseStackConfig::try_init`].
    pub fn init(&self, device: &Device) -> DenseStack {
        self.stack().init(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_defaults() {
        // wages: 9 features -> 50 -> 32 -> 1
        assert_eq!(
            RegressionMlpConfig::new(9).stack().num_params(),
            9 * 50 + 50 + 50 * 32 + 32 + 33
        );
        // Titanic: 10 features -> 32 -> 2
        let titanic = ShotClassifierConfig::new(10).with_hidden(vec![32]);
        assert_eq!(titanic.stack().num_params(), 10 * 32 + 32 + 32 * 2 + 2);
        let net = RegressionMlpConfig::new(3).init(&Device::flex());
        assert_eq!(
            net.forward(Tensor::zeros([4, 3], &Device::flex())).dims(),
            [4, 1]
        );
    }
}
