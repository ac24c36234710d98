//! Hugging Face `.safetensors` files, read with the `safetensors` crate.
//!
//! The format:
//!
//! ```text
//! n: u64 little-endian | n bytes of JSON header | data
//! header: {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …,
//!          "__metadata__": {…}}     (offsets relative to the start of the data)
//! ```
//!
//! **Read:** `F32`, `F16`, `BF16` (via the `half` crate) and `F64` tensors, little-endian,
//! row-major. One tensor is returned: the one named, or the only one in the file; a file
//! with several tensors and no name is an error that lists them (with shape and dtype).
//! The crate checks the header (size, JSON, offsets that tile the data exactly) before any
//! data is touched.

use safetensors::{Dtype, SafeTensorError, SafeTensors};

use super::{Tensor, bad};
use crate::error::Result;

const FORMAT: &str = ".safetensors";

/// Reads the tensor called `name` (or the only tensor when `name` is `None`).
pub fn read(bytes: &[u8], name: Option<&str>) -> Result<Tensor> {
    let st = SafeTensors::deserialize(bytes).map_err(describe)?;
    let mut names = st.names();
    names.sort_unstable();
    let chosen: String = match name {
        Some(n) => {
            if !names.contains(&n) {
                return Err(bad(
                    FORMAT,
                    format!(
                        "there is no tensor named {n:?}; it holds {}",
                        listing(&st, &names)
                    ),
                ));
            }
            n.to_string()
        }
        None => match names.as_slice() {
            [] => return Err(crate::error::QuantError::Empty),
            [only] => (*only).to_string(),
            _ => {
                return Err(bad(
                    FORMAT,
                    format!(
                        "it holds {} tensors, name the one to read: {}",
                        names.len(),
                        listing(&st, &names)
                    ),
                ));
            }
        },
    };
    let view = st.tensor(&chosen).map_err(describe)?;
    let shape = view.shape().to_vec();
    let raw = view.data();
    let data: Vec<f32> = match view.dtype() {
        Dtype::F32 => raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F16 => raw
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::BF16 => raw
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::F64 => raw
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        other => {
            return Err(bad(
                FORMAT,
                format!(
                    "tensor {chosen:?} has the unsupported data type {other} (quantlab reads \
                     F32, F16, BF16 and F64)"
                ),
            ));
        }
    };
    Tensor::new(chosen, shape, data).map_err(|e| match e {
        crate::error::QuantError::NonFinite { index, value } => bad(
            FORMAT,
            format!("value {value} at index {index} is not a finite number"),
        ),
        other => other,
    })
}

/// `a [2, 3] F32, b [4] BF16`.
fn listing(st: &SafeTensors<'_>, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| match st.tensor(n) {
            Ok(v) => format!("{n} {:?} {}", v.shape(), v.dtype()),
            Err(_) => (*n).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns a `safetensors` error into a message about the file.
fn describe(e: SafeTensorError) -> crate::error::QuantError {
    let reason = match e {
        SafeTensorError::HeaderTooSmall => {
            "truncated: the file is shorter than its 8-byte header length".to_string()
        }
        SafeTensorError::InvalidHeaderLength => {
            "truncated or wrong magic: the header length in the first 8 bytes runs past the \
             end of the file"
                .to_string()
        }
        SafeTensorError::HeaderTooLarge => {
            "the header length in the first 8 bytes is over 100 MB (not a safetensors file?)"
                .to_string()
        }
        SafeTensorError::InvalidHeader(_) => "bad header: it is not UTF-8 text".to_string(),
        SafeTensorError::InvalidHeaderDeserialization(err) | SafeTensorError::JsonError(err) => {
            format!("bad header JSON: {err}")
        }
        SafeTensorError::InvalidOffset(name) => format!(
            "the data offsets of tensor {name:?} are out of range or overlap another tensor"
        ),
        SafeTensorError::MetadataIncompleteBuffer => {
            "the data offsets do not cover the data exactly (truncated, or bytes left over)"
                .to_string()
        }
        SafeTensorError::TensorInvalidInfo | SafeTensorError::InvalidTensorView(..) => {
            "a tensor's shape and data type do not match its data offsets".to_string()
        }
        SafeTensorError::ValidationOverflow => {
            "a tensor's shape is too large (its size overflows)".to_string()
        }
        other => other.to_string(),
    };
    bad(FORMAT, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::QuantError;

    /// A file from a header JSON and the data bytes.
    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    fn f32_bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn two_tensors() -> Vec<u8> {
        let mut data = f32_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        data.extend(
            [0.5f32, -2.0]
                .iter()
                .flat_map(|&x| half::bf16::from_f32(x).to_le_bytes()),
        );
        file(
            r#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]},"__metadata__":{"format":"pt"}}"#,
            &data,
        )
    }

    #[test]
    fn a_named_tensor_is_read_with_its_shape() {
        let bytes = two_tensors();
        let w = read(&bytes, Some("w")).unwrap();
        assert_eq!(w.name, "w");
        assert_eq!(w.shape, vec![2, 3]);
        assert_eq!(w.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = read(&bytes, Some("b")).unwrap();
        assert_eq!(b.data, vec![0.5, -2.0]);
    }

    #[test]
    fn several_tensors_and_no_name_is_an_error_listing_them() {
        let e = read(&two_tensors(), None).unwrap_err().to_string();
        assert!(e.contains("2 tensors"), "{e}");
        assert!(
            e.contains("b [2] BF16") && e.contains("w [2, 3] F32"),
            "{e}"
        );
        let e = read(&two_tensors(), Some("nope")).unwrap_err().to_string();
        assert!(e.contains("no tensor named \"nope\""), "{e}");
    }

    #[test]
    fn the_only_tensor_is_the_default_and_f16_f64_convert() {
        let h: Vec<u8> = [1.5f32, -0.25]
            .iter()
            .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
            .collect();
        let t = read(
            &file(
                r#"{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#,
                &h,
            ),
            None,
        )
        .unwrap();
        assert_eq!(t.data, vec![1.5, -0.25]);
        let d: Vec<u8> = [3.0f64].iter().flat_map(|x| x.to_le_bytes()).collect();
        let t = read(
            &file(
                r#"{"y":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]}}"#,
                &d,
            ),
            None,
        )
        .unwrap();
        assert_eq!((t.shape, t.data), (vec![1, 1], vec![3.0]));
    }

    #[test]
    fn truncated_files_say_truncated() {
        let bytes = two_tensors();
        assert!(
            read(&bytes[..5], None)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        assert!(
            read(&bytes[..20], None)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        let e = read(&bytes[..bytes.len() - 2], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn bad_json_and_bad_offsets_are_named() {
        let e = read(&file("{not json", &[]), None).unwrap_err().to_string();
        assert!(e.contains("bad header JSON"), "{e}");
        let e = read(
            &file(
                r#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#,
                &[0; 12],
            ),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("do not match"), "{e}");
        let e = read(
            &file(
                r#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                &[0; 8],
            ),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("offsets"), "{e}");
    }

    #[test]
    fn unsupported_dtypes_empty_files_and_nan_are_errors() {
        let e = read(
            &file(
                r#"{"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#,
                &[0; 4],
            ),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unsupported data type I32"), "{e}");
        assert_eq!(read(&file("{}", &[]), None), Err(QuantError::Empty));
        let e = read(
            &file(
                r#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                &f32_bytes(&[1.0, f32::INFINITY]),
            ),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("index 1 is not a finite"), "{e}");
        let e = read(
            &file(
                r#"{"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#,
                &[],
            ),
            None,
        );
        assert_eq!(e, Err(QuantError::Empty));
    }

    #[test]
    fn damaged_files_never_panic() {
        use rand::{Rng, SeedableRng};
        let good = two_tensors();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        for _ in 0..3000 {
            let mut b = good.clone();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
            let cut = rng.random_range(0..=b.len());
            let _ = read(&b[..cut], None);
            let _ = read(&b, Some("w"));
        }
    }
}
