//! What the page draws after an update, sent as JSON.

use serde::Serialize;

/// Values over a square grid of the plane `[-6, 6]²`, row 0 at the top (x₂ = 6), each scaled
/// to a whole number in `[-100, 100]` (small to send, and all a colour needs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// Cells per side.
    pub side: usize,
    /// `side²` values, row by row.
    pub values: Vec<i8>,
}

impl Grid {
    /// Cells per side of each neuron's small map.
    pub const NEURON_SIDE: usize = 20;
    /// Cells per side of the output's map.
    pub const OUTPUT_SIDE: usize = 50;
    /// Half the plane's side.
    pub const EXTENT: f32 = 6.0;

    /// The centre (x₁, x₂) of cell (`row`, `column`) of a grid of `side` cells.
    pub fn position(side: usize, row: usize, column: usize) -> (f32, f32) {
        let cell = 2.0 * Self::EXTENT / side as f32;
        (
            -Self::EXTENT + (column as f32 + 0.5) * cell,
            Self::EXTENT - (row as f32 + 0.5) * cell,
        )
    }

    /// `values` scaled by their largest magnitude (a neuron's pattern, whatever its range).
    pub fn scaled(side: usize, values: &[f32]) -> Self {
        let largest = values
            .iter()
            .filter(|v| v.is_finite())
            .fold(0f32, |m, v| m.max(v.abs()));
        let scale = if largest > 0.0 { 1.0 / largest } else { 0.0 };
        Self::clamped(side, &values.iter().map(|v| v * scale).collect::<Vec<_>>())
    }

    /// `values` clamped to `[-1, 1]` (an output, whose scale means something).
    pub fn clamped(side: usize, values: &[f32]) -> Self {
        Grid {
            side,
            values: values
                .iter()
                .map(|v| {
                    if v.is_finite() {
                        (v.clamp(-1.0, 1.0) * 100.0).round() as i8
                    } else {
                        0
                    }
                })
                .collect(),
        }
    }
}

/// One update of the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// Epochs trained.
    pub epoch: usize,
    /// The last epoch's loss on the training points.
    pub train_loss: Option<f64>,
    /// Its loss on the test points.
    pub test_loss: Option<f64>,
    /// The network's output over the plane: P(class 1) − P(class 0), or the predicted value.
    pub output: Grid,
    /// Each input feature over the plane.
    pub inputs: Vec<Grid>,
    /// Each hidden layer's neurons over the plane.
    pub hidden: Vec<Vec<Grid>>,
    /// Each layer's weights, `inputs × outputs`, row-major.
    pub weights: Vec<Vec<f32>>,
    /// Each layer's biases.
    pub biases: Vec<Vec<f32>>,
    /// Per hidden layer and neuron: a ReLU that output nothing above zero for any training
    /// point (dead).
    pub dead: Vec<Vec<bool>>,
    /// Per layer, the mean norm of its weights' gradient over the last epoch's steps.
    pub grad_norms: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cover_the_plane_and_values_fit_a_byte() {
        assert_eq!(Grid::position(2, 0, 0), (-3.0, 3.0));
        assert_eq!(Grid::position(2, 1, 1), (3.0, -3.0));
        let grid = Grid::scaled(1, &[-4.0]);
        assert_eq!(grid.values, [-100]);
        assert_eq!(
            Grid::clamped(2, &[0.5, 2.0, f32::NAN, -0.25]).values,
            [50, 100, 0, -25]
        );
        assert_eq!(Grid::scaled(1, &[0.0]).values, [0]);
    }
}
