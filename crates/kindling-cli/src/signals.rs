//! Ctrl-C and SIGTERM during training: the first asks the running fit to stop at the end of its
//! current batch (the run keeps the epochs that ended, and says how to resume); a second ends
//! the process at once. Installed only by the commands that train, so that Ctrl-C stops any
//! other command as usual.

use kindling_train::interrupt::interrupter;

/// Installs the handler (once; a failure to install leaves the default, which ends the
/// process).
pub fn stop_training_on_signal() {
    let _ = ctrlc::set_handler(|| {
        if interrupter().should_stop() {
            std::process::exit(crate::exit::INTERRUPTED);
        }
        interrupter().stop(Some("interrupted by a signal"));
        eprintln!("\nstopping at the end of this batch (press Ctrl-C again to stop at once)");
    });
}
