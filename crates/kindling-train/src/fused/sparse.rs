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

    #[inline(always)]
    fn row(&self, index: usize) -> (&[u32], &[f32]) {
        let range = self.starts[index]..self.starts[index + 1];
        (&self.columns[range.clone()], &self.values[range])
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
            let (columns, values) = self.row(index);
            if !vectorised {
                times_scalar(columns, values, w, stride, bias, out_row);
                continue;
            }
            // Blocks of at most MAX_BLOCK vectors; the last vector may reach into the padding.
            // (A loop, not a closure: a closure would be compiled without the vector features.)
            let mut start = 0;
            while start < outputs {
                let vectors = (outputs - start).div_ceil(S::F32_LANES).min(MAX_BLOCK);
                let block = Block {
                    simd,
                    columns,
                    values,
                    start,
                    stride,
                };
                match vectors {
                    1 => block.times::<1>(w, bias, out_row),
                    2 => block.times::<2>(w, bias, out_row),
                    3 => block.times::<3>(w, bias, out_row),
                    4 => block.times::<4>(w, bias, out_row),
                    5 => block.times::<5>(w, bias, out_row),
                    6 => block.times::<6>(w, bias, out_row),
                    7 => block.times::<7>(w, bias, out_row),
                    _ => block.times::<MAX_BLOCK>(w, bias, out_row),
                }
                start += vectors * S::F32_LANES;
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
            let (columns, values) = self.row(index);
            if !vectorised {
                transpose_times_scalar(columns, values, delta_row, grad, stride);
                continue;
            }
            let mut start = 0;
            while start < outputs {
                let vectors = (outputs - start).div_ceil(S::F32_LANES).min(MAX_BLOCK);
                let block = Block {
                    simd,
                    columns,
                    values,
                    start,
                    stride,
                };
                match vectors {
                    1 => block.transpose_times::<1>(delta_row, grad),
                    2 => block.transpose_times::<2>(delta_row, grad),
                    3 => block.transpose_times::<3>(delta_row, grad),
                    4 => block.transpose_times::<4>(delta_row, grad),
                    5 => block.transpose_times::<5>(delta_row, grad),
                    6 => block.transpose_times::<6>(delta_row, grad),
                    7 => block.transpose_times::<7>(delta_row, grad),
                    _ => block.transpose_times::<MAX_BLOCK>(delta_row, grad),
                }
                start += vectors * S::F32_LANES;
            }
        }
    }
}

/// One sparse row against the columns `start..start + V·lanes` of a padded matrix.
struct Block<'a, S> {
    simd: S,
    columns: &'a [u32],
    values: &'a [f32],
    start: usize,
    stride: usize,
}

impl<S: Simd> Block<'_, S> {
    /// The block of `out_row = bias + row · w`, accumulated in registers.
    #[inline(always)]
    fn times<const V: usize>(&self, w: &[f32], bias: &[f32], out_row: &mut [f32]) {
        let (simd, lanes) = (self.simd, S::F32_LANES);
        let mut acc: [S::f32s; V] =
            std::array::from_fn(|b| simd.partial_load_f32s(tail(bias, self.start + b * lanes)));
        for (&column, &value) in self.columns.iter().zip(self.values) {
            let w_row = &w[column as usize * self.stride + self.start..][..V * lanes];
            let value = simd.splat_f32s(value);
            for (b, acc) in acc.iter_mut().enumerate() {
                *acc = simd.mul_add_e_f32s(value, load::<S>(&w_row[b * lanes..]), *acc);
            }
        }
        for (b, acc) in acc.into_iter().enumerate() {
            simd.partial_store_f32s(tail_mut(out_row, self.start + b * lanes), acc);
        }
    }

    /// The block of `grad += rowᵀ · delta_row`, with the delta row held in registers.
    #[inline(always)]
    fn transpose_times<const V: usize>(&self, delta_row: &[f32], grad: &mut [f32]) {
        let (simd, lanes) = (self.simd, S::F32_LANES);
        // Lanes past the layer's width load as zero, so the padding gains nothing.
        let delta: [S::f32s; V] = std::array::from_fn(|b| {
            simd.partial_load_f32s(tail(delta_row, self.start + b * lanes))
        });
        for (&column, &value) in self.columns.iter().zip(self.values) {
            let g_row = &mut grad[column as usize * self.stride + self.start..][..V * lanes];
            let value = simd.splat_f32s(value);
            for (b, delta) in delta.iter().enumerate() {
                let g = &mut g_row[b * lanes..];
                store::<S>(g, simd.mul_add_e_f32s(value, *delta, load::<S>(g)));
            }
        }
    }
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

/// [`SparseRows::times`] for one row, element by element (a stride the vectors don't divide).
fn times_scalar(
    columns: &[u32],
    values: &[f32],
    w: &[f32],
    stride: usize,
    bias: &[f32],
    out_row: &mut [f32],
) {
    out_row.copy_from_slice(bias);
    for (&column, &value) in columns.iter().zip(values) {
        let w_row = &w[column as usize * stride..][..out_row.len()];
        for (o, &wv) in out_row.iter_mut().zip(w_row) {
            *o += value * wv;
        }
    }
}

/// [`SparseRows::transpose_times`] for one row, element by element.
fn transpose_times_scalar(
    columns: &[u32],
    values: &[f32],
    delta_row: &[f32],
    grad: &mut [f32],
    stride: usize,
) {
    for (&column, &value) in columns.iter().zip(values) {
        let g_row = &mut grad[column as usize * stride..][..delta_row.len()];
        for (g, &d) in g_row.iter_mut().zip(delta_row) {
            *g += value * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(len: usize, seed: f32) -> Vec<f32> {
        (0..len).map(|i| ((i as f32 + seed) * 0.37).sin()).collect()
    }

    /// Runs both products on every kind of vector this CPU has, and on scalar code, for
    /// widths below, at and above one vector and one block.
    struct Check {
        outputs: usize,
    }

    impl pulp::WithSimd for Check {
        type Output = ();

        fn with_simd<S: Simd>(self, simd: S) {
            check(simd, self.outputs);
        }
    }

    fn check<S: Simd>(simd: S, outputs: usize) {
        let (rows, width) = (5, 7);
        let stride = outputs.next_multiple_of(ROW_ALIGN);
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

    #[test]
    fn sparse_products_match_dense_ones_on_every_instruction_set() {
        for outputs in [1, 3, 8, 10, 50, 64, 65, 130] {
            pulp::Arch::new().dispatch(Check { outputs });
            check(pulp::Scalar::new(), outputs);
            #[cfg(target_arch = "x86_64")]
            if let Some(simd) = pulp::x86::V3::try_new() {
                check(simd, outputs);
            }
        }
    }

    #[test]
    fn an_undivided_stride_falls_back_to_scalar_loops() {
        // Stride 10 with 8-lane vectors: the element-by-element path.
        let x = [1.0, 0.0, 2.0];
        let sparse = SparseRows::from_dense(&x, 3);
        let w: Vec<f32> = (0..30).map(|i| i as f32).collect();
        let bias = vec![0.0; 9];
        let mut out = vec![0.0; 9];
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = pulp::x86::V3::try_new() {
            sparse.times(simd, &[0], &w, 10, &bias, &mut out);
            for (j, &o) in out.iter().enumerate() {
                assert_eq!(o, w[j] + 2.0 * w[20 + j]);
            }
        }
    }
}
