//! Saving a [`Sequential`] network to a file and loading it back.
//!
//! # File format (`.cnn`, version 1)
//!
//! A small binary format, every number little-endian:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `CNNBOOK1` |
//! | 4 | `u32` number of layers |
//! | per layer | `u32` name length, the name in UTF-8, `u8` kind, then the kind's fields |
//!
//! | kind | layer | fields |
//! |---|---|---|
//! | 0 | conv2d | `u32` stride, `u32` padding, `u32` F, C, KH, KW, then `F*C*KH*KW` `f32` weights (row-major), `F` `f32` biases |
//! | 1 | pool2d | `u8` 0 = max, 1 = average, `u32` kernel, `u32` stride |
//! | 2, 3, 4 | ReLU, sigmoid, tanh | none |
//! | 5 | flatten | none |
//! | 6 | dense | `u32` O, `u32` I, then `O*I` `f32` weights (row-major), `O` `f32` biases |
//! | 7 | softmax | none |
//!
//! Nothing may follow the last layer. A file that does not start with the magic, ends
//! early, declares more numbers than it holds, a convolution whose padding is not
//! smaller than its kernel, an unknown kind or trailing bytes is refused with a [`CnnError::Format`] that says what was being read and at which
//! byte. Every size is checked against the bytes actually left *before* anything is
//! allocated, so no file can make the loader allocate more than the file's own size.

use std::path::Path;

use ndarray::{Array1, Array2, Array4};

use crate::data::files::{read_limited, write_atomically};
use crate::error::{CnnError, Result};
use crate::nn::{Conv2d, Conv2dConfig, Dense, Layer, Pool2d, PoolKind, Sequential};

/// The first 8 bytes of every model file.
pub const MAGIC: &[u8; 8] = b"CNNBOOK1";

/// The largest model file [`Sequential::load`] reads: far more than any network of
/// the book (LeNet-5 is 250 KB).
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

impl Sequential {
    /// The network in the documented format (see the [module docs](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        let put_u32 = |bytes: &mut Vec<u8>, v: usize| {
            let v = u32::try_from(v).expect("a model's sizes fit in 32 bits");
            bytes.extend_from_slice(&v.to_le_bytes());
        };
        let put_f32s = |bytes: &mut Vec<u8>, values: &mut dyn Iterator<Item = &f32>| {
            for v in values {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        };
        put_u32(&mut bytes, self.layers().len());
        for named in self.layers() {
            put_u32(&mut bytes, named.name.len());
            bytes.extend_from_slice(named.name.as_bytes());
            match &named.layer {
                Layer::Conv2d(conv) => {
                    bytes.push(0);
                    put_u32(&mut bytes, conv.stride);
                    put_u32(&mut bytes, conv.padding);
                    for &d in conv.weight.shape() {
                        put_u32(&mut bytes, d);
                    }
                    put_f32s(&mut bytes, &mut conv.weight.iter());
                    put_f32s(&mut bytes, &mut conv.bias.iter());
                }
                Layer::Pool2d(pool) => {
                    bytes.push(1);
                    bytes.push(match pool.kind {
                        PoolKind::Max => 0,
                        PoolKind::Average => 1,
                    });
                    put_u32(&mut bytes, pool.kernel);
                    put_u32(&mut bytes, pool.stride);
                }
                Layer::Relu => bytes.push(2),
                Layer::Sigmoid => bytes.push(3),
                Layer::Tanh => bytes.push(4),
                Layer::Flatten => bytes.push(5),
                Layer::Dense(dense) => {
                    bytes.push(6);
                    put_u32(&mut bytes, dense.weight.nrows());
                    put_u32(&mut bytes, dense.weight.ncols());
                    put_f32s(&mut bytes, &mut dense.weight.iter());
                    put_f32s(&mut bytes, &mut dense.bias.iter());
                }
                Layer::Softmax => bytes.push(7),
            }
        }
        bytes
    }

    /// Write the network to `path` (see the [module docs](self) for the format),
    /// whole or not at all: a failed save leaves the previous file as it was.
    ///
    /// # Errors
    /// The file cannot be written, the path is not a regular file, or a weight is not
    /// finite (a model that diverged in training is refused, not saved).
    pub fn save(&self, path: &Path) -> Result<()> {
        if !self.is_finite() {
            return Err(CnnError::NotFinite(format!(
                "{}: the model has a weight that is not finite (NaN or infinite); it is not saved",
                path.display()
            )));
        }
        write_atomically(path, &self.to_bytes())
    }

    /// Read a network written by [`Sequential::save`].
    ///
    /// # Errors
    /// A missing file, one that is not a regular file, or one that is not a complete
    /// model file in this format.
    pub fn load(path: &Path) -> Result<Sequential> {
        let bytes = read_limited(path, MAX_MODEL_BYTES)?;
        Sequential::from_bytes(&bytes).map_err(|reason| CnnError::format(path, reason))
    }

    /// Read the parameters of a network with the *same architecture* from `path` into
    /// this one, for example trained weights into a freshly built LeNet-5.
    ///
    /// # Errors
    /// Everything [`Sequential::load`] refuses, and a file whose layers (names, kinds,
    /// shapes, hyperparameters) differ from this network's; the message names the
    /// first layer that differs.
    pub fn load_parameters(&mut self, path: &Path) -> Result<()> {
        let loaded = Sequential::load(path)?;
        if loaded.layers().len() != self.layers().len() {
            return Err(CnnError::format(
                path,
                format!(
                    "the file has {} layers, the network {}",
                    loaded.layers().len(),
                    self.layers().len()
                ),
            ));
        }
        for (index, (mine, theirs)) in self.layers().iter().zip(loaded.layers()).enumerate() {
            let (layer, file_layer) = (&mine.layer, &theirs.layer);
            let same_shapes = match (layer.parameters(), file_layer.parameters()) {
                (Some((w, b)), Some((fw, fb))) => w.shape() == fw.shape() && b.len() == fb.len(),
                (None, None) => true,
                _ => false,
            };
            if mine.name != theirs.name || layer.describe() != file_layer.describe() || !same_shapes
            {
                return Err(CnnError::format(
                    path,
                    format!(
                        "layer {index} is {} ({}, {:?}) in the network but {} ({}, {:?}) in the file",
                        mine.name,
                        layer.describe(),
                        layer.parameters().map(|(w, _)| w.shape().to_vec()),
                        theirs.name,
                        file_layer.describe(),
                        file_layer.parameters().map(|(w, _)| w.shape().to_vec()),
                    ),
                ));
            }
        }
        *self = loaded;
        Ok(())
    }

    /// Parse the documented format; the error says what was wrong and at which byte.
    ///
    /// # Errors
    /// Anything that is not a complete, valid model file.
    pub fn from_bytes(bytes: &[u8]) -> std::result::Result<Sequential, String> {
        let mut reader = Reader { bytes, position: 0 };
        let magic = reader.take(8, "the magic number")?;
        if magic != MAGIC {
            return Err(format!(
                "not a cnn-book model file: it starts with {magic:?}, expected {:?} (\"CNNBOOK1\")",
                MAGIC
            ));
        }
        let layer_count = reader.u32("the number of layers")?;
        let mut net = Sequential::new();
        for index in 0..layer_count {
            let what = format!("layer {index}");
            let name_len = reader.u32(&format!("the name length of {what}"))?;
            let name = String::from_utf8(
                reader
                    .take(name_len, &format!("the name of {what}"))?
                    .to_vec(),
            )
            .map_err(|_| format!("the name of {what} is not UTF-8"))?;
            let what = format!("layer {index} ({name})");
            let kind_at = reader.position;
            let kind = reader.take(1, &format!("the kind of {what}"))?[0];
            let layer = match kind {
                0 => {
                    let stride = reader.u32(&format!("the stride of {what}"))?;
                    let padding = reader.u32(&format!("the padding of {what}"))?;
                    let mut shape = [0; 4];
                    for d in &mut shape {
                        *d = reader.u32(&format!("the weight shape of {what}"))?;
                    }
                    // A padding of K or more only adds outputs that see nothing but
                    // zeros; refusing it also bounds the memory a crafted file can ask
                    // a forward pass for.
                    let kernel = shape[2].max(shape[3]);
                    if padding >= kernel.max(1) {
                        return Err(format!(
                            "{what}: padding {padding} is not smaller than the kernel {}x{}",
                            shape[2], shape[3]
                        ));
                    }
                    let count = shape
                        .iter()
                        .try_fold(1usize, |product, &d| product.checked_mul(d))
                        .ok_or_else(|| {
                            format!("{what}: the weight shape {shape:?} is too large")
                        })?;
                    let weight = Array4::from_shape_vec(
                        shape,
                        reader.f32s(count, &format!("the weights of {what}"))?,
                    )
                    .expect("the count matches the shape");
                    let bias =
                        Array1::from(reader.f32s(shape[0], &format!("the biases of {what}"))?);
                    let conv = Conv2d::new(weight, bias, Conv2dConfig { stride, padding })
                        .map_err(|e| format!("{what}: {e}"))?;
                    Layer::Conv2d(conv)
                }
                1 => {
                    let kind = match reader.take(1, &format!("the pooling kind of {what}"))?[0] {
                        0 => PoolKind::Max,
                        1 => PoolKind::Average,
                        other => return Err(format!("{what}: unknown pooling kind {other}")),
                    };
                    let kernel = reader.u32(&format!("the kernel of {what}"))?;
                    let stride = reader.u32(&format!("the stride of {what}"))?;
                    Layer::Pool2d(
                        Pool2d::new(kind, kernel, stride).map_err(|e| format!("{what}: {e}"))?,
                    )
                }
                2 => Layer::Relu,
                3 => Layer::Sigmoid,
                4 => Layer::Tanh,
                5 => Layer::Flatten,
                6 => {
                    let outputs = reader.u32(&format!("the outputs of {what}"))?;
                    let inputs = reader.u32(&format!("the inputs of {what}"))?;
                    let count = outputs.checked_mul(inputs).ok_or_else(|| {
                        format!("{what}: the weight shape [{outputs}, {inputs}] is too large")
                    })?;
                    let weight = Array2::from_shape_vec(
                        (outputs, inputs),
                        reader.f32s(count, &format!("the weights of {what}"))?,
                    )
                    .expect("the count matches the shape");
                    let bias =
                        Array1::from(reader.f32s(outputs, &format!("the biases of {what}"))?);
                    Layer::Dense(Dense::new(weight, bias).map_err(|e| format!("{what}: {e}"))?)
                }
                7 => Layer::Softmax,
                other => {
                    return Err(format!(
                        "{what}: unknown layer kind {other} at byte {kind_at} (known kinds are 0 to 7)"
                    ));
                }
            };
            net.push(&name, layer).map_err(|e| format!("{what}: {e}"))?;
        }
        if reader.position != bytes.len() {
            return Err(format!(
                "{} unexpected bytes after the last layer, from byte {}",
                bytes.len() - reader.position,
                reader.position
            ));
        }
        Ok(net)
    }
}

/// Reads the file front to back and says where it ran out.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    /// The next `count` bytes; an error, before anything is allocated, if fewer are left.
    fn take(&mut self, count: usize, what: &str) -> std::result::Result<&'a [u8], String> {
        let end = self
            .position
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!(
                "the file is truncated: it ends at byte {} while reading {what} ({count} bytes from byte {})",
                self.bytes.len(),
                self.position
            ));
        };
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn u32(&mut self, what: &str) -> std::result::Result<usize, String> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    /// `count` floats: the bytes are checked to be there before the vector is made.
    fn f32s(&mut self, count: usize, what: &str) -> std::result::Result<Vec<f32>, String> {
        let bytes = self.take(count.saturating_mul(4), what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Init;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::fs;

    fn small(seed: u64, filters: usize) -> Sequential {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut net = Sequential::new();
        let conv = Conv2d::random(1, filters, 3, Conv2dConfig::padding(1), Init::He, &mut rng);
        net.push("c1", conv.unwrap()).unwrap();
        net.push("relu", Layer::Relu).unwrap();
        net.push("pool", Pool2d::max(2, 2).unwrap()).unwrap();
        net.push("flatten", Layer::Flatten).unwrap();
        let dense = Dense::random(filters * 4, 3, Init::Xavier, &mut rng).unwrap();
        net.push("fc", dense).unwrap();
        net
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cnn-core-save-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_saved_network_loads_back_identical() {
        let net = small(1, 2);
        let path = temp("ok.cnn");
        net.save(&path).unwrap();
        let loaded = Sequential::load(&path).unwrap();
        assert_eq!(loaded.to_bytes(), net.to_bytes());
        let mut fresh = small(2, 2);
        fresh.load_parameters(&path).unwrap();
        assert_eq!(fresh.to_bytes(), net.to_bytes());
    }

    #[test]
    fn broken_files_are_clear_errors() {
        let bytes = small(1, 2).to_bytes();
        let path = temp("broken.cnn");
        let error = |contents: &[u8]| {
            fs::write(&path, contents).unwrap();
            Sequential::load(&path).unwrap_err().to_string()
        };
        let e = error(b"PK\x03\x04 a zip file");
        assert!(e.contains("not a cnn-book model file"), "{e}");
        let e = error(&bytes[..bytes.len() - 3]);
        assert!(
            e.contains("truncated") && e.contains("the biases of layer 4 (fc)"),
            "{e}"
        );
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(error(&extra).contains("1 unexpected bytes after the last layer"));
        let mut unknown = bytes.clone();
        let kind_position = 8 + 4 + 4 + 2; // magic, layer count, name length, "c1"
        unknown[kind_position] = 42;
        assert!(error(&unknown).contains("unknown layer kind 42"));
        let missing = temp("does-not-exist.cnn");
        let e = Sequential::load(&missing).unwrap_err().to_string();
        assert!(e.contains("does-not-exist.cnn: No such file"), "{e}");
        // A valid file of another architecture does not load into this one.
        small(1, 4).save(&path).unwrap();
        let e = small(1, 2).load_parameters(&path).unwrap_err().to_string();
        assert!(e.contains("layer 0 is c1"), "{e}");
    }

    #[test]
    fn crafted_sizes_are_refused_before_anything_is_allocated() {
        let bytes = small(1, 2).to_bytes();
        // The conv layer's fields start after the magic, the count, the name and the kind.
        let fields = 8 + 4 + 4 + 2 + 1;
        let with = |offset: usize, value: u32| {
            let mut crafted = bytes.clone();
            crafted[fields + offset..fields + offset + 4].copy_from_slice(&value.to_le_bytes());
            Sequential::from_bytes(&crafted).unwrap_err()
        };
        // A filter count of 2^32 - 1 would ask for gigabytes: the file does not hold them.
        let e = with(8, u32::MAX);
        assert!(
            e.contains("truncated") && e.contains("the weights of layer 0 (c1)"),
            "{e}"
        );
        // Huge padding (a forward pass would allocate a huge padded image).
        let e = with(4, u32::MAX);
        assert_eq!(
            e,
            format!(
                "layer 0 (c1): padding {} is not smaller than the kernel 3x3",
                u32::MAX
            )
        );
        // Every dimension huge: the product overflows on 32-bit machines and is too
        // large to be in the file on 64-bit ones.
        let mut crafted = bytes.clone();
        for d in 0..4 {
            let at = fields + 8 + 4 * d;
            crafted[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        assert!(Sequential::from_bytes(&crafted).is_err());
        // A layer count of 2^32 - 1 with nothing after it.
        let mut crafted = MAGIC.to_vec();
        crafted.extend_from_slice(&u32::MAX.to_le_bytes());
        let e = Sequential::from_bytes(&crafted).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn a_diverged_model_is_not_saved_and_the_old_file_survives() {
        let path = temp("diverged.cnn");
        let good = small(1, 2);
        good.save(&path).unwrap();
        let mut bad = small(1, 2);
        if let Layer::Conv2d(conv) = &mut bad.layers_mut()[0].layer {
            conv.weight[[0, 0, 0, 0]] = f32::NAN;
        }
        let e = bad.save(&path).unwrap_err().to_string();
        assert!(e.contains("not finite"), "{e}");
        assert_eq!(fs::read(&path).unwrap(), good.to_bytes());
    }
}
