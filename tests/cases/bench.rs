//! `rpc bench`: every protocol runs and counts exactly what it was asked for, the `--json` report
//! has its shape, and failures are counted by kind. No timing is asserted: performance is measured
//! by bench/compare.sh, never here.

use super::support::{python_peer, rpc, stderr_of, stdout_of, wrong_add_schema, Serve};
use serde_json::Value;

/// Runs `rpc bench ARGS --json` and returns its report.
pub(super) fn bench_json(args: &[&str]) -> Value {
    let out = rpc()
        .arg("bench")
        .args(args)
        .arg("--json")
        .assert()
        .success();
    let stdout = stdout_of(&out);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn assert_all_ok(report: &Value, n: u64) {
    assert_eq!(report["requests"], n, "{report}");
    assert_eq!(report["ok"], n, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
}

#[test]
fn every_protocol_runs_the_count_asked_for_without_errors() {
    let server = Serve::new().start();
    let http = server.url();
    for proto in ["json-rpc", "xml-rpc", "reach"] {
        let report = bench_json(&[&http, "add", "2", "3", "-P", proto, "-n", "300", "-c", "4"]);
        assert_eq!(report["proto"], proto);
        assert_all_ok(&report, 300);
    }
    let report = bench_json(&[&server.tcp_url(), "add", "2", "3", "-n", "300", "-c", "4"]);
    assert_eq!(report["proto"], "raw-tcp");
    assert_all_ok(&report, 300);
}

#[test]
fn connections_per_call_and_pipelining_count_exactly() {
    let server = Serve::new().start();
    for target in [server.url(), server.tcp_url()] {
        let report = bench_json(&[
            &target,
            "mul",
            "3",
            "4",
            "-n",
            "120",
            "-c",
            "3",
            "--connections",
            "per-call",
        ]);
        assert_all_ok(&report, 120);
        assert_eq!(report["connects"], 120, "{report}");
        let report = bench_json(&[
            &target,
            "mul",
            "3",
            "4",
            "-n",
            "500",
            "-c",
            "2",
            "--pipeline",
            "8",
        ]);
        assert_all_ok(&report, 500);
        // Kept alive: at most one connection each (a fast run may be over before the second opens).
        assert!(report["connects"].as_u64().unwrap() <= 2, "{report}");
    }
}

#[test]
fn servers_that_close_after_each_answer_are_not_counted_as_failing() {
    // The tutorial server answers one request per connection, then closes; Python's XML-RPC
    // server speaks HTTP/1.0 and closes too. Calls written after the last answer go again.
    let tutorial = python_peer(&["tcp_tutorial_server.py"]);
    let report = bench_json(&[&tutorial.tcp_url(), "add", "2", "3", "-n", "60", "-c", "3"]);
    assert_all_ok(&report, 60);
    assert_eq!(report["connects"], 60, "{report}");

    let xml = python_peer(&["xmlrpc_server.py"]);
    let report = bench_json(&[
        &format!("{}/RPC2", xml.url()),
        "add",
        "2",
        "3",
        "-P",
        "xml-rpc",
        "-n",
        "60",
        "-c",
        "2",
        "--pipeline",
        "3",
    ]);
    assert_all_ok(&report, 60);
}

#[test]
fn json_report_has_throughput_latency_and_errors_by_kind() {
    let server = Serve::new().start();
    let report = bench_json(&[&server.url(), "echo", "hi", "-n", "50", "-c", "2"]);
    for key in ["requests_per_sec", "duration_secs"] {
        assert!(report[key].is_f64(), "{key}: {report}");
    }
    for key in ["min", "mean", "p50", "p90", "p99", "p99_9", "max"] {
        assert!(
            report["latency_ms"][key].is_f64(),
            "latency {key}: {report}"
        );
    }
    assert!(report["errors_by_kind"].as_object().unwrap().is_empty());
    assert_eq!(report["method"], "echo");
    assert_eq!(report["concurrency"], 2);
    assert_eq!(report["connections"], "keep-alive");
}

#[test]
fn failures_are_counted_by_kind() {
    let server = Serve::new().start();
    let report = bench_json(&[&server.url(), "nope", "-n", "40", "-c", "2"]);
    assert_eq!(report["requests"], 40);
    assert_eq!(report["ok"], 0);
    assert_eq!(
        report["errors_by_kind"]["server error -32601"], 40,
        "{report}"
    );
    assert!(report["latency_ms"].is_null());

    let report = bench_json(&[
        &server.tcp_url(),
        "div",
        "--params",
        "[1, 0]",
        "-n",
        "30",
        "-c",
        "2",
    ]);
    assert_eq!(
        report["errors_by_kind"]["server error 1000"], 30,
        "{report}"
    );

    let report = bench_json(&[
        &server.url(),
        "add",
        "1",
        "2",
        "-P",
        "reach",
        "-n",
        "30",
        "-c",
        "2",
    ]);
    assert_all_ok(&report, 30);
}

#[test]
fn a_closed_port_counts_connection_failures() {
    let port = {
        let server = Serve::new().start();
        server.port
    };
    let report = bench_json(&[&format!(":{port}"), "add", "1", "2", "-n", "5", "-c", "1"]);
    assert_eq!(report["requests"], 5);
    let kinds = report["errors_by_kind"].as_object().unwrap();
    assert!(kinds.keys().all(|k| k.starts_with("connect: ")), "{report}");
}

#[test]
fn text_report_without_a_terminal_has_no_progress_bar() {
    let server = Serve::new().start();
    let out = rpc()
        .args([
            "bench",
            &server.url(),
            "add",
            "2",
            "3",
            "-n",
            "100",
            "-c",
            "2",
        ])
        .assert()
        .success();
    let stdout = stdout_of(&out);
    let stderr = stderr_of(&out);
    assert!(stdout.contains("calls"), "{stdout}");
    assert!(stdout.contains("p99.9"), "{stdout}");
    assert!(stdout.contains("latency histogram"), "{stdout}");
    assert!(stderr.is_empty(), "nothing but the report: {stderr:?}");
}

#[test]
fn bad_settings_are_usage_errors() {
    for args in [
        &["bench", ":1", "add", "-n", "0"][..],
        &["bench", ":1", "add", "-c", "0"],
        &["bench", ":1", "add", "-d", "0"],
        &["bench", "https://localhost:1", "add"],
        &["bench", ":1", "add", "-n", "5", "-d", "1"],
    ] {
        rpc().args(args).assert().code(2);
    }
}

#[test]
fn grpc_unary_and_server_streams_are_counted_by_status_on_concurrent_streams() {
    let server = Serve::new().start();
    let url = format!("grpc://127.0.0.1:{}", server.port);
    let report = bench_json(&[
        &url,
        "Add",
        "2",
        "3",
        "-n",
        "300",
        "-c",
        "2",
        "--streams",
        "8",
    ]);
    assert_eq!(
        (&report["proto"], &report["streams"]),
        (&"grpc".into(), &8.into())
    );
    assert_all_ok(&report, 300);
    assert_eq!(report["connects"], 2, "{report}");
    assert_eq!(report["messages"], 300, "{report}");
    // A server stream is one call of several messages.
    let report = bench_json(&[&url, "Count", "5", "-n", "40", "-c", "2", "-m", "2"]);
    assert_all_ok(&report, 40);
    assert_eq!(report["messages"], 200, "{report}");
    let report = bench_json(&[&url, "Div", "1", "0", "-n", "50", "-c", "1"]);
    assert_eq!(report["ok"], 0, "{report}");
    assert_eq!(
        report["errors_by_kind"],
        serde_json::json!({"status INVALID_ARGUMENT (3)": 50})
    );
    let report = bench_json(&[
        &url,
        "Add",
        "2",
        "3",
        "-n",
        "20",
        "--connections",
        "per-call",
    ]);
    assert_all_ok(&report, 20);
    assert_eq!(report["connects"], 20, "{report}");
    // A stream that never ends (health Watch) is cut by the end of a -d run, and not counted.
    let started = std::time::Instant::now();
    let report = bench_json(&[
        &url,
        "Health/Watch",
        "service:=Router",
        "-d",
        "1",
        "-c",
        "1",
    ]);
    assert_eq!(report["requests"], 0, "{report}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn grpc_against_the_seeds_python_server_and_answers_that_do_not_decode() {
    let server = python_peer(&["grpc_route_server.py", "--reflection"]);
    let url = format!("grpc://127.0.0.1:{}", server.port);
    let report = bench_json(&[
        &url,
        "GetRoute",
        "network:=10.0.0.0",
        "-n",
        "100",
        "-c",
        "2",
    ]);
    assert_all_ok(&report, 100);
    let report = bench_json(&[&url, "ListRoutes", "-n", "50", "-c", "1", "--streams", "4"]);
    assert_all_ok(&report, 50);
    // A schema that says Add answers a string where rpc serve sends an int64: invalid, not ok.
    let served = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let proto = wrong_add_schema(dir.path());
    let url = format!("grpc://127.0.0.1:{}", served.port);
    let schema = proto.to_str().unwrap();
    let report = bench_json(&[
        "--schema", schema, &url, "Add", "2", "3", "-n", "10", "-c", "1",
    ]);
    assert_eq!(
        report["errors_by_kind"],
        serde_json::json!({"invalid answer": 10})
    );
    // A client stream is not a load rpc bench makes.
    let out = rpc()
        .args(["bench", &url, "Router/AddRoutes", "-n", "1"])
        .assert()
        .code(2);
    assert!(stderr_of(&out).contains("Router/AddRoutes takes a stream"));
}
