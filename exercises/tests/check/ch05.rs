//! Checks of chapter 5's exercises.

mod receptive_field {
    use cnn_exercises::ch05::receptive_field::*;

    /// The receptive field after the last layer, from cnn-core.
    fn field(layers: &[(usize, usize)]) -> usize {
        cnn_core::receptive_field(layers).unwrap().last().unwrap().0
    }

    #[test]
    fn three_convolutions() {
        let yours = three_convolutions_field();
        assert!(
            yours == field(&[(3, 1), (3, 1), (3, 1)]),
            "three_convolutions_field() = {yours} is not what cnn_core::receptive_field gives"
        );
    }

    #[test]
    fn vgg_stack() {
        let yours = vgg_stack_field();
        assert!(
            yours == field(&[(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)]),
            "vgg_stack_field() = {yours} is not what cnn_core::receptive_field gives; \
             after the pooling, each step of a kernel moves by the jump j = 2 input pixels"
        );
    }
}

mod stack_parameters {
    use cnn_core::{Conv2d, Conv2dConfig};
    use cnn_exercises::ch05::stack_parameters::*;
    use ndarray::{Array1, Array4};

    fn parameters(kernel: usize) -> usize {
        let weight = Array4::zeros((64, 64, kernel, kernel));
        let layer = Conv2d::new("conv", weight, Array1::zeros(64), Conv2dConfig::default());
        layer.unwrap().parameter_count()
    }

    #[test]
    fn two_3x3_layers() {
        let yours = two_3x3_parameters();
        assert!(
            yours == 2 * parameters(3),
            "two_3x3_parameters() = {yours} is not what cnn-core counts for two layers"
        );
    }

    #[test]
    fn one_5x5_layer() {
        let yours = one_5x5_parameters();
        assert!(
            yours == parameters(5),
            "one_5x5_parameters() = {yours} is not what cnn-core counts"
        );
    }
}

mod even_kernel_shift {
    use cnn_core::conv2d_naive;
    use cnn_exercises::ch05::even_kernel_shift::*;
    use ndarray::{Array1, Array4, s};

    #[test]
    fn centre_row_prediction() {
        // The dot at (4, 4) of a 9x9 image, padded with one row and column of zeros at the
        // bottom and right, blurred by the 2x2 average.
        let mut padded = Array4::<f32>::zeros((1, 1, 10, 10));
        padded[[0, 0, 4, 4]] = 1.0;
        let kernel = Array4::from_elem((1, 1, 2, 2), 0.25);
        let blurred =
            conv2d_naive(padded.view(), kernel.view(), Array1::zeros(1).view(), 1, 0).unwrap();
        let blurred = blurred.slice(s![0, 0, .., ..]);
        assert_eq!(blurred.shape(), &[9, 9]);
        let total: f32 = blurred.sum();
        let centre_row: f32 = blurred
            .indexed_iter()
            .map(|((i, _), value)| i as f32 * value)
            .sum::<f32>()
            / total;
        let yours = predicted_centre_row();
        assert!(
            (yours - centre_row).abs() < 1e-4,
            "your predicted centre row {yours} is not where the blurred dot's centre of mass is; \
             which outputs (i, j) have the dot inside their window rows i..=i+1?"
        );
    }
}
