//! The MNIST speed benchmark behind `kindling bench`: training samples per second at several
//! batch sizes (training steps only, after a warm-up epoch), inference samples per second,
//! data-loading time and peak memory, through the same fit as `kindling train`.

use crate::error::TrainError;
use crate::fit::fit_classifier;
use crate::history::median;
use crate::options::{Engine, FitOptions};
use crate::reporter::Verbosity;
use burn::prelude::*;
use kindling_data::mnist::{self, MnistSet};
use kindling_models::DigitNetConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Training batch sizes, each measured separately.
    pub batch_sizes: Vec<usize>,
    /// Epochs timed after the warm-up epoch (the median counts).
    pub timed_epochs: usize,
    /// Examples per forward pass when timing inference.
    pub inference_batch_size: usize,
    /// The training loop.
    pub engine: Engine,
}

impl Default for BenchOptions {
    /// Batches of 32 and 128, three timed epochs, inference in batches of 1000.
    fn default() -> Self {
        Self {
            batch_sizes: vec![32, 128],
            timed_epochs: 3,
            inference_batch_size: 1000,
            engine: Engine::Auto,
        }
    }
}

/// Training speed at one batch size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainSpeed {
    /// Examples per step.
    pub batch_size: usize,
    /// Training examples per second of training steps (median epoch after the warm-up).
    pub train_samples_per_second: f64,
    /// Training examples per second of whole epochs, validation included (as Keras times an
    /// epoch).
    pub epoch_samples_per_second: f64,
    /// Validation accuracy after the last epoch (a check that the fit is real).
    pub val_accuracy: f64,
}

/// Everything `kindling bench` measured (`bench.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchReport {
    /// The backend the CLI was built with.
    pub backend: String,
    /// The training loop that ran ("fused" or "learner").
    pub engine: String,
    /// The device, as burn describes it.
    pub device: String,
    /// Seconds to read and decode the MNIST training and test files.
    pub data_load_seconds: f64,
    /// Training examples per epoch (the part before the validation split).
    pub train_examples: usize,
    /// Training speed per batch size.
    pub train: Vec<TrainSpeed>,
    /// Examples per forward pass at inference.
    pub inference_batch_size: usize,
    /// Test examples classified per second (softmax probabilities, on the device).
    pub inference_samples_per_second: f64,
    /// The process's peak resident memory in MiB, where the system reports it.
    pub peak_rss_mib: Option<f64>,
}

/// Runs the benchmark on MNIST from `data_dir`; fits write their checkpoints under `work_dir`.
pub fn bench_mnist(
    data_dir: &Path,
    work_dir: &Path,
    backend: &str,
    device: &Device,
    options: &BenchOptions,
) -> Result<BenchReport, TrainError> {
    if options.batch_sizes.is_empty() || options.batch_sizes.contains(&0) {
        return Err(TrainError::InvalidOption {
            name: "batch_sizes",
            value: format!("{:?}", options.batch_sizes),
            reason: "give one or more batch sizes of at least 1".into(),
        });
    }
    if options.timed_epochs == 0 {
        return Err(TrainError::InvalidOption {
            name: "epochs",
            value: "0".into(),
            reason: "time at least one epoch after the warm-up".into(),
        });
    }
    if options.inference_batch_size == 0 {
        return Err(TrainError::InvalidOption {
            name: "inference batch size",
            value: "0".into(),
            reason: "an inference batch holds at least one example".into(),
        });
    }
    let start = Instant::now();
    let train = Arc::new(mnist::load(data_dir, MnistSet::Train)?);
    let test = mnist::load(data_dir, MnistSet::Test)?;
    let data_load_seconds = start.elapsed().as_secs_f64();

    let config = DigitNetConfig::new().stack();
    let mut speeds = Vec::new();
    let mut fits = Vec::new();
    for &batch_size in &options.batch_sizes {
        let fit_options = FitOptions {
            epochs: options.timed_epochs + 1,
            batch_size,
            engine: options.engine,
            ..FitOptions::default()
        };
        // The fit's checkpoints go to a private directory of their own, removed afterwards.
        crate::run_dir::create_dir(work_dir)?;
        let scratch = tempfile::Builder::new()
            .prefix(&format!(".bench-batch-{batch_size}-"))
            .tempdir_in(work_dir)
            .map_err(|e| TrainError::io(work_dir, e))?;
        let dir = scratch.path();
        let fit = fit_classifier(
            &config,
            train.clone(),
            &fit_options,
            device,
            dir,
            Verbosity::Quiet,
        )?;
        drop(scratch);
        let examples = fit.split.train.len();
        let per_second = |seconds: f64| examples as f64 / seconds.max(f64::MIN_POSITIVE);
        speeds.push(TrainSpeed {
            batch_size,
            train_samples_per_second: per_second(fit.history.median_train_seconds()),
            epoch_samples_per_second: per_second(fit.history.median_epoch_seconds()),
            val_accuracy: fit
                .history
                .last()
                .and_then(|e| e.val_accuracy)
                .unwrap_or(f64::NAN),
        });
        fits.push(fit);
    }
    // The batch sizes were checked to be one or more, so there is a last fit.
    let Some(last) = fits.last() else {
        return Err(TrainError::Learner("no fit ran".into()));
    };
    let inference_samples_per_second =
        time_inference(&last.model, &test, options.inference_batch_size, device);
    Ok(BenchReport {
        backend: backend.into(),
        engine: last.engine.name().into(),
        device: format!("{device:?}"),
        data_load_seconds,
        train_examples: last.split.train.len(),
        train: speeds,
        inference_batch_size: options.inference_batch_size,
        inference_samples_per_second,
        peak_rss_mib: peak_rss_mib(),
    })
}

/// Test examples per second through `model` in batches, the median of five passes after one
/// warm-up pass.
fn time_inference(
    model: &kindling_models::DenseStack,
    test: &kindling_data::Rows,
    batch_size: usize,
    device: &Device,
) -> f64 {
    let width = test.width();
    let mut times = Vec::new();
    for _ in 0..6 {
        let start = Instant::now();
        let mut checksum = 0.0f32;
        for first in (0..test.len()).step_by(batch_size) {
            let rows = first..(first + batch_size).min(test.len());
            let inputs = Tensor::<2>::from_data(
                TensorData::new(
                    test.feature_block(rows.clone()).to_vec(),
                    [rows.len(), width],
                ),
                device,
            );
            // Reading the result back makes the device finish the work being timed.
            let total: f32 = model.predict_proba(inputs).sum().into_scalar();
            checksum += total;
        }
        std::hint::black_box(checksum);
        times.push(start.elapsed().as_secs_f64());
    }
    test.len() as f64 / median(&mut times[1..]).max(f64::MIN_POSITIVE)
}

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`), on Linux.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
