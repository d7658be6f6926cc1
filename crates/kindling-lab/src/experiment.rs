//! What every experiment shares: its run directory, its result files and its result table.
//!
//! ```text
//! DIR/results.csv     the result table, numbers at full precision
//! DIR/results.json    the settings and every trial's results, histories included
//! DIR/*.png           the experiment's pictures
//! DIR/<trial>/        one sub-directory per trial (its checkpoints and history.csv)
//! ```
//!
//! Every file is written atomically (a temporary name, then a rename).

use kindling_data::Rows;
use kindling_models::DenseStackConfig;
use kindling_train::FitOptions;
use kindling_train::TrainError;
use kindling_train::recipe::{ModelKind, RunSetup};
use kindling_train::run_dir::{write_atomic, write_json};
use kindling_train::summary::thousands;
use kindling_train::{FitResult, OnDivergence, fit_classifier_with, fit_regressor_with};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File name of the result table as CSV.
pub const RESULTS_CSV: &str = "results.csv";
/// File name of the full results as JSON.
pub const RESULTS_JSON: &str = "results.json";

/// An experiment's run directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentDir {
    path: PathBuf,
}

impl ExperimentDir {
    /// Creates the directory (and its parents) if needed.
    pub fn create(path: &Path) -> Result<Self, TrainError> {
        kindling_train::run_dir::create_dir(path)?;
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sub-directory of the trial called `name` (not created: the fit creates it).
    pub fn trial(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// A file directly in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `results.csv` (the table) and `results.json` (`details`).
    pub fn write_results<T: Serialize>(
        &self,
        table: &ResultTable,
        details: &T,
    ) -> Result<(), TrainError> {
        write_atomic(&self.file(RESULTS_CSV), table.to_csv().as_bytes())?;
        write_json(&self.file(RESULTS_JSON), details)
    }
}

/// One trial of an experiment: fits `config` (a classifier or a regressor, as `kind` says) on
/// `rows` with its checkpoints in `dir`, on `setup`'s device and with its verbosity. A
/// diverging loss is reported in the result, not returned as an error, so that one trial
/// cannot end the experiment. The model itself is dropped.
pub fn fit_trial(
    kind: ModelKind,
    config: &DenseStackConfig,
    rows: Arc<Rows>,
    options: &FitOptions,
    dir: &Path,
    setup: &RunSetup,
) -> Result<FitResult<()>, TrainError> {
    let (device, verbosity) = (setup.device, setup.verbosity);
    let report = OnDivergence::Report;
    Ok(match kind {
        ModelKind::Classifier => {
            fit_classifier_with(config, rows, options, report, device, dir, verbosity)?
                .without_model()
        }
        ModelKind::Regressor => {
            fit_regressor_with(config, rows, options, report, device, dir, verbosity)?
                .without_model()
        }
    })
}

/// One cell of a result table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// A count, right-aligned; printed with thousands separators.
    Count(usize),
    /// A number, right-aligned; printed with `decimals` decimals, written to CSV in full.
    Number {
        /// The value.
        value: f64,
        /// Decimals shown in the printed table.
        decimals: usize,
    },
    /// A number in the form it was given (a learning rate, say): printed and written as Rust
    /// prints an `f64`, the shortest text that reads back as the same value.
    Exact(f64),
    /// A number spanning many orders of magnitude: printed with four significant digits in
    /// scientific notation (`1.322e-3`), written to CSV in full.
    Scientific(f64),
    /// A number printed as `shown` (right-aligned), written to CSV in full.
    Formatted {
        /// The text printed in the table.
        shown: String,
        /// The value written to CSV.
        value: f64,
    },
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Self {
        Cell::Text(text.into())
    }

    /// A number shown with `decimals` decimals.
    pub fn number(value: f64, decimals: usize) -> Self {
        Cell::Number { value, decimals }
    }

    /// An optional number; empty when `None`.
    pub fn maybe_number(value: Option<f64>, decimals: usize) -> Self {
        value.map_or_else(|| Cell::text(""), |v| Cell::number(v, decimals))
    }

    /// The cell as printed in the table.
    pub fn shown(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(n) => thousands(*n),
            Cell::Number { value, decimals } => number_text(*value, *decimals),
            Cell::Exact(value) => value.to_string(),
            Cell::Scientific(value) => format!("{value:.3e}"),
            Cell::Formatted { shown, .. } => shown.clone(),
        }
    }

    /// The cell as written to CSV (numbers at full precision, no separators).
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(text) => csv_field(text),
            Cell::Count(n) => n.to_string(),
            Cell::Number { value, .. }
            | Cell::Exact(value)
            | Cell::Scientific(value)
            | Cell::Formatted { value, .. } => value.to_string(),
        }
    }

    fn right_aligned(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// A number with `decimals` decimals; values too large or too small for that are printed in
/// scientific notation, so that 3.7e9 or 2e-7 stay readable and short.
fn number_text(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let magnitude = value.abs();
    let tiny = magnitude != 0.0 && magnitude < 0.5 * 10f64.powi(-(decimals as i32));
    if magnitude >= 1e6 || tiny {
        format!("{value:.3e}")
    } else {
        format!("{value:.decimals$}")
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A result table: named columns and rows of cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultTable {
    /// The column names.
    pub columns: Vec<String>,
    /// The rows, one cell per column each.
    pub rows: Vec<Vec<Cell>>,
}

impl ResultTable {
    /// An empty table with these columns.
    pub fn new(columns: &[&str]) -> Self {
        Self {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "one cell per column");
        self.rows.push(row);
    }

    /// The table as aligned text: a header, a rule, a line per row; columns of numbers (and
    /// their headers) right-aligned, text left-aligned, two spaces apart; no trailing spaces.
    pub fn render(&self) -> String {
        let shown: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(Cell::shown).collect())
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|c| {
                shown
                    .iter()
                    .filter_map(|row| row.get(c))
                    .chain(std::iter::once(&self.columns[c]))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let right: Vec<bool> = (0..self.columns.len())
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .any(Cell::right_aligned)
            })
            .collect();
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, text)| {
                    let width = widths[c];
                    if right[c] {
                        format!("{text:>width$}")
                    } else {
                        format!("{text:<width$}")
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let mut out = line(&self.columns);
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for row in &shown {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }

    /// The table as CSV: a header row, then a row per result, numbers at full precision.
    pub fn to_csv(&self) -> String {
        let mut out = self
            .columns
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&row.iter().map(Cell::csv).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ResultTable {
        let mut table = ResultTable::new(&["lr", "val_loss", "parameters", "status"]);
        table.push(vec![
            Cell::Exact(0.000001),
            Cell::number(0.98432, 4),
            Cell::Count(39_760),
            Cell::text("stalled"),
        ]);
        table.push(vec![
            Cell::Exact(1.0),
            Cell::number(3_698_149_514.4, 4),
            Cell::Count(44_860),
            Cell::text("diverged, at epoch 1"),
        ]);
        table
    }

    #[test]
    fn renders_aligned_columns() {
        let text = table().render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "      lr  val_loss  parameters  status");
        assert_eq!(
            lines[1],
            "--------  --------  ----------  --------------------"
        );
        assert_eq!(lines[2], "0.000001    0.9843      39,760  stalled");
        assert_eq!(
            lines[3],
            "       1   3.698e9      44,860  diverged, at epoch 1"
        );
    }

    #[test]
    fn writes_full_precision_csv_with_quoted_text() {
        let csv = table().to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "lr,val_loss,parameters,status");
        assert_eq!(lines[1], "0.000001,0.98432,39760,stalled");
        assert_eq!(lines[2], "1,3698149514.4,44860,\"diverged, at epoch 1\"");
    }

    #[test]
    fn formats_counts_and_extreme_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(Cell::number(0.00002, 4).shown(), "2.000e-5");
        assert_eq!(Cell::number(0.0, 4).shown(), "0.0000");
        assert_eq!(Cell::number(f64::NAN, 4).shown(), "NaN");
        assert_eq!(Cell::maybe_number(None, 4).shown(), "");
        assert_eq!(Cell::Scientific(0.0013219).shown(), "1.322e-3");
        assert_eq!(Cell::Scientific(0.0013219).csv(), "0.0013219");
    }

    #[test]
    fn writes_the_result_files() {
        let dir = tempfile::tempdir().unwrap();
        let experiment = ExperimentDir::create(&dir.path().join("sweep")).unwrap();
        experiment
            .write_results(&table(), &serde_json::json!({"best": 0.01}))
            .unwrap();
        let csv = std::fs::read_to_string(experiment.file(RESULTS_CSV)).unwrap();
        assert_eq!(csv, table().to_csv());
        let json = std::fs::read_to_string(experiment.file(RESULTS_JSON)).unwrap();
        assert!(json.contains("\"best\": 0.01"), "{json}");
        assert_eq!(experiment.trial("lr-1"), dir.path().join("sweep/lr-1"));
    }
}
