//! `kindling train`.

use crate::backend;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kindling_data::DataDir;
use kindling_data::download::{Existing, Manifest, ensure};
use kindling_models::{Activation, DigitNetConfig};
use kindling_train::mnist::train_mnist;
use kindling_train::{FitOptions, OptimizerKind, Verbosity};
use std::path::PathBuf;

/// The tasks `train` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// MNIST digits with the course's 784-50-50-10 net (Adam 1e-3, 10 epochs, batch 32).
    Mnist,
}

impl Task {
    fn name(self) -> &'static str {
        match self {
            Task::Mnist => "mnist",
        }
    }
}

/// Arguments of `kindling train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// What to train.
    task: Task,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Examples per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Optimizer: adam or sgd.
    #[arg(long, default_value = "adam")]
    optimizer: OptimizerKind,
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
    /// Hidden layer widths, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "50,50")]
    hidden: Vec<usize>,
    /// Activation of the hidden layers: relu, tanh, sigmoid or identity.
    #[arg(long, default_value = "relu")]
    activation: Activation,
    /// Data directory [default: $KINDLING_DATA_DIR, else the workspace's data/].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Run directory [default: runs/<task>-<timestamp>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing while training.
    #[arg(long, short)]
    quiet: bool,
}

/// Trains the task and reports where the run directory is.
pub fn run(args: TrainArgs) -> Result<()> {
    let options = FitOptions {
        epochs: args.epochs,
        batch_size: args.batch_size,
        optimizer: args.optimizer,
        learning_rate: args
            .lr
            .unwrap_or_else(|| args.optimizer.default_learning_rate()),
        validation_split: args.validation_split,
        patience: args.patience,
        seed: args.seed,
    };
    options.validate()?;
    let model = DigitNetConfig::new()
        .with_hidden(args.hidden)
        .with_activation(args.activation);
    model.stack().validate().context("invalid --hidden")?;

    let data_dir = DataDir::resolve(args.data_dir.as_deref());
    let manifest = Manifest::builtin()?;
    ensure(
        data_dir.path(),
        &manifest.files(args.task.name())?,
        Existing::Keep,
    )?;

    let out = args.out.unwrap_or_else(|| {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        PathBuf::from("runs").join(format!("{}-{stamp}", args.task.name()))
    });
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Auto
    };
    let device = backend::device();
    let metrics = match args.task {
        Task::Mnist => train_mnist(
            &model,
            &options,
            data_dir.path(),
            &out,
            backend::name(),
            &device,
            verbosity,
        )?,
    };
    if !args.quiet {
        println!(
            "Best epoch {}/{}: val_loss {:.4}, val_accuracy {:.4}; test accuracy {:.4} ({} backend)",
            metrics.best_epoch,
            metrics.epochs_run,
            metrics.val_loss,
            metrics.val_accuracy,
            metrics.test_accuracy,
            metrics.backend
        );
        println!("Run directory: {}", out.display());
    }
    Ok(())
}
