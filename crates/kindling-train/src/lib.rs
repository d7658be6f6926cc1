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
//! The crate `kindling-lab` runs the course's experiments (learning-rate sweeps and range
//! tests, layouts compared, capacity and hyper-parameter searches) through the same fit.

mod batcher;
pub mod bench;
pub mod catalog;
pub mod confusion_chart;
pub mod csv_source;
mod device;
pub mod diagnostics;
pub mod divergence;
mod epoch_loop;
mod error;
mod evaluate;
pub mod export;
mod fit;
#[cfg(feature = "fused")]
mod fused_steps;
mod history;
pub mod interrupt;
mod learner_steps;
pub mod mnist;
mod options;
pub mod plot;
pub mod progress;
pub mod publish;
pub mod recipe;
mod reporter;
pub mod run_check;
pub mod run_dir;
#[cfg(test)]
mod run_reader_fuzz_tests;
pub mod schedule;
pub mod scores;
pub mod show_weights;
pub mod summary;
pub mod tabular;
pub mod trained;

pub use batcher::{ClassificationBatcher, RegressionBatcher};
pub use catalog::{HiddenLayers, Task};
pub use device::backend_name;
pub use error::TrainError;
pub use evaluate::{
    Evaluation, Logits, evaluate_classifier, evaluate_regressor, predicted_class_counts,
};
pub use fit::{
    ADAMW_WEIGHT_DECAY, FitResult, OnDivergence, burn_optimizer, fit_classifier,
    fit_classifier_from, fit_classifier_with, fit_conv_classifier, fit_regressor,
    fit_regressor_from, fit_regressor_with, seeded_model, train_loader,
};
pub use history::{EpochRecord, History};
pub use learner_steps::{Batch, DenseModel, Supervised};
pub use options::{Engine, FitOptions, Monitor, OptimizerKind, Regularization};
pub use reporter::Verbosity;
