//! The checks of exercise ch04-same-padding.

use crate::common::{assert_same, random_size, rng};
use cnn_exercises::ch04::same_padding::same_padding;
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![odd_kernels_keep_the_size, even_kernels_have_none];

fn odd_kernels_keep_the_size() {
    // Small kernels, then odd kernels drawn from the run's seed.
    let mut rng = rng(14);
    let mut kernels = vec![1, 3, 5, 7, 11];
    kernels.extend((0..10).map(|_| 2 * random_size(&mut rng, 0..=200) + 1));
    for kernel in kernels {
        let padding = same_padding(kernel);
        assert!(
            padding.is_some(),
            "{}",
            message!(
                en: "same_padding({kernel}) is None, but an odd kernel has a same padding",
                zh: "same_padding({kernel}) 返回 None，可是奇数大小的卷积核有 same 填充",
            )
        );
        for input in kernel..kernel + 20 {
            let output = cnn_core::output_size(input, kernel, 1, padding.unwrap()).ok();
            assert_same(
                output,
                Some(input),
                &message!(
                    en: "same_padding({kernel}) = {padding:?} does not keep an input of {input}",
                    zh: "same_padding({kernel}) = {padding:?}，不能让大小为 {input} 的输入保持不变",
                ),
            );
        }
    }
}

fn even_kernels_have_none() {
    let mut rng = rng(15);
    let mut kernels = vec![0, 2, 4, 6];
    kernels.extend((0..10).map(|_| 2 * random_size(&mut rng, 1..=200)));
    for kernel in kernels {
        assert_same(
            same_padding(kernel),
            None,
            &format!("same_padding({kernel})"),
        );
        // Indeed, no padding keeps the size of even kernels.
        for padding in 0..5 {
            assert!(
                cnn_core::output_size(10, kernel, 1, padding).ok() != Some(10),
                "{}",
                message!(
                    en: "cnn-core keeps the size with the even kernel {kernel}: the check is wrong",
                    zh: "cnn-core 在偶数卷积核 {kernel} 下保持了大小：这项检查本身有误",
                )
            );
        }
    }
}
