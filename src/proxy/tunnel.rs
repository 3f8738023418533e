//! Byte pumps: each side's bytes written to the other as they come, each end's close passed on as
//! a half-close (the other side may still answer). Used unread for what the proxy cannot decode
//! (TLS without `--tls`, an unknown protocol: the first bytes each way are shown short), and with
//! an observer that reads calls out of the bytes for raw-tcp ([`super::rawtcp`]).

use super::log::Way;
use super::Shared;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// Bytes read at a time.
const CHUNK: usize = 16 * 1024;

/// Tunnels a connection the proxy cannot read to the server, unchanged both ways, until both
/// sides close or, once `shutdown` comes, [`super::rawtcp::DRAIN`] later.
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
            tokio::time::sleep(super::rawtcp::DRAIN).await;
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
pub async fn pair<C>(
    client: C,
    conn: u64,
    shared: &Arc<Shared>,
    on_request: impl FnMut(&[u8]),
    on_answer: impl FnMut(&[u8]),
) -> Option<(u64, u64)>
where
    C: AsyncRead + AsyncWrite + Unpin + Send,
{
    let upstream = match shared.connect_upstream(&[]).await {
        Ok(upstream) => upstream,
        Err(e) => {
            shared
                .log
                .note(conn, &format!("cannot reach the server: {e}"));
            return None;
        }
    };
    let (client_read, client_write) = tokio::io::split(client);
    let (server_read, server_write) = tokio::io::split(upstream);
    let idle = shared.config.limits.idle_timeout;
    let (sent, received) = tokio::join!(
        pump(client_read, server_write, idle, on_request),
        pump(server_read, client_write, idle, on_answer)
    );
    Some((sent, received))
}

/// Copies `from` to `to` until `from` ends (or either fails, or `from` is silent for `idle`),
/// then closes `to`'s writing side. `observe` sees each chunk before it is written, and an empty
/// one at the end. Returns the bytes copied.
pub async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    idle: std::time::Duration,
    mut observe: impl FnMut(&[u8]),
) -> u64 {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match tokio::time::timeout(idle, from.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) | Err(_) => break,
            Ok(Ok(n)) => n,
        };
        observe(&buf[..n]);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        total += n as u64;
    }
    observe(&[]);
    let _ = to.shutdown().await;
    total
}
