//! Feature scaling fitted on the training rows only, saved with the model and applied again at
//! prediction time.

use crate::rows::Rows;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// How to scale features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScaleKind {
    /// Leave features as they are.
    None,
    /// Subtract the mean, divide by the standard deviation (scikit-learn's `StandardScaler`).
    Standard,
    /// Map each feature's range to `[0, 1]` (scikit-learn's `MinMaxScaler`).
    Minmax,
}

impl FromStr for ScaleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(ScaleKind::None),
            "standard" => Ok(ScaleKind::Standard),
            "minmax" | "min-max" => Ok(ScaleKind::Minmax),
            _ => Err(format!(
                "unknown scaling `{s}`; expected one of: standard, minmax, none"
            )),
        }
    }
}

impl fmt::Display for ScaleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScaleKind::None => "none",
            ScaleKind::Standard => "standard",
            ScaleKind::Minmax => "minmax",
        })
    }
}

/// A fitted scaler: `scaled = (x − offset) / divisor`, per feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    /// The kind of scaling.
    pub kind: ScaleKind,
    /// Per-feature offset (mean or minimum).
    pub offset: Vec<f32>,
    /// Per-feature divisor (standard deviation or range; 1 for a constant feature).
    pub divisor: Vec<f32>,
}

impl Scaler {
    /// Fits a scaler of `kind` on the rows `fit_on` of `rows` (the training part only).
    pub fn fit(kind: ScaleKind, rows: &Rows, fit_on: Range<usize>) -> Self {
        let width = rows.width();
        let n = fit_on.len().max(1) as f64;
        let mut offset = vec![0.0f32; width];
        let mut divisor = vec![1.0f32; width];
        if kind != ScaleKind::None {
            for j in 0..width {
                let column = fit_on.clone().map(|i| rows.features(i)[j] as f64);
                let (o, d) = match kind {
                    ScaleKind::Standard => {
                        let mean = column.clone().sum::<f64>() / n;
                        let var = column.map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                        (mean, var.sqrt())
                    }
                    _ => {
                        let (lo, hi) = column
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                                (lo.min(x), hi.max(x))
                            });
                        (lo, hi - lo)
                    }
                };
                offset[j] = o as f32;
                divisor[j] = if d > 1e-12 { d as f32 } else { 1.0 };
            }
        }
        Self {
            kind,
            offset,
            divisor,
        }
    }

    /// Scales row-major features in place.
    pub fn apply(&self, features: &mut [f32]) {
        if self.kind == ScaleKind::None || self.offset.is_empty() {
            return;
        }
        for row in features.chunks_mut(self.offset.len()) {
            for ((x, o), d) in row.iter_mut().zip(&self.offset).zip(&self.divisor) {
                *x = (*x - o) / d;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_on_the_training_rows_only() {
        let rows = Rows::regression(vec![1.0, 5.0, 3.0, 5.0, 100.0, 5.0], 2, vec![0.0; 3], 1);
        let standard = Scaler::fit(ScaleKind::Standard, &rows, 0..2);
        assert_eq!(standard.offset, vec![2.0, 5.0]);
        assert_eq!(standard.divisor, vec![1.0, 1.0]); // std of [1, 3] is 1; constant column -> 1
        let mut x = vec![3.0, 5.0];
        standard.apply(&mut x);
        assert_eq!(x, vec![1.0, 0.0]);
        let minmax = Scaler::fit(ScaleKind::Minmax, &rows, 0..2);
        let mut x = vec![2.0, 5.0];
        minmax.apply(&mut x);
        assert_eq!(x, vec![0.5, 0.0]);
        assert_eq!("min-max".parse::<ScaleKind>(), Ok(ScaleKind::Minmax));
    }
}
