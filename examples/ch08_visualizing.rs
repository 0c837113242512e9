//! Chapter 8: what CNNs learn (可视化 visualization).
//!
//! `cargo run --release --example ch08_visualizing` looks inside the two trained networks
//! of the book, LeNet-5 (chapter 6, loaded from `data/trained/lenet5.cnn`) and Tiny VGG
//! (chapter 7, CNN Explainer's weights), with six methods: first-layer filters and the
//! edges they detect, feature maps and the inputs that excite a channel most, occlusion,
//! saliency, activation maximisation and inversion. It writes the chapter's tables to
//! `book/generated/ch08/` and its figures to `book/figures/ch08/`.
//!
//! With a subcommand it runs one method on your own image and writes one PNG:
//!
//! ```text
//! cargo run --release --example ch08_visualizing -- occlusion my.jpg --window 12 --stride 4 --out occlusion.png
//! cargo run --release --example ch08_visualizing -- saliency my.jpg --out saliency.png
//! cargo run --release --example ch08_visualizing -- invert my.jpg --layer conv_2_1 --out invert.png
//! cargo run --release --example ch08_visualizing -- maximize --class 6 --out espresso.png
//! cargo run --release --example ch08_visualizing -- feature-maps my.jpg --out maps.png
//! cargo run --release --example ch08_visualizing -- filters --out filters.png
//! ```
//!
//! Add `--model lenet` to use LeNet-5 (your image becomes a 28x28 grey digit).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use cnn_book::output::repo_root;
use cnn_book::plot::{self, ColorScale, Labels, MapStyle, OverviewColumn, Panel, Series, Window};
use cnn_book::{Chapter, Table};
use cnn_core::tiny_vgg::{self, CLASSES};
use cnn_core::{
    InversionConfig, Layer, MaximizeConfig, OcclusionConfig, Sequential, Split, Target,
    class_probabilities, edge_image, invert_representation, load_mnist, maximize_activation,
    occlusion_map, oriented_edge_response, receptive_window, saliency, strongest_activations,
    to_grayscale,
};
use ndarray::{Array2, Array3, Array4, ArrayView3, Axis, Ix2, s};

// ---------------------------------------------------------------------------
// The command line.
// ---------------------------------------------------------------------------

/// Without a subcommand: every figure and table of chapter 8.
#[derive(Debug, Parser)]
#[command(about = "Chapter 8: look inside LeNet-5 and Tiny VGG; run one method on your own image")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One method on your own image.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The first layer's filters as images, and their response to edges.
    Filters {
        #[command(flatten)]
        common: Common,
    },
    /// Every feature map of every layer for your image.
    FeatureMaps {
        /// A PNG or JPEG image.
        image: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Slide a grey square over the image and map the class probability.
    Occlusion {
        /// A PNG or JPEG image.
        image: PathBuf,
        /// The class to watch (index; default: the predicted class).
        #[arg(long)]
        class: Option<usize>,
        /// Side of the square, in pixels of the network's input.
        #[arg(long, default_value_t = 12)]
        window: usize,
        /// Step between positions of the square.
        #[arg(long, default_value_t = 4)]
        stride: usize,
        #[command(flatten)]
        common: Common,
    },
    /// The gradient of the class score with respect to every pixel.
    Saliency {
        /// A PNG or JPEG image.
        image: PathBuf,
        /// The class (index; default: the predicted class).
        #[arg(long)]
        class: Option<usize>,
        #[command(flatten)]
        common: Common,
    },
    /// Find the image that a class (or a channel of a layer) responds to most.
    Maximize {
        /// The class to maximise.
        #[arg(long, conflicts_with = "layer")]
        class: Option<usize>,
        /// Maximise a channel of this layer (a name such as conv_2_1) instead.
        #[arg(long, requires = "channel")]
        layer: Option<String>,
        /// The channel of --layer.
        #[arg(long)]
        channel: Option<usize>,
        /// Gradient steps.
        #[arg(long, default_value_t = 300)]
        steps: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Reconstruct the image from one layer's output.
    Invert {
        /// A PNG or JPEG image.
        image: PathBuf,
        /// The layer whose output is inverted (a name such as conv_2_1).
        #[arg(long)]
        layer: String,
        /// Gradient steps.
        #[arg(long, default_value_t = 300)]
        steps: usize,
        #[command(flatten)]
        common: Common,
    },
}

/// Options every subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Which trained network to look into.
    #[arg(long, value_enum, default_value_t = ModelChoice::TinyVgg)]
    pub model: ModelChoice,
    /// Where to write the PNG.
    #[arg(long, default_value = "ch08.png")]
    pub out: PathBuf,
}

/// The book's two trained networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelChoice {
    /// Tiny VGG of CNN Explainer (chapter 7): 64x64 colour photos, 10 classes.
    TinyVgg,
    /// LeNet-5 trained in chapter 6: 28x28 grey digits.
    Lenet,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => your_image(command),
        None => book(),
    }
}

fn book() -> Result<()> {
    let chapter = Chapter::new("ch08");
    let lenet = Lenet::load()?;
    let vgg = TinyVgg::load()?;
    let digits = Digits::load(&lenet)?;

    // 1. Filters and the edges they detect.
    let filters = Filters::compute(&lenet, &vgg)?;
    filters.figures(&chapter)?;
    chapter.publish("edge_lenet", &filters.table_lenet())?;
    chapter.publish("edge_tiny_vgg", &filters.table_tiny_vgg())?;

    // 2. Feature maps, and the inputs that excite a channel most.
    feature_maps_lenet(&lenet, &digits, &chapter.figure("feature_maps_lenet.png"))?;
    let strongest = Strongest::compute(&lenet, &digits)?;
    strongest.figure(&chapter.figure("strongest_lenet.png"))?;
    chapter.publish("strongest_lenet", &strongest.table())?;
    chapter.write_value("strongest_searched", strongest.searched)?;

    // 3. Occlusion.
    let occlusion = Occlusion::compute(&lenet, &vgg, &digits)?;
    occlusion.figures(&chapter)?;
    chapter.publish("occlusion", &occlusion.table())?;

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
    chapter.publish("inversion_tiny_vgg", &inversion.table(&inversion.tiny_vgg))?;
    chapter.publish("inversion_lenet", &inversion.table(&inversion.lenet))?;

    println!("figures in book/figures/ch08/, tables in book/generated/ch08/");
    Ok(())
}

// ---------------------------------------------------------------------------
// The two networks and their inputs.
// ---------------------------------------------------------------------------

/// LeNet-5 as trained in chapter 6, with the pixel statistics its inputs were
/// normalised by.
pub struct Lenet {
    pub network: Sequential,
    /// Mean and standard deviation of the MNIST training pixels (chapter 6).
    pub mean: f32,
    pub std: f32,
}

impl Lenet {
    // ANCHOR: load_lenet
    /// Load the trained LeNet-5 (never retrained here) and the statistics of the
    /// training pixels, computed as chapter 6 computes them.
    pub fn load() -> Result<Lenet> {
        let path = repo_root().join("data/trained/lenet5.cnn");
        let network = Sequential::load(&path)?;
        let train = load_mnist(&repo_root().join("data/mnist"), Split::Train)?;
        let count = train.images.len() as f64;
        let mean = train.images.iter().map(|&v| v as f64).sum::<f64>() / count;
        let variance = train
            .images
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / count;
        Ok(Lenet {
            network,
            mean: mean as f32,
            std: variance.sqrt() as f32,
        })
    }
    // ANCHOR_END: load_lenet

    /// A digit in `[0, 1]` (ink 1) as the network's input: `(x - mean) / std`.
    pub fn normalize(&self, raw: ArrayView3<f32>) -> Array3<f32> {
        raw.mapv(|v| (v - self.mean) / self.std)
    }

    /// Back from the network's input to `[0, 1]`, drawn as ink on paper: `[1, 28, 28]
    /// -> [3, 28, 28]`, black ink on white, like a page.
    pub fn to_picture(&self, input: ArrayView3<f32>) -> Array3<f32> {
        let raw = input.mapv(|v| (v * self.std + self.mean).clamp(0.0, 1.0));
        grey_picture(raw.index_axis(Axis(0), 0).mapv(|v| 1.0 - v).view())
    }

    /// The value of blank paper in the network's input.
    pub fn paper(&self) -> f32 {
        (0.0 - self.mean) / self.std
    }

    /// The range of pixel values in the network's input: raw 0 and 1, normalised.
    pub fn pixel_range(&self) -> (f32, f32) {
        ((0.0 - self.mean) / self.std, (1.0 - self.mean) / self.std)
    }
}

/// A grey map `[H, W]` in `[0, 1]` as an RGB picture `[3, H, W]`.
pub fn grey_picture(map: ndarray::ArrayView2<f32>) -> Array3<f32> {
    let (h, w) = map.dim();
    Array3::from_shape_fn((3, h, w), |(_, i, j)| map[[i, j]])
}

/// Tiny VGG of CNN Explainer, as loaded in chapter 7.
pub struct TinyVgg {
    pub network: Sequential,
}

impl TinyVgg {
    pub fn load() -> Result<TinyVgg> {
        let model_json = repo_root().join("data/cnn-explainer/model.json");
        Ok(TinyVgg {
            network: tiny_vgg::load(&model_json)?,
        })
    }

    /// One of CNN Explainer's sample photos, `[3, 64, 64]`.
    pub fn sample(name: &str) -> Result<Array3<f32>> {
        let path = repo_root().join(format!("data/cnn-explainer/png/{name}.png"));
        Ok(tiny_vgg::load_image(&path)?)
    }
}

/// Class probabilities of one image `[C, H, W]`: `[K]`.
pub fn probabilities(network: &Sequential, image: ArrayView3<f32>) -> Result<Vec<f32>> {
    let p = class_probabilities(network, image.insert_axis(Axis(0)))?; // [1, K]
    Ok(p.row(0).to_vec())
}

/// The index of the largest value.
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > values[best] { i } else { best })
}

/// Test digits: the first 1,000 of the MNIST test set, normalised for LeNet-5.
pub struct Digits {
    /// `[1000, 1, 28, 28]`, normalised.
    pub images: Array4<f32>,
    pub labels: Vec<usize>,
}

/// How many test digits the chapter searches.
pub const DIGITS_SEARCHED: usize = 1000;
/// The test digits the chapter shows, by index in the test set.
pub const SHOWN_DIGITS: [usize; 3] = [0, 1, 4];

impl Digits {
    pub fn load(lenet: &Lenet) -> Result<Digits> {
        let test = load_mnist(&repo_root().join("data/mnist"), Split::Test)?;
        let images = test.images.slice(s![..DIGITS_SEARCHED, .., .., ..]);
        Ok(Digits {
            images: images.mapv(|v| (v - lenet.mean) / lenet.std),
            labels: test.labels[..DIGITS_SEARCHED].to_vec(),
        })
    }

    /// Digit `index` as one image `[1, 28, 28]`.
    pub fn image(&self, index: usize) -> Array3<f32> {
        self.images.index_axis(Axis(0), index).to_owned()
    }
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

/// The weights of a network's first layer, which must be a convolution.
pub fn first_filters(network: &Sequential) -> Result<Array4<f32>> {
    match network.layers.first() {
        Some((_, Layer::Conv2d(conv))) => Ok(conv.weight.clone()),
        _ => bail!("the network's first layer is not a convolution"),
    }
}

impl Filters {
    pub fn compute(lenet: &Lenet, vgg: &TinyVgg) -> Result<Filters> {
        let lenet_weights = first_filters(&lenet.network)?; // [6, 1, 5, 5]
        let vgg_weights = first_filters(&vgg.network)?; // [10, 3, 3, 3]
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

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        lenet_filter_figure(&self.lenet, &chapter.figure("filters_lenet.png"))?;
        tiny_vgg_filter_figure(&self.tiny_vgg, &chapter.figure("filters_tiny_vgg.png"))?;
        // The test edges at every 45 degrees.
        let edges: Vec<Array2<f32>> = (0..8).map(|k| edge_image(5, 5, 45.0 * k as f32)).collect();
        let panels: Vec<Panel> = edges
            .iter()
            .enumerate()
            .map(|(k, e)| Panel::new(format!("{}°", 45 * k), e.view()))
            .collect();
        let style = MapStyle {
            scale: ColorScale::Gray,
            map_pixels: 90,
            range: Some((-1.0, 1.0)),
            ..MapStyle::default()
        };
        plot::grid(
            &chapter.figure("edges.png"),
            "Test edges (5x5): bright side towards the angle",
            &panels,
            8,
            &style,
        )?;
        let angles = edge_angles();
        let series: Vec<Series> = self
            .lenet_response
            .outer_iter()
            .enumerate()
            .map(|(f, row)| {
                let points = angles.iter().zip(row.iter()).map(|(&a, &r)| (a, r));
                Series::new(format!("filter {f}"), points.collect())
            })
            .collect();
        plot::line_chart(
            &chapter.figure("edge_response_lenet.svg"),
            &Labels::new(
                "LeNet-5 conv1: response to a step edge",
                "angle of the edge's bright side (degrees)",
                "response",
            )
            .legend_at(plot::SeriesLabelPosition::UpperRight),
            &series,
        )?;
        Ok(())
    }

    /// Preferred edge of each filter: the angle of the largest response.
    fn table(response: &Array2<f32>, weights: &Array4<f32>) -> Table {
        let angles = edge_angles();
        let mut table = Table::new([
            "filter",
            "preferred angle (°)",
            "response there",
            "response at +90°",
            "response / sum of abs(w)",
        ]);
        for (f, row) in response.outer_iter().enumerate() {
            let best = argmax(row.as_slice().expect("contiguous"));
            let across = (best + 6) % angles.len(); // +90 degrees
            // How much of the filter is an edge: the best response over the largest
            // possible one (sum of |w|, reached when every weight meets +-1 of its sign).
            let largest = weights.index_axis(Axis(0), f).mapv(f32::abs).sum();
            table.row([
                f.to_string(),
                format!("{:.0}", angles[best]),
                format!("{:.2}", row[best]),
                format!("{:.2}", row[across]),
                format!("{:.2}", row[best] / largest),
            ]);
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

/// LeNet-5's six 5x5 filters, blue (negative) to red (positive), values printed.
pub fn lenet_filter_figure(weights: &Array4<f32>, path: &Path) -> Result<()> {
    let maps: Vec<Array2<f32>> = weights
        .outer_iter()
        .map(|w| w.index_axis(Axis(0), 0).to_owned())
        .collect();
    let panels: Vec<Panel> = maps
        .iter()
        .enumerate()
        .map(|(f, m)| Panel::new(format!("filter {f}"), m.view()))
        .collect();
    let style = MapStyle {
        scale: ColorScale::Diverging,
        annotate: true,
        map_pixels: 190,
        range: None,
    };
    plot::grid(
        path,
        "LeNet-5 conv1: the six learned 5x5 filters",
        &panels,
        3,
        &style,
    )
}

/// Tiny VGG's ten 3x3x3 filters as colour images, each stretched to `[0, 1]` on its
/// own (as Zeiler and Fergus show filters): grey is zero, a colour is a channel the
/// filter adds, its complement a channel it subtracts.
pub fn tiny_vgg_filter_figure(weights: &Array4<f32>, path: &Path) -> Result<()> {
    let images: Vec<(String, Array3<f32>)> = weights
        .outer_iter()
        .enumerate()
        .map(|(f, w)| {
            let extent = w.fold(0.0f32, |m, &v| m.max(v.abs())).max(1e-12);
            (format!("filter {f}"), w.mapv(|v| 0.5 + 0.5 * v / extent))
        })
        .collect();
    let views: Vec<(String, ArrayView3<f32>)> =
        images.iter().map(|(t, i)| (t.clone(), i.view())).collect();
    plot::image_gallery(path, &views, 10, 72)
}

// ---------------------------------------------------------------------------
// 2. Feature maps, and the inputs that excite a channel most.
// ---------------------------------------------------------------------------

/// Every feature map of LeNet-5 for one test digit, one column per layer.
pub fn feature_maps_lenet(lenet: &Lenet, digits: &Digits, path: &Path) -> Result<()> {
    let image = digits.image(SHOWN_DIGITS[0]); // [1, 28, 28]
    overview_figure(
        &lenet.network,
        image.view(),
        &(0..10).map(|d| d.to_string()).collect::<Vec<_>>(),
        "LeNet-5: every feature map for a test digit, each layer on its own colour scale",
        path,
    )
}

/// Every layer's maps for one image (input channels first) and the probabilities.
pub fn overview_figure(
    network: &Sequential,
    image: ArrayView3<f32>,
    classes: &[String],
    title: &str,
    path: &Path,
) -> Result<()> {
    let batch = image.insert_axis(Axis(0)).into_dyn(); // [1, C, H, W]
    let outputs = network.forward_all(batch.view())?;
    let mut columns = vec![OverviewColumn {
        title: "input".into(),
        maps: image.outer_iter().collect(),
        scale: ColorScale::Gray,
    }];
    for ((name, layer), output) in network.layers.iter().zip(&outputs) {
        if output.ndim() != 4 {
            continue; // flatten and dense layers: the bars on the right
        }
        let scale = match layer {
            Layer::Conv2d(_) => ColorScale::Diverging,
            _ => ColorScale::Viridis,
        };
        let maps = (0..output.shape()[1])
            .map(|f| {
                output
                    .slice(s![0, f, .., ..])
                    .into_dimensionality::<Ix2>()
                    .expect("a map")
            })
            .collect();
        columns.push(OverviewColumn {
            title: name.clone(),
            maps,
            scale,
        });
    }
    let p = probabilities(network, image)?;
    let names: Vec<&str> = classes.iter().map(|c| c.as_str()).collect();
    plot::overview(path, title, &columns, &names, &p)
}

/// The channel of LeNet-5 whose strongest inputs the chapter shows: `act2`, the
/// second convolution after ReLU (16 channels, each unit sees 14x14 pixels).
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
    pub fn compute(lenet: &Lenet, digits: &Digits) -> Result<Strongest> {
        let layer = lenet.network.layer_index(STRONGEST_LAYER)?;
        // ANCHOR: strongest
        let top =
            strongest_activations(&lenet.network, digits.images.view(), layer, STRONGEST_TOP)?;
        // ANCHOR_END: strongest
        let mut channels = Vec::new();
        for found in top.iter().take(STRONGEST_CHANNELS) {
            let mut row = Vec::new();
            for activation in found {
                // The receptive field of the strongest unit, cut out of the digit.
                let window =
                    receptive_window(&lenet.network, layer, activation.row, activation.column)?;
                let picture = lenet.to_picture(digits.image(activation.image).view());
                let patch = Array3::from_shape_fn((3, window.height, window.width), |(c, i, j)| {
                    let (u, v) = (window.top + i as isize, window.left + j as isize);
                    if (0..28).contains(&u) && (0..28).contains(&v) {
                        picture[[c, u as usize, v as usize]]
                    } else {
                        1.0 // padding: blank paper
                    }
                });
                row.push(StrongPatch {
                    index: activation.image,
                    label: digits.labels[activation.image],
                    value: activation.value,
                    patch,
                });
            }
            channels.push(row);
        }
        Ok(Strongest {
            channels,
            searched: digits.labels.len(),
        })
    }

    pub fn figure(&self, path: &Path) -> Result<()> {
        let mut views = Vec::new();
        for (channel, row) in self.channels.iter().enumerate() {
            for (
                rank,
                StrongPatch {
                    label,
                    value,
                    patch,
                    ..
                },
            ) in row.iter().enumerate()
            {
                let caption = if rank == 0 {
                    format!("channel {channel}\n{value:.1} (a {label})")
                } else {
                    format!("\n{value:.1} (a {label})")
                };
                views.push((caption, patch.view()));
            }
        }
        plot::image_gallery(path, &views, STRONGEST_TOP, 70)
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(["channel", "strongest value", "digits of its top 6"]);
        for (channel, row) in self.channels.iter().enumerate() {
            let labels: Vec<String> = row.iter().map(|p| p.label.to_string()).collect();
            table.row([
                channel.to_string(),
                format!("{:.2}", row[0].value),
                labels.join(", "),
            ]);
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 3. Occlusion.
// ---------------------------------------------------------------------------

/// A photo the chapter analyses, with a box around its object drawn by hand (by
/// looking at the 64x64 image): `(top, left, height, width)` in pixels.
pub struct Sample {
    pub name: &'static str,
    pub object: Window,
}

/// The Tiny VGG photos of the occlusion and saliency sections.
pub fn samples() -> Vec<Sample> {
    let window = |row, column, height, width| Window {
        row,
        column,
        height,
        width,
    };
    vec![
        Sample {
            name: "espresso_1",
            object: window(4, 6, 52, 54),
        },
        Sample {
            name: "boat_1",
            object: window(22, 10, 24, 36),
        },
        Sample {
            name: "car_1",
            object: window(14, 0, 38, 64),
        },
        Sample {
            name: "bug_3",
            object: window(14, 20, 24, 28),
        },
    ]
}

/// Occlusion of Tiny VGG's photos: a grey square of 12 pixels every 4 pixels.
pub const VGG_OCCLUSION: OcclusionConfig = OcclusionConfig {
    window: 12,
    stride: 4,
    fill: 0.5,
};
/// Occlusion of LeNet-5's digits: a square of 8 pixels every 2 pixels, filled with
/// blank paper (the fill value is set from the paper's normalised value).
pub const LENET_WINDOW: usize = 8;
pub const LENET_STRIDE: usize = 2;

/// One occlusion result, ready for the table and the figure.
pub struct OcclusionRow {
    pub name: String,
    pub class: String,
    pub map: cnn_core::OcclusionMap,
    /// The image as a picture `[3, H, W]`.
    pub picture: Array3<f32>,
    /// Does the most sensitive window overlap the object (box or ink)?
    pub overlaps_object: bool,
}

pub struct Occlusion {
    pub rows: Vec<OcclusionRow>,
}

/// Do two windows share at least one pixel?
pub fn overlap(a: Window, b: Window) -> bool {
    a.row < b.row + b.height
        && b.row < a.row + a.height
        && a.column < b.column + b.width
        && b.column < a.column + a.width
}

impl Occlusion {
    pub fn compute(lenet: &Lenet, vgg: &TinyVgg, digits: &Digits) -> Result<Occlusion> {
        let mut rows = Vec::new();
        for sample in samples() {
            let image = TinyVgg::sample(sample.name)?;
            let class = argmax(&probabilities(&vgg.network, image.view())?);
            // ANCHOR: occlusion
            let map = occlusion_map(&vgg.network, image.view(), class, VGG_OCCLUSION)?;
            let (top, left) = map.most_sensitive(); // pixel of the window's corner
            // ANCHOR_END: occlusion
            let hidden = Window {
                row: top,
                column: left,
                height: map.window,
                width: map.window,
            };
            rows.push(OcclusionRow {
                name: sample.name.to_string(),
                class: CLASSES[class].to_string(),
                overlaps_object: overlap(hidden, sample.object),
                picture: image,
                map,
            });
        }
        let config = OcclusionConfig {
            window: LENET_WINDOW,
            stride: LENET_STRIDE,
            fill: lenet.paper(),
        };
        for &index in &SHOWN_DIGITS {
            let image = digits.image(index);
            let class = digits.labels[index];
            let map = occlusion_map(&lenet.network, image.view(), class, config)?;
            let (top, left) = map.most_sensitive();
            // The "object" of a digit is its ink: does the window hide any?
            let ink = image
                .slice(s![0, top..top + LENET_WINDOW, left..left + LENET_WINDOW])
                .iter()
                .any(|&v| v > lenet.paper() + 0.5 / lenet.std);
            rows.push(OcclusionRow {
                name: format!("test digit {index}"),
                class: class.to_string(),
                overlaps_object: ink,
                picture: lenet.to_picture(image.view()),
                map,
            });
        }
        Ok(Occlusion { rows })
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        let (vgg, lenet): (Vec<&OcclusionRow>, Vec<&OcclusionRow>) = self
            .rows
            .iter()
            .partition(|r| !r.name.starts_with("test digit"));
        occlusion_gallery(&vgg, &chapter.figure("occlusion_tiny_vgg.png"), 150)?;
        occlusion_gallery(&lenet, &chapter.figure("occlusion_lenet.png"), 150)
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "image",
            "class",
            "probability",
            "lowest when occluded",
            "most sensitive window (row, column)",
            "on the object?",
        ]);
        for row in &self.rows {
            let (top, left) = row.map.most_sensitive();
            table.row([
                row.name.clone(),
                row.class.clone(),
                format!("{:.3}", row.map.unoccluded),
                format!("{:.3}", row.map.lowest()),
                format!("({top}, {left})"),
                if row.overlaps_object { "yes" } else { "no" }.to_string(),
            ]);
        }
        table
    }
}

/// Per image: the picture with the most sensitive window outlined, and the map at the
/// image's resolution (dark = the probability fell), all on the range 0 to 1.
pub fn occlusion_gallery(rows: &[&OcclusionRow], path: &Path, pixels: u32) -> Result<()> {
    let mut images = Vec::new();
    for row in rows {
        let (_, height, width) = row.picture.dim();
        let (top, left) = row.map.most_sensitive();
        let mut boxed = row.picture.clone();
        let window = Window {
            row: top,
            column: left,
            height: row.map.window,
            width: row.map.window,
        };
        plot::outline(&mut boxed, window, [1.0, 0.0, 0.0]);
        let per_pixel = row.map.per_pixel(height, width);
        let colored = plot::colorize(per_pixel.view(), ColorScale::Viridis, Some((0.0, 1.0)));
        images.push((
            format!("{}: {}\np = {:.2}", row.name, row.class, row.map.unoccluded),
            boxed,
        ));
        images.push((
            format!(
                "occluded: p from {:.2}\n(dark) to 1 (yellow)",
                row.map.lowest()
            ),
            colored,
        ));
    }
    let views: Vec<(String, ArrayView3<f32>)> =
        images.iter().map(|(t, i)| (t.clone(), i.view())).collect();
    plot::image_gallery(path, &views, 4, pixels)
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
    /// Share of the total saliency inside the object's box, and the box's share of the
    /// image's area (what a map that ignores the object would give).
    pub inside: f32,
    pub area: f32,
}

pub struct SaliencyMaps {
    pub rows: Vec<SaliencyRow>,
}

impl SaliencyMaps {
    pub fn compute(lenet: &Lenet, vgg: &TinyVgg, digits: &Digits) -> Result<SaliencyMaps> {
        let mut rows = Vec::new();
        for sample in samples() {
            let image = TinyVgg::sample(sample.name)?;
            let class = argmax(&probabilities(&vgg.network, image.view())?);
            // ANCHOR: saliency
            let result = saliency(&vgg.network, image.view(), class)?; // map: [64, 64]
            // ANCHOR_END: saliency
            let b = sample.object;
            let inside_sum = result
                .map
                .slice(s![b.row..b.row + b.height, b.column..b.column + b.width])
                .sum();
            rows.push(SaliencyRow {
                name: sample.name.to_string(),
                class: CLASSES[class].to_string(),
                score: result.score,
                inside: inside_sum / result.map.sum(),
                area: (b.height * b.width) as f32 / (64.0 * 64.0),
                map: result.map,
                picture: image,
            });
        }
        for &index in &SHOWN_DIGITS {
            let image = digits.image(index);
            let class = digits.labels[index];
            let result = saliency(&lenet.network, image.view(), class)?;
            rows.push(SaliencyRow {
                name: format!("test digit {index}"),
                class: class.to_string(),
                score: result.score,
                inside: f32::NAN,
                area: f32::NAN,
                map: result.map,
                picture: lenet.to_picture(image.view()),
            });
        }
        Ok(SaliencyMaps { rows })
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        let (vgg, lenet): (Vec<&SaliencyRow>, Vec<&SaliencyRow>) = self
            .rows
            .iter()
            .partition(|r| !r.name.starts_with("test digit"));
        saliency_gallery(&vgg, &chapter.figure("saliency_tiny_vgg.png"), 4, 150)?;
        saliency_gallery(&lenet, &chapter.figure("saliency_lenet.png"), 6, 110)
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "image",
            "class",
            "score (logit)",
            "saliency inside the object's box",
            "box's share of the image",
        ]);
        for row in self.rows.iter().filter(|r| !r.inside.is_nan()) {
            table.row([
                row.name.clone(),
                row.class.clone(),
                format!("{:.2}", row.score),
                format!("{:.0}%", 100.0 * row.inside),
                format!("{:.0}%", 100.0 * row.area),
            ]);
        }
        table
    }
}

/// The 99th percentile of a map's values: saliency maps have a few very large
/// pixels, so the figures make this value white (and everything above it).
pub fn percentile_99(map: &Array2<f32>) -> f32 {
    let mut values: Vec<f32> = map.iter().copied().collect();
    values.sort_by(f32::total_cmp);
    let index = ((values.len() as f32 * 0.99) as usize).min(values.len() - 1);
    values[index].max(1e-12)
}

/// Per image: the picture and its saliency map, black (0) to white (the 99th
/// percentile of the map or more).
pub fn saliency_gallery(
    rows: &[&SaliencyRow],
    path: &Path,
    columns: usize,
    pixels: u32,
) -> Result<()> {
    let mut images = Vec::new();
    for row in rows {
        images.push((format!("{}\n{}", row.name, row.class), row.picture.clone()));
        let white = percentile_99(&row.map);
        let map = row.map.mapv(|v| (v / white).min(1.0));
        images.push((
            format!("saliency\nwhite: {white:.3} or more"),
            grey_picture(map.view()),
        ));
    }
    let views: Vec<(String, ArrayView3<f32>)> =
        images.iter().map(|(t, i)| (t.clone(), i.view())).collect();
    plot::image_gallery(path, &views, columns, pixels)
}

// ---------------------------------------------------------------------------
// 5. Activation maximisation.
// ---------------------------------------------------------------------------

/// Settings for Tiny VGG: pixels in `[0, 1]`.
pub fn vgg_maximize_config(steps: usize) -> MaximizeConfig {
    MaximizeConfig {
        steps,
        learning_rate: 0.03,
        l2: 0.003,
        background: 0.5,
        total_variation: 0.5,
        pixel_range: (0.0, 1.0),
        start_noise: 0.05,
        seed: 8,
    }
}

/// Settings for one unit of a Tiny VGG channel: its gradient is far smaller than a
/// class score's (one unit, not the whole image), so the smoothness penalty is smaller.
pub fn vgg_channel_config(steps: usize) -> MaximizeConfig {
    MaximizeConfig {
        total_variation: 0.05,
        ..vgg_maximize_config(steps)
    }
}

/// Settings for LeNet-5: pixels in its normalised range.
pub fn lenet_maximize_config(lenet: &Lenet, steps: usize) -> MaximizeConfig {
    MaximizeConfig {
        steps,
        learning_rate: 0.05,
        l2: 0.02,
        background: lenet.paper(),
        total_variation: 0.05,
        pixel_range: lenet.pixel_range(),
        start_noise: 0.05,
        seed: 8,
    }
}

/// Steps of the book's runs (a budget: the book build runs this example).
pub const LENET_STEPS: usize = 200;
pub const VGG_STEPS: usize = 120;

pub struct MaximizedRow {
    pub model: &'static str,
    pub target: String,
    pub start: f32,
    pub end: f32,
    /// The probability of the class for the final image (classes only).
    pub probability: Option<f32>,
    pub picture: Array3<f32>,
}

pub struct Maximization {
    pub rows: Vec<MaximizedRow>,
}

/// The Tiny VGG layer whose channels the chapter maximises.
pub const MAXIMIZED_LAYER: &str = "conv_2_2";

impl Maximization {
    pub fn compute(lenet: &Lenet, vgg: &TinyVgg) -> Result<Maximization> {
        let mut rows = Vec::new();
        for digit in 0..10 {
            let config = lenet_maximize_config(lenet, LENET_STEPS);
            let result =
                maximize_activation(&lenet.network, [1, 28, 28], Target::Class(digit), config)?;
            let p = probabilities(&lenet.network, result.image.view())?;
            rows.push(MaximizedRow {
                model: "LeNet-5",
                target: format!("class {digit}"),
                start: result.activations[0],
                end: *result.activations.last().expect("steps + 1 values"),
                probability: Some(p[digit]),
                picture: lenet.to_picture(result.image.view()),
            });
        }
        for (class, name) in CLASSES.iter().enumerate() {
            // ANCHOR: maximize
            let config = vgg_maximize_config(VGG_STEPS);
            let target = Target::Class(class);
            let result = maximize_activation(&vgg.network, [3, 64, 64], target, config)?;
            // ANCHOR_END: maximize
            let p = probabilities(&vgg.network, result.image.view())?;
            rows.push(MaximizedRow {
                model: "Tiny VGG",
                target: name.to_string(),
                start: result.activations[0],
                end: *result.activations.last().expect("steps + 1 values"),
                probability: Some(p[class]),
                picture: result.image,
            });
        }
        let layer = vgg.network.layer_index(MAXIMIZED_LAYER)?;
        for channel in 0..10 {
            let target = Target::Channel { layer, channel };
            let config = vgg_channel_config(VGG_STEPS);
            let result = maximize_activation(&vgg.network, [3, 64, 64], target, config)?;
            // Only the centre unit's receptive field can change: show that patch.
            let w = receptive_window(&vgg.network, layer, 13, 13)?; // the centre of 26x26
            let (top, left) = (w.top as usize, w.left as usize);
            let patch = result
                .image
                .slice(s![.., top..top + w.height, left..left + w.width])
                .to_owned();
            rows.push(MaximizedRow {
                model: "Tiny VGG",
                target: format!("{MAXIMIZED_LAYER} channel {channel}"),
                start: result.activations[0],
                end: *result.activations.last().expect("steps + 1 values"),
                probability: None,
                picture: patch,
            });
        }
        Ok(Maximization { rows })
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        let gallery = |filter: &dyn Fn(&MaximizedRow) -> bool, path: PathBuf, pixels| {
            let views: Vec<(String, ArrayView3<f32>)> = self
                .rows
                .iter()
                .filter(|r| filter(r))
                .map(|r| {
                    let caption = match r.probability {
                        Some(p) => format!("{}\np = {p:.2}", r.target),
                        None => format!("{}\nunit value {:.1}", r.target, r.end),
                    };
                    (caption, r.picture.view())
                })
                .collect();
            plot::image_gallery(&path, &views, 5, pixels)
        };
        gallery(
            &|r| r.model == "LeNet-5",
            chapter.figure("maximize_lenet.png"),
            84,
        )?;
        gallery(
            &|r| r.model == "Tiny VGG" && r.probability.is_some(),
            chapter.figure("maximize_tiny_vgg.png"),
            128,
        )?;
        gallery(
            &|r| r.probability.is_none(),
            chapter.figure("maximize_channels.png"),
            128,
        )
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "model",
            "target",
            "activation at the start",
            "after the steps",
            "probability of the class",
        ]);
        for row in &self.rows {
            table.row([
                row.model.to_string(),
                row.target.clone(),
                format!("{:.2}", row.start),
                format!("{:.2}", row.end),
                row.probability
                    .map(|p| format!("{p:.3}"))
                    .unwrap_or_else(|| "–".to_string()),
            ]);
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

pub fn vgg_inversion_config(steps: usize) -> InversionConfig {
    InversionConfig {
        steps,
        learning_rate: 0.02,
        total_variation: 0.5,
        pixel_range: (0.0, 1.0),
        start_noise: 0.05,
        seed: 8,
    }
}

pub fn lenet_inversion_config(lenet: &Lenet, steps: usize) -> InversionConfig {
    InversionConfig {
        steps,
        learning_rate: 0.05,
        total_variation: 0.5,
        pixel_range: lenet.pixel_range(),
        start_noise: 0.1,
        seed: 8,
    }
}

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
    pub photo: Array3<f32>,
    pub digit: Array3<f32>,
}

/// Root-mean-square difference of two pictures.
pub fn rms_difference(a: &Array3<f32>, b: &Array3<f32>) -> f32 {
    (a - b).mapv(|d| d * d).mean().unwrap_or(0.0).sqrt()
}

impl Inversions {
    pub fn compute(lenet: &Lenet, vgg: &TinyVgg, digits: &Digits) -> Result<Inversions> {
        let photo = TinyVgg::sample(INVERTED_PHOTO)?;
        let mut tiny_vgg = Vec::new();
        for name in VGG_INVERTED {
            // ANCHOR: invert
            let layer = vgg.network.layer_index(name)?;
            let config = vgg_inversion_config(VGG_INVERSION_STEPS);
            let result = invert_representation(&vgg.network, layer, photo.view(), config)?;
            // ANCHOR_END: invert
            tiny_vgg.push(InversionRow {
                layer: name.to_string(),
                values: output_values(&vgg.network, layer, photo.view())?,
                first_loss: result.losses[0],
                last_loss: *result.losses.last().expect("steps + 1 losses"),
                representation_error: result.representation_error,
                pixel_error: rms_difference(&result.image, &photo),
                picture: result.image,
            });
        }
        let digit = digits.image(INVERTED_DIGIT);
        let digit_picture = lenet.to_picture(digit.view());
        let mut lenet_rows = Vec::new();
        for name in LENET_INVERTED {
            let layer = lenet.network.layer_index(name)?;
            let config = lenet_inversion_config(lenet, LENET_INVERSION_STEPS);
            let result = invert_representation(&lenet.network, layer, digit.view(), config)?;
            let picture = lenet.to_picture(result.image.view());
            lenet_rows.push(InversionRow {
                layer: name.to_string(),
                values: output_values(&lenet.network, layer, digit.view())?,
                first_loss: result.losses[0],
                last_loss: *result.losses.last().expect("steps + 1 losses"),
                representation_error: result.representation_error,
                pixel_error: rms_difference(&picture, &digit_picture),
                picture,
            });
        }
        Ok(Inversions {
            tiny_vgg,
            lenet: lenet_rows,
            photo,
            digit: digit_picture,
        })
    }

    pub fn figures(&self, chapter: &Chapter) -> Result<()> {
        for (rows, original, path, pixels) in [
            (&self.tiny_vgg, &self.photo, "inversion_tiny_vgg.png", 128),
            (&self.lenet, &self.digit, "inversion_lenet.png", 96),
        ] {
            let mut views = vec![("original\n".to_string(), original.view())];
            for row in rows {
                views.push((
                    format!("from {}\nerror {:.3}", row.layer, row.pixel_error),
                    row.picture.view(),
                ));
            }
            plot::image_gallery(&chapter.figure(path), &views, 7, pixels)?;
        }
        Ok(())
    }

    pub fn table(&self, rows: &[InversionRow]) -> Table {
        let mut table = Table::new([
            "layer",
            "numbers in its output",
            "loss at the start",
            "loss at the end",
            "representation error",
            "pixel error (RMS)",
        ]);
        for row in rows {
            table.row([
                format!("`{}`", row.layer),
                row.values.to_string(),
                format!("{:.3}", row.first_loss),
                format!("{:.3}", row.last_loss),
                format!("{:.3}", row.representation_error),
                format!("{:.3}", row.pixel_error),
            ]);
        }
        table
    }
}

/// How many numbers layer `layer` outputs for one image.
pub fn output_values(network: &Sequential, layer: usize, image: ArrayView3<f32>) -> Result<usize> {
    let output = network.forward_to(image.insert_axis(Axis(0)).into_dyn(), layer)?;
    Ok(output.len())
}

// ---------------------------------------------------------------------------
// Your own image.
// ---------------------------------------------------------------------------

/// A network and an image prepared for it, from the command line.
pub struct Prepared {
    network: Sequential,
    /// The network's input, `[C, H, W]`.
    input: Array3<f32>,
    /// The input as a picture, `[3, H, W]` in `[0, 1]`.
    picture: Array3<f32>,
    classes: Vec<String>,
    lenet: Option<Lenet>,
}

/// Load the chosen network and, if given, the user's image, prepared for it: a photo
/// is scaled and centre-cropped to 64x64 for Tiny VGG, or turned into a 28x28 grey
/// digit for LeNet-5 (dark ink on light paper is inverted to MNIST's light ink).
pub fn prepare(model: ModelChoice, image: Option<&Path>) -> Result<Prepared> {
    if let Some(path) = image
        && !path.is_file()
    {
        bail!(
            "{}: no such file (give a PNG or JPEG image)",
            path.display()
        );
    }
    match model {
        ModelChoice::TinyVgg => {
            let network = TinyVgg::load()?.network;
            let input = match image {
                Some(path) => tiny_vgg::load_image(path)
                    .with_context(|| format!("reading {}", path.display()))?,
                None => Array3::from_elem((3, 64, 64), 0.5),
            };
            Ok(Prepared {
                network,
                picture: input.clone(),
                input,
                classes: CLASSES.iter().map(|c| c.to_string()).collect(),
                lenet: None,
            })
        }
        ModelChoice::Lenet => {
            let lenet = Lenet::load()?;
            let raw = match image {
                Some(path) => {
                    let rgb = cnn_core::load_rgb_center_crop(path, 28, 28)
                        .with_context(|| format!("reading {}", path.display()))?;
                    let mut grey = to_grayscale(rgb.view())?; // [28, 28]
                    if grey.mean().unwrap_or(0.0) > 0.5 {
                        grey.mapv_inplace(|v| 1.0 - v); // dark ink on white paper
                    }
                    grey.insert_axis(Axis(0)) // [1, 28, 28]
                }
                None => Array3::zeros((1, 28, 28)),
            };
            let input = lenet.normalize(raw.view());
            Ok(Prepared {
                network: lenet.network.clone(),
                picture: lenet.to_picture(input.view()),
                input,
                classes: (0..10).map(|d| d.to_string()).collect(),
                lenet: Some(lenet),
            })
        }
    }
}

impl Prepared {
    fn class_or_prediction(&self, class: Option<usize>) -> Result<usize> {
        let p = probabilities(&self.network, self.input.view())?;
        let class = class.unwrap_or_else(|| argmax(&p));
        if class >= self.classes.len() {
            bail!(
                "--class {class} is out of range: the classes are 0 to {} ({})",
                self.classes.len() - 1,
                self.classes.join(", ")
            );
        }
        println!(
            "class {class} ({}): probability {:.3}",
            self.classes[class], p[class]
        );
        Ok(class)
    }

    fn as_picture(&self, input: &Array3<f32>) -> Array3<f32> {
        match &self.lenet {
            Some(lenet) => lenet.to_picture(input.view()),
            None => input.clone(),
        }
    }
}

fn save_gallery(out: &Path, images: &[(String, Array3<f32>)], pixels: u32) -> Result<()> {
    let views: Vec<(String, ArrayView3<f32>)> =
        images.iter().map(|(t, i)| (t.clone(), i.view())).collect();
    plot::image_gallery(out, &views, images.len().min(4), pixels)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn your_image(command: Command) -> Result<()> {
    match command {
        Command::Filters { common } => {
            let prepared = prepare(common.model, None)?;
            let weights = first_filters(&prepared.network)?;
            match common.model {
                ModelChoice::Lenet => lenet_filter_figure(&weights, &common.out)?,
                ModelChoice::TinyVgg => tiny_vgg_filter_figure(&weights, &common.out)?,
            }
            let response = oriented_edge_response(weights.view(), &edge_angles())?;
            println!("{}", Filters::table(&response, &weights));
            println!("wrote {}", common.out.display());
        }
        Command::FeatureMaps { image, common } => {
            let prepared = prepare(common.model, Some(&image))?;
            overview_figure(
                &prepared.network,
                prepared.input.view(),
                &prepared.classes,
                &format!("Every feature map for {}", image.display()),
                &common.out,
            )?;
            println!("wrote {}", common.out.display());
        }
        Command::Occlusion {
            image,
            class,
            window,
            stride,
            common,
        } => {
            let prepared = prepare(common.model, Some(&image))?;
            let class = prepared.class_or_prediction(class)?;
            let fill = match &prepared.lenet {
                Some(lenet) => lenet.paper(),
                None => 0.5,
            };
            let config = OcclusionConfig {
                window,
                stride,
                fill,
            };
            let map = occlusion_map(&prepared.network, prepared.input.view(), class, config)?;
            println!(
                "probability {:.3} unoccluded, {:.3} at the lowest; most sensitive window at (row, column) {:?}",
                map.unoccluded,
                map.lowest(),
                map.most_sensitive()
            );
            let row = OcclusionRow {
                name: image
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                class: prepared.classes[class].clone(),
                overlaps_object: false,
                picture: prepared.picture.clone(),
                map,
            };
            occlusion_gallery(&[&row], &common.out, 256)?;
            println!("wrote {}", common.out.display());
        }
        Command::Saliency {
            image,
            class,
            common,
        } => {
            let prepared = prepare(common.model, Some(&image))?;
            let class = prepared.class_or_prediction(class)?;
            let result = saliency(&prepared.network, prepared.input.view(), class)?;
            let white = percentile_99(&result.map);
            println!(
                "score {:.3}; 99th percentile of |gradient| {white:.4}",
                result.score
            );
            let map = grey_picture(result.map.mapv(|v| (v / white).min(1.0)).view());
            save_gallery(
                &common.out,
                &[
                    (prepared.classes[class].clone(), prepared.picture.clone()),
                    ("saliency".to_string(), map),
                ],
                256,
            )?;
        }
        Command::Maximize {
            class,
            layer,
            channel,
            steps,
            common,
        } => {
            let prepared = prepare(common.model, None)?;
            let (target, caption) = match (class, layer) {
                (Some(class), _) => {
                    let name = prepared
                        .classes
                        .get(class)
                        .cloned()
                        .unwrap_or_else(|| class.to_string());
                    (Target::Class(class), format!("class {name}"))
                }
                (None, Some(layer)) => {
                    let index = prepared.network.layer_index(&layer)?;
                    let channel = channel.unwrap_or(0);
                    (
                        Target::Channel {
                            layer: index,
                            channel,
                        },
                        format!("{layer} channel {channel}"),
                    )
                }
                (None, None) => bail!("give --class K, or --layer NAME --channel C"),
            };
            let shape = [
                prepared.input.dim().0,
                prepared.input.dim().1,
                prepared.input.dim().2,
            ];
            let config = match (&prepared.lenet, target) {
                (Some(lenet), _) => lenet_maximize_config(lenet, steps),
                (None, Target::Class(_)) => vgg_maximize_config(steps),
                (None, Target::Channel { .. }) => vgg_channel_config(steps),
            };
            let result = maximize_activation(&prepared.network, shape, target, config)?;
            println!(
                "activation {:.3} at the start, {:.3} after {steps} steps",
                result.activations[0],
                result.activations.last().expect("steps + 1 values")
            );
            save_gallery(
                &common.out,
                &[(caption, prepared.as_picture(&result.image))],
                256,
            )?;
        }
        Command::Invert {
            image,
            layer,
            steps,
            common,
        } => {
            let prepared = prepare(common.model, Some(&image))?;
            let index = prepared.network.layer_index(&layer)?;
            let config = match &prepared.lenet {
                Some(lenet) => lenet_inversion_config(lenet, steps),
                None => vgg_inversion_config(steps),
            };
            let result =
                invert_representation(&prepared.network, index, prepared.input.view(), config)?;
            let picture = prepared.as_picture(&result.image);
            println!(
                "loss {:.4} -> {:.4}; representation error {:.4}; pixel error (RMS) {:.4}",
                result.losses[0],
                result.losses.last().expect("steps + 1 losses"),
                result.representation_error,
                rms_difference(&picture, &prepared.picture)
            );
            save_gallery(
                &common.out,
                &[
                    ("original".to_string(), prepared.picture.clone()),
                    (format!("from {layer}"), picture),
                ],
                256,
            )?;
        }
    }
    Ok(())
}
