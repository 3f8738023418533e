//! `rpc serve` as a JSON-RPC 2.0 server: the spec's rules, the limits, the log, shutdown.

use super::support::{http, post_json, Serve};
use serde_json::{json, Value};

#[test]
fn banner_names_the_real_port_first() {
    let server = Serve::new().start_with_banner();
    assert_ne!(server.port, 0);
    assert_eq!(
        server.extra_lines[0],
        format!("json-rpc http://127.0.0.1:{}/", server.port)
    );
}

#[test]
fn single_calls_and_ids_of_every_type_are_echoed() {
    let server = Serve::new().start();
    for id in [
        json!(1),
        json!("abc"),
        json!(null),
        json!(-7),
        json!(1.5),
        json!(12345678901234567890u64),
    ] {
        let body =
            json!({"jsonrpc": "2.0", "method": "add", "params": [2, 3], "id": id}).to_string();
        let (status, answer) = post_json(server.port, &body);
        assert_eq!(status, 200);
        assert_eq!(answer, json!({"jsonrpc": "2.0", "result": 5, "id": id}));
    }
}

#[test]
fn the_spec_examples_answer_as_the_spec_says() {
    let server = Serve::new().start();
    let port = server.port;
    let code = |answer: &Value| answer["error"]["code"].clone();

    let (_, answer) = post_json(
        port,
        r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
    );
    assert_eq!(
        (code(&answer), answer["id"].clone()),
        (json!(-32700), Value::Null)
    );

    let (_, answer) = post_json(port, r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#);
    assert_eq!(
        (code(&answer), answer["id"].clone()),
        (json!(-32600), Value::Null)
    );

    let (_, answer) = post_json(port, "[]");
    assert_eq!(code(&answer), json!(-32600));

    let (_, answer) = post_json(port, "[1]");
    assert_eq!(answer.as_array().map(Vec::len), Some(1));
    assert_eq!(code(&answer[0]), json!(-32600));

    let (_, answer) = post_json(port, "[1,2,3]");
    assert_eq!(answer.as_array().map(Vec::len), Some(3));

    let (_, answer) = post_json(port, r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#);
    assert_eq!(
        (code(&answer), answer["id"].clone()),
        (json!(-32601), json!("1"))
    );
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("foobar"));
}

#[test]
fn a_mixed_batch_answers_calls_and_skips_notifications() {
    let server = Serve::new().start();
    let body = r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": [[1,2,4]], "id": "1"},
        {"jsonrpc": "2.0", "method": "echo", "params": [7]},
        {"jsonrpc": "2.0", "method": "sub", "params": {"a": 42, "b": 23}, "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "info", "id": "9"}
    ]"#;
    let (status, answer) = post_json(server.port, body);
    assert_eq!(status, 200);
    let answers = answer.as_array().unwrap();
    assert_eq!(
        answers.len(),
        5,
        "the notification gets no answer: {answer}"
    );
    assert_eq!(
        answers[0],
        json!({"jsonrpc": "2.0", "result": 7, "id": "1"})
    );
    assert_eq!(
        answers[1],
        json!({"jsonrpc": "2.0", "result": 19, "id": "2"})
    );
    assert_eq!(answers[2]["error"]["code"], json!(-32600));
    assert_eq!(answers[3]["error"]["code"], json!(-32601));
    assert!(answers[4]["result"].as_str().unwrap().starts_with("rpc "));
}

#[test]
fn notifications_get_no_answer() {
    let server = Serve::new().start();
    let single = http(
        server.port,
        "POST",
        "/",
        r#"{"jsonrpc":"2.0","method":"add","params":[1,2]}"#,
    );
    assert_eq!((single.status, single.body.as_str()), (200, ""));
    let batch = http(
        server.port,
        "POST",
        "/",
        r#"[{"jsonrpc":"2.0","method":"add","params":[1,2]},{"jsonrpc":"2.0","method":"nope"}]"#,
    );
    assert_eq!((batch.status, batch.body.as_str()), (204, ""));
}

#[test]
fn invalid_params_say_what_was_expected() {
    let server = Serve::new().start();
    let cases = [
        (r#"[1]"#, "add(a, b) takes 2 arguments, got 1"),
        (r#"{"a":1}"#, "add(a, b) is missing parameter \"b\""),
        (r#"{"a":1,"b":2,"c":3}"#, "add(a, b) has no parameter \"c\""),
        (r#"["x",1]"#, "a must be a number, got string \"x\""),
    ];
    for (params, message) in cases {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"add","params":{params},"id":1}}"#);
        let (_, answer) = post_json(server.port, &body);
        assert_eq!(answer["error"]["code"], json!(-32602), "{params}");
        let text = answer["error"]["message"].as_str().unwrap();
        assert!(
            text.contains(message),
            "{text:?} should contain {message:?}"
        );
    }
}

#[test]
fn the_math_service_keeps_its_numeric_rules() {
    let server = Serve::new().start();
    let call = |method: &str, params: Value| {
        let body =
            json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).to_string();
        post_json(server.port, &body).1
    };
    assert_eq!(call("add", json!([2, 3]))["result"], json!(5));
    assert_eq!(call("add", json!([2.0, 3]))["result"], json!(5.0));
    assert_eq!(call("mul", json!([4, 2.5]))["result"], json!(10.0));
    assert_eq!(call("multiply", json!([6, 7]))["result"], json!(42));
    assert_eq!(call("div", json!([6, 3]))["result"], json!(2.0));
    assert_eq!(call("square", json!([-4]))["result"], json!(16));
    assert_eq!(call("cube", json!([2]))["result"], json!(8));
    assert_eq!(call("sum", json!([[1, 2, 3]]))["result"], json!(6));
    assert_eq!(
        call("echo", json!([{"k": [true, null]}]))["result"],
        json!({"k": [true, null]})
    );
    assert_eq!(call("sleep", json!([0.01]))["result"], json!(0.01));
    assert_eq!(
        call("add", json!([i64::MAX, 1]))["error"]["code"],
        json!(1001)
    );
    assert_eq!(call("div", json!([1, 0]))["error"]["code"], json!(1000));
    assert_eq!(
        call("mul", json!([1e300, 1e300]))["error"]["code"],
        json!(1002)
    );
    // The whole 64-bit range is read; the service's own integers are signed.
    assert_eq!(
        call("add", json!([18446744073709551615u64, 1]))["error"]["code"],
        json!(1001)
    );
    assert_eq!(
        call("echo", json!([18446744073709551615u64]))["result"],
        json!(18446744073709551615u64)
    );
    assert_eq!(call("sleep", json!([1e9]))["error"]["code"], json!(-32602));
}

#[test]
fn rpc_discover_is_an_openrpc_document_of_the_table() {
    let server = Serve::new().start();
    let (_, answer) = post_json(
        server.port,
        r#"{"jsonrpc":"2.0","method":"rpc.discover","id":1}"#,
    );
    let doc = &answer["result"];
    assert_eq!(doc["openrpc"], json!("1.2.6"));
    let add = doc["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "add")
        .unwrap();
    assert_eq!(add["params"][1]["name"], json!("b"));
    assert!(add["description"].as_str().unwrap().contains("sum"));
}

#[test]
fn health_answers_true_and_other_verbs_are_refused() {
    let server = Serve::new().start();
    for method in ["GET", "POST"] {
        let reply = http(server.port, method, "/health", "");
        assert_eq!((reply.status, reply.body.as_str()), (200, "true"));
    }
    let reply = http(server.port, "GET", "/", "");
    assert_eq!(reply.status, 405);
    assert!(reply.head.to_lowercase().contains("allow: post"));
}

#[test]
fn limits_refuse_with_their_names() {
    let server = Serve::new()
        .limit("--max-body", "160")
        .limit("--max-batch", "2")
        .limit("--max-depth", "5")
        .start();
    let big = format!(
        r#"{{"jsonrpc":"2.0","method":"echo","params":["{}"],"id":1}}"#,
        "x".repeat(300)
    );
    let reply = http(server.port, "POST", "/", &big);
    assert_eq!(reply.status, 413);
    assert!(reply.body.contains("--max-body"), "{}", reply.body);

    let (_, answer) = post_json(
        server.port,
        r#"[{"jsonrpc":"2.0","method":"info","id":1},{"jsonrpc":"2.0","method":"info","id":2},{"jsonrpc":"2.0","method":"info","id":3}]"#,
    );
    assert_eq!(answer["error"]["code"], json!(-32600));
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--max-batch"));

    let (_, answer) = post_json(
        server.port,
        r#"{"jsonrpc":"2.0","method":"echo","params":[[[[[[1]]]]]],"id":1}"#,
    );
    assert_eq!(answer["error"]["code"], json!(-32600));
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("deeper than 5"));

    // And the server still answers afterwards.
    let (_, answer) = post_json(
        server.port,
        r#"{"jsonrpc":"2.0","method":"add","params":[1,1],"id":1}"#,
    );
    assert_eq!(answer["result"], json!(2));
}

#[test]
fn one_log_line_per_call_unless_quiet() {
    let mut server = Serve::new().log().stderr_piped().start();
    post_json(
        server.port,
        r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#,
    );
    post_json(server.port, r#"{"jsonrpc":"2.0","method":"nope","id":2}"#);
    server.terminate();
    let stderr = server.stderr_text();
    let calls: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(" json-rpc RPC "))
        .collect();
    assert_eq!(calls.len(), 2, "{stderr}");
    assert!(calls[0].contains("RPC add [2,3] ==> 5"), "{stderr}");
    assert!(
        calls[1].contains("RPC nope [] =!> {\"code\":-32601"),
        "{stderr}"
    );

    let mut quiet = Serve::new().stderr_piped().start();
    post_json(
        quiet.port,
        r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#,
    );
    quiet.terminate();
    let stderr = quiet.stderr_text();
    assert!(!stderr.contains("RPC add"), "{stderr}");
}

#[test]
fn sigterm_finishes_calls_in_flight_then_exits_0() {
    let mut server = Serve::new().start();
    let port = server.port;
    let (sent_tx, sent_rx) = std::sync::mpsc::channel();
    let slow = std::thread::spawn(move || {
        let body = r#"{"jsonrpc":"2.0","method":"sleep","params":[1],"id":1}"#;
        http_after_connect(port, body, sent_tx)
    });
    sent_rx.recv().unwrap();
    // The listener accepts in order: once a later connection is answered, the slow one has been
    // accepted and its (already written) request is being served.
    assert_eq!(http(port, "GET", "/health", "").status, 200);
    server.terminate();
    let answer = slow.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#""result":1.0,"id":1}"#), "{answer}");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no longer accepting"
    );
}

/// Writes one request, signals that it is on the wire, then reads the whole answer.
fn http_after_connect(port: u16, body: &str, sent: std::sync::mpsc::Sender<()>) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    sent.send(()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn a_stderr_nobody_reads_never_blocks_calls_and_dropped_lines_are_counted() {
    let mut server = Serve::new()
        .log()
        .limit("--max-log-queue", "4")
        .stderr_piped()
        .start();
    // Each call logs ~2 KiB; a pipe holds 64 KiB, so the log stalls after a few dozen calls.
    let big = "x".repeat(1000);
    let body = json!({"jsonrpc": "2.0", "method": "echo", "params": [big], "id": 1}).to_string();
    for _ in 0..300 {
        let (status, answer) = post_json(server.port, &body);
        assert_eq!(
            (status, answer["result"].as_str().map(str::len)),
            (200, Some(1000))
        );
    }
    server.terminate();
    let text = server.stderr_text();
    assert!(server.child.wait().unwrap().success());
    assert!(
        text.contains("log lines dropped"),
        "{}",
        &text[text.len().saturating_sub(500)..]
    );
}
