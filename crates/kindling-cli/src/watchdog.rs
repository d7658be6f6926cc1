//! The watchdog: a command that computes on the backend ends with an error when no training or
//! evaluation step has finished for `KINDLING_WATCHDOG_SECS` seconds (default 600; `0` turns
//! it off), rather than hanging forever (a stuck GPU driver, a data file that never finishes
//! reading). Steps are counted by [`kindling_train::progress`].
//!
//! The default is far above the slowest legitimate wait seen: the first step on Mesa's
//! software Vulkan driver, which compiles every GPU kernel on the CPU (well under two minutes).

use anyhow::{Result, bail};
use std::io::Write;
use std::time::{Duration, Instant};

/// The environment variable holding the limit in seconds.
pub const ENV: &str = "KINDLING_WATCHDOG_SECS";

/// The limit when [`ENV`] is unset.
pub const DEFAULT_SECS: u64 = 600;

/// The exit status of a run the watchdog stopped.
const STALLED_STATUS: i32 = 1;

/// The limit `value` (of [`ENV`], `None` when unset) asks for; `None` when it is `0` (off).
pub fn limit(value: Option<&str>) -> Result<Option<Duration>> {
    let seconds = match value.map(str::trim) {
        None | Some("") => DEFAULT_SECS,
        Some(text) => match text.parse::<u64>() {
            Ok(seconds) => seconds,
            Err(_) => bail!(
                "{ENV}={text:?} is not a whole number of seconds: use e.g. {DEFAULT_SECS}, \
                 or 0 to turn the watchdog off"
            ),
        },
    };
    Ok((seconds > 0).then(|| Duration::from_secs(seconds)))
}

/// Starts the watchdog thread with the limit from [`ENV`] (does nothing if it is off).
/// `backend` names what is running when it stalls, for the message: "the wgpu backend
/// (llvmpipe ..., Vulkan)".
pub fn start(backend: fn() -> String) -> Result<()> {
    let Some(limit) = limit(std::env::var(ENV).ok().as_deref())? else {
        return Ok(());
    };
    let poll = (limit / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
    std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || {
            let mut watch = Watch::new(kindling_train::progress::steps(), Instant::now());
            loop {
                std::thread::sleep(poll);
                let steps = kindling_train::progress::steps();
                if let Some(idle) = watch.observe(steps, Instant::now(), limit) {
                    let _ = writeln!(std::io::stderr(), "{}", stalled_message(&backend(), idle));
                    std::process::exit(STALLED_STATUS);
                }
            }
        })?;
    Ok(())
}

/// The error printed when the watchdog stops a run.
fn stalled_message(backend: &str, idle: Duration) -> String {
    format!(
        "error: no progress for {} s on {backend}: no training or evaluation step \
         finished in that time, so the run was stopped.\n  If the run is only slow, raise {ENV} \
         (the limit in seconds, default {DEFAULT_SECS}; 0 turns the watchdog off); otherwise \
         please report it with the output of `kindling info`.",
        idle.as_secs()
    )
}

/// The step count last seen and when it last changed.
#[derive(Debug)]
struct Watch {
    steps: u64,
    since: Instant,
}

impl Watch {
    fn new(steps: u64, now: Instant) -> Self {
        Self { steps, since: now }
    }

    /// Records the step count seen at `now`: `Some(time without progress)` once that reaches
    /// `limit`.
    fn observe(&mut self, steps: u64, now: Instant, limit: Duration) -> Option<Duration> {
        if steps != self.steps {
            self.steps = steps;
            self.since = now;
            return None;
        }
        let idle = now.saturating_duration_since(self.since);
        (idle >= limit).then_some(idle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_read_from_the_variable() {
        assert_eq!(
            limit(None).unwrap(),
            Some(Duration::from_secs(DEFAULT_SECS))
        );
        assert_eq!(limit(Some(" 30 ")).unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(limit(Some("0")).unwrap(), None);
        let error = limit(Some("10m")).unwrap_err().to_string();
        assert!(error.contains(ENV) && error.contains("\"10m\""), "{error}");
    }

    #[test]
    fn only_a_run_without_steps_for_the_whole_limit_is_stalled() {
        let start = Instant::now();
        let limit = Duration::from_secs(600);
        let at = |seconds| start + Duration::from_secs(seconds);
        let mut watch = Watch::new(0, start);
        assert_eq!(watch.observe(0, at(599), limit), None);
        // A step restarts the clock.
        assert_eq!(watch.observe(1, at(599), limit), None);
        assert_eq!(watch.observe(1, at(1198), limit), None);
        assert_eq!(
            watch.observe(1, at(1199), limit),
            Some(Duration::from_secs(600))
        );
    }

    #[test]
    fn the_message_names_the_backend_and_the_way_out() {
        let backend = "the wgpu backend (llvmpipe, Vulkan)";
        let message = stalled_message(backend, Duration::from_secs(600));
        assert!(
            message.starts_with("error: no progress for 600 s on the wgpu backend (llvmpipe"),
            "{message}"
        );
        assert!(message.contains(ENV));
    }
}
