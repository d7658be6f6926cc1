//! `kindling compare`: deeper against wider.

use crate::backend;
use crate::experiment_setup::{
    hidden_layers, load_data, out_dir, pick_task, print_results, print_warnings, task_parser,
    verbosity,
};
use crate::shared_args::{IoArgs, SplitArgs};
use anyhow::Result;
use clap::Args;
use kindling_lab::compare::{CompareSettings, VAL_LOSS_PNG, compare_architectures};
use kindling_train::recipe::RunSetup;
use kindling_train::{FitOptions, OptimizerKind, Task};

/// Arguments of `kindling compare`.
#[derive(Debug, Args)]
#[command(mut_arg("validation_split", |a| a.help("Fraction held out for validation: the LAST rows, before shuffling").default_value("0.4")))]
#[command(mut_arg("out", |a| a.help("Experiment directory [default: runs/compare-<timestamp>]")))]
pub struct CompareArgs {
    /// The task [default: mnist].
    #[arg(value_parser = task_parser(&Task::ALL))]
    task: Option<Task>,
    /// The task, as an option (same as the positional argument).
    #[arg(long = "task", value_name = "TASK", value_parser = task_parser(&Task::ALL))]
    task_flag: Option<Task>,
    /// One architecture: its hidden layer widths, comma-separated; repeat for each variant
    /// [default: --arch 50 --arch 50,50,50, the course's model_1 and model_2].
    #[arg(long = "arch", value_name = "WIDTHS", value_parser = parse_widths)]
    archs: Vec<Vec<usize>>,
    /// The most epochs a variant may run.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// Stop a variant after this many epochs without a lower validation loss.
    #[arg(long, default_value_t = 2)]
    patience: usize,
    /// Optimizer: adam or sgd.
    #[arg(long, default_value = "adam")]
    optimizer: OptimizerKind,
    /// Learning rate [default: 0.001 for adam, 0.01 for sgd].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Examples per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[command(flatten)]
    split: SplitArgs,
    #[command(flatten)]
    io: IoArgs,
}

/// `50,50,50` as `[50, 50, 50]`; every width a whole number the model accepts.
fn parse_widths(text: &str) -> Result<Vec<usize>, String> {
    let widths = text
        .split(',')
        .enumerate()
        .map(|(i, w)| match w.trim().parse::<usize>() {
            Ok(width) => Ok(width),
            Err(_) if w.trim().is_empty() => Err(format!(
                "hidden layer {} has no width; give whole numbers, such as 50,50,50",
                i + 1
            )),
            Err(_) => Err(format!(
                "`{w}` is not a layer width; give whole numbers, such as 50,50,50"
            )),
        })
        .collect::<Result<Vec<usize>, String>>()?;
    hidden_layers(&widths).map_err(|e| e.to_string())?;
    Ok(widths)
}

/// Trains every variant and prints the comparison.
pub fn run(args: CompareArgs) -> Result<()> {
    let task = pick_task(args.task, args.task_flag, Task::Mnist)?;
    let options = FitOptions {
        epochs: args.epochs,
        batch_size: args.batch_size,
        optimizer: args.optimizer,
        learning_rate: args
            .lr
            .unwrap_or_else(|| args.optimizer.default_learning_rate()),
        validation_split: args.split.validation_split(),
        patience: Some(args.patience),
        seed: args.split.seed,
        ..FitOptions::default()
    };
    options.validate()?;
    let archs = if args.archs.is_empty() {
        vec![vec![50], vec![50, 50, 50]]
    } else {
        args.archs
    };
    let (data, data_dir) = load_data(task, args.io.data_dir.as_deref(), options.validation_split)?;
    let settings = CompareSettings {
        task: task.name().into(),
        kind: data.task.kind(),
        variants: archs.iter().map(|hidden| data.model(hidden)).collect(),
        options,
    };
    settings.validate()?;
    let out = out_dir(args.io.out, "compare");
    let device = backend::device();
    let setup = RunSetup {
        data_dir: &data_dir,
        out: &out,
        backend: backend::name(),
        device: &device,
        verbosity: verbosity(args.io.quiet),
    };
    let report = compare_architectures(&settings, data.rows, setup)?;
    print_warnings(&report.warnings);
    print_results(
        args.io.quiet,
        &report.table(),
        &report.notes(),
        &out,
        VAL_LOSS_PNG,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_layer_widths() {
        assert_eq!(parse_widths("50"), Ok(vec![50]));
        assert_eq!(parse_widths("50, 50,50"), Ok(vec![50, 50, 50]));
        let err = parse_widths("0").unwrap_err();
        assert!(err.contains("hidden layer 1 has width 0"), "{err}");
        let err = parse_widths("50,x").unwrap_err();
        assert!(err.contains("`x` is not a layer width"), "{err}");
        let err = parse_widths("50,,5").unwrap_err();
        assert!(err.contains("hidden layer 2 has no width"), "{err}");
        assert!(parse_widths("-5").is_err());
    }
}
