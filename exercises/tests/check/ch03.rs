//! Checks of chapter 3's exercises.

mod pooled_sizes {
    use cnn_core::{Pool2d, PoolKind};
    use cnn_exercises::ch03::pooled_sizes::*;

    fn pooled_side(side: usize, kernel: usize, stride: usize) -> usize {
        let pool = Pool2d::new(PoolKind::Max, kernel, stride).unwrap();
        pool.output_shape([1, 1, side, side]).unwrap()[2]
    }

    #[test]
    fn lenet_pooling() {
        let yours = lenet_pooled_side();
        assert!(
            yours == pooled_side(28, 2, 2),
            "lenet_pooled_side() = {yours} is not what cnn-core's pooling gives"
        );
    }

    #[test]
    fn overlapping_pooling() {
        let yours = overlapping_pooled_side();
        assert!(
            yours == pooled_side(13, 3, 2),
            "overlapping_pooled_side() = {yours} is not what cnn-core's pooling gives; \
             remember the floor"
        );
    }
}

/// The argmax of each window as cnn-core's backward pass routes it: push a gradient of 1
/// through one window at a time and see where it lands.
fn library_argmax(
    map: ndarray::ArrayView2<f32>,
    kernel: usize,
    stride: usize,
) -> Vec<(usize, usize)> {
    use ndarray::{Array4, Axis};
    let (h, w) = map.dim();
    let input = map.to_owned().insert_axis(Axis(0)).insert_axis(Axis(0));
    let (out_h, out_w) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1);
    let mut positions = Vec::new();
    for i in 0..out_h {
        for j in 0..out_w {
            let mut d_out = Array4::zeros((1, 1, out_h, out_w));
            d_out[[0, 0, i, j]] = 1.0;
            let d_in = cnn_core::max_pool2d_backward(input.view(), d_out.view(), kernel, stride);
            let (index, _) = d_in.iter().enumerate().find(|(_, v)| **v == 1.0).unwrap();
            positions.push((index / w, index % w));
        }
    }
    positions
}

mod max_pool_argmax {
    use crate::common::{assert_close, random, rng};
    use cnn_core::max_pool2d;
    use cnn_exercises::ch03::max_pool_argmax::*;
    use ndarray::{Array2, Axis, arr2};

    #[test]
    fn lecture_example_by_hand() {
        let map = arr2(&[
            [1.0, 3.0, 2.0, 1.0],
            [4.0, 2.0, 0.0, 1.0],
            [5.0, 1.0, 2.0, 7.0],
            [0.0, 6.0, 3.0, 1.0],
        ]);
        let (pooled, argmax) = max_pool_with_argmax(map.view(), 2, 2);
        assert_close(
            &pooled,
            &[4.0, 2.0, 6.0, 7.0],
            "pooled values of the 4x4 example",
        );
        assert_eq!(
            argmax,
            vec![(1, 0), (0, 2), (3, 1), (2, 3)],
            "argmax positions (row, col) in the 4x4 map"
        );
    }

    #[test]
    fn ties_go_to_the_first_maximum() {
        let map = Array2::<f32>::ones((2, 2));
        let (_, argmax) = max_pool_with_argmax(map.view(), 2, 2);
        assert_eq!(
            argmax,
            vec![(0, 0)],
            "a window of equal values: the first one wins"
        );
    }

    #[test]
    fn matches_cnn_core_on_random_maps() {
        let mut rng = rng(4);
        for (h, w, kernel, stride) in [
            (4, 4, 2, 2),
            (7, 5, 2, 2),
            (9, 9, 3, 2),
            (6, 6, 3, 1),
            (5, 8, 1, 1),
        ] {
            let map: Array2<f32> = random(&mut rng, (h, w));
            let (pooled, argmax) = max_pool_with_argmax(map.view(), kernel, stride);
            let batch = map.clone().insert_axis(Axis(0)).insert_axis(Axis(0));
            let expected = max_pool2d(batch.view(), kernel, stride).unwrap();
            let what = format!("{h}x{w} map, kernel {kernel}, stride {stride}");
            assert_eq!(
                pooled.dim(),
                (expected.dim().2, expected.dim().3),
                "{what}: pooled shape"
            );
            assert_close(&pooled, &expected, &what);
            assert_eq!(
                argmax,
                super::library_argmax(map.view(), kernel, stride),
                "{what}: argmax"
            );
        }
    }
}

mod max_pool_backward {
    use crate::common::{assert_close, random, rng};
    use cnn_exercises::ch03::max_pool_backward::*;
    use ndarray::{Array2, Axis, arr2};

    #[test]
    fn small_example_by_hand() {
        let map = arr2(&[[1.0, 5.0], [3.0, 2.0]]);
        let d_out = arr2(&[[10.0]]);
        let got = max_pool_backward(map.view(), d_out.view(), 2, 2);
        assert_close(
            &got,
            &[0.0, 10.0, 0.0, 0.0],
            "gradient of [[1, 5], [3, 2]] pooled 2x2",
        );
    }

    #[test]
    fn overlapping_windows_add_up() {
        // The 9 is in all four 2x2 windows of a 3x3 map with stride 1.
        let map = arr2(&[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 4.0, 0.0]]);
        let d_out = arr2(&[[1.0, 2.0], [3.0, 4.0]]);
        let got = max_pool_backward(map.view(), d_out.view(), 2, 1);
        assert_close(
            &got,
            &[0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0],
            "3x3 map, 2x2 windows, stride 1",
        );
    }

    #[test]
    fn matches_cnn_core_on_random_maps() {
        let mut rng = rng(5);
        for (h, w, kernel, stride) in [(4, 4, 2, 2), (7, 5, 2, 2), (9, 9, 3, 2), (6, 6, 3, 1)] {
            let map: Array2<f32> = random(&mut rng, (h, w));
            let (out_h, out_w) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1);
            let d_out: Array2<f32> = random(&mut rng, (out_h, out_w));
            let got = max_pool_backward(map.view(), d_out.view(), kernel, stride);
            let expected = cnn_core::max_pool2d_backward(
                map.view().insert_axis(Axis(0)).insert_axis(Axis(0)),
                d_out.view().insert_axis(Axis(0)).insert_axis(Axis(0)),
                kernel,
                stride,
            );
            let what = format!("{h}x{w} map, kernel {kernel}, stride {stride}");
            assert_eq!(
                got.dim(),
                (h, w),
                "{what}: the gradient has the map's shape"
            );
            assert_close(&got, &expected, &what);
        }
    }
}

mod overlapping_windows {
    use cnn_core::{max_pool2d, max_pool2d_backward};
    use cnn_exercises::ch03::overlapping_windows::*;
    use ndarray::Array4;

    /// A 6x6 map with distinct values and its largest, 100, at (2, 2).
    fn map() -> Array4<f32> {
        let mut map =
            Array4::from_shape_fn((1, 1, 6, 6), |(_, _, i, j)| ((i * 7 + j * 3) % 11) as f32);
        map[[0, 0, 2, 2]] = 100.0;
        map
    }

    #[test]
    fn predicted_side_matches_max_pool2d() {
        let pooled = max_pool2d(map().view(), 2, 1).unwrap();
        let yours = predicted_side();
        assert!(
            yours == pooled.dim().2,
            "your predicted side {yours} is not what max_pool2d gives"
        );
    }

    #[test]
    fn predicted_times_picked_matches_the_backward_pass() {
        let map = map();
        let pooled = max_pool2d(map.view(), 2, 1).unwrap();
        let times =
            max_pool2d_backward(map.view(), Array4::ones(pooled.dim()).view(), 2, 1)[[0, 0, 2, 2]];
        let yours = predicted_times_picked();
        assert!(
            yours as f32 == times,
            "your prediction {yours} is not how often max pooling picks the value at (2, 2); \
             how many 2x2 windows with stride 1 contain that position?"
        );
    }
}
