//! A process-wide count of finished training and evaluation steps, so that something outside
//! the loops (the command-line tool's watchdog) can tell a slow run from a stuck one.
//!
//! Every batch loop calls [`tick`] once per step: the fused engine's training and validation
//! passes, burn-train's Learner (through the progress reporter) and the evaluation loops.

use std::sync::atomic::{AtomicU64, Ordering};

/// Steps finished since the process started.
static STEPS: AtomicU64 = AtomicU64::new(0);

/// Records that one more step (a batch trained or scored) has finished.
pub fn tick() {
    STEPS.fetch_add(1, Ordering::Relaxed);
}

/// How many steps have finished since the process started; it only ever grows.
pub fn steps() -> u64 {
    STEPS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_is_counted() {
        // Other tests tick concurrently, so the count can only be checked to have grown.
        let before = steps();
        tick();
        assert!(steps() > before);
    }
}
