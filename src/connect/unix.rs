//! The Unix domain socket connector (`unix:PATH`, `--unix-socket PATH`): geth's and anvil's IPC,
//! gRPC services in containers, any server listening on a path.

use crate::client::failure::{Cause, TransportError};
use crate::error::{Error, Result};
use std::io::ErrorKind;
use std::path::Path;

/// Connects to the socket at `path`. Errors name the path and say what is wrong with it: nothing
/// there, not a socket, nobody listening, no permission.
pub async fn open(path: &Path) -> Result<tokio::net::UnixStream> {
    tokio::net::UnixStream::connect(path).await.map_err(|e| {
        let shown = format!("unix:{}", path.display());
        let cause = match e.kind() {
            ErrorKind::NotFound => Cause::Broken(
                "no such socket (is the server running, and is this its socket's path?)".into(),
            ),
            ErrorKind::ConnectionRefused if !is_socket(path) => {
                Cause::Broken("that path is not a socket".into())
            }
            ErrorKind::ConnectionRefused => Cause::Broken(
                "nothing listens on that socket (a stale socket file: is the server running?)"
                    .into(),
            ),
            ErrorKind::PermissionDenied => {
                Cause::Broken("permission denied (the socket's mode or directory)".into())
            }
            _ => return Error::Transport(TransportError::from_io(&shown, e)),
        };
        Error::Transport(TransportError::new(shown, cause, Some(Box::new(e))))
    })
}

fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}
