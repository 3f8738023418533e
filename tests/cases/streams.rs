//! Every protocol over any stream: `rpc serve` and `rpc proxy` on Unix sockets (reached by curl,
//! grpcurl, buf curl, grpcio and `rpc`), `rpc` calling peers on Unix sockets (a grpcio server,
//! anvil's IPC), child processes over stdio (python-lsp-server, pyright, a JSON-RPC server with
//! modes that fail on purpose: tests/peers/stdio_server.py), `rpc proxy --stdio` between an editor
//! (tests/peers/lsp_client.py) and its language server, and replays of such sessions.

use super::grpc::{buf, grpcurl, run};
use super::support::{
    outcome, path_str, peer_scripts, peers_dir, python, python_peer, require, rpc, rpc_path, Serve,
    Spawned,
};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `rpc call ARGS`: (status, stdout, stderr).
fn call(args: &[&str]) -> (i32, String, String) {
    outcome(&rpc().arg("call").args(args).output().unwrap())
}

/// A word safe inside a `stdio:` command line (split as a POSIX shell would).
fn quote(path: &Path) -> String {
    format!("'{}'", path.display())
}

/// `stdio:` running tests/peers/stdio_server.py with `args`.
fn stdio_server(args: &str) -> String {
    let python = peers_dir().join("venv/bin/python");
    let script = peer_scripts().join("stdio_server.py");
    format!("stdio:{} {} {args}", quote(&python), quote(&script))
}

fn pylsp() -> String {
    let exe = require(peers_dir().join("venv/bin/pylsp"), "python-lsp-server");
    format!("stdio:{}", quote(&exe))
}

fn pyright() -> String {
    let exe = require(
        peer_scripts().join("node_modules/.bin/pyright-langserver"),
        "npm package pyright",
    );
    format!("stdio:{} --stdio", quote(&exe))
}

/// `rpc serve` on a Unix socket in a fresh directory (kept alive by the returned guard).
fn serve_unix(extra: &[&str]) -> (Spawned, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("rpc.sock");
    let server = Serve::new()
        .addr(&format!("unix:{}", socket.display()))
        .args(extra.iter().copied())
        .start_with_banner_of(6);
    (server, dir, socket)
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Waits (at most 10 s) until `done` holds.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(10), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn rpc_serve_on_a_unix_socket_answers_every_protocol_to_rpc_and_curl() {
    let (mut server, _dir, socket) = serve_unix(&[]);
    let path = path_str(&socket);
    let unix = format!("unix:{path}");
    assert_eq!(server.addr, unix);
    assert!(
        server
            .extra_lines
            .iter()
            .any(|line| line == &format!("grpc --unix-socket {path} grpc://localhost")),
        "{:?}",
        server.extra_lines
    );
    assert_eq!(mode_of(&socket), 0o600, "only its owner may connect");

    // curl, as its manual says: HTTP to a socket.
    let curl = Command::new("curl")
        .args(["-sS", "--unix-socket", path, "http://localhost/"])
        .args(["-H", "content-type: application/json"])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}"#,
        ])
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&curl.stdout);
    assert!(body.contains(r#""result":5"#), "{body}");

    // JSON-RPC objects on the socket itself (geth-style IPC), one call and a batch.
    assert_eq!(call(&[&unix, "add", "2", "3"]).1, "5\n");
    let (status, out, err) = call(&[&unix, "add", "1", "2", "+", "mul", "3", "4", "+", "nope"]);
    assert_eq!(status, 1, "{err}");
    assert!(out.starts_with("3\n12\n"), "{out}");
    // Every other protocol, through --unix-socket or unix:.
    for args in [
        vec!["-P", "raw-tcp", &unix, "add", "2", "3"],
        vec!["--unix-socket", path, "http://localhost/", "add", "2", "3"],
        vec![
            "-P",
            "xml-rpc",
            "--unix-socket",
            path,
            "http://localhost/",
            "add",
            "2",
            "3",
        ],
        vec![
            "-P",
            "reach",
            "--unix-socket",
            path,
            "http://localhost/",
            "add",
            "2",
            "3",
        ],
        vec![
            "--unix-socket",
            path,
            "grpc://localhost",
            "rpc.math.Math/Add",
            "a:=2",
            "b:=3",
        ],
    ] {
        let (status, out, err) = call(&args);
        assert_eq!((status, out.trim()), (0, "5"), "{args:?}: {err}");
    }
    let listed = rpc()
        .args(["list", "--unix-socket", path, "grpc://localhost"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("rpc.math.Math/Add"),
        "{listed:?}"
    );

    server.terminate();
    server.child.wait().unwrap();
    assert!(!socket.exists(), "the socket file is removed on exit");
}

#[test]
fn a_stale_socket_is_replaced_a_live_one_is_not_and_socket_mode_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    assert!(socket.exists(), "a socket file left by a dead server");

    let addr = format!("unix:{}", socket.display());
    let server = Serve::new()
        .addr(&addr)
        .args(["--socket-mode", "660"])
        .start();
    assert_eq!(mode_of(&socket), 0o660);
    assert_eq!(call(&[&addr, "add", "2", "3"]).1, "5\n");

    // A second server on the same live socket is refused, and the first keeps it.
    let refused = Serve::new().addr(&addr).command().output().unwrap();
    let (status, _, err) = outcome(&refused);
    assert_ne!(status, 0);
    assert!(err.contains(path_str(&socket)), "{err}");
    assert_eq!(call(&[&addr, "add", "2", "3"]).1, "5\n");
    drop(server);

    // A path that is not a socket is never removed.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let refused = Serve::new()
        .addr(&format!("unix:{}", file.display()))
        .command()
        .output()
        .unwrap();
    assert_ne!(refused.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn grpcurl_buf_curl_and_grpcio_reach_rpc_serve_on_a_unix_socket() {
    let (_server, _dir, socket) = serve_unix(&[]);
    let path = path_str(&socket);

    let mut list = grpcurl();
    // grpcurl and grpcio name the socket's path as :authority, which is no authority (RFC 3986);
    // the h2 crate, under rpc serve as under tonic, resets such a stream. Both are told to say
    // localhost, as grpc-go and buf curl do (fullstorydev/grpcurl#442; docs/protocols.md).
    list.args([
        "-plaintext",
        "-unix",
        "-authority",
        "localhost",
        path,
        "list",
    ]);
    let (ok, services, err) = run(list, "");
    assert!(ok && services.contains("rpc.math.Math"), "{services}{err}");
    let mut add = grpcurl();
    add.args([
        "-plaintext",
        "-unix",
        "-authority",
        "localhost",
        "-d",
        r#"{"a":2,"b":3}"#,
        path,
    ])
    .arg("rpc.math.Math/Add");
    let (ok, five, err) = run(add, "");
    assert!(ok && five.contains('5'), "{five}{err}");

    let mut curl = buf();
    curl.args(["curl", "--protocol", "grpc", "--http2-prior-knowledge"])
        .args(["--unix-socket", path, "-d", r#"{"a":2,"b":3}"#])
        .arg("http://localhost/rpc.math.Math/Add");
    let (ok, five, err) = run(curl, "");
    assert!(ok && five.contains('5'), "{five}{err}");

    let out = python()
        .args(["grpc_client.py", "--authority", "localhost"])
        .args([&format!("unix:{path}"), "math"])
        .output()
        .unwrap();
    assert!(out.status.success(), "grpcio over unix: {out:?}");
}

#[test]
fn rpc_lists_describes_and_calls_a_grpcio_server_on_a_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("grpc.sock");
    let _server = python_peer(&[
        "grpc_field_server.py",
        "--reflection",
        "--unix",
        path_str(&socket),
    ]);
    let path = path_str(&socket);
    let listed = rpc()
        .args(["list", "--unix-socket", path, "grpc://localhost"])
        .output()
        .unwrap();
    let (status, out, err) = outcome(&listed);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("field.v1.Values/Echo"), "{out}");
    let described = rpc()
        .args([
            "describe",
            "--unix-socket",
            path,
            "grpc://localhost",
            "field.v1.Values/Echo",
        ])
        .output()
        .unwrap();
    assert!(described.status.success(), "{described:?}");
    let (status, out, err) = call(&[
        "--unix-socket",
        path,
        "grpc://localhost",
        "field.v1.Values/Echo",
        "u64:=18446744073709551615",
    ]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("18446744073709551615"), "{out}");
}

/// anvil (Foundry's Ethereum node: HTTP and WebSocket on one port), killed on drop.
pub(super) struct Anvil {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// anvil on a port of the OS's choice (and its IPC socket at `ipc`), its stdout drained.
pub(super) fn anvil(ipc: Option<&Path>) -> Anvil {
    let exe = require(
        peer_scripts().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"),
        "npm package @foundry-rs/anvil",
    );
    let mut command = Command::new(exe);
    command.args(["--port", "0"]);
    if let Some(socket) = ipc {
        command.args(["--ipc", path_str(socket)]);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            // The banner's last line: `Listening on 127.0.0.1:PORT`.
            if let Some(port) = line.strip_prefix("Listening on ") {
                let _ = tx.send(port.rsplit(':').next().and_then(|p| p.parse().ok()));
            }
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("anvil printed `Listening on`")
        .expect("a port in anvil's `Listening on` line");
    if let Some(socket) = ipc {
        eventually("anvil's IPC socket exists", || socket.exists());
    }
    Anvil { child, port }
}

#[test]
fn anvil_is_called_over_its_ipc_socket_one_call_and_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("anvil.ipc");
    let node = anvil(Some(&socket));
    let unix = format!("unix:{}", socket.display());
    let (status, out, err) = call(&[&unix, "eth_chainId"]);
    assert_eq!((status, out.as_str()), (0, "\"0x7a69\"\n"), "{err}");
    let (status, out, err) = call(&[&unix, "eth_chainId", "+", "net_version", "+", "eth_nope"]);
    drop(node);
    assert_eq!(status, 1, "a failed call in the batch: {out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(&lines[..2], ["\"0x7a69\"", "\"31337\""], "{out}");
    assert!(err.contains("call 3 (eth_nope)"), "{err}");
}

#[test]
fn pylsp_answers_a_hover_through_the_lsp_lifecycle() {
    let sample = peer_scripts().join("lsp/sample.py");
    let uri = format!(r#"textDocument:={{"uri":"{}"}}"#, sample.display());
    let out = rpc()
        .args(["call", "-P", "lsp", "--open", path_str(&sample), &pylsp()])
        .args([
            "textDocument/hover",
            &uri,
            r#"position:={"line":8,"character":7}"#,
        ])
        .output()
        .unwrap();
    let (status, out, err) = outcome(&out);
    assert_eq!(status, 0, "{err}");
    let hover: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("Return a friendly greeting"), "{out}");
}

#[test]
fn pyright_diagnostics_are_waited_for_and_its_requests_answered() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.py");
    std::fs::write(&bad, "x: int = \"not an int\"\n").unwrap();
    let out = rpc()
        .args(["call", "-v", "-P", "lsp", "--root", path_str(dir.path())])
        .args([
            "--open",
            path_str(&bad),
            "--wait",
            "textDocument/publishDiagnostics",
        ])
        .arg(pyright())
        .output()
        .unwrap();
    let (status, out, err) = outcome(&out);
    assert_eq!(status, 0, "{err}");
    let published: serde_json::Value = serde_json::from_str(&out).unwrap();
    let message = published["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("not assignable"), "{out}");
    // pyright asks the editor for its settings; rpc answers as an editor with none does.
    assert!(
        err.lines()
            .any(|l| l.starts_with("RPC <- workspace/configuration") && l.ends_with("==> [null]")),
        "{err}"
    );
    assert!(err.contains("RPC shutdown null ==> null"), "{err}");
}

/// tests/peers/lsp_client.py (an editor) running `cmd`: (status, its JSON line, stderr).
fn editor(extra: &[&str], cmd: &[&str]) -> (i32, serde_json::Value, String) {
    let out = python()
        .arg("lsp_client.py")
        .args(extra)
        .arg("--")
        .args(cmd)
        .output()
        .unwrap();
    let (status, out, err) = outcome(&out);
    let summary = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (status, summary, err)
}

#[test]
fn an_editor_through_rpc_proxy_stdio_gets_every_byte_unchanged_and_the_log_has_each_message() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("echo.log");
    let rpc = rpc_path();
    let (status, summary, err) = editor(
        &["--echo"],
        &[
            path_str(&rpc),
            "proxy",
            "--stdio",
            "--to",
            "stdio:cat",
            "--log",
            path_str(&log),
        ],
    );
    assert_eq!(status, 0, "{summary}{err}");
    assert_eq!(summary["identical"], true, "{summary}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("RPC echo {\"text\":\"héllo wörld"),
        "{logged}"
    );
    assert!(
        logged.contains("RPC <- echo"),
        "what cat sent back: {logged}"
    );
}

#[test]
fn an_editor_through_rpc_proxy_stdio_hovers_with_pylsp() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("lsp.log");
    let recording = dir.path().join("lsp.jsonl");
    let rpc = rpc_path();
    let server = pylsp();
    let (status, summary, err) = editor(
        &[],
        &[
            path_str(&rpc),
            "proxy",
            "--stdio",
            "--to",
            &server,
            "--log",
            path_str(&log),
            "--record",
            path_str(&recording),
        ],
    );
    assert_eq!(status, 0, "{summary}{err}");
    assert_eq!(summary["exit_code"], 0, "pylsp was let exit: {summary}");
    let logged = std::fs::read_to_string(&log).unwrap();
    for seen in [
        "RPC initialize",
        "RPC textDocument/hover",
        "==> {\"contents\"",
        "session over",
    ] {
        assert!(logged.contains(seen), "{seen}: {logged}");
    }

    // The editor's session, replayed: its own initialize begins the LSP session.
    let recorded = std::fs::read_to_string(&recording).unwrap();
    let methods: Vec<String> = recorded
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .inspect(|entry| assert_eq!(entry["protocol"], "lsp", "{entry}"))
        .map(|entry| entry["method"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(methods, ["initialize", "textDocument/hover", "shutdown"]);
    replays_unchanged(&recording, &[], 3);
}

#[test]
fn a_child_that_cannot_start_dies_or_babbles_is_named_with_its_last_words() {
    let (status, _, err) = call(&["stdio:/nonexistent/server", "echo", "1"]);
    assert_eq!(
        status, 5,
        "a command that does not exist is a usage error: {err}"
    );
    assert!(err.contains("no such command"), "{err}");

    let (status, _, err) = call(&[&stdio_server("--mode die"), "echo", "1"]);
    assert_eq!(status, 3, "{err}");
    assert!(err.contains("exited with status 3"), "{err}");
    assert!(err.contains("fatal: no config file / aborting"), "{err}");

    let (status, _, err) = call(&[&stdio_server("--mode die-after-read"), "echo", "1"]);
    assert_eq!(status, 3, "{err}");
    assert!(err.contains("panic: cannot handle it"), "{err}");

    let (status, _, err) = call(&[&stdio_server("--mode banner"), "echo", "1"]);
    assert_eq!(status, 4, "{err}");
    assert!(err.contains("\"Server started (pid"), "{err}");
    assert!(err.contains("log to stderr"), "{err}");
}

#[test]
fn a_silent_or_endless_child_times_out_and_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    for mode in ["silent", "forever-stdout"] {
        let pid_file = dir.path().join(format!("{mode}.pid"));
        // The shell leaves its pid and becomes the server, so the test knows whom to look for.
        let command = format!(
            "stdio:sh -c 'echo $$ > {} && exec \"$0\" \"$@\"' {}",
            pid_file.display(),
            stdio_server(&format!("--mode {mode}")).trim_start_matches("stdio:")
        );
        let started = Instant::now();
        let (status, out, err) = call(&["-t", "1", &command, "echo", "1"]);
        assert_eq!((status, out.as_str()), (3, ""), "{mode}: {err}");
        assert!(err.contains("timed out after 1s"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{mode} took too long"
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        eventually("the server process is gone", || gone(pid.trim()));
    }
}

#[test]
fn content_length_framing_is_bounded() {
    for (mode, said) in [
        ("lying-length", "larger than 67108864 bytes"),
        (
            "endless-header",
            "no end to a header block after 8192 bytes",
        ),
        ("endless-body", "larger than 67108864 bytes"),
    ] {
        let server = stdio_server(&format!("--mode {mode} --framing content-length"));
        let (status, _, err) = call(&["--framing", "content-length", &server, "echo", "1"]);
        assert_eq!(status, 4, "{mode}: {err}");
        assert!(err.contains(said), "{mode}: {err}");
    }
    // Smaller --max-header-block and --max-response are the bounds.
    let server = stdio_server("--mode endless-header --framing content-length");
    let (status, _, err) = call(&[
        "--framing",
        "content-length",
        "--max-header-block",
        "64",
        &server,
        "echo",
        "1",
    ]);
    assert_eq!(status, 4, "{err}");
    assert!(err.contains("after 64 bytes"), "{err}");
    let server = stdio_server("--framing content-length");
    let big = "x".repeat(5000);
    let (status, _, err) = call(&[
        "--framing",
        "content-length",
        "--max-response",
        "1000",
        &server,
        "echo",
        &big,
    ]);
    assert_eq!(status, 4, "{err}");
    assert!(err.contains("larger than 1000 bytes"), "{err}");
}

#[test]
fn a_chatty_child_is_answered_by_callbacks_and_its_notifications_traced() {
    let server = stdio_server("--mode chatty");
    let out = rpc()
        .args([
            "call",
            "-v",
            "--callback",
            r#"ping={"pong":true}"#,
            &server,
            "add",
            "2",
            "3",
        ])
        .output()
        .unwrap();
    let (status, out, err) = outcome(&out);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    assert!(err.contains(r#"RPC <- log {"message":"#), "{err}");
    assert!(
        err.contains(
            r#"client answered ping: {"jsonrpc":"2.0","id":"srv-1","result":{"pong":true}}"#
        ),
        "{err}"
    );

    // Unanswered, the server's request gets method-not-found, and the call still completes.
    let (status, out, err) = call(&[&server, "add", "2", "3"]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    assert!(err.contains("-32601"), "{err}");
}

#[test]
fn answers_in_any_order_are_matched_by_id() {
    let server = stdio_server("--mode out-of-order");
    let (status, out, err) = call(&[
        &server, "add", "1", "2", "+", "add", "3", "4", "+", "echo", "x",
    ]);
    assert_eq!((status, out.as_str()), (0, "3\n7\n[\"x\"]\n"), "{err}");
}

#[test]
fn a_flood_on_the_childs_stderr_goes_to_server_stderr_and_never_stalls_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.log");
    let server = stdio_server("--mode flood-stderr");
    let (status, out, err) = call(&[
        "--server-stderr",
        path_str(&file),
        &server,
        "add",
        "1",
        "2",
        "+",
        "add",
        "3",
        "4",
    ]);
    assert_eq!((status, out.as_str()), (0, "3\n7\n"), "{err}");
    assert!(
        !err.contains("log line"),
        "nothing of it on rpc's stderr: {err}"
    );
    let logged = std::fs::metadata(&file).unwrap().len();
    assert!(logged > 0, "the child's stderr is in --server-stderr");
}

#[test]
fn a_repl_session_with_pylsp_and_one_on_a_unix_socket_replay_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let sample = peer_scripts().join("lsp/sample.py");
    let lsp_file = dir.path().join("lsp.jsonl");
    let hover = format!(
        "textDocument/hover textDocument:={{\"uri\":\"{}\"}} position:={{\"line\":8,\"character\":7}}\n",
        sample.display()
    );
    rpc()
        .args([
            "repl",
            "-P",
            "lsp",
            "--open",
            path_str(&sample),
            &pylsp(),
            "--record",
        ])
        .arg(&lsp_file)
        .write_stdin(hover)
        .assert()
        .success();
    let recorded = std::fs::read_to_string(&lsp_file).unwrap();
    assert!(recorded.contains(r#""protocol":"lsp""#), "{recorded}");
    replays_unchanged(&lsp_file, &["--open", path_str(&sample)], 1);

    let (_server, _socket_dir, socket) = serve_unix(&[]);
    let unix = format!("unix:{}", socket.display());
    let unix_file = dir.path().join("unix.jsonl");
    rpc()
        .args(["repl", &unix, "--record"])
        .arg(&unix_file)
        .write_stdin("add 2 3\ndiv 1 0\n")
        .assert()
        .success();
    let recorded = std::fs::read_to_string(&unix_file).unwrap();
    assert!(
        recorded.contains(&format!(r#""endpoint":"{unix}""#)),
        "{recorded}"
    );
    replays_unchanged(&unix_file, &[], 2);
}

#[test]
fn rpc_proxy_listens_on_a_unix_socket_and_forwards_to_tcp() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("proxy.sock");
    let mut cmd = Command::new(rpc_path());
    cmd.args(["proxy", "--listen", &format!("unix:{}", socket.display())])
        .args(["--to", &server.url()])
        .stderr(Stdio::null());
    let mut proxy = Spawned::start(cmd);
    let (status, out, err) = call(&[
        "--unix-socket",
        path_str(&socket),
        "http://localhost/",
        "add",
        "2",
        "3",
    ]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    let mut log = String::new();
    let stdout = proxy.stdout.as_mut().unwrap();
    while !log.contains("==> 5") {
        assert!(
            stdout.read_line(&mut log).unwrap() > 0,
            "the log ended: {log}"
        );
    }
    assert!(log.contains("RPC add [2,3]"), "{log}");
}

#[test]
fn rpc_bench_runs_a_child_per_connection_and_refuses_an_lsp_session() {
    let server = stdio_server("");
    let report = super::bench::bench_json(&[&server, "add", "1", "2", "-n", "300", "-c", "2"]);
    assert_eq!(
        (&report["requests"], &report["ok"]),
        (&300.into(), &300.into()),
        "{report}"
    );
    assert_eq!(report["connects"], 2, "one child per connection: {report}");

    let (status, _, err) = outcome(
        &rpc()
            .args(["bench", "-P", "lsp", "-n", "1", &pylsp(), "initialize"])
            .output()
            .unwrap(),
    );
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("lifecycle"), "{err}");
}

#[test]
fn json_rpc_objects_on_a_tcp_stream_as_electrum_servers_speak() {
    let server = Serve::new().start();
    let tcp = server.tcp_url();
    let (status, out, err) = call(&["-P", "json-rpc", &tcp, "add", "2", "3"]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    let (status, out, err) = call(&[
        "-P", "json-rpc", &tcp, "add", "1", "2", "+", "div", "1", "0",
    ]);
    assert_eq!((status, out.lines().next()), (1, Some("3")), "{err}");
    assert!(err.contains("call 2 (div)"), "{err}");
}

#[test]
fn rpc_proxy_forwards_every_protocol_to_a_unix_socket_and_its_recording_replays() {
    let (_server, _dir, socket) = serve_unix(&[]);
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("calls.jsonl");
    let mut cmd = Command::new(rpc_path());
    cmd.args(["proxy", "--listen", "127.0.0.1:0"])
        .args(["--to", &format!("unix:{}", socket.display())])
        .args(["--record", path_str(&recording)])
        .stderr(Stdio::null());
    let proxy = Spawned::start(cmd);
    let port = proxy.port.to_string();
    let local = format!("127.0.0.1:{port}");
    for args in [
        vec!["-P", "xml-rpc", &local, "add", "2", "3"],
        vec!["-P", "reach", &local, "/add", "2", "3"],
        vec![&local, "add", "2", "3"],
        vec!["-P", "raw-tcp", &local, "add", "2", "3"],
    ] {
        let (status, out, err) = call(&args);
        assert_eq!((status, out.as_str()), (0, "5\n"), "{args:?}: {err}");
    }
    let grpc = format!("grpc://{local}");
    let (status, out, err) = call(&[&grpc, "rpc.math.Math/Add", "a:=2", "b:=3"]);
    assert_eq!(
        (status, out.as_str()),
        (0, "5\n"),
        "the schema asked through the socket: {err}"
    );
    let tcp = format!("tcp://{local}");
    let (status, out, err) = call(&["-P", "json-rpc", &tcp, "add", "2", "3"]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    drop(proxy);

    // Each call is recorded where a replay reaches it: HTTP and gRPC through the socket.
    let recorded = std::fs::read_to_string(&recording).unwrap();
    let entries: Vec<serde_json::Value> = recorded
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 6, "{recorded}");
    let grpc_entry = entries.iter().find(|e| e["protocol"] == "grpc").unwrap();
    assert_eq!(grpc_entry["endpoint"], "grpc://localhost", "{recorded}");
    assert_eq!(grpc_entry["unix_socket"], path_str(&socket), "{recorded}");
    replays_unchanged(&recording, &[], 6);
}

#[test]
fn a_repl_session_through_unix_socket_records_it_for_replay() {
    let (_server, _dir, socket) = serve_unix(&[]);
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("session.jsonl");
    rpc()
        .args(["repl", "-P", "xml-rpc", "--unix-socket", path_str(&socket)])
        .args(["http://localhost/", "--record", path_str(&recording)])
        .write_stdin("add 2 3\n")
        .assert()
        .success();
    let recorded = std::fs::read_to_string(&recording).unwrap();
    assert!(recorded.contains(r#""unix_socket":"#), "{recorded}");
    replays_unchanged(&recording, &[], 1);
}

/// `rpc replay FILE EXTRA…` finds each of its `calls` answered as recorded.
fn replays_unchanged(file: &Path, extra: &[&str], calls: usize) {
    let replayed = rpc().arg("replay").arg(file).args(extra).output().unwrap();
    let (status, _, err) = outcome(&replayed);
    assert_eq!(status, 0, "{err}");
    let plural = if calls == 1 { "call" } else { "calls" };
    let said = format!("replayed {calls} {plural}: every answer is the same");
    assert!(err.contains(&said), "{err}");
}

/// A `stdio:` server that reads nothing and never exits, and the file in `dir` where its pid
/// will be.
fn sleeper(dir: &Path) -> (String, PathBuf) {
    let pid_file = dir.join("server.pid");
    let command = format!(
        "stdio:sh -c 'echo $$ > {}; exec sleep 600'",
        pid_file.display()
    );
    (command, pid_file)
}

/// The pid a `sh -c 'echo $$ > FILE; exec CMD'` wrapper left in `file`, once it is there.
fn pid_in(file: &Path) -> String {
    eventually("the wrapper wrote its pid", || {
        std::fs::read_to_string(file).is_ok_and(|pid| pid.ends_with('\n'))
    });
    std::fs::read_to_string(file).unwrap().trim().to_owned()
}

/// Whether process `pid` is gone (or a zombie waiting for whoever reaps orphans).
fn gone(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z "))
}

#[test]
fn a_child_that_exits_when_its_stdin_closes_is_not_kept_waiting_for_its_grace() {
    let server = stdio_server("");
    let started = Instant::now();
    let (status, out, err) = call(&["--stop-grace", "60", &server, "add", "2", "3"]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    // Its stdin is closed as the call ends, so it exits at once, long before a 60 s grace.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "waited out the grace"
    );
}

#[test]
fn sigterm_to_rpc_stops_its_child_and_exits_143() {
    let dir = tempfile::tempdir().unwrap();
    let (command, pid_file) = sleeper(dir.path());
    let mut rpc = Command::new(rpc_path())
        .args(["call", &command, "add", "1", "2"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child = pid_in(&pid_file);
    let status = Command::new("kill")
        .args(["-TERM", &rpc.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = rpc.wait().unwrap();
    assert_eq!(out.code(), Some(143));
    eventually("the child is stopped with rpc", || gone(&child));
}

#[test]
fn rpc_proxy_stdio_stops_a_server_that_outlives_its_client() {
    let dir = tempfile::tempdir().unwrap();
    let (command, pid_file) = sleeper(dir.path());
    let mut proxy = Command::new(rpc_path())
        .args(["proxy", "--stdio", "--to", &command])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = pid_in(&pid_file);
    drop(proxy.stdin.take()); // the client goes away
    let started = Instant::now();
    let status = loop {
        if let Some(status) = proxy.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the proxy never exited"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    eventually("the server is stopped", || gone(&server));
}

#[test]
fn a_wrong_framing_a_protocol_without_listing_and_a_doubled_socket_are_said_plainly() {
    let server = stdio_server("");
    let (status, _, err) = call(&["--framing", "content-length", &server, "add", "1", "2"]);
    assert_eq!(status, 4, "{err}");
    assert!(
        err.contains("see --framing"),
        "said at once, not a timeout: {err}"
    );

    let listed = rpc()
        .args(["list", "-P", "lsp", &pylsp()])
        .output()
        .unwrap();
    let (status, _, err) = outcome(&listed);
    assert_ne!(status, 0);
    assert!(err.contains("no introspection over lsp"), "{err}");

    let (status, _, err) = call(&["--unix-socket", "/tmp/x.sock", "unix:/tmp/y.sock", "add"]);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("--unix-socket goes with"), "{err}");
}

#[test]
fn rpc_serve_stdio_answers_one_client_on_its_stdin_and_stdout() {
    let server = format!("stdio:{} serve --stdio", rpc_path().display());
    let (status, out, err) = call(&[&server, "add", "2", "3", "+", "mul", "3", "4"]);
    assert_eq!((status, out.as_str()), (0, "5\n12\n"), "{err}");
    assert!(
        err.contains("stdio json-rpc RPC add [2,3] ==> 5"),
        "the log on stderr: {err}"
    );
    let (status, out, _) = outcome(&rpc().args(["list", &server]).output().unwrap());
    assert_eq!(status, 0);
    assert!(out.lines().any(|m| m == "echo"), "{out}");

    // Nothing but answers on stdout, one per line, in order; the end of stdin ends it, exit 0.
    let mut child = Command::new(rpc_path())
        .args(["serve", "--stdio", "-q", "--max-message", "100"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let requests = concat!(
        "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":7}\n",
        "[{\"jsonrpc\":\"2.0\",\"method\":\"mul\",\"params\":[2,3],\"id\":8}]\n",
    );
    std::io::Write::write_all(&mut stdin, requests.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":7}\n[{\"jsonrpc\":\"2.0\",\"result\":6,\"id\":8}]\n"
    );
    let (status, _, err) = outcome(
        &rpc()
            .args(["serve", "--stdio", "--addr", ":9"])
            .output()
            .unwrap(),
    );
    assert_eq!(status, 2, "{err}");
}
