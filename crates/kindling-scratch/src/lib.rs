//! The course's first two chapters, from scratch, in plain `f64`.
//!
//! Each module is one idea, in the order the course teaches them, and each topic of
//! [`walkthrough::Topic`] prints the worked example step by step:
//!
//! 1. [`forward`]: forward propagation with named weights (`node_0`, `node_1`, `output`),
//!    one row and many, one hidden layer and two.
//! 2. [`activation`]: identity, ReLU, tanh, sigmoid, signum and softmax, with their slopes.
//! 3. [`errors`] and [`loss`]: the error of a prediction and the mean squared error.
//! 4. [`descent`]: slopes and gradient descent without a hidden layer.
//! 5. [`backprop`]: backpropagation by hand for a dense network of any depth, checked against
//!    Burn's automatic differentiation in [`autodiff_check`].
//! 6. [`sgd`]: batches, epochs and reshuffling; full-batch descent against SGD.
//! 7. [`perceptron`]: AND and OR, and why XOR needs a hidden layer.
//! 8. [`pathologies`]: vanishing gradients and dying ReLU units.
//!
//! ```
//! use kindling_scratch::forward::first_network;
//! // input [2, 3]; node_0 [1, 1], node_1 [-1, 1], output [2, -1]
//! assert_eq!(first_network().predict(&[2.0, 3.0]), vec![9.0]);
//! ```

pub mod activation;
pub mod autodiff_check;
pub mod backprop;
mod backprop_section;
pub mod descent;
pub mod errors;
pub mod forward;
pub mod loss;
pub mod network;
pub mod pathologies;
pub mod perceptron;
pub mod section;
pub mod sgd;
pub mod walkthrough;

pub use walkthrough::Topic;
