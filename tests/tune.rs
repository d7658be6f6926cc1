//! `kindling tune` end to end: a tiny search twice with the same seed, the best trial as a run
//! directory that `predict` and `evaluate` use, diverged trials, the time budget, the grid,
//! and bad options.

mod common;

use common::{assert_clean_failure, data_dir, kindling, read_json, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// Runs `kindling tune ARGS --data-dir DATA --out OUT`.
fn tune(out: &Path, args: &[&str]) -> Output {
    common::run_with_data("tune", out, args)
}

/// The table `tune` prints, without its last column (seconds).
fn ranked_table(stdout: &str) -> Vec<String> {
    common::table_without_last_column(stdout, "rank")
}

/// `trials.csv` without its `seconds` column (the last but one; the only quoted column,
/// `hidden`, comes before it).
fn csv_without_seconds(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.lines().next().unwrap().ends_with(",seconds,dir"));
    text.lines()
        .map(|l| {
            let (rest, dir) = l.rsplit_once(',').unwrap();
            let (rest, _seconds) = rest.rsplit_once(',').unwrap();
            format!("{rest},{dir}")
        })
        .collect()
}

#[test]
fn same_seed_same_table_and_the_best_trial_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "titanic",
        "--strategy",
        "tpe",
        "--trials",
        "7",
        "--epochs",
        "2",
        "--seed",
        "3",
    ];
    let first_out = dir.path().join("first");
    let first = tune(&first_out, &args);
    assert!(first.status.success(), "{}", stderr(&first));
    let second_out = dir.path().join("second");
    let second = tune(&second_out, &args);
    assert!(second.status.success(), "{}", stderr(&second));

    let table = ranked_table(&stdout(&first));
    assert_eq!(table.len(), 2 + 7, "{}", stdout(&first));
    assert_eq!(table, ranked_table(&stdout(&second)));
    assert_eq!(
        csv_without_seconds(&first_out.join("trials.csv")),
        csv_without_seconds(&second_out.join("trials.csv"))
    );
    // Each trial was printed as it ended.
    assert_eq!(
        stdout(&first)
            .lines()
            .filter(|l| l.starts_with("trial "))
            .count(),
        7
    );

    // Ranked by validation accuracy, best first.
    let results = read_json(&first_out.join("trials.json"));
    let trials = results["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 7);
    let accuracies: Vec<f64> = trials
        .iter()
        .map(|t| t["score"]["val_accuracy"].as_f64().unwrap())
        .collect();
    assert!(
        accuracies.windows(2).all(|p| p[0] >= p[1]),
        "{accuracies:?}"
    );
    assert_eq!(results["best_trial"], trials[0]["trial"]);
    assert!(first_out.join("scores.png").is_file());
    let best_accuracy = accuracies[0];

    // The best trial is a run directory: predict its validation rows in a new process.
    let best = first_out.join("best");
    let input = data_dir().join("tabular/titanic_all_numeric.csv");
    let output = kindling(&[
        "predict",
        best.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&input).unwrap();
    let survived: Vec<&str> = text.lines().skip(1).map(|l| &l[..1]).collect();
    let classes: Vec<String> = stdout(&output)
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_string())
        .collect();
    assert_eq!(classes.len(), 891);
    let valid = 623..891; // floor(891 × 0.7): the split every trial used
    let right = valid.filter(|&i| classes[i] == survived[i]).count();
    assert!(
        (right as f64 / 268.0 - best_accuracy).abs() < 1e-9,
        "predict: {right}/268, table: {best_accuracy}"
    );
    let output = kindling(&["evaluate", best.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!("accuracy: {best_accuracy:.4}")),
        "{}",
        stdout(&output)
    );
}

#[test]
fn diverged_trials_are_recorded_and_the_search_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tune");
    let output = tune(
        &out,
        &[
            "--strategy",
            "random",
            "--trials",
            "8",
            "--epochs",
            "2",
            "--optimizers",
            "sgd",
            "--activations",
            "relu",
            "--sgd-lr",
            "0.01,3",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let table = ranked_table(&text);
    let diverged = table
        .iter()
        .filter(|l| l.contains("diverged at epoch"))
        .count();
    assert!((1..8).contains(&diverged), "{text}");
    // Diverged trials rank last.
    assert!(
        table[table.len() - diverged..]
            .iter()
            .all(|l| l.contains("diverged"))
    );
    let results = read_json(&out.join("trials.json"));
    let statuses: Vec<&str> = results["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == "diverged").count(),
        diverged
    );
    assert!(out.join("best/model.bpk").is_file());

    // When every trial diverges there is no model to keep: an error, results still written.
    let out = dir.path().join("all-diverge");
    let output = tune(
        &out,
        &[
            "--strategy",
            "random",
            "--trials",
            "3",
            "--epochs",
            "2",
            "--optimizers",
            "sgd",
            "--sgd-lr",
            "50,100",
        ],
    );
    assert_clean_failure(&output, "all 3 trials diverged");
    assert!(out.join("trials.csv").is_file());
    assert!(!out.join("best").exists());
}

#[test]
fn the_time_budget_stops_new_trials() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tune");
    // 0.005 minutes = 0.3 s: a few trials of two epochs, far fewer than 1000.
    let output = tune(
        &out,
        &[
            "--strategy",
            "random",
            "--trials",
            "1000",
            "--epochs",
            "2",
            "--max-minutes",
            "0.005",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Time budget of 0.005 minutes spent after"),
        "{text}"
    );
    let run = read_json(&out.join("trials.json"))["trials_run"]
        .as_u64()
        .unwrap();
    assert!((1..1000).contains(&run), "{run} trials");
}

#[test]
fn the_grid_runs_each_point_once_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tune");
    // 1 architecture × 1 activation × 3 Adam learning rates × 1 batch size.
    let output = tune(
        &out,
        &[
            "--strategy",
            "grid",
            "--trials",
            "5",
            "--epochs",
            "1",
            "--layers",
            "1",
            "--widths",
            "8",
            "--activations",
            "relu",
            "--optimizers",
            "adam",
            "--batch-sizes",
            "32",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("The grid has no point left after 3 trials."),
        "{text}"
    );
    let results = read_json(&out.join("trials.json"));
    let mut rates: Vec<f64> = results["trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["learning_rate"].as_f64().unwrap())
        .collect();
    rates.sort_by(f64::total_cmp);
    let expected = [1e-4, 1e-3, 1e-2];
    for (rate, e) in rates.iter().zip(expected) {
        assert!((rate / e - 1.0).abs() < 1e-9, "{rates:?}");
    }
    assert_eq!(rates.len(), 3);
}

#[test]
fn bad_options_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tune");
    for (args, expected) in [
        (vec!["--trials", "0"], "give at least 1"),
        (vec!["--max-minutes", "-1"], "positive number of minutes"),
        (vec!["--max-minutes", "0"], "positive number of minutes"),
        (
            vec!["--strategy", "bayes"],
            "unknown strategy `bayes`; expected one of: grid, random, tpe",
        ),
        (
            vec!["mnist"],
            "expected one of: wages, titanic, shots, bank, drug",
        ),
        (vec!["--adam-lr", "0.1,0.01"], "invalid --adam-lr 0.1,0.01"),
        (vec!["--sgd-lr", "0.1,0.2,0.3"], "invalid --sgd-lr"),
        (vec!["--widths", "8,0"], "invalid --widths 0"),
        (vec!["--epochs", "0"], "invalid --epochs"),
    ] {
        let output = tune(&out, &args);
        assert_clean_failure(&output, expected);
    }
    assert!(!out.exists(), "nothing is written for bad options");
}
