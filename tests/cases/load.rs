//! A bounded load test: hundreds of concurrent clients over every protocol at once, every answer
//! checked, then the server's memory bounded. Counts are fixed and the whole run has a deadline, so
//! the test ends on a slow machine too; it asserts correctness, not speed.

use super::support::{http, Serve};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CLIENTS_PER_PROTOCOL: u64 = 60;
const CALLS_PER_CLIENT: u64 = 5;
const DEADLINE: Duration = Duration::from_secs(120);

/// One client: `CALLS_PER_CLIENT` calls of `add(client, call)` over `proto`; Err names the first
/// wrong answer.
fn client(port: u16, proto: &str, client: u64) -> Result<(), String> {
    let mut raw_tcp = None;
    for call in 0..CALLS_PER_CLIENT {
        let (a, b) = (client * 1000, call);
        let sum = (a + b).to_string();
        let ok = match proto {
            "json-rpc" => {
                let body =
                    format!(r#"{{"jsonrpc":"2.0","method":"add","params":[{a},{b}],"id":{call}}}"#);
                let reply = http(port, "POST", "/", &body);
                reply.status == 200
                    && reply.body == format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":{call}}}"#)
            }
            "xml-rpc" => {
                let body = format!(
                    "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
                     <param><value><int>{a}</int></value></param>\
                     <param><value><int>{b}</int></value></param></params></methodCall>"
                );
                let reply = http(port, "POST", "/RPC2", &body);
                reply.status == 200
                    && reply.body.contains(&format!(">{sum}</"))
                    && !reply.body.contains("<fault>")
            }
            "reach" => {
                let reply = http(port, "POST", "/add", &format!("[{a},{b}]"));
                reply.status == 200 && reply.body.trim() == sum
            }
            _ => {
                // One raw-tcp connection carries all of this client's calls, one after another.
                let conn = match &mut raw_tcp {
                    Some(conn) => conn,
                    None => raw_tcp.insert(connect(port)?),
                };
                raw_tcp_call(conn, &format!(r#"["add",{a},{b}]"#))? == sum
            }
        };
        if !ok {
            return Err(format!("{proto} client {client} call {call}: wrong answer"));
        }
    }
    Ok(())
}

fn connect(port: u16) -> Result<BufReader<TcpStream>, String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    Ok(BufReader::new(stream))
}

fn raw_tcp_call(conn: &mut BufReader<TcpStream>, request: &str) -> Result<String, String> {
    conn.get_mut()
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    conn.read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end().to_owned())
}

#[test]
fn hundreds_of_concurrent_clients_on_every_protocol_all_get_right_answers() {
    let server = Serve::new().start();
    let port = server.port;
    let (tx, rx) = mpsc::channel();
    let protocols = ["json-rpc", "xml-rpc", "reach", "raw-tcp"];
    for proto in protocols {
        for n in 0..CLIENTS_PER_PROTOCOL {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let _ = tx.send(client(port, proto, n));
            });
        }
    }
    drop(tx);
    let total = protocols.len() as u64 * CLIENTS_PER_PROTOCOL;
    let deadline = Instant::now() + DEADLINE;
    let mut failures = Vec::new();
    for _ in 0..total {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(e),
            Err(_) => panic!("not every client finished within {DEADLINE:?}"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let kib = server.rss_kib();
    assert!(kib < 64 * 1024, "server RSS after the load is {kib} KiB");
}
