//! `kindling playground`: the TensorFlow Playground in the browser, trained live by Kindling.
//!
//! A local web server ([`server`], axum on tokio) serves one page, embedded in the binary
//! (no CDN, no network). Each browser tab opens a WebSocket and gets its own [`Session`]: the
//! Playground's 2-D data sets ([`data`]), its input features and controls ([`config`]), and a
//! Kindling dense stack trained by Kindling's fused CPU engine in Rust. Every update streams a
//! [`frame::Frame`]: the output over the plane, every neuron's map, the weights, the losses,
//! dead ReLU units and per-layer gradient norms. "Save as run" writes a run directory
//! ([`save::save_run`]) that `kindling predict`, `summary` and `export` read.

pub mod config;
pub mod data;
pub mod frame;
pub mod save;
pub mod server;
pub mod session;

pub use config::{Feature, Setup, SetupError};
pub use data::Dataset;
pub use session::Session;
