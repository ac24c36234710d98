//! The data the MLP lab trains on: shipped sets fetched from `assets/datasets/` (the image
//! sets only when chosen), and the user's own IDX or CIFAR-10 files.

use quantlab_core::dataset::{Dataset, DatasetId, SPLIT_SEED, Scaling, Split, Standardizer};
use quantlab_core::io::{cifar, idx};

/// Largest single file accepted for upload.
pub const MAX_FILE_BYTES: usize = 256 << 20;
/// Most training samples kept from uploaded 28×28-ish images (full MNIST is 60,000).
pub const MAX_TRAIN: usize = 60_000;
/// Most test samples kept from uploads.
pub const MAX_TEST: usize = 10_000;
/// Most training samples kept from CIFAR-10 (3,072 features each).
pub const MAX_TRAIN_CIFAR: usize = 10_000;
/// Most test samples kept from CIFAR-10.
pub const MAX_TEST_CIFAR: usize = 2_000;

/// A standardised train/test split ready to train on, with what is needed to treat new
/// inputs (a drawing) the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedData {
    /// A name for tables (`Iris`, `MNIST (10k/2k subset)`, `your IDX files`…).
    pub name: String,
    /// The standardised split.
    pub split: Split,
    /// The standardisation fitted on the training set.
    pub standardizer: Standardizer,
    /// `(rows, cols)` of grey images, `None` otherwise.
    pub image: Option<(usize, usize)>,
    /// Notes for the page (trimmed, transposed, split …).
    pub notes: Vec<String>,
}

impl LoadedData {
    /// Standardises `split` with `scaling` and wraps it.
    pub fn new(name: String, mut split: Split, scaling: Scaling, notes: Vec<String>) -> Self {
        let image = split.train.image;
        let standardizer = split.standardize(scaling);
        LoadedData {
            name,
            split,
            standardizer,
            image,
            notes,
        }
    }

    /// The class names.
    pub fn class_names(&self) -> &[String] {
        &self.split.train.class_names
    }
}

/// A shipped set from the bytes of its files (in [`DatasetId::files`] order).
pub fn load_builtin(id: DatasetId, files: &[Vec<u8>]) -> Result<LoadedData, String> {
    let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let split = id.load(&refs, SPLIT_SEED).map_err(|e| e.to_string())?;
    Ok(LoadedData::new(
        id.label().to_string(),
        split,
        id.scaling(),
        Vec::new(),
    ))
}

/// The first `max` samples of `data` (and a note when it was cut).
fn trim(data: Dataset, max: usize, what: &str, notes: &mut Vec<String>) -> Result<Dataset, String> {
    if data.n <= max {
        return Ok(data);
    }
    notes.push(format!(
        "the {what} set has {} samples; the page keeps the first {max}",
        data.n
    ));
    let idx: Vec<usize> = (0..max).collect();
    data.subset(&idx, data.name.clone())
        .map_err(|e| e.to_string())
}

fn class_names_up_to(labels: &[&[u8]]) -> Vec<String> {
    let max = labels
        .iter()
        .flat_map(|l| l.iter())
        .copied()
        .max()
        .unwrap_or(0);
    (0..=max).map(|k| k.to_string()).collect()
}

fn is_test_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("t10k") || n.contains("test")
}

/// An uploaded IDX set: two files (images and labels; split 70/30, stratified and seeded) or
/// four (train and test, told apart by `t10k`/`test` in the test files' names). EMNIST files
/// (name containing `emnist`) store each image transposed and are turned upright.
pub fn load_idx(files: &[(String, Vec<u8>)]) -> Result<LoadedData, String> {
    if files.len() != 2 && files.len() != 4 {
        return Err(format!(
            "choose 2 IDX files (images and labels) or 4 (train and test images and labels); \
             {} were given",
            files.len()
        ));
    }
    let mut images: Vec<(&str, idx::IdxImages)> = Vec::new();
    let mut labels: Vec<(&str, Vec<u8>)> = Vec::new();
    for (name, bytes) in files {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!(
                "{name} is {} MB; the page takes files up to {} MB",
                bytes.len() >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        match idx::read_images(bytes) {
            Ok(im) => images.push((name, im)),
            Err(image_err) => match idx::read_labels(bytes) {
                Ok(l) => labels.push((name, l)),
                Err(_) => return Err(format!("{name}: {image_err}")),
            },
        }
    }
    if images.len() != labels.len() {
        return Err(format!(
            "{} image file(s) and {} label file(s): each image file needs its label file",
            images.len(),
            labels.len()
        ));
    }
    let mut notes = Vec::new();
    let transpose = files
        .iter()
        .any(|(n, _)| n.to_ascii_lowercase().contains("emnist"));
    if transpose {
        notes.push("EMNIST stores images transposed: they were turned upright".into());
        for (_, im) in &mut images {
            *im = im.transposed();
        }
    }
    let pick =
        |test: bool| -> Option<usize> { images.iter().position(|(n, _)| is_test_name(n) == test) };
    let pick_labels =
        |test: bool| -> Option<usize> { labels.iter().position(|(n, _)| is_test_name(n) == test) };
    let all_labels: Vec<&[u8]> = labels.iter().map(|(_, l)| l.as_slice()).collect();
    let names = class_names_up_to(&all_labels);
    let make = |im: &idx::IdxImages, l: &[u8], what: &str| -> Result<Dataset, String> {
        if im.count != l.len() {
            return Err(format!(
                "the {what} image file holds {} images but its label file {} labels",
                im.count,
                l.len()
            ));
        }
        Dataset::from_idx(what, im, l.to_vec(), names.clone()).map_err(|e| e.to_string())
    };
    let split = if images.len() == 1 {
        let ds = make(&images[0].1, &labels[0].1, "upload")?;
        let ds = trim(ds, MAX_TRAIN + MAX_TEST, "uploaded", &mut notes)?;
        notes.push("one image file: split 70/30 into train and test (stratified, seed 42)".into());
        let (train, test) = ds
            .stratified_split(0.3, SPLIT_SEED)
            .map_err(|e| e.to_string())?;
        Split { train, test }
    } else {
        let (Some(tr), Some(te), Some(ltr), Some(lte)) = (
            pick(false),
            pick(true),
            pick_labels(false),
            pick_labels(true),
        ) else {
            return Err(
                "with 4 files, the test images and labels need `t10k` or `test` in their names \
                 (as in t10k-images-idx3-ubyte) and the training files must not"
                    .into(),
            );
        };
        let train = make(&images[tr].1, &labels[ltr].1, "train")?;
        let test = make(&images[te].1, &labels[lte].1, "test")?;
        if train.d != test.d {
            return Err(format!(
                "the training images have {} pixels but the test images {}",
                train.d, test.d
            ));
        }
        Split {
            train: trim(train, MAX_TRAIN, "training", &mut notes)?,
            test: trim(test, MAX_TEST, "test", &mut notes)?,
        }
    };
    Ok(LoadedData::new(
        "your IDX files".into(),
        split,
        Scaling::Global,
        notes,
    ))
}

/// Uploaded CIFAR-10 binary batches: `test_batch.bin` (a name with `test`) is the test set;
/// without one, the batches are split 70/30 (stratified, seed 42).
pub fn load_cifar(files: &[(String, Vec<u8>)]) -> Result<LoadedData, String> {
    if files.is_empty() {
        return Err("choose one or more CIFAR-10 binary batches (data_batch_1.bin …)".into());
    }
    let mut train_parts: Vec<&[u8]> = Vec::new();
    let mut test_parts: Vec<&[u8]> = Vec::new();
    for (name, bytes) in files {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!(
                "{name} is {} MB; the page takes files up to {} MB",
                bytes.len() >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        // Check each file on its own so the message names it.
        cifar::read_batch(bytes).map_err(|e| format!("{name}: {e}"))?;
        if is_test_name(name) {
            test_parts.push(bytes);
        } else {
            train_parts.push(bytes);
        }
    }
    let mut notes = Vec::new();
    let read = |parts: &[&[u8]], what: &str| -> Result<Dataset, String> {
        let b = cifar::read_batches(parts).map_err(|e| e.to_string())?;
        Dataset::from_cifar(what, &b).map_err(|e| e.to_string())
    };
    let split = match (train_parts.is_empty(), test_parts.is_empty()) {
        (false, false) => Split {
            train: trim(
                read(&train_parts, "train")?,
                MAX_TRAIN_CIFAR,
                "training",
                &mut notes,
            )?,
            test: trim(
                read(&test_parts, "test")?,
                MAX_TEST_CIFAR,
                "test",
                &mut notes,
            )?,
        },
        _ => {
            let parts = if train_parts.is_empty() {
                &test_parts
            } else {
                &train_parts
            };
            let ds = trim(
                read(parts, "upload")?,
                MAX_TRAIN_CIFAR + MAX_TEST_CIFAR,
                "uploaded",
                &mut notes,
            )?;
            notes.push("no separate test batch: split 70/30 (stratified, seed 42)".into());
            let (train, test) = ds
                .stratified_split(0.3, SPLIT_SEED)
                .map_err(|e| e.to_string())?;
            Split { train, test }
        }
    };
    Ok(LoadedData::new(
        "your CIFAR-10 batches".into(),
        split,
        Scaling::Global,
        notes,
    ))
}

/// Fetches one file of `assets/datasets/` (same origin: works offline once the page is
/// served).
pub async fn fetch_asset(file: &str) -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let url = format!("assets/datasets/{file}");
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| format!("could not fetch {url}"))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| format!("could not fetch {url}"))?;
    if !resp.ok() {
        return Err(format!("could not fetch {url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(
        resp.array_buffer()
            .map_err(|_| format!("could not read {url}"))?,
    )
    .await
    .map_err(|_| format!("could not read {url}"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx_images(n: u32, rows: u32, cols: u32, fill: impl Fn(usize) -> u8) -> Vec<u8> {
        let mut v = vec![0, 0, 8, 3];
        for d in [n, rows, cols] {
            v.extend(d.to_be_bytes());
        }
        v.extend((0..(n * rows * cols) as usize).map(fill));
        v
    }

    fn idx_labels(labels: &[u8]) -> Vec<u8> {
        let mut v = vec![0, 0, 8, 1];
        v.extend((labels.len() as u32).to_be_bytes());
        v.extend(labels);
        v
    }

    #[test]
    fn two_idx_files_are_split_and_four_are_paired_by_name() {
        let labels: Vec<u8> = (0..40).map(|i| (i % 4) as u8).collect();
        let files = vec![
            (
                "imgs".to_string(),
                idx_images(40, 4, 4, |i| (i % 251) as u8),
            ),
            ("labs".to_string(), idx_labels(&labels)),
        ];
        let d = load_idx(&files).unwrap();
        assert_eq!((d.split.train.n, d.split.test.n), (28, 12));
        assert_eq!(d.class_names().len(), 4);
        assert_eq!(d.image, Some((4, 4)));
        let four = vec![
            ("t10k-labels".to_string(), idx_labels(&labels[..10])),
            (
                "train-images".to_string(),
                idx_images(40, 4, 4, |i| i as u8),
            ),
            ("train-labels".to_string(), idx_labels(&labels)),
            ("t10k-images".to_string(), idx_images(10, 4, 4, |i| i as u8)),
        ];
        let d = load_idx(&four).unwrap();
        assert_eq!((d.split.train.n, d.split.test.n), (40, 10));
    }

    #[test]
    fn malformed_uploads_give_messages_that_name_the_file() {
        let e = load_idx(&[("junk.bin".into(), vec![1, 2, 3, 4, 5, 6, 7, 8, 9])]).unwrap_err();
        assert!(e.contains("2 IDX files"), "{e}");
        let e = load_idx(&[
            ("junk.bin".into(), vec![9; 40]),
            ("labs".into(), idx_labels(&[0, 1])),
        ])
        .unwrap_err();
        assert!(e.starts_with("junk.bin: "), "{e}");
        let e = load_idx(&[
            ("a".into(), idx_labels(&[0, 1])),
            ("b".into(), idx_labels(&[0, 1])),
        ])
        .unwrap_err();
        assert!(e.contains("0 image file(s) and 2 label file(s)"), "{e}");
        let e = load_idx(&[
            ("imgs".into(), idx_images(3, 2, 2, |_| 0)),
            ("labs".into(), idx_labels(&[0, 1])),
        ])
        .unwrap_err();
        assert!(e.contains("3 images") && e.contains("2 labels"), "{e}");
        let e = load_cifar(&[("data_batch_1.bin".into(), vec![0; 3000])]).unwrap_err();
        assert!(e.starts_with("data_batch_1.bin: "), "{e}");
        assert!(load_cifar(&[]).is_err());
    }

    #[test]
    fn cifar_batches_load_with_a_test_batch_or_a_split() {
        let record = |label: u8| {
            let mut r = vec![label];
            r.extend((0..cifar::IMAGE_BYTES).map(|i| (i % 256) as u8));
            r
        };
        let batch: Vec<u8> = (0..20).flat_map(|i| record((i % 10) as u8)).collect();
        let d = load_cifar(&[("data_batch_1.bin".into(), batch.clone())]).unwrap();
        assert_eq!(d.split.train.n + d.split.test.n, 20);
        assert_eq!(d.split.train.d, 3072);
        let d = load_cifar(&[
            ("data_batch_1.bin".into(), batch.clone()),
            ("test_batch.bin".into(), batch),
        ])
        .unwrap();
        assert_eq!((d.split.train.n, d.split.test.n), (20, 20));
        assert_eq!(d.image, None);
    }
}
