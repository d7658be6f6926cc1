//! `kindling download`.

use anyhow::Result;
use clap::Args;
use kindling_data::DataDir;
use kindling_data::download::{Existing, Manifest, Outcome, ensure_reporting};
use std::path::PathBuf;

/// Arguments of `kindling download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// Data set to fetch: mnist, wages, titanic, shots or all (shots cannot be fetched: the
    /// command prints how to get it by hand).
    #[arg(default_value = "all")]
    dataset: String,
    /// Data directory [default: $KINDLING_DATA_DIR, else the workspace's data/].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep files already present even when they differ from the official checksum (a local
    /// copy or subset) instead of failing.
    #[arg(long)]
    accept_local: bool,
}

/// Fetches the files of a data set that are missing and verifies those already present; for a
/// file that cannot be fetched (the shot log), prints how to get it by hand.
pub fn run(args: DownloadArgs) -> Result<()> {
    let data_dir = DataDir::resolve(args.data_dir.as_deref());
    let manifest = Manifest::builtin()?;
    let files = manifest.files(&args.dataset)?;
    let existing = if args.accept_local {
        Existing::AcceptLocal
    } else {
        Existing::Verify
    };
    ensure_reporting(data_dir.path(), &files, existing, |path, outcome| {
        let what = match outcome {
            Outcome::Downloaded => "downloaded".to_string(),
            Outcome::Verified => "present, checksum ok".to_string(),
            Outcome::Present => "present, not checked (no checksum to compare it with)".to_string(),
            Outcome::KeptLocalCopy(why) => format!("warning: {why}, unchanged"),
            Outcome::Manual(steps) => {
                format!("not downloaded: it has no stable public address. By hand: {steps}")
            }
        };
        println!("{}: {what}", path.display());
    })?;
    Ok(())
}
