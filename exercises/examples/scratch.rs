//! Your scratch file, for the experiments of the *investigate* exercises (or anything
//! else you want to try). Nothing here is checked, graded or handed in. Run it with
//!
//! ```console
//! cargo run -p cnn-exercises --example scratch
//! ```
//!
//! It can use cnn-core (`cnn_core::...`) and ndarray, as the exercises do.

use ndarray::Array4;

fn main() {
    // An example to replace with your own: a 1-channel 8x8 image of ones through cnn-core's
    // 3x3 max pooling with stride 3.
    let image = Array4::<f32>::ones((1, 1, 8, 8));
    let pooled = cnn_core::ops::max_pool2d(image.view(), 3, 3).expect("the window fits");
    println!(
        "[1, 1, 8, 8] pooled 3x3 with stride 3: {:?}",
        pooled.shape()
    );
}
