//! Where the data sets live.

use std::path::{Path, PathBuf};

/// The environment variable that names the data directory.
pub const DATA_DIR_ENV: &str = "KINDLING_DATA_DIR";

/// The data directory: `mnist/` and `tabular/` below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    /// A data directory at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The directory to use: `flag` (from `--data-dir`) if given, else `KINDLING_DATA_DIR` if
    /// set, else the workspace's `data/` directory.
    pub fn resolve(flag: Option<&Path>) -> Self {
        if let Some(path) = flag {
            return Self::new(path);
        }
        match std::env::var_os(DATA_DIR_ENV) {
            Some(value) if !value.is_empty() => Self::new(value),
            _ => Self::new(Self::workspace_default()),
        }
    }

    /// The workspace's `data/` directory (where `cargo xtask download` puts files), or `data`
    /// under the current directory when the binary runs outside its source tree.
    pub fn workspace_default() -> PathBuf {
        let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        match in_tree.canonicalize() {
            Ok(path) if path.is_dir() => path,
            _ => PathBuf::from("data"),
        }
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_wins_over_everything() {
        let dir = DataDir::resolve(Some(Path::new("/tmp/somewhere")));
        assert_eq!(dir.path(), Path::new("/tmp/somewhere"));
    }

    #[test]
    fn default_is_the_workspace_data_dir() {
        let default = DataDir::workspace_default();
        assert!(default.ends_with("data"));
        assert!(
            default.join("manifest.json").is_file(),
            "{}",
            default.display()
        );
    }
}
