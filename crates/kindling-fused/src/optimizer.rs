//! Adam and SGD over plain buffers, with the formulas of burn's `Adam` and `Sgd`.

use crate::network::Layer;

/// The update rule (private: [`Optimizer::sgd`] and [`Optimizer::adam`] build one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Sgd,
    Adam,
}

/// Keras's Adam: β₁ 0.9, β₂ 0.999, ε 1e-7.
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-7;

/// An optimizer's state for every parameter of a network.
#[derive(Debug, Clone)]
pub struct Optimizer {
    kind: Rule,
    learning_rate: f32,
    /// Adam's first and second moments, parameter by parameter in layer order (weights, then
    /// biases); empty for SGD.
    moments: Vec<(Vec<f32>, Vec<f32>)>,
    steps: i32,
}

impl Optimizer {
    /// Plain stochastic gradient descent (no momentum), as Keras's `SGD()` and burn's `Sgd`.
    pub fn sgd(learning_rate: f64) -> Self {
        Self::new(Rule::Sgd, learning_rate)
    }

    /// Adam with Keras's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7), in burn's `Adam` form.
    pub fn adam(learning_rate: f64) -> Self {
        Self::new(Rule::Adam, learning_rate)
    }

    fn new(kind: Rule, learning_rate: f64) -> Self {
        Self {
            kind,
            learning_rate: learning_rate as f32,
            moments: Vec::new(),
            steps: 0,
        }
    }

    /// One update of `layers` with the gradients `grads`.
    #[inline(always)]
    pub(crate) fn step(&mut self, layers: &mut [Layer], grads: &[Layer]) {
        if self.kind == Rule::Adam && self.moments.is_empty() {
            self.moments = layers
                .iter()
                .flat_map(|l| [l.weight.len(), l.bias.len()])
                .map(|len| (vec![0.0; len], vec![0.0; len]))
                .collect();
        }
        self.steps += 1;
        let params = layers
            .iter_mut()
            .zip(grads)
            .flat_map(|(l, g)| [(&mut l.weight, &g.weight), (&mut l.bias, &g.bias)]);
        match self.kind {
            Rule::Sgd => {
                let lr = self.learning_rate;
                for (p, g) in params {
                    p.iter_mut().zip(g.iter()).for_each(|(p, g)| *p -= lr * g);
                }
            }
            Rule::Adam => {
                // burn's form of the bias-corrected update:
                // p -= lr · m · √(1-β₂ᵗ)/(1-β₁ᵗ) / (√v + ε·√(1-β₂ᵗ)).
                let correction_2 = (1.0 - BETA_2.powi(self.steps)).sqrt();
                let factor = self.learning_rate * correction_2 / (1.0 - BETA_1.powi(self.steps));
                let epsilon = EPSILON * correction_2;
                for ((p, g), (m, v)) in params.zip(self.moments.iter_mut()) {
                    for (((p, &g), m), v) in p.iter_mut().zip(g.iter()).zip(m).zip(v) {
                        *m = BETA_1 * *m + (1.0 - BETA_1) * g;
                        *v = BETA_2 * *v + (1.0 - BETA_2) * g * g;
                        *p -= factor * *m / (v.sqrt() + epsilon);
                    }
                }
            }
        }
    }
}
