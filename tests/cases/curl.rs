//! `rpc call --curl`: the printed command, run by a shell against `rpc serve`, gets the same
//! answer `rpc call` gets; it sends nothing itself. The tools are installed by
//! `scripts/install-peers`: a missing curl or nc fails these tests, it never skips them.

use super::support::{cert_files, closed_port, https, rpc, Serve};
use predicates::prelude::*;
use serde_json::{json, Value};
use std::process::Command;

/// An argument that needs every kind of quoting: a quote, a double quote, a dollar, a newline.
const AWKWARD: &str = "it's \"$HOME\" `x`\nline 2";

/// `rpc call ARGS` with `--curl`: the printed command and stderr. The command is one line unless
/// the body itself holds a newline (XML-RPC strings keep theirs), which stays inside its quotes.
fn curl_line(args: &[&str]) -> (String, String) {
    let out = rpc()
        .arg("call")
        .arg("--curl")
        .args(args)
        .assert()
        .success();
    let output = out.get_output();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let command = stdout
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("ends with a newline: {stdout:?}"));
    (
        command.to_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs a command line with `sh -c`, as a user pasting it would; returns its stdout.
fn run_shell(line: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", line])
        .output()
        .unwrap_or_else(|e| panic!("cannot run sh: {e}"));
    assert!(
        out.status.success(),
        "{line}\nexited {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `rpc call ARGS` prints, as JSON (one value per line).
fn rpc_answers(args: &[&str]) -> Vec<Value> {
    let out = rpc().arg("call").args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn require_tool(name: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{name} is missing: run `bash scripts/install-peers` (tests never skip a missing tool)"
    );
}

#[test]
fn json_rpc_curl_line_gets_the_same_answer() {
    require_tool("curl");
    let server = Serve::new().start();
    let url = server.url();
    for args in [vec!["add", "2", "3"], vec!["echo", AWKWARD]] {
        let mut full = vec![url.as_str()];
        full.extend(&args);
        let (line, _) = curl_line(&full);
        assert!(line.starts_with("curl "), "{line}");
        assert_eq!(line.lines().count(), 1, "JSON escapes newlines: {line}");
        assert_eq!(
            line.lines().count(),
            1,
            "JSON bodies escape newlines: {line}"
        );
        let answer: Value = serde_json::from_str(&run_shell(&line)).unwrap();
        assert_eq!(vec![answer["result"].clone()], rpc_answers(&full), "{line}");
    }
    // A batch is one request too; its answers pair with rpc's lines by id.
    let full = [url.as_str(), "add", "1", "2", "+", "mul", "3", "4"];
    let (line, _) = curl_line(&full);
    let answer: Value = serde_json::from_str(&run_shell(&line)).unwrap();
    let mut results: Vec<(i64, Value)> = answer
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_i64().unwrap(), a["result"].clone()))
        .collect();
    results.sort_by_key(|(id, _)| *id);
    let results: Vec<Value> = results.into_iter().map(|(_, r)| r).collect();
    assert_eq!(results, rpc_answers(&full));
}

#[test]
fn xml_rpc_curl_line_posts_to_rpc2_and_gets_the_same_answer() {
    require_tool("curl");
    let server = Serve::new().start();
    let endpoint = format!("127.0.0.1:{}", server.port);
    let (line, _) = curl_line(&["-P", "xml-rpc", &endpoint, "add", "2", "3"]);
    assert!(line.contains(&format!("http://{endpoint}/RPC2")), "{line}");
    assert!(line.contains("-H 'Content-Type: text/xml'"), "{line}");
    let xml = run_shell(&line);
    assert_eq!(
        rpc_answers(&["-P", "xml-rpc", &endpoint, "add", "2", "3"]),
        [json!(5)]
    );
    assert!(
        xml.contains("<param><value><int>5</int></value></param>"),
        "{xml}"
    );
    // The awkward string comes back whole (XML escapes the quote marks its own way).
    let (line, _) = curl_line(&["-P", "xml-rpc", &endpoint, "echo", AWKWARD]);
    let xml = run_shell(&line);
    assert_eq!(
        rpc_answers(&["-P", "xml-rpc", &endpoint, "echo", AWKWARD]),
        [json!(AWKWARD)]
    );
    let unescaped = xml
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'");
    assert!(unescaped.contains(AWKWARD), "{xml}");
}

#[test]
fn reach_curl_line_sends_the_api_key_and_k_over_https() {
    require_tool("curl");
    let files = cert_files();
    let server = Serve::new().cert(&files).api_key("s3'cret").start();
    let url = https(&server);
    for args in [vec!["/add", "2", "3"], vec!["/echo", AWKWARD]] {
        let mut full = vec!["-P", "reach", "-k", "--api-key", "s3'cret", url.as_str()];
        full.extend(&args);
        let (line, stderr) = curl_line(&full);
        assert!(line.starts_with("curl -sS -k "), "{line}");
        assert!(line.contains(r"-H 'X-API-Key: s3'\''cret'"), "{line}");
        assert!(stderr.contains("--insecure"), "the -k warning: {stderr}");
        let answer: Value = serde_json::from_str(&run_shell(&line)).unwrap();
        assert_eq!(vec![answer], rpc_answers(&full), "{line}");
    }
    // Without the key the same line is refused: the header really is what gets it in.
    let (line, _) = curl_line(&["-P", "reach", "-k", &url, "/add", "2", "3"]);
    let refused = Command::new("sh")
        .args(["-c", &format!("{line} -o /dev/null -w '%{{http_code}}'")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&refused.stdout), "401");
}

#[test]
fn reach_interactive_curl_line_is_the_first_request_and_says_why() {
    require_tool("curl");
    let server = Serve::new().start();
    let (line, stderr) = curl_line(&[
        "-P",
        "reach",
        &server.url(),
        "/interact/sum",
        "2",
        "--callback",
        "getNumber=1",
    ]);
    assert!(line.contains("/interact/sum"), "{line}");
    assert!(stderr.contains("/kont"), "{stderr}");
    let answer: Value = serde_json::from_str(&run_shell(&line)).unwrap();
    assert_eq!(answer["t"], json!("Kont"), "{answer}");
    assert_eq!(answer["m"], json!("getNumber"), "{answer}");
}

#[test]
fn raw_tcp_nc_line_gets_the_same_answers() {
    require_tool("nc");
    let server = Serve::new().start();
    let url = format!("tcp://{}", server.addr);
    let full = [url.as_str(), "add", "1", "2", "+", "echo", AWKWARD];
    let (line, _) = curl_line(&full);
    assert!(line.starts_with("printf "), "{line}");
    assert!(line.contains(" | nc "), "{line}");
    let answers: Vec<Value> = run_shell(&line)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers, rpc_answers(&full), "{line}");
}

#[test]
fn curl_sends_nothing() {
    // Nothing listens here, and --curl still succeeds: it never connects.
    let port = closed_port();
    rpc()
        .args(["call", "--curl", &format!(":{port}"), "add", "2", "3"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("curl "));
    rpc()
        .args(["call", "--curl", "--dry-run", ":8000", "add"])
        .assert()
        .code(2);
}
