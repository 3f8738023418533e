//! The client fails safely against hostile or broken servers: redirects are reported, not followed;
//! endless or huge answers stop at --max-response; silence stops at -t. Each exits with the
//! contract's code and says what happened. The peers here are plain sockets in the test itself.

use super::support::rpc;
use predicates::prelude::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A listener on a free port whose first `connections` connections are each handed to `behave`
/// on their own thread.
fn peer(connections: usize, behave: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections).flatten() {
            std::thread::spawn(move || behave(stream));
        }
    });
    port
}

/// Reads what the client sends until the end of its headers (and a little more), so the answer
/// does not race the request.
fn read_request(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Writes `chunk` again and again, up to 256 MiB, until the client hangs up.
fn stream_forever(stream: &mut TcpStream, chunk: &[u8]) {
    for _ in 0..(256 << 20) / chunk.len() {
        if stream.write_all(chunk).is_err() {
            return;
        }
    }
}

/// A peer answering every request with a 307 to `location`.
fn redirecting_peer(location: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(4).flatten() {
            read_request(&mut stream);
            let _ = write!(
                stream,
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    port
}

#[test]
fn a_redirect_to_another_port_is_reported_not_followed() {
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let target = format!(
        "http://127.0.0.1:{}/",
        elsewhere.local_addr().unwrap().port()
    );
    let port = redirecting_peer(target.clone());
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
    let port = peer(1, |mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let mut chunk = b"10000\r\n".to_vec();
        chunk.extend(std::iter::repeat_n(b'[', 0x10000));
        chunk.extend_from_slice(b"\r\n");
        stream_forever(&mut stream, &chunk);
    });
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
    let port = peer(1, |mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n[",
        );
        std::thread::sleep(Duration::from_secs(30));
    });
    rpc()
        .args(["call", "-t", "20", "--max-response", "1000"])
        .args([&format!("http://127.0.0.1:{port}/"), "add", "1", "2"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("larger than 1000 bytes"));
}

#[test]
fn an_endless_raw_tcp_answer_stops_at_max_response() {
    let port = peer(1, |mut stream| {
        // A string that never ends: no framer can cut a value out of it.
        let _ = stream.write_all(b"\"");
        stream_forever(&mut stream, &[b'a'; 65536]);
    });
    rpc()
        .args(["call", "-t", "30", "--max-response", "1000000"])
        .args([&format!("tcp://127.0.0.1:{port}"), "add", "1", "2"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("larger than 1000000 bytes"));
}

#[test]
fn a_raw_tcp_server_that_never_answers_hits_the_timeout() {
    let port = peer(1, |mut stream| {
        let mut sink = [0u8; 1024];
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
    });
    let start = std::time::Instant::now();
    rpc()
        .args(["call", "-t", "1"])
        .args([&format!("tcp://127.0.0.1:{port}"), "add", "1", "2"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("timed out"));
    assert!(start.elapsed() < Duration::from_secs(15));
}
