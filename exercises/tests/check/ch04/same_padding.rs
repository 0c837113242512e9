//! The checks of exercise ch04-same-padding.

use crate::common::{random_size, rng};
use cnn_exercises::ch04::same_padding::same_padding;

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
            "same_padding({kernel}) is None, but an odd kernel has a same padding"
        );
        for input in kernel..kernel + 20 {
            let output = cnn_core::output_size(input, kernel, 1, padding.unwrap()).ok();
            assert_eq!(
                output,
                Some(input),
                "same_padding({kernel}) = {padding:?} does not keep an input of {input}"
            );
        }
    }
}

fn even_kernels_have_none() {
    let mut rng = rng(15);
    let mut kernels = vec![0, 2, 4, 6];
    kernels.extend((0..10).map(|_| 2 * random_size(&mut rng, 1..=200)));
    for kernel in kernels {
        assert_eq!(same_padding(kernel), None, "same_padding({kernel})");
        // Indeed, no padding keeps the size of even kernels.
        for padding in 0..5 {
            assert_ne!(cnn_core::output_size(10, kernel, 1, padding).ok(), Some(10));
        }
    }
}
