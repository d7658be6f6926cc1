//! `kindling info`: what a bug report needs first. The compiled backend, the device or adapter
//! it would use (name and driver), the CPU and the vector instructions the fused engine uses,
//! the data directory, the caches and limits in effect, and the versions.

use crate::backend;
use anyhow::Result;
use clap::Args;
use kindling_data::DataDir;
use kindling_data::download::{Manifest, is_present};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The Burn release this binary is built on (pinned in the workspace's Cargo.toml).
const BURN_VERSION: &str = "0.22.1";
/// The CubeCL release under Burn's GPU backends (from Cargo.lock).
#[cfg(any(feature = "wgpu", feature = "cuda", test))]
const CUBECL_VERSION: &str = "0.11.3";
/// The wgpu release under Burn's wgpu backend (from Cargo.lock).
#[cfg(any(feature = "wgpu", test))]
const WGPU_VERSION: &str = "30.0.1";

/// Arguments of `kindling info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Data directory to report [default: $KINDLING_DATA_DIR, else the workspace's data/].
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Prints the report. Never fails for what it finds (a missing driver, data directory or a
/// malformed setting is reported as such).
pub fn run(args: InfoArgs) -> Result<()> {
    print!("{}", report(&args));
    Ok(())
}

/// The whole report, one `key: value` line per item.
fn report(args: &InfoArgs) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kindling {} ({})",
        env!("CARGO_PKG_VERSION"),
        versions()
    );
    let _ = writeln!(
        out,
        "system: {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let _ = writeln!(
        out,
        "backend: {} (chosen when this binary was built)",
        backend::name()
    );
    out.push_str(&device_lines());
    let _ = writeln!(out, "CPU: {}", backend::cpu_description());
    #[cfg(feature = "fused")]
    let _ = writeln!(
        out,
        "fused engine: {} (the default training engine on the flex and ndarray backends)",
        kindling_fused::fused_engine_instructions()
    );
    #[cfg(not(feature = "fused"))]
    let _ = writeln!(
        out,
        "fused engine: not in this build (the `fused` feature is off; every fit runs on the learner engine)"
    );
    let _ = writeln!(
        out,
        "data directory: {}",
        data_dir_line(args.data_dir.as_deref())
    );
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    let _ = writeln!(out, "kernel cache: {}", kernel_cache_line());
    let _ = writeln!(out, "watchdog: {}", watchdog_line());
    out
}

/// "burn 0.22.1, cubecl 0.11.3, wgpu 30.0.1": the libraries that matter for this build.
fn versions() -> String {
    let gpu: &[String] = &[
        #[cfg(any(feature = "wgpu", feature = "cuda"))]
        format!("cubecl {CUBECL_VERSION}"),
        #[cfg(feature = "wgpu")]
        format!("wgpu {WGPU_VERSION}"),
    ];
    std::iter::once(format!("burn {BURN_VERSION}"))
        .chain(gpu.iter().cloned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `device:` line: CUDA's first device.
#[cfg(feature = "cuda")]
fn device_lines() -> String {
    "device: CUDA device 0 (`nvidia-smi` names it and its driver)\n".into()
}

/// The `device:` line: the CPU.
#[cfg(not(any(feature = "wgpu", feature = "cuda")))]
fn device_lines() -> String {
    format!("device: the CPU ({} backend)\n", backend::name())
}

/// The `device:` line: the adapter wgpu would train on, then every adapter found; or why
/// there is none.
#[cfg(all(feature = "wgpu", not(feature = "cuda")))]
fn device_lines() -> String {
    let survey = crate::wgpu_device::Survey::take();
    let mut out = match crate::adapters::choose(&survey.primary) {
        Some(adapter) => format!("device: {adapter}\n"),
        None => format!(
            "device: none usable: {} (training fails: install a Vulkan driver, or use \
             `--backend flex`)\n",
            crate::adapters::found_summary(&survey.others)
        ),
    };
    for adapter in survey.primary.iter().chain(&survey.others) {
        let _ = writeln!(out, "  adapter: {adapter}");
    }
    out
}

/// The data directory, where its setting came from, and which data sets are in it.
fn data_dir_line(flag: Option<&Path>) -> String {
    let source = if flag.is_some() {
        "--data-dir"
    } else if std::env::var_os(kindling_data::DATA_DIR_ENV).is_some_and(|v| !v.is_empty()) {
        kindling_data::DATA_DIR_ENV
    } else {
        "default"
    };
    let dir = DataDir::resolve(flag);
    let path = dir.path();
    if !path.is_dir() {
        return format!(
            "{} (from {source}; missing: `kindling download` fills it)",
            path.display()
        );
    }
    format!("{} (from {source}; {})", path.display(), data_sets(path))
}

/// "mnist 4/4 files, wages 1/1, titanic 1/1, shots 0/1": the manifest's files present in
/// `dir` (MNIST's may be stored uncompressed).
fn data_sets(dir: &Path) -> String {
    let Ok(manifest) = Manifest::builtin() else {
        return "data set list unavailable".into();
    };
    manifest
        .names()
        .into_iter()
        .map(|name| {
            let files = manifest.files(name).unwrap_or_default();
            let present = files
                .iter()
                .filter(|file| is_present(&dir.join(&file.path)))
                .count();
            format!("{name} {present}/{} files", files.len())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where autotune results are kept, or that the cache is off.
#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn kernel_cache_line() -> String {
    use crate::kernel_cache::{ENV, directory};
    match directory() {
        Ok(Some(dir)) => format!("{} ({ENV}=off turns it off)", dir.display()),
        Ok(None) => format!("off ({ENV})"),
        Err(error) => format!("{error:#}"),
    }
}

/// The watchdog's limit, or that it is off.
fn watchdog_line() -> String {
    use crate::watchdog::{ENV, limit};
    match limit(std::env::var(ENV).ok().as_deref()) {
        Ok(Some(limit)) => format!(
            "stops a run after {} s without a training or evaluation step ({ENV})",
            limit.as_secs()
        ),
        Ok(None) => format!("off ({ENV}=0)"),
        Err(error) => format!("{error:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version `name` has in the workspace's Cargo.lock.
    fn locked_version(name: &str) -> Option<String> {
        let lock = include_str!("../../../Cargo.lock");
        let header = format!("name = \"{name}\"\nversion = \"");
        let start = lock.find(&header)? + header.len();
        Some(lock[start..].split('"').next()?.to_string())
    }

    #[test]
    fn the_reported_versions_are_the_locked_ones() {
        assert_eq!(locked_version("burn").as_deref(), Some(BURN_VERSION));
        assert_eq!(locked_version("cubecl").as_deref(), Some(CUBECL_VERSION));
        assert_eq!(locked_version("wgpu").as_deref(), Some(WGPU_VERSION));
    }

    #[test]
    fn the_data_directory_lists_its_data_sets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tabular")).unwrap();
        std::fs::write(dir.path().join("tabular/titanic_all_numeric.csv"), "x\n").unwrap();
        let line = data_dir_line(Some(dir.path()));
        assert!(line.contains("from --data-dir"), "{line}");
        assert!(line.contains("titanic 1/1 files"), "{line}");
        assert!(line.contains("mnist 0/4 files"), "{line}");

        let missing = data_dir_line(Some(&dir.path().join("nowhere")));
        assert!(missing.contains("missing"), "{missing}");
    }

    #[test]
    fn the_report_has_every_item() {
        let report = report(&InfoArgs { data_dir: None });
        for key in [
            "kindling ",
            "backend: ",
            "device: ",
            "CPU: ",
            "fused engine: ",
            "data directory: ",
            "watchdog: ",
        ] {
            assert!(report.contains(key), "{key} missing from:\n{report}");
        }
        assert!(report.contains(&format!("burn {BURN_VERSION}")));
    }
}
