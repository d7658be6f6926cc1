//! What `tune` leaves in its output directory besides the trials: `trials.csv`,
//! `trials.json` and `scores.png`, and the table it prints.

use crate::experiment::{Cell, ResultTable};
use crate::tune::sampler::Strategy;
use crate::tune::search::{TrialRecord, TuneSettings, rank};
use crate::tune::space::{Candidate, SearchSpace, learning_rate_text};
use crate::tune::trial::TrialOutcome;
use kindling_data::scale::ScaleKind;
use kindling_train::TrainError;
use kindling_train::plot::{Series, line_chart};
use kindling_train::recipe::ModelKind;
use kindling_train::run_dir::{write_atomic, write_json};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The ranked trials as CSV.
pub const TRIALS_CSV: &str = "trials.csv";
/// The search settings and the ranked trials as JSON.
pub const TRIALS_JSON: &str = "trials.json";
/// Each trial's score and the best so far, by trial number.
pub const SCORES_PNG: &str = "scores.png";

/// The ranked table `tune` prints: rank, trial, hyper-parameters, validation figures, status
/// and seconds (last, the only column that changes between two runs with the same seed).
pub fn tune_table(trials: &[TrialRecord], kind: ModelKind) -> ResultTable {
    let classifier = kind == ModelKind::Classifier;
    let mut headers = vec![
        "rank",
        "trial",
        "hidden",
        "activation",
        "optimizer",
        "lr",
        "batch",
    ];
    if classifier {
        headers.push("val_accuracy");
    }
    headers.extend(["val_loss", "best_epoch", "status", "seconds"]);
    let mut table = ResultTable::new(&headers);
    for (rank, record) in rank(trials).into_iter().enumerate() {
        let c = &record.candidate;
        let mut row = vec![
            Cell::Count(rank + 1),
            Cell::Count(record.number),
            Cell::text(c.hidden_text()),
            Cell::text(c.activation.to_string()),
            Cell::text(c.optimizer.to_string()),
            Cell::Formatted {
                shown: learning_rate_text(c.learning_rate),
                value: c.learning_rate,
            },
            Cell::Exact(c.batch_size as f64),
        ];
        row.extend(score_cells(&record.outcome, classifier));
        row.push(Cell::text(record.outcome.status_text()));
        row.push(Cell::number(record.seconds, 2));
        table.push(row);
    }
    table
}

/// `val_accuracy` (classifiers), `val_loss` and `best_epoch`, shown with four decimals and
/// written in full, or dashes for a diverged trial.
pub fn score_cells(outcome: &TrialOutcome, classifier: bool) -> Vec<Cell> {
    let dash = || Cell::text("-");
    let mut cells = Vec::new();
    match outcome {
        TrialOutcome::Finished {
            score, best_epoch, ..
        } => {
            if classifier {
                cells.push(score.val_accuracy.map_or_else(dash, |a| Cell::number(a, 4)));
            }
            cells.push(Cell::number(score.val_loss, 4));
            cells.push(Cell::Count(*best_epoch));
        }
        TrialOutcome::Diverged { .. } => {
            let dashes = if classifier { 3 } else { 2 };
            cells.extend(std::iter::repeat_with(dash).take(dashes));
        }
    }
    cells
}

/// One trial in `trials.json`.
#[derive(Debug, Serialize)]
struct TrialJson<'a> {
    rank: usize,
    trial: usize,
    #[serde(flatten)]
    candidate: &'a Candidate,
    #[serde(flatten)]
    outcome: &'a TrialOutcome,
    seconds: f64,
    dir: &'a Path,
}

/// `trials.json`; directories are relative to it.
#[derive(Debug, Serialize)]
struct TuneJson<'a> {
    task: &'a str,
    strategy: Strategy,
    seed: u64,
    trials_requested: usize,
    trials_run: usize,
    max_minutes: Option<f64>,
    score: &'static str,
    epochs: usize,
    patience: Option<usize>,
    validation_split: f64,
    scale: ScaleKind,
    space: &'a SearchSpace,
    best_trial: Option<usize>,
    best_dir: Option<PathBuf>,
    trials: Vec<TrialJson<'a>>,
}

/// What ranks trials, in words.
pub fn score_rule(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Classifier => "highest val_accuracy, ties broken by lowest val_loss",
        ModelKind::Regressor => "lowest val_loss",
    }
}

/// Writes `trials.csv` (the printed table with full-precision figures and each trial's
/// directory, relative to `out`), `trials.json` (the settings, the space and the ranked trials) and
/// `scores.png` into `out`. A chart that cannot be drawn is a warning.
pub fn write_tune_results(
    settings: &TuneSettings,
    trials: &[TrialRecord],
    best_dir: Option<&Path>,
    out: &Path,
) -> Result<Vec<String>, TrainError> {
    let kind = settings.task.kind();
    let ranked = rank(trials);
    write_atomic(
        &out.join(TRIALS_CSV),
        trials_csv(&ranked, kind, out).as_bytes(),
    )?;
    let json = TuneJson {
        task: settings.task.name(),
        strategy: settings.strategy,
        seed: settings.seed,
        trials_requested: settings.trials,
        trials_run: trials.len(),
        max_minutes: settings.max_duration.map(|d| d.as_secs_f64() / 60.0),
        score: score_rule(kind),
        epochs: settings.epochs,
        patience: settings.patience,
        validation_split: settings.validation_split,
        scale: settings.scale,
        space: &settings.space,
        best_trial: ranked
            .first()
            .filter(|r| r.outcome.score().is_some())
            .map(|r| r.number),
        best_dir: best_dir.map(|d| relative(d, out).to_path_buf()),
        trials: ranked
            .iter()
            .enumerate()
            .map(|(i, r)| TrialJson {
                rank: i + 1,
                trial: r.number,
                candidate: &r.candidate,
                outcome: &r.outcome,
                seconds: r.seconds,
                dir: relative(&r.dir, out),
            })
            .collect(),
    };
    write_json(&out.join(TRIALS_JSON), &json)?;
    if let Err(e) = score_chart(trials, kind, &out.join(SCORES_PNG)) {
        return Ok(vec![format!("{e}; the other results are complete")]);
    }
    Ok(Vec::new())
}

fn trials_csv(ranked: &[&TrialRecord], kind: ModelKind, out: &Path) -> String {
    let mut table = ResultTable::new(&[
        "rank",
        "trial",
        "hidden",
        "activation",
        "optimizer",
        "learning_rate",
        "batch_size",
        "status",
        "diverged_epoch",
        "best_epoch",
        "epochs_run",
        "val_accuracy",
        "val_loss",
        "seconds",
        "dir",
    ]);
    let empty = || Cell::text("");
    for (i, r) in ranked.iter().enumerate() {
        let c = &r.candidate;
        let (status, diverged, best, run, accuracy, loss) = match &r.outcome {
            TrialOutcome::Finished {
                score,
                best_epoch,
                epochs_run,
                ..
            } => (
                "ok",
                empty(),
                Cell::Count(*best_epoch),
                Cell::Count(*epochs_run),
                Cell::maybe_number(score.val_accuracy, 4),
                Cell::number(score.val_loss, 4),
            ),
            TrialOutcome::Diverged { epoch } => (
                "diverged",
                Cell::Count(*epoch),
                empty(),
                empty(),
                empty(),
                empty(),
            ),
        };
        let accuracy = if kind == ModelKind::Classifier {
            accuracy
        } else {
            empty()
        };
        table.push(vec![
            Cell::Count(i + 1),
            Cell::Count(r.number),
            Cell::text(c.hidden_text()),
            Cell::text(c.activation.to_string()),
            Cell::text(c.optimizer.to_string()),
            Cell::Exact(c.learning_rate),
            Cell::Exact(c.batch_size as f64),
            Cell::text(status),
            diverged,
            best,
            run,
            accuracy,
            loss,
            Cell::number(r.seconds, 3),
            Cell::text(relative(&r.dir, out).display().to_string()),
        ]);
    }
    table.to_csv()
}

/// `dir` relative to the output directory `out` (`trials/007`), as the results name it.
pub fn relative<'a>(dir: &'a Path, out: &Path) -> &'a Path {
    dir.strip_prefix(out).unwrap_or(dir)
}

/// Each finished trial's headline score (accuracy or loss) and the best so far, by trial.
fn score_chart(trials: &[TrialRecord], kind: ModelKind, path: &Path) -> Result<(), TrainError> {
    let mut best: Option<f64> = None;
    let mut each = Vec::new();
    let mut best_so_far = Vec::new();
    for r in trials {
        let Some(score) = r.outcome.score() else {
            continue;
        };
        let value = score.headline();
        let better = |b: f64| match kind {
            ModelKind::Classifier => value > b,
            ModelKind::Regressor => value < b,
        };
        if best.is_none_or(better) {
            best = Some(value);
        }
        each.push((r.number as f64, value));
        best_so_far.push((r.number as f64, best.unwrap_or(value)));
    }
    let y_label = match kind {
        ModelKind::Classifier => "validation accuracy",
        ModelKind::Regressor => "validation loss",
    };
    line_chart(
        path,
        "Validation score by trial",
        "trial",
        y_label,
        &[
            Series {
                label: "trial",
                points: each,
            },
            Series {
                label: "best so far",
                points: best_so_far,
            },
        ],
    )
}
