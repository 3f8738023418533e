//! The hostile-input catalogue of docs/security.md: one table row per hostile or broken input, on
//! every protocol and on HTTP itself, each with the exact refusal it must get, and after each row a
//! normal call that must still answer. Then the connection limits, the load test and the memory
//! bound.

use super::support::{https, post_json, rpc, Serve, Spawned};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// How a hostile input travels.
enum Wire {
    /// Bytes written as they are to a fresh connection, which the server is expected to close
    /// (every HTTP row says `Connection: close` or breaks the framing).
    Http(Vec<u8>),
    /// Raw-tcp bytes; the client then closes its sending side, as a finished client would.
    Tcp(Vec<u8>),
}

/// One row of the catalogue.
struct Case {
    name: &'static str,
    wire: Wire,
    /// Fragments the answer must contain, in any order; empty means "closed without an answer".
    expect: &'static [&'static str],
}

/// The server every row is sent to: limits small enough to reach, large enough to let the deep
/// documents through to the codecs' own checks.
fn limited_server() -> Spawned {
    Serve::new()
        .limit("--max-body", "2000000")
        .limit("--body-timeout", "1")
        .limit("--max-batch", "10")
        .start()
}

fn post(path: &str, content_type: &str, extra: &str, body: &[u8]) -> Wire {
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    Wire::Http(raw)
}

fn json_rpc(body: &[u8]) -> Wire {
    post("/", "application/json", "", body)
}

/// A JSON-RPC call of `method` with `params` (raw JSON bytes), id 1.
fn json_call(method: &str, params: &[u8]) -> Wire {
    let mut body = format!(r#"{{"jsonrpc":"2.0","method":"{method}","params":"#).into_bytes();
    body.extend_from_slice(params);
    body.extend_from_slice(br#","id":1}"#);
    json_rpc(&body)
}

fn xml_rpc(body: &[u8]) -> Wire {
    post("/RPC2", "text/xml", "", body)
}

/// An XML-RPC call of `echo` with one `<value>` holding `value` (raw XML bytes).
fn xml_echo(value: &[u8]) -> Wire {
    let mut body =
        b"<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName><params><param><value>"
            .to_vec();
    body.extend_from_slice(value);
    body.extend_from_slice(b"</value></param></params></methodCall>");
    xml_rpc(&body)
}

fn reach(path: &str, body: &[u8]) -> Wire {
    post(path, "application/json", "", body)
}

fn raw(head: &str, body: &[u8]) -> Wire {
    let mut bytes = head.as_bytes().to_vec();
    bytes.extend_from_slice(body);
    Wire::Http(bytes)
}

fn tcp(bytes: &[u8]) -> Wire {
    Wire::Tcp(bytes.to_vec())
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<methodCall><methodName>echo</methodName><params><param><value><string>&lol3;</string></value></param></params></methodCall>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>echo</methodName><params><param><value><string>&e;</string></value></param></params></methodCall>"#;

fn multicall_of(n: usize) -> Vec<u8> {
    let one = "<value><struct><member><name>methodName</name><value><string>info</string></value></member>\
               <member><name>params</name><value><array><data></data></array></value></member></struct></value>";
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>system.multicall</methodName><params><param>\
         <value><array><data>{}</data></array></value></param></params></methodCall>",
        one.repeat(n)
    )
    .into_bytes()
}

fn batch_of(n: usize) -> Vec<u8> {
    let one = r#"{"jsonrpc":"2.0","method":"info","id":1}"#;
    format!("[{}]", vec![one; n].join(",")).into_bytes()
}

/// A chunked body of `chunks` chunks of 1 MiB each.
fn chunked_megabytes(chunks: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for _ in 0..chunks {
        body.extend_from_slice(b"100000\r\n");
        body.extend(std::iter::repeat_n(b' ', 0x10_0000));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

fn catalogue() -> Vec<Case> {
    let deep_json = "[".repeat(1_000_000);
    let deep_objects = r#"{"a":"#.repeat(200_000);
    let deep_xml = "<array><data><value>".repeat(50_000);
    let long_string = format!(r#"["echo","{}"]"#, "a".repeat(1_100_000));
    let big_header = format!("X-Big: {}\r\n", "a".repeat(600_000));
    let many_headers: String = (0..500).map(|i| format!("X-{i}: 1\r\n")).collect();
    vec![
        // HTTP framing and limits.
        Case {
            name: "declared body over --max-body",
            wire: raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n", b"[1"),
            expect: &["HTTP/1.1 413", "-32000", "--max-body"],
        },
        Case {
            name: "chunked body growing over --max-body",
            wire: raw(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                &chunked_megabytes(3),
            ),
            expect: &["HTTP/1.1 413", "-32000", "--max-body"],
        },
        Case {
            name: "Content-Length longer than the body",
            wire: raw(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
                br#"{"jsonrpc":"2.0","method":"info","id":1}"#,
            ),
            expect: &["HTTP/1.1 408", "-32000", "--body-timeout"],
        },
        Case {
            name: "both Content-Length and Transfer-Encoding",
            wire: raw(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"[]",
            ),
            expect: &["HTTP/1.1 400", "-32600", "could not read the request body"],
        },
        Case {
            name: "two different Content-Lengths",
            wire: raw(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
                b"[] ",
            ),
            expect: &["HTTP/1.1 400"],
        },
        Case {
            name: "Content-Length not a number",
            wire: raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", b"[]"),
            expect: &["HTTP/1.1 400"],
        },
        Case {
            name: "negative Content-Length",
            wire: raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", b"[]"),
            expect: &["HTTP/1.1 400"],
        },
        Case {
            name: "chunk size that is not hexadecimal",
            wire: raw(
                "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"zz\r\n[]\r\n0\r\n\r\n",
            ),
            expect: &["HTTP/1.1 400", "-32600", "could not read the request body"],
        },
        Case {
            name: "gzip Content-Encoding (a possible decompression bomb)",
            wire: post("/", "application/json", "Content-Encoding: gzip\r\n", b"\x1f\x8b"),
            expect: &["HTTP/1.1 415", "accept-encoding: identity", "Content-Encoding gzip"],
        },
        Case {
            name: "identity then br Content-Encoding",
            wire: post("/", "application/json", "Content-Encoding: identity, br\r\n", b"[]"),
            expect: &["HTTP/1.1 415", "-32600", "Content-Encoding br"],
        },
        Case {
            name: "gzip transfer coding",
            wire: raw(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                b"2\r\n[]\r\n0\r\n\r\n",
            ),
            expect: &["HTTP/1.1 501", "-32600", "Transfer-Encoding gzip"],
        },
        Case {
            name: "600 kB header",
            wire: raw(&format!("POST / HTTP/1.1\r\nHost: x\r\n{big_header}\r\n"), b""),
            expect: &["HTTP/1.1 431"],
        },
        Case {
            name: "500 headers",
            wire: raw(&format!("POST / HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n"), b""),
            expect: &["HTTP/1.1 431"],
        },
        Case {
            name: "garbage request line",
            wire: raw("HELLO THERE\r\n\r\n", b""),
            expect: &["HTTP/1.1 400"],
        },
        Case {
            name: "NUL byte in the path",
            wire: raw("POST /a\0b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n", b"[]"),
            expect: &["HTTP/1.1 400"],
        },
        Case {
            // The port speaks HTTP/2 too (gRPC): the server's SETTINGS frame (type 4 on stream 0)
            // answers the preface, and the connection ends with the client's.
            name: "HTTP/2 preface and then nothing",
            wire: raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b""),
            expect: &["\u{4}\0\0\0\0\0"],
        },
        Case {
            name: "GET on the RPC path",
            wire: raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b""),
            expect: &["HTTP/1.1 405", "allow: POST", "-32600"],
        },
        Case {
            name: "a TLS handshake on a server without --tls",
            wire: raw("\x16\x03\x01\x00\x05hello", b""),
            expect: &[],
        },
        // JSON-RPC.
        Case {
            name: "JSON-RPC: unfinished JSON",
            wire: json_rpc(b"{"),
            expect: &["HTTP/1.1 200", "-32700", "Parse error"],
        },
        Case {
            name: "JSON-RPC: empty body",
            wire: json_rpc(b""),
            expect: &["-32700", "Parse error"],
        },
        Case {
            name: "JSON-RPC: 1,000,000 nested arrays",
            wire: json_rpc(deep_json.as_bytes()),
            expect: &["-32600", "nested deeper than 64 levels"],
        },
        Case {
            name: "JSON-RPC: 200,000 nested objects",
            wire: json_rpc(deep_objects.as_bytes()),
            expect: &["-32600", "nested deeper than 64 levels"],
        },
        Case {
            name: "JSON-RPC: empty batch",
            wire: json_rpc(b"[]"),
            expect: &["-32600", "empty batch"],
        },
        Case {
            name: "JSON-RPC: batch over --max-batch",
            wire: json_rpc(&batch_of(11)),
            expect: &["-32600", "batch of 11 calls exceeds the limit of 10 (--max-batch)"],
        },
        Case {
            name: "JSON-RPC: batch of non-objects",
            wire: json_rpc(b"[1,2]"),
            expect: &["[{", "-32600", "not an object"],
        },
        Case {
            name: "JSON-RPC: invalid UTF-8 in a string",
            wire: json_call("echo", b"[\"\xff\xfe\"]"),
            expect: &["-32700", "invalid unicode"],
        },
        Case {
            name: "JSON-RPC: lone surrogate escape",
            wire: json_call("echo", br#"["\ud800"]"#),
            expect: &["-32700", "Parse error"],
        },
        Case {
            name: "JSON-RPC: 1e400",
            wire: json_call("add", b"[1e400, 1]"),
            expect: &["-32700", "number out of range"],
        },
        Case {
            name: "JSON-RPC: integer beyond 64 bits",
            wire: json_call("add", b"[1180591620717411303424, 1]"),
            expect: &["-32602", "integer 1180591620717411303424 is out of the 64-bit range"],
        },
        Case {
            name: "JSON-RPC: an integer between i64 and u64 is kept exactly",
            wire: json_call("echo", b"[18446744073709551615]"),
            expect: &["\"result\":18446744073709551615"],
        },
        Case {
            name: "JSON-RPC: method not a string",
            wire: json_rpc(br#"{"jsonrpc":"2.0","method":5,"id":1}"#),
            expect: &["-32600", r#"\"method\" must be a string"#],
        },
        Case {
            name: "JSON-RPC: version 1.0",
            wire: json_rpc(br#"{"jsonrpc":"1.0","method":"info","id":1}"#),
            expect: &["-32600", r#"\"jsonrpc\" must be \"2.0\""#],
        },
        Case {
            name: "JSON-RPC: params a string",
            wire: json_rpc(br#"{"jsonrpc":"2.0","method":"info","params":"x","id":1}"#),
            expect: &["-32600", "must be an array or an object"],
        },
        Case {
            name: "JSON-RPC: id an object",
            wire: json_rpc(br#"{"jsonrpc":"2.0","method":"info","id":{}}"#),
            expect: &["-32600", r#"\"id\" must be a string, a number or null"#],
        },
        Case {
            name: "JSON-RPC: unknown method",
            wire: json_call("nope", b"[]"),
            expect: &["-32601", "Method not found: nope"],
        },
        Case {
            name: "JSON-RPC: add of two strings",
            wire: json_call("add", br#"["a","b"]"#),
            expect: &["-32602", "a must be a number"],
        },
        Case {
            name: "JSON-RPC: sleep for a billion seconds",
            wire: json_call("sleep", b"[1000000000]"),
            expect: &["-32602", "--max-sleep"],
        },
        Case {
            name: "JSON-RPC: sleep for negative seconds",
            wire: json_call("sleep", b"[-1]"),
            expect: &["-32602", "--max-sleep"],
        },
        Case {
            name: "JSON-RPC: add that overflows 64 bits",
            wire: json_call("add", b"[9223372036854775807, 1]"),
            expect: &["1001", "integer overflow"],
        },
        Case {
            name: "JSON-RPC: sum that overflows 64 bits",
            wire: json_call("sum", b"[[9223372036854775807, 9223372036854775807]]"),
            expect: &["1001", "integer overflow"],
        },
        Case {
            name: "JSON-RPC: mul whose result is infinite",
            wire: json_call("mul", b"[1e308, 10]"),
            expect: &["1002", "not a finite number"],
        },
        Case {
            name: "JSON-RPC: division by zero",
            wire: json_call("div", b"[1, 0]"),
            expect: &["1000", "division by zero"],
        },
        Case {
            name: "JSON-RPC: invalid $base64",
            wire: json_call("echo", br#"[{"$base64":"!!!"}]"#),
            expect: &["-32602", "invalid $base64 value"],
        },
        Case {
            name: "JSON-RPC: invalid $datetime",
            wire: json_call("echo", br#"[{"$datetime":"yesterday"}]"#),
            expect: &["-32602", "invalid $datetime value"],
        },
        // XML-RPC.
        Case {
            name: "XML-RPC: billion laughs",
            wire: xml_rpc(BILLION_LAUGHS.as_bytes()),
            expect: &["<fault>", "<int>-32600</int>", "DOCTYPE"],
        },
        Case {
            name: "XML-RPC: external entity",
            wire: xml_rpc(EXTERNAL_ENTITY.as_bytes()),
            expect: &["<fault>", "<int>-32600</int>", "DOCTYPE"],
        },
        Case {
            name: "XML-RPC: 50,000 nested arrays",
            wire: xml_echo(deep_xml.as_bytes()),
            expect: &["<fault>", "deeper than 64"],
        },
        Case {
            name: "XML-RPC: <int> beyond 32 bits",
            wire: xml_echo(b"<int>1099511627776</int>"),
            expect: &["<int>-32602</int>", "out of the 32-bit range"],
        },
        Case {
            name: "XML-RPC: <i8> beyond 64 bits",
            wire: xml_echo(b"<i8>1180591620717411303424</i8>"),
            expect: &["<int>-32602</int>", "out of the 64-bit range"],
        },
        Case {
            name: "XML-RPC: invalid base64",
            wire: xml_echo(b"<base64>!!!not base64</base64>"),
            expect: &["<int>-32602</int>", "invalid $base64 value"],
        },
        Case {
            name: "XML-RPC: invalid dateTime",
            wire: xml_echo(b"<dateTime.iso8601>yesterday</dateTime.iso8601>"),
            expect: &["<int>-32602</int>", "invalid $datetime value"],
        },
        Case {
            name: "XML-RPC: <double> nan",
            wire: xml_echo(b"<double>nan</double>"),
            expect: &["<int>-32602</int>", "not a finite decimal number"],
        },
        Case {
            name: "XML-RPC: <double> 1e400",
            wire: xml_echo(b"<double>1e400</double>"),
            expect: &["<int>-32602</int>", "out of range"],
        },
        Case {
            name: "XML-RPC: <boolean> 2",
            wire: xml_echo(b"<boolean>2</boolean>"),
            expect: &["<int>-32602</int>", "must be 0 or 1"],
        },
        Case {
            name: "XML-RPC: document cut short",
            wire: xml_rpc(b"<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName><params>"),
            expect: &["<int>-32700</int>", "not well-formed XML"],
        },
        Case {
            name: "XML-RPC: no methodName",
            wire: xml_rpc(b"<?xml version=\"1.0\"?><methodCall><params></params></methodCall>"),
            expect: &["<int>-32600</int>", "expected &lt;methodName&gt;"],
        },
        Case {
            name: "XML-RPC: invalid UTF-8",
            wire: xml_echo(b"<string>\xff\xfe</string>"),
            expect: &["<int>-32700</int>", "UTF-8"],
        },
        Case {
            name: "XML-RPC: unknown value type",
            wire: xml_echo(b"<float>1</float>"),
            expect: &["<int>-32600</int>", "unknown value type &lt;float&gt;"],
        },
        Case {
            name: "XML-RPC: struct member without a name",
            wire: xml_echo(b"<struct><member><value><int>1</int></value></member></struct>"),
            expect: &["<int>-32600</int>", "needs one &lt;name&gt;"],
        },
        Case {
            name: "XML-RPC: multicall over --max-batch",
            wire: xml_rpc(&multicall_of(200)),
            expect: &["<int>-32600</int>", "200 calls exceeds the limit of 10"],
        },
        // Reach.
        Case {
            name: "Reach: arguments not an array",
            wire: reach("/add", br#"{"a":1}"#),
            expect: &["HTTP/1.1 400", "-32600", "JSON array of arguments"],
        },
        Case {
            name: "Reach: 1,000,000 nested arrays",
            wire: reach("/echo", deep_json.as_bytes()),
            expect: &["HTTP/1.1 400", "-32600", "--max-depth"],
        },
        Case {
            name: "Reach: unfinished JSON",
            wire: reach("/add", b"[1,"),
            expect: &["HTTP/1.1 400", "-32700", "Parse error"],
        },
        Case {
            name: "Reach: /kont with an unknown handle",
            wire: reach("/kont", br#"["nokid", 1]"#),
            expect: &["HTTP/1.1 404", "-32602", "unknown or expired continuation"],
        },
        Case {
            name: "Reach: /kont without a handle",
            wire: reach("/kont", b"[1]"),
            expect: &["HTTP/1.1 400", "-32602", "/kont takes [kid, answer]"],
        },
        Case {
            name: "Reach: mul that overflows",
            wire: reach("/mul", b"[9223372036854775807, 2]"),
            expect: &["HTTP/1.1 400", "1001", "integer overflow"],
        },
        Case {
            name: "Reach: integer beyond 64 bits",
            wire: reach("/echo", b"[1180591620717411303424]"),
            expect: &["-32602", "out of the 64-bit range"],
        },
        // Raw-tcp.
        Case {
            name: "raw-tcp: 300,000 nested arrays, closed",
            wire: tcp(format!("{}{}", "[".repeat(300_000), "]".repeat(300_000)).as_bytes()),
            expect: &["-32600", "nested deeper than 64 levels", "--max-depth"],
        },
        Case {
            name: "raw-tcp: 1,000,000 unclosed arrays",
            wire: tcp(deep_json.as_bytes()),
            expect: &["-32700", "closed in the middle of a JSON value"],
        },
        Case {
            name: "raw-tcp: request over --max-message",
            wire: tcp(long_string.as_bytes()),
            expect: &["-32000", "--max-message"],
        },
        Case {
            name: "raw-tcp: connection closed mid-request",
            wire: tcp(br#"["add",1,2"#),
            expect: &["-32700", "closed in the middle of a JSON value"],
        },
        Case {
            name: "raw-tcp: method not a string",
            wire: tcp(b"[1,2]\n"),
            expect: &["-32600", "expected a JSON array [\\\"method\\\""],
        },
        Case {
            name: "raw-tcp: empty array",
            wire: tcp(b"[]\n"),
            expect: &["-32600", "Invalid request"],
        },
        Case {
            name: "raw-tcp: 1e400",
            wire: tcp(b"[\"add\",1e400,1]\n"),
            expect: &["-32700", "number out of range"],
        },
        Case {
            name: "raw-tcp: integer beyond 64 bits",
            wire: tcp(b"[\"add\",99999999999999999999999,1]\n"),
            expect: &["-32602", "out of the 64-bit range"],
        },
        Case {
            name: "raw-tcp: invalid UTF-8",
            wire: tcp(b"[\"echo\",\"\xff\"]\n"),
            expect: &["-32700", "invalid unicode"],
        },
        Case {
            name: "raw-tcp: garbage after a good request",
            wire: tcp(b"[\"add\",1,2]\n}}}"),
            expect: &["3\n", "-32700", "Parse error"],
        },
    ]
}

/// Sends one row's bytes on a fresh connection and returns everything the server wrote before it
/// closed (or before a generous deadline). Writing runs on its own thread, so an answer the server
/// sends before it has read everything is read at once, not lost to a reset.
fn exchange(port: u16, wire: &Wire) -> String {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let (bytes, half_close) = match wire {
        Wire::Http(bytes) => (bytes.clone(), false),
        Wire::Tcp(bytes) => (bytes.clone(), true),
    };
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        // The server may close before reading everything; that is its right.
        if writer.write_all(&bytes).is_ok() && half_close {
            let _ = writer.shutdown(Shutdown::Write);
        }
    });
    let mut answer = Vec::new();
    let mut reader = stream;
    let mut chunk = [0u8; 65536];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
    }
    let _ = reader.shutdown(Shutdown::Both);
    let _ = sending.join();
    String::from_utf8_lossy(&answer).into_owned()
}

/// A normal call on HTTP and on raw-tcp: the server is still up and answering.
fn assert_still_answers(server: &Spawned, after: &str) {
    let (status, answer) = post_json(
        server.port,
        r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":7}"#,
    );
    assert_eq!(
        (status, &answer["result"]),
        (200, &serde_json::json!(5)),
        "after {after}"
    );
    let reply = exchange(server.port, &tcp(br#"["add",2,3]"#));
    assert_eq!(reply, "5\n", "raw-tcp after {after}");
}

#[test]
fn every_hostile_input_gets_its_exact_refusal_and_the_server_goes_on() {
    let server = limited_server();
    let cases = catalogue();
    assert!(cases.len() >= 40, "the catalogue has {} rows", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let answer = exchange(server.port, &case.wire);
        let missing: Vec<_> = case
            .expect
            .iter()
            .filter(|fragment| !answer.contains(**fragment))
            .collect();
        if !missing.is_empty() || (case.expect.is_empty() && !answer.is_empty()) {
            let shown: String = answer.chars().take(400).collect();
            failures.push(format!("{}: missing {missing:?} in {shown:?}", case.name));
        }
        assert_still_answers(&server, case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_rss_below(&server, 64);
}

/// The server's resident memory, from /proc, is under `mib` MiB.
fn assert_rss_below(server: &Spawned, mib: u64) {
    let kib = server.rss_kib();
    assert!(kib < mib * 1024, "server RSS is {kib} KiB, over {mib} MiB");
}

/// Opens `n` connections that each send `prefix` and then nothing.
fn half_open(port: u16, n: usize, prefix: &[u8]) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream.write_all(prefix).expect("write");
            stream
        })
        .collect()
}

#[test]
fn hundreds_of_half_open_connections_do_not_delay_a_normal_call() {
    // Three times more stuck connections than slots: the newest shed the oldest, and so does the
    // normal call.
    let server = Serve::new()
        .limit("--header-timeout", "5")
        .limit("--max-connections", "100")
        .start();
    let mut stuck = half_open(server.port, 100, b"");
    stuck.extend(half_open(
        server.port,
        100,
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-",
    ));
    stuck.extend(half_open(server.port, 100, br#"["add", 1, "#));
    let start = Instant::now();
    rpc()
        .args(["call", &server.url(), "add", "2", "3", "-t", "10"])
        .assert()
        .success()
        .stdout("5\n");
    rpc()
        .args(["call", &server.tcp_url()])
        .args(["add", "2", "3", "-t", "10"])
        .assert()
        .success()
        .stdout("5\n");
    // Both calls answered before the stuck connections' own header timeout let any of them go.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "calls took {:?} beside 300 stuck connections",
        start.elapsed()
    );
    // The silent and the half-sent HTTP connections are closed once --header-timeout passes.
    for stream in &mut stuck[..200] {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
    }
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_full_server_sheds_its_oldest_silent_connection_to_answer_a_real_call() {
    let server = Serve::new()
        .limit("--max-connections", "20")
        .limit("--header-timeout", "60")
        .start();
    let mut stuck = half_open(server.port, 20, b"");
    let answer = exchange(
        server.port,
        &json_rpc(br#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#),
    );
    assert!(answer.contains(r#""result":5"#), "{answer:?}");
    // The oldest silent connection made room: the server closed it, long before its header timeout.
    let oldest = &mut stuck[0];
    oldest
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut sink = Vec::new();
    assert!(oldest.read_to_end(&mut sink).is_ok() && sink.is_empty());
    // The youngest is still open: reading it times out rather than seeing the end.
    let youngest = &mut stuck[19];
    youngest
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(youngest.read(&mut [0u8; 16]).is_err());
}

/// `n` raw-tcp connections that have each had one call answered, and stay open.
fn proven(port: u16, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream.write_all(br#"["add",1,2]"#).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            let mut answer = [0u8; 2];
            stream.read_exact(&mut answer).unwrap();
            assert_eq!(&answer, b"3\n");
            stream
        })
        .collect()
}

#[test]
fn a_server_full_of_proven_connections_answers_503_then_recovers() {
    let server = Serve::new().limit("--max-connections", "5").start();
    let busy = proven(server.port, 5);
    let answer = exchange(
        server.port,
        &json_rpc(br#"{"jsonrpc":"2.0","method":"info","id":1}"#),
    );
    for fragment in [
        "HTTP/1.1 503",
        "retry-after: 1",
        "-32000",
        "--max-connections",
    ] {
        assert!(answer.contains(fragment), "{fragment} not in {answer:?}");
    }
    drop(busy);
    // The slots free as the server notices the closed connections.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = exchange(
            server.port,
            &json_rpc(br#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#),
        );
        if answer.contains(r#""result":5"#) {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {answer:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_idle_timeout() {
    let server = Serve::new().limit("--idle-timeout", "1").start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.contains(r#""result":5"#), "{answer}");
    assert!(!answer.contains("onnection: close"), "{answer}");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_secs(10),
        "closed after {waited:?}"
    );
}

#[test]
fn limits_are_checked_at_start() {
    for (flag, value) in [
        ("--body-timeout", "0"),
        ("--header-timeout=-1", ""),
        ("--idle-timeout", "NaN"),
        ("--max-connections", "0"),
    ] {
        let args = [flag, value].into_iter().filter(|a| !a.is_empty());
        let name = flag.split('=').next().unwrap_or(flag);
        Serve::new()
            .args(args)
            .command()
            .assert()
            .code(2)
            .stderr(predicates::str::contains(name));
    }
}

#[test]
fn a_broken_or_stalled_tls_handshake_closes_and_https_goes_on() {
    let server = Serve::new().tls().limit("--header-timeout", "2").start();
    // A record header announcing a ClientHello, then garbage: the handshake fails at once.
    let answer = exchange(
        server.port,
        &raw("\x16\x03\x01\x00\x10not a hello at all", b""),
    );
    assert!(answer.is_empty(), "{answer:?}");
    // Half a record, then silence: closed once --header-timeout passes.
    let start = Instant::now();
    let answer = exchange(server.port, &raw("\x16\x03\x01\x02\x00", b""));
    assert!(answer.is_empty(), "{answer:?}");
    assert!(start.elapsed() < Duration::from_secs(15));
    rpc()
        .args(["call", "-k", "-t", "10"])
        .args([&https(&server), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
}

// HTTP/2 (gRPC) --------------------------------------------------------------------------------

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// One HTTP/2 frame: 24-bit length, type, flags, 31-bit stream id, payload (RFC 9113 §4.1).
fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut frame = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    frame.extend_from_slice(&stream.to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// An HPACK integer with an `n`-bit prefix (RFC 7541 §5.1).
fn hpack_int(mut value: usize, n: u32, first: u8) -> Vec<u8> {
    let max = (1usize << n) - 1;
    if value < max {
        return vec![first | value as u8];
    }
    let mut out = vec![first | max as u8];
    value -= max;
    while value >= 128 {
        out.push((value % 128) as u8 | 0x80);
        value /= 128;
    }
    out.push(value as u8);
    out
}

/// The header block of a gRPC call to `path`, every field a literal without indexing.
fn grpc_header_block(path: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut block = Vec::new();
    let fields = [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", path),
        (":authority", "127.0.0.1"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
    ];
    for (name, value) in fields.iter().chain(extra) {
        block.push(0x00);
        block.extend(hpack_int(name.len(), 7, 0));
        block.extend_from_slice(name.as_bytes());
        block.extend(hpack_int(value.len(), 7, 0));
        block.extend_from_slice(value.as_bytes());
    }
    block
}

/// The preface and an empty SETTINGS frame: a client's opening.
fn h2_opening() -> Vec<u8> {
    let mut bytes = H2_PREFACE.to_vec();
    bytes.extend(h2_frame(0x4, 0, 0, &[]));
    bytes
}

/// HEADERS (END_HEADERS) for a call on `stream`.
fn h2_call(stream: u32, path: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    h2_frame(0x1, 0x4, stream, &grpc_header_block(path, extra))
}

/// Whether the server's bytes hold a GOAWAY frame (type 7) after its SETTINGS.
fn has_goaway(answer: &[u8]) -> bool {
    let mut at = 0;
    while at + 9 <= answer.len() {
        let len = (usize::from(answer[at]) << 16)
            | (usize::from(answer[at + 1]) << 8)
            | usize::from(answer[at + 2]);
        if answer[at + 3] == 0x7 {
            return true;
        }
        at += 9 + len;
    }
    false
}

/// Sends `bytes` on a fresh connection, then reads what the server writes until it closes (or
/// 10 s pass), without closing our side first.
fn h2_exchange(port: u16, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let mut chunk = [0u8; 65536];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    answer
}

#[test]
fn hostile_http2_input_is_refused_and_the_server_goes_on() {
    let server = Serve::new().limit("--max-body", "4096").start();
    // A bad preface: closed.
    let bad = h2_exchange(server.port, b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
    assert!(bad.len() < 200, "{bad:?}");
    assert_still_answers(&server, "a bad HTTP/2 preface");
    // A reset flood (CVE-2023-44487): streams opened and cancelled at once; GOAWAY.
    let mut flood = h2_opening();
    for i in 0..1000u32 {
        let id = 2 * i + 1;
        flood.extend(h2_call(id, "/rpc.math.Math/Sleep", &[]));
        flood.extend(h2_frame(0x3, 0, id, &8u32.to_be_bytes()));
    }
    assert!(
        has_goaway(&h2_exchange(server.port, &flood)),
        "a reset flood ends in GOAWAY"
    );
    assert_still_answers(&server, "a reset flood");
    // A header list over --max-header-list.
    let mut big = h2_opening();
    big.extend(h2_call(
        1,
        "/rpc.math.Math/Info",
        &[("x-big", &"a".repeat(40_000))],
    ));
    let _ = h2_exchange(server.port, &big);
    assert_still_answers(&server, "a header list over the limit");
    // A frame whose length lies (16 MiB announced, beyond the 16 KiB frame size).
    let mut lying = h2_opening();
    lying.extend(h2_call(1, "/rpc.math.Math/Info", &[]));
    lying.extend([0xff, 0xff, 0xff, 0x0, 0x0, 0, 0, 0, 1, 1, 2, 3]);
    assert!(
        has_goaway(&h2_exchange(server.port, &lying)),
        "FRAME_SIZE_ERROR ends in GOAWAY"
    );
    assert_still_answers(&server, "a frame whose length lies");
    assert_rss_below(&server, 64);
}

#[test]
fn a_grpc_message_over_max_body_and_a_compressed_one_are_refused_with_statuses() {
    let server = Serve::new().limit("--max-body", "1000").start();
    let url = format!("grpc://127.0.0.1:{}", server.port);
    let big = format!("\"{}\"", "x".repeat(5000));
    let out = super::support::rpc()
        .args(["call", &url, "Echo", &big])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // tonic's status for a message over the decoding limit is OUT_OF_RANGE (grpc-go says
    // RESOURCE_EXHAUSTED); either names the limit.
    assert!(
        stderr.contains("OUT_OF_RANGE (11)") || stderr.contains("RESOURCE_EXHAUSTED (8)"),
        "{stderr}"
    );
    assert!(stderr.contains("1000 bytes"), "{stderr}");
    // The compressed flag without a grpc-encoding: refused, never decompressed.
    let url = format!("http://127.0.0.1:{}/rpc.math.Math/Add", server.port);
    let curl = super::support::curl_grpc(&url, &[1, 0, 0, 0, 4, 0x08, 2, 0x10, 3]);
    let head = String::from_utf8_lossy(&curl.stdout);
    assert!(
        head.contains("grpc-status: 12") || head.contains("grpc-status: 13"),
        "{head}"
    );
    assert_still_answers(&server, "a compressed message");
}

#[test]
fn a_client_that_stops_reading_a_server_stream_costs_bounded_memory() {
    let server = Serve::new().start();
    let mut request = h2_opening();
    request.extend(h2_call(1, "/rpc.math.Math/Count", &[]));
    // Operand{x: 10000}, framed, ending the client's side.
    let message = [0u8, 0, 0, 0, 3, 0x08, 0x90, 0x4e];
    request.extend(h2_frame(0x0, 0x1, 1, &message));
    let mut stalled = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        stream.write_all(&request).unwrap();
        // Never read: the server's sends stop at the flow-control window.
        stalled.push(stream);
    }
    assert_still_answers(&server, "clients that stopped reading");
    let out = super::support::rpc()
        .args([
            "call",
            &format!("grpc://127.0.0.1:{}", server.port),
            "Add",
            "2",
            "3",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "5\n");
    assert_rss_below(&server, 64);
    drop(stalled);
}

#[test]
fn an_http2_connection_that_sends_the_preface_and_then_nothing_is_closed() {
    let server = Serve::new()
        .limit("--idle-timeout", "1")
        .limit("--header-timeout", "1")
        .start();
    let started = std::time::Instant::now();
    let answer = h2_exchange(server.port, &h2_opening());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "closed after {:?}",
        started.elapsed()
    );
    assert!(!answer.is_empty(), "the server's SETTINGS came first");
    assert_still_answers(&server, "a silent HTTP/2 connection");
}

#[test]
fn streams_beyond_max_streams_on_one_connection_are_refused() {
    let server = Serve::new().limit("--max-streams", "2").start();
    let mut opening = h2_opening();
    // Three calls that each wait a second, opened at once on one connection.
    let sleep = [0u8, 0, 0, 0, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
    for id in [1u32, 3, 5] {
        opening.extend(h2_call(id, "/rpc.math.Math/Sleep", &[]));
        opening.extend(h2_frame(0x0, 0x1, id, &sleep));
    }
    let answer = h2_exchange_for(server.port, &opening, Duration::from_secs(3));
    // The third stream is reset with REFUSED_STREAM (RST_STREAM, error code 7).
    let refused = frames(&answer).iter().any(|(kind, stream, payload)| {
        *kind == 0x3 && *stream == 5 && payload.as_slice() == [0, 0, 0, 7]
    });
    assert!(refused, "{:?}", frames(&answer));
    assert_still_answers(&server, "streams over --max-streams");
}

/// Like `h2_exchange`, reading for at most `wait`.
fn h2_exchange_for(port: u16, bytes: &[u8], wait: Duration) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let deadline = std::time::Instant::now() + wait;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 65536];
    while std::time::Instant::now() < deadline {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
    }
    answer
}

/// The frames in the server's bytes: (type, stream, payload).
fn frames(answer: &[u8]) -> Vec<(u8, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 9 <= answer.len() {
        let len = (usize::from(answer[at]) << 16)
            | (usize::from(answer[at + 1]) << 8)
            | usize::from(answer[at + 2]);
        let stream = u32::from_be_bytes([
            answer[at + 5],
            answer[at + 6],
            answer[at + 7],
            answer[at + 8],
        ]) & 0x7fff_ffff;
        let end = (at + 9 + len).min(answer.len());
        out.push((answer[at + 3], stream, answer[at + 9..end].to_vec()));
        at += 9 + len;
    }
    out
}

#[test]
fn a_header_list_over_max_header_list_is_refused_without_running_the_call() {
    let server = Serve::new().limit("--max-header-list", "1024").start();
    let mut request = h2_opening();
    request.extend(h2_call(
        1,
        "/rpc.math.Math/Info",
        &[("x-big", &"a".repeat(4000))],
    ));
    request.extend(h2_frame(0x0, 0x1, 1, &[0, 0, 0, 0, 0]));
    let answer = h2_exchange_for(server.port, &request, Duration::from_secs(2));
    let all = frames(&answer);
    // The server announces the limit in its SETTINGS (MAX_HEADER_LIST_SIZE, id 6, 1024)…
    assert!(
        all[0].2.windows(6).any(|w| w == [0, 6, 0, 0, 4, 0]),
        "{all:?}"
    );
    // …and refuses the stream (RST_STREAM) or the connection (GOAWAY): the call never runs.
    let refused = all
        .iter()
        .any(|(kind, stream, _)| *kind == 0x7 || (*kind == 0x3 && *stream == 1));
    assert!(refused, "{all:?}");
    assert!(
        !all.iter()
            .any(|(kind, stream, _)| *kind == 0x0 && *stream == 1),
        "the call ran: {all:?}"
    );
    assert_still_answers(&server, "a header list over the limit");
}
