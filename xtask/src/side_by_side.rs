//! `cargo xtask side-by-side`: Kindling, PyTorch and Keras train the course's MNIST net back to
//! back on this machine, and the ratios are printed.
//!
//! The reference scripts live in `../shared/reference` (or `--reference DIR`); install them
//! once with their `install.sh`, which makes a virtualenv in
//! `$HOME/.cache/kindling-reference-venv`.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const USAGE: &str = "usage: cargo xtask side-by-side [--model dense|cnn] [--batch-sizes 32,128]
       [--epochs 10] [--data-dir DIR] [--reference DIR] [--python PATH] [--out DIR]
       [--skip-keras]

Trains an MNIST model with Kindling (flex, release), PyTorch (1 and 2 threads) and Keras on the
same data, split and settings, one after the other, and prints samples/s, test accuracy, peak
memory and Kindling's speed ratios. Results go to DIR/side-by-side.json.

--model dense (the default): the course's 784-50-50-10 net, batches 32 and 128, 10 epochs.
--model cnn: Keras's \"Simple MNIST convnet\" (torch_mnist_cnn.py, keras_mnist_cnn.py),
batch 128, 15 epochs, validation split 0.1.";

/// Which MNIST model is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    /// The course's dense digit net.
    Dense,
    /// Keras's "Simple MNIST convnet".
    Cnn,
}

impl Model {
    /// The reference script of `framework` ("torch" or "keras").
    fn script(self, framework: &str) -> String {
        match self {
            Model::Dense => format!("{framework}_mnist.py"),
            Model::Cnn => format!("{framework}_mnist_cnn.py"),
        }
    }

    /// The name `kindling train mnist --model` takes.
    fn name(self) -> &'static str {
        match self {
            Model::Dense => "dense",
            Model::Cnn => "cnn",
        }
    }
}

/// What the command was asked to do.
#[derive(Debug)]
struct Options {
    model: Model,
    batch_sizes: Vec<usize>,
    epochs: usize,
    data_dir: PathBuf,
    reference: PathBuf,
    python: PathBuf,
    out: PathBuf,
    keras: bool,
}

/// One framework's result at one batch size.
struct Row {
    name: String,
    batch: usize,
    train_only: f64,
    with_validation: f64,
    test_accuracy: f64,
    peak_mib: Option<f64>,
}

/// Runs the comparison.
pub fn run(args: &[String]) -> Result<()> {
    let Some(options) = parse(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let scripts = [
        options.model.script("torch"),
        options.model.script("keras"),
        "common.py".into(),
    ];
    for script in &scripts {
        let path = options.reference.join(script);
        if !path.is_file() {
            bail!(
                "{} not found; pass --reference DIR (the folder with the Keras and PyTorch scripts)",
                path.display()
            );
        }
    }
    if !options.python.is_file() {
        bail!(
            "{} not found; install the reference frameworks with {}/install.sh or pass --python PATH",
            options.python.display(),
            options.reference.display()
        );
    }
    let kindling = build_kindling()?;
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let mut rows = Vec::new();
    for &batch in &options.batch_sizes {
        rows.push(run_kindling(&kindling, &options, batch)?);
        for threads in [1, 2] {
            rows.push(run_reference(&options, &scripts[0], batch, Some(threads))?);
        }
        if options.keras {
            rows.push(run_reference(&options, &scripts[1], batch, None)?);
        }
    }
    let report = report(&rows, &options.batch_sizes);
    print!("{report}");
    let json_rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"name": r.name, "batch_size": r.batch,
                "train_samples_per_second": r.train_only,
                "epoch_samples_per_second": r.with_validation,
                "test_accuracy": r.test_accuracy, "peak_rss_mib": r.peak_mib})
        })
        .collect();
    let path = options.out.join("side-by-side.json");
    let text = serde_json::to_string_pretty(
        &json!({"model": options.model.name(), "epochs": options.epochs, "results": json_rows}),
    )?;
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, text + "\n")
        .and_then(|()| std::fs::rename(&temporary, &path))
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("Wrote {}", path.display());
    Ok(())
}

fn parse(args: &[String]) -> Result<Option<Options>> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let model = match args.iter().position(|a| a == "--model") {
        None => Model::Dense,
        Some(i) => match args.get(i + 1).map(String::as_str) {
            Some("dense") => Model::Dense,
            Some("cnn") => Model::Cnn,
            other => bail!(
                "invalid --model `{}`: dense or cnn\n\n{USAGE}",
                other.unwrap_or("")
            ),
        },
    };
    let mut options = Options {
        model,
        batch_sizes: match model {
            Model::Dense => vec![32, 128],
            Model::Cnn => vec![128],
        },
        epochs: match model {
            Model::Dense => 10,
            Model::Cnn => 15,
        },
        // As `kindling` resolves it: KINDLING_DATA_DIR when set and not empty, else the
        // workspace's data/ (xtask cannot call kindling-data's DataDir without building burn).
        data_dir: std::env::var_os("KINDLING_DATA_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("data")),
        reference: workspace().join("../shared/reference"),
        python: home.join(".cache/kindling-reference-venv/bin/python"),
        out: PathBuf::from("runs/side-by-side"),
        keras: true,
    };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if matches!(flag, "-h" | "--help") {
            return Ok(None);
        }
        if flag == "--skip-keras" {
            options.keras = false;
            i += 1;
            continue;
        }
        let value = args
            .get(i + 1)
            .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        match flag {
            "--batch-sizes" => {
                options.batch_sizes = value
                    .split(',')
                    .map(|b| match b.trim().parse::<usize>() {
                        Ok(n) if n > 0 => Ok(n),
                        _ => bail!(
                            "invalid --batch-sizes `{value}`: give positive integers, e.g. 32,128"
                        ),
                    })
                    .collect::<Result<_>>()?;
            }
            "--epochs" => {
                options.epochs = match value.parse::<usize>() {
                    Ok(n) if n >= 2 => n,
                    _ => bail!("invalid --epochs `{value}`: at least 2 (the first is a warm-up)"),
                }
            }
            // Read above, before the defaults it sets.
            "--model" => {}
            "--data-dir" => options.data_dir = PathBuf::from(value),
            "--reference" => options.reference = PathBuf::from(value),
            "--python" => options.python = PathBuf::from(value),
            "--out" => options.out = PathBuf::from(value),
            _ => bail!("unknown option `{flag}`\n\n{USAGE}"),
        }
        i += 2;
    }
    Ok(Some(options))
}

/// Builds the flex CLI in release mode and returns the binary's path.
fn build_kindling() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace())
        .args([
            "build",
            "--release",
            "--package",
            "kindling-cli",
            "--bin",
            "kindling",
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!("building kindling failed");
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "kindling")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo did not report the kindling binary")
}

fn run_kindling(kindling: &Path, options: &Options, batch: usize) -> Result<Row> {
    let run_dir = options.out.join(format!("kindling-b{batch}"));
    let mut command = Command::new(kindling);
    command
        .args([
            "train",
            "mnist",
            "--model",
            options.model.name(),
            "--quiet",
            "--batch-size",
            &batch.to_string(),
        ])
        .args(["--epochs", &options.epochs.to_string()])
        .arg("--data-dir")
        .arg(&options.data_dir)
        .arg("--out")
        .arg(&run_dir);
    println!("kindling, batch {batch} ...");
    let (_, peak_mib) = run_measured(command)?;
    let metrics: Value = read_json(&run_dir.join("metrics.json"))?;
    let history = std::fs::read_to_string(run_dir.join("history.csv"))
        .with_context(|| format!("cannot read {}/history.csv", run_dir.display()))?;
    // Whole epochs (validation included) after the first, as the reference scripts time them.
    let mut seconds: Vec<f64> = history
        .lines()
        .skip(2)
        .filter_map(|l| l.split(',').nth(1)?.parse().ok())
        .collect();
    let examples = number(&metrics, "train_examples")?;
    Ok(Row {
        name: format!("kindling ({})", metrics["engine"].as_str().unwrap_or("?")),
        batch,
        train_only: number(&metrics, "train_samples_per_second")?,
        with_validation: examples / median(&mut seconds),
        test_accuracy: number(&metrics, "test_accuracy")?,
        peak_mib,
    })
}

fn run_reference(
    options: &Options,
    script: &str,
    batch: usize,
    threads: Option<usize>,
) -> Result<Row> {
    let mut command = Command::new(&options.python);
    command
        .arg(options.reference.join(script))
        .args([
            "--batch",
            &batch.to_string(),
            "--epochs",
            &options.epochs.to_string(),
        ])
        .env("REFERENCE_DATA", &options.data_dir)
        .env("REFERENCE_RESULTS", options.out.join("reference-results"))
        .env("TF_CPP_MIN_LOG_LEVEL", "2");
    let framework = script.split("_mnist").next().unwrap_or(script);
    let name = match threads {
        Some(t) => {
            command.args(["--threads", &t.to_string()]);
            // Spin-waiting OpenMP threads are very slow on a busy 2-core machine.
            command.env("OMP_WAIT_POLICY", "PASSIVE");
            format!("{framework} ({t} thread{})", if t == 1 { "" } else { "s" })
        }
        None => framework.to_string(),
    };
    println!("{name}, batch {batch} ...");
    let (stdout, peak_mib) = run_measured(command)?;
    let result: Value = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|rest| rest.split_once(' '))
        .and_then(|(_, json)| serde_json::from_str(json).ok())
        .with_context(|| format!("{script} printed no RESULT line"))?;
    // The convnet scripts record the epoch times only (Keras's without a training-only
    // figure: its epoch, validation included, stands in).
    let with_validation = number(&result, "train_samples_per_s").or_else(|_| {
        Ok::<_, anyhow::Error>(
            number(&result, "n_train")? / number(&result, "median_epoch_s_excl_first")?,
        )
    })?;
    Ok(Row {
        name,
        batch,
        train_only: number(&result, "train_samples_per_s_train_only").unwrap_or(with_validation),
        with_validation,
        test_accuracy: number(&result, "test_acc")?,
        peak_mib,
    })
}

/// Runs `command` to completion, watching its peak resident memory (Linux), and returns its
/// standard output. Both output streams are read while it runs, so a chatty child cannot
/// fill a pipe and stall.
fn run_measured(mut command: Command) -> Result<(String, Option<f64>)> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {:?}", command.get_program()))?;
    let drain = |stream: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|s| Box::new(s) as _));
    let stderr = drain(child.stderr.take().map(|s| Box::new(s) as _));
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .map(str::to_owned)
            })
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        {
            peak = Some(kib / 1024.0);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        bail!("{:?} failed:\n{stderr}", command.get_program());
    }
    Ok((stdout, peak))
}

/// The workspace root: `cargo run` names xtask's folder at run time; the path compiled in
/// stands in when the binary runs on its own (it may name a checkout the build cache came from).
fn workspace() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.join("..")
}

fn report(rows: &[Row], batch_sizes: &[usize]) -> String {
    let mut text = String::from(
        "\nframework          batch  train samples/s  epoch samples/s  test acc  peak RSS\n",
    );
    for r in rows {
        text.push_str(&format!(
            "{:<18} {:>5}  {:>15.0}  {:>15.0}  {:>8.4}  {:>8}\n",
            r.name,
            r.batch,
            r.train_only,
            r.with_validation,
            r.test_accuracy,
            r.peak_mib.map_or("-".into(), |m| format!("{m:.0} MiB"))
        ));
    }
    text.push_str("\nKindling's training speed (training steps only) relative to:\n");
    for &batch in batch_sizes {
        let at = |prefix: &str| {
            rows.iter()
                .filter(|r| r.batch == batch && r.name.starts_with(prefix))
                .max_by(|a, b| a.train_only.total_cmp(&b.train_only))
        };
        let Some(ours) = at("kindling") else { continue };
        for other in ["torch", "keras"] {
            if let Some(theirs) = at(other) {
                text.push_str(&format!(
                    "  batch {batch}: {:.2}x {} (its best setting); test accuracy {:+.4}\n",
                    ours.train_only / theirs.train_only,
                    theirs.name,
                    ours.test_accuracy - theirs.test_accuracy
                ));
            }
        }
    }
    text
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn number(value: &Value, key: &str) -> Result<f64> {
    value[key]
        .as_f64()
        .with_context(|| format!("result has no number `{key}`"))
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_are_parsed_and_bad_values_named() {
        let options = parse(&args(&[
            "--batch-sizes",
            "64",
            "--epochs",
            "3",
            "--skip-keras",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            (options.batch_sizes, options.epochs, options.keras),
            (vec![64], 3, false)
        );
        let err = parse(&args(&["--batch-sizes", "32,0"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid --batch-sizes `32,0`"), "{err}");
        let err = parse(&args(&["--epochs", "1"])).unwrap_err().to_string();
        assert!(err.contains("at least 2"), "{err}");
        assert!(parse(&args(&["--frobnicate", "1"])).is_err());
        assert!(parse(&args(&["--help"])).unwrap().is_none());
        let cnn = parse(&args(&["--model", "cnn"])).unwrap().unwrap();
        assert_eq!(
            (cnn.model, cnn.batch_sizes, cnn.epochs),
            (Model::Cnn, vec![128], 15)
        );
        assert_eq!(cnn.model.script("torch"), "torch_mnist_cnn.py");
        let err = parse(&args(&["--model", "rnn"])).unwrap_err().to_string();
        assert!(err.contains("invalid --model `rnn`: dense or cnn"), "{err}");
    }

    #[test]
    fn ratios_compare_against_each_frameworks_best_setting() {
        let row = |name: &str, speed: f64, accuracy: f64| Row {
            name: name.into(),
            batch: 32,
            train_only: speed,
            with_validation: speed,
            test_accuracy: accuracy,
            peak_mib: None,
        };
        let rows = [
            row("kindling (fused)", 300.0, 0.95),
            row("torch (1 thread)", 50.0, 0.953),
            row("torch (2 threads)", 100.0, 0.953),
            row("keras", 30.0, 0.951),
        ];
        let text = report(&rows, &[32]);
        assert!(text.contains("batch 32: 3.00x torch (2 threads)"), "{text}");
        assert!(text.contains("batch 32: 10.00x keras"), "{text}");
        assert!(text.contains("test accuracy -0.0030"), "{text}");
    }
}
