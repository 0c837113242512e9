//! Chapter 2: feature maps (特征图).
//!
//! Run with `cargo run --example ch02_feature_maps`. It prints every number the
//! chapter quotes, writes the chapter's tables to `book/generated/ch02/` and its
//! figures to `book/figures/ch02/`. Read it top to bottom alongside the chapter: each
//! section below is one section there.

use anyhow::Result;
use clap::Parser;
use cnn_book::figures::map;
use cnn_book::photos::{self, as_batch};
use cnn_book::plot::{self, Labels, MapStyle, MatrixLabels, Panel, Series, Window};
use cnn_book::text::{rows_as_text, rows_with_decimals, with_thousands};
use cnn_book::{Chapter, Table, lecture, row};
use cnn_core::data::to_grayscale;
use cnn_core::ops::{conv2d, conv2d_naive};
use ndarray::{Array1, Array2, Array4, ArrayView1, ArrayView2, Axis, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Computes chapter 2's numbers and draws its figures into book/generated/ch02/ and
/// book/figures/ch02/.
#[derive(Debug, Parser)]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch02")?;

    let sliding = Sliding::compute()?;
    sliding.figure(&chapter)?;
    sliding.animation(&chapter)?;
    chapter.publish("sliding", &sliding.table())?;

    let lecture = LectureWorked::compute()?;
    lecture.figures(&chapter)?;
    for (filter, stride) in [(0, 1), (1, 1), (0, 2), (1, 2)] {
        let name = format!("lecture_filter{}_stride{stride}", filter + 1);
        chapter.publish(&name, &lecture.table(filter, stride))?;
    }

    let pixel = OneRgbPixel::compute()?;
    chapter.publish("rgb_pixel", &pixel.table())?;
    chapter.write_value("rgb_pixel_position", pixel.position_text())?;

    let stack = FilterStack::compute()?;
    stack.figure(&chapter)?;
    chapter.publish("depth", &stack.depth_table())?;

    let dense = DenseEquivalent::compute()?;
    dense.figure(&chapter)?;
    chapter.publish("dense_equivalent", &dense.table())?;
    chapter.publish("parameter_counts", &parameter_counts())?;

    chapter.write_value("pairs", PAIRS)?;
    chapter.write_value("steps", STEPS)?;
    let learned = LearnedKernel::compute()?;
    learned.figures(&chapter)?;
    chapter.publish("learned_kernel", &learned.kernel_table())?;
    chapter.publish("learned_loss", &learned.loss_table())?;
    chapter.publish("noise_against_photos", &noise_against_photos()?)?;

    chapter.finish()?;
    Ok(())
}

/// Sobel kernel for a change from left to right.
pub fn sobel_x() -> Array2<f32> {
    array![[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]
}

// ---------------------------------------------------------------------------
// 1. A kernel sliding over a 5x5 input: 9 positions.
// ---------------------------------------------------------------------------

/// The 5x5 input of the sliding example.
pub fn small_input() -> Array2<f32> {
    array![
        [1., 1., 1., 0., 0.],
        [0., 1., 1., 1., 0.],
        [0., 0., 1., 1., 1.],
        [0., 0., 1., 1., 0.],
        [0., 1., 1., 0., 0.],
    ]
}

/// The 3x3 kernel of the sliding example: an "X" of ones.
pub fn small_kernel() -> Array2<f32> {
    array![[1., 0., 1.], [0., 1., 0.], [1., 0., 1.]]
}

pub struct Sliding {
    /// `[3, 3]`: one value per kernel position.
    pub output: Array2<f32>,
}

impl Sliding {
    pub fn compute() -> Result<Sliding> {
        let input = as_batch(small_input().view()); // [1, 1, 5, 5]
        let kernel = as_batch(small_kernel().view()); // [F=1, C=1, 3, 3]
        let output = conv2d_naive(input.view(), kernel.view(), array![0.0].view(), 1, 0)?; // [1, 1, 3, 3]
        Ok(Sliding {
            output: map(&output, 0).to_owned(),
        }) // [3, 3]
    }

    pub fn table(&self) -> Table {
        let (input, kernel) = (small_input(), small_kernel());
        let mut table = Table::columns(
            "position (i, j) | window of the input | window x kernel, element by element | sum",
        );
        for ((i, j), &value) in self.output.indexed_iter() {
            let window = input.slice(s![i..i + 3, j..j + 3]);
            let products = rows_as_text((&window * &kernel).view());
            let (window, sum) = (rows_as_text(window), plot::format_value(value));
            row!(table, "({i}, {j}) | {window} | {products} | {sum}");
        }
        table
    }

    /// The same nine positions as an animation: the window moves, the output fills in.
    fn animation(&self, chapter: &Chapter) -> Result<()> {
        let input = small_input();
        let sliding = plot::Sliding {
            input: input.view(),
            kernel: (3, 3),
            stride: 1,
            padding: 0,
            output: Some(self.output.view()),
            show_values: true,
        };
        let title = "The X kernel over the 5x5 input: one sum per position";
        plot::sliding_animation(&chapter.figure("sliding.gif"), title, &sliding, 34, 900)
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let positions = self.output.indexed_iter();
        let windows: Vec<Window> = positions
            .clone()
            .map(|((row, column), _)| Window {
                row,
                column,
                height: 3,
                width: 3,
            })
            .collect();
        let titles: Vec<String> = positions
            .map(|((i, j), v)| format!("({i}, {j}): sum {}", plot::format_value(*v)))
            .collect();
        let file = chapter.figure("sliding.png");
        let title = "A 3x3 kernel at its 9 positions on a 5x5 input";
        let style = MapStyle::gray(200).annotated().with_range(-0.5, 1.5);
        plot::sliding_windows(
            &file,
            title,
            small_input().view(),
            &windows,
            &titles,
            3,
            &style,
        )?;
        let kernel = small_kernel();
        let panels = [
            Panel::new("kernel, 3 x 3", kernel.view()),
            Panel::new("output, 3 x 3", self.output.view()),
        ];
        let file = chapter.figure("sliding_result.png");
        let title = "Kernel and output (feature map)";
        let style = MapStyle::viridis(200).annotated();
        plot::grid(&file, title, &panels, 2, &style)
    }
}

// ---------------------------------------------------------------------------
// 2. The lecture example in full: both filters, stride 1 and 2.
// ---------------------------------------------------------------------------

pub struct LectureWorked {
    /// `[1, 2, 4, 4]`: both feature maps with stride 1.
    pub stride1: Array4<f32>,
    /// `[1, 2, 2, 2]`: both feature maps with stride 2.
    pub stride2: Array4<f32>,
}

impl LectureWorked {
    pub fn compute() -> Result<LectureWorked> {
        // ANCHOR: lecture
        let image = lecture::image_batch(); // [1, 1, 6, 6]
        let (filters, bias) = lecture::filters(); // [2, 1, 3, 3], [2]
        let stride1 = conv2d(image.view(), filters.view(), bias.view(), 1, 0)?; // [1, 2, 4, 4]
        let stride2 = conv2d(image.view(), filters.view(), bias.view(), 2, 0)?; // [1, 2, 2, 2]
        // ANCHOR_END: lecture
        Ok(LectureWorked { stride1, stride2 })
    }

    /// Every output value of `filter` (0 or 1) at `stride`, explained: with a 0/1
    /// image and a +-1 filter, the sum is (ones under +1) - (ones under -1).
    pub fn table(&self, filter: usize, stride: usize) -> Table {
        let (image, (weights, _)) = (lecture::image(), lecture::filters());
        let kernel = weights.slice(s![filter, 0, .., ..]); // [3, 3]
        let maps = if stride == 1 {
            &self.stride1
        } else {
            &self.stride2
        };
        let mut table = Table::columns(
            "output (i, j) | window of the image (rows, columns: values) | ones under +1 | ones under -1 | value",
        );
        for ((i, j), &value) in map(maps, filter).indexed_iter() {
            let (top, left) = (i * stride, j * stride);
            let window = image.slice(s![top..top + 3, left..left + 3]);
            let ones_under = |sign: f32| {
                window
                    .iter()
                    .zip(&kernel)
                    .filter(|&(&x, &w)| x == 1.0 && w == sign)
                    .count()
            };
            let (bottom, right, values) = (top + 2, left + 2, rows_as_text(window));
            let window = format!("rows {top}-{bottom}, cols {left}-{right}: {values}");
            let (plus, minus, value) =
                (ones_under(1.0), ones_under(-1.0), plot::format_value(value));
            row!(table, "({i}, {j}) | {window} | {plus} | {minus} | {value}");
        }
        table
    }

    fn figures(&self, chapter: &Chapter) -> Result<()> {
        let (image, diagonal, vertical) = (
            lecture::image(),
            lecture::filter_diagonal(),
            lecture::filter_vertical(),
        );
        let panels = [
            Panel::new("image (0 and 1)", image.view()),
            Panel::new("filter 1 (diagonal)", diagonal.view()),
            Panel::new("filter 2 (vertical)", vertical.view()),
        ];
        let file = chapter.figure("lecture_inputs.png");
        let title = "The 6x6 image and the two filters";
        let style = MapStyle::diverging(200).annotated().with_range(-1.0, 1.0);
        plot::grid(&file, title, &panels, 3, &style)?;
        let mut panels = Vec::new();
        for (stride, maps, side) in [(1, &self.stride1, 4), (2, &self.stride2, 2)] {
            for f in 0..2 {
                let title = format!("filter {}, stride {stride}: {side} x {side}", f + 1);
                panels.push(Panel::new(title, map(maps, f)));
            }
        }
        let file = chapter.figure("lecture_maps.png");
        let title = "Feature maps of the lecture example";
        let style = MapStyle::diverging(220).annotated().with_range(-3.0, 3.0);
        plot::grid(&file, title, &panels, 2, &style)
    }
}

// ---------------------------------------------------------------------------
// 3. Colour input: one filter spans all channels.
// ---------------------------------------------------------------------------

/// The grey-level weights of R, G and B (ITU-R BT.601), as in `to_grayscale`.
pub const GREY_WEIGHTS: [f32; 3] = [0.299, 0.587, 0.114];
/// The bias of the colour filter.
pub const COLOUR_BIAS: f32 = 0.1;
pub const CHANNEL_NAMES: [&str; 3] = ["R (red)", "G (green)", "B (blue)"];

/// The coffee photo (Rachel Michetti, CC0, from scikit-image) as a batch: `[1, 3, 400, 600]`.
pub fn coffee_photo() -> Result<Array4<f32>> {
    Ok(photos::rgb("coffee.png")?.insert_axis(Axis(0))) // [3, H, W] -> [1, 3, H, W]
}

/// The grey coffee photo, `[400, 600]`: what the colour edge filter sees, in one channel.
pub fn grey_coffee() -> Result<Array2<f32>> {
    Ok(to_grayscale(coffee_photo()?.slice(s![0, .., .., ..]))?)
}

/// One filter spanning R, G and B: the Sobel kernel scaled by each channel's grey
/// weight. weight: `[F=1, C=3, 3, 3]`.
pub fn colour_edge_filter() -> Array4<f32> {
    let mut weight = Array4::zeros((1, 3, 3, 3));
    for (c, grey_weight) in GREY_WEIGHTS.iter().enumerate() {
        weight
            .slice_mut(s![0, c, .., ..])
            .assign(&(sobel_x() * *grey_weight));
    }
    weight
}

pub struct OneRgbPixel {
    pub photo: Array4<f32>,
    /// `[1, 1, 398, 598]`.
    pub output: Array4<f32>,
    /// The output pixel explained: where the filter responds most strongly.
    pub position: (usize, usize),
    /// Sum of window x kernel for each channel.
    pub channel_sums: [f32; 3],
}

impl OneRgbPixel {
    pub fn compute() -> Result<OneRgbPixel> {
        let photo = coffee_photo()?; // [1, 3, 400, 600]
        let weight = colour_edge_filter(); // [1, 3, 3, 3]
        let bias = array![COLOUR_BIAS]; // [1]
        let output = conv2d(photo.view(), weight.view(), bias.view(), 1, 0)?; // [1, 1, 398, 598]
        let strongest =
            |best: ((usize, usize), f32), (at, &v)| if v > best.1 { (at, v) } else { best };
        let (position, _) = map(&output, 0)
            .indexed_iter()
            .fold(((0, 0), f32::NEG_INFINITY), strongest);
        let (i, j) = position;
        // ANCHOR: rgb_pixel
        // y[i, j] = b + sum over c of ( sum_u sum_v x[c, i+u, j+v] * w[c, u, v] )
        let mut channel_sums = [0.0f32; 3];
        for (c, channel_sum) in channel_sums.iter_mut().enumerate() {
            for u in 0..3 {
                for v in 0..3 {
                    *channel_sum += photo[[0, c, i + u, j + v]] * weight[[0, c, u, v]];
                }
            }
        }
        // ANCHOR_END: rgb_pixel
        Ok(OneRgbPixel {
            photo,
            output,
            position,
            channel_sums,
        })
    }

    pub fn position_text(&self) -> String {
        format!("({}, {})", self.position.0, self.position.1)
    }

    /// The value computed by hand: the three channel sums plus the bias.
    pub fn by_hand(&self) -> f32 {
        self.channel_sums.iter().sum::<f32>() + COLOUR_BIAS
    }

    pub fn table(&self) -> Table {
        let ((i, j), weight) = (self.position, colour_edge_filter());
        let mut table = Table::columns("step | 3x3 window of the input | 3x3 weights | result");
        for (c, channel_name) in CHANNEL_NAMES.iter().enumerate() {
            let window = rows_with_decimals(self.photo.slice(s![0, c, i..i + 3, j..j + 3]), 3);
            let weights = rows_with_decimals(weight.slice(s![0, c, .., ..]), 3);
            let sum = self.channel_sums[c];
            row!(
                table,
                "channel {channel_name} | {window} | {weights} | {sum:.4}"
            );
        }
        for (step, value) in [
            ("bias".to_string(), COLOUR_BIAS),
            ("sum of the above (by hand)".to_string(), self.by_hand()),
            (
                format!("conv2d output at {}", self.position_text()),
                self.output[[0, 0, i, j]],
            ),
        ] {
            row!(table, "{step} |  |  | {value:.4}");
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 4. F filters give F feature maps: depth grows, height and width shrink.
// ---------------------------------------------------------------------------

pub const STACK_NAMES: [&str; 4] = [
    "vertical edges (Sobel x)",
    "horizontal edges (Sobel y)",
    "blur (3x3 mean)",
    "red minus blue",
];

/// Four hand-made filters over R, G, B: `[F=4, C=3, 3, 3]`.
pub fn four_filters() -> Array4<f32> {
    let sobel_y = sobel_x().t().to_owned();
    let blur = Array2::from_elem((3, 3), 1.0 / 9.0);
    let mut weight = Array4::zeros((4, 3, 3, 3));
    for (c, &grey) in GREY_WEIGHTS.iter().enumerate() {
        weight
            .slice_mut(s![0, c, .., ..])
            .assign(&(sobel_x() * grey));
        weight
            .slice_mut(s![1, c, .., ..])
            .assign(&(&sobel_y * grey));
        weight.slice_mut(s![2, c, .., ..]).assign(&(&blur * grey));
    }
    // Red minus blue at the centre pixel: a colour detector, not a shape detector.
    weight[[3, 0, 1, 1]] = 1.0;
    weight[[3, 2, 1, 1]] = -1.0;
    weight
}

/// The layers of the depth table: (filters, kernel, stride).
pub const DEPTH_LAYERS: [(usize, usize, usize); 4] =
    [(8, 3, 2), (16, 3, 2), (32, 3, 2), (64, 3, 2)];

pub struct FilterStack {
    /// `[1, 4, 398, 598]`.
    pub maps: Array4<f32>,
    /// Output shape after each layer of `DEPTH_LAYERS`, starting with the photo.
    pub shapes: Vec<[usize; 4]>,
}

impl FilterStack {
    pub fn compute() -> Result<FilterStack> {
        let photo = coffee_photo()?; // [1, 3, 400, 600]
        // ANCHOR: stack
        let weight = four_filters(); // [F=4, C=3, 3, 3]
        let bias = Array1::zeros(4); // [F]
        let maps = conv2d(photo.view(), weight.view(), bias.view(), 1, 0)?; // [1, 3, 400, 600] -> [1, 4, 398, 598]
        // ANCHOR_END: stack
        // A stack of layers with random (seeded) filters: only the shapes matter here.
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let shape_of = |x: &Array4<f32>| <[usize; 4]>::try_from(x.shape()).expect("4 axes");
        let mut x = photo;
        let mut shapes = vec![shape_of(&x)];
        for (filters, kernel, stride) in DEPTH_LAYERS {
            let shape = (filters, x.dim().1, kernel, kernel); // [F, C, K, K]
            let weight = Array4::from_shape_simple_fn(shape, || rng.random_range(-0.1f32..0.1));
            x = conv2d(
                x.view(),
                weight.view(),
                Array1::zeros(filters).view(),
                stride,
                0,
            )?; // [1, C, H, W] -> [1, F, H', W']
            shapes.push(shape_of(&x));
        }
        Ok(FilterStack { maps, shapes })
    }

    pub fn depth_table(&self) -> Table {
        let mut table = Table::columns(
            "layer | weight `[F, C, K, K]` | output `[N, C, H, W]` | values in the output",
        );
        let count = |shape: &[usize; 4]| shape.iter().product::<usize>();
        let input = &self.shapes[0];
        row!(
            table,
            "input photo |  | `{input:?}` | {}",
            with_thousands(count(input))
        );
        for (index, (filters, kernel, stride)) in DEPTH_LAYERS.iter().enumerate() {
            let (channels, output) = (self.shapes[index][1], &self.shapes[index + 1]);
            let weight = format!("`[{filters}, {channels}, {kernel}, {kernel}]`");
            let (layer, values) = (index + 1, with_thousands(count(output)));
            row!(
                table,
                "conv {layer}, stride {stride} | {weight} | `{output:?}` | {values}"
            );
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        // Each map on its own scale, holding all its values: the signed maps from
        // blue through white to red (the edge maps with the colour growing as the
        // square root, as their few strong edges would leave the rest pale), the
        // blur, which is never negative, from black to white.
        let panels: Vec<(Panel, MapStyle)> = STACK_NAMES
            .iter()
            .enumerate()
            .map(|(f, name)| {
                let style = match f {
                    0 | 1 => MapStyle::diverging_sqrt(260),
                    2 => MapStyle::gray(260),
                    _ => MapStyle::diverging(260),
                };
                (Panel::new(*name, map(&self.maps, f)), style)
            })
            .collect();
        let file = chapter.figure("four_maps.png");
        let title = "Four filters, four feature maps, each on its own scale";
        plot::grid_with_own_scales(&file, title, &panels, 2)?;
        plot::rgb_image(
            &chapter.figure("coffee.png"),
            coffee_photo()?.slice(s![0, .., .., ..]),
            480,
        )
    }
}

// ---------------------------------------------------------------------------
// 5. Convolution as a fully connected layer with most weights removed, the rest shared.
// ---------------------------------------------------------------------------

/// A kernel whose nine weights are all different, so the sharing is visible.
pub fn numbered_kernel() -> Array2<f32> {
    array![[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]]
}

// ANCHOR: dense
/// The fully connected (全连接) weight matrix that computes the same as a stride-1,
/// unpadded convolution of an `[H, W]` input with a `[K, K]` kernel.
///
/// kernel: [K, K] -> matrix: [H'*W', H*W], with H' = H - K + 1, W' = W - K + 1
///
/// ```text
/// matrix[i*W' + j, r*W + q] = w[r - i, q - j]   if 0 <= r - i < K and 0 <= q - j < K
///                           = 0                 otherwise (not connected)
/// ```
///
/// Row `i*W' + j` is output pixel `(i, j)`; column `r*W + q` is input pixel `(r, q)`.
pub fn dense_matrix(kernel: ArrayView2<f32>, height: usize, width: usize) -> Array2<f32> {
    let k = kernel.nrows();
    let (out_h, out_w) = (height - k + 1, width - k + 1);
    let mut matrix = Array2::zeros((out_h * out_w, height * width));
    for i in 0..out_h {
        for j in 0..out_w {
            for u in 0..k {
                for v in 0..k {
                    // Output (i, j) sees input (i + u, j + v) through weight w[u, v].
                    matrix[[i * out_w + j, (i + u) * width + (j + v)]] = kernel[[u, v]];
                }
            }
        }
    }
    matrix
}
// ANCHOR_END: dense

pub struct DenseEquivalent {
    /// `[9, 25]`.
    pub matrix: Array2<f32>,
    /// The convolution's 3x3 output, flattened to `[9]`.
    pub by_convolution: Array1<f32>,
    /// `matrix . flatten(input)`: `[9]`.
    pub by_matrix: Array1<f32>,
}

impl DenseEquivalent {
    pub fn compute() -> Result<DenseEquivalent> {
        let (input, kernel) = (small_input(), numbered_kernel()); // [5, 5], [3, 3]
        let (batch, weight) = (as_batch(input.view()), as_batch(kernel.view())); // [1, 1, 5, 5], [1, 1, 3, 3]
        let convolved = conv2d_naive(batch.view(), weight.view(), array![0.0].view(), 1, 0)?; // [1, 1, 3, 3]
        let by_convolution: Array1<f32> = convolved.iter().copied().collect(); // [9]
        let matrix = dense_matrix(kernel.view(), 5, 5); // [9, 25]
        let flat_input: Array1<f32> = input.iter().copied().collect(); // [5, 5] -> [25]
        let by_matrix = matrix.dot(&flat_input); // [9, 25] x [25] -> [9]
        Ok(DenseEquivalent {
            matrix,
            by_convolution,
            by_matrix,
        })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "output pixel | by convolution | by the 9 x 25 matrix | non-zero weights in its row",
        );
        for (row, (a, b)) in self.by_convolution.iter().zip(&self.by_matrix).enumerate() {
            let connected = self.matrix.row(row).iter().filter(|&&w| w != 0.0).count();
            let [a, b] = [a, b].map(|v| plot::format_value(*v));
            let (i, j) = (row / 3, row % 3);
            row!(table, "({i}, {j}) | {a} | {b} | {connected}");
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        // Rows are output pixels (i, j); columns are input pixels (r, q), in groups
        // of 5, one group per input row r.
        let (outputs, inputs) = self.matrix.dim();
        let (out_w, in_w) = (3, 5);
        let labels = MatrixLabels {
            rows: (0..outputs)
                .map(|o| format!("({}, {})", o / out_w, o % out_w))
                .collect(),
            columns: (0..inputs).map(|c| format!("{}", c % in_w)).collect(),
            row_axis: "output (i, j)".into(),
            column_axis: "input pixel (r, q), column q of input row r (blank = 0, not connected)"
                .into(),
            group: in_w,
            group_name: "input row".into(),
        };
        let file = chapter.figure("dense_matrix.png");
        let title = "The convolution as a 9 x 25 weight matrix";
        plot::sparse_matrix(&file, title, self.matrix.view(), &labels, 740)
    }
}

/// Weights of a fully connected layer and of a convolution doing the same job:
/// `(setting, C, H, W, F, K)`, stride 1, no padding, biases not counted.
pub const PARAMETER_CASES: [(&str, usize, usize, usize, usize, usize); 3] = [
    ("5x5 input, one 3x3 kernel", 1, 5, 5, 1, 3),
    ("28x28 digit, six 5x5 kernels", 1, 28, 28, 6, 5),
    ("400x600 RGB photo, eight 3x3 kernels", 3, 400, 600, 8, 3),
];

/// Count the weights three ways: fully connected, local connections only, and
/// local connections with shared weights (a convolution).
pub fn parameter_counts() -> Table {
    let mut table = Table::columns(
        "setting | inputs | outputs | fully connected | local only | local and shared",
    );
    for (name, c, h, w, f, k) in PARAMETER_CASES {
        // ANCHOR: counts
        let inputs = (c * h * w) as u64;
        let outputs = (f * (h - k + 1) * (w - k + 1)) as u64;
        let fully_connected = inputs * outputs; // every output sees every input
        let local = outputs * (c * k * k) as u64; // every output sees one C*K*K patch
        let shared = (f * c * k * k) as u64; // the patch weights are the same at every position
        // ANCHOR_END: counts
        let counts =
            [inputs, outputs, fully_connected, local, shared].map(|c| with_thousands(c as usize));
        row!(table, "{name} | {}", counts.join(" | "));
    }
    table
}

// ---------------------------------------------------------------------------
// 6. Kernels are learned, not designed: recover Sobel by gradient descent.
// ---------------------------------------------------------------------------

/// Number of (image, edge map) training pairs, and the side of each image.
pub const PAIRS: usize = 8;
pub const IMAGE_SIDE: usize = 16;
pub const STEPS: usize = 150;
pub const LEARNING_RATE: f32 = 0.1;
/// Steps at which the loss table reports the loss.
pub const REPORTED_STEPS: [usize; 7] = [0, 10, 25, 50, 75, 100, 150];

/// The training pairs: random images (values in [-1, 1], seeded) and their Sobel x
/// edge maps. images: `[PAIRS, 1, 16, 16]`, targets: `[PAIRS, 1, 14, 14]`.
pub fn training_pairs() -> Result<(Array4<f32>, Array4<f32>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let shape = (PAIRS, 1, IMAGE_SIDE, IMAGE_SIDE);
    let images = Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0f32..1.0)); // [8, 1, 16, 16]
    let sobel = as_batch(sobel_x().view()); // [1, 1, 3, 3]
    let targets = conv2d(images.view(), sobel.view(), array![0.0].view(), 1, 0)?; // [8, 1, 14, 14]
    Ok((images, targets))
}

/// The same kind of pairs cut from the grey coffee photo: 8 crops of 16 x 16 at
/// seeded random places, shifted and scaled to the mean (0) and spread (standard
/// deviation 1/sqrt(3)) of the noise images, and their Sobel x edge maps.
pub fn photo_pairs() -> Result<(Array4<f32>, Array4<f32>)> {
    let grey = grey_coffee()?; // [400, 600]
    let (height, width) = grey.dim();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut images = Array4::zeros((PAIRS, 1, IMAGE_SIDE, IMAGE_SIDE)); // [8, 1, 16, 16]
    for n in 0..PAIRS {
        let top = rng.random_range(0..height - IMAGE_SIDE);
        let left = rng.random_range(0..width - IMAGE_SIDE);
        let crop = grey.slice(s![top..top + IMAGE_SIDE, left..left + IMAGE_SIDE]);
        images.slice_mut(s![n, 0, .., ..]).assign(&crop);
    }
    let mean = images.mean().unwrap_or(0.0);
    let spread = images
        .mapv(|v| (v - mean) * (v - mean))
        .mean()
        .unwrap_or(1.0)
        .sqrt();
    let noise_spread = (1.0f32 / 3.0).sqrt(); // uniform in [-1, 1]
    let images = images.mapv(|v| (v - mean) / spread * noise_spread);
    let sobel = as_batch(sobel_x().view()); // [1, 1, 3, 3]
    let targets = conv2d(images.view(), sobel.view(), array![0.0].view(), 1, 0)?; // [8, 1, 14, 14]
    Ok((images, targets))
}

/// Steps compared on the photo crops.
pub const PHOTO_STEPS: [usize; 3] = [150, 1500, 15000];

/// Gradient descent on noise and on photo crops from the same start:
/// `(training images, steps, loss after them, largest difference from Sobel x)`.
pub fn noise_against_photos() -> Result<Table> {
    let mut table = Table::columns(
        "training images | steps | loss after them | largest difference from Sobel x",
    );
    let start = start_kernel();
    let noise = training_pairs()?;
    let photos = photo_pairs()?;
    let runs = std::iter::once(("random noise", &noise, STEPS)).chain(
        PHOTO_STEPS
            .iter()
            .map(|&steps| ("crops of the photo", &photos, steps)),
    );
    for (name, (images, targets), steps) in runs {
        let (kernel, _, losses) = descend(images, targets, &start, steps)?;
        let loss = losses[losses.len() - 1];
        let off = (&kernel - &sobel_x()).fold(0f32, |m, d| m.max(d.abs()));
        let steps = with_thousands(steps);
        row!(table, "{name} | {steps} | {loss:.2e} | {off:.3}");
    }
    Ok(table)
}

// ANCHOR: gradient
/// The loss and its gradient for one 3x3 kernel `w` and bias `b` on all pairs.
///
/// ```text
/// y[n,i,j]  = b + sum_u sum_v x[n,i+u,j+v] * w[u,v]          (the convolution)
/// L         = (1/M) sum_n sum_i sum_j (y[n,i,j] - t[n,i,j])^2  (M = number of outputs)
/// dL/dw[u,v] = (2/M) sum_n sum_i sum_j (y[n,i,j] - t[n,i,j]) * x[n,i+u,j+v]
/// dL/db      = (2/M) sum_n sum_i sum_j (y[n,i,j] - t[n,i,j])
/// ```
///
/// Each weight `w[u,v]` touches every output, through the input pixel at offset
/// `(u, v)`: its gradient adds up the error times that pixel over all positions.
/// This small hand-written gradient is for this one layer only; chapter 6 derives
/// backpropagation for whole networks.
///
/// images: [N, 1, H, W], targets: [N, 1, H-2, W-2], kernel: [3, 3]
/// -> (loss, d_kernel [3, 3], d_bias)
pub fn loss_and_gradient(
    images: &Array4<f32>,
    targets: &Array4<f32>,
    kernel: &Array2<f32>,
    bias: f32,
) -> Result<(f32, Array2<f32>, f32)> {
    let weight = as_batch(kernel.view()); // [1, 1, 3, 3]
    let outputs = conv2d(images.view(), weight.view(), array![bias].view(), 1, 0)?; // [N, 1, H-2, W-2]
    let errors = &outputs - targets; // y - t
    let count = errors.len() as f32; // M
    let loss = errors.mapv(|e| e * e).sum() / count;
    let (pairs, _, out_h, out_w) = errors.dim();
    let mut d_kernel = Array2::zeros((3, 3));
    let mut d_bias = 0.0;
    for n in 0..pairs {
        for i in 0..out_h {
            for j in 0..out_w {
                let error = errors[[n, 0, i, j]];
                for u in 0..3 {
                    for v in 0..3 {
                        d_kernel[[u, v]] += 2.0 / count * error * images[[n, 0, i + u, j + v]];
                    }
                }
                d_bias += 2.0 / count * error;
            }
        }
    }
    Ok((loss, d_kernel, d_bias))
}
// ANCHOR_END: gradient

pub struct LearnedKernel {
    pub start: Array2<f32>,
    pub learned: Array2<f32>,
    pub learned_bias: f32,
    /// The loss before each step, and after the last: `STEPS + 1` values.
    pub losses: Vec<f32>,
}

/// The random (seeded) kernel gradient descent starts from.
pub fn start_kernel() -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    Array2::from_shape_simple_fn((3, 3), || rng.random_range(-1.0f32..1.0))
}

/// `steps` steps of gradient descent from `start` (and a bias of 0): the kernel, the
/// bias, and the loss before each step and after the last (`steps + 1` values).
pub fn descend(
    images: &Array4<f32>,
    targets: &Array4<f32>,
    start: &Array2<f32>,
    steps: usize,
) -> Result<(Array2<f32>, f32, Vec<f32>)> {
    // ANCHOR: descent
    let mut kernel = start.clone();
    let mut bias = 0.0;
    let mut losses = Vec::new();
    for _ in 0..steps {
        let (loss, d_kernel, d_bias) = loss_and_gradient(images, targets, &kernel, bias)?;
        losses.push(loss);
        kernel = kernel - LEARNING_RATE * d_kernel; // a step downhill
        bias -= LEARNING_RATE * d_bias;
    }
    // ANCHOR_END: descent
    losses.push(loss_and_gradient(images, targets, &kernel, bias)?.0);
    Ok((kernel, bias, losses))
}

impl LearnedKernel {
    pub fn compute() -> Result<LearnedKernel> {
        let (images, targets) = training_pairs()?;
        let start = start_kernel();
        let (learned, learned_bias, losses) = descend(&images, &targets, &start, STEPS)?;
        Ok(LearnedKernel {
            start,
            learned,
            learned_bias,
            losses,
        })
    }

    pub fn kernel_table(&self) -> Table {
        // Three decimals, without the "-0.000" of a tiny negative number.
        let decimals = |v: f32| {
            Some(format!("{v:.3}"))
                .filter(|t| t != "-0.000")
                .unwrap_or("0.000".into())
        };
        let mut table = Table::columns("kernel | row 0 | row 1 | row 2 | bias");
        let learned = format!("learned after {STEPS} steps");
        for (name, kernel, bias) in [
            ("random start (seeded)", &self.start, 0.0),
            (learned.as_str(), &self.learned, self.learned_bias),
            ("Sobel x (the truth)", &sobel_x(), 0.0),
        ] {
            let text = |row: ArrayView1<f32>| row.iter().map(|&v| decimals(v)).collect::<Vec<_>>();
            let rows = kernel.rows().into_iter().map(|row| text(row).join(" "));
            table.row(
                [name.to_string()]
                    .into_iter()
                    .chain(rows)
                    .chain([decimals(bias)]),
            );
        }
        table
    }

    pub fn loss_table(&self) -> Table {
        let mut table = Table::columns("step | loss (mean squared error)");
        for step in REPORTED_STEPS {
            row!(table, "{step} | {:.2e}", self.losses[step]);
        }
        table
    }

    fn figures(&self, chapter: &Chapter) -> Result<()> {
        let truth = sobel_x();
        let panels = [
            Panel::new("random start", self.start.view()),
            Panel::new(format!("learned, {STEPS} steps"), self.learned.view()),
            Panel::new("Sobel x", truth.view()),
        ];
        let file = chapter.figure("learned_kernel.png");
        let title = "Random start, learned kernel, true Sobel kernel";
        let style = MapStyle::diverging(200).annotated().with_range(-2.0, 2.0);
        plot::grid(&file, title, &panels, 3, &style)?;
        let log_losses: Vec<f32> = self.losses.iter().map(|loss| loss.log10()).collect();
        let title = "Learning a kernel: loss per gradient-descent step";
        let labels = Labels::new(title, "step", "log10(loss)");
        let series = [Series::indexed("", &log_losses)];
        plot::line_chart(&chapter.figure("learned_loss.svg"), &labels, &series)
    }
}
