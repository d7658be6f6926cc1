//! `kindling info`: every item a bug report needs, on the compiled backend, without opening a
//! device or reading data.

mod common;

use common::{kindling, stderr, stdout};

#[test]
fn info_names_the_backend_device_engine_data_and_versions() {
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("tabular")).unwrap();
    std::fs::write(data.path().join("tabular/hourly_wages.csv"), "x\n").unwrap();
    let output = kindling(&["info", "--data-dir", data.path().to_str().unwrap()]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(text.starts_with("kindling 0.1.0 (burn 0.22.1"), "{text}");
    // The default build is flex.
    assert!(text.contains("\nbackend: flex "), "{text}");
    assert!(text.contains("\ndevice: the CPU (flex backend)"), "{text}");
    assert!(text.contains("\nCPU: "), "{text}");
    let engine = text
        .lines()
        .find_map(|line| line.strip_prefix("fused engine: "))
        .unwrap_or_else(|| panic!("no fused engine line:\n{text}"));
    assert!(
        ["AVX", "SSE", "NEON", "scalar"]
            .iter()
            .any(|set| engine.contains(set)),
        "{engine}"
    );
    let data_line = format!(
        "\ndata directory: {} (from --data-dir; ",
        data.path().display()
    );
    assert!(text.contains(&data_line), "{text}");
    assert!(text.contains("wages 1/1 files"), "{text}");
    assert!(
        text.contains("\nwatchdog: stops a run after 600 s"),
        "{text}"
    );
}

#[test]
fn info_reports_a_malformed_setting_instead_of_failing() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kindling"))
        .arg("info")
        .env("KINDLING_WATCHDOG_SECS", "soon")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("watchdog: KINDLING_WATCHDOG_SECS=\"soon\" is not a whole number"),
        "{text}"
    );
}
