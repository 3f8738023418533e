//! Raw-TCP JSON: `rpc call` over tcp:// against `rpc serve`, and the server driven byte by byte
//! with plain sockets (pipelining, split requests, errors, limits, idle timeout, shutdown).

use super::support::{closed_port, rpc, Serve, Spawned};
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A connection to a server with a read timeout, so a missing answer fails instead of hanging.
struct Conn {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(server: &Spawned) -> Conn {
        let stream = TcpStream::connect(&server.addr).expect("connect to rpc serve");
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    /// One answer line, parsed; the server ends every answer with a newline.
    fn answer(&mut self) -> Json {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("an answer before the read timeout");
        assert!(
            line.ends_with('\n'),
            "answer {line:?} must end in a newline"
        );
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
    }

    /// True when the server has closed the connection with nothing more to say (a read timeout,
    /// or more bytes, is false).
    fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => rest.is_empty(),
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset && rest.is_empty(),
        }
    }
}

fn error_code(answer: &Json) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error answer: {answer}"))
}

#[test]
fn raw_call_prints_the_result_while_the_server_keeps_the_connection_open() {
    let server = Serve::new().start();
    // rpc serve never closes after an answer: the client must stop at the end of the value.
    rpc()
        .args(["call", "-t", "10", &server.tcp_url(), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args([
            "call",
            "-t",
            "10",
            &server.tcp_url(),
            "echo",
            r#"{"a":[1,"]"]}"#,
        ])
        .assert()
        .success()
        .stdout("{\"a\":[1,\"]\"]}\n");
}

#[test]
fn proto_flag_selects_raw_tcp_for_other_urls() {
    let server = Serve::new().start();
    for proto in ["raw-tcp", "tcp", "raw"] {
        rpc()
            .args([
                "call",
                "-t",
                "10",
                "-P",
                proto,
                &server.url(),
                "mul",
                "6",
                "7",
            ])
            .assert()
            .success()
            .stdout("42\n");
    }
}

#[test]
fn error_answers_exit_1_with_the_code() {
    let server = Serve::new().start();
    rpc()
        .args(["call", "-t", "10", &server.tcp_url(), "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("error -32601"));
    rpc()
        .args(["call", "-t", "10", &server.tcp_url(), "div", "1", "0"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error 1000"));
}

#[test]
fn batch_is_pipelined_on_one_connection_one_line_per_call() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let server = Serve::new().log().stderr_to(&log).start();
    let words = "add 1 2 + nope + mul 3 4 + sub 10 1";
    rpc()
        .args(["call", "-t", "10", &server.tcp_url()])
        .args(words.split(' '))
        .assert()
        .code(1)
        .stdout(
            "3\n{\"error\":{\"code\":-32601,\"message\":\"Method not found: nope (see system.listMethods or rpc.discover)\"}}\n12\n9\n",
        );
    // The server logs each call with the client's address and port: one connection, in order.
    // The log is buffered (written by its own thread), so its lines may trail the answers a little.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(log.path()).unwrap();
        if text.matches(" raw-tcp RPC ").count() >= 4 || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" raw-tcp RPC "))
        .collect();
    let methods: Vec<&str> = lines.iter().map(|l| l.split(' ').nth(3).unwrap()).collect();
    assert_eq!(methods, ["add", "nope", "mul", "sub"], "{text}");
    let peers: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert!(
        peers.iter().all(|p| *p == peers[0]),
        "one connection: {peers:?}"
    );
}

#[test]
fn very_verbose_shows_the_bytes_both_ways() {
    let server = Serve::new().start();
    rpc()
        .args([
            "call",
            "-vv",
            "-t",
            "10",
            &server.tcp_url(),
            "add",
            "2",
            "3",
        ])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "RPC add [2,3]\n> [\"add\",2,3]\n< 5\nRPC add [2,3] ==> 5",
        ));
}

#[test]
fn refused_connection_exits_3() {
    let port = closed_port();
    rpc()
        .args(["call", &format!("tcp://127.0.0.1:{port}"), "add", "1", "2"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("connection refused"));
}

#[test]
fn timeout_exits_3_and_oversized_answers_exit_4() {
    let server = Serve::new().start();
    rpc()
        .args(["call", "-t", "0.3", &server.tcp_url(), "sleep", "5"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("timed out after 0.3s"));
    let big = format!("\"{}\"", "x".repeat(200));
    rpc()
        .args(["call", "-t", "10", "--max-response", "100"])
        .args([&server.tcp_url(), "echo", &big])
        .assert()
        .code(4)
        .stderr(predicates::str::contains("larger than 100 bytes"));
    rpc()
        .args(["call", "-t", "10", "--max-response", "202"])
        .args([&server.tcp_url(), "echo", &big])
        .assert()
        .success();
}

#[test]
fn dry_run_prints_the_bytes_and_connects_nowhere() {
    rpc()
        .args([
            "call",
            "--dry-run",
            "tcp://127.0.0.1:9",
            "add",
            "1",
            "2",
            "+",
            "info",
        ])
        .assert()
        .success()
        .stdout("# raw-tcp to 127.0.0.1:9\n[\"add\",1,2]\n[\"info\"]\n");
}

#[test]
fn named_arguments_and_notifications_are_usage_errors() {
    rpc()
        .args(["call", "tcp://127.0.0.1:9", "add", "a:=1", "b:=2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("by position only"));
    rpc()
        .args(["call", "--notify", "tcp://127.0.0.1:9", "info"])
        .assert()
        .code(2);
    rpc()
        .args(["call", "tcp://127.0.0.1", "info"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("names no port"));
}

#[test]
fn introspection_works_under_raw_tcp() {
    let server = Serve::new().start();
    rpc()
        .args([
            "call",
            "-t",
            "10",
            &server.tcp_url(),
            "system.methodHelp",
            "add",
        ])
        .assert()
        .success()
        .stdout("\"add(a, b): the sum a + b\"\n");
    rpc()
        .args(["list", "-t", "10", &server.tcp_url()])
        .assert()
        .success()
        .stdout(predicates::str::contains("add\nsub\n"));
    rpc()
        .args(["describe", "-t", "10", &server.tcp_url(), "sub"])
        .assert()
        .success()
        .stdout(predicates::str::contains("sub(a, b): the difference a - b"));
}

#[test]
fn server_answers_pipelined_requests_in_order() {
    let server = Serve::new().start();
    let mut conn = Conn::open(&server);
    conn.send(br#"["add",1,2]["sleep",0.2]  ["mul",3,4]"#);
    assert_eq!(conn.answer(), json!(3));
    assert_eq!(conn.answer(), json!(0.2));
    assert_eq!(conn.answer(), json!(12));
    // Still open for more.
    conn.send(b"[\"sub\",5,1]\n");
    assert_eq!(conn.answer(), json!(4));
}

#[test]
fn server_frames_a_request_sent_one_byte_at_a_time() {
    let server = Serve::new().start();
    let mut conn = Conn::open(&server);
    for byte in br#" ["echo", {"s": "] } \" ["}]"# {
        conn.send(&[*byte]);
    }
    // No newline and no close: the server saw the end of the value by itself.
    assert_eq!(conn.answer(), json!({"s": "] } \" ["}));
    conn.send(br#"["add", 40, 2]"#);
    assert_eq!(conn.answer(), json!(42));
}

#[test]
fn server_errors_use_the_contract_codes() {
    let server = Serve::new().start();
    let mut conn = Conn::open(&server);
    conn.send(br#"["nope"]"#);
    assert_eq!(error_code(&conn.answer()), -32601);
    conn.send(br#"["add", 1]"#);
    assert_eq!(error_code(&conn.answer()), -32602);
    conn.send(b"[1, 2]");
    assert_eq!(error_code(&conn.answer()), -32600);
    conn.send(b"{\"method\": \"add\"}");
    assert_eq!(error_code(&conn.answer()), -32600);
    conn.send(b"[] ");
    assert_eq!(error_code(&conn.answer()), -32600);
    // Valid JSON of the wrong shape leaves the stream in step: the connection goes on.
    conn.send(br#"["add", 1, 1]"#);
    assert_eq!(conn.answer(), json!(2));
    // Bytes that are not JSON cannot be resynchronised: answered, then closed.
    conn.send(br#"["add" 1 2]"#);
    assert_eq!(error_code(&conn.answer()), -32700);
    assert!(conn.closed());
    // A client that stops sending in the middle of a value is told so, then closed.
    let mut cut = Conn::open(&server);
    cut.send(br#"["add", 1,"#);
    cut.writer.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(error_code(&cut.answer()), -32700);
    assert!(cut.closed());
}

#[test]
fn too_large_requests_get_an_error_and_close_never_truncation() {
    let server = Serve::new().limit("--max-message", "64").start();
    let fits = format!("[\"echo\",\"{}\"]", "x".repeat(64 - 11));
    assert_eq!(fits.len(), 64);
    let mut conn = Conn::open(&server);
    conn.send(fits.as_bytes());
    assert_eq!(conn.answer(), json!("x".repeat(53)));
    conn.send(format!("[\"echo\",\"{}\"]", "x".repeat(200)).as_bytes());
    let answer = conn.answer();
    assert_eq!(error_code(&answer), -32000);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--max-message"),
        "{answer}"
    );
    assert!(conn.closed());
}

#[test]
fn idle_connections_close_after_the_idle_timeout() {
    let server = Serve::new().limit("--idle-timeout", "0.3").start();
    let mut conn = Conn::open(&server);
    conn.send(br#"["add",1,2]"#);
    assert_eq!(conn.answer(), json!(3));
    let quiet_since = Instant::now();
    assert!(conn.closed(), "the server must close an idle connection");
    assert!(quiet_since.elapsed() >= Duration::from_millis(250));
    // A request still incomplete when the time is up is not waited for either.
    let mut slow = Conn::open(&server);
    slow.send(br#"["add", 1,"#);
    assert!(slow.closed());
}

#[test]
fn shutdown_finishes_the_call_in_flight_then_closes() {
    let mut server = Serve::new().start();
    let mut idle = Conn::open(&server);
    idle.send(br#"["add",2,2]"#);
    assert_eq!(idle.answer(), json!(4));
    let mut conn = Conn::open(&server);
    // Both requests arrive together; once `add` is answered, `sleep` has arrived in full and is
    // being (or about to be) served.
    conn.send(br#"["add",1,1]["sleep",0.5]"#);
    assert_eq!(conn.answer(), json!(2));
    server.terminate();
    assert!(
        idle.closed(),
        "a connection between requests closes at once"
    );
    assert_eq!(conn.answer(), json!(0.5));
    assert!(conn.closed());
    assert!(server.child.wait().unwrap().success());
}

#[test]
fn every_protocol_is_detected_on_one_port() {
    let server = Serve::new().start_with_banner();
    assert_eq!(
        server.extra_lines.last(),
        Some(&format!("raw-tcp tcp://{}", server.addr)),
        "banner: {:?}",
        server.extra_lines
    );
    // A raw-tcp connection stays open while the HTTP protocols are served on the same port.
    let mut raw = Conn::open(&server);
    raw.send(br#"["add",2,3]"#);
    for proto in ["json-rpc", "xml-rpc", "reach", "raw-tcp"] {
        rpc()
            .args([
                "call",
                "-t",
                "10",
                "-P",
                proto,
                &server.url(),
                "mul",
                "6",
                "7",
            ])
            .assert()
            .success()
            .stdout("42\n");
    }
    assert_eq!(raw.answer(), json!(5));
    rpc()
        .args(["call", "-t", "10", &server.tcp_url(), "sub", "2", "3"])
        .assert()
        .success()
        .stdout("-1\n");
    // Plain HTTP too, with leading blank lines as RFC 9112 allows.
    let mut http = TcpStream::connect(&server.addr).unwrap();
    http.write_all(b"\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    http.read_to_string(&mut text).unwrap();
    assert!(
        text.starts_with("HTTP/1.1 200") && text.ends_with("true"),
        "{text}"
    );
    // The raw-tcp connection opened first is still served.
    raw.send(br#"["square",9]"#);
    assert_eq!(raw.answer(), json!(81));
}

#[test]
fn raw_tcp_stays_plain_on_a_tls_port() {
    let server = Serve::new().tls().start();
    rpc()
        .args(["call", "-t", "10", &server.tcp_url(), "cube", "3"])
        .assert()
        .success()
        .stdout("27\n");
}
