//! `kindling playground`: the TensorFlow Playground in the browser, trained live by Kindling.

use crate::backend;
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Arguments of `kindling playground`.
#[derive(Debug, Args)]
pub struct PlaygroundArgs {
    /// Port to listen on (0 for any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on: loopback, this machine only, unless you mean to share it.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// Where "Save as run" writes its run directories.
    #[arg(long, default_value = "runs")]
    runs: PathBuf,
}

/// Serves the playground until interrupted.
pub fn run(args: PlaygroundArgs) -> Result<()> {
    let device = backend::device();
    let address = SocketAddr::new(args.host, args.port);
    let open = args.open;
    let host = args.host;
    kindling_playground::server::serve(address, args.runs, device, |bound| {
        let url = format!("http://{bound}/");
        println!("Kindling playground: {url} (Ctrl-C stops it)");
        let _ = std::io::stdout().flush();
        if !host.is_loopback() {
            eprintln!(
                "note: listening on {host}: anyone who can reach this machine on port {} can use the playground",
                bound.port()
            );
        }
        if open {
            open_browser(&url);
        }
    })
    .map_err(anyhow::Error::msg)
}

/// Opens `url` in the desktop's browser; says so when it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("note: could not start {opener}; open {url} in a browser");
    }
}
