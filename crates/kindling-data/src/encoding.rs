//! A table of the user's own turned into model inputs: numeric columns as they are, text
//! columns one-hot encoded (pandas' `get_dummies`), empty cells imputed or refused. The
//! [`Encoding`] is learned once from the training file and saved with the model, so that
//! prediction encodes new rows the same way and refuses a category it never saw, by name.

use crate::csv_table::{CsvDefect, CsvError, TextTable, parse_cell};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// What fills an empty cell (`--impute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Impute {
    /// A numeric column's median over the training rows; a text column's most frequent
    /// category.
    Median,
    /// A numeric column's mean over the training rows; a text column's most frequent category.
    Mean,
    /// Rows with an empty cell are left out of training (prediction still refuses them: a row
    /// cannot be left out of an answer).
    Drop,
}

impl Impute {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Impute::Median => "median",
            Impute::Mean => "mean",
            Impute::Drop => "drop",
        }
    }
}

impl fmt::Display for Impute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Impute {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "median" => Ok(Impute::Median),
            "mean" => Ok(Impute::Mean),
            "drop" => Ok(Impute::Drop),
            _ => Err(format!(
                "unknown imputation `{s}`; expected one of: median, mean, drop"
            )),
        }
    }
}

/// How one source column becomes inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ColumnKind {
    /// Numbers (and true/false): one input.
    Number {
        /// What fills an empty cell, when imputing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fill: Option<f32>,
    },
    /// Text: one input per category, 1 for the row's category and 0 for the others.
    Text {
        /// The categories, sorted.
        categories: Vec<String>,
        /// What fills an empty cell, when imputing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fill: Option<String>,
    },
}

/// A source column and how it is encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnEncoding {
    /// The column's name in the file.
    pub name: String,
    /// How its cells become inputs.
    #[serde(flatten)]
    pub kind: ColumnKind,
}

/// How the feature columns of a table become a model's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// The feature columns, in the order their inputs come.
    pub columns: Vec<ColumnEncoding>,
    /// How empty cells were handled in training, if at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impute: Option<Impute>,
}

/// A table's rows encoded: the inputs, row-major, and which rows of the table they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// `rows × width` inputs.
    pub features: Vec<f32>,
    /// The table's row of each encoded row (rows with empty cells are left out under
    /// [`Impute::Drop`] in training).
    pub rows: Vec<usize>,
}

impl Encoding {
    /// Learns the encoding of `features` (column indices of `table`): a column is numeric when
    /// every cell that is not empty reads as a number, else text with the categories found in
    /// any row. Values that fill empty cells come from the rows `fit_rows` alone (the training
    /// part), as a scaler's statistics do.
    pub fn fit(
        table: &TextTable,
        features: &[usize],
        fit_rows: Range<usize>,
        impute: Option<Impute>,
    ) -> Result<Self, CsvError> {
        let mut columns = Vec::with_capacity(features.len());
        for &c in features {
            let name = table.columns[c].clone();
            let cells = || table.rows.iter().map(move |row| row[c].as_str());
            let numeric = cells()
                .filter(|cell| !cell.is_empty())
                .all(|cell| parse_cell(cell).is_ok());
            let fitted = table.rows[fit_rows.clone()]
                .iter()
                .map(|row| row[c].as_str())
                .filter(|cell| !cell.is_empty());
            let kind = if numeric {
                let values: Vec<f32> = fitted.filter_map(|cell| parse_cell(cell).ok()).collect();
                let fill = match impute {
                    Some(Impute::Median) => Some(median(values)),
                    Some(Impute::Mean) => Some(mean(&values)),
                    _ => None,
                };
                ColumnKind::Number {
                    fill: fill.flatten(),
                }
            } else {
                let mut categories: Vec<String> = cells()
                    .filter(|cell| !cell.is_empty())
                    .map(str::to_string)
                    .collect();
                categories.sort();
                categories.dedup();
                let fill = match impute {
                    Some(Impute::Median | Impute::Mean) => most_frequent(fitted),
                    _ => None,
                };
                ColumnKind::Text { categories, fill }
            };
            columns.push(ColumnEncoding { name, kind });
        }
        Ok(Self { columns, impute })
    }

    /// The inputs' names: a numeric column's name; `column=category` for each category of a
    /// text column.
    pub fn feature_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(|column| match &column.kind {
                ColumnKind::Number { .. } => vec![column.name.clone()],
                ColumnKind::Text { categories, .. } => categories
                    .iter()
                    .map(|category| format!("{}={category}", column.name))
                    .collect(),
            })
            .collect()
    }

    /// The number of inputs per row.
    pub fn width(&self) -> usize {
        self.columns
            .iter()
            .map(|column| match &column.kind {
                ColumnKind::Number { .. } => 1,
                ColumnKind::Text { categories, .. } => categories.len(),
            })
            .sum()
    }

    /// Encodes every row of `table` (which must have the encoded columns, by name, in any
    /// order). An empty cell takes its column's fill; without one it is an error, unless
    /// `drop_empty` (training under [`Impute::Drop`]) leaves the row out. A category the
    /// encoding never saw is an error naming it.
    pub fn encode(&self, table: &TextTable, drop_empty: bool) -> Result<Encoded, CsvError> {
        let indices: Vec<usize> = self
            .columns
            .iter()
            .map(|column| table.column_index(&column.name))
            .collect::<Result<_, _>>()?;
        let mut encoded = Encoded {
            features: Vec::with_capacity(table.rows.len() * self.width()),
            rows: Vec::with_capacity(table.rows.len()),
        };
        let mut row_inputs = Vec::with_capacity(self.width());
        'rows: for (r, row) in table.rows.iter().enumerate() {
            row_inputs.clear();
            for (column, &c) in self.columns.iter().zip(&indices) {
                let error = |defect| CsvError {
                    path: table.path.clone(),
                    line: Some(table.lines[r]),
                    column: Some(column.name.clone()),
                    defect,
                };
                let cell = row[c].as_str();
                if cell.is_empty() && drop_empty {
                    continue 'rows;
                }
                match &column.kind {
                    ColumnKind::Number { fill } => {
                        let value = match (cell.is_empty(), fill) {
                            (true, Some(fill)) => *fill,
                            (true, None) => return Err(error(self.empty_cell())),
                            (false, _) => parse_cell(cell).map_err(error)?,
                        };
                        row_inputs.push(value);
                    }
                    ColumnKind::Text { categories, fill } => {
                        let category = match (cell.is_empty(), fill) {
                            (true, Some(fill)) => fill.as_str(),
                            (true, None) => return Err(error(self.empty_cell())),
                            (false, _) => cell,
                        };
                        let Ok(k) = categories.binary_search_by(|c| c.as_str().cmp(category))
                        else {
                            return Err(error(CsvDefect::Invalid {
                                cell: category.to_string(),
                                reason: format!(
                                    "is a category the model never saw in training (it knows: {}); use one of those, or retrain with rows of it",
                                    crate::csv_table::excerpt(&categories.join(", "))
                                ),
                            }));
                        };
                        row_inputs.extend((0..categories.len()).map(|i| f32::from(i == k)));
                    }
                }
            }
            encoded.features.extend_from_slice(&row_inputs);
            encoded.rows.push(r);
        }
        Ok(encoded)
    }

    /// What an empty cell without a fill is.
    fn empty_cell(&self) -> CsvDefect {
        CsvDefect::EmptyCellWith {
            hint: match self.impute {
                Some(Impute::Drop) => {
                    "a row cannot be left out of a prediction (the model was trained with --impute drop); fill it in".into()
                }
                _ => "fill it in, or train with --impute median, mean or drop".into(),
            },
        }
    }
}

/// The median of `values`; `None` when there are none.
fn median(mut values: Vec<f32>) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// The mean of `values`; `None` when there are none.
fn mean(values: &[f32]) -> Option<f32> {
    (!values.is_empty())
        .then(|| (values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64) as f32)
}

/// The most frequent of `cells` (the first in sorted order on a tie); `None` when there are
/// none.
fn most_frequent<'a>(cells: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for cell in cells {
        *counts.entry(cell).or_default() += 1;
    }
    let top = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|&(_, n)| n == top)
        .map(|(cell, _)| cell.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn table(text: &str) -> TextTable {
        TextTable::parse(text, Path::new("own.csv")).unwrap()
    }

    const TRAINING: &str = "age,colour,y\n10,red,0\n,blue,1\n30,red,2\n50,,1\n";

    #[test]
    fn text_columns_are_one_hot_and_empty_cells_imputed() {
        let t = table(TRAINING);
        let encoding = Encoding::fit(&t, &[0, 1], 0..4, Some(Impute::Median)).unwrap();
        assert_eq!(
            encoding.feature_names(),
            ["age", "colour=blue", "colour=red"]
        );
        let encoded = encoding.encode(&t, false).unwrap();
        // The median age is 30; the most frequent colour is red.
        assert_eq!(
            encoded.features,
            [
                10.0, 0.0, 1.0, 30.0, 1.0, 0.0, 30.0, 0.0, 1.0, 50.0, 0.0, 1.0
            ]
        );
        let mean = Encoding::fit(&t, &[0], 0..4, Some(Impute::Mean)).unwrap();
        assert_eq!(mean.encode(&t, false).unwrap().features[1], 30.0);
    }

    #[test]
    fn fills_come_from_the_training_rows_alone() {
        let t = table(TRAINING);
        let encoding = Encoding::fit(&t, &[0], 0..1, Some(Impute::Median)).unwrap();
        assert_eq!(encoding.encode(&t, false).unwrap().features[1], 10.0);
    }

    #[test]
    fn dropped_rows_are_left_out_in_training_and_refused_in_prediction() {
        let t = table(TRAINING);
        let encoding = Encoding::fit(&t, &[0, 1], 0..4, Some(Impute::Drop)).unwrap();
        assert_eq!(encoding.encode(&t, true).unwrap().rows, [0, 2]);
        let err = encoding.encode(&t, false).unwrap_err().to_string();
        assert!(err.contains("own.csv line 3, column `age`"), "{err}");
        assert!(
            err.contains("empty cell; a row cannot be left out of a prediction"),
            "{err}"
        );
    }

    #[test]
    fn an_unseen_category_and_an_unfilled_cell_are_named() {
        let encoding = Encoding::fit(&table(TRAINING), &[0, 1], 0..4, None).unwrap();
        let new = table("colour,age\ngreen,3\n");
        let err = encoding.encode(&new, false).unwrap_err().to_string();
        assert!(
            err.contains("line 2, column `colour`: `green` is a category the model never saw"),
            "{err}"
        );
        assert!(err.contains("it knows: blue, red"), "{err}");
        let err = encoding
            .encode(&table(TRAINING), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3, column `age`"), "{err}");
        assert!(err.contains("--impute"), "{err}");
        let missing = table("age\n3\n");
        let err = encoding.encode(&missing, false).unwrap_err().to_string();
        assert!(err.contains("no column `colour`"), "{err}");
    }

    #[test]
    fn the_encoding_round_trips_through_json() {
        let encoding =
            Encoding::fit(&table(TRAINING), &[0, 1], 0..4, Some(Impute::Median)).unwrap();
        let json = serde_json::to_string(&encoding).unwrap();
        assert!(json.contains(r#""type":"text""#), "{json}");
        assert_eq!(serde_json::from_str::<Encoding>(&json).unwrap(), encoding);
    }
}
