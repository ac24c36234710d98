//! Every fuzz target of quantlab as a plain function of the fuzzer's bytes.
//!
//! The coverage-guided fuzzer (`fuzz/`, cargo-fuzz with libFuzzer, on nightly) calls these
//! functions; `tests/replay.rs` calls them on every file of the committed corpora
//! (`fuzz/corpus/<target>/`) on stable, so `cargo test` checks in seconds that nothing the
//! fuzzer ever found comes back. `scripts/fuzz.sh` runs the fuzzer.
//!
//! The property of every target: the code under test returns (no panic, no hang: the fuzzer
//! stops an input after a time limit) and every error is a sentence ([`check_error`]).
//! Targets that can also check a round trip do (URL states, the drawn-signal codec, the bit
//! packer, schemes' reconstructions).

use quantlab_core::error::QuantError;
use quantlab_core::io;
use quantlab_core::weights::file::{self, PROBE_BYTES, decode_whole};

/// A target: its name (the folder of its corpus) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target.
pub const TARGETS: &[Target] = &[
    ("npy", npy),
    ("safetensors", safetensors),
    ("gguf", gguf),
    ("wav", wav),
    ("csv", csv),
    ("idx", idx),
    ("cifar", cifar),
    ("hf_config", hf_config),
    ("url_state", url_state),
    ("drawn", drawn),
    ("scheme", scheme),
    ("pack", pack),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// An error must be words a person can act on: not empty, not a debug dump.
pub fn check_error(e: &QuantError) {
    let msg = e.to_string();
    assert!(
        msg.chars().any(char::is_alphabetic),
        "an error without words: {msg:?}"
    );
    assert!(
        !msg.contains("panicked") && !msg.contains("unwrap"),
        "{msg}"
    );
}

fn ok_or_words<T>(r: Result<T, QuantError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            check_error(&e);
            None
        }
    }
}

/// Reads a weight file the way the page does (index, then each tensor's window) and the way
/// the command line does (the whole tensor).
fn weight_file(name: &str, data: &[u8]) {
    let Some(idx) = ok_or_words(file::index_in_memory(name, data)) else {
        return;
    };
    for entry in idx.tensors.iter().take(16) {
        if let Some(((a, b), shape)) = ok_or_words(entry.window())
            && let Some(bytes) = data.get(a as usize..b as usize)
        {
            ok_or_words(file::decode(entry, &shape, bytes));
        }
        if entry.count <= 1 << 20 {
            ok_or_words(decode_whole(entry, data));
        }
    }
    let _ = PROBE_BYTES;
}

/// `.npy`: the core reader and the Weight lab's header-first reader.
pub fn npy(data: &[u8]) {
    ok_or_words(io::npy::read(data));
    weight_file("f.npy", data);
}

/// `.safetensors`: the core reader (each tensor) and the Weight lab's reader.
pub fn safetensors(data: &[u8]) {
    ok_or_words(io::safetensors::read(data, None));
    weight_file("f.safetensors", data);
}

/// `.gguf`: the header read from growing prefixes, and every tensor decoded.
pub fn gguf(data: &[u8]) {
    weight_file("f.gguf", data);
}

/// `.wav`.
pub fn wav(data: &[u8]) {
    ok_or_words(io::wav::read_with_rate(data));
}

/// CSV / text numbers.
pub fn csv(data: &[u8]) {
    ok_or_words(io::csv::read_with_decimal(data));
}

/// IDX images and labels (MNIST's format), alone and paired; the first byte splits the
/// input into an images part and a labels part.
pub fn idx(data: &[u8]) {
    ok_or_words(io::idx::read_images(data));
    ok_or_words(io::idx::read_labels(data));
    if let Some((&cut, rest)) = data.split_first() {
        let at = (usize::from(cut) * rest.len() / 256).min(rest.len());
        let (images, labels) = rest.split_at(at);
        ok_or_words(io::idx::read_labelled(images, labels));
    }
}

/// CIFAR-10 binary batches.
pub fn cifar(data: &[u8]) {
    ok_or_words(io::cifar::read_batch(data));
}

/// Hugging Face `config.json`.
pub fn hf_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    ok_or_words(quantlab_core::memory::hf_config::parse_hf_config(&text));
}

/// The state of `T` from a link, and back: what it writes reads back to itself.
fn url_round_trip<T>(query: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + Default + PartialEq + std::fmt::Debug,
{
    use quantlab_core::url_state::{from_query, to_query};
    let (state, _warnings) = from_query::<T>(query);
    let written = to_query(&state);
    let (again, warnings) = from_query::<T>(&written);
    assert_eq!(again, state, "{query:?} → {written:?}");
    assert!(warnings.is_empty(), "{written:?}: {warnings:?}");
}

/// Every lab's link parameters: any query string gives a state, and the state's own link
/// gives it back.
pub fn url_state(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    url_round_trip::<quantlab::labs::signal::state::SignalLabState>(&query);
    url_round_trip::<quantlab::labs::weight::state::WeightLabState>(&query);
    url_round_trip::<quantlab::labs::memory::state::MemoryLabState>(&query);
    url_round_trip::<quantlab::labs::mlp::state::MlpLabState>(&query);
}

/// The drawn-signal link codec: any text decodes or is refused in words, and a decoded
/// signal encodes to a text that decodes to it again.
pub fn drawn(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(points) = ok_or_words(quantlab_core::drawn::decode(&text)) {
        let again = quantlab_core::drawn::decode(&quantlab_core::drawn::encode(&points));
        assert_eq!(again.ok().as_deref(), Some(points.as_slice()));
    }
}

/// Every scheme on arbitrary `f32` data: the first bytes choose the scheme, its bits, its
/// granularity and group size and the shape; the rest are the values (NaN and ∞ included).
pub fn scheme(data: &[u8]) {
    use quantlab_core::quantizer::GranularityKind;
    use quantlab_core::{Scheme, SchemeKind};
    let [k, bits, gran, group, cols, rest @ ..] = data else {
        return;
    };
    let kinds = SchemeKind::ALL;
    let values: Vec<f32> = rest
        .chunks_exact(4)
        .take(1 << 14)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let cols = usize::from(*cols).max(1);
    let shape = if values.len().is_multiple_of(cols) && cols > 1 {
        vec![values.len() / cols, cols]
    } else {
        vec![values.len()]
    };
    let s = Scheme {
        scheme: kinds[usize::from(*k) % kinds.len()],
        bits: u32::from(*bits % 20),
        granularity: [
            GranularityKind::Tensor,
            GranularityKind::Channel,
            GranularityKind::Group,
        ][usize::from(*gran) % 3],
        group_size: u32::from(*group),
        ..Scheme::default()
    };
    if let Some(study) = ok_or_words(quantlab_core::study::study_signal(&values, &shape, &s)) {
        assert_eq!(study.reconstruction.len(), values.len(), "{s:?}");
        assert!(
            study.reconstruction.iter().all(|v| v.is_finite()),
            "{s:?} reconstructs a non-finite value"
        );
    }
}

/// The bit packer: codes of 1 to 32 bits pack and unpack to themselves; wider or too-large
/// codes are refused in words.
pub fn pack(data: &[u8]) {
    use quantlab_core::pack::{pack, unpack};
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let bits = u32::from(b % 34);
    let codes: Vec<u32> = rest
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some(bytes) = ok_or_words(pack(&codes, bits)) {
        let back = ok_or_words(unpack(&bytes, codes.len(), bits));
        assert_eq!(back.as_deref(), Some(codes.as_slice()), "{bits} bits");
    }
}
