//! The course's tables end to end: train, evaluate, predict in a new process, summary, and the
//! errors for bad tables and tampered models.

mod common;

use common::{assert_clean_failure, data_dir, kindling, read_json, stderr, stdout};
use std::path::Path;

fn train(task: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--quiet"];
    args.extend_from_slice(extra);
    let output = common::train_task(task, &data_dir(), out, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

/// Parses `predict`'s CSV output.
fn predictions(text: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn wages_reaches_the_course_validation_mse_and_predict_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wages");
    train("wages", &out, &[]);
    let metrics = read_json(&out.join("metrics.json"));
    let val_loss = metrics["val_loss"].as_f64().unwrap();
    assert!(val_loss <= 27.0, "validation MSE {val_loss}");
    assert_eq!(metrics["epochs_run"], 30);
    assert_eq!(
        metrics["train_examples"].as_u64().unwrap() + metrics["valid_examples"].as_u64().unwrap(),
        534
    );

    // Predict, in a new process, the validation rows from a CSV the test writes.
    let table = kindling_data::tabular::wages(&data_dir()).unwrap();
    let split = kindling_data::split::validation_split(table.rows.len(), 0.3).unwrap();
    let mut csv = format!("{},wage_per_hour\n", table.feature_names.join(","));
    let (targets, _) = table.rows.values().unwrap();
    for i in split.valid.clone() {
        let cells: Vec<String> = table.rows.features(i).iter().map(f32::to_string).collect();
        csv.push_str(&format!("{},{}\n", cells.join(","), targets[i]));
    }
    let input = dir.path().join("valid.csv");
    std::fs::write(&input, csv).unwrap();
    let output = kindling(&[
        "predict",
        out.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (header, rows) = predictions(&stdout(&output));
    assert_eq!(header, vec!["prediction"]);
    let mse: f64 = split
        .valid
        .clone()
        .zip(&rows)
        .map(|(i, p)| (p[0] - targets[i] as f64).powi(2))
        .sum::<f64>()
        / rows.len() as f64;
    assert!(
        (mse - val_loss).abs() <= 1e-4 * val_loss,
        "predict gives MSE {mse}, training {val_loss}"
    );

    let output = kindling(&["evaluate", out.to_str().unwrap()]);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("validation: 161 examples - loss: {val_loss:.4}")),
        "{text}"
    );
}

#[test]
fn titanic_with_sgd_reaches_the_course_accuracy_and_predict_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titanic");
    train("titanic", &out, &["--optimizer", "sgd"]);
    let metrics = read_json(&out.join("metrics.json"));
    let val_accuracy = metrics["val_accuracy"].as_f64().unwrap();
    assert!(val_accuracy >= 0.69, "validation accuracy {val_accuracy}");
    let config = read_json(&out.join("config.json"));
    assert_eq!(config["fit"]["optimizer"], "sgd");
    assert_eq!(config["fit"]["learning_rate"], 0.01);

    let input = data_dir().join("tabular/titanic_all_numeric.csv");
    let output = kindling(&[
        "predict",
        out.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (header, rows) = predictions(&stdout(&output));
    assert_eq!(header, vec!["probability_0", "probability_1", "class"]);
    assert_eq!(rows.len(), 891);
    let text = std::fs::read_to_string(&input).unwrap();
    let survived: Vec<usize> = text
        .lines()
        .skip(1)
        .map(|l| l[..1].parse().unwrap())
        .collect();
    let valid = 623..891; // floor(891 x 0.7) = 623
    let loss: f64 = valid
        .clone()
        .map(|i| -rows[i][survived[i]].ln())
        .sum::<f64>()
        / 268.0;
    let right = valid
        .clone()
        .filter(|&i| rows[i][2] as usize == survived[i])
        .count();
    let val_loss = metrics["val_loss"].as_f64().unwrap();
    assert!(
        (loss - val_loss).abs() < 1e-4,
        "predict gives {loss}, training {val_loss}"
    );
    assert!((right as f64 / 268.0 - val_accuracy).abs() < 1e-9);
}

#[test]
fn a_flipped_byte_in_the_weights_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titanic");
    train("titanic", &out, &["--epochs", "2"]);
    let weights = out.join("model.bpk");
    let mut bytes = std::fs::read(&weights).unwrap();
    let middle = bytes.len() - 100;
    bytes[middle] ^= 0x40;
    std::fs::write(&weights, bytes).unwrap();
    let input = data_dir().join("tabular/titanic_all_numeric.csv");
    for args in [
        vec![
            "predict",
            out.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ],
        vec!["evaluate", out.to_str().unwrap()],
    ] {
        let output = kindling(&args);
        assert_clean_failure(&output, "model.bpk: checksum mismatch");
    }
}

#[test]
fn bad_run_directories_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    assert_clean_failure(
        &kindling(&["evaluate", missing.to_str().unwrap()]),
        "no such run directory",
    );
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let empty = dir.path().join("empty");
    assert_clean_failure(
        &kindling(&["evaluate", empty.to_str().unwrap()]),
        "config.json: not found",
    );

    // A run whose config names another architecture than its weights.
    let out = dir.path().join("titanic");
    train("titanic", &out, &["--epochs", "1"]);
    let config_path = out.join("config.json");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(&config_path, config.replacen("32", "16", 1)).unwrap();
    assert_clean_failure(
        &kindling(&["evaluate", out.to_str().unwrap()]),
        "config.json: field `model` was changed after training",
    );
    // Without the recorded checksums (a run written before them), the weights do not load.
    let metrics_path = out.join("metrics.json");
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics_path).unwrap()).unwrap();
    let mut metrics = metrics.as_object().unwrap().clone();
    metrics.remove("config_sha256");
    std::fs::write(
        &metrics_path,
        serde_json::Value::Object(metrics).to_string(),
    )
    .unwrap();
    assert_clean_failure(
        &kindling(&["evaluate", out.to_str().unwrap()]),
        "do not fit the configured model",
    );
    std::fs::remove_file(out.join("model.bpk")).unwrap();
    assert_clean_failure(
        &kindling(&["evaluate", out.to_str().unwrap()]),
        "weights file not found",
    );
}

#[test]
fn identical_seeded_runs_write_identical_model_files() {
    let dir = tempfile::tempdir().unwrap();
    for engine in ["fused", "learner"] {
        let files: Vec<Vec<u8>> = (0..2)
            .map(|i| {
                let out = dir.path().join(format!("{engine}-{i}"));
                let out = out.to_str().unwrap();
                let args = [
                    "train", "bank", "--epochs", "2", "--quiet", "--engine", engine,
                ];
                let output = kindling(&[&args[..], &["--out", out]].concat());
                assert!(output.status.success(), "{}", stderr(&output));
                std::fs::read(Path::new(out).join("model.bpk")).unwrap()
            })
            .collect();
        assert!(
            files[0] == files[1],
            "{engine}: the two model.bpk files differ"
        );
    }
}

#[test]
fn summary_prints_the_true_parameter_counts() {
    let data = data_dir();
    let data = data.to_str().unwrap();
    let output = kindling(&["summary", "mnist", "--data-dir", data]);
    assert!(
        stdout(&output).contains("Total params: 42,310"),
        "{}",
        stdout(&output)
    );
    let output = kindling(&["summary", "wages", "--data-dir", data]);
    assert!(
        stdout(&output).contains("Total params: 2,165"),
        "{}",
        stdout(&output)
    );
    assert_clean_failure(
        &kindling(&["summary", "cifar"]),
        "neither a run directory nor a task",
    );
}

/// A data directory whose Titanic file is `text`; trains on it and expects `expected`.
fn bad_titanic(text: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let tabular = dir.path().join("tabular");
    std::fs::create_dir_all(&tabular).unwrap();
    std::fs::write(tabular.join("titanic_all_numeric.csv"), text).unwrap();
    let output = common::train_task("titanic", dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(&output, expected);
    assert_eq!(
        stderr(&output).lines().count(),
        1,
        "one error line:\n{}",
        stderr(&output)
    );
    assert!(!dir.path().join("run/model.bpk").exists());
}

const HEADER: &str = "survived,pclass,age,male\n";

#[test]
fn bad_csv_ragged_row() {
    bad_titanic(
        &format!("{HEADER}0,3,22,1\n1,1,38\n"),
        "titanic_all_numeric.csv line 3: 3 cells, but the header has 4 columns",
    );
}

#[test]
fn bad_csv_non_numeric_cell() {
    bad_titanic(
        &format!("{HEADER}0,3,twenty,1\n"),
        "line 2, column `age`: `twenty` is not a number",
    );
}

#[test]
fn bad_csv_empty_cell() {
    bad_titanic(
        &format!("{HEADER}0,3,,1\n"),
        "line 2, column `age`: empty cell",
    );
}

#[test]
fn bad_csv_nan_cell() {
    bad_titanic(
        &format!("{HEADER}0,3,22,1\n1,1,NaN,0\n"),
        "line 3, column `age`: `NaN` is not a finite number",
    );
}

#[test]
fn bad_csv_infinite_cell() {
    bad_titanic(
        &format!("{HEADER}0,3,inf,1\n"),
        "line 2, column `age`: `inf` is not a finite number",
    );
}

#[test]
fn bad_csv_missing_target_column() {
    bad_titanic(
        "pclass,age,male\n3,22,1\n",
        "line 1: no column `survived`; the header has: pclass, age, male",
    );
}

#[test]
fn bad_csv_empty_file() {
    bad_titanic("", "titanic_all_numeric.csv: the file is empty");
}

#[test]
fn bad_csv_class_out_of_range() {
    bad_titanic(
        &format!("{HEADER}0,3,22,1\n2,1,38,0\n"),
        "line 3, column `survived`: `2` is not a class: a class is an integer from 0 to 1",
    );
}

#[test]
fn the_synthetic_sets_train_to_their_noise_floor() {
    let dir = tempfile::tempdir().unwrap();
    let bank = dir.path().join("bank");
    train("bank", &bank, &[]);
    let val_loss = read_json(&bank.join("metrics.json"))["val_loss"]
        .as_f64()
        .unwrap();
    // The generator's noise has variance about 4 (plus rounding).
    assert!(val_loss < 6.0, "bank validation MSE {val_loss}");
    let drug = dir.path().join("drug");
    train("drug", &drug, &[]);
    let accuracy = read_json(&drug.join("metrics.json"))["val_accuracy"]
        .as_f64()
        .unwrap();
    // 5% of each age group are exceptions, so about 0.95 is the ceiling.
    assert!(accuracy > 0.9, "drug validation accuracy {accuracy}");
    assert_eq!(
        read_json(&drug.join("config.json"))["scaler"]["kind"],
        "minmax"
    );
}

#[test]
fn dropout_and_l2_are_saved_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titanic");
    train(
        "titanic",
        &out,
        &["--dropout", "0.2", "--l2", "0.001", "--epochs", "3"],
    );
    let config = read_json(&out.join("config.json"));
    assert_eq!(config["model"]["dropout"], 0.2);
    assert_eq!(config["model"]["l2"], 0.001);
    let output = kindling(&["evaluate", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let data = data_dir();
    for (flag, value, expected) in [
        ("--dropout", "1.5", "dropout rate 1.5 is outside [0, 1)"),
        (
            "--l2",
            "-1",
            "L2 factor -1 must be a finite number of at least 0",
        ),
    ] {
        let output = common::train_task("titanic", &data, &dir.path().join("bad"), &[flag, value]);
        assert_clean_failure(&output, expected);
    }
}

#[test]
fn a_run_evaluated_on_other_data_is_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titanic");
    train("titanic", &out, &["--epochs", "1"]);
    // Data with fewer feature columns than the model takes.
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join("tabular")).unwrap();
    std::fs::write(
        other.join("tabular/titanic_all_numeric.csv"),
        "survived,age\n0,22\n1,38\n1,26\n",
    )
    .unwrap();
    let output = kindling(&[
        "evaluate",
        out.to_str().unwrap(),
        "--data-dir",
        other.to_str().unwrap(),
    ]);
    assert_clean_failure(
        &output,
        "config.json: the data has 1 features per row but the model takes 10",
    );
    // A table holding only the target column.
    std::fs::write(
        other.join("tabular/titanic_all_numeric.csv"),
        "survived\n0\n1\n",
    )
    .unwrap();
    let output = common::train_task("titanic", &other, &dir.path().join("x"), &[]);
    assert_clean_failure(&output, "no column `(any feature besides the target)`");
    // Absurd sizes are errors, not crashes.
    let data = data_dir();
    let output = common::train_task(
        "titanic",
        &data,
        &dir.path().join("y"),
        &["--hidden", "99999999999"],
    );
    assert_clean_failure(&output, "hidden layer 1 has width 99999999999");
    let output = train(
        "titanic",
        &dir.path().join("z"),
        &["--epochs", "1", "--batch-size", "18446744073709551615"],
    );
    assert!(output.status.success());
}
