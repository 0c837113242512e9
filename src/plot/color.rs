//! How values become colours: the colour scales of maps, and the palette of chart lines.

use ndarray::{Array3, ArrayView2};
use plotters::prelude::*;

/// How values are turned into colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScale {
    /// Black (low) to white (high): photos and grey images.
    Gray,
    /// Blue (negative) through white (zero) to red (positive): signed values such as
    /// convolution outputs and kernels. The range is made symmetric around zero.
    Diverging,
    /// Dark purple to yellow (matplotlib's viridis): non-negative values such as
    /// pooled or ReLU maps.
    Viridis,
    /// [`ColorScale::Diverging`] with the colour's strength proportional to the
    /// square root of `|value|`: for maps such as edge maps, whose few large values
    /// would leave everything else pale on a linear scale. Nothing is clipped; the
    /// colour bar shows the compression.
    DivergingSqrt,
    /// [`ColorScale::Viridis`] with the colour proportional to the square root of the
    /// value's distance from the low end, for the same reason.
    ViridisSqrt,
}

impl ColorScale {
    /// The colour for `value` on a scale from `low` to `high`.
    pub(super) fn color(self, value: f32, low: f32, high: f32) -> RGBColor {
        let t = if high > low {
            ((value - low) / (high - low)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let diverging =
            || DerivedColorMap::new(&[RGBColor(33, 102, 172), WHITE, RGBColor(178, 24, 43)]);
        match self {
            ColorScale::Gray => BlackWhite.get_color(t),
            ColorScale::Diverging => diverging().get_color(t),
            ColorScale::Viridis => ViridisRGB.get_color(t),
            // t - 1/2 in [-1/2, 1/2] is the signed share of the range; take its root.
            ColorScale::DivergingSqrt => {
                let centred = 2.0 * t - 1.0; // [-1, 1]
                let compressed = centred.signum() * centred.abs().sqrt();
                diverging().get_color(0.5 + 0.5 * compressed)
            }
            ColorScale::ViridisSqrt => ViridisRGB.get_color(t.sqrt()),
        }
    }

    /// The range `[low, high]` the colours span: `fixed` when given, otherwise one
    /// that holds every value of `maps` (symmetric around zero for
    /// [`ColorScale::Diverging`]).
    pub(super) fn range_for<'a>(
        self,
        fixed: Option<(f32, f32)>,
        maps: impl IntoIterator<Item = ArrayView2<'a, f32>>,
    ) -> (f32, f32) {
        if let Some(range) = fixed {
            return range;
        }
        let (min, max) = maps
            .into_iter()
            .map(min_max)
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (a, b)| {
                (lo.min(a), hi.max(b))
            });
        match self {
            ColorScale::Diverging | ColorScale::DivergingSqrt => {
                let extent = min.abs().max(max.abs()).max(f32::MIN_POSITIVE);
                (-extent, extent)
            }
            _ => (min, max),
        }
    }
}

/// The smallest and largest value of a map (`(0, 0)` for an empty one).
fn min_max(data: ArrayView2<f32>) -> (f32, f32) {
    if data.is_empty() {
        return (0.0, 0.0);
    }
    data.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    })
}

/// Colours for successive series and bars (colour-blind friendly, from Okabe and Ito).
pub(super) const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// A map as an RGB image `[3, H, W]` in `[0, 1]`, coloured with `scale` over
/// `range` (or the map's own range), so that it can sit beside photos in an
/// [`image_gallery`](super::image_gallery) or be blended over one.
pub fn colorize(map: ArrayView2<f32>, scale: ColorScale, range: Option<(f32, f32)>) -> Array3<f32> {
    let (low, high) = scale.range_for(range, [map]);
    let (rows, columns) = map.dim();
    let mut image = Array3::zeros((3, rows, columns));
    for ((row, column), &value) in map.indexed_iter() {
        let RGBColor(r, g, b) = scale.color(value, low, high);
        image[[0, row, column]] = r as f32 / 255.0;
        image[[1, row, column]] = g as f32 / 255.0;
        image[[2, row, column]] = b as f32 / 255.0;
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ranges_come_from_every_map_and_diverging_ones_are_symmetric() {
        let a = array![[1.0f32, -2.0]];
        let b = array![[3.0f32, 0.5]];
        let maps = [a.view(), b.view()];
        assert_eq!(ColorScale::Viridis.range_for(None, maps), (-2.0, 3.0));
        assert_eq!(ColorScale::Diverging.range_for(None, maps), (-3.0, 3.0));
        assert_eq!(
            ColorScale::Gray.range_for(Some((0.0, 1.0)), maps),
            (0.0, 1.0)
        );
    }

    #[test]
    fn square_root_scales_keep_their_ends_and_brighten_small_values() {
        for (linear, root) in [
            (ColorScale::Diverging, ColorScale::DivergingSqrt),
            (ColorScale::Viridis, ColorScale::ViridisSqrt),
        ] {
            for end in [-2.0, 2.0] {
                assert_eq!(root.color(end, -2.0, 2.0), linear.color(end, -2.0, 2.0));
            }
            // A quarter of the way from the middle on the linear scale is halfway on
            // the root scale (diverging); a sixteenth is a quarter (viridis).
            let (value, same) = match root {
                ColorScale::DivergingSqrt => (0.5, 1.0),
                _ => (-2.0 + 4.0 / 16.0, -1.0),
            };
            assert_eq!(root.color(value, -2.0, 2.0), linear.color(same, -2.0, 2.0));
        }
        let map = array![[1.0f32, -2.0]];
        let range = ColorScale::DivergingSqrt.range_for(None, [map.view()]);
        assert_eq!(range, (-2.0, 2.0));
    }

    #[test]
    fn colorize_spans_the_scale_from_low_to_high() {
        let map = array![[0.0f32, 1.0]];
        let image = colorize(map.view(), ColorScale::Gray, None);
        assert_eq!(image.shape(), &[3, 1, 2]);
        assert_eq!(image[[0, 0, 0]], 0.0);
        assert_eq!(image[[0, 0, 1]], 1.0);
    }
}
