//! `kindling show-weights`: what the first layer of an MNIST model learned, as a picture.

use crate::backend;
use crate::run_commands::{report_line, write_stdout};
use anyhow::{Context, Result};
use clap::Args;
use kindling_data::stdio::is_stdio;
use kindling_train::show_weights::{FIRST_LAYER_WEIGHTS_FILE, show_weights};
use std::path::PathBuf;

/// Arguments of `kindling show-weights`.
#[derive(Debug, Args)]
pub struct ShowWeightsArgs {
    /// The run directory of an MNIST model written by `kindling train mnist` (either --model).
    run_dir: PathBuf,
    /// The image to write [default: RUN_DIR/first_layer_weights.png]; `-` writes the PNG to
    /// standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Draws the first dense layer's weights as one 28×28 image per unit, or a conv net's
/// first-layer filters.
pub fn run(args: ShowWeightsArgs) -> Result<()> {
    let device = backend::device();
    let to_stdout = args.output.as_deref().is_some_and(is_stdio);
    // The PNG encoder writes files: for standard output, draw into a private directory first.
    let scratch = if to_stdout {
        Some(tempfile::tempdir().context("creating a temporary directory for the image")?)
    } else {
        None
    };
    let output = match &scratch {
        Some(dir) => Some(dir.path().join(FIRST_LAYER_WEIGHTS_FILE)),
        None => args.output,
    };
    crate::train::note_if_interrupted(&args.run_dir);
    let drawing = show_weights(&args.run_dir, output.as_deref(), &device)?;
    let path = &drawing.path;
    let written = if to_stdout {
        let png = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        write_stdout(&png).context("writing the image to standard output")?;
        "standard output".to_string()
    } else {
        path.display().to_string()
    };
    let line = format!(
        "First layer's weights: {written} ({} {}, one {side}×{side} image each; red positive, blue negative, white 0, each image scaled to its largest |weight|)",
        drawing.count,
        drawing.what,
        side = drawing.side,
    );
    report_line(to_stdout, &line);
    Ok(())
}
