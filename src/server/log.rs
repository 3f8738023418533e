//! The per-call log of `rpc serve` on stderr, through one [`LineWriter`] (stderr itself is
//! unbuffered: one `write` per line; the writer thread writes many per system call). The lines
//! are formatted by [`crate::trace`]; only the writing is here.

use crate::linelog::{self, LineWriter, Sink};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The writer thread's queue; None when that thread could not be started. It is bounded
/// (`--max-log-queue`), so a stderr nobody reads can never make the server grow without bound.
static WRITER: OnceLock<Option<LineWriter>> = OnceLock::new();

/// The queue's capacity in lines, set from `--max-log-queue` before the first line.
static QUEUE_LIMIT: AtomicUsize = AtomicUsize::new(65536);

/// Sets the queue's capacity (`--max-log-queue`); takes effect if no line was logged yet.
pub fn set_queue_limit(lines: usize) {
    QUEUE_LIMIT.store(lines.max(1), Ordering::Relaxed);
}

fn writer() -> Option<&'static LineWriter> {
    WRITER
        .get_or_init(|| {
            LineWriter::start(
                "rpc serve",
                Sink::Stderr,
                QUEUE_LIMIT.load(Ordering::Relaxed),
            )
        })
        .as_ref()
}

/// Logs one line on stderr (soon, and in the order lines were given). Never blocks the caller:
/// when the queue is full the line is dropped and counted.
pub fn line(text: String) {
    match writer() {
        Some(writer) => writer.line(text),
        None => linelog::direct(&Sink::Stderr, &text),
    }
}

/// Waits (briefly) until every line given so far is on stderr: before the server's last words.
pub fn flush() {
    if let Some(writer) = WRITER.get().and_then(Option::as_ref) {
        writer.flush();
    }
}
