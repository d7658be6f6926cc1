//! A loss metric averaged over examples, as Keras reports it.
//!
//! burn-train's `LossMetric` weighs every batch equally (it sees a one-element loss tensor),
//! so a short last batch skews the epoch's loss. This one weighs each batch by its number of
//! examples, so the epoch loss is the mean over all examples. It keeps the name "Loss", so
//! burn-train's checkpoint strategy and early stopping find it.

use burn::prelude::*;
use burn::tensor::TensorReadError;
use burn::train::metric::state::{FormatOptions, NumericMetricState};
use burn::train::metric::{
    Adaptor, Metric, MetricAttributes, MetricMetadata, MetricName, Numeric, NumericAttributes,
    NumericEntry, SerializedEntry,
};
use burn::train::{ClassificationOutput, RegressionOutput};
use std::sync::Arc;

/// A batch's mean loss and how many examples it covers.
pub struct BatchLoss {
    loss: Tensor<1>,
    examples: usize,
}

impl BatchLoss {
    /// The batch's mean loss, read from the device.
    pub(crate) fn mean(&self) -> Result<f64, TensorReadError> {
        self.loss.clone().mean().try_into_scalar::<f64>()
    }
}

impl Adaptor<BatchLoss> for ClassificationOutput {
    fn adapt(&self) -> BatchLoss {
        BatchLoss {
            loss: self.loss.clone(),
            examples: self.targets.dims()[0],
        }
    }
}

impl Adaptor<BatchLoss> for RegressionOutput {
    fn adapt(&self) -> BatchLoss {
        BatchLoss {
            loss: self.loss.clone(),
            examples: self.targets.dims()[0],
        }
    }
}

/// The epoch's loss, averaged over examples.
#[derive(Clone)]
pub struct ExampleMeanLoss {
    name: MetricName,
    state: NumericMetricState,
}

impl ExampleMeanLoss {
    /// A fresh metric named "Loss".
    pub fn new() -> Self {
        Self {
            name: Arc::new("Loss".to_string()),
            state: NumericMetricState::default(),
        }
    }
}

impl Default for ExampleMeanLoss {
    fn default() -> Self {
        Self::new()
    }
}

impl Metric for ExampleMeanLoss {
    type Input = BatchLoss;

    fn update(
        &mut self,
        input: &BatchLoss,
        _metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        let loss = input.mean()?;
        self.state.update(loss, input.examples);
        Ok(self
            .state
            .compute_update(FormatOptions::new(self.name()).precision(4)))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self
            .state
            .compute_final(FormatOptions::new(self.name()).precision(4)))
    }

    fn clear(&mut self) {
        self.state.reset()
    }

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn attributes(&self) -> MetricAttributes {
        NumericAttributes {
            unit: None,
            higher_is_better: false,
        }
        .into()
    }
}

impl Numeric for ExampleMeanLoss {
    fn value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn running_value(&self) -> Option<NumericEntry> {
        Some(self.state.running_value())
    }

    fn final_value(&self) -> NumericEntry {
        self.state.final_value()
    }
}
