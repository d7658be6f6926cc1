//! Kindling's fused CPU engine: dense-stack training with the forward pass, backpropagation and
//! optimizer written out over plain buffers.
//!
//! For the course's small dense networks a training step is tens of microseconds of
//! arithmetic, and an autodiff framework's per-operation dispatch and graph cost more than the
//! arithmetic itself. Written out, a step does only the matrix products (through `gemm`, the
//! kernel library burn-flex uses) and, for inputs that are mostly zeros such as MNIST's pixels,
//! multiplies the first layer by the nonzero entries only, in vector code chosen for the CPU
//! at run time. The arithmetic is that of [`kindling_models::DenseStack`] with its train steps:
//! the tests check the gradients against Burn's autodiff.
//!
//! [`FusedTrainer`] is what a training loop drives: one call per epoch of batches and one per
//! validation pass; the weights go back into a Burn [`DenseStack`](kindling_models::DenseStack)
//! with [`Network::load_into`]. `kindling-train` plugs it into its epoch loop as the CPU
//! engine when its `fused` feature is on (the default).

mod cpu_features;
mod kernels;
mod network;
mod optimizer;
mod sparse;
mod trainer;

pub use cpu_features::fused_engine_instructions;
pub use network::Network;
pub use optimizer::Optimizer;
pub use trainer::{FusedData, FusedTrainer, PassTotals, dispatch};
