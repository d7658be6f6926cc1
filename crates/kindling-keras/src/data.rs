//! The arrays a model is fitted on: features (Keras's `predictors`) and targets.

use crate::compile::Loss;
use crate::error::KerasError;
use kindling_data::Rows;
use kindling_data::csv_table::one_hot;

/// Row-major features, `width` per example: Keras's two-dimensional `predictors` array.
/// Borrowed; checked when used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features<'a> {
    values: &'a [f32],
    width: usize,
}

impl<'a> Features<'a> {
    /// `values` read as rows of `width` features.
    pub fn new(values: &'a [f32], width: usize) -> Self {
        Self { values, width }
    }

    /// The features per example (`predictors.shape[1]`).
    pub fn width(&self) -> usize {
        self.width
    }

    /// All values, row-major.
    pub fn values(&self) -> &'a [f32] {
        self.values
    }

    /// The number of examples. An error if there are none, if the values do not fill whole
    /// rows, or if one is NaN or infinite (the error names its row and column, from 0).
    pub fn rows(&self) -> Result<usize, KerasError> {
        let bad = |reason: String| {
            Err(KerasError::Shape {
                what: "features",
                reason,
            })
        };
        if self.width == 0 {
            return bad("a width of 0 features per row; give the number of columns".into());
        }
        if self.values.is_empty() {
            return bad("no rows; pass at least one example".into());
        }
        if !self.values.len().is_multiple_of(self.width) {
            return bad(format!(
                "{} values do not make whole rows of {} features",
                self.values.len(),
                self.width
            ));
        }
        if let Some(i) = self.values.iter().position(|v| !v.is_finite()) {
            return bad(format!(
                "row {}, column {} is {}; replace it or remove the row",
                i / self.width,
                i % self.width,
                self.values[i]
            ));
        }
        Ok(self.values.len() / self.width)
    }
}

impl<'a> From<&'a Rows> for Features<'a> {
    fn from(rows: &'a Rows) -> Self {
        Self::new(rows.all_features(), rows.width())
    }
}

/// What each example should produce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Targets<'a> {
    /// A class index per example, for loss `categorical_crossentropy`.
    Classes(&'a [u32]),
    /// One-hot rows, one unit per class (Keras's `to_categorical(df.survived)`), for loss
    /// `categorical_crossentropy`.
    OneHot(&'a [f32]),
    /// Values, as many per example as the output layer has units, for loss
    /// `mean_squared_error`.
    Values(&'a [f32]),
}

impl<'a> From<&'a [u32]> for Targets<'a> {
    fn from(labels: &'a [u32]) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a> From<&'a Vec<u32>> for Targets<'a> {
    fn from(labels: &'a Vec<u32>) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a> From<&'a [f32]> for Targets<'a> {
    fn from(values: &'a [f32]) -> Self {
        Targets::Values(values)
    }
}

impl<'a> From<&'a Vec<f32>> for Targets<'a> {
    fn from(values: &'a Vec<f32>) -> Self {
        Targets::Values(values)
    }
}

impl<'a, const N: usize> From<&'a [u32; N]> for Targets<'a> {
    fn from(labels: &'a [u32; N]) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a, const N: usize> From<&'a [f32; N]> for Targets<'a> {
    fn from(values: &'a [f32; N]) -> Self {
        Targets::Values(values)
    }
}

impl<'a> From<&'a Rows> for Targets<'a> {
    /// The rows' class labels, or their values.
    fn from(rows: &'a Rows) -> Self {
        match (rows.labels(), rows.values()) {
            (Some(labels), _) => Targets::Classes(labels),
            (None, Some((values, _))) => Targets::Values(values),
            (None, None) => Targets::Values(&[]),
        }
    }
}

/// Keras's `to_categorical(labels, num_classes)`: one-hot rows of `classes` units. A label
/// that is not below `classes` is an error naming its row.
pub fn to_categorical(labels: &[u32], classes: usize) -> Result<Vec<f32>, KerasError> {
    if let Some(i) = labels.iter().position(|&l| l as usize >= classes) {
        return Err(KerasError::Shape {
            what: "targets",
            reason: format!(
                "row {i} has class {}, but num_classes is {classes} (classes 0 to {})",
                labels[i],
                classes.saturating_sub(1)
            ),
        });
    }
    Ok(one_hot(labels, classes))
}

/// The examples as [`Rows`] for a model with `input` features and `outputs` units trained
/// with `loss`, after checking that every count agrees.
pub(crate) fn to_rows(
    features: Features<'_>,
    targets: Targets<'_>,
    input: usize,
    outputs: usize,
    loss: Loss,
) -> Result<Rows, KerasError> {
    let n = checked_rows(features, input)?;
    let bad = |reason: String| {
        Err(KerasError::Shape {
            what: "targets",
            reason,
        })
    };
    let x = features.values.to_vec();
    match (loss, targets) {
        (Loss::CategoricalCrossentropy, Targets::Classes(labels)) => {
            if labels.len() != n {
                return bad(format!("{} labels for {n} rows of features", labels.len()));
            }
            if let Some(i) = labels.iter().position(|&l| l as usize >= outputs) {
                return bad(format!(
                    "row {i} has class {}, but the output layer has {outputs} units (classes 0 to {})",
                    labels[i],
                    outputs - 1
                ));
            }
            Ok(Rows::classified(x, input, labels.to_vec(), outputs))
        }
        (Loss::CategoricalCrossentropy, Targets::OneHot(values)) => {
            if values.len() != n * outputs {
                return bad(format!(
                    "{} one-hot values for {n} rows of features; expected {n} rows of {outputs} (the output layer's units)",
                    values.len()
                ));
            }
            let mut labels = Vec::with_capacity(n);
            for (i, row) in values.chunks(outputs).enumerate() {
                let ones = row.iter().filter(|&&v| v == 1.0).count();
                let zeros = row.iter().filter(|&&v| v == 0.0).count();
                if ones != 1 || ones + zeros != outputs {
                    return bad(format!(
                        "row {i} is {row:?}, not one-hot; give exactly one 1 and zeros elsewhere (to_categorical makes such rows)"
                    ));
                }
                labels.push(row.iter().position(|&v| v == 1.0).unwrap_or(0) as u32);
            }
            Ok(Rows::classified(x, input, labels, outputs))
        }
        (Loss::CategoricalCrossentropy, Targets::Values(_)) => bad(
            "real values given to a classifier (loss='categorical_crossentropy'); pass class indices (&[u32]) or one-hot rows (Targets::OneHot)".into(),
        ),
        (Loss::MeanSquaredError, Targets::Values(values)) => {
            if values.len() != n * outputs {
                return bad(format!(
                    "{} values for {n} rows of features; expected {} ({outputs} per row, the output layer's units)",
                    values.len(),
                    n * outputs
                ));
            }
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return bad(format!(
                    "row {} is {}; replace it or remove the row",
                    i / outputs,
                    values[i]
                ));
            }
            Ok(Rows::regression(x, input, values.to_vec(), outputs))
        }
        (Loss::MeanSquaredError, _) => bad(
            "class labels given to a regressor (loss='mean_squared_error'); pass the values to predict as &[f32]".into(),
        ),
    }
}

/// The number of rows of `features`, which must have `input` columns.
pub(crate) fn checked_rows(features: Features<'_>, input: usize) -> Result<usize, KerasError> {
    if features.width != input {
        return Err(KerasError::Shape {
            what: "features",
            reason: format!(
                "{} columns per row, but the model's input_shape is ({input},)",
                features.width
            ),
        });
    }
    features.rows()
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: [f32; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];

    fn classify(targets: Targets<'_>) -> Result<Rows, KerasError> {
        to_rows(
            Features::new(&X, 2),
            targets,
            2,
            2,
            Loss::CategoricalCrossentropy,
        )
    }

    fn message(result: Result<Rows, KerasError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn builds_rows_from_classes_one_hot_and_values() {
        let from_labels = classify(Targets::Classes(&[0, 1, 1])).unwrap();
        let one_hot = to_categorical(&[0, 1, 1], 2).unwrap();
        assert_eq!(one_hot, vec![1., 0., 0., 1., 0., 1.]);
        assert_eq!(classify(Targets::OneHot(&one_hot)).unwrap(), from_labels);
        let values = [0.5, 1.5, 2.5];
        let rows = to_rows(
            Features::new(&X, 2),
            (&values[..]).into(),
            2,
            1,
            Loss::MeanSquaredError,
        )
        .unwrap();
        assert_eq!(rows.values(), Some((&values[..], 1)));
        assert_eq!(Targets::from(&rows), Targets::Values(&values));
        assert_eq!(Features::from(&rows), Features::new(&X, 2));
    }

    #[test]
    fn features_must_fill_whole_finite_rows() {
        let err = Features::new(&X[..5], 2).rows().unwrap_err().to_string();
        assert_eq!(
            err,
            "features: 5 values do not make whole rows of 2 features"
        );
        let err = Features::new(&[], 2).rows().unwrap_err().to_string();
        assert!(err.contains("no rows"), "{err}");
        let err = Features::new(&X, 0).rows().unwrap_err().to_string();
        assert!(err.contains("a width of 0"), "{err}");
        let err = Features::new(&[1.0, f32::NAN], 1)
            .rows()
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "features: row 1, column 0 is NaN; replace it or remove the row"
        );
    }

    #[test]
    fn features_must_match_the_input_shape() {
        let err = checked_rows(Features::new(&X, 3), 2)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "features: 3 columns per row, but the model's input_shape is (2,)"
        );
    }

    #[test]
    fn label_count_and_range_are_checked() {
        let err = message(classify(Targets::Classes(&[0, 1])));
        assert_eq!(err, "targets: 2 labels for 3 rows of features");
        let err = message(classify(Targets::Classes(&[0, 2, 1])));
        assert_eq!(
            err,
            "targets: row 1 has class 2, but the output layer has 2 units (classes 0 to 1)"
        );
        let err = to_categorical(&[0, 3], 2).unwrap_err().to_string();
        assert!(
            err.contains("row 1 has class 3, but num_classes is 2"),
            "{err}"
        );
    }

    #[test]
    fn one_hot_rows_are_checked() {
        let err = message(classify(Targets::OneHot(&[1., 0., 0., 1.])));
        assert!(
            err.starts_with(
                "targets: 4 one-hot values for 3 rows of features; expected 3 rows of 2"
            ),
            "{err}"
        );
        let err = message(classify(Targets::OneHot(&[1., 0., 0.5, 0.5, 0., 1.])));
        assert!(
            err.starts_with("targets: row 1 is [0.5, 0.5], not one-hot"),
            "{err}"
        );
    }

    #[test]
    fn targets_must_fit_the_loss() {
        let err = message(classify(Targets::Values(&[0.0, 1.0, 2.0])));
        assert!(err.contains("real values given to a classifier"), "{err}");
        let err = message(to_rows(
            Features::new(&X, 2),
            Targets::Classes(&[0, 1, 1]),
            2,
            1,
            Loss::MeanSquaredError,
        ));
        assert!(err.contains("class labels given to a regressor"), "{err}");
        let err = message(to_rows(
            Features::new(&X, 2),
            Targets::Values(&[1.0; 3]),
            2,
            2,
            Loss::MeanSquaredError,
        ));
        assert_eq!(
            err,
            "targets: 3 values for 3 rows of features; expected 6 (2 per row, the output layer's units)"
        );
        let err = message(to_rows(
            Features::new(&X, 2),
            Targets::Values(&[1.0, f32::INFINITY, 0.0]),
            2,
            1,
            Loss::MeanSquaredError,
        ));
        assert!(err.contains("row 1 is inf"), "{err}");
    }
}
