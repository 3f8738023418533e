//! The client fails safely against hostile or broken servers: redirects are reported, not followed;
//! endless or huge answers stop at --max-response; silence stops at -t. Each exits with the
//! contract's code and says what happened. The peers here are `FakeServer`s.

use super::support::{http_answer, rpc, FakeServer};
use predicates::prelude::*;
use std::net::TcpListener;
use std::time::Duration;

/// A peer answering every request with a 307 to `location`.
fn redirecting_peer(location: &str) -> FakeServer {
    FakeServer::answering(http_answer(
        "307 Temporary Redirect",
        &format!("Location: {location}\r\n"),
        "",
    ))
}

#[test]
fn a_redirect_to_another_port_is_reported_not_followed() {
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let target = format!(
        "http://127.0.0.1:{}/",
        elsewhere.local_addr().unwrap().port()
    );
    let peer = redirecting_peer(&target);
    let port = peer.port;
    for proto in ["json-rpc", "xml-rpc", "reach"] {
        rpc()
            .args(["call", "-t", "10", "-P", proto, "--api-key", "s3cret"])
            .args([&format!("http://127.0.0.1:{port}/"), "add", "1", "2"])
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains("HTTP 307")
                    .and(predicate::str::contains(format!("redirects to {target}")))
                    .and(predicate::str::contains("does not follow redirects")),
            );
    }
    assert!(
        elsewhere.accept().is_err(),
        "the redirect target got a connection"
    );
}

#[test]
fn an_endless_http_answer_stops_at_max_response() {
    let mut chunk = b"10000\r\n".to_vec();
    chunk.extend(std::iter::repeat_n(b'[', 0x10000));
    chunk.extend_from_slice(b"\r\n");
    let peer = FakeServer::endless(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunk,
    );
    let port = peer.port;
    rpc()
        .args(["call", "-t", "30", "--max-response", "1000000"])
        .args([&format!("http://127.0.0.1:{port}/"), "add", "1", "2"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "larger than 1000000 bytes (raise --max-response)",
        ));
}

#[test]
fn a_huge_declared_answer_is_refused_before_reading_it() {
    let peer = FakeServer::holding(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n[",
    );
    let port = peer.port;
    rpc()
        .args(["call", "-t", "20", "--max-response", "1000"])
        .args([&format!("http://127.0.0.1:{port}/"), "add", "1", "2"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("larger than 1000 bytes"));
}

#[test]
fn an_endless_raw_tcp_answer_stops_at_max_response() {
    // A string that never ends: no framer can cut a value out of it.
    let peer = FakeServer::endless(b"\"", [b'a'; 65536]);
    let port = peer.port;
    rpc()
        .args(["call", "-t", "30", "--max-response", "1000000"])
        .args([&format!("tcp://127.0.0.1:{port}"), "add", "1", "2"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("larger than 1000000 bytes"));
}

#[test]
fn a_raw_tcp_server_that_never_answers_hits_the_timeout() {
    let peer = FakeServer::silent();
    let port = peer.port;
    let start = std::time::Instant::now();
    rpc()
        .args(["call", "-t", "1"])
        .args([&format!("tcp://127.0.0.1:{port}"), "add", "1", "2"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("timed out"));
    assert!(start.elapsed() < Duration::from_secs(15));
}
