//! Activation functions and their slopes.

use std::fmt;

/// An activation function, applied to each node's input (its weighted sum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `f(x) = x`; slope 1.
    Identity,
    /// `f(x) = max(0, x)`; slope 1 for `x > 0`, else 0.
    Relu,
    /// `f(x) = tanh(x)`; slope `1 − tanh(x)²`.
    Tanh,
    /// `f(x) = 1 / (1 + e^−x)`; slope `f(x)(1 − f(x))`.
    Sigmoid,
    /// `f(x) = sign(x)` (−1, 0 or 1); slope 0 wherever it is defined, so gradient descent
    /// cannot train through it: the perceptron uses its own learning rule.
    Signum,
    /// `f(x)_i = e^x_i / Σ_j e^x_j` over a whole layer; its slope is a matrix (the Jacobian
    /// `s_i(δ_ij − s_j)`).
    Softmax,
}

impl Activation {
    /// Every activation, in the order the walkthrough shows them.
    pub const ALL: [Activation; 6] = [
        Activation::Identity,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Signum,
        Activation::Softmax,
    ];

    /// The activation's name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Signum => "signum",
            Activation::Softmax => "softmax",
        }
    }

    /// Applies the activation to a layer's node inputs.
    pub fn apply(self, inputs: &[f64]) -> Vec<f64> {
        match self {
            Activation::Softmax => softmax(inputs),
            _ => inputs.iter().map(|&x| self.value(x)).collect(),
        }
    }

    /// The activation of one node input (for softmax: of a one-node layer, always 1).
    pub fn value(self, x: f64) -> f64 {
        match self {
            Activation::Identity => x,
            Activation::Relu => x.max(0.0),
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Signum => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Activation::Softmax => 1.0,
        }
    }

    /// The slope `f'(x)` of an element-wise activation at node input `x` (0 for softmax,
    /// whose slope needs the whole layer: see [`Activation::backward`]).
    pub fn slope(self, x: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Tanh => 1.0 - x.tanh().powi(2),
            Activation::Sigmoid => {
                let s = self.value(x);
                s * (1.0 - s)
            }
            Activation::Signum | Activation::Softmax => 0.0,
        }
    }

    /// Chain rule through the activation: given the layer's node inputs, its outputs and the
    /// loss's slope with respect to each output, the loss's slope with respect to each input.
    pub fn backward(self, inputs: &[f64], outputs: &[f64], output_slopes: &[f64]) -> Vec<f64> {
        match self {
            Activation::Softmax => {
                // d s_k / d x_j = s_k (δ_kj − s_j)  ⇒  slope_j = s_j (g_j − Σ_k g_k s_k)
                let weighted: f64 = output_slopes.iter().zip(outputs).map(|(g, s)| g * s).sum();
                outputs
                    .iter()
                    .zip(output_slopes)
                    .map(|(s, g)| s * (g - weighted))
                    .collect()
            }
            _ => inputs
                .iter()
                .zip(output_slopes)
                .map(|(&x, g)| g * self.slope(x))
                .collect(),
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Softmax of a vector, computed stably (shifted by its maximum).
pub fn softmax(inputs: &[f64]) -> Vec<f64> {
    let max = inputs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = inputs.iter().map(|x| (x - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slopes_match_finite_differences() {
        let h = 1e-6;
        for a in [
            Activation::Identity,
            Activation::Relu,
            Activation::Tanh,
            Activation::Sigmoid,
        ] {
            for x in [-2.3, -0.4, 0.7, 1.9] {
                let numeric = (a.value(x + h) - a.value(x - h)) / (2.0 * h);
                assert!((numeric - a.slope(x)).abs() < 1e-8, "{a} at {x}");
            }
        }
        assert_eq!(
            Activation::Signum.apply(&[-3.0, 0.0, 2.0]),
            vec![-1.0, 0.0, 1.0]
        );
    }

    #[test]
    fn softmax_backward_matches_finite_differences() {
        let x = [0.3, -1.2, 2.0];
        let g = [0.5, -1.0, 0.25];
        let s = softmax(&x);
        let analytic = Activation::Softmax.backward(&x, &s, &g);
        let h = 1e-6;
        for j in 0..3 {
            let mut up = x;
            up[j] += h;
            let mut down = x;
            down[j] -= h;
            let f = |v: &[f64]| softmax(v).iter().zip(&g).map(|(a, b)| a * b).sum::<f64>();
            let numeric = (f(&up) - f(&down)) / (2.0 * h);
            assert!((numeric - analytic[j]).abs() < 1e-8);
        }
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }
}
