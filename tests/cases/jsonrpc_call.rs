//! `rpc call` over JSON-RPC: arguments, params, batches, notifications, output and trace rules.

use super::support::{
    cert_files, http_answer, https, path_str, rpc, rpc_path, stderr_of, stdout_of, FakeServer,
    Serve,
};
use predicates::prelude::*;
use serde_json::{json, Value};

fn stdout_json(out: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice(&out.get_output().stdout).expect("stdout is JSON")
}

#[test]
fn args_are_json_else_strings() {
    let server = Serve::new().start();
    let url = server.url();
    let cases: &[(&str, &str)] = &[
        ("2", "2"),
        ("2.5", "2.5"),
        ("true", "true"),
        ("null", "null"),
        ("\"two words\"", "\"two words\""),
        ("hello", "\"hello\""),
        ("[1,2]", "[1,2]"),
        ("{\"a\":1}", "{\"a\":1}"),
        ("{\"$base64\":\"aGk=\"}", "{\"$base64\":\"aGk=\"}"),
        ("-3", "-3"),
    ];
    for (arg, printed) in cases {
        rpc()
            .args(["call", &url, "echo", arg])
            .assert()
            .success()
            .stdout(format!("{printed}\n"));
    }
}

#[test]
fn shorthand_endpoints_reach_localhost() {
    let server = Serve::new().start();
    for endpoint in [
        format!(":{}", server.port),
        format!("127.0.0.1:{}", server.port),
    ] {
        rpc()
            .args(["call", &endpoint, "add", "2", "3"])
            .assert()
            .success()
            .stdout("5\n");
    }
}

#[test]
fn named_params_bind_by_name() {
    let server = Serve::new().start();
    rpc()
        .args(["call", &server.url(), "sub", "b:=1", "a:=5"])
        .assert()
        .success()
        .stdout("4\n");
    rpc()
        .args(["call", "--dry-run", &server.url(), "sub", "b:=1", "a:=5"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""params":{"b":1,"a":5}"#));
}

#[test]
fn params_from_an_argument_a_file_and_stdin() {
    let server = Serve::new().start();
    let url = server.url();
    rpc()
        .args(["call", &url, "add", "-d", "[2,3]"])
        .assert()
        .success()
        .stdout("5\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("params.json");
    std::fs::write(&file, r#"{"numbers": [1, 2, 3.5]}"#).unwrap();
    rpc()
        .args(["call", &url, "sum", "-d", &format!("@{}", file.display())])
        .assert()
        .success()
        .stdout("6.5\n");
    rpc()
        .args(["call", &url, "sub", "-d", "@-"])
        .write_stdin(r#"{"a":9,"b":4}"#)
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args(["call", &url, "add", "-d", "3"])
        .assert()
        .code(2);
}

#[test]
fn a_notification_prints_nothing_and_succeeds() {
    let server = Serve::new().start();
    rpc()
        .args(["call", &server.url(), "add", "1", "2", "--notify"])
        .assert()
        .success()
        .stdout("");
    rpc()
        .args([
            "call",
            "--dry-run",
            "--notify",
            &server.url(),
            "add",
            "1",
            "2",
        ])
        .assert()
        .stdout(predicate::str::contains(
            r#"{"jsonrpc":"2.0","method":"add","params":[1,2]}"#,
        ));
}

#[test]
fn a_batch_prints_one_line_per_call_in_order_and_keeps_going_past_a_failure() {
    let server = Serve::new().start();
    let out = rpc()
        .args([
            "call",
            &server.url(),
            "add",
            "1",
            "2",
            "+",
            "nope",
            "+",
            "mul",
            "3",
            "4",
            "+",
            "echo",
            "\"+\"",
        ])
        .assert()
        .code(1);
    let stdout = stdout_of(&out);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0], json!(3));
    assert_eq!(lines[1]["error"]["code"], json!(-32601));
    assert_eq!(lines[2], json!(12));
    assert_eq!(lines[3], json!("+"));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("rpc: call 2 (nope): error -32601"),
        "{stderr}"
    );
}

#[test]
fn a_batch_is_one_request() {
    rpc()
        .args(["call", "--dry-run", ":1", "add", "1", "2", "+", "info"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            r#"[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},{"jsonrpc":"2.0","method":"info","id":2}]"#,
        ));
}

#[test]
fn headers_are_sent() {
    // Answers with the request's headers (names lower-cased) as the result.
    let server = FakeServer::replying(|request| {
        let headers: serde_json::Map<String, Value> = request
            .headers()
            .into_iter()
            .map(|(name, value)| (name.to_lowercase(), json!(value)))
            .collect();
        let id = serde_json::from_slice::<Value>(request.body()).unwrap()["id"].clone();
        let doc = json!({"jsonrpc": "2.0", "result": headers, "id": id});
        http_answer(
            "200 OK",
            "Content-Type: application/json\r\n",
            &doc.to_string(),
        )
    });
    let out = rpc()
        .args([
            "call",
            &server.url(),
            "x",
            "-H",
            "X-Trace: abc 123",
            "-H",
            "Authorization: Bearer t",
        ])
        .assert()
        .success();
    let headers = stdout_json(&out);
    assert_eq!(headers["x-trace"], json!("abc 123"));
    assert_eq!(headers["authorization"], json!("Bearer t"));
    assert_eq!(headers["content-type"], json!("application/json"));
    rpc()
        .args(["call", ":1", "x", "-H", "no colon"])
        .assert()
        .code(2);
}

#[test]
fn dry_run_sends_nothing() {
    // Port 1 refuses connections: a dry run that tried to send would exit 3.
    rpc()
        .args(["call", "--dry-run", "-H", "X-A: 1", ":1", "add", "2", "3"])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("POST / HTTP/1.1\r\nHost: localhost:1\r\n")
                .and(predicate::str::contains("X-A: 1\r\n"))
                .and(predicate::str::ends_with(
                    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}\n",
                )),
        );
}

#[test]
fn piped_output_is_one_compact_line_and_raw_drops_quotes() {
    let server = Serve::new().start();
    let url = server.url();
    rpc()
        .args(["call", &url, "echo", r#"{"a": [1, 2], "b": {"c": "d"}}"#])
        .assert()
        .stdout("{\"a\":[1,2],\"b\":{\"c\":\"d\"}}\n");
    rpc()
        .args(["call", &url, "echo", "hello world", "-r"])
        .assert()
        .stdout("hello world\n");
    rpc()
        .args(["call", &url, "echo", "[1]", "--raw"])
        .assert()
        .stdout("[1]\n");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let server = Serve::new().start();
    let url = server.url();
    rpc()
        .args(["call", "--color", "always", &url, "echo", "\"x\""])
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
    rpc()
        .args(["call", "--color", "never", &url, "echo", "\"x\""])
        .assert()
        .stdout("\"x\"\n");
    rpc()
        .env("NO_COLOR", "1")
        .args(["call", &url, "-v", "echo", "\"x\""])
        .assert()
        .stderr(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn a_terminal_gets_pretty_colour() {
    // `script` gives rpc a real terminal as stdout.
    let server = Serve::new().start();
    let command = format!(
        "{} call {} echo '{{\"a\":[1]}}'",
        rpc_path().display(),
        server.url()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("\u{1b}["), "colour on a terminal: {text:?}");
    assert!(text.contains("\n  "), "pretty on a terminal: {text:?}");
}

#[test]
fn verbose_logs_reach_style_lines_on_stderr_only() {
    let server = Serve::new().start();
    rpc()
        .args(["call", "-v", &server.url(), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n")
        .stderr("RPC add [2,3]\nRPC add [2,3] ==> 5\n");
    rpc()
        .args(["call", "-v", &server.url(), "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "RPC nope []\nRPC nope [] =!> {\"code\":-32601,",
        ));
}

#[test]
fn very_verbose_dumps_the_wire() {
    let server = Serve::new().start();
    rpc()
        .args(["call", "-vv", &server.url(), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n")
        .stderr(
            predicate::str::contains("> POST / HTTP/1.1")
                .and(predicate::str::contains(
                    "> {\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}",
                ))
                .and(predicate::str::contains("< HTTP/1.1 200 OK"))
                .and(predicate::str::contains(
                    "< {\"jsonrpc\":\"2.0\",\"result\":5,\"id\":1}",
                ))
                .and(predicate::str::contains("RPC add [2,3] ==> 5")),
        );
}

#[test]
fn list_and_describe_use_rpc_discover() {
    let server = Serve::new().start();
    let out = rpc()
        .args(["list", &server.url(), "--json"])
        .assert()
        .success();
    let names = stdout_json(&out);
    for name in [
        "add", "sub", "mul", "multiply", "div", "square", "cube", "sum", "echo", "info", "sleep",
    ] {
        assert!(
            names.as_array().unwrap().contains(&json!(name)),
            "{name} in {names}"
        );
    }
    rpc()
        .args(["describe", &server.url(), "add"])
        .assert()
        .success()
        .stdout("add(a: number, b: number) -> number\n    add(a, b): the sum a + b\n");
    rpc()
        .args(["describe", &server.url(), "nope"])
        .assert()
        .code(1);
}

#[test]
fn https_verifies_certificates_unless_told_otherwise() {
    let files = cert_files();
    let server = Serve::new().tls().cert(&files).start();
    let url = https(&server);
    rpc()
        .args(["call", &url, "add", "2", "3"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("TLS failure").and(predicate::str::contains("--cacert")));
    rpc()
        .args(["call", "-k", &url, "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n")
        .stderr(predicate::str::contains(
            "warning: TLS certificate verification is disabled",
        ));
    rpc()
        .args([
            "call",
            "--cacert",
            path_str(&files.cert),
            &url,
            "add",
            "2",
            "3",
        ])
        .assert()
        .success()
        .stdout("5\n")
        .stderr("");
    rpc()
        .args(["call", "--cacert", "/no/such/file.pem", &url, "add"])
        .assert()
        .code(2);
}

#[test]
fn https_to_a_plain_server_says_what_to_try() {
    let server = Serve::new().start();
    rpc()
        .args([
            "call",
            &format!("https://127.0.0.1:{}", server.port),
            "add",
            "1",
            "2",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("TLS failure").and(predicate::str::contains("http://")));
}

#[test]
fn json_rpc_and_xml_rpc_answer_on_any_path() {
    let server = Serve::new().start();
    let rpc_path = format!("{}/rpc", server.url());
    rpc()
        .args(["call", &rpc_path, "add", "1", "2"])
        .assert()
        .success()
        .stdout("3\n");
    let xml_path = format!("{}/xmlrpc", server.url());
    rpc()
        .args(["call", "-P", "xml-rpc", &xml_path, "mul", "3", "4"])
        .assert()
        .success()
        .stdout("12\n");
    // An array at a method path stays Reach arguments, even when it holds an object.
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "echo",
            r#"{"jsonrpc":"2.0"}"#,
        ])
        .assert()
        .success()
        .stdout("{\"jsonrpc\":\"2.0\"}\n");
}
