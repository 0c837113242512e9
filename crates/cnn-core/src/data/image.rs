//! Reading images into arrays.
//!
//! An image becomes a `[3, H, W]` array of RGB values in `[0, 1]` (channels first,
//! like every array in this library). PNG and JPEG are read; anything else is an
//! error that names the file.
//!
//! A photo's size is checked from its header before its pixels are decoded: at most
//! [`MAX_SIDE`] pixels per side and [`MAX_PIXELS`] in all, and the decoder may allocate
//! at most [`MAX_DECODE_BYTES`], so a small crafted file cannot ask for gigabytes.

use std::io::Cursor;
use std::path::Path;

use image::imageops::{self, FilterType};
use image::{ImageReader, Limits, RgbImage};
use ndarray::{Array2, Array3, ArrayView3, Axis};

use crate::data::files::read_limited;
use crate::error::{CnnError, Result};

/// The largest width or height of an image that is read (a 50-megapixel camera
/// takes 8,688 x 5,792 photos).
pub const MAX_SIDE: u32 = 12_000;
/// The most pixels an image may have (a 40-megapixel photo is 7,746 x 5,164).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The most memory the decoder may allocate for one image.
pub const MAX_DECODE_BYTES: u64 = 512 << 20;
/// The largest image file that is read.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Load a PNG or JPEG as RGB values in `[0, 1]`: output `[3, H, W]`.
///
/// Grey and RGBA images are converted to RGB (alpha is dropped).
///
/// # Errors
/// A missing or unreadable file, or one that is not a PNG or JPEG image.
pub fn load_rgb(path: &Path) -> Result<Array3<f32>> {
    Ok(rgb_to_array(&decode_rgb(path)?))
}

/// Decode a PNG or JPEG file into 8-bit RGB pixels.
///
/// # Errors
/// A missing or unreadable file, or one that is not a PNG or JPEG image; the
/// message names the file.
pub fn decode_rgb(path: &Path) -> Result<RgbImage> {
    let bytes = read_limited(path, MAX_FILE_BYTES)?;
    let reader = || {
        ImageReader::new(Cursor::new(bytes.as_slice()))
            .with_guessed_format()
            .map_err(|e| CnnError::io(path, e))
    };
    let not_an_image = |source| CnnError::Image {
        path: path.to_path_buf(),
        source,
    };
    let (width, height) = reader()?.into_dimensions().map_err(not_an_image)?;
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(CnnError::format(
            path,
            format!(
                "the image is {width} x {height} pixels; images of 1 to {MAX_SIDE} pixels per side \
                 and at most {MAX_PIXELS} pixels are read"
            ),
        ));
    }
    let mut reader = reader()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Ok(reader.decode().map_err(not_an_image)?.to_rgb8())
}

/// 8-bit RGB pixels as values in `[0, 1]` (each divided by 255), channels first.
///
/// `image: H x W pixels -> output: [3, H, W]`
pub fn rgb_to_array(image: &RgbImage) -> Array3<f32> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    // `image` stores pixels row by row as [H, W, 3]; move the channels first.
    let hwc = Array3::from_shape_vec((height, width, 3), image.as_raw().clone())
        .expect("an RGB buffer holds H*W*3 bytes");
    hwc.permuted_axes([2, 0, 1]).mapv(|v| v as f32 / 255.0)
}

// ANCHOR: scale_and_crop
/// Prepare a photo of any size for a network with a fixed square input, as CNN
/// Explainer does for Tiny VGG: scale the image so its shorter side is `short_side`
/// pixels (keeping its proportions), then cut out the central `crop x crop` square.
/// An image that is already `crop x crop` is returned unchanged.
///
/// The crop starts at `size / 2 - crop / 2` in each direction (integer division),
/// as in CNN Explainer's `cropCentralSquare`; for a side of 65 that is pixel 0.
/// (The site's `imageDataTo3DTensor` in `src/utils/cnn-tf.js` also reads the pixels of
/// a non-square photo column by column, which transposes it; that looks unintended,
/// and is not copied here.)
///
/// Scaling uses the `image` crate's `Triangle` filter (linear interpolation). The
/// browser's canvas, which the site uses, also interpolates linearly by default, and
/// the crate widens the triangle when it shrinks an image, so every pixel of a large
/// photo contributes to the result instead of a few being picked (which would alias).
/// Browsers differ in the details, so a large photo can give slightly different
/// numbers here and on the site; a 64x64 image gives the same pixels everywhere.
///
/// # Errors
/// A `crop` of zero or larger than `short_side`, an empty image, or one so long and
/// thin that scaling its short side up would make its long side more than
/// [`MAX_SIDE`] pixels.
pub fn scale_and_center_crop(image: &RgbImage, short_side: u32, crop: u32) -> Result<RgbImage> {
    if crop == 0 || crop > short_side {
        return Err(CnnError::setting(format!(
            "centre crop {crop} must be between 1 and the scaled short side {short_side}"
        )));
    }
    let (width, height) = image.dimensions();
    if (width, height) == (crop, crop) {
        return Ok(image.clone());
    }
    if width == 0 || height == 0 {
        return Err(CnnError::setting(format!(
            "an image of {width} x {height} pixels has nothing to crop"
        )));
    }
    // Integer arithmetic, so the short side comes out exactly `short_side`.
    let shorter = u64::from(width.min(height));
    let scale = |side: u32| u64::from(side) * u64::from(short_side) / shorter;
    let (scaled_w, scaled_h) = (scale(width), scale(height));
    if scaled_w.max(scaled_h) > u64::from(MAX_SIDE) {
        return Err(CnnError::setting(format!(
            "the image of {width} x {height} pixels is too long and thin: scaling its short side \
             to {short_side} would make it {scaled_w} x {scaled_h} (at most {MAX_SIDE} per side)"
        )));
    }
    let (scaled_w, scaled_h) = (scaled_w as u32, scaled_h as u32);
    let scaled = imageops::resize(image, scaled_w, scaled_h, FilterType::Triangle);
    let left = scaled_w / 2 - crop / 2;
    let top = scaled_h / 2 - crop / 2;
    Ok(imageops::crop_imm(&scaled, left, top, crop, crop).to_image())
}
// ANCHOR_END: scale_and_crop

/// Load a PNG or JPEG and prepare it with [`scale_and_center_crop`]:
/// output `[3, crop, crop]` in `[0, 1]`.
///
/// # Errors
/// Those of [`decode_rgb`] and [`scale_and_center_crop`].
pub fn load_rgb_center_crop(path: &Path, short_side: u32, crop: u32) -> Result<Array3<f32>> {
    let image = decode_rgb(path)?;
    let prepared = scale_and_center_crop(&image, short_side, crop)?;
    Ok(rgb_to_array(&prepared))
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
        assert!(e.starts_with("no/such/photo.png: No such file"), "{e}");
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
    fn a_huge_image_is_refused_from_its_header() {
        // A PNG that claims 1 x 2,000,000 pixels is a few kilobytes but would decode to
        // gigabytes of floats: its size is refused before its pixels are read.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("thin.png");
        RgbImage::new(1, 20_000).save(&path).unwrap();
        let e = load_rgb(&path).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "the image is 1 x 20000 pixels; images of 1 to 12000 pixels per side \
                 and at most 40000000 pixels are read"
            ),
            "{e}"
        );
        // Long and thin but within the limit: scaling it up would exceed it.
        let thin = RgbImage::new(2, 4000);
        let e = scale_and_center_crop(&thin, 65, 64)
            .unwrap_err()
            .to_string();
        assert!(e.contains("too long and thin"), "{e}");
    }

    #[test]
    fn a_large_image_is_scaled_to_65_then_centre_cropped() {
        // 130 x 260 (W x H): the short side 130 becomes 65, the long side 130.
        let image = RgbImage::from_fn(130, 260, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 0])
        });
        let crop = scale_and_center_crop(&image, 65, 64).unwrap();
        assert_eq!(crop.dimensions(), (64, 64));
        // Columns start at 65/2 - 32 = 0, rows at 130/2 - 32 = 33; pixel (0, 0) of
        // the crop is pixel (0, 66) of the original, near its left edge.
        let red = crop.get_pixel(0, 0)[0];
        let green = crop.get_pixel(0, 0)[1];
        assert!(red <= 2, "{red}");
        assert!((65..=68).contains(&green), "{green}");
        // A 64x64 image is untouched, and a crop larger than the short side is an error.
        let small = RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3]));
        assert_eq!(scale_and_center_crop(&small, 65, 64).unwrap(), small);
        assert!(scale_and_center_crop(&small, 65, 66).is_err());
    }

    #[test]
    fn grey_of_white_is_one() {
        let white = Array3::<f32>::ones((3, 2, 2));
        let grey = to_grayscale(white.view()).unwrap();
        assert!(grey.iter().all(|&v| (v - 1.0).abs() < 1e-6));
        assert!(to_grayscale(Array3::<f32>::ones((1, 2, 2)).view()).is_err());
    }
}
