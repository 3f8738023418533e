//! The per-call log of `rpc serve`, buffered: lines go over a channel to one writer thread, which
//! writes them into a buffer and flushes it to stderr whenever it has caught up with the channel.
//! A busy server so writes many lines per system call (stderr itself is unbuffered: one `write`
//! per line), and an idle one still shows each line at once. The lines are formatted by
//! [`crate::trace`], as before; only the writing moved here.

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::OnceLock;
use std::time::Duration;

enum Message {
    Line(String),
    /// Write out everything sent before, then answer.
    Flush(mpsc::SyncSender<()>),
}

/// The channel to the writer thread; None when that thread could not be started. It is bounded
/// (`--max-log-queue`), so a stderr nobody reads can never make the server grow without bound.
static WRITER: OnceLock<Option<SyncSender<Message>>> = OnceLock::new();

/// The queue's capacity in lines, set from `--max-log-queue` before the first line.
static QUEUE_LIMIT: AtomicUsize = AtomicUsize::new(65536);

/// Lines dropped because the queue was full; the writer reports them once it catches up.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Sets the queue's capacity (`--max-log-queue`); takes effect if no line was logged yet.
pub fn set_queue_limit(lines: usize) {
    QUEUE_LIMIT.store(lines.max(1), Ordering::Relaxed);
}

fn writer() -> Option<&'static SyncSender<Message>> {
    WRITER
        .get_or_init(|| {
            let (tx, rx) = mpsc::sync_channel(QUEUE_LIMIT.load(Ordering::Relaxed));
            std::thread::Builder::new()
                .name("rpc-serve-log".into())
                .spawn(move || write_lines(rx))
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

/// Logs one line on stderr (soon, and in the order lines were given). Never blocks the caller:
/// when the queue is full the line is dropped and counted.
pub fn line(text: String) {
    match writer() {
        Some(tx) => match tx.try_send(Message::Line(text)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                DROPPED.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(Message::Line(text))) => direct(&text),
            Err(TrySendError::Disconnected(_)) => {}
        },
        None => direct(&text),
    }
}

/// Waits (briefly) until every line given so far is on stderr: before the server's last words.
pub fn flush() {
    let Some(tx) = WRITER.get().and_then(Option::as_ref) else {
        return;
    };
    let (done, wait) = mpsc::sync_channel(1);
    // A full queue means stderr is stuck: waiting for room could hang the shutdown, so give up.
    if tx.try_send(Message::Flush(done)).is_ok() {
        let _ = wait.recv_timeout(Duration::from_secs(1));
    }
    // The writer reports drops once it catches up; a stuck one never does, so say it here.
    report_dropped(&mut std::io::stderr().lock());
}

fn direct(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// How long the writer rests after writing out, letting lines gather. Waking a sleeping writer
/// costs the sending call a system call and a context switch; with this rest a busy server wakes
/// it at most a few hundred times a second, whatever its call rate, and an idle one still shows a
/// line at once.
const REST: Duration = Duration::from_millis(2);

fn report_dropped(out: &mut impl Write) {
    let dropped = DROPPED.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        let _ = writeln!(
            out,
            "rpc serve: {dropped} log lines dropped: stderr is not keeping up (--max-log-queue)"
        );
    }
}

fn write_lines(rx: Receiver<Message>) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    // Block for the next message only once the buffer is out: nothing waits in it while idle.
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Line(text) => {
                    let _ = writeln!(out, "{text}");
                }
                Message::Flush(done) => {
                    let _ = out.flush();
                    let _ = done.send(());
                }
            }
            next = rx.try_recv().ok();
        }
        report_dropped(&mut out);
        let _ = out.flush();
        std::thread::sleep(REST);
    }
}
