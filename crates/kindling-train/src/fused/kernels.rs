//! The arithmetic of the fused engine: matrix products through the `gemm` crate (the one
//! burn-flex uses), and products with a sparse input.

/// A read-only matrix view of a row-major buffer, possibly transposed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// The `rows × cols` row-major matrix in `data`.
    pub(crate) fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(data.len() >= rows * cols, "matrix buffer too short");
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose (no copy).
    pub(crate) fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// `out = a · b` (or `out += a · b` when `accumulate`), `out` row-major `a.rows × b.cols`.
pub(crate) fn matmul(out: &mut [f32], a: MatRef, b: MatRef, accumulate: bool) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert!(out.len() >= m * n, "output buffer too short");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            out[..m * n].fill(0.0);
        }
        return;
    }
    // SAFETY: every index the product touches is inside its buffer: the largest offset read
    // from `a` is (m-1)·row_stride + (k-1)·col_stride, which `MatRef::new` bounds by the
    // buffer's length for both orientations, likewise for `b`; `out` holds m·n elements with
    // row stride n. The buffers do not overlap (`out` is a unique borrow).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// Rows of a data set stored by their nonzero entries (compressed sparse rows). MNIST's pixels
/// are four-fifths zeros, so the first layer's products touch a fifth of the weights.
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

    /// `out[i] = bias + x[rows[i]] · w` for each listed row; `w` is `width × outputs`.
    #[inline(always)]
    pub(crate) fn times(&self, rows: &[usize], w: &[f32], bias: &[f32], out: &mut [f32]) {
        let outputs = bias.len();
        for (out_row, &index) in out.chunks_exact_mut(outputs).zip(rows) {
            out_row.copy_from_slice(bias);
            let (columns, values) = self.row(index);
            for (&column, &value) in columns.iter().zip(values) {
                let w_row = &w[column as usize * outputs..][..outputs];
                for (o, &wv) in out_row.iter_mut().zip(w_row) {
                    *o += value * wv;
                }
            }
        }
    }

    /// `grad += Σ_i x[rows[i]]ᵀ · delta[i]`, the weight gradient of a layer fed these rows.
    #[inline(always)]
    pub(crate) fn transpose_times(&self, rows: &[usize], delta: &[f32], grad: &mut [f32]) {
        let outputs = delta.len() / rows.len().max(1);
        for (delta_row, &index) in delta.chunks_exact(outputs).zip(rows) {
            let (columns, values) = self.row(index);
            for (&column, &value) in columns.iter().zip(values) {
                let g_row = &mut grad[column as usize * outputs..][..outputs];
                for (g, &d) in g_row.iter_mut().zip(delta_row) {
                    *g += value * d;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        out
    }

    fn values(len: usize, seed: f32) -> Vec<f32> {
        (0..len).map(|i| ((i as f32 + seed) * 0.37).sin()).collect()
    }

    #[test]
    fn products_match_the_definition_in_every_orientation() {
        let (m, k, n) = (5, 7, 3);
        let a = values(m * k, 1.0);
        let b = values(k * n, 2.0);
        let expected = naive(&a, &b, m, k, n);
        let mut out = vec![0.0; m * n];
        matmul(
            &mut out,
            MatRef::new(&a, m, k),
            MatRef::new(&b, k, n),
            false,
        );
        for (x, y) in out.iter().zip(&expected) {
            assert!((x - y).abs() < 1e-5);
        }
        // (aᵀ)ᵀ · b through a transposed buffer, accumulated onto itself: twice the product.
        let mut at = vec![0.0; k * m];
        for i in 0..m {
            for p in 0..k {
                at[p * m + i] = a[i * k + p];
            }
        }
        matmul(
            &mut out,
            MatRef::new(&at, k, m).t(),
            MatRef::new(&b, k, n),
            true,
        );
        for (x, y) in out.iter().zip(&expected) {
            assert!((x - 2.0 * y).abs() < 1e-5);
        }
    }

    #[test]
    fn sparse_products_match_dense_ones() {
        let (rows, width, outputs) = (4, 6, 3);
        let mut x = values(rows * width, 3.0);
        for (i, v) in x.iter_mut().enumerate() {
            if i % 3 != 0 {
                *v = 0.0;
            }
        }
        let sparse = SparseRows::from_dense(&x, width);
        assert_eq!(sparse.values.len(), 8);
        let w = values(width * outputs, 4.0);
        let bias = vec![0.5; outputs];
        let picked = [2, 0];
        let mut out = vec![0.0; picked.len() * outputs];
        sparse.times(&picked, &w, &bias, &mut out);
        let mut batch = Vec::new();
        for &r in &picked {
            batch.extend_from_slice(&x[r * width..(r + 1) * width]);
        }
        let dense = naive(&batch, &w, picked.len(), width, outputs);
        for (s, d) in out.iter().zip(&dense) {
            assert!((s - (d + 0.5)).abs() < 1e-5);
        }
        let delta = values(picked.len() * outputs, 5.0);
        let mut grad = vec![0.0; width * outputs];
        sparse.transpose_times(&picked, &delta, &mut grad);
        let mut bt = vec![0.0; width * picked.len()];
        for i in 0..picked.len() {
            for p in 0..width {
                bt[p * picked.len() + i] = batch[i * width + p];
            }
        }
        let expected = naive(&bt, &delta, width, picked.len(), outputs);
        for (g, e) in grad.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-5);
        }
    }
}
