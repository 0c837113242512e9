//! Short ways to say what the examples' figures need, so that an example's `figure()`
//! holds only what it shows: which maps, which colours, which curves.
//!
//! - [`MapStyle`] constructors: `MapStyle::gray(240).annotated().with_range(0.0, 1.0)`
//!   instead of a four-field literal.
//! - [`map`]: one map of a batch, `[N, C, H, W] -> [H, W]`, for a [`Panel`](crate::plot::Panel).
//! - [`Series::indexed`]: a curve through `(t, value[t])`.
//!
//! The drawing itself is in [`crate::plot`].

use ndarray::{Array4, ArrayView2, s};

use crate::plot::{ColorScale, MapStyle, Series, TextSizes};

impl MapStyle {
    /// Maps on `scale`, each `map_pixels` on its longer side, unannotated, coloured
    /// over the range of their data.
    pub fn new(scale: ColorScale, map_pixels: u32) -> MapStyle {
        MapStyle {
            scale,
            annotate: false,
            range: None,
            map_pixels,
            text: TextSizes::NORMAL,
        }
    }

    /// Black to white: photos and grey images.
    pub fn gray(map_pixels: u32) -> MapStyle {
        MapStyle::new(ColorScale::Gray, map_pixels)
    }

    /// Blue through white to red: signed values such as kernels and convolution outputs.
    pub fn diverging(map_pixels: u32) -> MapStyle {
        MapStyle::new(ColorScale::Diverging, map_pixels)
    }

    /// Dark purple to yellow: non-negative values such as pooled or ReLU maps.
    pub fn viridis(map_pixels: u32) -> MapStyle {
        MapStyle::new(ColorScale::Viridis, map_pixels)
    }

    /// Blue through white to red with the colour's strength growing as the square
    /// root of `|value|`: signed maps whose few large values would leave the rest pale.
    pub fn diverging_sqrt(map_pixels: u32) -> MapStyle {
        MapStyle::new(ColorScale::DivergingSqrt, map_pixels)
    }

    /// Viridis with the colour growing as the square root of the value: non-negative
    /// maps whose few large values would leave the rest dark.
    pub fn viridis_sqrt(map_pixels: u32) -> MapStyle {
        MapStyle::new(ColorScale::ViridisSqrt, map_pixels)
    }

    /// The same style with each cell's value printed in it (for small maps).
    pub fn annotated(self) -> MapStyle {
        MapStyle {
            annotate: true,
            ..self
        }
    }

    /// The same style with larger titles and tick labels ([`TextSizes::LARGE`]), for a
    /// figure wide enough that the page shows it scaled down.
    pub fn large_text(self) -> MapStyle {
        MapStyle {
            text: TextSizes::LARGE,
            ..self
        }
    }

    /// The same style with the colours spanning `[low, high]` whatever the data.
    pub fn with_range(self, low: f32, high: f32) -> MapStyle {
        MapStyle {
            range: Some((low, high)),
            ..self
        }
    }
}

/// Channel `channel` of the first image of a batch: `[N, C, H, W] -> [H, W]`.
///
/// # Panics
/// An empty batch, or a channel the batch does not have.
pub fn map(batch: &Array4<f32>, channel: usize) -> ArrayView2<'_, f32> {
    batch.slice(s![0, channel, .., ..])
}

impl Series {
    /// The curve through `(t, values[t])`, `t = 0, 1, 2, ...`.
    pub fn indexed<'a>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = &'a f32>,
    ) -> Series {
        Series::shifted(name, values, 0)
    }

    /// The curve through `(t + offset, values[t])`: a signal drawn where it belongs
    /// on a longer one's time axis.
    pub fn shifted<'a>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = &'a f32>,
        offset: usize,
    ) -> Series {
        let points = values
            .into_iter()
            .enumerate()
            .map(|(t, &value)| ((t + offset) as f32, value))
            .collect();
        Series::new(name, points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_say_only_what_differs_from_the_default() {
        let style = MapStyle::gray(240).annotated().with_range(0.0, 1.0);
        assert_eq!(
            style,
            MapStyle {
                scale: ColorScale::Gray,
                annotate: true,
                range: Some((0.0, 1.0)),
                map_pixels: 240,
                text: TextSizes::NORMAL,
            }
        );
        assert_eq!(MapStyle::gray(240).large_text().text, TextSizes::LARGE);
        assert_eq!(MapStyle::viridis(300), MapStyle::default());
    }

    #[test]
    fn maps_and_curves() {
        let batch = Array4::from_shape_fn((2, 3, 2, 2), |(n, c, i, j)| {
            (n * 100 + c * 10 + i * 2 + j) as f32
        });
        assert_eq!(map(&batch, 2), ndarray::array![[20.0, 21.0], [22.0, 23.0]]);
        let curve = Series::shifted("x", &[5.0, 6.0], 3);
        assert_eq!(curve.points, vec![(3.0, 5.0), (4.0, 6.0)]);
        assert_eq!(Series::indexed("y", &[1.0]).points, vec![(0.0, 1.0)]);
    }
}
