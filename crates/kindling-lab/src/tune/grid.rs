//! Grid search: every point of the grid once, in a seeded shuffle.

use crate::tune::sampler::{Observation, Sampler};
use crate::tune::space::{Candidate, MAX_GRID_POINTS, SearchSpace};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Proposes the grid's points (see [`SearchSpace::grid_point`]) in an order shuffled from the
/// seed, so that `--trials N` smaller than the grid spreads its N points over the whole grid;
/// then nothing. A grid larger than [`MAX_GRID_POINTS`] is shuffled over its first
/// [`MAX_GRID_POINTS`] points.
#[derive(Debug, Clone)]
pub struct GridSampler {
    space: SearchSpace,
    order: Vec<usize>,
    next: usize,
}

impl GridSampler {
    /// The grid of `space`, shuffled with `seed`.
    pub fn new(space: SearchSpace, seed: u64) -> Self {
        let mut order: Vec<usize> = (0..space.grid_size().min(MAX_GRID_POINTS)).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        Self {
            space,
            order,
            next: 0,
        }
    }

    /// Number of points the sampler will propose.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the grid has no point.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl Sampler for GridSampler {
    fn propose(&mut self, _history: &[Observation]) -> Option<Candidate> {
        let index = *self.order.get(self.next)?;
        self.next += 1;
        self.space.grid_point(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_space() -> SearchSpace {
        SearchSpace {
            layers: vec![1, 2],
            widths: vec![8, 16],
            ..SearchSpace::default()
        }
    }

    #[test]
    fn proposes_each_point_once_then_stops() {
        let space = small_space();
        let mut sampler = GridSampler::new(space.clone(), 7);
        assert_eq!(sampler.len(), space.grid_size());
        let mut seen = Vec::new();
        while let Some(c) = sampler.propose(&[]) {
            assert!(!seen.contains(&c), "{c} twice");
            seen.push(c);
        }
        assert_eq!(seen.len(), space.grid_size());
    }

    #[test]
    fn seeded_shuffle_is_deterministic() {
        let first = |seed| {
            let mut sampler = GridSampler::new(small_space(), seed);
            (0..20)
                .map(|_| sampler.propose(&[]).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(first(1), first(1));
        assert_ne!(first(1), first(2));
    }
}
