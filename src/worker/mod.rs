//! The page's Web Worker: long work off the page's thread, so a click or a slider is
//! answered while it runs.
//!
//! The worker runs the app's own module: `web/worker.js` imports the same wasm-bindgen
//! script and instantiates the same `.wasm` the page loaded (from the browser's cache; the
//! names come from the boot tag that `web/boot.js` starts from), and calls the functions
//! `src/main.rs` exports for it ([`load`], [`compare_row`], [`rotation`]). In the worker, `main` finds no
//! window and mounts nothing. The answers are bit for bit the page's own: the same code on
//! the same `f32` values.
//!
//! Messages are plain objects: to the worker `{kind: "init", js, wasm}` once, then jobs
//! (`{kind: "compare", job, dtype, total}`, `{kind: "rotation", job, query}`, with `data` and
//! `shape` when the worker does not hold the tensor yet) and `{kind: "cancel"}`; from it one
//! message per row (`{job, index, row}` with `row` the figures of [`compare_row`], or
//! `{job, index, error}`), `{job, rotation}` (the figures of [`rotation_figures`]) or
//! `{job, error}`, `{job, done: true}` at the end and `{failed}` when the module could not
//! start. A newer job or a cancel makes the worker leave its job at the next step; the worker
//! itself ends with its [`JobSlot`]'s owner (`PageWorker`'s `Drop`, built for `wasm32` only).

use std::cell::RefCell;

use quantlab_core::QuantError;
use quantlab_core::analysis::Histogram;
use quantlab_core::url_state::from_query;
use quantlab_core::weights::compare::{CompareRow, compare_row as core_row, standard_schemes};
use quantlab_core::weights::rotation::{
    RotationErrors, RotationSpread, RotationStudy, rotation_errors, rotation_spread,
};
use quantlab_core::weights::storage::ScaleDtype;
use quantlab_core::weights::study::{StudyOptions, WeightMetrics};

use crate::labs::weight::pipeline::clamp_bins;
use crate::labs::weight::state::WeightLabState;

thread_local! {
    /// The tensor of the worker's current job: its values and shape.
    static TENSOR: RefCell<(Vec<f32>, Vec<usize>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// In the worker: keeps `data` (row-major, `shape`) for the rows that follow.
pub fn load(data: Vec<f32>, shape: &[u32]) {
    let shape = shape.iter().map(|&d| d as usize).collect();
    TENSOR.with(|t| *t.borrow_mut() = (data, shape));
}

/// In the worker: the figures of the comparison row of standard scheme `index` on the
/// loaded tensor, with scales stored as `dtype` (its name in links: `fp16`): bits per
/// weight, bytes, MSE, SNR, max |e| and relative Frobenius error, as `f64`s (so they reach
/// the page bit for bit); the refusal in words when the scheme does not apply.
pub fn compare_row(index: usize, dtype: &str) -> Result<Vec<f64>, String> {
    let scale_dtype = parse_dtype(dtype)?;
    let schemes = standard_schemes();
    let named = schemes
        .get(index)
        .ok_or_else(|| format!("no standard scheme {index} of {}", schemes.len()))?;
    let row = TENSOR.with(|t| {
        let (data, shape) = &*t.borrow();
        core_row(data, shape, named, scale_dtype).map_err(|e| e.to_string())
    })?;
    let m = &row.metrics;
    Ok(vec![
        row.bits_per_weight,
        row.bytes as f64,
        m.mse,
        m.snr_db,
        m.max_error,
        m.rel_frobenius,
    ])
}

/// In the worker: the rotation figure of the Weight lab state `query` (its link, as the
/// page writes it: scheme, scale storage, bins) on the loaded tensor, as figures (see
/// [`rotation_figures`]); the refusal in words.
pub fn rotation(query: &str) -> Result<Vec<f64>, String> {
    let (s, _) = from_query::<WeightLabState>(query);
    let study = TENSOR.with(|t| {
        let (data, shape) = &*t.borrow();
        let spread = rotation_spread(data, shape, &s.scheme, clamp_bins(s.bins))?;
        let opts = StudyOptions {
            scale_dtype: s.scale_dtype,
            ..StudyOptions::default()
        };
        let errors = rotation_errors(data, shape, &s.scheme, &opts, None)?;
        Ok::<_, QuantError>(RotationStudy::join(&spread, &errors))
    });
    study
        .map(|r| rotation_figures(&r))
        .map_err(|e| e.to_string())
}

/// A rotation figure as one list of `f64`s, so that it crosses to the page bit for bit and
/// without a text format: numbers in field order, each list as its length and its items,
/// the 64-bit seed as two 32-bit halves.
pub fn rotation_figures(r: &RotationStudy) -> Vec<f64> {
    let mut out = Vec::new();
    let list = |out: &mut Vec<f64>, items: &mut dyn ExactSizeIterator<Item = f64>| {
        out.push(items.len() as f64);
        out.extend(items);
    };
    let sp = &r.spread;
    out.extend([
        sp.group as f64,
        (sp.seed >> 32) as f64,
        (sp.seed & 0xffff_ffff) as f64,
    ]);
    for h in [&sp.before, &sp.after] {
        list(&mut out, &mut h.edges.iter().copied());
        list(&mut out, &mut h.counts.iter().map(|&c| c as f64));
        out.push(h.outside as f64);
    }
    out.push(sp.channel_step as f64);
    list(&mut out, &mut sp.absmax_before.iter().copied());
    list(&mut out, &mut sp.absmax_after.iter().copied());
    out.extend([sp.kurtosis_before, sp.kurtosis_after]);
    for m in [&r.errors.plain, &r.errors.rotated] {
        out.extend([m.mse, m.snr_db, m.max_error, m.rel_frobenius]);
    }
    out.extend([
        r.errors.bits_plain,
        r.errors.bits_rotated,
        r.peak_before,
        r.peak_after,
    ]);
    out
}

/// The rotation figure of [`rotation_figures`]; `None` for a list it did not write.
pub fn rotation_from_figures(f: &[f64]) -> Option<RotationStudy> {
    let mut it = f.iter().copied();
    let mut num = || it.next();
    let count = |v: f64| (v >= 0.0 && v.fract() == 0.0).then_some(v as usize);
    let take = |num: &mut dyn FnMut() -> Option<f64>| -> Option<Vec<f64>> {
        let n = count(num()?)?;
        (0..n).map(|_| num()).collect()
    };
    let (group, hi, lo) = (count(num()?)?, num()? as u64, num()? as u64);
    let hist = |num: &mut dyn FnMut() -> Option<f64>| -> Option<Histogram> {
        let edges = take(num)?;
        let counts = take(num)?.into_iter().map(count).collect::<Option<_>>()?;
        Some(Histogram {
            edges,
            counts,
            outside: count(num()?)?,
        })
    };
    let (before, after) = (hist(&mut num)?, hist(&mut num)?);
    let channel_step = count(num()?)?;
    let (absmax_before, absmax_after) = (take(&mut num)?, take(&mut num)?);
    let (kurtosis_before, kurtosis_after) = (num()?, num()?);
    let metrics = |num: &mut dyn FnMut() -> Option<f64>| -> Option<WeightMetrics> {
        Some(WeightMetrics {
            mse: num()?,
            snr_db: num()?,
            max_error: num()?,
            rel_frobenius: num()?,
        })
    };
    let (plain, rotated) = (metrics(&mut num)?, metrics(&mut num)?);
    let (bits_plain, bits_rotated, peak_before, peak_after) = (num()?, num()?, num()?, num()?);
    if num().is_some() {
        return None;
    }
    Some(RotationStudy {
        spread: RotationSpread {
            group,
            seed: (hi << 32) | lo,
            before,
            after,
            channel_step,
            absmax_before,
            absmax_after,
            kurtosis_before,
            kurtosis_after,
        },
        errors: RotationErrors {
            plain,
            rotated,
            bits_plain,
            bits_rotated,
        },
        peak_before,
        peak_after,
    })
}

/// A scale storage by its name in links (`fp16`).
fn parse_dtype(dtype: &str) -> Result<ScaleDtype, String> {
    ScaleDtype::ALL
        .into_iter()
        .find(|d| d.id() == dtype)
        .ok_or_else(|| format!("scale storage {dtype}: not fp32, fp16 or bf16"))
}

/// The row of standard scheme `index` from the figures [`compare_row`] sent; `None` for
/// figures of another length or an unknown index.
pub fn row_from_figures(index: usize, figures: &[f64]) -> Option<CompareRow> {
    let &[
        bits_per_weight,
        bytes,
        mse,
        snr_db,
        max_error,
        rel_frobenius,
    ] = figures
    else {
        return None;
    };
    let named = standard_schemes().into_iter().nth(index)?;
    Some(CompareRow {
        id: named.id.to_string(),
        label: named.label.to_string(),
        bits_per_weight,
        bytes: bytes as u64,
        metrics: WeightMetrics {
            mse,
            snr_db,
            max_error,
            rel_frobenius,
        },
    })
}

mod slot;

pub use slot::JobSlot;
#[cfg(target_arch = "wasm32")]
pub use slot::{PageWorker, field, figures, object};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::labs::weight::state::WeightTensor;
    use quantlab_core::weights::synth::{SynthSpec, generate};

    #[test]
    fn the_worker_rows_are_the_page_rows_bit_for_bit() {
        let spec = SynthSpec {
            rows: 64,
            cols: 128,
            ..SynthSpec::default()
        };
        let data = generate(&spec).unwrap();
        load(data.clone(), &[64, 128]);
        let schemes = standard_schemes();
        for (i, named) in schemes.iter().enumerate() {
            for dtype in ScaleDtype::ALL {
                let got = compare_row(i, dtype.id()).map(|f| row_from_figures(i, &f).unwrap());
                let want = core_row(&data, &[64, 128], named, dtype).map_err(|e| e.to_string());
                assert_eq!(got, want, "{}", named.id);
            }
        }
    }

    #[test]
    fn the_worker_rotation_figure_is_the_page_figure_bit_for_bit() {
        let spec = SynthSpec {
            rows: 64,
            cols: 256,
            outliers: 4,
            ..SynthSpec::default()
        };
        let data = generate(&spec).unwrap();
        load(data.clone(), &[64, 256]);
        // The Weight lab's default (int4, groups of 128), bf16 scales, 64 bins, a large seed.
        let mut state = WeightLabState {
            scale_dtype: ScaleDtype::Bf16,
            bins: 64,
            ..WeightLabState::default()
        };
        state.scheme.rotate_seed = u64::MAX - 12345;
        let query = quantlab_core::url_state::to_query(&state);
        let got = rotation_from_figures(&rotation(&query).unwrap()).unwrap();
        let t = WeightTensor {
            name: "t".into(),
            shape: vec![64, 256],
            data,
        };
        let want = crate::labs::weight::pipeline::compute_rotation(&t, &state).unwrap();
        assert_eq!(got, *want);
        assert_eq!(got.spread.seed, u64::MAX - 12345);
        // Per tensor the rotation does not apply: words, as on the page.
        state.scheme.granularity = quantlab_core::quantizer::GranularityKind::Tensor;
        let e = rotation(&quantlab_core::url_state::to_query(&state)).unwrap_err();
        assert!(e.contains("per-group"), "{e}");
        // Lists it did not write: cut short, one number too many, a negative count.
        let f = rotation_figures(&want);
        assert_eq!(rotation_from_figures(&f[..f.len() - 1]), None);
        assert_eq!(
            rotation_from_figures(&[f.clone(), vec![0.0]].concat()),
            None
        );
        let mut bad = f.clone();
        bad[3] = -1.0;
        assert_eq!(rotation_from_figures(&bad), None);
        assert_eq!(rotation_from_figures(&[]), None);
    }

    #[test]
    fn a_bad_index_dtype_or_figures_are_refused_in_words() {
        load(vec![0.5; 8], &[2, 4]);
        let e = compare_row(999, "fp16").unwrap_err();
        assert!(e.contains("no standard scheme 999"), "{e}");
        let e = compare_row(0, "fp5").unwrap_err();
        assert!(e.contains("scale storage fp5"), "{e}");
        assert_eq!(row_from_figures(0, &[1.0, 2.0]), None);
        assert_eq!(row_from_figures(999, &[0.0; 6]), None);
        // A tensor the schemes refuse: each says why.
        load(vec![0.5, f32::NAN], &[1, 2]);
        for i in 0..standard_schemes().len() {
            assert!(
                compare_row(i, "bf16").unwrap_err().contains("finite"),
                "{i}"
            );
        }
    }
}
