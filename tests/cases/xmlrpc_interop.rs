//! XML-RPC against real peers: Python's `xmlrpc.client` and the xmlrpc-c `xmlrpc` command against
//! `rpc serve`; `rpc call` against Python's `SimpleXMLRPCServer` and a Twisted `XMLRPC` resource.
//! Peers come from `scripts/install-peers`; a missing one fails the test.

use super::support::{output, python, python_peer, rpc, xml_call, Serve, Spawned};
use predicates::prelude::*;
use std::path::PathBuf;
use std::process::Command;

/// Runs one check of tests/peers/xmlrpc_client.py against `url`.
fn python_client_check(url: &str, check: &str) {
    let (ok, stdout, stderr) = output(python().args(["xmlrpc_client.py", url, check]));
    assert!(
        ok,
        "Python xmlrpc.client check {check} failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(stdout.trim(), format!("ok {check}"));
}

#[test]
fn python_client_sends_and_reads_every_type() {
    let server = Serve::new().start();
    python_client_check(&format!("{}/RPC2", server.url()), "types");
}

#[test]
fn python_client_gets_ints_beyond_32_bits_and_doubles() {
    let server = Serve::new().start();
    // Python's ServerProxy posts to /RPC2 when the URL has no path; here it posts to /.
    python_client_check(&format!("{}/", server.url()), "numbers");
}

#[test]
fn python_multicall_gets_a_fault_struct_in_the_failing_slot() {
    let server = Serve::new().start();
    python_client_check(&server.url(), "multicall");
}

#[test]
fn python_client_introspects() {
    let server = Serve::new().start();
    python_client_check(&server.url(), "introspection");
}

#[test]
fn python_client_sees_the_contract_fault_codes() {
    let server = Serve::new().start();
    python_client_check(&server.url(), "faults");
}

fn python_server() -> Spawned {
    python_peer(&["xmlrpc_server.py"])
}

#[test]
fn rpc_calls_python_simplexmlrpcserver() {
    let server = python_server();
    // No path: /RPC2, which Python serves.
    let endpoint = format!(":{}", server.port);
    xml_call(&endpoint, &["add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    xml_call(&endpoint, &["add", "2", "0.5"])
        .assert()
        .success()
        .stdout("2.5\n");
    xml_call(&endpoint, &["-r", "info"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Python 3."));
    let doc = r#"[null,true,-2147483648,2.0,"h\u00e9llo <&> \ud83d\ude00",{"$base64":"AP9oZWxsbw=="},{"$datetime":"20261121T22:41:56"},{"a":[[]],"b":{}}]"#;
    let expected: serde_json::Value = serde_json::from_str(doc).unwrap();
    let out = xml_call(&endpoint, &["echo", doc]).assert().success();
    let printed: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(printed, expected);
}

#[test]
fn rpc_reads_every_type_as_python_writes_it() {
    let server = python_server();
    // Python writes <nil/>, base64 across lines, <int>, repr() doubles and a dateTime.
    xml_call(&server.url(), &["samples"])
        .assert()
        .success()
        .stdout(concat!(
            r#"{"nil":null,"true":true,"int":-12,"double":2.0,"string":"h\u00e9llo <&> \ud83d\ude00","#,
            r#""bytes":{"$base64":"AP9oZWxsbw=="},"datetime":{"$datetime":"20261121T22:41:56"},"#,
            r#""array":[1,[2,[3]]],"struct":{"empty":{},"list":[]}}"#,
            "\n"
        ).replace(r"\u00e9", "\u{e9}").replace(r"\ud83d\ude00", "\u{1F600}"));
}

#[test]
fn rpc_batches_through_python_multicall_and_shows_python_faults() {
    let server = python_server();
    xml_call(
        &server.url(),
        &[
            "add",
            "1",
            "2",
            "+",
            "mul",
            "3",
            "4",
            "+",
            "fail",
            "42",
            "the answer",
        ],
    )
    .assert()
    .code(1)
    .stdout("3\n12\n{\"error\":{\"code\":42,\"message\":\"the answer\"}}\n")
    .stderr("rpc: call 3 (fail): fault 42: the answer\n");
    xml_call(&server.url(), &["fail", "42", "the answer"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("rpc: fault 42: the answer\n");
    // Python answers an unknown method with faultCode 1.
    xml_call(&server.url(), &["nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("rpc: fault 1: "))
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn rpc_lists_and_describes_a_python_server() {
    let server = python_server();
    rpc()
        .args(["list", "-P", "xml-rpc", &server.url()])
        .assert()
        .success()
        .stdout(predicate::str::contains("add\n"))
        .stdout(predicate::str::contains("system.multicall\n"));
    // Python answers methodSignature with the string "signatures not supported".
    rpc()
        .args(["describe", "-P", "xml-rpc", &server.url(), "add"])
        .assert()
        .success()
        .stdout(
            "add  [signature: signatures not supported]\n    add(a, b): the sum of two numbers\n",
        );
    rpc()
        .args(["describe", "-P", "xml-rpc", &server.url(), "add", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            r#""signatures":"signatures not supported""#,
        ));
    // Python answers methodHelp for any name; the list says whether it exists.
    rpc()
        .args(["describe", "-P", "xml-rpc", &server.url(), "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "does not describe a method named \"nope\"",
        ));
}

#[test]
fn rpc_calls_a_twisted_xmlrpc_resource() {
    let server = python_peer(&["twisted_xmlrpc.py"]);
    xml_call(&server.url(), &["add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    xml_call(&server.url(), &["multiply", "6", "7"])
        .assert()
        .success()
        .stdout("42\n");
    xml_call(&server.url(), &["add", "1.5", "2"])
        .assert()
        .success()
        .stdout("3.5\n");
    // A whole double still reads (and prints) as a double.
    xml_call(&server.url(), &["multiply", "1.5", "4"])
        .assert()
        .success()
        .stdout("6.0\n");
    xml_call(&server.url(), &["info"])
        .assert()
        .success()
        .stdout("\"Twisted XMLRPC calculator\"\n");
    xml_call(&format!("{}/", server.url()), &["-v", "add", "2", "3"])
        .assert()
        .success()
        .stderr("RPC add [2,3]\nRPC add [2,3] ==> 5\n");
    xml_call(&server.url(), &["nope"])
        .assert()
        .code(1)
        .stderr("rpc: fault 8001: procedure nope not found\n");
}

/// The xmlrpc-c command-line client, from Debian's libxmlrpc-core-c3-dev.
fn xmlrpc_c() -> Command {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<PathBuf>>())
        .map(|dir| dir.join("xmlrpc"))
        .find(|path| path.is_file());
    let path = found.unwrap_or_else(|| {
        panic!("peer missing: the xmlrpc-c client `xmlrpc`; run `bash scripts/install-peers` (tests never skip a missing peer)")
    });
    let mut cmd = Command::new(path);
    // Its output is plain ASCII with escapes only in the C locale, whatever the machine's.
    cmd.env("LANG", "C").env("LC_ALL", "C");
    cmd
}

fn xmlrpc_c_call(url: &str, args: &[&str]) -> (bool, String, String) {
    output(xmlrpc_c().arg(url).args(args))
}

#[test]
fn xmlrpc_c_client_calls_rpc_serve() {
    let server = Serve::new().start();
    let url = format!("{}/RPC2", server.url());
    let expect = |args: &[&str], wanted: &str| {
        let (ok, stdout, stderr) = xmlrpc_c_call(&url, args);
        assert!(ok, "xmlrpc {args:?} failed: {stdout}{stderr}");
        assert!(
            stdout.contains(wanted),
            "xmlrpc {args:?}: {stdout:?} lacks {wanted:?}"
        );
    };
    expect(&["add", "i/2", "i/3"], "Integer: 5");
    expect(&["echo", "I/4294967296"], "64-bit integer: 4294967296");
    expect(
        &["mul", "I/4294967296", "i/2"],
        "64-bit integer: 8589934592",
    );
    expect(&["div", "d/1", "d/4"], "Floating Point: 0.25");
    expect(&["echo", "s/<a&b>"], "String: '<a&b>'");
    expect(&["echo", "b/t"], "Boolean: TRUE");
    expect(&["echo", "n/"], "Nil");
    expect(&["echo", "h/00ff"], "00ff");
    expect(&["system.listMethods"], "'system.multicall'");
    expect(&["system.methodHelp", "s/add"], "the sum a + b");
    let (ok, stdout, stderr) = xmlrpc_c_call(&url, &["div", "i/1", "i/0"]);
    assert!(!ok, "a fault must fail: {stdout}");
    assert!(
        stderr.contains("division by zero") && stderr.contains("fault code 1000"),
        "{stderr}"
    );
    // Its HOST:PORT shorthand means http://HOST:PORT/RPC2.
    let (ok, stdout, _) = xmlrpc_c_call(&format!("127.0.0.1:{}", server.port), &["info"]);
    assert!(ok && stdout.contains("toy math service"), "{stdout}");
}
