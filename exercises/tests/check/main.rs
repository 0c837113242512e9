//! Every exercise's checks in one program, for the exercises' authors:
//! `cargo test -p cnn-exercises --features check,solutions` runs them all against the
//! reference solutions (without `solutions`, against the starters), one line per check.
//! Add words to run only the checks whose names contain them: `... -- ch03 argmax`.
//!
//! Learners and teachers use `cargo xtask check` instead, which builds and runs each
//! exercise's checks as a program of its own (see `exercises/harness/`): one exercise that
//! does not compile, loops or crashes cannot affect another there. Each chapter's module
//! holds one module per exercise, named like the exercise: the checks of
//! `ch03-max-pool-argmax` are `ch03::max_pool_argmax::CHECKS`.
//!
//! The checks compare a learner's code with cnn-core, the book's engine, on examples worked
//! by hand and on random inputs drawn from the run's seed. Failure messages of "compute"
//! and "investigate" exercises do not give the answer away; those of "implement" exercises
//! show the input and both outputs.

use cnn_exercises_harness::Suite;

/// The repository's root, where the checks find the trained networks and MNIST.
const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

mod common;

mod ch01;
mod ch02;
mod ch03;
mod ch04;
mod ch05;
mod ch06;
mod ch07;
mod ch08;

/// A teacher's hidden checks: the example in `exercises/hidden-tests-example/`, which
/// `cargo xtask grade --hidden-tests` adds to the exercises it names.
#[path = "../../hidden-tests-example/ch03/max_pool_backward.rs"]
mod hidden_ch03_max_pool_backward;
#[path = "../../hidden-tests-example/ch04/same_padding.rs"]
mod hidden_ch04_same_padding;

fn main() {
    cnn_exercises_harness::main(&[
        Suite {
            name: "ch01::output_lengths",
            checks: ch01::output_lengths::CHECKS,
        },
        Suite {
            name: "ch01::cross_correlation",
            checks: ch01::cross_correlation::CHECKS,
        },
        Suite {
            name: "ch01::true_convolution",
            checks: ch01::true_convolution::CHECKS,
        },
        Suite {
            name: "ch01::impulse_response",
            checks: ch01::impulse_response::CHECKS,
        },
        Suite {
            name: "ch02::conv_parameters",
            checks: ch02::conv_parameters::CHECKS,
        },
        Suite {
            name: "ch02::multichannel_conv",
            checks: ch02::multichannel_conv::CHECKS,
        },
        Suite {
            name: "ch02::feature_map_shape",
            checks: ch02::feature_map_shape::CHECKS,
        },
        Suite {
            name: "ch03::pooled_sizes",
            checks: ch03::pooled_sizes::CHECKS,
        },
        Suite {
            name: "ch03::max_pool_argmax",
            checks: ch03::max_pool_argmax::CHECKS,
        },
        Suite {
            name: "ch03::max_pool_backward",
            checks: ch03::max_pool_backward::CHECKS,
        },
        Suite {
            name: "ch03::overlapping_windows",
            checks: ch03::overlapping_windows::CHECKS,
        },
        Suite {
            name: "ch04::output_size",
            checks: ch04::output_size::CHECKS,
        },
        Suite {
            name: "ch04::lenet_sides",
            checks: ch04::lenet_sides::CHECKS,
        },
        Suite {
            name: "ch04::same_padding",
            checks: ch04::same_padding::CHECKS,
        },
        Suite {
            name: "ch04::uncovered_pixels",
            checks: ch04::uncovered_pixels::CHECKS,
        },
        Suite {
            name: "ch05::receptive_field",
            checks: ch05::receptive_field::CHECKS,
        },
        Suite {
            name: "ch05::stack_parameters",
            checks: ch05::stack_parameters::CHECKS,
        },
        Suite {
            name: "ch05::even_kernel_shift",
            checks: ch05::even_kernel_shift::CHECKS,
        },
        Suite {
            name: "ch06::lenet_parameters",
            checks: ch06::lenet_parameters::CHECKS,
        },
        Suite {
            name: "ch06::linear_backward",
            checks: ch06::linear_backward::CHECKS,
        },
        Suite {
            name: "ch06::conv1d_backward",
            checks: ch06::conv1d_backward::CHECKS,
        },
        Suite {
            name: "ch06::sigmoid_saturation",
            checks: ch06::sigmoid_saturation::CHECKS,
        },
        Suite {
            name: "ch07::flatten_length",
            checks: ch07::flatten_length::CHECKS,
        },
        Suite {
            name: "ch07::softmax",
            checks: ch07::softmax::CHECKS,
        },
        Suite {
            name: "ch07::flatten_index",
            checks: ch07::flatten_index::CHECKS,
        },
        Suite {
            name: "ch07::no_pooling",
            checks: ch07::no_pooling::CHECKS,
        },
        Suite {
            name: "ch08::receptive_field",
            checks: ch08::receptive_field::CHECKS,
        },
        Suite {
            name: "ch08::occlusion_map",
            checks: ch08::occlusion_map::CHECKS,
        },
        Suite {
            name: "ch08::saliency_map",
            checks: ch08::saliency_map::CHECKS,
        },
        Suite {
            name: "ch08::occlusion_size",
            checks: ch08::occlusion_size::CHECKS,
        },
        Suite {
            name: "hidden::ch03::max_pool_backward",
            checks: hidden_ch03_max_pool_backward::CHECKS,
        },
        Suite {
            name: "hidden::ch04::same_padding",
            checks: hidden_ch04_same_padding::CHECKS,
        },
    ]);
}
