//! Helpers shared by the end-to-end tests: the `kindling` binary and the real data.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real data: `KINDLING_DATA_DIR`, else the workspace's `data/` when it holds MNIST,
/// else `../shared/data` beside the workspace.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KINDLING_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let local = workspace().join("data");
    if local.join("mnist/t10k-images-idx3-ubyte.gz").is_file() {
        return local;
    }
    let shared = workspace().join("../shared/data");
    assert!(
        shared.join("mnist").is_dir(),
        "no MNIST data: run `cargo xtask download mnist` or set KINDLING_DATA_DIR"
    );
    shared
}

/// Runs `kindling ARGS` and returns what it did.
pub fn kindling(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(args)
        .env_remove("KINDLING_DATA_DIR")
        .output()
        .expect("the kindling binary runs")
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A run's `history.csv` without its timing columns (`seconds`, `train_seconds`): what two runs
/// of the same fit must agree on, digit for digit.
pub fn history_figures(run: &Path) -> Vec<String> {
    std::fs::read_to_string(run.join("history.csv"))
        .unwrap()
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            [&cells[..1], &cells[3..]].concat().join(",")
        })
        .collect()
}

/// Asserts that a run failed cleanly: non-zero exit, an `error:` line naming `expected`, and
/// no panic.
pub fn assert_clean_failure(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(!output.status.success(), "should fail; stderr:\n{err}");
    assert_ne!(output.status.code(), Some(101), "panicked:\n{err}");
    assert!(!err.contains("panicked"), "panicked:\n{err}");
    assert!(err.starts_with("error: "), "no error line:\n{err}");
    assert!(err.contains(expected), "expected `{expected}` in:\n{err}");
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// Runs `kindling train TASK --data-dir DATA --out OUT EXTRA...`.
pub fn train_task(task: &str, data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        task,
        "--data-dir",
        data.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    kindling(&args)
}

/// Runs `kindling train mnist --data-dir DATA --out OUT EXTRA...`.
pub fn train_mnist(data: &Path, out: &Path, extra: &[&str]) -> Output {
    train_task("mnist", data, out, extra)
}

/// Runs `kindling COMMAND ARGS --data-dir DATA --out OUT` on the real data.
pub fn run_with_data(command: &str, out: &Path, args: &[&str]) -> Output {
    let data = data_dir();
    let mut all = vec![command];
    all.extend_from_slice(args);
    all.extend([
        "--data-dir",
        data.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
    ]);
    kindling(&all)
}

/// The table printed from the line starting with `header` to the next blank line, each row
/// without its last column (seconds, which differ from run to run).
pub fn table_without_last_column(stdout: &str, header: &str) -> Vec<String> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with(header))
        .take_while(|l| !l.is_empty())
        .map(|l| {
            l.rsplit_once("  ")
                .map_or(l, |(rest, _)| rest)
                .trim_end()
                .to_string()
        })
        .collect()
}
