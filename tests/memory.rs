//! Memory bounded by what the input honestly claims: a file that inflates far beyond what its
//! header describes, or a network too large to build, is refused without the process growing
//! to match. (Its own test binary: the peak is read from `getrusage` over this process's
//! children, so no other test may run a child beside it.)

mod common;

use common::{assert_clean_failure, data_dir, kindling};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// The largest resident set of any child process this test process has waited for, in MB.
fn children_peak_mb() -> f64 {
    // SAFETY: `getrusage` fills the struct it is given; a zeroed `rusage` is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let status = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(status, 0, "getrusage failed");
    // Linux reports kilobytes.
    usage.ru_maxrss as f64 / 1024.0
}

#[test]
fn a_gzip_bomb_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mnist = dir.path().join("mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    // A valid header and 1,000 images, then 600 MB of zeros: a few hundred kilobytes of gzip.
    let n: u32 = 1_000;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&[0, 0, 0x08, 3]).unwrap();
    for d in [n, 28, 28] {
        encoder.write_all(&d.to_be_bytes()).unwrap();
    }
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..600 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    std::fs::write(mnist.join("train-images-idx3-ubyte.gz"), &bomb).unwrap();
    let labels = |count: u32| {
        let mut labels = vec![0, 0, 0x08, 1];
        labels.extend_from_slice(&count.to_be_bytes());
        labels.extend((0..count).map(|i| (i % 10) as u8));
        labels
    };
    std::fs::write(mnist.join("train-labels-idx1-ubyte"), labels(n)).unwrap();
    // A small, valid test set, so that the bomb is what stops the run.
    let mut images = vec![0, 0, 0x08, 3];
    for d in [10u32, 28, 28] {
        images.extend_from_slice(&d.to_be_bytes());
    }
    images.extend(std::iter::repeat_n(7u8, 10 * 784));
    std::fs::write(mnist.join("t10k-images-idx3-ubyte"), images).unwrap();
    std::fs::write(mnist.join("t10k-labels-idx1-ubyte"), labels(10)).unwrap();

    let out = dir.path().join("run");
    let output = common::train_mnist(dir.path(), &out, &["--epochs", "1", "--quiet"]);
    assert_clean_failure(&output, "unexpected bytes after the 784016");
    let peak = children_peak_mb();
    assert!(peak < 300.0, "peak resident memory {peak:.0} MB");
}

#[test]
fn networks_too_large_to_build_are_refused_by_every_command() {
    let data = data_dir();
    let data = data.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = |name: &str| out.path().join(name).to_str().unwrap().to_string();
    let huge = "1048576,1048576";
    let commands: Vec<Vec<String>> = vec![
        vec![
            "train".into(),
            "wages".into(),
            "--hidden".into(),
            huge.into(),
        ],
        vec![
            "sweep-lr".into(),
            "wages".into(),
            "--hidden".into(),
            huge.into(),
        ],
        vec![
            "compare".into(),
            "wages".into(),
            "--arch".into(),
            huge.into(),
        ],
        vec![
            "tune".into(),
            "wages".into(),
            "--widths".into(),
            "1048576".into(),
        ],
        vec![
            "capacity".into(),
            "wages".into(),
            "--widths".into(),
            "1024,1048576".into(),
        ],
    ];
    for (i, command) in commands.into_iter().enumerate() {
        let mut args: Vec<String> = command.clone();
        args.extend([
            "--data-dir".into(),
            data.into(),
            "--out".into(),
            out(&i.to_string()),
        ]);
        args.extend(["--quiet".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = kindling(&args);
        assert_clean_failure(&output, "parameters");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("use narrower or fewer layers"),
            "{command:?}: {stderr}"
        );
    }
}

#[test]
fn an_endless_input_is_refused_after_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("bank");
    let run = run.to_str().unwrap();
    let output = kindling(&["train", "bank", "--epochs", "1", "--quiet", "--out", run]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = kindling(&["predict", run, "--input", "/dev/zero"]);
    assert_clean_failure(
        &output,
        "/dev/zero line 1: the line is longer than 1048576 bytes",
    );
}
