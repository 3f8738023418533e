//! Log lines written by a thread of their own, for `rpc serve`'s per-call log (stderr) and
//! `rpc proxy`'s log (stdout): lines go over a bounded channel to one writer thread, which writes
//! them into a buffer and flushes it whenever it has caught up with the channel. A busy process so
//! writes many lines per system call, an idle one still shows each line at once, and a stream
//! nobody reads never blocks the caller nor grows without bound: when the queue is full
//! (`--max-log-queue`) a line is dropped and counted, and the count is written once the writer
//! catches up.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

/// How long the writer rests after writing out, letting lines gather. Waking a sleeping writer
/// costs the sending call a system call and a context switch; with this rest a busy process wakes
/// it at most a few hundred times a second, whatever its call rate, and an idle one still shows a
/// line at once.
const REST: Duration = Duration::from_millis(2);

/// Where the lines go.
#[derive(Debug, Clone)]
pub enum Sink {
    Stdout,
    Stderr,
    /// A file (`rpc proxy --log FILE`), opened for appending.
    File(Arc<std::fs::File>),
}

impl Sink {
    fn stream(&self) -> Box<dyn Write + Send> {
        match self {
            Sink::Stdout => Box::new(std::io::stdout()),
            Sink::Stderr => Box::new(std::io::stderr()),
            Sink::File(file) => Box::new(SharedFile(Arc::clone(file))),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Sink::Stdout => "stdout",
            Sink::Stderr => "stderr",
            Sink::File(_) => "the log file",
        }
    }
}

/// A file written through a shared handle (`&File` writes).
struct SharedFile(Arc<std::fs::File>);

impl Write for SharedFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        (&*self.0).write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        (&*self.0).flush()
    }
}

enum Message {
    Line(String),
    /// Write out everything sent before, then answer.
    Flush(SyncSender<()>),
}

/// The queue to a writer thread.
pub struct LineWriter {
    queue: SyncSender<Message>,
    sink: Sink,
    /// Lines dropped because the queue was full.
    dropped: Arc<AtomicU64>,
    /// Who the drop notice names (`rpc serve`).
    who: &'static str,
}

impl LineWriter {
    /// Starts the writer thread for `sink`, queueing at most `limit` lines; None when the thread
    /// cannot be started (the caller then writes directly).
    pub fn start(who: &'static str, sink: Sink, limit: usize) -> Option<LineWriter> {
        let (queue, lines) = mpsc::sync_channel(limit.max(1));
        let dropped = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&dropped);
        let thread_sink = sink.clone();
        std::thread::Builder::new()
            .name(format!("{who} log"))
            .spawn(move || write_lines(&lines, &thread_sink, &counted, who))
            .ok()?;
        Some(LineWriter {
            queue,
            sink,
            dropped,
            who,
        })
    }

    /// Queues one line (written soon, in order). Never blocks: a full queue drops it (counted).
    pub fn line(&self, text: String) {
        match self.queue.try_send(Message::Line(text)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(Message::Line(text))) => direct(&self.sink, &text),
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Waits (briefly) until every line given so far is written: before a process's last words.
    pub fn flush(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        // A full queue means the stream is stuck: waiting for room could hang, so give up.
        if self.queue.try_send(Message::Flush(done)).is_ok() {
            let _ = wait.recv_timeout(Duration::from_secs(1));
        }
        // The writer reports drops once it catches up; a stuck one never does, so say it here.
        report_dropped(&mut self.sink.stream(), &self.dropped, self.who, &self.sink);
    }
}

/// Writes one line straight to `sink` (no writer thread).
pub fn direct(sink: &Sink, text: &str) {
    let _ = writeln!(sink.stream(), "{text}");
}

fn report_dropped(out: &mut impl Write, dropped: &AtomicU64, who: &str, sink: &Sink) {
    let count = dropped.swap(0, Ordering::Relaxed);
    if count > 0 {
        let _ = writeln!(
            out,
            "{who}: {count} log lines dropped: {} is not keeping up (--max-log-queue)",
            sink.name()
        );
    }
}

fn write_lines(lines: &Receiver<Message>, sink: &Sink, dropped: &AtomicU64, who: &str) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, sink.stream());
    // Block for the next message only once the buffer is out: nothing waits in it while idle.
    while let Ok(first) = lines.recv() {
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
            next = lines.try_recv().ok();
        }
        report_dropped(&mut out, dropped, who, sink);
        let _ = out.flush();
        std::thread::sleep(REST);
    }
}
