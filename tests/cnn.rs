//! `train mnist --model cnn`: Keras's "Simple MNIST convnet" trained, summarised, predicted
//! with, evaluated, exported in PyTorch's layout and drawn, and its flags checked.

mod common;

use common::{assert_clean_failure, data_dir, kindling, read_json, stderr, stdout};
use std::path::Path;

/// One short run shared by the checks below (an epoch of the real data takes seconds).
fn trained(dir: &Path) -> std::path::PathBuf {
    let run = dir.join("cnn");
    let output = common::train_mnist(
        &data_dir(),
        &run,
        &["--model", "cnn", "--epochs", "1", "--quiet"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    run
}

/// PyTorch's forward pass of the reference model (`torch_mnist_cnn.py`'s `nn.Sequential`),
/// written out by hand from an exported state dict: what the file means to PyTorch.
struct TorchReference {
    conv1: (Vec<f32>, Vec<f32>),
    conv2: (Vec<f32>, Vec<f32>),
    dense: (Vec<f32>, Vec<f32>),
}

impl TorchReference {
    fn load(file: &Path) -> Self {
        let bytes = std::fs::read(file).unwrap();
        let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let read = |name: &str, shape: &[usize]| -> Vec<f32> {
            let view = tensors.tensor(name).unwrap();
            assert_eq!(view.shape(), shape, "{name}");
            view.data()
                .chunks(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        };
        TorchReference {
            conv1: (read("0.weight", &[32, 1, 3, 3]), read("0.bias", &[32])),
            conv2: (read("3.weight", &[64, 32, 3, 3]), read("3.bias", &[64])),
            dense: (read("8.weight", &[10, 1600]), read("8.bias", &[10])),
        }
    }

    /// `Conv2d(valid) → ReLU → MaxPool2d(2)` on `[channels, side, side]`.
    fn conv_block(
        input: &[f32],
        channels: usize,
        side: usize,
        (weight, bias): &(Vec<f32>, Vec<f32>),
    ) -> (Vec<f32>, usize) {
        let filters = bias.len();
        let out = side - 2;
        let mut maps = vec![0f32; filters * out * out];
        for f in 0..filters {
            for y in 0..out {
                for x in 0..out {
                    let mut sum = bias[f];
                    for c in 0..channels {
                        for ky in 0..3 {
                            for kx in 0..3 {
                                sum += weight[((f * channels + c) * 3 + ky) * 3 + kx]
                                    * input[(c * side + y + ky) * side + x + kx];
                            }
                        }
                    }
                    maps[(f * out + y) * out + x] = sum.max(0.0);
                }
            }
        }
        let pooled = out / 2;
        let mut result = vec![0f32; filters * pooled * pooled];
        for f in 0..filters {
            for y in 0..pooled {
                for x in 0..pooled {
                    let at = |dy: usize, dx: usize| maps[(f * out + 2 * y + dy) * out + 2 * x + dx];
                    result[(f * pooled + y) * pooled + x] =
                        at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1));
                }
            }
        }
        (result, pooled)
    }

    /// Softmax of the logits for one image of 784 pixels in [0, 1].
    fn probabilities(&self, pixels: &[f32]) -> Vec<f32> {
        let (first, side) = Self::conv_block(pixels, 1, 28, &self.conv1);
        let (second, _) = Self::conv_block(&first, 32, side, &self.conv2);
        // `nn.Flatten` of `[64, 5, 5]`: channel, row, column.
        let (weight, bias) = &self.dense;
        let logits: Vec<f32> = (0..10)
            .map(|k| {
                bias[k]
                    + (0..1600)
                        .map(|i| weight[k * 1600 + i] * second[i])
                        .sum::<f32>()
            })
            .collect();
        let top = logits.iter().cloned().fold(f32::MIN, f32::max);
        let exp: Vec<f32> = logits.iter().map(|l| (l - top).exp()).collect();
        let sum: f32 = exp.iter().sum();
        exp.iter().map(|e| e / sum).collect()
    }
}

#[test]
fn the_convnet_trains_and_every_run_command_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = trained(dir.path());
    let metrics = read_json(&run.join("metrics.json"));
    assert_eq!(metrics["parameters"], 34_826);
    assert_eq!(metrics["engine"], "learner");
    // Keras's example: 10% of the training file validates, batch 128.
    assert_eq!(metrics["valid_examples"], 2_270);
    let config = read_json(&run.join("config.json"));
    assert_eq!(config["fit"]["batch_size"], 128);
    assert_eq!(config["model"]["filters"], serde_json::json!([32, 64]));
    let accuracy = metrics["test_accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.9, "one epoch reached only {accuracy}");

    // summary: Keras's layers and output shapes.
    let output = kindling(&["summary", run.to_str().unwrap()]);
    let table = stdout(&output);
    assert!(
        table.contains(" conv2d_1 (Conv2D)                 (None, 11, 11, 64)          18,496"),
        "{table}"
    );
    assert!(table.contains("Total params: 34,826"), "{table}");

    // evaluate scores the run again, with the accuracy training recorded.
    let output = kindling(&[
        "evaluate",
        run.to_str().unwrap(),
        "--data-dir",
        data_dir().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    let recorded = format!("accuracy: {accuracy:.4}");
    assert!(report.contains(&recorded), "{recorded} not in\n{report}");

    // predict on pixels from a CSV, and export: the file, run through PyTorch's semantics
    // written out by hand, gives the same probabilities.
    let test =
        kindling_data::mnist::load(&data_dir(), kindling_data::mnist::MnistSet::Test).unwrap();
    let header: Vec<String> = (0..784).map(|i| format!("pixel{i}")).collect();
    let mut csv = format!("{}\n", header.join(","));
    for i in 0..5 {
        let cells: Vec<String> = test.features(i).iter().map(f32::to_string).collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let input = dir.path().join("digits.csv");
    std::fs::write(&input, csv).unwrap();
    let output = kindling(&[
        "predict",
        run.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // probability_0, ..., probability_9, class
    let predicted: Vec<Vec<f32>> = stdout(&output)
        .lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .take(10)
                .map(|c| c.parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(predicted.len(), 5);

    let output = kindling(&["export", run.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = stdout(&output);
    assert!(listing.contains("8.weight  [10, 1600]"), "{listing}");
    let reference = TorchReference::load(&run.join("model.safetensors"));
    for (i, ours) in predicted.iter().enumerate() {
        let theirs = reference.probabilities(test.features(i));
        for (a, b) in ours.iter().zip(&theirs) {
            assert!(
                (a - b).abs() < 1e-4,
                "image {i}: {ours:?} vs PyTorch's {theirs:?}"
            );
        }
    }

    // show-weights draws the 32 first-layer filters.
    let output = kindling(&["show-weights", run.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("(32 filters, one 3×3 image each;"),
        "{}",
        stdout(&output)
    );
    let png = std::fs::read(run.join("first_layer_weights.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    // The embedding API loads it with load_conv_run, and load_run says so.
    let device = burn::prelude::Device::flex();
    let err = kindling_models::run::load_run(&run, &device).unwrap_err();
    assert!(err.to_string().contains("load_conv_run"), "{err}");
    let loaded = kindling_models::run::load_conv_run(&run, &device).unwrap();
    assert_eq!((loaded.config.side, loaded.config.filters), (28, [32, 64]));
}

#[test]
fn flags_of_the_dense_net_and_other_tasks_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    for (extra, expected) in [
        (
            vec!["--model", "cnn", "--hidden", "64"],
            "--hidden shapes the dense digit net; --model cnn is Keras's convnet as it is",
        ),
        (
            vec!["--model", "cnn", "--engine", "fused"],
            "the fused engine trains dense stacks; the conv net trains on the learner engine",
        ),
        (
            vec!["--model", "cnn", "--dropout", "1.5"],
            "dropout 1.5 is outside [0, 1)",
        ),
    ] {
        let output = common::train_mnist(&data_dir(), &out, &extra);
        assert_clean_failure(&output, expected);
    }
    let output = common::train_task("titanic", &data_dir(), &out, &["--model", "cnn"]);
    assert_clean_failure(&output, "--model cnn is a network for MNIST's images");
    assert!(!out.exists());
}
