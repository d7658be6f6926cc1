//! Everything a prediction uses from a run's `config.json`, checked before any prediction.
//!
//! `metrics.json` records the SHA-256 of each field a prediction reads ([`CHECKED_FIELDS`]),
//! taken from `config.json` as written; loading compares them with the file as it is, and a
//! field changed since (a deleted scaler, an edited feature list) is refused by name. Runs
//! written before these checksums existed, and every run besides, are also checked for
//! consistency: as many scaler offsets, divisors and feature names as the model has inputs,
//! and divisors that are finite and not zero.

use crate::error::TrainError;
use crate::recipe::RunConfig;
use kindling_models::run::sha256_hex;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The fields of `config.json` a prediction reads.
pub const CHECKED_FIELDS: [&str; 6] = [
    "kind",
    "model",
    "features",
    "scaler",
    "fill_values",
    "encoding",
];

/// The SHA-256 of each of [`CHECKED_FIELDS`] in the JSON text `config_json` (a missing field
/// hashes as `null`).
pub fn field_checksums(config_json: &str) -> Result<BTreeMap<String, String>, serde_json::Error> {
    let value: Value = serde_json::from_str(config_json)?;
    Ok(CHECKED_FIELDS
        .iter()
        .map(|&field| {
            let text = value.get(field).unwrap_or(&Value::Null).to_string();
            (field.to_string(), sha256_hex(text.as_bytes()))
        })
        .collect())
}

/// Checks `config` (parsed from `text`, read from `path`) against the checksums `recorded` in
/// `metrics.json`, when there are any, and for consistency with its model.
pub fn check_config(
    path: &Path,
    text: &str,
    config: &RunConfig,
    recorded: &BTreeMap<String, String>,
) -> Result<(), TrainError> {
    let refuse = |reason: String| TrainError::Record {
        path: path.to_path_buf(),
        reason,
    };
    if !recorded.is_empty() {
        let found = field_checksums(text).map_err(|e| refuse(format!("malformed ({e})")))?;
        for (field, checksum) in recorded {
            if found.get(field) != Some(checksum) {
                return Err(refuse(format!(
                    "field `{field}` was changed after training (its SHA-256 differs from the one metrics.json records); restore the file or retrain"
                )));
            }
        }
    }
    let inputs = config.model.inputs();
    if !config.features.is_empty() && config.features.len() != inputs {
        return Err(refuse(format!(
            "field `features` names {} columns but the model takes {inputs} inputs",
            config.features.len()
        )));
    }
    if let Some(scaler) = &config.scaler {
        for (field, values) in [("offset", &scaler.offset), ("divisor", &scaler.divisor)] {
            if values.len() != inputs {
                return Err(refuse(format!(
                    "field `scaler.{field}` has {} values but the model takes {inputs} inputs",
                    values.len()
                )));
            }
        }
        if let Some(i) = scaler
            .divisor
            .iter()
            .position(|d| !d.is_finite() || *d == 0.0)
        {
            return Err(refuse(format!(
                "field `scaler.divisor` value {} is {}: scaling would make every prediction NaN or infinite",
                i + 1,
                scaler.divisor[i]
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_hashes_on_its_own() {
        let a = field_checksums(r#"{"kind":"classifier","features":["age"],"other":1}"#).unwrap();
        let b = field_checksums(r#"{"kind":"classifier","features":["agex"],"other":2}"#).unwrap();
        assert_eq!(a["kind"], b["kind"]);
        assert_ne!(a["features"], b["features"]);
        // A missing field hashes as null, and differently from any value.
        assert_eq!(a["scaler"], sha256_hex(b"null"));
        assert_eq!(a.len(), CHECKED_FIELDS.len());
    }
}
