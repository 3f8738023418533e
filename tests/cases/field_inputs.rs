//! Inputs from public bug reports of other RPC tools, each the smallest that once failed, with
//! the right answer (issue "Inputs from the field").

use super::support::{http_answer, http_bytes, outcome, rpc, FakeServer, Serve};
use std::io::{Read, Write};

/// `rpc call ARGS` against `endpoint`: (status, stdout, stderr).
fn call(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let out = rpc().arg("call").arg(endpoint).args(args).output().unwrap();
    outcome(&out)
}

fn json_answer(body: &str) -> FakeServer {
    FakeServer::answering(http_answer(
        "200 OK",
        "Content-Type: application/json\r\n",
        body,
    ))
}

// 3. A JSON-RPC batch refused as a whole -------------------------------------------------------

#[test]
fn a_batch_over_the_servers_limit_is_its_error_exit_1() {
    let server = Serve::new().limit("--max-batch", "2").start();
    let (code, stdout, stderr) = call(
        &server.url(),
        &["add", "1", "2", "+", "add", "3", "4", "+", "add", "5", "6"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.starts_with("rpc: error -32600: "), "{stderr}");
}

#[test]
fn every_single_object_answer_to_a_batch_is_the_servers_error() {
    for (code, message) in [(-32700, "Parse error"), (-32603, "Internal error")] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","error":{{"code":{code},"message":"{message}"}},"id":null}}"#
        );
        let server = json_answer(&body);
        let (status, _, stderr) = call(&server.url(), &["a", "+", "b"]);
        assert_eq!(status, 1, "{stderr}");
        assert_eq!(stderr, format!("rpc: error {code}: {message}\n"));
    }
    // The REPL reads answers with the same rule.
    let server =
        json_answer(r#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"no"},"id":null}"#);
    let out = rpc()
        .args(["repl", &server.url(), "--fail-fast"])
        .write_stdin("a + b\n")
        .output()
        .unwrap();
    let (status, _, stderr) = outcome(&out);
    assert_eq!(status, 1);
    assert!(stderr.contains("rpc: error -32600: no"), "{stderr}");
}

// 4. JSON-RPC 1.0 answers ----------------------------------------------------------------------

#[test]
fn json_rpc_1_0_answers_are_read() {
    let server = json_answer(r#"{"result":5,"error":null,"id":1}"#);
    assert_eq!(
        call(&server.url(), &["getblockcount"]),
        (0, "5\n".into(), String::new())
    );
    let server = json_answer(
        r#"{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}"#,
    );
    let (status, stdout, stderr) = call(&server.url(), &["nope"]);
    assert_eq!((status, stdout.as_str()), (1, ""));
    assert!(
        stderr.starts_with("rpc: error -32601: Method not found"),
        "{stderr}"
    );
    // rpc bench counts such answers as successes too.
    let server = FakeServer::replying(|_| {
        let body = r#"{"result":5,"error":null,"id":1}"#;
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    });
    let out = rpc()
        .args(["bench", &server.url(), "m", "-c", "1", "-n", "1", "--json"])
        .args(["--connections", "per-call"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], 0, "{report}");
}

#[test]
fn a_2_0_answer_with_a_null_result_beside_an_error_is_that_error() {
    let body = r#"{"jsonrpc":"2.0","result":null,"error":{"code":-32000,"message":"header not found"},"id":1}"#;
    let server = json_answer(body);
    let (status, stdout, stderr) = call(&server.url(), &["eth_getBlockByNumber", "0x99"]);
    assert_eq!((status, stdout.as_str()), (1, ""), "{stderr}");
    assert!(
        stderr.starts_with("rpc: error -32000: header not found"),
        "{stderr}"
    );
    // A batch reads each entry by the same rule, and rpc bench counts it as the error it is.
    let batch = format!("[{body}]");
    let server = json_answer(&batch);
    let (status, stdout, _) = call(&server.url(), &["a", "+", "b"]);
    assert_eq!(status, 1);
    assert!(stdout.contains("\"code\":-32000"), "{stdout}");
    let server = FakeServer::replying(move |_| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    });
    let out = rpc()
        .args(["bench", &server.url(), "m", "-c", "1", "-n", "2", "--json"])
        .args(["--connections", "per-call"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["errors_by_kind"],
        serde_json::json!({"server error -32000": 2}),
        "{report}"
    );
}

// 5. XML-RPC dateTime forms --------------------------------------------------------------------

#[test]
fn xml_rpc_date_times_in_the_forms_peers_send_pass_through() {
    let answer = "<?xml version=\"1.0\"?><methodResponse><params><param><value>\
        <dateTime.iso8601>2014-11-10T23:38:51+0000</dateTime.iso8601></value></param></params>\
        </methodResponse>";
    let server = FakeServer::answering(http_answer("200 OK", "Content-Type: text/xml\r\n", answer));
    let (status, stdout, stderr) = call(&server.url(), &["-P", "xml-rpc", "now"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, "{\"$datetime\":\"2014-11-10T23:38:51+0000\"}\n");

    let rpc_serve = Serve::new().start();
    let request = "<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName><params>\
        <param><value><dateTime.iso8601>20180222T130252</dateTime.iso8601></value></param>\
        </params></methodCall>";
    let reply = http_bytes(
        rpc_serve.port,
        "POST",
        "/RPC2",
        "text/xml",
        request.as_bytes(),
    );
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .body
            .contains("<dateTime.iso8601>20180222T130252</dateTime.iso8601>"),
        "{}",
        reply.body
    );
    // What is not a date at all is still refused.
    let (status, _, stderr) = call(&rpc_serve.url(), &["echo", r#"{"$datetime":"yesterday"}"#]);
    assert_eq!(status, 2, "{stderr}");
}

// 6. A byte-order mark before the document -----------------------------------------------------

const BOM: &str = "\u{feff}";

#[test]
fn rpc_serve_reads_a_body_or_message_behind_a_byte_order_mark() {
    let server = Serve::new().start();
    let xml = format!(
        "{BOM}<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
         <param><value><int>2</int></value></param><param><value><int>3</int></value></param>\
         </params></methodCall>"
    );
    let reply = http_bytes(server.port, "POST", "/RPC2", "text/xml", xml.as_bytes());
    assert!(reply.body.contains("<int>5</int>"), "{}", reply.body);
    let json = format!(r#"{BOM}{{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}}"#);
    let reply = http_bytes(
        server.port,
        "POST",
        "/",
        "application/json",
        json.as_bytes(),
    );
    assert!(reply.body.contains(r#""result":5"#), "{}", reply.body);
    let reach = format!("{BOM}[2,3]");
    let reply = http_bytes(
        server.port,
        "POST",
        "/add",
        "application/json",
        reach.as_bytes(),
    );
    assert_eq!((reply.status, reply.body.as_str()), (200, "5"));
    // Raw-tcp: the mark comes before the first byte the server sniffs.
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    raw.write_all(format!("{BOM}[\"add\",2,3]\n").as_bytes())
        .unwrap();
    raw.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    raw.read_to_string(&mut answer).unwrap();
    assert_eq!(answer.trim(), "5");
}

#[test]
fn rpc_reads_answers_behind_a_byte_order_mark_on_every_protocol() {
    let json = FakeServer::answering(http_answer(
        "200 OK",
        "",
        &format!(r#"{BOM}{{"jsonrpc":"2.0","result":5,"id":1}}"#),
    ));
    assert_eq!(call(&json.url(), &["add"]).1, "5\n");
    let xml = FakeServer::answering(http_answer(
        "200 OK",
        "",
        &format!("{BOM}<methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>"),
    ));
    assert_eq!(call(&xml.url(), &["-P", "xml-rpc", "add"]).1, "5\n");
    let reach = FakeServer::answering(http_answer("200 OK", "", &format!("{BOM}5")));
    assert_eq!(call(&reach.url(), &["-P", "reach", "add"]).1, "5\n");
    let raw = FakeServer::answering(format!("{BOM}5\n").into_bytes());
    let tcp = raw.url().replace("http://", "tcp://");
    assert_eq!(call(&tcp, &["add"]).1, "5\n");
    // -d @FILE written by a Windows editor.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("{BOM}[2,3]")).unwrap();
    let server = Serve::new().start();
    let at_file = format!("@{}", file.path().display());
    assert_eq!(call(&server.url(), &["add", "-d", &at_file]).1, "5\n");
}

// 1. TLS: what curl trusts --------------------------------------------------------------------

/// Runs openssl with `args` in `dir`; the test fails if it does.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed by scripts/install-peers");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// The certificate the issue names, made the usual way: `openssl req -x509`, so `CA:TRUE`.
fn self_signed_the_usual_way(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
    );
}

/// A private CA (ca.pem) and a server certificate it signed (server.pem, server.key).
fn private_ca(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=rpc test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
}

#[test]
fn a_self_signed_certificate_made_the_usual_way_is_trusted_with_cacert() {
    let dir = tempfile::tempdir().unwrap();
    self_signed_the_usual_way(dir.path());
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    let server = Serve::new().pem(&cert, &key).start();
    let url = format!("https://127.0.0.1:{}/", server.port);
    let cacert = cert.to_str().unwrap();
    assert_eq!(
        call(&url, &["--cacert", cacert, "add", "2", "3"]),
        (0, "5\n".into(), String::new())
    );
    // Every command that makes TLS connections.
    let list = rpc()
        .args(["list", "--cacert", cacert, &url])
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
    let repl = rpc()
        .args(["repl", "--cacert", cacert, &url])
        .write_stdin("add 2 3\n")
        .output()
        .unwrap();
    assert_eq!(outcome(&repl).1, "5\n");
    let reach = rpc()
        .env("REACH_RPC_SERVER", "127.0.0.1")
        .env("REACH_RPC_PORT", server.port.to_string())
        .args(["call", "-P", "reach", "--cacert", cacert, "/add", "2", "3"])
        .output()
        .unwrap();
    assert_eq!(outcome(&reach).1, "5\n");
    // Without it: refused, in rpc's words, the detail at -v only.
    let (status, _, stderr) = call(&url, &["add", "2", "3"]);
    assert_eq!(status, 3);
    assert!(
        stderr.starts_with("rpc: TLS failure with 127.0.0.1:"),
        "{stderr}"
    );
    assert!(stderr.contains("--cacert"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for internal in [
        "error sending request",
        "client error",
        "Other(",
        "OtherError",
        "(os error",
    ] {
        assert!(!stderr.contains(internal), "{stderr}");
    }
    let (_, _, verbose) = call(&url, &["-v", "add", "2", "3"]);
    assert!(verbose.contains("rpc: detail: "), "{verbose}");
}

#[test]
fn a_private_ca_in_the_system_trust_store_is_trusted_without_cacert() {
    let dir = tempfile::tempdir().unwrap();
    private_ca(dir.path());
    let (cert, key) = (dir.path().join("server.pem"), dir.path().join("server.key"));
    let server = Serve::new().pem(&cert, &key).start();
    let url = format!("https://127.0.0.1:{}/", server.port);
    // SSL_CERT_FILE names the system store, as OpenSSL (and so curl and Python) read it.
    let ca = dir.path().join("ca.pem");
    let trusted = rpc()
        .env("SSL_CERT_FILE", &ca)
        .args(["call", &url, "add", "2", "3"])
        .output()
        .unwrap();
    assert_eq!(outcome(&trusted), (0, "5\n".into(), String::new()));
    // Python's ssl reads the same store the same way, and agrees.
    let python = super::support::python()
        .env("SSL_CERT_FILE", &ca)
        .args(["-c", "import sys, urllib.request; print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}')).read().decode())", &url])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&python.stdout).contains(r#""result":5"#),
        "{python:?}"
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let untrusted = rpc()
        .env("SSL_CERT_FILE", &empty)
        .env("SSL_CERT_DIR", dir.path().join("none"))
        .args(["call", &url, "add", "2", "3"])
        .output()
        .unwrap();
    assert_eq!(outcome(&untrusted).0, 3);
}

// 7. A header given with -H replaces rpc's default ---------------------------------------------

#[test]
fn a_header_given_with_h_replaces_the_default_of_that_name_everywhere() {
    for proto in ["json-rpc", "xml-rpc", "reach"] {
        let server = FakeServer::replying(|_| http_answer("500 Oops", "", ""));
        let header = "Content-Type: application/json-rpc";
        let _ = call(&server.url(), &["-P", proto, "-H", header, "add", "2", "3"]);
        let sent = String::from_utf8_lossy(&server.requests()[0]).to_lowercase();
        assert_eq!(sent.matches("content-type:").count(), 1, "{proto}: {sent}");
        assert!(
            sent.contains("content-type: application/json-rpc"),
            "{proto}: {sent}"
        );
        for preview in ["--dry-run", "--curl"] {
            let (_, text, _) = call(
                &server.url(),
                &["-P", proto, "-H", header, preview, "add", "2", "3"],
            );
            let text = text.to_lowercase();
            assert_eq!(
                text.matches("content-type:").count(),
                1,
                "{proto} {preview}: {text}"
            );
        }
    }
}

// 8. curl's basic-auth habits ------------------------------------------------------------------

fn authorization_of(server: &FakeServer) -> Option<String> {
    let sent = String::from_utf8_lossy(&server.requests()[0]).into_owned();
    sent.lines()
        .find_map(|l| l.strip_prefix("Authorization: ").map(str::to_owned))
}

fn ok_answer() -> FakeServer {
    FakeServer::replying(|_| http_answer("200 OK", "", r#"{"jsonrpc":"2.0","result":7,"id":1}"#))
}

#[test]
fn basic_auth_from_u_the_url_and_a_cookie_file() {
    // alice:secret
    let expected = Some("Basic YWxpY2U6c2VjcmV0".to_owned());
    let server = ok_answer();
    let (status, stdout, _) = call(&server.url(), &["-u", "alice:secret", "getblockcount"]);
    assert_eq!((status, stdout.as_str()), (0, "7\n"));
    assert_eq!(authorization_of(&server), expected);

    let server = ok_answer();
    let with_user = server.url().replace("http://", "http://alice:secret@");
    assert_eq!(call(&with_user, &["getblockcount"]).1, "7\n");
    assert_eq!(authorization_of(&server), expected);

    let server = ok_answer();
    let cookie = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(cookie.path(), "__cookie__:s3cr3t\n").unwrap();
    let cookie_path = cookie.path().to_str().unwrap();
    assert_eq!(
        call(
            &server.url(),
            &["--cookie-file", cookie_path, "getblockcount"]
        )
        .1,
        "7\n"
    );
    // __cookie__:s3cr3t
    assert_eq!(
        authorization_of(&server),
        Some("Basic X19jb29raWVfXzpzM2NyM3Q=".to_owned())
    );

    // -u USER with no terminal to ask at: a clear usage error, nothing sent.
    let server = ok_answer();
    let (status, _, stderr) = call(&server.url(), &["-u", "alice", "getblockcount"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("-u alice:PASSWORD"), "{stderr}");
    assert!(server.requests().is_empty());
}

#[test]
fn credentials_never_show_in_logs_errors_or_recordings_and_curl_gives_them_back_as_given() {
    let server = ok_answer();
    let with_user = server.url().replace("http://", "http://alice:secret@");
    let (_, _, log) = call(&with_user, &["-vv", "getblockcount"]);
    assert!(log.contains("> Authorization: Basic ***"), "{log}");
    assert!(
        !log.contains("secret") && !log.contains("YWxpY2U6c2VjcmV0"),
        "{log}"
    );
    let (_, _, shown) = call(&with_user, &["-vv", "--show-secrets", "getblockcount"]);
    assert!(
        shown.contains("> Authorization: Basic YWxpY2U6c2VjcmV0"),
        "{shown}"
    );
    // An error line names the server without the credentials.
    let dead = format!(
        "http://alice:secret@127.0.0.1:{}/",
        super::support::closed_port()
    );
    let (status, _, error) = call(&dead, &["getblockcount"]);
    assert_eq!(status, 3);
    assert!(!error.contains("secret"), "{error}");
    // A recording keeps the endpoint without them.
    let record = tempfile::NamedTempFile::new().unwrap();
    let repl = rpc()
        .args([
            "repl",
            &with_user,
            "--record",
            record.path().to_str().unwrap(),
        ])
        .write_stdin("getblockcount\n")
        .output()
        .unwrap();
    assert_eq!(outcome(&repl).1, "7\n");
    let recorded = std::fs::read_to_string(record.path()).unwrap();
    assert!(
        recorded.contains("getblockcount") && !recorded.contains("secret"),
        "{recorded}"
    );
    // --curl prints them as the user gave them, and the line works.
    let (_, line, _) = call(&with_user, &["--curl", "getblockcount"]);
    assert!(line.contains("http://alice:secret@127.0.0.1:"), "{line}");
    let (_, line, _) = call(
        &server.url(),
        &["-u", "alice:secret", "--curl", "getblockcount"],
    );
    assert!(line.contains("-u alice:secret "), "{line}");
    let ran = std::process::Command::new("sh")
        .arg("-c")
        .arg(line.trim())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ran.stdout).contains(r#""result":7"#),
        "{ran:?}"
    );
}

// 9. -vv is what went on the wire --------------------------------------------------------------

#[test]
fn the_wire_dump_is_the_bytes_the_server_received() {
    let server = ok_answer();
    let with_user = server.url().replace("http://", "http://alice:secret@");
    let (_, _, log) = call(
        &with_user,
        &["-vv", "--show-secrets", "-H", "X-Trace: 1", "m"],
    );
    let dumped: Vec<&str> = log.lines().filter_map(|l| l.strip_prefix("> ")).collect();
    let received = String::from_utf8_lossy(&server.requests()[0]).into_owned();
    let received: Vec<&str> = received.split("\r\n").collect();
    assert_eq!(dumped, received, "every header, in order, as sent");
    assert!(dumped
        .iter()
        .any(|l| l.starts_with("Authorization: Basic ")));
}
