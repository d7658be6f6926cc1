//! The course's experiments, each a set of full training runs through `kindling-train`'s fit on
//! one data split, with a result table, CSV and JSON files and a chart.
//!
//! [`sweep`] trains at several learning rates, each run [`trial_status`]-classified as ok,
//! diverged or stalled; [`range_test`] is a learning-rate range test; [`compare`] compares
//! hidden-layer layouts. They share [`experiment`]'s run directory and result table and
//! [`experiment_data`]'s loading; [`capacity`] and [`tune`] search architectures and
//! hyper-parameters.

pub mod capacity;
pub mod compare;
pub mod experiment;
pub mod experiment_data;
pub mod range_test;
pub mod sweep;
pub mod trial_status;
pub mod tune;

/// Held by the tests that seed the backend: its generator is global, so a test running
/// beside them could draw from it between their seeding and their drawing.
#[cfg(test)]
static SEEDED_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes [`SEEDED_TESTS`] (a test that failed while holding it does not poison the others).
#[cfg(test)]
fn seeded_test_guard() -> std::sync::MutexGuard<'static, ()> {
    SEEDED_TESTS.lock().unwrap_or_else(|e| e.into_inner())
}
