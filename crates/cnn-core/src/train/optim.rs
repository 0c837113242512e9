//! Optimisers: turn gradients into better weights.
//!
//! [`Sgd`] steps against the gradient, with momentum; [`Adam`] scales each weight's
//! step by a running estimate of its gradient's size.

use ndarray::{Array1, ArrayD, ArrayViewD, ArrayViewMutD, Zip};

use crate::error::{CnnError, Result};
use crate::nn::{ParameterGradients, Sequential};

/// Stochastic gradient descent with momentum, as PyTorch's `optim.SGD`.
///
/// ```text
/// v <- momentum * v + g
/// w <- w - learning_rate * v
/// ```
///
/// With `momentum = 0` this is plain gradient descent, `w <- w - learning_rate * g`.
/// The velocity `v` remembers past gradients, so steps along a consistent direction
/// grow and zig-zags across a narrow valley cancel out.
#[derive(Debug, Clone)]
pub struct Sgd {
    /// Step size.
    pub learning_rate: f32,
    /// How much of the previous velocity is kept (0.9 is usual).
    pub momentum: f32,
    velocity: Vec<Option<ParameterGradients>>,
}

/// Adam (Kingma and Ba, 2015), as PyTorch's `optim.Adam`.
///
/// ```text
/// m <- beta1 * m + (1 - beta1) * g            running mean of the gradient
/// v <- beta2 * v + (1 - beta2) * g^2          running mean of its square
/// w <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
/// ```
///
/// with `m_hat = m / (1 - beta1^t)` and `v_hat = v / (1 - beta2^t)` at step `t`
/// (the running means start at zero, and this corrects their early bias).
#[derive(Debug, Clone)]
pub struct Adam {
    /// Step size (0.001 is usual).
    pub learning_rate: f32,
    /// Decay of the mean (0.9).
    pub beta1: f32,
    /// Decay of the mean square (0.999).
    pub beta2: f32,
    /// Keeps the division finite (1e-8).
    pub epsilon: f32,
    step: i32,
    mean: Vec<Option<ParameterGradients>>,
    mean_square: Vec<Option<ParameterGradients>>,
}

/// Either optimiser, chosen at run time (for example from a command-line option).
#[derive(Debug, Clone)]
pub enum Optimizer {
    /// See [`Sgd`].
    Sgd(Sgd),
    /// See [`Adam`].
    Adam(Adam),
}

fn check_learning_rate(learning_rate: f32) -> Result<()> {
    if !(learning_rate.is_finite() && learning_rate > 0.0) {
        return Err(CnnError::setting(format!(
            "learning rate must be a positive number, got {learning_rate}"
        )));
    }
    Ok(())
}

impl Sgd {
    /// SGD with the given learning rate and momentum.
    ///
    /// # Errors
    /// A learning rate that is not positive, or a momentum outside `[0, 1)`.
    pub fn new(learning_rate: f32, momentum: f32) -> Result<Sgd> {
        check_learning_rate(learning_rate)?;
        if !(0.0..1.0).contains(&momentum) {
            return Err(CnnError::setting(format!(
                "momentum must be in [0, 1), got {momentum}"
            )));
        }
        Ok(Sgd {
            learning_rate,
            momentum,
            velocity: Vec::new(),
        })
    }
}

impl Adam {
    /// Adam with the given learning rate and the usual betas (0.9, 0.999) and epsilon
    /// (1e-8).
    ///
    /// # Errors
    /// A learning rate that is not positive.
    pub fn new(learning_rate: f32) -> Result<Adam> {
        check_learning_rate(learning_rate)?;
        Ok(Adam {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            step: 0,
            mean: Vec::new(),
            mean_square: Vec::new(),
        })
    }
}

/// Zeros in the shapes of `gradients`, the starting state of an optimiser.
fn zeros_like(gradients: &[Option<ParameterGradients>]) -> Vec<Option<ParameterGradients>> {
    gradients
        .iter()
        .map(|g| {
            g.as_ref().map(|g| ParameterGradients {
                weight: ArrayD::zeros(g.weight.raw_dim()),
                bias: Array1::zeros(g.bias.len()),
            })
        })
        .collect()
}

impl Optimizer {
    /// The current step size.
    pub fn learning_rate(&self) -> f32 {
        match self {
            Optimizer::Sgd(sgd) => sgd.learning_rate,
            Optimizer::Adam(adam) => adam.learning_rate,
        }
    }

    /// Change the step size, for example to lower it after every epoch.
    ///
    /// # Errors
    /// A learning rate that is not positive.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        check_learning_rate(learning_rate)?;
        match self {
            Optimizer::Sgd(sgd) => sgd.learning_rate = learning_rate,
            Optimizer::Adam(adam) => adam.learning_rate = learning_rate,
        }
        Ok(())
    }

    /// Update every layer's weight and bias from its gradients (one entry per layer,
    /// as [`Sequential::backward`] returns them).
    ///
    /// # Errors
    /// Gradients that do not match the network's layers or parameter shapes.
    pub fn step(
        &mut self,
        model: &mut Sequential,
        gradients: &[Option<ParameterGradients>],
    ) -> Result<()> {
        check_gradients(model, gradients)?;
        match self {
            Optimizer::Sgd(sgd) => {
                if sgd.velocity.len() != gradients.len() {
                    sgd.velocity = zeros_like(gradients);
                }
                let (rate, momentum) = (sgd.learning_rate, sgd.momentum);
                for (named, (g, v)) in model
                    .layers_mut()
                    .iter_mut()
                    .zip(gradients.iter().zip(&mut sgd.velocity))
                {
                    let (Some((weight, bias)), Some(g), Some(v)) =
                        (named.layer.parameters_mut(), g, v)
                    else {
                        continue;
                    };
                    // ANCHOR: sgd_update
                    let update = |w: &mut f32, v: &mut f32, g: f32| {
                        *v = momentum * *v + g;
                        *w -= rate * *v;
                    };
                    // ANCHOR_END: sgd_update
                    for_each_weight(weight, v.weight.view_mut(), g.weight.view(), update);
                    for_each_weight(
                        bias.into_dyn(),
                        v.bias.view_mut().into_dyn(),
                        g.bias.view().into_dyn(),
                        update,
                    );
                }
            }
            Optimizer::Adam(adam) => {
                if adam.mean.len() != gradients.len() {
                    adam.mean = zeros_like(gradients);
                    adam.mean_square = zeros_like(gradients);
                    adam.step = 0;
                }
                adam.step += 1;
                let (rate, beta1, beta2, epsilon) =
                    (adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon);
                let mean_correction = 1.0 - beta1.powi(adam.step);
                let square_correction = 1.0 - beta2.powi(adam.step);
                let update = |w: &mut f32, m: &mut f32, s: &mut f32, g: f32| {
                    *m = beta1 * *m + (1.0 - beta1) * g;
                    *s = beta2 * *s + (1.0 - beta2) * g * g;
                    let m_hat = *m / mean_correction;
                    let s_hat = *s / square_correction;
                    *w -= rate * m_hat / (s_hat.sqrt() + epsilon);
                };
                for (named, (g, (m, s))) in model.layers_mut().iter_mut().zip(
                    gradients
                        .iter()
                        .zip(adam.mean.iter_mut().zip(&mut adam.mean_square)),
                ) {
                    let (Some((weight, bias)), Some(g), Some(m), Some(s)) =
                        (named.layer.parameters_mut(), g, m, s)
                    else {
                        continue;
                    };
                    for_each_weight_adam(
                        [weight, m.weight.view_mut(), s.weight.view_mut()],
                        g.weight.view(),
                        update,
                    );
                    for_each_weight_adam(
                        [
                            bias.into_dyn(),
                            m.bias.view_mut().into_dyn(),
                            s.bias.view_mut().into_dyn(),
                        ],
                        g.bias.view().into_dyn(),
                        update,
                    );
                }
            }
        }
        Ok(())
    }
}

/// `update(w, v, g)` for each weight `w`, its optimiser state `v` and its gradient `g`,
/// three arrays of one shape.
///
/// Where all three are stored in row-major order (always, unless a layer was built from a
/// transposed array), this is a loop over three slices, which the compiler turns into
/// vector instructions; `Zip` over arrays with a dynamic number of axes is several times
/// slower. Both visit the elements in the same order and compute the same numbers.
fn for_each_weight(
    mut w: ArrayViewMutD<f32>,
    mut v: ArrayViewMutD<f32>,
    g: ArrayViewD<f32>,
    update: impl Fn(&mut f32, &mut f32, f32),
) {
    match (w.as_slice_mut(), v.as_slice_mut(), g.as_slice()) {
        (Some(w), Some(v), Some(g)) => {
            for ((w, v), &g) in w.iter_mut().zip(v).zip(g) {
                update(w, v, g);
            }
        }
        _ => Zip::from(&mut w)
            .and(&mut v)
            .and(&g)
            .for_each(|w, v, &g| update(w, v, g)),
    }
}

/// [`for_each_weight`] for Adam, whose state is two arrays: `update(w, m, s, g)` with
/// `[w, m, s]` and `g` of one shape.
fn for_each_weight_adam(
    [mut w, mut m, mut s]: [ArrayViewMutD<f32>; 3],
    g: ArrayViewD<f32>,
    update: impl Fn(&mut f32, &mut f32, &mut f32, f32),
) {
    match (
        w.as_slice_mut(),
        m.as_slice_mut(),
        s.as_slice_mut(),
        g.as_slice(),
    ) {
        (Some(w), Some(m), Some(s), Some(g)) => {
            for (((w, m), s), &g) in w.iter_mut().zip(m).zip(s).zip(g) {
                update(w, m, s, g);
            }
        }
        _ => Zip::from(&mut w)
            .and(&mut m)
            .and(&mut s)
            .and(&g)
            .for_each(|w, m, s, &g| update(w, m, s, g)),
    }
}

/// Gradients must come one per layer, in the shapes of the layers' parameters.
fn check_gradients(model: &Sequential, gradients: &[Option<ParameterGradients>]) -> Result<()> {
    if gradients.len() != model.layers().len() {
        return Err(CnnError::mismatch(format!(
            "optimizer: {} gradients for a network of {} layers",
            gradients.len(),
            model.layers().len()
        )));
    }
    for (named, g) in model.layers().iter().zip(gradients) {
        let name = &named.name;
        match (named.layer.parameters(), g) {
            (None, None) => {}
            (Some((weight, bias)), Some(g))
                if weight.shape() == g.weight.shape() && bias.len() == g.bias.len() => {}
            (parameters, _) => {
                return Err(CnnError::mismatch(format!(
                    "optimizer: the gradients of layer {name} do not fit its parameters \
                     (weight {:?})",
                    parameters.map(|(w, _)| w.shape().to_vec())
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Dense;
    use ndarray::{Array2, ShapeBuilder, array};

    fn one_dense() -> Sequential {
        let mut net = Sequential::new();
        let dense = Dense::new(array![[0.5, -0.5], [0.0, 1.0]], array![0.0, 0.0]).unwrap();
        net.push("fc", dense).unwrap();
        net
    }

    #[test]
    fn sgd_with_momentum_follows_the_formula() {
        let mut net = one_dense();
        let mut sgd = Optimizer::Sgd(Sgd::new(0.1, 0.9).unwrap());
        let g = vec![Some(ParameterGradients {
            weight: Array2::ones((2, 2)).into_dyn(),
            bias: array![1.0, -1.0],
        })];
        sgd.step(&mut net, &g).unwrap(); // v = g, w -= 0.1
        sgd.step(&mut net, &g).unwrap(); // v = 0.9 + 1 = 1.9, w -= 0.19
        let (weight, bias) = net.layers()[0].layer.parameters().unwrap();
        assert!((weight[[0, 0]] - (0.5 - 0.29)).abs() < 1e-6);
        assert!((bias[1] - 0.29).abs() < 1e-6);
    }

    #[test]
    fn adam_first_step_moves_each_weight_by_the_learning_rate() {
        let mut net = one_dense();
        let mut adam = Optimizer::Adam(Adam::new(0.01).unwrap());
        let g = vec![Some(ParameterGradients {
            weight: array![[3.0, -0.001], [1.0, 0.0]].into_dyn(),
            bias: array![1.0, -1.0],
        })];
        adam.step(&mut net, &g).unwrap();
        // m_hat = g and v_hat = g^2, so the step is lr * sign(g) (0 where g = 0).
        let (weight, _) = net.layers()[0].layer.parameters().unwrap();
        assert!((weight[[0, 0]] - 0.49).abs() < 1e-6);
        assert!((weight[[0, 1]] - (-0.49)).abs() < 1e-5);
        assert_eq!(weight[[1, 1]], 1.0);
    }

    #[test]
    fn weights_stored_column_major_get_the_same_updates() {
        // A layer built from a transposed array keeps its column-major storage: the
        // updates then go through `Zip` instead of slices, with the same numbers.
        let weight = array![[0.5f32, -0.5, 2.0], [0.0, 1.0, -3.0]];
        let mut column_major = Array2::zeros((2, 3).f());
        column_major.assign(&weight);
        assert!(!column_major.is_standard_layout());
        let net_with = |weight: Array2<f32>| {
            let mut net = Sequential::new();
            net.push("fc", Dense::new(weight, array![0.0, 0.0]).unwrap())
                .unwrap();
            net
        };
        let g = vec![Some(ParameterGradients {
            weight: array![[0.3f32, -0.1, 0.7], [1.0, 0.0, -0.2]].into_dyn(),
            bias: array![1.0, -1.0],
        })];
        for make in [
            || Optimizer::Sgd(Sgd::new(0.1, 0.9).unwrap()),
            || Optimizer::Adam(Adam::new(0.01).unwrap()),
        ] {
            let (mut a, mut b) = (net_with(weight.clone()), net_with(column_major.clone()));
            let (mut first, mut second) = (make(), make());
            for _ in 0..3 {
                first.step(&mut a, &g).unwrap();
                second.step(&mut b, &g).unwrap();
            }
            let (wa, _) = a.layers()[0].layer.parameters().unwrap();
            let (wb, _) = b.layers()[0].layer.parameters().unwrap();
            assert!(!wb.is_standard_layout());
            assert_ne!(wa, weight.view().into_dyn());
            assert_eq!(wa, wb);
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        let mut net = one_dense();
        assert!(Sgd::new(0.0, 0.9).is_err());
        assert!(Sgd::new(0.1, 1.0).is_err());
        assert!(Adam::new(f32::NAN).is_err());
        let mut sgd = Optimizer::Sgd(Sgd::new(0.5, 0.0).unwrap());
        assert!(sgd.step(&mut net, &[None]).is_err());
        assert!(sgd.set_learning_rate(0.0).is_err());
    }
}
