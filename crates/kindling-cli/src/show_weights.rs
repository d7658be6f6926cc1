//! `kindling show-weights`: what the first layer of an MNIST model learned, as a picture.

use crate::backend;
use anyhow::Result;
use clap::Args;
use kindling_train::show_weights::show_weights;
use std::path::PathBuf;

/// Arguments of `kindling show-weights`.
#[derive(Debug, Args)]
pub struct ShowWeightsArgs {
    /// The run directory of an MNIST model written by `kindling train mnist`.
    run_dir: PathBuf,
    /// The image to write [default: RUN_DIR/first_layer_weights.png].
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Draws the first dense layer's weights as one 28×28 image per unit.
pub fn run(args: ShowWeightsArgs) -> Result<()> {
    let device = backend::device();
    let (path, units) = show_weights(&args.run_dir, args.output.as_deref(), &device)?;
    println!(
        "First layer's weights: {} ({units} units, one 28×28 image each; red positive, blue negative, white 0, each image scaled to its largest |weight|)",
        path.display()
    );
    Ok(())
}
