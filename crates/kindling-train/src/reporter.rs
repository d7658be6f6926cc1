//! What a fit prints: a Keras `verbose=2` line per epoch, a progress bar on a terminal, or
//! nothing; and the per-epoch records it collects from burn-train's metric events.
//!
//! burn-train's own CLI renderer prints no metric values (only a debug line per batch), so
//! Kindling plugs in this renderer instead.

use crate::history::EpochRecord;
use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{MetricDefinition, MetricId, NumericEntry};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How much a fit prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// A progress bar on a terminal, one line per epoch otherwise.
    Auto,
    /// One line per epoch, Keras `verbose=2` style.
    Lines,
    /// Nothing.
    Quiet,
}

impl Verbosity {
    pub(crate) fn shows_bar(self) -> bool {
        self == Verbosity::Auto && std::io::stderr().is_terminal()
    }
}

/// Epoch-level metric values of one split.
#[derive(Debug, Default, Clone, Copy)]
struct SplitValues {
    loss: Option<f64>,
    accuracy: Option<f64>,
}

/// A burn-train renderer that turns metric events into [`EpochRecord`]s.
pub(crate) struct EpochReporter {
    verbosity: Verbosity,
    total_epochs: usize,
    epoch: usize,
    names: HashMap<MetricId, String>,
    split: Option<String>,
    train: SplitValues,
    valid: SplitValues,
    epoch_start: Option<Instant>,
    train_seconds: f64,
    bar: Option<ProgressBar>,
    records: Arc<Mutex<Vec<EpochRecord>>>,
}

impl EpochReporter {
    /// A reporter that appends each finished epoch to `records`.
    pub(crate) fn new(
        verbosity: Verbosity,
        total_epochs: usize,
        records: Arc<Mutex<Vec<EpochRecord>>>,
    ) -> Self {
        Self {
            verbosity,
            total_epochs,
            epoch: 0,
            names: HashMap::new(),
            split: None,
            train: SplitValues::default(),
            valid: SplitValues::default(),
            epoch_start: None,
            train_seconds: 0.0,
            bar: None,
            records,
        }
    }

    /// Keeps the epoch-level (final) value of the loss and accuracy metrics.
    fn record(&mut self, state: MetricState, valid: bool) {
        let MetricState::Numeric(entry, Some(NumericEntry::Final(value))) = state else {
            return;
        };
        let values = if valid {
            &mut self.valid
        } else {
            &mut self.train
        };
        match self.names.get(&entry.metric_id).map(String::as_str) {
            Some("Loss") => values.loss = Some(value),
            // burn-train reports accuracy in percent.
            Some("Accuracy") => values.accuracy = Some(value / 100.0),
            _ => {}
        }
    }

    fn finish_epoch(&mut self) {
        self.epoch += 1;
        let seconds = self
            .epoch_start
            .take()
            .map(|start| start.elapsed().as_secs_f64())
            .unwrap_or_default();
        let nan = f64::NAN;
        let record = EpochRecord {
            epoch: self.epoch,
            seconds,
            train_seconds: self.train_seconds,
            loss: self.train.loss.unwrap_or(nan),
            accuracy: self.train.accuracy,
            val_loss: self.valid.loss.unwrap_or(nan),
            val_accuracy: self.valid.accuracy,
        };
        let line = record.keras_line(self.total_epochs);
        print_epoch_line(self.verbosity, self.bar.as_ref(), line);
        if let Ok(mut records) = self.records.lock() {
            records.push(record);
        }
        self.train = SplitValues::default();
        self.valid = SplitValues::default();
    }

    fn progress_bar(&self, items: usize, split: &str) -> ProgressBar {
        epoch_bar(self.epoch + 1, self.total_epochs, split, items)
    }
}

/// The progress bar of one split of one epoch.
pub(crate) fn epoch_bar(
    epoch: usize,
    total_epochs: usize,
    split: &str,
    items: usize,
) -> ProgressBar {
    let bar = ProgressBar::new(items as u64);
    let style =
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} examples ({rate}, eta {eta})")
            .map(|style| {
                style.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}", readable_rate(state.per_sec()));
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(format!("Epoch {epoch}/{total_epochs} {split}"));
    bar
}

/// A rate as a reader takes it in: three significant digits and a unit, `153k samples/s`,
/// `1.53M samples/s`, `950 samples/s` (indicatif's `{per_sec}` prints `153,153.7929/s`).
pub fn readable_rate(per_second: f64) -> String {
    let (value, unit) = match per_second {
        r if !r.is_finite() || r < 0.0 => return "- samples/s".into(),
        r if r >= 999.5e3 => (r / 1e6, "M"),
        r if r >= 999.5 => (r / 1e3, "k"),
        r => (r, ""),
    };
    let decimals = match value {
        v if v >= 99.95 => 0,
        v if v >= 9.995 => 1,
        _ if unit.is_empty() => 0,
        _ => 2,
    };
    format!("{value:.decimals$}{unit} samples/s")
}

/// Prints an epoch's line as `verbosity` says: above the progress bar if there is one.
pub(crate) fn print_epoch_line(verbosity: Verbosity, bar: Option<&ProgressBar>, line: String) {
    match (bar, verbosity) {
        (_, Verbosity::Quiet) => {}
        (Some(bar), _) => bar.println(line),
        (None, _) => println!("{line}"),
    }
}

impl MetricsRendererTraining for EpochReporter {
    fn update_train(&mut self, state: MetricState) {
        self.record(state, false);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.record(state, true);
    }

    fn on_train_end(
        &mut self,
        _summary: Option<burn::train::LearnerSummary>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }
}

impl MetricsRendererEvaluation for EpochReporter {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}

    fn on_test_end(
        &mut self,
        _summary: Option<burn::train::LearnerSummary>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }
}

impl TrainingProgressLogger for EpochReporter {
    fn start(
        &mut self,
        total_epochs: usize,
        starting_epoch: usize,
        _: Option<usize>,
        _: Option<&str>,
    ) {
        self.total_epochs = total_epochs;
        self.epoch = starting_epoch.saturating_sub(1);
    }

    fn update_epoch(&mut self, _epoch: usize) {}

    fn start_split(&mut self, split: &str, total_items: usize) {
        if split == "train" {
            self.epoch_start = Some(Instant::now());
        }
        if self.verbosity.shows_bar() {
            self.bar = Some(self.progress_bar(total_items, split));
        }
        self.split = Some(split.to_string());
    }

    fn update_split(&mut self, items_processed: usize) {
        crate::progress::tick();
        if let Some(bar) = &self.bar {
            bar.set_position(items_processed as u64);
        }
    }

    fn end_split(&mut self) {
        match self.split.take().as_deref() {
            Some("train") => {
                self.train_seconds = self
                    .epoch_start
                    .map(|start| start.elapsed().as_secs_f64())
                    .unwrap_or_default();
            }
            Some("valid") => self.finish_epoch(),
            _ => {}
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn end(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for EpochReporter {
    fn start_global_progress(&mut self, _total_tests: usize) {}
    fn start_test(&mut self, _name: &str, _total_items: usize) {}
    fn update_test_progress(&mut self, _items_processed: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for EpochReporter {
    fn manual_close(&mut self) {}

    fn register_metric(&mut self, definition: MetricDefinition) {
        self.names
            .insert(definition.metric_id.clone(), definition.name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::readable_rate;

    #[test]
    fn rates_read_at_a_glance() {
        assert_eq!(readable_rate(153_153.793), "153k samples/s");
        assert_eq!(readable_rate(15_315.3), "15.3k samples/s");
        assert_eq!(readable_rate(1_530_000.0), "1.53M samples/s");
        assert_eq!(readable_rate(999_999.0), "1.00M samples/s");
        assert_eq!(readable_rate(950.4), "950 samples/s");
        assert_eq!(readable_rate(7.2), "7 samples/s");
        assert_eq!(readable_rate(f64::NAN), "- samples/s");
    }
}
