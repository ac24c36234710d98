//! Hands a trained layer's weights from the MLP lab to the Weight lab. The link carries only
//! the dataset and the layer (`?lab=weight&source=mlp&dataset=digits&layer=0`); the numbers go
//! through this browser's `localStorage`, so they never leave the machine.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// The `localStorage` key: one layer at a time, the last one followed.
pub const KEY: &str = "quantlab.mlp-layer";

/// Largest layer handed over (4 M weights, 16 MiB as f32): more than `localStorage` holds
/// in most browsers anyway.
pub const MAX_WEIGHTS: usize = 4 << 20;

#[derive(Serialize, Deserialize)]
struct Stored {
    dataset: String,
    layer: u32,
    rows: usize,
    cols: usize,
    /// The weights as little-endian f32, base64.
    weights: String,
}

/// A layer's weight matrix as the Weight lab takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// A name for the page, e.g. `MLP digits, layer 1 W (64 → 32)`.
    pub name: String,
    /// `[out, in]`: one row per output channel.
    pub shape: Vec<usize>,
    /// `W`, row-major.
    pub data: Vec<f32>,
}

/// Encodes `W` (`rows × cols`, row-major) of layer `layer` of the model trained on
/// `dataset` for [`decode`].
pub fn encode(
    dataset: &str,
    layer: u32,
    rows: usize,
    cols: usize,
    weights: &[f32],
) -> Result<String, String> {
    if rows.checked_mul(cols) != Some(weights.len()) || weights.is_empty() {
        return Err(format!(
            "a {rows}×{cols} layer cannot hold {} weights",
            weights.len()
        ));
    }
    if weights.len() > MAX_WEIGHTS {
        return Err(format!(
            "this layer has {} weights; the Weight lab takes layers of up to {MAX_WEIGHTS} from the MLP lab",
            weights.len()
        ));
    }
    let bytes: Vec<u8> = weights.iter().flat_map(|w| w.to_le_bytes()).collect();
    serde_json::to_string(&Stored {
        dataset: dataset.to_string(),
        layer,
        rows,
        cols,
        weights: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
    .map_err(|e| e.to_string())
}

/// Reads what [`encode`] wrote, if it is layer `layer` of the model trained on `dataset`.
pub fn decode(text: &str, dataset: &str, layer: u32) -> Result<Layer, String> {
    let s: Stored = serde_json::from_str(text).map_err(|_| {
        "the stored MLP layer is unreadable: train again and follow the link".to_string()
    })?;
    if s.dataset != dataset || s.layer != layer {
        return Err(format!(
            "this browser holds layer {} of the {} model, not layer {} of {dataset}: follow the layer's \"weights ↗\" link in the MLP lab",
            s.layer + 1,
            s.dataset,
            layer + 1
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.weights)
        .map_err(|_| {
            "the stored MLP layer is damaged: train again and follow the link".to_string()
        })?;
    let data: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if bytes.len() % 4 != 0
        || s.rows.checked_mul(s.cols) != Some(data.len())
        || data.is_empty()
        || data.len() > MAX_WEIGHTS
    {
        return Err(
            "the stored MLP layer does not match its shape: train again and follow the link".into(),
        );
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "the stored MLP layer has a non-finite weight at index {i} (did training diverge?)"
        ));
    }
    Ok(Layer {
        name: format!(
            "MLP {dataset}, layer {} W ({} → {})",
            layer + 1,
            s.cols,
            s.rows
        ),
        shape: vec![s.rows, s.cols],
        data,
    })
}

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "this browser gives the page no local storage".to_string())
}

/// Stores layer `layer` of the model trained on `dataset` for the Weight lab.
pub fn store(
    dataset: &str,
    layer: u32,
    rows: usize,
    cols: usize,
    weights: &[f32],
) -> Result<(), String> {
    let text = encode(dataset, layer, rows, cols, weights)?;
    storage()?.set_item(KEY, &text).map_err(|_| {
        "the browser's storage is full: the layer could not be handed over".to_string()
    })
}

/// The layer the MLP lab stored, if it is `layer` of `dataset`.
pub fn load(dataset: &str, layer: u32) -> Result<Layer, String> {
    let text = storage()?.get_item(KEY).ok().flatten().ok_or_else(|| {
        format!(
            "no MLP layer in this browser yet: train on {} in the MLP lab, then follow a layer's \"weights ↗\" link (the weights travel through this browser's storage, never in the link)",
            if dataset.is_empty() { "a dataset" } else { dataset }
        )
    })?;
    decode(&text, dataset, layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_survives_the_trip() {
        let w = [0.5f32, -1.25, 3.0e-8, 7.0, -0.0, 1.0];
        let text = encode("digits", 1, 2, 3, &w).unwrap();
        let l = decode(&text, "digits", 1).unwrap();
        assert_eq!(l.shape, vec![2, 3]);
        assert_eq!(
            l.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            w.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(l.name, "MLP digits, layer 2 W (3 → 2)");
    }

    #[test]
    fn another_layer_or_damage_is_an_error_in_words() {
        let text = encode("iris", 0, 1, 2, &[1.0, 2.0]).unwrap();
        assert!(
            decode(&text, "iris", 1)
                .unwrap_err()
                .contains("layer 1 of the iris model")
        );
        assert!(
            decode(&text, "wine", 0)
                .unwrap_err()
                .contains("not layer 1 of wine")
        );
        assert!(decode("{", "iris", 0).unwrap_err().contains("unreadable"));
        let bad = text.replace("\"rows\":1", "\"rows\":5");
        assert!(
            decode(&bad, "iris", 0)
                .unwrap_err()
                .contains("does not match its shape")
        );
        let nan = encode("iris", 0, 1, 2, &[1.0, f32::NAN]).unwrap();
        assert!(decode(&nan, "iris", 0).unwrap_err().contains("index 1"));
        assert!(encode("iris", 0, 2, 2, &[1.0]).is_err());
        assert!(encode("iris", 0, 0, 0, &[]).is_err());
    }
}
