//! How a dense layer's weights start: Keras's `kernel_initializer`s, drawn by Burn's
//! initializers (biases always start at zero, as Keras's `Dense` does).

use burn::nn::Initializer;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A dense layer's weight initializer, by Keras's name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightInit {
    /// Uniform in ±√(6 / (fan_in + fan_out)): Keras's default.
    #[default]
    GlorotUniform,
    /// Normal with standard deviation √(2 / fan_in), for ReLU layers (Keras truncates the
    /// normal at two deviations; Burn's is not truncated).
    HeNormal,
    /// Uniform in ±√(6 / fan_in), for ReLU layers.
    HeUniform,
    /// Normal with standard deviation √(1 / fan_in), for SELU-like layers (not truncated).
    LecunNormal,
    /// Every weight 0: every unit of a layer then learns the same thing, which is the lesson.
    Zeros,
}

impl WeightInit {
    /// Every initializer, in the order the help text lists them.
    pub const ALL: [WeightInit; 5] = [
        WeightInit::GlorotUniform,
        WeightInit::HeNormal,
        WeightInit::HeUniform,
        WeightInit::LecunNormal,
        WeightInit::Zeros,
    ];

    /// Keras's name, used on the command line and in saved configs.
    pub fn name(self) -> &'static str {
        match self {
            WeightInit::GlorotUniform => "glorot_uniform",
            WeightInit::HeNormal => "he_normal",
            WeightInit::HeUniform => "he_uniform",
            WeightInit::LecunNormal => "lecun_normal",
            WeightInit::Zeros => "zeros",
        }
    }

    /// Burn's initializer that draws these weights (its fan-in is a dense layer's inputs).
    pub fn burn(self) -> Initializer {
        let sqrt2 = std::f64::consts::SQRT_2;
        match self {
            WeightInit::GlorotUniform => Initializer::XavierUniform { gain: 1.0 },
            WeightInit::HeNormal => Initializer::KaimingNormal {
                gain: sqrt2,
                fan_out_only: false,
            },
            WeightInit::HeUniform => Initializer::KaimingUniform {
                gain: sqrt2,
                fan_out_only: false,
            },
            WeightInit::LecunNormal => Initializer::KaimingNormal {
                gain: 1.0,
                fan_out_only: false,
            },
            WeightInit::Zeros => Initializer::Zeros,
        }
    }
}

impl fmt::Display for WeightInit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WeightInit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        WeightInit::ALL
            .into_iter()
            .find(|w| w.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = WeightInit::ALL.iter().map(|w| w.name()).collect();
                format!(
                    "unknown initializer `{s}`; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, DenseStackConfig};
    use burn::prelude::*;

    /// The first layer's weights of a 400 → 300 network started with `init`.
    fn weights(init: WeightInit) -> Vec<f32> {
        let config =
            DenseStackConfig::uniform(400, &[300], Activation::Relu, 2).with_initializer(init);
        let net = config.init(&Device::flex());
        net.layers[0]
            .weight
            .val()
            .into_data()
            .iter::<f32>()
            .collect()
    }

    fn std(values: &[f32]) -> f64 {
        let n = values.len() as f64;
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
        (values
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt()
    }

    #[test]
    fn each_initializer_draws_with_kerass_spread() {
        // Uniform in ±limit has deviation limit / √3.
        let glorot = weights(WeightInit::GlorotUniform);
        let limit = (6.0f64 / 700.0).sqrt();
        assert!(glorot.iter().all(|&w| (w as f64).abs() <= limit + 1e-6));
        assert!((std(&glorot) - limit / 3f64.sqrt()).abs() < 0.002);

        let he_uniform = weights(WeightInit::HeUniform);
        let limit = (6.0f64 / 400.0).sqrt();
        assert!(he_uniform.iter().all(|&w| (w as f64).abs() <= limit + 1e-6));

        assert!((std(&weights(WeightInit::HeNormal)) - (2.0f64 / 400.0).sqrt()).abs() < 0.003);
        assert!((std(&weights(WeightInit::LecunNormal)) - (1.0f64 / 400.0).sqrt()).abs() < 0.002);
        assert!(weights(WeightInit::Zeros).iter().all(|&w| w == 0.0));
    }

    #[test]
    fn names_are_kerass() {
        assert_eq!("HE_NORMAL".parse(), Ok(WeightInit::HeNormal));
        assert!(
            "orthogonal"
                .parse::<WeightInit>()
                .unwrap_err()
                .contains("glorot_uniform")
        );
    }
}
