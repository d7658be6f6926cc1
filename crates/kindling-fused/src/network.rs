//! A dense stack as plain buffers: forward pass, loss and backpropagation written out, with
//! the same arithmetic as [`DenseStack`] and its train steps (checked against Burn's autodiff in
//! the tests).

use crate::kernels::{MatRef, matmul};
use crate::sparse::{ROW_ALIGN, SparseRows};
use burn::module::Param;
use burn::prelude::*;
use kindling_models::{Activation, DenseStack, DenseStackConfig};
use pulp::Simd;
use rand::Rng;
use rand_chacha::ChaCha12Rng;

/// One dense layer: `weight` is `inputs × outputs`, row-major as Burn's `Linear` stores it,
/// with each row padded with zeros to `stride` floats (see [`ROW_ALIGN`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layer {
    pub(crate) weight: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    pub(crate) inputs: usize,
    pub(crate) outputs: usize,
    pub(crate) stride: usize,
}

impl Layer {
    /// A layer of zeros.
    fn zeros(inputs: usize, outputs: usize) -> Self {
        let stride = outputs.next_multiple_of(ROW_ALIGN);
        Self {
            weight: vec![0.0; inputs * stride],
            bias: vec![0.0; outputs],
            inputs,
            outputs,
            stride,
        }
    }

    /// The layer with the unpadded `inputs × outputs` weight `weight`.
    fn from_weight(weight: &[f32], bias: Vec<f32>, inputs: usize, outputs: usize) -> Self {
        let mut layer = Self::zeros(inputs, outputs);
        for (padded, row) in layer
            .weight
            .chunks_exact_mut(layer.stride)
            .zip(weight.chunks_exact(outputs.max(1)))
        {
            padded[..outputs].copy_from_slice(row);
        }
        layer.bias = bias;
        layer
    }

    /// The weight without its padding, `inputs × outputs`.
    pub(crate) fn unpadded_weight(&self) -> Vec<f32> {
        self.weight
            .chunks_exact(self.stride.max(1))
            .flat_map(|row| &row[..self.outputs])
            .copied()
            .collect()
    }

    /// The weight as a matrix.
    fn weight_matrix(&self) -> MatRef<'_> {
        MatRef::strided(&self.weight, self.inputs, self.outputs, self.stride)
    }
}

/// What the network is trained to output.
#[derive(Debug, Clone)]
pub(crate) enum Targets<'a> {
    /// Class indices (softmax head, categorical cross-entropy).
    Classes(&'a [u32]),
    /// Values, `outputs` per example (linear head, mean squared error).
    Values(&'a [f32]),
}

/// Where a batch's inputs come from: the data set's rows by index, dense or sparse.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Inputs<'a> {
    /// Row-major features, `width` per row.
    Dense(&'a [f32]),
    /// The same rows by their nonzero entries.
    Sparse(&'a SparseRows),
}

/// The network's parameters and its fixed architecture.
#[derive(Debug, Clone)]
pub struct Network {
    pub(crate) layers: Vec<Layer>,
    activations: Vec<Activation>,
    dropout: f32,
    l2: f32,
    l1: f32,
}

/// Per-step scratch buffers, reused across batches so that a step allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// The batch's inputs gathered row by row (dense inputs only).
    inputs: Vec<f32>,
    /// Each layer's output after activation and dropout (the last one: logits or values).
    outputs: Vec<Vec<f32>>,
    /// Each hidden layer's dropout multipliers (0 or 1/(1-rate)), empty without dropout.
    masks: Vec<Vec<f32>>,
    /// The loss gradient with respect to the current layer's pre-activation.
    delta: Vec<f32>,
    /// The same for the layer below.
    delta_below: Vec<f32>,
    /// Gradients of the weights and biases, layer by layer.
    pub(crate) grads: Vec<Layer>,
}

/// The loss and number of correct predictions of a batch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BatchScore {
    /// Mean loss over the batch, the L2 penalty included.
    pub(crate) loss: f64,
    /// Correctly classified examples (classifiers).
    pub(crate) correct: usize,
}

impl Workspace {
    /// The output of layer `layer` for the last batch run forward, row-major.
    pub(crate) fn layer_output(&self, layer: usize) -> &[f32] {
        &self.outputs[layer]
    }
}

impl Network {
    /// The weights of `model`, built from `config`.
    pub fn from_module(model: &DenseStack, config: &DenseStackConfig) -> Self {
        let layers = model
            .layers
            .iter()
            .map(|linear| {
                let [inputs, outputs] = linear.weight.dims();
                let weight: Vec<f32> = linear.weight.val().into_data().iter::<f32>().collect();
                let bias = match &linear.bias {
                    Some(b) => b.val().into_data().iter::<f32>().collect(),
                    None => vec![0.0; outputs],
                };
                Layer::from_weight(&weight, bias, inputs, outputs)
            })
            .collect();
        Self {
            layers,
            activations: config.activations.clone(),
            dropout: config.dropout as f32,
            l2: config.l2 as f32,
            l1: config.l1 as f32,
        }
    }

    /// Each layer's weight (`inputs × outputs`, row-major, as Burn's `Linear` stores it) and
    /// bias, first layer first.
    pub fn weights(&self) -> Vec<(Vec<f32>, Vec<f32>)> {
        self.layers
            .iter()
            .map(|layer| (layer.unpadded_weight(), layer.bias.clone()))
            .collect()
    }

    /// These weights in `model` (same architecture), on `device`.
    pub fn load_into(&self, mut model: DenseStack, device: &Device) -> DenseStack {
        for (linear, layer) in model.layers.iter_mut().zip(&self.layers) {
            let weight = Tensor::<2>::from_data(
                TensorData::new(layer.unpadded_weight(), [layer.inputs, layer.outputs]),
                device,
            );
            linear.weight = Param::from_tensor(weight);
            let bias = Tensor::<1>::from_data(
                TensorData::new(layer.bias.clone(), [layer.outputs]),
                device,
            );
            linear.bias = Some(Param::from_tensor(bias));
        }
        model
    }

    /// Number of outputs.
    pub(crate) fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    /// A workspace sized for this network.
    pub(crate) fn workspace(&self) -> Workspace {
        Workspace {
            grads: self
                .layers
                .iter()
                .map(|l| Layer::zeros(l.inputs, l.outputs))
                .collect(),
            outputs: vec![Vec::new(); self.layers.len()],
            masks: vec![Vec::new(); self.layers.len()],
            ..Workspace::default()
        }
    }

    /// Runs `rows` forward; with `dropout` (training), hidden outputs are dropped at random.
    /// Leaves every layer's output in `ws`.
    #[inline(always)]
    fn forward<S: Simd>(
        &self,
        simd: S,
        inputs: Inputs,
        rows: &[usize],
        ws: &mut Workspace,
        dropout: Option<&mut ChaCha12Rng>,
    ) {
        let n = rows.len();
        let first = &self.layers[0];
        if let Inputs::Dense(features) = inputs {
            ws.inputs.clear();
            for &r in rows {
                ws.inputs
                    .extend_from_slice(&features[r * first.inputs..(r + 1) * first.inputs]);
            }
        }
        let last = self.layers.len() - 1;
        let mut rng = dropout.filter(|_| self.dropout > 0.0);
        for (i, layer) in self.layers.iter().enumerate() {
            let mut out = std::mem::take(&mut ws.outputs[i]);
            out.resize(n * layer.outputs, 0.0);
            match (i, inputs) {
                (0, Inputs::Sparse(sparse)) => sparse.times(
                    simd,
                    rows,
                    &layer.weight,
                    layer.stride,
                    &layer.bias,
                    &mut out,
                ),
                _ => {
                    let below = layer_input(&ws.inputs, &ws.outputs, i);
                    for row in out.chunks_exact_mut(layer.outputs) {
                        row.copy_from_slice(&layer.bias);
                    }
                    matmul(
                        &mut out,
                        layer.outputs,
                        MatRef::new(below, n, layer.inputs),
                        layer.weight_matrix(),
                        true,
                    );
                }
            }
            if i < last {
                let activation = self.activations[i];
                activate_all(activation, &mut out);
                let mask = &mut ws.masks[i];
                mask.clear();
                if let Some(rng) = rng.as_deref_mut() {
                    let keep = 1.0 - self.dropout;
                    mask.extend((0..out.len()).map(|_| {
                        if rng.random::<f32>() < self.dropout {
                            0.0
                        } else {
                            1.0 / keep
                        }
                    }));
                    out.iter_mut().zip(mask.iter()).for_each(|(v, m)| *v *= m);
                }
            }
            ws.outputs[i] = out;
        }
    }

    /// Loss and correct count of the last forward pass; with `with_gradient`, leaves the loss
    /// gradient with respect to the outputs in `ws.delta`.
    #[inline(always)]
    fn score(
        &self,
        targets: &Targets,
        rows: &[usize],
        ws: &mut Workspace,
        with_gradient: bool,
    ) -> BatchScore {
        let n = rows.len();
        let width = self.outputs();
        let out = &ws.outputs[self.layers.len() - 1];
        if with_gradient {
            ws.delta.resize(n * width, 0.0);
        }
        let mut loss = 0.0f64;
        let mut correct = 0;
        match targets {
            Targets::Classes(labels) => {
                for (k, (logits, &r)) in out.chunks_exact(width).zip(rows).enumerate() {
                    let label = labels[r] as usize;
                    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let sum: f32 = logits.iter().map(|&z| (z - max).exp()).sum();
                    let log_sum = sum.ln() + max;
                    loss += (log_sum - logits[label]) as f64;
                    let predicted = argmax(logits);
                    correct += usize::from(predicted == label);
                    if with_gradient {
                        let d = &mut ws.delta[k * width..(k + 1) * width];
                        for (j, (dj, &z)) in d.iter_mut().zip(logits).enumerate() {
                            let p = (z - log_sum).exp();
                            *dj = (p - f32::from(j == label)) / n as f32;
                        }
                    }
                }
                loss /= n as f64;
            }
            Targets::Values(values) => {
                let scale = 2.0 / (n * width) as f32;
                for (k, (pred, &r)) in out.chunks_exact(width).zip(rows).enumerate() {
                    let target = &values[r * width..(r + 1) * width];
                    for (j, (&p, &t)) in pred.iter().zip(target).enumerate() {
                        let e = p - t;
                        loss += (e * e) as f64;
                        if with_gradient {
                            ws.delta[k * width + j] = scale * e;
                        }
                    }
                }
                loss /= (n * width) as f64;
            }
        }
        if self.l2 > 0.0 {
            let squares: f64 = self
                .layers
                .iter()
                .flat_map(|l| &l.weight)
                .map(|&w| (w * w) as f64)
                .sum();
            loss += self.l2 as f64 * squares;
        }
        if self.l1 > 0.0 {
            let absolutes: f64 = self
                .layers
                .iter()
                .flat_map(|l| &l.weight)
                .map(|&w| w.abs() as f64)
                .sum();
            loss += self.l1 as f64 * absolutes;
        }
        BatchScore { loss, correct }
    }

    /// Scores `rows` without training (no dropout).
    #[inline(always)]
    pub(crate) fn evaluate<S: Simd>(
        &self,
        simd: S,
        inputs: Inputs,
        targets: &Targets,
        rows: &[usize],
        ws: &mut Workspace,
    ) -> BatchScore {
        self.forward(simd, inputs, rows, ws, None);
        self.score(targets, rows, ws, false)
    }

    /// Forward and backward over `rows`: the batch's score, with the gradient of its mean loss
    /// (L2 penalty included) left in `ws.grads`.
    #[inline(always)]
    pub(crate) fn gradient<S: Simd>(
        &self,
        simd: S,
        inputs: Inputs,
        targets: &Targets,
        rows: &[usize],
        ws: &mut Workspace,
        rng: &mut ChaCha12Rng,
    ) -> BatchScore {
        let n = rows.len();
        self.forward(simd, inputs, rows, ws, Some(rng));
        let score = self.score(targets, rows, ws, true);
        for i in (0..self.layers.len()).rev() {
            let layer = &self.layers[i];
            let grad = &mut ws.grads[i];
            // Bias: the column sums of delta.
            grad.bias.fill(0.0);
            for row in ws.delta.chunks_exact(layer.outputs) {
                grad.bias.iter_mut().zip(row).for_each(|(g, d)| *g += d);
            }
            // Weights: inputᵀ · delta, plus the L2 penalty's 2·l2·w.
            let delta = MatRef::new(&ws.delta, n, layer.outputs);
            match (i, inputs) {
                (0, Inputs::Sparse(sparse)) => {
                    grad.weight.fill(0.0);
                    sparse.transpose_times(
                        simd,
                        rows,
                        &ws.delta,
                        layer.outputs,
                        &mut grad.weight,
                        grad.stride,
                    );
                }
                _ => {
                    let below = layer_input(&ws.inputs, &ws.outputs, i);
                    matmul(
                        &mut grad.weight,
                        grad.stride,
                        MatRef::new(below, n, layer.inputs).t(),
                        delta,
                        false,
                    );
                }
            }
            if self.l2 > 0.0 {
                let factor = 2.0 * self.l2;
                grad.weight
                    .iter_mut()
                    .zip(&layer.weight)
                    .for_each(|(g, w)| *g += factor * w);
            }
            if self.l1 > 0.0 {
                // The slope of |w|: its sign, 0 at 0 (as Burn's `abs` backward; the padding
                // columns are 0 and stay 0).
                let l1 = self.l1;
                grad.weight
                    .iter_mut()
                    .zip(&layer.weight)
                    .for_each(|(g, &w)| {
                        *g += if w > 0.0 {
                            l1
                        } else if w < 0.0 {
                            -l1
                        } else {
                            0.0
                        }
                    });
            }
            if i == 0 {
                break;
            }
            // Delta of the layer below: (delta · wᵀ) ⊙ dropout mask ⊙ activation slope.
            ws.delta_below.resize(n * layer.inputs, 0.0);
            matmul(
                &mut ws.delta_below,
                layer.inputs,
                delta,
                layer.weight_matrix().t(),
                false,
            );
            let activation = self.activations[i - 1];
            let below = &ws.outputs[i - 1];
            let mask = &ws.masks[i - 1];
            if mask.is_empty() {
                multiply_by_slope(activation, &mut ws.delta_below, below);
            } else {
                // `below` holds activation × mask; the slope needs the activation itself.
                for ((d, &a), &m) in ws.delta_below.iter_mut().zip(below).zip(mask) {
                    *d *= if m == 0.0 {
                        0.0
                    } else {
                        m * slope(activation, a / m)
                    };
                }
            }
            std::mem::swap(&mut ws.delta, &mut ws.delta_below);
        }
        score
    }
}

/// What layer `layer` was fed in the last forward pass: the gathered dense `inputs` for the
/// first layer, the layer below's output for the others. (Fields, not the workspace, so that
/// the caller may hold another field mutably.)
#[inline(always)]
fn layer_input<'a>(inputs: &'a [f32], outputs: &'a [Vec<f32>], layer: usize) -> &'a [f32] {
    match layer.checked_sub(1) {
        Some(below) => &outputs[below],
        None => inputs,
    }
}

#[inline(always)]
fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// Applies the activation to every value. One loop per activation, with the activation a
/// constant in it: a branch per element would keep the compiler from vectorising the loop.
#[inline(always)]
fn activate_all(activation: Activation, values: &mut [f32]) {
    use Activation::*;
    match activation {
        Relu => values.iter_mut().for_each(|v| *v = activate(Relu, *v)),
        Tanh => values.iter_mut().for_each(|v| *v = activate(Tanh, *v)),
        Sigmoid => values.iter_mut().for_each(|v| *v = activate(Sigmoid, *v)),
        Identity => {}
    }
}

/// `delta[i] *= slope(outputs[i])`, one loop per activation as in [`activate_all`].
#[inline(always)]
fn multiply_by_slope(activation: Activation, delta: &mut [f32], outputs: &[f32]) {
    use Activation::*;
    let pairs = delta.iter_mut().zip(outputs);
    match activation {
        Relu => pairs.for_each(|(d, &a)| *d *= slope(Relu, a)),
        Tanh => pairs.for_each(|(d, &a)| *d *= slope(Tanh, a)),
        Sigmoid => pairs.for_each(|(d, &a)| *d *= slope(Sigmoid, a)),
        Identity => {}
    }
}

/// The activation of one value, as Burn computes it.
#[inline(always)]
fn activate(activation: Activation, x: f32) -> f32 {
    match activation {
        Activation::Relu => x.max(0.0),
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Activation::Identity => x,
    }
}

/// The activation's slope, from its output `a`.
#[inline(always)]
fn slope(activation: Activation, a: f32) -> f32 {
    match activation {
        Activation::Relu => f32::from(a > 0.0),
        Activation::Tanh => 1.0 - a * a,
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Identity => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_models::{ClassificationBatch, Head, RegressionBatch, RegressionMlp};
    use rand::SeedableRng;

    fn inputs(rows: usize, width: usize, sparse: bool) -> Vec<f32> {
        (0..rows * width)
            .map(|i| {
                if sparse && i % 3 != 0 {
                    0.0
                } else {
                    ((i as f32) * 0.71).sin()
                }
            })
            .collect()
    }

    fn grads_of(
        layers: &[burn::nn::Linear],
        grads: &burn::tensor::Gradients,
    ) -> Vec<(Vec<f32>, Vec<f32>)> {
        layers
            .iter()
            .map(|l| {
                let w = l.weight.grad(grads).expect("weight gradient");
                let b = l
                    .bias
                    .as_ref()
                    .and_then(|b| b.grad(grads))
                    .expect("bias gradient");
                (
                    w.into_data().iter::<f32>().collect(),
                    b.into_data().iter::<f32>().collect(),
                )
            })
            .collect()
    }

    fn assert_close(ours: &[Layer], theirs: &[(Vec<f32>, Vec<f32>)]) {
        for (i, (layer, (w, b))) in ours.iter().zip(theirs).enumerate() {
            let weight = layer.unpadded_weight();
            for (name, a, e) in [("weight", &weight, w), ("bias", &layer.bias, b)] {
                for (x, y) in a.iter().zip(e.iter()) {
                    let tolerance = 1e-5 * (1.0 + y.abs());
                    assert!(
                        (x - y).abs() <= tolerance,
                        "layer {i} {name}: {x} vs autodiff {y}"
                    );
                }
            }
        }
    }

    fn config(output: usize, head: Head) -> DenseStackConfig {
        DenseStackConfig::new(
            6,
            vec![5, 4, 3],
            vec![Activation::Relu, Activation::Tanh, Activation::Sigmoid],
            output,
        )
        .with_head(head)
        .with_l2(0.01)
        .with_l1(0.005)
    }

    #[test]
    fn classifier_gradients_match_burn_autodiff() {
        classifier_gradients_match_on(pulp::Scalar::new());
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = pulp::x86::V3::try_new() {
            classifier_gradients_match_on(simd);
        }
    }

    fn classifier_gradients_match_on<S: Simd>(simd: S) {
        let device = Device::flex().autodiff();
        device.seed(3);
        let config = config(3, Head::Softmax);
        let model = config.init(&device);
        let rows = [0, 2, 3, 5, 6];
        let labels: Vec<u32> = (0..8).map(|i| i % 3).collect();
        for sparse in [false, true] {
            let features = inputs(8, 6, sparse);
            let mut batch = Vec::new();
            for &r in &rows {
                batch.extend_from_slice(&features[r * 6..(r + 1) * 6]);
            }
            let picked: Vec<i64> = rows.iter().map(|&r| labels[r] as i64).collect();
            let output = model.forward_classification(ClassificationBatch {
                inputs: Tensor::from_data(TensorData::new(batch, [rows.len(), 6]), &device),
                targets: Tensor::from_data(TensorData::new(picked, [rows.len()]), &device),
            });
            let burn_loss: f32 = output.loss.clone().into_scalar();
            let expected = grads_of(&model.layers, &output.loss.backward());

            let net = Network::from_module(&model, &config);
            let mut ws = net.workspace();
            let sparse_rows = SparseRows::from_dense(&features, 6);
            let source = if sparse {
                Inputs::Sparse(&sparse_rows)
            } else {
                Inputs::Dense(&features)
            };
            let score = net.gradient(
                simd,
                source,
                &Targets::Classes(&labels),
                &rows,
                &mut ws,
                &mut ChaCha12Rng::seed_from_u64(0),
            );
            assert!(
                (score.loss as f32 - burn_loss).abs() < 1e-5,
                "{} vs {burn_loss}",
                score.loss
            );
            assert_close(&ws.grads, &expected);
        }
    }

    #[test]
    fn regressor_gradients_match_burn_autodiff() {
        let device = Device::flex().autodiff();
        device.seed(4);
        let config = config(2, Head::Linear);
        let model = RegressionMlp::new(config.init(&device));
        let features = inputs(7, 6, false);
        let values: Vec<f32> = (0..14).map(|i| (i as f32 * 0.3).cos() * 3.0).collect();
        let rows: Vec<usize> = (0..7).collect();
        let output = model.forward_regression(RegressionBatch {
            inputs: Tensor::from_data(TensorData::new(features.clone(), [7, 6]), &device),
            targets: Tensor::from_data(TensorData::new(values.clone(), [7, 2]), &device),
        });
        let burn_loss: f32 = output.loss.clone().into_scalar();
        let expected = grads_of(&model.net.layers, &output.loss.backward());

        let net = Network::from_module(&model.net, &config);
        let mut ws = net.workspace();
        let score = net.gradient(
            pulp::Scalar::new(),
            Inputs::Dense(&features),
            &Targets::Values(&values),
            &rows,
            &mut ws,
            &mut ChaCha12Rng::seed_from_u64(0),
        );
        assert!((score.loss as f32 - burn_loss).abs() < 1e-4 * burn_loss.abs().max(1.0));
        assert_close(&ws.grads, &expected);
    }

    #[test]
    fn weights_survive_the_trip_through_the_module() {
        let device = Device::flex();
        let config = config(3, Head::Softmax);
        let model = config.init(&device);
        let net = Network::from_module(&model, &config);
        let back = Network::from_module(&net.load_into(config.init(&device), &device), &config);
        assert_eq!(back.layers, net.layers);
    }
}
