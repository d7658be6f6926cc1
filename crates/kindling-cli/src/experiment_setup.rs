//! What the commands that train share: the task's data (downloaded when missing),
//! the default run directory and how much to print.

use anyhow::{Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use kindling_data::DataDir;
use kindling_data::download::{Existing, Manifest, ensure};
use kindling_lab::experiment::ResultTable;
use kindling_lab::experiment_data::ExperimentData;
use kindling_lab::tune::TrialOutcome;
use kindling_models::{Activation, DenseStackConfig, DenseStackConfigError};
use kindling_train::Task;
use kindling_train::Verbosity;
use kindling_train::catalog;
use std::path::{Path, PathBuf};

/// A clap parser of one of `tasks`: the help lists them with what each is.
pub fn task_parser(tasks: &'static [Task]) -> impl TypedValueParser<Value = Task> {
    let values = tasks
        .iter()
        .map(|task| PossibleValue::new(task.name()).help(task.description()));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<Task>())
}

/// Resolves the data directory (`--data-dir`, else `KINDLING_DATA_DIR`, else the workspace's
/// `data/`), fetches the task's files if missing, and loads the rows every trial shares.
pub fn load_data(
    task: Task,
    data_dir: Option<&Path>,
    validation_split: f64,
) -> Result<(ExperimentData, PathBuf)> {
    let data_dir = fetch_data_dir(data_dir, task.dataset())?;
    let data = ExperimentData::load(task, &data_dir, validation_split)
        .with_context(|| format!("loading {}", task.name()))?;
    for note in &data.notes {
        eprintln!("note: {note}");
    }
    Ok((data, data_dir))
}

/// The data directory as `train` resolves it (`--data-dir`, else `KINDLING_DATA_DIR`, else the
/// workspace's `data/`), with `dataset`'s files fetched if missing.
pub fn fetch_data_dir(flag: Option<&Path>, dataset: Option<&str>) -> Result<PathBuf> {
    let data_dir = DataDir::resolve(flag);
    if let Some(dataset) = dataset {
        let manifest = Manifest::builtin()?;
        ensure(data_dir.path(), &manifest.files(dataset)?, Existing::Keep)?;
    }
    Ok(data_dir.path().to_path_buf())
}

/// Prints what a library returned as warnings, one `warning:` line each.
pub fn print_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// `--out`, else `runs/<command>-<timestamp>`.
pub fn out_dir(out: Option<PathBuf>, command: &str) -> PathBuf {
    out.unwrap_or_else(|| {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        PathBuf::from("runs").join(format!("{command}-{stamp}"))
    })
}

/// Quiet with `--quiet`, else a line per epoch (a progress bar on a terminal).
pub fn verbosity(quiet: bool) -> Verbosity {
    if quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Auto
    }
}

/// The task given as a positional argument or with `--task` (not both), else `default`.
pub fn pick_task(positional: Option<Task>, flag: Option<Task>, default: Task) -> Result<Task> {
    match (positional, flag) {
        (Some(a), Some(b)) if a != b => anyhow::bail!(
            "two tasks given: `{}` and --task {}; give one",
            a.name(),
            b.name()
        ),
        (Some(task), _) | (None, Some(task)) => Ok(task),
        (None, None) => Ok(default),
    }
}

/// Checks hidden widths as the model will (no layer of width 0, none wider than supported),
/// before any data is read; the error names the option and the layer.
pub fn check_widths(option: &str, hidden: &[usize]) -> Result<()> {
    hidden_layers(hidden).map_err(|e| anyhow::anyhow!("invalid {option}: {e}"))
}

/// [`DenseStackConfig::validate`] for these hidden widths alone.
pub fn hidden_layers(hidden: &[usize]) -> Result<(), DenseStackConfigError> {
    DenseStackConfig::uniform(1, hidden, Activation::Relu, 1).validate()
}

/// "val_accuracy 0.7612, val_loss 0.5123" or "diverged at epoch 2".
pub(crate) fn figures(outcome: &TrialOutcome) -> String {
    match outcome {
        TrialOutcome::Finished { score, .. } => match score.val_accuracy {
            Some(accuracy) => format!("val_accuracy {accuracy:.4}, val_loss {:.4}", score.val_loss),
            None => format!("val_loss {:.4}", score.val_loss),
        },
        TrialOutcome::Diverged { .. } => outcome.status_text(),
    }
}

/// A table task by name, for clap; the error lists the valid names.
pub(crate) fn parse_table_task(name: &str) -> Result<Task, String> {
    match name.parse::<Task>() {
        Ok(task) if task.is_table() => Ok(task),
        _ => {
            let hint = if name.eq_ignore_ascii_case("mnist") {
                "; the experiments run on the table tasks"
            } else {
                ""
            };
            Err(format!(
                "expected one of: {}{hint}",
                catalog::names(&Task::TABLES)
            ))
        }
    }
}

/// A count of at least 1, for clap.
pub(crate) fn parse_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("give at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number of at least 1".into()),
    }
}

/// An experiment's closing output: its table, its notes and where its files are.
pub fn print_results(quiet: bool, table: &ResultTable, notes: &[String], out: &Path, png: &str) {
    if !quiet {
        println!();
    }
    print!("{}", table.render());
    for note in notes {
        println!("{note}");
    }
    println!(
        "Results: {} (results.csv, results.json, {png})",
        out.display()
    );
}
