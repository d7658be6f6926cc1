//! The search strategies: each proposes the next candidate from the trials seen so far.

use crate::tune::grid::GridSampler;
use crate::tune::random::RandomSampler;
use crate::tune::score::Score;
use crate::tune::space::{Candidate, SearchSpace};
use crate::tune::tpe::TpeSampler;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A finished or diverged trial, as a sampler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// What was tried.
    pub candidate: Candidate,
    /// Its score; `None` when it diverged.
    pub score: Option<Score>,
}

/// Proposes candidates.
pub trait Sampler {
    /// The next candidate to try, given every trial so far (in the order they ran); `None` when
    /// the strategy has nothing left to propose (a grid run to its end).
    fn propose(&mut self, history: &[Observation]) -> Option<Candidate>;
}

/// A search strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Every point of the grid, in a seeded shuffle (see [`GridSampler`]).
    Grid,
    /// Independent draws from the space (see [`SearchSpace::sample`]).
    Random,
    /// Tree-structured Parzen estimator (see [`TpeSampler`]).
    Tpe,
}

impl Strategy {
    /// Every strategy.
    pub const ALL: [Strategy; 3] = [Strategy::Grid, Strategy::Random, Strategy::Tpe];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Grid => "grid",
            Strategy::Random => "random",
            Strategy::Tpe => "tpe",
        }
    }

    /// A sampler of this strategy over `space`, seeded with `seed`.
    pub fn sampler(self, space: &SearchSpace, seed: u64) -> Box<dyn Sampler> {
        match self {
            Strategy::Grid => Box::new(GridSampler::new(space.clone(), seed)),
            Strategy::Random => Box::new(RandomSampler::new(space.clone(), seed)),
            Strategy::Tpe => Box::new(TpeSampler::new(space.clone(), seed)),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown strategy `{s}`; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_lists_them_on_error() {
        assert_eq!("TPE".parse::<Strategy>(), Ok(Strategy::Tpe));
        let err = "bayes".parse::<Strategy>().unwrap_err();
        assert!(
            err.contains("`bayes`") && err.contains("grid, random, tpe"),
            "{err}"
        );
    }
}
