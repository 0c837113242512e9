//! Chapter 8: what CNNs learn (可视化 visualization).
//!
//! `cargo run --release --example ch08_visualizing` looks inside the two trained networks
//! of the book, LeNet-5 (chapter 6, loaded from `data/trained/lenet5.cnn`) and Tiny VGG
//! (chapter 7, CNN Explainer's weights), with six methods: first-layer filters and the
//! edges they detect, feature maps and the inputs that excite a channel most, occlusion,
//! saliency, activation maximisation and inversion. It writes the chapter's tables to
//! `book/generated/ch08/` and its figures to `book/figures/ch08/`.
//!
//! To run one method on your own image, see `examples/explain_photo.rs`.

use anyhow::{Context, Result, ensure};
use clap::Parser;
use cnn_book::network_figures::{self, gallery, occlusion_pair, saliency_picture};
use cnn_book::output::repo_root;
use cnn_book::plot::{self, ChartPanel, Labels, MapStyle, Panel, Series, Window};
use cnn_book::trained::{MNIST, Trained};
use cnn_book::{Chapter, Table, row};
use cnn_core::models::alexnet::{Stage, architecture};
use cnn_core::models::lenet::MnistData;
use cnn_core::models::tiny_vgg::{self, CLASSES};
use cnn_core::nn::{Sequential, Want};
use cnn_core::ops::conv2d;
use cnn_core::shape::{output_size, receptive_field};
use cnn_core::train::argmax;
use cnn_core::visualize::{InputWindow, deconvnet, strongest_activations};
use cnn_core::visualize::{OcclusionConfig, OcclusionMap, Target, edge_image};
use cnn_core::visualize::{invert_representation, maximize_activation, occlusion_map};
use cnn_core::visualize::{oriented_edge_response, receptive_window, saliency};
use ndarray::{Array1, Array2, Array3, Array4, ArrayView3, Axis, s};

/// Every figure and table of chapter 8 (no options).
#[derive(Debug, Parser)]
#[command(about = "Chapter 8: look inside LeNet-5 and Tiny VGG and write the chapter's figures")]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch08")?;
    let Networks { lenet, vgg, digits } = Networks::load()?;

    // 1. Filters and the edges they detect.
    let filters = Filters::compute(&lenet, &vgg)?;
    filters.figures(&chapter, &lenet, &vgg)?;
    chapter.publish("edge_lenet", &filters.table_lenet())?;
    chapter.publish("edge_tiny_vgg", &filters.table_tiny_vgg())?;

    // 2. Feature maps, and the inputs that excite a channel most.
    let digit = digits.image(SHOWN_DIGITS[0]);
    let title = "LeNet-5: every feature map for a test digit, each layer on its own colour scale";
    let path = chapter.figure("feature_maps_lenet.png");
    network_figures::overview(&path, title, &lenet.network, digit.view(), &lenet.classes())?;
    let strongest = Strongest::compute(&lenet, &digits)?;
    strongest.figure(&chapter)?;
    chapter.publish("strongest_lenet", &strongest.table())?;
    chapter.write_value("strongest_searched", strongest.searched)?;

    // 2b. The deconvnet, and what it found in AlexNet's first layer.
    let deconv = Deconvnets::compute(&lenet, &vgg, &digits)?;
    deconv.figures(&chapter)?;
    chapter.publish("deconvnet", &deconv.table())?;
    let first_layer = FirstLayers::compute()?;
    chapter.publish("alexnet_first_layer", &first_layer.table())?;
    first_layer.aliasing_figure(&chapter)?;

    // 3. Occlusion.
    let occlusion = Occlusion::compute(&lenet, &vgg, &digits)?;
    occlusion.figures(&chapter)?;
    chapter.publish("occlusion", &occlusion.table())?;
    chapter.write_value("vgg_occlusion", describe_occlusion(VGG_OCCLUSION, 64)?)?;
    chapter.write_value(
        "lenet_occlusion",
        describe_occlusion(lenet_occlusion(&lenet), 28)?,
    )?;

    // 4. Saliency.
    let saliency = SaliencyMaps::compute(&lenet, &vgg, &digits)?;
    saliency.figures(&chapter)?;
    chapter.publish("saliency", &saliency.table())?;

    // 5. Activation maximisation.
    let maximized = Maximization::compute(&lenet, &vgg)?;
    maximized.figures(&chapter)?;
    chapter.publish("maximize", &maximized.table())?;

    // 6. Inversion.
    let inversion = Inversions::compute(&lenet, &vgg, &digits)?;
    inversion.figures(&chapter)?;
    let (photo_rows, digit_rows) = (&inversion.tiny_vgg, &inversion.lenet);
    chapter.publish("inversion_tiny_vgg", &Inversions::table(photo_rows))?;
    chapter.publish("inversion_lenet", &Inversions::table(digit_rows))?;

    chapter.finish()?;
    println!("figures in book/figures/ch08/, tables in book/generated/ch08/");
    Ok(())
}

// ---------------------------------------------------------------------------
// The two networks and the test digits.
// ---------------------------------------------------------------------------

/// How many test digits the chapter searches.
pub const DIGITS_SEARCHED: usize = 1000;
/// The test digits the chapter shows, by index in the test set.
pub const SHOWN_DIGITS: [usize; 3] = [0, 1, 4];

/// Test digits, normalised for LeNet-5.
pub struct Digits {
    /// `[N, 1, 28, 28]`.
    pub images: Array4<f32>,
    pub labels: Vec<usize>,
}

impl Digits {
    /// Digit `index` as one image `[1, 28, 28]`.
    pub fn image(&self, index: usize) -> Array3<f32> {
        self.images.index_axis(Axis(0), index).to_owned()
    }
}

/// What the chapter looks into.
pub struct Networks {
    pub lenet: Trained,
    pub vgg: Trained,
    /// The first [`DIGITS_SEARCHED`] test digits.
    pub digits: Digits,
}

impl Networks {
    pub fn load() -> Result<Networks> {
        // ANCHOR: load_lenet
        // The digits are normalised with the training pixels' statistics, as in chapter 6.
        let mnist = MnistData::load(&repo_root().join(MNIST))?;
        // data/trained/lenet5.cnn, trained in chapter 6 and never retrained here.
        let lenet = Trained::lenet5(mnist.normalization)?;
        // ANCHOR_END: load_lenet
        let images = mnist.test().images.slice(0..DIGITS_SEARCHED); // normalised
        let digits = Digits {
            images: images.to_floats(),
            labels: mnist.test_labels[..DIGITS_SEARCHED].to_vec(),
        };
        let vgg = Trained::tiny_vgg()?;
        Ok(Networks { lenet, vgg, digits })
    }
}

/// One of CNN Explainer's sample photos, `[3, 64, 64]`.
pub fn sample(name: &str) -> Result<Array3<f32>> {
    let path = repo_root().join(format!("data/cnn-explainer/png/{name}.png"));
    Ok(tiny_vgg::load_image(&path)?)
}

// ---------------------------------------------------------------------------
// 1. First-layer filters, and the edges they detect.
// ---------------------------------------------------------------------------

/// Angles of the test edges: every 15 degrees.
pub fn edge_angles() -> Vec<f32> {
    (0..24).map(|k| 15.0 * k as f32).collect()
}

pub struct Filters {
    /// LeNet-5's conv1 weights `[6, 1, 5, 5]`.
    pub lenet: Array4<f32>,
    /// Tiny VGG's conv_1_1 weights `[10, 3, 3, 3]`.
    pub tiny_vgg: Array4<f32>,
    /// Responses to the edges at [`edge_angles`]: `[6, 24]` and `[10, 24]`.
    pub lenet_response: Array2<f32>,
    pub tiny_vgg_response: Array2<f32>,
}

impl Filters {
    pub fn compute(lenet: &Trained, vgg: &Trained) -> Result<Filters> {
        let lenet_weights = network_figures::first_filters(&lenet.network)?; // [6, 1, 5, 5]
        let vgg_weights = network_figures::first_filters(&vgg.network)?; // [10, 3, 3, 3]
        // ANCHOR: edges
        let angles = edge_angles();
        let lenet_response = oriented_edge_response(lenet_weights.view(), &angles)?; // [6, 24]
        // ANCHOR_END: edges
        let tiny_vgg_response = oriented_edge_response(vgg_weights.view(), &angles)?; // [10, 24]
        Ok(Filters {
            lenet: lenet_weights,
            tiny_vgg: vgg_weights,
            lenet_response,
            tiny_vgg_response,
        })
    }

    pub fn figures(&self, chapter: &Chapter, lenet: &Trained, vgg: &Trained) -> Result<()> {
        network_figures::filters(lenet, &chapter.figure("filters_lenet.png"))?;
        network_figures::filters(vgg, &chapter.figure("filters_tiny_vgg.png"))?;
        // The test edges at every 45 degrees, as grey images in thin frames (their
        // white half would vanish on the white page otherwise): -1 black, +1 white.
        let edges: Vec<(String, Array3<f32>)> = (0..8)
            .map(|k| {
                let edge = edge_image(5, 5, 45.0 * k as f32).mapv(|e| (e + 1.0) / 2.0);
                let grey = edge.insert_axis(Axis(0)); // [1, 5, 5]
                let rgb = ndarray::concatenate(Axis(0), &[grey.view(), grey.view(), grey.view()]);
                (format!("{}°", 45 * k), rgb.expect("three equal channels"))
            })
            .collect();
        let edges: Vec<(String, ArrayView3<f32>)> =
            edges.iter().map(|(t, e)| (t.clone(), e.view())).collect();
        let title = "Test edges (5x5): bright side towards the angle";
        plot::captioned_images(&chapter.figure("edges.png"), title, &edges, 8, 80)?;

        // One small chart per filter, so that no legend covers a curve; each title
        // names the angle of the curve's peak.
        let angles = edge_angles();
        let panels: Vec<ChartPanel> = (self.lenet_response.outer_iter().enumerate())
            .map(|(f, row)| {
                let points = angles.iter().zip(row).map(|(&a, &r)| (a, r));
                let best = angles[argmax(&row.to_vec())];
                ChartPanel {
                    title: format!("filter {f}: peak at {best}°"),
                    series: vec![Series::new("response", points.collect())],
                    shaded: Vec::new(),
                }
            })
            .collect();
        let title = "LeNet-5 conv1: response to a step edge";
        let labels = Labels::new(title, "angle of the bright side (°)", "response");
        plot::chart_grid(
            &chapter.figure("edge_response_lenet.svg"),
            &labels,
            &panels,
            2,
        )
    }

    /// Preferred edge of each filter: the angle of the largest response.
    fn table(response: &Array2<f32>, weights: &Array4<f32>) -> Table {
        let angles = edge_angles();
        let mut table = Table::columns(
            "filter | preferred angle (°) | response there | response at +90° \
             | response / sum of abs(w)",
        );
        for (f, row) in response.outer_iter().enumerate() {
            let best = argmax(row.as_slice().expect("contiguous"));
            let across = (best + 6) % angles.len(); // +90 degrees
            // How much of the filter is an edge: the best response over the largest
            // possible one (sum of |w|, reached when every weight meets +-1 of its sign).
            let largest = weights.index_axis(Axis(0), f).mapv(f32::abs).sum();
            let (angle, there, at_90) = (angles[best], row[best], row[across]);
            let share = there / largest;
            row!(
                table,
                "{f} | {angle:.0} | {there:.2} | {at_90:.2} | {share:.2}"
            );
        }
        table
    }

    pub fn table_lenet(&self) -> Table {
        Filters::table(&self.lenet_response, &self.lenet)
    }

    pub fn table_tiny_vgg(&self) -> Table {
        Filters::table(&self.tiny_vgg_response, &self.tiny_vgg)
    }
}

// ---------------------------------------------------------------------------
// 2. The inputs that excite a channel most.
// ---------------------------------------------------------------------------

/// The layer of LeNet-5 whose strongest inputs the chapter shows: `act2`, the second
/// convolution after ReLU (16 channels, each unit sees 14x14 pixels).
pub const STRONGEST_LAYER: &str = "act2";
/// Channels shown, and images per channel.
pub const STRONGEST_CHANNELS: usize = 8;
pub const STRONGEST_TOP: usize = 6;

/// One of the strongest inputs of a channel: which test digit, its label, the
/// activation, and the receptive field cut out of the digit.
pub struct StrongPatch {
    pub index: usize,
    pub label: usize,
    pub value: f32,
    /// `[3, 14, 14]`, as a picture.
    pub patch: Array3<f32>,
}

pub struct Strongest {
    /// For each shown channel, its strongest inputs, strongest first.
    pub channels: Vec<Vec<StrongPatch>>,
    pub searched: usize,
}

impl Strongest {
    pub fn compute(lenet: &Trained, digits: &Digits) -> Result<Strongest> {
        let (network, images) = (&lenet.network, digits.images.view());
        // ANCHOR: strongest
        let top = strongest_activations(network, images, STRONGEST_LAYER, STRONGEST_TOP)?;
        // ANCHOR_END: strongest
        let mut channels = Vec::new();
        for found in top.iter().take(STRONGEST_CHANNELS) {
            let mut row = Vec::new();
            for strong in found {
                // The receptive field of the strongest unit, cut out of the digit.
                let (i, j) = (strong.row, strong.column);
                let window = receptive_window(network, STRONGEST_LAYER, i, j)?;
                let picture = lenet.picture(digits.image(strong.image).view());
                let shape = (3, window.height, window.width);
                let patch = Array3::from_shape_fn(shape, |(c, i, j)| {
                    let (u, v) = (window.top + i as isize, window.left + j as isize);
                    if (0..28).contains(&u) && (0..28).contains(&v) {
                        picture[[c, u as usize, v as usize]]
                    } else {
                        1.0 // padding: blank paper
                    }
                });
                row.push(StrongPatch {
                    index: strong.image,
                    label: digits.labels[strong.image],
                    value: strong.value,
                    patch,
                });
            }
            channels.push(row);
        }
        let searched = digits.labels.len();
        Ok(Strongest { channels, searched })
    }

    pub fn figure(&self, chapter: &Chapter) -> Result<()> {
        let mut images = Vec::new();
        for (channel, row) in self.channels.iter().enumerate() {
            for (rank, strong) in row.iter().enumerate() {
                let (value, label) = (strong.value, strong.label);
                let first = if rank == 0 {
                    format!("channel {channel}")
                } else {
                    String::new()
                };
                images.push((
                    format!("{first}\n{value:.1} (a {label})"),
                    strong.patch.clone(),
                ));
            }
        }
        gallery(
            &chapter.figure("strongest_lenet.png"),
            &images,
            STRONGEST_TOP,
            70,
        )
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("channel | strongest value | digits of its top 6");
        for (channel, row) in self.channels.iter().enumerate() {
            let labels: Vec<String> = row.iter().map(|p| p.label.to_string()).collect();
            let (strongest, labels) = (row[0].value, labels.join(", "));
            row!(table, "{channel} | {strongest:.2} | {labels}");
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 2b. The deconvnet: which pixels made a channel fire.
// ---------------------------------------------------------------------------

/// The layers whose channels the deconvnet projects back to the pixels, and how many
/// of their channels the chapter shows.
pub const DECONV_LENET_LAYER: &str = "act2";
pub const DECONV_VGG_LAYER: &str = "relu_2_2";
pub const DECONV_CHANNELS: usize = 6;

/// One channel's strongest activation, projected back to the pixels two ways.
pub struct DeconvRow {
    pub channel: usize,
    /// The image it came from: `"a 7 (test digit 12)"` or `"koala_1"`.
    pub source: String,
    pub activation: f32,
    /// Where in the channel's map.
    pub position: (usize, usize),
    /// The input pixels that position sees.
    pub window: InputWindow,
    /// That window of the image, as a picture `[3, h, w]`.
    pub patch: Array3<f32>,
    /// That window of the deconvnet's projection, `[C, h, w]`.
    pub projection: Array3<f32>,
    /// That window of the gradient of the unit with respect to the image, `[C, h, w]`.
    pub gradient: Array3<f32>,
}

impl DeconvRow {
    /// For a digit: the share of the projection's magnitude that falls on ink, and the
    /// share of the window that is ink (what a projection spread evenly would give).
    pub fn on_ink(&self) -> Option<(f32, f32)> {
        if self.projection.dim().0 != 1 {
            return None; // a photo has no ink
        }
        // The picture shows ink dark on white paper.
        let ink = self.patch.index_axis(Axis(0), 0).mapv(|v| v < 0.5);
        let magnitude = self.projection.index_axis(Axis(0), 0).mapv(f32::abs);
        let on_ink: f32 = (magnitude.iter().zip(&ink))
            .filter(|(_, i)| **i)
            .map(|(m, _)| m)
            .sum();
        let ink_share = ink.iter().filter(|&&i| i).count() as f32 / ink.len() as f32;
        Some((on_ink / magnitude.sum().max(1e-12), ink_share))
    }

    /// The cosine of the angle between the projection and the gradient: 1 if they
    /// point the same way, 0 if they have nothing in common.
    pub fn similarity(&self) -> f32 {
        let dot = (&self.projection * &self.gradient).sum();
        let norm = |a: &Array3<f32>| a.mapv(|v| v * v).sum().sqrt();
        dot / (norm(&self.projection) * norm(&self.gradient)).max(1e-12)
    }
}

/// The window `window` of `image` `[C, H, W]`, with `fill` where it hangs over the
/// border (into a convolution's padding).
pub fn crop(image: ArrayView3<f32>, window: InputWindow, fill: f32) -> Array3<f32> {
    let (channels, height, width) = image.dim();
    Array3::from_shape_fn((channels, window.height, window.width), |(c, i, j)| {
        let (u, v) = (window.top + i as isize, window.left + j as isize);
        if (0..height as isize).contains(&u) && (0..width as isize).contains(&v) {
            image[[c, u as usize, v as usize]]
        } else {
            fill
        }
    })
}

/// The gradient of one unit of `layer` (channel, row, column) with respect to the
/// image `[C, H, W]`: what backpropagation sends down where the deconvnet sends its
/// projection.
pub fn unit_gradient(
    network: &Sequential,
    layer: &str,
    (channel, row, column): (usize, usize, usize),
    image: ArrayView3<f32>,
) -> Result<Array3<f32>> {
    let front = network.until(layer)?;
    let trace = front.forward_train(image.insert_axis(Axis(0)))?; // [1, F, H', W']
    let mut d_out = Array4::zeros(trace.output.maps()?.raw_dim());
    d_out[[0, channel, row, column]] = 1.0; // d unit / d unit
    let gradients = front.backward(&trace, &d_out, Want::Input)?;
    let d_image = gradients
        .input
        .context("Want::Input gives the input gradient")?;
    Ok(d_image.into_maps()?.index_axis_move(Axis(0), 0)) // [1, C, H, W] -> [C, H, W]
}

pub struct Deconvnets {
    pub lenet: Vec<DeconvRow>,
    pub tiny_vgg: Vec<DeconvRow>,
}

impl Deconvnets {
    /// For the first [`DECONV_CHANNELS`] channels of each layer: the image that
    /// excites the channel most (of the searched test digits, or of CNN Explainer's 21
    /// photos), projected back by the deconvnet.
    pub fn compute(lenet: &Trained, vgg: &Trained, digits: &Digits) -> Result<Deconvnets> {
        let lenet_rows = Deconvnets::rows(lenet, DECONV_LENET_LAYER, digits.images.view(), |n| {
            format!("a {} (test digit {n})", digits.labels[n])
        })?;
        let names = sample_names()?;
        let photos: Vec<Array3<f32>> = names.iter().map(|n| sample(n)).collect::<Result<_>>()?;
        let views: Vec<ArrayView3<f32>> = photos.iter().map(|p| p.view()).collect();
        let batch = ndarray::stack(Axis(0), &views)?; // [21, 3, 64, 64]
        let vgg_rows = Deconvnets::rows(vgg, DECONV_VGG_LAYER, batch.view(), |n| names[n].clone())?;
        Ok(Deconvnets {
            lenet: lenet_rows,
            tiny_vgg: vgg_rows,
        })
    }

    fn rows(
        trained: &Trained,
        layer: &str,
        images: ndarray::ArrayView4<f32>,
        source: impl Fn(usize) -> String,
    ) -> Result<Vec<DeconvRow>> {
        let network = &trained.network;
        let strongest = strongest_activations(network, images, layer, 1)?;
        let mut rows = Vec::new();
        for (channel, found) in strongest.iter().enumerate().take(DECONV_CHANNELS) {
            let image = images.index_axis(Axis(0), found[0].image); // [C, H, W]
            // ANCHOR: deconvnet_call
            let projection = deconvnet(network, layer, channel, image)?; // image: [C, H, W]
            let (row, column) = projection.position; // the channel's strongest unit
            let window = receptive_window(network, layer, row, column)?; // what it sees
            // ANCHOR_END: deconvnet_call
            let gradient = unit_gradient(network, layer, (channel, row, column), image)?;
            let picture = trained.picture(image);
            rows.push(DeconvRow {
                channel,
                source: source(found[0].image),
                activation: projection.activation,
                position: (row, column),
                window,
                patch: crop(picture.view(), window, 1.0),
                projection: crop(projection.image.view(), window, 0.0),
                gradient: crop(gradient.view(), window, 0.0),
            });
        }
        Ok(rows)
    }

    /// A projection or gradient as a picture: grey is zero. A grey one `[1, h, w]`
    /// blue (negative) to red (positive); a colour one `[3, h, w]` as Zeiler and
    /// Fergus draw theirs, each value scaled by the largest magnitude and shifted so
    /// that 0 is mid grey.
    pub fn picture(values: &Array3<f32>) -> Array3<f32> {
        let extent = values.fold(0.0f32, |m, v| m.max(v.abs())).max(1e-12);
        if values.dim().0 == 1 {
            let map = values.index_axis(Axis(0), 0);
            plot::colorize(map, plot::ColorScale::Diverging, Some((-extent, extent)))
        } else {
            values.mapv(|v| 0.5 + 0.5 * v / extent)
        }
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        for (rows, name) in [(&self.lenet, "lenet"), (&self.tiny_vgg, "tiny_vgg")] {
            let mut images = Vec::new();
            for row in rows {
                let (channel, value) = (row.channel, row.activation);
                images.push((format!("channel {channel}\n{value:.1}"), row.patch.clone()));
                images.push((
                    "deconvnet\n".to_string(),
                    Deconvnets::picture(&row.projection),
                ));
                images.push(("gradient\n".to_string(), Deconvnets::picture(&row.gradient)));
            }
            let path = chapter.figure(&format!("deconvnet_{name}.png"));
            gallery(&path, &images, 6, 98)?; // 7 pixels per pixel of a 14x14 window
        }
        Ok(())
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "network | channel | strongest image | activation | unit (row, column) \
             | pixels it sees | projection on the ink | ink in the window \
             | deconvnet and gradient alike (cosine)",
        );
        for (network, rows) in [
            (format!("LeNet-5 `{DECONV_LENET_LAYER}`"), &self.lenet),
            (format!("Tiny VGG `{DECONV_VGG_LAYER}`"), &self.tiny_vgg),
        ] {
            for row in rows {
                let (channel, source, value) = (row.channel, &row.source, row.activation);
                let ((i, j), w) = (row.position, row.window);
                let (h, wd, top, left) = (w.height, w.width, w.top, w.left);
                let similarity = row.similarity();
                let (on_ink, ink) = match row.on_ink() {
                    Some((on, ink)) => (
                        format!("{:.0}%", 100.0 * on),
                        format!("{:.0}%", 100.0 * ink),
                    ),
                    None => ("–".to_string(), "–".to_string()),
                };
                row!(
                    table,
                    "{network} | {channel} | {source} | {value:.2} | ({i}, {j}) \
                     | {h}x{wd} from ({top}, {left}) | {on_ink} | {ink} | {similarity:.2}"
                );
            }
        }
        table
    }
}

/// The names of CNN Explainer's sample photos, sorted.
pub fn sample_names() -> Result<Vec<String>> {
    let folder = repo_root().join("data/cnn-explainer/png");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&folder).with_context(|| format!("{}", folder.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "png")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.push(stem.to_string());
        }
    }
    names.sort();
    ensure!(!names.is_empty(), "no photos in {}", folder.display());
    Ok(names)
}

// ---------------------------------------------------------------------------
// 2c. What the deconvnet found in AlexNet's first layer.
// ---------------------------------------------------------------------------

/// AlexNet's first layer (96 filters of 11x11, stride 4) and the one Zeiler and
/// Fergus replaced it with (7x7, stride 2), each followed by the 3x3, stride 2 max
/// pooling, on a 224 x 224 image.
pub struct FirstLayer {
    pub name: &'static str,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    /// `output_size(224, K, S, P)`.
    pub output: usize,
    /// `(receptive field, jump)` after the convolution and after the pooling.
    pub fields: Vec<(usize, usize)>,
    /// The shapes and multiply-adds of the two stages, from their description.
    pub multiply_adds: usize,
}

pub struct FirstLayers {
    pub rows: Vec<FirstLayer>,
}

/// The input size of the ImageNet networks.
pub const IMAGENET_SIZE: usize = 224;

impl FirstLayers {
    pub fn compute() -> Result<FirstLayers> {
        let mut rows = Vec::new();
        for (name, kernel, stride, padding) in [
            ("AlexNet (Krizhevsky et al., 2012)", 11, 4, 2),
            ("Zeiler and Fergus (2014)", 7, 2, 1),
        ] {
            // ANCHOR: first_layer
            let output = output_size(IMAGENET_SIZE, kernel, stride, padding)?; // positions per side
            let fields = receptive_field(&[(kernel, stride), (3, 2)])?; // conv1, then pool1
            // ANCHOR_END: first_layer
            let stages = [Stage::Conv {
                name: "conv1",
                filters: 96,
                kernel,
                stride,
                padding,
                groups: 1,
            }];
            let shapes = architecture(&stages, [3, IMAGENET_SIZE, IMAGENET_SIZE])?;
            rows.push(FirstLayer {
                name,
                kernel,
                stride,
                padding,
                output,
                fields,
                multiply_adds: shapes[0].multiply_adds,
            });
        }
        Ok(FirstLayers { rows })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(&format!(
            "first layer | kernel, stride, padding | positions per side (224 pixels) \
             | pixels between neighbouring windows | finest stripes sampled without aliasing \
             | stripes {ALIASING_PERIOD} pixels apart look | seen by one unit after the 3x3 pooling \
             | multiply-adds (millions)"
        ));
        for row in &self.rows {
            let (name, k, s, p, output) =
                (row.name, row.kernel, row.stride, row.padding, row.output);
            let (field, jump) = row.fields[1];
            // A pattern sampled every S pixels must repeat no faster than every 2S pixels
            // (two samples per period, the Nyquist limit) to be seen as what it is.
            let finest = 2 * row.fields[0].1;
            let millions = row.multiply_adds as f64 / 1e6;
            let apparent = FirstLayers::apparent_period(s);
            row!(
                table,
                "{name} | {k}x{k}, {s}, {p} | {output} | {s} | {finest} pixels apart \
                 | {apparent:.0} pixels apart | {field}x{field}, {jump} pixels apart | {millions:.0}"
            );
        }
        table
    }

    /// Horizontal stripes 6 pixels apart, filtered by a kernel tuned to them and
    /// sampled every pixel, every 2 pixels (Zeiler and Fergus) and every 4 (AlexNet),
    /// each map drawn at the same size: sampled every 2 pixels they keep their
    /// spacing, sampled every 4 pixels they come out twice as far apart, a pattern that
    /// is not in the image.
    pub fn aliasing_figure(&self, chapter: &Chapter) -> Result<()> {
        let mut maps = Vec::new();
        let mut titles = Vec::new();
        for (title, kernel, stride) in [
            ("every pixel", 7, 1),
            ("7x7, stride 2 (Z&F)", 7, 2),
            ("11x11, stride 4 (AlexNet)", 11, 4),
        ] {
            maps.push(stripe_response(kernel, stride)?);
            titles.push(title);
        }
        let panels: Vec<Panel> = (titles.iter().zip(&maps))
            .map(|(title, map)| Panel::new(*title, map.view()))
            .collect();
        let title = format!("Stripes {ALIASING_PERIOD} pixels apart, seen at three strides");
        let style = MapStyle::diverging(200).with_range(-1.0, 1.0).large_text();
        plot::grid(&chapter.figure("aliasing.png"), &title, &panels, 3, &style)
    }

    /// The period, in pixels, that stripes [`ALIASING_PERIOD`] pixels apart appear to
    /// have when sampled every `stride` pixels: the frequency `1/period` folded back
    /// into what samples `stride` apart can show, `|f - round(f * S) / S|`.
    pub fn apparent_period(stride: usize) -> f32 {
        let f = 1.0 / ALIASING_PERIOD; // cycles per pixel
        let s = stride as f32;
        let folded = (f - (f * s).round() / s).abs();
        1.0 / folded
    }
}

/// The stripes of [`FirstLayers::aliasing_figure`], `[SIZE, SIZE]` with value
/// `cos(2 pi row / period)`, convolved with a `kernel x kernel` filter of the same
/// stripes at `stride`, and scaled so that a perfect match gives 1: `[H', W']`.
pub fn stripe_response(kernel: usize, stride: usize) -> Result<Array2<f32>> {
    let stripes = |row: usize| (2.0 * std::f32::consts::PI * row as f32 / ALIASING_PERIOD).cos();
    let size = ALIASING_WIDTH;
    let image = Array4::from_shape_fn((1, 1, size, size), |(_, _, i, _)| stripes(i));
    let filter = Array4::from_shape_fn((1, 1, kernel, kernel), |(_, _, u, _)| stripes(u));
    let energy = filter.mapv(|w| w * w).sum();
    let bias = Array1::zeros(1);
    let response = conv2d(image.view(), filter.view(), bias.view(), stride, 0)?; // [1, 1, H', W']
    Ok(response
        .index_axis_move(Axis(0), 0)
        .index_axis_move(Axis(0), 0)
        / energy)
}

/// The stripes of the aliasing figure: their period, and the image's size.
pub const ALIASING_PERIOD: f32 = 6.0;
pub const ALIASING_WIDTH: usize = 64;

// ---------------------------------------------------------------------------
// 3. Occlusion.
// ---------------------------------------------------------------------------

/// A photo the chapter analyses, with a box around its object drawn by hand (by
/// looking at the 64x64 image).
pub struct Sample {
    pub name: &'static str,
    pub object: Window,
}

/// The Tiny VGG photos of the occlusion and saliency sections.
pub fn samples() -> [Sample; 4] {
    let sample = |name, [row, column, height, width]: [usize; 4]| Sample {
        name,
        object: Window {
            row,
            column,
            height,
            width,
        },
    };
    [
        sample("espresso_1", [4, 6, 52, 54]),
        sample("boat_1", [22, 10, 24, 36]),
        sample("car_1", [14, 0, 38, 64]),
        sample("bug_3", [14, 20, 24, 28]),
    ]
}

/// Occlusion of Tiny VGG's photos: a grey square of 12 pixels every 4 pixels.
pub const VGG_OCCLUSION: OcclusionConfig = OcclusionConfig {
    window: 12,
    stride: 4,
    fill: 0.5,
};

/// Occlusion of LeNet-5's digits: a square of 8 pixels every 2 pixels, filled with
/// blank paper.
pub fn lenet_occlusion(lenet: &Trained) -> OcclusionConfig {
    let fill = lenet.background();
    OcclusionConfig {
        window: 8,
        stride: 2,
        fill,
    }
}

/// The square's size and step, and how many positions it takes on an image of `size`
/// pixels (the output-size formula without padding).
pub fn describe_occlusion(config: OcclusionConfig, size: usize) -> Result<String> {
    let (window, stride) = (config.window, config.stride);
    let positions = output_size(size, window, stride, 0)?;
    Ok(format!(
        "{window} pixels wide and moves {stride} pixels at a time: {positions} x {positions} = {} positions",
        positions * positions
    ))
}

/// One occlusion result, ready for the table and the figure.
pub struct OcclusionRow {
    pub name: String,
    pub class: String,
    pub map: OcclusionMap,
    /// The image as a picture `[3, H, W]`.
    pub picture: Array3<f32>,
    /// Does the most sensitive window overlap the object (box or ink)?
    pub overlaps_object: bool,
}

/// The square of side `side` whose top-left pixel is `(row, column)`.
pub fn square(row: usize, column: usize, side: usize) -> Window {
    let (height, width) = (side, side);
    Window {
        row,
        column,
        height,
        width,
    }
}

/// Do two windows share at least one pixel?
pub fn overlap(a: Window, b: Window) -> bool {
    a.row < b.row + b.height
        && b.row < a.row + a.height
        && a.column < b.column + b.width
        && b.column < a.column + a.width
}

pub struct Occlusion {
    pub tiny_vgg: Vec<OcclusionRow>,
    pub lenet: Vec<OcclusionRow>,
}

impl Occlusion {
    pub fn compute(lenet: &Trained, vgg: &Trained, digits: &Digits) -> Result<Occlusion> {
        let mut tiny_vgg = Vec::new();
        for Sample { name, object } in samples() {
            let image = sample(name)?;
            let class = argmax(&vgg.probabilities(image.view())?);
            // ANCHOR: occlusion
            let map = occlusion_map(&vgg.network, image.view(), class, VGG_OCCLUSION)?;
            let (top, left) = map.most_sensitive(); // pixel of the window's corner
            // ANCHOR_END: occlusion
            let overlaps_object = overlap(square(top, left, map.window), object);
            tiny_vgg.push(OcclusionRow {
                name: name.to_string(),
                class: CLASSES[class].to_string(),
                picture: image,
                map,
                overlaps_object,
            });
        }
        let config = lenet_occlusion(lenet);
        let (paper, ink) = lenet.pixel_range();
        let mut lenet_rows = Vec::new();
        for index in SHOWN_DIGITS {
            let image = digits.image(index);
            let class = digits.labels[index];
            let map = occlusion_map(&lenet.network, image.view(), class, config)?;
            let (top, left) = map.most_sensitive();
            // The "object" of a digit is its ink: does the window hide any?
            let side = config.window;
            let hidden = image.slice(s![0, top..top + side, left..left + side]);
            let overlaps_object = hidden.iter().any(|&v| v > (paper + ink) / 2.0);
            lenet_rows.push(OcclusionRow {
                name: format!("test digit {index}"),
                class: class.to_string(),
                picture: lenet.picture(image.view()),
                map,
                overlaps_object,
            });
        }
        let lenet = lenet_rows;
        Ok(Occlusion { tiny_vgg, lenet })
    }

    pub fn rows(&self) -> impl Iterator<Item = &OcclusionRow> {
        self.tiny_vgg.iter().chain(&self.lenet)
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        for (rows, name) in [(&self.tiny_vgg, "tiny_vgg"), (&self.lenet, "lenet")] {
            let pairs = rows
                .iter()
                .flat_map(|r| occlusion_pair(&r.name, &r.class, &r.picture, &r.map));
            let path = chapter.figure(&format!("occlusion_{name}.png"));
            // Three times 64, six times 28 pixels: every image pixel the same size.
            let pixels = if name == "lenet" { 168 } else { 192 };
            gallery(&path, &pairs.collect::<Vec<_>>(), 4, pixels)?;
        }
        Ok(())
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "image | class | probability | lowest when occluded \
             | most sensitive window (row, column) | on the object?",
        );
        for row in self.rows() {
            let (name, class, map) = (&row.name, &row.class, &row.map);
            let (p, lowest, (top, left)) = (map.unoccluded, map.lowest(), map.most_sensitive());
            let on_object = if row.overlaps_object { "yes" } else { "no" };
            row!(
                table,
                "{name} | {class} | {p:.3} | {lowest:.3} | ({top}, {left}) | {on_object}"
            );
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 4. Saliency.
// ---------------------------------------------------------------------------

pub struct SaliencyRow {
    pub name: String,
    pub class: String,
    pub score: f32,
    pub map: Array2<f32>,
    pub picture: Array3<f32>,
    /// For a photo: the share of the total saliency inside the object's box, and the
    /// box's share of the image's area (what a map that ignores the object would give).
    pub inside_and_area: Option<(f32, f32)>,
}

pub struct SaliencyMaps {
    pub tiny_vgg: Vec<SaliencyRow>,
    pub lenet: Vec<SaliencyRow>,
}

impl SaliencyMaps {
    pub fn compute(lenet: &Trained, vgg: &Trained, digits: &Digits) -> Result<SaliencyMaps> {
        let mut tiny_vgg = Vec::new();
        for Sample { name, object: b } in samples() {
            let image = sample(name)?;
            let class = argmax(&vgg.probabilities(image.view())?);
            // ANCHOR: saliency
            let result = saliency(&vgg.network, image.view(), class)?; // map: [64, 64]
            // ANCHOR_END: saliency
            let boxed = s![b.row..b.row + b.height, b.column..b.column + b.width];
            let inside = result.map.slice(boxed).sum() / result.map.sum();
            let area = (b.height * b.width) as f32 / (64.0 * 64.0);
            tiny_vgg.push(SaliencyRow {
                name: name.to_string(),
                class: CLASSES[class].to_string(),
                score: result.score,
                map: result.map,
                picture: image,
                inside_and_area: Some((inside, area)),
            });
        }
        let mut lenet_rows = Vec::new();
        for index in SHOWN_DIGITS {
            let image = digits.image(index);
            let class = digits.labels[index];
            let result = saliency(&lenet.network, image.view(), class)?;
            lenet_rows.push(SaliencyRow {
                name: format!("test digit {index}"),
                class: class.to_string(),
                score: result.score,
                map: result.map,
                picture: lenet.picture(image.view()),
                inside_and_area: None,
            });
        }
        let lenet = lenet_rows;
        Ok(SaliencyMaps { tiny_vgg, lenet })
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        for (rows, name, columns, pixels) in [
            (&self.tiny_vgg, "tiny_vgg", 4, 192),
            (&self.lenet, "lenet", 6, 112),
        ] {
            let mut images = Vec::new();
            for row in rows {
                images.push((format!("{}\n{}", row.name, row.class), row.picture.clone()));
                let (white, map) = saliency_picture(&row.map);
                images.push((format!("saliency\nwhite ≥ {white:.3}"), map));
            }
            let path = chapter.figure(&format!("saliency_{name}.png"));
            gallery(&path, &images, columns, pixels)?;
        }
        Ok(())
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "image | class | score (logit) | saliency inside the object's box \
             | box's share of the image",
        );
        for row in &self.tiny_vgg {
            let Some((inside, area)) = row.inside_and_area else {
                continue;
            };
            let (name, class, score) = (&row.name, &row.class, row.score);
            let (inside, area) = (100.0 * inside, 100.0 * area);
            row!(
                table,
                "{name} | {class} | {score:.2} | {inside:.0}% | {area:.0}%"
            );
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 5. Activation maximisation.
// ---------------------------------------------------------------------------

/// Steps of the book's runs (a budget: the book build runs this example).
pub const LENET_STEPS: usize = 200;
pub const VGG_STEPS: usize = 120;
/// The Tiny VGG layer whose channels the chapter maximises.
pub const MAXIMIZED_LAYER: &str = "conv_2_2";

pub struct MaximizedRow {
    pub target: String,
    pub start: f32,
    pub end: f32,
    /// The probability of the class for the final image (classes only).
    pub probability: Option<f32>,
    pub picture: Array3<f32>,
}

pub struct Maximization {
    /// LeNet-5's ten classes, Tiny VGG's ten classes, ten channels of Tiny VGG.
    pub lenet: Vec<MaximizedRow>,
    pub tiny_vgg: Vec<MaximizedRow>,
    pub channels: Vec<MaximizedRow>,
}

impl Maximization {
    pub fn compute(lenet: &Trained, vgg: &Trained) -> Result<Maximization> {
        let class = |trained: &Trained, class: usize, name: &str, steps| -> Result<MaximizedRow> {
            // ANCHOR: maximize
            let target = Target::Class(class);
            let config = trained.maximize_config(&target, steps);
            let shape = trained.input_shape(); // [3, 64, 64] or [1, 28, 28]
            let result = maximize_activation(&trained.network, shape, &target, config)?;
            // ANCHOR_END: maximize
            let p = trained.probabilities(result.image.view())?[class];
            Ok(MaximizedRow {
                target: name.to_string(),
                start: result.activations[0],
                end: *result.activations.last().expect("steps + 1 values"),
                probability: Some(p),
                picture: trained.picture(result.image.view()),
            })
        };
        let digits = (0..10).map(|k| class(lenet, k, &format!("class {k}"), LENET_STEPS));
        let photos = (0..10).map(|k| class(vgg, k, CLASSES[k], VGG_STEPS));
        let mut channels = Vec::new();
        for channel in 0..10 {
            let layer = MAXIMIZED_LAYER.to_string();
            let target = Target::Channel { layer, channel };
            let config = vgg.maximize_config(&target, VGG_STEPS);
            let result = maximize_activation(&vgg.network, vgg.input_shape(), &target, config)?;
            // Only the centre unit's receptive field can change: show that patch.
            let w = receptive_window(&vgg.network, MAXIMIZED_LAYER, 13, 13)?; // the centre of 26x26
            let (top, left) = (w.top as usize, w.left as usize);
            let patch = result
                .image
                .slice(s![.., top..top + w.height, left..left + w.width]);
            channels.push(MaximizedRow {
                target: format!("{MAXIMIZED_LAYER} channel {channel}"),
                start: result.activations[0],
                end: *result.activations.last().expect("steps + 1 values"),
                probability: None,
                picture: patch.to_owned(),
            });
        }
        Ok(Maximization {
            lenet: digits.collect::<Result<_>>()?,
            tiny_vgg: photos.collect::<Result<_>>()?,
            channels,
        })
    }

    /// Every row with the name of its model.
    pub fn rows(&self) -> impl Iterator<Item = (&'static str, &MaximizedRow)> {
        let lenet = self.lenet.iter().map(|r| ("LeNet-5", r));
        let vgg = self.tiny_vgg.iter().chain(&self.channels);
        lenet.chain(vgg.map(|r| ("Tiny VGG", r)))
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        for (rows, name, pixels) in [
            (&self.lenet, "lenet", 84),
            (&self.tiny_vgg, "tiny_vgg", 128),
            (&self.channels, "channels", 128),
        ] {
            let caption = |r: &MaximizedRow| match r.probability {
                Some(p) => format!("{}\np = {p:.2}", r.target),
                None => format!(
                    "{}\nunit value {:.1}",
                    r.target.replace(&format!("{MAXIMIZED_LAYER} "), ""),
                    r.end
                ),
            };
            let images: Vec<_> = rows
                .iter()
                .map(|r| (caption(r), r.picture.clone()))
                .collect();
            let path = chapter.figure(&format!("maximize_{name}.png"));
            gallery(&path, &images, 5, pixels)?;
        }
        Ok(())
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "model | target | activation at the start | after the steps | probability of the class",
        );
        for (model, row) in self.rows() {
            let (target, start, end) = (&row.target, row.start, row.end);
            let p = row
                .probability
                .map_or("–".to_string(), |p| format!("{p:.3}"));
            row!(table, "{model} | {target} | {start:.2} | {end:.2} | {p}");
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 6. Inversion.
// ---------------------------------------------------------------------------

/// The layers inverted, from shallow to deep.
pub const VGG_INVERTED: [&str; 6] = [
    "conv_1_1",
    "relu_1_2",
    "max_pool_1",
    "relu_2_2",
    "max_pool_2",
    "output",
];
pub const LENET_INVERTED: [&str; 6] = ["conv1", "pool1", "act2", "pool2", "fc1", "fc3"];
/// The photo Tiny VGG reconstructs, and LeNet-5's digit (index in the test set).
pub const INVERTED_PHOTO: &str = "espresso_1";
pub const INVERTED_DIGIT: usize = SHOWN_DIGITS[0];
/// Steps of the book's runs.
pub const VGG_INVERSION_STEPS: usize = 150;
pub const LENET_INVERSION_STEPS: usize = 300;

pub struct InversionRow {
    pub layer: String,
    /// Numbers in the layer's output for one image.
    pub values: usize,
    pub first_loss: f32,
    pub last_loss: f32,
    pub representation_error: f32,
    /// Root-mean-square difference from the original, in `[0, 1]` pixel units.
    pub pixel_error: f32,
    pub picture: Array3<f32>,
}

pub struct Inversions {
    pub tiny_vgg: Vec<InversionRow>,
    pub lenet: Vec<InversionRow>,
    /// The originals, as pictures.
    pub photo: Array3<f32>,
    pub digit: Array3<f32>,
}

/// Root-mean-square difference of two pictures.
pub fn rms_difference(a: &Array3<f32>, b: &Array3<f32>) -> f32 {
    (a - b).mapv(|d| d * d).mean().unwrap_or(0.0).sqrt()
}

/// Reconstruct `image` from each of `layers`' outputs.
fn invert_each(
    trained: &Trained,
    image: ArrayView3<f32>,
    layers: &[&str],
    steps: usize,
) -> Result<Vec<InversionRow>> {
    let original = trained.picture(image);
    let mut rows = Vec::new();
    for &layer in layers {
        // ANCHOR: invert
        let config = trained.inversion_config(steps);
        let result = invert_representation(&trained.network, layer, image, config)?;
        // ANCHOR_END: invert
        let picture = trained.picture(result.image.view());
        let front = trained.network.until(layer)?; // the network up to the layer
        let code = front.forward(image.insert_axis(Axis(0)))?;
        rows.push(InversionRow {
            layer: layer.to_string(),
            values: code.shape().iter().product(),
            first_loss: result.losses[0],
            last_loss: *result.losses.last().expect("steps + 1 losses"),
            representation_error: result.representation_error,
            pixel_error: rms_difference(&picture, &original),
            picture,
        });
    }
    Ok(rows)
}

impl Inversions {
    pub fn compute(lenet: &Trained, vgg: &Trained, digits: &Digits) -> Result<Inversions> {
        let photo = sample(INVERTED_PHOTO)?;
        let tiny_vgg = invert_each(vgg, photo.view(), &VGG_INVERTED, VGG_INVERSION_STEPS)?;
        let digit = digits.image(INVERTED_DIGIT);
        let lenet_rows = invert_each(lenet, digit.view(), &LENET_INVERTED, LENET_INVERSION_STEPS)?;
        Ok(Inversions {
            tiny_vgg,
            lenet: lenet_rows,
            photo,
            digit: lenet.picture(digit.view()),
        })
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        for (rows, original, name, pixels) in [
            (&self.tiny_vgg, &self.photo, "tiny_vgg", 128),
            (&self.lenet, &self.digit, "lenet", 112),
        ] {
            let mut images = vec![("original\n".to_string(), original.clone())];
            for row in rows {
                let caption = format!("from {}\nerror {:.3}", row.layer, row.pixel_error);
                images.push((caption, row.picture.clone()));
            }
            let path = chapter.figure(&format!("inversion_{name}.png"));
            gallery(&path, &images, 4, pixels)?;
        }
        Ok(())
    }

    pub fn table(rows: &[InversionRow]) -> Table {
        let mut table = Table::columns(
            "layer | numbers in its output | loss at the start | loss at the end \
             | representation error | pixel error (RMS)",
        );
        for row in rows {
            let (layer, values) = (&row.layer, row.values);
            let losses = format!("{:.3} | {:.3}", row.first_loss, row.last_loss);
            let (code, pixels) = (row.representation_error, row.pixel_error);
            row!(
                table,
                "`{layer}` | {values} | {losses} | {code:.3} | {pixels:.3}"
            );
        }
        table
    }
}
