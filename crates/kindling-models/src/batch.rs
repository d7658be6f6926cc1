//! The batch types the models consume.

use burn::prelude::*;

/// A batch for a classifier: one input row per example and its class index.
#[derive(Clone, Debug)]
pub struct ClassificationBatch {
    /// Inputs, `[batch, features]`.
    pub inputs: Tensor<2>,
    /// Class indices, `[batch]`.
    pub targets: Tensor<1, Int>,
}

/// A batch for a regressor: one input row per example and its target values.
#[derive(Clone, Debug)]
pub struct RegressionBatch {
    /// Inputs, `[batch, features]`.
    pub inputs: Tensor<2>,
    /// Targets, `[batch, outputs]`.
    pub targets: Tensor<2>,
}
