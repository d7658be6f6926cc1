//! The course's datasets for [Burn](https://burn.dev).
//!
//! - [`mnist`]: the MNIST digits from the official IDX files (gzip or raw), every defect reported
//!   as a typed [`DataError`] that names the file.
//! - [`Rows`]: an in-memory table of examples (one contiguous `f32` buffer), with [`RowRange`]
//!   serving any slice of it as a Burn [`Dataset`](burn::data::dataset::Dataset) of row
//!   indices (the batchers that turn those into the models' batches are in `kindling-train`).
//! - [`split`]: Keras-compatible validation splits.
//! - `download` (cargo feature `download`, off by default): fetching the data sets from their
//!   official sources over HTTPS, checked against a manifest. Without the feature the crate
//!   pulls in no HTTP client and no checksum code.
//! - [`csv_table`] and [`tabular`]: the course's CSV tables (hourly wages, Titanic), with errors
//!   that name file, line and column; [`shot_log`]: the NBA shot log of 2014-15 (quoted text
//!   columns, game clocks, blank shot clocks filled); [`scale`]: standard and min-max scaling.
//! - [`DataDir`]: where the data lives (`--data-dir`, else `KINDLING_DATA_DIR`, else `data/`).

pub mod csv_table;
mod data_dir;
#[cfg(feature = "download")]
pub mod download;
pub mod encoding;
mod error;
mod idx;
pub mod input_range;
pub mod mnist;
pub mod number;
mod row_range;
mod rows;
pub mod scale;
pub mod shot_log;
pub mod split;
pub mod stdio;
pub mod synthetic;
pub mod tabular;

pub use data_dir::{DATA_DIR_ENV, DataDir};
pub use error::{ChecksumFate, DataError};
pub use idx::{IdxArray, MAX_IDX_BYTES, read_idx};
pub use row_range::RowRange;
pub use rows::{Rows, Targets};

#[cfg(test)]
mod fuzz_tests;
