//! Connectors (CONTRACT.md, "Transports"): where a connection's bytes go — a TCP connection, a
//! Unix domain socket, a child process's stdin and stdout — whatever protocol and framing run
//! over them; TLS runs over any of them (`client::tls`). HTTP/1.1, HTTP/2 (gRPC) and framed
//! streams all open their connections here, so `-vv`'s tap, timeouts and errors are the same on
//! every connector.
//!
//! Adding a connector is one file here and one row of [`CONNECTORS`] (and its arm in [`open`]).

pub mod child;
pub mod listen;
mod tcp;
mod unix;

pub use child::{ChildOptions, ChildProcess};
pub use tcp::open_tcp;

use crate::error::{Error, Result};
use crate::trace::Trace;
use std::path::PathBuf;
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream a connection runs over: TCP, a Unix socket, a child's pipes, TLS inside one.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Where an endpoint's bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// `HOST:PORT`, over TCP.
    Tcp(String),
    /// A Unix domain socket at this path.
    Unix(PathBuf),
    /// A child process: its program and arguments, as a shell would split the words after
    /// `stdio:` (no shell is run).
    Child(Vec<String>),
}

/// A connector as the documentation and errors name it.
pub struct Connector {
    /// How an endpoint names it: `tcp://`, `unix:`, `stdio:`.
    pub prefix: &'static str,
    /// What it reaches, in a few words.
    pub reaches: &'static str,
}

/// The connectors, one row each.
pub const CONNECTORS: &[Connector] = &[
    Connector {
        prefix: "tcp://, http://, https://, grpc://, grpcs://",
        reaches: "a TCP connection to HOST:PORT (TLS inside it for https and grpcs)",
    },
    Connector {
        prefix: "unix:PATH, --unix-socket PATH",
        reaches: "a Unix domain socket",
    },
    Connector {
        prefix: "stdio:CMD [ARG]...",
        reaches: "a child process, rpc writing its stdin and reading its stdout",
    },
];

impl Place {
    /// The place as a user writes it: `HOST:PORT`, `unix:PATH`, `stdio:CMD ARGS`.
    pub fn shown(&self) -> String {
        match self {
            Place::Tcp(target) => target.clone(),
            Place::Unix(path) => format!("unix:{}", path.display()),
            Place::Child(words) => format!("stdio:{}", shell_join(words)),
        }
    }

    /// Whether this place is a child process.
    pub fn is_child(&self) -> bool {
        matches!(self, Place::Child(_))
    }

    /// The child process `stdio:WORDS` runs; a usage error as for [`command_words`].
    pub fn child(words: &str) -> Result<Place> {
        command_words(words).map(Place::Child)
    }
}

/// The words of `stdio:WORDS`, split as a shell splits them; a usage error when they do not split
/// (an unclosed quote) or are empty.
pub fn command_words(words: &str) -> Result<Vec<String>> {
    let split = shlex::split(words)
        .ok_or_else(|| Error::usage(format!("stdio:{words}: an unclosed quote in the command")))?;
    if split.is_empty() {
        return Err(Error::usage(
            "stdio: names no command: write stdio:CMD [ARG]... (e.g. stdio:pylsp)",
        ));
    }
    Ok(split)
}

/// Words as a shell would need them quoted to split back into themselves.
pub fn shell_join(words: &[String]) -> String {
    shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "))
}

/// An open connection, and the child process behind it when there is one (kept so it can be
/// stopped and its last words read).
pub struct Connection {
    io: Io,
    pub child: Option<ChildProcess>,
}

/// A connection's bytes: one duplex stream (a socket), or a child's two pipes, kept apart so
/// that closing the writing side closes the child's stdin.
enum Io {
    Duplex(Box<dyn Stream>),
    Pipes(tokio::process::ChildStdout, tokio::process::ChildStdin),
}

/// The reading half of a connection.
pub type Reader = Box<dyn AsyncRead + Send + Unpin>;
/// The writing half of a connection; shutting it down (or dropping it) ends what the peer reads.
pub type Writer = Box<dyn AsyncWrite + Send + Unpin>;

impl Connection {
    /// The connection as one stream (what HTTP and HTTP/2 run over).
    pub fn into_stream(self) -> (Box<dyn Stream>, Option<ChildProcess>) {
        match self.io {
            Io::Duplex(stream) => (stream, self.child),
            Io::Pipes(stdout, stdin) => (Box::new(tokio::io::join(stdout, stdin)), self.child),
        }
    }

    /// The connection as its reading and writing halves (what framed streams run over).
    pub fn into_halves(self) -> (Reader, Writer, Option<ChildProcess>) {
        match self.io {
            Io::Duplex(stream) => {
                let (read, write) = tokio::io::split(stream);
                (Box::new(read), Box::new(write), self.child)
            }
            Io::Pipes(stdout, stdin) => (Box::new(stdout), Box::new(stdin), self.child),
        }
    }
}

/// Opens a connection to `place`. Errors: the transport's (refused, unresolved: exit 3), a
/// command that cannot start (exit 5).
pub async fn open(place: &Place, child: &ChildOptions, trace: Trace) -> Result<Connection> {
    let duplex = |stream: Box<dyn Stream>| Connection {
        io: Io::Duplex(stream),
        child: None,
    };
    match place {
        Place::Tcp(target) => Ok(duplex(Box::new(open_tcp(target).await?))),
        Place::Unix(path) => Ok(duplex(Box::new(unix::open(path).await?))),
        Place::Child(words) => {
            let (process, stdout, stdin) = ChildProcess::spawn(words, child, trace)?;
            Ok(Connection {
                io: Io::Pipes(stdout, stdin),
                child: Some(process),
            })
        }
    }
}

/// Any connector's stream as one concrete type (delegating to the stream inside): generic code
/// that holds it across awaits stays provably `Send`, which a `Box<dyn Stream>` in a spawned
/// future's generic arguments defeats (rust-lang/rust#102211). A child process's connection
/// holds the child too: it is killed when the connection is dropped.
pub struct Conn(pub Box<dyn Stream>, pub Option<ChildProcess>);

impl Conn {
    /// A connector's stream with no child behind it.
    pub fn new(stream: impl Stream + 'static) -> Conn {
        Conn(Box::new(stream), None)
    }
}

impl From<Connection> for Conn {
    fn from(connection: Connection) -> Conn {
        let (stream, child) = connection.into_stream();
        Conn(stream, child)
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut *self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut *self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}
