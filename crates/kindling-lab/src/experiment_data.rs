//! The data an experiment's trials share, loaded once: every trial trains and validates on the
//! same rows.

use kindling_data::Rows;
use kindling_data::mnist::{self, MnistSet};
use kindling_models::{Activation, DenseStackConfig, DigitNetConfig};
use kindling_train::TrainError;
use kindling_train::recipe::ModelKind;
use kindling_train::tabular::{PreparedTable, TabularTask, model_config};
use std::path::Path;
use std::sync::Arc;

/// A task an experiment can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentTask {
    /// MNIST digits (the training file; the test set plays no part in experiments).
    Mnist,
    /// A table task.
    Table(TabularTask),
}

impl ExperimentTask {
    /// The task's name.
    pub fn name(self) -> &'static str {
        match self {
            ExperimentTask::Mnist => "mnist",
            ExperimentTask::Table(task) => task.name(),
        }
    }

    /// Classifier or regressor.
    pub fn kind(self) -> ModelKind {
        match self {
            ExperimentTask::Mnist => ModelKind::Classifier,
            ExperimentTask::Table(task) => task.kind(),
        }
    }

    /// The data set to download, for tasks read from files.
    pub fn dataset(self) -> Option<&'static str> {
        match self {
            ExperimentTask::Mnist => Some("mnist"),
            ExperimentTask::Table(task) => task.dataset(),
        }
    }
}

/// The rows every trial of an experiment shares.
#[derive(Debug, Clone)]
pub struct ExperimentData {
    /// The task.
    pub task: ExperimentTask,
    /// The rows, features scaled as the task's `train` does by default.
    pub rows: Arc<Rows>,
    /// What the loader repaired in the file, to tell the user.
    pub notes: Vec<String>,
}

impl ExperimentData {
    /// Loads `task`'s data from `data_dir`: MNIST's training images, or the task's table with
    /// its default scaling (see [`TabularTask::default_scale`]) fitted on the rows before the
    /// validation split `split_fraction`, as `train` does.
    pub fn load(
        task: ExperimentTask,
        data_dir: &Path,
        split_fraction: f64,
    ) -> Result<Self, TrainError> {
        let (rows, notes) = match task {
            ExperimentTask::Mnist => (
                Arc::new(mnist::load(data_dir, MnistSet::Train)?),
                Vec::new(),
            ),
            ExperimentTask::Table(table_task) => {
                let scale = table_task.default_scale();
                let table = PreparedTable::load(table_task, data_dir, scale, split_fraction)?;
                (table.rows, table.notes)
            }
        };
        Ok(Self { task, rows, notes })
    }

    /// The task's network with these hidden widths (ReLU), sized for these rows.
    pub fn model(&self, hidden: &[usize]) -> DenseStackConfig {
        match self.task {
            ExperimentTask::Mnist => DigitNetConfig::new().with_hidden(hidden.to_vec()).stack(),
            ExperimentTask::Table(task) => {
                model_config(task, self.rows.width(), hidden, Activation::Relu)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_data::split::validation_split;

    #[test]
    fn synthetic_tables_load_with_their_default_scaling() {
        let dir = tempfile::tempdir().unwrap();
        let drug = ExperimentTask::Table(TabularTask::Drug);
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
        assert_eq!(ExperimentTask::Mnist.name(), "mnist");
    }
}
