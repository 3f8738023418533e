//! `rpc list` and `rpc describe` on every protocol, with `--json` for scripts; a server without
//! introspection gets a clear message and exit 1.

use super::support::{
    cert_files, node_peer, path_str, python_peer, reach_spec_server, rpc, stdout_of, Serve, Spawned,
};
use predicates::prelude::*;
use serde_json::{json, Value};

/// The endpoint and `-P` of `rpc serve` for each protocol.
fn endpoints(server: &Spawned) -> Vec<(&'static str, String)> {
    vec![
        ("json-rpc", server.url()),
        ("xml-rpc", server.url()),
        ("reach", server.url()),
        ("raw-tcp", server.tcp_url()),
    ]
}

fn stdout_json(args: &[&str]) -> Value {
    let out = rpc().args(args).assert().success();
    let text = stdout_of(&out);
    assert_eq!(text.lines().count(), 1, "--json prints one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text:?} is not JSON: {e}"))
}

#[test]
fn list_json_names_every_method_on_every_protocol() {
    let server = Serve::new().start();
    for (proto, url) in endpoints(&server) {
        let names = stdout_json(&["list", "-t", "10", "-P", proto, &url, "--json"]);
        let names = names
            .as_array()
            .unwrap_or_else(|| panic!("{proto}: {names}"));
        for name in ["add", "sub", "mul", "div", "sum", "echo", "info", "sleep"] {
            assert!(names.contains(&json!(name)), "{proto}: {name} in {names:?}");
        }
    }
}

#[test]
fn describe_json_gives_help_on_every_protocol() {
    let server = Serve::new().start();
    for (proto, url) in endpoints(&server) {
        let doc = stdout_json(&["describe", "-t", "10", "-P", proto, &url, "add", "--json"]);
        assert_eq!(doc["name"], json!("add"), "{proto}: {doc}");
        assert_eq!(
            doc["help"],
            json!("add(a, b): the sum a + b"),
            "{proto}: {doc}"
        );
        // Where the signature comes from differs (OpenRPC params or system.methodSignature),
        // but every protocol has one.
        assert!(
            doc.get("params")
                .is_some_and(|p| p.as_array().is_some_and(|p| p.len() == 2))
                || doc.get("signatures").is_some_and(Value::is_array),
            "{proto}: a signature in {doc}"
        );
    }
}

#[test]
fn describe_of_an_unknown_method_says_to_list() {
    let server = Serve::new().start();
    for (proto, url) in endpoints(&server) {
        rpc()
            .args(["describe", "-t", "10", "-P", proto, &url, "nope"])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("no method named \"nope\"").or(
                predicate::str::contains("does not describe a method named \"nope\""),
            ))
            .stderr(predicate::str::contains("rpc list"));
    }
}

/// Checks both commands against a server that has no introspection: exit 1, nothing on stdout,
/// and a message that says so and what to do instead.
fn assert_no_introspection(proto: &str, url: &str) {
    for args in [vec!["list"], vec!["describe"]] {
        let mut cmd = rpc();
        cmd.args(&args).args(["-t", "10", "-P", proto, url]);
        if args[0] == "describe" {
            cmd.arg("add");
        }
        cmd.assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("offers no introspection"))
            .stderr(predicate::str::contains("rpc call"));
    }
}

#[test]
fn jayson_json_rpc_server_has_no_introspection() {
    let server = node_peer(&["jayson_server.js"]);
    assert_no_introspection("json-rpc", &server.url());
}

#[test]
fn twisted_xml_rpc_server_has_no_introspection() {
    let server = python_peer(&["twisted_xmlrpc.py"]);
    assert_no_introspection("xml-rpc", &server.url());
    // Twisted's own fault is quoted, so the user sees what the server said.
    rpc()
        .args(["list", "-P", "xml-rpc", &server.url()])
        .assert()
        .stderr(predicate::str::contains("fault 8001"));
}

#[test]
fn tutorial_raw_tcp_server_has_no_introspection() {
    let server = python_peer(&["tcp_tutorial_server.py"]);
    assert_no_introspection("raw-tcp", &server.tcp_url());
}

#[test]
fn reach_spec_server_has_no_introspection() {
    let files = cert_files();
    let server = reach_spec_server(&files);
    let url = format!("https://127.0.0.1:{}", server.port);
    for args in [vec!["list"], vec!["describe"]] {
        let mut cmd = rpc();
        cmd.args(&args)
            .args(["-P", "reach", "--cacert", path_str(&files.cert)])
            .args(["--api-key", "OpenSesame", &url]);
        if args[0] == "describe" {
            cmd.arg("add");
        }
        cmd.assert().code(1).stderr(predicate::str::contains(
            "offers no introspection over reach",
        ));
    }
}

/// The service table holds everything the server offers: each protocol's introspection lists
/// exactly what it can call, the multicall and the interactive method included.
#[test]
fn introspection_lists_what_each_protocol_can_call() {
    let server = Serve::new().start();
    let list = |proto: &str| {
        let out = rpc()
            .args(["list", "--json", "-P", proto, &server.url()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{proto}: {out:?}");
        serde_json::from_slice::<Vec<String>>(&out.stdout).unwrap()
    };
    let has = |names: &[String], name: &str| names.iter().any(|n| n == name);
    let reach = list("reach");
    assert!(has(&reach, "interact/sum") && !has(&reach, "system.multicall"));
    let xml = list("xml-rpc");
    assert!(has(&xml, "system.multicall") && !has(&xml, "interact/sum"));
    let json = list("json-rpc");
    assert!(!has(&json, "system.multicall") && !has(&json, "interact/sum"));
    rpc()
        .args(["describe", "-P", "reach", &server.url(), "interact/sum"])
        .assert()
        .success()
        .stdout(predicate::str::contains("getNumber"));
    rpc()
        .args([
            "describe",
            "-P",
            "xml-rpc",
            &server.url(),
            "system.multicall",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("methodName"));
    // What a protocol cannot carry is not there for it.
    rpc()
        .args(["call", &server.url(), "system.multicall", "[]"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("-32601"));
}
