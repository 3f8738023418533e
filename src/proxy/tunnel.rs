//! Byte pumps: each side's bytes written to the other as they come, each end's close passed on as
//! a half-close (the other side may still answer). Used unread for what the proxy cannot decode
//! (TLS without `--tls`, an unknown protocol: the first bytes each way are shown short), and with
//! an observer that reads calls out of the bytes for raw-tcp ([`super::rawtcp`]).

use super::log::Way;
use super::Shared;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// Bytes read at a time.
const CHUNK: usize = 16 * 1024;

/// Tunnels a connection the proxy cannot read to the server, unchanged both ways, until both
/// sides close or, once `shutdown` comes, `--drain-timeout` later.
pub async fn forward<C>(client: C, conn: u64, shared: &Arc<Shared>, shutdown: CancellationToken)
where
    C: AsyncRead + AsyncWrite + Unpin + Send,
{
    let log = &shared.log;
    let mut shown = [false, false];
    let observe = |way: Way, bytes: &[u8], shown: &mut bool| {
        if bytes.is_empty() {
            return;
        }
        if !*shown {
            *shown = true;
            log.undecoded(conn, way, "an unknown protocol", bytes);
        }
        log.bytes(conn, way, bytes);
    };
    let [client_shown, server_shown] = &mut shown;
    let tunnelled = pair(
        client,
        conn,
        shared,
        |bytes| observe(Way::Request, bytes, client_shown),
        |bytes| observe(Way::Answer, bytes, server_shown),
    );
    let totals = tokio::select! {
        totals = tunnelled => totals,
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(shared.config.limits.drain_timeout).await;
        } => None,
    };
    if let Some((sent, received)) = totals {
        log.note(
            conn,
            &format!("tunnel closed: {sent} bytes from the client, {received} from the server"),
        );
    }
}

/// Connects to the server and pumps both ways until both sides have closed; each chunk is shown
/// to its observer first. The byte counts each way, or None when the server could not be reached
/// (logged).
pub(super) async fn pair<C>(
    client: C,
    conn: u64,
    shared: &Arc<Shared>,
    on_request: impl FnMut(&[u8]),
    on_answer: impl FnMut(&[u8]),
) -> Option<(u64, u64)>
where
    C: AsyncRead + AsyncWrite + Unpin + Send,
{
    let upstream = shared.upstream_for(conn).await?;
    let (client_read, client_write) = tokio::io::split(client);
    let (server_read, server_write) = tokio::io::split(upstream);
    let activity = Activity::new();
    let idle = (shared.config.limits.idle_timeout, &activity);
    let (sent, received) = tokio::join!(
        pump(client_read, server_write, idle, on_request),
        pump(server_read, client_write, idle, on_answer)
    );
    Some((sent, received))
}

/// When either direction of a pair last moved bytes, and how many calls wait for an answer: a
/// pair is idle only when both directions are silent and no call is waiting (a slow answer is
/// not idleness).
pub(super) struct Activity {
    start: Instant,
    /// Milliseconds after `start`.
    last_ms: AtomicU64,
    waiting: AtomicU64,
}

impl Activity {
    pub(super) fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(now, Ordering::Relaxed);
    }

    /// Sets how many calls wait for their answers (raw-tcp knows; a tunnel does not).
    pub(super) fn set_waiting(&self, calls: usize) {
        self.waiting.store(calls as u64, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        if self.waiting.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

/// Copies `from` to `to` until `from` ends, either side fails, or the pair has been silent both
/// ways for `idle` (a write the other side does not take within `idle` ends it too); then closes
/// `to`'s writing side. `observe` sees each chunk before it is written, and an empty one at the
/// end. Returns the bytes copied.
pub(super) async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    (idle, activity): (Duration, &Activity),
    mut observe: impl FnMut(&[u8]),
) -> u64 {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match tokio::time::timeout(idle, from.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => n,
            // This side is quiet; the other may be busy (a slow answer): wait on.
            Err(_) if activity.quiet_for() < idle => continue,
            Err(_) => break,
        };
        activity.touch();
        observe(&buf[..n]);
        // Flushed at once: a process's stdout holds back what is not a whole line.
        let written = async {
            to.write_all(&buf[..n]).await?;
            to.flush().await
        };
        match tokio::time::timeout(idle, written).await {
            Ok(Ok(())) => total += n as u64,
            _ => break,
        }
    }
    observe(&[]);
    let _ = to.shutdown().await;
    total
}
