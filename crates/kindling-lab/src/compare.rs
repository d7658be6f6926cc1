//! `compare`: deeper against wider. Several hidden-layer layouts of one task's network, each
//! trained with the same seed, options and early stopping on one data split, side by side.

use crate::experiment::{Cell, ExperimentDir, ResultTable, fit_trial};
use crate::tune::space::hidden_text;
use kindling_data::Rows;
use kindling_data::split::validation_split;
use kindling_models::DenseStackConfig;
use kindling_train::History;
use kindling_train::TrainError;
use kindling_train::Verbosity;
use kindling_train::divergence::Divergence;
use kindling_train::plot::{Axis, Scale, Series, line_chart_on};
use kindling_train::recipe::{ModelKind, RunSetup};
use kindling_train::run_dir::HISTORY_FILE;
use kindling_train::{FitOptions, OptimizerKind};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The picture of every variant's validation loss.
pub const VAL_LOSS_PNG: &str = "val-loss.png";

/// What a comparison trains.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// The task's name, for the record.
    pub task: String,
    /// Classifier or regressor.
    pub kind: ModelKind,
    /// The networks, one per variant, in the order they run.
    pub variants: Vec<DenseStackConfig>,
    /// The hyper-parameters every variant shares (set `patience` for early stopping).
    pub options: FitOptions,
}

impl CompareSettings {
    /// Checks the options and every variant (at least one, each layout once).
    pub fn validate(&self) -> Result<(), TrainError> {
        self.options.validate()?;
        if self.variants.is_empty() {
            return Err(TrainError::InvalidOption {
                name: "architectures",
                value: String::new(),
                reason: "give at least one architecture".into(),
            });
        }
        for (i, variant) in self.variants.iter().enumerate() {
            variant.validate()?;
            if self.variants[..i]
                .iter()
                .any(|v| v.hidden == variant.hidden)
            {
                return Err(TrainError::InvalidOption {
                    name: "architectures",
                    value: hidden_text(&variant.hidden),
                    reason: "this architecture is given twice; give each once".into(),
                });
            }
        }
        Ok(())
    }
}

/// One variant's run.
#[derive(Debug, Clone, Serialize)]
pub struct VariantResult {
    /// `model_1`, `model_2`, ... in the order given.
    pub name: String,
    /// The hidden layer widths.
    pub hidden: Vec<usize>,
    /// Trainable parameters.
    pub parameters: usize,
    /// Epochs actually run.
    pub epochs_run: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The epoch with the lowest validation loss.
    pub best_epoch: usize,
    /// That epoch's validation loss.
    pub best_val_loss: f64,
    /// That epoch's validation accuracy (classifiers).
    pub val_accuracy: Option<f64>,
    /// The first sign of divergence, if the run diverged.
    pub divergence: Option<Divergence>,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Every epoch.
    pub history: History,
    /// The run's directory (checkpoints and `history.csv`).
    pub dir: PathBuf,
}

/// What a comparison found (`results.json`).
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// The task.
    pub task: String,
    /// The backend that ran.
    pub backend: String,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// The learning rate.
    pub learning_rate: f64,
    /// Examples per gradient step.
    pub batch_size: usize,
    /// The most epochs a variant may run.
    pub max_epochs: usize,
    /// Early stopping's patience, if any.
    pub patience: Option<usize>,
    /// The validation split (the last rows, as in Keras).
    pub validation_split: f64,
    /// The seed of the initial weights and the shuffles.
    pub seed: u64,
    /// Rows trained on.
    pub train_examples: usize,
    /// Rows validated on.
    pub valid_examples: usize,
    /// One result per variant, in the order given.
    pub variants: Vec<VariantResult>,
    /// Charts that could not be drawn (the other result files are complete), for the caller
    /// to tell the user.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl CompareReport {
    /// The result table; `seconds` is the last column, the only one that differs between two
    /// runs with the same seed.
    pub fn table(&self) -> ResultTable {
        let classifier = self.variants.iter().any(|v| v.val_accuracy.is_some());
        let mut columns = vec![
            "model",
            "hidden",
            "parameters",
            "epochs run",
            "stopped early",
            "best epoch",
            "best val_loss",
        ];
        if classifier {
            columns.push("val_accuracy");
        }
        columns.push("seconds");
        let mut table = ResultTable::new(&columns);
        for v in &self.variants {
            let mut row = vec![
                Cell::text(&v.name),
                Cell::text(hidden_text(&v.hidden)),
                Cell::Count(v.parameters),
                Cell::Count(v.epochs_run),
                Cell::text(if v.stopped_early { "yes" } else { "no" }),
                Cell::Count(v.best_epoch),
                Cell::number(v.best_val_loss, 4),
            ];
            if classifier {
                row.push(Cell::maybe_number(v.val_accuracy, 4));
            }
            row.push(Cell::number(v.seconds, 2));
            table.push(row);
        }
        table
    }

    /// Sentences under the table: diverged variants and the winner.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .variants
            .iter()
            .filter_map(|v| {
                let d = v.divergence?;
                Some(format!(
                    "{} diverged at epoch {}: its {} loss is {}.",
                    v.name, d.epoch, d.which, d.value
                ))
            })
            .collect();
        let best = self
            .variants
            .iter()
            .filter(|v| v.divergence.is_none() && v.best_val_loss.is_finite())
            .min_by(|a, b| a.best_val_loss.total_cmp(&b.best_val_loss));
        if let Some(best) = best {
            notes.push(format!(
                "Lowest val_loss: {} (hidden {}, {} parameters).",
                best.name,
                hidden_text(&best.hidden),
                kindling_train::summary::thousands(best.parameters)
            ));
        }
        notes
    }
}

/// Trains every variant on `rows`, each in its own directory `model_<i>-<widths>` under
/// `setup.out`, then writes `results.csv`, `results.json` and [`VAL_LOSS_PNG`] there.
pub fn compare_architectures(
    settings: &CompareSettings,
    rows: Arc<Rows>,
    setup: RunSetup,
) -> Result<CompareReport, TrainError> {
    settings.validate()?;
    let options = &settings.options;
    let split = validation_split(rows.len(), options.validation_split)?;
    let dir = ExperimentDir::create(setup.out)?;
    let mut variants = Vec::with_capacity(settings.variants.len());
    for (i, config) in settings.variants.iter().enumerate() {
        let name = format!("model_{}", i + 1);
        let layout = hidden_text(&config.hidden);
        if setup.verbosity != Verbosity::Quiet {
            println!(
                "{name}: hidden {layout}, {} parameters",
                kindling_train::summary::thousands(config.num_params())
            );
        }
        let trial_dir = dir.trial(&format!("{name}-{}", layout.replace(',', "-")));
        let started = Instant::now();
        let fit = fit_trial(
            settings.kind,
            config,
            rows.clone(),
            options,
            &trial_dir,
            &setup,
        )?;
        let seconds = started.elapsed().as_secs_f64();
        fit.history.write_csv(&trial_dir.join(HISTORY_FILE))?;
        let best = fit
            .history
            .epochs
            .iter()
            .find(|e| e.epoch == fit.best_epoch);
        variants.push(VariantResult {
            name,
            hidden: config.hidden.clone(),
            parameters: config.num_params(),
            epochs_run: fit.history.epochs.len(),
            stopped_early: fit.stopped_early,
            best_epoch: fit.best_epoch,
            best_val_loss: best.map_or(f64::NAN, |e| e.val_loss),
            val_accuracy: best.and_then(|e| e.val_accuracy),
            divergence: fit.divergence,
            seconds,
            dir: trial_dir,
            history: fit.history,
        });
    }
    let mut report = CompareReport {
        task: settings.task.clone(),
        backend: setup.backend.to_string(),
        optimizer: options.optimizer,
        learning_rate: options.learning_rate,
        batch_size: options.batch_size,
        max_epochs: options.epochs,
        patience: options.patience,
        validation_split: options.validation_split,
        seed: options.seed,
        train_examples: split.train.len(),
        valid_examples: split.valid.len(),
        variants,
        warnings: Vec::new(),
    };
    dir.write_results(&report.table(), &report)?;
    if let Err(e) = draw_val_losses(&report, &dir.file(VAL_LOSS_PNG)) {
        report
            .warnings
            .push(format!("{e}; the other result files are complete"));
    }
    Ok(report)
}

/// Every variant's validation loss per epoch.
fn draw_val_losses(report: &CompareReport, path: &std::path::Path) -> Result<(), TrainError> {
    let labels: Vec<String> = report
        .variants
        .iter()
        .map(|v| format!("{} ({})", v.name, hidden_text(&v.hidden)))
        .collect();
    let series: Vec<Series> = report
        .variants
        .iter()
        .zip(&labels)
        .map(|(v, label)| Series {
            label,
            points: v
                .history
                .epochs
                .iter()
                .map(|e| (e.epoch as f64, e.val_loss))
                .collect(),
        })
        .collect();
    let scale = Scale::fitting(
        series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
        100.0,
    );
    let y_label = if scale == Scale::Log {
        "validation loss (log scale)"
    } else {
        "validation loss"
    };
    line_chart_on(
        path,
        &format!("Validation loss by architecture ({})", report.task),
        Axis::linear("epoch"),
        Axis {
            label: y_label,
            scale,
        },
        &series,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_models::Activation;

    fn settings(layouts: &[&[usize]]) -> CompareSettings {
        CompareSettings {
            task: "test".into(),
            kind: ModelKind::Classifier,
            variants: layouts
                .iter()
                .map(|h| DenseStackConfig::uniform(784, h, Activation::Relu, 10))
                .collect(),
            options: FitOptions::default(),
        }
    }

    #[test]
    fn the_course_models_have_the_course_parameter_counts() {
        let s = settings(&[&[50], &[50, 50, 50], &[100]]);
        s.validate().unwrap();
        let counts: Vec<usize> = s.variants.iter().map(|v| v.num_params()).collect();
        assert_eq!(counts, [39_760, 44_860, 79_510]);
    }

    #[test]
    fn variants_must_be_valid_and_distinct() {
        let err = settings(&[]).validate().unwrap_err().to_string();
        assert!(err.contains("at least one architecture"), "{err}");
        let err = settings(&[&[50], &[50]])
            .validate()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid architectures 50:"), "{err}");
        let err = settings(&[&[50, 0]]).validate().unwrap_err().to_string();
        assert!(err.contains("hidden layer 2 has width 0"), "{err}");
    }
}
