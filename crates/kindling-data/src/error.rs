//! The errors of this crate: each names the file and says what is wrong.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while finding, reading or fetching data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A CSV file is malformed.
    #[error(transparent)]
    Csv(#[from] crate::csv_table::CsvError),
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A required data file is not there.
    #[error("{path} not found; {hint}")]
    Missing {
        /// Where the file was expected.
        path: PathBuf,
        /// What to do about it.
        hint: String,
    },
    /// A gzip file could not be decompressed.
    #[error("{path}: corrupt or truncated gzip data ({source}); delete it and download it again")]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The decoder's error.
        source: std::io::Error,
    },
    /// The file does not start with the expected IDX magic number.
    #[error(
        "{path}: not an IDX file of {expected_dims}-dimensional unsigned bytes: magic number is {found:#010x}, expected {expected:#010x}"
    )]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number found.
        found: u32,
        /// The magic number expected.
        expected: u32,
        /// The number of dimensions expected.
        expected_dims: u8,
    },
    /// The file ends before its header says it should.
    #[error(
        "{path}: truncated: the header says {expected} bytes, the file has {found}; download it again"
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header promises (header included).
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The file has bytes after the data its header describes.
    #[error(
        "{path}: unexpected bytes after the {expected} the header describes; the file is not the one it claims to be, download it again"
    )]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Bytes the header describes (header included); reading stopped one byte later.
        expected: u64,
    },
    /// The header describes more data than an IDX file may hold (see
    /// [`crate::MAX_IDX_BYTES`]); nothing more was read.
    #[error(
        "{path}: the header describes {dims:?} bytes, {bytes} in all; at most {limit} are read: this is not an MNIST file"
    )]
    IdxTooLarge {
        /// The file.
        path: PathBuf,
        /// The dimensions its header gives.
        dims: Vec<usize>,
        /// Their product.
        bytes: u64,
        /// [`crate::MAX_IDX_BYTES`].
        limit: u64,
    },
    /// The images do not have the expected size.
    #[error("{path}: images are {rows}x{cols} pixels, expected {expected_rows}x{expected_cols}")]
    BadImageSize {
        /// The file.
        path: PathBuf,
        /// Rows per image found.
        rows: usize,
        /// Columns per image found.
        cols: usize,
        /// Rows expected.
        expected_rows: usize,
        /// Columns expected.
        expected_cols: usize,
    },
    /// An images file and its labels file disagree on the number of examples.
    #[error(
        "{images_path} holds {images} images but {labels_path} holds {labels} labels; the two files must come from the same set"
    )]
    CountMismatch {
        /// The images file.
        images_path: PathBuf,
        /// Number of images.
        images: usize,
        /// The labels file.
        labels_path: PathBuf,
        /// Number of labels.
        labels: usize,
    },
    /// A label is outside the known classes.
    #[error("{path}: label {label} at position {index} is not a class in 0..{classes}")]
    BadLabel {
        /// The labels file.
        path: PathBuf,
        /// The offending label.
        label: u32,
        /// Its position (0-based).
        index: usize,
        /// Number of classes.
        classes: usize,
    },
    /// A file holds no examples.
    #[error("{path}: holds no examples")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A validation fraction outside `[0, 1)`, or one that leaves a side empty.
    #[error("validation split {} of {rows} rows: {reason}", crate::number::short(*.fraction))]
    BadSplit {
        /// The fraction asked for.
        fraction: f64,
        /// Rows available.
        rows: usize,
        /// Why it cannot be used.
        reason: String,
    },
    /// A name that is not a known data set.
    #[error("unknown data set `{name}`; expected one of: {known}")]
    UnknownDataset {
        /// The name given.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// The download manifest is malformed.
    #[error("download manifest {path}: {reason}")]
    Manifest {
        /// The manifest.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A download failed (no network, HTTP error, interrupted transfer).
    #[error("downloading {url} failed: {reason}\n{manual}")]
    Download {
        /// The address tried.
        url: String,
        /// What went wrong.
        reason: String,
        /// How to get the files by hand.
        manual: String,
    },
    /// A file does not match the manifest: one just downloaded, or one already there.
    #[error("{path}: {what} mismatch: expected {expected}, got {found}; {fate}")]
    Checksum {
        /// The file.
        path: PathBuf,
        /// "md5", "sha256" or "size".
        what: &'static str,
        /// Expected value.
        expected: String,
        /// Value found.
        found: String,
        /// What happened to the file, and what to do.
        fate: ChecksumFate,
    },
}

/// What became of a file that failed its checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumFate {
    /// A download: its bytes were deleted and nothing was written in the file's place.
    DownloadDeleted,
    /// A file that was already in the data directory: left exactly as it was.
    ExistingKept,
}

impl std::fmt::Display for ChecksumFate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChecksumFate::DownloadDeleted => {
                "the downloaded bytes were deleted and nothing was written in the file's place; try again or fetch it by hand"
            }
            ChecksumFate::ExistingKept => {
                "the file was kept as it is; if it is a local copy, pass --accept-local to use it, otherwise delete it to download it again"
            }
        })
    }
}

impl DataError {
    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }

    /// The error for a failed read of `path`: [`DataError::Missing`] with `hint` when the file
    /// does not exist, [`DataError::Io`] otherwise.
    pub fn reading(path: &Path, source: std::io::Error, hint: impl Into<String>) -> Self {
        match source.kind() {
            std::io::ErrorKind::NotFound => DataError::Missing {
                path: path.to_path_buf(),
                hint: hint.into(),
            },
            _ => DataError::io(path, source),
        }
    }
}
