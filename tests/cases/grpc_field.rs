//! gRPC against servers set up the way production servers are, nobody here wrote: a grpcio server
//! with health and reflection registered together, gzip answers, uint64 ids, `Any` payloads,
//! statuses with details, binary metadata, a service whose import reflection cannot give
//! (tests/peers/grpc_field_server.py); and an HTTP/2 server (Python h2) answering what no gRPC
//! library sends on purpose: a failure in the trailers after an OK in the headers, a 404 from a
//! proxy, HTML, no status at all (tests/peers/h2_misbehaving.py).

use super::bench::bench_json;
use super::grpc::{buf, grpcurl, run};
use super::proxy::Proxy;
use super::support::{
    outcome, path_with_rpc, peer_scripts, python, python_peer, rpc, Serve, Spawned,
};
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};

fn url(server: &Spawned) -> String {
    format!("grpc://127.0.0.1:{}", server.port)
}

/// `rpc call ARGS`: (status, stdout, stderr).
fn call(args: &[&str]) -> (i32, String, String) {
    outcome(&rpc().arg("call").args(args).output().unwrap())
}

/// The field server with `flags` (reflection always).
fn field_server(flags: &[&str]) -> Spawned {
    let mut args = vec!["grpc_field_server.py", "--reflection"];
    args.extend_from_slice(flags);
    python_peer(&args)
}

/// The misbehaving HTTP/2 server, and the `--schema` arguments that describe it.
fn misbehaving() -> (Spawned, Vec<String>) {
    let server = python_peer(&["h2_misbehaving.py"]);
    let root = peer_scripts().join("field");
    let schema = vec![
        "--import-path".to_owned(),
        root.display().to_string(),
        "--schema".to_owned(),
        root.join("misbehave/v1/misbehave.proto")
            .display()
            .to_string(),
    ];
    (server, schema)
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn a_server_with_health_and_reflection_is_listed_described_and_called() {
    let server = field_server(&["--health"]);
    let url = url(&server);
    let (status, listed, stderr) = outcome(&rpc().args(["list", &url]).output().unwrap());
    assert_eq!(status, 0, "{stderr}");
    for method in [
        "field.v1.Values/Echo",
        "legacy.v1.Legacy/Book",
        "grpc.health.v1.Health/Check",
    ] {
        assert!(listed.contains(method), "{method} in {listed}");
    }
    let (status, described, stderr) = outcome(
        &rpc()
            .args(["describe", &url, "grpc.health.v1.Health/Check"])
            .output()
            .unwrap(),
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(described.contains("HealthCheckRequest"), "{described}");
    assert_eq!(
        call(&[&url, "grpc.health.v1.Health/Check"]),
        (0, "{\"status\":\"SERVING\"}\n".into(), String::new())
    );
    let (status, echoed, stderr) = call(&[&url, "Echo", "s:=hello"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(json_of(&echoed)["s"], "hello");
}

#[test]
fn a_service_whose_import_reflection_cannot_give_breaks_no_other() {
    let server = field_server(&["--broken"]);
    let url = url(&server);
    let (status, listed, stderr) = outcome(&rpc().args(["list", &url]).output().unwrap());
    assert_eq!(status, 0, "list still lists: {stderr}");
    assert!(listed.contains("field.v1.Values/Echo"), "{listed}");
    assert!(
        stderr.contains("broken.v1.Broken") && stderr.contains("broken/v1/dep.proto"),
        "the broken service is named where it is listed: {stderr}"
    );
    let (status, _, stderr) = call(&[&url, "field.v1.Values/Echo", "i32:=7"]);
    assert_eq!(status, 0, "{stderr}");
    let (status, _, stderr) = call(&[&url, "Echo", "i32:=7"]);
    assert_eq!(status, 0, "a bare method name too: {stderr}");
    let (status, _, stderr) = call(&[&url, "broken.v1.Broken/Use", "what:=x"]);
    assert_eq!(status, 4, "{stderr}");
    assert!(
        stderr.contains("broken/v1/dep.proto") && stderr.contains("--schema"),
        "{stderr}"
    );
}

#[test]
fn an_any_is_shown_with_the_type_reflection_gives_or_as_type_and_bytes() {
    let server = field_server(&[]);
    let url = url(&server);
    let (status, out, stderr) = call(&[
        &url,
        "Wrap",
        "kinds:=[\"hidden\",\"unknown\",\"timestamp\"]",
    ]);
    assert_eq!(status, 0, "{stderr}");
    let answer = json_of(&out);
    assert_eq!(
        answer["items"],
        json!([
            {"@type": "type.googleapis.com/hidden.v1.Hidden", "secret": "s3", "big": 18446744073709551615u64},
            {"@type": "type.googleapis.com/nowhere.Thing", "@value": "CAE="},
            {"@type": "type.googleapis.com/google.protobuf.Timestamp", "value": "2023-11-14T22:13:20Z"},
        ]),
        "{out}"
    );
    assert_eq!(
        answer["note"], "wrapped 3",
        "the rest of the message is intact: {out}"
    );
    // Both forms go back as they came.
    for given in [
        r#"{"@type":"type.googleapis.com/hidden.v1.Hidden","secret":"mine","big":18446744073709551615}"#,
        r#"{"@type":"type.googleapis.com/nowhere.Thing","@value":"CAE="}"#,
    ] {
        let (status, out, stderr) = call(&[&url, "Wrap", &format!("given:={given}")]);
        assert_eq!(status, 0, "{given}: {stderr}");
        let sent: Value = serde_json::from_str(given).unwrap();
        assert_eq!(json_of(&out)["items"], json!([sent]), "{out}");
    }
    let (status, _, stderr) = call(&[
        &url,
        "Wrap",
        r#"given:={"@type":"type.googleapis.com/nowhere.Thing","x":1}"#,
    ]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("nowhere.Thing") && stderr.contains("@value"),
        "{stderr}"
    );
}

#[test]
fn every_scalar_keeps_its_full_range_both_ways() {
    let server = field_server(&[]);
    let url = url(&server);
    let (status, out, stderr) = call(&[
        &url,
        "Echo",
        "u64:=18446744073709551615",
        "i64:=-9223372036854775808",
        "s64:=-9223372036854775808",
        "f64:=18446744073709551615",
        "sf64:=9223372036854775807",
        "u32:=4294967295",
        "i32:=-2147483648",
        "d:=NaN",
        "f:=-Infinity",
        "many:=[18446744073709551615, 0]",
    ]);
    assert_eq!(status, 0, "{stderr}");
    for text in [
        "\"u64\":18446744073709551615",
        "\"i64\":-9223372036854775808",
        "\"s64\":-9223372036854775808",
        "\"f64\":18446744073709551615",
        "\"sf64\":9223372036854775807",
        "\"u32\":4294967295",
        "\"i32\":-2147483648",
        "\"d\":\"NaN\"",
        "\"f\":\"-Infinity\"",
        "\"many\":[18446744073709551615,0]",
    ] {
        assert!(out.contains(text), "{text} in {out}");
    }
    // The proto3 JSON forms of -d, and a stream of them.
    let (status, out, stderr) = call(&[
        &url,
        "Echo",
        "-d",
        r#"{"u64":"18446744073709551615","d":"Infinity"}"#,
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        out.contains("\"u64\":18446744073709551615") && out.contains("\"d\":\"Infinity\""),
        "{out}"
    );
    let (status, out, stderr) = call(&[&url, "Countdown", "count:=2"]);
    assert_eq!(status, 0, "{stderr}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("\"u64\":18446744073709551615"), "{out}");
    assert!(lines[1].contains("\"u64\":18446744073709551614"), "{out}");
}

#[test]
fn a_value_that_does_not_fit_names_its_field_path_and_type() {
    let server = field_server(&[]);
    let url = url(&server);
    let cases: &[(&[&str], &[&str])] = &[
        (&["i64:=abc"], &["i64", "int64"]),
        (&["u32:=-1"], &["u32", "uint32"]),
        (&["nam:=x"], &["no field nam", "did you mean name?"]),
        (
            &[
                "-d",
                r#"{"inner":{"children":[{"depth":1},{"depth":"deep"}]}}"#,
            ],
            &["inner.children[1].depth", "int64"],
        ),
        (
            &["-d", r#"{"inner":{"childs":[]}}"#],
            &["inner", "no field childs", "did you mean children?"],
        ),
        (&["level:=MEDIUM"], &["level", "LOW", "HIGH"]),
        (&["when:=yesterday"], &["when", "RFC 3339"]),
        (&["name:=a", "number:=1"], &["choice"]),
    ];
    for (words, parts) in cases {
        let mut args = vec![url.as_str(), "Echo"];
        args.extend_from_slice(words);
        let (status, _, stderr) = call(&args);
        assert_eq!(status, 2, "{words:?}: {stderr}");
        for part in *parts {
            assert!(stderr.contains(part), "{words:?}: {part:?} in {stderr}");
        }
    }
}

#[test]
fn proto2_required_fields_are_checked_and_describe_prints_the_proto_as_written() {
    let server = field_server(&[]);
    let url = url(&server);
    let (status, _, stderr) = call(&[&url, "Book", "guest:=ann"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("stay") && stderr.contains("required"),
        "{stderr}"
    );
    let (status, _, stderr) = call(&[&url, "Book", "guest:=ann", "stay:={}"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("stay.from"), "{stderr}");
    let (status, out, stderr) = call(&[&url, "Book", "guest:=ann", r#"stay:={"from":1}"#]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(json_of(&out)["guest"], "ann");
    let describe = |method: &str| {
        let (status, out, stderr) =
            outcome(&rpc().args(["describe", &url, method]).output().unwrap());
        assert_eq!(status, 0, "{method}: {stderr}");
        out
    };
    let book = describe("legacy.v1.Legacy/Book");
    for line in [
        "required string guest = 1;",
        "optional int32 nights = 2 [default = 1];",
        "optional string room = 3 [default = \"single\"];",
        "required Stay stay = 4;",
        "repeated string notes = 5;",
        "required int64 from = 1;",
    ] {
        assert!(book.contains(line), "{line:?} in {book}");
    }
    let echo = describe("field.v1.Values/Echo");
    for line in [
        "oneof choice {",
        "string name = 15;",
        "optional int32 maybe = 17;",
        "map<string, int64> counts = 19;",
        "uint64 u64 = 1;",
    ] {
        assert!(echo.contains(line), "{line:?} in {echo}");
    }
    assert!(!echo.contains("optional string name"), "{echo}");
}

#[test]
fn every_example_describe_prints_runs() {
    let server = field_server(&["--health"]);
    let url = url(&server);
    let (_, listed, _) = outcome(&rpc().args(["list", &url]).output().unwrap());
    let methods: Vec<&str> = listed.lines().filter(|m| !m.ends_with("/Watch")).collect();
    assert!(methods.len() >= 7, "{listed}");
    for method in methods {
        let (status, doc, stderr) = outcome(
            &rpc()
                .args(["describe", "--json", &url, method])
                .output()
                .unwrap(),
        );
        assert_eq!(status, 0, "{method}: {stderr}");
        let example = json_of(&doc)["example"].as_str().unwrap().to_owned();
        let ran = Command::new("sh")
            .args(["-c", &example])
            .env("PATH", path_with_rpc())
            .output()
            .unwrap();
        let code = ran.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&ran.stderr);
        // The server may answer an example with an error (Fail does by design, health knows
        // no service "text"): exit 1. What an example must never be is refused (2), unreadable
        // (4) or anything else.
        assert!(
            code == 0 || (code == 1 && stderr.starts_with("rpc: error ")),
            "{method}: `{example}` exited {code}: {stderr}"
        );
        if method.ends_with("/Echo") || method.ends_with("/Book") {
            assert_eq!(code, 0, "{method}: `{example}`: {stderr}");
        }
    }
}

#[test]
fn a_failure_in_the_trailers_is_the_status_of_the_call() {
    let (server, schema) = misbehaving();
    let url = url(&server);
    let mut args: Vec<&str> = schema.iter().map(String::as_str).collect();
    args.extend([url.as_str(), "LateFailure"]);
    let (status, out, stderr) = call(&args);
    assert_eq!(status, 1, "{out}{stderr}");
    assert!(
        stderr.contains("error INTERNAL (13): late failure"),
        "{stderr}"
    );
    assert_eq!(out, "", "a failed unary call prints no result");
    args.pop();
    args.push("StreamThenFailure");
    let (status, out, stderr) = call(&args);
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(out, "{\"text\":\"one\"}\n{\"text\":\"two\"}\n");
    assert!(stderr.contains("late failure"), "{stderr}");
}

#[test]
fn an_answer_that_is_not_grpc_is_never_a_status_of_the_servers() {
    let (server, schema) = misbehaving();
    let url = url(&server);
    let cases: &[(&str, i32, &[&str])] = &[
        (
            "NotFound",
            1,
            &[
                "HTTP 404",
                "UNIMPLEMENTED (12)",
                "text/plain",
                "404 page not found",
            ],
        ),
        (
            "Unavailable",
            1,
            &["HTTP 503", "UNAVAILABLE (14)", "no healthy upstream"],
        ),
        (
            "Html",
            4,
            &["text/html", "not application/grpc", "hello from nginx"],
        ),
        ("NoStatus", 4, &["without a grpc-status"]),
        ("TrailersWithoutStatus", 4, &["no grpc-status"]),
    ];
    for (method, code, parts) in cases {
        let mut args: Vec<&str> = schema.iter().map(String::as_str).collect();
        args.extend([url.as_str(), method]);
        let (status, _, stderr) = call(&args);
        assert_eq!(status, *code, "{method}: {stderr}");
        for part in *parts {
            assert!(stderr.contains(part), "{method}: {part:?} in {stderr}");
        }
        assert!(!stderr.contains("compression flag"), "{method}: {stderr}");
    }
    // Reflection behind a proxy that answers 404: that HTTP status, not "no reflection".
    let (status, _, stderr) = outcome(&rpc().args(["list", &url]).output().unwrap());
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    // grpc:// to an HTTP/1.1 server.
    let http1 = python_peer(&["-c", HTTP1_SERVER]);
    let (status, _, stderr) = call(&[&format!("grpc://127.0.0.1:{}", http1.port), "Add", "1", "2"]);
    assert_eq!(status, 3, "{stderr}");
    assert!(
        (stderr.contains("HTTP/1") || stderr.contains("not HTTP/2"))
            && !stderr.contains("grpcs://"),
        "{stderr}"
    );
}

/// Python's http.server on a free port: an HTTP/1.1 server that knows no HTTP/2.
const HTTP1_SERVER: &str = "import http.server\n\
s = http.server.HTTPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler)\n\
print('listening on 127.0.0.1:%d' % s.server_port, flush=True)\n\
s.serve_forever()\n";

#[test]
fn compressed_answers_are_read_everywhere_and_requests_can_be_compressed() {
    let server = field_server(&["--gzip"]);
    let url = url(&server);
    let long = "z".repeat(300);
    let (status, listed, stderr) = outcome(&rpc().args(["list", &url]).output().unwrap());
    assert_eq!(status, 0, "reflection answers are compressed too: {stderr}");
    assert!(listed.contains("field.v1.Values/Echo"), "{listed}");
    let (status, out, stderr) = call(&["-vv", &url, "Echo", &format!("s:={long}")]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(json_of(&out)["s"], long.as_str());
    assert!(stderr.contains("< grpc-encoding: gzip"), "{stderr}");
    assert!(
        stderr.contains("< [frame 01"),
        "a compressed frame, shown inflated: {stderr}"
    );
    let (status, out, stderr) = call(&["--compress", "gzip", &url, "Echo", &format!("s:={long}")]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(json_of(&out)["s"], long.as_str());
    // Through the proxy: logged as messages, not bytes.
    let proxy = Proxy::start(&url, &[]);
    let through = format!("grpc://127.0.0.1:{}", proxy.port());
    let (status, _, stderr) = call(&[&through, "field.v1.Values/Echo", &format!("s:={long}")]);
    assert_eq!(status, 0, "{stderr}\n{}", proxy.log());
    proxy.wait_for(&["RPC field.v1.Values/Echo", "==> ", &long]);
    // rpc bench counts compressed answers as answers.
    let report = bench_json(&[
        &url,
        "field.v1.Values/Echo",
        &format!("s:={long}"),
        "-n",
        "40",
        "-c",
        "2",
    ]);
    assert_eq!(report["ok"], 40, "{report}");
    // rpc serve reads a compressed request, from grpcio.
    let serve = Serve::new().start();
    let out = python()
        .args(["-c", GRPCIO_GZIP_CALL, &format!("127.0.0.1:{}", serve.port)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
}

/// grpcio calling rpc.math.Math/Add with a gzip-compressed request, its stubs from math.proto.
const GRPCIO_GZIP_CALL: &str = "import sys, os, grpc, grpc_stubs\n\
proto = os.path.join('..', '..', 'src', 'server', 'grpc', 'math.proto')\n\
pb2, pb2_grpc = grpc_stubs.load(proto)\n\
channel = grpc.insecure_channel(sys.argv[1], compression=grpc.Compression.Gzip)\n\
print(pb2_grpc.MathStub(channel).Add(pb2.Operands(a=2, b=3), compression=grpc.Compression.Gzip).value)\n";

#[test]
fn each_error_detail_is_shown_on_its_own() {
    let server = field_server(&[]);
    let url = url(&server);
    let (status, _, stderr) = call(&[&url, "Fail", "code:=8", "message:=slow down"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("error RESOURCE_EXHAUSTED (8): slow down"),
        "{stderr}"
    );
    for part in [
        r#"{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"u64","description":"too big""#,
        r#"{"@type":"type.googleapis.com/acme.errors.QuotaDetail","@value":"CAU="}"#,
        r#"{"@type":"type.googleapis.com/hidden.v1.Hidden","secret":"why""#,
    ] {
        assert!(stderr.contains(part), "{part} in {stderr}");
    }
    // The proxy's log and a recording read them the same way.
    let proxy = Proxy::start(&url, &[]);
    let through = format!("grpc://127.0.0.1:{}", proxy.port());
    let (status, _, _) = call(&[&through, "field.v1.Values/Fail", "code:=8"]);
    assert_eq!(status, 1);
    proxy.wait_for(&[
        "field.v1.Values/Fail",
        "=!>",
        "google.rpc.BadRequest",
        "acme.errors.QuotaDetail",
    ]);
}

#[test]
fn binary_metadata_goes_as_base64_and_shows_decoded() {
    let server = field_server(&[]);
    let url = url(&server);
    let (status, out, stderr) = call(&[
        "-vv",
        "-H",
        "x-token-bin: AAH+/w==",
        &url,
        "Meta",
        "text:=hi",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        json_of(&out)["token"],
        "AAH+/w==",
        "the server got the bytes: {out}"
    );
    assert!(stderr.contains("[00 01 fe ff]"), "{stderr}");
    assert!(stderr.contains("< x-echo-bin: "), "{stderr}");
    let (status, _, stderr) = call(&["-H", "x-token-bin: not base64!", &url, "Meta"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("base64"), "{stderr}");
}

#[test]
fn very_verbose_shows_headers_messages_and_trailers_in_order_for_every_outcome() {
    let server = field_server(&[]);
    let url = url(&server);
    let (status, _, log) = call(&["-vv", &url, "Echo", "s:=x"]);
    assert_eq!(status, 0, "{log}");
    // The call's exchange, after the reflection exchanges that found the method.
    let call_at = log
        .find("> POST /field.v1.Values/Echo")
        .expect("the request");
    let log = &log[call_at..];
    let at = |text: &str| {
        log.find(text)
            .unwrap_or_else(|| panic!("{text:?} in {log}"))
    };
    assert!(at("< HTTP/2 200") < at("< x-served-by: field"));
    assert!(at("< x-served-by: field") < at("< [frame"));
    assert!(
        at("< [frame") < at("< x-checksum: "),
        "trailing metadata after the message: {log}"
    );
    assert!(at("< grpc-status: 0") > at("< [frame"), "{log}");
    let (status, _, log) = call(&["-vv", &url, "Fail", "code:=5"]);
    assert_eq!(status, 1, "{log}");
    assert!(
        log.contains("< HTTP/2 200") && log.contains("< grpc-status: 5"),
        "{log}"
    );
    let (server, schema) = misbehaving();
    let mut args: Vec<&str> = vec!["-vv"];
    args.extend(schema.iter().map(String::as_str));
    let target = format!("grpc://127.0.0.1:{}", server.port);
    args.extend([target.as_str(), "LateFailure"]);
    let (status, _, log) = call(&args);
    assert_eq!(status, 1, "{log}");
    assert!(
        log.contains("< [frame 0000000009] {\"text\":\"partial\"}"),
        "{log}"
    );
    assert!(log.contains("< grpc-status: 13"), "{log}");
}

#[test]
fn rpc_serve_honours_the_callers_deadline_on_every_grpc_path() {
    let server = Serve::new().start();
    let port = server.port.to_string();
    // Sleep 2 with a 200 ms deadline: DEADLINE_EXCEEDED, at the deadline, not after the sleep.
    let started = Instant::now();
    let out = Command::new("curl")
        .args([
            "-sS",
            "--http2-prior-knowledge",
            "-o",
            "/dev/null",
            "-D",
            "-",
            "--max-time",
            "5",
        ])
        .args([
            "-H",
            "content-type: application/grpc",
            "-H",
            "te: trailers",
            "-H",
            "grpc-timeout: 200m",
        ])
        .args(["--data-binary", "@-"])
        .arg(format!("http://127.0.0.1:{port}/rpc.math.Math/Sleep"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            // DoubleValue{value: 2.0}, framed.
            let frame = [0u8, 0, 0, 0, 9, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x40];
            child.stdin.take().unwrap().write_all(&frame)?;
            child.wait_with_output()
        })
        .unwrap();
    let head = String::from_utf8_lossy(&out.stdout);
    assert!(head.contains("grpc-status: 4"), "{head}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    // A stream that never ends (health Watch) ends at the deadline too.
    let url = format!("grpc://127.0.0.1:{port}");
    let started = Instant::now();
    let (status, out, stderr) = call(&["-t", "0.5", &url, "grpc.health.v1.Health/Watch"]);
    assert!(out.contains("SERVING"), "{out}");
    assert_ne!(status, 0, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(status, 3, "the deadline was ours: {stderr}");
    assert!(stderr.contains("timed out after 0.5s"), "{stderr}");
}

#[test]
fn bench_retries_the_streams_a_recycled_connection_did_not_take() {
    let server = field_server(&["--max-connection-age-ms", "300"]);
    let url = url(&server);
    let report = bench_json(&[
        &url,
        "field.v1.Values/Echo",
        "i32:=1",
        "-d",
        "2",
        "-c",
        "2",
        "--streams",
        "4",
    ]);
    assert_eq!(report["errors"], 0, "{report}");
    assert!(
        report["connects"].as_u64().unwrap_or(0) > 2,
        "the server recycled connections: {report}"
    );
    assert!(report["ok"].as_u64().unwrap_or(0) > 100, "{report}");
}

#[test]
fn rpc_serves_reflection_describes_the_details_its_statuses_carry() {
    let server = Serve::new().start();
    let target = format!("127.0.0.1:{}", server.port);
    let mut describe = grpcurl();
    describe.args(["-plaintext", &target, "describe", "google.rpc.ErrorInfo"]);
    let (ok, described, err) = run(describe, "");
    assert!(
        ok && described.contains("string reason = 1;"),
        "{described}{err}"
    );
    // grpcurl shows the detail decoded, not as bytes. (buf curl prints every detail as its type
    // and bytes: connect-go decodes details only with the types compiled into buf.)
    let mut div = grpcurl();
    div.args([
        "-plaintext",
        "-d",
        r#"{"a":1,"b":0}"#,
        &target,
        "rpc.math.Math/Div",
    ]);
    let (ok, _, err) = run(div, "");
    assert!(
        !ok && err.contains("\"reason\":\"DIVISION_BY_ZERO\""),
        "{err}"
    );
    let mut curl = buf();
    curl.args(["curl", "--protocol", "grpc", "--http2-prior-knowledge"])
        .args([
            "-d",
            r#"{"a":1,"b":0}"#,
            &format!("http://{target}/rpc.math.Math/Div"),
        ]);
    let (ok, out, err) = run(curl, "");
    let both = format!("{out}{err}");
    assert!(
        !ok && both.contains("\"type\": \"google.rpc.ErrorInfo\""),
        "{both}"
    );
}

#[test]
fn a_failure_in_the_trailers_counts_in_rpc_bench_and_the_proxys_log() {
    let (server, schema) = misbehaving();
    let url = url(&server);
    let mut args: Vec<&str> = schema.iter().map(String::as_str).collect();
    args.extend([url.as_str(), "LateFailure", "-n", "5", "-c", "1"]);
    let report = bench_json(&args);
    assert_eq!(
        report["errors_by_kind"],
        json!({"status INTERNAL (13)": 5}),
        "{report}"
    );
    let proxy = Proxy::start(&url, &schema.iter().map(String::as_str).collect::<Vec<_>>());
    let through = format!("grpc://127.0.0.1:{}", proxy.port());
    let mut args: Vec<&str> = schema.iter().map(String::as_str).collect();
    args.extend([through.as_str(), "LateFailure"]);
    let (status, _, stderr) = call(&args);
    assert_eq!(status, 1, "{stderr}");
    proxy.wait_for(&["misbehave.v1.Misbehave/LateFailure", "=!>", "late failure"]);
}
