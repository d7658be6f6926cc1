//! Products with a sparse input: the first layer of a network fed MNIST's pixels, four-fifths
//! of which are zero, touches a fifth of the weights.
//!
//! Written with explicit vectors rather than left to the compiler: for a 50-wide layer the
//! compiler's loops reload and store the output row for every nonzero input and finish each row
//! with 4-wide and scalar tails, which took most of a training step. Here a block of up to
//! eight vectors stays in registers while the nonzero entries stream past, and weight rows are
//! padded to [`ROW_ALIGN`] floats so that every load is a whole vector.

use pulp::{Simd, bytemuck};

/// Weight rows that these products read are padded to a multiple of this many floats: AVX2's
/// 8 lanes, and a multiple of NEON's 4 and of scalar code's 1.
pub(crate) const ROW_ALIGN: usize = 8;

/// Most vectors held in registers at once (AVX2 has 16: the block, a broadcast and a load).
const MAX_BLOCK: usize = 8;

/// Rows of a data set stored by their nonzero entries (compressed sparse rows).
#[derive(Debug, Clone)]
pub(crate) struct SparseRows {
    starts: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<f32>,
}

impl SparseRows {
    /// The nonzero entries of the row-major `width`-wide `features`.
    pub(crate) fn from_dense(features: &[f32], width: usize) -> Self {
        let rows = features.len() / width.max(1);
        let mut starts = Vec::with_capacity(rows + 1);
        let mut columns = Vec::new();
        let mut values = Vec::new();
        starts.push(0);
        for row in features.chunks_exact(width.max(1)) {
            for (column, &value) in row.iter().enumerate() {
                if value != 0.0 {
                    columns.push(column as u32);
                    values.push(value);
                }
            }
            starts.push(values.len());
        }
        Self {
            starts,
            columns,
            values,
        }
    }

    /// Row `index`, against a matrix whose rows are `stride` apart.
    #[inline(always)]
    fn row<S>(&self, simd: S, index: usize, stride: usize) -> SparseRow<'_, S> {
        let range = self.starts[index]..self.starts[index + 1];
        SparseRow {
            simd,
            columns: &self.columns[range.clone()],
            values: &self.values[range],
            stride,
        }
    }

    /// `out[i] = bias + x[rows[i]] · w` for each listed row: `w` is `width × bias.len()` with
    /// rows `stride` apart, `out` is `rows.len() × bias.len()`.
    #[inline(always)]
    pub(crate) fn times<S: Simd>(
        &self,
        simd: S,
        rows: &[usize],
        w: &[f32],
        stride: usize,
        bias: &[f32],
        out: &mut [f32],
    ) {
        let outputs = bias.len();
        assert!(stride >= outputs, "weight rows shorter than the layer");
        if outputs == 0 {
            return;
        }
        let vectorised = stride.is_multiple_of(S::F32_LANES);
        for (out_row, &index) in out.chunks_exact_mut(outputs).zip(rows) {
            let mut pass = RowTimes {
                row: self.row(simd, index, stride),
                w,
                bias,
                out_row,
            };
            if vectorised {
                in_blocks::<S>(outputs, &mut pass);
            } else {
                pass.element_by_element();
            }
        }
    }

    /// `grad += Σ_i x[rows[i]]ᵀ · delta[i]`, the weight gradient of a layer fed these rows:
    /// `delta` is `rows.len() × outputs`, `grad` is `width × outputs` with rows `stride` apart
    /// (padding columns stay as they are).
    #[inline(always)]
    pub(crate) fn transpose_times<S: Simd>(
        &self,
        simd: S,
        rows: &[usize],
        delta: &[f32],
        outputs: usize,
        grad: &mut [f32],
        stride: usize,
    ) {
        assert!(stride >= outputs, "gradient rows shorter than the layer");
        if outputs == 0 {
            return;
        }
        let vectorised = stride.is_multiple_of(S::F32_LANES);
        for (delta_row, &index) in delta.chunks_exact(outputs).zip(rows) {
            let mut pass = RowTransposeTimes {
                row: self.row(simd, index, stride),
                delta_row,
                grad: &mut *grad,
            };
            if vectorised {
                in_blocks::<S>(outputs, &mut pass);
            } else {
                pass.element_by_element();
            }
        }
    }
}

/// A product with one sparse row, done a block of `V` vectors of columns at a time.
trait BlockPass {
    /// The columns `start..start + V·lanes`.
    fn block<const V: usize>(&mut self, start: usize);
}

/// Runs `pass` over `outputs` columns in blocks of at most [`MAX_BLOCK`] vectors of `S`; the
/// last vector may reach into the row padding. (A trait rather than a closure: a closure would
/// be compiled without the vector instructions of the function it is called from.)
#[inline(always)]
fn in_blocks<S: Simd>(outputs: usize, pass: &mut impl BlockPass) {
    let mut start = 0;
    while start < outputs {
        let vectors = (outputs - start).div_ceil(S::F32_LANES).min(MAX_BLOCK);
        match vectors {
            1 => pass.block::<1>(start),
            2 => pass.block::<2>(start),
            3 => pass.block::<3>(start),
            4 => pass.block::<4>(start),
            5 => pass.block::<5>(start),
            6 => pass.block::<6>(start),
            7 => pass.block::<7>(start),
            _ => pass.block::<MAX_BLOCK>(start),
        }
        start += vectors * S::F32_LANES;
    }
}

/// One sparse row, against a matrix whose rows are `stride` apart.
#[derive(Clone, Copy)]
struct SparseRow<'a, S> {
    simd: S,
    columns: &'a [u32],
    values: &'a [f32],
    stride: usize,
}

impl<S> SparseRow<'_, S> {
    /// Each entry's matrix row offset (its column times the stride) and its value.
    #[inline(always)]
    fn entries(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        let stride = self.stride;
        self.columns
            .iter()
            .zip(self.values)
            .map(move |(&column, &value)| (column as usize * stride, value))
    }
}

/// `out_row = bias + row · w`.
struct RowTimes<'a, S> {
    row: SparseRow<'a, S>,
    w: &'a [f32],
    bias: &'a [f32],
    out_row: &'a mut [f32],
}

impl<S> RowTimes<'_, S> {
    /// The product without vectors (for a stride the vectors don't divide).
    fn element_by_element(&mut self) {
        self.out_row.copy_from_slice(self.bias);
        for (offset, value) in self.row.entries() {
            let w_row = &self.w[offset..][..self.out_row.len()];
            for (o, &w) in self.out_row.iter_mut().zip(w_row) {
                *o += value * w;
            }
        }
    }
}

impl<S: Simd> BlockPass for RowTimes<'_, S> {
    /// Accumulates the block in registers while the row's entries stream past.
    #[inline(always)]
    fn block<const V: usize>(&mut self, start: usize) {
        let (simd, lanes) = (self.row.simd, S::F32_LANES);
        let mut acc = load_block::<S, V>(simd, self.bias, start);
        for (offset, value) in self.row.entries() {
            let w_row = &self.w[offset + start..][..V * lanes];
            let value = simd.splat_f32s(value);
            for (b, acc) in acc.iter_mut().enumerate() {
                *acc = simd.mul_add_e_f32s(value, load::<S>(&w_row[b * lanes..]), *acc);
            }
        }
        for (b, acc) in acc.into_iter().enumerate() {
            simd.partial_store_f32s(tail_mut(self.out_row, start + b * lanes), acc);
        }
    }
}

/// `grad += rowᵀ · delta_row`.
struct RowTransposeTimes<'a, S> {
    row: SparseRow<'a, S>,
    delta_row: &'a [f32],
    grad: &'a mut [f32],
}

impl<S> RowTransposeTimes<'_, S> {
    /// The product without vectors (for a stride the vectors don't divide).
    fn element_by_element(&mut self) {
        for (offset, value) in self.row.entries() {
            let g_row = &mut self.grad[offset..][..self.delta_row.len()];
            for (g, &d) in g_row.iter_mut().zip(self.delta_row) {
                *g += value * d;
            }
        }
    }
}

impl<S: Simd> BlockPass for RowTransposeTimes<'_, S> {
    /// Holds the block of the delta row in registers while the row's entries stream past.
    #[inline(always)]
    fn block<const V: usize>(&mut self, start: usize) {
        let (simd, lanes) = (self.row.simd, S::F32_LANES);
        // Lanes past the layer's width load as zero, so the padding gains nothing.
        let delta = load_block::<S, V>(simd, self.delta_row, start);
        for (offset, value) in self.row.entries() {
            let g_row = &mut self.grad[offset + start..][..V * lanes];
            let value = simd.splat_f32s(value);
            for (b, delta) in delta.iter().enumerate() {
                let g = &mut g_row[b * lanes..];
                store::<S>(g, simd.mul_add_e_f32s(value, *delta, load::<S>(g)));
            }
        }
    }
}

/// `V` vectors from `slice[start..]`; lanes past its end are zero.
#[inline(always)]
fn load_block<S: Simd, const V: usize>(simd: S, slice: &[f32], start: usize) -> [S::f32s; V] {
    let mut block = [simd.splat_f32s(0.0); V];
    for (b, vector) in block.iter_mut().enumerate() {
        *vector = simd.partial_load_f32s(tail(slice, start + b * S::F32_LANES));
    }
    block
}

/// `slice[from..]`, empty when `from` is past the end.
#[inline(always)]
fn tail(slice: &[f32], from: usize) -> &[f32] {
    slice.get(from..).unwrap_or(&[])
}

/// `slice[from..]`, empty when `from` is past the end.
#[inline(always)]
fn tail_mut(slice: &mut [f32], from: usize) -> &mut [f32] {
    match slice.get_mut(from..) {
        Some(rest) => rest,
        None => &mut [],
    }
}

/// One whole vector from the front of `slice`.
#[inline(always)]
fn load<S: Simd>(slice: &[f32]) -> S::f32s {
    bytemuck::pod_read_unaligned(bytemuck::cast_slice(&slice[..S::F32_LANES]))
}

/// One whole vector onto the front of `slice`.
#[inline(always)]
fn store<S: Simd>(slice: &mut [f32], values: S::f32s) {
    slice[..S::F32_LANES].copy_from_slice(bytemuck::cast_slice(std::slice::from_ref(&values)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(len: usize, seed: f32) -> Vec<f32> {
        (0..len).map(|i| ((i as f32 + seed) * 0.37).sin()).collect()
    }

    /// Runs `check` on the vectors `pulp` picks for this CPU.
    struct Check {
        outputs: usize,
    }

    impl pulp::WithSimd for Check {
        type Output = ();

        fn with_simd<S: Simd>(self, simd: S) {
            check(simd, self.outputs, self.outputs.next_multiple_of(ROW_ALIGN));
        }
    }

    /// Both products with `outputs`-wide layers whose rows are `stride` apart.
    fn check<S: Simd>(simd: S, outputs: usize, stride: usize) {
        let (rows, width) = (5, 7);
        let mut x = values(rows * width, 3.0);
        for (i, v) in x.iter_mut().enumerate() {
            if i % 3 != 0 {
                *v = 0.0;
            }
        }
        let sparse = SparseRows::from_dense(&x, width);
        assert_eq!(sparse.values.len(), 12);
        let dense_w = values(width * outputs, 4.0);
        // NaN in the padding would show in any result that read it.
        let mut w = vec![f32::NAN; width * stride];
        for p in 0..width {
            w[p * stride..p * stride + outputs]
                .copy_from_slice(&dense_w[p * outputs..(p + 1) * outputs]);
        }
        let bias = values(outputs, 6.0);
        let picked = [4, 0, 2];
        let mut out = vec![0.0; picked.len() * outputs];
        sparse.times(simd, &picked, &w, stride, &bias, &mut out);
        for (i, &r) in picked.iter().enumerate() {
            for j in 0..outputs {
                let expected: f32 = bias[j]
                    + (0..width)
                        .map(|p| x[r * width + p] * dense_w[p * outputs + j])
                        .sum::<f32>();
                let got = out[i * outputs + j];
                assert!(
                    (got - expected).abs() < 1e-5,
                    "{outputs} wide: {got} vs {expected}"
                );
            }
        }

        let delta = values(picked.len() * outputs, 5.0);
        let mut grad = vec![0.5; width * stride];
        sparse.transpose_times(simd, &picked, &delta, outputs, &mut grad, stride);
        for p in 0..width {
            for j in 0..stride {
                let got = grad[p * stride + j];
                if j >= outputs {
                    assert_eq!(got, 0.5, "padding changed");
                    continue;
                }
                let expected: f32 = 0.5
                    + picked
                        .iter()
                        .enumerate()
                        .map(|(i, &r)| x[r * width + p] * delta[i * outputs + j])
                        .sum::<f32>();
                assert!(
                    (got - expected).abs() < 1e-5,
                    "{outputs} wide: {got} vs {expected}"
                );
            }
        }
    }

    /// Widths below, at and above one vector and one block, on every kind of vector this CPU
    /// has and on scalar code; unpadded rows take the element-by-element path.
    #[test]
    fn sparse_products_match_dense_ones_on_every_instruction_set() {
        for outputs in [1usize, 3, 8, 10, 50, 64, 65, 130] {
            let padded = outputs.next_multiple_of(ROW_ALIGN);
            pulp::Arch::new().dispatch(Check { outputs });
            check(pulp::Scalar::new(), outputs, padded);
            #[cfg(target_arch = "x86_64")]
            if let Some(simd) = pulp::x86::V3::try_new() {
                check(simd, outputs, padded);
                check(simd, outputs, outputs);
            }
        }
    }
}
