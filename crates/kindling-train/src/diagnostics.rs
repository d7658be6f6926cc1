//! Training diagnostics (`train --diagnostics`): per layer and per epoch, the gradient norm and
//! the fraction of dead ReLU units, as extra `history.csv` columns and two PNG charts.

use crate::error::TrainError;
use crate::plot::{Series, line_chart};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One epoch's diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochDiagnostics {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Per layer (first to last, output layer included): the mean over the epoch's steps of the
    /// L2 norm of the loss gradient with respect to the layer's weights.
    pub grad_norms: Vec<f64>,
    /// Per hidden layer: the fraction of its units that output zero for every validation
    /// example after the epoch (dead ReLU units); `None` for a layer whose activation is not
    /// ReLU.
    pub dead_fractions: Vec<Option<f64>>,
}

/// The `history.csv` header with the diagnostics columns appended.
pub(crate) fn header(csv_header: &str, first: &EpochDiagnostics) -> String {
    let mut header = csv_header.to_string();
    for layer in 1..=first.grad_norms.len() {
        header.push_str(&format!(",grad_norm_{layer}"));
    }
    for layer in 1..=first.dead_fractions.len() {
        header.push_str(&format!(",dead_relu_{layer}"));
    }
    header
}

/// `csv` (a history, one row per epoch after the header) with the diagnostics columns appended.
pub fn append_to_history(csv: &str, epochs: &[EpochDiagnostics]) -> String {
    let mut lines = csv.lines();
    let Some((head, first)) = lines.next().zip(epochs.first()) else {
        return csv.to_string();
    };
    let mut out = header(head, first);
    out.push('\n');
    for (line, e) in lines.zip(epochs) {
        out.push_str(line);
        for norm in &e.grad_norms {
            out.push_str(&format!(",{norm}"));
        }
        for fraction in &e.dead_fractions {
            out.push(',');
            if let Some(f) = fraction {
                out.push_str(&f.to_string());
            }
        }
        out.push('\n');
    }
    out
}

/// Draws `gradient_norms.png` and, when a layer uses ReLU, `dead_relu.png` into `dir`.
pub fn plot(epochs: &[EpochDiagnostics], dir: &Path) -> Result<(), TrainError> {
    let Some(first) = epochs.first() else {
        return Ok(());
    };
    let labels: Vec<String> = (1..=first.grad_norms.len())
        .map(|l| format!("layer {l}"))
        .collect();
    let norms: Vec<Series> = labels
        .iter()
        .enumerate()
        .map(|(l, label)| Series {
            label,
            points: epochs
                .iter()
                .map(|e| (e.epoch as f64, e.grad_norms[l]))
                .collect(),
        })
        .collect();
    line_chart(
        &dir.join(crate::run_dir::GRADIENT_NORMS_CHART),
        "Gradient norm per layer",
        "epoch",
        "mean ‖∂loss/∂W‖",
        &norms,
    )?;
    let dead: Vec<Series> = labels
        .iter()
        .enumerate()
        .take(first.dead_fractions.len())
        .filter(|(l, _)| first.dead_fractions[*l].is_some())
        .map(|(l, label)| Series {
            label,
            points: epochs
                .iter()
                .map(|e| (e.epoch as f64, e.dead_fractions[l].unwrap_or(f64::NAN)))
                .collect(),
        })
        .collect();
    if dead.is_empty() {
        return Ok(());
    }
    line_chart(
        &dir.join(crate::run_dir::DEAD_RELU_CHART),
        "Dead ReLU units per hidden layer",
        "epoch",
        "fraction of units",
        &dead,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_appended_row_by_row() {
        let epochs = vec![
            EpochDiagnostics {
                epoch: 1,
                grad_norms: vec![0.5, 0.25],
                dead_fractions: vec![Some(0.1)],
            },
            EpochDiagnostics {
                epoch: 2,
                grad_norms: vec![0.4, 0.2],
                dead_fractions: vec![None],
            },
        ];
        let csv = append_to_history("epoch,loss\n1,0.9\n2,0.8\n", &epochs);
        assert_eq!(
            csv,
            "epoch,loss,grad_norm_1,grad_norm_2,dead_relu_1\n1,0.9,0.5,0.25,0.1\n2,0.8,0.4,0.2,\n"
        );
    }
}
