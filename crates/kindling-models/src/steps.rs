//! Train and inference steps for burn-train's `Learner` (feature `train`).

use crate::batch::{ClassificationBatch, RegressionBatch};
use crate::conv_net::ConvNet;
use crate::dense_stack::DenseStack;
use crate::tabular_models::RegressionMlp;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::loss::{MseLoss, Reduction};
use burn::train::{ClassificationOutput, InferenceStep, RegressionOutput, TrainOutput, TrainStep};

impl DenseStack {
    /// Categorical cross-entropy of the softmax outputs against the batch's classes (plus the
    /// weight penalty, as Keras adds regularization losses), with the logits and targets the
    /// accuracy metric needs.
    pub fn forward_classification(&self, batch: ClassificationBatch) -> ClassificationOutput {
        let logits = self.forward(batch.inputs);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        let loss = match self.weight_penalty() {
            Some(penalty) => loss + penalty,
            None => loss,
        };
        ClassificationOutput::new(loss, logits, batch.targets)
    }
}

impl TrainStep for DenseStack {
    type Input = ClassificationBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: ClassificationBatch) -> TrainOutput<ClassificationOutput> {
        let output = self.forward_classification(batch);
        TrainOutput::new(self, output.loss.backward(), output)
    }
}

impl InferenceStep for DenseStack {
    type Input = ClassificationBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: ClassificationBatch) -> ClassificationOutput {
        self.forward_classification(batch)
    }
}

impl RegressionMlp {
    /// Mean squared error of the predictions against the batch's targets.
    pub fn forward_regression(&self, batch: RegressionBatch) -> RegressionOutput {
        let output = self.forward(batch.inputs);
        let loss = MseLoss::new().forward(output.clone(), batch.targets.clone(), Reduction::Mean);
        let loss = match self.net.weight_penalty() {
            Some(penalty) => loss + penalty,
            None => loss,
        };
        RegressionOutput::new(loss, output, batch.targets)
    }
}

impl TrainStep for RegressionMlp {
    type Input = RegressionBatch;
    type Output = RegressionOutput;

    fn step(&self, batch: RegressionBatch) -> TrainOutput<RegressionOutput> {
        let output = self.forward_regression(batch);
        TrainOutput::new(self, output.loss.backward(), output)
    }
}

impl InferenceStep for RegressionMlp {
    type Input = RegressionBatch;
    type Output = RegressionOutput;

    fn step(&self, batch: RegressionBatch) -> RegressionOutput {
        self.forward_regression(batch)
    }
}

impl ConvNet {
    /// Categorical cross-entropy of the softmax outputs against the batch's classes, with the
    /// logits and targets the accuracy metric needs.
    pub fn forward_classification(&self, batch: ClassificationBatch) -> ClassificationOutput {
        let logits = self.forward(batch.inputs);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        ClassificationOutput::new(loss, logits, batch.targets)
    }
}

impl TrainStep for ConvNet {
    type Input = ClassificationBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: ClassificationBatch) -> TrainOutput<ClassificationOutput> {
        let output = self.forward_classification(batch);
        TrainOutput::new(self, output.loss.backward(), output)
    }
}

impl InferenceStep for ConvNet {
    type Input = ClassificationBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: ClassificationBatch) -> ClassificationOutput {
        self.forward_classification(batch)
    }
}
