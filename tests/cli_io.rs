//! The command line as a Unix tool: closed pipes, `-` for standard input and output, options
//! recorded as applied, short numbers in errors, and the warning for inputs far outside the
//! training range.

mod common;

use common::{assert_clean_failure, data_dir, kindling, read_json, stderr, stdout};
use safetensors::SafeTensors;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Trains Titanic for one epoch into `dir/titanic` and returns the run directory.
fn titanic_run(dir: &Path, extra: &[&str]) -> (PathBuf, Output) {
    let out = dir.join("titanic");
    let mut args = vec!["--epochs", "1"];
    args.extend_from_slice(extra);
    let output = common::train_task("titanic", &data_dir(), &out, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    (out, output)
}

/// Titanic's table with its rows repeated `times` times.
fn repeated_titanic(times: usize) -> String {
    let text = std::fs::read_to_string(data_dir().join("tabular/titanic_all_numeric.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    for _ in 0..times {
        for row in &rows {
            out.push_str(row);
            out.push('\n');
        }
    }
    out
}

/// Runs `kindling ARGS` with `input` on standard input.
fn kindling_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(args)
        .env_remove("KINDLING_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}

#[test]
fn predict_into_a_reader_that_closes_early_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = titanic_run(dir.path(), &["--quiet"]);
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    let input = dir.path().join("many.csv");
    std::fs::write(&input, repeated_titanic(300)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args([
            "predict",
            run.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        first.push(line);
    }
    drop(reader); // `head -3`
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert!(first[0].starts_with("probability_0,probability_1,class"));
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("error"), "{err}");
    assert!(err.is_empty(), "nothing on stderr:\n{err}");
    assert!(output.status.success(), "{:?}", output.status);
}

#[test]
fn a_dash_is_standard_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = titanic_run(dir.path(), &["--quiet"]);
    let run = run.to_str().unwrap();
    let rows = repeated_titanic(1);
    let input = dir.path().join("rows.csv");
    std::fs::write(&input, &rows).unwrap();

    let from_file = kindling(&["predict", run, "--input", input.to_str().unwrap()]);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let from_stdin = kindling_with_stdin(
        &["predict", run, "--input", "-", "--output", "-"],
        rows.as_bytes(),
    );
    assert!(from_stdin.status.success(), "{}", stderr(&from_stdin));
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert!(stdout(&from_file).lines().count() > 700);

    // Errors in standard input name it.
    let bad = kindling_with_stdin(&["predict", run, "--input", "-"], b"pclass,age\n1,oops\n");
    assert_clean_failure(&bad, "standard input line 2");

    // export and show-weights write their files to standard output.
    let to_file = dir.path().join("weights.safetensors");
    let exported = kindling(&["export", run, "--output", to_file.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let piped = kindling(&["export", run, "--output", "-"]);
    assert!(piped.status.success(), "{}", stderr(&piped));
    // The same tensors and metadata (burn-store orders the header's metadata as it likes).
    let file_bytes = std::fs::read(&to_file).unwrap();
    let (from_pipe, from_file) = (
        SafeTensors::deserialize(&piped.stdout).unwrap(),
        SafeTensors::deserialize(&file_bytes).unwrap(),
    );
    let mut names = from_file.names();
    names.sort();
    assert_eq!(names.len(), 4);
    for name in names {
        assert_eq!(
            from_pipe.tensor(name).unwrap().data(),
            from_file.tensor(name).unwrap().data()
        );
    }
    let metadata = |bytes: &[u8]| SafeTensors::read_metadata(bytes).unwrap().1;
    assert_eq!(
        metadata(&piped.stdout).metadata(),
        metadata(&file_bytes).metadata()
    );
    assert!(
        stderr(&piped).contains("layers.0.weight"),
        "{}",
        stderr(&piped)
    );
    assert!(!Path::new("-").exists() && !Path::new(run).join("-").exists());
}

#[test]
fn a_clamped_batch_is_recorded_as_applied_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (run, output) = titanic_run(dir.path(), &["--batch-size", "100000000", "--quiet"]);
    let config = read_json(&run.join("config.json"));
    let metrics = read_json(&run.join("metrics.json"));
    let rows = metrics["train_examples"].as_u64().unwrap();
    assert_eq!(config["fit"]["batch_size"].as_u64(), Some(rows));
    let err = stderr(&output);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "warning: batch size 100000000 is larger than the {rows} training rows"
        )),
        "{err}"
    );
}

#[test]
fn errors_echo_numbers_as_written_and_short() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = common::train_task(
        "titanic",
        &data_dir(),
        &out,
        &["--validation-split", "1e-300"],
    );
    assert_clean_failure(&output, "validation split 1e-300 ");
    assert!(stderr(&output).len() < 200, "{}", stderr(&output));
}

#[test]
fn raw_pixels_get_one_warning_and_scaled_ones_none() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("mnist");
    let output = common::train_mnist(&data_dir(), &run, &["--epochs", "1", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let test =
        kindling_data::mnist::load(&data_dir(), kindling_data::mnist::MnistSet::Test).unwrap();
    let header: Vec<String> = (0..784).map(|i| format!("pixel{i}")).collect();
    let write = |name: &str, scale: f32| {
        let mut csv = format!("{}\n", header.join(","));
        for i in 0..20 {
            let cells: Vec<String> = test
                .features(i)
                .iter()
                .map(|p| (p * scale).round().to_string())
                .collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        let path = dir.path().join(name);
        std::fs::write(&path, csv).unwrap();
        path
    };
    let predict = |input: &Path| {
        let output = kindling(&[
            "predict",
            run.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        output
    };
    let output = predict(&write("raw.csv", 255.0));
    let err = stderr(&output);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(
        err.contains("far outside the range the model was trained on"),
        "{err}"
    );
    assert!(err.contains("divided by 255"), "{err}");
    assert_eq!(stdout(&output).lines().count(), 21);

    // Pixels scaled as in training (rounded to 0 or 1 here) are within range.
    let output = predict(&write("scaled.csv", 1.0));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}
