//! Burn's training kit from the command line, by Keras's names: optimizers with their own
//! settings, learning-rate schedules, ReduceLROnPlateau and gradient clipping. Each run
//! directory reloads and predicts; what the fused engine lacks is refused under `--engine
//! fused` and trained on the Learner under `auto`; a scheduled run resumes to the same history.

mod common;

use common::{assert_clean_failure, data_dir, history_figures, kindling, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// `kindling train titanic` into `out` with `flags`, and `env` set.
fn train(out: &Path, flags: &[&str], env: &[(&str, &str)]) -> Output {
    let data = data_dir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_kindling"));
    command
        .args(["train", "titanic", "--epochs", "4", "--quiet", "--data-dir"])
        .arg(&data)
        .arg("--out")
        .arg(out)
        .args(flags);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("kindling runs")
}

/// The first rows of the Titanic table, as `predict --input` reads them.
fn titanic_rows(dir: &Path) -> std::path::PathBuf {
    let table =
        std::fs::read_to_string(data_dir().join("tabular/titanic_all_numeric.csv")).unwrap();
    let rows: Vec<&str> = table.lines().take(11).collect();
    let path = dir.join("rows.csv");
    std::fs::write(&path, rows.join("\n") + "\n").unwrap();
    path
}

fn json(run: &Path, file: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(run.join(file)).unwrap()).unwrap()
}

#[test]
fn every_optimizer_schedule_plateau_and_clipping_trains_a_run_that_reloads_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let input = titanic_rows(dir.path());
    let cases: [(&str, &[&str], &str); 6] = [
        (
            "sgd-nesterov",
            &["--optimizer", "sgd", "--momentum", "0.9", "--nesterov"],
            "learner",
        ),
        ("rmsprop", &["--optimizer", "rmsprop"], "learner"),
        (
            "adamw",
            &["--optimizer", "adamw", "--weight-decay", "1e-4"],
            "learner",
        ),
        ("cosine", &["--lr-schedule", "cosine"], "learner"),
        (
            "plateau",
            &["--reduce-lr-on-plateau", "--plateau-patience", "1"],
            "fused",
        ),
        ("clip", &["--clip-norm", "1.0"], "learner"),
    ];
    for (name, flags, engine) in cases {
        let run = dir.path().join(name);
        let trained = train(&run, flags, &[]);
        assert!(trained.status.success(), "{name}: {}", stderr(&trained));
        let metrics = json(&run, "metrics.json");
        assert_eq!(metrics["engine"], engine, "{name}");
        assert!(metrics["val_loss"].as_f64().unwrap().is_finite(), "{name}");
        // The options are recorded with the run.
        let fit = &json(&run, "config.json")["fit"];
        match name {
            "sgd-nesterov" => assert_eq!(
                (fit["momentum"].as_f64(), fit["nesterov"].as_bool()),
                (Some(0.9), Some(true))
            ),
            "rmsprop" => assert_eq!(fit["optimizer"], "rmsprop"),
            "adamw" => assert_eq!(fit["weight_decay"].as_f64(), Some(1e-4)),
            "cosine" => assert_eq!(fit["lr_schedule"]["kind"], "cosine"),
            "plateau" => assert_eq!(fit["reduce_lr_on_plateau"]["patience"], 1),
            _ => assert_eq!(fit["clip_norm"].as_f64(), Some(1.0)),
        }

        let predicted = kindling(&[
            "predict",
            run.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ]);
        assert!(predicted.status.success(), "{name}: {}", stderr(&predicted));
        assert_eq!(stdout(&predicted).lines().count(), 1 + 10, "{name}");
        let evaluated = kindling(&["evaluate", run.to_str().unwrap()]);
        assert!(evaluated.status.success(), "{name}: {}", stderr(&evaluated));
    }
}

#[test]
fn options_are_changed_by_what_they_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // Different settings train different models.
    let plain = dir.path().join("plain");
    let momentum = dir.path().join("momentum");
    assert!(
        train(&plain, &["--optimizer", "sgd", "--engine", "learner"], &[])
            .status
            .success()
    );
    assert!(
        train(&momentum, &["--optimizer", "sgd", "--momentum", "0.9"], &[])
            .status
            .success()
    );
    let weights = |run: &Path| json(run, "metrics.json")["weights_sha256"].clone();
    assert_ne!(weights(&plain), weights(&momentum));

    // The plateau lowers the rate, and says so as Keras does.
    let data = data_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args([
            "train",
            "titanic",
            "--epochs",
            "6",
            "--lr",
            "0.5",
            "--data-dir",
        ])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("plateau"))
        .args([
            "--reduce-lr-on-plateau",
            "--plateau-patience",
            "1",
            "--plateau-factor",
            "0.5",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("ReduceLROnPlateau reducing learning rate to 0.25."),
        "{}",
        stdout(&output)
    );
}

#[test]
fn what_the_fused_engine_lacks_is_refused_there_and_bad_values_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let cases: [(&[&str], &str); 6] = [
        (
            &["--engine", "fused", "--optimizer", "rmsprop"],
            "--engine fused",
        ),
        (&["--engine", "fused", "--clip-norm", "1"], "learner engine"),
        (&["--optimizer", "adam", "--momentum", "0.9"], "--momentum"),
        (
            &["--optimizer", "adam", "--weight-decay", "0.1"],
            "--weight-decay",
        ),
        (&["--nesterov"], "--nesterov"),
        (
            &["--lr-schedule", "cosine", "--reduce-lr-on-plateau"],
            "--reduce-lr-on-plateau",
        ),
    ];
    for (flags, expected) in cases {
        let output = train(&run, flags, &[]);
        assert_clean_failure(&output, expected);
    }
    assert!(!run.join("model.bpk").exists());
}

#[test]
fn a_scheduled_run_stopped_half_way_resumes_to_the_same_history() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--lr-schedule",
        "cosine",
        "--warmup-epochs",
        "1",
        "--momentum",
        "0.9",
        "--optimizer",
        "sgd",
    ];
    let straight = dir.path().join("straight");
    assert!(train(&straight, &flags, &[]).status.success());
    let cut = dir.path().join("cut");
    let stopped = train(&cut, &flags, &[("KINDLING_TEST_STOP_AFTER_EPOCH", "2")]);
    assert_eq!(stopped.status.code(), Some(130), "{}", stderr(&stopped));
    let resumed = kindling(&["train", "--resume", cut.to_str().unwrap(), "--quiet"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(history_figures(&cut), history_figures(&straight));
}

#[test]
fn per_layer_activations_and_kerass_initializers_reach_the_model_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let input = titanic_rows(dir.path());
    let flags = [
        "--hidden",
        "8,4",
        "--activation",
        "relu,tanh",
        "--initializer",
        "he_normal",
    ];
    for engine in ["fused", "learner"] {
        let run = dir.path().join(engine);
        let trained = train(&run, &[&flags[..], &["--engine", engine]].concat(), &[]);
        assert!(trained.status.success(), "{engine}: {}", stderr(&trained));
        let model = &json(&run, "config.json")["model"];
        assert_eq!(model["activations"], serde_json::json!(["relu", "tanh"]));
        assert_eq!(model["initializer"], "he_normal");
        assert_eq!(json(&run, "model.json")["activations"][1], "tanh");
        let predicted = kindling(&[
            "predict",
            run.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ]);
        assert!(
            predicted.status.success(),
            "{engine}: {}",
            stderr(&predicted)
        );
        let summary = stdout(&kindling(&["summary", run.to_str().unwrap()]));
        assert!(summary.contains("tanh"), "{summary}");
    }
    // Both engines start from the same drawn weights.
    let weights = |run: &str| json(&dir.path().join(run), "metrics.json")["train_loss"].clone();
    let (fused, learner) = (weights("fused"), weights("learner"));
    let (a, b) = (fused.as_f64().unwrap(), learner.as_f64().unwrap());
    assert!((a - b).abs() < 0.02 * a.abs().max(1e-3), "{a} {b}");

    // Another initializer draws other weights.
    let glorot = dir.path().join("glorot");
    assert!(train(&glorot, &flags[..4], &[]).status.success());
    assert_ne!(
        json(&glorot, "metrics.json")["weights_sha256"],
        json(&dir.path().join("fused"), "metrics.json")["weights_sha256"]
    );

    let run = dir.path().join("bad");
    let output = train(
        &run,
        &["--hidden", "8,4", "--activation", "relu,tanh,sigmoid"],
        &[],
    );
    assert_clean_failure(
        &output,
        "invalid --activation: 2 hidden layers but 3 activations",
    );
    let output = train(&run, &["--initializer", "orthogonal"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("expected one of: glorot_uniform, he_normal"));
}

#[test]
fn the_kept_epoch_follows_the_monitored_value() {
    let dir = tempfile::tempdir().unwrap();
    // The history's columns: epoch,seconds,train_seconds,loss,accuracy,val_loss,val_accuracy,
    // val_precision,val_recall,val_f1,val_auc.
    let best_by = |run: &Path, column: usize, higher: bool| -> u64 {
        let history = std::fs::read_to_string(run.join("history.csv")).unwrap();
        let mut best: Option<(u64, f64)> = None;
        for line in history.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            let (epoch, value): (u64, f64) =
                (cells[0].parse().unwrap(), cells[column].parse().unwrap());
            let better = best.is_none_or(|(_, b)| if higher { value > b } else { value < b });
            if better {
                best = Some((epoch, value));
            }
        }
        best.unwrap().0
    };
    for (monitor, column, higher) in [
        ("val_loss", 5, false),
        ("val_accuracy", 6, true),
        ("loss", 3, false),
        ("val_f1", 9, true),
        ("val_auc", 10, true),
    ] {
        let run = dir.path().join(monitor);
        let output = train(&run, &["--monitor", monitor, "--lr", "0.05"], &[]);
        assert!(output.status.success(), "{monitor}: {}", stderr(&output));
        let kept = json(&run, "metrics.json")["best_epoch"].as_u64().unwrap();
        assert_eq!(kept, best_by(&run, column, higher), "{monitor}");
        assert_eq!(json(&run, "config.json")["fit"]["monitor"], monitor);
    }

    // The history's header names every column, and the kept epoch's F1 there is the one
    // metrics.json counts for the kept weights.
    let run = dir.path().join("val_f1");
    let history = std::fs::read_to_string(run.join("history.csv")).unwrap();
    assert!(
        history.starts_with("epoch,seconds,train_seconds,loss,accuracy,val_loss,val_accuracy,val_precision,val_recall,val_f1,val_auc\n"),
        "{history}"
    );
    let metrics = json(&run, "metrics.json");
    let kept = metrics["best_epoch"].as_u64().unwrap() as usize;
    let row: Vec<f64> = history
        .lines()
        .nth(kept)
        .unwrap()
        .split(',')
        .map(|c| c.parse().unwrap())
        .collect();
    let scores = &metrics["validation_scores"];
    for (column, field) in [
        (7, "macro_precision"),
        (8, "macro_recall"),
        (9, "macro_f1"),
        (10, "auroc"),
    ] {
        let recorded = scores[field].as_f64().unwrap();
        assert!(
            (row[column] - recorded).abs() < 1e-9,
            "{field}: {} vs {recorded}",
            row[column]
        );
    }

    let output = train(&dir.path().join("iou"), &["--monitor", "val_iou"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("expected one of: val_loss, val_accuracy"));
    let data = data_dir();
    let wages = |out: &str, monitor: &str| {
        Command::new(env!("CARGO_BIN_EXE_kindling"))
            .args([
                "train",
                "wages",
                "--epochs",
                "6",
                "--quiet",
                "--monitor",
                monitor,
            ])
            .arg("--data-dir")
            .arg(&data)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    assert_clean_failure(
        &wages("wages", "val_accuracy"),
        "invalid --monitor val_accuracy: a regressor has no accuracy",
    );
    // A regressor's columns: epoch,seconds,train_seconds,loss,val_loss,val_mse,val_rmse,
    // val_mae,val_r2.
    for (monitor, column, higher) in [("val_mae", 7, false), ("val_r2", 8, true)] {
        let output = wages(monitor, monitor);
        assert!(output.status.success(), "{monitor}: {}", stderr(&output));
        let run = dir.path().join(monitor);
        let kept = json(&run, "metrics.json")["best_epoch"].as_u64().unwrap();
        assert_eq!(kept, best_by(&run, column, higher), "{monitor}");
    }
    let output = train(&dir.path().join("mae"), &["--monitor", "val_mae"], &[]);
    assert_clean_failure(&output, "a classifier has no regression errors");
}
