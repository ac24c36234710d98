//! Labelled datasets for the MLP lab: the tabular scikit-learn CSVs, IDX image sets and
//! CIFAR-10 batches as one [`Dataset`] type, with a seeded stratified split and
//! standardisation.
//!
//! **Shape.** A [`Dataset`] holds `n` samples of `d` features, row-major (`features[i·d + j]`
//! is feature `j` of sample `i`), and one label `0 ≤ y < classes` per sample.
//!
//! **Built-in sets** ([`DatasetId`]; the files are in `assets/datasets/`, see its README for
//! sources and licences):
//!
//! | id | samples | d | classes | split |
//! |---|---|---|---|---|
//! | `iris` | 150 | 4 | 3 | stratified 70/30, seeded |
//! | `wine` | 178 | 13 | 3 | stratified 70/30, seeded |
//! | `breast-cancer` | 569 | 30 | 2 | stratified 70/30, seeded |
//! | `digits` | 1,797 | 64 (8×8) | 10 | stratified 70/30, seeded |
//! | `mnist` | 10,000 + 2,000 | 784 (28×28) | 10 | the official train/test files |
//! | `fashion-mnist` | 10,000 + 2,000 | 784 (28×28) | 10 | the official train/test files |
//!
//! **Scikit-learn CSVs** ([`parse_csv`]). `iris.csv`, `wine_data.csv` and
//! `breast_cancer.csv` open with a header `n_samples,n_features,class_0,class_1,…`; every
//! further line is `d` feature values then the integer label. `digits.csv.gz` has no header
//! (65 integers a line: 64 pixels 0–16, then the label). [`parse_csv`] tells them apart by the
//! first line: if it has a field that is not a number it is a header. Gzipped input is
//! decompressed first.
//!
//! **Images** become features in `[0, 1]`: `x = pixel / 255` (IDX and CIFAR-10 alike).
//!
//! **Split** ([`Dataset::stratified_split`]). For each class separately, its samples are
//! shuffled with ChaCha8 seeded by `seed` (Fisher–Yates, classes in ascending order, one
//! generator), and the first `round(n_c·test_fraction)` go to the test set — so both sets keep
//! the class proportions. Each set then lists its samples in their original order.
//!
//! **Standardisation** ([`Standardizer`]), fitted on the training split only and applied to
//! both: `x' = (x − μ)/σ` with the population `σ = √((1/n)·Σ(x − μ)²)` (as scikit-learn's
//! `StandardScaler`), `σ = 0` treated as 1 (a constant feature becomes 0). Per feature for
//! tabular data; for images one global `μ`, `σ` over all pixels ([`Scaling::Global`]), which
//! treats every pixel alike, so a drawn digit whose strokes land on pixels that are always 0
//! in the training set is not blown up by a tiny `σ`.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};
use crate::io::bad;
use crate::io::cifar::{self, CifarBatch};
use crate::io::idx::{self, IdxImages, MAX_BYTES};

/// The share of each tabular set that goes to the test split: 30 % (a 70/30 split).
pub const TEST_FRACTION: f64 = 0.3;
/// The seed of the default split.
pub const SPLIT_SEED: u64 = 42;

const CSV: &str = "CSV";

/// A labelled dataset: `n` samples of `d` features, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// A short name for display (`iris`, `mnist (train)`, …).
    pub name: String,
    /// The features, row-major: feature `j` of sample `i` at `i·d + j`.
    pub features: Vec<f32>,
    /// One label per sample, `0 ≤ y < classes`.
    pub labels: Vec<u8>,
    /// Number of samples.
    pub n: usize,
    /// Features per sample.
    pub d: usize,
    /// Number of classes.
    pub classes: usize,
    /// The name of each class, index = label.
    pub class_names: Vec<String>,
    /// `(rows, cols)` when each sample is a grey image stored row by row (`d = rows·cols`);
    /// `None` for tabular data and colour images.
    pub image: Option<(usize, usize)>,
}

impl Dataset {
    /// A dataset, checked: `features.len() = n·d` with `n = labels.len() ≥ 1`, `d ≥ 1`, every
    /// feature finite, every label below `class_names.len()`.
    pub fn new(
        name: impl Into<String>,
        features: Vec<f32>,
        labels: Vec<u8>,
        d: usize,
        class_names: Vec<String>,
    ) -> Result<Self> {
        let n = labels.len();
        if n == 0 || d == 0 {
            return Err(QuantError::Empty);
        }
        if n.checked_mul(d) != Some(features.len()) {
            return Err(QuantError::ShapeMismatch {
                shape: vec![n, d],
                expected: n.saturating_mul(d),
                actual: features.len(),
            });
        }
        if let Some(index) = features.iter().position(|v| !v.is_finite()) {
            return Err(QuantError::NonFinite {
                index,
                value: features[index],
            });
        }
        let classes = class_names.len();
        if let Some(i) = labels.iter().position(|&y| usize::from(y) >= classes) {
            return Err(QuantError::InvalidParameter(format!(
                "sample {i} has the label {} but there are only {classes} classes",
                labels[i]
            )));
        }
        Ok(Dataset {
            name: name.into(),
            features,
            labels,
            n,
            d,
            classes,
            class_names,
            image: None,
        })
    }

    /// Checks the invariants [`Dataset::new`] establishes (the fields are public, so a
    /// dataset built by hand may break them): `n ≥ 1`, `d ≥ 1`, `features.len() = n·d`,
    /// `labels.len() = n`, `class_names.len() = classes`, every label below `classes`.
    pub fn validate(&self) -> Result<()> {
        if self.n == 0 || self.d == 0 {
            return Err(QuantError::Empty);
        }
        if self.n.checked_mul(self.d) != Some(self.features.len()) || self.labels.len() != self.n {
            return Err(QuantError::ShapeMismatch {
                shape: vec![self.n, self.d],
                expected: self.n.saturating_mul(self.d),
                actual: self.features.len(),
            });
        }
        if self.class_names.len() != self.classes {
            return Err(QuantError::InvalidParameter(format!(
                "{} classes but {} class names",
                self.classes,
                self.class_names.len()
            )));
        }
        if let Some(i) = self
            .labels
            .iter()
            .position(|&y| usize::from(y) >= self.classes)
        {
            return Err(QuantError::InvalidParameter(format!(
                "sample {i} has the label {} but there are only {} classes",
                self.labels[i], self.classes
            )));
        }
        Ok(())
    }

    /// The features of sample `i` (`None` past the end).
    pub fn sample(&self, i: usize) -> Option<&[f32]> {
        self.features.get(i * self.d..(i + 1) * self.d)
    }

    /// How many samples each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.classes];
        for &y in &self.labels {
            if let Some(c) = counts.get_mut(usize::from(y)) {
                *c += 1;
            }
        }
        counts
    }

    /// The samples at `indices`, in that order, as a new dataset named `name`.
    pub fn subset(&self, indices: &[usize], name: impl Into<String>) -> Result<Dataset> {
        self.validate()?;
        let mut features = Vec::with_capacity(indices.len() * self.d);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            let row = self.sample(i).ok_or_else(|| {
                QuantError::InvalidParameter(format!(
                    "sample {i} does not exist: the dataset has {} samples",
                    self.n
                ))
            })?;
            features.extend_from_slice(row);
            labels.push(self.labels[i]);
        }
        let mut out = Dataset::new(name, features, labels, self.d, self.class_names.clone())?;
        out.image = self.image;
        Ok(out)
    }

    /// Splits into `(train, test)`, stratified by class and seeded (see the module docs).
    ///
    /// Errors: `test_fraction` outside `(0, 1)`, or a split that leaves either side empty.
    pub fn stratified_split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        self.validate()?;
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(QuantError::InvalidParameter(format!(
                "the test fraction must lie strictly between 0 and 1, not {test_fraction}"
            )));
        }
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); self.classes];
        for (i, &y) in self.labels.iter().enumerate() {
            by_class[usize::from(y)].push(i);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for members in &mut by_class {
            members.shuffle(&mut rng);
            let k = (members.len() as f64 * test_fraction).round() as usize;
            test.extend_from_slice(&members[..k]);
            train.extend_from_slice(&members[k..]);
        }
        if train.is_empty() || test.is_empty() {
            return Err(QuantError::InvalidParameter(format!(
                "a test fraction of {test_fraction} leaves {} training and {} test samples \
                 of {}; both need at least one",
                train.len(),
                test.len(),
                self.n
            )));
        }
        train.sort_unstable();
        test.sort_unstable();
        Ok((
            self.subset(&train, format!("{} (train)", self.name))?,
            self.subset(&test, format!("{} (test)", self.name))?,
        ))
    }

    /// A dataset of grey images from IDX images and labels: `x = pixel/255`, `d = rows·cols`.
    /// `class_names` must cover every label.
    pub fn from_idx(
        name: impl Into<String>,
        images: &IdxImages,
        labels: Vec<u8>,
        class_names: Vec<String>,
    ) -> Result<Dataset> {
        let features = images
            .pixels
            .iter()
            .map(|&p| f32::from(p) / 255.0)
            .collect();
        let mut ds = Dataset::new(name, features, labels, images.image_len(), class_names)?;
        ds.image = Some((images.rows, images.cols));
        Ok(ds)
    }

    /// A dataset from CIFAR-10 batches: `x = pixel/255`, `d = 3072` in the file's planar
    /// order (all red, then green, then blue), the ten CIFAR-10 class names.
    pub fn from_cifar(name: impl Into<String>, batch: &CifarBatch) -> Result<Dataset> {
        let features = batch.pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
        Dataset::new(
            name,
            features,
            batch.labels.clone(),
            cifar::IMAGE_BYTES,
            cifar::CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
        )
    }
}

/// A training set and a test set drawn from the same data.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The samples to train on.
    pub train: Dataset,
    /// The held-out samples to measure accuracy on.
    pub test: Dataset,
}

impl Split {
    /// Fits a [`Standardizer`] on the training set, applies it to both sets and returns it
    /// (to standardise new inputs, e.g. a drawn digit, the same way).
    pub fn standardize(&mut self, scaling: Scaling) -> Standardizer {
        let s = Standardizer::fit(&self.train, scaling);
        s.apply(&mut self.train);
        s.apply(&mut self.test);
        s
    }
}

/// How a [`Standardizer`] pools its statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scaling {
    /// One `μ`, `σ` per feature (column).
    #[default]
    PerFeature,
    /// One `μ`, `σ` over every value (all pixels of all images alike).
    Global,
}

/// `x' = (x − μ_j)/σ_j`, fitted on a training set (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// `μ_j`, one per feature (repeated for [`Scaling::Global`]).
    pub mean: Vec<f32>,
    /// `σ_j`, one per feature, never 0 (a zero σ is stored as 1).
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits the means and standard deviations of `data` (sums in `f64`).
    pub fn fit(data: &Dataset, scaling: Scaling) -> Standardizer {
        let d = data.d;
        let n = data.n.max(1) as f64;
        let (mean, std): (Vec<f64>, Vec<f64>) = match scaling {
            Scaling::PerFeature => {
                let mut sum = vec![0.0f64; d];
                for row in data.features.chunks_exact(d.max(1)) {
                    for (s, &x) in sum.iter_mut().zip(row) {
                        *s += f64::from(x);
                    }
                }
                let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
                let mut var = vec![0.0f64; d];
                for row in data.features.chunks_exact(d.max(1)) {
                    for ((v, &x), m) in var.iter_mut().zip(row).zip(&mean) {
                        let e = f64::from(x) - m;
                        *v += e * e;
                    }
                }
                let std = var.iter().map(|v| (v / n).sqrt()).collect();
                (mean, std)
            }
            Scaling::Global => {
                let count = data.features.len().max(1) as f64;
                let m = data.features.iter().map(|&x| f64::from(x)).sum::<f64>() / count;
                let v = data
                    .features
                    .iter()
                    .map(|&x| (f64::from(x) - m).powi(2))
                    .sum::<f64>()
                    / count;
                (vec![m; d], vec![v.sqrt(); d])
            }
        };
        Standardizer {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std: std
                .iter()
                .map(|&s| if s > 1e-12 { s as f32 } else { 1.0 })
                .collect(),
        }
    }

    /// Standardises one sample in place (`x.len()` should be `d`; extra values are left).
    pub fn apply_row(&self, x: &mut [f32]) {
        for ((v, m), s) in x.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = (*v - m) / s;
        }
    }

    /// Standardises every sample of `data` in place.
    pub fn apply(&self, data: &mut Dataset) {
        let d = data.d.max(1);
        for row in data.features.chunks_exact_mut(d) {
            self.apply_row(row);
        }
    }
}

/// The datasets that ship with quantlab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetId {
    /// Fisher's Iris: 150 flowers, 4 measurements, 3 species.
    #[default]
    Iris,
    /// Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars.
    Wine,
    /// Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, malignant/benign.
    BreastCancer,
    /// Handwritten digits, 8×8 pixels of 0–16: 1,797 samples, 10 classes.
    Digits,
    /// MNIST handwritten digits, 28×28: 10,000 training and 2,000 test images.
    Mnist,
    /// Fashion-MNIST garments, 28×28: 10,000 training and 2,000 test images.
    FashionMnist,
}

/// Fashion-MNIST's class names, index = label (from its README).
pub const FASHION_CLASS_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

impl DatasetId {
    /// Every built-in dataset, in the order menus list them.
    pub const ALL: [DatasetId; 6] = [
        DatasetId::Iris,
        DatasetId::Wine,
        DatasetId::BreastCancer,
        DatasetId::Digits,
        DatasetId::Mnist,
        DatasetId::FashionMnist,
    ];

    /// The id in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            DatasetId::Iris => "iris",
            DatasetId::Wine => "wine",
            DatasetId::BreastCancer => "breast-cancer",
            DatasetId::Digits => "digits",
            DatasetId::Mnist => "mnist",
            DatasetId::FashionMnist => "fashion-mnist",
        }
    }

    /// The dataset with this id.
    pub fn from_id(id: &str) -> Option<DatasetId> {
        DatasetId::ALL.into_iter().find(|d| d.id() == id)
    }

    /// The name shown in the page.
    pub fn label(self) -> &'static str {
        match self {
            DatasetId::Iris => "Iris",
            DatasetId::Wine => "Wine",
            DatasetId::BreastCancer => "Breast Cancer Wisconsin",
            DatasetId::Digits => "Digits 8×8",
            DatasetId::Mnist => "MNIST (10k/2k subset)",
            DatasetId::FashionMnist => "Fashion-MNIST (10k/2k subset)",
        }
    }

    /// Whether the samples are images (which the app loads only when chosen).
    pub fn is_image(self) -> bool {
        matches!(self, DatasetId::Mnist | DatasetId::FashionMnist)
    }

    /// The standardisation used with this set: per feature for tabular data, global for
    /// image sets (see the module docs).
    pub fn scaling(self) -> Scaling {
        match self {
            DatasetId::Mnist | DatasetId::FashionMnist => Scaling::Global,
            _ => Scaling::PerFeature,
        }
    }

    /// The file names under `assets/datasets/` that [`DatasetId::load`] takes, in order:
    /// one CSV for tabular sets; train images, train labels, test images, test labels for
    /// the image sets.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            DatasetId::Iris => &["iris.csv"],
            DatasetId::Wine => &["wine_data.csv"],
            DatasetId::BreastCancer => &["breast_cancer.csv"],
            DatasetId::Digits => &["digits.csv.gz"],
            DatasetId::Mnist => &[
                "mnist-train-images-idx3-ubyte.gz",
                "mnist-train-labels-idx1-ubyte.gz",
                "mnist-t10k-images-idx3-ubyte.gz",
                "mnist-t10k-labels-idx1-ubyte.gz",
            ],
            DatasetId::FashionMnist => &[
                "fashion-mnist-train-images-idx3-ubyte.gz",
                "fashion-mnist-train-labels-idx1-ubyte.gz",
                "fashion-mnist-t10k-images-idx3-ubyte.gz",
                "fashion-mnist-t10k-labels-idx1-ubyte.gz",
            ],
        }
    }

    /// The class names of the image sets (tabular sets take theirs from the CSV header;
    /// digits are `"0"`–`"9"`).
    fn class_names(self) -> Vec<String> {
        match self {
            DatasetId::FashionMnist => FASHION_CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
            _ => (0..10).map(|k| k.to_string()).collect(),
        }
    }

    /// Reads the set from the bytes of its [`DatasetId::files`] (in that order) and splits it
    /// into train and test: the tabular sets with [`Dataset::stratified_split`]
    /// ([`TEST_FRACTION`], `seed`), the image sets as their files split them (`seed` unused).
    /// The features are not standardised yet ([`Split::standardize`]).
    pub fn load(self, files: &[&[u8]], seed: u64) -> Result<Split> {
        let want = self.files().len();
        if files.len() != want {
            return Err(QuantError::InvalidParameter(format!(
                "{} needs {want} file(s) ({}) but {} were given",
                self.label(),
                self.files().join(", "),
                files.len()
            )));
        }
        if self.is_image() {
            let (train_img, train_lab) = idx::read_labelled(files[0], files[1])?;
            let (test_img, test_lab) = idx::read_labelled(files[2], files[3])?;
            let names = self.class_names();
            Ok(Split {
                train: Dataset::from_idx(
                    format!("{} (train)", self.id()),
                    &train_img,
                    train_lab,
                    names.clone(),
                )?,
                test: Dataset::from_idx(
                    format!("{} (test)", self.id()),
                    &test_img,
                    test_lab,
                    names,
                )?,
            })
        } else {
            let ds = parse_csv(self.id(), files[0])?;
            let (train, test) = ds.stratified_split(TEST_FRACTION, seed)?;
            Ok(Split { train, test })
        }
    }

    /// Reads the set from the folder that holds its files (native builds only; the web app
    /// fetches the bytes and calls [`DatasetId::load`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_from_dir(self, dir: &std::path::Path, seed: u64) -> Result<Split> {
        let bytes = self
            .files()
            .iter()
            .map(|f| {
                let path = dir.join(f);
                std::fs::read(&path).map_err(|e| {
                    QuantError::InvalidParameter(format!("cannot read {}: {e}", path.display()))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
        self.load(&refs, seed)
    }
}

/// Parses a scikit-learn style CSV (raw or gzipped) into a dataset named `name`: an
/// optional header `n_samples,n_features,class names…`, then lines of features with the
/// integer label last. See the module docs.
///
/// Without a header the classes are named `"0"`, `"1"`, … up to the largest label. Errors
/// ([`QuantError::BadFile`], format `CSV`) name the line: a field that is not a number, a
/// line with a different number of fields, a label that is not a whole number in
/// `0..classes`, a sample count that differs from the header's.
pub fn parse_csv(name: &str, bytes: &[u8]) -> Result<Dataset> {
    let unzipped;
    let bytes = if idx::is_gzip(bytes) {
        unzipped = idx::gunzip(bytes, MAX_BYTES, CSV)?;
        unzipped.as_slice()
    } else {
        bytes
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        bad(
            CSV,
            format!("it is not UTF-8 text (byte {} is invalid)", e.valid_up_to()),
        )
    })?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .peekable();
    let first = lines
        .peek()
        .map(|&(_, l)| l)
        .ok_or_else(|| bad(CSV, "the file is empty"))?;
    let has_header = first.split(',').any(|f| f.trim().parse::<f64>().is_err());
    let mut header: Option<(usize, usize, Vec<String>)> = None;
    if has_header {
        let (lineno, line) = lines.next().ok_or_else(|| bad(CSV, "the file is empty"))?;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let count = |k: usize, what: &str| -> Result<usize> {
            fields
                .get(k)
                .and_then(|f| f.parse::<usize>().ok())
                .ok_or_else(|| {
                    bad(
                        CSV,
                        format!(
                            "line {lineno}: the header should start with n_samples,n_features \
                             and class names, but its {what} is not a whole number"
                        ),
                    )
                })
        };
        let n = count(0, "first field (n_samples)")?;
        let d = count(1, "second field (n_features)")?;
        let names: Vec<String> = fields[2..].iter().map(|s| s.to_string()).collect();
        if names.is_empty() || names.len() > 256 {
            return Err(bad(
                CSV,
                format!(
                    "line {lineno}: the header names {} classes; 1 to 256 are supported",
                    names.len()
                ),
            ));
        }
        header = Some((n, d, names));
    }
    let mut features = Vec::new();
    let mut labels = Vec::new();
    let mut width: Option<usize> = header.as_ref().map(|h| h.1 + 1);
    for (lineno, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let w = *width.get_or_insert(fields.len());
        if fields.len() != w {
            return Err(bad(
                CSV,
                format!(
                    "line {lineno} has {} fields but {w} were expected ({} features and the \
                     label)",
                    fields.len(),
                    w.saturating_sub(1)
                ),
            ));
        }
        if w < 2 {
            return Err(bad(
                CSV,
                format!("line {lineno}: each line needs at least one feature and a label"),
            ));
        }
        for (k, f) in fields[..w - 1].iter().enumerate() {
            let v: f32 = f.parse().map_err(|_| {
                bad(
                    CSV,
                    format!("line {lineno}, field {}: {f:?} is not a number", k + 1),
                )
            })?;
            if !v.is_finite() {
                return Err(bad(
                    CSV,
                    format!(
                        "line {lineno}, field {}: {f:?} is not a finite number",
                        k + 1
                    ),
                ));
            }
            features.push(v);
        }
        let label_field = fields[w - 1];
        let label = label_field
            .parse::<f64>()
            .ok()
            .filter(|v| v.fract() == 0.0 && (0.0..256.0).contains(v))
            .ok_or_else(|| {
                bad(
                    CSV,
                    format!(
                        "line {lineno}: the label {label_field:?} (the last field) is not a \
                         whole number from 0 to 255"
                    ),
                )
            })? as u8;
        if let Some((_, _, names)) = &header
            && usize::from(label) >= names.len()
        {
            return Err(bad(
                CSV,
                format!(
                    "line {lineno}: the label {label} is not one of the {} classes the \
                     header names",
                    names.len()
                ),
            ));
        }
        labels.push(label);
    }
    let d = width.unwrap_or(1).saturating_sub(1);
    if labels.is_empty() {
        return Err(bad(CSV, "the file has no samples"));
    }
    let class_names = match header {
        Some((n, _, names)) => {
            if n != labels.len() {
                return Err(bad(
                    CSV,
                    format!(
                        "the header announces {n} samples but the file has {}",
                        labels.len()
                    ),
                ));
            }
            names
        }
        None => {
            let k = labels.iter().copied().max().map_or(0, usize::from) + 1;
            (0..k).map(|c| c.to_string()).collect()
        }
    };
    let mut ds = Dataset::new(name, features, labels, d, class_names)?;
    if name == DatasetId::Digits.id() && d == 64 {
        ds.image = Some((8, 8));
    }
    Ok(ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "6,2,a,b\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n11,12,1\n";

    #[test]
    fn a_header_gives_counts_and_class_names() {
        let ds = parse_csv("tiny", TINY.as_bytes()).unwrap();
        assert_eq!((ds.n, ds.d, ds.classes), (6, 2, 2));
        assert_eq!(ds.class_names, vec!["a", "b"]);
        assert_eq!(ds.sample(1).unwrap(), &[3.0, 4.0]);
        assert_eq!(ds.labels, vec![0, 1, 0, 1, 0, 1]);
    }

    #[test]
    fn a_file_without_header_takes_the_last_column_as_label() {
        let ds = parse_csv("x", b"0,1,2\n3,4,0\n5,6,1\n").unwrap();
        assert_eq!((ds.n, ds.d, ds.classes), (3, 2, 3));
        assert_eq!(ds.class_names, vec!["0", "1", "2"]);
    }

    #[test]
    fn malformed_csv_lines_are_named_in_the_error() {
        for (text, needle) in [
            ("3,2,a,b\n1,2,0\n3,4,1\n", "announces 3 samples"),
            ("2,2,a,b\n1,2,0\n3,x,1\n", "line 3, field 2"),
            ("2,2,a,b\n1,2,0\n3,4\n", "line 3 has 2 fields"),
            (
                "2,2,a,b\n1,2,0\n3,4,2\n",
                "label 2 is not one of the 2 classes",
            ),
            ("1,2,0.5\n", "not a whole number"),
            ("n,2,a\n1,2,0\n", "n_samples"),
            ("", "empty"),
        ] {
            let e = parse_csv("bad", text.as_bytes()).unwrap_err();
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
        }
        assert!(parse_csv("bad", &[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn the_split_is_stratified_disjoint_and_seeded() {
        let mut text = String::from("100,1,a,b\n");
        for i in 0..100 {
            text.push_str(&format!("{i},{}\n", u8::from(i >= 60)));
        }
        let ds = parse_csv("s", text.as_bytes()).unwrap();
        let (train, test) = ds.stratified_split(0.3, 7).unwrap();
        assert_eq!((train.n, test.n), (70, 30));
        assert_eq!(test.class_counts(), vec![18, 12]);
        let mut all: Vec<f32> = train
            .features
            .iter()
            .chain(&test.features)
            .copied()
            .collect();
        all.sort_by(f32::total_cmp);
        assert_eq!(all, (0..100).map(|v| v as f32).collect::<Vec<_>>());
        assert_eq!(ds.stratified_split(0.3, 7).unwrap().1, test);
        assert_ne!(ds.stratified_split(0.3, 8).unwrap().1, test);
        assert!(ds.stratified_split(0.0, 7).is_err());
        assert!(ds.stratified_split(1.0, 7).is_err());
        assert!(ds.stratified_split(f64::NAN, 7).is_err());
    }

    #[test]
    fn standardising_gives_zero_mean_unit_std_on_the_training_set() {
        let ds = parse_csv("tiny", TINY.as_bytes()).unwrap();
        let mut split = Split {
            train: ds.clone(),
            test: ds,
        };
        let s = split.standardize(Scaling::PerFeature);
        assert_eq!(s.mean, vec![6.0, 7.0]);
        let col0: Vec<f32> = split.train.features.iter().step_by(2).copied().collect();
        let mean: f32 = col0.iter().sum::<f32>() / 6.0;
        let var: f32 = col0.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 6.0;
        assert!(
            mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5,
            "{mean} {var}"
        );
        let g = Standardizer::fit(&split.train, Scaling::Global);
        assert_eq!(g.mean.len(), 2);
        assert_eq!(g.mean[0], g.mean[1]);
    }

    #[test]
    fn a_constant_feature_standardises_to_zero_not_nan() {
        let ds = parse_csv("c", b"2,2,a\n5,1,0\n5,3,0\n").unwrap();
        let s = Standardizer::fit(&ds, Scaling::PerFeature);
        assert_eq!(s.std[0], 1.0);
        let mut row = [5.0, 2.0];
        s.apply_row(&mut row);
        assert_eq!(row[0], 0.0);
    }

    #[test]
    fn a_hand_built_dataset_that_breaks_its_invariants_is_refused() {
        let mut ds = parse_csv("tiny", TINY.as_bytes()).unwrap();
        ds.labels[0] = 5;
        assert!(ds.validate().is_err());
        assert!(ds.stratified_split(0.3, 1).is_err());
        let mut ds = parse_csv("tiny", TINY.as_bytes()).unwrap();
        ds.n = 7;
        assert!(ds.subset(&[0], "x").is_err());
    }

    #[test]
    fn dataset_ids_round_trip_and_name_their_files() {
        for id in DatasetId::ALL {
            assert_eq!(DatasetId::from_id(id.id()), Some(id));
            assert!(!id.files().is_empty());
        }
        assert!(DatasetId::Iris.load(&[], 0).is_err());
    }
}
