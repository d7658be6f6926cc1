//! Embedding a run's model in another Burn program: a run made by the CLI loads with Burn's own
//! API and `kindling-models` alone.

mod common;

use burn::prelude::*;
use common::{data_dir, read_json, stderr};
use kindling_models::DenseStackConfig;
use std::path::Path;

fn train(task: &str, out: &Path) {
    let output = common::train_task(task, &data_dir(), out, &["--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn model_json_is_the_network_config_burn_loads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wages");
    train("wages", &out);
    let config = DenseStackConfig::load(out.join("model.json")).expect("model.json loads");
    let run = read_json(&out.join("config.json"));
    assert_eq!(
        serde_json::to_value(&config).unwrap(),
        run["model"],
        "model.json is config.json's model"
    );
    let net = config.init(&Device::flex());
    assert_eq!(net.input_width(), config.input);
}

#[test]
fn a_regressor_record_loads_into_a_bare_dense_stack_with_burns_record_api() {
    use burn::store::ModuleRecord;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wages");
    train("wages", &out);
    let device = Device::flex();
    let bytes = std::fs::read(out.join("model.bpk")).unwrap();
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes)).unwrap();
    let net = DenseStackConfig::load(out.join("model.json"))
        .unwrap()
        .init(&device)
        .try_load_record(record)
        .expect("model.bpk is a bare DenseStack record");
    assert_eq!(net.output_width(), 1);
}

#[test]
fn kindling_models_loads_a_cli_run_and_predicts_what_the_cli_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titanic");
    train("titanic", &out);
    let device = Device::flex();
    let run = kindling_models::run::load_run(&out, &device).expect("the run loads");
    assert_eq!(run.features.len(), run.config.input);
    assert!(run.scaling.is_some());

    // The first rows of the table, columns in the run's order, unscaled.
    let input = data_dir().join("tabular/titanic_all_numeric.csv");
    let mut reader = csv::Reader::from_path(&input).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = reader.records().take(5).map(Result::unwrap).collect();
    let mut features = Vec::new();
    for record in &records {
        for name in &run.features {
            let cell = &record[header.iter().position(|h| h == name).unwrap()];
            features.push(match cell {
                "True" => 1.0,
                "False" => 0.0,
                number => number.parse::<f32>().unwrap(),
            });
        }
    }
    let embedded: Vec<f32> = run.predict(features, &device).into_data().iter().collect();

    let output = common::kindling(&[
        "predict",
        out.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = common::stdout(&output);
    for (i, line) in text.lines().skip(1).take(5).enumerate() {
        let cli: Vec<f32> = line
            .split(',')
            .take(2)
            .map(|c| c.parse().unwrap())
            .collect();
        for (a, b) in cli.iter().zip(&embedded[2 * i..2 * i + 2]) {
            assert!(
                (a - b).abs() < 1e-5,
                "row {i}: CLI {cli:?}, embedded {embedded:?}"
            );
        }
    }
}

#[test]
fn a_corrupted_model_is_refused_by_the_embedded_loader() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wages");
    train("wages", &out);
    let weights = out.join("model.bpk");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&weights, bytes).unwrap();
    let err = kindling_models::run::load_run(&out, &Device::flex()).unwrap_err();
    assert!(
        err.to_string().contains("model.bpk: checksum mismatch"),
        "{err}"
    );
}

#[test]
fn a_record_of_other_activations_is_refused_naming_the_field() {
    use burn::store::ModuleRecord;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titanic");
    train("titanic", &out);
    let device = Device::flex();

    // Burn's own load overwrites tensors without comparing; the record says what it was.
    let mut tanh = DenseStackConfig::load(out.join("model.json")).unwrap();
    assert_eq!(tanh.activations, [kindling_models::Activation::Relu]);
    tanh.activations = vec![kindling_models::Activation::Tanh];
    let record = ModuleRecord::load(out.join("model.bpk")).unwrap();
    let net = tanh.init(&device).try_load_record(record).unwrap();
    let err = net.check_record().unwrap_err();
    assert_eq!(err.field, "activations");

    // The checked loader and the CLI refuse it, naming the file and the field.
    let model_json = out.join("model.json");
    let text = std::fs::read_to_string(&model_json).unwrap();
    std::fs::write(&model_json, text.replace("\"relu\"", "\"tanh\"")).unwrap();
    let err = kindling_models::run::load_run(&out, &device)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "model.bpk: the record's activations are `relu` but the model is configured with `tanh`"
        ),
        "{err}"
    );
    let config = out.join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("\"relu\"", "\"tanh\"")).unwrap();
    let input = data_dir().join("tabular/titanic_all_numeric.csv");
    let output = common::kindling(&[
        "predict",
        out.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    // The CLI finds the edit first: config.json's `model` no longer has the checksum
    // metrics.json recorded for it.
    common::assert_clean_failure(
        &output,
        "config.json: field `model` was changed after training",
    );
}
