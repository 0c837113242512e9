//! # Exercises for the CNN book
//!
//! Every exercise is one small file in `exercises/src/chNN/`: read its doc comment,
//! replace each `todo!()` with your code, and check your work with
//!
//! ```console
//! cargo xtask check ch03                      # one chapter
//! cargo xtask check ch03-max-pool-argmax      # one exercise
//! cargo xtask check --assignment week2        # an assignment, with its points
//! cargo xtask check ch03 --hint               # with a hint (--hint 2: another)
//! cargo xtask check --watch                   # re-check every time you save
//! ```
//!
//! The checker builds each exercise from its one file, alone: an exercise's file must not
//! use another's code. The list of exercises, with their levels, hints and the teacher's
//! assignments, is `exercises/exercises.toml`.
//! Reference solutions are in `exercises/solutions/`, compiled in place of the starters
//! when the `solutions` feature is on (`cargo xtask check --solutions`): the same
//! tests (`exercises/tests/check/`) check both.
//!
//! Three kinds of exercise:
//! - **compute**: work a number out by hand, write it in the function, let the check
//!   compare it with what cnn-core computes;
//! - **implement**: write an operation of the book yourself; the check compares it
//!   with cnn-core on many inputs;
//! - **investigate**: predict what a change will do, write the prediction (checked),
//!   then run it and explain what you see in `EXPLANATION` (your teacher reads it).

// The starters have `todo!()` bodies that do not use their arguments yet.
#![cfg_attr(not(feature = "solutions"), allow(unused_variables))]

pub mod ch01;
pub mod ch02;
pub mod ch03;
pub mod ch04;
pub mod ch05;
pub mod ch06;
pub mod ch07;
pub mod ch08;
