//! Training recipes for the course's models, on burn-train's `Learner`.
//!
//! [`fit_classifier`] trains any classifier the way Keras's `model.fit` does: a validation split
//! that holds out the **last** fraction of the training data before any shuffling (see
//! [`kindling_data::split`]), reshuffling each epoch from a seed, loss and accuracy for both
//! parts, early stopping on validation loss that restores the best epoch's weights, and a
//! checkpoint per epoch. [`evaluate_classifier`] scores a model on held-out data and
//! [`mnist::train_mnist`] is the whole MNIST recipe, writing a run directory (see
//! [`run_dir`]).

pub mod capacity;
mod error;
mod evaluate;
mod fit;
mod history;
pub mod mnist;
mod options;
pub mod plot;
pub mod recipe;
mod reporter;
pub mod run_dir;
pub mod show_weights;
pub mod summary;
pub mod tabular;
pub mod trained;
pub mod tune;
mod weighted_loss;

pub use error::TrainError;
pub use evaluate::{Evaluation, evaluate_classifier, evaluate_regressor};
pub use fit::{FitResult, fit_classifier, fit_regressor};
pub use history::{EpochRecord, History};
pub use options::{FitOptions, OptimizerKind, Regularization};
pub use reporter::Verbosity;
