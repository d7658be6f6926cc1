//! Everything a prediction uses is checked before any prediction: a `config.json` edited after
//! training is refused by field, and `predict` never writes over the run or its input.

mod common;

use common::{assert_clean_failure, kindling, stdout};
use serde_json::Value;
use std::path::Path;

/// Trains the drug-trial classifier (min-max scaled age) into `dir`.
fn train_drug(dir: &Path) {
    let out = dir.to_str().unwrap();
    let output = kindling(&["train", "drug", "--epochs", "2", "--quiet", "--out", out]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A copy of `run` whose `config.json` went through `edit`.
fn edited(run: &Path, into: &Path, edit: impl Fn(&mut Value)) {
    std::fs::create_dir_all(into).unwrap();
    for entry in std::fs::read_dir(run).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, into.join(path.file_name().unwrap())).unwrap();
        }
    }
    let path = into.join("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut config);
    std::fs::write(&path, serde_json::to_string(&config).unwrap()).unwrap();
}

/// A change to a run's `config.json`.
type Edit = Box<dyn Fn(&mut Value)>;

fn predict(run: &Path, input: &Path) -> std::process::Output {
    kindling(&[
        "predict",
        run.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ])
}

#[test]
fn a_config_edited_after_training_is_refused_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("drug");
    train_drug(&run);
    let input = dir.path().join("ages.csv");
    std::fs::write(&input, "age\n20\n70\n").unwrap();
    assert!(predict(&run, &input).status.success());

    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "deleted scaler",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("scaler");
            }),
            "field `scaler` was changed after training",
        ),
        (
            "offset of the wrong length",
            Box::new(|c| c["scaler"]["offset"] = serde_json::json!([13.0, 1.0])),
            "field `scaler` was changed after training",
        ),
        (
            "zero divisor",
            Box::new(|c| c["scaler"]["divisor"] = serde_json::json!([0.0])),
            "field `scaler` was changed after training",
        ),
        (
            "renamed feature",
            Box::new(|c| c["features"] = serde_json::json!(["years"])),
            "field `features` was changed after training",
        ),
        (
            "edited activation",
            Box::new(|c| c["model"]["activations"] = serde_json::json!(["tanh", "relu"])),
            "field `model` was changed after training",
        ),
    ];
    for (i, (what, edit, expected)) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("edit-{i}"));
        edited(&run, &copy, edit);
        let output = predict(&copy, &input);
        assert_clean_failure(&output, expected);
        assert!(stdout(&output).is_empty(), "{what}: predicted anyway");
    }

    // A run without recorded checksums (written before them) is still checked for
    // consistency, field by field.
    let strip = |dir: &Path| {
        let path = dir.join("metrics.json");
        let mut metrics: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        metrics.as_object_mut().unwrap().remove("config_sha256");
        std::fs::write(&path, metrics.to_string()).unwrap();
    };
    let old = [
        (
            serde_json::json!([13.0, 1.0]),
            "offset",
            "field `scaler.offset` has 2 values but the model takes 1 inputs",
        ),
        (
            serde_json::json!([0.0]),
            "divisor",
            "field `scaler.divisor` value 1 is 0",
        ),
    ];
    for (i, (values, field, expected)) in old.into_iter().enumerate() {
        let copy = dir.path().join(format!("old-{i}"));
        edited(&run, &copy, |c| c["scaler"][field] = values.clone());
        strip(&copy);
        assert_clean_failure(&predict(&copy, &input), expected);
    }
}

#[test]
fn predict_never_writes_over_the_run_or_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("drug");
    train_drug(&run);
    let input = dir.path().join("ages.csv");
    std::fs::write(&input, "age\n20\n70\n").unwrap();
    let weights = std::fs::read(run.join("model.bpk")).unwrap();
    let run_arg = run.to_str().unwrap();
    let input_arg = input.to_str().unwrap();
    let spelled = format!("{run_arg}/../drug/model.bpk");
    for output in [run.join("model.bpk").to_str().unwrap(), &spelled] {
        let result = kindling(&["predict", run_arg, "--input", input_arg, "--output", output]);
        assert_clean_failure(&result, "is one of the run's own files");
    }
    let result = kindling(&[
        "predict", run_arg, "--input", input_arg, "--output", input_arg,
    ]);
    assert_clean_failure(&result, "is the input file");
    assert_eq!(std::fs::read(run.join("model.bpk")).unwrap(), weights);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "age\n20\n70\n");
    // Beside the run is fine.
    let beside = run.join("predictions.csv");
    let result = kindling(&[
        "predict",
        run_arg,
        "--input",
        input_arg,
        "--output",
        beside.to_str().unwrap(),
    ]);
    assert!(result.status.success());
    assert!(
        std::fs::read_to_string(beside)
            .unwrap()
            .starts_with("probability_0")
    );
}
