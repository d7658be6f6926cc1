//! The backend this binary was built with (cargo features `flex`, `ndarray`, `wgpu`, `cuda`)
//! and its device, opened once per process by [`prepare`] before a command reads any data.

use anyhow::{Result, anyhow};
use burn::prelude::Device;
use std::sync::OnceLock;

#[cfg(not(any(
    feature = "flex",
    feature = "ndarray",
    feature = "wgpu",
    feature = "cuda"
)))]
compile_error!("enable one backend feature: flex, ndarray, wgpu or cuda");

/// The name of the compiled backend; when several features are on, the first of cuda, wgpu,
/// flex, ndarray.
pub fn name() -> &'static str {
    if cfg!(feature = "cuda") {
        "cuda"
    } else if cfg!(feature = "wgpu") {
        "wgpu"
    } else if cfg!(feature = "flex") {
        "flex"
    } else {
        "ndarray"
    }
}

/// The device, once opened.
struct Opened {
    device: Device,
    /// What it is, for messages: "llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, ...)".
    description: String,
}

/// The device, or why it could not be opened; set by the first [`open`].
static OPENED: OnceLock<Result<Opened, String>> = OnceLock::new();

/// Opens the compiled backend's device (once; later calls return the same). For wgpu this is
/// the adapter check: an error within seconds, naming what was found and the fix, when there
/// is no Vulkan, Metal or DX12 adapter.
fn open() -> Result<&'static Opened> {
    OPENED
        .get_or_init(|| open_device().map_err(|error| format!("{error:#}")))
        .as_ref()
        .map_err(|message| anyhow!("{message}"))
}

/// Readies a command that computes on the device, before it reads data or does any work: the
/// GPU builds' kernel cache (see `kernel_cache.rs`), the watchdog (see
/// [`crate::watchdog`]), the device itself, and on a GPU one line saying that the first epoch
/// is slower while kernels compile.
pub fn prepare() -> Result<()> {
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    let cache = crate::kernel_cache::configure()?;
    crate::watchdog::start(describe_running)?;
    let opened = open()?;
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    eprintln!(
        "{}",
        first_epoch_note(&opened.description, cache.as_deref())
    );
    #[cfg(not(any(feature = "wgpu", feature = "cuda")))]
    let _ = opened;
    Ok(())
}

/// The device of the compiled backend. [`prepare`] has opened it for every command that
/// computes; should opening fail here all the same, the error is printed and the process ends
/// with status 1.
pub fn device() -> Device {
    match open() {
        Ok(opened) => opened.device.clone(),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(1);
        }
    }
}

/// "the wgpu backend (llvmpipe ... (Vulkan, ...))", or just "the wgpu backend" before the
/// device is open: how the watchdog names what stalled.
fn describe_running() -> String {
    match OPENED.get() {
        Some(Ok(opened)) => format!("the {} backend ({})", name(), opened.description),
        _ => format!("the {} backend (while opening its device)", name()),
    }
}

/// The line printed before the first step on a GPU.
#[cfg(any(feature = "wgpu", feature = "cuda", test))]
fn first_epoch_note(device: &str, cache: Option<&std::path::Path>) -> String {
    let software = if device.contains("software renderer") {
        " (minutes on this software driver, which runs on the CPU; `--backend flex` trains \
         faster there)"
    } else {
        ""
    };
    let cache = match cache {
        Some(dir) => format!(
            "; autotune results are kept in {} for later runs",
            dir.display()
        ),
        None => String::new(),
    };
    format!(
        "note: GPU kernels are compiling for {device} as they are first used, so the first \
         epoch takes longer than the next ones{software}{cache}"
    )
}

/// Opens the device of the compiled backend and describes it: CUDA's first device.
#[cfg(feature = "cuda")]
fn open_device() -> Result<Opened> {
    Ok(Opened {
        device: Device::cuda(0),
        description: "CUDA device 0".into(),
    })
}

/// Opens the device of the compiled backend and describes it: the adapter check, then Burn's
/// wgpu runtime on the chosen adapter.
#[cfg(all(feature = "wgpu", not(feature = "cuda")))]
fn open_device() -> Result<Opened> {
    let survey = crate::wgpu_device::Survey::take();
    let adapter = survey.choose()?;
    Ok(Opened {
        device: crate::wgpu_device::open(&survey, adapter)?,
        description: adapter.to_string(),
    })
}

/// Opens the device of the compiled backend and describes it: the CPU.
#[cfg(not(any(feature = "wgpu", feature = "cuda")))]
fn open_device() -> Result<Opened> {
    #[cfg(feature = "flex")]
    let device = Device::flex();
    #[cfg(not(feature = "flex"))]
    #[allow(deprecated)]
    let device = Device::ndarray();
    Ok(Opened {
        device,
        description: cpu_description(),
    })
}

/// "AMD EPYC 7B13, 2 threads": the CPU's model (from /proc/cpuinfo where there is one) and
/// how many threads this process may use.
pub fn cpu_description() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| cpu_model(&text))
        .unwrap_or_else(|| format!("{} CPU", std::env::consts::ARCH));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "{model}, {threads} thread{}",
        if threads == 1 { "" } else { "s" }
    )
}

/// The first `model name` in the text of /proc/cpuinfo.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name" && !value.trim().is_empty()).then(|| value.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_model_is_read_from_cpuinfo() {
        let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\
                    processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(text).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model("processor\t: 0\n"), None);
        assert!(cpu_description().contains("thread"));
    }

    #[test]
    fn the_first_epoch_note_is_one_line_that_says_why_it_is_slow() {
        let lavapipe = "llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, software renderer on the CPU, \
                        driver llvmpipe Mesa 22.3.6)";
        let note = first_epoch_note(
            lavapipe,
            Some(std::path::Path::new("/home/u/.cache/cubecl")),
        );
        assert!(!note.contains('\n'), "{note}");
        assert!(
            note.starts_with("note: GPU kernels are compiling for llvmpipe"),
            "{note}"
        );
        assert!(note.contains("the first epoch takes longer"), "{note}");
        assert!(note.contains("--backend flex") && note.contains("/home/u/.cache/cubecl"));
        let gpu = first_epoch_note("CUDA device 0", None);
        assert!(
            !gpu.contains("--backend flex") && !gpu.contains("kept in"),
            "{gpu}"
        );
    }

    #[test]
    fn a_cpu_build_opens_its_device_once() {
        if matches!(name(), "cuda" | "wgpu") {
            return;
        }
        assert!(open().is_ok());
        assert!(describe_running().starts_with(&format!("the {} backend (", name())));
        assert!(std::ptr::eq(open().unwrap(), open().unwrap()));
    }
}
