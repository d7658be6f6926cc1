//! `kindling export`: a run's weights in a format other tools read.

use crate::backend;
use anyhow::Result;
use clap::{Args, ValueEnum};
use kindling_train::export::{SAFETENSORS_FILE, WeightLayout, export_safetensors};
use std::path::PathBuf;

/// File formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Read by PyTorch (`safetensors.torch.load_file`), JAX, Hugging Face tools
    /// and burn.
    Safetensors,
}

/// How weight matrices are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// `[outputs, inputs]`, as PyTorch's `nn.Linear` stores them.
    Pytorch,
    /// `[inputs, outputs]`, as burn's `Linear` stores them.
    Burn,
}

impl From<Layout> for WeightLayout {
    fn from(layout: Layout) -> Self {
        match layout {
            Layout::Pytorch => WeightLayout::PyTorch,
            Layout::Burn => WeightLayout::Burn,
        }
    }
}

/// Arguments of `kindling export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A run directory written by `kindling train`.
    run_dir: PathBuf,
    /// The file format.
    #[arg(long, value_enum, default_value_t = Format::Safetensors)]
    format: Format,
    /// Where to write the file [default: RUN_DIR/model.safetensors].
    #[arg(long)]
    output: Option<PathBuf>,
    /// Layout of the weight matrices.
    #[arg(long, value_enum, default_value_t = Layout::Pytorch)]
    layout: Layout,
}

/// Writes a run's weights to a file and lists its tensors.
pub fn run(args: ExportArgs) -> Result<()> {
    let device = backend::device();
    let output = args
        .output
        .unwrap_or_else(|| args.run_dir.join(SAFETENSORS_FILE));
    let layout = WeightLayout::from(args.layout);
    let export = match args.format {
        Format::Safetensors => export_safetensors(&args.run_dir, &output, layout, &device),
    }?;
    println!(
        "Wrote {} (safetensors, {} layout: weights are {})",
        export.path.display(),
        layout.name(),
        layout.weight_shape()
    );
    let width = export
        .tensors
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(0)
        .max("tensor".len());
    println!("{:<width$}  shape", "tensor");
    for tensor in &export.tensors {
        let dims: Vec<String> = tensor.shape.iter().map(usize::to_string).collect();
        println!("{:<width$}  [{}]", tensor.name, dims.join(", "));
    }
    Ok(())
}
