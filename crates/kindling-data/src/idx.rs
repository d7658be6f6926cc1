//! The IDX format of the MNIST files: a magic number, big-endian dimensions, then unsigned bytes.

use crate::error::DataError;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

/// An IDX file's content: its dimensions and its bytes, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// Size of each dimension, outermost first.
    pub dims: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<u8>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UNSIGNED_BYTE: u8 = 0x08;

/// Reads an IDX file of unsigned bytes with `ndims` dimensions, gzip-compressed or raw
/// (detected from the content, not the name).
pub fn read_idx(path: &Path, ndims: u8) -> Result<IdxArray, DataError> {
    let raw =
        std::fs::read(path).map_err(|e| DataError::reading(path, e, "check the data directory"))?;
    let bytes = if raw.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::with_capacity(raw.len() * 5);
        GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|source| DataError::Gzip {
                path: path.to_path_buf(),
                source,
            })?;
        out
    } else {
        raw
    };
    parse_idx(path, &bytes, ndims)
}

/// Parses the bytes of an (uncompressed) IDX file.
fn parse_idx(path: &Path, bytes: &[u8], ndims: u8) -> Result<IdxArray, DataError> {
    let expected_magic = u32::from_be_bytes([0, 0, UNSIGNED_BYTE, ndims]);
    let truncated = |expected: u64| DataError::Truncated {
        path: path.to_path_buf(),
        expected,
        found: bytes.len() as u64,
    };
    let magic = read_u32(bytes, 0).ok_or_else(|| truncated(4))?;
    if magic != expected_magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            found: magic,
            expected: expected_magic,
            expected_dims: ndims,
        });
    }
    let header_len = 4 + 4 * ndims as usize;
    let mut dims = Vec::with_capacity(ndims as usize);
    for d in 0..ndims as usize {
        let size = read_u32(bytes, 4 + 4 * d).ok_or_else(|| truncated(header_len as u64))?;
        dims.push(size as usize);
    }
    let payload = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .unwrap_or(u64::MAX);
    let expected = payload.saturating_add(header_len as u64);
    let found = bytes.len() as u64;
    if found < expected {
        return Err(truncated(expected));
    }
    if found > expected {
        return Err(DataError::TrailingBytes {
            path: path.to_path_buf(),
            extra: found - expected,
        });
    }
    Ok(IdxArray {
        dims,
        data: bytes[header_len..].to_vec(),
    })
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([word[0], word[1], word[2], word[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut out = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
        for d in dims {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn parses_dims_and_data() {
        let bytes = idx(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let array = parse_idx(Path::new("x"), &bytes, 2).unwrap();
        assert_eq!(array.dims, vec![2, 3]);
        assert_eq!(array.data, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn reports_truncation_magic_and_trailing_bytes() {
        let bytes = idx(&[2, 3], &[1, 2, 3]);
        let err = parse_idx(Path::new("f.idx"), &bytes, 2).unwrap_err();
        assert!(matches!(
            err,
            DataError::Truncated {
                expected: 18,
                found: 15,
                ..
            }
        ));
        assert!(err.to_string().starts_with("f.idx: truncated"));

        let err = parse_idx(Path::new("f.idx"), &bytes, 3).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadMagic {
                found: 0x0802,
                expected: 0x0803,
                ..
            }
        ));

        let bytes = idx(&[1], &[7, 8]);
        let err = parse_idx(Path::new("f.idx"), &bytes, 1).unwrap_err();
        assert!(matches!(err, DataError::TrailingBytes { extra: 1, .. }));

        let err = parse_idx(Path::new("f.idx"), &[0, 0], 1).unwrap_err();
        assert!(matches!(err, DataError::Truncated { .. }));
    }

    #[test]
    fn huge_header_dims_do_not_overflow() {
        let bytes = idx(&[u32::MAX, u32::MAX, u32::MAX], &[]);
        let err = parse_idx(Path::new("f"), &bytes, 3).unwrap_err();
        assert!(matches!(err, DataError::Truncated { .. }));
    }
}
