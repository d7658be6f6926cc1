//! What the commands that train share: the task's data (downloaded when missing),
//! the default run directory and how much to print.

use crate::train::Task;
use anyhow::{Context, Result};
use kindling_data::DataDir;
use kindling_data::download::{Existing, Manifest, ensure};
use kindling_lab::experiment::ResultTable;
use kindling_lab::experiment_data::{ExperimentData, ExperimentTask};
use kindling_lab::tune::TrialOutcome;
use kindling_models::{Activation, DenseStackConfig, DenseStackConfigError};
use kindling_train::Verbosity;
use kindling_train::tabular::TabularTask;
use std::path::{Path, PathBuf};

/// The experiment-side name of a task.
pub fn experiment_task(task: Task) -> ExperimentTask {
    task.tabular()
        .map_or(ExperimentTask::Mnist, ExperimentTask::Table)
}

/// Resolves the data directory (`--data-dir`, else `KINDLING_DATA_DIR`, else the workspace's
/// `data/`), fetches the task's files if missing, and loads the rows every trial shares.
pub fn load_data(
    task: Task,
    data_dir: Option<&Path>,
    validation_split: f64,
) -> Result<(ExperimentData, PathBuf)> {
    let experiment = experiment_task(task);
    let data_dir = fetch_data_dir(data_dir, experiment.dataset())?;
    let data = ExperimentData::load(experiment, &data_dir, validation_split)
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
pub(crate) fn parse_table_task(name: &str) -> Result<TabularTask, String> {
    TabularTask::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
        let names: Vec<&str> = TabularTask::ALL.iter().map(|t| t.name()).collect();
        let hint = if name.eq_ignore_ascii_case("mnist") {
            "; the experiments run on the table tasks"
        } else {
            ""
        };
        format!("expected one of: {}{hint}", names.join(", "))
    })
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
