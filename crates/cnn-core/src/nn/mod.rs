//! The network: layers with their parameters, a [`Sequential`] stack of named layers,
//! its forward and backward passes, and the random starting weights.
//!
//! A network's forward pass reads like its diagram:
//!
//! ```text
//! let trace = net.forward_train(&images)?;                   // [N, 1, 28, 28] -> [N, 10]
//! let gradients = net.backward(&trace, &d_logits, Want::Parameters)?;
//! ```

pub mod init;
pub mod layer;
pub mod layers;
pub mod sequential;
pub mod tensor;

pub use crate::ops::pool::PoolKind;
pub use init::Init;
pub use layer::{Cache, Kept, Layer, ParameterGradients, Want};
pub use layers::{Conv2d, Conv2dConfig, Dense, Pool2d};
pub use sequential::{Gradients, LayerSummary, NamedLayer, Sequential, Trace};
pub use tensor::{Tensor, TensorView};
