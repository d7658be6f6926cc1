//! `kindling`: train, download and inspect the course's models.

#[cfg(any(feature = "wgpu", test))]
mod adapters;
mod backend;
mod bench;
mod capacity;
mod compare;
mod csv_args;
mod download;
mod exit;
mod experiment_setup;
mod export;
mod info;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
mod kernel_cache;
mod kit_args;
#[cfg(feature = "playground")]
mod playground;
mod run_commands;
mod shared_args;
mod show_weights;
mod signals;
mod sweep_lr;
mod train;
mod tune;
mod walkthrough;
mod watchdog;
#[cfg(feature = "wgpu")]
mod wgpu_device;

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
    /// Write a run's weights as safetensors, for PyTorch and other tools.
    Export(export::ExportArgs),
    /// Print a Keras-style summary of a run's model or a task's default model.
    Summary(run_commands::SummaryArgs),
    /// Time training and inference of the MNIST net on the compiled backend.
    Bench(bench::BenchArgs),
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
    /// Add capacity step by step (wider, then deeper) until the validation score stops
    /// improving; print each step and the chosen architecture.
    Capacity(capacity::CapacityArgs),
    /// Search hidden layers, widths, activation, optimizer, learning rate and batch size
    /// (grid, random or TPE); keep the best trial as a run directory.
    Tune(tune::TuneArgs),
    /// Draw the first dense layer of an MNIST run as a grid of 28×28 images.
    ShowWeights(show_weights::ShowWeightsArgs),
    /// Print the backend, the device or GPU adapter and its driver, the CPU features the fused
    /// engine uses, the data directory and the versions: the first thing a bug report needs.
    Info(info::InfoArgs),
    /// Serve the TensorFlow Playground in the browser, trained live by Kindling: pick a data
    /// set, features and layers, press play, watch every neuron learn.
    #[cfg(feature = "playground")]
    Playground(playground::PlaygroundArgs),
}

impl Command {
    /// Whether the command trains models (and so stops at the end of a batch on Ctrl-C).
    fn trains(&self) -> bool {
        matches!(
            self,
            Command::Train(_)
                | Command::Compare(_)
                | Command::SweepLr(_)
                | Command::Tune(_)
                | Command::Capacity(_)
                | Command::Bench(_)
        )
    }

    /// Whether the command computes on the backend's device (and so needs it opened and
    /// checked, and the watchdog, before it starts). The playground's server waits for
    /// browsers as long as it runs, which the watchdog would take for a stall.
    fn uses_device(&self) -> bool {
        !matches!(
            self,
            Command::Download(_) | Command::Walkthrough(_) | Command::Summary(_) | Command::Info(_)
        ) && !self.serves()
    }

    /// Whether the command is the playground's server.
    fn serves(&self) -> bool {
        #[cfg(feature = "playground")]
        if matches!(self, Command::Playground(_)) {
            return true;
        }
        false
    }
}

fn main() -> ExitCode {
    exit::install_panic_hook();
    let cli = Cli::parse();
    if cli.command.uses_device()
        && let Err(error) = backend::prepare()
    {
        return exit::finish(Err(error));
    }
    if cli.command.trains() {
        signals::stop_training_on_signal();
    }
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Evaluate(args) => run_commands::evaluate(args),
        Command::Predict(args) => run_commands::predict(args),
        Command::Summary(args) => run_commands::summary(args),
        Command::Bench(args) => bench::run(args),
        Command::Export(args) => export::run(args),
        Command::Download(args) => download::run(args),
        Command::Walkthrough(args) => walkthrough::run(args),
        Command::Capacity(args) => capacity::run(args),
        Command::Tune(args) => tune::run(args),
        Command::ShowWeights(args) => show_weights::run(args),
        Command::SweepLr(args) => sweep_lr::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Info(args) => info::run(args),
        #[cfg(feature = "playground")]
        Command::Playground(args) => playground::run(args),
    };
    exit::finish(result)
}
