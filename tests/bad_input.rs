//! Bad files, bad flags and diverging training: a clear error and a non-zero exit, never a
//! panic, and nothing a user had is lost.

mod common;

use common::{assert_clean_failure, data_dir, kindling};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;

/// An IDX file: magic for unsigned bytes with `dims.len()` dimensions, then the data.
fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A data directory with a small, valid MNIST in it (`n` training and test images).
fn small_mnist(dir: &Path, n: u32) {
    let mnist = dir.join("mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    let pixels: Vec<u8> = (0..n * 784).map(|i| (i % 251) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    for set in ["train", "t10k"] {
        let images = gzip(&idx(&[n, 28, 28], &pixels));
        std::fs::write(mnist.join(format!("{set}-images-idx3-ubyte.gz")), images).unwrap();
        let labels = gzip(&idx(&[n], &labels));
        std::fs::write(mnist.join(format!("{set}-labels-idx1-ubyte.gz")), labels).unwrap();
    }
}

fn train_on(data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--quiet"];
    args.extend_from_slice(extra);
    common::train_mnist(data, out, &args)
}

#[test]
fn truncated_images_file() {
    let dir = tempfile::tempdir().unwrap();
    small_mnist(dir.path(), 20);
    let path = dir.path().join("mnist/train-images-idx3-ubyte.gz");
    let full = idx(&[20, 28, 28], &vec![0; 20 * 784]);
    std::fs::write(&path, gzip(&full[..full.len() - 100])).unwrap();
    let output = train_on(dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(&output, "train-images-idx3-ubyte.gz: truncated");
}

#[test]
fn truncated_gzip_stream() {
    let dir = tempfile::tempdir().unwrap();
    small_mnist(dir.path(), 20);
    let path = dir.path().join("mnist/t10k-labels-idx1-ubyte.gz");
    let compressed = std::fs::read(&path).unwrap();
    std::fs::write(&path, &compressed[..compressed.len() / 2]).unwrap();
    let output = train_on(dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(
        &output,
        "t10k-labels-idx1-ubyte.gz: corrupt or truncated gzip data",
    );
}

#[test]
fn wrong_magic_number() {
    let dir = tempfile::tempdir().unwrap();
    small_mnist(dir.path(), 20);
    // A labels file (1 dimension) where the images file (3 dimensions) belongs, uncompressed.
    std::fs::remove_file(dir.path().join("mnist/train-images-idx3-ubyte.gz")).unwrap();
    let raw = dir.path().join("mnist/train-images-idx3-ubyte");
    std::fs::write(&raw, idx(&[20], &[1; 20])).unwrap();
    let output = train_on(dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(&output, "train-images-idx3-ubyte: not an IDX file");
    assert_clean_failure(&output, "magic number is 0x00000801, expected 0x00000803");
}

#[test]
fn image_and_label_counts_disagree() {
    let dir = tempfile::tempdir().unwrap();
    small_mnist(dir.path(), 20);
    let labels = gzip(&idx(&[19], &[3; 19]));
    std::fs::write(dir.path().join("mnist/train-labels-idx1-ubyte.gz"), labels).unwrap();
    let output = train_on(dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(&output, "holds 20 images but");
    assert_clean_failure(&output, "train-labels-idx1-ubyte.gz holds 19 labels");
}

#[test]
fn label_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    small_mnist(dir.path(), 20);
    let mut labels = vec![1u8; 20];
    labels[13] = 12;
    let labels = gzip(&idx(&[20], &labels));
    std::fs::write(dir.path().join("mnist/t10k-labels-idx1-ubyte.gz"), labels).unwrap();
    let output = train_on(dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(&output, "label 12 at position 13 is not a class in 0..10");
}

#[test]
fn bad_options_are_named_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    for (flags, expected) in [
        (vec!["--epochs", "0"], "invalid --epochs 0"),
        (vec!["--batch-size", "0"], "invalid --batch-size 0"),
        (
            vec!["--validation-split", "1.5"],
            "invalid --validation-split 1.5",
        ),
        (vec!["--lr", "-1"], "invalid --lr -1"),
        (vec!["--hidden", "50,0"], "hidden layer 2 has width 0"),
    ] {
        let output = train_on(dir.path(), &dir.path().join("run"), &flags);
        assert_clean_failure(&output, expected);
    }
    assert!(!dir.path().join("run").exists());
    let output = kindling(&["train", "mnist", "--optimizer", "adagrad"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("expected one of: adam, sgd, adamw, rmsprop"));
}

#[test]
fn a_failed_run_leaves_the_earlier_model_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let real = data_dir();
    let good = train_on(&real, &out, &["--epochs", "1"]);
    assert!(good.status.success(), "{}", common::stderr(&good));
    let weights = std::fs::read(out.join("model.bpk")).unwrap();
    let metrics = std::fs::read(out.join("metrics.json")).unwrap();

    // Diverging training: an absurd SGD learning rate.
    let diverged = train_on(
        &real,
        &out,
        &["--epochs", "2", "--optimizer", "sgd", "--lr", "1000"],
    );
    assert_clean_failure(&diverged, "training diverged at epoch 1");
    assert_clean_failure(&diverged, "lower the learning rate");

    // Broken data.
    let broken = dir.path().join("broken");
    small_mnist(&broken, 20);
    std::fs::write(broken.join("mnist/train-images-idx3-ubyte.gz"), b"junk").unwrap();
    assert_clean_failure(&train_on(&broken, &out, &[]), "train-images-idx3-ubyte.gz");

    assert_eq!(std::fs::read(out.join("model.bpk")).unwrap(), weights);
    assert_eq!(std::fs::read(out.join("metrics.json")).unwrap(), metrics);
}

#[test]
fn an_empty_file_is_reported_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    small_mnist(dir.path(), 20);
    std::fs::remove_file(dir.path().join("mnist/t10k-images-idx3-ubyte.gz")).unwrap();
    std::fs::write(dir.path().join("mnist/t10k-images-idx3-ubyte"), b"").unwrap();
    let output = train_on(dir.path(), &dir.path().join("run"), &[]);
    assert_clean_failure(&output, "t10k-images-idx3-ubyte: truncated");
}
