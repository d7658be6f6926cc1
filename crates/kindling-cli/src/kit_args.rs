//! The training kit's options of `kindling train`, by Keras's names and defaults: the
//! optimizers' own settings, the learning-rate schedule, `ReduceLROnPlateau` and gradient
//! clipping.

use clap::Args;
use kindling_train::FitOptions;
use kindling_train::schedule::{LrSchedule, Plateau, ScheduleKind};

/// Optimizer settings, schedule, plateau and clipping.
#[derive(Debug, Args)]
pub struct KitArgs {
    /// Momentum of sgd or rmsprop, in [0, 1) (Keras's `momentum`) [default: 0].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Nesterov's momentum, for sgd with --momentum.
    #[arg(long)]
    nesterov: bool,
    /// AdamW's decoupled weight decay [default: 0.004, Keras's].
    #[arg(long, allow_hyphen_values = true)]
    weight_decay: Option<f64>,
    /// Learning-rate schedule over the steps: constant, exponential (times --decay-rate every
    /// --decay-epochs, smoothly), step (the same, at once) or cosine (down to 0 over the fit).
    #[arg(long, default_value = "constant")]
    lr_schedule: ScheduleKind,
    /// The factor of exponential and step decay.
    #[arg(long, default_value_t = 0.96, allow_hyphen_values = true)]
    decay_rate: f64,
    /// Epochs over which exponential and step decay multiply the rate by --decay-rate.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    decay_epochs: f64,
    /// Epochs over which the rate first rises linearly to --lr, before the schedule.
    #[arg(long, default_value_t = 0)]
    warmup_epochs: usize,
    /// Keras's ReduceLROnPlateau: lower the rate when the validation loss stops falling.
    #[arg(long)]
    reduce_lr_on_plateau: bool,
    /// The factor ReduceLROnPlateau multiplies the rate by.
    #[arg(
        long,
        default_value_t = 0.1,
        allow_hyphen_values = true,
        requires = "reduce_lr_on_plateau"
    )]
    plateau_factor: f64,
    /// Epochs without a lower validation loss before ReduceLROnPlateau lowers the rate.
    #[arg(long, default_value_t = 10, requires = "reduce_lr_on_plateau")]
    plateau_patience: usize,
    /// The lowest rate ReduceLROnPlateau brings the rate to.
    #[arg(
        long,
        default_value_t = 0.0,
        allow_hyphen_values = true,
        requires = "reduce_lr_on_plateau"
    )]
    min_lr: f64,
    /// Keras's clipnorm: each parameter's gradient is scaled down to at most this L2 norm.
    #[arg(long, allow_hyphen_values = true)]
    clip_norm: Option<f64>,
}

impl KitArgs {
    /// `options` with these settings (checked by `FitOptions::validate`).
    pub fn apply(&self, options: FitOptions) -> FitOptions {
        FitOptions {
            momentum: self.momentum.unwrap_or(0.0),
            nesterov: self.nesterov,
            weight_decay: self.weight_decay,
            lr_schedule: LrSchedule {
                kind: self.lr_schedule,
                decay_rate: self.decay_rate,
                decay_epochs: self.decay_epochs,
                warmup_epochs: self.warmup_epochs,
            },
            reduce_lr_on_plateau: self.reduce_lr_on_plateau.then_some(Plateau {
                factor: self.plateau_factor,
                patience: self.plateau_patience,
                min_lr: self.min_lr,
                ..Plateau::default()
            }),
            clip_norm: self.clip_norm,
            ..options
        }
    }
}
