//! `cargo xtask <command> [--backend NAME] [ARGS...]`: builds the `kindling` CLI in release
//! mode with the backend feature `NAME` (default: flex) and runs `kindling <command> ARGS...`.

mod side_by_side;

use anyhow::{Context, Result, bail};
use std::process::{Command, ExitCode};

/// Backends the CLI can be built with; the first is the default.
const BACKENDS: [&str; 4] = ["flex", "ndarray", "wgpu", "cuda"];

const USAGE: &str = "usage: cargo xtask <command> [--backend NAME] [ARGS...]

Builds the kindling CLI in release mode with one backend and runs it.

commands:
  train TASK ...     train a model (`cargo xtask train mnist --help` for options)
  download [SET]     fetch data sets: mnist, wages, titanic, shots (prints how to
                     get it by hand) or all
  walkthrough [TOPIC]
                     the from-scratch chapter, printed step by step
  bench              training and inference speed of the MNIST net on the backend
  side-by-side       Kindling, PyTorch and Keras on MNIST back to back, with ratios
                     (`cargo xtask side-by-side --help`)
  capacity [TASK]    add capacity step by step until the validation score stops improving
  tune [TASK] ...    hyper-parameter search: --strategy grid|random|tpe --trials N
  show-weights RUN_DIR
                     draw an MNIST run's first layer as 28x28 images
  sweep-lr [TASK]    one model at several learning rates (--range-test: a range test)
  compare [TASK]     deeper against wider: several hidden layouts, early stopping
  playground         the TensorFlow Playground in the browser, trained live
                     (--port 8080, --host 127.0.0.1, --open)
  <other>            any other kindling command

options:
  --backend NAME     flex (default), ndarray, wgpu or cuda";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || matches!(args[0].as_str(), "-h" | "--help" | "help") {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    if args[0] == "side-by-side" {
        side_by_side::run(&args[1..])?;
        return Ok(ExitCode::SUCCESS);
    }
    let backend = take_backend(&mut args)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--release",
            "--package",
            "kindling-cli",
            "--bin",
            "kindling",
        ])
        // Every build has the fused CPU engine (the CLI's default; `--engine` picks per run)
        // and the playground.
        .args([
            "--no-default-features",
            "--features",
            &format!("{backend},fused,playground"),
            "--",
        ])
        .args(&args)
        .status()
        .context("cannot run cargo")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// Removes `--backend NAME` (or `--backend=NAME`) from `args` and checks the name.
fn take_backend(args: &mut Vec<String>) -> Result<String> {
    let mut backend = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--backend" {
            if i + 1 >= args.len() {
                bail!("--backend needs a name: one of {}", BACKENDS.join(", "));
            }
            backend = Some(args.remove(i + 1));
            args.remove(i);
        } else if let Some(name) = args[i].strip_prefix("--backend=") {
            backend = Some(name.to_string());
            args.remove(i);
        } else {
            i += 1;
        }
    }
    let backend = backend.unwrap_or_else(|| BACKENDS[0].to_string());
    if !BACKENDS.contains(&backend.as_str()) {
        bail!(
            "unknown backend `{backend}`; valid backends: {}",
            BACKENDS.join(", ")
        );
    }
    Ok(backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn takes_the_backend_out_of_the_arguments() {
        let mut args = strings(&["train", "mnist", "--backend", "ndarray", "--epochs", "2"]);
        assert_eq!(take_backend(&mut args).unwrap(), "ndarray");
        assert_eq!(args, strings(&["train", "mnist", "--epochs", "2"]));
        let mut args = strings(&["train", "--backend=wgpu"]);
        assert_eq!(take_backend(&mut args).unwrap(), "wgpu");
        let mut args = strings(&["train"]);
        assert_eq!(take_backend(&mut args).unwrap(), "flex");
    }

    #[test]
    fn an_unknown_backend_lists_the_valid_ones() {
        let mut args = strings(&["train", "--backend", "metal"]);
        let err = take_backend(&mut args).unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown backend `metal`; valid backends: flex, ndarray, wgpu, cuda"
        );
    }
}
