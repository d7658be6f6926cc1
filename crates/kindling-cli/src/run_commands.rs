//! `kindling evaluate`, `predict` and `summary`: using a run directory.

use crate::backend;
use crate::train::note_if_interrupted;
use anyhow::{Context, Result, bail};
use clap::Args;
use kindling_data::csv_table::CsvTable;
use kindling_data::input_range::FarOutside;
use kindling_data::shot_log;
use kindling_data::stdio::is_stdio;
use kindling_train::Task;
use kindling_train::recipe::{ModelKind, read_config};
use kindling_train::run_dir::{is_run_file, same_file, write_atomic};
use kindling_train::summary::network_summary;
use kindling_train::summary::thousands;
use kindling_train::trained::{LoadedRun, load_run};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `kindling evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// A run directory written by `kindling train`.
    run_dir: PathBuf,
    /// Data directory [default: the one the run trained on].
    #[arg(long, conflicts_with = "input")]
    data_dir: Option<PathBuf>,
    /// Score every row of this labelled CSV file instead (the run's feature and target
    /// columns by name, encoded and scaled as in training); `-` reads standard input.
    #[arg(long)]
    input: Option<PathBuf>,
}

/// Scores a saved model again on its validation split (and test set), or on a labelled file.
pub fn evaluate(args: EvaluateArgs) -> Result<()> {
    note_if_interrupted(&args.run_dir);
    let device = backend::device();
    let run = load_run(&args.run_dir, &device)?;
    let scores = match &args.input {
        Some(file) => {
            let (evaluation, scores) = run.evaluate_file(file, &device)?;
            vec![("input", evaluation, scores)]
        }
        None => run.evaluate(args.data_dir.as_deref(), &device)?,
    };
    for (split, score, more) in scores {
        let mut line = format!(
            "{split}: {} examples - loss: {:.4}",
            score.examples, score.loss
        );
        if let Some(accuracy) = score.accuracy {
            line.push_str(&format!(" - accuracy: {accuracy:.4}"));
        }
        println!("{line}");
        for line in more.report_lines() {
            println!("  {line}");
        }
    }
    Ok(())
}

/// Arguments of `kindling predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A run directory written by `kindling train`.
    run_dir: PathBuf,
    /// A CSV file with a header naming the model's feature columns (other columns, such as the
    /// target, are ignored); for a shots model, a file with shot_logs.csv's columns. `-` reads
    /// standard input.
    #[arg(long)]
    input: PathBuf,
    /// Write the predictions to this file [default and `-`: standard output].
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Predicts for every row of a CSV file: values for a regressor, class probabilities (and the
/// most likely class) for a classifier.
pub fn predict(args: PredictArgs) -> Result<()> {
    if let Some(output) = args.output.as_deref().filter(|o| !is_stdio(o)) {
        if is_run_file(&args.run_dir, output) {
            bail!(
                "{}: is one of the run's own files; write the predictions elsewhere",
                output.display()
            );
        }
        if same_file(output, &args.input) {
            bail!(
                "{}: is the input file; write the predictions to another file",
                output.display()
            );
        }
    }
    note_if_interrupted(&args.run_dir);
    let device = backend::device();
    let run = load_run(&args.run_dir, &device)?;
    let (features, names) = if run.config.task == Task::Shots.name() {
        let names = shot_log::FEATURES.iter().map(|f| f.to_string()).collect();
        (shot_log_features(&run, &args.input)?, names)
    } else {
        table_features(&run, &args.input)?
    };
    if let Some(far) = run
        .config
        .input_range
        .as_ref()
        .and_then(|range| range.far_outside(&features))
    {
        eprintln!("warning: {}", far_outside_warning(&run, &names, &far));
    }
    let predictions = run.predict(features, &device);
    let mut out = String::new();
    match run.config.kind {
        ModelKind::Regressor => {
            out.push_str("prediction\n");
            for row in &predictions {
                out.push_str(&format!("{}\n", row[0]));
            }
        }
        ModelKind::Classifier => {
            let classes = run.config.model.outputs();
            let header: Vec<String> = (0..classes).map(|k| format!("probability_{k}")).collect();
            out.push_str(&format!("{},class\n", header.join(",")));
            for row in &predictions {
                let best = row
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(k, _)| k);
                let cells: Vec<String> = row.iter().map(f32::to_string).collect();
                out.push_str(&format!("{},{best}\n", cells.join(",")));
            }
        }
    }
    match args.output {
        Some(path) if !is_stdio(&path) => write_atomic(&path, out.as_bytes())
            .with_context(|| format!("writing predictions to {}", path.display()))?,
        _ => write_stdout(out.as_bytes()).context("writing predictions to standard output")?,
    }
    Ok(())
}

/// Writes `bytes` to standard output and flushes it (a closed pipe is an error the caller
/// reports, or ends the command quietly at the top level).
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()
}

/// Prints a line of a command's report: on standard output, or on standard error when the
/// command's file itself goes to standard output (`--output -`), so the two never mix.
pub fn report_line(file_on_stdout: bool, line: &str) {
    if file_on_stdout {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// "612 of 7,840 input values lie far outside ...": what `predict` says, once, when inputs lie
/// far outside the range the model was trained on (see [`kindling_data::input_range`]).
/// `names` are the input columns, in the model's order.
fn far_outside_warning(run: &LoadedRun, names: &[String], far: &FarOutside) -> String {
    let column = names.get(far.column).map_or_else(
        || format!("input {}", far.column + 1),
        |name| format!("`{name}`"),
    );
    let (low, high) = far.range;
    let hint = if run.config.features.is_empty() {
        "; the digit net was trained on pixels divided by 255, in [0, 1]"
    } else {
        "; give values in the units of the training file (the run applies its scaler itself)"
    };
    format!(
        "{} of {} input values lie far outside the range the model was trained on, by more than that range's width (the first: row {}, {column}: {}, trained on {} to {}); predictions for such rows are guesswork{hint}",
        thousands(far.count),
        thousands(far.checked),
        far.row + 1,
        far.value,
        low,
        high
    )
}

/// The model's inputs from a CSV file: the run's feature columns by name (MNIST: every column
/// but the label; a run of `train csv`: its columns encoded as in training), row-major, and
/// the inputs' names.
fn table_features(run: &LoadedRun, input: &Path) -> Result<(Vec<f32>, Vec<String>)> {
    if let Some(encoding) = &run.config.encoding {
        // A CSV file of the user's own: its columns by name, encoded as in training.
        let table = kindling_data::csv_table::TextTable::read(input)?;
        let encoded = encoding.encode(&table, false)?;
        return Ok((encoded.features, encoding.feature_names()));
    }
    let table = CsvTable::read(input)?;
    let (features, columns) = run.table_inputs(&table)?;
    let names = columns.iter().map(|&c| table.columns[c].clone()).collect();
    Ok((features, names))
}

/// The model's inputs from a file in the shot log's format (text columns, game clocks, blank
/// shot clocks filled with the training file's median), as the shots task trained on them.
fn shot_log_features(run: &LoadedRun, input: &Path) -> Result<Vec<f32>> {
    if run.config.model.inputs() != shot_log::FEATURES.len() {
        bail!(
            "{}: the model takes {} inputs, but a shots model reads the shot log's {}; retrain it",
            run.dir.join("config.json").display(),
            run.config.model.inputs(),
            shot_log::FEATURES.len()
        );
    }
    let median = run.config.fill_values.get(shot_log::SHOT_CLOCK).copied();
    let inputs = shot_log::read_inputs(input, median)?;
    for note in inputs.notes {
        eprintln!("note: {note}");
    }
    Ok(inputs.features)
}

/// Arguments of `kindling summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// A run directory, or a task name (mnist, wages, titanic, shots, bank, drug) for its default
    /// model.
    target: String,
    /// Data directory, read for a task's input width [default: $KINDLING_DATA_DIR, else the
    /// workspace's data/].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// mnist: the network, dense or cnn (see `train --model`).
    #[arg(long, value_enum)]
    model: Option<crate::train::Network>,
}

/// Prints a Keras-style summary of a run's model or a task's default model.
pub fn summary(args: SummaryArgs) -> Result<()> {
    let path = PathBuf::from(&args.target);
    let (name, config) = if path.is_dir() {
        note_if_interrupted(&path);
        let config = read_config(&path)?;
        config
            .model
            .validate()
            .with_context(|| format!("{}: invalid model", path.join("config.json").display()))?;
        (config.task.clone(), config.model)
    } else {
        let task: Task = args.target.parse().map_err(|_| {
            anyhow::anyhow!(
                "`{}` is neither a run directory nor a task ({})",
                args.target,
                kindling_train::catalog::names(&Task::ALL)
            )
        })?;
        let model = match args.model {
            Some(crate::train::Network::Cnn) if task == Task::Mnist => {
                kindling_models::ConvNetConfig::mnist().into()
            }
            Some(crate::train::Network::Cnn) => anyhow::bail!(
                "--model cnn is a network for MNIST's images; try `summary mnist --model cnn`"
            ),
            _ => {
                // The input width comes from the task's data (read, not downloaded: the error
                // of a missing file says how to get it).
                let data_dir = kindling_data::DataDir::resolve(args.data_dir.as_deref());
                task.default_model(data_dir.path())
                    .with_context(|| format!("reading {}'s data for its input width", task.name()))?
                    .into()
            }
        };
        (task.name().to_string(), model)
    };
    print!("{}", network_summary(&name, &config));
    Ok(())
}
