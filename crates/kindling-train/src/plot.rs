//! Training curves as PNG images (plotters).

use crate::error::TrainError;
use crate::history::History;
use plotters::prelude::*;
use std::path::Path;

/// One named curve: (x, y) points.
pub struct Series<'a> {
    /// Legend label.
    pub label: &'a str,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// Draws line curves with a title, axis labels and a legend into a PNG, creating its
/// directory; the image is drawn under a temporary name and renamed into place.
pub fn line_chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), TrainError> {
    let fail = |reason: String| TrainError::Plot {
        path: path.to_path_buf(),
        reason,
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    // The encoder picks the format from the extension, so the temporary name ends in .png.
    let temporary = path.with_file_name(format!(".{stem}.tmp-{}.png", std::process::id()));
    let drawn = draw(&temporary, title, x_label, y_label, series)
        .map_err(|e| e.to_string())
        .and_then(|()| std::fs::rename(&temporary, path).map_err(|e| e.to_string()));
    drawn.map_err(|reason| {
        let _ = std::fs::remove_file(&temporary);
        fail(reason)
    })
}

fn draw(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let finite = || {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    let (x_min, x_max) = bounds(finite().map(|p| p.0));
    let (y_min, y_max) = bounds(finite().map(|p| p.1));
    let y_pad = (y_max - y_min) * 0.05;

    let root = BitMapBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(65)
        .build_cartesian_2d(x_min..x_max, (y_min - y_pad)..(y_max + y_pad))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|x| trim_number(*x))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(s.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}

/// `3` rather than `3.0`; other values with up to four significant decimals.
fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.4}").trim_end_matches('0').to_string()
    }
}

/// The range of the values, widened when it is a single point or empty.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !min.is_finite() {
        return (0.0, 1.0);
    }
    if max - min < 1e-12 {
        return (min - 0.5, max + 0.5);
    }
    (min, max)
}

/// Draws `loss.png` and, for a classifier, `accuracy.png` (training and validation per epoch)
/// into `dir`.
pub fn training_curves(history: &History, dir: &Path) -> Result<(), TrainError> {
    let curve = |f: fn(&crate::history::EpochRecord) -> f64| -> Vec<(f64, f64)> {
        history
            .epochs
            .iter()
            .map(|e| (e.epoch as f64, f(e)))
            .collect()
    };
    line_chart(
        &dir.join("loss.png"),
        "Loss",
        "epoch",
        "loss",
        &[
            Series {
                label: "training",
                points: curve(|e| e.loss),
            },
            Series {
                label: "validation",
                points: curve(|e| e.val_loss),
            },
        ],
    )?;
    if !history.has_accuracy() {
        return Ok(());
    }
    let accuracy = |f: fn(&crate::history::EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        history
            .epochs
            .iter()
            .map(|e| (e.epoch as f64, f(e).unwrap_or(f64::NAN)))
            .collect()
    };
    line_chart(
        &dir.join("accuracy.png"),
        "Accuracy",
        "epoch",
        "accuracy",
        &[
            Series {
                label: "training",
                points: accuracy(|e| e.accuracy),
            },
            Series {
                label: "validation",
                points: accuracy(|e| e.val_accuracy),
            },
        ],
    )
}
