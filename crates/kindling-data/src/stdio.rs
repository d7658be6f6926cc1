//! `-` as a file name: standard input where a command reads a file, standard output where it
//! writes one, as Unix tools do.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The file name that means standard input or output.
pub const STDIO: &str = "-";

/// Whether `path` is `-`.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == STDIO
}

/// How `path` is named in messages: `standard input` for `-`, else the path itself.
pub fn input_name(path: &Path) -> PathBuf {
    if is_stdio(path) {
        PathBuf::from("standard input")
    } else {
        path.to_path_buf()
    }
}

/// The bytes of `path`, or of standard input for `-`.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    if is_stdio(path) {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lone_dash_is_standard_io() {
        assert!(is_stdio(Path::new("-")));
        assert!(!is_stdio(Path::new("./-")));
        assert!(!is_stdio(Path::new("--")));
        assert_eq!(input_name(Path::new("-")), PathBuf::from("standard input"));
        assert_eq!(input_name(Path::new("a.csv")), PathBuf::from("a.csv"));
    }

    #[test]
    fn files_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        assert_eq!(read_input(&path).unwrap(), b"a,b\n1,2\n");
    }
}
