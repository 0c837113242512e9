//! The book's two trained networks, loaded from the repository and checked, with what
//! it takes to feed them a photo and to show their inputs as pictures: Tiny VGG
//! (chapter 7, CNN Explainer's weights, colour photos in `[0, 1]`) and LeNet-5
//! (trained in chapter 6, grey digits normalised by the MNIST training pixels).
//!
//! Chapter 8 and the command lines that explain your own photo use both the same way,
//! through [`Trained`].

use std::path::Path;

use anyhow::{Result, bail, ensure};
use cnn_core::Sequential;
use cnn_core::data::{load_rgb_center_crop, to_grayscale};
use cnn_core::models::lenet::{self, Normalization};
use cnn_core::models::tiny_vgg;
use cnn_core::visualize::{InversionConfig, MaximizeConfig, Target, class_probabilities};
use ndarray::{Array3, ArrayView2, ArrayView3, Axis};

use crate::output::repo_root;

/// Tiny VGG's files, in the repository.
pub const TINY_VGG_MODEL: &str = "data/cnn-explainer/model.json";
/// The LeNet-5 that chapter 6 trains and saves, in the repository.
pub const LENET_MODEL: &str = "data/trained/lenet5.cnn";
/// The MNIST files, in the repository.
pub const MNIST: &str = "data/mnist";

/// What a network's input is, and so how an image is prepared for it and drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    /// An RGB photo `[3, 64, 64]` in `[0, 1]` (Tiny VGG).
    Photo,
    /// A grey digit `[1, 28, 28]`, light ink on dark paper as MNIST stores it,
    /// normalised by the training pixels' statistics (LeNet-5).
    Digit(Normalization),
}

/// A trained network and the kind of input it takes.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The network, with finite weights.
    pub network: Sequential,
    /// What it reads.
    pub input: Input,
}

/// Refuses a network with a weight that is NaN or infinite: it would answer NaN,
/// and NaN would reach the tables and figures as if it were a number.
///
/// # Errors
/// A weight is not finite; the message names the file the network came from.
pub fn check_finite(network: Sequential, path: &Path) -> Result<Sequential> {
    ensure!(
        network.is_finite(),
        "{}: the network has weights that are NaN or infinite (did its training diverge?); \
         it cannot be used",
        path.display()
    );
    Ok(network)
}

impl Trained {
    /// Tiny VGG, read from CNN Explainer's TensorFlow.js files.
    ///
    /// # Errors
    /// The files are missing or broken, or a weight is not finite.
    pub fn tiny_vgg() -> Result<Trained> {
        let path = repo_root().join(TINY_VGG_MODEL);
        let network = check_finite(tiny_vgg::load(&path)?, &path)?;
        Ok(Trained {
            network,
            input: Input::Photo,
        })
    }

    /// The LeNet-5 trained in chapter 6 (never retrained here); its inputs are
    /// normalised by `normalization`, the training pixels' statistics
    /// (`MnistData::load` computes them as chapter 6 does).
    ///
    /// # Errors
    /// The model file is missing or broken, is not a LeNet-5 for 28x28 digits, or a
    /// weight is not finite.
    pub fn lenet5(normalization: Normalization) -> Result<Trained> {
        let path = repo_root().join(LENET_MODEL);
        let network = check_finite(Sequential::load(&path)?, &path)?;
        let size = lenet::INPUT_SIZE;
        let summary = network.summary([1, 1, size, size]);
        let output = summary
            .ok()
            .and_then(|s| s.last().map(|l| l.output_shape.clone()));
        ensure!(
            output == Some(vec![1, lenet::CLASSES]),
            "{}: not a LeNet-5: it does not map a 28x28 digit to 10 scores",
            path.display()
        );
        Ok(Trained {
            network,
            input: Input::Digit(normalization),
        })
    }

    /// `"Tiny VGG"` or `"LeNet-5"`.
    pub fn name(&self) -> &'static str {
        match self.input {
            Input::Photo => "Tiny VGG",
            Input::Digit(_) => "LeNet-5",
        }
    }

    /// The names of the classes, in the order of the network's outputs.
    pub fn classes(&self) -> Vec<&'static str> {
        match self.input {
            Input::Photo => tiny_vgg::CLASSES.to_vec(),
            Input::Digit(_) => vec!["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        }
    }

    /// The shape of one input: `[C, H, W]`.
    pub fn input_shape(&self) -> [usize; 3] {
        match self.input {
            Input::Photo => [3, tiny_vgg::INPUT_SIZE, tiny_vgg::INPUT_SIZE],
            Input::Digit(_) => [1, lenet::INPUT_SIZE, lenet::INPUT_SIZE],
        }
    }

    /// A PNG or JPEG photo as the network's input `[C, H, W]`: for Tiny VGG scaled
    /// and centre-cropped to 64x64 as the site does; for LeNet-5 made grey, cropped
    /// to 28x28, turned into light ink on dark paper if it is dark ink on light paper
    /// (a digit written on a page), and normalised.
    ///
    /// # Errors
    /// The file is missing, is not a regular file, or is not a PNG or JPEG image.
    pub fn load_photo(&self, path: &Path) -> Result<Array3<f32>> {
        // The library's errors name the file.
        match self.input {
            Input::Photo => Ok(tiny_vgg::load_image(path)?),
            Input::Digit(normalization) => {
                let size = lenet::INPUT_SIZE as u32;
                let rgb = load_rgb_center_crop(path, size, size)?;
                let mut grey = to_grayscale(rgb.view())?; // [3, 28, 28] -> [28, 28]
                if grey.mean().unwrap_or(0.0) > 0.5 {
                    grey.mapv_inplace(|v| 1.0 - v); // dark ink on light paper
                }
                let digit = grey.insert_axis(Axis(0)); // [28, 28] -> [1, 28, 28]
                Ok(digit.mapv(|v| normalization.of_pixel(v)))
            }
        }
    }

    /// An input `[C, H, W]` as a picture `[3, H, W]` in `[0, 1]`: a photo as it is, a
    /// digit back in `[0, 1]` and drawn as dark ink on white paper, like a page.
    pub fn picture(&self, input: ArrayView3<f32>) -> Array3<f32> {
        match self.input {
            Input::Photo => input.to_owned(),
            Input::Digit(normalization) => {
                let raw = input.mapv(|v| normalization.undo(v).clamp(0.0, 1.0));
                grey_picture(raw.index_axis(Axis(0), 0).mapv(|v| 1.0 - v).view())
            }
        }
    }

    /// The value of an empty input pixel: grey (0.5) for a photo, blank paper for a digit.
    pub fn background(&self) -> f32 {
        match self.input {
            Input::Photo => 0.5,
            Input::Digit(normalization) => normalization.of_pixel(0.0),
        }
    }

    /// The range of the input's pixel values: `[0, 1]`, or raw 0 and 1 normalised.
    pub fn pixel_range(&self) -> (f32, f32) {
        match self.input {
            Input::Photo => (0.0, 1.0),
            Input::Digit(normalization) => {
                (normalization.of_pixel(0.0), normalization.of_pixel(1.0))
            }
        }
    }

    /// The class probabilities for one input `[C, H, W]`: `[K]`.
    ///
    /// # Errors
    /// An input that does not fit the network, or probabilities that are not finite
    /// (which finite weights can still give, by overflowing).
    pub fn probabilities(&self, input: ArrayView3<f32>) -> Result<Vec<f32>> {
        let batch = input.insert_axis(Axis(0)); // [C, H, W] -> [1, C, H, W]
        let probabilities = class_probabilities(&self.network, batch)?.row(0).to_vec();
        if probabilities.iter().any(|p| !p.is_finite()) {
            bail!(
                "{}'s probabilities are not finite: {probabilities:?}",
                self.name()
            );
        }
        Ok(probabilities)
    }

    /// The settings of activation maximisation in chapter 8, for `steps` steps.
    pub fn maximize_config(&self, target: &Target, steps: usize) -> MaximizeConfig {
        let pixel_range = self.pixel_range();
        match (self.input, target) {
            (Input::Photo, Target::Class(_)) => MaximizeConfig {
                steps,
                learning_rate: 0.03,
                l2: 0.003,
                background: 0.5,
                total_variation: 0.5,
                pixel_range,
                start_noise: 0.05,
                seed: 8,
            },
            // One unit's gradient is far smaller than a class score's (one unit, not
            // the whole image), so the smoothness penalty is smaller.
            (Input::Photo, Target::Channel { .. }) => MaximizeConfig {
                total_variation: 0.05,
                ..self.maximize_config(&Target::Class(0), steps)
            },
            (Input::Digit(_), _) => MaximizeConfig {
                steps,
                learning_rate: 0.05,
                l2: 0.02,
                background: self.background(),
                total_variation: 0.05,
                pixel_range,
                start_noise: 0.05,
                seed: 8,
            },
        }
    }

    /// The settings of inversion in chapter 8, for `steps` steps.
    pub fn inversion_config(&self, steps: usize) -> InversionConfig {
        let (learning_rate, start_noise) = match self.input {
            Input::Photo => (0.02, 0.05),
            Input::Digit(_) => (0.05, 0.1),
        };
        InversionConfig {
            steps,
            learning_rate,
            total_variation: 0.5,
            pixel_range: self.pixel_range(),
            start_noise,
            seed: 8,
        }
    }
}

/// A grey map `[H, W]` in `[0, 1]` as an RGB picture `[3, H, W]`.
pub fn grey_picture(map: ArrayView2<f32>) -> Array3<f32> {
    let (h, w) = map.dim();
    Array3::from_shape_fn((3, h, w), |(_, i, j)| map[[i, j]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnn_core::{Dense, Layer};
    use ndarray::{Array1, Array2};

    #[test]
    fn a_network_with_a_nan_weight_is_refused() {
        let mut network = Sequential::new();
        network.push("flatten", Layer::Flatten).unwrap();
        let weight = Array2::from_elem((2, 4), f32::NAN);
        network
            .push("fc", Dense::new(weight, Array1::zeros(2)).unwrap())
            .unwrap();
        let e = check_finite(network, Path::new("nan.cnn"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("nan.cnn: the network has weights that are NaN"),
            "{e}"
        );
    }

    #[test]
    fn a_digit_is_drawn_as_ink_on_paper() {
        let normalization = Normalization {
            mean: 0.25,
            std: 0.5,
        };
        let digit = Trained {
            network: Sequential::new(),
            input: Input::Digit(normalization),
        };
        // Raw 0 (paper) and raw 1 (ink), normalised.
        let input = ndarray::array![[[-0.5, 1.5]]];
        let picture = digit.picture(input.view());
        assert_eq!(picture.dim(), (3, 1, 2));
        assert_eq!(picture.slice(ndarray::s![.., 0, 0]).to_vec(), vec![1.0; 3]);
        assert_eq!(picture.slice(ndarray::s![.., 0, 1]).to_vec(), vec![0.0; 3]);
        assert_eq!(digit.background(), -0.5);
        assert_eq!(digit.pixel_range(), (-0.5, 1.5));
    }
}
