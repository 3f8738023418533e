//! `rpc repl` reading commands from a pipe: results on stdout, the log on stderr, exit status.

use super::support::{closed_port, outcome, rpc, Serve, Spawned};
use serde_json::Value as Json;

/// Runs `rpc repl <server> [extra]` with `script` on stdin; returns (exit code, stdout, stderr).
fn repl(server: &Spawned, extra: &[&str], script: &str) -> (i32, String, String) {
    repl_at(&server.url(), extra, script)
}

fn repl_at(endpoint: &str, extra: &[&str], script: &str) -> (i32, String, String) {
    let out = rpc()
        .arg("repl")
        .arg(endpoint)
        .args(extra)
        .write_stdin(script)
        .output()
        .unwrap();
    outcome(&out)
}

/// An endpoint where nothing listens.
fn dead_endpoint() -> String {
    format!("http://127.0.0.1:{}", closed_port())
}

/// The log format, whole: a snapshot of what `rpc call -v` prints, line for line.
#[test]
fn pipe_mode_logs_every_call_like_call_v() {
    let server = Serve::new().start();
    let script = "add 2 3\n\
                  # a comment, and a blank line\n\
                  \n\
                  echo {\"a\": [1, 2]}\n\
                  div 1 0\n\
                  add 1 2 + mul 3 4\n";
    let (code, stdout, stderr) = repl(&server, &[], script);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "5\n\
         {\"a\":[1,2]}\n\
         3\n\
         12\n"
    );
    assert_eq!(
        stderr,
        "RPC add [2,3]\n\
         RPC add [2,3] ==> 5\n\
         RPC echo [{\"a\":[1,2]}]\n\
         RPC echo [{\"a\":[1,2]}] ==> {\"a\":[1,2]}\n\
         RPC div [1,0]\n\
         RPC div [1,0] =!> {\"code\":1000,\"message\":\"division by zero\"}\n\
         rpc: error 1000: division by zero\n\
         RPC add [1,2]\n\
         RPC mul [3,4]\n\
         RPC add [1,2] ==> 3\n\
         RPC mul [3,4] ==> 12\n"
    );
}

#[test]
fn words_follow_the_arg_rules_of_rpc_call() {
    let server = Serve::new().start();
    let script = "echo {\"a\":[1,2]}\n\
                  echo \"two words\"\n\
                  echo 'single quoted'\n\
                  echo \"42\"\n\
                  echo 42\n\
                  echo hello\n\
                  add a:=2 b:=3\n\
                  sum [1, 2, 3]\n";
    let (code, stdout, stderr) = repl(&server, &[], script);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            r#"{"a":[1,2]}"#,
            r#""two words""#,
            r#""single quoted""#,
            r#""42""#,
            "42",
            r#""hello""#,
            "5",
            "6"
        ]
    );
    assert!(
        stderr.contains("RPC add {\"a\":2,\"b\":3} ==> 5"),
        "{stderr}"
    );
}

#[test]
fn a_failed_line_is_reported_and_the_session_goes_on() {
    let server = Serve::new().start();
    let script = ":bogus\nnope\necho \"unterminated\n:proto soap\nadd 1 2\n";
    let (code, stdout, stderr) = repl(&server, &[], script);
    assert_eq!(
        code, 0,
        "end of input is success without --fail-fast: {stderr}"
    );
    assert_eq!(stdout, "3\n");
    assert!(
        stderr.contains("rpc: unknown meta-command :bogus (:help lists them)"),
        "{stderr}"
    );
    assert!(stderr.contains("rpc: error -32601: Method not found: nope"));
    assert!(stderr.contains("unterminated \" quote"));
    assert!(stderr.contains("unknown protocol \"soap\""));
}

#[test]
fn an_error_reads_as_the_one_line_rpc_call_prints_in_the_repl_and_replay() {
    // A certificate nobody trusts (rpc serve --tls makes its own).
    let server = Serve::new().tls().start();
    let url = format!("https://127.0.0.1:{}", server.port);
    let called = outcome(
        &rpc()
            .args(["call", &url, "add", "1", "2"])
            .output()
            .unwrap(),
    );
    assert_eq!(called.0, 3, "{}", called.2);
    let line = called.2.trim().to_owned();
    assert!(line.starts_with("rpc: TLS failure"), "{line}");
    let (_, _, stderr) = repl_at(&url, &[], "add 1 2\n");
    assert!(
        stderr.contains(&line),
        "the same sentence: {line} in {stderr}"
    );
    assert!(
        !stderr.contains("rpc: detail"),
        "no library internals: {stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("session.jsonl");
    let plain = Serve::new().start();
    let (code, _, stderr) = repl(
        &plain,
        &["--record", recording.to_str().unwrap()],
        "add 1 2\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let replayed = outcome(
        &rpc()
            .args(["replay", recording.to_str().unwrap(), "--endpoint", &url])
            .output()
            .unwrap(),
    );
    assert_eq!(replayed.0, 3, "{}", replayed.2);
    assert_eq!(replayed.2.trim(), line, "replay's error line");
}

#[test]
fn fail_fast_stops_at_the_first_failure_with_its_status() {
    let server = Serve::new().start();
    let (code, stdout, _) = repl(&server, &["--fail-fast"], "add 1 1\nnope\nadd 1 2\n");
    assert_eq!(code, 1, "a server error is status 1");
    assert_eq!(stdout, "2\n", "nothing after the failure runs");

    let (code, stdout, stderr) = repl_at(&dead_endpoint(), &["--fail-fast"], "add 1 1\n");
    assert_eq!(code, 3, "a transport failure is status 3: {stderr}");
    assert_eq!(stdout, "");
}

#[test]
fn quit_ends_the_script() {
    let server = Serve::new().start();
    let (code, stdout, _) = repl(&server, &[], "add 1 1\n:quit\nadd 1 2\n");
    assert_eq!(code, 0);
    assert_eq!(stdout, "2\n");
}

#[test]
fn verbose_toggles_the_wire_dump() {
    let server = Serve::new().start();
    let script = ":verbose on\nadd 1 1\n:verbose off\nadd 2 2\n:verbose\nadd 3 3\n";
    let (code, _, stderr) = repl(&server, &[], script);
    assert_eq!(code, 0, "{stderr}");
    let dumps: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("> {\"jsonrpc\""))
        .collect();
    assert_eq!(dumps.len(), 2, "{stderr}");
    assert!(dumps[0].contains("\"params\":[1,1]"));
    assert!(dumps[1].contains("\"params\":[3,3]"));
    assert!(stderr.contains("< HTTP/1.1 200 OK"));
    assert!(
        stderr.contains("RPC add [2,2] ==> 4"),
        "calls are still logged"
    );
}

#[test]
fn header_adds_replaces_and_removes_a_header() {
    let server = Serve::new().start();
    let script = ":header X-Debug: one\n:header X-Debug: two\n:header\n:verbose on\nadd 1 1\n\
                  :header X-Debug:\nadd 2 2\n";
    let (code, stdout, stderr) = repl(&server, &[], script);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("X-Debug: two\n"), "{stdout}");
    assert_eq!(stderr.matches("> X-Debug: two").count(), 1, "{stderr}");
    assert!(!stderr.contains("X-Debug: one"));
}

#[test]
fn connect_and_proto_switch_the_target() {
    let server = Serve::new().start();
    let script = format!(
        "add 1 1\n:connect {}\n:proto\nadd 1 2\n:proto xml\n:proto json-rpc\nadd 2 2\n",
        server.url()
    );
    let (code, stdout, stderr) = repl_at(&dead_endpoint(), &[], &script);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "3\n4\n", "{stderr}");
    let at = format!("at http://127.0.0.1:{}", server.port);
    assert!(
        stderr.contains(&format!("using json-rpc {at}\n")),
        "{stderr}"
    );
    // XML-RPC posts a bare endpoint to /RPC2, as Python's ServerProxy does.
    assert!(
        stderr.contains(&format!("using xml-rpc {at}/RPC2\n")),
        "{stderr}"
    );
}

#[test]
fn methods_and_describe_use_introspection() {
    let server = Serve::new().start();
    let (code, stdout, stderr) = repl(&server, &[], ":methods\n:describe add\n:describe nope\n");
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(&"add") && lines.contains(&"sleep"),
        "{stdout}"
    );
    assert!(
        stdout.contains("add(a: number, b: number) -> number"),
        "{stdout}"
    );
    assert!(stderr.contains("nope"), "{stderr}");
    assert!(
        !stderr.contains("RPC rpc.discover"),
        "introspection is not logged unless the wire dump is on: {stderr}"
    );
}

#[test]
fn history_and_help_in_a_script() {
    let server = Serve::new().start();
    let (code, stdout, stderr) = repl(&server, &[], "add 1 1\n\n:help\n:history\n");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "2\n    1  add 1 1\n    2  :help\n");
    for command in [
        ":proto",
        ":connect",
        ":methods",
        ":describe",
        ":header",
        ":verbose",
        ":callback",
        ":value",
    ] {
        assert!(stderr.contains(command), "{command} missing from :help");
    }
    assert!(stderr.contains(":quit"));
}

#[test]
fn record_appends_every_call_and_answer_as_json_lines() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.jsonl");
    let second = dir.path().join("second.jsonl");
    let script = format!(
        "add 2 3\n:record {}\n:record\necho {{\"k\": [true]}}\n:record off\nmul 2 2\n",
        second.display()
    );
    let (code, _, stderr) = repl(&server, &["--record", first.to_str().unwrap()], &script);
    assert_eq!(code, 0, "{stderr}");
    // A second session appends; it does not truncate.
    let (code, _, _) = repl(&server, &["--record", first.to_str().unwrap()], "div 1 0\n");
    assert_eq!(code, 0);

    let lines = read_lines(&first);
    assert_eq!(lines.len(), 2);
    let endpoint = format!("http://127.0.0.1:{}/", server.port);
    assert_eq!(lines[0]["endpoint"], endpoint.as_str());
    assert_eq!(lines[0]["protocol"], "json-rpc");
    assert_eq!(lines[0]["method"], "add");
    assert_eq!(lines[0]["params"], serde_json::json!([2, 3]));
    assert_eq!(lines[0]["result"], 5);
    assert!(lines[0]["duration_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(lines[1]["error"]["code"], 1000);
    assert!(lines[1].get("result").is_none());

    let lines = read_lines(&second);
    assert_eq!(lines.len(), 1, "only calls made while recording");
    assert_eq!(lines[0]["result"], serde_json::json!({"k": [true]}));
    assert!(stderr.contains(&format!("recording to {}", second.display())));
}

fn read_lines(path: &std::path::Path) -> Vec<Json> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_bad_endpoint_is_a_usage_error() {
    let (code, _, stderr) = repl_at("ftp://example.org", &[], "");
    assert_eq!(code, 2, "{stderr}");
}

/// The log with every Reach continuation handle (a run of 32 hex digits) replaced by `KID`, so it
/// can be compared whole.
fn without_kids(log: &str) -> String {
    let mut out = String::new();
    let mut hex = String::new();
    for c in log.chars() {
        if c.is_ascii_hexdigit() {
            hex.push(c);
            continue;
        }
        out.push_str(if hex.len() == 32 { "KID" } else { &hex });
        hex.clear();
        out.push(c);
    }
    out.push_str(if hex.len() == 32 { "KID" } else { &hex });
    out
}

/// An interactive Reach call: showTotal answered by its flag, getNumber by the script's next
/// lines; the whole exchange, `/kont` steps included, in the log.
#[test]
fn reach_callbacks_with_no_answer_take_the_next_script_lines() {
    let server = Serve::new().start();
    let flags = [
        "-P",
        "reach",
        "--callback",
        "showTotal=null",
        "--callback",
        "getNumber",
        "--value",
        "start=10",
    ];
    let script = "/interact/sum 2\n5\n 7 \n:callback\n:value\n";
    let (code, stdout, stderr) = repl(&server, &flags, script);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout, "22\nshowTotal=null\ngetNumber    (asked at the prompt)\nstart=10\n",
        "{stderr}"
    );
    assert_eq!(
        without_kids(&stderr),
        "RPC /interact/sum [2,{\"start\":10},{\"showTotal\":true,\"getNumber\":true}]\n\
         RPC /interact/sum [2,{\"start\":10},{\"showTotal\":true,\"getNumber\":true}] ==> {\"t\":\"Kont\",\"kid\":\"KID\",\"m\":\"getNumber\",\"args\":[1]}\n\
         RPC /kont [\"KID\",5]\n\
         RPC /kont [\"KID\",5] ==> {\"t\":\"Kont\",\"kid\":\"KID\",\"m\":\"getNumber\",\"args\":[2]}\n\
         RPC /kont [\"KID\",7]\n\
         RPC /kont [\"KID\",7] ==> {\"t\":\"Kont\",\"kid\":\"KID\",\"m\":\"showTotal\",\"args\":[22]}\n\
         RPC /kont [\"KID\",null]\n\
         RPC /kont [\"KID\",null] ==> {\"t\":\"Done\",\"ans\":22}\n"
    );
}

#[test]
fn reach_callbacks_and_values_change_with_meta_commands() {
    let server = Serve::new().start();
    let script = ":callback getNumber\n\
                  :value start=1\n\
                  :verbose on\n\
                  :describe add\n\
                  :verbose off\n\
                  /interact/sum 1\n\
                  41\n\
                  :callback getNumber=!echo $(( $1 * 100 ))\n\
                  :value start=\n\
                  /interact/sum 2\n\
                  :callback clear\n\
                  :value clear\n\
                  :callback\n\
                  add 2 3\n";
    let (code, stdout, stderr) = repl(&server, &["-P", "reach"], script);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("add(a: number"), "{stdout}");
    assert!(stdout.ends_with("\n42\n300\n5\n"), "{stdout}");
    assert!(
        stderr.contains("RPC /rpc.discover []\n"),
        "introspection is never interactive: {stderr}"
    );
    assert!(
        stderr.contains("RPC /interact/sum [2,{},{\"getNumber\":true}]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("RPC /add [2,3] ==> 5"),
        "cleared, calls are plain again: {stderr}"
    );
    assert!(stderr.contains("no callbacks"), "{stderr}");
}

#[test]
fn reach_end_of_input_before_an_answer_is_a_usage_error() {
    let server = Serve::new().start();
    let flags = ["-P", "reach", "--callback", "getNumber", "--fail-fast"];
    let (code, stdout, stderr) = repl(&server, &flags, "/interact/sum 1\n");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("rpc: end of input before getNumber(1) was answered"),
        "{stderr}"
    );
    let (code, _, stderr) = repl(&server, &["-P", "reach", "--callback", "x y"], "");
    assert_eq!(code, 2, "a bad --callback is a usage error: {stderr}");
}
