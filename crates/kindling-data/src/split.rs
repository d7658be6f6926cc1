//! Keras-compatible validation splits.
//!
//! Keras's `fit(..., validation_split=f)` holds out the **last** fraction `f` of the training
//! arrays, taken **before** any shuffling: the first `floor(n × (1 − f))` rows train, the rest
//! validate, and only the training part is reshuffled each epoch. Kindling does the same, so the
//! same data file gives the same two sets in both.

use crate::error::DataError;
use std::ops::Range;

/// The rows that train and the rows that validate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationSplit {
    /// Rows used for training (the first part).
    pub train: Range<usize>,
    /// Rows held out for validation (the last part).
    pub valid: Range<usize>,
}

/// Splits `rows` rows the way Keras's `validation_split=fraction` does.
///
/// `fraction` must lie in `(0, 1)` and leave at least one row on each side.
pub fn validation_split(rows: usize, fraction: f64) -> Result<ValidationSplit, DataError> {
    let bad = |reason: &str| DataError::BadSplit {
        fraction,
        rows,
        reason: reason.to_string(),
    };
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(bad("the fraction must be greater than 0 and less than 1"));
    }
    let split_at = (rows as f64 * (1.0 - fraction)).floor() as usize;
    if split_at == 0 {
        return Err(bad(
            "no rows would be left for training; lower the fraction",
        ));
    }
    if split_at == rows {
        return Err(bad(
            "no rows would be held out for validation; raise the fraction",
        ));
    }
    Ok(ValidationSplit {
        train: 0..split_at,
        valid: split_at..rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_out_the_last_fraction_like_keras() {
        // Keras: split_at = int(22699 * (1 - 0.3)) = 15889.
        let split = validation_split(22_699, 0.3).unwrap();
        assert_eq!(split.train, 0..15_889);
        assert_eq!(split.valid, 15_889..22_699);
        assert_eq!(validation_split(534, 0.3).unwrap().train, 0..373);
    }

    #[test]
    fn rejects_fractions_that_leave_a_side_empty() {
        for f in [0.0, 1.0, -0.1, f64::NAN] {
            assert!(validation_split(100, f).is_err(), "{f}");
        }
        let err = validation_split(1, 0.5).unwrap_err().to_string();
        assert!(err.contains("no rows would be left for training"), "{err}");
        assert!(
            validation_split(3, 1e-17)
                .unwrap_err()
                .to_string()
                .contains("raise the fraction")
        );
    }
}
