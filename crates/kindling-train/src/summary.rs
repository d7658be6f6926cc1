//! A Keras-style model summary: each layer, its output shape and parameter count.

use kindling_models::{ConvNetConfig, DenseStackConfig, Head, NetworkConfig};

/// Width of the layer column of a dense stack's summary (a conv net's is wider, for Keras's
/// longer layer names).
const DENSE_NAMES: usize = 30;
/// Width of the layer column of a conv net's summary.
const CONV_NAMES: usize = 34;

/// The summary table of any network a run holds (see [`summary_table`], [`conv_summary_table`]).
pub fn network_summary(name: &str, config: &NetworkConfig) -> String {
    match config {
        NetworkConfig::Dense(dense) => summary_table(name, dense),
        NetworkConfig::Conv(conv) => conv_summary_table(name, conv),
    }
}

/// One line of a summary whose layer column is `names` wide.
fn row(names: usize, layer: &str, shape: &str, params: &str) -> String {
    format!(" {layer:<names$}{shape:<22}{params:>12}\n")
}

/// The title and column heads of a summary whose layer column is `names` wide.
fn heading(name: &str, names: usize) -> String {
    let rule = "_".repeat(names + 36);
    let double = "=".repeat(names + 36);
    format!(
        "Model: \"{name}\"\n{rule}\n{}{double}\n",
        row(names, "Layer (type)", "Output Shape", "Param #")
    )
}

/// The totals that end a summary whose layer column is `names` wide.
fn totals(params: usize, names: usize) -> String {
    let rule = "_".repeat(names + 36);
    let double = "=".repeat(names + 36);
    format!(
        "{double}\nTotal params: {}\nTrainable params: {}\n{rule}\n",
        thousands(params),
        thousands(params)
    )
}

/// The summary table of a conv net, titled `name`, as Keras prints the "Simple MNIST convnet":
/// shapes `(None, height, width, channels)`, Keras's channel-last order.
///
/// # Panics
/// If the configuration is invalid; see [`ConvNetConfig::validate`].
pub fn conv_summary_table(name: &str, config: &ConvNetConfig) -> String {
    let mut out = heading(name, CONV_NAMES);
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for layer in config.layers() {
        let count = seen.entry(layer.name).or_default();
        let base = match layer.name {
            "Conv2D" => "conv2d".to_string(),
            "MaxPooling2D" => "max_pooling2d".to_string(),
            other => other.to_lowercase(),
        };
        let label = match *count {
            0 => base,
            n => format!("{base}_{n}"),
        };
        *count += 1;
        let shape: Vec<String> = layer.shape.iter().map(usize::to_string).collect();
        out.push_str(&row(
            CONV_NAMES,
            &format!("{label} ({})", layer.name),
            &format!("(None, {})", shape.join(", ")),
            &thousands(layer.params),
        ));
    }
    out.push_str(&totals(config.num_params(), CONV_NAMES));
    out
}

/// The summary table of `config`, titled `name`, as Keras's `model.summary()` prints it.
pub fn summary_table(name: &str, config: &DenseStackConfig) -> String {
    let mut out = heading(name, DENSE_NAMES);
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
        out.push_str(&row(
            DENSE_NAMES,
            &format!("{label} (Dense, {activation})"),
            &format!("(None, {width})"),
            &thousands(previous * width + width),
        ));
        previous = width;
    }
    out.push_str(&totals(config.num_params(), DENSE_NAMES));
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

    #[test]
    fn the_convnet_lists_keras_layers_and_34826_parameters() {
        let table = network_summary("mnist", &ConvNetConfig::mnist().into());
        for line in [
            " conv2d (Conv2D)                   (None, 26, 26, 32)             320\n",
            " max_pooling2d (MaxPooling2D)      (None, 13, 13, 32)               0\n",
            " conv2d_1 (Conv2D)                 (None, 11, 11, 64)          18,496\n",
            " max_pooling2d_1 (MaxPooling2D)    (None, 5, 5, 64)                 0\n",
            " flatten (Flatten)                 (None, 1600)                     0\n",
            " dropout (Dropout)                 (None, 1600)                     0\n",
            " dense (Dense)                     (None, 10)                  16,010\n",
            "Total params: 34,826\n",
        ] {
            assert!(table.contains(line), "{line:?} not in\n{table}");
        }
    }
}
