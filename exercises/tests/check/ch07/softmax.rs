//! The checks of exercise ch07-softmax.

use crate::common::{assert_close, random_size, random_vec, rng};
use cnn_exercises::ch07::softmax::softmax;
use cnn_exercises_harness::message;
use ndarray::Array2;

cnn_exercises_harness::checks![
    two_equal_logits_share_evenly,
    matches_cnn_core_on_random_logits,
    large_logits_do_not_overflow,
];

fn reference(logits: &[f32]) -> Vec<f32> {
    let row = Array2::from_shape_vec((1, logits.len()), logits.to_vec()).unwrap();
    cnn_core::ops::softmax(row.view())
        .into_raw_vec_and_offset()
        .0
}

fn two_equal_logits_share_evenly() {
    assert_close(&softmax(&[3.0, 3.0]), &[0.5, 0.5], "softmax(&[3, 3])");
}

fn matches_cnn_core_on_random_logits() {
    let mut rng = rng(9);
    // Edge cases, then lengths drawn from the run's seed.
    let mut lengths = vec![1, 2, 5, 10];
    lengths.extend((0..6).map(|_| random_size(&mut rng, 1..=40)));
    for classes in lengths {
        let logits: Vec<f32> = random_vec(&mut rng, classes)
            .iter()
            .map(|z| 4.0 * z)
            .collect();
        let got = softmax(&logits);
        assert_close(
            &got,
            &reference(&logits),
            &message!(en: "softmax of {logits:?}", zh: "{logits:?} 的 softmax"),
        );
    }
}

fn large_logits_do_not_overflow() {
    let logits = [1000.0, 1001.0, 1002.0];
    let got = softmax(&logits);
    assert!(
        got.iter().all(|p| p.is_finite()),
        "{}",
        message!(
            en: "softmax(&[1000, 1001, 1002]) = {got:?}: exp(1000) overflows; subtract the largest logit first",
            zh: "softmax(&[1000, 1001, 1002]) = {got:?}：exp(1000) 溢出了；先减去最大的 logit",
        )
    );
    assert_close(&got, &reference(&logits), "softmax(&[1000, 1001, 1002])");
}
