//! Raw-TCP interop with the peers socket tutorials teach (tests/peers/tcp_tutorial_*.py): a client
//! and a server that each do one `recv(1024)` and close after one answer.

use super::support::{output, python, python_peer, rpc, Serve, Spawned};
use serde_json::{json, Value as Json};

/// Runs the tutorial client against `server` with one request (optionally in slow pieces) and
/// returns the answer it printed.
fn tutorial_client(server: &Spawned, request: &str, pieces: &[&str]) -> Json {
    let mut cmd = python();
    cmd.arg("tcp_tutorial_client.py")
        .args(["127.0.0.1", &server.port.to_string(), request])
        .args(pieces);
    let (ok, stdout, stderr) = output(&mut cmd);
    assert!(ok, "tutorial client failed: {stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{stdout:?}: {e}"))
}

fn tutorial_server() -> Spawned {
    python_peer(&["tcp_tutorial_server.py"])
}

/// The variant that keeps each connection open and never ends an answer with a newline.
fn tutorial_loop_server() -> Spawned {
    python_peer(&["tcp_tutorial_server.py", "--loop"])
}

#[test]
fn tutorial_client_against_rpc_serve() {
    let server = Serve::new().start();
    assert_eq!(tutorial_client(&server, r#"["add", 2, 3]"#, &[]), json!(5));
    assert_eq!(tutorial_client(&server, r#"["sub", 2, 3]"#, &[]), json!(-1));
    let unknown = tutorial_client(&server, r#"["nope", 1]"#, &[]);
    assert_eq!(unknown["error"]["code"], json!(-32601), "{unknown}");
    assert!(unknown["error"]["message"].is_string(), "{unknown}");
    // Introspection is a plain call under this protocol.
    let names = tutorial_client(&server, r#"["system.listMethods"]"#, &[]);
    assert!(names.as_array().unwrap().contains(&json!("sub")), "{names}");
}

#[test]
fn tutorial_client_request_larger_than_1024_bytes() {
    let server = Serve::new().start();
    let ones = vec![1; 700];
    let request = json!(["sum", ones]).to_string();
    assert!(request.len() > 1024);
    assert_eq!(tutorial_client(&server, &request, &[]), json!(700));
}

#[test]
fn tutorial_client_request_in_slow_pieces() {
    let server = Serve::new().start();
    // Four pieces 0.2 s apart: the server must not take the first piece for the whole request.
    assert_eq!(
        tutorial_client(&server, r#"["mul", 6, 7]"#, &["4", "0.2"]),
        json!(42)
    );
}

#[test]
fn rpc_call_against_the_tutorial_server() {
    let server = tutorial_server();
    let url = server.tcp_url();
    rpc()
        .args(["call", "-t", "10", &url, "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args(["call", "-t", "10", &url, "sub", "2", "3"])
        .assert()
        .success()
        .stdout("-1\n");
    rpc()
        .args(["call", "-t", "10", &url, "nope"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "error -32601: Unknown method: nope",
        ));
    // The tutorial's catch-all answers {"error": "<text>"}: still the server's error, exit 1.
    rpc()
        .args(["call", "-t", "10", &url, "add", "1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error -32603"));
}

#[test]
fn rpc_call_reads_large_and_trickling_answers_from_the_tutorial_server() {
    let server = tutorial_server();
    let url = server.tcp_url();
    let expected: Vec<i64> = (0..2000).collect();
    let out = rpc()
        .args(["call", "-t", "10", &url, "range", "2000"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let got: Json = serde_json::from_slice(&out).unwrap();
    assert_eq!(got, json!(expected));
    // A bare number sent one byte at a time ends only when the server closes.
    rpc()
        .args(["call", "-t", "10", &url, "slow_add", "100", "23"])
        .assert()
        .success()
        .stdout("123\n");
}

#[test]
fn rpc_call_exits_4_when_the_answer_is_cut_off() {
    let server = tutorial_server();
    rpc()
        .args(["call", "-t", "10", &server.tcp_url(), "half"])
        .assert()
        .code(4)
        .stderr(predicates::str::contains("before a full JSON value"));
}

#[test]
fn batch_against_a_server_that_closes_after_each_answer_reconnects() {
    let server = tutorial_server();
    rpc()
        .args(["call", "-t", "10", &server.tcp_url()])
        .args(["add", "1", "2", "+", "range", "3", "+", "mul", "3", "4"])
        .args(["+", "nope", "+", "sub", "9", "1"])
        .assert()
        .code(1)
        .stdout(
            "3\n[0,1,2]\n12\n{\"error\":{\"code\":-32601,\"message\":\"Unknown method: nope\"}}\n8\n",
        );
}

#[test]
fn rpc_call_against_a_server_that_keeps_the_connection_and_sends_no_newline() {
    let server = tutorial_loop_server();
    let url = server.tcp_url();
    // `5` with nothing after it and no close: taken as complete after a short silence.
    rpc()
        .args(["call", "-t", "5", &url, "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args(["call", "-t", "5", &url, "range", "3"])
        .assert()
        .success()
        .stdout("[0,1,2]\n");
}
