//! CSV tables: a header row, then numeric cells.
//!
//! Every cell must be a finite number; `true`/`false` (any case) read as 1 and 0. A defect is a
//! [`CsvError`] naming the file, the line and the column, so the user can open the file there.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// The longest line a table may have: 1 MiB. Lines are read one at a time and none longer is
/// kept, so memory follows the table's real size, whatever the input (`/dev/zero`, a file
/// without line breaks).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The most characters of a cell or column name an error message quotes.
const EXCERPT_CHARS: usize = 80;

/// `text` as an error message quotes it: whole up to 80 characters, else its beginning, an
/// ellipsis and its length.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= EXCERPT_CHARS {
        return Cow::Borrowed(text);
    }
    let head: String = text.chars().take(EXCERPT_CHARS - 3).collect();
    Cow::Owned(format!("{head}… ({count} characters)"))
}

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
    /// An empty cell, with what to do about it where "fill it in or remove the row" is not all
    /// there is to say.
    EmptyCellWith {
        /// What to do, completing "empty cell; ...".
        hint: String,
    },
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
    /// A line longer than [`MAX_LINE_BYTES`].
    LineTooLong,
    /// Bytes that are not UTF-8 text.
    NotUtf8,
    /// Line breaks that are carriage returns alone (classic Mac OS).
    CarriageReturnsOnly,
    /// A header column without a name.
    UnnamedColumn {
        /// The column's position, from 1.
        position: usize,
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
            write!(f, ", column `{}`", excerpt(column))?;
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
                "`{}` is not a number (numbers, true/false and 0/1 are accepted)",
                excerpt(cell)
            ),
            CsvDefect::EmptyCell => f.write_str("empty cell; fill it in or remove the row"),
            CsvDefect::EmptyCellWith { hint } => write!(f, "empty cell; {hint}"),
            CsvDefect::NotFinite { cell } => {
                write!(
                    f,
                    "`{}` is not a finite number; replace it or remove the row",
                    excerpt(cell)
                )
            }
            CsvDefect::MissingColumn { name, present } => write!(
                f,
                "no column `{}`; the header has: {}",
                excerpt(name),
                excerpt(&present.join(", "))
            ),
            CsvDefect::DuplicateColumn { name } => {
                write!(f, "the header names column `{}` twice", excerpt(name))
            }
            CsvDefect::Invalid { cell, reason } => write!(f, "`{}` {reason}", excerpt(cell)),
            CsvDefect::LineTooLong => write!(
                f,
                "the line is longer than {MAX_LINE_BYTES} bytes; this is not a table of examples (is it the right file?)"
            ),
            CsvDefect::NotUtf8 => f.write_str("not UTF-8 text; save the file as UTF-8 CSV"),
            CsvDefect::CarriageReturnsOnly => f.write_str(
                "the lines end with carriage returns alone (classic Mac OS); save the file with LF or CRLF line endings",
            ),
            CsvDefect::UnnamedColumn { position } => write!(
                f,
                "header column {position} has no name (a trailing comma?); name it or remove it"
            ),
            CsvDefect::Malformed { reason } => write!(f, "not valid CSV: {reason}"),
        }
    }
}

impl CsvTable {
    /// Reads and parses a CSV file, one line at a time; `-` reads standard input.
    pub fn read(path: &Path) -> Result<Self, crate::DataError> {
        let name = crate::stdio::input_name(path);
        let reader = crate::stdio::open_input(path).map_err(|e| {
            crate::DataError::reading(
                &name,
                e,
                "check the path, or run `cargo xtask download` for the course's tables",
            )
        })?;
        Self::read_from(reader, &name)
    }

    /// Reads and parses CSV from `reader`, one line at a time (none longer than
    /// [`MAX_LINE_BYTES`]); `path` names the source in errors.
    pub fn read_from(reader: impl BufRead, path: &Path) -> Result<Self, crate::DataError> {
        with_lines(reader, path, |lines, path| Self::parse_lines(lines, path))
    }

    /// Parses CSV text; `path` names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CsvError> {
        in_memory(Self::read_from(text.as_bytes(), path), path)
    }

    /// Parses numbered lines (1-based, line breaks removed).
    fn parse_lines(
        lines: impl Iterator<Item = Result<(usize, String), (usize, CsvDefect)>>,
        path: &Path,
    ) -> Result<Self, CsvError> {
        let error = |line: Option<usize>, column: Option<&str>, defect| CsvError {
            path: path.to_path_buf(),
            line,
            column: column.map(str::to_string),
            defect,
        };
        let mut lines = lines.filter(|line| !matches!(line, Ok((_, l)) if l.trim().is_empty()));
        let columns = header(&mut lines, path)?;
        let mut values = Vec::new();
        let mut rows = 0;
        for line in lines {
            let (line_number, line) =
                line.map_err(|(line, defect)| error(Some(line), None, defect))?;
            let mut count = 0;
            for (i, cell) in split_cells(&line).enumerate() {
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
        column_index(&self.columns, name, &self.path)
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

/// Why a line could not be read.
enum LineError {
    /// The reader failed.
    Io(std::io::Error),
    /// Line `.0` is not a line of a table.
    Defect(usize, CsvDefect),
}

/// The lines of a reader, numbered from 1, without their line breaks; a line longer than
/// [`MAX_LINE_BYTES`] is an error, and no more than that is read of it.
struct Lines<R> {
    reader: R,
    number: usize,
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<(usize, String), LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut bytes = Vec::new();
        let limit = MAX_LINE_BYTES as u64 + 1;
        match (&mut self.reader).take(limit).read_until(b'\n', &mut bytes) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return Some(Err(LineError::Io(e))),
        }
        self.number += 1;
        let number = self.number;
        let ended = bytes.last() == Some(&b'\n');
        if ended {
            bytes.pop();
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        if bytes.contains(&b'\r') {
            return Some(Err(LineError::Defect(
                number,
                CsvDefect::CarriageReturnsOnly,
            )));
        }
        if !ended && bytes.len() > MAX_LINE_BYTES {
            return Some(Err(LineError::Defect(number, CsvDefect::LineTooLong)));
        }
        Some(match String::from_utf8(bytes) {
            Ok(line) => Ok((number, line)),
            Err(_) => Err(LineError::Defect(number, CsvDefect::NotUtf8)),
        })
    }
}

/// `parse` applied to the numbered lines of `reader` (none longer than [`MAX_LINE_BYTES`]);
/// a failed read is an error naming `path`.
fn with_lines<R: BufRead, T>(
    reader: R,
    path: &Path,
    parse: impl FnOnce(LineResults<'_>, &Path) -> Result<T, CsvError>,
) -> Result<T, crate::DataError> {
    let mut io_error = None;
    let lines = Lines { reader, number: 0 }.map_while(|line| match line {
        Ok(line) => Some(Ok(line)),
        Err(LineError::Io(e)) => {
            io_error = Some(e);
            None
        }
        Err(LineError::Defect(number, defect)) => Some(Err((number, defect))),
    });
    let parsed = parse(Box::new(lines), path);
    if let Some(e) = io_error {
        return Err(crate::DataError::io(path, e));
    }
    Ok(parsed?)
}

/// Numbered lines, or the line and what is wrong with it.
type LineResults<'a> = Box<dyn Iterator<Item = Result<(usize, String), (usize, CsvDefect)>> + 'a>;

/// The CSV error of a parse from memory (where reading cannot fail).
fn in_memory<T>(result: Result<T, crate::DataError>, path: &Path) -> Result<T, CsvError> {
    result.map_err(|e| match e {
        crate::DataError::Csv(csv) => csv,
        other => CsvError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            defect: CsvDefect::Malformed {
                reason: other.to_string(),
            },
        },
    })
}

/// The column names of the first line of `lines` (blank lines already skipped): each named,
/// none twice.
fn header(
    lines: &mut impl Iterator<Item = Result<(usize, String), (usize, CsvDefect)>>,
    path: &Path,
) -> Result<Vec<String>, CsvError> {
    let error = |line: Option<usize>, defect| CsvError {
        path: path.to_path_buf(),
        line,
        column: None,
        defect,
    };
    let (header_line, header) = match lines.next() {
        None => return Err(error(None, CsvDefect::EmptyFile)),
        Some(Err((line, defect))) => return Err(error(Some(line), defect)),
        Some(Ok(line)) => line,
    };
    let header = header.trim_start_matches('\u{feff}');
    let columns: Vec<String> = split_cells(header).map(|c| c.trim().to_string()).collect();
    for (i, name) in columns.iter().enumerate() {
        if name.is_empty() {
            let defect = CsvDefect::UnnamedColumn { position: i + 1 };
            return Err(error(Some(header_line), defect));
        }
        if columns[..i].contains(name) {
            return Err(error(
                Some(header_line),
                CsvDefect::DuplicateColumn { name: name.clone() },
            ));
        }
    }
    Ok(columns)
}

/// A table read from CSV as text: numbers, words and empty cells alike, for a table of the
/// user's own whose columns are encoded afterwards (see [`crate::encoding`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// The header's column names.
    pub columns: Vec<String>,
    /// Each data row's cells, trimmed, quotes removed (empty for an empty cell).
    pub rows: Vec<Vec<String>>,
    /// Each data row's line number in the file.
    pub lines: Vec<usize>,
    /// The file it came from.
    pub path: PathBuf,
}

impl TextTable {
    /// Reads a CSV file one line at a time (none longer than [`MAX_LINE_BYTES`]); `-` reads
    /// standard input.
    pub fn read(path: &Path) -> Result<Self, crate::DataError> {
        let name = crate::stdio::input_name(path);
        let reader = crate::stdio::open_input(path)
            .map_err(|e| crate::DataError::reading(&name, e, "check the path"))?;
        with_lines(reader, &name, |lines, path| Self::parse_lines(lines, path))
    }

    /// The table of CSV text; `path` names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CsvError> {
        let parsed = with_lines(text.as_bytes(), path, |lines, path| {
            Self::parse_lines(lines, path)
        });
        in_memory(parsed, path)
    }

    fn parse_lines(
        lines: impl Iterator<Item = Result<(usize, String), (usize, CsvDefect)>>,
        path: &Path,
    ) -> Result<Self, CsvError> {
        let mut lines = lines.filter(|line| !matches!(line, Ok((_, l)) if l.trim().is_empty()));
        let columns = header(&mut lines, path)?;
        let mut table = Self {
            columns,
            rows: Vec::new(),
            lines: Vec::new(),
            path: path.to_path_buf(),
        };
        for line in lines {
            let (number, line) = line.map_err(|(line, defect)| CsvError {
                path: path.to_path_buf(),
                line: Some(line),
                column: None,
                defect,
            })?;
            let cells: Vec<String> = split_cells(&line).map(str::to_string).collect();
            if cells.len() != table.columns.len() {
                return Err(CsvError {
                    path: path.to_path_buf(),
                    line: Some(number),
                    column: None,
                    defect: CsvDefect::Ragged {
                        found: cells.len(),
                        expected: table.columns.len(),
                    },
                });
            }
            table.rows.push(cells);
            table.lines.push(number);
        }
        if table.rows.is_empty() {
            return Err(CsvError {
                path: path.to_path_buf(),
                line: None,
                column: None,
                defect: CsvDefect::NoRows,
            });
        }
        Ok(table)
    }

    /// The index of column `name`, or an error listing the columns there are.
    pub fn column_index(&self, name: &str) -> Result<usize, CsvError> {
        column_index(&self.columns, name, &self.path)
    }
}

/// The index of column `name` among `columns` of the file `path`, or an error (on the header,
/// line 1) listing the columns there are.
fn column_index(columns: &[String], name: &str, path: &Path) -> Result<usize, CsvError> {
    columns
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| CsvError {
            path: path.to_path_buf(),
            line: Some(1),
            column: None,
            defect: CsvDefect::MissingColumn {
                name: name.to_string(),
                present: columns.to_vec(),
            },
        })
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
pub fn parse_cell(cell: &str) -> Result<f32, CsvDefect> {
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
    fn lines_are_capped_and_cells_quoted_short() {
        let long_cell = "x".repeat(5_000);
        let err = parse(&format!("a,b\n1,{long_cell}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2, column `b`"), "{err}");
        assert!(err.contains("… (5000 characters)"), "{err}");
        assert!(err.len() < 250, "{} characters: {err}", err.len());

        let endless = std::io::repeat(b'0').take(10 * MAX_LINE_BYTES as u64);
        let err = CsvTable::read_from(std::io::BufReader::new(endless), Path::new("zero"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("zero line 1: the line is longer than 1048576 bytes"),
            "{err}"
        );
    }

    #[test]
    fn carriage_returns_alone_and_unnamed_columns_are_named() {
        let err = parse("a,b\r1,2\r3,4\r").unwrap_err().to_string();
        assert!(
            err.contains("line 1: the lines end with carriage returns alone"),
            "{err}"
        );
        let err = parse("a,b,\n1,2,\n").unwrap_err().to_string();
        assert!(
            err.contains("line 1: header column 3 has no name (a trailing comma?)"),
            "{err}"
        );
        // CRLF is fine.
        assert_eq!(parse("a,b\r\n1,2\r\n").unwrap().values, vec![1.0, 2.0]);
    }

    #[test]
    fn one_hot_encodes_classes() {
        assert_eq!(one_hot(&[1, 0], 3), vec![0., 1., 0., 1., 0., 0.]);
    }
}
