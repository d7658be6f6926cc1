//! Loading a run directory written by `kindling train` (or a Keras-style `Model::save`) with
//! this crate alone: the network's config, its weights checked against their recorded SHA-256,
//! the input columns and the scaler, as plain data.
//!
//! ```text
//! RUN/model.json     the DenseStackConfig (DenseStackConfig::load reads it)
//! RUN/model.bpk      the DenseStack record (burnpack): layers.{i}.weight, layers.{i}.bias
//! RUN/config.json    the whole run config; its "features" and "scaler" are read here
//! RUN/metrics.json   the summary; its "weights_sha256" is checked against model.bpk
//! ```

use crate::dense_stack::{DenseStack, DenseStackConfigError};
use crate::tabular_models::RegressionMlp;
use burn::prelude::*;
use burn::store::ModuleRecord;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// File name of the weights in a run directory.
pub const WEIGHTS_FILE: &str = "model.bpk";
/// File name of the network's configuration alone (a [`DenseStackConfig`]).
pub const MODEL_CONFIG_FILE: &str = "model.json";
/// File name of the whole run configuration.
pub const RUN_CONFIG_FILE: &str = "config.json";
/// File name of the run's summary, which records the weights' SHA-256.
pub const METRICS_FILE: &str = "metrics.json";

/// Why a run directory or its weights could not be loaded. Every variant names the file.
#[derive(Debug)]
pub enum RunError {
    /// The run directory does not exist or is not a directory.
    NotARunDirectory(PathBuf),
    /// A file the run needs is absent.
    Missing {
        /// The file.
        path: PathBuf,
        /// What to do about it.
        hint: &'static str,
    },
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A JSON file is not what the run wrote.
    Malformed {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        reason: String,
    },
    /// The weights file's SHA-256 differs from the one recorded when it was written.
    ChecksumMismatch {
        /// The weights file.
        path: PathBuf,
        /// The SHA-256 of the file as it is.
        found: String,
        /// The SHA-256 recorded in `metrics.json`.
        recorded: String,
    },
    /// The configuration cannot build a network.
    Config {
        /// The file the configuration came from.
        path: PathBuf,
        /// Why.
        source: DenseStackConfigError,
    },
    /// The weights are not a burnpack record, or do not fit the configured network.
    Weights {
        /// The weights file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl RunError {
    /// The file (or directory) the error is about.
    pub fn path(&self) -> &Path {
        match self {
            RunError::NotARunDirectory(path)
            | RunError::Missing { path, .. }
            | RunError::Read { path, .. }
            | RunError::Malformed { path, .. }
            | RunError::ChecksumMismatch { path, .. }
            | RunError::Config { path, .. }
            | RunError::Weights { path, .. } => path,
        }
    }

    /// What went wrong and what to do, without the path.
    pub fn reason(&self) -> String {
        match self {
            RunError::NotARunDirectory(_) => {
                "no such run directory; pass the --out directory of a `kindling train` run".into()
            }
            RunError::Missing { hint, .. } => (*hint).into(),
            RunError::Read { source, .. } => source.to_string(),
            RunError::Malformed { reason, .. } => {
                format!("malformed ({reason}); retrain to rewrite it")
            }
            RunError::ChecksumMismatch {
                found, recorded, ..
            } => format!(
                "checksum mismatch: the file's SHA-256 is {found} but metrics.json records {recorded}; the weights were changed or corrupted, retrain or restore them"
            ),
            RunError::Config { source, .. } => format!("invalid model: {source}"),
            RunError::Weights { reason, .. } => reason.clone(),
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path().display(), self.reason())
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Read { source, .. } => Some(source),
            RunError::Config { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Lowercase hex SHA-256 of `bytes`, as `metrics.json` records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Loads burnpack `bytes`, read from `path`, into `fresh`, a newly built stack of the right
/// architecture. The bare `DenseStack` layout (`layers.{i}.…`) is tried first; a regressor run
/// written before regressors were saved bare holds the same tensors under `net.`, and loads too.
pub fn load_stack_bytes(
    fresh: DenseStack,
    bytes: Vec<u8>,
    path: &Path,
) -> Result<DenseStack, RunError> {
    let record = |bytes: Vec<u8>| {
        ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes)).map_err(|e| {
            RunError::Weights {
                path: path.to_path_buf(),
                reason: format!("not a readable burnpack file ({e}); retrain the model"),
            }
        })
    };
    let bare = record(bytes.clone())?;
    match fresh.clone().try_load_record(bare) {
        Ok(net) => Ok(net),
        Err(bare_error) => match RegressionMlp::new(fresh).try_load_record(record(bytes)?) {
            Ok(legacy) => Ok(legacy.net),
            Err(_) => Err(RunError::Weights {
                path: path.to_path_buf(),
                reason: format!(
                    "the weights do not fit the configured model ({bare_error}); was it trained with another architecture?"
                ),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::dense_stack::{DenseStackConfig, Head};

    fn outputs(net: &DenseStack, device: &Device) -> Vec<f32> {
        net.forward(Tensor::<2>::ones([2, 3], device))
            .into_data()
            .iter::<f32>()
            .collect()
    }

    fn bytes_of<M: Module>(model: &M) -> Vec<u8> {
        model.clone().into_record().into_bytes().unwrap().to_vec()
    }

    #[test]
    fn loads_bare_stacks_and_the_older_regressor_layout() {
        let device = Device::flex();
        let config =
            DenseStackConfig::uniform(3, &[4], Activation::Relu, 1).with_head(Head::Linear);
        let net = config.init(&device);
        let path = Path::new("model.bpk");
        let bare = load_stack_bytes(config.init(&device), bytes_of(&net), path).unwrap();
        assert_eq!(outputs(&bare, &device), outputs(&net, &device));
        // Regressor runs written before: the same tensors under `net.`.
        let legacy = bytes_of(&RegressionMlp::new(net.clone()));
        let old = load_stack_bytes(config.init(&device), legacy, path).unwrap();
        assert_eq!(outputs(&old, &device), outputs(&net, &device));
    }

    #[test]
    fn other_architectures_and_garbage_are_refused_with_the_file_named() {
        let device = Device::flex();
        let net = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2).init(&device);
        let wider = DenseStackConfig::uniform(3, &[5], Activation::Relu, 2).init(&device);
        let path = Path::new("run/model.bpk");
        let err = load_stack_bytes(wider, bytes_of(&net), path)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("run/model.bpk: the weights do not fit the configured model"),
            "{err}"
        );
        let err = load_stack_bytes(net, b"not burnpack".to_vec(), path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a readable burnpack file"), "{err}");
    }
}
