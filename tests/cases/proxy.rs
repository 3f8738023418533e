//! `rpc proxy`: each real peer talks to `rpc serve` through the proxy and gets exactly what it
//! gets without it, while the proxy's log shows each call in the trace format; `--record` then
//! `rpc replay` reproduces the calls; bytes are forwarded faithfully (a fake server sees what was
//! sent); what cannot be decoded still passes; an unreachable server is reported the way each
//! protocol reports a server-side failure; SIGTERM lets a call in flight finish.

use super::support::{
    cert_files, node, outcome, output, path_str, python, rpc, rpc_path, FakeServer, Serve, Spawned,
};
use serde_json::{json, Value as Json};
use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for a line of the proxy's log.
const LOG_WAIT: Duration = Duration::from_secs(20);

/// A running `rpc proxy` whose stdout (the log) is collected as it comes.
pub(super) struct Proxy {
    spawned: Spawned,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// `rpc proxy --listen 127.0.0.1:0 --to TO EXTRA…`, started and listening.
    pub(super) fn start(to: &str, extra: &[&str]) -> Proxy {
        let mut cmd = Command::new(rpc_path());
        cmd.args(["proxy", "--listen", "127.0.0.1:0", "--to", to])
            .args(extra)
            .stderr(Stdio::null());
        let mut spawned = Spawned::start(cmd);
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = spawned.stdout.take().expect("stdout");
        let collected = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                collected.lock().unwrap().push(line);
            }
        });
        Proxy { spawned, lines }
    }

    pub(super) fn port(&self) -> u16 {
        self.spawned.port
    }

    /// Waits until a log line contains each of `parts`, and returns it.
    pub(super) fn wait_for(&self, parts: &[&str]) -> String {
        let started = Instant::now();
        loop {
            let found = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|line| parts.iter().all(|p| line.contains(p)))
                .cloned();
            if let Some(line) = found {
                return line;
            }
            assert!(
                started.elapsed() < LOG_WAIT,
                "no log line with {parts:?}; the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(super) fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

/// `rpc call ARGS`: (status, stdout, stderr).
fn call(args: &[&str]) -> (i32, String, String) {
    outcome(&rpc().arg("call").args(args).output().unwrap())
}

#[test]
fn python_xmlrpc_client_through_the_proxy_gets_what_it_gets_without() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.url(), &[]);
    for check in ["types", "multicall", "faults"] {
        let url = format!("http://127.0.0.1:{}/RPC2", proxy.port());
        let (ok, stdout, stderr) = output(python().args(["xmlrpc_client.py", &url, check]));
        assert!(
            ok,
            "{check} through the proxy:\n{stdout}\n{stderr}\n{}",
            proxy.log()
        );
        assert_eq!(stdout.trim(), format!("ok {check}"));
    }
    // The multicall's calls, each answered in its slot.
    proxy.wait_for(&["RPC add [1,2] ==> 3"]);
    proxy.wait_for(&["RPC div [1,0] =!> {\"code\":1000"]);
}

#[test]
fn jayson_through_the_proxy_batches_notifications_and_errors() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.url(), &[]);
    let report = |port: u16| {
        let (ok, stdout, stderr) = output(node().args(["jayson_client.js", &port.to_string()]));
        assert!(ok, "{stdout}\n{stderr}");
        serde_json::from_str::<Json>(stdout.trim()).unwrap()
    };
    assert_eq!(report(proxy.port()), report(server.port));
    proxy.wait_for(&["RPC add [1,2] ==> 3"]);
    proxy.wait_for(&["RPC nope", "=!> {\"code\":-32601"]);
}

#[test]
fn the_tutorial_socket_client_through_the_proxy() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.tcp_url(), &[]);
    let ask = |port: u16, request: &str| {
        let (ok, stdout, stderr) = output(python().args([
            "tcp_tutorial_client.py",
            "127.0.0.1",
            &port.to_string(),
            request,
        ]));
        assert!(ok, "{stderr}");
        stdout
    };
    for request in [r#"["add", 2, 3]"#, r#"["nope", 1]"#] {
        assert_eq!(ask(proxy.port(), request), ask(server.port, request));
    }
    let line = proxy.wait_for(&["RPC add [2,3] ==> 5"]);
    assert!(line.starts_with('#'), "{line}");
    proxy.wait_for(&["RPC nope [1] =!> {\"code\":-32601"]);
}

#[test]
fn the_reach_python_client_over_tls_both_sides_with_an_interactive_call() {
    const KEY: &str = "proxy-key";
    let server = Serve::new().tls().api_key(KEY).start();
    let upstream = format!("https://127.0.0.1:{}", server.port);
    let proxy = Proxy::start(&upstream, &["--tls", "-k"]);
    let session = |port: u16| {
        let (ok, stdout, stderr) = output(
            python()
                .args(["reach_client.py", "session"])
                .env("REACH_RPC_SERVER", "127.0.0.1")
                .env("REACH_RPC_PORT", port.to_string())
                .env("REACH_RPC_KEY", KEY)
                .env("REACH_RPC_TLS_REJECT_UNVERIFIED", "0"),
        );
        assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
        stdout
            .lines()
            .filter(|l| l.starts_with("result: "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(session(proxy.port()), session(server.port));
    proxy.wait_for(&["RPC /add [2,3] ==> 5"]);
    // The interactive call is one conversation: its callbacks, then its answer.
    proxy.wait_for(&["RPC /interact/sum asks the client: getNumber("]);
    proxy.wait_for(&["RPC /interact/sum continues"]);
    proxy.wait_for(&["RPC /interact/sum [", "==> {\"t\":\"Done\",\"ans\":24}"]);
}

#[test]
fn a_grpcio_client_through_the_proxy_every_kind_of_method() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&format!("grpc://127.0.0.1:{}", server.port), &[]);
    for case in ["math", "route", "health"] {
        let out = python()
            .arg("grpc_client.py")
            .arg(format!("127.0.0.1:{}", proxy.port()))
            .arg(case)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "grpcio {case}: {out:?}\n{}",
            proxy.log()
        );
    }
    proxy.wait_for(&["RPC rpc.math.Math/Add {\"a\":", "==> "]);
    proxy.wait_for(&["RPC rpc.math.Math/Div", "=!> {\"code\":3"]);
    proxy.wait_for(&["Router/ListRoutes: status OK, the stream has ended"]);
}

#[test]
fn grpcio_over_tls_to_the_proxy_and_grpcs_from_it_to_the_server() {
    let files = cert_files();
    let server = Serve::new().tls().start();
    let proxy = Proxy::start(
        &format!("grpcs://127.0.0.1:{}", server.port),
        &[
            "--cert",
            path_str(&files.cert),
            "--key",
            path_str(&files.key),
            "-k",
        ],
    );
    let out = python()
        .arg("grpc_client.py")
        .arg(format!("127.0.0.1:{}", proxy.port()))
        .args(["tls", path_str(&files.cert)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}\n{}", proxy.log());
    proxy.wait_for(&["TLS, ALPN h2: HTTP/2"]);
    proxy.wait_for(&["RPC rpc.math.Math/Add {\"a\":2,\"b\":3} ==> 5"]);
}

#[test]
fn v_shows_heads_and_vv_the_bytes() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.url(), &["-vv"]);
    let url = format!("http://127.0.0.1:{}", proxy.port());
    let added = call(&[
        "-H",
        "X-Trace: 42",
        "-u",
        "alice:secret",
        &url,
        "add",
        "2",
        "3",
    ]);
    assert_eq!(added.1, "5\n");
    proxy.wait_for(&["> authorization: Basic ***"]);
    assert!(
        !proxy.log().contains("YWxpY2U6c2VjcmV0"),
        "a credential in the log"
    );
    proxy.wait_for(&["> POST /"]);
    proxy.wait_for(&["> x-trace: 42"]);
    proxy.wait_for(&["< HTTP/1.1 200 OK"]);
    proxy.wait_for(&["> {\"jsonrpc\":\"2.0\",\"method\":\"add\""]);
    proxy.wait_for(&["< {\"jsonrpc\":\"2.0\",\"result\":5"]);
}

/// Runs `cmd` (a peer) and returns its stdout and whether it succeeded.
fn peer(cmd: &mut Command) -> (bool, String) {
    let (ok, stdout, stderr) = output(cmd);
    (
        ok,
        format!("{stdout}{}", if ok { String::new() } else { stderr }),
    )
}

#[test]
fn the_other_peers_through_the_proxy_see_what_they_see_without_it() {
    let server = Serve::new().start();
    let http = Proxy::start(&server.url(), &[]);
    // -v: the clients' reflection exchanges are logged too.
    let grpc = Proxy::start(&format!("grpc://127.0.0.1:{}", server.port), &["-v"]);
    let twice = |run: &dyn Fn(u16) -> (bool, String), via: u16| {
        let direct = run(server.port);
        assert!(direct.0, "{}", direct.1);
        assert_eq!(run(via), direct);
    };
    // jsonrpclib (Python), the xmlrpc-c command-line client.
    twice(
        &|port| peer(python().args(["jsonrpc_client.py", &format!("http://127.0.0.1:{port}")])),
        http.port(),
    );
    twice(
        &|port| {
            peer(
                Command::new("xmlrpc")
                    .env("LANG", "C")
                    .env("LC_ALL", "C")
                    .arg(format!("http://127.0.0.1:{port}/RPC2"))
                    .args(["mul", "I/4294967296", "i/2"]),
            )
        },
        http.port(),
    );
    // grpcurl (reflection v1alpha, then a call) and buf curl (reflection v1, then a call).
    let grpcurl = super::support::peers_dir().join("venv/bin/grpcurl");
    twice(
        &|port| {
            peer(Command::new(&grpcurl).args([
                "-plaintext",
                "-d",
                r#"{"a":2,"b":3}"#,
                &format!("127.0.0.1:{port}"),
                "rpc.math.Math/Add",
            ]))
        },
        grpc.port(),
    );
    let buf = super::support::peer_scripts().join("node_modules/.bin/buf");
    twice(
        &|port| {
            peer(Command::new(&buf).args([
                "curl",
                "--protocol",
                "grpc",
                "--http2-prior-knowledge",
                "-d",
                r#"{"x":2}"#,
                &format!("http://127.0.0.1:{port}/rpc.math.Math/Count"),
            ]))
        },
        grpc.port(),
    );
    http.wait_for(&["RPC mul [4294967296,2] ==> 8589934592"]);
    grpc.wait_for(&["RPC grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"]);
    grpc.wait_for(&["RPC rpc.math.Math/Count {\"x\":2} ==> 2"]);
}

#[test]
fn a_peers_calls_recorded_through_the_proxy_replay_the_same() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("peers.jsonl");
    let proxy = Proxy::start(&server.url(), &["--record", path_str(&record)]);
    let (ok, stdout, stderr) = output(node().args(["jayson_client.js", &proxy.port().to_string()]));
    assert!(ok, "{stdout}{stderr}");
    let url = format!("http://127.0.0.1:{}/RPC2", proxy.port());
    let (ok, stdout, stderr) = output(python().args(["xmlrpc_client.py", &url, "multicall"]));
    assert!(ok, "{stdout}{stderr}");
    proxy.wait_for(&["RPC echo [{\"k\":[null]}] ==>"]);
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert!(recorded.lines().count() >= 10, "{recorded}");
    let replayed = outcome(&rpc().arg("replay").arg(&record).output().unwrap());
    assert_eq!(replayed.0, 0, "{}\n{}\n{recorded}", replayed.1, replayed.2);
}

#[test]
fn record_through_the_proxy_then_replay_against_the_server() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("calls.jsonl");
    let to = format!("127.0.0.1:{}", server.port);
    let proxy = Proxy::start(&to, &["--record", path_str(&record)]);
    let via = |scheme: &str| format!("{scheme}://127.0.0.1:{}", proxy.port());
    assert_eq!(call(&[&via("http"), "add", "2", "3"]).1, "5\n");
    assert_eq!(
        call(&["-P", "xml-rpc", &via("http"), "square", "4"]).1,
        "16\n"
    );
    assert_eq!(call(&[&via("tcp"), "mul", "3", "4"]).1, "12\n");
    assert_eq!(call(&[&via("grpc"), "Add", "2", "3"]).1, "5\n");
    assert_eq!(call(&[&via("grpc"), "Count", "2"]).1, "1\n2\n");
    assert_eq!(call(&[&via("http"), "div", "1", "0"]).0, 1);
    // A gRPC status with its details, recorded as the client reads them.
    assert_eq!(call(&[&via("grpc"), "Div", "1", "0"]).0, 1);
    proxy.wait_for(&["RPC div [1,0] =!>"]);
    proxy.wait_for(&["RPC rpc.math.Math/Div", "ErrorInfo"]);
    let lines = std::fs::read_to_string(&record).unwrap();
    assert_eq!(lines.lines().count(), 7, "{lines}");
    let replayed = outcome(&rpc().arg("replay").arg(&record).output().unwrap());
    assert_eq!(replayed.0, 0, "{}\n{}\n{lines}", replayed.1, replayed.2);
    assert!(
        replayed
            .2
            .contains("replayed 7 calls: every answer is the same"),
        "{}",
        replayed.2
    );
}

#[test]
fn json_events_carry_connection_protocol_method_params_result_and_duration() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.url(), &["--json"]);
    let url = format!("http://127.0.0.1:{}", proxy.port());
    call(&[&url, "echo", "\"a long text\""]);
    let line = proxy.wait_for(&["\"event\":\"answer\""]);
    let event: Json = serde_json::from_str(&line).unwrap();
    assert_eq!(event["protocol"], "json-rpc");
    assert_eq!(event["method"], "echo");
    assert_eq!(event["params"], json!(["a long text"]));
    assert_eq!(event["result"], "a long text");
    assert!(event["connection"].as_u64().unwrap() >= 1);
    assert!(event["duration_ms"].as_f64().unwrap() >= 0.0);
}

#[test]
fn forwarding_is_byte_faithful_and_hop_by_hop_headers_stay_behind() {
    let fake = FakeServer::replying(|_| {
        b"HTTP/1.1 207 Odd\r\nX-Answer-Case: Kept\r\nContent-Length: 11\r\nConnection: close\r\n\r\nnot json!!\n"
            .to_vec()
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{}", fake.port), &[]);
    let body = "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":\"x\"}";
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    write!(
        stream,
        "POST /rpc?q=1 HTTP/1.1\r\nHost: proxy\r\nX-Custom-Case: Yes\r\nKeep-Alive: timeout=5\r\n\
         Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 207 Odd\r\n"), "{answer}");
    assert!(answer.contains("X-Answer-Case: Kept\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nnot json!!\n"), "{answer}");
    let received = super::support::Request {
        bytes: fake.requests()[0].clone(),
    };
    let head = received.head();
    assert!(head.starts_with("POST /rpc?q=1 HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("X-Custom-Case: Yes\r\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("host: 127.0.0.1:{}\r\n", fake.port)),
        "{head}"
    );
    assert!(!head.contains("Keep-Alive"), "hop-by-hop forwarded: {head}");
    // Chunked it came, chunked it went, byte for byte.
    let chunked = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
    assert_eq!(received.body(), chunked.as_bytes());
    proxy.wait_for(&["RPC add [2,3]"]);
    proxy.wait_for(&["bytes from the server not decoded", "not json!!"]);
}

#[test]
fn what_cannot_be_decoded_is_forwarded_and_shown_as_bytes() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.url(), &[]);
    let direct = super::support::post_json(server.port, "{\"broken\": ");
    let proxied = super::support::post_json(proxy.port(), "{\"broken\": ");
    assert_eq!(proxied, direct, "rpc serve's own answer came back");
    assert_eq!(proxied.1["error"]["code"], -32700);
    proxy.wait_for(&["from the client not decoded", "broken"]);
    // Not a protocol rpc reads at all: tunnelled both ways unread.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    stream.write_all(b"hello there\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    proxy.wait_for(&["tunnelled unread"]);
    proxy.wait_for(&["from the client not decoded", "hello there"]);
}

#[test]
fn an_unreachable_server_is_reported_as_each_protocol_reports_a_server_failure() {
    let closed = super::support::closed_port();
    let proxy = Proxy::start(&format!("127.0.0.1:{closed}"), &["--connect-timeout", "2"]);
    let via = |scheme: &str| format!("{scheme}://127.0.0.1:{}", proxy.port());
    let (status, _, stderr) = call(&[&via("http"), "add", "2", "3"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("-32603") && stderr.contains("cannot reach the server"),
        "{stderr}"
    );
    let (status, _, stderr) = call(&[&via("tcp"), "add", "2", "3"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("cannot reach the server"), "{stderr}");
    let (status, _, stderr) = call(&[
        "--schema",
        "src/server/grpc/math.proto",
        &via("grpc"),
        "Add",
        "2",
        "3",
    ]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("UNAVAILABLE (14)"), "{stderr}");
    let (code, _) =
        super::support::post_json(proxy.port(), r#"{"jsonrpc":"2.0","method":"x","id":1}"#);
    assert_eq!(code, 502);
    // A batch gets a batch: one error per call that has an id.
    let (code, answer) = super::support::post_json(
        proxy.port(),
        r#"[{"jsonrpc":"2.0","method":"x","id":1},{"jsonrpc":"2.0","method":"y"},{"jsonrpc":"2.0","method":"z","id":"b"}]"#,
    );
    assert_eq!(code, 502);
    assert_eq!(answer[0]["id"], 1, "{answer}");
    assert_eq!(answer[1]["id"], "b", "{answer}");
    assert_eq!(answer[1]["error"]["code"], -32603, "{answer}");
    proxy.wait_for(&["cannot reach the server"]);
}

#[test]
fn raw_tcp_answers_meet_their_calls_after_a_value_that_is_no_call() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.tcp_url(), &[]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    stream.write_all(b"[1]\n[\"add\",2,3]\n").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answers = String::new();
    stream.read_to_string(&mut answers).unwrap();
    assert!(answers.trim_end().ends_with('5'), "{answers}");
    proxy.wait_for(&["not a raw-tcp call"]);
    proxy.wait_for(&["RPC add [2,3] ==> 5"]);
}

#[test]
fn calls_over_max_pending_are_forgotten_and_their_answers_counted_off() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.tcp_url(), &["--max-pending", "1"]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    stream
        .write_all(b"[\"sleep\",0.2]\n[\"add\",1,2]\n[\"mul\",3,4]\n")
        .unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answers = String::new();
    stream.read_to_string(&mut answers).unwrap();
    assert_eq!(answers.lines().count(), 3, "every answer passes: {answers}");
    // Only the newest call was remembered: the answers before it belong to forgotten ones.
    proxy.wait_for(&["RPC mul [3,4] ==> 12"]);
    proxy.wait_for(&["an answer to no call remembered"]);
    assert!(
        !proxy.log().contains("RPC add [1,2] ==>"),
        "{}",
        proxy.log()
    );
}

#[test]
fn a_slow_answer_is_not_cut_by_the_idle_timeout_of_the_quiet_side() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.tcp_url(), &["--idle-timeout", "0.5"]);
    let url = format!("tcp://127.0.0.1:{}", proxy.port());
    let (status, stdout, stderr) = call(&[&url, "sleep", "1"]);
    assert_eq!(
        (status, stdout.as_str()),
        (0, "1.0\n"),
        "{stderr}\n{}",
        proxy.log()
    );
}

#[test]
fn a_server_that_closes_after_each_answer_gets_each_request_on_a_new_connection() {
    let answer = "{\"jsonrpc\":\"2.0\",\"result\":7,\"id\":1}";
    let fake = FakeServer::replying(move |_| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        )
        .into_bytes()
    });
    let proxy = Proxy::start(&format!("127.0.0.1:{}", fake.port), &[]);
    let body = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":1}";
    let request = format!(
        "POST / HTTP/1.1\r\nHost: p\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    for round in 0..3 {
        stream.write_all(request.as_bytes()).unwrap();
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert_eq!(
            status,
            "HTTP/1.1 200 OK\r\n",
            "round {round}\n{}",
            proxy.log()
        );
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length: ") {
                length = n.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut got = vec![0u8; length];
        reader.read_exact(&mut got).unwrap();
        assert_eq!(got, answer.as_bytes());
    }
    assert_eq!(fake.requests().len(), 3);
}

#[test]
fn tls_to_the_proxy_offers_http2_only_for_a_grpc_server() {
    let fake = FakeServer::replying(|_| b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec());
    let proxy = Proxy::start(&format!("http://127.0.0.1:{}", fake.port), &["--tls"]);
    // curl offers h2 and takes it when offered; an HTTP/1.1 server behind must not see HTTP/2.
    let out = Command::new("curl")
        .args(["-sk", "--http2", "-d", "{}", "-w", " %{http_version}"])
        .arg(format!("https://127.0.0.1:{}/", proxy.port()))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok 1.1", "{out:?}");
}

#[test]
fn json_rpc_over_http2_to_a_grpc_server_passes_unread() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&format!("grpc://127.0.0.1:{}", server.port), &[]);
    let out = Command::new("curl")
        .args([
            "-s",
            "--http2-prior-knowledge",
            "-H",
            "content-type: application/json",
        ])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#,
        ])
        .arg(format!("http://127.0.0.1:{}/", proxy.port()))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        r#"{"jsonrpc":"2.0","result":5,"id":1}"#,
        "{out:?}"
    );
    proxy.wait_for(&["POST / over HTTP/2, not gRPC: forwarded unread"]);
}

#[test]
fn a_bigger_body_than_max_body_is_refused_with_413() {
    let server = Serve::new().start();
    let proxy = Proxy::start(&server.url(), &["--max-body", "64"]);
    let big = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"{}\"],\"id\":1}}",
        "x".repeat(100)
    );
    let reply = super::support::http(proxy.port(), "POST", "/", &big);
    assert_eq!(reply.status, 413, "{}", reply.body);
    proxy.wait_for(&["over --max-body"]);
}

#[test]
fn sigterm_lets_a_call_in_flight_finish() {
    let server = Serve::new().start();
    let mut proxy = Proxy::start(&server.url(), &[]);
    let url = format!("http://127.0.0.1:{}", proxy.port());
    let slow = std::thread::spawn(move || call(&[&url, "sleep", "0.5"]));
    proxy.wait_for(&["RPC sleep [0.5]"]);
    proxy.spawned.terminate();
    let (status, stdout, stderr) = slow.join().unwrap();
    assert_eq!((status, stdout.as_str()), (0, "0.5\n"), "{stderr}");
    let exit = proxy.spawned.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}
