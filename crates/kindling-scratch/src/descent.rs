//! Chapter 2, part 2: slopes and gradient descent without a hidden layer (topic 6).

use crate::section::{Curve, Figure, Section, fmt_num, fmt_vec};

/// Prediction of a network with no hidden layer: the weighted sum of the inputs.
pub fn predict(weights: &[f64], input: &[f64]) -> f64 {
    weights.iter().zip(input).map(|(w, x)| w * x).sum()
}

/// Slope of the squared error with respect to each weight: `2 × input × error`.
pub fn slope(weights: &[f64], input: &[f64], target: f64) -> Vec<f64> {
    let error = predict(weights, input) - target;
    input.iter().map(|x| 2.0 * x * error).collect()
}

/// One gradient-descent step.
pub fn step(weights: &[f64], input: &[f64], target: f64, learning_rate: f64) -> Vec<f64> {
    weights
        .iter()
        .zip(slope(weights, input, target))
        .map(|(w, g)| w - learning_rate * g)
        .collect()
}

/// The worked example: weights [1, 2], input [3, 4], target 6, learning rate 0.01.
pub struct WorkedStep {
    /// Error before the step (5).
    pub error: f64,
    /// The slopes ([30, 40]).
    pub slope: Vec<f64>,
    /// The weights after the step ([0.7, 1.6]).
    pub updated: Vec<f64>,
    /// The error after the step (2.5).
    pub new_error: f64,
}

/// Computes [`WorkedStep`].
pub fn worked_step() -> WorkedStep {
    let (weights, input, target, lr) = ([1.0, 2.0], [3.0, 4.0], 6.0, 0.01);
    let updated = step(&weights, &input, target, lr);
    WorkedStep {
        error: predict(&weights, &input) - target,
        slope: slope(&weights, &input, target),
        new_error: predict(&updated, &input) - target,
        updated,
    }
}

/// The course's small data set for repeated updates: input [1, 2, 3], target 0, starting
/// weights [0, 2, 1], learning rate 0.01. Returns the mean squared error after each update.
pub fn mse_history(updates: usize) -> Vec<f64> {
    let (input, target) = ([1.0, 2.0, 3.0], 0.0);
    let mut weights = vec![0.0, 2.0, 1.0];
    (0..updates)
        .map(|_| {
            weights = step(&weights, &input, target, 0.01);
            (predict(&weights, &input) - target).powi(2)
        })
        .collect()
}

/// Topic 6's section.
pub fn section() -> Section {
    let mut s = Section::default();
    let w = worked_step();
    s.line("No hidden layer: weights [1, 2], input [3, 4], target 6, learning rate 0.01.");
    s.linef(format_args!("  error: {}", fmt_num(w.error)));
    s.linef(format_args!(
        "  slope (2 x input x error): {}",
        fmt_vec(&w.slope)
    ));
    s.linef(format_args!(
        "  updated weights (weights - 0.01 x slope): {}",
        fmt_vec(&w.updated)
    ));
    s.linef(format_args!("  new error: {}", fmt_num(w.new_error)));
    let one = slope(&[2.0], &[3.0], 10.0)[0];
    s.line("One weight: node value 3, weight 2, target 10.");
    s.linef(format_args!("  slope: 2 x 3 x (6 - 10) = {}", fmt_num(one)));
    s.linef(format_args!(
        "  new weight: 2 - 0.01 x ({}) = {}",
        fmt_num(one),
        fmt_num(2.0 - 0.01 * one)
    ));
    let history = mse_history(20);
    s.line("20 updates on input [1, 2, 3], target 0, from weights [0, 2, 1]:");
    s.linef(format_args!(
        "  MSE: {} after 1 update, {} after 20",
        fmt_num(history[0]),
        fmt_num(history[19])
    ));
    s.figures.push(Figure {
        file_name: "gradient_descent.png".into(),
        title: "Gradient descent: MSE per update".into(),
        x_label: "update".into(),
        y_label: "mean squared error".into(),
        curves: vec![Curve {
            label: "MSE".into(),
            points: history
                .iter()
                .enumerate()
                .map(|(i, m)| ((i + 1) as f64, *m))
                .collect(),
        }],
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_answers() {
        let w = worked_step();
        assert_eq!(w.error, 5.0);
        assert_eq!(w.slope, vec![30.0, 40.0]);
        assert!((w.updated[0] - 0.7).abs() < 1e-12 && (w.updated[1] - 1.6).abs() < 1e-12);
        assert!((w.new_error - 2.5).abs() < 1e-12);
        assert_eq!(slope(&[2.0], &[3.0], 10.0), vec![-24.0]);
        assert!((2.0 - 0.01 * -24.0 - 2.24f64).abs() < 1e-12);
        // The course's "Calculating slopes" and "Improving model weights" exercises.
        assert_eq!(
            slope(&[0.0, 2.0, 1.0], &[1.0, 2.0, 3.0], 0.0),
            vec![14.0, 28.0, 42.0]
        );
        let history = mse_history(20);
        assert!((history[0] - 5.04f64.powi(2)).abs() < 1e-9);
        assert!(history.windows(2).all(|w| w[1] < w[0]));
        let text = section().text;
        for expected in [
            "error: 5\n",
            "slope (2 x input x error): [30, 40]",
            "[0.7, 1.6]",
            "new error: 2.5\n",
            "= -24\n",
            "= 2.24\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }
}
