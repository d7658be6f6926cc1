//! What `model.predict` returns: a row of outputs per example.

use crate::error::KerasError;

/// Predictions, one row per example: class probabilities for a classifier, values for a
/// regressor. `predictions[:, 1]` is [`column(1)`](Predictions::column).
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    values: Vec<f32>,
    columns: usize,
}

impl Predictions {
    /// Row-major `values` of `columns` outputs per row.
    pub(crate) fn new(values: Vec<f32>, columns: usize) -> Self {
        Self { values, columns }
    }

    /// The number of rows (examples).
    pub fn len(&self) -> usize {
        self.values.len() / self.columns.max(1)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Outputs per row: classes for a classifier, the output layer's units for a regressor.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// All outputs, row-major.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// The rows, in order.
    pub fn rows(&self) -> impl Iterator<Item = &[f32]> {
        self.values.chunks(self.columns.max(1))
    }

    /// Row `index` (`predictions[index]`).
    pub fn row(&self, index: usize) -> Result<&[f32], KerasError> {
        self.rows().nth(index).ok_or_else(|| KerasError::Shape {
            what: "predictions",
            reason: format!("no row {index}; there are {} rows", self.len()),
        })
    }

    /// Column `index` of every row (`predictions[:, index]`): for a classifier, the
    /// probability of class `index` for each example.
    pub fn column(&self, index: usize) -> Result<Vec<f32>, KerasError> {
        if index >= self.columns {
            return Err(KerasError::Shape {
                what: "predictions",
                reason: format!(
                    "no column {index}; there are {} columns (0 to {})",
                    self.columns,
                    self.columns.saturating_sub(1)
                ),
            });
        }
        Ok(self.rows().map(|row| row[index]).collect())
    }

    /// The most probable class of each row (the index of its largest output).
    pub fn classes(&self) -> Vec<usize> {
        self.rows()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(k, _)| k)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_rows_and_classes() {
        let p = Predictions::new(vec![0.9, 0.1, 0.2, 0.8, 0.4, 0.6], 2);
        assert_eq!(p.len(), 3);
        assert_eq!(p.column(1).unwrap(), vec![0.1, 0.8, 0.6]);
        assert_eq!(p.row(1).unwrap(), &[0.2, 0.8]);
        assert_eq!(p.classes(), vec![0, 1, 1]);
    }

    #[test]
    fn out_of_range_indices_are_errors() {
        let p = Predictions::new(vec![0.9, 0.1], 2);
        assert_eq!(
            p.column(2).unwrap_err().to_string(),
            "predictions: no column 2; there are 2 columns (0 to 1)"
        );
        assert_eq!(
            p.row(1).unwrap_err().to_string(),
            "predictions: no row 1; there are 1 rows"
        );
    }
}
