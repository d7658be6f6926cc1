//! What a walkthrough topic shows: text for the learner and the data of any figures.

use std::fmt::Write;

/// One curve of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// The (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// A line chart for the caller to draw (the CLI writes it as a PNG).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File name to write, e.g. `gradient_descent.png`.
    pub file_name: String,
    /// Title.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// The curves.
    pub curves: Vec<Curve>,
}

/// A topic's printed text and figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// The text, line by line.
    pub text: String,
    /// Figures to draw.
    pub figures: Vec<Figure>,
}

impl Section {
    /// Appends a line of text.
    pub fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    /// Appends a formatted line (for use with `format_args!`).
    pub fn linef(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = self.text.write_fmt(args);
        self.text.push('\n');
    }
}

/// A vector printed with up to 6 significant decimals: `[5, 1]`, `[0.7, 1.6]`.
pub fn fmt_vec(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|&v| fmt_num(v)).collect();
    format!("[{}]", parts.join(", "))
}

/// A number with up to 6 decimals, trailing zeros removed: `9`, `2.24`, `0.99010954`.
pub fn fmt_num(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    if value == value.trunc() && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    let text = format!("{value:.8}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_the_course() {
        assert_eq!(fmt_num(9.0), "9");
        assert_eq!(fmt_num(2.24), "2.24");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_vec(&[0.7, 1.6]), "[0.7, 1.6]");
        assert_eq!(fmt_num(49.890625), "49.890625");
    }
}
