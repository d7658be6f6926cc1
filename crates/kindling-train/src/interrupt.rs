//! Stopping a fit from outside the loop (Ctrl-C, SIGTERM, a GUI's stop button): the running
//! fit ends at the end of its current batch, keeps the epochs it finished, and reports that it
//! was interrupted ([`crate::FitResult::interrupted`]).

use burn::train::Interrupter;
use std::sync::OnceLock;

/// The interrupter every fit in this process watches: burn-train's [`Interrupter`]. Call
/// [`Interrupter::stop`] on it (from a signal handler, say) to end the running fit at the end
/// of its current batch; a fit that starts while it is stopped ends before its first batch.
pub fn interrupter() -> &'static Interrupter {
    static INTERRUPTER: OnceLock<Interrupter> = OnceLock::new();
    INTERRUPTER.get_or_init(Interrupter::new)
}

/// Whether the process was asked to stop.
pub fn stop_requested() -> bool {
    interrupter().should_stop()
}
