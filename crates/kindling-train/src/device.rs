//! What kind of device a `Device` is. burn 0.22 offers no public query for this, so both
//! answers read its Debug form (`Device<Flex(Cpu)>`, `Device<Cube(Wgpu(..))>`): one place to
//! change if that form changes.

use burn::prelude::Device;

/// The backend's name as burn's device describes it ("flex", "ndarray", "wgpu", "cuda", ...):
/// the first word of its Debug form that is not a wrapper.
pub fn backend_name(device: &Device) -> String {
    format!("{device:?}")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .find(|word| !word.is_empty() && !["device", "cube", "autodiff"].contains(&word.as_str()))
        .unwrap_or_else(|| "unknown".into())
}

/// Whether `device` computes on the CPU (where the fused engine is the faster one).
pub(crate) fn is_cpu(device: &Device) -> bool {
    matches!(backend_name(device).as_str(), "flex" | "ndarray")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_backend_and_knows_the_cpu_ones() {
        assert_eq!(backend_name(&Device::flex()), "flex");
        assert_eq!(backend_name(&Device::flex().autodiff()), "flex");
        assert!(is_cpu(&Device::flex()));
        assert!(is_cpu(&Device::flex().autodiff()));
    }
}
