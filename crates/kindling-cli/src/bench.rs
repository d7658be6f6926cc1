//! `kindling bench`: how fast the compiled backend trains and runs the MNIST digit net.

use crate::backend;
use crate::experiment_setup::{fetch_data_dir, out_dir};
use anyhow::{Context, Result};
use clap::Args;
use kindling_train::Engine;
use kindling_train::bench::{BenchOptions, BenchReport, bench_mnist};
use kindling_train::run_dir::write_json;
use std::path::PathBuf;

/// Arguments of `kindling bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Training batch sizes to time, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "32,128")]
    batch_sizes: Vec<usize>,
    /// Epochs timed after the warm-up epoch (the median counts).
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// Training loop: auto (fused on CPU backends, burn's Learner on GPUs), fused or learner.
    #[arg(long, default_value = "auto")]
    engine: Engine,
    /// Data directory [default: $KINDLING_DATA_DIR, else the workspace's data/].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Where to write bench.json [default: runs/bench-TIMESTAMP].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the benchmark, prints a table and writes `bench.json`.
pub fn run(args: BenchArgs) -> Result<()> {
    let data_dir = fetch_data_dir(args.data_dir.as_deref(), Some("mnist"))?;
    let out = out_dir(args.out, "bench");
    let options = BenchOptions {
        batch_sizes: args.batch_sizes,
        timed_epochs: args.epochs,
        engine: args.engine,
        ..BenchOptions::default()
    };
    let device = backend::device();
    let report = bench_mnist(&data_dir, &out, backend::name(), &device, &options)
        .context("benchmark failed")?;
    print!("{}", table(&report));
    let path = out.join("bench.json");
    write_json(&path, &report)?;
    println!("Wrote {}", path.display());
    Ok(())
}

/// The report as a table.
fn table(report: &BenchReport) -> String {
    let mut text = format!(
        "MNIST 784-50-50-10, {} backend, {} engine, {} training examples\n",
        report.backend, report.engine, report.train_examples
    );
    text.push_str("batch  train samples/s  epoch samples/s (with validation)  val_accuracy\n");
    for speed in &report.train {
        text.push_str(&format!(
            "{:>5}  {:>15.0}  {:>33.0}  {:>12.4}\n",
            speed.batch_size,
            speed.train_samples_per_second,
            speed.epoch_samples_per_second,
            speed.val_accuracy
        ));
    }
    text.push_str(&format!(
        "inference (batch {}): {:.0} samples/s\ndata loading: {:.3} s\n",
        report.inference_batch_size, report.inference_samples_per_second, report.data_load_seconds
    ));
    if let Some(rss) = report.peak_rss_mib {
        text.push_str(&format!("peak RSS: {rss:.0} MiB\n"));
    }
    text
}
