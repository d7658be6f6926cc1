//! `-` as a file name: standard input where a command reads a file, standard output where it
//! writes one, as Unix tools do.

use std::io::{BufRead, BufReader, Read};
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

/// The most bytes [`read_input`] reads: 256 MiB, a dozen times the largest course file (the
/// shot log, 20 MB). Standard input and devices claim no size, so without a cap
/// `--input /dev/zero` would grow without end.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// The bytes of `path`, or of standard input for `-`; more than [`MAX_INPUT_BYTES`] is an
/// error (and no more than that is read).
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_input(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("more than {MAX_INPUT_BYTES} bytes; this is not a course table"),
        ));
    }
    Ok(bytes)
}

/// A buffered reader of `path`, or of standard input for `-`.
pub fn open_input(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    if is_stdio(path) {
        Ok(Box::new(BufReader::new(std::io::stdin())))
    } else {
        Ok(Box::new(BufReader::new(std::fs::File::open(path)?)))
    }
}

/// A reader that refuses a line longer than `max` bytes (an `InvalidData` error as soon as one
/// is seen), so that a parser reading records from it never holds more than one honest line.
pub struct LineCapped<R> {
    inner: R,
    max: usize,
    /// Bytes read since the last line break.
    run: usize,
}

impl<R> LineCapped<R> {
    /// `inner`, read through the cap of `max` bytes a line.
    pub fn new(inner: R, max: usize) -> Self {
        Self { inner, max, run: 0 }
    }
}

impl<R: Read> Read for LineCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            if byte == b'\n' || byte == b'\r' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.max {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "a line is longer than {} bytes; this is not a table of examples (is it the right file?)",
                            self.max
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_longer_than_the_cap_is_refused_as_it_is_read() {
        let mut text = String::new();
        LineCapped::new("ab\ncd\r\nef".as_bytes(), 2)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "ab\ncd\r\nef");
        // An endless line stops at the cap, not at the end of memory.
        let err = LineCapped::new(std::io::repeat(b'x'), 1000)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().contains("longer than 1000 bytes"), "{err}");
    }

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
