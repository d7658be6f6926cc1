//! A playground setup: everything the page's controls set, read from and written to its URL's
//! query string, checked once into a valid [`Setup`].

use crate::data::Dataset;
use kindling_models::Activation;
use serde::Serialize;
use std::fmt;

/// The most hidden layers, as in the TensorFlow Playground.
pub const MAX_LAYERS: usize = 6;
/// The most neurons in a hidden layer.
pub const MAX_NEURONS: usize = 8;
/// Points generated per data set.
pub const POINTS: usize = 500;

/// One input of the network, computed from a point (x₁, x₂).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Feature {
    /// x₁.
    X1,
    /// x₂.
    X2,
    /// x₁².
    X1Squared,
    /// x₂².
    X2Squared,
    /// x₁·x₂.
    X1X2,
    /// sin x₁.
    SinX1,
    /// sin x₂.
    SinX2,
}

impl Feature {
    /// Every feature, in the page's order.
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// The name in URLs (and a saved run's column names).
    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1sq",
            Feature::X2Squared => "x2sq",
            Feature::X1X2 => "x1x2",
            Feature::SinX1 => "sinx1",
            Feature::SinX2 => "sinx2",
        }
    }

    /// Its value at (x₁, x₂).
    pub fn value(self, x: f32, y: f32) -> f32 {
        match self {
            Feature::X1 => x,
            Feature::X2 => y,
            Feature::X1Squared => x * x,
            Feature::X2Squared => y * y,
            Feature::X1X2 => x * y,
            Feature::SinX1 => x.sin(),
            Feature::SinX2 => y.sin(),
        }
    }
}

/// Weight regularization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Regularization {
    /// None.
    None,
    /// L1: `rate × Σ|w|` joins the loss.
    L1,
    /// L2: `rate × Σw²` joins the loss.
    L2,
}

/// A valid playground setup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setup {
    /// The data set.
    pub dataset: Dataset,
    /// Noise, in percent (0 to 50).
    pub noise: u32,
    /// The share of points that train, in percent (10 to 90); the rest test.
    pub ratio: u32,
    /// Points per gradient step (1 to 30).
    pub batch: usize,
    /// The inputs, in [`Feature::ALL`] order, at least one.
    pub features: Vec<Feature>,
    /// Neurons per hidden layer (up to [`MAX_LAYERS`] layers of 1 to [`MAX_NEURONS`]).
    pub layers: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// SGD's learning rate.
    pub lr: f64,
    /// The regularization.
    pub regularization: Regularization,
    /// Its rate.
    pub rate: f64,
    /// The seed of the data and the initial weights.
    pub seed: u64,
}

impl Default for Setup {
    /// The TensorFlow Playground's opening setup: the circle, x₁ and x₂, two hidden layers of
    /// 4 and 2 tanh neurons, learning rate 0.03.
    fn default() -> Self {
        Setup {
            dataset: Dataset::Circle,
            noise: 0,
            ratio: 50,
            batch: 10,
            features: vec![Feature::X1, Feature::X2],
            layers: vec![4, 2],
            activation: Activation::Tanh,
            lr: 0.03,
            regularization: Regularization::None,
            rate: 0.0,
            seed: 0,
        }
    }
}

/// A parameter that cannot be used, with what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError {
    /// The parameter's name in the URL.
    pub parameter: String,
    /// The value given.
    pub value: String,
    /// What is allowed.
    pub reason: String,
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} `{}`: {}",
            self.parameter, self.value, self.reason
        )
    }
}

impl std::error::Error for SetupError {}

impl Setup {
    /// The setup a URL query string describes (`dataset=xor&layers=4,2&lr=0.03`); parameters
    /// left out keep [`Setup::default`]'s values. An unknown parameter or a value out of range
    /// is an error naming it.
    pub fn from_query(query: &str) -> Result<Self, SetupError> {
        let mut setup = Setup::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(raw);
            let fail = |reason: &str| SetupError {
                parameter: key.to_string(),
                value: value.clone(),
                reason: reason.to_string(),
            };
            let number = |low: f64, high: f64, what: &str| -> Result<f64, SetupError> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && (low..=high).contains(v))
                    .ok_or_else(|| fail(what))
            };
            match key {
                "dataset" => setup.dataset = value.parse().map_err(|e: String| fail(&e))?,
                "noise" => {
                    setup.noise = number(0.0, 50.0, "a whole percentage from 0 to 50")? as u32
                }
                "ratio" => {
                    setup.ratio = number(10.0, 90.0, "a whole percentage from 10 to 90")? as u32
                }
                "batch" => setup.batch = number(1.0, 30.0, "a whole number from 1 to 30")? as usize,
                "features" => {
                    let mut features = Vec::new();
                    for name in value.split(',').filter(|n| !n.is_empty()) {
                        let feature = Feature::ALL
                            .into_iter()
                            .find(|f| f.name() == name)
                            .ok_or_else(|| {
                                fail("features are x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2")
                            })?;
                        if !features.contains(&feature) {
                            features.push(feature);
                        }
                    }
                    if features.is_empty() {
                        return Err(fail("pick at least one input feature"));
                    }
                    features.sort_by_key(|f| Feature::ALL.iter().position(|a| a == f));
                    setup.features = features;
                }
                "layers" => {
                    let layers = value
                        .split(',')
                        .filter(|n| !n.is_empty())
                        .map(|n| {
                            n.parse::<usize>()
                                .ok()
                                .filter(|n| (1..=MAX_NEURONS).contains(n))
                        })
                        .collect::<Option<Vec<usize>>>()
                        .ok_or_else(|| {
                            fail("neurons per layer, comma-separated, each from 1 to 8")
                        })?;
                    if layers.len() > MAX_LAYERS {
                        return Err(fail("at most 6 hidden layers"));
                    }
                    setup.layers = layers;
                }
                "activation" => {
                    setup.activation = match value.as_str() {
                        "relu" => Activation::Relu,
                        "tanh" => Activation::Tanh,
                        "sigmoid" => Activation::Sigmoid,
                        "linear" => Activation::Identity,
                        _ => return Err(fail("relu, tanh, sigmoid or linear")),
                    }
                }
                "lr" => setup.lr = number(1e-6, 10.0, "a learning rate from 0.000001 to 10")?,
                "reg" => {
                    setup.regularization = match value.as_str() {
                        "none" => Regularization::None,
                        "l1" => Regularization::L1,
                        "l2" => Regularization::L2,
                        _ => return Err(fail("none, l1 or l2")),
                    }
                }
                "rate" => setup.rate = number(0.0, 10.0, "a regularization rate from 0 to 10")?,
                "seed" => {
                    setup.seed = value
                        .parse()
                        .map_err(|_| fail("a whole number from 0 to 18446744073709551615"))?
                }
                _ => {
                    return Err(SetupError {
                        parameter: "parameter".into(),
                        value: key.to_string(),
                        reason: "known parameters are dataset, noise, ratio, batch, features, layers, activation, lr, reg, rate, seed".into(),
                    });
                }
            }
        }
        Ok(setup)
    }

    /// The query string that describes this setup (what the page puts in its URL).
    pub fn to_query(&self) -> String {
        let features: Vec<&str> = self.features.iter().map(|f| f.name()).collect();
        let layers: Vec<String> = self.layers.iter().map(usize::to_string).collect();
        format!(
            "dataset={}&noise={}&ratio={}&batch={}&features={}&layers={}&activation={}&lr={}&reg={}&rate={}&seed={}",
            self.dataset.name(),
            self.noise,
            self.ratio,
            self.batch,
            features.join(","),
            layers.join(","),
            activation_name(self.activation),
            self.lr,
            match self.regularization {
                Regularization::None => "none",
                Regularization::L1 => "l1",
                Regularization::L2 => "l2",
            },
            self.rate,
            self.seed
        )
    }
}

/// The page's name of an activation.
pub fn activation_name(activation: Activation) -> &'static str {
    match activation {
        Activation::Identity => "linear",
        other => other.name(),
    }
}

/// `%2C` and `+` decoded (what a browser encodes in a query value); a `%` not followed by two
/// hexadecimal digits stays as it is.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b'+', None) => out.push(b' '),
            (byte, None) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_back_as_the_same_setup() {
        let setup = Setup::from_query(
            "dataset=xor&noise=10&layers=8,8,2&activation=relu&lr=0.1&reg=l2&rate=0.001&features=x1%2Cx2,x1x2&seed=4",
        )
        .unwrap();
        assert_eq!(setup.dataset, Dataset::Xor);
        assert_eq!(setup.layers, [8, 8, 2]);
        assert_eq!(setup.features, [Feature::X1, Feature::X2, Feature::X1X2]);
        assert_eq!(Setup::from_query(&setup.to_query()).unwrap(), setup);
        assert_eq!(Setup::from_query("").unwrap(), Setup::default());
    }

    #[test]
    fn bad_values_are_named() {
        for (query, expected) in [
            ("lr=abc", "invalid lr `abc`: a learning rate"),
            ("layers=4,9", "invalid layers `4,9`: neurons per layer"),
            ("layers=1,1,1,1,1,1,1", "at most 6 hidden layers"),
            ("dataset=moons", "unknown data set `moons`"),
            ("features=", "pick at least one input feature"),
            ("noise=80", "invalid noise `80`"),
            ("speed=3", "invalid parameter `speed`: known parameters are"),
            ("lr=NaN", "invalid lr `NaN`"),
            ("lr=%E2%82%AC%", "invalid lr `€%`"),
        ] {
            let err = Setup::from_query(query).unwrap_err().to_string();
            assert!(err.contains(expected), "{query}: {err}");
        }
    }
}
