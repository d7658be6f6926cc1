//! What the first layer learned: `train mnist` and `show-weights` draw the first dense layer
//! of an MNIST run as 28×28 images.

mod common;

use common::{assert_clean_failure, data_dir, kindling, stderr, stdout};
use std::path::Path;

/// Decodes a PNG: width, height and RGB bytes.
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buffer.truncate(info.buffer_size());
    (info.width, info.height, buffer)
}

#[test]
fn train_and_show_weights_draw_the_first_layer() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("mnist");
    let output = common::train_mnist(&data_dir(), &run, &["--epochs", "1", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));

    // 50 units: 8 columns × 7 rows of 28×28 weights at 4 pixels each, 4-pixel gaps.
    let image = run.join("first_layer_weights.png");
    let (width, height, pixels) = decode(&image);
    assert_eq!((width, height), (8 * 116 + 4, 7 * 116 + 4));
    // The first unit's tile is a picture, not a flat colour.
    let mut colours = std::collections::HashSet::new();
    for y in 4..4 + 112 {
        for x in 4..4 + 112 {
            let i = 3 * (y * width as usize + x);
            colours.insert([pixels[i], pixels[i + 1], pixels[i + 2]]);
        }
    }
    assert!(
        colours.len() > 50,
        "{} colours in the first tile",
        colours.len()
    );

    // show-weights draws the same picture again from the saved run.
    let again = dir.path().join("again.png");
    let output = kindling(&[
        "show-weights",
        run.to_str().unwrap(),
        "--output",
        again.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("50 units"), "{}", stdout(&output));
    assert_eq!(decode(&again), (width, height, pixels));

    // A wider first layer: more tiles, a larger grid.
    let wide = dir.path().join("wide");
    let output = common::train_mnist(
        &data_dir(),
        &wide,
        &["--epochs", "1", "--hidden", "10", "--quiet"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let (w, h, _) = decode(&wide.join("first_layer_weights.png"));
    assert_eq!((w, h), (4 * 116 + 4, 3 * 116 + 4));
}

#[test]
fn other_runs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("titanic");
    let output = common::train_task("titanic", &data_dir(), &run, &["--epochs", "1", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!run.join("first_layer_weights.png").exists());
    assert_clean_failure(
        &kindling(&["show-weights", run.to_str().unwrap()]),
        "a titanic run whose model takes 10 inputs; show-weights draws the first layer of an MNIST run",
    );
    assert_clean_failure(
        &kindling(&["show-weights", dir.path().join("nowhere").to_str().unwrap()]),
        "no such run directory",
    );
}
