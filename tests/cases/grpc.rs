//! gRPC both ways, against real peers: `rpc call` against the seed's Python server (with each of
//! the three schema sources) and a grpc-js server; grpcio, grpcurl, buf curl and curl against
//! `rpc serve`.

use super::support::{
    cert_files, node_peer, outcome, path_str, peer_scripts, peers_dir, python, python_peer, rpc,
    wrong_add_schema, Serve, Spawned,
};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The seed's `.proto`, as `rpc serve` embeds it.
fn seed_proto() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/server/grpc/routetable.proto")
}

fn grpc_url(server: &Spawned) -> String {
    format!("grpc://127.0.0.1:{}", server.port)
}

/// `rpc call ARGS`: (status, stdout, stderr).
fn call(args: &[&str]) -> (i32, String, String) {
    outcome(&rpc().arg("call").args(args).output().unwrap())
}

/// `rpc call ARGS` with `stdin` as its standard input.
fn call_with_input(args: &[&str], stdin: &str) -> (i32, String, String) {
    outcome(
        &rpc()
            .arg("call")
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap(),
    )
}

const THREE_ROUTES: &str = concat!(
    r#"{"dest":"10.0.0.0","mask":"255.0.0.0","nh":"10.0.0.1","metric":1,"interface":"eth0"}"#,
    "\n",
    r#"{"dest":"172.16.0.0","mask":"255.240.0.0","nh":"172.16.0.1","metric":2,"interface":"eth1"}"#,
    "\n",
    r#"{"dest":"192.168.0.0","mask":"255.255.0.0","nh":"192.168.0.1","metric":3,"interface":"eth2"}"#,
    "\n",
);

/// AddRoutes with three routes, ListRoutes streaming them back, GetRoute for one and for a
/// network with no route: the seed's behaviour, through `extra` schema options.
fn route_table_round(url: &str, extra: &[&str]) {
    let with = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        all.push(url.to_owned());
        all.extend(args.iter().map(|s| s.to_string()));
        all
    };
    let args = with(&["Router/AddRoutes", "-d", "@-"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(
        call_with_input(&refs, THREE_ROUTES),
        (0, "{\"success\":true}\n".into(), String::new())
    );
    let args = with(&["ListRoutes"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, listed, stderr) = call(&refs);
    assert_eq!(status, 0, "{stderr}");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "one NDJSON line per route: {listed}");
    assert!(lines[2].contains("\"nh\":\"192.168.0.1\""), "{listed}");
    let args = with(&["Router.GetRoute", "network:=172.16.0.0"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, found, _) = call(&refs);
    assert!(found.contains("\"nh\":\"172.16.0.1\""), "{found}");
    let args = with(&["/Router/GetRoute", "10.9.9.9"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, missing, _) = call(&refs);
    assert!(missing.contains("\"nh\":\"0.0.0.0\""), "{missing}");
}

#[test]
fn the_seeds_server_with_reflection_v1alpha() {
    let server = python_peer(&["grpc_route_server.py", "--reflection"]);
    route_table_round(&grpc_url(&server), &[]);
    let listed = call(&["-vv", &grpc_url(&server), "GetRoute", "x"]);
    assert_eq!(listed.0, 0, "{}", listed.2);
    let list = outcome(&rpc().args(["list", &grpc_url(&server)]).output().unwrap());
    assert_eq!(
        list.1,
        "Router/GetRoute\nRouter/ListRoutes\nRouter/AddRoutes\n"
    );
}

#[test]
fn the_seeds_server_with_a_proto_source() {
    let server = python_peer(&["grpc_route_server.py"]);
    let proto = seed_proto();
    route_table_round(&grpc_url(&server), &["--schema", path_str(&proto)]);
    // Without reflection and without --schema: say so, and name --schema.
    let (status, _, stderr) = call(&[&grpc_url(&server), "GetRoute", "x"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("--schema"), "{stderr}");
}

#[test]
fn the_seeds_server_with_a_protoset() {
    let dir = tempfile::tempdir().unwrap();
    let protoset = dir.path().join("seed.protoset");
    let made = python()
        .args(["grpc_route_server.py", "--protoset", path_str(&protoset)])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let server = python_peer(&["grpc_route_server.py"]);
    route_table_round(&grpc_url(&server), &["--schema", path_str(&protoset)]);
}

#[test]
fn a_grpc_js_server_with_reflection_v1() {
    let server = node_peer(&["grpc_js_server.js"]);
    route_table_round(&grpc_url(&server), &[]);
}

// rpc serve, called by the peers ----------------------------------------------------------------

/// `python grpc_client.py HOST:PORT CASE…` exits 0.
fn grpcio_case(server: &Spawned, case: &[&str]) -> String {
    let out = python()
        .arg("grpc_client.py")
        .arg(format!("127.0.0.1:{}", server.port))
        .args(case)
        .output()
        .unwrap();
    assert!(out.status.success(), "grpcio {case:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn grpcio_calls_rpc_serve_every_kind_deadlines_metadata_errors_health_reflection() {
    let server = Serve::new().start();
    for case in [
        "route",
        "math",
        "deadline",
        "metadata",
        "health",
        "reflection",
    ] {
        grpcio_case(&server, &[case]);
    }
}

#[test]
fn grpcio_over_tls_with_alpn() {
    let files = cert_files();
    let server = Serve::new().cert(&files).start();
    grpcio_case(&server, &["tls", path_str(&files.cert)]);
}

pub(super) fn grpcurl() -> Command {
    let exe = peers_dir().join("venv/bin/grpcurl");
    assert!(
        exe.exists(),
        "peer missing: grpcurl; run scripts/install-peers"
    );
    Command::new(exe)
}

pub(super) fn run(mut command: Command, stdin: &str) -> (bool, String, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn grpcurl_lists_describes_and_calls_rpc_serve() {
    let server = Serve::new().start();
    let addr = format!("127.0.0.1:{}", server.port);
    let mut list = grpcurl();
    list.args(["-plaintext", &addr, "list"]);
    let (ok, services, err) = run(list, "");
    assert!(ok, "{err}");
    assert!(
        services.contains("Router") && services.contains("rpc.math.Math"),
        "{services}"
    );
    let mut describe = grpcurl();
    describe.args(["-plaintext", &addr, "describe", "Router.GetRoute"]);
    let (ok, text, err) = run(describe, "");
    assert!(ok && text.contains("rpc GetRoute"), "{text}{err}");
    let mut add = grpcurl();
    add.args([
        "-plaintext",
        "-d",
        r#"{"a":2,"b":3}"#,
        &addr,
        "rpc.math.Math/Add",
    ]);
    let (ok, five, err) = run(add, "");
    assert!(ok && five.contains('5'), "{five}{err}");
    let mut count = grpcurl();
    count.args([
        "-plaintext",
        "-d",
        r#"{"x":3}"#,
        &addr,
        "rpc.math.Math/Count",
    ]);
    let (ok, counted, err) = run(count, "");
    assert!(
        ok && counted.matches("\"3\"").count() + counted.matches(" 3").count() >= 1,
        "{counted}{err}"
    );
    let mut add_routes = grpcurl();
    add_routes.args(["-plaintext", "-d", "@", &addr, "Router/AddRoutes"]);
    let (ok, added, err) = run(add_routes, THREE_ROUTES);
    assert!(ok && added.contains("true"), "{added}{err}");
}

pub(super) fn buf() -> Command {
    let exe = peer_scripts().join("node_modules/.bin/buf");
    assert!(exe.exists(), "peer missing: buf; run scripts/install-peers");
    Command::new(exe)
}

#[test]
fn buf_curl_lists_and_calls_rpc_serve() {
    let server = Serve::new().start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let common = ["curl", "--protocol", "grpc", "--http2-prior-knowledge"];
    let mut list = buf();
    list.args(common).args(["--list-methods", &base]);
    let (ok, methods, err) = run(list, "");
    assert!(
        ok && methods.contains("Router/ListRoutes"),
        "{methods}{err}"
    );
    let mut add = buf();
    add.args(common).args([
        "-d",
        r#"{"a":2,"b":3}"#,
        &format!("{base}/rpc.math.Math/Add"),
    ]);
    let (ok, five, err) = run(add, "");
    assert!(ok && five.contains('5'), "{five}{err}");
    let mut routes = buf();
    routes
        .args(common)
        .args(["-d", "@-", &format!("{base}/Router/AddRoutes")]);
    let (ok, added, err) = run(routes, THREE_ROUTES);
    assert!(ok && added.contains("true"), "{added}{err}");
    let mut listed = buf();
    listed
        .args(common)
        .args(["-d", "{}", &format!("{base}/Router/ListRoutes")]);
    let (ok, all, err) = run(listed, "");
    assert!(ok && all.contains("192.168.0.1"), "{all}{err}");
}

#[test]
fn curl_sends_a_raw_grpc_frame() {
    let server = Serve::new().start();
    let url = format!("http://127.0.0.1:{}/rpc.math.Math/Add", server.port);
    // Operands{a=2, b=3}: field 1 varint 2, field 2 varint 3, behind the 5-byte prefix.
    let out = super::support::curl_grpc(&url, &[0, 0, 0, 0, 4, 0x08, 2, 0x10, 3]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("grpc-status: 0"), "{text}");
    // Int64Value{value=5}: the prefix, then field 1 varint 5.
    assert!(
        out.stdout.windows(7).any(|w| w == [0, 0, 0, 0, 2, 0x08, 5]),
        "{text}"
    );
}

// rpc call's own behaviour ---------------------------------------------------------------------

#[test]
fn add_2_3_prints_5_and_statuses_exit_1_with_their_names() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    assert_eq!(
        call(&[&url, "Add", "2", "3"]),
        (0, "5\n".into(), String::new())
    );
    let (status, _, stderr) = call(&[&url, "Div", "1", "0"]);
    assert_eq!(status, 1);
    assert!(
        stderr.starts_with("rpc: error INVALID_ARGUMENT (3): division by zero"),
        "{stderr}"
    );
    assert!(
        stderr.contains("DIVISION_BY_ZERO"),
        "the ErrorInfo detail: {stderr}"
    );
    let (status, _, stderr) = call(&[&url, "Addd", "1", "2"]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("did you mean rpc.math.Math/Add"),
        "{stderr}"
    );
    let (status, _, stderr) = call(&["-t", "0.3", &url, "Sleep", "3"]);
    assert_eq!(status, 3, "our own deadline: {stderr}");
    // A + batch of unary calls on one connection.
    let (_, lines, _) = call(&[&url, "Add", "1", "2", "+", "Mul", "3", "4"]);
    assert_eq!(lines, "3\n12\n");
}

#[test]
fn a_bidirectional_call_answers_each_line_before_the_next_is_written() {
    let server = Serve::new().start();
    let mut child = Command::new(super::support::rpc_path())
        .args(["call", &grpc_url(&server), "RunningSum", "-d", "@-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut answers = BufReader::new(child.stdout.take().unwrap());
    for (x, total) in [(1, "1"), (2, "3"), (3, "6")] {
        writeln!(stdin, "{{\"x\":{x}}}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        answers.read_line(&mut line).unwrap();
        assert_eq!(
            line.trim(),
            total,
            "the answer to {x} came before the next line"
        );
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn list_and_describe_on_rpc_serve() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    let listed = outcome(&rpc().args(["list", &url]).output().unwrap()).1;
    assert!(
        listed.contains("Router/GetRoute\n") && listed.contains("rpc.math.Math/Add\n"),
        "{listed}"
    );
    assert!(
        !listed.contains("ServerReflection"),
        "reflection hidden: {listed}"
    );
    let all = outcome(&rpc().args(["list", "--all", &url]).output().unwrap()).1;
    assert!(
        all.contains("grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
        "{all}"
    );
    let described = outcome(&rpc().args(["describe", &url, "GetRoute"]).output().unwrap()).1;
    assert!(
        described.contains("rpc GetRoute(Destination) returns (Route);"),
        "{described}"
    );
    assert!(described.contains("message Route {"), "{described}");
    // The example line runs.
    let example = described.lines().last().unwrap().trim().to_owned();
    let ran = Command::new("sh")
        .args(["-c", &example])
        .env("PATH", super::support::path_with_rpc())
        .output()
        .unwrap();
    assert!(ran.status.success(), "{example}: {ran:?}");
}

#[test]
fn dry_run_shows_the_framed_request_and_curl_prints_a_line_that_works() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    let (status, text, stderr) = call(&["--dry-run", "-H", "x-trace: 1", &url, "Add", "2", "3"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        text.starts_with("POST /rpc.math.Math/Add HTTP/2\ncontent-type: application/grpc\n"),
        "{text}"
    );
    assert!(text.contains("x-trace: 1"), "{text}");
    assert!(
        text.contains("[frame 0000000004] {\"a\":2,\"b\":3}"),
        "{text}"
    );
    let (_, line, _) = call(&["--curl", &url, "Add", "2", "3"]);
    assert!(line.contains("curl -sS --http2-prior-knowledge"), "{line}");
    let ran = Command::new("sh")
        .args(["-c", line.trim()])
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&ran.stdout);
    assert!(answer.contains("grpc-status: 0"), "{answer}");
    // Int64Value{value: 5}, framed.
    assert!(
        ran.stdout.windows(7).any(|w| w == [0, 0, 0, 0, 2, 0x08, 5]),
        "{answer}"
    );
}

#[test]
fn very_verbose_shows_headers_frame_prefixes_and_trailers_and_max_response_bounds_answers() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    let (status, _, log) = call(&["-vv", "-H", "x-trace: 7", &url, "Add", "2", "3"]);
    assert_eq!(status, 0, "{log}");
    for line in [
        "> POST /rpc.math.Math/Add HTTP/2",
        "> x-trace: 7",
        "> [frame 0000000004] {\"a\":2,\"b\":3}",
        "< content-type: application/grpc",
        "< grpc-status: 0",
        "< [frame 0000000002] 5",
        "RPC rpc.math.Math/Add {\"a\":2,\"b\":3} ==> 5",
    ] {
        assert!(log.contains(line), "{line:?} in {log}");
    }
    let (_, _, stream_log) = call(&["-vv", &url, "Count", "2"]);
    assert!(
        stream_log.contains("< [frame 0000000002] 2"),
        "{stream_log}"
    );
    assert!(
        stream_log.contains("< grpc-status: 0"),
        "the stream's trailers: {stream_log}"
    );
    // --max-response: the answer refused by the client, exit 4, never a status of the server's.
    let (status, _, stderr) = call(&["--max-response", "10", &url, "Echo", "\"0123456789abcdef\""]);
    assert_eq!(status, 4, "{stderr}");
    assert!(stderr.contains("--max-response"), "{stderr}");
}

#[test]
fn sigterm_sends_goaway_and_lets_a_stream_in_flight_finish() {
    let mut server = Serve::new().start();
    let url = grpc_url(&server);
    let fds = || {
        std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
            .unwrap()
            .count()
    };
    let before = fds();
    let call = std::thread::spawn(move || call(&[&url, "Sleep", "1"]));
    // Once the server holds the call's connection (one more descriptor), ask it to stop.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fds() <= before {
        assert!(
            std::time::Instant::now() < deadline,
            "the call never connected"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    server.terminate();
    assert_eq!(call.join().unwrap(), (0, "1.0\n".into(), String::new()));
    let status = server.child.wait().unwrap();
    assert!(
        status.success(),
        "rpc serve exits 0 after draining: {status:?}"
    );
}

#[test]
fn grpcs_trusts_cacert_or_k_and_a_plaintext_server_is_named_at_once() {
    let files = cert_files();
    let server = Serve::new().cert(&files).start();
    let url = format!("grpcs://127.0.0.1:{}", server.port);
    let cacert = path_str(&files.cert);
    assert_eq!(
        call(&["--cacert", cacert, &url, "Add", "2", "3"]),
        (0, "5\n".into(), String::new())
    );
    let (status, _, stderr) = call(&[&url, "Add", "2", "3"]);
    assert_eq!(status, 3);
    assert!(
        stderr.contains("TLS failure") && stderr.contains("--cacert"),
        "{stderr}"
    );
    let (status, five, stderr) = call(&["-k", &url, "Add", "2", "3"]);
    assert_eq!((status, five.as_str()), (0, "5\n"), "{stderr}");
    assert!(stderr.contains("--insecure"), "the -k warning: {stderr}");
    // grpcs:// to a server that speaks only cleartext: said at once, not a time-out.
    let plain = python_peer(&["grpc_route_server.py", "--reflection"]);
    let started = std::time::Instant::now();
    let (status, _, stderr) = call(&[
        &format!("grpcs://127.0.0.1:{}", plain.port),
        "GetRoute",
        "x",
    ]);
    assert_eq!(status, 3, "{stderr}");
    assert!(stderr.contains("grpc://"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn cleartext_grpc_to_a_tls_only_server_says_use_grpcs_at_once() {
    let files = cert_files();
    let server = python_peer(&[
        "tls_only_server.py",
        path_str(&files.cert),
        path_str(&files.key),
    ]);
    let started = std::time::Instant::now();
    let (status, _, stderr) = call(&[&grpc_url(&server), "Add", "1", "2"]);
    assert_eq!(
        status, 3,
        "a transport failure, not the server's status: {stderr}"
    );
    assert!(stderr.contains("use grpcs://"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "not a time-out"
    );
}

#[test]
fn the_repl_calls_grpc_methods_streams_describes_and_records_for_replay() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    let record = tempfile::NamedTempFile::new().unwrap();
    let script = "Add 2 3\nCount 2\n:describe GetRoute\nDiv 1 0\n";
    let out = rpc()
        .args(["repl", &url, "--record", path_str(record.path())])
        .write_stdin(script)
        .output()
        .unwrap();
    let (_, stdout, stderr) = outcome(&out);
    assert!(
        stdout.starts_with("5\n1\n2\nrpc GetRoute(Destination) returns (Route);"),
        "{stdout}"
    );
    assert!(
        stderr.contains("RPC rpc.math.Math/Count {\"x\":2} ==> 2"),
        "each message logged: {stderr}"
    );
    assert!(
        stderr.contains("rpc: error INVALID_ARGUMENT (3): division by zero"),
        "{stderr}"
    );
    let replayed = outcome(
        &rpc()
            .args(["replay", path_str(record.path())])
            .output()
            .unwrap(),
    );
    assert_eq!(replayed.0, 0, "{}", replayed.2);
    assert!(
        replayed.2.contains("every answer is the same"),
        "{}",
        replayed.2
    );
}

#[test]
fn health_check_and_watch() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    let (status, checked, _) = call(&[&url, "grpc.health.v1.Health/Check", "service:=Router"]);
    assert_eq!(
        (status, checked.as_str()),
        (0, "{\"status\":\"SERVING\"}\n")
    );
    // Watch streams the status and goes on watching: the first message, then our deadline.
    let (status, watched, stderr) =
        call(&["-t", "1", &url, "Health/Watch", "service:=rpc.math.Math"]);
    assert_eq!(watched, "{\"status\":\"SERVING\"}\n", "{stderr}");
    assert_eq!(status, 3, "our own deadline ends the watch: {stderr}");
}

#[test]
fn metadata_credentials_and_headers_grpc_sets_itself() {
    let server = Serve::new().start();
    let url = grpc_url(&server);
    let (status, _, log) = call(&[
        "-vv",
        "-u",
        "alice:secret",
        "-H",
        "x-req: 1",
        &url,
        "Add",
        "2",
        "3",
    ]);
    assert_eq!(status, 0, "{log}");
    assert!(
        log.contains("> x-req: 1") && log.contains("> authorization: Basic ***"),
        "{log}"
    );
    let (status, _, stderr) = call(&[
        "-H",
        "content-type: application/grpc+proto",
        &url,
        "Add",
        "2",
        "3",
    ]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("gRPC sets this header itself"), "{stderr}");
    // --all is gRPC's.
    let (status, _, stderr) = outcome(
        &rpc()
            .args(["list", "--all", &server.url()])
            .output()
            .unwrap(),
    );
    assert_eq!(status, 2, "{stderr}");
}

#[test]
fn the_repl_stream_mode_sends_a_message_per_line_until_end() {
    let server = Serve::new().start();
    let script = concat!(
        "Router/AddRoutes\n",
        "{\"dest\":\"10.0.0.0\",\"nh\":\"10.0.0.1\"}\n",
        "dest:=172.16.0.0 nh:=172.16.0.1\n",
        "{\"dest\":\"192.168.0.0\",\"nh\":\"192.168.0.1\"}\n",
        ":end\n",
        "Router/ListRoutes\n",
        "RunningSum x:=1\n",
        "x:=2\n",
    );
    let out = rpc()
        .args(["repl", &grpc_url(&server)])
        .write_stdin(script)
        .output()
        .unwrap();
    let (status, stdout, stderr) = outcome(&out);
    assert_eq!(status, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "{\"success\":true}", "{stdout}");
    assert_eq!(lines.len(), 1 + 3 + 2, "{stdout}");
    assert!(lines[3].contains("\"nh\":\"192.168.0.1\""), "{stdout}");
    // The script's end ended the last stream, as Ctrl-D does.
    assert_eq!(&lines[4..], ["1", "3"], "{stdout}");
    assert!(
        stderr.contains("RPC Router/AddRoutes {\"dest\":\"172.16.0.0\""),
        "every message logged: {stderr}"
    );
}

#[test]
fn the_repl_records_whole_streams_and_replay_shows_a_diff_per_message() {
    let recorded_on = Serve::new().start();
    let record = tempfile::NamedTempFile::new().unwrap();
    let script = concat!(
        "Router/AddRoutes\n",
        "{\"dest\":\"10.0.0.0\",\"nh\":\"10.0.0.1\"}\n",
        "dest:=172.16.0.0 nh:=172.16.0.1\n",
        "{\"dest\":\"192.168.0.0\",\"nh\":\"192.168.0.1\"}\n",
        ":end\n",
        "Router/ListRoutes\n",
        "RunningSum x:=1\n",
        "x:=2\n",
    );
    let out = rpc()
        .args(["repl", &grpc_url(&recorded_on), "--record"])
        .arg(record.path())
        .write_stdin(script)
        .output()
        .unwrap();
    assert_eq!(outcome(&out).0, 0, "{}", outcome(&out).2);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(record.path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["requests"].as_array().unwrap().len(), 3);
    assert_eq!(
        lines[0]["responses"],
        serde_json::json!([{"success": true}])
    );
    assert_eq!(lines[1]["responses"].as_array().unwrap().len(), 3);
    assert_eq!(lines[1]["responses"][2]["dest"], "192.168.0.0");
    assert_eq!(lines[2]["responses"], serde_json::json!([1, 3]));
    assert_eq!(lines[2]["status"], serde_json::json!({"code": 0}));

    // A fresh server answers the same; the same server again has six routes to list.
    let fresh = Serve::new().start();
    let replay = || {
        outcome(
            &rpc()
                .arg("replay")
                .arg(record.path())
                .args(["--endpoint", &grpc_url(&fresh)])
                .output()
                .unwrap(),
        )
    };
    let (status, stdout, stderr) = replay();
    assert_eq!((status, stdout.as_str()), (0, ""), "{stderr}");
    assert!(
        stderr.contains("replayed 3 calls: every answer is the same"),
        "{stderr}"
    );
    let (status, stdout, stderr) = replay();
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("1 changed"), "{stderr}");
    assert!(
        stdout.starts_with("changed: RPC Router/ListRoutes [{}] ("),
        "{stdout}"
    );
    assert!(
        !stdout.contains("response 3 of 6"),
        "the first three are the same: {stdout}"
    );
    assert!(
        stdout.contains("response 4 of 6 (new):\n+ {\n+   \"dest\": \"10.0.0.0\""),
        "{stdout}"
    );
    assert!(stdout.contains("response 6 of 6 (new):"), "{stdout}");
}

#[test]
fn an_answer_that_does_not_decode_is_an_invalid_answer_not_the_servers_status() {
    let server = Serve::new().start();
    // A schema that says Add answers a string where rpc serve sends an int64: the answer's bytes
    // do not decode as the message the client expects.
    let dir = tempfile::tempdir().unwrap();
    let proto = wrong_add_schema(dir.path());
    let (status, _, stderr) = call(&[
        "--schema",
        path_str(&proto),
        &grpc_url(&server),
        "Add",
        "2",
        "3",
    ]);
    assert_eq!(status, 4, "{stderr}");
    assert!(stderr.starts_with("rpc: invalid answer:"), "{stderr}");
}

/// A hostile HTTP/2 server (h2, the crate under hyper): every stream is answered with status
/// NOT_FOUND whose `grpc-status-details-bin` is not base64, in the headers ("Trailers-Only") for
/// `Add`, in the trailers after a 200 for anything else. Returns its port.
fn server_with_details_that_are_not_base64() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let Ok(mut connection) = h2::server::handshake(tcp).await else {
                        return;
                    };
                    while let Some(Ok((request, mut respond))) = connection.accept().await {
                        let status = |builder: http::response::Builder| {
                            builder
                                .header("grpc-status", "5")
                                .header("grpc-message", "gone%20away")
                                .header("grpc-status-details-bin", "!!not base64!!")
                        };
                        let head = http::Response::builder()
                            .status(200)
                            .header("content-type", "application/grpc");
                        if request.uri().path().ends_with("/Add") {
                            let _ = respond.send_response(status(head).body(()).unwrap(), true);
                        } else if let Ok(mut stream) =
                            respond.send_response(head.body(()).unwrap(), false)
                        {
                            let trailers = status(http::Response::builder()).body(()).unwrap();
                            let _ = stream.send_trailers(trailers.headers().clone());
                        }
                    }
                });
            }
        });
    });
    port
}

#[test]
fn a_status_whose_details_are_not_base64_is_the_servers_error_not_a_crash() {
    let port = server_with_details_that_are_not_base64();
    let proto = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/server/grpc/math.proto");
    let url = format!("grpc://127.0.0.1:{port}");
    for method in ["Add", "Sub"] {
        let (status, _, stderr) = call(&["--schema", path_str(&proto), &url, method, "2", "3"]);
        assert_eq!(status, 1, "{method}: {stderr}");
        assert!(
            stderr.contains("error NOT_FOUND (5): gone away"),
            "{method}: {stderr}"
        );
        assert!(stderr.contains("not base64"), "{method}: {stderr}");
        assert!(!stderr.contains("panicked"), "{method}: {stderr}");
    }
    // Reflection goes through the same check.
    let (status, _, stderr) = outcome(&rpc().args(["list", &url]).output().unwrap());
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("NOT_FOUND (5)") && stderr.contains("not base64"),
        "{stderr}"
    );
}

/// `grpc://HOST:PORT` has an empty path; another protocol over it posts to `/` (rpc serve answers
/// every protocol on its one port).
#[test]
fn a_grpc_url_with_another_protocol_posts_to_the_root() {
    let server = Serve::new().start();
    let (status, stdout, stderr) = call(&["-P", "json-rpc", &grpc_url(&server), "add", "2", "3"]);
    assert_eq!((status, stdout.as_str()), (0, "5\n"), "{stderr}");
}
