//! quantlab's core kernels as a WebAssembly module, for timing the code the page runs.
//!
//! `scripts/bench-numpy.sh` builds this crate for `wasm32-unknown-unknown` with the same
//! flags as the web app (`simd128`, the core at `opt-level = 3`), binds it for Node.js
//! with `wasm-bindgen --target nodejs`, and `scripts/bench_wasm.cjs` times [`run`] in V8,
//! the engine of Chromium. The native column of the same table is `quantlab bench` on the
//! same `.npy` file and the same scheme (its `--json` output names the scheme, which is
//! handed to [`set_scheme`] as it is), and [`differing_bits`] checks that both builds give
//! the same float32 values bit for bit.
//!
//! One tensor, one scheme and the last output live in the module between calls, so a
//! timed call does no copying across the JavaScript boundary.

use std::cell::RefCell;

use quantlab_core::io::npy;
use quantlab_core::quant::scheme::Scheme;
use wasm_bindgen::prelude::wasm_bindgen;

#[derive(Default)]
struct Bench {
    data: Vec<f32>,
    shape: Vec<usize>,
    scheme: Option<Scheme>,
    out: Vec<f32>,
}

thread_local! {
    static STATE: RefCell<Bench> = RefCell::new(Bench::default());
}

/// Reads a float32 `.npy` file as the tensor to quantize; returns its number of values.
#[wasm_bindgen]
pub fn load_npy(bytes: &[u8]) -> Result<usize, String> {
    let t = npy::read(bytes).map_err(|e| e.to_string())?;
    let n = t.data.len();
    STATE.with_borrow_mut(|s| {
        s.data = t.data;
        s.shape = t.shape;
        s.out.clear();
    });
    Ok(n)
}

/// Sets the scheme from its JSON form (the `scheme` of `quantlab bench --json`).
#[wasm_bindgen]
pub fn set_scheme(json: &str) -> Result<(), String> {
    let scheme: Scheme = serde_json::from_str(json).map_err(|e| format!("scheme: {e}"))?;
    STATE.with_borrow_mut(|s| s.scheme = Some(scheme));
    Ok(())
}

/// One fit → quantize → dequantize of the loaded tensor with the scheme set, the work
/// `quantlab bench` times natively; keeps the result for [`differing_bits`].
#[wasm_bindgen]
pub fn run() -> Result<(), String> {
    STATE.with_borrow_mut(|s| {
        let scheme = s.scheme.ok_or("no scheme set")?;
        let q = scheme
            .fit(&s.data, &s.shape)
            .map_err(|e| format!("{}: {e}", scheme.scheme.id()))?;
        s.out = q
            .quantize_dequantize(&s.data)
            .map_err(|e| format!("{}: {e}", scheme.scheme.id()))?;
        Ok(())
    })
}

/// The Weight lab's whole study of the loaded tensor with the scheme set
/// ([`quantlab_core::weights::study::study`]: reconstruction, metrics, per-group errors,
/// the heat map), the work behind one control change in the page; returns its MSE.
#[wasm_bindgen]
pub fn study() -> Result<f64, String> {
    use quantlab_core::weights::study::{StudyOptions, study};
    STATE.with_borrow(|s| {
        let scheme = s.scheme.ok_or("no scheme set")?;
        study(&s.data, &s.shape, &scheme, &StudyOptions::default())
            .map(|st| st.metrics.mse)
            .map_err(|e| format!("{}: {e}", scheme.scheme.id()))
    })
}

/// How many float32 values of the last [`run`] differ in their bits from the values of a
/// float32 `.npy` file (the native CLI's `quantize --output` of the same tensor and scheme).
#[wasm_bindgen]
pub fn differing_bits(bytes: &[u8]) -> Result<usize, String> {
    let t = npy::read(bytes).map_err(|e| e.to_string())?;
    STATE.with_borrow(|s| {
        if t.data.len() != s.out.len() {
            return Err(format!(
                "{} values in the file, {} in the last run",
                t.data.len(),
                s.out.len()
            ));
        }
        Ok(t.data
            .iter()
            .zip(&s.out)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count())
    })
}

/// The SIMD this build uses: `simd128` when compiled with it (as the web app is).
#[wasm_bindgen]
pub fn simd() -> String {
    if cfg!(target_feature = "simd128") {
        "simd128".into()
    } else {
        quantlab_core::quant::fast::simd_level().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy_bytes(values: &[f32]) -> Vec<u8> {
        let header = format!(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': ({},), }}",
            values.len()
        );
        let mut h = header.into_bytes();
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(b' ');
        }
        h.push(b'\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&u16::try_from(h.len()).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&h);
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    #[test]
    fn runs_a_scheme_and_compares_bits() {
        let x: Vec<f32> = (0..300).map(|i| (i as f32 * 0.37).sin()).collect();
        assert_eq!(load_npy(&npy_bytes(&x)), Ok(300));
        assert!(run().is_err(), "no scheme yet");
        assert_eq!(
            set_scheme(r#"{"scheme":"linear","bits":4,"mode":"sym"}"#),
            Ok(())
        );
        assert_eq!(run(), Ok(()));
        let mse = study().unwrap_or(-1.0);
        assert!(mse > 0.0 && mse < 0.01, "{mse}");
        let expected = Scheme {
            bits: 4,
            mode: quantlab_core::quant::types::Mode::Sym,
            ..Scheme::default()
        }
        .fit(&x, &[300])
        .and_then(|q| q.quantize_dequantize(&x))
        .unwrap_or_default();
        assert_eq!(differing_bits(&npy_bytes(&expected)), Ok(0));
        let mut changed = expected.clone();
        changed[7] = -changed[7] + 1.0;
        changed[200] = f32::from_bits(changed[200].to_bits() ^ 1);
        assert_eq!(differing_bits(&npy_bytes(&changed)), Ok(2));
        assert!(differing_bits(&npy_bytes(&x[..10])).is_err());
        assert!(set_scheme("{\"scheme\": 3}").is_err());
        assert!(load_npy(b"not npy").is_err());
    }
}
