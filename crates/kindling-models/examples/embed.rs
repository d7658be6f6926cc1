//! Using Kindling's models from another Burn project: build one from its config, run forward,
//! and load saved weights (a run's `model.bpk`).
//!
//! ```sh
//! cargo run --release -p kindling-models --example embed -- runs/mnist-.../model.bpk
//! ```
//! Without an argument, it saves the freshly built net to a temporary file and loads that.

use burn::prelude::*;
use burn::store::ModuleRecord;
use kindling_models::DigitNetConfig;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Any Burn device works; the application picks it.
    let device = Device::flex();
    device.seed(42);

    // 1. Build the course's digit net from its config: 784 -> 50 -> 50 -> 10.
    let config = DigitNetConfig::new();
    let net = config.init(&device);
    println!("built {} parameters", net.num_params());

    // 2. Run forward: class probabilities for a batch of two blank images.
    let images = Tensor::<2>::zeros([2, 784], &device);
    let probabilities = net.predict_proba(images.clone());
    println!("probabilities shape {:?}", probabilities.dims());

    // 3. Load saved weights into a fresh net of the same architecture.
    let weights = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            let path =
                std::env::temp_dir().join(format!("kindling-embed-{}.bpk", std::process::id()));
            net.clone().into_record().save(&path)?;
            path
        }
    };
    let loaded = config
        .init(&device)
        .try_load_record(ModuleRecord::load(&weights)?)?;
    // Burn loads tensors without comparing; the record also says which activations and head
    // the weights were trained with, and this refuses a network built with others.
    loaded.check_record()?;
    let again = loaded.predict_proba(images);
    println!("loaded {}", weights.display());
    if std::env::args_os().nth(1).is_none() {
        // The round trip reproduces the outputs exactly.
        let same = probabilities.equal(again).all().into_scalar::<bool>();
        println!("same outputs after loading: {same}");
        std::fs::remove_file(&weights)?;
        if !same {
            return Err("loaded weights give different outputs".into());
        }
    }
    Ok(())
}
