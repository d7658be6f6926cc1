//! What a fit prints: a Keras `verbose=2` line per epoch, a progress bar on a terminal, or
//! nothing.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// How much a fit prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// A progress bar on a terminal, one line per epoch otherwise.
    Auto,
    /// One line per epoch, Keras `verbose=2` style.
    Lines,
    /// Nothing.
    Quiet,
}

impl Verbosity {
    pub(crate) fn shows_bar(self) -> bool {
        self == Verbosity::Auto && std::io::stderr().is_terminal()
    }
}

/// The progress bar of one split of one epoch.
pub(crate) fn epoch_bar(
    epoch: usize,
    total_epochs: usize,
    split: &str,
    items: usize,
) -> ProgressBar {
    let bar = ProgressBar::new(items as u64);
    let style =
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} examples ({rate}, eta {eta})")
            .map(|style| {
                style.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}", readable_rate(state.per_sec()));
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(format!("Epoch {epoch}/{total_epochs} {split}"));
    bar
}

/// A rate as a reader takes it in: three significant digits and a unit, `153k samples/s`,
/// `1.53M samples/s`, `950 samples/s` (indicatif's `{per_sec}` prints `153,153.7929/s`).
pub fn readable_rate(per_second: f64) -> String {
    let (value, unit) = match per_second {
        r if !r.is_finite() || r < 0.0 => return "- samples/s".into(),
        r if r >= 999.5e3 => (r / 1e6, "M"),
        r if r >= 999.5 => (r / 1e3, "k"),
        r => (r, ""),
    };
    let decimals = match value {
        v if v >= 99.95 => 0,
        v if v >= 9.995 => 1,
        _ if unit.is_empty() => 0,
        _ => 2,
    };
    format!("{value:.decimals$}{unit} samples/s")
}

/// Prints an epoch's line as `verbosity` says: above the progress bar if there is one.
pub(crate) fn print_epoch_line(verbosity: Verbosity, bar: Option<&ProgressBar>, line: String) {
    match (bar, verbosity) {
        (_, Verbosity::Quiet) => {}
        (Some(bar), _) => bar.println(line),
        (None, _) => println!("{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::readable_rate;

    #[test]
    fn rates_read_at_a_glance() {
        assert_eq!(readable_rate(153_153.793), "153k samples/s");
        assert_eq!(readable_rate(15_315.3), "15.3k samples/s");
        assert_eq!(readable_rate(1_530_000.0), "1.53M samples/s");
        assert_eq!(readable_rate(999_999.0), "1.00M samples/s");
        assert_eq!(readable_rate(950.4), "950 samples/s");
        assert_eq!(readable_rate(7.2), "7 samples/s");
        assert_eq!(readable_rate(f64::NAN), "- samples/s");
    }
}
