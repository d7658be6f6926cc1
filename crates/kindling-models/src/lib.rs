//! The course's neural networks as plain [Burn](https://burn.dev) modules.
//!
//! Every model follows Burn's own examples: a `Config` with the course's defaults, `init(&device)`
//! to build it on whatever [`Device`](burn::prelude::Device) the application picks, and `forward`.
//! The crate depends on burn alone, so another Burn project can embed these models.
//!
//! - [`DenseStack`]: Keras's `Sequential` of `Dense` layers, with an activation per layer.
//! - [`DigitNetConfig`]: the course's MNIST digit net, 784-50-50-10 with ReLU.
//! - [`RegressionMlpConfig`]: the regression MLP (hourly wages: 50-32-1).
//! - [`ShotClassifierConfig`]: the shot classifier (shot log: 100-100-100-2; Titanic: 32-2).
//!
//! ```
//! use burn::prelude::*;
//! use kindling_models::DigitNetConfig;
//!
//! let device = Device::flex();
//! let net = DigitNetConfig::new().init(&device);
//! let images = Tensor::<2>::zeros([4, 784], &device);
//! let probabilities = net.predict_proba(images);
//! assert_eq!(probabilities.dims(), [4, 10]);
//! ```

mod activation;
mod batch;
mod dense_stack;
mod digit_net;
pub mod run;
#[cfg(feature = "train")]
mod steps;
mod tabular_models;

pub use activation::{Activation, ParseActivationError};
pub use batch::{ClassificationBatch, RegressionBatch};
pub use dense_stack::{DenseStack, DenseStackConfig, DenseStackConfigError, Head};
pub use digit_net::{DigitNet, DigitNetConfig};
pub use tabular_models::{RegressionMlp, RegressionMlpConfig, ShotClassifierConfig};
