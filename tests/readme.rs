//! The README's quoted outputs come from the commands beside them: every ```text block that
//! follows a `<!-- checked: kindling ARGS [&& kindling ARGS] -->` comment is compared with what
//! those commands print today (standard output, then standard error, of the last one), run in
//! an empty directory with `KINDLING_DATA_DIR` set to the real data.
//!
//! What changes from run to run is put aside on both sides before comparing: timings (`0.04s`,
//! `(0.22 s)`, a table's `seconds` column) and the timestamps of default run directories
//! (`runs/mnist-20261123-190812`). A line `...` in the README stands for any number of lines
//! (snapbox's elision), as it does for the reader.

mod common;

use regex::Regex;
use std::path::Path;
use std::process::Command;

/// A quoted output and the commands that print it.
struct Case {
    /// The README line of the comment, for messages.
    line: usize,
    /// The commands, each `kindling ARGS`.
    commands: Vec<String>,
    /// The quoted output.
    expected: String,
}

/// Every checked block of `readme`.
fn cases(readme: &str) -> Vec<Case> {
    let pattern =
        Regex::new(r"(?s)<!-- checked: (.*?) -->\n\s*```text\n(.*?)```").expect("valid pattern");
    pattern
        .captures_iter(readme)
        .map(|c| {
            let start = c.get(0).expect("a match").start();
            Case {
                line: readme[..start].lines().count() + 1,
                commands: c[1].split(" && ").map(|s| s.trim().to_string()).collect(),
                expected: c[2].to_string(),
            }
        })
        .collect()
}

/// `text` with timings and run-directory timestamps replaced by placeholders, and trailing
/// spaces removed.
fn normalize(text: &str) -> String {
    let timing = Regex::new(r"(- |\()\d+(?:\.\d+)? ?s\b").expect("valid pattern");
    let stamp = Regex::new(r"runs/([a-z_-]+)-\d{8}-\d{6}").expect("valid pattern");
    let seconds = Regex::new(r"\s+\d+\.\d+$").expect("valid pattern");
    let mut out = String::new();
    let mut in_seconds_table = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            in_seconds_table = false;
        }
        let mut line = timing.replace_all(line, "${1}[T]").into_owned();
        line = stamp.replace_all(&line, "runs/${1}-[STAMP]").into_owned();
        if in_seconds_table && !line.starts_with("---") && !line.starts_with("...") {
            line = seconds.replace(&line, " [S]").into_owned();
        }
        if line.ends_with(" seconds") {
            in_seconds_table = true;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Runs one README command (`kindling ARGS`) in `dir`; returns its standard output and error.
fn run(command: &str, dir: &Path, line: usize) -> String {
    let mut words = command.split_whitespace();
    assert_eq!(
        words.next(),
        Some("kindling"),
        "README line {line}: a checked command starts with `kindling`"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(words)
        .current_dir(dir)
        .env("KINDLING_DATA_DIR", common::data_dir())
        .output()
        .expect("the kindling binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "README line {line}: `{command}` failed:\n{text}"
    );
    text
}

#[test]
fn readme_outputs_come_from_the_commands_shown() {
    let readme = std::fs::read_to_string(common::workspace().join("README.md")).unwrap();
    let cases = cases(&readme);
    assert!(cases.len() >= 6, "only {} checked blocks", cases.len());
    for case in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut actual = String::new();
        for command in &case.commands {
            actual = run(command, dir.path(), case.line);
        }
        println!("README line {}: {}", case.line, case.commands.join(" && "));
        snapbox::Assert::new().eq(normalize(&actual), normalize(&case.expected));
    }
}

#[test]
fn timings_and_stamps_are_put_aside() {
    let text = "Epoch 1/10 - 0.04s - loss: 0.5\nstep 1 (0.22 s)\nRun directory: runs/mnist-20261123-190812\n\nname  seconds\n----  -------\na        0.08\n\nafter 0.5\n";
    assert_eq!(
        normalize(text),
        "Epoch 1/10 - [T] - loss: 0.5\nstep 1 ([T])\nRun directory: runs/mnist-[STAMP]\n\nname  seconds\n----  -------\na [S]\n\nafter 0.5\n"
    );
}
