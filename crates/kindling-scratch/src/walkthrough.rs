//! The walkthrough: every topic of the chapter, in order.

use crate::section::Section;
use std::fmt;
use std::str::FromStr;

/// A topic of the walkthrough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// 1. Forward propagation with named weights.
    Forward,
    /// 2. Activation functions and their slopes.
    Activations,
    /// 3. One network, many rows.
    ManyRows,
    /// 4. Two hidden layers.
    TwoHiddenLayers,
    /// 5. Error and mean squared error.
    Error,
    /// 6. Slopes and gradient descent.
    GradientDescent,
    /// 7. Backpropagation by hand, checked against Burn's autodiff.
    Backprop,
    /// 8. Batches, epochs and SGD.
    Sgd,
    /// 9. The perceptron, and XOR.
    Perceptron,
    /// 10. Vanishing gradients and dying ReLU.
    Pathologies,
}

impl Topic {
    /// Every topic, in order.
    pub const ALL: [Topic; 10] = [
        Topic::Forward,
        Topic::Activations,
        Topic::ManyRows,
        Topic::TwoHiddenLayers,
        Topic::Error,
        Topic::GradientDescent,
        Topic::Backprop,
        Topic::Sgd,
        Topic::Perceptron,
        Topic::Pathologies,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Topic::Forward => "forward",
            Topic::Activations => "activations",
            Topic::ManyRows => "many-rows",
            Topic::TwoHiddenLayers => "two-hidden-layers",
            Topic::Error => "error",
            Topic::GradientDescent => "gradient-descent",
            Topic::Backprop => "backprop",
            Topic::Sgd => "sgd",
            Topic::Perceptron => "perceptron",
            Topic::Pathologies => "pathologies",
        }
    }

    /// The heading printed above the topic.
    pub fn title(self) -> &'static str {
        match self {
            Topic::Forward => "Forward propagation",
            Topic::Activations => "Activation functions",
            Topic::ManyRows => "Many rows",
            Topic::TwoHiddenLayers => "Two hidden layers",
            Topic::Error => "Error and mean squared error",
            Topic::GradientDescent => "Slopes and gradient descent",
            Topic::Backprop => "Backpropagation by hand",
            Topic::Sgd => "Stochastic gradient descent",
            Topic::Perceptron => "The perceptron",
            Topic::Pathologies => "Vanishing gradients and dying ReLU",
        }
    }

    /// Position in the walkthrough, from 1.
    pub fn number(self) -> usize {
        Topic::ALL
            .iter()
            .position(|t| *t == self)
            .map_or(0, |i| i + 1)
    }

    /// Computes the topic's text and figures.
    pub fn run(self) -> Section {
        match self {
            Topic::Forward => crate::forward::forward_section(),
            Topic::Activations => crate::forward::activations_section(),
            Topic::ManyRows => crate::forward::many_rows_section(),
            Topic::TwoHiddenLayers => crate::forward::two_hidden_layers_section(),
            Topic::Error => crate::errors::section(),
            Topic::GradientDescent => crate::descent::section(),
            Topic::Backprop => crate::backprop_section::section(),
            Topic::Sgd => crate::sgd::section(),
            Topic::Perceptron => crate::perceptron::section(),
            Topic::Pathologies => crate::pathologies::section(),
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A topic name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown topic `{0}`; expected one of: {list}", list = Topic::ALL.map(|t| t.name()).join(", "))]
pub struct UnknownTopic(pub String);

impl FromStr for Topic {
    type Err = UnknownTopic;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Topic::ALL
            .into_iter()
            .find(|t| t.name() == wanted || t.number().to_string() == wanted)
            .ok_or_else(|| UnknownTopic(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_parse_by_name_or_number() {
        assert_eq!("backprop".parse::<Topic>(), Ok(Topic::Backprop));
        assert_eq!("7".parse::<Topic>(), Ok(Topic::Backprop));
        assert_eq!("Many_Rows".parse::<Topic>(), Ok(Topic::ManyRows));
        let err = "lstm".parse::<Topic>().unwrap_err().to_string();
        assert!(err.contains("forward, activations"), "{err}");
    }

    #[test]
    fn every_topic_has_text() {
        for topic in Topic::ALL {
            assert!(topic.run().text.lines().count() >= 3, "{topic}");
        }
    }
}
