//! The learning rate over a fit: a schedule per step (Keras's `keras.optimizers.schedules`,
//! computed by Burn's `lr_scheduler`s) and Keras's `ReduceLROnPlateau` callback per epoch.

use crate::error::TrainError;
use burn::optim::lr_scheduler::LrSchedulerConfig;
use burn::optim::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::optim::lr_scheduler::exponential::ExponentialLrSchedulerConfig;
use burn::optim::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::lr_scheduler::sequential::SequentialLrSchedulerConfig;
use burn::optim::lr_scheduler::step::StepLrSchedulerConfig;
use kindling_data::number::short;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The shape of the learning rate over the steps of a fit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// The same rate at every step.
    #[default]
    Constant,
    /// Multiplied by `decay_rate` every `decay_epochs`, smoothly (Keras's `ExponentialDecay`).
    Exponential,
    /// Multiplied by `decay_rate` at the end of every `decay_epochs` (Keras's
    /// `ExponentialDecay(staircase=True)`).
    Step,
    /// Down to zero along half a cosine over the fit (Keras's `CosineDecay`, alpha 0).
    Cosine,
}

impl ScheduleKind {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ScheduleKind::Constant => "constant",
            ScheduleKind::Exponential => "exponential",
            ScheduleKind::Step => "step",
            ScheduleKind::Cosine => "cosine",
        }
    }
}

impl fmt::Display for ScheduleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScheduleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "constant" => Ok(ScheduleKind::Constant),
            "exponential" => Ok(ScheduleKind::Exponential),
            "step" => Ok(ScheduleKind::Step),
            "cosine" => Ok(ScheduleKind::Cosine),
            _ => Err(format!(
                "unknown learning-rate schedule `{s}`; expected one of: constant, exponential, step, cosine"
            )),
        }
    }
}

/// A learning-rate schedule: its shape, the decay of the exponential and step shapes, and a
/// linear warm-up before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LrSchedule {
    /// The shape.
    pub kind: ScheduleKind,
    /// Exponential and step: the factor the rate is multiplied by every `decay_epochs`.
    pub decay_rate: f64,
    /// Exponential and step: the epochs over which the rate is multiplied by `decay_rate`.
    pub decay_epochs: f64,
    /// Epochs over which the rate rises linearly to the learning rate first (Keras's
    /// `warmup_steps`, in epochs), after which the shape starts.
    pub warmup_epochs: usize,
}

impl Default for LrSchedule {
    /// Constant, no warm-up; decay by 0.96 per epoch where a shape decays.
    fn default() -> Self {
        Self {
            kind: ScheduleKind::Constant,
            decay_rate: 0.96,
            decay_epochs: 1.0,
            warmup_epochs: 0,
        }
    }
}

impl LrSchedule {
    /// Whether the rate ever changes.
    pub fn is_constant(&self) -> bool {
        self.kind == ScheduleKind::Constant && self.warmup_epochs == 0
    }

    /// Checks the values; the error names the field.
    pub fn validate(&self, epochs: usize) -> Result<(), TrainError> {
        let invalid = |name, value: String, reason: &str| {
            Err(TrainError::InvalidOption {
                name,
                value,
                reason: reason.into(),
            })
        };
        if !(self.decay_rate > 0.0 && self.decay_rate <= 1.0) {
            return invalid(
                "decay_rate",
                short(self.decay_rate),
                "the factor must be greater than 0 and at most 1",
            );
        }
        if !(self.decay_epochs.is_finite() && self.decay_epochs > 0.0) {
            return invalid(
                "decay_epochs",
                short(self.decay_epochs),
                "decay over a positive number of epochs",
            );
        }
        if self.warmup_epochs >= epochs && self.warmup_epochs > 0 {
            return invalid(
                "warmup_epochs",
                self.warmup_epochs.to_string(),
                "the warm-up must end before the last epoch; warm up over fewer epochs",
            );
        }
        Ok(())
    }

    /// Burn's scheduler for a fit of `epochs` epochs of `steps_per_epoch` steps, as a factor of
    /// the learning rate (Burn's schedulers take rates of at most 1, learning rates may be
    /// larger); `None` for a constant rate.
    fn scheduler(
        &self,
        epochs: usize,
        steps_per_epoch: usize,
    ) -> Result<Option<ModuleLrScheduler>, TrainError> {
        if self.is_constant() {
            return Ok(None);
        }
        let steps_per_epoch = steps_per_epoch.max(1);
        let warmup = self.warmup_epochs * steps_per_epoch;
        let rest = (epochs * steps_per_epoch).saturating_sub(warmup).max(1);
        let decay_steps = (self.decay_epochs * steps_per_epoch as f64).max(1.0);
        let shape = match self.kind {
            ScheduleKind::Constant => LrSchedulerConfig::Constant(1.0),
            ScheduleKind::Exponential => LrSchedulerConfig::Exponential(
                ExponentialLrSchedulerConfig::new(1.0, self.decay_rate.powf(1.0 / decay_steps)),
            ),
            ScheduleKind::Step => LrSchedulerConfig::Step(
                StepLrSchedulerConfig::new(1.0, decay_steps.round() as usize)
                    .with_gamma(self.decay_rate),
            ),
            ScheduleKind::Cosine => {
                LrSchedulerConfig::Cosine(CosineAnnealingLrSchedulerConfig::new(1.0, rest))
            }
        };
        let config = if warmup > 0 {
            let rise = LrSchedulerConfig::Linear(LinearLrSchedulerConfig::new(
                1.0 / warmup as f64,
                1.0,
                warmup,
            ));
            SequentialLrSchedulerConfig::new(vec![rise, shape], vec![warmup])
        } else {
            SequentialLrSchedulerConfig::new(vec![shape], vec![])
        };
        config
            .init()
            .map(Some)
            .map_err(|reason| TrainError::InvalidOption {
                name: "lr_schedule",
                value: self.kind.name().into(),
                reason,
            })
    }
}

/// The learning rate of each step of a fit: the base rate, times the schedule's factor, times
/// what `ReduceLROnPlateau` has left of it.
#[derive(Clone)]
pub(crate) struct LearningRates {
    base: f64,
    schedule: Option<ModuleLrScheduler>,
    /// The factor [`Plateau`] has brought the rate to (1 until it reduces it).
    scale: f64,
}

impl LearningRates {
    /// The rates of a fit of `epochs` epochs of `steps_per_epoch` steps from `base`.
    pub(crate) fn new(
        base: f64,
        schedule: &LrSchedule,
        epochs: usize,
        steps_per_epoch: usize,
    ) -> Result<Self, TrainError> {
        Ok(Self {
            base,
            schedule: schedule.scheduler(epochs, steps_per_epoch)?,
            scale: 1.0,
        })
    }

    /// The rate of the next step.
    pub(crate) fn next(&mut self) -> f64 {
        let factor = self.schedule.as_mut().map_or(1.0, |s| s.step().base());
        self.base * factor * self.scale
    }

    /// Moves past the first `steps` steps (a resumed fit continues where it stood).
    pub(crate) fn skip(&mut self, steps: usize) {
        if let Some(schedule) = &mut self.schedule {
            for _ in 0..steps {
                schedule.step();
            }
        }
    }

    /// Sets what `ReduceLROnPlateau` has left of the rate.
    pub(crate) fn set_scale(&mut self, scale: f64) {
        self.scale = scale;
    }
}

/// Keras's `ReduceLROnPlateau` on the validation loss: when it has not fallen by more than
/// `min_delta` for `patience` epochs, the learning rate is multiplied by `factor`, but not
/// below `min_lr` (Keras's defaults: 0.1, 10, 1e-4 and 0; no cool-down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Plateau {
    /// The factor the rate is multiplied by.
    pub factor: f64,
    /// Epochs without improvement before it is.
    pub patience: usize,
    /// The lowest rate it brings the rate to.
    pub min_lr: f64,
    /// How much lower than the best a loss must be to count as an improvement.
    pub min_delta: f64,
}

impl Default for Plateau {
    fn default() -> Self {
        Self {
            factor: 0.1,
            patience: 10,
            min_lr: 0.0,
            min_delta: 1e-4,
        }
    }
}

impl Plateau {
    /// Checks the values; the error names the field.
    pub fn validate(&self) -> Result<(), TrainError> {
        let invalid = |name, value: String, reason: &str| {
            Err(TrainError::InvalidOption {
                name,
                value,
                reason: reason.into(),
            })
        };
        if !(self.factor > 0.0 && self.factor < 1.0) {
            return invalid(
                "plateau_factor",
                short(self.factor),
                "the factor must be greater than 0 and less than 1",
            );
        }
        if self.patience == 0 {
            return invalid(
                "plateau_patience",
                "0".into(),
                "wait at least one epoch without improvement",
            );
        }
        if !(self.min_lr.is_finite() && self.min_lr >= 0.0) {
            return invalid(
                "min_lr",
                short(self.min_lr),
                "the lowest rate must be 0 or more",
            );
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return invalid(
                "min_delta",
                short(self.min_delta),
                "the improvement must be 0 or more",
            );
        }
        Ok(())
    }
}

/// Where [`Plateau`] stands after an epoch; saved with a fit's resume state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct PlateauState {
    /// The lowest validation loss so far.
    best: f64,
    /// Epochs since it was reached.
    wait: usize,
    /// The factor of the base learning rate the rate now is.
    pub(crate) scale: f64,
}

impl Default for PlateauState {
    fn default() -> Self {
        Self {
            best: f64::INFINITY,
            wait: 0,
            scale: 1.0,
        }
    }
}

impl PlateauState {
    /// Takes the epoch's validation loss; returns the new rate when the plateau reduces it.
    pub(crate) fn update(&mut self, plateau: &Plateau, val_loss: f64, base_lr: f64) -> Option<f64> {
        if val_loss < self.best - plateau.min_delta {
            self.best = val_loss;
            self.wait = 0;
            return None;
        }
        self.wait += 1;
        if self.wait < plateau.patience {
            return None;
        }
        self.wait = 0;
        let current = base_lr * self.scale;
        if current <= plateau.min_lr {
            return None;
        }
        let reduced = (current * plateau.factor).max(plateau.min_lr);
        self.scale = reduced / base_lr;
        Some(reduced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(schedule: LrSchedule, epochs: usize, steps: usize) -> Vec<f64> {
        let mut rates = LearningRates::new(0.5, &schedule, epochs, steps).unwrap();
        (0..epochs * steps).map(|_| rates.next()).collect()
    }

    #[test]
    fn schedules_follow_kerass_formulas() {
        let constant = rates(LrSchedule::default(), 3, 4);
        assert!(constant.iter().all(|&r| r == 0.5));

        // ExponentialDecay: lr · rate^(step / decay_steps).
        let exponential = LrSchedule {
            kind: ScheduleKind::Exponential,
            decay_rate: 0.5,
            decay_epochs: 1.0,
            ..Default::default()
        };
        let r = rates(exponential, 3, 4);
        assert!((r[0] - 0.5).abs() < 1e-9, "{r:?}");
        assert!((r[4] - 0.25).abs() < 1e-9, "{r:?}");
        assert!((r[8] - 0.125).abs() < 1e-9, "{r:?}");
        assert!(r[1] < r[0] && r[1] > r[4]);

        // Staircase: the same within an epoch.
        let step = LrSchedule {
            kind: ScheduleKind::Step,
            ..exponential
        };
        let r = rates(step, 3, 4);
        assert_eq!(&r[..4], &[0.5; 4]);
        assert_eq!(&r[4..8], &[0.25; 4]);

        // Cosine: from the rate towards zero over the fit, half way at the middle.
        let cosine = LrSchedule {
            kind: ScheduleKind::Cosine,
            ..Default::default()
        };
        let r = rates(cosine, 2, 50);
        assert!((r[0] - 0.5).abs() < 1e-9);
        assert!((r[50] - 0.25).abs() < 0.02, "{}", r[50]);
        assert!(r[99] < 0.01 && r.windows(2).all(|w| w[1] <= w[0]));

        // A linear warm-up, then the shape.
        let warm = LrSchedule {
            warmup_epochs: 1,
            ..Default::default()
        };
        let r = rates(warm, 2, 4);
        assert!(r[..4].windows(2).all(|w| w[1] > w[0]), "{r:?}");
        assert_eq!(&r[4..], &[0.5; 4]);
    }

    #[test]
    fn a_skipped_schedule_continues_where_the_full_one_is() {
        let cosine = LrSchedule {
            kind: ScheduleKind::Cosine,
            warmup_epochs: 1,
            ..Default::default()
        };
        let full = rates(cosine, 4, 5);
        let mut resumed = LearningRates::new(0.5, &cosine, 4, 5).unwrap();
        resumed.skip(10);
        let rest: Vec<f64> = (0..10).map(|_| resumed.next()).collect();
        assert_eq!(rest, full[10..]);
    }

    #[test]
    fn the_plateau_reduces_as_keras_does() {
        let plateau = Plateau {
            factor: 0.5,
            patience: 2,
            min_lr: 0.3,
            min_delta: 0.0,
        };
        let mut state = PlateauState::default();
        let losses = [1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
        let changes: Vec<Option<f64>> = losses
            .iter()
            .map(|&l| state.update(&plateau, l, 1.0))
            .collect();
        // Two epochs without a lower loss halve the rate; it never goes below min_lr.
        assert_eq!(
            changes,
            [
                None,
                None,
                None,
                Some(0.5),
                None,
                None,
                Some(0.3),
                None,
                None,
                None
            ]
        );
        assert_eq!(state.scale, 0.3);
    }

    #[test]
    fn bad_values_are_named() {
        let bad = LrSchedule {
            decay_rate: 1.5,
            ..Default::default()
        };
        assert!(
            bad.validate(10)
                .unwrap_err()
                .to_string()
                .contains("decay_rate")
        );
        let bad = LrSchedule {
            warmup_epochs: 10,
            ..Default::default()
        };
        assert!(
            bad.validate(10)
                .unwrap_err()
                .to_string()
                .contains("warmup_epochs")
        );
        let bad = Plateau {
            factor: 1.0,
            ..Default::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("plateau_factor")
        );
        assert!(
            "linear"
                .parse::<ScheduleKind>()
                .unwrap_err()
                .contains("cosine")
        );
    }
}
