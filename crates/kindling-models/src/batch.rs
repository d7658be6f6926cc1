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
