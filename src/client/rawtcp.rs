//! Raw-TCP JSON client: writes `["method", args…]`, reads one JSON value back (see
//! [`crate::protocol::rawtcp`] for the framing), whether the server then closes or stays open.
//!
//! A batch goes on one connection: the first request goes alone, because a tutorial-style server
//! reads once with `recv(1024)` and would choke on two requests in one read; once its answer came
//! without the server closing, the rest are written at once (pipelined) and read back in order.
//! When the server closes instead, the calls still unanswered go on a new connection, the same way.

use super::failure::{Cause, TransportError};
use super::Options;
use super::{Client, Mode, Wire};
use crate::connect::Place;
use crate::error::{Error, Result};
use crate::protocol::answer::Reply;
use crate::protocol::rawtcp::{self, FrameError, Framer, Read};
use crate::protocol::{Call, Outcome};
use crate::trace::Direction;
use std::io::ErrorKind;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use url::Url;

/// How long a bare-number answer may be followed by silence before it is taken as complete
/// (servers that neither close nor end the answer with a newline); see `read_frame`.
const TOKEN_GRACE: Duration = Duration::from_millis(200);

/// The client's settings for raw-tcp: where to connect, the whole exchange's timeout and the
/// answer size bound.
#[derive(Debug, Clone)]
pub struct TcpSettings {
    place: Place,
    timeout: Option<Duration>,
    max_answer: usize,
}

impl TcpSettings {
    /// The raw-tcp part of `options` (`-t`, `--max-response`) for `place`: a TCP address or a
    /// Unix socket (a child process gets a connection per batch, which raw-tcp's reconnecting
    /// needs: not offered).
    pub fn new(options: &Options, place: Place) -> Result<TcpSettings> {
        if place.is_child() {
            return Err(Error::usage(
                "raw-tcp reconnects when a server closes, which a child process cannot do: use \
                 -P json-rpc (objects on the child's stdin and stdout)",
            ));
        }
        Ok(TcpSettings {
            place,
            timeout: options.timeout,
            max_answer: usize::try_from(options.max_response).unwrap_or(usize::MAX),
        })
    }
}

/// `HOST:PORT` of the endpoint; a `tcp://` URL has no default port, so it must name one.
pub fn target(url: &Url) -> Result<String> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().ok_or_else(|| {
        Error::usage(format!(
            "{url} names no port: raw-tcp endpoints are tcp://HOST:PORT"
        ))
    })?;
    Ok(format!("{host}:{port}"))
}

/// The bytes of every call, each request followed by a newline.
fn encode_all(calls: &[Call]) -> Result<Vec<Vec<u8>>> {
    calls
        .iter()
        .map(|call| rawtcp::encode_request(call).map_err(Error::usage))
        .collect()
}

fn refuse_notify(mode: Mode) -> Result<()> {
    if mode == Mode::Notify {
        return Err(Error::usage(
            "raw-tcp has no notifications: every request is answered (drop --notify)",
        ));
    }
    Ok(())
}

/// What `--dry-run` shows: where it would connect and the bytes it would write there.
pub fn preview(client: &Client, calls: &[Call], mode: Mode) -> Result<Wire> {
    refuse_notify(mode)?;
    Ok(Wire::Tcp {
        addr: client.tcp()?.place.shown(),
        bytes: encode_all(calls)?.concat(),
    })
}

pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    refuse_notify(mode)?;
    let requests = encode_all(calls)?;
    let target = client.tcp()?.place.shown();
    client.trace_calls(calls);
    let work = exchange_all(client, &target, calls, &requests);
    match client.tcp()?.timeout {
        None => work.await,
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .map_err(|_| Error::transport(target.as_str(), Cause::TimedOut(limit)))?,
    }
}

/// Sends every call and collects one outcome each, in order, over as few connections as the
/// server allows. Every connection answers at least one call or fails, so this always ends.
async fn exchange_all(
    client: &Client,
    target: &str,
    calls: &[Call],
    requests: &[Vec<u8>],
) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::with_capacity(calls.len());
    while outcomes.len() < calls.len() {
        let mut conn = Connection::open(client, target).await?;
        let first = outcomes.len();
        conn.send(&requests[first..=first])
            .await
            .map_err(|e| conn.io_error(e))?;
        let (outcome, closed) = match conn.receive().await? {
            Received::Answer { outcome, closed } => (outcome, closed),
            Received::Closed => {
                return Err(Error::protocol(format!(
                    "{target} closed the connection without answering"
                )))
            }
        };
        record(client, &calls[first], outcome, &mut outcomes);
        if !closed && outcomes.len() < calls.len() {
            pipeline_rest(client, &mut conn, calls, requests, &mut outcomes).await?;
        }
    }
    Ok(outcomes)
}

/// Writes every unanswered request at once, then reads answers until all came or the server closed.
async fn pipeline_rest(
    client: &Client,
    conn: &mut Connection<'_>,
    calls: &[Call],
    requests: &[Vec<u8>],
    outcomes: &mut Vec<Outcome>,
) -> Result<()> {
    if let Err(e) = conn.send(&requests[outcomes.len()..]).await {
        // A server that closed after its first answer makes this write fail; reconnect.
        return if is_reset(&e) {
            Ok(())
        } else {
            Err(conn.io_error(e))
        };
    }
    while outcomes.len() < calls.len() {
        match conn.receive().await? {
            Received::Answer { outcome, closed } => {
                record(client, &calls[outcomes.len()], outcome, outcomes);
                if closed {
                    break;
                }
            }
            Received::Closed => break,
        }
    }
    Ok(())
}

fn record(client: &Client, call: &Call, outcome: Outcome, outcomes: &mut Vec<Outcome>) {
    client
        .trace
        .answer(&call.method, &call.params.to_json(), &outcome);
    outcomes.push(outcome);
}

/// What one read from the server gave.
enum Received {
    /// One answer; `closed` when the server closed right after it.
    Answer { outcome: Outcome, closed: bool },
    /// The server closed (or reset) the connection between answers.
    Closed,
}

/// One connection to the server (TCP or a Unix socket), with the framer that cuts its answers.
struct Connection<'a> {
    client: &'a Client,
    target: &'a str,
    stream: Box<dyn crate::connect::Stream>,
    framer: Framer,
}

impl<'a> Connection<'a> {
    async fn open(client: &'a Client, target: &'a str) -> Result<Connection<'a>> {
        let settings = client.tcp()?;
        let opened =
            crate::connect::open(&settings.place, &Default::default(), client.trace).await?;
        let (stream, _) = opened.into_stream();
        Ok(Connection {
            client,
            target,
            stream,
            framer: Framer::new(client.tcp()?.max_answer),
        })
    }

    /// Writes the requests in one go, logging each.
    async fn send(&mut self, requests: &[Vec<u8>]) -> std::io::Result<()> {
        for request in requests {
            self.client
                .trace
                .wire(Direction::Sent, trim_newline(request));
        }
        self.stream.write_all(&requests.concat()).await
    }

    async fn receive(&mut self) -> Result<Received> {
        let read = match rawtcp::read_frame(&mut self.stream, &mut self.framer, Some(TOKEN_GRACE))
            .await
        {
            Ok(Ok(read)) => read,
            Ok(Err(e)) => return Err(self.frame_error(e)),
            // A reset between answers is how some servers close; inside an answer it truncates it.
            Err(e) if is_reset(&e) && !self.framer.has_partial() => return Ok(Received::Closed),
            Err(e) if is_reset(&e) => return Err(self.frame_error(FrameError::Truncated)),
            Err(e) => return Err(self.io_error(e)),
        };
        let Read::Value { frame, closed } = read else {
            return Ok(Received::Closed);
        };
        self.client.trace.wire(Direction::Received, &frame);
        let reply = Reply::Frame(&frame);
        let outcome = match self.client.read_answer(reply, 1, Mode::Single) {
            Ok(outcomes) => outcomes.into_iter().next(),
            Err(Error::Protocol(e)) => {
                return Err(Error::protocol(format!(
                    "{} answered something that is {e}",
                    self.target
                )))
            }
            Err(e) => return Err(e),
        };
        let outcome = outcome.ok_or_else(|| Error::internal("the raw-tcp rule gave no outcome"))?;
        Ok(Received::Answer { outcome, closed })
    }

    fn frame_error(&self, e: FrameError) -> Error {
        match e {
            FrameError::TooLarge(limit) => Error::protocol(format!(
                "the answer from {} is larger than {limit} bytes (raise --max-response)",
                self.target
            )),
            FrameError::Truncated => Error::protocol(format!(
                "{} closed the connection before a full JSON value came",
                self.target
            )),
        }
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        Error::Transport(TransportError::from_io(self.target, e))
    }
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}

fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_urls_need_a_port() {
        assert_eq!(
            target(&Url::parse("tcp://h:9").unwrap()).unwrap(),
            "h:9".to_owned()
        );
        assert!(target(&Url::parse("tcp://h").unwrap()).is_err());
        assert_eq!(
            target(&Url::parse("http://h").unwrap()).unwrap(),
            "h:80".to_owned()
        );
    }
}
