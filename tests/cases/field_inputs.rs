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
