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

    /// Sets the learning rate of the steps to come (Keras's `ReduceLROnPlateau` lowers it).
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate as f32;
    }

    /// The optimizer's state (its step count and Adam's moments) as bytes, for
    /// [`Optimizer::restore_state`]: little-endian `i32` steps, `u64` count of moment pairs,
    /// then each pair as a `u64` length and that many `f32`s of each moment.
    pub fn state_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.steps.to_le_bytes());
        out.extend_from_slice(&(self.moments.len() as u64).to_le_bytes());
        for (m, v) in &self.moments {
            out.extend_from_slice(&(m.len() as u64).to_le_bytes());
            for x in m.iter().chain(v) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Restores the state [`Optimizer::state_bytes`] wrote, or says what is wrong with `bytes`.
    pub fn restore_state(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut at = 0;
        let mut take = |n: usize| -> Result<&[u8], String> {
            let piece = bytes
                .get(at..at + n)
                .ok_or_else(|| format!("ends after {at} bytes"))?;
            at += n;
            Ok(piece)
        };
        let word = |piece: &[u8]| u64::from_le_bytes(piece.try_into().unwrap_or_default());
        let steps = i32::from_le_bytes(take(4)?.try_into().unwrap_or_default());
        let pairs = word(take(8)?) as usize;
        let mut moments = Vec::with_capacity(pairs.min(64));
        for _ in 0..pairs {
            let len = word(take(8)?) as usize;
            let floats = take(len.checked_mul(8).ok_or("a moment too long")?)?;
            let values: Vec<f32> = floats
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            let (m, v) = values.split_at(len);
            moments.push((m.to_vec(), v.to_vec()));
        }
        if at != bytes.len() {
            return Err(format!("{} bytes left over", bytes.len() - at));
        }
        self.steps = steps;
        self.moments = moments;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(values: &[f32]) -> Layer {
        Layer {
            weight: values.to_vec(),
            bias: vec![0.5],
            inputs: values.len(),
            outputs: 1,
            stride: 1,
        }
    }

    #[test]
    fn a_restored_state_steps_exactly_as_the_original() {
        let grads = [layer(&[0.1, -0.2, 0.3])];
        let mut original = Optimizer::adam(1e-3);
        let mut weights = [layer(&[1.0, 2.0, 3.0])];
        for _ in 0..3 {
            original.step(&mut weights, &grads);
        }
        let mut restored = Optimizer::adam(1e-3);
        restored.restore_state(&original.state_bytes()).unwrap();
        let mut twin = weights.clone();
        original.step(&mut weights, &grads);
        restored.step(&mut twin, &grads);
        assert_eq!(weights, twin);

        let bytes = original.state_bytes();
        let err = restored
            .restore_state(&bytes[..bytes.len() - 1])
            .unwrap_err();
        assert!(err.starts_with("ends after"), "{err}");
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            restored.restore_state(&longer).unwrap_err(),
            "1 bytes left over"
        );
    }
}
