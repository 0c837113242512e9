//! The checks of exercise ch06-linear-backward.

use crate::common::{assert_close, assert_same, random, random_size, rng};
use cnn_exercises::ch06::linear_backward::linear_backward;
use cnn_exercises_harness::message;
use ndarray::{Array2, arr2};

cnn_exercises_harness::checks![
    one_input_by_hand,
    matches_cnn_core_on_random_batches,
    agrees_with_finite_differences,
];

fn one_input_by_hand() {
    // y = 2 x1 + 3 x2, d_out = 1: d_x = [2, 3], d_w = [x1, x2] = [5, 7], d_b = [1].
    let x = arr2(&[[5.0, 7.0]]);
    let w = arr2(&[[2.0, 3.0]]);
    let d_out = arr2(&[[1.0]]);
    let (d_x, d_w, d_b) = linear_backward(x.view(), w.view(), d_out.view());
    assert_close(
        &d_x,
        &[2.0, 3.0],
        &message!(en: "d_input for y = 2 x1 + 3 x2", zh: "y = 2 x1 + 3 x2 时的 d_input"),
    );
    assert_close(
        &d_w,
        &[5.0, 7.0],
        &message!(en: "d_weight for x = [5, 7]", zh: "x = [5, 7] 时的 d_weight"),
    );
    assert_close(&d_b, &[1.0], "d_bias");
}

fn matches_cnn_core_on_random_batches() {
    let mut rng = rng(6);
    // Edge cases, then shapes drawn from the run's seed.
    let mut shapes = vec![(1, 3, 2), (4, 5, 3), (7, 10, 6)];
    for _ in 0..6 {
        let mut size = || random_size(&mut rng, 1..=12);
        shapes.push((size(), size(), size()));
    }
    for (batch, inputs, outputs) in shapes {
        let x: Array2<f32> = random(&mut rng, (batch, inputs));
        let w: Array2<f32> = random(&mut rng, (outputs, inputs));
        let d_out: Array2<f32> = random(&mut rng, (batch, outputs));
        let (d_x, d_w, d_b) = linear_backward(x.view(), w.view(), d_out.view());
        let expected = cnn_core::ops::linear_backward(x.view(), w.view(), d_out.view());
        let what = format!("N={batch}, I={inputs}, O={outputs}");
        assert_same(
            d_x.dim(),
            (batch, inputs),
            &message!(en: "{what}: d_input shape [N, I]", zh: "{what}：d_input 的形状 [N, I]"),
        );
        assert_same(
            d_w.dim(),
            (outputs, inputs),
            &message!(en: "{what}: d_weight shape [O, I]", zh: "{what}：d_weight 的形状 [O, I]"),
        );
        assert_close(&d_x, &expected.d_input, &format!("{what}: d_input"));
        assert_close(&d_w, &expected.d_weight, &format!("{what}: d_weight"));
        assert_close(&d_b, &expected.d_bias, &format!("{what}: d_bias"));
    }
}

fn agrees_with_finite_differences() {
    // L = sum_n,o d_out[n,o] * y[n,o]: its derivative by w[o,i] is d_w[o,i].
    let mut rng = rng(7);
    let x: Array2<f32> = random(&mut rng, (3, 4));
    let w: Array2<f32> = random(&mut rng, (2, 4));
    let d_out: Array2<f32> = random(&mut rng, (3, 2));
    let loss = |w: &Array2<f32>| (x.dot(&w.t()) * &d_out).sum();
    let (_, d_w, _) = linear_backward(x.view(), w.view(), d_out.view());
    let step = 1e-2;
    for o in 0..2 {
        for i in 0..4 {
            let (mut up, mut down) = (w.clone(), w.clone());
            up[[o, i]] += step;
            down[[o, i]] -= step;
            let slope = (loss(&up) - loss(&down)) / (2.0 * step);
            let yours = d_w[[o, i]];
            assert!(
                (slope - yours).abs() < 1e-3,
                "{}",
                message!(
                    en: "d_weight[{o}, {i}] = {yours}, but nudging the weight changes the loss at rate {slope}",
                    zh: "d_weight[{o}, {i}] = {yours}，可是把这个权值微调一点，损失的变化率是 {slope}",
                )
            );
        }
    }
}
