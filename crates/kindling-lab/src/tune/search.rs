//! The search loop of `tune`: propose, train, record; then rank, keep the best trial as a run
//! directory, and write the results.

use crate::tune::error::{TuneError, table_task};
use crate::tune::report::write_tune_results;
use crate::tune::sampler::{Observation, Strategy};
use crate::tune::score::compare_optional;
use crate::tune::space::{Candidate, SearchSpace};
use crate::tune::trial::{TrialOutcome, copy_run_dir, run_trial};
use kindling_data::scale::ScaleKind;
use kindling_train::FitOptions;
use kindling_train::Task;
use kindling_train::Verbosity;
use kindling_train::recipe::RunSetup;
use kindling_train::tabular::PreparedTable;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Sub-directory of the output holding one run directory per trial (`trials/007`).
pub const TRIALS_DIR: &str = "trials";
/// Sub-directory of the output holding a copy of the best trial's run directory.
pub const BEST_DIR: &str = "best";

/// What to search, how, and for how long.
#[derive(Debug, Clone)]
pub struct TuneSettings {
    /// The table task.
    pub task: Task,
    /// The search strategy.
    pub strategy: Strategy,
    /// The most trials to run.
    pub trials: usize,
    /// Start no trial after this much time has passed.
    pub max_duration: Option<Duration>,
    /// Where to look.
    pub space: SearchSpace,
    /// Epochs of every trial.
    pub epochs: usize,
    /// Early-stopping patience of every trial.
    pub patience: Option<usize>,
    /// The validation split shared by every trial.
    pub validation_split: f64,
    /// Feature scaling, fitted once on the training rows.
    pub scale: ScaleKind,
    /// Seed of the sampler and of every trial's weights and shuffling.
    pub seed: u64,
}

impl TuneSettings {
    /// Checks every setting before any work starts.
    pub fn validate(&self) -> Result<(), TuneError> {
        table_task(self.task)?;
        if self.trials == 0 {
            return Err(TuneError::invalid(
                "trials",
                "0".into(),
                "run at least one trial",
            ));
        }
        if self.max_duration == Some(Duration::ZERO) {
            return Err(TuneError::invalid(
                "max_minutes",
                "0".into(),
                "the time budget must be a positive number of minutes",
            ));
        }
        self.space.validate()?;
        // Every value a trial does not vary, checked through the space's first point.
        let first = self.space.grid_point(0).ok_or_else(|| {
            TuneError::invalid("layers", format!("{:?}", self.space.layers), "empty space")
        })?;
        self.fit_options(&first).validate()?;
        Ok(())
    }

    /// The fit options of a trial of `candidate`.
    pub fn fit_options(&self, candidate: &Candidate) -> FitOptions {
        FitOptions {
            epochs: self.epochs,
            batch_size: candidate.batch_size,
            optimizer: candidate.optimizer,
            learning_rate: candidate.learning_rate,
            validation_split: self.validation_split,
            patience: self.patience,
            seed: self.seed,
            ..FitOptions::default()
        }
    }
}

/// One trial, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    /// The trial's number, from 1, in the order trials ran.
    pub number: usize,
    /// What it tried.
    pub candidate: Candidate,
    /// How it ended.
    pub outcome: TrialOutcome,
    /// Wall-clock seconds it took.
    pub seconds: f64,
    /// Its run directory.
    pub dir: PathBuf,
}

/// What happens during a search, for the caller to show.
#[derive(Debug)]
pub enum TuneEvent<'a> {
    /// A trial starts.
    Started {
        /// Its number.
        number: usize,
        /// What it tries.
        candidate: &'a Candidate,
    },
    /// A trial ended (finished or diverged).
    Ended(&'a TrialRecord),
    /// The time budget is spent: no further trial starts.
    BudgetSpent {
        /// Trials run.
        trials_run: usize,
        /// The budget, in minutes.
        minutes: f64,
    },
    /// The grid has no point left.
    GridExhausted {
        /// Number of points run.
        points: usize,
    },
}

/// The outcome of a search.
#[derive(Debug, Clone)]
pub struct TuneReport {
    /// Every trial, in the order they ran.
    pub trials: Vec<TrialRecord>,
    /// Index in `trials` of the best trial.
    pub best: usize,
    /// The copy of the best trial's run directory.
    pub best_dir: PathBuf,
    /// Whether the time budget ended the search early.
    pub stopped_by_budget: bool,
    /// Whether the grid ran out of points before `--trials`.
    pub grid_exhausted: bool,
    /// Repairs the loader made to the data file.
    pub notes: Vec<String>,
    /// Charts that could not be drawn (the other results are complete), for the caller to
    /// tell the user.
    pub warnings: Vec<String>,
}

impl TuneReport {
    /// The trials ranked by score, best first; ties and diverged trials in the order they ran.
    pub fn ranked(&self) -> Vec<&TrialRecord> {
        rank(&self.trials)
    }
}

/// `records` ranked by score, best first; ties and diverged trials in the order they ran.
pub fn rank(records: &[TrialRecord]) -> Vec<&TrialRecord> {
    let mut ranked: Vec<&TrialRecord> = records.iter().collect();
    ranked.sort_by(|a, b| {
        compare_optional(a.outcome.score(), b.outcome.score()).then(a.number.cmp(&b.number))
    });
    ranked
}

/// Runs the search described by `settings` on `setup`'s data, each trial in
/// `setup.out/trials/NNN` (a full run directory), on one validation split; copies the best
/// trial to `setup.out/best` and writes `trials.csv`, `trials.json` and `scores.png` (see
/// [`write_tune_results`]). `progress` hears of every trial as it starts and ends.
///
/// A diverged trial is recorded and the search goes on; any other failure stops it. When
/// every trial diverged there is no best model: [`TuneError::NothingFinished`], after the
/// results are written.
pub fn tune(
    settings: &TuneSettings,
    setup: RunSetup,
    progress: &mut dyn FnMut(TuneEvent),
) -> Result<TuneReport, TuneError> {
    settings.validate()?;
    let table = PreparedTable::load(
        settings.task,
        setup.data_dir,
        settings.scale,
        settings.validation_split,
    )?;
    let mut sampler = settings.strategy.sampler(&settings.space, settings.seed);
    let started = Instant::now();
    let mut observations: Vec<Observation> = Vec::new();
    let mut trials: Vec<TrialRecord> = Vec::new();
    let mut stopped_by_budget = false;
    let mut grid_exhausted = false;
    for number in 1..=settings.trials {
        if let Some(budget) = settings.max_duration
            && started.elapsed() >= budget
        {
            stopped_by_budget = true;
            progress(TuneEvent::BudgetSpent {
                trials_run: trials.len(),
                minutes: budget.as_secs_f64() / 60.0,
            });
            break;
        }
        let Some(candidate) = sampler.propose(&observations) else {
            grid_exhausted = true;
            progress(TuneEvent::GridExhausted {
                points: trials.len(),
            });
            break;
        };
        progress(TuneEvent::Started {
            number,
            candidate: &candidate,
        });
        let dir = setup.out.join(TRIALS_DIR).join(format!("{number:03}"));
        let trial_setup = RunSetup {
            out: &dir,
            verbosity: Verbosity::Quiet,
            ..setup
        };
        let clock = Instant::now();
        let outcome = run_trial(
            &table,
            &candidate.hidden,
            candidate.activation,
            &settings.fit_options(&candidate),
            trial_setup,
        )
        .map_err(|source| TuneError::Trial {
            trial: format!("trial {number} ({candidate})"),
            source: Box::new(source),
        })?;
        let record = TrialRecord {
            number,
            candidate: candidate.clone(),
            outcome: outcome.clone(),
            seconds: clock.elapsed().as_secs_f64(),
            dir,
        };
        progress(TuneEvent::Ended(&record));
        observations.push(Observation {
            candidate,
            score: outcome.score().copied(),
        });
        trials.push(record);
    }
    let best = rank(&trials)
        .first()
        .filter(|r| r.outcome.score().is_some())
        .map(|r| r.number - 1);
    let mut copied = Vec::new();
    let best_dir = setup.out.join(BEST_DIR);
    if let Some(best) = best {
        copied = copy_run_dir(&trials[best].dir, &best_dir)?;
    }
    let mut warnings = write_tune_results(
        settings,
        &trials,
        best.map(|_| best_dir.as_path()),
        setup.out,
    )?;
    warnings.extend(copied);
    let best = best.ok_or(TuneError::NothingFinished {
        trials: trials.len(),
    })?;
    Ok(TuneReport {
        trials,
        best,
        best_dir,
        stopped_by_budget,
        grid_exhausted,
        notes: table.notes,
        warnings,
    })
}
