//! One browser tab's playground: its data, its network (a Kindling dense stack trained by the
//! fused engine, Kindling's CPU training loop) and what the page draws of it.

use crate::config::{POINTS, Regularization, Setup};
use crate::data::Point;
use crate::frame::{Frame, Grid};
use kindling_fused::{FusedData, FusedTrainer, Optimizer, PassTotals};
use kindling_models::{Activation, DenseStackConfig, Head};
use kindling_train::{EpochRecord, History, TrainError};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha12Rng;
use serde::Serialize;
use std::time::Instant;

/// A tab's network in training.
pub struct Session {
    setup: Setup,
    /// The training points, then the test points.
    points: Vec<Point>,
    train: usize,
    /// The network's inputs for every point, row-major (`features` per point).
    inputs: Vec<f32>,
    labels: Vec<u32>,
    values: Vec<f32>,
    config: DenseStackConfig,
    trainer: FusedTrainer,
    rng: ChaCha12Rng,
    order: Vec<usize>,
    history: History,
    /// The last epoch's mean gradient norm per layer.
    grad_norms: Vec<f64>,
    /// Per hidden layer and unit, whether it output anything above zero for a training point.
    alive: Vec<Vec<bool>>,
}

/// The points of a setup, as the page draws them.
#[derive(Debug, Clone, Serialize)]
pub struct Points {
    /// The training points.
    pub train: Vec<Point>,
    /// The test points.
    pub test: Vec<Point>,
    /// Whether labels are classes (0 or 1) or values.
    pub classification: bool,
}

impl Session {
    /// A fresh network on `setup`'s data, its weights drawn from the seed on `device`.
    pub fn new(setup: Setup, device: &burn::prelude::Device) -> Result<Self, TrainError> {
        let mut points = setup.dataset.generate(POINTS, setup.noise, setup.seed);
        let mut rng = ChaCha12Rng::seed_from_u64(setup.seed);
        points.shuffle(&mut rng);
        let train = (POINTS * setup.ratio as usize / 100).max(1);
        let inputs = points
            .iter()
            .flat_map(|p| setup.features.iter().map(move |f| f.value(p.x, p.y)))
            .collect();
        let classification = setup.dataset.is_classification();
        let labels = points.iter().map(|p| p.label as u32).collect();
        let values = points.iter().map(|p| p.label).collect();
        let config = network(&setup);
        let (model, _) = kindling_train::seeded_model(&config, setup.seed, device)?;
        let trainer = FusedTrainer::new(&model, &config, Optimizer::sgd(setup.lr));
        Ok(Session {
            order: (0..train).collect(),
            points,
            train,
            inputs,
            labels: if classification { labels } else { Vec::new() },
            values,
            config,
            trainer,
            rng,
            history: History::default(),
            grad_norms: Vec::new(),
            alive: setup.layers.iter().map(|&n| vec![true; n]).collect(),
            setup,
        })
    }

    /// The setup.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The epochs trained.
    pub fn epoch(&self) -> usize {
        self.history.epochs.len()
    }

    /// The history of the epochs trained.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The network's configuration.
    pub fn config(&self) -> &DenseStackConfig {
        &self.config
    }

    /// The points, training and test.
    pub fn points(&self) -> Points {
        Points {
            train: self.points[..self.train].to_vec(),
            test: self.points[self.train..].to_vec(),
            classification: self.setup.dataset.is_classification(),
        }
    }

    /// One epoch: the training points reshuffled, one SGD step per batch; then both sets are
    /// scored.
    pub fn step(&mut self) {
        let start = Instant::now();
        self.order.shuffle(&mut self.rng);
        let order = std::mem::take(&mut self.order);
        let batches: Vec<&[usize]> = order.chunks(self.setup.batch).collect();
        let classification = self.setup.dataset.is_classification();
        let (trained, train_seconds) = {
            let data = fused_data(&self.setup, &self.inputs, &self.labels, &self.values);
            let pass = self
                .trainer
                .train_epoch(&data, &batches, &mut self.rng, |_| true, true);
            (pass, start.elapsed().as_secs_f64())
        };
        let steps = batches.len().max(1) as f64;
        self.grad_norms = trained
            .grad_norm_sums
            .unwrap_or_default()
            .iter()
            .map(|sum| sum / steps)
            .collect();
        self.order = order;
        let train_rows: Vec<usize> = (0..self.train).collect();
        let test_rows: Vec<usize> = (self.train..self.points.len()).collect();
        let score_train = self.score(&train_rows, true);
        let score_test = self.score(&test_rows, false);
        if let Some(alive) = score_train.alive.clone() {
            self.alive = alive;
        }
        let mean = |p: &PassTotals| p.loss / p.examples.max(1) as f64;
        let accuracy = |p: &PassTotals| p.correct as f64 / p.examples.max(1) as f64;
        self.history.epochs.push(EpochRecord {
            epoch: self.history.epochs.len() + 1,
            seconds: start.elapsed().as_secs_f64(),
            train_seconds,
            loss: mean(&score_train),
            accuracy: classification.then(|| accuracy(&score_train)),
            val_loss: mean(&score_test),
            val_accuracy: classification.then(|| accuracy(&score_test)),
            val_scores: None,
        });
    }

    /// Scores `rows` with the current weights (the units' activity too, when `diagnose`).
    fn score(&mut self, rows: &[usize], diagnose: bool) -> PassTotals {
        let data = fused_data(&self.setup, &self.inputs, &self.labels, &self.values);
        self.trainer.validate(&data, rows, |_| {}, diagnose)
    }

    /// Every input feature's and every layer's values over a grid of `side` cells on the
    /// plane: `(inputs[feature][cell], layers[layer][unit][cell])`, the last layer's raw.
    fn over_the_plane(
        &self,
        weights: &[(Vec<f32>, Vec<f32>)],
        side: usize,
    ) -> (Vec<Vec<f32>>, Vec<Vec<Vec<f32>>>) {
        let cells = side * side;
        let features = &self.setup.features;
        let mut inputs = vec![Vec::with_capacity(cells); features.len()];
        let mut layers: Vec<Vec<Vec<f32>>> = weights
            .iter()
            .map(|(_, bias)| vec![Vec::with_capacity(cells); bias.len()])
            .collect();
        let mut below = Vec::new();
        let mut values = Vec::new();
        for cell in 0..cells {
            let (x, y) = Grid::position(side, cell / side, cell % side);
            below.clear();
            below.extend(features.iter().map(|f| f.value(x, y)));
            for (k, &v) in below.iter().enumerate() {
                inputs[k].push(v);
            }
            for (l, (weight, bias)) in weights.iter().enumerate() {
                values.clone_from(bias);
                for (i, &xi) in below.iter().enumerate() {
                    let row = &weight[i * bias.len()..(i + 1) * bias.len()];
                    values.iter_mut().zip(row).for_each(|(v, w)| *v += xi * w);
                }
                if l + 1 < weights.len() {
                    values
                        .iter_mut()
                        .for_each(|v| *v = activate(self.setup.activation, *v));
                }
                for (unit, &v) in layers[l].iter_mut().zip(&values) {
                    unit.push(v);
                }
                std::mem::swap(&mut below, &mut values);
            }
        }
        (inputs, layers)
    }

    /// What the page draws now: the output over the plane, each neuron's output, the weights,
    /// the losses, dead units and gradient norms.
    pub fn frame(&self) -> Frame {
        let weights = self.trainer.network().weights();
        let scaled = |values: Vec<Vec<f32>>| -> Vec<Grid> {
            values
                .iter()
                .map(|v| Grid::scaled(Grid::NEURON_SIDE, v))
                .collect()
        };
        let (inputs, mut layers) = self.over_the_plane(&weights, Grid::NEURON_SIDE);
        layers.pop();
        let (_, mut outputs) = self.over_the_plane(&weights, Grid::OUTPUT_SIDE);
        let output = outputs.pop().unwrap_or_default();
        let head: Vec<f32> = match output.as_slice() {
            // P(class 1) − P(class 0) = tanh((z₁ − z₀)/2), in [-1, 1].
            [z0, z1] => z0
                .iter()
                .zip(z1)
                .map(|(a, b)| ((b - a) / 2.0).tanh())
                .collect(),
            [value, ..] => value.clone(),
            [] => Vec::new(),
        };
        let last = self.history.last();
        let relu = self.setup.activation == Activation::Relu;
        Frame {
            epoch: self.epoch(),
            train_loss: last.map(|e| e.loss),
            test_loss: last.map(|e| e.val_loss),
            output: Grid::clamped(Grid::OUTPUT_SIDE, &head),
            inputs: scaled(inputs),
            hidden: layers.into_iter().map(scaled).collect(),
            dead: self
                .alive
                .iter()
                .map(|units| units.iter().map(|alive| relu && !alive).collect())
                .collect(),
            grad_norms: self.grad_norms.clone(),
            biases: weights.iter().map(|(_, b)| b.clone()).collect(),
            weights: weights.into_iter().map(|(w, _)| w).collect(),
        }
    }

    /// The network's weights, in the Burn module a run directory saves.
    pub fn model(&self, device: &burn::prelude::Device) -> kindling_models::DenseStack {
        self.trainer
            .network()
            .load_into(self.config.init(device), device)
    }

    /// The rows of every point, training then test, as a run's table: the inputs and targets.
    pub fn rows(&self) -> kindling_data::Rows {
        let width = self.setup.features.len();
        if self.setup.dataset.is_classification() {
            kindling_data::Rows::classified(self.inputs.clone(), width, self.labels.clone(), 2)
        } else {
            kindling_data::Rows::regression(self.inputs.clone(), width, self.values.clone(), 1)
        }
    }

    /// How many points train (the first ones of [`Session::rows`]).
    pub fn train_points(&self) -> usize {
        self.train
    }

    /// The features' names, the columns a saved run reads.
    pub fn feature_names(&self) -> Vec<String> {
        self.setup
            .features
            .iter()
            .map(|f| f.name().to_string())
            .collect()
    }
}

/// The dense stack a setup describes: its features in, its hidden layers, two softmax outputs
/// (a classification) or one value (a regression).
pub fn network(setup: &Setup) -> DenseStackConfig {
    let classification = setup.dataset.is_classification();
    let config = DenseStackConfig::uniform(
        setup.features.len(),
        &setup.layers,
        setup.activation,
        if classification { 2 } else { 1 },
    )
    .with_head(if classification {
        Head::Softmax
    } else {
        Head::Linear
    });
    match setup.regularization {
        Regularization::None => config,
        Regularization::L1 => config.with_l1(setup.rate),
        Regularization::L2 => config.with_l2(setup.rate),
    }
}

/// `activation` of one value.
fn activate(activation: Activation, v: f32) -> f32 {
    match activation {
        Activation::Relu => v.max(0.0),
        Activation::Tanh => v.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-v).exp()),
        Activation::Identity => v,
    }
}

/// The engine's view of the points: `inputs` with class `labels` or target `values`.
fn fused_data<'a>(
    setup: &Setup,
    inputs: &'a [f32],
    labels: &'a [u32],
    values: &'a [f32],
) -> FusedData<'a> {
    let width = setup.features.len();
    if setup.dataset.is_classification() {
        FusedData::classified(inputs, width, labels)
    } else {
        FusedData::valued(inputs, width, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::prelude::Device;

    fn session(query: &str) -> Session {
        Session::new(Setup::from_query(query).unwrap(), &Device::flex()).unwrap()
    }

    #[test]
    fn a_session_learns_exclusive_or_and_draws_every_neuron() {
        let mut s = session("dataset=xor&layers=8,8&activation=tanh&lr=0.1");
        let first = s.frame();
        assert_eq!(first.epoch, 0);
        assert_eq!(first.output.values.len(), 50 * 50);
        assert_eq!(first.inputs.len(), 2);
        assert_eq!(first.hidden.len(), 2);
        assert_eq!(first.hidden[0].len(), 8);
        assert_eq!(first.weights[0].len(), 2 * 8);
        for _ in 0..150 {
            s.step();
        }
        let last = s.history().last().unwrap();
        assert!(last.val_loss < 0.2, "test loss {}", last.val_loss);
        assert!(last.val_accuracy.unwrap() > 0.9);
        let frame = s.frame();
        assert_eq!(frame.grad_norms.len(), 3);
        // The output map agrees with the data: (3, 3) is class 1, (-3, 3) class 0.
        let at = |x: f32, y: f32| {
            let side = frame.output.side;
            let column = ((x + 6.0) / 12.0 * side as f32) as usize;
            let row = ((6.0 - y) / 12.0 * side as f32) as usize;
            frame.output.values[row * side + column]
        };
        assert!(at(3.0, 3.0) > 50 && at(-3.0, 3.0) < -50);
    }

    #[test]
    fn the_same_seed_trains_the_same_network_and_regression_works() {
        let mut a = session("dataset=spiral&seed=3&layers=3");
        let mut b = session("dataset=spiral&seed=3&layers=3");
        for _ in 0..3 {
            a.step();
            b.step();
        }
        assert_eq!(a.frame(), b.frame());
        let mut plane = session("dataset=plane&layers=2&activation=linear&reg=l1&rate=0.001");
        let before = {
            plane.step();
            plane.history().last().unwrap().val_loss
        };
        for _ in 0..30 {
            plane.step();
        }
        let after = plane.history().last().unwrap().val_loss;
        assert!(after < before * 0.5, "{before} -> {after}");
        assert!(plane.history().last().unwrap().accuracy.is_none());
    }

    #[test]
    fn dead_relus_are_marked() {
        // A learning rate far too high kills ReLUs for good.
        let mut s = session("dataset=circle&layers=8&activation=relu&lr=10");
        for _ in 0..5 {
            s.step();
        }
        let dead = s.frame().dead;
        assert_eq!(dead.len(), 1);
        assert!(dead[0].iter().any(|&d| d), "{dead:?}");
        let calm = session("dataset=circle&layers=8&activation=tanh")
            .frame()
            .dead;
        assert!(calm[0].iter().all(|&d| !d));
    }
}
