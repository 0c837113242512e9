//! LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998), the network of chapter 6, and
//! the MNIST preparation it is trained with.
//!
//! The book's LeNet-5 is the version most textbooks draw: a 28x28 digit padded by 2,
//! two 5x5 convolutions of 6 and 16 channels, each followed by an activation and 2x2
//! pooling, then dense layers of 120, 84 and 10. Chapter 6 also trains variants
//! (sigmoid or tanh instead of ReLU, other ways to downsample): [`LeNetConfig`].
//!
//! Inputs are normalised by the training set's pixel statistics ([`Normalization`]);
//! a trained model must see its inputs normalised the same way, so chapter 8 and the
//! exercises use the same [`MnistData::load`].

use std::path::Path;

use ndarray::{Array4, ArrayView4, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::data::mnist::{Split, load_mnist_pixels, pixel_value};
use crate::error::{CnnError, Result};
use crate::nn::{Conv2d, Conv2dConfig, Dense, Init, Layer, Pool2d, Sequential};
use crate::train::{Examples, Images};

/// Height and width of a digit, in pixels.
pub const INPUT_SIZE: usize = 28;

/// The ten digits.
pub const CLASSES: usize = 10;

/// The activation function after every convolution and hidden dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `max(0, x)`, the usual choice today.
    Relu,
    /// `1 / (1 + e^-x)`, close to the original LeNet-5's squashing function.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
}

impl Activation {
    /// The activation's name, as the book writes it: `"ReLU"`, `"sigmoid"`, `"tanh"`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
        }
    }

    /// The activation as a layer.
    pub fn layer(self) -> Layer {
        match self {
            Activation::Relu => Layer::Relu,
            Activation::Sigmoid => Layer::Sigmoid,
            Activation::Tanh => Layer::Tanh,
        }
    }

    /// He initialisation suits ReLU, Xavier suits the squashing functions.
    pub fn init(self) -> Init {
        match self {
            Activation::Relu => Init::He,
            Activation::Sigmoid | Activation::Tanh => Init::Xavier,
        }
    }
}

/// How the feature maps are made smaller between the convolutions (chapter 6's
/// pooling experiment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Downsampling {
    /// 2x2 max pooling with stride 2, as the book's LeNet-5.
    MaxPool,
    /// 2x2 average pooling with stride 2 (LeNet-5's original "subsampling").
    AveragePool,
    /// No pooling: the convolutions run at full size, so the dense layer gets more inputs.
    None,
    /// Each convolution moves with stride 2 instead of pooling afterwards.
    StridedConv,
}

impl Downsampling {
    /// A short description for tables.
    pub fn name(self) -> &'static str {
        match self {
            Downsampling::MaxPool => "2x2 max pooling",
            Downsampling::AveragePool => "2x2 average pooling",
            Downsampling::None => "no pooling",
            Downsampling::StridedConv => "stride-2 convolutions",
        }
    }
}

/// The choices a LeNet-5 is built with. The default is the book's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeNetConfig {
    /// The activation of the hidden layers.
    pub activation: Activation,
    /// How the maps are made smaller between the convolutions.
    pub downsampling: Downsampling,
}

impl Default for LeNetConfig {
    /// ReLU and 2x2 max pooling.
    fn default() -> Self {
        LeNetConfig {
            activation: Activation::Relu,
            downsampling: Downsampling::MaxPool,
        }
    }
}

// ANCHOR: lenet
/// LeNet-5 with random starting weights drawn from a generator seeded with `seed`.
///
/// `input: [N, 1, 28, 28] -> logits: [N, 10]`
///
/// # Errors
/// None for the configurations above; the `Result` carries the layers' own checks.
pub fn lenet5(config: LeNetConfig, seed: u64) -> Result<Sequential> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let LeNetConfig {
        activation,
        downsampling,
    } = config;
    let init = activation.init();
    let stride = if downsampling == Downsampling::StridedConv {
        2
    } else {
        1
    };
    let pool = match downsampling {
        Downsampling::MaxPool => Some(Pool2d::max(2, 2)?),
        Downsampling::AveragePool => Some(Pool2d::average(2, 2)?),
        Downsampling::None | Downsampling::StridedConv => None,
    };
    let padded = Conv2dConfig { stride, padding: 2 };
    let unpadded = Conv2dConfig { stride, padding: 0 };

    let mut net = Sequential::new();
    net.push("conv1", Conv2d::random(1, 6, 5, padded, init, &mut rng)?)?; // [N, 1, 28, 28] -> [N, 6, 28, 28]
    net.push("act1", activation.layer())?;
    if let Some(pool) = &pool {
        net.push("pool1", pool.clone())?; // -> [N, 6, 14, 14]
    }
    net.push("conv2", Conv2d::random(6, 16, 5, unpadded, init, &mut rng)?)?; // -> [N, 16, 10, 10]
    net.push("act2", activation.layer())?;
    if let Some(pool) = &pool {
        net.push("pool2", pool.clone())?; // -> [N, 16, 5, 5]
    }
    net.push("flatten", Layer::Flatten)?; // -> [N, 400]
    let inputs = flattened_size(&net)?; // 400 with pooling, more without
    net.push("fc1", Dense::random(inputs, 120, init, &mut rng)?)?; // [N, 400] -> [N, 120]
    net.push("act3", activation.layer())?;
    net.push("fc2", Dense::random(120, 84, init, &mut rng)?)?; // -> [N, 84]
    net.push("act4", activation.layer())?;
    net.push("fc3", Dense::random(84, CLASSES, init, &mut rng)?)?; // -> [N, 10] logits
    Ok(net)
}
// ANCHOR_END: lenet

/// The length of the vector the network's last layer outputs for one digit.
fn flattened_size(net: &Sequential) -> Result<usize> {
    let summary = net.summary([1, 1, INPUT_SIZE, INPUT_SIZE])?;
    Ok(summary
        .last()
        .map_or(0, |layer| layer.output_shape[1..].iter().product()))
}

/// The shift and scale that give the training pixels mean 0 and standard deviation 1,
/// which makes training easier: `x -> (x - mean) / std`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalization {
    /// Mean of the training pixels (in `[0, 1]`, ink 1).
    pub mean: f32,
    /// Their standard deviation.
    pub std: f32,
}

impl Normalization {
    /// The mean and standard deviation of `images` (summed in `f64`, so the 47 million
    /// pixels of MNIST's training set lose nothing to rounding).
    ///
    /// # Errors
    /// No pixels, or pixels that are all the same (nothing to scale by), or values
    /// that are not finite.
    pub fn of(images: ArrayView4<f32>) -> Result<Normalization> {
        Normalization::of_values(images.iter().copied(), images.len(), images.len_of(Axis(0)))
    }

    /// [`Normalization::of`] the images `pixels` stand for, one byte per pixel
    /// ([`pixel_value`]): the same numbers as for those images in floats.
    ///
    /// # Errors
    /// Those of [`Normalization::of`].
    pub fn of_pixels(pixels: ArrayView4<u8>) -> Result<Normalization> {
        let values = pixels.iter().map(|&b| pixel_value(b));
        Normalization::of_values(values, pixels.len(), pixels.len_of(Axis(0)))
    }

    /// The statistics of `count` values, from `images` images.
    fn of_values(
        values: impl Iterator<Item = f32> + Clone,
        count: usize,
        images: usize,
    ) -> Result<Normalization> {
        let count = count as f64;
        let mean = values.clone().map(|v| v as f64).sum::<f64>() / count;
        let variance = values.map(|v| (v as f64 - mean).powi(2)).sum::<f64>() / count;
        let (mean, std) = (mean as f32, variance.sqrt() as f32);
        if !(mean.is_finite() && std.is_finite() && std > 0.0) {
            return Err(CnnError::NotFinite(format!(
                "pixel statistics of {images} images: mean {mean}, standard deviation {std}; \
                 cannot normalise by them"
            )));
        }
        Ok(Normalization { mean, std })
    }

    /// `(x - mean) / std` for every pixel.
    pub fn apply(&self, images: ArrayView4<f32>) -> Array4<f32> {
        images.mapv(|v| self.of_pixel(v))
    }

    /// [`Normalization::apply`] in place: the same numbers, without a second copy of
    /// the images (MNIST's training set is 188 MB of `f32`).
    pub fn apply_in_place(&self, images: &mut Array4<f32>) {
        images.mapv_inplace(|v| self.of_pixel(v));
    }

    /// The value a raw pixel `raw` (in `[0, 1]`) has after normalising.
    pub fn of_pixel(&self, raw: f32) -> f32 {
        (raw - self.mean) / self.std
    }

    /// Back from a normalised pixel to `[0, 1]`.
    pub fn undo(&self, normalised: f32) -> f32 {
        normalised * self.std + self.mean
    }
}

/// MNIST as LeNet-5 is trained and tested on it.
///
/// The pixels are kept as the files store them, one byte each (55 MB for both sets,
/// instead of 219 MB of floats); [`MnistData::train`] and [`MnistData::test`] hand them
/// to training as [`Images::Bytes`], which normalises each mini-batch when it is used.
#[derive(Debug, Clone)]
pub struct MnistData {
    /// Training images, one byte per pixel (0 is paper, 255 ink): `[60000, 1, 28, 28]`.
    pub train_pixels: Array4<u8>,
    /// Training labels.
    pub train_labels: Vec<usize>,
    /// Test images, one byte per pixel: `[10000, 1, 28, 28]`.
    pub test_pixels: Array4<u8>,
    /// Test labels.
    pub test_labels: Vec<usize>,
    /// The training set's pixel statistics, which both sets are normalised by.
    pub normalization: Normalization,
    /// The normalised value of each of the 256 pixel bytes.
    inputs: [f32; 256],
}

impl MnistData {
    /// Read MNIST from `dir` (the four original `.gz` files); both sets are normalised
    /// with the training set's statistics.
    ///
    /// # Errors
    /// Those of [`load_mnist`](crate::data::mnist::load_mnist), and images that are not 28x28.
    pub fn load(dir: &Path) -> Result<MnistData> {
        let (train_pixels, train_labels) = load_mnist_pixels(dir, Split::Train)?;
        let (test_pixels, test_labels) = load_mnist_pixels(dir, Split::Test)?;
        for (pixels, split) in [(&train_pixels, "training"), (&test_pixels, "test")] {
            let (_, _, h, w) = pixels.dim();
            if (h, w) != (INPUT_SIZE, INPUT_SIZE) {
                return Err(CnnError::shape(
                    &format!("MNIST {split} images in {}", dir.display()),
                    "[N, 1, 28, 28]",
                    pixels.shape(),
                ));
            }
        }
        MnistData::new(train_pixels, train_labels, test_pixels, test_labels)
    }

    /// The two sets, with the normalisation of the training pixels.
    ///
    /// # Errors
    /// Those of [`Normalization::of_pixels`] for the training pixels.
    pub fn new(
        train_pixels: Array4<u8>,
        train_labels: Vec<usize>,
        test_pixels: Array4<u8>,
        test_labels: Vec<usize>,
    ) -> Result<MnistData> {
        let normalization = Normalization::of_pixels(train_pixels.view())?;
        let inputs = std::array::from_fn(|b| normalization.of_pixel(pixel_value(b as u8)));
        Ok(MnistData {
            train_pixels,
            train_labels,
            test_pixels,
            test_labels,
            normalization,
            inputs,
        })
    }

    /// Test image `index` with its pixels in `[0, 1]`, as the file has them, for
    /// figures: `[28, 28]`.
    ///
    /// # Panics
    /// If there is no test image `index`.
    pub fn test_raw_image(&self, index: usize) -> ndarray::Array2<f32> {
        self.test_pixels
            .slice(ndarray::s![index, 0, .., ..])
            .mapv(pixel_value)
    }

    /// The training images and their labels, for [`fit`](crate::train::fit()).
    pub fn train(&self) -> Examples<'_> {
        Examples {
            images: Images::Bytes {
                pixels: self.train_pixels.view(),
                values: &self.inputs,
            },
            labels: &self.train_labels,
        }
    }

    /// The test images and their labels.
    pub fn test(&self) -> Examples<'_> {
        Examples {
            images: Images::Bytes {
                pixels: self.test_pixels.view(),
                values: &self.inputs,
            },
            labels: &self.test_labels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_the_shapes_of_its_diagram() {
        let net = lenet5(LeNetConfig::default(), 1).unwrap();
        let shapes: Vec<Vec<usize>> = net
            .summary([1, 1, 28, 28])
            .unwrap()
            .into_iter()
            .map(|layer| layer.output_shape)
            .collect();
        assert_eq!(shapes[2], vec![1, 6, 14, 14]);
        assert_eq!(shapes[5], vec![1, 16, 5, 5]);
        assert_eq!(shapes.last().unwrap(), &vec![1, 10]);
        assert_eq!(net.parameter_count(), 61_706);
        let no_pooling = LeNetConfig {
            downsampling: Downsampling::None,
            ..LeNetConfig::default()
        };
        let wide = lenet5(no_pooling, 1).unwrap();
        assert_eq!(
            wide.layer("fc1").unwrap().parameter_count(),
            16 * 24 * 24 * 120 + 120
        );
        // The same seed gives the same network.
        assert_eq!(lenet5(LeNetConfig::default(), 1).unwrap(), net);
        assert_ne!(lenet5(LeNetConfig::default(), 2).unwrap(), net);
    }

    #[test]
    fn the_sets_are_handed_to_training_as_normalised_examples() {
        let pixels = Array4::from_shape_fn((3, 1, 28, 28), |(n, _, i, j)| (n * 90 + i * j) as u8);
        let test_pixels = pixels.slice(ndarray::s![..1, .., .., ..]).to_owned();
        let data = MnistData::new(pixels.clone(), vec![1, 2, 3], test_pixels, vec![7]).unwrap();
        // The statistics of the bytes are those of the same images in floats.
        let floats = pixels.mapv(pixel_value);
        let normalization = Normalization::of(floats.view()).unwrap();
        assert_eq!(data.normalization, normalization);
        assert_eq!(
            data.train().images.to_floats(),
            normalization.apply(floats.view())
        );
        assert_eq!(data.train().labels, &[1, 2, 3]);
        assert_eq!(
            (data.test().images.len(), data.test().labels),
            (1, &[7][..])
        );
        let first = data.train().first(2);
        assert_eq!((first.images.len(), first.labels), (2, &[1, 2][..]));
        assert_eq!(
            data.test_raw_image(0),
            floats.slice(ndarray::s![0, 0, .., ..])
        );
    }

    #[test]
    fn normalising_gives_mean_zero_and_unit_spread() {
        let images = Array4::from_shape_fn((2, 1, 3, 3), |(n, _, i, j)| (n + i * j) as f32 / 5.0);
        let normalization = Normalization::of(images.view()).unwrap();
        let normalised = normalization.apply(images.view());
        assert!(normalised.mean().unwrap().abs() < 1e-6);
        assert!((normalised.std(0.0) - 1.0).abs() < 1e-5);
        assert!((normalization.undo(normalization.of_pixel(0.3)) - 0.3).abs() < 1e-6);
        // A blank set cannot be normalised.
        assert!(Normalization::of(Array4::zeros((1, 1, 2, 2)).view()).is_err());
    }
}
