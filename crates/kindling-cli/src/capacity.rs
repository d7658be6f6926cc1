//! `kindling capacity`: the course's capacity workflow on a table task.

use crate::backend;
use crate::experiment_setup::{
    fetch_data_dir, figures, out_dir, parse_count, parse_table_task, print_warnings,
};
use crate::shared_args::{IoArgs, SplitArgs};
use anyhow::{Context, Result};
use clap::Args;
use kindling_data::scale::ScaleKind;
use kindling_lab::capacity::{
    CAPACITY_CSV, CAPACITY_JSON, CAPACITY_PNG, CapacitySettings, CapacityStep, DEFAULT_WIDTHS,
    capacity, capacity_table,
};
use kindling_lab::tune::report::score_rule;
use kindling_lab::tune::space::hidden_text;
use kindling_models::Activation;
use kindling_train::Task;
use kindling_train::recipe::RunSetup;
use kindling_train::{FitOptions, OptimizerKind, Verbosity};

/// Shown after the options in `kindling capacity --help`.
const CAPACITY_HELP: &str = "\
The workflow (the course's: start small, add capacity until the validation score stops
improving), every step with the same data split, seed and training settings:
  1. widen:  one hidden layer of each width of --widths in turn (8, 16, 32, 64, 128)
  2. deepen: the best width so far, in 2, 3, ... up to --max-layers hidden layers
A phase ends once --patience-steps steps in a row (1) did not beat the best score so far:
validation accuracy, ties broken by lower validation loss, for a classifier; validation loss
for a regressor. A step whose training diverges does not improve. The chosen architecture is
the best step; its run directory is copied to OUT/chosen (`kindling predict` accepts it).
Each step's run directory is OUT/steps/NN-WIDTHS; OUT/capacity.csv, OUT/capacity.json and
OUT/capacity.png hold the results.

The default task is wages: its validation MSE changes smoothly with capacity, so each step's
change reflects the architecture. Titanic (the data of the course's own capacity exercises)
works too, but its score, the accuracy on 268 validation passengers, moves in steps of
1/268 and after the course's 10 SGD epochs differs between neighbouring widths by a few
borderline passengers.";

/// Arguments of `kindling capacity`.
#[derive(Debug, Args)]
#[command(after_long_help = CAPACITY_HELP)]
#[command(mut_arg("seed", |a| a.help("Seed of every step's weights and shuffling")))]
#[command(mut_arg("out", |a| a.help("Output directory [default: runs/capacity-<timestamp>]")))]
#[command(mut_arg("quiet", |a| a.help("Print only the table and the chosen architecture")))]
pub struct CapacityArgs {
    /// The table task: wages, titanic, shots, bank or drug (see --help for why wages by default).
    #[arg(default_value = "wages", value_parser = parse_table_task)]
    task: Task,
    /// Widths of the one-layer networks of the widening phase, in increasing order.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_WIDTHS)]
    widths: Vec<usize>,
    /// The deepest network of the deepening phase, in hidden layers.
    #[arg(long, default_value_t = 3)]
    max_layers: usize,
    /// Steps in a row without improvement that end a phase.
    #[arg(long, default_value_t = 1, value_parser = parse_count)]
    patience_steps: usize,
    /// Activation of the hidden layers: relu, tanh, sigmoid or identity.
    #[arg(long, default_value = "relu")]
    activation: Activation,
    /// Epochs of every step [default: the task's: titanic and shots 10, wages, bank and drug 30].
    #[arg(long)]
    epochs: Option<usize>,
    /// Examples per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Optimizer: adam or sgd [default: the task's: titanic sgd, others adam].
    #[arg(long)]
    optimizer: Option<OptimizerKind>,
    /// Learning rate [default: 0.001 for adam, 0.01 for sgd].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Early-stopping patience of every step, in epochs (none by default).
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

/// Runs the workflow, printing each step as it ends, then the table and the chosen
/// architecture.
pub fn run(args: CapacityArgs) -> Result<()> {
    let task = args.task;
    let settings = CapacitySettings {
        task,
        widths: args.widths,
        max_layers: args.max_layers,
        patience_steps: args.patience_steps,
        activation: args.activation,
        fit: FitOptions {
            batch_size: args.batch_size,
            validation_split: args.split.validation_split(),
            patience: args.patience,
            seed: args.split.seed,
            ..task.fit_options(args.epochs, args.optimizer, args.lr)
        },
        scale: args.scale.unwrap_or_else(|| task.default_scale()),
    };
    settings.validate()?;
    let data_dir = fetch_data_dir(args.io.data_dir.as_deref(), task.dataset())?;
    let out = out_dir(args.io.out, "capacity");
    let device = backend::device();
    let setup = RunSetup {
        data_dir: &data_dir,
        out: &out,
        backend: backend::name(),
        device: &device,
        verbosity: Verbosity::Quiet,
    };
    let quiet = args.io.quiet;
    if !quiet {
        let fit = &settings.fit;
        println!(
            "Capacity of {} models: {} lr {}, {} epochs, batch {}, {} activation, validation split {}, seed {}",
            task.name(),
            fit.optimizer,
            fit.learning_rate,
            fit.epochs,
            fit.batch_size,
            settings.activation,
            fit.validation_split,
            fit.seed
        );
    }
    let report = capacity(&settings, setup, &mut |step| {
        if !quiet {
            println!("{}", step_line(step));
        }
    })
    .with_context(|| format!("capacity workflow on {}", task.name()))?;
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    print_warnings(&report.warnings);
    let kind = task.kind();
    println!();
    println!("Steps (score: {}):", score_rule(kind));
    print!("{}", capacity_table(&report.steps, kind).render());
    let chosen = &report.steps[report.chosen];
    println!();
    let layers = chosen.hidden.len();
    println!(
        "Chosen architecture: {layers} hidden layer{} of {} {} units (hidden {}, {} parameters), step {}: {}",
        if layers == 1 { "" } else { "s" },
        chosen.hidden.first().copied().unwrap_or(0),
        settings.activation,
        hidden_text(&chosen.hidden),
        chosen.parameters,
        chosen.step,
        figures(&chosen.outcome)
    );
    println!(
        "Chosen run directory: {} (kindling predict {} --input FILE.csv)",
        report.chosen_dir.display(),
        report.chosen_dir.display()
    );
    println!(
        "Results: {}, {}, {}",
        out.join(CAPACITY_CSV).display(),
        out.join(CAPACITY_JSON).display(),
        out.join(CAPACITY_PNG).display()
    );
    Ok(())
}

/// "step 3  widen   hidden 32: val_accuracy 0.7201, val_loss 0.5444 - best so far (0.12 s)"
fn step_line(step: &CapacityStep) -> String {
    let verdict = match (step.outcome.score(), step.improved) {
        (None, _) => "",
        (Some(_), true) => " - best so far",
        (Some(_), false) => " - no better",
    };
    format!(
        "step {:>2}  {:<6}  hidden {}: {}{verdict} ({:.2} s)",
        step.step,
        step.phase.name(),
        hidden_text(&step.hidden),
        figures(&step.outcome),
        step.seconds
    )
}
