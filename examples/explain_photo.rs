//! Chapter 8's methods on your own image: one method per run, one PNG.
//!
//! ```text
//! cargo run --release --example explain_photo -- occlusion my.jpg --window 12 --stride 4 --out occlusion.png
//! cargo run --release --example explain_photo -- saliency my.jpg --out saliency.png
//! cargo run --release --example explain_photo -- invert my.jpg --layer conv_2_1 --out invert.png
//! cargo run --release --example explain_photo -- maximize --class 6 --out espresso.png
//! cargo run --release --example explain_photo -- maximize --layer conv_1_2 --channel 3
//! cargo run --release --example explain_photo -- feature-maps my.jpg --out maps.png
//! cargo run --release --example explain_photo -- filters --model lenet --out filters.png
//! ```
//!
//! The network is Tiny VGG (a photo is scaled and centre-cropped to 64x64); add
//! `--model lenet` to use LeNet-5 (the image becomes a 28x28 grey digit). Without
//! `--out` the PNG is written to `METHOD.png` in the current folder. Every option is
//! checked before any work starts; the output never replaces the image it explains.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use cnn_book::cli;
use cnn_book::network_figures::{self, gallery, occlusion_pair, saliency_picture};
use cnn_book::output::repo_root;
use cnn_book::trained::{MNIST, Trained};
use cnn_core::data::files::regular_file_size;
use cnn_core::models::lenet::{self, MnistData};
use cnn_core::models::tiny_vgg;
use cnn_core::train::argmax;
use cnn_core::visualize::{OcclusionConfig, Target, invert_representation, maximize_activation};
use cnn_core::visualize::{occlusion_map, oriented_edge_response, saliency};
use ndarray::{Array3, ArrayView3};

/// Run one of chapter 8's methods on your own image and write one PNG.
#[derive(Debug, Parser)]
#[command(about = "Chapter 8: look inside Tiny VGG or LeNet-5 with your own image")]
pub struct Args {
    #[command(subcommand)]
    pub method: Method,
    /// Which trained network to look into.
    #[arg(long, value_enum, default_value_t = ModelChoice::TinyVgg, global = true)]
    pub model: ModelChoice,
    /// Where to write the PNG [default: METHOD.png in the current folder].
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
}

/// The methods, each on your image.
#[derive(Debug, Clone, Subcommand)]
pub enum Method {
    /// The first layer's filters (no image needed), and the edge each detects.
    Filters,
    /// Every feature map of every layer for your image.
    FeatureMaps {
        /// A PNG or JPEG image.
        image: PathBuf,
    },
    /// Slide a square over the image and map the class probability.
    Occlusion {
        /// A PNG or JPEG image.
        image: PathBuf,
        /// The class to watch (index; default: the predicted class).
        #[arg(long, value_parser = cli::count::<0, 9>)]
        class: Option<usize>,
        /// Side of the square, in pixels of the network's input.
        #[arg(long, default_value_t = 12, value_parser = cli::count::<1, 64>)]
        window: usize,
        /// Step between positions of the square.
        #[arg(long, default_value_t = 4, value_parser = cli::count::<1, 64>)]
        stride: usize,
    },
    /// The gradient of the class score with respect to every pixel.
    Saliency {
        /// A PNG or JPEG image.
        image: PathBuf,
        /// The class (index; default: the predicted class).
        #[arg(long, value_parser = cli::count::<0, 9>)]
        class: Option<usize>,
    },
    /// Find the image that a class (or a channel of a layer) responds to most.
    Maximize {
        /// The class to maximise.
        #[arg(long, value_parser = cli::count::<0, 9>, required_unless_present = "layer")]
        class: Option<usize>,
        /// Maximise a channel of this layer (a name such as conv_2_1) instead.
        #[arg(long, conflicts_with = "class", requires = "channel")]
        layer: Option<String>,
        /// The channel of --layer.
        #[arg(long, requires = "layer", value_parser = cli::count::<0, 1000>)]
        channel: Option<usize>,
        /// Gradient steps.
        #[arg(long, default_value_t = 300, value_parser = cli::count::<1, 10_000>)]
        steps: usize,
    },
    /// Reconstruct the image from one layer's output.
    Invert {
        /// A PNG or JPEG image.
        image: PathBuf,
        /// The layer whose output is inverted (a name such as conv_2_1).
        #[arg(long)]
        layer: String,
        /// Gradient steps.
        #[arg(long, default_value_t = 300, value_parser = cli::count::<1, 10_000>)]
        steps: usize,
    },
}

/// The book's two trained networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelChoice {
    /// Tiny VGG of CNN Explainer (chapter 7): 64x64 colour photos, 10 classes.
    TinyVgg,
    /// LeNet-5 trained in chapter 6: 28x28 grey digits.
    Lenet,
}

impl ModelChoice {
    /// Height and width of the network's input.
    pub fn input_size(self) -> usize {
        match self {
            ModelChoice::TinyVgg => tiny_vgg::INPUT_SIZE,
            ModelChoice::Lenet => lenet::INPUT_SIZE,
        }
    }

    /// The trained network, checked.
    pub fn load(self) -> Result<Trained> {
        match self {
            ModelChoice::TinyVgg => Trained::tiny_vgg(),
            ModelChoice::Lenet => {
                let mnist = MnistData::load(&repo_root().join(MNIST))?;
                Trained::lenet5(mnist.normalization)
            }
        }
    }
}

impl Method {
    /// The image the method explains, if it takes one.
    pub fn image(&self) -> Option<&Path> {
        match self {
            Method::Filters | Method::Maximize { .. } => None,
            Method::FeatureMaps { image }
            | Method::Occlusion { image, .. }
            | Method::Saliency { image, .. }
            | Method::Invert { image, .. } => Some(image),
        }
    }

    /// The subcommand's name: the default file name of its PNG.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Filters => "filters",
            Method::FeatureMaps { .. } => "feature-maps",
            Method::Occlusion { .. } => "occlusion",
            Method::Saliency { .. } => "saliency",
            Method::Maximize { .. } => "maximize",
            Method::Invert { .. } => "invert",
        }
    }
}

impl Args {
    /// Checks everything that can be checked before the network is loaded, and gives
    /// the output path: the image is a regular file, the occlusion square fits the
    /// network's input, and the output can be written and is not the image.
    ///
    /// # Errors
    /// The first of these that fails, naming the option.
    pub fn check(&self) -> Result<PathBuf> {
        if let Some(image) = self.method.image() {
            regular_file_size(image).context("the image to explain")?;
        }
        if let Method::Occlusion { window, .. } = self.method {
            let size = self.model.input_size();
            anyhow::ensure!(
                window <= size,
                "--window {window} is larger than the network's {size}x{size} input"
            );
        }
        let default = PathBuf::from(format!("{}.png", self.method.name()));
        let out = self.out.clone().unwrap_or(default);
        let inputs: Vec<&Path> = self.method.image().into_iter().collect();
        cli::check_output(&out, &inputs).context("--out")?;
        Ok(out)
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let out = args.check()?;
    let trained = args.model.load()?;
    explain(&trained, &args.method, &out)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Run `method` with `trained` and write its PNG to `out`.
pub fn explain(trained: &Trained, method: &Method, out: &Path) -> Result<()> {
    match method {
        Method::Filters => filters(trained, out),
        Method::FeatureMaps { image } => feature_maps(trained, image, out),
        Method::Occlusion {
            image,
            class,
            window,
            stride,
        } => occlusion(trained, image, *class, (*window, *stride), out),
        Method::Saliency { image, class } => saliency_map(trained, image, *class, out),
        Method::Maximize {
            class,
            layer,
            channel,
            steps,
        } => {
            let target = match (class, layer, channel) {
                (Some(class), _, _) => Target::Class(*class),
                (None, Some(layer), Some(channel)) => Target::Channel {
                    layer: layer.clone(),
                    channel: *channel,
                },
                _ => bail!("give --class K, or --layer NAME --channel C"),
            };
            maximize(trained, &target, *steps, out)
        }
        Method::Invert {
            image,
            layer,
            steps,
        } => invert(trained, image, layer, *steps, out),
    }
}

/// The image at `path` as the network's input `[C, H, W]` and as a picture
/// `[3, H, W]` in `[0, 1]`.
fn load(trained: &Trained, path: &Path) -> Result<(Array3<f32>, Array3<f32>)> {
    let input = trained.load_photo(path)?;
    let picture = trained.picture(input.view());
    Ok((input, picture))
}

/// The class the user asked for, or else the network's prediction; printed with its
/// probability.
fn class_or_prediction(
    trained: &Trained,
    input: ArrayView3<f32>,
    class: Option<usize>,
) -> Result<usize> {
    let probabilities = trained.probabilities(input)?; // finite, or an error
    let class = class.unwrap_or_else(|| argmax(&probabilities));
    let (name, p) = (trained.classes()[class], probabilities[class]);
    println!("class {class} ({name}): probability {p:.3}");
    Ok(class)
}

/// The first layer's filters, and the edge angle each responds to most.
fn filters(trained: &Trained, out: &Path) -> Result<()> {
    let weights = network_figures::first_filters(&trained.network)?; // [F, C, K, K]
    let angles: Vec<f32> = (0..24).map(|k| 15.0 * k as f32).collect();
    let response = oriented_edge_response(weights.view(), &angles)?; // [F, 24]
    for (f, row) in response.outer_iter().enumerate() {
        let best = argmax(row.as_slice().unwrap_or(&[]));
        let (strongest, angle) = (row[best], angles[best]);
        println!("filter {f}: strongest response {strongest:.2} to an edge at {angle}°");
    }
    network_figures::filters(trained, out)
}

/// Every feature map of every layer for the image.
fn feature_maps(trained: &Trained, image: &Path, out: &Path) -> Result<()> {
    let (input, _) = load(trained, image)?;
    let title = format!("Every feature map for {}", image.display());
    let classes = trained.classes();
    network_figures::overview(out, &title, &trained.network, input.view(), &classes)
}

/// The image with its most sensitive square, beside its occlusion map.
fn occlusion(
    trained: &Trained,
    image: &Path,
    class: Option<usize>,
    (window, stride): (usize, usize),
    out: &Path,
) -> Result<()> {
    let (input, picture) = load(trained, image)?;
    let class = class_or_prediction(trained, input.view(), class)?;
    let fill = trained.background();
    let config = OcclusionConfig {
        window,
        stride,
        fill,
    };
    let map = occlusion_map(&trained.network, input.view(), class, config)?;
    let (p, lowest, at) = (map.unoccluded, map.lowest(), map.most_sensitive());
    println!("probability {p:.3} unoccluded, {lowest:.3} at the lowest");
    println!("most sensitive window at (row, column) {at:?}");
    let name = image.file_name().unwrap_or_default().to_string_lossy();
    let pair = occlusion_pair(&name, trained.classes()[class], &picture, &map);
    gallery(out, &pair, 2, 256)
}

/// The image beside its saliency map.
fn saliency_map(trained: &Trained, image: &Path, class: Option<usize>, out: &Path) -> Result<()> {
    let (input, picture) = load(trained, image)?;
    let class = class_or_prediction(trained, input.view(), class)?;
    let result = saliency(&trained.network, input.view(), class)?;
    let (white, map) = saliency_picture(&result.map);
    println!(
        "score {:.3}; 99th percentile of |gradient| {white:.4}",
        result.score
    );
    let name = trained.classes()[class].to_string();
    gallery(out, &[(name, picture), ("saliency".into(), map)], 2, 256)
}

/// The image that the target responds to most.
fn maximize(trained: &Trained, target: &Target, steps: usize, out: &Path) -> Result<()> {
    let caption = match target {
        Target::Class(class) => format!("class {}", trained.classes()[*class]),
        Target::Channel { layer, channel } => format!("{layer} channel {channel}"),
    };
    let config = trained.maximize_config(target, steps);
    let shape = trained.input_shape();
    let result = maximize_activation(&trained.network, shape, target, config)?;
    let (start, end) = (result.activations[0], result.activations[steps]);
    println!("activation {start:.3} at the start, {end:.3} after {steps} steps");
    let picture = trained.picture(result.image.view());
    gallery(out, &[(caption, picture)], 1, 256)
}

/// The image beside its reconstruction from one layer's output.
fn invert(trained: &Trained, image: &Path, layer: &str, steps: usize, out: &Path) -> Result<()> {
    let (input, picture) = load(trained, image)?;
    let config = trained.inversion_config(steps);
    let result = invert_representation(&trained.network, layer, input.view(), config)?;
    let reconstruction = trained.picture(result.image.view());
    let (first, last) = (result.losses[0], result.losses[steps]);
    let pixels = (&reconstruction - &picture)
        .mapv(|d| d * d)
        .mean()
        .unwrap_or(0.0)
        .sqrt();
    let code = result.representation_error;
    println!("loss {first:.4} -> {last:.4}; representation error {code:.4}");
    println!("pixel error (RMS) {pixels:.4}");
    let from = format!("from {layer}");
    gallery(
        out,
        &[("original".into(), picture), (from, reconstruction)],
        2,
        256,
    )
}
