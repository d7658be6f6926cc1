//! `kindling`: train, download and inspect the course's models.

mod backend;
mod compare;
mod download;
mod experiment_setup;
mod run_commands;
mod sweep_lr;
mod train;
mod walkthrough;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Kindling: the deep-learning course's models, in Rust on Burn.
#[derive(Debug, Parser)]
#[command(name = "kindling", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train a model and write a run directory.
    Train(train::TrainArgs),
    /// Score a saved model again on its validation split (and test set).
    Evaluate(run_commands::EvaluateArgs),
    /// Predict with a saved model for every row of a CSV file.
    Predict(run_commands::PredictArgs),
    /// Print a Keras-style summary of a run's model or a task's default model.
    Summary(run_commands::SummaryArgs),
    /// Download data sets from their official sources.
    Download(download::DownloadArgs),
    /// Train one model at several learning rates from the same initial weights (ok, diverged
    /// or stalled), or run a learning-rate range test.
    SweepLr(sweep_lr::SweepLrArgs),
    /// Deeper against wider: train several hidden-layer layouts with early stopping, side by
    /// side.
    Compare(compare::CompareArgs),
    /// Print the from-scratch chapter step by step: forward propagation, activations, loss,
    /// gradient descent, backpropagation, SGD, the perceptron.
    Walkthrough(walkthrough::WalkthroughArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Evaluate(args) => run_commands::evaluate(args),
        Command::Predict(args) => run_commands::predict(args),
        Command::Summary(args) => run_commands::summary(args),
        Command::Download(args) => download::run(args),
        Command::Walkthrough(args) => walkthrough::run(args),
        Command::SweepLr(args) => sweep_lr::run(args),
        Command::Compare(args) => compare::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
