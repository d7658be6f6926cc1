//! Loads the run directory given as the argument with `kindling-models` alone and predicts one
//! row of zeros: `cargo run --release --manifest-path tests/embed-crate/Cargo.toml -- RUN`.

use burn::prelude::*;
use burn::store::ModuleRecord;
use kindling_models::DenseStackConfig;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args_os().nth(1).ok_or("usage: RUN_DIR")?);
    let device = Device::flex();

    // The checked loader: model.json, model.bpk against metrics.json's SHA-256, features, scaler.
    let run = kindling_models::run::load_run(&dir, &device)?;
    let row = vec![0.0_f32; run.config.input];
    let outputs = run.predict(row, &device).into_data().try_to_vec::<f32>()?;
    println!("features: {}", run.features.join(","));
    println!("outputs: {outputs:?}");

    // Burn's own API: the config and the bare DenseStack record.
    let net = DenseStackConfig::load(dir.join("model.json"))?
        .init(&device)
        .try_load_record(ModuleRecord::load(dir.join("model.bpk"))?)?;
    net.check_record()?;
    assert_eq!(net.output_width(), run.config.output);
    println!(
        "loaded with Burn's record API: {} parameters",
        net.num_params()
    );
    Ok(())
}
