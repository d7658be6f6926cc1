//! The errors of the Keras-flavoured API.

use kindling_train::TrainError;

/// Everything a step of the Keras-flavoured API can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum KerasError {
    /// Training, evaluating, saving or loading failed (see [`TrainError`]).
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A layer of a [`Sequential`](crate::Sequential) model cannot be built.
    #[error("layer {index} ({layer}): {reason}")]
    InvalidLayer {
        /// The layer's position, from 1.
        index: usize,
        /// The layer as Keras would write it, e.g. `Dense(0, activation='relu')`.
        layer: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A [`Sequential`](crate::Sequential) model without layers was compiled.
    #[error(
        "the model has no layers; add Dense(units, input_shape=(n_cols,)) and an output layer first"
    )]
    NoLayers,
    /// The loss or a metric given to `compile` does not fit the model's output layer.
    #[error("cannot compile with {what}: {reason}")]
    Incompatible {
        /// The loss or metric, as Keras names it.
        what: String,
        /// Why it does not fit and what to use instead.
        reason: String,
    },
    /// Features, targets or predictions whose shape disagrees with the model or each other.
    #[error("{what}: {reason}")]
    Shape {
        /// What was given: "features", "targets", "predictions".
        what: &'static str,
        /// The numbers that disagree.
        reason: String,
    },
    /// An operation that needs a fitted model was asked of one that has not been fitted.
    #[error("cannot {action}: the model has not been fitted; call fit first")]
    NotFitted {
        /// What was asked.
        action: &'static str,
    },
}

impl From<kindling_data::DataError> for KerasError {
    /// Data that could not be read or split.
    fn from(error: kindling_data::DataError) -> Self {
        KerasError::Train(error.into())
    }
}

impl From<kindling_models::DenseStackConfigError> for KerasError {
    /// A model configuration the layers do not make.
    fn from(error: kindling_models::DenseStackConfigError) -> Self {
        KerasError::Train(error.into())
    }
}
