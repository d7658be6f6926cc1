//! A Keras-style model summary: each layer, its output shape and parameter count.

use kindling_models::{DenseStackConfig, Head};

/// The summary table of `config`, titled `name`, as Keras's `model.summary()` prints it.
pub fn summary_table(name: &str, config: &DenseStackConfig) -> String {
    let rule = "_".repeat(66);
    let double = "=".repeat(66);
    let mut out = format!("Model: \"{name}\"\n{rule}\n");
    out.push_str(&format!(
        " {:<30}{:<22}{:>12}\n{double}\n",
        "Layer (type)", "Output Shape", "Param #"
    ));
    let mut previous = config.input;
    let last = config.hidden.len();
    for (i, &width) in config
        .hidden
        .iter()
        .chain(std::iter::once(&config.output))
        .enumerate()
    {
        let activation = if i < last {
            config.activations[i].name()
        } else {
            match config.head {
                Head::Softmax => "softmax",
                Head::Linear => "linear",
            }
        };
        let label = if i == 0 {
            "dense".to_string()
        } else {
            format!("dense_{i}")
        };
        out.push_str(&format!(
            " {:<30}{:<22}{:>12}\n",
            format!("{label} (Dense, {activation})"),
            format!("(None, {width})"),
            thousands(previous * width + width)
        ));
        previous = width;
    }
    out.push_str(&format!(
        "{double}\nTotal params: {}\nTrainable params: {}\n{rule}\n",
        thousands(config.num_params()),
        thousands(config.num_params())
    ));
    out
}

/// `39760` as `39,760`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_models::DigitNetConfig;

    #[test]
    fn the_digit_net_has_42310_parameters() {
        let table = summary_table("mnist", &DigitNetConfig::new().stack());
        assert!(table.contains("dense (Dense, relu)"), "{table}");
        assert!(table.contains("39,250"), "{table}");
        assert!(table.contains("dense_2 (Dense, softmax)"), "{table}");
        assert!(table.contains("Total params: 42,310\n"), "{table}");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
