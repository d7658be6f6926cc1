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

use crate::conv_net::{ConvNet, ConvNetConfig, ConvNetConfigError};
use crate::dense_stack::{
    ArchitectureMismatch, DenseStack, DenseStackConfig, DenseStackConfigError,
};
use crate::tabular_models::RegressionMlp;
use burn::config::{Config, ConfigError};
use burn::nn::Linear;
use burn::prelude::*;
use burn::store::ModuleRecord;
use serde::{Deserialize, Serialize};
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
    /// The conv net's configuration cannot build a network.
    ConvConfig {
        /// The file the configuration came from.
        path: PathBuf,
        /// Why.
        source: ConvNetConfigError,
    },
    /// The run holds another kind of network than the loader reads (a conv net given to
    /// [`load_run`], which loads dense stacks).
    OtherNetwork {
        /// The network's configuration file.
        path: PathBuf,
        /// What to call instead.
        hint: &'static str,
    },
    /// The record's activations or head differ from the configuration's.
    Architecture {
        /// The weights file.
        path: PathBuf,
        /// Which field and how it differs.
        mismatch: ArchitectureMismatch,
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
            | RunError::ConvConfig { path, .. }
            | RunError::OtherNetwork { path, .. }
            | RunError::Architecture { path, .. }
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
            RunError::ConvConfig { source, .. } => format!("invalid model: {source}"),
            RunError::OtherNetwork { hint, .. } => (*hint).into(),
            RunError::Architecture { mismatch, .. } => mismatch.to_string(),
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
            RunError::ConvConfig { source, .. } => Some(source),
            RunError::Architecture { mismatch, .. } => Some(mismatch),
            _ => None,
        }
    }
}

/// Lowercase hex SHA-256 of `bytes`, as `metrics.json` records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The layout of `model.bpk` before it recorded the architecture: the layers alone.
#[derive(Module, Debug)]
struct LegacyStack {
    layers: Vec<Linear>,
}

/// A regressor's `model.bpk` before regressors were saved bare: the layers under `net.`.
#[derive(Module, Debug)]
struct LegacyRegressor {
    net: LegacyStack,
}

/// Loads burnpack `bytes`, read from `path`, into `fresh`, a newly built stack of the right
/// architecture, and refuses a record whose activations or head differ from `fresh`'s
/// ([`DenseStack::check_record`]).
///
/// Records written before the architecture was recorded load too, with the configuration's
/// activations and head: the bare layers (`layers.{i}.…`), or a regressor's under `net.`.
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
    let checked = |net: DenseStack| match net.check_record() {
        Ok(()) => Ok(net),
        Err(mismatch) => Err(RunError::Architecture {
            path: path.to_path_buf(),
            mismatch,
        }),
    };
    let bare_error = match fresh.clone().try_load_record(record(bytes.clone())?) {
        Ok(net) => return checked(net),
        Err(e) => e,
    };
    // A stack saved inside a `RegressionMlp` (what checkpoints of a regressor hold).
    if let Ok(wrapped) = RegressionMlp::new(fresh.clone()).try_load_record(record(bytes.clone())?) {
        return checked(wrapped.net);
    }
    let legacy = LegacyStack {
        layers: fresh.layers.clone(),
    };
    let layers = match legacy.clone().try_load_record(record(bytes.clone())?) {
        Ok(stack) => Some(stack.layers),
        Err(_) => LegacyRegressor { net: legacy }
            .try_load_record(record(bytes)?)
            .ok()
            .map(|regressor| regressor.net.layers),
    };
    match layers {
        Some(layers) => Ok(DenseStack { layers, ..fresh }),
        None => Err(RunError::Weights {
            path: path.to_path_buf(),
            reason: format!(
                "the weights do not fit the configured model ({bare_error}); was it trained with another architecture?"
            ),
        }),
    }
}

/// The scaler a run fitted on its training rows: the network expects
/// `(x - offset) / divisor`, per feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// Per-feature offset (mean or minimum).
    pub offset: Vec<f32>,
    /// Per-feature divisor (standard deviation or range).
    pub divisor: Vec<f32>,
}

impl Scaling {
    /// Scales row-major `features` in place (`offset.len()` columns per row).
    pub fn apply(&self, features: &mut [f32]) {
        let width = self.offset.len().max(1);
        for row in features.chunks_mut(width) {
            for ((x, offset), divisor) in row.iter_mut().zip(&self.offset).zip(&self.divisor) {
                *x = (*x - offset) / divisor;
            }
        }
    }
}

/// A run directory, loaded: the network with its checked weights, and what its inputs are.
#[derive(Debug)]
pub struct Run {
    /// The network's configuration (`model.json`, else `config.json`'s `model`).
    pub config: DenseStackConfig,
    /// The network, on the device it was loaded to.
    pub net: DenseStack,
    /// The input columns, in order (empty for MNIST's pixels).
    pub features: Vec<String>,
    /// The scaler to apply to raw inputs first, where the run has one.
    pub scaling: Option<Scaling>,
}

impl Run {
    /// What the network predicts for row-major, unscaled `features` (`rows × config.input`):
    /// the run's scaler is applied first. Class probabilities for a softmax head, values for a
    /// linear one; `[rows, config.output]`.
    pub fn predict(&self, mut features: Vec<f32>, device: &Device) -> Tensor<2> {
        if let Some(scaling) = &self.scaling {
            scaling.apply(&mut features);
        }
        let rows = features.len() / self.config.input.max(1);
        let input = Tensor::from_data(TensorData::new(features, [rows, self.config.input]), device);
        self.net.predict_proba(input)
    }
}

/// The parts of `config.json` this crate reads (the file holds more: fit options, data
/// directory, ...).
#[derive(Debug, Serialize, Deserialize)]
struct RunFile {
    model: DenseStackConfig,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    scaler: Option<Scaling>,
}

impl Config for RunFile {}

/// The part of `metrics.json` this crate reads.
#[derive(Debug, Serialize, Deserialize)]
struct RecordedWeights {
    weights_sha256: String,
}

impl Config for RecordedWeights {}

/// Reads `path` in full; a missing file is [`RunError::Missing`] with `hint`.
fn read(path: &Path, hint: &'static str) -> Result<Vec<u8>, RunError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => RunError::Missing {
            path: path.to_path_buf(),
            hint,
        },
        _ => RunError::Read {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Parses a JSON file with Burn's [`Config`] reader.
fn read_json<C: Config>(path: &Path, hint: &'static str) -> Result<C, RunError> {
    let bytes = read(path, hint)?;
    C::load_binary(&bytes).map_err(|e| RunError::Malformed {
        path: path.to_path_buf(),
        reason: match e {
            ConfigError::InvalidFormat(reason) | ConfigError::FileNotFound(reason) => reason,
        },
    })
}

/// Reads the weights at `path`, checks them against `recorded_sha256` (what `metrics.json`
/// says; Burn's loader accepts a corrupted payload silently) before anything is loaded, and
/// loads them into the network `config` describes on `device`.
pub fn load_checked_weights(
    config: &DenseStackConfig,
    path: &Path,
    recorded_sha256: &str,
    device: &Device,
) -> Result<DenseStack, RunError> {
    let bytes = read_checked(path, recorded_sha256)?;
    let fresh = config.try_init(device).map_err(|source| RunError::Config {
        path: path.with_file_name(MODEL_CONFIG_FILE),
        source,
    })?;
    // Load the bytes that were checked, not the file again.
    load_stack_bytes(fresh, bytes, path)
}

/// The bytes of the weights file `path`, once their SHA-256 is `recorded_sha256`.
fn read_checked(path: &Path, recorded_sha256: &str) -> Result<Vec<u8>, RunError> {
    let bytes = read(
        path,
        "weights file not found; the run did not finish, retrain it",
    )?;
    let found = sha256_hex(&bytes);
    if found != recorded_sha256 {
        return Err(RunError::ChecksumMismatch {
            path: path.to_path_buf(),
            found,
            recorded: recorded_sha256.to_string(),
        });
    }
    Ok(bytes)
}

/// [`load_checked_weights`] for a conv net: the weights at `path`, checked against
/// `recorded_sha256`, loaded into the [`ConvNet`] `config` describes on `device`.
pub fn load_checked_conv(
    config: &ConvNetConfig,
    path: &Path,
    recorded_sha256: &str,
    device: &Device,
) -> Result<ConvNet, RunError> {
    let bytes = read_checked(path, recorded_sha256)?;
    let fresh = config
        .try_init(device)
        .map_err(|source| RunError::ConvConfig {
            path: path.with_file_name(MODEL_CONFIG_FILE),
            source,
        })?;
    let weights = |reason: String| RunError::Weights {
        path: path.to_path_buf(),
        reason,
    };
    let record =
        ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes)).map_err(|e| {
            weights(format!(
                "not a readable burnpack file ({e}); retrain the model"
            ))
        })?;
    fresh.try_load_record(record).map_err(|e| {
        weights(format!(
            "the weights do not fit the configured model ({e}); was it trained with another architecture?"
        ))
    })
}

/// A run directory of a conv net (`kindling train mnist --model cnn`), loaded.
#[derive(Debug)]
pub struct ConvRun {
    /// The network's configuration (`model.json`).
    pub config: ConvNetConfig,
    /// The network, on the device it was loaded to.
    pub net: ConvNet,
}

/// Loads the conv-net run in `dir` onto `device`: the network from `model.json` and its
/// weights in `model.bpk` once their SHA-256 matches `metrics.json`'s. Its input is the same
/// as the digit net's: pixels divided by 255, no scaler.
pub fn load_conv_run(dir: &Path, device: &Device) -> Result<ConvRun, RunError> {
    if !dir.is_dir() {
        return Err(RunError::NotARunDirectory(dir.to_path_buf()));
    }
    let model_path = dir.join(MODEL_CONFIG_FILE);
    let config: ConvNetConfig = read_json(
        &model_path,
        "not found; is this a run directory written by `kindling train mnist --model cnn`?",
    )?;
    config.validate().map_err(|source| RunError::ConvConfig {
        path: model_path,
        source,
    })?;
    let metrics: RecordedWeights = read_json(
        &dir.join(METRICS_FILE),
        "not found; is this a run directory written by `kindling train`?",
    )?;
    let net = load_checked_conv(
        &config,
        &dir.join(WEIGHTS_FILE),
        &metrics.weights_sha256,
        device,
    )?;
    Ok(ConvRun { config, net })
}

/// Loads the run in `dir` onto `device`: the network from `model.json` (or, in runs written
/// before it, `config.json`'s `model`), the weights in `model.bpk` once their SHA-256 matches
/// `metrics.json`'s `weights_sha256`, and the input columns and scaler from `config.json`.
pub fn load_run(dir: &Path, device: &Device) -> Result<Run, RunError> {
    if !dir.is_dir() {
        return Err(RunError::NotARunDirectory(dir.to_path_buf()));
    }
    let model_path = dir.join(MODEL_CONFIG_FILE);
    if model_path.is_file() && read_json::<ConvNetConfig>(&model_path, "not found").is_ok() {
        return Err(RunError::OtherNetwork {
            path: model_path,
            hint: "the run holds a conv net (`train mnist --model cnn`); load it with `load_conv_run`",
        });
    }
    let run: RunFile = read_json(
        &dir.join(RUN_CONFIG_FILE),
        "not found; is this a run directory written by `kindling train`?",
    )?;
    let (config, config_path): (DenseStackConfig, _) = if model_path.is_file() {
        (read_json(&model_path, "not found")?, model_path)
    } else {
        (run.model, dir.join(RUN_CONFIG_FILE))
    };
    config.validate().map_err(|source| RunError::Config {
        path: config_path,
        source,
    })?;
    let metrics: RecordedWeights = read_json(
        &dir.join(METRICS_FILE),
        "not found; is this a run directory written by `kindling train`?",
    )?;
    let net = load_checked_weights(
        &config,
        &dir.join(WEIGHTS_FILE),
        &metrics.weights_sha256,
        device,
    )?;
    Ok(Run {
        config,
        net,
        features: run.features,
        scaling: run.scaler,
    })
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
        // Runs written before: the layers alone, and a regressor's under `net.`.
        let layers = LegacyStack {
            layers: net.layers.clone(),
        };
        let old = load_stack_bytes(config.init(&device), bytes_of(&layers), path).unwrap();
        assert_eq!(outputs(&old, &device), outputs(&net, &device));
        let regressor = bytes_of(&LegacyRegressor { net: layers });
        let old = load_stack_bytes(config.init(&device), regressor, path).unwrap();
        assert_eq!(outputs(&old, &device), outputs(&net, &device));
    }

    #[test]
    fn a_record_of_other_activations_is_refused_naming_the_field() {
        let device = Device::flex();
        let relu = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2).init(&device);
        let tanh = DenseStackConfig::uniform(3, &[4], Activation::Tanh, 2).init(&device);
        let err = load_stack_bytes(tanh, bytes_of(&relu), Path::new("run/model.bpk")).unwrap_err();
        assert!(matches!(err, RunError::Architecture { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("run/model.bpk: the record's activations are `relu` but the model is configured with `tanh`"),
            "{err}"
        );
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

    /// Writes a run directory as `kindling train` does; returns the network.
    fn write_run(dir: &Path, config: &DenseStackConfig, device: &Device) -> DenseStack {
        let net = config.init(device);
        let bytes = bytes_of(&net);
        std::fs::write(dir.join(WEIGHTS_FILE), &bytes).unwrap();
        config.save(dir.join(MODEL_CONFIG_FILE)).unwrap();
        let run = format!(
            r#"{{"task":"test","model":{},"features":["a","b","c"],"scaler":{{"kind":"standard","offset":[1,2,3],"divisor":[2,2,2]}},"fit":{{}}}}"#,
            burn::config::config_to_json(config)
        );
        std::fs::write(dir.join(RUN_CONFIG_FILE), run).unwrap();
        let metrics = format!(
            r#"{{"task":"test","weights_sha256":"{}"}}"#,
            sha256_hex(&bytes)
        );
        std::fs::write(dir.join(METRICS_FILE), metrics).unwrap();
        net
    }

    #[test]
    fn loads_a_run_with_its_features_and_scaler() {
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let config = DenseStackConfig::uniform(3, &[4], Activation::Tanh, 2);
        let net = write_run(dir.path(), &config, &device);
        let run = load_run(dir.path(), &device).unwrap();
        assert_eq!(run.features, ["a", "b", "c"]);
        assert_eq!(run.config.activations, [Activation::Tanh]);
        let scaling = run.scaling.clone().unwrap();
        assert_eq!(scaling.offset, [1.0, 2.0, 3.0]);
        assert_eq!(scaling.divisor, [2.0; 3]);
        // (x - offset) / divisor of [3, 4, 5] is [1, 1, 1].
        let predicted: Vec<f32> = run
            .predict(vec![3.0, 4.0, 5.0, 3.0, 4.0, 5.0], &device)
            .into_data()
            .iter::<f32>()
            .collect();
        let expected: Vec<f32> = net
            .predict_proba(Tensor::<2>::ones([2, 3], &device))
            .into_data()
            .iter::<f32>()
            .collect();
        assert_eq!(predicted, expected);
        // Without model.json, config.json's model is used.
        std::fs::remove_file(dir.path().join(MODEL_CONFIG_FILE)).unwrap();
        assert_eq!(load_run(dir.path(), &device).unwrap().config.hidden, [4]);
    }

    #[test]
    fn a_corrupted_weights_file_is_refused_before_loading() {
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let config = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2);
        write_run(dir.path(), &config, &device);
        let weights = dir.path().join(WEIGHTS_FILE);
        let mut bytes = std::fs::read(&weights).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x40;
        std::fs::write(&weights, bytes).unwrap();
        let err = load_run(dir.path(), &device).unwrap_err();
        assert!(matches!(err, RunError::ChecksumMismatch { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("model.bpk: checksum mismatch: the file's SHA-256 is"),
            "{err}"
        );
    }

    #[test]
    fn missing_files_and_directories_are_named() {
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let err = load_run(&dir.path().join("nowhere"), &device)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(
                "nowhere: no such run directory; pass the --out directory of a `kindling train` run"
            ),
            "{err}"
        );
        let config = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2);
        write_run(dir.path(), &config, &device);
        std::fs::remove_file(dir.path().join(WEIGHTS_FILE)).unwrap();
        let err = load_run(dir.path(), &device).unwrap_err().to_string();
        assert!(
            err.ends_with("model.bpk: weights file not found; the run did not finish, retrain it"),
            "{err}"
        );
        std::fs::write(dir.path().join(METRICS_FILE), "{}").unwrap();
        let err = load_run(dir.path(), &device).unwrap_err().to_string();
        assert!(
            err.contains("metrics.json: malformed (missing field `weights_sha256`"),
            "{err}"
        );
    }
}
