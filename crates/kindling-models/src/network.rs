//! Which network a run holds: a dense stack or a convolutional net.

use crate::conv_net::{ConvNetConfig, ConvNetConfigError};
use crate::dense_stack::{DenseStackConfig, DenseStackConfigError};
use serde::{Deserialize, Serialize};

/// The configuration of any network a run directory can hold.
///
/// It is written as the inner configuration alone (a `DenseStackConfig` or a `ConvNetConfig`,
/// told apart by their fields), so `model.json` of a dense run is exactly what
/// `DenseStackConfig::load` reads, as it always was.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NetworkConfig {
    /// Keras's `Sequential` of `Dense` layers.
    Dense(DenseStackConfig),
    /// Keras's "Simple MNIST convnet".
    Conv(ConvNetConfig),
}

/// Why a [`NetworkConfig`] cannot build a network.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkConfigError {
    /// The dense stack's configuration is invalid.
    Dense(DenseStackConfigError),
    /// The conv net's configuration is invalid.
    Conv(ConvNetConfigError),
}

impl std::fmt::Display for NetworkConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkConfigError::Dense(e) => e.fmt(f),
            NetworkConfigError::Conv(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for NetworkConfigError {}

impl From<DenseStackConfig> for NetworkConfig {
    fn from(config: DenseStackConfig) -> Self {
        NetworkConfig::Dense(config)
    }
}

impl From<ConvNetConfig> for NetworkConfig {
    fn from(config: ConvNetConfig) -> Self {
        NetworkConfig::Conv(config)
    }
}

impl NetworkConfig {
    /// Inputs per example (features, or pixels).
    pub fn inputs(&self) -> usize {
        match self {
            NetworkConfig::Dense(config) => config.input,
            NetworkConfig::Conv(config) => config.inputs(),
        }
    }

    /// Outputs per example (classes for a classifier).
    pub fn outputs(&self) -> usize {
        match self {
            NetworkConfig::Dense(config) => config.output,
            NetworkConfig::Conv(config) => config.classes,
        }
    }

    /// Trainable parameters.
    pub fn num_params(&self) -> usize {
        match self {
            NetworkConfig::Dense(config) => config.num_params(),
            NetworkConfig::Conv(config) => config.num_params(),
        }
    }

    /// Checks that the configuration builds a network.
    pub fn validate(&self) -> Result<(), NetworkConfigError> {
        match self {
            NetworkConfig::Dense(config) => config.validate().map_err(NetworkConfigError::Dense),
            NetworkConfig::Conv(config) => config.validate().map_err(NetworkConfigError::Conv),
        }
    }

    /// The dense stack's configuration, when the network is one.
    pub fn dense(&self) -> Option<&DenseStackConfig> {
        match self {
            NetworkConfig::Dense(config) => Some(config),
            NetworkConfig::Conv(_) => None,
        }
    }

    /// The conv net's configuration, when the network is one.
    pub fn conv(&self) -> Option<&ConvNetConfig> {
        match self {
            NetworkConfig::Conv(config) => Some(config),
            NetworkConfig::Dense(_) => None,
        }
    }

    /// A short name of the architecture: "dense" or "cnn".
    pub fn name(&self) -> &'static str {
        match self {
            NetworkConfig::Dense(_) => "dense",
            NetworkConfig::Conv(_) => "cnn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;

    #[test]
    fn each_kind_reads_back_as_itself_and_dense_json_is_unchanged() {
        let dense = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2);
        let json = serde_json::to_string(&NetworkConfig::from(dense.clone())).unwrap();
        assert_eq!(json, serde_json::to_string(&dense).unwrap());
        let back: NetworkConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back.dense().unwrap().hidden, [4]);
        let conv = NetworkConfig::from(ConvNetConfig::mnist());
        let json = serde_json::to_string(&conv).unwrap();
        let back: NetworkConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back.conv().unwrap().filters, [32, 64]);
        assert_eq!(
            (back.inputs(), back.outputs(), back.num_params()),
            (784, 10, 34_826)
        );
        assert!(serde_json::from_str::<NetworkConfig>("{}").is_err());
    }
}
