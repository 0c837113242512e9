//! Figures of what a trained network sees and does, drawn by chapters 7 and 8 and by
//! the command lines that classify and explain your own photo:
//!
//! | function | draws |
//! |---|---|
//! | [`gallery`] | captioned pictures side by side ([`plot::image_gallery`] for owned pictures) |
//! | [`overview`] | every feature map of every layer for one image, and the probabilities |
//! | [`filters`] | a network's first-layer filters |
//! | [`occlusion_pair`] | a picture with its most sensitive window, beside its occlusion map |
//! | [`saliency_picture`] | a saliency map as a grey picture |

use std::path::Path;

use anyhow::{Context, Result, bail};
use cnn_core::nn::{Layer, NamedLayer, Sequential, Tensor};
use cnn_core::ops::softmax;
use cnn_core::visualize::OcclusionMap;
use ndarray::{Array2, Array3, Array4, ArrayView3, Axis, s};

use crate::plot::{self, ColorScale, MapStyle, OverviewColumn, Panel, Window};
use crate::trained::{Input, Trained, grey_picture};

/// Pictures `[3, H, W]` in `[0, 1]` side by side, each with its caption (up to two
/// lines), `columns` per row, each `pixels` wide.
///
/// # Errors
/// Those of [`plot::image_gallery`].
pub fn gallery(
    path: &Path,
    images: &[(String, Array3<f32>)],
    columns: usize,
    pixels: u32,
) -> Result<()> {
    let views: Vec<_> = images
        .iter()
        .map(|(caption, image)| (caption.clone(), image.view()))
        .collect();
    plot::image_gallery(path, &views, columns, pixels)
}

/// A network at a glance for one image `[C, H, W]`: the input's channels, then every
/// layer's feature maps in a column of their own (convolutions blue to red, the others
/// on viridis), and the class probabilities as bars.
///
/// # Errors
/// An image that does not fit the network, a network whose output is not one score
/// per class, or drawing fails.
pub fn overview(
    path: &Path,
    title: &str,
    network: &Sequential,
    image: ArrayView3<f32>,
    classes: &[&str],
) -> Result<()> {
    let outputs = network.forward_all(image.insert_axis(Axis(0)))?; // one per layer
    let mut columns = vec![OverviewColumn {
        title: "input".into(),
        maps: image.outer_iter().collect(),
        scale: ColorScale::Gray,
    }];
    for (NamedLayer { name, layer }, output) in network.layers().iter().zip(&outputs) {
        let Tensor::Maps(maps) = output else {
            continue; // flatten, dense and softmax are drawn as the bars
        };
        let scale = match layer {
            Layer::Conv2d(_) => ColorScale::Diverging,
            _ => ColorScale::Viridis,
        };
        let channels = maps.dim().1; // [1, F, H, W]
        columns.push(OverviewColumn {
            title: name.clone(),
            maps: (0..channels)
                .map(|c| maps.slice(s![0, c, .., ..]))
                .collect(),
            scale,
        });
    }
    let last = outputs
        .last()
        .context("the network has no layers")?
        .flat()?; // [1, K]
    let probabilities = match network.layers().last().map(|l| &l.layer) {
        Some(Layer::Softmax) => last.to_owned(),
        _ => softmax(last),
    };
    plot::overview(
        path,
        title,
        &columns,
        classes,
        &probabilities.row(0).to_vec(),
    )
}

/// The weights of a network's first layer, which must be a convolution: `[F, C, K, K]`.
///
/// # Errors
/// The first layer is not a convolution.
pub fn first_filters(network: &Sequential) -> Result<Array4<f32>> {
    match network.layers().first().map(|l| &l.layer) {
        Some(Layer::Conv2d(conv)) => Ok(conv.weight.clone()),
        _ => bail!("the network's first layer is not a convolution"),
    }
}

/// The first layer's filters. LeNet-5's grey 5x5 filters are drawn blue (negative)
/// to red (positive) with their values printed; Tiny VGG's 3x3x3 filters as colour
/// images, each stretched to `[0, 1]` on its own as Zeiler and Fergus show filters:
/// grey is zero, a colour is the channels a filter adds, its complement those it
/// subtracts.
///
/// # Errors
/// The first layer is not a convolution, or drawing fails.
pub fn filters(trained: &Trained, path: &Path) -> Result<()> {
    let weights = first_filters(&trained.network)?; // [F, C, K, K]
    match trained.input {
        Input::Digit(_) => {
            let panels: Vec<Panel> = (0..weights.dim().0)
                .map(|f| Panel::new(format!("filter {f}"), weights.slice(s![f, 0, .., ..])))
                .collect();
            let style = MapStyle::diverging(190).annotated().large_text();
            plot::grid(
                path,
                "LeNet-5 conv1: the six learned 5x5 filters",
                &panels,
                3,
                &style,
            )
        }
        Input::Photo => {
            let images: Vec<(String, Array3<f32>)> = weights
                .outer_iter()
                .enumerate()
                .map(|(f, w)| {
                    let extent = w.fold(0.0f32, |m, &v| m.max(v.abs())).max(1e-12);
                    (format!("filter {f}"), w.mapv(|v| 0.5 + 0.5 * v / extent))
                })
                .collect();
            gallery(path, &images, 5, 96)
        }
    }
}

/// A picture with the window whose hiding lowered the probability most outlined in
/// red, and beside it the occlusion map at the picture's resolution, coloured from its
/// own lowest value (dark) to its highest (yellow), both given in the caption: two
/// captioned pictures for a [`gallery`].
pub fn occlusion_pair(
    name: &str,
    class: &str,
    picture: &Array3<f32>,
    map: &OcclusionMap,
) -> [(String, Array3<f32>); 2] {
    let (_, height, width) = picture.dim();
    let (row, column) = map.most_sensitive();
    let mut boxed = picture.clone();
    let window = Window {
        row,
        column,
        height: map.window,
        width: map.window,
    };
    plot::outline(&mut boxed, window, [1.0, 0.0, 0.0]);
    let per_pixel = map.per_pixel(height, width);
    let low = per_pixel.fold(f32::INFINITY, |m, &v| m.min(v));
    let high = per_pixel.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let high = if high > low { high } else { low + 1e-6 };
    let colored = plot::colorize(per_pixel.view(), ColorScale::Viridis, Some((low, high)));
    [
        (format!("{name}\n{class}, p = {:.2}", map.unoccluded), boxed),
        (
            format!("occluded: p from\n{low:.2} (dark) to {high:.2}"),
            colored,
        ),
    ]
}

/// A saliency map as a grey picture, black (0) to white (its 99th percentile or
/// more: saliency maps have a few very large pixels), and that white value.
pub fn saliency_picture(saliency: &Array2<f32>) -> (f32, Array3<f32>) {
    let mut values: Vec<f32> = saliency.iter().copied().collect();
    values.sort_by(f32::total_cmp);
    let index = ((values.len() as f32 * 0.99) as usize).min(values.len().saturating_sub(1));
    let white = values.get(index).copied().unwrap_or(0.0).max(1e-12);
    let scaled = saliency.mapv(|v| (v / white).min(1.0));
    (white, grey_picture(scaled.view()))
}
