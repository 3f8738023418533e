//! `rpc call` and the REPL report answers through the same code: the same fault reads the same.

use super::support::{outcome, rpc, Serve, Spawned};

/// What `rpc call ARGS` prints on stderr, and its exit status.
fn call_stderr(server: &Spawned, args: &[&str]) -> (i32, String) {
    let out = rpc()
        .arg("call")
        .args(args)
        .arg(server.url())
        .args(["div", "1", "0"])
        .output()
        .unwrap();
    let (code, _, stderr) = outcome(&out);
    (code, stderr)
}

/// The same call typed as a REPL line, in pipe mode with `--fail-fast`.
fn repl_stderr(server: &Spawned, args: &[&str], line: &str) -> (i32, String) {
    let out = rpc()
        .arg("repl")
        .arg(server.url())
        .args(args)
        .arg("--fail-fast")
        .write_stdin(format!("{line}\n"))
        .output()
        .unwrap();
    let (code, _, stderr) = outcome(&out);
    // The REPL also logs the call (`RPC div [1,0]`, `… =!> …`); the error line is the rest.
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("rpc: ")).collect();
    (code, format!("{}\n", lines.join("\n")))
}

#[test]
fn the_repl_and_call_print_the_same_line_for_the_same_fault() {
    let server = Serve::new().start();
    for proto in ["json-rpc", "xml-rpc", "reach"] {
        let args = ["-P", proto];
        let from_call = call_stderr(&server, &args);
        let from_repl = repl_stderr(&server, &args, "div 1 0");
        assert_eq!(from_repl, from_call, "{proto}");
        assert_eq!(from_call.0, 1, "{proto}");
    }
    let (_, xml) = call_stderr(&server, &["-P", "xml-rpc"]);
    assert_eq!(xml, "rpc: fault 1000: division by zero\n");
}

#[test]
fn an_unknown_method_gets_the_same_hint_in_both() {
    let server = Serve::new().start();
    let url = server.url();
    let call = rpc()
        .args(["call", "-P", "xml-rpc", &url, "nope"])
        .output()
        .unwrap();
    let (code, _, from_call) = outcome(&call);
    assert_eq!(code, 1);
    assert!(from_call.contains("shows the methods"), "{from_call}");
    let (code, from_repl) = repl_stderr(&server, &["-P", "xml-rpc"], "nope");
    assert_eq!(code, 1);
    assert_eq!(from_repl, from_call);
}

#[test]
fn a_batch_reports_each_failure_the_same_way_in_both() {
    let server = Serve::new().start();
    let url = server.url();
    let words = ["add", "1", "2", "+", "div", "1", "0"];
    let call = rpc().arg("call").arg(&url).args(words).output().unwrap();
    let (code, call_stdout, from_call) = outcome(&call);
    assert_eq!(code, 1);
    let out = rpc()
        .args(["repl", &url, "--fail-fast"])
        .write_stdin(format!("{}\n", words.join(" ")))
        .output()
        .unwrap();
    let (repl_code, repl_stdout, repl_stderr) = outcome(&out);
    assert_eq!(repl_code, 1);
    assert_eq!(repl_stdout, call_stdout);
    let repl_errors: Vec<&str> = repl_stderr
        .lines()
        .filter(|l| l.starts_with("rpc: "))
        .collect();
    assert_eq!(repl_errors.join("\n") + "\n", from_call);
}

#[test]
fn insecure_on_raw_tcp_prints_no_tls_warning() {
    let server = Serve::new().start();
    let assert = rpc()
        .args(["call", "-k", &server.tcp_url(), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("TLS"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // Over HTTP the warning is still given.
    rpc()
        .args(["call", "-k", &server.url(), "add", "2", "3"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "TLS certificate verification is disabled",
        ));
}
