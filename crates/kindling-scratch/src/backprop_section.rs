//! Topic 7: a worked backpropagation, and the check against Burn's autodiff.

use crate::activation::Activation;
use crate::autodiff_check::{max_relative_difference, random_case};
use crate::backprop::gradients;
use crate::loss::Loss;
use crate::network::{Layer, Network};
use crate::section::{Section, fmt_num, fmt_vec};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The worked example: input [1, 3], hidden node_0 [1, 2] and node_1 [-1, 1] with ReLU, a
/// linear output [2, -1], target 4, squared error.
pub fn worked_network() -> Network {
    Network::new(vec![
        Layer::from_nodes(&[&[1.0, 2.0], &[-1.0, 1.0]], Activation::Relu),
        Layer::from_nodes(&[&[2.0, -1.0]], Activation::Identity),
    ])
}

/// Topic 7's section.
pub fn section() -> Section {
    let mut s = Section::default();
    let network = worked_network();
    let (input, target) = ([1.0, 3.0], [4.0]);
    let trace = network.trace(&input);
    let (loss, grads) = gradients(&network, &input, &target, Loss::Mse);
    s.line("slope of a weight = value of the node it comes from");
    s.line("                  x slope of the loss w.r.t. the node it feeds");
    s.line("                  x slope of that node's activation");
    s.line("Input [1, 3]; hidden node_0 [1, 2], node_1 [-1, 1] (ReLU); output [2, -1]; target 4; loss (prediction - target)^2.");
    s.linef(format_args!(
        "  forward: hidden inputs {} -> outputs {}; prediction {}; loss {}",
        fmt_vec(&trace.node_inputs[0]),
        fmt_vec(&trace.values[1]),
        fmt_num(trace.output()[0]),
        fmt_num(loss)
    ));
    let output_slope = 2.0 * (trace.output()[0] - target[0]);
    s.linef(format_args!(
        "  slope of the loss w.r.t. the output: 2 x ({} - 4) = {}",
        fmt_num(trace.output()[0]),
        fmt_num(output_slope)
    ));
    s.linef(format_args!(
        "  output weights: hidden values {} x {} x 1 (identity) = {}",
        fmt_vec(&trace.values[1]),
        fmt_num(output_slope),
        fmt_vec(&[grads.weights[1][0][0], grads.weights[1][1][0]])
    ));
    let hidden_slopes: Vec<f64> = (0..2)
        .map(|i| network.layers[1].weights[i][0] * output_slope)
        .collect();
    s.linef(format_args!(
        "  hidden node slopes (weight to the output x {}): {}",
        fmt_num(output_slope),
        fmt_vec(&hidden_slopes)
    ));
    for (j, name) in ["node_0", "node_1"].iter().enumerate() {
        s.linef(format_args!(
            "  {name} weights: inputs [1, 3] x {} x relu'({}) = {}",
            fmt_num(hidden_slopes[j]),
            fmt_num(trace.node_inputs[0][j]),
            fmt_vec(&[grads.weights[0][0][j], grads.weights[0][1][j]])
        ));
    }
    let mut rng = StdRng::seed_from_u64(2024);
    let cases = 100;
    let worst = (0..cases)
        .map(|_| {
            let (network, input, target, loss) = random_case(&mut rng);
            max_relative_difference(&network, &input, &target, loss)
        })
        .fold(0.0, f64::max);
    s.linef(format_args!(
        "Checked against Burn's autodiff on {cases} random networks (1-5 layers, identity/relu/tanh/sigmoid/softmax, MSE and cross-entropy): largest relative difference {worst:.1e}"
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_numbers() {
        let network = worked_network();
        let (loss, grads) = gradients(&network, &[1.0, 3.0], &[4.0], Loss::Mse);
        // hidden inputs [7, 2], outputs [7, 2]; prediction 12; error 8; loss 64
        assert_eq!(loss, 64.0);
        assert_eq!(grads.weights[1], vec![vec![112.0], vec![32.0]]);
        // hidden slopes: 2 x 16 = 32 and -1 x 16 = -16
        assert_eq!(grads.weights[0], vec![vec![32.0, -16.0], vec![96.0, -48.0]]);
        let text = section().text;
        assert!(text.contains("prediction 12; loss 64"), "{text}");
        assert!(text.contains("= [112, 32]"), "{text}");
        assert!(
            text.contains("node_0 weights: inputs [1, 3] x 32 x relu'(7) = [32, 96]"),
            "{text}"
        );
    }
}
