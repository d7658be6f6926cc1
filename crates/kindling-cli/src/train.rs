//! `kindling train`.

use crate::backend;
use crate::experiment_setup::{self, check_widths, experiment_task, fetch_data_dir, out_dir};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kindling_data::scale::ScaleKind;
use kindling_data::shot_log;
use kindling_models::{Activation, DenseStackConfig, DigitNetConfig};
use kindling_train::mnist::train_mnist;
use kindling_train::recipe::RunSetup;
use kindling_train::run_dir::RunMetrics;
use kindling_train::tabular::{TabularTask, model_config, train_tabular};
use kindling_train::{Engine, FitOptions, OptimizerKind, Regularization};
use std::path::PathBuf;

/// The tasks `train` knows, with the course's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// MNIST digits: 784-50-50-10 ReLU net, Adam 0.001, 10 epochs.
    Mnist,
    /// Hourly wages regression: 9 features, 50-32-1 ReLU, Adam 0.001, 30 epochs, raw features.
    Wages,
    /// Titanic survival: 10 features, 32-2 softmax, SGD 0.01, 10 epochs.
    Titanic,
    /// NBA shot log 2014-15 (shot_logs.csv from Kaggle, saved by hand): made or missed from 10
    /// features, 100-100-100-2 softmax, Adam 0.001, 10 epochs, standard-scaled.
    Shots,
    /// Synthetic bank transactions: 2 features, 100-100-1 ReLU, Adam, 30 epochs.
    Bank,
    /// Synthetic drug trial: age, 16-32-2 softmax, Adam, 30 epochs, min-max scaled.
    Drug,
}

impl Task {
    /// The name used for files and the manifest.
    pub fn name(self) -> &'static str {
        experiment_task(self).name()
    }

    pub(crate) fn tabular(self) -> Option<TabularTask> {
        match self {
            Task::Mnist => None,
            Task::Wages => Some(TabularTask::Wages),
            Task::Titanic => Some(TabularTask::Titanic),
            Task::Shots => Some(TabularTask::Shots),
            Task::Bank => Some(TabularTask::Bank),
            Task::Drug => Some(TabularTask::Drug),
        }
    }

    pub(crate) fn default_hidden(self) -> Vec<usize> {
        self.tabular()
            .map_or_else(|| DigitNetConfig::new().hidden, TabularTask::default_hidden)
    }

    fn default_epochs(self) -> usize {
        self.tabular().map_or(10, TabularTask::default_epochs)
    }

    fn default_optimizer(self) -> OptimizerKind {
        self.tabular()
            .map_or(OptimizerKind::Adam, TabularTask::default_optimizer)
    }

    /// The task's network with its default architecture, for `summary TASK`.
    pub fn default_model(self) -> DenseStackConfig {
        match self.tabular() {
            None => DigitNetConfig::new().stack(),
            Some(task) => {
                let inputs = match task {
                    TabularTask::Wages => 9,
                    TabularTask::Titanic => 10,
                    TabularTask::Shots => shot_log::FEATURES.len(),
                    TabularTask::Bank => 2,
                    TabularTask::Drug => 1,
                };
                model_config(task, inputs, &task.default_hidden(), Activation::Relu)
            }
        }
    }
}

/// Arguments of `kindling train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// What to train (each with the course's model and settings).
    task: Task,
    /// Maximum number of epochs [default: mnist 10, wages 30, titanic 10, shots 10, bank 30,
    /// drug 30].
    #[arg(long)]
    epochs: Option<usize>,
    /// Examples per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Optimizer: adam or sgd [default: sgd for titanic, adam otherwise].
    #[arg(long)]
    optimizer: Option<OptimizerKind>,
    /// Learning rate [default: 0.001 for adam, 0.01 for sgd].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Fraction held out for validation: the LAST rows of the training data, before shuffling
    /// (Keras's validation_split).
    #[arg(long, default_value_t = 0.3, allow_hyphen_values = true)]
    validation_split: f64,
    /// Stop after this many epochs without a lower validation loss; the best epoch's weights
    /// are kept either way.
    #[arg(long)]
    patience: Option<usize>,
    /// Seed of the initial weights and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Hidden layer widths, comma-separated [default: mnist 50,50, wages 50,32, titanic 32,
    /// shots 100,100,100, bank 100,100, drug 16,32].
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Activation of the hidden layers: relu, tanh, sigmoid or identity.
    #[arg(long, default_value = "relu")]
    activation: Activation,
    /// Dropout rate after each hidden layer, in [0, 1) (a remedy for overfitting).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    dropout: f64,
    /// L2 weight regularization: this factor times the sum of squared weights joins the loss.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    l2: f64,
    /// Feature scaling for tables, fitted on the training rows: standard, minmax or none
    /// [default: minmax for drug, standard for shots, none otherwise].
    #[arg(long)]
    scale: Option<ScaleKind>,
    /// Data directory [default: $KINDLING_DATA_DIR, else the workspace's data/].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Run directory [default: runs/<task>-<timestamp>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing while training.
    #[arg(long, short)]
    quiet: bool,
    /// Training loop: auto (fused on CPU backends, burn's Learner on GPUs), fused or learner.
    #[arg(long, default_value = "auto")]
    engine: Engine,
    /// Record each layer's gradient norm and dead ReLU units per epoch (history.csv columns,
    /// gradient_norms.png, dead_relu.png).
    #[arg(long)]
    diagnostics: bool,
}

/// Trains the task and reports where the run directory is.
pub fn run(args: TrainArgs) -> Result<()> {
    let task = args.task;
    let optimizer = args.optimizer.unwrap_or_else(|| task.default_optimizer());
    let options = FitOptions {
        epochs: args.epochs.unwrap_or_else(|| task.default_epochs()),
        batch_size: args.batch_size,
        optimizer,
        learning_rate: args.lr.unwrap_or_else(|| optimizer.default_learning_rate()),
        validation_split: args.validation_split,
        patience: args.patience,
        seed: args.seed,
        engine: args.engine,
        diagnostics: args.diagnostics,
    };
    options.validate()?;
    let hidden = args.hidden.unwrap_or_else(|| task.default_hidden());
    check_widths("--hidden", &hidden)?;
    let scale = args.scale.unwrap_or_else(|| {
        task.tabular()
            .map_or(ScaleKind::None, TabularTask::default_scale)
    });
    if task == Task::Mnist && scale != ScaleKind::None {
        anyhow::bail!("--scale applies to tables; MNIST pixels are already scaled to [0, 1]");
    }

    let regularization = Regularization {
        dropout: args.dropout,
        l2: args.l2,
    };
    regularization
        .apply(DenseStackConfig::uniform(1, &hidden, args.activation, 1))
        .validate()
        .context("invalid --dropout or --l2")?;

    let dataset = experiment_task(task).dataset();
    let data_dir = fetch_data_dir(args.data_dir.as_deref(), dataset)?;
    let out = out_dir(args.out, task.name());
    let verbosity = experiment_setup::verbosity(args.quiet);
    let device = backend::device();
    let setup = RunSetup {
        data_dir: &data_dir,
        out: &out,
        backend: backend::name(),
        device: &device,
        verbosity,
    };
    let metrics = match task.tabular() {
        None => {
            let model = DigitNetConfig::new()
                .with_hidden(hidden)
                .with_activation(args.activation);
            train_mnist(&model, regularization, &options, setup)?
        }
        Some(table) => {
            let (metrics, notes) = train_tabular(
                table,
                &hidden,
                args.activation,
                regularization,
                scale,
                &options,
                setup,
            )
            .with_context(|| format!("training {}", task.name()))?;
            for note in notes {
                eprintln!("note: {note}");
            }
            metrics
        }
    };
    for warning in &metrics.warnings {
        eprintln!("warning: {warning}");
    }
    if !args.quiet {
        println!("{}", closing_line(&metrics));
        println!("Run directory: {}", out.display());
    }
    Ok(())
}

/// "Best epoch 7/10: val_loss 0.1733, val_accuracy 0.9530; test accuracy 0.9544 (flex backend)"
fn closing_line(metrics: &RunMetrics) -> String {
    let mut line = format!(
        "Best epoch {}/{}: val_loss {:.4}",
        metrics.best_epoch, metrics.epochs_run, metrics.val_loss
    );
    if let Some(accuracy) = metrics.val_accuracy {
        line.push_str(&format!(", val_accuracy {accuracy:.4}"));
    }
    if let Some(accuracy) = metrics.test_accuracy {
        line.push_str(&format!("; test accuracy {accuracy:.4}"));
    }
    line.push_str(&format!(
        " ({} backend, {} engine)",
        metrics.backend, metrics.engine
    ));
    line
}
