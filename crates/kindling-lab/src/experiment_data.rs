//! The data an experiment's trials share, loaded once: every trial trains and validates on the
//! same rows.

use kindling_data::Rows;
use kindling_data::mnist::{self, MnistSet};
use kindling_models::{Activation, DenseStackConfig};
use kindling_train::TrainError;
use kindling_train::tabular::PreparedTable;
use kindling_train::{HiddenLayers, Task};
use std::path::Path;
use std::sync::Arc;

/// The rows every trial of an experiment shares.
#[derive(Debug, Clone)]
pub struct ExperimentData {
    /// The task.
    pub task: Task,
    /// The rows, features scaled as the task's `train` does by default.
    pub rows: Arc<Rows>,
    /// What the loader repaired in the file, to tell the user.
    pub notes: Vec<String>,
}

impl ExperimentData {
    /// Loads `task`'s data from `data_dir`: MNIST's training images, or the task's table with
    /// its default scaling (see [`Task::default_scale`]) fitted on the rows before the
    /// validation split `split_fraction`, as `train` does.
    pub fn load(task: Task, data_dir: &Path, split_fraction: f64) -> Result<Self, TrainError> {
        let (rows, notes) = match task {
            Task::Mnist => (
                Arc::new(mnist::load(data_dir, MnistSet::Train)?),
                Vec::new(),
            ),
            _ => {
                let scale = task.default_scale();
                let table = PreparedTable::load(task, data_dir, scale, split_fraction)?;
                (table.rows, table.notes)
            }
        };
        Ok(Self { task, rows, notes })
    }

    /// The task's network with these hidden widths (ReLU), sized for these rows.
    pub fn model(&self, hidden: &[usize]) -> DenseStackConfig {
        self.task.model(
            self.rows.width(),
            &HiddenLayers::new(hidden, Activation::Relu),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_data::split::validation_split;
    use kindling_train::recipe::ModelKind;

    #[test]
    fn synthetic_tables_load_with_their_default_scaling() {
        let dir = tempfile::tempdir().unwrap();
        let drug = Task::Drug;
        let data = ExperimentData::load(drug, dir.path(), 0.3).unwrap();
        assert_eq!(drug.kind(), ModelKind::Classifier);
        assert_eq!(drug.dataset(), None);
        // Min-max scaled on the training part: those rows span exactly [0, 1].
        let train = validation_split(data.rows.len(), 0.3).unwrap().train;
        let ages = data.rows.feature_block(train);
        let (lo, hi) = ages
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        assert_eq!((lo, hi), (0.0, 1.0));
        let model = data.model(&[16, 32]);
        assert_eq!((model.input, model.output), (1, 2));
        assert_eq!(Task::Mnist.name(), "mnist");
    }
}
