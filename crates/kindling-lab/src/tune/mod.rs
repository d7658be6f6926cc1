//! Hyper-parameter search over the table tasks (`kindling tune`), and the pieces the
//! experiments share: trials on one prepared table, scores, result tables.
//!
//! Every trial trains on the same rows with the same validation split and seed (only the
//! hyper-parameters differ) and writes a full run directory; the best one is copied to
//! `best/`, which `kindling predict` and `kindling evaluate` accept. The strategies are a
//! seeded grid ([`grid`]), seeded random search ([`random`]) and a small TPE ([`tpe`]).

pub mod error;
pub mod grid;
pub mod random;
pub mod report;
pub mod sampler;
pub mod score;
pub mod search;
pub mod space;
pub mod tpe;
pub mod trial;

pub use error::TuneError;
pub use sampler::{Observation, Sampler, Strategy};
pub use score::Score;
pub use search::{TrialRecord, TuneEvent, TuneReport, TuneSettings, tune};
pub use space::{Candidate, LrRange, SearchSpace};
pub use trial::TrialOutcome;
