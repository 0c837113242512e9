//! Photos and other RGB images, as PNG: one alone, or a captioned gallery. Images
//! are `[3, H, W]` arrays with values in `[0, 1]`.

use std::path::Path;

use anyhow::Result;
use ndarray::{Array3, ArrayView3};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas;
use super::error::PlotError;
use super::heatmap::{GAP, Window, map_size};

/// An RGB image as PNG, without axes: `[3, H, W]` values in `[0, 1]`, scaled so its
/// longer side is `longest` pixels (nearest neighbour, so pixels stay visible).
///
/// # Errors
/// A first axis other than 3, an empty image, or writing fails.
pub fn rgb_image(path: &Path, image: ArrayView3<f32>, longest: u32) -> Result<()> {
    if let Some(problem) = not_an_rgb_image(image) {
        return Err(PlotError::invalid("RGB image", path, problem).into());
    }
    let (_, rows, columns) = image.dim();
    let size = map_size((rows, columns), longest);
    canvas::write_png(path, &nearest_pixels(image, size), size)?;
    Ok(())
}

/// Small RGB images side by side, each with a caption of up to two lines under it
/// (lines separated by `\n`), as PNG: `[3, H, W]` values in `[0, 1]`, drawn
/// `pixels` wide with nearest-neighbour scaling. The captions are
/// 16 pixels high, readable when the page shows a gallery of about 800
/// pixels scaled down to its width; a caption line wider than its image runs into
/// the gap beside it, so keep lines to about `pixels / 9` characters.
///
/// # Errors
/// No images, an image that is not `[3, H, W]` or is empty, or drawing or writing
/// fails.
pub fn image_gallery(
    path: &Path,
    images: &[(String, ArrayView3<f32>)],
    columns: usize,
    pixels: u32,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let images: Vec<(String, ArrayView3<f32>)> =
            images.iter().map(|(c, i)| (edition.text(c), *i)).collect();
        draw_image_gallery(path, &images, columns, pixels)
    })
}

/// [`image_gallery`] in one edition.
fn draw_image_gallery(
    path: &Path,
    images: &[(String, ArrayView3<f32>)],
    columns: usize,
    pixels: u32,
) -> Result<()> {
    check_images("image gallery", path, images)?;
    let columns = columns.clamp(1, images.len());
    let rows = images.len().div_ceil(columns) as u32;
    let caption = 2 * CAPTION_LINE + 8;
    let cell_w = pixels + 2 * GAP;
    let cell_h = pixels + caption + GAP;
    let (width, height) = (columns as u32 * cell_w, rows * cell_h + GAP);
    canvas::png(path, (width, height), |page| {
        let font = canvas::text_style(CAPTION_PIXELS, HPos::Center, VPos::Top);
        for (index, (text, image)) in images.iter().enumerate() {
            let left = (index % columns) as u32 * cell_w + GAP;
            let top = (index / columns) as u32 * cell_h + GAP;
            let rgb = nearest_pixels(*image, (pixels, pixels));
            for (i, pixel) in rgb.chunks_exact(3).enumerate() {
                let (x, y) = (i as u32 % pixels, i as u32 / pixels);
                let at = ((left + x) as i32, (top + y) as i32);
                page.draw_pixel(at, &RGBColor(pixel[0], pixel[1], pixel[2]))?;
            }
            // A thin frame, so that a white image stands out from the white page.
            let frame = [
                (left as i32 - 1, top as i32 - 1),
                ((left + pixels) as i32, (top + pixels) as i32),
            ];
            page.draw(&Rectangle::new(frame, RGBColor(160, 160, 160)))?;
            for (line, words) in text.lines().take(2).enumerate() {
                let at = (
                    (left + pixels / 2) as i32,
                    (top + pixels + 4 + CAPTION_LINE * line as u32) as i32,
                );
                page.draw(&Text::new(words, at, font.clone()))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// RGB images side by side in one figure, `columns` per row, each drawn `width`
/// pixels wide with its own proportions (nearest-neighbour scaling) and a caption of
/// up to two lines under it (lines separated by `\n`), under an optional title. PNG.
///
/// This is how the book shows images meant to be compared: one figure, so they stay
/// side by side on every screen, and a caption per image.
///
/// # Errors
/// No images, an image that is not `[3, H, W]` or is empty, or drawing or writing
/// fails.
pub fn captioned_images(
    path: &Path,
    title: &str,
    images: &[(String, ArrayView3<f32>)],
    columns: usize,
    width: u32,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let images: Vec<(String, ArrayView3<f32>)> =
            images.iter().map(|(c, i)| (edition.text(c), *i)).collect();
        draw_captioned_images(path, &edition.text(title), &images, columns, width)
    })
}

/// [`captioned_images`] in one edition.
fn draw_captioned_images(
    path: &Path,
    title: &str,
    images: &[(String, ArrayView3<f32>)],
    columns: usize,
    width: u32,
) -> Result<()> {
    check_images("captioned images", path, images)?;
    let columns = columns.clamp(1, images.len());
    let heights: Vec<u32> = images
        .iter()
        .map(|(_, image)| {
            let (_, rows, cols) = image.dim();
            ((width as f32 * rows as f32 / cols as f32).round() as u32).max(1)
        })
        .collect();
    let caption_h = images
        .iter()
        .map(|(text, _)| text.lines().take(2).count() as u32 * 18)
        .max()
        .unwrap_or(0)
        + 6;
    let row_heights: Vec<u32> = heights
        .chunks(columns)
        .map(|row| row.iter().copied().max().unwrap_or(1) + caption_h + GAP)
        .collect();
    let band = if title.is_empty() {
        GAP
    } else {
        canvas::TITLE_HEIGHT
    };
    let page_w = GAP + columns as u32 * (width + GAP);
    let page_h = band + row_heights.iter().sum::<u32>();
    canvas::png(path, (page_w, page_h), |page| {
        canvas::title(page, title, page_w as i32 / 2)?;
        let font = canvas::text_style(14, HPos::Center, VPos::Top);
        for (index, ((text, image), &height)) in images.iter().zip(&heights).enumerate() {
            let (row, column) = (index / columns, index % columns);
            let left = GAP + column as u32 * (width + GAP);
            let top = band + row_heights[..row].iter().sum::<u32>();
            let rgb = nearest_pixels(*image, (width, height));
            for (i, pixel) in rgb.chunks_exact(3).enumerate() {
                let (x, y) = (i as u32 % width, i as u32 / width);
                let at = ((left + x) as i32, (top + y) as i32);
                page.draw_pixel(at, &RGBColor(pixel[0], pixel[1], pixel[2]))?;
            }
            let frame = [
                (left as i32 - 1, top as i32 - 1),
                ((left + width) as i32, (top + height) as i32),
            ];
            page.draw(&Rectangle::new(frame, RGBColor(160, 160, 160)))?;
            let row_bottom = top + row_heights[row] - caption_h - GAP;
            for (line, words) in text.lines().take(2).enumerate() {
                let at = (
                    (left + width / 2) as i32,
                    (row_bottom + 5 + 18 * line as u32) as i32,
                );
                page.draw(&Text::new(words, at, font.clone()))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The height of a gallery's captions, and the distance between their lines.
const CAPTION_PIXELS: u32 = 16;
const CAPTION_LINE: u32 = 19;

/// Refuses an empty list, or an image that [`not_an_rgb_image`] refuses, naming it.
fn check_images(
    figure: &'static str,
    path: &Path,
    images: &[(String, ArrayView3<f32>)],
) -> std::result::Result<(), PlotError> {
    if images.is_empty() {
        return Err(PlotError::invalid(
            figure,
            path,
            "needs at least one [3, H, W] image",
        ));
    }
    match images
        .iter()
        .enumerate()
        .find_map(|(index, (_, image))| Some((index, not_an_rgb_image(*image)?)))
    {
        Some((index, problem)) => Err(PlotError::invalid(
            figure,
            path,
            format!("image {index}: {problem}"),
        )),
        None => Ok(()),
    }
}

/// Why `image` cannot be drawn as an RGB image, if it cannot.
fn not_an_rgb_image(image: ArrayView3<f32>) -> Option<String> {
    let (channels, rows, columns) = image.dim();
    if channels != 3 {
        Some(format!("expects [3, H, W], got {:?}", image.shape()))
    } else if rows == 0 || columns == 0 {
        Some(format!("the image is empty: {:?}", image.shape()))
    } else if let Some((at, value)) = image.indexed_iter().find(|(_, v)| !v.is_finite()) {
        Some(format!(
            "the image holds {value} at [channel, row, column] {at:?}"
        ))
    } else {
        None
    }
}

/// The RGB bytes (3 per pixel, row by row) of `image` resized to `width x height`:
/// each pixel takes the colour of the nearest image cell, so cells stay sharp.
///
/// # Panics
/// An empty image (every caller checks with [`not_an_rgb_image`] first).
fn nearest_pixels(image: ArrayView3<f32>, (width, height): (u32, u32)) -> Vec<u8> {
    let (_, rows, columns) = image.dim();
    let mut bytes = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height as usize {
        let row = (y * rows / height as usize).min(rows - 1);
        for x in 0..width as usize {
            let column = (x * columns / width as usize).min(columns - 1);
            for channel in 0..3 {
                bytes.push((image[[channel, row, column]].clamp(0.0, 1.0) * 255.0).round() as u8);
            }
        }
    }
    bytes
}

/// Draw the outline of a window (one pixel wide, in `color`, RGB in `[0, 1]`) into an
/// RGB image `[3, H, W]`; the parts of the window outside the image are left out.
pub fn outline(image: &mut Array3<f32>, window: Window, color: [f32; 3]) {
    let (_, rows, columns) = image.dim();
    let bottom = window.row + window.height.max(1) - 1;
    let right = window.column + window.width.max(1) - 1;
    let mut paint = |row: usize, column: usize| {
        if row < rows && column < columns {
            for (channel, &value) in color.iter().enumerate() {
                image[[channel, row, column]] = value;
            }
        }
    };
    for column in window.column..=right {
        paint(window.row, column);
        paint(bottom, column);
    }
    for row in window.row..=bottom {
        paint(row, window.column);
        paint(row, right);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_that_are_not_rgb_or_empty_are_errors() {
        let path = std::env::temp_dir().join("never-written-image.png");
        let grey = Array3::<f32>::zeros((1, 4, 4));
        let e = rgb_image(&path, grey.view(), 64).unwrap_err();
        assert!(
            e.to_string().contains("expects [3, H, W], got [1, 4, 4]"),
            "{e}"
        );
        let empty = Array3::<f32>::zeros((3, 0, 4));
        let e = rgb_image(&path, empty.view(), 64).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let images = [("ok".to_string(), grey.view())];
        let e = image_gallery(&path, &images, 1, 32).unwrap_err();
        assert!(e.to_string().contains("image 0: expects"), "{e}");
        let e = captioned_images(&path, "", &images, 1, 32).unwrap_err();
        assert!(e.to_string().contains("image 0: expects"), "{e}");
        assert!(captioned_images(&path, "", &[], 1, 32).is_err());
        assert!(image_gallery(&path, &[], 1, 32).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn captioned_images_keep_their_proportions_and_the_same_bytes() {
        let dir = std::env::temp_dir().join(format!("cnn-book-captioned-{}", std::process::id()));
        let wide = Array3::<f32>::from_elem((3, 10, 20), 0.5);
        let tall = Array3::<f32>::from_elem((3, 20, 10), 0.2);
        let images = [
            ("wide\n10 x 20".to_string(), wide.view()),
            ("tall".to_string(), tall.view()),
        ];
        let draw = |name: &str| {
            let path = dir.join(name);
            captioned_images(&path, "two", &images, 2, 40).unwrap();
            std::fs::read(path).unwrap()
        };
        let first = draw("a.png");
        assert_eq!(first, draw("b.png"));
        // Width: a gap, then each image 40 wide and a gap: 12 + 2 * 52 = 116.
        let size = image::load_from_memory(&first).unwrap();
        assert_eq!(size.width(), 116);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn nearest_neighbour_scaling_repeats_each_cell() {
        // One row of two cells, black and white, drawn 4x2: two columns of each.
        let mut image = Array3::<f32>::zeros((3, 1, 2));
        image.slice_mut(ndarray::s![.., 0, 1]).fill(1.0);
        let bytes = nearest_pixels(image.view(), (4, 2));
        let row = [0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255];
        assert_eq!(bytes, [row, row].concat());
    }

    #[test]
    fn outlines_stay_inside_the_image() {
        let mut image = Array3::<f32>::zeros((3, 3, 3));
        let window = Window {
            row: 1,
            column: 1,
            height: 4,
            width: 4,
        };
        outline(&mut image, window, [1.0, 0.0, 0.0]);
        let red: Vec<f32> = image
            .slice(ndarray::s![0, .., ..])
            .iter()
            .copied()
            .collect();
        assert_eq!(red, [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]);
    }
}
