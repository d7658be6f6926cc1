//! The arguments of `model.fit`: epochs, batch size, validation split, early stopping.

use crate::compile::Optimizer;
use crate::error::KerasError;
use kindling_train::FitOptions;
use kindling_train::TrainError;
use kindling_train::Verbosity;
use kindling_train::schedule::Plateau;

/// Keras's `EarlyStopping(patience=n)` callback: stop after `patience` epochs without a lower
/// validation loss. The weights kept are the best epoch's (Keras's
/// `restore_best_weights=True`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlyStopping {
    patience: usize,
}

impl EarlyStopping {
    /// `EarlyStopping(patience=patience)`, monitoring the validation loss; a patience of 0 is
    /// refused by `fit`.
    pub fn new(patience: usize) -> Self {
        Self { patience }
    }

    /// Epochs without improvement before stopping.
    pub fn patience(&self) -> usize {
        self.patience
    }
}

/// The arguments of `model.fit`, with Keras's defaults where Kindling has them: 1 epoch,
/// batches of 32. Kindling always holds out a validation split (default 0.3, the last rows,
/// as Keras's `validation_split`): the weights kept are those of the epoch with the lowest
/// validation loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitArgs {
    epochs: usize,
    batch_size: usize,
    validation_split: f64,
    early_stopping: Option<EarlyStopping>,
    reduce_lr_on_plateau: Option<Plateau>,
    seed: u64,
    verbose: Verbosity,
}

impl Default for FitArgs {
    fn default() -> Self {
        Self {
            epochs: 1,
            batch_size: 32,
            validation_split: 0.3,
            early_stopping: None,
            reduce_lr_on_plateau: None,
            seed: 0,
            verbose: Verbosity::Auto,
        }
    }
}

impl FitArgs {
    /// The defaults (see [`FitArgs`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// `epochs=n`: the most passes over the training rows.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// `batch_size=n`: examples per gradient step.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// `validation_split=f`: the fraction, in (0, 1), of the last rows held out to validate.
    pub fn validation_split(mut self, fraction: f64) -> Self {
        self.validation_split = fraction;
        self
    }

    /// `callbacks=[EarlyStopping(patience=n)]`.
    pub fn early_stopping(mut self, callback: EarlyStopping) -> Self {
        self.early_stopping = Some(callback);
        self
    }

    /// `callbacks=[ReduceLROnPlateau(factor=..., patience=..., min_lr=...)]` on the validation
    /// loss (see [`Plateau`], whose defaults are Keras's).
    pub fn reduce_lr_on_plateau(mut self, callback: Plateau) -> Self {
        self.reduce_lr_on_plateau = Some(callback);
        self
    }

    /// The seed of the initial weights and of the per-epoch shuffling (default 0): the same
    /// seed on the same backend gives the same history.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// `verbose=`: a progress bar on a terminal, a line per epoch, or nothing.
    pub fn verbose(mut self, verbosity: Verbosity) -> Self {
        self.verbose = verbosity;
        self
    }

    /// How much the fit prints.
    pub fn verbosity(&self) -> Verbosity {
        self.verbose
    }

    /// The fit options these arguments and `optimizer` make, checked: an error names the
    /// argument as Keras spells it and says what is allowed.
    pub fn options(&self, optimizer: &Optimizer) -> Result<FitOptions, KerasError> {
        let options = optimizer.apply(FitOptions {
            epochs: self.epochs,
            batch_size: self.batch_size,
            validation_split: self.validation_split,
            patience: self.early_stopping.map(|e| e.patience),
            reduce_lr_on_plateau: self.reduce_lr_on_plateau,
            seed: self.seed,
            ..FitOptions::default()
        });
        options
            .validate()
            .map_err(|err| match err {
                TrainError::InvalidOption {
                    name,
                    value,
                    reason,
                } => TrainError::InvalidOption {
                    name: keras_name(name),
                    value,
                    reason,
                },
                other => other,
            })
            .map_err(KerasError::from)?;
        Ok(options)
    }
}

/// The Keras argument for a parameter name of [`FitOptions::validate`] (the same but for the
/// patience, an argument of `EarlyStopping`).
fn keras_name(name: &'static str) -> &'static str {
    match name {
        "patience" => "EarlyStopping patience",
        "plateau_factor" => "ReduceLROnPlateau factor",
        "plateau_patience" => "ReduceLROnPlateau patience",
        "clip_norm" => "clipnorm",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(args: FitArgs) -> String {
        args.options(&Optimizer::adam()).unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_keras_with_a_validation_split() {
        let options = FitArgs::new().options(&Optimizer::sgd()).unwrap();
        assert_eq!((options.epochs, options.batch_size), (1, 32));
        assert_eq!((options.validation_split, options.patience), (0.3, None));
        assert_eq!(options.learning_rate, 0.01);
        let options = FitArgs::new()
            .epochs(20)
            .validation_split(0.25)
            .early_stopping(EarlyStopping::new(2))
            .options(&Optimizer::adam())
            .unwrap();
        assert_eq!((options.epochs, options.patience), (20, Some(2)));
    }

    #[test]
    fn a_validation_split_outside_zero_one_is_refused() {
        for f in [0.0, 1.0, 1.5, -0.2, f64::NAN] {
            let err = error(FitArgs::new().validation_split(f));
            assert!(err.starts_with(&format!("invalid validation_split {f}: the fraction must be greater than 0 and less than 1")), "{err}");
        }
    }

    #[test]
    fn zero_epochs_batch_or_patience_are_refused_by_keras_name() {
        assert!(error(FitArgs::new().epochs(0)).starts_with("invalid epochs 0"));
        assert!(error(FitArgs::new().batch_size(0)).starts_with("invalid batch_size 0"));
        let err = error(FitArgs::new().early_stopping(EarlyStopping::new(0)));
        assert!(err.starts_with("invalid EarlyStopping patience 0"), "{err}");
    }
}
