//! JSON-RPC over WebSocket: `rpc` against anvil (calls, batches, `eth_subscribe newHeads`
//! followed while blocks are mined) and against a Python `websockets` server that misbehaves on
//! purpose (tests/peers/ws_server.py); `rpc serve`'s WebSocket driven by a Python `websockets`
//! client and by raw sockets that break the rules (tests/peers/ws_client.py), and by `rpc` itself.

use super::bench::bench_json;
use super::streams::anvil;
use super::support::{outcome, python, rpc, rpc_path, Serve, Spawned};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `rpc call ARGS`: (status, stdout, stderr).
fn call(args: &[&str]) -> (i32, String, String) {
    outcome(&rpc().arg("call").args(args).output().unwrap())
}

fn ws(server: &Spawned) -> String {
    format!("ws://127.0.0.1:{}/", server.port)
}

/// `rpc repl URL` reading a script from a pipe, its output piped.
fn piped_repl(url: &str) -> std::process::Child {
    Command::new(rpc_path())
        .args(["repl", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `rpc call ARGS` (a `--follow`), its output piped, once it has printed its first bytes.
fn following(args: &[&str]) -> std::process::Child {
    let mut follower = Command::new(rpc_path())
        .arg("call")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 2];
    let stdout = follower.stdout.as_mut().unwrap();
    stdout.read_exact(&mut first).unwrap();
    follower
}

/// The quirky server in `mode`, its stderr (where it says what it was sent) piped.
fn quirky(mode: &str) -> Spawned {
    let mut cmd = python();
    cmd.args(["ws_server.py", "--mode", mode])
        .stderr(Stdio::piped());
    Spawned::start(cmd)
}

#[test]
fn anvil_over_websocket_a_call_a_batch_and_new_heads_followed_then_unsubscribed() {
    let node = anvil(None);
    let url = format!("ws://127.0.0.1:{}/", node.port);
    let (status, out, err) = call(&[&url, "eth_chainId"]);
    assert_eq!((status, out.as_str()), (0, "\"0x7a69\"\n"), "{err}");
    let (status, out, err) = call(&[&url, "eth_chainId", "+", "net_version"]);
    assert_eq!(
        (status, out.as_str()),
        (0, "\"0x7a69\"\n\"31337\"\n"),
        "{err}"
    );

    // Blocks are mined over HTTP while `rpc` follows newHeads over WebSocket.
    let http = format!("http://127.0.0.1:{}/", node.port);
    let miner = std::thread::spawn(move || {
        for _ in 0..40 {
            std::thread::sleep(Duration::from_millis(250));
            let _ = rpc().args(["call", &http, "evm_mine"]).output();
        }
    });
    let (status, out, err) = call(&[
        "-v",
        "--follow",
        "-n",
        "2",
        &url,
        "eth_subscribe",
        "newHeads",
    ]);
    miner.join().unwrap();
    assert_eq!(status, 0, "{err}");
    let heads: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        heads.len(),
        2,
        "two notifications, nothing else on stdout: {out}"
    );
    assert!(heads.iter().all(|h| h["number"].is_string()), "{out}");
    assert!(err.contains("rpc: following subscription \"0x"), "{err}");
    assert!(err.contains("RPC eth_unsubscribe [\"0x"), "{err}");
    assert!(
        err.contains("==> true"),
        "anvil confirms the unsubscribe: {err}"
    );
}

#[test]
fn answers_are_matched_by_id_whatever_comes_first_and_however_it_is_framed() {
    for mode in ["normal", "out-of-order", "notify-first", "fragmented"] {
        let server = quirky(mode);
        let (status, out, err) = call(&[&ws(&server), "add", "1", "2", "+", "echo", "x"]);
        assert_eq!((status, out.as_str()), (0, "3\n[\"x\"]\n"), "{mode}: {err}");
    }
    // What came before the answer is in the trace, never taken for it.
    let server = quirky("notify-first");
    let (status, out, err) = call(&["-v", &ws(&server), "add", "1", "2"]);
    assert_eq!((status, out.as_str()), (0, "3\n"), "{err}");
    assert!(err.contains(r#"RPC <- log {"text":"working"}"#), "{err}");
}

#[test]
fn a_server_that_drops_the_connection_stays_silent_or_answers_too_much_is_said_so() {
    let server = quirky("no-close");
    let mut repl = rpc();
    repl.args(["repl", &ws(&server)])
        .write_stdin("add 1 2\nadd 3 4\n");
    let (_, out, err) = outcome(&repl.output().unwrap());
    assert!(out.starts_with("3\n"), "{out}");
    assert!(err.contains("without a close frame"), "{err}");

    let server = quirky("silent");
    let (status, _, err) = call(&["-t", "1", &ws(&server), "add", "1", "2"]);
    assert_eq!(status, 3, "{err}");
    assert!(err.contains("timed out after 1s"), "{err}");

    let server = quirky("oversized");
    let (status, _, err) = call(&["--max-response", "100000", &ws(&server), "add", "1", "2"]);
    assert_eq!(status, 4, "{err}");
    assert!(err.contains("larger than 100000 bytes"), "{err}");
}

#[test]
fn follow_prints_each_notification_and_unsubscribes_at_n_at_t_or_at_sigint() {
    let mut server = quirky("normal");
    let url = ws(&server);
    let (status, out, err) = call(&["--follow", "-n", "3", &url, "eth_subscribe", "newHeads"]);
    assert_eq!((status, out.as_str()), (0, "1\n2\n3\n"), "{err}");

    let (status, out, err) = call(&[
        "--follow",
        "-n",
        "1",
        "--whole-notification",
        &url,
        "eth_subscribe",
        "newHeads",
    ]);
    assert_eq!(status, 0, "{err}");
    let whole: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(whole["method"], "eth_subscription", "{out}");
    assert_eq!(whole["params"]["subscription"], "0xs1", "{out}");

    let started = Instant::now();
    let (status, out, err) = call(&["--follow", "-t", "1", &url, "eth_subscribe", "newHeads"]);
    assert_eq!(status, 0, "-t ends following, not in failure: {err}");
    assert!(
        !out.is_empty() && started.elapsed() < Duration::from_secs(20),
        "{out}"
    );

    let mut follower = following(&["--follow", &url, "eth_subscribe", "newHeads"]);
    let interrupted = Command::new("kill")
        .args(["-INT", &follower.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let ended = follower.wait().unwrap();
    assert_eq!(ended.code(), Some(0), "Ctrl-C ends a follow, exit 0");

    server.terminate();
    let said = server.stderr_text();
    assert_eq!(
        said.matches("unsubscribed 0xs1").count(),
        4,
        "each follow unsubscribed once: {said}"
    );
}

#[test]
fn a_subscribe_over_http_gets_the_websocket_hint() {
    let server = Serve::new().start();
    let (status, _, err) = call(&[&server.url(), "eth_subscribe", "newHeads"]);
    assert_eq!(status, 1, "{err}");
    let hint = format!(
        "subscriptions need a WebSocket: try ws://127.0.0.1:{}/",
        server.port
    );
    assert!(err.contains(&hint), "{err}");
    let (status, _, err) = call(&["--follow", &server.url(), "subscribe", "ticks"]);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("need a stream endpoint (ws://"), "{err}");
}

/// `tests/peers/ws_client.py URL CASE`: its JSON line, asserting it held.
fn ws_client(url: &str, case: &str) -> serde_json::Value {
    let out = python().args(["ws_client.py", url, case]).output().unwrap();
    let (status, out, err) = outcome(&out);
    assert_eq!(status, 0, "{case}: {out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{case}: {e}: {out}"))
}

#[test]
fn python_websockets_calls_batches_and_subscribes_on_rpc_serve() {
    let server = Serve::new().start();
    let said = ws_client(&ws(&server), "calls");
    assert_eq!(said["ticks"], serde_json::json!([1, 2, 3]));
}

#[test]
fn rpc_calls_and_follows_rpc_serve_over_websocket() {
    let server = Serve::new().start();
    let url = ws(&server);
    let (status, out, err) = call(&[
        &url, "add", "1", "2", "+", "mul", "3", "4", "+", "div", "1", "0",
    ]);
    assert_eq!(status, 1, "{err}");
    assert!(out.starts_with("3\n12\n"), "{out}");
    let (status, out, err) = call(&[
        "-v",
        "--follow",
        "-n",
        "2",
        &url,
        "subscribe",
        "ticks",
        "20",
    ]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(
        out,
        "{\"topic\":\"ticks\",\"count\":1}\n{\"topic\":\"ticks\",\"count\":2}\n"
    );
    assert!(err.contains("RPC unsubscribe [\"0x1\"] ==> true"), "{err}");
    let (status, _, err) = call(&[&url, "subscribe", "ticks", "1"]);
    assert_eq!(status, 1, "{err}");
    assert!(err.contains("a tick is at least 10 ms"), "{err}");
}

#[test]
fn rpc_serve_bounds_every_websocket_client() {
    let server = Serve::new()
        .limit("--max-ws-queue", "4")
        .limit("--max-body", "1000000")
        .limit("--max-subscriptions", "2")
        .start();
    let url = ws(&server);
    assert_eq!(ws_client(&url, "oversized")["code"], 1009);
    assert_eq!(ws_client(&url, "lying-length")["closed"], true);
    assert_eq!(ws_client(&url, "ping-flood")["add"], 5);
    assert_eq!(ws_client(&url, "never-read")["cut_off"], true);

    let mut repl = rpc();
    repl.args(["repl", &url])
        .write_stdin("subscribe ticks 1000\nsubscribe ticks 1000\nsubscribe ticks 1000\n");
    let (_, _, err) = outcome(&repl.output().unwrap());
    assert!(
        err.contains("at most 2 subscriptions per connection"),
        "{err}"
    );
    // The server is still there for everyone else.
    assert_eq!(call(&[&url, "add", "2", "3"]).1, "5\n");
}

#[test]
fn a_websocket_handshake_that_never_ends_is_closed_at_the_header_timeout() {
    let server = Serve::new().limit("--header-timeout", "1").start();
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
        .unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = socket.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "closed by the server"
    );
}

#[test]
fn sigterm_closes_each_websocket_with_going_away() {
    let mut server = Serve::new().start();
    let url = ws(&server);
    let follower = following(&["-vv", "--follow", &url, "subscribe", "ticks", "50"]);
    server.terminate();
    let out = follower.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the server closing ends a follow: {err}"
    );
    assert!(err.contains("< [close frame, "), "{err}");
    assert!(err.contains("1001 the server is shutting down"), "{err}");
    assert!(server.child.wait().unwrap().success());
}

#[test]
fn bench_loads_websocket_servers_counting_answers_and_errors() {
    let server = Serve::new().start();
    let url = ws(&server);
    for extra in [
        &["-c", "3"][..],
        &["-c", "2", "--pipeline", "8"],
        &["--connections", "per-call", "-c", "2"],
    ] {
        let mut args = vec![url.as_str(), "add", "2", "3", "-n", "200"];
        args.extend_from_slice(extra);
        let report = bench_json(&args);
        assert_eq!(report["ok"], 200, "{extra:?}: {report}");
        assert_eq!(report["errors"], 0, "{extra:?}: {report}");
    }
    let report = bench_json(&[
        &url,
        "add",
        "1",
        "1",
        "-n",
        "10",
        "--connections",
        "per-call",
        "-c",
        "1",
    ]);
    assert_eq!(report["connects"], 10, "{report}");
    let report = bench_json(&[&url, "nope", "-n", "30", "-c", "2"]);
    assert_eq!(report["errors"], 30, "{report}");
    let anvil = anvil(None);
    let report = bench_json(&[
        &format!("ws://127.0.0.1:{}", anvil.port),
        "eth_chainId",
        "-n",
        "100",
        "-c",
        "2",
    ]);
    assert_eq!(report["ok"], 100, "{report}");
}

#[test]
fn repl_subscribes_shows_notifications_as_they_come_and_unsubscribes() {
    let server = Serve::new().start();
    let mut repl = piped_repl(&ws(&server));
    let mut stdin = repl.stdin.take().unwrap();
    let stderr = repl.stderr.take().unwrap();
    let (lines, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    writeln!(stdin, ":subscribe subscribe ticks 20").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = Vec::new();
    while !log.iter().any(|l: &String| l.contains("\"count\":2}")) {
        let left = deadline.saturating_duration_since(Instant::now());
        log.push(
            seen.recv_timeout(left)
                .expect("two notifications within 10 s"),
        );
    }
    writeln!(
        stdin,
        ":subscribe\n:unsubscribe 0x9\n:unsubscribe \"0x1\"\n:unsubscribe"
    )
    .unwrap();
    drop(stdin);
    let out = repl.wait_with_output().unwrap();
    log.extend(seen.iter());
    let log = log.join("\n");
    assert!(
        log.contains("RPC <- subscription {\"subscription\":\"0x1\",\"result\":{\"topic\":\"ticks\",\"count\":1}}"),
        "{log}"
    );
    assert!(
        log.contains("\"0x1\": live; :unsubscribe \"0x1\" sends unsubscribe [\"0x1\"]"),
        "{log}"
    );
    assert!(
        log.contains("no subscription \"0x9\" (:subscribe lists them)"),
        "{log}"
    );
    assert!(log.contains("RPC unsubscribe [\"0x1\"] ==> true"), "{log}");
    assert!(log.ends_with("no subscriptions"), "{log}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "\"0x1\"\ntrue\n");

    let (status, _, err) = outcome(
        &rpc()
            .args(["repl", &server.url()])
            .write_stdin(":subscribe subscribe ticks 20\n:subscribe add 1 2\n")
            .output()
            .unwrap(),
    );
    assert_eq!(status, 0, "{err}");
    assert!(
        err.contains("where a server cannot send notifications"),
        "{err}"
    );
}

/// `rpc proxy --listen 127.0.0.1:0 --to UPSTREAM --record FILE ARGS…`, its log on stdout.
fn proxy(upstream: &str, recording: &std::path::Path, args: &[&str]) -> Spawned {
    let mut cmd = Command::new(rpc_path());
    cmd.args(["proxy", "--listen", "127.0.0.1:0", "--to", upstream])
        .args(["--record", recording.to_str().unwrap()])
        .args(args)
        .stderr(Stdio::null());
    Spawned::start(cmd)
}

/// Stops the proxy and returns the rest of its log.
fn proxy_log(mut proxy: Spawned) -> String {
    proxy.terminate();
    let mut log = String::new();
    proxy
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = proxy.child.wait();
    log
}

#[test]
fn rpc_proxy_passes_websockets_through_logs_every_message_and_records_them_for_replay() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("ws.jsonl");
    let through = proxy(&server.url(), &recording, &["--drain-timeout", "1"]);
    let url = format!("ws://127.0.0.1:{}/", through.port);
    // A Python websockets client sees through the proxy what it sees on the server itself.
    let said = ws_client(&url, "calls");
    assert_eq!(said["ticks"], serde_json::json!([1, 2, 3]));
    let (status, out, err) = call(&["--follow", "-n", "3", &url, "subscribe", "ticks", "20"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    let log = proxy_log(through);
    for line in [
        "RPC add [2,3] ==> 5",
        "RPC nope null =!> {\"code\":-32601",
        "RPC <- subscription (of subscribe [\"ticks\",20]) {\"subscription\":\"0x1\"",
        "RPC unsubscribe [\"0x1\"] ==> true",
        "the client closed the WebSocket (1000)",
    ] {
        assert!(log.contains(line), "{line:?} not in the log:\n{log}");
    }

    // Each session's calls and first three notifications per subscription, sent again.
    let recorded = std::fs::read_to_string(&recording).unwrap();
    let notifications = recorded
        .lines()
        .filter(|l| l.contains("\"notification\":"))
        .count();
    assert_eq!(notifications, 6, "{recorded}");
    assert!(recorded.contains(&format!("\"endpoint\":\"ws://127.0.0.1:{}/\"", server.port)));
    let replay = |file: &std::path::Path| {
        outcome(
            &rpc()
                .args(["replay", file.to_str().unwrap()])
                .output()
                .unwrap(),
        )
    };
    let (status, out, err) = replay(&recording);
    assert_eq!(status, 0, "{out}{err}");
    assert!(
        err.contains("and 6 notifications: every answer is the same"),
        "{err}"
    );
    let changed = dir.path().join("changed.jsonl");
    std::fs::write(
        &changed,
        recorded.replacen("\"count\":2}", "\"count\":9}", 1),
    )
    .unwrap();
    let (status, out, err) = replay(&changed);
    assert_eq!(status, 1, "{out}{err}");
    assert!(
        out.contains("-     \"count\": 9\n+     \"count\": 2"),
        "{out}"
    );
}

#[test]
fn rpc_proxy_between_rpc_and_anvil_labels_new_heads_with_their_subscription() {
    let node = anvil(None);
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("anvil.jsonl");
    let upstream = format!("http://127.0.0.1:{}", node.port);
    let through = proxy(&upstream, &recording, &["--drain-timeout", "1"]);
    let url = format!("ws://127.0.0.1:{}/", through.port);
    let http = upstream.clone();
    let miner = std::thread::spawn(move || {
        for _ in 0..40 {
            std::thread::sleep(Duration::from_millis(250));
            let _ = rpc().args(["call", &http, "evm_mine"]).output();
        }
    });
    let (status, out, err) = call(&["--follow", "-n", "1", &url, "eth_subscribe", "newHeads"]);
    miner.join().unwrap();
    assert_eq!((status, out.lines().count()), (0, 1), "{out}{err}");
    let log = proxy_log(through);
    assert!(
        log.contains("RPC <- eth_subscription (of eth_subscribe [\"newHeads\"])"),
        "{log}"
    );
    assert!(log.contains("RPC eth_unsubscribe [\"0x"), "{log}");
}

#[test]
fn the_curl_line_of_a_websocket_call_runs_as_printed() {
    let server = Serve::new().start();
    let url = ws(&server);
    let (status, line, err) = call(&["--curl", &url, "add", "2", "3", "+", "mul", "2", "4"]);
    assert_eq!(status, 0, "{err}");
    assert!(line.starts_with("python3 -c 'import sys\n"), "{line}");
    let venv = super::support::peers_dir().join("venv/bin");
    let path = format!("{}:{}", venv.display(), std::env::var("PATH").unwrap());
    let ran = Command::new("sh")
        .args(["-c", &line])
        .env("PATH", path)
        .output()
        .unwrap();
    let (status, out, err) = outcome(&ran);
    assert_eq!(status, 0, "{err}");
    assert_eq!(
        out,
        "[{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":1},{\"jsonrpc\":\"2.0\",\"result\":8,\"id\":2}]\n"
    );
}

/// Runs `rpc call ARGS` with `env` added and the proxy settings of the environment removed.
fn call_with_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = rpc();
    cmd.arg("call").args(args);
    for name in [
        "http_proxy",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    outcome(&cmd.output().unwrap())
}

#[test]
fn the_handshake_carries_headers_credentials_origin_and_subprotocol_also_through_rpc_proxy() {
    let server = quirky("normal");
    let dir = tempfile::tempdir().unwrap();
    let through = proxy(&server.url(), &dir.path().join("r.jsonl"), &[]);
    let flags = [
        "-H",
        "X-Test: 1",
        "-u",
        "ann:pw",
        "--origin",
        "https://app.example",
        "--ws-protocol",
        "json-rpc",
    ];
    for port in [server.port, through.port] {
        let url = format!("ws://127.0.0.1:{port}/feed?x=1");
        let mut args = flags.to_vec();
        args.extend([url.as_str(), "handshake"]);
        let (status, out, err) = call(&args);
        assert_eq!(status, 0, "{err}");
        let said: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            said,
            serde_json::json!({"path": "/feed?x=1", "origin": "https://app.example",
                "authorization": "Basic YW5uOnB3", "x-test": "1", "subprotocol": "json-rpc"}),
            "port {port}"
        );
        let (_, out, _) = call(&[&url, "handshake"]);
        assert!(out.contains("\"subprotocol\":null"), "{out}");
    }
}

/// proxy.py (PyPI) listening on a port the OS picks; killed on drop, with the acceptor processes
/// it forks (its own process group).
struct HttpProxy {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl HttpProxy {
    fn start() -> HttpProxy {
        let dir = tempfile::tempdir().unwrap();
        let port_file = dir.path().join("port");
        use std::os::unix::process::CommandExt;
        let child = python()
            .process_group(0)
            .args(["-m", "proxy", "--hostname", "127.0.0.1", "--port", "0"])
            .args(["--num-workers", "1", "--num-acceptors", "1", "--port-file"])
            .arg(&port_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("proxy.py (scripts/install-peers installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            let text = std::fs::read_to_string(&port_file).unwrap_or_default();
            if let Ok(port) = text.trim().parse() {
                break port;
            }
            assert!(Instant::now() < deadline, "proxy.py wrote no port file");
            std::thread::sleep(Duration::from_millis(50));
        };
        HttpProxy {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for HttpProxy {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// This machine's address on its default route, found without sending a packet: rpc never takes
/// a loopback address through a proxy (as Go's net/http does not), so the server is reached there.
fn outside_address() -> String {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    socket.connect("192.0.2.1:9").expect("a default route");
    socket.local_addr().unwrap().ip().to_string()
}

#[test]
fn ws_and_wss_go_through_an_http_proxy_with_connect() {
    let plain = Serve::new().addr("0.0.0.0:0").start();
    let tls = Serve::new().addr("0.0.0.0:0").tls().start();
    let http_proxy = HttpProxy::start();
    let via = format!("http://127.0.0.1:{}", http_proxy.port);
    let host = outside_address();
    let ws = format!("ws://{host}:{}/", plain.port);
    let (status, out, err) = call_with_env(&["-vv", &ws, "add", "2", "3"], &[("http_proxy", &via)]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    assert!(
        err.contains(&format!("> CONNECT {host}:{} HTTP/1.1", plain.port)),
        "{err}"
    );
    assert!(err.contains("< HTTP/1.1 200"), "{err}");
    let wss = format!("wss://{host}:{}/", tls.port);
    let (status, out, err) =
        call_with_env(&["-k", &wss, "add", "2", "3"], &[("HTTPS_PROXY", &via)]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    drop(http_proxy);
    let (status, _, err) = call_with_env(&[&ws, "add", "2", "3"], &[("http_proxy", &via)]);
    assert_eq!(status, 3, "the proxy gone, the call fails: {err}");
}

#[test]
fn wss_follows_the_tls_rules_of_https() {
    let files = super::support::cert_files();
    let server = Serve::new().cert(&files).start();
    let url = format!("wss://127.0.0.1:{}/", server.port);
    let (status, _, err) = call(&[&url, "add", "2", "3"]);
    assert_eq!(status, 3, "{err}");
    assert!(err.contains("certificate"), "{err}");
    let (status, out, err) = call(&[
        "--cacert",
        files.cert.to_str().unwrap(),
        &url,
        "add",
        "2",
        "3",
    ]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
    let (status, out, err) = call(&["-k", &url, "add", "2", "3"]);
    assert_eq!((status, out.as_str()), (0, "5\n"), "{err}");
}

#[test]
fn ping_interval_pings_a_quiet_connection_and_the_pongs_show_at_vv() {
    let server = Serve::new().start();
    let url = ws(&server);
    let (status, out, err) = call(&[
        "-vv",
        "--ping-interval",
        "0.05",
        "--follow",
        "-n",
        "2",
        &url,
        "subscribe",
        "ticks",
        "300",
    ]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(err.contains("> [ping frame, 0 bytes]"), "{err}");
    assert!(err.contains("< [pong frame, 0 bytes]"), "{err}");
}

#[test]
fn follow_ends_when_its_reader_goes_and_fails_when_the_connection_does() {
    // `| head -n 1`: the reader takes a line and goes; the follow unsubscribes and exits 0.
    let mut server = quirky("normal");
    let mut follower = following(&["--follow", &ws(&server), "eth_subscribe"]);
    drop(follower.stdout.take());
    let ended = Instant::now();
    let status = follower.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        ended.elapsed() < Duration::from_secs(5),
        "{:?}",
        ended.elapsed()
    );
    server.terminate();
    assert!(server.stderr_text().contains("unsubscribed 0xs1"));

    // Dropped without a close frame after the subscribe's answer: a transport failure.
    let server = quirky("no-close");
    let (status, _, err) = call(&["--follow", &ws(&server), "eth_subscribe"]);
    assert_eq!(status, 3, "{err}");
    assert!(err.contains("without a close frame"), "{err}");

    // A notification over --max-response: an invalid answer; an unsubscribe refused: exit 1.
    let server = Serve::new().start();
    let url = ws(&server);
    let too_small = [
        "--max-response",
        "60",
        "--follow",
        &url,
        "subscribe",
        "ticks",
        "20",
    ];
    let (status, _, err) = call(&too_small);
    assert_eq!(status, 4, "{err}");
    assert!(err.contains("larger than 60 bytes"), "{err}");
    let refused = [
        "--follow",
        "-n",
        "1",
        "--unsubscribe",
        "nope",
        &url,
        "subscribe",
        "ticks",
        "20",
    ];
    let (status, out, err) = call(&refused);
    assert_eq!((status, out.lines().count()), (1, 1), "{out}{err}");
    assert!(err.contains("error -32601"), "{err}");
}

#[test]
fn a_timed_out_call_does_not_wait_for_the_close_echo() {
    let server = Serve::new().start();
    let started = Instant::now();
    let (status, _, err) = call(&["-t", "0.5", &ws(&server), "sleep", "3"]);
    assert_eq!(status, 3, "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_repl_connects_again_after_the_server_closed_an_idle_websocket() {
    let server = Serve::new().limit("--idle-timeout", "1").start();
    let mut repl = piped_repl(&ws(&server));
    let mut stdin = repl.stdin.take().unwrap();
    writeln!(stdin, "add 1 2").unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    writeln!(stdin, "add 3 4").unwrap();
    drop(stdin);
    let out = repl.wait_with_output().unwrap();
    let (_, out, err) = outcome(&out);
    assert_eq!(out, "3\n7\n", "{err}");
    assert!(
        err.contains("the server closed the WebSocket (1000: idle)): connecting again"),
        "{err}"
    );
}

#[test]
fn handshakes_refused_by_http_servers_are_said_on_one_line() {
    let mut http10 = python();
    http10
        .args(["-u", "-c", "import http.server as h; s = h.HTTPServer(('127.0.0.1', 0), h.SimpleHTTPRequestHandler); print('listening on 127.0.0.1:%d' % s.server_address[1]); s.serve_forever()"])
        .stderr(Stdio::null());
    let server = Spawned::start(http10);
    let (status, _, err) = call(&[&ws(&server), "add", "1", "2"]);
    assert_eq!(status, 1, "{err}");
    assert!(
        err.contains("an HTTP/1.0 answer to the WebSocket handshake"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let anvil = anvil(None);
    let (status, _, err) = outcome(
        &rpc()
            .args(["list", &format!("ws://127.0.0.1:{}", anvil.port)])
            .output()
            .unwrap(),
    );
    assert_eq!(status, 1, "{err}");
    assert!(err.contains("offers no introspection"), "{err}");
}

#[test]
fn protocols_that_do_not_travel_in_websocket_messages_are_refused() {
    for proto in ["grpc", "xml-rpc", "reach", "raw-tcp"] {
        let (status, _, err) = call(&["-P", proto, "ws://127.0.0.1:1/", "add", "1", "2"]);
        assert_eq!(status, 2, "{proto}: {err}");
        assert!(
            err.contains("does not travel in WebSocket messages"),
            "{proto}: {err}"
        );
    }
}

#[test]
fn follow_prints_notifications_of_no_subscription_in_order_and_leaves_out_others() {
    // Before the subscribe's answer: a `log` notification and one of subscription "0xother".
    let server = quirky("notify-first");
    let (status, out, err) = call(&["-v", "--follow", "-n", "2", &ws(&server), "eth_subscribe"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(out, "{\"text\":\"working\"}\n1\n", "{err}");
    assert!(
        err.contains("rpc: log belongs to no subscription (printed in order)"),
        "{err}"
    );
}

#[test]
fn rpc_serve_lists_and_describes_its_subscription_methods_and_says_where_they_run() {
    let server = Serve::new().start();
    let listed = |args: &[&str]| outcome(&rpc().arg("list").args(args).output().unwrap()).1;
    for endpoint in [server.url(), ws(&server)] {
        let names = listed(&[&endpoint]);
        assert!(
            names.lines().any(|m| m == "subscribe"),
            "{endpoint}: {names}"
        );
        assert!(
            names.lines().any(|m| m == "unsubscribe"),
            "{endpoint}: {names}"
        );
    }
    let xml = listed(&["-P", "xml-rpc", &server.url()]);
    assert!(!xml.contains("subscribe"), "not over XML-RPC: {xml}");
    let (status, out, _) = outcome(
        &rpc()
            .args(["describe", &ws(&server), "subscribe"])
            .output()
            .unwrap(),
    );
    assert_eq!(status, 0);
    assert!(
        out.starts_with("subscribe(topic: string, interval_ms: number) -> string\n"),
        "{out}"
    );
    let (status, _, err) = call(&[&server.url(), "subscribe", "ticks", "100"]);
    assert_eq!(status, 1, "{err}");
    assert!(err.contains("subscribe needs a WebSocket"), "{err}");
    assert!(err.contains("try ws://127.0.0.1:"), "{err}");
}
