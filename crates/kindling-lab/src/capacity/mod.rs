//! The course's capacity workflow (`kindling capacity`): start with a small network and add
//! capacity step by step until the validation score stops improving.
//!
//! The schedule, on one validation split and seed:
//!
//! 1. **Widen**: one hidden layer of each width of `widths` in turn (by default 8, 16, 32, 64,
//!    128), smallest first.
//! 2. **Deepen**: with the best width so far, two hidden layers of it, then three, … up to
//!    `max_layers` (by default 3).
//!
//! Each phase ends once `patience_steps` steps in a row (by default 1) did not improve on the
//! best score so far (see [`Score`]: validation accuracy, ties broken by validation loss, for
//! a classifier; validation loss for a regressor); a diverged step does not improve. The
//! chosen architecture is the best step of both phases; its run directory is copied to
//! `chosen/`.

mod report;

pub use report::{
    CAPACITY_CSV, CAPACITY_JSON, CAPACITY_PNG, capacity_table, write_capacity_results,
};

use crate::tune::error::TuneError;
use crate::tune::score::Score;
use crate::tune::space::{MAX_LAYERS, hidden_text};
use crate::tune::trial::{TrialOutcome, copy_run_dir, run_trial};
use kindling_data::scale::ScaleKind;
use kindling_models::{Activation, DenseStackConfig};
use kindling_train::Task;
use kindling_train::Verbosity;
use kindling_train::recipe::RunSetup;
use kindling_train::tabular::PreparedTable;
use kindling_train::{FitOptions, HiddenLayers};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Sub-directory of the output holding one run directory per step (`steps/03-32`).
pub const STEPS_DIR: &str = "steps";
/// Sub-directory of the output holding a copy of the chosen step's run directory.
pub const CHOSEN_DIR: &str = "chosen";

/// The default widths of the widening phase.
pub const DEFAULT_WIDTHS: [usize; 5] = [8, 16, 32, 64, 128];

/// What the workflow trains.
#[derive(Debug, Clone)]
pub struct CapacitySettings {
    /// The table task.
    pub task: Task,
    /// Widths of the widening phase, strictly increasing.
    pub widths: Vec<usize>,
    /// The deepest network of the deepening phase.
    pub max_layers: usize,
    /// Steps in a row without improvement that end a phase.
    pub patience_steps: usize,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// How every step trains (the same for all, seed included).
    pub fit: FitOptions,
    /// Feature scaling, fitted once on the training rows.
    pub scale: ScaleKind,
}

impl CapacitySettings {
    /// Checks every setting before any work starts.
    pub fn validate(&self) -> Result<(), TuneError> {
        crate::tune::error::table_task(self.task)?;
        let widths = hidden_text(&self.widths);
        if self.widths.is_empty() {
            return Err(TuneError::invalid(
                "widths",
                "(empty)".into(),
                "give at least one width",
            ));
        }
        if self.widths[0] == 0 || self.widths.windows(2).any(|p| p[0] >= p[1]) {
            return Err(TuneError::invalid(
                "widths",
                widths,
                "capacity grows step by step: give positive widths in increasing order, e.g. 8,16,32,64",
            ));
        }
        if let Some(&w) = self
            .widths
            .iter()
            .find(|&&w| w > DenseStackConfig::MAX_WIDTH)
        {
            return Err(TuneError::invalid(
                "widths",
                w.to_string(),
                &format!("a layer has at most {} units", DenseStackConfig::MAX_WIDTH),
            ));
        }
        if !(1..=MAX_LAYERS).contains(&self.max_layers) {
            return Err(TuneError::invalid(
                "max_layers",
                self.max_layers.to_string(),
                &format!("a network here has 1 to {MAX_LAYERS} hidden layers"),
            ));
        }
        // The deepest network of the widest layer is the largest the workflow can reach.
        let widest = self.widths[self.widths.len() - 1];
        let largest = vec![widest; self.max_layers];
        if let Err(e) = crate::tune::space::largest_network_fits(&largest) {
            return Err(TuneError::invalid(
                "widths",
                widths,
                &format!("{} hidden layers of {widest}: {e}", self.max_layers),
            ));
        }
        if self.patience_steps == 0 {
            return Err(TuneError::invalid(
                "patience_steps",
                "0".into(),
                "allow at least one step without improvement",
            ));
        }
        self.fit.validate()?;
        Ok(())
    }
}

/// The phase a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// One hidden layer, wider each step.
    Widen,
    /// The best width, one more layer each step.
    Deepen,
}

impl Phase {
    /// `widen` or `deepen`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Widen => "widen",
            Phase::Deepen => "deepen",
        }
    }
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityStep {
    /// The step's number, from 1.
    pub step: usize,
    /// Its phase.
    pub phase: Phase,
    /// The hidden widths trained.
    pub hidden: Vec<usize>,
    /// Trainable parameters of the model.
    pub parameters: usize,
    /// How the step ended.
    #[serde(flatten)]
    pub outcome: TrialOutcome,
    /// Whether it beat every earlier step.
    pub improved: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Its run directory.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// The outcome of the workflow.
#[derive(Debug, Clone)]
pub struct CapacityReport {
    /// Every step, in order.
    pub steps: Vec<CapacityStep>,
    /// Index in `steps` of the chosen step.
    pub chosen: usize,
    /// The copy of the chosen step's run directory.
    pub chosen_dir: PathBuf,
    /// Repairs the loader made to the data file.
    pub notes: Vec<String>,
    /// Charts that could not be drawn (the other results are complete), for the caller to
    /// tell the user.
    pub warnings: Vec<String>,
}

/// The workflow's state between steps.
struct Workflow<'a> {
    settings: &'a CapacitySettings,
    table: PreparedTable,
    setup: RunSetup<'a>,
    steps: Vec<CapacityStep>,
    best: Option<(usize, Score)>,
}

impl Workflow<'_> {
    /// Trains `hidden` as the next step and reports whether it improved on the best so far.
    fn step(
        &mut self,
        phase: Phase,
        hidden: Vec<usize>,
        progress: &mut dyn FnMut(&CapacityStep),
    ) -> Result<bool, TuneError> {
        let number = self.steps.len() + 1;
        let dir = self.setup.out.join(STEPS_DIR).join(format!(
            "{number:02}-{}",
            hidden_text(&hidden).replace(',', "x")
        ));
        let setup = RunSetup {
            out: &dir,
            verbosity: Verbosity::Quiet,
            ..self.setup
        };
        let clock = Instant::now();
        let outcome = run_trial(
            &self.table,
            &hidden,
            self.settings.activation,
            &self.settings.fit,
            setup,
        )
        .map_err(|source| TuneError::Trial {
            trial: format!("step {number} (hidden {})", hidden_text(&hidden)),
            source: Box::new(source),
        })?;
        let improved = match (outcome.score(), &self.best) {
            (Some(score), Some((_, best))) => score.is_better_than(best),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if let (true, Some(score)) = (improved, outcome.score()) {
            self.best = Some((number - 1, *score));
        }
        let parameters = self
            .settings
            .task
            .model(
                self.table.rows.width(),
                &HiddenLayers::new(&hidden, self.settings.activation),
            )
            .num_params();
        let step = CapacityStep {
            step: number,
            phase,
            hidden,
            parameters,
            outcome,
            improved,
            seconds: clock.elapsed().as_secs_f64(),
            dir,
        };
        progress(&step);
        self.steps.push(step);
        Ok(improved)
    }

    /// Runs `schedule` until `patience_steps` steps in a row did not improve.
    fn phase(
        &mut self,
        phase: Phase,
        schedule: Vec<Vec<usize>>,
        progress: &mut dyn FnMut(&CapacityStep),
    ) -> Result<(), TuneError> {
        let mut misses = 0;
        for hidden in schedule {
            if self.step(phase, hidden, progress)? {
                misses = 0;
            } else {
                misses += 1;
                if misses >= self.settings.patience_steps {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// Runs the workflow described in the module's documentation on `setup`'s data, each step in
/// `setup.out/steps/NN-WIDTHS` (a full run directory); copies the chosen step to
/// `setup.out/chosen` and writes `capacity.csv`, `capacity.json` and `capacity.png`.
/// `progress` hears of each step as it ends.
pub fn capacity(
    settings: &CapacitySettings,
    setup: RunSetup,
    progress: &mut dyn FnMut(&CapacityStep),
) -> Result<CapacityReport, TuneError> {
    settings.validate()?;
    let table = PreparedTable::load(
        settings.task,
        setup.data_dir,
        settings.scale,
        settings.fit.validation_split,
    )?;
    let mut workflow = Workflow {
        settings,
        table,
        setup,
        steps: Vec::new(),
        best: None,
    };
    let widen = settings.widths.iter().map(|&w| vec![w]).collect();
    workflow.phase(Phase::Widen, widen, progress)?;
    let width = match workflow.best {
        Some((i, _)) => workflow.steps[i].hidden[0],
        None => settings.widths[0],
    };
    let deepen = (2..=settings.max_layers).map(|d| vec![width; d]).collect();
    workflow.phase(Phase::Deepen, deepen, progress)?;

    let mut copied = Vec::new();
    let chosen_dir = setup.out.join(CHOSEN_DIR);
    let chosen = workflow.best.map(|(i, _)| i);
    if let Some(i) = chosen {
        copied = copy_run_dir(&workflow.steps[i].dir, &chosen_dir)?;
    }
    let mut warnings = write_capacity_results(
        settings,
        &workflow.steps,
        chosen.map(|_| chosen_dir.as_path()),
        setup.out,
    )?;
    warnings.extend(copied);
    let chosen = chosen.ok_or(TuneError::NothingFinished {
        trials: workflow.steps.len(),
    })?;
    Ok(CapacityReport {
        steps: workflow.steps,
        chosen,
        chosen_dir,
        notes: workflow.table.notes,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::prelude::Device;

    fn settings() -> CapacitySettings {
        CapacitySettings {
            task: Task::Titanic,
            widths: DEFAULT_WIDTHS.to_vec(),
            max_layers: 3,
            patience_steps: 1,
            activation: Activation::Relu,
            fit: FitOptions::default(),
            scale: ScaleKind::None,
        }
    }

    #[test]
    fn rejects_bad_schedules() {
        settings().validate().unwrap();
        let cases = [
            (
                CapacitySettings {
                    widths: vec![],
                    ..settings()
                },
                "widths",
            ),
            (
                CapacitySettings {
                    widths: vec![16, 8],
                    ..settings()
                },
                "increasing",
            ),
            (
                CapacitySettings {
                    widths: vec![0, 8],
                    ..settings()
                },
                "widths",
            ),
            (
                CapacitySettings {
                    max_layers: 0,
                    ..settings()
                },
                "max_layers",
            ),
            (
                CapacitySettings {
                    patience_steps: 0,
                    ..settings()
                },
                "patience_steps",
            ),
            (
                CapacitySettings {
                    fit: FitOptions {
                        epochs: 0,
                        ..FitOptions::default()
                    },
                    ..settings()
                },
                "epochs",
            ),
        ];
        for (s, expected) in cases {
            let err = s.validate().unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    /// The workflow on the synthetic drug-trial table (generated, no files needed): each step
    /// is a real fit; the phases follow the schedule and stop as documented.
    #[test]
    fn widens_then_deepens_and_stops_without_improvement() {
        let dir = tempfile::tempdir().unwrap();
        let device = Device::flex();
        let setup = RunSetup {
            data_dir: dir.path(),
            out: dir.path(),
            backend: "flex",
            device: &device,
            verbosity: Verbosity::Quiet,
        };
        let settings = CapacitySettings {
            task: Task::Drug,
            widths: vec![2, 4, 8],
            max_layers: 2,
            fit: FitOptions {
                epochs: 3,
                ..FitOptions::default()
            },
            scale: ScaleKind::Minmax,
            ..settings()
        };
        let mut heard = Vec::new();
        let report = capacity(&settings, setup, &mut |s| heard.push(s.step)).unwrap();
        let steps = &report.steps;
        assert_eq!(heard, (1..=steps.len()).collect::<Vec<_>>());
        // Widening stops at the first step that is no better; deepening uses the best width.
        let widen: Vec<&CapacityStep> = steps.iter().filter(|s| s.phase == Phase::Widen).collect();
        for (i, s) in widen.iter().enumerate() {
            let last = i + 1 == widen.len();
            assert!(s.improved || last, "widening went on after step {}", s.step);
        }
        let chosen = &steps[report.chosen];
        assert!(chosen.improved);
        for s in steps {
            if let (Some(a), Some(b)) = (s.outcome.score(), chosen.outcome.score()) {
                assert!(!a.is_better_than(b), "step {} beats the chosen one", s.step);
            }
        }
        let best_width = widen.iter().rfind(|s| s.improved).unwrap().hidden[0];
        let deepen: Vec<&CapacityStep> =
            steps.iter().filter(|s| s.phase == Phase::Deepen).collect();
        assert_eq!(deepen.len(), 1);
        assert_eq!(deepen[0].hidden, vec![best_width, best_width]);
        for file in [CAPACITY_CSV, CAPACITY_JSON, CAPACITY_PNG] {
            assert!(dir.path().join(file).is_file(), "{file}");
        }
        assert!(report.chosen_dir.join("model.bpk").is_file());
        let csv = std::fs::read_to_string(dir.path().join(CAPACITY_CSV)).unwrap();
        assert_eq!(csv.lines().count(), steps.len() + 1);
    }
}
