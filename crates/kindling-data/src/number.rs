//! Numbers in messages, short and as a user would have written them.

/// `value` in its shortest form that reads back as the same number: `0.3`, `2`, `1e-300`,
/// `1e20` (never three hundred zeros, as `f64`'s `Display` prints `1e-300`).
pub fn short(value: f64) -> String {
    // `Debug` is the shortest round-trip text and switches to an exponent for very small and
    // very large magnitudes; it marks whole numbers with a `.0` that a user would not type.
    let text = format!("{value:?}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(short(0.3), "0.3");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(-1.5), "-1.5");
        assert_eq!(short(1e-300), "1e-300");
        assert_eq!(short(1e20), "1e20");
        assert_eq!(short(100000000.0), "100000000");
        assert_eq!(short(f64::NAN), "NaN");
        assert_eq!(short(f64::INFINITY), "inf");
        for value in [0.001, 1e-7, 123.456, 5e-324] {
            assert_eq!(short(value).parse::<f64>().unwrap(), value);
        }
    }
}
