//! A dense network in plain `f64`: weights you can name, print and check by hand.

use crate::activation::Activation;
use rand::Rng;

/// One layer of nodes. Node `j` computes `activation(Σ_i weights[i][j] · input_i + bias[j])`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// `weights[i][j]` connects input `i` to node `j`.
    pub weights: Vec<Vec<f64>>,
    /// One bias per node (zero in the course's first examples).
    pub bias: Vec<f64>,
    /// The activation of every node in the layer.
    pub activation: Activation,
}

impl Layer {
    /// A layer from each node's weights, the course's way (`'node_0': [2, 4]`), without bias.
    pub fn from_nodes(nodes: &[&[f64]], activation: Activation) -> Self {
        let inputs = nodes.first().map_or(0, |n| n.len());
        let weights = (0..inputs)
            .map(|i| nodes.iter().map(|node| node[i]).collect())
            .collect();
        Self {
            weights,
            bias: vec![0.0; nodes.len()],
            activation,
        }
    }

    /// A layer with Glorot-uniform random weights and zero biases.
    pub fn random(inputs: usize, nodes: usize, activation: Activation, rng: &mut impl Rng) -> Self {
        let limit = (6.0 / (inputs + nodes) as f64).sqrt();
        Self {
            weights: (0..inputs)
                .map(|_| {
                    (0..nodes)
                        .map(|_| rng.random_range(-limit..limit))
                        .collect()
                })
                .collect(),
            bias: vec![0.0; nodes],
            activation,
        }
    }

    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.weights.len()
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.bias.len()
    }

    /// Each node's input: the weighted sum of the layer's inputs plus its bias.
    pub fn node_inputs(&self, input: &[f64]) -> Vec<f64> {
        let mut sums = self.bias.clone();
        for (x, row) in input.iter().zip(&self.weights) {
            for (sum, w) in sums.iter_mut().zip(row) {
                *sum += x * w;
            }
        }
        sums
    }
}

/// What every node received and produced during one forward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// `values[0]` is the input; `values[l + 1]` the outputs of layer `l`.
    pub values: Vec<Vec<f64>>,
    /// `node_inputs[l]` are the weighted sums of layer `l`, before its activation.
    pub node_inputs: Vec<Vec<f64>>,
}

impl Trace {
    /// The network's output.
    pub fn output(&self) -> &[f64] {
        self.values.last().map_or(&[], |v| v.as_slice())
    }
}

/// Layers applied in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// The layers, first hidden layer first, output layer last.
    pub layers: Vec<Layer>,
}

impl Network {
    /// A network of the given layers.
    pub fn new(layers: Vec<Layer>) -> Self {
        Self { layers }
    }

    /// A random network: `widths[0]` inputs, then one layer per further width; `hidden` on the
    /// hidden layers and `output` on the last.
    pub fn random(
        widths: &[usize],
        hidden: Activation,
        output: Activation,
        rng: &mut impl Rng,
    ) -> Self {
        let last = widths.len() - 2;
        let layers = widths
            .windows(2)
            .enumerate()
            .map(|(l, w)| Layer::random(w[0], w[1], if l == last { output } else { hidden }, rng))
            .collect();
        Self { layers }
    }

    /// Forward propagation, keeping every node's input and output.
    pub fn trace(&self, input: &[f64]) -> Trace {
        let mut values = vec![input.to_vec()];
        let mut node_inputs = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let sums = layer.node_inputs(values.last().map_or(&[][..], |v| v));
            values.push(layer.activation.apply(&sums));
            node_inputs.push(sums);
        }
        Trace {
            values,
            node_inputs,
        }
    }

    /// Forward propagation: the outputs for one input row.
    pub fn predict(&self, input: &[f64]) -> Vec<f64> {
        self.trace(input).values.pop().unwrap_or_default()
    }

    /// Number of weights and biases.
    pub fn num_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.inputs() * l.nodes() + l.nodes())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_weights_become_columns() {
        let layer = Layer::from_nodes(&[&[1.0, 1.0], &[-1.0, 1.0]], Activation::Identity);
        assert_eq!(layer.weights, vec![vec![1.0, -1.0], vec![1.0, 1.0]]);
        assert_eq!(layer.node_inputs(&[2.0, 3.0]), vec![5.0, 1.0]);
    }
}
