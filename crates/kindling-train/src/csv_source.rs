//! A CSV file of the user's own as a training table (`kindling train csv FILE --target COL`):
//! the feature columns picked by name, text columns one-hot encoded, empty cells imputed (see
//! [`kindling_data::encoding`]), and the kind of model inferred from the target column.

use crate::error::TrainError;
use crate::recipe::ModelKind;
use kindling_data::Rows;
use kindling_data::csv_table::{CsvDefect, CsvError, TextTable};
use kindling_data::encoding::{Encoding, Impute};
use kindling_data::split::validation_split;
use std::path::PathBuf;

/// The task name a run of a CSV file of the user's own records.
pub const CSV_TASK: &str = "csv";

/// The epochs a CSV file of the user's own trains for unless told otherwise.
pub const CSV_EPOCHS: usize = 30;

/// The hidden layers a CSV file of the user's own trains with unless told otherwise.
pub const CSV_HIDDEN: [usize; 2] = [32, 16];

/// The most categories a text column may have: more, and it is an identifier or free text
/// (one input per distinct value would learn nothing and could be huge).
pub const MAX_CATEGORIES: usize = 100;

/// The most classes an integer target is read as (more, and it is a regression).
pub const MAX_INFERRED_CLASSES: usize = 20;

/// Which file, which columns and how (`train csv`'s options).
#[derive(Debug, Clone, PartialEq)]
pub struct CsvSource {
    /// The CSV file.
    pub file: PathBuf,
    /// The column to predict.
    pub target: String,
    /// The feature columns, in order; `None` for every column but the target and `exclude`.
    pub features: Option<Vec<String>>,
    /// Columns left out of the features.
    pub exclude: Vec<String>,
    /// Classifier or regressor; `None` infers it: integers 0..k-1 with k ≤ 20 classify.
    pub kind: Option<ModelKind>,
    /// What fills empty cells; `None` refuses them.
    pub impute: Option<Impute>,
}

/// A user's table, encoded: the rows, how they were encoded, the kind of model they train.
#[derive(Debug, Clone)]
pub struct CsvTableRows {
    /// The encoded rows, unscaled.
    pub rows: Rows,
    /// How features were encoded (saved with the model).
    pub encoding: Encoding,
    /// Classifier or regressor.
    pub kind: ModelKind,
    /// What was inferred or left out, to tell the user.
    pub notes: Vec<String>,
}

impl CsvSource {
    /// Reads and encodes the file. The encoding's fills come from the rows before the
    /// validation split `split_fraction` (Keras semantics: the last rows validate).
    pub fn load(&self, split_fraction: f64) -> Result<CsvTableRows, TrainError> {
        let table = TextTable::read(&self.file)?;
        let target = table.column_index(&self.target)?;
        for name in &self.exclude {
            table.column_index(name)?;
        }
        let features: Vec<usize> = match &self.features {
            Some(names) => names
                .iter()
                .map(|name| table.column_index(name))
                .collect::<Result<_, _>>()?,
            None => (0..table.columns.len())
                .filter(|&c| c != target && !self.exclude.contains(&table.columns[c]))
                .collect(),
        };
        if features.contains(&target) {
            return Err(self.invalid(
                "features",
                &self.target,
                "the target column cannot also be a feature",
            ));
        }
        if features.is_empty() {
            return Err(self.invalid(
                "features",
                "(none)",
                "no feature columns are left; keep at least one",
            ));
        }
        let split = validation_split(table.rows.len(), split_fraction)?;
        let encoding = Encoding::fit(&table, &features, split.train, self.impute)?;
        let mut notes = Vec::new();
        for column in &encoding.columns {
            if let kindling_data::encoding::ColumnKind::Text { categories, .. } = &column.kind {
                if categories.len() > MAX_CATEGORIES {
                    return Err(TrainError::Record {
                        path: table.path.clone(),
                        reason: format!(
                            "column `{}` holds {} different texts, more than {MAX_CATEGORIES} categories: an identifier or free text, which one-hot encoding cannot learn from; leave it out with --exclude {}",
                            column.name,
                            categories.len(),
                            column.name
                        ),
                    });
                }
                notes.push(format!(
                    "column `{}` holds text: one-hot encoded into {} inputs",
                    column.name,
                    categories.len()
                ));
            }
        }
        let kind = self.kind.unwrap_or_else(|| infer_kind(&table, target));
        let rows = encoded_rows(&table, &encoding, target, kind, None)?;
        if self.kind.is_none() {
            let largest = rows.labels().and_then(|l| l.iter().max().copied());
            notes.push(match (rows.classes(), largest) {
                (Some(classes), Some(0)) => format!(
                    "`{}` holds class 0 alone: a classifier of {classes} classes that has nothing to tell apart; check the target column",
                    self.target
                ),
                (Some(classes), Some(largest)) => format!(
                    "`{}` holds the integers 0 to {largest}: a classifier of {classes} classes (--kind regression fits values instead)",
                    self.target
                ),
                _ => format!(
                    "`{}` holds values: a regressor (--kind classification, for integer classes 0, 1, 2, …)",
                    self.target
                ),
            });
        }
        let dropped = table.rows.len() - rows.len();
        if dropped > 0 {
            notes.push(format!(
                "{dropped} of {} rows have empty cells and were left out (--impute drop)",
                table.rows.len()
            ));
        }
        Ok(CsvTableRows {
            rows,
            encoding,
            kind,
            notes,
        })
    }

    fn invalid(&self, name: &'static str, value: &str, reason: &str) -> TrainError {
        TrainError::InvalidOption {
            name,
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Whether the target column `target` reads as class labels (integers 0..k-1, k at most
/// [`MAX_INFERRED_CLASSES`]) or values.
fn infer_kind(table: &TextTable, target: usize) -> ModelKind {
    let labels = table
        .rows
        .iter()
        .map(|row| row[target].as_str())
        .filter(|cell| !cell.is_empty())
        .all(|cell| {
            cell.parse::<usize>()
                .is_ok_and(|label| label < MAX_INFERRED_CLASSES)
        });
    if labels {
        ModelKind::Classifier
    } else {
        ModelKind::Regressor
    }
}

/// `table` encoded with `encoding`, with the target column `target` read as `kind` wants:
/// class labels (a classifier of `classes` outputs, else as many as the largest label says) or
/// values. Under [`Impute::Drop`], rows with an empty cell (the target's included) are left
/// out; otherwise an empty target is an error.
pub fn encoded_rows(
    table: &TextTable,
    encoding: &Encoding,
    target: usize,
    kind: ModelKind,
    classes: Option<usize>,
) -> Result<Rows, TrainError> {
    let drop = encoding.impute == Some(Impute::Drop);
    let mut encoded = encoding.encode(table, drop)?;
    if drop {
        // Rows without an answer are left out too.
        let width = encoding.width();
        let (mut features, mut rows) = (Vec::new(), Vec::new());
        for (i, &r) in encoded.rows.iter().enumerate() {
            if !table.rows[r][target].is_empty() {
                features.extend_from_slice(&encoded.features[i * width..(i + 1) * width]);
                rows.push(r);
            }
        }
        encoded = kindling_data::encoding::Encoded { features, rows };
    }
    if encoded.rows.is_empty() {
        return Err(CsvError {
            path: table.path.clone(),
            line: None,
            column: None,
            defect: CsvDefect::NoRows,
        }
        .into());
    }
    let cell_error = |r: usize, defect| -> TrainError {
        CsvError {
            path: table.path.clone(),
            line: Some(table.lines[r]),
            column: Some(table.columns[target].clone()),
            defect,
        }
        .into()
    };
    if let Some(&r) = encoded
        .rows
        .iter()
        .find(|&&r| table.rows[r][target].is_empty())
    {
        return Err(cell_error(
            r,
            CsvDefect::EmptyCellWith {
                hint: "the row has no answer to learn from; fill it in, or train with --impute drop to leave such rows out".into(),
            },
        ));
    }
    let width = encoding.width();
    match kind {
        ModelKind::Classifier => {
            let mut labels = Vec::with_capacity(encoded.rows.len());
            for &r in &encoded.rows {
                let cell = table.rows[r][target].as_str();
                let label = cell.parse::<u32>().map_err(|_| {
                    cell_error(
                        r,
                        CsvDefect::Invalid {
                            cell: cell.to_string(),
                            reason: "is not a class: a classifier's target holds integers 0, 1, 2, … (--kind regression fits values)".into(),
                        },
                    )
                })?;
                labels.push(label);
            }
            let largest = labels.iter().copied().max().unwrap_or(0) as usize;
            let classes = classes.unwrap_or((largest + 1).max(2));
            if let Some((i, &label)) = labels
                .iter()
                .enumerate()
                .find(|&(_, &l)| l as usize >= classes)
            {
                return Err(cell_error(
                    encoded.rows[i],
                    CsvDefect::Invalid {
                        cell: label.to_string(),
                        reason: format!("is not one of the model's {classes} classes"),
                    },
                ));
            }
            Ok(Rows::classified(encoded.features, width, labels, classes))
        }
        ModelKind::Regressor => {
            let mut values = Vec::with_capacity(encoded.rows.len());
            for &r in &encoded.rows {
                let cell = table.rows[r][target].as_str();
                let value = kindling_data::csv_table::parse_cell(cell).map_err(|defect| {
                    let defect = match defect {
                        CsvDefect::NotNumeric { cell } => CsvDefect::Invalid {
                            cell,
                            reason: "is not a number: a regressor's target holds numbers (a classifier's, the integers 0, 1, 2, …; encode text classes so)".into(),
                        },
                        other => other,
                    };
                    cell_error(r, defect)
                })?;
                values.push(value);
            }
            Ok(Rows::regression(encoded.features, width, values, 1))
        }
    }
}
