//! The course's neural networks as plain [Burn](https://burn.dev) modules.
//!
//! Every model follows Burn's own examples: a `Config` with the course's defaults, `init(&device)`
//! to build it on whatever [`Device`](burn::prelude::Device) the application picks, and `forward`.
//! The crate depends on burn alone, so another Burn project can embed these models.
//!
//! - [`DenseStack`]: Keras's `Sequential` of `Dense` layers, with an activation per layer.
//! - [`DigitNetConfig`]: the course's MNIST digit net, 784-50-50-10 with ReLU.
//! - [`ConvNetConfig`]: Keras's "Simple MNIST convnet", two convolutions and poolings, 34,826
//!   parameters.
//! - [`RegressionMlpConfig`]: the regression MLP (hourly wages: 50-32-1).
//! - [`ShotClassifierConfig`]: the shot classifier (shot log: 100-100-100-2; Titanic: 32-2).
//!
//! ## The digit net's input
//!
//! A [`DigitNet`] takes `[batch, 784]` floats: each 28 × 28 MNIST image flattened row by row
//! (pixel `(row, column)` at index `28 × row + column`), every byte divided by 255 so that
//! pixels lie in `[0, 1]`. No mean/std normalisation is applied, in training or here: feed
//! the network `byte as f32 / 255.0` and nothing else. Its ten outputs are the digits 0–9, in
//! order (logits from `forward`, probabilities from `predict_proba`).
//!
//! ## Cargo features
//!
//! - `train` (off by default): `TrainStep` and `InferenceStep` for [`DenseStack`] and
//!   [`RegressionMlp`], so burn-train's `Learner` can fit them; it enables burn's `train`
//!   feature. Inference and loading need no feature; pick a Burn backend feature (`flex`,
//!   `wgpu`, ...) in your own crate.
//!
//! ## Load a run and predict
//!
//! [`run::load_run`] reads a run directory written by `kindling train`: the network from
//! `model.json`, its weights from `model.bpk` once their SHA-256 matches `metrics.json`, and
//! the input columns and scaler from `config.json`. [`run::Run::predict`] applies the scaler:
//!
//! ```no_run
//! # use burn::prelude::*;
//! let device = Device::flex();
//! let run = kindling_models::run::load_run("runs/titanic".as_ref(), &device)?;
//! let row = vec![0.0_f32; run.config.input]; // one row, columns in `run.features` order
//! let probabilities = run.predict(row, &device);
//! println!("{:?}", probabilities.into_data());
//! # Ok::<(), kindling_models::run::RunError>(())
//! ```
//!
//! With Burn's API alone, the same run loads as
//! `DenseStackConfig::load("runs/titanic/model.json")?.init(&device)` followed by
//! `.load_record(ModuleRecord::load("runs/titanic/model.bpk")?)`, without the checksum check;
//! then call [`DenseStack::check_record`], since Burn's `load_record` replaces tensors without
//! comparing them and would accept weights trained with other activations.
//!
//! ## Build a model
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
mod conv_net;
mod dense_stack;
mod digit_net;
mod network;
pub mod run;
#[cfg(feature = "train")]
mod steps;
mod tabular_models;
mod weight_init;

pub use activation::{Activation, ParseActivationError};
pub use batch::{ClassificationBatch, RegressionBatch};
pub use conv_net::{ConvLayer, ConvNet, ConvNetConfig, ConvNetConfigError};
pub use dense_stack::{
    ARCHITECTURE_RECORD, ArchitectureMismatch, DenseStack, DenseStackConfig, DenseStackConfigError,
    Head,
};
pub use digit_net::{DigitNet, DigitNetConfig};
pub use network::{NetworkConfig, NetworkConfigError};
pub use tabular_models::{RegressionMlp, RegressionMlpConfig, ShotClassifierConfig};
pub use weight_init::WeightInit;
