//! Shared test machinery: the binary, servers on OS-chosen ports, and the installed peers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to print its `listening on` line.
const STARTUP: Duration = Duration::from_secs(30);

/// `rpc` as a command, with colour off and no user environment leaking in.
pub fn rpc() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("rpc").expect("the rpc binary is built");
    cmd.env_remove("NO_COLOR")
        .env_remove("REACH_RPC_KEY")
        .env_remove("REACH_RPC_SERVER")
        .env_remove("REACH_RPC_PORT")
        .env_remove("REACH_RPC_TIMEOUT")
        .env_remove("REACH_RPC_TLS_REJECT_UNVERIFIED")
        .timeout(Duration::from_secs(60));
    cmd
}

pub fn rpc_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rpc")
}

/// A child process that announced `listening on HOST:PORT` as its first stdout line; killed on drop.
pub struct Spawned {
    pub child: Child,
    pub addr: String,
    pub port: u16,
    /// The rest of stdout, after the first line.
    pub stdout: Option<BufReader<ChildStdout>>,
    pub extra_lines: Vec<String>,
}

impl Spawned {
    /// Starts `cmd` and waits for its `listening on HOST:PORT` line (no sleeps, no fixed ports).
    pub fn start(mut cmd: Command) -> Spawned {
        Self::start_with_lines(&mut cmd, 0)
    }

    /// Like `start`, also reading `extra` more stdout lines after the first (a server's banner).
    pub fn start_with_lines(cmd: &mut Command, extra: usize) -> Spawned {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut lines = Vec::new();
            for _ in 0..=extra {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                lines.push(line.trim_end().to_owned());
            }
            let _ = tx.send((lines, reader));
        });
        let (lines, reader) = match rx.recv_timeout(STARTUP) {
            Ok(got) => got,
            Err(_) => {
                let _ = child.kill();
                panic!("{cmd:?} printed no `listening on` line within {STARTUP:?}");
            }
        };
        let first = lines.first().cloned().unwrap_or_default();
        let Some(addr) = first.strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!("{cmd:?}: expected `listening on HOST:PORT` first, got {first:?}");
        };
        let port = addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        Spawned {
            addr: addr.to_owned(),
            port,
            child,
            stdout: Some(reader),
            extra_lines: lines[1..].to_vec(),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rpc serve` on a free port, quiet unless `extra` says otherwise.
pub fn serve(extra: &[&str]) -> Spawned {
    let mut cmd = Command::new(rpc_path());
    cmd.args(["serve", "--addr", "127.0.0.1:0"]).args(extra);
    if !extra.contains(&"--log") {
        cmd.arg("-q");
    }
    cmd.stderr(Stdio::null());
    Spawned::start(cmd)
}

/// Where `scripts/install-peers` put the peers.
pub fn peers_dir() -> PathBuf {
    std::env::var_os("RPC_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/peers"))
}

/// The directory of the peer scripts checked into the repository.
pub fn peer_scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

fn require(path: PathBuf, what: &str) -> PathBuf {
    assert!(
        path.exists(),
        "peer missing: {what} ({}); run `bash scripts/install-peers` (tests never skip a missing peer)",
        path.display()
    );
    path
}

/// The Python of the peers' virtualenv (with jsonrpclib-pelix, reach-rpc-client, Twisted).
pub fn python() -> Command {
    let exe = require(peers_dir().join("venv/bin/python"), "Python peers venv");
    let mut cmd = Command::new(exe);
    cmd.current_dir(peer_scripts());
    cmd
}

/// Node, with the npm peers (jayson) resolvable from tests/peers.
pub fn node() -> Command {
    require(
        peer_scripts().join("node_modules/jayson"),
        "npm package jayson",
    );
    let mut cmd = Command::new("node");
    cmd.current_dir(peer_scripts());
    cmd
}

/// Runs a command to completion, returning (status ok, stdout, stderr).
pub fn output(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An HTTP answer read off a raw socket.
pub struct HttpReply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// Sends one HTTP/1.1 request over a plain socket (`Connection: close`) and reads the answer, so
/// tests see exactly what the server wrote, status and all.
pub fn http(port: u16, method: &str, path: &str, body: &str) -> HttpReply {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    HttpReply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// POST a JSON-RPC body to `/` and parse the JSON answer (Null for an empty body).
pub fn post_json(port: u16, body: &str) -> (u16, serde_json::Value) {
    let reply = http(port, "POST", "/", body);
    let json = if reply.body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {}", reply.body))
    };
    (reply.status, json)
}

/// A certificate for localhost and 127.0.0.1 with its key, as PEM files in a temporary directory.
pub struct CertFiles {
    _dir: tempfile::TempDir,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn cert_files() -> CertFiles {
    let dir = tempfile::tempdir().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    CertFiles {
        _dir: dir,
        cert,
        key,
    }
}

pub fn path_str(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// `https://127.0.0.1:PORT`
pub fn https(server: &Spawned) -> String {
    format!("https://127.0.0.1:{}", server.port)
}
