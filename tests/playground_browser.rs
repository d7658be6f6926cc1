//! The playground in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`; `.ci/run` installs them and runs these tests, which are
//! ignored by a plain `cargo test` since they need the browser).
//!
//! Run them with `cargo test -p kindling-cli --test playground_browser -- --ignored`.
//! `CHROMEDRIVER` and `CHROMIUM` name other binaries. The screenshot the first test takes is
//! written to `target/playground.png` (the README's picture comes from it).

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `kindling playground --port 0` in `dir`; returns it and its URL.
fn playground(dir: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["playground", "--port", "0", "--runs"])
        .arg(dir.join("runs"))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("kindling runs");
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (Running(child), url)
}

/// A free local port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver and a headless Chromium session on it.
async fn browser() -> (Running, Client) {
    let port = free_port();
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{driver}: {e}; install chromium-driver"));
    let driver = Running(child);
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let http = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(http)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// The element with `data-testid` `id`.
async fn by_id(client: &Client, id: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("[data-testid='{id}']")))
        .await
        .unwrap_or_else(|e| panic!("no element {id}: {e}"))
}

/// The text of `data-testid` `id`.
async fn text_of(client: &Client, id: &str) -> String {
    by_id(client, id).await.text().await.unwrap()
}

/// Polls `data-testid` `id`'s text until `done` holds or `within` passes; returns the last text.
async fn wait_for(
    client: &Client,
    id: &str,
    within: Duration,
    done: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + within;
    loop {
        let text = text_of(client, id).await;
        if done(&text) || Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn screenshot_path() -> PathBuf {
    common::workspace().join("target/playground.png")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromium-driver; .ci/run runs it"]
async fn xor_with_another_layer_learns_and_saves_a_run_that_predict_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = playground(dir.path());
    let (_driver, client) = browser().await;
    client.goto(&url).await.unwrap();
    by_id(&client, "dataset-xor").await.click().await.unwrap();
    by_id(&client, "add-layer").await.click().await.unwrap();
    // The URL holds the setup.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let current = client.current_url().await.unwrap().to_string();
    assert!(
        current.contains("dataset=xor") && current.contains("layers=4%2C2%2C2"),
        "{current}"
    );
    by_id(&client, "play").await.click().await.unwrap();
    let start = Instant::now();
    let loss = wait_for(&client, "test-loss", Duration::from_secs(15), |t| {
        t.parse::<f64>().is_ok_and(|loss| loss < 0.1)
    })
    .await;
    assert!(
        loss.parse::<f64>().is_ok_and(|l| l < 0.1),
        "the test loss shown was {loss} after {:?}",
        start.elapsed()
    );
    let epochs: usize = text_of(&client, "epoch").await.parse().unwrap();
    assert!(epochs > 0);
    by_id(&client, "pause").await.click().await.unwrap();
    let png = client.screenshot().await.unwrap();
    let path = screenshot_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, png).unwrap();

    by_id(&client, "save-run").await.click().await.unwrap();
    let message = wait_for(&client, "message", Duration::from_secs(20), |t| {
        t.starts_with("Saved: ")
    })
    .await;
    let run = message
        .strip_prefix("Saved: ")
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("not saved: {message}"));
    let input = dir.path().join("points.csv");
    std::fs::write(&input, "x1,x2\n3,3\n-3,3\n").unwrap();
    let output = common::kindling(&["predict", run, "--input", input.to_str().unwrap()]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let classes: Vec<String> = common::stdout(&output)
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_string())
        .collect();
    // Exclusive or: the sign of x1·x2.
    assert_eq!(classes, ["1", "0"], "{}", common::stdout(&output));
    let summary = common::kindling(&["summary", run]);
    assert!(
        common::stdout(&summary).contains("Total params"),
        "{}",
        common::stderr(&summary)
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromium-driver; .ci/run runs it"]
async fn a_bad_url_parameter_shows_a_message_not_a_blank_page() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = playground(dir.path());
    let (_driver, client) = browser().await;
    client
        .goto(&format!("{url}?dataset=xor&lr=fast"))
        .await
        .unwrap();
    let banner = wait_for(&client, "error", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert!(banner.contains("invalid lr `fast`"), "{banner}");
    // The page still works, with the default setup.
    let epoch = text_of(&client, "epoch").await;
    assert_eq!(epoch, "0");
    by_id(&client, "step").await.click().await.unwrap();
    let epoch = wait_for(&client, "epoch", Duration::from_secs(5), |t| t == "1").await;
    assert_eq!(epoch, "1");
    client.close().await.unwrap();
}
