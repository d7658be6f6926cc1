//! The course's datasets for [Burn](https://burn.dev).
//!
//! - [`mnist`]: the MNIST digits from the official IDX files (gzip or raw), every defect reported
//!   as a typed [`DataError`] that names the file.
//! - [`Rows`]: an in-memory table of examples (one contiguous `f32` buffer), with
//!   [`ClassificationBatcher`] building Burn batches straight from it and [`RowRange`] serving
//!   any slice of it as a Burn [`Dataset`](burn::data::dataset::Dataset).
//! - [`split`]: Keras-compatible validation splits.
//! - [`download`]: fetching the data sets from their official sources, checked against a
//!   manifest.
//! - [`csv_table`] and [`tabular`]: the course's CSV tables (hourly wages, Titanic), with errors
//!   that name file, line and column; [`shot_log`]: the NBA shot log of 2014-15 (quoted text
//!   columns, game clocks, blank shot clocks filled); [`scale`]: standard and min-max scaling.
//! - [`DataDir`]: where the data lives (`--data-dir`, else `KINDLING_DATA_DIR`, else `data/`).

mod batcher;
pub mod csv_table;
mod data_dir;
pub mod download;
mod error;
mod idx;
pub mod input_range;
pub mod mnist;
pub mod number;
mod rows;
pub mod scale;
pub mod shot_log;
pub mod split;
pub mod stdio;
pub mod synthetic;
pub mod tabular;

pub use batcher::{ClassificationBatcher, RegressionBatcher, RowRange};
pub use data_dir::{DATA_DIR_ENV, DataDir};
pub use error::{ChecksumFate, DataError};
pub use idx::{IdxArray, read_idx};
pub use rows::{Rows, Targets};
