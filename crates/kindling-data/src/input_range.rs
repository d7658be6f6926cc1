//! The range of each feature over the training rows, kept with a model so that prediction can
//! tell inputs far outside anything the model saw (raw 0–255 pixels given to a net trained on
//! pixels / 255, say).
//!
//! **Far outside** means beyond the training range `[min, max]` of its column by more than the
//! range's width, `max - min`; for a column that was constant in training, by more than its
//! magnitude, and at least 1. So for pixels trained in `[0, 1]`, values below -1 or above 2
//! are far outside.

use crate::rows::Rows;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Each feature's smallest and largest value over the rows a model was trained on (before any
/// scaling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRange {
    /// The smallest value of each feature.
    pub min: Vec<f32>,
    /// The largest value of each feature.
    pub max: Vec<f32>,
}

/// Inputs far outside the training range (see the module documentation): how many, and the
/// first of them.
#[derive(Debug, Clone, PartialEq)]
pub struct FarOutside {
    /// How many values are far outside.
    pub count: usize,
    /// How many values were checked.
    pub checked: usize,
    /// The first one's row (from 0) ...
    pub row: usize,
    /// ... and column (from 0).
    pub column: usize,
    /// Its value.
    pub value: f32,
    /// The training range of its column.
    pub range: (f32, f32),
}

impl InputRange {
    /// The range of every feature of `rows` over the rows `fit_on` (the training part of a
    /// validation split).
    pub fn fit(rows: &Rows, fit_on: Range<usize>) -> Self {
        let width = rows.width();
        let mut min = vec![f32::INFINITY; width];
        let mut max = vec![f32::NEG_INFINITY; width];
        for row in rows.feature_block(fit_on).chunks_exact(width.max(1)) {
            for (c, &value) in row.iter().enumerate() {
                min[c] = min[c].min(value);
                max[c] = max[c].max(value);
            }
        }
        Self { min, max }
    }

    /// The number of features.
    pub fn width(&self) -> usize {
        self.min.len()
    }

    /// The values of `features` (row-major, [`width`](Self::width) per row) that lie far
    /// outside the training range, or `None` when all are within reach of it (or the widths
    /// differ).
    pub fn far_outside(&self, features: &[f32]) -> Option<FarOutside> {
        let width = self.width();
        if width == 0 || self.max.len() != width || !features.len().is_multiple_of(width) {
            return None;
        }
        let mut found: Option<FarOutside> = None;
        for (i, &value) in features.iter().enumerate() {
            let column = i % width;
            let (low, high) = (self.min[column], self.max[column]);
            if !(low.is_finite() && high.is_finite()) {
                continue;
            }
            let span = high - low;
            let reach = if span > 0.0 { span } else { low.abs().max(1.0) };
            if value >= low - reach && value <= high + reach {
                continue;
            }
            match &mut found {
                Some(far) => far.count += 1,
                None => {
                    found = Some(FarOutside {
                        count: 1,
                        checked: features.len(),
                        row: i / width,
                        column,
                        value,
                        range: (low, high),
                    })
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range() -> InputRange {
        // Two columns: pixels seen in [0, 1], and a column that was always 5.
        let rows = Rows::classified(
            vec![0.0, 5.0, 1.0, 5.0, 0.5, 5.0, 9.0, 9.0],
            2,
            vec![0; 4],
            2,
        );
        InputRange::fit(&rows, 0..3)
    }

    #[test]
    fn fits_on_the_training_rows_only() {
        assert_eq!(
            range(),
            InputRange {
                min: vec![0.0, 5.0],
                max: vec![1.0, 5.0]
            }
        );
    }

    #[test]
    fn values_within_one_range_width_pass() {
        assert_eq!(range().far_outside(&[-1.0, 0.0, 2.0, 10.0, 0.3, 5.0]), None);
    }

    #[test]
    fn raw_pixels_and_far_values_are_counted_from_the_first() {
        let far = range()
            .far_outside(&[0.5, 5.0, 255.0, 5.0, 128.0, 10.5, -2.0, 5.0])
            .unwrap();
        assert_eq!(
            far,
            FarOutside {
                count: 4,
                checked: 8,
                row: 1,
                column: 0,
                value: 255.0,
                range: (0.0, 1.0)
            }
        );
    }

    #[test]
    fn other_widths_are_not_judged() {
        assert_eq!(range().far_outside(&[255.0, 255.0, 255.0]), None);
    }
}
