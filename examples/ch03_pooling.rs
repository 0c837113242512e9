//! Chapter 3: pooling (池化).
//!
//! Run with `cargo run --example ch03_pooling`. It prints every number the chapter
//! quotes, writes the chapter's tables to `book/generated/ch03/` and its figures to
//! `book/figures/ch03/`. Read it top to bottom alongside the chapter: each section
//! below is one section there.

use anyhow::Result;
use clap::Parser;
use cnn_book::figures::map;
use cnn_book::photos::{self, as_batch};
use cnn_book::plot::{self, Labels, MapStyle, Panel, Series, SeriesLabelPosition};
use cnn_book::text::{rows_as_text, with_thousands};
use cnn_book::{Chapter, Table, lecture, row};
use cnn_core::ops::{avg_pool2d, conv1d, conv2d, global_max_pool1d, max_pool2d, relu};
use cnn_core::output_size;
use cnn_core::shape::receptive_field;
use ndarray::{Array1, Array2, Array3, Array4, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Computes chapter 3's numbers and draws its figures into book/generated/ch03/ and
/// book/figures/ch03/.
#[derive(Debug, Parser)]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch03")?;

    let lecture = LectureExample::compute()?;
    lecture.figure(&chapter)?;
    chapter.publish("lecture_pooled", &lecture.table())?;

    let photo = PhotoPooling::compute()?;
    photo.figure(&chapter)?;
    chapter.publish("photo_sizes", &photo.table())?;

    let invariance = Invariance::compute()?;
    invariance.figure(&chapter)?;
    chapter.publish("invariance", &invariance.table())?;
    chapter.publish("invariance_shares", &invariance.shares_table())?;
    let [no_pooling, largest_window] = [0, POOLINGS.len() - 1].map(|p| invariance.share(p, 1));
    chapter.write_value("share_one_pixel", format!("{:.0}%", 100.0 * no_pooling))?;
    chapter.write_value(
        "share_one_pixel_8",
        format!("{:.0}%", 100.0 * largest_window),
    )?;
    let unrelated = invariance.unrelated[0];
    chapter.write_value("unrelated_no_pooling", format!("{unrelated:.2}"))?;
    chapter.write_value(
        "one_pixel_no_pooling",
        format!("{:.2}", invariance.changes[0][1]),
    )?;
    chapter.write_value("photos_checked", INVARIANCE_PHOTOS.len())?;

    let (downstream, ratio) = downstream_parameters()?;
    chapter.publish("downstream_parameters", &downstream)?;
    chapter.write_value("downstream_ratio", format!("{ratio:.1}"))?;

    let sentences = Sentences::compute()?;
    chapter.publish("sentences", &sentences.table())?;

    let fields = ReceptiveFields::compute()?;
    fields.figure(&chapter)?;
    chapter.publish("receptive_field", &fields.table())?;

    chapter.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. The lecture example: convolve, then pool.
// ---------------------------------------------------------------------------

/// The lecture's 6x6 image through both 3x3 filters, then 2x2 pooling.
pub struct LectureExample {
    /// `[1, 2, 4, 4]`: one 4x4 feature map per filter.
    pub feature_maps: Array4<f32>,
    /// `[1, 2, 2, 2]`: 2x2 max pooling of the feature maps.
    pub max_pooled: Array4<f32>,
    /// `[1, 2, 2, 2]`: 2x2 average pooling of the feature maps.
    pub avg_pooled: Array4<f32>,
}

impl LectureExample {
    pub fn compute() -> Result<LectureExample> {
        // ANCHOR: lecture
        let image = lecture::image_batch(); // [1, 1, 6, 6]
        let (filters, bias) = lecture::filters(); // [2, 1, 3, 3]
        let feature_maps = conv2d(image.view(), filters.view(), bias.view(), 1, 0)?; // [1, 2, 4, 4]
        let max_pooled = max_pool2d(feature_maps.view(), 2, 2)?; // [1, 2, 2, 2]
        let avg_pooled = avg_pool2d(feature_maps.view(), 2, 2)?; // [1, 2, 2, 2]
        // ANCHOR_END: lecture
        Ok(LectureExample {
            feature_maps,
            max_pooled,
            avg_pooled,
        })
    }

    pub fn table(&self) -> Table {
        let mut table =
            Table::columns("filter | feature map (4x4) | 2x2 max pooling | 2x2 average pooling");
        for (f, name) in ["1 (diagonal)", "2 (vertical)"].iter().enumerate() {
            let [maps, max, avg] = [&self.feature_maps, &self.max_pooled, &self.avg_pooled]
                .map(|x| rows_as_text(map(x, f)));
            table.row([name.to_string(), maps, max, avg]);
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let (file, image) = (chapter.figure("lecture_image.png"), lecture::image());
        let style = MapStyle::gray(240).annotated().with_range(0.0, 1.0);
        plot::heatmap(&file, "The 6x6 image", image.view(), &style)?;
        let mut panels = Vec::new();
        for f in 0..2 {
            for (what, maps) in [
                ("feature map", &self.feature_maps),
                ("max pooled", &self.max_pooled),
                ("average pooled", &self.avg_pooled),
            ] {
                panels.push(Panel::new(
                    format!("filter {}: {what}", f + 1),
                    map(maps, f),
                ));
            }
        }
        let file = chapter.figure("lecture_pooling.png");
        let title = "Feature maps and their 2x2 pooling";
        let style = MapStyle::diverging(200).annotated();
        plot::grid(&file, title, &panels, 3, &style)
    }
}

// ---------------------------------------------------------------------------
// 2. Pooling a real photo: max keeps the strongest response, average blurs it.
// ---------------------------------------------------------------------------

/// The camera photo as a grey `[1, 1, 512, 512]` batch.
pub fn camera_photo() -> Result<Array4<f32>> {
    Ok(as_batch(photos::grey("camera.png")?.view())) // [512, 512] -> [1, 1, 512, 512]
}

/// The strength of vertical edges: the Sobel kernel, then ReLU (only
/// light-to-dark-going-right edges survive, as after a convolution layer with ReLU).
///
/// input: [1, 1, H, W] -> output: [1, 1, H-2, W-2]
pub fn edge_map(image: &Array4<f32>) -> Result<Array4<f32>> {
    let sobel = array![[[[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]]]; // [1, 1, 3, 3]
    let edges = conv2d(image.view(), sobel.view(), array![0.0].view(), 1, 0)?; // [1, 1, H-2, W-2]
    Ok(relu(edges.view())) // [1, 1, H-2, W-2]
}

pub struct PhotoPooling {
    pub edges: Array4<f32>,
    pub max_pooled: Array4<f32>,
    pub avg_pooled: Array4<f32>,
}

/// Window (and stride) of the photo's pooling: big enough to see the difference.
const PHOTO_POOL: usize = 8;

impl PhotoPooling {
    pub fn compute() -> Result<PhotoPooling> {
        // ANCHOR: photo
        let photo = camera_photo()?; // [1, 1, 512, 512]
        let edges = edge_map(&photo)?; // [1, 1, 510, 510]
        let max_pooled = max_pool2d(edges.view(), PHOTO_POOL, PHOTO_POOL)?; // [1, 1, 63, 63]
        let avg_pooled = avg_pool2d(edges.view(), PHOTO_POOL, PHOTO_POOL)?; // [1, 1, 63, 63]
        // ANCHOR_END: photo
        Ok(PhotoPooling {
            edges,
            max_pooled,
            avg_pooled,
        })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("map | size | values | largest value | mean value");
        let pool = format!("{PHOTO_POOL}x{PHOTO_POOL}");
        for (name, map) in [
            ("vertical edges (Sobel, ReLU)".to_string(), &self.edges),
            (format!("{pool} max pooling"), &self.max_pooled),
            (format!("{pool} average pooling"), &self.avg_pooled),
        ] {
            let (_, _, h, w) = map.dim();
            let (max, mean) = (largest(map), map.mean().unwrap_or(0.0));
            let size = format!("{h} x {w}");
            let values = h * w;
            row!(table, "{name} | {size} | {values} | {max:.3} | {mean:.3}");
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let panels = [
            Panel::new("vertical edges, 510 x 510", map(&self.edges, 0)),
            Panel::new("8x8 max pooling, 63 x 63", map(&self.max_pooled, 0)),
            Panel::new("8x8 average pooling, 63 x 63", map(&self.avg_pooled, 0)),
        ];
        let style = MapStyle::viridis(300).with_range(0.0, largest(&self.edges));
        let file = chapter.figure("photo_pooling.png");
        let title = "Pooling an edge map of a photo (one colour scale)";
        plot::grid(&file, title, &panels, 2, &style)?;
        let file = chapter.figure("photo.png");
        let title = "The photo (grey, 512 x 512)";
        let style = MapStyle::gray(300).with_range(0.0, 1.0);
        plot::heatmap(&file, title, map(&camera_photo()?, 0), &style)
    }
}

/// The largest value of a non-negative map.
fn largest(map: &Array4<f32>) -> f32 {
    map.fold(0f32, |m, &v| m.max(v))
}

// ---------------------------------------------------------------------------
// 3. Benefit 1, measured: a small shift changes pooled maps less.
// ---------------------------------------------------------------------------

/// How much a map changes when the camera moves, as a fraction of the map's size:
/// `||after - before|| / ||before||`. 0 means unchanged; 1 is the distance from the
/// map to an all-zero map; two unrelated maps of the same size differ by more (see
/// [`Invariance::unrelated`]).
pub fn relative_change(before: &Array4<f32>, after: &Array4<f32>) -> f32 {
    let difference = (after - before).mapv(|v| v * v).sum().sqrt();
    let size = before.mapv(|v| v * v).sum().sqrt();
    difference / size
}

/// The poolings compared: `(label, kernel)`; kernel 1 means no pooling.
pub const POOLINGS: [(&str, usize); 4] = [
    ("no pooling", 1),
    ("2x2 max", 2),
    ("4x4 max", 4),
    ("8x8 max", 8),
];
/// The largest shift measured, in pixels.
pub const MAX_SHIFT: usize = 4;
/// The photos the measurement is repeated on (the chapter shows the first); each
/// is measured on a 256 x 256 view around its centre.
pub const INVARIANCE_PHOTOS: [&str; 4] =
    ["camera.png", "astronaut.png", "coffee.png", "chelsea.png"];
/// Side of the view measured.
pub const VIEW: usize = 256;

pub struct Invariance {
    /// `changes[p][d]`: relative change for pooling `POOLINGS[p]` and shift `d`.
    pub changes: Vec<Vec<f32>>,
    /// `unrelated[p]`: the relative change between the pooled map and an unrelated
    /// map of the same size: the same pooled map turned by 180 degrees (the same
    /// values, so the same energy, but none in its place).
    pub unrelated: Vec<f32>,
}

impl Invariance {
    /// The chapter's measurement, on the camera photo.
    pub fn compute() -> Result<Invariance> {
        Invariance::of_photo(INVARIANCE_PHOTOS[0])
    }

    /// The measurement on a 256 x 256 view at the centre of `photo` (a file in
    /// `data/photos/`).
    pub fn of_photo(photo: &str) -> Result<Invariance> {
        let grey = photos::grey(photo)?; // [H, W]
        let (height, width) = grey.dim();
        let (top, left) = ((height - VIEW) / 2, (width - VIEW) / 2);
        // The view, and the same view with the camera moved `shift` pixels to the
        // left: the scene moves right by `shift`.
        let view = |shift: usize| {
            let (rows, columns) = (top..top + VIEW, left - shift..left - shift + VIEW);
            as_batch(grey.slice(s![rows, columns])) // [1, 1, 256, 256]
        };
        let before = edge_map(&view(0))?; // [1, 1, 254, 254]
        let (mut changes, mut unrelated) = (Vec::new(), Vec::new());
        for &(_, kernel) in &POOLINGS {
            let pooled_before = max_pool2d(before.view(), kernel, kernel)?;
            let mut row = Vec::new();
            for shift in 0..=MAX_SHIFT {
                let after = edge_map(&view(shift))?;
                let pooled_after = max_pool2d(after.view(), kernel, kernel)?;
                row.push(relative_change(&pooled_before, &pooled_after));
            }
            changes.push(row);
            let turned = pooled_before.slice(s![.., .., ..;-1, ..;-1]).to_owned();
            unrelated.push(relative_change(&pooled_before, &turned));
        }
        Ok(Invariance { changes, unrelated })
    }

    /// The change after a shift of `shift` pixels as a share of the change to an
    /// unrelated map, for pooling `POOLINGS[pooling]`: 0 is unchanged, 1 as different
    /// as a map with nothing in its place.
    pub fn share(&self, pooling: usize, shift: usize) -> f32 {
        self.changes[pooling][shift] / self.unrelated[pooling]
    }

    pub fn table(&self) -> Table {
        let shifts = (1..=MAX_SHIFT).map(|d| format!("shift {d} px"));
        let columns = std::iter::once("pooling".to_string())
            .chain(shifts)
            .chain(["unrelated map (turned 180 degrees)".to_string()]);
        let mut table = Table::new(columns);
        for (((label, _), row), unrelated) in
            POOLINGS.iter().zip(&self.changes).zip(&self.unrelated)
        {
            let changes = row[1..].iter().map(|c| format!("{c:.2}"));
            let cells = std::iter::once(label.to_string())
                .chain(changes)
                .chain([format!("{unrelated:.2}")]);
            table.row(cells);
        }
        table
    }

    /// The same changes as shares of the unrelated map's.
    pub fn shares_table(&self) -> Table {
        let shifts = (1..=MAX_SHIFT).map(|d| format!("shift {d} px"));
        let mut table = Table::new(std::iter::once("pooling".to_string()).chain(shifts));
        for (pooling, (label, _)) in POOLINGS.iter().enumerate() {
            let shares = (1..=MAX_SHIFT).map(|d| format!("{:.0}%", 100.0 * self.share(pooling, d)));
            table.row(std::iter::once(label.to_string()).chain(shares));
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let series: Vec<Series> = POOLINGS
            .iter()
            .enumerate()
            .map(|(pooling, (label, _))| {
                let shares = (0..=MAX_SHIFT).map(|d| (d as f32, self.share(pooling, d)));
                Series::new(*label, shares.collect())
            })
            .collect();
        let labels = Labels::new(
            "How much an edge map changes when the image shifts",
            "shift (pixels)",
            "change, as a share of an unrelated map's",
        );
        let labels = labels.legend_at(SeriesLabelPosition::UpperLeft);
        plot::line_chart(&chapter.figure("invariance.svg"), &labels, &series)
    }
}

// ---------------------------------------------------------------------------
// 4. Benefit 2: smaller maps, fewer weights downstream.
// ---------------------------------------------------------------------------

/// A LeNet-5-like network on a 28x28 digit, with and without its two 2x2
/// poolings: the sizes of the maps and the weights of the first fully connected
/// layer (全连接) of 120 units, which must take every value of the last map.
/// Returns the table and how many times more weights the unpooled network needs.
pub fn downstream_parameters() -> Result<(Table, f32)> {
    // ANCHOR: downstream
    let conv1 = output_size(28, 5, 1, 2)?; // 28: 5x5 conv, padding 2, 6 filters
    let pooled1 = output_size(conv1, 2, 2, 0)?; // 14
    let conv2_pooled = output_size(pooled1, 5, 1, 0)?; // 10: 5x5 conv, 16 filters
    let pooled2 = output_size(conv2_pooled, 2, 2, 0)?; // 5
    let conv2_unpooled = output_size(conv1, 5, 1, 0)?; // 24: the same conv without pooling
    let fully_connected_weights = |side: usize| (16 * side * side) * 120 + 120; // inputs x units + biases
    // ANCHOR_END: downstream
    let mut table = Table::columns(
        "network | map after conv 1 | map after conv 2 | values flattened | weights of FC 120",
    );
    for (name, after_conv1, after_conv2) in [
        ("with 2x2 max pooling", pooled1, pooled2),
        ("without pooling", conv1, conv2_unpooled),
    ] {
        let [flattened, weights] = [
            16 * after_conv2 * after_conv2,
            fully_connected_weights(after_conv2),
        ]
        .map(with_thousands);
        row!(
            table,
            "{name} | 6 x {after_conv1} x {after_conv1} | 16 x {after_conv2} x {after_conv2} | {flattened} | {weights}"
        );
    }
    let ratio =
        fully_connected_weights(conv2_unpooled) as f32 / fully_connected_weights(pooled2) as f32;
    Ok((table, ratio))
}

// ---------------------------------------------------------------------------
// 5. Benefit 3: any length in, a fixed length out (text classification).
// ---------------------------------------------------------------------------

/// Size of the toy word vectors.
pub const EMBEDDING: usize = 4;
/// Filters of the 1-D convolution, each spanning three words.
pub const TEXT_FILTERS: usize = 3;

pub const SENTENCES: [&str; 3] = [
    "the film was great",
    "a slow start but a great ending",
    "i did not expect to enjoy a film about pooling this much",
];

pub struct Sentences {
    /// For each sentence: its feature maps `[1, F, L - 2]` and pooled vector `[1, F]`.
    pub results: Vec<(Array3<f32>, Array2<f32>)>,
}

impl Sentences {
    pub fn compute() -> Result<Sentences> {
        // Toy word vectors and filters, drawn from a seeded RNG: real models learn
        // them, but the shapes are what this section is about.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let weight = Array3::from_shape_simple_fn((TEXT_FILTERS, EMBEDDING, 3), || {
            rng.random_range(-1.0f32..1.0)
        }); // [3, 4, 3]
        let bias = Array1::zeros(TEXT_FILTERS);
        let mut results = Vec::new();
        for sentence in SENTENCES {
            let words: Vec<&str> = sentence.split(' ').collect();
            // ANCHOR: sentence
            let embedded = embed(&words); // [1, 4, L]
            let maps = conv1d(embedded.view(), weight.view(), bias.view(), 1, 0)?; // [1, 3, L - 2]
            let pooled = global_max_pool1d(maps.view())?; // [1, 3]
            // ANCHOR_END: sentence
            results.push((maps, pooled));
        }
        Ok(Sentences { results })
    }

    pub fn table(&self) -> Table {
        let mut table =
            Table::columns("sentence | words | feature maps | after global max pooling");
        for (sentence, (maps, pooled)) in SENTENCES.iter().zip(&self.results) {
            let (_, filters, length) = maps.dim();
            let vector: Vec<String> = pooled.row(0).iter().map(|v| format!("{v:.2}")).collect();
            let (words, vector) = (sentence.split(' ').count(), vector.join(", "));
            row!(
                table,
                "\"{sentence}\" | {words} | {filters} x {length} | ({vector})"
            );
        }
        table
    }
}

/// Toy word vectors: each word gets a vector seeded by its letters, so the same
/// word always gets the same vector. input: L words -> output: [1, EMBEDDING, L]
pub fn embed(words: &[&str]) -> Array3<f32> {
    let mut embedded = Array3::zeros((1, EMBEDDING, words.len()));
    for (position, word) in words.iter().enumerate() {
        let hash = |h: u64, b: u8| h.wrapping_mul(31).wrapping_add(b as u64);
        let seed = word.bytes().fold(17, hash);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for channel in 0..EMBEDDING {
            embedded[[0, channel, position]] = rng.random_range(-1.0f32..1.0);
        }
    }
    embedded
}

// ---------------------------------------------------------------------------
// 6. Benefit 4: a larger receptive field (感受野) for the same number of layers.
// ---------------------------------------------------------------------------

pub struct ReceptiveFields {
    /// `(layer name, field without pooling, field with pooling)`, per conv layer.
    pub rows: Vec<(String, usize, usize)>,
}

/// Number of 3x3 convolution layers in the comparison.
pub const CONV_LAYERS: usize = 6;

impl ReceptiveFields {
    pub fn compute() -> Result<ReceptiveFields> {
        // Without pooling: six 3x3 convolutions. With pooling: a 2x2 max pooling
        // after every second convolution, as in VGG.
        let plain = vec![(3, 1); CONV_LAYERS];
        let mut pooled = Vec::new();
        for layer in 1..=CONV_LAYERS {
            pooled.push((3, 1));
            if layer % 2 == 0 && layer < CONV_LAYERS {
                pooled.push((2, 2));
            }
        }
        let plain_fields = receptive_field(&plain)?;
        let pooled_fields = receptive_field(&pooled)?;
        // Keep the field after each convolution (skip the values after poolings).
        let after_convs = pooled
            .iter()
            .zip(&pooled_fields)
            .filter(|((kernel, _), _)| *kernel == 3)
            .map(|(_, field)| field.0);
        let rows = plain_fields
            .iter()
            .zip(after_convs)
            .enumerate()
            .map(|(i, (plain, pooled))| (format!("conv {}", i + 1), plain.0, pooled))
            .collect();
        Ok(ReceptiveFields { rows })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "layer | receptive field, no pooling | with 2x2 pooling after conv 2 and 4",
        );
        for (name, plain, pooled) in &self.rows {
            row!(table, "{name} | {plain} x {plain} | {pooled} x {pooled}");
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let points = |pick: fn(&(String, usize, usize)) -> usize| {
            let at = |(i, row)| ((i + 1) as f32, pick(row) as f32);
            self.rows.iter().enumerate().map(at).collect()
        };
        let series = [
            Series::new("3x3 convs only", points(|r| r.1)),
            Series::new("2x2 pooling after conv 2 and 4", points(|r| r.2)),
        ];
        let labels = Labels::new(
            "Receptive field after each 3x3 convolution",
            "convolution layer",
            "field (pixels per side)",
        );
        let labels = labels.legend_at(SeriesLabelPosition::UpperLeft);
        plot::line_chart(&chapter.figure("receptive_field.svg"), &labels, &series)
    }
}
