//! What the first layer learned: the weights of an MNIST model's first dense layer drawn as
//! one 28×28 image per unit (the course's "representation learning" made visible), or a conv
//! net's first-layer filters, one k×k image per filter.
//!
//! Unit `j`'s image is column `j` of the `[784, units]` weight matrix, pixel `(row, col)` at
//! index `28 × row + col`, as the images are flattened. Colours are a diverging map centred on
//! 0: white for 0, red for positive weights (that pixel's ink raises the unit's input), blue
//! for negative ones. Each tile is scaled on its own (full colour at its largest `|w|`), so
//! every unit's pattern is visible whatever its overall magnitude. Tiles run left to right,
//! top to bottom, in a grid of `ceil(√units)` columns, separated by grey gaps.

use crate::error::TrainError;
use crate::plot::write_png_atomically;
use crate::trained::{TrainedModel, load_run};
use burn::prelude::*;
use kindling_models::{ConvNet, DenseStack};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// The image's file name in a run directory.
pub const FIRST_LAYER_WEIGHTS_FILE: &str = "first_layer_weights.png";
/// Side of an MNIST image, in pixels, and the inputs of a model that reads MNIST images.
pub use kindling_data::mnist::{IMAGE_SIDE as SIDE, PIXELS as MNIST_INPUTS};
/// Screen pixels per weight, each way, of a dense layer's 28×28 tiles.
pub const ZOOM: u32 = 4;
/// Screen pixels per weight, each way, of a conv filter's tiles (3×3 filters are 48 pixels).
pub const FILTER_ZOOM: u32 = 16;

/// Square images of weights, one per unit or filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Tiles {
    /// Side of each tile, in weights.
    pub side: usize,
    /// Screen pixels per weight, each way.
    pub zoom: u32,
    /// The tiles, `side²` weights each, row by row.
    pub values: Vec<Vec<f32>>,
}
/// Grey pixels between tiles and around the grid.
pub const GAP: u32 = 4;

const GAP_COLOR: RGBColor = RGBColor(200, 200, 200);
/// ColorBrewer's RdBu ends.
const NEGATIVE: (f64, f64, f64) = (33.0, 102.0, 172.0);
const POSITIVE: (f64, f64, f64) = (178.0, 24.0, 43.0);

/// Columns and rows of the grid for `units` tiles.
pub fn grid_shape(units: usize) -> (usize, usize) {
    let columns = ((units as f64).sqrt().ceil() as usize).max(1);
    (columns, units.div_ceil(columns).max(1))
}

impl Tiles {
    /// Width and height of the image, in pixels.
    pub fn image_size(&self) -> (u32, u32) {
        let (columns, rows) = grid_shape(self.values.len());
        let tile = self.side as u32 * self.zoom + GAP;
        (columns as u32 * tile + GAP, rows as u32 * tile + GAP)
    }
}

/// A conv net's first-layer filters, one tile per filter.
pub fn filter_tiles(model: &ConvNet) -> Tiles {
    let [filters, _, side, _] = model.conv1.weight.dims();
    let values: Vec<f32> = model.conv1.weight.val().into_data().iter::<f32>().collect();
    Tiles {
        side,
        zoom: FILTER_ZOOM,
        values: values
            .chunks(side * side)
            .take(filters)
            .map(<[f32]>::to_vec)
            .collect(),
    }
}

/// The first dense layer's weights as one image per unit: `tiles.values[j][pixel]`. An error
/// when the layer does not take 784 inputs.
pub fn first_layer_tiles(model: &DenseStack) -> Result<Tiles, String> {
    let layer = model
        .layers
        .first()
        .ok_or_else(|| "the model has no layer".to_string())?;
    let [inputs, units] = layer.weight.dims();
    if inputs != MNIST_INPUTS {
        return Err(format!(
            "the first layer takes {inputs} inputs; only a model of 784 inputs (28×28-pixel MNIST images) can be drawn as images"
        ));
    }
    let values: Vec<f32> = layer.weight.val().into_data().iter::<f32>().collect();
    Ok(Tiles {
        side: SIDE,
        zoom: ZOOM,
        values: (0..units)
            .map(|j| (0..inputs).map(|p| values[p * units + j]).collect())
            .collect(),
    })
}

/// The diverging colour of `v` in `[-1, 1]`.
fn colour(v: f64) -> RGBColor {
    let v = if v.is_finite() {
        v.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let end = if v < 0.0 { NEGATIVE } else { POSITIVE };
    let t = v.abs();
    let mix = |e: f64| (255.0 + (e - 255.0) * t).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// Draws `tiles` onto `backend`, whose size must be [`Tiles::image_size`].
pub fn draw_tiles(tiles: &Tiles, backend: BitMapBackend) -> Result<(), Box<dyn std::error::Error>> {
    let root = backend.into_drawing_area();
    root.fill(&GAP_COLOR)?;
    let (columns, _) = grid_shape(tiles.values.len());
    let (side, zoom) = (tiles.side, tiles.zoom as i32);
    let tile = side as i32 * zoom + GAP as i32;
    for (j, weights) in tiles.values.iter().enumerate() {
        let scale = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let left = GAP as i32 + (j % columns) as i32 * tile;
        let top = GAP as i32 + (j / columns) as i32 * tile;
        for (p, &w) in weights.iter().enumerate().take(side * side) {
            let value = if scale > 0.0 {
                f64::from(w / scale)
            } else {
                0.0
            };
            let x = left + (p % side) as i32 * zoom;
            let y = top + (p / side) as i32 * zoom;
            root.draw(&Rectangle::new(
                [(x, y), (x + zoom, y + zoom)],
                colour(value).filled(),
            ))?;
        }
    }
    root.present()?;
    Ok(())
}

/// Draws the first layer of `model` into the PNG `path` (see the module's documentation),
/// under a temporary name renamed into place.
pub fn draw_first_layer(model: &DenseStack, path: &Path) -> Result<(), TrainError> {
    let fail = |reason: String| TrainError::Plot {
        path: path.to_path_buf(),
        reason,
    };
    draw_tiles_to(&first_layer_tiles(model).map_err(fail)?, path)
}

/// Draws a conv net's first-layer filters into the PNG `path`.
pub fn draw_filters(model: &ConvNet, path: &Path) -> Result<(), TrainError> {
    draw_tiles_to(&filter_tiles(model), path)
}

/// Draws `tiles` into the PNG `path`, under a temporary name renamed into place.
fn draw_tiles_to(tiles: &Tiles, path: &Path) -> Result<(), TrainError> {
    write_png_atomically(path, |temporary| {
        draw_tiles(tiles, BitMapBackend::new(temporary, tiles.image_size()))
    })
}

/// What [`show_weights`] drew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawing {
    /// The image written.
    pub path: PathBuf,
    /// How many tiles it holds.
    pub count: usize,
    /// Each tile's side, in weights.
    pub side: usize,
    /// What a tile is: "units" (a dense layer's) or "filters" (a conv net's).
    pub what: &'static str,
}

/// Loads the MNIST run in `run_dir` (its weights checked against their checksum) and draws
/// its first layer (a conv net's: its filters) into `output`, by default
/// `run_dir/first_layer_weights.png`. Returns the image's path and what it holds. A run of another task is an error.
pub fn show_weights(
    run_dir: &Path,
    output: Option<&Path>,
    device: &Device,
) -> Result<Drawing, TrainError> {
    let run = load_run(run_dir, device)?;
    let not_mnist = |what: String| TrainError::Record {
        path: run_dir.to_path_buf(),
        reason: format!(
            "{what}; show-weights draws the first layer of an MNIST run (784 inputs, one per pixel of a 28×28 image)"
        ),
    };
    if run.config.task != "mnist" || run.config.model.inputs() != MNIST_INPUTS {
        return Err(not_mnist(format!(
            "a {} run whose model takes {} inputs",
            run.config.task,
            run.config.model.inputs()
        )));
    }
    let path = output.map_or_else(|| run_dir.join(FIRST_LAYER_WEIGHTS_FILE), Path::to_path_buf);
    let (count, side, what) = match &run.model {
        TrainedModel::Classifier(net) => {
            draw_first_layer(net, &path)?;
            (
                net.layers.first().map_or(0, |l| l.weight.dims()[1]),
                SIDE,
                "units",
            )
        }
        TrainedModel::Conv(net) => {
            draw_filters(net, &path)?;
            let [filters, _, side, _] = net.conv1.weight.dims();
            (filters, side, "filters")
        }
        TrainedModel::Regressor(_) => return Err(not_mnist("a regression model".into())),
    };
    Ok(Drawing {
        path,
        count,
        side,
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_models::{Activation, DenseStackConfig, DigitNetConfig};

    /// The RGB pixel at (x, y) of a drawn buffer.
    fn pixel(buffer: &[u8], width: u32, x: u32, y: u32) -> [u8; 3] {
        let i = 3 * (y * width + x) as usize;
        [buffer[i], buffer[i + 1], buffer[i + 2]]
    }

    #[test]
    fn grid_and_image_size() {
        assert_eq!(grid_shape(50), (8, 7));
        assert_eq!(grid_shape(1), (1, 1));
        assert_eq!(grid_shape(10), (4, 3));
        // 8 columns of 112 + 4 pixels, plus the last gap.
        let tiles = |units, side, zoom| Tiles {
            side,
            zoom,
            values: vec![Vec::new(); units],
        };
        assert_eq!(
            tiles(50, SIDE, ZOOM).image_size(),
            (8 * 116 + 4, 7 * 116 + 4)
        );
        // 32 filters of 3×3: 6 columns of 48 + 4 pixels.
        assert_eq!(
            tiles(32, 3, FILTER_ZOOM).image_size(),
            (6 * 52 + 4, 6 * 52 + 4)
        );
    }

    #[test]
    fn colours_diverge_from_white_at_zero() {
        let mut tile = vec![0.0f32; MNIST_INPUTS];
        tile[0] = 2.0; // the tile's largest |w|: full red
        tile[1] = -1.0; // half blue
        tile[SIDE] = -2.0; // row 1, column 0: full blue
        tile[SIDE - 1] = 2.0; // row 0, column 27: the tile's right edge
        let tiles = Tiles {
            side: SIDE,
            zoom: ZOOM,
            values: vec![tile, vec![0.0; MNIST_INPUTS]],
        };
        let (width, height) = tiles.image_size();
        let mut buffer = vec![0u8; (3 * width * height) as usize];
        draw_tiles(
            &tiles,
            BitMapBackend::with_buffer(&mut buffer, (width, height)),
        )
        .unwrap();
        let at =
            |col: u32, row: u32| pixel(&buffer, width, GAP + col * ZOOM + 1, GAP + row * ZOOM + 1);
        assert_eq!(at(0, 0), [178, 24, 43]);
        // The tile ends where it should: its last column is red, the gap after it grey.
        let edge = GAP + SIDE as u32 * ZOOM;
        assert_eq!(pixel(&buffer, width, edge - 1, GAP), [178, 24, 43]);
        assert_eq!(pixel(&buffer, width, edge, GAP), [200, 200, 200]);
        // Every screen pixel of a weight has its colour: no seams between weights.
        for dy in 0..ZOOM {
            for dx in 0..ZOOM {
                assert_eq!(pixel(&buffer, width, GAP + dx, GAP + dy), [178, 24, 43]);
                assert_eq!(
                    pixel(&buffer, width, GAP + dx, GAP + ZOOM + dy),
                    [33, 102, 172]
                );
            }
        }
        assert_eq!(at(0, 1), [33, 102, 172]);
        let half = at(1, 0);
        assert!(
            half[2] > half[0] && half[0] > 33 && half[0] < 255,
            "{half:?}"
        );
        assert_eq!(at(5, 5), [255, 255, 255]);
        assert_eq!(pixel(&buffer, width, 0, 0), [200, 200, 200]);
        // The second tile, all zeros, is white.
        let second = GAP + SIDE as u32 * ZOOM + GAP;
        assert_eq!(
            pixel(&buffer, width, second + 10, GAP + 10),
            [255, 255, 255]
        );
    }

    #[test]
    fn draws_a_digit_net_and_refuses_other_inputs() {
        let device = Device::flex();
        let net = DigitNetConfig::new().init(&device);
        let tiles = first_layer_tiles(&net).unwrap().values;
        assert_eq!((tiles.len(), tiles[0].len()), (50, 784));
        let weight: Vec<f32> = net.layers[0]
            .weight
            .val()
            .into_data()
            .iter::<f32>()
            .collect();
        // Unit 3's pixel 100 is row 100 of column 3.
        assert_eq!(tiles[3][100], weight[100 * 50 + 3]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FIRST_LAYER_WEIGHTS_FILE);
        draw_first_layer(&net, &path).unwrap();
        assert!(path.metadata().unwrap().len() > 1000);
        let titanic = DenseStackConfig::uniform(10, &[32], Activation::Relu, 2).init(&device);
        let err = draw_first_layer(&titanic, &dir.path().join("x.png")).unwrap_err();
        assert!(err.to_string().contains("takes 10 inputs"), "{err}");
    }

    #[test]
    fn a_conv_nets_filters_are_its_first_kernels() {
        let device = Device::flex();
        let net = kindling_models::ConvNetConfig::mnist().init(&device);
        let tiles = filter_tiles(&net);
        assert_eq!(
            (tiles.side, tiles.values.len(), tiles.values[0].len()),
            (3, 32, 9)
        );
        let kernel: Vec<f32> = net.conv1.weight.val().into_data().iter::<f32>().collect();
        // Filter 5's weight (row 1, column 2) is at [5, 0, 1, 2].
        assert_eq!(tiles.values[5][3 + 2], kernel[5 * 9 + 3 + 2]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FIRST_LAYER_WEIGHTS_FILE);
        draw_filters(&net, &path).unwrap();
        assert!(path.metadata().unwrap().len() > 500);
    }
}
