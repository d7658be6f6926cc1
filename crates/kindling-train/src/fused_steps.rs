//! The fused CPU engine ([`kindling_fused`]) as the steps of the one epoch loop
//! ([`crate::epoch_loop`]). Built with the `fused` feature (on by default).

use crate::epoch_loop::{BatchProgress, EpochLoop, LoopOutcome, Steps, Totals};
use crate::error::TrainError;
use crate::options::OptimizerKind;
use crate::run_dir::save_weights;
use burn::prelude::*;
use kindling_data::Rows;
use kindling_fused::{FusedData, FusedTrainer, Network, Optimizer, PassTotals};
use kindling_models::run::load_stack_bytes;
use kindling_models::{DenseStack, DenseStackConfig};
use rand_chacha::ChaCha12Rng;
use std::path::Path;

/// Runs `epochs` on the fused engine from the weights of `initial`; `wrap` turns the trained
/// stack into the model type the fit returns and its checkpoints hold.
pub(crate) fn run<M: Module>(
    epochs: &EpochLoop,
    config: &DenseStackConfig,
    initial: &DenseStack,
    rows: &Rows,
    device: &Device,
    wrap: impl Fn(DenseStack) -> M,
) -> Result<LoopOutcome<M>, TrainError> {
    let (features, width) = (rows.all_features(), rows.width());
    // `fit.rs` has checked that the rows carry the targets the model is fitted to.
    let data = match (rows.labels(), rows.values()) {
        (Some(labels), _) => FusedData::classified(features, width, labels),
        (None, Some((values, _))) => FusedData::valued(features, width, values),
        (None, None) => {
            return Err(TrainError::InvalidOption {
                name: "rows",
                value: "without targets".into(),
                reason: "give the rows class labels or target values".into(),
            });
        }
    };
    let options = epochs.options;
    // `fit.rs` runs the fused engine only on options it has (`FitOptions::fused_lacks`).
    let optimizer = match options.optimizer {
        OptimizerKind::Adam => Optimizer::adam(options.learning_rate),
        OptimizerKind::Sgd => Optimizer::sgd(options.learning_rate),
        other => {
            return Err(TrainError::InvalidOption {
                name: "optimizer",
                value: other.name().into(),
                reason: "the fused engine has adam and sgd only; train on the learner engine"
                    .into(),
            });
        }
    };
    let steps = FusedSteps {
        trainer: FusedTrainer::new(initial, config, optimizer),
        config: config.clone(),
        data,
        // The module the weights are written into (its own initial values are replaced).
        template: config.try_init(device)?,
        device,
        wrap,
        learning_rate: options.learning_rate,
    };
    epochs.run(steps)
}

/// The fused engine's state during a fit.
struct FusedSteps<'a, W> {
    trainer: FusedTrainer,
    config: DenseStackConfig,
    data: FusedData<'a>,
    template: DenseStack,
    device: &'a Device,
    wrap: W,
    /// The base learning rate, which `ReduceLROnPlateau` scales.
    learning_rate: f64,
}

impl From<PassTotals> for Totals {
    fn from(pass: PassTotals) -> Self {
        Totals {
            loss: pass.loss,
            correct: pass.correct,
            examples: pass.examples,
            grad_norm_sums: pass.grad_norm_sums,
            alive: pass.alive,
            outputs: None,
        }
    }
}

impl<M: Module, W: Fn(DenseStack) -> M> Steps for FusedSteps<'_, W> {
    type Model = M;
    type Snapshot = Network;

    fn train_epoch(
        &mut self,
        batches: &[&[usize]],
        rng: &mut ChaCha12Rng,
        progress: &BatchProgress,
        diagnose: bool,
    ) -> Result<Totals, TrainError> {
        let on_batch = |examples| progress.advance(examples);
        let pass = self
            .trainer
            .train_epoch(&self.data, batches, rng, on_batch, diagnose);
        Ok(pass.into())
    }

    fn validate(&mut self, rows: &[usize], diagnose: bool) -> Result<Totals, TrainError> {
        let on_chunk = |_| crate::progress::tick();
        let mut pass = self.trainer.validate(&self.data, rows, on_chunk, diagnose);
        let mut outputs = std::mem::take(&mut pass.outputs);
        if self.config.head == kindling_models::Head::Softmax {
            crate::scores::softmax_rows(&mut outputs, self.config.output);
        }
        let mut totals = Totals::from(pass);
        totals.outputs = Some(outputs);
        Ok(totals)
    }

    fn skip_schedule(&mut self, _steps: usize) {
        // The fused engine's rate is constant between plateaus.
    }

    fn scale_learning_rate(&mut self, scale: f64) {
        self.trainer
            .optimizer_mut()
            .set_learning_rate(self.learning_rate * scale);
    }

    fn snapshot(&self) -> Network {
        self.trainer.network().clone()
    }

    fn save(&self, path: &Path) -> Result<(), TrainError> {
        let stack = self
            .trainer
            .network()
            .load_into(self.template.clone(), self.device);
        save_weights(&(self.wrap)(stack), path).map(drop)
    }

    fn optimizer_state(&self) -> Result<Vec<u8>, TrainError> {
        Ok(self.trainer.optimizer().state_bytes())
    }

    fn load_snapshot(&self, path: &Path) -> Result<Network, TrainError> {
        let bytes = std::fs::read(path).map_err(|e| TrainError::io(path, e))?;
        let stack = load_stack_bytes(self.template.clone(), bytes, path)?;
        Ok(Network::from_module(&stack, &self.config))
    }

    fn restore(&mut self, weights: &Path, optimizer: &[u8]) -> Result<(), TrainError> {
        let net = self.load_snapshot(weights)?;
        self.trainer
            .restore(net, optimizer)
            .map_err(|reason| TrainError::Record {
                path: weights.with_file_name(crate::epoch_loop::OPTIMIZER_STATE_FILE),
                reason: format!("malformed optimizer state ({reason}); the run cannot be resumed, train a new one"),
            })
    }

    fn finish(self, snapshot: Option<Network>) -> Result<M, TrainError> {
        let net = snapshot.unwrap_or_else(|| self.trainer.network().clone());
        Ok((self.wrap)(net.load_into(self.template, self.device)))
    }
}
