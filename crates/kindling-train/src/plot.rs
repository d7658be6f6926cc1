//! Training curves as PNG images (plotters).
//!
//! Text is drawn with DejaVu Sans embedded in the binary (plotters' `ab_glyph` renderer), so
//! drawing needs no system library or installed font.

use crate::error::TrainError;
use crate::history::History;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// The font family every chart's text is drawn in: the name under which the embedded DejaVu
/// Sans is registered with plotters, and the family plotters uses for tick and legend labels.
pub const FONT_FAMILY: &str = "sans-serif";

/// One named curve: (x, y) points.
pub struct Series<'a> {
    /// Legend label.
    pub label: &'a str,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Evenly spaced values.
    Linear,
    /// Evenly spaced powers of ten; values of 0 or below are left out.
    Log,
}

impl Scale {
    /// A linear scale, unless the positive finite values span more than `ratio` (max / min),
    /// when only a log scale shows the small ones.
    pub fn fitting(values: impl Iterator<Item = f64>, ratio: f64) -> Self {
        let (min, max) = values
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if min.is_finite() && max / min > ratio {
            Scale::Log
        } else {
            Scale::Linear
        }
    }
}

/// An axis: its label and scale.
#[derive(Debug, Clone, Copy)]
pub struct Axis<'a> {
    /// The label under (x) or beside (y) the axis.
    pub label: &'a str,
    /// Linear or logarithmic.
    pub scale: Scale,
}

impl<'a> Axis<'a> {
    /// A linear axis.
    pub fn linear(label: &'a str) -> Self {
        Self {
            label,
            scale: Scale::Linear,
        }
    }

    /// A logarithmic axis.
    pub fn log(label: &'a str) -> Self {
        Self {
            label,
            scale: Scale::Log,
        }
    }
}

/// A series and how to draw it: its colour (an index into a fixed palette, so that related
/// series can share one) and whether the line is dashed.
#[derive(Clone, Copy)]
pub struct Curve<'a> {
    /// The points and the legend label.
    pub series: &'a Series<'a>,
    /// Palette index of the colour.
    pub color: usize,
    /// A dashed line instead of a solid one.
    pub dashed: bool,
    /// Whether each point gets a dot (leave it off for series with hundreds of points).
    pub dots: bool,
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
    line_chart_on(
        path,
        title,
        Axis::linear(x_label),
        Axis::linear(y_label),
        series,
    )
}

/// [`line_chart`] on axes of any scale: solid lines with dots, one colour per series.
pub fn line_chart_on(
    path: &Path,
    title: &str,
    x: Axis,
    y: Axis,
    series: &[Series],
) -> Result<(), TrainError> {
    let curves: Vec<Curve> = series
        .iter()
        .enumerate()
        .map(|(color, series)| Curve {
            series,
            color,
            dashed: false,
            dots: true,
        })
        .collect();
    chart(path, title, x, y, &curves)
}

/// Draws `curves` on axes of any scale (see [`line_chart`] for the file handling). Points that
/// are not finite, or not positive on a log axis, are left out.
pub fn chart(
    path: &Path,
    title: &str,
    x: Axis,
    y: Axis,
    curves: &[Curve],
) -> Result<(), TrainError> {
    write_png_atomically(path, |temporary| draw(temporary, title, x, y, curves))
}

/// What drawing into a file returns.
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Creates `path`'s directory, lets `draw` write the image under a temporary name beside it,
/// and renames that into place; on failure the temporary file is removed and `path` is left
/// as it was.
pub(crate) fn write_png_atomically(
    path: &Path,
    draw: impl FnOnce(&Path) -> DrawResult,
) -> Result<(), TrainError> {
    let fail = |reason: String| TrainError::Plot {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // The encoder picks the format from the extension, so the temporary ends in .png.
    let temporary = crate::run_dir::temporary_in(dir, &stem, ".png")
        .map_err(|e| fail(e.to_string()))?
        .into_temp_path();
    draw(&temporary).map_err(|e| fail(e.to_string()))?;
    temporary
        .persist(path)
        .map_err(|e| fail(e.error.to_string()))
}

/// Registers the embedded DejaVu Sans with plotters under [`FONT_FAMILY`], once per process;
/// an error, every time, when the font's bytes cannot be read.
pub(crate) fn register_font() -> DrawResult {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
    });
    if registered {
        Ok(())
    } else {
        Err("the embedded font (DejaVu Sans) could not be read".into())
    }
}

/// Whether a point can be drawn on these axes.
fn drawable(x: Axis, y: Axis, (px, py): (f64, f64)) -> bool {
    let fits = |scale: Scale, v: f64| v.is_finite() && (scale == Scale::Linear || v > 0.0);
    fits(x.scale, px) && fits(y.scale, py)
}

fn draw(path: &Path, title: &str, x: Axis, y: Axis, curves: &[Curve]) -> DrawResult {
    let points = || {
        curves
            .iter()
            .flat_map(|c| c.series.points.iter().copied())
            .filter(|&p| drawable(x, y, p))
    };
    let x_range = axis_range(x.scale, points().map(|p| p.0), 0.0);
    let y_range = axis_range(y.scale, points().map(|p| p.1), 0.05);
    register_font()?;
    let root = BitMapBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    // The coordinate types differ per scale, so each combination is its own chart type.
    let mut chart_builder = ChartBuilder::on(&root);
    chart_builder
        .caption(title, (FONT_FAMILY, 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(65);
    let (x0, x1) = x_range;
    let (y0, y1) = y_range;
    match (x.scale, y.scale) {
        (Scale::Linear, Scale::Linear) => plot_on(
            chart_builder.build_cartesian_2d(x0..x1, y0..y1)?,
            x,
            y,
            curves,
        ),
        (Scale::Log, Scale::Linear) => plot_on(
            chart_builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1)?,
            x,
            y,
            curves,
        ),
        (Scale::Linear, Scale::Log) => plot_on(
            chart_builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale())?,
            x,
            y,
            curves,
        ),
        (Scale::Log, Scale::Log) => plot_on(
            chart_builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?,
            x,
            y,
            curves,
        ),
    }?;
    root.present()?;
    Ok(())
}

/// Draws the mesh, the curves and the legend on a chart of any coordinate types.
fn plot_on<'a, X, Y>(
    mut chart: ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>,
    x: Axis,
    y: Axis,
    curves: &[Curve],
) -> DrawResult
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let x_format = label_format(x.scale);
    let y_format = label_format(y.scale);
    chart
        .configure_mesh()
        .x_desc(x.label)
        .y_desc(y.label)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .draw()?;
    for curve in curves {
        let color = Palette99::pick(curve.color).to_rgba();
        let style = color.stroke_width(2);
        let points: Vec<(f64, f64)> = curve
            .series
            .points
            .iter()
            .copied()
            .filter(|&p| drawable(x, y, p))
            .collect();
        let drawn = if curve.dashed {
            chart.draw_series(DashedLineSeries::new(points.clone(), 8, 5, style))?
        } else {
            chart.draw_series(LineSeries::new(points.clone(), style))?
        };
        let dashed = curve.dashed;
        drawn.label(curve.series.label).legend(move |(lx, ly)| {
            let end = if dashed { lx + 8 } else { lx + 20 };
            PathElement::new(vec![(lx, ly), (end, ly)], style)
        });
        if curve.dots {
            chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, color.filled())),
            )?;
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

/// Tick labels: trimmed decimals on a linear axis; on a log axis, scientific notation for
/// values below 0.001 or from 10,000 up.
fn label_format(scale: Scale) -> impl Fn(&f64) -> String {
    move |v: &f64| {
        let v = *v;
        if scale == Scale::Log && v != 0.0 && !(1e-3..1e4).contains(&v.abs()) {
            format!("{v:.0e}")
        } else {
            trim_number(v)
        }
    }
}

/// The range an axis shows: the values' bounds, padded by `pad` of the span on a linear axis,
/// by a factor on a log one.
fn axis_range(scale: Scale, values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    match scale {
        Scale::Linear => {
            let (min, max) = bounds(values);
            let margin = (max - min) * pad;
            (min - margin, max + margin)
        }
        Scale::Log => {
            let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
            if !min.is_finite() {
                return (0.1, 10.0);
            }
            let factor = if pad > 0.0 { 1.0 + 4.0 * pad } else { 1.0 };
            if max / min < 1.0 + 1e-9 {
                return (min / 2.0, max * 2.0);
            }
            (min / factor, max * factor)
        }
    }
}

/// `3` rather than `3.0`; other values with up to four significant decimals.
fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let text = format!("{x:.4}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "0" || text == "-0" {
            format!("{x:.1e}")
        } else {
            text.to_string()
        }
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
        &dir.join(crate::run_dir::LOSS_CHART),
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
    crate::publish::fault_point("plots");
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
        &dir.join(crate::run_dir::ACCURACY_CHART),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The RGB pixels of a PNG, with its width.
    fn decode(path: &Path) -> (Vec<u8>, usize) {
        let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        pixels.truncate(info.buffer_size());
        (pixels, info.width as usize)
    }

    /// Pixels in rows `rows` and columns `columns` that are clearly darker than white.
    fn ink(
        (pixels, width): &(Vec<u8>, usize),
        rows: std::ops::Range<usize>,
        columns: std::ops::Range<usize>,
    ) -> usize {
        rows.flat_map(|r| columns.clone().map(move |c| (r * width + c) * 3))
            .filter(|&i| pixels[i..i + 3].iter().any(|&v| v < 128))
            .count()
    }

    #[test]
    fn the_embedded_font_registers_and_measures_text() {
        register_font().unwrap();
        register_font().unwrap();
        let (width, height) = (FONT_FAMILY, 24).into_font().box_size("Loss").unwrap();
        assert!(width > 20 && height > 10, "{width}×{height}");
    }

    #[test]
    fn a_chart_draws_its_title_and_labels_with_the_embedded_font() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loss.png");
        line_chart(
            &path,
            "Training loss",
            "epoch",
            "loss",
            &[Series {
                label: "training",
                points: vec![(1.0, 0.5), (2.0, 0.3), (3.0, 0.2)],
            }],
        )
        .unwrap();
        let image = decode(&path);
        assert_eq!(image.0.len(), 800 * 500 * 3);
        // The caption sits in the top band, centred, above the plotting area: dark pixels
        // in the middle of the band and none at its sides.
        let title_ink = ink(&image, 0..40, 250..550);
        assert!(title_ink > 100, "title band has {title_ink} dark pixels");
        assert_eq!(ink(&image, 0..40, 0..250) + ink(&image, 0..40, 550..800), 0);
        // Tick labels under the x axis and the rotated "loss" left of the y axis.
        assert!(ink(&image, 455..485, 80..800) > 100);
        assert!(ink(&image, 60..480, 0..35) > 30);
    }
}
