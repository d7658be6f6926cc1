//! `kindling train csv FILE --target COLUMN`: the options that pick and encode the columns of
//! a CSV file of the user's own.

use clap::{Args, ValueEnum};
use kindling_data::encoding::Impute;
use kindling_train::csv_source::CsvSource;
use kindling_train::recipe::ModelKind;
use std::path::PathBuf;

/// Classifier or regressor, by the names `--kind` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Softmax over the target's classes (integers 0, 1, 2, …).
    Classification,
    /// The target's values.
    Regression,
}

/// The columns of `train csv` and how they are read.
#[derive(Debug, Args)]
pub struct CsvArgs {
    /// csv: the column to predict.
    #[arg(long, value_name = "COLUMN")]
    target: Option<String>,
    /// csv: the feature columns, comma-separated [default: every column but the target].
    #[arg(long, value_delimiter = ',', conflicts_with = "exclude")]
    features: Option<Vec<String>>,
    /// csv: columns to leave out of the features, comma-separated.
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// csv: classification or regression [default: classification when the target holds
    /// integers 0..k-1 with k at most 20, else regression].
    #[arg(long)]
    kind: Option<KindArg>,
    /// csv: what fills empty cells: median, mean (a text column's most frequent category for
    /// both) or drop (rows with one are left out of training) [default: an empty cell is an
    /// error naming it].
    #[arg(long)]
    impute: Option<Impute>,
}

impl CsvArgs {
    /// The source `file` with these options; `--target` is required.
    pub fn source(&self, file: PathBuf) -> anyhow::Result<CsvSource> {
        let Some(target) = self.target.clone() else {
            anyhow::bail!(
                "train csv needs --target COLUMN, the column to predict ({})",
                file.display()
            );
        };
        Ok(CsvSource {
            file,
            target,
            features: self.features.clone(),
            exclude: self.exclude.clone(),
            kind: self.kind.map(|kind| match kind {
                KindArg::Classification => ModelKind::Classifier,
                KindArg::Regression => ModelKind::Regressor,
            }),
            impute: self.impute,
        })
    }

    /// Whether any of these options was given (they apply to `train csv` only).
    pub fn any(&self) -> bool {
        self.target.is_some()
            || self.features.is_some()
            || !self.exclude.is_empty()
            || self.kind.is_some()
            || self.impute.is_some()
    }
}
