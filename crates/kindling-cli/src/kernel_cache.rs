//! The GPU builds' on-disk cache of CubeCL's autotune results (which kernel variant is fastest
//! for each shape), and of compiled kernels where the compiler keeps them (SPIR-V, CUDA), so
//! that a second run does not redo that work.
//!
//! On by default, in the user's cache directory (`~/.cache/cubecl` on Linux);
//! `KINDLING_KERNEL_CACHE=off` turns it off for a run. A `cubecl.toml` and CubeCL's own
//! `CUBECL_*` variables are read first, as CubeCL would.

use anyhow::{Result, bail};
use burn::cubecl::config::cache::CacheConfig;
use burn::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};
use std::path::PathBuf;

/// The environment variable that turns the cache off (`off`, `0`, `false`) or on (`on`, `1`,
/// `true`).
pub const ENV: &str = "KINDLING_KERNEL_CACHE";

/// Sets CubeCL's configuration for this process, before any GPU work: returns the cache's
/// directory, or `None` when it is turned off.
pub fn configure() -> Result<Option<PathBuf>> {
    let (config, directory) = settings()?;
    // Only fails if CubeCL's configuration was already read, which nothing does before this.
    let _ = CubeClRuntimeConfig::try_set(config);
    Ok(directory)
}

/// The cache's directory, or `None` when it is turned off, without configuring anything (for
/// `kindling info`).
pub fn directory() -> Result<Option<PathBuf>> {
    settings().map(|(_, directory)| directory)
}

/// CubeCL's configuration with the cache set as [`ENV`] says, and the cache's directory.
fn settings() -> Result<(CubeClRuntimeConfig, Option<PathBuf>)> {
    let enabled = enabled(std::env::var(ENV).ok().as_deref())?;
    let mut config = CubeClRuntimeConfig::from_current_dir().override_from_env();
    config.compilation.cache = enabled;
    config.autotune.disable_cache = !enabled;
    config.throughput.disable_cache = !enabled;
    // CubeCL's default is the `target/` directory of the Cargo workspace around the current
    // directory; a command-line tool keeps its cache in the user's cache directory instead.
    if matches!(config.environment.path, CacheConfig::Target) {
        config.environment.path = CacheConfig::Global;
    }
    let directory = enabled.then(|| config.environment.path.root());
    Ok((config, directory))
}

/// Whether `value` (of [`ENV`], `None` when unset) turns the cache on.
fn enabled(value: Option<&str>) -> Result<bool> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("on") | Some("1") | Some("true") => Ok(true),
        Some("off") | Some("0") | Some("false") => Ok(false),
        Some(_) => bail!(
            "{ENV}={:?} is not understood: use `on` or `off`",
            value.unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_is_read_and_a_typo_is_an_error() {
        assert!(enabled(None).unwrap());
        assert!(enabled(Some("ON")).unwrap());
        assert!(!enabled(Some("off")).unwrap());
        assert!(!enabled(Some("0")).unwrap());
        let error = enabled(Some("of")).unwrap_err().to_string();
        assert!(error.contains(ENV) && error.contains("`off`"), "{error}");
    }
}
