//! The watchdog: a run that makes no progress ends with an error naming the backend, instead of
//! hanging. The stall here is real: `predict` reads its rows from a named pipe nobody writes
//! to, so reading blocks forever (as a file on a dead network mount would).

mod common;

use common::{assert_clean_failure, data_dir, train_task};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[cfg(unix)]
#[test]
fn a_run_that_stops_making_progress_is_ended_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let trained = train_task("titanic", &data_dir(), &run, &["--epochs", "1", "--quiet"]);
    assert!(trained.status.success(), "{}", common::stderr(&trained));
    let pipe = dir.path().join("rows.csv");
    let made = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success(), "mkfifo failed");

    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .arg("predict")
        .arg(&run)
        .arg("--input")
        .arg(&pipe)
        .env("KINDLING_WATCHDOG_SECS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Not a timing assertion: only a guard so that a broken watchdog fails the test rather than
    // hanging it.
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the watchdog did not end the stalled run");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    assert_clean_failure(&output, "error: no progress for ");
    let err = common::stderr(&output);
    assert!(err.contains(" s on the flex backend ("), "{err}");
    assert!(err.contains("KINDLING_WATCHDOG_SECS"), "{err}");
}

#[test]
fn a_malformed_limit_is_refused_before_any_work() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["train", "titanic", "--data-dir"])
        .arg(data.path())
        .env("KINDLING_WATCHDOG_SECS", "10m")
        .output()
        .unwrap();
    assert_clean_failure(
        &output,
        "KINDLING_WATCHDOG_SECS=\"10m\" is not a whole number",
    );
    // Refused before the data directory was looked at (it is empty).
    assert!(!common::stderr(&output).contains("titanic_all_numeric.csv"));
}
