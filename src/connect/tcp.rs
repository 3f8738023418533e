//! The TCP connector: `HOST:PORT` resolved, each address tried in turn.

use crate::client::failure::TransportError;
use crate::error::{Error, Result};
use tokio::net::TcpStream;

/// Resolves `target` (`HOST:PORT`) and connects to the first address that accepts. Errors: a
/// host with no address (resolution), every address refusing or failing (by the last one's kind).
pub async fn open_tcp(target: &str) -> Result<TcpStream> {
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host(target)
        .await
        .map_err(|e| TransportError::unresolved(target, Some(Box::new(e))))?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(tcp) => {
                // A request is written whole; Nagle would only delay it.
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => Error::Transport(TransportError::from_io(target, e)),
        None => TransportError::unresolved(target, None).into(),
    })
}
