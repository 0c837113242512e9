//! What flows from layer to layer of a network: feature maps, or one vector per image.
//!
//! A CNN's values change kind on the way through: convolutions and pooling take and
//! give feature maps `[N, C, H, W]`; flattening turns them into vectors `[N, D]`, which
//! the dense layers and the softmax take and give. [`Tensor`] is one or the other,
//! and a layer checks it got the kind it needs.

use ndarray::{Array2, Array4, ArrayView2, ArrayView4};

use crate::error::{CnnError, Result};

/// The values between two layers of a network.
#[derive(Debug, Clone, PartialEq)]
pub enum Tensor {
    /// Feature maps of a batch: `[N, C, H, W]`.
    Maps(Array4<f32>),
    /// One vector per image (after flattening, a dense layer or a softmax): `[N, D]`.
    Flat(Array2<f32>),
}

/// A borrowed [`Tensor`]: what a network's forward and backward passes take, so that
/// a caller passes `&images` (an `Array4` or `Array2`, or a view of one) as it is.
#[derive(Debug, Clone, Copy)]
pub enum TensorView<'a> {
    /// Feature maps of a batch: `[N, C, H, W]`.
    Maps(ArrayView4<'a, f32>),
    /// One vector per image: `[N, D]`.
    Flat(ArrayView2<'a, f32>),
}

impl<'a> TensorView<'a> {
    /// Images `range` of the batch: `[N, ...] -> [range.len(), ...]`, a view.
    ///
    /// # Panics
    /// If the range goes past the batch (a bug in the caller).
    pub fn rows(self, range: std::ops::Range<usize>) -> TensorView<'a> {
        match self {
            TensorView::Maps(maps) => {
                TensorView::Maps(maps.slice_move(ndarray::s![range, .., .., ..]))
            }
            TensorView::Flat(rows) => TensorView::Flat(rows.slice_move(ndarray::s![range, ..])),
        }
    }
}

impl Tensor {
    /// The shape: `[N, C, H, W]` or `[N, D]`.
    pub fn shape(&self) -> &[usize] {
        match self {
            Tensor::Maps(maps) => maps.shape(),
            Tensor::Flat(rows) => rows.shape(),
        }
    }

    /// A borrowed view.
    pub fn view(&self) -> TensorView<'_> {
        match self {
            Tensor::Maps(maps) => TensorView::Maps(maps.view()),
            Tensor::Flat(rows) => TensorView::Flat(rows.view()),
        }
    }

    /// The feature maps `[N, C, H, W]`.
    ///
    /// # Errors
    /// The tensor holds vectors `[N, D]`, not maps.
    pub fn into_maps(self) -> Result<Array4<f32>> {
        match self {
            Tensor::Maps(maps) => Ok(maps),
            Tensor::Flat(rows) => Err(not_maps(rows.shape())),
        }
    }

    /// The vectors `[N, D]` (for a classifier's output, the scores of `D` classes).
    ///
    /// # Errors
    /// The tensor holds feature maps `[N, C, H, W]`, not vectors.
    pub fn into_flat(self) -> Result<Array2<f32>> {
        match self {
            Tensor::Flat(rows) => Ok(rows),
            Tensor::Maps(maps) => Err(not_flat(maps.shape())),
        }
    }

    /// The feature maps, borrowed. See [`Tensor::into_maps`].
    ///
    /// # Errors
    /// The tensor holds vectors, not maps.
    pub fn maps(&self) -> Result<ArrayView4<'_, f32>> {
        self.view().maps()
    }

    /// The vectors, borrowed. See [`Tensor::into_flat`].
    ///
    /// # Errors
    /// The tensor holds feature maps, not vectors.
    pub fn flat(&self) -> Result<ArrayView2<'_, f32>> {
        self.view().flat()
    }

    /// `f` applied to every value, keeping the shape.
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Tensor {
        match self {
            Tensor::Maps(maps) => Tensor::Maps(maps.mapv(f)),
            Tensor::Flat(rows) => Tensor::Flat(rows.mapv(f)),
        }
    }

    /// Whether every value is finite (no NaN, no infinity).
    pub fn is_finite(&self) -> bool {
        match self {
            Tensor::Maps(maps) => maps.iter().all(|v| v.is_finite()),
            Tensor::Flat(rows) => rows.iter().all(|v| v.is_finite()),
        }
    }
}

impl<'a> TensorView<'a> {
    /// The shape: `[N, C, H, W]` or `[N, D]`.
    pub fn shape(&self) -> &[usize] {
        match self {
            TensorView::Maps(maps) => maps.shape(),
            TensorView::Flat(rows) => rows.shape(),
        }
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Tensor {
        match self {
            TensorView::Maps(maps) => Tensor::Maps(maps.to_owned()),
            TensorView::Flat(rows) => Tensor::Flat(rows.to_owned()),
        }
    }

    /// The feature maps `[N, C, H, W]`.
    ///
    /// # Errors
    /// The view holds vectors `[N, D]`, not maps.
    pub fn maps(self) -> Result<ArrayView4<'a, f32>> {
        match self {
            TensorView::Maps(maps) => Ok(maps),
            TensorView::Flat(rows) => Err(not_maps(rows.shape())),
        }
    }

    /// The vectors `[N, D]`.
    ///
    /// # Errors
    /// The view holds feature maps, not vectors.
    pub fn flat(self) -> Result<ArrayView2<'a, f32>> {
        match self {
            TensorView::Flat(rows) => Ok(rows),
            TensorView::Maps(maps) => Err(not_flat(maps.shape())),
        }
    }
}

fn not_maps(shape: &[usize]) -> CnnError {
    CnnError::shape("input", "feature maps [N, C, H, W]", shape)
}

fn not_flat(shape: &[usize]) -> CnnError {
    CnnError::shape("input", "vectors [N, D]", shape)
}

impl From<Array4<f32>> for Tensor {
    fn from(maps: Array4<f32>) -> Tensor {
        Tensor::Maps(maps)
    }
}

impl From<Array2<f32>> for Tensor {
    fn from(rows: Array2<f32>) -> Tensor {
        Tensor::Flat(rows)
    }
}

impl<'a> From<&'a Tensor> for TensorView<'a> {
    fn from(tensor: &'a Tensor) -> TensorView<'a> {
        tensor.view()
    }
}

impl<'a> From<ArrayView4<'a, f32>> for TensorView<'a> {
    fn from(maps: ArrayView4<'a, f32>) -> TensorView<'a> {
        TensorView::Maps(maps)
    }
}

impl<'a> From<&'a Array4<f32>> for TensorView<'a> {
    fn from(maps: &'a Array4<f32>) -> TensorView<'a> {
        TensorView::Maps(maps.view())
    }
}

impl<'a> From<ArrayView2<'a, f32>> for TensorView<'a> {
    fn from(rows: ArrayView2<'a, f32>) -> TensorView<'a> {
        TensorView::Flat(rows)
    }
}

impl<'a> From<&'a Array2<f32>> for TensorView<'a> {
    fn from(rows: &'a Array2<f32>) -> TensorView<'a> {
        TensorView::Flat(rows.view())
    }
}
