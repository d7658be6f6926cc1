//! `kindling bench` on the real MNIST files.

mod common;

use common::{assert_clean_failure, data_dir, kindling, read_json};

#[test]
fn bench_measures_real_training_and_writes_bench_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    let data = data_dir();
    let output = kindling(&[
        "bench",
        "--batch-sizes",
        "32,128",
        "--epochs",
        "1",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let report = read_json(&out.join("bench.json"));
    assert_eq!(report["backend"], "flex");
    assert_eq!(report["engine"], "fused");
    let train = report["train"].as_array().unwrap();
    let sizes: Vec<u64> = train
        .iter()
        .map(|t| t["batch_size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [32, 128]);
    for t in train {
        assert!(t["train_samples_per_second"].as_f64().unwrap() > 0.0);
        // Two epochs of real training (warm-up plus one timed) reach well above chance.
        assert!(t["val_accuracy"].as_f64().unwrap() > 0.85, "{t}");
    }
    assert!(report["inference_samples_per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(report["train_examples"], 15_889);
    // The checkpoints of the timed fits are not left behind.
    assert!(!out.join("batch-32").exists());
    assert!(common::stdout(&output).contains("train samples/s"));
}

#[test]
fn bench_refuses_a_zero_batch_size() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir();
    let output = kindling(&[
        "bench",
        "--batch-sizes",
        "32,0",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_clean_failure(&output, "--batch-sizes");
}
