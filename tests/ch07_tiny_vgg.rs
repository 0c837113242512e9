//! Pins every number chapter 7 quotes, and checks its claims: the loaded Tiny VGG
//! has CNN Explainer's architecture, classifies the 10 images of the site's picker
//! correctly, and agrees with TensorFlow.js running the same model on the same pixels.

#[path = "../examples/ch07_tiny_vgg.rs"]
#[allow(dead_code)]
mod ch07;

use cnn_core::tiny_vgg::CLASSES;

#[test]
fn architecture_from_the_loaded_model() {
    let network = ch07::load_network().unwrap();
    let architecture = ch07::Architecture::compute(&network).unwrap();
    insta::assert_snapshot!(architecture.table().to_markdown());
    // The sizes the chapter walks through: 64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13.
    let sizes: Vec<usize> = architecture
        .rows
        .iter()
        .filter(|(_, _, shape, _)| shape.len() == 3)
        .map(|(_, _, shape, _)| shape[1])
        .collect();
    assert_eq!(sizes, [64, 62, 62, 60, 60, 30, 28, 28, 26, 26, 13]);
    assert_eq!(architecture.flatten_inputs, 1690);
    assert_eq!(architecture.total_parameters, 280 + 3 * 910 + 16910);
}

#[test]
fn one_pixel_by_hand_equals_the_library() {
    let network = ch07::load_network().unwrap();
    let espresso = ch07::LayerOutputs::espresso(&network).unwrap();
    let pixel = ch07::OnePixel::compute(&network, &espresso).unwrap();
    assert_eq!(pixel.terms.len(), 27);
    assert!((pixel.by_hand - pixel.from_library).abs() < 1e-5);
    insta::assert_snapshot!(format!("{}\n{}", pixel.terms_table(), pixel.sum_table()));
}

#[test]
fn relu_pooling_and_softmax() {
    let network = ch07::load_network().unwrap();
    let espresso = ch07::LayerOutputs::espresso(&network).unwrap();
    let pool = ch07::PoolWindow::compute(&espresso);
    assert_eq!(pool.pooled, pool.window.fold(f32::MIN, |m, &v| m.max(v)));
    let softmax = ch07::SoftmaxArithmetic::compute(&network, &espresso);
    assert!((softmax.probabilities.sum() - 1.0).abs() < 1e-6);
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}",
        ch07::ReluCounts::compute(&network, &espresso).table(),
        pool.table(),
        softmax.table()
    ));
}

#[test]
fn predictions_for_all_21_images() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    assert_eq!(predictions.rows.len(), 21);
    // The top-1 class and probability of every image, pinned.
    let top: Vec<String> = predictions
        .rows
        .iter()
        .map(|row| {
            let k = row.top();
            format!("{}: {} {:.4}", row.image, CLASSES[k], row.probabilities[k])
        })
        .collect();
    insta::assert_snapshot!("top1", top.join("\n"));
    insta::assert_snapshot!("predictions_table", predictions.table().to_markdown());
}

#[test]
fn the_ten_picker_images_are_classified_correctly() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    for image in ch07::PICKER {
        let row = predictions.rows.iter().find(|r| r.image == image).unwrap();
        assert!(row.is_correct(), "{image}: {}", CLASSES[row.top()]);
    }
    assert_eq!(predictions.picker_correct(), "10 of 10");
}

#[test]
fn probabilities_agree_with_tensorflow_js() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    for row in &predictions.rows {
        assert_eq!(row.tfjs.len(), 10, "{}", row.image);
        assert!(
            row.tfjs_difference() < 1e-5,
            "{}: ours {:?}, TF.js {:?}",
            row.image,
            row.probabilities,
            row.tfjs
        );
    }
    // The site's default image, with the lossless pixels: TF.js gives 0.8798.
    let espresso = predictions
        .rows
        .iter()
        .find(|r| r.image == "espresso_1")
        .unwrap();
    assert!((espresso.probabilities[6] - 0.8798).abs() < 5e-5);
}

#[test]
fn the_wrong_flatten_order_breaks_the_predictions() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    let order = ch07::FlattenOrder::compute(&network, &predictions).unwrap();
    insta::assert_snapshot!(order.table().to_markdown());
    assert_eq!(order.wrong_order_correct(), "0 of 10");
}

#[test]
fn jpeg_and_png_decoders_differ_by_a_few_steps() {
    let network = ch07::load_network().unwrap();
    let jpeg = ch07::JpegVsPng::compute(&network).unwrap();
    assert!(jpeg.steps().iter().all(|s| s.abs() <= 3));
    assert!((jpeg.png_probability - jpeg.jpeg_probability).abs() < 0.01);
    insta::assert_snapshot!(format!("{}\n{}", jpeg.table(), jpeg.pixel_table()));
}

#[test]
fn a_non_image_is_a_clear_error() {
    let path = std::env::temp_dir().join(format!("ch07-not-a-photo-{}.jpg", std::process::id()));
    std::fs::write(&path, "not a photo").unwrap();
    let e = cnn_core::tiny_vgg::load_image(&path)
        .unwrap_err()
        .to_string();
    std::fs::remove_file(&path).unwrap();
    assert!(e.contains("not a readable PNG or JPEG image"), "{e}");
    let e = cnn_core::tiny_vgg::load_image(std::path::Path::new("no/such/photo.jpg"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot read the file"), "{e}");
}

#[test]
fn a_photo_of_any_size_is_scaled_and_cropped_to_64() {
    // The coffee photo of chapter 3 (600 x 400): short side to 65, centre crop 64 x 64.
    let image = cnn_core::tiny_vgg::load_image(&ch07::coffee_photo()).unwrap();
    assert_eq!(image.dim(), (3, 64, 64));
    let network = ch07::load_network().unwrap();
    let probabilities = ch07::classify(&network, &image).unwrap();
    assert!((probabilities.sum() - 1.0).abs() < 1e-5);
    assert_eq!(CLASSES[ch07::ranking(&probabilities)[0]], "espresso");
    insta::assert_snapshot!(ch07::coffee_prediction(&network).unwrap());
}
