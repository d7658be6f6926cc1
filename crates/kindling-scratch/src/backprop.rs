//! Backpropagation by hand.
//!
//! The slope of the loss with respect to a weight is the product of three numbers:
//!
//! 1. the value of the node the weight comes **from**,
//! 2. the slope of the loss with respect to the node the weight feeds **into**,
//! 3. the slope of that node's activation at its input.
//!
//! Going from the output back, a hidden node's slope is the sum, over the weights leaving it,
//! of weight × (2 × 3) of the node that weight feeds. [`gradients`] does exactly this for a
//! network of any depth; the tests check it against Burn's automatic differentiation.

use crate::loss::Loss;
use crate::network::Network;

/// The slope of the loss with respect to every weight and bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `weights[l][i][j]`: slope for the weight from input `i` to node `j` of layer `l`.
    pub weights: Vec<Vec<Vec<f64>>>,
    /// `bias[l][j]`: slope for the bias of node `j` of layer `l`.
    pub bias: Vec<Vec<f64>>,
}

impl Gradients {
    /// All-zero gradients shaped like `network`.
    pub fn zeros(network: &Network) -> Self {
        Self {
            weights: network
                .layers
                .iter()
                .map(|l| vec![vec![0.0; l.nodes()]; l.inputs()])
                .collect(),
            bias: network
                .layers
                .iter()
                .map(|l| vec![0.0; l.nodes()])
                .collect(),
        }
    }

    /// Adds `other × scale` to these gradients.
    pub fn add_scaled(&mut self, other: &Gradients, scale: f64) {
        for (a, b) in self.weights.iter_mut().zip(&other.weights) {
            for (row_a, row_b) in a.iter_mut().zip(b) {
                for (x, y) in row_a.iter_mut().zip(row_b) {
                    *x += y * scale;
                }
            }
        }
        for (a, b) in self.bias.iter_mut().zip(&other.bias) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y * scale;
            }
        }
    }

    /// The Euclidean norm of layer `l`'s weight slopes.
    pub fn layer_norm(&self, l: usize) -> f64 {
        self.weights[l]
            .iter()
            .flatten()
            .map(|g| g * g)
            .sum::<f64>()
            .sqrt()
    }
}

/// The loss of one example and the slope of that loss with respect to every parameter.
pub fn gradients(network: &Network, input: &[f64], target: &[f64], loss: Loss) -> (f64, Gradients) {
    let trace = network.trace(input);
    let value = loss.value(trace.output(), target);
    let mut grads = Gradients::zeros(network);
    // Slope of the loss with respect to the outputs of the layer being processed.
    let mut node_slopes = loss.slope(trace.output(), target);
    for (l, layer) in network.layers.iter().enumerate().rev() {
        // Slope with respect to each node's input: through the activation.
        let deltas =
            layer
                .activation
                .backward(&trace.node_inputs[l], &trace.values[l + 1], &node_slopes);
        let from_values = &trace.values[l];
        for (i, value_i) in from_values.iter().enumerate() {
            for (j, delta_j) in deltas.iter().enumerate() {
                grads.weights[l][i][j] = value_i * delta_j;
            }
        }
        grads.bias[l].clone_from(&deltas);
        // A node's slope: summed over the weights leaving it.
        node_slopes = layer
            .weights
            .iter()
            .map(|row| row.iter().zip(&deltas).map(|(w, d)| w * d).sum())
            .collect();
    }
    (value, grads)
}

/// Mean loss and mean gradients over a batch of examples.
pub fn batch_gradients(
    network: &Network,
    inputs: &[Vec<f64>],
    targets: &[Vec<f64>],
    loss: Loss,
) -> (f64, Gradients) {
    let mut total = Gradients::zeros(network);
    let mut loss_sum = 0.0;
    let scale = 1.0 / inputs.len().max(1) as f64;
    for (x, t) in inputs.iter().zip(targets) {
        let (value, grads) = gradients(network, x, t, loss);
        loss_sum += value;
        total.add_scaled(&grads, scale);
    }
    (loss_sum * scale, total)
}

/// Mean loss of the network over a batch.
pub fn mean_loss(network: &Network, inputs: &[Vec<f64>], targets: &[Vec<f64>], loss: Loss) -> f64 {
    let sum: f64 = inputs
        .iter()
        .zip(targets)
        .map(|(x, t)| loss.value(&network.predict(x), t))
        .sum();
    sum / inputs.len().max(1) as f64
}

/// One gradient-descent step: every parameter moves against its slope by `learning_rate`.
pub fn descend(network: &mut Network, grads: &Gradients, learning_rate: f64) {
    for (layer, (gw, gb)) in network
        .layers
        .iter_mut()
        .zip(grads.weights.iter().zip(&grads.bias))
    {
        for (row, grow) in layer.weights.iter_mut().zip(gw) {
            for (w, g) in row.iter_mut().zip(grow) {
                *w -= learning_rate * g;
            }
        }
        for (b, g) in layer.bias.iter_mut().zip(gb) {
            *b -= learning_rate * g;
        }
    }
}
