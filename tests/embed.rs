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
