//! Fetching the data sets from their official sources, as listed in `data/manifest.json`.
//!
//! Each file is streamed into `<name>.part`, checked against the manifest's size and checksum,
//! and only then renamed into place; a file that fails the check is deleted. Addresses are tried
//! in the manifest's order. When none answers, the error lists which file to put where by hand.
//! A file with no stable public address (the shot log, behind a Kaggle login) lists none; for it
//! the manifest says how to get it by hand, and [`ensure`] reports those steps instead of
//! fetching.

use crate::error::{ChecksumFate, DataError};
use indicatif::{ProgressBar, ProgressStyle};
use md5::{Digest, Md5};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// How long to wait for a name lookup, a connection or the next bytes before trying the next
/// address.
const NETWORK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

const MANIFEST_NAME: &str = "data/manifest.json";
const MANIFEST_JSON: &str = include_str!("../../../data/manifest.json");

/// One file of a data set and where to get it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RemoteFile {
    /// Destination, relative to the data directory.
    pub path: String,
    /// Addresses to try, in order.
    pub urls: Vec<String>,
    /// Size in bytes, when known.
    #[serde(default)]
    pub size: Option<u64>,
    /// MD5 as lowercase hex, when the publisher gives one.
    #[serde(default)]
    pub md5: Option<String>,
    /// SHA-256 as lowercase hex, when known.
    #[serde(default)]
    pub sha256: Option<String>,
    /// How to get the file by hand, for a file without a stable public address (`urls` is
    /// then empty).
    #[serde(default)]
    pub manual: Option<String>,
}

impl RemoteFile {
    /// Whether the manifest gives a size or checksum to verify the file against.
    pub fn is_checkable(&self) -> bool {
        self.size.is_some() || self.md5.is_some() || self.sha256.is_some()
    }

    /// The steps to get the file by hand into `dest`.
    pub fn manual_steps(&self, dest: &Path) -> String {
        let how = match (&self.manual, self.urls.first()) {
            (Some(manual), _) => manual.clone(),
            (None, Some(url)) => format!("download {url}"),
            (None, None) => "find the file".to_string(),
        };
        format!("{how}; save it as {}", dest.display())
    }
}

/// The data sets and their files.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    datasets: BTreeMap<String, Vec<RemoteFile>>,
}

impl Manifest {
    /// The manifest shipped with Kindling (`data/manifest.json`).
    pub fn builtin() -> Result<Self, DataError> {
        Self::parse(MANIFEST_JSON, MANIFEST_NAME)
    }

    /// Parses a manifest; `name` is used in errors.
    pub fn parse(json: &str, name: &str) -> Result<Self, DataError> {
        serde_json::from_str(json).map_err(|e| DataError::Manifest {
            path: name.to_string(),
            reason: e.to_string(),
        })
    }

    /// The names of the data sets, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.datasets.keys().map(String::as_str).collect()
    }

    /// The files of data set `name`, or of every data set for `all`.
    pub fn files(&self, name: &str) -> Result<Vec<&RemoteFile>, DataError> {
        if name == "all" {
            return Ok(self.datasets.values().flatten().collect());
        }
        self.datasets
            .get(name)
            .map(|files| files.iter().collect())
            .ok_or_else(|| DataError::UnknownDataset {
                name: name.to_string(),
                known: format!("{}, all", self.names().join(", ")),
            })
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fetched and verified.
    Downloaded,
    /// Already there and matching the manifest.
    Verified,
    /// Already there, not checked (a training run only fetches what is missing).
    Present,
    /// Already there but not matching the manifest; kept because local copies were accepted.
    KeptLocalCopy(String),
    /// Missing, and not fetched: the file has no stable public address. Holds the steps to get
    /// it by hand.
    Manual(String),
}

/// How to treat files that are already in the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Keep them unchecked; fetch only missing files.
    Keep,
    /// Check them against the manifest; a mismatch is an error.
    Verify,
    /// Check them, but keep a mismatching file with a warning (a local copy, such as a subset).
    AcceptLocal,
}

/// Makes sure every file in `files` is in `data_dir`, downloading what is missing.
pub fn ensure(
    data_dir: &Path,
    files: &[&RemoteFile],
    existing: Existing,
) -> Result<Vec<(PathBuf, Outcome)>, DataError> {
    ensure_reporting(data_dir, files, existing, |_, _| {})
}

/// [`ensure`], calling `report` with each file's outcome as soon as it is known, so that the
/// files handled before an error are reported too.
pub fn ensure_reporting(
    data_dir: &Path,
    files: &[&RemoteFile],
    existing: Existing,
    mut report: impl FnMut(&Path, &Outcome),
) -> Result<Vec<(PathBuf, Outcome)>, DataError> {
    let mut outcomes = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let dest = data_dir.join(&file.path);
        let outcome = if is_present(&dest) {
            match existing {
                Existing::Keep => Outcome::Present,
                _ if !dest.is_file() || !file.is_checkable() => Outcome::Present,
                Existing::Verify | Existing::AcceptLocal => match verify_file(file, &dest)? {
                    None => Outcome::Verified,
                    Some(_) if existing == Existing::AcceptLocal => Outcome::KeptLocalCopy(
                        "does not match the official checksum; kept as a local copy".into(),
                    ),
                    Some(mismatch) => {
                        return Err(DataError::Checksum {
                            path: dest,
                            what: mismatch.what,
                            expected: mismatch.expected,
                            found: mismatch.found,
                            fate: ChecksumFate::ExistingKept,
                        });
                    }
                },
            }
        } else if file.urls.is_empty() {
            Outcome::Manual(file.manual_steps(&dest))
        } else {
            download_file(file, &dest).map_err(|e| with_manual_steps(e, data_dir, &files[i..]))?;
            Outcome::Downloaded
        };
        report(&dest, &outcome);
        outcomes.push((dest, outcome));
    }
    Ok(outcomes)
}

/// Whether `dest` is there, or, for a `.gz` file, its uncompressed twin (the loaders accept
/// both).
pub fn is_present(dest: &Path) -> bool {
    dest.is_file()
        || (dest.extension().is_some_and(|e| e == "gz") && dest.with_extension("").is_file())
}

/// Adds "put these files there by hand" to a network failure.
fn with_manual_steps(error: DataError, data_dir: &Path, remaining: &[&RemoteFile]) -> DataError {
    match error {
        DataError::Download { url, reason, .. } => {
            let mut manual = String::from(
                "Without network access, download these files elsewhere and put them here by hand:",
            );
            for file in remaining {
                let dest = data_dir.join(&file.path);
                match file.urls.first() {
                    Some(first) => {
                        manual.push_str(&format!("\n  {first}\n    -> {}", dest.display()))
                    }
                    None => manual.push_str(&format!("\n  {}", file.manual_steps(&dest))),
                }
            }
            DataError::Download {
                url,
                reason,
                manual,
            }
        }
        other => other,
    }
}

/// A file that does not match its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// "size", "md5" or "sha256".
    pub what: &'static str,
    /// The manifest's value.
    pub expected: String,
    /// The file's value.
    pub found: String,
}

/// Running size and digests of a byte stream.
#[derive(Default)]
struct Digests {
    size: u64,
    md5: Md5,
    sha256: Sha256,
}

impl Digests {
    fn update(&mut self, bytes: &[u8]) {
        self.size += bytes.len() as u64;
        self.md5.update(bytes);
        self.sha256.update(bytes);
    }

    /// The first disagreement with `file`'s size or checksums.
    fn check(self, file: &RemoteFile) -> Option<Mismatch> {
        if let Some(size) = file.size
            && size != self.size
        {
            return Some(Mismatch {
                what: "size",
                expected: format!("{size} bytes"),
                found: format!("{} bytes", self.size),
            });
        }
        let md5 = format!("{:x}", self.md5.finalize());
        if let Some(expected) = &file.md5
            && !expected.eq_ignore_ascii_case(&md5)
        {
            return Some(Mismatch {
                what: "md5",
                expected: expected.clone(),
                found: md5,
            });
        }
        let sha256 = format!("{:x}", self.sha256.finalize());
        if let Some(expected) = &file.sha256
            && !expected.eq_ignore_ascii_case(&sha256)
        {
            return Some(Mismatch {
                what: "sha256",
                expected: expected.clone(),
                found: sha256,
            });
        }
        None
    }
}

/// Checks a file on disk against its manifest entry; `None` when it matches.
pub fn verify_file(file: &RemoteFile, path: &Path) -> Result<Option<Mismatch>, DataError> {
    let mut reader = File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut digests = Digests::default();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = reader
            .read(&mut buffer)
            .map_err(|e| DataError::io(path, e))?;
        if n == 0 {
            break;
        }
        digests.update(&buffer[..n]);
    }
    Ok(digests.check(file))
}

/// Downloads one file to `dest` (through `dest.part`), trying each address in turn.
pub fn download_file(file: &RemoteFile, dest: &Path) -> Result<(), DataError> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
    }
    let mut last_error = None;
    for url in &file.urls {
        match download_from(url, file, dest) {
            Ok(()) => return Ok(()),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| DataError::Manifest {
        path: MANIFEST_NAME.into(),
        reason: format!("{} lists no address", file.path),
    }))
}

fn download_from(url: &str, file: &RemoteFile, dest: &Path) -> Result<(), DataError> {
    let failed = |reason: String| DataError::Download {
        url: url.to_string(),
        reason,
        manual: String::new(),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_resolve(Some(NETWORK_TIMEOUT))
        .timeout_connect(Some(NETWORK_TIMEOUT))
        .timeout_per_read(Some(NETWORK_TIMEOUT))
        .build()
        .into();
    let response = agent.get(url).call().map_err(|e| failed(e.to_string()))?;
    let mut body = response.into_body();
    let length = body.content_length().or(file.size);
    let part = part_path(dest);
    let result = (|| {
        let mut out = File::create(&part).map_err(|e| DataError::io(&part, e))?;
        let progress = progress_bar(length, &file.path);
        let mut reader = body.as_reader();
        let mut digests = Digests::default();
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = reader
                .read(&mut buffer)
                .map_err(|e| failed(format!("transfer interrupted: {e}")))?;
            if n == 0 {
                break;
            }
            out.write_all(&buffer[..n])
                .map_err(|e| DataError::io(&part, e))?;
            digests.update(&buffer[..n]);
            progress.inc(n as u64);
        }
        progress.finish_and_clear();
        out.sync_all().map_err(|e| DataError::io(&part, e))?;
        if let Some(mismatch) = digests.check(file) {
            return Err(DataError::Checksum {
                path: dest.to_path_buf(),
                what: mismatch.what,
                expected: mismatch.expected,
                found: mismatch.found,
                fate: ChecksumFate::DownloadDeleted,
            });
        }
        std::fs::rename(&part, dest).map_err(|e| DataError::io(dest, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// `dest` with `.part` appended to its name.
fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

fn progress_bar(length: Option<u64>, label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length.unwrap_or(0));
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// Serves `body` once per connection on a loopback port, `times` times.
    fn serve(body: Vec<u8>, times: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(times) {
                let mut stream = stream.unwrap();
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let header = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(header.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        format!("http://{address}/file.gz")
    }

    fn entry(url: String, body: &[u8]) -> RemoteFile {
        RemoteFile {
            path: "mnist/file.gz".into(),
            urls: vec![url],
            size: Some(body.len() as u64),
            md5: Some(format!("{:x}", Md5::digest(body))),
            sha256: None,
            manual: None,
        }
    }

    #[test]
    fn builtin_manifest_lists_the_official_mnist_files() {
        let manifest = Manifest::builtin().unwrap();
        assert_eq!(manifest.names(), vec!["mnist", "shots", "titanic", "wages"]);
        let mnist = manifest.files("mnist").unwrap();
        assert_eq!(mnist.len(), 4);
        assert_eq!(
            mnist[0].md5.as_deref(),
            Some("f68b3c2dcbeaaa9fbdd348bbdeb94873")
        );
        assert_eq!(manifest.files("all").unwrap().len(), 7);
        let err = manifest.files("cifar").unwrap_err().to_string();
        assert!(err.contains("mnist, shots, titanic, wages, all"), "{err}");
    }

    #[test]
    fn downloads_verifies_and_renames() {
        let body = b"the real bytes".to_vec();
        let file = entry(serve(body.clone(), 1), &body);
        let dir = tempfile::tempdir().unwrap();
        let outcomes = ensure(dir.path(), &[&file], Existing::Verify).unwrap();
        assert_eq!(outcomes[0].1, Outcome::Downloaded);
        let dest = dir.path().join("mnist/file.gz");
        assert_eq!(std::fs::read(&dest).unwrap(), body);
        assert!(!part_path(&dest).exists());
        let again = ensure(dir.path(), &[&file], Existing::Verify).unwrap();
        assert_eq!(again[0].1, Outcome::Verified);
    }

    #[test]
    fn a_checksum_mismatch_deletes_the_part_file_and_fails() {
        let file = entry(serve(b"tampered bytes".to_vec(), 1), b"expected bytes");
        let dir = tempfile::tempdir().unwrap();
        let err = ensure(dir.path(), &[&file], Existing::Verify).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::Checksum {
                    what: "md5",
                    fate: ChecksumFate::DownloadDeleted,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("downloaded bytes were deleted"));
        let dest = dir.path().join("mnist/file.gz");
        assert!(!dest.exists() && !part_path(&dest).exists());
    }

    #[test]
    fn no_network_says_what_to_put_where() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/file.gz", listener.local_addr().unwrap());
        drop(listener);
        let file = entry(url.clone(), b"x");
        let dir = tempfile::tempdir().unwrap();
        let err = ensure(dir.path(), &[&file], Existing::Keep)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&url), "{err}");
        assert!(err.contains("by hand"), "{err}");
        assert!(
            err.contains(&dir.path().join("mnist/file.gz").display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn existing_files_are_verified_or_kept_as_local_copies() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("mnist/file.gz");
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, b"a subset").unwrap();
        let file = entry("http://127.0.0.1:9/never".into(), b"the official file");
        let err = ensure(dir.path(), &[&file], Existing::Verify)
            .unwrap_err()
            .to_string();
        // The message says what happened: the file is still there, untouched.
        assert!(err.contains("--accept-local"), "{err}");
        assert!(err.contains("kept as it is"), "{err}");
        assert!(!err.contains("deleted"), "{err}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"a subset");
        let kept = ensure(dir.path(), &[&file], Existing::AcceptLocal).unwrap();
        assert!(matches!(kept[0].1, Outcome::KeptLocalCopy(_)));
        let present = ensure(dir.path(), &[&file], Existing::Keep).unwrap();
        assert_eq!(present[0].1, Outcome::Present);
        assert_eq!(std::fs::read(&dest).unwrap(), b"a subset");
    }

    #[test]
    fn a_file_without_an_address_is_left_to_the_user() {
        let manifest = Manifest::builtin().unwrap();
        let shots = manifest.files("shots").unwrap();
        assert!(shots[0].urls.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("tabular/shot_logs.csv");
        let outcomes = ensure(dir.path(), &shots, Existing::Verify).unwrap();
        let Outcome::Manual(steps) = &outcomes[0].1 else {
            panic!("{:?}", outcomes[0].1);
        };
        assert!(
            steps.contains("https://www.kaggle.com/datasets/dansbecker/nba-shot-logs"),
            "{steps}"
        );
        assert!(
            steps.ends_with(&format!("save it as {}", dest.display())),
            "{steps}"
        );
        assert!(!dest.exists());
        // Once saved, it is present; with no checksum published, it is not called verified.
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, "GAME_ID\n").unwrap();
        let outcomes = ensure(dir.path(), &shots, Existing::Verify).unwrap();
        assert_eq!(outcomes[0].1, Outcome::Present);
    }
}
