//! Chapter 2, part 1: prediction error and mean squared error (topic 5).

use crate::activation::Activation;
use crate::forward::two_node_net;
use crate::loss::mean_squared_error;
use crate::network::Network;
use crate::section::{Section, fmt_num, fmt_vec};

/// The course's first weight set: node_0 [2, 1], node_1 [1, 2], output [1, 1].
pub fn weights_0() -> Network {
    two_node_net(
        [2.0, 1.0],
        [1.0, 2.0],
        [1.0, 1.0],
        Activation::Relu,
        Activation::Identity,
    )
}

/// The second weight set: node_0 [0, 1], node_1 [0, 0], output [1, 0].
pub fn weights_1() -> Network {
    two_node_net(
        [0.0, 1.0],
        [0.0, 0.0],
        [1.0, 0.0],
        Activation::Relu,
        Activation::Identity,
    )
}

/// The course's weight set for the several-points exercise: node_0 [2, 1], node_1 [1, 1.5],
/// output [1, 1.5].
pub fn weights_course_1() -> Network {
    two_node_net(
        [2.0, 1.0],
        [1.0, 1.5],
        [1.0, 1.5],
        Activation::Relu,
        Activation::Identity,
    )
}

/// The handful of points: inputs and targets.
pub const POINTS: [[f64; 2]; 4] = [[0.0, 3.0], [1.0, 2.0], [-1.0, -2.0], [4.0, 0.0]];
/// Targets of [`POINTS`].
pub const TARGETS: [f64; 4] = [1.0, 3.0, 5.0, 7.0];

/// Prediction minus target.
pub fn error(network: &Network, input: &[f64], target: f64) -> f64 {
    network.predict(input)[0] - target
}

/// Mean squared error of `network` over [`POINTS`].
pub fn mse_over_points(network: &Network) -> f64 {
    let predictions: Vec<f64> = POINTS.iter().map(|p| network.predict(p)[0]).collect();
    mean_squared_error(&predictions, &TARGETS)
}

/// Topic 5's section.
pub fn section() -> Section {
    let mut s = Section::default();
    s.line(
        "The error is the prediction minus the target. Input [0, 3], target 3, ReLU hidden nodes:",
    );
    for (name, net) in [
        (
            "weights_0 (node_0 [2, 1], node_1 [1, 2], output [1, 1])",
            weights_0(),
        ),
        (
            "weights_1 (node_0 [0, 1], node_1 [0, 0], output [1, 0])",
            weights_1(),
        ),
    ] {
        let prediction = net.predict(&[0.0, 3.0])[0];
        s.linef(format_args!(
            "  {name}: prediction {}, error {}",
            fmt_num(prediction),
            fmt_num(prediction - 3.0)
        ));
    }
    s.line("Over several points, the mean squared error sums it up in one number:");
    let inputs: Vec<String> = POINTS.iter().map(|p| fmt_vec(p)).collect();
    s.linef(format_args!(
        "  inputs {}, targets {}",
        inputs.join(" "),
        fmt_vec(&TARGETS)
    ));
    for (name, net) in [
        ("weights_0", weights_0()),
        ("weights_1", weights_1()),
        (
            "the course's second set (node_0 [2, 1], node_1 [1, 1.5], output [1, 1.5])",
            weights_course_1(),
        ),
    ] {
        s.linef(format_args!(
            "  MSE with {name}: {}",
            fmt_num(mse_over_points(&net))
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_answers() {
        assert_eq!(error(&weights_0(), &[0.0, 3.0], 3.0), 6.0);
        assert_eq!(error(&weights_1(), &[0.0, 3.0], 3.0), 0.0);
        assert_eq!(mse_over_points(&weights_0()), 37.5);
        assert_eq!(mse_over_points(&weights_1()), 19.75);
        assert_eq!(mse_over_points(&weights_course_1()), 49.890625);
        let text = section().text;
        assert!(text.contains("prediction 9, error 6"), "{text}");
        assert!(text.contains("prediction 3, error 0"), "{text}");
        assert!(text.contains("MSE with weights_0: 37.5\n"));
        assert!(text.contains("MSE with weights_1: 19.75\n"));
        assert!(text.contains(": 49.890625\n"));
    }
}
