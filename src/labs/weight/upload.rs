//! Uploaded files: reading one in slices (the header first, then only the bytes of the
//! tensor studied, so a file of any size is listed without loading it into memory), and the
//! page's actions on it ([`Files`]): load a file, pick a tensor, measure every tensor.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::weights::file::{self, FileIndex, PROBE_BYTES, TensorEntry};
use quantlab_core::weights::scaled;
use quantlab_core::weights::study::{StudyOptions, WeightMetrics, study};
use wasm_bindgen_futures::JsFuture;

use super::state::{Progress, WeightError, WeightSource, WeightState, WeightTensor};

/// Files up to this size are measured tensor by tensor as soon as they load (and again on
/// every scheme change); larger ones on request.
pub const AUTO_MEASURE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Bytes `[a, b)` of `file`.
pub async fn read_range(f: &web_sys::File, a: u64, b: u64) -> Result<Vec<u8>, WeightError> {
    let blob = f
        .slice_with_f64_and_f64(a as f64, b as f64)
        .map_err(|_| WeightError::Unsliceable { name: f.name() })?;
    let buf = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| WeightError::Unreadable { name: f.name() })?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Lets the browser paint and handle input before the next chunk of work.
pub async fn tick() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// The header of `f`: its tensors, from two small reads (a GGUF header longer than the
/// first read takes a few more, each at least twice as long).
pub async fn read_index(f: &web_sys::File) -> Result<FileIndex, WeightError> {
    let len = f.size() as u64;
    let name = f.name();
    let in_file = |error| WeightError::File {
        name: name.clone(),
        error,
    };
    let probe = read_range(f, 0, len.min(PROBE_BYTES as u64)).await?;
    let (format, mut span) = file::header_span(&name, &probe, len).map_err(in_file)?;
    loop {
        let head = read_range(f, 0, span).await?;
        match file::index_or_more(format, &head, len).map_err(in_file)? {
            file::Indexed::Done(idx) => return Ok(idx),
            file::Indexed::NeedBytes(n) => span = n.min(len),
        }
    }
}

/// The studied part of `entry` (the whole tensor, or its first rows) of the file `f` whose
/// index is `idx`; FP8 / int8 codes are multiplied by their scale tensor when the file has
/// one ([`scaled::scale_of`]).
pub async fn read_tensor(
    f: &web_sys::File,
    idx: &FileIndex,
    entry: &TensorEntry,
) -> Result<WeightTensor, WeightError> {
    let name = f.name();
    let in_file = |error| WeightError::File {
        name: name.clone(),
        error,
    };
    let ((a, b), shape) = entry.window().map_err(in_file)?;
    let bytes = read_range(f, a, b).await?;
    tick().await;
    let mut data = file::decode(entry, &shape, &bytes).map_err(in_file)?;
    if let Some(scale) = scaled::scale_of(idx, entry) {
        let ((sa, sb), sshape) = scale.window().map_err(in_file)?;
        let sbytes = read_range(f, sa, sb).await?;
        let svalues = file::decode(scale, &sshape, &sbytes).map_err(in_file)?;
        scaled::apply(&mut data, &entry.shape, &svalues, &sshape).map_err(in_file)?;
    }
    Ok(WeightTensor {
        name: entry.name.clone(),
        shape,
        data,
    })
}

/// `bytes` in MiB, two decimals.
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", crate::format::fixed(bytes as f64 / 1048576.0, 2))
}

/// One tensor of an uploaded file, measured under the current scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorMeasure {
    /// The tensor's name.
    pub name: String,
    /// Its metrics, or why there are none.
    pub result: Result<WeightMetrics, WeightError>,
}

/// The page's actions on uploaded files and the per-tensor measurements (a context,
/// [`Files::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct Files {
    st: WeightState,
    /// The tensors measured so far under the current scheme.
    pub measures: RwSignal<Vec<TensorMeasure>>,
    /// `(tensor, of)` while measuring.
    pub measuring: RwSignal<Option<(usize, usize)>>,
    generation: StoredValue<u64>,
}

impl Files {
    /// The actions on the page's file; a small file is measured again on every scheme
    /// change.
    pub fn new(st: WeightState) -> Files {
        let files = Files {
            st,
            measures: RwSignal::new(Vec::new()),
            measuring: RwSignal::new(None),
            generation: StoredValue::new(0),
        };
        let scheme_key = Memo::new(move |_| st.state.with(|s| (s.scheme, s.scale_dtype)));
        Effect::new(move |_| {
            let _ = scheme_key.get();
            let idx = st.index.get();
            if let Some(idx) = idx
                && (idx.file_len as f64) <= AUTO_MEASURE_BYTES
            {
                files.measure_all();
            } else {
                files.generation.update_value(|g| *g += 1);
                files.measures.set(Vec::new());
                files.measuring.set(None);
            }
        });
        files
    }

    /// The actions provided by the page.
    pub fn use_() -> Files {
        expect_context()
    }

    /// Measures every tensor of the file with the current scheme, one per tick.
    pub fn measure_all(self) {
        let Files {
            st,
            measures,
            measuring,
            generation,
        } = self;
        let Some(idx) = st.index.get_untracked() else {
            return;
        };
        let Some(f) = st.file.get_value() else { return };
        let (scheme, dtype) = st.state.with_untracked(|s| (s.scheme, s.scale_dtype));
        let this = generation.get_value() + 1;
        generation.set_value(this);
        measures.set(Vec::new());
        wasm_bindgen_futures::spawn_local(async move {
            let total = idx.tensors.len();
            for (i, entry) in idx.tensors.iter().enumerate() {
                if generation.get_value() != this {
                    return;
                }
                measuring.set(Some((i, total)));
                tick().await;
                let result = if entry.supported() {
                    match read_tensor(&f, &idx, entry).await {
                        Ok(t) => study(
                            &t.data,
                            &t.shape,
                            &scheme,
                            &StudyOptions {
                                scale_dtype: dtype,
                                heat_rows: 1,
                                heat_cols: 1,
                                ..StudyOptions::default()
                            },
                        )
                        .map(|s| s.metrics)
                        .map_err(WeightError::from),
                        Err(e) => Err(e),
                    }
                } else {
                    Err(WeightError::Unsupported {
                        dtype: entry.dtype.clone(),
                    })
                };
                if generation.get_value() != this {
                    return;
                }
                measures.update(|m| {
                    m.push(TensorMeasure {
                        name: entry.name.clone(),
                        result,
                    })
                });
            }
            measuring.set(None);
        });
    }

    /// Reads tensor `name` of the file and studies it.
    pub fn load_tensor(self, name: String) {
        let st = self.st;
        let Some(f) = st.file.get_value() else { return };
        let Some(idx) = st.index.get_untracked() else {
            return;
        };
        let Some(entry) = idx.tensors.iter().find(|t| t.name == name).cloned() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            match Self::read_entry(st, &f, &idx, &entry).await {
                Ok(t) => Self::commit(st, t),
                Err(e) => st.upload_error.set(Some(e)),
            }
            tick().await;
            st.attempt_done();
        });
    }

    /// Reads `entry` of `f` (whose index is `idx`), saying so in the progress line.
    async fn read_entry(
        st: WeightState,
        f: &web_sys::File,
        idx: &FileIndex,
        entry: &TensorEntry,
    ) -> Result<WeightTensor, WeightError> {
        // What is read: the whole tensor, or the first rows the lab studies.
        let read = entry.window().map_or(entry.bytes(), |((a, b), _)| b - a);
        st.progress
            .set(Some(Progress::Reading(entry.name.clone(), mib(read))));
        let t = read_tensor(f, idx, entry).await?;
        st.progress
            .set(Some(Progress::Quantizing(t.data.len(), t.name.clone())));
        tick().await;
        Ok(t)
    }

    /// Makes `t` the studied tensor.
    fn commit(st: WeightState, t: WeightTensor) {
        let name = t.name.clone();
        st.upload_error.set(None);
        st.loaded.set(Some(Arc::new(t)));
        st.state.update(|s| {
            s.source = WeightSource::File;
            s.tensor = name;
            s.group = 0;
            s.pick = 0;
        });
    }

    /// Reads the header of the file chosen in an `<input type="file">` and loads the tensor
    /// the link names (or the first one the lab reads).
    pub fn open(self, ev: leptos::ev::Event) {
        use wasm_bindgen::JsCast;
        let st = self.st;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(f) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        let name = f.name();
        st.upload_error.set(None);
        st.progress.set(Some(Progress::Header(name.clone())));
        wasm_bindgen_futures::spawn_local(async move {
            // Nothing of the page changes until the new file has given a tensor: a file
            // that is refused, holds no float tensor or cannot be read leaves the previous
            // file, its tensor list and its tensor in place.
            let result = match read_index(&f).await {
                Ok(idx) => {
                    let wanted = st.state.with_untracked(|s| s.tensor.clone());
                    let pick = idx
                        .tensors
                        .iter()
                        .find(|t| t.name == wanted && t.supported())
                        .or_else(|| idx.tensors.iter().find(|t| t.supported()))
                        .cloned();
                    match pick {
                        Some(entry) => Self::read_entry(st, &f, &idx, &entry)
                            .await
                            .map(|t| (idx, t)),
                        None => Err(WeightError::NoFloatTensor { name: name.clone() }),
                    }
                }
                Err(e) => Err(e),
            };
            match result {
                Ok((idx, t)) => {
                    st.file.set_value(Some(f));
                    st.file_name.set(name);
                    st.index.set(Some(Arc::new(idx)));
                    Self::commit(st, t);
                    tick().await;
                }
                Err(e) => st.upload_error.set(Some(e)),
            }
            st.attempt_done();
        });
    }
}
