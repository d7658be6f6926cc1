//! An in-memory table of examples: features in one contiguous buffer, and their targets.

use std::ops::Range;

/// What each example is labelled with.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// A class index per example, each below `classes`.
    Classes {
        /// The class of each example.
        labels: Vec<u32>,
        /// Number of classes.
        classes: usize,
    },
    /// Real values to regress on, `width` per example.
    Values {
        /// The values, row-major.
        values: Vec<f32>,
        /// Values per example.
        width: usize,
    },
}

/// Examples as one row-major `f32` buffer of `len() × width` features plus their targets.
///
/// Batches are built by copying rows out of the one buffer, with no per-example allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    features: Vec<f32>,
    width: usize,
    targets: Targets,
}

impl Rows {
    /// A table of class-labelled examples.
    ///
    /// # Panics
    /// If the buffer is not `labels.len() × width` long, or a label is not below `classes`
    /// (loaders check both and report them as errors before calling this).
    pub fn classified(features: Vec<f32>, width: usize, labels: Vec<u32>, classes: usize) -> Self {
        assert_eq!(features.len(), labels.len() * width, "feature buffer size");
        assert!(
            labels.iter().all(|&l| (l as usize) < classes),
            "label range"
        );
        Self {
            features,
            width,
            targets: Targets::Classes { labels, classes },
        }
    }

    /// A table of examples with real-valued targets, `target_width` per example.
    ///
    /// # Panics
    /// If the buffers' lengths disagree.
    pub fn regression(
        features: Vec<f32>,
        width: usize,
        values: Vec<f32>,
        target_width: usize,
    ) -> Self {
        assert_eq!(
            features.len() / width.max(1),
            values.len() / target_width.max(1),
            "row counts"
        );
        Self {
            features,
            width,
            targets: Targets::Values {
                values,
                width: target_width,
            },
        }
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        match &self.targets {
            Targets::Classes { labels, .. } => labels.len(),
            Targets::Values { values, width } => values.len() / (*width).max(1),
        }
    }

    /// All features, row-major.
    pub fn all_features(&self) -> &[f32] {
        &self.features
    }

    /// All features, mutable (for scaling in place).
    pub fn all_features_mut(&mut self) -> &mut [f32] {
        &mut self.features
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of features per example.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The features of example `index`.
    pub fn features(&self, index: usize) -> &[f32] {
        &self.features[index * self.width..(index + 1) * self.width]
    }

    /// The features of a contiguous run of examples.
    pub fn feature_block(&self, range: Range<usize>) -> &[f32] {
        &self.features[range.start * self.width..range.end * self.width]
    }

    /// The targets.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// Number of classes, for class-labelled rows.
    pub fn classes(&self) -> Option<usize> {
        match &self.targets {
            Targets::Classes { classes, .. } => Some(*classes),
            Targets::Values { .. } => None,
        }
    }

    /// The class labels, for class-labelled rows.
    pub fn labels(&self) -> Option<&[u32]> {
        match &self.targets {
            Targets::Classes { labels, .. } => Some(labels),
            Targets::Values { .. } => None,
        }
    }

    /// The real-valued targets and their width, for regression rows.
    pub fn values(&self) -> Option<(&[f32], usize)> {
        match &self.targets {
            Targets::Values { values, width } => Some((values, *width)),
            Targets::Classes { .. } => None,
        }
    }
}
