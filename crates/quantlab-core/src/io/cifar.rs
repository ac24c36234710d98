//! CIFAR-10 binary batches (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`).
//!
//! **Layout** (the "binary version" of CIFAR-10): a batch is a plain run of records of
//! [`RECORD_BYTES`] `= 1 + 3072` bytes, with no header:
//!
//! ```text
//! byte 0          the label, 0–9 (see CLASS_NAMES)
//! bytes 1..1025   red plane, 32×32 row-major (row r, column c at 1 + 32·r + c)
//! bytes 1025..    green plane, then the blue plane, laid out the same way
//! ```
//!
//! The official batches hold 10,000 records (30,730,000 bytes); any positive whole number of
//! records is accepted. A gzip-compressed batch (signature `1f 8b`) is decompressed first.
//!
//! **Errors** ([`QuantError::BadFile`](crate::QuantError::BadFile) with format
//! `CIFAR-10`): an empty file, a size that is not a whole number of records (a truncated
//! download, or a CIFAR-100 batch, whose records have two label bytes), a label above 9.

use crate::error::Result;
use crate::io::bad;
use crate::io::idx::{MAX_BYTES, gunzip, is_gzip};

/// Side of an image in pixels.
pub const SIDE: usize = 32;
/// Colour planes per image (red, green, blue).
pub const CHANNELS: usize = 3;
/// Pixel bytes per image, `3·32·32`.
pub const IMAGE_BYTES: usize = CHANNELS * SIDE * SIDE;
/// Bytes per record: one label byte, then the image.
pub const RECORD_BYTES: usize = 1 + IMAGE_BYTES;
/// Records in an official batch.
pub const RECORDS_PER_BATCH: usize = 10_000;
/// The class names, index = label (from the dataset's `batches.meta.txt`).
pub const CLASS_NAMES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

const _: () = assert!(RECORD_BYTES == 3073);

const FORMAT: &str = "CIFAR-10";

/// Labelled images read from one or more batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CifarBatch {
    /// One label per image, 0–9.
    pub labels: Vec<u8>,
    /// The images, [`IMAGE_BYTES`] each, planar as in the file: image `i`, channel `ch`
    /// (0 red, 1 green, 2 blue), row `r`, column `c` at `i·3072 + ch·1024 + 32·r + c`.
    pub pixels: Vec<u8>,
}

impl CifarBatch {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images (never true for a batch that was read successfully).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The planar pixels of image `i` (`None` past the end).
    pub fn image(&self, i: usize) -> Option<&[u8]> {
        self.pixels.get(i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES)
    }

    /// Image `i` as interleaved RGB (`32·32·3` bytes, pixel `(r, c)` at `3·(32·r + c)`),
    /// the order a canvas wants (`None` past the end).
    pub fn rgb(&self, i: usize) -> Option<Vec<u8>> {
        let img = self.image(i)?;
        let plane = SIDE * SIDE;
        Some(
            (0..plane)
                .flat_map(|p| (0..CHANNELS).map(move |ch| img[ch * plane + p]))
                .collect(),
        )
    }
}

/// Reads one binary batch (raw or gzipped). See the module docs for the layout and errors.
pub fn read_batch(bytes: &[u8]) -> Result<CifarBatch> {
    let unzipped;
    let bytes = if is_gzip(bytes) {
        unzipped = gunzip(bytes, MAX_BYTES, FORMAT)?;
        unzipped.as_slice()
    } else {
        bytes
    };
    if bytes.is_empty() {
        return Err(bad(FORMAT, "the file is empty"));
    }
    let records = bytes.len() / RECORD_BYTES;
    let rest = bytes.len() % RECORD_BYTES;
    if rest != 0 {
        let hint = if bytes.len() % (RECORD_BYTES + 1) == 0 {
            " It looks like a CIFAR-100 batch (2 label bytes per record), which is not supported."
        } else {
            " Is the download truncated?"
        };
        return Err(bad(
            FORMAT,
            format!(
                "{} bytes is not a whole number of {RECORD_BYTES}-byte records (1 label byte + \
                 {IMAGE_BYTES} pixel bytes): {records} records and {rest} bytes left over \
                 (an official batch is {} bytes).{hint}",
                bytes.len(),
                RECORDS_PER_BATCH * RECORD_BYTES
            ),
        ));
    }
    let mut labels = Vec::with_capacity(records);
    let mut pixels = Vec::with_capacity(records * IMAGE_BYTES);
    for (i, rec) in bytes.chunks_exact(RECORD_BYTES).enumerate() {
        let label = rec[0];
        if usize::from(label) >= CLASS_NAMES.len() {
            return Err(bad(
                FORMAT,
                format!("record {i} has the label {label}; CIFAR-10 labels are 0 to 9"),
            ));
        }
        labels.push(label);
        pixels.extend_from_slice(&rec[1..]);
    }
    Ok(CifarBatch { labels, pixels })
}

/// Reads several batches and joins them in order (e.g. `data_batch_1` … `data_batch_5`).
/// An error names the batch (counting from 1) it comes from.
pub fn read_batches(batches: &[&[u8]]) -> Result<CifarBatch> {
    if batches.is_empty() {
        return Err(bad(FORMAT, "no batch was given"));
    }
    let mut all = CifarBatch {
        labels: Vec::new(),
        pixels: Vec::new(),
    };
    for (k, bytes) in batches.iter().enumerate() {
        let b = read_batch(bytes).map_err(|e| match e {
            crate::QuantError::BadFile { format, reason } => {
                bad(format, format!("batch {}: {reason}", k + 1))
            }
            other => other,
        })?;
        all.labels.extend(b.labels);
        all.pixels.extend(b.pixels);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::QuantError;

    fn batch(labels: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        for (i, &l) in labels.iter().enumerate() {
            v.push(l);
            v.extend((0..IMAGE_BYTES).map(|p| ((p + i) % 256) as u8));
        }
        v
    }

    fn reason(e: QuantError) -> String {
        match e {
            QuantError::BadFile { format, reason } => {
                assert_eq!(format, "CIFAR-10");
                reason
            }
            other => panic!("expected a BadFile error, got {other:?}"),
        }
    }

    #[test]
    fn records_split_into_labels_and_planar_pixels() {
        let b = read_batch(&batch(&[3, 9, 0])).unwrap();
        assert_eq!(b.labels, vec![3, 9, 0]);
        assert_eq!(b.len(), 3);
        assert_eq!(b.pixels.len(), 3 * IMAGE_BYTES);
        assert_eq!(b.image(1).unwrap()[0], 1);
        let rgb = b.rgb(0).unwrap();
        // Pixel 0: red plane byte 0, green byte 1024, blue byte 2048 (mod 256 = 0, 0, 0);
        // pixel 1: 1, 1025 % 256 = 1, 2049 % 256 = 1.
        assert_eq!(&rgb[..6], &[0, 0, 0, 1, 1, 1]);
        assert_eq!(b.rgb(3), None);
    }

    #[test]
    fn a_truncated_batch_is_an_error_that_counts_records() {
        let mut bytes = batch(&[1, 2]);
        bytes.pop();
        let r = reason(read_batch(&bytes).unwrap_err());
        assert!(r.contains("1 records and 3072 bytes left over"), "{r}");
        assert!(reason(read_batch(&[]).unwrap_err()).contains("empty"));
        assert!(read_batch(&[5]).is_err());
    }

    #[test]
    fn a_cifar_100_batch_is_recognised_and_refused() {
        let bytes = vec![0u8; 2 * (RECORD_BYTES + 1)];
        assert!(reason(read_batch(&bytes).unwrap_err()).contains("CIFAR-100"));
    }

    #[test]
    fn a_label_above_nine_is_an_error() {
        let r = reason(read_batch(&batch(&[1, 10])).unwrap_err());
        assert!(r.contains("record 1 has the label 10"), "{r}");
    }

    #[test]
    fn batches_join_in_order_and_errors_name_the_batch() {
        let a = batch(&[1]);
        let b = batch(&[2, 3]);
        let all = read_batches(&[&a, &b]).unwrap();
        assert_eq!(all.labels, vec![1, 2, 3]);
        let bad_batch = vec![0u8; 10];
        assert!(reason(read_batches(&[&a, &bad_batch]).unwrap_err()).starts_with("batch 2:"));
        assert!(read_batches(&[]).is_err());
    }
}
