//! The IDX format of the MNIST files: a magic number, big-endian dimensions, then unsigned bytes.

use crate::error::DataError;
use flate2::read::GzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
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

/// The most data bytes an IDX file may describe: 256 MiB, five times MNIST's training images
/// (47 MB). The header is checked against it before anything is read, and the data is then
/// read up to the size the header describes and one byte more (to notice trailing data), so a
/// file whose header or gzip stream lies costs no more memory than this.
pub const MAX_IDX_BYTES: u64 = 256 << 20;

/// Reads an IDX file of unsigned bytes with `ndims` dimensions, gzip-compressed or raw
/// (detected from the content, not the name), streaming: see [`MAX_IDX_BYTES`].
pub fn read_idx(path: &Path, ndims: u8) -> Result<IdxArray, DataError> {
    let file =
        File::open(path).map_err(|e| DataError::reading(path, e, "check the data directory"))?;
    let mut buffered = BufReader::new(file);
    let head = buffered
        .fill_buf()
        .map_err(|e| DataError::reading(path, e, "check the data directory"))?;
    if head.starts_with(&GZIP_MAGIC) {
        let gzip_error = |source| DataError::Gzip {
            path: path.to_path_buf(),
            source,
        };
        read_stream(path, GzDecoder::new(buffered), ndims, &gzip_error)
    } else {
        let read_error = |e| DataError::reading(path, e, "check the data directory");
        read_stream(path, buffered, ndims, &read_error)
    }
}

/// Parses an (uncompressed) IDX stream: the header, then at most the data it describes and one
/// byte more. `io_error` wraps a read failure.
fn read_stream(
    path: &Path,
    mut reader: impl Read,
    ndims: u8,
    io_error: &dyn Fn(std::io::Error) -> DataError,
) -> Result<IdxArray, DataError> {
    let header_len = 4 + 4 * ndims as usize;
    let mut header = Vec::with_capacity(header_len);
    (&mut reader)
        .take(header_len as u64)
        .read_to_end(&mut header)
        .map_err(io_error)?;
    let truncated = |expected: u64, found: usize| DataError::Truncated {
        path: path.to_path_buf(),
        expected,
        found: found as u64,
    };
    let magic = read_u32(&header, 0).ok_or_else(|| truncated(4, header.len()))?;
    let expected_magic = u32::from_be_bytes([0, 0, UNSIGNED_BYTE, ndims]);
    if magic != expected_magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            found: magic,
            expected: expected_magic,
            expected_dims: ndims,
        });
    }
    if header.len() < header_len {
        return Err(truncated(header_len as u64, header.len()));
    }
    let dims: Vec<usize> = (0..ndims as usize)
        .filter_map(|d| read_u32(&header, 4 + 4 * d))
        .map(|size| size as usize)
        .collect();
    let payload = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .unwrap_or(u64::MAX);
    if payload > MAX_IDX_BYTES {
        return Err(DataError::IdxTooLarge {
            path: path.to_path_buf(),
            dims,
            bytes: payload,
            limit: MAX_IDX_BYTES,
        });
    }
    let mut data = Vec::new();
    reader
        .take(payload + 1)
        .read_to_end(&mut data)
        .map_err(io_error)?;
    let found = data.len() as u64;
    if found < payload {
        return Err(truncated(
            payload + header_len as u64,
            header_len + data.len(),
        ));
    }
    if found > payload {
        return Err(DataError::TrailingBytes {
            path: path.to_path_buf(),
            expected: payload + header_len as u64,
        });
    }
    Ok(IdxArray { dims, data })
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([word[0], word[1], word[2], word[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8], ndims: u8) -> Result<IdxArray, DataError> {
        let io = |source| DataError::Gzip {
            path: "f.idx".into(),
            source,
        };
        read_stream(Path::new("f.idx"), bytes, ndims, &io)
    }

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
        let array = parse(&bytes, 2).unwrap();
        assert_eq!(array.dims, vec![2, 3]);
        assert_eq!(array.data, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn reports_truncation_magic_and_trailing_bytes() {
        let bytes = idx(&[2, 3], &[1, 2, 3]);
        let err = parse(&bytes, 2).unwrap_err();
        assert!(matches!(
            err,
            DataError::Truncated {
                expected: 18,
                found: 15,
                ..
            }
        ));
        assert!(err.to_string().starts_with("f.idx: truncated"));

        let err = parse(&bytes, 3).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadMagic {
                found: 0x0802,
                expected: 0x0803,
                ..
            }
        ));

        let bytes = idx(&[1], &[7, 8]);
        let err = parse(&bytes, 1).unwrap_err();
        assert!(matches!(err, DataError::TrailingBytes { expected: 9, .. }));

        let err = parse(&[0, 0], 1).unwrap_err();
        assert!(matches!(err, DataError::Truncated { .. }));
    }

    #[test]
    fn huge_header_dims_do_not_overflow() {
        let bytes = idx(&[u32::MAX, u32::MAX, u32::MAX], &[]);
        let err = parse(&bytes, 3).unwrap_err();
        assert!(matches!(err, DataError::IdxTooLarge { .. }), "{err}");
        assert!(err.to_string().contains("at most 268435456"), "{err}");
    }
}
