//! The course's tables: hourly wages (regression) and Titanic (classification); the shot log
//! is in [`crate::shot_log`].

use crate::csv_table::{CsvDefect, CsvError, CsvTable, TargetSplit};
use crate::error::DataError;
use crate::rows::Rows;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the target column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A real value to regress on.
    Value,
    /// A class index below the given count.
    Classes(usize),
}

/// A table of examples with named features.
#[derive(Debug, Clone)]
pub struct Tabular {
    /// The feature columns, in order.
    pub feature_names: Vec<String>,
    /// The target column.
    pub target: String,
    /// Features and targets.
    pub rows: Rows,
    /// What the loader repaired or filled, to tell the user.
    pub notes: Vec<String>,
    /// Values blank cells were filled with, by column, where the value comes from the file
    /// itself (the shot log's median shot clock). A run saves them so that prediction fills
    /// blanks the same way.
    pub fill_values: BTreeMap<String, f32>,
}

/// Builds rows from a parsed table: `target` is split off, the rest are features.
pub fn from_table(table: &CsvTable, target: &str, kind: TargetKind) -> Result<Tabular, DataError> {
    let TargetSplit {
        feature_names,
        features,
        targets,
    } = table.split_target(target)?;
    let width = feature_names.len();
    if width == 0 {
        return Err(CsvError {
            path: table.path.clone(),
            line: Some(1),
            column: None,
            defect: CsvDefect::MissingColumn {
                name: "(any feature besides the target)".into(),
                present: table.columns.clone(),
            },
        }
        .into());
    }
    let rows = match kind {
        TargetKind::Value => Rows::regression(features, width, targets, 1),
        TargetKind::Classes(classes) => {
            let mut labels = Vec::with_capacity(targets.len());
            for (row, &t) in targets.iter().enumerate() {
                if t.fract() != 0.0 || t < 0.0 || t as usize >= classes {
                    return Err(CsvError {
                        path: table.path.clone(),
                        line: Some(row + 2),
                        column: Some(target.to_string()),
                        defect: CsvDefect::Invalid {
                            cell: t.to_string(),
                            reason: format!(
                                "is not a class: a class is an integer from 0 to {}",
                                classes - 1
                            ),
                        },
                    }
                    .into());
                }
                labels.push(t as u32);
            }
            Rows::classified(features, width, labels, classes)
        }
    };
    Ok(Tabular {
        feature_names,
        target: target.to_string(),
        rows,
        notes: Vec::new(),
        fill_values: BTreeMap::new(),
    })
}

/// The hourly wages table (CPS 1985): target `wage_per_hour`, nine predictors.
///
/// Some copies of the course's file have one line holding two records run together (a missing
/// line break after the `construction` value, `...,1,0,1,05.1,0,8,...`); the loader splits
/// such a line back into its two records, as the CPS 1985 data has them, and says so in
/// [`Tabular::notes`]. Any other malformed line is an error.
pub fn wages(data_dir: &Path) -> Result<Tabular, DataError> {
    let path = tabular_path(data_dir, "hourly_wages.csv");
    let text = read(&path)?;
    let (text, repaired) = split_run_together_records(&text);
    let table = CsvTable::parse(&text, &path)?;
    let mut tabular = from_table(&table, "wage_per_hour", TargetKind::Value)?;
    for line in repaired {
        tabular.notes.push(format!(
            "{} line {line} holds two records run together (a missing line break); split into two rows",
            path.display()
        ));
    }
    Ok(tabular)
}

/// The Titanic table (numeric): target `survived` (0 or 1), ten predictors.
pub fn titanic(data_dir: &Path) -> Result<Tabular, DataError> {
    let path = tabular_path(data_dir, "titanic_all_numeric.csv");
    let table = CsvTable::parse(&read(&path)?, &path)?;
    from_table(&table, "survived", TargetKind::Classes(2))
}

fn tabular_path(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("tabular").join(name)
}

/// The course file at `path` as text (at most [`crate::stdio::MAX_INPUT_BYTES`]).
fn read(path: &Path) -> Result<String, DataError> {
    let bytes = crate::stdio::read_input(path).map_err(|e| {
        DataError::reading(
            path,
            e,
            "run `cargo xtask download wages` (or `titanic`, or `all`), or put the course's file there",
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        DataError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8 text; save it as a UTF-8 CSV file",
            ),
        )
    })
}

/// Splits lines that hold two records joined where a line break is missing: `2n − 1` cells
/// whose middle cell is a 0/1 flag glued to the next record's first number. Returns the text
/// and the 1-based numbers of the lines split.
fn split_run_together_records(text: &str) -> (String, Vec<usize>) {
    let columns = text.lines().next().map_or(0, |h| h.split(',').count());
    let mut out = String::with_capacity(text.len() + 16);
    let mut repaired = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let glued = cells.len() == 2 * columns - 1 && columns > 1 && {
            let middle = cells[columns - 1];
            middle.len() > 1 && (middle.starts_with('0') || middle.starts_with('1'))
        };
        if glued {
            let middle = cells[columns - 1];
            out.push_str(&cells[..columns - 1].join(","));
            out.push(',');
            out.push_str(&middle[..1]);
            out.push('\n');
            out.push_str(&middle[1..]);
            out.push(',');
            out.push_str(&cells[columns..].join(","));
            repaired.push(i + 1);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    (out, repaired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_two_records_run_together() {
        let text = "y,a,b\n1,2,0\n3,4,15.5,6,1\n";
        let (fixed, lines) = split_run_together_records(text);
        assert_eq!(fixed, "y,a,b\n1,2,0\n3,4,1\n5.5,6,1\n");
        assert_eq!(lines, vec![3]);
        // A genuinely ragged line is left for the parser to report.
        assert_eq!(
            split_run_together_records("y,a\n1,2,3\n").1,
            Vec::<usize>::new()
        );
    }

    #[test]
    fn class_targets_must_be_integers_in_range() {
        let table = CsvTable::parse("survived,x\n1,2\n2,3\n", Path::new("t.csv")).unwrap();
        let err = from_table(&table, "survived", TargetKind::Classes(2))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "t.csv line 3, column `survived`: `2` is not a class: a class is an integer from 0 to 1"
        );
        let table = CsvTable::parse("survived,x\n-1,2\n", Path::new("t.csv")).unwrap();
        let err = from_table(&table, "survived", TargetKind::Classes(2))
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("`-1` is not a class: a class is an integer from 0 to 1"),
            "{err}"
        );
    }
}
