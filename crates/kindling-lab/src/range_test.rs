//! The learning-rate range test (Leslie Smith, "Cyclical Learning Rates for Training Neural
//! Networks", 2015; fastai's `lr_find`): one model, from the seed's initial weights, trained
//! batch by batch while the learning rate rises exponentially from a tiny value to a huge one.
//! The loss first barely moves, then falls, then explodes; a good learning rate lies on the
//! falling stretch.
//!
//! Each batch's loss is smoothed with an exponential moving average (factor [`SMOOTHING`],
//! bias-corrected as in Adam). The test stops early once the loss is not a number or the
//! smoothed loss exceeds [`STOP_FACTOR`] times its lowest value. The suggested learning rate
//! is **one tenth of the learning rate at the lowest smoothed loss** (see [`suggest`]): at the
//! minimum the loss is about to blow up, an order of magnitude lower is still on the steep,
//! stable part of the curve.

use crate::experiment::{Cell, ExperimentDir, ResultTable};
use burn::data::dataloader::DataLoader;
use burn::optim::ModuleOptimizer;
use burn::train::TrainStep;
use kindling_data::Rows;
use kindling_data::split::{ValidationSplit, validation_split};
use kindling_models::{DenseStackConfig, RegressionMlp};
use kindling_train::TrainError;
use kindling_train::plot::{Axis, Curve, Scale, Series, chart};
use kindling_train::recipe::{ModelKind, RunSetup};
use kindling_train::{Batch, Supervised};
use kindling_train::{ClassificationBatcher, RegressionBatcher};
use kindling_train::{FitOptions, OptimizerKind};
use kindling_train::{burn_optimizer, seeded_model, train_loader};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// The picture: loss against learning rate.
pub const RANGE_TEST_PNG: &str = "range-test.png";
/// Weight of the past in the exponential moving average of the loss.
pub const SMOOTHING: f64 = 0.9;
/// The test stops once the smoothed loss exceeds this many times its lowest value.
pub const STOP_FACTOR: f64 = 4.0;
/// The suggestion is the learning rate at the lowest smoothed loss divided by this.
pub const SUGGESTION_DIVISOR: f64 = 10.0;

/// What a range test trains, and over which learning rates.
#[derive(Debug, Clone)]
pub struct RangeTestSettings {
    /// The task's name, for the record.
    pub task: String,
    /// The network.
    pub model: DenseStackConfig,
    /// Classifier or regressor.
    pub kind: ModelKind,
    /// Batch size, optimizer, validation split (only the training rows are used) and seed;
    /// the learning rate and epochs in it are not used.
    pub options: FitOptions,
    /// The learning rate of the first batch.
    pub start_lr: f64,
    /// The learning rate of the last batch.
    pub end_lr: f64,
    /// The number of batches (the training rows are cycled through as often as needed).
    pub steps: usize,
}

impl RangeTestSettings {
    /// Checks the range (see [`check_range`]), the options and the model.
    pub fn validate(&self) -> Result<(), TrainError> {
        check_range(self.start_lr, self.end_lr, self.steps)?;
        FitOptions {
            learning_rate: self.start_lr,
            ..self.options.clone()
        }
        .validate()?;
        self.model.validate()?;
        Ok(())
    }

    /// The learning rate of batch `step` (from 0): `start × (end / start)^(step / (steps − 1))`.
    pub fn learning_rate(&self, step: usize) -> f64 {
        let fraction = step as f64 / (self.steps - 1).max(1) as f64;
        self.start_lr * (self.end_lr / self.start_lr).powf(fraction)
    }
}

/// Checks a range test's schedule: `0 < start < end`, both finite, and at least 2 steps.
pub fn check_range(start_lr: f64, end_lr: f64, steps: usize) -> Result<(), TrainError> {
    let invalid = |name, value: String, reason: String| TrainError::InvalidOption {
        name,
        value,
        reason,
    };
    if !(start_lr.is_finite() && start_lr > 0.0) {
        return Err(invalid(
            "--range-start",
            kindling_data::number::short(start_lr),
            "the first learning rate must be a positive number".into(),
        ));
    }
    if !(end_lr.is_finite() && end_lr > start_lr) {
        return Err(invalid(
            "--range-end",
            kindling_data::number::short(end_lr),
            format!(
                "the last learning rate must be a number above the first, {}",
                kindling_data::number::short(start_lr)
            ),
        ));
    }
    if steps < 2 {
        return Err(invalid(
            "--range-steps",
            steps.to_string(),
            "the test needs at least 2 batches".into(),
        ));
    }
    Ok(())
}

/// One batch of the test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RangePoint {
    /// The batch, from 1.
    pub step: usize,
    /// Its learning rate.
    pub learning_rate: f64,
    /// Its loss (before the update; `null` in JSON when not a number).
    pub loss: f64,
    /// The bias-corrected exponential moving average of the losses so far.
    pub smoothed_loss: f64,
}

/// A suggested learning rate and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrSuggestion {
    /// The suggestion.
    pub learning_rate: f64,
    /// The learning rate at the lowest smoothed loss.
    pub min_loss_learning_rate: f64,
    /// The lowest smoothed loss.
    pub min_smoothed_loss: f64,
    /// The rule, in words.
    pub rule: String,
}

/// Suggests a learning rate from a range test's points: one tenth of the learning rate at
/// the lowest finite smoothed loss. `None` without a finite point.
pub fn suggest(points: &[RangePoint]) -> Option<LrSuggestion> {
    let lowest = points
        .iter()
        .filter(|p| p.smoothed_loss.is_finite())
        .min_by(|a, b| a.smoothed_loss.total_cmp(&b.smoothed_loss))?;
    Some(LrSuggestion {
        learning_rate: lowest.learning_rate / SUGGESTION_DIVISOR,
        min_loss_learning_rate: lowest.learning_rate,
        min_smoothed_loss: lowest.smoothed_loss,
        rule: format!(
            "one tenth of the learning rate with the lowest smoothed loss ({} at lr {:.3e})",
            short(lowest.smoothed_loss),
            lowest.learning_rate
        ),
    })
}

fn short(value: f64) -> String {
    if value.abs() >= 1e5 {
        format!("{value:.3e}")
    } else {
        format!("{value:.4}")
    }
}

/// What a range test found (`results.json`).
#[derive(Debug, Clone, Serialize)]
pub struct RangeTestReport {
    /// The task.
    pub task: String,
    /// The backend that ran.
    pub backend: String,
    /// The network.
    pub model: DenseStackConfig,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Examples per batch.
    pub batch_size: usize,
    /// The seed of the initial weights and the shuffles.
    pub seed: u64,
    /// The validation split whose training rows were used.
    pub validation_split: f64,
    /// Rows trained on.
    pub train_examples: usize,
    /// The first learning rate.
    pub start_lr: f64,
    /// The last learning rate.
    pub end_lr: f64,
    /// The batches asked for.
    pub steps: usize,
    /// The smoothing factor.
    pub smoothing: f64,
    /// Every batch run.
    pub points: Vec<RangePoint>,
    /// Why the test ended before its last batch, if it did.
    pub stopped: Option<String>,
    /// The suggested learning rate.
    pub suggestion: Option<LrSuggestion>,
    /// Charts that could not be drawn (the other result files are complete), for the caller
    /// to tell the user.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl RangeTestReport {
    /// Every batch: step, learning rate, loss, smoothed loss (`results.csv`).
    pub fn table(&self) -> ResultTable {
        self.table_of(self.points.iter())
    }

    /// About `rows` evenly spaced batches, the last one and the lowest smoothed loss among
    /// them: what the terminal shows.
    pub fn summary_table(&self, rows: usize) -> ResultTable {
        let every = self.points.len().div_ceil(rows.max(1)).max(1);
        let lowest = self.suggestion.as_ref().map(|s| s.min_loss_learning_rate);
        let last = self.points.len().saturating_sub(1);
        self.table_of(self.points.iter().enumerate().filter_map(|(i, p)| {
            (i % every == 0 || i == last || Some(p.learning_rate) == lowest).then_some(p)
        }))
    }

    fn table_of<'a>(&self, points: impl Iterator<Item = &'a RangePoint>) -> ResultTable {
        let mut table = ResultTable::new(&["step", "lr", "loss", "smoothed loss"]);
        for p in points {
            table.push(vec![
                Cell::Count(p.step),
                Cell::Scientific(p.learning_rate),
                Cell::number(p.loss, 4),
                Cell::number(p.smoothed_loss, 4),
            ]);
        }
        table
    }
}

/// Runs the range test on the training rows of `rows` (the part before the validation split)
/// and writes `results.csv`, `results.json` and [`RANGE_TEST_PNG`] into `setup.out`.
pub fn range_test(
    settings: &RangeTestSettings,
    rows: Arc<Rows>,
    setup: RunSetup,
) -> Result<RangeTestReport, TrainError> {
    settings.validate()?;
    let options = &settings.options;
    let split = validation_split(rows.len(), options.validation_split)?;
    let dir = ExperimentDir::create(setup.out)?;
    let (net, autodiff) = seeded_model(&settings.model, options.seed, setup.device)?;
    let optim = burn_optimizer(options);
    let losses = match settings.kind {
        ModelKind::Classifier => {
            let loader = train_loader(ClassificationBatcher::new(rows), &split, options, &autodiff);
            run_batches(net, loader, optim, settings)?
        }
        ModelKind::Regressor => {
            let loader = train_loader(RegressionBatcher::new(rows), &split, options, &autodiff);
            run_batches(RegressionMlp::new(net), loader, optim, settings)?
        }
    };
    let (points, stopped) = losses;
    let mut report = report(settings, &split, setup.backend, points, stopped);
    dir.write_results(&report.table(), &report)?;
    if let Err(e) = draw(&report, &dir.file(RANGE_TEST_PNG)) {
        report
            .warnings
            .push(format!("{e}; the other result files are complete"));
    }
    Ok(report)
}

fn report(
    settings: &RangeTestSettings,
    split: &ValidationSplit,
    backend: &str,
    points: Vec<RangePoint>,
    stopped: Option<String>,
) -> RangeTestReport {
    let options = &settings.options;
    RangeTestReport {
        task: settings.task.clone(),
        backend: backend.to_string(),
        model: settings.model.clone(),
        optimizer: options.optimizer,
        batch_size: options.batch_size,
        seed: options.seed,
        validation_split: options.validation_split,
        train_examples: split.train.len(),
        start_lr: settings.start_lr,
        end_lr: settings.end_lr,
        steps: settings.steps,
        smoothing: SMOOTHING,
        suggestion: suggest(&points),
        points,
        stopped,
        warnings: Vec::new(),
    }
}

/// Trains `model` one batch at a time at the scheduled learning rates, cycling through the
/// loader, until the last step or a stop condition. Returns the points and why it stopped
/// early, if it did.
fn run_batches<M: Supervised>(
    mut model: M,
    loader: Arc<dyn DataLoader<Batch<M>>>,
    mut optim: ModuleOptimizer,
    settings: &RangeTestSettings,
) -> Result<(Vec<RangePoint>, Option<String>), TrainError> {
    // The test usually stops early; reserve for what a run of any length starts with.
    let mut points = Vec::with_capacity(settings.steps.min(1024));
    let mut average = 0.0;
    let mut lowest = f64::INFINITY;
    loop {
        let before = points.len();
        for batch in loader.iter() {
            let batch = batch.map_err(|e| TrainError::Learner(e.to_string()))?;
            let step = points.len();
            let learning_rate = settings.learning_rate(step);
            let output = TrainStep::step(&model, batch);
            let (loss, _) = M::score(output.item);
            let loss = loss
                .try_into_scalar::<f64>()
                .map_err(|e| TrainError::Learner(format!("cannot read the loss: {e:?}")))?;
            average = SMOOTHING * average + (1.0 - SMOOTHING) * loss;
            let smoothed_loss = average / (1.0 - SMOOTHING.powi(step as i32 + 1));
            points.push(RangePoint {
                step: step + 1,
                learning_rate,
                loss,
                smoothed_loss,
            });
            if !loss.is_finite() {
                let why = format!(
                    "the loss of batch {} (lr {learning_rate:.3e}) is {loss}",
                    step + 1
                );
                return Ok((points, Some(why)));
            }
            lowest = lowest.min(smoothed_loss);
            if smoothed_loss > STOP_FACTOR * lowest {
                let why = format!(
                    "the smoothed loss of batch {} (lr {learning_rate:.3e}) is {}, over {STOP_FACTOR} times its lowest, {}",
                    step + 1,
                    short(smoothed_loss),
                    short(lowest)
                );
                return Ok((points, Some(why)));
            }
            if points.len() == settings.steps {
                return Ok((points, None));
            }
            model = optim.step(learning_rate, model, output.grads);
        }
        if points.len() == before {
            return Err(TrainError::Learner(
                "the training rows gave no batch".into(),
            ));
        }
    }
}

/// The loss (thin) and smoothed loss against the learning rate on a log axis, with the
/// suggestion marked.
fn draw(report: &RangeTestReport, path: &Path) -> Result<(), TrainError> {
    let raw = Series {
        label: "loss",
        points: report
            .points
            .iter()
            .map(|p| (p.learning_rate, p.loss))
            .collect(),
    };
    let smoothed = Series {
        label: "smoothed loss",
        points: report
            .points
            .iter()
            .map(|p| (p.learning_rate, p.smoothed_loss))
            .collect(),
    };
    let scale = Scale::fitting(raw.points.iter().map(|p| p.1), 100.0);
    let finite_losses = || {
        raw.points
            .iter()
            .chain(&smoothed.points)
            .map(|p| p.1)
            .filter(|v| v.is_finite() && (scale == Scale::Linear || *v > 0.0))
    };
    let low = finite_losses().fold(f64::INFINITY, f64::min);
    let high = finite_losses().fold(f64::NEG_INFINITY, f64::max);
    let label = report
        .suggestion
        .as_ref()
        .map(|s| format!("suggested lr {:.3e}", s.learning_rate))
        .unwrap_or_default();
    let marker = Series {
        label: &label,
        points: report
            .suggestion
            .as_ref()
            .filter(|_| low.is_finite())
            .map(|s| vec![(s.learning_rate, low), (s.learning_rate, high)])
            .unwrap_or_default(),
    };
    let mut curves = vec![
        Curve {
            series: &raw,
            color: 0,
            dashed: false,
            dots: false,
        },
        Curve {
            series: &smoothed,
            color: 1,
            dashed: false,
            dots: false,
        },
    ];
    if !marker.points.is_empty() {
        curves.push(Curve {
            series: &marker,
            color: 2,
            dashed: true,
            dots: false,
        });
    }
    let y_label = if scale == Scale::Log {
        "loss (log scale)"
    } else {
        "loss"
    };
    chart(
        path,
        &format!("Learning-rate range test ({})", report.task),
        Axis::log("learning rate (log scale)"),
        Axis {
            label: y_label,
            scale,
        },
        &curves,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_test_guard;
    use burn::prelude::Device;
    use kindling_models::Activation;

    fn point(step: usize, learning_rate: f64, smoothed_loss: f64) -> RangePoint {
        RangePoint {
            step,
            learning_rate,
            loss: smoothed_loss,
            smoothed_loss,
        }
    }

    #[test]
    fn suggests_a_tenth_of_the_rate_at_the_lowest_smoothed_loss() {
        let points = [
            point(1, 1e-5, 0.70),
            point(2, 1e-4, 0.69),
            point(3, 1e-3, 0.60),
            point(4, 1e-2, 0.45),
            point(5, 1e-1, 0.52),
            point(6, 1.0, f64::NAN),
        ];
        let suggestion = suggest(&points).unwrap();
        assert_eq!(suggestion.min_loss_learning_rate, 1e-2);
        assert!((suggestion.learning_rate - 1e-3).abs() < 1e-15);
        assert_eq!(suggestion.min_smoothed_loss, 0.45);
        assert!(
            suggestion
                .rule
                .starts_with("one tenth of the learning rate")
        );
        assert!(
            suggestion.rule.contains("0.4500 at lr 1.000e-2"),
            "{}",
            suggestion.rule
        );
        assert_eq!(suggest(&[point(1, 1e-3, f64::NAN)]), None);
        assert_eq!(suggest(&[]), None);
    }

    fn settings(kind: ModelKind, output: usize) -> RangeTestSettings {
        RangeTestSettings {
            task: "test".into(),
            model: DenseStackConfig::uniform(2, &[16], Activation::Relu, output),
            kind,
            options: FitOptions {
                batch_size: 8,
                optimizer: OptimizerKind::Sgd,
                ..Default::default()
            },
            start_lr: 1e-6,
            end_lr: 1e3,
            steps: 200,
        }
    }

    #[test]
    fn the_schedule_rises_exponentially_from_start_to_end() {
        let s = settings(ModelKind::Classifier, 2);
        assert_eq!(s.learning_rate(0), 1e-6);
        assert!((s.learning_rate(199) / 1e3 - 1.0).abs() < 1e-12);
        let ratio = s.learning_rate(1) / s.learning_rate(0);
        assert!((s.learning_rate(101) / s.learning_rate(100) - ratio).abs() < 1e-9);
        for (change, expected) in [
            (
                RangeTestSettings {
                    start_lr: 0.0,
                    ..s.clone()
                },
                "--range-start",
            ),
            (
                RangeTestSettings {
                    end_lr: 1e-7,
                    ..s.clone()
                },
                "--range-end",
            ),
            (
                RangeTestSettings {
                    steps: 1,
                    ..s.clone()
                },
                "--range-steps",
            ),
        ] {
            let err = change.validate().unwrap_err().to_string();
            assert!(err.starts_with(&format!("invalid {expected}")), "{err}");
        }
    }

    #[test]
    fn the_loss_falls_then_explodes_and_the_test_stops() {
        let _guard = seeded_test_guard();
        // Two features, class = whether their sum is positive.
        let features: Vec<f32> = (0..400)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 5.0)
            .collect();
        let labels = features
            .chunks(2)
            .map(|pair| u32::from(pair[0] + pair[1] > 0.0))
            .collect();
        let rows = Arc::new(Rows::classified(features, 2, labels, 2));
        let dir = tempfile::tempdir().unwrap();
        let device = Device::flex();
        let setup = RunSetup {
            data_dir: dir.path(),
            out: dir.path(),
            backend: "flex",
            device: &device,
            verbosity: kindling_train::Verbosity::Quiet,
        };
        let report = range_test(&settings(ModelKind::Classifier, 2), rows, setup).unwrap();
        assert!(report.stopped.is_some(), "lr 1000 must blow the loss up");
        assert!(report.points.len() < 200);
        let suggestion = report.suggestion.unwrap();
        let first = report.points[0].smoothed_loss;
        assert!(suggestion.min_smoothed_loss < 0.8 * first, "{suggestion:?}");
        assert!(
            (1e-4..10.0).contains(&suggestion.learning_rate),
            "{suggestion:?}"
        );
        for file in ["results.csv", "results.json", RANGE_TEST_PNG] {
            assert!(dir.path().join(file).is_file(), "{file}");
        }
        let csv = std::fs::read_to_string(dir.path().join("results.csv")).unwrap();
        assert_eq!(csv.lines().count(), report.points.len() + 1);
    }
}
