//! XML-RPC end to end, `rpc call -P xml-rpc` against `rpc serve`, and the server fed raw bodies
//! (hostile ones included) over a plain TCP socket.

use super::support::{
    cert_files, http_answer, http_bytes, https, path_str, rpc, xml_call, FakeServer, Serve,
};
use predicates::prelude::*;

/// POSTs `body` as it is and returns the answer's head (lower-cased) and body.
fn post_raw(port: u16, path: &str, body: &[u8]) -> (String, String) {
    let reply = http_bytes(port, "POST", path, "text/xml", body);
    (reply.head.to_lowercase(), reply.body)
}

/// The fault code in an XML-RPC fault document (the first `<int>` after `faultCode`).
fn fault_code(body: &str) -> i64 {
    let after = body
        .split_once("<name>faultCode</name>")
        .unwrap_or_else(|| panic!("no fault in {body}"))
        .1;
    let start = after.find("<int>").expect("an <int> fault code") + "<int>".len();
    let end = after[start..].find("</int>").unwrap() + start;
    after[start..end].parse().unwrap()
}

#[test]
fn a_call_prints_its_result() {
    let server = Serve::new().start();
    xml_call(&server.url(), &["add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    for alias in ["xml", "xmlrpc"] {
        rpc()
            .args(["call", "-P", alias, &server.url(), "mul", "6", "7"])
            .assert()
            .success()
            .stdout("42\n");
    }
}

#[test]
fn the_banner_names_the_xmlrpc_endpoint_and_https_serves_it_too() {
    let server = Serve::new().start_with_banner();
    assert!(
        server
            .extra_lines
            .contains(&format!("xml-rpc http://{}/RPC2", server.addr)),
        "{:?}",
        server.extra_lines
    );
    let certs = cert_files();
    let server = Serve::new().tls().cert(&certs).start_with_banner();
    assert!(
        server
            .extra_lines
            .contains(&format!("xml-rpc https://{}/RPC2", server.addr)),
        "{:?}",
        server.extra_lines
    );
    xml_call(
        &https(&server),
        &["--cacert", path_str(&certs.cert), "add", "2", "3"],
    )
    .assert()
    .success()
    .stdout("5\n");
}

#[test]
fn every_type_survives_an_echo_and_prints_as_tagged_json() {
    let server = Serve::new().start();
    let doc = r#"{"nil":null,"t":true,"f":false,"int":-12,"big":9007199254740993,"double":2.0,"s":"h\u00e9llo <&> \ud83d\ude00\r\n","empty":"","bytes":{"$base64":"AP9oZWxsbw=="},"when":{"$datetime":"20261121T22:41:56"},"nested":[[1,[2,[]]],{}]}"#;
    let out = xml_call(&server.url(), &["echo", doc]).assert().success();
    let printed: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("JSON on stdout");
    let sent: serde_json::Value = serde_json::from_str(doc).unwrap();
    assert_eq!(printed, sent);
    // The printed result is valid input again.
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    xml_call(&server.url(), &["echo", text.trim()])
        .assert()
        .success()
        .stdout(text);
}

#[test]
fn integers_beyond_32_bits_travel_as_i8_and_doubles_keep_their_point() {
    let server = Serve::new().start();
    xml_call(&server.url(), &["mul", "4294967296", "2"])
        .assert()
        .success()
        .stdout("8589934592\n");
    xml_call(&server.url(), &["div", "6", "3"])
        .assert()
        .success()
        .stdout("2.0\n");
    xml_call("127.0.0.1:1", &["--dry-run", "echo", "[4294967296, 2147483647, 2.0]"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<value><i8>4294967296</i8></value><value><int>2147483647</int></value><value><double>2.0</double></value>",
        ));
}

#[test]
fn an_endpoint_without_a_path_posts_to_rpc2() {
    for (endpoint, start_line) in [
        (":1", "POST /RPC2 HTTP/1.1"),
        ("127.0.0.1:1", "POST /RPC2 HTTP/1.1"),
        ("http://127.0.0.1:1", "POST /RPC2 HTTP/1.1"),
        ("http://127.0.0.1:1/", "POST / HTTP/1.1"),
        ("http://127.0.0.1:1/xmlrpc", "POST /xmlrpc HTTP/1.1"),
    ] {
        xml_call(endpoint, &["--dry-run", "info"])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(start_line));
    }
}

#[test]
fn dry_run_prints_the_request_and_sends_nothing() {
    // Port 1 has no server: a sent request would fail with exit 3.
    xml_call(
        "127.0.0.1:1",
        &["--dry-run", "-H", "X-Trace: abc", "echo", "a<b"],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("Content-Type: text/xml\r\nX-Trace: abc\r\n"))
    .stdout(predicate::str::ends_with(
        "<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName><params><param><value><string>a&lt;b</string></value></param></params></methodCall>\n",
    ));
}

#[test]
fn a_fault_exits_1_with_the_fault_line() {
    let server = Serve::new().start();
    xml_call(&server.url(), &["nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "rpc: fault -32601: Method not found: nope",
        ));
    xml_call(&server.url(), &["div", "1", "0"])
        .assert()
        .code(1)
        .stderr("rpc: fault 1000: division by zero\n");
}

#[test]
fn verbose_traces_the_calls_and_very_verbose_the_xml_bodies() {
    let server = Serve::new().start();
    xml_call(&server.url(), &["-v", "add", "2", "3"])
        .assert()
        .success()
        .stderr("RPC add [2,3]\nRPC add [2,3] ==> 5\n");
    xml_call(&server.url(), &["-vv", "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n")
        .stderr(predicate::str::contains("> POST /RPC2 HTTP/1.1"))
        .stderr(predicate::str::contains("> <?xml version=\"1.0\"?><methodCall><methodName>add</methodName>"))
        .stderr(predicate::str::contains("< content-type: text/xml"))
        .stderr(predicate::str::contains(
            "< <?xml version=\"1.0\"?><methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>",
        ))
        .stderr(predicate::str::ends_with("RPC add [2,3] ==> 5\n"));
}

#[test]
fn a_batch_goes_through_system_multicall_one_line_per_call() {
    let server = Serve::new().start();
    xml_call(
        &server.url(),
        &[
            "-v", "add", "1", "2", "+", "mul", "3", "4", "+", "div", "1", "0", "+", "info",
        ],
    )
    .assert()
    .code(1)
    .stdout(predicate::str::starts_with(
        "3\n12\n{\"error\":{\"code\":1000,\"message\":\"division by zero\"}}\n\"rpc ",
    ))
    .stderr(predicate::str::contains("RPC mul [3,4] ==> 12"))
    .stderr(predicate::str::contains(
        "rpc: call 3 (div): fault 1000: division by zero",
    ));
    xml_call("127.0.0.1:1", &["--dry-run", "add", "1", "2", "+", "info"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<methodName>system.multicall</methodName><params><param><value><array><data><value><struct><member><name>methodName</name><value><string>add</string></value></member><member><name>params</name><value><array><data><value><int>1</int></value><value><int>2</int></value></data></array></value></member></struct></value>",
        ));
    xml_call(&server.url(), &["add", "1", "2", "+", "mul", "3", "4"])
        .assert()
        .success()
        .stdout("3\n12\n");
}

#[test]
fn the_other_call_options_work() {
    let server = Serve::new().start();
    xml_call(&server.url(), &["-r", "echo", "plain text"])
        .assert()
        .success()
        .stdout("plain text\n");
    xml_call(&server.url(), &["sum", "-d", "[[1, 2, 3.5]]"])
        .assert()
        .success()
        .stdout("6.5\n");
    xml_call(&server.url(), &["-t", "0.3", "sleep", "5"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("timed out"));
    xml_call(&server.url(), &["-H", "X-Any: 1", "info"])
        .assert()
        .success();
}

#[test]
fn what_xmlrpc_cannot_say_is_a_usage_error() {
    xml_call("127.0.0.1:1", &["add", "a:=1", "b:=2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no parameters by name"));
    xml_call("127.0.0.1:1", &["--notify", "info"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no notifications"));
    xml_call("127.0.0.1:1", &["echo", "\"bell\\u0007\""])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("U+0007"));
}

#[test]
fn list_and_describe_use_system_introspection() {
    let server = Serve::new().start();
    rpc()
        .args(["list", "-P", "xml-rpc", &server.url(), "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"add\""))
        .stdout(predicate::str::contains("\"system.multicall\""));
    rpc()
        .args(["describe", "-P", "xml-rpc", &server.url(), "add"])
        .assert()
        .success()
        .stdout(
            "add(int, int) -> int\nadd(double, double) -> double\n    add(a, b): the sum a + b\n",
        );
    rpc()
        .args(["describe", "-P", "xml-rpc", &server.url(), "nope"])
        .assert()
        .code(1);
}

#[test]
fn the_server_answers_on_root_and_rpc2_with_200_text_xml_even_for_faults() {
    let server = Serve::new().start();
    xml_call(&format!("{}/", server.url()), &["add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
    for path in ["/", "/RPC2"] {
        let (head, body) = post_raw(
            server.port,
            path,
            b"<?xml version=\"1.0\"?><methodCall><methodName>nope</methodName></methodCall>",
        );
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("content-type: text/xml"), "{head}");
        assert_eq!(fault_code(&body), -32601, "{body}");
    }
}

#[test]
fn the_server_reads_what_other_writers_write() {
    let server = Serve::new().start();
    // Python's layout: newlines everywhere, <nil/>, base64 across lines, untyped strings, i4.
    let body = "<?xml version='1.0'?>\n<!-- hello -->\n<methodCall>\n<methodName>echo</methodName>\n<params>\n<param>\n<value><struct>\n<member>\n<value><nil/></value><name>n</name>\n</member>\n<member><name>b</name>\n<value><base64>\naGVs\nbG8=\n</base64></value></member>\n<member><name>s</name><value>  untyped </value></member>\n<member><name>i</name><value><i4>-7</i4></value></member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n";
    let (_, answer) = post_raw(server.port, "/RPC2", body.as_bytes());
    assert_eq!(
        answer,
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>n</name><value><nil></nil></value></member><member><name>b</name><value><base64>aGVsbG8=</base64></value></member><member><name>s</name><value><string>  untyped </string></value></member><member><name>i</name><value><int>-7</int></value></member></struct></value></param></params></methodResponse>"
    );
}

#[test]
fn the_server_refuses_hostile_bodies_with_faults() {
    let server = Serve::new()
        .limit("--max-depth", "4")
        .limit("--max-body", "4096")
        .limit("--max-batch", "2")
        .start();
    let value = |xml: &str| {
        format!("<methodCall><methodName>echo</methodName><params><param>{xml}</param></params></methodCall>")
    };
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lollollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><methodCall><methodName>echo</methodName><params><param><value>&b;</value></param></params></methodCall>"#;
    let deep = value(&format!(
        "{}<value>1</value>{}",
        "<value><array><data>".repeat(5),
        "</data></array></value>".repeat(5)
    ));
    let multicall = |n: usize| {
        let entry = "<value><struct><member><name>methodName</name><value>info</value></member></struct></value>";
        format!("<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>{}</data></array></value></param></params></methodCall>", entry.repeat(n))
    };
    let cases: Vec<(String, i64, &str)> = vec![
        (laughs.to_owned(), -32600, "DOCTYPE"),
        (
            "<methodCall><methodName>x</methodName>".to_owned(),
            -32700,
            "not well-formed",
        ),
        (
            "<methodCall><methodName>x</methodName></methodResponse>".to_owned(),
            -32700,
            "not well-formed",
        ),
        (
            "<methodCall><methodName>&xxe;</methodName></methodCall>".to_owned(),
            -32700,
            "not well-formed",
        ),
        (
            "<methodResponse><params/></methodResponse>".to_owned(),
            -32600,
            "not XML-RPC",
        ),
        (deep, -32600, "deeper than 4"),
        (
            value("<value><int>2147483648</int></value>"),
            -32602,
            "out of the 32-bit range",
        ),
        (
            value("<value><double>NaN</double></value>"),
            -32602,
            "not a finite",
        ),
        (
            value("<value><double>1e400</double></value>"),
            -32602,
            "out of range",
        ),
        (
            value("<value><base64>!!</base64></value>"),
            -32602,
            "base64",
        ),
        (
            value("<value><dateTime.iso8601>tomorrow</dateTime.iso8601></value>"),
            -32602,
            "dateTime",
        ),
        (
            value("<value><boolean>yes</boolean></value>"),
            -32602,
            "boolean",
        ),
        (multicall(3), -32600, "--max-batch"),
    ];
    for (body, code, words) in cases {
        let (head, answer) = post_raw(server.port, "/RPC2", body.as_bytes());
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert_eq!(fault_code(&answer), code, "{body}\n{answer}");
        assert!(answer.contains(words), "{body}\n{answer}");
        assert!(
            !answer.contains("lollol"),
            "an entity was expanded: {answer}"
        );
    }
    let (head, answer) = post_raw(server.port, "/RPC2", multicall(2).as_bytes());
    assert!(
        head.starts_with("http/1.1 200")
            && answer.contains("<array><data><value><array><data><value><string>rpc "),
        "{answer}"
    );
    let (head, _) = post_raw(
        server.port,
        "/RPC2",
        value(&format!("<value>{}</value>", "x".repeat(5000))).as_bytes(),
    );
    assert!(head.starts_with("http/1.1 413"), "{head}");
}

/// A fake HTTP server that answers any request with `status` and `body`, for invalid answers.
fn answering(status: &str, body: &str) -> FakeServer {
    FakeServer::answering(http_answer(status, "", body))
}

#[test]
fn answers_that_are_not_xmlrpc_exit_4_and_http_errors_exit_1() {
    let fake = answering("200 OK", "hello");
    xml_call(&format!(":{}", fake.port), &["info"])
        .assert()
        .code(4)
        .stderr(predicate::str::starts_with("rpc: invalid answer: "));
    let fake = answering(
        "200 OK",
        "<methodResponse><params></params></methodResponse>",
    );
    xml_call(&format!(":{}", fake.port), &["info"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("exactly one <param>"));
    let fake = answering("500 Internal Server Error", "oops");
    xml_call(&format!(":{}", fake.port), &["info"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("HTTP 500"));
}
