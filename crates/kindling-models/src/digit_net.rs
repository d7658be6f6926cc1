//! The course's MNIST digit net.

use crate::activation::Activation;
use crate::dense_stack::{DenseStack, DenseStackConfig};
use burn::prelude::*;

/// The digit net is a [`DenseStack`] with a softmax head over the ten digits.
///
/// Input: `[batch, 784]`, each image's 28 × 28 pixels flattened row by row and divided by 255
/// (values in `[0, 1]`, no mean/std normalisation). Output: ten scores, digits 0–9 in order.
pub type DigitNet = DenseStack;

/// Configuration of the course's digit net: 784 pixels → Dense(50, relu) → Dense(50, relu) →
/// Dense(10, softmax); 42,310 parameters.
#[derive(Config, Debug)]
pub struct DigitNetConfig {
    /// Widths of the hidden layers.
    #[config(default = "vec![50, 50]")]
    pub hidden: Vec<usize>,
    /// Activation of every hidden layer.
    #[config(default = "Activation::Relu")]
    pub activation: Activation,
}

impl DigitNetConfig {
    /// Pixels per image (28 × 28).
    pub const INPUTS: usize = 784;
    /// Number of classes (the digits 0–9).
    pub const CLASSES: usize = 10;

    /// The equivalent [`DenseStackConfig`].
    pub fn stack(&self) -> DenseStackConfig {
        DenseStackConfig::uniform(Self::INPUTS, &self.hidden, self.activation, Self::CLASSES)
    }

    /// Builds the net on `device`.
    ///
    /// # Panics
    /// If a hidden width is zero; see [`DenseStackConfig::try_init`].
    pub fn init(&self, device: &Device) -> DigitNet {
        self.stack().init(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_course_model() {
        let config = DigitNetConfig::new();
        assert_eq!(config.stack().num_params(), 42_310);
        let net = config.init(&Device::flex());
        let out = net.forward(Tensor::zeros([2, 784], &Device::flex()));
        assert_eq!(out.dims(), [2, 10]);
    }
}
