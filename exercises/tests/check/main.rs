//! The checks of every exercise, run by `cargo xtask check` (which turns on the `check`
//! feature this test needs). One module per chapter, one module per exercise inside it,
//! named like the exercise: the tests of `ch03-max-pool-argmax` are
//! `ch03::max_pool_argmax::*`.
//!
//! The tests compare a learner's code with cnn-core, the book's engine, on fixed and
//! seeded random inputs. Failure messages of "compute" and "investigate" exercises do not
//! give the answer away; those of "implement" exercises show the input and both outputs.

mod common;

mod ch01;
mod ch02;
mod ch03;
mod ch04;
mod ch05;
mod ch06;
mod ch07;
mod ch08;
