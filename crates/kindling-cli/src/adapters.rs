//! Which graphics adapter a wgpu build trains on, and what to tell the user when there is none.
//!
//! Only wgpu's primary graphics APIs (Vulkan, Metal, DX12) are used. wgpu's OpenGL backend
//! panics and then hangs in burn's kernels ("Could not lock adapter context"), so an
//! OpenGL-only machine is refused up front with the fix, and its adapters are only named.
//! Kept free of wgpu's types so that this logic is tested in every build.

use std::fmt;

/// A graphics API wgpu can reach an adapter through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Vulkan (Linux, Windows, Android; also Mesa's software driver lavapipe).
    Vulkan,
    /// Metal (Apple).
    Metal,
    /// DirectX 12 (Windows).
    Dx12,
    /// OpenGL / OpenGL ES: never trained on.
    Gl,
    /// Anything else (the browser's WebGPU).
    Other,
}

impl Api {
    /// Whether Kindling trains on adapters of this API (wgpu's primary backends).
    pub fn is_primary(self) -> bool {
        matches!(self, Api::Vulkan | Api::Metal | Api::Dx12)
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::Vulkan => "Vulkan",
            Api::Metal => "Metal",
            Api::Dx12 => "DX12",
            Api::Gl => "OpenGL",
            Api::Other => "another graphics API",
        })
    }
}

/// What kind of device an adapter drives, as the driver reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A discrete GPU.
    Discrete,
    /// A GPU integrated with the CPU.
    Integrated,
    /// A virtual machine's GPU.
    Virtual,
    /// A software renderer running on the CPU (lavapipe, llvmpipe, WARP).
    Cpu,
    /// The driver does not say.
    Other,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Discrete => "discrete GPU",
            Kind::Integrated => "integrated GPU",
            Kind::Virtual => "virtual GPU",
            Kind::Cpu => "software renderer on the CPU",
            Kind::Other => "unknown device type",
        })
    }
}

/// One adapter as wgpu lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    /// The adapter's name ("NVIDIA GeForce RTX 4090", "llvmpipe (LLVM 15.0.7, 256 bits)").
    pub name: String,
    /// The driver's name ("NVIDIA", "llvmpipe"); may be empty.
    pub driver: String,
    /// The driver's version text ("550.54.14", "Mesa 22.3.6"); may be empty.
    pub driver_info: String,
    /// The graphics API it was found through.
    pub api: Api,
    /// The kind of device.
    pub kind: Kind,
}

impl Adapter {
    /// The driver and its version, or "unknown driver".
    pub fn driver_text(&self) -> String {
        match (self.driver.trim(), self.driver_info.trim()) {
            ("", "") => "unknown driver".into(),
            (driver, "") => driver.into(),
            ("", info) => info.into(),
            (driver, info) => format!("{driver} {info}"),
        }
    }
}

impl fmt::Display for Adapter {
    /// `llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, software renderer on the CPU, driver llvmpipe
    /// Mesa 22.3.6)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {}, driver {})",
            self.name,
            self.api,
            self.kind,
            self.driver_text()
        )
    }
}

/// The adapter to train on among `adapters`: a primary-API adapter, a real GPU before a
/// software renderer (discrete, then integrated, virtual, other, then CPU), the first listed
/// among equals. `None` when no adapter is on a primary API.
pub fn choose(adapters: &[Adapter]) -> Option<&Adapter> {
    let rank = |kind: Kind| match kind {
        Kind::Discrete => 0,
        Kind::Integrated => 1,
        Kind::Virtual => 2,
        Kind::Other => 3,
        Kind::Cpu => 4,
    };
    adapters
        .iter()
        .filter(|adapter| adapter.api.is_primary())
        .min_by_key(|adapter| rank(adapter.kind))
}

/// Which of its API's adapters of the same kind `chosen` is (wgpu numbers discrete GPUs 0, 1,
/// ... separately from integrated ones, and so on).
pub fn index_among_its_kind(adapters: &[Adapter], chosen: &Adapter) -> usize {
    adapters
        .iter()
        .filter(|adapter| adapter.api == chosen.api && adapter.kind == chosen.kind)
        .position(|adapter| adapter == chosen)
        .unwrap_or(0)
}

/// What was found, for the error when nothing can be trained on: "OpenGL/llvmpipe only" or
/// "no graphics adapter at all".
pub fn found_summary(adapters: &[Adapter]) -> String {
    if adapters.is_empty() {
        return "no graphics adapter at all (no Vulkan, Metal, DX12 or OpenGL driver)".into();
    }
    let mut seen: Vec<String> = Vec::new();
    for adapter in adapters {
        let short = adapter
            .name
            .split(" (")
            .next()
            .unwrap_or(&adapter.name)
            .trim();
        let entry = format!("{}/{}", adapter.api, short);
        if !seen.contains(&entry) {
            seen.push(entry);
        }
    }
    format!("{} only; no Vulkan, Metal or DX12 adapter", seen.join(", "))
}

/// The whole error for a machine where wgpu has no primary-API adapter: what was found (every
/// adapter in full), why it is not used and how to fix it.
pub fn no_adapter_message(others: &[Adapter]) -> String {
    let mut message = format!(
        "the wgpu backend found no GPU adapter it can train on: {}.",
        found_summary(others)
    );
    if !others.is_empty() {
        let listed: Vec<String> = others.iter().map(ToString::to_string).collect();
        message.push_str(&format!(
            "\n  found: {}\n  (wgpu's OpenGL backend deadlocks in Burn's GPU kernels, so it is not used)",
            listed.join("; ")
        ));
    }
    message.push_str(
        "\n  fix: install a Vulkan driver: your GPU vendor's driver, or Mesa's software driver as \
         a CPU fallback (Debian/Ubuntu: `apt-get install mesa-vulkan-drivers libvulkan1`); \
         or train on the CPU with `--backend flex` (`cargo xtask train ... --backend flex`)",
    );
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(name: &str, api: Api, kind: Kind) -> Adapter {
        Adapter {
            name: name.into(),
            driver: "driver".into(),
            driver_info: "1.0".into(),
            api,
            kind,
        }
    }

    #[test]
    fn a_real_gpu_is_chosen_before_a_software_renderer() {
        let adapters = [
            adapter("llvmpipe (LLVM 15.0.7, 256 bits)", Api::Vulkan, Kind::Cpu),
            adapter("Intel UHD 770", Api::Vulkan, Kind::Integrated),
            adapter("RTX 4090", Api::Vulkan, Kind::Discrete),
        ];
        assert_eq!(choose(&adapters).unwrap().name, "RTX 4090");
        assert_eq!(choose(&adapters[..2]).unwrap().name, "Intel UHD 770");
        assert_eq!(choose(&adapters[..1]).unwrap().kind, Kind::Cpu);
    }

    #[test]
    fn opengl_adapters_are_never_chosen() {
        let adapters = [
            adapter("llvmpipe (LLVM 15.0.7, 256 bits)", Api::Gl, Kind::Cpu),
            adapter("Mesa Intel UHD 770", Api::Gl, Kind::Other),
        ];
        assert_eq!(choose(&adapters), None);
        let mut with_vulkan = adapters.to_vec();
        with_vulkan.push(adapter("lavapipe", Api::Vulkan, Kind::Cpu));
        assert_eq!(choose(&with_vulkan).unwrap().api, Api::Vulkan);
    }

    #[test]
    fn vulkan_metal_and_dx12_are_the_apis_trained_on() {
        let primary = [Api::Vulkan, Api::Metal, Api::Dx12];
        assert!(primary.iter().all(|api| api.is_primary()));
        assert!(!Api::Gl.is_primary() && !Api::Other.is_primary());
        let names: Vec<String> = primary.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["Vulkan", "Metal", "DX12"]);
        let virtual_gpu = adapter("virtio-gpu", Api::Dx12, Kind::Virtual);
        let unknown = adapter("mystery", Api::Metal, Kind::Other);
        let found = [unknown.clone(), virtual_gpu.clone()];
        assert_eq!(choose(&found), Some(&virtual_gpu));
        assert!(
            unknown
                .to_string()
                .contains("(Metal, unknown device type, ")
        );
    }

    #[test]
    fn the_index_counts_only_adapters_of_the_same_api_and_kind() {
        let adapters = [
            adapter("A", Api::Vulkan, Kind::Discrete),
            adapter("iGPU", Api::Vulkan, Kind::Integrated),
            adapter("B", Api::Vulkan, Kind::Discrete),
        ];
        assert_eq!(index_among_its_kind(&adapters, &adapters[2]), 1);
        assert_eq!(index_among_its_kind(&adapters, &adapters[1]), 0);
    }

    #[test]
    fn the_error_names_what_was_found_and_the_fix() {
        let found = [adapter(
            "llvmpipe (LLVM 15.0.7, 256 bits)",
            Api::Gl,
            Kind::Cpu,
        )];
        let message = no_adapter_message(&found);
        assert!(
            message.contains("OpenGL/llvmpipe only; no Vulkan, Metal or DX12 adapter"),
            "{message}"
        );
        assert!(message.contains("llvmpipe (LLVM 15.0.7, 256 bits) (OpenGL"));
        assert!(message.contains("mesa-vulkan-drivers"));
        assert!(message.contains("--backend flex"));

        let nothing = no_adapter_message(&[]);
        assert!(nothing.contains("no graphics adapter at all"), "{nothing}");
        assert!(nothing.contains("--backend flex"));
    }

    #[test]
    fn an_adapter_reads_with_its_api_kind_and_driver() {
        let mut lavapipe = adapter("llvmpipe (LLVM 15.0.7, 256 bits)", Api::Vulkan, Kind::Cpu);
        lavapipe.driver = "llvmpipe".into();
        lavapipe.driver_info = "Mesa 22.3.6".into();
        assert_eq!(
            lavapipe.to_string(),
            "llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, software renderer on the CPU, driver \
             llvmpipe Mesa 22.3.6)"
        );
        lavapipe.driver.clear();
        lavapipe.driver_info.clear();
        assert_eq!(lavapipe.driver_text(), "unknown driver");
    }
}
