//! The checks of exercise ch04-output-size.

use crate::common::{assert_same, random_size, rng};
use cnn_exercises::ch04::output_size::output_size;
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![
    examples_from_the_chapter,
    impossible_configurations_are_none,
    matches_cnn_core_everywhere,
    matches_cnn_core_on_large_random_sizes,
];

fn examples_from_the_chapter() {
    assert_same(
        output_size(6, 3, 1, 0),
        Some(4),
        "output_size(6, 3, 1, 0): 6 - 3 + 1",
    );
    assert_same(
        output_size(6, 3, 2, 0),
        Some(2),
        "output_size(6, 3, 2, 0): floor(3 / 2) + 1",
    );
    assert_same(
        output_size(28, 5, 1, 2),
        Some(28),
        &message!(
            en: "output_size(28, 5, 1, 2): same padding",
            zh: "output_size(28, 5, 1, 2)：same 填充",
        ),
    );
}

fn impossible_configurations_are_none() {
    assert_same(
        output_size(4, 5, 1, 0),
        None,
        &message!(
            en: "output_size(4, 5, 1, 0): the kernel is larger than the input",
            zh: "output_size(4, 5, 1, 0)：卷积核比输入还大",
        ),
    );
    assert_same(
        output_size(4, 3, 0, 0),
        None,
        &message!(
            en: "output_size(4, 3, 0, 0): stride 0",
            zh: "output_size(4, 3, 0, 0)：步幅为 0",
        ),
    );
    assert_same(
        output_size(4, 0, 1, 0),
        None,
        &message!(
            en: "output_size(4, 0, 1, 0): kernel 0",
            zh: "output_size(4, 0, 1, 0)：卷积核为 0",
        ),
    );
    assert_same(
        output_size(0, 1, 1, 0),
        None,
        &message!(
            en: "output_size(0, 1, 1, 0): an empty input",
            zh: "output_size(0, 1, 1, 0)：输入为空",
        ),
    );
}

fn matches_cnn_core_everywhere() {
    for input in 0..=20 {
        for kernel in 0..=8 {
            for stride in 0..=4 {
                for padding in 0..=3 {
                    let expected = cnn_core::output_size(input, kernel, stride, padding).ok();
                    assert_same(
                        output_size(input, kernel, stride, padding),
                        expected,
                        &format!("output_size({input}, {kernel}, {stride}, {padding})"),
                    );
                }
            }
        }
    }
}

/// Sizes far beyond the small ones above, drawn from the run's seed.
fn matches_cnn_core_on_large_random_sizes() {
    let mut rng = rng(13);
    for _ in 0..200 {
        let input = random_size(&mut rng, 0..=5000);
        let kernel = random_size(&mut rng, 0..=300);
        let stride = random_size(&mut rng, 0..=40);
        let padding = random_size(&mut rng, 0..=150);
        let expected = cnn_core::output_size(input, kernel, stride, padding).ok();
        assert_same(
            output_size(input, kernel, stride, padding),
            expected,
            &format!("output_size({input}, {kernel}, {stride}, {padding})"),
        );
    }
}
