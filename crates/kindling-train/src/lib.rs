//! Training recipes for the course's models, on burn-train's `Learner`.
//!
//! [`fit_classifier`] trains any classifier the way Keras's `model.fit` does: a validation split
//! that holds out the **last** fraction of the training data before any shuffling (see
//! [`kindling_data::split`]), reshuffling each epoch from a seed, loss and accuracy for both
//! parts, early stopping on validation loss that restores the best epoch's weights, and a
//! checkpoint per epoch. [`evaluate_classifier`] scores a model on held-out data and
//! [`mnist::train_mnist`] is the whole MNIST recipe, writing a run directory (see
//! [`run_dir`]).
//!
//! The course's experiments train several models on one data split: [`sweep`] (learning
//! rates, each run [`trial_status`]-classified as ok, diverged or stalled), [`range_test`]
//! (a learning-rate range test) and [`compare`] (hidden-layer layouts). They share
//! [`experiment`]'s run directory and result table and [`experiment_data`]'s loading.

pub mod compare;
pub mod divergence;
mod error;
mod evaluate;
pub mod experiment;
pub mod experiment_data;
mod fit;
mod history;
pub mod mnist;
mod options;
pub mod plot;
pub mod range_test;
pub mod recipe;
mod reporter;
pub mod run_dir;
pub mod summary;
pub mod sweep;
pub mod tabular;
pub mod trained;
pub mod trial_status;
mod weighted_loss;

pub use error::TrainError;
pub use evaluate::{Evaluation, evaluate_classifier, evaluate_regressor, predicted_class_counts};
pub use fit::{
    FitResult, OnDivergence, fit_classifier, fit_classifier_with, fit_regressor,
    fit_regressor_with, seeded_model,
};
pub use history::{EpochRecord, History};
pub use options::{FitOptions, OptimizerKind, Regularization};
pub use reporter::Verbosity;
