//! Training recipes for the course's models.
//!
//! Every fit runs one epoch loop (the crate's `epoch_loop` module); its steps run on the fused
//! CPU engine (crate `kindling-fused`, feature `fused`, on by default) or on Burn's `Learner` with
//! autodiff (any backend); [`Engine`] chooses.
//!
//! [`fit_classifier`] trains any classifier the way Keras's `model.fit` does: a validation split
//! that holds out the **last** fraction of the training data before any shuffling (see
//! [`kindling_data::split`]), reshuffling each epoch from a seed, loss and accuracy for both
//! parts, early stopping on validation loss that restores the best epoch's weights, and a
//! checkpoint per epoch. [`evaluate_classifier`] scores a model on held-out data and
//! [`mnist::train_mnist`] is the whole MNIST recipe, writing a run directory (see
//! [`run_dir`]).
//!
//! The crate `kindling-keras` puts all of it behind the course's Keras code, line for line.
//!
//! The course's experiments train several models on one data split: [`sweep`] (learning
//! rates, each run [`trial_status`]-classified as ok, diverged or stalled), [`range_test`]
//! (a learning-rate range test) and [`compare`] (hidden-layer layouts). They share
//! [`experiment`]'s run directory and result table and [`experiment_data`]'s loading;
//! [`capacity`] and [`tune`] search architectures and hyper-parameters.

mod batcher;
pub mod bench;
pub mod capacity;
pub mod compare;
mod device;
pub mod diagnostics;
pub mod divergence;
mod epoch_loop;
mod error;
mod evaluate;
pub mod experiment;
pub mod experiment_data;
pub mod export;
mod fit;
#[cfg(feature = "fused")]
mod fused_steps;
mod history;
mod learner_steps;
pub mod mnist;
mod options;
pub mod plot;
pub mod progress;
pub mod range_test;
pub mod recipe;
mod reporter;
pub mod run_dir;
pub mod show_weights;
pub mod summary;
pub mod sweep;
pub mod tabular;
pub mod trained;
pub mod trial_status;
pub mod tune;

pub use batcher::{ClassificationBatcher, RegressionBatcher};
pub use device::backend_name;
pub use error::TrainError;
pub use evaluate::{Evaluation, evaluate_classifier, evaluate_regressor, predicted_class_counts};
pub use fit::{
    FitResult, OnDivergence, fit_classifier, fit_classifier_with, fit_regressor,
    fit_regressor_with, seeded_model,
};
pub use history::{EpochRecord, History};
pub use options::{Engine, FitOptions, OptimizerKind, Regularization};
pub use reporter::Verbosity;
