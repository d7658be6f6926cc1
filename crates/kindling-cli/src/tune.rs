//! `kindling tune`: hyper-parameter search on a table task.

use crate::backend;
use crate::experiment_setup::{
    fetch_data_dir, figures, out_dir, parse_count, parse_table_task, print_warnings,
};
use crate::shared_args::{IoArgs, SplitArgs};
use anyhow::{Context, Result, bail};
use clap::Args;
use kindling_data::scale::ScaleKind;
use kindling_lab::tune::report::{SCORES_PNG, TRIALS_CSV, TRIALS_JSON, score_rule, tune_table};
use kindling_lab::tune::{
    LrRange, SearchSpace, Strategy, TrialRecord, TuneEvent, TuneSettings, tune,
};
use kindling_models::Activation;
use kindling_train::OptimizerKind;
use kindling_train::Task;
use kindling_train::recipe::RunSetup;
use std::time::Duration;

/// Shown after the options in `kindling tune --help`.
const TUNE_HELP: &str = "\
Search space (defaults; narrow or widen it with the options above):
  hidden layers   1, 2 or 3 (--layers), each layer's width from 8, 16, 32, 64, 128 (--widths)
  activation      relu or tanh (--activations), the same for every hidden layer
  optimizer       adam or sgd (--optimizers)
  learning rate   log-uniform per optimizer: adam in [0.0001, 0.01] (--adam-lr),
                  sgd in [0.001, 0.1] (--sgd-lr); the grid takes both ends and their
                  geometric mean
  batch size      16, 32 or 64 (--batch-sizes)

Strategies:
  grid     every point of the grid (5,580 with the defaults) in an order shuffled from
           --seed, so that --trials N spreads N points over the whole grid
  random   independent draws from the space, seeded by --seed
  tpe      tree-structured Parzen estimator: 5 random trials, then each proposal is the best
           of 24 candidates drawn from the best quarter of the trials so far, by the ratio of
           their density under the good trials to that under the others

Every trial trains on the same rows, validation split and seed, and writes a run directory
to OUT/trials/NNN. Trials are ranked by validation accuracy (ties: lower validation loss) for
a classifier, by validation loss for a regressor. A trial whose loss diverges is recorded as
'diverged at epoch k' and the search goes on. The best trial is copied to OUT/best, which
`kindling predict` and `kindling evaluate` accept; OUT/trials.csv, OUT/trials.json and
OUT/scores.png hold the results.";

/// Arguments of `kindling tune`.
#[derive(Debug, Args)]
#[command(after_long_help = TUNE_HELP)]
#[command(mut_arg("seed", |a| a.help("Seed of the strategy and of every trial's weights and shuffling")))]
#[command(mut_arg("out", |a| a.help("Output directory [default: runs/tune-<timestamp>]")))]
#[command(mut_arg("quiet", |a| a.help("Print only the ranked table and the best trial")))]
pub struct TuneArgs {
    /// The table task: wages, titanic, shots, bank or drug.
    #[arg(default_value = "titanic", value_parser = parse_table_task)]
    task: Task,
    /// Search strategy: grid, random or tpe (see --help).
    #[arg(long, default_value = "tpe")]
    strategy: Strategy,
    /// Trials to run (at least 1).
    #[arg(long, default_value_t = 20, value_parser = parse_count)]
    trials: usize,
    /// Start no new trial after this many minutes (a positive number); the running trial
    /// finishes.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_minutes)]
    max_minutes: Option<f64>,
    /// Numbers of hidden layers to try.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    layers: Vec<usize>,
    /// Widths to try for each hidden layer.
    #[arg(long, value_delimiter = ',', default_value = "8,16,32,64,128")]
    widths: Vec<usize>,
    /// Activations to try: relu, tanh, sigmoid, identity.
    #[arg(long, value_delimiter = ',', default_value = "relu,tanh")]
    activations: Vec<Activation>,
    /// Optimizers to try: adam, sgd.
    #[arg(long, value_delimiter = ',', default_value = "adam,sgd")]
    optimizers: Vec<OptimizerKind>,
    /// Batch sizes to try.
    #[arg(long, value_delimiter = ',', default_value = "16,32,64")]
    batch_sizes: Vec<usize>,
    /// Adam's learning rates: LOW,HIGH, searched on a log scale.
    #[arg(long, value_delimiter = ',', default_value = "0.0001,0.01")]
    adam_lr: Vec<f64>,
    /// SGD's learning rates: LOW,HIGH, searched on a log scale.
    #[arg(long, value_delimiter = ',', default_value = "0.001,0.1")]
    sgd_lr: Vec<f64>,
    /// Epochs of every trial [default: the task's: titanic and shots 10, wages, bank and drug 30].
    #[arg(long)]
    epochs: Option<usize>,
    /// Early-stopping patience of every trial, in epochs (none by default).
    #[arg(long)]
    patience: Option<usize>,
    /// Feature scaling: standard, minmax or none
    /// [default: minmax for drug, standard for shots, none otherwise].
    #[arg(long)]
    scale: Option<ScaleKind>,
    #[command(flatten)]
    split: SplitArgs,
    #[command(flatten)]
    io: IoArgs,
}

/// Runs the search, printing each trial as it ends, then the ranked table.
pub fn run(args: TuneArgs) -> Result<()> {
    let task = args.task;
    let space = SearchSpace {
        layers: dedup(args.layers),
        widths: dedup(args.widths),
        activations: dedup(args.activations),
        optimizers: dedup(args.optimizers),
        batch_sizes: dedup(args.batch_sizes),
        adam_lr: lr_range("--adam-lr", &args.adam_lr)?,
        sgd_lr: lr_range("--sgd-lr", &args.sgd_lr)?,
    };
    let settings = TuneSettings {
        task,
        strategy: args.strategy,
        trials: args.trials,
        max_duration: args.max_minutes.map(|m| Duration::from_secs_f64(m * 60.0)),
        space,
        epochs: args.epochs.unwrap_or_else(|| task.default_epochs()),
        patience: args.patience,
        validation_split: args.split.validation_split(),
        scale: args.scale.unwrap_or_else(|| task.default_scale()),
        seed: args.split.seed,
    };
    settings.validate()?;
    let data_dir = fetch_data_dir(args.io.data_dir.as_deref(), task.dataset())?;
    let out = out_dir(args.io.out, "tune");
    let device = backend::device();
    let setup = RunSetup {
        data_dir: &data_dir,
        out: &out,
        backend: backend::name(),
        device: &device,
        verbosity: kindling_train::Verbosity::Quiet,
    };
    let kind = task.kind();
    let quiet = args.io.quiet;
    if !quiet {
        println!(
            "Tuning {}: {} search, {} trials of {} epochs, validation split {}, seed {}",
            task.name(),
            settings.strategy,
            settings.trials,
            settings.epochs,
            settings.validation_split,
            settings.seed
        );
    }
    let total = settings.trials;
    let report = tune(&settings, setup, &mut |event| {
        if !quiet {
            print_event(&event, total);
        }
    })
    .with_context(|| format!("tuning {}", task.name()))?;
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    print_warnings(&report.warnings);
    println!();
    println!("Trials ranked by {}:", score_rule(kind));
    print!("{}", tune_table(&report.trials, kind).render());
    let best = &report.trials[report.best];
    println!();
    println!(
        "Best: trial {} ({}): {}",
        best.number,
        best.candidate,
        figures(&best.outcome)
    );
    println!(
        "Best run directory: {} (kindling predict {} --input FILE.csv)",
        report.best_dir.display(),
        report.best_dir.display()
    );
    println!(
        "Results: {}, {}, {}",
        out.join(TRIALS_CSV).display(),
        out.join(TRIALS_JSON).display(),
        out.join(SCORES_PNG).display()
    );
    Ok(())
}

fn print_event(event: &TuneEvent, total: usize) {
    match event {
        TuneEvent::Started { .. } => {}
        TuneEvent::Ended(record) => println!("{}", trial_line(record, total)),
        TuneEvent::BudgetSpent {
            trials_run,
            minutes,
        } => println!(
            "Time budget of {minutes} minutes spent after {trials_run} trials: no further trial started."
        ),
        TuneEvent::GridExhausted { points } => {
            println!("The grid has no point left after {points} trials.")
        }
    }
}

/// "trial  3/20  hidden 64,16 tanh, adam lr 0.001234, batch 32: val_accuracy 0.7612, ..."
fn trial_line(record: &TrialRecord, total: usize) -> String {
    let width = total.to_string().len();
    format!(
        "trial {:>width$}/{total}  {}: {} ({:.2} s)",
        record.number,
        record.candidate,
        figures(&record.outcome),
        record.seconds
    )
}

/// The values in order, each once.
fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut unique = Vec::with_capacity(values.len());
    for v in values {
        if !unique.contains(&v) {
            unique.push(v);
        }
    }
    unique
}

fn lr_range(name: &str, values: &[f64]) -> Result<LrRange> {
    match values {
        [low, high] => Ok(LrRange::new(*low, *high)),
        [single] => Ok(LrRange::new(*single, *single)),
        _ => bail!(
            "invalid {name}: give two learning rates LOW,HIGH (or one to fix it), not {}",
            values.len()
        ),
    }
}

/// A positive, finite number of minutes, for clap.
fn parse_minutes(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 && m <= 1e6 => Ok(m),
        _ => Err("expected a positive number of minutes, such as 5 or 0.5".into()),
    }
}
