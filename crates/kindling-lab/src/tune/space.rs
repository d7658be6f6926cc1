//! The search space of `tune`: hidden layers, widths, activation, optimizer, learning rate and
//! batch size, and one point of it (a [`Candidate`]).

use crate::tune::error::TuneError;
use kindling_models::{Activation, DenseStackConfig, DenseStackConfigError};
use kindling_train::OptimizerKind;
use rand::Rng;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most hidden layers a search may ask for.
pub const MAX_LAYERS: usize = 6;

/// One configuration to train: the hyper-parameters a trial varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Hidden layer widths, first to last.
    pub hidden: Vec<usize>,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// The learning rate.
    pub learning_rate: f64,
    /// Examples per gradient step.
    pub batch_size: usize,
}

impl Candidate {
    /// The hidden widths as the command line writes them: `64,32`.
    pub fn hidden_text(&self) -> String {
        hidden_text(&self.hidden)
    }
}

/// Hidden widths as the command line writes them: `64,32`.
pub fn hidden_text(hidden: &[usize]) -> String {
    let widths: Vec<String> = hidden.iter().map(usize::to_string).collect();
    widths.join(",")
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "hidden {} {}, {} lr {}, batch {}",
            self.hidden_text(),
            self.activation,
            self.optimizer,
            learning_rate_text(self.learning_rate),
            self.batch_size
        )
    }
}

/// A learning rate with four significant digits (`0.003162`, `1.000e-4`): the same text for
/// the same value, for tables that compare runs.
pub fn learning_rate_text(lr: f64) -> String {
    if lr >= 1e-3 {
        let digits = (3 - lr.log10().floor() as i32).max(0) as usize;
        format!("{lr:.digits$}")
    } else {
        format!("{lr:.3e}")
    }
}

/// A learning-rate interval, searched on a log scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LrRange {
    /// The smallest learning rate.
    pub low: f64,
    /// The largest learning rate.
    pub high: f64,
}

impl LrRange {
    /// `[low, high]`.
    pub const fn new(low: f64, high: f64) -> Self {
        Self { low, high }
    }

    /// The interval in natural-log space.
    pub fn log_bounds(self) -> (f64, f64) {
        (self.low.ln(), self.high.ln())
    }

    /// The grid's learning rates: the two ends and their geometric mean (one value when the
    /// interval is a single point).
    pub fn grid_points(self) -> Vec<f64> {
        if self.low == self.high {
            vec![self.low]
        } else {
            vec![self.low, (self.low * self.high).sqrt(), self.high]
        }
    }

    /// A learning rate drawn log-uniformly from the interval.
    pub fn sample(self, rng: &mut impl Rng) -> f64 {
        let (a, b) = self.log_bounds();
        if a == b {
            return self.low;
        }
        rng.random_range(a..=b).exp()
    }

    fn validate(self, name: &'static str) -> Result<(), TuneError> {
        if !(self.low.is_finite() && self.high.is_finite() && self.low > 0.0) {
            return Err(TuneError::invalid(
                name,
                format!("{},{}", self.low, self.high),
                "learning rates must be positive numbers",
            ));
        }
        if self.low > self.high {
            return Err(TuneError::invalid(
                name,
                format!("{},{}", self.low, self.high),
                "give the smaller learning rate first: LOW,HIGH",
            ));
        }
        Ok(())
    }
}

/// Where `tune` looks. Every hidden layer picks its width independently; the learning rate is
/// drawn log-uniformly from the chosen optimizer's interval (the grid takes three points of
/// it, see [`LrRange::grid_points`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSpace {
    /// Allowed numbers of hidden layers.
    pub layers: Vec<usize>,
    /// Allowed widths of each hidden layer.
    pub widths: Vec<usize>,
    /// Allowed activations of the hidden layers.
    pub activations: Vec<Activation>,
    /// Allowed optimizers.
    pub optimizers: Vec<OptimizerKind>,
    /// Allowed batch sizes.
    pub batch_sizes: Vec<usize>,
    /// Adam's learning rates.
    pub adam_lr: LrRange,
    /// SGD's learning rates.
    pub sgd_lr: LrRange,
}

impl Default for SearchSpace {
    /// 1 to 3 hidden layers of 8, 16, 32, 64 or 128 units, relu or tanh, Adam with a learning
    /// rate in [1e-4, 1e-2] or SGD in [1e-3, 1e-1], batches of 16, 32 or 64.
    fn default() -> Self {
        Self {
            layers: vec![1, 2, 3],
            widths: vec![8, 16, 32, 64, 128],
            activations: vec![Activation::Relu, Activation::Tanh],
            optimizers: vec![OptimizerKind::Adam, OptimizerKind::Sgd],
            batch_sizes: vec![16, 32, 64],
            adam_lr: LrRange::new(1e-4, 1e-2),
            sgd_lr: LrRange::new(1e-3, 1e-1),
        }
    }
}

/// The most points a grid may have (its shuffled order is held in memory).
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// Whether a network of these hidden widths can be built (its parameters counted with one
/// input and one output: the tables' widths add little), before any trial starts.
pub(crate) fn largest_network_fits(hidden: &[usize]) -> Result<(), DenseStackConfigError> {
    DenseStackConfig::uniform(1, hidden, Activation::Relu, 1).validate()
}

impl SearchSpace {
    /// Checks every list: non-empty, no duplicates, no zero widths or batches, at most
    /// [`MAX_LAYERS`] hidden layers, positive learning-rate intervals.
    pub fn validate(&self) -> Result<(), TuneError> {
        non_empty_unique("layers", &self.layers)?;
        non_empty_unique("widths", &self.widths)?;
        non_empty_unique("activations", &self.activations)?;
        non_empty_unique("optimizers", &self.optimizers)?;
        non_empty_unique("batch_sizes", &self.batch_sizes)?;
        if let Some(&n) = self.layers.iter().find(|&&n| n == 0 || n > MAX_LAYERS) {
            return Err(TuneError::invalid(
                "layers",
                n.to_string(),
                &format!("a network here has 1 to {MAX_LAYERS} hidden layers"),
            ));
        }
        if let Some(&w) = self
            .widths
            .iter()
            .find(|&&w| w == 0 || w > DenseStackConfig::MAX_WIDTH)
        {
            return Err(TuneError::invalid(
                "widths",
                w.to_string(),
                &format!("a layer has 1 to {} units", DenseStackConfig::MAX_WIDTH),
            ));
        }
        let (deepest, widest) = (
            self.layers.iter().copied().max().unwrap_or(1),
            self.widths.iter().copied().max().unwrap_or(1),
        );
        if let Err(e) = largest_network_fits(&vec![widest; deepest]) {
            return Err(TuneError::invalid(
                "widths",
                widest.to_string(),
                &format!("{deepest} hidden layers of {widest}: {e}"),
            ));
        }
        if self.batch_sizes.contains(&0) {
            return Err(TuneError::invalid(
                "batch_sizes",
                "0".into(),
                "a batch holds at least one example",
            ));
        }
        self.adam_lr.validate("adam_lr")?;
        self.sgd_lr.validate("sgd_lr")
    }

    /// The learning-rate interval of `optimizer`: `sgd_lr` for SGD, `adam_lr` for the adaptive
    /// optimizers (Adam, AdamW, RMSprop), whose rates sit in the same range.
    pub fn lr_range(&self, optimizer: OptimizerKind) -> LrRange {
        match optimizer {
            OptimizerKind::Sgd => self.sgd_lr,
            OptimizerKind::Adam | OptimizerKind::AdamW | OptimizerKind::RmsProp => self.adam_lr,
        }
    }

    /// The deepest network the space allows.
    pub fn max_layers(&self) -> usize {
        self.layers.iter().copied().max().unwrap_or(0)
    }

    /// A candidate drawn uniformly, parameter by parameter: the number of layers, then each
    /// layer's width, the activation, the optimizer, a log-uniform learning rate in its
    /// interval, the batch size.
    pub fn sample(&self, rng: &mut impl Rng) -> Candidate {
        let depth = pick(&self.layers, rng);
        let hidden = (0..depth).map(|_| pick(&self.widths, rng)).collect();
        let activation = pick(&self.activations, rng);
        let optimizer = pick(&self.optimizers, rng);
        let learning_rate = self.lr_range(optimizer).sample(rng);
        let batch_size = pick(&self.batch_sizes, rng);
        Candidate {
            hidden,
            activation,
            optimizer,
            learning_rate,
            batch_size,
        }
    }

    /// The (optimizer, learning rate) pairs of the grid, optimizers in the space's order.
    pub fn grid_learning_rates(&self) -> Vec<(OptimizerKind, f64)> {
        self.optimizers
            .iter()
            .flat_map(|&o| {
                self.lr_range(o)
                    .grid_points()
                    .into_iter()
                    .map(move |lr| (o, lr))
            })
            .collect()
    }

    /// Number of grid points: for each allowed depth d, widths^d × activations ×
    /// (optimizer, learning rate) pairs × batch sizes; saturates on overflow.
    pub fn grid_size(&self) -> usize {
        let rest = self
            .activations
            .len()
            .saturating_mul(self.grid_learning_rates().len())
            .saturating_mul(self.batch_sizes.len());
        self.layers
            .iter()
            .map(|&d| {
                (0..d)
                    .fold(1usize, |n, _| n.saturating_mul(self.widths.len()))
                    .saturating_mul(rest)
            })
            .fold(0usize, usize::saturating_add)
    }

    /// The grid point at `index` (below [`SearchSpace::grid_size`]) in the natural order:
    /// depths as listed, then the widths of the first layer varying slowest, the activation,
    /// the (optimizer, learning rate) pair and the batch size fastest.
    pub fn grid_point(&self, index: usize) -> Option<Candidate> {
        let rates = self.grid_learning_rates();
        let rest = self.activations.len() * rates.len() * self.batch_sizes.len();
        let mut index = index;
        for &depth in &self.layers {
            let architectures = self.widths.len().checked_pow(depth as u32)?;
            let block = architectures.checked_mul(rest)?;
            if index >= block {
                index -= block;
                continue;
            }
            let batch_size = self.batch_sizes[index % self.batch_sizes.len()];
            index /= self.batch_sizes.len();
            let (optimizer, learning_rate) = rates[index % rates.len()];
            index /= rates.len();
            let activation = self.activations[index % self.activations.len()];
            index /= self.activations.len();
            let mut hidden = vec![0; depth];
            for slot in hidden.iter_mut().rev() {
                *slot = self.widths[index % self.widths.len()];
                index /= self.widths.len();
            }
            return Some(Candidate {
                hidden,
                activation,
                optimizer,
                learning_rate,
                batch_size,
            });
        }
        None
    }
}

fn pick<T: Copy>(choices: &[T], rng: &mut impl Rng) -> T {
    // Validated spaces have no empty list.
    *choices.choose(rng).unwrap_or(&choices[0])
}

fn non_empty_unique<T: PartialEq + fmt::Debug>(
    name: &'static str,
    values: &[T],
) -> Result<(), TuneError> {
    if values.is_empty() {
        return Err(TuneError::invalid(
            name,
            "(empty)".into(),
            "give at least one value",
        ));
    }
    for (i, value) in values.iter().enumerate() {
        if values[..i].contains(value) {
            return Err(TuneError::invalid(
                name,
                format!("{value:?}"),
                "the value is listed twice",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn grid_enumerates_every_point_once() {
        let space = SearchSpace {
            layers: vec![1, 2],
            widths: vec![8, 16, 32],
            ..SearchSpace::default()
        };
        // (3 + 9) architectures × 2 activations × (3 + 3) learning rates × 3 batch sizes
        assert_eq!(space.grid_size(), 12 * 2 * 6 * 3);
        let points: Vec<Candidate> = (0..space.grid_size())
            .map(|i| space.grid_point(i).unwrap())
            .collect();
        for (i, p) in points.iter().enumerate() {
            assert!(!points[..i].contains(p), "duplicate {p}");
        }
        assert!(space.grid_point(space.grid_size()).is_none());
        assert_eq!(points[0].hidden, vec![8]);
        assert_eq!(points.last().unwrap().hidden, vec![32, 32]);
        assert_eq!(SearchSpace::default().grid_size(), 155 * 2 * 6 * 3);
    }

    #[test]
    fn samples_stay_in_the_space() {
        let space = SearchSpace::default();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..500 {
            let c = space.sample(&mut rng);
            assert!((1..=3).contains(&c.hidden.len()));
            assert!(c.hidden.iter().all(|w| space.widths.contains(w)));
            let range = space.lr_range(c.optimizer);
            assert!(
                c.learning_rate >= range.low * 0.999999 && c.learning_rate <= range.high * 1.000001
            );
            assert!(space.batch_sizes.contains(&c.batch_size));
        }
    }

    #[test]
    fn rejects_bad_spaces() {
        let cases = [
            (
                SearchSpace {
                    layers: vec![],
                    ..Default::default()
                },
                "layers",
            ),
            (
                SearchSpace {
                    layers: vec![7],
                    ..Default::default()
                },
                "layers",
            ),
            (
                SearchSpace {
                    widths: vec![8, 0],
                    ..Default::default()
                },
                "widths",
            ),
            (
                SearchSpace {
                    widths: vec![8, 8],
                    ..Default::default()
                },
                "widths",
            ),
            (
                SearchSpace {
                    batch_sizes: vec![0],
                    ..Default::default()
                },
                "batch_sizes",
            ),
            (
                SearchSpace {
                    adam_lr: LrRange::new(0.1, 0.01),
                    ..Default::default()
                },
                "adam_lr",
            ),
            (
                SearchSpace {
                    sgd_lr: LrRange::new(-1.0, 0.01),
                    ..Default::default()
                },
                "sgd_lr",
            ),
        ];
        for (space, name) in cases {
            let err = space.validate().unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
        }
        SearchSpace::default().validate().unwrap();
    }

    #[test]
    fn learning_rates_print_the_same_way() {
        assert_eq!(learning_rate_text(0.01), "0.01000");
        assert_eq!(learning_rate_text(0.0031622776), "0.003162");
        assert_eq!(learning_rate_text(0.1), "0.1000");
        assert_eq!(learning_rate_text(1e-4), "1.000e-4");
    }
}
