//! Listeners: where `rpc serve` and `rpc proxy` take connections — a TCP address (`HOST:PORT`,
//! port 0 for a free one), or a Unix domain socket (`unix:PATH`). A Unix socket's stale file (one
//! nobody listens on) is replaced, the file is removed when the listener goes, and its mode is
//! 0600 (only its owner may connect) unless `--socket-mode` says otherwise.

use super::Conn;
use crate::error::{Error, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::{TcpListener, UnixListener};

/// `--socket-mode`'s default: the owner alone may connect.
pub const DEFAULT_SOCKET_MODE: u32 = 0o600;

/// Who is on the other end of a connection, as logs name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A TCP peer's address.
    Tcp(SocketAddr),
    /// A Unix socket's peer, by the order it connected in (they have no address).
    Unix(u64),
    /// The one client of `rpc serve --stdio`: the process that started it.
    Stdio,
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Tcp(addr) => write!(f, "{addr}"),
            Peer::Unix(n) => write!(f, "unix#{n}"),
            Peer::Stdio => write!(f, "stdio"),
        }
    }
}

impl From<SocketAddr> for Peer {
    fn from(addr: SocketAddr) -> Peer {
        Peer::Tcp(addr)
    }
}

/// A bound listener.
pub enum Listener {
    Tcp(TcpListener),
    Unix {
        listener: UnixListener,
        path: PathBuf,
        accepted: AtomicU64,
    },
}

impl Listener {
    /// Binds `addr`: `unix:PATH` (with the socket's `mode`), else a TCP `HOST:PORT`. Errors
    /// (exit 5) name the address and what to do.
    pub async fn bind(addr: &str, mode: u32) -> Result<Listener> {
        match addr.strip_prefix("unix:") {
            Some(path) => bind_unix(Path::new(path), mode),
            None => TcpListener::bind(addr)
                .await
                .map(Listener::Tcp)
                .map_err(|e| listen_error(addr, &e)),
        }
    }

    /// Where it listens, as a banner says it: `127.0.0.1:8000`, `unix:/run/rpc.sock`.
    pub fn local(&self) -> Result<String> {
        match self {
            Listener::Tcp(listener) => listener
                .local_addr()
                .map(|addr| addr.to_string())
                .map_err(|e| Error::Local(format!("cannot read the bound address: {e}"))),
            Listener::Unix { path, .. } => Ok(format!("unix:{}", path.display())),
        }
    }

    /// The next connection and its peer.
    pub async fn accept(&self) -> std::io::Result<(Conn, Peer)> {
        match self {
            Listener::Tcp(listener) => {
                let (stream, addr) = listener.accept().await?;
                // Answers are written whole; Nagle would only delay them.
                let _ = stream.set_nodelay(true);
                Ok((Conn::new(stream), Peer::Tcp(addr)))
            }
            Listener::Unix {
                listener, accepted, ..
            } => {
                let (stream, _) = listener.accept().await?;
                let n = accepted.fetch_add(1, Ordering::Relaxed) + 1;
                Ok((Conn::new(stream), Peer::Unix(n)))
            }
        }
    }
}

impl Drop for Listener {
    /// A Unix socket's file goes with its listener: the next server finds no stale one.
    fn drop(&mut self) {
        if let Listener::Unix { path, .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Binds a Unix socket at `path`, replacing a stale socket file there (never another kind of
/// file, nor a socket a server still listens on), then gives it `mode`.
fn bind_unix(path: &Path, mode: u32) -> Result<Listener> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let shown = format!("unix:{}", path.display());
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(Error::Local(format!(
                "cannot listen on {shown}: a file that is not a socket is there (remove it, or \
                 pick another path)"
            )));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(Error::Local(format!(
                "cannot listen on {shown}: a server listens there already"
            )));
        }
        // Stale: left by a server that stopped without removing it.
        std::fs::remove_file(path).map_err(|e| listen_error(&shown, &e))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| listen_error(&shown, &e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| listen_error(&shown, &e))?;
    Ok(Listener::Unix {
        listener,
        path: path.to_path_buf(),
        accepted: AtomicU64::new(0),
    })
}

/// Why the address cannot be had, and what to do about the common case.
pub fn listen_error(addr: &str, e: &std::io::Error) -> Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            " (another server has it: pick another --addr, or port 0 for a free one)"
        }
        std::io::ErrorKind::PermissionDenied if addr.starts_with("unix:") => {
            " (the directory is not writable)"
        }
        std::io::ErrorKind::PermissionDenied => " (ports below 1024 need privileges: try 8000)",
        std::io::ErrorKind::NotFound => " (no such directory)",
        _ => "",
    };
    Error::Local(format!(
        "cannot listen on {addr}: {}{hint}",
        crate::error::plain(e)
    ))
}

/// The `--socket-mode` text (`600`, `0660`) as a mode; a usage error otherwise.
pub fn parse_mode(text: &str) -> std::result::Result<u32, String> {
    u32::from_str_radix(text.trim_start_matches("0o"), 8)
        .ok()
        .filter(|mode| *mode <= 0o777)
        .ok_or_else(|| format!("{text:?} is not a file mode: give octal digits, e.g. 600 or 660"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_unix_socket_replaces_a_stale_file_gets_its_mode_and_goes_with_its_listener() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let addr = format!("unix:{}", path.display());
        // A stale socket: bound, then its listener forgotten without removing the file.
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let listener = Listener::bind(&addr, DEFAULT_SOCKET_MODE).await.unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let busy = Listener::bind(&addr, DEFAULT_SOCKET_MODE).await;
        assert!(busy.is_err(), "a socket in use is never taken over");
        drop(listener);
        assert!(!path.exists(), "the file goes with its listener");
        std::fs::write(&path, "not a socket").unwrap();
        assert!(Listener::bind(&addr, DEFAULT_SOCKET_MODE).await.is_err());
        assert_eq!(parse_mode("660"), Ok(0o660));
        assert!(parse_mode("999").is_err());
    }
}
