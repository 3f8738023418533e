//! Shared test machinery: the binary; `rpc serve` on OS-chosen ports (the `Serve` builder, the one
//! way tests start it); the installed peers; `FakeServer`, the one fake server for the client's
//! error paths; and raw HTTP over a plain socket.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// How long a server may take to print its `listening on` line.
const STARTUP: Duration = Duration::from_secs(30);

/// The lines `rpc serve` prints after `listening on`: one endpoint per protocol (json-rpc, reach,
/// xml-rpc, raw-tcp).
const BANNER_ENDPOINTS: usize = 4;

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

/// `$PATH` with the directory of the built `rpc` first, for command lines run by a shell.
pub fn path_with_rpc() -> String {
    format!(
        "{}:{}",
        rpc_path().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// `rpc call -P xml-rpc ENDPOINT WORDS…`
pub fn xml_call(endpoint: &str, words: &[&str]) -> assert_cmd::Command {
    let mut cmd = rpc();
    cmd.args(["call", "-P", "xml-rpc", endpoint]).args(words);
    cmd
}

/// A finished command's exit code (-1 if killed by a signal), stdout and stderr.
pub fn outcome(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The stdout of an asserted `rpc` run, as text.
pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The stderr of an asserted `rpc` run, as text.
pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// A port nobody listens on: one the OS just handed out and took back.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Where a server's stderr (its log, and the TLS fingerprint) goes.
#[derive(Default)]
enum Stderr {
    #[default]
    Discard,
    Piped,
    File(std::fs::File),
}

/// `rpc serve` on `127.0.0.1:0`, quiet (`-q`) and with its stderr discarded unless told otherwise:
///
/// ```ignore
/// let server = Serve::new().tls().api_key("k").limit("--max-body", "65536").start();
/// ```
#[derive(Default)]
#[must_use]
pub struct Serve {
    addr: Option<String>,
    log: bool,
    args: Vec<String>,
    stderr: Stderr,
}

impl Serve {
    pub fn new() -> Serve {
        Serve::default()
    }

    /// `--tls`: TLS (and plain HTTP) on the one port, with a certificate made at start.
    pub fn tls(self) -> Serve {
        self.arg("--tls")
    }

    /// `--cert FILE --key FILE`: TLS with the given certificate.
    pub fn cert(self, files: &CertFiles) -> Serve {
        self.pem(&files.cert, &files.key)
    }

    /// `--cert CERT --key KEY`: PEM files made elsewhere (openssl in the TLS tests).
    pub fn pem(self, cert: &std::path::Path, key: &std::path::Path) -> Serve {
        self.arg("--cert")
            .arg(path_str(cert))
            .arg("--key")
            .arg(path_str(key))
    }

    /// `--api-key KEY`: Reach calls need the `X-API-Key` header.
    pub fn api_key(self, key: &str) -> Serve {
        self.arg("--api-key").arg(key)
    }

    /// A limit or timeout and its value, e.g. `.limit("--max-body", "65536")`.
    pub fn limit(self, flag: &str, value: &str) -> Serve {
        self.arg(flag).arg(value)
    }

    /// Any other argument, as it is.
    pub fn arg(mut self, arg: &str) -> Serve {
        self.args.push(arg.to_owned());
        self
    }

    /// Several arguments, as they are.
    pub fn args<'a>(self, args: impl IntoIterator<Item = &'a str>) -> Serve {
        args.into_iter().fold(self, Serve::arg)
    }

    /// `--addr ADDR` instead of `127.0.0.1:0`.
    pub fn addr(mut self, addr: &str) -> Serve {
        self.addr = Some(addr.to_owned());
        self
    }

    /// Without `-q`: one log line per call on stderr.
    pub fn log(mut self) -> Serve {
        self.log = true;
        self
    }

    /// Keeps stderr piped, for the test to read (`Spawned::stderr_text`).
    pub fn stderr_piped(mut self) -> Serve {
        self.stderr = Stderr::Piped;
        self
    }

    /// Sends stderr to `file`, for the test to read while the server runs.
    pub fn stderr_to(mut self, file: &tempfile::NamedTempFile) -> Serve {
        self.stderr = Stderr::File(file.reopen().unwrap());
        self
    }

    /// The arguments after `rpc`: `serve --addr ADDR [-q] ARGS…`.
    pub fn argv(&self) -> Vec<String> {
        let addr = self.addr.as_deref().unwrap_or("127.0.0.1:0");
        let mut argv = vec!["serve".to_owned(), "--addr".to_owned(), addr.to_owned()];
        if !self.log {
            argv.push("-q".to_owned());
        }
        argv.extend(self.args.iter().cloned());
        argv
    }

    /// The command line as an `rpc` command to run to completion: for settings it must refuse.
    pub fn command(&self) -> assert_cmd::Command {
        let mut cmd = rpc();
        cmd.args(self.argv());
        cmd
    }

    /// Starts the server and waits for its `listening on HOST:PORT` line.
    pub fn start(self) -> Spawned {
        self.spawn(0)
    }

    /// Like `start`, also reading the endpoint lines of the banner into `extra_lines`.
    pub fn start_with_banner(self) -> Spawned {
        self.spawn(BANNER_ENDPOINTS)
    }

    /// Like `start`, also reading `lines` endpoint lines of the banner (a Unix socket's has 6).
    pub fn start_with_banner_of(self, lines: usize) -> Spawned {
        self.spawn(lines)
    }

    fn spawn(self, banner: usize) -> Spawned {
        let mut cmd = Command::new(rpc_path());
        cmd.args(self.argv());
        match self.stderr {
            Stderr::Discard => cmd.stderr(Stdio::null()),
            Stderr::Piped => cmd.stderr(Stdio::piped()),
            Stderr::File(file) => cmd.stderr(Stdio::from(file)),
        };
        Spawned::start_with_lines(&mut cmd, banner)
    }
}

/// A child process that announced `listening on HOST:PORT` (or `listening on unix:PATH`, port 0)
/// as its first stdout line; killed on drop.
pub struct Spawned {
    pub child: Child,
    pub addr: String,
    pub port: u16,
    /// The rest of stdout, after the lines read at start.
    pub stdout: Option<BufReader<ChildStdout>>,
    /// The banner lines read after `listening on` (`Serve::start_with_banner`).
    pub extra_lines: Vec<String>,
}

impl Spawned {
    /// Starts `cmd` (a peer) and waits for its `listening on HOST:PORT` line (no sleeps, no fixed
    /// ports).
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
        // A Unix socket (`listening on unix:PATH`) has no port.
        let port = if addr.starts_with("unix:") {
            0
        } else {
            addr.rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("no port in {first:?}"))
        };
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

    /// `tcp://HOST:PORT`, the raw-tcp endpoint.
    pub fn tcp_url(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    /// Sends SIGTERM, as a service manager would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Everything left on the piped stderr (`Serve::stderr_piped`), up to its end: call it once
    /// the server has been told to stop.
    pub fn stderr_text(&mut self) -> String {
        let mut stderr = self.child.stderr.take().expect("stderr was piped");
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    }

    /// The resident memory the process allocated, in KiB (/proc's `RssAnon`: heap and stacks).
    /// The pages of the binary itself (`RssFile`) are left out: they are a debug build's code,
    /// which grows with every dependency, not memory the server takes for its clients.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("RssAnon:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("an RssAnon line")
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

/// `path`, asserted to exist: a missing peer fails the test, naming how to install it.
pub fn require(path: PathBuf, what: &str) -> PathBuf {
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

/// A Python peer server from tests/peers (`python_peer(&["xmlrpc_server.py"])`), started and
/// listening.
pub fn python_peer(args: &[&str]) -> Spawned {
    let mut cmd = python();
    cmd.args(args);
    Spawned::start(cmd)
}

/// An npm peer server from tests/peers (`node_peer(&["jayson_server.js"])`), started and listening.
pub fn node_peer(args: &[&str]) -> Spawned {
    let mut cmd = node();
    cmd.args(args);
    Spawned::start(cmd)
}

/// The HTTPS server playing the Reach specification's example session, with the certificate
/// `files`.
pub fn reach_spec_server(files: &CertFiles) -> Spawned {
    let mut cmd = python();
    cmd.args([
        "reach_spec_server.py",
        path_str(&files.cert),
        path_str(&files.key),
    ])
    .stderr(Stdio::null());
    Spawned::start(cmd)
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
    http_bytes(port, method, path, "application/json", body.as_bytes())
}

/// Like `http`, with any content type and a body of any bytes.
pub fn http_bytes(
    port: u16,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> HttpReply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).expect("write");
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

/// What a `FakeServer` read on one connection before answering.
pub struct Request {
    /// The bytes as they came: an HTTP request to the end of its body, or the first bytes of a
    /// raw-tcp one.
    pub bytes: Vec<u8>,
}

impl Request {
    /// The HTTP head (request line and headers), without its blank line.
    pub fn head(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        text.split_once("\r\n\r\n")
            .map_or(&*text, |(head, _)| head)
            .to_owned()
    }

    /// The HTTP body: what follows the head.
    pub fn body(&self) -> &[u8] {
        match self.bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(end) => &self.bytes[end + 4..],
            None => &[],
        }
    }

    /// The HTTP headers, as (name, value) in the order sent.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.head()
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect()
    }
}

/// What a `FakeServer` does once its answer is written.
enum Then {
    /// Closes the connection.
    Close,
    /// Keeps it open, reading, until the client hangs up.
    Hold,
    /// Writes these bytes again and again (up to 256 MiB) until the client hangs up.
    Repeat(Vec<u8>),
}

type Answer = Box<dyn Fn(&Request) -> Vec<u8> + Send + Sync>;

/// A fake server on `127.0.0.1:0`, for the client's error paths (broken, hostile, silent or
/// inspecting servers). Each connection gets its own thread, which reads the request, records it,
/// writes the answer and then closes, holds or keeps streaming. Lives as long as the test.
pub struct FakeServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Request>>>,
}

impl FakeServer {
    /// Answers every request with `bytes`, then closes.
    pub fn answering(bytes: impl Into<Vec<u8>>) -> FakeServer {
        let bytes = bytes.into();
        Self::start(Box::new(move |_| bytes.clone()), Then::Close)
    }

    /// Answers every request with what `answer` makes of it, then closes.
    pub fn replying(answer: impl Fn(&Request) -> Vec<u8> + Send + Sync + 'static) -> FakeServer {
        Self::start(Box::new(answer), Then::Close)
    }

    /// Answers every request with `bytes`, then keeps the connection open without a word more.
    pub fn holding(bytes: impl Into<Vec<u8>>) -> FakeServer {
        let bytes = bytes.into();
        Self::start(Box::new(move |_| bytes.clone()), Then::Hold)
    }

    /// Answers every request with `head`, then `chunk` again and again: an answer without end.
    pub fn endless(head: impl Into<Vec<u8>>, chunk: impl Into<Vec<u8>>) -> FakeServer {
        let head = head.into();
        Self::start(Box::new(move |_| head.clone()), Then::Repeat(chunk.into()))
    }

    /// Reads every request and never answers.
    pub fn silent() -> FakeServer {
        Self::start(Box::new(|_| Vec::new()), Then::Hold)
    }

    fn start(answer: Answer, then: Then) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let then = Arc::new(then);
        let record = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (answer, then, record) =
                    (Arc::clone(&answer), Arc::clone(&then), Arc::clone(&record));
                std::thread::spawn(move || serve_one(stream, &answer, &then, &record));
            }
        });
        FakeServer { port, received }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests read so far, in the order they came (an answered request is recorded before
    /// its answer is written).
    pub fn requests(&self) -> Vec<Vec<u8>> {
        let received = self.received.lock().unwrap();
        received.iter().map(|r| r.bytes.clone()).collect()
    }
}

fn serve_one(mut stream: TcpStream, answer: &Answer, then: &Then, record: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let request = Request {
        bytes: read_request(&mut stream),
    };
    let bytes = answer(&request);
    record.lock().unwrap().push(request);
    if stream.write_all(&bytes).is_err() {
        return;
    }
    match then {
        Then::Close => {}
        Then::Hold => {
            let mut sink = [0u8; 4096];
            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        }
        Then::Repeat(chunk) => {
            for _ in 0..(256 << 20) / chunk.len().max(1) {
                if stream.write_all(chunk).is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads one request: an HTTP one (it starts with a method) to the end of its head and its
/// `Content-Length` body (or its last chunk); anything else (raw-tcp) is what the first read gets.
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return seen,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
        if !seen[0].is_ascii_uppercase() {
            return seen;
        }
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let chunked = head.contains("transfer-encoding: chunked");
            if chunked && seen[end + 4..].ends_with(b"0\r\n\r\n") {
                return seen;
            }
            if !chunked && seen.len() >= end + 4 + length {
                return seen;
            }
        }
    }
}

/// curl posting one raw gRPC `frame` (prefix included) to `url` with HTTP/2 prior knowledge:
/// stdout holds the answer's headers and trailers (`-D -`) and, after them, its framed messages.
pub fn curl_grpc(url: &str, frame: &[u8]) -> Output {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), frame).unwrap();
    Command::new("curl")
        .args([
            "-sS",
            "--http2-prior-knowledge",
            "-H",
            "content-type: application/grpc",
        ])
        .args(["-H", "te: trailers", "-D", "-", "-o", "-", "--data-binary"])
        .arg(format!("@{}", path_str(file.path())))
        .arg(url)
        .output()
        .unwrap()
}

/// An HTTP/1.1 answer that closes: status line (`"200 OK"`), `headers` (whole lines, each ending
/// in `\r\n`), `Content-Length` and `Connection: close`, then `body`.
pub fn http_answer(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
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

/// A `.proto` in `dir` that says `rpc.math.Math/Add` answers a string where `rpc serve` sends an
/// int64: an answer that does not decode as the message the client expects.
pub fn wrong_add_schema(dir: &std::path::Path) -> PathBuf {
    let proto = dir.join("wrong.proto");
    std::fs::write(
        &proto,
        "syntax = \"proto3\"; package rpc.math; message Operands { int64 a = 1; int64 b = 2; } \
         message Text { string value = 1; } service Math { rpc Add(Operands) returns (Text); }",
    )
    .unwrap();
    proto
}

pub fn path_str(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// `https://127.0.0.1:PORT`
pub fn https(server: &Spawned) -> String {
    format!("https://127.0.0.1:{}", server.port)
}
