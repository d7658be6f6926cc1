//! The scores beyond loss and accuracy: precision, recall and F1 (per class and their macro
//! average), AUROC for two classes and the confusion matrix for a classifier; MSE, RMSE, MAE
//! and R² for a regressor.
//!
//! Written here rather than taken from burn-train's `PrecisionMetric`, `RecallMetric`,
//! `FBetaScoreMetric` and `AurocMetric`: those feed the Learner's event stream and report one
//! formatted aggregate (macro or micro) per update, with no per-class values and no confusion
//! matrix, while every score below follows from one confusion matrix (or one pass over the
//! values) counted once.

use serde::{Deserialize, Serialize};

/// A classifier's scores on a set of examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// The fraction of examples whose most likely class is right.
    pub accuracy: f64,
    /// Per class: of the examples predicted as it, the fraction that are (0 when none are).
    pub precision: Vec<f64>,
    /// Per class: of its examples, the fraction predicted as it (0 when it has none).
    pub recall: Vec<f64>,
    /// Per class: the harmonic mean of precision and recall.
    pub f1: Vec<f64>,
    /// The mean of the per-class precisions.
    pub macro_precision: f64,
    /// The mean of the per-class recalls.
    pub macro_recall: f64,
    /// The mean of the per-class F1 scores.
    pub macro_f1: f64,
    /// Two classes only: the area under the ROC curve of class 1's probability (the chance
    /// that a random class-1 example scores above a random class-0 one); `None` when a class
    /// has no examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auroc: Option<f64>,
    /// `confusion[true][predicted]`: how many examples of each class were predicted as each.
    pub confusion: Vec<Vec<usize>>,
}

/// A regressor's scores on a set of examples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ValueScores {
    /// Mean squared error.
    pub mse: f64,
    /// Its square root, in the target's units.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// The fraction of the targets' variance the predictions explain (1 is perfect, 0 is the
    /// mean's, below 0 worse than the mean).
    pub r2: f64,
}

/// A model's scores on a set of examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scores {
    /// A classifier's.
    Classes(ClassScores),
    /// A regressor's.
    Values(ValueScores),
}

impl ClassScores {
    /// The scores of `probabilities` (row-major, `classes` per row) against `labels`.
    pub fn new(probabilities: &[f32], classes: usize, labels: &[u32]) -> Self {
        let classes = classes.max(1);
        let mut confusion = vec![vec![0usize; classes]; classes];
        for (row, &label) in probabilities.chunks(classes).zip(labels) {
            let predicted = row
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map_or(0, |(k, _)| k);
            if let Some(cells) = confusion.get_mut(label as usize) {
                cells[predicted] += 1;
            }
        }
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let correct: usize = (0..classes).map(|k| confusion[k][k]).sum();
        let total: usize = confusion.iter().flatten().sum();
        let precision: Vec<f64> = (0..classes)
            .map(|k| ratio(confusion[k][k], (0..classes).map(|t| confusion[t][k]).sum()))
            .collect();
        let recall: Vec<f64> = (0..classes)
            .map(|k| ratio(confusion[k][k], confusion[k].iter().sum()))
            .collect();
        let f1: Vec<f64> = precision
            .iter()
            .zip(&recall)
            .map(|(&p, &r)| {
                if p + r == 0.0 {
                    0.0
                } else {
                    2.0 * p * r / (p + r)
                }
            })
            .collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        Self {
            accuracy: ratio(correct, total),
            macro_precision: mean(&precision),
            macro_recall: mean(&recall),
            macro_f1: mean(&f1),
            precision,
            recall,
            f1,
            auroc: (classes == 2)
                .then(|| auroc(probabilities, labels))
                .flatten(),
            confusion,
        }
    }

    /// The confusion matrix as CSV: a header `true\predicted,0,1,…`, then a row per true class.
    pub fn confusion_csv(&self) -> String {
        let classes = self.confusion.len();
        let mut csv = String::from("true\\predicted");
        for k in 0..classes {
            csv.push_str(&format!(",{k}"));
        }
        csv.push('\n');
        for (k, row) in self.confusion.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(usize::to_string).collect();
            csv.push_str(&format!("{k},{}\n", cells.join(",")));
        }
        csv
    }
}

/// The area under the ROC curve of class 1's probability (two classes, row-major pairs), by
/// the rank statistic (ties count half); `None` when a class has no examples.
fn auroc(probabilities: &[f32], labels: &[u32]) -> Option<f64> {
    let mut scored: Vec<(f32, bool)> = probabilities
        .chunks_exact(2)
        .zip(labels)
        .map(|(row, &label)| (row[1], label == 1))
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = scored.iter().filter(|(_, p)| *p).count();
    let negatives = scored.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Ranks from 1, ties sharing their mean rank.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < scored.len() {
        let mut j = i;
        while j < scored.len() && scored[j].0 == scored[i].0 {
            j += 1;
        }
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * scored[i..j].iter().filter(|(_, p)| *p).count() as f64;
        i = j;
    }
    let u = rank_sum - (positives * (positives + 1)) as f64 / 2.0;
    Some(u / (positives * negatives) as f64)
}

impl ValueScores {
    /// The scores of `predictions` against `targets` (the same length).
    pub fn new(predictions: &[f32], targets: &[f32]) -> Self {
        let n = targets.len().max(1) as f64;
        let mean_target = targets.iter().map(|&t| f64::from(t)).sum::<f64>() / n;
        let (mut squared, mut absolute, mut variance) = (0.0, 0.0, 0.0);
        for (&p, &t) in predictions.iter().zip(targets) {
            let error = f64::from(p) - f64::from(t);
            squared += error * error;
            absolute += error.abs();
            variance += (f64::from(t) - mean_target).powi(2);
        }
        let mse = squared / n;
        Self {
            mse,
            rmse: mse.sqrt(),
            mae: absolute / n,
            r2: if variance == 0.0 {
                0.0
            } else {
                1.0 - squared / variance
            },
        }
    }
}

/// Softmax over each row of `width` logits, in place: class probabilities.
pub fn softmax_rows(values: &mut [f32], width: usize) {
    for row in values.chunks_mut(width.max(1)) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for v in row.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        row.iter_mut().for_each(|v| *v /= sum);
    }
}

impl Scores {
    /// The scores of `outputs` (row-major: class probabilities for a classifier, values for a
    /// regressor; one row per entry of `indices`) against the targets of those rows of
    /// `rows`.
    pub fn of(outputs: &[f32], rows: &kindling_data::Rows, indices: &[usize]) -> Scores {
        let columns = outputs.len() / indices.len().max(1);
        match (rows.labels(), rows.values()) {
            (Some(labels), _) => {
                let picked: Vec<u32> = indices.iter().map(|&i| labels[i]).collect();
                Scores::Classes(ClassScores::new(outputs, columns, &picked))
            }
            (None, Some((values, width))) => {
                let picked: Vec<f32> = indices
                    .iter()
                    .flat_map(|&i| &values[i * width..(i + 1) * width])
                    .copied()
                    .collect();
                Scores::Values(ValueScores::new(outputs, &picked))
            }
            (None, None) => Scores::Values(ValueScores::new(&[], &[])),
        }
    }

    /// The macro figures, by the names `history.csv` and `--monitor` give them: `val_precision`,
    /// `val_recall`, `val_f1` and (two classes) `val_auc`; or `val_mse`, `val_rmse`, `val_mae`
    /// and `val_r2`.
    pub fn figures(&self) -> Vec<(&'static str, f64)> {
        match self {
            Scores::Classes(s) => {
                let mut figures = vec![
                    ("val_precision", s.macro_precision),
                    ("val_recall", s.macro_recall),
                    ("val_f1", s.macro_f1),
                ];
                if let Some(auroc) = s.auroc {
                    figures.push(("val_auc", auroc));
                }
                figures
            }
            Scores::Values(s) => vec![
                ("val_mse", s.mse),
                ("val_rmse", s.rmse),
                ("val_mae", s.mae),
                ("val_r2", s.r2),
            ],
        }
    }

    /// The figure named `name` (see [`Scores::figures`]), where these scores have it.
    pub fn figure(&self, name: &str) -> Option<f64> {
        self.figures()
            .into_iter()
            .find_map(|(n, value)| (n == name).then_some(value))
    }

    /// The scores as lines for a report: `precision (macro): 0.8123 - recall …`, and the
    /// confusion matrix or the regression errors.
    pub fn report_lines(&self) -> Vec<String> {
        match self {
            Scores::Classes(s) => {
                let mut first = format!(
                    "precision (macro): {:.4} - recall (macro): {:.4} - f1 (macro): {:.4}",
                    s.macro_precision, s.macro_recall, s.macro_f1
                );
                if let Some(auroc) = s.auroc {
                    first.push_str(&format!(" - auroc: {auroc:.4}"));
                }
                let mut lines = vec![first];
                for k in 0..s.confusion.len() {
                    lines.push(format!(
                        "class {k} ({} examples): precision {:.4} - recall {:.4} - f1 {:.4}",
                        s.confusion[k].iter().sum::<usize>(),
                        s.precision[k],
                        s.recall[k],
                        s.f1[k]
                    ));
                }
                // The matrix, its columns as wide as its largest count.
                let width = s
                    .confusion
                    .iter()
                    .flatten()
                    .map(|n| n.to_string().len())
                    .max()
                    .unwrap_or(1)
                    .max(s.confusion.len().to_string().len());
                lines.push("confusion matrix (rows: true class, columns: predicted):".into());
                let header: Vec<String> = (0..s.confusion.len())
                    .map(|k| format!("{k:>width$}"))
                    .collect();
                lines.push(format!("  {:>width$}  {}", "", header.join(" ")));
                for (k, row) in s.confusion.iter().enumerate() {
                    let cells: Vec<String> = row.iter().map(|n| format!("{n:>width$}")).collect();
                    lines.push(format!("  {k:>width$}  {}", cells.join(" ")));
                }
                lines
            }
            Scores::Values(s) => vec![format!(
                "mse: {:.4} - rmse: {:.4} - mae: {:.4} - r2: {:.4}",
                s.mse, s.rmse, s.mae, s.r2
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_scores_follow_from_the_confusion_matrix() {
        // True 0,0,1,1,2; predicted 0,1,1,1,0.
        let probabilities = [
            0.9, 0.1, 0.0, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.0, 0.6, 0.4, 0.5, 0.3, 0.2,
        ];
        let s = ClassScores::new(&probabilities, 3, &[0, 0, 1, 1, 2]);
        assert_eq!(s.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
        assert_eq!(s.accuracy, 0.6);
        assert_eq!(s.precision, [0.5, 2.0 / 3.0, 0.0]);
        assert_eq!(s.recall, [0.5, 1.0, 0.0]);
        assert!((s.f1[1] - 0.8).abs() < 1e-12);
        assert!((s.macro_recall - 0.5).abs() < 1e-12);
        assert_eq!(s.auroc, None);
        assert_eq!(
            s.confusion_csv(),
            "true\\predicted,0,1,2\n0,1,1,0\n1,0,2,0\n2,1,0,0\n"
        );
    }

    #[test]
    fn auroc_is_the_chance_a_positive_outranks_a_negative() {
        let pairs = |p: &[f32]| p.iter().flat_map(|&q| [1.0 - q, q]).collect::<Vec<f32>>();
        let perfect = ClassScores::new(&pairs(&[0.1, 0.2, 0.8, 0.9]), 2, &[0, 0, 1, 1]);
        assert_eq!(perfect.auroc, Some(1.0));
        let reversed = ClassScores::new(&pairs(&[0.9, 0.8, 0.2, 0.1]), 2, &[0, 0, 1, 1]);
        assert_eq!(reversed.auroc, Some(0.0));
        // One positive above one of the two negatives, ties count half.
        let mixed = ClassScores::new(&pairs(&[0.3, 0.5, 0.4, 0.5]), 2, &[0, 0, 1, 1]);
        assert_eq!(mixed.auroc, Some(0.625));
    }

    #[test]
    fn value_scores_match_their_definitions() {
        let s = ValueScores::new(&[1.0, 2.0, 5.0], &[1.0, 3.0, 3.0]);
        assert!((s.mse - 5.0 / 3.0).abs() < 1e-12);
        assert!((s.rmse - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((s.mae - 1.0).abs() < 1e-12);
        // Variance of the targets: mean 7/3, squares sum 8/3.
        assert!((s.r2 - (1.0 - 5.0 / (8.0 / 3.0))).abs() < 1e-12);
        assert_eq!(ValueScores::new(&[1.0, 2.0], &[1.0, 2.0]).r2, 1.0);
    }
}
