//! raw-tcp through the proxy: the bytes go through unchanged as they come (a half-close is passed
//! on), while each direction is cut into JSON values by the protocol's own framer: each request is
//! logged as a call, each answer matched to the oldest call not yet answered (answers come in
//! order on one connection).

use super::log::{Answered, Carrier, Way};
use super::Shared;
use crate::protocol::rawtcp::{decode_answer, decode_request, Framer};
use crate::protocol::{codes, Fault, Proto};
use serde_json::{json, Value as Json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// The calls of a connection waiting for their answers, oldest first.
#[derive(Default)]
struct Queue {
    pending: VecDeque<Pending>,
    /// Bytes of the requests in `pending`.
    bytes: usize,
    /// Calls forgotten at the front (over `--max-pending` calls or `--max-body` bytes) whose
    /// answers have not come yet: their answers, when they come (in order), are counted off and
    /// shown without their call.
    forgotten: u64,
}

impl Queue {
    /// Remembers a call, forgetting the oldest ones over `max_calls` or `max_bytes`.
    fn push(&mut self, call: Pending, max_calls: usize, max_bytes: usize) {
        self.bytes += call.size;
        self.pending.push_back(call);
        while self.pending.len() > max_calls.max(1)
            || (self.bytes > max_bytes && self.pending.len() > 1)
        {
            if let Some(old) = self.pending.pop_front() {
                self.bytes -= old.size;
                self.forgotten += 1;
            }
        }
    }

    /// The call the next answer belongs to; None when it belongs to a forgotten one.
    fn answered(&mut self) -> Option<Pending> {
        if self.forgotten > 0 {
            self.forgotten -= 1;
            return None;
        }
        let call = self.pending.pop_front()?;
        self.bytes -= call.size;
        Some(call)
    }
}

/// A call seen going to the server and not answered yet.
struct Pending {
    method: String,
    params: Json,
    sent: Instant,
    /// The request's bytes.
    size: usize,
}

/// After the last call in flight is answered at shutdown, how long its answer is given to be
/// written to the client before the connection is closed.
const LAST_WRITE: Duration = Duration::from_millis(100);

/// Forwards one raw-tcp connection, logging every call and answer, until both sides have closed;
/// once `shutdown` comes, until no call is waiting for its answer (at most `--drain-timeout`).
pub async fn forward<C>(mut client: C, conn: u64, shared: &Arc<Shared>, shutdown: CancellationToken)
where
    C: AsyncRead + AsyncWrite + Unpin + Send,
{
    let max = usize::try_from(shared.config.limits.max_body).unwrap_or(usize::MAX);
    let queue: Mutex<Queue> = Mutex::default();
    let activity = super::tunnel::Activity::new();
    let log = &shared.log;
    let mut requests = Reader::new(max);
    let mut answers = Reader::new(max);
    let on_request = |bytes: &[u8]| {
        log.bytes(conn, Way::Request, bytes);
        for frame in requests.frames(bytes, conn, Way::Request, shared) {
            // A value that is no call still gets an answer (the server's error): it keeps its
            // place in the queue, so the answers after it meet their own calls.
            let call = match decode_request(&frame, crate::protocol::Limits::CLIENT) {
                Ok(call) => {
                    let params = call.params.to_json();
                    log.call(conn, Proto::RawTcp, &call.method, &params);
                    Pending {
                        method: call.method,
                        params,
                        sent: Instant::now(),
                        size: frame.len(),
                    }
                }
                Err(_) => {
                    log.undecoded(conn, Way::Request, "not a raw-tcp call", &frame);
                    Pending {
                        method: "(not a call)".into(),
                        params: Json::Null,
                        sent: Instant::now(),
                        size: 0,
                    }
                }
            };
            let mut queue = super::lock(&queue);
            queue.push(call, shared.config.limits.max_pending, max);
            activity.set_waiting(queue.pending.len());
        }
    };
    let on_answer = |bytes: &[u8]| {
        log.bytes(conn, Way::Answer, bytes);
        for frame in answers.frames(bytes, conn, Way::Answer, shared) {
            let call = {
                let mut queue = super::lock(&queue);
                let call = queue.answered();
                activity.set_waiting(queue.pending.len());
                call
            };
            let Some(call) = call else {
                log.undecoded(conn, Way::Answer, "an answer to no call remembered", &frame);
                continue;
            };
            let outcome = match decode_answer(&frame) {
                Ok(Ok(value)) => Ok(value.to_json()),
                Ok(Err(fault)) => Err(fault.to_json()),
                Err(_) => {
                    log.undecoded(conn, Way::Answer, "not a JSON value", &frame);
                    continue;
                }
            };
            log.answer(&Answered {
                conn,
                proto: Proto::RawTcp,
                method: &call.method,
                params: &call.params,
                outcome: outcome.as_ref(),
                duration: call.sent.elapsed(),
                carrier: Carrier::Native,
            });
        }
    };
    let upstream = match shared.connect_upstream(&[]).await {
        Ok(upstream) => upstream,
        Err(e) => return unreachable(&mut client, conn, shared, &e.to_string()).await,
    };
    let (client_read, client_write) = tokio::io::split(client);
    let (server_read, server_write) = tokio::io::split(upstream);
    let idle = (shared.config.limits.idle_timeout, &activity);
    let pumps = async {
        tokio::join!(
            super::tunnel::pump(client_read, server_write, idle, on_request),
            super::tunnel::pump(server_read, client_write, idle, on_answer)
        )
    };
    let drained = async {
        shutdown.cancelled().await;
        let deadline = Instant::now() + shared.config.limits.drain_timeout;
        while !super::lock(&queue).pending.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(LAST_WRITE).await;
    };
    tokio::select! {
        _ = pumps => {}
        () = drained => {}
    }
    for call in super::lock(&queue).pending.drain(..) {
        log.note(
            conn,
            &format!("RPC {} {} got no answer", call.method, call.params),
        );
    }
}

/// The server cannot be reached: the client gets a raw-tcp error object, as a server that failed
/// would answer, and the connection is closed.
async fn unreachable(
    client: &mut (impl AsyncRead + AsyncWrite + Unpin),
    conn: u64,
    shared: &Shared,
    why: &str,
) {
    let message = format!("rpc proxy: cannot reach the server: {why}");
    shared.log.note(conn, &message);
    let fault = Fault::new(codes::INTERNAL_ERROR, message);
    let mut answer = json!({ "error": fault.to_json() }).to_string().into_bytes();
    answer.push(b'\n');
    let _ = client.write_all(&answer).await;
    crate::server::rawtcp::close_gently(client).await;
}

/// One direction's framer; after a value it cannot frame (too large, broken), it stops reading
/// that direction (the bytes still pass).
struct Reader {
    framer: Framer,
    broken: bool,
}

impl Reader {
    fn new(max: usize) -> Reader {
        Reader {
            framer: Framer::new(max),
            broken: false,
        }
    }

    /// The complete values the bytes finish; an empty chunk is the end of the stream.
    fn frames(&mut self, bytes: &[u8], conn: u64, way: Way, shared: &Shared) -> Vec<Vec<u8>> {
        if self.broken {
            return Vec::new();
        }
        let mut frames = Vec::new();
        let end = bytes.is_empty();
        self.framer.push(bytes);
        loop {
            let next = if end {
                self.framer.finish()
            } else {
                self.framer.next_frame()
            };
            match next {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(e) => {
                    self.broken = true;
                    shared
                        .log
                        .undecoded(conn, way, &format!("raw-tcp framing: {e}"), bytes);
                    break;
                }
            }
            if end && !self.framer.has_partial() {
                break;
            }
        }
        // A bare token (`5`) ends with the chunk that carried it: answers are written whole.
        if !end {
            if let Some(Ok(frame)) = self.framer.end_token() {
                frames.push(frame);
            }
        }
        frames
    }
}
