//! Dense matrix products of the fused engine, through the `gemm` crate (the one burn-flex
//! uses).

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
        Self::strided(data, rows, cols, cols)
    }

    /// The `rows × cols` row-major matrix in `data` whose rows start `row_stride` apart
    /// (`row_stride ≥ cols`: rows may be padded).
    pub(crate) fn strided(data: &'a [f32], rows: usize, cols: usize, row_stride: usize) -> Self {
        assert!(row_stride >= cols, "row stride below the row length");
        assert!(
            rows == 0 || data.len() >= (rows - 1) * row_stride + cols,
            "matrix buffer too short"
        );
        Self {
            data,
            rows,
            cols,
            row_stride,
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

/// `out = a · b` (or `out += a · b` when `accumulate`): `out` is row-major `a.rows × b.cols`
/// with rows `out_stride` apart; columns past `b.cols` in a padded row are left alone.
pub(crate) fn matmul(out: &mut [f32], out_stride: usize, a: MatRef, b: MatRef, accumulate: bool) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert!(out_stride >= n, "output row stride below the row length");
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        out.len() >= (m - 1) * out_stride + n,
        "output buffer too short"
    );
    if k == 0 {
        if !accumulate {
            for row in out.chunks_mut(out_stride).take(m) {
                row[..n].fill(0.0);
            }
        }
        return;
    }
    // SAFETY: every index the product touches is inside its buffer: the largest offset read
    // from `a` is (m-1)·row_stride + (k-1)·col_stride, which `MatRef::strided` bounds by the
    // buffer's length for both orientations, likewise for `b`; the largest offset written in
    // `out` is (m-1)·out_stride + n-1, checked above. The buffers do not overlap (`out` is a
    // unique borrow).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            out_stride as isize,
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
            n,
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
            n,
            MatRef::new(&at, k, m).t(),
            MatRef::new(&b, k, n),
            true,
        );
        for (x, y) in out.iter().zip(&expected) {
            assert!((x - 2.0 * y).abs() < 1e-5);
        }
        // Padded rows on both sides: b's rows 4 apart, out's 5 apart; the padding is untouched.
        let mut padded_b = vec![0.0; k * 4];
        for p in 0..k {
            padded_b[p * 4..p * 4 + n].copy_from_slice(&b[p * n..(p + 1) * n]);
            padded_b[p * 4 + n] = f32::NAN;
        }
        let mut padded_out = vec![-1.0; m * 5];
        matmul(
            &mut padded_out,
            5,
            MatRef::new(&a, m, k),
            MatRef::strided(&padded_b, k, n, 4),
            false,
        );
        for i in 0..m {
            for j in 0..5 {
                let value = padded_out[i * 5 + j];
                if j < n {
                    assert!((value - expected[i * n + j]).abs() < 1e-5);
                } else {
                    assert_eq!(value, -1.0);
                }
            }
        }
    }
}
