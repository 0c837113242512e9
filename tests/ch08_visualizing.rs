//! Pins every table chapter 8 shows and checks its claims: the most sensitive
//! occlusion window lies on the object, saliency gathers on the object, activation
//! maximisation raises its target, and reconstructions get less faithful with depth.

#[path = "../examples/ch08_visualizing.rs"]
#[allow(dead_code)]
mod ch08;

use std::path::Path;
use std::sync::OnceLock;

use ch08::{Digits, Lenet, TinyVgg};

/// The two networks and the test digits, loaded once for all tests (reading the
/// MNIST training set for its pixel statistics is the slow part).
fn models() -> &'static (Lenet, TinyVgg, Digits) {
    static MODELS: OnceLock<(Lenet, TinyVgg, Digits)> = OnceLock::new();
    MODELS.get_or_init(|| {
        let lenet = Lenet::load().unwrap();
        let vgg = TinyVgg::load().unwrap();
        let digits = Digits::load(&lenet).unwrap();
        (lenet, vgg, digits)
    })
}

#[test]
fn filters_and_strongest_activations() {
    let (lenet, vgg, digits) = models();
    let filters = ch08::Filters::compute(lenet, vgg).unwrap();
    assert_eq!(filters.lenet_response.dim(), (6, 24));
    assert_eq!(filters.tiny_vgg_response.dim(), (10, 24));
    // A step edge and its opposite give opposite responses (the edge flips sign).
    for row in filters.lenet_response.outer_iter() {
        for a in 0..12 {
            assert!((row[a] + row[a + 12]).abs() < 1e-5);
        }
    }
    insta::assert_snapshot!(format!(
        "{}\n{}",
        filters.table_lenet(),
        filters.table_tiny_vgg()
    ));

    let strongest = ch08::Strongest::compute(lenet, digits).unwrap();
    assert_eq!(strongest.searched, 1000);
    for row in &strongest.channels {
        assert_eq!(row.len(), ch08::STRONGEST_TOP);
        assert!(row.windows(2).all(|pair| pair[0].value >= pair[1].value));
        // Each patch is the 14x14 receptive field of one act2 unit.
        assert!(row.iter().all(|strong| strong.patch.dim() == (3, 14, 14)));
    }
    insta::assert_snapshot!(strongest.table().to_markdown());
}

#[test]
fn occlusion_finds_the_object() {
    let (lenet, vgg, digits) = models();
    let occlusion = ch08::Occlusion::compute(lenet, vgg, digits).unwrap();
    for row in &occlusion.rows {
        assert!(
            row.overlaps_object,
            "{}: most sensitive window {:?} misses the object",
            row.name,
            row.map.most_sensitive()
        );
        assert!(row.map.lowest() < row.map.unoccluded, "{}", row.name);
    }
    insta::assert_snapshot!(occlusion.table().to_markdown());
}

#[test]
fn saliency_gathers_on_the_object() {
    let (lenet, vgg, digits) = models();
    let saliency = ch08::SaliencyMaps::compute(lenet, vgg, digits).unwrap();
    for row in saliency.rows.iter().filter(|r| !r.inside.is_nan()) {
        // More of the saliency falls in the object's box than the box's share of the
        // image: the gradient is larger on the object than elsewhere.
        assert!(
            row.inside > row.area,
            "{}: {} vs {}",
            row.name,
            row.inside,
            row.area
        );
    }
    insta::assert_snapshot!(saliency.table().to_markdown());
}

#[test]
fn maximisation_raises_every_target() {
    let (lenet, vgg, _) = models();
    let maximized = ch08::Maximization::compute(lenet, vgg).unwrap();
    assert_eq!(maximized.rows.len(), 30);
    for row in &maximized.rows {
        assert!(
            row.end > row.start + 5.0,
            "{}: {} -> {}",
            row.target,
            row.start,
            row.end
        );
        if let Some(p) = row.probability {
            assert!(p > 0.99, "{}: {p}", row.target);
        }
    }
    insta::assert_snapshot!(maximized.table().to_markdown());
}

#[test]
fn reconstructions_get_less_faithful_with_depth() {
    let (lenet, vgg, digits) = models();
    let inversions = ch08::Inversions::compute(lenet, vgg, digits).unwrap();
    for rows in [&inversions.tiny_vgg, &inversions.lenet] {
        for row in rows.iter() {
            assert!(row.last_loss < 0.5 * row.first_loss, "{}", row.layer);
        }
        let errors: Vec<f32> = rows.iter().map(|r| r.pixel_error).collect();
        assert!(
            errors.windows(2).all(|pair| pair[0] < pair[1]),
            "pixel errors do not grow with depth: {errors:?}"
        );
        // The first layer's reconstruction is several times closer than the last's.
        assert!(errors[0] * 3.0 < errors[errors.len() - 1], "{errors:?}");
    }
    insta::assert_snapshot!(format!(
        "{}\n{}",
        inversions.table(&inversions.tiny_vgg),
        inversions.table(&inversions.lenet)
    ));
}

#[test]
fn your_image_a_missing_file_is_a_clear_error() {
    let error = ch08::prepare(
        ch08::ModelChoice::TinyVgg,
        Some(Path::new("no/such/photo.jpg")),
    )
    .err()
    .unwrap()
    .to_string();
    assert_eq!(
        error,
        "no/such/photo.jpg: no such file (give a PNG or JPEG image)"
    );
    let not_an_image =
        std::env::temp_dir().join(format!("ch08-not-an-image-{}.png", std::process::id()));
    std::fs::write(&not_an_image, "hello").unwrap();
    let error = ch08::prepare(ch08::ModelChoice::TinyVgg, Some(&not_an_image))
        .err()
        .unwrap();
    std::fs::remove_file(&not_an_image).unwrap();
    assert!(
        format!("{error:#}").contains("not a readable PNG or JPEG image"),
        "{error:#}"
    );
}
