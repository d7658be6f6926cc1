//! The backend this binary was built with (cargo features `flex`, `ndarray`, `wgpu`, `cuda`).

use burn::prelude::Device;

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

/// The device of the compiled backend.
pub fn device() -> Device {
    #[cfg(feature = "cuda")]
    return Device::cuda(0);
    #[cfg(all(feature = "wgpu", not(feature = "cuda")))]
    return Device::wgpu(burn::prelude::DeviceKind::DefaultDevice);
    #[cfg(all(feature = "flex", not(any(feature = "cuda", feature = "wgpu"))))]
    return Device::flex();
    #[cfg(all(
        feature = "ndarray",
        not(any(feature = "cuda", feature = "wgpu", feature = "flex"))
    ))]
    #[allow(deprecated)]
    return Device::ndarray();
}
