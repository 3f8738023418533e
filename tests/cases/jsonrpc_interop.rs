//! JSON-RPC interop with real peers: jsonrpclib-pelix (PyPI) and jayson (npm), each both ways.

use super::support::{node, node_peer, output, python, python_peer, rpc, Serve};
use predicates::prelude::*;
use serde_json::{json, Value};

fn report(cmd: &mut std::process::Command) -> Value {
    let (ok, stdout, stderr) = output(cmd);
    assert!(ok, "peer failed:\n{stdout}\n{stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn jsonrpclib_client_against_rpc_serve() {
    let server = Serve::new().start();
    let got = report(python().args(["jsonrpc_client.py", &server.url()]));
    assert_eq!(got["add"], json!(5));
    assert_eq!(got["float"], json!(3.5));
    assert_eq!(got["named"], json!(4));
    assert_eq!(got["echo"], json!({"a": [1, 2, null], "s": "héllo"}));
    assert_eq!(got["div"], json!(3.5));
    assert_eq!(got["batch"], json!([3, 12, "x"]));
    assert_eq!(got["failing_batch"], json!([3, {"error": -32601}]));
    assert_eq!(got["notify"], json!("sent"));
    assert_eq!(got["method_not_found"], json!(-32601));
    assert_eq!(got["invalid_params"], json!(-32602));
    assert_eq!(got["division_by_zero"], json!(1000));
    assert_eq!(got["overflow"], json!(1001));
    // The JSON-RPC methods of rpc.discover: the toy service, introspection, subscribe and
    // unsubscribe (listed over JSON-RPC, served over WebSocket).
    assert_eq!(got["discover"], json!(17));
}

#[test]
fn rpc_call_against_jsonrpclib_server() {
    let server = python_peer(&["jsonrpc_server.py"]);
    let url = server.url();
    rpc()
        .args(["call", &url, "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args(["call", &url, "sub", "a:=10", "b:=4"])
        .assert()
        .success()
        .stdout("6\n");
    rpc()
        .args(["call", &url, "echo", r#"{"k":["v",1.5,null]}"#])
        .assert()
        .success()
        .stdout("{\"k\":[\"v\",1.5,null]}\n");
    rpc()
        .args(["call", &url, "add", "1", "2", "+", "nope", "+", "echo", "x"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::starts_with("3\n{\"error\":{\"code\":-32601")
                .and(predicate::str::ends_with("\"x\"\n")),
        );
    rpc()
        .args(["call", &url, "add", "1", "2", "--notify"])
        .assert()
        .success()
        .stdout("");
    // jsonrpclib hides the exception's text behind a reference: the code is what travels.
    rpc()
        .args(["call", &url, "fail", "why"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "rpc: error -32603: Server error",
        ));
    rpc()
        .args(["call", &url, "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("-32601"));
}

#[test]
fn jayson_client_against_rpc_serve() {
    let server = Serve::new().start();
    let got = report(node().args(["jayson_client.js", &server.port.to_string()]));
    assert_eq!(got["add"], json!(5));
    assert_eq!(got["named"], json!(4));
    assert_eq!(got["echo"], json!({"nested": [1, "two", null]}));
    assert_eq!(got["nope"], json!(-32601));
    assert_eq!(got["invalid"], json!(-32602));
    assert_eq!(got["batch"], json!([3, {"error": -32601}, 12]));
    assert_eq!(got["notify"], json!("no answer"));
}

#[test]
fn rpc_call_against_jayson_server() {
    let server = node_peer(&["jayson_server.js"]);
    let url = server.url();
    rpc()
        .args(["call", &url, "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args(["call", &url, "echo", "[1,{\"a\":null}]"])
        .assert()
        .success()
        .stdout("[1,{\"a\":null}]\n");
    rpc()
        .args([
            "call", &url, "add", "1", "2", "+", "nope", "+", "add", "5", "5",
        ])
        .assert()
        .code(1)
        .stdout(
            predicate::str::starts_with("3\n{\"error\":{\"code\":-32601")
                .and(predicate::str::ends_with("10\n")),
        );
    rpc()
        .args(["call", &url, "add", "1", "2", "--notify"])
        .assert()
        .success()
        .stdout("");
    rpc()
        .args(["call", &url, "fail", "no"])
        .assert()
        .code(1)
        .stderr("rpc: error 4000: refused: no\n");
}
