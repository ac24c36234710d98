//! The little dense linear algebra GPTQ needs, in `f64`: a Cholesky factorisation and the
//! inverse of a symmetric positive-definite matrix from it.

use crate::error::{QuantError, Result};

/// The lower-triangular `L` with `a = L·Lᵀ` (`a` is `n × n`, row-major, symmetric). Errors
/// when `a` is not positive definite.
pub fn cholesky_lower(a: &[f64], n: usize) -> Result<Vec<f64>> {
    let mut l = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return Err(QuantError::InvalidParameter(format!(
                        "the matrix is not positive definite (pivot {i} is {s})"
                    )));
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Ok(l)
}

/// `a⁻¹` for a symmetric positive-definite `a`, from its Cholesky factor: `a⁻¹ = L⁻ᵀ·L⁻¹`.
pub fn spd_inverse(a: &[f64], n: usize) -> Result<Vec<f64>> {
    let l = cholesky_lower(a, n)?;
    // M = L⁻¹ (lower triangular), by forward substitution column by column.
    let mut m = vec![0.0f64; n * n];
    for c in 0..n {
        m[c * n + c] = 1.0 / l[c * n + c];
        for i in c + 1..n {
            let mut s = 0.0;
            for k in c..i {
                s += l[i * n + k] * m[k * n + c];
            }
            m[i * n + c] = -s / l[i * n + i];
        }
    }
    // a⁻¹ = Mᵀ·M (symmetric).
    let mut inv = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = 0.0;
            for k in i..n {
                s += m[k * n + i] * m[k * n + j];
            }
            inv[i * n + j] = s;
            inv[j * n + i] = s;
        }
    }
    Ok(inv)
}

/// The upper-triangular `U` with `a = Uᵀ·U` (`U = Lᵀ`).
pub fn cholesky_upper(a: &[f64], n: usize) -> Result<Vec<f64>> {
    let l = cholesky_lower(a, n)?;
    let mut u = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            u[j * n + i] = l[i * n + j];
        }
    }
    Ok(u)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_inverse_of_a_known_matrix_and_its_factors() {
        // a = [[4, 2], [2, 3]]: det 8, inverse [[3, −2], [−2, 4]] / 8.
        let a = [4.0, 2.0, 2.0, 3.0];
        let inv = spd_inverse(&a, 2).unwrap();
        let want = [3.0 / 8.0, -2.0 / 8.0, -2.0 / 8.0, 4.0 / 8.0];
        for (g, w) in inv.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{inv:?}");
        }
        let u = cholesky_upper(&a, 2).unwrap();
        // Uᵀ·U = a.
        let utu = |i: usize, j: usize| (0..2).map(|k| u[k * 2 + i] * u[k * 2 + j]).sum::<f64>();
        for i in 0..2 {
            for j in 0..2 {
                assert!((utu(i, j) - a[i * 2 + j]).abs() < 1e-12);
            }
        }
        assert_eq!(u[2], 0.0);
        assert!(cholesky_lower(&[1.0, 2.0, 2.0, 1.0], 2).is_err());
    }
}
