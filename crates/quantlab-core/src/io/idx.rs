//! IDX files (the format of MNIST, Fashion-MNIST and EMNIST), raw or gzip-compressed.
//!
//! **Layout** (LeCun's IDX, every header integer big-endian):
//!
//! ```text
//! bytes 0–1   0x00 0x00
//! byte  2     data type: 0x08 = unsigned byte (the only type read here)
//! byte  3     number of dimensions D
//! D × u32     the dimensions, slowest first (the first is the item count n)
//! then        Π dims values, row-major
//! ```
//!
//! So an image file starts with the magic [`IMAGES_MAGIC`] `= 0x00000803` and
//! `n, rows, cols`, then `n·rows·cols` pixel bytes (image `i`, row `r`, column `c` at
//! `(i·rows + r)·cols + c`; 0 is the background in MNIST); a label file starts with
//! [`LABELS_MAGIC`] `= 0x00000801` and `n`, then `n` label bytes.
//!
//! **Compression.** A file that starts with the gzip signature `1f 8b` is decompressed first
//! (the `.gz` files MNIST is distributed as). The header is read before the body, so a header
//! that claims more than [`MAX_BYTES`] of data is refused before anything is allocated, and a
//! gzip stream is never inflated past what its header announces.
//!
//! **Errors** ([`QuantError::BadFile`](crate::QuantError::BadFile) with format `IDX`): a wrong magic number (naming what
//! the file looks like instead, e.g. a label file where images were expected, or a
//! little-endian header), an unsupported data type, a zero dimension, a truncated body, bytes
//! after the announced data, and (in [`read_labelled`]) an image count that differs from the
//! label count. Nothing here panics on any input.

use std::io::Read;

use flate2::read::GzDecoder;

use crate::error::Result;
use crate::io::bad;

/// Magic number of an IDX image file: unsigned bytes, 3 dimensions (`n, rows, cols`).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX label file: unsigned bytes, 1 dimension (`n`).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// The largest body accepted, in bytes (768 MiB: room for EMNIST ByClass, 697,932 images
/// of 28×28 = 547 MB, while staying inside a browser tab's memory).
pub const MAX_BYTES: usize = 768 << 20;
/// The two bytes every gzip stream starts with.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

const FORMAT: &str = "IDX";

/// Images read from an IDX file: `count` images of `rows × cols` unsigned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images `n`.
    pub count: usize,
    /// Rows of one image (28 for MNIST).
    pub rows: usize,
    /// Columns of one image (28 for MNIST).
    pub cols: usize,
    /// The pixels, row-major: image `i`, row `r`, column `c` at `(i·rows + r)·cols + c`.
    pub pixels: Vec<u8>,
}

impl IdxImages {
    /// Pixels per image, `rows·cols`.
    pub fn image_len(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i` (`None` past the end).
    pub fn image(&self, i: usize) -> Option<&[u8]> {
        let len = self.image_len();
        self.pixels.get(i * len..(i + 1) * len)
    }

    /// Every image transposed (`rows` and `cols` swapped, pixel `(r, c)` moved to `(c, r)`).
    ///
    /// EMNIST's IDX files store each image transposed relative to MNIST; this puts them
    /// upright.
    pub fn transposed(&self) -> IdxImages {
        let (rows, cols) = (self.rows, self.cols);
        let len = rows * cols;
        let mut pixels = vec![0u8; self.pixels.len()];
        for (src, dst) in self
            .pixels
            .chunks_exact(len.max(1))
            .zip(pixels.chunks_exact_mut(len.max(1)))
        {
            for r in 0..rows {
                for c in 0..cols {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
        IdxImages {
            count: self.count,
            rows: cols,
            cols: rows,
            pixels,
        }
    }
}

/// Reads an IDX image file (raw or gzipped): magic [`IMAGES_MAGIC`], `n`, `rows`, `cols`,
/// then `n·rows·cols` bytes.
pub fn read_images(bytes: &[u8]) -> Result<IdxImages> {
    let (dims, pixels) = read_ubyte(bytes, 3, "an image file")?;
    Ok(IdxImages {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels,
    })
}

/// Reads an IDX label file (raw or gzipped): magic [`LABELS_MAGIC`], `n`, then `n` bytes.
pub fn read_labels(bytes: &[u8]) -> Result<Vec<u8>> {
    Ok(read_ubyte(bytes, 1, "a label file")?.1)
}

/// Reads an image file and its label file, and checks that they hold as many items.
pub fn read_labelled(images: &[u8], labels: &[u8]) -> Result<(IdxImages, Vec<u8>)> {
    let images = read_images(images)?;
    let labels = read_labels(labels)?;
    if images.count != labels.len() {
        return Err(bad(
            FORMAT,
            format!(
                "the image file holds {} images but the label file holds {} labels: \
                 are they from the same set (train with train, test with test)?",
                images.count,
                labels.len()
            ),
        ));
    }
    Ok((images, labels))
}

/// Whether `bytes` start with the gzip signature.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// Decompresses a gzip stream, refusing to produce more than `limit` bytes. `format` names
/// the file format in the error.
pub(crate) fn gunzip(bytes: &[u8], limit: usize, format: &'static str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| bad(format, format!("the gzip data is damaged ({e})")))?;
    if out.len() > limit {
        return Err(bad(
            format,
            format!(
                "it decompresses to more than {} MiB, the most quantlab reads",
                limit >> 20
            ),
        ));
    }
    Ok(out)
}

/// The name of what an IDX magic number announces, for error messages.
fn describe_magic(magic: [u8; 4]) -> String {
    match u32::from_be_bytes(magic) {
        IMAGES_MAGIC => "an IDX image file (magic 0x00000803)".into(),
        LABELS_MAGIC => "an IDX label file (magic 0x00000801)".into(),
        m if m.swap_bytes() == IMAGES_MAGIC || m.swap_bytes() == LABELS_MAGIC => {
            format!("an IDX header written little-endian (magic {m:#010x}); IDX is big-endian")
        }
        m if magic[0] == 0 && magic[1] == 0 => {
            format!(
                "an IDX file of type {:#04x} with {} dimension(s) (magic {m:#010x})",
                magic[2], magic[3]
            )
        }
        m => format!("not an IDX file (its first four bytes are {m:#010x})"),
    }
}

/// A source of bytes: a slice, or a gzip stream read on demand.
enum Source<'a> {
    Raw(&'a [u8]),
    Gz(GzDecoder<&'a [u8]>),
}

impl Source<'_> {
    /// Reads up to `len` bytes (fewer only at the end of the data).
    fn take(&mut self, len: usize) -> Result<Vec<u8>> {
        match self {
            Source::Raw(rest) => {
                let n = len.min(rest.len());
                let (head, tail) = rest.split_at(n);
                *rest = tail;
                Ok(head.to_vec())
            }
            Source::Gz(dec) => {
                let mut out = Vec::new();
                dec.by_ref()
                    .take(len as u64)
                    .read_to_end(&mut out)
                    .map_err(|e| bad(FORMAT, format!("the gzip data is damaged ({e})")))?;
                Ok(out)
            }
        }
    }

    /// Whether any byte is left.
    fn has_more(&mut self) -> Result<bool> {
        Ok(!self.take(1)?.is_empty())
    }
}

/// Reads an unsigned-byte IDX file with `ndim` dimensions; `what` names the expected kind.
fn read_ubyte(bytes: &[u8], ndim: u8, what: &str) -> Result<(Vec<usize>, Vec<u8>)> {
    if bytes.is_empty() {
        return Err(bad(FORMAT, "the file is empty"));
    }
    let mut src = if is_gzip(bytes) {
        Source::Gz(GzDecoder::new(bytes))
    } else {
        Source::Raw(bytes)
    };
    let head = src.take(4)?;
    let magic: [u8; 4] = head.as_slice().try_into().map_err(|_| {
        bad(
            FORMAT,
            format!("it ends after {} bytes, inside the header", head.len()),
        )
    })?;
    let expected = u32::from_be_bytes([0, 0, 0x08, ndim]);
    if u32::from_be_bytes(magic) != expected {
        return Err(bad(
            FORMAT,
            format!(
                "expected {what} (magic {expected:#010x}) but this is {}",
                describe_magic(magic)
            ),
        ));
    }
    let dim_bytes = src.take(4 * usize::from(ndim))?;
    if dim_bytes.len() < 4 * usize::from(ndim) {
        return Err(bad(
            FORMAT,
            format!(
                "it ends after {} bytes, inside the header of {} bytes",
                4 + dim_bytes.len(),
                4 + 4 * usize::from(ndim)
            ),
        ));
    }
    let dims: Vec<usize> = dim_bytes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    if let Some(k) = dims.iter().position(|&d| d == 0) {
        return Err(bad(
            FORMAT,
            format!("dimension {k} of the header is 0: the file holds no data ({dims:?})"),
        ));
    }
    let total = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&t| t <= MAX_BYTES)
        .ok_or_else(|| {
            bad(
                FORMAT,
                format!(
                    "the header announces {dims:?} values, more than the {} MiB quantlab reads",
                    MAX_BYTES >> 20
                ),
            )
        })?;
    let data = src.take(total)?;
    if data.len() < total {
        return Err(bad(
            FORMAT,
            format!(
                "it is truncated: the header announces {dims:?} = {total} bytes of data but \
                 only {} follow",
                data.len()
            ),
        ));
    }
    if src.has_more()? {
        return Err(bad(
            FORMAT,
            format!(
                "more data follows the {total} bytes its header announces ({dims:?}): \
                 the count in the header is wrong or two files were joined"
            ),
        ));
    }
    Ok((dims, data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::QuantError;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn images_file(n: u32, rows: u32, cols: u32) -> Vec<u8> {
        let mut v = IMAGES_MAGIC.to_be_bytes().to_vec();
        for d in [n, rows, cols] {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v.extend((0..n * rows * cols).map(|i| (i % 251) as u8));
        v
    }

    fn labels_file(labels: &[u8]) -> Vec<u8> {
        let mut v = LABELS_MAGIC.to_be_bytes().to_vec();
        v.extend_from_slice(&(labels.len() as u32).to_be_bytes());
        v.extend_from_slice(labels);
        v
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn reason(e: QuantError) -> String {
        match e {
            QuantError::BadFile { format, reason } => {
                assert_eq!(format, "IDX");
                reason
            }
            other => panic!("expected a BadFile error, got {other:?}"),
        }
    }

    #[test]
    fn an_image_file_is_read_raw_and_gzipped_alike() {
        let raw = images_file(3, 2, 4);
        let a = read_images(&raw).unwrap();
        assert_eq!((a.count, a.rows, a.cols), (3, 2, 4));
        assert_eq!(a.pixels, (0..24).map(|i| i as u8).collect::<Vec<_>>());
        assert_eq!(a.image(2).unwrap(), &a.pixels[16..24]);
        assert_eq!(a.image(3), None);
        assert_eq!(read_images(&gz(&raw)).unwrap(), a);
    }

    #[test]
    fn labels_are_read_and_paired_with_images() {
        let (imgs, labels) =
            read_labelled(&images_file(3, 2, 2), &gz(&labels_file(&[7, 0, 9]))).unwrap();
        assert_eq!(imgs.count, 3);
        assert_eq!(labels, vec![7, 0, 9]);
    }

    #[test]
    fn a_label_count_that_differs_from_the_image_count_is_an_error() {
        let e = read_labelled(&images_file(3, 2, 2), &labels_file(&[1, 2])).unwrap_err();
        assert!(reason(e).contains("3 images but the label file holds 2"));
    }

    #[test]
    fn a_wrong_magic_names_what_the_file_is() {
        let e = read_images(&labels_file(&[1])).unwrap_err();
        assert!(reason(e).contains("label file"));
        let e = read_labels(&images_file(1, 1, 1)).unwrap_err();
        assert!(reason(e).contains("image file"));
        let mut le = images_file(1, 1, 1);
        le[..4].copy_from_slice(&IMAGES_MAGIC.to_le_bytes());
        assert!(reason(read_images(&le).unwrap_err()).contains("little-endian"));
        let e = read_images(b"P5\n28 28\n255\n....").unwrap_err();
        assert!(reason(e).contains("not an IDX file"));
        let mut float = images_file(1, 1, 1);
        float[2] = 0x0D;
        assert!(reason(read_images(&float).unwrap_err()).contains("type 0x0d"));
    }

    #[test]
    fn truncated_files_are_errors_at_every_length() {
        let raw = images_file(2, 3, 3);
        for len in 0..raw.len() {
            assert!(read_images(&raw[..len]).is_err(), "length {len}");
        }
        let e = read_images(&raw[..raw.len() - 1]).unwrap_err();
        assert!(reason(e).contains("truncated"));
        let zipped = gz(&raw);
        for len in 0..zipped.len() {
            assert!(read_images(&zipped[..len]).is_err(), "gz length {len}");
        }
        assert!(read_images(&gz(&raw[..raw.len() - 5])).is_err());
    }

    #[test]
    fn extra_bytes_zero_dimensions_and_huge_headers_are_errors() {
        let mut extra = labels_file(&[1, 2]);
        extra.push(3);
        assert!(reason(read_labels(&extra).unwrap_err()).contains("more data follows"));
        let mut zero = labels_file(&[]);
        zero.push(0);
        assert!(reason(read_labels(&zero).unwrap_err()).contains("is 0"));
        // A 16-byte header claiming 2^32−1 images of 65535×65535 pixels.
        let mut huge = IMAGES_MAGIC.to_be_bytes().to_vec();
        for d in [u32::MAX, 65_535, 65_535] {
            huge.extend_from_slice(&d.to_be_bytes());
        }
        assert!(reason(read_images(&huge).unwrap_err()).contains("MiB"));
        assert!(read_images(&gz(&huge)).is_err());
    }

    #[test]
    fn damaged_gzip_data_is_an_error() {
        let mut zipped = gz(&images_file(4, 8, 8));
        let mid = zipped.len() / 2;
        zipped[mid] ^= 0xFF;
        zipped[mid + 1] ^= 0x55;
        assert!(read_images(&zipped).is_err());
    }

    #[test]
    fn transposing_swaps_rows_and_columns_of_each_image() {
        let a = read_images(&images_file(2, 2, 3)).unwrap();
        let t = a.transposed();
        assert_eq!((t.rows, t.cols), (3, 2));
        // Image 0 is [[0, 1, 2], [3, 4, 5]] → [[0, 3], [1, 4], [2, 5]].
        assert_eq!(t.image(0).unwrap(), &[0, 3, 1, 4, 2, 5]);
        assert_eq!(t.transposed(), a);
    }

    #[test]
    fn gunzip_refuses_to_inflate_past_its_limit() {
        let zipped = gz(&[0u8; 10_000]);
        assert_eq!(gunzip(&zipped, 10_000, "x").unwrap().len(), 10_000);
        assert!(gunzip(&zipped, 9_999, "x").is_err());
    }
}
