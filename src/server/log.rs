//! The per-call log of `rpc serve`, buffered: lines go over a channel to one writer thread, which
//! writes them into a buffer and flushes it to stderr whenever it has caught up with the channel.
//! A busy server so writes many lines per system call (stderr itself is unbuffered: one `write`
//! per line), and an idle one still shows each line at once. The lines are formatted by
//! [`crate::trace`], as before; only the writing moved here.

use std::io::Write;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::OnceLock;
use std::time::Duration;

enum Message {
    Line(String),
    /// Write out everything sent before, then answer.
    Flush(mpsc::SyncSender<()>),
}

/// The channel to the writer thread; None when that thread could not be started.
static WRITER: OnceLock<Option<Sender<Message>>> = OnceLock::new();

fn writer() -> Option<&'static Sender<Message>> {
    WRITER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel();
            std::thread::Builder::new()
                .name("rpc-serve-log".into())
                .spawn(move || write_lines(rx))
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

/// Logs one line on stderr (soon, and in the order lines were given).
pub fn line(text: String) {
    match writer() {
        Some(tx) => {
            if let Err(mpsc::SendError(Message::Line(text))) = tx.send(Message::Line(text)) {
                direct(&text);
            }
        }
        None => direct(&text),
    }
}

/// Waits (briefly) until every line given so far is on stderr: before the server's last words.
pub fn flush() {
    let Some(tx) = WRITER.get().and_then(Option::as_ref) else {
        return;
    };
    let (done, wait) = mpsc::sync_channel(1);
    if tx.send(Message::Flush(done)).is_ok() {
        let _ = wait.recv_timeout(Duration::from_secs(1));
    }
}

fn direct(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// How long the writer rests after writing out, letting lines gather. Waking a sleeping writer
/// costs the sending call a system call and a context switch; with this rest a busy server wakes
/// it at most a few hundred times a second, whatever its call rate, and an idle one still shows a
/// line at once.
const REST: Duration = Duration::from_millis(2);

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
        let _ = out.flush();
        std::thread::sleep(REST);
    }
}
