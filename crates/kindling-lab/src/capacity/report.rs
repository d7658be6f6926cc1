//! What `capacity` prints and leaves in its output directory: the table of steps,
//! `capacity.csv`, `capacity.json` and `capacity.png`.

use crate::capacity::{CapacitySettings, CapacityStep};
use crate::experiment::{Cell, ResultTable};
use crate::tune::error::TuneError;
use crate::tune::report::{relative, score_cells, score_rule};
use crate::tune::space::hidden_text;
use crate::tune::trial::TrialOutcome;
use kindling_data::scale::ScaleKind;
use kindling_models::Activation;
use kindling_train::FitOptions;
use kindling_train::plot::{Series, line_chart};
use kindling_train::recipe::ModelKind;
use kindling_train::run_dir::{write_atomic, write_json};
use serde::Serialize;
use std::path::Path;

/// The steps as CSV.
pub const CAPACITY_CSV: &str = "capacity.csv";
/// The settings and steps as JSON.
pub const CAPACITY_JSON: &str = "capacity.json";
/// The score of each step.
pub const CAPACITY_PNG: &str = "capacity.png";

/// The table `capacity` prints (and writes to `capacity.csv` at full precision), a row per
/// step in order: step, phase, hidden widths, parameters, validation figures, whether it
/// improved, seconds (last).
pub fn capacity_table(steps: &[CapacityStep], kind: ModelKind) -> ResultTable {
    let classifier = kind == ModelKind::Classifier;
    let mut headers = vec!["step", "phase", "hidden", "parameters"];
    if classifier {
        headers.push("val_accuracy");
    }
    headers.extend(["val_loss", "best_epoch", "result", "seconds"]);
    let mut table = ResultTable::new(&headers);
    for s in steps {
        let mut row = vec![
            Cell::Count(s.step),
            Cell::text(s.phase.name()),
            Cell::text(hidden_text(&s.hidden)),
            Cell::Count(s.parameters),
        ];
        row.extend(score_cells(&s.outcome, classifier));
        row.push(Cell::text(match (&s.outcome, s.improved) {
            (TrialOutcome::Diverged { .. }, _) => s.outcome.status_text(),
            (_, true) => "best so far".into(),
            (_, false) => "no better".into(),
        }));
        row.push(Cell::number(s.seconds, 2));
        table.push(row);
    }
    table
}

/// `capacity.json`; directories are relative to it.
#[derive(Debug, Serialize)]
struct CapacityJson<'a> {
    task: &'a str,
    score: &'static str,
    widths: &'a [usize],
    max_layers: usize,
    patience_steps: usize,
    activation: Activation,
    fit: &'a FitOptions,
    scale: ScaleKind,
    chosen_step: Option<usize>,
    chosen_hidden: Option<&'a [usize]>,
    chosen_dir: Option<&'a Path>,
    steps: Vec<StepJson<'a>>,
}

/// A step in `capacity.json`, its directory relative to the file.
#[derive(Debug, Serialize)]
struct StepJson<'a> {
    #[serde(flatten)]
    step: &'a CapacityStep,
    dir: &'a Path,
}

/// Writes `capacity.csv` (the printed table plus each step's directory, relative to `out`),
/// `capacity.json` (the settings and every step) and `capacity.png` into `out`. A chart that
/// cannot be drawn is a warning.
pub fn write_capacity_results(
    settings: &CapacitySettings,
    steps: &[CapacityStep],
    chosen_dir: Option<&Path>,
    out: &Path,
) -> Result<Vec<String>, TuneError> {
    let kind = settings.task.kind();
    let mut table = capacity_table(steps, kind);
    table.columns.push("dir".into());
    for (row, s) in table.rows.iter_mut().zip(steps) {
        row.push(Cell::text(relative(&s.dir, out).display().to_string()));
    }
    write_atomic(&out.join(CAPACITY_CSV), table.to_csv().as_bytes())?;
    let chosen = chosen_dir.and_then(|_| steps.iter().rfind(|s| s.improved));
    let json = CapacityJson {
        task: settings.task.name(),
        score: score_rule(kind),
        widths: &settings.widths,
        max_layers: settings.max_layers,
        patience_steps: settings.patience_steps,
        activation: settings.activation,
        fit: &settings.fit,
        scale: settings.scale,
        chosen_step: chosen.map(|s| s.step),
        chosen_hidden: chosen.map(|s| s.hidden.as_slice()),
        chosen_dir: chosen_dir.map(|d| relative(d, out)),
        steps: steps
            .iter()
            .map(|step| StepJson {
                step,
                dir: relative(&step.dir, out),
            })
            .collect(),
    };
    write_json(&out.join(CAPACITY_JSON), &json)?;
    let points = steps
        .iter()
        .filter_map(|s| s.outcome.score().map(|sc| (s.step as f64, sc.headline())))
        .collect();
    let y_label = match kind {
        ModelKind::Classifier => "validation accuracy",
        ModelKind::Regressor => "validation loss",
    };
    if let Err(e) = line_chart(
        &out.join(CAPACITY_PNG),
        "Validation score by capacity step",
        "step",
        y_label,
        &[Series {
            label: y_label,
            points,
        }],
    ) {
        return Ok(vec![format!("{e}; the other results are complete")]);
    }
    Ok(Vec::new())
}
