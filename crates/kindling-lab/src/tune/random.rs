//! Random search: independent, seeded draws from the space.

use crate::tune::sampler::{Observation, Sampler};
use crate::tune::space::{Candidate, SearchSpace};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Draws each candidate independently with [`SearchSpace::sample`]; the same seed gives the
/// same candidates.
#[derive(Debug, Clone)]
pub struct RandomSampler {
    space: SearchSpace,
    rng: StdRng,
}

impl RandomSampler {
    /// A sampler over `space` seeded with `seed`.
    pub fn new(space: SearchSpace, seed: u64) -> Self {
        Self {
            space,
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl Sampler for RandomSampler {
    fn propose(&mut self, _history: &[Observation]) -> Option<Candidate> {
        Some(self.space.sample(&mut self.rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_candidates() {
        let draw = |seed| {
            let mut sampler = RandomSampler::new(SearchSpace::default(), seed);
            (0..10)
                .map(|_| sampler.propose(&[]).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }
}
