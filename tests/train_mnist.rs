//! Training the course's MNIST net end to end with the `kindling` binary on the real data.

mod common;

use common::{data_dir, read_json, stdout};
use kindling_data::mnist::{self, MnistSet};
use kindling_data::split::validation_split;
use kindling_train::evaluate_classifier;
use kindling_train::recipe::RunConfig;
use kindling_train::run_dir::load_weights;
use std::path::Path;
use std::sync::Arc;

fn train(out: &Path, extra: &[&str]) -> std::process::Output {
    let output = common::train_mnist(&data_dir(), out, extra);
    assert!(
        output.status.success(),
        "training failed:\n{}",
        common::stderr(&output)
    );
    output
}

/// Column `name` of a history.csv, as text (exact digits).
fn history_column(dir: &Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("history.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let index = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|line| line.split(',').nth(index).unwrap().to_string())
        .collect()
}

#[test]
fn ten_epochs_reach_the_course_accuracy_and_write_the_run_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = train(&out, &["--epochs", "10"]);

    let printed = stdout(&output);
    let epoch_lines: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("Epoch "))
        .collect();
    assert_eq!(epoch_lines.len(), 10, "{printed}");
    assert!(
        epoch_lines[2].starts_with("Epoch 3/10 - "),
        "{}",
        epoch_lines[2]
    );
    for part in [
        " - loss: ",
        " - accuracy: ",
        " - val_loss: ",
        " - val_accuracy: ",
    ] {
        assert!(epoch_lines[9].contains(part), "{}", epoch_lines[9]);
    }

    let metrics = read_json(&out.join("metrics.json"));
    let test_accuracy = metrics["test_accuracy"].as_f64().unwrap();
    assert!(test_accuracy >= 0.945, "test accuracy {test_accuracy}");
    assert_eq!(metrics["task"], "mnist");
    assert_eq!(metrics["epochs_run"], 10);
    assert_eq!(metrics["parameters"], 42_310);
    assert_eq!(metrics["train_examples"], 15_889);
    assert_eq!(metrics["valid_examples"], 6_810);
    assert_eq!(metrics["test_examples"], 10_000);
    let backend = metrics["backend"].as_str().unwrap();
    assert!(
        ["flex", "ndarray", "wgpu", "cuda"].contains(&backend),
        "{backend}"
    );
    assert!(
        metrics["device"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains(backend)
    );
    for key in [
        "train_loss",
        "val_loss",
        "val_accuracy",
        "seconds_per_epoch",
        "train_samples_per_second",
    ] {
        assert!(metrics[key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert_eq!(history_column(&out, "epoch").len(), 10);
    for file in ["config.json", "model.bpk", "loss.png", "accuracy.png"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let png = std::fs::read(out.join("loss.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn early_stopping_keeps_the_best_epochs_weights() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    train(&out, &["--epochs", "30", "--patience", "2", "--quiet"]);

    let metrics = read_json(&out.join("metrics.json"));
    let epochs_run = metrics["epochs_run"].as_u64().unwrap() as usize;
    let best_epoch = metrics["best_epoch"].as_u64().unwrap() as usize;
    assert!(epochs_run < 30, "did not stop early: {epochs_run} epochs");
    assert_eq!(metrics["stopped_early"], true);
    // Patience 2: the run ends two epochs after the best one.
    assert_eq!(epochs_run, best_epoch + 2);

    let val_losses: Vec<f64> = history_column(&out, "val_loss")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    let lowest = val_losses.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(val_losses[best_epoch - 1], lowest);
    assert_eq!(metrics["val_loss"].as_f64().unwrap(), lowest);

    // Reload the saved weights and score the same validation rows.
    let config: RunConfig =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    let device = burn::prelude::Device::flex();
    let model = load_weights(
        config.model.dense().unwrap(),
        &out.join("model.bpk"),
        &device,
    )
    .unwrap();
    let rows = Arc::new(mnist::load(&data_dir(), MnistSet::Train).unwrap());
    let split = validation_split(rows.len(), config.fit.validation_split).unwrap();
    let score = evaluate_classifier(&model, rows, split.valid, &device);
    assert!(
        (score.loss - lowest).abs() < 1e-4,
        "reloaded weights give val loss {} but the best epoch had {lowest}",
        score.loss
    );
    assert!((score.accuracy.unwrap() - metrics["val_accuracy"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    train(&a, &["--epochs", "3", "--seed", "7", "--quiet"]);
    train(&b, &["--epochs", "3", "--seed", "7", "--quiet"]);
    train(&c, &["--epochs", "3", "--seed", "8", "--quiet"]);
    for column in ["loss", "accuracy", "val_loss", "val_accuracy"] {
        assert_eq!(
            history_column(&a, column),
            history_column(&b, column),
            "{column}"
        );
    }
    assert_ne!(history_column(&a, "loss"), history_column(&c, "loss"));
}

#[test]
fn diagnostics_add_columns_and_charts_without_changing_training() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let diagnosed = dir.path().join("diagnosed");
    let quick = ["--epochs", "2", "--quiet"];
    train(&plain, &quick);
    train(&diagnosed, &[&quick[..], &["--diagnostics"]].concat());
    assert_eq!(
        history_column(&plain, "loss"),
        history_column(&diagnosed, "loss")
    );
    for layer in 1..=3 {
        for norm in history_column(&diagnosed, &format!("grad_norm_{layer}")) {
            let norm: f64 = norm.parse().unwrap();
            assert!(norm.is_finite() && norm > 0.0, "layer {layer}: {norm}");
        }
    }
    for layer in 1..=2 {
        for fraction in history_column(&diagnosed, &format!("dead_relu_{layer}")) {
            let fraction: f64 = fraction.parse().unwrap();
            assert!((0.0..=1.0).contains(&fraction), "layer {layer}: {fraction}");
        }
    }
    assert!(diagnosed.join("gradient_norms.png").is_file());
    assert!(diagnosed.join("dead_relu.png").is_file());

    // tanh units cannot die: the dead-unit columns stay empty and no chart is drawn.
    let tanh = dir.path().join("tanh");
    train(
        &tanh,
        &[&quick[..], &["--diagnostics", "--activation", "tanh"]].concat(),
    );
    assert!(
        history_column(&tanh, "dead_relu_1")
            .iter()
            .all(String::is_empty)
    );
    assert!(!tanh.join("dead_relu.png").exists());

    // The Learner engine runs the same epoch loop: the same charts, and figures that agree
    // with the fused engine's (the two compute in a different order, so not to the last digit).
    let learner = dir.path().join("learner");
    train(
        &learner,
        &[&quick[..], &["--diagnostics", "--engine", "learner"]].concat(),
    );
    assert!(learner.join("gradient_norms.png").is_file());
    assert!(learner.join("dead_relu.png").is_file());
    for column in ["loss", "grad_norm_1", "grad_norm_3"] {
        let fused = history_column(&diagnosed, column);
        for (epoch, (a, b)) in fused
            .iter()
            .zip(history_column(&learner, column))
            .enumerate()
        {
            let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
            assert!(
                (a - b).abs() <= 0.02 * a.abs().max(0.05),
                "{column}, epoch {}: fused {a}, learner {b}",
                epoch + 1
            );
        }
    }
}
