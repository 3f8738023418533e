//! The child-process connector (`stdio:CMD [ARG]…`): the command runs with `rpc` writing its stdin
//! and reading its stdout (the environment passed through, no shell run). Its stderr goes to
//! `rpc`'s stderr — each line prefixed with the server's name at `-v` — or to `--server-stderr
//! FILE`, and its last lines are kept for the error that says why it stopped. When `rpc` is done
//! the child is stopped as editors stop language servers: stdin closed, `--stop-grace` for it to
//! exit, then killed, and always reaped.

use crate::error::{Error, Result};
use crate::trace::Trace;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How many of the child's last stderr lines are kept for an error message.
pub const STDERR_TAIL_LINES: usize = 5;
/// A stderr line longer than this is cut when kept (it is passed on whole).
const STDERR_TAIL_WIDTH: usize = 300;

/// How a child process is run and stopped.
#[derive(Debug, Clone)]
pub struct ChildOptions {
    /// `--server-stderr FILE`: the child's stderr is written there instead of to `rpc`'s.
    pub stderr_file: Option<PathBuf>,
    /// `--stop-grace SECS`: how long a child gets to exit once its stdin is closed, before it is
    /// killed.
    pub grace: Duration,
}

impl Default for ChildOptions {
    fn default() -> ChildOptions {
        ChildOptions {
            stderr_file: None,
            grace: DEFAULT_GRACE,
        }
    }
}

/// `--stop-grace`'s default: long enough for a language server to save its state.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// A running child process and what it said on stderr.
pub struct ChildProcess {
    child: tokio::process::Child,
    /// The program's name, as prefixes and errors name it.
    name: String,
    tail: Arc<Mutex<VecDeque<String>>>,
    stderr: Option<tokio::task::JoinHandle<()>>,
    grace: Duration,
}

impl ChildProcess {
    /// Starts `words` (program, then arguments) with piped stdin and stdout, returned to be
    /// read and written. A command that cannot start is a local failure (exit 5) that names it
    /// and why.
    pub fn spawn(
        words: &[String],
        options: &ChildOptions,
        trace: Trace,
    ) -> Result<(
        ChildProcess,
        tokio::process::ChildStdout,
        tokio::process::ChildStdin,
    )> {
        let Some((program, args)) = words.split_first() else {
            return Err(Error::usage("stdio: names no command"));
        };
        let name = std::path::Path::new(program)
            .file_name()
            .map_or_else(|| program.clone(), |n| n.to_string_lossy().into_owned());
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| cannot_start(program, &e))?;
        let (Some(stdin), Some(stdout), stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(Error::internal("a child spawned with pipes has none"));
        };
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let sink = StderrSink::open(options, &name, trace)?;
        let stderr =
            stderr.map(|stderr| tokio::spawn(pass_stderr(stderr, sink, Arc::clone(&tail))));
        let process = ChildProcess {
            child,
            name,
            tail,
            stderr,
            grace: options.grace,
        };
        Ok((process, stdout, stdin))
    }

    /// The program's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The child's last stderr lines, oldest first.
    pub fn last_words(&self) -> Vec<String> {
        self.tail
            .lock()
            .map(|tail| tail.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// How the child ended, waiting at most `within` for it to end: `exited with status 3`,
    /// `was killed by signal 9`; None while it runs.
    pub async fn ended(&mut self, within: Duration) -> Option<String> {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .ok()?
            .ok()?;
        // Its last stderr lines may still be on their way to the tail.
        if let Some(task) = self.stderr.as_mut() {
            // A finished task's handle must not be awaited again (in `stop`).
            if tokio::time::timeout(Duration::from_millis(200), task)
                .await
                .is_ok()
            {
                self.stderr = None;
            }
        }
        Some(describe(status))
    }

    /// Why the child is gone, for an error: how it ended and its last stderr lines.
    pub async fn obituary(&mut self) -> String {
        let ended = self
            .ended(Duration::from_millis(500))
            .await
            .map_or_else(|| "closed its stdout".to_owned(), |how| how.to_owned());
        let words = self.last_words();
        if words.is_empty() {
            format!("{} {ended}", self.name)
        } else {
            format!(
                "{} {ended}; its last words on stderr: {}",
                self.name,
                words.join(" / ")
            )
        }
    }

    /// Kills the child now (SIGKILL); `stop` still reaps it.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Stops the child once its stdin is closed (the caller dropped the stream): `grace` for it
    /// to exit on its own, then a kill; reaped either way.
    pub async fn stop(mut self) {
        if tokio::time::timeout(self.grace, self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        if let Some(task) = self.stderr.take() {
            let _ = tokio::time::timeout(Duration::from_millis(500), task).await;
        }
    }
}

/// A command that cannot be started: not found, not executable, and so on.
fn cannot_start(program: &str, e: &std::io::Error) -> Error {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such command (not on PATH, or no such file)".to_owned(),
        std::io::ErrorKind::PermissionDenied if std::path::Path::new(program).is_dir() => {
            "it is a directory".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied (is it executable?)".to_owned(),
        _ => crate::error::plain(e),
    };
    Error::Local(format!("cannot start the server {program:?}: {why}"))
}

/// `exited with status 3`, `was killed by signal 9`.
fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "ended".to_owned(),
    }
}

/// Where the child's stderr goes.
enum StderrSink {
    /// `rpc`'s stderr, each line behind `[name] ` when `prefixed`.
    Ours {
        prefix: Option<String>,
    },
    File(tokio::fs::File),
}

impl StderrSink {
    fn open(options: &ChildOptions, name: &str, trace: Trace) -> Result<StderrSink> {
        match &options.stderr_file {
            Some(path) => {
                let file = std::fs::File::create(path).map_err(|e| {
                    Error::Local(format!(
                        "cannot write --server-stderr {}: {}",
                        path.display(),
                        crate::error::plain(&e)
                    ))
                })?;
                Ok(StderrSink::File(tokio::fs::File::from_std(file)))
            }
            None => Ok(StderrSink::Ours {
                prefix: (trace.level >= 1).then(|| format!("[{name}] ")),
            }),
        }
    }

    /// Writes `bytes`, behind the prefix when they start a line.
    async fn write(&mut self, bytes: &[u8], line_start: bool) {
        match self {
            StderrSink::File(file) => {
                let _ = file.write_all(bytes).await;
            }
            StderrSink::Ours { prefix } => {
                // One write of the prefix and the line, on the same stderr that rpc's own log
                // lines use: the two never cut into each other, and the child's lines keep their
                // order (tokio's stderr writes through a thread pool, where they may not).
                let mut line = Vec::with_capacity(bytes.len() + 32);
                if let (Some(prefix), true) = (prefix, line_start) {
                    line.extend_from_slice(prefix.as_bytes());
                }
                line.extend_from_slice(bytes);
                crate::trace::write_log(&line);
            }
        }
    }

    async fn flush(&mut self) {
        if let StderrSink::File(file) = self {
            let _ = file.flush().await;
        }
    }
}

/// Passes the child's stderr on as it comes (a line at a time behind its prefix), keeping the
/// last lines. Reads in chunks, so a line that never ends costs no more memory than any other.
async fn pass_stderr(
    mut stderr: tokio::process::ChildStderr,
    mut sink: StderrSink,
    tail: Arc<Mutex<VecDeque<String>>>,
) {
    use tokio::io::AsyncReadExt;
    let mut chunk = [0u8; 8192];
    // The line being read, as far as it is kept.
    let mut current: Vec<u8> = Vec::new();
    let mut at_line_start = true;
    loop {
        let n = match stderr.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for piece in chunk[..n].split_inclusive(|b| *b == b'\n') {
            sink.write(piece, at_line_start).await;
            if current.len() < STDERR_TAIL_WIDTH * 4 {
                current.extend_from_slice(piece);
            }
            at_line_start = piece.ends_with(b"\n");
            if at_line_start {
                keep(&tail, &current);
                current.clear();
            }
        }
    }
    if !current.is_empty() {
        keep(&tail, &current);
        sink.write(b"\n", false).await;
    }
    sink.flush().await;
}

/// Keeps `line` (cut to [`STDERR_TAIL_WIDTH`]) among the last [`STDERR_TAIL_LINES`].
fn keep(tail: &Mutex<VecDeque<String>>, line: &[u8]) {
    let text = String::from_utf8_lossy(line).trim_end().to_owned();
    if text.is_empty() {
        return;
    }
    let text = match text.char_indices().nth(STDERR_TAIL_WIDTH) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    };
    if let Ok(mut tail) = tail.lock() {
        if tail.len() == STDERR_TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(text);
    }
}
