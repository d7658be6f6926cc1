//! The course's tasks, in one place: each task's data source, kind, model and training
//! defaults. `train`, the experiments, `summary TASK` and the Keras API all read them here.
//!
//! Input widths are never written down: they come from the data (see [`Task::input_width`]).

use crate::error::TrainError;
use crate::options::{FitOptions, OptimizerKind};
use crate::recipe::ModelKind;
use kindling_data::mnist::{self, MnistSet};
use kindling_data::scale::ScaleKind;
use kindling_data::tabular::{self, Tabular};
use kindling_data::{shot_log, synthetic};
use kindling_models::{
    Activation, DenseStackConfig, DigitNetConfig, Head, ShotClassifierConfig, WeightInit,
};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Seed of the synthetic data sets: fixed, so that runs are compared on the same data.
const SYNTHETIC_SEED: u64 = 0;

/// A task of the course: a data set, what to predict from it, and the course's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// MNIST digits: 784-50-50-10 ReLU net, Adam 0.001, 10 epochs.
    Mnist,
    /// Hourly wages: regress `wage_per_hour` (Dense(50, relu) → Dense(32, relu) → Dense(1),
    /// Adam, 30 epochs, raw features).
    Wages,
    /// Titanic: classify `survived` (Dense(32, relu) → Dense(2, softmax), SGD at 0.01,
    /// 10 epochs).
    Titanic,
    /// The NBA shot log of 2014-15: classify SHOT_RESULT from ten features (Dense(100, relu)
    /// ×3 → Dense(2, softmax), Adam, 10 epochs, standard-scaled; see
    /// [`kindling_data::shot_log`]).
    Shots,
    /// Synthetic bank transactions: regress next year's transactions from children and
    /// accounts (Dense(100, relu) ×2 → Dense(1), Adam, 30 epochs).
    Bank,
    /// Synthetic drug trial: classify side effects from age (Dense(16) → Dense(32) →
    /// Dense(2, softmax), Adam, 30 epochs, min-max scaled).
    Drug,
}

/// Keras's fit options with these `epochs` and `optimizer`, at `learning_rate` or the
/// optimizer's default rate.
pub fn fit_options(
    epochs: usize,
    optimizer: OptimizerKind,
    learning_rate: Option<f64>,
) -> FitOptions {
    FitOptions {
        epochs,
        optimizer,
        learning_rate: learning_rate.unwrap_or_else(|| optimizer.default_learning_rate()),
        ..FitOptions::default()
    }
}

/// The network of a `kind` of model with `inputs` features, `outputs` outputs (classes, or
/// target values) and these hidden `layers`: a softmax head for a classifier, a linear one for a
/// regressor (the course's `RegressionMlp`).
pub fn network(
    kind: ModelKind,
    inputs: usize,
    outputs: usize,
    layers: &HiddenLayers,
) -> DenseStackConfig {
    let first = layers
        .activations
        .first()
        .copied()
        .unwrap_or(Activation::Relu);
    let uniform = DenseStackConfig::uniform(inputs, &layers.widths, first, outputs);
    let uniform = match kind {
        ModelKind::Classifier => uniform,
        ModelKind::Regressor => uniform.with_head(Head::Linear),
    };
    uniform
        .with_hidden_activations(&layers.activations)
        .with_initializer(layers.initializer)
}

/// The hidden layers a task's network is built with (the task gives the input and the head).
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenLayers {
    /// Each hidden layer's width, first to last.
    pub widths: Vec<usize>,
    /// One activation for every hidden layer, or one per layer (`--activation relu,tanh`); a
    /// count that is neither is refused when the network is validated.
    pub activations: Vec<Activation>,
    /// How the weights start.
    pub initializer: WeightInit,
}

impl HiddenLayers {
    /// Layers of these widths, all with `activation`, Glorot-uniform weights.
    pub fn new(widths: &[usize], activation: Activation) -> Self {
        Self {
            widths: widths.to_vec(),
            activations: vec![activation],
            initializer: WeightInit::default(),
        }
    }
}

impl Task {
    /// Every task, in the order the help text lists them.
    pub const ALL: [Task; 6] = [
        Task::Mnist,
        Task::Wages,
        Task::Titanic,
        Task::Shots,
        Task::Bank,
        Task::Drug,
    ];

    /// The tasks whose data is a table (every task but MNIST).
    pub const TABLES: [Task; 5] = [
        Task::Wages,
        Task::Titanic,
        Task::Shots,
        Task::Bank,
        Task::Drug,
    ];

    /// The task's name, on the command line and in run directories.
    pub fn name(self) -> &'static str {
        match self {
            Task::Mnist => "mnist",
            Task::Wages => "wages",
            Task::Titanic => "titanic",
            Task::Shots => "shots",
            Task::Bank => "bank",
            Task::Drug => "drug",
        }
    }

    /// One line on the task and the course's settings for it, for help texts.
    pub fn description(self) -> &'static str {
        match self {
            Task::Mnist => "MNIST digits: 784-50-50-10 ReLU net, Adam 0.001, 10 epochs",
            Task::Wages => {
                "Hourly wages regression: 50-32-1 ReLU, Adam 0.001, 30 epochs, raw features"
            }
            Task::Titanic => "Titanic survival: 32-2 softmax, SGD 0.01, 10 epochs",
            Task::Shots => {
                "NBA shot log 2014-15 (shot_logs.csv from Kaggle, saved by hand): made or missed, 100-100-100-2 softmax, Adam 0.001, 10 epochs, standard-scaled"
            }
            Task::Bank => "Synthetic bank transactions: 100-100-1 ReLU, Adam, 30 epochs",
            Task::Drug => {
                "Synthetic drug trial: age, 16-32-2 softmax, Adam, 30 epochs, min-max scaled"
            }
        }
    }

    /// Whether the task's data is a table (every task but MNIST).
    pub fn is_table(self) -> bool {
        self != Task::Mnist
    }

    /// Classifier or regressor.
    pub fn kind(self) -> ModelKind {
        match self {
            Task::Wages | Task::Bank => ModelKind::Regressor,
            Task::Mnist | Task::Titanic | Task::Shots | Task::Drug => ModelKind::Classifier,
        }
    }

    /// The course model's hidden widths.
    pub fn default_hidden(self) -> Vec<usize> {
        match self {
            Task::Mnist => DigitNetConfig::new().hidden,
            Task::Wages => vec![50, 32],
            Task::Titanic => vec![32],
            Task::Shots => vec![100, 100, 100],
            Task::Bank => vec![100, 100],
            Task::Drug => vec![16, 32],
        }
    }

    /// The course's number of epochs.
    pub fn default_epochs(self) -> usize {
        match self {
            Task::Wages | Task::Bank | Task::Drug => 30,
            Task::Mnist | Task::Titanic | Task::Shots => 10,
        }
    }

    /// The course's optimizer.
    pub fn default_optimizer(self) -> OptimizerKind {
        match self {
            Task::Titanic => OptimizerKind::Sgd,
            _ => OptimizerKind::Adam,
        }
    }

    /// The course's fit options for this task (its epochs, its optimizer at that optimizer's
    /// default learning rate, Keras's defaults otherwise), with the epochs, optimizer and
    /// learning rate given overriding them.
    pub fn fit_options(
        self,
        epochs: Option<usize>,
        optimizer: Option<OptimizerKind>,
        learning_rate: Option<f64>,
    ) -> FitOptions {
        fit_options(
            epochs.unwrap_or_else(|| self.default_epochs()),
            optimizer.unwrap_or_else(|| self.default_optimizer()),
            learning_rate,
        )
    }

    /// The course's feature scaling for a table: the drug trial's ages are min-max scaled. The
    /// shot log is standard-scaled: its GAME_CLOCK runs to 720 s while the other features are
    /// 0/1 or a few units to a few tens (period, dribbles, seconds of touch time, distances in
    /// feet), so unscaled the clock would dominate the first layer's sums; a z-score puts every
    /// feature on the same footing, and the scaler is fitted on the training rows only.
    /// MNIST's pixels are divided by 255 as they are read, and scaled no further.
    pub fn default_scale(self) -> ScaleKind {
        match self {
            Task::Drug => ScaleKind::Minmax,
            Task::Shots => ScaleKind::Standard,
            _ => ScaleKind::None,
        }
    }

    /// The data set's name in the download manifest, for tasks read from files.
    pub fn dataset(self) -> Option<&'static str> {
        match self {
            Task::Mnist | Task::Wages | Task::Titanic | Task::Shots => Some(self.name()),
            Task::Bank | Task::Drug => None,
        }
    }

    /// The task's network with `inputs` features, these hidden `layers`, and the task's head
    /// (softmax over its classes, or one linear output).
    pub fn model(self, inputs: usize, layers: &HiddenLayers) -> DenseStackConfig {
        match (self, self.kind()) {
            (Task::Mnist, _) => network(
                ModelKind::Classifier,
                inputs,
                DigitNetConfig::CLASSES,
                layers,
            ),
            (_, ModelKind::Regressor) => network(ModelKind::Regressor, inputs, 1, layers),
            (_, ModelKind::Classifier) => network(
                ModelKind::Classifier,
                inputs,
                ShotClassifierConfig::new(inputs).classes,
                layers,
            ),
        }
    }

    /// The number of features an example of this task has, read from its data in `data_dir`
    /// (the synthetic sets are generated).
    pub fn input_width(self, data_dir: &Path) -> Result<usize, TrainError> {
        match self {
            Task::Mnist => Ok(mnist::load(data_dir, MnistSet::Test)?.width()),
            _ => Ok(self.load_table(data_dir)?.rows.width()),
        }
    }

    /// The course's network for this task, as `train` builds it by default.
    pub fn default_model(self, data_dir: &Path) -> Result<DenseStackConfig, TrainError> {
        let inputs = self.input_width(data_dir)?;
        Ok(self.model(
            inputs,
            &HiddenLayers::new(&self.default_hidden(), Activation::Relu),
        ))
    }

    /// Loads the task's table from `data_dir` (the synthetic sets are generated from seed 0,
    /// so every run sees the same data). MNIST is not a table: it is refused.
    pub fn load_table(self, data_dir: &Path) -> Result<Tabular, TrainError> {
        Ok(match self {
            Task::Mnist => {
                return Err(TrainError::InvalidOption {
                    name: "task",
                    value: self.name().into(),
                    reason: format!(
                        "not a table task; expected one of: {}",
                        names(&Task::TABLES)
                    ),
                });
            }
            Task::Wages => tabular::wages(data_dir)?,
            Task::Titanic => tabular::titanic(data_dir)?,
            Task::Shots => shot_log::shot_log(data_dir)?,
            Task::Bank => synthetic::bank(SYNTHETIC_SEED),
            Task::Drug => synthetic::drug_trial(SYNTHETIC_SEED),
        })
    }
}

/// `tasks`' names, comma-separated.
pub fn names(tasks: &[Task]) -> String {
    tasks
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Task {
    type Err = String;

    /// A task by its name, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Task::ALL
            .into_iter()
            .find(|t| t.name() == lower)
            .ok_or_else(|| format!("unknown task `{s}`; expected one of: {}", names(&Task::ALL)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_unknown_ones_list_the_tasks() {
        for task in Task::ALL {
            assert_eq!(task.name().parse::<Task>(), Ok(task));
        }
        assert_eq!("Wages".parse::<Task>(), Ok(Task::Wages));
        let err = "iris".parse::<Task>().unwrap_err();
        assert!(
            err.contains("mnist, wages, titanic, shots, bank, drug"),
            "{err}"
        );
    }

    #[test]
    fn input_widths_come_from_the_data() {
        let dir = tempfile::tempdir().unwrap();
        // The synthetic sets need no files.
        assert_eq!(Task::Bank.input_width(dir.path()).unwrap(), 2);
        assert_eq!(Task::Drug.input_width(dir.path()).unwrap(), 1);
        let model = Task::Bank.default_model(dir.path()).unwrap();
        assert_eq!(
            (model.input, model.hidden.clone(), model.output),
            (2, vec![100, 100], 1)
        );
        // A table task whose file is missing says which file.
        let err = Task::Wages.input_width(dir.path()).unwrap_err().to_string();
        assert!(err.contains("hourly_wages"), "{err}");
        let err = Task::Mnist.load_table(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a table task"), "{err}");
    }
}
