//! Checks of chapter 4's exercises.

mod output_size {
    use cnn_exercises::ch04::output_size::*;

    #[test]
    fn examples_from_the_chapter() {
        assert_eq!(
            output_size(6, 3, 1, 0),
            Some(4),
            "output_size(6, 3, 1, 0): 6 - 3 + 1"
        );
        assert_eq!(
            output_size(6, 3, 2, 0),
            Some(2),
            "output_size(6, 3, 2, 0): floor(3 / 2) + 1"
        );
        assert_eq!(
            output_size(28, 5, 1, 2),
            Some(28),
            "output_size(28, 5, 1, 2): same padding"
        );
    }

    #[test]
    fn impossible_configurations_are_none() {
        assert_eq!(
            output_size(4, 5, 1, 0),
            None,
            "output_size(4, 5, 1, 0): the kernel is larger than the input"
        );
        assert_eq!(
            output_size(4, 3, 0, 0),
            None,
            "output_size(4, 3, 0, 0): stride 0"
        );
        assert_eq!(
            output_size(4, 0, 1, 0),
            None,
            "output_size(4, 0, 1, 0): kernel 0"
        );
        assert_eq!(
            output_size(0, 1, 1, 0),
            None,
            "output_size(0, 1, 1, 0): an empty input"
        );
    }

    #[test]
    fn matches_cnn_core_everywhere() {
        for input in 0..=20 {
            for kernel in 0..=8 {
                for stride in 0..=4 {
                    for padding in 0..=3 {
                        let expected = cnn_core::output_size(input, kernel, stride, padding).ok();
                        assert_eq!(
                            output_size(input, kernel, stride, padding),
                            expected,
                            "output_size({input}, {kernel}, {stride}, {padding})"
                        );
                    }
                }
            }
        }
    }
}

mod lenet_sides {
    use crate::common::trained_lenet;
    use cnn_exercises::ch04::lenet_sides::*;

    #[test]
    fn sides_match_the_trained_network() {
        let net = trained_lenet();
        let summary = net.summary(&[1, 1, 28, 28]).unwrap();
        let yours = lenet_sides();
        for (position, name) in ["conv1", "pool1", "conv2", "pool2"].iter().enumerate() {
            let layer = summary.iter().find(|layer| layer.name == *name).unwrap();
            assert!(
                yours[position] == layer.output_shape[2],
                "lenet_sides()[{position}] = {} is not the side after {name}",
                yours[position]
            );
        }
    }
}

mod same_padding {
    use cnn_exercises::ch04::same_padding::*;

    #[test]
    fn odd_kernels_keep_the_size() {
        for kernel in [1, 3, 5, 7, 11] {
            let padding = same_padding(kernel);
            assert!(
                padding.is_some(),
                "same_padding({kernel}) is None, but an odd kernel has a same padding"
            );
            for input in kernel..kernel + 20 {
                let output = cnn_core::output_size(input, kernel, 1, padding.unwrap());
                assert_eq!(
                    output,
                    Ok(input),
                    "same_padding({kernel}) = {padding:?} does not keep an input of {input}"
                );
            }
        }
    }

    #[test]
    fn even_kernels_have_none() {
        for kernel in [0, 2, 4, 6] {
            assert_eq!(same_padding(kernel), None, "same_padding({kernel})");
            // Indeed, no padding keeps the size of even kernels.
            for padding in 0..5 {
                assert_ne!(cnn_core::output_size(10, kernel, 1, padding), Ok(10));
            }
        }
    }
}

mod uncovered_pixels {
    use cnn_core::{dropped_by_floor, output_size};
    use cnn_exercises::ch04::uncovered_pixels::*;

    #[test]
    fn output_side_prediction() {
        let yours = predicted_output_side();
        assert!(
            Ok(yours) == output_size(10, 3, 4, 0),
            "your predicted side {yours} is not what output_size gives"
        );
    }

    #[test]
    fn uncovered_rows_prediction() {
        let yours = predicted_uncovered();
        assert!(
            Ok(yours) == dropped_by_floor(10, 3, 4, 0),
            "your prediction of {yours} uncovered rows is not what dropped_by_floor gives; \
             list the rows each window covers"
        );
    }
}
