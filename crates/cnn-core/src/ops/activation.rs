//! Activation functions: a non-linear function applied to every element on its own.
//!
//! Without them a stack of convolutions and linear layers would collapse into a single
//! linear map, however deep. Each works on an array of any shape and returns an array
//! of the same shape.

use ndarray::{Array, ArrayView, Dimension, Zip};

/// Rectified linear unit, the default activation of CNNs since AlexNet
/// (Krizhevsky, Sutskever and Hinton, 2012).
///
/// `x: any shape -> output: the same shape`
///
/// `relu(x) = max(0, x)`, and `relu(NaN) = NaN` as in PyTorch, so that a network
/// whose numbers went wrong does not look healthy after it.
pub fn relu<D: Dimension>(x: ArrayView<f32, D>) -> Array<f32, D> {
    x.mapv(|v| if v > 0.0 || v.is_nan() { v } else { 0.0 })
}

/// Backward pass of [`relu`]: the gradient flows through where the input was positive
/// and stops where it was not.
///
/// `x: [any], d_out: [same] -> d_x: [same]`
///
/// `d_x = d_out * (x > 0 ? 1 : 0)`, the local gradient of `max(0, x)`. At `x = 0`
/// exactly it uses 0, as PyTorch does.
///
/// # Panics
/// If `x` and `d_out` have different shapes (a bug in the caller).
pub fn relu_backward<D: Dimension>(
    x: ArrayView<f32, D>,
    d_out: ArrayView<f32, D>,
) -> Array<f32, D> {
    Zip::from(&x)
        .and(&d_out)
        .map_collect(|&v, &d| if v > 0.0 { d } else { 0.0 })
}

/// The logistic sigmoid, which squashes any number into (0, 1).
///
/// `x: any shape -> output: the same shape`
///
/// `sigmoid(x) = 1 / (1 + exp(-x)) = exp(x) / (1 + exp(x))`
///
/// The two forms are equal, but each can overflow: `exp(-x)` is infinite in `f32` for
/// `x < -88`, and `exp(x)` for `x > 88`, which turns the second form into
/// `inf / inf = NaN`. So each is used only where its `exp` has a negative argument and
/// lies in (0, 1]: the first for `x >= 0`, the second for `x < 0`. The result is exact
/// to `f32` precision for every input, including very large ones.
pub fn sigmoid<D: Dimension>(x: ArrayView<f32, D>) -> Array<f32, D> {
    x.mapv(|v| {
        if v >= 0.0 {
            1.0 / (1.0 + (-v).exp())
        } else {
            let e = v.exp();
            e / (1.0 + e)
        }
    })
}

/// Backward pass of [`sigmoid`], from its *output* `y = sigmoid(x)`.
///
/// `y: [any], d_out: [same] -> d_x: [same]`
///
/// `d_x = d_out * y * (1 - y)`, since `sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))`.
/// The largest local gradient is 0.25 (at `x = 0`): each sigmoid layer shrinks the
/// gradient at least fourfold, which is why deep sigmoid networks learn slowly.
///
/// # Panics
/// If `y` and `d_out` have different shapes (a bug in the caller).
pub fn sigmoid_backward<D: Dimension>(
    y: ArrayView<f32, D>,
    d_out: ArrayView<f32, D>,
) -> Array<f32, D> {
    Zip::from(&y)
        .and(&d_out)
        .map_collect(|&y, &d| d * y * (1.0 - y))
}

/// The hyperbolic tangent, which squashes any number into (-1, 1); it is a sigmoid
/// stretched and centred on zero: `tanh(x) = 2 * sigmoid(2x) - 1`.
///
/// `x: any shape -> output: the same shape`
///
/// `tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))`
///
/// Computed by `f32::tanh`, which is accurate and does not overflow for large `|x|`.
pub fn tanh<D: Dimension>(x: ArrayView<f32, D>) -> Array<f32, D> {
    x.mapv(f32::tanh)
}

/// Backward pass of [`tanh`], from its *output* `y = tanh(x)`.
///
/// `y: [any], d_out: [same] -> d_x: [same]`
///
/// `d_x = d_out * (1 - y^2)`, since `tanh'(x) = 1 - tanh(x)^2`.
///
/// # Panics
/// If `y` and `d_out` have different shapes (a bug in the caller).
pub fn tanh_backward<D: Dimension>(
    y: ArrayView<f32, D>,
    d_out: ArrayView<f32, D>,
) -> Array<f32, D> {
    Zip::from(&y)
        .and(&d_out)
        .map_collect(|&y, &d| d * (1.0 - y * y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn relu_zeroes_the_negatives() {
        let x = array![[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]];
        assert_eq!(relu(x.view()), array![[0.0, 0.0, 0.0], [0.5, 1.0, 3.0]]);
    }

    #[test]
    fn nan_passes_through_every_activation_as_in_pytorch() {
        let x = array![f32::NAN, 1.0];
        assert!(relu(x.view())[0].is_nan());
        assert!(sigmoid(x.view())[0].is_nan());
        assert!(tanh(x.view())[0].is_nan());
        // The gradient of ReLU at NaN is 0, as PyTorch's (NaN > 0 is false).
        assert_eq!(
            relu_backward(x.view(), array![1.0, 1.0].view()),
            array![0.0, 1.0]
        );
    }

    #[test]
    fn sigmoid_is_stable_for_large_inputs() {
        let x = array![-1000.0, -90.0, 0.0, 90.0, 1000.0];
        let y = sigmoid(x.view());
        assert!(y.iter().all(|v| v.is_finite()), "{y}");
        assert_eq!(y[0], 0.0);
        // exp(-90) is about 8.2e-40, a tiny but representable f32; the form
        // 1 / (1 + exp(90)) would round it to 0 because exp(90) overflows.
        assert!(y[1] > 0.0 && y[1] < 1e-38, "{}", y[1]);
        assert_eq!(y[2], 0.5);
        assert_eq!(y[3], 1.0);
        assert_eq!(y[4], 1.0);
    }

    #[test]
    fn tanh_is_a_stretched_sigmoid() {
        let x = array![-3.0, -1.0, 0.0, 0.5, 2.0];
        let via_sigmoid = sigmoid((&x * 2.0).view()) * 2.0 - 1.0;
        let difference = (tanh(x.view()) - via_sigmoid).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(difference < 1e-6, "{difference}");
        assert_eq!(tanh(array![-1000.0, 1000.0].view()), array![-1.0, 1.0]);
    }
}
