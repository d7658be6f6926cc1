//! `kindling sweep-lr`: one model at several learning rates, or a learning-rate range test.

use crate::backend;
use crate::experiment_setup::{
    check_widths, load_data, out_dir, pick_task, print_results, print_warnings, task_parser,
    verbosity,
};
use crate::shared_args::{IoArgs, SplitArgs};
use anyhow::Result;
use clap::Args;
use kindling_lab::range_test::{RANGE_TEST_PNG, RangeTestSettings, check_range, range_test};
use kindling_lab::sweep::{LOSSES_PNG, SweepSettings, check_learning_rates, sweep_learning_rates};
use kindling_train::recipe::RunSetup;
use kindling_train::{FitOptions, OptimizerKind, Task};

/// Arguments of `kindling sweep-lr`.
#[derive(Debug, Args)]
#[command(mut_arg("seed", |a| a.help("Seed of the initial weights (the same for every learning rate) and the shuffling")))]
#[command(mut_arg("out", |a| a.help("Experiment directory [default: runs/sweep-lr-<timestamp>]")))]
pub struct SweepLrArgs {
    /// The task [default: titanic, with the course's Dense(100) ×2 classifier].
    #[arg(value_parser = task_parser(&Task::ALL))]
    task: Option<Task>,
    /// The task, as an option (same as the positional argument).
    #[arg(long = "task", value_name = "TASK", value_parser = task_parser(&Task::ALL))]
    task_flag: Option<Task>,
    /// Learning rates, comma-separated; each run starts from the same initial weights.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        default_value = "0.000001,0.01,1"
    )]
    lrs: Vec<f64>,
    /// Optimizer: adam or sgd.
    #[arg(long, default_value = "sgd")]
    optimizer: OptimizerKind,
    /// Epochs per learning rate.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Examples per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Hidden layer widths, comma-separated [default: titanic 100,100, otherwise the task's
    /// `train` model].
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Run a learning-rate range test instead: one model, the learning rate rising
    /// exponentially batch by batch; plots loss against learning rate and suggests one.
    #[arg(long)]
    range_test: bool,
    /// The range test's first learning rate.
    #[arg(long, default_value_t = 1e-7, allow_hyphen_values = true)]
    range_start: f64,
    /// The range test's last learning rate.
    #[arg(long, default_value_t = 10.0, allow_hyphen_values = true)]
    range_end: f64,
    /// The range test's number of batches.
    #[arg(long, default_value_t = 100)]
    range_steps: usize,
    #[command(flatten)]
    split: SplitArgs,
    #[command(flatten)]
    io: IoArgs,
}

/// Runs the sweep (or the range test) and prints its table.
pub fn run(args: SweepLrArgs) -> Result<()> {
    let task = pick_task(args.task, args.task_flag, Task::Titanic)?;
    let options = FitOptions {
        epochs: args.epochs,
        batch_size: args.batch_size,
        optimizer: args.optimizer,
        learning_rate: args.optimizer.default_learning_rate(),
        validation_split: args.split.validation_split(),
        patience: None,
        seed: args.split.seed,
        ..FitOptions::default()
    };
    options.validate()?;
    if args.range_test {
        check_range(args.range_start, args.range_end, args.range_steps)?;
    } else {
        check_learning_rates(&args.lrs)?;
    }
    let hidden = args.hidden.clone().unwrap_or_else(|| match task {
        Task::Titanic => vec![100, 100],
        _ => task.default_hidden(),
    });
    check_widths("--hidden", &hidden)?;

    let (data, data_dir) = load_data(task, args.io.data_dir.as_deref(), options.validation_split)?;
    let out = out_dir(args.io.out.clone(), "sweep-lr");
    let device = backend::device();
    let setup = RunSetup {
        data_dir: &data_dir,
        out: &out,
        backend: backend::name(),
        device: &device,
        verbosity: verbosity(args.io.quiet),
    };
    let model = data.model(&hidden);
    let kind = data.task.kind();
    if args.range_test {
        let settings = RangeTestSettings {
            task: task.name().into(),
            model,
            kind,
            options,
            start_lr: args.range_start,
            end_lr: args.range_end,
            steps: args.range_steps,
        };
        let report = range_test(&settings, data.rows, setup)?;
        print_warnings(&report.warnings);
        print!("{}", report.summary_table(12).render());
        if let Some(why) = &report.stopped {
            println!("Stopped after {} batches: {why}.", report.points.len());
        }
        match &report.suggestion {
            Some(s) => println!("Suggested lr: {:.3e}, {}.", s.learning_rate, s.rule),
            None => println!("No suggestion: no batch had a finite loss."),
        }
        println!(
            "Results: {} (results.csv, results.json, {RANGE_TEST_PNG})",
            out.display()
        );
        return Ok(());
    }
    let settings = SweepSettings {
        task: task.name().into(),
        model,
        kind,
        learning_rates: args.lrs,
        options,
    };
    let report = sweep_learning_rates(&settings, data.rows, setup)?;
    print_warnings(&report.warnings);
    print_results(
        args.io.quiet,
        &report.table(),
        &report.notes(),
        &out,
        LOSSES_PNG,
    );
    Ok(())
}
