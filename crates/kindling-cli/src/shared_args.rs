//! Option groups several commands share, flattened into each (`#[command(flatten)]`). A
//! command whose default or meaning differs adjusts the argument with `mut_arg`.

use clap::Args;
use std::path::PathBuf;

/// Where a command reads its data and writes its results, and how much it prints.
#[derive(Debug, Args)]
pub struct IoArgs {
    /// Data directory [default: $KINDLING_DATA_DIR, else the workspace's data/].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Output directory [default: runs/COMMAND-TIMESTAMP].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print only the results, not every epoch.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The validation split when none is given.
pub const VALIDATION_SPLIT: f64 = 0.3;

impl SplitArgs {
    /// The validation split given, else [`VALIDATION_SPLIT`].
    pub fn validation_split(&self) -> f64 {
        self.validation_split.unwrap_or(VALIDATION_SPLIT)
    }
}

/// The validation split and the seed: what makes two runs comparable.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// Fraction held out for validation: the LAST rows of the training data, before shuffling
    /// (Keras's validation_split) [default: 0.3; mnist --model cnn 0.1].
    #[arg(long, allow_hyphen_values = true)]
    pub validation_split: Option<f64>,
    /// Seed of the initial weights and the shuffling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}
