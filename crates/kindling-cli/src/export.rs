//! `kindling export`: a run's weights in a format other tools read.

use crate::backend;
use crate::run_commands::{report_line, write_stdout};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kindling_data::stdio::is_stdio;
use kindling_train::export::{
    SAFETENSORS_FILE, WeightLayout, export_safetensors, safetensors_bytes,
};
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
    /// Where to write the file [default: RUN_DIR/model.safetensors]; `-` writes it to standard
    /// output (and the list of tensors to standard error).
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
    crate::train::note_if_interrupted(&args.run_dir);
    let layout = WeightLayout::from(args.layout);
    let to_stdout = is_stdio(&output);
    let export = match args.format {
        Format::Safetensors if to_stdout => {
            let (export, bytes) = safetensors_bytes(&args.run_dir, layout, &device)?;
            write_stdout(&bytes).context("writing the export to standard output")?;
            export
        }
        Format::Safetensors => export_safetensors(&args.run_dir, &output, layout, &device)?,
    };
    let listing = |line: String| report_line(to_stdout, &line);
    let written = if to_stdout {
        "standard output".to_string()
    } else {
        export.path.display().to_string()
    };
    let shapes = if export.metadata.get("architecture").map(String::as_str) == Some("cnn") {
        format!(
            "dense weights are {}, kernels [filters, channels, height, width]",
            layout.weight_shape()
        )
    } else {
        format!("weights are {}", layout.weight_shape())
    };
    listing(format!(
        "Wrote {written} (safetensors, {} layout: {shapes})",
        layout.name(),
    ));
    let width = export
        .tensors
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(0)
        .max("tensor".len());
    listing(format!("{:<width$}  shape", "tensor"));
    for tensor in &export.tensors {
        let dims: Vec<String> = tensor.shape.iter().map(usize::to_string).collect();
        listing(format!("{:<width$}  [{}]", tensor.name, dims.join(", ")));
    }
    Ok(())
}
