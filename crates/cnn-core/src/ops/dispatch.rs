//! Running the copy of a loop compiled for the processor's vector instructions.
//!
//! A Rust program is compiled for the oldest x86-64 processors unless told otherwise,
//! so its loops use 128-bit vectors (SSE2) even on a machine with 512-bit AVX-512.
//! [`best_for_this_processor!`] compiles a function's body three times, for AVX-512,
//! for AVX2 and FMA, and for any processor, and each call runs the best copy the
//! processor has. The loops are the same in every copy, and a loop of additions and
//! `mul_add`s gives the same bits in every copy: only how many values one instruction
//! handles differs.
//!
//! **The `unsafe` here** is the call of a copy compiled for instructions the baseline
//! processor lacks, made only after checking that this processor has them. Used by
//! `conv2d_stride_one.rs` and
//! `conv2d_input_gradient.rs` (stride-1 convolutions of several channels), `pool.rs` (2x2 max pooling) and `im2col.rs`
//! (im2col, and col2im for stride 1).

/// Defines a function whose body is compiled three times: for processors with AVX-512,
/// for those with AVX2 and FMA, and for any x86-64 (or other) processor. Each call
/// checks (once per program; the answer is cached) which the processor has and runs
/// that copy. The loops in the body are the same; only the vector instructions the
/// compiler may use for them differ.
macro_rules! best_for_this_processor {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)] // into each copy below, so that it is compiled with its features
            #[allow(clippy::too_many_arguments)] // as many as the function has
            fn body($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx512($($arg: $ty),*) $(-> $ret)? {
                    body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    body($($arg),*)
                }
                let avx2_fma = std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("fma");
                if avx2_fma
                    && std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512vl")
                {
                    // SAFETY: the processor has every feature `avx512` is compiled for.
                    return unsafe { avx512($($arg),*) };
                }
                if avx2_fma {
                    // SAFETY: the processor has every feature `avx2` is compiled for.
                    return unsafe { avx2($($arg),*) };
                }
            }
            body($($arg),*)
        }
    };
}
pub(crate) use best_for_this_processor;

/// Every kind of vector `pulp` can run a loop with on this processor: single values on
/// any, and on x86-64 those of AVX2 and of AVX-512 where it has them. The tests run the
/// `pulp` loops with each and compare the bits.
#[cfg(test)]
pub(crate) fn every_arch() -> Vec<pulp::Arch> {
    #[allow(unused_mut)] // nothing to add on other processors
    let mut arches = vec![pulp::Arch::Scalar];
    #[cfg(target_arch = "x86_64")]
    {
        arches.extend(pulp::x86::V3::try_new().map(pulp::Arch::V3));
        arches.extend(pulp::x86::V4::try_new().map(pulp::Arch::V4));
    }
    arches
}
