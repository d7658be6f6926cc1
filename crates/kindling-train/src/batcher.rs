//! Burn [`Batcher`]s that build the models' batches from [`Rows`].
//!
//! The loaders serve row indices (a [`RowRange`](kindling_data::RowRange) per split); these
//! batchers copy the selected rows into one buffer and upload it as a single tensor.

use burn::data::dataloader::batcher::Batcher;
use burn::prelude::*;
use kindling_data::Rows;
use kindling_models::{ClassificationBatch, RegressionBatch};
use std::ops::Range;
use std::sync::Arc;

/// Builds [`ClassificationBatch`]es from class-labelled [`Rows`]: the selected rows are copied
/// into one buffer and uploaded as a single tensor.
#[derive(Debug, Clone)]
pub struct ClassificationBatcher {
    rows: Arc<Rows>,
}

impl ClassificationBatcher {
    /// A batcher over `rows`.
    ///
    /// # Panics
    /// If `rows` are not class-labelled.
    pub fn new(rows: Arc<Rows>) -> Self {
        assert!(
            rows.classes().is_some(),
            "ClassificationBatcher needs class labels"
        );
        Self { rows }
    }

    /// The batch of the given rows, in that order.
    pub fn gather(&self, indices: &[usize], device: &Device) -> ClassificationBatch {
        let width = self.rows.width();
        let mut features = Vec::with_capacity(indices.len() * width);
        let mut targets = Vec::with_capacity(indices.len());
        let labels = self.rows.labels().unwrap_or_default();
        for &i in indices {
            features.extend_from_slice(self.rows.features(i));
            targets.push(labels[i] as i64);
        }
        batch_from(features, targets, width, device)
    }

    /// The batch of a contiguous run of rows (one copy, no gathering).
    pub fn block(&self, range: Range<usize>, device: &Device) -> ClassificationBatch {
        let width = self.rows.width();
        let features = self.rows.feature_block(range.clone()).to_vec();
        let labels = self.rows.labels().unwrap_or_default();
        let targets = labels[range].iter().map(|&l| l as i64).collect();
        batch_from(features, targets, width, device)
    }
}

fn batch_from(
    features: Vec<f32>,
    targets: Vec<i64>,
    width: usize,
    device: &Device,
) -> ClassificationBatch {
    let n = targets.len();
    ClassificationBatch {
        inputs: Tensor::from_data(TensorData::new(features, [n, width]), device),
        targets: Tensor::from_data(TensorData::new(targets, [n]), device),
    }
}

fn regression_batch(
    features: Vec<f32>,
    targets: Vec<f32>,
    width: usize,
    target_width: usize,
    device: &Device,
) -> RegressionBatch {
    let n = targets.len() / target_width.max(1);
    RegressionBatch {
        inputs: Tensor::from_data(TensorData::new(features, [n, width]), device),
        targets: Tensor::from_data(TensorData::new(targets, [n, target_width]), device),
    }
}

/// Builds [`RegressionBatch`]es from [`Rows`] with real-valued targets.
#[derive(Debug, Clone)]
pub struct RegressionBatcher {
    rows: Arc<Rows>,
}

impl RegressionBatcher {
    /// A batcher over `rows`.
    ///
    /// # Panics
    /// If `rows` have no real-valued targets.
    pub fn new(rows: Arc<Rows>) -> Self {
        assert!(
            rows.values().is_some(),
            "RegressionBatcher needs real-valued targets"
        );
        Self { rows }
    }

    /// The batch of the given rows, in that order.
    pub fn gather(&self, indices: &[usize], device: &Device) -> RegressionBatch {
        let width = self.rows.width();
        let (values, target_width) = self.rows.values().unwrap_or((&[], 1));
        let mut features = Vec::with_capacity(indices.len() * width);
        let mut targets = Vec::with_capacity(indices.len() * target_width);
        for &i in indices {
            features.extend_from_slice(self.rows.features(i));
            targets.extend_from_slice(&values[i * target_width..(i + 1) * target_width]);
        }
        regression_batch(features, targets, width, target_width, device)
    }

    /// The batch of a contiguous run of rows (one copy, no gathering).
    pub fn block(&self, range: Range<usize>, device: &Device) -> RegressionBatch {
        let width = self.rows.width();
        let (values, target_width) = self.rows.values().unwrap_or((&[], 1));
        let features = self.rows.feature_block(range.clone()).to_vec();
        let targets = values[range.start * target_width..range.end * target_width].to_vec();
        regression_batch(features, targets, width, target_width, device)
    }
}

impl Batcher<usize, RegressionBatch> for RegressionBatcher {
    fn batch(&self, items: Vec<usize>, device: &Device) -> RegressionBatch {
        self.gather(&items, device)
    }
}

impl Batcher<usize, ClassificationBatch> for ClassificationBatcher {
    fn batch(&self, items: Vec<usize>, device: &Device) -> ClassificationBatch {
        self.gather(&items, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_the_selected_rows_in_order() {
        let rows = Rows::classified(vec![0., 1., 10., 11., 20., 21.], 2, vec![2, 0, 1], 3);
        let batcher = ClassificationBatcher::new(Arc::new(rows));
        let device = Device::flex();
        let batch = batcher.batch(vec![2, 0], &device);
        assert_eq!(
            batch.inputs.to_data().try_to_vec::<f32>().unwrap(),
            vec![20., 21., 0., 1.]
        );
        assert_eq!(
            batch.targets.to_data().iter::<i64>().collect::<Vec<_>>(),
            vec![1, 2]
        );
        let block = batcher.block(1..3, &device);
        assert_eq!(block.inputs.dims(), [2, 2]);
        assert_eq!(
            block.targets.to_data().iter::<i64>().collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn regression_batches_carry_every_target_column() {
        let rows = Rows::regression(
            vec![0., 1., 10., 11., 20., 21.],
            2,
            vec![1., 2., 3., 4., 5., 6.],
            2,
        );
        let batcher = RegressionBatcher::new(Arc::new(rows));
        let device = Device::flex();
        let batch = batcher.batch(vec![2, 0], &device);
        assert_eq!(batch.inputs.dims(), [2, 2]);
        assert_eq!(
            batch.targets.to_data().try_to_vec::<f32>().unwrap(),
            vec![5., 6., 1., 2.]
        );
        let block = batcher.block(1..3, &device);
        assert_eq!(block.targets.dims(), [2, 2]);
        assert_eq!(
            block.targets.to_data().try_to_vec::<f32>().unwrap(),
            vec![3., 4., 5., 6.]
        );
    }
}
