//! CSV tables: a header row, then numeric cells.
//!
//! Every cell must be a finite number; `true`/`false` (any case) read as 1 and 0. A defect is a
//! [`CsvError`] naming the file, the line and the column, so the user can open the file there.

use std::fmt;
use std::path::{Path, PathBuf};

/// A table read from CSV: column names and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    /// The header's column names.
    pub columns: Vec<String>,
    /// The values, `rows × columns.len()`, row-major.
    pub values: Vec<f32>,
    /// The file it came from.
    pub path: PathBuf,
}

/// What is wrong with a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub enum CsvDefect {
    /// The file has no header (or no bytes at all).
    EmptyFile,
    /// A header but no data rows.
    NoRows,
    /// A row with the wrong number of cells.
    Ragged {
        /// Cells found.
        found: usize,
        /// Cells in the header.
        expected: usize,
    },
    /// A cell that is not a number.
    NotNumeric {
        /// The cell's text.
        cell: String,
    },
    /// An empty cell.
    EmptyCell,
    /// NaN or infinity.
    NotFinite {
        /// The cell's text.
        cell: String,
    },
    /// A column the task needs is not in the header.
    MissingColumn {
        /// The column wanted.
        name: String,
        /// The columns present.
        present: Vec<String>,
    },
    /// Two header columns share a name.
    DuplicateColumn {
        /// The repeated name.
        name: String,
    },
    /// A cell whose text is not one the column allows (a shot result, a clock).
    Invalid {
        /// The cell's text.
        cell: String,
        /// What is wrong with it and what is expected, completing "`cell` ...".
        reason: String,
    },
    /// Text the CSV reader cannot make records of (an unclosed quote, say).
    Malformed {
        /// The reader's explanation.
        reason: String,
    },
}

/// A CSV defect with where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct CsvError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number, when the defect is on a line.
    pub line: Option<usize>,
    /// The column's name, when the defect is in a cell.
    pub column: Option<String>,
    /// What is wrong.
    pub defect: CsvDefect,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        f.write_str(": ")?;
        match &self.defect {
            CsvDefect::EmptyFile => {
                f.write_str("the file is empty; it needs a header row and data rows")
            }
            CsvDefect::NoRows => f.write_str("a header but no data rows"),
            CsvDefect::Ragged { found, expected } => write!(
                f,
                "{found} cells, but the header has {expected} columns; fix the row (a missing line break or a stray comma?)"
            ),
            CsvDefect::NotNumeric { cell } => write!(
                f,
                "`{cell}` is not a number (numbers, true/false and 0/1 are accepted)"
            ),
            CsvDefect::EmptyCell => f.write_str("empty cell; fill it in or remove the row"),
            CsvDefect::NotFinite { cell } => {
                write!(
                    f,
                    "`{cell}` is not a finite number; replace it or remove the row"
                )
            }
            CsvDefect::MissingColumn { name, present } => write!(
                f,
                "no column `{name}`; the header has: {}",
                present.join(", ")
            ),
            CsvDefect::DuplicateColumn { name } => {
                write!(f, "the header names column `{name}` twice")
            }
            CsvDefect::Invalid { cell, reason } => write!(f, "`{cell}` {reason}"),
            CsvDefect::Malformed { reason } => write!(f, "not valid CSV: {reason}"),
        }
    }
}

impl CsvTable {
    /// Reads and parses a CSV file; `-` reads standard input.
    pub fn read(path: &Path) -> Result<Self, crate::DataError> {
        let name = crate::stdio::input_name(path);
        let bytes = crate::stdio::read_input(path).map_err(|e| {
            crate::DataError::reading(
                &name,
                e,
                "check the path, or run `cargo xtask download` for the course's tables",
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            crate::DataError::io(
                &name,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not UTF-8 text; save it as a UTF-8 CSV file",
                ),
            )
        })?;
        Ok(Self::parse(&text, &name)?)
    }

    /// Parses CSV text; `path` names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CsvError> {
        let error = |line: Option<usize>, column: Option<&str>, defect| CsvError {
            path: path.to_path_buf(),
            line,
            column: column.map(str::to_string),
            defect,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines
            .next()
            .ok_or_else(|| error(None, None, CsvDefect::EmptyFile))?;
        let header = header.trim_start_matches('\u{feff}');
        let columns: Vec<String> = split_cells(header).map(|c| c.trim().to_string()).collect();
        for (i, name) in columns.iter().enumerate() {
            if columns[..i].contains(name) {
                return Err(error(
                    Some(1),
                    None,
                    CsvDefect::DuplicateColumn { name: name.clone() },
                ));
            }
        }
        let mut values = Vec::new();
        let mut rows = 0;
        for (line_number, line) in lines {
            let mut count = 0;
            for (i, cell) in split_cells(line).enumerate() {
                count += 1;
                let Some(column) = columns.get(i) else {
                    continue;
                };
                let value = parse_cell(cell)
                    .map_err(|defect| error(Some(line_number), Some(column), defect))?;
                values.push(value);
            }
            if count != columns.len() {
                return Err(error(
                    Some(line_number),
                    None,
                    CsvDefect::Ragged {
                        found: count,
                        expected: columns.len(),
                    },
                ));
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(error(None, None, CsvDefect::NoRows));
        }
        Ok(Self {
            columns,
            values,
            path: path.to_path_buf(),
        })
    }

    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    /// The index of column `name`, or an error listing the columns there are.
    pub fn column_index(&self, name: &str) -> Result<usize, CsvError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| CsvError {
                path: self.path.clone(),
                line: Some(1),
                column: None,
                defect: CsvDefect::MissingColumn {
                    name: name.to_string(),
                    present: self.columns.clone(),
                },
            })
    }

    /// Splits off column `target` from the other columns.
    pub fn split_target(&self, target: &str) -> Result<TargetSplit, CsvError> {
        let t = self.column_index(target)?;
        let width = self.columns.len();
        let names = self
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != t)
            .map(|(_, c)| c.clone())
            .collect();
        let mut features = Vec::with_capacity(self.rows() * (width - 1));
        let mut targets = Vec::with_capacity(self.rows());
        for row in self.values.chunks(width) {
            for (i, v) in row.iter().enumerate() {
                if i == t {
                    targets.push(*v);
                } else {
                    features.push(*v);
                }
            }
        }
        Ok(TargetSplit {
            feature_names: names,
            features,
            targets,
        })
    }
}

/// A table split into features and target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSplit {
    /// The feature columns' names, in order.
    pub feature_names: Vec<String>,
    /// Their values, row-major.
    pub features: Vec<f32>,
    /// The target column's values.
    pub targets: Vec<f32>,
}

/// The cells of a line, with surrounding double quotes removed.
fn split_cells(line: &str) -> impl Iterator<Item = &str> {
    line.split(',').map(|c| {
        let c = c.trim();
        c.strip_prefix('"')
            .and_then(|c| c.strip_suffix('"'))
            .unwrap_or(c)
    })
}

/// A cell as a finite number (`true`/`false` read as 1 and 0), or what is wrong with it.
pub(crate) fn parse_cell(cell: &str) -> Result<f32, CsvDefect> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Err(CsvDefect::EmptyCell);
    }
    if cell.eq_ignore_ascii_case("true") {
        return Ok(1.0);
    }
    if cell.eq_ignore_ascii_case("false") {
        return Ok(0.0);
    }
    let value: f32 = cell.parse().map_err(|_| CsvDefect::NotNumeric {
        cell: cell.to_string(),
    })?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CsvDefect::NotFinite {
            cell: cell.to_string(),
        })
    }
}

/// One-hot rows of class indices (Keras's `to_categorical`).
pub fn one_hot(labels: &[u32], classes: usize) -> Vec<f32> {
    let mut out = vec![0.0; labels.len() * classes];
    for (row, &label) in labels.iter().enumerate() {
        if (label as usize) < classes {
            out[row * classes + label as usize] = 1.0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CsvTable, CsvError> {
        CsvTable::parse(text, Path::new("t.csv"))
    }

    #[test]
    fn reads_numbers_and_booleans() {
        let t = parse("y,a,b\n1,2.5,True\n0,-3,false\n").unwrap();
        assert_eq!(t.columns, vec!["y", "a", "b"]);
        assert_eq!(t.values, vec![1.0, 2.5, 1.0, 0.0, -3.0, 0.0]);
        let split = t.split_target("y").unwrap();
        assert_eq!(split.feature_names, vec!["a", "b"]);
        assert_eq!(split.features, vec![2.5, 1.0, -3.0, 0.0]);
        assert_eq!(split.targets, vec![1.0, 0.0]);
        // No final newline, CRLF line ends.
        assert_eq!(parse("a,b\r\n1,2").unwrap().rows(), 1);
    }

    #[test]
    fn every_defect_names_file_line_and_column() {
        let cases = [
            ("", "t.csv: the file is empty"),
            ("a,b\n", "t.csv: a header but no data rows"),
            (
                "a,b\n1,2\n1,2,3\n",
                "t.csv line 3: 3 cells, but the header has 2 columns",
            ),
            (
                "a,b\n1,2\n3\n",
                "t.csv line 3: 1 cells, but the header has 2 columns",
            ),
            (
                "a,b\n1,x\n",
                "t.csv line 2, column `b`: `x` is not a number",
            ),
            ("a,b\n1,\n", "t.csv line 2, column `b`: empty cell"),
            (
                "a,b\nNaN,1\n",
                "t.csv line 2, column `a`: `NaN` is not a finite number",
            ),
            (
                "a,b\n1,inf\n",
                "t.csv line 2, column `b`: `inf` is not a finite number",
            ),
            (
                "a,a\n1,2\n",
                "t.csv line 1: the header names column `a` twice",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{text:?}: {err}");
        }
        let err = parse("a,b\n1,2\n")
            .unwrap()
            .split_target("y")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "t.csv line 1: no column `y`; the header has: a, b");
    }

    #[test]
    fn one_hot_encodes_classes() {
        assert_eq!(one_hot(&[1, 0], 3), vec![0., 1., 0., 1., 0., 0.]);
    }
}
