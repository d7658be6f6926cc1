//! The web server: the page and its assets (embedded in the binary), the setup check, and one
//! WebSocket per browser tab, over which the tab's session streams its frames.
//!
//! Messages from the page are text: `play`, `pause`, `step`, `reset`, `save` and
//! `setup:QUERY` (a new setup, as the URL's query string). The server answers with JSON
//! objects whose `type` is `points` (the data), `frame` (see [`crate::frame::Frame`]),
//! `state` (playing or not), `saved` (a run directory's path) or `error` (a message).

use crate::config::Setup;
use crate::save::save_run;
use crate::session::Session;
use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The page.
const INDEX: &str = include_str!("../assets/index.html");
/// Its script.
const SCRIPT: &str = include_str!("../assets/app.js");
/// Its style sheet.
const STYLE: &str = include_str!("../assets/style.css");
/// Two setups side by side.
const COMPARE: &str = include_str!("../assets/compare.html");

/// The most tabs served at once; another gets a 503 that says so.
pub const MAX_SESSIONS: usize = 16;
/// The shortest time between two frames of a tab (at most 60 per second).
pub const FRAME_INTERVAL: Duration = Duration::from_millis(16);
/// The time a playing tab trains for between frames, at most.
pub const TRAIN_BUDGET: Duration = Duration::from_millis(8);
/// The most epochs a playing tab trains between frames.
pub const EPOCHS_PER_FRAME: usize = 10;

/// What every connection shares.
#[derive(Clone)]
pub struct Shared {
    /// Tabs open.
    sessions: Arc<AtomicUsize>,
    /// One permit per core: the training of all tabs together uses at most every core.
    cores: Arc<Semaphore>,
    /// Where "Save as run" writes (`runs/` under the server's directory by default).
    runs: PathBuf,
    /// The device saved runs are loaded on to be scored.
    device: burn::prelude::Device,
}

impl Shared {
    /// The tabs being served.
    pub fn open_sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    /// State for a server whose saved runs go under `runs`.
    pub fn new(runs: PathBuf, device: burn::prelude::Device) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Shared {
            sessions: Arc::new(AtomicUsize::new(0)),
            cores: Arc::new(Semaphore::new(cores)),
            runs,
            device,
        }
    }
}

/// The server's routes.
pub fn router(shared: Shared) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/compare",
            get(|| async { asset("text/html; charset=utf-8", COMPARE) }),
        )
        .route("/api/setup", get(check_setup))
        .route("/api/session", get(open_session))
        .with_state(shared)
}

/// An embedded asset.
fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// A 4xx answer with a message.
fn refused(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// `GET /api/setup?QUERY`: the setup the query describes, in full, or a 400 naming the bad
/// parameter.
async fn check_setup(RawQuery(query): RawQuery) -> Response {
    match Setup::from_query(query.as_deref().unwrap_or("")) {
        Ok(setup) => {
            axum::Json(json!({ "setup": setup, "query": setup.to_query() })).into_response()
        }
        Err(e) => refused(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// `GET /api/session?QUERY` (a WebSocket): a tab's session, refused with a 400 when the setup
/// is invalid and a 503 when [`MAX_SESSIONS`] tabs are open.
async fn open_session(
    State(shared): State<Shared>,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let setup = match Setup::from_query(query.as_deref().unwrap_or("")) {
        Ok(setup) => setup,
        Err(e) => return refused(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let Ok(upgrade) = upgrade else {
        return refused(
            StatusCode::BAD_REQUEST,
            "this address is the page's WebSocket; open the playground at /".into(),
        );
    };
    if shared.sessions.fetch_add(1, Ordering::SeqCst) >= MAX_SESSIONS {
        shared.sessions.fetch_sub(1, Ordering::SeqCst);
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{MAX_SESSIONS} playground tabs are open already; close one and reload"),
        );
    }
    upgrade.on_upgrade(move |socket| async move {
        run_session(socket, setup, &shared).await;
        shared.sessions.fetch_sub(1, Ordering::SeqCst);
    })
}

/// A message to the page.
fn text(value: serde_json::Value) -> Message {
    Message::Text(value.to_string().into())
}

/// An error to show on the page.
fn error(message: impl std::fmt::Display) -> Message {
    text(json!({ "type": "error", "message": message.to_string() }))
}

/// The data and first frame of `session`.
fn opening(session: &Session) -> Vec<Message> {
    vec![
        text(
            json!({ "type": "points", "points": session.points(), "query": session.setup().to_query() }),
        ),
        text(json!({ "type": "frame", "frame": session.frame() })),
    ]
}

/// Runs `work` on `session` on a blocking thread, holding one of the cores.
async fn on_a_core<T: Send + 'static>(
    shared: &Shared,
    mut session: Session,
    work: impl FnOnce(&mut Session) -> T + Send + 'static,
) -> Option<(Session, T)> {
    let _core = shared.cores.acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let out = work(&mut session);
        (session, out)
    })
    .await
    .ok()
}

/// Epochs for up to [`TRAIN_BUDGET`] (at least one, at most [`EPOCHS_PER_FRAME`]), then the
/// frame.
fn train_a_frame(session: &mut Session) -> Message {
    let start = Instant::now();
    for _ in 0..EPOCHS_PER_FRAME {
        session.step();
        if start.elapsed() >= TRAIN_BUDGET {
            break;
        }
    }
    text(json!({ "type": "frame", "frame": session.frame() }))
}

/// Serves one tab until it closes: its training stops with it.
async fn run_session(mut socket: WebSocket, setup: Setup, shared: &Shared) {
    let mut session = match Session::new(setup, &shared.device) {
        Ok(session) => session,
        Err(e) => {
            let _ = socket.send(error(e)).await;
            return;
        }
    };
    for message in opening(&session) {
        if socket.send(message).await.is_err() {
            return;
        }
    }
    let mut playing = false;
    let mut ticks = tokio::time::interval(FRAME_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let reply: Vec<Message> = tokio::select! {
            incoming = socket.recv() => {
                let command = match incoming {
                    Some(Ok(Message::Text(command))) => command.to_string(),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                match command.as_str() {
                    "play" | "pause" => {
                        playing = command == "play";
                        vec![text(json!({ "type": "state", "playing": playing }))]
                    }
                    "step" => {
                        playing = false;
                        let Some((back, frame)) = on_a_core(shared, session, |s| {
                            s.step();
                            text(json!({ "type": "frame", "frame": s.frame() }))
                        }).await else { return };
                        session = back;
                        vec![text(json!({ "type": "state", "playing": false })), frame]
                    }
                    "reset" => match Session::new(session.setup().clone(), &shared.device) {
                        Ok(fresh) => {
                            session = fresh;
                            playing = false;
                            let mut replies = vec![text(json!({ "type": "state", "playing": false }))];
                            replies.extend(opening(&session));
                            replies
                        }
                        Err(e) => vec![error(e)],
                    },
                    "save" => {
                        let out = shared.runs.join(format!(
                            "playground-{}",
                            chrono::Local::now().format("%Y%m%d-%H%M%S-%3f")
                        ));
                        let device = shared.device.clone();
                        let target = out.clone();
                        let Some((back, saved)) = on_a_core(shared, session, move |s| {
                            save_run(s, &target, &device)
                        }).await else { return };
                        session = back;
                        match saved {
                            Ok(_) => vec![text(json!({ "type": "saved", "path": out.display().to_string() }))],
                            Err(e) => vec![error(e)],
                        }
                    }
                    other => match other.strip_prefix("setup:").map(Setup::from_query) {
                        Some(Ok(setup)) => match Session::new(setup, &shared.device) {
                            Ok(fresh) => {
                                session = fresh;
                                let mut replies = vec![];
                                if playing {
                                    replies.push(text(json!({ "type": "state", "playing": true })));
                                }
                                replies.extend(opening(&session));
                                replies
                            }
                            Err(e) => vec![error(e)],
                        },
                        Some(Err(e)) => vec![error(e)],
                        None => vec![error(format!(
                            "unknown command `{}`; the page sends play, pause, step, reset, save or setup:QUERY",
                            other.chars().take(40).collect::<String>()
                        ))],
                    },
                }
            }
            _ = ticks.tick(), if playing => {
                let Some((back, frame)) = on_a_core(shared, session, train_a_frame).await else { return };
                session = back;
                vec![frame]
            }
        };
        for message in reply {
            if socket.send(message).await.is_err() {
                return;
            }
        }
    }
}

/// Binds `address`; a port in use is an error that suggests `--port`.
pub async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} is in use (another playground, or another server); pass --port N for another, or --port 0 for any free one",
                address.port()
            )
        } else {
            format!("cannot listen on {address}: {e}")
        }
    })
}

/// Serves the playground on `address` until the process ends: binds (a port in use is an
/// error that says so), calls `ready` with the address bound (the port chosen, for port 0),
/// then answers requests. Saved runs go under `runs`; they are scored on `device`.
pub fn serve(
    address: SocketAddr,
    runs: PathBuf,
    device: burn::prelude::Device,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = bind(address).await?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot read the address bound: {e}"))?;
        ready(bound);
        axum::serve(listener, router(Shared::new(runs, device)))
            .await
            .map_err(|e| format!("the server stopped: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A server on a free port, in the background; its address.
    fn start() -> SocketAddr {
        let (sender, receiver) = std::sync::mpsc::channel();
        let runs = std::env::temp_dir().join("kindling-playground-test-runs");
        std::thread::spawn(move || {
            let _ = serve(
                "127.0.0.1:0".parse().unwrap(),
                runs,
                burn::prelude::Device::flex(),
                |bound| sender.send(bound).unwrap(),
            );
        });
        receiver.recv().unwrap()
    }

    /// The status line and body of `GET path`.
    fn get(address: SocketAddr, path: &str) -> (String, String) {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.lines().next().unwrap_or("").to_string();
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
        (status, body)
    }

    #[test]
    fn the_page_is_served_and_bad_parameters_get_a_400_that_names_them() {
        let address = start();
        let (status, body) = get(address, "/");
        assert!(status.contains("200"), "{status}");
        for id in [
            "dataset-circle",
            "dataset-xor",
            "dataset-gauss",
            "dataset-spiral",
            "play",
            "pause",
            "step",
            "reset",
            "add-layer",
            "remove-layer",
            "learning-rate",
            "activation",
            "test-loss",
            "train-loss",
            "epoch",
            "save-run",
        ] {
            assert!(body.contains(&format!("data-testid=\"{id}\"")), "no {id}");
        }
        assert!(get(address, "/app.js").0.contains("200"));
        assert!(get(address, "/style.css").0.contains("200"));
        assert!(get(address, "/compare").0.contains("200"));
        let (status, body) = get(address, "/api/setup?dataset=xor&layers=4,2");
        assert!(status.contains("200"), "{status}");
        assert!(body.contains("\"query\":\"dataset=xor&"), "{body}");
        let (status, body) = get(address, "/api/setup?lr=abc");
        assert!(status.contains("400"), "{status}");
        assert!(body.contains("invalid lr `abc`"), "{body}");
        // A session asked for with a bad setup is refused before any WebSocket opens.
        let (status, body) = get(address, "/api/session?layers=99");
        assert!(status.contains("400"), "{status}");
        assert!(body.contains("invalid layers `99`"), "{body}");
        let (status, body) = get(address, "/api/session?layers=4");
        assert!(status.contains("400"), "{status}");
        assert!(body.contains("open the playground at /"), "{body}");
        assert!(get(address, "/nothing").0.contains("404"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_tab_trains_while_it_plays_hears_its_errors_and_ends_when_it_closes() {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message as Client;
        let runs = tempfile::tempdir().unwrap();
        let shared = Shared::new(runs.path().to_path_buf(), burn::prelude::Device::flex());
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(axum::serve(listener, router(shared.clone())).into_future());
        let url = format!("ws://{address}/api/session?dataset=xor&layers=4,4");
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut next = async || -> serde_json::Value {
            loop {
                match socket.next().await.unwrap().unwrap() {
                    Client::Text(text) => return serde_json::from_str(&text).unwrap(),
                    _ => continue,
                }
            }
        };
        assert_eq!(next().await["type"], "points");
        assert_eq!(next().await["frame"]["epoch"], 0);
        assert_eq!(shared.open_sessions(), 1);
        socket.send(Client::Text("play".into())).await.unwrap();
        let mut epochs = Vec::new();
        while epochs.len() < 3 {
            let Some(Ok(Client::Text(text))) = socket.next().await else {
                continue;
            };
            let message: serde_json::Value = serde_json::from_str(&text).unwrap();
            if message["type"] == "frame" {
                epochs.push(message["frame"]["epoch"].as_u64().unwrap());
            }
        }
        assert!(epochs.windows(2).all(|w| w[0] < w[1]), "{epochs:?}");
        for (command, expected) in [
            ("setup:lr=abc", "invalid lr `abc`"),
            ("frobnicate", "unknown command `frobnicate`"),
        ] {
            socket.send(Client::Text(command.into())).await.unwrap();
            loop {
                let Some(Ok(Client::Text(text))) = socket.next().await else {
                    continue;
                };
                let message: serde_json::Value = serde_json::from_str(&text).unwrap();
                if message["type"] == "error" {
                    assert!(
                        message["message"].as_str().unwrap().contains(expected),
                        "{message}"
                    );
                    break;
                }
            }
        }
        socket.send(Client::Text("pause".into())).await.unwrap();
        socket.send(Client::Text("save".into())).await.unwrap();
        loop {
            let Some(Ok(Client::Text(text))) = socket.next().await else {
                continue;
            };
            let message: serde_json::Value = serde_json::from_str(&text).unwrap();
            if message["type"] == "saved" {
                let path = std::path::PathBuf::from(message["path"].as_str().unwrap());
                assert!(path.join("model.bpk").is_file(), "{message}");
                break;
            }
        }
        socket.close(None).await.unwrap();
        drop(socket);
        // The session ends with its tab.
        let deadline = Instant::now() + Duration::from_secs(5);
        while shared.open_sessions() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(shared.open_sessions(), 0);
    }

    #[test]
    fn a_port_in_use_is_named_with_what_to_do() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = taken.local_addr().unwrap();
        let err = serve(
            address,
            PathBuf::new(),
            burn::prelude::Device::flex(),
            |_| {},
        )
        .unwrap_err();
        assert!(
            err.contains(&format!("port {} is in use", address.port())),
            "{err}"
        );
        assert!(err.contains("--port"), "{err}");
    }
}
