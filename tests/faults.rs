//! Faults made to happen: a run killed (SIGKILL) at each instant of writing its run directory
//! leaves the earlier run whole, or the complete new one once the swap is done; the user's
//! files survive; and the next run tidies what the killed one left.
//!
//! The instants are those of `kindling_train::publish::FAULT_POINTS`, reached through its
//! test-only switch `KINDLING_TEST_KILL_AT`.

mod common;

use common::{data_dir, stderr, stdout};
use kindling_train::publish::{FAULT_POINTS, KILL_AT};
use std::path::Path;
use std::process::{Command, Output};

/// Runs `kindling ARGS`, killed at `kill_at` when given.
fn kindling_killed_at(args: &[&str], kill_at: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kindling"));
    command.args(args).env_remove(KILL_AT);
    if let Some(point) = kill_at {
        command.env(KILL_AT, point);
    }
    command.output().expect("the kindling binary runs")
}

/// Trains the Titanic classifier (charts for loss and accuracy) into `out`.
fn train(out: &Path, epochs: &str, seed: &str, kill_at: Option<&str>) -> Output {
    let data = data_dir();
    kindling_killed_at(
        &[
            "train",
            "titanic",
            "--epochs",
            epochs,
            "--seed",
            seed,
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        kill_at,
    )
}

/// What `kindling evaluate` says of the run in `out`, which must load.
fn evaluation(out: &Path) -> String {
    let data = data_dir();
    let output = kindling_killed_at(
        &[
            "evaluate",
            out.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// Every file of the run in `dir` by name, with its bytes (the lock file aside).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file() && e.file_name() != ".kindling.lock")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_run_killed_at_any_instant_of_writing_leaves_a_whole_run_and_the_users_files() {
    use std::os::unix::process::ExitStatusExt;
    for point in FAULT_POINTS {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        let earlier = train(&out, "2", "1", None);
        assert!(earlier.status.success(), "{}", stderr(&earlier));
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(out.join("mine")).unwrap();
        std::fs::write(out.join("mine/a.txt"), "a").unwrap();
        std::fs::write(out.join("checkpoint/keep.txt"), "k").unwrap();
        let before = files(&out);
        let scored = evaluation(&out);

        let killed = train(&out, "3", "2", Some(point));
        assert_eq!(
            killed.status.signal(),
            Some(9),
            "{point}: not killed: {}",
            stderr(&killed)
        );

        let swapped = point == "swap" || point == "tidy";
        if swapped {
            // The swap is done: the target is the complete new run.
            assert_ne!(files(&out), before, "{point}: still the earlier run");
            let metrics = std::fs::read_to_string(out.join("metrics.json")).unwrap();
            assert!(metrics.contains("\"epochs_run\": 3"), "{point}: {metrics}");
            evaluation(&out);
        } else {
            // Before it, the earlier run is there, byte for byte, and scores as it did.
            assert_eq!(files(&out), before, "{point}: the earlier run changed");
            assert_eq!(evaluation(&out), scored, "{point}");
        }
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine",
            "{point}"
        );

        // The next run tidies the leftover and puts back whatever of the user's it held.
        let next = train(&out, "1", "3", None);
        assert!(next.status.success(), "{point}: {}", stderr(&next));
        assert_eq!(names(root.path()), ["run"], "{point}: leftovers");
        assert_eq!(
            std::fs::read_to_string(out.join("mine/a.txt")).unwrap(),
            "a",
            "{point}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("checkpoint/keep.txt")).unwrap(),
            "k",
            "{point}"
        );
        evaluation(&out);
    }
}

#[cfg(unix)]
#[test]
fn a_kill_while_the_charts_are_drawn_leaves_no_old_chart_beside_a_new_model() {
    use std::os::unix::process::ExitStatusExt;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("run");
    assert!(train(&out, "2", "1", None).status.success());
    let before = files(&out);
    let killed = train(&out, "3", "2", Some("plots"));
    assert_eq!(killed.status.signal(), Some(9));
    // The model, its metrics and both charts are still the earlier run's.
    assert_eq!(files(&out), before);
    assert!(before.iter().any(|(name, _)| name == "accuracy.png"));
}

#[cfg(unix)]
#[test]
fn a_kill_at_the_swap_leaves_a_run_whose_weights_match_their_checksum() {
    use std::os::unix::process::ExitStatusExt;
    for point in ["links", "swap"] {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        assert!(train(&out, "2", "1", None).status.success());
        let killed = train(&out, "3", "2", Some(point));
        assert_eq!(killed.status.signal(), Some(9), "{point}");
        // `evaluate` checks model.bpk against the SHA-256 in metrics.json.
        evaluation(&out);
    }
}
