//! The same gradients from Burn's automatic differentiation, in `f64`, to check the hand-written
//! backpropagation of [`crate::backprop`].

use crate::activation::Activation;
use crate::backprop::gradients;
use crate::loss::Loss;
use crate::network::Network;
use burn::prelude::*;
use burn::tensor::DType;
use burn::tensor::activation as act;
use rand::Rng;

/// An `f64` tensor on `device`.
fn tensor2(values: Vec<f64>, shape: [usize; 2], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, shape), (device, DType::F64))
}

fn apply(activation: Activation, x: Tensor<2>) -> Tensor<2> {
    match activation {
        Activation::Identity => x,
        Activation::Relu => act::relu(x),
        Activation::Tanh => act::tanh(x),
        Activation::Sigmoid => act::sigmoid(x),
        Activation::Softmax => act::softmax(x, 1),
        Activation::Signum => x.sign(),
    }
}

/// Burn's gradients for one example: per layer, the weight slopes (row-major `[inputs,
/// nodes]`) and the bias slopes.
pub fn burn_gradients(
    network: &Network,
    input: &[f64],
    target: &[f64],
    loss: Loss,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let device = Device::flex().autodiff();
    let mut params = Vec::new();
    let mut x = tensor2(input.to_vec(), [1, input.len()], &device);
    for layer in &network.layers {
        let w = tensor2(
            layer.weights.iter().flatten().copied().collect(),
            [layer.inputs(), layer.nodes()],
            &device,
        )
        .require_grad();
        let b = tensor2(layer.bias.clone(), [1, layer.nodes()], &device).require_grad();
        x = apply(layer.activation, x.matmul(w.clone()) + b.clone());
        params.push((w, b));
    }
    let t = tensor2(target.to_vec(), [1, target.len()], &device);
    let value = match loss {
        Loss::Mse => (x - t).powi_scalar(2).mean(),
        Loss::CrossEntropy => (t * x.log()).sum().neg(),
    };
    let grads = value.backward();
    params
        .iter()
        .map(|(w, b)| {
            let read = |p: &Tensor<2>| -> Vec<f64> {
                p.grad(&grads)
                    .map(|g| g.into_data().iter::<f64>().collect())
                    .unwrap_or_default()
            };
            (read(w), read(b))
        })
        .collect()
}

/// The largest relative difference between the hand-written and Burn's gradients, over every
/// weight and bias: `|hand − burn| / max(|hand|, |burn|)`, with differences below 1e-300 in
/// absolute value counted as zero.
pub fn max_relative_difference(
    network: &Network,
    input: &[f64],
    target: &[f64],
    loss: Loss,
) -> f64 {
    let (_, hand) = gradients(network, input, target, loss);
    let burn = burn_gradients(network, input, target, loss);
    let mut worst: f64 = 0.0;
    for (l, (bw, bb)) in burn.iter().enumerate() {
        let hw = hand.weights[l].iter().flatten();
        for (h, b) in hw.chain(hand.bias[l].iter()).zip(bw.iter().chain(bb)) {
            let diff = (h - b).abs();
            if diff > 1e-300 {
                worst = worst.max(diff / h.abs().max(b.abs()));
            }
        }
    }
    worst
}

/// A random network, input and target: 1–5 layers of 1–8 nodes; hidden activation identity,
/// ReLU, tanh or sigmoid; output identity, tanh or sigmoid with MSE, or softmax with
/// cross-entropy.
pub fn random_case(rng: &mut impl Rng) -> (Network, Vec<f64>, Vec<f64>, Loss) {
    let depth = rng.random_range(1..=5);
    let widths: Vec<usize> = (0..=depth).map(|_| rng.random_range(1..=8)).collect();
    let hidden = [
        Activation::Identity,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
    ][rng.random_range(0..4)];
    let (output, loss) = [
        (Activation::Identity, Loss::Mse),
        (Activation::Tanh, Loss::Mse),
        (Activation::Sigmoid, Loss::Mse),
        (Activation::Softmax, Loss::CrossEntropy),
    ][rng.random_range(0..4)];
    let mut network = Network::random(&widths, hidden, output, rng);
    for layer in &mut network.layers {
        for b in &mut layer.bias {
            *b = rng.random_range(-0.5..0.5);
        }
    }
    let input: Vec<f64> = (0..widths[0])
        .map(|_| rng.random_range(-2.0..2.0))
        .collect();
    let outputs = widths[depth];
    let target = match loss {
        Loss::Mse => (0..outputs).map(|_| rng.random_range(-1.0..1.0)).collect(),
        Loss::CrossEntropy => {
            let hot = rng.random_range(0..outputs);
            (0..outputs)
                .map(|k| if k == hot { 1.0 } else { 0.0 })
                .collect()
        }
    };
    (network, input, target, loss)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn hand_gradients_equal_autodiff_on_random_networks() {
        let mut rng = StdRng::seed_from_u64(2024);
        let mut depths = std::collections::BTreeSet::new();
        for case in 0..150 {
            let (network, input, target, loss) = random_case(&mut rng);
            depths.insert(network.layers.len());
            let worst = max_relative_difference(&network, &input, &target, loss);
            assert!(
                worst <= 1e-10,
                "case {case}: relative difference {worst:e} for {network:?}"
            );
        }
        assert_eq!(depths.len(), 5, "depths 1 to 5 all covered");
    }
}
