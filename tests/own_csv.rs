//! `kindling train csv FILE --target COLUMN`: a CSV file of the user's own, with a text
//! column, empty cells and a 3-class integer target, trains; prediction encodes and imputes
//! new rows as training did and refuses a category it never saw, by name; evaluate scores any
//! labelled file.

mod common;

use common::{assert_clean_failure, kindling, stderr, stdout};
use std::path::Path;

/// A table whose class follows from `size` and `colour`; every 7th size and every 11th
/// colour is empty.
fn write_table(path: &Path, rows: usize) {
    let colours = ["red", "green", "blue"];
    let mut csv = String::from("id,size,colour,weight,label\n");
    for i in 0..rows {
        let size = (i * 37 % 100) as f32 / 10.0;
        let colour = colours[i * 7 % 3];
        let label = if colour == "blue" {
            2
        } else if size > 5.0 {
            1
        } else {
            0
        };
        let size_cell = if i % 7 == 3 {
            String::new()
        } else {
            size.to_string()
        };
        let colour_cell = if i % 11 == 5 { "" } else { colour };
        csv.push_str(&format!(
            "{i},{size_cell},{colour_cell},{},{label}\n",
            i % 5
        ));
    }
    std::fs::write(path, csv).unwrap();
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn train(file: &Path, run: &Path, extra: &[&str]) -> std::process::Output {
    let args = [
        "train",
        "csv",
        file.to_str().unwrap(),
        "--target",
        "label",
        "--exclude",
        "id",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ];
    kindling(&[&args[..], extra].concat())
}

/// The rows `predict` prints, as numbers.
fn predictions(output: &std::process::Output) -> Vec<Vec<f64>> {
    assert!(output.status.success(), "{}", stderr(output));
    stdout(output)
        .lines()
        .skip(1)
        .map(|line| line.split(',').map(|c| c.parse().unwrap()).collect())
        .collect()
}

#[test]
fn a_table_of_ones_own_trains_predicts_and_evaluates_with_its_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.csv");
    write_table(&file, 400);
    let run = dir.path().join("run");
    let trained = train(&file, &run, &["--impute", "median", "--epochs", "40"]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let notes = stderr(&trained);
    assert!(
        notes.contains("column `colour` holds text: one-hot encoded into 3 inputs"),
        "{notes}"
    );
    assert!(
        notes.contains("`label` holds the integers 0 to 2: a classifier of 3 classes"),
        "{notes}"
    );

    let config = json(&run.join("config.json"));
    assert_eq!(config["task"], "csv");
    assert_eq!(config["kind"], "classifier");
    assert_eq!(config["model"]["output"], 3);
    assert_eq!(
        config["features"],
        serde_json::json!([
            "size",
            "colour=blue",
            "colour=green",
            "colour=red",
            "weight"
        ])
    );
    assert_eq!(config["encoding"]["impute"], "median");
    let metrics = json(&run.join("metrics.json"));
    assert!(metrics["val_accuracy"].as_f64().unwrap() > 0.6, "{metrics}");
    // The validation scores beyond accuracy, and the confusion matrix they come from.
    let scores = &metrics["validation_scores"];
    assert_eq!(scores["precision"].as_array().unwrap().len(), 3, "{scores}");
    assert!(scores["macro_f1"].as_f64().unwrap() > 0.0, "{scores}");
    let confusion = std::fs::read_to_string(run.join("confusion_matrix.csv")).unwrap();
    assert!(
        confusion.starts_with("true\\predicted,0,1,2\n"),
        "{confusion}"
    );
    let counted: usize = confusion
        .lines()
        .skip(1)
        .flat_map(|line| line.split(',').skip(1).map(|c| c.parse::<usize>().unwrap()))
        .sum();
    assert_eq!(counted, 120, "every validation row is counted once");

    // The median size over the training rows (the first 70%), which fills empty cells.
    let table = std::fs::read_to_string(&file).unwrap();
    let mut sizes: Vec<f64> = table
        .lines()
        .skip(1)
        .take(280)
        .filter_map(|line| line.split(',').nth(1).unwrap().parse().ok())
        .collect();
    sizes.sort_by(f64::total_cmp);
    let median = (sizes[sizes.len() / 2 - 1] + sizes[sizes.len() / 2]) / 2.0;

    // New rows, columns in another order and no label: an empty size predicts as the
    // median does; an empty colour as the most frequent one.
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        format!("weight,colour,size\n1,red,\n1,red,{median}\n1,blue,2.5\n2,,9\n"),
    )
    .unwrap();
    let predicted = kindling(&[
        "predict",
        run.to_str().unwrap(),
        "--input",
        new.to_str().unwrap(),
    ]);
    let rows = predictions(&predicted);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], rows[1], "an empty size is filled with the median");
    assert_eq!(rows[0].len(), 4, "three probabilities and the class");
    assert_eq!(rows[2][3], 2.0, "a blue row is class 2");

    // A category never seen in training is refused, by name.
    std::fs::write(&new, "weight,colour,size\n1,purple,3\n").unwrap();
    let refused = kindling(&[
        "predict",
        run.to_str().unwrap(),
        "--input",
        new.to_str().unwrap(),
    ]);
    assert_clean_failure(
        &refused,
        "column `colour`: `purple` is a category the model never saw",
    );

    // Evaluate scores the run's own split, and any labelled file.
    let evaluated = kindling(&["evaluate", run.to_str().unwrap()]);
    assert!(evaluated.status.success(), "{}", stderr(&evaluated));
    assert!(
        stdout(&evaluated).starts_with("validation: 120 examples"),
        "{}",
        stdout(&evaluated)
    );
    let labelled = dir.path().join("labelled.csv");
    write_table(&labelled, 50);
    let scored = kindling(&[
        "evaluate",
        run.to_str().unwrap(),
        "--input",
        labelled.to_str().unwrap(),
    ]);
    assert!(scored.status.success(), "{}", stderr(&scored));
    assert!(
        stdout(&scored).starts_with("input: 50 examples - loss: "),
        "{}",
        stdout(&scored)
    );
    assert!(stdout(&scored).contains("accuracy: "));
    assert!(
        stdout(&scored).contains("precision (macro): "),
        "{}",
        stdout(&scored)
    );
    assert!(
        stdout(&scored).contains("class 2 (16 examples): precision "),
        "{}",
        stdout(&scored)
    );
}

#[test]
fn columns_kind_and_empty_cells_are_chosen_by_flags_and_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.csv");
    write_table(&file, 200);

    // Without --impute, an empty cell is an error naming where it is and what to do.
    let output = train(&file, &dir.path().join("a"), &[]);
    assert_clean_failure(&output, "mine.csv line 5, column `size`");
    assert_clean_failure(&output, "--impute");

    // Rows with empty cells left out; the target read as values.
    let run = dir.path().join("b");
    let output = train(
        &file,
        &run,
        &["--impute", "drop", "--kind", "regression", "--epochs", "3"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("rows have empty cells and were left out"));
    let config = json(&run.join("config.json"));
    assert_eq!(config["kind"], "regressor");
    assert_eq!(config["model"]["output"], 1);
    let scores = &json(&run.join("metrics.json"))["validation_scores"];
    let (mse, rmse) = (
        scores["mse"].as_f64().unwrap(),
        scores["rmse"].as_f64().unwrap(),
    );
    assert!((rmse * rmse - mse).abs() < 1e-9 * mse.max(1.0), "{scores}");
    assert!(scores["r2"].as_f64().unwrap() <= 1.0);
    let evaluated = kindling(&["evaluate", run.to_str().unwrap()]);
    assert!(
        stdout(&evaluated).contains("  mse: "),
        "{}",
        stdout(&evaluated)
    );
    assert!(!run.join("confusion_matrix.csv").exists());

    // Only the columns asked for.
    let run = dir.path().join("c");
    let output = kindling(&[
        "train",
        "csv",
        file.to_str().unwrap(),
        "--target",
        "label",
        "--features",
        "weight,colour",
        "--impute",
        "mean",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        json(&run.join("config.json"))["features"],
        serde_json::json!(["weight", "colour=blue", "colour=green", "colour=red"])
    );

    let no_target = kindling(&["train", "csv", file.to_str().unwrap()]);
    assert_clean_failure(&no_target, "needs --target COLUMN");
    let missing = kindling(&["train", "csv", file.to_str().unwrap(), "--target", "price"]);
    assert_clean_failure(&missing, "no column `price`");
    // A text column of names: one category per row is refused, with the flag that leaves it out.
    let names = dir.path().join("names.csv");
    let mut csv = String::from("name,x,y\n");
    for i in 0..300 {
        csv.push_str(&format!("person{i},{},{}\n", i % 10, i % 2));
    }
    std::fs::write(&names, csv).unwrap();
    let output = kindling(&["train", "csv", names.to_str().unwrap(), "--target", "y"]);
    assert_clean_failure(&output, "holds 300 different texts");
    assert_clean_failure(&output, "--exclude name");

    let not_csv = kindling(&["train", "titanic", "--target", "survived"]);
    assert_clean_failure(&not_csv, "apply to `train csv FILE` only");
}
