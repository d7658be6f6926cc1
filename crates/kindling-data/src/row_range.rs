//! A range of rows as a Burn [`Dataset`] of row indices.

use burn::data::dataset::{Dataset, DatasetError};
use std::ops::Range;

/// A contiguous range of rows served as a Burn [`Dataset`] of row indices.
///
/// The items are indices into the [`Rows`](crate::Rows) a batcher holds, so a training split
/// and its validation split share one buffer and shuffling moves integers, not images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRange {
    range: Range<usize>,
}

impl RowRange {
    /// The rows `range` of a table.
    pub fn new(range: Range<usize>) -> Self {
        Self { range }
    }
}

impl Dataset<usize> for RowRange {
    fn get(&self, index: usize) -> Result<usize, DatasetError> {
        if index < self.range.len() {
            Ok(self.range.start + index)
        } else {
            Err(DatasetError::new(std::io::Error::other(format!(
                "row {index} is outside a range of {} rows",
                self.range.len()
            ))))
        }
    }

    fn len(&self) -> usize {
        self.range.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_serves_offset_indices() {
        let range = RowRange::new(5..8);
        assert_eq!(range.len(), 3);
        assert_eq!(range.get(0).unwrap(), 5);
        assert_eq!(range.get(2).unwrap(), 7);
        assert!(range.get(3).is_err());
    }
}
