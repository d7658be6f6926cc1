//! Keras's "Simple MNIST convnet" as a Burn module.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, softmax};

/// Configuration of a [`ConvNet`]: Keras's "Simple MNIST convnet".
///
/// `[batch, side²]` pixels → Conv2D(`filters[0]`, k×k, relu) → MaxPool(2) →
/// Conv2D(`filters[1]`, k×k, relu) → MaxPool(2) → Flatten → Dropout(`dropout`) →
/// Dense(`classes`, softmax). The defaults are the example's: 28 × 28 images, 32 and 64
/// filters of 3 × 3, dropout 0.5, ten classes ([`ConvNetConfig::mnist`]); 34,826 parameters.
///
/// Weights start as Keras initialises `Conv2D` and `Dense`: Glorot-uniform kernels, zero biases.
#[derive(Config, Debug)]
pub struct ConvNetConfig {
    /// Side of the square input images, in pixels (28 for MNIST).
    pub side: usize,
    /// Number of classes (10 for MNIST).
    pub classes: usize,
    /// Filters of the first and second convolution.
    #[config(default = "[32, 64]")]
    pub filters: [usize; 2],
    /// Side of every convolution's square kernel.
    #[config(default = 3)]
    pub kernel: usize,
    /// Fraction of the flattened features zeroed at random while training.
    #[config(default = 0.5)]
    pub dropout: f64,
}

/// A configuration that cannot build a [`ConvNet`].
#[derive(Debug, Clone, PartialEq)]
pub enum ConvNetConfigError {
    /// The images are too small for two convolutions and poolings of this kernel.
    TooSmall {
        /// The image side.
        side: usize,
        /// The kernel side.
        kernel: usize,
    },
    /// A zero filter count, kernel or class count.
    Zero(&'static str),
    /// A dropout rate outside `[0, 1)`.
    Dropout(f64),
    /// A filter or class count above [`ConvNetConfig::MAX_UNITS`].
    TooWide {
        /// What: "the first convolution's filters", ...
        what: &'static str,
        /// The count given.
        count: usize,
    },
    /// More parameters than [`ConvNetConfig::MAX_PARAMS`].
    TooManyParams {
        /// The parameters the network would have.
        params: usize,
    },
}

impl std::fmt::Display for ConvNetConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConvNetConfigError::TooSmall { side, kernel } => write!(
                f,
                "images of {side}×{side} pixels are too small for two {kernel}×{kernel} convolutions each followed by a 2×2 pooling"
            ),
            ConvNetConfigError::Zero(what) => write!(f, "{what} must be at least 1"),
            ConvNetConfigError::Dropout(rate) => {
                write!(f, "dropout {rate} is outside [0, 1)")
            }
            ConvNetConfigError::TooWide { what, count } => write!(
                f,
                "{what} ({count}) must be at most {}",
                ConvNetConfig::MAX_UNITS
            ),
            ConvNetConfigError::TooManyParams { params } => write!(
                f,
                "{params} parameters is more than the {} a network may have",
                ConvNetConfig::MAX_PARAMS
            ),
        }
    }
}

impl std::error::Error for ConvNetConfigError {}

/// The output shape of each layer of a [`ConvNet`], for a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvLayer {
    /// Keras's name of the layer (`Conv2D`, `MaxPooling2D`, `Flatten`, `Dropout`, `Dense`).
    pub name: &'static str,
    /// Its output shape without the batch: `[height, width, channels]` (Keras's order) or
    /// `[features]`.
    pub shape: Vec<usize>,
    /// Its trainable parameters.
    pub params: usize,
}

impl ConvNetConfig {
    /// The most parameters a network may have (as for [`crate::DenseStackConfig::MAX_PARAMS`]).
    pub const MAX_PARAMS: usize = 1 << 28;
    /// The most filters per convolution, or classes (far beyond any budget, and small enough
    /// that counting parameters cannot overflow).
    pub const MAX_UNITS: usize = 1 << 16;

    /// The example's network for MNIST: 28 × 28 images, ten classes.
    pub fn mnist() -> Self {
        Self::new(28, 10)
    }

    /// Side of the feature maps after the second pooling, where the images are large enough.
    fn pooled_side(&self) -> Option<usize> {
        let after = |side: usize| side.checked_sub(self.kernel.checked_sub(1)?).map(|s| s / 2);
        after(self.side).and_then(after).filter(|&side| side > 0)
    }

    /// Inputs per image (`side²` pixels).
    pub fn inputs(&self) -> usize {
        self.side * self.side
    }

    /// Checks that the configuration builds a network.
    pub fn validate(&self) -> Result<(), ConvNetConfigError> {
        for (value, what) in [
            (self.filters[0], "the first convolution's filters"),
            (self.filters[1], "the second convolution's filters"),
            (self.kernel, "the kernel side"),
            (self.classes, "the number of classes"),
        ] {
            if value == 0 {
                return Err(ConvNetConfigError::Zero(what));
            }
            if value > Self::MAX_UNITS {
                return Err(ConvNetConfigError::TooWide { what, count: value });
            }
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(ConvNetConfigError::Dropout(self.dropout));
        }
        if self.pooled_side().is_none() || self.side > 4096 || self.kernel > 64 {
            return Err(ConvNetConfigError::TooSmall {
                side: self.side,
                kernel: self.kernel,
            });
        }
        let params = self.num_params();
        if params > Self::MAX_PARAMS {
            return Err(ConvNetConfigError::TooManyParams { params });
        }
        Ok(())
    }

    /// Every layer with its output shape and parameters, first to last.
    ///
    /// # Panics
    /// If the configuration is invalid; see [`ConvNetConfig::validate`].
    pub fn layers(&self) -> Vec<ConvLayer> {
        let [f1, f2] = self.filters;
        let k2 = self.kernel * self.kernel;
        let conv1 = self.side - (self.kernel - 1);
        let pool1 = conv1 / 2;
        let conv2 = pool1 - (self.kernel - 1);
        let pool2 = conv2 / 2;
        let flat = pool2 * pool2 * f2;
        let layer = |name, shape: &[usize], params| ConvLayer {
            name,
            shape: shape.to_vec(),
            params,
        };
        vec![
            layer("Conv2D", &[conv1, conv1, f1], k2 * f1 + f1),
            layer("MaxPooling2D", &[pool1, pool1, f1], 0),
            layer("Conv2D", &[conv2, conv2, f2], k2 * f1 * f2 + f2),
            layer("MaxPooling2D", &[pool2, pool2, f2], 0),
            layer("Flatten", &[flat], 0),
            layer("Dropout", &[flat], 0),
            layer("Dense", &[self.classes], flat * self.classes + self.classes),
        ]
    }

    /// Trainable parameters (34,826 for the defaults).
    pub fn num_params(&self) -> usize {
        if self.pooled_side().is_none() {
            return 0;
        }
        self.layers().iter().map(|layer| layer.params).sum()
    }

    /// Builds the network on `device`, or says why the configuration cannot.
    pub fn try_init(&self, device: &Device) -> Result<ConvNet, ConvNetConfigError> {
        self.validate()?;
        let glorot = Initializer::XavierUniform { gain: 1.0 };
        let conv = |channels: [usize; 2]| {
            let mut conv = Conv2dConfig::new(channels, [self.kernel, self.kernel])
                .with_initializer(glorot.clone())
                .init(device);
            conv.bias = conv.bias.map(|bias| bias.map(|b| b.zeros_like()));
            conv
        };
        let flat = self.layers()[4].shape[0];
        let mut dense = LinearConfig::new(flat, self.classes)
            .with_initializer(glorot.clone())
            .init(device);
        dense.bias = dense.bias.map(|bias| bias.map(|b| b.zeros_like()));
        Ok(ConvNet {
            conv1: conv([1, self.filters[0]]),
            conv2: conv(self.filters),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            dropout: DropoutConfig::new(self.dropout).init(),
            dense,
            side: self.side,
        })
    }

    /// Builds the network on `device`.
    ///
    /// # Panics
    /// If the configuration is invalid; see [`ConvNetConfig::try_init`].
    pub fn init(&self, device: &Device) -> ConvNet {
        match self.try_init(device) {
            Ok(net) => net,
            Err(e) => panic!("invalid ConvNetConfig: {e}"),
        }
    }
}

/// Keras's "Simple MNIST convnet"; see [`ConvNetConfig`].
///
/// Input: `[batch, side²]` pixels, each image flattened row by row and divided by 255, the same
/// input as the dense [`crate::DigitNet`]. Output: one score per class.
#[derive(Module, Debug)]
pub struct ConvNet {
    /// The first convolution, `[filters[0], 1, k, k]` (PyTorch's layout).
    pub conv1: Conv2d,
    /// The second convolution, `[filters[1], filters[0], k, k]`.
    pub conv2: Conv2d,
    /// The 2 × 2 max pooling after each convolution.
    pub pool: MaxPool2d,
    /// Dropout before the dense layer.
    pub dropout: Dropout,
    /// The dense layer over the flattened features (channel, row, column order, as PyTorch's
    /// `Flatten`), `[features, classes]`.
    pub dense: Linear,
    /// Side of the input images.
    pub side: usize,
}

impl ConvNet {
    /// Class scores (logits), `[batch, classes]`.
    pub fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        let [batch, _] = pixels.dims();
        let images = pixels.reshape([batch, 1, self.side, self.side]);
        // ReLU after the pooling rather than before: max and ReLU commute (ReLU is monotonic),
        // so the result is Keras's, with a quarter of the activations to compute and keep.
        let x = relu(self.pool.forward(self.conv1.forward(images)));
        let x = relu(self.pool.forward(self.conv2.forward(x)));
        let x: Tensor<2> = x.flatten(1, 3);
        self.dense.forward(self.dropout.forward(x))
    }

    /// Class probabilities (softmax of [`ConvNet::forward`]).
    pub fn predict_proba(&self, pixels: Tensor<2>) -> Tensor<2> {
        softmax(self.forward(pixels), 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_keras_example() {
        let config = ConvNetConfig::mnist();
        assert_eq!(config.num_params(), 34_826);
        let shapes: Vec<_> = config.layers().into_iter().map(|l| l.shape).collect();
        assert_eq!(
            shapes,
            [
                vec![26, 26, 32],
                vec![13, 13, 32],
                vec![11, 11, 64],
                vec![5, 5, 64],
                vec![1600],
                vec![1600],
                vec![10]
            ]
        );
        let device = Device::flex();
        let net = config.init(&device);
        assert_eq!(net.num_params(), 34_826);
        let out = net.predict_proba(Tensor::ones([3, 784], &device));
        assert_eq!(out.dims(), [3, 10]);
        let sums: Vec<f32> = out.sum_dim(1).into_data().iter::<f32>().collect();
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5), "{sums:?}");
        let bias: Vec<f32> = net.conv1.bias.unwrap().val().into_data().iter().collect();
        assert!(bias.iter().all(|&b| b == 0.0));
    }

    #[test]
    fn bad_configurations_are_refused_not_panicked_on() {
        let device = Device::flex();
        let small = ConvNetConfig::new(6, 10);
        assert!(matches!(
            small.try_init(&device),
            Err(ConvNetConfigError::TooSmall { side: 6, kernel: 3 })
        ));
        assert_eq!(small.num_params(), 0);
        let zero = ConvNetConfig::mnist().with_filters([0, 64]);
        assert!(matches!(zero.validate(), Err(ConvNetConfigError::Zero(_))));
        let dropout = ConvNetConfig::mnist().with_dropout(1.0);
        assert_eq!(dropout.validate(), Err(ConvNetConfigError::Dropout(1.0)));
        let wide = ConvNetConfig::mnist().with_filters([32, 1 << 20]);
        assert_eq!(
            wide.validate().unwrap_err().to_string(),
            "the second convolution's filters (1048576) must be at most 65536"
        );
        let huge = ConvNetConfig::mnist().with_filters([8192, 8192]);
        assert!(matches!(
            huge.validate(),
            Err(ConvNetConfigError::TooManyParams { .. })
        ));
    }
}
