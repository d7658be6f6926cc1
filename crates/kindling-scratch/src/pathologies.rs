//! When gradients fail: vanishing gradients in deep sigmoid and tanh networks, and ReLU units
//! that die after a too-large learning rate (topic 10).

use crate::activation::Activation;
use crate::backprop::{batch_gradients, descend};
use crate::loss::Loss;
use crate::network::Network;
use crate::section::{Section, fmt_num};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Per-layer gradient norms (first layer first) of a 10-layer network of width 8 with
/// `activation` on every hidden layer, on a batch of 32 random rows.
pub fn gradient_norms(activation: Activation) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(11);
    let mut widths = vec![8; 11];
    widths.push(1);
    let network = Network::random(&widths, activation, Activation::Identity, &mut rng);
    let inputs: Vec<Vec<f64>> = (0..32)
        .map(|_| (0..8).map(|_| rng.random_range(-1.0..1.0)).collect())
        .collect();
    let targets: Vec<Vec<f64>> = (0..32).map(|_| vec![rng.random_range(-1.0..1.0)]).collect();
    let (_, grads) = batch_gradients(&network, &inputs, &targets, Loss::Mse);
    (0..network.layers.len())
        .map(|l| grads.layer_norm(l))
        .collect()
}

/// The training rows of the dying-ReLU experiment: 64 points of `y = x²` on `[-2, 2]`.
fn parabola() -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let inputs: Vec<Vec<f64>> = (0..64)
        .map(|i| vec![-2.0 + 4.0 * i as f64 / 63.0])
        .collect();
    let targets = inputs.iter().map(|x| vec![x[0] * x[0]]).collect();
    (inputs, targets)
}

/// A 1-32-1 ReLU network trained on a parabola with SGD (batch 8, 30 epochs) at
/// `learning_rate`.
pub fn train_relu_network(learning_rate: f64) -> Network {
    let mut rng = StdRng::seed_from_u64(5);
    let mut network = Network::random(
        &[1, 32, 1],
        Activation::Relu,
        Activation::Identity,
        &mut rng,
    );
    for b in &mut network.layers[0].bias {
        *b = 0.1;
    }
    let (inputs, targets) = parabola();
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    for _ in 0..30 {
        order.shuffle(&mut rng);
        for batch in order.chunks(8) {
            let xs: Vec<Vec<f64>> = batch.iter().map(|&i| inputs[i].clone()).collect();
            let ts: Vec<Vec<f64>> = batch.iter().map(|&i| targets[i].clone()).collect();
            let (_, grads) = batch_gradients(&network, &xs, &ts, Loss::Mse);
            descend(&mut network, &grads, learning_rate);
        }
    }
    network
}

/// The fraction of hidden units of [`train_relu_network`] that output 0 for every training
/// row: "dead", no gradient flows through them any more, so they never recover.
pub fn dead_relu_fraction(learning_rate: f64) -> f64 {
    let network = train_relu_network(learning_rate);
    let (inputs, _) = parabola();
    let hidden = &network.layers[0];
    let dead = (0..hidden.nodes())
        .filter(|&j| {
            inputs.iter().all(|x| {
                let z = hidden.node_inputs(x)[j];
                z <= 0.0
            })
        })
        .count();
    dead as f64 / hidden.nodes() as f64
}

/// Topic 10's section.
pub fn section() -> Section {
    let mut s = Section::default();
    s.line(
        "Vanishing gradients: 10 hidden layers of 8 nodes; the norm of each layer's weight slopes.",
    );
    s.line("Each layer back multiplies by the activation's slope (at most 0.25 for sigmoid, 1 for tanh):");
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let norms = gradient_norms(activation);
        let first = norms[0];
        let last = norms[norms.len() - 1];
        s.linef(format_args!(
            "  {:<8} first layer {:<12} last layer {:<12} ratio {:.1e}",
            activation.name(),
            format!("{first:.2e}"),
            format!("{last:.2e}"),
            first / last
        ));
    }
    s.line("  The first layers of the sigmoid network barely learn: their slopes are tiny.");
    s.line("Dying ReLU: a 1-32-1 ReLU network on y = x^2, SGD for 30 epochs; hidden units that never fire:");
    for lr in [0.01, 0.5] {
        s.linef(format_args!(
            "  learning rate {:<5} dead units: {}%",
            fmt_num(lr),
            fmt_num((dead_relu_fraction(lr) * 100.0).round())
        ));
    }
    s.line(
        "  A too-large step pushes units' inputs below zero for every row; their slope is then 0",
    );
    s.line("  and gradient descent can never bring them back.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_gradients_vanish_and_relu_ones_do_not() {
        let ratio = |a| {
            let n = gradient_norms(a);
            n[0] / n[n.len() - 1]
        };
        let (sigmoid, tanh, relu) = (
            ratio(Activation::Sigmoid),
            ratio(Activation::Tanh),
            ratio(Activation::Relu),
        );
        assert!(sigmoid < 1e-3, "sigmoid ratio {sigmoid}");
        assert!(sigmoid < tanh && sigmoid < relu, "{sigmoid} {tanh} {relu}");
    }

    #[test]
    fn a_large_learning_rate_kills_relu_units() {
        let small = dead_relu_fraction(0.01);
        let large = dead_relu_fraction(0.5);
        assert!(large >= 0.25, "only {large} dead at lr 0.5");
        assert!(large > small + 0.2, "{small} vs {large}");
        let trained = train_relu_network(0.5);
        let params = trained
            .layers
            .iter()
            .flat_map(|l| l.weights.iter().flatten().chain(&l.bias));
        assert!(
            params.into_iter().all(|w| w.is_finite()),
            "diverged rather than died"
        );
    }
}
