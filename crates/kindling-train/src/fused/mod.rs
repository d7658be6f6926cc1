//! The fused engine: dense-stack training on the CPU with the forward pass, backpropagation and
//! optimizer written out over plain buffers.
//!
//! Why not burn-train's `Learner` here: for the course's small dense networks a training step
//! is a few hundred microseconds of arithmetic, and the Learner's per-operation dispatch,
//! autodiff graph and metric bookkeeping cost more than the arithmetic itself. Written out, a
//! step does only the matrix products (through `gemm`, the kernel library burn-flex uses) and,
//! for inputs that are mostly zeros such as MNIST's pixels, multiplies the first layer by the
//! nonzero entries only. `cargo xtask bench --engine learner` against the default measures the
//! difference (the README's performance section quotes it). The arithmetic is the same as
//! [`kindling_models::DenseStack`] with its train steps: the tests check the gradients against
//! Burn's autodiff.
//!
//! GPU backends keep the Learner (see [`crate::Engine`]).

mod kernels;
mod network;
mod optimizer;
mod sparse;
mod steps;

pub(crate) use steps::{dispatch, run};
