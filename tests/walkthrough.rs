//! `kindling walkthrough` prints every topic with the course's answers and draws its figures.

mod common;

use common::{kindling, stdout};

#[test]
fn prints_every_topic_with_the_course_answers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let output = kindling(&["walkthrough", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = stdout(&output);
    for heading in [
        "== 1. Forward propagation ==",
        "== 5. Error and mean squared error ==",
        "== 7. Backpropagation by hand ==",
        "== 10. Vanishing gradients and dying ReLU ==",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    assert_eq!(text.matches("\n== ").count() + 1, 10, "ten topics");
    for answer in [
        "prediction: 9\n",
        "prediction: 0.99010954\n",
        "predictions: [52, 63, 0, 148]",
        "prediction: 182\n",
        "MSE with weights_0: 37.5\n",
        "new error: 2.5\n",
        "= 2.24\n",
        "best accuracy of any perceptron (weights searched on a grid): 0.75",
    ] {
        assert!(text.contains(answer), "missing {answer:?}");
    }
    for figure in ["gradient_descent.png", "sgd.png"] {
        let png = std::fs::read(out.join(figure)).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}

#[test]
fn one_topic_by_name_and_a_clear_error_for_unknown_ones() {
    let output = kindling(&[
        "walkthrough",
        "error",
        "--out",
        "/nonexistent/never-written",
    ]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(stdout(&output).starts_with("== 5. Error and mean squared error =="));
    let output = kindling(&["walkthrough", "lstm"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("unknown topic `lstm`; expected one of: forward"));
}
