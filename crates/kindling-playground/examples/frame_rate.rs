//! How many visible updates per second the playground's server can produce for the
//! TensorFlow Playground's usual network, 2-8-8-1 on 500 points: per update one epoch of
//! training (250 points, batch 10), both losses, the output map (50 × 50), every neuron's map
//! (20 × 20), the weights, and the frame serialized as the JSON the page receives.
//!
//! ```text
//! cargo run --release -p kindling-playground --example frame_rate
//! ```

use kindling_playground::{Session, Setup};
use std::time::{Duration, Instant};

fn main() {
    let setup =
        Setup::from_query("dataset=xor&features=x1,x2&layers=8,8&activation=tanh").expect("valid");
    let device = burn::prelude::Device::flex();
    let mut session = Session::new(setup, &device).expect("a session");
    let (mut frames, mut bytes) = (0usize, 0usize);
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        let frame_start = Instant::now();
        session.step();
        let json = serde_json::to_string(&session.frame()).expect("serializable");
        bytes += json.len();
        frames += 1;
        times.push(frame_start.elapsed().as_secs_f64() * 1e3);
    }
    let seconds = start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    println!(
        "2-8-8-1 on 500 points (xor): {:.0} updates per second (one epoch and one frame each), median {:.2} ms, 99th percentile {:.2} ms, {:.1} KiB per frame; test loss after {} epochs {:.4}",
        frames as f64 / seconds,
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        bytes as f64 / frames as f64 / 1024.0,
        session.epoch(),
        session.history().last().map_or(f64::NAN, |e| e.val_loss)
    );
}
