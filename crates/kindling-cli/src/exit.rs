//! How the process ends: quietly when the reader of its output went away (a closed pipe, as in
//! `kindling predict ... | head -3`), with one clear line and a non-zero status on an error, and
//! at once, from any thread, on a panic (a panicking worker thread must never leave the process
//! hanging).

use kindling_lab::tune::TuneError;
use kindling_train::TrainError;
use std::io::ErrorKind;
use std::panic::PanicHookInfo;
use std::process::ExitCode;

/// The status after an interruption (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it.
pub const INTERRUPTED: i32 = 130;

/// The status after an internal error (a panic): sysexits' `EX_SOFTWARE`.
const PANIC_STATUS: i32 = 70;

/// Installs the panic hook: a broken pipe on standard output or error exits quietly with status
/// 0, as Unix filters do; any other panic, in any thread, prints one `error:` line naming the
/// thread and the place, and ends the whole process with status 70.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info);
        if is_broken_pipe_message(&message) {
            std::process::exit(0);
        }
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("a worker thread");
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Written with `let _` so a closed stderr cannot panic inside the hook.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error in {thread}{place}: {message}\n\
             This is a bug in Kindling or a library it uses; please report it with the output of \
             `kindling info`."
        );
        std::process::exit(PANIC_STATUS);
    }));
}

/// The exit status for a command's result: an error whose cause is a broken pipe ends quietly
/// with success (the reader had what it wanted); an interruption prints what was kept and exits
/// [`INTERRUPTED`]; any other error is printed as one line with its causes.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    use std::io::Write;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) if is_interruption(&error) => {
            let _ = writeln!(std::io::stderr(), "{}", message(&error));
            ExitCode::from(INTERRUPTED as u8)
        }
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {}", message(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, outermost first, as `{error:#}` prints them, with the libraries'
/// parameter names (`learning_rate`) spelled as this command's flags (`--lr`). A cause whose
/// text the message already ends with (an OS error a library quoted beside its path) is not
/// repeated.
fn message(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in error.chain().map(|cause| {
        // The experiments wrap the training crate's error transparently.
        let train = match cause.downcast_ref::<TuneError>() {
            Some(TuneError::Train(inner)) => Some(inner),
            _ => cause.downcast_ref::<TrainError>(),
        };
        match train {
            Some(TrainError::InvalidOption {
                name,
                value,
                reason,
            }) => format!("invalid {} {value}: {reason}", flag(name)),
            _ => cause.to_string(),
        }
    }) {
        if !parts.last().is_some_and(|last| last.ends_with(&part)) {
            parts.push(part);
        }
    }
    parts.join(": ")
}

/// The flag that sets the library parameter `name` (`name` itself when no flag does).
fn flag(name: &str) -> String {
    match name {
        "learning_rate" => "--lr".into(),
        "learning_rates" => "--lrs".into(),
        "architectures" => "--arch".into(),
        "epochs"
        | "batch_size"
        | "validation_split"
        | "patience"
        | "batch_sizes"
        | "trials"
        | "max_minutes"
        | "layers"
        | "widths"
        | "activations"
        | "optimizers"
        | "adam_lr"
        | "sgd_lr"
        | "task"
        | "max_layers"
        | "patience_steps"
        | "momentum"
        | "nesterov"
        | "weight_decay"
        | "lr_schedule"
        | "decay_rate"
        | "decay_epochs"
        | "warmup_epochs"
        | "reduce_lr_on_plateau"
        | "plateau_factor"
        | "plateau_patience"
        | "min_lr"
        | "clip_norm"
        | "engine"
        | "optimizer"
        | "monitor"
        | "features" => {
            format!("--{}", name.replace('_', "-"))
        }
        other => other.into(),
    }
}

/// Whether the error is a fit stopped by a signal, or a run that recorded one.
fn is_interruption(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<Interrupted>()
            || matches!(
                cause.downcast_ref::<TrainError>(),
                Some(TrainError::Interrupted)
            )
            || matches!(
                cause.downcast_ref::<TuneError>(),
                Some(TuneError::Train(TrainError::Interrupted))
            )
    })
}

/// A command that stopped because it was asked to (its message says what it kept and how to go
/// on); the process exits with [`INTERRUPTED`].
#[derive(Debug)]
pub struct Interrupted(pub String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Whether any cause in the error's chain is an I/O error of kind `BrokenPipe`.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
    })
}

/// The panic's message, whether it was raised with a literal or a formatted string.
fn panic_message(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

/// Whether a panic message is std's `print!`/`eprint!` failing on a closed pipe
/// ("failed printing to stdout: Broken pipe (os error 32)").
fn is_broken_pipe_message(message: &str) -> bool {
    message.starts_with("failed printing to std") && message.contains("Broken pipe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_failures_on_a_closed_pipe_are_recognised() {
        assert!(is_broken_pipe_message(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(is_broken_pipe_message(
            "failed printing to stderr: Broken pipe (os error 32)"
        ));
        assert!(!is_broken_pipe_message(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
        assert!(!is_broken_pipe_message("index out of bounds"));
    }

    #[test]
    fn parameter_names_become_flags_and_the_chain_reads_as_before() {
        let invalid = TrainError::InvalidOption {
            name: "learning_rate",
            value: "-1".into(),
            reason: "the learning rate must be positive".into(),
        };
        let error = anyhow::Error::new(invalid).context("sweep-lr");
        assert_eq!(
            message(&error),
            "sweep-lr: invalid --lr -1: the learning rate must be positive"
        );
        assert_eq!(flag("batch_size"), "--batch-size");
        let trials = TuneError::invalid("trials", "0".into(), "run at least one trial");
        assert_eq!(
            message(&anyhow::Error::new(trials)),
            "invalid --trials 0: run at least one trial"
        );
        assert_eq!(flag("model input width"), "model input width");
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&plain), format!("{plain:#}"));
        // An OS error quoted by the error that carries it is printed once.
        let full = std::io::Error::from_raw_os_error(28);
        let io = TrainError::io("runs/x/model.bpk", full);
        let text = message(&anyhow::Error::new(io));
        assert_eq!(text.matches("os error 28").count(), 1, "{text}");
    }

    #[test]
    fn a_broken_pipe_anywhere_in_the_chain_is_found() {
        let pipe = std::io::Error::new(ErrorKind::BrokenPipe, "pipe");
        let error = anyhow::Error::new(pipe).context("writing predictions");
        assert!(is_broken_pipe(&error));
        let other = anyhow::Error::new(std::io::Error::other("disk")).context("writing");
        assert!(!is_broken_pipe(&other));
    }
}
