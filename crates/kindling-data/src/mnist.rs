//! MNIST from the official IDX files (gzip-compressed or raw).
//!
//! Layout under the data directory: `mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`
//! (the same names without `.gz` are accepted too). Pixels are scaled to `[0, 1]`.

use crate::error::DataError;
use crate::idx::read_idx;
use crate::rows::Rows;
use std::path::{Path, PathBuf};

/// Image height and width in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Number of classes (digits).
pub const CLASSES: usize = 10;

/// One of MNIST's two official sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MnistSet {
    /// The training set (`train-*`).
    Train,
    /// The official 10,000-image test set (`t10k-*`).
    Test,
}

impl MnistSet {
    fn prefix(self) -> &'static str {
        match self {
            MnistSet::Train => "train",
            MnistSet::Test => "t10k",
        }
    }

    /// The file names of this set's images and labels, compressed.
    pub fn file_names(self) -> [String; 2] {
        [
            format!("{}-images-idx3-ubyte.gz", self.prefix()),
            format!("{}-labels-idx1-ubyte.gz", self.prefix()),
        ]
    }
}

/// The paths of one set's images and labels files inside `data_dir`, preferring the `.gz`
/// files and falling back to uncompressed ones. A file found in neither form is reported with
/// where it should go and how to get it.
pub fn locate(data_dir: &Path, set: MnistSet) -> Result<(PathBuf, PathBuf), DataError> {
    let [images, labels] = set.file_names().map(|name| {
        let gz = data_dir.join("mnist").join(&name);
        let raw = gz.with_extension("");
        if gz.is_file() || !raw.is_file() {
            gz
        } else {
            raw
        }
    });
    for path in [&images, &labels] {
        if !path.is_file() {
            return Err(DataError::Missing {
                path: path.clone(),
                hint: "run `cargo xtask download mnist`, or put the official file there by hand (the name without .gz is accepted uncompressed)".into(),
            });
        }
    }
    Ok((images, labels))
}

/// Loads one set from `data_dir`.
pub fn load(data_dir: &Path, set: MnistSet) -> Result<Rows, DataError> {
    let (images, labels) = locate(data_dir, set)?;
    load_files(&images, &labels)
}

/// Loads images and labels from two IDX files, checking that they agree.
pub fn load_files(images_path: &Path, labels_path: &Path) -> Result<Rows, DataError> {
    let images = read_idx(images_path, 3)?;
    let labels = read_idx(labels_path, 1)?;
    let (count, rows, cols) = (images.dims[0], images.dims[1], images.dims[2]);
    if (rows, cols) != (IMAGE_SIDE, IMAGE_SIDE) {
        return Err(DataError::BadImageSize {
            path: images_path.to_path_buf(),
            rows,
            cols,
            expected_rows: IMAGE_SIDE,
            expected_cols: IMAGE_SIDE,
        });
    }
    if count != labels.dims[0] {
        return Err(DataError::CountMismatch {
            images_path: images_path.to_path_buf(),
            images: count,
            labels_path: labels_path.to_path_buf(),
            labels: labels.dims[0],
        });
    }
    if count == 0 {
        return Err(DataError::Empty {
            path: images_path.to_path_buf(),
        });
    }
    if let Some((index, &label)) = labels
        .data
        .iter()
        .enumerate()
        .find(|(_, l)| **l as usize >= CLASSES)
    {
        return Err(DataError::BadLabel {
            path: labels_path.to_path_buf(),
            label: label as u32,
            index,
            classes: CLASSES,
        });
    }
    Ok(Rows::classified(
        scale_pixels(&images.data),
        PIXELS,
        labels.data.iter().map(|&l| l as u32).collect(),
        CLASSES,
    ))
}

/// Bytes 0–255 to floats 0–1, through a 256-entry table (no division per pixel).
fn scale_pixels(bytes: &[u8]) -> Vec<f32> {
    let table: [f32; 256] = std::array::from_fn(|b| b as f32 / 255.0);
    bytes.iter().map(|&b| table[b as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_unit_interval() {
        assert_eq!(scale_pixels(&[0, 255, 51]), vec![0.0, 1.0, 0.2]);
    }

    #[test]
    fn missing_files_say_how_to_get_them() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path(), MnistSet::Test).unwrap_err().to_string();
        assert!(err.contains("t10k-images-idx3-ubyte.gz not found"), "{err}");
        assert!(err.contains("cargo xtask download mnist"), "{err}");
    }
}
