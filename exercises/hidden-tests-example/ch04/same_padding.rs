//! Hidden checks of ch04-same-padding: an example of a teacher's own checks (see
//! `ch03/max_pool_backward.rs` beside this file and the Teacher's guide).

use cnn_exercises::ch04::same_padding::same_padding;
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![large_kernels];

/// Kernels larger than any the visible checks try.
fn large_kernels() {
    for kernel in [51, 99, 255] {
        let padding = same_padding(kernel);
        let keeps = padding.and_then(|p| cnn_core::output_size(300, kernel, 1, p).ok());
        assert!(
            keeps == Some(300),
            "{}",
            message!(
                en: "same_padding({kernel}) = {padding:?} does not keep an input of 300",
                zh: "same_padding({kernel}) = {padding:?}，不能让大小为 300 的输入保持不变",
            )
        );
    }
    for kernel in [50, 100, 256] {
        let padding = same_padding(kernel);
        assert!(
            padding.is_none(),
            "{}",
            message!(
                en: "same_padding({kernel}) = {padding:?}, but an even kernel has no same padding",
                zh: "same_padding({kernel}) = {padding:?}，可是偶数大小的卷积核没有 same 填充",
            )
        );
    }
}
