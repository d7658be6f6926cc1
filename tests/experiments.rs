//! The course's experiments end to end: `sweep-lr` (and its range test) on Titanic, `compare`
//! on MNIST; each reproduces the course's picture and gives the same table twice with the
//! same seed.

mod common;

use common::{assert_clean_failure, data_dir, kindling, read_json, stdout};
use std::path::Path;

/// Runs `kindling COMMAND --data-dir DATA --out OUT --quiet EXTRA...` and expects success.
fn experiment(command: &str, out: &Path, extra: &[&str]) -> String {
    let data = data_dir();
    let mut args = vec![
        command,
        "--data-dir",
        data.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let output = kindling(&args);
    assert!(
        output.status.success(),
        "{command} failed:\n{}",
        common::stderr(&output)
    );
    stdout(&output)
}

/// The printed table and notes, without the line naming the output directory.
fn results_text(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("Results: "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG"),
        "{} is no PNG",
        path.display()
    );
}

/// The row of the printed table whose first cell is `lr`.
fn row<'a>(text: &'a str, lr: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().next() == Some(lr))
        .unwrap_or_else(|| panic!("no row for lr {lr} in:\n{text}"))
}

#[test]
fn sweep_lr_reproduces_the_course_picture() {
    let dir = tempfile::tempdir().unwrap();
    let first = experiment("sweep-lr", &dir.path().join("a"), &[]);

    // Keras: 1e-6 barely moves, 0.01 is best, 1 explodes in the first epoch and then predicts
    // only the majority class.
    assert!(row(&first, "0.000001").ends_with("stalled"), "{first}");
    assert!(row(&first, "0.01").ends_with("ok"), "{first}");
    assert!(row(&first, "1").ends_with("diverged at epoch 1"), "{first}");
    assert!(first.contains("Best: lr 0.01 "), "{first}");
    assert!(
        first.contains("predict class 0 for every validation row (the majority class"),
        "{first}"
    );

    let out = dir.path().join("a");
    let json = read_json(&out.join("results.json"));
    assert_eq!(json["best_learning_rate"], 0.01);
    let trials = json["trials"].as_array().unwrap();
    let accuracy = |i: usize| trials[i]["final_val_accuracy"].as_f64().unwrap();
    assert!(accuracy(1) > accuracy(0) && accuracy(1) > accuracy(2));
    assert!(
        accuracy(1) > 0.68,
        "lr 0.01 reaches Keras's accuracy: {}",
        accuracy(1)
    );
    let diverged = &trials[2]["status"];
    assert_eq!(diverged["status"], "diverged");
    assert_eq!(diverged["epoch"], 1);
    // After the explosion: the majority class for every row, so its share as accuracy.
    assert_eq!(trials[2]["predicted_classes"], serde_json::json!([268, 0]));
    let majority = json["majority"]["share"].as_f64().unwrap();
    assert!((accuracy(2) - majority).abs() < 1e-9, "{json}");
    assert_eq!(trials[0]["status"]["status"], "stalled");
    for trial in trials {
        assert_eq!(trial["history"]["epochs"].as_array().unwrap().len(), 10);
    }
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("lr,final loss,final val_loss,final val_accuracy,status")
    );
    assert_eq!(csv.lines().count(), 4);
    assert_png(&out.join("losses.png"));
    assert!(out.join("lr-1/history.csv").is_file());

    // Same seed, same table, digit for digit; another seed, other initial weights.
    let again = experiment("sweep-lr", &dir.path().join("b"), &[]);
    assert_eq!(results_text(&first), results_text(&again));
    let csv_again = std::fs::read_to_string(dir.path().join("b/results.csv")).unwrap();
    assert_eq!(csv, csv_again);
    experiment("sweep-lr", &dir.path().join("c"), &["--seed", "1"]);
    let other_seed = std::fs::read_to_string(dir.path().join("c/results.csv")).unwrap();
    assert_ne!(csv, other_seed);
}

#[test]
fn range_test_suggests_a_learning_rate_by_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("range");
    let text = experiment("sweep-lr", &out, &["--range-test"]);
    assert!(text.contains("Suggested lr: "), "{text}");
    assert!(
        text.contains("one tenth of the learning rate with the lowest smoothed loss"),
        "{text}"
    );
    // Rising to lr 10 blows the loss up before the last batch.
    assert!(text.contains("Stopped after "), "{text}");
    let json = read_json(&out.join("results.json"));
    let suggestion = &json["suggestion"];
    let suggested = suggestion["learning_rate"].as_f64().unwrap();
    let at_minimum = suggestion["min_loss_learning_rate"].as_f64().unwrap();
    assert!((suggested * 10.0 / at_minimum - 1.0).abs() < 1e-12);
    let points = json["points"].as_array().unwrap();
    assert!(points.len() < 100);
    let lowest = points
        .iter()
        .filter_map(|p| p["smoothed_loss"].as_f64())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(suggestion["min_smoothed_loss"].as_f64(), Some(lowest));
    // The learning rate rises exponentially from 1e-7.
    let lr = |i: usize| points[i]["learning_rate"].as_f64().unwrap();
    assert_eq!(lr(0), 1e-7);
    assert!((lr(2) / lr(1) - lr(1) / lr(0)).abs() < 1e-9);
    assert_png(&out.join("range-test.png"));
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), points.len() + 1);
}

#[test]
fn compare_stops_both_course_models_early() {
    let dir = tempfile::tempdir().unwrap();
    let first = experiment("compare", &dir.path().join("a"), &[]);
    assert!(
        first.contains("39,760") && first.contains("44,860"),
        "{first}"
    );
    let json = read_json(&dir.path().join("a/results.json"));
    assert_eq!(json["validation_split"], 0.4);
    assert_eq!(json["valid_examples"], 9080);
    let variants = json["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    for (variant, (hidden, parameters)) in variants
        .iter()
        .zip([(vec![50], 39_760), (vec![50, 50, 50], 44_860)])
    {
        assert_eq!(variant["hidden"], serde_json::json!(hidden));
        assert_eq!(variant["parameters"], parameters);
        assert_eq!(variant["stopped_early"], true, "{variant}");
        let epochs = variant["epochs_run"].as_u64().unwrap();
        assert!(epochs < 20);
        // Patience 2: the best epoch is two before the last.
        assert_eq!(variant["best_epoch"].as_u64().unwrap(), epochs - 2);
        assert!(variant["val_accuracy"].as_f64().unwrap() > 0.93);
    }
    assert_png(&dir.path().join("a/val-loss.png"));

    // The same table again, the seconds column aside.
    experiment("compare", &dir.path().join("b"), &[]);
    let without_seconds = |run: &str| -> Vec<String> {
        let csv = std::fs::read_to_string(dir.path().join(run).join("results.csv")).unwrap();
        csv.lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string())
            .collect()
    };
    assert_eq!(without_seconds("a"), without_seconds("b"));
}

#[test]
fn compare_takes_wider_variants() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wide");
    let args = [
        "--arch", "50", "--arch", "50,50,50", "--arch", "100", "--epochs", "1",
    ];
    let text = experiment("compare", &out, &args);
    assert!(text.contains("79,510"), "{text}");
    let json = read_json(&out.join("results.json"));
    let variants = json["variants"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["model_1", "model_2", "model_3"]);
    assert!(out.join("model_3-100/history.csv").is_file());
}

#[test]
fn bad_experiment_options_are_named_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let out = out.to_str().unwrap();
    for (args, expected) in [
        (vec!["sweep-lr", "--lrs", "0.01,-1"], "invalid --lrs -1"),
        (vec!["sweep-lr", "--lrs", "nan"], "invalid --lrs NaN"),
        (vec!["sweep-lr", "--lrs", "0"], "invalid --lrs 0"),
        (vec!["sweep-lr", "--lrs", "0.1,0.1"], "listed twice"),
        (
            vec!["sweep-lr", "--hidden", "100,0"],
            "hidden layer 2 has width 0",
        ),
        (
            vec!["sweep-lr", "--range-test", "--range-end", "1e-9"],
            "invalid --range-end 1e-9: the last learning rate must be a number above the first, 1e-7",
        ),
        (vec!["compare", "--arch", "0"], "hidden layer 1 has width 0"),
        (
            vec!["compare", "--arch", "50,x"],
            "`x` is not a layer width",
        ),
        (vec!["compare", "--patience", "0"], "invalid --patience 0"),
        (
            vec!["compare", "mnist", "--task", "titanic"],
            "two tasks given",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--out", out]);
        assert_clean_failure(&kindling(&args), expected);
    }
    assert!(!Path::new(out).exists());
}
