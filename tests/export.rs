//! `kindling export` end to end: a trained Titanic run exported as safetensors, read back
//! independently of burn, computes what `kindling predict` computes; tampered weights, a missing
//! run and an unknown format are refused.

mod common;

use common::{assert_clean_failure, data_dir, kindling, stderr, stdout};
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;
use std::path::Path;

/// Trains Titanic for one epoch into `out`.
fn train_titanic(out: &Path) {
    let output = common::train_task("titanic", &data_dir(), out, &["--epochs", "1", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

fn floats(file: &SafeTensors<'_>, name: &str) -> (Vec<usize>, Vec<f32>) {
    let view = file.tensor(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(view.dtype(), Dtype::F32);
    let values = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (view.shape().to_vec(), values)
}

/// What PyTorch's `nn.Sequential(Linear, ReLU, Linear)` computes with the exported tensors,
/// then softmax: `x Wᵀ + b` with `W` as `[outputs, inputs]`.
fn torch_style_probabilities(file: &SafeTensors<'_>, x: &[f32]) -> Vec<f32> {
    let mut x = x.to_vec();
    for layer in 0..2 {
        let (shape, w) = floats(file, &format!("layers.{layer}.weight"));
        let (_, b) = floats(file, &format!("layers.{layer}.bias"));
        let (outputs, inputs) = (shape[0], shape[1]);
        x = (0..outputs)
            .map(|o| b[o] + (0..inputs).map(|k| w[o * inputs + k] * x[k]).sum::<f32>())
            .map(|z| if layer == 0 { z.max(0.0) } else { z })
            .collect();
    }
    let top = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = x.iter().map(|z| (z - top).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

#[test]
fn titanic_export_reads_back_and_predicts_like_kindling_predict() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("titanic");
    train_titanic(&run);
    let output = kindling(&["export", run.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let file_path = run.join("model.safetensors");
    let text = stdout(&output);
    assert!(text.contains(&file_path.display().to_string()), "{text}");
    for line in [
        "layers.0.weight  [32, 10]",
        "layers.0.bias    [32]",
        "layers.1.weight  [2, 32]",
        "layers.1.bias    [2]",
    ] {
        assert!(text.contains(line), "`{line}` missing from:\n{text}");
    }

    let bytes = std::fs::read(&file_path).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.1.bias",
            "layers.1.weight"
        ]
    );
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata: HashMap<String, String> = header.metadata().clone().unwrap();
    assert_eq!(metadata["task"], "titanic");
    assert_eq!(metadata["widths"], "10,32,2");
    assert_eq!(metadata["activations"], "relu");
    assert_eq!(metadata["head"], "softmax");
    assert_eq!(metadata["layout"], "pytorch");
    let metrics = common::read_json(&run.join("metrics.json"));
    assert_eq!(
        metrics["weights_sha256"],
        metadata["weights_sha256"].as_str()
    );
    let features: Vec<String> = serde_json::from_str(&metadata["features"]).unwrap();

    // The first rows of the table, predicted by `kindling predict` and by the exported tensors.
    let table = kindling_data::tabular::titanic(&data_dir()).unwrap();
    assert_eq!(features, table.feature_names);
    let mut csv = format!("{}\n", table.feature_names.join(","));
    for i in 0..20 {
        let cells: Vec<String> = table.rows.features(i).iter().map(f32::to_string).collect();
        csv.push_str(&format!("{}\n", cells.join(",")));
    }
    let input = dir.path().join("rows.csv");
    std::fs::write(&input, csv).unwrap();
    let output = kindling(&[
        "predict",
        run.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let scaler: kindling_data::scale::Scaler = serde_json::from_str(&metadata["scaler"]).unwrap();
    let predicted = stdout(&output);
    let mut largest = 0.0f32;
    for (i, line) in predicted.lines().skip(1).enumerate() {
        let expected: Vec<f32> = line
            .split(',')
            .take(2)
            .map(|c| c.parse().unwrap())
            .collect();
        let mut x = table.rows.features(i).to_vec();
        scaler.apply(&mut x);
        let got = torch_style_probabilities(&file, &x);
        for (a, b) in got.iter().zip(&expected) {
            largest = largest.max((a - b).abs());
        }
    }
    assert_eq!(predicted.lines().count(), 21);
    assert!(largest < 1e-5, "largest difference {largest}");
}

#[test]
fn tampered_weights_missing_runs_and_unknown_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("titanic");
    train_titanic(&run);
    let weights = run.join("model.bpk");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&weights, &bytes).unwrap();
    let target = dir.path().join("out.safetensors");
    let output = kindling(&[
        "export",
        run.to_str().unwrap(),
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_clean_failure(&output, "checksum mismatch");
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(!target.exists());
    assert!(!run.join("model.safetensors").exists());

    let missing = dir.path().join("no-such-run");
    let output = kindling(&["export", missing.to_str().unwrap()]);
    assert_clean_failure(&output, "no such run directory");
    assert!(!missing.exists());

    let output = kindling(&["export", run.to_str().unwrap(), "--format", "onnx"]);
    assert_clean_failure(&output, "[possible values: safetensors]");

    let output = kindling(&[
        "export",
        run.to_str().unwrap(),
        "--output",
        run.join("config.json").to_str().unwrap(),
    ]);
    assert_clean_failure(&output, "one of the run's own files");
    common::read_json(&run.join("config.json"));
}
