//! The visualisation methods of chapter 8 on small networks whose answers are known.

use cnn_core::nn::{Conv2d, Conv2dConfig, Dense, Layer, Pool2d, Sequential};
use cnn_core::visualize::{
    InversionConfig, MaximizeConfig, OcclusionConfig, Target, deconvnet, edge_image,
    invert_representation, maximize_activation, occlusion_map, oriented_edge_response,
    receptive_window, saliency, score_layer, strongest_activations, total_variation,
};
use ndarray::{Array1, Array2, Array3, Array4, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_array3(shape: (usize, usize, usize), seed: u64) -> Array3<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array3::from_shape_simple_fn(shape, || rng.random_range(0.0f32..1.0))
}

fn random_array4(shape: (usize, usize, usize, usize), scale: f32, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_simple_fn(shape, || scale * rng.random_range(-1.0f32..1.0))
}

fn random_array2(shape: (usize, usize), scale: f32, seed: u64) -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_simple_fn(shape, || scale * rng.random_range(-1.0f32..1.0))
}

/// A classifier of 1x8x8 images that only reads the right half: its dense weights on
/// every pixel of columns 0..4 are zero.
fn right_half_model() -> Sequential {
    let mut weight = random_array2((2, 64), 1.0, 1); // [2 classes, 8*8 pixels]
    for class in 0..2 {
        for row in 0..8 {
            for column in 0..4 {
                weight[[class, row * 8 + column]] = 0.0;
            }
        }
    }
    let mut model = Sequential::new();
    model.push("flatten", Layer::Flatten).unwrap();
    let dense = Dense::new(weight, Array1::zeros(2)).unwrap();
    model.push("dense", dense).unwrap();
    model.push("softmax", Layer::Softmax).unwrap();
    model
}

/// A small smooth CNN: conv 3x3 (4 filters) -> tanh -> average pool -> conv 3x3 (3
/// filters) -> tanh -> flatten -> dense 3 -> softmax, for 1x8x8 inputs.
fn small_cnn() -> Sequential {
    let mut model = Sequential::new();
    let conv1 = Conv2d::new(
        random_array4((4, 1, 3, 3), 0.8, 2),
        Array1::from(vec![0.1, -0.1, 0.05, 0.0]),
        Conv2dConfig::default(),
    )
    .unwrap();
    model.push("conv1", conv1).unwrap(); // [1, 1, 8, 8] -> [1, 4, 6, 6]
    model.push("act1", Layer::Tanh).unwrap();
    model.push("pool1", Pool2d::average(2, 2).unwrap()).unwrap(); // -> [1, 4, 3, 3]
    let conv2 = Conv2d::new(
        random_array4((3, 4, 3, 3), 0.5, 3),
        Array1::zeros(3),
        Conv2dConfig::default(),
    )
    .unwrap();
    model.push("conv2", conv2).unwrap(); // -> [1, 3, 1, 1]
    model.push("act2", Layer::Tanh).unwrap();
    model.push("flatten", Layer::Flatten).unwrap(); // -> [1, 3]
    let dense = Dense::new(random_array2((3, 3), 1.0, 4), Array1::zeros(3)).unwrap();
    model.push("dense", dense).unwrap(); // -> [1, 3] scores
    model.push("softmax", Layer::Softmax).unwrap();
    model
}

#[test]
fn occluding_an_unused_region_changes_nothing_and_a_used_one_changes_the_probability() {
    let model = right_half_model();
    let image = random_array3((1, 8, 8), 5);
    let config = OcclusionConfig {
        window: 2,
        stride: 2,
        fill: 0.5,
    };
    let map = occlusion_map(&model, image.view(), 0, config).unwrap();
    assert_eq!(map.probability.dim(), (4, 4));
    for ((_, j), &p) in map.probability.indexed_iter() {
        let left = j * 2;
        if left + 2 <= 4 {
            // The window lies in columns the model ignores.
            assert_eq!(p, map.unoccluded, "window at column {left}");
        } else {
            assert!((p - map.unoccluded).abs() > 1e-4, "window at column {left}");
        }
    }
    // The most sensitive window is in the right half.
    assert!(map.most_sensitive().1 >= 4);
}

#[test]
fn saliency_equals_finite_differences_of_the_score() {
    let model = small_cnn();
    assert_eq!(score_layer(&model).unwrap(), "dense");
    let scores_of = model.until("dense").unwrap(); // the scores, before softmax
    let image = random_array3((1, 8, 8), 6);
    for class in 0..3 {
        let result = saliency(&model, image.view(), class).unwrap();
        let score = |x: &Array3<f32>| {
            let batch = x.clone().insert_axis(Axis(0));
            let scores = scores_of.forward(&batch).unwrap().into_flat().unwrap(); // [1, 3]
            scores[[0, class]] as f64
        };
        assert!((result.score as f64 - score(&image)).abs() < 1e-6);
        let epsilon = 1e-2;
        for ((c, i, j), &analytic) in result.gradient.indexed_iter() {
            let mut plus = image.clone();
            plus[[c, i, j]] += epsilon;
            let mut minus = image.clone();
            minus[[c, i, j]] -= epsilon;
            let numeric = (score(&plus) - score(&minus)) / (2.0 * epsilon as f64);
            assert!(
                (analytic as f64 - numeric).abs() < 2e-3,
                "class {class}, pixel ({c}, {i}, {j}): backward {analytic}, finite difference {numeric}"
            );
        }
        // The map is the largest absolute gradient over channels (one channel here).
        assert_eq!(
            result.map,
            result.gradient.index_axis(Axis(0), 0).mapv(f32::abs)
        );
    }
}

#[test]
fn total_variation_gradient_equals_finite_differences() {
    let x = random_array3((2, 4, 5), 7);
    let (value, gradient) = total_variation(x.view());
    assert!(value > 0.0);
    let epsilon = 1e-2;
    for ((c, i, j), &analytic) in gradient.indexed_iter() {
        let mut plus = x.clone();
        plus[[c, i, j]] += epsilon;
        let mut minus = x.clone();
        minus[[c, i, j]] -= epsilon;
        let numeric =
            (total_variation(plus.view()).0 - total_variation(minus.view()).0) / (2.0 * epsilon);
        assert!((analytic - numeric).abs() < 1e-4, "{analytic} vs {numeric}");
    }
    // A constant image has no variation.
    let (flat, flat_gradient) = total_variation(Array3::from_elem((1, 3, 3), 0.4).view());
    assert_eq!(flat, 0.0);
    assert!(flat_gradient.iter().all(|&g| g == 0.0));
}

#[test]
fn activation_maximisation_increases_the_target() {
    let model = small_cnn();
    let config = MaximizeConfig {
        steps: 60,
        learning_rate: 0.05,
        ..MaximizeConfig::default()
    };
    for target in [
        Target::Class(1),
        Target::Channel {
            layer: "act1".to_string(),
            channel: 2,
        },
    ] {
        let result = maximize_activation(&model, [1, 8, 8], &target, config).unwrap();
        assert_eq!(result.activations.len(), 61);
        let (first, last) = (result.activations[0], *result.activations.last().unwrap());
        assert!(last > first + 0.1, "{target:?}: {first} -> {last}");
        assert!(result.image.iter().all(|&v| (0.0..=1.0).contains(&v)));
        // Seeded: the same call gives the same image.
        let again = maximize_activation(&model, [1, 8, 8], &target, config).unwrap();
        assert_eq!(again, result);
    }
}

#[test]
fn inversion_loss_decreases_and_the_first_layer_keeps_more_than_the_last() {
    let model = small_cnn();
    let image = random_array3((1, 8, 8), 8);
    let config = InversionConfig {
        steps: 150,
        learning_rate: 0.03,
        total_variation: 0.001,
        ..InversionConfig::default()
    };
    let pixel_error = |reconstruction: &Array3<f32>| {
        (reconstruction - &image)
            .mapv(|d| d * d)
            .mean()
            .unwrap()
            .sqrt()
    };
    let first = invert_representation(&model, "conv1", image.view(), config).unwrap();
    let last = invert_representation(&model, "dense", image.view(), config).unwrap();
    for inversion in [&first, &last] {
        assert!(
            inversion.losses.last().unwrap() < &(0.5 * inversion.losses[0]),
            "{:?}",
            (inversion.losses[0], inversion.losses.last())
        );
    }
    assert!(
        first.representation_error < 0.05,
        "{}",
        first.representation_error
    );
    assert!(
        pixel_error(&first.image) < 0.5 * pixel_error(&last.image),
        "first layer {}, last layer {}",
        pixel_error(&first.image),
        pixel_error(&last.image)
    );
}

#[test]
fn a_vertical_edge_filter_prefers_zero_degrees() {
    // Sobel x: dark left, bright right gives the largest response.
    let sobel = ndarray::array![[-1.0f32, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]];
    let weight = sobel.into_shape_with_order((1, 1, 3, 3)).unwrap();
    let angles = [0.0, 45.0, 90.0, 180.0, 270.0];
    let response = oriented_edge_response(weight.view(), &angles).unwrap();
    assert_eq!(response.row(0).to_vec(), vec![8.0, 6.0, 0.0, -8.0, 0.0]);
    assert_eq!(
        edge_image(3, 3, 90.0),
        ndarray::array![[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0]]
    );
    assert!(oriented_edge_response(weight.view(), &[]).is_err());
}

#[test]
fn strongest_activations_rank_images_and_receptive_windows_walk_back() {
    // One 1x1 convolution with weight 1: the map is the image.
    let mut model = Sequential::new();
    let conv = Conv2d::new(
        Array4::ones((1, 1, 1, 1)),
        Array1::zeros(1),
        Conv2dConfig::default(),
    );
    model.push("conv", conv.unwrap()).unwrap();
    let mut images = Array4::zeros((4, 1, 3, 3));
    images[[0, 0, 1, 2]] = 0.5;
    images[[1, 0, 0, 0]] = 0.9;
    images[[3, 0, 2, 1]] = 0.7;
    let top = strongest_activations(&model, images.view(), "conv", 2).unwrap();
    assert_eq!(top.len(), 1);
    let found: Vec<_> = top[0].iter().map(|a| (a.image, a.row, a.column)).collect();
    assert_eq!(found, vec![(1, 0, 0), (3, 2, 1)]);
    assert!(strongest_activations(&model, images.view(), "conv", 0).is_err());
    assert!(strongest_activations(&model, images.view(), "conv", 5).is_err());

    // LeNet-5's first layers: conv 5x5 padding 2, ReLU, pool 2, conv 5x5.
    let mut lenet = Sequential::new();
    let conv1 = Conv2d::new(
        Array4::zeros((6, 1, 5, 5)),
        Array1::zeros(6),
        Conv2dConfig::padding(2),
    );
    lenet.push("conv1", conv1.unwrap()).unwrap();
    lenet.push("act1", Layer::Relu).unwrap();
    lenet.push("pool1", Pool2d::max(2, 2).unwrap()).unwrap();
    let conv2 = Conv2d::new(
        Array4::zeros((16, 6, 5, 5)),
        Array1::zeros(16),
        Conv2dConfig::default(),
    );
    lenet.push("conv2", conv2.unwrap()).unwrap();
    let window = receptive_window(&lenet, "conv2", 3, 0).unwrap();
    // Row 3 of conv2 reads rows 3..=7 of pool1, which read rows 6..=15 of conv1,
    // which read image rows 4..=17 (6 - 2 padding = 4): 14 rows from row 4.
    assert_eq!(
        (window.top, window.left, window.height, window.width),
        (4, -2, 14, 14)
    );
    assert!(receptive_window(&lenet, "conv9", 0, 0).is_err());
}

#[test]
fn bad_parameters_are_errors_that_say_what_and_where() {
    let model = right_half_model();
    let image = random_array3((1, 8, 8), 9);
    let occlusion = |window, stride, class| {
        occlusion_map(
            &model,
            image.view(),
            class,
            OcclusionConfig {
                window,
                stride,
                fill: 0.0,
            },
        )
        .map(|_| ())
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        occlusion(9, 1, 0),
        "occlusion_map: window 9 must be between 1 and the image's smaller side (the image is 8x8)"
    );
    assert_eq!(
        occlusion(2, 0, 0),
        "occlusion_map: stride must be at least 1, got 0"
    );
    assert_eq!(
        occlusion(2, 1, 2),
        "occlusion_map: class 2 is out of range: the network has 2 classes (0 to 1)"
    );
    let wrong = random_array3((3, 8, 8), 10);
    let e = saliency(&model, wrong.view(), 0).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "saliency: the image of shape [3, 8, 8] ([C, H, W]) does not fit the network: dense:"
        ),
        "{e}"
    );
    assert!(saliency(&model, image.view(), 5).is_err());

    let cnn = small_cnn();
    let config = MaximizeConfig {
        steps: 2,
        ..MaximizeConfig::default()
    };
    let e = maximize_activation(
        &cnn,
        [1, 8, 8],
        &Target::Channel {
            layer: "conv1".to_string(),
            channel: 4,
        },
        config,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "maximize_activation: channel 4 is out of range: layer conv1 has 4 (0 to 3)"
    );
    let e = maximize_activation(
        &cnn,
        [1, 8, 8],
        &Target::Channel {
            layer: "conv20".to_string(),
            channel: 0,
        },
        config,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("no layer named \"conv20\""), "{e}");
    assert!(maximize_activation(&cnn, [1, 8, 8], &Target::Class(3), config).is_err());
    let zero_steps = MaximizeConfig { steps: 0, ..config };
    assert!(maximize_activation(&cnn, [1, 8, 8], &Target::Class(0), zero_steps).is_err());

    let image = random_array3((1, 8, 8), 11);
    let e = invert_representation(&cnn, "conv42", image.view(), InversionConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("no layer named \"conv42\""), "{e}");
    let black = Array3::zeros((1, 8, 8));
    let mut relu_model = Sequential::new();
    relu_model.push("relu", Layer::Relu).unwrap();
    let e = invert_representation(
        &relu_model,
        "relu",
        black.view(),
        InversionConfig::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("all zeros"), "{e}");
    assert_eq!(
        cnn.index_of("nope").unwrap_err().to_string(),
        "no layer named \"nope\"; there are: conv1, act1, pool1, conv2, act2, flatten, dense, softmax"
    );
}

#[test]
fn the_deconvnet_projects_one_activation_into_its_receptive_window() {
    // conv 3x3 (4 filters) -> ReLU -> max pool 2 -> conv 3x3 (3 filters) -> ReLU, on 1x10x10.
    let mut model = Sequential::new();
    let conv1 = Conv2d::new(
        random_array4((4, 1, 3, 3), 0.8, 20),
        Array1::zeros(4),
        Conv2dConfig::default(),
    );
    model.push("conv1", conv1.unwrap()).unwrap(); // [1, 1, 10, 10] -> [1, 4, 8, 8]
    model.push("relu1", Layer::Relu).unwrap();
    model.push("pool1", Pool2d::max(2, 2).unwrap()).unwrap(); // -> [1, 4, 4, 4]
    let conv2 = Conv2d::new(
        random_array4((3, 4, 3, 3), 0.5, 21),
        Array1::zeros(3),
        Conv2dConfig::default(),
    );
    model.push("conv2", conv2.unwrap()).unwrap(); // -> [1, 3, 2, 2]
    model.push("relu2", Layer::Relu).unwrap();
    let image = random_array3((1, 10, 10), 22);
    for channel in 0..3 {
        let projection = deconvnet(&model, "relu2", channel, image.view()).unwrap();
        assert_eq!(projection.image.dim(), (1, 10, 10));
        // The strongest activation of the channel, found independently.
        let maps = model
            .until("relu2")
            .unwrap()
            .forward(&image.clone().insert_axis(Axis(0)))
            .unwrap();
        let maps = maps.into_maps().unwrap();
        let strongest = maps
            .index_axis(Axis(1), channel)
            .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        assert_eq!(projection.activation, strongest);
        // Only pixels inside the position's receptive field can be non-zero.
        let (row, column) = projection.position;
        let window = receptive_window(&model, "relu2", row, column).unwrap();
        for ((_, i, j), &value) in projection.image.indexed_iter() {
            let inside = (i as isize) >= window.top
                && (i as isize) < window.top + window.height as isize
                && (j as isize) >= window.left
                && (j as isize) < window.left + window.width as isize;
            assert!(
                inside || value == 0.0,
                "pixel ({i}, {j}) outside the window is {value}"
            );
        }
        if projection.activation > 0.0 {
            assert!(projection.image.iter().any(|&v| v != 0.0));
        }
    }
    // With one layer, conv then ReLU, the projection is the filter itself placed at the
    // position and scaled by the activation (the transposed convolution of one value).
    let mut single = Sequential::new();
    let kernel = ndarray::array![[[[1.0f32, -2.0], [3.0, 0.5]]]];
    single
        .push(
            "conv",
            Conv2d::new(kernel, Array1::zeros(1), Conv2dConfig::default()).unwrap(),
        )
        .unwrap();
    single.push("relu", Layer::Relu).unwrap();
    let mut dot = Array3::zeros((1, 4, 4));
    dot[[0, 2, 2]] = 1.0; // the conv output is largest where the kernel's 3 meets the dot
    let projection = deconvnet(&single, "relu", 0, dot.view()).unwrap();
    assert_eq!(projection.position, (1, 2));
    assert_eq!(projection.activation, 3.0);
    let expected = ndarray::array![[
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 3.0, -6.0],
        [0.0, 0.0, 9.0, 1.5],
        [0.0, 0.0, 0.0, 0.0]
    ]];
    assert_eq!(projection.image, expected);
    // Errors say what and where.
    let e = deconvnet(&model, "relu2", 3, image.view())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "deconvnet: channel 3 is out of range: layer relu2 has 3 (0 to 2)"
    );
    let with_dense = right_half_model();
    let e = deconvnet(
        &with_dense,
        "dense",
        0,
        image.slice(ndarray::s![.., ..8, ..8]),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "deconvnet: layer dense outputs vectors [1, 2], not feature maps"
    );
}
