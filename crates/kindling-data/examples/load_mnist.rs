//! Times loading MNIST: `cargo run --release -p kindling-data --example load_mnist -- DATA_DIR`.

use kindling_data::mnist::{self, MnistSet};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), kindling_data::DataError> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(kindling_data::DataDir::workspace_default);
    for set in [MnistSet::Train, MnistSet::Test] {
        let start = Instant::now();
        let rows = mnist::load(&dir, set)?;
        println!(
            "{set:?}: {} images loaded in {:.3}s",
            rows.len(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
