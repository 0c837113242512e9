//! Hidden checks of ch04-same-padding: an example of a teacher's own checks (see
//! `ch03/max_pool_backward.rs` beside this file and the Teacher's guide).

use cnn_exercises::ch04::same_padding::same_padding;

cnn_exercises_harness::checks![large_kernels];

/// Kernels larger than any the visible checks try.
fn large_kernels() {
    for kernel in [51, 99, 255] {
        let padding = same_padding(kernel);
        let keeps = padding.and_then(|p| cnn_core::output_size(300, kernel, 1, p).ok());
        assert!(
            keeps == Some(300),
            "same_padding({kernel}) = {padding:?} does not keep an input of 300"
        );
    }
    for kernel in [50, 100, 256] {
        assert_eq!(same_padding(kernel), None, "same_padding({kernel})");
    }
}
