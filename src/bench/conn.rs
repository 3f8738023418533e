//! One connection of the load: open it, write the pre-encoded request (or several back to back
//! when pipelining), read and check each answer, send the next as soon as one comes, reopen when
//! the server closes. Nothing is encoded or allocated per call but the decoder's check of the
//! answer; everything a call shares with the others is in [`Plan`].

use super::answer::{self, HttpAnswer};
use super::stats::{Failure, Stats};
use crate::connect::Conn;
use crate::protocol::rawtcp::Framer;
use crate::protocol::Proto;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes read from the socket at a time, at least.
const READ_CHUNK: usize = 16 * 1024;

/// Everything the connections share: where, what, how, and when to stop.
pub struct Plan {
    /// Where each connection goes.
    pub dial: Dial,
    /// The requests are JSON values on a byte stream (raw-tcp, JSON-RPC on a socket), not HTTP.
    pub stream: bool,
    pub proto: Proto,
    /// For gRPC, what each stream sends and how its answer is read ([`super::grpc`]);
    /// `requests` is then empty.
    pub grpc: Option<super::grpc::Target>,
    /// For a `ws://` endpoint, the handshake and the message each frame carries
    /// ([`super::websocket`]); `dial` is then [`Dial::WebSocket`].
    pub websocket: Option<super::websocket::Target>,
    /// The request, `depth` times back to back: a pipelined refill writes a prefix of it.
    pub requests: Vec<u8>,
    pub request_len: usize,
    /// Requests in flight per connection (gRPC: concurrent streams).
    pub depth: usize,
    pub per_call: bool,
    pub timeout: Duration,
    pub clock: Clock,
    /// `-n`: the number of counted calls.
    pub limit: Option<u64>,
    /// Counted calls handed out so far.
    pub issued: AtomicU64,
    /// Counted calls answered (or failed) so far, for the progress bar.
    pub done: AtomicU64,
}

/// Where the load generator connects: a TCP address (resolved once), a Unix socket, or a child
/// process (one started per connection, its stdin and stdout the stream; killed when done).
#[derive(Debug, Clone)]
pub enum Dial {
    Tcp(SocketAddr),
    Unix(std::path::PathBuf),
    Child(Vec<String>, crate::connect::ChildOptions),
    /// Opened by the WebSocket handshake ([`super::websocket::drive`]), through rpc's HTTP
    /// connection code (proxies, TLS): not by [`Dial::connect`].
    WebSocket,
}

impl Dial {
    /// A new connection, within `timeout`; for `per_call` a TCP one that closes with a reset
    /// (see [`drive`]).
    pub async fn connect(&self, timeout: Duration, per_call: bool) -> Result<Conn, Failure> {
        let opened = async {
            match self {
                Dial::Tcp(addr) => {
                    let stream = TcpStream::connect(addr).await?;
                    // Requests are small and written whole: waiting to fill a packet only adds
                    // latency.
                    let _ = stream.set_nodelay(true);
                    if per_call {
                        // Closed with a reset once answered, as load generators do: a normal
                        // close leaves every connection in TIME_WAIT here for a minute, and at
                        // thousands of connections a second the kernel's search for a free local
                        // port then costs more than the call.
                        let _ = stream.set_zero_linger();
                    }
                    Ok(Conn::new(stream))
                }
                Dial::Unix(path) => Ok(Conn::new(tokio::net::UnixStream::connect(path).await?)),
                Dial::WebSocket => Err(std::io::Error::from(std::io::ErrorKind::Unsupported)),
                Dial::Child(words, options) => {
                    let place = crate::connect::Place::Child(words.clone());
                    let quiet = crate::trace::Trace::default();
                    match crate::connect::open(&place, options, quiet).await {
                        Ok(connection) => Ok(Conn::from(connection)),
                        // Only spawning fails here: the command is not there or not runnable.
                        Err(_) => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
                    }
                }
            }
        };
        match tokio::time::timeout(timeout, opened).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(e)) => Err(Failure::Connect(std::io::Error::kind(&e))),
            Err(_) => Err(Failure::Timeout),
        }
    }
}

/// The run's phases: warm-up until `measure_from`, then counted calls until `deadline` (or `-n`).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub measure_from: Instant,
    pub deadline: Option<Instant>,
}

/// The right to send one more call, and whether it counts.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    counted: bool,
}

/// A request written and not answered yet.
pub struct InFlight {
    sent: Instant,
    counted: bool,
}

impl InFlight {
    /// A call sent now.
    pub fn new(ticket: Ticket) -> InFlight {
        InFlight {
            sent: Instant::now(),
            counted: ticket.counted,
        }
    }
}

/// How a connection's session ended.
enum Next {
    Reopen,
    Stop,
}

impl Plan {
    /// The next call to send, or None once the run is over.
    pub fn ticket(&self, now: Instant) -> Option<Ticket> {
        if now < self.clock.measure_from {
            return Some(Ticket { counted: false });
        }
        if self.clock.deadline.is_some_and(|deadline| now >= deadline) {
            return None;
        }
        if let Some(limit) = self.limit {
            if self.issued.fetch_add(1, Ordering::Relaxed) >= limit {
                return None;
            }
        }
        Some(Ticket { counted: true })
    }

    /// Tops `in_flight` up to `depth` calls; true once the run has no more to hand out.
    pub fn refill(&self, in_flight: &mut VecDeque<InFlight>, depth: usize) -> bool {
        while in_flight.len() < depth {
            match self.ticket(Instant::now()) {
                Some(ticket) => in_flight.push_back(InFlight::new(ticket)),
                None => return true,
            }
        }
        false
    }

    fn requests_for(&self, count: usize) -> &[u8] {
        &self.requests[..count * self.request_len]
    }
}

/// Calls counted on a thread before the shared progress count hears of them: one shared atomic
/// touched per call by every thread would bounce its cache line between cores.
const PROGRESS_BATCH: u64 = 64;

/// Counts what happened to one call.
pub fn settle(plan: &Plan, stats: &RefCell<Stats>, call: InFlight, result: Result<(), Failure>) {
    if !call.counted {
        return;
    }
    let mut stats = stats.borrow_mut();
    match result {
        Ok(()) => stats.record_ok(call.sent.elapsed()),
        Err(failure) => stats.record_failure(failure),
    }
    if stats.total().is_multiple_of(PROGRESS_BATCH) {
        plan.done.fetch_add(PROGRESS_BATCH, Ordering::Relaxed);
    }
}

/// Drives one connection (reopened as needed) until the run is over; returns when it ended.
pub async fn drive(plan: &Plan, stats: &RefCell<Stats>) -> Instant {
    let mut buf = Vec::with_capacity(READ_CHUNK * 2);
    let mut checked = answer::Checked::default();
    // Calls sent on a connection the server closed after answering earlier ones: they were never
    // seen, so they go again on the next connection (see `session`).
    let mut carried = VecDeque::new();
    loop {
        if carried.is_empty() {
            let Some(first) = plan.ticket(Instant::now()) else {
                return Instant::now();
            };
            carried.push_back(InFlight {
                sent: Instant::now(),
                counted: first.counted,
            });
        }
        let stream = match plan.dial.connect(plan.timeout, plan.per_call).await {
            Ok(stream) => stream,
            Err(failure) => {
                fail_all(plan, stats, &mut carried, failure);
                continue;
            }
        };
        stats.borrow_mut().connects += 1;
        let next = session(plan, stats, stream, &mut carried, &mut buf, &mut checked).await;
        if let Next::Stop = next {
            if carried.is_empty() {
                return Instant::now();
            }
        }
    }
}

/// Sends and answers calls on one open connection until it must be reopened or the run is over.
/// `carried` holds the calls to send first, and on return those to send again elsewhere: a server
/// may close a connection after any answer (HTTP `Connection: close`, a raw-tcp server that
/// answers once), and calls written after that answer were never read, so they are not failures.
async fn session(
    plan: &Plan,
    stats: &RefCell<Stats>,
    mut stream: Conn,
    carried: &mut VecDeque<InFlight>,
    buf: &mut Vec<u8>,
    checked: &mut answer::Checked,
) -> Next {
    buf.clear();
    let mut framer = plan.stream.then(|| Framer::new(usize::MAX));
    let mut in_flight = std::mem::take(carried);
    let mut answered = 0u64;
    let depth = if plan.per_call { 1 } else { plan.depth };
    let mut out_of_tickets = plan.refill(&mut in_flight, depth);
    let mut to_send = in_flight.len();
    // One timer per session, pushed back at most every half timeout: arming a timer for every
    // read would cost as much as the rest of the call. So a silent server is noticed after
    // between half the timeout and the whole of it.
    let timer = tokio::time::sleep(plan.timeout);
    tokio::pin!(timer);
    let mut armed_at = Instant::now();
    // After an answer, the server closing (or resetting) with nothing half-sent means it closes
    // after each answer: the calls in flight go again on a new connection.
    let closed_after_answer = |answered: u64, kind: Option<std::io::ErrorKind>| {
        answered > 0
            && kind.is_none_or(|k| {
                matches!(
                    k,
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                )
            })
    };
    loop {
        if to_send > 0 {
            if let Err(e) = stream.write_all(plan.requests_for(to_send)).await {
                if closed_after_answer(answered, Some(e.kind())) {
                    *carried = in_flight;
                    return Next::Reopen;
                }
                fail_all(plan, stats, &mut in_flight, Failure::Io(e.kind()));
                return next_after(out_of_tickets);
            }
            to_send = 0;
        }
        if in_flight.is_empty() {
            return next_after(out_of_tickets);
        }
        buf.reserve(READ_CHUNK);
        let read = tokio::select! {
            biased;
            read = stream.read_buf(buf) => read,
            () = &mut timer => {
                fail_all(plan, stats, &mut in_flight, Failure::Timeout);
                return next_after(out_of_tickets);
            }
        };
        let eof = match read {
            Ok(n) => n == 0,
            Err(e)
                if buf.is_empty()
                    && !framer.as_ref().is_some_and(Framer::has_partial)
                    && closed_after_answer(answered, Some(e.kind())) =>
            {
                *carried = in_flight;
                return Next::Reopen;
            }
            Err(e) => {
                fail_all(plan, stats, &mut in_flight, Failure::Io(e.kind()));
                return next_after(out_of_tickets);
            }
        };
        let now = Instant::now();
        if now.duration_since(armed_at) > plan.timeout / 2 {
            timer.as_mut().reset((now + plan.timeout).into());
            armed_at = now;
        }
        let mut consumed = 0;
        loop {
            let Answer { result, close } =
                match next_answer(plan, buf, &mut consumed, framer.as_mut(), checked, eof) {
                    Ok(Some(answer)) => answer,
                    Ok(None) => break,
                    Err(failure) => {
                        fail_all(plan, stats, &mut in_flight, failure);
                        return next_after(out_of_tickets);
                    }
                };
            let Some(call) = in_flight.pop_front() else {
                // An answer nobody asked for: the stream is out of step.
                return next_after(out_of_tickets);
            };
            settle(plan, stats, call, result);
            answered += 1;
            if close || plan.per_call {
                // The server said it closes: what is still in flight was never read.
                *carried = in_flight;
                return Next::Reopen;
            }
            if !out_of_tickets {
                match plan.ticket(Instant::now()) {
                    Some(t) => {
                        in_flight.push_back(InFlight {
                            sent: Instant::now(),
                            counted: t.counted,
                        });
                        to_send += 1;
                    }
                    None => out_of_tickets = true,
                }
            }
        }
        buf.drain(..consumed);
        if eof {
            let partial = !buf.is_empty() || framer.as_ref().is_some_and(Framer::has_partial);
            if !partial && closed_after_answer(answered, None) {
                *carried = in_flight;
                return Next::Reopen;
            }
            fail_all(plan, stats, &mut in_flight, Failure::Closed);
            return next_after(out_of_tickets);
        }
    }
}

fn next_after(out_of_tickets: bool) -> Next {
    if out_of_tickets {
        Next::Stop
    } else {
        Next::Reopen
    }
}

/// Counts every call in flight as failed, for `why`.
pub fn fail_all(
    plan: &Plan,
    stats: &RefCell<Stats>,
    in_flight: &mut VecDeque<InFlight>,
    why: Failure,
) {
    for call in in_flight.drain(..) {
        settle(plan, stats, call, Err(why));
    }
}

/// One answer read: whether it checked out, and whether the server closes after it.
struct Answer {
    result: Result<(), Failure>,
    close: bool,
}

/// The next complete answer in `buf[*consumed..]` (raw-tcp: in the framer), checked; moves
/// `consumed` past it. Returns the check's result and whether the server closes after it.
fn next_answer(
    plan: &Plan,
    buf: &[u8],
    consumed: &mut usize,
    framer: Option<&mut Framer>,
    checked: &mut answer::Checked,
    eof: bool,
) -> Result<Option<Answer>, Failure> {
    match framer {
        Some(framer) => {
            // The framer keeps its own copy of bytes not yet framed.
            framer.push(&buf[*consumed..]);
            *consumed = buf.len();
            let frame = match framer.next_frame() {
                Ok(Some(frame)) => Some(frame),
                Ok(None) if eof => framer.finish().map_err(|_| Failure::Invalid)?,
                Ok(None) => None,
                Err(_) => return Err(Failure::Invalid),
            };
            Ok(frame.map(|frame| Answer {
                result: checked.raw(plan.proto, &frame),
                close: false,
            }))
        }
        None => {
            let rest = &buf[*consumed..];
            let Some(HttpAnswer {
                status,
                body,
                len,
                close,
            }) = answer::parse_http(rest, eof)?
            else {
                return Ok(None);
            };
            let result = checked.http(plan.proto, status, &rest[body]);
            *consumed += len;
            Ok(Some(Answer { result, close }))
        }
    }
}
