//! The confusion matrix as a picture (`confusion_matrix.png`): a cell per true class (rows)
//! and predicted class (columns), shaded by the share of the true class's examples it holds,
//! with its count written in it.

use crate::error::TrainError;
use crate::plot::{DrawResult, FONT_FAMILY, register_font, write_png_atomically};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// Pixels around the grid: the title and the class numbers.
const MARGIN: u32 = 64;

/// Draws `matrix` (`matrix[true][predicted]` counts) into the PNG `path`, under a temporary
/// name renamed into place.
pub fn draw_confusion(matrix: &[Vec<usize>], path: &Path) -> Result<(), TrainError> {
    write_png_atomically(path, |temporary| draw(matrix, temporary))
}

/// The side of a cell: room for the widest count.
fn cell_size(matrix: &[Vec<usize>]) -> u32 {
    let digits = matrix
        .iter()
        .flatten()
        .map(|n| n.to_string().len())
        .max()
        .unwrap_or(1) as u32;
    (digits * 9 + 16).max(40)
}

/// The shade of a cell holding `share` of its row: white for none, deep blue for all.
pub(crate) fn shade(share: f64) -> RGBColor {
    let fade = |full: f64| (255.0 - share.clamp(0.0, 1.0) * (255.0 - full)).round() as u8;
    RGBColor(fade(30.0), fade(80.0), fade(170.0))
}

fn draw(matrix: &[Vec<usize>], path: &Path) -> DrawResult {
    register_font()?;
    let classes = matrix.len() as u32;
    let cell = cell_size(matrix);
    let side = MARGIN + classes * cell + 16;
    let root = BitMapBackend::new(path, (side.max(360), side)).into_drawing_area();
    root.fill(&WHITE)?;
    let font = |size: u32| (FONT_FAMILY, size).into_font();
    root.draw(&Text::new(
        "Confusion matrix (rows: true class, columns: predicted)",
        (8, 8),
        font(15).color(&BLACK),
    ))?;
    let centred = |size: u32, color: &RGBColor| {
        font(size)
            .color(color)
            .pos(Pos::new(HPos::Center, VPos::Center))
    };
    let at = |i: u32| (MARGIN + i * cell + cell / 2) as i32;
    for k in 0..classes {
        root.draw(&Text::new(
            k.to_string(),
            (at(k), MARGIN as i32 - 12),
            centred(14, &BLACK),
        ))?;
        root.draw(&Text::new(
            k.to_string(),
            (MARGIN as i32 - 16, at(k)),
            centred(14, &BLACK),
        ))?;
    }
    for (t, row) in matrix.iter().enumerate() {
        let total: usize = row.iter().sum();
        for (p, &count) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            };
            let (x, y) = (MARGIN + p as u32 * cell, MARGIN + t as u32 * cell);
            root.draw(&Rectangle::new(
                [(x as i32, y as i32), ((x + cell) as i32, (y + cell) as i32)],
                shade(share).filled(),
            ))?;
            let ink = if share > 0.5 { WHITE } else { BLACK };
            root.draw(&Text::new(
                count.to_string(),
                (at(p as u32), at(t as u32)),
                centred(14, &ink),
            ))?;
        }
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_shaded_by_their_share_of_the_row_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("confusion_matrix.png");
        let matrix = vec![vec![90, 10, 0], vec![5, 95, 0], vec![0, 0, 1000]];
        draw_confusion(&matrix, &path).unwrap();
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buffer).unwrap();
        let cell = cell_size(&matrix);
        let pixel = |x: u32, y: u32| {
            let i = (y * info.width + x) as usize * 3;
            [buffer[i], buffer[i + 1], buffer[i + 2]]
        };
        // A cell's corner: its shade, clear of the count in its middle.
        let corner = |t: u32, p: u32| pixel(MARGIN + p * cell + 2, MARGIN + t * cell + 2);
        let RGBColor(r, g, b) = shade(0.9);
        assert_eq!(corner(0, 0), [r, g, b]);
        assert_eq!(corner(0, 2), [255, 255, 255], "an empty cell is white");
        assert!(
            corner(2, 2)[0] < corner(0, 1)[0],
            "a fuller share is darker"
        );
        // The count is written in the middle of its cell: some pixel there is not the shade.
        let (cx, cy) = (MARGIN + cell / 2, MARGIN + cell / 2);
        let written = (cx - 8..cx + 8).any(|x| pixel(x, cy) != [r, g, b]);
        assert!(written, "no count drawn");
    }
}
