//! Loss functions and their slopes.

/// How far the outputs are from the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error over the outputs: `Σ (o − t)² / n`.
    Mse,
    /// Cross-entropy of probabilities `o` (a softmax output) against targets `t` (one-hot):
    /// `−Σ t · ln o`.
    CrossEntropy,
}

impl Loss {
    /// The loss's name.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::CrossEntropy => "cross-entropy",
        }
    }

    /// The loss of one output row.
    pub fn value(self, output: &[f64], target: &[f64]) -> f64 {
        match self {
            Loss::Mse => mean_squared_error(output, target),
            Loss::CrossEntropy => -output
                .iter()
                .zip(target)
                .map(|(o, t)| t * o.ln())
                .sum::<f64>(),
        }
    }

    /// The slope of the loss with respect to each output.
    pub fn slope(self, output: &[f64], target: &[f64]) -> Vec<f64> {
        let n = output.len() as f64;
        output
            .iter()
            .zip(target)
            .map(|(o, t)| match self {
                Loss::Mse => 2.0 * (o - t) / n,
                Loss::CrossEntropy => -t / o,
            })
            .collect()
    }
}

/// Mean of the squared differences between predictions and targets.
pub fn mean_squared_error(predictions: &[f64], targets: &[f64]) -> f64 {
    let n = predictions.len().max(1) as f64;
    predictions
        .iter()
        .zip(targets)
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_slopes() {
        assert_eq!(
            mean_squared_error(&[9.0, 9.0, 0.0, 12.0], &[1.0, 3.0, 5.0, 7.0]),
            37.5
        );
        assert_eq!(Loss::Mse.slope(&[3.0, 1.0], &[1.0, 1.0]), vec![2.0, 0.0]);
        let ce = Loss::CrossEntropy.value(&[0.25, 0.75], &[0.0, 1.0]);
        assert!((ce - (-(0.75f64).ln())).abs() < 1e-15);
    }
}
