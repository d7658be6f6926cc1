//! `sweep-lr`: one model trained at several learning rates, every run from the same initial
//! weights (the same seed, see [`kindling_train::seeded_model`]), with the same shuffles, on one data
//! split; each run classified as ok, diverged or stalled (see [`crate::trial_status`]).

use crate::experiment::{Cell, ExperimentDir, ResultTable, fit_trial};
use crate::trial_status::{TrialStatus, classify, constant_guess_loss, majority_class};
use kindling_data::Rows;
use kindling_data::split::validation_split;
use kindling_models::DenseStackConfig;
use kindling_train::TrainError;
use kindling_train::Verbosity;
use kindling_train::divergence::naive_guess_loss;
use kindling_train::plot::{Axis, Curve, Scale, Series, chart};
use kindling_train::predicted_class_counts;
use kindling_train::recipe::{ModelKind, RunSetup};
use kindling_train::run_dir::{HISTORY_FILE, load_weights};
use kindling_train::{EpochRecord, History};
use kindling_train::{FitOptions, OptimizerKind};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The picture of every learning rate's loss curves.
pub const LOSSES_PNG: &str = "losses.png";

/// What a sweep trains.
#[derive(Debug, Clone)]
pub struct SweepSettings {
    /// The task's name, for the record.
    pub task: String,
    /// The network.
    pub model: DenseStackConfig,
    /// Classifier or regressor.
    pub kind: ModelKind,
    /// The learning rates, in the order they run.
    pub learning_rates: Vec<f64>,
    /// Every other hyper-parameter (its learning rate is replaced by each of the above).
    pub options: FitOptions,
}

impl SweepSettings {
    /// Checks the learning rates (see [`check_learning_rates`]), the options and the model.
    pub fn validate(&self) -> Result<(), TrainError> {
        check_learning_rates(&self.learning_rates)?;
        self.with_rate(self.learning_rates[0]).validate()?;
        self.model.validate()?;
        Ok(())
    }

    fn with_rate(&self, learning_rate: f64) -> FitOptions {
        FitOptions {
            learning_rate,
            ..self.options.clone()
        }
    }
}

/// Checks a sweep's learning rates: at least one, each a positive finite number, none twice.
pub fn check_learning_rates(learning_rates: &[f64]) -> Result<(), TrainError> {
    let invalid = |value: String, reason: &str| TrainError::InvalidOption {
        name: "learning_rates",
        value,
        reason: reason.to_string(),
    };
    if learning_rates.is_empty() {
        return Err(invalid(String::new(), "give at least one learning rate"));
    }
    for (i, &lr) in learning_rates.iter().enumerate() {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(invalid(
                kindling_data::number::short(lr),
                "a learning rate must be a positive number",
            ));
        }
        if learning_rates[..i].contains(&lr) {
            return Err(invalid(
                kindling_data::number::short(lr),
                "this learning rate is listed twice; give each once",
            ));
        }
    }
    Ok(())
}

/// One learning rate's run.
#[derive(Debug, Clone, Serialize)]
pub struct LrTrial {
    /// The learning rate.
    pub learning_rate: f64,
    /// ok, diverged or stalled, with the figures behind it.
    pub status: TrialStatus,
    /// The last epoch's training loss (NaN, written `null`, when it was not a number).
    pub final_loss: f64,
    /// The last epoch's validation loss.
    pub final_val_loss: f64,
    /// The last epoch's validation accuracy (classifiers).
    pub final_val_accuracy: Option<f64>,
    /// For classifiers: how many validation rows the last epoch's weights put in each class.
    pub predicted_classes: Option<Vec<usize>>,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Every epoch.
    pub history: History,
    /// The run's directory (checkpoints and `history.csv`).
    pub dir: PathBuf,
}

impl LrTrial {
    /// The class the last epoch's weights predict for every validation row, if they predict
    /// just one.
    pub fn only_class(&self) -> Option<usize> {
        let counts = self.predicted_classes.as_ref()?;
        let mut predicted = counts.iter().enumerate().filter(|&(_, &n)| n > 0);
        match (predicted.next(), predicted.next()) {
            (Some((class, _)), None) => Some(class),
            _ => None,
        }
    }
}

/// The most common validation class and its share of the validation rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Majority {
    /// The class.
    pub class: usize,
    /// Its share: the accuracy of predicting it for every row.
    pub share: f64,
}

/// What a sweep found (`results.json`).
#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    /// The task.
    pub task: String,
    /// The backend that ran.
    pub backend: String,
    /// The network (every run starts from the same initial weights).
    pub model: DenseStackConfig,
    /// Its number of parameters.
    pub parameters: usize,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Epochs per run.
    pub epochs: usize,
    /// Examples per gradient step.
    pub batch_size: usize,
    /// The validation split (the last rows, as in Keras).
    pub validation_split: f64,
    /// The seed of the initial weights and the shuffles.
    pub seed: u64,
    /// Rows trained on.
    pub train_examples: usize,
    /// Rows validated on.
    pub valid_examples: usize,
    /// The loss of a naive guess (divergence is 100 times that).
    pub naive_guess_loss: f64,
    /// The validation loss of a constant guess (a run no better than that has stalled).
    pub constant_guess_loss: f64,
    /// The most common validation class (classifiers).
    pub majority: Option<Majority>,
    /// One run per learning rate, in the order given.
    pub trials: Vec<LrTrial>,
    /// The learning rate with the lowest final validation loss among the runs that did not
    /// diverge.
    pub best_learning_rate: Option<f64>,
    /// Charts that could not be drawn (the other result files are complete), for the caller
    /// to tell the user.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl SweepReport {
    /// The result table: learning rate, final losses (and accuracy), status.
    pub fn table(&self) -> ResultTable {
        let classifier = self.majority.is_some();
        let mut columns = vec!["lr", "final loss", "final val_loss"];
        if classifier {
            columns.push("final val_accuracy");
        }
        columns.push("status");
        let mut table = ResultTable::new(&columns);
        for trial in &self.trials {
            let mut row = vec![
                Cell::Exact(trial.learning_rate),
                Cell::number(trial.final_loss, 4),
                Cell::number(trial.final_val_loss, 4),
            ];
            if classifier {
                row.push(Cell::maybe_number(trial.final_val_accuracy, 4));
            }
            row.push(Cell::text(trial.status.to_string()));
            table.push(row);
        }
        table
    }

    /// Sentences under the table: why each run that is not ok is not, what a diverged
    /// classifier predicts afterwards, and the best learning rate.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for trial in &self.trials {
            let Some(why) = trial.status.explanation() else {
                continue;
            };
            let mut note = format!("lr {}: {}: {why}", trial.learning_rate, trial.status);
            if let Some(after) = self.predicts_after(trial) {
                note.push_str(&format!("; {after}"));
            }
            notes.push(format!("{note}."));
        }
        notes.push(match self.best_learning_rate {
            Some(lr) => format!(
                "Best: lr {lr} (the lowest final val_loss among the runs that did not diverge)."
            ),
            None => "Best: none; every run diverged.".to_string(),
        });
        notes
    }

    /// For a classifier run whose last epoch's losses are finite but that predicts one class
    /// only: what that means for its accuracy.
    fn predicts_after(&self, trial: &LrTrial) -> Option<String> {
        let class = trial.only_class()?;
        let last = trial.history.last()?;
        if !(last.loss.is_finite() && last.val_loss.is_finite()) {
            return None;
        }
        let mut text = format!(
            "the losses are finite again by the last epoch, whose weights predict class \
             {class} for every validation row"
        );
        if let (Some(majority), Some(accuracy)) = (self.majority, trial.final_val_accuracy)
            && majority.class == class
        {
            text.push_str(&format!(
                " (the majority class: val_accuracy {accuracy:.4} is its share of the rows, {:.4})",
                majority.share
            ));
        }
        Some(text)
    }
}

/// Trains `settings.model` on `rows` once per learning rate, each run in its own directory
/// `lr-<rate>` under `setup.out`, then writes `results.csv`, `results.json` and
/// [`LOSSES_PNG`] there. A run that diverges is reported, not an error.
pub fn sweep_learning_rates(
    settings: &SweepSettings,
    rows: Arc<Rows>,
    setup: RunSetup,
) -> Result<SweepReport, TrainError> {
    settings.validate()?;
    let options = &settings.options;
    let split = validation_split(rows.len(), options.validation_split)?;
    let dir = ExperimentDir::create(setup.out)?;
    let naive = naive_guess_loss(&rows, &split);
    let constant = constant_guess_loss(&rows, &split);
    let majority =
        majority_class(&rows, split.valid.clone()).map(|(class, share)| Majority { class, share });
    let mut trials = Vec::with_capacity(settings.learning_rates.len());
    for &learning_rate in &settings.learning_rates {
        if setup.verbosity != Verbosity::Quiet {
            println!("Learning rate {learning_rate}");
        }
        let trial_dir = dir.trial(&trial_name(learning_rate));
        let started = Instant::now();
        let fit = fit_trial(
            settings.kind,
            &settings.model,
            rows.clone(),
            &settings.with_rate(learning_rate),
            &trial_dir,
            &setup,
        )?;
        let seconds = started.elapsed().as_secs_f64();
        fit.history.write_csv(&trial_dir.join(HISTORY_FILE))?;
        let predicted_classes = match settings.kind {
            ModelKind::Classifier => {
                let last = load_weights(&settings.model, &fit.last_checkpoint, setup.device)?;
                Some(predicted_class_counts(
                    &last,
                    rows.clone(),
                    split.valid.clone(),
                    setup.device,
                ))
            }
            ModelKind::Regressor => None,
        };
        let status = classify(&fit.history, fit.divergence, constant);
        let last = fit.history.last();
        trials.push(LrTrial {
            learning_rate,
            status,
            final_loss: last.map_or(f64::NAN, |e| e.loss),
            final_val_loss: last.map_or(f64::NAN, |e| e.val_loss),
            final_val_accuracy: last.and_then(|e| e.val_accuracy),
            predicted_classes,
            seconds,
            history: fit.history,
            dir: trial_dir,
        });
    }
    let best_learning_rate = trials
        .iter()
        .filter(|t| !t.status.diverged() && t.final_val_loss.is_finite())
        .min_by(|a, b| a.final_val_loss.total_cmp(&b.final_val_loss))
        .map(|t| t.learning_rate);
    let mut report = SweepReport {
        task: settings.task.clone(),
        backend: setup.backend.to_string(),
        model: settings.model.clone(),
        parameters: settings.model.num_params(),
        optimizer: options.optimizer,
        epochs: options.epochs,
        batch_size: options.batch_size,
        validation_split: options.validation_split,
        seed: options.seed,
        train_examples: split.train.len(),
        valid_examples: split.valid.len(),
        naive_guess_loss: naive,
        constant_guess_loss: constant,
        majority,
        trials,
        best_learning_rate,
        warnings: Vec::new(),
    };
    dir.write_results(&report.table(), &report)?;
    if let Err(e) = draw_losses(&report, &dir.file(LOSSES_PNG)) {
        report
            .warnings
            .push(format!("{e}; the other result files are complete"));
    }
    Ok(report)
}

/// Training (solid) and validation (dashed) loss per epoch, one colour per learning rate; a
/// log scale when the losses span more than a factor of 100 (an exploding run).
fn draw_losses(report: &SweepReport, path: &std::path::Path) -> Result<(), TrainError> {
    let curve = |trial: &LrTrial, f: fn(&EpochRecord) -> f64| -> Vec<(f64, f64)> {
        trial
            .history
            .epochs
            .iter()
            .map(|e| (e.epoch as f64, f(e)))
            .collect()
    };
    let labels: Vec<(String, String)> = report
        .trials
        .iter()
        .map(|t| {
            (
                format!("lr {} training", t.learning_rate),
                format!("lr {} validation", t.learning_rate),
            )
        })
        .collect();
    let series: Vec<(Series, Series)> = report
        .trials
        .iter()
        .zip(&labels)
        .map(|(trial, (train_label, valid_label))| {
            (
                Series {
                    label: train_label,
                    points: curve(trial, |e| e.loss),
                },
                Series {
                    label: valid_label,
                    points: curve(trial, |e| e.val_loss),
                },
            )
        })
        .collect();
    let curves: Vec<Curve> = series
        .iter()
        .enumerate()
        .flat_map(|(color, (train, valid))| {
            [
                Curve {
                    series: train,
                    color,
                    dashed: false,
                    dots: true,
                },
                Curve {
                    series: valid,
                    color,
                    dashed: true,
                    dots: false,
                },
            ]
        })
        .collect();
    let all_losses = series
        .iter()
        .flat_map(|(a, b)| a.points.iter().chain(&b.points))
        .map(|p| p.1);
    let scale = Scale::fitting(all_losses, 100.0);
    let y_label = if scale == Scale::Log {
        "loss (log scale)"
    } else {
        "loss"
    };
    chart(
        path,
        &format!("Loss by learning rate ({})", report.task),
        Axis::linear("epoch"),
        Axis {
            label: y_label,
            scale,
        },
        &curves,
    )
}

/// A trial's directory name: `lr-0.01`, or `lr-1e-300` where the plain form would be long.
fn trial_name(learning_rate: f64) -> String {
    let plain = format!("lr-{learning_rate}");
    if plain.len() <= 24 {
        plain
    } else {
        format!("lr-{learning_rate:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_directories_have_short_names() {
        assert_eq!(trial_name(1.0), "lr-1");
        assert_eq!(trial_name(0.000001), "lr-0.000001");
        assert_eq!(trial_name(1e-300), "lr-1e-300");
        assert_eq!(trial_name(2.5e300), "lr-2.5e300");
    }
    use kindling_models::Activation;

    fn settings(learning_rates: Vec<f64>) -> SweepSettings {
        SweepSettings {
            task: "test".into(),
            model: DenseStackConfig::uniform(2, &[8], Activation::Relu, 2),
            kind: ModelKind::Classifier,
            learning_rates,
            options: FitOptions::default(),
        }
    }

    #[test]
    fn learning_rates_must_be_positive_finite_and_distinct() {
        settings(vec![0.1, 1.0]).validate().unwrap();
        for (rates, expected) in [
            (vec![], "give at least one"),
            (vec![0.1, 0.0], "invalid learning_rates 0:"),
            (vec![-1.0], "invalid learning_rates -1:"),
            (vec![f64::NAN], "invalid learning_rates NaN:"),
            (vec![f64::INFINITY], "invalid learning_rates inf:"),
            (vec![0.1, 0.1], "listed twice"),
        ] {
            let err = settings(rates).validate().unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn a_single_predicted_class_is_found() {
        let trial = |counts: Option<Vec<usize>>| LrTrial {
            learning_rate: 1.0,
            status: TrialStatus::Ok,
            final_loss: 0.6,
            final_val_loss: 0.6,
            final_val_accuracy: Some(0.64),
            predicted_classes: counts,
            seconds: 0.0,
            history: History::default(),
            dir: PathBuf::new(),
        };
        assert_eq!(trial(Some(vec![268, 0])).only_class(), Some(0));
        assert_eq!(trial(Some(vec![0, 5, 0])).only_class(), Some(1));
        assert_eq!(trial(Some(vec![200, 68])).only_class(), None);
        assert_eq!(trial(None).only_class(), None);
    }
}
