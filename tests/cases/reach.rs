//! Reach RPC: `rpc call -P reach` against `rpc serve` and against an HTTPS server playing the
//! specification's example session; the real Reach Python client against `rpc serve --tls`.

use super::support::{
    cert_files, https, output, path_str, python, reach_spec_server, rpc, stderr_of, Serve,
};
use predicates::prelude::*;

const KEY: &str = "s3cret-Key";

fn stdout_lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn reach_sync_calls_with_or_without_leading_slash() {
    let server = Serve::new().start();
    for method in ["add", "/add"] {
        rpc()
            .args(["call", "-P", "reach", &server.url(), method, "2", "3"])
            .assert()
            .success()
            .stdout("5\n");
    }
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "echo",
            r#"{"a":[1,null]}"#,
        ])
        .assert()
        .success()
        .stdout("{\"a\":[1,null]}\n");
}

#[test]
fn reach_exposes_introspection_as_methods() {
    let server = Serve::new().start();
    rpc()
        .args(["call", "-P", "reach", &server.url(), "/system.listMethods"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"add\"").and(predicate::str::contains("\"sum\"")));
    rpc()
        .args(["list", "-P", "reach", &server.url()])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("add\nsub\n"));
    rpc()
        .args(["describe", "-P", "reach", &server.url(), "add"])
        .assert()
        .success()
        .stdout(predicate::str::contains("the sum a + b"));
}

#[test]
fn reach_https_to_a_server_without_tls_is_a_transport_failure() {
    let server = Serve::new().start();
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "-k",
            &https(&server),
            "add",
            "2",
            "3",
        ])
        .assert()
        .code(3);
}

#[test]
fn reach_batch_is_sequential_calls_one_line_each() {
    let server = Serve::new().start();
    let out = rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "add",
            "1",
            "2",
            "+",
            "nope",
            "+",
            "mul",
            "2",
            "3",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"))
        .get_output()
        .stdout
        .clone();
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "3");
    assert!(
        lines[1].starts_with(r#"{"error":{"code":-32601"#),
        "{lines:?}"
    );
    assert_eq!(lines[2], "6");
}

#[test]
fn reach_http_error_status_exits_1_with_status_and_body() {
    let server = Serve::new().api_key(KEY).start();
    rpc()
        .args(["call", "-P", "reach", &server.url(), "add", "2", "3"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("HTTP 401 Unauthorized")
                .and(predicate::str::contains("X-API-Key")),
        );
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "--api-key",
            "wrong",
            &server.url(),
            "add",
            "2",
            "3",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("401"));
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "--api-key",
            KEY,
            &server.url(),
            "add",
            "2",
            "3",
        ])
        .assert()
        .success()
        .stdout("5\n");
    // The key may come from the environment, as in the Reach clients.
    rpc()
        .env("REACH_RPC_KEY", KEY)
        .args(["call", "-P", "reach", &server.url(), "div", "1", "0"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("HTTP 400 Bad Request")
                .and(predicate::str::contains("division by zero")),
        );
}

#[test]
fn reach_interactive_sum_answers_every_kont_and_traces_it() {
    let server = Serve::new().start();
    let assert = rpc()
        .args([
            "call",
            "-v",
            "-P",
            "reach",
            &server.url(),
            "/interact/sum",
            "3",
            "--value",
            "start=10",
            "--callback",
            "getNumber=!echo $(( $1 * 2 ))",
            "--callback",
            "showTotal=null",
        ])
        .assert()
        .success()
        .stdout("22\n");
    let err = stderr_of(&assert);
    assert!(
        err.contains(r#"RPC /interact/sum [3,{"start":10},{"getNumber":true,"showTotal":true}]"#),
        "{err}"
    );
    assert_eq!(err.matches("RPC /kont [").count(), 8, "{err}");
    assert!(err.contains(r#""m":"showTotal","args":[22]}"#), "{err}");
    assert!(err.contains(r#"==> {"t":"Done","ans":22}"#), "{err}");
}

#[test]
fn reach_callback_command_reads_its_arguments_on_stdin() {
    let server = Serve::new().start();
    // stdin carries the arguments as a JSON array: [i]; `tr` turns "[2]" into "2".
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "interact/sum",
            "2",
            "--callback",
            "getNumber=!tr -d '[]'",
        ])
        .assert()
        .success()
        .stdout("3\n");
}

#[test]
fn reach_unknown_and_used_continuations_are_404() {
    let server = Serve::new().start();
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "/kont",
            "\"no-such-kid\"",
            "1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404").and(predicate::str::contains("no-such-kid")));
    // Start an interaction by hand, answer its Kont once (fine), then again (gone).
    let out = rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "/interact/sum",
            "1",
            "{}",
            r#"{"getNumber":true}"#,
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let kont: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(kont["t"], "Kont");
    let kid = kont["kid"].as_str().unwrap();
    assert!(kid.len() >= 32, "a handle must be unguessable: {kid}");
    let quoted = format!("{kid:?}");
    rpc()
        .args(["call", "-P", "reach", &server.url(), "/kont", &quoted, "5"])
        .assert()
        .success()
        .stdout("{\"t\":\"Done\",\"ans\":5}\n");
    rpc()
        .args(["call", "-P", "reach", &server.url(), "/kont", &quoted, "5"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404"));
}

#[test]
fn reach_continuations_expire() {
    let server = Serve::new().limit("--kont-timeout", "0.2").start();
    let out = rpc()
        .args([
            "call",
            "-P",
            "reach",
            &server.url(),
            "/interact/sum",
            "1",
            "{}",
            r#"{"getNumber":true}"#,
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let kont: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let quoted = format!("{:?}", kont["kid"].as_str().unwrap());
    std::thread::sleep(std::time::Duration::from_millis(800));
    rpc()
        .args(["call", "-P", "reach", &server.url(), "/kont", &quoted, "5"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("404").and(predicate::str::contains("expired")));
}

#[test]
fn reach_refuses_notifications_and_named_params() {
    rpc()
        .args(["call", "-P", "reach", ":1", "add", "--notify"])
        .assert()
        .code(2);
    rpc()
        .args(["call", "-P", "reach", ":1", "add", "a:=1", "b:=2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("position"));
}

#[test]
fn reach_dry_run_shows_path_key_and_interactive_arguments() {
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "--dry-run",
            "--api-key",
            "OpenSesame",
            "https://h:1",
            "backend/Alice",
            "Contract-42",
            "--value",
            "price=10",
            "--callback",
            "showX=null",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("POST /backend/Alice HTTP/1.1")
                .and(predicate::str::contains("X-API-Key: OpenSesame"))
                .and(predicate::str::contains(
                    "Content-Type: application/json; charset=utf-8",
                ))
                .and(predicate::str::contains(
                    r#"["Contract-42",{"price":10},{"showX":true}]"#,
                )),
        );
}

#[test]
fn reach_tls_self_signed_needs_k_and_warns() {
    let server = Serve::new().tls().start();
    rpc()
        .args(["call", "-P", "reach", &https(&server), "add", "2", "3"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("TLS").or(predicate::str::contains("certificate")));
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "-k",
            &https(&server),
            "add",
            "2",
            "3",
        ])
        .assert()
        .success()
        .stdout("5\n")
        .stderr(predicate::str::contains("warning"));
    rpc()
        .env("REACH_RPC_TLS_REJECT_UNVERIFIED", "0")
        .args(["call", "-P", "reach", &https(&server), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n")
        .stderr(predicate::str::contains("REACH_RPC_TLS_REJECT_UNVERIFIED"));
    // Plain HTTP still works on the same port.
    rpc()
        .args(["call", &server.url(), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
}

#[test]
fn reach_endpoint_and_timeout_from_the_environment() {
    let server = Serve::new().tls().start();
    let port = server.port.to_string();
    rpc()
        .env("REACH_RPC_SERVER", "127.0.0.1")
        .env("REACH_RPC_PORT", &port)
        .args(["call", "-P", "reach", "-k", "/add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .env("REACH_RPC_SERVER", "127.0.0.1")
        .env("REACH_RPC_PORT", &port)
        .env("REACH_RPC_TIMEOUT", "1")
        .args(["call", "-P", "reach", "-k", "/sleep", "5"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("timed out"));
    rpc()
        .args(["call", "-P", "reach", "/add", "2", "3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("REACH_RPC_SERVER"));
}

#[test]
fn reach_tls_banner_and_fingerprint_match_the_served_certificate() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let server = Serve::new().tls().stderr_to(&log).start_with_banner();
    // The banner lists every protocol in the order of the protocol table.
    assert_eq!(
        [&server.extra_lines[0], &server.extra_lines[2]],
        [
            &format!("json-rpc https://{}/", server.addr),
            &format!("reach https://{}/", server.addr)
        ]
    );
    // Ask the server for its certificate, as any TLS client would, and hash it.
    let (ok, served, err) = output(python().args([
        "-c",
        "import hashlib, ssl, sys\n\
         pem = ssl.get_server_certificate(('127.0.0.1', int(sys.argv[1])))\n\
         print(':'.join('%02X' % b for b in hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).digest()))",
        &server.port.to_string(),
    ]));
    assert!(ok, "{err}");
    let printed = std::fs::read_to_string(log.path()).unwrap();
    assert!(
        printed.contains(&format!("SHA-256 fingerprint {}", served.trim())),
        "server said {printed:?}, served {served:?}"
    );
}

#[test]
fn reach_tls_with_given_pem_files_verifies_with_cacert() {
    let files = cert_files();
    let server = Serve::new().cert(&files).start();
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "--cacert",
            path_str(&files.cert),
            &format!("https://localhost:{}", server.port),
            "add",
            "2",
            "3",
        ])
        .assert()
        .success()
        .stdout("5\n")
        .stderr("");
}

/// The real Reach Python client against `rpc serve --tls --api-key`.
#[test]
fn reach_python_client_drives_rpc_serve_over_tls() {
    let server = Serve::new().tls().api_key(KEY).start();
    let (ok, out, err) = output(
        python()
            .args(["reach_client.py", "session"])
            .env("REACH_RPC_SERVER", "127.0.0.1")
            .env("REACH_RPC_PORT", server.port.to_string())
            .env("REACH_RPC_KEY", KEY)
            .env("REACH_RPC_TLS_REJECT_UNVERIFIED", "0"),
    );
    assert!(ok, "stdout: {out}\nstderr: {err}");
    let results: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("result: "))
        .collect();
    assert_eq!(
        results,
        [
            "true",
            "5",
            "0.25",
            r#"{"a": [1, "two", null]}"#,
            // 10 + 1 + 4 + 9: values.start and the getNumber answers.
            r#"{"t": "Done", "ans": 24}"#,
            "[24]",
        ],
        "stderr: {err}"
    );
}

#[test]
fn reach_python_client_with_a_wrong_key_gets_401() {
    let server = Serve::new().tls().api_key(KEY).start();
    let (ok, out, err) = output(
        python()
            .args(["reach_client.py", "wrong-key"])
            .env("REACH_RPC_SERVER", "127.0.0.1")
            .env("REACH_RPC_PORT", server.port.to_string())
            .env("REACH_RPC_KEY", "not-the-key")
            .env("REACH_RPC_TLS_REJECT_UNVERIFIED", "0"),
    );
    assert!(ok, "stdout: {out}\nstderr: {err}");
    assert!(out.contains(r#"result: {"status": 401}"#), "{out}");
}

/// The Python client verifying the certificate given with --cert (no -k anywhere).
#[test]
fn reach_python_client_verifies_a_given_certificate() {
    let files = cert_files();
    let server = Serve::new().cert(&files).api_key(KEY).start();
    let (ok, out, err) = output(
        python()
            .args(["reach_client.py", "session"])
            .env("REACH_RPC_SERVER", "localhost")
            .env("REACH_RPC_PORT", server.port.to_string())
            .env("REACH_RPC_KEY", KEY)
            // The client has no default for this one: "1" (anything but "0") means verify.
            .env("REACH_RPC_TLS_REJECT_UNVERIFIED", "1")
            .env("REQUESTS_CA_BUNDLE", &files.cert),
    );
    assert!(ok, "stdout: {out}\nstderr: {err}");
    assert!(out.contains(r#"result: {"t": "Done", "ans": 24}"#), "{out}");
    assert!(!out.contains("Warning"), "{out}");
}

/// `rpc call` completes the specification's own example session over HTTPS.
#[test]
fn reach_call_completes_the_spec_example_session() {
    let files = cert_files();
    let server = reach_spec_server(&files);
    let endpoint = format!("https://localhost:{}", server.port);
    let cacert = path_str(&files.cert);
    rpc()
        .args([
            "call",
            "-P",
            "reach",
            "--cacert",
            cacert,
            "--api-key",
            "OpenSesame",
            &endpoint,
            "/stdlib/formatCurrency",
            "\"19283.1035819471\"",
            "4",
        ])
        .assert()
        .success()
        .stdout("\"19283.1035\"\n");
    rpc()
        .env("REACH_RPC_KEY", "OpenSesame")
        .args([
            "call",
            "-v",
            "-P",
            "reach",
            "--cacert",
            cacert,
            &endpoint,
            "/backend/Alice",
            "Contract-42",
            "--value",
            "price=10",
            "--callback",
            "showX=null",
        ])
        .assert()
        .success()
        .stdout("null\n")
        .stderr(
            predicate::str::contains(
                r#"RPC /backend/Alice ["Contract-42",{"price":10},{"showX":true}] ==> {"t":"Kont","kid":"Kont-A","m":"showX","args":["19283.1035819471"]}"#,
            )
            .and(predicate::str::contains(
                r#"RPC /kont ["Kont-A",null] ==> {"t":"Done","ans":null}"#,
            )),
        );
    // A callback command's answer travels back through /kont.
    rpc()
        .env("REACH_RPC_KEY", "OpenSesame")
        .args([
            "call",
            "-P",
            "reach",
            "--cacert",
            cacert,
            &endpoint,
            "backend/Alice",
            "Contract-42",
            "--value",
            "price=10",
            "--callback",
            "showX=!cat",
        ])
        .assert()
        .success()
        .stdout("[\"19283.1035819471\"]\n");
}

#[test]
fn reach_kont_for_an_unregistered_callback_is_an_error() {
    let files = cert_files();
    let server = reach_spec_server(&files);
    rpc()
        .env("REACH_RPC_KEY", "OpenSesame")
        .args([
            "call",
            "-P",
            "reach",
            "--cacert",
            path_str(&files.cert),
            &format!("https://localhost:{}", server.port),
            "/backend/Alice",
            "Contract-42",
            "--value",
            "price=10",
            "--callback",
            "other=1",
        ])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("showX").and(predicate::str::contains("--callback")));
}

/// In the REPL, a `Kont` for a callback that was never offered is asked of the user too: here the
/// line after the call answers showX, which the spec server calls back whatever is offered.
#[test]
fn reach_repl_asks_for_a_callback_the_server_called_back_unoffered() {
    let files = cert_files();
    let server = reach_spec_server(&files);
    let out = rpc()
        .env("REACH_RPC_KEY", "OpenSesame")
        .args([
            "repl",
            "-P",
            "reach",
            "--cacert",
            path_str(&files.cert),
            &format!("https://localhost:{}", server.port),
            "--value",
            "price=10",
            "--callback",
            "other=1",
        ])
        .write_stdin("/backend/Alice Contract-42\n\"shown\"\n")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout_lines(&out.stdout), ["\"shown\""], "{stderr}");
    assert!(
        stderr.contains(r#"RPC /kont ["Kont-A","shown"] ==> {"t":"Done","ans":"shown"}"#),
        "{stderr}"
    );
}
