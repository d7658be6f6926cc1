//! Chapter 1: forward propagation with named weights (topics 1–4).

use crate::activation::Activation;
use crate::network::{Layer, Network};
use crate::section::{Section, fmt_num, fmt_vec};

/// A hidden layer of two nodes and one output node, from the course's named weights.
pub fn two_node_net(
    node_0: [f64; 2],
    node_1: [f64; 2],
    output: [f64; 2],
    hidden: Activation,
    out: Activation,
) -> Network {
    Network::new(vec![
        Layer::from_nodes(&[&node_0, &node_1], hidden),
        Layer::from_nodes(&[&output], out),
    ])
}

/// Prints every node's input and output of one forward pass; returns the output.
fn narrate(section: &mut Section, network: &Network, input: &[f64], names: &[&[&str]]) -> f64 {
    let trace = network.trace(input);
    section.linef(format_args!("  input: {}", fmt_vec(input)));
    for (l, layer) in network.layers.iter().enumerate() {
        for (j, name) in names[l].iter().enumerate() {
            section.linef(format_args!(
                "  {name:<9} input {:>6}  -> {} -> output {}",
                fmt_num(trace.node_inputs[l][j]),
                layer.activation,
                fmt_num(trace.values[l + 1][j])
            ));
        }
    }
    trace.output()[0]
}

/// Topic 1: the output of the course's first network for input `[2, 3]` (9).
pub fn first_network() -> Network {
    two_node_net(
        [1.0, 1.0],
        [-1.0, 1.0],
        [2.0, -1.0],
        Activation::Identity,
        Activation::Identity,
    )
}

/// Topic 1's section.
pub fn forward_section() -> Section {
    let mut s = Section::default();
    s.line("Each node multiplies its inputs by its weights and adds them up.");
    s.line("weights: node_0 [1, 1], node_1 [-1, 1], output [2, -1]");
    let out = narrate(
        &mut s,
        &first_network(),
        &[2.0, 3.0],
        &[&["node_0", "node_1"], &["output"]],
    );
    s.linef(format_args!("  prediction: {}", fmt_num(out)));
    s
}

/// Topic 2: the activation example (input `[-1, 2]`), with `hidden` on the hidden layer.
pub fn activation_network(hidden: Activation) -> Network {
    two_node_net(
        [3.0, 3.0],
        [1.0, 5.0],
        [2.0, -1.0],
        hidden,
        Activation::Identity,
    )
}

/// Topic 2's section: each activation with its slope, then the example with tanh and ReLU.
pub fn activations_section() -> Section {
    let mut s = Section::default();
    s.line("An activation function turns a node's input into its output; its slope is what");
    s.line("gradient descent uses. Values and slopes at x = -1, 0.5 and 2:");
    for a in Activation::ALL {
        if a == Activation::Softmax {
            continue;
        }
        let values: Vec<f64> = [-1.0, 0.5, 2.0].iter().map(|&x| a.value(x)).collect();
        let slopes: Vec<f64> = [-1.0, 0.5, 2.0].iter().map(|&x| a.slope(x)).collect();
        s.linef(format_args!(
            "  {:<9} f(x) = {:<36} f'(x) = {}",
            a.name(),
            fmt_vec(&values),
            fmt_vec(&slopes)
        ));
    }
    let soft = crate::activation::softmax(&[-1.0, 0.5, 2.0]);
    s.linef(format_args!(
        "  softmax   over the layer [-1, 0.5, 2] = {} (sums to 1; its slope is a matrix)",
        fmt_vec(&soft)
    ));
    s.line("weights: node_0 [3, 3], node_1 [1, 5], output [2, -1]; the output node is linear");
    for hidden in [Activation::Tanh, Activation::Relu] {
        s.linef(format_args!("with {hidden} on the hidden layer:"));
        let out = narrate(
            &mut s,
            &activation_network(hidden),
            &[-1.0, 2.0],
            &[&["node_0", "node_1"], &["output"]],
        );
        s.linef(format_args!("  prediction: {}", fmt_num(out)));
    }
    s
}

/// Topic 3: the ReLU network the course applies to several rows.
pub fn relu_network() -> Network {
    two_node_net(
        [2.0, 4.0],
        [4.0, -5.0],
        [2.0, 7.0],
        Activation::Relu,
        Activation::Relu,
    )
}

/// Topic 3's rows.
pub const MANY_ROWS: [[f64; 2]; 4] = [[3.0, 5.0], [1.0, -1.0], [0.0, 0.0], [8.0, 4.0]];

/// Topic 3's section.
pub fn many_rows_section() -> Section {
    let mut s = Section::default();
    s.line("The same network predicts every row; ReLU on the hidden and output nodes.");
    s.line("weights: node_0 [2, 4], node_1 [4, -5], output [2, 7]");
    let net = relu_network();
    let results: Vec<f64> = MANY_ROWS.iter().map(|row| net.predict(row)[0]).collect();
    for (row, r) in MANY_ROWS.iter().zip(&results) {
        s.linef(format_args!("  row {:<8} -> {}", fmt_vec(row), fmt_num(*r)));
    }
    s.linef(format_args!("  predictions: {}", fmt_vec(&results)));
    s
}

/// Topic 4: two hidden layers, ReLU everywhere.
pub fn deep_network() -> Network {
    Network::new(vec![
        Layer::from_nodes(&[&[2.0, 4.0], &[4.0, -5.0]], Activation::Relu),
        Layer::from_nodes(&[&[-1.0, 2.0], &[1.0, 2.0]], Activation::Relu),
        Layer::from_nodes(&[&[2.0, 7.0]], Activation::Relu),
    ])
}

/// Topic 4's section.
pub fn two_hidden_layers_section() -> Section {
    let mut s = Section::default();
    s.line("A deeper network: the first hidden layer's outputs are the second one's inputs.");
    s.line("weights: node_0_0 [2, 4], node_0_1 [4, -5], node_1_0 [-1, 2], node_1_1 [1, 2], output [2, 7]");
    let out = narrate(
        &mut s,
        &deep_network(),
        &[3.0, 5.0],
        &[
            &["node_0_0", "node_0_1"],
            &["node_1_0", "node_1_1"],
            &["output"],
        ],
    );
    s.linef(format_args!("  prediction: {}", fmt_num(out)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_answers() {
        let trace = first_network().trace(&[2.0, 3.0]);
        assert_eq!(trace.values[1], vec![5.0, 1.0]);
        assert_eq!(trace.output(), &[9.0]);

        let tanh = activation_network(Activation::Tanh).predict(&[-1.0, 2.0])[0];
        assert!((tanh - 0.990_109_537_833_419_9).abs() < 1e-12, "{tanh}");
        assert_eq!(
            activation_network(Activation::Relu).predict(&[-1.0, 2.0]),
            vec![-3.0]
        );

        let net = relu_network();
        let results: Vec<f64> = MANY_ROWS.iter().map(|r| net.predict(r)[0]).collect();
        assert_eq!(results, vec![52.0, 63.0, 0.0, 148.0]);

        let trace = deep_network().trace(&[3.0, 5.0]);
        assert_eq!(trace.values[1], vec![26.0, 0.0]);
        assert_eq!(trace.values[2], vec![0.0, 26.0]);
        assert_eq!(trace.output(), &[182.0]);
    }

    #[test]
    fn the_printed_text_carries_the_answers() {
        assert!(forward_section().text.contains("prediction: 9\n"));
        let act = activations_section().text;
        assert!(act.contains("prediction: 0.99010954\n"), "{act}");
        assert!(act.contains("prediction: -3\n"), "{act}");
        assert!(
            many_rows_section()
                .text
                .contains("predictions: [52, 63, 0, 148]")
        );
        assert!(
            two_hidden_layers_section()
                .text
                .contains("prediction: 182\n")
        );
    }
}
