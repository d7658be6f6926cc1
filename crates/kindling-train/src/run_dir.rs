//! The run directory: what a training run leaves behind, written atomically.
//!
//! ```text
//! DIR/config.json      the task, model and fit options
//! DIR/model.json       the network's `DenseStackConfig` alone (`DenseStackConfig::load`)
//! DIR/model.bpk        the best epoch's weights (burnpack)
//! DIR/history.csv      a row per epoch
//! DIR/metrics.json     the summary (see [`RunMetrics`])
//! DIR/loss.png, DIR/accuracy.png
//! DIR/checkpoint/      per-epoch checkpoints (the latest, or last two, and the best)
//! ```
//!
//! A run is written whole into a private staging directory and swapped in for the old one in
//! a single rename (see [`crate::publish`]), so a reader never sees half of a run, and a run
//! that fails or is killed leaves the earlier run as it was. Single files written later into a
//! run directory (charts, exports) go to a temporary name and are renamed into place
//! ([`write_atomic`]).

use crate::error::TrainError;
use burn::module::{ModuleMapper, Param, ParamId};
use burn::prelude::*;
use burn::store::ModuleRecord;
use kindling_models::{DenseStack, DenseStackConfig};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the weights in a run directory.
pub const WEIGHTS_FILE: &str = "model.bpk";
/// File name of the configuration.
pub const CONFIG_FILE: &str = "config.json";
/// File name of the network's configuration alone, a `DenseStackConfig` that Burn's
/// `Config::load` reads.
pub const MODEL_CONFIG_FILE: &str = "model.json";
/// File name of the summary metrics.
pub const METRICS_FILE: &str = "metrics.json";
/// File name of the per-epoch history.
pub const HISTORY_FILE: &str = "history.csv";

/// The summary of a run (`metrics.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// The task trained ("mnist", ...).
    pub task: String,
    /// The backend that ran ("flex", "ndarray", "wgpu", "cuda").
    pub backend: String,
    /// The training loop that ran ("fused" or "learner").
    #[serde(default)]
    pub engine: String,
    /// The device, as burn describes it.
    pub device: String,
    /// Epochs actually run.
    pub epochs_run: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The epoch whose weights were kept: the best value of the fit's `monitor` (the lowest
    /// validation loss unless told otherwise).
    pub best_epoch: usize,
    /// Training loss of the best epoch.
    pub train_loss: f64,
    /// Training accuracy of the best epoch (classifiers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f64>,
    /// Validation loss of the best epoch.
    pub val_loss: f64,
    /// Validation accuracy of the best epoch (classifiers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val_accuracy: Option<f64>,
    /// Loss on the test set, with the kept weights (tasks with a test set only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_loss: Option<f64>,
    /// Accuracy on the test set, with the kept weights (classification tasks with a test set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<f64>,
    /// Mean wall-clock seconds per epoch, validation included.
    pub seconds_per_epoch: f64,
    /// Training examples per second (median epoch after the first, training part only).
    pub train_samples_per_second: f64,
    /// Number of examples trained on.
    pub train_examples: usize,
    /// Number of examples validated on.
    pub valid_examples: usize,
    /// Number of examples tested on (0 without a test set).
    pub test_examples: usize,
    /// Number of trainable parameters.
    pub parameters: usize,
    /// SHA-256 of `model.bpk`, checked when the model is loaded.
    pub weights_sha256: String,
    /// Whether training ran to its end or was interrupted (see [`crate::interrupt`]).
    #[serde(default)]
    pub status: RunStatus,
    /// The SHA-256 of each field of `config.json` a prediction reads, as written (see
    /// [`crate::run_check`]); empty for runs written before they were recorded.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub config_sha256: std::collections::BTreeMap<String, String>,
    /// Precision, recall, F1, AUROC and the confusion matrix (a classifier), or MSE, RMSE, MAE
    /// and R² (a regressor), of the kept weights on the validation split (see
    /// [`crate::scores`]); absent in runs written before they were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_scores: Option<crate::scores::Scores>,
    /// What the fit changed in its options to run (a batch larger than the training rows); in
    /// the value a run's writer returns, also each chart that could not be drawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Files written in full under temporary names, then renamed into place together by
/// [`StagedFiles::commit`]. Dropped without a commit, it deletes its temporaries and leaves
/// every file it was to replace untouched.
#[derive(Debug, Default)]
pub struct StagedFiles {
    /// (temporary, final path), in the order written.
    staged: Vec<(tempfile::TempPath, PathBuf)>,
}

impl StagedFiles {
    /// Nothing staged yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `bytes` to a temporary file beside `path` and syncs it to disk.
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        create_dir(dir)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let written = (|| {
            let mut file = temporary_in(dir, &name, "")?;
            file.write_all(bytes)?;
            file.as_file().sync_all()?;
            Ok::<_, std::io::Error>(file.into_temp_path())
        })();
        let temporary = written.map_err(|e| TrainError::io(path, e))?;
        self.staged.push((temporary, path.to_path_buf()));
        Ok(())
    }

    /// Stages `value` as pretty JSON.
    pub fn write_json<T: Serialize>(&mut self, path: &Path, value: &T) -> Result<(), TrainError> {
        let json = serde_json::to_string_pretty(value).map_err(|e| TrainError::Record {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        self.write(path, format!("{json}\n").as_bytes())
    }

    /// Stages a model's weights and returns their SHA-256.
    pub fn write_weights<M: Module>(
        &mut self,
        model: &M,
        path: &Path,
    ) -> Result<String, TrainError> {
        let bytes = with_sequential_ids(model.clone())
            .into_record()
            .into_bytes()
            .map_err(|e| TrainError::Record {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        self.write(path, &bytes)?;
        Ok(sha256_hex(&bytes))
    }

    /// Renames every staged file into place, in the order written.
    pub fn commit(mut self) -> Result<(), TrainError> {
        for (temporary, path) in std::mem::take(&mut self.staged) {
            // A temporary that is not renamed is removed when it is dropped.
            temporary
                .persist(&path)
                .map_err(|e| TrainError::io(&path, e.error))?;
        }
        Ok(())
    }
}

/// A new temporary file in `dir` for the file `name`, `.NAME.tmp-XXXXXX` followed by `suffix`:
/// a fresh, unpredictable name, created exclusively (an existing file or a planted link of that
/// name makes the creation fail instead of being written through), removed when dropped unless
/// persisted, and readable as any file the user creates (the umask applies), not owner-only.
pub(crate) fn temporary_in(
    dir: &Path,
    name: &str,
    suffix: &str,
) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.tmp-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(suffix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let mut staged = StagedFiles::new();
    staged.write(path, bytes)?;
    staged.commit()
}

/// Writes `value` as pretty JSON, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), TrainError> {
    let mut staged = StagedFiles::new();
    staged.write_json(path, value)?;
    staged.commit()
}

/// The lock file of a run directory (see [`RunLock`]).
pub const LOCK_FILE: &str = ".kindling.lock";

/// The one writer of a run directory: an advisory lock on its [`LOCK_FILE`] (the operating
/// system's, through `std::fs::File::try_lock`), held from the start of a fit until the
/// [`FitResult`](crate::FitResult) holding it is dropped. The operating system releases it when
/// the process ends, however it ends, so a stale lock file never blocks.
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    /// Takes the lock of `dir` (created if missing), or says which process holds it.
    pub fn acquire(dir: &Path) -> Result<Self, TrainError> {
        create_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| TrainError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for the message a second writer gets.
                let _ = file.set_len(0);
                let _ = write!(file, "{}", std::process::id());
                Ok(Self { _file: file })
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                let holder = match holder.trim() {
                    "" => "another process".to_string(),
                    pid => format!("process {pid}"),
                };
                Err(TrainError::Record {
                    path: dir.to_path_buf(),
                    reason: format!(
                        "{holder} is writing this run directory; wait for it to finish, or choose another directory"
                    ),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(TrainError::io(&path, e)),
        }
    }
}

/// How a run's training ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Every epoch asked for ran, or early stopping ended it.
    #[default]
    Completed,
    /// The process was asked to stop (Ctrl-C, SIGTERM) before the last epoch; the run holds
    /// the best of the epochs that ended, and `kindling train --resume` continues it.
    Interrupted,
}

/// The files a run directory holds, which no other output may replace.
pub const RUN_FILES: [&str; 5] = [
    WEIGHTS_FILE,
    CONFIG_FILE,
    MODEL_CONFIG_FILE,
    METRICS_FILE,
    HISTORY_FILE,
];

/// The charts Kindling draws in a run directory: training curves, diagnostics and the first
/// layer's weights.
pub const CHART_FILES: [&str; 6] = [
    CONFUSION_CHART,
    LOSS_CHART,
    ACCURACY_CHART,
    GRADIENT_NORMS_CHART,
    DEAD_RELU_CHART,
    crate::show_weights::FIRST_LAYER_WEIGHTS_FILE,
];
/// A classifier's confusion matrix on the validation split, as a picture.
pub const CONFUSION_CHART: &str = "confusion_matrix.png";
/// The loss curves of a run.
pub const LOSS_CHART: &str = "loss.png";
/// The accuracy curves of a classifier's run.
pub const ACCURACY_CHART: &str = "accuracy.png";
/// Each layer's gradient norm per epoch (`--diagnostics`).
pub const GRADIENT_NORMS_CHART: &str = "gradient_norms.png";
/// Each layer's share of dead ReLU units per epoch (`--diagnostics`).
pub const DEAD_RELU_CHART: &str = "dead_relu.png";

/// A classifier's confusion matrix on the validation split, as CSV.
pub const CONFUSION_FILE: &str = "confusion_matrix.csv";

/// Whether Kindling writes a file called `name` at the top of a run directory (its run files,
/// charts, default export, lock and the temporaries of its writes): what replacing a run
/// replaces. Everything else there is the user's.
pub fn is_kindling_file(name: &str) -> bool {
    RUN_FILES.contains(&name)
        || CHART_FILES.contains(&name)
        || name == crate::export::SAFETENSORS_FILE
        || name == CONFUSION_FILE
        || name == LOCK_FILE
        || crate::publish::is_temporary(name)
}

/// Whether `path` names one of [`RUN_FILES`] in `run_dir` (however either is spelled: `./`,
/// `..`, links).
pub fn is_run_file(run_dir: &Path, path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let parent = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let same_dir = match (parent.canonicalize(), run_dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    same_dir && RUN_FILES.iter().any(|f| name == *f)
}

/// Whether `a` and `b` are the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Gives a module's parameters the ids 0, 1, 2, … in the order Burn visits them, so that the
/// same weights always make the same bytes: Burn draws parameter ids at random, and a record
/// stores them, so two identical seeded runs would otherwise write different `model.bpk` files
/// (and `weights_sha256` could not prove that they are the same).
struct SequentialIds(u64);

impl SequentialIds {
    fn next<T: burn::module::Parameter>(&mut self, param: Param<T>) -> Param<T> {
        let (_, value, mapper) = param.consume();
        self.0 += 1;
        Param::from_mapped_value(ParamId::from(self.0 - 1), value, mapper)
    }
}

impl ModuleMapper for SequentialIds {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        self.next(param)
    }

    fn map_int<const D: usize>(&mut self, param: Param<Tensor<D, Int>>) -> Param<Tensor<D, Int>> {
        self.next(param)
    }

    fn map_bool<const D: usize>(
        &mut self,
        param: Param<Tensor<D, Bool>>,
    ) -> Param<Tensor<D, Bool>> {
        self.next(param)
    }
}

/// `module` with its parameters' ids replaced by their positions (0, 1, 2, … in the order Burn
/// visits them): the same for every run of a network, so that records are byte-identical and
/// optimizer states match across processes.
pub fn with_sequential_ids<M: Module>(module: M) -> M {
    module.map(&mut SequentialIds(0))
}

/// Whether following the symbolic link `link` comes back to a link already followed.
fn links_loop(link: &Path) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut current = link.to_path_buf();
    while let Ok(target) = std::fs::read_link(&current) {
        if !seen.insert(current.clone()) {
            return true;
        }
        current = match current.parent() {
            Some(parent) if target.is_relative() => parent.join(target),
            _ => target,
        };
    }
    false
}

/// Creates `dir` and its parents, as `std::fs::create_dir_all`, with an error that says what
/// is in the way: a symbolic link on the path that leads nowhere (a loop, or a missing target),
/// or a file where a folder should be, is named as such instead of "File exists".
pub fn create_dir(dir: &Path) -> Result<(), TrainError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        let file_in_the_way = dir
            .ancestors()
            .find(|a| a.metadata().is_ok_and(|m| !m.is_dir()));
        if let Some(file) = file_in_the_way {
            return TrainError::Record {
                path: file.to_path_buf(),
                reason: "is a file, where a folder is needed; name another folder".into(),
            };
        }
        let broken_link = dir.ancestors().find(|a| {
            a.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && a.metadata().is_err()
        });
        match broken_link {
            Some(link) => {
                let why = if links_loop(link) {
                    "a loop of links"
                } else {
                    "its target does not exist"
                };
                TrainError::Record {
                    path: link.to_path_buf(),
                    reason: format!(
                        "a symbolic link that leads nowhere ({why}); remove it or choose another directory"
                    ),
                }
            }
            None => TrainError::io(dir, e),
        }
    })
}

/// Saves a model's weights atomically and returns their SHA-256.
pub fn save_weights<M: Module>(model: &M, path: &Path) -> Result<String, TrainError> {
    let mut staged = StagedFiles::new();
    let sha256 = staged.write_weights(model, path)?;
    staged.commit()?;
    Ok(sha256)
}

/// Lowercase hex SHA-256 of `bytes`, as `metrics.json` records it and
/// [`kindling_models::run::load_checked_weights`] checks it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    kindling_models::run::sha256_hex(bytes)
}

/// Builds the model `config` describes on `device` and loads the weights at `path` into it.
/// A missing file, a truncated or malformed one, or weights of another architecture are
/// errors that name the file.
pub fn load_weights(
    config: &DenseStackConfig,
    path: &Path,
    device: &Device,
) -> Result<DenseStack, TrainError> {
    load_record_into(config.try_init(device)?, path)
}

/// Loads the weights at `path` into `fresh`, a newly built module of the right architecture.
/// The file is read into memory first (burn's file loader reads tensors lazily, from a file
/// that may be gone by then). A missing file, a truncated or malformed one, or weights of
/// another architecture are errors that name the file.
pub fn load_record_into<M: Module>(fresh: M, path: &Path) -> Result<M, TrainError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => TrainError::Record {
            path: path.to_path_buf(),
            reason: "weights file not found".into(),
        },
        _ => TrainError::io(path, e),
    })?;
    load_record_from_bytes(fresh, bytes, path)
}

/// Loads burnpack `bytes`, read from `path`, into `fresh`; as [`load_record_into`].
pub fn load_record_from_bytes<M: Module>(
    fresh: M,
    bytes: Vec<u8>,
    path: &Path,
) -> Result<M, TrainError> {
    let fail = |reason: String| TrainError::Record {
        path: path.to_path_buf(),
        reason,
    };
    let record =
        ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes)).map_err(|e| {
            fail(format!(
                "not a readable burnpack file ({e}); retrain the model"
            ))
        })?;
    fresh.try_load_record(record).map_err(|e| {
        fail(format!(
            "the weights do not fit the configured model ({e}); was it trained with another architecture?"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_models::Activation;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn temporaries_have_fresh_names_and_never_follow_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "theirs").unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir(&run).unwrap();
        // The names the temporaries once had, planted as links out of the directory.
        for pid in [std::process::id(), std::process::id() + 1] {
            let planted = run.join(format!(".model.bpk.tmp-{pid}"));
            std::os::unix::fs::symlink(&outside, planted).unwrap();
        }
        write_atomic(&run.join("model.bpk"), b"ours").unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "theirs");
        assert_eq!(std::fs::read(run.join("model.bpk")).unwrap(), b"ours");
        // Nothing of ours is left behind besides the file and the planted links.
        let names: Vec<String> = std::fs::read_dir(&run)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn a_file_where_a_folder_is_needed_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("afile");
        std::fs::write(&file, "mine").unwrap();
        for target in [file.clone(), file.join("run")] {
            let err = create_dir(&target).unwrap_err().to_string();
            assert!(
                err.contains("afile: is a file, where a folder is needed"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }

    #[cfg(unix)]
    #[test]
    fn links_that_lead_nowhere_are_named_for_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        for target in [a.clone(), a.join("run")] {
            let err = create_dir(&target).unwrap_err().to_string();
            assert!(
                err.contains("a symbolic link that leads nowhere (a loop of links)"),
                "{err}"
            );
            assert!(!err.contains("File exists"), "{err}");
        }
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("missing/x"), &dangling).unwrap();
        let err = create_dir(&dangling).unwrap_err().to_string();
        assert!(err.contains("its target does not exist"), "{err}");
        // A link to a directory is followed as usual.
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        create_dir(&link.join("run")).unwrap();
        assert!(real.join("run").is_dir());
    }

    #[test]
    fn a_failed_write_leaves_every_earlier_file_as_it_was() {
        let dir = tempfile::tempdir().expect("temp dir");
        let model = dir.path().join(WEIGHTS_FILE);
        let config = dir.path().join(CONFIG_FILE);
        std::fs::write(&model, b"old model").expect("write");
        std::fs::write(&config, b"old config").expect("write");
        // A regular file where a folder should be: the second write fails.
        let blocked = dir.path().join("not-a-folder");
        std::fs::write(&blocked, b"").expect("write");

        let mut staged = StagedFiles::new();
        staged.write(&model, b"new model").expect("first write");
        staged.write(&config, b"new config").expect("second write");
        let err = staged
            .write(&blocked.join(METRICS_FILE), b"{}")
            .expect_err("a file in the way");
        assert!(err.to_string().contains("not-a-folder"), "{err}");
        drop(staged);

        assert_eq!(std::fs::read(&model).expect("read"), b"old model");
        assert_eq!(std::fs::read(&config).expect("read"), b"old config");
        assert_eq!(
            names_in(dir.path()),
            [CONFIG_FILE, WEIGHTS_FILE, "not-a-folder"],
            "temporaries left behind"
        );
    }

    #[test]
    fn a_commit_replaces_every_staged_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let model = dir.path().join(WEIGHTS_FILE);
        std::fs::write(&model, b"old model").expect("write");
        let mut staged = StagedFiles::new();
        staged.write(&model, b"new model").expect("write");
        staged
            .write_json(&dir.path().join(METRICS_FILE), &[1, 2])
            .expect("write");
        assert_eq!(std::fs::read(&model).expect("read"), b"old model");
        staged.commit().expect("commit");
        assert_eq!(std::fs::read(&model).expect("read"), b"new model");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(METRICS_FILE)).expect("read"),
            "[\n  1,\n  2\n]\n"
        );
        assert_eq!(names_in(dir.path()), [METRICS_FILE, WEIGHTS_FILE]);
    }

    #[test]
    fn loaded_weights_outlive_their_file() {
        let device = Device::flex();
        let config = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2);
        let net = config.init(&device);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(WEIGHTS_FILE);
        let sha = save_weights(&net, &path).unwrap();
        assert_eq!(sha, sha256_hex(&std::fs::read(&path).unwrap()));
        let loaded = load_weights(&config, &path, &device).unwrap();
        // burn's file loader would read the tensors from here later; ours has them already.
        drop(dir);
        let x = Tensor::<2>::ones([2, 3], &device);
        let a = net
            .forward(x.clone())
            .into_data()
            .iter::<f32>()
            .collect::<Vec<_>>();
        let b = loaded
            .forward(x)
            .into_data()
            .iter::<f32>()
            .collect::<Vec<_>>();
        assert_eq!(a, b);
    }

    #[test]
    fn missing_and_malformed_weights_are_named() {
        let device = Device::flex();
        let config = DenseStackConfig::uniform(3, &[4], Activation::Relu, 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(WEIGHTS_FILE);
        let err = load_weights(&config, &path, &device)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("model.bpk: weights file not found"), "{err}");
        std::fs::write(&path, b"not burnpack").unwrap();
        let err = load_weights(&config, &path, &device)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a readable burnpack file"), "{err}");
    }
}
