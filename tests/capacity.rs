//! `kindling capacity` end to end: the schedule, the chosen architecture as a run directory,
//! the same table twice with the same seed, and bad options.

mod common;

use common::{assert_clean_failure, kindling, read_json, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// Runs `kindling capacity ARGS --data-dir DATA --out OUT`.
fn capacity(out: &Path, args: &[&str]) -> Output {
    common::run_with_data("capacity", out, args)
}

/// The table `capacity` prints, without its last column (seconds).
fn steps_table(stdout: &str) -> Vec<String> {
    common::table_without_last_column(stdout, "step  phase")
}

#[test]
fn adds_capacity_until_the_score_stops_improving() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["wages", "--epochs", "5", "--widths", "4,8,16,32"];
    let out = dir.path().join("first");
    let output = capacity(&out, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let again = capacity(&dir.path().join("second"), &args);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(steps_table(&text), steps_table(&stdout(&again)));

    let results = read_json(&out.join("capacity.json"));
    let steps = results["steps"].as_array().unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l
                .strip_prefix("step ")
                .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit())))
            .count(),
        steps.len(),
        "each step printed as it ran:\n{text}"
    );
    let loss = |s: &serde_json::Value| s["score"]["val_loss"].as_f64().unwrap();
    let hidden = |s: &serde_json::Value| -> Vec<u64> {
        s["hidden"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_u64().unwrap())
            .collect()
    };
    // Widening: one layer, widths in order, going on only while the loss improves.
    let widen: Vec<&serde_json::Value> = steps.iter().filter(|s| s["phase"] == "widen").collect();
    let mut best = f64::INFINITY;
    for (i, step) in widen.iter().enumerate() {
        assert_eq!(hidden(step), vec![[4, 8, 16, 32][i]]);
        let improved = loss(step) < best;
        assert_eq!(step["improved"], improved);
        assert!(improved || i + 1 == widen.len(), "widening went on: {text}");
        best = best.min(loss(step));
    }
    // Deepening: the best width, one more layer per step, up to 3.
    let best_width = widen
        .iter()
        .min_by(|a, b| loss(a).total_cmp(&loss(b)))
        .map(|s| hidden(s)[0])
        .unwrap();
    for (i, step) in steps.iter().filter(|s| s["phase"] == "deepen").enumerate() {
        assert_eq!(hidden(step), vec![best_width; i + 2]);
    }
    // The chosen architecture is the lowest validation loss of all steps.
    let chosen = steps
        .iter()
        .min_by(|a, b| loss(a).total_cmp(&loss(b)))
        .unwrap();
    assert_eq!(results["chosen_step"], chosen["step"]);
    let widths: Vec<String> = hidden(chosen).iter().map(u64::to_string).collect();
    assert!(
        text.contains(&format!("(hidden {}, ", widths.join(","))),
        "{text}"
    );
    for file in ["capacity.csv", "capacity.png"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    // capacity.csv keeps full precision: its val_loss column reads back as capacity.json's.
    let mut csv = csv::Reader::from_path(out.join("capacity.csv")).unwrap();
    let column = csv.headers().unwrap().iter().position(|c| c == "val_loss");
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), steps.len());
    for (record, step) in records.iter().zip(steps) {
        let cell: f64 = record[column.unwrap()].parse().unwrap();
        assert_eq!(cell, loss(step), "{record:?}");
    }
    let output = kindling(&["evaluate", out.join("chosen").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!("loss: {:.4}", loss(chosen))),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_options_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("capacity");
    for (args, expected) in [
        (vec!["--widths", "16,8"], "increasing order"),
        (vec!["--max-layers", "0"], "invalid --max-layers 0"),
        (vec!["--patience-steps", "0"], "give at least 1"),
        (vec!["--lr", "-1"], "invalid --lr"),
        (
            vec!["cifar"],
            "expected one of: wages, titanic, shots, bank, drug",
        ),
    ] {
        assert_clean_failure(&capacity(&out, &args), expected);
    }
    assert!(!out.exists(), "nothing is written for bad options");
}
