//! Opening the wgpu device: list the adapters wgpu sees, pick one on a primary graphics API
//! (see [`crate::adapters`]) and start Burn's wgpu runtime on exactly that API and adapter.
//! Burn's automatic choice would fall back to OpenGL, which panics and hangs; pinning the API
//! rules that out, and a machine without a usable adapter gets an error within seconds.

use crate::adapters::{self, Adapter, Api, Kind};
use anyhow::{Result, anyhow};
use burn::prelude::{Device, DeviceKind};
use burn::tensor::wgpu::{WgpuBackend, wgpu};

/// Every adapter wgpu finds through `backends`, in wgpu's order.
pub fn list(backends: wgpu::Backends) -> Vec<Adapter> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    burn::cubecl::future::block_on(instance.enumerate_adapters(backends))
        .iter()
        .map(|adapter| convert(adapter.get_info()))
        .collect()
}

/// The adapters on Vulkan, Metal and DX12, and, only when there are none of those, the OpenGL
/// ones (to name them in the error).
pub struct Survey {
    /// Adapters on a primary API.
    pub primary: Vec<Adapter>,
    /// Adapters on other APIs; listed only when `primary` is empty.
    pub others: Vec<Adapter>,
}

impl Survey {
    /// Asks wgpu what this machine has.
    pub fn take() -> Self {
        let primary = list(wgpu::Backends::PRIMARY);
        let others = if primary.is_empty() {
            list(wgpu::Backends::SECONDARY)
        } else {
            Vec::new()
        };
        Self { primary, others }
    }

    /// The adapter to train on, or the error that says what was found and what to do.
    pub fn choose(&self) -> Result<&Adapter> {
        adapters::choose(&self.primary)
            .ok_or_else(|| anyhow!(adapters::no_adapter_message(&self.others)))
    }
}

/// Starts Burn's wgpu runtime on `adapter` (one of `survey.primary`), pinned to its graphics
/// API.
pub fn open(survey: &Survey, adapter: &Adapter) -> Result<Device> {
    let api = match adapter.api {
        Api::Vulkan => WgpuBackend::Vulkan,
        Api::Metal => WgpuBackend::Metal,
        Api::Dx12 => WgpuBackend::Dx12,
        Api::Gl | Api::Other => {
            return Err(anyhow!(adapters::no_adapter_message(std::slice::from_ref(
                adapter
            ))));
        }
    };
    let index = adapters::index_among_its_kind(&survey.primary, adapter);
    let kind = match adapter.kind {
        Kind::Discrete => DeviceKind::DiscreteGpu(index),
        Kind::Integrated => DeviceKind::IntegratedGpu(index),
        Kind::Virtual => DeviceKind::VirtualGpu(index),
        Kind::Cpu => DeviceKind::Cpu,
        Kind::Other => DeviceKind::DefaultDevice,
    };
    Device::wgpu_options()
        .graphics_api(api)
        .device_kind(kind)
        .init()
        .map_err(|error| {
            anyhow!(
                "the wgpu backend could not open {adapter}: {error}\n  fix: update or reinstall \
                 the {} driver, or train on the CPU with `--backend flex`",
                adapter.api
            )
        })
}

/// wgpu's description of an adapter in [`Adapter`]'s terms.
fn convert(info: wgpu::AdapterInfo) -> Adapter {
    Adapter {
        api: match info.backend {
            wgpu::Backend::Vulkan => Api::Vulkan,
            wgpu::Backend::Metal => Api::Metal,
            wgpu::Backend::Dx12 => Api::Dx12,
            wgpu::Backend::Gl => Api::Gl,
            _ => Api::Other,
        },
        kind: match info.device_type {
            wgpu::DeviceType::DiscreteGpu => Kind::Discrete,
            wgpu::DeviceType::IntegratedGpu => Kind::Integrated,
            wgpu::DeviceType::VirtualGpu => Kind::Virtual,
            wgpu::DeviceType::Cpu => Kind::Cpu,
            wgpu::DeviceType::Other => Kind::Other,
        },
        name: info.name,
        driver: info.driver,
        driver_info: info.driver_info,
    }
}
