//! Where a training step of the MNIST convnet spends its time on this CPU (flex backend).
//!
//! Times, per batch of 128 images: each layer's forward pass alone (on the plain device), the
//! whole forward pass on the autodiff device, the backward pass, and Adam's update; medians of
//! 20 repetitions after 3 warm-ups.
//!
//! ```text
//! cargo run --release -p kindling-train --example conv_profile [BATCH]
//! ```

use burn::optim::AdamConfig;
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::relu;
use kindling_models::{ClassificationBatch, ConvNet, ConvNetConfig};
use std::time::Instant;

/// Median milliseconds of `f` over 20 runs after 3 warm-ups; `f` reads its result back so that
/// the work is done, not queued.
fn time(mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut ms: Vec<f64> = (0..20)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

fn sync<const D: usize>(t: Tensor<D>) {
    let _ = t.sum().into_scalar::<f32>();
}

fn main() {
    let batch: usize = std::env::args()
        .nth(1)
        .and_then(|b| b.parse().ok())
        .unwrap_or(128);
    let device = Device::flex();
    let net: ConvNet = ConvNetConfig::mnist().init(&device);
    let pixels = Tensor::<2>::random([batch, 784], Distribution::Uniform(0.0, 1.0), &device);
    let images = pixels.clone().reshape([batch, 1, 28, 28]);
    let after1 = relu(net.pool.forward(net.conv1.forward(images.clone())));
    let after2 = relu(net.pool.forward(net.conv2.forward(after1.clone())));
    let flat: Tensor<2> = after2.clone().flatten(1, 3);

    let conv1 = time(|| sync(net.conv1.forward(images.clone())));
    let conv1_out = net.conv1.forward(images.clone());
    let pool1 = time(|| sync(net.pool.forward(conv1_out.clone())));
    let conv2 = time(|| sync(net.conv2.forward(after1.clone())));
    let conv2_out = net.conv2.forward(after1.clone());
    let pool2 = time(|| sync(net.pool.forward(conv2_out.clone())));
    let dense = time(|| sync(net.dense.forward(flat.clone())));
    let inference = time(|| sync(net.forward(pixels.clone())));

    let autodiff = device.clone().autodiff();
    let mut model: ConvNet = ConvNetConfig::mnist().init(&autodiff);
    let inputs = Tensor::<2>::random([batch, 784], Distribution::Uniform(0.0, 1.0), &autodiff);
    let targets = Tensor::<1, Int>::zeros([batch], &autodiff);
    let batch_of = || ClassificationBatch {
        inputs: inputs.clone(),
        targets: targets.clone(),
    };
    let forward = time(|| sync(model.forward_classification(batch_of()).loss));
    let backward = time(|| {
        let loss = model.forward_classification(batch_of()).loss;
        let grads = loss.backward();
        drop(grads);
    }) - forward;
    let mut optim = AdamConfig::new().init();
    let step = time(|| {
        let loss = model.forward_classification(batch_of()).loss;
        let grads = burn::optim::GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(1e-3, model.clone(), grads);
        sync(model.dense.weight.val());
    });
    let update = step - forward - backward;

    println!("batch {batch}, median ms per batch (flex backend):");
    println!(
        "  forward, plain device:  conv1 {conv1:.2}  pool1 {pool1:.2}  conv2 {conv2:.2}  pool2 {pool2:.2}  dense {dense:.2}  whole {inference:.2}"
    );
    println!(
        "  training step:          forward {forward:.2}  backward {backward:.2}  adam update {update:.2}  whole {step:.2}"
    );
    println!(
        "  per epoch of 20,429 images: {:.1} s",
        step * 20_429f64 / batch as f64 / 1e3
    );
}
