//! `rpc proxy --stdio --to ENDPOINT`: a client (an editor launching its language server, an MCP
//! host launching a server) starts `rpc proxy` in place of its server. The proxy reaches the
//! server (`stdio:CMD` starts it; `unix:` and `tcp://` connect), passes every byte both ways
//! unchanged as it comes, and logs every message in the trace format (see [`super::stream`]) to
//! stderr or `--log FILE` — never to stdout, which carries the server's bytes alone. When the
//! client closes its side the server's stdin is closed, and the server stopped as `rpc call`
//! stops one (`--stop-grace`, 2 s, then a kill).

use super::log::Log;
use super::stream::{pipe, Ends};
use super::{Config, Shared};
use crate::error::{Error, Result};
use crate::linelog::Sink;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A stdio session has one client that may sit idle for as long as an editor stays open: the
/// proxy's idle limit does not apply.
const NEVER_IDLE: Duration = Duration::from_secs(365 * 24 * 3600);

/// Runs the proxy on its own stdin and stdout until either side is done.
pub async fn run(mut config: Config) -> Result<()> {
    let mode = config
        .stdio
        .clone()
        .ok_or_else(|| Error::internal("the stdio proxy without --stdio"))?;
    let place = crate::client::place_of(&config.upstream, None)?;
    let target = place.shown();
    let sink = match &mode.log {
        Some(path) => Sink::File(Arc::new(open_log(path)?)),
        None => Sink::Stderr,
    };
    config.limits.idle_timeout = NEVER_IDLE;
    let recorder = super::recorder(&config, &target, false)?;
    let shared = Shared {
        log: Log::new(config.style, sink, config.limits.max_log_queue, recorder),
        authority: super::authority_of(&config.upstream, &place),
        target: target.clone(),
        place: place.clone(),
        upstream_tls: false,
        next_conn: AtomicU64::new(2),
        konts: super::http1::Konts::default(),
        grpc_schema: super::grpc::SchemaCache::default(),
        config,
    };
    let connection = crate::connect::open(
        &place,
        &shared.config.client.child,
        crate::trace::Trace::default(),
    )
    .await?;
    shared
        .log
        .note(1, &format!("client on stdin and stdout, server {target}"));
    let (server_read, server_write, mut child) = connection.into_halves();
    let client_done = Arc::new(tokio::sync::Notify::new());
    let ends = Ends {
        client_read: tokio::io::stdin(),
        client_write: tokio::io::stdout(),
        server_read,
        server_write,
        client_done: Some(Arc::clone(&client_done)),
    };
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let signalled = crate::server::shutdown_signal()?;
    tokio::spawn(async move {
        signalled.await;
        stop.cancel();
    });
    let grace = shared.config.client.child.grace;
    let piping = pipe(ends, mode.framing, 1, &shared, shutdown);
    tokio::pin!(piping);
    tokio::select! {
        () = &mut piping => {}
        () = async { client_done.notified().await; tokio::time::sleep(grace).await } => {
            // The client left and the server kept its stdout open past its grace: stopped, its
            // stdout ends, and with it the pipe.
            if let Some(child) = child.as_mut() {
                child.kill().await;
            }
            piping.await;
        }
    }
    if let Some(mut child) = child {
        let ended = child.ended(Duration::from_millis(100)).await;
        shared.log.note(
            1,
            &format!("the server {}", ended.as_deref().unwrap_or("is stopped")),
        );
        child.stop().await;
    }
    shared.log.note(1, "session over");
    shared.log.flush();
    Ok(())
}

fn open_log(path: &std::path::Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            Error::Local(format!(
                "cannot write --log {}: {}",
                path.display(),
                crate::error::plain(&e)
            ))
        })
}
