//! A small Tree-structured Parzen Estimator (TPE; Bergstra et al., "Algorithms for
//! Hyper-Parameter Optimization", 2011), the model-based strategy of `tune`.
//!
//! 1. The first [`STARTUP_TRIALS`] candidates are drawn at random from the space.
//! 2. After that, the trials so far are ranked by score (diverged ones last) and split at the
//!    quantile [`GAMMA`]: the best `ceil(GAMMA × n)` finished trials are the *good* group, all
//!    others the *bad* group.
//! 3. Each group gets a density over the space, one factor per hyper-parameter (independent,
//!    as in hyperopt and Optuna's default):
//!    - a categorical choice (number of layers, each layer's width, activation, optimizer,
//!      batch size) has probability `(count + w / k) / (n + w)`: the observed frequencies
//!      mixed with a uniform prior of weight `w` = [`PRIOR_WEIGHT`] over its `k` values;
//!    - the learning rate, in log space within its optimizer's interval `[a, b]`, has a Parzen
//!      density: one normal kernel per observation plus a prior kernel at the middle of the
//!      interval with `σ = b − a`; each kernel's width is the larger distance to its sorted
//!      neighbours, clipped to `[(b − a) / min(100, n + 1), b − a]` (hyperopt's rule); the
//!      kernels are truncated to the interval.
//!
//!    A layer's width counts only observations that have that layer, a learning rate only
//!    those with the same optimizer: the space's tree structure.
//! 4. [`CANDIDATES`] candidates are drawn from the good density `l(x)`; the one with the
//!    largest `l(x) / g(x)` (the bad density `g`) is proposed, which maximizes the expected
//!    improvement under TPE's model.

use crate::tune::sampler::{Observation, Sampler};
use crate::tune::score::compare_optional;
use crate::tune::space::{Candidate, SearchSpace};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Random candidates before the model takes over.
pub const STARTUP_TRIALS: usize = 5;
/// The fraction of trials in the good group.
pub const GAMMA: f64 = 0.25;
/// Candidates drawn from the good density per proposal.
pub const CANDIDATES: usize = 24;
/// Weight of the uniform prior in every factor, in observations.
pub const PRIOR_WEIGHT: f64 = 1.0;

/// The TPE sampler; the same seed and the same scores give the same proposals.
#[derive(Debug, Clone)]
pub struct TpeSampler {
    space: SearchSpace,
    rng: StdRng,
}

impl TpeSampler {
    /// A sampler over `space` seeded with `seed`.
    pub fn new(space: SearchSpace, seed: u64) -> Self {
        Self {
            space,
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl Sampler for TpeSampler {
    fn propose(&mut self, history: &[Observation]) -> Option<Candidate> {
        if history.len() < STARTUP_TRIALS {
            return Some(self.space.sample(&mut self.rng));
        }
        let (good, bad) = split(history);
        let l = Density::fit(&self.space, &good);
        let g = Density::fit(&self.space, &bad);
        let mut best: Option<(f64, Candidate)> = None;
        for _ in 0..CANDIDATES {
            let candidate = l.sample(&self.space, &mut self.rng);
            let ratio =
                l.log_density(&self.space, &candidate) - g.log_density(&self.space, &candidate);
            if best.as_ref().is_none_or(|(r, _)| ratio > *r) {
                best = Some((ratio, candidate));
            }
        }
        best.map(|(_, c)| c)
    }
}

/// The good group (the best `ceil(GAMMA × n)` finished trials) and the bad group (the rest).
fn split(history: &[Observation]) -> (Vec<&Candidate>, Vec<&Candidate>) {
    let mut order: Vec<usize> = (0..history.len()).collect();
    order.sort_by(|&a, &b| {
        compare_optional(history[a].score.as_ref(), history[b].score.as_ref()).then(a.cmp(&b))
    });
    let finished = history.iter().filter(|o| o.score.is_some()).count();
    let n_good = ((GAMMA * history.len() as f64).ceil() as usize).min(finished);
    let good = order[..n_good].iter().map(|&i| &history[i].candidate);
    let bad = order[n_good..].iter().map(|&i| &history[i].candidate);
    (good.collect(), bad.collect())
}

/// A product of one factor per hyper-parameter.
#[derive(Debug, Clone)]
struct Density {
    layers: Categorical,
    /// One factor per layer position.
    widths: Vec<Categorical>,
    activation: Categorical,
    optimizer: Categorical,
    /// One factor per optimizer of the space, in its order.
    learning_rate: Vec<Parzen>,
    batch_size: Categorical,
}

impl Density {
    fn fit(space: &SearchSpace, observed: &[&Candidate]) -> Self {
        let index_of = |list: &[usize], value: usize| list.iter().position(|&v| v == value);
        let layers = Categorical::fit(
            space.layers.len(),
            observed
                .iter()
                .filter_map(|c| index_of(&space.layers, c.hidden.len())),
        );
        let widths = (0..space.max_layers())
            .map(|i| {
                Categorical::fit(
                    space.widths.len(),
                    observed
                        .iter()
                        .filter_map(|c| c.hidden.get(i))
                        .filter_map(|&w| index_of(&space.widths, w)),
                )
            })
            .collect();
        let activation = Categorical::fit(
            space.activations.len(),
            observed
                .iter()
                .filter_map(|c| space.activations.iter().position(|&a| a == c.activation)),
        );
        let optimizer = Categorical::fit(
            space.optimizers.len(),
            observed
                .iter()
                .filter_map(|c| space.optimizers.iter().position(|&o| o == c.optimizer)),
        );
        let learning_rate = space
            .optimizers
            .iter()
            .map(|&o| {
                let (a, b) = space.lr_range(o).log_bounds();
                let points: Vec<f64> = observed
                    .iter()
                    .filter(|c| c.optimizer == o)
                    .map(|c| c.learning_rate.ln())
                    .collect();
                Parzen::fit(a, b, &points)
            })
            .collect();
        let batch_size = Categorical::fit(
            space.batch_sizes.len(),
            observed
                .iter()
                .filter_map(|c| index_of(&space.batch_sizes, c.batch_size)),
        );
        Self {
            layers,
            widths,
            activation,
            optimizer,
            learning_rate,
            batch_size,
        }
    }

    fn sample(&self, space: &SearchSpace, rng: &mut StdRng) -> Candidate {
        let depth = space.layers[self.layers.sample(rng)];
        let hidden = self.widths[..depth]
            .iter()
            .map(|w| space.widths[w.sample(rng)])
            .collect();
        let activation = space.activations[self.activation.sample(rng)];
        let o = self.optimizer.sample(rng);
        let learning_rate = self.learning_rate[o].sample(rng).exp();
        let batch_size = space.batch_sizes[self.batch_size.sample(rng)];
        Candidate {
            hidden,
            activation,
            optimizer: space.optimizers[o],
            learning_rate,
            batch_size,
        }
    }

    /// The log density of the parameters `candidate` uses; a value outside the space has
    /// density 0 (minus infinity).
    fn log_density(&self, space: &SearchSpace, candidate: &Candidate) -> f64 {
        let find = |list: &[usize], value: usize| list.iter().position(|&v| v == value);
        let mut total = self
            .layers
            .log_p(find(&space.layers, candidate.hidden.len()));
        for (factor, &width) in self.widths.iter().zip(&candidate.hidden) {
            total += factor.log_p(find(&space.widths, width));
        }
        total += self.activation.log_p(
            space
                .activations
                .iter()
                .position(|&a| a == candidate.activation),
        );
        let o = space
            .optimizers
            .iter()
            .position(|&o| o == candidate.optimizer);
        total += self.optimizer.log_p(o);
        total += match o {
            Some(o) => self.learning_rate[o].log_density(candidate.learning_rate.ln()),
            None => f64::NEG_INFINITY,
        };
        total
            + self
                .batch_size
                .log_p(find(&space.batch_sizes, candidate.batch_size))
    }
}

/// Observed frequencies of `k` choices mixed with a uniform prior.
#[derive(Debug, Clone)]
struct Categorical {
    probabilities: Vec<f64>,
}

impl Categorical {
    fn fit(k: usize, observed: impl Iterator<Item = usize>) -> Self {
        let mut counts = vec![0.0; k];
        let mut n = 0.0;
        for i in observed {
            counts[i] += 1.0;
            n += 1.0;
        }
        let probabilities = counts
            .iter()
            .map(|c| (c + PRIOR_WEIGHT / k as f64) / (n + PRIOR_WEIGHT))
            .collect();
        Self { probabilities }
    }

    fn sample(&self, rng: &mut StdRng) -> usize {
        let mut u: f64 = rng.random();
        for (i, p) in self.probabilities.iter().enumerate() {
            if u < *p {
                return i;
            }
            u -= p;
        }
        self.probabilities.len() - 1
    }

    fn log_p(&self, index: Option<usize>) -> f64 {
        index
            .and_then(|i| self.probabilities.get(i))
            .map_or(f64::NEG_INFINITY, |p| p.ln())
    }
}

/// A mixture of normal kernels truncated to `[low, high]`, equally weighted.
#[derive(Debug, Clone)]
struct Parzen {
    low: f64,
    high: f64,
    /// (mean, standard deviation) of each kernel, the prior's included.
    kernels: Vec<(f64, f64)>,
}

impl Parzen {
    fn fit(low: f64, high: f64, points: &[f64]) -> Self {
        let range = high - low;
        let prior = (low + high) / 2.0;
        if range <= 0.0 {
            return Self {
                low,
                high,
                kernels: vec![(prior, 1.0)],
            };
        }
        let mut means: Vec<(f64, bool)> = points.iter().map(|&p| (p, false)).collect();
        means.push((prior, true));
        means.sort_by(|a, b| a.0.total_cmp(&b.0));
        let min_sigma = range / (points.len() as f64 + 1.0).min(100.0);
        let kernels = (0..means.len())
            .map(|i| {
                let (mean, is_prior) = means[i];
                if is_prior {
                    return (mean, range);
                }
                let left = if i > 0 { mean - means[i - 1].0 } else { 0.0 };
                let right = means.get(i + 1).map_or(0.0, |next| next.0 - mean);
                (mean, left.max(right).clamp(min_sigma, range))
            })
            .collect();
        Self { low, high, kernels }
    }

    fn sample(&self, rng: &mut StdRng) -> f64 {
        let (mean, sigma) = self.kernels[rng.random_range(0..self.kernels.len())];
        if self.high <= self.low {
            return self.low;
        }
        for _ in 0..64 {
            let x = mean + sigma * standard_normal(rng);
            if (self.low..=self.high).contains(&x) {
                return x;
            }
        }
        mean.clamp(self.low, self.high)
    }

    fn log_density(&self, x: f64) -> f64 {
        if self.high <= self.low {
            return 0.0;
        }
        if !(self.low..=self.high).contains(&x) {
            return f64::NEG_INFINITY;
        }
        let total: f64 = self
            .kernels
            .iter()
            .map(|&(mean, sigma)| {
                let mass =
                    normal_cdf((self.high - mean) / sigma) - normal_cdf((self.low - mean) / sigma);
                normal_pdf((x - mean) / sigma) / sigma / mass.max(1e-12)
            })
            .sum();
        (total / self.kernels.len() as f64).ln()
    }
}

/// A standard normal draw (Box–Muller).
fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (std::f64::consts::TAU).sqrt()
}

/// The standard normal distribution function, through Abramowitz and Stegun's 7.1.26
/// approximation of erf (absolute error below 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::random::RandomSampler;
    use crate::tune::score::Score;
    use kindling_models::Activation;
    use kindling_train::OptimizerKind;

    /// A cheap stand-in for training, lowest (0) at 2 × 32 tanh units, Adam at 0.003,
    /// batch 32.
    fn objective(c: &Candidate) -> f64 {
        let lr = match c.optimizer {
            OptimizerKind::Sgd => 2.0 + (c.learning_rate.ln() - 3e-2f64.ln()).powi(2) / 4.0,
            _ => (c.learning_rate.ln() - 3e-3f64.ln()).powi(2) / 4.0,
        };
        let activation = if c.activation == Activation::Tanh {
            0.0
        } else {
            1.0
        };
        let depth = (c.hidden.len() as f64 - 2.0).abs();
        let widths: f64 = c
            .hidden
            .iter()
            .map(|&w| ((w as f64).log2() - 5.0).abs() / 2.0)
            .sum();
        let batch = if c.batch_size == 32 { 0.0 } else { 0.5 };
        lr + activation + depth + widths + batch
    }

    /// The objective of each of `trials` proposals.
    fn run(sampler: &mut dyn Sampler, trials: usize) -> Vec<f64> {
        let mut history: Vec<Observation> = Vec::new();
        for _ in 0..trials {
            let candidate = sampler.propose(&history).unwrap();
            let value = objective(&candidate);
            history.push(Observation {
                candidate,
                score: Some(Score {
                    val_loss: value,
                    val_accuracy: None,
                }),
            });
        }
        history.iter().map(|o| o.score.unwrap().val_loss).collect()
    }

    fn mean(values: &[f64]) -> f64 {
        values.iter().sum::<f64>() / values.len() as f64
    }

    #[test]
    fn same_seed_same_proposals() {
        let space = SearchSpace::default();
        let a = run(&mut TpeSampler::new(space.clone(), 5), 15);
        let b = run(&mut TpeSampler::new(space.clone(), 5), 15);
        let c = run(&mut TpeSampler::new(space, 6), 15);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn concentrates_on_the_optimum_better_than_random() {
        let space = SearchSpace::default();
        let (trials, seeds) = (40, 0..12u64);
        let mut tpe_late = Vec::new();
        let mut random_late = Vec::new();
        let mut tpe_best = Vec::new();
        let mut random_best = Vec::new();
        for seed in seeds {
            let t = run(&mut TpeSampler::new(space.clone(), seed), trials);
            let r = run(&mut RandomSampler::new(space.clone(), seed), trials);
            // The second half of the search: where the model has taken over.
            tpe_late.push(mean(&t[trials / 2..]));
            random_late.push(mean(&r[trials / 2..]));
            tpe_best.push(t.iter().copied().fold(f64::INFINITY, f64::min));
            random_best.push(r.iter().copied().fold(f64::INFINITY, f64::min));
        }
        let (tl, rl) = (mean(&tpe_late), mean(&random_late));
        let (tb, rb) = (mean(&tpe_best), mean(&random_best));
        eprintln!("late trials: tpe {tl:.3}, random {rl:.3}; best: tpe {tb:.3}, random {rb:.3}");
        assert!(tl < 0.6 * rl, "late trials: tpe {tl:.3}, random {rl:.3}");
        assert!(tb < rb, "best found: tpe {tb:.3}, random {rb:.3}");
    }

    #[test]
    fn good_group_is_the_best_quantile_of_finished_trials() {
        let space = SearchSpace::default();
        let mut rng = StdRng::seed_from_u64(0);
        let history: Vec<Observation> = (0..8)
            .map(|i| Observation {
                candidate: space.sample(&mut rng),
                score: (i != 0).then_some(Score {
                    val_loss: 1.0,
                    val_accuracy: Some(i as f64 / 10.0),
                }),
            })
            .collect();
        let (good, bad) = split(&history);
        // ceil(0.25 × 8) = 2: the two highest accuracies; the diverged trial is bad.
        assert_eq!(good, vec![&history[7].candidate, &history[6].candidate]);
        assert_eq!(bad.len(), 6);
        assert!(bad.contains(&&history[0].candidate));
    }

    #[test]
    fn parzen_density_integrates_to_one_and_peaks_at_the_points() {
        let parzen = Parzen::fit(0.0, 4.0, &[1.0, 1.2, 3.0]);
        let steps = 4000;
        let dx = 4.0 / steps as f64;
        let integral: f64 = (0..steps)
            .map(|i| parzen.log_density((i as f64 + 0.5) * dx).exp() * dx)
            .sum();
        assert!((integral - 1.0).abs() < 1e-3, "{integral}");
        assert!(parzen.log_density(1.1) > parzen.log_density(2.2));
        assert_eq!(parzen.log_density(5.0), f64::NEG_INFINITY);
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959964) - 0.975).abs() < 1e-6);
    }

    #[test]
    fn categorical_mixes_counts_with_the_prior() {
        let c = Categorical::fit(4, [0, 0, 1].into_iter());
        // (2 + 0.25) / 4, (1 + 0.25) / 4, 0.25 / 4, 0.25 / 4
        let expected = [0.5625, 0.3125, 0.0625, 0.0625];
        for (p, e) in c.probabilities.iter().zip(expected) {
            assert!((p - e).abs() < 1e-12);
        }
    }
}
