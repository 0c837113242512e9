//! Reading images into arrays.
//!
//! An image becomes a `[3, H, W]` array of RGB values in `[0, 1]` (channels first,
//! like every array in this library). PNG and JPEG are read; anything else is an
//! error that names the file.

use std::path::Path;

use ndarray::{Array2, Array3, ArrayView3, Axis};

use crate::error::{CnnError, Result};

/// Load a PNG or JPEG as RGB values in `[0, 1]`: output `[3, H, W]`.
///
/// Grey and RGBA images are converted to RGB (alpha is dropped).
///
/// # Errors
/// A missing or unreadable file, or one that is not a PNG or JPEG image.
pub fn load_rgb(path: &Path) -> Result<Array3<f32>> {
    let file_error = |reason: String| CnnError::File {
        path: path.display().to_string(),
        reason,
    };
    let bytes =
        std::fs::read(path).map_err(|e| file_error(format!("cannot read the file: {e}")))?;
    let decoded = image::load_from_memory(&bytes)
        .map_err(|e| file_error(format!("not a readable PNG or JPEG image: {e}")))?;
    let rgb = decoded.to_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    // `image` stores pixels row by row as [H, W, 3]; move the channels first.
    let hwc = Array3::from_shape_vec((height, width, 3), rgb.into_raw())
        .expect("an RGB buffer holds H*W*3 bytes");
    Ok(hwc.permuted_axes([2, 0, 1]).mapv(|v| v as f32 / 255.0))
}

/// Grey level of an RGB image with the ITU-R BT.601 weights
/// (`0.299 R + 0.587 G + 0.114 B`): input `[3, H, W]` -> output `[H, W]`.
///
/// # Errors
/// An input whose first axis is not 3.
pub fn to_grayscale(rgb: ArrayView3<f32>) -> Result<Array2<f32>> {
    if rgb.len_of(Axis(0)) != 3 {
        return Err(CnnError::shape(
            "to_grayscale input",
            "[3, H, W]",
            rgb.shape(),
        ));
    }
    Ok(&rgb.index_axis(Axis(0), 0) * 0.299
        + &rgb.index_axis(Axis(0), 1) * 0.587
        + &rgb.index_axis(Axis(0), 2) * 0.114)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named() {
        let e = load_rgb(Path::new("no/such/photo.png"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("no/such/photo.png: cannot read the file"),
            "{e}"
        );
    }

    #[test]
    fn a_text_file_is_not_an_image() {
        let path =
            std::env::temp_dir().join(format!("cnn-core-not-an-image-{}.png", std::process::id()));
        std::fs::write(&path, "hello").unwrap();
        let e = load_rgb(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(e.contains("not a readable PNG or JPEG image"), "{e}");
    }

    #[test]
    fn grey_of_white_is_one() {
        let white = Array3::<f32>::ones((3, 2, 2));
        let grey = to_grayscale(white.view()).unwrap();
        assert!(grey.iter().all(|&v| (v - 1.0).abs() < 1e-6));
        assert!(to_grayscale(Array3::<f32>::ones((1, 2, 2)).view()).is_err());
    }
}
