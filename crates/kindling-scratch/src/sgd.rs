//! Stochastic gradient descent: batches, epochs, reshuffling (topic 8).

use crate::activation::Activation;
use crate::backprop::{batch_gradients, descend, mean_loss};
use crate::loss::Loss;
use crate::network::{Layer, Network};
use crate::section::{Curve, Figure, Section, fmt_num};
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// A small regression: `y = 2·x₀ − 3·x₁ + 1` plus a little noise, 64 rows, from a seed.
pub fn regression_data(seed: u64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..64)
        .map(|_| {
            let x = vec![rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            let y = 2.0 * x[0] - 3.0 * x[1] + 1.0 + rng.random_range(-0.1..0.1);
            (x, vec![y])
        })
        .unzip()
}

/// Trains a linear model (no hidden layer) for `epochs` epochs with batches of `batch_size`
/// rows, reshuffled each epoch; returns the MSE over all rows after each epoch and the number of
/// updates made. `batch_size` ≥ the number of rows is full-batch gradient descent.
pub fn train(batch_size: usize, epochs: usize, learning_rate: f64, seed: u64) -> (Vec<f64>, usize) {
    let (inputs, targets) = regression_data(seed);
    let mut network = Network::new(vec![Layer {
        weights: vec![vec![0.0], vec![0.0]],
        bias: vec![0.0],
        activation: Activation::Identity,
    }]);
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    let mut rng = StdRng::seed_from_u64(seed + 1);
    let mut history = Vec::with_capacity(epochs);
    let mut updates = 0;
    for _ in 0..epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(batch_size.max(1)) {
            let xs: Vec<Vec<f64>> = batch.iter().map(|&i| inputs[i].clone()).collect();
            let ts: Vec<Vec<f64>> = batch.iter().map(|&i| targets[i].clone()).collect();
            let (_, grads) = batch_gradients(&network, &xs, &ts, Loss::Mse);
            descend(&mut network, &grads, learning_rate);
            updates += 1;
        }
        history.push(mean_loss(&network, &inputs, &targets, Loss::Mse));
    }
    (history, updates)
}

/// Topic 8's section.
pub fn section() -> Section {
    let mut s = Section::default();
    s.line(
        "Full-batch gradient descent makes one update per epoch from all 64 rows; SGD makes one",
    );
    s.line("per batch of 8, reshuffling the rows every epoch. Linear model, learning rate 0.1,");
    s.line("y = 2 x0 - 3 x1 + 1 + noise:");
    let (full, full_updates) = train(64, 20, 0.1, 7);
    let (sgd, sgd_updates) = train(8, 20, 0.1, 7);
    for (name, history, updates) in [
        ("full batch", &full, full_updates),
        ("SGD, batch 8", &sgd, sgd_updates),
    ] {
        s.linef(format_args!(
            "  {name:<13} {updates:>4} updates: MSE {} after epoch 1, {} after epoch 20",
            fmt_num(history[0]),
            fmt_num(history[19])
        ));
    }
    s.line("Same epochs, more (noisier) updates: SGD gets much further for the same passes over the data.");
    let curve = |label: &str, h: &[f64]| Curve {
        label: label.into(),
        points: h
            .iter()
            .enumerate()
            .map(|(i, m)| ((i + 1) as f64, *m))
            .collect(),
    };
    s.figures.push(Figure {
        file_name: "sgd.png".into(),
        title: "Full-batch gradient descent vs SGD".into(),
        x_label: "epoch".into(),
        y_label: "mean squared error".into(),
        curves: vec![curve("full batch", &full), curve("SGD, batch 8", &sgd)],
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_reaches_a_lower_loss_in_the_same_epochs() {
        let (full, full_updates) = train(64, 20, 0.1, 7);
        let (sgd, sgd_updates) = train(8, 20, 0.1, 7);
        assert_eq!((full_updates, sgd_updates), (20, 160));
        assert!(sgd[19] < full[19] / 10.0, "{} vs {}", sgd[19], full[19]);
        assert!(full.windows(2).all(|w| w[1] <= w[0]));
        assert!(sgd[19] < 0.01);
        assert_eq!(train(8, 3, 0.1, 7), train(8, 3, 0.1, 7));
    }
}
