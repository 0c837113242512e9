//! The MNIST handwritten digits (LeCun et al., 1998) from their original gzip IDX files,
//! and shuffled mini-batches.
//!
//! An IDX file is a big-endian header followed by raw bytes:
//!
//! | file | header | then |
//! |---|---|---|
//! | images | `u32` magic 2051, `u32` count, `u32` rows (28), `u32` columns (28) | `count*28*28` pixels, one `u8` each (0 = white paper, 255 = ink), row-major |
//! | labels | `u32` magic 2049, `u32` count | `count` labels, one `u8` each (0 to 9) |
//!
//! [`load_mnist`] checks the magic numbers, that the header's sizes match the bytes
//! that follow (with checked arithmetic, before anything is allocated), and that
//! images and labels agree in number; any problem is a [`CnnError::Format`] naming the
//! file. A compressed file is read only up to [`MAX_COMPRESSED_BYTES`] and decompressed
//! only up to [`MAX_DECOMPRESSED_BYTES`], so no file can make the loader run out of
//! memory.

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;
use ndarray::Array4;
use rand::Rng;
use rand::seq::SliceRandom;

use crate::data::files::read_limited;
use crate::error::{CnnError, Result};

/// The largest gzip file [`load_mnist`] reads (the MNIST training images are 9.9 MB).
pub const MAX_COMPRESSED_BYTES: u64 = 256 << 20;
/// The most bytes a gzip file may decompress to (the MNIST training images are 47 MB).
pub const MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;

/// Which of the two MNIST sets to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The 60,000 training images (`train-*-ubyte.gz`).
    Train,
    /// The 10,000 test images (`t10k-*-ubyte.gz`).
    Test,
}

/// A set of digit images and their labels.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// Pixels scaled to `[0, 1]` (ink is 1): [N, 1, 28, 28].
    pub images: Array4<f32>,
    /// The digit shown by each image, 0 to 9: `[N]`.
    pub labels: Vec<usize>,
}

/// Magic number of an IDX file of `u8` images (3 dimensions).
pub const IMAGES_MAGIC: u32 = 2051;
/// Magic number of an IDX file of `u8` labels (1 dimension).
pub const LABELS_MAGIC: u32 = 2049;

/// Read one split of MNIST from `dir`, which holds the four original `.gz` files.
///
/// # Errors
/// A missing, truncated or corrupt file, a wrong magic number, a size in a header
/// that does not match the data, a label above 9, or different numbers of images
/// and labels. The message names the file.
pub fn load_mnist(dir: &Path, split: Split) -> Result<Mnist> {
    let (images, labels) = load_split(dir, split, read_idx_images_as_floats)?;
    Ok(Mnist { images, labels })
}

/// [`load_mnist`] with the pixels as the file stores them, one byte each (0 is paper,
/// 255 ink): `([N, 1, rows, columns], labels)`, a quarter of the memory.
///
/// # Errors
/// Those of [`load_mnist`].
pub fn load_mnist_pixels(dir: &Path, split: Split) -> Result<(Array4<u8>, Vec<usize>)> {
    load_split(dir, split, read_idx_images)
}

/// The value in `[0, 1]` of a pixel byte (ink is 1), as [`load_mnist`] gives it.
pub fn pixel_value(byte: u8) -> f32 {
    byte as f32 / 255.0
}

/// A pixel reader's `(count, rows, columns, pixels)`.
type PixelsRead<T> = Result<(usize, usize, usize, Vec<T>)>;

/// One split's images, read by `read_images`, and its labels, checked against them.
fn load_split<T>(
    dir: &Path,
    split: Split,
    read_images: fn(&Path) -> PixelsRead<T>,
) -> Result<(Array4<T>, Vec<usize>)> {
    let prefix = match split {
        Split::Train => "train",
        Split::Test => "t10k",
    };
    let images_path = dir.join(format!("{prefix}-images-idx3-ubyte.gz"));
    let labels_path = dir.join(format!("{prefix}-labels-idx1-ubyte.gz"));
    let (count, rows, cols, pixels) = read_images(&images_path)?;
    let labels = read_idx_labels(&labels_path)?;
    if count == 0 {
        return Err(file_error(&images_path, "holds no images".to_string()));
    }
    if labels.len() != count {
        return Err(file_error(
            &labels_path,
            format!(
                "{} labels, but {} has {count} images",
                labels.len(),
                images_path.display()
            ),
        ));
    }
    let images = Array4::from_shape_vec((count, 1, rows, cols), pixels)
        .expect("the header's sizes were checked against the data");
    Ok((images, labels.into_iter().map(usize::from).collect()))
}

fn file_error(path: &Path, reason: String) -> CnnError {
    CnnError::format(path, reason)
}

/// The whole decompressed content of a gzip file.
///
/// A gzip file ends with the length of its content (mod 2^32), little-endian. The
/// decoder does not always notice a file cut short (it may return what it could
/// decompress), so that length is compared with what came out.
fn read_gzip(path: &Path) -> Result<Vec<u8>> {
    let compressed = read_limited(path, MAX_COMPRESSED_BYTES)?;
    let mut bytes = Vec::new();
    GzDecoder::new(compressed.as_slice())
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(path, format!("not a complete gzip file: {e}")))?;
    if bytes.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(file_error(
            path,
            format!("decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes"),
        ));
    }
    let trailer = &compressed[compressed.len().saturating_sub(4)..];
    let announced = match trailer {
        [a, b, c, d] => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => u32::MAX,
    };
    if announced != bytes.len() as u32 {
        return Err(file_error(
            path,
            format!(
                "not a complete gzip file: {} bytes decompressed, the gzip trailer announces {announced} \
                 (truncated or corrupt?)",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Big-endian `u32` number `index` of the header.
fn header_u32(bytes: &[u8], index: usize) -> u32 {
    let b = &bytes[4 * index..4 * index + 4];
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads an IDX image file: `(count, rows, columns, pixels)`.
///
/// # Errors
/// See [`load_mnist`].
pub fn read_idx_images(path: &Path) -> Result<(usize, usize, usize, Vec<u8>)> {
    let mut bytes = read_gzip(path)?;
    if bytes.len() < 16 {
        return Err(file_error(
            path,
            format!(
                "{} bytes is too short for an IDX image header (16 bytes)",
                bytes.len()
            ),
        ));
    }
    let (count, rows, cols) = check_image_header(path, &bytes[..16], bytes.len() - 16)?;
    bytes.drain(..16); // the pixels, moved to the front in place: no second copy of 47 MB
    Ok((count, rows, cols, bytes))
}

/// Checks an IDX image header (the first 16 bytes) against the number of pixel bytes
/// after it: `(count, rows, columns)`.
fn check_image_header(
    path: &Path,
    bytes: &[u8],
    pixel_bytes: usize,
) -> Result<(usize, usize, usize)> {
    let magic = header_u32(bytes, 0);
    if magic != IMAGES_MAGIC {
        return Err(file_error(
            path,
            format!("magic number {magic}, expected {IMAGES_MAGIC} for an IDX image file"),
        ));
    }
    let (count, rows, cols) = (
        header_u32(bytes, 1) as usize,
        header_u32(bytes, 2) as usize,
        header_u32(bytes, 3) as usize,
    );
    if rows == 0 || cols == 0 {
        return Err(file_error(
            path,
            format!("the header announces images of {rows}x{cols} pixels"),
        ));
    }
    let expected = count.checked_mul(rows).and_then(|n| n.checked_mul(cols));
    if expected != Some(pixel_bytes) {
        let announced = match expected {
            Some(expected) => format!("{expected} pixel bytes"),
            None => "more pixel bytes than can be counted".to_string(),
        };
        return Err(file_error(
            path,
            format!(
                "the header announces {count} images of {rows}x{cols} ({announced}), \
                 but {} bytes follow it",
                pixel_bytes
            ),
        ));
    }
    Ok((count, rows, cols))
}

/// [`read_idx_images`] with the pixels as floats in `[0, 1]` (`byte / 255`), converted
/// while the file is decompressed: the 47 MB of bytes of the training set are never
/// held beside its 188 MB of floats.
///
/// # Errors
/// See [`load_mnist`].
pub fn read_idx_images_as_floats(path: &Path) -> Result<(usize, usize, usize, Vec<f32>)> {
    let compressed = read_limited(path, MAX_COMPRESSED_BYTES)?;
    let announced = gzip_announced_length(&compressed) as usize;
    let mut decoder = GzDecoder::new(compressed.as_slice()).take(MAX_DECOMPRESSED_BYTES + 1);
    let mut header = [0u8; 16];
    let got = read_fully(&mut decoder, &mut header).map_err(|e| incomplete(path, &e))?;
    if got < 16 {
        return Err(file_error(
            path,
            format!("{got} bytes is too short for an IDX image header (16 bytes)"),
        ));
    }
    // The trailer gives the length (mod 2^32) before anything is decompressed; a file
    // that ends before it is caught below.
    if announced < 16 {
        return Err(file_error(
            path,
            format!("not a complete gzip file: its trailer announces {announced} bytes"),
        ));
    }
    let (count, rows, cols) = check_image_header(path, &header, announced - 16)?;
    let expected = count * rows * cols; // checked against the trailer
    // Deflate packs at most 1032 bytes into one, so a longer content is a lie.
    if expected / 1032 > compressed.len() {
        return Err(file_error(
            path,
            format!(
                "announces {expected} pixel bytes, more than its {} compressed bytes can hold",
                compressed.len()
            ),
        ));
    }
    let mut pixels = Vec::with_capacity(expected);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let read = read_fully(&mut decoder, &mut chunk).map_err(|e| incomplete(path, &e))?;
        if read == 0 {
            break;
        }
        if pixels.len() + read > expected {
            return Err(file_error(
                path,
                format!(
                    "more than the {expected} pixel bytes its header and gzip trailer announce"
                ),
            ));
        }
        pixels.extend(chunk[..read].iter().map(|&p| pixel_value(p)));
    }
    if pixels.len() != expected {
        return Err(file_error(
            path,
            format!(
                "not a complete gzip file: {} bytes decompressed, the gzip trailer announces {announced} \
                 (truncated or corrupt?)",
                16 + pixels.len()
            ),
        ));
    }
    Ok((count, rows, cols, pixels))
}

/// Reads until `buffer` is full or the stream ends: the number of bytes read.
fn read_fully(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The length of a gzip file's content (mod 2^32), from its last four bytes.
fn gzip_announced_length(compressed: &[u8]) -> u32 {
    match &compressed[compressed.len().saturating_sub(4)..] {
        [a, b, c, d] => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => u32::MAX,
    }
}

fn incomplete(path: &Path, error: &std::io::Error) -> CnnError {
    file_error(path, format!("not a complete gzip file: {error}"))
}

/// Reads an IDX label file.
///
/// # Errors
/// See [`load_mnist`].
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>> {
    let bytes = read_gzip(path)?;
    if bytes.len() < 8 {
        return Err(file_error(
            path,
            format!(
                "{} bytes is too short for an IDX label header (8 bytes)",
                bytes.len()
            ),
        ));
    }
    let magic = header_u32(&bytes, 0);
    if magic != LABELS_MAGIC {
        return Err(file_error(
            path,
            format!("magic number {magic}, expected {LABELS_MAGIC} for an IDX label file"),
        ));
    }
    let count = header_u32(&bytes, 1) as usize;
    if bytes.len() - 8 != count {
        return Err(file_error(
            path,
            format!(
                "the header announces {count} labels, but {} bytes follow it",
                bytes.len() - 8
            ),
        ));
    }
    if let Some(position) = bytes[8..].iter().position(|&label| label > 9) {
        return Err(file_error(
            path,
            format!(
                "label {position} is {}, not a digit 0 to 9",
                bytes[8 + position]
            ),
        ));
    }
    Ok(bytes[8..].to_vec())
}

// ANCHOR: batches
/// The indices `0..count` in a random order, cut into mini-batches of `batch_size`
/// (the last one smaller if `count` is not a multiple). A new order every epoch keeps
/// the network from learning the order of the data.
///
/// # Errors
/// A batch size of zero.
pub fn shuffled_batches(
    count: usize,
    batch_size: usize,
    rng: &mut impl Rng,
) -> Result<Vec<Vec<usize>>> {
    if batch_size == 0 {
        return Err(CnnError::setting("batch size must be at least 1, got 0"));
    }
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(rng);
    Ok(order
        .chunks(batch_size)
        .map(|chunk| chunk.to_vec())
        .collect())
}
// ANCHOR_END: batches

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::io::Write;
    use std::path::PathBuf;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cnn-core-mnist-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn gzip(path: &Path, bytes: &[u8]) {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).unwrap();
        std::fs::write(path, encoder.finish().unwrap()).unwrap();
    }

    fn header(numbers: &[u32]) -> Vec<u8> {
        numbers.iter().flat_map(|n| n.to_be_bytes()).collect()
    }

    /// A tiny valid "MNIST" of 3 images of 2x2 in `dir`.
    fn write_tiny(dir: &Path) {
        let mut images = header(&[2051, 3, 2, 2]);
        images.extend((0..12).map(|v| v as u8 * 20));
        gzip(&dir.join("t10k-images-idx3-ubyte.gz"), &images);
        let mut labels = header(&[2049, 3]);
        labels.extend([7, 2, 1]);
        gzip(&dir.join("t10k-labels-idx1-ubyte.gz"), &labels);
    }

    #[test]
    fn a_tiny_valid_set_loads() {
        let dir = temp_dir("ok");
        write_tiny(&dir);
        let set = load_mnist(&dir, Split::Test).unwrap();
        assert_eq!(set.images.dim(), (3, 1, 2, 2));
        assert_eq!(set.labels, vec![7, 2, 1]);
        assert_eq!(set.images[[0, 0, 0, 1]], 20.0 / 255.0);
    }

    #[test]
    fn broken_files_are_clear_errors() {
        let dir = temp_dir("broken");
        let error = || load_mnist(&dir, Split::Test).unwrap_err().to_string();
        // Missing.
        let e = error();
        assert!(e.contains("t10k-images-idx3-ubyte.gz: No such file"), "{e}");
        // Wrong magic: a label file where the images should be.
        write_tiny(&dir);
        let mut labels = header(&[2049, 12]);
        labels.extend([1; 12]);
        gzip(&dir.join("t10k-images-idx3-ubyte.gz"), &labels);
        let e = error();
        assert!(e.contains("magic number 2049, expected 2051"), "{e}");
        // A header that announces more images than there are.
        let mut images = header(&[2051, 4, 2, 2]);
        images.extend([0u8; 12]);
        gzip(&dir.join("t10k-images-idx3-ubyte.gz"), &images);
        let e = error();
        assert!(
            e.contains("announces 4 images of 2x2 (16 pixel bytes), but 12 bytes"),
            "{e}"
        );
        // A truncated gzip stream.
        write_tiny(&dir);
        let path = dir.join("t10k-images-idx3-ubyte.gz");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let e = error();
        assert!(e.contains("not a complete gzip file"), "{e}");
        // Not gzip at all.
        std::fs::write(&path, b"hello").unwrap();
        assert!(error().contains("not a complete gzip file"));
        // Labels and images disagree in number; a label above 9.
        write_tiny(&dir);
        let mut labels = header(&[2049, 2]);
        labels.extend([7, 2]);
        gzip(&dir.join("t10k-labels-idx1-ubyte.gz"), &labels);
        assert!(error().contains("2 labels, but"), "{}", error());
        let mut labels = header(&[2049, 3]);
        labels.extend([7, 12, 1]);
        gzip(&dir.join("t10k-labels-idx1-ubyte.gz"), &labels);
        assert!(error().contains("label 1 is 12"), "{}", error());
        // A header whose sizes overflow when multiplied: an error, not a panic or a
        // wrapped-around count.
        write_tiny(&dir);
        gzip(
            &dir.join("t10k-images-idx3-ubyte.gz"),
            &header(&[2051, u32::MAX, u32::MAX, u32::MAX]),
        );
        let e = error();
        assert!(e.contains("more pixel bytes than can be counted"), "{e}");
        // No images at all.
        gzip(
            &dir.join("t10k-images-idx3-ubyte.gz"),
            &header(&[2051, 0, 28, 28]),
        );
        gzip(&dir.join("t10k-labels-idx1-ubyte.gz"), &header(&[2049, 0]));
        assert!(error().ends_with("holds no images"), "{}", error());
    }

    #[test]
    fn batches_cover_every_index_once_in_a_seeded_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let batches = shuffled_batches(10, 4, &mut rng).unwrap();
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![4, 4, 2]
        );
        let mut all: Vec<usize> = batches.concat();
        let again = shuffled_batches(10, 4, &mut ChaCha8Rng::seed_from_u64(7)).unwrap();
        assert_eq!(again, batches);
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert!(shuffled_batches(10, 0, &mut rng).is_err());
    }
}
