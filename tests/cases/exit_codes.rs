//! Every row of the contract's exit-code table, and the one-line error on stderr.

use super::support::{closed_port, http_answer, rpc, stderr_of, FakeServer, Serve};
use predicates::prelude::*;

#[test]
fn success_is_0() {
    let server = Serve::new().start();
    rpc()
        .args(["call", &server.url(), "add", "2", "3"])
        .assert()
        .code(0)
        .stdout("5\n");
}

#[test]
fn an_error_object_is_1_with_code_and_message() {
    let server = Serve::new().start();
    rpc()
        .args(["call", &server.url(), "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "rpc: error -32601: Method not found: nope",
        ));
}

#[test]
fn an_http_error_status_is_1() {
    let server = FakeServer::answering(http_answer(
        "503 Service Unavailable",
        "Content-Type: text/plain\r\n",
        "down for maintenance",
    ));
    rpc()
        .args(["call", &server.url(), "add", "1", "2"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("HTTP 503")
                .and(predicate::str::contains("down for maintenance")),
        );
}

#[test]
fn bad_flags_are_2() {
    rpc()
        .args(["call", "--no-such-flag", ":1", "add"])
        .assert()
        .code(2);
    rpc().args(["call", ":1"]).assert().code(2);
    rpc()
        .args(["call", "ftp://x", "add"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unsupported scheme"));
    rpc()
        .args(["call", ":1", "add", "a:=1", "2"])
        .assert()
        .code(2);
    rpc()
        .args(["call", ":1", "add", "1", "-d", "[1]"])
        .assert()
        .code(2);
}

#[test]
fn a_refused_connection_is_3_and_suggests_rpc_serve() {
    let port = closed_port();
    rpc()
        .args(["call", &format!("127.0.0.1:{port}"), "add", "1", "2"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("connection refused")
                .and(predicate::str::contains("rpc serve")),
        );
}

#[test]
fn a_timeout_is_3() {
    let server = FakeServer::silent();
    rpc()
        .args(["call", "-t", "0.5", &server.url(), "add", "1", "2"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("timed out after 0.5s"));
}

#[test]
fn an_unknown_host_is_3() {
    rpc()
        .args(["call", "-t", "10", "http://no-such-host.invalid:1", "add"])
        .assert()
        .code(3);
}

#[test]
fn a_garbage_answer_is_4() {
    let server = FakeServer::answering(http_answer(
        "200 OK",
        "Content-Type: text/plain\r\n",
        "this is not JSON-RPC",
    ));
    rpc()
        .args(["call", &server.url(), "add", "1", "2"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::starts_with("rpc: invalid answer:"));
}

#[test]
fn errors_are_one_line() {
    let server = Serve::new().start();
    let out = rpc()
        .args(["call", &server.url(), "add", "x", "1"])
        .assert()
        .code(1);
    let stderr = stderr_of(&out);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("rpc: error -32602: Invalid params"),
        "{stderr}"
    );
}
