//! The perceptron: a signum node with a bias input, and why XOR needs a hidden layer (topic 9).

use crate::activation::Activation;
use crate::backprop::{batch_gradients, descend};
use crate::loss::Loss;
use crate::network::Network;
use crate::section::{Section, fmt_num, fmt_vec};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The four rows of a two-input truth table.
pub const ROWS: [[f64; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];

/// A truth table's outputs as 1 (true) or −1 (false), the signum's two values.
pub fn targets(gate: fn(bool, bool) -> bool) -> [f64; 4] {
    ROWS.map(|r| {
        if gate(r[0] == 1.0, r[1] == 1.0) {
            1.0
        } else {
            -1.0
        }
    })
}

/// The perceptron's output: signum of `w · [x, 1]` (the last weight is the bias).
pub fn perceptron(weights: &[f64; 3], row: &[f64; 2]) -> f64 {
    Activation::Signum.value(weights[0] * row[0] + weights[1] * row[1] + weights[2])
}

/// Fraction of rows the perceptron gets right.
pub fn accuracy(weights: &[f64; 3], targets: &[f64; 4]) -> f64 {
    let right = ROWS
        .iter()
        .zip(targets)
        .filter(|(r, t)| perceptron(weights, r) == **t)
        .count();
    right as f64 / 4.0
}

/// The perceptron learning rule, `w += lr · (target − output) · [x, 1]`, for up to `epochs`
/// epochs; returns the final weights and the best accuracy seen after any update.
pub fn learn(targets: &[f64; 4], epochs: usize) -> ([f64; 3], f64) {
    let mut w = [0.0; 3];
    let mut best = accuracy(&w, targets);
    for _ in 0..epochs {
        for (row, t) in ROWS.iter().zip(targets) {
            let error = t - perceptron(&w, row);
            for (wi, xi) in w.iter_mut().zip([row[0], row[1], 1.0]) {
                *wi += 0.1 * error * xi;
            }
            best = best.max(accuracy(&w, targets));
        }
        if best == 1.0 {
            break;
        }
    }
    (w, best)
}

/// The best accuracy any perceptron reaches on `targets`, searched over every weight in
/// −3, −2.75, …, 3 (a line through the plane: no line separates XOR's two classes).
pub fn best_possible(targets: &[f64; 4]) -> f64 {
    let grid: Vec<f64> = (-12..=12).map(|i| i as f64 * 0.25).collect();
    let mut best: f64 = 0.0;
    for &a in &grid {
        for &b in &grid {
            for &c in &grid {
                best = best.max(accuracy(&[a, b, c], targets));
            }
        }
    }
    best
}

/// A 2-4-1 network (tanh hidden, sigmoid output) trained on XOR by gradient descent with the
/// hand-written backpropagation; returns its outputs for the four rows.
pub fn xor_network() -> (Network, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(3);
    let mut network = Network::random(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid, &mut rng);
    let inputs: Vec<Vec<f64>> = ROWS.iter().map(|r| r.to_vec()).collect();
    let targets: Vec<Vec<f64>> = targets(|a, b| a ^ b)
        .iter()
        .map(|&t| vec![(t + 1.0) / 2.0])
        .collect();
    for _ in 0..3000 {
        let (_, grads) = batch_gradients(&network, &inputs, &targets, Loss::Mse);
        descend(&mut network, &grads, 2.0);
    }
    let outputs = inputs.iter().map(|x| network.predict(x)[0]).collect();
    (network, outputs)
}

/// Topic 9's section.
pub fn section() -> Section {
    let mut s = Section::default();
    s.line("A perceptron: output = signum(w0 x0 + w1 x1 + w2 x 1), learning rule w += 0.1 (target - output) x.");
    for (name, gate) in [
        ("AND", (|a, b| a && b) as fn(bool, bool) -> bool),
        ("OR", |a, b| a || b),
    ] {
        let t = targets(gate);
        let (w, best) = learn(&t, 50);
        let outputs: Vec<f64> = ROWS.iter().map(|r| perceptron(&w, r)).collect();
        s.linef(format_args!(
            "  {name:<3} targets {} -> learned weights {}, outputs {}, accuracy {}",
            fmt_vec(&t),
            fmt_vec(&w),
            fmt_vec(&outputs),
            fmt_num(best)
        ));
    }
    let xor = targets(|a, b| a ^ b);
    let (_, best) = learn(&xor, 100);
    s.linef(format_args!(
        "  XOR targets {} -> best accuracy in 100 epochs: {}",
        fmt_vec(&xor),
        fmt_num(best)
    ));
    s.linef(format_args!(
        "  best accuracy of any perceptron (weights searched on a grid): {}",
        fmt_num(best_possible(&xor))
    ));
    s.line("  Why: a perceptron splits the plane with one straight line; XOR's true rows (0,1) and (1,0)");
    s.line(
        "  sit on opposite corners from its false rows (0,0) and (1,1), so no line separates them.",
    );
    let (_, outputs) = xor_network();
    let rounded: Vec<f64> = outputs.iter().map(|o| o.round()).collect();
    s.linef(format_args!(
        "  A hidden layer of 4 tanh nodes learns it: outputs {} -> {}",
        fmt_vec(
            &outputs
                .iter()
                .map(|o| (o * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        ),
        fmt_vec(&rounded)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_or_are_learned_xor_is_not() {
        for gate in [(|a, b| a && b) as fn(bool, bool) -> bool, |a, b| a || b] {
            let t = targets(gate);
            let (w, best) = learn(&t, 50);
            assert_eq!(best, 1.0);
            assert_eq!(accuracy(&w, &t), 1.0);
        }
        let xor = targets(|a, b| a ^ b);
        let (_, reached) = learn(&xor, 100);
        assert!((0.5..=0.75).contains(&reached), "{reached}");
        assert_eq!(best_possible(&xor), 0.75);
    }

    #[test]
    fn a_hidden_layer_learns_xor() {
        let (_, outputs) = xor_network();
        let rounded: Vec<f64> = outputs.iter().map(|o| o.round()).collect();
        assert_eq!(rounded, vec![0.0, 1.0, 1.0, 0.0], "{outputs:?}");
    }
}
