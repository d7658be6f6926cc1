//! Run directories nothing corrupts: one writer at a time, and files the user put there are
//! never deleted.

mod common;

use common::{data_dir, kindling, stderr};
use std::process::{Command, Stdio};

#[test]
fn two_writers_into_one_directory_never_mix() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut refused = 0;
    for _ in 0..20 {
        let start = || {
            Command::new(env!("CARGO_BIN_EXE_kindling"))
                .args(["train", "bank", "--epochs", "3", "--quiet", "--out"])
                .arg(&out)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (start(), start());
        let outputs = [
            first.wait_with_output().unwrap(),
            second.wait_with_output().unwrap(),
        ];
        let failed: Vec<_> = outputs.iter().filter(|o| !o.status.success()).collect();
        assert!(failed.len() < 2, "both failed: {}", stderr(&outputs[0]));
        for output in failed {
            // Refused at once, naming who holds the directory.
            assert_eq!(output.status.code(), Some(1));
            let text = stderr(output);
            assert!(text.contains("is writing this run directory"), "{text}");
            assert!(text.contains("process "), "{text}");
            refused += 1;
        }
        // Whatever happened, the directory holds one whole run: its weights match their
        // checksum and score what its metrics say.
        let evaluated = kindling(&["evaluate", out.to_str().unwrap()]);
        assert!(evaluated.status.success(), "{}", stderr(&evaluated));
    }
    eprintln!("{refused} of 20 second writers were refused");
}

#[test]
fn files_the_user_put_in_a_run_directory_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    std::fs::create_dir_all(out.join("checkpoint")).unwrap();
    std::fs::write(out.join("checkpoint/notes.txt"), "mine").unwrap();
    let trained = kindling(&[
        "train",
        "bank",
        "--epochs",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    assert_eq!(
        std::fs::read_to_string(out.join("checkpoint/notes.txt")).unwrap(),
        "mine"
    );

    // The benchmark's scratch fits never touch the user's files either.
    let bench = dir.path().join("bench");
    std::fs::create_dir_all(bench.join("batch-32")).unwrap();
    std::fs::write(bench.join("batch-32/mine.txt"), "mine").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["bench", "--batch-sizes", "32", "--epochs", "1", "--out"])
        .arg(&bench)
        .arg("--data-dir")
        .arg(data_dir())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(bench.join("batch-32/mine.txt")).unwrap(),
        "mine"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&bench)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".bench-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
