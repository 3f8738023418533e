//! `rpc replay`: a recorded session re-sent as a regression test.

use super::support::{outcome, rpc, Serve, Spawned};
use std::path::Path;

fn record_session(server: &Spawned, file: &Path, script: &str) {
    rpc()
        .args(["repl", &server.url(), "--record"])
        .arg(file)
        .write_stdin(script)
        .assert()
        .success();
}

fn replay(file: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = rpc().arg("replay").arg(file).args(extra).output().unwrap();
    outcome(&out)
}

/// One recorded line, as `rpc repl --record` writes it.
fn line(endpoint: &str, method: &str, params: &str, answer: &str) -> String {
    format!(
        r#"{{"endpoint":"{endpoint}","protocol":"json-rpc","method":"{method}","params":{params},{answer},"duration_ms":1.0}}"#
    )
}

#[test]
fn an_unchanged_session_replays_with_status_0() {
    let recorded_on = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.jsonl");
    record_session(
        &recorded_on,
        &file,
        "add 2 3\necho {\"a\": [1, {\"$base64\": \"aGk=\"}]}\nadd a:=1 b:=2\ndiv 1 0\nnope\n",
    );

    let (code, stdout, stderr) = replay(&file, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("replayed 5 calls: every answer is the same"),
        "{stderr}"
    );

    // The same session against another server of the same kind.
    let other = Serve::new().start();
    let (code, stdout, _) = replay(&file, &["--endpoint", &other.url()]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn a_changed_answer_is_shown_as_a_diff_with_status_1() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.jsonl");
    let endpoint = format!("{}/", server.url());
    let recording = [
        line(&endpoint, "add", "[2,3]", r#""result":6"#),
        line(&endpoint, "mul", "[2,3]", r#""result":6"#),
        String::new(),
        line(&endpoint, "div", "[1,0]", r#""result":0"#),
    ]
    .join("\n");
    std::fs::write(&file, recording).unwrap();

    let (code, stdout, stderr) = replay(&file, &[]);
    assert_eq!(code, 1, "{stderr}");
    let name = file.display();
    assert_eq!(
        stdout,
        format!(
            "changed: RPC add [2,3] ({name} line 1)\n  {{\n-   \"result\": 6\n+   \"result\": 5\n  }}\n\
             changed: RPC div [1,0] ({name} line 4)\n  {{\n-   \"result\": 0\n+   \"error\": {{\n\
             +     \"code\": 1000,\n+     \"message\": \"division by zero\"\n+   }}\n  }}\n"
        )
    );
    assert!(stderr.contains("replayed 3 calls: 2 changed"), "{stderr}");
}

#[test]
fn a_recording_that_is_not_one_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    let good = line("http://127.0.0.1:1/", "add", "[1]", r#""result":1"#);
    std::fs::write(&file, format!("{good}\n{{\"method\": \"add\"}}\n")).unwrap();
    let (code, _, stderr) = replay(&file, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");

    let (code, _, stderr) = replay(&dir.path().join("missing.jsonl"), &[]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn a_server_that_is_gone_is_a_transport_failure_not_a_change() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.jsonl");
    record_session(&server, &file, "add 1 1\n");
    drop(server);
    let (code, stdout, stderr) = replay(&file, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "");
}
