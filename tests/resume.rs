//! Interrupting a run and resuming it: the run keeps the epochs that ended and says how to go
//! on; `train --resume` continues it to the same history, digit for digit, as a run that was
//! never stopped, on both engines, whether a signal or the test switch stopped it.

mod common;

use common::{assert_clean_failure, data_dir, stderr};
use std::path::Path;
use std::process::{Command, Output};

/// `kindling` with the real data, and `env` set.
fn kindling_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kindling"));
    command.args(args).env("KINDLING_DATA_DIR", data_dir());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("kindling runs")
}

fn train(out: &Path, engine: &str, env: &[(&str, &str)]) -> Output {
    let out = out.to_str().unwrap();
    let args = [
        "train", "mnist", "--epochs", "6", "--engine", engine, "--quiet",
    ];
    kindling_with(&[&args[..], &["--out", out]].concat(), env)
}

use common::history_figures as figures;

fn resume(run: &Path) -> Output {
    kindling_with(
        &["train", "--resume", run.to_str().unwrap(), "--quiet"],
        &[],
    )
}

#[test]
fn a_run_stopped_after_epoch_3_of_6_resumes_to_the_same_history_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    for engine in ["fused", "learner"] {
        let straight = dir.path().join(format!("{engine}-straight"));
        assert!(train(&straight, engine, &[]).status.success());
        let cut = dir.path().join(format!("{engine}-cut"));
        let stopped = train(&cut, engine, &[("KINDLING_TEST_STOP_AFTER_EPOCH", "3")]);
        assert_eq!(stopped.status.code(), Some(130), "{}", stderr(&stopped));
        assert!(
            stderr(&stopped).contains(&format!(
                "interrupted after epoch 3 of 6: {} holds the best of those epochs; `kindling train --resume {}` continues it",
                cut.display(),
                cut.display()
            )),
            "{}",
            stderr(&stopped)
        );
        let metrics = std::fs::read_to_string(cut.join("metrics.json")).unwrap();
        assert!(metrics.contains("\"status\": \"interrupted\""), "{metrics}");
        assert_eq!(figures(&cut).len(), 1 + 3);
        // Every command reading the run says so.
        let evaluated = kindling_with(&["evaluate", cut.to_str().unwrap()], &[]);
        assert!(evaluated.status.success());
        assert!(stderr(&evaluated).contains("this run was interrupted after epoch 3"));

        let resumed = resume(&cut);
        assert!(resumed.status.success(), "{}", stderr(&resumed));
        assert_eq!(figures(&cut), figures(&straight), "{engine}");
        let bytes = |run: &Path| std::fs::read(run.join("model.bpk")).unwrap();
        assert!(
            bytes(&cut) == bytes(&straight),
            "{engine}: model.bpk differs"
        );
        let metrics = std::fs::read_to_string(cut.join("metrics.json")).unwrap();
        assert!(metrics.contains("\"status\": \"completed\""), "{metrics}");
    }
}

#[cfg(unix)]
#[test]
fn a_run_cut_by_a_signal_keeps_its_epochs_and_resumes_to_the_same_history() {
    let dir = tempfile::tempdir().unwrap();
    let straight = dir.path().join("straight");
    assert!(train(&straight, "learner", &[]).status.success());

    let cut = dir.path().join("cut");
    let child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args([
            "train", "mnist", "--epochs", "6", "--engine", "learner", "--quiet",
        ])
        .arg("--out")
        .arg(&cut)
        .env("KINDLING_DATA_DIR", data_dir())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first epoch has ended, Ctrl-C.
    let state = cut.join("checkpoint/resume.json");
    let start = std::time::Instant::now();
    while !state.exists() && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: sending a signal to a child process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    let epochs = figures(&cut).len() - 1;
    match output.status.code() {
        // Stopped at the end of a batch: the epochs that ended are kept.
        Some(130) => assert!((1..6).contains(&epochs), "{epochs} epochs kept"),
        // The signal came after the last batch: nothing was left to stop.
        Some(0) => assert_eq!(epochs, 6),
        other => panic!("status {other:?}: {}", stderr(&output)),
    }
    if epochs < 6 {
        let resumed = resume(&cut);
        assert!(resumed.status.success(), "{}", stderr(&resumed));
    }
    assert_eq!(figures(&cut), figures(&straight));
}

#[test]
fn what_cannot_be_resumed_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("done");
    let out = done.to_str().unwrap();
    let trained = kindling_with(
        &["train", "bank", "--epochs", "2", "--quiet", "--out", out],
        &[],
    );
    assert!(trained.status.success());
    assert_clean_failure(&resume(&done), "the run already has 2 epochs; ask for more");
    // Asking for more continues it.
    let more = kindling_with(&["train", "--resume", out, "--epochs", "3", "--quiet"], &[]);
    assert!(more.status.success(), "{}", stderr(&more));
    assert_eq!(figures(&done).len(), 1 + 3);
    assert_clean_failure(&resume(dir.path()), "config.json");
    // A task and --resume together are refused by the parser.
    let both = kindling_with(&["train", "bank", "--resume", out], &[]);
    assert_clean_failure(&both, "cannot be used with");
}
