//! The photos the chapters work on, from `data/photos/` (their authors and licences
//! are in `data/photos/SOURCE.md`), in the shapes the operations take.

use anyhow::Result;
use cnn_core::data::{load_rgb, to_grayscale};
use ndarray::{Array2, Array3, Array4, ArrayView2, Axis};

use crate::output::repo_root;

/// The photo `data/photos/{name}` in colour: `[3, H, W]`, values in [0, 1].
///
/// # Errors
/// The file is missing or is not an image.
pub fn rgb(name: &str) -> Result<Array3<f32>> {
    Ok(load_rgb(&repo_root().join("data/photos").join(name))?)
}

/// The photo `data/photos/{name}` in grey (ITU-R BT.601 weights): `[H, W]`.
///
/// # Errors
/// The file is missing or is not an image.
pub fn grey(name: &str) -> Result<Array2<f32>> {
    Ok(to_grayscale(rgb(name)?.view())?) // [3, H, W] -> [H, W]
}

/// One grey image as a batch of one image with one channel, the shape `conv2d`
/// takes: `[H, W] -> [1, 1, H, W]`.
pub fn as_batch(image: ArrayView2<f32>) -> Array4<f32> {
    image.to_owned().insert_axis(Axis(0)).insert_axis(Axis(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_in_the_shapes_the_operations_take() {
        let camera = grey("camera.png").unwrap();
        assert_eq!(camera.dim(), (512, 512));
        assert_eq!(as_batch(camera.view()).dim(), (1, 1, 512, 512));
        assert_eq!(rgb("chelsea.png").unwrap().dim(), (3, 300, 451));
        let missing = grey("no-such-photo.png").unwrap_err().to_string();
        assert!(missing.contains("no-such-photo.png"), "{missing}");
    }
}
